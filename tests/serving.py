"""A test application on a real WSGI server (waitress) in a thread, stopped cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# How often the server's loop looks whether the test is over.
POLL = 0.05


@contextmanager
def serving(app: Any, threads: int = 2) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) for the block; yields its base URL."""
    from waitress import wasyncore
    from waitress.server import create_server

    server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads)
    stop = threading.Event()

    def run() -> None:
        # The server's loop, a poll at a time, closed from this very thread once the test is
        # over: a socket closed from the test's thread while the loop waits on it in select()
        # fails the loop with EBADF, and waking the loop through its trigger to close itself
        # failed once in CI too (EBADF on the trigger's pipe at teardown).
        try:
            while not stop.is_set() and server._map:
                wasyncore.loop(timeout=POLL, map=server._map, count=1)
        finally:
            # The listening socket, the trigger and the clients' connections still open
            # (keep-alive), each once (an fd already gone, EBADF, is passed over).
            wasyncore.close_all(server._map)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)
        assert not thread.is_alive(), "the test server did not stop"
