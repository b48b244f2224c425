"""Engines and sessions. Nothing connects at import time.

SQLite (the embedded default) serialises writers; every transaction starts with ``BEGIN IMMEDIATE``
so that a check-then-write (is the day locked? then book) cannot be overtaken by another writer.
Reads, and the phone line's claim, run statement by statement instead (:data:`ONE_BY_ONE`).
PostgreSQL (production) uses per-day advisory locks instead (:mod:`restomairie.booking.guard`);
there reads and the call state have autocommit pools of their own beside the main one.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and drive them with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings this application relies on."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url != "sqlite://":
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Reads (see make_read_session_factory) and the call state's claim run statement by
            # statement, each atomic on its own: no BEGIN, so under WAL they neither wait for the
            # writer nor hold it up, and cost no BEGIN and COMMIT. Everything else takes the
            # write lock up front.
            if not conn.get_execution_options().get(ONE_BY_ONE):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return _create_pg(url, kwargs)


def _create_pg(url: str, kwargs: dict[str, Any]) -> Engine:
    # pool_pre_ping as given (True or False), else a ping after an idle second (ping_when_idle).
    engine = create_engine(url, **kwargs)
    if "pool_pre_ping" not in kwargs:
        ping_when_idle(engine)
    _MADE[engine] = (url, kwargs)
    return engine


# How each PostgreSQL engine was made, so that a sibling can be made like it; and its siblings.
_MADE: weakref.WeakKeyDictionary[Engine, tuple[str, dict[str, Any]]] = weakref.WeakKeyDictionary()
_SIBLINGS: weakref.WeakKeyDictionary[Engine, dict[str, Engine]] = weakref.WeakKeyDictionary()

# A pooled connection that was in use less than this many seconds ago is handed out without a
# ping. SQLAlchemy's pool_pre_ping pings on every checkout: one more round trip for each of the
# three or four a phone-line webhook makes, a few milliseconds apart on the same connections.
# A server restart inside that window costs at most the statements in flight (SQLAlchemy then
# drops the whole pool); after it, every connection is pinged again.
PING_AFTER_IDLE = 1.0
_LAST_USED = "restomairie_last_used"


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout (SQLAlchemy's pessimistic disconnect handling, with
    its documented ``checkout`` hook) only when it sat idle for :data:`PING_AFTER_IDLE` seconds or
    more; a dead one is replaced before anyone uses it."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_conn: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_USED)
        if last is not None and time.monotonic() - last < PING_AFTER_IDLE:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as error:
            # The pool retries with a new connection.
            raise exc.DisconnectionError(str(error)) from error


def _sibling(engine: Engine, role: str, options: str, pool_size: int) -> Engine:
    """An autocommit engine of its own pool beside ``engine`` (made by :func:`make_engine`: same
    database and connection arguments, plus the server ``options``); one per role and engine."""
    made = _MADE.get(engine)
    if made is None or engine.dialect.name != "postgresql":
        return engine
    siblings = _SIBLINGS.setdefault(engine, {})
    if role in siblings:
        return siblings[role]
    url, kwargs = made
    connect_args = dict(kwargs.get("connect_args", {}))
    connect_args["options"] = (connect_args.get("options", "") + " " + options).strip()
    sibling = _create_pg(
        url,
        {
            **kwargs,
            "connect_args": connect_args,
            "isolation_level": "AUTOCOMMIT",
            "pool_size": pool_size,
            "max_overflow": 2 * pool_size,
        },
    )
    siblings[role] = sibling

    @event.listens_for(engine, "engine_disposed")
    def _dispose_too(_conn: Any) -> None:
        # Its connections go with the engine's (tests drop their schema right after).
        sibling.dispose()
        siblings.pop(role, None)

    return sibling


def async_commit_engine(engine: Engine, pool_size: int = 5) -> Engine:
    """An engine of its own pool beside ``engine`` (see :func:`_sibling`), in autocommit mode
    with ``synchronous_commit = off`` on PostgreSQL: a commit returns before its WAL reaches the
    disk. For writes that can afford to be lost in a server crash (at most about three
    ``wal_writer_delay``, 0.6 s by default; the database stays consistent) and that run very
    often: the phone line's per-call state. Never bookings.

    Any other engine (SQLite, or one not made here) is returned as it is."""
    return _sibling(engine, "async_commit", "-c synchronous_commit=off", pool_size)


def read_only_engine(engine: Engine, pool_size: int = 5) -> Engine:
    """An engine of its own pool beside ``engine`` for reads on PostgreSQL: autocommit (no
    ``BEGIN`` and ``ROLLBACK`` round trips around a look-up) and read-only at the server, so that
    a write sent through it by mistake fails instead of committing. Each statement reads its own
    snapshot. Any other engine is returned as it is."""
    return _sibling(engine, "read_only", "-c default_transaction_read_only=on", pool_size)


# SQLite: an execution option for statements that each commit on their own (see make_engine).
ONE_BY_ONE = "restomairie_one_by_one"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that may write (each transaction is a write transaction on SQLite)."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads only, each statement on its own (no transaction around them, so each
    reads its own snapshot): on SQLite, so that the phone line's many small reads never queue
    behind, or hold up, a writer; on PostgreSQL, the autocommit read-only pool of
    :func:`read_only_engine`."""
    reader = read_only_engine(engine)
    if reader is not engine:
        return sessionmaker(reader, expire_on_commit=False)
    return sessionmaker(engine.execution_options(**{ONE_BY_ONE: True}), expire_on_commit=False)


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"
