"""Engines and pools: when a pooled connection is pinged, the read-only and call-state pools."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from restomairie import db
from restomairie.db import async_commit_engine, make_read_session_factory, read_only_engine


def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL pools only")


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _kill(engine: Engine, pid: int) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()


def _counting_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_conn))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_used_moments_ago_is_not_pinged_an_idle_one_is(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 60.0)
    pings = _counting_pings(engine, monkeypatch)
    for _ in range(3):
        _backend_pid(engine)
    assert pings == []  # one pooled connection, back in the pool a moment ago each time
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    _backend_pid(engine)
    assert pings == [1]


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # every checkout counts as idle
    pid = _backend_pid(engine)
    other = db.create_engine(engine.url)  # not from the pool under test
    try:
        _kill(other, pid)
    finally:
        other.dispose()
    assert _backend_pid(engine) != pid  # no error: the dead connection was replaced


def test_without_the_ping_a_dropped_connection_fails_its_statement(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The other side of the test above: what the ping is for (and why it must not be skipped
    # after a long idle time).
    _postgres_only(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    pid = _backend_pid(engine)
    other = db.create_engine(engine.url)
    try:
        _kill(other, pid)
    finally:
        other.dispose()
    with pytest.raises(DBAPIError):
        _backend_pid(engine)
    assert _backend_pid(engine) != pid  # and the pool then recovers on its own


def test_reads_run_in_autocommit_and_cannot_write(engine: Engine) -> None:
    _postgres_only(engine)
    reads = make_read_session_factory(engine)
    with reads() as session:
        assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"
        with pytest.raises(DBAPIError, match="read-only"):
            session.execute(text("CREATE TABLE nope (x int)"))
    with engine.connect() as conn:  # the application's own pool still writes
        assert conn.execute(text("SHOW transaction_read_only")).scalar() == "off"


def test_each_sibling_pool_is_made_once_per_engine(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        assert read_only_engine(engine) is engine and async_commit_engine(engine) is engine
        return
    assert read_only_engine(engine) is read_only_engine(engine)
    assert async_commit_engine(engine) is async_commit_engine(engine)
    assert read_only_engine(engine) is not async_commit_engine(engine)


def test_an_explicit_pool_pre_ping_is_kept_on_the_sibling_pools_too(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # an idle ping would run on every checkout
    url = engine.url.render_as_string(hide_password=False)
    never = db.make_engine(url, pool_pre_ping=False)
    try:
        reader = read_only_engine(never)
        pid = _backend_pid(reader)
        _kill(engine, pid)
        with pytest.raises(DBAPIError):  # no ping at all, as asked
            _backend_pid(reader)
    finally:
        never.dispose()
