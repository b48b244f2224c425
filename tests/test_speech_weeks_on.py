"""Spoken dates a week on, and the week school starts again in (restomairie.ivr.speech).

Found by exploratory calls: « jeudi en 8 » said on a Thursday was the Thursday two weeks ahead
(« jeudi en huit » said on a Thursday is a week from today, as « aujourd'hui en huit »);
« vendredi prochain » said on a Thursday was tomorrow (callers say « demain » for it: a caller
refused Friday 4 December who answers « vendredi prochain » means Friday 11); « toute la semaine
de la rentrée » was not understood at all.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from restomairie.ivr.speech import (
    DateGuess,
    parse_date,
    return_day_said,
    return_week_said,
    shifted_day,
    span_said,
)

MON_30_NOV = date(2026, 11, 30)
THU_3_DEC = date(2026, 12, 3)
FRI_4_DEC = date(2026, 12, 4)
THU_17_DEC = date(2026, 12, 17)

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
todays = st.dates(min_value=date(2020, 1, 1), max_value=date(2090, 12, 31))


def test_dates_used_in_these_tests_fall_on_the_stated_weekdays() -> None:
    assert MON_30_NOV.weekday() == 0
    assert THU_3_DEC.weekday() == 3
    assert FRI_4_DEC.weekday() == 4
    assert THU_17_DEC.weekday() == 3


# ---------------------------------------------------------------------------------------------
# 1. « jeudi en huit », « jeudi en quinze » said on a Thursday
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # said on a Thursday: a week (two weeks) from today; they were the 17th and the 24th
        ("jeudi en 8", THU_3_DEC, date(2026, 12, 10)),
        ("annuler jeudi en 8", THU_3_DEC, date(2026, 12, 10)),
        ("Jeudi en huit.", THU_3_DEC, date(2026, 12, 10)),
        ("jeudi en quinze", THU_3_DEC, date(2026, 12, 17)),
        ("jeudi en 15", THU_3_DEC, date(2026, 12, 17)),
        ("ce jeudi en huit", THU_3_DEC, date(2026, 12, 10)),
        # a correction counts from the same Thursday
        ("jeudi, non, en huit", THU_3_DEC, date(2026, 12, 10)),
        ("jeudi, non, en quinze", THU_3_DEC, date(2026, 12, 17)),
        ("jeudi en huit, non, en quinze", THU_3_DEC, date(2026, 12, 17)),
        ("jeudi en quinze, non, en huit", THU_3_DEC, date(2026, 12, 10)),
        ("vendredi en huit", FRI_4_DEC, date(2026, 12, 11)),
    ],
)
def test_en_huit_said_on_that_weekday_is_a_week_from_today(
    text: str, today: date, expected: date
) -> None:
    assert parse_date(text, today) == DateGuess(expected, False), text


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # guards, unchanged: from another day, the coming such day + 7 (or + 14)
        ("jeudi en 8", MON_30_NOV, date(2026, 12, 10)),
        ("jeudi en quinze", MON_30_NOV, date(2026, 12, 17)),
        ("vendredi en huit", THU_3_DEC, date(2026, 12, 11)),
        ("jeudi dans une semaine", THU_3_DEC, date(2026, 12, 10)),
        ("jeudi", THU_3_DEC, date(2026, 12, 10)),  # a bare weekday: the next one
        ("demain en huit", THU_3_DEC, date(2026, 12, 11)),
    ],
)
def test_guard_en_huit_from_another_day(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == DateGuess(expected, False), text


@given(todays, st.sampled_from(range(7)))
@example(THU_3_DEC, 3)
def test_en_huit_and_en_quinze_are_one_and_two_weeks_on(today: date, weekday: int) -> None:
    said = WEEKDAYS[weekday]
    assert parse_date(f"{said} en huit", today) == parse_date(f"{said} dans une semaine", today)
    assert parse_date(f"{said} en quinze", today) == parse_date(
        f"{said} dans deux semaines", today
    )
    coming = today + timedelta(days=(weekday - today.weekday()) % 7)  # today included
    assert parse_date(f"{said} en huit", today) == DateGuess(coming + timedelta(days=7), False)


# ---------------------------------------------------------------------------------------------
# 2. « vendredi prochain » said on a Thursday
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # tomorrow's weekday "prochain": next week's, not tomorrow (they were the 4th, the 1st)
        ("vendredi prochain", THU_3_DEC, date(2026, 12, 11)),
        ("annuler vendredi prochain", THU_3_DEC, date(2026, 12, 11)),
        ("Le vendredi prochain.", THU_3_DEC, date(2026, 12, 11)),
        ("mardi prochain", MON_30_NOV, date(2026, 12, 8)),
        ("vendredi prochain en huit", THU_3_DEC, date(2026, 12, 18)),
    ],
)
def test_tomorrows_weekday_prochain_is_next_weeks(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == DateGuess(expected, False), text


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # guards, unchanged: a bare weekday said the day before is tomorrow; two days ahead
        # or more, "prochain" is the coming one; on that weekday, next week's
        ("vendredi", THU_3_DEC, FRI_4_DEC),
        ("mardi", MON_30_NOV, date(2026, 12, 1)),
        ("lundi prochain", THU_3_DEC, date(2026, 12, 7)),
        ("jeudi prochain", MON_30_NOV, THU_3_DEC),
        ("mercredi prochain", MON_30_NOV, date(2026, 12, 2)),
        ("jeudi prochain", THU_3_DEC, date(2026, 12, 10)),
        ("vendredi prochain", FRI_4_DEC, date(2026, 12, 11)),
    ],
)
def test_guard_prochain_two_days_ahead_or_more(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == DateGuess(expected, False), text


@given(todays, st.sampled_from(range(7)))
@example(THU_3_DEC, 4)
def test_prochain_skips_tomorrow_only(today: date, weekday: int) -> None:
    said = WEEKDAYS[weekday]
    bare = parse_date(said, today)
    assert bare is not None
    tomorrow = today + timedelta(days=1)
    # (said on a Sunday, "lundi prochain" is tomorrow: next week's Monday)
    skipped = bare.day == tomorrow and today.weekday() != 6
    expected = bare.day + timedelta(days=7) if skipped else bare.day
    assert parse_date(f"{said} prochain", today) == DateGuess(expected, False)


def test_prochain_after_the_refused_tomorrow_is_next_weeks() -> None:
    # "Trop tard pour le vendredi 4 décembre", then "non, vendredi prochain": the 11th
    assert shifted_day("non, vendredi prochain", FRI_4_DEC, THU_3_DEC) is None
    assert parse_date("non, vendredi prochain", THU_3_DEC) == DateGuess(date(2026, 12, 11), False)


# ---------------------------------------------------------------------------------------------
# 3. « toute la semaine de la rentrée »
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("annuler toute la semaine de la rentrée", ""),
        ("toute la semaine de la rentrée pour Rose", ""),
        ("la semaine de la rentrée", ""),
        ("annuler la semaine de la reprise", ""),
        ("toute la semaine de reprise", ""),
        ("la semaine du retour des vacances de Noël", "christmas"),
        ("annuler toute la semaine du retour des vacances de Noël pour Rose et Nathan", "christmas"),
        ("la première semaine après les vacances", ""),
        ("toute la première semaine après les vacances de février", "winter"),
        ("la première semaine de la rentrée", ""),
        ("la semaine qui suit les vacances de Pâques", "spring"),
        ("réserver pour la semaine de la rentrée des vacances de la Toussaint", "autumn"),
    ],
)
def test_the_week_of_the_return(text: str, kind: str) -> None:
    assert return_week_said(text, THU_17_DEC) == kind
    # not a day of it, nor a span known without the calendar
    assert return_day_said(text, THU_17_DEC) is None
    assert span_said(text, THU_17_DEC) is None
    assert parse_date(text, THU_17_DEC) is None


@pytest.mark.parametrize(
    "text",
    [
        "la semaine après la rentrée",  # the week after it
        "la semaine d'après la rentrée",
        "la deuxième semaine de la rentrée",
        "les deux semaines de la rentrée",
        "le lundi de la semaine de la rentrée",  # a day of it
        "jusqu'à la semaine de la rentrée",  # a span to it
        "non pas la semaine de la rentrée",
        "demain et toute la semaine de la rentrée",
        "la veille de la semaine de la rentrée",
        "la fin de la semaine de la rentrée",
        "la semaine de la rentrée de janvier",  # a month: not understood here
        "une semaine après les vacances",
        "la semaine prochaine",
        "toute la semaine du 4 janvier",
        "à la rentrée",
    ],
)
def test_not_the_week_of_the_return(text: str) -> None:
    assert return_week_said(text, THU_17_DEC) is None


@pytest.mark.parametrize(
    "text",
    [
        "avant la rentrée",
        "le lendemain de la rentrée",
        "la veille de la rentrée",
        "après la rentrée",
    ],
)
def test_guard_days_near_the_return_are_unchanged(text: str) -> None:
    assert return_week_said(text, THU_17_DEC) is None
    assert return_day_said(text, THU_17_DEC) is None


@given(st.text(max_size=60), todays)
@example("la semaine de la rentree", date(1, 1, 1))
@example("toute la semaine de la rentree", date(9999, 12, 31))
def test_the_week_of_the_return_never_raises(text: str, today: date) -> None:
    assert return_week_said(text, today) in (None, "", "christmas", "autumn", "winter",
                                             "spring", "summer")
