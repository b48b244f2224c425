"""When the phone line answers: hours and the summer closure (pure, no database)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from restomairie.calendar.schoolholidays import CalendarCoverageError, load_school_holidays
from restomairie.clock import PARIS
from restomairie.config import Settings
from restomairie.ivr.hours import LineState, line_state

HOLIDAYS = load_school_holidays()


def zone_a(day: date) -> str | None:
    return HOLIDAYS.reason_closed("A", day)


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (datetime(2026, 11, 23, 7, 59, 59, tzinfo=PARIS), LineState.CLOSED_HOURS),
        (datetime(2026, 11, 23, 8, 0, tzinfo=PARIS), LineState.OPEN),
        (datetime(2026, 11, 23, 12, 59, 59, tzinfo=PARIS), LineState.OPEN),
        (datetime(2026, 11, 23, 13, 0, tzinfo=PARIS), LineState.CLOSED_HOURS),
        (datetime(2026, 12, 24, 9, 0, tzinfo=PARIS), LineState.OPEN),  # Christmas holidays
        (datetime(2026, 7, 3, 9, 0, tzinfo=PARIS), LineState.OPEN),
        (datetime(2026, 7, 5, 9, 0, tzinfo=PARIS), LineState.CLOSED_SUMMER),
        (datetime(2026, 8, 15, 12, 0, tzinfo=PARIS), LineState.CLOSED_SUMMER),
        (datetime(2026, 8, 15, 20, 0, tzinfo=PARIS), LineState.CLOSED_SUMMER),
        (datetime(2026, 8, 16, 9, 0, tzinfo=PARIS), LineState.OPEN),
        (datetime(2027, 7, 20, 9, 0, tzinfo=PARIS), LineState.CLOSED_SUMMER),
    ],
)
def test_the_line_answers_from_8_to_13_except_in_summer_until_15_august(
    settings: Settings, moment: datetime, state: LineState
) -> None:
    assert line_state(moment, settings.phone, zone_a) is state


def test_without_a_summer_closure_the_line_follows_its_hours_in_august(settings: Settings) -> None:
    phone = dataclasses.replace(settings.phone, summer_closed_until=None)
    assert line_state(datetime(2026, 8, 3, 9, 0, tzinfo=PARIS), phone, zone_a) is LineState.OPEN


def test_a_summer_past_the_shipped_calendar_is_not_guessed(settings: Settings) -> None:
    def uncovered(day: date) -> str | None:
        raise CalendarCoverageError(day, date(2024, 9, 2), date(2027, 9, 2))

    moment = datetime(2028, 7, 20, 9, 0, tzinfo=PARIS)
    assert line_state(moment, settings.phone, uncovered) is LineState.OPEN
