"""When the phone line answers: opening hours, and the summer closure (DOMAIN.md §4).

Dijon: "de 8h00 à 13h00", and "ce service ne fonctionne pas pendant les vacances d'été jusqu'au
15 août": closed on the summer-holiday days of the town's zone up to that date, inclusive. Pure:
``now`` and the holiday look-up are given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from restomairie.calendar.schoolholidays import CalendarCoverageError
from restomairie.config import PhoneLine

SUMMER_MONTHS = (7, 8)


class LineState(StrEnum):
    OPEN = "open"
    CLOSED_HOURS = "closed_hours"
    CLOSED_SUMMER = "closed_summer"


def line_state(
    now: datetime, phone: PhoneLine, school_holiday: Callable[[date], str | None]
) -> LineState:
    """Is the line open at ``now`` (town time)? ``school_holiday(day)`` names the school-holiday
    period of ``day`` (or None); a day past the shipped calendar is not treated as summer."""
    today = now.date()
    if phone.summer_closed_until is not None and today.month in SUMMER_MONTHS:
        until = phone.summer_closed_until
        if (today.month, today.day) <= until:
            try:
                in_holidays = school_holiday(today) is not None
            except CalendarCoverageError:
                in_holidays = False
            if in_holidays:
                return LineState.CLOSED_SUMMER
    if not phone.opens <= now.time().replace(tzinfo=None) < phone.closes:
        return LineState.CLOSED_HOURS
    return LineState.OPEN
