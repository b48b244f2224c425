"""The call, step by step: what the caller hears, what is asked, what each answer does.

A call is a small state machine (DOMAIN.md §4, the keypad contract)::

    greeting ─┬─ closed (hours, summer) ─────────────────────────────────────────▶ end
              └─ account (caller ID unknown) ─▶ pin ─▶ child (several) ─▶ action ─┐
                                      pin (caller ID matches one family) ─┘       │
      action: 1 book / 2 cancel ─▶ date ─▶ confirm (read-back) ─▶ result ─▶ after │
              3 listen ─────────────────────────────────────────────▶ after      │
      after: 1 another operation ─▶ action ◀──────────────────────────────────────┘
             2 goodbye ─▶ end

Every question accepts the keypad, menus and dates also French speech (never the secret code);
``*`` (or "répétez") repeats the question, after the result, refusal or list just heard;
at the code question of a caller recognised by caller ID, ``0#`` (a phone registered to another
family) asks the account number, then the code, as for an unknown caller (also offered, once,
when that family's phone access is locked: nothing else is taken then);
silence or an answer not understood asks again, at most ``phone.max_attempts`` times, then a
polite goodbye. A refused date says why and the exact deadline, and the date question, asked
again, offers the first date that can still be changed;
a refusal is not a failed attempt.

This module knows nothing of HTTP, TwiML or the call log: :class:`CallFlow` takes a
:class:`CallState` and what was heard, and returns a :class:`Turn` (what to say, what to ask
next, what happened). It calls the booking services, which own their transactions.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from restomairie.booking.errors import (
    BookingError,
    DayLocked,
    NotEnrolled,
    NotOperatingDay,
    OutsideCalendar,
    PastDeadline,
    UnknownFamily,
)
from restomairie.booking.services import (
    Actor,
    BookingService,
    ChangeResult,
    ChildDay,
    Decided,
    Outcome,
    Outlook,
    TooSlow,
)
from restomairie.calendar.days import CLOSURE_PREFIX, Closure, DayStatus, SchoolCalendar
from restomairie.calendar.deadlines import CalendarDaysRule, OperatingDaysRule
from restomairie.calendar.schoolholidays import (
    CalendarCoverageError,
    HolidayPeriod,
    holiday_kind,
    holiday_label,
)
from restomairie.clock import Clock
from restomairie.config import Settings
from restomairie.ivr.hours import LineState, line_state
from restomairie.ivr.prompts import DEFAULT_LANGUAGE, Speaker, language_of
from restomairie.ivr.speech import (
    MAX_DAYS_SAID,
    RECENT_PAST,
    SPEECH_HINTS,
    DateGuess,
    DaySpan,
    Intent,
    ResumeAsked,
    TakenBack,
    adds_to,
    asks_about_billing,
    asks_about_day,
    asks_about_holidays,
    asks_about_invoices,
    asks_days_to_change,
    asks_deadline,
    asks_enrolment,
    asks_first_possible_day,
    asks_for_english,
    asks_for_help,
    asks_menus_or_prices,
    asks_prices,
    asks_subscription_change,
    asks_the_rule,
    asks_what_is_booked,
    asks_when_school_resumes,
    asks_which_days,
    child_hints,
    children_left_out,
    day_said_after_les,
    days_said,
    days_to_choose,
    digits_missing_a_zero,
    every_one_said,
    holidays_eve_said,
    holidays_said,
    impossible_date_said,
    impossible_digits_date,
    is_closing,
    is_dismayed,
    is_hello,
    is_hesitant,
    is_parting,
    is_question,
    is_see_you,
    is_waiting,
    leap_day_missing,
    left_out_of_span,
    names_the_offered_day,
    normalise,
    parse_action,
    parse_children,
    parse_date,
    parse_digits_date,
    parse_intent,
    position_said,
    requests_said,
    restore_commas,
    return_day_said,
    return_week_said,
    said_instead,
    several_days,
    shifted_day,
    sounds_english,
    span_said,
    speaks_of_children,
    spoken_digit_runs,
    spoken_key,
    stated_after_all,
    states_a_condition,
    taken_back,
    takes_the_offer,
    undoes,
    weekday_alone,
    weekday_mismatch,
    weekday_mismatches,
)
from restomairie.phones import is_withheld

# Steps (the question the caller is answering).
GREETING = "greeting"
ACCOUNT = "account"
PIN = "pin"
CHILD = "child"
ACTION = "action"
DATE = "date"
CONFIRM = "confirm"
AFTER = "after"
END = "end"
# The keys of the menus where a key may be said ("le un": key 1, not the 1st of the month).
_MENU_KEYS = {CHILD: "123456789", ACTION: "1234", CONFIRM: "12", AFTER: "12"}

ALL_CHILDREN_KEY = "9"
# Language keys (not in the keypad contract of ../shared/DOMAIN.md §4, which they leave alone):
# on an English call, 9 at the action and after-result menus (where it is no choice) goes
# back to French; on a French call, 8 at the child and action menus goes to English once the
# line has offered it (at the child menu, only while 8 is no child's key).
FRENCH_KEY = "9"
ENGLISH_KEY = "8"
CODE_DIGITS = 4  # the family's secret code (../shared/DOMAIN.md §4)
# "0#" at the code question of a caller recognised by caller ID: "this phone is not my
# family's" (a grandmother's), then the account number as an unknown caller types it. Never a
# code (codes have four digits), and Twilio posts it as "0" (the "#" ends the Gather).
OTHER_ACCOUNT_KEY = "0"
# Four digits or more in a row (spaces, dots, commas or dashes between them): maybe the code.
_DIGIT_RUN = re.compile(r"[0-9](?:[ .,\-]?[0-9]){3,}")
MAX_ANSWERS = 80  # a call ends after this many answers, whatever happens: no endless call
LIST_DAYS = 14  # "hear the bookings of the next two weeks"
# How far from the first open day the date question looks for a meal the action would change;
# when there is none, it looks on as far as FAR_OFFER_DAYS (school holidays count in days: a
# child booked every day until Christmas may have a free day in January), before saying so.
OFFER_DAYS = 21
FAR_OFFER_DAYS = 120
# School holidays do not count in those two weeks, up to a summer's worth of them.
MAX_LIST_SPAN = 80
# The most reasons said of a span without school meals, each with its days ("le lundi 7 et le
# mardi 8, l'école est fermée (grève) ; le mercredi 9, …"): past it, the span alone.
MAX_SPAN_REASONS = 3
EVERY_DAY_FROM = 4  # booked days (and none free) said as "every canteen day, from … to …"
# A change read back this close to its deadline is said to be urgent (with the minutes left).
HURRY = timedelta(minutes=10)
_CHOICES = {Intent.BOOK: "book", Intent.CANCEL: "cancel", Intent.LIST: "list"}
_CHANGES = {"book": Intent.BOOK, "cancel": Intent.CANCEL}  # the change asked, for the parser
# "resume" when the change was asked for the first day possible before the child was chosen
_FIRST_POSSIBLE = "first_possible"
# What speech may mean at each menu (parse_intent's ``allowed``).
ACTION_INTENTS = frozenset(
    {Intent.BOOK, Intent.CANCEL, Intent.LIST, Intent.REPEAT, Intent.GOODBYE, Intent.OTHER_CHILD}
)
CONFIRM_INTENTS = frozenset(
    {Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE, Intent.ANOTHER, Intent.OTHER_CHILD}
)
AFTER_INTENTS = frozenset(
    {
        Intent.OTHER_CHILD, Intent.ANOTHER, Intent.YES, Intent.GOODBYE, Intent.NO, Intent.BOOK,
        Intent.CANCEL, Intent.LIST, Intent.REPEAT,
    }
)  # fmt: skip
# A bare "annulez" (no day, no child), and the words said around it: "non, annulez",
# "attendez, annulez !", "zut, annulez s'il vous plaît". At a booking read-back, also what it
# drops ("annulez tout", "annuler l'opération", "annulez la demande"): see _drops_request.
_CANCEL_VERBS = frozenset({"annulez", "annuler", "annule", "annules"})
_TAKING_BACK = frozenset({"non", "attendez", "attends", "zut", "mince", "oups", "stop"})
_AROUND_CANCEL = _TAKING_BACK | frozenset(
    {"oh", "ah", "euh", "bon", "alors", "vite", "finalement", "s", "il", "vous", "plait", "svp"}
)
_DROPPED = frozenset(
    {"tout", "toute", "l", "operation", "la", "demande", "ca", "cela", "cette", "reservation"}
)
# What only a request can be at a cancellation read-back ("annulez la demande"), where "annulez
# tout", "annulez-le" may as well be the meal (see CallFlow._cancel_or_drop).
_REQUEST_WORDS = frozenset({"demande", "operation"})
# "Non, arrêtez", "stop", "non, stop, je ne veux rien changer", "arrêtez tout" at a read-back:
# the request stopped (see CallFlow._drops_request); "stop" ends the call elsewhere.
_STOP_VERBS = frozenset({"stop", "stoppez", "stopper", "arretez", "arrete", "arreter", "arretes"})
_AROUND_STOP = _AROUND_CANCEL | frozenset(
    {"tout", "la", "ca", "je", "j", "ne", "n", "veux", "voulais", "rien", "changer", "modifier"}
)
MENU_TIMEOUT = 6  # seconds of silence before a menu is asked again
MAX_PAUSES = 5  # requests to wait or for help not counted as failed answers, per call
WAIT_TIMEOUT = 15  # "attendez, je regarde": the same question, answered a little later
TYPING_TIMEOUT = 10  # account number and code: people look for their papers

# Call outcomes (the call log), from the weakest to the strongest. "ident_failed": the line
# ended the call at identification after the last attempt (wrong codes, an account number not
# found, nothing typed) — its doing, not the caller's, so not an "abandoned". "goodbye": the
# caller ended the call in words or with the key offered ("au revoir", "non merci" to a read-back)
# before anything was done — not a hang-up, which stays "abandoned" (the status callback's).
OUTCOME_RANK = {
    None: 0,
    "closed": 1,
    "abandoned": 1,
    "goodbye": 1,
    "refused": 2,
    "ident_failed": 2,
    "listened": 3,
    "error": 4,
    "booked": 5,
    "cancelled": 5,
}


@dataclass(frozen=True)
class Ask:
    """How the next answer is collected (rendered as a ``<Gather>``)."""

    step: str
    num_digits: int | None  # None: any number of keys, ended by "#"
    speech: bool
    hints: str | None = None
    timeout: int = MENU_TIMEOUT


@dataclass(frozen=True)
class Aside:
    """A sentence in another language than the call's, said in that language's own voice
    ("For English, say English." on a French call): read by the French voice, English words
    come out with French sounds, and the caller it is meant for may not make them out."""

    text: str
    voice: str
    language: str


@dataclass(frozen=True)
class Reply:
    """What the caller hears, then either a question (``ask``) or the end of the call."""

    lines: tuple[str | Aside, ...]
    ask: Ask | None
    voice: str
    language: str
    speech_language: str

    @property
    def hangup(self) -> bool:
        return self.ask is None


@dataclass(frozen=True)
class Heard:
    """One answer as Twilio posted it (keys win over speech when both are present)."""

    digits: str = ""
    speech: str = ""

    @property
    def kind(self) -> str:
        if self.digits:
            return "dtmf"
        if self.speech.strip():
            return "speech"
        return "none"

    @property
    def star(self) -> bool:
        return "*" in self.digits


@dataclass(frozen=True)
class Receipt:
    """An SMS receipt to send after the call's step is saved (never in the response path)."""

    to: str
    body: str


@dataclass
class CallState:
    """The per-call state kept in the database between two webhooks."""

    call_sid: str
    step: str = GREETING
    attempts: int = 0
    language: str = DEFAULT_LANGUAGE
    outcome: str | None = None
    from_number: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # The logged step of the webhook at work (its ``call_events`` row's id, made when the
    # webhook was claimed): not saved; ``None`` outside a webhook.
    event: int | None = None

    @property
    def account(self) -> str | None:
        account = self.data.get("account")
        return str(account) if account else None

    def settle(self, outcome: str) -> None:
        """Record the call's outcome unless a stronger one is already known."""
        if OUTCOME_RANK.get(outcome, 0) >= OUTCOME_RANK.get(self.outcome, 0):
            self.outcome = outcome


@dataclass(frozen=True)
class Turn:
    """The result of one webhook: the reply, and what the call log records about the step."""

    reply: Reply
    step: str  # the question that was answered (or "greeting")
    outcome: str  # what happened at this step: ok, wrong_code, invalid_key, refused:…
    heard: str | None = None  # what was heard, redacted on the secret-code step
    receipts: tuple[Receipt, ...] = ()


@dataclass(frozen=True)
class Kid:
    ref: str
    name: str
    school: str
    until: date | None = None  # the end of the child's enrolment, if known
    since: date | None = None  # the start of the child's enrolment, if known


class _Offer(NamedTuple):
    """What the date question offers (see CallFlow._offered_day)."""

    day: date | None  # the day offered
    applies: bool  # whether the action changes a meal on it
    having: tuple[str, ...] = ()  # (none applies) the children picked with days still open
    until: date | None = None  # (none applies) the last of those days looked at


class _Break(NamedTuple):
    """Days without school catering said when listening: school holidays, public holidays."""

    name: str
    first: date
    last: date
    public: bool


def _note_break(
    breaks: list[_Break], calendar: SchoolCalendar, day: date, name: str | None
) -> None:
    """``day`` added to ``breaks`` (in the order of the days): a weekday public holiday as a
    break of its own, a day of the school holidays ``name`` joined to the run of them before
    it; any other day (``name`` None, no public holiday) adds nothing."""
    if name is None:
        if day.weekday() < 5 and calendar.is_public_holiday(day):
            breaks.append(_Break(calendar.public_holiday_name(day) or "", day, day, True))
    elif breaks and breaks[-1].name == name and breaks[-1].last == day - timedelta(days=1):
        breaks[-1] = breaks[-1]._replace(last=day)
    else:
        breaks.append(_Break(name, day, day, False))


# Remembered by what it depends on, the day, the calendar and the zone (asked on every
# listing; a few days at most are asked at a time).
@functools.lru_cache(maxsize=8)
def _list_span_of(
    today: date, calendar: SchoolCalendar, zone: str
) -> tuple[int, tuple[_Break, ...], date | None]:
    """:meth:`CallFlow._list_span` of ``today``, worked out from ``calendar``'s school
    holidays of ``zone`` and its public holidays; the breaks as a tuple (the answer is
    shared)."""
    holidays = calendar.school_holidays
    breaks: list[_Break] = []
    counted = span = 0
    known_until = None
    while counted < LIST_DAYS and span < MAX_LIST_SPAN:
        day = today + timedelta(days=span)
        try:
            name = holidays.reason_closed(zone, day)
        except CalendarCoverageError:
            known_until = holidays.last_covered  # the days after it are not known
            break
        span += 1
        if name is None:
            counted += 1
        _note_break(breaks, calendar, day, name)
    last = breaks[-1] if breaks else None
    if last is not None and not last.public and last.last == today + timedelta(days=span - 1):
        # The window ends inside a break: said up to its end, which the calendar knows.
        end = last.last
        with contextlib.suppress(CalendarCoverageError):
            while holidays.reason_closed(zone, end + timedelta(days=1)) == last.name:
                end += timedelta(days=1)
        breaks[-1] = last._replace(last=end)
    return span, tuple(breaks), known_until


class _Owed(NamedTuple):
    """One warning before school holidays (CallFlow._after_break): the days after them whose
    deadlines come before them, each with its deadline, and the children picked they are for."""

    holidays: str
    days: tuple[tuple[date, datetime], ...]
    kids: tuple[Kid, ...]

    @property
    def key(self) -> str:
        """The days and deadlines, whoever they are for: what makes the sentence."""
        return " ".join(f"{day.isoformat()}/{due.isoformat()}" for day, due in self.days)


@dataclass(frozen=True)
class Check:
    """The outcome of checking a date before the read-back."""

    refusal: str | None = None
    code: str = ""
    change: tuple[Kid, ...] = ()  # children whose meal will change
    notes: tuple[str, ...] = ()  # already in the wanted state
    late: tuple[Kid, ...] = ()  # refused as too late while the others change
    done: tuple[Kid, ...] = ()  # already as asked: "rien à annuler", "déjà réservé"


# "Oui" alone, answering "pour réserver, tapez 1; pour annuler, tapez 2": not an acknowledgement.
_BARE_YES = frozenset({"oui", "ouais", "si", "euh"})


# The outcomes after which the meals due before school holidays ahead are pointed out
# (:meth:`CallFlow._break_note`): a change made, or refused as too late.
_BREAK_NOTE_OUTCOMES = frozenset(
    {"booked", "cancelled", f"refused:{PastDeadline.code}", f"refused:{DayLocked.code}"}
)
# In the call's state, what the warning keeps (see _Warned).
_BREAK = "break"
# The four keys it replaced, still held by calls under way when it did (see _Warned.of).
_BREAK_OLD_KEYS = ("break_said", "break_heard", "break_due", "break_asked")


@dataclass
class _Warned:
    """The holidays' warning in the call's state (``break``, fields left out when empty), read
    by :meth:`CallFlow._break_note` and :meth:`CallFlow._say_breaks`:

    - ``said``: the sentences said (listing or result), each [holidays, days (``_Owed.key``),
      refs of the children it was said for, whether it named them]; never twice the same
      sentence in a call (a brother at another school, whose first day after them differs,
      still hears his);
    - ``same``: the children whose sentence had already been said naming nobody, for another
      child (not said again): heard too, as those of ``said`` are;
    - ``asked``: the days of the request being answered, whatever became of each (changed,
      nothing to do, refused): the warning after it leaves them out, the parent was just told
      about them. As ordinals (``date.toordinal``), not ISO days: the record is no longer than
      the keys it replaced, even at a read-back;
    - ``due``: owed by a day of several taken one by one (said after the last of them, even if
      that one had nothing to change).
    """

    said: list[list[Any]] = field(default_factory=list)
    same: list[str] = field(default_factory=list)
    asked: list[int] = field(default_factory=list)
    due: bool = False

    @property
    def heard(self) -> set[str]:
        """The children whose warning was said or already heard (``said``, ``same``): not
        looked up again after a change."""
        return {str(ref) for entry in self.said for ref in entry[2]} | set(self.same)

    @classmethod
    def of(cls, st: CallState) -> _Warned:
        """The call's, from its state. A call's older keys are taken out of it here: every
        reader keeps the record back (:meth:`keep`), in the same webhook."""
        kept = st.data.get(_BREAK)
        if kept is not None:
            return cls(kept.get("said", []), kept.get("same", []), kept.get("asked", []),
                       bool(kept.get("due")))  # fmt: skip
        # A call under way when this record replaced four keys: read once, not dropped (the
        # parent would hear the warning again, or of the day just asked about, or not at all
        # after a day of several). The oldest hold ``True``, said once a call: every child
        # heard it (no warning after a change, as then).
        said, heard, due, asked = (st.data.pop(key, None) for key in _BREAK_OLD_KEYS)
        if said is True:
            said, heard = [], [str(k[0]) for k in st.data.get("kids", [])]
        warned = cls(said or [], [], [date.fromisoformat(str(d)).toordinal() for d in asked or []],
                     bool(due))  # fmt: skip
        warned.same = [ref for ref in heard or [] if ref not in warned.heard]
        return warned

    def keep(self, st: CallState) -> None:
        kept = {"said": self.said, "same": self.same, "asked": self.asked, "due": self.due}
        if any(kept.values()):
            st.data[_BREAK] = {key: value for key, value in kept.items() if value}
        else:
            st.data.pop(_BREAK, None)


# In the call's state: the changes this call made, "<child ref> <day>" -> their time (see
# _remember_made).
_MADE = "made"


# Set while "oui pour tous" does several days at once (CallFlow._apply_all): the meals whose
# refusals would each say « Les jours sans cantine, comme …, ne comptent pas … », gathered to say
# it once after them all. A context variable, not the flow's: one flow answers every call's
# webhooks.
_NOT_COUNTED_LATER: ContextVar[list[tuple[date, datetime, frozenset[int]]] | None] = ContextVar(
    "_NOT_COUNTED_LATER", default=None
)


