"""Keeps a booking change and the lock of its day from interleaving.

A change takes a *shared* guard on each (school, day) it touches, then checks the day is not locked,
then writes; the lock takes the *exclusive* guard on (school, day) before it counts. On PostgreSQL
the guards are transaction-scoped advisory locks: the lock waits for every change in flight to
commit, and every change that starts after it sees the lock row and is refused. On SQLite every
write transaction already holds the database's single write lock (``BEGIN IMMEDIATE``), which
gives the same order.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from restomairie.db import is_postgres


def _key(school_id: str, day: date) -> tuple[int, int]:
    # Two int4 keys: a stable hash of the school, the day's ordinal. A hash collision between two
    # schools only makes them wait for each other; it never lets a change through.
    school_key = zlib.crc32(school_id.encode()) & 0x7FFFFFFF
    return school_key, day.toordinal()


def guard(session: Session, keys: Iterable[tuple[str, date]], *, exclusive: bool) -> None:
    """Take the guards for ``keys`` (sorted, so two transactions never deadlock on them)."""
    if not is_postgres(session):
        return
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    for a, b in sorted({_key(s, d) for s, d in keys}):
        session.execute(text(f"SELECT {fn}(:a, :b)"), {"a": a, "b": b})
