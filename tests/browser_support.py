"""Real-browser tests: the app served by waitress on 127.0.0.1, driven by Playwright in Debian's
``chromium`` (never a browser download). Use the ``live_server`` and ``page`` fixtures by importing
them in a test module: ``from tests.browser_support import live_server, page  # noqa: F401``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.serving import serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The test application on a real WSGI server; yields its base URL."""
    with serving(app, threads=4) as url:
        yield url


@pytest.fixture
def page(live_server: str) -> Iterator[Any]:
    """A Playwright page in headless Debian chromium."""
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server, locale="fr-FR")
        pg = context.new_page()
        try:
            yield pg
        finally:
            context.close()
            browser.close()
