"""What the billing centre's staff need beyond the booking services: closures, the call log, the
audit trail, families and their children's months, and a family's data as JSON.

Booking, cancelling (with an override after the deadline) and subscriptions are the booking
services' (:class:`~restomairie.booking.services.BookingService`); the call log's purge is the
scheduler's. Each public method here is one transaction or one read.
"""

from __future__ import annotations

import calendar as stdcalendar
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from restomairie.booking import queries
from restomairie.booking.adjustments import CLOSURE, REOPENING, settle
from restomairie.booking.errors import BookingError, InvalidRequest, UnknownChild, UnknownFamily
from restomairie.booking.guard import guard
from restomairie.booking.importer import normalise_phone
from restomairie.booking.locks import before_service, is_late, school_starts
from restomairie.booking.services import (
    Actor,
    BookingService,
    ChildDay,
    enrolled_on,
    name_key,
    weekdays_text,
)
from restomairie.calendar.days import Closure as CalendarClosure
from restomairie.calendar.days import closed_reason
from restomairie.calendar.schoolholidays import holiday_label
from restomairie.i18n import format_day
from restomairie.ivr.flow import ACCOUNT, CONFIRM, GREETING, PIN
from restomairie.ivr.service import FINAL_STATUSES
from restomairie.models import (
    AuditEntry,
    BookingDay,
    Call,
    CallEvent,
    Child,
    Closure,
    DayLock,
    Family,
    FamilyPhone,
    LockAdjustment,
    LockedChild,
    StaffUser,
    Subscription,
)
from restomairie.phones import WITHHELD_SIP_PATTERNS, WITHHELD_SPELLINGS, is_withheld, mask_phone
from restomairie.staff.labels import (
    ASKED_AGAIN,
    ASKED_INSTEAD,
    BLOCKED,
    CALL_FACTS,
    CALL_OUTCOMES,
    DONE_STATES,
    HUNG_UP_READ_BACK,
    NO_END,
    NO_END_LABEL,
    NOTHING,
    ONGOING,
    ONGOING_LABEL,
    REFUSALS,
    REQUESTS,
    actor_query,
    asked_after,
    attempt_label,
    call_outcome_label,
    event_label,
    refused_deadline,
    who_label,
)
from restomairie.textfold import fold, folded

CLOSURE_KINDS = {"strike": "grève", "trip": "sortie scolaire", "other": "autre"}


def closure_label(kind: str, note: str) -> str:
    """The reason a closure of ``kind`` (a key of :data:`CLOSURE_KINDS`) is shown and said with:
    the kind in French, with the staff's ``note`` in brackets when it adds something ("grève
    (grève des agents)"); for "other" the note alone.

    A note made only of the kind's own words ("grève", "Grève.", "greve", "Sortie" for a school
    trip) is left out: the label is stored once and read everywhere (the staff pages, the
    kitchen's counts and CSV, the phone line's "l'école est fermée (…)"), where "grève (grève)"
    said the same thing twice."""
    note = " ".join(note.split())
    if kind == "other":
        return note or CLOSURE_KINDS[kind]
    label = CLOSURE_KINDS[kind]
    # Case, accents and punctuation do not count: staff type the note freely.
    words = set(re.findall(r"\w+", fold(note)))
    if not words or words <= set(re.findall(r"\w+", fold(label))):
        return label
    return f"{label} ({note})"


# What a step's outcome says the call did (the call keeps only its strongest outcome).
DONE_EVENTS = {
    "booked": "booked", "cancelled": "cancelled", "listed": "listened",
    # refused by the lockout (the family's, or the caller's number's), not by a deadline
    "locked": BLOCKED, "caller_blocked": BLOCKED,
    # "rien à annuler", "déjà réservé": heard, nothing to do
    "nothing_to_cancel": NOTHING, "already_booked": NOTHING, "nothing_to_do": NOTHING,
    "unchanged": NOTHING,
}
# The call's own outcome that a fact of its steps says better: a refusal that was the lockout,
# an "abandon" or a goodbye after "rien à changer".
SAID_BETTER = {"refused": BLOCKED, "abandoned": NOTHING, "goodbye": NOTHING}
# Steps that are not the caller's conversation: Twilio's status callback, its fallback, an
# answer after the end.
OFF_CALL_STEPS = ("status", "fallback", "end")
DONE_ACTIONS = {"book": "booked", "cancel": "cancelled"}
# What the home page counts as a part of calls it counts elsewhere ("dont …"): a call that hung
# up at a read-back is also its outcome's (an "abandon", a "refusé" after an earlier refusal);
# listed among the others, 21 calls read as 22.
AMONG_CALLS = (HUNG_UP_READ_BACK,)
# The channels whose changes are held to a deadline (the import's and the system's are not).
TIMED_CHANNELS = ("phone", "web", "staff")
# A call without an outcome (no status callback yet) is "en cours" for this long after its start,
# then "fin non signalée": no call lasts an hour (MAX_ANSWERS ends it), Twilio did not call back.
ONGOING_FOR = timedelta(hours=1)
# The call's account when the caller was not identified: typed, or matched by caller ID, and the
# code never right (Call.family_id is only set with the right code). Kept in the call's state.
TYPED_ACCOUNT = Call.state["account"].as_string()
# The account of the family whose phone called, when the caller pressed "0#" at its code
# question ("this phone is not my family's", ivr.flow.CallFlow._other_account): the call is not
# that family's (unless identified as it), but the wrong codes typed for it before count in its
# lockout.
PHONE_ACCOUNT = Call.state["phone_account"].as_string()
# Twilio ends any call after four hours: a change made this long after a purge's cut-off can
# still come from a call that started before it (and was purged).
LONGEST_CALL = timedelta(hours=4)
# What staff type in the call log's number field to find the calls from withheld numbers.
WITHHELD_SEARCH = frozenset({"anonyme", "masqué", "masque", "numéro masqué", "numero masque",
                             "anonymous", "caché", "cache", "inconnu"})
SECRET_STEP_WORDS = ("pin", "code", "secret")
# The questions that may follow a call's welcome (one sentence each).
FIRST_QUESTIONS = frozenset({ACCOUNT, PIN})
CHOSEN = "choisi (jour par jour)"
MAX_CLOSURE_DAYS = 366
# The words of a family search that count (each must match: more only narrow it further).
MAX_WORDS = 8
# and the characters: more than any name or number (SQLite refuses a LIKE pattern over 50,000).
MAX_QUERY = 200
PAGE = 50


# --------------------------------------------------------------------------- phone numbers
def withheld_query(text: str) -> bool:
    """Whether a search for a number asks for the withheld ones ("anonyme", "masqué", or one of
    Twilio's own spellings)."""
    words = " ".join(text.split()).lower()
    return bool(words) and (words in WITHHELD_SEARCH or is_withheld(words))


def _withheld_number() -> Any:
    """The calls whose ``From`` is a withheld number, however Twilio wrote it (with or without
    "+", "client:Anonymous", any case), or none at all."""
    spellings = sorted({w.lower() for w in WITHHELD_SPELLINGS})
    number = func.lower(Call.from_number)
    return or_(Call.from_number.is_(None), number.in_(spellings),
               *(number.like(p) for p in WITHHELD_SIP_PATTERNS))


def phone_query(text: str) -> str | None:
    """A typed number in E.164, or None when it is not a whole phone number.

    Beside the importer's spellings ("06 12 34 56 78", "+33…", "0033…"), a French number
    typed in international form without its "+" ("33 6 12 34 56 78": 11 digits starting 33,
    which no French national number is; "33 (0)6…", its trunk 0 kept, 12) is taken as it is
    meant."""
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.isdigit() and digits.startswith("33") and (
            len(digits) == 11 or (len(digits) == 12 and digits[2] == "0")):
        text = "+" + digits
    try:
        return normalise_phone(text)
    except ValueError:
        return None


def not_a_phone_number(text: str) -> bool:
    """Whether a typed number holds something a phone number never has (letters, signs): not
    a number cut short, but no number at all."""
    return re.fullmatch(r"\+?[\d\s.\-()]+", text.strip()) is None


def account_query(text: str) -> str:
    """A family account as typed, without the spaces inside it ("210 500" is 210500)."""
    return "".join(text.split())


def _word_match(word: str) -> Any:
    """The families where ``word`` is in the guardian's name, a child's first or last name
    (accents and case aside), at the start of the account, or is a child id."""
    low = fold(word)
    children = select(Child.family_id).where(or_(
        folded(Child.first_name).contains(low, autoescape=True),
        folded(Child.last_name).contains(low, autoescape=True),
        Child.ref == word,
    ))
    return or_(
        Family.account.startswith(word, autoescape=True),
        folded(Family.guardian).contains(low, autoescape=True),
        Family.id.in_(children),
    )


# --------------------------------------------------------------------------- views
@dataclass(frozen=True)
class ClosureView:
    id: int
    school_id: str | None
    school_name: str
    first_day: date
    last_day: date
    kind: str
    label: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class ClosureReport:
    """What a declared (or lifted) closure did."""

    closure_id: int
    label: str
    days: int  # operating days it closed (or reopened)
    meals: int  # meals on those days: not billed (or billable again)
    adjustments: int  # of them on days already locked: kitchen adjustments recorded


class PastClosure(InvalidRequest):
    """A closure that reaches back before today: its meals there were served (or not) and are
    billed; un-billing them needs staff to confirm it, knowing how many. Nothing was written."""

    code = "past_closure"

    def __init__(self, days: int, meals: int, first: date, last: date) -> None:
        span = (f"le {format_day(first, year=True)}" if first == last else
                f"du {format_day(first, year=True)} au {format_day(last, year=True)}")
        super().__init__(
            f"Cette fermeture comprend {days} jour(s) de cantine déjà passé(s) ({span}) : "
            f"{meals} repas réservé(s) ces jours-là ne seraient plus facturé(s) (la cuisine "
            "n'a rien à changer : ces repas sont servis). Cochez la confirmation pour "
            "l'enregistrer quand même.")
        self.days, self.meals, self.first, self.last = days, meals, first, last


@dataclass(frozen=True)
class CallRow:
    call_sid: str
    started_at: datetime
    masked: str
    account: str | None
    outcome: str | None
    status: str | None
    duration: int | None  # seconds, as Twilio reported them (None: not reported)
    verified: bool = True  # False: the account was typed or matched, the code never right
    # every outcome of the call in order: ("cancelled", "booked"); also "blocked" (refused by a
    # lockout), "nothing" ("rien à annuler"…), "hung_up_read_back" (last, when it ended there)
    did: tuple[str, ...] = ()
    training_by: str | None = None  # staff user who made it from the in-browser phone
    summary: str = ""  # the "Issue" column: "annulation, réservation", "en cours"…
    # which children and meal days the call was about, when known, in order: its changes
    # ("Rose — 26/11 : annulé") and its requests that changed nothing ("Rose — 24/11 :
    # annulation refusée (délai dépassé)", "… relue, jamais confirmée (raccroché)")
    about: tuple[str, ...] = ()
    # Neither identified nor an account typed (the line was closed, the caller hung up before
    # the code…), from a number registered to these families' accounts (today's numbers):
    # "numéro de la famille, code non saisi"; several when the number is shared.
    number_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attempt:
    """A request made on the phone that changed nothing: refused, or read back and never
    confirmed. What the agent needs when a parent says "mais j'ai bien annulé !"."""

    call_sid: str
    at: datetime  # when the line answered it
    kind: str  # "refused" or "read_back"
    code: str  # the refusal's code, or how the read-back ended (labels.READ_BACK_ENDINGS)
    action: str | None  # "book", "cancel"; None when the line did not record it
    day: date | None
    children: tuple[str, ...]  # refs (empty when the line did not record them)
    names: tuple[str, ...]  # their first names, as the line had them
    label: str = ""  # in French: "annulation refusée (trop tard : il fallait annuler…)"


@dataclass(frozen=True)
class Exchange:
    """One step of a call: what the caller did, then what the line said."""

    at: datetime
    step: str
    input_kind: str | None
    heard: str | None  # None for a secret step (never the code)
    secret: bool
    outcome: str | None
    said: tuple[str, ...]
    hung_up: bool
    asks: str | None = None  # the step the line's last question is for (None: not known)
    # Received after Twilio said the call had ended (a key pressed just before hanging up):
    # done, but what the line answered was never heard.
    after_end: bool = False
    # How many of the sentences said are the line's welcome, before its first question
    # (labelled "accueil", not with the question's step).
    opening: int = 0


@dataclass(frozen=True)
class Adjustment:
    """One change of a child's meal recorded beside a locked figure (never by rewriting it)."""

    at: datetime
    delta: int  # +1: a meal more for the kitchen, -1: a meal less
    variant: str
    actor: str


@dataclass(frozen=True)
class KitchenNote:
    """What the kitchen was told of a child's meal at the day's lock, and the adjustments made
    since: what staff need to answer "mais j'ai bien annulé !" on a day forced after the lock
    (was the meal produced, and is it still counted?)."""

    locked_at: datetime
    deadline: datetime  # the lock's cut-off
    counted: str | None  # the menu the child was counted under at the lock; None: not counted
    adjustments: tuple[Adjustment, ...]

    @property
    def meals(self) -> int:
        """The child's meals the kitchen counts now: the lock's, moved by the adjustments."""
        return (1 if self.counted else 0) + sum(a.delta for a in self.adjustments)


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    actor: str
    channel: str
    action: str
    account: str | None
    child: str | None
    day: date | None
    before: str | None
    after: str | None
    call_sid: str | None
    detail: dict[str, Any] | None
    training_by: str | None = None  # the call was a training call by this staff user
    # A forced change on a day already locked: recorded as a kitchen adjustment beside the
    # locked figure (the kitchen had already been told the other figure).
    after_lock: bool = False
    # A booking or cancellation by a family or staff: the deadline of that meal day for the
    # child's school under the rule of the change's channel (the booking engine's day status),
    # and whether the change came before it (None: not known, past the shipped calendar).
    deadline: datetime | None = None
    on_time: bool | None = None
    # The entry's call is no longer in the call log (its link says so instead of leading to a
    # bare 404): purged after this many days of retention (``retention.call_log_days``)…
    call_purged_after: int | None = None
    # …or never in it at all (a change recorded with a CallSid the log does not hold)
    call_missing: bool = False
    # An adjustment after the lock: what the kitchen was told of that child's meal at the lock
    # and the adjustments made until this one (included).
    kitchen: KitchenNote | None = None

    @property
    def override(self) -> str | None:
        """The reason of an override as stored (see :attr:`forced` for whether it forced
        anything)."""
        return (self.detail or {}).get("override")

    @property
    def forced(self) -> bool:
        """Did this change override a deadline or a lock ("forçage")? The booking engine stores
        an override only on the days that needed one; an entry written before it did (the box
        ticked over a range) says "override" on days still in time: such a day, made before its
        deadline and not after a lock, was not forced and reads as a plain reason."""
        return bool(self.override) and not (self.on_time and not self.after_lock)

    @property
    def served(self) -> bool:
        """A forced change for a day whose meals had been served: billing only, no kitchen
        adjustment (the kitchen's record of that day stays what was produced)."""
        return bool((self.detail or {}).get("served"))

    @property
    def reason(self) -> str | None:
        """The reason staff gave: an unlock's, or a change's made without overriding (a forced
        change's is :attr:`override`; an override that forced nothing is this reason)."""
        return (self.detail or {}).get("reason") or (
            None if self.forced else self.override)

    @property
    def until(self) -> datetime | None:
        """How long a phone lockout lasted (``phone_lockout`` entries)."""
        return _until(self.detail) if self.action == "phone_lockout" else None

    @property
    def staff_note(self) -> str | None:
        """A staff change's forcing or reason, as a day's line and a call's correction say it:
        "forçage : certificat médical", "motif : maladie signalée"; None without either."""
        if self.forced:
            return f"forçage : {self.override}"
        return f"motif : {self.reason}" if self.reason else None

    @property
    def done(self) -> str:
        """What a booking change left the meal: "réservé", "annulé"."""
        return DONE_STATES.get(self.action, self.action)

    @property
    def by(self) -> str:
        """Who made a booking change and how, after its state: "par téléphone", "par agent
        marie (mairie, forçage : certificat médical)" (staff named as everywhere else, by
        :func:`who_label`), "par la famille (web)", "par import"."""
        if self.channel == "phone":
            return "par téléphone" + (
                f" (appel d'essai par {who_label(self.training_by)})" if self.training_by else "")
        if self.channel == "staff":
            note = self.staff_note
            return f"par {who_label(self.actor, self.action)} (mairie{', ' + note if note else ''})"
        if self.channel == "web":
            return "par la famille (web)"
        if self.channel == "import":
            return "par import"
        if self.channel == "system":
            return "par le système"
        return f"par {who_label(self.actor)}"


