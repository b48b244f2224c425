"""Whole calls where a parent says a word of error at the date question, asks about prices,
invoices or enrolment (which the line does not handle), or asks for a week for all children
at once. A tester heard each of these answered "je n'ai pas compris", an attempt lost, or a
booking read back for an enrolment request.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026, every canteen day
booked by subscription (see conftest.py).
"""

from __future__ import annotations

import pytest

from restomairie.runtime import Runtime
from restomairie.staff.labels import EVENT_OUTCOMES
from tests.ivr_support import Caller, events

MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
DATE_QUESTION = "Pour quel jour voulez-vous annuler ?"
NOT_A_DATE = "Je n'ai pas compris cette date."

MISTAKES = [
    "je me suis trompé",
    "non c'est pas ça",
    "je me suis trompée",
    "erreur",
]


# ---------------------------------------------------------------------------------------------
# 1. A word of error at the date question: back to the action menu, no attempt used
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("said", MISTAKES)
def test_a_word_of_error_at_the_date_question_goes_back_to_the_menu(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It was "Je n'ai pas compris cette date." and one of the 3 attempts used.
    call.press("2")  # Léa
    assert DATE_QUESTION in call.say("annuler").says
    answer = call.say(said)
    assert NOT_A_DATE not in answer.says
    assert answer.says[:2] == ["Pour Léa :", MENU]
    assert events(rt, call)[-1].outcome == "back"  # as the key 0 there: no failed attempt


def test_words_of_error_said_again_and_again_never_end_the_call(
    rt: Runtime, call: Caller
) -> None:
    call.press("2")
    for _ in range(rt.settings.phone.max_attempts + 1):
        call.say("annuler")
        answer = call.say("je me suis trompé")
        assert not answer.hangup
        assert MENU in answer.says


def test_retour_at_the_date_question_goes_back_to_the_menu(rt: Runtime, call: Caller) -> None:
    """Guard: "retour" already went back to the action menu; the words of error now do too."""
    call.press("2")
    call.say("annuler")
    assert call.say("retour").says[:2] == ["Pour Léa :", MENU]
    assert events(rt, call)[-1].outcome == "back"


@pytest.mark.parametrize("said", MISTAKES)
def test_a_word_of_error_at_the_read_back_asks_another_date(
    rt: Runtime, call: Caller, said: str
) -> None:
    """Guard: at the read-back, a word of error already meant 2 (another date); kept."""
    call.press("2")
    call.say("annuler")
    assert call.say("jeudi").says[0].startswith("Vous souhaitez annuler")
    answer = call.say(said)
    assert DATE_QUESTION in answer.says
    assert NOT_A_DATE not in answer.says


# ---------------------------------------------------------------------------------------------
# 2. Prices and invoices: the help desk, then the same question
# ---------------------------------------------------------------------------------------------

DESK = (
    "Pour les tarifs et les factures, appelez le Centre de traitement unique de la facturation "
    "au 03 80 74 51 51, du lundi au vendredi de 8 heures à 18 heures."
)
PRICES_AND_INVOICES = [
    "c'est combien un repas",
    "combien coûte la cantine",
    "le prix du repas",
    "ma facture",
    "une question sur ma facture",
]


@pytest.mark.parametrize("said", PRICES_AND_INVOICES)
def test_prices_and_invoices_at_the_action_menu_give_the_help_desk(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It was "je n'ai pas compris" (combien), the website (prix, tarif: no invoice there) or
    # the rule of what is charged (facture: not the parent's invoice).
    call.press("2")
    answer = call.say(said)
    assert answer.says[:3] == [DESK, "Pour Léa :", MENU]
    assert events(rt, call)[-1].outcome == "prices"
    assert "prices" in EVENT_OUTCOMES  # the call log names it for the staff


@pytest.mark.parametrize("said", ["c'est combien un repas", "une question sur ma facture"])
def test_prices_and_invoices_at_the_child_menu_and_date_question(
    rt: Runtime, call: Caller, said: str
) -> None:
    answer = call.say(said)
    assert answer.says[0] == DESK
    assert answer.says[1].startswith("Pour Hugo, tapez 1")
    call.press("2")
    call.say("annuler")
    answer = call.say(said)
    assert answer.says[:2] == [DESK, DATE_QUESTION]


def test_prices_said_again_and_again_never_end_the_call(rt: Runtime, call: Caller) -> None:
    call.press("2")
    for _ in range(rt.settings.phone.max_attempts + 1):
        answer = call.say("c'est combien un repas")
        assert not answer.hangup
        assert answer.says[0] == DESK



# ---------------------------------------------------------------------------------------------
# 3. "Toute la semaine prochaine pour tous": the week, for every child
# ---------------------------------------------------------------------------------------------

WEEK_NAMED = (
    "Je prends ces 4 jours un par un : le lundi 30 novembre, puis le mardi 1er, le jeudi 3 et le "
    "vendredi 4 décembre."
)


@pytest.mark.parametrize(
    "said",
    ["toute la semaine prochaine pour tous", "toute la semaine prochaine pour tous les enfants"],
)
def test_next_week_for_all_at_the_date_question(rt: Runtime, call: Caller, said: str) -> None:
    # It was "dites les jours un par un" (no span), Léa alone.
    call.press("2")  # Léa
    call.say("annuler")
    answer = call.say(said)
    assert answer.says[:2] == [
        WEEK_NAMED,
        "Vous souhaitez annuler les repas d'Hugo, Léa et Zoé le lundi 30 novembre.",
    ]


def test_days_for_another_child_at_the_date_question(rt: Runtime, call: Caller) -> None:
    # The children said with several days were not heard: Léa's meals were read back.
    call.press("2")  # Léa
    call.say("annuler")
    answer = call.say("jeudi et vendredi pour Zoé")
    assert "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre." in answer.says


def test_next_week_for_all_at_the_action_menu(rt: Runtime, call: Caller) -> None:
    call.press("2")
    answer = call.say("annuler toute la semaine prochaine pour tous")
    assert answer.says[:2] == [
        WEEK_NAMED,
        "Vous souhaitez annuler les repas d'Hugo, Léa et Zoé le lundi 30 novembre.",
    ]


# ---------------------------------------------------------------------------------------------
# 4. Enrolment: the help desk's, unless a day is said (then a booking, as before)
# ---------------------------------------------------------------------------------------------

ENROLMENT = (
    "Les inscriptions à la cantine ne se font pas sur cette ligne : appelez le Centre de "
    "traitement unique de la facturation au 03 80 74 51 51, du lundi au vendredi de 8 heures à "
    "18 heures."
)


@pytest.mark.parametrize(
    "said", ["je voudrais inscrire mon fils", "inscrire ma fille à la cantine"]
)
def test_enrolment_gives_the_help_desk(rt: Runtime, call: Caller, said: str) -> None:
    # It was read as a booking: "Pour quel jour voulez-vous réserver ?".
    call.press("2")
    answer = call.say(said)
    assert answer.says[:3] == [ENROLMENT, "Pour Léa :", MENU]
    assert events(rt, call)[-1].outcome == "enrolment"
    assert "enrolment" in EVENT_OUTCOMES


def test_enrolment_at_the_child_menu(rt: Runtime, call: Caller) -> None:
    answer = call.say("je voudrais inscrire mon fils")
    assert answer.says[0] == ENROLMENT
    assert answer.says[1].startswith("Pour Hugo, tapez 1")


def test_inscrire_with_a_day_stays_a_booking(rt: Runtime, call: Caller) -> None:
    """Guard: with a day, "inscrire" books that day's meal, as before."""
    call.press("1")  # Hugo, booked every canteen day: the booking finds it done
    answer = call.say("inscrire à la cantine jeudi")
    assert answer.says[0] == "Le repas d'Hugo du jeudi 26 novembre est déjà réservé."
