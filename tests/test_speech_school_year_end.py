"""When school starts again, asked as a question ("c'est quand la rentrée ?", "la cantine
reprend quand ?"): a question to answer from the calendar, not a day asked for a change. Pure
functions."""

from __future__ import annotations

import pytest

from restomairie.ivr.speech import ResumeAsked, asks_when_school_resumes


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("c'est quand la rentrée ?", ResumeAsked("", True)),
        ("C'est quand la rentrée", ResumeAsked("", True)),
        ("quelle date la rentrée ?", ResumeAsked("", True)),
        ("la rentrée de septembre c'est quand ?", ResumeAsked("summer", True)),
        ("quand est-ce que la cantine reprend ?", ResumeAsked("", False)),
        ("la cantine reprend quand ?", ResumeAsked("", False)),
        ("quand est-ce que l'école recommence ?", ResumeAsked("", False)),
        ("c'est quand la reprise après les vacances de Noël ?", ResumeAsked("christmas", False)),
        ("c'est quand la rentrée des vacances de février ?", ResumeAsked("winter", True)),
    ],
)
def test_when_school_starts_again_is_a_question(text: str, asked: ResumeAsked) -> None:
    assert asks_when_school_resumes(text) == asked


@pytest.mark.parametrize(
    "text",
    [
        "annuler à la rentrée",  # a change: the day school starts again
        "quand est-ce que je peux annuler pour la rentrée ?",  # that day's deadline
        "jusqu'à quand je peux annuler pour la rentrée ?",
        "quand est-ce que Rose mange à la rentrée ?",
        "annuler jeudi, il reprend vendredi",  # a child's meal
        "le lundi de la rentrée c'est quand ?",
        "la rentrée c'est le 2 septembre ?",  # a date said, not asked
        "c'est quand la veille de la rentrée ?",
        "c'est quand les vacances ?",
        "réserver pour la rentrée",
    ],
)
def test_a_change_or_another_question_is_not_asking_when_school_resumes(text: str) -> None:
    assert asks_when_school_resumes(text) is None
