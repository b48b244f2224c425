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

Round trips, which after a caller's pause cost more than the statements themselves (each wakes
an idle server process, then this one): statements that do not need each other's rows go in one
round trip, in libpq's pipeline mode (:func:`run_pipeline`; the server still runs them one after
the other, each as it would alone); a transaction's ``BEGIN`` can wait to go with its first
statement (:func:`defer`); its ``COMMIT`` can be sent without waiting for its answer
(:func:`send`), which the next use of the connection reads first (:func:`settle`), so that a
synchronous commit's flush to disk runs while this process builds its reply.
"""

from __future__ import annotations

import re
import select
from collections.abc import Mapping, Sequence
from contextlib import suppress
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
_IN_TRANSACTION = (TransactionStatus.INTRANS, TransactionStatus.INERROR)


class _Connection:
    """What this module keeps per DBAPI connection (in its pool record's ``info``, which
    SQLAlchemy clears when that connection is closed or invalidated)."""

    __slots__ = ("begin", "driver", "pending", "prepared", "transformer")

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.transformer = Transformer(driver)
        # By SQL and parameter types: a name is never taken for another statement's SQL.
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        # Statements that go ahead of the next one, in its round trip (a transaction's BEGIN:
        # see defer); then a command sent whose answer is not read yet (a COMMIT: see send).
        self.begin: tuple[bytes, ...] = ()
        self.pending: bytes | None = None


def _state(fairy: Any) -> _Connection:
    # This module's state of ``fairy``'s DBAPI connection (made anew for a new connection).
    driver = fairy.dbapi_connection
    info = fairy.info
    conn = info.get(_INFO_KEY)
    if conn is None or conn.driver is not driver:
        conn = info[_INFO_KEY] = _Connection(driver)
    return conn


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

    def bind(self, conn: _Connection, values: Mapping[str, Any]) -> _Bound:
        """This statement with ``values`` (by name, converted by their SQLAlchemy types), ready
        to send on ``conn``: prepared there first if it is the first time (a round trip of its
        own, once per connection)."""
        tx = conn.transformer
        params = tx.dump_sequence([values[name] for name in self.names], self.formats)
        types: Any = tx.types
        formats = tx.formats
        key = (self.sql, types)  # (the bytes keep their hash: no hashing per run)
        name = conn.prepared.get(key)
        driver = conn.driver
        # Prepared only where psycopg prepares nothing itself (prepare_threshold=None, as the
        # engines of restomairie.db make them): psycopg deallocates all of a connection's
        # prepared statements at a rollback once it has one of its own.
        if name is None and driver.prepare_threshold is None and (
            len(conn.prepared) < PREPARED_MAX
        ):
            name = f"rm_{len(conn.prepared)}".encode()
            pgconn = driver.pgconn
            _check(pgconn, pgconn.prepare(name, self.sql, param_types=types), driver)
            conn.prepared[key] = name
        return _Bound(self.sql, name, params, types, formats)

    def run(self, fairy: Any, values: Mapping[str, Any], rows: bool) -> list[Any]:
        """Run with ``values`` (by name, converted by their SQLAlchemy types) on ``fairy``; its
        rows as tuples (none when ``rows`` is false). Raises psycopg's errors."""
        conn = _state(fairy)
        if conn.pending is not None:
            _settle(conn)
        if conn.begin:  # the transaction's BEGIN goes with this statement, in one round trip
            return run_pipeline(fairy, [(self, values, rows)])[0]
        bound = self.bind(conn, values)
        driver = conn.driver
        pgconn = driver.pgconn
        if bound.name is None:
            result = pgconn.exec_params(
                bound.sql, bound.params, param_types=bound.types, param_formats=bound.formats
            )
        else:
            result = pgconn.exec_prepared(bound.name, bound.params, param_formats=bound.formats)
        _check(pgconn, result, driver)
        return _loaded(conn, result) if rows else []


