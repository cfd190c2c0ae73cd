"""Debian's Chromium driven by Playwright, and axe-core from npm, for browser tests and screenshots."""

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_DIR = Path(os.environ.get("AXE_CORE_DIR", Path.home() / ".cache" / "evidence-axe"))
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def chromium_installed() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system Chromium, headless; Playwright never downloads a browser of its own."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_core() -> Path:
    """axe-core's browser bundle from its npm package, installed into a cache folder on first use."""
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("axe-core is missing and npm is not installed: apt-get install npm, or run .ci/run")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), "axe-core@4"]
        subprocess.run(command, check=True, timeout=300)
    return AXE_JS