@dataclass(frozen=True)
class Correction:
    """A request of a call that changed nothing, done later by staff for that child and day."""

    name: str  # the child's first name
    day: date
    asked: str  # the request, as the call's row says it: "annulation refusée (délai dépassé)"
    change: HistoryEntry  # the staff change (who, when, forced or not and why)


@dataclass(frozen=True)
class CallDetail:
    row: CallRow
    number: str | None
    ended_at: datetime | None
    duration: int | None  # seconds, as Twilio reported them
    language: str
    exchanges: tuple[Exchange, ...]
    changes: tuple[HistoryEntry, ...]
    training_by: str | None  # staff user who made it from the in-browser phone
    # How the account was found: "caller_id", "typed", "typed_elsewhere" (from a number that is
    # not the family's), "typed_withheld" (from a withheld number)
    identified_by: str | None = None
    ending: str | None = None  # how it ended when that needs saying (hung up at the read-back)
    # The staff changes made later that did what the call asked and could not do (refused,
    # never confirmed), for the same child and day: "corrigé ensuite par marie…".
    corrections: tuple[Correction, ...] = ()
    # The family whose phone called, when the caller said with "0#" that it was not theirs
    # (the call is not that family's unless identified as it).
    phone_account: str | None = None



@dataclass(frozen=True)
class Purge:
    """The call log's latest purge (``purge_call_logs`` in the audit log)."""

    at: datetime  # when it ran
    before: datetime  # the calls started before this were deleted with their steps
    days: int  # the retention period then (``retention.call_log_days``)

    def covers(self, change_at: datetime) -> bool:
        """Could a call that made a change at ``change_at`` have been deleted by it?"""
        return _utc(change_at) < _utc(self.before) + LONGEST_CALL


@dataclass(frozen=True)
class GoneCall:
    """A call no longer in the call log that the audit log names: what its changes were, and
    the purge that deleted its details (``None``: no purge explains it)."""

    call_sid: str
    purge: Purge | None
    changes: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class Lockout:
    """A family's (latest) phone lockout and the calls behind it."""

    until: datetime
    active: bool
    causes: tuple[CallRow, ...]  # the calls with the wrong codes that locked it
    blocked: tuple[CallRow, ...]  # calls refused while it was locked
    locked_at: datetime | None = None
    lifted_at: datetime | None = None  # lifted by staff before its end (None: it ran out)
    lifted_by: str | None = None
    reason: str | None = None  # the reason staff gave to lift it


@dataclass(frozen=True)
class FamilyRow:
    account: str
    guardian: str
    children: tuple[str, ...]
    masked: tuple[str, ...]


@dataclass(frozen=True)
class ChildView:
    ref: str
    first_name: str
    last_name: str
    school_id: str
    school_name: str
    diet: str
    enrolled_from: date
    enrolled_until: date | None
    pattern: str  # the weekly pattern in force today, and the next one if it changes
    subscriptions: tuple[tuple[date, date | None, str], ...]
    # The weekdays (0 = Monday) of the pattern the subscription form starts from: the one
    # already scheduled if any, else the one in force today; empty for "abonnement choisi".
    weekdays: tuple[int, ...] = ()


@dataclass(frozen=True)
class FamilyView:
    account: str
    guardian: str
    language: str
    phones: tuple[str, ...]  # masked ("+33 6 •• •• •• 78")
    created_at: datetime
    locked_until: datetime | None
    children: tuple[ChildView, ...]


@dataclass(frozen=True)
class DayCell:
    day: date
    in_month: bool
    state: str  # subscription, booked, cancelled, none, closed, closure, not_enrolled, unknown
    label: str
    reason: str | None = None
    locked: bool = False
    deadline: datetime | None = None
    open: bool = False  # still changeable by the family
    # The school's lock cut-off for the day, when the day is overdue for the lock (the cut-off
    # passed ``LATE_AFTER`` ago or more and the day is still not locked: the kitchen's
    # "Verrouillage en retard"); None otherwise.
    overdue_since: datetime | None = None
    # The staff's own deadline, when their rule is stricter than the families' and has passed
    # while the family can still change the day: "modifiable par la famille" only.
    staff_closed_at: datetime | None = None
    # The staff's own deadline, when their rule is more lenient than the families' and is still
    # ahead while the family's has passed: "modifiable à la mairie" only (``open`` is False).
    staff_open_until: datetime | None = None
    # The change that made the day's state (booked or cancelled, not the weekly pattern's):
    # the last booking or cancellation of the child's day in the audit log.
    change: HistoryEntry | None = None
    # When that last change came after others of the same day within one call (cancelled, then
    # booked again before hanging up): all of them, in order, the last one included; and when
    # that call began (None: no longer in the call log). Empty otherwise.
    within_call: tuple[HistoryEntry, ...] = ()
    call_started: datetime | None = None
    # A locked day whose figure for this child was adjusted since (a change forced after the
    # lock, an import, a closure): what the kitchen was told at the lock and what changed since.
    kitchen: KitchenNote | None = None

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None

    @property
    def sequence(self) -> str:
        """The changes of :attr:`within_call` as one phrase: "annulé puis réservé à nouveau"
        (a state the day already had, before the call or earlier in it, is "à nouveau")."""
        if not self.within_call:
            return ""
        # (an entry's ``before`` is "booked" or "not_booked": only the first is a word said)
        seen = {DONE_STATES["book"]} if self.within_call[0].before == "booked" else set()
        words = []
        for e in self.within_call:
            word = e.done
            words.append(f"{word} à nouveau" if word in seen else word)
            seen.add(word)
        return " puis ".join(words)



