"""Engines and sessions. Nothing connects at import time.

SQLite (the embedded default) serialises writers; every transaction starts with ``BEGIN IMMEDIATE``
so that a check-then-write (is the day locked? then book) cannot be overtaken by another writer.
PostgreSQL (production) uses per-day advisory locks instead (:mod:`restomairie.booking.guard`).
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine, create_engine, event
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
            # Reads (see make_read_session_factory) begin deferred: under WAL they neither wait
            # for the writer nor hold it up. Everything else takes the write lock up front.
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    _MADE[engine] = (url, kwargs)
    return engine


# How each PostgreSQL engine was made, so that a sibling can be made like it.
_MADE: weakref.WeakKeyDictionary[Engine, tuple[str, dict[str, Any]]] = weakref.WeakKeyDictionary()


def async_commit_engine(engine: Engine, pool_size: int = 5) -> Engine:
    """An engine of its own pool beside ``engine`` (made by :func:`make_engine`, same database and
    connection arguments), in autocommit mode with ``synchronous_commit = off`` on PostgreSQL:
    a commit returns before its WAL reaches the disk. For writes that can afford to be lost in a
    server crash (at most about three ``wal_writer_delay``, 0.6 s by default; the database stays
    consistent) and that run very often: the phone line's per-call state. Never bookings.

    Any other engine (SQLite, or one not made here) is returned as it is."""
    made = _MADE.get(engine)
    if made is None or engine.dialect.name != "postgresql":
        return engine
    url, kwargs = made
    connect_args = dict(kwargs.get("connect_args", {}))
    connect_args["options"] = (
        connect_args.get("options", "") + " -c synchronous_commit=off"
    ).strip()
    sibling = create_engine(
        url,
        **{
            **kwargs,
            "connect_args": connect_args,
            "isolation_level": "AUTOCOMMIT",
            "pool_size": pool_size,
            "max_overflow": 2 * pool_size,
        },
    )

    @event.listens_for(engine, "engine_disposed")
    def _dispose_too(_conn: Any) -> None:
        # Its connections go with the engine's (tests drop their schema right after).
        sibling.dispose()

    return sibling


READ_ONLY = "restomairie_read_only"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that may write (each transaction is a write transaction on SQLite)."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads only: a deferred transaction on SQLite, so that the phone line's many
    small reads never queue behind, or hold up, a writer."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"
