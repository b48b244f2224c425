"""The days just before school holidays, the rest of this week, days left out of the week
school starts again, three keys of a recently past day and a 29 February the coming February
has not, as the parser reads them (pure: no calendar here; which days those are is the flow's,
see tests/ivr_speech/test_ivr_speech_holidays_eve.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from restomairie.ivr.speech import (
    DaySpan,
    HolidaysEve,
    digits_missing_a_zero,
    holidays_eve_said,
    holidays_said,
    leap_day_missing,
    left_out_of_span,
    parse_date,
    return_day_said,
    return_week_said,
    several_days,
    span_said,
)

MON_14_DEC = date(2026, 12, 14)
SUN_20_DEC = date(2026, 12, 20)
RECENT = timedelta(days=62)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("le dernier jour avant les vacances", HolidaysEve("", "day")),
        ("la veille des vacances", HolidaysEve("", "day")),
        ("la veille des vacances de Noël", HolidaysEve("christmas", "day")),
        ("le dernier jour d'école avant les vacances", HolidaysEve("", "day")),
        ("annuler le dernier jour avant les vacances pour Rose", HolidaysEve("", "day")),
        ("vendredi avant les vacances", HolidaysEve("", "day", (4,))),
        ("Le vendredi avant les vacances de Noël.", HolidaysEve("christmas", "day", (4,))),
        ("le jeudi d'avant les vacances", HolidaysEve("", "day", (3,))),
        ("jeudi et vendredi avant les vacances", HolidaysEve("", "day", (3, 4))),
        ("le dernier vendredi avant les grandes vacances", HolidaysEve("summer", "day", (4,))),
        ("la dernière semaine avant les vacances", HolidaysEve("", "week")),
        ("toute la semaine avant les vacances de Noël", HolidaysEve("christmas", "week")),
        ("la dernière semaine avant les vacances sauf vendredi", HolidaysEve("", "week")),
        ("jusqu'aux vacances", HolidaysEve("", "until")),
        ("jusqu'aux vacances de Noël", HolidaysEve("christmas", "until")),
        ("jusqu'à la veille des vacances", HolidaysEve("", "until")),
        ("elle sera absente jusqu'aux prochaines vacances", HolidaysEve("", "until")),
        ("Rose ne mange pas jusqu'aux vacances", HolidaysEve("", "until")),
    ],
)
def test_the_days_before_the_holidays(said: str, expected: HolidaysEve) -> None:
    # All were "je n'ai pas compris cette date" or "dites les jours un par un".
    assert holidays_eve_said(said, MON_14_DEC) == expected
    assert holidays_said(said, MON_14_DEC) is None  # not the holidays' own days
    assert return_day_said(said, MON_14_DEC) is None
    assert parse_date(said, MON_14_DEC) is None  # the calendar's, not guessed


@pytest.mark.parametrize(
    "said",
    [
        "avant les vacances",  # which day?
        "une semaine avant les vacances",  # a week earlier, not the last one
        "pendant les vacances",
        "après les vacances",
        "le dernier jour des vacances",
        "jusqu'à la fin des vacances",
        "jusqu'à la rentrée",
        "jusqu'à quand peut-on annuler avant les vacances",  # a question
        "demain et la veille des vacances",
        "le 18 décembre avant les vacances",
        "pas la veille des vacances",
        "lundi ou mardi avant les vacances",
        "on part en vacances vendredi",
    ],
)
def test_not_the_days_before_the_holidays(said: str) -> None:
    assert holidays_eve_said(said, MON_14_DEC) is None


@pytest.mark.parametrize(
    ("said", "today", "expected"),
    [
        ("le reste de la semaine", MON_14_DEC, DaySpan(MON_14_DEC, SUN_20_DEC, True)),
        ("tout le reste de la semaine", MON_14_DEC, DaySpan(MON_14_DEC, SUN_20_DEC, True)),
        ("pour le reste de cette semaine", MON_14_DEC, DaySpan(MON_14_DEC, SUN_20_DEC, True)),
        ("annuler le reste de la semaine pour Rose", MON_14_DEC, DaySpan(MON_14_DEC, SUN_20_DEC, True)),
        (
            "le reste de la semaine sauf jeudi",
            MON_14_DEC,
            DaySpan(MON_14_DEC, SUN_20_DEC, True, (date(2026, 12, 17),)),
        ),
        # said on a Saturday: the coming week
        ("le reste de la semaine", date(2026, 12, 12), DaySpan(date(2026, 12, 12), SUN_20_DEC, True)),
        # after a day, as before: from that day, all of it
        ("jeudi et le reste de la semaine", MON_14_DEC, DaySpan(date(2026, 12, 17), SUN_20_DEC)),
        ("le reste de la semaine prochaine", MON_14_DEC, None),
        ("le reste de la semaine dernière", MON_14_DEC, None),
    ],
)  # fmt: skip
def test_the_rest_of_the_week_is_from_the_first_day_that_can_change(
    said: str, today: date, expected: DaySpan | None
) -> None:
    assert span_said(said, today) == expected


def test_days_left_out_of_the_week_school_starts_again() -> None:
    # Was no week at all ("dites les jours un par un"), where "la semaine du 4 janvier sauf
    # lundi" was understood.
    week = DaySpan(date(2027, 1, 4), date(2027, 1, 10))
    said = "toute la semaine de la rentrée sauf lundi"
    assert return_week_said(said, MON_14_DEC) == ""
    assert left_out_of_span(said, week, MON_14_DEC) == week._replace(left_out=(date(2027, 1, 4),))
    assert left_out_of_span("toute la semaine de la rentrée", week, MON_14_DEC) == week
    assert left_out_of_span("toute la semaine de la rentrée sauf pour Rose", week, MON_14_DEC) is None
    assert several_days(said, MON_14_DEC)


@pytest.mark.parametrize(
    ("keys", "today", "expected"),
    [
        ("412", date(2026, 12, 7), date(2026, 12, 4)),  # was Saturday 4 December 2027
        ("0412", date(2026, 12, 7), None),  # four keys: not this function's
        ("112", date(2026, 11, 30), date(2026, 12, 1)),  # not 11 February
        # A day gone by only when no reading is still to come
        ("112", date(2026, 12, 3), date(2027, 2, 11)),  # not 1 December, two days ago
        ("111", date(2026, 11, 23), date(2027, 1, 11)),  # not 1 November, three weeks ago
        ("101", MON_14_DEC, date(2027, 1, 1)),  # not 10 January
        ("312", date(2026, 12, 7), date(2026, 12, 3)),  # 31 February does not exist
        ("123", date(2026, 12, 7), date(2027, 3, 12)),
        ("999", date(2026, 12, 7), None),
    ],
)
def test_three_keys_are_the_nearest_reading_a_recent_past_day_when_none_is_to_come(
    keys: str, today: date, expected: date | None
) -> None:
    assert digits_missing_a_zero(keys, today, RECENT) == expected


@pytest.mark.parametrize(
    ("said", "today", "expected"),
    [
        ("2902", MON_14_DEC, 2027),
        ("2902#", date(2027, 2, 1), 2027),
        ("le 29 février", MON_14_DEC, 2027),
        ("annuler le jeudi 29 février pour Rose", MON_14_DEC, 2027),
        ("le 29 février 2028", MON_14_DEC, None),  # a year said
        ("2902", date(2027, 3, 1), None),  # February 2028 has it
        ("le 29 février", date(2027, 9, 1), None),
        ("le 28 février", MON_14_DEC, None),
        ("2802", MON_14_DEC, None),
        ("le 29", MON_14_DEC, None),
    ],
)
def test_a_29_february_the_coming_february_has_not(
    said: str, today: date, expected: int | None
) -> None:
    assert leap_day_missing(said, today) == expected