@dataclass(frozen=True)
class MonthView:
    child: ChildView
    month: date
    weeks: tuple[tuple[DayCell, ...], ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> list[DayCell]:
        """The days of the grid overdue for the lock, in order."""
        return [c for week in self.weeks for c in week if c.overdue]


STATE_LABELS = {
    "subscription": "réservé (abonnement)",
    "booked": "réservé",
    "cancelled": "annulé",
    "none": "non réservé",
    "closed": "pas de cantine",
    "closure": "fermé — non facturé",
    "not_enrolled": "non inscrit",
    "unknown": "hors calendrier",
}


def said_in(twiml: str) -> tuple[tuple[str, ...], bool]:
    """The sentences of a TwiML answer (``<Say>``, also inside ``<Gather>``) and whether it
    hangs up."""
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError:
        return (), False
    says = tuple(" ".join((el.text or "").split()) for el in root.iter("Say") if el.text)
    hung = any(True for _ in root.iter("Hangup")) or any(True for _ in root.iter("Reject"))
    return says, hung


class StaffService:
    """The back office over the shared store."""

    def __init__(self, booking: BookingService) -> None:
        self.booking = booking
        self.settings = booking.settings
        self.sessions = booking.sessions
        self.clock = booking.clock

    def school_name(self, school_id: str | None) -> str:
        if school_id is None:
            return "toutes les écoles"
        try:
            return self.settings.school(school_id).name
        except KeyError:
            return school_id

    # ================================================================== closures
    def closures(self, include_past: bool = False) -> list[ClosureView]:
        """Declared closures, the latest first (past ones only if asked)."""
        today = self.clock.today()
        with self.sessions() as session:
            stmt = select(Closure).order_by(Closure.first_day.desc(), Closure.id.desc())
            if not include_past:
                stmt = stmt.where(Closure.last_day >= today)
            return [self._closure_view(c) for c in session.scalars(stmt)]

    def _closure_view(self, c: Closure) -> ClosureView:
        return ClosureView(
            c.id, c.school_id, self.school_name(c.school_id), c.first_day, c.last_day, c.kind,
            c.label, c.created_by, c.created_at,
        )

    def declare_closure(
        self,
        school_id: str | None,
        first_day: date,
        last_day: date,
        kind: str,
        note: str,
        actor: Actor,
        confirm_past: bool = False,
    ) -> ClosureReport:
        """Close one school (or all, ``school_id`` None) from ``first_day`` to ``last_day``.

        Those days stop being operating days for booking. Nothing is refused silently: every meal
        booked on them becomes "closed, not billed" with an audit entry per child and day, and on
        a day already locked adjustments beside the locked figure take each of its variants to
        0 (the figure itself never changes) — unless its meals were served already (a day gone
        by, today after lunch): then it is billing only, and the kitchen's record stays.

        A range without a canteen day to close (a Wednesday, the holidays, days already closed)
        is refused with the reason, and one with days before today raises :class:`PastClosure`
        (how many meals it would un-bill) unless ``confirm_past``; nothing is written then."""
        kind, label = self._closure_label(kind, note)
        schools = self._closure_schools(school_id, first_day, last_day)
        now = self.clock.now()
        # Declared between a cut-off and a lock the scheduler missed (or has not taken yet), the
        # closure was folded into the figure that lock froze: 0, with no adjustment, unlike the
        # same closure a minute later. The lock comes first, then the closure beside it.
        self.booking.lock_overdue(set(schools), first_day, last_day, now)
        with self.sessions() as session, session.begin():
            days = self._closure_days(session, schools, first_day, last_day, exclude=None)
            if not days:
                raise InvalidRequest(self._nothing_to_close(
                    session, school_id, schools, first_day, last_day))
            past = sorted({d for _, d in days if d < now.astimezone(self.settings.tz).date()})
            if past and not confirm_past:
                meals = sum(
                    len(session.execute(queries.booked_children(
                        day, [s for s, d in days if d == day])).all())
                    for day in past)
                raise PastClosure(len(past), meals, past[0], past[-1])
            guard(session, days, exclusive=True)
            row = Closure(
                school_id=school_id, first_day=first_day, last_day=last_day, kind=kind,
                label=label, created_by=actor.label, created_at=now,
            )
            session.add(row)
            session.flush()
            meals, adjusted = self._reflect(session, days, row, actor, now, closing=True)
            session.add(AuditEntry(
                at=now, actor=actor.label, channel=actor.channel, action="closure_declared",
                day=first_day, before=None, after=kind,
                detail={"closure": row.id, "school": school_id, "first_day": first_day.isoformat(),
                        "last_day": last_day.isoformat(), "label": label, "days": len(days),
                        "meals": meals, "adjustments": adjusted},
            ))
            return ClosureReport(row.id, label, len({d for _, d in days}), meals, adjusted)

    def lift_closure(self, closure_id: int, actor: Actor) -> ClosureReport:
        """Withdraw a closure declared by mistake: its days open again and their meals are
        billable again (audited; +1 adjustments on locked days)."""
        now = self.clock.now()
        with self.sessions() as session:
            known = session.get(Closure, closure_id)
            span = None if known is None else (known.school_id, known.first_day, known.last_day)
        if span is not None:  # as for a declared closure: the lock first, then the change
            school_id, first_day, last_day = span
            closed = {school_id} if school_id else {s.id for s in self.settings.schools}
            self.booking.lock_overdue(closed, first_day, last_day, now)
        with self.sessions() as session, session.begin():
            row = session.get(Closure, closure_id)
            if row is None:
                raise InvalidRequest(f"Fermeture inconnue : {closure_id}.")
            schools = [row.school_id] if row.school_id else [s.id for s in self.settings.schools]
            days = self._closure_days(session, schools, row.first_day, row.last_day, exclude=row.id)
            guard(session, days, exclusive=True)
            meals, adjusted = self._reflect(session, days, row, actor, now, closing=False)
            session.add(AuditEntry(
                at=now, actor=actor.label, channel=actor.channel, action="closure_lifted",
                day=row.first_day, before=row.kind, after=None,
                detail={"closure": row.id, "school": row.school_id,
                        "first_day": row.first_day.isoformat(),
                        "last_day": row.last_day.isoformat(),
                        "label": row.label, "meals": meals, "adjustments": adjusted},
            ))
            report = ClosureReport(row.id, row.label, len({d for _, d in days}), meals, adjusted)
            session.delete(row)
            return report

    def _closure_label(self, kind: str, note: str) -> tuple[str, str]:
        note = " ".join(note.split())[:150]
        if kind not in CLOSURE_KINDS:
            raise InvalidRequest(f"Motif de fermeture inconnu : {kind} (grève, sortie, autre).")
        if kind == "other" and not note:
            raise InvalidRequest("Précisez le motif de la fermeture.")
        return kind, closure_label(kind, note)

    def _closure_schools(self, school_id: str | None, first: date, last: date) -> list[str]:
        if last < first:
            raise InvalidRequest("La fin de la fermeture est avant son début.")
        if (last - first).days >= MAX_CLOSURE_DAYS:
            raise InvalidRequest("Une fermeture dure au plus un an.")
        if school_id is None:
            return [s.id for s in self.settings.schools]
        try:
            self.settings.school(school_id)
        except KeyError:
            raise InvalidRequest(f"École inconnue : {school_id}.") from None
        return [school_id]

    def _nothing_to_close(self, session: Session, school_id: str | None,
                          schools: Sequence[str], first: date, last: date) -> str:
        """Why a range has no canteen day to close: each day's reason (a Wednesday, the
        holidays, a closure already declared), in French."""
        closures = self.booking.closures(session)
        reasons: list[str] = []
        day = first
        while day <= last:
            for school in schools:
                reason = self.booking.day_status(day, school, "phone", closures).reason
                reasons.append(closed_reason(day, reason) if reason else "pas de cantine")
            day += timedelta(days=1)
        why = "; ".join(dict.fromkeys(reasons))
        span = (f"le {format_day(first, year=True)}" if first == last else
                f"du {format_day(first, year=True)} au {format_day(last, year=True)}")
        where = ("dans aucune école" if school_id is None
                 else f"pour « {self.school_name(school_id)} »")
        return (f"Aucun jour de cantine à fermer {span} {where} ({why}) : aucune fermeture "
                "n'a été enregistrée.")

    def _closure_days(
        self, session: Session, schools: Sequence[str], first: date, last: date,
        exclude: int | None,
    ) -> list[tuple[str, date]]:
        """The (school, day) of the range that are operating days without this closure (days
        already closed by another closure are left to it). Raises OutsideCalendar past the
        shipped calendar."""
        others = tuple(
            CalendarClosure(c.school_id, c.first_day, c.last_day, c.label, c.kind)
            for c in session.scalars(select(Closure).where(
                Closure.first_day <= last, Closure.last_day >= first,
            ))
            if c.id != exclude
        )
        out = []
        day = first
        while day <= last:
            for school in schools:
                st = self.booking.day_status(day, school, "phone", others)
                if st.operating:
                    out.append((school, day))
            day += timedelta(days=1)
        return out

    def _reflect(
        self, session: Session, days: list[tuple[str, date]], closure: Closure, actor: Actor,
        now: datetime, *, closing: bool,
    ) -> tuple[int, int]:
        """Audit each booked meal of the closed (or reopened) days; adjust locked days.

        A locked day is adjusted from what the kitchen was told (the locked list and the
        adjustments since, :mod:`restomairie.booking.adjustments`), not from the children booked
        now: a child whose diet or school changed after the lock was counted under the old ones.
        Closing takes every variant of the site to exactly 0; reopening counts again, with its
        variant of today, every child booked that day (adjustments beside the figure)."""
        by_day: dict[date, list[str]] = {}
        for school, day in days:
            by_day.setdefault(day, []).append(school)
        if not by_day:
            return 0, 0
        locks = {
            (lk.school_id, lk.day): lk
            for lk in session.scalars(select(DayLock).where(DayLock.day.in_(list(by_day))))
        }
        meals = adjusted = 0
        reason = ("fermeture : " if closing else "fermeture annulée : ") + closure.label
        for day, schools in sorted(by_day.items()):
            rows = session.execute(
                queries.booked_children(day, schools).add_columns(Child.family_id)
            ).all()
            booked: dict[str, dict[int, str | None]] = {}
            for child_id, school_id, diet, family_id in rows:
                meals += 1
                booked.setdefault(school_id, {})[child_id] = diet
                session.add(AuditEntry(
                    at=now, actor=actor.label, channel=actor.channel,
                    action="closure" if closing else "closure_lifted",
                    family_id=family_id, child_id=child_id, day=day,
                    before="booked" if closing else "closed",
                    after="closed" if closing else "booked",
                    detail={"closure": closure.id, "label": closure.label, "billed": not closing},
                ))
            # A day already served keeps the kitchen's record (what was cooked and delivered):
            # closing it afterwards un-bills its meals, and that is all.
            served = self.booking.served(day, now)
            for school_id in schools:
                lock = locks.get((school_id, day))
                if lock is not None and not served:
                    adjusted += settle(
                        session, lock, {} if closing else booked.get(school_id, {}),
                        kind=CLOSURE if closing else REOPENING,
                        reason=reason, actor=actor.label, at=now, everyone=True,
                    )
        return meals, adjusted

    # ================================================================== calls
    def outcomes(self) -> dict[str, str]:
        """The outcomes the call log can be searched by, with their labels (and any other seen
        in the log); ``hung_up_read_back``: calls that ended at a read-back, the change read
        back not confirmed (whatever they did before: a refusal, a change), beside "abandon";
        ``blocked``: calls refused by a lockout; ``nothing``: calls that heard
        "rien à annuler" or "déjà réservé"; ``in_progress``: calls without an
        outcome yet, started less than an hour ago; ``no_end``: the older ones."""
        with self.sessions() as session:
            seen = session.scalars(select(Call.outcome).where(Call.outcome.is_not(None)).distinct())
            extra = {o: o for o in seen if o and o not in CALL_OUTCOMES}
        found: dict[str, str] = {}
        for key, label in CALL_OUTCOMES.items():
            found[key] = label
            if key == "abandoned":  # where a reader looks for the calls hung up midway
                found[HUNG_UP_READ_BACK] = CALL_FACTS[HUNG_UP_READ_BACK]
        return {**found, BLOCKED: CALL_FACTS[BLOCKED], NOTHING: CALL_FACTS[NOTHING],
                **extra, ONGOING: ONGOING_LABEL, NO_END: NO_END_LABEL}

    def search_calls(
        self,
        day: date | None = None,
        phone: str | None = None,
        account: str | None = None,
        outcome: str | None = None,
        page: int = 1,
        meal_day: date | None = None,
    ) -> tuple[list[CallRow], int]:
        """Calls, the latest first, filtered by the day of the call (town time), whole phone
        number (or "anonyme", "masqué": the withheld numbers), family account, outcome and
        meal day (the calls that asked about that day's meal or changed it: Monday's call
        about Thursday is found under Thursday); 50 a page. Returns the page and the total
        count.

        The account finds the family's calls and the calls where it was typed (or matched by
        caller ID) but the code was never right: wrong codes, the lockout. An outcome finds every
        call that did it, not only those whose strongest outcome it is: ``cancelled`` (or
        ``booked``) a call with such a change in the audit log or such a step, ``refused`` a call
        with any refusal but the lockout's, ``blocked`` a call refused by a lockout, ``nothing``
        a call that heard "rien à annuler" or "déjà réservé" (then not an "abandon"), the
        others the call's own outcome; ``in_progress`` the calls without an outcome yet that the
        rows show "en cours" (started less than an hour ago), ``no_end`` the older ones ("fin
        non signalée")."""
        stmt = select(Call, Family.account).outerjoin(
            Family, Family.id == Call.family_id
        )
        if day is not None:
            stmt = stmt.where(*_day_range(day, self.settings.tz))
        if meal_day is not None:
            stmt = stmt.where(_about_meal_day(meal_day))
        if phone and withheld_query(phone):
            stmt = stmt.where(_withheld_number())
        elif phone:
            number = phone_query(phone)
            if number is None and not_a_phone_number(phone):
                raise InvalidRequest(
                    f"« {phone.strip()} » n'est pas un numéro de téléphone : tapez le numéro "
                    "entier (chiffres), ou « masqué » pour les numéros masqués.")
            if number is None:
                digits = sum(c.isdigit() for c in phone)
                what = "trop long" if digits > 15 or (phone.strip()[:1] == "0" and digits > 10) \
                    else "incomplet"
                raise InvalidRequest(
                    f"Numéro de téléphone {what} : tapez le numéro entier (06 12 34 56 78 ou "
                    "+33 6 12 34 56 78).")
            stmt = stmt.where(Call.from_number == number)
        if outcome and outcome not in self.outcomes():
            raise InvalidRequest(
                f"Issue inconnue : « {outcome} ». Choisissez-en une dans la liste.")
        if account:
            acc = account_query(account)
            stmt = stmt.where(_of_account(self._known_family(acc), acc))
        if outcome:
            stmt = stmt.where(_outcome_filter(outcome, self.clock.now()))
        with self.sessions() as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.execute(
                stmt.order_by(Call.started_at.desc(), Call.id.desc())
                .limit(PAGE).offset(max(page - 1, 0) * PAGE)
            ).all()
            return self._call_rows(session, [(c, acc) for c, acc in rows]), total

    def _known_family(self, account: str) -> int:
        """The id of the family with this account (as :func:`account_query` gives it). An
        account no family has would find nothing: the search says so rather than "0 appel(s)"
        or "0 entrée(s)" (a number the caller typed that matched no family is not kept in the
        log either; a child's id typed as an account is no family's)."""
        fid = self.family_id(account)
        if fid is not None:
            return fid
        with self.sessions() as session:
            # A child's id typed where the family's account goes: say whose it is.
            family = session.scalar(select(Family.account).join(Child).where(
                func.lower(Child.ref) == account.lower()))
        hint = (f" C'est l'identifiant d'un enfant du dossier {family} : tapez ce dossier, "
                "ou cherchez par enfant dans le journal des changements.") if family else ""
        raise InvalidRequest(f"Dossier famille inconnu : « {account} ».{hint}")

    def number_accounts(self, phone: str) -> list[str]:
        """The family accounts a whole number typed in the call log's search is registered to
        (today's numbers; none for a withheld number or text that is no number): the family's
        calls from a withheld number or another phone are not found by that number."""
        number = None if withheld_query(phone) else phone_query(phone)
        if number is None:
            return []
        with self.sessions() as session:
            return list(session.scalars(
                select(Family.account).join(FamilyPhone, FamilyPhone.family_id == Family.id)
                .where(FamilyPhone.number == number).order_by(Family.account).distinct()))

    def _call_rows(
        self, session: Session, calls: Sequence[tuple[Call, str | None]]
    ) -> list[CallRow]:
        """The rows of these calls with what each did (two reads for the whole page)."""
        now = self.clock.now()
        did, training, about = _call_facts(session, [c for c, _ in calls], now,
                                           self._refusal_deadlines(session, [c for c, _ in calls]))
        owners = _number_owners(session, [c for c, _ in calls])
        return [
            replace(_call_row(c, acc, did.get(c.id, ()), training.get(c.call_sid), now),
                    about=about.get(c.id, ()), number_of=owners.get(c.id, ()))
            for c, acc in calls
        ]

    def _refusal_deadlines(
        self, session: Session, calls: Sequence[Call]
    ) -> Callable[[Attempt], datetime | None]:
        """How the rows of these calls find the deadline that refused a request too late: the
        meal day's for the first of its children's schools (the town's when the line kept no
        child), under the phone's rule, from the booking engine's calendar (local closures do
        not move deadlines). One read for the page: the schools of the children the calls
        tried."""
        refs = {r for c in calls for rec in (c.state or {}).get("tried") or ()
                for r in _tried_refs(rec)}
        schools = dict(session.execute(
            select(Child.ref, Child.school_id).where(Child.ref.in_(refs))).all()) if refs else {}

        def deadline(a: Attempt) -> datetime | None:
            if a.kind != "refused" or a.code not in ("past_deadline", "locked") or a.day is None:
                return None
            school = next((schools[r] for r in a.children if r in schools), None)
            try:
                return self.booking.day_status(a.day, school, "phone").deadline
            except (BookingError, KeyError):  # past the calendar, a school since removed
                return None

        return deadline

    def call_detail(self, call_sid: str) -> CallDetail | None:
        """A call's timeline: each question and answer (never a code), the changes it made (the
        audit entries carrying its CallSid), its duration, and how it ended when the outcome
        alone would mislead (hung up at the read-back: nothing was changed)."""
        with self.sessions() as session:
            found = session.execute(
                select(Call, Family.account)
                .outerjoin(Family, Family.id == Call.family_id)
                .where(Call.call_sid == call_sid)
                .options(selectinload(Call.events))
            ).first()
            if found is None:
                return None
            call, account = found
            exchanges = _with_questions([_exchange(e) for e in call.events])
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.call_sid == call_sid).order_by(AuditEntry.id)
            ).all()
            changes = [e for e in entries if e.action != "training_call"]
            (row,) = self._call_rows(session, [(call, account)])
            identified_by = None
            if row.account:  # "I never booked that": from the family's number, or another
                identified_by = "caller_id" if call.state.get("by_caller_id") else "typed"
                if row.verified and identified_by == "typed" and call.family_id is not None:
                    theirs = session.scalar(select(FamilyPhone.id).where(
                        FamilyPhone.family_id == call.family_id,
                        FamilyPhone.number == call.from_number))
                    if theirs is None:
                        # a withheld number is nobody's: not "a number not the family's"
                        identified_by = ("typed_withheld" if is_withheld(call.from_number)
                                         else "typed_elsewhere")
            over = row.outcome is not None or (self.clock.now() - call.started_at) >= ONGOING_FOR
            steps = [(e.id, e.at, e.step, e.outcome, x.hung_up)
                     for e, x in zip(call.events, exchanges, strict=True)]
            exchanges = _series_questions(exchanges, call.state or {}, steps)
            attempts = _attempts(call.call_sid, call.state, steps, over)
            corrections = self._corrections(session, call, attempts)
            return CallDetail(
                row=row,
                number=call.from_number,
                ended_at=call.ended_at,
                duration=row.duration,
                language=call.language,
                exchanges=exchanges,
                changes=tuple(self._history(session, changes)),
                training_by=row.training_by,
                identified_by=identified_by,
                ending=_read_back_ending(exchanges, over, bool(changes), attempts,
                                         call.state or {}),
                corrections=corrections,
                phone_account=_state_text(call.state, "phone_account"),
            )

    def _corrections(
        self, session: Session, call: Call, attempts: Sequence[Attempt]
    ) -> tuple[Correction, ...]:
        """For each child and day a request of the call asked and did not change, the first
        staff change after it that did what it asked (the same action; any, when the line did
        not keep the action). One read for the call, and the history's own for what is found."""
        wanted = [(a, ref) for a in attempts if a.day is not None for ref in a.children]
        if not wanted or call.family_id is None:
            return ()
        later = session.execute(
            select(AuditEntry, Child.ref)
            .join(Child, Child.id == AuditEntry.child_id)
            .where(Child.family_id == call.family_id,
                   Child.ref.in_({ref for _, ref in wanted}),
                   AuditEntry.day.in_({a.day for a, _ in wanted}),
                   AuditEntry.channel == "staff",
                   AuditEntry.action.in_(list(DONE_ACTIONS)),
                   AuditEntry.at >= call.started_at)
            .order_by(AuditEntry.at, AuditEntry.id)
        ).all()
        found: dict[tuple[str, date | None], tuple[Attempt, str, AuditEntry]] = {}
        for a, ref in wanted:
            entry = next((e for e, r in later if r == ref and e.day == a.day
                          and _utc(e.at) > _utc(a.at)
                          and (a.action is None or e.action == a.action)), None)
            if entry is not None and (ref, a.day) not in found:
                name = a.names[a.children.index(ref)]
                found[(ref, a.day)] = (a, name, entry)
        if not found:
            return ()
        entries = {h.id: h for h in self._history(session, [e for _, _, e in found.values()])}
        out = []
        for (_, day), (a, name, entry) in found.items():
            assert day is not None
            out.append(Correction(name, day, _short(a), entries[entry.id]))
        return tuple(out)

    def gone_call(self, call_sid: str) -> GoneCall | None:
        """A call the call log no longer holds (see :mod:`restomairie.retention`) but the audit
        log names: its changes, kept, and the purge that deleted its details when one explains
        it. ``None`` when the audit log does not name it either (an unknown CallSid)."""
        with self.sessions() as session:
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.call_sid == call_sid)
                .order_by(AuditEntry.id)
            ).all()
            if not entries or session.scalar(
                    select(Call.id).where(Call.call_sid == call_sid)) is not None:
                return None
            purge = self._last_purge(session)
            if purge is not None and not any(purge.covers(e.at) for e in entries):
                purge = None
            changes = [e for e in entries if e.action != "training_call"]
            return GoneCall(call_sid, purge, tuple(self._history(session, changes)))

    def _last_purge(self, session: Session) -> Purge | None:
        """The call log's latest purge, read from its audit entry."""
        found = session.execute(
            select(AuditEntry.at, AuditEntry.detail)
            .where(AuditEntry.action == "purge_call_logs")
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1)
        ).first()
        if found is None:
            return None
        detail = found.detail or {}
        try:
            before = datetime.fromisoformat(str(detail["before"]))
        except (KeyError, ValueError):
            return None
        days = detail.get("retention_days")
        return Purge(found.at, before,
                     days if isinstance(days, int) else self.settings.call_log_retention_days)

    # ================================================================== families
    def search_families(self, query: str, limit: int = PAGE) -> list[FamilyRow]:
        """The first ``limit`` families :meth:`search_families_page` finds."""
        return self.search_families_page(query, page=1, per_page=limit)[0]

    def search_families_page(
        self, query: str, page: int = 1, per_page: int = PAGE
    ) -> tuple[list[FamilyRow], int]:
        """One page of the families whose account, guardian, child's name or child id matches
        ``query``, or whose phone list holds the whole number typed, by account; and how many
        match in all (a list cut without saying so would hide the family staff look for).

        Accents and case do not count ("eloise" finds Éloïse, on SQLite as on PostgreSQL:
        :mod:`restomairie.textfold`), an account typed with spaces ("210 500") is that
        account, and several words ("martin nathan") find the families where each word is in
        one of them: the guardian's name, a child's first or last name, the account (its
        start), a child id."""
        q = " ".join(query.split())[:MAX_QUERY]
        if not q:
            return [], 0
        number = phone_query(q)
        compact = account_query(q)
        # What staff type is text, not a pattern: "%" or "_" finds the names holding them,
        # not every family (autoescape escapes LIKE's wildcards).
        conds: list[Any] = [Family.id.in_(select(Child.family_id).where(Child.ref == q))]
        if compact.isdigit():
            conds.append(Family.account.startswith(compact, autoescape=True))
        words = list(dict.fromkeys(q.split()))[:MAX_WORDS]
        conds.append(and_(*(_word_match(w) for w in words)))
        if number is not None:
            by_phone = select(FamilyPhone.family_id).where(FamilyPhone.number == number)
            conds.append(Family.id.in_(by_phone))
        matching = or_(*conds)
        with self.sessions() as session:
            total = session.scalar(select(func.count()).select_from(Family).where(matching)) or 0
            families = session.scalars(
                select(Family).where(matching).order_by(Family.account)
                .limit(per_page).offset(max(page - 1, 0) * per_page)
                .options(selectinload(Family.children), selectinload(Family.phones))
            ).all()
            return [
                FamilyRow(
                    f.account, f.guardian,
                    tuple(f"{c.first_name} {c.last_name}" for c in f.children),
                    tuple(mask_phone(p.number) for p in f.phones),
                )
                for f in families
            ], total

    def family(self, account: str) -> FamilyView | None:
        with self.sessions() as session:
            fam = self._family(session, account)
            return None if fam is None else self._family_view(fam)

    def _family(self, session: Session, account: str) -> Family | None:
        return session.scalars(
            select(Family).where(Family.account == account).options(
                selectinload(Family.phones),
                selectinload(Family.children).selectinload(Child.subscriptions),
            )
        ).one_or_none()

    def _family_view(self, fam: Family) -> FamilyView:
        today = self.clock.today()
        return FamilyView(
            # Masked as in every list: the page has no form that needs the whole number (a
            # whole number typed in a search still finds the family; the export holds them).
            fam.account, fam.guardian, fam.language,
            tuple(mask_phone(p.number) for p in fam.phones),
            fam.created_at, fam.locked_until,
            tuple(self._child_view(c, today) for c in
                  sorted(fam.children, key=lambda c: (name_key(c.first_name), c.ref))),
        )

    def _child_view(self, c: Child, today: date) -> ChildView:
        current = next(
            (s for s in c.subscriptions
             if s.starts_on <= today and (s.ends_on is None or s.ends_on >= today)), None,
        )
        coming = next((s for s in c.subscriptions if s.starts_on > today), None)
        pattern = weekdays_text(current.weekdays) if current else CHOSEN
        if coming is not None and (current is None or current.ends_on is not None):
            # What the family will have, not only what it has today (a change takes effect
            # on the first day still open).
            pattern = (f"{pattern}, puis {weekdays_text(coming.weekdays)} à partir du "
                       f"{coming.starts_on:%d/%m/%Y}")
        return ChildView(
            c.ref, c.first_name, c.last_name, c.school_id, self.school_name(c.school_id), c.diet,
            c.enrolled_from, c.enrolled_until, pattern,
            tuple((s.starts_on, s.ends_on, weekdays_text(s.weekdays)) for s in c.subscriptions),
            # A form that changes the pattern from a date shows the one it changes, so that
            # dropping Friday is unticking Friday, not ticking the others again from memory.
            tuple(d for d in range(7) if (ahead.weekdays >> d) & 1)
            if (ahead := coming or current) is not None else (),
        )

    def family_history(self, account: str, child_ref: str | None = None,
                       limit: int = 200) -> list[HistoryEntry]:
        """Every change of a family (or of one child), the latest first."""
        with self.sessions() as session:
            fam = self._family(session, account)
            if fam is None:
                return []
            stmt = select(AuditEntry).where(AuditEntry.family_id == fam.id)
            if child_ref is not None:
                child = next((c for c in fam.children if c.ref == child_ref), None)
                if child is None:
                    raise UnknownChild(child_ref)
                stmt = select(AuditEntry).where(AuditEntry.child_id == child.id)
            entries = session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                      .limit(limit)).all()
            return self._history(session, entries)

    def family_totals(self, account: str, child_ref: str | None = None) -> tuple[int, int]:
        """How many calls the family has (as :meth:`family_calls` counts them) and how many
        history lines (of one child, if given): the pages show the latest and say of how many."""
        with self.sessions() as session:
            fam = self._family(session, account)
            if fam is None:
                return 0, 0
            calls = session.scalar(
                select(func.count()).select_from(Call).where(_of_account(fam.id, account))) or 0
            where = AuditEntry.family_id == fam.id
            if child_ref is not None:
                child = next((c for c in fam.children if c.ref == child_ref), None)
                if child is None:
                    raise UnknownChild(child_ref)
                where = AuditEntry.child_id == child.id
            lines = session.scalar(select(func.count()).select_from(AuditEntry).where(where)) or 0
            return calls, lines

    def family_calls(self, account: str, limit: int = 20) -> list[CallRow]:
        """The family's latest calls, with those where its account was typed (or matched by
        caller ID) but the code was never right (``verified`` false): wrong codes, lockouts."""
        with self.sessions() as session:
            fam = self._family(session, account)
            if fam is None:
                return []
            calls = session.scalars(
                select(Call).where(_of_account(fam.id, account))
                .order_by(Call.started_at.desc(), Call.id.desc()).limit(limit)
            ).all()
            return self._call_rows(session, [(c, account) for c in calls])

    def phone_lockout(self, account: str) -> Lockout | None:
        """The family's latest phone lockout (``None``: never locked), active or not — ran out,
        or lifted by staff (who, when, why) — with the calls whose wrong codes caused it and
        those refused while it lasted. Read from the ``phone_lockout`` audit entries, so it
        stays on the family page once over.

        The wrong codes counted are those since the last right code, lockout or unlock before
        it (the count starts again from each)."""
        now = self.clock.now()
        with self.sessions() as session:
            fam = self._family(session, account)
            if fam is None:
                return None
            marks = session.execute(
                select(AuditEntry.action, AuditEntry.at, AuditEntry.detail, AuditEntry.actor,
                       AuditEntry.call_sid)
                .where(AuditEntry.family_id == fam.id,
                       AuditEntry.action.in_(("phone_lockout", "phone_unlock")))
                .order_by(AuditEntry.at, AuditEntry.id)
            ).all()
            last = next((m for m in reversed(marks) if m.action == "phone_lockout"), None)
            until = _until(last.detail) if last is not None else None
            if until is None:  # no audit entry to read (a lockout older than the audit)
                if fam.locked_until is None:
                    return None
                until = fam.locked_until
            locked_at = last.at if last is not None else (
                until - timedelta(minutes=self.settings.phone.lockout_minutes))
            lift = next((m for m in marks if m.action == "phone_unlock" and m.at >= locked_at),
                        None)
            active = (lift is None and fam.locked_until is not None
                      and fam.locked_until > now)
            since = [m.at for m in marks if m.at < locked_at]
            last_right = session.scalar(
                select(func.max(Call.started_at))
                .where(Call.family_id == fam.id, Call.started_at < locked_at)
            )
            if last_right is not None:
                since.append(last_right)
            stmt = select(Call).where(
                Call.family_id.is_(None), or_(account == TYPED_ACCOUNT, account == PHONE_ACCOUNT),
                Call.id.in_(select(CallEvent.call_id).where(
                    CallEvent.outcome.in_(("wrong_code", "locked")))),
            )
            if since:
                stmt = stmt.where(Call.started_at >= max(since))
            calls = session.scalars(stmt.order_by(Call.started_at, Call.id)).all()
            rows = self._call_rows(session, [(c, account) for c in calls])
            outcomes: dict[str, set[str]] = {}
            sid_of = {c.id: c.call_sid for c in calls}
            for call_id, outcome in session.execute(
                select(CallEvent.call_id, CallEvent.outcome).where(
                    CallEvent.call_id.in_(list(sid_of)),
                    CallEvent.outcome.in_(("wrong_code", "locked")))
            ) if sid_of else ():
                outcomes.setdefault(sid_of[call_id], set()).add(outcome or "")
        end = lift.at if lift is not None else until
        # Each call by what it did, not by when it started alone: two calls in the same second
        # (or a clock set for a demonstration) must not put the family's own call, refused by
        # the lockout, among those whose wrong codes caused it. The call that locked it is the
        # one its audit entry names; a lockout recorded without one is read by time.
        by = last.call_sid if last is not None else None

        def caused(r: CallRow) -> bool:
            if r.call_sid == by:
                return True
            if r.started_at > locked_at:
                return False
            return by is None or "wrong_code" in outcomes.get(r.call_sid, ())

        causes = tuple(r for r in rows if caused(r))
        counted = {r.call_sid for r in causes}
        return Lockout(
            until, active,
            causes,
            # refused while it lasted ("accès bloqué" at the code): not the wrong codes typed
            # after it ran out, nor the calls refused by an earlier lockout
            tuple(r for r in rows if r.call_sid not in counted
                  and locked_at <= r.started_at < end
                  and "locked" in outcomes.get(r.call_sid, ())),
            locked_at,
            lift.at if lift is not None else None,
            lift.actor if lift is not None else None,
            (lift.detail or {}).get("reason") if lift is not None else None,
        )

    def unlock_phone(self, account: str, actor: Actor, reason: str) -> datetime:
        """Lift a family's phone lockout before its end (the count of wrong codes starts again);
        audited as ``phone_unlock`` with the reason staff give (required: lifting a protection
        against guessed codes must say why, e.g. "parent rappelé au numéro du dossier").
        Returns the time it would have lasted until."""
        reason = " ".join(reason.split())[:200]
        if not reason:
            raise InvalidRequest("Le déblocage demande un motif.")
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            fam = session.scalars(
                select(Family).where(Family.account == account).with_for_update()
            ).one_or_none()
            if fam is None:
                raise UnknownFamily(account)
            until = fam.locked_until
            if until is None or until <= now:
                raise InvalidRequest("L'accès par téléphone de ce dossier n'est pas bloqué.")
            fam.locked_until = None
            fam.failed_pins = 0
            local = until.astimezone(self.settings.tz)
            session.add(AuditEntry(
                at=now, actor=actor.label, channel=actor.channel, action="phone_unlock",
                family_id=fam.id,
                detail={"until": until.isoformat(), "reason": reason,
                        "label": f"blocage jusqu'au {local:%d/%m/%Y %H:%M} levé"},
            ))
            return until

    def child_month(self, account: str, child_ref: str, month: date) -> MonthView | None:
        """A child's month as a calendar (weeks Monday→Sunday), each day's state and reason,
        and for a day booked or cancelled (not by the weekly pattern) the change that made it
        so: who, how, when (:attr:`DayCell.change`)."""
        first = month.replace(day=1)
        last = first.replace(day=stdcalendar.monthrange(first.year, first.month)[1])
        grid_start = first - timedelta(days=first.weekday())
        grid_end = last + timedelta(days=6 - last.weekday())
        span = (grid_end - grid_start).days + 1
        with self.sessions() as session:
            fam = self._family(session, account)
            if fam is None:
                return None
            child = next((c for c in fam.children if c.ref == child_ref), None)
            if child is None:
                raise UnknownChild(child_ref)
            view = self._child_view(child, self.clock.today())
            closures = self.booking.closures(session)
            # One read for the grid: each day's bookings and cancellations, the last kept
            # (the booking engine writes the day and its entry together: the last entry is
            # what the day holds).
            by_day: dict[date, list[AuditEntry]] = {}
            for e in session.scalars(
                select(AuditEntry).where(
                    AuditEntry.child_id == child.id,
                    AuditEntry.day.between(grid_start, grid_end),
                    AuditEntry.action.in_(list(DONE_ACTIONS)))
                .order_by(AuditEntry.id)
            ):
                assert e.day is not None
                by_day.setdefault(e.day, []).append(e)
            # The last change and, when it ends a run of changes of that day made within one
            # call (cancelled, then booked again before hanging up), the whole run: the parent
            # who says "but I did cancel!" did, and staff see both changes and the end state.
            runs = {day: _same_call_run(found) for day, found in by_day.items()}
            history = {h.id: h for h in self._history(
                session, [e for run in runs.values() for e in run])}
            changes = {day: history[run[-1].id] for day, run in runs.items()}
            within = {day: tuple(history[e.id] for e in run)
                      for day, run in runs.items() if len(run) > 1}
            sids = {run[-1].call_sid for run in runs.values() if len(run) > 1}
            started: dict[str | None, datetime] = {
                sid: at for sid, at in session.execute(
                    select(Call.call_sid, Call.started_at).where(Call.call_sid.in_(sids)))
            } if sids else {}
            since = school_starts(session).get(child.school_id)
            notes = _kitchen_notes(session, {child.id}, {
                grid_start + timedelta(days=i) for i in range(span)})
        states = {d.day: d for d in self.booking.upcoming(account, grid_start, span)[child_ref]}
        now = self.clock.now()
        cells = []
        counts: dict[str, int] = {}
        day = grid_start
        while day <= grid_end:
            cell = self._cell(states.get(day), day, first.month, child, closures, now, since)
            change = changes.get(day)
            # (its action's word is the state it leaves: "booked", "cancelled")
            if change is not None and DONE_ACTIONS.get(change.action) == cell.state:
                cell = replace(cell, change=change)
            note = notes.get((child.id, day))
            if note is not None and note.adjustments:
                cell = replace(cell, kitchen=note)
            if day in within:
                run = within[day]
                cell = replace(cell, within_call=run, call_started=started.get(run[-1].call_sid))
            if cell.in_month:
                counts[cell.state] = counts.get(cell.state, 0) + 1
            cells.append(cell)
            day += timedelta(days=1)
        weeks = tuple(tuple(cells[i:i + 7]) for i in range(0, len(cells), 7))
        return MonthView(view, first, weeks, counts)

    def child_attempts(self, account: str, child_ref: str) -> list[Attempt]:
        """The child's requests on the phone that changed nothing, the latest first: each
        refusal (with the deadline that applied, or why the day has no meal) and each change
        read back and never confirmed (hung up, declined), from the family's calls. Three reads
        whatever the number of calls: the family, its calls with a refusal or a read-back, and
        their steps."""
        with self.sessions() as session:
            fam = self._family(session, account)
            if fam is None:
                return []
            child = next((c for c in fam.children if c.ref == child_ref), None)
            if child is None:
                raise UnknownChild(child_ref)
            tried = select(CallEvent.call_id).where(or_(
                CallEvent.outcome.like("refused:%"), CallEvent.outcome.like("read_back:%")))
            calls = session.execute(
                select(Call.id, Call.call_sid, Call.started_at, Call.outcome, Call.state)
                .where(Call.family_id == fam.id, Call.id.in_(tried))
                .order_by(Call.started_at, Call.id)
            ).all()
            # Only the calls whose line kept this child for a request: the others' steps are
            # not read.
            mine = [c for c in calls if any(
                child_ref in _tried_refs(rec) for rec in (c.state or {}).get("tried") or ())]
            steps = _steps(session, [c.id for c in mine])
            closures = self.booking.closures(session)
        now = self.clock.now()
        found = []
        for c in mine:
            over = c.outcome is not None or now - c.started_at >= ONGOING_FOR
            for a in _attempts(c.call_sid, c.state, steps.get(c.id, []), over):
                if child_ref in a.children:
                    found.append(replace(a, label=self._attempt_label(a, child, closures)))
        # The latest first; at the same time (a frozen clock, a training session), the order
        # they were made in, reversed.
        found.reverse()
        return sorted(found, key=lambda a: a.at, reverse=True)

    def _attempt_label(self, a: Attempt, child: Child,
                       closures: tuple[CalendarClosure, ...]) -> str:
        """An attempt's label with the deadline that applied to the child's school, or why
        the day had no meal."""
        if a.kind != "refused" or a.day is None or a.code not in (
                "past_deadline", "locked", "not_operating"):
            return a.label
        try:
            status = self.booking.day_status(a.day, child.school_id, "phone", closures)
        except BookingError:  # past the shipped calendar: the label without the deadline
            return a.label
        return attempt_label(a.kind, a.code, a.action, status.deadline,
                             closed_reason(a.day, status.reason) if status.reason else None)

    def _cell(self, st: ChildDay | None, day: date, month: int, child: Child,
              closures: tuple[CalendarClosure, ...], now: datetime,
              since: datetime | None) -> DayCell:
        in_month = day.month == month
        if st is None:
            return DayCell(day, in_month, "unknown", STATE_LABELS["unknown"])
        if not st.operating:
            closure = next((c for c in closures if c.covers(child.school_id, day)), None)
            enrolled = enrolled_on(child, day)
            if closure is not None and st.deadline is not None:
                state = "closure"
                reason = closure.reason
            elif not enrolled and st.deadline is not None:
                state, reason = "not_enrolled", None
            else:
                # The holidays as the phone line says them ("vacances d'été"), not as the
                # Ministry's data set writes them ("Vacances d'Été").
                state, reason = "closed", holiday_label(st.reason) if st.reason else None
            return DayCell(day, in_month, state, STATE_LABELS[state], reason, st.locked)
        is_open = st.deadline is not None and now < st.deadline and not st.locked
        overdue_since = None
        if (not st.locked and st.deadline is not None and st.deadline <= now
                and day >= now.astimezone(self.settings.tz).date()):
            # A day to come past the line's deadline: the lock's cut-off (the latest channel's,
            # as the kitchen reads it) may have passed too, by the kitchen pages' measure. (A day
            # gone by is not said: the meals were served, and the days before the scheduler's
            # catch-up window were never locked.)
            # (Nor a day whose cut-off came before the school's first child came in: it is
            # never locked.)
            lock = self.booking.lock_deadline(day, child.school_id).deadline
            if lock is not None and is_late(lock, now) and not before_service(lock, since):
                overdue_since = lock
        # Where the staff's rule is not the families', the staff's deadline: past while the
        # family can still change the day (Villepreux's 8 days), or ahead when the family no
        # longer can (a town hall more lenient than the families' J-2).
        staff = (self.booking.staff_deadline(day, child.school_id)
                 if st.deadline is not None and not st.locked else None)
        return DayCell(day, in_month, st.source, STATE_LABELS[st.source], None, st.locked,
                       st.deadline, is_open, overdue_since,
                       staff_closed_at=staff if is_open and staff is not None and staff <= now
                       else None,
                       staff_open_until=staff if not is_open and staff is not None and now < staff
                       else None)

    # ================================================================== audit
    def search_audit(
        self,
        start: date | None = None,
        end: date | None = None,
        actor: str | None = None,
        action: str | None = None,
        account: str | None = None,
        channel: str | None = None,
        page: int = 1,
        meal_day: date | None = None,
        child: str | None = None,
    ) -> tuple[list[HistoryEntry], int]:
        """The audit log, the latest first, filtered; 50 a page. ``start`` and ``end``: the day
        the change was made (town time); ``meal_day``: the meal it is about (the "Repas du"
        column: Monday's cancellation of Thursday is found under Thursday); ``child``: a
        child's id, or first name with the family account (:meth:`_audit_children`). A start
        after the end is refused, and an account or a child no one has
        (it would find nothing, silently)."""
        if start and end and start > end:
            raise InvalidRequest(
                f"La date de début ({start:%d/%m/%Y}) est après la date de fin "
                f"({end:%d/%m/%Y}) : aucune entrée ne peut correspondre.")
        stmt = select(AuditEntry)
        tz = self.settings.tz
        if start:
            stmt = stmt.where(AuditEntry.at >= datetime.combine(start, time(0), tz))
        if end:
            until = datetime.combine(end + timedelta(days=1), time(0), tz)
            stmt = stmt.where(AuditEntry.at < until)
        if actor:
            stmt = stmt.where(func.lower(AuditEntry.actor).contains(actor_query(actor),
                                                                    autoescape=True))
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        if channel:
            stmt = stmt.where(AuditEntry.channel == channel)
        if meal_day:
            stmt = stmt.where(AuditEntry.day == meal_day)
        if account:
            stmt = stmt.where(AuditEntry.family_id == self._known_family(account_query(account)))
        if child and child.strip():
            stmt = stmt.where(AuditEntry.child_id.in_(self._audit_children(child, account)))
        with self.sessions() as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(
                stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .limit(PAGE).offset(max(page - 1, 0) * PAGE)
            ).all()
            return self._history(session, rows), total

    def _audit_children(self, text: str, account: str | None) -> list[int]:
        """The children the journal's « Enfant » field names, as staff type it: a child's id
        (case aside: "e00002" for E00002), or a first name with the family account, in either
        order ("Margaux 210500", "210500 Margaux"; the account may also be the « Dossier
        famille » field's). A first name alone is enough when one child in all has it. Accents
        and case do not count; a first name the family's children do not have, or several
        children of that name without an account, is said, not searched for nothing."""
        typed = " ".join(text.split())
        words = typed.split()
        digits = "".join(w for w in words if w.isdigit())
        names = [fold(w) for w in words if not w.isdigit()]
        chosen = account_query(account) if account else ""
        if digits and chosen and digits != chosen:
            raise InvalidRequest(f"« {typed} » nomme le dossier {digits}, et le filtre « Dossier "
                                 f"famille » le dossier {chosen} : aucune entrée ne peut "
                                 "correspondre. Videz l'un des deux.")
        with self.sessions() as session:
            cid = session.scalar(select(Child.id).where(func.lower(Child.ref) == typed.lower()))
        if cid is not None:
            return [cid]
        acc = digits or chosen
        if not names:
            raise InvalidRequest(
                f"Enfant inconnu : « {typed} » : tapez l'identifiant de l'enfant, entre "
                "parenthèses après son nom sur la page du dossier, ou son prénom avec le "
                "numéro de dossier (« Margaux 210500 »).")
        if acc:
            self._known_family(acc)
        with self.sessions() as session:
            stmt = (select(Child.id, Child.first_name, Child.last_name, Child.ref,
                           Family.account)
                    .join(Family, Family.id == Child.family_id)
                    .order_by(Family.account, Child.first_name, Child.ref))
            if acc:
                stmt = stmt.where(Family.account == acc)
            else:
                # Without an account, a first-name search across every family: narrowed in
                # SQL by the first word (never every child of the town read).
                stmt = stmt.where(or_(
                    folded(Child.first_name).contains(names[0], autoescape=True),
                    folded(Child.last_name).contains(names[0], autoescape=True)))
            candidates = session.execute(stmt).all()
        # Each word in the child's first or last name; a whole first name (or first and last
        # names) typed wins over one only containing it ("Rose", not Rosalie).
        whole = " ".join(names)
        found = [c for c in candidates
                 if all(w in fold(f"{c.first_name} {c.last_name}") for w in names)]
        exact = [c for c in found if whole in (fold(c.first_name),
                                               fold(f"{c.first_name} {c.last_name}"))]
        found = exact or found
        if not found:
            if acc:
                kids = ", ".join(f"{c.first_name} ({c.ref})" for c in candidates)
                raise InvalidRequest(
                    f"Aucun enfant « {' '.join(w for w in words if not w.isdigit())} » au "
                    f"dossier {acc}" + (f" (ses enfants : {kids})." if kids else "."))
            raise InvalidRequest(
                f"Enfant inconnu : « {typed} » : tapez l'identifiant de l'enfant, ou son "
                "prénom avec le numéro de dossier (« Margaux 210500 »).")
        if not acc and len({c.account for c in found}) > 1:
            accounts = sorted({c.account for c in found})
            shown = ", ".join(accounts[:5]) + (" …" if len(accounts) > 5 else "")
            raise InvalidRequest(
                f"Plusieurs enfants pour « {typed} » (dossiers {shown}) : ajoutez le numéro de "
                f"dossier, par exemple « {typed} {accounts[0]} ».")
        return [c.id for c in found]

    def audit_actions(self) -> list[str]:
        with self.sessions() as session:
            return sorted(a for a in session.scalars(select(AuditEntry.action).distinct()) if a)

    def _history(self, session: Session, entries: Sequence[AuditEntry]) -> list[HistoryEntry]:
        fam_ids = {e.family_id for e in entries if e.family_id}
        child_ids = {e.child_id for e in entries if e.child_id}
        accounts = {
            fid: acc for fid, acc in session.execute(
                select(Family.id, Family.account).where(Family.id.in_(fam_ids)))
        } if fam_ids else {}
        names: dict[int, str] = {}
        schools: dict[int, str] = {}
        for cid, first, ref, school in session.execute(
            select(Child.id, Child.first_name, Child.ref, Child.school_id)
            .where(Child.id.in_(child_ids))
        ) if child_ids else ():
            names[cid], schools[cid] = f"{first} ({ref})", school
        # A change made from the in-browser phone is recorded as the family's (it went through
        # the real line); the training call's own entry says which staff user made it.
        sids = {e.call_sid for e in entries if e.call_sid}
        training = {
            sid: actor for sid, actor in session.execute(
                select(AuditEntry.call_sid, AuditEntry.actor).where(
                    AuditEntry.action == "training_call", AuditEntry.call_sid.in_(sids)))
        } if sids else {}
        # The calls the retention purge deleted (the audit log keeps their changes): their
        # links say so. One read for the page, and the purge's only when a call is gone.
        gone = sids - set(session.scalars(
            select(Call.call_sid).where(Call.call_sid.in_(sids)))) if sids else set()
        purge = self._last_purge(session) if gone else None
        # A forced change made after the lock wrote, at the same moment, an adjustment for that
        # child and day (booking.services.change): one read for the page.
        forced = [e for e in entries
                  if (e.detail or {}).get("override") and e.child_id and e.day is not None]
        notes = _kitchen_notes(session, {e.child_id for e in forced if e.child_id},
                               {e.day for e in forced if e.day}) if forced else {}
        # Each forced entry's own adjustment, and what the kitchen had of that meal until it.
        kitchen: dict[int, KitchenNote] = {}
        for e in forced:
            note = notes.get((e.child_id, e.day)) if e.child_id and e.day else None
            if note is None:
                continue
            sign = 1 if e.action == "book" else -1
            if any(a.actor == e.actor and _utc(a.at) == _utc(e.at) and a.delta * sign > 0
                   for a in note.adjustments):
                kitchen[e.id] = replace(note, adjustments=tuple(
                    a for a in note.adjustments if _utc(a.at) <= _utc(e.at)))
        return [
            HistoryEntry(
                e.id, e.at, e.actor, e.channel, e.action,
                # an entry about a family without its row (a family since deleted, an old
                # export) still names it
                accounts.get(e.family_id) if e.family_id else _detail_account(e.detail),
                names.get(e.child_id) if e.child_id else None,
                e.day, e.before, e.after, e.call_sid, e.detail,
                training.get(e.call_sid) if e.call_sid and e.action != "training_call" else None,
                e.id in kitchen,
                *self._timing(e, schools),
                *_gone(e, gone, purge),
                kitchen=kitchen.get(e.id),
            )
            for e in entries
        ]

    def _timing(self, e: AuditEntry, schools: dict[int, str]) -> tuple[datetime | None,
                                                                        bool | None]:
        """The deadline a booking change had (its meal day's, for the child's school, under
        its channel's rule: the booking engine's own day status, no read) and whether it was
        made before it."""
        school = schools.get(e.child_id) if e.child_id else None
        if (e.action not in DONE_ACTIONS or e.channel not in TIMED_CHANNELS or e.day is None
                or school is None):
            return None, None
        try:
            # Local closures do not move deadlines: the day's own stays what it was.
            deadline = self.booking.day_status(e.day, school, e.channel).deadline
        except (BookingError, KeyError):  # past the shipped calendar, a school since removed
            return None, None
        if deadline is None:
            return None, None
        return deadline, _utc(e.at) < _utc(deadline)

    # ================================================================== export
    def export_family(self, account: str) -> dict[str, Any] | None:
        """Everything the store holds about a family, as JSON-ready data (right of access):
        account, phones, children, subscriptions, explicit bookings, calls with their steps
        (never a code) and the audit trail. The code's hash is not exported.

        Every time is in the town's zone (Europe/Paris), ISO 8601 with its offset. Calls made by
        staff from the in-browser phone (and the changes they made, recorded as the family's
        since they went through the real line) carry ``"training_by": "staff:…"``: they are
        not the family's own."""
        with self.sessions() as session:
            fam = self._family(session, account)
            if fam is None:
                return None
            child_ids = [c.id for c in fam.children]
            bookings = session.scalars(
                select(BookingDay).where(BookingDay.child_id.in_(child_ids))
                .order_by(BookingDay.day)
            ).all() if child_ids else []
            refs = {c.id: c.ref for c in fam.children}
            calls = session.scalars(
                select(Call).where(Call.family_id == fam.id).order_by(Call.started_at)
                .options(selectinload(Call.events))
            ).all()
            audit = session.scalars(
                select(AuditEntry).where(AuditEntry.family_id == fam.id).order_by(AuditEntry.id)
            ).all()
            subs: list[Subscription] = [s for c in fam.children for s in c.subscriptions]
            sids = {c.call_sid for c in calls} | {e.call_sid for e in audit if e.call_sid}
            training = {
                sid: actor for sid, actor in session.execute(
                    select(AuditEntry.call_sid, AuditEntry.actor).where(
                        AuditEntry.action == "training_call", AuditEntry.call_sid.in_(sids)))
            } if sids else {}
            tz = self.settings.tz

            def iso(value: date | datetime | None) -> str | None:
                return _iso_local(value, tz)

            return {
                "exported_at": iso(self.clock.now()),
                "town": self.settings.town,
                "family": {
                    "account": fam.account,
                    "guardian": fam.guardian,
                    "language": fam.language,
                    "created_at": iso(fam.created_at),
                    "phones": [p.number for p in fam.phones],
                    "phone_access_locked_until": iso(fam.locked_until),
                },
                "children": [
                    {
                        "ref": c.ref, "first_name": c.first_name, "last_name": c.last_name,
                        "birth_date": iso(c.birth_date), "school": c.school_id, "diet": c.diet,
                        "enrolled_from": iso(c.enrolled_from),
                        "enrolled_until": iso(c.enrolled_until),
                    }
                    for c in fam.children
                ],
                "subscriptions": [
                    {"child": refs[s.child_id], "weekdays": weekdays_text(s.weekdays),
                     "starts_on": iso(s.starts_on), "ends_on": iso(s.ends_on)}
                    for s in subs
                ],
                "bookings": [
                    {"child": refs[b.child_id], "day": iso(b.day),
                     "state": "booked" if b.booked else "cancelled", "channel": b.channel,
                     "updated_at": iso(b.updated_at)}
                    for b in bookings
                ],
                "calls": [
                    {
                        "call_sid": c.call_sid, "started_at": iso(c.started_at),
                        "ended_at": iso(c.ended_at), "from": c.from_number, "outcome": c.outcome,
                        "duration": c.duration,
                        **({"training_by": training[c.call_sid]}
                           if c.call_sid in training else {}),
                        "steps": [
                            {"at": iso(x.at), "step": x.step, "input": x.input_kind,
                             "heard": x.heard, "outcome": x.outcome}
                            for x in map(_exchange, c.events)
                        ],
                    }
                    for c in calls
                ],
                "audit": [
                    {"at": iso(e.at), "actor": e.actor, "channel": e.channel, "action": e.action,
                     "child": refs.get(e.child_id) if e.child_id else None, "day": iso(e.day),
                     "before": e.before, "after": e.after, "call_sid": e.call_sid,
                     "detail": _detail_local(e.detail, tz),
                     **({"training_by": training[e.call_sid]}
                        if e.call_sid in training else {})}
                    for e in audit
                ],
            }

    def family_id(self, account: str) -> int | None:
        with self.sessions() as session:
            return session.scalar(select(Family.id).where(Family.account == account))

    # ================================================================== overview
    def overview(self) -> dict[str, Any]:
        """Figures for the home page: today's calls, and how many the call log finds for each
        of its outcomes (the same filter as the list each count links to: a call that
        cancelled then booked counts in both; ``nothing`` for "rien à changer", ``blocked``
        for lockouts, ``in_progress`` and ``no_end`` for those without an outcome), upcoming
        closures, accounts. Only the outcomes with calls are given.

        ``among`` holds the counts the page shows apart, as a part of the calls already
        counted (``hung_up_read_back``: those calls are also an "abandon", a "refusé"…);
        ``several`` says whether the other counts add up to more than the calls, some calls
        having done several things."""
        now = self.clock.now()
        outcomes = list(self.outcomes())
        with self.sessions() as session:
            # One read: each count is its filter's, over the same day as the call log's.
            figures = session.execute(
                select(func.count(), *(
                    func.count(case((_outcome_filter(o, now), 1))) for o in outcomes))
                .where(*_day_range(self.clock.today(), self.settings.tz))
            ).one()
            by_outcome = {o: n for o, n in zip(outcomes, figures[1:], strict=True) if n}
            families = session.scalar(select(func.count()).select_from(Family)) or 0
            users = session.scalar(select(func.count()).select_from(StaffUser)) or 0
        listed = sum(n for o, n in by_outcome.items() if o not in AMONG_CALLS)
        return {
            "calls_today": figures[0],
            "by_outcome": by_outcome,
            "among": {o: by_outcome[o] for o in AMONG_CALLS if o in by_outcome},
            "several": listed > figures[0],
            "families": families,
            "users": users,
            "closures": self.closures()[:5],
        }


