"""Whole calls around the end of the school year, when the shipped calendar ends with the
rentrée on Thursday 2 September 2027: when school starts again, asked ("c'est quand la
rentrée ?", answered as a day to change), until when a meal can be cancelled in August (read
as a span of days), and "jusqu'aux vacances d'été" once they have started (their eve, past).

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3), every canteen day booked by subscription."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from tests.ivr_support import Caller, events, identified_three_children

PHONE = "+33612345678"
MON_23_AUG = datetime(2027, 8, 23, 9, 0, tzinfo=PARIS)
MON_3_MAY = datetime(2027, 5, 3, 9, 0, tzinfo=PARIS)
SUMMER_UNDER_WAY = (
    "Pas de restauration scolaire pendant les vacances d'été ; reprise le jeudi 2 septembre."
)
SUMMER_TO_COME = (
    "Pas de restauration scolaire pendant les vacances d'été, après le vendredi 2 juillet ; "
    "reprise le jeudi 2 septembre."
)
NONE_OPEN = (
    "Aucun jour jusqu'au jeudi 2 septembre inclus ne peut plus être changé, et le calendrier "
    "scolaire après cette date n'est pas encore connu."
)
NOT_KNOWN = "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu."
ACTION_MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
CHILD_MENU = "Pour Hugo, tapez 1."


def _call(rt: Runtime, client: FlaskClient, at: datetime) -> Caller:
    rt.clock.frozen = at
    return identified_three_children(rt, client, PHONE)


@pytest.mark.parametrize(
    "said",
    ["c'est quand la rentrée ?", "quand est-ce que la cantine reprend ?",
     "la cantine reprend quand ?"],
)  # fmt: skip
def test_when_school_starts_again_is_answered_in_august_then_the_menu_again(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    call = _call(rt, client, MON_23_AUG)
    call.press("3")
    answer = call.say(said)
    # It was "Pour Zoé, le jeudi 2 septembre : Pour réserver, tapez 1…", a day whose deadline
    # passed on 1 July (or the date question, for "reprend").
    assert answer.says[0] == SUMMER_UNDER_WAY
    assert ACTION_MENU in answer.text
    assert events(rt, call)[-1].outcome == "holidays_asked"


def test_when_school_starts_again_is_answered_at_the_child_menu(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call(rt, client, MON_23_AUG)
    answer = call.say("c'est quand la rentrée ?")
    assert answer.says[0] == SUMMER_UNDER_WAY
    assert CHILD_MENU in answer.text


def test_the_rentree_in_may_is_septembers_not_the_day_after_the_bridge(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call(rt, client, MON_3_MAY)
    call.press("2")
    # It was "Pour Léa, le lundi 10 mai : …", the day after the Ascension bridge.
    answer = call.say("c'est quand la rentrée ?")
    assert answer.says[0] == SUMMER_TO_COME
    assert ACTION_MENU in answer.text


def test_when_school_starts_again_during_christmas_is_januarys(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call(rt, client, datetime(2026, 12, 22, 9, 30, tzinfo=PARIS))
    call.press("2")
    answer = call.say("c'est quand la rentrée ?")
    assert answer.says[0] == (
        "Pas de restauration scolaire pendant les vacances de Noël ; reprise le lundi 4 janvier."
    )


@pytest.mark.parametrize("said", ["jusqu'à quand je peux annuler ?",
                                  "c'est jusqu'à quand pour annuler ?"])  # fmt: skip
def test_until_when_a_meal_can_be_cancelled_in_august_says_none_can_be(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    call = _call(rt, client, MON_23_AUG)
    call.press("2")
    answer = call.say(said)
    # It was "Sur cette ligne, dites les jours un par un, jusqu'à 5 …": read as a span.
    assert answer.says[0] == NONE_OPEN
    assert ACTION_MENU in answer.text
    assert "un par un" not in answer.text
    assert events(rt, call)[-1].outcome == "asked_day"


def test_until_the_summer_holidays_once_they_have_started_is_next_summer_not_known(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call(rt, client, MON_23_AUG)
    call.press("2")
    answer = call.say("annuler jusqu'aux vacances d'été")
    # It was "Le samedi 3 juillet, il n'y a pas de restauration scolaire…": the eve of these.
    assert answer.says[0] == NOT_KNOWN
    assert "juillet" not in answer.text
    assert "Pour quel jour voulez-vous annuler ?" in answer.text