class _Bound:
    """A statement with its values, ready to send (see :meth:`LibpqPlan.bind`)."""

    __slots__ = ("formats", "name", "params", "sql", "types")

    def __init__(
        self, sql: bytes, name: bytes | None, params: Any, types: Any, formats: Any
    ) -> None:
        self.sql, self.name, self.params, self.types, self.formats = (
            sql, name, params, types, formats
        )

    def send(self, pgconn: Any) -> None:
        if self.name is None:
            pgconn.send_query_params(
                self.sql, self.params, param_types=self.types, param_formats=self.formats
            )
        else:
            pgconn.send_query_prepared(self.name, self.params, param_formats=self.formats)


def _loaded(conn: _Connection, result: Any) -> list[Any]:
    # The rows of ``result``, loaded by psycopg's loaders.
    tx = conn.transformer
    tx.set_pgresult(result)
    try:
        return tx.load_rows(0, result.ntuples, tuple)
    finally:
        tx.set_pgresult(None)


def run_pipeline(
    fairy: Any, runs: Sequence[tuple[LibpqPlan, Mapping[str, Any], bool]]
) -> list[list[Any]]:
    """Run each ``(plan, values, rows)`` of ``runs`` in order on ``fairy``, in one round trip
    (libpq's pipeline mode, one sync at the end); each one's rows as :meth:`LibpqPlan.run`
    gives them. The server runs them one after the other, each as it would alone (under READ
    COMMITTED, each sees what committed before it started: a read after a lock sees what
    committed before the lock was taken). The first that fails raises its error, after the
    others were skipped by the server: inside a transaction, that transaction has failed; in
    autocommit mode, the statements make one implicit transaction, all or none, as in psycopg's
    ``executemany``. Statements deferred by :func:`defer` go first."""
    conn = _state(fairy)
    if conn.pending is not None:
        _settle(conn)
    bound = [plan.bind(conn, values) for plan, values, _ in runs]
    driver = conn.driver
    pgconn = driver.pgconn
    ahead, conn.begin = conn.begin, ()
    pgconn.enter_pipeline_mode()
    results: list[Any] = []
    try:
        for sql in ahead:
            pgconn.send_query_params(sql, None)
        for one in bound:
            one.send(pgconn)
        pgconn.pipeline_sync()
        # Each command's result (then libpq's end of that command), then the sync's.
        for _ in range(len(ahead) + len(bound)):
            result = _next_result(pgconn)
            if result is None:
                raise errors.InternalError("pipeline: a command without a result")
            results.append(result)
            while result is not None:
                result = _next_result(pgconn)
        sync = _next_result(pgconn)
        if sync is None or sync.status != ExecStatus.PIPELINE_SYNC:
            raise errors.InternalError("pipeline: no sync where one was expected")
    except BaseException:
        if pgconn.status != ConnStatus.BAD:
            with suppress(Exception):  # the error that got here says more
                pgconn.exit_pipeline_mode()
        raise
    pgconn.exit_pipeline_mode()
    for result in results:  # the first failure (those after it were skipped by the server)
        if result.status != ExecStatus.PIPELINE_ABORTED:
            _check(pgconn, result, driver)
    return [
        _loaded(conn, result) if rows else []
        for result, (_, _, rows) in zip(results[len(ahead):], runs, strict=True)
    ]


def defer(fairy: Any, statements: Sequence[str]) -> None:
    """Send ``statements`` (without parameters: a transaction's ``BEGIN``) with the next
    statement run on ``fairy`` through this module, in its round trip; :func:`settle` sends
    them on their own if the next use is another."""
    conn = _state(fairy)
    if conn.pending is not None:
        _settle(conn)
    conn.begin = conn.begin + tuple(sql.encode() for sql in statements)


def deferred(fairy: Any) -> bool:
    """Whether statements wait in :func:`defer` to be sent (a transaction begun that the
    server has not seen yet)."""
    return bool(_state(fairy).begin)


def pending(fairy: Any) -> bool:
    """Whether a command sent by :func:`send` on ``fairy`` awaits the reading of its answer."""
    return _state(fairy).pending is not None


