"""Days named rather than dated, and dates said with their weekday when they are just past.

- A weekday said with a day and month just gone by is checked against that day, this year's
  ("vendredi 25 juin" on Monday 28 June 2027 is Friday 25 June 2027, past, not next year's 25
  June, a Sunday), when next year's does not have that weekday.
- Feast days ("le vendredi de l'Ascension", "le lundi de Pentecôte", "la Pentecôte") are dated
  from the public holidays of the ``holidays`` package.
- "Il y a cantine le 7 mai ?", "y a-t-il cantine…", "la cantine est ouverte…" ask about that
  day, as "est-ce qu'il y a cantine le 7 mai ?" does.

Pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.ivr import speech
from restomairie.ivr.speech import (
    DateGuess,
    asks_about_day,
    parse_date,
    weekday_mismatch,
    weekday_mismatches,
)

MON_28_JUN_2027 = date(2027, 6, 28)
TUE_11_MAY_2027 = date(2027, 5, 11)
MON_26_APR_2027 = date(2027, 4, 26)
MON_23_NOV_2026 = date(2026, 11, 23)


# ---------------------------------------------------------------------------------------------
# 1. A weekday and a date just past
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # It was next year's day (a Sunday, a Monday, a Wednesday), with a false "wrong
        # weekday" warning before the line said this year's was past.
        ("vendredi 25 juin", MON_28_JUN_2027, date(2027, 6, 25)),
        ("le vendredi 25 juin", MON_28_JUN_2027, date(2027, 6, 25)),
        ("samedi 8 mai", TUE_11_MAY_2027, date(2027, 5, 8)),
        ("lundi 10 mai", TUE_11_MAY_2027, date(2027, 5, 10)),
        ("jeudi 6 mai", TUE_11_MAY_2027, date(2027, 5, 6)),
    ],
)
def test_a_weekday_with_a_date_just_past_is_that_past_day(
    text: str, today: date, expected: date
) -> None:
    guess = parse_date(text, today)
    # Certain, as "jeudi dernier": the line says it is past rather than reading it back.
    assert guess == DateGuess(expected, True)
    assert weekday_mismatch(text, guess, today) is None


def test_days_said_one_by_one_just_past_have_no_weekday_mismatch() -> None:
    # It was {25 June 2028: Friday, 24 June 2028: Thursday}.
    assert weekday_mismatches("jeudi 24 juin et vendredi 25 juin", MON_28_JUN_2027) == {}


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # Guards: the day to come when its weekday agrees ("lundi 8 mai" on 11 May 2027 is a
        # Monday in 2028: a past day only when no reading to come agrees, as with three keys).
        ("lundi 8 mai", TUE_11_MAY_2027, date(2028, 5, 8)),
        # ... when neither agrees (the number wins: the nearest not past, read back)...
        ("mardi 25 juin", MON_28_JUN_2027, date(2028, 6, 25)),
        # ... and when this year's went by long ago (six months).
        ("vendredi 25 juin", date(2027, 12, 28), date(2028, 6, 25)),
    ],
)
def test_a_weekday_with_a_date_is_otherwise_the_nearest_date_to_come(
    text: str, today: date, expected: date
) -> None:
    guess = parse_date(text, today)
    assert guess is not None and guess.day == expected and not guess.certain


# ---------------------------------------------------------------------------------------------
# 2. Feast days
# ---------------------------------------------------------------------------------------------

FRI_7_MAY_2027 = date(2027, 5, 7)  # the "Pont de l'Ascension"
THU_6_MAY_2027 = date(2027, 5, 6)  # Ascension
MON_17_MAY_2027 = date(2027, 5, 17)  # Lundi de Pentecôte


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # It was None (or, in a question, the first day that could change: Thursday 29 April).
        ("est-ce qu'il y a cantine le vendredi de l'Ascension ?", FRI_7_MAY_2027),
        ("le vendredi de l'Ascension", FRI_7_MAY_2027),
        ("le vendredi après l'Ascension", FRI_7_MAY_2027),
        ("le pont de l'Ascension", FRI_7_MAY_2027),
        ("pendant le pont de l'Ascension", FRI_7_MAY_2027),
        ("l'Ascension", THU_6_MAY_2027),
        ("le jeudi de l'Ascension", THU_6_MAY_2027),
        ("est-ce qu'il y a cantine à la Pentecôte ?", MON_17_MAY_2027),
        ("est-ce qu'il y a cantine le lundi de Pentecôte ?", MON_17_MAY_2027),
        ("le lundi de la Pentecôte", MON_17_MAY_2027),
        ("à Pentecôte", MON_17_MAY_2027),
    ],
)
def test_a_feast_day_is_dated_from_the_public_holidays(text: str, expected: date) -> None:
    assert speech.feast_day_said(text, MON_26_APR_2027) == expected
    assert parse_date(text, MON_26_APR_2027) == DateGuess(expected, True)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("le vendredi de l'Ascension", MON_23_NOV_2026, FRI_7_MAY_2027),
        ("le lundi de Pâques", MON_23_NOV_2026, date(2027, 3, 29)),
        # Just gone by: this year's, which the line says is past...
        ("le lundi de Pentecôte", date(2027, 6, 21), MON_17_MAY_2027),
        ("le lundi de Pâques", MON_26_APR_2027, date(2027, 3, 29)),
        # ... long gone: next year's (Easter 2028 is on 16 April).
        ("le lundi de Pentecôte", date(2027, 8, 30), date(2028, 6, 5)),
        ("le lundi de Pâques", date(2027, 6, 21), date(2028, 4, 17)),
    ],
)
def test_a_feast_day_is_this_years_unless_long_gone(text: str, today: date, expected: date) -> None:
    assert speech.feast_day_said(text, today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "la semaine de l'Ascension",
        "avant la Pentecôte",
        "après l'Ascension",
        "le week-end de la Pentecôte",
        "jusqu'au lundi de Pentecôte",
        "à partir du lundi de Pâques",
        "pendant les vacances de Pâques",
        "à Pâques",
        "le lundi de la rentrée",
    ],
)
def test_a_day_or_span_near_a_feast_is_not_the_feast(text: str) -> None:
    assert speech.feast_day_said(text, MON_26_APR_2027) is None
    guess = parse_date(text, MON_26_APR_2027)
    assert guess is None or guess.day not in (FRI_7_MAY_2027, THU_6_MAY_2027, MON_17_MAY_2027)


def test_a_feast_day_with_another_date_is_two_days_not_the_feast() -> None:
    # Guard: two days said, as "demain et lundi".
    assert parse_date("le vendredi de l'Ascension et le 3 mai", MON_26_APR_2027) is None


# ---------------------------------------------------------------------------------------------
# 3. Whether there is a canteen, asked
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # It read them as the day asked for a change ("Pour Rose, le vendredi 7 mai : pour
        # réserver, tapez 1…"), where "est-ce qu'il y a cantine le 7 mai ?" was answered.
        "il y a cantine le vendredi 7 mai ?",
        "y a-t-il cantine le 7 mai ?",
        "il y a école le 7 mai ?",
        "la cantine est ouverte le 7 mai ?",
        "il y a cantine le 7 mai",
        "y a cantine le 7 mai ?",
        "il y a pas de cantine le 7 mai ?",
        "la cantine sera fermée le 7 mai ?",
        "est-ce que la cantine fonctionne le 7 mai",
    ],
)
def test_whether_there_is_a_canteen_is_a_question_about_the_day(text: str) -> None:
    assert asks_about_day(text)


@pytest.mark.parametrize(
    "text",
    [
        # Guards: changes asked, with a reason or not.
        "il y a pas école jeudi, annulez",
        "annuler le repas de jeudi",
        "Rose mange à la cantine jeudi",
        "réserver jeudi, il y a piscine",
        "il y a une sortie scolaire jeudi",
    ],
)
def test_a_change_asked_is_not_a_question_whether_there_is_a_canteen(text: str) -> None:
    assert not asks_about_day(text)


# ---------------------------------------------------------------------------------------------
# 4. A weekday and a day of the month just past, the month not said
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # It was Sunday 25 July (the nearest 25th to come), read back with a weekday warning.
        ("vendredi 25", MON_28_JUN_2027, date(2027, 6, 25)),
        ("le vendredi 25", MON_28_JUN_2027, date(2027, 6, 25)),
        ("samedi 8", TUE_11_MAY_2027, date(2027, 5, 8)),
        # A 31st skips the months without one: Monday 31 May, not Saturday 31 July.
        ("lundi 31", MON_28_JUN_2027, date(2027, 5, 31)),
    ],
)
def test_a_weekday_with_a_day_of_the_month_just_past_is_that_past_day(
    text: str, today: date, expected: date
) -> None:
    guess = parse_date(text, today)
    assert guess == DateGuess(expected, True)
    assert weekday_mismatch(text, guess, today) is None


@pytest.mark.parametrize(
    ("text", "today", "expected", "certain"),
    [
        # Guards: the coming day when its weekday agrees ("mercredi 30": in two days)...
        ("mercredi 30", MON_28_JUN_2027, date(2027, 6, 30), True),
        ("dimanche 25", MON_28_JUN_2027, date(2027, 7, 25), True),
        # ... and the nearest to come, read back, when neither agrees.
        ("mardi 25", MON_28_JUN_2027, date(2027, 7, 25), False),
    ],
)
def test_a_weekday_with_a_day_of_the_month_is_otherwise_one_to_come(
    text: str, today: date, expected: date, certain: bool
) -> None:
    assert parse_date(text, today) == DateGuess(expected, certain)
