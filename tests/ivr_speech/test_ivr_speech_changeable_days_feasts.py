"""Whole calls where a parent asks which days can still be changed ("quels jours je peux
annuler ?": the deadline rule and the first day that can still change, then the same question),
or names Easter or the Ascension bridge ("il y a cantine à Pâques ?", "annuler pendant le pont
de l'Ascension": no school catering then, with the dates, as for the other holidays). Nothing is
changed. The parser's side is in tests/test_speech_changeable_days_feasts.py.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026, each eating every
canteen day by subscription; Dijon's zone A: spring holidays from Saturday 10 to Sunday 25 April
2027, the Ascension bridge on Friday 7 May 2027.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time

import pytest

from restomairie.calendar.deadlines import CalendarDaysRule, DeadlineRule, WorkingHoursRule
from restomairie.runtime import Runtime
from restomairie.staff.labels import asked_after
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, booked, events, line_app

PHONE = "+33612345678"
LEA = "E2"
THU = date(2026, 11, 26)
RULE = (
    "Un repas peut être réservé ou annulé jusqu'au 2e jour de cantine qui le précède, avant 13 "
    "heures ; les jours sans restauration scolaire ne comptent pas."
)
LEA_THU = [
    "Le jeudi 26 novembre, Léa a un repas réservé.",
    "Ce jour peut encore être changé aujourd'hui avant 13 heures.",
]
SPRING = (
    "Pas de restauration scolaire pendant les vacances de printemps, après le vendredi 9 avril ; "
    "reprise le lundi 26 avril."
)
ASCENSION = "Pas de restauration scolaire pendant le pont de l'Ascension, le vendredi 7 mai."
BRIDGE_DAY = (
    "Le vendredi 7 mai, il n'y a pas de restauration scolaire : c'est le pont de l'Ascension."
)
ACTION_MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
CHILD_MENU = "Pour Hugo, tapez 1."


# ---------------------------------------------------------------------------------------------
# 1. Which days can still be changed: the rule, the first such day, the question again
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["quels jours je peux annuler ?", "quel jour on peut encore réserver"]
)
def test_which_days_can_be_changed_at_the_menu_says_the_rule_and_the_first_day(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")  # Léa
    answer = call.say(said)
    # It was "Pardon, je n'ai pas compris." (or which days she eats).
    assert answer.says[:3] == [RULE, *LEA_THU]
    assert ACTION_MENU in answer.text
    assert events(rt, call)[-1].outcome == "rule_asked"
    assert asked_after("action", "rule_asked") == "action"
    call.say("oui")
    assert booked(rt, LEA, THU) is None


def test_which_days_can_be_changed_at_the_date_question_asks_the_date_again(
    rt: Runtime, call: Caller
) -> None:
    call.keys("2", "2")  # Léa, cancel
    answer = call.say("quels jours je peux annuler ?")
    # It was "Sur cette ligne, dites les jours un par un…".
    assert answer.says[:2] == [RULE, "Pour quel jour voulez-vous annuler ?"]
    assert "Le premier repas que vous pouvez encore annuler est celui du jeudi 26 novembre" in (
        answer.text
    )
    assert asked_after("date", "rule_asked") == "date"
    assert call.say("jeudi").says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_which_days_can_be_changed_at_the_child_menu_asks_the_child_again(
    rt: Runtime, call: Caller
) -> None:
    answer = call.say("quels jours je peux réserver pour Léa ?")
    assert answer.says[:3] == [RULE, *LEA_THU]
    assert CHILD_MENU in answer.text
    assert asked_after("child", "rule_asked") == "child"


def test_until_when_without_a_day_says_the_rule_after_the_first_day(call: Caller) -> None:
    call.press("2")
    answer = call.say("jusqu'à quand je peux annuler ?")
    # The first day that can change was said, not how any other day is counted.
    assert answer.says[:3] == [*LEA_THU, RULE]


def test_which_days_she_eats_still_lists_her_meals(call: Caller) -> None:
    # A guard: the question it was confused with keeps its answer.
    call.press("2")
    answer = call.say("quels jours elle mange ?")
    assert answer.says[0].startswith("Léa : un repas est réservé chaque jour de cantine")
    assert RULE not in answer.says


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        (
            CalendarDaysRule(1, time(0)),
            "Un repas peut être réservé ou annulé jusqu'à la fin du 2e jour qui le précède.",
        ),
        (
            CalendarDaysRule(1, time(10)),
            "Un repas peut être réservé ou annulé jusqu'à la veille, avant 10 heures.",
        ),
        (
            WorkingHoursRule(48),
            "Un repas peut être réservé ou annulé jusqu'à 48 heures avant le jour du repas, sans "
            "compter les week-ends et les jours fériés.",
        ),
        (
            WorkingHoursRule(48, time(9)),
            "Un repas peut être réservé ou annulé jusqu'à 48 heures avant 9 heures le jour du "
            "repas, sans compter les week-ends et les jours fériés.",
        ),
    ],
)
def test_the_rule_said_is_the_towns(rt: Runtime, rule: DeadlineRule, said: str) -> None:
    town = Runtime.build(
        settings=dataclasses.replace(rt.settings, deadline=rule), clock=rt.clock, engine=rt.engine
    )
    make_family(town, "210009", "1234", ("+33600000009",), (KidSpec("E9", "Léa"),))
    call = Caller(line_app(town).test_client(), rt.settings, "+33600000009")
    call.start()
    call.keys("1234")
    assert call.say("quels jours je peux annuler ?").says[0] == said


# ---------------------------------------------------------------------------------------------
# 2. Easter and the Ascension bridge: school holidays, with their dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "line"),
    [
        ("il y a cantine à Pâques ?", SPRING),
        ("est-ce qu'il y a cantine pour Pâques", SPRING),
        ("et pour le pont de l'Ascension ?", ASCENSION),
        ("il y a cantine pendant le pont de l'Ascension ?", ASCENSION),
    ],
)
def test_a_canteen_at_easter_or_the_ascension_bridge_is_answered_from_the_calendar(
    rt: Runtime, call: Caller, said: str, line: str
) -> None:
    call.press("2")
    answer = call.say(said)
    # It was "Pardon, je n'ai pas compris." (or Thursday 26's meal).
    assert answer.says[0] == line
    assert ACTION_MENU in answer.text
    assert events(rt, call)[-1].outcome == "holidays_asked"


@pytest.mark.parametrize(
    ("said", "line", "asked"),
    [
        ("annuler à Pâques", SPRING, "Pour quel jour voulez-vous annuler ?"),
        ("réserver pour Pâques", SPRING, "Pour quel jour voulez-vous réserver ?"),
        # The bridge is one day in 2027: refused as that day, « c'est le pont de l'Ascension ».
        ("annuler le pont de l'Ascension", BRIDGE_DAY, "Pour quel jour voulez-vous annuler ?"),
        (
            "annuler pendant le pont de l'Ascension",
            BRIDGE_DAY,
            "Pour quel jour voulez-vous annuler ?",
        ),
    ],
)
def test_a_change_at_easter_or_the_ascension_bridge_says_no_canteen_and_asks_the_date(
    rt: Runtime, call: Caller, said: str, line: str, asked: str
) -> None:
    call.press("2")
    answer = call.say(said)
    assert answer.says[:2] == [line, asked]
    assert events(rt, call)[-1].outcome == (
        "refused:not_operating" if line == BRIDGE_DAY else "holidays"
    )


def test_the_ascension_bridge_at_the_date_question_asks_the_date_again(
    rt: Runtime, call: Caller
) -> None:
    call.keys("2", "2")
    answer = call.say("pendant le pont de l'Ascension")
    assert answer.says[:2] == [ASCENSION, "Pour quel jour voulez-vous annuler ?"]
    assert booked(rt, LEA, date(2027, 5, 7)) is None
