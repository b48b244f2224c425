"""Spans of days said at once on the phone line, end to end: "jusqu'à la fin de la semaine",
"entre le 7 et le 11", "toute la semaine sauf jeudi", a span said on one of its own days. The
parser's side is in tests/test_speech_spans.py.

Each test is a whole call through the real webhooks (signed like Twilio's), on a family of three
(Hugo, Léa, Zoé: keys 1, 2, 3), every meal booked by subscription, on Monday 23 November 2026
unless said otherwise.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, events, identified_three_children

PHONE = "+33612345678"
ONE_DAY = (
    "Sur cette ligne, dites les jours un par un, jusqu'à 5 : par exemple lundi, mardi et jeudi."
)


def _call_at(rt: Runtime, client: FlaskClient, at: datetime | None = None) -> Caller:
    """A call identified at ``at`` (by default the tests' Monday 23 November)."""
    if at is not None:
        rt.clock.frozen = at
    return identified_three_children(rt, client, PHONE)


def _read_back(day: str) -> str:
    return f"Vous souhaitez annuler le repas de Léa le {day}."


_LATE_MON_TUE = (
    "Trop tard pour le lundi 23 et le mardi 24 novembre : ces repas seront facturés, sauf "
    "maladie signalée à l'école."
)


@pytest.mark.parametrize(
    ("said", "at", "late", "named", "first"),
    [
        # From the first day that can still change (Thursday 26 on Monday 23), after the days
        # before it, past their deadline, in one sentence
        (
            "jusqu'à la fin de la semaine",
            None,
            _LATE_MON_TUE,
            "Je prends ces 2 jours un par un : le jeudi 26 et le vendredi 27 novembre.",
            "jeudi 26 novembre",
        ),
        (
            "Annuler jusqu'à la fin de cette semaine.",
            None,
            _LATE_MON_TUE,
            "Je prends ces 2 jours un par un : le jeudi 26 et le vendredi 27 novembre.",
            "jeudi 26 novembre",
        ),
        # On Friday 27, Monday 30 is past its deadline: from Tuesday
        (
            "jusqu'à la fin de la semaine prochaine",
            datetime(2026, 11, 27, 9, 30, tzinfo=PARIS),
            "Trop tard pour le vendredi 27 et le lundi 30 novembre : ces repas seront facturés, "
            "sauf maladie signalée à l'école.",
            "Je prends ces 3 jours un par un : le mardi 1er, le jeudi 3 et le vendredi 4 "
            "décembre.",
            "mardi 1er décembre",
        ),
        # Up to the end of a month: the same (was "dites les jours un par un")
        (
            "Annuler jusqu'à la fin du mois.",
            None,
            _LATE_MON_TUE,
            "Je prends ces 3 jours un par un : le jeudi 26, le vendredi 27 et le lundi 30 "
            "novembre.",
            "jeudi 26 novembre",
        ),
        (
            "jusqu'à fin janvier",
            datetime(2027, 1, 21, 9, 30, tzinfo=PARIS),
            "Trop tard pour le jeudi 21 et le vendredi 22 janvier : ces repas seront facturés, "
            "sauf maladie signalée à l'école.",
            "Je prends ces 4 jours un par un : le lundi 25, le mardi 26, le jeudi 28 et le "
            "vendredi 29 janvier.",
            "lundi 25 janvier",
        ),
    ],
)
def test_up_to_the_end_of_a_week_is_its_school_days_one_by_one(
    rt: Runtime,
    client: FlaskClient,
    said: str,
    at: datetime | None,
    late: str,
    named: str,
    first: str,
) -> None:
    # "la fin de la semaine" was not understood: the line asked for a day, and a "oui" there
    # cancelled the first day offered alone.
    call = _call_at(rt, client, at)
    call.keys("2", "2")  # Léa, cancel
    answer = call.say(said)
    assert answer.says[:3] == [late, named, _read_back(first)]
    assert sum(line.startswith("Trop tard") for line in answer.says) == 1


@pytest.mark.parametrize(
    ("said", "named"),
    [
        (
            "entre le 7 et le 11 décembre",
            "Je prends ces 4 jours un par un : le lundi 7, le mardi 8, le jeudi 10 et le "
            "vendredi 11 décembre.",
        ),
        (
            "Entre le 7 et le 11.",
            "Je prends ces 4 jours un par un : le lundi 7, le mardi 8, le jeudi 10 et le "
            "vendredi 11 décembre.",
        ),
        (
            "entre lundi et jeudi",
            "Je prends ces 3 jours un par un : le lundi 30 novembre, puis le mardi 1er et le "
            "jeudi 3 décembre.",
        ),
    ],
)
def test_between_two_days_is_the_days_from_one_to_the_other(
    rt: Runtime, client: FlaskClient, said: str, named: str
) -> None:
    # "entre le 7 et le 11 décembre" was refused ("dites les jours un par un").
    call = _call_at(rt, client)
    call.keys("2", "2")
    answer = call.say(said)
    assert answer.says[0] == named
    assert answer.says[1].startswith("Vous souhaitez annuler le repas de Léa le lundi ")


@pytest.mark.parametrize(
    ("said", "named", "kept"),
    [
        (
            "toute la semaine prochaine sauf jeudi",
            "Je prends ces 3 jours un par un : le lundi 30 novembre, puis le mardi 1er et le "
            "vendredi 4 décembre.",
            date(2026, 12, 3),
        ),
        (
            "Toute la semaine prochaine, sauf le mercredi et le vendredi.",
            "Je prends ces 3 jours un par un : le lundi 30 novembre, puis le mardi 1er et le "
            "jeudi 3 décembre.",
            date(2026, 12, 4),
        ),
        (
            "du lundi au vendredi sauf mardi",
            "Je prends ces 3 jours un par un : le lundi 30 novembre, puis le jeudi 3 et le "
            "vendredi 4 décembre.",
            date(2026, 12, 1),
        ),
        (
            "toute la semaine prochaine à part le lundi",
            "Je prends ces 3 jours un par un : le mardi 1er, le jeudi 3 et le vendredi 4 "
            "décembre.",
            date(2026, 11, 30),
        ),
    ],
)
def test_a_span_but_some_days_leaves_them_as_they_are(
    rt: Runtime, client: FlaskClient, said: str, named: str, kept: date
) -> None:
    # "toute la semaine sauf jeudi" was refused ("dites les jours un par un").
    call = _call_at(rt, client)
    call.keys("2", "2")
    answer = call.say(said)
    assert answer.says[0] == named
    for _ in range(3):
        answer = call.say("oui")
    assert answer.says[0].startswith("C'est fait : le repas de Léa du ")
    assert booked(rt, "E2", kept) is None  # never changed: booked by subscription
    cancelled = [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4)]
    assert [booked(rt, "E2", day) for day in cancelled if day != kept] == [False] * 3


