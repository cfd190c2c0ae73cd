"""Screenshots of the explorer for the README: `python -m tests.browser.screenshots` (needs Debian's chromium).

Serves a scratch SQLite database loaded with the bundled data and writes PNGs to docs/screenshots/.
"""

import argparse
import tempfile
from pathlib import Path

from app.config import PROJECT_ROOT
from tests.browser.live import chromium
from tests.live import serving

WIDTHS = {"phone": (390, 1100), "desktop": (1280, 1000)}
PAGES = {
    "home": "/explore",
    "search": "/explore/claims?q=ECT",
    "claim": "/explore/claims/ect-more-efficacious-than-ketamine",
    "material": "/explore/material",
}


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with (
        tempfile.TemporaryDirectory() as scratch,
        serving({"EVIDENCE_DATABASE_URL": f"sqlite:///{scratch}/screens.db"}) as server,
        chromium() as browser,
    ):
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(server.url + path)
                target = out / f"{name}-{width_name}.png"
                page.screenshot(path=target)
                written.append(target)
            context.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshots", help="folder for the PNGs")
    for path in take(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
