"""The phone line's service layer: one webhook is *claim*, *work*, *save*.

1. **Claim** (one statement on PostgreSQL — two more for a new call —, one short transaction
   on SQLite: see :mod:`restomairie.ivr.store`): find or create the
   :class:`~restomairie.models.Call` by ``CallSid`` and insert a
   :class:`~restomairie.models.CallEvent` with the webhook's request key
   (``voice``, ``step:<n>``, ``status:<status>``). The key is unique per call, so a webhook
   delivered twice — Twilio retries — finds its event: the stored TwiML is answered again and
   nothing is done twice. A duplicate that arrives while the first is still being worked on waits
   for the first's answer.
2. **Work**: :class:`~restomairie.ivr.flow.CallFlow` turns the per-call state and the answer into
   a reply; booking changes go through the booking services (their own transactions, all or
   nothing, audited with the ``CallSid``).
3. **Save** (likewise one statement or one short transaction): the new per-call state, and on
   the event the step, how it
   was answered, the outcome (never a code) and the TwiML.

Each question's ``action`` URL carries a sequence number (``/ivr/step?n=7``), never anything
secret; the state stays in the database. Anything unexpected answers the apology TwiML, which is
also stored, so that a retry gets the same apology. SMS receipts are queued after the save.

A claim that meets a connection the server has dropped (a restart, a failover) is made once more
on a new connection (it is alone in its transaction: made whole or not at all); a claim that still
fails is answered with the fallback's apology and recorded on the call when the database answers
again. Nothing else is ever run twice: a booking that fails is answered, never retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from restomairie.booking.services import TooSlow, commit_by
from restomairie.clock import Clock
from restomairie.config import Settings
from restomairie.db import is_postgres, lend_connection, make_session_factory, settle_lent
from restomairie.ivr import twiml
from restomairie.ivr.flow import (
    CONFIRM,
    END,
    GREETING,
    OUTCOME_RANK,
    CallFlow,
    CallState,
    Heard,
    Turn,
    logged_answer,
)
from restomairie.ivr.prompts import DEFAULT_LANGUAGE, Speaker
from restomairie.ivr.sms import ReceiptOutbox
from restomairie.ivr.store import CallStore
from restomairie.models import AuditEntry, Call, CallEvent, Child

if TYPE_CHECKING:
    from restomairie.runtime import Runtime

log = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
REPLAY_WAIT = 10.0  # seconds a duplicate waits for the first delivery's answer (Twilio: 15 s)
# Seconds a webhook may take to make a booking change: Twilio waits 15 s for our answer, then
# plays the fallback's apology. A change ready later is rolled back (the caller never hears it).
WEBHOOK_BUDGET = 10.0
KEY_LENGTH = 128
# A call's outcomes that say it changed a meal.
CHANGED = frozenset({"booked", "cancelled"})

ActionUrl = Callable[[int], str]


@dataclass(frozen=True)
class Webhook:
    """The parameters of a Twilio voice webhook this line uses."""

    call_sid: str
    from_number: str | None = None
    to_number: str | None = None
    digits: str = ""
    speech: str = ""
    call_status: str | None = None
    duration: int | None = None
    error_code: str | None = None
    error_url: str | None = None

    @property
    def heard(self) -> Heard:
        return Heard(self.digits, self.speech)


@dataclass(frozen=True)
class _Claim:
    call_id: int
    state: CallState  # its ``event``: the webhook's event, made by the claim
    outcome: str | None  # the call's outcome when claimed
    family_id: int | None

    @property
    def event_id(self) -> int:
        """The id of the webhook's event row (the state's :attr:`CallState.event`)."""
        event = self.state.event
        assert event is not None  # set by the claim, never by the flow
        return event


class _Answered(Exception):
    """The webhook was already handled (or is being handled): its answer must be replayed."""


class _UnknownCall(Exception):
    """A step for a call this line never answered."""


class PhoneLine:
    """The phone line's service: what the webhook views call."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        flow: CallFlow,
        clock: Clock,
        outbox: ReceiptOutbox | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = make_session_factory(engine)
        self.store = CallStore(engine)
        self.flow = flow
        self.clock = clock
        self.outbox = outbox

    @classmethod
    def from_runtime(cls, rt: Runtime, outbox: ReceiptOutbox | None = None) -> PhoneLine:
        return cls(
            rt.settings, rt.engine, CallFlow(rt.settings, rt.booking, rt.clock), rt.clock, outbox
        )

    # ------------------------------------------------------------------ webhooks
    def incoming(self, hook: Webhook, action_url: ActionUrl) -> str:
        """A new call (the number's voice URL): closed, or welcome and the first question."""
        return self._run(hook, "voice", True, action_url, lambda st: self.flow.greet(st))

    def step(self, n: str | None, hook: Webhook, action_url: ActionUrl) -> str:
        """The answer to the question whose ``action`` URL carried sequence number ``n``.

        An ``n`` that is not the current question's (an old action URL, a forged request
        replayed with a valid signature) answers nothing: the current question is asked again
        under its own ``n``, and the call is left as it was, so that the caller's real answer
        to that question, which may arrive next or at the same time, is still taken."""
        key = f"step:{(n or '')[:20]}"
        return self._run(
            hook, key, False, action_url, lambda st: self.flow.answer(st, hook.heard), n or ""
        )

    def status(self, hook: Webhook) -> None:
        """The status callback: final status and duration (the first final status is kept, a
        later one that differs is logged); a call that ended before any outcome was
        abandoned."""
        key = f"status:{hook.call_status or ''}"[:KEY_LENGTH]
        final = hook.call_status in FINAL_STATUSES
        status = (hook.call_status or "")[:32] or None

        def record() -> tuple[str | None, int | None]:
            return self.store.status(
                hook.call_sid,
                key,
                self.clock.now(),
                status,
                hook.duration,
                final,
                twiml.empty(),
                # A call the line has not answered yet: ended if this status says so; else
                # ("ringing", "in-progress" delivered before the voice webhook) still to be
                # welcomed — a call created ended would say goodbye after the right code.
                self._fresh_call(hook, END if final else GREETING),
            )

        # Written the same way however often it is delivered: safe to write again on a new
        # connection when the server had dropped the first one (the first final status kept).
        try:
            kept = record()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning("call %s: %s met a dropped connection: written again", hook.call_sid, key)
            kept = record()
        # The first final status is kept (a retry says the same): another one is worth a look.
        if final and (
            kept[0] != status or (hook.duration is not None and kept[1] != hook.duration)
        ):
            log.warning(
                "call %s: another final status, %s (%s s), after the one recorded, %s (%s s): "
                "the first is kept",
                hook.call_sid,
                status,
                hook.duration,
                kept[0],
                kept[1],
            )

    def fallback(self, hook: Webhook) -> str:
        """Twilio's fallback URL (our voice or step URL failed): apologise and hang up; the
        error is logged with Twilio's ``ErrorCode`` and ``ErrorUrl``."""
        log.error(
            "Twilio fallback for call %s: ErrorCode=%s ErrorUrl=%s",
            hook.call_sid,
            hook.error_code,
            hook.error_url,
        )
        answer = self._fallback_answer(hook.call_sid)
        now = self.clock.now()
        key = f"fallback:{hook.error_code or ''}:{hook.error_url or ''}"[:KEY_LENGTH]
        try:
            with self.sessions() as session, session.begin():
                call = self._load(session, hook.call_sid) or self._new_call(session, hook, END)
                _settle(call, "error")
                call.step = END
                if self._event(session, call.id, key) is None:
                    session.add(
                        CallEvent(
                            call_id=call.id,
                            at=now,
                            request_key=key,
                            step="fallback",
                            outcome=f"error:{hook.error_code or '?'}"[:64],
                            heard=(hook.error_url or "")[:200] or None,
                            response=answer,
                        )
                    )
        except Exception:
            log.exception("call %s: the fallback could not be logged", hook.call_sid)
        return answer

    def _fallback_answer(self, call_sid: str, confirming: bool | None = False) -> str:
        """The fallback's apology, in the caller's language once known; when the call made
        changes (the step that timed out may well have made its change, then waited to save
        the call: SQLite's write lock), what they were — the parent must not believe they
        failed. ``confirming`` (the error answered a read-back; None: whether the call is at
        one, by its step) and no change: that nothing was changed. Any error reading them: the
        plain apology."""
        lang: str | None = None
        try:
            with self.sessions() as session:
                call = self._load(session, call_sid)
                if call is None:
                    return twiml.apology(self.settings)
                lang = call.language
                if confirming is None:
                    confirming = call.step == CONFIRM
                changes = self._changes_of(session, call_sid)
        except Exception:
            log.exception("call %s: the fallback could not read the call's changes", call_sid)
            return twiml.apology(self.settings, lang)
        if not changes and confirming:
            return twiml.apology(self.settings, lang, lambda sp: [_not_recorded(sp, False)])
        if not changes:
            return twiml.apology(self.settings, lang)

        def said(sp: Speaker) -> list[str]:
            done = self.flow.done_lines(self.flow.speaker(sp.lang), changes)
            return [sp._("Before this incident, your request was recorded."), *done] if done else []

        return twiml.apology(self.settings, lang, said)

    def _changes_of(
        self, session: Session, call_sid: str
    ) -> list[tuple[str, date, list[str]]]:
        """The meals this call changed, by the audit log (a change taken back in the same call
        is none): the action, day and first names of each change, in the order made."""
        rows = session.execute(
            select(AuditEntry.child_id, AuditEntry.day, AuditEntry.before, AuditEntry.after,
                   Child.first_name)
            .join(Child, Child.id == AuditEntry.child_id)
            .where(AuditEntry.call_sid == call_sid, AuditEntry.action.in_(("book", "cancel")))
            .order_by(AuditEntry.id)
        ).all()
        net: dict[tuple[int, date], list[Any]] = {}
        for child_id, day, before, after, name in rows:
            if child_id is None or day is None:
                continue
            seen = net.setdefault((child_id, day), [before, after, name])
            seen[1] = after
        grouped: dict[tuple[str, date], list[str]] = {}
        for (_, day), (before, after, name) in net.items():
            if before != after and after in ("booked", "not_booked"):
                action = "book" if after == "booked" else "cancel"
                grouped.setdefault((action, day), []).append(name)
        return [(action, day, names) for (action, day), names in grouped.items()]

    # ------------------------------------------------------------------ claim, work, save
    def _run(
        self,
        hook: Webhook,
        key: str,
        create: bool,
        action_url: ActionUrl,
        work: Callable[[CallState], Turn],
        expected: str | None = None,
    ) -> str:
        """Claim, work, save. ``expected``: the sequence number the step's URL carried; when it
        is not the call's current one, see :meth:`_stale`."""
        started = time.monotonic()
        with ExitStack() as lent:
            try:
                claim = self._claim_lent(hook, key, create, lent)
            except _Answered:
                lent.close()  # waiting for the first delivery's answer holds no connection
                return self._replay(hook.call_sid, key)
            except _UnknownCall:
                log.warning("step for unknown call %s: apologising", hook.call_sid)
                return twiml.apology(self.settings)
            except DBAPIError:
                log.exception("call %s: the claim of %s failed", hook.call_sid, key)
                lent.close()
                return self._claim_failed(hook, key, create)
            st = claim.state
            if expected is not None and str(st.data.get("seq", "")) != expected:
                return self._stale(hook, key, claim, expected, action_url)
            asked = st.step  # the question answered (the work moves st on)
            heard = hook.heard if key != "voice" else None
            try:
                with commit_by(started + WEBHOOK_BUDGET):
                    turn = work(st)
                action = None
                if turn.reply.ask is not None:
                    seq = int(st.data.get("seq", 0)) + 1
                    st.data["seq"] = seq
                    action = action_url(seq)
                answer = twiml.render(turn.reply, action)
                self._save(claim, st, turn, heard, answer)
            except TooSlow:
                # The change was rolled back (ready past the webhook's time limit): the caller
                # is told that it was not made — and that the earlier ones of the call stay.
                log.error("call %s: change rolled back at %s, too slow", hook.call_sid, key)
                earlier = claim.outcome in CHANGED
                answer = twiml.apology(
                    self.settings, st.language, lambda sp: [_not_recorded(sp, earlier)]
                )
                self._save_failure(claim, answer, asked, heard, "too_slow")
                return answer
            except Exception:
                log.exception("call %s: unexpected error at %s", hook.call_sid, key)
                # The parent who has just pressed 1 to a read-back is told whether it was done,
                # as the fallback tells it: by the audit log, written with each change (read on
                # another connection: the booking's COMMIT, sent without waiting, read first).
                settle_lent()
                answer = self._fallback_answer(hook.call_sid, confirming=asked == CONFIRM)
                self._save_failure(claim, answer, asked, heard)
                return answer
            if self.outbox is not None:
                for receipt in turn.receipts:
                    self.outbox.put(receipt)
            return answer

    def _stale(
        self, hook: Webhook, key: str, claim: _Claim, n: str, action_url: ActionUrl
    ) -> str:
        """A step whose ``n`` is not the current question's: the current question again, under
        the same ``n`` — the sequence does not move on, or the caller's real answer, posted to
        the action they heard, would be taken as stale in its turn. Only the event is written
        (what was heard stays unlogged: it may be a code): a call state saved from this
        webhook could overwrite the real answer's, made meanwhile."""
        st = claim.state
        current = st.data.get("seq")
        log.warning(
            "call %s: stale step n=%r (expected %r): asking again", hook.call_sid, n, current
        )
        step, outcome = st.step, "stale"
        try:
            turn = self.flow.again(st)  # a call already ended: its goodbye ("ended")
            step, outcome = turn.step, turn.outcome[:64]
            action = action_url(int(current or 0)) if turn.reply.ask is not None else None
            answer = twiml.render(turn.reply, action)
        except Exception:
            log.exception("call %s: unexpected error at %s", hook.call_sid, key)
            answer, outcome = twiml.apology(self.settings, st.language), "error"
        try:
            self.store.save_event(
                claim.event_id,
                {
                    "event_step": step,
                    "input_kind": hook.heard.kind,
                    "heard": None,
                    "event_outcome": outcome,
                    "response": answer,
                },
            )
        except Exception:
            log.exception("call %s: the stale step %s could not be logged", hook.call_sid, key)
        return answer

    def _claim_lent(self, hook: Webhook, key: str, create: bool, lent: ExitStack) -> _Claim:
        """The claim (:meth:`_claim`), on PostgreSQL on a connection of the call-state pool lent
        in ``lent`` for the whole webhook: the claim, the step's reads and the save (SQLite has
        no round trips to save).

        A claim that meets a connection the server dropped (a restart, a failover: a pooled
        connection used again within ``PING_AFTER_IDLE`` is not pinged) is made once more, on a
        new connection — the other connections made before it are replaced too (see
        :func:`restomairie.db.replace_dropped`). It is the webhook's first statement, alone in
        its transaction, so the server made it whole or not at all. If it did (the connection
        died after it, before its answer), the second claim finds the webhook's event and takes
        the webhook as delivered before, like a Twilio retry: nothing is done twice."""
        for last in (False, True):
            try:
                if self.store.postgres:
                    lent.enter_context(lend_connection(self.store.autocommit))
                return self._claim(hook, key, create)
            except DBAPIError as error:
                if last or not error.connection_invalidated:
                    raise
                log.warning(
                    "call %s: the claim of %s met a connection the server dropped: claimed "
                    "again on a new one",
                    hook.call_sid,
                    key,
                )
                lent.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def _claim_failed(self, hook: Webhook, key: str, create: bool) -> str:
        """The answer to a webhook whose claim failed on a database error: the fallback's
        apology (at a read-back, that nothing was changed: the step never ran). The failure is
        recorded, as the line's other apologies are, when the database answers again (new
        connections): the call ended with the outcome "error" and an event for the step (a
        first webhook's call is created for it); else it is logged."""
        answer = self._fallback_answer(hook.call_sid, confirming=None)
        heard = hook.heard if key != "voice" else None
        try:
            with self.sessions() as session, session.begin():
                call = self._load(session, hook.call_sid)
                if call is None and not create:
                    return answer  # a step of a call this line never answered
                call = call or self._new_call(session, hook, GREETING)
                event = self._event(session, call.id, key)
                if event is not None and event.response:
                    return event.response  # answered meanwhile by another delivery
                if event is None:
                    event = CallEvent(
                        call_id=call.id, at=self.clock.now(), request_key=key, step=call.step
                    )
                    session.add(event)
                event.outcome = "error"
                event.response = answer
                if heard is not None:
                    event.input_kind = heard.kind
                    event.heard = logged_answer(event.step, heard)
                _settle(call, "error")
                call.step = END
        except Exception:
            log.exception("call %s: the failure at %s could not be recorded", hook.call_sid, key)
        return answer

    def _claim(self, hook: Webhook, key: str, create: bool) -> _Claim:
        new_call = self._fresh_call(hook, GREETING) if create else None
        try:
            claimed = self.store.claim(hook.call_sid, key, self.clock.now(), new_call)
        except IntegrityError as exc:  # delivered twice (before, or at the same time)
            raise _Answered(key) from exc
        if claimed is None:
            raise _UnknownCall(hook.call_sid)
        if claimed.event_id is None:
            raise _Answered(key)
        row = claimed.call
        # The event is the step this webhook logs (``tried`` names it).
        return _Claim(row.id, _state_of(row, claimed.event_id), row.outcome, row.family_id)

    def _replay(self, call_sid: str, key: str) -> str:
        """The answer given to the first delivery of this webhook (waiting for it if needed).
        None after :data:`REPLAY_WAIT`: the fallback's apology, which says what the call changed
        (at a read-back, that nothing was). By then the first delivery's time to make its
        change (:data:`WEBHOOK_BUDGET`, counted from its start, before this one's) is over: a
        change not in the audit log by then is rolled back."""
        deadline = time.monotonic() + REPLAY_WAIT
        while True:
            with self.sessions() as session:
                stored = session.scalar(
                    select(CallEvent.response)
                    .join(Call, Call.id == CallEvent.call_id)
                    .where(Call.call_sid == call_sid, CallEvent.request_key == key)
                )
            if stored:
                log.info("call %s: %s delivered again, answer replayed", call_sid, key)
                return stored
            if time.monotonic() >= deadline:
                log.error("call %s: %s still unanswered after %.0f s", call_sid, key, REPLAY_WAIT)
                return self._fallback_answer(call_sid, confirming=None)
            time.sleep(0.02)

    def _save(
        self, claim: _Claim, st: CallState, turn: Turn, heard: Heard | None, answer: str
    ) -> None:
        identified = claim.family_id is None and st.data.get("identified") and st.account
        self.store.save(
            claim.call_id,
            claim.event_id,
            {
                "step": st.step,
                "attempts": st.attempts,
                "language": st.language,
                "state": dict(st.data),
            },
            {
                "event_step": turn.step,
                "input_kind": heard.kind if heard is not None else None,
                "heard": turn.heard,
                "event_outcome": turn.outcome[:64],
                "response": answer,
            },
            # CallState.settle only ever raises the outcome: write it only when it changed, so
            # that a status callback's "abandoned" is not overwritten with an older value.
            outcome=st.outcome if st.outcome != claim.outcome else None,
            account=st.account if identified else None,
        )

    def _save_failure(
        self,
        claim: _Claim,
        answer: str,
        step: str,
        heard: Heard | None,
        outcome: str = "error",
    ) -> None:
        """The call ended by an apology; on its event, what was heard (never a code: see
        :func:`~restomairie.ivr.flow.logged_answer`) and ``outcome`` ("too_slow": the change
        confirmed was rolled back)."""
        try:
            with self.sessions() as session, session.begin():
                call = session.get(Call, claim.call_id)
                event = session.get(CallEvent, claim.event_id)
                if call is not None:
                    _settle(call, "error")
                    call.step = END
                if event is not None:
                    event.outcome = outcome
                    event.response = answer
                    if heard is not None:
                        event.input_kind = heard.kind
                        event.heard = logged_answer(step, heard)
        except Exception:
            log.exception("the failure of call event %s could not be saved", claim.event_id)

    # ------------------------------------------------------------------ rows
    def _load(self, session: Session, call_sid: str, lock: bool = False) -> Call | None:
        query = select(Call).where(Call.call_sid == call_sid)
        if lock and is_postgres(session):
            query = query.with_for_update()
        return session.scalars(query).one_or_none()

    def _fresh_call(self, hook: Webhook, step: str) -> dict[str, Any]:
        """A new call's columns besides its CallSid, start time and attempts (see store.py)."""
        return {
            "from_number": hook.from_number[:32] if hook.from_number else None,
            "to_number": hook.to_number[:32] if hook.to_number else None,
            "language": DEFAULT_LANGUAGE,
            "step": step,
            "state": {},
        }

    def _new_call_values(self, hook: Webhook, step: str) -> dict[str, Any]:
        return {
            "call_sid": hook.call_sid,
            "started_at": self.clock.now(),
            "attempts": 0,
            **self._fresh_call(hook, step),
        }

    def _new_call(self, session: Session, hook: Webhook, step: str) -> Call:
        call = Call(**self._new_call_values(hook, step))
        session.add(call)
        session.flush()
        return call

    def _event(self, session: Session, call_id: int, key: str) -> CallEvent | None:
        return session.scalars(
            select(CallEvent).where(CallEvent.call_id == call_id, CallEvent.request_key == key)
        ).one_or_none()


def _state_of(call: Any, event: int | None = None) -> CallState:
    return CallState(
        call_sid=call.call_sid,
        step=call.step,
        attempts=call.attempts,
        language=call.language,
        outcome=call.outcome,
        from_number=call.from_number,
        data=dict(call.state or {}),
        event=event,
    )


def _not_recorded(sp: Speaker, earlier: bool) -> str:
    """What a change rolled back means for the caller (``earlier``: the call made others)."""
    if earlier:
        return sp._(
            "This last request was not recorded; the changes made earlier in the call stay made."
        )
    return sp._("Your request was not recorded: nothing was changed.")


def _settle(call: Call, outcome: str) -> None:
    if OUTCOME_RANK.get(outcome, 0) >= OUTCOME_RANK.get(call.outcome, 0):
        call.outcome = outcome
