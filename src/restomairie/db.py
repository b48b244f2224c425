"""Engines and sessions. Nothing connects at import time.

SQLite (the embedded default) serialises writers; every transaction starts with ``BEGIN IMMEDIATE``
so that a check-then-write (is the day locked? then book) cannot be overtaken by another writer.
Reads run statement by statement instead (:data:`ONE_BY_ONE`, or a DBAPI connection outside any
transaction: :func:`autocommit_connection`).
PostgreSQL (production) uses per-day advisory locks instead (:mod:`restomairie.booking.guard`);
there reads and the call state have autocommit pools of their own beside the main one.
"""

from __future__ import annotations

import logging
import re
import time
import weakref
from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

from sqlalchemy import URL, Dialect, Engine, Insert, create_engine, event, exc, make_url
from sqlalchemy.orm import Session, sessionmaker

from restomairie.textfold import register_sqlite

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and drive them with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# How many requests a process serves at once when nobody says (waitress's default, and
# ``restomairie serve``'s): on PostgreSQL each of its pools keeps that many connections.
DEFAULT_CONCURRENCY = 8
# The connections a PostgreSQL pool opens beyond its size under a burst (closed when they come
# back): for what runs beside the requests (a staff import's thread: one connection of the main
# pool for its transaction, one of the call state's for its progress) and the scheduler's other
# jobs beside its lock. Bounded, so that a process's ceiling is known: on PostgreSQL
# POOLS × (its concurrency + POOL_OVERFLOW), its three pools full and overflowing at once.
#
# The sizing relies on a rule: no request (nor thread: an import's, a lock worker) holds two
# connections of ONE pool at once. One that did would, with as many such requests as threads,
# leave each holding one and waiting for a second until the pool's timeout (30 s): a deadlock
# under load that the overflow only puts off. A second connection comes from another pool (a
# webhook's call state with the main pool to count a wrong code; an import's progress beside its
# transaction), or the first one is shared (lend_connection, direct_transaction) or given back
# before the next is taken. Measured (tests/test_db_pools_held.py, every kind of request, the
# import's thread, the scheduler's jobs and the commands): at most one per pool per thread. At
# once, the lock takes LOCK_WORKERS (4) of the main pool, one per worker: the scheduler's pools
# keep that many; a command's (1) lend the other 3 from the overflow.
POOL_OVERFLOW = 4
# The pools of one process on PostgreSQL: the main one, the read-only one, the call state's.
POOLS = 3


