"""The README documents every setting and every CLI command users can reach."""

import pytest

from app.cli import cli, db_cli
from app.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_table(name):
    assert f"| `EVIDENCE_{name.upper()}` |" in README


def command_name(command) -> str:
    return command.name or command.callback.__name__.replace("_", "-")


@pytest.mark.parametrize(
    "command",
    [command_name(c) for c in cli.registered_commands] + [f"db {command_name(c)}" for c in db_cli.registered_commands],
)
def test_every_command_is_documented(command):
    assert f"`evidence {command}" in README
