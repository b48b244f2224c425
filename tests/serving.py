"""A test application on a real WSGI server (waitress) in a thread, stopped cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serving(app: Any, threads: int = 2) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) for the block; yields its base URL."""
    from waitress.server import create_server

    server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Closed from the server's own loop (through its trigger), never from this thread: a
        # socket closed while the loop waits on it in select() fails the loop with EBADF.
        server.trigger.pull_trigger(server.close)
        thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)
        assert not thread.is_alive(), "the test server did not stop"
