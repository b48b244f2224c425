"""Whole calls where a parent asks what is booked, or to hear it, at the action menu or at the
date question (after "annuler" or "réserver"): "qu'est-ce qui est réservé jeudi ?",
"écouter mes réservations de la semaine prochaine", "quels jours mange Léa ?", "les repas
réservés". Each is answered and nothing is changed: one day's state, the listing of the days
said, or the listing of the next two weeks, then the menu after a listing. It was read back as
a change of that day (a "oui" made it), the week's days one by one to change, "dites les jours
un par un", or not understood.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026: Zoé and Léa eat
every canteen day by subscription; Hugo books day by day (nothing booked).
"""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, events

HUGO_WEEKDAYS = 0
LEA = "E2"
THU = date(2026, 11, 26)
NEXT_WEEK = [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4)]
LEA_THU = [
    "Le jeudi 26 novembre, Léa a un repas réservé.",
    "Ce jour peut encore être changé aujourd'hui avant 13 heures.",
]
LEA_NEXT_WEEK = (
    "Léa : un repas est réservé chaque jour de cantine, du lundi 30 novembre au vendredi 4 "
    "décembre."
)
LEA_TWO_WEEKS = (
    "Léa : un repas est réservé chaque jour de cantine, du lundi 23 novembre au vendredi 4 "
    "décembre."
)
AFTER_MENU = "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2."
ONE_BY_ONE = "Je prends ces 4 jours un par un"


def _nothing_changed(rt: Runtime) -> None:
    assert booked(rt, LEA, THU) is None
    assert all(booked(rt, LEA, day) is None for day in NEXT_WEEK)


# ---------------------------------------------------------------------------------------------
# 1. A span to hear: the listing of its days alone, not its days one by one to change
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("keys", [("2", "2"), ("2", "1"), ("2",)], ids=["cancel", "book", "menu"])
@pytest.mark.parametrize(
    "said",
    [
        "écouter mes réservations de la semaine prochaine",
        "qu'est-ce qui est réservé la semaine prochaine ?",
    ],
)
def test_a_span_to_hear_lists_its_days(
    rt: Runtime, call: Caller, keys: tuple[str, ...], said: str
) -> None:
    call.keys(*keys)  # Léa, then cancel or book (the date question), or the action menu
    answer = call.say(said)
    # At the date question it was "Je prends ces 4 jours un par un" and each day read back as
    # a change; at the menu, the two weeks.
    assert answer.says == [LEA_NEXT_WEEK, AFTER_MENU]
    assert events(rt, call)[-1].outcome == "listed"
    call.say("oui")
    _nothing_changed(rt)


def test_a_span_with_nothing_booked_says_so_for_its_days(rt: Runtime, call: Caller) -> None:
    call.keys("1", "2")  # Hugo, who books day by day, cancel
    answer = call.say("écouter la semaine prochaine")
    assert answer.says[0] == (
        "Hugo : aucun repas réservé le lundi 30 novembre, ainsi que le mardi 1er, le jeudi 3 "
        "et le vendredi 4 décembre."
    )
    assert ONE_BY_ONE not in answer.text


# ---------------------------------------------------------------------------------------------
# 2. One day asked: that day's state, never its read-back as a change
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("keys", [("2", "2"), ("2", "1"), ("2",)], ids=["cancel", "book", "menu"])
@pytest.mark.parametrize("said", ["qu'est-ce qui est réservé jeudi", "qu'est-ce qui est réservé jeudi ?"])
def test_what_is_booked_on_a_day_is_answered(
    rt: Runtime, call: Caller, keys: tuple[str, ...], said: str
) -> None:
    call.keys(*keys)
    answer = call.say(said)
    # At the date question it was "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    # (a "oui" cancelled it), or "… est déjà réservé."; at the menu, the two weeks.
    assert answer.says[:2] == LEA_THU
    assert not any(line.startswith("Vous souhaitez") for line in answer.says)
    assert events(rt, call)[-1].outcome == "asked_day"
    call.say("oui")
    _nothing_changed(rt)


@pytest.mark.parametrize("keys", [("2", "2"), ("2", "1"), ("2",)], ids=["cancel", "book", "menu"])
@pytest.mark.parametrize(
    "said",
    [
        "est-ce que Léa mange jeudi",
        "est-ce qu'il y a un repas jeudi",
        "qu'est-ce qui est prévu jeudi pour Léa ?",
    ],
)
def test_does_she_eat_on_a_day_is_still_answered(
    rt: Runtime, call: Caller, keys: tuple[str, ...], said: str
) -> None:
    """A guard (passes before the change too): "est-ce que … mange / un repas", "qu'est-ce qui
    est prévu" with a day were already answered as a question about that day."""
    call.keys(*keys)
    answer = call.say(said)
    assert answer.says[:2] == LEA_THU
    call.say("oui")
    _nothing_changed(rt)


