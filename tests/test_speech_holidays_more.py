"""More dates parents say on the phone line, parsed: "jusqu'à Noël", "les deux derniers jours
avant les vacances", "lundi prochain" said on a Sunday, "le lundi d'après" and "la semaine
d'après" (after the next one). Which school days those are is the calendar's (the flow's);
the whole calls are in tests/ivr_speech/test_ivr_speech_holidays_more.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.ivr.speech import (
    DateGuess,
    DaySpan,
    HolidaysEve,
    holidays_eve_said,
    holidays_said,
    parse_date,
    span_said,
)

MON_14_DEC = date(2026, 12, 14)
MON_23_NOV = date(2026, 11, 23)
THU_26_NOV = date(2026, 11, 26)
SUN_29_NOV = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The feast said for its holidays: the days up to them (was not understood)
        ("annuler jusqu'à Noël", HolidaysEve("christmas", "until")),
        ("Jusqu'à Noël pour Rose.", HolidaysEve("christmas", "until")),
        ("jusqu'à la Toussaint", HolidaysEve("autumn", "until")),
        # The last few school days before them (was not understood)
        ("annuler les deux derniers jours avant les vacances", HolidaysEve("", "day", (), 2)),
        ("les trois derniers jours avant Noël", HolidaysEve("christmas", "day", (), 3)),
        ("les 2 derniers jours d'école avant les vacances de Noël",
         HolidaysEve("christmas", "day", (), 2)),
        ("le dernier jour avant Noël", HolidaysEve("christmas", "day")),
    ],
)  # fmt: skip
def test_days_up_to_or_just_before_the_holidays(text: str, expected: HolidaysEve) -> None:
    assert holidays_eve_said(text, MON_14_DEC) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # guards, unchanged
        ("jusqu'aux vacances de Noël", HolidaysEve("christmas", "until")),
        ("jusqu'aux vacances", HolidaysEve("", "until")),
        ("le dernier jour avant les vacances", HolidaysEve("", "day")),
        ("la veille des vacances de Noël", HolidaysEve("christmas", "day")),
        ("jeudi et vendredi avant les vacances", HolidaysEve("", "day", (3, 4))),
        # not the days before the holidays
        ("joyeux Noël", None),
        ("la veille de Noël", None),  # the 24th, in the holidays
        ("annuler à Noël", None),  # the holidays themselves: holidays_said
        ("les jours avant les vacances", None),  # how many?
        ("les dix derniers jours avant les vacances", None),  # more than the line takes
    ],
)
def test_guard_other_phrases_near_the_holidays(text: str, expected: HolidaysEve | None) -> None:
    assert holidays_eve_said(text, MON_14_DEC) == expected


def test_the_feast_alone_is_still_the_holidays_themselves() -> None:
    assert holidays_said("annuler à Noël", MON_14_DEC) == "christmas"
    assert holidays_said("annuler jusqu'à Noël", MON_14_DEC) is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # Said on a Sunday: tomorrow, the Monday of next week (was the Monday after, in 8 days)
        ("lundi prochain", SUN_29_NOV, date(2026, 11, 30)),
        ("annuler lundi prochain pour Rose", SUN_29_NOV, date(2026, 11, 30)),
        # guards: on a Thursday, "vendredi prochain" is still next week's; two days ahead, the
        # coming one
        ("vendredi prochain", date(2026, 12, 3), date(2026, 12, 11)),
        ("lundi prochain", date(2026, 11, 28), date(2026, 11, 30)),
    ],
)
def test_lundi_prochain_said_on_a_sunday_is_tomorrow(
    text: str, today: date, expected: date
) -> None:
    # Uncertain: the read-back names the full date, and the parent can say no.
    assert parse_date(text, today) == DateGuess(expected, False)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # "d'après", said of now: the one after the coming one (was not understood)
        ("lundi d'après", MON_23_NOV, date(2026, 12, 7)),
        ("annuler le lundi d'après", MON_23_NOV, date(2026, 12, 7)),
        ("Le lundi d'après pour Rose.", THU_26_NOV, date(2026, 12, 7)),
        ("le jeudi d'après", MON_23_NOV, date(2026, 12, 3)),
        # a weekday of the week after next (was next week's)
        ("mardi de la semaine d'après", MON_23_NOV, date(2026, 12, 8)),
        ("annuler jeudi de la semaine d'après", THU_26_NOV, date(2026, 12, 10)),
    ],
)
def test_a_weekday_d_apres_is_after_the_next_one(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == DateGuess(expected, False)


def test_the_week_d_apres_is_the_week_after_next() -> None:
    assert span_said("annuler la semaine d'après", MON_23_NOV) == DaySpan(
        date(2026, 12, 7), date(2026, 12, 13)
    )
    assert span_said("toute la semaine d'après", THU_26_NOV) == DaySpan(
        date(2026, 12, 7), date(2026, 12, 13)
    )


@pytest.mark.parametrize(
    "text",
    ["le lundi d'après les vacances", "le jeudi d'après le 7", "le lundi d'après la rentrée"],
)
def test_guard_d_apres_something_is_not_dated_from_now(text: str) -> None:
    assert parse_date(text, MON_23_NOV) is None
