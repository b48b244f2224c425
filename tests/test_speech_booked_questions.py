"""What is booked asked, or to be heard, rather than a change (:func:`asks_what_is_booked`):
questions ("qu'est-ce qui est réservé lundi ?", "quels jours mange Nathan ?"), what is booked
named alone ("les repas réservés"), a listening verb with days ("écouter mes réservations de la
semaine prochaine"). Statements and changes keep their meaning."""

from __future__ import annotations

import pytest

from restomairie.ivr.speech import asks_what_is_booked


@pytest.mark.parametrize(
    "text",
    [
        "qu'est-ce qui est réservé lundi",
        "Qu'est-ce qui est réservé la semaine prochaine ?",
        "qu'est-ce qui est prévu jeudi pour Rose",
        "est-ce que Nathan mange lundi",
        "est-ce qu'il y a un repas jeudi ?",
        "quels jours mange Nathan",
        "quels sont les repas réservés",
        "les repas réservés",
        "mes jours réservés",
        "écouter mes réservations de la semaine prochaine",
        "je veux écouter mes réservations",
        "je voudrais vérifier lundi",
        "écouter pour Rose",
    ],
)
def test_questions_and_listening_ask_what_is_booked(text: str) -> None:
    assert asks_what_is_booked(text)


@pytest.mark.parametrize(
    "text",
    [
        "réservé lundi",
        "j'ai réservé lundi",
        "annuler lundi",
        "annuler la semaine prochaine",
        "lundi",
        "Nathan mange lundi",
        "il ne mange pas lundi",
        "annuler ce qui est réservé lundi",
        "annuler les repas réservés",
        "écouter, annule lundi",
        "est-ce que je peux annuler lundi",
        "est-ce que je peux réserver lundi ?",
        "quels jours je peux annuler",
        "jusqu'à quand je peux annuler jeudi ?",
        "qu'est-ce qu'il mange lundi",
        "est-ce que c'est bon",
        "est-ce que j'ai bien annulé jeudi",
        "est-ce qu'il y a cantine jeudi",
    ],
)
def test_statements_changes_and_other_questions_do_not(text: str) -> None:
    assert not asks_what_is_booked(text)