# ---------------------------------------------------------------------------------------------
# 3. No day: the two weeks, as key 3
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "keys"),
    [
        ("quels jours mange Léa", ("2", "2")),
        ("quels jours mange Léa", ("2", "1")),
        *(
            (said, keys)
            for said in ("quels sont les repas réservés ?", "les repas réservés")
            for keys in (("2", "2"), ("2", "1"), ("2",))
        ),
    ],
)
def test_which_meals_are_booked_lists_the_two_weeks(
    rt: Runtime, call: Caller, keys: tuple[str, ...], said: str
) -> None:
    call.keys(*keys)
    answer = call.say(said)
    # "Quels jours mange Léa" at the date question turned it into booking, "dites les jours un
    # par un"; "(quels sont) les repas réservés" were not understood, at the menu either.
    assert answer.says == [LEA_TWO_WEEKS, AFTER_MENU]
    assert events(rt, call)[-1].outcome == "listed"
    # Then as after key 3: "1" another operation.
    assert "Pour annuler un repas, tapez 2." in call.press("1").text


def test_which_days_she_eats_at_the_menu_still_lists_them(rt: Runtime, call: Caller) -> None:
    """A guard (passes before the change too): at the action menu, "quels jours mange Léa" was
    already the listening of key 3."""
    call.press("2")
    assert call.say("quels jours mange Léa").says == [LEA_TWO_WEEKS, AFTER_MENU]


# ---------------------------------------------------------------------------------------------
# 4. Statements keep their meaning
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["réservé jeudi", "j'ai réservé jeudi"])
def test_a_booked_day_stated_is_still_a_booking(rt: Runtime, call: Caller, said: str) -> None:
    """A guard (passes before the change too): no question, the other action with its day."""
    call.keys("2", "2")
    assert call.say(said).says[0] == "Le repas de Léa du jeudi 26 novembre est déjà réservé."


@pytest.mark.parametrize(
    ("said", "first"),
    [
        ("annuler jeudi", "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."),
        ("jeudi", "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."),
        ("annuler la semaine prochaine", ONE_BY_ONE),
    ],
)
def test_a_change_said_is_still_read_back(
    rt: Runtime, call: Caller, said: str, first: str
) -> None:
    """A guard (passes before the change too): a day or a span said to cancel is read back."""
    call.keys("2", "2")
    assert call.say(said).says[0].startswith(first)


@pytest.mark.parametrize(
    "said",
    ["écouter du 19 au 27 décembre", "écouter du 21 au 25 décembre", "écouter le 24 et le 25 décembre"],
)
def test_a_span_in_the_holidays_says_them(rt: Runtime, call: Caller, said: str) -> None:
    call.keys("2", "2")
    answer = call.say(said)
    # It was "Je n'ai pas compris" or the days one by one: here the holidays, whole, once
    # (then "Léa : pas de restauration scolaire du samedi 19 décembre au dimanche 27
    # décembre." said it again).
    assert answer.says == [
        "Pas de restauration scolaire pendant les vacances de Noël, après le vendredi 18 "
        "décembre ; reprise le lundi 4 janvier.",
        AFTER_MENU,
    ]


@pytest.mark.parametrize(
    ("said", "heard"),
    [
        (
            "écouter du samedi 28 au dimanche 29 novembre",
            "Léa : pas de restauration scolaire le samedi 28 et le dimanche 29 novembre.",
        ),
        (
            "qu'est-ce qui est réservé samedi et dimanche",
            "Léa : pas de restauration scolaire le samedi 28 et le dimanche 29 novembre.",
        ),
        (
            "écouter le 28 et le 2 décembre",
            "Léa : pas de restauration scolaire le samedi 28 novembre, puis le mercredi 2 "
            "décembre.",
        ),
    ],
)
def test_two_days_without_canteen_are_said_as_two_days(
    rt: Runtime, call: Caller, said: str, heard: str
) -> None:
    # It was "du samedi 28 novembre au dimanche 29 novembre": a span, the month twice, for a
    # pair of days, as the rest of the line no longer says them.
    call.keys("2", "2")
    answer = call.say(said)
    assert answer.says == [heard, AFTER_MENU]
    assert events(rt, call)[-1].outcome == "listed"