def _utc(moment: datetime) -> datetime:
    """A stored time, comparable whichever database gave it back."""
    return moment.astimezone(UTC)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _iso_local(value: date | datetime | None, tz: tzinfo) -> str | None:
    """A date as it is; a time in the town's zone with its offset (the database gives UTC on
    PostgreSQL, the clock gives Paris time: an export must not mix them)."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    return _iso(value)


def _detail_local(detail: dict[str, Any] | None, tz: tzinfo) -> dict[str, Any] | None:
    """An audit detail with its times (a lockout's ``until``) in the town's zone."""
    if not detail or "until" not in detail:
        return detail
    until = _until(detail)
    return detail if until is None else {**detail, "until": _iso_local(until, tz)}


def _secret_step(step: str) -> bool:
    low = step.lower()
    return any(w in low for w in SECRET_STEP_WORDS)


def _exchange(e: CallEvent) -> Exchange:
    said, hung = said_in(e.response or "")
    secret = _secret_step(e.step)
    return Exchange(
        at=e.at, step=e.step, input_kind=e.input_kind,
        heard=None if secret else e.heard, secret=secret and bool(e.heard),
        outcome=e.outcome, said=said, hung_up=hung,
    )


def _with_questions(exchanges: Sequence[Exchange]) -> tuple[Exchange, ...]:
    """Each step with the question the line ended it with: the step of the next answer, or,
    for the call's last answer (hung up at the read-back, after a refusal…), the one its outcome
    says; none when the line hung up. A step whose outcome says the line asked something else
    than the question of the step it waits at (:data:`ASKED_INSTEAD`: a locked family's
    « 0 puis dièse ») asks that, and so does that question asked again."""
    out: list[Exchange] = []
    ended = False
    for i, x in enumerate(exchanges):
        ended = ended or (x.step == "status" and x.outcome in FINAL_STATUSES)
        following = exchanges[i + 1] if i + 1 < len(exchanges) else None
        if x.hung_up or x.step in OFF_CALL_STEPS:
            # (a key pressed before the hang-up may be logged after the status callback)
            asks: str | None = None
        elif (x.step, x.outcome or "") in ASKED_INSTEAD:
            # not the question of the step the line waits at
            asks = ASKED_INSTEAD[x.step, x.outcome or ""]
        elif x.outcome in ASKED_AGAIN and out and out[-1].step == x.step and (
                out[-1].asks in ASKED_INSTEAD.values()):
            asks = out[-1].asks  # "*" at that question: the same one again
        elif following is not None and following.step not in OFF_CALL_STEPS:
            asks = following.step
        else:
            asks = asked_after(x.step, x.outcome)
        opening = 0
        if x.step == GREETING:
            # The welcome, then the first question, which at the account number and the code
            # is one sentence (ivr.flow's _question); a line closed says its welcome and
            # goodbye only.
            opening = len(x.said) - 1 if asks in FIRST_QUESTIONS else len(x.said)
        out.append(replace(x, asks=asks, after_end=ended and x.step not in OFF_CALL_STEPS,
                           opening=max(opening, 0)))
    return tuple(out)


def _series_questions(
    exchanges: tuple[Exchange, ...], state: dict[str, Any], steps: Sequence[_Step]
) -> tuple[Exchange, ...]:
    """The exchanges (one per step of ``steps``) with the question of a step whose answer read
    back the next day of several said at once ("annuler du 26 au 27": Thursday's "oui" logged
    "annulé", then Friday read back) as that read-back, "relecture": the outcome alone says
    "suite" (« autre opération ? »), which the line did not ask when the call ended there."""
    talk = [x for x in steps if x[2] not in OFF_CALL_STEPS]
    _, unpaired = _paired_tried(state, talk)
    read_back = {talk[at][0] for _, at in _series_read_backs_at(state, talk, unpaired)}
    return tuple(
        replace(x, asks="confirm") if step[0] in read_back and x.asks is not None else x
        for x, step in zip(exchanges, steps, strict=True)
    )


def _of_account(family_id: int, account: str) -> Any:
    """Calls of a family: identified; or its account typed (or matched) with no right code;
    or, with neither (the line closed, hung up before the code), from one of its numbers — not
    when the caller said with "0#" that the phone was not their family's."""
    return or_(
        Call.family_id == family_id,
        and_(Call.family_id.is_(None), account == TYPED_ACCOUNT),
        and_(Call.family_id.is_(None), TYPED_ACCOUNT.is_(None), PHONE_ACCOUNT.is_(None),
             Call.from_number.in_(
                 select(FamilyPhone.number).where(FamilyPhone.family_id == family_id))),
    )


def _number_owners(session: Session, calls: Sequence[Call]) -> dict[int, tuple[str, ...]]:
    """For each call neither identified nor with an account typed, the accounts its number is
    registered to (in order; none for a withheld or unknown number, nor after "0#": the caller
    said the phone was not their family's). One read for a page."""
    unknown = {c.id: c.from_number for c in calls if c.family_id is None and c.from_number
               and (c.state or {}).get("account") is None
               and (c.state or {}).get("phone_account") is None}
    if not unknown:
        return {}
    accounts: dict[str, list[str]] = {}
    for number, account in session.execute(
        select(FamilyPhone.number, Family.account)
        .join(Family, Family.id == FamilyPhone.family_id)
        .where(FamilyPhone.number.in_(set(unknown.values())))
        .order_by(Family.account)
    ):
        accounts.setdefault(number, []).append(account)
    return {cid: tuple(accounts[number]) for cid, number in unknown.items() if number in accounts}


def _day_range(day: date, tz: tzinfo) -> tuple[Any, Any]:
    """The calls started on ``day``, town time."""
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return Call.started_at >= start, Call.started_at < end


def _about_meal_day(day: date) -> Any:
    """The calls about ``day``'s meal, from what the call log keeps of them: a change of that
    day (the audit entries carrying the call's CallSid), a read-back of it (its step's
    outcome), a request refused, read back or already as asked for it ("rien à annuler": the
    line's ``tried`` records), or the day of the call's last request or question (a call
    logged before the line kept "rien à annuler", "est-ce que Rose mange jeudi ?": its
    ``day`` and ``asked_day``). Not every day the state names: the first day
    the line offered, the children's enrolment dates are not the caller's."""
    iso = day.isoformat()
    return or_(
        Call.call_sid.in_(select(AuditEntry.call_sid).where(
            AuditEntry.day == day, AuditEntry.call_sid.is_not(None),
            AuditEntry.action.in_(list(DONE_ACTIONS)))),
        Call.id.in_(select(CallEvent.call_id).where(CallEvent.outcome == f"read_back:{iso}")),
        # a record is [outcome, action, day, children…]: the day as a JSON string
        Call.state["tried"].as_string().contains(f'"{iso}"', autoescape=True),
        Call.state["day"].as_string() == iso,
        Call.state["asked_day"].as_string() == iso,
    )


def _ended_at_read_back() -> Any:
    """The calls left waiting for the answer to a read-back: :func:`_call_facts`'s rule for
    "raccroché à la relecture" (:func:`_waits_at_read_back`), in the database."""
    step, later = aliased(CallEvent), aliased(CallEvent)
    return or_(
        Call.step == CONFIRM,
        Call.id.in_(select(step.call_id).where(
            step.outcome.startswith("read_back:", autoescape=True),
            ~exists().where(later.call_id == step.call_id, later.id > step.id,
                            later.step.not_in(OFF_CALL_STEPS)),
        )),
    )


def _waits_at_read_back(c: Call, last_outcome: str) -> bool:
    """Whether a call was left waiting for the answer to a read-back (hung up there, the change
    not made): the line's question still the read-back's (``Call.step``: a later day of a
    series is read back in the answer to the day before, a step logged "annulé"; "répétez"
    asks it again), or its last step of conversation a read-back (``last_outcome``)."""
    return c.step == CONFIRM or last_outcome.startswith("read_back:")


def _calls_with(events: Sequence[str]) -> Any:
    """The calls with a step whose outcome is one of ``events``."""
    return select(CallEvent.call_id).where(CallEvent.outcome.in_(list(events)))


def _events_of(kind: str) -> list[str]:
    """The step outcomes that say a call did ``kind`` (``DONE_EVENTS``)."""
    return [event for event, done in DONE_EVENTS.items() if done == kind]


def _outcome_filter(outcome: str, now: datetime) -> Any:
    """The calls whose row (:func:`_call_row`) names ``outcome`` in its "Issue": the one rule
    of the rows, the filter and the home page's counts."""
    # No outcome, started within the hour is "en cours"; no outcome, older, is "fin non
    # signalée".
    if outcome == ONGOING:
        return and_(Call.outcome.is_(None), Call.started_at > now - ONGOING_FOR)
    if outcome == NO_END:
        return and_(Call.outcome.is_(None), Call.started_at <= now - ONGOING_FOR)
    if outcome == HUNG_UP_READ_BACK:
        # The call over (else the caller may yet confirm), its last step of conversation a
        # read-back, whatever its own outcome: "abandon", or "refusé" after an earlier refusal.
        over = or_(Call.outcome.is_not(None), Call.started_at <= now - ONGOING_FOR)
        return and_(over, _ended_at_read_back())
    # The call's own outcome, unless a fact of its steps says it better (a refusal that was
    # the lockout, an "abandon" after "rien à annuler")…
    own: Any = Call.outcome == outcome
    better = _events_of(SAID_BETTER.get(outcome, ""))
    if better:
        own = and_(own, Call.id.not_in(_calls_with(better)))
    # …or any step that did it: a call that listened, then booked, did both.
    conds = [own]
    events = _events_of(outcome)
    if events:
        conds.append(Call.id.in_(_calls_with(events)))
    if outcome == "refused":  # a refused day, then a day booked, is still a refusal heard
        conds.append(Call.id.in_(
            select(CallEvent.call_id).where(CallEvent.outcome.like("refused:%"))))
        # …and one said beside a step of another outcome ("oui pour tous", a day too late)
        conds.append(Call.state["tried"].as_string().contains('"refused:', autoescape=True))
    action = {v: k for k, v in DONE_ACTIONS.items()}.get(outcome)
    if action is not None:  # booked, cancelled: a change in the audit log whose step was lost
        conds.append(Call.call_sid.in_(select(AuditEntry.call_sid).where(
            AuditEntry.action == action, AuditEntry.call_sid.is_not(None))))
    return or_(*conds)


# One step of a call as the lists read it: (id, at, step, outcome, whether the line hung up).
_Step = tuple[int, datetime, str, str | None, bool]


def _steps(session: Session, call_ids: Sequence[int]) -> dict[int, list[_Step]]:
    """The steps of these calls, in order, without what the line said (one read): whether an
    answer hung up is read in the database, not by loading every TwiML."""
    hung = or_(CallEvent.response.contains("<Hangup"), CallEvent.response.contains("<Reject"))
    out: dict[int, list[_Step]] = {}
    if not call_ids:
        return out
    for call_id, event_id, at, step, outcome, hung_up in session.execute(
        select(CallEvent.call_id, CallEvent.id, CallEvent.at, CallEvent.step, CallEvent.outcome,
               case((hung, True), else_=False))
        .where(CallEvent.call_id.in_(list(call_ids)))
        .order_by(CallEvent.id)
    ):
        out.setdefault(call_id, []).append((event_id, at, step, outcome, bool(hung_up)))
    return out


def _call_facts(
    session: Session, calls: Sequence[Call], now: datetime,
    deadline_of: Callable[[Attempt], datetime | None] = lambda a: None,
) -> tuple[dict[int, tuple[str, ...]], dict[str, str], dict[int, tuple[str, ...]]]:
    """What each call did, in order (from its steps and its audit entries: a change whose step
    could not be logged is still in the audit), which were training calls (by whom), and which
    children and days each was about (:attr:`CallRow.about`): a request refused as too late
    with the deadline that refused it (``deadline_of``), and the read-backs the caller
    declined to ask for something else (a correction) once for the call, without the days the
    call then changed. Two reads for the whole page."""
    if not calls:
        return {}, {}, {}
    ids = {c.call_sid: c.id for c in calls}
    marks: dict[int, list[tuple[datetime, str]]] = {}
    # One read: every step of the page's calls (what they did, the last step of the
    # conversation — a read-back there, the call over: the caller hung up before confirming —
    # and the requests that changed nothing).
    steps = _steps(session, list(ids.values()))
    last: dict[int, str] = {}
    for call_id, found in steps.items():
        for _, at, step, outcome, _ in found:
            if step not in OFF_CALL_STEPS:
                last[call_id] = outcome or ""  # in order: the last one kept is the last step
            if outcome in DONE_EVENTS or (outcome or "").startswith("refused:"):
                marks.setdefault(call_id, []).append(
                    (at, DONE_EVENTS.get(outcome or "", "refused")))
    training: dict[str, str] = {}
    about: dict[int, list[tuple[datetime, str]]] = {}
    done: set[tuple[int, date, str]] = set()  # (call, meal day, child's first name) changed
    for sid, at, action, actor, day, name in session.execute(
        select(AuditEntry.call_sid, AuditEntry.at, AuditEntry.action, AuditEntry.actor,
               AuditEntry.day, Child.first_name)
        .outerjoin(Child, Child.id == AuditEntry.child_id)
        .where(AuditEntry.call_sid.in_(list(ids)),
               AuditEntry.action.in_([*DONE_ACTIONS, "training_call"]))
        .order_by(AuditEntry.id)
    ):
        if sid is None:
            continue
        if action == "training_call":
            training[sid] = actor
        else:
            marks.setdefault(ids[sid], []).append((at, DONE_ACTIONS[action]))
            if day is not None:
                done.add((ids[sid], day, name or "?"))
                about.setdefault(ids[sid], []).append(
                    (at, f"{name or '?'} — {day:%d/%m} : {DONE_STATES[action]}"))
    for c in calls:  # refusals said beside a step ("oui pour tous", one day too late)…
        talk = [x for x in steps.get(c.id, []) if x[2] not in OFF_CALL_STEPS]
        state = c.state or {}
        # …or between the days of several said at once (a Wednesday, a day too late)
        between = _refused_between(c.call_sid, state, talk, {}, *_paired_tried(state, talk))
        for a in [*_refused_beside(c.call_sid, state, talk, {}), *between]:
            marks.setdefault(c.id, []).append((a.at, "refused"))
    did = {
        call_id: tuple(dict.fromkeys(kind for _, kind in sorted(found, key=lambda m: m[0])))
        for call_id, found in marks.items()
    }
    for c in calls:
        if _waits_at_read_back(c, last.get(c.id, "")):  # always last: nothing came after it
            did[c.id] = (*did.get(c.id, ()), HUNG_UP_READ_BACK)
    for c in calls:
        # Its requests already as asked ("rien à annuler"): asked too, for that day. Before
        # its attempts: at the same step, the line says them before the others' read-back.
        nothing = _nothing_asked(c, steps.get(c.id, []))
        if nothing:
            about.setdefault(c.id, []).extend(nothing)
        over = c.outcome is not None or now - c.started_at >= ONGOING_FOR
        # The read-backs the caller declined for another date, child or menu (changing their
        # mind at the read-back): one line for the call by children and request, its days in
        # order, at the first one's time, not one line per step; a day the call then changed
        # for them is not "jamais confirmée".
        declined: dict[tuple[tuple[str, ...], str | None, str], tuple[datetime, list[date]]] = {}
        for a in _attempts(c.call_sid, c.state, steps.get(c.id, []), over):
            if a.day is None:  # a refusal logged before the line kept its day: nothing to name
                continue
            if a.kind == "read_back" and a.code in _DECLINED:
                if a.names and all((c.id, a.day, n) in done for n in a.names):
                    continue
                days = declined.setdefault((a.names, a.action, a.code), (a.at, []))[1]
                if a.day not in days:
                    days.append(a.day)
                continue
            names = ", ".join(a.names) + " — " if a.names else ""
            about.setdefault(c.id, []).append(
                (a.at, f"{names}{a.day:%d/%m} : {_short(a, deadline_of(a))}"))
        for (kids, asked, code), (first, days) in declined.items():
            names = ", ".join(kids) + " — " if kids else ""
            when = ", ".join(f"{d:%d/%m}" for d in days)
            about.setdefault(c.id, []).append(
                (first, f"{names}{when} : {attempt_label('read_back', code, asked)}"))
    return did, training, {
        # Several children changed the same day read as one line per child: kept apart, in
        # the order they were made; the same line twice is said once.
        call_id: tuple(dict.fromkeys(text for _, text in sorted(found, key=lambda m: m[0])))
        for call_id, found in about.items()
    }


# The line's ``tried`` records of a request already as asked: the step's own outcome, or, for
# the children beside a read-back ("tous vos enfants": Nathan's meal not booked), this outcome
# with ":beside" (said at the read-back's step).
NOTHING_TRIED = ("nothing_to_cancel", "already_booked")


def _nothing_asked(c: Call, steps: Sequence[_Step]) -> list[tuple[datetime, str]]:
    """A call's requests that found the meal already as asked, each with the time of the step
    that said so, for its row: "Margaux — 26/11 : rien à annuler (pas de repas réservé)",
    "… : déjà réservé". From the line's ``tried`` records (calls logged before the line kept
    them name none): a record that names its step (:func:`_named_steps`) takes that step's
    time. One written before the line named it is found among the steps in order (before
    the first step a record names), a record whose step was not logged under its outcome
    (several days said at once: one step for the turn; the children beside a read-back)
    taking the time of the step found before it."""
    state = c.state or {}
    names = {str(k[0]): str(k[1]) for k in state.get("kids") or () if len(k) >= 2}
    talk = [x for x in steps if x[2] not in OFF_CALL_STEPS]
    where, cut = _named_steps(state, talk)
    at, nxt = c.started_at, 0
    out = []
    for rec in state.get("tried") or ():
        if not _is_tried(rec):
            continue
        outcome = str(rec[0])
        kind = outcome.removesuffix(":beside")
        if kind not in NOTHING_TRIED and not outcome.startswith("read_back:"):
            continue  # refusals: some are said at a step logged otherwise (the confirmation)
        when = at
        if _step_named(rec) is not None:
            if id(rec) not in where:
                continue  # its step is not in the call log: nowhere to say it was
            when = talk[where[id(rec)]][1]
        else:
            found = next((i for i in range(nxt, cut) if talk[i][3] == outcome), None)
            if found is not None:
                at, nxt = talk[found][1], found + 1
            when = at
        if kind not in NOTHING_TRIED or not isinstance(rec[3], list) or not rec[3]:
            continue
        try:
            day = date.fromisoformat(str(rec[2]))
        except ValueError:
            continue
        who = ", ".join(names.get(str(r), str(r)) for r in rec[3])
        out.append((when, f"{who} — {day:%d/%m} : {event_label(kind)}"))
    return out


def _short(a: Attempt, deadline: datetime | None = None) -> str:
    """An attempt in a call-log row: "annulation refusée (délai dépassé)"; with the deadline
    that refused it when known, "annulation refusée : il fallait annuler avant le lundi 30
    novembre à 13 heures" (what the parent heard, for "mais j'ai bien annulé !")."""
    if a.kind == "refused" and deadline is not None:
        noun = REQUESTS.get(a.action or "", "demande")
        return f"{noun} refusée : {refused_deadline(a.action, deadline)}"
    if a.kind == "refused":
        return f"{REQUESTS.get(a.action or '', 'demande')} refusée ({REFUSALS.get(a.code, a.code)})"
    return a.label


# What a read-back's answer may be, beside one that leaves the read-back for good: the change
# made (or found already so), refused, or said again otherwise (a correction, read back in its
# turn: that read-back is the request).
_CONFIRMED = frozenset({"booked", "cancelled", "unchanged"})
# Answers at the read-back that ask for something else instead: the change read back was
# declined ("skipped": one of several days said at once left as it was, the next read back).
_DECLINED = frozenset({"other_date", "back", "change_child", "skipped"})


def _read_back_end(after: Sequence[_Step], over: bool) -> str | None:
    """How a read-back ended, from the steps after it: ``None`` when it was confirmed, refused,
    corrected (read back again), or may still be answered (the call not over); else
    "hung_up", "goodbye" ("non merci"), "line_ended" (too many answers not understood) or
    what was asked instead ("other_date", "back", "change_child"; "skipped": one of several
    days left as it was)."""
    for _, _, step, outcome, hung_up in after:
        if step in OFF_CALL_STEPS:
            continue
        o = outcome or ""
        if step == "confirm" and o == "too_slow":
            return o  # confirmed, but rolled back: not made
        if step != "confirm" or o in _CONFIRMED or o.startswith(("refused:", "read_back:")):
            return None
        if o in _DECLINED:
            return o
        if hung_up:
            return "goodbye" if o == "goodbye" else "line_ended"
        # "répétez", a key not expected, "merci" without a yes: the read-back is asked again
    return "hung_up" if over else None


def _tried_refs(rec: Any) -> list[str]:
    """The children a ``tried`` record of the line is about: those read back or refused, and
    those refused as too late beside a read-back (its fifth item); none if malformed."""
    if not _is_tried(rec):
        return []
    return [str(r) for part in rec[3:5] for r in part or ()]


# The line's ``tried`` records (``flow._tried``): ``[outcome, action, day, refs, late, step]``,
# ``step`` the id of the call event (the logged step) whose webhook said it, ``late`` the
# children refused as too late beside a read-back (may be empty); written before the line named
# the step, ``[outcome, action, day, refs]`` or ``[outcome, action, day, refs, late]``.
_TRIED_LENGTHS = (4, 5, 6)


def _is_tried(rec: Any) -> bool:
    """Whether ``rec`` is a well-formed ``tried`` record (one naming its step names it by an
    event id)."""
    if not isinstance(rec, list) or len(rec) not in _TRIED_LENGTHS:
        return False
    return len(rec) < 6 or (isinstance(rec[5], int) and not isinstance(rec[5], bool))


def _step_named(rec: list[Any]) -> int | None:
    """The id of the logged step (call event) that said a ``tried`` record; ``None`` for a
    record written before the line named it."""
    return rec[5] if len(rec) == 6 else None


def _named_steps(state: dict[str, Any], talk: Sequence[_Step]) -> tuple[dict[int, int], int]:
    """Where the ``tried`` records that name their step were said, exactly: for each (by
    ``id()`` of the record) the index in ``talk`` of that step — a record whose step is not in
    ``talk`` has none —, and the index of the first step any names (``len(talk)`` when none).
    The records written before the line named the step (a call already in the database; the
    start of a call that went on after the line was updated) were all said before that step:
    the pairing by order and outcome places them among the steps before it, as before."""
    index = {step[0]: i for i, step in enumerate(talk)}
    where: dict[int, int] = {}
    for rec in state.get("tried") or ():
        if _is_tried(rec) and (step := _step_named(rec)) is not None and step in index:
            where[id(rec)] = index[step]
    return where, min(where.values(), default=len(talk))


def _attempts(
    call_sid: str, state: dict[str, Any] | None, steps: Sequence[_Step], over: bool
) -> list[Attempt]:
    """A call's requests that changed nothing: each refusal, and each read-back never
    confirmed, with the action, day and children the line kept for it in the call's state
    (``tried``: ``[outcome, action, day, refs, late, step]``, one per such step and per day
    said beside it; a read-back for some children also keeps those refused as too late,
    ``late``), each at the step that said it (``step``, :func:`_paired_tried`). Records
    written before the line named the step (``[outcome, action, day, refs]``, ``[…, late]``)
    are paired, in order, with the steps of their outcome. A call logged before the line
    kept them gives what its steps say: a read-back's day, no child."""
    state = state or {}
    names = {str(k[0]): str(k[1]) for k in state.get("kids") or () if len(k) >= 2}
    talk = [x for x in steps if x[2] not in OFF_CALL_STEPS]
    paired, kept = _paired_tried(state, talk)
    out = _refused_beside(call_sid, state, talk, names)
    for i, (_, at, _, outcome, _) in enumerate(talk):
        o = outcome or ""
        kind, _, rest = o.partition(":")
        if kind not in ("refused", "read_back") or not rest or rest == "undo":
            continue  # taking back a change just made: not a request about a meal day
        rec = paired[i]
        day: date | None = None
        try:
            day = date.fromisoformat(str(rec[2]) if rec else rest)
        except ValueError:
            day = None
        action = str(rec[1]) if rec and rec[1] in ("book", "cancel") else None
        if rec is not None and len(rec) >= 5 and rec[4]:
            # Too late for these children while the others were read back: refused, whatever
            # the read-back became.
            late = tuple(str(r) for r in rec[4])
            out.append(Attempt(
                call_sid, at, "refused", "past_deadline", action, day, late,
                tuple(names.get(r, r) for r in late),
                attempt_label("refused", "past_deadline", action),
            ))
        if kind == "read_back":
            code = _read_back_end(talk[i + 1:], over)
            if code is None:
                continue
        else:
            code = rest
        refs = tuple(str(r) for r in rec[3]) if rec else ()
        out.append(Attempt(
            call_sid, at, kind, code, action, day, refs,
            tuple(names.get(r, r) for r in refs), attempt_label(kind, code, action),
        ))
    out.extend(_series_read_backs(call_sid, state, talk, names, kept, over))
    out.extend(_refused_between(call_sid, state, talk, names, paired, kept))
    # In the order of the call (the refusals said beside a step come with it); within one
    # answer, in the order of the days, as the line says them ("lundi 23 et mardi 24 : trop
    # tard", then Thursday 26 read back), not refusals found later listed after a read-back.
    return sorted(out, key=lambda a: (a.at, a.day or date.min))


def _paired_tried(
    state: dict[str, Any], talk: Sequence[_Step]
) -> tuple[list[list[Any] | None], dict[str, list[list[Any]]]]:
    """The call's ``tried`` records paired with the steps logged under their outcome (a
    refusal, a read-back): for each step of ``talk`` its record (``None``: another step, or a
    call logged before the line kept them), and the records left by outcome (a series' later
    read-backs, said in the answer to the day before; the records of the requests already as
    asked; the refusals said beside or between others). A record that names its step is
    paired with that step when the step was logged under its outcome, else left. One written
    before the line named the step is paired by order: with the next step of its outcome
    before the first step a record names (:func:`_named_steps`)."""
    where, cut = _named_steps(state, talk)
    kept: dict[str, list[list[Any]]] = {}
    left: list[list[Any]] = []
    paired: list[list[Any] | None] = [None] * len(talk)
    for rec in state.get("tried") or ():
        if not _is_tried(rec):
            continue
        if _step_named(rec) is None:
            kept.setdefault(str(rec[0]), []).append(rec)
            continue
        i = where.get(id(rec))
        if i is None:
            continue  # its step is not in the call log: nowhere to say it was
        if paired[i] is None and _a_request(talk[i][3]) and talk[i][3] == rec[0]:
            paired[i] = rec
        else:
            left.append(rec)
    for i, (_, _, _, outcome, _) in enumerate(talk[:cut]):
        queue = kept.get(outcome or "")
        if not _a_request(outcome) or not queue:
            continue  # taking back a change just made: not a request about a day
        paired[i] = queue.pop(0)  # even for a step then skipped: the pairing is by order
    for rec in left:
        kept.setdefault(str(rec[0]), []).append(rec)
    return paired, kept


def _a_request(outcome: str | None) -> bool:
    """Whether a step's outcome is a request about a meal day said to the caller, refused or
    read back ("refused:past_deadline", "read_back:2026-11-26"; not "read_back:undo", taking
    back a change just made)."""
    kind, _, rest = (outcome or "").partition(":")
    return kind in ("refused", "read_back") and bool(rest) and rest != "undo"


def _series_read_backs_at(
    state: dict[str, Any], talk: Sequence[_Step], unpaired: dict[str, list[list[Any]]]
) -> Iterator[tuple[list[Any], int]]:
    """A series' later read-backs (the ``unpaired`` records of :func:`_paired_tried` that are
    read-backs), each with the index in ``talk`` of the step whose answer said it: the step
    the record names (:func:`_tried_at_steps`); for a record written before the line named
    it, the step after the one of the record before it, one step further each time (each day
    is read back in the answer to the one before), or the step of a refusal before it (the
    day before refused at its read-back's answer, as its deadline passed: the next day read
    back in that answer)."""
    left = {id(rec) for queue in unpaired.values() for rec in queue}

    def placed(rec: list[Any]) -> bool | None:
        if id(rec) not in left:
            return False  # paired with its own step
        return True if str(rec[0]).startswith("read_back:") else None

    def stays(rec: list[Any]) -> bool:
        # Refused at its step (the deadline passed during the read-back): the next day is
        # read back in that same answer.
        return str(rec[0]).startswith("refused:")

    return _tried_at_steps(state, talk, placed, advance=True, stays=stays)


def _series_read_backs(
    call_sid: str, state: dict[str, Any], talk: Sequence[_Step], names: dict[str, str],
    unpaired: dict[str, list[list[Any]]], over: bool,
) -> list[Attempt]:
    """The read-backs no step was logged under (``unpaired``: the ``tried`` records left once
    :func:`_attempts` paired the others with their steps): the days after the first of several
    said at once, each read back in the answer to the day before (a step logged "cancelled",
    "skipped"…). Each is placed (:func:`_series_read_backs_at`) at the step it names; one
    written before the line named it, at the step after the one of the record before it. It
    ends as the steps after it say ("skipped": left as it was, the next day read back; hung
    up)."""
    out = []
    for rec, at in _series_read_backs_at(state, talk, unpaired):
        code = _read_back_end(talk[at + 1:], over)
        try:
            day = date.fromisoformat(str(rec[2]))
        except ValueError:
            continue
        if code is None:
            continue
        out.append(_attempt_of(call_sid, talk[at][1], "read_back", code, rec, day, names))
    return out


def _refused_between(
    call_sid: str, state: dict[str, Any], talk: Sequence[_Step], names: dict[str, str],
    paired: Sequence[list[Any] | None], unpaired: dict[str, list[list[Any]]],
) -> list[Attempt]:
    """The refusals of several days said at once that no step was logged under (``paired``
    and ``unpaired``: :func:`_paired_tried`'s pairing): a Wednesday ("pas de restauration
    scolaire") or a day too late said between two days of a series, in the answer to the
    day before ("mardi 1er, mercredi 2 et jeudi 3": Tuesday's "oui" logged "annulé"), or
    several said before the first day read back (the step logged as that read-back, or as
    the last of them). A record that names its step (:func:`_named_steps`) is placed at it.
    One written before the line named the step is placed by the order the line says them
    in, among the steps before the first one a record names: one whose record before is of
    the same request (same action, an earlier day: the days are said in order) was said in
    the same answer as it (at its step; at the step after, when that one was read back
    there); any other, heading a request, at the step of the record after it (the step
    where the request was said). (That guess places a new request's first days refused after
    the day of the request before one request early: "vendredi 20" refused as past, then
    "lundi 23, mardi 24 et jeudi 26", Monday and Tuesday refused together, are placed at
    the step of Friday's refusal.)"""
    if not talk:
        return []
    where, cut = _named_steps(state, talk)
    left = {id(rec) for queue in unpaired.values() for rec in queue}
    at_step: dict[int, int] = {id(rec): i for i, rec in enumerate(paired) if rec is not None}
    read_backs = _series_read_backs_at(state, talk, unpaired)
    at_step.update((id(rec), i) for rec, i in read_backs if str(rec[0]).startswith("read_back:"))

    def between(rec: Any) -> bool:
        outcome = str(rec[0]) if _is_tried(rec) else ""
        return (id(rec) in left and outcome.startswith("refused:")
                and not outcome.endswith(":beside"))

    def day_of(rec: list[Any]) -> date | None:
        try:
            return date.fromisoformat(str(rec[2]))
        except ValueError:
            return None

    tried = [rec for rec in state.get("tried") or () if between(rec)]
    # Those that name their step: said there.
    said = {id(rec): where[id(rec)] for rec in tried if id(rec) in where}
    # Those written before: by their neighbours among the records of the same kind.
    records = [rec for rec in state.get("tried") or ()
               if _is_tried(rec) and _step_named(rec) is None
               and (id(rec) in at_step or between(rec))]
    for k, rec in enumerate(records):
        if not between(rec) or cut == 0:
            continue
        day = day_of(rec)
        before = records[k - 1] if k else None
        if before is not None and day is not None and before[1] == rec[1] and (
                (earlier := day_of(before)) is not None and earlier < day):
            at = at_step.get(id(before), -1)
            if at < 0:
                continue  # the record before was placed nowhere: nor is this one
            if str(before[0]).startswith("read_back:"):
                at = min(at + 1, cut - 1)  # said in the answer to that read-back
        else:
            after = next((at_step[id(r)] for r in records[k + 1:] if id(r) in at_step), None)
            if after is None:
                continue  # a request whose step was not logged: nowhere to say it was
            at = after
        at_step[id(rec)] = said[id(rec)] = at
    out = []
    for rec in tried:
        if id(rec) in said:
            code = str(rec[0]).removeprefix("refused:")
            at = said[id(rec)]
            out.append(_attempt_of(call_sid, talk[at][1], "refused", code, rec, day_of(rec),
                                   names))
    return out


def _tried_at_steps(
    state: dict[str, Any], talk: Sequence[_Step],
    placed: Callable[[list[Any]], bool | None], advance: bool = False,
    stays: Callable[[list[Any]], bool] | None = None,
) -> Iterator[tuple[list[Any], int]]:
    """The call's ``tried`` records that no step was logged under, each with the index in
    ``talk`` of the step it was said at: the records ``placed`` says ``True`` for (``False``:
    found at its own step, by outcome; ``None``: passed over, as malformed records are). A
    record that names its step (:func:`_named_steps`) is yielded with that step's index.

    Those written before the line named the step are walked in order beside the steps
    before the first one a record names: a record ``placed`` says ``False`` for is found
    among the steps from where the walk is (its own step, by outcome), and the walk goes on
    after it; one it says ``True`` for was said at the step after the one of the record
    before it (the answer that asked for it), yielded with that step's index (the last step
    at most; none when no step was logged), the walk going one step further only with
    ``advance`` (each in the answer to the one before, as a series' days are read back). A
    record found at its own step that ``stays`` says true for was said in the answer at that
    step (a refusal of the answer to a read-back): the record after it, if placed, was said
    in that same answer, at that step (the next day of a series read back after the
    refusal), though the search goes on after it."""
    where, cut = _named_steps(state, talk)
    nxt = 0  # where the search of the records found at their own steps goes on
    place = 0  # the step after the one of the record before: where the next one is placed
    for rec in state.get("tried") or ():
        if not _is_tried(rec):
            continue
        elsewhere = placed(rec)
        if elsewhere is None:
            continue
        if _step_named(rec) is not None:
            if elsewhere and id(rec) in where:
                yield rec, where[id(rec)]
            continue
        if not elsewhere:
            outcome = str(rec[0])
            found = next((i for i in range(nxt, cut) if talk[i][3] == outcome), None)
            if found is not None:
                nxt = found + 1
                place = found if stays is not None and stays(rec) else nxt
            continue
        if not cut:
            continue
        at = min(place, cut - 1)
        if advance:
            nxt = place = at + 1
        yield rec, at


def _refused_beside(
    call_sid: str, state: dict[str, Any], talk: Sequence[_Step], names: dict[str, str]
) -> list[Attempt]:
    """The refusals the line said at a step logged under another outcome (``tried`` records
    "refused:<code>:beside": "oui pour tous" to several days, some made, one too late): each at
    the step it names (:func:`_tried_at_steps`); one written before the line named it, at the
    step after the one of the record before it (the answer that asked for them), as
    :func:`_nothing_asked` finds its records."""
    def placed(rec: list[Any]) -> bool:
        outcome = str(rec[0])
        return outcome.startswith("refused:") and outcome.endswith(":beside")

    out = []
    for rec, i in _tried_at_steps(state, talk, placed):
        code = str(rec[0]).removeprefix("refused:").removesuffix(":beside")
        at = talk[i][1]
        try:
            day: date | None = date.fromisoformat(str(rec[2]))
        except ValueError:
            day = None
        out.append(_attempt_of(call_sid, at, "refused", code, rec, day, names))
    return out


def _attempt_of(
    call_sid: str, at: datetime, kind: str, code: str, rec: list[Any], day: date | None,
    names: dict[str, str],
) -> Attempt:
    """The :class:`Attempt` of a call's ``tried`` record (``[outcome, action, day, refs, …]``)
    said at ``at``: its action and children as the line recorded them, their first names from
    ``names``, labelled as the call page says it."""
    action = str(rec[1]) if rec[1] in ("book", "cancel") else None
    refs = tuple(str(r) for r in rec[3] or ())
    return Attempt(
        call_sid, at, kind, code, action, day, refs,
        tuple(names.get(r, r) for r in refs), attempt_label(kind, code, action),
    )


def _kitchen_notes(
    session: Session, child_ids: set[int], days: set[date]
) -> dict[tuple[int, date], KitchenNote]:
    """For these children and days, each locked day's note: whether the child was counted at
    the lock (the school's list, ``locked_children``) and the adjustments of their meal since,
    in order. Three reads whatever the number of days."""
    if not child_ids or not days:
        return {}
    adjustments: dict[int, list[tuple[int, Adjustment]]] = {}
    for lock_id, child_id, at, delta, variant, actor in session.execute(
        select(LockAdjustment.lock_id, LockAdjustment.child_id, LockAdjustment.at,
               LockAdjustment.delta, LockAdjustment.variant, LockAdjustment.actor)
        .join(DayLock, DayLock.id == LockAdjustment.lock_id)
        .where(LockAdjustment.child_id.in_(child_ids), DayLock.day.in_(days))
        .order_by(LockAdjustment.id)
    ):
        if child_id is None:  # (not selected: the filter is on the child)
            continue
        adjustments.setdefault(lock_id, []).append(
            (child_id, Adjustment(at, delta, variant, actor)))
    if not adjustments:
        return {}
    locks = {
        lock_id: (day, locked_at, deadline) for lock_id, day, locked_at, deadline in
        session.execute(select(DayLock.id, DayLock.day, DayLock.locked_at, DayLock.deadline)
                        .where(DayLock.id.in_(adjustments)))
    }
    counted = {
        (lock_id, child_id): variant for lock_id, child_id, variant in session.execute(
            select(LockedChild.lock_id, LockedChild.child_id, LockedChild.variant)
            .where(LockedChild.lock_id.in_(adjustments), LockedChild.child_id.in_(child_ids)))
    }
    notes: dict[tuple[int, date], KitchenNote] = {}
    for lock_id, found in adjustments.items():
        day, locked_at, deadline = locks[lock_id]
        for child_id in dict.fromkeys(c for c, _ in found):
            notes[(child_id, day)] = KitchenNote(
                locked_at, deadline, counted.get((lock_id, child_id)),
                tuple(a for c, a in found if c == child_id))
    return notes


def _same_call_run(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """A day's booking changes (in order) from the last one back while they were made in the
    same call as it: the last change alone when it was not made by phone or had no other
    change of that day in its call."""
    last = entries[-1]
    if last.call_sid is None:
        return [last]
    run = [last]
    for e in reversed(entries[:-1]):
        if e.call_sid != last.call_sid:
            break
        run.insert(0, e)
    return run


def _call_row(
    c: Call, account: str | None, did: tuple[str, ...], training_by: str | None, now: datetime,
) -> CallRow:
    verified = c.family_id is not None
    if not verified:
        typed = (c.state or {}).get("account")
        account = str(typed) if typed else None
    over = c.outcome is not None or now - c.started_at >= ONGOING_FOR
    if not over:  # still at the read-back: the caller may yet confirm
        did = tuple(d for d in did if d != HUNG_UP_READ_BACK)
    things = list(did)
    if c.outcome and c.outcome not in did and SAID_BETTER.get(c.outcome) not in did:
        things.append(c.outcome)
    if c.outcome is None:  # no status callback: the same rule as the filter and the home page
        things.append(ONGOING if not over else NO_END)
    summary = ", ".join(call_outcome_label(t) for t in things)
    # Twilio's duration only: a status without CallDuration (busy, no answer…) has none.
    return CallRow(c.call_sid, c.started_at, mask_phone(c.from_number), account, c.outcome,
                   c.status, c.duration, verified, did, training_by, summary)


def _state_text(state: dict[str, Any] | None, key: str) -> str | None:
    """A text kept in a call's state (``None`` when absent or empty)."""
    found = (state or {}).get(key)
    return str(found) if found else None


def _detail_account(detail: dict[str, Any] | None) -> str | None:
    found = (detail or {}).get("account")
    return str(found) if found else None



def _gone(e: AuditEntry, gone: set[str], purge: Purge | None) -> tuple[int | None, bool]:
    """Whether an entry's call left the call log: purged (after how many days of retention),
    or missing without a purge to explain it."""
    if e.call_sid is None or e.call_sid not in gone:
        return None, False
    if purge is not None and purge.covers(e.at):
        return purge.days, False
    return None, True

def _until(detail: dict[str, Any] | None) -> datetime | None:
    try:
        return datetime.fromisoformat(str((detail or {})["until"]))
    except (KeyError, ValueError):
        return None


# Answers at the read-back that leave it: done, refused, another date, back to the menu.
_LEAVE_READ_BACK = frozenset({"booked", "cancelled", "unchanged", "other_date", "back"})


# How a read-back ended that ended the call there (:func:`_read_back_end`'s codes).
_ENDED_CALL = frozenset({"hung_up", "goodbye", "line_ended", "too_slow"})


def _read_back_ending(
    exchanges: Sequence[Exchange], over: bool, changed: bool, attempts: Sequence[Attempt] = (),
    state: dict[str, Any] | None = None,
) -> str | None:
    """What the end of a call means when it ended at the read-back (the change read back was
    not confirmed, so not made): said plainly, for the agent facing "mais j'ai annulé !". A
    later day of a series is read back in the answer to the day before, a step logged
    otherwise: its read-back is found among the call's ``attempts``
    (:func:`_series_read_backs`). The read-back of a change taken back ("… soit de nouveau
    réservé") names its day(s) from the call's ``state``, as the others do."""
    pending: str | None = None  # the day read back, not answered yet
    line_ended = False
    said_goodbye = False  # "non merci", "au revoir" at the read-back: the caller ended it
    too_slow = False  # confirmed, but the change was rolled back (too late for Twilio)
    for x in exchanges:
        outcome = x.outcome or ""
        if x.step in ("status", "fallback", "end"):
            continue  # the status callback, an answer after the end: nothing done
        if outcome.startswith("read_back:"):
            pending, line_ended = outcome.partition(":")[2], False
        elif pending is not None and x.step == "confirm":
            if outcome in _LEAVE_READ_BACK or outcome.startswith("refused:"):
                pending = None
            elif outcome == "too_slow":
                line_ended = too_slow = True
            elif x.hung_up:  # "non merci", too many answers not understood
                line_ended = True
                said_goodbye = outcome == "goodbye"
        elif pending is not None:
            pending = None
    if pending is None:
        last = next((a for a in reversed(attempts) if a.kind == "read_back"), None)
        if last is None or last.code not in _ENDED_CALL or last.day is None:
            return None
        pending, line_ended = last.day.isoformat(), last.code != "hung_up"
        said_goodbye, too_slow = last.code == "goodbye", last.code == "too_slow"
    if not (over or line_ended):
        return None
    days = _undone_days(state or {}) if pending == "undo" else [pending]
    try:
        day = " " + _and(
            [f"du {format_day(date.fromisoformat(d), year=True)}" for d in days]) if days else ""
    except ValueError:
        day = ""
    these = ("ces changements n'ont pas été faits" if len(days) > 1
             else "ce changement n'a pas été fait")
    what = (f"{these} (les changements faits plus tôt dans l'appel restent faits)."
            if changed else "rien n'a été modifié.")
    if too_slow:
        return (f"Confirmation reçue à la relecture{day}, mais pas faite (problème technique) : "
                f"{what}")
    if said_goodbye:  # not the line's doing: the caller declined and said goodbye
        return f"L'appel s'est terminé à la relecture{day} (l'appelant a dit au revoir) : {what}"
    who = "La ligne a terminé l'appel" if line_ended else "Raccroché"
    return f"{who} à la relecture{day} : {what}"


def _undone_days(state: dict[str, Any]) -> list[str]:
    """The days (ISO, in the order read back) of the change(s) taken back whose read-back the
    call ended at: the line keeps them (``undo``, and ``undo_more`` for the earlier days of a
    series taken back with it) until that undoing is answered; empty when it kept none."""
    undo = state.get("undo")
    if not isinstance(undo, list) or len(undo) < 2:
        return []
    more = [str(e[0]) for e in state.get("undo_more") or () if isinstance(e, list) and e]
    return list(dict.fromkeys([*more, str(undo[1])]))


def _and(parts: Sequence[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"
