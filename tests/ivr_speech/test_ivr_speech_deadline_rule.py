"""Whole calls where a parent asks the deadline rule by speech ("c'est quoi le délai ?",
"quels jours je dois annuler ?", "avant quelle heure ?"), is refused several days past their
deadline at once, or calls before the Christmas holidays. The parser's side is in
tests/test_speech_rule_questions.py.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) each eating every canteen day by
subscription, on Monday 23 November 2026 unless a test sets its own time; Dijon's zone A:
Christmas holidays from Saturday 19 December 2026 to Sunday 3 January 2027, the Ascension
bridge on Friday 7 May 2027.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from restomairie.staff.labels import asked_after
from tests.ivr_support import Caller, booked, events, identified_three_children, line_app

PHONE = "+33612345678"
LEA = "E2"
RULE = (
    "Un repas peut être réservé ou annulé jusqu'au 2e jour de cantine qui le précède, avant 13 "
    "heures ; les jours sans restauration scolaire ne comptent pas."
)
LEA_THU = [
    "Le jeudi 26 novembre, Léa a un repas réservé.",
    "Ce jour peut encore être changé avant 13 heures aujourd'hui.",
]
ACTION_MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
ASK_CANCEL_DAY = "Pour quel jour voulez-vous annuler ?"


def _call_at(rt: Runtime, client: FlaskClient, now: datetime) -> Caller:
    rt.clock.frozen = now
    return identified_three_children(rt, client, PHONE)


# ---------------------------------------------------------------------------------------------
# 1. The rule asked at the action menu and at the date question
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["c'est quoi le délai ?", "quels jours je dois annuler ?", "quel est le délai"]
)
def test_the_rule_asked_at_the_action_menu_is_said_with_the_first_day(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")  # Léa
    answer = call.say(said)
    # It was the menu again ("quoi ?" heard as "répétez") or "Pardon, je n'ai pas compris."
    assert answer.says[:3] == [RULE, *LEA_THU]
    assert "Pardon" not in answer.text
    assert ACTION_MENU in answer.text
    assert events(rt, call)[-1].outcome == "rule_asked"
    assert asked_after("action", "rule_asked") == "action"


@pytest.mark.parametrize(
    "said",
    ["quels jours je dois annuler ?", "jusqu'à quand je peux annuler ?", "c'est quoi le délai",
     "avant quelle heure ?"],
)  # fmt: skip
def test_the_rule_asked_at_the_date_question_asks_the_date_again(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.keys("2", "2")  # Léa, cancel
    answer = call.say(said)
    # It was "Sur cette ligne, dites les jours un par un…" (read as a span), the question
    # again without an answer, or "réserver ou annuler" for Thursday 26.
    assert answer.says[:2] == [RULE, ASK_CANCEL_DAY]
    assert "Le premier repas que vous pouvez encore annuler est celui du jeudi 26 novembre" in (
        answer.text
    )
    assert "un par un" not in answer.text
    assert events(rt, call)[-1].outcome == "rule_asked"
    assert call.say("jeudi").says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_a_deadline_asked_for_a_day_at_the_date_question_is_that_days(call: Caller) -> None:
    # A guard: a day named is answered for that day, not with the rule alone.
    call.keys("2", "2")
    answer = call.say("jusqu'à quand je peux annuler jeudi ?")
    assert answer.says[:2] == LEA_THU


# ---------------------------------------------------------------------------------------------
# 2. Several days refused together: the days without canteen said once, the school's
# ---------------------------------------------------------------------------------------------

ASCENSION_NOT_COUNTED = (
    "Les jours sans cantine ne comptent pas dans le délai : le jeudi 6 mai (Ascension) et le "
    "pont de l'Ascension."
)


def test_days_refused_together_say_the_days_without_canteen_once(
    rt: Runtime, client: FlaskClient
) -> None:
    # Wednesday 5 May 2027: Monday 10's deadline was Monday 3 May, Tuesday 11's Tuesday 4,
    # both earlier than the published table as Thursday 6 and Friday 7 have no canteen.
    call = _call_at(rt, client, datetime(2027, 5, 5, 9, 0, tzinfo=PARIS))
    call.press("2")
    answer = call.say("annuler lundi et mardi")
    refusal = next(line for line in answer.says if line.startswith("Trop tard"))
    # It was the refusal alone: the parent counting from the table heard no reason.
    assert refusal == (
        "Trop tard pour le lundi 10 et le mardi 11 mai : ces repas seront facturés, sauf "
        f"maladie signalée à l'école. {ASCENSION_NOT_COUNTED}"
    )
    assert answer.text.count("ne comptent pas") == 1
    assert booked(rt, LEA, date(2027, 5, 10)) is None


def _no_wednesday_school(rt: Runtime) -> Runtime:
    """The town's canteens serve Monday to Friday, Léa's school not on Wednesdays."""
    schools = tuple(
        dataclasses.replace(school, canteen_weekdays=frozenset({0, 1, 3, 4}))
        if school.id == "anjou-elem"
        else school
        for school in rt.settings.schools
    )
    settings = dataclasses.replace(
        rt.settings, canteen_weekdays=frozenset(range(5)), schools=schools
    )
    town = Runtime.build(settings=settings, clock=rt.clock, engine=rt.engine)
    town.sync_schools()
    return town


@pytest.mark.parametrize("said", ["annuler jeudi", "annuler jeudi et vendredi"])
def test_the_days_not_counted_are_those_of_the_childs_school(rt: Runtime, said: str) -> None:
    # Wednesday 11 November 2026 (a public holiday): Thursday 12's deadline was Monday 9, as
    # the table says for a school closed on Wednesdays; the holiday moved nothing for Léa.
    town = _no_wednesday_school(rt)
    call = _call_at(town, line_app(town).test_client(), datetime(2026, 11, 11, 9, 0, tzinfo=PARIS))
    call.press("2")
    answer = call.say(said)
    assert "Trop tard pour le jeudi 12" in answer.text
    # It was "Les jours sans cantine ne comptent pas dans le délai : le mercredi 11 novembre
    # (Armistice)", from the town's canteen weekdays.
    assert "ne comptent pas" not in answer.text