def test_a_span_but_wednesday_is_the_span_without_canteen_on_wednesday(
    rt: Runtime, client: FlaskClient
) -> None:
    # No canteen on Wednesday in Dijon: leaving it out changes nothing, and is not a mistake.
    call = _call_at(rt, client)
    call.keys("2", "2")
    answer = call.say("toute la semaine prochaine sauf mercredi")
    assert answer.says[0] == (
        "Je prends ces 4 jours un par un : le lundi 30 novembre, puis le mardi 1er, le jeudi 3 "
        "et le vendredi 4 décembre."
    )


def test_a_day_left_out_that_is_not_in_the_span_is_asked_about(
    rt: Runtime, client: FlaskClient
) -> None:
    # "du lundi au jeudi sauf vendredi": not what the caller meant, whichever it was (silently
    # ignoring Friday would cancel Thursday, which might have been meant to stay).
    call = _call_at(rt, client)
    call.keys("2", "2")
    answer = call.say("du lundi au jeudi sauf vendredi")
    assert answer.says[0] == ONE_DAY
    assert not any(line.startswith("Vous souhaitez") for line in answer.says)
    assert events(rt, call)[-1].outcome == "several_days"


def test_a_span_but_some_days_said_before_the_child_is_kept_for_the_child(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client)
    asked = call.say("annuler toute la semaine prochaine sauf jeudi")
    assert asked.says[0] == "Pour quel enfant ?"
    answer = call.say("Léa")
    assert answer.says[:2] == [
        "Je prends ces 3 jours un par un : le lundi 30 novembre, puis le mardi 1er et le "
        "vendredi 4 décembre.",
        _read_back("lundi 30 novembre"),
    ]


