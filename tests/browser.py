"""Headless Chromium for the browser tests (the report view, Datasette): found on PATH, skipped with a reason where it
is missing, and a failure under CI, which must run these tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def _unavailable() -> str | None:
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if not missing:
        return None
    return f"{', '.join(missing)} not installed (apt-get install chromium chromium-driver fonts-noto-cjk)"


def require_browser() -> None:
    """Skip, saying why, when Chromium is absent; under CI (CI=true) fail instead, as CI must run these tests."""
    reason = _unavailable()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")


def chromium(profile: Path, size: str, logs: bool = False):
    """A headless Chromium driven by Selenium, with a fresh profile folder and a window of `size` ("W,H"); with
    logs, the console and network logs are kept for the test to read."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={size}"):
        options.add_argument(flag)
    if logs:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
