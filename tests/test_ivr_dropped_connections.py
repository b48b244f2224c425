"""The phone line when the database drops its connections (a restart, a failover, connections
ended by an administrator) or a webhook's first statement fails: signed webhooks end to end, on
SQLite and PostgreSQL.

The clock is pinned to Monday 23 November 2026, 10:00 (Paris): Thursday 26 November is the first
meal that can still be changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, closing
from datetime import date
from typing import Any

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from restomairie import db
from restomairie.db import async_commit_engine, read_only_engine
from restomairie.ivr import flow as flow_module
from restomairie.ivr import service as service_module
from restomairie.ivr.service import PhoneLine
from restomairie.ivr.store import CallStore
from restomairie.models import AuditEntry, Call
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, booked, check_twiml, events, line_app, post_signed

PHONE = "+33642880483"
NOTHING_CHANGED = "Votre demande n'a pas été enregistrée : rien n'a été changé."
APOLOGY = "Nous sommes désolés, un problème technique empêche de traiter votre appel."


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    return line_app(rt).test_client()


@pytest.fixture
def family(rt: Runtime) -> str:
    return make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))


def caller(client: FlaskClient, rt: Runtime) -> Caller:
    return Caller(client, rt.settings, PHONE)


def the_call(rt: Runtime, call: Caller) -> Call | None:
    with rt.sessions() as session:
        return session.scalars(select(Call).where(Call.call_sid == call.call_sid)).one_or_none()


def changes(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _postgres_only(rt: Runtime) -> None:
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("connections the server drops: PostgreSQL")


@pytest.fixture
def killer(rt: Runtime) -> Iterator[psycopg.Connection[Any]]:
    """A connection of no pool of the application, that ends the server processes of others."""
    _postgres_only(rt)
    url = rt.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


def _kill(killer: psycopg.Connection[Any], pids: list[int]) -> None:
    killer.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))


def _drop_every_pooled_connection(rt: Runtime, killer: psycopg.Connection[Any]) -> int:
    """What a server restart does to the application's pools: every connection waiting in them
    (the main pool, the call state's, the reads') ended by the server. How many."""
    pids: list[int] = []
    for engine in (rt.engine, async_commit_engine(rt.engine), read_only_engine(rt.engine)):
        pool: Any = engine.pool
        with ExitStack() as held:  # all at once: each idle connection of the pool once
            for _ in range(pool.checkedin()):
                conn = held.enter_context(closing(engine.raw_connection()))
                with closing(conn.cursor()) as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pids.append(cursor.fetchone()[0])
                conn.rollback()
    _kill(killer, pids)
    return len(pids)


def _kill_the_claims_connection(
    monkeypatch: pytest.MonkeyPatch, killer: psycopg.Connection[Any], times: int
) -> list[int]:
    """The server ends the webhook's connection just before each of its next ``times`` claims
    (as a restart between two webhooks does); the pids ended."""
    real = CallStore.claim
    killed: list[int] = []

    def claim(self: CallStore, *args: Any, **kwargs: Any) -> Any:
        if len(killed) < times:
            # The webhook's own connection.
            with db.autocommit_connection(self.autocommit) as lent, closing(lent.cursor()) as cur:
                cur.execute("SELECT pg_backend_pid()")
                killed.append(cur.fetchone()[0])
            _kill(killer, killed[-1:])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(CallStore, "claim", claim)
    return killed


# ------------------------------------------------------------------- the claim made once more
def test_after_the_server_dropped_its_connections_no_call_fails(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    killer: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every pooled connection used again within PING_AFTER_IDLE of a restart is dead without a
    ping: the first one met replaces the others, and the claim that met it is made again."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)  # never pinged: each meets the restart
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    assert _drop_every_pooled_connection(rt, killer) >= 2
    asked = call.press("2611")
    assert asked.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    done = call.press("1")
    assert done.says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    assert [e.outcome for e in events(rt, call)].count("error") == 0
    # The calls after it, one after the other, each on connections used a moment before.
    _drop_every_pooled_connection(rt, killer)
    for day in ("2711", "3011"):
        other = caller(client, rt)
        other.start()
        answer = other.keys("1234", "2", day, "1")
        assert answer.says[0].startswith("C'est fait"), answer.says
        assert not any("problème technique" in said.text for said in other.history)


def test_the_end_of_a_call_reported_after_the_server_dropped_its_connections_is_recorded(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    killer: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The status callback is written the same way however often it comes: written again.
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    call = caller(client, rt)
    call.start()
    _drop_every_pooled_connection(rt, killer)
    assert call.hang_up(duration=12).status_code == 200
    logged = the_call(rt, call)
    assert logged is not None
    assert (logged.status, logged.duration, logged.outcome) == ("completed", 12, "abandoned")


def test_a_claim_made_but_unanswered_is_taken_as_delivered_and_nothing_is_done_twice(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    killer: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server made the claim, then the connection died before its answer: the claim made
    again finds the webhook's event (delivered before, as far as it can tell), so the step is
    not worked a second time; after waiting for an answer in vain, the caller at a read-back
    hears that nothing was changed."""
    monkeypatch.setattr(service_module, "REPLAY_WAIT", 0.05)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    real = CallStore.claim
    one = db.DirectStatement(select(func.now()), rt.engine.dialect)

    def made_then_lost(self: CallStore, *args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(CallStore, "claim", real)
        real(self, *args, **kwargs)  # made and committed
        with db.autocommit_connection(self.autocommit) as lent:
            with closing(lent.cursor()) as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                _kill(killer, [cursor.fetchone()[0]])
            one.execute(lent, {})  # what the lost answer looks like: the connection is dead
        raise AssertionError("the dead connection answered")

    monkeypatch.setattr(CallStore, "claim", made_then_lost)
    answer = call.press("1")
    assert answer.hangup and NOTHING_CHANGED in answer.text
    assert booked(rt, "E1", date(2026, 11, 26)) is None and changes(rt) == 0
    keys = [e.request_key for e in events(rt, call)]
    assert len(keys) == len(set(keys))


# ------------------------------------------------------------------ a claim that fails for good
def test_a_claim_failing_twice_at_a_read_back_says_nothing_was_changed_and_is_logged(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    killer: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    killed = _kill_the_claims_connection(monkeypatch, killer, times=2)
    answer = call.press("1")
    assert len(killed) == 2  # made once more, on a new connection, and no more
    assert answer.hangup
    assert answer.says == [
        f"{APOLOGY} {NOTHING_CHANGED} Merci de rappeler un peu plus tard. Au revoir."
    ]
    assert booked(rt, "E1", date(2026, 11, 26)) is None
    logged = the_call(rt, call)
    assert logged is not None and (logged.outcome, logged.step) == ("error", "end")
    failed = events(rt, call)[-1]
    assert (failed.step, failed.input_kind, failed.heard, failed.outcome) == (
        "confirm", "dtmf", "1", "error"
    )
    assert failed.response == answer.xml
    assert PHONE not in caplog.text  # the statements' parameters are not in the log


def test_a_first_webhook_whose_claim_fails_leaves_the_call_in_the_log(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database error other than a dropped connection (SQLite: "database is locked" after its
    wait): not made again; the call is recorded once the database answers."""
    attempts: list[int] = []

    def locked(self: CallStore, *args: Any, **kwargs: Any) -> Any:
        attempts.append(1)
        raise OperationalError("INSERT INTO calls …", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(CallStore, "claim", locked)
    call = caller(client, rt)
    answer = call.start()
    assert attempts == [1]
    assert answer.hangup and answer.says == [
        f"{APOLOGY} Merci de rappeler un peu plus tard. Au revoir."
    ]
    logged = the_call(rt, call)
    assert logged is not None
    assert (logged.outcome, logged.step, logged.from_number) == ("error", "end", PHONE)
    (event,) = events(rt, call)
    assert (event.request_key, event.outcome, event.response) == ("voice", "error", answer.xml)
    # Twilio's retry of the same webhook (the claim still failing) changes nothing more.
    again = post_signed(client, "/ivr/voice", call.params())
    assert again.get_data(as_text=True) == answer.xml
    assert len(events(rt, call)) == 1


def test_a_claim_that_cannot_be_recorded_either_is_logged(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(CallStore, "claim", down)
    monkeypatch.setattr(PhoneLine, "_new_call", down)
    call = caller(client, rt)
    assert call.start().hangup
    assert the_call(rt, call) is None
    assert "the failure at voice could not be recorded" in caplog.text


# ------------------------------------------------------------- a retry that waits for the first
def test_a_retry_that_waits_in_vain_for_the_first_delivery_answers_like_the_fallback(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twilio delivers a read-back's "1" again while the first delivery still works on it: after
    waiting, the retry says what the call changed, or at a read-back that nothing was."""
    monkeypatch.setattr(service_module, "REPLAY_WAIT", 0.05)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    url = call.url
    assert url is not None
    heard: list[str] = []

    def stuck(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Still at work when the retry comes, and failing afterwards: nothing was changed.
        response = post_signed(client, url, call.params(Digits="1"))
        heard.append(check_twiml(response.get_data(as_text=True), rt.settings).text)
        raise RuntimeError("never got through")

    monkeypatch.setattr(flow_module.CallFlow, "_apply", stuck)
    call.press("1")
    assert heard == [f"{APOLOGY} {NOTHING_CHANGED} Merci de rappeler un peu plus tard. Au revoir."]
    assert booked(rt, "E1", date(2026, 11, 26)) is None

    # The change made, and the first delivery late saving the call: the retry says it is done.
    monkeypatch.undo()
    monkeypatch.setattr(service_module, "REPLAY_WAIT", 0.05)
    again = caller(client, rt)
    again.start()
    again.keys("1234", "2", "2711")
    url = again.url
    assert url is not None
    save = PhoneLine._save
    retried: list[str] = []

    def late_save(self: PhoneLine, *args: Any) -> None:
        response = post_signed(client, url, again.params(Digits="1"))
        retried.append(check_twiml(response.get_data(as_text=True), rt.settings).text)
        save(self, *args)

    monkeypatch.setattr(PhoneLine, "_save", late_save)
    assert again.press("1").says[0].startswith("C'est fait")
    assert retried == [
        f"{APOLOGY} Avant cet incident, votre demande a bien été enregistrée. C'est fait : le "
        "repas de Léa du vendredi 27 novembre est annulé. Merci de rappeler un peu plus tard. "
        "Au revoir."
    ]
