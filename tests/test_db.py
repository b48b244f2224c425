"""Engines and pools: when a pooled connection is pinged, the read-only and call-state pools."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, text
from sqlalchemy.exc import DBAPIError

from restomairie import db, libpq
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


def _kill_pooled(engine: Engine) -> int:
    """The server ends the connection waiting in ``engine``'s pool (killed from a connection
    not from that pool); its backend's pid."""
    pid = _backend_pid(engine)
    other = db.create_engine(engine.url)
    try:
        _kill(other, pid)
    finally:
        other.dispose()
    return pid


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
    pid = _kill_pooled(engine)
    assert _backend_pid(engine) != pid  # no error: the dead connection was replaced


def test_without_the_ping_a_dropped_connection_fails_its_statement(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The other side of the test above: what the ping is for (and why it must not be skipped
    # after a long idle time).
    _postgres_only(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    pid = _kill_pooled(engine)
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


def test_the_sibling_pools_keep_the_options_the_database_url_gives(engine: Engine) -> None:
    """A deployment that keeps its tables in a schema of its own says so in its URL
    (``?options=-csearch_path=…``): the read-only and call-state pools must keep it beside their
    own server options, or their reads look for the tables elsewhere."""
    _postgres_only(engine)
    url = engine.url.update_query_dict({"options": "-csearch_path=resto_elsewhere"})
    mine = db.make_engine(url.render_as_string(hide_password=False))
    try:
        for pool in (mine, read_only_engine(mine), async_commit_engine(mine)):
            with pool.connect() as conn:
                assert conn.exec_driver_sql("SHOW search_path").scalar() == "resto_elsewhere"
        with read_only_engine(mine).connect() as conn:  # and its own option still applies
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        with async_commit_engine(mine).connect() as conn:
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    finally:
        mine.dispose()


# ------------------------------------------------------------------------- DirectStatement
_SID = "CA" + "d" * 32


def _new_call() -> Any:
    from sqlalchemy import bindparam, insert

    from restomairie.models import Call

    return insert(Call).values(
        call_sid=bindparam("p_sid"),
        started_at=bindparam("p_at"),
        language="fr",
        step="greeting",
        attempts=0,
        state={},
    )


def _direct(engine: Engine, statement: Any, params: dict[str, Any]) -> list[Any]:
    from contextlib import closing

    with closing(engine.raw_connection()) as conn:
        rows = db.DirectStatement(statement, engine.dialect).execute(conn, params)
        conn.commit()
        return rows


def test_a_direct_statement_converts_values_as_sqlalchemy_does(engine: Engine) -> None:
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import bindparam, insert, literal, select

    from restomairie.models import Call

    paris = timezone(timedelta(hours=1))
    started = datetime(2026, 11, 23, 9, 30, 15, tzinfo=paris)
    new_call = insert(Call).values(
        call_sid=bindparam("p_sid"),
        started_at=bindparam("p_at"),
        language=literal("fr"),
        step=bindparam("p_step"),
        attempts=0,
        state=bindparam("p_state", type_=Call.__table__.c.state.type),
    )
    assert (
        _direct(
            engine,
            new_call,
            {"p_sid": _SID, "p_at": started, "p_step": "pin", "p_state": {"seq": 3, "day": "é"}},
        )
        == []
    )
    read = select(Call.id, Call.started_at, Call.state, Call.outcome).where(
        Call.call_sid == bindparam("p_sid")
    )
    (row,) = _direct(engine, read, {"p_sid": _SID})
    with engine.connect() as conn:  # exactly what SQLAlchemy's own execute returns
        expected = conn.execute(read, {"p_sid": _SID}).one()
    assert tuple(row) == tuple(expected)
    assert row.started_at == started and row.started_at.tzinfo is not None  # UTC, aware
    assert row.state == {"seq": 3, "day": "é"} and row.outcome is None
    assert _direct(engine, read, {"p_sid": "CA-unknown"}) == []
    some = select(Call.call_sid).where(Call.call_sid.in_(bindparam("p_sids", expanding=True)))
    assert [r.call_sid for r in _direct(engine, some, {"p_sids": [_SID, "CA-x", "CA-y"]})] == [_SID]


def test_a_direct_statement_raises_sqlalchemys_errors_and_writes_nothing(
    engine: Engine,
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import func, select
    from sqlalchemy.exc import IntegrityError, InvalidRequestError

    from restomairie.models import Call

    new_call = _new_call()
    params = {"p_sid": _SID, "p_at": datetime(2026, 11, 23, 8, 30, tzinfo=UTC)}
    _direct(engine, new_call, params)
    with pytest.raises(IntegrityError):  # call_sid is unique: the caller can tell a duplicate
        _direct(engine, new_call, params)
    with pytest.raises(InvalidRequestError, match="p_at"):  # a missing value is named
        _direct(engine, new_call, {"p_sid": "CA-other"})
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Call)).scalar() == 1


def test_a_failing_statement_never_shows_its_parameters(engine: Engine) -> None:
    """Errors go to the server's log: the callers' numbers and the codes' hashes a statement
    carries stay out of them, whether SQLAlchemy or DirectStatement ran it."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert

    missing = Table(
        "not_created", MetaData(), Column("id", Integer), Column("phone", String), Column("pin", String)
    )
    statement = insert(missing).values(phone=bindparam("p_phone"), pin=bindparam("p_pin_hash"))
    secret = {"p_phone": "+33642880483", "p_pin_hash": "pbkdf2_sha256$600000$salt$hash"}
    with pytest.raises(DBAPIError) as direct:
        _direct(engine, statement, secret)
    with pytest.raises(DBAPIError) as executed, engine.connect() as conn:
        conn.execute(statement, secret)
    for caught in (direct, executed):
        said = str(caught.value)
        assert "not_created" in said  # what failed is still said
        assert "+33642880483" not in said and "pbkdf2" not in said, said
        assert "parameters hidden" in said


# PostgreSQL's DETAIL lines that quote values, as its server (15) words them, and what is left
# of each: the columns and the constraint's words, never a value.
QUOTED_DETAILS = [
    ("Key (account)=(D123) already exists.", "Key (account)=(…) already exists."),
    ("Key (family_id, number)=(1, +33612345678) already exists.",
     "Key (family_id, number)=(…) already exists."),
    ("Key (lower(g))=(mme (dupont)) already exists.", "Key (lower(g))=(…) already exists."),
    ("Key (a)=(1) is duplicated.", "Key (a)=(…) is duplicated."),
    ('Key (family_id)=(42) is not present in table "f".',
     'Key (family_id)=(…) is not present in table "f".'),
    ('Key (id)=(1) is still referenced from table "p".',
     'Key (id)=(…) is still referenced from table "p".'),
    ("Key (during)=([2,3)) conflicts with existing key (during)=([1,5)).",
     "Key (during)=(…) conflicts with existing key (during)=(…)."),
    ("Failing row contains (3, D999, +33612345678, 0, y).", "Failing row contains (…)."),
    ("Failing row contains (4, D998, +33612345678, 1, null).", "Failing row contains (…)."),
    ("Partition key of the failing row contains (a) = (42).",
     "Partition key of the failing row contains (a) = (…)."),
    # A value that holds a line break and the words that end the line: hidden all the same.
    ("Key (account)=(a\nb) already exists. x) already exists.",
     "Key (account)=(…) already exists."),
    # Other words (a server speaking French): all of it hidden.
    ("La clé « (account)=(D123) » existe déjà.", "…"),
]


@pytest.mark.parametrize(("detail", "left"), QUOTED_DETAILS)
def test_the_values_postgresql_quotes_in_a_detail_are_hidden_the_rest_kept(
    detail: str, left: str
) -> None:
    assert db.hide_values(detail) == left


def _said(error: BaseException) -> str:
    """Everything the server's log can show of ``error``: its text, its cause's, the traceback
    (``log.exception``) with the application's log format."""
    import logging

    from restomairie.cli import LOG_FORMAT

    record = logging.LogRecord("restomairie", logging.ERROR, __file__, 1, "failed", None,
                               (type(error), error, error.__traceback__))
    cause = error.__cause__
    return "\n".join([str(error), repr(error), str(cause), repr(cause),
                      logging.Formatter(LOG_FORMAT).format(record)])


def test_a_driver_error_and_sqlalchemys_made_of_it_hide_the_quoted_values() -> None:
    """The words a driver error carries (psycopg's text as the server sends it), without a
    result to ask: what follows the DETAIL label is hidden, in the driver's error and in
    SQLAlchemy's, in their texts and in a logged traceback."""
    import psycopg

    message = ('duplicate key value violates unique constraint "uq_family_phones_number"\n'
               "DETAIL:  Key (family_id, number)=(1, +33642880483) already exists.")
    raw = psycopg.errors.UniqueViolation(message)
    wrapped = DBAPIError.instance("INSERT …", (), raw, psycopg.Error, hide_parameters=True)
    db.hide_quoted_values(raw, wrapped)
    try:
        raise wrapped from raw
    except DBAPIError as error:
        said = _said(error)
    assert "42880483" not in said, said
    assert said.count('"uq_family_phones_number"\nDETAIL:  Key (family_id, number)=(…)') == 4
    other = psycopg.errors.UndefinedTable('relation "x" does not exist\nDETAIL:  (x)=(1)')
    db.hide_quoted_values(other)  # not a constraint error: left as it is
    assert str(other).endswith("(x)=(1)")


# Values a constraint error could quote, each found nowhere else (not in the statements' text).
_PHONE, _ACCOUNT, _FIRST, _LAST = "+33642880483", "210077", "Apolline", "Secretname"


def test_a_constraint_error_never_shows_the_values_the_database_quotes(rt: Any) -> None:
    """A duplicate phone (a session's flush), a missing family (SQLAlchemy's execute), a child
    outside a check constraint (DirectStatement): the errors, their causes and their logged
    tracebacks never show a value, on either database; on PostgreSQL they still name the
    constraint and the columns, and the driver's ``diag`` still has the values for code."""
    from datetime import date

    from sqlalchemy import insert, select

    from restomairie.models import Child, Family, FamilyPhone
    from tests.factories import make_family

    engine = rt.engine
    postgres = engine.dialect.name == "postgresql"
    make_family(rt, _ACCOUNT, phones=(_PHONE,))
    with rt.sessions() as session:
        family_id = session.scalars(select(Family.id)).one()
    caught: list[DBAPIError] = []
    with pytest.raises(DBAPIError) as twice, rt.sessions() as session, session.begin():
        session.add(FamilyPhone(family_id=family_id, number=_PHONE))
    caught.append(twice.value)
    with pytest.raises(DBAPIError) as orphan, engine.begin() as conn:
        conn.execute(insert(FamilyPhone).values(family_id=family_id + 1, number=_PHONE))
    caught.append(orphan.value)
    child = insert(Child).values(
        ref=bindparam("p_ref"), family_id=family_id, first_name=bindparam("p_first"),
        last_name=bindparam("p_last"), school_id="anjou-elem", diet=bindparam("p_diet"),
        enrolled_from=date(2026, 9, 1),
    )
    with pytest.raises(DBAPIError) as outside:
        _direct(engine, child, {"p_ref": "E9", "p_first": _FIRST, "p_last": _LAST,
                                "p_diet": "halal"})
    caught.append(outside.value)
    for error in caught:
        said = _said(error)
        for value in ("42880483", _ACCOUNT, _FIRST, _LAST):
            assert value not in said, said
    if postgres:
        assert 'constraint "uq_family_phones_number"\nDETAIL:  Key (family_id, number)=(…) ' \
               "already exists." in str(caught[0])
        assert 'Key (family_id)=(…) is not present in table "families".' in str(caught[1])
        assert '"ck_children_diet_known"\nDETAIL:  Failing row contains (…).' in str(caught[2])
        assert _PHONE in caught[0].orig.diag.message_detail  # type: ignore[union-attr]



# PostgreSQL's data errors (SQLSTATE class 22) quote the value in their first line, as its server
# (15) words them; what is left of each.
QUOTED_DATA = [
    ('invalid input syntax for type integer: "+33612345678"',
     'invalid input syntax for type integer: "…"'),
    ('value "+33612345678" is out of range for type integer',
     'value "…" is out of range for type integer'),
    ("date field value out of range: 2026-13-01", "date field value out of range: …"),
    ('invalid input syntax for type date: "a "quoted"\nvalue"',
     'invalid input syntax for type date: "…"'),
    ("value too long for type character varying(20)",
     "value too long for type character varying(20)"),
    ("division by zero", "division by zero"),
]


@pytest.mark.parametrize(("primary", "left"), QUOTED_DATA)
def test_the_value_a_data_error_quotes_is_hidden_its_words_kept(primary: str, left: str) -> None:
    assert db.hide_data_values(primary) == left


@pytest.mark.parametrize(("sql", "value"), [
    ("SELECT CAST(:v AS INTEGER)", _PHONE),
    ("SELECT CAST(:v AS DATE)", "Apolline 2026-13-45"),
    ("SELECT CAST(:v AS JSONB)", '{"phone": "+33642880483"'),
    ("SELECT CAST(CAST(:v AS TEXT) AS INTEGER)", _ACCOUNT + "x"),
])
def test_a_data_error_never_shows_the_value_postgresql_quotes(
    engine: Engine, sql: str, value: str
) -> None:
    """A value of the wrong shape sent to PostgreSQL (a phone number where a number was expected,
    a name in a date): the server quotes it in its message, and in a JSON error again in its
    CONTEXT; neither the errors nor their logged tracebacks show it, through SQLAlchemy's
    execute or DirectStatement, and the message still says what was wrong."""
    from contextlib import closing

    _postgres_only(engine)
    caught: list[DBAPIError] = []
    with pytest.raises(DBAPIError) as executed, engine.connect() as conn:
        conn.execute(text(sql), {"v": value})
    caught.append(executed.value)
    direct = db.DirectStatement(text(sql), engine.dialect)
    with closing(engine.raw_connection()) as conn, pytest.raises(DBAPIError) as directly:
        direct.execute(conn, {"v": value})
    caught.append(directly.value)
    for error in caught:
        said = _said(error)
        for part in ("42880483", "Apolline", "2026-13-45", _ACCOUNT):
            assert part not in said, said
        assert "invalid input syntax" in str(error) or "out of range" in str(error), str(error)


def test_a_connection_found_dropped_replaces_the_older_ones_of_every_pool(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy's disconnect handling across the pools of one server: the statement that met a
    dropped connection fails, the next ones of any pool get connections made since."""
    from contextlib import closing

    from sqlalchemy import literal, select

    _postgres_only(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)  # no ping: the statement meets it
    one = db.DirectStatement(select(literal(1).label("one")), engine.dialect)
    pools = (engine, async_commit_engine(engine), read_only_engine(engine))
    pids = [_backend_pid(each) for each in pools]
    other = db.create_engine(engine.url)
    try:
        for pid in pids:
            _kill(other, pid)
    finally:
        other.dispose()
    lender = async_commit_engine(engine)
    with closing(lender.raw_connection()) as conn, pytest.raises(DBAPIError) as caught:
        one.execute(conn, {})
    assert caught.value.connection_invalidated
    fresh = [_backend_pid(each) for each in pools]  # no error: each one replaced before use
    assert not set(fresh) & set(pids)


def test_a_direct_statement_drops_a_connection_the_server_closed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import closing

    from sqlalchemy import literal, select

    _postgres_only(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)  # no ping: the statement meets it
    one = db.DirectStatement(select(literal(1).label("one")), engine.dialect)
    pid = _kill_pooled(engine)
    with closing(engine.raw_connection()) as conn, pytest.raises(DBAPIError) as caught:
        one.execute(conn, {})
    assert caught.value.connection_invalidated
    with closing(engine.raw_connection()) as conn:  # a new connection, not the dead one
        assert [tuple(row) for row in one.execute(conn, {})] == [(1,)]
    assert _backend_pid(engine) != pid


def test_a_direct_transaction_commits_all_or_nothing(engine: Engine) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import func, select
    from sqlalchemy.exc import IntegrityError

    from restomairie.models import Call

    new_call = db.DirectStatement(_new_call(), engine.dialect)
    at = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)

    def count() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Call)).scalar_one())

    with db.direct_transaction(engine) as conn:
        new_call.execute_many(conn, [{"p_sid": "CA-1", "p_at": at}, {"p_sid": "CA-2", "p_at": at}])
    assert count() == 2
    with pytest.raises(IntegrityError), db.direct_transaction(engine) as conn:
        new_call.execute_many(conn, [{"p_sid": "CA-5", "p_at": at}])  # one set: run on its own
        new_call.execute_many(conn, [{"p_sid": "CA-1", "p_at": at}])
    assert count() == 2
    with pytest.raises(RuntimeError), db.direct_transaction(engine) as conn:
        new_call.execute(conn, {"p_sid": "CA-3", "p_at": at})
        raise RuntimeError("refused halfway")
    with pytest.raises(DBAPIError), db.direct_transaction(engine) as conn:
        new_call.execute(conn, {"p_sid": "CA-4", "p_at": at})
        new_call.execute(conn, {"p_sid": "CA-1", "p_at": at})  # a duplicate: the whole fails
    assert count() == 2


def test_a_lent_connection_serves_every_autocommit_statement_of_the_block(engine: Engine) -> None:
    from sqlalchemy import literal, select

    one = db.DirectStatement(select(literal(1).label("one")), engine.dialect)
    reader = read_only_engine(engine)
    lender = async_commit_engine(engine)  # the call state's pool (the engine on SQLite)
    checked_out = lender.pool.checkedout  # type: ignore[attr-defined]
    with db.lend_connection(lender):
        with db.autocommit_connection(lender) as first, db.autocommit_connection(reader) as other:
            assert first is other  # whatever pool it is asked of
            assert [tuple(r) for r in one.execute(first, {})] == [(1,)]
            assert checked_out() == 1
        with db.direct_transaction(engine) as conn:
            # PostgreSQL: a transaction of the same database runs on the lent connection too;
            # SQLite's write transactions always take their own (BEGIN IMMEDIATE).
            assert (conn is first) == (engine.dialect.name == "postgresql")
            if conn is first:
                with db.direct_transaction(engine) as inner:  # never one inside another
                    assert inner is not conn
        postgres = engine.dialect.name == "postgresql"
        other_database = db.make_engine(
            engine.url.set(database="postgres").render_as_string(hide_password=False)
            if postgres
            else "sqlite://"
        )
        try:
            with db.direct_transaction(other_database) as conn:
                assert conn is not first
        finally:
            other_database.dispose()
    assert checked_out() == 0  # the lent one is back in its pool
    with db.autocommit_connection(lender):  # the block is over: a checkout of its own again
        assert checked_out() == 1


def test_a_transaction_on_the_lent_connection_commits_synchronously_all_or_nothing(
    engine: Engine,
) -> None:
    """A booking confirmed on the phone runs on the call state's connection, whose commits are
    asynchronous: its own commit is synchronous, and the connection is left as it was."""
    from datetime import UTC, datetime

    from sqlalchemy import func, literal_column, select
    from sqlalchemy.exc import IntegrityError

    from restomairie.models import Call

    _postgres_only(engine)
    new_call = db.DirectStatement(_new_call(), engine.dialect)
    setting = db.DirectStatement(
        select(literal_column("current_setting('synchronous_commit')").label("s")), engine.dialect
    )
    at = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)

    def count() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Call)).scalar_one())

    lender = async_commit_engine(engine)
    with db.lend_connection(lender), db.autocommit_connection(lender) as lent:
        assert setting.execute(lent, {})[0].s == "off"
        with db.direct_transaction(engine) as conn:
            assert conn is lent
            new_call.execute(conn, {"p_sid": "CA-1", "p_at": at})
            assert setting.execute(conn, {})[0].s == "on"
        # Its COMMIT's answer is read by the connection's next use (the webhook's save) or by
        # settle_lent (the apology's read of what the call changed), before other connections.
        assert libpq.pending(lent)
        db.settle_lent()
        assert not libpq.pending(lent)
        assert count() == 1
        with pytest.raises(IntegrityError), db.direct_transaction(engine) as conn:
            new_call.execute(conn, {"p_sid": "CA-2", "p_at": at})
            new_call.execute(conn, {"p_sid": "CA-1", "p_at": at})  # a duplicate: all fails
        with pytest.raises(RuntimeError), db.direct_transaction(engine) as conn:
            new_call.execute(conn, {"p_sid": "CA-3", "p_at": at})
            raise RuntimeError("refused halfway")
        assert count() == 1
        # The connection goes on serving the call state: outside a transaction, asynchronous.
        assert setting.execute(lent, {})[0].s == "off"
        new_call.execute(lent, {"p_sid": "CA-4", "p_at": at})
    assert count() == 2


def test_a_lent_connection_found_dead_fails_the_booking_and_nothing_else(
    engine: Engine,
) -> None:
    """The server drops the webhook's connection: the booking raises (the caller hears the
    apology) and giving the connection back does not raise a second error."""
    from sqlalchemy import literal, select

    _postgres_only(engine)
    one = db.DirectStatement(select(literal(1).label("one")), engine.dialect)
    lender = async_commit_engine(engine)
    with db.lend_connection(lender):
        with db.autocommit_connection(lender) as lent:
            pid = lent.cursor().execute("SELECT pg_backend_pid()").fetchone()[0]
        _kill(engine, pid)
        with pytest.raises(DBAPIError) as caught, db.direct_transaction(engine) as conn:
            one.execute(conn, {})
        assert caught.value.connection_invalidated
        with db.direct_transaction(engine) as conn:  # the next one takes a live connection
            assert conn is not lent
            assert [tuple(r) for r in one.execute(conn, {})] == [(1,)]
    with db.autocommit_connection(lender) as conn:  # the pool goes on with a live connection
        assert [tuple(r) for r in one.execute(conn, {})] == [(1,)]


def test_statements_outside_a_transaction_stick_on_any_engine(engine: Engine) -> None:
    # The main pool is not in autocommit on PostgreSQL: what autocommit_connection ran there
    # is committed when the block ends, not rolled back when the connection goes back.
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from restomairie.models import Call

    new_call = db.DirectStatement(_new_call(), engine.dialect)
    with db.autocommit_connection(engine) as conn:
        new_call.execute(conn, {"p_sid": _SID, "p_at": datetime(2026, 11, 23, tzinfo=UTC)})
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Call)).scalar() == 1


def test_a_busy_sqlite_database_is_not_said_unreachable() -> None:
    # "database is locked" (an import writing) was "Erreur de configuration : … inaccessible".
    import sqlite3

    from restomairie.db import UNINITIALISED, UNREACHABLE, database_problem

    assert database_problem(sqlite3.OperationalError("database is locked")) is None
    assert database_problem(sqlite3.OperationalError("unable to open database file")) == (
        UNREACHABLE, "unable to open database file"
    )
    assert database_problem(sqlite3.OperationalError("no such table: calls")) == (
        UNINITIALISED, "no such table: calls"
    )
