"""How many PostgreSQL connections a process keeps: its pools follow the requests it serves at
once (``serve --threads``, ``RESTOMAIRIE_THREADS``); the commands and the scheduler keep small
ones, whatever the web server's setting."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, event

from restomairie import db
from restomairie.cli import main
from restomairie.config import ConfigError, load_config
from restomairie.db import POOL_OVERFLOW, async_commit_engine, lend_connection, read_only_engine
from restomairie.runtime import Runtime
from tests.conftest import pg_schema_url
from tests.test_cli import free_port


def _pools(engine: Engine) -> list[tuple[int, int]]:
    """The size and the overflow of each pool of the process: the main one, the read-only one
    and the call state's."""
    return [
        (each.pool.size(), each.pool._max_overflow)  # type: ignore[attr-defined]
        for each in (engine, read_only_engine(engine), async_commit_engine(engine))
    ]


@pytest.fixture(scope="module")
def town_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a migrated PostgreSQL database of its own (a schema, named in the URL as a
    deployment names it)."""
    with pg_schema_url() as url:
        yield url


class Commands:
    """The command line on that database; the engines of the runtimes it built are disposed
    at the end (their pools' connections closed)."""

    def __init__(self) -> None:
        self.runner = CliRunner()
        self.runtimes: list[Runtime] = []

    def run(self, *args: str) -> tuple[Result, Runtime | None]:
        obj: dict[str, Any] = {}
        res = self.runner.invoke(main, list(args), obj=obj)
        rt: Runtime | None = obj.get("runtime")
        if rt is not None:
            self.runtimes.append(rt)
        return res, rt

    def close(self) -> None:
        for rt in self.runtimes:
            rt.engine.dispose()


@pytest.fixture
def cli(town_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Commands]:
    monkeypatch.setenv("DATABASE_URL", town_url)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-23T10:00:00+01:00")
    for name in ("RESTOMAIRIE_CONFIG", "RESTOMAIRIE_THREADS", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    commands = Commands()
    try:
        assert commands.run("init-db")[0].exit_code == 0
        yield commands
    finally:
        commands.close()


def _served(
    cli: Commands, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[Engine, dict[str, Any]]:
    """The engine of the application ``serve`` hands waitress, and what it asks waitress for."""
    import waitress

    served: list[dict[str, Any]] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.append(kw))
    res, rt = cli.run("serve", "--port", free_port(), *args)
    assert res.exit_code == 0 and served and rt is not None, res.output
    return rt.engine, served[0]


def test_serve_keeps_a_connection_per_thread_in_each_pool(
    cli: Commands, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, asked = _served(cli, monkeypatch, "--threads", "3")
    assert asked["threads"] == 3
    assert _pools(engine) == [(3, POOL_OVERFLOW)] * 3


def test_serve_takes_its_threads_from_the_environment_unless_told(
    cli: Commands, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESTOMAIRIE_THREADS", "12")
    engine, asked = _served(cli, monkeypatch)
    assert asked["threads"] == 12
    assert _pools(engine) == [(12, POOL_OVERFLOW)] * 3
    engine, asked = _served(cli, monkeypatch, "--threads", "2")  # the option over the variable
    assert asked["threads"] == 2
    assert _pools(engine) == [(2, POOL_OVERFLOW)] * 3


def test_an_application_served_by_another_wsgi_server_follows_restomairie_threads(
    town_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie.web import create_app

    monkeypatch.setenv("DATABASE_URL", town_url)
    monkeypatch.setenv("RESTOMAIRIE_THREADS", "6")
    monkeypatch.delenv("RESTOMAIRIE_CONFIG", raising=False)
    rt: Runtime = create_app().extensions["restomairie"]  # as a gunicorn entry point makes it
    try:
        assert _pools(rt.engine) == [(6, POOL_OVERFLOW)] * 3
    finally:
        rt.engine.dispose()


def test_commands_and_the_scheduler_keep_small_pools_whatever_the_web_server_says(
    cli: Commands, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie import scheduler

    monkeypatch.setenv("RESTOMAIRIE_THREADS", "40")  # an environment shared with serve
    res, rt = cli.run("counts", "2026-11-26")
    assert res.exit_code == 0 and rt is not None, res.output
    assert _pools(rt.engine) == [(1, POOL_OVERFLOW)] * 3
    monkeypatch.setattr(scheduler, "run_scheduler", lambda rt, **kw: None)
    res, rt = cli.run("scheduler")
    assert res.exit_code == 0 and rt is not None, res.output
    # The lock at a cut-off takes LOCK_WORKERS connections side by side.
    assert _pools(rt.engine) == [(scheduler.LOCK_WORKERS, POOL_OVERFLOW)] * 3


def test_as_many_webhooks_as_threads_never_connect_once_the_pool_is_warm(
    cli: Commands, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve``'s default threads each hold a connection lent by the call state's pool (as a
    webhook does) at the same time: the first burst connects, the next ones reuse them all
    (an overflow connection would be closed when it comes back, and made again)."""
    engine, asked = _served(cli, monkeypatch)
    threads = asked["threads"]
    lender = async_commit_engine(engine)
    made: list[object] = []
    event.listen(lender, "connect", lambda dbapi_conn, record: made.append(record))
    together = threading.Barrier(threads, timeout=30)
    failed: list[BaseException] = []

    def webhook() -> None:
        try:
            with lend_connection(lender), db.autocommit_connection(lender) as conn:
                conn.cursor().execute("SELECT 1")
                together.wait()  # every thread holds its connection at once
        except BaseException as exc:
            failed.append(exc)

    def burst() -> None:
        workers = [threading.Thread(target=webhook) for _ in range(threads)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        assert failed == []

    burst()
    assert len(made) == threads  # the warm-up: one connection per thread
    made.clear()
    for _ in range(3):
        burst()
    assert made == []


@pytest.mark.parametrize("raw", ["0", "huit", "65", "-2"])
def test_restomairie_threads_must_be_a_number_of_requests(raw: str) -> None:
    """A wrong value stops the start, naming the variable, instead of sizing the pools with it
    (or waitress failing on it)."""
    with pytest.raises(ConfigError, match="RESTOMAIRIE_THREADS"):
        load_config("dijon", environ={"RESTOMAIRIE_THREADS": raw})
    assert load_config("dijon", environ={"RESTOMAIRIE_THREADS": " 16 "}).threads == 16
    assert load_config("dijon", environ={}).threads is None


def test_serve_help_says_the_connections_a_process_may_hold() -> None:
    res = CliRunner().invoke(main, ["serve", "--help"])
    said = " ".join(res.output.split())
    assert f"au plus 3 × (threads + {POOL_OVERFLOW}) connexions pour ce processus" in said