def drop_deferred(fairy: Any) -> None:
    """Forget the statements waiting in :func:`defer` (a transaction that ends before any
    statement ran in it: the server never needs to see it)."""
    _state(fairy).begin = ()


def send(fairy: Any, sql: str) -> None:
    """Send ``sql`` (statements without parameters: a ``COMMIT``) on ``fairy`` without waiting
    for its answer, read by the next use of the connection (:func:`settle`), which raises its
    error if it failed."""
    conn = _state(fairy)
    if conn.pending is not None:
        _settle(conn)
    conn.driver.pgconn.send_query(sql.encode())
    conn.pending = sql.encode()


def settle(fairy: Any) -> None:
    """Bring ``fairy``'s connection to where its user believes it is, before anything else
    uses it (psycopg's cursor, the pool): the answer of a command sent by :func:`send` read
    (its error raised, once, its failed transaction rolled back), then the statements deferred
    by :func:`defer` sent on their own."""
    conn = _state(fairy)
    if conn.pending is not None:
        _settle(conn)
    if conn.begin:
        ahead, conn.begin = conn.begin, ()
        driver = conn.driver
        _check(driver.pgconn, driver.pgconn.exec_(b"; ".join(ahead)), driver)


def in_transaction(fairy: Any) -> bool:
    """Whether ``fairy``'s connection is inside a transaction (begun, or deferred by
    :func:`defer`), after reading a pending answer (:func:`settle`'s first part)."""
    conn = _state(fairy)
    if conn.pending is not None:
        _settle(conn)
    if conn.begin:
        return True
    return bool(conn.driver.pgconn.transaction_status in _IN_TRANSACTION)


def _settle(conn: _Connection) -> None:
    # Read every result of the command sent by ``send``; raise the first failure's error.
    conn.pending = None
    driver = conn.driver
    pgconn = driver.pgconn
    failed = None
    while (result := _next_result(pgconn)) is not None:
        if failed is None and result.status not in _OK:
            failed = result
    if failed is None:
        return
    if pgconn.status != ConnStatus.BAD and pgconn.transaction_status == TransactionStatus.INERROR:
        # "SET …; COMMIT" failed before its COMMIT: the transaction is over all the same.
        _check(pgconn, pgconn.exec_(b"ROLLBACK"), driver)
    _check(pgconn, failed, driver)


def _next_result(pgconn: Any) -> Any:
    # libpq's next result, once it has arrived: PQgetResult would wait for it holding the GIL
    # (psycopg runs it so), and every other thread of the server with it.
    if pgconn.is_busy():
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN)
        while True:
            poller.poll()
            pgconn.consume_input()
            if not pgconn.is_busy():
                break
    return pgconn.get_result()


def usable(fairy: Any, sets: int = 1) -> bool:
    """Whether a statement run with ``sets`` parameter sets on ``fairy`` (a pooled psycopg
    connection) may skip the cursor: psycopg would send no ``BEGIN`` before it, and several
    sets (at most :data:`MANY_MAX`) are inside a transaction, all or none as in psycopg's
    ``executemany``."""
    conn = _state(fairy)
    if conn.pending is not None:
        _settle(conn)
    driver = conn.driver
    in_transaction = bool(conn.begin) or (
        driver.pgconn.transaction_status == TransactionStatus.INTRANS
    )
    if sets > 1:
        return in_transaction and sets <= MANY_MAX
    return in_transaction or bool(driver.autocommit)


def run_plain(fairy: Any, sql: str) -> None:
    """Run ``sql`` (statements without parameters: ``BEGIN; SET LOCAL …``, ``COMMIT``) on
    ``fairy`` in one message, as psycopg's cursor would. Raises psycopg's errors."""
    conn = _state(fairy)
    if conn.pending is not None:
        _settle(conn)
    if conn.begin:  # deferred statements go first, in the same message
        sql = "; ".join([*(ahead.decode() for ahead in conn.begin), sql])
        conn.begin = ()
    driver = conn.driver
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