def test_a_span_said_on_one_of_its_days_takes_those_not_yet_past(
    rt: Runtime, client: FlaskClient
) -> None:
    # On Tuesday 8 December, "du 7 au 11 décembre" was refused (the 7th, past, read as the 7th
    # of January). Now the days from today: the two past their deadline refused, Friday's read
    # back (the two refused together); Monday 7, past, not said at all.
    call = _call_at(rt, client, datetime(2026, 12, 8, 9, 30, tzinfo=PARIS))
    call.keys("2", "2")
    answer = call.say("du 7 au 11 décembre")
    assert answer.says[:3] == [
        "Je prends ces 3 jours un par un : le mardi 8, le jeudi 10 et le vendredi 11 décembre.",
        "Trop tard pour le mardi 8 et le jeudi 10 décembre : ces repas seront facturés, sauf "
        "maladie signalée à l'école.",
        _read_back("vendredi 11 décembre"),
    ]
    done = call.say("oui")
    assert done.says[0] == "C'est fait : le repas de Léa du vendredi 11 décembre est annulé."
    assert booked(rt, "E2", date(2026, 12, 11)) is False


def test_a_span_but_some_days_said_without_the_change_is_kept_for_it(
    rt: Runtime, client: FlaskClient
) -> None:
    # Said at the child question without "annuler": the days kept, the action asked for them.
    call = _call_at(rt, client)
    menu = call.say("Léa, toute la semaine prochaine sauf jeudi")
    assert menu.says[0] == (
        "Pour Léa, le lundi 30 novembre, le mardi 1er décembre et le vendredi 4 décembre :"
    )
    answer = call.say("annuler")
    assert _read_back("lundi 30 novembre") in answer.says


def test_a_day_left_out_beside_the_span_without_the_change_keeps_no_day(
    rt: Runtime, client: FlaskClient
) -> None:
    # "du lundi au jeudi sauf vendredi" is not kept as Monday to Thursday: the menu, no day.
    call = _call_at(rt, client)
    menu = call.say("Léa, du lundi au jeudi sauf vendredi")
    assert menu.says[0] == "Pour Léa :"


@pytest.mark.parametrize(
    ("said", "named", "first"),
    [
        (
            "La semaine prochaine.",
            "Je prends ces 4 jours un par un : le lundi 30 novembre, puis le mardi 1er, le jeudi "
            "3 et le vendredi 4 décembre.",
            "Vous souhaitez annuler le repas de Léa le lundi 30 novembre.",
        ),
        (
            "Cette semaine.",
            "Je prends ces 4 jours un par un : le lundi 23, le mardi 24, le jeudi 26 et le "
            "vendredi 27 novembre.",
            # Monday's and Tuesday's refusals in one sentence (they were two in a row, each
            # with its deadline, before Thursday's read-back)
            "Trop tard pour le lundi 23 et le mardi 24 novembre : ces repas seront facturés, "
            "sauf maladie signalée à l'école.",
        ),
    ],
)
def test_a_week_said_alone_at_the_date_question_is_its_school_days(
    rt: Runtime, client: FlaskClient, said: str, named: str, first: str
) -> None:
    call = _call_at(rt, client)
    call.press("2")  # Léa
    call.press("2")  # cancel
    answer = call.say(said)
    # The change is the question's: it was "dites les jours un par un".
    assert answer.says[:2] == [named, first]


