"""Whole calls where a parent asks a question the line used to act on: when a day can or must
be changed ("quand est-ce que je peux annuler jeudi ?", read back as a cancellation that a "oui"
made), and whether there is a canteen during the school holidays ("est-ce qu'il y a cantine
pendant les vacances de Noël ?", answered about another day, or not understood). Each is
answered, from the calendar, and nothing is changed.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026 unless a test says
otherwise: Zoé and Léa eat every canteen day by subscription.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from restomairie.staff.labels import asked_after
from tests.ivr_support import Caller, booked, events, identified_three_children

PHONE = "+33612345678"
LEA = "E2"
THU = date(2026, 11, 26)
CANCEL_LEA_THU = "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
LEA_THU = [
    "Le jeudi 26 novembre, Léa a un repas réservé.",
    "Ce jour peut encore être changé aujourd'hui avant 13 heures.",
]
LEA_BACK = [
    "Le lundi 4 janvier, Léa a un repas réservé.",
    "Ce jour peut encore être changé avant le jeudi 17 décembre à 13 heures.",
]
CHRISTMAS = (
    "Pas de restauration scolaire pendant les vacances de Noël, après le vendredi 18 décembre ; "
    "reprise le lundi 4 janvier."
)
ACTION_MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
CHILD_MENU = "Pour Hugo, tapez 1."


# ---------------------------------------------------------------------------------------------
# 1. When a day can be changed: its deadline, never a read-back
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "quand est-ce que je peux annuler jeudi",
        "Quand est-ce que je peux annuler jeudi ?",
        "à quelle heure je dois annuler jeudi ?",
        "il faut annuler quand pour jeudi ?",
        "quand est-ce que je dois réserver pour jeudi",
    ],
)
def test_when_a_day_can_be_changed_is_answered_and_a_yes_changes_nothing(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")  # Léa
    answer = call.say(said)
    # It was "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre.": a "oui" to it
    # cancelled a meal the parent only asked about.
    assert answer.says[:2] == LEA_THU
    assert CANCEL_LEA_THU not in answer.says
    assert events(rt, call)[-1].outcome == "asked_day"
    call.say("oui")
    assert booked(rt, LEA, THU) is None
    # The day is kept for the action: "annuler" reads that cancellation back, to confirm.
    assert call.say("annuler").says[0] == CANCEL_LEA_THU
    assert booked(rt, LEA, THU) is None


@pytest.mark.parametrize(
    "said",
    [
        "quand est-ce que je peux annuler pour la rentrée",
        "avant quand je dois annuler pour la rentrée",
        "jusqu'à quel jour je peux annuler pour la rentrée ?",
        "quand est-ce que je peux annuler pour le 4 janvier",
    ],
)
def test_when_the_day_school_starts_again_can_be_changed_is_answered_for_that_day(
    rt: Runtime, call: Caller, said: str
) -> None:
    # "avant quand…" only got the date question; the others read back the cancellation.
    call.press("2")
    answer = call.say(said)
    assert answer.says[:2] == LEA_BACK
    read_back = call.press("2")  # cancel: that day
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 4 janvier."


def test_when_a_day_can_be_changed_asked_at_the_date_question_is_answered(
    rt: Runtime, call: Caller
) -> None:
    call.keys("2", "2")  # Léa, cancel: the date question
    answer = call.say("quand est-ce que je peux annuler jeudi ?")
    assert answer.says[:2] == LEA_THU
    assert booked(rt, LEA, THU) is None


@pytest.mark.parametrize("said", ["je peux annuler jeudi ?", "est-ce que je peux annuler jeudi ?"])
def test_can_i_cancel_thursday_is_still_a_polite_request(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")
    assert call.say(said).says[0] == CANCEL_LEA_THU
    call.say("oui")
    assert booked(rt, LEA, THU) is False


# ---------------------------------------------------------------------------------------------
# 2. A canteen during the school holidays: none, and when it starts again
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "est-ce qu'il y a cantine pendant les vacances de Noël",
        "est-ce qu'il y a cantine pendant les vacances",
        "il y a cantine pendant les vacances de Noël ?",
    ],
)
def test_a_canteen_during_the_holidays_asked_at_the_menu_is_answered_from_the_calendar(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")
    answer = call.say(said)
    # It was "Le jeudi 26 novembre, Léa a un repas réservé. …" (with "est-ce qu'"), or
    # "Pardon, je n'ai pas compris." (without).
    assert answer.says[0] == CHRISTMAS
    assert ACTION_MENU in answer.text
    assert events(rt, call)[-1].outcome == "holidays_asked"
    assert asked_after("action", "holidays_asked") == "action"


def test_a_canteen_during_the_holidays_asked_at_the_child_menu_asks_the_child_again(
    rt: Runtime, call: Caller
) -> None:
    answer = call.say("est-ce qu'il y a cantine pendant les vacances de Noël ?")
    assert answer.says[0] == CHRISTMAS
    assert CHILD_MENU in answer.text
    assert asked_after("child", "holidays_asked") == "child"


def test_a_canteen_during_the_winter_holidays_says_them(call: Caller) -> None:
    call.press("2")
    answer = call.say("il y a cantine pendant les vacances d'hiver ?")
    assert answer.says[0] == (
        "Pas de restauration scolaire pendant les vacances d'hiver, après le vendredi 12 "
        "février ; reprise le lundi 1er mars."
    )


def test_the_toussaint_to_come_is_said_and_past_the_calendar_it_is_not_guessed(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = datetime(2026, 9, 14, 9, 30, tzinfo=PARIS)  # before it
    call = identified_three_children(rt, client, PHONE)
    call.press("2")
    answer = call.say("est-ce qu'il y a cantine à la Toussaint ?")
    assert answer.says[0] == (
        "Pas de restauration scolaire pendant les vacances de la Toussaint, après le vendredi "
        "16 octobre ; reprise le lundi 2 novembre."
    )
    # In November, the next Toussaint is past the school calendar the line has.
    rt.clock.frozen = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
    answer = call.say("est-ce qu'il y a cantine à la Toussaint ?")
    assert answer.says[:2] == [
        "Pas de restauration scolaire pendant les vacances scolaires.",
        "Le calendrier scolaire après le jeudi 2 septembre 2027 n'est pas encore connu.",
    ]
    assert ACTION_MENU in answer.text


def test_a_canteen_asked_during_the_holidays_says_when_school_starts_again(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = datetime(2026, 12, 22, 9, 30, tzinfo=PARIS)
    call = identified_three_children(rt, client, PHONE)
    call.press("2")
    answer = call.say("il y a cantine pendant les vacances ?")
    assert answer.says[0] == (
        "Pas de restauration scolaire pendant les vacances de Noël ; reprise le lundi 4 janvier."
    )


def test_a_canteen_during_the_holidays_asked_at_the_date_question_asks_the_date_again(
    rt: Runtime, call: Caller
) -> None:
    call.keys("2", "2")
    answer = call.say("est-ce qu'il y a cantine pendant les vacances de Noël ?")
    assert answer.says[:2] == [CHRISTMAS, "Pour quel jour voulez-vous annuler ?"]
    assert events(rt, call)[-1].outcome == "holidays"
