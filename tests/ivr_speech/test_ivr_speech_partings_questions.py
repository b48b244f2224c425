"""Whole calls where a parent says goodbye to a read-back, asks a question instead of giving
a date (until when a day can change, whether a meal is billed), or presses 3 after a result.

"Merci, au revoir" to a read-back first hears that nothing is done yet, with the read-back
again (the parent usually believes it done, and the one sentence that ended the call was easily
missed); a second goodbye ends the call, nothing changed. "Non merci", "stop", "tant pis" still
end it at once. A question at the date question is answered, never read back as a change.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026: Zoé and Léa eat
every canteen day by subscription.
"""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked

THU, FRI, MON = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)
LEA = "E2"
NOTHING = "Aucun changement n'a été fait."
NOT_YET = "Rien n'a encore été modifié."
GOODBYE = "Merci de votre appel. Au revoir."
CANCEL_LEA_THU = "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
CANCEL_LEA_FRI = "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre."
DATE_QUESTION = "Pour quel jour voulez-vous annuler ?"
AFTER_MENU = "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2."
BILLING = (
    "Un repas annulé à temps n'est pas facturé. Un repas réservé et non annulé à temps est "
    "facturé, sauf maladie signalée à l'école, sortie scolaire, grève ou fermeture."
)
FAREWELLS = [
    "Merci, au revoir.", "Merci au revoir", "Au revoir.", "Bonne journée.", "C'est tout, merci."
]


