"""The phone line's statements on PostgreSQL through psycopg's libpq layer (restomairie.libpq):
the same values, rows, errors and transactions as psycopg's cursor, prepared once per connection,
and never lost to psycopg's own clean-up of prepared statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    bindparam,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from restomairie import db, libpq
from restomairie.libpq import LibpqPlan

from .conftest import IN_CI, PG_URL, drop_schema, new_engine

_META = MetaData()
_VALUES = Table(
    "libpq_values",
    _META,
    Column("id", Integer, primary_key=True),
    Column("small", SmallInteger),
    Column("big", BigInteger),
    Column("word", String(200), unique=True),
    Column("day", Date),
    Column("at", DateTime(timezone=True)),
    Column("yes", Boolean),
    Column("data", JSON),
)
_INSERT = insert(_VALUES).values(
    id=bindparam("p_id"),
    small=bindparam("p_small"),
    big=bindparam("p_big"),
    word=bindparam("p_word"),
    day=bindparam("p_day"),
    at=bindparam("p_at"),
    yes=bindparam("p_yes"),
    data=bindparam("p_data", type_=JSON),
)
_READ = select(_VALUES).where(_VALUES.c.id == bindparam("p_id"))
_ROWS = [
    {
        "p_id": 1,
        "p_small": 7,  # psycopg dumps a small int as int2, a larger one as int4 or int8
        "p_big": 2**40,
        "p_word": "100 % sûr, l'été",  # a % in a value, quotes, accents
        "p_day": date(2026, 11, 23),
        "p_at": datetime(2026, 11, 23, 12, 59, 59, tzinfo=timezone(timedelta(hours=1))),
        "p_yes": True,
        "p_data": {"step": "date", "kids": [1, 2], "mot": "déjà"},
    },
    {
        "p_id": 70000,
        "p_small": None,
        "p_big": -1,
        "p_word": "",
        "p_day": None,
        "p_at": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # the night clocks go forward
        "p_yes": False,
        "p_data": None,
    },
]


def _needs_postgresql() -> None:
    if not PG_URL and not IN_CI:
        pytest.skip("RESTOMAIRIE_TEST_DATABASE_URL not set")


@pytest.fixture
def pg(tmp_path: Any) -> Iterator[Engine]:
    _needs_postgresql()
    engine, schema = new_engine("postgresql", tmp_path)
    try:
        _META.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        drop_schema(schema)


def _prepared(conn: Any) -> list[tuple[str, str]]:
    cursor = conn.dbapi_connection.cursor()
    cursor.execute("SELECT name, statement FROM pg_prepared_statements ORDER BY name")
    return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def test_parameters_become_libpqs_numbered_ones() -> None:
    plan = LibpqPlan("SELECT %(a)s::INTEGER, '100%%', %(b)s, %(a)s, 'x%%y' LIKE %(c)s")
    assert plan.sql == b"SELECT $1::INTEGER, '100%', $2, $1, 'x%y' LIKE $3"
    assert plan.names == ("a", "b", "c")


def test_values_and_rows_are_psycopgs_own(pg: Engine) -> None:
    """A guard: written and read through libpq, every kind of value comes back as SQLAlchemy's
    own execute (psycopg's cursor) reads it, and as it was given."""
    write, read = db.DirectStatement(_INSERT, pg.dialect), db.DirectStatement(_READ, pg.dialect)
    lender = db.async_commit_engine(pg)
    with db.lend_connection(lender), db.autocommit_connection(lender) as conn:
        assert write.libpq_plans is not None and libpq.usable(conn)
        for params in _ROWS:
            write.execute(conn, params)
            (row,) = read.execute(conn, {"p_id": params["p_id"]})
            with pg.connect() as other:  # SQLAlchemy's execute, psycopg's cursor
                expected = other.execute(_READ, {"p_id": params["p_id"]}).one()
            assert tuple(row) == tuple(expected)
            assert tuple(row) == tuple(params.values())
            assert [type(v) for v in row] == [type(v) for v in expected]
        names = [name for name, _ in _prepared(conn)]
    # Each statement twice: an int2 id, then an int4 one (psycopg dumps ints by their size).
    assert names == ["rm_0", "rm_1", "rm_2", "rm_3"]


def test_each_statement_is_prepared_once_per_connection(pg: Engine) -> None:
    read = db.DirectStatement(_READ, pg.dialect)
    with closing(db.async_commit_engine(pg).raw_connection()) as conn:
        for _ in range(5):
            assert read.execute(conn, {"p_id": 1}) == []
        assert [(n, " ".join(s.split())) for n, s in _prepared(conn)] == [
            ("rm_0", " ".join(libpq.LibpqPlan(read.compiled.string).sql.decode().split()))
        ]


def test_prepared_statements_outlive_the_rollbacks_of_the_orm(pg: Engine) -> None:
    """psycopg deallocates every prepared statement of a connection at a rollback once it has
    prepared one of its own (its fifth run of a statement): the engines made here keep it from
    preparing, so the phone line's statements stay prepared across the pool's rollbacks."""
    read = db.DirectStatement(_READ, pg.dialect)
    for _ in range(3):
        with pg.connect() as conn:  # the ORM's way: a transaction, rolled back at the end
            for _ in range(6):
                conn.execute(text("SELECT 1"))
        with db.direct_transaction(pg) as conn:  # the first statement begins it: the cursor
            read.execute(conn, {"p_id": 1})
            read.execute(conn, {"p_id": 2})  # inside the transaction: libpq, prepared
    with closing(pg.raw_connection()) as conn:
        assert [name for name, _ in _prepared(conn)] == ["rm_0"]


def test_where_psycopg_prepares_its_own_they_run_unprepared(tmp_path: Any) -> None:
    _needs_postgresql()
    engine, schema = new_engine("postgresql", tmp_path)
    engine.dispose()
    engine = db.make_engine(
        str(engine.url.render_as_string(hide_password=False)),
        connect_args={"options": f"-csearch_path={schema}", "prepare_threshold": 1},
    )
    try:
        _META.create_all(engine)
        write, read = (db.DirectStatement(s, engine.dialect) for s in (_INSERT, _READ))
        for params in _ROWS:
            with engine.connect() as conn:  # psycopg prepares this one, then rolls back
                conn.execute(text("SELECT 1"))
            with db.direct_transaction(engine) as conn:
                write.execute(conn, params)
                assert [r.id for r in read.execute(conn, {"p_id": params["p_id"]})] == [
                    params["p_id"]
                ]
        with closing(engine.raw_connection()) as conn:
            assert not [name for name, _ in _prepared(conn) if name.startswith("rm_")]
    finally:
        engine.dispose()
        drop_schema(schema)


def test_the_first_statement_of_a_transaction_still_begins_it(pg: Engine) -> None:
    """On a connection not in autocommit mode, psycopg sends BEGIN before the first statement:
    that one goes through its cursor, and a rollback takes it back."""
    write = db.DirectStatement(_INSERT, pg.dialect)
    with closing(pg.raw_connection()) as conn:
        assert not libpq.usable(conn)
        write.execute(conn, _ROWS[0])
        assert libpq.usable(conn)  # now inside the transaction
        write.execute(conn, _ROWS[1])
        conn.rollback()
    with pg.connect() as conn:
        assert conn.execute(select(_VALUES.c.id)).all() == []


def test_errors_are_psycopgs_classes_and_hide_their_values(pg: Engine) -> None:
    write = db.DirectStatement(_INSERT, pg.dialect)
    lender = db.async_commit_engine(pg)
    with closing(lender.raw_connection()) as conn:
        write.execute(conn, _ROWS[0])
        with pytest.raises(IntegrityError) as caught:
            write.execute(conn, {**_ROWS[1], "p_word": _ROWS[0]["p_word"]})  # a unique word
    message = str(caught.value)
    assert type(caught.value.orig).__name__ == "UniqueViolation"
    assert "sûr" not in message and "(word)=(…)" in message


def test_beyond_the_prepared_limit_statements_run_unprepared(
    pg: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(libpq, "PREPARED_MAX", 1)
    one = db.DirectStatement(select(literal_column("1").label("one")), pg.dialect)
    read = db.DirectStatement(_READ, pg.dialect)
    with closing(db.async_commit_engine(pg).raw_connection()) as conn:
        assert [tuple(r) for r in one.execute(conn, {})] == [(1,)]
        assert read.execute(conn, {"p_id": 5}) == []
        assert [name for name, _ in _prepared(conn)] == ["rm_0"]


def test_a_few_parameter_sets_in_a_transaction_run_one_by_one_all_or_none(pg: Engine) -> None:
    write, read = db.DirectStatement(_INSERT, pg.dialect), db.DirectStatement(_READ, pg.dialect)
    duplicate = {**_ROWS[1], "p_id": 3, "p_word": _ROWS[0]["p_word"]}
    lender = db.async_commit_engine(pg)
    with db.lend_connection(lender):
        with pytest.raises(IntegrityError), db.direct_transaction(pg) as conn:
            assert libpq.usable(conn, 2) and not libpq.usable(conn, libpq.MANY_MAX + 1)
            write.execute_many(conn, [_ROWS[0], duplicate])
        with db.autocommit_connection(lender) as conn:
            assert read.execute(conn, {"p_id": 1}) == []  # the first set was taken back
            assert not libpq.usable(conn, 2)  # outside a transaction: psycopg's executemany
            assert "rm_0" in dict(_prepared(conn))
        with db.direct_transaction(pg) as conn:
            write.execute_many(conn, _ROWS)
    with pg.connect() as conn:
        assert conn.execute(select(_VALUES.c.id).order_by(_VALUES.c.id)).scalars().all() == [
            1,
            70000,
        ]


def test_a_prepared_statement_is_found_by_its_sql_never_by_another(pg: Engine) -> None:
    """The prepared statements of a connection are known by their SQL and parameter types: the
    same statement made twice (another DirectStatement of it) shares one, and two statements of
    the same parameter types never take each other's."""
    plus_one, plus_two = (
        select((bindparam("p_n", type_=Integer) + literal_column(n)).label("n")) for n in "12"
    )
    with closing(db.async_commit_engine(pg).raw_connection()) as conn:
        for _ in range(2):
            for statement, expected in ((plus_one, 6), (plus_two, 7)):
                made = db.DirectStatement(statement, pg.dialect)  # made anew each time
                assert [r.n for r in made.execute(conn, {"p_n": 5})] == [expected]
        assert [name for name, _ in _prepared(conn)] == ["rm_0", "rm_1"]


def test_statements_run_together_give_their_rows_in_one_round_trip_all_or_none(
    pg: Engine,
) -> None:
    """``run_together``: each statement's rows, as run one by one; sent in one round trip (a
    pipeline), so that in autocommit mode they make one implicit transaction: a failure takes
    back the statements before it (one by one, the first insert would stay)."""
    write, read = db.DirectStatement(_INSERT, pg.dialect), db.DirectStatement(_READ, pg.dialect)
    one = db.DirectStatement(select(literal_column("1").label("one")), pg.dialect)
    with closing(db.async_commit_engine(pg).raw_connection()) as conn:
        write.execute(conn, _ROWS[0])
        alone = [tuple(r) for r in read.execute(conn, {"p_id": 1})]
        together = db.run_together(conn, [(read, {"p_id": 1}), (read, {"p_id": 2}), (one, {})])
        assert [[tuple(r) for r in rows] for rows in together] == [alone, [], [(1,)]]
        assert together[0][0].word == _ROWS[0]["p_word"]  # named rows, as execute gives them
        duplicate = {**_ROWS[1], "p_id": 3, "p_word": _ROWS[0]["p_word"]}
        with pytest.raises(IntegrityError) as caught:
            db.run_together(conn, [(write, _ROWS[1]), (write, duplicate), (read, {"p_id": 1})])
        assert type(caught.value.orig).__name__ == "UniqueViolation"
        assert read.execute(conn, {"p_id": 70000}) == []  # taken back with the failure
        assert not libpq.in_transaction(conn)  # and the connection serves on
        assert [tuple(r) for r in one.execute(conn, {})] == [(1,)]


def test_a_lent_transaction_begins_with_its_first_statement_durably(pg: Engine) -> None:
    """On the lent connection (asynchronous commits), a transaction's BEGIN and its synchronous
    commit setting go with its first statement; a transaction in which nothing ran sends
    nothing; one that fails is rolled back and the connection is as it was."""
    write, read = db.DirectStatement(_INSERT, pg.dialect), db.DirectStatement(_READ, pg.dialect)
    setting = db.DirectStatement(
        select(literal_column("current_setting('synchronous_commit')").label("s")), pg.dialect
    )
    lender = db.async_commit_engine(pg)
    with db.lend_connection(lender), db.autocommit_connection(lender) as lent:
        with db.direct_transaction(pg) as conn:
            assert conn is lent and libpq.deferred(conn) and libpq.in_transaction(conn)
        assert not libpq.deferred(lent) and not libpq.in_transaction(lent)  # nothing was sent
        with db.direct_transaction(pg) as conn:
            assert [r.s for r in setting.execute(conn, {})] == ["on"]
            assert not libpq.deferred(conn)
            write.execute(conn, _ROWS[0])
        with pytest.raises(IntegrityError), db.direct_transaction(pg) as conn:
            write.execute(conn, {**_ROWS[1], "p_word": _ROWS[0]["p_word"]})
        assert not libpq.in_transaction(lent)
        assert [r.s for r in setting.execute(lent, {})] == ["off"]
        assert [r.id for r in read.execute(lent, {"p_id": 1})] == [1]
    with pg.connect() as conn:
        assert conn.execute(select(_VALUES.c.id)).scalars().all() == [1]


def _deferred_unique(pg: Engine) -> tuple[db.DirectStatement, db.DirectStatement]:
    # A table whose unique key is checked at COMMIT: the way to make a COMMIT fail.
    with pg.begin() as conn:
        conn.execute(text("CREATE TABLE once (x INTEGER UNIQUE DEFERRABLE INITIALLY DEFERRED)"))
    insert_x = db.DirectStatement(text("INSERT INTO once VALUES (:x)"), pg.dialect)
    count = db.DirectStatement(select(literal_column("count(*)").label("n")).select_from(
        text("once")), pg.dialect)
    return insert_x, count


def test_a_lent_transactions_commit_is_read_by_the_next_statement_which_raises_its_error(
    pg: Engine,
) -> None:
    """The COMMIT of a transaction on the lent connection is sent without waiting for its
    answer; the connection's next statement reads it first: it sees what was committed, or
    raises the COMMIT's error (nothing kept), once, and the connection serves on."""
    insert_x, count = _deferred_unique(pg)
    lender = db.async_commit_engine(pg)
    with db.lend_connection(lender), db.autocommit_connection(lender) as lent:
        with db.direct_transaction(pg) as conn:
            insert_x.execute(conn, {"x": 1})
        assert libpq.pending(lent)
        assert [r.n for r in count.execute(lent, {})] == [1]
        assert not libpq.pending(lent)
        with db.direct_transaction(pg) as conn:
            insert_x.execute(conn, {"x": 2})
            insert_x.execute(conn, {"x": 2})  # accepted until the COMMIT checks it
        with pytest.raises(IntegrityError) as caught:
            count.execute(lent, {})
        assert type(caught.value.orig).__name__ == "UniqueViolation"
        assert not libpq.in_transaction(lent)
        assert [r.n for r in count.execute(lent, {})] == [1]
        with db.direct_transaction(pg) as conn:
            insert_x.execute(conn, {"x": 3})
        # A statement that goes through psycopg's cursor (several sets outside a transaction:
        # its executemany) has the answer read first too.
        insert_x.execute_many(lent, [{"x": 4}, {"x": 5}])
        assert not libpq.pending(lent)
        assert [r.n for r in count.execute(lent, {})] == [4]


def test_a_commit_answer_nobody_read_is_read_before_the_connection_goes_back(
    pg: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A webhook that ends right after its booking (no statement after it) leaves the COMMIT's
    answer to the end of the lent connection's block: read there; a failure is logged and the
    connection dropped, never handed out again with an answer waiting."""
    insert_x, count = _deferred_unique(pg)
    lender = db.async_commit_engine(pg)
    with db.lend_connection(lender), db.direct_transaction(pg) as conn:
        insert_x.execute(conn, {"x": 1})
    with db.lend_connection(lender):
        with db.direct_transaction(pg) as conn:
            insert_x.execute(conn, {"x": 1})
        dropped = conn.dbapi_connection
    assert "a COMMIT's answer" in caplog.text
    with db.autocommit_connection(lender) as conn:
        assert conn.dbapi_connection is not dropped
        assert [r.n for r in count.execute(conn, {})] == [1]


def test_the_pools_hand_out_the_connection_used_last(pg: Engine) -> None:
    """Last in, first out: a webhook gets the server process that answered last, not the one
    idle longest (and pinged for it: ping_when_idle)."""
    for engine in (pg, db.async_commit_engine(pg), db.read_only_engine(pg)):
        first, second = engine.raw_connection(), engine.raw_connection()
        used_last = second.dbapi_connection
        first.close()
        second.close()
        with closing(engine.raw_connection()) as conn:
            assert conn.dbapi_connection is used_last
