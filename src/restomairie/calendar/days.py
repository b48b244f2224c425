"""Operating days of a school, and the deadline of each meal (DOMAIN.md §2).

An operating day is a canteen weekday of the school that is neither a public holiday (``holidays``,
France, with Alsace-Moselle's two extra days when configured) nor a school-holiday day of the town's
zone (the shipped official calendar, or the deployment's calendar file). Local closures (a
strike, a school trip) are laid over that by
:meth:`SchoolCalendar.status`: they close the day for booking, but they do **not** move other
days' deadlines — a closure declared late must never pull a deadline families relied on into the
past, and the kitchen's production rhythm does not change because one school is on strike.

Speed: the first question about a school builds an index of every covered day (a dict); after that
a deadline answer is one dict look-up.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from babel.dates import format_date

from restomairie.calendar.deadlines import DeadlineContext, DeadlineRule, OperatingDaysRule
from restomairie.calendar.schoolholidays import (
    CalendarCoverageError,
    SchoolHolidayCalendar,
    holiday_label,
    load_school_holidays,
)

CLOSURE_PREFIX = "fermeture : "  # the reason of a day a local closure closes: "fermeture : grève"
# How many days past the calendar first_changeable looks at, at most.
BEYOND_HORIZON = 366


class _Unknown(Exception):
    """A deadline past the calendar counts a day the calendar does not know."""


@dataclass(frozen=True)
class Closure:
    """A local closure: one school (``school_id``) or all (None), from ``first`` to ``last``."""

    school_id: str | None
    first: date
    last: date
    reason: str  # French, e.g. "grève"
    kind: str = "other"  # strike, trip, other (said instead of the label in other languages)

    def covers(self, school_id: str, day: date) -> bool:
        return (self.school_id is None or self.school_id == school_id) and (
            self.first <= day <= self.last
        )


def closed_reason(day: date, reason: str | None) -> str:
    """Why ``day`` has no canteen, in the words of a French sentence: a weekday the canteen
    never serves is said as the phone line says it (``la cantine ne fonctionne jamais le
    mercredi``, where the day's reason is only the weekday's name); school holidays as the phone
    line names them (``vacances de Noël``, :func:`holiday_label`); a public holiday or a
    closure, its reason as it is.

    :attr:`DayStatus.reason` itself stays the weekday's name or the data set's ("Vacances
    d'Été"): the phone line and the kitchen's JSON read it as data."""
    weekday = format_date(day, "EEEE", locale="fr")
    if reason == weekday:
        return f"la cantine ne fonctionne jamais le {weekday}"
    return holiday_label(reason or "")


@dataclass(frozen=True)
class DayStatus:
    """Whether a school's canteen serves lunch on a day; if not, why (French); if so, until when
    a change is accepted."""

    day: date
    operating: bool
    reason: str | None = None
    deadline: datetime | None = None
    closure: bool = False  # closed by a local closure (not billed)
    closure_kind: str | None = None  # that closure's kind (strike, trip, other)


class _Index:
    """Every covered day of one school under one rule."""

    def __init__(self, statuses: dict[date, DayStatus], operating: list[date]) -> None:
        self.statuses = statuses
        self.operating = operating


class SchoolCalendar:
    """The school calendar of one town: pure, no database, no clock."""

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        zone: str,
        alsace_moselle: bool = False,
        school_holidays: SchoolHolidayCalendar | None = None,
        locale: str = "fr_FR",
    ) -> None:
        self.tz = tz
        self.zone = zone
        self.alsace_moselle = alsace_moselle
        self.school_holidays = school_holidays or load_school_holidays()
        self.locale = locale
        self._indexes: dict[tuple[frozenset[int], DeadlineRule], _Index] = {}
        self._holidays_by_language: dict[str, holidays.HolidayBase] = {}

    @property
    def first_covered(self) -> date:
        return self.school_holidays.first_covered

    @property
    def last_covered(self) -> date:
        return self.school_holidays.last_covered

    @property
    def public_holidays(self) -> holidays.HolidayBase:
        """France's public holidays over the covered years, named in French."""
        return self._public_holidays_in("fr")

    def _public_holidays_in(self, language: str) -> holidays.HolidayBase:
        found = self._holidays_by_language.get(language)
        if found is None:
            # Alsace (6AE) and Moselle (57) have the same two extra days: Good Friday, 26 Dec.
            years = range(self.first_covered.year - 1, self.last_covered.year + 2)
            found = self._holidays_by_language[language] = holidays.France(
                years=years, subdiv="6AE" if self.alsace_moselle else None, language=language
            )
        return found

    def is_public_holiday(self, day: date) -> bool:
        return day in self.public_holidays

    def public_holiday_name(self, day: date, lang: str = "fr") -> str | None:
        """The public holiday's name in ``lang`` ("Noël", "Christmas Day"), or None."""
        if lang == "fr":
            found = self.public_holidays.get(day)
        else:
            found = self._public_holidays_in("en_US").get(day)  # the library's English
        return str(found) if found else None

    def _static_reason(
        self, weekdays: frozenset[int], day: date, closed: dict[date, str]
    ) -> str | None:
        if day.weekday() not in weekdays:
            # A Wednesday or a weekend within the school holidays is the holidays' day to a
            # parent ("ce sont les vacances de Noël", not "jamais le mercredi"). The day is closed
            # either way: which reason is kept changes no operating day and no deadline.
            return closed.get(day) or format_date(day, "EEEE", locale=self.locale)
        name = self.public_holidays.get(day)
        if name:
            return str(name)
        return closed.get(day)

    def _index(self, weekdays: frozenset[int], rule: DeadlineRule) -> _Index:
        key = (weekdays, rule)
        index = self._indexes.get(key)
        if index is not None:
            return index
        closed = self.school_holidays.closed_days(self.zone)
        reasons: dict[date, str | None] = {}
        operating: list[date] = []
        day = self.first_covered
        while day <= self.last_covered:
            reason = self._static_reason(weekdays, day, closed)
            reasons[day] = reason
            if reason is None:
                operating.append(day)
            day += timedelta(days=1)

        def previous_operating(d: date, n: int) -> date:
            pos = bisect.bisect_left(operating, d) - n
            if pos < 0:
                raise CalendarCoverageError(d, self.first_covered, self.last_covered)
            return operating[pos]

        ctx = DeadlineContext(
            tz=self.tz,
            previous_operating=previous_operating,
            is_public_holiday=self.is_public_holiday,
        )
        statuses: dict[date, DayStatus] = {}
        for d, reason in reasons.items():
            if reason is not None:
                statuses[d] = DayStatus(d, False, reason)
                continue
            try:
                statuses[d] = DayStatus(d, True, None, rule.deadline(d, ctx))
            except CalendarCoverageError:
                # Too close to the start of the known calendar to count back: leave it out, so
                # that asking about it raises the coverage error instead of guessing.
                continue
        index = _Index(statuses, operating)
        self._indexes[key] = index
        return index

    def status(
        self,
        day: date,
        weekdays: frozenset[int],
        rule: DeadlineRule,
        *,
        school_id: str | None = None,
        closures: Iterable[Closure] = (),
    ) -> DayStatus:
        """The status of ``day`` for a school open on ``weekdays``, deadlines under ``rule``.

        Raises :class:`CalendarCoverageError` for a day the shipped calendar does not cover.
        """
        found = self._index(weekdays, rule).statuses.get(day)
        if found is None:
            raise CalendarCoverageError(day, self.first_covered, self.last_covered)
        return _closed_by(found, school_id, closures)

    def covered_statuses(
        self,
        days: Iterable[date],
        weekdays: frozenset[int],
        rule: DeadlineRule,
        *,
        school_id: str | None = None,
        closures: Iterable[Closure] = (),
    ) -> Iterator[DayStatus | None]:
        """:meth:`status` of each of ``days``, None for a day the calendar does not cover
        (where :meth:`status` raises): for many days of one school, its index found once. Given
        one by one, as they are asked for: a search that stops at the first day it wants does
        not have the others worked out."""
        statuses = self._index(weekdays, rule).statuses
        closures = tuple(closures)
        for day in days:
            found = statuses.get(day)
            yield None if found is None else _closed_by(found, school_id, closures)

    def operating_statuses(
        self,
        first: date,
        last: date,
        weekdays: frozenset[int],
        rule: DeadlineRule,
        *,
        school_id: str | None = None,
        closures: Iterable[Closure] = (),
    ) -> Iterator[DayStatus]:
        """The statuses of the operating days from ``first`` to ``last``, in order: those
        :meth:`covered_statuses` gives as operating (a local closure of ``school_id`` takes
        its days out), the other days not even looked at. Given one by one, as they are asked
        for."""
        index = self._index(weekdays, rule)
        statuses, operating = index.statuses, index.operating
        closures = tuple(closures)
        start, end = bisect.bisect_left(operating, first), bisect.bisect_right(operating, last)
        for k in range(start, end):
            found = statuses.get(operating[k])
            if found is None:  # its deadline counts back before the calendar: not covered
                continue
            status = _closed_by(found, school_id, closures)
            if status.operating:
                yield status

    def days(
        self,
        start: date,
        end: date,
        weekdays: frozenset[int],
        rule: DeadlineRule,
        *,
        school_id: str | None = None,
        closures: Iterable[Closure] = (),
    ) -> list[DayStatus]:
        """Every day from ``start`` to ``end`` inclusive, with its status."""
        closures = tuple(closures)
        out = []
        day = start
        while day <= end:
            out.append(self.status(day, weekdays, rule, school_id=school_id, closures=closures))
            day += timedelta(days=1)
        return out

    def not_counted(
        self, day: date, deadline: datetime, weekdays: frozenset[int], rule: DeadlineRule
    ) -> list[DayStatus]:
        """The canteen weekdays between a meal's deadline and the meal that have no canteen
        (public holidays, school holidays, the Ascension bridge), which counting back skipped:
        Monday 10 May 2027's deadline is Monday 3 May, not the Thursday before as the published
        table says, as Thursday 6 (Ascension) and Friday 7 (the bridge) do not count. Never a
        weekday the canteen does not serve (Wednesday): the table already leaves it out, nor a
        public holiday within the school holidays (Christmas Day): the holidays' other days say
        it. Empty under a rule that does not count operating days."""
        if not isinstance(rule, OperatingDaysRule):
            return []
        holidays_closed = self.school_holidays.closed_days(self.zone)
        found = []
        d = deadline.astimezone(self.tz).date() + timedelta(days=1)
        while d < day:
            status = self._index(weekdays, rule).statuses.get(d)
            if (
                d.weekday() in weekdays
                and status is not None
                and not status.operating
                and not (status.reason != holidays_closed.get(d) and d in holidays_closed)
            ):
                found.append(status)
            d += timedelta(days=1)
        return found

    def closed_beyond(self, day: date, weekdays: frozenset[int]) -> str | None:
        """Why ``day``, past the calendar, has no canteen whatever the calendar says once
        published (a weekday the canteen never serves, a public holiday), as
        :attr:`DayStatus.reason` says it; None when that depends on the school holidays, which
        are not known there."""
        return self._static_reason(weekdays, day, {})

    def deadline_beyond(
        self, day: date, weekdays: frozenset[int], rule: DeadlineRule
    ) -> datetime | None:
        """The deadline ``day``, past the calendar, would have were it an operating day, when
        that depends only on days known: the calendar's own, and past it the weekdays the
        canteen never serves and the public holidays (no school holiday is known there). A
        Friday just after the rentrée counts back to days of the calendar (3 September 2027:
        Thursday 2 September, then Friday 2 July), so its deadline is known although whether it
        is a school day is not; the Monday after counts back through that Friday, and is not.
        None then, and for a day that can be no operating day (:meth:`closed_beyond`). A rule
        that counts no operating day (working hours, calendar days) always knows."""
        if day <= self.last_covered:
            raise ValueError(f"{day} is in the calendar: ask status()")
        if self.closed_beyond(day, weekdays) is not None:
            return None
        index = self._index(weekdays, rule)

        def previous_operating(d: date, n: int) -> date:
            cursor = d - timedelta(days=1)
            while cursor > self.last_covered:
                if self.closed_beyond(cursor, weekdays) is None:
                    raise _Unknown  # a canteen day past the calendar: school day or not?
                cursor -= timedelta(days=1)
            pos = bisect.bisect_left(index.operating, d) - n
            if pos < 0:
                raise CalendarCoverageError(d, self.first_covered, self.last_covered)
            return index.operating[pos]

        ctx = DeadlineContext(
            tz=self.tz, previous_operating=previous_operating,
            is_public_holiday=self.is_public_holiday,
        )
        try:
            return rule.deadline(day, ctx)
        except (_Unknown, CalendarCoverageError):
            return None

    def last_deadline(self, weekdays: frozenset[int], rule: DeadlineRule) -> datetime | None:
        """The deadline of the calendar's last operating day (2 September 2027's: Thursday 1
        July, 13:00): deadlines grow with the meal day, and the days after the calendar cannot
        be booked at all, so after it no day can change until the calendar is updated — two
        months before the calendar's last day. None when it has no operating day."""
        index = self._index(weekdays, rule)
        for day in reversed(index.operating):
            found = index.statuses.get(day)
            if found is not None and found.deadline is not None:
                return found.deadline
        return None

    def first_changeable(
        self,
        after: date,
        weekdays: frozenset[int],
        rule: DeadlineRule,
        *,
        open_at: datetime,
        school_id: str | None = None,
        closures: Iterable[Closure] = (),
    ) -> date:
        """The first day on or after ``after`` whose meal can still change at ``open_at``: the
        first operating day whose deadline is later (:meth:`next_operating`); when no day of
        the calendar is, the first canteen day past it whose deadline is not known to have
        passed (:meth:`deadline_beyond`). A change from
        that day on touches no day whose deadline has passed: days after the calendar are not
        locked yet, but those whose deadline is known and gone would be locked late with it."""
        closures = tuple(closures)
        if after <= self.last_covered:
            found = self.next_operating(
                after, weekdays, rule, open_at=open_at, school_id=school_id, closures=closures,
                horizon=(self.last_covered - after).days + 1,
            )
            if found is not None:
                return found.day
        day = max(after, self.last_covered + timedelta(days=1))
        # Deadlines grow with the meal day: within a few weeks one is unknown or ahead (a
        # rule counting no operating day), and the bound only ends a walk that never would.
        for _ in range(BEYOND_HORIZON):
            if self.closed_beyond(day, weekdays) is None:
                deadline = self.deadline_beyond(day, weekdays, rule)
                if deadline is None or open_at < deadline:
                    return day
            day += timedelta(days=1)
        return day

    def next_operating(
        self,
        after: date,
        weekdays: frozenset[int],
        rule: DeadlineRule,
        *,
        open_at: datetime | None = None,
        school_id: str | None = None,
        closures: Iterable[Closure] = (),
        horizon: int = 120,
    ) -> DayStatus | None:
        """The first operating day on or after ``after`` (whose deadline is after ``open_at``
        when given): what a refused caller can still change."""
        closures = tuple(closures)
        day = after
        for _ in range(horizon):
            if day > self.last_covered:
                return None
            st = self.status(day, weekdays, rule, school_id=school_id, closures=closures)
            if st.operating and (open_at is None or (st.deadline and open_at < st.deadline)):
                return st
            day += timedelta(days=1)
        return None


def _closed_by(found: DayStatus, school_id: str | None, closures: Iterable[Closure]) -> DayStatus:
    """The calendar's status ``found`` of a day, or, when a local closure of ``school_id``
    covers that operating day, the day closed by it (its deadline kept)."""
    if found.operating and school_id is not None:
        for closure in closures:
            if closure.covers(school_id, found.day):
                return DayStatus(
                    found.day,
                    False,
                    f"{CLOSURE_PREFIX}{closure.reason}",
                    found.deadline,
                    True,
                    closure.kind,
                )
    return found