# ---------------------------------------------------------------------------------------------
# 1. A goodbye to a read-back: not done yet, asked once
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("said", FAREWELLS)
def test_a_farewell_at_a_read_back_first_hears_that_nothing_is_done(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")  # Léa
    call.say("Annuler jeudi.")
    again = call.say(said)
    assert again.says[:2] == [NOT_YET, CANCEL_LEA_THU]
    assert not call.ended
    bye = call.say(said)
    assert bye.says == [NOTHING, GOODBYE]
    assert call.ended
    assert booked(rt, LEA, THU) is None


def test_a_yes_after_the_farewell_asked_once_cancels(rt: Runtime, call: Caller) -> None:
    call.press("2")
    call.say("Annuler jeudi.")
    call.say("Merci, au revoir.")
    done = call.say("Oui.")
    assert done.says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    assert booked(rt, LEA, THU) is False


def test_a_farewell_after_thanks_ends_the_call(rt: Runtime, call: Caller) -> None:
    call.press("2")
    call.say("Annuler jeudi.")
    assert call.say("Merci.").says[0] == NOT_YET  # as before
    bye = call.say("Merci, au revoir.")  # told once already
    assert bye.says == [NOTHING, GOODBYE]
    assert booked(rt, LEA, THU) is None


def test_a_farewell_at_the_next_of_several_days_says_that_day_is_not_done(
    rt: Runtime, call: Caller
) -> None:
    call.press("2")
    call.say("Annuler jeudi et vendredi.")
    assert call.say("Oui.").says[1] == CANCEL_LEA_FRI
    again = call.say("Merci au revoir.")
    # Thursday is cancelled: "rien n'a encore été modifié" would unsay it
    assert again.says[:2] == ["Ce n'est pas encore fait.", CANCEL_LEA_FRI]
    bye = call.say("Au revoir.")
    assert bye.says == [
        "C'est fait : le repas de Léa du jeudi 26 novembre est annulé. Le repas de Léa du "
        "vendredi 27 novembre n'a pas été annulé.",
        GOODBYE,
    ]
    assert booked(rt, LEA, THU) is False
    assert booked(rt, LEA, FRI) is None


@pytest.mark.parametrize(
    "said", ["Non merci, au revoir.", "Stop, au revoir.", "Tant pis, au revoir.", "Ça ira, merci."]
)
def test_a_refusal_with_a_farewell_still_ends_the_call_at_once(
    rt: Runtime, call: Caller, said: str
) -> None:
    # Guard of the behaviour kept: a clear refusal is not asked again.
    call.press("2")
    call.say("Annuler jeudi.")
    bye = call.say(said)
    assert bye.says == [NOTHING, GOODBYE]
    assert call.ended
    assert booked(rt, LEA, THU) is None


# ---------------------------------------------------------------------------------------------
# 2. Questions at the date question, at a read-back, after a result
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    ["C'est jusqu'à quand qu'on peut annuler pour lundi ?", "Est-ce que Léa mange lundi ?"],
)
def test_a_question_about_a_day_at_the_date_question_is_answered(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")
    call.say("Annuler.")
    answer = call.say(said)
    assert answer.says[:2] == [
        "Le lundi 30 novembre, Léa a un repas réservé.",
        "Ce jour peut encore être changé avant le jeudi 26 novembre à 13 heures.",
    ]
    assert not any(line.startswith("Vous souhaitez") for line in answer.says)
    # The action asked for that day: "annuler" now reads back Monday's cancellation.
    read_back = call.say("Annuler.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    assert booked(rt, LEA, MON) is None


def test_billing_asked_at_the_date_question_is_answered(call: Caller) -> None:
    call.press("2")
    call.say("Annuler.")
    answer = call.say("Ça sera facturé ?")
    assert answer.says[:2] == [BILLING, DATE_QUESTION]


def test_billing_asked_after_a_result_is_answered(rt: Runtime, call: Caller) -> None:
    call.press("2")
    call.say("Annuler jeudi.")
    call.say("Oui.")
    answer = call.say("Ça sera facturé ?")
    assert answer.says == [BILLING, AFTER_MENU]
    assert not call.ended


def test_billing_asked_at_a_read_back_is_answered_and_nothing_done(
    rt: Runtime, call: Caller
) -> None:
    call.press("2")
    call.say("Annuler jeudi.")
    answer = call.say("Si j'annule, ça sera facturé ?")
    assert answer.says[:2] == [BILLING, CANCEL_LEA_THU]
    assert booked(rt, LEA, THU) is None
    assert call.say("Répétez.").says[0] == CANCEL_LEA_THU
    call.say("Oui.")
    assert booked(rt, LEA, THU) is False


@pytest.mark.parametrize(
    "said",
    ["C'est jusqu'à quand pour jeudi ?", "C'est trop tard pour jeudi ?", "Jusqu'à quand je peux "
     "annuler ?"],
)
def test_a_deadline_question_at_a_read_back_is_answered_then_read_back(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It was "Ce n'est pas encore fait." and the read-back: today's 13:00 deadline never said.
    call.press("2")
    call.say("Annuler jeudi.")
    answer = call.say(said)
    assert answer.says[:3] == [
        "Le jeudi 26 novembre, Léa a un repas réservé.",
        "Ce jour peut encore être changé aujourd'hui avant 13 heures.",
        CANCEL_LEA_THU,
    ]
    assert booked(rt, LEA, THU) is None
    assert call.say("Répétez.").says[0] == CANCEL_LEA_THU  # the read-back, not the answer
    call.say("Oui.")
    assert booked(rt, LEA, THU) is False


SERIES_KEYS = "Pour confirmer, tapez 1. Pour laisser ce jour tel quel et passer au suivant, tapez 2."
CANCEL_LEA_TUE = "Vous souhaitez annuler le repas de Léa le mardi 1er décembre."
TUE, NEXT_THU = date(2026, 12, 1), date(2026, 12, 3)


def test_a_deadline_question_in_a_series_keeps_the_day_read_back(
    rt: Runtime, call: Caller
) -> None:
    # The Thursday named was taken for a correction: Tuesday was dropped from the series (and
    # from the goodbye's summary), the question never answered.
    call.press("2")
    call.say("Annuler lundi mardi et jeudi prochain.")
    assert call.press("1").says[1] == CANCEL_LEA_TUE
    answer = call.say("C'est jusqu'à quand pour jeudi ?")
    assert answer.says[:4] == [
        "Le jeudi 3 décembre, Léa a un repas réservé.",
        "Ce jour peut encore être changé avant le lundi 30 novembre à 13 heures.",
        CANCEL_LEA_TUE,
        SERIES_KEYS,
    ]
    assert booked(rt, LEA, TUE) is None
    assert call.say("Oui.").says[1] == "Vous souhaitez annuler le repas de Léa le jeudi 3 décembre."
    call.say("Oui.")
    assert [booked(rt, LEA, d) for d in (MON, TUE, NEXT_THU)] == [False, False, False]


@pytest.mark.parametrize(
    ("said", "answered"),
    [("Ça sera facturé ?", BILLING), ("C'est bien annulé ?", "Ce n'est pas encore fait.")],
)
def test_a_question_in_a_series_repeats_the_read_back_alone(
    rt: Runtime, call: Caller, said: str, answered: str
) -> None:
    # Monday's result was said again before Tuesday's read-back ("c'est fait" right after
    # "pas encore fait"), even after "*".
    call.press("2")
    call.say("Annuler lundi mardi et jeudi prochain.")
    call.press("1")
    assert call.say(said).says[:3] == [answered, CANCEL_LEA_TUE, SERIES_KEYS]
    call.press("*")
    assert call.say(said).says[:3] == [answered, CANCEL_LEA_TUE, SERIES_KEYS]
    assert booked(rt, LEA, TUE) is None


def test_billing_at_the_first_of_two_requests_repeats_the_read_back_alone(
    call: Caller,
) -> None:
    # "Je prends vos demandes une par une." was said again before the read-back.
    call.press("2")
    first = call.say("Annuler jeudi et réserver vendredi pour Hugo.")
    assert first.says[0].startswith("Je prends vos 2 demandes une par une : ")
    answer = call.say("Ça sera facturé ?")
    assert answer.says[:2] == [BILLING, first.says[1]]


# ---------------------------------------------------------------------------------------------
# 3. Key 3 after a result: the meals booked, as "écouter" there
# ---------------------------------------------------------------------------------------------


def test_key_3_after_a_result_lists_the_meals(call: Caller) -> None:
    call.press("2")
    call.say("Annuler jeudi.")
    call.say("Oui.")
    listed = call.press("3")
    assert listed.says[0].startswith("Léa : des repas sont réservés le ")
    assert "Pas de repas le jeudi 26 novembre." in listed.says
    assert listed.says[-1] == AFTER_MENU
