"""Build hook: ship the top-level migrations/ and data/ inside the wheel, as app/migrations and app/data.

They stay at the top of the checkout (where people look for them); app.resources finds them
in either place. Everything else about the package is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import find_packages, setup

SHIPPED = {"migrations": "app.migrations", "data": "app.data"}


def mapped_folders(top: str, package: str) -> dict[str, str]:
    """Each folder under `top` as a package under `package` (files only, no __init__ needed)."""
    folders = [Path(top), *(p for p in sorted(Path(top).rglob("*")) if p.is_dir() and p.name != "__pycache__")]
    return {".".join([package, *folder.relative_to(top).parts]): folder.as_posix() for folder in folders}


mapped = {name: folder for top, package in SHIPPED.items() for name, folder in mapped_folders(top, package).items()}
setup(
    packages=find_packages(include=["app", "app.*"]) + list(mapped),
    package_dir=mapped,
    package_data={**{name: ["*"] for name in mapped}, "app.explore": ["templates/*", "static/*"]},
    exclude_package_data={"": ["*.pyc"]},
)