def test_until_the_end_of_the_week_is_no_goodbye(rt: Runtime, client: FlaskClient) -> None:
    # "fin" read as a goodbye: the days were cancelled, then "Merci de votre appel. Au revoir."
    # with no other operation offered.
    call = _call_at(rt, client)
    call.say("Annuler les repas de Léa jusqu'à la fin de la semaine.")
    call.press("1")
    done = call.press("1")
    assert done.says[0] == "C'est fait : le repas de Léa du vendredi 27 novembre est annulé."
    assert not done.hangup
    assert "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2." in done.says


@pytest.mark.parametrize(
    "said",
    [
        "jeudi et le reste de la semaine",
        "Jeudi et les jours suivants.",
        "jeudi jusqu'à la fin de la semaine",
    ],
)
def test_a_day_and_the_rest_of_its_week_is_every_school_day_to_its_end(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    # Thursday alone was read back and cancelled, then the call ended: Friday stayed booked
    # and billed without a word.
    call = _call_at(rt, client)
    call.keys("2", "2")
    answer = call.say(said)
    assert answer.says[:2] == [
        "Je prends ces 2 jours un par un : le jeudi 26 et le vendredi 27 novembre.",
        _read_back("jeudi 26 novembre"),
    ]
    call.say("oui")
    done = call.say("oui")
    assert done.says[0] == "C'est fait : le repas de Léa du vendredi 27 novembre est annulé."
    assert [booked(rt, "E2", date(2026, 11, d)) for d in (26, 27)] == [False, False]


def test_a_day_to_the_end_of_the_month_is_its_school_days_one_by_one(
    rt: Runtime, client: FlaskClient
) -> None:
    # "Annuler jeudi jusqu'à la fin du mois" read back Thursday alone: Friday and Monday
    # stayed booked without a word.
    call = _call_at(rt, client)
    call.keys("2", "2")  # Léa, cancel
    answer = call.say("Annuler jeudi jusqu'à la fin du mois.")
    assert answer.says[:2] == [
        "Je prends ces 3 jours un par un : le jeudi 26, le vendredi 27 et le lundi 30 novembre.",
        _read_back("jeudi 26 novembre"),
    ]


@pytest.mark.parametrize(
    ("said", "named"),
    [
        (
            "tous les jours de la semaine prochaine",
            "Je prends ces 4 jours un par un : le lundi 30 novembre, puis le mardi 1er, le jeudi "
            "3 et le vendredi 4 décembre.",
        ),
        (
            "Tous les jours du 7 au 11 décembre.",
            "Je prends ces 4 jours un par un : le lundi 7, le mardi 8, le jeudi 10 et le "
            "vendredi 11 décembre.",
        ),
    ],
)
def test_every_day_of_a_span_at_the_date_question_is_its_school_days(
    rt: Runtime, client: FlaskClient, said: str, named: str
) -> None:
    # "tous les jours de la semaine prochaine" was answered "dites les jours un par un", while
    # "toute la semaine prochaine" was taken day by day.
    call = _call_at(rt, client)
    call.keys("2", "2")  # Léa, cancel
    answer = call.say(said)
    assert ONE_DAY not in answer.says
    assert answer.says[0] == named
    assert answer.says[1].startswith("Vous souhaitez annuler le repas de Léa le lundi ")


def test_every_day_of_next_week_at_the_child_question_is_understood(
    rt: Runtime, client: FlaskClient
) -> None:
    # It was "Pardon, je n'ai pas compris" (as "toute la semaine prochaine" was not).
    call = _call_at(rt, client)
    menu = call.say("Léa, tous les jours de la semaine prochaine")
    assert menu.says[0] == (
        "Pour Léa, le lundi 30 novembre, le mardi 1er décembre, le jeudi 3 décembre et le "
        "vendredi 4 décembre :"
    )
    answer = call.say("annuler")
    assert _read_back("lundi 30 novembre") in answer.says
