"""Real-browser tests: the app served by waitress on 127.0.0.1, driven by Playwright in Debian's
``chromium`` (never a browser download). Use the ``live_server`` and ``page`` fixtures by importing
them in a test module: ``from tests.browser_support import live_server, page  # noqa: F401``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The test application on a real WSGI server; yields its base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=_free_port(), threads=4)
    stopping = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:
            # Closing the server from this fixture while its loop sits in select() can make
            # that select() fail ("Bad file descriptor"): expected once we asked it to stop.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        stopping.set()
        # Stop the worker threads first, then the sockets.
        server.task_dispatcher.shutdown(timeout=5)  # type: ignore[union-attr]
        server.close()
        thread.join(timeout=5)


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
