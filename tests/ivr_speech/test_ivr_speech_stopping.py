"""Whole calls where a parent stops a request at its read-back, or says a bare "annulez" that
could mean the meal or the request: "non, arrêtez", "stop" (the date question, or the end of
the call), "annulez" to a cancellation read back (never taken as a yes), "oui, les 5" to four
days read back one by one (a question about children in a request for one child), and
"annulez" right after a cancellation (its day asked; "non, je me suis trompé" there was "je
n'ai pas compris cette date").

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026: Zoé and Léa eat
every canteen day by subscription, Hugo books day by day (nothing booked).
"""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked

THU = date(2026, 11, 26)
MON, TUE, NEXT_THU, NEXT_FRI = (
    date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4)
)  # fmt: skip
ZOE, LEA, HUGO = "E1", "E2", "E3"
NOTHING = "Aucun changement n'a été fait."
MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
NOT_UNDERSTOOD = "Pardon, je n'ai pas compris."
GOODBYE = "Merci de votre appel. Au revoir."
CANCEL_LEA = "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
PLAINLY = (
    "Pour confirmer l'annulation, tapez 1 ou dites oui. Pour ne rien changer, dites : laissez "
    "tomber."
)
DATE_QUESTION = "Pour quel jour voulez-vous annuler ?"
RESTORE_LEA = "Vous souhaitez que le repas de Léa du jeudi 26 novembre soit de nouveau réservé."


# Hugo books day by day (nothing booked): see conftest.py.
HUGO_WEEKDAYS = 0


# ---------------------------------------------------------------------------------------------
# 1. "Non, arrêtez", "stop" at a read-back: the request dropped, the call going on
# ---------------------------------------------------------------------------------------------

STOPS = [
    "Non, arrêtez.",
    "Arrêtez.",
    "Stop.",
    "Non, stop, je ne veux rien changer.",
    "Arrêtez tout.",
    "Non non, stop !",
]


@pytest.mark.parametrize("said", STOPS)
def test_stop_at_a_cancellation_read_back_drops_it_and_goes_on(
    rt: Runtime, call: Caller, said: str
) -> None:
    assert call.say("Annuler Léa jeudi.").says[0] == CANCEL_LEA
    stopped = call.say(said)
    # It was the date question ("non, arrêtez"), "je n'ai pas compris" ("arrêtez") or the end
    # of the call ("stop").
    assert stopped.says[0] == NOTHING
    assert MENU in stopped.says
    assert not call.ended
    assert DATE_QUESTION not in stopped.says
    call.say("Oui.")
    assert booked(rt, LEA, THU) is None


@pytest.mark.parametrize("said", ["Stop.", "Non, arrêtez."])
def test_stop_at_a_booking_read_back_drops_it(rt: Runtime, call: Caller, said: str) -> None:
    call.say("Réserver Hugo jeudi.")
    stopped = call.say(said)
    assert stopped.says[0] == NOTHING
    assert MENU in stopped.says
    assert not call.ended
    call.say("Oui.")
    assert booked(rt, HUGO, THU) is None


