"""Questions, never requests: when a change can or must be made ("quand est-ce que je peux
annuler jeudi ?", "à quelle heure je dois annuler ?", "avant quand je dois annuler pour la
rentrée ?"), and whether there is a canteen during school holidays ("est-ce qu'il y a cantine
pendant les vacances de Noël ?", "il y a cantine à la Toussaint ?"). Pure functions, on Monday
23 November 2026 where a date is needed."""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.ivr import speech
from restomairie.ivr.speech import ReturnDays, holidays_said, return_day_said

MON_23_NOV = date(2026, 11, 23)


@pytest.mark.parametrize(
    "text",
    [
        # It read them back as cancellations: a "oui" cancelled a meal only asked about.
        "quand est-ce que je peux annuler jeudi",
        "quand est-ce que je peux annuler pour le 4 janvier",
        "quand est-ce que je peux annuler pour la rentrée",
        "Quand est-ce que je dois réserver pour jeudi ?",
        "à quelle heure je dois annuler jeudi ?",
        "il faut annuler quand pour lundi ?",
        "je dois annuler quand ?",
        "c'est quand qu'on doit annuler pour vendredi ?",
        "quand dois-je annuler pour vendredi ?",
        "avant quand je dois annuler pour la rentrée",
        "avant quel jour faut-il réserver pour la rentrée ?",
        "quel délai pour annuler jeudi ?",
    ],
)
def test_when_a_change_can_be_made_is_a_question_about_its_deadline(text: str) -> None:
    assert speech.asks_deadline(text)
    assert speech.asks_about_day(text)
    assert not speech.asks_which_days(text)


@pytest.mark.parametrize(
    "text",
    [
        "je peux annuler jeudi ?",  # a polite request, read back as one
        "est-ce que je peux annuler jeudi ?",
        "annuler jeudi quand même",
        "je voudrais annuler jeudi, elle est malade",
        "annuler tous les jeudis quand il y a piscine",  # "quand" opening a clause of its own
        "quand est-ce que Rose mange à la cantine ?",  # which days, not a deadline
    ],
)
def test_a_request_or_another_question_is_not_asking_when_to_change(text: str) -> None:
    assert not speech.asks_deadline(text)


def test_before_when_for_the_day_school_starts_again_is_that_day() -> None:
    # "Avant" there asks the question: it is not a day before the return (it got "pour quel
    # jour ?").
    for said in (
        "avant quand je dois annuler pour la rentrée",
        "jusqu'à quel jour je peux annuler pour la rentrée ?",
    ):
        assert return_day_said(said, MON_23_NOV) == ReturnDays("", (), 1), said
    assert return_day_said("avant la rentrée", MON_23_NOV) is None  # still a day near it


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("est-ce qu'il y a cantine à la Toussaint ?", "autumn"),
        ("pour Noël", "christmas"),
        ("pendant la Toussaint", "autumn"),
        # A wish or a greeting, not days asked for
        ("merci, bonnes vacances", None),
        ("merci, bonnes vacances de Noël", None),
        ("joyeux Noël", None),
        ("le jeudi avant Noël", None),
    ],
)
def test_holidays_said_by_their_feast(text: str, kind: str | None) -> None:
    assert holidays_said(text, MON_23_NOV) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # It was answered about the first day that can change, or not understood.
        ("est-ce qu'il y a cantine pendant les vacances de Noël", "christmas"),
        ("il y a cantine pendant les vacances de Noël ?", "christmas"),
        ("il y a cantine pendant les vacances de Noël", "christmas"),
        ("y a-t-il cantine pendant les vacances", ""),
        ("est-ce qu'il y a cantine pendant les vacances d'hiver", "winter"),
        ("est-ce qu'il y a cantine à la Toussaint", "autumn"),
        ("Léa mange pendant les vacances de Noël ?", "christmas"),
        ("est-ce que je peux annuler pendant les vacances ?", ""),
        ("pendant les vacances de Noël", "christmas"),  # named, no change asked
        # A change asked for the holidays: the date question says so (several_days)
        ("annuler pendant les vacances de Noël", None),
        ("réserver pour la Toussaint", None),
        ("merci, bonnes vacances", None),
        ("est-ce qu'il y a cantine jeudi ?", None),
    ],
)
def test_asks_about_holidays(text: str, kind: str | None) -> None:
    assert speech.asks_about_holidays(text, MON_23_NOV) == kind
