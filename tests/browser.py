"""A real headless Chromium for tests that check what users look at.

Debian's ``chromium`` and ``chromium-driver`` (installed by ``.ci/run``) driven by
Selenium. :func:`chromium_missing` says why a browser test must skip, so the
skip reason names what to install.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_CANDIDATES = ("chromedriver",)


def _find(names: tuple[str, ...], extra: tuple[str, ...] = ()) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in extra if os.path.exists(p)), None)


def chromium_binary() -> str | None:
    return os.environ.get("WORKBENCH_CHROMIUM") or _find(CHROMIUM_CANDIDATES)


def chromedriver_binary() -> str | None:
    return os.environ.get("WORKBENCH_CHROMEDRIVER") or _find(
        DRIVER_CANDIDATES, ("/usr/lib/chromium/chromedriver",)
    )


def chromium_missing() -> str | None:
    """Why no browser test can run here, or None when one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if chromium_binary() is None:
        return "no chromium on PATH (apt-get install chromium; .ci/run installs it)"
    if chromedriver_binary() is None:
        return "no chromedriver on PATH (apt-get install chromium-driver; .ci/run installs it)"
    return None


@contextmanager
def chromium(
    *, width: int = 1400, height: int = 900, page_load_timeout: float = 90.0
) -> Iterator[Any]:
    """A headless Chromium WebDriver with its own profile, closed on exit."""
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")  # the installed driver; nothing downloaded
    with tempfile.TemporaryDirectory(prefix="wb-chromium-") as profile:
        options = Options()
        options.binary_location = chromium_binary() or "chromium"
        for arg in (
            "--headless=new",
            "--no-sandbox",  # needed as root (CI runs as root)
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--window-size={width},{height}",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(
            executable_path=chromedriver_binary(), log_output=os.path.join(profile, "driver.log")
        )
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(page_load_timeout)
        try:
            yield driver
        finally:
            driver.quit()
