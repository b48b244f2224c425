"""Whole calls with phrases a parent naturally says that the line misunderstood: "annuler le
premier jour possible" (it was the first child), "après les vacances" (it was no day), "le lundi
euh le mardi et le jeudi" (Monday was dropped). Each day is read back before anything is done.

Family of three (Hugo, Léa, Zoé: keys 1, 2, 3), every meal booked by subscription, on Monday 23
November 2026 unless said otherwise.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, booked

PHONE = "+33612345678"


def _léa_only(rt: Runtime, client: FlaskClient, at: datetime) -> Caller:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E2", "Léa"),))
    rt.clock.frozen = at
    caller = Caller(client, rt.settings, PHONE)
    caller.start()
    caller.press("1234")
    return caller


def test_the_first_day_possible_before_the_child_is_the_childs(rt: Runtime, call: Caller) -> None:
    # "le premier" was the first child (Zoé), and the date question came for her.
    asked = call.say("annuler le premier jour possible")
    assert asked.says[0] == "Pour quel enfant ?"
    read_back = call.press("2")  # Léa
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    call.press("1")
    assert booked(rt, "E2", date(2026, 11, 26)) is False
    assert booked(rt, "E1", date(2026, 11, 26)) is None


@pytest.mark.parametrize(
    "said",
    [
        "annuler dès que possible pour Léa",
        "annuler le prochain jour possible pour Léa",
        "annuler pour Léa au plus vite",
    ],
)
def test_the_first_day_possible_with_the_child_is_read_back(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It was the date question ("le premier repas que vous pouvez encore annuler…").
    read_back = call.say(said)
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    call.press("1")
    assert booked(rt, "E2", date(2026, 11, 26)) is False


def test_the_first_day_possible_at_the_action_question(rt: Runtime, call: Caller) -> None:
    call.press("2")  # Léa
    read_back = call.say("annuler le premier jour possible")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    call.say("non")
    assert booked(rt, "E2", date(2026, 11, 26)) is None  # read back, not acted on


def test_the_first_day_possible_at_the_date_question(call: Caller) -> None:
    call.keys("2", "2")
    # "dès que possible" was "je n'ai pas compris cette date".
    assert call.say("dès que possible").says[0] == (
        "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    )


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("annuler après les vacances", "lundi 4 janvier"),
        ("annuler le lundi après les vacances", "lundi 4 janvier"),
        ("annuler le mardi après les vacances de Noël", "mardi 5 janvier"),
    ],
)
def test_after_the_holidays_is_the_day_school_starts_again(
    rt: Runtime, client: FlaskClient, said: str, day: str
) -> None:
    call = _léa_only(rt, client, datetime(2026, 12, 15, 9, 30, tzinfo=PARIS))
    # It was the date question, as if no day was said.
    read_back = call.say(said)
    assert read_back.says[0] == f"Vous souhaitez annuler le repas de Léa le {day}."
    call.press("1")
    assert booked(rt, "E2", date(2027, 1, 4 if "lundi" in day else 5)) is False


def test_after_holidays_the_calendar_does_not_know_yet_is_said(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _léa_only(rt, client, datetime(2027, 6, 15, 9, 30, tzinfo=PARIS))
    # Christmas 2027 is past the school calendar in use: it was the date question, unsaid why.
    answer = call.say("annuler après les vacances de Noël")
    assert answer.says[:2] == [
        "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu.",
        "Pour quel jour voulez-vous annuler ?",
    ]
    again = call.say("après les vacances de Noël")  # at the date question: the same
    assert again.says[0] == answer.says[0]


def test_a_hesitation_in_a_list_keeps_every_day(rt: Runtime, call: Caller) -> None:
    call.press("2")  # Léa
    answer = call.say("annuler le lundi euh le mardi et le jeudi")
    # Monday was dropped: Tuesday was read back first.
    assert answer.says[:2] == [
        "Je prends ces 3 jours un par un : le lundi 30 novembre, puis le mardi 1er et le jeudi 3 "
        "décembre.",
        "Vous souhaitez annuler le repas de Léa le lundi 30 novembre.",
    ]
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Léa le mardi 1er décembre."
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Léa le jeudi 3 décembre."
    call.press("1")
    for day in (30, 1, 3):
        assert booked(rt, "E2", date(2026, 11 if day == 30 else 12, day)) is False


def test_a_correction_word_in_a_list_still_takes_the_day_back(rt: Runtime, call: Caller) -> None:
    call.press("2")
    answer = call.say("annuler lundi euh non mardi et jeudi")
    # Tuesday and Thursday of this week, Monday taken back (Tuesday 24 is too late).
    assert answer.says[0] == (
        "Je prends ces 2 jours un par un : le mardi 24 et le jeudi 26 novembre."
    )
    assert answer.says[1].startswith("Trop tard pour le mardi 24 novembre")
    assert answer.says[2] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