@pytest.mark.parametrize(
    "said", ["Non, arrêtez.", "Stop.", "Non attendez, annulez.", "Retour au menu."]
)
def test_stop_at_one_of_the_days_of_a_week_drops_the_days_left(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Annuler toute la semaine prochaine pour Léa.")
    call.say("Oui.")  # Monday cancelled, Tuesday read back
    stopped = call.say(said)
    # It was "Rien n'a été changé pour le mardi 1er décembre." alone: Thursday and Friday
    # dropped unsaid, as if done. (Monday's "C'est fait" was just heard: not said again.)
    assert stopped.says[0] == (
        "Les repas de Léa des mardi 1er décembre, jeudi 3 décembre et vendredi 4 décembre "
        "n'ont pas été annulés."
    )
    assert MENU in stopped.says
    call.say("Oui.")
    assert booked(rt, LEA, MON) is False
    for day in (TUE, NEXT_THU, NEXT_FRI):
        assert booked(rt, LEA, day) is None


def test_stop_with_a_farewell_still_ends_the_call_with_nothing_done(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler Léa jeudi.")
    bye = call.say("Stop, au revoir.")
    assert bye.says == [NOTHING, GOODBYE]
    assert call.ended
    assert booked(rt, LEA, THU) is None


# ---------------------------------------------------------------------------------------------
# 2. "Annulez" to a cancellation read back: the meal, or the request? Asked plainly
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["Annulez.", "Annulez tout.", "Annulez-le."])
def test_a_bare_cancel_to_a_cancellation_read_back_is_asked_plainly(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Annuler Léa jeudi.")
    asked = call.say(said)
    # It was "Pardon, je n'ai pas compris." and the same read-back: the parent, who said what
    # they meant, heard neither what "oui" does nor how to drop the request.
    assert asked.says == [CANCEL_LEA, PLAINLY]
    assert asked.gather is not None
    assert booked(rt, LEA, THU) is None
    done = call.say("Oui.")
    assert done.says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    assert booked(rt, LEA, THU) is False


def test_never_mind_after_the_plain_question_changes_nothing(rt: Runtime, call: Caller) -> None:
    call.say("Annuler Léa jeudi.")
    call.say("Annulez.")
    dropped = call.say("Laissez tomber.")
    assert dropped.says[0] == NOTHING
    assert MENU in dropped.says
    call.say("Oui.")
    assert booked(rt, LEA, THU) is None


def test_a_bare_cancel_said_again_and_again_is_never_a_yes(rt: Runtime, call: Caller) -> None:
    call.say("Annuler Léa jeudi.")
    for _ in range(5):
        answer = call.say("Annulez.")
        if call.ended:
            break
    assert call.ended
    assert NOTHING in answer.says
    assert booked(rt, LEA, THU) is None


@pytest.mark.parametrize(
    "said", ["Non, annulez.", "Non, annulez tout.", "Attendez, annulez.", "Annulez la demande."]
)
def test_a_cancel_that_takes_back_a_cancellation_read_back_drops_it(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Annuler Léa jeudi.")
    dropped = call.say(said)
    # It was the date question ("non, annulez") or "je n'ai pas compris".
    assert dropped.says[0] == NOTHING
    assert MENU in dropped.says
    call.say("Oui.")
    assert booked(rt, LEA, THU) is None


def test_yes_cancel_to_a_cancellation_read_back_confirms_it(rt: Runtime, call: Caller) -> None:
    call.say("Annuler Léa jeudi.")
    done = call.say("Oui, annulez.")
    assert done.says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    assert booked(rt, LEA, THU) is False


# ---------------------------------------------------------------------------------------------
# 3. "Oui, les 5" to four days read back one by one: a yes for the day, not a child question
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["Oui, les 5.", "Oui pour les 5 jours.", "Oui, les cinq jours.", "Oui, les 2 jours."]
)
def test_yes_with_a_wrong_count_of_days_is_a_yes_for_the_day(
    rt: Runtime, call: Caller, said: str
) -> None:
    first = call.say("Annuler toute la semaine prochaine pour Léa.")
    assert first.says[0].startswith("Je prends ces 4 jours un par un")
    answer = call.say(said)
    # It was "Je n'ai pas compris de quel enfant vous parlez : dites son prénom", or "pour
    # plusieurs jours d'un coup, …" ("oui pour les 5 jours"), Monday read back again.
    assert answer.says[:2] == [
        "C'est fait : le repas de Léa du lundi 30 novembre est annulé.",
        "Vous souhaitez annuler le repas de Léa le mardi 1er décembre.",
    ]
    assert "enfant" not in answer.text
    assert booked(rt, LEA, MON) is False
    assert booked(rt, ZOE, MON) is None
    assert booked(rt, HUGO, MON) is None


@pytest.mark.parametrize("said", ["Les 5.", "Non, les 5."])
def test_a_wrong_count_of_days_without_a_yes_reads_the_day_back_again(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Annuler toute la semaine prochaine pour Léa.")
    answer = call.say(said)
    assert answer.says[:2] == [NOT_UNDERSTOOD, "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."]
    assert "enfant" not in answer.text
    assert booked(rt, LEA, MON) is None


# ---------------------------------------------------------------------------------------------
# 4. "Annulez" right after a cancellation: its day asked, where the cancellation may still be
# taken back
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["Non, je me suis trompé.", "Non attendez, annulez."])
def test_the_day_asked_after_a_bare_cancel_may_still_take_the_cancellation_back(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Annuler Léa jeudi.")
    call.say("Oui.")
    asked = call.say("Annulez.")
    assert DATE_QUESTION in asked.says  # another cancellation, maybe: its day
    undo = call.say(said)
    # It was "Je n'ai pas compris cette date.": the cancellation could no longer be undone.
    assert undo.says[0] == RESTORE_LEA
    call.say("Oui.")
    assert booked(rt, LEA, THU) is True


def test_a_day_said_after_a_bare_cancel_is_another_cancellation(rt: Runtime, call: Caller) -> None:
    call.say("Annuler Léa jeudi.")
    call.say("Oui.")
    call.say("Annulez.")
    read_back = call.say("Vendredi.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre."
    call.say("Oui.")
    assert booked(rt, LEA, THU) is False
    assert booked(rt, LEA, date(2026, 11, 27)) is False
