"""Headless Chromium driven through selenium/chromedriver, for tests that look at a page.

`scripts/setup.sh` installs the Debian packages `chromium` and `chromium-driver`; where they are
missing, `chromium_driver` skips the test with a message saying to run it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser")
DRIVER = "chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,1600",
)
INSTALL_HINT = (
    "run `bash scripts/setup.sh` (as root it installs the Debian packages chromium and "
    "chromium-driver; otherwise it prints the sudo apt-get command)"
)


def find_chromium() -> tuple[str, str] | None:
    """(browser, chromedriver) executables on PATH, or None when either is missing."""
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = shutil.which(DRIVER)
    return (browser, driver) if browser and driver else None


def require_chromium() -> tuple[str, str]:
    """The browser and driver paths; skips the calling test when either is missing."""
    found = find_chromium()
    if found is None:
        pytest.skip(f"headless Chromium and chromedriver are not installed: {INSTALL_HINT}")
    return found


@contextmanager
def chromium_driver(profile_dir: Path, extra_flags: tuple[str, ...] = ()) -> Iterator:
    """A selenium WebDriver for headless Chromium that records the browser console log.

    Args:
        profile_dir: a fresh folder for the browser profile (e.g. under `tmp_path`).
        extra_flags: more command-line switches (e.g. a fake microphone).
    """
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed: run `bash scripts/setup.sh`"
    )
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, *extra_flags, f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()
