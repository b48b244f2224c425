"""The phone line's statements on PostgreSQL, through psycopg's libpq layer.

:class:`restomairie.db.DirectStatement` runs the statements of every webhook (the claim, the
reads, the save, a booking) on a pooled DBAPI connection. On PostgreSQL, psycopg's cursor adds
0.1–0.2 ms per statement around libpq's own call when the process has just been idle, as it is
after each caller's pause (its generators, waiting loop, prepared-statement bookkeeping and
result objects run cold). Measured in-process with 50 ms pauses, runs alternating: the database
time of the action, date and listen steps was 1.7–2.5 ms through psycopg's cursor, 1.3–1.5 ms
through this module; the same statements run unprepared took 2.3–2.8 ms.

What it keeps from psycopg: the values are converted by the connection's own adapters
(psycopg's :class:`~psycopg.adapt.Transformer`, with the formats and types its cursor would
send), rows are loaded by the same loaders, errors are psycopg's own classes
(``IntegrityError``…, built by :func:`psycopg.errors.error_from_result`, as its cursor builds
them), and a connection lost raises ``OperationalError`` and leaves the connection ``broken``,
which is how SQLAlchemy recognises a disconnect. Each statement is prepared on a connection the
first time it runs there, under a name of its own (``rm_…``). The engines of
:mod:`restomairie.db` turn psycopg's own preparing off (``prepare_threshold=None``): once it has
prepared a statement of its own on a connection, psycopg deallocates all of that connection's
prepared statements at each rollback, ours with them. Where it is on, ours run unprepared.

Used only where psycopg itself would send nothing but the statement: on a connection in
autocommit mode, or inside a transaction already begun (psycopg begins one itself before the
first statement of a connection that is not in autocommit mode: that one runs on its cursor).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from psycopg import OperationalError, errors
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import ConnStatus, ExecStatus, TransactionStatus

# SQLAlchemy's psycopg dialect writes parameters as %(name)s and a literal % as %%.
_PYFORMAT = re.compile(r"%\((?P<name>[^)]+)\)s|%%")

# Prepared statements kept per connection: the phone line runs a few dozen statements, each
# prepared once per combination of its parameters' types (psycopg dumps an int as int2, int4 or
# int8 by its size). Past this, a statement runs unprepared (exec_params), as where psycopg's own
# preparing is on.
PREPARED_MAX = 200

# The SQL strings kept per statement: one for most, one per IN list's length for a few.
LATE_PLANS_MAX = 16

# Parameter sets run one by one inside a transaction (more go through psycopg's executemany,
# in one pipeline).
MANY_MAX = 8

_INFO_KEY = "restomairie_libpq"
_OK = (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK)


class _Connection:
    """What this module keeps per DBAPI connection (in its pool record's ``info``, which
    SQLAlchemy clears when that connection is closed or invalidated)."""

    __slots__ = ("driver", "prepared", "transformer")

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.transformer = Transformer(driver)
        # By SQL and parameter types: a name is never taken for another statement's SQL.
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}


class LibpqPlan:
    """One statement's SQL in libpq's terms (``$1``…) and the order of its named parameters."""

    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match["name"]
            if name is None:
                return "%"
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        self.sql = _PYFORMAT.sub(number, sql).encode()
        self.names = tuple(names)
        self.formats = [PyFormat.AUTO] * len(names)

    def run(self, fairy: Any, values: Mapping[str, Any], rows: bool) -> list[Any]:
        """Run with ``values`` (by name, converted by their SQLAlchemy types) on ``fairy``; its
        rows as tuples (none when ``rows`` is false). Raises psycopg's errors."""
        driver = fairy.dbapi_connection
        info = fairy.info
        conn = info.get(_INFO_KEY)
        if conn is None or conn.driver is not driver:
            conn = info[_INFO_KEY] = _Connection(driver)
        tx = conn.transformer
        params = tx.dump_sequence([values[name] for name in self.names], self.formats)
        types, formats = tx.types, tx.formats
        pgconn = driver.pgconn
        key = (self.sql, types)  # (the bytes keep their hash: no hashing per run)
        name = conn.prepared.get(key)
        # Prepared only where psycopg prepares nothing itself (prepare_threshold=None, as the
        # engines of restomairie.db make them): psycopg deallocates all of a connection's
        # prepared statements at a rollback once it has one of its own.
        if name is None and driver.prepare_threshold is None and (
            len(conn.prepared) < PREPARED_MAX
        ):
            name = f"rm_{len(conn.prepared)}".encode()
            _check(pgconn, pgconn.prepare(name, self.sql, param_types=types), driver)
            conn.prepared[key] = name
        if name is None:
            result = pgconn.exec_params(self.sql, params, param_types=types, param_formats=formats)
        else:
            result = pgconn.exec_prepared(name, params, param_formats=formats)
        _check(pgconn, result, driver)
        if not rows:
            return []
        tx.set_pgresult(result)
        try:
            return tx.load_rows(0, result.ntuples, tuple)
        finally:
            tx.set_pgresult(None)


def usable(fairy: Any, sets: int = 1) -> bool:
    """Whether a statement run with ``sets`` parameter sets on ``fairy`` (a pooled psycopg
    connection) may skip the cursor: psycopg would send no ``BEGIN`` before it, and several
    sets (at most :data:`MANY_MAX`) are inside a transaction, all or none as in psycopg's
    ``executemany``."""
    driver = fairy.dbapi_connection
    in_transaction = driver.pgconn.transaction_status == TransactionStatus.INTRANS
    if sets > 1:
        return in_transaction and sets <= MANY_MAX
    return in_transaction or bool(driver.autocommit)


def run_plain(fairy: Any, sql: str) -> None:
    """Run ``sql`` (statements without parameters: ``BEGIN; SET LOCAL …``, ``COMMIT``) on
    ``fairy`` in one message, as psycopg's cursor would. Raises psycopg's errors."""
    driver = fairy.dbapi_connection
    pgconn = driver.pgconn
    _check(pgconn, pgconn.exec_(sql.encode()), driver)


def _check(pgconn: Any, result: Any, driver: Any) -> None:
    if result.status in _OK:
        return
    encoding = driver.info.encoding
    if pgconn.status == ConnStatus.BAD:
        # As psycopg says it: the connection is gone (``broken``), whatever the statement.
        raise OperationalError(f"consuming input failed: {pgconn.get_error_message(encoding)}")
    if result.status == ExecStatus.FATAL_ERROR:
        raise errors.error_from_result(result, encoding=encoding)
    raise errors.InternalError(f"unexpected result status {ExecStatus(result.status).name}")
