"""The deadline rule asked by speech ("c'est quoi le délai ?", "quels jours je dois annuler ?",
"avant quelle heure ?") is a question of its own, not a repeat asked ("quoi ?") nor a change;
"après Noël", "après les fêtes", "après le nouvel an" are the day school starts again after the
Christmas holidays. Pure functions, on Monday 14 December 2026 where a date is needed. The phone
line's side is in tests/ivr_speech/test_ivr_speech_deadline_rule.py."""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.ivr.speech import (
    ReturnDays,
    asks_the_rule,
    asks_which_days,
    parse_date,
    return_day_said,
)

MON_14_DEC = date(2026, 12, 14)


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


@pytest.mark.parametrize(
    ("text", "weekdays"),
    [
        ("annuler après Noël", ()),
        ("après les fêtes", ()),
        ("réserver après le nouvel an", ()),
        ("annuler après le jour de l'an", ()),
        ("après les fêtes de fin d'année", ()),
        ("le mardi après Noël", (1,)),
    ],
)
def test_after_the_feasts_is_the_day_school_starts_again_after_christmas(
    text: str, weekdays: tuple[int, ...]
) -> None:
    # It was nothing: no date, no return day ("Pour quel jour voulez-vous annuler ?").
    assert return_day_said(text, MON_14_DEC) == ReturnDays("christmas", weekdays, 1)
    assert parse_date(text, MON_14_DEC) is None


@pytest.mark.parametrize(
    "text", ["annuler à Noël", "annuler avant Noël", "annuler le 4 janvier après les fêtes"]
)
def test_at_or_before_the_feasts_is_not_it(text: str) -> None:
    assert return_day_said(text, MON_14_DEC) is None
