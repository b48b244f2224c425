"""Deadline rules, as configuration rather than code.

A rule answers: for a meal on ``day``, until when (exclusive) may a family book or cancel it?
A change is accepted when ``now < deadline``: at 12:59:59 it counts, at 13:00:00 it is too late.

Three kinds cover the towns we know (``config/*.toml`` quote the sentences they encode):

* :class:`OperatingDaysRule` — Dijon: "3 jours de fonctionnement scolaire avant la date souhaitée
  (avant 13h00)", i.e. 13:00 on the 2nd operating day before the meal, counting the deadline day
  and the meal day themselves; holidays and breaks are skipped when counting back.
* :class:`WorkingHoursRule` — Villepreux: "48 heures (week-end et jours fériés non compris)",
  counted back from a reference time of the meal day over weekdays that are not public holidays.
* :class:`CalendarDaysRule` — Cesson-Sévigné: "modifications jusqu'à J-2", plain calendar days.

All answers are wall-clock times in the town's zone, so 13:00 stays 13:00 across DST changes.
A time the clocks skip (02:30 on the last Sunday of March in Paris) is the instant Python reads
it as, with the offset before the change (PEP 495, ``fold=0``), written as the clocks show it
(03:30): see :func:`at_local`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def at_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``at`` o'clock on ``day`` in ``tz``, as a local time that exists. A time the clocks skip
    is read with the offset before the change (PEP 495's ``fold=0``, what Python does anyway):
    02:30 on Sunday 29 March 2026 in Paris is 01:30 UTC, which the clocks show as 03:30, and is
    returned so. Left as "02:30+01:00", it was said "2 h 30" and, compared with a "now" of the
    same zone (Python compares those by wall clock), closed at 03:00 while the same instant in
    UTC (the lock scheduler, the database) is 03:30. A time that happens twice (the last Sunday
    of October) is the first, summer-time one."""
    return datetime.combine(day, at, tz).astimezone(UTC).astimezone(tz)


@dataclass(frozen=True)
class DeadlineContext:
    """What a rule may look at: the school's operating days and the public holidays."""

    tz: ZoneInfo
    previous_operating: Callable[[date, int], date]  # the n-th operating day before a day
    is_public_holiday: Callable[[date], bool]


@dataclass(frozen=True)
class OperatingDaysRule:
    """``at`` o'clock on the ``days``-th operating day before the meal."""

    days: int
    at: time

    def deadline(self, day: date, ctx: DeadlineContext) -> datetime:
        return at_local(ctx.previous_operating(day, self.days), self.at, ctx.tz)

    def describe(self) -> str:
        return f"{self.days} jours de fonctionnement avant, avant {self.at:%H:%M}"


@dataclass(frozen=True)
class WorkingHoursRule:
    """``hours`` hours before ``reference`` o'clock on the meal day, counting only weekdays that
    are not public holidays (weekends and public holidays "non compris")."""

    hours: int
    reference: time = time(0)

    def deadline(self, day: date, ctx: DeadlineContext) -> datetime:
        remaining = timedelta(hours=self.hours)
        cursor_day = day
        # Time of the cursor day still available before the cursor (from midnight).
        available = timedelta(hours=self.reference.hour, minutes=self.reference.minute)
        while True:
            working = cursor_day.weekday() < 5 and not ctx.is_public_holiday(cursor_day)
            if working and remaining <= available:
                moment = datetime.combine(cursor_day, time(0)) + (available - remaining)
                return at_local(moment.date(), moment.time(), ctx.tz)
            if working:
                remaining -= available
            cursor_day -= timedelta(days=1)
            available = timedelta(days=1)

    def describe(self) -> str:
        return f"{self.hours} heures ouvrées avant"


@dataclass(frozen=True)
class CalendarDaysRule:
    """``at`` o'clock, ``days`` calendar days before the meal."""

    days: int
    at: time

    def deadline(self, day: date, ctx: DeadlineContext) -> datetime:
        return at_local(day - timedelta(days=self.days), self.at, ctx.tz)

    def describe(self) -> str:
        return f"{self.days} jours calendaires avant, avant {self.at:%H:%M}"


DeadlineRule = OperatingDaysRule | WorkingHoursRule | CalendarDaysRule
