"""Folders the app ships with (migrations/, data/): inside the installed package, or at the top of a checkout."""

from importlib.resources import files
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def shipped(name: str) -> Path:
    """The wheel puts `name` under the app package; a source checkout keeps it at the top."""
    installed = Path(str(files("app") / name))
    return installed if installed.is_dir() else CHECKOUT / name
