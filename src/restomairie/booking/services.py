"""The booking services: every channel (phone, staff pages, command line, scheduler) calls these.

Each public method is one transaction (``with session.begin()``): it either applies completely or
raises a :class:`~restomairie.booking.errors.BookingError` and writes nothing. Repeating a request
never changes anything twice ("already booked", "nothing to cancel").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any, TypeVar, cast

from babel.lists import format_list
from sqlalchemy import (
    Boolean,
    Date,
    Engine,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload, sessionmaker

from restomairie.booking import queries
from restomairie.booking.adjustments import OVERRIDE, served, settle
from restomairie.booking.errors import (
    BookingError,
    DayLocked,
    InvalidRequest,
    NotEnrolled,
    NotOperatingDay,
    OutsideCalendar,
    PastDeadline,
    UnknownChild,
    UnknownFamily,
)
from restomairie.booking.guard import guard, guard_statements
from restomairie.calendar.days import CLOSURE_PREFIX, DayStatus, SchoolCalendar
from restomairie.calendar.days import Closure as CalendarClosure
from restomairie.calendar.deadlines import DeadlineRule
from restomairie.calendar.schoolholidays import CalendarCoverageError
from restomairie.clock import Clock
from restomairie.config import Settings
from restomairie.db import (
    DirectStatements,
    autocommit_connection,
    direct_transaction,
    read_only_engine,
    run_together,
)
from restomairie.i18n import format_day, format_deadline
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
    Subscription,
    UTCDateTime,
)
from restomairie.phones import WITHHELD_SIP_PATTERNS, WITHHELD_SPELLINGS, is_withheld

# The farthest ahead :meth:`BookingService.days_to_cutoff` ever walks. The walk stops much earlier
# (at the first day still open); this only bounds it. The longest gap between a cut-off and its
# meal is the summer break (early July → early September, about 65 days): a year is far more
# than enough.
MAX_LEAD_DAYS = 366

# A request with a time limit (a phone webhook: after 15 s Twilio gives up, plays its fallback
# and the caller hears an apology) must not make a change the caller never hears about: a
# change ready after the limit (the database was busy: an import, a lock) is rolled back.
# How far back the scheduler's catch-up locks the days it missed (restomairie.booking.locks).
LOCK_LOOKBACK_DAYS = 31

_COMMIT_BY: ContextVar[float | None] = ContextVar("restomairie_commit_by", default=None)


class TooSlow(RuntimeError):
    """A change was ready after the time limit of its request (see :func:`commit_by`)."""


@contextmanager
def commit_by(deadline: float) -> Iterator[None]:
    """Within this block, a booking change ready after ``deadline`` (``time.monotonic()``) is
    rolled back and raises :class:`TooSlow`."""
    token = _COMMIT_BY.set(deadline)
    try:
        yield
    finally:
        _COMMIT_BY.reset(token)


class Outcome(StrEnum):
    BOOKED = "booked"
    ALREADY_BOOKED = "already_booked"
    CANCELLED = "cancelled"
    NOTHING_TO_CANCEL = "nothing_to_cancel"


@dataclass(frozen=True)
class Actor:
    """Who acts, through which channel (and in which call)."""

    kind: str  # family, staff, system
    name: str
    channel: str  # phone, web, staff, import, system
    call_sid: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"


SYSTEM = Actor("system", "system", "system")


@dataclass(frozen=True)
class Decided:
    """When, and through which channel (phone, web, staff…), a child's meal of a day was last
    booked or cancelled by hand: what a parent calling again to be sure is told ("déjà annulé
    le lundi 23 novembre à 10 h 20")."""

    at: datetime
    channel: str


@dataclass(frozen=True)
class ChangeResult:
    child_ref: str
    first_name: str
    day: date
    action: str
    outcome: Outcome
    adjusted: bool = False  # made after the lock: recorded as a kitchen adjustment
    # The day's meals were already served (a day gone by, or today after lunch): the change is
    # billing only, and the kitchen's figure for that day stays what was produced.
    served: bool = False
    # Made with "forcer le délai" on a day that needed it (past its deadline, or locked).
    forced: bool = False
    # A day already as asked (ALREADY_BOOKED, NOTHING_TO_CANCEL) by an earlier change: when and
    # how. None when the day is so by the subscription, or never was otherwise.
    decided: Decided | None = None
    # A change made (BOOKED, CANCELLED): its time, as its booking day and audit entry keep it,
    # so the :attr:`Decided.at` read back later is this very value. The phone line knows by it
    # a day asked again in the call that changed it ("déjà annulé pendant cet appel").
    at: datetime | None = None

    @property
    def changed(self) -> bool:
        return self.outcome in (Outcome.BOOKED, Outcome.CANCELLED)


@dataclass(frozen=True)
class PatternChange:
    """What a subscription change did (:meth:`BookingService.set_subscription`,
    :meth:`~BookingService.end_subscription`), for staff to be told."""

    first_name: str
    # Made with "forcer le délai" when it needed it (its first day past its deadline, or locked).
    forced: bool = False
    adjusted: bool = False  # a locked day's figure moved: recorded as a kitchen adjustment
    # The single days booked (True) or cancelled (False) by hand that keep that state under the
    # new pattern, which would not give it: staff decide whether they should stay.
    kept: tuple[tuple[date, bool], ...] = ()


def kept_said(kept: Iterable[tuple[date, bool]]) -> list[str]:
    """The single days booked or cancelled by hand that keep that state apart from a new
    pattern (:attr:`PatternChange.kept`), in French, booked then cancelled: "Restent réservés
    à part : mardi 1er décembre et mardi 8 décembre", "Reste annulé à part : jeudi 3 décembre".
    Who they are for is the caller's to add (the staff page, the import's report)."""
    kept = list(kept)
    out = []
    for booked, alone, several in ((True, "Reste réservé", "Restent réservés"),
                                   (False, "Reste annulé", "Restent annulés")):
        days = [format_day(day) for day, state in kept if state is booked]
        if days:
            head = several if len(days) > 1 else alone
            out.append(f"{head} à part : {format_list(days, locale='fr_FR')}")
    return out


def served_text(day: date, today: date) -> str:
    """What staff are told of a change made for a day whose meals were served (French): the bill
    is corrected, the kitchen has nothing to do."""
    when = "jour passé" if day < today else "repas du jour déjà servi"
    return f"{when} : facturation corrigée, rien à changer pour la cuisine"


OUTCOME_TEXT = {
    Outcome.BOOKED: "réservé",
    Outcome.ALREADY_BOOKED: "déjà réservé",
    Outcome.CANCELLED: "annulé",
    Outcome.NOTHING_TO_CANCEL: "rien à annuler",
}
# How a change was made, as staff read it after "déjà annulé le …" (an import or the system:
# nothing said).
DECIDED_BY = {"phone": "par téléphone", "web": "sur internet", "staff": "par la mairie"}


def outcome_text(result: ChangeResult, tz: tzinfo) -> str:
    """A change's outcome in French, for staff (the staff pages, the command line): "annulé",
    "rien à annuler", or, for a day already so by an earlier change, when and how: "déjà annulé
    le lundi 23 novembre à 10 h 20, par téléphone". ``tz``: the town's."""
    decided = result.decided
    if decided is None:
        return OUTCOME_TEXT[result.outcome]
    head = "déjà réservé" if result.outcome is Outcome.ALREADY_BOOKED else "déjà annulé"
    text = f"{head} le {format_deadline(decided.at.astimezone(tz))}"
    by = DECIDED_BY.get(decided.channel)
    return f"{text}, {by}" if by else text


NOT_ENROLLED = "non inscrit"  # ChildDay.reason of a day served to others, not to this child


@dataclass(frozen=True)
class ChildDay:
    """A child's effective state on a day, and why."""

    child_ref: str
    first_name: str
    day: date
    operating: bool
    booked: bool
    source: str  # subscription, booked, cancelled, none, closed
    reason: str | None = None
    deadline: datetime | None = None
    locked: bool = False
    # The day's booking or cancellation by hand (source "booked" or "cancelled"): when and how.
    decided: Decided | None = None

    @property
    def not_enrolled(self) -> bool:
        """Whether the school serves meals that day but the child is not enrolled for it."""
        return not self.operating and self.reason == NOT_ENROLLED

    @property
    def closed_by_closure(self) -> bool:
        """Whether a local closure (strike, school trip) took the day, not the calendar."""
        return (self.reason or "").startswith(CLOSURE_PREFIX)


@dataclass(frozen=True)
class ChildInfo:
    ref: str
    first_name: str
    last_name: str
    school_id: str
    diet: str
    enrolled_until: date | None = None  # the last day of school catering, when it is known
    enrolled_from: date | None = None  # the first day of school catering


@dataclass(frozen=True)
class FamilyInfo:
    account: str
    guardian: str
    language: str
    children: tuple[ChildInfo, ...]
    phones: tuple[str, ...]


@dataclass(frozen=True)
class Outlook:
    """Each child's states over some days (by child ref), and the local closures in force."""

    states: dict[str, list[ChildDay]]
    closures: tuple[CalendarClosure, ...]
    # Each child's weekly subscription (weekday bit mask) on the day after the days read, 0
    # when none or not enrolled then: what will be booked on the days after, once known (the
    # days past the school calendar in use are left out of ``states``).
    subscribed_after: dict[str, int] = field(default_factory=dict)
    # Each child's id by ref, from the same read: the key of the journal's rare reads
    # (:meth:`BookingService.cancelled_earlier`), with no read of the family for it.
    ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    locked_until: datetime | None = None  # set when the phone access (or the caller) is locked
    failures: int = 0
    family: FamilyInfo | None = None  # the family, when the code is right
    caller_blocked: bool = False  # too many wrong codes from this caller's number


# Why so few: a code has 10^4 values, so a stolen hash falls to enumeration whatever the count
# (20,000 rounds: about a minute on one core; 1,000: a few seconds). What protects a code is that
# hashes never leave the database, that 5 wrong codes lock the phone access (lockout_after), and,
# when the deployment sets RESTOMAIRIE_PIN_PEPPER, a secret outside the database: a stolen dump
# alone then cannot be enumerated. Each round costs the caller: 20,000 took 4.7 ms, longer than the
# whole rest of the PIN step. Hashes keep their own count, so codes hashed with another count
# still verify.
PIN_ITERATIONS = 1_000
PLAIN_SCHEME = "pbkdf2_sha256"
PEPPERED_SCHEME = "pbkdf2_sha256_pepper"  # PBKDF2 over HMAC-SHA256(pepper, code)


class MissingPepper(RuntimeError):
    """A code was hashed with the pepper and this deployment has none: it cannot be checked."""


def _keyed(pin: str, pepper: str | None) -> bytes:
    if pepper is None:
        return pin.encode()
    return hmac.new(pepper.encode(), pin.encode(), hashlib.sha256).digest()


def hash_pin(pin: str, pepper: str | None = None) -> str:
    """A salted PBKDF2-SHA256 hash of a 4-digit code (never stored or logged in clear), keyed with
    the deployment's ``pepper`` when it has one."""
    if not (len(pin) == 4 and pin.isdigit()):
        raise InvalidRequest("Le code secret doit avoir 4 chiffres.")
    salt = secrets.token_hex(16)
    key = _keyed(pin, pepper)
    digest = hashlib.pbkdf2_hmac("sha256", key, salt.encode(), PIN_ITERATIONS).hex()
    scheme = PLAIN_SCHEME if pepper is None else PEPPERED_SCHEME
    return f"{scheme}${PIN_ITERATIONS}${salt}${digest}"


def check_pin_hash(pin: str, stored: str, pepper: str | None = None) -> bool:
    """Whether ``pin`` is the code of ``stored`` (either scheme). A peppered hash without the
    pepper raises :class:`MissingPepper`: every caller would be told "wrong code" otherwise."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme == PEPPERED_SCHEME:
        if pepper is None:
            raise MissingPepper("RESTOMAIRIE_PIN_PEPPER is not set: the codes cannot be checked")
        key = _keyed(pin, pepper)
    elif scheme == PLAIN_SCHEME:
        key = _keyed(pin, None)
    else:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", key, salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)


def needs_rehash(stored: str, pepper: str | None) -> bool:
    """A code hashed before the deployment had its pepper: hash it again on its next success."""
    return pepper is not None and not stored.startswith(PEPPERED_SCHEME + "$")


class BookingService:
    """The booking engine over the shared store."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        calendar: SchoolCalendar | None = None,
        read_sessions: sessionmaker[Session] | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        # Reads that never write (family look-ups, states, counts): no transaction around them.
        self.read_sessions = read_sessions or sessions
        # The phone line's reads (asked on almost every webhook) and the changes skip the ORM
        # session: their statements, compiled once, run straight on a pooled connection of
        # ``engine`` (of its read-only pool, for reads: see restomairie.db.read_only_engine).
        self.engine = engine
        self._direct = DirectStatements(engine.dialect) if engine is not None else None
        self.clock = clock
        if calendar is None:
            # Imported here: the runtime builds this service. The shared calendar is the one
            # of the configured calendar file, if any, like everywhere else.
            from restomairie.runtime import shared_calendar

            calendar = shared_calendar(settings, clock.today() if clock is not None else None)
        self.calendar = calendar

    @property
    def pin_pepper(self) -> str | None:
        """The deployment's pepper for code hashes (``RESTOMAIRIE_PIN_PEPPER``), if any."""
        return self.settings.secret("RESTOMAIRIE_PIN_PEPPER")

    # ----------------------------------------------------------------- calendar
    def closures(self, session: Session) -> tuple[CalendarClosure, ...]:
        rows = session.connection().execute(_CLOSURES)
        return tuple(CalendarClosure(*row) for row in rows)

    def local_closures(self) -> tuple[CalendarClosure, ...]:
        """Every local closure (a strike, a school's own day off…), read on its own."""
        return tuple(CalendarClosure(*row) for row in self._read(_CLOSURES, {}))

    def _read(self, statement: Any, params: dict[str, Any]) -> Sequence[Any]:
        """Rows of a read that needs no transaction, on a connection of the read pool."""
        (rows,) = self._reads((statement, params))
        return rows

    def _reads(self, *reads: tuple[Any, dict[str, Any]]) -> list[Sequence[Any]]:
        """The rows of each read, one after the other on the same pooled connection (each
        statement sees its own snapshot: nothing here writes)."""
        statements = self._statements()
        with autocommit_connection(read_only_engine(self._engine())) as conn:
            return run_together(conn, [(statements(st), params) for st, params in reads])

    def _engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("BookingService without a database")
        return self.engine

    def _statements(self) -> DirectStatements:
        if self._direct is None:
            raise RuntimeError("BookingService without a database")
        return self._direct

    def day_status(
        self,
        day: date,
        school_id: str | None = None,
        channel: str = "phone",
        closures: Iterable[CalendarClosure] = (),
    ) -> DayStatus:
        """Is ``day`` an operating day for the school (or the town), and its deadline.

        Raises :class:`OutsideCalendar` past the school calendar in use."""
        school = self.settings.school(school_id) if school_id else None
        try:
            return self.calendar.status(
                day,
                self.settings.weekdays_of(school),
                self.settings.rule_for(channel),
                school_id=school_id,
                closures=closures,
            )
        except CalendarCoverageError as exc:
            raise OutsideCalendar(day, str(exc)) from exc

    def served(self, day: date, now: datetime | None = None) -> bool:
        """Whether ``day``'s meals have been served at ``now`` (default: the clock): a day gone
        by, or today after the lunch service (``town.lunch_ends``). A change for such a day is
        billing only: no kitchen adjustment (:func:`restomairie.booking.adjustments.served`)."""
        moment = (now or self.clock.now()).astimezone(self.settings.tz)
        return served(day, moment, self.settings.lunch_ends)

    def days_to_cutoff(
        self, school_id: str, start: date, after: datetime
    ) -> Iterator[tuple[date, DayStatus]]:
        """Each day from ``start`` with its lock status (:meth:`lock_deadline`), up to and
        including the first operating day, from ``after``'s date on, whose cut-off is later
        than ``after``: a later meal never has an earlier cut-off (each rule's deadline grows
        with the meal day), so no day past it can be due. That is a few days in term time and
        about two months at the start of the summer (2 September's cut-off is 1 July), which a
        fixed window would miss. Days before the shipped calendar are skipped; the walk ends
        where it does, and ``MAX_LEAD_DAYS`` only bounds it against one that never ends."""
        today = after.date()
        day = start
        while day <= today + timedelta(days=MAX_LEAD_DAYS):
            try:
                st = self.lock_deadline(day, school_id)
            except CalendarCoverageError:
                if day > today:
                    return  # the calendar ends here: nothing further is known
                day += timedelta(days=1)
                continue
            yield day, st
            if day >= today and st.operating and st.deadline is not None and st.deadline > after:
                return
            day += timedelta(days=1)

    def first_changeable(
        self,
        school_id: str,
        now: datetime,
        channel: str,
        closures: Iterable[CalendarClosure] = (),
    ) -> date:
        """The first day, from today, a change of a child's pattern through ``channel`` can
        take effect on at ``now``: the first operating day whose deadline is still ahead — a
        start :meth:`set_subscription` accepts without an override, checked by the same rule —
        or, when no day of the calendar is open any more (July and August: 2 September's
        deadline is in early July), the first canteen day past it whose deadline is not known
        to have passed (:meth:`SchoolCalendar.first_changeable`)."""
        return self.calendar.first_changeable(
            now.astimezone(self.settings.tz).date(),
            self.settings.weekdays_of(self.settings.school(school_id)),
            self.settings.rule_for(channel),
            open_at=now,
            school_id=school_id,
            closures=closures,
        )

    def staff_deadline(self, day: date, school_id: str | None) -> datetime | None:
        """The deadline of a change made by the town's staff on ``day``, when their rule is not
        the families' (Villepreux's "8 jours via la mairie"); ``None`` when it is the same."""
        if self.settings.rule_for("staff") == self.settings.rule_for("phone"):
            return None
        return self.day_status(day, school_id, "staff").deadline

    def _rules_in_force(self) -> set[DeadlineRule]:
        """Every deadline rule of the town (its default and each channel's): the lock waits for
        the last of them."""
        return {self.settings.deadline, *self.settings.deadline_by_channel.values()}

    def lock_deadline_beyond(self, day: date, school_id: str) -> datetime | None:
        """The lock deadline ``day``, past the school calendar, would have were it an operating
        day of the school (the latest of the rules in force, as :meth:`lock_deadline`), when
        every rule's counts back to days known (:meth:`SchoolCalendar.deadline_beyond`: Friday
        3 September 2027's is Friday 2 July, 13:00); None when one does not, or when the
        school's canteen never serves that day."""
        weekdays = self.settings.weekdays_of(self.settings.school(school_id))
        rules = self._rules_in_force()
        found = [self.calendar.deadline_beyond(day, weekdays, r) for r in rules]
        known = [d for d in found if d is not None]
        return max(known) if known and len(known) == len(found) else None

    def last_lock_deadline(self, school_id: str) -> datetime | None:
        """The lock deadline of the school's last operating day in the calendar (the latest of
        the rules in force: 2 September 2027's is Thursday 1 July, 13:00), None without one."""
        weekdays = self.settings.weekdays_of(self.settings.school(school_id))
        rules = self._rules_in_force()
        found = [d for r in rules if (d := self.calendar.last_deadline(weekdays, r)) is not None]
        return max(found, default=None)

    def lock_deadline(self, day: date, school_id: str) -> DayStatus:
        """The status of a day under the latest of the rules in force (the lock waits for the
        last channel to close)."""
        school = self.settings.school(school_id)
        rules = self._rules_in_force()
        statuses = [self.calendar.status(day, self.settings.weekdays_of(school), r) for r in rules]
        return max(
            statuses, key=lambda s: s.deadline or datetime.min.replace(tzinfo=self.settings.tz)
        )

    # ----------------------------------------------------------------- families
    def _family(self, session: Session, account: str, phones: bool = True) -> Family:
        # Children with their subscriptions in one more query each level, not one per child:
        # the states of a day read every child's pattern.
        options = [selectinload(Family.children).selectinload(Child.subscriptions)]
        if phones:
            options.append(selectinload(Family.phones))
        family = session.scalars(
            select(Family).where(Family.account == account).options(*options)
        ).one_or_none()
        if family is None:
            raise UnknownFamily(account)
        return family

    def family_info(self, account: str) -> FamilyInfo:
        """The family's account, children (in the order of their first names) and phones."""
        plan = self._family_plan(account, phones=True)
        return _info_of(plan, plan.phones or ())

    def families_by_phone(self, number: str) -> list[str]:
        """Accounts whose phone list holds exactly ``number`` (E.164)."""
        return [account for account, _ in self.callers_families(number)]

    def callers_families(self, number: str) -> list[tuple[str, str]]:
        """The account and language of each family whose phone list holds exactly ``number``."""
        return [(row[0], row[1]) for row in self._read(_ACCOUNTS_BY_PHONE, {"p_number": number})]

    def _family_plan(self, account: str, phones: bool = False) -> FamilyPlan:
        query = _FAMILY_PLAN_PHONES if phones else _FAMILY_PLAN
        return _plan_of(self._read(query, {"account": account}), account, phones)

    def check_pin(
        self,
        account: str,
        pin: str,
        *,
        number: str | None = None,
        call_sid: str | None = None,
    ) -> PinCheck:
        """Check a family's code; after ``lockout_after`` wrong codes in a row (each within
        ``lockout_minutes`` of the last) the phone access is locked for ``lockout_minutes``.

        ``number``, when given, is a caller who typed the account (not recognised by caller
        ID): after ``caller_lockout_after`` wrong codes from it over every account within
        ``caller_lockout_minutes``, it is refused without a check and without counting against
        the family (no spraying codes over the town's accounts from one phone, nor locking every
        family). ``call_sid`` links a lockout to the call that caused it. The code itself is
        never stored or logged."""
        now = self.clock.now()
        phone = self.settings.phone
        if number is not None:
            window = timedelta(minutes=phone.caller_lockout_minutes)
            latest = {"p_since": now - window, "p_limit": phone.caller_lockout_after}
            if is_withheld(number):
                numbers = {"p_numbers": list(WITHHELD_SPELLINGS), **latest}
                wrong = self._read(_WRONG_CODES_WITHHELD, numbers)
            else:
                wrong = self._read(_WRONG_CODES_FROM, {"p_number": number, **latest})
            if len(wrong) >= phone.caller_lockout_after:
                # Refused until the oldest of those wrong codes leaves the window.
                return PinCheck(False, caller_blocked=True, locked_until=wrong[-1][0] + window)
        plan = self._family_plan(account, phones=True)
        locked_until, stored = plan.locked_until, plan.pin_hash
        clean = plan.failed_pins == 0 and locked_until is None
        # What the caller hears next, read with the code's hash.
        info = _info_of(plan, plan.phones or ())
        if locked_until is not None and locked_until > now:
            return PinCheck(False, locked_until)
        # The hash runs outside any transaction: on SQLite a write transaction holds the whole
        # database, and the phone line answers in milliseconds.
        pepper = self.pin_pepper
        right = check_pin_hash(pin, stored, pepper)
        rehash = right and needs_rehash(stored, pepper)
        if right and clean and not rehash:
            return PinCheck(True, family=info)  # nothing to reset
        with self.sessions() as session, session.begin():
            # The row locked: simultaneous wrong codes are each counted (on PostgreSQL they
            # would otherwise overwrite each other's count).
            family = session.scalars(
                select(Family).where(Family.account == account).with_for_update()
            ).one()
            if family.locked_until is not None and family.locked_until > now:
                return PinCheck(False, family.locked_until, family.failed_pins)  # locked meanwhile
            if right:
                if family.failed_pins or family.locked_until is not None:
                    family.failed_pins = 0
                    family.failed_pin_at = None
                    family.locked_until = None
                if rehash and family.pin_hash == stored:
                    family.pin_hash = hash_pin(pin, pepper)  # now keyed with the pepper
                return PinCheck(True, family=info)
            window = timedelta(minutes=phone.lockout_minutes)
            if family.failed_pin_at is not None and now - family.failed_pin_at > window:
                family.failed_pins = 0  # an old failure and a new one are not "in a row"
            family.failed_pins += 1
            family.failed_pin_at = now
            locked = None
            if family.failed_pins >= phone.lockout_after:
                locked = now + window
                family.locked_until = locked
                family.failed_pins = 0
                family.failed_pin_at = None
                session.add(
                    AuditEntry(
                        at=now,
                        actor=f"family:{account}",
                        channel="phone",
                        action="phone_lockout",
                        family_id=family.id,
                        call_sid=call_sid,  # the call whose wrong code locked it: its number
                        detail={"until": locked.isoformat()},
                    )
                )
            return PinCheck(False, locked, family.failed_pins)

    # ----------------------------------------------------------------- changes
    def book(
        self,
        account: str,
        days: Sequence[date],
        actor: Actor,
        children: Sequence[str] | None = None,
        override_reason: str | None = None,
        skip_closed: bool = False,
    ) -> list[ChangeResult]:
        """Book a meal for the given children (default: all) on each day."""
        return self.change(
            account, "book", days, actor, children, override_reason, skip_closed=skip_closed
        )

    def cancel(
        self,
        account: str,
        days: Sequence[date],
        actor: Actor,
        children: Sequence[str] | None = None,
        override_reason: str | None = None,
        skip_closed: bool = False,
    ) -> list[ChangeResult]:
        """Cancel the meal of the given children (default: all) on each day."""
        return self.change(
            account, "cancel", days, actor, children, override_reason, skip_closed=skip_closed
        )

    def change(
        self,
        account: str,
        action: str,
        days: Sequence[date],
        actor: Actor,
        children: Sequence[str] | None = None,
        override_reason: str | None = None,
        skip_closed: bool = False,
        note: str | None = None,
    ) -> list[ChangeResult]:
        """Book or cancel, for one child, several or all of a family's, on one day or several.

        All or nothing: the first refused (child, day) raises with its reason and nothing is
        written. ``override_reason`` (staff only) lets a change through after the deadline; after
        the lock it is recorded as an adjustment beside the locked figure, never by rewriting it.
        ``skip_closed`` (a range of days, "toute la semaine") passes over the days a child's
        canteen does not serve instead of refusing the whole request; a range with no day at all
        is still refused. ``note`` (staff) is a reason given without overriding anything ("maladie
        signalée"): kept in each audit entry as its ``reason``.
        """
        if action not in ("book", "cancel"):
            raise InvalidRequest(f"Action inconnue : {action}.")
        if not days:
            raise InvalidRequest("Aucune date demandée.")
        _check_override(override_reason, actor)
        now = self.clock.now()
        wanted = sorted(set(days))
        if override_reason is not None:
            read = _plan_of(self._read(_FAMILY_PLAN, {"account": account}), account, False)
            schools = {c.school_id for c in read.pick(children)}
            self.lock_overdue(schools, wanted[0], wanted[-1], now)
        with self._changing() as run:
            family = _plan_of(run(_FAMILY_PLAN, {"account": account}), account, False)
            kids = family.pick(children)
            # The shared guards first (on every day asked, for the children's schools), then
            # everything that decides the days in one read that sees what committed before them:
            # a lock taken meanwhile is there.
            facts = _facts_of(
                run.guarded(
                    {(c.school_id, d) for c in kids for d in wanted},
                    _FACTS,
                    _facts_params(kids, wanted[0], wanted[-1]),
                )
            )
            want = action == "book"
            plan: list[tuple[KidPlan, date, DayStatus, bool]] = []
            first_refusal: NotOperatingDay | None = None
            for day in wanted:
                for child in kids:
                    # The day's state as it is (from the read above: no query): a day already
                    # as asked is said so ("déjà réservé"), past its deadline or lock too, as
                    # the phone line says it; "trop tard" told staff the child had no meal.
                    booked = _booked(child, day, facts.bookings.get((child.id, day)))
                    try:
                        st = self._check(
                            child, day, now, actor, action, facts.closures, override_reason,
                            as_asked=booked == want,
                        )
                    except NotOperatingDay as exc:
                        if not skip_closed:
                            raise
                        first_refusal = first_refusal or exc
                        continue
                    plan.append((child, day, st, booked))
            if not plan:
                assert first_refusal is not None
                raise first_refusal
            writes: list[dict[str, Any]] = []
            drops: list[dict[str, Any]] = []  # exceptions undone: deleted (with their audit)
            adjustments: list[dict[str, Any]] = []
            results = []
            undone: list[tuple[int, date]] = []  # nothing to cancel, and no booking day: why?
            for child, day, st, booked in plan:
                if booked == want:
                    outcome = Outcome.ALREADY_BOOKED if want else Outcome.NOTHING_TO_CANCEL
                    decided = facts.decided.get((child.id, day))
                    if decided is None and not want:
                        undone.append((child.id, day))
                    results.append(
                        ChangeResult(
                            child.ref, child.first_name, day, action, outcome, decided=decided
                        )
                    )
                    continue
                lock = facts.locks.get((child.school_id, day))
                if lock is not None and override_reason is None:
                    raise DayLocked(day, lock[1].astimezone(self.settings.tz), child.first_name)
                # "Forcer le délai" ticked over a range forces only the days that needed it (past
                # their deadline, or locked): on the others its reason is a plain note, so the
                # journal and the bill never say "forçage" of a change made in time. Read from
                # what _check already computed: no query.
                assert st.deadline is not None
                forced = lock is not None or now >= st.deadline
                row = facts.bookings.get((child.id, day))
                # A day already served (59 meals cooked and delivered) keeps its kitchen record:
                # a forced change then corrects the bill, and the audit entry says so.
                past = self.served(day, now)
                adjust = lock is not None and not past
                # Undoing a day's exception (booking back a meal the pattern gives, cancelling an
                # extra meal the pattern does not give) removes it: the day follows the pattern
                # again, and a pattern changed or ended later changes it too. Kept as an explicit
                # "booked", it stayed booked and billed after the subscription ended. The state
                # of the day is the same either way: the kitchen's count does not move.
                drop = row is not None and want == _subscribed(child, day)
                (drops if drop else writes).append(
                    {
                        # the booking day (inserted, updated, or deleted when it is undone)
                        "p_child_id": child.id,
                        "p_day": day,
                        "p_booked": want,
                        "p_channel": actor.channel,
                        "p_at": now,
                        # its audit entry
                        "p_actor": actor.label,
                        "p_action": action,
                        "p_family_id": family.id,
                        "p_before": "booked" if booked else "not_booked",
                        "p_after": "booked" if want else "not_booked",
                        "p_call_sid": actor.call_sid,
                        "p_detail": _detail(override_reason, note, served=past, forced=forced),
                    }
                )
                adjusted = []
                if adjust:
                    assert lock is not None
                    adjusted = [
                        {
                            "p_lock_id": lock_id,
                            "p_child_id": child.id,
                            "p_variant": variant,
                            "p_delta": delta,
                            "p_kind": OVERRIDE,
                            "p_reason": override_reason or "",
                            "p_actor": actor.label,
                            "p_at": now,
                        }
                        for (lock_id, variant), delta in _forced_deltas(
                            run(_TOLD, {"p_child_id": child.id, "p_day": day}),
                            want, lock[0], child.diet,
                        ).items()
                    ]
                    adjustments += adjusted
                results.append(
                    ChangeResult(
                        child.ref,
                        child.first_name,
                        day,
                        action,
                        Outcome.BOOKED if want else Outcome.CANCELLED,
                        adjusted=bool(adjusted),
                        served=past,
                        forced=forced,
                        at=now,
                    )
                )
            if writes:
                if run.postgres:
                    run.many(_PG_WRITE_BOOKING, writes)  # booking and audit: one statement
                else:
                    run.many(_SQLITE_UPSERT_BOOKING, writes)
                    run.many(_INSERT_AUDIT, writes)
            if drops:
                if run.postgres:
                    run.many(_PG_DROP_BOOKING, drops)  # deletion and audit: one statement
                else:
                    run.many(_DELETE_BOOKING, drops)
                    run.many(_INSERT_AUDIT, drops)
            if adjustments:
                run.many(_INSERT_ADJUSTMENT, adjustments)
            if undone:
                results = _with_cancellations(results, run, family.pick(children), undone)
            return results

    def refusals(
        self,
        account: str,
        action: str,
        days: Sequence[date],
        actor: Actor,
        children: Sequence[str] | None = None,
        skip_closed: bool = False,
    ) -> dict[date, list[BookingError]]:
        """What :meth:`change` without an override would refuse, day by day, read without
        writing anything: each day asked with the refusal of each child it would refuse (the
        same checks, :meth:`_check`, and the kitchen's locks). An empty list: a day it would do
        for every child. With ``skip_closed`` a day without canteen for a child is passed over
        for that child, and left out when it has none for any. :meth:`change` refuses the whole
        request on its first refusal; staff are then told which of the days asked could still
        be done without the refused ones."""
        wanted = sorted(set(days))
        if not wanted:
            return {}
        kids, facts = self._family_days(account, wanted[0], wanted[-1])
        kids = _pick(kids, children, account)
        now = self.clock.now()
        want = action == "book"
        out: dict[date, list[BookingError]] = {}
        for day in wanted:
            refused: list[BookingError] = []
            closed = 0
            for child in kids:
                as_asked = _booked(child, day, facts.bookings.get((child.id, day))) == want
                try:
                    self._check(child, day, now, actor, action, facts.closures, None, as_asked)
                except NotOperatingDay as exc:
                    closed += 1
                    if not skip_closed:
                        refused.append(exc)
                    continue
                except BookingError as exc:
                    refused.append(exc)
                    continue
                lock = facts.locks.get((child.school_id, day))
                if lock is not None and not as_asked:
                    locked_at = lock[1].astimezone(self.settings.tz)
                    refused.append(DayLocked(day, locked_at, child.first_name))
            if refused or closed < len(kids):
                out[day] = refused
        return out

    def lock_overdue(
        self,
        school_ids: set[str],
        first: date,
        last: date | None,
        now: datetime,
        joined: Collection[str] = (),
    ) -> list[tuple[str, date]]:
        """Before a change forced past a deadline (and before a closure or an import's change
        of school or diet, which touch days past their cut-off too): lock, late, the days from
        ``first`` to ``last`` (None: on) of ``school_ids`` whose cut-off has passed and that the
        scheduler has not locked yet (it was down), as it will when it is back. Each lock is a
        transaction of its own: call it before the change's. Without this, the change was
        part of the figure that late lock froze, with no adjustment beside it: the kitchen's
        count moved without a word, and a billing correction of a day already served rewrote
        what was produced. With it the change is recorded against that figure, like any change
        after a lock (DOMAIN §5). Returns the (school, day) it locked, for the caller to say
        so (an import's dry run writes nothing but these locks).

        ``joined``: the schools of ``school_ids`` that children move into (from ``first``).
        Their days from ``first`` whose cut-off has passed are locked even when it passed before
        the school was served (:func:`~restomairie.booking.locks.school_starts`: a school added
        to the town's file since, with nobody yet): the children eat there on those days, so
        they need a frozen figure (0 meals: nobody was there) beside which the move is recorded,
        not a figure never locked."""
        from restomairie.booking.locks import LockService  # it builds on this service

        locks = LockService(self)
        taken = []
        for school_id, day, deadline in locks.due(now, joined=dict.fromkeys(joined, first)):
            if school_id not in school_ids or day < first or (last is not None and day > last):
                continue
            if locks.lock_day(school_id, day, deadline=deadline, now=now).created:
                taken.append((school_id, day))
        return taken

    @contextmanager
    def _changing(self) -> Iterator[_Change]:
        """A change's write transaction: compiled statements straight on a pooled connection
        (no ORM objects, no unit of work: this is the phone line's "confirm"). Past the
        :func:`commit_by` time of the request it is rolled back instead of committed."""
        with direct_transaction(self._engine()) as conn:
            yield _Change(conn, self._statements())
            by = _COMMIT_BY.get()
            if by is not None and time.monotonic() > by:
                # The caller has heard Twilio's apology by now, not our "c'est fait".
                raise TooSlow("the change was ready after its request's time limit")

    def _check(
        self,
        child: Child | KidPlan,
        day: date,
        now: datetime,
        actor: Actor,
        action: str,
        closures: tuple[CalendarClosure, ...],
        override_reason: str | None,
        as_asked: bool = False,
    ) -> DayStatus:
        """The day's status for a change of ``child``'s meal, or the refusal: no canteen that
        day, the child not enrolled, or past the deadline without an override. ``as_asked``:
        the day is already as asked (nothing to change, which is no change too late)."""
        st = self.day_status(day, child.school_id, actor.channel, closures)
        if not st.operating:
            raise NotOperatingDay(day, st.reason or "", child.first_name)
        if not enrolled_on(child, day):
            raise NotEnrolled(child.first_name, day)
        assert st.deadline is not None
        if now >= st.deadline and override_reason is None and not as_asked:
            raise PastDeadline(day, st.deadline, action, child.first_name)
        return st

    # ----------------------------------------------------------------- subscriptions
    def set_subscription(
        self,
        account: str,
        child_ref: str,
        weekdays: Iterable[int],
        starts_on: date,
        actor: Actor,
        override_reason: str | None = None,
        note: str | None = None,
    ) -> PatternChange:
        """Book the child's meals on ``weekdays`` from ``starts_on`` on (abonnement régulier),
        replacing any pattern from that date. Follows the deadline of its effective date."""
        mask = 0
        for wd in weekdays:
            if not 0 <= wd <= 6:
                raise InvalidRequest(f"Jour de la semaine invalide : {wd}.")
            mask |= 1 << wd
        if mask == 0:
            raise InvalidRequest("Un abonnement régulier a au moins un jour.")
        return self._resubscribe(account, child_ref, mask, starts_on, actor, override_reason, note)

    def end_subscription(
        self,
        account: str,
        child_ref: str,
        from_day: date,
        actor: Actor,
        override_reason: str | None = None,
        note: str | None = None,
    ) -> PatternChange:
        """No more meals by subscription from ``from_day`` on (abonnement choisi from then)."""
        return self._resubscribe(account, child_ref, 0, from_day, actor, override_reason, note)

    def _resubscribe(
        self,
        account: str,
        child_ref: str,
        mask: int,
        start: date,
        actor: Actor,
        override_reason: str | None,
        note: str | None = None,
    ) -> PatternChange:
        _check_override(override_reason, actor)
        now = self.clock.now()
        if override_reason is not None:
            read = _plan_of(self._read(_FAMILY_PLAN, {"account": account}), account, False)
            (kid,) = read.pick([child_ref])
            self.lock_overdue({kid.school_id}, start, None, now)
        with self.sessions() as session, session.begin():
            family = self._family(session, account)
            (child,) = _pick_children(family, [child_ref])
            closures = self.closures(session)
            school = self.settings.school(child.school_id)
            served_days = self.settings.weekdays_of(school)
            names = unserved_weekdays(mask, served_days)
            if names:
                # A pattern on a day the canteen never serves books nothing and reads wrong.
                raise InvalidRequest(
                    f"Pas de cantine le {names} à « {school.name} » : abonnement de "
                    f"{child.first_name} non enregistré.")
            # A day closed (a strike) is no operating day either: the change was refused for
            # that day's closure ("il n'y a pas de restauration scolaire") instead of following
            # the deadline of the first day that is open.
            first = self.calendar.next_operating(
                start, served_days, self.settings.rule_for(actor.channel),
                school_id=child.school_id, closures=closures,
            )
            if first is not None and override_reason is None:
                # The change takes effect on the first operating day from ``start``: it must
                # still be open, like any booking of that day.
                action = "subscribe" if mask else "unsubscribe"
                self._check(child, first.day, now, actor, action, closures, None)
            elif override_reason is None:
                # Past the calendar, the first canteen day's deadline may be known all the
                # same, and gone (Friday 3 September 2027's is Friday 2 July: see
                # SchoolCalendar.deadline_beyond); the import starts after it, and so must this.
                self._check_beyond(child, start, served_days, now, actor.channel, mask)
            # Ordered against the locks like a booking (see guard.py): a pattern change must not
            # commit after a count it changes was frozen. Locks are taken day after day, so only
            # the days just after ``start`` can be locked or being locked — or, for a change
            # forced from a past date, the days around today's cut-off (and those the
            # scheduler's catch-up still locks), which a guard ending two weeks after that past
            # date left out.
            today = now.astimezone(self.settings.tz).date()
            horizon = max(first.day if first is not None else start, today) + timedelta(days=14)
            since = max(start, today - timedelta(days=LOCK_LOOKBACK_DAYS + 1))
            guard(
                session,
                [
                    (child.school_id, since + timedelta(days=i))
                    for i in range((horizon - since).days)
                ],
                exclusive=False,
            )
            locks = list(
                session.scalars(
                    select(DayLock)
                    .where(DayLock.school_id == child.school_id, DayLock.day >= start)
                    .order_by(DayLock.day)
                )
            )
            if locks and override_reason is None:
                raise DayLocked(
                    locks[0].day, locks[0].locked_at.astimezone(self.settings.tz), child.first_name
                )
            # The child's single days booked or cancelled by hand from ``start`` on: they keep
            # their state whatever the pattern.
            explicit = {
                b.day: b.booked
                for b in session.scalars(
                    select(BookingDay).where(
                        BookingDay.child_id == child.id, BookingDay.day >= start
                    )
                )
            }
            adjusted = 0
            for lk in locks:
                # A forced change of pattern on a day already counted: an adjustment beside the
                # frozen figure, as for a forced booking — unless its meals were served already
                # (a pattern changed from a past date): then it is billing only.
                if lk.day in explicit or not enrolled_on(child, lk.day) or self.served(lk.day, now):
                    continue
                was = _subscribed(child, lk.day)
                will = bool(mask & (1 << lk.day.weekday()))
                if was != will:
                    # Settled against what the kitchen was told for the child (its variant
                    # then, not a diet changed since), and a closed day counts nobody.
                    open_ = self.day_status(lk.day, child.school_id, "phone", closures).operating
                    adjusted += settle(
                        session,
                        lk,
                        {child.id: child.diet if will and open_ else None},
                        kind=OVERRIDE,
                        reason=override_reason or "",
                        actor=actor.label,
                        at=now,
                    )
            # Forced only when its first day was past its deadline or a day was locked (as for
            # a booking: see change).
            forced = bool(locks) or (
                first is not None and first.deadline is not None and now >= first.deadline
            )
            replace_pattern(
                session, child, (_pattern(child, start), mask), start, now, actor,
                _detail(override_reason, note, forced=forced),
            )
            return PatternChange(
                child.first_name, forced, bool(adjusted),
                self.kept_days(child, mask, explicit, closures),
            )

    def kept_days(
        self, child: Child, mask: int, explicit: dict[date, bool],
        closures: tuple[CalendarClosure, ...],
    ) -> tuple[tuple[date, bool], ...]:
        """The days of ``explicit`` (booked or cancelled by hand) whose state the new pattern
        ``mask`` would not give, and that still count: days the child's canteen serves, enrolled.
        The staff's subscription change and the import both tell them (:func:`kept_said`)."""
        kept = []
        for day, booked in sorted(explicit.items()):
            if booked == bool(mask & (1 << day.weekday())) or not enrolled_on(child, day):
                continue
            try:
                if not self.day_status(day, child.school_id, "phone", closures).operating:
                    continue
            except OutsideCalendar:
                continue  # no meal can be known there yet
            kept.append((day, booked))
        return tuple(kept)

    def _check_beyond(
        self, child: Child, start: date, served_days: frozenset[int], now: datetime,
        channel: str, mask: int,
    ) -> None:
        """Refuse (:class:`PastDeadline`) a pattern changed from ``start``, where the calendar
        knows no operating day, when its first canteen day past the calendar has a deadline
        known and gone."""
        day = max(start, self.calendar.last_covered + timedelta(days=1))
        for _ in range(7):  # a week holds a canteen day, or the school serves none
            if self.calendar.closed_beyond(day, served_days) is None:
                deadline = self.calendar.deadline_beyond(
                    day, served_days, self.settings.rule_for(channel)
                )
                if deadline is not None and now >= deadline:
                    action = "subscribe" if mask else "unsubscribe"
                    raise PastDeadline(day, deadline, action, child.first_name)
                return
            day += timedelta(days=1)

    # ----------------------------------------------------------------- reads
    def state(self, account: str, child_ref: str, day: date) -> ChildDay:
        """A child's effective state on ``day`` (booked or not, and why), read as the outlook
        reads it. Raises :class:`UnknownChild`, or :class:`OutsideCalendar` past the shipped
        calendar."""
        kids, facts = self._family_days(account, day, day)
        (kid,) = _pick(kids, [child_ref], account)
        states = self._states([kid], [day], facts)
        if not states:  # _states leaves out a day past the calendar: day_status says so
            self.day_status(day, kid.school_id, "phone", facts.closures)
        return states[0]

    def cancelled_earlier(
        self, children: Sequence[int], day: date
    ) -> dict[int, Decided]:
        """Of the children ``children`` (their ids, as :attr:`Outlook.ids` gives them), those
        whose meal of ``day`` was cancelled by hand with no booking day left to say so (an extra
        meal booked then cancelled): when and how, from the journal. One read, for "nothing to
        cancel" only (a rare answer): the day's other decisions come with its state
        (:attr:`ChildDay.decided`)."""
        if not children:
            return {}
        rows = self._read(_LAST_CHANGES, {"p_children": sorted(children), "p_days": [day]})
        return {child_id: decided for (child_id, _), decided in _cancellations(rows).items()}

    def upcoming(
        self, account: str, start: date | None = None, days: int = 14
    ) -> dict[str, list[ChildDay]]:
        """Each child's operating days from ``start`` (default today) for ``days`` days."""
        return self.outlook(account, start, days).states

    def outlook(self, account: str, start: date | None = None, days: int = 14) -> Outlook:
        """:meth:`upcoming`, with the local closures it was computed with, read together (the
        phone line checks a date's status and the children's states in one read)."""
        start = start or self.clock.today()
        dates = [start + timedelta(days=i) for i in range(days)]
        kids, facts = self._family_days(account, dates[0], dates[-1])
        out: dict[str, list[ChildDay]] = {c.ref: [] for c in kids}
        for st in self._states(kids, dates, facts):
            out[st.child_ref].append(st)
        after = dates[-1] + timedelta(days=1)
        subscribed = {c.ref: _pattern(c, after) if enrolled_on(c, after) else 0 for c in kids}
        return Outlook(out, facts.closures, subscribed, {c.ref: c.id for c in kids})

    def first_to_change(
        self,
        account: str,
        refs: Collection[str],
        want: bool,
        start: date,
        days: int,
        now: datetime,
    ) -> tuple[date | None, dict[str, date]]:
        """The first of the ``days`` days from ``start`` on which one of the children ``refs``
        has a meal to change that can still change at ``now``: a day open to changes (in
        :meth:`outlook`'s states: operating, not locked, before its deadline) whose meal is not
        already as ``want`` says (booked for a booking, not booked for a cancellation). When
        there is none, None and the last day open to changes of each of those children that
        has one (already as asked, all of them).

        What the phone line's date question offers, from the same read as :meth:`outlook` and
        by the same states, without building every child's state of every day: most searches
        stop at the first week's days, and one that finds nothing in months looks at each day
        once, without making an object of it."""
        end = start + timedelta(days=days - 1)
        kids, facts = self._family_days(account, start, end)
        rule = self.settings.rule_for("phone")
        locked, rows = facts.locks, facts.bookings
        first: date | None = None
        open_until: dict[str, date] = {}
        for child in kids:
            if child.ref not in refs:
                continue
            # The days the child is enrolled on (enrolled_on), and of them the operating
            # ones: the states of the others are not operating.
            since, until = child.enrolled_from, child.enrolled_until
            school = self.settings.school(child.school_id) if child.school_id else None
            statuses = self.calendar.operating_statuses(
                start if since is None else max(start, since),
                end if until is None else min(end, until),
                self.settings.weekdays_of(school),
                rule,
                school_id=child.school_id,
                closures=facts.closures,
            )
            for st in statuses:
                day = st.day
                if first is not None and day >= first:
                    break  # another child's day comes first
                if not _open_to_change(st.deadline, (child.school_id, day) in locked, now):
                    continue
                if _booked(child, day, rows.get((child.id, day))) != want:
                    first = day
                    break
                open_until[child.ref] = day
        return first, ({} if first is not None else open_until)

    def _family_days(self, account: str, first: date, last: date) -> tuple[list[KidPlan], _Facts]:
        """The family's children, and the facts of ``first``…``last`` for all of them, found by
        its account (no list of ids to pass from one to the other): two reads back to back on
        one connection."""
        plan_rows, fact_rows = self._reads(
            (_FAMILY_PLAN, {"account": account}),
            (_FAMILY_FACTS, {"p_account": account, "p_first": first, "p_last": last}),
        )
        return _plan_of(plan_rows, account, False).children, _facts_of(fact_rows)

    def _states(
        self, kids: Sequence[Child | KidPlan], dates: list[date], facts: _Facts
    ) -> list[ChildDay]:
        closures, rows = facts.closures, facts.bookings
        locked = facts.locks
        out: list[ChildDay] = []
        if not dates:
            return out
        rule = self.settings.rule_for("phone")
        for child in kids:
            # day_status for each day, the school's calendar index found once per child.
            school = self.settings.school(child.school_id) if child.school_id else None
            statuses = self.calendar.covered_statuses(
                dates,
                self.settings.weekdays_of(school),
                rule,
                school_id=child.school_id,
                closures=closures,
            )
            for day, st in zip(dates, statuses, strict=True):
                if st is None:  # past the calendar: day_status raises OutsideCalendar
                    continue
                is_locked = (child.school_id, day) in locked
                if not st.operating or not enrolled_on(child, day):
                    out.append(
                        ChildDay(
                            child.ref,
                            child.first_name,
                            day,
                            False,
                            False,
                            "closed",
                            st.reason or NOT_ENROLLED,
                            st.deadline,
                            is_locked,
                        )
                    )
                    continue
                row = rows.get((child.id, day))
                booked = _booked(child, day, row)
                decided = None
                if row is not None:
                    source = "booked" if row else "cancelled"
                    decided = facts.decided.get((child.id, day))
                else:
                    source = "subscription" if booked else "none"
                out.append(
                    ChildDay(
                        child.ref,
                        child.first_name,
                        day,
                        True,
                        booked,
                        source,
                        None,
                        st.deadline,
                        is_locked,
                        decided,
                    )
                )
        return out

    def counts(self, day: date) -> dict[str, dict[str, int]]:
        """Live meal counts {school: {variant: n}} for ``day`` (closed schools count zero)."""
        with self.read_sessions() as session:
            closures = self.closures(session)
            open_schools = []
            for school in self.settings.schools:
                try:
                    if self.day_status(day, school.id, "phone", closures).operating:
                        open_schools.append(school.id)
                except OutsideCalendar:
                    continue
            found = queries.counts(session, day, open_schools)
        return {
            s.id: {v: found.get(s.id, {}).get(v, 0) for v in self.settings.menu_variants}
            for s in self.settings.schools
        }


# --------------------------------------------------------------------- helpers
# The last booking or cancellation of some children's days, from the journal: the one trace
# left of an extra meal booked then cancelled (its booking day deleted, see change). Read only
# when there is nothing to cancel on a day without a booking day (rare), never otherwise: inside
# a change (_with_cancellations), or by the phone line's check of a day (cancelled_earlier).
_LAST_CHANGES = (
    select(AuditEntry.child_id, AuditEntry.day, AuditEntry.action, AuditEntry.at,
           AuditEntry.channel)
    .where(
        AuditEntry.child_id.in_(bindparam("p_children", expanding=True)),
        AuditEntry.day.in_(bindparam("p_days", expanding=True)),
        AuditEntry.action.in_(("book", "cancel")),
    )
    .order_by(AuditEntry.at, AuditEntry.id)
)


def _cancellations(rows: Iterable[Any]) -> dict[tuple[int, date], Decided]:
    """Of the rows of ``_LAST_CHANGES``, oldest first, the (child id, day) whose last change was
    a cancellation, with when and how."""
    last: dict[tuple[int, date], tuple[str, Decided]] = {}
    for child_id, day, action, at, channel in rows:
        last[(child_id, day)] = (action, Decided(at, channel))
    return {key: decided for key, (action, decided) in last.items() if action == "cancel"}


def _with_cancellations(
    results: list[ChangeResult], run: _Change, kids: Sequence[KidPlan],
    undone: Sequence[tuple[int, date]],
) -> list[ChangeResult]:
    """``results`` with the earlier cancellation of each "nothing to cancel" day without a
    booking day (``undone``: child ids and days), found in the journal."""
    found = _cancellations(run(_LAST_CHANGES, {
        "p_children": sorted({c for c, _ in undone}), "p_days": sorted({d for _, d in undone}),
    }))
    ids = {c.ref: c.id for c in kids}
    return [
        replace(r, decided=found.get((ids[r.child_ref], r.day)))
        if r.outcome is Outcome.NOTHING_TO_CANCEL and r.decided is None else r
        for r in results
    ]


def _check_override(override_reason: str | None, actor: Actor) -> None:
    """Refuse an override from anyone but staff, or without a reason, saying which: an empty
    reason is the staff's own mistake, and "only staff" would not tell them."""
    if override_reason is None:
        return
    if actor.kind != "staff":
        raise InvalidRequest("Seul le personnel peut forcer un délai, avec un motif.")
    if not override_reason.strip():
        raise InvalidRequest(
            "Le motif du forçage est vide : donnez la raison du forçage (elle est enregistrée "
            "dans l'historique)."
        )


def _detail(
    override_reason: str | None, note: str | None, served: bool = False, forced: bool = True
) -> dict[str, Any] | None:
    """An audit entry's detail for a change: the override's reason (with ``"served": true``
    when the day's meals had been served: billing only, no kitchen adjustment), or a reason
    staff gave without overriding anything. ``forced`` false: an override was asked but this
    day did not need it (still within its deadline, not locked): its reason is kept as that
    plain reason, not as an override."""
    if override_reason and forced:
        detail: dict[str, Any] = {"override": override_reason}
        if served:
            detail["served"] = True
        return detail
    note = " ".join((note or override_reason or "").split())
    return {"reason": note} if note else None


def name_key(name: str) -> str:
    """Sort key for first names as a French reader orders them: "Éloïse" between "Dylan" and
    "Farah", not after "Zoé" (the keypad's 1…n follows this order)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_Kid = TypeVar("_Kid", Child, "KidPlan")


def _pick_children(family: Family, refs: Sequence[str] | None) -> list[Child]:
    kids = sorted(family.children, key=lambda c: (name_key(c.first_name), c.ref))
    return _pick(kids, refs, family.account)


def _pick(kids: list[_Kid], refs: Sequence[str] | None, account: str) -> list[_Kid]:
    """The children ``refs`` of ``kids`` (all of them when ``None``), or :class:`UnknownChild`."""
    if refs is None:
        if not kids:
            raise BookingError(f"Aucun enfant dans le dossier {account}.")
        return kids
    by_ref = {c.ref: c for c in kids}
    picked = []
    for ref in refs:
        if ref not in by_ref:
            raise UnknownChild(ref)
        picked.append(by_ref[ref])
    return picked


@dataclass(frozen=True)
class Pattern:
    """A subscription's weekdays and dates (see :class:`~restomairie.models.Subscription`)."""

    weekdays: int
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class KidPlan:
    """A child as the day states and changes need it — school, diet, enrolment, subscriptions."""

    id: int
    ref: str
    first_name: str
    last_name: str
    school_id: str
    diet: str
    enrolled_from: date
    enrolled_until: date | None
    subscriptions: list[Pattern]  # in the order of their start


@dataclass(frozen=True)
class FamilyPlan:
    """A family with its children, read with one Core query instead of three or four ORM loads:
    the phone line reads it on most of its questions."""

    id: int
    account: str
    guardian: str
    language: str
    pin_hash: str = field(repr=False)
    failed_pins: int
    locked_until: datetime | None
    children: list[KidPlan]  # in the order of their first names
    phones: tuple[str, ...] | None = None  # read only when asked for

    def pick(self, refs: Sequence[str] | None) -> list[KidPlan]:
        """The children ``refs`` (all of them when ``None``), or :class:`UnknownChild`."""
        return _pick(list(self.children), refs, self.account)


_CLOSURES = select(
    Closure.school_id, Closure.first_day, Closure.last_day, Closure.label, Closure.kind
)
_FAMILY_PLAN = (
    select(
        Family.id,
        Family.account,
        Family.guardian,
        Family.language,
        Family.pin_hash,
        Family.failed_pins,
        Family.locked_until,
        Child.id,
        Child.ref,
        Child.first_name,
        Child.last_name,
        Child.school_id,
        Child.diet,
        Child.enrolled_from,
        Child.enrolled_until,
        Subscription.weekdays,
        Subscription.starts_on,
        Subscription.ends_on,
    )
    .select_from(Family)
    .outerjoin(Child, Child.family_id == Family.id)
    .outerjoin(Subscription, Subscription.child_id == Child.id)
    .where(Family.account == bindparam("account"))
    .order_by(Child.id, Subscription.starts_on)
)
# The same with the family's phone numbers on each row (E.164: no spaces), for the phone line's
# code check and the family pages: one round trip instead of two.
_FAMILY_PLAN_PHONES = _FAMILY_PLAN.add_columns(
    select(func.aggregate_strings(FamilyPhone.number, " "))
    .where(FamilyPhone.family_id == Family.id)
    .scalar_subquery()
)
# Wrong codes typed from a number since a moment, over every call and account (the call log's
# code steps; the code itself is never there). A code typed with the account number in one go
# ("2105011000", see CallFlow._account_and_code) is logged at the account step: counted too, or
# one phone could try four codes on every family without ever being refused.
WRONG_CODE_STEPS = ("pin", "account")


def _wrong_codes(number: Any) -> Any:
    """When wrong codes were typed (since ``p_since``) from the numbers ``number`` matches,
    the latest first, at most ``p_limit`` of them."""
    return (
        select(CallEvent.at)
        .select_from(CallEvent)
        .join(Call, Call.id == CallEvent.call_id)
        .where(
            number,
            CallEvent.step.in_(WRONG_CODE_STEPS),
            CallEvent.outcome == "wrong_code",
            CallEvent.at >= bindparam("p_since", type_=UTCDateTime()),
        )
        .order_by(CallEvent.at.desc())
        .limit(bindparam("p_limit"))
    )


_WRONG_CODES_FROM = _wrong_codes(Call.from_number == bindparam("p_number"))
# The same over every spelling of a withheld number (restomairie.phones.WITHHELD_SPELLINGS) and
# the calls without any number (no From: stored as NULL).
_WRONG_CODES_WITHHELD = _wrong_codes(
    or_(
        Call.from_number.is_(None),
        Call.from_number.in_(bindparam("p_numbers", expanding=True)),
        *(func.lower(Call.from_number).like(p) for p in WITHHELD_SIP_PATTERNS),
    )
)

_ACCOUNTS_BY_PHONE = (
    select(Family.account, Family.language)
    .join(FamilyPhone)
    .where(FamilyPhone.number == bindparam("p_number"))
    .distinct()
)


def replace_pattern(
    session: Session, child: Child, masks: tuple[int, int], start: date, now: datetime,
    actor: Actor, detail: dict[str, Any] | None,
) -> None:
    """Replace the child's weekly pattern ``masks[0]`` by ``masks[1]`` (0: none) from ``start``
    on, and audit it, in ``session``'s transaction: the subscriptions before ``start`` end the
    day before (the meals they gave are billed), those not begun yet are deleted. The staff's
    subscription change and the import both change a pattern this way."""
    old_mask, mask = masks
    for sub in list(child.subscriptions):
        if sub.starts_on >= start:
            session.delete(sub)
        elif sub.ends_on is None or sub.ends_on >= start:
            sub.ends_on = start - timedelta(days=1)
    if mask:
        session.add(Subscription(child_id=child.id, weekdays=mask, starts_on=start))
    session.add(
        AuditEntry(
            at=now,
            actor=actor.label,
            channel=actor.channel,
            action="subscribe" if mask else "unsubscribe",
            family_id=child.family_id,
            child_id=child.id,
            day=start,
            before=weekdays_text(old_mask),
            after=weekdays_text(mask),
            call_sid=actor.call_sid,
            detail=detail,
        )
    )


@dataclass(frozen=True)
class _Facts:
    """What decides some children's days, read in one statement: the local closures, the
    production locks of their schools and their explicit decisions, over a range of days."""

    closures: tuple[CalendarClosure, ...]
    locks: dict[tuple[str, date], tuple[int, datetime]]  # (school, day): (lock id, locked at)
    bookings: dict[tuple[int, date], bool]  # (child id, day): booked
    decided: dict[tuple[int, date], Decided] = field(default_factory=dict)  # of each booking


def _facts_query(children: Any, schools: Any) -> Any:
    # Three reads in one round trip (UNION ALL of one row shape; a NULL is typed, so that both
    # databases agree on each column's type): the phone line asks this on most questions.
    # ``children`` and ``schools``: what the child and school ids are IN.
    first, last = bindparam("p_first", type_=Date()), bindparam("p_last", type_=Date())
    locks: Any = select(
        literal_column("'lock'").label("kind"),
        DayLock.school_id.label("school_id"),
        sql_cast(null(), Integer()).label("child_id"),
        DayLock.day.label("first_day"),
        DayLock.day.label("last_day"),
        sql_cast(null(), String()).label("label"),
        sql_cast(null(), Boolean()).label("booked"),
        DayLock.id.label("lock_id"),
        DayLock.locked_at.label("locked_at"),
    ).where(
        DayLock.day.between(first, last),
        DayLock.school_id.in_(schools),
    )
    closures: Any = select(
        Closure.kind,  # strike, trip or other: never "lock" nor "booking"
        Closure.school_id,
        sql_cast(null(), Integer()),
        Closure.first_day,
        Closure.last_day,
        Closure.label,
        sql_cast(null(), Boolean()),
        sql_cast(null(), Integer()),
        sql_cast(null(), UTCDateTime()),
    )
    # A booking day's channel and time ride in the label and locked_at columns (NULL for it
    # otherwise): "déjà annulé le lundi 23 novembre à 10 h 20" costs no statement of its own.
    bookings: Any = select(
        literal_column("'booking'"),
        sql_cast(null(), String()),
        BookingDay.child_id,
        BookingDay.day,
        BookingDay.day,
        BookingDay.channel,
        BookingDay.booked,
        sql_cast(null(), Integer()),
        BookingDay.updated_at,
    ).where(
        BookingDay.child_id.in_(children),
        BookingDay.day.between(first, last),
    )
    return union_all(locks, closures, bookings)


_FACTS = _facts_query(
    bindparam("p_children", expanding=True), bindparam("p_schools", expanding=True)
)


# The same for all the children of a family, found by its account (no list of ids to expand).
def _of_family(column: Any) -> Any:
    return select(column).join(Family).where(Family.account == bindparam("p_account"))


_FAMILY_FACTS = _facts_query(_of_family(Child.id), _of_family(Child.school_id))


def _facts_params(kids: Sequence[Child | KidPlan], first: date, last: date) -> dict[str, Any]:
    return {
        "p_first": first,
        "p_last": last,
        "p_schools": sorted({c.school_id for c in kids}),
        "p_children": [c.id for c in kids],
    }


class _Change:
    """A change's write transaction (see ``BookingService._changing``): ``run(statement,
    params)`` gives the rows."""

    def __init__(self, conn: Any, direct: DirectStatements) -> None:
        self.conn, self.direct = conn, direct
        self.postgres = direct.dialect.name == "postgresql"

    def __call__(self, statement: Any, params: dict[str, Any]) -> Sequence[Any]:
        return self.direct(statement).execute(self.conn, params)

    def many(self, statement: Any, params: list[dict[str, Any]]) -> None:
        self.direct(statement).execute_many(self.conn, params)

    def guarded(
        self, keys: Iterable[tuple[str, date]], statement: Any, params: dict[str, Any]
    ) -> Sequence[Any]:
        """The shared guards of ``keys`` (see :mod:`restomairie.booking.guard`), then the rows
        of ``statement``, which sees what committed before the guards were taken: one round
        trip on PostgreSQL (the server runs them in that order all the same)."""
        runs = guard_statements(self.direct, keys, exclusive=False)
        return run_together(self.conn, [*runs, (self.direct(statement), params)])[-1]


def _facts_of(rows: Iterable[Any]) -> _Facts:
    """The :class:`_Facts` of the rows of ``_FACTS`` (``_FAMILY_FACTS``)."""
    closures: list[CalendarClosure] = []
    locks: dict[tuple[str, date], tuple[int, datetime]] = {}
    bookings: dict[tuple[int, date], bool] = {}
    decided: dict[tuple[int, date], Decided] = {}
    for kind, school_id, child_id, day, last_day, label, booked, lock_id, locked_at in rows:
        if kind == "booking":
            bookings[(child_id, day)] = booked
            decided[(child_id, day)] = Decided(locked_at, label)  # its updated_at, channel
        elif kind == "lock":
            locks[(school_id, day)] = (lock_id, locked_at)
        else:  # a closure: its kind
            closures.append(CalendarClosure(school_id, day, last_day, label, kind))
    return _Facts(tuple(closures), locks, bookings, decided)


# change(): the booking day (inserted, or updated when there is one) and its audit entry.
_BOOKINGS = cast(Table, BookingDay.__table__)
_AUDIT = cast(Table, AuditEntry.__table__)


def _bound(*columns: str) -> dict[str, Any]:
    # Parameters named p_<column>: SQLAlchemy keeps the bare column names of an INSERT for itself.
    return {c: bindparam(f"p_{c}") for c in columns}


_INSERT_AUDIT = insert(_AUDIT).values(
    **_bound(
        "at",
        "actor",
        "channel",
        "action",
        "family_id",
        "child_id",
        "day",
        "before",
        "after",
        "call_sid",
    ),
    detail=bindparam("p_detail", type_=_AUDIT.c.detail.type),
)


def _upsert_booking(dialect_insert: Any) -> Any:
    statement = dialect_insert(_BOOKINGS).values(
        **_bound("child_id", "day", "booked", "channel"), updated_at=bindparam("p_at")
    )
    return statement.on_conflict_do_update(
        index_elements=["child_id", "day"],
        set_={
            "booked": statement.excluded.booked,
            "channel": statement.excluded.channel,
            "updated_at": statement.excluded.updated_at,
        },
    )


_SQLITE_UPSERT_BOOKING = _upsert_booking(sqlite_insert)
# WITH audit AS (INSERT INTO audit_log …) INSERT INTO booking_days … ON CONFLICT DO UPDATE
_PG_WRITE_BOOKING = _upsert_booking(pg_insert).add_cte(_INSERT_AUDIT.cte("audit"))
# An exception undone (see change): its booking day deleted, the day follows the pattern again.
_DELETE_BOOKING = delete(_BOOKINGS).where(
    _BOOKINGS.c.child_id == bindparam("p_child_id"), _BOOKINGS.c.day == bindparam("p_day")
)
# WITH audit AS (INSERT INTO audit_log …) DELETE FROM booking_days …
_PG_DROP_BOOKING = _DELETE_BOOKING.add_cte(_INSERT_AUDIT.cte("audit"))
_INSERT_ADJUSTMENT = insert(cast(Table, LockAdjustment.__table__)).values(
    **_bound("lock_id", "child_id", "variant", "delta", "kind", "reason", "actor", "at")
)


# What the kitchen was told for one child on one day, in every school's lock of that day (the
# child's line in a frozen list, and its adjustments since): rows (lock id, variant, count).
_TOLD = union_all(
    select(LockedChild.lock_id, LockedChild.variant, sql_cast(literal_column("1"), Integer()))
    .join(DayLock, DayLock.id == LockedChild.lock_id)
    .where(LockedChild.child_id == bindparam("p_child_id"), DayLock.day == bindparam("p_day")),
    select(LockAdjustment.lock_id, LockAdjustment.variant, LockAdjustment.delta)
    .join(DayLock, DayLock.id == LockAdjustment.lock_id)
    .where(LockAdjustment.child_id == bindparam("p_child_id"), DayLock.day == bindparam("p_day")),
)


def _forced_deltas(
    told: Iterable[Any], want: bool, own_lock: int, diet: str
) -> dict[tuple[int, str], int]:
    """The adjustments of a forced booking (``want``) or cancellation on a locked day, from
    ``told`` (rows of ``_TOLD``): per (lock id, variant), what brings the child to one meal or
    to none *where the kitchen counted it*. A child's school and diet have no dates, and an
    import that changes them leaves the days before the change as they were locked
    (importer._settle_moves): there the child is still counted at its old school with its old
    menu. A cancellation takes the child out of the lock that counts it; a booking of a child
    counted nowhere adds it to its school's lock (``own_lock``) with its menu (``diet``), all
    that is known. (The same as :func:`restomairie.booking.adjustments.settle`, across the
    day's locks; without a move, one meal more or less at the child's school and menu.)"""
    counted: dict[tuple[int, str], int] = {}
    for lock_id, variant, n in told:
        counted[(lock_id, variant)] = counted.get((lock_id, variant), 0) + int(n)
    if want:
        return {} if sum(counted.values()) > 0 else {(own_lock, diet): 1}
    return {key: -n for key, n in counted.items() if n}


def _plan_of(rows: Sequence[Any], account: str, phones: bool) -> FamilyPlan:
    """The :class:`FamilyPlan` of the rows of ``_FAMILY_PLAN`` (``_FAMILY_PLAN_PHONES``)."""
    if not rows:
        raise UnknownFamily(account)
    kids: dict[int, KidPlan] = {}
    for row in rows:
        child_id = row[7]
        if child_id is None:
            continue  # a family without children
        kid = kids.get(child_id)
        if kid is None:
            kid = kids[child_id] = KidPlan(
                id=child_id,
                ref=row[8],
                first_name=row[9],
                last_name=row[10],
                school_id=row[11],
                diet=row[12],
                enrolled_from=row[13],
                enrolled_until=row[14],
                subscriptions=[],
            )
        if row[15] is not None:
            kid.subscriptions.append(Pattern(row[15], row[16], row[17]))
    plans = sorted(kids.values(), key=lambda c: (name_key(c.first_name), c.ref))
    head = rows[0]
    return FamilyPlan(
        id=head[0],
        account=head[1],
        guardian=head[2],
        language=head[3],
        pin_hash=head[4],
        failed_pins=head[5],
        locked_until=head[6],
        children=plans,
        phones=tuple((head[18] or "").split()) if phones else None,
    )


def _info_of(plan: FamilyPlan, phones: Iterable[str]) -> FamilyInfo:
    return FamilyInfo(
        account=plan.account,
        guardian=plan.guardian,
        language=plan.language,
        children=tuple(
            ChildInfo(
                c.ref,
                c.first_name,
                c.last_name,
                c.school_id,
                c.diet,
                c.enrolled_until,
                c.enrolled_from,
            )
            for c in plan.children
        ),
        phones=tuple(sorted(phones)),
    )


def enrolled_on(child: Child | KidPlan | ChildInfo, day: date) -> bool:
    """Whether ``child`` is enrolled at the canteen on ``day`` (no first day known: from
    always)."""
    return (child.enrolled_from is None or child.enrolled_from <= day) and (
        child.enrolled_until is None or day <= child.enrolled_until
    )


def _open_to_change(deadline: datetime | None, locked: bool, now: datetime) -> bool:
    """Whether an operating day (with its ``deadline`` and whether it is ``locked``, as a
    :class:`ChildDay` of the outlook has them) is open to changes at ``now``: not locked, and
    its deadline not past (:meth:`BookingService.first_to_change`'s days)."""
    return not locked and deadline is not None and now < deadline


def _booked(child: Child | KidPlan, day: date, row: bool | None) -> bool:
    """Whether ``child`` has a meal on ``day`` (an operating day it is enrolled on): as its
    booking or cancellation by hand says (``row``, the day's booking row) when there is one,
    else as its subscription has it. The one rule of the outlook's states
    (:meth:`BookingService._states`), the offered day and the changes."""
    return _subscribed(child, day) if row is None else row


def _subscribed(child: Child | KidPlan, day: date) -> bool:
    return bool(_pattern(child, day) & (1 << day.weekday()))


def _pattern(child: Child | KidPlan, day: date) -> int:
    for sub in child.subscriptions:
        if sub.starts_on <= day and (sub.ends_on is None or day <= sub.ends_on):
            return sub.weekdays
    return 0


_WD = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
WEEKDAY_FULL = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def unserved_weekdays(mask: int, served: frozenset[int]) -> str | None:
    """The days of the weekly pattern ``mask`` a canteen serving on ``served`` never serves,
    named as the refusals say them ("mercredi ni le samedi"); ``None`` when there is none."""
    unserved = [wd for wd in range(7) if mask & (1 << wd) and wd not in served]
    return " ni le ".join(WEEKDAY_FULL[wd] for wd in unserved) or None


def weekdays_text(mask: int) -> str:
    return " ".join(_WD[i] for i in range(7) if mask & (1 << i)) or "aucun"
