"""Whole calls where one phrase asks a cancellation and a booking ("il mange pas jeudi mais il
mange vendredi", "enlever jeudi et mettre vendredi"), and where, right after a cancellation,
the parent says the child eats after all ("ah non, finalement elle ira jeudi"). A tester heard
the second change dropped without a word, taken for a second cancellation, or read on the
wrong week: the child ate unbooked, or lost a meal.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026: Léa and Zoé eat
every canteen day by subscription, Hugo on Mondays and Thursdays.
"""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked

THU, FRI, MON, TUE = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1)
ZOE, LEA, HUGO = "E1", "E2", "E3"
ONE_BY_ONE = "Je prends vos demandes une par une."

HUGO_WEEKDAYS = 0b0001001  # Mondays and Thursdays (see conftest.py)


@pytest.mark.parametrize(
    "said",
    [
        "il mange pas jeudi mais il mange vendredi",
        "Hugo il mange pas jeudi mais il mangera vendredi",
        "pas de cantine jeudi par contre il mange vendredi",
        "annuler jeudi et vendredi il mange",
        "enlever jeudi et mettre vendredi",
        "annuler jeudi il reprend vendredi",
        "supprimer jeudi remettre vendredi",
    ],
)
def test_a_cancellation_and_a_booking_in_one_phrase_are_both_read_back(
    rt: Runtime, call: Caller, said: str
) -> None:
    # Friday was never mentioned nor booked ("mais il mange vendredi"), cancelled as well
    # ("mettre", "il reprend": "nothing to cancel"), or "one thing at a time".
    call.press("1")  # Hugo
    first = call.say(said)
    assert first.says[:2] == [ONE_BY_ONE, "Vous souhaitez annuler le repas d'Hugo le jeudi 26 novembre."]
    second = call.say("oui")
    assert second.says[:2] == [
        "C'est fait : le repas d'Hugo du jeudi 26 novembre est annulé.",
        "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre.",
    ]
    call.say("oui")
    assert booked(rt, HUGO, THU) is False
    assert booked(rt, HUGO, FRI) is True


def test_a_weekday_booked_in_place_of_another_is_of_its_week(rt: Runtime, call: Caller) -> None:
    # Tuesday was tomorrow's: "Trop tard pour le mardi 24 novembre", after Monday 30 was
    # cancelled.
    call.press("1")
    first = call.say("annuler lundi et réserver mardi à la place")
    assert first.says[:2] == [ONE_BY_ONE, "Vous souhaitez annuler le repas d'Hugo le lundi 30 novembre."]
    second = call.say("oui")
    assert second.says[1] == "Vous souhaitez réserver le repas d'Hugo le mardi 1er décembre."
    call.say("oui")
    assert booked(rt, HUGO, MON) is False
    assert booked(rt, HUGO, TUE) is True


@pytest.mark.parametrize(
    "said",
    [
        "annuler aujourd'hui et réserver vendredi à la place",
        "annuler aujourd'hui et réserver vendredi plutôt",
    ],
)
def test_a_booking_instead_of_a_refused_cancellation_is_said_to_be_in_addition(
    rt: Runtime, call: Caller, said: str
) -> None:
    # Today too late, then at once Friday's read-back: a "oui" and the parent who asked
    # to move the meal had two charged.
    call.press("1")
    first = call.say(said)
    assert first.says[1].startswith("Trop tard pour le lundi 23 novembre")
    assert first.says[2:4] == [
        "Le repas du vendredi 27 novembre serait donc réservé en plus, pas à la place.",
        "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre.",
    ]
    call.say("non")
    assert booked(rt, HUGO, FRI) is None


def test_a_booking_after_a_refused_cancellation_without_instead_is_read_back_alone(
    call: Caller,
) -> None:
    # Named guard: two changes asked side by side are no swap.
    call.press("1")
    first = call.say("annuler aujourd'hui et réserver vendredi")
    assert first.says[2] == "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre."


def test_a_weekday_already_booked_in_the_second_request_is_said_of_its_week(
    rt: Runtime, call: Caller
) -> None:
    # It was "déjà réservé" about Tuesday 24.
    call.press("2")  # Léa
    call.say("annulez lundi mais réservez mardi")
    done = call.say("oui")
    assert done.says[:2] == [
        "C'est fait : le repas de Léa du lundi 30 novembre est annulé.",
        "Le repas de Léa du mardi 1er décembre est déjà réservé.",
    ]


@pytest.mark.parametrize(
    "said",
    [
        "ah non finalement elle ira jeudi",
        "non en fait elle va mieux elle ira à la cantine",
    ],
)
def test_a_child_who_eats_after_all_takes_the_cancellation_back(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It was Thursday's cancellation again ("rien à annuler"), or "Si c'est une erreur, dites :
    # je me suis trompé": Léa would have eaten unbooked.
    call.press("2")
    call.say("annuler jeudi")
    call.say("oui")
    assert booked(rt, LEA, THU) is False
    undo = call.say(said)
    assert undo.says[0] == (
        "Vous souhaitez que le repas de Léa du jeudi 26 novembre soit de nouveau réservé."
    )
    done = call.say("oui")
    assert done.says[0] == "Le repas de Léa du jeudi 26 novembre est de nouveau réservé."
    assert booked(rt, LEA, THU) is True


def test_a_child_who_eats_another_day_is_a_request_of_its_own(rt: Runtime, call: Caller) -> None:
    # Not an undoing: Thursday stays cancelled, Friday is asked (already booked).
    call.press("2")
    call.say("annuler jeudi")
    call.say("oui")
    answer = call.say("non finalement elle ira vendredi")
    assert "de nouveau réservé" not in " ".join(answer.says)
    assert booked(rt, LEA, THU) is False
