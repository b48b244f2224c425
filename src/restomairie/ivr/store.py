"""The per-call state's two writes on every webhook, *claim* and *save*, built once.

They run on every request of every call, so they are the phone line's hot path: each statement is
built once at import (SQLAlchemy then reuses its compiled form without even rebuilding the
expression), and on PostgreSQL each write is a single statement in autocommit mode — one round
trip to the server instead of ``BEGIN``, two or three statements and ``COMMIT``. A single
statement is atomic on its own; the data-modifying CTEs run in one snapshot.

- **claim**: read the call by ``CallSid`` and insert the webhook's event (unique per call and
  request key). ``None`` for the event means the webhook was already delivered.
- **save**: the new per-call state on the call and the answer on the event.

SQLite has no data-modifying CTEs; there the claim runs statement by statement (each one atomic,
the event's unique key deciding between two deliveries) and the save is one short
``BEGIN IMMEDIATE`` transaction (the database-wide writer lock is held for microseconds, never
while the flow works).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Engine,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.expression import Executable

from restomairie.db import (
    DirectStatements,
    async_commit_engine,
    autocommit_connection,
    direct_transaction,
)
from restomairie.ivr.flow import END
from restomairie.models import Call, CallEvent, Family, UTCDateTime

_CALL_COLUMNS = (
    Call.id,
    Call.call_sid,
    Call.step,
    Call.attempts,
    Call.language,
    Call.outcome,
    Call.from_number,
    Call.family_id,
    Call.state,
)

_READ_CALL = select(*_CALL_COLUMNS).where(Call.call_sid == bindparam("p_sid"))
_NEW_EVENT = (
    insert(CallEvent)
    .values(
        call_id=bindparam("p_call_id"),
        at=bindparam("p_at", type_=UTCDateTime()),
        request_key=bindparam("p_key"),
        step=bindparam("p_step"),
        response="",
    )
    .returning(CallEvent.id)
)


def _pg_claim(new_call: Any = None) -> Executable:
    # WITH c AS (SELECT … FROM calls WHERE call_sid = :sid),
    #      e AS (INSERT INTO call_events … SELECT … FROM c ON CONFLICT DO NOTHING RETURNING id)
    # SELECT c.*, (SELECT id FROM e) AS event_id FROM c
    # With ``new_call`` (an INSERT … ON CONFLICT DO NOTHING RETURNING the call's columns), c is
    # the stored call UNION ALL the one this statement inserts: a new call in one round trip.
    if new_call is None:
        found = _READ_CALL.cte("found")
    else:
        inserted = new_call.cte("new_call")
        found = union_all(_READ_CALL, select(inserted)).cte("found")
    event = (
        pg_insert(CallEvent)
        .from_select(
            ["call_id", "at", "request_key", "step", "response"],
            select(
                found.c.id,
                bindparam("p_at", type_=UTCDateTime()),
                bindparam("p_key"),
                found.c.step,
                literal(""),
            ),
        )
        .on_conflict_do_nothing(constraint="uq_call_events_request")
        .returning(CallEvent.id)
        .cte("event")
    )
    return select(found, select(event.c.id).scalar_subquery().label("event_id"))


def _new_call(dialect_insert: Any) -> Any:
    # A new call; two deliveries of its first webhook may race: one inserts, the other nothing.
    return (
        dialect_insert(Call)
        .from_select(
            [
                "call_sid",
                "started_at",
                "from_number",
                "to_number",
                "language",
                "step",
                "attempts",
                "state",
            ],
            select(
                bindparam("p_sid"),
                bindparam("p_at", type_=UTCDateTime()),
                bindparam("p_from_number"),
                bindparam("p_to_number"),
                bindparam("p_language"),
                bindparam("p_step"),
                literal(0),
                bindparam("p_state", type_=Call.__table__.c.state.type),
            ),
        )
        .on_conflict_do_nothing(index_elements=["call_sid"])
    )


_PG_NEW_CALL = _new_call(pg_insert)
_NEW_CALL = _new_call(sqlite_insert)
_PG_CLAIM = _pg_claim()
_PG_CLAIM_NEW = _pg_claim(_PG_NEW_CALL.returning(*_CALL_COLUMNS))


_FINAL = bindparam("p_final", type_=Boolean())
# The status callback: the final status and duration; a call that ends without an outcome was
# abandoned. Written the same way however often Twilio delivers it. The step stays: a key pressed
# just before hanging up ("1" to confirm) may reach us after the call's end, and is still done.
# Once the end is recorded (``ended_at``), its status and duration are the call's for good:
# Twilio sends one final status, a retry carries the same values, and anything later ("in-progress"
# late for its call — Twilio does not promise their order —, another final status, another
# duration) does not take it back; a duration missing from the end is still filled in. The row
# returns what is kept, for the caller to tell a differing final status from a retry.
_ENDED = Call.ended_at.is_not(None)
_STATUS_CALL = (
    update(Call)
    .where(Call.call_sid == bindparam("p_sid"))
    .values(
        status=case((_ENDED, Call.status), else_=func.coalesce(bindparam("p_status"), Call.status)),
        duration=case(
            (_ENDED, func.coalesce(Call.duration, bindparam("p_duration"))),
            else_=func.coalesce(bindparam("p_duration"), Call.duration),
        ),
        ended_at=case(
            (_FINAL, func.coalesce(Call.ended_at, bindparam("p_at", type_=UTCDateTime()))),
            else_=Call.ended_at,
        ),
        outcome=case((_FINAL & Call.outcome.is_(None), "abandoned"), else_=Call.outcome),
    )
    .returning(Call.id, Call.status, Call.duration)
)


def _status_event(dialect_insert: Any, call_id: Any) -> Any:
    return (
        dialect_insert(CallEvent)
        .from_select(
            ["call_id", "at", "request_key", "step", "outcome", "response"],
            select(
                call_id,
                bindparam("p_at", type_=UTCDateTime()),
                bindparam("p_key"),
                literal("status"),
                bindparam("p_status"),
                bindparam("p_response"),
            ),
        )
        .on_conflict_do_nothing()
    )


def _pg_status() -> Executable:
    # WITH c AS (UPDATE calls … RETURNING id), e AS (INSERT INTO call_events … FROM c …)
    # SELECT id FROM c: one statement; no row means an unknown call.
    updated = _STATUS_CALL.cte("updated")
    event = _status_event(pg_insert, updated.c.id).add_cte(updated)
    return select(updated.c.id, updated.c.status, updated.c.duration).add_cte(
        event.cte("status_event")
    )


_PG_STATUS = _pg_status()
_SQLITE_STATUS_EVENT = _status_event(sqlite_insert, bindparam("p_call_id"))


# The answer of a webhook on its event (see CallStore.save).
_SAVE_EVENT = (
    update(CallEvent)
    .where(CallEvent.id == bindparam("p_event_id"))
    .values(
        step=bindparam("p_event_step"),
        input_kind=bindparam("p_input_kind"),
        heard=bindparam("p_heard"),
        outcome=bindparam("p_event_outcome"),
        response=bindparam("p_response"),
    )
)


@dataclass(frozen=True)
class Claimed:
    """The call as the claim found it, and the event inserted for this webhook (``None``: the
    webhook was delivered before)."""

    call: Any  # a named tuple of the call's columns
    event_id: int | None


class CallStore:
    """The claim and save of :class:`~restomairie.ivr.service.PhoneLine`, per database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        # On PostgreSQL every statement here commits on its own (see the module docstring), and
        # asynchronously when the engine allows it: the call log and state can afford to lose
        # their last fraction of a second in a server crash, a booking never (its own engine).
        self.autocommit = async_commit_engine(engine)  # the engine itself on SQLite
        # The claim and save run on every webhook: compiled once, run on the driver's cursor.
        self._direct = DirectStatements(engine.dialect)
        # Each shape of save built once (kept here, so that _direct compiles it once too).
        self._saves: dict[tuple[bool, bool], tuple[Executable, ...]] = {}

    def claim(
        self, sid: str, key: str, at: datetime, new_call: dict[str, Any] | None
    ) -> Claimed | None:
        """Read the call and insert this webhook's event; ``None`` when the call is unknown and
        ``new_call`` (the values of a new call) is not given."""
        if self.postgres:
            return self._claim_pg(sid, key, at, new_call)
        # SQLite: statement by statement, each committing on its own (no BEGIN IMMEDIATE: the
        # read needs no lock, and the event's unique key is what decides between two deliveries).
        with autocommit_connection(self.engine) as conn:
            if new_call is not None:  # the number's voice URL: almost always a new call
                self._direct(_NEW_CALL).execute(
                    conn, {"p_sid": sid, "p_at": at, **_prefixed(new_call)}
                )
            rows = self._direct(_READ_CALL).execute(conn, {"p_sid": sid})
            if not rows:
                return None
            row = rows[0]
            # The request key is unique per call: a second delivery fails here (IntegrityError,
            # which the caller takes as "delivered before").
            (event,) = self._direct(_NEW_EVENT).execute(
                conn, {"p_call_id": row.id, "p_at": at, "p_key": key, "p_step": row.step}
            )
            return Claimed(row, event.id)

    def _claim_pg(
        self, sid: str, key: str, at: datetime, new_call: dict[str, Any] | None
    ) -> Claimed | None:
        params = {"p_sid": sid, "p_at": at, "p_key": key}
        with autocommit_connection(self.autocommit) as conn:
            if new_call is None:
                rows = self._direct(_PG_CLAIM).execute(conn, params)
                return Claimed(rows[0], rows[0].event_id) if rows else None
            rows = self._direct(_PG_CLAIM_NEW).execute(conn, {**params, **_prefixed(new_call)})
            if not rows:
                # Two deliveries of a new call raced: the other one inserted it, after this
                # statement's snapshot. Claim it now; the unique request key lets only one of
                # them have the event.
                rows = self._direct(_PG_CLAIM).execute(conn, params)
            return Claimed(rows[0], rows[0].event_id)

    def status(
        self,
        sid: str,
        key: str,
        at: datetime,
        status: str | None,
        duration: int | None,
        final: bool,
        response: str,
        new_call: dict[str, Any],
    ) -> tuple[str | None, int | None]:
        """Record a status callback on the call (created when unknown: ``new_call``) and its
        event (once per ``key``); the call's status and duration as kept (see _STATUS_CALL)."""
        params = {
            "p_sid": sid,
            "p_key": key,
            "p_at": at,
            "p_status": status,
            "p_duration": duration,
            "p_final": final,
            "p_response": response,
        }
        fresh = {"p_sid": sid, "p_at": at, **_prefixed(new_call)}
        if self.postgres:
            with autocommit_connection(self.autocommit) as conn:
                found = self._direct(_PG_STATUS).execute(conn, params)
                if not found:
                    self._direct(_PG_NEW_CALL).execute(conn, fresh)
                    found = self._direct(_PG_STATUS).execute(conn, params)
        else:
            with direct_transaction(self.engine) as conn:
                found = self._direct(_STATUS_CALL).execute(conn, params)
                if not found:
                    self._direct(_NEW_CALL).execute(conn, fresh)
                    found = self._direct(_STATUS_CALL).execute(conn, params)
                self._direct(_SQLITE_STATUS_EVENT).execute(
                    conn, {**params, "p_call_id": found[0].id}
                )
        return found[0].status, found[0].duration

    def save(
        self,
        call_id: int,
        event_id: int,
        call: dict[str, Any],
        event: dict[str, Any],
        outcome: str | None = None,
        account: str | None = None,
    ) -> None:
        """Write the call's new state (``call``: step, attempts, language, state; ``outcome``
        and the identified family's ``account`` only when they change) and the event's answer
        (``event``: step, input_kind, heard, outcome, response)."""
        shape = (outcome is not None, account is not None)
        params = {
            "p_call_id": call_id,
            "p_event_id": event_id,
            **_prefixed(call),
            **_prefixed(event),
        }
        if outcome is not None:
            params["p_call_outcome"] = outcome
        if account is not None:
            params["p_account"] = account
        statements = self._saves.get(shape)
        if statements is None:
            statements = self._saves[shape] = self._save_statement(*shape)
        if self.postgres:
            (statement,) = statements
            with autocommit_connection(self.autocommit) as conn:
                self._direct(statement).execute(conn, params)
            return
        # SQLite: one short write transaction, the database's write lock taken up front.
        with direct_transaction(self.engine) as conn:
            for statement in statements:
                self._direct(statement).execute(conn, params)

    def save_event(self, event_id: int, event: dict[str, Any]) -> None:
        """Write the event's answer alone (``event`` as for :meth:`save`), the call untouched."""
        params = {"p_event_id": event_id, **_prefixed(event)}
        if self.postgres:
            with autocommit_connection(self.autocommit) as conn:
                self._direct(_SAVE_EVENT).execute(conn, params)
            return
        with direct_transaction(self.engine) as conn:
            self._direct(_SAVE_EVENT).execute(conn, params)

    def _save_statement(self, with_outcome: bool, with_family: bool) -> tuple[Executable, ...]:
        values: dict[str, Any] = {
            # A call ended meanwhile stays ended: Twilio called the fallback URL while this
            # webhook was running late (waiting for the database), and the caller has heard
            # its goodbye. The rest of the state (what the step did) is still saved.
            "step": case((Call.step == END, Call.step), else_=bindparam("p_step")),
            "attempts": bindparam("p_attempts"),
            "language": bindparam("p_language"),
            "state": bindparam("p_state", type_=Call.__table__.c.state.type),
        }
        if with_outcome:
            values["outcome"] = bindparam("p_call_outcome")
        if with_family:
            values["family_id"] = (
                select(Family.id).where(Family.account == bindparam("p_account")).scalar_subquery()
            )
        update_call = update(Call).where(Call.id == bindparam("p_call_id")).values(**values)
        if self.postgres:
            # WITH u AS (UPDATE calls …) UPDATE call_events …: one statement, one round trip.
            return (_SAVE_EVENT.add_cte(update_call.cte("saved_call")),)
        return (update_call, _SAVE_EVENT)


def _prefixed(values: dict[str, Any]) -> dict[str, Any]:
    # Bound parameters are named p_<column>: SQLAlchemy reserves the bare column names of an
    # INSERT or UPDATE for its own use.
    return {f"p_{k}": v for k, v in values.items()}
