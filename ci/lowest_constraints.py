"""Print pip constraints pinning every runtime dependency to the lowest version pyproject.toml allows.

CI installs with them in a second venv, so the declared lower bounds are tested, not assumed:
    python ci/lowest_constraints.py > lowest.txt && pip install -c lowest.txt '.[test]'
"""

import re
import sys
import tomllib
from pathlib import Path

NAME = re.compile(r"[A-Za-z0-9_.-]+")


def lowest_pin(requirement: str) -> str:
    """`name>=x,<y` (extras allowed) -> `name==x`."""
    name = NAME.match(requirement)
    specifiers = requirement.split("]")[-1] if "[" in requirement else requirement[name.end() if name else 0 :]
    lower = [spec.strip()[2:].strip() for spec in specifiers.split(",") if spec.strip().startswith(">=")]
    if name is None or not lower:
        sys.exit(f"{requirement!r} has no lower bound (>=); give it one in pyproject.toml")
    return f"{name.group()}=={lower[0]}"


if __name__ == "__main__":
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    print("\n".join(lowest_pin(requirement) for requirement in dependencies))
