"""The deadline rule asked by speech ("c'est quoi le délai ?", "quels jours je dois annuler ?",
"avant quelle heure ?") is a question of its own, not a repeat asked ("quoi ?") nor a change.
Pure functions. The phone line's side is in tests/ivr_speech/test_ivr_speech_deadline_rule.py."""

from __future__ import annotations

import pytest

from restomairie.ivr.speech import asks_the_rule, asks_which_days


@pytest.mark.parametrize(
    "text",
    [
        "quels jours je dois annuler ?",
        "quel jour il faut réserver",
        "jusqu'à quand je peux annuler ?",
        "c'est quoi le délai ?",
        "C'est quoi le délai pour annuler",
        "quel est le délai ?",
        "le délai c'est combien ?",
        "avant quelle heure ?",
        "à quelle heure je dois annuler ?",
        "il faut annuler combien de jours avant ?",
        "combien de jours à l'avance il faut réserver ?",
        "c'est quoi la règle ?",
    ],
)
def test_the_rule_asked_is_a_question_of_its_own(text: str) -> None:
    # "C'est quoi le délai ?" was heard as "quoi ?" (the question again); "quels jours je dois
    # annuler ?" was not understood.
    assert asks_the_rule(text)


@pytest.mark.parametrize(
    "text",
    ["quoi ?", "annuler jeudi", "quels jours il mange ?", "je peux annuler jeudi ?",
     "réserver lundi et mardi", "quels jours je peux annuler ?", "pardon, quoi ?"],
)  # fmt: skip
def test_requests_repeats_and_meals_asked_are_not_it(text: str) -> None:
    assert not asks_the_rule(text)


def test_which_days_must_be_cancelled_is_not_which_days_a_child_eats() -> None:
    assert not asks_which_days("quels jours je dois annuler ?")

