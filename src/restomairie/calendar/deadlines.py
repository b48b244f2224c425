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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


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
        return datetime.combine(ctx.previous_operating(day, self.days), self.at, ctx.tz)

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
                return moment.replace(tzinfo=ctx.tz)
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
        return datetime.combine(day - timedelta(days=self.days), self.at, ctx.tz)

    def describe(self) -> str:
        return f"{self.days} jours calendaires avant, avant {self.at:%H:%M}"


DeadlineRule = OperatingDaysRule | WorkingHoursRule | CalendarDaysRule
