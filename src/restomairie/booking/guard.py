"""Keeps a booking change and the lock of its day from interleaving.

A change takes a *shared* guard on each (school, day) it touches, then checks the day is not locked,
then writes; the lock takes the *exclusive* guard on (school, day) before it counts. On PostgreSQL
the guards are transaction-scoped advisory locks: the lock waits for every change in flight to
commit, and every change that starts after it sees the lock row and is refused. On SQLite every
write transaction already holds the database's single write lock (``BEGIN IMMEDIATE``), which
gives the same order.
"""

from __future__ import annotations

import weakref
import zlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Dialect, text
from sqlalchemy.orm import Session

from restomairie.db import DirectStatement, DirectStatements


def _key(school_id: str, day: date) -> tuple[int, int]:
    # Two int4 keys: a stable hash of the school, the day's ordinal. A hash collision between two
    # schools only makes them wait for each other; it never lets a change through.
    school_key = zlib.crc32(school_id.encode()) & 0x7FFFFFFF
    return school_key, day.toordinal()


# The compiled guards of each dialect (one per engine, in practice).
_STATEMENTS: weakref.WeakKeyDictionary[Dialect, DirectStatements] = weakref.WeakKeyDictionary()
_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(:a, :b)")
_SHARED = text("SELECT pg_advisory_xact_lock_shared(:a, :b)")


def _sorted_keys(keys: Iterable[tuple[str, date]]) -> list[dict[str, int]]:
    # Sorted, so that two transactions never deadlock on them.
    return [{"a": a, "b": b} for a, b in sorted({_key(s, d) for s, d in keys})]


def guard(session: Session, keys: Iterable[tuple[str, date]], *, exclusive: bool) -> None:
    """Take the guards for ``keys`` in the session's transaction (on its connection, the same
    statements as :func:`guard_direct`)."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        return  # SQLite: the write transaction holds the database's one write lock already
    statements = _STATEMENTS.get(dialect)
    if statements is None:
        statements = _STATEMENTS[dialect] = DirectStatements(dialect)
    guard_direct(session.connection().connection, statements, keys, exclusive=exclusive)


def guard_direct(
    conn: Any, statements: DirectStatements, keys: Iterable[tuple[str, date]], *, exclusive: bool
) -> None:
    """Take the guards for ``keys`` in the transaction of ``conn`` (a pooled DBAPI connection,
    e.g. of a :func:`~restomairie.db.direct_transaction`)."""
    for statement, params in guard_statements(statements, keys, exclusive=exclusive):
        statement.execute(conn, params)


def guard_statements(
    statements: DirectStatements, keys: Iterable[tuple[str, date]], *, exclusive: bool
) -> list[tuple[DirectStatement, dict[str, int]]]:
    """The statements that take the guards for ``keys``, in their order, with their
    parameters (none on SQLite), for :func:`guard_direct` or to run together with the read
    that follows them (:func:`restomairie.db.run_together`)."""
    if statements.dialect.name != "postgresql":
        return []
    statement = statements(_EXCLUSIVE if exclusive else _SHARED)
    return [(statement, params) for params in _sorted_keys(keys)]
