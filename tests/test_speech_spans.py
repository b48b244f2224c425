"""Tests for spans of days said at once (restomairie.ivr.speech.span_said).

"Annuler toute la semaine prochaine", "du lundi au jeudi", "jusqu'à vendredi": the parser gives
the span's first and last days; which of them have school meals is the calendar's (the phone
flow's, see tests/ivr_speech/test_ivr_speech_calls.py).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restomairie.ivr.speech import (
    DaySpan,
    days_said,
    parse_date,
    several_days,
    shifted_day,
    span_said,
)

MON_23_NOV = date(2026, 11, 23)
THU_26_NOV = date(2026, 11, 26)
SAT_28_NOV = date(2026, 11, 28)
NEXT_WEEK = DaySpan(date(2026, 11, 30), date(2026, 12, 6))
THIS_WEEK = DaySpan(MON_23_NOV, date(2026, 11, 29))


def test_dates_used_in_these_tests_fall_on_the_stated_weekdays() -> None:
    assert MON_23_NOV.weekday() == 0
    assert THU_26_NOV.weekday() == 3
    assert SAT_28_NOV.weekday() == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A week: Monday to Sunday (the calendar leaves out the days without meals)
        ("annuler toute la semaine prochaine pour Rose", NEXT_WEEK),
        ("toute la semaine prochaine", NEXT_WEEK),
        ("Toute la semaine suivante.", NEXT_WEEK),
        ("annuler la semaine prochaine", NEXT_WEEK),
        # "la semaine d'après", said of now: after the next one (was next week)
        ("réserver la semaine d'après pour Nathan", DaySpan(date(2026, 12, 7), date(2026, 12, 13))),
        ("Rose sera absente la semaine prochaine", NEXT_WEEK),
        ("annuler cette semaine", THIS_WEEK),
        ("toute cette semaine", THIS_WEEK),
        ("toute cette semaine-ci", THIS_WEEK),
        ("toute la semaine", THIS_WEEK),
        ("la semaine du 7 décembre", DaySpan(date(2026, 12, 7), date(2026, 12, 13))),
        ("Toute la semaine du lundi 7.", DaySpan(date(2026, 12, 7), date(2026, 12, 13))),
        # Two days and the days between
        ("du lundi au jeudi", DaySpan(date(2026, 11, 30), date(2026, 12, 3))),
        ("de lundi à jeudi", DaySpan(date(2026, 11, 30), date(2026, 12, 3))),
        ("réserver du lundi au jeudi pour Nathan", DaySpan(date(2026, 11, 30), date(2026, 12, 3))),
        ("de mardi à vendredi", DaySpan(date(2026, 11, 24), date(2026, 11, 27))),
        ("du 7 au 11 décembre", DaySpan(date(2026, 12, 7), date(2026, 12, 11))),
        ("du 7 décembre au 11", DaySpan(date(2026, 12, 7), date(2026, 12, 11))),
        ("le 7 au 11 décembre", DaySpan(date(2026, 12, 7), date(2026, 12, 11))),
        ("à partir du 7 jusqu'au 11 décembre", DaySpan(date(2026, 12, 7), date(2026, 12, 11))),
        (
            "du lundi 30 novembre au vendredi 4 décembre",
            DaySpan(date(2026, 11, 30), date(2026, 12, 4)),
        ),
        # The end alone: the first one from the start, across a month or a year
        ("du lundi 30 novembre au jeudi", DaySpan(date(2026, 11, 30), date(2026, 12, 3))),
        ("du 28 décembre au 3", DaySpan(date(2026, 12, 28), date(2027, 1, 3))),
        # The start alone: the last one before the end
        ("du lundi au 4 décembre", DaySpan(date(2026, 11, 30), date(2026, 12, 4))),
        # Up to a day: from the first that can still change (the flow's)
        ("jusqu'à vendredi", DaySpan(MON_23_NOV, date(2026, 11, 27), from_open=True)),
        ("annuler jusqu'au 11 décembre", DaySpan(MON_23_NOV, date(2026, 12, 11), True)),
        # Up to the end of a week: its Sunday (was asked for a day, "la fin" not understood)
        ("jusqu'à la fin de la semaine", DaySpan(MON_23_NOV, date(2026, 11, 29), True)),
        ("annuler jusqu'à la fin de cette semaine", DaySpan(MON_23_NOV, date(2026, 11, 29), True)),
        ("jusqu'à la fin de la semaine prochaine", DaySpan(MON_23_NOV, date(2026, 12, 6), True)),
        ("Jusqu'à la fin de la semaine d'après.", DaySpan(MON_23_NOV, date(2026, 12, 13), True)),
        # Up to the end of a month: its last day (was "dites les jours un par un")
        ("jusqu'à la fin du mois", DaySpan(MON_23_NOV, date(2026, 11, 30), True)),
        ("annuler jusqu'à la fin de ce mois", DaySpan(MON_23_NOV, date(2026, 11, 30), True)),
        ("jusqu'à la fin du mois prochain", DaySpan(MON_23_NOV, date(2026, 12, 31), True)),
        ("jusqu'à fin décembre", DaySpan(MON_23_NOV, date(2026, 12, 31), True)),
        ("jusqu'à la fin de décembre", DaySpan(MON_23_NOV, date(2026, 12, 31), True)),
        ("jusqu'à la fin du mois de décembre", DaySpan(MON_23_NOV, date(2026, 12, 31), True)),
        ("jusqu'à fin novembre", DaySpan(MON_23_NOV, date(2026, 11, 30), True)),
        (
            "jusqu'à la fin du mois sauf vendredi",
            DaySpan(MON_23_NOV, date(2026, 11, 30), True, (date(2026, 11, 27),)),
        ),
        # From a day said to the end of a month (was Thursday alone, read back)
        ("jeudi jusqu'à la fin du mois", DaySpan(THU_26_NOV, date(2026, 11, 30))),
        ("du 3 décembre jusqu'à la fin du mois", DaySpan(date(2026, 12, 3), date(2026, 12, 31))),
        ("à partir de lundi jusqu'à fin décembre", DaySpan(date(2026, 11, 30), date(2026, 12, 31))),
        ("le 3 jusqu'à la fin du mois prochain", DaySpan(date(2026, 12, 3), date(2026, 12, 31))),
        # A day and the rest of its week: to its Sunday (Thursday alone was read back, and
        # Friday stayed booked without a word)
        ("jeudi et le reste de la semaine", DaySpan(THU_26_NOV, date(2026, 11, 29))),
        ("annuler jeudi et les jours suivants", DaySpan(THU_26_NOV, date(2026, 11, 29))),
        ("jeudi et les jours d'après", DaySpan(THU_26_NOV, date(2026, 11, 29))),
        ("jeudi jusqu'à la fin de la semaine", DaySpan(THU_26_NOV, date(2026, 11, 29))),
        ("mardi et tout le reste de cette semaine", DaySpan(date(2026, 11, 24), date(2026, 11, 29))),
        ("jeudi et le reste de la semaine prochaine", DaySpan(date(2026, 12, 3), date(2026, 12, 6))),
        ("jeudi 3 décembre et les jours suivants", DaySpan(date(2026, 12, 3), date(2026, 12, 6))),
        (
            "mardi et le reste de la semaine sauf jeudi",
            DaySpan(date(2026, 11, 24), date(2026, 11, 29), left_out=(THU_26_NOV,)),
        ),
        # "entre … et …": the same as "du … au …" (was refused, or two days)
        ("entre le 7 et le 11 décembre", DaySpan(date(2026, 12, 7), date(2026, 12, 11))),
        ("annuler entre le 7 et le 11", DaySpan(date(2026, 12, 7), date(2026, 12, 11))),
        ("entre lundi et jeudi", DaySpan(date(2026, 11, 30), date(2026, 12, 3))),
        # The month said at the end only is the start's too (was 7 December to 11 January)
        ("du 7 au 11 janvier", DaySpan(date(2027, 1, 7), date(2027, 1, 11))),
        ("du 28 au 3 janvier", DaySpan(date(2026, 12, 28), date(2027, 1, 3))),
        # Days left out, by weekday or date (was refused)
        ("toute la semaine sauf jeudi", THIS_WEEK._replace(left_out=(THU_26_NOV,))),
        (
            "annuler toute la semaine prochaine sauf jeudi pour Rose",
            NEXT_WEEK._replace(left_out=(date(2026, 12, 3),)),
        ),
        (
            "toute la semaine prochaine sauf le mercredi et le vendredi",
            NEXT_WEEK._replace(left_out=(date(2026, 12, 2), date(2026, 12, 4))),
        ),
        (
            "du lundi au vendredi sauf mardi",
            DaySpan(date(2026, 11, 30), date(2026, 12, 4), left_out=(date(2026, 12, 1),)),
        ),
        (
            "toute la semaine prochaine à part le lundi",
            NEXT_WEEK._replace(left_out=(date(2026, 11, 30),)),
        ),
        (
            "du 7 au 11 décembre excepté le 10",
            DaySpan(date(2026, 12, 7), date(2026, 12, 11), left_out=(date(2026, 12, 10),)),
        ),
        (
            "jusqu'à la fin de la semaine prochaine sauf vendredi",
            DaySpan(MON_23_NOV, date(2026, 12, 6), True, (date(2026, 11, 27), date(2026, 12, 4))),
        ),
        # A day left out that is not in the span: kept, for the flow to ask about (unless it has
        # no school meal)
        (
            "du lundi au jeudi sauf vendredi",
            DaySpan(date(2026, 11, 30), date(2026, 12, 3), left_out=(date(2026, 12, 4),)),
        ),
        # A long span is one too: the flow counts its school days and refuses it
        ("du 7 au 18 décembre", DaySpan(date(2026, 12, 7), date(2026, 12, 18))),
        ("du 21 au 25 décembre", DaySpan(date(2026, 12, 21), date(2026, 12, 25))),
        # A day taken back by a span: the span
        ("jeudi, non, toute la semaine prochaine", NEXT_WEEK),
        ("mardi prochain alors, non, euh, toute la semaine prochaine", NEXT_WEEK),
        ("jeudi, pardon, toute la semaine", THIS_WEEK),
    ],
)
def test_a_bounded_span(text: str, expected: DaySpan) -> None:
    assert span_said(text, MON_23_NOV) == expected
    # Still several days to the other parsers (never one date, nor a list of its own)
    assert several_days(text, MON_23_NOV), text
    assert parse_date(text, MON_23_NOV) is None, text
    assert days_said(text, MON_23_NOV) == [], text


@pytest.mark.parametrize(
    "text",
    [
        # Open-ended or counted
        "à partir de jeudi",
        "annuler à partir du 7 décembre",
        "dès lundi",
        "tous les jeudis",
        "chaque lundi",
        "lundi, 3 jours",
        "3 jours",
        "jeudi, pour 2 semaines",
        "tous les jours",
        "tout le mois de décembre",
        "le 3 de chaque mois",
        "jusqu'aux vacances",
        "jusqu'à la fin du mois dernier",
        "jeudi, non, jusqu'à la fin du mois",  # as "jeudi, non, jusqu'à la fin de la semaine"
        "jeudi et vendredi jusqu'à la fin du mois",
        "jusqu'à la fin du mois, tous les jeudis",
        "à la fin du mois",
        "jusqu'à la fin de l'année",
        "à la fin de la semaine",
        "jusqu'à la fin de cette semaine prochaine",
        "jusqu'à la fin de la semaine prochaine et jeudi",
        "jusqu'à la rentrée",
        "pendant les vacances de Noël",
        # Several weeks, days left out, a choice
        "toute la semaine prochaine et la suivante",
        "la semaine prochaine et celle d'après",
        "toute la semaine sauf",
        "toute la semaine sauf pour Rose",
        "toute la semaine sauf jeudi ou vendredi",
        "toute la semaine sauf tous les jeudis",
        "toute la semaine sans jeudi",
        "toute la semaine ou jeudi",
        "entre lundi",
        "lundi et jeudi",
        "du lundi au jeudi ou du mardi au vendredi",
        # A week without a change said: which days of it?
        "la semaine prochaine",
        "cette semaine",
        "jeudi, pas la semaine prochaine",
        "oui, la semaine prochaine",
        "non, la semaine suivante",
        "la semaine dernière",
        # A day, days listed, days of a week
        "annuler jeudi",
        "lundi et mardi",
        "lundi, mardi, jeudi et vendredi",
        "jeudi de la semaine prochaine",
        "annuler la semaine prochaine le jeudi pour Léa",
        "toute la semaine prochaine, non, jeudi",
        "lundi au lieu de jeudi",
        # Ending before it starts, or not a span at all
        "du vendredi 4 décembre au lundi 30 novembre",
        "jusqu'à jeudi dernier",
        "",
        "bonjour",
    ],
)
def test_not_a_bounded_span(text: str) -> None:
    assert span_said(text, MON_23_NOV) is None, text


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("tous les jours de la semaine prochaine", "toute la semaine prochaine"),
        ("annuler tous les jours de la semaine prochaine pour Rose", "annuler toute la semaine prochaine pour Rose"),
        ("Tous les jours de cette semaine.", "toute cette semaine"),
        ("tous les jours de la semaine", "toute la semaine"),
        ("tous les jours de la semaine du 7 décembre", "la semaine du 7 décembre"),
        ("tous les jours du 7 au 11 décembre", "du 7 au 11 décembre"),
        ("réserver tous les jours du lundi au jeudi", "réserver du lundi au jeudi"),
        ("tous les jours de lundi à jeudi", "de lundi à jeudi"),
        ("tous les jours entre le 7 et le 11", "entre le 7 et le 11"),
        ("tous les jours jusqu'à vendredi", "jusqu'à vendredi"),
        ("tous les jours jusqu'à la fin de la semaine", "jusqu'à la fin de la semaine"),
        ("tous les jours de la semaine prochaine sauf jeudi", "toute la semaine prochaine sauf jeudi"),
    ],
)  # fmt: skip
def test_every_day_of_a_span_is_that_span(text: str, same_as: str) -> None:
    # "tous les jours de la semaine prochaine" was no span ("tous" made it days counted): the
    # line answered "dites les jours un par un", or did not understand at the child menu.
    expected = span_said(same_as, MON_23_NOV)
    assert expected is not None, same_as
    assert span_said(text, MON_23_NOV) == expected
    assert several_days(text, MON_23_NOV), text
    assert parse_date(text, MON_23_NOV) is None, text
    assert days_said(text, MON_23_NOV) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "tous les jours",
        "tous les jours à midi",
        "tous les jours de décembre",
        "tous les jours du mois",
        "tous les lundis de la semaine prochaine",
        "tous les jours de la semaine prochaine et la suivante",
        "tous les jours à partir de lundi",
    ],
)
def test_every_day_without_a_span_is_still_open_ended(text: str) -> None:
    """Guard (also true before "tous les jours" before a span was read as it): every day with
    no bounded span after it stays open-ended or counted."""
    assert span_said(text, MON_23_NOV) is None, text


def test_a_month_named_is_the_nearest_not_past() -> None:
    # "fin janvier" said in January is this January's; said in November, next year's (too
    # far for a span the line takes: the caller is asked for days one by one).
    assert span_said("jusqu'à fin janvier", date(2027, 1, 21)) == DaySpan(
        date(2027, 1, 21), date(2027, 1, 31), from_open=True
    )
    assert span_said("jusqu'à fin janvier", MON_23_NOV) is None
    assert several_days("jusqu'à fin janvier", MON_23_NOV)
    # "la fin du mois" on the last day of a month: that day (the flow refuses it, too late)
    assert span_said("jusqu'à la fin du mois", date(2026, 11, 30)) == DaySpan(
        date(2026, 11, 30), date(2026, 11, 30), from_open=True
    )


def test_a_week_said_on_a_weekend_is_the_coming_one() -> None:
    # This week has no school day left on Saturday: "cette semaine" is the one from Monday.
    coming = DaySpan(date(2026, 11, 30), date(2026, 12, 6))
    assert span_said("annuler toute cette semaine", SAT_28_NOV) == coming
    assert span_said("annuler toute la semaine", date(2026, 11, 29)) == coming
    # "la semaine prochaine" is the calendar's, as "jeudi de la semaine prochaine": the same
    assert span_said("annuler la semaine prochaine", SAT_28_NOV) == coming


def test_a_span_said_on_one_of_its_days_is_from_today() -> None:
    # "du 7 au 11 décembre" said on Wednesday 9 was the 7 January to the 11 (the 7th of
    # December past), then refused: now the days not yet past, today first.
    wed_9_dec = date(2026, 12, 9)
    span = DaySpan(wed_9_dec, date(2026, 12, 11))
    assert span_said("annuler du 7 au 11 décembre", wed_9_dec) == span
    assert span_said("entre le 7 et le 11 décembre", wed_9_dec) == span
    # A day left out already past is no longer said (the flow has nothing to ask about it)
    assert span_said("du 7 au 11 décembre sauf le lundi", wed_9_dec) == span
    assert span_said("du 7 au 11 décembre sauf le 10", wed_9_dec) == span._replace(
        left_out=(date(2026, 12, 10),)
    )
    # Over by then: next year's, as "le 8 décembre" alone would be
    assert span_said("du 7 au 8 décembre", wed_9_dec) == DaySpan(
        date(2027, 12, 7), date(2027, 12, 8)
    )
    # Said on the weekend, "la fin de la semaine" is the coming week's
    assert span_said("jusqu'à la fin de la semaine", SAT_28_NOV) == DaySpan(
        SAT_28_NOV, date(2026, 12, 6), from_open=True
    )


def test_this_week_is_from_today() -> None:
    assert span_said("annuler cette semaine", THU_26_NOV) == DaySpan(THU_26_NOV, date(2026, 11, 29))


def test_a_change_said_makes_a_week_a_span() -> None:
    assert span_said("la semaine prochaine", MON_23_NOV, acted=True) == NEXT_WEEK
    assert span_said("annuler la semaine prochaine", MON_23_NOV, acted=False) is None
    assert span_said("toute la semaine prochaine", MON_23_NOV, acted=False) == NEXT_WEEK


@pytest.mark.parametrize(
    "text",
    ["annuler toute la semaine de Noël", "toute la semaine de Noël", "annuler la semaine de noël"],
)
def test_the_week_of_christmas_is_its_school_week(text: str) -> None:
    # It was "Sur cette ligne, dites les jours un par un": Monday to Friday of the week of 25
    # December, as "du lundi 21 au vendredi 25 décembre" (the flow says they are holidays).
    assert span_said(text, MON_23_NOV) == DaySpan(date(2026, 12, 21), date(2026, 12, 25))
    # Under way: from today; over: next year's (Saturday 25 December 2027: 20 to 24)
    assert span_said(text, date(2026, 12, 23)) == DaySpan(date(2026, 12, 23), date(2026, 12, 25))
    assert span_said(text, date(2026, 12, 26)) == DaySpan(date(2027, 12, 20), date(2027, 12, 24))
    # A Sunday Christmas (2022): the week that ends on it
    assert span_said(text, date(2022, 12, 1)) == DaySpan(date(2022, 12, 19), date(2022, 12, 23))


def test_the_week_of_christmas_is_a_span_as_next_week_is() -> None:
    # Alone, as "la semaine prochaine": only with a change said, or answering the date question
    assert span_said("la semaine de Noël", MON_23_NOV) is None
    assert span_said("la semaine de Noël", MON_23_NOV, acted=True) == DaySpan(
        date(2026, 12, 21), date(2026, 12, 25)
    )
    assert span_said("toute la semaine de Noël sauf lundi", MON_23_NOV) == DaySpan(
        date(2026, 12, 21), date(2026, 12, 25), left_out=(date(2026, 12, 21),)
    )
    # A day of that week is not the week
    assert span_said("annuler jeudi de la semaine de Noël", MON_23_NOV) is None


def test_the_whole_week_said_at_a_read_back_is_not_the_same_day_a_week_on() -> None:
    # "non, toute la semaine prochaine" to Thursday 26 read back: every day of next week (it
    # read back Thursday 3 December alone).
    assert shifted_day("non, toute la semaine prochaine", THU_26_NOV, MON_23_NOV) is None
    assert shifted_day("non, la semaine prochaine", THU_26_NOV, MON_23_NOV) == date(2026, 12, 3)


@given(st.text(max_size=60), st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_span_said_never_raises_and_is_bounded(text: str, today: date) -> None:
    span = span_said(text, today)
    if span is not None:
        assert span.first <= span.last
        assert (span.last - span.first).days <= 62


@given(
    st.sampled_from(
        ["toute la semaine prochaine", "du lundi au jeudi", "jusqu'à vendredi", "cette semaine",
         "du 7 au 11 décembre", "du 28 décembre au 3", "annuler la semaine prochaine",
         "entre le 7 et le 11 décembre", "jusqu'à la fin de la semaine prochaine",
         "toute la semaine sauf jeudi", "du 1er au 5 mars sauf le 3"]
    ),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_spans_said_any_day_are_not_past(text: str, today: date) -> None:
    span = span_said(f"annuler {text}", today)
    if span is not None:
        assert span.first >= today
