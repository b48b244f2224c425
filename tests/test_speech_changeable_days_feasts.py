"""Which days can still be changed, asked without a day ("quels jours je peux annuler ?"), is
not which days a child eats ("quels jours il mange ?"); Easter and the Ascension bridge said
as times ("à Pâques", "le pont de l'Ascension") are school holidays. Pure functions, on Monday
23 November 2026 where a date is needed. The phone line's side is in
tests/ivr_speech/test_ivr_speech_changeable_days_feasts.py."""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.ivr.speech import (
    asks_about_holidays,
    asks_days_to_change,
    asks_which_days,
    holidays_said,
)

MON_23_NOV = date(2026, 11, 23)


@pytest.mark.parametrize(
    "text",
    [
        "quels jours je peux annuler ?",
        "Quels jours on peut encore réserver",
        "quel jour je peux encore annuler pour Rose ?",
        "quelles dates je peux modifier ?",
        "quels sont les jours où je peux annuler ?",
    ],
)
def test_which_days_can_be_changed_is_a_question_of_its_own(text: str) -> None:
    # "Quels jours je peux annuler ?" was which days the child eats (or not understood).
    assert asks_days_to_change(text)
    assert not asks_which_days(text)


@pytest.mark.parametrize(
    "text",
    ["quels jours il mange ?", "quels jours mange Margaux ?", "annuler jeudi", "je peux annuler jeudi ?",
     "quel jour ?", "jusqu'à quel jour je peux annuler pour la rentrée ?",
     "avant quel jour je peux réserver ?"],
)
def test_which_days_a_child_eats_and_requests_are_not_it(text: str) -> None:
    assert not asks_days_to_change(text)


def test_which_days_a_child_eats_keeps_its_meaning() -> None:
    # A guard: it already was (and must stay) the list of her meals.
    assert asks_which_days("quels jours il mange ?")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("il y a cantine à Pâques ?", "spring"),
        ("pour Pâques", "spring"),
        ("annuler pendant Pâques", "spring"),
        ("le pont de l'Ascension", "ascension"),
        ("et pour le pont de l'Ascension ?", "ascension"),
        ("annuler pendant le pont de l'Ascension", "ascension"),
    ],
)
def test_easter_and_the_ascension_bridge_are_holidays(text: str, kind: str) -> None:
    # They named no day ("je n'ai pas compris").
    assert holidays_said(text, MON_23_NOV) == kind


@pytest.mark.parametrize(
    "text",
    ["joyeuses Pâques", "annuler le lundi de Pâques", "annuler après le pont de l'Ascension",
     "les pâques"],
)
def test_other_easter_words_are_not_the_holidays(text: str) -> None:
    # Guards: Easter Monday is a public holiday, a wish is no day, "après" a day near them.
    assert holidays_said(text, MON_23_NOV) is None


def test_a_canteen_asked_at_easter_is_a_question_a_cancellation_is_not() -> None:
    assert asks_about_holidays("il y a cantine à Pâques ?", MON_23_NOV) == "spring"
    assert asks_about_holidays("et pour le pont de l'Ascension ?", MON_23_NOV) == "ascension"
    assert asks_about_holidays("annuler à Pâques", MON_23_NOV) is None