def make_engine(url: str, *, concurrency: int = DEFAULT_CONCURRENCY, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings this application relies on.

    Its errors never show a statement's parameters (``hide_parameters``): they hold callers'
    phone numbers, family accounts and code hashes, and errors go to the server's log. On
    PostgreSQL they never show the values the server quotes in a constraint error's DETAIL or
    a data error's message either (:func:`hide_quoted_values`).

    On PostgreSQL its pool, and the pools made beside it (:func:`async_commit_engine`,
    :func:`read_only_engine`), keep ``concurrency`` connections each, the requests the process
    serves at once (``serve --threads``), so that as many simultaneous requests never connect
    during a request, plus :data:`POOL_OVERFLOW` more under a burst; ``pool_size`` and
    ``max_overflow`` given here size them otherwise. SQLite's pool is SQLAlchemy's default."""
    url = normalise_url(url)
    kwargs.setdefault("hide_parameters", True)
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
            # Accent-insensitive search (restomairie.textfold): SQLite's lower() folds ASCII.
            register_sqlite(dbapi_conn)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Reads (see make_read_session_factory) run statement by statement, each atomic on
            # its own: no BEGIN, so under WAL they neither wait for the writer nor hold it up,
            # and cost no BEGIN and COMMIT. Everything else takes the write lock up front.
            if not conn.get_execution_options().get(ONE_BY_ONE):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", concurrency)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    # The connection used last goes out first (SQLAlchemy's pool_use_lifo): a webhook finds a
    # server process that has just answered, not the one idle longest of the pool's (with the
    # default order, each connection of a pool of eight sat idle most of a second between two
    # of a quiet line's webhooks, half the time long enough to be pinged: ping_when_idle).
    kwargs.setdefault("pool_use_lifo", True)
    return _create_pg(url, kwargs)


class DatabaseUrlError(ValueError):
    """``make_engine`` cannot make an engine of the URL (French, without the URL, which may hold a
    password): not a URL, a database SQLAlchemy does not know, or a driver not installed."""


def engine_for(url: str, *, concurrency: int = DEFAULT_CONCURRENCY, **kwargs: Any) -> Engine:
    """:func:`make_engine`, with what is wrong in ``url`` itself raised as
    :class:`DatabaseUrlError` rather than SQLAlchemy's or the import system's exceptions.
    Nothing connects yet: a database that cannot be reached is found at its first use (see
    :func:`database_problem`)."""
    expected = "attendu : postgresql://utilisateur@hôte:5432/base ou sqlite:///chemin/du/fichier.db"
    try:
        return make_engine(url, concurrency=concurrency, **kwargs)
    except exc.NoSuchModuleError as error:
        scheme = url.split(":", 1)[0]
        raise DatabaseUrlError(
            f"type de base de données inconnu « {scheme} » ({expected})"
        ) from error
    except exc.ArgumentError as error:
        raise DatabaseUrlError(f"n'est pas une adresse de base de données ({expected})") from error
    except ImportError as error:
        # SQLAlchemy knows the database but its driver is not installed (mysql:// wants MySQLdb).
        scheme = url.split(":", 1)[0]
        raise DatabaseUrlError(
            f"le pilote de « {scheme} » n'est pas installé ({error.name or error}) ; Resto-Mairie "
            "fonctionne avec PostgreSQL (postgresql://…, psycopg 3) ou SQLite (sqlite:///…)"
        ) from error


# What database_problem says a failure is.
UNREACHABLE = "unreachable"  # no connection: server down, unknown host or database, bad file
UNINITIALISED = "uninitialised"  # connected, but the tables are missing or out of date


def database_problem(error: BaseException) -> tuple[str, str] | None:
    """Whether ``error`` says the database cannot be reached or is not initialised, and the
    driver's own words on one line; None for anything else (a bug, a constraint).

    The raw driver errors count as well as SQLAlchemy's wrapped ones: the statements run on
    pooled DBAPI connections (:func:`autocommit_connection`) raise the driver's own when the
    connection cannot be made.
    """
    import sqlite3

    raw = error.orig if isinstance(error, exc.DBAPIError) else error
    if raw is None:
        return None
    said = " ".join(str(raw).split())
    if isinstance(raw, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
        raw, sqlite3.IntegrityError | sqlite3.DataError
    ):
        if said.startswith(("no such table", "no such column")):
            return UNINITIALISED, said
        if said.startswith(("database is locked", "database table is locked")):
            return None  # busy (an import writing), not unreachable: "a refusé l'opération"
        return UNREACHABLE, said
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a dependency
        return None
    if isinstance(raw, psycopg.errors.UndefinedTable | psycopg.errors.UndefinedColumn):
        return UNINITIALISED, said
    if isinstance(raw, psycopg.OperationalError | psycopg.InterfaceError):
        return UNREACHABLE, said
    return None


# What stands for a value PostgreSQL quoted in a constraint error (see hide_values).
HIDDEN = "…"

# The DETAIL lines of PostgreSQL's constraint errors (SQLSTATE class 23) that quote a row's
# values, as its server writes them (errdetail, English messages), each with what is kept: the
# columns and the constraint's own words. A value may hold anything (a bracket, a newline, these
# very words): each runs as far as its line allows, so what is shown is never part of a value.
_KEY = r"Key \((?P<columns>.*?)\)=\(.*\) "
_DETAILS_WITH_VALUES: tuple[tuple[re.Pattern[str], str], ...] = (
    # unique (and a unique index being built), foreign key both ways
    (re.compile(_KEY + r'(?P<end>already exists\.|is duplicated\.'
                r'|is (?:not present in|still referenced from) table ".*"\.)', re.DOTALL),
     "Key (\\g<columns>)=(" + HIDDEN + ") \\g<end>"),
    # exclusion (the same columns on both sides)
    (re.compile(_KEY + r"conflicts with (?P<existing>existing )?key \((?P=columns)\)=\(.*\)\.",
                re.DOTALL),
     "Key (\\g<columns>)=(" + HIDDEN + ") conflicts with \\g<existing>key (\\g<columns>)=("
     + HIDDEN + ")."),
    # check and not-null constraints: the whole row
    (re.compile(r"Failing row contains \(.*\)\.", re.DOTALL),
     "Failing row contains (" + HIDDEN + ")."),
    # a row that fits no partition
    (re.compile(r"Partition key of the failing row contains \((?P<columns>.*?)\) = \(.*\)\.",
                re.DOTALL),
     "Partition key of the failing row contains (\\g<columns>) = (" + HIDDEN + ")."),
)


def hide_values(detail: str) -> str:
    """The DETAIL of a PostgreSQL constraint error without the values it quotes (a duplicate
    phone number, an account, a whole failing row), its columns and words kept:
    ``Key (phone)=(+33612345678) already exists.`` becomes ``Key (phone)=(…) already exists.``
    A DETAIL of any other shape (another server version's words, another language's) is hidden
    whole: it may quote them too."""
    for shape, kept in _DETAILS_WITH_VALUES:
        found = shape.fullmatch(detail)
        if found:
            return found.expand(kept)
    return HIDDEN


# The quoted value of a data error's message (SQLSTATE class 22), as far as its last quote: a
# value may hold a quote or a line break itself. And an unquoted one ending the message
# (« date field value out of range: 2026-13-01 »).
_QUOTED = re.compile(r'".*"', re.DOTALL)
_AFTER_COLON = re.compile(r": (?!\")(?P<value>.+)\Z", re.DOTALL)


def hide_data_values(primary: str) -> str:
    """The primary message of a PostgreSQL data error (SQLSTATE class 22: a value out of range,
    of the wrong syntax for its type, too long…) without the value it quotes, its words kept:
    ``invalid input syntax for type date: "2026-13-45"`` becomes ``invalid input syntax for
    type date: "…"``, ``date field value out of range: 2026-13-01`` becomes ``date field value
    out of range: …``. A phone number or a name sent where a number or a date was expected
    would otherwise reach the logs word for word."""
    hidden = _QUOTED.sub('"' + HIDDEN + '"', primary)
    return _AFTER_COLON.sub(": " + HIDDEN, hidden) if hidden == primary else hidden


def _hidden_data_message(error: BaseException, message: str) -> str:
    """The whole message of a data error without a value: its primary message hidden
    (:func:`hide_data_values`), and its DETAIL and CONTEXT lines, which may quote the value again
    (« JSON data, line 1: … », « Token "…" is invalid »), hidden whole."""
    primary = getattr(getattr(error, "diag", None), "message_primary", None)
    if not primary or not message.startswith(primary):
        # No result to ask: the message's first part, as far as the first label.
        primary = re.split(r"\n(?:DETAIL|HINT|CONTEXT):  ", message, maxsplit=1)[0]
    rest = message[len(primary):]
    labels = [label for label in ("DETAIL", "HINT", "CONTEXT") if f"\n{label}:  " in rest]
    return hide_data_values(primary) + "".join(f"\n{label}:  {HIDDEN}" for label in labels)


def hide_quoted_values(error: BaseException, *wrappers: BaseException | None) -> None:
    """Hide, in the message of ``error`` (a driver error) and of each of its ``wrappers`` (the
    SQLAlchemy error made of it), the values PostgreSQL quoted in the DETAIL of a constraint
    error (:func:`hide_values`) or in the message of a data error (:func:`hide_data_values`,
    its DETAIL and CONTEXT hidden whole): the message is what ``str()``, a traceback and a log
    show. The error's ``diag`` keeps them, for code that asks. Errors of another kind, and
    SQLite's (which quote no value), are left as they are.

    Done where driver errors become SQLAlchemy's: the engines' ``handle_error`` hook (see
    :func:`make_engine`) and :func:`_translated`; like ``hide_parameters``, it holds for every
    log, traceback and page that shows a database error."""
    sqlstate = getattr(error, "sqlstate", None)
    message = error.args[0] if error.args and isinstance(error.args[0], str) else ""
    if isinstance(sqlstate, str) and sqlstate.startswith("22") and message:
        hidden_message = _hidden_data_message(error, message)
        for each in (error, *wrappers):
            if each is not None and each.args and isinstance(each.args[0], str):
                each.args = (each.args[0].replace(message, hidden_message), *each.args[1:])
        return
    if not isinstance(sqlstate, str) or not sqlstate.startswith("23"):
        return
    detail = getattr(getattr(error, "diag", None), "message_detail", None)
    if not detail:
        # No result to ask: all that follows the DETAIL label in the message.
        _, found, after = message.partition("\nDETAIL:  ")
        detail = after if found else None
    if not detail:
        return
    hidden = hide_values(detail)
    for each in (error, *wrappers):
        if each is not None and each.args and isinstance(each.args[0], str):
            each.args = (each.args[0].replace(detail, hidden), *each.args[1:])


def _hide_quoted_values(context: Any) -> None:
    # The engines' handle_error hook: SQLAlchemy has made its error of the driver's already.
    hide_quoted_values(context.original_exception, context.sqlalchemy_exception)


def _create_pg(url: str, kwargs: dict[str, Any], server: _Server | None = None) -> Engine:
    # pool_pre_ping as given (True or False), else a ping after an idle second (ping_when_idle).
    # psycopg's own prepared statements off (prepare_threshold=None), unless asked for: psycopg
    # deallocates every prepared statement of its connection (DEALLOCATE ALL) at each rollback
    # once it has prepared one of its own, which would take the phone line's with them; those
    # are prepared by restomairie.libpq, which runs them unprepared where psycopg's are on.
    connect_args = dict(kwargs.get("connect_args", {}))
    connect_args.setdefault("prepare_threshold", None)
    kwargs = {**kwargs, "connect_args": connect_args}
    engine = create_engine(url, **kwargs)
    server = server or _Server()
    _SERVERS[engine] = server
    replace_dropped(engine, server)
    event.listen(engine, "handle_error", _hide_quoted_values)
    if "pool_pre_ping" not in kwargs:
        ping_when_idle(engine)
    _MADE[engine] = (url, kwargs)
    return engine


# How each PostgreSQL engine was made, so that a sibling can be made like it; and its siblings.
_MADE: weakref.WeakKeyDictionary[Engine, tuple[str, dict[str, Any]]] = weakref.WeakKeyDictionary()
_SIBLINGS: weakref.WeakKeyDictionary[Engine, dict[str, Engine]] = weakref.WeakKeyDictionary()
# The server of each (the siblings share their engine's: see replace_dropped).
_SERVERS: weakref.WeakKeyDictionary[Engine, _Server] = weakref.WeakKeyDictionary()

# A pooled connection that was in use less than this many seconds ago is handed out without a
# ping. SQLAlchemy's pool_pre_ping pings on every checkout: one more round trip for each of the
# three or four a phone-line webhook makes, a few milliseconds apart on the same connections.
# A server restart inside that window costs at most the statements in flight (SQLAlchemy then
# drops the whole pool); after it, every connection is pinged again.
PING_AFTER_IDLE = 1.0
_LAST_USED = "restomairie_last_used"


class _Server:
    """The pools of one database server (an engine made by :func:`make_engine` and its
    siblings), and when a connection of one of them was last found dropped by the server."""

    def __init__(self) -> None:
        self.dropped_at = 0.0  # time.monotonic(); 0: never

    def dropped(self, connected_at: float | None) -> None:
        """A connection made at ``connected_at`` (None: unknown) was found dropped: so were,
        most likely, all those made before now (a restart, a failover, connections ended by
        an administrator). Those older than a connection already found dropped were condemned
        then: the connections made since are kept."""
        if connected_at is None or connected_at > self.dropped_at:
            self.dropped_at = time.monotonic()


_SERVER = "restomairie_server"
_CONNECTED_AT = "restomairie_connected_at"


def replace_dropped(engine: Engine, server: _Server) -> None:
    """SQLAlchemy's handling of a disconnect ("dealing with disconnects": the pool invalidated,
    each of its connections made before then replaced at its next checkout), for every pool of
    ``server``: once one connection is found dropped, the others made before it, in any of the
    pools, are replaced before anyone uses them, instead of each failing a statement (a phone
    call) of its own. SQLAlchemy does it for its own pool after a failed ``execute``; this does
    it across the pools, and for :class:`DirectStatement` and :func:`ping_when_idle` too.
    Uses the pool's documented ``connect`` and ``checkout`` hooks."""

    @event.listens_for(engine, "connect")
    def _made(_dbapi_conn: Any, record: Any) -> None:
        record.info[_CONNECTED_AT] = time.monotonic()
        record.info[_SERVER] = server

    @event.listens_for(engine, "checkout")
    def _replace(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.get(_CONNECTED_AT, 0.0) < server.dropped_at:
            # The pool drops this connection and hands out a new one instead.
            raise exc.DisconnectionError("connection made before the server dropped others")

    @event.listens_for(engine, "handle_error")
    def _seen(context: Any) -> None:
        # A statement of SQLAlchemy's own (a session's) met a dropped connection.
        if context.is_disconnect:
            server.dropped(_connected_at(context.connection))


def _connected_at(connection: Any) -> float | None:
    # When the pooled connection under ``connection`` (a pooled DBAPI connection or a
    # SQLAlchemy Connection) was made; None when unknown.
    try:
        return connection.info.get(_CONNECTED_AT) if connection is not None else None
    except Exception:  # a Connection already closed or invalidated
        return None


def _found_dropped(pooled: Any) -> None:
    # The server dropped ``pooled`` (a pooled DBAPI connection): say so to its server's pools.
    info = getattr(pooled, "info", None)
    if isinstance(info, dict) and isinstance(info.get(_SERVER), _Server):
        info[_SERVER].dropped(info.get(_CONNECTED_AT))


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
            # The pool retries with a new connection; the other connections made before this
            # one are replaced as well (see replace_dropped).
            server = record.info.get(_SERVER)
            if server is not None:
                server.dropped(record.info.get(_CONNECTED_AT))
            raise exc.DisconnectionError(str(error)) from error


def _sibling(
    engine: Engine, role: str, options: str, pool_size: int | None, max_overflow: int | None
) -> Engine:
    """An autocommit engine of its own pool beside ``engine`` (made by :func:`make_engine`: same
    database and connection arguments, plus the server ``options``); one per role and engine.
    Its pool is sized like the engine's (the requests the process serves at once: see
    :func:`make_engine`) unless ``pool_size`` or ``max_overflow`` say otherwise, at its making."""
    made = _MADE.get(engine)
    if made is None or engine.dialect.name != "postgresql":
        return engine
    siblings = _SIBLINGS.setdefault(engine, {})
    if role in siblings:
        return siblings[role]
    url, kwargs = made
    server = _SERVERS[engine]
    connect_args = dict(kwargs.get("connect_args", {}))
    # The driver takes ``options`` from connect_args over the URL's own ``?options=``: keep what
    # the deployment's URL says (a ``-csearch_path=…`` for a schema of its own) before ours, or
    # these pools would look for the tables in another schema.
    given = connect_args.get("options") or make_url(url).query.get("options", "")
    if isinstance(given, tuple):  # the same key given twice in the URL
        given = " ".join(given)
    connect_args["options"] = (given + " " + options).strip()
    sibling = _create_pg(
        url,
        {
            **kwargs,
            "connect_args": connect_args,
            "isolation_level": "AUTOCOMMIT",
            "pool_size": kwargs["pool_size"] if pool_size is None else pool_size,
            "max_overflow": kwargs["max_overflow"] if max_overflow is None else max_overflow,
        },
        server,
    )
    siblings[role] = sibling

    @event.listens_for(engine, "engine_disposed")
    def _dispose_too(_conn: Any) -> None:
        # Its connections go with the engine's (tests drop their schema right after).
        sibling.dispose()
        siblings.pop(role, None)

    return sibling


def async_commit_engine(
    engine: Engine, pool_size: int | None = None, max_overflow: int | None = None
) -> Engine:
    """An engine of its own pool beside ``engine`` (see :func:`_sibling`), in autocommit mode
    with ``synchronous_commit = off`` on PostgreSQL: a commit returns before its WAL reaches the
    disk. For writes that can afford to be lost in a server crash (at most about three
    ``wal_writer_delay``, 0.6 s by default; the database stays consistent) and that run very
    often: the phone line's per-call state. Never bookings: one confirmed on the phone runs on
    a connection of this pool (see :func:`lend_connection`), in a transaction of its own that
    commits synchronously. Its pool is sized like ``engine``'s unless ``pool_size`` or
    ``max_overflow`` say otherwise (see :func:`_sibling`).

    Any other engine (SQLite, or one not made here) is returned as it is."""
    return _sibling(
        engine, "async_commit", "-c synchronous_commit=off", pool_size, max_overflow
    )


def read_only_engine(
    engine: Engine, pool_size: int | None = None, max_overflow: int | None = None
) -> Engine:
    """An engine of its own pool beside ``engine`` for reads on PostgreSQL: autocommit (no
    ``BEGIN`` and ``ROLLBACK`` round trips around a look-up) and read-only at the server, so that
    a write sent through it by mistake fails instead of committing. Each statement reads its own
    snapshot. Its pool is sized like ``engine``'s unless ``pool_size`` or ``max_overflow`` say
    otherwise (see :func:`_sibling`). Any other engine is returned as it is."""
    return _sibling(
        engine, "read_only", "-c default_transaction_read_only=on", pool_size, max_overflow
    )


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


class DirectStatement:
    """A Core statement compiled once for ``dialect`` and run straight on a DBAPI cursor.

    For the statements the phone line runs on (almost) every webhook — the call's claim, save
    and status, its family look-ups and outlook, a booking change: on this project's machines
    SQLAlchemy's ``Connection.execute`` adds about 0.15 ms per statement around the driver's own
    call (execution context, result metadata, events), as much as the statement itself costs on
    SQLite. SQLAlchemy still writes the SQL and converts every value with the dialect's own type
    processors (the same ones ``execute`` applies), driver errors are still raised as
    SQLAlchemy's (``IntegrityError``…), and a connection found dead is dropped from its pool.
    What is skipped: SQLAlchemy's statement events and ``echo`` (these statements are not
    logged by it) and its result objects (rows are named tuples). On psycopg, its cursor is
    skipped too where it would send nothing but the statement (:mod:`restomairie.libpq`).
    """

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        self.dialect = dialect
        if isinstance(statement, Insert) and not statement.returning_column_descriptions:
            # Nobody reads the new row's key here: no implicit RETURNING for it.
            statement = statement.inline()
        self.compiled = compiled = statement.compile(dialect=dialect)
        # Each parameter's conversion (a datetime to UTC, a dict to JSON…): its type's own.
        self.bind_processors = {}
        for key, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.bind_processors[key] = process
        # Without late parameters (an expanding IN list, a literal-execute value) the SQL and
        # its parameters' order are the compiled ones, whatever the values:
        # construct_expanded_state would render the same string again on every call.
        self.late = bool(compiled.post_compile_params or compiled.literal_execute_params)
        self.positions: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if compiled.positiontup is not None else None
        )
        columns = _result_columns(statement)
        self.keys = tuple(name for name, _ in columns)
        self.result_processors = [
            type_.dialect_impl(dialect).result_processor(dialect, None) for _, type_ in columns
        ]
        # Rows as named tuples: attribute access like SQLAlchemy's Row, at a tuple's cost.
        row_class: Any = namedtuple("Row", self.keys, rename=True) if self.keys else None
        self.make_row = row_class._make if row_class is not None else None
        # On psycopg, straight through its libpq layer (see restomairie.libpq), by SQL: one
        # plan, or a few for a statement whose SQL changes with its values (late parameters:
        # an IN list's length). The dialect names its parameters, %(name)s: no positions.
        self.libpq_plans: dict[str, Any] | None = None
        if dialect.driver == "psycopg" and self.positions is None:
            from restomairie import libpq

            self.libpq_plans = {}
            self._libpq = libpq

    def prepare(self, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and the driver's parameters for ``params``: defaults filled in, values
        converted by their types, late parameters rendered (SQLAlchemy's
        ``construct_expanded_state``: expanding ``IN`` lists, literal-execute values)."""
        if not self.late:
            values = self.compiled.construct_params(params)
            for key, process in self.bind_processors.items():
                if key in values:
                    values[key] = process(values[key])
            if self.positions is not None:
                return self.compiled.string, tuple(values[key] for key in self.positions)
            return self.compiled.string, values
        state = self.compiled.construct_expanded_state(params)
        values = state.parameters
        # The expanded state knows the processors of the values it expanded; the others are ours.
        for processors in (self.bind_processors, state.processors):
            for key, process in processors.items():
                if key in values:
                    values[key] = process(values[key])
        if state.positiontup is not None:
            return state.statement, tuple(values[key] for key in state.positiontup)
        return state.statement, values

    def execute(self, dbapi_conn: Any, params: Mapping[str, Any]) -> list[Any]:
        """Run on ``dbapi_conn`` (a pooled DBAPI connection: ``engine.raw_connection()``); the
        rows it returns, as named tuples."""
        sql, driver_params = self.prepare(params)
        return self._run(dbapi_conn, sql, driver_params, many=False)

    def execute_many(self, dbapi_conn: Any, params: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set, with the driver's ``executemany`` (no rows returned)."""
        prepared = [self.prepare(p) for p in params]
        sql = prepared[0][0]
        if any(other != sql for other, _ in prepared):
            raise ValueError("execute_many: every parameter set must give the same SQL")
        self._run(dbapi_conn, sql, [values for _, values in prepared], many=True)

    def _run(self, dbapi_conn: Any, sql: str, driver_params: Any, many: bool) -> list[Any]:
        try:
            plan = self._libpq_plan(dbapi_conn, sql, len(driver_params) if many else 1)
            if plan is not None:
                rows = self.make_row is not None
                if not many:
                    return self._rows(plan.run(dbapi_conn, driver_params, rows))
                # A few sets inside a transaction (a booking for two children): one round trip.
                self._libpq.run_pipeline(dbapi_conn, [(plan, one, False) for one in driver_params])
                return []
            if self.libpq_plans is not None:
                # psycopg's cursor next: what restomairie.libpq left waiting goes first.
                self._libpq.settle(dbapi_conn)
        except self.dialect.loaded_dbapi.Error as error:
            wrapped = _translated(self.dialect, dbapi_conn, None, error, sql, driver_params)
            raise wrapped from error
        cursor = dbapi_conn.cursor()
        try:
            raw = []
            if not many:
                cursor.execute(sql, driver_params)
                # Whether rows come back is known from the statement: asking the cursor
                # (``description``) builds a column object per column, on every call.
                if self.make_row is not None:
                    raw = cursor.fetchall()
            elif len(driver_params) == 1:
                # One set (a phone booking's usual case): psycopg's executemany would open a
                # pipeline for it, a round trip's worth of overhead for nothing.
                cursor.execute(sql, driver_params[0])
            else:
                cursor.executemany(sql, driver_params)
        except self.dialect.loaded_dbapi.Error as error:
            wrapped = _translated(self.dialect, dbapi_conn, cursor, error, sql, driver_params)
            raise wrapped from error
        finally:
            cursor.close()
        return self._rows(raw)

    def _libpq_plan(self, dbapi_conn: Any, sql: str, sets: int) -> Any:
        # The plan for ``sql`` when it may go through libpq (see restomairie.libpq), else None.
        # Several parameter sets (a booking for two children) go in one pipeline inside a
        # transaction; otherwise they keep psycopg's executemany (its own pipeline, all or none
        # in autocommit).
        plans = self.libpq_plans
        if plans is None or not self._libpq.usable(dbapi_conn, sets):
            return None
        plan = plans.get(sql)
        if plan is None and len(plans) < self._libpq.LATE_PLANS_MAX:
            plan = plans[sql] = self._libpq.LibpqPlan(sql)
        return plan

    def _rows(self, raw: list[Any]) -> list[Any]:
        if self.make_row is None:
            return []
        make, processors = self.make_row, self.result_processors
        if not any(processors):
            return [make(row) for row in raw]
        return [
            make([v if p is None else p(v) for v, p in zip(row, processors, strict=True)])
            for row in raw
        ]


def run_together(
    dbapi_conn: Any, runs: Sequence[tuple[DirectStatement, Mapping[str, Any]]]
) -> list[Sequence[Any]]:
    """The rows of each ``(statement, params)`` of ``runs``, run in order on ``dbapi_conn`` (a
    pooled DBAPI connection), for statements that do not need each other's rows: on psycopg,
    where each could skip the cursor, all in one round trip (:func:`restomairie.libpq.
    run_pipeline`: the server runs each as it would alone, one after the other; in autocommit
    mode they make one implicit transaction, all or none); elsewhere one after the other."""
    if len(runs) > 1:
        first = runs[0][0]
        plans = []
        if first.libpq_plans is not None:
            for statement, params in runs:
                sql, driver_params = statement.prepare(params)
                plans.append((statement, sql, driver_params))
            together = _together(dbapi_conn, plans)
            if together is not None:
                return together
    return [statement.execute(dbapi_conn, params) for statement, params in runs]


def _together(dbapi_conn: Any, prepared: list[tuple[DirectStatement, str, Any]]) -> Any:
    # run_together's pipeline, or None where a statement may not skip the cursor.
    statement, sql, _ = prepared[0]
    dialect = statement.dialect
    try:
        plans = [s._libpq_plan(dbapi_conn, q, 1) for s, q, _ in prepared]
        if any(plan is None for plan in plans):
            return None
        runs = [
            (plan, params, s.make_row is not None)
            for plan, (s, _, params) in zip(plans, prepared, strict=True)
        ]
        rows = statement._libpq.run_pipeline(dbapi_conn, runs)
    except dialect.loaded_dbapi.Error as error:
        # Named by the statements' SQL, which says which of them it may be (the error says more).
        sql = "; ".join(q for _, q, _ in prepared)
        raise _translated(dialect, dbapi_conn, None, error, sql, ()) from error
    return [s._rows(r) for (s, _, _), r in zip(prepared, rows, strict=True)]


def _translated(
    dialect: Dialect, dbapi_conn: Any, cursor: Any, error: Any, sql: str, params: Any
) -> exc.StatementError:
    """A driver error as SQLAlchemy raises it (``IntegrityError``…), never showing the
    statement's parameters (like the engines' ``hide_parameters``) nor the values PostgreSQL
    quotes (:func:`hide_quoted_values`, like the engines' ``handle_error`` hook); a connection
    found dead is dropped from its pool first, and the connections made before it, in all the
    pools of its server, are replaced at their next checkout (see :func:`replace_dropped`)."""
    invalidated = dialect.is_disconnect(
        error, getattr(dbapi_conn, "dbapi_connection", dbapi_conn), cursor
    )
    if invalidated:
        _found_dropped(dbapi_conn)
        dbapi_conn.invalidate(error)
    hide_quoted_values(error)
    return exc.DBAPIError.instance(
        sql,
        params,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
        dialect=dialect,
    )


# A connection lent to everything that runs outside transactions in this thread (see below).
class _Lent(NamedTuple):
    conn: Any  # the pooled DBAPI connection
    url: URL  # its database: a transaction of another one never runs there


_LENT: ContextVar[_Lent | None] = ContextVar("restomairie_lent_connection", default=None)


@contextmanager
def _committed(engine: Engine) -> Iterator[Any]:
    # A pooled DBAPI connection, committed when the block ends. On the autocommit engines made
    # here (and SQLite's connections, outside BEGIN) each statement has committed already and
    # this costs nothing; on any other engine it is what makes the statements stick.
    with closing(engine.raw_connection()) as conn:
        yield conn
        if conn.is_valid:  # a connection found dead meanwhile was dropped: nothing to commit
            conn.commit()


@contextmanager
def autocommit_connection(engine: Engine) -> Iterator[Any]:
    """A pooled DBAPI connection of ``engine`` for :class:`DirectStatement` statements that
    each commit on their own (no transaction is begun on it); inside :func:`lend_connection`,
    the connection lent there."""
    lent = _LENT.get()
    if lent is not None:
        yield lent.conn
        return
    with _committed(engine) as conn:
        yield conn


@contextmanager
def lend_connection(engine: Engine) -> Iterator[None]:
    """Within the block (in this thread), :func:`autocommit_connection` hands out one
    connection of ``engine`` (an autocommit engine), whichever engine it is asked for: the
    statements of a phone-line webhook — claim, reads, save — share one checkout and a server
    process that has just answered, instead of three or four of each. On PostgreSQL a
    :func:`direct_transaction` of the same database (a booking confirmed on the phone) runs
    there too, committing synchronously; any other transaction takes its own connection."""
    with _committed(engine) as conn:
        token = _LENT.set(_Lent(conn, engine.url))
        try:
            yield
        finally:
            _LENT.reset(token)
            _settled(conn)


def settle_lent() -> None:
    """Read what the connection lent in this thread left waiting (a phone booking's COMMIT,
    sent without waiting for its answer: see :func:`lend_connection`), so that the other
    connections see what it committed: before reading through them what the webhook did. A
    COMMIT that failed is logged here (nothing was committed: what is read next is the truth);
    a connection found dead is dropped."""
    lent = _LENT.get()
    if lent is not None:
        _settled(lent.conn, "before reading what it committed", drop=False)


@contextmanager
def direct_transaction(engine: Engine) -> Iterator[Any]:
    """A write transaction on a pooled DBAPI connection of ``engine``, for
    :class:`DirectStatement`: committed at the end, rolled back on any error. On SQLite it
    begins with ``BEGIN IMMEDIATE``, like every write transaction here (see :func:`make_engine`);
    PostgreSQL's driver begins it with the first statement. Inside :func:`lend_connection` on
    PostgreSQL, the lent connection serves it (see :func:`_lent_transaction`): its COMMIT's
    answer is read by the connection's next use, or :func:`settle_lent`, before which other
    connections may not see it yet."""
    dialect = engine.dialect
    lent = _LENT.get()
    if lent is not None and dialect.name == "postgresql" and lent.url == engine.url:
        conn = lent.conn
        # Never a transaction inside another one, nor on a connection found dead meanwhile.
        if conn.is_valid and not _in_transaction(conn):
            with _lent_transaction(conn, dialect):
                yield conn
            return
    with closing(engine.raw_connection()) as conn:
        try:
            if dialect.name == "sqlite":
                conn.cursor().execute("BEGIN IMMEDIATE")
            yield conn
        except BaseException:
            conn.rollback()
            raise
        try:
            conn.commit()
        except dialect.loaded_dbapi.Error as error:
            raise _translated(dialect, conn, None, error, "COMMIT", ()) from error


class DirectStatements:
    """The :class:`DirectStatement` of each statement run through it, compiled on first use
    for one dialect (statements are module constants: keyed by identity)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._made: dict[int, tuple[Any, DirectStatement]] = {}

    def __call__(self, statement: Any) -> DirectStatement:
        found = self._made.get(id(statement))
        if found is None or found[0] is not statement:
            found = self._made[id(statement)] = (
                statement,
                DirectStatement(statement, self.dialect),
            )
        return found[1]


def _result_columns(statement: Any) -> list[tuple[str, Any]]:
    """The (name, type) of each column ``statement`` returns: a SELECT's columns, or a DML
    statement's RETURNING."""
    selected = getattr(statement, "selected_columns", None)
    if selected is not None:
        return [(column.key, column.type) for column in selected]
    described = getattr(statement, "returning_column_descriptions", None) or []
    return [(d["name"], d["type"]) for d in described]


@contextmanager
def _lent_transaction(conn: Any, dialect: Dialect) -> Iterator[None]:
    # The lent connection's server process has just answered the webhook's claim: a booking run
    # there skips a second checkout and the wake-up of an idle server process (half a
    # millisecond, measured), and holds one connection per call instead of two. That connection
    # is in autocommit mode with asynchronous commits (the call state's pool), so the
    # transaction is begun by hand, with a synchronous commit: a booking is never lost.
    # Round trips (restomairie.libpq): the BEGIN goes with the first statement; the COMMIT is
    # sent without waiting for its answer, read (its error raised) before the connection's next
    # statement (the call's save) or its return to the pool: the webhook never answers before
    # the booking is on disk, but the disk's flush runs while its reply is made.
    from restomairie import libpq

    libpq.defer(conn, ["BEGIN", "SET LOCAL synchronous_commit = on"])
    try:
        yield
    except BaseException:
        if not conn.is_valid:
            raise  # found dead meanwhile, and dropped from its pool
        if libpq.deferred(conn):
            libpq.drop_deferred(conn)  # nothing ran: the server never saw the transaction
        elif _in_transaction(conn):
            _run_plain(dialect, conn, "ROLLBACK")
        raise
    if libpq.deferred(conn):
        libpq.drop_deferred(conn)  # nothing to commit
        return
    try:
        libpq.send(conn, "COMMIT")
    except dialect.loaded_dbapi.Error as error:
        raise _translated(dialect, conn, None, error, "COMMIT", ()) from error


def _libpq_driven(conn: Any) -> bool:
    # Whether restomairie.libpq may have left statements waiting on ``conn`` (psycopg's).
    return bool(conn.is_valid and getattr(conn.dbapi_connection, "pgconn", None) is not None)


def _in_transaction(conn: Any) -> bool:
    # Inside a transaction (begun, or waiting to go with the next statement): on the lent
    # PostgreSQL connection, after reading a COMMIT's answer left waiting.
    from restomairie.libpq import in_transaction

    return in_transaction(conn)


def _settled(conn: Any, when: str = "as its connection went back to the pool", *,
             drop: bool = True) -> None:
    # What restomairie.libpq left waiting on a lent connection, read now: before it goes back
    # to its pool (a COMMIT's answer nobody read: the webhook failed before its next
    # statement), or before other connections read (settle_lent). A failure can no longer
    # reach the caller as an error of its own: logged; the connection dropped when ``drop``
    # (going back to the pool) or when it is found dead (it serves on otherwise: the apology's
    # own statements run on it).
    if not _libpq_driven(conn):
        return
    from restomairie.libpq import settle

    try:
        settle(conn)
    except Exception:
        log.exception("a COMMIT's answer, read %s", when)
        if conn.is_valid and (drop or conn.dbapi_connection.broken):
            conn.invalidate()


def _run_plain(dialect: Dialect, conn: Any, sql: str) -> None:
    # Through psycopg's libpq layer, as the lent connection's statements (restomairie.libpq).
    from restomairie.libpq import run_plain

    try:
        run_plain(conn, sql)
    except dialect.loaded_dbapi.Error as error:
        raise _translated(dialect, conn, None, error, sql, ()) from error
