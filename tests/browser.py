"""Headless Chromium driven through selenium/chromedriver, for tests that look at a page.

`chromium_driver` installs the Debian packages `chromium` and `chromium-driver` when they are
missing and the tests run as root with apt-get (as CI does); elsewhere it skips the test with
a message saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DEBIAN_PACKAGES = ("chromium", "chromium-driver")
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
INSTALL_HINT = "apt-get install -y chromium chromium-driver (as root)"


def find_chromium() -> tuple[str, str] | None:
    """(browser, chromedriver) executables on PATH, or None when either is missing."""
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = shutil.which(DRIVER)
    return (browser, driver) if browser and driver else None


def ensure_chromium() -> tuple[str, str]:
    """The browser and driver paths, installing the Debian packages first when possible.

    Skips the calling test when they are missing and cannot be installed here.
    """
    found = find_chromium()
    if found is None and _can_install():
        _apt_install()
        found = find_chromium()
    if found is None:
        pytest.skip(f"headless Chromium and chromedriver are not installed; run: {INSTALL_HINT}")
    return found


def _can_install() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def _apt_install() -> None:
    """apt-get install; on failure refresh the package lists once and try again."""
    install = ["apt-get", "install", "-y", "-q", *DEBIAN_PACKAGES]
    if not _run(install):
        _run(["apt-get", "update", "-q"])
        _run(install)


def _run(command: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(command, env=env, capture_output=True, timeout=900, check=False)
    return done.returncode == 0


@contextmanager
def chromium_driver(profile_dir: Path) -> Iterator:
    """A selenium WebDriver for headless Chromium that records the browser console log.

    Args:
        profile_dir: a fresh folder for the browser profile (e.g. under `tmp_path`).
    """
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed: pip install -e '.[dev]'"
    )
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()