class CallFlow:
    """The phone line's call flow over the booking services (see the module docstring)."""

    def __init__(self, settings: Settings, booking: BookingService, clock: Clock) -> None:
        self.settings = settings
        self.booking = booking
        self.clock = clock
        self._speakers: dict[str, Speaker] = {}
        self._handlers: dict[str, Callable[[CallState, Speaker, Heard], Turn]] = {
            ACCOUNT: self._on_account,
            PIN: self._on_pin,
            CHILD: self._on_child,
            ACTION: self._on_action,
            DATE: self._on_date,
            CONFIRM: self._on_confirm,
            AFTER: self._on_after,
        }

    def speaker(self, lang: str) -> Speaker:
        lang = language_of(lang)
        found = self._speakers.get(lang)
        if found is None:
            found = self._speakers[lang] = Speaker(self.settings, lang, self.clock)
        return found

    # ------------------------------------------------------------------ entry points
    def greet(self, st: CallState) -> Turn:
        """A new call: closed, or welcome and the first identification question."""
        found = self.booking.callers_families(st.from_number) if st.from_number else []
        if len(found) == 1:
            # Caller ID says which family calls (the code proves it): an English-speaking
            # family hears English from the first word, the code question included.
            st.language = language_of(found[0][1])
        sp = self.speaker(st.language)
        now = self.clock.now()
        state = line_state(now, self.settings.phone, self._school_holiday)
        if state is not LineState.OPEN:
            st.settle("closed")
            return self._end(st, sp, self._closed_lines(sp, state, now), GREETING, "closed")
        lines = [
            sp._(
                "Hello, and welcome to Resto-Mairie, the school meal line of %(town)s.",
                town=self.settings.town,
            ),
            sp._("At any time, press star to hear the question again."),
        ]
        if len(found) == 1:
            st.data["account"] = found[0][0]
            st.data["by_caller_id"] = True
            return self._ask(st, sp, PIN, lines, GREETING, "caller_id")
        return self._ask(st, sp, ACCOUNT, lines, GREETING, "open")

    def answer(self, st: CallState, heard: Heard) -> Turn:
        """The caller answered the current question."""
        sp = self.speaker(st.language)
        step = st.step
        st.data["answers"] = int(st.data.get("answers", 0)) + 1
        shown = _logged(step, heard, None)
        if step not in self._handlers:
            return self._end(st, sp, [self._goodbye(sp)], step, "ended", shown)
        if st.data["answers"] > MAX_ANSWERS:
            st.settle("abandoned")
            lines = [
                sp._("This call has lasted a long time."),
                self._nothing_done(st, sp, ending=True),
                self._goodbye_failed(sp),
            ]
            return self._end(st, sp, lines, step, "too_long", shown)
        if step in (ACCOUNT, PIN) and heard.digits[:1].isdigit() and heard.digits.endswith("*"):
            # "210500*": the star pressed for the hash key ends the number typed; it is not a
            # request to hear the question again (the number was thrown away).
            heard = Heard(digits=heard.digits.rstrip("*"))
        if heard.star:
            return self._repeat(st, sp, shown)
        if step == PIN and st.data.get("locked_offer"):
            # The family is locked: only "0#" is taken (silence included, nothing is asked
            # again: no code is checked while it is locked).
            turn = self._on_locked_offer(st, sp, heard)
            return turn if turn.heard is not None else replace(turn, heard=shown)
        if step == DATE and heard.kind == "dtmf" and not heard.digits.strip().strip("#"):
            # "#" alone: the keys it ends are none (Twilio posts nothing at all for it: see
            # _no_date), answered like it.
            heard = Heard()
        if step == DATE and heard.kind == "none":
            return self._retry(st, sp, self._no_date(st, sp), "no_input", shown)
        if heard.kind == "none" and (step in (ACCOUNT, PIN) or not sp.speech):
            # These questions listen to keys only (all of them in a language the line does not
            # understand spoken: English): an answer said aloud arrives as nothing at all.
            if sp.speech:
                why = sp._("No key was pressed: please type the digits on your phone's keypad.")
            else:
                # Keys only, all call long: a parent who spoke did press no key, but was not
                # silent either; what to do, true of both.
                why = sp._("Please use your phone's keypad.")
            # Maybe "je n'ai pas mon numéro de dossier", "je voudrais parler à quelqu'un"
            # (said, never heard: these questions take keys only): who can help.
            desk = self._desk_once(st, sp, step)
            if st.attempts + 1 < self.settings.phone.max_attempts and desk:
                why = f"{why} {desk}"
            return self._retry(st, sp, why, "no_input", shown)
        if heard.kind == "none" and step in _MENU_KEYS:
            # Silence, or "#" alone (Twilio posts nothing for it, see _no_date): not "je n'ai
            # rien entendu" to a parent who pressed a key; true either way.
            return self._retry(st, sp, sp._("I did not receive a choice."), "no_input", shown)
        if heard.kind == "none":
            return self._retry(st, sp, sp._("I did not hear anything."), "no_input", shown)
        if heard.kind == "speech" and step in _MENU_KEYS:
            # "Un" for "tapez 1": the key said is the key pressed (at the read-back, "un" would
            # otherwise be read as the 1st of the month, and "le un" too).
            key = spoken_key(heard.speech, _MENU_KEYS[step])
            if key is not None:
                heard = Heard(digits=key)
        operator = heard.kind == "speech" and parse_intent(heard.speech) is Intent.OPERATOR
        if operator or (heard.digits == "0" and step in (CHILD, ACTION, CONFIRM, AFTER)):
            # "Je voudrais parler à un conseiller", or 0, the operator's key on many lines (no
            # menu here has it): nobody answers this line; where to go instead, then the same
            # question (understood: not a failed attempt). Star repeats the number too.
            lines = [
                sp._("This line is automatic: no one can take your call here."),
                self._desk_sentence(sp),
                self._web_sentence(sp),
            ]
            turn = self._ask(st, sp, step, lines, step, "operator", reset=False, recap=True)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        if (
            heard.kind == "speech"
            and step in (CHILD, ACTION, DATE, AFTER)
            and asks_subscription_change(heard.speech, self.clock.today())
        ):
            # "Je veux résilier l'abonnement", "elle change d'école": not something this line
            # does (one day's meal at a time); where to go, then the same question.
            lines = [
                sp._("Subscriptions and changes of school are not handled on this line."),
                self._desk_sentence(sp),
            ]
            turn = self._ask(st, sp, step, lines, step, "subscription", reset=False, recap=True)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        speech_at_a_question = heard.kind == "speech" and step in (CHILD, ACTION, DATE, AFTER)
        desk = self.settings.phone.desk(sp.lang)
        if speech_at_a_question and asks_enrolment(heard.speech, self.clock.today()):
            # "Je voudrais inscrire mon fils": enrolment is the help desk's, not a booking;
            # where to go, then the same question (understood: not a failed attempt).
            if desk:
                lines = [
                    sp._("Canteen enrolment is not done on this line: call %(desk)s.", desk=desk)
                ]
            else:
                lines = [sp._("Canteen enrolment is not done on this line.")]
            turn = self._ask(st, sp, step, lines, step, "enrolment", reset=False, recap=True)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        if (
            speech_at_a_question
            and desk
            and (asks_prices(heard.speech) or asks_about_invoices(heard.speech))
        ):
            # "C'est combien un repas ?", "une question sur ma facture": the help desk answers
            # both (the website has no invoice); then the same question, not a failed answer.
            lines = [sp._("For prices and invoices, call %(desk)s.", desk=desk)]
            turn = self._ask(st, sp, step, lines, step, "prices", reset=False, recap=True)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        if speech_at_a_question and asks_menus_or_prices(heard.speech):
            # "C'est quoi le menu jeudi ?", "combien ça coûte ?": not this line's; where to
            # find them, then the same question (not a failed answer).
            web = self.settings.phone.web(sp.lang)
            if web:
                lines = [
                    sp._(
                        "Menus and prices are not given on this line: you will find them on "
                        "%(web)s.",
                        web=web,
                    )
                ]
            else:
                lines = [
                    sp._("Menus and prices are not given on this line."),
                    self._desk_sentence(sp),
                ]
            turn = self._ask(st, sp, step, lines, step, "menus_prices", reset=False, recap=True)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        if (
            heard.kind == "speech"
            and step in (CHILD, ACTION, DATE, CONFIRM, AFTER)
            and asks_about_billing(heard.speech)
        ):
            # "Ça sera facturé ?": when a meal is charged, then the same question; never an
            # answer to it (a date not understood, or a change).
            return replace(self._billing(st, sp, step), heard=shown)
        if heard.kind == "speech" and st.language != "en" and asks_for_english(heard.speech):
            # "English please", "je ne parle pas bien français": the rest of the call in
            # English, on the keypad (the line understands spoken French only).
            return self._to_english(st, step, shown)
        if heard.kind == "dtmf" and heard.digits[:1] == ENGLISH_KEY and self._english_key(st, step):
            # "For English, press 8", offered after a silence or an answer not understood.
            return self._to_english(st, step, shown)
        if (
            heard.kind == "dtmf"
            and heard.digits[:1] == FRENCH_KEY
            and step in (ACTION, AFTER)
            and st.language != DEFAULT_LANGUAGE
        ):
            # « Pour le français, tapez 9 », said in these menus of an English call (an
            # English-speaking family's phone answered by a French-speaking grandparent, or
            # "English" asked by mistake): the rest of the call in French, speech included.
            st.language = DEFAULT_LANGUAGE
            st.data["english_offered"] = True  # French chosen: English is not offered again
            sp = self.speaker(st.language)
            line = sp._("This call will now be in French.")
            turn = self._ask(st, sp, step, [line], step, "french", reset=False)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        pause = self._pause(st, heard)
        if pause == "wait":
            # "Attendez, je regarde le calendrier": not a failed answer, and not the whole
            # question at once: the line waits longer for the same answer.
            _lines, ask = self._question(st, sp, step)
            waiting = replace(ask, timeout=WAIT_TIMEOUT)
            reply = self._reply(sp, [sp._("Take your time, I am listening.")], waiting)
            return Turn(reply, step, "wait", shown)
        if pause == "hello":
            # "Allô ?", "vous m'entendez ?": someone is there; the question again, whole.
            hear = sp._("Yes, I can hear you.")
            turn = self._ask(st, sp, step, [hear], step, "hello", reset=False)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        if pause == "help":
            # "Je ne comprends pas", "aidez-moi": how to answer, then the question again (not
            # counted as a failed answer either).
            how = sp._(
                "Answer with your phone's keys, or say your answer in a few words. Press star "
                "to hear the question again."
            )
            helps = st.data["helps"] = int(st.data.get("helps", 0)) + 1
            if helps == 1:
                turn = self._ask(st, sp, step, [how], step, "help", reset=False)
                return Turn(turn.reply, turn.step, turn.outcome, shown)
            # Asked again: the same sentence did not help; who answers in person, and English.
            # From the third, a failed answer: help asked for again and again ends the call.
            desk, offer = self._desk_sentence(sp), self._english_offer(st)
            if helps > 2:
                return self._retry(st, sp, how, "help", shown, desk, offer)
            turn = self._ask(st, sp, step, [how, desk, offer], step, "help", reset=False)
            return Turn(turn.reply, turn.step, turn.outcome, shown)
        if heard.kind == "speech" and st.language != "en" and sounds_english(heard.speech):
            # "Cancel please", "no understand": if not understood, the retry says in English
            # that English is spoken here (see _retry); only for this answer.
            st.data["sounds_english"] = True
        try:
            turn = self._handlers[step](st, sp, self._punctuated(st, heard))
        finally:
            st.data.pop("sounds_english", None)
        if turn.heard is None:
            shown = _logged(step, heard, turn.outcome)
            turn = Turn(turn.reply, turn.step, turn.outcome, shown, turn.receipts)
        return turn

    def _punctuated(self, st: CallState, heard: Heard) -> Heard:
        """The answer with the commas speech recognition may leave out put back where a clause
        surely ends ("Rose ne mange pas jeudi Nathan il mange": Nathan is not cancelled; see
        :func:`restore_commas`): every parser reads clauses by their punctuation. The call
        log keeps what was heard."""
        kids = self._kids(st)
        if heard.kind != "speech" or not kids:
            return heard
        return Heard(speech=restore_commas(heard.speech, [k.name for k in kids]))

    def again(self, st: CallState) -> Turn:
        """Ask the current question again (a stale webhook: nothing was answered)."""
        sp = self.speaker(st.language)
        if st.step not in self._handlers:
            return self._end(st, sp, [self._goodbye(sp)], st.step, "ended")
        return self._ask(st, sp, st.step, [], st.step, "stale", reset=False)

    # ------------------------------------------------------------------ steps
    def _on_account(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        digits = heard.digits.strip().rstrip("#")
        ascii_digits = digits.isascii() and digits.isdigit()  # not "¹²", which int() refuses
        if ascii_digits and len(digits) > 20:
            return self._retry(st, sp, sp._("That account number is too long."), "invalid")
        if not ascii_digits:
            return self._retry(
                st, sp, sp._("Please type your account number on the keypad."), "invalid"
            )
        if not self._is_account(digits):
            together = self._account_and_code(st, sp, digits)
            if together is not None:
                return together
            # Not said back: the digits may hold the code (typed first, twice, or after the
            # account with a typo), and the log keeps them masked (see _logged).
            message = sp._("I cannot find that family account number.")
            return self._retry(st, sp, message, "unknown_account")
        st.data["account"] = digits
        turn = self._ask(st, sp, PIN, [], ACCOUNT, "ok")
        st.attempts = self._code_attempts(st)
        return turn

    def _is_account(self, digits: str) -> bool:
        try:
            self.booking.family_info(digits)
        except UnknownFamily:
            return False
        return True

    def _account_and_code(self, st: CallState, sp: Speaker, digits: str) -> Turn | None:
        """ "2105001951#": the account number and the code typed together, without the "#"
        between them. When the digits before the last four are an account, they are taken as
        the account and the last four as its code (checked and counted like any code)."""
        account, code = digits[:-CODE_DIGITS], digits[-CODE_DIGITS:]
        if not account or not self._is_account(account):
            return None
        st.data["account"] = account
        st.step, st.attempts = PIN, self._code_attempts(st)
        turn = self._on_pin(st, sp, Heard(digits=code))
        return Turn(turn.reply, ACCOUNT, turn.outcome, f"{account} + [code]", turn.receipts)

    def _on_pin(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        code = heard.digits.strip()
        account = st.account
        if account is None:  # cannot happen through Twilio: start again
            return self._ask(st, sp, ACCOUNT, [], PIN, "no_account")
        if code.rstrip("#") == OTHER_ACCOUNT_KEY and st.data.get("by_caller_id"):
            return self._other_account(st, sp)
        if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):
            return self._retry(st, sp, sp._("The secret code has four digits."), "invalid")
        # A caller recognised by caller ID can only try its own family's code (its lockout);
        # one who typed an account number is also counted by number, over every account — a
        # call without a number ("") with the withheld ones.
        typed = not st.data.get("by_caller_id")
        number = (st.from_number or "") if typed else None
        check = self.booking.check_pin(account, code, number=number, call_sid=st.call_sid)
        if check.caller_blocked:
            st.settle("refused")
            if is_withheld(st.from_number):
                # Withheld numbers share one count: a parent hiding theirs gets through by
                # showing it (recognised, or counted apart).
                why = sp._(
                    "Too many wrong codes have been typed from withheld numbers. Please call "
                    "again showing your number, or try again later."
                )
            elif check.locked_until is not None and not self._after_hours(check.locked_until):
                why = sp._(
                    "Too many wrong codes have been typed from this phone number. Please try "
                    "again after %(time)s.",
                    time=sp.hour(check.locked_until.astimezone(self.settings.tz)),
                )
            else:
                why = sp._(
                    "Too many wrong codes have been typed from this phone number. Please try "
                    "again later."
                )
            lines = [
                why,
                self._desk_sentence(sp),
                self._web_sentence(sp),
                sp._("Goodbye."),
            ]
            return self._end(st, sp, lines, PIN, "caller_blocked")
        if check.locked_until is not None:
            st.settle("refused")
            blocked = self._blocked_sentence(sp, check.locked_until)
            if not typed and st.attempts + 1 < self.settings.phone.max_attempts:
                # The phone's family is locked, maybe by a caller from another family (a
                # parent at the grandmother's): "0#" still leads to their own account. This
                # answer counts as an attempt of the call, and after "0#" the codes are
                # counted by number and for the account typed (its own lock applies): no
                # more tries than an unknown caller has, and none for the locked family,
                # whose codes are not checked while it is locked.
                st.attempts += 1
                st.data["locked_offer"] = True
                # Said again if the caller types a code anyway (see _on_locked_offer).
                st.data["locked_until"] = check.locked_until.isoformat()
                lines = self._locked_lines(sp, blocked)
                return self._ask(st, sp, PIN, lines, PIN, "locked", reset=False, recap=True)
            lines = [*self._locked_lines(sp, blocked), sp._("Goodbye.")]
            return self._end(st, sp, lines, PIN, "locked")
        if not check.ok:
            hint = ""
            if not typed:
                # Maybe not this family's phone (the grandmother's): how to give one's own
                # account. Not in the first question: every caller would hear it.
                hint = self._other_phone_hint(sp)
            return self._retry(st, sp, sp._("That code is not correct."), "wrong_code", hint=hint)
        info = check.family or self.booking.family_info(account)
        st.language = language_of(info.language)
        sp = self.speaker(st.language)
        today = self.clock.today()
        kids = [
            Kid(c.ref, c.first_name, c.school_id, c.enrolled_until, c.enrolled_from)
            for c in info.children
            # A child whose enrolment has ended has no meal left to change: not offered.
            if c.enrolled_until is None or c.enrolled_until >= today
        ]
        st.data["kids"] = [
            [k.ref, k.name, k.school, _iso(k.until), _iso(k.since)] for k in kids
        ]
        st.data["identified"] = True
        if not kids:
            st.settle("refused")
            lines = [
                sp._("No child of this account is registered for school catering."),
                self._goodbye(sp),
            ]
            return self._end(st, sp, lines, PIN, "right_code")
        if len(kids) == 1:
            st.data["pick"] = [kids[0].ref]
            return self._ask(st, sp, ACTION, [sp._("Thank you.")], PIN, "right_code")
        return self._ask(st, sp, CHILD, [sp._("Thank you.")], PIN, "right_code")

    def _locked_lines(self, sp: Speaker, blocked: str) -> list[str]:
        """What a caller refused because the family's phone access is locked hears: until
        when (``blocked``), who to call, the web."""
        return [blocked, self._desk_sentence(sp), self._web_sentence(sp)]

    def _on_locked_offer(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        """The answer to "this account is locked; if this phone is not the one on your family
        account, press 0 then hash": "0#" asks the account number (see _other_account);
        anything else ends the call (who to call and the web were said with the lockout), no
        code checked: the family is locked."""
        st.data.pop("locked_offer", None)
        until = st.data.pop("locked_until", None)
        if heard.digits.strip().rstrip("#") == OTHER_ACCOUNT_KEY:
            return self._other_account(st, sp)
        # A parent typing the code again did not take in the lockout: said again, or the bare
        # goodbye sounds like a line that hangs up on a right code (silence: understood).
        lines = []
        until_at = datetime.fromisoformat(until) if until is not None else None
        if heard.kind == "dtmf" and until_at is not None and self.clock.now() < until_at:
            lines.append(self._blocked_sentence(sp, until_at))
        lines.append(self._goodbye(sp))
        return self._end(st, sp, lines, PIN, "locked")

    def _blocked_sentence(self, sp: Speaker, locked_until: datetime) -> str:
        """Until when the family's phone access is locked (see _after_hours)."""
        until = locked_until.astimezone(self.settings.tz)
        if self._after_hours(until):
            # Blocked until 13:06 on a line that closes at 13:00: say what it means.
            return sp._(
                "After too many wrong codes, phone access to this account is blocked for the "
                "rest of the day."
            )
        return sp._(
            "After too many wrong codes, phone access to this account is blocked until %(time)s.",
            time=sp.hour(until),
        )

    def _other_account(self, st: CallState, sp: Speaker) -> Turn:
        """ "0#" at the code question of a caller recognised by caller ID: the account number is
        asked as for an unknown caller, then the code. From then on the code is counted as
        typed (by the caller's number, over every account, like any typed account), and the
        code question goes on from the attempts already made there: this way gives no more
        tries than an unknown caller has. The call is no longer the phone's family's (the
        caller said it is not theirs): the account recognised is kept apart, as
        ``phone_account`` (the staff find the wrong codes typed for it in its lockout), and the
        call belongs to the account typed next, if any."""
        st.data.pop("by_caller_id", None)
        phone_account = st.data.pop("account", None)
        if phone_account:
            st.data["phone_account"] = phone_account
        st.data["pin_attempts"] = st.attempts
        turn = self._ask(st, sp, ACCOUNT, [], PIN, "other_account")
        return replace(turn, heard=OTHER_ACCOUNT_KEY)  # never a code: shown as typed

    @staticmethod
    def _other_phone_hint(sp: Speaker) -> str:
        """How a caller at a phone registered to another family gives their own account."""
        return sp._(
            "If this phone is not the one on your family account, press 0 then the hash key to "
            "give your account number."
        )

    @staticmethod
    def _code_attempts(st: CallState) -> int:
        """The failed answers already counted at the code question before "0#" (see
        _other_account), where the code question is asked again after the account number."""
        return int(st.data.get("pin_attempts", 0))

    def _on_child(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        kids = self._kids(st)
        picked: list[Kid] | None = None
        if heard.kind == "dtmf":
            key = heard.digits[:1]
            if key == ALL_CHILDREN_KEY:
                picked = kids
            elif key.isascii() and key.isdigit() and 1 <= int(key) <= min(len(kids), 8):
                picked = [kids[int(key) - 1]]
            else:
                return self._retry(st, sp, self._wrong_key(sp), "invalid_key")
        else:
            asked = st.data.get("action") if st.data.get("resume") else None
            mixed = self._requests(st, sp, heard.speech, CHILD, asked)
            if mixed is not None:  # "annuler jeudi pour Rose et lundi pour Nathan"
                return mixed
            intent = parse_intent(heard.speech, {Intent.REPEAT, Intent.GOODBYE})
            about = self._about_day(st, sp, heard.speech, CHILD, kids)
            if about is not None:  # "est-ce que Rose mange jeudi ?": answered, then the menu
                return about
            action = self._action_said(
                kids, heard.speech, {Intent.BOOK, Intent.CANCEL, Intent.LIST}
            )
            self._keep_goodbye(st, heard.speech, action)  # "annuler jeudi, au revoir"
            # "Annuler jeudi pour Rose, Nathan il mange": Rose's alone
            picked = self._children_said(kids, heard.speech, action=action)
            if picked is not None and self._first_of_the_month(kids, heard.speech, action):
                picked = None  # "annuler le 1er": that day kept, and the child asked
            # Not "Rose ne mangera pas jusqu'à la fin de la semaine" (a request), nor "Rose,
            # pardon, Nathan" (a correction): only a phrase that asks nothing else.
            if intent is Intent.REPEAT and picked is None and action is None:
                return self._repeat(st, sp)
            if intent is Intent.GOODBYE and picked is None and action is None:
                return self._bye(st, sp, CHILD)
            listen_all = picked is None and action is Intent.LIST
            if listen_all:
                picked = kids  # "écouter" before choosing: the whole family's meals
            if picked is None and is_closing(heard.speech):  # "merci", "non merci"
                return self._bye(st, sp, CHILD)
            if picked is None and parse_intent(heard.speech, {Intent.ANOTHER}):
                return self._repeat(st, sp)  # "retour au menu": this is the first menu
            if picked is None and action in (Intent.BOOK, Intent.CANCEL):
                # "Je voudrais annuler jeudi": understood, but for which child? Kept, then
                # asked (the child's key or name), not a failed attempt.
                return self._which_child(st, sp, _CHOICES[action], heard.speech)
            if action is None and not st.data.get("resume"):
                kept = self._day_at_child_question(st, sp, kids, picked, heard.speech)
                if kept is not None:
                    return kept
            if picked is None and action is None and asked and self._a_day_said(heard.speech):
                # "Annuler." – "Pour quel enfant ?" – "Jeudi.": the day kept with the action,
                # and the child asked again (it was "je n'ai pas compris", the day lost).
                return self._which_child(st, sp, str(asked), heard.speech)
            if picked is None and children_left_out(heard.speech, [k.name for k in kids]):
                # "Ni Margaux ni Nathan", "pas pour Nathan": understood, but no child named
                # for the change (the others are not guessed): the question again, plainly.
                return self._retry(st, sp, sp._("For which child?"), "left_out_only")
            if picked is None:  # "la petite": the first name is asked for
                return self._not_whom(st, sp, heard.speech)
            if action is not None:
                # "Annuler pour Nathan", "écouter pour Rose", "Rose sera absente jeudi": the
                # child, what to do and maybe the day in one phrase. A date only when the
                # children were named: in "annuler pour le premier", "le premier" is a child.
                self._pick(st, picked)
                if listen_all and len(kids) > 1:
                    # Not a choice of children: the next operation asks which child.
                    st.data["unchosen"] = True
                st.data.pop("resume", None)  # the action said now wins over one kept
                choice = _CHOICES[action]
                if self._children_said(kids, heard.speech, False, action) is not None:
                    dated = self._action_with_date(st, sp, choice, heard.speech, CHILD)
                    if dated is not None:
                        return dated
                return self._choose(st, sp, choice, CHILD)
        self._pick(st, picked)
        resume = st.data.pop("resume", False)
        if resume and st.data.get("action") in ("book", "cancel"):
            # The change asked before the child was chosen ("annuler jeudi" said first, or
            # "un autre enfant" at the read-back): its day (or one said now: "Rose, mais
            # vendredi") read back for them, or asked.
            # A child chosen by position ("le premier", "la deuxième") said no date: "le
            # premier" is Margaux, not also the 1st of the month.
            by_position = bool(heard.speech) and self._children_said(
                kids, heard.speech, ordinals=False
            ) is None
            said = (
                parse_date(heard.speech, self.clock.today())
                if heard.speech and not by_position
                else None
            )
            if resume == _FIRST_POSSIBLE and said is None:
                # "Annuler le premier jour possible" before the child: theirs, read back
                first_possible = self._at_first_possible(st, sp, CHILD)
                if first_possible is not None:
                    return first_possible
            day = said.day.isoformat() if said is not None else st.data.get("day")
            more = [str(d) for d in st.data.pop("asked_more", None) or []]
            span = st.data.pop("asked_span", None)
            if span and said is None:
                first, last, from_open, *left_out = span
                asked = DaySpan(
                    date.fromisoformat(first),
                    date.fromisoformat(last),
                    from_open,
                    tuple(date.fromisoformat(d) for d in (left_out[0] if left_out else ())),
                )
                return self._span_days(st, sp, asked, CHILD)
            if day and more and said is None:  # the days said with the change, one by one
                days = [date.fromisoformat(str(d)) for d in (day, *more)]
                return self._one_after_another(st, sp, days, CHILD, [])
            if day:
                return self._with_date(st, sp, date.fromisoformat(str(day)), CHILD)
            return self._choose(st, sp, str(st.data["action"]), CHILD)
        return self._ask(st, sp, ACTION, [], CHILD, "ok")

    def _first_of_the_month(self, kids: Sequence[Kid], speech: str, action: Intent | None) -> bool:
        """Whether "le premier" said with a change ("annuler le 1er", "réserver le premier")
        is the 1st of the month, not the first child: no child is named otherwise, and it
        comes right after the request, not after "pour" ("annuler pour le premier" is the
        first child, and so is "le premier" alone)."""
        if action not in (Intent.BOOK, Intent.CANCEL):
            return False
        if self._children_said(kids, speech, ordinals=False, action=action) is not None:
            return False  # "annuler le premier enfant", "annuler le 1er pour Rose"
        if parse_date(speech, self.clock.today()) is None:
            return False  # "annuler le premier jour possible"
        words = normalise(speech).split()
        firsts = [k for k, w in enumerate(words) if w in ("premier", "premiere") and k >= 2]
        return any(words[k - 1] == "le" and words[k - 2] != "pour" for k in firsts)

    def _day_at_child_question(
        self, st: CallState, sp: Speaker, kids: Sequence[Kid], picked: list[Kid] | None, speech: str
    ) -> Turn | None:
        """A day said at the child question without the action ("jeudi", "Rose, jeudi",
        "c'est pour jeudi"): kept, as at the action menu, and only what is missing asked (the
        child, then the action for that day). ``None`` when no day was said, or when the
        children were chosen by position ("la deuxième": no date there)."""
        if picked is not None and self._children_said(kids, speech, ordinals=False) is None:
            return None
        if not self._keep_days(st, speech):
            return None
        if picked is None:
            lines = [sp._("For which child?")]
            return self._ask(st, sp, CHILD, lines, CHILD, "which_child", reset=False)
        self._pick(st, picked)
        return self._ask(st, sp, ACTION, [], CHILD, "day_kept")

    def _a_day_said(self, speech: str) -> bool:
        """Whether ``speech`` names a day, days or a span of days (what :meth:`_which_child`
        keeps)."""
        today = self.clock.today()
        return (parse_date(speech, today) is not None or bool(days_said(speech, today))
                or self._span_said(speech, today) is not None)

    def _which_child(
        self, st: CallState, sp: Speaker, choice: str, speech: str, answered: str = CHILD
    ) -> Turn:
        st.data["action"] = choice
        st.data["resume"] = True
        st.data.pop("day", None)
        st.data.pop("asked_span", None)
        today = self.clock.today()
        guess = parse_date(speech, today)
        if guess is None and asks_first_possible_day(speech):
            # "Annuler le premier jour possible": the children's first day, once they are known
            st.data["resume"] = _FIRST_POSSIBLE
        # "annuler jeudi et vendredi": both kept (the first was, alone), read back one by one
        days = [guess.day] if guess is not None else days_said(speech, today, _CHANGES[choice])
        # "annuler à la rentrée", "annuler la veille des vacances": the calendar's days
        days = days or self._return_days(st, speech, today) or self._eve_days(st, speech, today)
        if days:
            st.data["day"] = days[0].isoformat()
            st.data["asked_more"] = [day.isoformat() for day in days[1:]]
        elif (span := self._span_said(speech, today)) is not None:
            # "annuler toute la semaine prochaine": its school days are the child's, once known
            st.data["asked_span"] = [
                span.first.isoformat(),
                span.last.isoformat(),
                span.from_open,
                [day.isoformat() for day in span.left_out],
            ]
        lines = [sp._("For which child?")]
        return self._ask(st, sp, CHILD, lines, answered, "which_child", reset=False)

    @staticmethod
    def _children_said(
        kids: Sequence[Kid], speech: str, ordinals: bool = True, action: Intent | None = None
    ) -> list[Kid] | None:
        """The children a phrase names, by first name ("Rose", "Sacha et Timéo"), all ("tous
        les enfants", "tous sauf Rose") or, with ``ordinals``, by position ("la deuxième");
        ``None`` when it names none. Without ``ordinals`` (where a date may be said) "le
        premier" is the 1st of the month, not the first child. With ``action`` (the change
        asked), not those said to stay as they are ("annuler jeudi pour Rose, Nathan il
        mange": Rose)."""
        names = [k.name for k in kids]
        found = parse_children(speech, names, ordinals=ordinals, action=action)
        return None if not found else [k for i, k in enumerate(kids, start=1) if i in found]

    @staticmethod
    def _action_said(kids: Sequence[Kid], speech: str, allowed: set[Intent]) -> Intent | None:
        """What a phrase asks at a menu (``allowed``), the children it names taken into
        account: "réserver jeudi pour Rose, Nathan il mange pas" is a booking (Rose's), and
        "Nathan mange jeudi mais pas Rose" a cancellation (Rose's), where the words alone
        read both changes, or the other one."""
        found = parse_intent(speech, allowed)
        if found not in (None, Intent.BOOK, Intent.CANCEL):
            return found
        said = parse_action(speech, [k.name for k in kids])
        if said != parse_intent(speech, {Intent.BOOK, Intent.CANCEL}):
            return said  # the statements about some children decide
        if (
            found is None
            and said is not None
            and Intent.GOODBYE in allowed
            and parse_intent(speech, {Intent.NO}) is None  # not "réserver, non, au revoir"
        ):
            # "Annuler jeudi, c'est tout", "…, au revoir": the change, not a goodbye that
            # leaves it unsaid (nor a phrase not understood)
            return parse_intent(speech, allowed - {Intent.GOODBYE}) or found
        return found

    @staticmethod
    def _keep_goodbye(st: CallState, speech: str, change: Intent | None) -> None:
        """A goodbye said with the change asked ("annuler jeudi, au revoir", "…, c'est tout"):
        the change is read back and confirmed as any other, then its result ends the call
        with the goodbye, as a yes with a goodbye does at the read-back ("oui, merci, au
        revoir": ``then_end`` of :meth:`_apply`), not with the menu "pour une autre
        opération…". Kept until that result, or until a menu is asked again (see
        :meth:`_ask`). Not with a "non" ("réserver, non, au revoir")."""
        if (
            change in (Intent.BOOK, Intent.CANCEL)
            and parse_intent(speech, {Intent.GOODBYE}) is Intent.GOODBYE
            and parse_intent(speech, {Intent.NO}) is None
        ):
            st.data["leaving"] = True

    def _closing_at_menu(self, kids: Sequence[Kid], speech: str) -> bool:
        """ "Merci", "non merci" at a menu: the caller is done (not "Rose, merci")."""
        return is_closing(speech) and self._children_said(kids, speech, ordinals=False) is None

    @staticmethod
    def _pick(st: CallState, picked: Sequence[Kid]) -> None:
        st.data["pick"] = [k.ref for k in picked]
        st.data["all"] = len(picked) > 1
        st.data.pop("unchosen", None)  # chosen now (see _another)
        st.data.pop("asked_for", None)  # the children of each day kept (see _requests)

    def _another(self, st: CallState, sp: Speaker) -> Turn:
        """Another operation: the action menu for the children chosen; after "écouter" said
        before choosing (the whole family heard, none chosen), which child, as at the start."""
        if st.data.pop("unchosen", None):
            return self._ask(st, sp, CHILD, [], AFTER, "another_which_child")
        return self._ask(st, sp, ACTION, [], AFTER, "another")

    def _on_action(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        kids = self._kids(st)
        several = len(kids) > 1
        choice: str | None
        if heard.kind == "dtmf":
            choice = {"1": "book", "2": "cancel", "3": "list"}.get(heard.digits[:1])
            if heard.digits[:1] == "4" and several:
                choice = "child"
            if choice is None:
                return self._retry(st, sp, self._wrong_key(sp), "invalid_key")
            asked = self._day_asked(st)
            if asked is not None and choice in ("book", "cancel"):
                # "Jeudi" said first, then the key of the action: that day, read back.
                st.data["action"] = choice
                return self._with_asked_days(st, sp, asked)
        else:
            intent = self._action_said(kids, heard.speech, set(ACTION_INTENTS))
            if intent is Intent.REPEAT and not asks_the_rule(heard.speech):
                # "C'est quoi le délai ?" asks the rule, not the menu again ("quoi ?")
                return self._repeat(st, sp)
            if intent is Intent.GOODBYE:
                return self._bye(st, sp, ACTION)
            self._keep_goodbye(st, heard.speech, intent)  # "annuler jeudi, c'est tout"
            about = self._about_day(st, sp, heard.speech, ACTION, self._picked(st))
            if about is not None:
                return about
            # "1" pressed after a result, then "mince, je voulais dire lundi": the change just
            # made is still the one taken back.
            taken = self._taken_back(st, sp, heard.speech, intent, ACTION)
            if taken is not None:
                return taken
            if intent is Intent.OTHER_CHILD and several:  # "un autre enfant": key 4
                return self._choose(st, sp, "child", ACTION)
            if intent is None and self._closing_at_menu(kids, heard.speech):
                return self._bye(st, sp, ACTION)
            if (intent is None and st.data.get("answered_day")
                    and parse_intent(heard.speech, {Intent.YES, Intent.NO}) is not None
                    and not _BARE_YES.issuperset(normalise(heard.speech).split())):
                # "Est-ce que Rose mange jeudi ?" answered, then "parfait", "d'accord", "non":
                # the parent was checking, nothing to change (it was "je n'ai pas compris"
                # three times, then goodbye). Not a bare "oui", which may be the start of a
                # change: the menu is asked again.
                lines = [sp._("Nothing was changed.")]
                return self._ask(st, sp, AFTER, lines, ACTION, "nothing_to_change")
            if intent is None and parse_intent(heard.speech, {Intent.ANOTHER}):
                return self._repeat(st, sp)  # "retour au menu": this is the menu
            mixed = self._requests(st, sp, heard.speech, ACTION)
            if mixed is not None:  # "réserver pour Margaux jeudi et annuler pour Rose vendredi"
                return mixed
            named = False
            change = intent if intent in (Intent.BOOK, Intent.CANCEL) else None
            if several:
                # "Nathan", "annuler pour Nathan": another child named here is the one meant
                # ("annuler mardi 1er": a date, not the first child); "et Margaux aussi" at
                # Rose's menu: both of them; "tous sauf Rose": the others; "annuler jeudi
                # pour Rose, Nathan il mange": Rose.
                named = self._children_said(kids, heard.speech, False, change) is not None
                corrected = self._children_correction(
                    st, heard.speech, and_first=False, action=change
                )
                named = corrected or named
            if intent is None:
                # "Jeudi", "c'est pour jeudi 26", "jeudi et vendredi" without saying what to
                # do: the days are kept, and only the action is asked (then read back for
                # each day in turn).
                kept = self._keep_days(st, heard.speech)
                if kept or named:
                    outcome = "day_kept" if kept else "change_child"
                    return self._ask(st, sp, ACTION, [], ACTION, outcome)
            choice = _CHOICES.get(intent) if intent is not None else None
            if choice is None:
                return self._retry(st, sp, self._not_understood(sp), "not_understood")
            dated = self._action_with_date(st, sp, choice, heard.speech, ACTION)
            if dated is not None:
                return dated
            asked = self._day_asked(st)
            if asked is not None and choice in ("book", "cancel"):
                st.data["action"] = choice  # "annuler" after "jeudi": that Thursday
                return self._with_asked_days(st, sp, asked)
        return self._choose(st, sp, choice, ACTION)

    @staticmethod
    def _day_asked(st: CallState) -> date | None:
        """The day said at the action menu before the action ("jeudi", then "annuler")."""
        asked = st.data.get("asked_day")
        return date.fromisoformat(str(asked)) if asked else None

    def _about_day(
        self, st: CallState, sp: Speaker, speech: str, step: str, unnamed: Sequence[Kid]
    ) -> Turn | None:
        """A question about a day ("est-ce que Rose mange jeudi ?", "est-ce que j'ai bien
        annulé jeudi ?", "jusqu'à quand je peux annuler jeudi ?"): answered, for the children
        it names (else ``unnamed``), with
        whether a meal is booked and until when it can be changed, then only the action is
        asked for that day (a question is never read back as a change: a parent answering
        "oui" to it would make one). ``None`` when the phrase asks no such thing."""
        holidays = self._holidays_asked(st, sp, speech, step)
        if holidays is not None:
            return holidays
        changeable = self._changeable_days_asked(st, sp, speech, step, unnamed)
        if changeable is not None:
            return changeable
        # "Qu'est-ce qui est réservé lundi ?", "écouter la semaine prochaine", "quels sont les
        # repas réservés ?" at the menu or the date question: answered, nothing changed (it was
        # read back as that day's change, or the week's days one by one, or not understood).
        listening = step in (ACTION, DATE) and asks_what_is_booked(speech)
        if not (listening or asks_about_day(speech)):
            return None
        today = self.clock.today()
        guess = parse_date(speech, today)
        if listening and guess is None and not (st.data.get("done") and asks_about_day(speech)):
            # ("C'est bien réservé ?" right after a result: that change's day, below.)
            return self._booked_heard(st, sp, speech, step, unnamed)
        if guess is None and (back := self._return_days(st, speech, today)):
            # "Jusqu'à quand peut-on annuler pour la rentrée ?": the day school starts again
            # (the calendar's), not the first day that can change
            guess = DateGuess(back[0], True)
        named = self._children_said(self._kids(st), speech, ordinals=False)
        kids = named or unnamed
        done = st.data.get("done")
        rule = False  # the deadline rule said after the day's answer
        reassured = self._done_again(st, sp, speech, guess, named, step)
        if reassured is not None:
            return reassured
        if guess is not None:
            day = guess.day
        elif done:
            # "C'est bien annulé ?" right after a result: that change's day, as it stands now.
            day = date.fromisoformat(str(done[1]))
            kids = [k for k in self._kids(st) if k.ref in done[2]] or kids
        elif asks_which_days(speech):
            # "Quels jours mange Margaux ?", "quand est-ce que Rose mange ?": her meals, not
            # one day's (the first open day would read as the only one).
            self._pick(st, kids)
            return self._choose(st, sp, "list", step)
        else:
            # "Jusqu'à quand je peux annuler ?": answered for the first day that can change,
            # then the rule for any other day.
            first = self._first_open(kids)
            if first is None:
                # In August, none the calendar knows: said as the date question says it (it
                # was read as a span, "jusqu'à …", and the days asked one by one).
                lines = self._none_open_near_the_end(sp)
                if not lines:
                    return None
                self._pick(st, kids)
                st.data["answered_day"] = True
                return self._ask(st, sp, ACTION, lines, step, "asked_day", recap=True)
            day = first
            rule = True
        self._pick(st, kids)
        st.data["answered_day"] = True  # "parfait" now: nothing to change (see _on_action)
        if day < today:
            lines = [sp._("%(day)s is already past.", day=sp.day(day))]
            return self._ask(st, sp, ACTION, lines, step, "asked_day", recap=True)
        lines, open_to_change = self._day_answer(st, sp, day, kids)
        if rule:
            lines.append(self._rule_line(sp))
        if open_to_change:
            st.data["asked_day"] = day.isoformat()  # "annuler" or key 2 now: that day
        return self._ask(st, sp, ACTION, lines, step, "asked_day", recap=True)

    def _booked_heard(
        self, st: CallState, sp: Speaker, speech: str, step: str, unnamed: Sequence[Kid]
    ) -> Turn | None:
        """What is booked, asked or to be heard without one day (see :func:`asks_what_is_booked`)
        at the action menu or the date question: for days said ("écouter mes réservations de
        la semaine prochaine", "qu'est-ce qui est réservé lundi et mardi ?"), the listing of
        those days only; without any, the listing of the next two weeks, as key 3 at the action
        menu. For the children named, else ``unnamed``; then the menu after a listing. ``None``
        at the action menu for a listening its own intent takes ("écouter", "quels jours mange
        Nathan ?": key 3, which also handles the children said there)."""
        today = self.clock.today()
        days: list[date] = []
        span = span_said(speech, today, acted=True)
        if span is not None:
            days = [
                span.first + timedelta(days=n)
                for n in range((span.last - span.first).days + 1)
                if span.first + timedelta(days=n) not in span.left_out
            ]
        else:
            days = days_said(speech, today)
        if not days and step == ACTION and parse_intent(speech) is Intent.LIST:
            return None
        if step == DATE:
            # "Écouter pour Rose" at the date question: for Rose (as "pour Rose" alone there).
            self._children_correction(st, speech, and_first=False)
        else:
            self._pick(st, self._children_said(self._kids(st), speech, ordinals=False) or unnamed)
        return self._choose(st, sp, "list", step, frozenset(days) or None)

    def _changeable_days_asked(
        self, st: CallState, sp: Speaker, speech: str, step: str, unnamed: Sequence[Kid]
    ) -> Turn | None:
        """ "Quels jours je peux annuler ?", "quel jour on peut encore réserver ?", asked
        without a day: the deadline rule, and the first day that can still be changed for the
        children named (else ``unnamed``) with its deadline, as :meth:`_about_day` says a day;
        then the question of the step again (the date question offers that first day itself).
        It was heard as which days a child eats, or not understood. ``None`` when the phrase
        asks no such thing, or names a day (a question about that day)."""
        today = self.clock.today()
        # "C'est quoi le délai ?", "quels jours je dois annuler ?": the rule too. "Jusqu'à quand
        # je peux annuler ?" at a menu is answered for the first day that can change, then the
        # rule (:meth:`_about_day`); at the date question, whose prompt already offers that day,
        # the rule and the date question again (read as a span, "jusqu'à …", it was refused as
        # "dites les jours un par un"). "… pour la rentrée": that day's question.
        rule = asks_the_rule(speech) and (step == DATE or not asks_deadline(speech))
        if not (rule or asks_days_to_change(speech)) or parse_date(speech, today) is not None:
            return None
        if rule and self._return_days(st, speech, today):
            return None
        lines = [self._rule_line(sp)]
        if step == DATE:
            return self._ask(st, sp, DATE, lines, step, "rule_asked", recap=True)
        kids = self._children_said(self._kids(st), speech, ordinals=False) or unnamed
        first = self._first_open(kids)
        if first is not None:
            lines += self._day_answer(st, sp, first, kids)[0]
        ask = CHILD if step == CHILD else ACTION
        return self._ask(st, sp, ask, lines, step, "rule_asked", recap=True)

    def _rule_line(self, sp: Speaker) -> str:
        """The town's deadline rule on the phone line, as a parent hears it ("Un repas peut
        être réservé ou annulé jusqu'au 2e jour de cantine qui le précède, avant 13 heures…"
        in Dijon), from the configured rule, whichever its kind."""
        rule = self.settings.rule_for("phone")
        if isinstance(rule, OperatingDaysRule):
            return sp.ngettext(
                "A meal can be booked or cancelled until the canteen day before it, before "
                "%(hour)s; days without school catering do not count.",
                "A meal can be booked or cancelled until %(count)d canteen days before it, "
                "before %(hour)s; days without school catering do not count.",
                rule.days,
                count=rule.days,
                hour=sp.hour(rule.at),
            )
        if isinstance(rule, CalendarDaysRule):
            if (rule.at.hour, rule.at.minute) == (0, 0):  # the end of the day before
                return sp.ngettext(
                    "A meal can be booked or cancelled until the end of the day before it.",
                    "A meal can be booked or cancelled until the end of the day %(count)d days "
                    "before it.",
                    rule.days + 1,
                    count=rule.days + 1,
                )
            return sp.ngettext(
                "A meal can be booked or cancelled until the day before it, before %(hour)s.",
                "A meal can be booked or cancelled until %(count)d days before it, before "
                "%(hour)s.",
                rule.days,
                count=rule.days,
                hour=sp.hour(rule.at),
            )
        if (rule.reference.hour, rule.reference.minute) == (0, 0):
            return sp._(
                "A meal can be booked or cancelled until %(count)d hours before the day of the "
                "meal, weekends and public holidays not counted.",
                count=rule.hours,
            )
        return sp._(
            "A meal can be booked or cancelled until %(count)d hours before %(hour)s on the "
            "day of the meal, weekends and public holidays not counted.",
            count=rule.hours,
            hour=sp.hour(rule.reference),
        )

    def _holidays_asked(self, st: CallState, sp: Speaker, speech: str, step: str) -> Turn | None:
        """ "Est-ce qu'il y a cantine pendant les vacances de Noël ?", "il y a cantine à la
        Toussaint ?": answered from the calendar as listening says the holidays (no school
        catering then, and when school starts again), then the question of the step (the
        menu after a result). It was answered with another day's meal, or not understood.
        ``None`` when the phrase asks no such thing, or asks a change for them (the date
        question says the same: :meth:`_several_days`)."""
        today = self.clock.today()
        resume = asks_when_school_resumes(speech)
        if resume is not None:  # "c'est quand la rentrée ?", "la cantine reprend quand ?"
            lines = self._resume_lines(sp, resume, today)
        elif asks_about_holidays(speech, today) is None:
            return None
        else:
            lines = self._holidays_lines(sp, speech, today)
        if not lines:
            return None
        if step == DATE:  # as said there with no question: the date asked again
            return self._ask(st, sp, DATE, lines, step, "holidays", recap=True)
        ask = CHILD if step == CHILD else ACTION
        return self._ask(st, sp, ask, lines, step, "holidays_asked", recap=True)

    def _done_again(
        self,
        st: CallState,
        sp: Speaker,
        speech: str,
        guess: DateGuess | None,
        named: Sequence[Kid] | None,
        step: str,
    ) -> Turn | None:
        """ "C'est bien annulé ?", "c'est bien réservé pour Rose jeudi ?" right after a result,
        about the change just made: "Oui.", its result said again, then the question after a
        result (where "parfait", "merci" lead on as after any result; the menu of a day asked
        about would not understand them). ``None`` for another day, child or action ("c'est
        bien réservé ?" after a cancellation: what the day has now, see :meth:`_about_day`)."""
        done = st.data.get("done")
        said = [str(x) for x in st.data.get("said") or []]
        if st.step != AFTER or not done or not done[2] or not said:
            return None
        asked = parse_intent(speech, {Intent.BOOK, Intent.CANCEL})
        if asked is not None and _CHOICES[asked] != done[0]:
            return None
        if guess is not None and guess.day.isoformat() != str(done[1]):
            return None
        if named is not None and not {k.ref for k in named} <= set(done[2]):
            return None
        turn = self._ask(st, sp, AFTER, [sp._("Yes."), *said], step, "repeat", recap=True)
        st.data["said"] = said  # "répétez" says the result again, not "oui" before it
        return turn

    def _day_answer(
        self, st: CallState, sp: Speaker, day: date, kids: Sequence[Kid]
    ) -> tuple[list[str], bool]:
        """Whether ``kids`` have a meal on ``day`` and until when it can be changed, and
        whether it still can, for one of them at least."""
        try:
            outlook, statuses = self._day_of(st, day, kids)
        except OutsideCalendar:
            return [self._check(st, sp, day).refusal or ""], False
        closed = [k for k in kids if not statuses[k.ref].operating]
        if closed and len(closed) == len(kids):
            return [self._closed_day(sp, day, statuses[closed[0].ref])], False
        lines = [self._closed_day(sp, day, statuses[closed[0].ref], closed)] if closed else []
        states = {k.ref: next(iter(outlook.states.get(k.ref, [])), None) for k in kids}
        open_kids = [k for k in kids if k not in closed]
        booked = [k for k in open_kids if (s := states[k.ref]) is not None and s.booked]
        without = [k for k in open_kids if k not in booked]
        if booked:
            lines.append(
                sp.ngettext(
                    "On %(day)s, %(names)s has a meal booked.",
                    "On %(day)s, %(names)s have a meal booked.",
                    len(booked),
                    names=sp.names([k.name for k in booked]),
                    day=sp.day(day),
                )
            )
        if without and booked:  # the day said once: "…; Margaux n'a pas de repas réservé."
            lines.append(
                sp.ngettext(
                    "%(names)s has no meal booked.",
                    "%(names)s have no meal booked.",
                    len(without),
                    names=sp.names([k.name for k in without]),
                )
            )
        elif without:
            lines.append(
                sp.ngettext(
                    "On %(day)s, %(names)s has no meal booked.",
                    "On %(day)s, %(names)s have no meal booked.",
                    len(without),
                    names=sp.names([k.name for k in without]),
                    day=sp.day(day),
                )
            )
        now = self.clock.now()
        late = [k for k in open_kids if self._too_late(statuses[k.ref], states[k.ref], now)]
        still = [k for k in open_kids if k not in late]
        # The earliest deadline of those that can still change (schools may differ), else the
        # one that passed.
        deadlines = sorted(d for k in (still or late) if (d := statuses[k.ref].deadline))
        if not deadlines:
            return lines, False
        if still:
            until = sp.before(deadlines[0])
            line = sp._("This day can still be changed %(before)s.", before=until)
        elif deadlines[-1] > now:  # locked before its deadline: no deadline passed to say
            line = self._sent_to_kitchen(sp, day, None)
        else:
            line = sp._(
                "It is too late to change this day: it had to be done %(before)s.",
                before=sp.before(deadlines[-1]),
            )
        return [*lines, line], bool(still)

    def _day_of(
        self, st: CallState, day: date, kids: Sequence[Kid]
    ) -> tuple[Outlook, dict[str, DayStatus]]:
        """One read for ``day``: the family's outlook (local closures, the children's states)
        and each child's day status on the phone line (raises OutsideCalendar)."""
        account = st.account
        assert account is not None
        outlook = self.booking.outlook(account, start=day, days=1)
        statuses = {
            k.ref: self.booking.day_status(day, k.school, "phone", outlook.closures) for k in kids
        }
        return outlook, statuses

    def _keep_days(self, st: CallState, speech: str) -> bool:
        """Keep the day, or the days named together ("jeudi et vendredi") or in a span
        ("toute la semaine prochaine": its school days, named by the action question), said
        without the action, until the action is said (:meth:`_with_asked_days`); whether any
        was said."""
        today = self.clock.today()
        guess = parse_date(speech, today)
        days = [guess.day] if guess is not None else days_said(speech, today)
        days = days or self._return_days(st, speech, today)  # "mardi de la rentrée"
        days = days or self._eve_days(st, speech, today)  # "la veille des vacances"
        if not days and asks_first_possible_day(speech):
            # "Le prochain jour possible" without the change: the first day that can change
            first = self._first_open(self._picked(st) or self._kids(st))
            days = [first] if first is not None else []
        span = self._span_said(speech, today) if not days else None
        if span is not None:
            with contextlib.suppress(OutsideCalendar):
                # "du lundi au jeudi sauf vendredi": not kept, asked about (_span_days)
                days = [] if self._left_out_beside(st, span) else self._school_days(st, span)
        if not days or len(days) > MAX_DAYS_SAID:
            return False
        st.data["asked_day"] = days[0].isoformat()
        st.data["asked_more"] = [day.isoformat() for day in days[1:]]
        st.data.pop("asked_for", None)
        return True

    def _with_asked_days(self, st: CallState, sp: Speaker, asked: date) -> Turn:
        """The action said for the days kept: the first read back, the others after it (each
        for its own children when they were named with it: see :meth:`_requests`)."""
        more = [str(day) for day in st.data.pop("asked_more", None) or []]
        whom = st.data.pop("asked_for", None)
        if whom and len(whom) == len(more) + 1:
            change = str(st.data["action"])
            days = [asked.isoformat(), *more]
            entries = [[d, list(r), change] for d, r in zip(days, whom, strict=True)]
            first, *rest = entries
            st.data["queue"] = rest
            self._take(st, first)
            before = [self._requests_named(st, sp, entries)] if rest else []
            return self._with_date(st, sp, asked, ACTION, before)
        listed = [asked, *(date.fromisoformat(day) for day in more)]
        return self._one_after_another(st, sp, listed, ACTION, [])

    def _action_with_date(
        self, st: CallState, sp: Speaker, choice: str, speech: str, step: str
    ) -> Turn | None:
        """An action and its date said in one phrase ("annuler vendredi", "je veux réserver
        lundi prochain") go straight to that date: read back before anything is done, or
        refused with the reason. ``None`` when no date was said."""
        if choice not in ("book", "cancel"):
            return None
        mixed = self._requests(st, sp, speech, step, choice)
        if mixed is not None:  # "annuler jeudi pour Rose et lundi pour Nathan"
            return mixed
        st.data["action"] = choice
        today = self.clock.today()
        guess = parse_date(speech, today, action=_CHANGES[choice])
        if guess is not None and (leap := leap_day_missing(speech, today)) is not None:
            return self._no_such_day(st, sp, (29, 2), leap)  # "annuler le 29 février"
        if guess is not None:
            return self._with_date(st, sp, guess.day, step, self._weekday_note(sp, speech, guess))
        if asks_first_possible_day(speech):  # "annuler dès que possible"
            return self._at_first_possible(st, sp, step)
        # "annuler à la rentrée", "annuler le dernier jour avant les vacances": read back with
        # its date
        back = self._return_days(st, speech, today) or self._eve_days(st, speech, today)
        if back:
            return self._one_after_another(st, sp, back, step, [])
        unknown = self._return_unknown(sp, speech, today)
        if unknown:  # "annuler après les vacances de Noël" in June: not known yet, said so
            return self._ask(st, sp, DATE, unknown, step, "return_unknown")
        if several_days(speech, today, _CHANGES[choice]):
            return self._several_days(st, sp, speech, step)
        return None

    def _requests(
        self, st: CallState, sp: Speaker, speech: str, step: str, choice: str | None = None
    ) -> Turn | None:
        """Different changes asked in one phrase, taken one after the other, each read back
        for its own children and day ("annuler jeudi pour Rose et lundi pour Nathan": Rose's
        Thursday, then Nathan's Monday; "réserver pour Margaux jeudi et annuler pour Rose
        vendredi": the booking, then the cancellation), the next after the result, refusal or
        nothing to do of the one before (``queue``), as days named together. Without the
        change ("Rose jeudi et Nathan lundi"), the days are kept and the change is asked.
        When the line cannot tell them apart ("réserver pour Margaux et annuler pour Rose"),
        the caller hears that it takes one at a time, and the question again (not a failed
        attempt). ``None`` when the phrase asks one change, for one day or several.
        ``choice``: the change asked at that step."""
        kids = self._kids(st)
        current = _CHANGES.get(choice or "")
        found = requests_said(speech, [k.name for k in kids], self.clock.today(), current)
        if found == []:
            return None
        entries: list[list[Any]] = []
        for request in found or []:
            refs = [k.ref for i, k in enumerate(kids, start=1) if i in request.children]
            refs = refs or [str(r) for r in st.data.get("pick") or []]
            change = _CHOICES[request.action] if request.action is not None else choice
            entries.append([request.day.isoformat(), refs, change])
        if not entries or not all(refs for _, refs, _ in entries):
            # No child to say them of ("réserver jeudi et annuler vendredi" before choosing)
            lines = [sp._("One thing at a time, please.")]
            return self._ask(st, sp, st.step, lines, step, "one_at_a_time", reset=False)
        if any(change is None for _, _, change in entries):
            # "Rose jeudi et Nathan lundi": the days kept with their children, the change asked
            self._pick(st, [k for k in kids if any(k.ref in refs for _, refs, _ in entries)])
            st.data["asked_day"] = entries[0][0]
            st.data["asked_more"] = [day for day, _, _ in entries[1:]]
            st.data["asked_for"] = [refs for _, refs, _ in entries]
            return self._ask(st, sp, ACTION, [], step, "day_kept")
        first, *rest = entries
        st.data["queue"] = rest
        if rest and rest[0][2] != first[2] and said_instead(speech):
            # "Annuler mardi et réserver jeudi à la place": the booking hangs on the
            # cancellation; if that one is refused, the parent must hear it is no swap.
            st.data["instead_of"] = [first[0], first[2]]
        self._take(st, first)
        before = [self._requests_named(st, sp, entries)] if rest else []
        return self._with_date(st, sp, date.fromisoformat(first[0]), step, before)

    def _requests_named(
        self, st: CallState, sp: Speaker, entries: Sequence[Sequence[Any]]
    ) -> str:
        """ "Je prends vos 2 demandes une par une : annuler le jeudi 26 novembre, puis réserver
        le vendredi 27 novembre.": the requests of one phrase (see :meth:`_requests`), named
        before the first is read back, as days listed are (:meth:`_days_named`): speech is
        uncertain, and the parent must hear what the line understood before confirming any
        ("mais il mange vendredi" heard as a cancellation too). The children are named when the
        requests are not all for the same ones (each read-back names them anyway)."""
        whom = {tuple(sorted(str(r) for r in refs)) for _, refs, _ in entries}
        # Days of the same change for the same children in a row are said together ("annuler
        # les jeudi 26 et vendredi 27 novembre pour Zoé, puis annuler le lundi 30 novembre pour
        # Léa"), each still read back on its own.
        groups: list[tuple[str, list[str], list[date]]] = []
        for day, refs, change in entries:
            kids = [str(r) for r in refs]
            if groups and groups[-1][:2] == (str(change), kids):
                groups[-1][2].append(date.fromisoformat(str(day)))
            else:
                groups.append((str(change), kids, [date.fromisoformat(str(day))]))
        said: list[str] = []
        for change, kids, days in groups:
            params = {"day": sp.day(days[0]), "days": sp.days(days)}
            if len(whom) > 1:
                params["names"] = sp.names(self._names_of(st, kids))
            said.append(self._request_named(sp, change, len(days) > 1, params))
        *before, last = said
        listed = last
        if before:
            listed = sp._("%(before)s, then %(last)s", before=", ".join(before), last=last)
        return sp._(
            "I will take your %(count)d requests one at a time: %(requests)s.",
            count=len(entries),
            requests=listed,
        )

    @staticmethod
    def _request_named(sp: Speaker, change: str, several: bool, params: dict[str, str]) -> str:
        """ "annuler le jeudi 26 novembre", "réserver les jeudi 26 novembre et vendredi 27
        novembre pour Zoé": one request named by :meth:`_requests_named` (its children when
        ``params`` has them)."""
        if "names" in params:
            if change == "book":
                if several:
                    return sp._("book %(days)s for %(names)s", **params)
                return sp._("book %(day)s for %(names)s", **params)
            if several:
                return sp._("cancel %(days)s for %(names)s", **params)
            return sp._("cancel %(day)s for %(names)s", **params)
        if change == "book":
            return sp._("book %(days)s", **params) if several else sp._("book %(day)s", **params)
        return sp._("cancel %(days)s", **params) if several else sp._("cancel %(day)s", **params)

    def _take(self, st: CallState, entry: Sequence[Any]) -> None:
        """The children and the change of one of several requests (see :meth:`_requests`)."""
        _day, refs, change = entry
        kids = [k for k in self._kids(st) if k.ref in refs]
        if kids:
            self._pick(st, kids)
        if change:
            st.data["action"] = str(change)

    def _several_days(self, st: CallState, sp: Speaker, speech: str, step: str) -> Turn:
        """Several days asked at once. Days named one by one ("jeudi et vendredi", "les 3 et 4
        décembre": a sick child's days, the most common case) are taken one after the other:
        the first read back, and each next one after the result, refusal or nothing to do of
        the one before (``queue``). A span or a count ("toute la semaine", "tous les jeudis")
        is answered with one day at a time and where to change several."""
        today = self.clock.today()
        action = _CHANGES.get(str(st.data.get("action")))
        choice = days_to_choose(speech, today, action)
        if choice:
            # "Jeudi ou vendredi": which one (understood: not a failed attempt).
            st.data["choice"] = [day.isoformat() for day in choice]
            return self._ask(st, sp, DATE, [], step, "which_day")
        holidays = self._holidays_lines(sp, speech, today)
        if holidays:
            # "Pendant les vacances de Noël": no meals then, said as listening says it.
            return self._ask(st, sp, DATE, holidays, step, "holidays")
        days = days_said(speech, today, action)
        # "Cette semaine", "la semaine prochaine" answering "pour quel jour voulez-vous
        # annuler ?" are that week: the change is said by the question.
        acted = True if action is not None else None
        span = self._span_said(speech, today, acted) if not days else None
        if span is not None:  # "toute la semaine prochaine", "du lundi au jeudi"
            return self._span_days(st, sp, span, step)
        if not days:
            return self._ask(st, sp, DATE, self._one_day(sp), step, "several_days")
        # "jeudi 27 et vendredi 28": each weekday said wrong, said first (as for one day).
        wrong = weekday_mismatches(speech, today)
        before = [self._weekday_line(sp, day, wrong[day]) for day in days if day in wrong]
        return self._one_after_another(st, sp, days, step, before)

    def _holidays_lines(self, sp: Speaker, speech: str, today: date) -> list[str]:
        """What the line says of the school holidays the phrase asks for ("pendant les
        vacances", "les vacances de Noël": the next such ones, or the ones under way), as
        listening says them; empty when none are named or the calendar does not know them."""
        kind = holidays_said(speech, today)
        if kind is None:
            return []
        period = self._holidays_ahead(kind, today)
        if period is None:
            # "À la Toussaint" in December: the next ones, past the calendar in use (what
            # is true of all holidays, and that the calendar is not known yet, not a guess).
            holidays = self.booking.calendar.school_holidays
            if today < holidays.first_covered:
                return []
            return [
                sp._("No school catering during the school holidays."),
                sp._(
                    "The school calendar after %(day)s is not known yet.",
                    day=sp.day(holidays.last_covered),
                ),
            ]
        first = max(period.first_day, today)  # under way: from today
        return [self._holidays_line(sp, period.name, first, period.last_day, today)]

    def _resume_lines(self, sp: Speaker, resume: ResumeAsked, today: date) -> list[str]:
        """When school starts again, asked ("c'est quand la rentrée ?", "quand est-ce que la
        cantine reprend ?"), said as the line says holidays (:meth:`_holidays_line`: "… ;
        reprise le jeudi 2 septembre"). Which holidays: those named ("la rentrée des vacances
        de Noël"); else those under way, whose end is what a parent asks for during them
        ("la reprise", and "la rentrée" too: in the Christmas holidays it is January's); else,
        for "la rentrée", the summer's end: in term time parents mean the September rentrée by
        it, not the day after the next bridge; for "la reprise", "la cantine reprend", the end
        of the next holidays (not a bridge day). Past the calendar in use: that it is not known
        yet. Empty before the calendar starts."""
        holidays = self.booking.calendar.school_holidays
        if today < holidays.first_covered:
            return []
        periods = holidays.periods_of(self.settings.zone)
        current = next((p for p in periods if p.first_day <= today <= p.last_day), None)
        if resume.kind:
            period = self._holidays_ahead(resume.kind, today)
        elif current is not None:
            period = current if current.last_day < holidays.last_covered else None
        elif resume.rentree:
            period = self._holidays_ahead("summer", today)
        else:
            # Not a bridge day: after the Ascension's Friday nothing "reprend" to a parent.
            period = next(
                (p for p in periods if p.first_day > today and holiday_kind(p.name) != "ascension"),
                None,
            )
            if period is not None and period.last_day >= holidays.last_covered:
                period = None  # the summer's: its end is past the calendar in use
        if period is None:
            known = holidays.last_covered
            return [sp._("The school calendar after %(day)s is not known yet.", day=sp.day(known))]
        first = max(period.first_day, today)  # under way: from today
        return [self._holidays_line(sp, period.name, first, period.last_day, today)]

    def _holidays_ahead(self, kind: str, today: date, eve: bool = False) -> HolidayPeriod | None:
        """The school holidays under way or next (of ``kind``, "christmas"…; ``""``: any
        but the Ascension bridge, which nobody calls "les vacances" nor its end "la rentrée":
        in May, "la rentrée" is September's), in the town's zone; ``None`` when the calendar in
        use does not know them, or their end (the summer's). With ``eve``, the holidays whose
        eve a phrase asks for ("le dernier jour avant les vacances de Noël", "jusqu'aux
        vacances"): those of ``kind`` under way still count (their eve is past), but with
        ``""`` only the next ones not started yet, and the summer's only before they start;
        their end need not be known (the eve is before them)."""
        holidays = self.booking.calendar.school_holidays
        if today < holidays.first_covered:
            return None
        for period in holidays.periods_of(self.settings.zone):
            found = holiday_kind(period.name)
            if period.last_day < today or (kind and found != kind):
                continue
            if not kind and found == "ascension":
                continue
            if eve:
                if not kind and period.first_day <= today:
                    continue
                if found == "summer" and period.first_day <= today:
                    # Once the summer holidays have started, the school year they close is
                    # over: "jusqu'aux vacances d'été" in August is next summer's (not known
                    # yet), not the eve of these, past (as "jusqu'aux vacances de Noël" during
                    # them is).
                    continue
                return period
            return period if period.last_day < holidays.last_covered else None
        return None

    def _span_said(self, speech: str, today: date, acted: bool | None = None) -> DaySpan | None:
        """The span of days the phrase asks for at once (:func:`span_said`), or the week school
        starts again in ("toute la semaine de la rentrée", "la semaine du retour des vacances
        de Noël"): from the return day after the holidays under way or next (of the kind
        named) to the end of its week, as "toute la semaine du 4 janvier". ``None`` for
        neither, or when the calendar does not know when school starts again
        (:meth:`_return_unknown` says so)."""
        kind = return_week_said(speech, today)
        eve = holidays_eve_said(speech, today) if kind is None else None
        span: DaySpan
        if kind is not None:
            found = self._return_week(kind, today)
            if found is None:
                return None
            span = found
        elif eve is not None and eve.reach != "day":
            # "la dernière semaine avant les vacances" (from today), "jusqu'aux vacances de
            # Noël" (from the first day that can still change): to the day before them
            coming = self._holidays_ahead(eve.kind, today, eve=True)
            if coming is None:
                return None
            last = coming.first_day - timedelta(days=1)
            if last < today:  # "jusqu'aux vacances de Noël" during them: that day, past
                span = DaySpan(last, last)
            elif eve.reach == "week":
                span = DaySpan(max(today, last - timedelta(days=last.weekday())), last)
            else:
                span = DaySpan(today, last, from_open=True)
        else:
            return span_said(speech, today, acted)
        # "toute la semaine de la rentrée sauf lundi", as "la semaine du 4 janvier sauf lundi"
        return left_out_of_span(speech, span, today)

    def _return_week(self, kind: str, today: date) -> DaySpan | None:
        """The week school starts again in after the holidays under way or next (of ``kind``):
        from the return day to its Sunday. ``None`` when the calendar in use does not know
        when (:meth:`_return_unknown` says so); its days past the calendar are said one by one
        when taken (:meth:`_span_days`)."""
        period = self._holidays_ahead(kind, today)
        if period is None:
            return None
        back = _weekday_from(period.last_day + timedelta(days=1), 1)
        return DaySpan(back, back + timedelta(days=6 - back.weekday()))

    def _eve_days(self, st: CallState, speech: str, today: date) -> list[date]:
        """The days just before school holidays the phrase asks for: the last day with
        school meals before them for the children picked (else the family's: "le dernier
        jour avant les vacances", "la veille des vacances de Noël"), the last few such days
        ("les deux derniers jours avant les vacances", in order), or the weekdays said of
        that last week ("vendredi avant les vacances"), from the school calendar. Empty when
        none is asked (spans: :meth:`_span_said`), or the calendar does not know them."""
        eve = holidays_eve_said(speech, today)
        coming = self._holidays_ahead(eve.kind, today, eve=True) if eve is not None else None
        if eve is None or eve.reach != "day" or coming is None:
            return []
        last = coming.first_day - timedelta(days=1)
        if eve.weekdays:  # "jeudi et vendredi avant les vacances": those of its last week
            return [last - timedelta(days=(last.weekday() - wd) % 7) for wd in eve.weekdays]
        schools = {k.school for k in self._picked(st) or self._kids(st)}
        closures = self.booking.local_closures()
        found: list[date] = []
        day = last
        with contextlib.suppress(OutsideCalendar):
            # "les deux derniers jours avant les vacances": that many, counted back
            while day > last - timedelta(days=21) and len(found) < eve.last_days:
                if any(
                    self.booking.day_status(day, school, "phone", closures).operating
                    for school in schools
                ):
                    found.insert(0, day)
                day -= timedelta(days=1)
        return found or [last]  # none found: the day before them, whose read-back says why

    def _return_days(self, st: CallState, speech: str, today: date) -> list[date]:
        """The days school starts again that the phrase asks for ("à la rentrée", "au retour
        des vacances de Noël": that day; "lundi et mardi à la rentrée": those of its week; "les
        deux premiers jours de la rentrée": the first two with school meals for the children
        picked), after the holidays under way, or the next ones (of that kind). The day itself
        is the first after them on which a child picked has school meals (their schools'
        canteen weekdays and local closures: "à la rentrée" is Tuesday 5 January for a school
        closed on Monday 4), the town's return day when none has (past the calendar). Empty
        when none is asked, or the calendar does not know when (the summer's end)."""
        said = return_day_said(speech, today)
        period = self._holidays_ahead(said.kind, today) if said is not None else None
        if said is None or period is None:
            return []
        back = _weekday_from(period.last_day + timedelta(days=1), 1)
        if said.weekdays:  # "le mardi de la rentrée": that day of its week
            return [back + timedelta(days=(wd - back.weekday()) % 7) for wd in said.weekdays]
        schools = {k.school for k in self._picked(st) or self._kids(st)}
        # Read only for such a phrase: the day school starts again is each school's own.
        closures = self.booking.local_closures()
        opening = [self._resumes_after(period.last_day, s, closures) for s in sorted(schools)]
        back = min((d for d in opening if d is not None), default=back)
        days = [back]
        day = back
        while len(days) < said.first_days and day < back + timedelta(days=14):
            day += timedelta(days=1)
            try:
                if any(
                    self.booking.day_status(day, school, "phone", closures).operating
                    for school in schools
                ):
                    days.append(day)
            except OutsideCalendar:
                break  # the calendar's end: the days it knows
        return days

    def _return_unknown(self, sp: Speaker, speech: str, today: date) -> list[str]:
        """What the line says when the phrase asks for the day school starts again ("après
        les vacances de Noël", "à la rentrée"), or its week ("toute la semaine de la
        rentrée"), after holidays the school calendar in use does not know the end of (past
        its last day): that it is not known yet, rather than a guess. Empty otherwise."""
        said = return_day_said(speech, today)
        kind = said.kind if said is not None else return_week_said(speech, today)
        eve = holidays_eve_said(speech, today) if kind is None else None
        if eve is not None:  # "jusqu'aux grandes vacances" in September
            if self._holidays_ahead(eve.kind, today, eve=True) is not None:
                return []
        elif kind is None or self._holidays_ahead(kind, today) is not None:
            return []
        known = self.booking.calendar.school_holidays.last_covered
        return [sp._("The school calendar after %(day)s is not known yet.", day=sp.day(known))]

    def _at_first_possible(self, st: CallState, sp: Speaker, step: str) -> Turn | None:
        """ "Annuler le premier jour possible", "réserver dès que possible": the day the date
        question offers for the children picked (the first meal that can still be cancelled,
        the first day that can still be booked: :meth:`_offered_day`), read back as any date
        said. ``None`` when it offers none (nothing to cancel for months): the date question
        then says why."""
        day = self._offer_taken(str(st.data.get("action")), self._offered_day(st))
        return self._with_date(st, sp, day, step) if day is not None else None

    def _one_after_another(
        self, st: CallState, sp: Speaker, days: Sequence[date], step: str, before: Sequence[str]
    ) -> Turn:
        """Days named together, taken one after the other: the first read back now, each next
        one after the result, refusal or nothing to do of the one before (``queue``). Named
        first, as a span's days are (:meth:`_days_named`): speech is uncertain, and the parent
        must hear which days the line understood before confirming any (after ``before``, the
        weekdays said wrong: the days named are those meant)."""
        if len(days) > 1:
            before = [*before, self._days_named(sp, days)]
        return self._first_of_days(st, sp, days, step, before)

    def _first_of_days(
        self,
        st: CallState,
        sp: Speaker,
        days: Sequence[date],
        step: str,
        before: Sequence[str],
        then: Sequence[object] = (),
    ) -> Turn:
        """The first of ``days`` asked at once read back (after ``before``), the others
        queued, then ``then`` (entries still waiting from before: see :meth:`_span_days`).
        Those at its head already past their deadline, when there are several, are refused
        together in one sentence first ("Trop tard pour le lundi 23 et le mardi 24 novembre :
        …"): two long refusals in a row, each with its own deadline, before the first day that
        can change, lose the caller. One such day keeps its own refusal, with the deadline."""
        late = self._late_at_head(st, sp, days)
        lines = list(before)
        if len(late) > 1:
            outcome = f"refused:{PastDeadline.code}"
            lines.append(self._refused_together(st, sp, late))
            days = days[len(late) :]
            if not days:
                st.data.pop("queue", None)
                if then:  # the days still waiting: the next read back
                    st.data["queue"] = list(then)
                    turn = self._next_day(st, sp, step, lines)
                    if turn is not None:
                        return turn
                return self._ask(st, sp, DATE, lines, step, outcome, recap=True)
        queue = _unique([*(day.isoformat() for day in days[1:]), *then])
        if queue:
            st.data["queue"] = queue
        else:
            st.data.pop("queue", None)
        return self._with_date(st, sp, days[0], step, lines)

    def _refused_together(self, st: CallState, sp: Speaker, late: Sequence[date]) -> str:
        """Several days past their deadline refused in one sentence (see
        :meth:`_too_late_together`), each kept as a refusal for the call log."""
        st.settle("refused")
        for day in late:
            _tried(st, f"refused:{PastDeadline.code}", day, st.data.get("pick"))
        text = self._too_late_together(sp, late, str(st.data.get("action")))
        # The days without canteen that moved these deadlines, said once for all of them (a
        # long week of refusals repeating the Ascension bridge loses the caller), from each
        # child's school's deadline and canteen weekdays.
        pick = [str(r) for r in st.data.get("pick") or []]
        meals = [
            (day, status.deadline, self.settings.weekdays_of(self.settings.school(kid.school)))
            for day in late
            for kid, status in self._phone_statuses(st, day, pick)
            if status.operating and status.deadline is not None
        ]
        return " ".join([text, *self._not_counted(sp, meals)])

    def _late_at_head(self, st: CallState, sp: Speaker, days: Sequence[date]) -> list[date]:
        """The days at the head of ``days`` refused as past their deadline for every child
        picked (not a past day, nor a change being taken back: those say more)."""
        late: list[date] = []
        for day in days:
            if day < self.clock.today() or self._undo(st, day) is not None:
                break
            check = self._check(st, sp, day)
            if check.refusal is None or check.code != PastDeadline.code:
                break
            deadline = self.booking.day_status(day).deadline
            if deadline is not None and deadline > self.clock.now():
                break  # locked before its deadline: not "trop tard", its own sentence
            late.append(day)
        return late

    @staticmethod
    def _too_late_together(sp: Speaker, days: Sequence[date], action: str) -> str:
        """ "Trop tard pour le lundi 23 et le mardi 24 novembre : ces repas seront facturés,
        sauf maladie signalée à l'école." Several days past their deadline in one sentence,
        the month said once for the days of the same month in a row."""
        said = []
        for k, day in enumerate(days):
            following = days[k + 1] if k + 1 < len(days) else None
            same_month = following is not None and (following.year, following.month) == (
                day.year,
                day.month,
            )
            text = sp.weekday_and_day(day) if same_month else sp.day(day)
            said.append(sp._("(a day in a list) %(day)s", day=text))
        if action == "book":
            return sp._(
                "Too late for %(days)s: a meal eaten without booking is charged at the "
                "highest rate.",
                days=sp.names(said),
            )
        return sp._(
            "Too late for %(days)s: these meals will be charged, unless an illness is "
            "reported to the school.",
            days=sp.names(said),
        )

    def _span_days(
        self,
        st: CallState,
        sp: Speaker,
        span: DaySpan,
        step: str,
        then: Sequence[object] = (),
    ) -> Turn:
        """A span of days asked at once ("toute la semaine prochaine", "du lundi au jeudi",
        "jusqu'à vendredi"): its school days for the children concerned, taken as if the caller
        had listed them (:meth:`_one_after_another`: each read back and confirmed in its turn,
        each past its deadline refused), after a sentence that names them all; days without
        school meals (Wednesdays, holidays) are not part of it, nor those it leaves out ("sauf
        jeudi"). Said from today ("jusqu'à vendredi"), from the first day that can change,
        the days before it past their deadline said first (:meth:`_late_before_open`). A span
        the line cannot take (:meth:`_span_taken`: no school day, too many): why, then the date
        question. At the date question and instead of the day read back alike; ``then``, the
        days still waiting after it (the read-back was one of several days), after its own."""
        days, refusal, outcome = self._span_taken(st, sp, span)
        if not days:
            return self._ask(st, sp, DATE, refusal, step, outcome)
        # "Jusqu'à vendredi" said on Monday: the days before the first that can change, past
        # their deadline, said first, as for "toute la semaine" (a sick child's days: the
        # parent must hear that they will be charged), not asked one by one.
        before = self._late_before_open(st, sp, span, days[0])
        if len(days) == 1:
            if then:
                st.data["queue"] = list(then)
            return self._with_date(st, sp, days[0], step, before)  # its read-back names it
        named = self._days_named(sp, days)
        return self._first_of_days(st, sp, days, step, [*before, named], then)

    def _span_taken(
        self, st: CallState, sp: Speaker, span: DaySpan
    ) -> tuple[list[date], list[str], str]:
        """The school days of ``span`` the line takes one by one (:meth:`_school_days`), else
        none, what to say instead and the outcome: the calendar does not know them yet; a day
        left out that is not in it ("du lundi au jeudi sauf vendredi": which days did the
        caller mean?), or more than MAX_DAYS_SAID: one day at a time; no school day at all:
        why (:meth:`_no_school_days`, "… ce sont les vacances de Noël ; reprise le lundi 4
        janvier"). The one answer to a span, wherever it is said."""
        try:
            days = self._school_days(st, span)
            # "du lundi au jeudi sauf vendredi": which days did the caller mean? Or "du lundi
            # au mardi sauf lundi et mardi": none. Asked one by one, as for any span the line
            # does not take.
            whole = span._replace(left_out=())
            unclear = self._left_out_beside(st, span) or (
                not days and bool(span.left_out) and bool(self._school_days(st, whole))
            )
        except OutsideCalendar as exc:  # "du 7 au 11 septembre" past the calendar in use
            assert exc.day is not None
            return [], [self._unknown_calendar(st, sp, exc.day)], "refused:outside_calendar"
        if unclear or len(days) > MAX_DAYS_SAID:
            return [], self._one_day(sp), "several_days"
        if not days:
            return [], [self._no_school_days(st, sp, span)], "no_school_days"
        return days, [], ""

    def _late_before_open(
        self, st: CallState, sp: Speaker, span: DaySpan, first: date
    ) -> list[str]:
        """The days of a span said from today (``from_open``: "jusqu'à vendredi", "jusqu'à la
        fin de la semaine") before ``first``, the first it takes, that are past their deadline
        for every child picked, refused: several in one sentence ("Trop tard pour le lundi 14
        et le mardi 15 décembre : …"), one with its own deadline. Empty for any other span.
        Raises OutsideCalendar."""
        if not span.from_open or first <= span.first:
            return []
        before = span._replace(last=first - timedelta(days=1), from_open=False)
        earlier = self._school_days(st, before)
        late = self._late_at_head(st, sp, earlier)
        if len(late) > 1:
            return [self._refused_together(st, sp, late)]
        if late:
            check = self._check(st, sp, late[0])
            st.settle("refused")
            _tried(st, f"refused:{check.code}", late[0], st.data.get("pick"))
            return [check.refusal or ""]
        return []

    @staticmethod
    def _days_named(sp: Speaker, days: Sequence[date]) -> str:
        """ "Je prends ces 2 jours un par un : le jeudi 26 et le vendredi 27 novembre": the
        days asked at once, the school days of a span (which the caller did not name: Wednesday
        left out) or those the caller listed (heard through speech recognition: the parent hears
        what was understood). Said as the listing says days, each with its article and the month
        once ("jeudi 26 novembre et vendredi 27 novembre" repeated the month, without the
        article the line says everywhere else)."""
        return sp._(
            "I will take these %(count)d days one at a time: %(days)s.",
            count=len(days),
            days=sp.days_by_month(days),
        )

    def _left_out_beside(self, st: CallState, span: DaySpan) -> bool:
        """Whether a day said after "sauf" is not in ``span`` and has school meals for one of
        the children concerned ("du lundi au jeudi sauf vendredi": a mistake to ask about, not
        to ignore); one without ("sauf mercredi" in Dijon) changes nothing. Raises
        OutsideCalendar."""
        kids = self._picked(st) or self._kids(st)
        schools = {k.school for k in kids}
        closures = self.booking.local_closures()
        return any(
            self.booking.day_status(day, school, "phone", closures).operating
            for day in span.left_out
            if not span.first <= day <= span.last
            for school in schools
        )

    def _school_days(self, st: CallState, span: DaySpan) -> list[date]:
        """The days of ``span`` with school meals for one of the children picked (else of the
        family), as the calendar and the local closures have them (no more than one past
        MAX_DAYS_SAID are looked for), but those it leaves out ("sauf jeudi"); from the first
        day that can still change with ``from_open`` ("jusqu'à vendredi"), unless none of the
        span can. Raises OutsideCalendar."""
        kids = self._picked(st) or self._kids(st)
        first = span.first
        if span.from_open:
            opened = self._first_open(kids)
            if opened is not None and opened <= span.last:
                first = max(first, opened)
        closures = self.booking.local_closures()
        schools = {k.school for k in kids}
        days: list[date] = []
        day = first
        while day <= span.last and len(days) <= MAX_DAYS_SAID:
            statuses = [self.booking.day_status(day, s, "phone", closures) for s in schools]
            if day not in span.left_out and any(status.operating for status in statuses):
                days.append(day)
            day += timedelta(days=1)
        return days

    def _resumes_after(
        self, day: date, school: str | None, closures: Sequence[Closure]
    ) -> date | None:
        """The first day after ``day`` on which ``school`` (the town when None) serves meals,
        its local closures counted; None past the school calendar."""
        found = self.booking.calendar.next_operating(
            day + timedelta(days=1),
            self.settings.weekdays_of(self.settings.school(school) if school else None),
            self.settings.rule_for("phone"),
            school_id=school,
            closures=closures,
        )
        return found.day if found is not None else None

    def _no_school_days(self, st: CallState, sp: Speaker, span: DaySpan) -> str:
        """ "Du lundi 21 décembre au vendredi 25 décembre, il n'y a pas de restauration
        scolaire : ce sont les vacances de Noël ; reprise le lundi 4 janvier." The reason when
        every day of the span has it, else each reason with its days ("… : le lundi 7 et le
        mardi 8 décembre, l'école est fermée (grève) ; le mercredi 9 décembre, la cantine ne
        fonctionne jamais le mercredi."; :meth:`_span_whys`), none past MAX_SPAN_REASONS; when
        they are all school holidays, the day the child's school serves meals again."""
        kids = self._picked(st) or self._kids(st)
        school = kids[0].school if kids else None
        closures = self.booking.local_closures()
        if span.first == span.last:
            return self._closed_day(sp, span.first, self.booking.day_status(span.first, school))
        groups, holidays = self._span_whys(sp, span, school, closures)
        two = span.last == span.first + timedelta(days=1)
        why: str | None
        if len(groups) > 1:
            why = self._whys_with_days(sp, groups)
            if two:  # the days are said with their reasons
                return sp._("There is no school catering: %(why)s.", why=why)
        else:
            why = groups[0][1] if groups else None
        if two:
            return self._no_school_two_days(sp, span, why, school, closures, holidays)
        first, last = sp.day(span.first), sp.day(span.last)
        if why is not None:
            resume = self._resumes_after(span.last, school, closures) if holidays else None
            if resume is not None:
                # All school holidays: when the child's school serves meals again, the day a
                # parent will ask for next ("du 21 au 31 décembre": reprise le lundi 4 janvier).
                return sp._(
                    "From %(first)s to %(last)s, there is no school catering: %(why)s; school "
                    "starts again on %(day)s.",
                    first=first,
                    last=last,
                    why=why,
                    day=sp.day(resume),
                )
            return sp._(
                "From %(first)s to %(last)s, there is no school catering: %(why)s.",
                first=first,
                last=last,
                why=why,
            )
        return sp._(
            "From %(first)s to %(last)s, there is no school catering.", first=first, last=last
        )

    def _span_whys(
        self, sp: Speaker, span: DaySpan, school: str | None, closures: Sequence[Closure]
    ) -> tuple[list[tuple[list[date], str]], bool]:
        """Why the days of ``span`` have no school meals: each reason with its days, in the
        order of their first day (empty past MAX_SPAN_REASONS: too long to hear); and whether
        they are all school holidays. A day in the school holidays has the holidays' reason,
        a public holiday among them too (Christmas Day is the Christmas holidays to a parent
        asking for several days; the day alone keeps its own name: :meth:`_closed_day`); a
        Saturday or Sunday without canteen is the weekend ("le samedi 15 et le dimanche 16
        mai, c'est le week-end"), not each its weekday. One reason is said of a span only when
        every day of it has it (weekends and Wednesdays included: "vendredi 25 et samedi 26
        décembre : c'est un jour férié (Noël)" said of a Saturday what only the Friday is)."""
        groups: dict[str, list[date]] = {}
        holidays = True
        day = span.first
        while day <= span.last and len(groups) <= MAX_SPAN_REASONS:
            name = self._school_holiday(day)
            if name is not None:
                why = _holiday_phrase(sp, name)
            else:
                holidays = False
                status = self.booking.day_status(day, school, "phone", closures)
                if day.weekday() >= 5 and self._weekly_closed(sp, day, status):
                    why = sp._("it is the weekend")
                else:
                    why = self._closed_why(sp, day, status)
            groups.setdefault(why, []).append(day)
            day += timedelta(days=1)
        if len(groups) > MAX_SPAN_REASONS:
            return [], False
        return [(days, why) for why, days in groups.items()], holidays and len(groups) == 1

    @staticmethod
    def _whys_with_days(sp: Speaker, groups: Sequence[tuple[list[date], str]]) -> str:
        """ "le lundi 7 et le mardi 8 décembre, l'école est fermée (grève) ; le mercredi 9
        décembre, la cantine ne fonctionne jamais le mercredi": each reason after its days
        (a run of three days or more said from its first to its last)."""
        said = ""
        for days, why in groups:
            run = len(days) > 2 and (days[-1] - days[0]).days == len(days) - 1
            when = (
                sp._("from %(first)s to %(last)s", first=sp.day(days[0]), last=sp.day(days[-1]))
                if run
                else sp.days_by_month(days)
            )
            part = sp._("(a reason after its days) %(days)s, %(why)s", days=when, why=why)
            said = (
                sp._("(reasons in a list) %(earlier)s; %(later)s", earlier=said, later=part)
                if said
                else part
            )
        return said

    def _no_school_two_days(
        self,
        sp: Speaker,
        span: DaySpan,
        why: str | None,
        school: str | None,
        closures: Sequence[Closure],
        holidays: bool,
    ) -> str:
        """ "Il n'y a pas de restauration scolaire le samedi 28 et le dimanche 29 novembre :
        c'est le week-end." Two days are said as two days, the month once ("du samedi 28
        novembre au dimanche 29 novembre" was a span for a pair), with the same reason
        (``why``, for both) and day school starts again as a longer span."""
        days = sp.days_by_month([span.first, span.last])
        if why is None:
            return sp._("There is no school catering %(days)s.", days=days)
        resume = self._resumes_after(span.last, school, closures) if holidays else None
        if resume is not None:
            return sp._(
                "There is no school catering %(days)s: %(why)s; school starts again on %(day)s.",
                days=days,
                why=why,
                day=sp.day(resume),
            )
        return sp._("There is no school catering %(days)s: %(why)s.", days=days, why=why)

    def _holidays_line(self, sp: Speaker, name: str, first: date, last: date, today: date) -> str:
        """ "Pas de restauration scolaire pendant les vacances de Noël, après le vendredi 18
        décembre ; reprise le lundi 4 janvier." """
        holidays = _holiday_name(sp, name)
        # Under way (its last day, a Sunday, included): when school starts again.
        if first == today:
            return sp._(
                "No school catering during %(holidays)s; school starts again on %(day)s.",
                holidays=holidays,
                day=sp.day(self._school_day_from(last + timedelta(days=1), 1)),
            )
        if first == last:
            return sp._(
                "No school catering during %(holidays)s, on %(day)s.",
                holidays=holidays,
                day=sp.day(first),
            )
        # Said as parents know holidays: from the last school day before them to the day
        # school starts again (not their first and last days off, a Sunday each).
        return sp._(
            "No school catering during %(holidays)s, after %(last)s; school starts "
            "again on %(day)s.",
            holidays=holidays,
            last=sp.day(self._school_day_from(first - timedelta(days=1), -1)),
            day=sp.day(self._school_day_from(last + timedelta(days=1), 1)),
        )

    def _school_day_from(self, day: date, step: int) -> date:
        """``day``, or the nearest weekday from it going ``step`` (1 or -1) that is no public
        holiday: the Ascension bridge comes "après le mercredi", not after Ascension Thursday."""
        day = _weekday_from(day, step)
        while self.booking.calendar.is_public_holiday(day):
            day = _weekday_from(day + timedelta(days=step), step)
        return day

    def _next_day(self, st: CallState, sp: Speaker, step: str, lines: Sequence[str]) -> Turn | None:
        """The next of several days asked at once (see :meth:`_several_days`), after
        ``lines``; ``None`` when none is left."""
        queue = list(st.data.pop("queue", None) or [])
        if not queue:
            return None
        named = st.data.pop("queue_named", None)  # "Je prends ces 4 jours un par un : …"
        lines = [*lines, str(named)] if named else lines
        if queue[1:]:
            st.data["queue"] = queue[1:]
        entry = queue[0]
        if isinstance(entry, list):  # a request of its own: its children and change
            self._take(st, entry)
            entry = entry[0]
        _in_series(st, [str(entry)])  # the last one too, read back with the queue empty
        return self._with_date(st, sp, date.fromisoformat(str(entry)), step, lines)

    def _switch_action(self, st: CallState, speech: str) -> str | None:
        """The other action, when the phrase names it ("réserver" while cancelling; not both,
        not negated; not "jeudi, vendredi elle mange", which says how Friday stays): it
        becomes the call's action. ``None`` when no action or the same one."""
        names = [k.name for k in self._kids(st)]
        intent = parse_action(speech, names, _CHANGES.get(str(st.data.get("action"))))
        said = _CHOICES[intent] if intent is not None else None
        if said is None or said == st.data.get("action"):
            return None
        st.data["action"] = said
        return said

    def _choose(
        self,
        st: CallState,
        sp: Speaker,
        choice: str,
        step: str,
        only: frozenset[date] | None = None,
    ) -> Turn:
        """The step after the action ``choice``: which child, the listing (of the days in
        ``only`` when given, else of the next two weeks), or the date question."""
        if choice == "child":
            return self._ask(st, sp, CHILD, [], step, "change_child")
        if choice == "list":
            st.settle("listened")
            st.data.pop("day", None)  # no change to repeat "for Rose" after listening
            st.data.pop("done", None)  # nor one to take back: listening came in between
            lines = self._listing(st, sp, only)
            return self._ask(st, sp, AFTER, lines, step, "listed", recap=True)
        st.data["action"] = choice
        return self._ask(st, sp, DATE, [], step, choice)

    def _on_date(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        today = self.clock.today()
        day: date | None
        guess: DateGuess | None = None  # the date said, if any
        # The days of "jeudi ou vendredi" the question just offered (asked once).
        choice = [date.fromisoformat(str(d)) for d in st.data.pop("choice", None) or []]
        if heard.kind == "dtmf":
            if heard.digits.strip().removesuffix("#") == "0":  # no date: back to the menu
                return self._ask(st, sp, ACTION, [], DATE, "back")
            if heard.digits.strip().removesuffix("#") == "2" and st.data.get("after_refusal"):
                # The question after a refusal says "pour terminer l'appel, tapez 2", the key
                # that ends the call after a result, which a refusal also is to a parent.
                return self._bye(st, sp, DATE)
            day = parse_digits_date(heard.digits, today)
            if day is None:
                return self._keys_not_a_date(st, sp, heard.digits, today)
            leap = leap_day_missing(heard.digits, today)
            if leap is not None:  # "2902" in December 2026: the coming February has none
                return self._no_such_day(st, sp, (29, 2), leap)
        else:
            count = every_one_said(heard.speech) if choice else None
            if count is not None and count in (0, len(choice)):
                # "Les deux" to "le lundi 30 ou le mardi 1er décembre ?": both, one after the
                # other, as days named together.
                return self._one_after_another(st, sp, choice, DATE, [])
            # "Réserver lundi" while the question was for cancelling: the action said now is
            # the one wanted (the read-back says it before anything is done).
            done = st.data.get("done")
            if done and _last_asked(done) == st.data.get("action"):
                # "1", "2", then "mince, je voulais dire vendredi": Friday instead of the day
                # just cancelled, not as well (only with a word of error: here "je voulais
                # dire vendredi" is as likely the answer to the question).
                # ("Je me suis trompé d'enfant": which child, then the same change for them.)
                other = parse_intent(heard.speech, {Intent.OTHER_CHILD})
                plainly = self._undone_plainly(st, heard.speech)  # "non attendez, annulez"
                taken = self._taken_back(
                    st, sp, heard.speech, other, DATE, surely=True, plainly=plainly
                )
                if taken is not None:
                    return taken
            about = self._about_day(st, sp, heard.speech, DATE, self._picked(st))
            if about is not None:
                # "C'est jusqu'à quand qu'on peut annuler pour lundi ?": answered as at the
                # action menu (the meal, its deadline), then the action asked for that day;
                # never read back as the change, which a "oui" would then make.
                return about
            mixed = self._requests(st, sp, heard.speech, DATE, st.data.get("action"))
            if mixed is not None:  # "jeudi pour Rose et lundi pour Nathan"
                return mixed
            switched = self._switch_action(st, heard.speech)
            change = _CHANGES.get(str(st.data.get("action")))
            guess = parse_date(heard.speech, today, action=change)
            # "Les 3" to this question: the 3rd, not the three children (said elsewhere).
            les = day_said_after_les(heard.speech, today) if guess is None else None
            guess = guess or les
            day = guess.day if guess else None
            yes = (
                day is None
                and st.data.get("offered") is not None
                and parse_intent(heard.speech, {Intent.YES, Intent.NO}) is Intent.YES
                and not is_hesitant(heard.speech)
                and not is_closing(heard.speech)  # "ok merci au revoir": no day after all
            )
            # After a refusal (or anything said before the question), "OK", "ah d'accord", "ça
            # marche" acknowledge it and choose no day: "oui" does.
            acknowledged = yes and bool(st.data.get("said")) and not takes_the_offer(heard.speech)
            if names_the_offered_day(heard.speech) or (yes and not acknowledged):
                # "Oui", "le premier jour possible", "ce jour-là": the first day the question
                # offered (read back before anything is done).
                offered = st.data.get("offered")
                day = date.fromisoformat(str(offered)) if offered else day
            alone = weekday_alone(heard.speech)
            chosen = [d for d in choice if alone is not None and d.weekday() == alone]
            position = position_said(heard.speech) if choice else None
            if position is not None and position <= len(choice):
                # "le premier" to "le jeudi 3 ou le vendredi 4 décembre ?": the 3rd, not the 1st
                day = choice[position - 1 if position > 0 else -1]
            if day is not None and chosen:
                day = chosen[0]  # "vendredi" to "le jeudi 3 ou le vendredi 4 décembre ?"
            undo = st.data.get("undo")
            if day is not None and undo and weekday_alone(heard.speech) is not None:
                # Asked again while a change is being taken back ("mince, je voulais dire
                # mercredi", refused): "vendredi alors" is the one of its week.
                day = self._day_at_read_back(heard.speech, date.fromisoformat(undo[1]), True)
            back = self._return_days(st, heard.speech, today) if day is None else []
            back = back or (self._eve_days(st, heard.speech, today) if day is None else [])
            if back:  # "à la rentrée", "vendredi avant les vacances": read back
                self._children_correction(st, heard.speech, action=change)
                return self._one_after_another(st, sp, back, DATE, [])
            unknown = self._return_unknown(sp, heard.speech, today) if day is None else []
            if unknown:  # "après les vacances de Noël" in June: not known yet, said so
                return self._ask(st, sp, DATE, unknown, DATE, "return_unknown")
            if day is None and several_days(heard.speech, today, change):
                # Understood: not a failed attempt. The children said with the days count
                # too ("toute la semaine prochaine pour tous", "jeudi et vendredi pour Rose"),
                # as with one day.
                self._children_correction(st, heard.speech, action=change)
                return self._several_days(st, sp, heard.speech, DATE)
            if day is None and switched is not None:
                return self._ask(st, sp, DATE, [], DATE, switched)  # the question, for it
            if day is None:
                intent = parse_intent(
                    heard.speech, {Intent.REPEAT, Intent.GOODBYE, Intent.ANOTHER}
                )
                if intent is Intent.REPEAT:
                    return self._repeat(st, sp)
                if intent is Intent.GOODBYE:
                    return self._bye(st, sp, DATE)
                if intent is Intent.ANOTHER:  # "retour au menu", "tant pis"
                    return self._ask(st, sp, ACTION, [], DATE, "back")
                if parse_intent(heard.speech) is Intent.LIST:
                    # "Qu'est-ce qui est réservé ?", "écouter": key 3 of the action menu (the
                    # meals of the next two weeks), not a date not understood; for the
                    # children picked, or those named ("écouter pour Rose"). A parent asks
                    # before choosing the day to cancel. ("Réservé lundi" has a day: above.)
                    self._children_correction(st, heard.speech, and_first=False)
                    return self._choose(st, sp, "list", DATE)
                if is_closing(heard.speech):  # "merci", "non merci": no date after all
                    return self._bye(st, sp, DATE)
                other_child = self._other_child_at_date(st, sp, heard.speech)
                if other_child is not None:
                    return other_child
                no = parse_intent(heard.speech, {Intent.YES, Intent.NO}) is Intent.NO
                if choice and (no or taken_back(heard.speech) is TakenBack.YES):
                    # "Erreur", "je me suis trompé", "non" to "le jeudi 26 ou le vendredi 27
                    # novembre ?": the day said was not the one meant, not the action (it was
                    # the menu): the date question again, for the same action and children,
                    # as no failed attempt.
                    return self._ask(st, sp, DATE, [], DATE, "other_date")
                if taken_back(heard.speech) is TakenBack.YES:
                    # "Je me suis trompé", "non c'est pas ça", "erreur" with no day: the action
                    # chosen was not the one meant (no change is pending yet): back to the
                    # action menu, as 0 does here, not a date not understood.
                    return self._ask(st, sp, ACTION, [], DATE, "back")
                if acknowledged:
                    # The question again, offer included, as no failed attempt: the caller
                    # heard the refusal and has not chosen yet.
                    return self._ask(st, sp, DATE, [], DATE, "repeat", reset=False)
            if day is not None and les is None:  # "pour Rose, le 3 décembre"
                self._children_correction(st, heard.speech, action=change)
            leap = leap_day_missing(heard.speech, today)
            if leap is not None and guess is not None and day == guess.day:
                return self._no_such_day(st, sp, (29, 2), leap)  # "le 29 février" in 2026
        if day is None and heard.kind == "speech":
            impossible = impossible_date_said(heard.speech, today)
            if impossible is not None:
                return self._no_such_day(st, sp, impossible)
        if day is None:
            return self._retry(st, sp, sp._("I did not understand that date."), "invalid_date")
        if guess is not None and guess.day == day:  # the date said, not the one offered
            return self._with_date(st, sp, day, DATE, self._weekday_note(sp, heard.speech, guess))
        return self._with_date(st, sp, day, DATE)

    def _weekday_note(self, sp: Speaker, speech: str, guess: DateGuess) -> list[str]:
        """ "Attention : le 27 novembre est un vendredi, pas un jeudi." when the caller said a
        weekday with a date that falls on another ("jeudi 27"): the date is taken, and the
        read-back's weekday alone would easily go unheard. Empty when they agree."""
        today = self.clock.today()
        # Against the day the line then speaks of: next year's 25 June, past the calendar, is
        # this year's, just gone (see _check), whose weekday the caller may well have said.
        meant = self._recent_instead(guess.day, today) or guess.day
        said = weekday_mismatch(speech, DateGuess(meant, guess.certain), today)
        return [] if said is None else [self._weekday_line(sp, meant, said)]

    def _recent_instead(self, day: date, today: date) -> date | None:
        """The same day a year earlier when ``day`` is past the calendar and that one went by
        within RECENT_PAST ("2011" typed on 23 November: last week's 20 November, a past day,
        rather than a calendar not published yet); else ``None``. No database read."""
        if day <= self.booking.calendar.school_holidays.last_covered:
            return None
        last_year = _year_before(day)
        if last_year is not None and timedelta(0) < today - last_year <= RECENT_PAST:
            return last_year
        return None

    @staticmethod
    def _weekday_line(sp: Speaker, day: date, said: int) -> str:
        """ "Attention : le 27 novembre est un vendredi, pas un jeudi." (``said``: jeudi)."""
        return sp._(
            "Please note: %(date)s is a %(weekday)s, not a %(said)s.",
            date=sp.day_month(day),
            weekday=sp.weekday(day),
            said=sp.weekday(day + timedelta(days=said - day.weekday())),
        )

    def _other_child_at_date(self, st: CallState, sp: Speaker, speech: str) -> Turn | None:
        """A child, and no day, said to the date question: "c'est pour Nathan en fait", "et
        Nathan ?" are for them (the same action: its day asked again, for them; "et Nathan
        aussi" for both); "je me suis trompé d'enfant", "un autre enfant" ask which child,
        then the day. ``None`` when the phrase is not about the children."""
        kids = self._kids(st)
        if len(kids) < 2:
            return None
        named = self._children_said(kids, speech, ordinals=False) is not None
        corrected = self._children_correction(st, speech, and_first=False)
        if named or corrected:
            names = sp.names(self._picked_names(st))
            lines = [sp._("For %(names)s:", names=names)]
            return self._ask(st, sp, DATE, lines, DATE, "change_child")
        if parse_intent(speech, {Intent.OTHER_CHILD}) is Intent.OTHER_CHILD:
            # The same action, for the child chosen: the date question after it.
            st.data["resume"] = True
            st.data.pop("day", None)
            return self._ask(st, sp, CHILD, [], DATE, "change_child")
        return None

    def _keys_not_a_date(self, st: CallState, sp: Speaker, digits: str, today: date) -> Turn:
        """Keys at the date question that are no date: a day the month never has ("3002":
        "Le 30 février n'existe pas."), else first that a date is four keys, the day then the
        month, then the keys of the day three keys missing a zero meant ("312": the 3rd of
        December), or why it cannot change, else of the first day that can change ("2", "26",
        "123", "0000"). Each counts as a failed attempt."""
        impossible = impossible_digits_date(digits)
        if impossible is not None:
            return self._no_such_day(st, sp, impossible)
        # Said here, not again by the question.
        st.data["told_keys"] = True
        # One or two keys are not read as a day of the month: they are as likely the key of
        # another menu ("2" for goodbye after a refusal, as after a result), and "Le mercredi
        # 2 décembre, il n'y a pas de restauration scolaire" answered a date never given.
        # "412" on 7 December: the 4th, three days ago, as "0412" (see _check)
        meant = digits_missing_a_zero(digits, today, RECENT_PAST)
        why = self._why_not_alone(st, sp, meant) if meant is not None else None
        if meant is not None and why is not None:
            # "302" for Wednesday 3 February: its keys would only lead to a refusal. Why that
            # day cannot change, then the question again (with the first day that can
            # change).
            message = f"{sp._('Please type the day and the month, four digits.')} {why}"
        elif meant is not None:
            message = sp._(
                "Please type the day and the month, four digits: for %(day)s, type %(keys)s.",
                day=sp.day(meant),
                keys=sp.keys(meant.strftime("%d%m")),
            )
        elif (
            first := self._offer_taken(str(st.data.get("action")), self._offered_day(st))
        ) is not None:
            # The day the date question offers for this action (Rose, who eats every day, was
            # told to type 2611 to book a meal she already has); none when it offers none.
            message = sp._(
                "Please type the day and the month, four digits: for example, for %(day)s, "
                "type %(keys)s.",
                day=sp.day(first),
                keys=sp.keys(first.strftime("%d%m")),
            )
        else:  # no day offered (nothing to cancel, all booked, no calendar): the question says why
            message = sp._("Please type the day and the month, four digits.")
        return self._retry(st, sp, message, "invalid_date")

    def _no_such_day(
        self, st: CallState, sp: Speaker, day_month: tuple[int, int], year: int | None = None
    ) -> Turn:
        """ "Le 31 novembre n'existe pas.", typed ("3111") or said, then the question again (a
        failed attempt): "je n'ai pas compris" would have the parent say it again. With
        ``year``, a 29 February the coming February has not: "Le 29 février n'existe pas en
        2027." (rather than the next one's calendar, years ahead)."""
        said = sp.day_of_month(*day_month)
        if year is not None:
            message = sp._("%(day)s does not exist in %(year)s.", day=said, year=str(year))
            return self._retry(st, sp, message, "invalid_date")
        message = sp._("%(day)s does not exist.", day=said)
        return self._retry(st, sp, message, "invalid_date")

    def _no_date(self, st: CallState, sp: Speaker) -> str:
        """Nothing at the date question: silence, or "#" alone (Twilio's finishOnKey ends no
        Gather without keys before it: the line hears only the silence after it), so not "je
        n'ai rien entendu" to a parent who pressed a key. The question after it says the four
        keys. On a keypad-only line (English), what was said aloud arrives as nothing too."""
        if sp.speech:
            return sp._("I did not receive a date.")
        why = sp._("I did not receive a date: please type it on your phone's keypad.")
        desk = self._desk_once(st, sp, DATE)
        if st.attempts + 1 < self.settings.phone.max_attempts and desk:
            # "I would like to speak to someone", said, never heard: who can help.
            why = f"{why} {desk}"
        return why

    def _why_not_alone(self, st: CallState, sp: Speaker, day: date) -> str | None:
        """Why ``day`` (see digits_missing_a_zero) cannot change for the children asked
        about: already past, no school meals (see :meth:`_closed_day`), past its deadline, or
        past the school calendar in use; ``None`` when it can, for one of them."""
        if day < self.clock.today():
            return sp._("%(day)s is already past.", day=sp.day(day))
        refs = st.data.get("pick") or []
        try:
            # No child picked yet: the town's canteen days.
            statuses = [s for _, s in self._phone_statuses(st, day, refs)] or [
                self.booking.day_status(day, None, "phone")
            ]
        except OutsideCalendar:  # "039" in late August: 3 September, past the calendar
            return self._unknown_calendar(st, sp, day)
        if not any(status.operating for status in statuses):
            return self._closed_day(sp, day, statuses[0])
        now = self.clock.now()
        deadlines = [s.deadline for s in statuses if s.operating and s.deadline is not None]
        if deadlines and all(now >= deadline for deadline in deadlines):
            action = str(st.data.get("action") or "cancel")
            exc = PastDeadline(day, max(deadlines), action)
            return self._refusal(sp, exc, action, len(refs), served=self._served(st, refs))
        return None

    def _with_date(
        self, st: CallState, sp: Speaker, day: date, step: str, before: Sequence[str] = ()
    ) -> Turn:
        """The change asked for ``day``: refused, nothing to do, or read back (after
        ``before``)."""
        queue = st.data.get("queue")
        instead_of = st.data.pop("instead_of", None)  # the first of a swap (see _requests)
        swap = instead_of == [day.isoformat(), st.data.get("action")] and bool(queue)
        if queue:  # one of several days taken one by one: "oui, les deux" is for the days
            _in_series(st, [day.isoformat(), *(str(_entry_day(e)) for e in queue)])
        # The request's days, for the holidays' warning after its last (see _break_note): all
        # those said at once, or this one alone.
        series = [date.fromisoformat(str(d)).toordinal() for d in st.data.get("series") or []]
        warned = _Warned.of(st)
        warned.asked = series if day.toordinal() in series else [day.toordinal()]
        warned.keep(st)
        if queue and day.isoformat() in queue:
            # A day still waiting among several said at once, chosen now ("jeudi et vendredi",
            # 2 at Thursday's read-back, then "vendredi"): taken now, not a second time.
            st.data["queue"] = [entry for entry in queue if entry != day.isoformat()]
        if day < self.clock.today():  # "jeudi dernier", "hier": said plainly, not "too late"
            st.settle("refused")
            refusal = sp._("%(day)s is already past.", day=sp.day(day))
            lines = [*before, refusal, *self._kept(st, sp, day), *self._no_swap(st, sp, swap)]
            _tried(st, "refused:past_day", day, st.data.get("pick"))
            last = self._series_ends(st, day)
            turn = self._then_next(st, sp, DATE, lines, step, "refused:past_day")
            return self._keep_series_end(st, last, turn)
        check = self._check(st, sp, day)
        if check.refusal is not None:
            st.settle("refused")
            # A refused date was understood: the caller hears why and may try another one,
            # as many times as they like (MAX_ANSWERS still ends any call). Only answers that
            # were not understood count towards phone.max_attempts.
            lines = [*before, check.refusal, *self._kept(st, sp, day)]
            lines += self._no_swap(st, sp, swap)
            _tried(st, f"refused:{check.code}", day, st.data.get("pick"))
            last = self._series_ends(st, day)
            turn = self._then_next(st, sp, DATE, lines, step, f"refused:{check.code}")
            return self._keep_series_end(st, last, turn)
        if not check.change:
            undo = self._undo(st, day)
            lines = [*before, *check.notes]
            if undo is not None:
                # "Je voulais dire jeudi" with Thursday's meal already cancelled: what is left
                # to do is undoing the change just made, read back on its own, for the children
                # left ("mince, c'était pour Timéo" after both: Sacha's only, Timéo's stays).
                undo_refs = list(st.data["undo"][2])
                st.data["undo"] = [st.data["undo"][0], undo[1].isoformat(), undo[2]]
                st.data["day"] = undo[1].isoformat()
                st.data["change"] = []
                if undo[1] == day and set(st.data.get("pick") or []) <= set(undo_refs):
                    # Narrowing the change just made: "rien à annuler" for the child kept
                    # would contradict the parent.
                    lines = list(before)
                return self._ask(st, sp, CONFIRM, lines, step, "read_back:undo", recap=True)
            # A request that changed nothing: "je voulais dire…" after it is not about the
            # change before it (unless both were of one phrase: see _keep_series_end).
            st.data.pop("done", None)
            st.data["day"] = day.isoformat()  # "pareil pour Rose" is for this day
            # Which nothing it was, for the call log: "rien à annuler" is not "déjà réservé";
            # for whom, so that its row names the child and day ("I cancelled Thursday!").
            _tried(st, _nothing(st), day, [k.ref for k in check.done])
            last = self._series_ends(st, day)
            if last is None and not st.data.get("queue"):
                # A request of its own: "je me suis trompé" right after hears that it changed
                # nothing (it ended the call).
                action = str(st.data.get("action"))
                last = [action, day.isoformat(), [], action, _ALONE]
            turn = self._then_next(st, sp, AFTER, lines, step, _nothing(st))
            return self._keep_series_end(st, last, turn)
        st.data["day"] = day.isoformat()
        st.data["change"] = [k.ref for k in check.change]
        lines = [*before, *check.notes]
        _tried(st, f"read_back:{day.isoformat()}", day, st.data["change"], check.late)
        if check.done:
            # "Tous vos enfants" on Friday, Nathan's meal not booked: his "rien à annuler",
            # heard before the others' read-back, kept after its record (":beside": no step of
            # the call log has this outcome, the read-back's step is the one that said it).
            _tried(st, f"{_nothing(st)}:beside", day, [k.ref for k in check.done])
        return self._ask(st, sp, CONFIRM, lines, step, f"read_back:{day.isoformat()}", recap=True)

    @staticmethod
    def _series_ends(st: CallState, day: date) -> list[Any] | None:
        """What "annulez" right after the last of several requests of one phrase (or of the
        last of several days) would take back, when it ends with nothing to do or refused:
        the last change the phrase did make, as ``done`` keeps it, with the action of that
        last request as fourth item (see :meth:`_keep_series_end`); with no children when the
        phrase made none. ``None`` for a request of its own, or one with others still waiting
        after it."""
        series = [str(d) for d in st.data.get("series") or []]
        if st.data.get("queue") or day.isoformat() not in series:
            return None
        action = str(st.data.get("action"))
        made = [(a, d, r) for a, d, r in _series_done(st) if d.isoformat() in series]
        if not made:
            return [action, day.isoformat(), [], action]
        done, made_day, refs = made[-1]
        return [done, made_day.isoformat(), refs, action]

    @staticmethod
    def _keep_series_end(st: CallState, last: list[Any] | None, turn: Turn) -> Turn:
        """After the last of several requests of one phrase had nothing to do ("annuler jeudi
        et réserver vendredi", Friday already booked) or was refused, what "annulez", "non
        attendez, annulez" or "je me suis trompé" right after takes back (``last``, from
        :meth:`_series_ends`): the last change the phrase did make (``done``, the earlier ones
        with it, see :meth:`_series_undone`), with the action of that last request (a bare
        "annulez" after a booking asked takes back, see :meth:`_undone_plainly`). Nothing made
        at all (after its result only): ``done`` names no children, and "annulez" hears there
        is nothing to take back. It was forgotten: Thursday's cancellation stayed while
        "annulez" asked which day to cancel, and "je me suis trompé" ended the call."""
        if last is None or st.step not in (AFTER, DATE) or (st.step == DATE and not last[2]):
            return turn
        st.data["done"] = last
        return turn

    @staticmethod
    def _no_swap(st: CallState, sp: Speaker, swap: bool) -> list[str]:
        """The first change of a swap refused ("annuler mardi et réserver jeudi à la place",
        Tuesday too late): that the next one, read back after it, is no longer instead of it
        (two meals charged, not one moved), said before its read-back asks for a yes."""
        if not swap:
            return []
        entry = (st.data.get("queue") or [None])[0]
        if not isinstance(entry, list):
            return []
        then = sp.day(date.fromisoformat(str(entry[0])))
        if entry[2] == "book":
            return [sp._("The meal on %(day)s would then be booked in addition, not instead.",
                         day=then)]
        return [sp._("The meal on %(day)s would then be cancelled with nothing booked instead.",
                     day=then)]

    def _then_next(
        self, st: CallState, sp: Speaker, ask: str, lines: list[str], step: str, outcome: str
    ) -> Turn:
        """After a day's result, refusal or nothing to do (``lines``, the answered ``step``'s
        ``outcome``): the next of several days asked at once, else the question ``ask``."""
        if outcome in _BREAK_NOTE_OUTCOMES:  # the holidays' warning, after the last day
            warned = _Warned.of(st)
            warned.due = True
            warned.keep(st)
        turn = self._next_day(st, sp, step, lines)
        if turn is None:
            return self._ask(st, sp, ask, lines, step, outcome, recap=True)
        return replace(turn, outcome=outcome)  # the call log keeps what this step did

    def _on_confirm(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        if heard.kind == "dtmf":
            key = heard.digits[:1]
            if key == "2" and self._undoing_alone(st):
                return self._ask(st, sp, ACTION, [self._undo_declined(st, sp)], CONFIRM, "back")
            if key == "2" and st.data.get("queue"):
                skipped = self._skip_day(st, sp)
                if skipped is not None:
                    return skipped
            if key == "2":
                return self._ask(st, sp, DATE, [], CONFIRM, "other_date")
            if key != "1":
                return self._retry(st, sp, self._wrong_key(sp), "invalid_key")
            return self._apply(st, sp)
        speech = heard.speech
        pending = date.fromisoformat(str(st.data["day"]))
        # "Non, jeudi" to Friday 4 read back: Thursday 3, the nearest (not the 10th).
        day = self._day_at_read_back(speech, pending, nearest=True)
        if asks_deadline(speech):
            # "C'est jusqu'à quand pour jeudi ?": answered before anything is taken from the
            # phrase (the day named is not a correction, nor the next of several days).
            return self._deadline_at_read_back(st, sp, speech, day)
        moved = shifted_day(speech, pending, self.clock.today())
        if moved is not None and (
            parse_intent(speech, {Intent.YES}) is None or self._yes_but_moved(speech, pending)
        ):
            # "Non, jeudi prochain" to Thursday 26 read back: the Thursday after; "le jeudi
            # d'avant", the one before (with a plain yes, the caller says again the day they
            # asked for; "oui mais la semaine prochaine" moves it).
            day = moved
        if self._all_the_days(st, speech):
            # "Oui, les deux", "oui pour tous" to the first of two days read back one by one:
            # a yes to all of them, done now (the parent who said "for all" may hang up
            # believing so), not two of three children ("oui, pour tous les jours": not several
            # days said anew).
            return self._apply_all(st, sp)
        miscounted = self._days_miscounted(st, speech)
        if miscounted is not None:
            # "Oui, les 5" (or "oui pour les 5 jours") to the first of 4 days read back one by
            # one: the yes is clear, the count is not; this day done, the next read back (it
            # asked which child, or said to name the days one by one). Without a yes, the
            # read-back again.
            if miscounted:
                return self._apply(st, sp)
            return self._retry(st, sp, self._not_understood(sp), "not_understood")
        if (moved is None and several_days(speech, self.clock.today())) or (
            day != pending and adds_to(speech)
        ):
            return self._days_at_read_back(st, sp, speech, pending, day)
        if (
            day == pending
            and states_a_condition(speech)
            and parse_intent(speech, {Intent.NO}) is None
        ):
            # "Même si elle est malade ?", "et si Nathan va mieux ?", "sauf si elle va mieux":
            # a doubt, neither a yes nor a child or an action said instead.
            if is_question(speech):
                return self._repeat(st, sp)
            return self._retry(st, sp, self._not_understood(sp), "not_understood")
        if self._left_as_they_are(st, speech):
            return self._with_date(st, sp, day, CONFIRM)
        if self._drops_request(st, speech):
            # "Annulez", "non, annulez tout", "annuler l'opération" to a booking read back:
            # this request dropped, as with "laissez tomber", not the children's meals
            # cancelled instead (some of them booked well before the call). "Non, arrêtez",
            # "stop" to any read-back: the parent stops the request, not the call (it ended
            # on "stop", or went on to the date question on "non, arrêtez").
            return self._ask(st, sp, ACTION, [self._nothing_done(st, sp)], CONFIRM, "back")
        if self._cancel_or_drop(st, speech):
            # "Annulez", "annulez tout" to a cancellation read back: the meal (a yes) or the
            # request (a "laissez tomber")? Neither is taken on that word: what each answer
            # does, asked plainly.
            return self._cancel_asked_plainly(st, sp)
        nothing = self._nothing_done(st, sp)
        if self._switch_action(st, speech) is not None:
            # "Non, je veux réserver" (or even "oui, réserver"; "non, je veux annuler le
            # repas", "plutôt annuler") to the other action read back: never the action read
            # back; the one said, read back in its turn. A cancellation after "aucun
            # changement n'a été fait": it may read back meals booked long before, for
            # children the booking read back did not name; the parent must hear that the
            # booking was not made and this is another change.
            if self._children_correction(st, speech) is None:
                return self._not_whom(st, sp, speech)
            before = [nothing] if st.data["action"] == "cancel" else []
            return self._with_date(st, sp, day, CONFIRM, before)
        intent = parse_intent(speech, CONFIRM_INTENTS)
        if intent is Intent.ANOTHER:  # "retour au menu", "laissez tomber"
            return self._ask(st, sp, ACTION, [self._nothing_done(st, sp)], CONFIRM, "back")
        if intent is Intent.OTHER_CHILD and len(self._kids(st)) > 1:
            # "Non, je me suis trompé d'enfant": which child, then the same change read back.
            st.data["resume"] = True
            lines = [self._nothing_done(st, sp)]
            return self._ask(st, sp, CHILD, lines, CONFIRM, "change_child")
        # Another day or other children said here ("oui, pour Rose", "oui sauf Timéo", "oui
        # mais le 4 décembre", "le 4 décembre", "non, le 4"): a correction, read back in its
        # turn, even after a yes. Children that cannot be told apart, or none left: not a yes.
        corrected = self._children_correction(st, speech)
        if corrected is None:
            return self._not_whom(st, sp, speech)
        if corrected or day != pending:
            return self._with_date(st, sp, day, CONFIRM)  # even after "pardon": "pardon, Rose"
        if intent is Intent.REPEAT:
            return self._repeat(st, sp)
        if intent in (Intent.YES, None) and is_question(speech):
            # "C'est bien ça ?", "et si Nathan va mieux ?": the parent checks, and says no yes
            # (even "oui ?"): what will be done and how to confirm it, again. "C'est bien
            # annulé ?" first hears that it is not done yet: the read-back alone could be
            # taken for a yes, and the parent hang up with nothing changed.
            if not asks_about_day(speech):
                return self._repeat(st, sp)
            # The read-back alone after it: what was said before it (the day before's result,
            # "je prends ces jours un par un") would contradict "pas encore" (not a recap:
            # "répétez" says the read-back as it was first read, not "pas encore").
            lines = [sp._("Not done yet.")]
            return self._ask(st, sp, CONFIRM, lines, CONFIRM, "repeat", reset=False)
        closing = is_closing(speech)
        if intent in (Intent.GOODBYE, None) and closing:
            farewell = self._farewell_at_read_back(st, sp, speech)
            if farewell is not None:
                return farewell
        if intent is Intent.GOODBYE:
            return self._bye(st, sp, CONFIRM)
        if intent is not Intent.YES and closing:
            # "Non merci", "non c'est bon": the change is declined and the caller is done
            # (never "oui merci", which confirms).
            return self._bye(st, sp, CONFIRM)
        if intent is Intent.NO and st.data.get("queue"):
            turn = self._skip_day(st, sp)
            if turn is not None:
                return turn
        if intent is Intent.NO and self._undoing_alone(st):
            # "Non" to "… soit de nouveau réservé": the change just made stays; the parent did
            # not ask for another day.
            return self._ask(st, sp, ACTION, [self._undo_declined(st, sp)], CONFIRM, "back")
        if intent is Intent.NO:
            return self._ask(st, sp, DATE, [], CONFIRM, "other_date")
        if intent is not Intent.YES or is_hesitant(speech):
            # "Oui, attendez", "oui enfin je sais pas": this confirms a change, so only a
            # plain yes does.
            return self._retry(st, sp, self._not_understood(sp), "not_understood")
        return self._apply(st, sp)

    def _deadline_at_read_back(
        self, st: CallState, sp: Speaker, speech: str, day: date
    ) -> Turn:
        """Until when ``day`` (the one read back, or the one named) can be changed, in the
        words of the action menu and date question (:meth:`_day_answer`), for the children
        named, else those read back; then the read-back whole, still to be confirmed, and
        the days left of several said at once still to come (nothing is done or skipped)."""
        kids = self._children_said(self._kids(st), speech, ordinals=False)
        if kids is None:
            change = st.data.get("change") or []
            kids = [k for k in self._kids(st) if k.ref in change] or self._picked(st)
        if day < self.clock.today():
            lines = [sp._("%(day)s is already past.", day=sp.day(day))]
        else:
            lines, _open = self._day_answer(st, sp, day, kids)
        # Not a recap: "*" repeats the read-back as it was read, not this answer.
        return self._ask(st, sp, CONFIRM, lines, CONFIRM, "asked_day", reset=False)

    def _skip_day(self, st: CallState, sp: Speaker) -> Turn | None:
        """ "Non" (or 2) to one of several days taken one by one: that day is left as it is and
        the next one read back, as the read-back's keys say; the date question would drop the
        days left unsaid. ``None`` when no day is left."""
        pending = date.fromisoformat(str(st.data["day"]))
        skipped = sp._("Nothing was changed for %(day)s.", day=sp.day(pending))
        turn = self._next_day(st, sp, CONFIRM, [skipped])
        return replace(turn, outcome="skipped") if turn is not None else None

    def _billing(self, st: CallState, sp: Speaker, step: str) -> Turn:
        """When a meal is charged (DOMAIN.md §3), then the question of ``step`` again: at a
        read-back, the read-back itself, still to be confirmed."""
        line = sp._(
            "A meal cancelled in time is not charged. A booked meal that is not cancelled in "
            "time is charged, except for an illness reported to the school, a school trip, a "
            "strike or a closure."
        )
        if step != CONFIRM:
            return self._ask(st, sp, step, [line], step, "billing", reset=False, recap=True)
        # The read-back alone after it, not what was said before it (the day before's result,
        # "je prends vos demandes une par une"); "*" still repeats the read-back as first read.
        return self._ask(st, sp, CONFIRM, [line], CONFIRM, "billing", reset=False)

    def _undo_declined(self, st: CallState, sp: Speaker) -> str:
        """ "Non" (2) to the undoing read back alone: nothing was changed, and a single day's
        change taken back stays as it is."""
        undo = self._undo(st, None)
        single = undo is not None and not self._more_undone(st)
        stays = [self._stays(st, sp, undo)] if single and undo is not None else []
        return " ".join([sp._("Nothing was changed."), *stays])

    @staticmethod
    def _undoing_alone(st: CallState) -> bool:
        """Whether the read-back is the undoing of the change just made, with nothing else."""
        return bool(st.data.get("undo")) and not st.data.get("change")

    @staticmethod
    def _drops_request(st: CallState, speech: str) -> bool:
        """Whether ``speech``, said to a read-back, drops it. To a booking: a bare "annulez"
        ("non, annulez tout", "annuler l'opération", "annulez la demande") cancels what was
        just asked; only a cancellation asked in so many words ("non, je veux annuler le
        repas", "plutôt annuler", "annulez jeudi pour Rose") switches the action. To a
        cancellation, only with a word that takes it back or names the request ("non,
        annulez", "attendez, annulez", "annulez la demande"): "annulez" alone may be the meal
        (see :meth:`_cancel_or_drop`). To any: "non, arrêtez", "stop", "arrêtez tout", "non,
        stop, je ne veux rien changer" (not with thanks or a farewell: "stop, au revoir" ends
        the call, the request not made)."""
        if _bare_cancel(speech, _AROUND_STOP, _STOP_VERBS):
            return True
        if not _bare_cancel(speech, _AROUND_CANCEL | _DROPPED):
            return False
        if st.data.get("action") == "book":
            return True
        # A cancellation: not its undoing read back ("… soit de nouveau réservé"), as before.
        said = set(normalise(speech).split())
        return not st.data.get("undo") and bool(said & (_TAKING_BACK | _REQUEST_WORDS))

    @staticmethod
    def _cancel_or_drop(st: CallState, speech: str) -> bool:
        """Whether ``speech``, said to a cancellation read back, is a bare "annulez" that may
        mean the meal as well as the request ("annulez", "annulez tout", "annulez-le",
        "annulez cette réservation"): never a yes, nor a "laissez tomber"."""
        return (
            st.data.get("action") == "cancel"
            and bool(st.data.get("change"))
            and not st.data.get("undo")
            and _bare_cancel(speech, _AROUND_CANCEL | _DROPPED | {"le", "les"})
        )

    def _cancel_asked_plainly(self, st: CallState, sp: Speaker) -> Turn:
        """The cancellation read back again, with what confirms it and what drops it in so
        many words ("dites oui", "dites : laissez tomber") instead of the usual keys; as a
        retry (the call ends after the last attempt, as for an answer not understood)."""
        if st.attempts + 1 >= self.settings.phone.max_attempts:
            return self._retry(st, sp, self._not_understood(sp), "not_understood")
        st.attempts += 1
        lines, ask = self._question(st, sp, CONFIRM)
        choices = self._read_back_key_choices(sp)
        keys = next(i for i, line in enumerate(lines) if line in choices.values())
        plainly = sp._(
            "To confirm the cancellation, press 1 or say yes. To change nothing, say: never mind."
        )
        return Turn(self._reply(sp, [*lines[:keys], plainly], ask), CONFIRM, "not_understood")

    @staticmethod
    def _all_the_days(st: CallState, speech: str) -> bool:
        """Whether ``speech``, said to one of several days read back one by one (``series``),
        takes every one of them: by their count ("oui, les deux" to the first of two, or to the
        second when the first had nothing to change) or all ("oui, tous", "oui pour tous",
        "oui, pour tous les jours"). The children were said with the days: in a family of two,
        "les deux" there is both days, not the other child added ("oui, pour tous les
        enfants" still names the children)."""
        series = [str(d) for d in st.data.get("series") or []]
        if str(st.data.get("day")) not in series:
            return False
        queue = st.data.get("queue") or []
        # "pour" is no more than a filler here ("oui pour les deux jours")
        count = every_one_said(" ".join(t for t in normalise(speech).split() if t != "pour"))
        return (
            count in (0, len(series), 1 + len(queue))
            and parse_intent(speech, {Intent.YES, Intent.NO}) is not Intent.NO
            and not is_hesitant(speech)
        )

    def _days_miscounted(self, st: CallState, speech: str) -> bool | None:
        """Whether ``speech``, said to one of several days read back one by one, is a count
        of days that is not theirs ("oui, les 5", "oui pour les 5 jours" to 4 days) with a
        plain yes; ``False`` without one ("les 5", "non, les 5"), ``None`` when it is no such
        count. A count that may be the children ("oui, les 3" in a family of three, not "les
        3 jours") is left to them (see :meth:`_children_correction`)."""
        series = st.data.get("series") or []
        if str(st.data.get("day")) not in [str(d) for d in series]:
            return None
        # "pour" a filler, as in _all_the_days; "non" read below
        tokens = [t for t in normalise(speech).split() if t not in ("pour", "non")]
        count = every_one_said(" ".join(tokens))
        if not count:  # not a count, or "tous" (all of them: _all_the_days)
            return None
        if count <= len(self._kids(st)) and not {"jour", "jours"} & set(tokens):
            return None
        return (
            parse_intent(speech, {Intent.YES, Intent.NO}) is Intent.YES  # not "non, les 5"
            and not is_hesitant(speech)
        )

    def _days_at_read_back(
        self, st: CallState, sp: Speaker, speech: str, pending: date, day: date
    ) -> Turn:
        """Days added to the one read back, or said instead of it, taken one after the other
        (as at the date question). "Oui, et le 4 aussi", "oui, jeudi et vendredi" to Thursday
        read back: the yes confirms Thursday's change, then the 4th or Friday is read back in
        its turn. Without a yes ("non, jeudi et vendredi", "et le 4 aussi"), the first day said
        is read back. A span is answered as at the date question (:meth:`_span_days`), and
        one that has no day to take after a yes says why, the day read back asked again.
        Children named with the days, or a yes that leaves out the day read back: one day at a
        time, the day read back asked again (taking only the other days would drop the one
        the caller just said yes to)."""
        today = self.clock.today()
        days = days_said(speech, today)
        added = adds_to(speech)
        # "Oui, et pour la semaine prochaine ?": what is asked is the days added; the yes
        # before them is still a yes ("oui ?" alone is no yes).
        answer = speech.rstrip().rstrip("?") if added else speech
        yes = (
            parse_intent(answer, {Intent.YES}) is Intent.YES
            and parse_intent(answer, {Intent.NO}) is None
            and not is_hesitant(answer)
        )
        named = self._children_said(self._kids(st), speech, ordinals=False)
        queued = list(st.data.get("queue") or [])  # days, or requests of their own (lists)
        # The change is the one read back: "et la semaine prochaine" is that whole week, as
        # at the date question (not the same weekday a week on)
        span = self._span_said(speech, today, acted=True) if not days else None
        if span is not None and not named:
            if not yes:
                # "Non, toute la semaine prochaine", "non, du 21 au 25 décembre": the span
                # instead of the day read back, answered as at the date question (its days
                # one by one, or why none: "… ce sont les vacances de Noël"), before the
                # days still waiting.
                return self._span_days(st, sp, span, CONFIRM, queued)
            days, refusal, outcome = self._span_taken(st, sp, span)
            if not days:
                # "Oui, et du 21 au 25 décembre": why none of it is taken, then the day read
                # back again, still to be confirmed (the yes came with more than it).
                return self._ask(st, sp, CONFIRM, refusal, CONFIRM, outcome)
        if not days and day != pending and added:
            days = [pending, day]  # "et le 4 aussi": the day read back and the 4th
        if days and yes and pending not in days and added:
            days = [pending, *days]  # "oui, et lundi et mardi": the day read back, then those
        if not days or named or (yes and pending not in days):
            return self._ask(st, sp, CONFIRM, self._one_day(sp), CONFIRM, "several_days")
        if yes:
            later = [d for d in days if d != pending]
            st.data["queue"] = _unique([*(d.isoformat() for d in later), *queued])
            if span is not None and len(later) > 1:
                # A week added: its days named after this day's result, before the first
                st.data["queue_named"] = self._days_named(sp, later)
            turn = self._apply(st, sp)
            st.data.pop("queue_named", None)  # said with the next day, or not at all
            return turn
        first, *later_days = days
        st.data["queue"] = _unique([*(d.isoformat() for d in later_days), *queued])
        before = [self._days_named(sp, days)] if later_days else []
        return self._with_date(st, sp, first, CONFIRM, before)

    def _yes_but_moved(self, speech: str, pending: date) -> bool:
        """Whether a yes said with another week ("oui mais la semaine prochaine", "oui, la
        semaine prochaine" to a day of this week) moves the day read back rather than confirm
        it: "mais" or "plutôt" says so, and so does next week named for a day of this week."""
        words = set(normalise(speech).split())
        today = self.clock.today()
        next_monday = today + timedelta(days=7 - today.weekday())
        return bool({"mais", "plutot"} & words) or ("semaine" in words and pending < next_monday)

    def _left_as_they_are(self, st: CallState, speech: str) -> bool:
        """Whether the phrase leaves some of the children read back out of the change by saying
        the other action of them, and if so, leaves them out: "oui, mais Rose elle mange" to a
        cancellation read back for Nathan and Rose is Nathan's alone, read back in its turn
        (giving Rose the other action would drop Nathan's change unsaid, when Rose's meal is
        already booked). Not after a "non": "non, je veux réserver pour Rose" switches the
        action, read back in its turn."""
        picked = self._picked(st)
        other = parse_intent(speech, {Intent.BOOK, Intent.CANCEL})
        if len(picked) < 2 or other is None or _CHOICES[other] == st.data.get("action"):
            return False
        if "non" in normalise(speech).split():
            return False
        said = self._children_said(self._kids(st), speech, ordinals=False)
        if not said or not {k.ref for k in said} < {k.ref for k in picked}:
            return False
        self._pick(st, [k for k in picked if k not in said])
        return True

    def _not_whom(self, st: CallState, sp: Speaker, speech: str) -> Turn:
        """A phrase not understood: the question again, never a yes. When it spoke of children
        the line cannot tell ("oui, sauf la petite", "et son frère aussi"), the caller hears
        that a first name is wanted."""
        names = [k.name for k in self._kids(st)]
        unnamed = not parse_children(speech, names, ordinals=False) and not children_left_out(
            speech, names
        )  # not "oui, sauf Zoé" when Zoé alone is read back: not understood
        if unnamed and speaks_of_children(speech, names):
            line = sp._("I did not understand which child you mean: please say the first name.")
            return self._retry(st, sp, line, "unnamed_children")
        return self._retry(st, sp, self._not_understood(sp), "not_understood")

    def _farewell_at_read_back(self, st: CallState, sp: Speaker, speech: str) -> Turn | None:
        """A farewell said to the read-back. With a plain yes ("oui, merci, au revoir", "oui,
        c'est tout") the change is made, said, and the call ends: the caller is leaving and
        believes it done. Thanks without a yes ("merci", "super, merci") are not a yes, but
        the caller may think it is: they hear that nothing is changed yet and the question
        again. ``None`` otherwise (a goodbye alone, a no: handled as such). Corrections are
        read back before this is asked."""
        yes = parse_intent(speech, {Intent.YES}) is Intent.YES
        no = parse_intent(speech, {Intent.NO}) is Intent.NO  # "non merci", "non, c'est bon"
        if yes and not no and not is_hesitant(speech):
            return self._apply(st, sp, then_end=True)
        thanks = parse_intent(speech, {Intent.GOODBYE}) is None
        if not yes and not no and (thanks or (is_parting(speech) and not st.data.get("unsaid"))):
            # "Merci, au revoir", "bonne journée" too, once in the call: a parent who says it
            # to a read-back usually believes the change made, and the one sentence that ends
            # the call ("aucun changement n'a été fait") is easily missed. Said again, it
            # ends the call. An attempt like any answer that is not a yes or a no: no endless
            # "merci".
            st.data["unsaid"] = True
            return self._retry(st, sp, self._not_yet(st, sp), "not_confirmed")
        return None

    @staticmethod
    def _not_yet(st: CallState, sp: Speaker) -> str:
        """That the change read back is not made yet: "Rien n'a encore été modifié.", or "Ce
        n'est pas encore fait." once a change of the call was made (a day of several taken one
        by one: the first is done)."""
        if st.outcome in ("booked", "cancelled"):
            return sp._("Not done yet.")
        return sp._("Nothing has been changed yet.")

    def _day_at_read_back(self, speech: str, pending: date, nearest: bool = False) -> date:
        """The day a phrase said at the read-back means: the one read back, unless another is
        said. A weekday alone is the first such day from the one read back ("oui, jeudi" to
        "jeudi 3 décembre" is that day; "non, vendredi" the 4th), not from today; with
        ``nearest``, the nearest one, before or after (a day taken back for another of its
        week: "je voulais dire mardi" after Thursday 3 December is the 1st)."""
        weekday = weekday_alone(speech)
        if weekday is not None:
            offset = (weekday - pending.weekday()) % 7
            before = pending + timedelta(days=offset - 7)
            # The one before only while it is still to come ("je voulais dire lundi" on
            # Monday 23, after Thursday 26: Monday 30, not today).
            if nearest and offset > 3 and before > self.clock.today():
                return before
            return pending + timedelta(days=offset)
        # "non, 5" / "non, le 5" to "lundi 4 janvier" read back: the 5th of January
        guess = parse_date(speech, self.clock.today(), heard=pending)
        return guess.day if guess is not None else pending

    def _children_correction(
        self,
        st: CallState,
        speech: str,
        also: bool = True,
        and_first: bool = True,
        action: Intent | None = None,
    ) -> bool | None:
        """Children named that are not the ones picked ("pour Rose", "et Rose aussi") become
        the picked ones, and children left out ("sauf Timéo", "pas pour Rose") leave them;
        whether they changed, or ``None`` when the phrase leaves out every child picked or
        names children that cannot be told apart. With ``also``, "aussi" adds them to the
        picked ones (a request still pending); without it (after a result: "annuler aussi
        pour Rose") they replace them. Without ``and_first``, a phrase that only begins with
        "et" ("et Nathan ?", at a question that is not a read-back) does not add. With
        ``action`` (the change asked), children said to stay as they are are not named
        ("annuler jeudi pour Rose, Nathan il mange")."""
        kids = self._kids(st)
        if len(kids) < 2:
            return False
        picked = self._picked(st)
        said = self._children_said(kids, speech, ordinals=False, action=action)
        if said is None:
            left_out = children_left_out(speech, [k.name for k in kids])
            if left_out is None:
                return None
            if not left_out:
                # "Oui, sauf la petite", "et son frère aussi": children, but not by name.
                return None if speaks_of_children(speech, [k.name for k in kids]) else False
            said = [k for i, k in enumerate(kids, start=1) if k in picked and i not in left_out]
            if not said:
                return None
        elif also and adds_to(speech, and_first=and_first):  # "Rose aussi", "oui, et Rose"
            said = [k for k in kids if k in said or k in picked]
        if {k.ref for k in said} == {k.ref for k in picked}:
            return False
        self._pick(st, said)
        return True

    def _apply(self, st: CallState, sp: Speaker, then_end: bool = False) -> Turn:
        account = st.account
        assert account is not None
        action = str(st.data["action"])
        day = date.fromisoformat(str(st.data["day"]))
        refs = [str(r) for r in st.data.get("change", [])]
        actor = Actor("family", account, "phone", st.call_sid)
        undo = self._undo(st, day if refs else None)
        lines: list[str] = []
        receipts: tuple[Receipt, ...] = ()
        if undo is not None and refs:
            # The change said instead, past its deadline since the read-back: neither is made
            # (the parent wanted to move a meal, not have two).
            late = self._past_deadline(st, sp, action, day, refs)
            if late:
                st.settle("refused")
                # "Nothing else": the change taken back was made, earlier in the call.
                lines = [*late, self._stays(st, sp, undo), sp._("Nothing else was changed.")]
                _tried(st, "refused:past_deadline", day, refs)
                return self._ask(st, sp, AFTER, lines, CONFIRM, "refused:past_deadline", recap=True)
        if undo is not None and not refs and st.data.get("undo_more"):
            return self._undo_series(st, sp, undo, actor, then_end)
        if undo is not None:
            # The change taken back first: if it can no longer be undone, the one said instead
            # of it is not made either (the parent wanted to move a meal, not lose two).
            undone, lines, receipts = self._run_undo(st, sp, undo, actor)
            st.data.pop("undo", None)  # done (or not to be): never read back again
            if undone is None:
                st.settle("refused")
                st.data.pop("done", None)
                turn = self._ask(st, sp, AFTER, lines, CONFIRM, "refused:undo", recap=True)
                return turn
            st.data["done"] = [undo[0], undo[1].isoformat(), undone]
            if not refs:  # "je me suis trompé": only the undoing was asked for
                outcome = "booked" if undo[0] == "book" and undone else "cancelled"
                return self._result(st, sp, lines, outcome if undone else "unchanged", receipts,
                                    then_end)
        try:
            results = self._change_open(st, sp, action, day, actor, refs, lines)
        except (BookingError, TooSlow) as exc:  # the deadline passed during the read-back…
            st.settle("refused")
            if isinstance(exc, TooSlow):
                if undo is None:
                    raise  # nothing done: the apology says so
                lines.append(sp._("The other change could not be made. Please try again."))
                code = "too_slow"
            else:
                served = self._served(st, refs)
                lines.append(self._refusal(sp, exc, action, len(refs), served=served))
                code = exc.code
            _tried(st, f"refused:{code}", day, refs)
            # The next of several days said at once, if any (its own deadline may be later).
            turn = self._then_next(st, sp, DATE, lines, CONFIRM, f"refused:{code}")
            return Turn(turn.reply, turn.step, turn.outcome, None, receipts)
        changed = [r for r in results if r.changed]
        if changed:
            st.settle("booked" if action == "book" else "cancelled")
        lines += self._result_lines(sp, action, day, results)
        receipts += self._receipts(st, action, day, changed)
        st.data.pop("change", None)
        # What "mince, je voulais dire vendredi" would take back.
        st.data["done"] = [action, day.isoformat(), [r.child_ref for r in changed]]
        self._keep_series_done(st, action, day, [r.child_ref for r in changed])
        outcome = (
            "booked" if action == "book" and changed else "cancelled" if changed else "unchanged"
        )
        return self._result(st, sp, lines, outcome, receipts, then_end)

    @staticmethod
    def _keep_series_done(st: CallState, action: str, day: date, refs: Sequence[str]) -> None:
        """What a request of several days, or several requests of one phrase, read back one by
        one changed so far (``done_series``: each change made, its day, children and action:
        "il mange pas jeudi mais il mange vendredi" is a cancellation, then a booking), for
        "non attendez, annulez" after its last result (all of them taken back, not the last
        alone) and for a call ending before the rest is done (:meth:`_series_left`). A day of
        no such series starts afresh."""
        series = [str(d) for d in st.data.get("series") or []]
        if day.isoformat() not in series:
            st.data.pop("done_series", None)
            return
        kept = [(a, d, r) for a, d, r in _series_done(st) if d.isoformat() in series]
        if refs:
            kept.append((action, day, [str(r) for r in refs]))
        st.data["done_series"] = [[d.isoformat(), list(r), a] for a, d, r in kept]

    def _series_undone(self, st: CallState) -> list[tuple[str, date, list[str]]]:
        """The changes of the request of several days (or requests) just done, before its last
        one (``done``), that "non attendez, annulez" takes back with it, each with its own
        action; empty when it was a single change."""
        done = st.data.get("done")
        series = _series_done(st)
        if not done or not series:
            return []
        *earlier, last = series
        if last != (str(done[0]), date.fromisoformat(str(done[1])), [str(r) for r in done[2]]):
            return []  # another change since
        return earlier

    def _apply_all(self, st: CallState, sp: Speaker) -> Turn:
        """ "Oui pour tous" to one of several days read back one by one (their days named
        before): the one read back and every day still waiting, done now in their order, each
        as :meth:`_apply` does it (checked again, in its own transaction, refused if too late
        or left as it is when there is nothing to change), then the results grouped: one
        sentence per outcome, not per day. A request of its own still waiting (another child
        or action) or a change taken back with it: one by one, as before."""
        queue = list(st.data.get("queue") or [])
        if st.data.get("undo") or any(isinstance(entry, list) for entry in queue):
            return self._apply(st, sp)
        account = st.account
        assert account is not None
        action = str(st.data["action"])
        actor = Actor("family", account, "phone", st.call_sid)
        first = date.fromisoformat(str(st.data["day"]))
        wanted: list[tuple[date, list[str] | None]] = [
            (first, [str(r) for r in st.data.get("change", [])]),
            *((date.fromisoformat(str(entry)), None) for entry in queue),
        ]
        st.data.pop("queue", None)
        st.data.pop("change", None)
        lines: list[str] = []  # refusals and notes, in the order of the days
        done: list[tuple[date, list[ChangeResult]]] = []
        receipts: tuple[Receipt, ...] = ()
        # The days refused: the call log pairs a refusal kept in the state with a step of that
        # outcome, and this step has one outcome (the first refusal, when nothing was made);
        # the others are kept as said beside it.
        refused: list[tuple[str, date, list[str]]] = []
        # Two days refused past deadlines the Christmas holidays moved: « Les jours sans cantine
        # ne comptent pas … » once, after the refusals, not in each.
        not_counted: list[tuple[date, datetime, frozenset[int]]] = []
        explained: list[int] = []  # the lines (refusals) that would have said it
        gathering = _NOT_COUNTED_LATER.set(not_counted)
        try:
            for day, refs in wanted:
                gathered = len(not_counted)  # those of the days before
                if refs is None:  # a day still waiting: checked now, as its read-back would
                    if day < self.clock.today():
                        lines.append(sp._("%(day)s is already past.", day=sp.day(day)))
                        pick = list(st.data.get("pick") or [])
                        refused.append(("refused:past_day", day, pick))
                        continue
                    check = self._check(st, sp, day)
                    if check.refusal is not None:
                        lines.append(check.refusal)
                        if len(not_counted) > gathered:
                            explained.append(len(lines) - 1)
                        pick = list(st.data.get("pick") or [])
                        refused.append((f"refused:{check.code}", day, pick))
                        continue
                    lines += check.notes  # "rien à annuler" for those with nothing to change
                    if not check.change:
                        _tried(st, _nothing(st), day, [k.ref for k in check.done])
                        continue
                    refs = [k.ref for k in check.change]
                try:
                    results = self._change_open(st, sp, action, day, actor, refs, lines)
                except BookingError as exc:  # its deadline passed meanwhile: this day refused
                    served = self._served(st, refs)
                    said = self._refusal(sp, exc, action, len(refs), served=served)
                    lines.append(said)
                    if len(not_counted) > gathered:
                        explained.append(len(lines) - 1)
                    refused.append((f"refused:{exc.code}", day, refs))
                    continue
                except TooSlow:
                    if not any(r.changed for _, rs in done for r in rs):
                        raise  # nothing done: the apology says so
                    # The days before were made (each its own transaction): said, and the others
                    # not made.
                    lines.append(sp._("The other change could not be made. Please try again."))
                    break
                changed = [r for r in results if r.changed]
                receipts += self._receipts(st, action, day, changed)
                done.append((day, results))
        finally:
            _NOT_COUNTED_LATER.reset(gathering)
        why = self._not_counted(sp, not_counted)
        if why and len(explained) == 1:  # one refusal: in it, as when said alone
            lines[explained[0]] = " ".join([lines[explained[0]], *why])
        elif why:  # after the last of them, of them all
            lines[explained[-1] + 1 : explained[-1] + 1] = why
        made = [(day, [r for r in rs if r.changed]) for day, rs in done]
        made = [(day, rs) for day, rs in made if rs]
        lines = [*self._grouped_results(sp, action, done), *lines]
        if made:
            st.settle("booked" if action == "book" else "cancelled")
            last_day, last = made[-1]
            st.data["done"] = [action, last_day.isoformat(), [r.child_ref for r in last]]
            # "Non attendez, annulez" after it: every day of the request is taken back (those
            # confirmed one by one before "oui pour tous" too).
            for made_day, results in made:
                self._keep_series_done(st, action, made_day, [r.child_ref for r in results])
        else:
            st.data.pop("done", None)
        outcome = ("booked" if action == "book" else "cancelled") if made else "unchanged"
        if not made and refused:
            st.settle("refused")
            outcome = refused[0][0]
        # Every day refused is kept for the staff pages, as a refusal one by one is: the first,
        # when nothing was made, is this step's outcome; the others are said at a step logged
        # otherwise (":beside").
        for k, (code, day, refs) in enumerate(refused):
            _tried(st, code if k == 0 and not made else f"{code}:beside", day, refs)
        if st.data.get("leaving"):  # "oui pour tous, merci, au revoir": then goodbye
            note = self._break_note(st, sp, outcome)
            turn = self._end(st, sp, [*lines, *note, self._goodbye(sp)], CONFIRM, outcome)
        else:
            turn = self._ask(st, sp, AFTER, lines, CONFIRM, outcome, recap=True)
        return Turn(turn.reply, turn.step, turn.outcome, None, receipts)

    def _grouped_results(
        self, sp: Speaker, action: str, done: Sequence[tuple[date, Sequence[ChangeResult]]]
    ) -> list[str]:
        """The results of several days done at once, one sentence per outcome and children
        ("C'est fait : les repas de Rose des lundi 30 novembre et mardi 1er décembre sont
        annulés."); a group of one day is said as :meth:`_result_lines` says it."""
        groups: dict[tuple[bool, tuple[str, ...]], list[date]] = {}
        for day, results in done:
            for changed in (True, False):
                names = tuple(r.first_name for r in results if r.changed is changed)
                if names:
                    groups.setdefault((changed, names), []).append(day)
        lines: list[str] = []
        for (changed, names), days in groups.items():
            if len(days) == 1:
                outcome = _changed(action) if changed else _unchanged(action)
                results = [ChangeResult("", n, days[0], action, outcome) for n in names]
                lines += self._result_lines(sp, action, days[0], results)
                continue
            params = {"names": sp.names(names), "days": sp.days(days)}
            if changed and action == "book":
                line = sp._("Done: the meals of %(names)s on %(days)s are booked.", **params)
            elif changed:
                line = sp._("Done: the meals of %(names)s on %(days)s are cancelled.", **params)
            elif action == "book":
                line = sp._(
                    "The meals of %(names)s on %(days)s were already booked: nothing changed.",
                    **params,
                )
            else:
                line = sp.ngettext(
                    "%(names)s had no meal booked on %(days)s: nothing changed.",
                    "%(names)s had no meals booked on %(days)s: nothing changed.",
                    len(names),
                    **params,
                )
            lines.append(line)
        return lines

    def _more_undone(self, st: CallState) -> list[tuple[str, date, list[str]]]:
        """The earlier changes taken back with the undoing read back alone (``undo_more``),
        each as :meth:`_undo` gives it: the reverse action, the day, the children. Each keeps
        the action it made ("il mange pas jeudi mais il mange vendredi": Thursday booked again,
        Friday no longer booked); a call under way since before they did has the action of the
        last one for all (its days were all of one action)."""
        undo = st.data.get("undo")
        if not undo:
            return []
        taken: list[tuple[str, date, list[str]]] = []
        for entry in st.data.get("undo_more") or []:
            action = str(entry[2]) if len(entry) > 2 else str(undo[0])
            reverse = "cancel" if action == "book" else "book"
            taken.append((reverse, date.fromisoformat(str(entry[0])), [str(r) for r in entry[1]]))
        return taken

    def _undo_series(
        self,
        st: CallState,
        sp: Speaker,
        undo: tuple[str, date, list[str]],
        actor: Actor,
        then_end: bool,
    ) -> Turn:
        """ "Oui" to the undoing of a request of several days (or of several requests of one
        phrase, each its own action): each day undone in its order, in its own transaction,
        each past its deadline refused (and said to stay as it is)."""
        changes = [*self._more_undone(st), undo]
        past = [bool(self._past_deadline(st, sp, *change, locks=True)) for change in changes]
        if any(past) and not all(past):
            # A deadline passed since the read-back: none is taken back unsaid ("oui" was for
            # all of them); those that can no longer be are said, the others read back again.
            # (None left: each refused below.)
            as_made = [("cancel" if r == "book" else "book", d, refs) for r, d, refs in changes]
            return self._series_taken_back(st, sp, as_made, CONFIRM, "read_back:undo")
        st.data.pop("undo", None)  # done (or not to be): never read back again
        st.data.pop("undo_more", None)
        st.data.pop("done_series", None)
        lines: list[str] = []
        undone: list[tuple[str, date, list[ChangeResult]]] = []
        receipts: tuple[Receipt, ...] = ()
        # Any day that could not be taken back makes this step's outcome "refused:undo", as
        # for a single change: the call log shows the refusal at this step. (Not kept in
        # ``tried``: taking back is not a request of a day, and a record of a refusal said at
        # a step of another outcome was paired with a later refusal of the call.)
        refused = False
        for reverse, day, refs in changes:
            stays = self._stays(st, sp, (reverse, day, refs))
            late = self._past_deadline(st, sp, reverse, day, refs)
            if late:
                lines += [*late, stays]
                refused = True
                continue
            try:
                results = self._change(st, reverse, day, actor, refs)
            except BookingError as exc:  # its deadline passed during the read-back
                served = self._served(st, refs)
                lines += [self._refusal(sp, exc, reverse, len(refs), served=served), stays]
                refused = True
                continue
            except TooSlow:
                if not any(r.changed for _, _, rs in undone for r in rs):
                    raise  # nothing done: the apology says so
                lines.append(sp._("The other change could not be made. Please try again."))
                break
            undone.append((reverse, day, results))
            receipts += self._receipts(st, reverse, day, [r for r in results if r.changed])
        said: list[str] = []
        for reverse in dict.fromkeys(r for r, _, _ in undone):  # each action, as first undone
            said += self._grouped_undone(
                sp, reverse, [(day, rs) for r, day, rs in undone if r == reverse]
            )
        lines = [*said, *lines]
        made = [(reverse, day, [r for r in rs if r.changed]) for reverse, day, rs in undone]
        made = [(reverse, day, rs) for reverse, day, rs in made if rs]
        if made:
            for reverse in dict.fromkeys(r for r, _, _ in made):
                st.settle("booked" if reverse == "book" else "cancelled")
            last_reverse, last_day, last = made[-1]
            st.data["done"] = [last_reverse, last_day.isoformat(), [r.child_ref for r in last]]
            # "Non attendez, annulez" again right after: the parent takes back what they just
            # heard done, every day of it (not the last day alone).
            st.data["done_series"] = [
                [day.isoformat(), [r.child_ref for r in rs], reverse] for reverse, day, rs in made
            ]
        else:
            st.settle("refused")
            st.data.pop("done", None)
        last_action = made[-1][0] if made else None
        outcome = {"book": "booked", "cancel": "cancelled"}.get(last_action or "", "unchanged")
        if refused:
            st.settle("refused")
            outcome = "refused:undo"
        return self._result(st, sp, lines, outcome, receipts, then_end)

    def _grouped_undone(
        self, sp: Speaker, reverse: str, undone: Sequence[tuple[date, Sequence[ChangeResult]]]
    ) -> list[str]:
        """The days undone, one sentence for the children undone on the same days ("Les
        repas de Rose des jeudi 26 et vendredi 27 novembre sont de nouveau réservés."), then
        those with nothing to undo, as :meth:`_result_lines` says them."""
        groups: dict[tuple[str, ...], list[date]] = {}
        lines: list[str] = []
        for day, results in undone:
            names = tuple(r.first_name for r in results if r.changed)
            if names:
                groups.setdefault(names, []).append(day)
        for names, days in groups.items():
            params = {"names": sp.names(names), "day": sp.day(days[0])}
            if len(days) > 1:
                params["days"] = sp.days(days)
                if reverse == "book":
                    lines.append(sp._("The meals of %(names)s on %(days)s are booked again.",
                                      **params))
                else:
                    lines.append(sp._("The meals of %(names)s on %(days)s are no longer booked.",
                                      **params))
            elif reverse == "book":
                lines.append(sp.ngettext(
                    "The meal of %(names)s on %(day)s is booked again.",
                    "The meals of %(names)s on %(day)s are booked again.",
                    len(names),
                    **params,
                ))
            else:
                lines.append(sp.ngettext(
                    "The meal of %(names)s on %(day)s is no longer booked.",
                    "The meals of %(names)s on %(day)s are no longer booked.",
                    len(names),
                    **params,
                ))
        for day, results in undone:
            lines += self._result_lines(sp, reverse, day, [r for r in results if not r.changed])
        return lines

    def _change(
        self, st: CallState, action: str, day: date, actor: Actor, refs: Sequence[str]
    ) -> list[ChangeResult]:
        """Book or cancel ``day`` for the children ``refs``, the change kept in the call's
        state (see :func:`_remember_made`): every change of the call goes through here."""
        assert st.account is not None
        results = self.booking.change(st.account, action, [day], actor, refs)
        _remember_made(st, results)
        return results

    def _change_open(
        self,
        st: CallState,
        sp: Speaker,
        action: str,
        day: date,
        actor: Actor,
        refs: Sequence[str],
        lines: list[str],
    ) -> list[ChangeResult]:
        """The change confirmed. When its deadline passed during the read-back for some of the
        children only (schools with other canteen days have other deadlines), it is made for
        the others, as if asked now, and those it is too late for are named (in ``lines``):
        refusing all of them said "les repas seront facturés" of a meal still open."""
        assert st.account is not None
        try:
            return self._change(st, action, day, actor, refs)
        except PastDeadline:
            now = self.clock.now()
            statuses = self._phone_statuses(st, day, refs)
            late = [(k, s) for k, s in statuses if s.deadline is not None and now >= s.deadline]
            if not late or len(late) == len(statuses):
                raise
            deadline = late[0][1].deadline
            assert deadline is not None
            names = [k.name for k, _ in late]
            exc = PastDeadline(day, deadline, action, names[0])
            served = self._served(st, [k.ref for k, _ in late])
            text = _after_colon(self._refusal(sp, exc, action, len(late), served=served))
            lines.append(sp._("For %(name)s: %(text)s", name=sp.names(names), text=text))
            _tried(st, "refused:past_deadline", day, [k.ref for k, _ in late])
            others = [r for r in refs if r not in {k.ref for k, _ in late}]
            return self._change(st, action, day, actor, others)

    def _result(
        self,
        st: CallState,
        sp: Speaker,
        lines: list[str],
        outcome: str,
        receipts: tuple[Receipt, ...],
        then_end: bool,
    ) -> Turn:
        if st.data.get("queue"):  # the next day asked (even after "oui, merci, au revoir")
            turn = self._then_next(st, sp, AFTER, lines, CONFIRM, outcome)
        elif then_end or st.data.get("leaving"):  # "oui, merci, au revoir": then goodbye
            note = self._break_note(st, sp, outcome)
            turn = self._end(st, sp, [*lines, *note, self._goodbye(sp)], CONFIRM, outcome)
        else:
            turn = self._ask(st, sp, AFTER, lines, CONFIRM, outcome, recap=True)
        return Turn(turn.reply, turn.step, turn.outcome, None, receipts)

    def _on_after(self, st: CallState, sp: Speaker, heard: Heard) -> Turn:
        if heard.kind == "dtmf":
            key = heard.digits[:1]
            if key == "1":
                return self._another(st, sp)
            if key == "2":
                return self._bye(st, sp, AFTER)
            if key == "3":
                # The action menu's key to hear the meals booked, which a parent checking the
                # change just made may press here too (as "écouter" is understood here); not
                # in the prompt, to keep it short.
                return self._choose(st, sp, "list", AFTER)
            return self._retry(st, sp, self._wrong_key(sp), "invalid_key")
        intent = parse_intent(heard.speech, AFTER_INTENTS)
        if is_see_you(heard.speech) and intent not in (Intent.BOOK, Intent.CANCEL, Intent.LIST):
            return self._bye(st, sp, AFTER)  # "merci, à lundi": not a request for Monday
        plainly = self._undone_plainly(st, heard.speech)
        alone = self._undone_after_all(st, heard.speech)
        taken_back = self._taken_back(
            st, sp, heard.speech, intent, plainly=plainly or alone, alone=alone
        )
        if taken_back is not None:
            return taken_back
        if self._nothing_taken_back(st, heard.speech, intent, plainly or alone):
            # "Annulez" after "annuler jeudi et réserver vendredi" had nothing to do on either
            # day: said so, not the day of a new cancellation asked (nor a goodbye, to "je me
            # suis trompé").
            single = st.data.pop("done")[4:] == [_ALONE]  # said once: "annulez" again is a
            if single:  # cancellation
                lines = [sp._("Your request changed nothing: there is nothing to undo.")]
            else:
                lines = [sp._("Your requests changed nothing: there is nothing to undo.")]
            return self._ask(st, sp, AFTER, lines, AFTER, "nothing_to_undo", recap=True)
        mine = self._kids(st) if st.data.get("unchosen") else self._picked(st)
        about = self._about_day(st, sp, heard.speech, AFTER, mine)
        if about is not None:
            return about
        mixed = self._requests(st, sp, heard.speech, AFTER, st.data.get("action"))
        if mixed is not None:  # "réserver pour Margaux jeudi et annuler pour Rose vendredi"
            return mixed
        if intent in (None, Intent.BOOK, Intent.CANCEL):  # "Nathan mange jeudi mais pas Rose"
            intent = self._action_said(self._kids(st), heard.speech, set(AFTER_INTENTS))
        self._keep_goodbye(st, heard.speech, intent)  # "annuler vendredi aussi, au revoir"
        if intent is Intent.OTHER_CHILD and len(self._kids(st)) > 1:
            return self._ask(st, sp, CHILD, [], AFTER, "change_child")
        if intent in (Intent.BOOK, Intent.CANCEL, Intent.LIST):
            choice = _CHOICES[intent]
            unchosen = st.data.get("unchosen")
            change = intent if intent is not Intent.LIST else None
            corrected = self._children_correction(  # "pour Rose"
                st, heard.speech, also=False, action=change
            )
            if unchosen and not corrected and intent is not Intent.LIST:
                # "Annuler jeudi" after hearing the whole family's meals: for which child?
                return self._which_child(st, sp, choice, heard.speech, AFTER)
            dated = self._action_with_date(st, sp, choice, heard.speech, AFTER)
            return dated if dated is not None else self._choose(st, sp, choice, AFTER)
        # A day or a child said is a request, even with thanks or a "non" before it
        # ("merci, pareil pour Nathan", "non, vendredi aussi").
        same = self._same_change(st, sp, heard.speech)
        if same is not None:
            return same
        if intent is Intent.REPEAT:  # not "pardon, pareil pour Nathan"
            return self._repeat(st, sp)
        if is_closing(heard.speech):  # "merci", "non c'est bon", "d'accord, merci"
            return self._bye(st, sp, AFTER)
        done = st.data.get("done")
        if done and (done[2] or len(done) < 4) and is_dismayed(heard.speech):
            # "Ah non", "oh là là" right after a change: not a goodbye that leaves it unsaid.
            line = sp._("If this was a mistake, say: I made a mistake.")
            return self._retry(st, sp, line, "dismay")
        if intent is Intent.NO and is_hesitant(heard.speech):  # "non, attendez": not a goodbye
            return self._retry(st, sp, self._not_understood(sp), "not_understood")
        if intent in (Intent.GOODBYE, Intent.NO):
            return self._bye(st, sp, AFTER)
        if intent in (Intent.ANOTHER, Intent.YES, Intent.OTHER_CHILD):
            return self._another(st, sp)
        return self._not_whom(st, sp, heard.speech)  # "et pour son frère aussi": which child

    def _taken_back(
        self,
        st: CallState,
        sp: Speaker,
        speech: str,
        intent: Intent | None,
        answered: str = AFTER,
        surely: bool = False,
        plainly: bool = False,
        alone: bool = False,
    ) -> Turn | None:
        """Right after a change, "mince, je voulais dire vendredi", "je me suis trompé, c'était
        pour Rose": the change said instead, read back with the undoing of the one just made
        ("Et le repas de Léa du jeudi 3 décembre sera de nouveau réservé."), both done on a
        yes. Without it, Friday would be cancelled too while the parent believes Thursday
        restored. Nothing named ("je me suis trompé"): the undoing alone is read back. If the
        first change can no longer be undone, the caller hears why, then the new change alone.
        ``None`` when nothing was just changed, the phrase takes nothing back, or asks for the
        other action ("je voulais réserver": an operation of its own). Said after the result or at
        the menu or date question that follows it (``answered``: which); ``surely``: only with a
        word of error; ``plainly``: the phrase takes it back in so many words (see
        :meth:`_undone_plainly`); ``alone``: it names nothing instead (see
        :meth:`_undone_after_all`)."""
        done = st.data.get("done")
        if not done or not done[2]:
            return None
        if len(done) > 3 and (intent is Intent.OTHER_CHILD or self._names_another(st, speech)):
            # After several requests of one phrase, the last with nothing to do or refused
            # (see _keep_series_end): which of them a day or child said would replace is not
            # known ("je voulais dire mercredi" to the date question after Tuesday refused is
            # Tuesday's): a request of its own, as before.
            return None
        weekday = date.fromisoformat(str(done[1])).weekday()
        strength = TakenBack.YES if plainly else taken_back(speech, weekday)
        if strength is TakenBack.NO or (surely and strength is not TakenBack.YES):
            return None
        if intent in (Intent.BOOK, Intent.CANCEL) and not (plainly or undoes(speech)) and (
            _CHOICES[intent] != done[0] or strength is not TakenBack.YES
        ):
            # "Je voulais réserver": an operation of its own; "pardon, je voudrais annuler
            # lundi pour Nathan": a request, politely.
            return None
        st.data["undo"] = done
        st.data.pop("undo_more", None)
        undo = self._undo(st, None)
        assert undo is not None  # done[2], the children it changed, is not empty
        day = undo[1]
        # Its lock too (one more read, on this step only): a day locked before its deadline
        # (by hand, or under a rule changed since) was read back as taken back, then refused
        # on "oui" by the booking engine, as the series undoing already says at once.
        too_late = self._too_late_to_undo(st, sp, undo, locks=True)
        if too_late:
            st.data.pop("undo")
        if intent is Intent.OTHER_CHILD and len(self._kids(st)) > 1:
            # "Je me suis trompé d'enfant": which child, then the same change for them, read
            # back with the undoing.
            st.data["resume"] = True
            return self._ask(st, sp, CHILD, too_late, answered, "change_child")
        turn = None if alone else self._same_change(st, sp, speech, True, too_late, answered)
        if turn is not None:
            return turn
        if strength is TakenBack.IF_NAMED:  # "pardon ?", "c'était bien ça": nothing instead
            st.data.pop("undo", None)
            return None
        more = self._series_undone(st)
        if more:  # "non attendez, annulez" after several days done: all of them taken back
            made = (str(done[0]), date.fromisoformat(str(done[1])), [str(r) for r in done[2]])
            return self._series_taken_back(st, sp, [*more, made], answered, "read_back:undo")
        if too_late:  # "je me suis trompé" about a change that can no longer be undone
            return self._ask(st, sp, AFTER, too_late, answered, "refused:undo", recap=True)
        st.data["day"] = day.isoformat()
        st.data["change"] = []  # the undoing alone
        return self._ask(st, sp, CONFIRM, [], answered, "read_back:undo", recap=True)

    def _series_taken_back(
        self,
        st: CallState,
        sp: Speaker,
        made: Sequence[tuple[str, date, list[str]]],
        answered: str,
        outcome: str,
    ) -> Turn:
        """The undoing of several changes just made ("non attendez, annulez" after "annuler
        lundi et réserver mardi"; each as made: action, day, children), read back, each
        checked against its deadline (and lock) now: those that can no longer be taken back
        are said first, with what stays, and only the others are read back, said to be all
        that can still be ("non" then keeps everything as it is). Before, the read-back
        promised Monday booked again past its deadline, and "oui" took back Tuesday alone.
        None left: said, then the question after a result, as for a single change. Also at
        its confirmation when a deadline passed since the read-back (``answered``: the step
        answered; ``outcome``: that of the read-back)."""
        lines: list[str] = []
        still: list[tuple[str, date, list[str]]] = []
        for action, day, refs in made:
            reverse = "cancel" if action == "book" else "book"
            late = self._too_late_to_undo(st, sp, (reverse, day, refs), locks=True)
            if late:  # (not kept for the staff pages: taking back is not a request of a day)
                lines += late
            else:
                still.append((action, day, refs))
        st.data.pop("undo", None)
        st.data.pop("undo_more", None)
        if not still:
            return self._ask(st, sp, AFTER, lines, answered, "refused:undo", recap=True)
        *earlier, (action, day, refs) = still
        st.data["undo"] = [action, day.isoformat(), refs]
        if earlier:
            st.data["undo_more"] = [[d.isoformat(), r, a] for a, d, r in earlier]
        if lines:  # "…reste annulé. Vous pouvez encore reprendre seulement le mardi 5 janvier."
            days = list(dict.fromkeys(d for _, d, _ in still))
            lines.append(sp.ngettext(
                "You can still take back only the change of %(days)s.",
                "You can still take back only the changes of %(days)s.",
                len(days),
                days=sp.days(days),
            ))
        st.data["day"] = day.isoformat()
        st.data["change"] = []  # the undoing alone
        return self._ask(st, sp, CONFIRM, lines, answered, outcome, recap=True)

    def _names_another(self, st: CallState, speech: str) -> bool:
        """Whether ``speech`` names a day other than that of the change just made (``done``),
        or children it did not change."""
        done = st.data["done"]
        guess = parse_date(speech, self.clock.today())
        if guess is not None and guess.day.isoformat() != str(done[1]):
            return True
        kids = self._kids(st)
        named = self._children_said(kids, speech, ordinals=False) if len(kids) > 1 else None
        return named is not None and not {k.ref for k in named} <= {str(r) for r in done[2]}

    def _nothing_taken_back(
        self, st: CallState, speech: str, intent: Intent | None, plainly: bool
    ) -> bool:
        """Whether ``speech``, right after several requests of one phrase that changed nothing
        (``done`` naming no children, see :meth:`_keep_series_end`), would take them back:
        "annulez" after a booking asked, "annulez ça", "non attendez, annulez", "je me suis
        trompé", naming no action, day or child instead (those are requests of their own)."""
        done = st.data.get("done")
        if not done or done[2] or len(done) < 4:
            return False
        if done[4:] == [_ALONE]:
            # After a request of its own, only in so many words ("je me suis trompé", "annulez
            # ça"): a bare "annulez", "non attendez, annulez" after "rien à annuler" may well be
            # the next cancellation (its day asked).
            plainly = False
        if not plainly and taken_back(speech) is not TakenBack.YES:
            return False
        asked = parse_intent(speech, {Intent.BOOK, Intent.CANCEL})
        if (intent in (Intent.BOOK, Intent.CANCEL) or asked is not None) and not (
            plainly or undoes(speech)
        ):
            return False  # "je me suis trompé, je voulais réserver"
        if intent is Intent.OTHER_CHILD:
            return False  # "je me suis trompé d'enfant": which child
        if parse_date(speech, self.clock.today()) is not None:
            return False
        kids = self._kids(st)
        return len(kids) < 2 or self._children_said(kids, speech, ordinals=False) is None

    def _undone_after_all(self, st: CallState, speech: str) -> bool:
        """Whether ``speech``, right after a result, says the children just changed eat after
        all (or do not), of the day just changed or of none: "ah non, finalement elle ira
        jeudi", "non en fait elle va mieux, elle ira à la cantine" after Rose's Thursday was
        cancelled. It was that cancellation again ("nothing to cancel") or a dismayed "ah
        non", and Rose ate unbooked; it is the undoing, read back."""
        done = st.data.get("done")
        if not done or not done[2]:
            return False
        stated = stated_after_all(speech)
        if stated is None or _CHOICES[stated] == done[0]:
            return False
        guess = parse_date(speech, self.clock.today())
        if guess is not None and guess.day.isoformat() != str(done[1]):
            return False  # "non, finalement elle mange vendredi": a request of its own
        kids = self._kids(st)
        named = self._children_said(kids, speech, ordinals=False) if len(kids) > 1 else None
        return named is None or {k.ref for k in named} <= {str(r) for r in done[2]}

    @staticmethod
    def _undone_plainly(st: CallState, speech: str) -> bool:
        """Whether ``speech``, right after a result, takes back the change just made with a bare
        "annulez" ("non, annulez", "non attendez, annulez", "zut, annulez !"): with no day and
        no child, nothing else is asked but undoing it. After a cancellation only with a word
        that takes it back ("non", "attendez", "zut"): "annulez" alone there may well be the
        next cancellation (its day asked), "annulez jeudi pour Nathan" always is."""
        done = st.data.get("done")
        if not done or not _bare_cancel(speech):
            return False
        taking_back = bool(_TAKING_BACK & set(normalise(speech).split()))
        return _last_asked(done) == "book" or taking_back

    def _too_late_to_undo(
        self, st: CallState, sp: Speaker, undo: tuple[str, date, list[str]], locks: bool = False
    ) -> list[str]:
        """Why the change just made can no longer be undone (its deadline passed since, or,
        with ``locks``, its day is locked), and that it stays; empty when it can."""
        late = self._past_deadline(st, sp, *undo, locks=locks)
        return [*late, self._stays(st, sp, undo)] if late else []

    def _past_deadline(
        self,
        st: CallState,
        sp: Speaker,
        action: str,
        day: date,
        refs: Sequence[str],
        locks: bool = False,
    ) -> list[str]:
        """Why ``action`` on ``day`` for those children is past its deadline (or, with
        ``locks``, locked: one more read); empty if not."""
        now = self.clock.now()
        states: dict[str, ChildDay | None] = {}
        if locks:
            account = st.account
            assert account is not None
            found = self.booking.outlook(account, start=day, days=1).states
            states = {ref: next(iter(found.get(ref, [])), None) for ref in refs}
        for kid, status in self._phone_statuses(st, day, refs):
            if status.deadline is not None and self._too_late(status, states.get(kid.ref), now):
                exc = PastDeadline(day, status.deadline, action, kid.name)
                return [self._refusal(sp, exc, action, len(refs), served=self._served(st, refs))]
        return []

    def _phone_statuses(
        self, st: CallState, day: date, refs: Sequence[str]
    ) -> list[tuple[Kid, DayStatus]]:
        """``day``'s status on the phone line for each of the children ``refs`` (their schools'
        canteen days and deadlines; no database read). Raises OutsideCalendar."""
        return [
            (kid, self.booking.day_status(day, kid.school, "phone"))
            for kid in self._kids(st)
            if kid.ref in refs
        ]

    def _undo(self, st: CallState, new_day: date | None) -> tuple[str, date, list[str]] | None:
        """The change to undo with the one asked for ``new_day`` (``None``: the undoing alone):
        the reverse action, its day, the children, less those the new change is for on that
        same day ("non, pour Léa et Hugo" after Léa's: only Hugo's is new, and Léa's
        stays)."""
        undo = st.data.get("undo")
        if not undo:
            return None
        action, day, refs = str(undo[0]), str(undo[1]), [str(r) for r in undo[2]]
        if new_day is not None and new_day.isoformat() == day:
            refs = [r for r in refs if r not in (st.data.get("pick") or [])]
        if not refs:
            return None
        return ("cancel" if action == "book" else "book"), date.fromisoformat(day), refs

    def _names_of(self, st: CallState, refs: Sequence[str]) -> list[str]:
        return [k.name for k in self._kids(st) if k.ref in refs]

    def _kept(self, st: CallState, sp: Speaker, new_day: date) -> list[str]:
        """While a change is taken back and the one said instead is refused: that the first
        one stands, until another day is confirmed (the read-back will say its undoing)."""
        undo = self._undo(st, new_day)
        return [] if undo is None else [self._stays(st, sp, undo)]

    def _stays(self, st: CallState, sp: Speaker, undo: tuple[str, date, list[str]]) -> str:
        """ "Le repas de Léa du jeudi 3 décembre reste annulé.": the change that was to be
        undone, and is not."""
        reverse, day, refs = undo
        names = self._names_of(st, refs)
        params = {"names": sp.names(names), "day": sp.day(day)}
        if reverse == "book":
            return sp.ngettext(
                "The meal of %(names)s on %(day)s stays cancelled.",
                "The meals of %(names)s on %(day)s stay cancelled.",
                len(names),
                **params,
            )
        return sp.ngettext(
            "The meal of %(names)s on %(day)s stays booked.",
            "The meals of %(names)s on %(day)s stay booked.",
            len(names),
            **params,
        )

    def _run_undo(
        self, st: CallState, sp: Speaker, undo: tuple[str, date, list[str]], actor: Actor
    ) -> tuple[list[str] | None, list[str], tuple[Receipt, ...]]:
        """Undo the change taken back: the children it changed (``None`` if it was refused),
        what to say of it, and its receipts."""
        reverse, day, refs = undo
        try:
            results = self._change(st, reverse, day, actor, refs)
        except BookingError as exc:  # its deadline passed during the read-back
            lines = [self._refusal(sp, exc, reverse, len(refs), served=self._served(st, refs))]
            return None, [*lines, self._stays(st, sp, undo), sp._("Nothing else was changed.")], ()
        except TooSlow:  # rolled back, past the webhook's time limit
            return None, [self._stays(st, sp, undo), sp._("Nothing else was changed.")], ()
        changed = [r for r in results if r.changed]
        lines = self._result_lines(sp, reverse, day, [r for r in results if not r.changed])
        if changed:
            st.settle("booked" if reverse == "book" else "cancelled")
            names = [r.first_name for r in changed]
            params = {"names": sp.names(names), "day": sp.day(day)}
            if reverse == "book":
                undone = sp.ngettext(
                    "The meal of %(names)s on %(day)s is booked again.",
                    "The meals of %(names)s on %(day)s are booked again.",
                    len(names),
                    **params,
                )
            else:
                undone = sp.ngettext(
                    "The meal of %(names)s on %(day)s is no longer booked.",
                    "The meals of %(names)s on %(day)s are no longer booked.",
                    len(names),
                    **params,
                )
            lines.insert(0, undone)
        refs_done = [r.child_ref for r in changed]
        return refs_done, lines, self._receipts(st, reverse, day, changed)

    def _same_change(
        self,
        st: CallState,
        sp: Speaker,
        speech: str,
        nearest: bool = False,
        before: Sequence[str] = (),
        answered: str = AFTER,
    ) -> Turn | None:
        """After a result, "lundi prochain", "oui, vendredi", "le lendemain", "pareil pour
        Margaux", "et Nathan aussi le 4": the same change for that day or those children (the
        day just done, unless another is said), read back. A child named after listening gets
        the menu. ``None`` when the phrase names no day and no child. ``nearest``: see
        :meth:`_day_at_read_back`; ``before``: said first."""
        last_said = st.data.get("day")
        last = date.fromisoformat(str(last_said)) if last_said else None
        today = self.clock.today()
        guess = parse_date(speech, today)
        if guess is None and last is not None:
            # "Et la veille", "mince, c'était le jour d'avant": no day but from the one just done
            guess = parse_date(speech, today, heard=last)
        day = guess.day if guess is not None else None
        # "Les 3 et 4 aussi", "et jeudi et vendredi": several days, taken one after the other
        action = _CHANGES.get(str(st.data.get("action")))
        listed = days_said(speech, today, action) if day is None and action else []
        moved = shifted_day(speech, last, today) if last is not None and not listed else None
        if moved is not None:
            # "Mince, c'était le jeudi d'après", "je me suis trompée de semaine, c'était la
            # semaine d'avant", "et la semaine suivante aussi": counted from the day just done
            day = moved
        elif last is not None and day is not None:
            # "Oui, vendredi" after Thursday 3 December: the Friday after it, as at a read-back;
            # "le lendemain", "le jour d'après": the school day after it
            day = self._day_at_read_back(speech, last, nearest)
        kids = self._kids(st)
        named = self._children_said(kids, speech, ordinals=False) if len(kids) > 1 else None
        if (
            named is not None
            and day is None
            and st.data.get("action")
            and {k.ref for k in named} == set(st.data.get("pick") or ())
            and is_closing(speech)
        ):
            # "Non, c'est bon pour Nathan, au revoir" right after Nathan's change: a comment on
            # it, not the same change again for him.
            return None
        if named is not None:
            self._pick(st, named)
        if len(listed) > 1:
            return self._one_after_another(st, sp, listed, answered, before)
        target = day or last
        said = day is not None or named is not None
        if said and target is not None and st.data.get("action"):
            return self._with_date(st, sp, target, answered, before)
        if named is not None:  # after listening: what to do for them
            return self._ask(st, sp, ACTION, list(before), answered, "change_child")
        return None

    # ------------------------------------------------------------------ questions
    def _question(
        self, st: CallState, sp: Speaker, step: str
    ) -> tuple[Sequence[str | Aside | None], Ask]:
        if step == ACCOUNT:
            return (
                [sp._("Please type your family account number, then press the hash key.")],
                Ask(ACCOUNT, None, False, timeout=TYPING_TIMEOUT),
            )
        if step == PIN and st.data.get("locked_offer"):
            return [self._other_phone_hint(sp)], Ask(PIN, 4, False, timeout=TYPING_TIMEOUT)
        if step == PIN:
            return (
                [sp._("Please type your four-digit secret code.")],
                Ask(PIN, 4, False, timeout=TYPING_TIMEOUT),
            )
        if step == CHILD:
            kids = self._kids(st)
            lines = [
                sp._("For %(name)s, press %(key)s.", name=k.name, key=i)
                for i, k in enumerate(kids[:8], start=1)
            ]
            lines.append(sp._("For all your children, press 9."))
            if sp.speech:
                lines.append(sp._("You can also say the first name."))
            return lines, Ask(CHILD, 1, sp.speech, child_hints([k.name for k in kids]))
        if step == ACTION and self._day_asked(st) is not None:
            return self._action_for_day(st, sp)
        if step == ACTION:
            menu: list[str | Aside | None] = []
            if len(self._kids(st)) > 1:
                menu.append(sp._("For %(names)s:", names=sp.names(self._picked_names(st))))
            menu.append(sp._("To book a meal, press 1. To cancel a meal, press 2."))
            menu.append(sp._("To hear the meals booked for the next two weeks, press 3."))
            if len(self._picked(st)) > 1:
                # All of them (9), or several named: "un autre enfant" would mean none of them.
                menu.append(sp._("To choose just one child, press 4."))
            elif len(self._kids(st)) > 1:
                menu.append(sp._("To choose another child, press 4."))
            if sp.speech:
                menu.append(sp._("You can also say: book, cancel, or listen."))
            menu.append(self._french_offer(st))
            return menu, Ask(ACTION, 1, sp.speech, SPEECH_HINTS["action"])
        if step == DATE:
            return self._date_question(st, sp), Ask(DATE, 4, sp.speech, SPEECH_HINTS["date"])
        if step == CONFIRM:
            return self._read_back(st, sp), Ask(CONFIRM, 1, sp.speech, SPEECH_HINTS["confirm"])
        if step == AFTER:
            after: list[str | Aside | None] = [
                sp._("For another operation, press 1. To end the call, press 2."),
                self._french_offer(st),
            ]
            return after, Ask(AFTER, 1, sp.speech, SPEECH_HINTS["after"])
        raise ValueError(f"no question for step {step!r}")

    def _action_for_day(self, st: CallState, sp: Speaker) -> tuple[list[str | Aside | None], Ask]:
        """The action menu once a day was said there without the action ("jeudi"): only the
        action is asked (keys 3 and 4 still work as on the whole menu)."""
        day = self._day_asked(st)
        assert day is not None
        more = [date.fromisoformat(str(d)) for d in st.data.get("asked_more") or []]
        whom = st.data.get("asked_for") or []
        if len(whom) == len(more) + 1 and len(self._kids(st)) > 1:
            # "Rose jeudi et Nathan lundi": "Pour Rose le jeudi 26 novembre et pour Nathan le
            # lundi 30 novembre :"
            pieces = [
                sp._(
                    "for %(names)s on %(day)s",
                    names=sp.names(self._names_of(st, refs)),
                    day=sp.day(d),
                )
                for d, refs in zip((day, *more), whom, strict=True)
            ]
            said = sp._("%(requests)s:", requests=sp.names(pieces))
            lines = [said[:1].upper() + said[1:]]
        elif more:  # "jeudi et vendredi": "Pour Rose, le jeudi 26 et le vendredi 27 novembre :"
            days = sp.names([sp._("on %(day)s", day=sp.day(d)) for d in (day, *more)])
            names = sp.names(self._picked_names(st))
            lines = [sp._("For %(names)s, %(days)s:", names=names, days=days)]
        elif len(self._kids(st)) > 1:
            names = sp.names(self._picked_names(st))
            lines = [sp._("For %(names)s, on %(day)s:", names=names, day=sp.day(day))]
        else:
            lines = [sp._("For %(day)s:", day=sp.day(day))]
        lines.append(sp._("To book, press 1. To cancel, press 2."))
        if sp.speech:
            lines.append(sp._("You can also say: book or cancel."))
        return [*lines, self._french_offer(st)], Ask(ACTION, 1, sp.speech, SPEECH_HINTS["action"])

    def _date_question(self, st: CallState, sp: Speaker) -> list[str]:
        action = st.data.get("action")
        choice = [date.fromisoformat(str(day)) for day in st.data.get("choice") or []]
        if choice:
            # "Jeudi ou vendredi": "Le jeudi 26 ou le vendredi 27 novembre ?", the month once
            # as the listing says it (it was said after each day)
            st.data["offered"] = None  # a "oui" now is no day
            days = sp.days_either(choice)
            asked = sp._("%(days)s? Say the day, or type it with four digits.", days=days)
            return [asked[:1].upper() + asked[1:]]
        lines = [
            sp._("Which day do you want to book?")
            if action == "book"
            else sp._("Which day do you want to cancel?"),
        ]
        if not st.data.pop("told_keys", False):  # just said with the keys that were no date
            lines.append(sp._("Type the day, then the month: four digits."))
        offered = self._offered_day(st)
        first, applies, having, until = offered
        taken = self._offer_taken(str(action), offered)
        st.data["offered"] = taken.isoformat() if taken is not None else None  # for a "oui"
        # No day to offer (nothing to cancel, every day booked, no day open): the caller most
        # likely wants another action or child, and must hear the key for it the first time.
        nothing_to_offer = first is None or not applies
        if first is not None:
            params = {"day": sp.day(first), "keys": sp.keys(first.strftime("%d%m"))}
            if applies and action == "cancel":
                offer = sp._(
                    "The first meal you can still cancel is on %(day)s: for that day, type "
                    "%(keys)s.",
                    **params,
                )
            elif applies:
                offer = sp._(
                    "The first day you can still book a meal for is %(day)s: for that day, "
                    "type %(keys)s.",
                    **params,
                )
            elif action == "cancel" and until is not None:
                # Nothing booked to cancel for months (a child who eats day by day): offering the
                # first open day would only lead to "rien à annuler". "At least": ``until`` is
                # how far the line looked, not where the meals change.
                names = self._picked_names(st)
                offer = sp.ngettext(
                    "%(names)s has no meal booked that can still be cancelled, at least until "
                    "%(day)s.",
                    "%(names)s have no meal booked that can still be cancelled, at least until "
                    "%(day)s.",
                    len(names),
                    names=sp.names(names),
                    day=sp.day(until),
                )
            elif action == "book" and having and until is not None:
                # Every open day already booked for months (a child who eats every day): the
                # first open day would only lead to "déjà réservé". Said of the children who have
                # open days (not of one whose enrolment has ended).
                offer = sp.ngettext(
                    "%(names)s already has a meal booked on every canteen day, at least until "
                    "%(day)s.",
                    "%(names)s already have a meal booked on every canteen day, at least until "
                    "%(day)s.",
                    len(having),
                    names=sp.names(having),
                    day=sp.day(until),
                )
            else:
                nothing_to_offer = False
                offer = sp._(
                    "The first day you can still change is %(day)s: for that day, type %(keys)s.",
                    **params,
                )
            lines.append(offer)
        else:
            lines.extend(self._none_open_near_the_end(sp))
        if sp.speech:
            lines.append(sp._("You can also say the date."))
        if st.data.get("date_asked") or nothing_to_offer or st.data.get("after_refusal"):
            # Asked again (after a refusal, a wrong date, 2 at the read-back): a caller on the
            # keypad alone (an English-speaking family) may want another action or child
            # instead, and had no key for it. A refusal counts even when the day came with the
            # action ("annuler pour demain"), the question never asked before: else the key
            # was left out, and "*" then repeated the question with a line it had not said.
            lines.append(sp._("To go back to the menu, press 0."))
        if st.data.get("after_refusal"):
            # Refused, a parent may be done: how to end the call, with the key that ends it
            # after a result (not read as a date: a date is four keys).
            lines.append(sp._("To end the call, press 2."))
        st.data["date_asked"] = True
        return lines

    def _unknown_calendar(self, st: CallState, sp: Speaker, day: date) -> str:
        """Why ``day``, past the school calendar in use, cannot change. Whether it is a school
        day is not guessed; but a day the canteen never serves (a Wednesday, a public holiday)
        is said as such, and a day whose deadline counts back to days the calendar knows has
        that deadline all the same (:meth:`SchoolCalendar.deadline_beyond`: Friday 3 September
        2027's is Friday 2 July, 13:00): once passed, the day can never change, and "it can
        once the calendar is published" was a false promise; before, that deadline, and that
        the line cannot change the day until the town loads the calendar. Otherwise "choose a
        nearer date", except in late summer, when no nearer day can change either (their
        deadlines passed in July): then, that its deadline cannot be told yet. Both with who
        to call (the help desk)."""
        params = {"day": sp.day(day, year=False), "year": day.year}  # the sentence says the year
        known = self._beyond(st, day)
        if isinstance(known, DayStatus):
            return self._closed_day(sp, day, known)
        if known is not None and self.clock.now() >= known:
            action = st.data.get("action")
            if action == "book":
                return sp._(
                    "I do not know the school calendar of %(day)s %(year)s yet, but if there is "
                    "school catering that day, it is too late: you had to book "
                    "%(before)s.",
                    before=sp.before(known), **params,
                )
            if action == "cancel":
                return sp._(
                    "I do not know the school calendar of %(day)s %(year)s yet, but if there is "
                    "school catering that day, it is too late: you had to cancel "
                    "%(before)s.",
                    before=sp.before(known), **params,
                )
            return sp._(
                "I do not know the school calendar of %(day)s %(year)s yet, but if there is "
                "school catering that day, it is too late to change it: it had to be done "
                "%(before)s.",
                before=sp.before(known), **params,
            )
        # Not "once the calendar is published": the line has no say in when the town loads
        # the next calendar, and on 2 July at 12:30 "before 13:00 today" could not be kept.
        # What is true, and who can help: the billing centre (the configured help desk).
        if known is not None:
            said = sp._(
                "I do not know the school calendar of %(day)s %(year)s yet: the town has not "
                "loaded it, so this meal cannot be changed on this line for now. If there is "
                "school catering that day, it would have to be changed %(before)s.",
                before=sp.before(known), **params,
            )
            return " ".join(p for p in (said, self._desk_sentence(sp)) if p)
        if self._calendar_end_near() is not None and self._first_open(self._picked(st)) is None:
            said = sp._(
                "I do not know the school calendar of %(day)s %(year)s yet: the town has not "
                "loaded it, so I cannot tell yet until when this meal can be changed.",
                **params,
            )
            return " ".join(p for p in (said, self._desk_sentence(sp)) if p)
        return sp._(
            "I do not know the school calendar of %(day)s %(year)s yet. Please choose a nearer "
            "date.",
            **params,
        )

    def _beyond(self, st: CallState, day: date) -> DayStatus | datetime | None:
        """What is known of ``day``, past the school calendar, for the children picked (the
        town's canteen days before any is): a :class:`DayStatus` when it has no canteen for
        any of them whatever the calendar (a Wednesday, a public holiday); else the latest of
        their deadlines when each is known (:meth:`SchoolCalendar.deadline_beyond`); else
        None. Only on a refusal: never on the way of a change."""
        cal = self.booking.calendar
        if day <= cal.last_covered:
            return None
        rule = self.settings.rule_for("phone")
        schools: set[str | None] = {k.school for k in self._picked(st)} or {None}
        weekdays = [
            self.settings.weekdays_of(self.settings.school(s) if s else None) for s in schools
        ]
        reasons = [cal.closed_beyond(day, w) for w in weekdays]
        if all(reasons):
            return DayStatus(day, False, reasons[0])
        deadlines = [
            cal.deadline_beyond(day, w, rule)
            for w, why in zip(weekdays, reasons, strict=True)
            if not why
        ]
        found = [d for d in deadlines if d is not None]
        return max(found) if found and len(found) == len(deadlines) else None

    def _none_open_near_the_end(self, sp: Speaker) -> list[str]:
        """Why no day can be changed, when it is the school calendar's end (no day it knows is
        open any more): what the date question says instead of a day to type, and the answer to
        "jusqu'à quand je peux annuler ?" then. Empty when the calendar's end is not near."""
        end = self._calendar_end_near()
        if end is None:
            return []
        if end < self.clock.today():
            # The calendar in use has ended (a town that has not loaded the new one yet).
            return [
                sp._(
                    "The school calendar after %(day)s is not known yet: no day can be changed "
                    "for now.",
                    day=sp.day(end),
                )
            ]
        # Mid-August: the first days of September are past their deadline, and the days
        # after are not in the calendar yet. Said, rather than a question with no hint.
        return [
            sp._(
                "No day up to and including %(day)s can be changed any more, and the "
                "school calendar after that date is not known yet.",
                day=sp.day(end),
            )
        ]

    def _calendar_end_near(self) -> date | None:
        """The last day of the school calendar in use, when it is near (within two months):
        the date question then has no day to offer beyond it."""
        end = self.booking.calendar.school_holidays.last_covered
        return end if end - self.clock.today() <= timedelta(days=62) else None

    def _read_back(self, st: CallState, sp: Speaker) -> list[str]:
        day = date.fromisoformat(str(st.data["day"]))
        refs = st.data.get("change", [])
        lines = []
        if refs:
            names = self._names_of(st, refs)
            params = {"names": sp.names(names), "day": sp.day(day)}
            if st.data.get("action") == "book":
                what = sp.ngettext(
                    "You want to book the meal of %(names)s on %(day)s.",
                    "You want to book the meals of %(names)s on %(day)s.",
                    len(names),
                    **params,
                )
            else:
                what = sp.ngettext(
                    "You want to cancel the meal of %(names)s on %(day)s.",
                    "You want to cancel the meals of %(names)s on %(day)s.",
                    len(names),
                    **params,
                )
            lines.append(what)
        undo = self._undo(st, day if refs else None)
        more = self._more_undone(st) if not refs else []
        if undo is not None and more:
            lines += self._series_undo_read_back(st, sp, undo, more)
        elif undo is not None:
            lines.append(self._undo_read_back(st, sp, undo, alone=not refs))
        # The change read back and the undoing: either deadline may be minutes away, and both
        # are made or neither.
        changes = ([(day, refs)] if refs else []) + ([(undo[1], undo[2])] if undo else [])
        changes += [(d, r) for _, d, r in more]
        hurry = self._hurry(st, sp, changes)
        if hurry:
            lines.append(hurry)
        lines.append(self._read_back_keys(st, sp, undo_alone=undo is not None and not refs))
        if sp.speech:
            lines.append(sp._("You can also say yes or no."))
        return lines

    @staticmethod
    def _read_back_key_choices(sp: Speaker) -> dict[str, str]:
        """What 1 and 2 do at a read-back, by kind: the keypad contract's "another date"; the
        undoing alone, where 2 changes nothing; one of several days taken one by one, where 2,
        like "non", leaves that day and reads back the next (see :meth:`_skip_day`)."""
        return {
            "other_date": sp._("To confirm, press 1. To choose another date, press 2."),
            "undo_alone": sp._("To confirm, press 1. To change nothing, press 2."),
            "next_day": sp._(
                "To confirm, press 1. To leave this day as it is and go on to the next, press 2."
            ),
        }

    def _read_back_keys(self, st: CallState, sp: Speaker, undo_alone: bool) -> str:
        """The keys said at a read-back (see :meth:`_read_back_key_choices`)."""
        kind = "undo_alone" if undo_alone else "next_day" if st.data.get("queue") else "other_date"
        return self._read_back_key_choices(sp)[kind]

    def _hurry(
        self, st: CallState, sp: Speaker, changes: Sequence[tuple[date, Sequence[str]]]
    ) -> str | None:
        """A warning at the read-back when a deadline of the changes read back (each a day and
        its children) is minutes away (a parent calling at 12:57 must not linger over "pour
        confirmer"): the hour, and how little time is left, rounded up ("dans moins de 3
        minutes"). ``None`` when it is further."""
        now = self.clock.now()
        statuses: list[tuple[Kid, DayStatus]] = []
        for day, refs in changes:
            # past the calendar: refused when confirmed
            with contextlib.suppress(BookingError):
                statuses += self._phone_statuses(st, day, refs)
        deadlines = [s.deadline for _, s in statuses if s.deadline is not None and s.deadline > now]
        if not deadlines or min(deadlines) - now >= HURRY:
            return None
        deadline = min(deadlines)
        # Rounded up, so that 5 minutes left exactly (12:55:00) is not "moins de 6 minutes".
        minutes = math.ceil((deadline - now).total_seconds() / 60)
        text = sp.ngettext(
            "Please note: this change is only possible before %(hour)s, in less than a minute.",
            "Please note: this change is only possible before %(hour)s, in less than "
            "%(minutes)d minutes.",
            minutes,
            hour=sp.hour(deadline),
            minutes=minutes,
        )
        hurried = list(dict.fromkeys(k.name for k, s in statuses if s.deadline == deadline))
        if len(hurried) < len(dict.fromkeys(k.name for k, _ in statuses)):
            # Another school's later deadline: the others' change is still possible after.
            # ("Pour Léa : ce changement…", not "Pour Léa : attention : ce changement…".)
            text = text.split(": ", 1)[-1]
            return sp._("For %(name)s: %(text)s", name=sp.names(hurried), text=text)
        return text

    def _series_undo_read_back(
        self,
        st: CallState,
        sp: Speaker,
        undo: tuple[str, date, list[str]],
        more: Sequence[tuple[str, date, list[str]]],
    ) -> list[str]:
        """The undoing of a request of several days, read back: one sentence for the children
        undone on the same days ("Vous souhaitez que les repas de Rose des jeudi 26 et vendredi
        27 novembre soient de nouveau réservés."). Several requests of one phrase undone
        together, of opposite actions, say each undoing: the other action after the first
        ("Vous souhaitez que le repas de Nathan du jeudi 26 novembre soit de nouveau réservé.
        Et le repas de Nathan du vendredi 27 novembre ne sera plus réservé.")."""
        groups: dict[tuple[str, tuple[str, ...]], list[date]] = {}
        for reverse, day, refs in [*more, undo]:
            groups.setdefault((reverse, tuple(self._names_of(st, refs))), []).append(day)
        first = next(iter(groups))[0]
        lines = []
        for (reverse, names), days in groups.items():
            alone = reverse == first  # "Vous souhaitez que…"; the other action "Et…"
            if len(days) == 1:
                lines.append(self._undo_read_back(st, sp, (reverse, days[0], [
                    k.ref for k in self._kids(st) if k.name in names
                ]), alone=alone))
                continue
            params = {"names": sp.names(names), "days": sp.days(days)}
            if reverse == "book" and alone:
                lines.append(sp._(
                    "You want the meals of %(names)s on %(days)s to be booked again.", **params
                ))
            elif alone:
                lines.append(sp._(
                    "You want the meals of %(names)s on %(days)s to be no longer booked.",
                    **params,
                ))
            elif reverse == "book":
                lines.append(sp._(
                    "And the meals of %(names)s on %(days)s will be booked again.", **params
                ))
            else:
                lines.append(sp._(
                    "And the meals of %(names)s on %(days)s will no longer be booked.", **params
                ))
        return lines

    def _undo_read_back(
        self, st: CallState, sp: Speaker, undo: tuple[str, date, list[str]], alone: bool
    ) -> str:
        reverse, day, refs = undo
        names = self._names_of(st, refs)
        n = len(names)
        params = {"names": sp.names(names), "day": sp.day(day)}
        if alone and reverse == "book":
            return sp.ngettext(
                "You want the meal of %(names)s on %(day)s to be booked again.",
                "You want the meals of %(names)s on %(day)s to be booked again.",
                n,
                **params,
            )
        if alone:
            return sp.ngettext(
                "You want the meal of %(names)s on %(day)s to be no longer booked.",
                "You want the meals of %(names)s on %(day)s to be no longer booked.",
                n,
                **params,
            )
        if reverse == "book":
            return sp.ngettext(
                "And the meal of %(names)s on %(day)s will be booked again.",
                "And the meals of %(names)s on %(day)s will be booked again.",
                n,
                **params,
            )
        return sp.ngettext(
            "And the meal of %(names)s on %(day)s will no longer be booked.",
            "And the meals of %(names)s on %(day)s will no longer be booked.",
            n,
            **params,
        )

    # ------------------------------------------------------------------ checks and words
    def _check(self, st: CallState, sp: Speaker, day: date) -> Check:
        """Why the change cannot be done on ``day``, or which children it will change."""
        action = str(st.data.get("action", "book"))
        kids = self._picked(st)
        now = self.clock.now()
        try:
            outlook, statuses = self._day_of(st, day, kids)
        except OutsideCalendar:
            last_year = _year_before(day)
            if last_year is not None and timedelta(0) < now.date() - last_year <= RECENT_PAST:
                # "2011" typed on 23 November is next year's 20 November by the keypad
                # contract, but surely meant last week's: a calendar not published yet would
                # be a puzzling answer. (The weekday said with it is checked against that
                # day: see _weekday_note.)
                return Check(
                    sp._("%(day)s is already past.", day=sp.day(last_year)), "past_day"
                )
            return Check(self._unknown_calendar(st, sp, day), "outside_calendar")
        # With several children, a day that some of them cannot have (another school's strike,
        # an enrolment that ended) is changed for the others, and the caller hears about each.
        notes: list[str] = []
        closed = [k for k in kids if not statuses[k.ref].operating]
        if closed and (len(closed) == len(kids) or not st.data.get("all")):
            return Check(self._closed_day(sp, day, statuses[closed[0].ref]), NotOperatingDay.code)
        if closed:
            notes.append(self._closed_day(sp, day, statuses[closed[0].ref], closed))
        states = outlook.states
        today_state: dict[str, ChildDay | None] = {
            k.ref: next(iter(states.get(k.ref, [])), None) for k in kids
        }
        open_kids = [k for k in kids if k not in closed]
        enrolled = [k for k in open_kids if (s := today_state[k.ref]) is not None and s.operating]
        missing = [k for k in open_kids if k not in enrolled]
        if missing:
            text = sp.ngettext(
                "%(names)s is not registered for school catering on %(day)s.",
                "%(names)s are not registered for school catering on %(day)s.",
                len(missing),
                names=sp.names([k.name for k in missing]),
                day=sp.day(day),
            )
            if not st.data.get("all") or not enrolled:
                return Check(text, NotEnrolled.code)
            notes.append(text)
        want = action == "book"
        done = [k for k in enrolled if (s := today_state[k.ref]) is not None and s.booked == want]
        change = [k for k in enrolled if k not in done]
        if done:
            notes += self._done_notes(st, sp, day, want, done, today_state, outlook.ids)
        late = [k for k in change if self._too_late(statuses[k.ref], today_state[k.ref], now)]
        if late:
            deadline = statuses[late[0].ref].deadline
            assert deadline is not None  # an operating day
            exc = PastDeadline(day, deadline, action, late[0].name)
            served = self._served(st, [k.ref for k in late])
            text = self._refusal(sp, exc, action, len(late), served=served)
            if len(late) < len(kids):
                # The others are dealt with otherwise (changed, already so, closed, their school
                # with a later deadline): name those it is too late for, or a parent would take
                # "le repas sera facturé" for all of them.
                names = sp.names([k.name for k in late])
                text = sp._("For %(name)s: %(text)s", name=names, text=_after_colon(text))
            change = [k for k in change if k not in late]
            if not change:
                return Check(" ".join([*notes, text]), PastDeadline.code)
            notes.append(text)
        return Check(
            change=tuple(change), notes=tuple(notes), late=tuple(late), done=tuple(done)
        )

    def _done_notes(
        self, st: CallState, sp: Speaker, day: date, want: bool, done: Sequence[Kid],
        states: dict[str, ChildDay | None], ids: Mapping[str, int],
    ) -> list[str]:
        """What is said of the children whose meal of ``day`` is already as asked: "déjà
        réservé", "rien à annuler", or, when it was booked or cancelled by hand earlier, when
        and how ("Le repas de Margaux du jeudi 26 novembre a déjà été annulé le lundi 23
        novembre à 10 h 20, par téléphone."): a parent calling again to be sure hears that it
        is done. Those decided at the same moment are said together."""
        decided: dict[str, Decided] = {
            k.ref: d for k in done if (s := states[k.ref]) is not None and (d := s.decided)
        }
        unknown = {ids[k.ref]: k.ref for k in done if k.ref not in decided and k.ref in ids}
        if not want and unknown:
            # An extra meal booked then cancelled leaves no booking day, only its journal
            # entry: read for "rien à annuler" only (rare), never on a change's way.
            found = self.booking.cancelled_earlier(list(unknown), day)
            decided |= {unknown[child_id]: d for child_id, d in found.items()}
        groups: dict[str, list[str]] = {}
        for k in done:
            earlier = decided.get(k.ref)
            if earlier is None:
                when = ""
            elif _made_in_call(st, k.ref, day, earlier):
                # "aujourd'hui à 10 h 20, par téléphone" of a change the caller made minutes
                # ago in this very call reads as someone else's doing.
                when = sp._("during this call")
            else:
                when = _decided_said(sp, earlier)
            groups.setdefault(when, []).append(k.name)
        notes = []
        for when, kid_names in groups.items():
            params = {"names": sp.names(kid_names), "day": sp.day(day), "when": when}
            n = len(kid_names)
            if want and when:
                text = sp.ngettext(
                    "The meal of %(names)s on %(day)s was already booked %(when)s.",
                    "The meals of %(names)s on %(day)s were already booked %(when)s.",
                    n, **params,
                )
            elif want:
                text = sp.ngettext(
                    "The meal of %(names)s on %(day)s is already booked.",
                    "The meals of %(names)s on %(day)s are already booked.",
                    n, **params,
                )
            elif when:
                text = sp.ngettext(
                    "The meal of %(names)s on %(day)s was already cancelled %(when)s.",
                    "The meals of %(names)s on %(day)s were already cancelled %(when)s.",
                    n, **params,
                )
            else:
                text = sp.ngettext(
                    "%(names)s has no meal booked on %(day)s: there is nothing to cancel.",
                    "%(names)s have no meal booked on %(day)s: there is nothing to cancel.",
                    n, **params,
                )
            notes.append(text)
        return notes

    @staticmethod
    def _too_late(status: DayStatus, state: ChildDay | None, now: datetime) -> bool:
        """Whether a child's meal of the day can no longer be changed: its school's deadline
        has passed (schools with other canteen days have other deadlines), or it is locked."""
        assert status.deadline is not None
        return now >= status.deadline or (state is not None and state.locked)

    def _refusal(
        self,
        sp: Speaker,
        exc: BookingError,
        action: str,
        count: int = 1,
        served: frozenset[int] | None = None,
    ) -> str:
        """Why a change was refused, in the caller's words, with the deadline that applied
        (``count``: the children it is said of; ``served``: the canteen weekdays of their
        schools, the town's when not given)."""
        if isinstance(exc, PastDeadline | DayLocked):
            deadline = exc.deadline if isinstance(exc, PastDeadline) else None
            if deadline is None and exc.day is not None:
                deadline = self.booking.day_status(exc.day).deadline
            # The day is said: a date misheard ("mardi prochain" taken for tomorrow) shows.
            day = sp.day(exc.day) if exc.day is not None else ""
            if deadline is None:
                text = sp._("Too late: the meals of that day were already sent to the kitchen.")
            elif exc.day is not None and self.clock.now() < deadline:
                # Locked before its deadline (``restomairie lock`` run early, a rule changed
                # since): "il fallait annuler aujourd'hui avant 13 heures" at 10:00 is false.
                text = self._sent_to_kitchen(sp, exc.day, action, count)
            elif action == "book":
                text = sp._(
                    "Too late for %(day)s: you had to book %(before)s. A meal eaten "
                    "without booking is charged at the highest rate.",
                    day=day,
                    before=sp.before(deadline),
                )
            else:
                text = sp.ngettext(
                    "Too late for %(day)s: you had to cancel %(before)s. The meal will "
                    "be charged, unless an illness is reported to the school.",
                    "Too late for %(day)s: you had to cancel %(before)s. The meals will "
                    "be charged, unless an illness is reported to the school.",
                    count,
                    day=day,
                    before=sp.before(deadline),
                )
            if deadline is not None and exc.day is not None:
                weekdays = served if served is not None else self.settings.weekdays_of(None)
                text = " ".join([text, *self._not_counted(sp, [(exc.day, deadline, weekdays)])])
        elif isinstance(exc, NotOperatingDay) and exc.day is not None:
            text = self._closed_day(sp, exc.day, self.booking.day_status(exc.day))
        elif isinstance(exc, NotEnrolled) and exc.day is not None:
            text = sp._(
                "%(name)s is not registered for school catering on %(day)s.",
                name=exc.child or "",
                day=sp.day(exc.day),
            )
        elif isinstance(exc, OutsideCalendar) and exc.day is not None:
            text = sp._(
                "I do not know the school calendar of %(day)s %(year)s yet. "
                "Please choose a nearer date.",
                day=sp.day(exc.day, year=False),
                year=exc.day.year,
            )
        else:
            text = sp._("This change is not possible by phone.")
        # A deadline is the day's, the same for every child: no name before it.
        if count > 1 and exc.child and not isinstance(exc, NotEnrolled | PastDeadline | DayLocked):
            return sp._("For %(name)s: %(text)s", name=exc.child, text=_after_colon(text))
        return text

    @staticmethod
    def _sent_to_kitchen(sp: Speaker, day: date, action: str | None, count: int = 1) -> str:
        """ "Le jeudi 26 novembre ne peut plus être changé : les repas de ce jour sont déjà
        transmis à la cuisine." A day locked before its deadline, with what it costs for
        ``action`` (``None``: the day alone, as the listing of a day says it)."""
        said = sp.day(day)
        if action == "book":
            return sp._(
                "%(day)s can no longer be changed: the meals of that day have already been "
                "sent to the kitchen. A meal eaten without booking is charged at the highest "
                "rate.",
                day=said,
            )
        if action is None:
            return sp._(
                "%(day)s can no longer be changed: the meals of that day have already been "
                "sent to the kitchen.",
                day=said,
            )
        return sp.ngettext(
            "%(day)s can no longer be changed: the meals of that day have already been sent "
            "to the kitchen. The meal will be charged, unless an illness is reported to the "
            "school.",
            "%(day)s can no longer be changed: the meals of that day have already been sent "
            "to the kitchen. The meals will be charged, unless an illness is reported to the "
            "school.",
            count,
            day=said,
        )

    def _not_counted(
        self, sp: Speaker, meals: Sequence[tuple[date, datetime, frozenset[int]]]
    ) -> list[str]:
        """Why the deadlines of ``meals`` came earlier than the published table says
        (:func:`not_counted_said`); nothing while several days are done at once, which say it
        once after their refusals (:meth:`_apply_all`)."""
        later = _NOT_COUNTED_LATER.get()
        if later is not None:
            later.extend(meals)
            return []
        return not_counted_said(self.booking, sp, meals)

    def _closed_day(
        self, sp: Speaker, day: date, status: DayStatus, kids: Sequence[Kid] = ()
    ) -> str:
        """ "Le vendredi 15 mai, il n'y a pas de restauration scolaire : c'est le pont de
        l'Ascension." With ``kids``, only for them ("Pour Margaux et Nathan, …")."""
        why = self._closed_why(sp, day, status)
        if kids:
            return sp._(
                "For %(names)s, there is no school catering on %(day)s: %(why)s.",
                names=sp.names([k.name for k in kids]),
                day=sp.day(day),
                why=why,
            )
        return sp._("On %(day)s, there is no school catering: %(why)s.", day=sp.day(day), why=why)

    def _weekly_closed(self, sp: Speaker, day: date, status: DayStatus) -> bool:
        """Whether ``day`` has no school meals because of its weekday ("mercredi")."""
        reason = status.reason or ""
        return not status.closure and reason in (sp.weekday(day), self.speaker("fr").weekday(day))

    def _closed_why(self, sp: Speaker, day: date, status: DayStatus) -> str:
        """Why ``day`` has no school meals: "c'est le pont de l'Ascension"."""
        reason = status.reason or ""
        if status.closure:
            return self._closure_phrase(sp, status)
        if self._weekly_closed(sp, day, status):
            return sp._("the canteen is never open on %(weekday)s", weekday=sp.weekday(day))
        # The day's reason decides, not whether it is also a public holiday: Wednesday 14 July
        # in the summer holidays is said as the holidays, as the calendar keeps it.
        if reason == self.booking.calendar.public_holiday_name(day):
            name = self.booking.calendar.public_holiday_name(day, sp.lang) or reason
            return sp._("it is a public holiday (%(name)s)", name=holiday_label(name))
        return _holiday_phrase(sp, reason)

    @staticmethod
    def _closure_phrase(sp: Speaker, status: DayStatus) -> str:
        # The label is the town staff's own words, in French: said as it is to French callers,
        # replaced by the kind of closure for the others.
        if sp.lang == DEFAULT_LANGUAGE:
            label = (status.reason or "").removeprefix(CLOSURE_PREFIX)
            return sp._("the school is closed (%(reason)s)", reason=label)
        if status.closure_kind == "strike":
            return sp._("the school is closed because of a strike")
        if status.closure_kind == "trip":
            return sp._("the class is on a school trip")
        return sp._("the school is closed")

    def _result_lines(
        self, sp: Speaker, action: str, day: date, results: Sequence[ChangeResult]
    ) -> list[str]:
        changed = [r.first_name for r in results if r.changed]
        unchanged = [r.first_name for r in results if not r.changed]
        lines = []
        params = {"day": sp.day(day)}
        if changed:
            names = sp.names(changed)
            if action == "book":
                lines.append(
                    sp.ngettext(
                        "Done: the meal of %(names)s on %(day)s is booked.",
                        "Done: the meals of %(names)s on %(day)s are booked.",
                        len(changed),
                        names=names,
                        **params,
                    )
                )
            else:
                lines.append(
                    sp.ngettext(
                        "Done: the meal of %(names)s on %(day)s is cancelled.",
                        "Done: the meals of %(names)s on %(day)s are cancelled.",
                        len(changed),
                        names=names,
                        **params,
                    )
                )
        if unchanged:
            names = sp.names(unchanged)
            if action == "book":
                lines.append(
                    sp.ngettext(
                        "The meal of %(names)s on %(day)s was already booked: nothing changed.",
                        "The meals of %(names)s on %(day)s were already booked: nothing changed.",
                        len(unchanged),
                        names=names,
                        **params,
                    )
                )
            else:
                lines.append(
                    sp.ngettext(
                        "%(names)s had no meal booked on %(day)s: nothing changed.",
                        "%(names)s had no meal booked on %(day)s: nothing changed.",
                        len(unchanged),
                        names=names,
                        **params,
                    )
                )
        return lines

    def done_lines(
        self, sp: Speaker, changes: Sequence[tuple[str, date, Sequence[str]]]
    ) -> list[str]:
        """What changes made say, as the line said them when it made them ("C'est fait : le
        repas de Léa le jeudi 26 novembre est annulé."): ``changes`` are the action ("book",
        "cancel"), day and first names of the children changed."""
        lines = []
        for action, day, names in changes:
            outcome = Outcome.BOOKED if action == "book" else Outcome.CANCELLED
            results = [ChangeResult("", name, day, action, outcome) for name in names]
            lines += self._result_lines(sp, action, day, results)
        return lines

    def _listing(
        self, st: CallState, sp: Speaker, only: frozenset[date] | None = None
    ) -> list[str]:
        """The meals booked for the children picked in the next two weeks, or on the days of
        ``only`` when given ("écouter la semaine prochaine": that week's days alone, the same
        sentences), with the holidays, closures and enrolments that explain the days
        without one."""
        account = st.account
        assert account is not None
        today = self.clock.today()
        span, breaks, known_until = self._list_span(today)
        if only is not None:
            # The days asked, up to what the calendar knows (past days too: "qu'est-ce qui
            # était réservé lundi dernier ?" is answered as asked).
            last_known = self.booking.calendar.school_holidays.last_covered
            known_until = last_known if max(only) > last_known else None
            only = frozenset(d for d in only if d <= last_known)
        if not span or (only is not None and not only):
            # today (or the days asked) past the school calendar in use: no day to list
            assert known_until is not None
            return [sp._("The school calendar after %(day)s is not known yet.",
                         day=sp.day(known_until))]
        if only is not None:
            first, last = min(only), max(only)
            span = (last - today).days + 1
            breaks = self._breaks_between(first, last)
            outlook = self.booking.outlook(account, start=first, days=(last - first).days + 1)
            upcoming = {
                ref: [d for d in states if d.day in only] for ref, states in outlook.states.items()
            }
        else:
            outlook = self.booking.outlook(account, start=today, days=span)
            upcoming = outlook.states
        lines = []
        # The weekdays the children's canteens serve: a public holiday on another ("mercredi 11
        # novembre", in a town without Wednesday meals) takes no meal away, and is not said.
        served = frozenset().union(
            *(self.settings.weekdays_of(self.settings.school(k.school)) for k in self._picked(st))
        )
        for name, first, last, public in breaks:
            if public and first.weekday() not in served:
                continue
            if public:
                lines.append(
                    sp._(
                        "No school catering on %(day)s: %(name)s.",
                        day=sp.day(first),
                        name=holiday_label(
                            self.booking.calendar.public_holiday_name(first, sp.lang) or name
                        ),
                    )
                )
                continue
            lines.append(self._holidays_line(sp, name, first, last, today))
        kids = self._picked(st)
        # Days asked that are all in the holidays (or public holidays) just said, for every
        # child: that sentence is the answer. "Léa : pas de restauration scolaire du lundi 21
        # décembre au vendredi 25 décembre" after it said it again, child by child.
        holidays_said = (
            only is not None
            and bool(lines)
            and not any(d.operating for kid in kids for d in upcoming.get(kid.ref, []))
        )
        # A local closure (strike, trip) is said: the meal the parent expects is not there (not
        # after the child's enrolment has ended: no meal was expected). Said once after all the
        # children when it is the same for each (brothers and sisters at one school).
        closures = {
            kid.ref: [
                sp.day(d.day)
                for d in upcoming.get(kid.ref, [])
                if d.closed_by_closure and (kid.until is None or d.day <= kid.until)
            ]
            for kid in kids
        }
        shared = len(kids) > 1 and len({tuple(days) for days in closures.values()}) == 1
        # Children whose enrolment starts after the days listed: not "no school meal", which the
        # school serves, but what booking one of those days says ("n'a pas d'inscription"),
        # once for the brothers and sisters starting the same day.
        later: dict[date, list[str]] = {}
        for kid in kids:
            days = upcoming.get(kid.ref, [])
            if kid.since is not None and kid.since > today and not any(d.operating for d in days):
                later.setdefault(kid.since, []).append(kid.name)
        for kid in kids:
            states = upcoming.get(kid.ref, [])
            days = [d for d in states if d.operating]
            booked = [d.day for d in days if d.booked]
            free = [d.day for d in days if not d.booked]
            closed = [] if shared else closures[kid.ref]
            starting = later.get(kid.since) if kid.since is not None else None
            if starting and kid.since is not None:
                if starting[0] == kid.name:
                    lines.append(
                        sp.ngettext(
                            "%(names)s is not registered for school catering before %(day)s.",
                            "%(names)s are not registered for school catering before %(day)s.",
                            len(starting),
                            names=sp.names(starting),
                            day=sp.day(kid.since),
                        )
                    )
                continue
            if not days and known_until is not None:
                # The two weeks reach past the calendar: what is known, not "two weeks".
                lines.append(
                    sp._(
                        "%(name)s: no school meal up to and including %(day)s.",
                        name=kid.name,
                        day=sp.day(known_until),
                    )
                )
                if closed:
                    lines.append(self._closed_line(sp, closed))
                continue
            if not days and only is not None:
                if not holidays_said:
                    # Two days as two days ("le samedi 28 et le dimanche 29 novembre"), as
                    # a listing says a stretch of them, not "du … au …".
                    lines.append(
                        sp._(
                            "%(name)s: no school meal %(days)s.",
                            name=kid.name,
                            days=_stretch_said(sp, sorted(only)),
                        )
                    )
                if closed:
                    lines.append(self._closed_line(sp, closed))
                continue
            if not days:
                lines.append(sp._("%(name)s: no school meal in the next two weeks.", name=kid.name))
                if closed:
                    lines.append(self._closed_line(sp, closed))
                continue
            runs = _runs([d.day for d in days])
            if len(booked) >= EVERY_DAY_FROM and not free and len(runs) > 1:
                # Every canteen day, across holidays (the end of June and the day school
                # starts again): each stretch said apart, never "du 28 juin au 2 septembre".
                stretches = [_stretch_said(sp, run) for run in runs]
                joined = stretches[0]
                for following in stretches[1:]:
                    # "…, puis du lundi 4 janvier…": "et" joined them, twice in a row once a
                    # stretch of two days was said "le jeudi 17 et le vendredi 18 décembre".
                    joined = sp._(
                        "(stretches of days) %(earlier)s, then %(later)s",
                        earlier=joined,
                        later=following,
                    )
                lines.append(
                    sp._(
                        "%(name)s: a meal is booked on every canteen day, %(stretches)s.",
                        name=kid.name,
                        stretches=joined,
                    )
                )
            elif len(booked) >= EVERY_DAY_FROM and not free:
                # Every canteen day: said as a span, not eight dates in a row.
                lines.append(
                    sp._(
                        "%(name)s: a meal is booked on every canteen day, from %(first)s to "
                        "%(last)s.",
                        name=kid.name,
                        first=sp.day(booked[0]),
                        last=sp.day(booked[-1]),
                    )
                )
            elif booked:
                lines.append(
                    sp.ngettext(
                        "%(name)s: a meal is booked %(days)s.",
                        "%(name)s: meals are booked %(days)s.",
                        len(booked),
                        name=kid.name,
                        days=sp.days_by_month(booked),
                    )
                )
            elif known_until is not None:
                # Late August: "aucun repas réservé dans les deux prochaines semaines" told a
                # child with a subscription that nothing was coming, when the days after the
                # rentrée were only not known yet.
                lines.append(
                    sp._(
                        "%(name)s: no meal booked up to and including %(day)s.",
                        name=kid.name,
                        day=sp.day(known_until),
                    )
                )
            elif only is not None:
                lines.append(
                    sp._(
                        "%(name)s: no meal booked %(days)s.",
                        name=kid.name,
                        days=sp.days_by_month(free, without=True),
                    )
                )
            else:
                lines.append(sp._("%(name)s: no meal booked in the next two weeks.", name=kid.name))
            if booked and len(free) > len(booked):
                # Booked day by day: the days without a meal are the rule, not a list of dates.
                lines.append(sp._("No meal on the other days."))
            elif booked and free:
                lines.append(
                    sp.ngettext(
                        "No meal %(days)s.",
                        "No meal %(days)s.",
                        len(free),
                        days=sp.days_by_month(free, without=True),
                    )
                )
            if closed:
                lines.append(self._closed_line(sp, closed))
            if kid.since is not None and any(d.not_enrolled and d.day < kid.since for d in states):
                # The school serves meals before the child's first day: why none are listed.
                lines.append(
                    sp._(
                        "The canteen registration of %(name)s starts on %(day)s.",
                        name=kid.name,
                        day=sp.day(kid.since),
                    )
                )
            if kid.until is not None and today <= kid.until < today + timedelta(days=span):
                # Otherwise the child's meals simply stop, and the child leaves the menu.
                lines.append(
                    sp._(
                        "The canteen registration of %(name)s ends on %(day)s.",
                        name=kid.name,
                        day=sp.day(kid.until),
                    )
                )
        if shared and closures[kids[0].ref]:
            # Named: after the last child's line, "L'école est fermée…" alone would read as
            # that child's.
            lines.append(
                sp.ngettext(
                    "%(names)s: the school is closed on %(days)s.",
                    "%(names)s: the school is closed on %(days)s.",
                    len(closures[kids[0].ref]),
                    names=sp.names([k.name for k in kids]),
                    days=sp.names(closures[kids[0].ref]),
                )
            )
        if known_until is not None:  # not "no meal": the days after it are not known yet
            # The children with a subscription then: their days will be booked as ever once
            # the town loads the calendar (a subscription is a weekly pattern, not dates).
            subscribed = [k.name for k in kids if outlook.subscribed_after.get(k.ref)]
            if subscribed:
                lines.append(
                    sp._(
                        "The school calendar after %(day)s is not known yet; once it is, the "
                        "subscription days of %(names)s will be booked as usual.",
                        day=sp.day(known_until),
                        names=sp.names(subscribed),
                    )
                )
            else:
                lines.append(
                    sp._(
                        "The school calendar after %(day)s is not known yet.",
                        day=sp.day(known_until),
                    )
                )
        # Asked for: said even if a change said it already; then not after a change.
        lines += self._say_breaks(st, sp, self._after_break(breaks, upcoming, kids), asked=True)
        rentree = self._rentree_before_summer(st, sp)
        return [*lines, rentree] if rentree else lines

    def _after_break(
        self,
        breaks: Sequence[_Break],
        upcoming: Mapping[str, Sequence[ChildDay | DayStatus]],
        kids: Sequence[Kid],
    ) -> list[_Owed]:
        """The warnings "Attention : après les vacances de Noël, le repas du lundi 4 janvier se
        réserve ou s'annule avant le jeudi 17 décembre à 13 heures." "Et celui du mardi 5
        janvier, avant le vendredi 18 décembre à 13 heures." (:meth:`_say_breaks`): when the
        days listed cross school holidays still to come and the first meal after them must be
        changed before they start, a parent expects to see to it after the holidays, and would
        be too late. One per distinct days and deadlines, with the children whose they are.
        From the booking engine's days of each child (their school's canteen days, closures
        and deadline): never a day the child's school is closed, nor a deadline already past.
        Not the summer's (:meth:`_rentree_before_summer` says when the line closes)."""
        now = self.clock.now()
        owed: list[_Owed] = []
        for name, first, last, public in breaks:
            if public or first <= now.date() or holiday_kind(name) == "summer":
                continue
            # Every day after the holidays whose deadline comes before them, not only the
            # first: the Tuesday's is often the holidays' last Friday (a child who eats on
            # Tuesdays only would hear of the Monday, a day she does not eat).
            found: dict[tuple[tuple[date, datetime], ...], list[Kid]] = {}
            for kid in kids:
                days: list[tuple[date, datetime]] = []
                for after in upcoming.get(kid.ref, []):
                    if after.day <= last or not after.operating or after.deadline is None:
                        continue
                    deadline = after.deadline.astimezone(self.settings.tz)
                    if deadline.date() >= first:
                        break  # the days after it are changed after the holidays
                    if now < deadline:
                        days.append((after.day, deadline))
                if days:
                    found.setdefault(tuple(days), []).append(kid)
            owed += [_Owed(name, days, tuple(found_kids)) for days, found_kids in found.items()]
        return owed

    def _say_breaks(
        self, st: CallState, sp: Speaker, owed: Sequence[_Owed], *, asked: bool
    ) -> list[str]:
        """The warnings ``owed`` (:meth:`_after_break`), each sentence once a call unless
        ``asked`` (the listing says what it lists). A child whose days and deadlines were said
        naming nobody hears nothing more: the sentence would be the same word for word. One
        whose differ from those said for another child, or from those of the other children
        picked, hears them named ("Attention : pour Nathan, après les vacances de Noël, …"):
        the parent heard the first as that child's. Kept in the call's state (:class:`_Warned`:
        ``said``, and ``same`` for a child who would have heard a sentence said naming
        nobody)."""
        warned = _Warned.of(st)
        said = warned.said
        lines: list[str] = []
        for warning in owed:
            refs = [k.ref for k in warning.kids]
            alike = [e for e in said if e[0] == warning.holidays and e[1] == warning.key]
            if not asked and any(not e[3] for e in alike):
                heard = warned.heard
                warned.same += [ref for ref in refs if ref not in heard]
                continue  # said naming nobody: the very sentence
            told = {ref for e in alike for ref in e[2]}
            kids = [k for k in warning.kids if asked or k.ref not in told]
            if not kids:
                continue  # said naming them
            # Another child's days said in this call (not the same child's, whose deadline
            # has passed since), or the children picked have other days: whose these are.
            named = any(
                o.holidays == warning.holidays and o.key != warning.key for o in owed
            ) or any(
                e[0] == warning.holidays and e[1] != warning.key and not set(e[2]) <= set(refs)
                for e in said
            )  # fmt: skip
            lines += self._break_lines(sp, warning, [k.name for k in kids] if named else None)
            said.append([warning.holidays, warning.key, [k.ref for k in kids], named])
        warned.keep(st)
        return lines

    def _break_lines(self, sp: Speaker, warning: _Owed, names: Sequence[str] | None) -> list[str]:
        """The sentences of one warning, naming ``names`` if given."""
        (day, deadline), *more = warning.days
        holidays = _holiday_name(sp, warning.holidays)
        # "aujourd'hui avant 13 heures": today is the news, and it comes first (as in every
        # sentence with a deadline, see Speaker.before).
        if names is None:
            text = sp._(
                "Attention: after %(holidays)s, the meal of %(day)s must be booked or "
                "cancelled %(before)s.",
                holidays=holidays, day=sp.day(day), before=sp.before(deadline),
            )  # fmt: skip
        else:
            text = sp._(
                "Attention: for %(names)s, after %(holidays)s, the meal of %(day)s must be "
                "booked or cancelled %(before)s.",
                names=sp.names(names), holidays=holidays, day=sp.day(day),
                before=sp.before(deadline),
            )  # fmt: skip
        return [
            text,
            *(
                sp._("And the meal of %(day)s, %(before)s.",
                     day=sp.day(d), before=sp.before(due))
                for d, due in more
            ),
        ]  # fmt: skip

    def _break_note(self, st: CallState, sp: Speaker, outcome: str) -> list[str]:
        """The listing's warning (:meth:`_after_break`: "Attention : après les vacances de
        Noël, le repas du lundi 4 janvier se réserve ou s'annule avant le jeudi 17 décembre à
        13 heures."), said after a change made or refused as too late (``outcome``; or a day
        before it of several taken one by one, :meth:`_then_next`) while school holidays are
        ahead within the two weeks the listing says: a parent cancelling the last days before
        Christmas, or told it is too late for one, would otherwise see to the meals after them
        once back, too late. For the children picked, from the calendar (their school's
        canteen days, local closures and enrolment), not for the days this call just changed
        nor those the request just answered asked about (:class:`_Warned`, whatever became
        of them: the parent was just told about them). Each sentence once a call (the
        listing's count too), a child whose days differ named (:meth:`_say_breaks`); the
        calendar is looked at only after such an outcome for a child whose warning was not
        said yet, and the local closures read only with holidays ahead."""
        warned = _Warned.of(st)
        due, asked = warned.due, [date.fromordinal(d) for d in warned.asked]
        warned.due, warned.asked = False, []  # the request's, answered now
        warned.keep(st)
        if outcome not in _BREAK_NOTE_OUTCOMES and not due:
            return []
        kids = self._picked(st)
        heard = warned.heard
        if all(k.ref in heard for k in kids):  # (no child picked: nothing to say either)
            return []
        today = self.clock.today()
        _, breaks, _ = self._list_span(today)
        ahead = [
            b for b in breaks
            if not b.public and b.first > today and holiday_kind(b.name) != "summer"
        ]  # fmt: skip
        if not ahead:
            return []
        # Not the days this request asked about: "rien à annuler le mardi 5 janvier", then
        # "le repas du mardi 5 janvier se réserve ou s'annule aujourd'hui" would contradict
        # what the parent was just told (nor those changed, the same).
        changed = {day for _, day, _ in _series_done(st)} | set(asked)
        done = st.data.get("done")
        if done:
            changed.add(date.fromisoformat(str(done[1])))
        closures = self.booking.local_closures()
        rule = self.settings.rule_for("phone")
        days: dict[str, list[DayStatus]] = {}
        for kid in kids:
            weekdays = self.settings.weekdays_of(self.settings.school(kid.school))
            found: list[DayStatus] = []
            for brk in ahead:
                # The days after the holidays up to the first whose deadline is not before
                # them, where _after_break stops (as the listing's days would).
                day = brk.last + timedelta(days=1)
                while day <= brk.last + timedelta(days=LIST_DAYS):
                    try:
                        status = self.booking.calendar.status(
                            day, weekdays, rule, school_id=kid.school, closures=closures
                        )
                    except CalendarCoverageError:
                        break
                    enrolled = (kid.since is None or kid.since <= day) and (
                        kid.until is None or day <= kid.until
                    )
                    if status.operating and enrolled and status.deadline is not None:
                        if status.deadline.astimezone(self.settings.tz).date() >= brk.first:
                            found.append(status)  # where _after_break stops
                            break
                        if day not in changed:
                            found.append(status)
                    day += timedelta(days=1)
            days[kid.ref] = found
        return self._say_breaks(st, sp, self._after_break(ahead, days, kids), asked=False)

    def _rentree_before_summer(self, st: CallState, sp: Speaker) -> str:
        """On the last two weeks the line is open before its summer closure, when the meal of
        the rentrée must be changed before the line closes: until when, and when the line
        opens again. Empty otherwise. From the calendar alone (no database read)."""
        phone = self.settings.phone
        kids = self._picked(st)
        if phone.summer_closed_until is None or not kids:
            return ""
        now = self.clock.now()
        today = now.date()
        summer = self._holidays_ahead("summer", today)
        if summer is None or summer.first_day <= today:
            return ""
        # The first day the line is closed for the summer (not before the holidays start).
        closes = next(
            (
                day
                for k in range((summer.first_day - today).days, LIST_DAYS + 1)
                if line_state(
                    datetime.combine(
                        day := today + timedelta(days=k), phone.opens, tzinfo=self.settings.tz
                    ),
                    phone,
                    self._school_holiday,
                )
                is LineState.CLOSED_SUMMER
            ),
            None,
        )
        if closes is None:  # not within the two weeks ahead
            return ""
        school = kids[0].school
        status = self.booking.calendar.next_operating(
            summer.last_day + timedelta(days=1),
            self.settings.weekdays_of(self.settings.school(school)),
            self.settings.rule_for("phone"),
            school_id=school,
        )
        if status is None or status.deadline is None:
            return ""
        deadline = status.deadline.astimezone(self.settings.tz)
        if not now < deadline or deadline.date() >= closes:
            return ""
        month, last = phone.summer_closed_until
        reopens = date(closes.year, month, last) + timedelta(days=1)
        return sp._(
            "The meal of %(day)s, the first day of school, can be changed until %(until)s at "
            "%(hour)s; the line is then closed until %(reopens)s.",
            day=sp.day(status.day),
            until=sp.day(deadline.date()),
            hour=sp.hour(deadline),
            reopens=sp.day(reopens),
        )

    @staticmethod
    def _closed_line(sp: Speaker, days: Sequence[str]) -> str:
        return sp.ngettext(
            "The school is closed on %(days)s.",
            "The school is closed on %(days)s.",
            len(days),
            days=sp.names(days),
        )

    def _breaks_between(self, first: date, last: date) -> list[_Break]:
        """The school holidays and weekday public holidays from ``first`` to ``last`` (days the
        calendar knows), as :meth:`_list_span` finds them for the next two weeks: a listing of
        days asked ("écouter du 19 au 27 décembre") says why they have no meal."""
        calendar = self.booking.calendar
        holidays = calendar.school_holidays
        breaks: list[_Break] = []
        day = first
        while day <= last:
            try:
                name = holidays.reason_closed(self.settings.zone, day)
            except CalendarCoverageError:
                break
            _note_break(breaks, calendar, day, name)
            day += timedelta(days=1)
        # Holidays cut by the days asked: said whole (their last school day and the day school
        # starts again), not "après le mardi 22 décembre" for "du 23 décembre au 5 janvier".
        zone = self.settings.zone
        for k in (0, -1)[: len(breaks)]:
            cut = breaks[k]
            if cut.public:
                continue
            start, end = cut.first, cut.last
            with contextlib.suppress(CalendarCoverageError):
                while holidays.reason_closed(zone, start - timedelta(days=1)) == cut.name:
                    start -= timedelta(days=1)
                while holidays.reason_closed(zone, end + timedelta(days=1)) == cut.name:
                    end += timedelta(days=1)
            breaks[k] = cut._replace(first=start, last=end)
        return breaks

    def _list_span(self, today: date) -> tuple[int, list[_Break], date | None]:
        """How many days "the next two weeks" take from ``today``, school holidays not counted
        (on 18 December a parent hears the meals after Christmas, whose deadlines come before
        the break); the holidays and weekday public holidays within them; and the school
        calendar's last day when they reach past it (:func:`_list_span_of`, remembered)."""
        span, kept, known_until = _list_span_of(
            today, self.booking.calendar, self.settings.zone
        )
        return span, list(kept), known_until

    def _receipts(
        self, st: CallState, action: str, day: date, changed: Sequence[ChangeResult]
    ) -> tuple[Receipt, ...]:
        number = st.from_number or ""
        if not (changed and self.settings.phone.sms_receipts and _mobile(number)):
            return ()
        account = st.account
        assert account is not None
        if number not in self.booking.family_info(account).phones:
            return ()  # only to the family's own phones
        sp = self.speaker(st.language)
        names = sp.names([r.first_name for r in changed])
        if action == "book":
            body = sp._(
                "Resto-Mairie: meal booked for %(names)s on %(day)s.", names=names, day=sp.day(day)
            )
        else:
            body = sp._(
                "Resto-Mairie: meal cancelled for %(names)s on %(day)s.",
                names=names,
                day=sp.day(day),
            )
        return (Receipt(number, body),)

    # ------------------------------------------------------------------ helpers
    def _ask(
        self,
        st: CallState,
        sp: Speaker,
        step: str,
        preamble: Sequence[str | Aside | None],
        answered: str,
        outcome: str,
        reset: bool = True,
        recap: bool = False,
    ) -> Turn:
        """Ask the question of ``step`` after ``preamble``. With ``recap`` the preamble is
        what the caller may want to hear again (a result, a refusal, the meals listed): ``*``
        and "pardon ?" repeat it before the question, until another question is asked."""
        # A change just made can be taken back only right after its result (and at the menu
        # and date question the caller goes on to from there, the date question asked
        # straight after the result too: "annulez" after a cancellation asks its day, and
        # "non, je me suis trompé" there takes the cancellation back); the one read back to
        # undo it, only at the read-back and the date and child questions (_taken_back).
        if step != AFTER and not (
            (step == ACTION and st.step in (AFTER, ACTION))
            or (step == DATE and st.step in (AFTER, ACTION, DATE))
        ):
            st.data.pop("done", None)
        if step not in (ACTION, CHILD):
            # The day said at the action or child question, kept only while the action is
            # asked (for the children chosen then, or another chosen with key 4).
            st.data.pop("asked_day", None)
            st.data.pop("asked_more", None)
            st.data.pop("asked_for", None)
            st.data.pop("asked_span", None)
            st.data.pop("answered_day", None)
        st.step = step
        if step in (ACTION, CHILD, AFTER):  # the days asked at once are left with their change
            st.data.pop("queue", None)
            st.data.pop("series", None)
        if step in (ACTION, AFTER):  # a goodbye said with a change, kept for its result alone
            st.data.pop("leaving", None)
        if step not in (CONFIRM, DATE, CHILD):  # "2" at its read-back: another day instead,
            st.data.pop("undo", None)  # still; "un autre enfant": another child instead
            st.data.pop("undo_more", None)
        if step == DATE and outcome.startswith("refused"):
            st.data["after_refusal"] = True  # the question says how to end the call
        elif outcome not in ("repeat", "operator", "stale"):  # the same question again keeps it
            st.data.pop("after_refusal", None)
        if recap and step in (AFTER, DATE):  # after a result or refusal, before holidays
            preamble = [*preamble, *self._break_note(st, sp, outcome)]
        if recap:
            # (An aside in another voice is never part of what "*" repeats: the state keeps text.)
            st.data["said"] = [x for x in preamble if isinstance(x, str) and x]
        elif reset:
            st.data.pop("said", None)
        if reset:
            st.attempts = 0
        lines, ask = self._question(st, sp, step)
        return Turn(self._reply(sp, [*preamble, *lines], ask), answered, outcome)

    def _repeat(self, st: CallState, sp: Speaker, shown: str | None = None) -> Turn:
        said = [str(x) for x in st.data.get("said", [])]
        turn = self._ask(st, sp, st.step, said, st.step, "repeat", reset=False)
        return Turn(turn.reply, turn.step, turn.outcome, shown)

    def _retry(
        self,
        st: CallState,
        sp: Speaker,
        message: str,
        outcome: str,
        shown: str | None = None,
        hint: str = "",
        offer: Aside | None = None,
    ) -> Turn:
        """``message`` (why the answer is not taken) and the question again, or the goodbye
        after the last attempt; ``hint`` is said after ``message`` only with the question, then
        ``offer`` (the English offer, in its own voice)."""
        step = st.step
        st.attempts += 1
        # An answer in English not understood (see answer): say in English that English is
        # spoken, or, on the last attempt, who answers in person, in English.
        english = bool(st.data.get("sounds_english"))
        if st.attempts >= self.settings.phone.max_attempts:
            # The line hangs up: at the account number or the code, the caller could not be
            # identified (three wrong codes are not a parent who gave up).
            st.settle("ident_failed" if step in (ACCOUNT, PIN) else "abandoned")
            # After a result, silence is a caller who is done: the plain goodbye, not "you
            # may call again between 8 and 13 o'clock".
            bye = self._goodbye(sp) if step == AFTER else self._goodbye_failed(sp, step)
            ending: list[str | Aside | None] = [
                message, self._nothing_done(st, sp, ending=True), bye
            ]
            if english:
                ending.append(self._in_english(st, self._desk_sentence(self.speaker("en"))))
            return self._end(st, sp, ending, step, outcome, shown)
        if english:
            offer = offer or self._english_offer(st)
        if (
            offer is None
            and step in (CHILD, ACTION)
            and outcome in ("no_input", "not_understood")
            and not st.data.get("english_offered")
        ):
            # Silent, or not understood, at the first menus of a French call: maybe a parent
            # who does not follow French. English is offered once, in English.
            offer = self._english_key_offer(st, step)
            st.data["english_offered"] = offer is not None
        lines, ask = self._question(st, sp, step)
        warning = ""
        if st.attempts == self.settings.phone.max_attempts - 1 and step != AFTER:
            # The next slip ends the call: said, so that a parent taught the format by the
            # message above takes care (after a result, silence is a parent who is done).
            warning = sp._("Please note: this is your last try.")
        return Turn(
            self._reply(sp, [message, warning, hint, offer, *lines], ask), step, outcome, shown
        )

    def _bye(self, st: CallState, sp: Speaker, step: str) -> Turn:
        st.settle("goodbye")
        lines = [self._nothing_done(st, sp, ending=True), self._goodbye(sp)]
        return self._end(st, sp, lines, step, "goodbye")

    def _nothing_done(self, st: CallState, sp: Speaker, ending: bool = False) -> str:
        """What was not done, said when the caller leaves a request (``ending``: the call
        ends there)."""
        # A call that ends at the read-back: the last thing heard was the change, which was
        # not made; the parent must not believe it was (nor that the change taken back with
        # it was undone).
        # A call ending in the middle of several days: which were done, which were not. Going
        # on in the call ("stop", "non attendez, annulez", "retour au menu" drop the days
        # left): the days not done alone, the done ones having just been said one by one.
        if ending and st.step == DATE and st.data.get("queue"):
            # The date question while days of a list still wait: they are not done either.
            # (2 and "non" at one of them no longer lead there, they read back the next; kept
            # so that no way there drops them unsaid.)
            return " ".join(self._series_left(st, sp, None))
        if st.step == DATE and st.outcome not in ("booked", "cancelled"):
            # "Ça ne fait rien" to "pour quel jour voulez-vous annuler ?": the request asked
            # for was not made (said only when the call changed nothing at all).
            return sp._("Nothing was changed.")
        if st.step != CONFIRM:
            return ""
        day = date.fromisoformat(str(st.data["day"]))
        undo = self._undo(st, day if st.data.get("change") else None)
        stays = [self._stays(st, sp, undo)] if undo is not None else []
        # Going on with nothing made in the call, "aucun changement n'a été fait" covers
        # every day left.
        made = st.outcome in ("booked", "cancelled")
        left = self._series_left(st, sp, day, with_done=ending) if ending or made else []
        if left:
            return " ".join([*left, *stays])
        if st.outcome in ("booked", "cancelled"):
            # An earlier change of the call was made: "rien n'a été changé" would unsay it.
            return " ".join([sp._("Nothing was changed for %(day)s.", day=sp.day(day)), *stays])
        return " ".join([sp._("Nothing was changed."), *stays])

    def _series_left(
        self, st: CallState, sp: Speaker, pending: date | None, with_done: bool = True
    ) -> list[str]:
        """A call ending in the middle of several days taken one by one (silence, "au revoir",
        "non merci" at one of them): the days of the request already done, then those not done,
        the day read back and every day still waiting ("C'est fait : le repas de Rose du lundi
        30 novembre est annulé. Les repas de Rose des mardi 1er décembre et jeudi 3 décembre
        n'ont pas été annulés."). The parent who said "annuler toute la semaine" and heard one
        day done must not believe the week done. Empty for a single day. ``pending``: the day
        read back (``None`` at the date question, asked instead of it). Without ``with_done`` (the
        call goes on, the days left dropped): the days not done alone, empty when none waits
        after ``pending``."""
        action = str(st.data.get("action"))
        queue = list(st.data.get("queue") or [])
        series = [str(d) for d in st.data.get("series") or []]
        # Each change made with its own action: "il mange pas jeudi mais il mange vendredi",
        # Thursday cancelled, then a goodbye at Friday's read-back (it was "Rien n'a été
        # changé pour le vendredi 27 novembre.", Thursday unsaid).
        made = [(a, d, r) for a, d, r in _series_done(st) if d.isoformat() in series]
        if not queue and (not made or not with_done):
            return []
        if not with_done:
            made = []
        names = {k.ref: k.name for k in self._kids(st)}
        pick = [str(r) for r in st.data.get("pick") or []]
        waiting: list[tuple[str, date, Sequence[Any]]] = []
        if pending is not None:
            refs = [str(r) for r in st.data.get("change") or []] or pick
            waiting.append((action, pending, refs))
        for entry in queue:  # a day of this request, or a request of its own (day, children,
            if isinstance(entry, list):  # change)
                waiting.append((str(entry[2]), date.fromisoformat(str(entry[0])), entry[1]))
            else:
                waiting.append((action, date.fromisoformat(str(entry)), pick))
        lines: list[str] = []
        for change in dict.fromkeys(a for a, _, _ in made):  # each action, as first made
            done = [
                (day, [ChangeResult(r, names.get(r, r), day, change, _changed(change))
                       for r in refs])
                for a, day, refs in made
                if a == change
            ]
            lines += self._grouped_results(sp, change, done)
        groups: dict[tuple[str, tuple[str, ...]], list[date]] = {}
        for change, day, whom in waiting:
            said = tuple(names.get(str(r), str(r)) for r in whom)
            groups.setdefault((change, said), []).append(day)
        for (change, said), days in groups.items():
            # In the order of the calendar: "oui et pour la semaine prochaine ?" queues the
            # next week before the days left of this one.
            lines.append(self._not_done(sp, change, said, sorted(days)))
        return lines

    @staticmethod
    def _not_done(sp: Speaker, action: str, names: Sequence[str], days: Sequence[date]) -> str:
        """ "Le repas de Rose du jeudi 3 décembre n'a pas été annulé.": a change asked for and
        not made, said with its children and days as a result is."""
        if len(days) > 1:
            params = {"names": sp.names(names), "days": sp.days(days)}
            if action == "book":
                return sp._("The meals of %(names)s on %(days)s were not booked.", **params)
            return sp._("The meals of %(names)s on %(days)s were not cancelled.", **params)
        params = {"names": sp.names(names), "day": sp.day(days[0])}
        if action == "book":
            return sp.ngettext(
                "The meal of %(names)s on %(day)s was not booked.",
                "The meals of %(names)s on %(day)s were not booked.",
                len(names),
                **params,
            )
        return sp.ngettext(
            "The meal of %(names)s on %(day)s was not cancelled.",
            "The meals of %(names)s on %(day)s were not cancelled.",
            len(names),
            **params,
        )

    def _end(
        self,
        st: CallState,
        sp: Speaker,
        lines: Sequence[str | Aside | None],
        step: str,
        outcome: str,
        shown: str | None = None,
    ) -> Turn:
        st.step = END
        st.attempts = 0
        return Turn(self._reply(sp, lines, None), step, outcome, shown)

    @staticmethod
    def _pause(st: CallState, heard: Heard) -> str | None:
        """ "wait" or "help" for a request to wait ("attendez, je regarde") or for help ("je ne
        comprends pas"), "hello" for "allô ?", not counted as a failed answer; else ``None``.
        Not with a phrase of the line in it ("attendez, c'est pas ça" takes a change back;
        "oui, attendez" is a hesitant yes; the "oui" of "oui, allô ?" is no answer), and no
        more than MAX_PAUSES in a call (then they count, so that "aidez-moi" said again and
        again still ends the call)."""
        if heard.kind != "speech":
            return None
        speech = heard.speech
        pauses = int(st.data.get("pauses", 0))
        if is_hello(speech) and pauses < MAX_PAUSES:
            st.data["pauses"] = pauses + 1
            return "hello"
        pause = "wait" if is_waiting(speech) else "help" if asks_for_help(speech) else None
        if pause is None or pauses >= MAX_PAUSES or parse_intent(speech) is not None:
            return None
        st.data["pauses"] = pauses + 1
        return pause

    def _reply(self, sp: Speaker, lines: Sequence[str | Aside | None], ask: Ask | None) -> Reply:
        return Reply(
            tuple(x for x in lines if x), ask, sp.voice, sp.say_language, sp.speech_language
        )

    def _kids(self, st: CallState) -> list[Kid]:
        # [ref, name, school, until, since]; calls begun before "until" and "since" were kept
        # have three or four items.
        return [
            Kid(str(k[0]), str(k[1]), str(k[2]), _day_at(k, 3), _day_at(k, 4))
            for k in st.data.get("kids", [])
        ]

    def _picked(self, st: CallState) -> list[Kid]:
        pick = st.data.get("pick") or []
        return [k for k in self._kids(st) if k.ref in pick]

    def _served(self, st: CallState, refs: Sequence[str] | None = None) -> frozenset[int]:
        """The canteen weekdays of the schools of the children ``refs`` (else those picked;
        the town's before any is)."""
        kids = [k for k in self._kids(st) if k.ref in refs] if refs is not None else []
        kids = kids or self._picked(st)
        if not kids:
            return self.settings.weekdays_of(None)
        return frozenset().union(
            *(self.settings.weekdays_of(self.settings.school(k.school)) for k in kids)
        )

    def _picked_names(self, st: CallState) -> list[str]:
        return [k.name for k in self._picked(st)]

    def _offered_day(self, st: CallState) -> _Offer:
        """The day the date question offers: the first day still open on which one of the
        children picked has a meal to cancel (or none yet, to book), within OFFER_DAYS of the
        first open day, else within FAR_OFFER_DAYS; else that first open day (a parent offered
        Thursday for Nathan, who never eats on Thursdays, heard "rien à annuler"), with the
        children who have open days and the last of them looked at."""
        kids = self._picked(st)
        first = self._first_open(kids)
        action = st.data.get("action")
        if first is None or action not in ("book", "cancel") or st.account is None:
            return _Offer(first, False)
        want = action == "book"
        now = self.clock.now()
        refs = {k.ref for k in kids}
        open_until: dict[str, date] = {}  # each child's last day open to changes
        # The near weeks first (the read every date question makes); further only when they
        # have no such day.
        far = FAR_OFFER_DAYS - OFFER_DAYS
        for start, days in ((first, OFFER_DAYS), (first + timedelta(OFFER_DAYS), far)):
            found, open_in = self.booking.first_to_change(
                st.account, refs, want, start, days, now
            )
            if found is not None:
                return _Offer(found, True)
            open_until.update(open_in)  # the far window's days come later
        having = tuple(k.name for k in kids if k.ref in open_until)
        last = max(open_until.values(), default=None)
        return _Offer(first, False, having, last)

    @staticmethod
    def _offer_taken(action: str, offer: _Offer) -> date | None:
        """The day of the date question's offer that a "oui" or "le premier jour possible"
        takes: the day offered, none when the offer is that there is nothing to change until
        a later day (nothing booked to cancel, or every day already booked, for months)."""
        first, applies, having, until = offer
        if first is None or applies or until is None:
            return first
        if action == "cancel" or (action == "book" and having):
            return None
        return first

    def _first_open(self, kids: Sequence[Kid]) -> date | None:
        """The first day whose meal can still be changed, for one of ``kids`` at least."""
        if not kids:
            return None
        now = self.clock.now()
        closures = self.booking.local_closures()
        # Searched from the day the child's enrolment starts, when that is later than today
        # (a child starting in January is not offered a December day: it would be refused).
        starts = {k.ref: (k.school, max(now.date(), k.since or now.date())) for k in kids}
        found: dict[tuple[str, date], date] = {}
        for school_id, start in sorted(set(starts.values())):
            school = self.settings.school(school_id)
            status = self.booking.calendar.next_operating(
                start,
                self.settings.weekdays_of(school),
                self.settings.rule_for("phone"),
                open_at=now,
                school_id=school_id,
                closures=closures,
            )
            if status is None:
                return None
            found[school_id, start] = status.day
        first = {k.ref: found[starts[k.ref]] for k in kids}
        # A child whose enrolment ends before that day cannot have it: offering it would only
        # have it refused ("n'a pas d'inscription"). With all the children, the others' day.
        able = [k for k in kids if k.until is None or k.until >= first[k.ref]]
        # With several children, the earliest: a parent told "the first day is Monday" would
        # not try Friday, still open for the child whose school serves it (the others are
        # named as not changed, with their reason).
        return min((first[k.ref] for k in able), default=None)

    def _after_hours(self, until: datetime) -> bool:
        """Whether a lockout ending at ``until`` outlasts today's opening hours (one until
        13:06 on a line that closes at 13:00 is for the rest of the day)."""
        local = until.astimezone(self.settings.tz)
        return local.date() > self.clock.today() or local.time() > self.settings.phone.closes

    def _school_holiday(self, day: date) -> str | None:
        return self.booking.calendar.school_holidays.reason_closed(self.settings.zone, day)

    def _closed_lines(self, sp: Speaker, state: LineState, now: datetime) -> list[str]:
        phone = self.settings.phone
        lines = [
            sp._(
                "Welcome to Resto-Mairie, the school meal line of %(town)s.",
                town=self.settings.town,
            )
        ]
        # Closed for the day on the eve of the summer closure (3 July 2027, 14:00), the next
        # opening is not tomorrow at 8 but the reopening: said as during the closure.
        reopens = self._summer_reopening(now, state)
        if reopens is not None:
            # When to call again (a parent calling on the 15th heard "jusqu'au 15 août").
            lines.append(
                sp._(
                    "The line is closed during the summer holidays; it opens again on %(day)s "
                    "at %(opens)s.",
                    day=sp.day(reopens),
                    opens=sp.hour(phone.opens),
                )
            )
        else:
            # "Closed" first: a parent with little French catches "ouverte" in the hours alone
            # and waits for a menu.
            lines.append(sp._("The line is closed."))
            # When it opens, said as a day with the hours: "ouverte de 8 heures à 13 heures"
            # alone left a parent calling at 21:30 to work out whether that meant tomorrow.
            local = now.astimezone(self.settings.tz)
            if local.time() < phone.opens:
                reopens = local.date()
                lines.append(
                    sp._(
                        "It opens today from %(opens)s to %(closes)s.",
                        opens=sp.hour(phone.opens),
                        closes=sp.hour(phone.closes),
                    )
                )
            else:
                reopens = local.date() + timedelta(days=1)
                lines.append(
                    sp._(
                        "It opens again tomorrow, %(day)s, from %(opens)s to %(closes)s.",
                        day=sp.day(reopens),
                        opens=sp.hour(phone.opens),
                        closes=sp.hour(phone.closes),
                    )
                )
        lines.append(self._first_meal_at_reopening(sp, now, reopens))
        lines.append(self._web_sentence(sp))
        lines.append(sp._("Goodbye."))
        return lines

    def _first_meal_at_reopening(self, sp: Speaker, now: datetime, reopens: date) -> str:
        """Said by the closed line after when it opens (on ``reopens``, at its opening hour):
        until when, from then, which meals can still be booked or cancelled (« Demain avant
        13 heures, vous pourrez encore réserver ou annuler les repas à partir du vendredi
        27 novembre. »).

        The town's calendar (no caller is identified, no code is asked: the schools' own
        weekdays and local closures are not known) under the phone's deadline rule, as the
        date question's first open day (:meth:`_first_open`); nothing is read from the
        database. Empty when no such day is known (past the school calendar shipped)."""
        tz = self.settings.tz
        today = now.astimezone(tz).date()
        # Counted at the reopening, not now: a deadline passing while the line is closed (one
        # at midnight) would name a day the parent can no longer change by phone.
        reopening = datetime.combine(reopens, self.settings.phone.opens, tzinfo=tz)
        status = self.booking.calendar.next_operating(
            reopens,
            self.settings.weekdays_of(None),
            self.settings.rule_for("phone"),
            open_at=reopening,
        )
        if status is None or status.deadline is None:
            return ""
        deadline = status.deadline.astimezone(tz)
        if deadline.date() == reopens and (deadline.hour, deadline.minute) != (0, 0):
            # The deadline falls on the day the line opens (Dijon's 13:00, while it is open):
            # that day, said as the reopening was, then the hour.
            if reopens == today:
                return sp._(
                    "Today before %(hour)s, you can still book or cancel the meals from "
                    "%(day)s.",
                    hour=sp.hour(deadline),
                    day=sp.day(status.day),
                )
            if reopens == today + timedelta(days=1):
                return sp._(
                    "Tomorrow before %(hour)s, you can still book or cancel the meals from "
                    "%(day)s.",
                    hour=sp.hour(deadline),
                    day=sp.day(status.day),
                )
        said = sp._(
            "%(before)s, you can still book or cancel the meals from %(day)s.",
            before=sp.before(deadline),
            day=sp.day(status.day),
        )
        return said[:1].upper() + said[1:]

    def _summer_reopening(self, now: datetime, state: LineState) -> date | None:
        """The day the line reopens after its summer closure, when that is its next opening
        from ``now`` (in ``state``, not open): during the closure, or on its eve after closing
        time. None otherwise (the line opens at its usual hour)."""
        phone = self.settings.phone
        if phone.summer_closed_until is None:
            return None
        local = now.astimezone(self.settings.tz)
        if state is not LineState.CLOSED_SUMMER:
            if local.time() < phone.opens:
                return None  # it opens later today
            tomorrow = datetime.combine(
                local.date() + timedelta(days=1), phone.opens, tzinfo=self.settings.tz
            )
            if line_state(tomorrow, phone, self._school_holiday) is not LineState.CLOSED_SUMMER:
                return None
        month, day = phone.summer_closed_until
        return date(local.year, month, day) + timedelta(days=1)

    def _web_sentence(self, sp: Speaker) -> str:
        web = self.settings.phone.web(sp.lang)
        if not web:
            return ""
        return sp._("You can also book or cancel a meal on %(web)s.", web=web)

    def _goodbye(self, sp: Speaker) -> str:
        return sp._("Thank you for calling. Goodbye.")

    def _one_day(self, sp: Speaker) -> list[str]:
        """Said when several days are asked at once ("toute la semaine prochaine")."""
        # A list of days is taken, one after the other: say so, or the parent gives up on a
        # phone line that in fact takes "lundi, mardi et jeudi".
        lines = [
            sp._(
                "On this line, name the days one by one, up to %(count)d: for example Monday, "
                "Tuesday and Thursday.",
                count=MAX_DAYS_SAID,
            )
        ]
        web = self.settings.phone.web(sp.lang)
        if web:
            lines.append(sp._("For several days at once, you can use %(web)s.", web=web))
        return lines

    def _goodbye_failed(self, sp: Speaker, step: str | None = None) -> str:
        """The goodbye of a call that got nowhere: when to call again (while the line is
        open, until it closes), who answers in person (the help desk, if there is one; at the
        identification questions, for a lost account number or code) and the web."""
        phone = self.settings.phone
        now = self.clock.now()
        state = line_state(now, phone, self._school_holiday)
        if state is LineState.OPEN:
            again = sp._("You can call again until %(closes)s.", closes=sp.hour(phone.closes))
        elif (reopens := self._summer_reopening(now, state)) is not None:
            # Begun before 13:00 on the eve of the summer closure: not "between 8 and 13".
            again = sp._(
                "You can call again from %(day)s at %(opens)s.",
                day=sp.day(reopens),
                opens=sp.hour(phone.opens),
            )
        else:  # a call that began before closing time
            again = sp._(
                "You can call again between %(opens)s and %(closes)s.",
                opens=sp.hour(phone.opens),
                closes=sp.hour(phone.closes),
            )
        parts = [
            again,
            self._desk_sentence(sp, step),
            self._web_sentence(sp),
            sp._("Thank you for calling. Goodbye."),
        ]
        return " ".join(p for p in parts if p)

    def _desk_sentence(self, sp: Speaker, step: str | None = None) -> str:
        """Who to call to speak to someone ("" when the configuration names no one); at the
        account and code questions, for a caller without their account number or code."""
        desk = self.settings.phone.desk(sp.lang)
        if not desk:
            return ""
        if step == ACCOUNT:
            return sp._("If you do not know your family account number, call %(desk)s.", desk=desk)
        if step == PIN:
            return sp._("If you do not know your secret code, call %(desk)s.", desk=desk)
        return sp._("To speak to someone, call %(desk)s.", desk=desk)

    def _desk_once(self, st: CallState, sp: Speaker, step: str) -> str:
        """:meth:`_desk_sentence` for a question that takes keys only, or "" if already said in
        this call: on an English, keypad-only call every silence said it again, at length. (A
        French call hears it at the account and code questions, which it does not reach twice.)"""
        desk = self._desk_sentence(sp, step)
        if sp.speech or not desk:
            return desk
        said = [str(x) for x in st.data.get("desk_said", [])]
        if desk in said:
            return ""
        st.data["desk_said"] = [*said, desk]
        return desk

    def _english_offer(self, st: CallState) -> Aside | None:
        """ "For English, say English.", in English and an English voice, on a French call
        (``None`` on an English one): said to a caller who may not follow French."""
        return self._in_english(st, self.speaker("en")._("For English, say English."))

    def _english_key(self, st: CallState, step: str) -> bool:
        """Whether :data:`ENGLISH_KEY` asks for English at ``step``: on a French call, once
        offered, at the action menu, and at the child menu while it is no child's key."""
        if st.language != DEFAULT_LANGUAGE or not st.data.get("english_offered"):
            return False
        if step == CHILD:
            return len(self._kids(st)) < int(ENGLISH_KEY)
        return step == ACTION

    def _english_key_offer(self, st: CallState, step: str) -> Aside | None:
        """ "For English, press 8.", in English and an English voice, on a French call (``None``
        on an English one); "For English, say English." at a child menu where 8 is a child's
        key (a family of eight children or more)."""
        en = self.speaker("en")
        if step == CHILD and len(self._kids(st)) >= int(ENGLISH_KEY):
            return self._english_offer(st)
        return self._in_english(st, en._("For English, press %(key)s.", key=ENGLISH_KEY))

    def _to_english(self, st: CallState, step: str, shown: str | None) -> Turn:
        """The rest of the call in English, on the keypad (the line understands spoken French
        only), from the same question."""
        st.language = "en"
        sp = self.speaker(st.language)
        line = sp._("This call will now be in English. Please answer with your phone's keypad.")
        turn = self._ask(st, sp, step, [line], step, "english", reset=False)
        return Turn(turn.reply, turn.step, turn.outcome, shown)

    def _french_offer(self, st: CallState) -> Aside | None:
        """ « Pour le français, tapez 9. », in French and the line's French voice, in the
        action and after-result menus of an English call (``None`` on a French one)."""
        if st.language == DEFAULT_LANGUAGE:
            return None
        fr = self.speaker(DEFAULT_LANGUAGE)
        text = fr._("For French, press %(key)s.", key=FRENCH_KEY)
        return Aside(text, fr.voice, fr.say_language)

    def _in_english(self, st: CallState, text: str) -> Aside | None:
        """``text`` (English) said by the English voice on a French call; ``None`` when empty
        or on an English call (its lines are all English already)."""
        if not text or st.language == "en":
            return None
        en = self.speaker("en")
        return Aside(text, en.voice, en.say_language)

    def _wrong_key(self, sp: Speaker) -> str:
        return sp._("That key is not in the menu.")

    def _not_understood(self, sp: Speaker) -> str:
        return sp._("Sorry, I did not understand.")


def _year_before(day: date) -> date | None:
    """The same day a year earlier (None for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return None


def _holiday_phrase(sp: Speaker, reason: str) -> str:
    """The school-holiday period, said as a reason ("c'est le pont de l'Ascension")."""
    phrases = {
        "ascension": sp._("it is the Ascension bridge day"),
        "autumn": sp._("it is the autumn holidays"),
        "christmas": sp._("it is the Christmas holidays"),
        "winter": sp._("it is the winter holidays"),
        "spring": sp._("it is the spring holidays"),
        "summer": sp._("it is the summer holidays"),
    }
    return phrases.get(holiday_kind(reason) or "", reason)


def not_counted_said(
    booking: BookingService, sp: Speaker, meals: Sequence[tuple[date, datetime, frozenset[int]]]
) -> list[str]:
    """Why the deadlines of ``meals`` (each a day, its deadline and the canteen weekdays
    of the child's school) came earlier than the published table says, when they did:
    "Les jours sans cantine, comme le jeudi 6 mai (Ascension) et le pont de l'Ascension, ne
    comptent pas dans le délai." A parent counting Monday's deadline as the Thursday before
    does not see the holidays in between. Several days refused together hear it once,
    each day without canteen named once. The school's weekdays, not the town's: a public
    holiday on a Wednesday does not move the deadline of a school closed on Wednesdays.
    From the shipped calendar: no query.
    Also what ``restomairie deadline`` prints under a deadline, in the line's words."""
    settings, calendar = booking.settings, booking.calendar
    found: dict[date, DayStatus] = {}
    for day, deadline, weekdays in meals:
        for status in calendar.not_counted(day, deadline, weekdays, settings.rule_for("phone")):
            found.setdefault(status.day, status)
    skipped = [found[d] for d in sorted(found)]
    parts: list[str] = []
    said: set[str] = set()
    for status in skipped:
        reason = status.reason or ""
        if reason == calendar.public_holiday_name(status.day):
            name = calendar.public_holiday_name(status.day, sp.lang) or reason
            parts.append(
                sp._(
                    "(a public holiday) %(day)s (%(name)s)",
                    day=sp.day(status.day),
                    name=holiday_label(name),
                )
            )
        elif reason not in said:  # the holidays named once, however many days
            said.add(reason)
            parts.append(_holiday_name(sp, reason))
    if not parts:
        return []
    return [
        sp._(
            "Days without school catering, such as %(days)s, do not count.",
            days=sp.names(parts),
        )
    ]


def _holiday_name(sp: Speaker, reason: str) -> str:
    """The school-holiday period, named ("les vacances de Noël")."""
    names = {
        "ascension": sp._("the Ascension bridge"),
        "autumn": sp._("the autumn holidays"),
        "christmas": sp._("the Christmas holidays"),
        "winter": sp._("the winter holidays"),
        "spring": sp._("the spring holidays"),
        "summer": sp._("the summer holidays"),
    }
    return names.get(holiday_kind(reason) or "", reason)


def _entry_day(entry: object) -> object:
    """The day of an entry of the queue: a day, or a request of its own (its day first)."""
    return entry[0] if isinstance(entry, list) else entry


def _in_series(st: CallState, days: Sequence[str]) -> None:
    """Adds ``days`` to those read back one by one in this request (see _all_the_days)."""
    if not st.data.get("series"):
        # A new request: what an earlier one did is no part of it ("annuler jeudi et
        # vendredi", then "annuler vendredi et lundi": Friday, nothing to cancel this time, is
        # not taken back with Monday).
        st.data.pop("done_series", None)
    st.data["series"] = _unique([*(st.data.get("series") or []), *days])


def _series_done(st: CallState) -> list[tuple[str, date, list[str]]]:
    """The changes made so far in the request read back one by one (``done_series``, see
    CallFlow._keep_series_done): each its action, day and children, in the order made. Calls
    under way since before each change kept its own action have the older shape, one action
    for all: ``[action, [[day, children], …]]``."""
    kept = st.data.get("done_series")
    if not kept:
        return []
    if isinstance(kept[0], str):  # the older shape
        action, entries = kept
        return [
            (str(action), date.fromisoformat(str(d)), [str(r) for r in refs])
            for d, refs in entries
        ]
    return [(str(a), date.fromisoformat(str(d)), [str(r) for r in refs]) for d, refs, a in kept]


# The fifth item of ``done`` after a request of its own that changed nothing (see
# CallFlow._nothing_taken_back).
_ALONE = "alone"


def _last_asked(done: Sequence[Any]) -> str:
    """The action of the last request heard with the change just made (``done``): its own,
    or that of a request of the same phrase said after it that had nothing to do or was
    refused (a fourth item, see CallFlow._keep_series_end)."""
    return str(done[3] if len(done) > 3 else done[0])


def _bare_cancel(
    speech: str, around: frozenset[str] = _AROUND_CANCEL, verbs: frozenset[str] = _CANCEL_VERBS
) -> bool:
    """Whether ``speech`` is a cancel verb (or one of ``verbs``) with nothing but ``around``
    words ("non, annulez", "annulez !"): no day, no child, no "je veux" that would ask for a
    cancellation."""
    tokens = normalise(speech).split()
    return bool(verbs & set(tokens)) and all(t in verbs or t in around for t in tokens)


def _shown(heard: Heard) -> str | None:
    """What the call log keeps of an answer (never more than 200 characters)."""
    if heard.digits:
        return heard.digits[:200]
    if heard.speech.strip():
        return heard.speech.strip()[:200]
    return None


# Canteen days further apart than this have school holidays between them (not a weekend, a
# Wednesday, nor a bridge day: a listing of every canteen day runs over those, said apart).
HOLIDAY_GAP = timedelta(days=7)


def _stretch_said(sp: Speaker, run: Sequence[date]) -> str:
    """One stretch of canteen days in a listing: ``le jeudi 2 septembre``, ``le jeudi 17 et le
    vendredi 18 décembre`` (two days are two days, not "du jeudi 17 décembre au vendredi 18
    décembre", a span for what a parent says as a pair), else ``du lundi 4 janvier au mardi
    12 janvier``."""
    if len(run) == 1:
        return sp._("on %(day)s", day=sp.day(run[0]))
    if len(run) == 2:
        return sp._("(two days in a row) %(days)s", days=sp.days_by_month(run))
    return sp._("from %(first)s to %(last)s", first=sp.day(run[0]), last=sp.day(run[-1]))


def _runs(days: Sequence[date]) -> list[list[date]]:
    """``days`` (in order) in stretches without holidays between them (see HOLIDAY_GAP)."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] <= HOLIDAY_GAP:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _weekday_from(day: date, step: int) -> date:
    """``day``, or the nearest Monday-to-Friday day from it going ``step`` (1 or -1)."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def _after_colon(text: str) -> str:
    """A sentence put after "Pour Léa :": its first letter in lower case, as French writes it
    ("Pour Léa : trop tard pour…")."""
    return text[:1].lower() + text[1:]


def _unique(entries: Sequence[Any]) -> list[Any]:
    """The queue's entries (days, or requests as lists) without repeats, in order."""
    seen: set[str] = set()
    kept = []
    for entry in entries:
        key = repr(entry)
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept


def _decided_said(sp: Speaker, decided: Decided) -> str:
    """When and how a meal was booked or cancelled, as said after "annulé" or "réservé": "le
    lundi 23 novembre à 10 h 20, par téléphone" (the channel when a parent knows it: the phone,
    the website, the town hall; an import or the system says nothing of it)."""
    when = sp.moment(decided.at)
    if decided.channel == "phone":
        return sp._("%(when)s, by phone", when=when)
    if decided.channel == "web":
        return sp._("%(when)s, online", when=when)
    if decided.channel == "staff":
        return sp._("%(when)s, by the town hall", when=when)
    return when


def _remember_made(st: CallState, results: Sequence[ChangeResult]) -> None:
    """Keep, in the call's state, when this call changed each child's day (the time its
    booking day and audit entry keep): :func:`_made_in_call` knows by it a day asked again in
    the same call, with no read."""
    made = st.data.setdefault(_MADE, {})
    for r in results:
        if r.changed and r.at is not None:
            made[f"{r.child_ref} {r.day.isoformat()}"] = r.at.isoformat()


def _made_in_call(st: CallState, ref: str, day: date, decided: Decided) -> bool:
    """Whether the last change of a child's day (``decided``, read with its state or from the
    journal) is this call's own: made by phone at the very time this call kept for that child
    and day. Not a guess from the time alone: another call of the family, even the same
    minute, made its change at another time and is said as such ("aujourd'hui à 10 h 20")."""
    if decided.channel != "phone":
        return False
    at = st.data.get(_MADE, {}).get(f"{ref} {day.isoformat()}")
    return at is not None and datetime.fromisoformat(str(at)) == decided.at


def _changed(action: str) -> Outcome:
    return Outcome.BOOKED if action == "book" else Outcome.CANCELLED


def _unchanged(action: str) -> Outcome:
    return Outcome.ALREADY_BOOKED if action == "book" else Outcome.NOTHING_TO_CANCEL


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day_at(items: Sequence[Any], index: int) -> date | None:
    value = items[index] if len(items) > index else None
    return date.fromisoformat(str(value)) if value else None


def _nothing(st: CallState) -> str:
    """The outcome of a request already as asked: "already_booked" or "nothing_to_cancel"."""
    return "already_booked" if st.data.get("action") == "book" else "nothing_to_cancel"


def _tried(st: CallState, outcome: str, day: date, refs: Any, late: Sequence[Kid] = ()) -> None:
    """Keep, in the call's state, the action, day and children of a refusal, read-back or
    request with nothing to change (its event's outcome names neither the children nor a
    refusal's day), and the logged step that said it (the id of the webhook's event row,
    :attr:`CallState.event`): ``[outcome, action, day, refs, late, event]``. The staff pages
    place it at that step (records written before the line kept the step, ``[outcome,
    action, day, refs]`` or ``[…, refs, late]``, are paired, in order, with the events of
    that outcome). A read-back for some children, refused as too late for others (``late``,
    else empty), keeps those too: "mais j'ai bien annulé pour les deux !"."""
    record: list[Any] = [outcome, st.data.get("action"), day.isoformat()]
    record.append([str(r) for r in refs or ()])
    if st.event is not None:
        record += [[k.ref for k in late], st.event]
    elif late:  # outside a webhook (no step to name): as the line kept them before
        record.append([k.ref for k in late])
    st.data.setdefault("tried", []).append(record)


def _logged(step: str, heard: Heard, outcome: str | None) -> str | None:
    """What the call log keeps of an answer: never the code. At the code step, "[code]";
    elsewhere every run of four digits or more is masked ("1951" at the date question, "mon
    code est 1951", "210500*1951", an unknown account), except an account number that was
    found and a date that was understood (``outcome``: what the step made of it; ``None``
    when it was not read, e.g. ``*``)."""
    if step == PIN and heard.kind != "none":
        return "[code]"
    shown = _shown(heard)
    if shown is None:
        return None
    if outcome is not None and (
        (step == ACCOUNT and outcome == "ok")
        or (step == DATE and outcome not in ("invalid_date", "not_understood", "repeat"))
    ):
        return shown
    shown = _DIGIT_RUN.sub(lambda m: "".join("•" if c.isdigit() else c for c in m[0]), shown)
    # Numbers said in words too ("dix-neuf cinquante et un"): masked as a whole.
    for start, end in reversed(spoken_digit_runs(shown)):
        shown = f"{shown[:start]}••••{shown[end:]}"
    return shown


def logged_answer(step: str, heard: Heard) -> str | None:
    """What the call log keeps of an answer whose step failed (see :func:`_logged`): never the
    code, every run of four digits or more masked."""
    return _logged(step, heard, None)


def _mobile(number: str) -> bool:
    """A number that can receive an SMS: French mobiles (06, 07) or any foreign number."""
    if not number.startswith("+"):
        return False
    if number.startswith("+33"):
        return number.startswith(("+336", "+337"))
    return True
