"""Whole calls where one phrase asks different things of different children or days: what a
tester heard read back wider than what was asked, and a parent pressing 1 by habit would have
confirmed. The read-back must match what was said, one request at a time, or the line says it
takes one thing at a time; never a change left out without a word.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026: Léa and Zoé eat
every canteen day by subscription, Hugo books day by day (nothing booked).
"""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, events, one_by_one

THU, FRI, MON = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)
ZOE, LEA, HUGO = "E1", "E2", "E3"
AFTER = "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2."


# Hugo books day by day (nothing booked): see conftest.py.
HUGO_WEEKDAYS = 0


def _untouched(rt: Runtime, *meals: tuple[str, date]) -> None:
    for ref, day in meals:
        assert booked(rt, ref, day) is None, (ref, day)


# ---------------------------------------------------------------------------------------------
# 1. A day for each child
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        ((), "Annuler jeudi pour Zoé et lundi pour Léa."),
        ((), "Zoé jeudi et Léa lundi, annuler."),
        # The "et" dropped by speech-to-text: the same (was both children on both days)
        ((), "Zoé jeudi Léa lundi annuler"),
        ((), "annuler Zoé jeudi Léa lundi"),
        ((), "Zoé est malade jeudi et Léa lundi."),
        (("9",), "Annuler jeudi pour Zoé et lundi pour Léa."),  # all chosen, then the menu
        (("9", "2"), "Jeudi pour Zoé et lundi pour Léa."),  # at the date question
    ],
)
def test_a_day_for_each_child_is_read_back_for_that_child_alone(
    rt: Runtime, call: Caller, keys: tuple[str, ...], said: str
) -> None:
    # It was "Je prends ces jours un par un", then Léa's and Zoé's Thursday, then both Mondays.
    call.keys(*keys)
    first = call.say(said)
    assert first.says[:2] == [one_by_one("annuler le jeudi 26 novembre pour Zoé", "annuler le lundi 30 novembre pour Léa"), "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."]
    second = call.press("1")
    assert second.says[:2] == [
        "C'est fait : le repas de Zoé du jeudi 26 novembre est annulé.",
        "Vous souhaitez annuler le repas de Léa le lundi 30 novembre.",
    ]
    assert booked(rt, LEA, MON) is None  # read back, not done
    done = call.press("1")
    assert done.says[:2] == ["C'est fait : le repas de Léa du lundi 30 novembre est annulé.", AFTER]
    assert booked(rt, ZOE, THU) is False
    assert booked(rt, LEA, MON) is False
    _untouched(rt, (LEA, THU), (ZOE, MON))


def test_a_day_for_each_child_without_the_change_asks_it_for_both(
    rt: Runtime, call: Caller
) -> None:
    kept = call.say("Zoé jeudi et Léa lundi.")
    assert kept.says[:2] == [
        "Pour Zoé le jeudi 26 novembre et pour Léa le lundi 30 novembre :",
        "Pour réserver, tapez 1. Pour annuler, tapez 2.",
    ]
    first = call.press("2")
    assert first.says[:2] == [one_by_one("annuler le jeudi 26 novembre pour Zoé", "annuler le lundi 30 novembre pour Léa"), "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."]
    second = call.press("1")
    assert second.says[1] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    call.press("1")
    assert booked(rt, ZOE, THU) is False and booked(rt, LEA, MON) is False
    _untouched(rt, (LEA, THU), (ZOE, MON))


def test_days_for_one_child_and_another_day_for_the_other(rt: Runtime, call: Caller) -> None:
    first = call.say("Annuler jeudi et vendredi pour Zoé et lundi pour Léa.")
    assert first.says[1] == "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Zoé le vendredi 27 novembre."
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    call.press("1")
    assert [booked(rt, ZOE, d) for d in (THU, FRI)] == [False, False]
    assert booked(rt, LEA, MON) is False
    _untouched(rt, (LEA, THU), (LEA, FRI), (ZOE, MON))


def test_a_day_added_at_the_read_back_comes_before_the_other_child(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler jeudi pour Zoé et lundi pour Léa.")
    both = call.say("Oui, et vendredi aussi.")
    assert both.says[:2] == [
        "C'est fait : le repas de Zoé du jeudi 26 novembre est annulé.",
        "Vous souhaitez annuler le repas de Zoé le vendredi 27 novembre.",
    ]
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    call.press("1")
    assert [booked(rt, ZOE, d) for d in (THU, FRI)] == [False, False]
    assert booked(rt, LEA, MON) is False
    _untouched(rt, (LEA, FRI))


def test_a_request_refused_goes_on_to_the_next(rt: Runtime, call: Caller) -> None:
    first = call.say("Annuler aujourd'hui pour Zoé et jeudi pour Léa.")
    assert first.says[0] == one_by_one("annuler le lundi 23 novembre pour Zoé", "annuler le jeudi 26 novembre pour Léa")
    assert first.says[1].startswith("Trop tard pour le lundi 23 novembre")
    assert "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre." in first.says
    call.press("1")
    assert booked(rt, LEA, THU) is False
    _untouched(rt, (ZOE, THU))


def test_going_back_to_the_menu_leaves_the_other_requests(rt: Runtime, call: Caller) -> None:
    call.say("Annuler jeudi pour Zoé et lundi pour Léa.")
    menu = call.say("laissez tomber, retour au menu")
    assert menu.says[0] == "Aucun changement n'a été fait."
    call.say("annuler le 4 décembre")
    done = call.press("1")
    assert done.says == ["C'est fait : le repas de Zoé du vendredi 4 décembre est annulé.", AFTER]
    _untouched(rt, (ZOE, THU), (LEA, MON))


# ---------------------------------------------------------------------------------------------
# 2. A child said to stay as they are
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "Zoé mange pas jeudi mais Léa oui.",
        "Zoé ne mange pas jeudi, Léa si.",
        "Annuler jeudi pour Zoé, Léa elle mange.",
        "Annuler jeudi pour Zoé, pour Léa c'est bon.",
        "Annuler le repas de Zoé jeudi, sa sœur Léa reste à la cantine.",
        "Léa mange jeudi mais pas Zoé.",  # 4.: Zoé's was silently dropped, Léa's "déjà réservé"
        "Tout le monde mange jeudi sauf Zoé.",
    ],
)
@pytest.mark.parametrize("keys", [(), ("9",)])
def test_a_child_said_to_eat_is_left_out_of_the_cancellation(
    rt: Runtime, call: Caller, said: str, keys: tuple[str, ...]
) -> None:
    call.keys(*keys)
    read_back = call.say(said)
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."
    done = call.press("1")
    assert done.says == ["C'est fait : le repas de Zoé du jeudi 26 novembre est annulé.", AFTER]
    assert booked(rt, ZOE, THU) is False
    _untouched(rt, (LEA, THU), (HUGO, THU))


@pytest.mark.parametrize(
    "said",
    [
        "Réserver jeudi pour Hugo, Léa elle mange pas.",
        "Réserver jeudi pour Hugo mais Léa sera absente.",
    ],
)
def test_a_child_said_not_to_eat_is_left_out_of_the_booking(
    rt: Runtime, call: Caller, said: str
) -> None:
    read_back = call.say(said)
    assert read_back.says[0] == "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre."
    call.press("1")
    assert booked(rt, HUGO, THU) is True
    _untouched(rt, (LEA, THU))


def test_a_meal_said_booked_is_how_it_is_not_a_second_change(rt: Runtime, call: Caller) -> None:
    read_back = call.say("Le repas de Zoé est réservé jeudi mais Léa ne viendra pas.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_cancelling_the_booking_of_a_day_is_one_change(rt: Runtime, call: Caller) -> None:
    call.press("2")  # Léa
    read_back = call.say("Annuler la réservation de jeudi.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_a_child_said_to_stay_at_the_date_question_is_left_out(rt: Runtime, call: Caller) -> None:
    call.keys("9", "2")  # everyone, cancel
    read_back = call.say("Jeudi pour Zoé, Léa elle mange.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."


# ---------------------------------------------------------------------------------------------
# 3. A day said to stay as it is
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "Annuler jeudi, vendredi c'est bon.",
        "Annuler jeudi mais vendredi elle mange normalement.",
        "Jeudi elle mange pas, vendredi elle mange.",
        "Annuler jeudi, vendredi elle reste à la cantine.",
    ],
)
def test_a_day_said_to_stay_is_not_queued(rt: Runtime, call: Caller, said: str) -> None:
    call.press("2")  # Léa
    read_back = call.say(said)
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    done = call.press("1")
    assert done.says == ["C'est fait : le repas de Léa du jeudi 26 novembre est annulé.", AFTER]
    assert booked(rt, LEA, THU) is False
    _untouched(rt, (LEA, FRI))


def test_a_day_said_to_eat_at_the_date_question_keeps_the_cancellation(
    rt: Runtime, call: Caller
) -> None:
    # "elle mange" used to switch the call to a booking of both days
    call.keys("2", "2")  # Léa, cancel
    read_back = call.say("Jeudi, vendredi elle mange.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


# ---------------------------------------------------------------------------------------------
# 4. Two changes in one phrase
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("keys", [(), ("9",)])
def test_a_booking_and_a_cancellation_are_read_back_one_after_the_other(
    rt: Runtime, call: Caller, keys: tuple[str, ...]
) -> None:
    # It used to ask the action once for both children and both days.
    call.keys(*keys)
    first = call.say("Réserver pour Hugo jeudi et annuler pour Zoé vendredi.")
    assert first.says[:2] == [one_by_one("réserver le jeudi 26 novembre pour Hugo", "annuler le vendredi 27 novembre pour Zoé"), "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre."]
    second = call.press("1")
    assert second.says[:2] == [
        "C'est fait : le repas d'Hugo du jeudi 26 novembre est réservé.",
        "Vous souhaitez annuler le repas de Zoé le vendredi 27 novembre.",
    ]
    assert booked(rt, ZOE, FRI) is None
    done = call.press("1")
    assert done.says == ["C'est fait : le repas de Zoé du vendredi 27 novembre est annulé.", AFTER]
    assert booked(rt, HUGO, THU) is True
    assert booked(rt, ZOE, FRI) is False
    _untouched(rt, (ZOE, THU), (HUGO, FRI))


def test_two_changes_on_the_same_day(rt: Runtime, call: Caller) -> None:
    first = call.say("Réserver jeudi pour Hugo et annuler pour Zoé.")
    assert first.says[1] == "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre."
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."
    call.press("1")
    assert booked(rt, HUGO, THU) is True and booked(rt, ZOE, THU) is False


def test_a_request_already_so_goes_on_to_the_next(rt: Runtime, call: Caller) -> None:
    first = call.say("Réserver jeudi pour Léa et annuler vendredi pour Zoé.")
    assert first.says[:3] == [
        one_by_one("réserver le jeudi 26 novembre pour Léa", "annuler le vendredi 27 novembre pour Zoé"),
        "Le repas de Léa du jeudi 26 novembre est déjà réservé.",
        "Vous souhaitez annuler le repas de Zoé le vendredi 27 novembre.",
    ]


@pytest.mark.parametrize(
    "said",
    ["Réserver pour Hugo et annuler pour Zoé.", "Réserver et annuler jeudi pour Zoé."],
)
def test_changes_that_cannot_be_told_apart_are_asked_one_at_a_time(
    rt: Runtime, call: Caller, said: str
) -> None:
    again = call.say(said)
    assert again.says[0] == "Une opération à la fois, s'il vous plaît."
    assert again.says[1] == "Pour Hugo, tapez 1."  # the question again, nothing done
    assert events(rt, call)[-1].outcome == "one_at_a_time"
    assert call.say("Zoé").says[0] == "Pour Zoé :"  # not a failed attempt
    _untouched(rt, (HUGO, THU), (ZOE, THU))


def test_a_request_taken_back_by_the_next(rt: Runtime, call: Caller) -> None:
    read_back = call.say("Annuler jeudi pour Zoé, non, lundi pour Léa.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    assert not any("une par une" in line for line in read_back.says)


# ---------------------------------------------------------------------------------------------
# After a result: the same phrases
# ---------------------------------------------------------------------------------------------


def _one_change_made(rt: Runtime, call: Caller) -> None:
    call.press("2")  # Léa
    call.say("annuler le 4 décembre")
    call.press("1")
    assert booked(rt, LEA, date(2026, 12, 4)) is False


def test_two_changes_after_a_result(rt: Runtime, call: Caller) -> None:
    # It was "Hugo et Zoé n'ont pas de repas réservé le jeudi 26 novembre": both dropped.
    _one_change_made(rt, call)
    first = call.say("Réserver pour Hugo jeudi et annuler pour Zoé vendredi.")
    assert first.says[:2] == [one_by_one("réserver le jeudi 26 novembre pour Hugo", "annuler le vendredi 27 novembre pour Zoé"), "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre."]
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Zoé le vendredi 27 novembre."
    call.press("1")
    assert booked(rt, HUGO, THU) is True and booked(rt, ZOE, FRI) is False


def test_a_day_for_each_child_after_a_result_is_the_same_change(rt: Runtime, call: Caller) -> None:
    _one_change_made(rt, call)
    first = call.say("Et jeudi pour Zoé et lundi pour Léa.")
    assert first.says[:2] == [one_by_one("annuler le jeudi 26 novembre pour Zoé", "annuler le lundi 30 novembre pour Léa"), "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."]
    assert call.press("1").says[1] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."


@pytest.mark.parametrize(
    "said", ["Léa mange jeudi mais pas Zoé.", "Annuler jeudi pour Zoé, Léa elle mange."]
)
def test_a_child_said_to_eat_after_a_result_is_left_out(
    rt: Runtime, call: Caller, said: str
) -> None:
    _one_change_made(rt, call)
    read_back = call.say(said)
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre."


def test_a_week_said_after_the_children_is_said_of_every_day(rt: Runtime, call: Caller) -> None:
    # Hugo eats on no day. "la semaine prochaine" after "pour Zoé" was lost: Hugo's Tuesday was
    # tomorrow ("trop tard… facturé") and Zoé was booked on this Thursday.
    first = call.say("réserver mardi pour Hugo et jeudi pour Zoé de la semaine prochaine")
    assert first.says[:2] == [
        one_by_one("réserver le mardi 1er décembre pour Hugo", "réserver le jeudi 3 décembre pour Zoé"),
        "Vous souhaitez réserver le repas d'Hugo le mardi 1er décembre.",
    ]
    second = call.press("1")
    assert second.says[1] == "Le repas de Zoé du jeudi 3 décembre est déjà réservé."
    assert booked(rt, HUGO, date(2026, 12, 1)) is True
    _untouched(rt, (HUGO, date(2026, 11, 24)), (ZOE, THU))


def test_a_day_denied_after_a_statement_of_who_eats_is_its_cancellation(
    rt: Runtime, call: Caller
) -> None:
    answer = call.say("Léa mange jeudi mais pas vendredi")
    # Both days were one booking: "déjà réservé" twice, and Friday never cancelled.
    assert answer.says[:3] == [
        one_by_one("réserver le jeudi 26 novembre", "annuler le vendredi 27 novembre"),
        "Le repas de Léa du jeudi 26 novembre est déjà réservé.",
        "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre.",
    ]
    call.press("1")
    assert booked(rt, LEA, FRI) is False
    _untouched(rt, (LEA, THU))


def test_a_day_denied_after_a_statement_books_the_other_for_a_child_without_it(
    rt: Runtime, call: Caller
) -> None:
    # Hugo books day by day: "il mange jeudi" is Thursday's booking; Friday has nothing.
    answer = call.say("Hugo mange jeudi mais pas vendredi")
    assert answer.says[:2] == [
        one_by_one("réserver le jeudi 26 novembre", "annuler le vendredi 27 novembre"),
        "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre.",
    ]


def test_a_day_said_instead_of_another_is_moved(rt: Runtime, call: Caller) -> None:
    # Léa eats every day: Monday was "déjà réservé" and Thursday kept, without a word.
    answer = call.say("Léa mange lundi au lieu de jeudi")
    assert answer.says[:3] == [
        one_by_one("réserver le lundi 30 novembre", "annuler le jeudi 26 novembre"),
        "Le repas de Léa du lundi 30 novembre est déjà réservé.",
        "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre.",
    ]
    call.press("1")
    assert booked(rt, LEA, THU) is False


def test_a_day_eaten_rather_than_another_is_moved(rt: Runtime, call: Caller) -> None:
    # "plutôt que" was Friday alone ("déjà réservé"), Thursday kept without a word.
    answer = call.say("Léa mange vendredi plutôt que jeudi")
    assert answer.says[:3] == [
        one_by_one("réserver le vendredi 27 novembre", "annuler le jeudi 26 novembre"),
        "Le repas de Léa du vendredi 27 novembre est déjà réservé.",
        "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre.",
    ]
    call.press("1")
    assert booked(rt, LEA, THU) is False
    _untouched(rt, (LEA, FRI))


def test_a_week_said_once_is_said_of_both_days_of_a_move(rt: Runtime, call: Caller) -> None:
    # Thursday was this week's: "oui" cancelled Thursday 26, and Thursday 3 stayed booked.
    answer = call.say("la semaine prochaine, Léa mange vendredi au lieu de jeudi")
    assert answer.says[:3] == [
        one_by_one("réserver le vendredi 4 décembre", "annuler le jeudi 3 décembre"),
        "Le repas de Léa du vendredi 4 décembre est déjà réservé.",
        "Vous souhaitez annuler le repas de Léa le jeudi 3 décembre.",
    ]
    call.press("1")
    assert booked(rt, LEA, date(2026, 12, 3)) is False
    _untouched(rt, (LEA, THU))


def test_a_statement_with_its_own_day_said_without_commas_is_not_a_second_day(
    rt: Runtime, call: Caller
) -> None:
    # "Je prends ces jours un par un", then Thursday and Friday both cancelled on "oui".
    answer = call.say("Léa ne mange pas jeudi elle mange vendredi")
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    call.press("1")
    assert booked(rt, LEA, THU) is False
    _untouched(rt, (LEA, FRI))


def test_a_day_eaten_in_place_of_a_day_cancelled_is_booked(rt: Runtime, call: Caller) -> None:
    # Hugo books day by day: Friday was dropped without a word ("a day that stays"), and he
    # would have eaten it unbooked.
    answer = call.say("Hugo ne mange pas jeudi il mangera vendredi à la place")
    assert answer.says[:3] == [
        one_by_one("annuler le jeudi 26 novembre", "réserver le vendredi 27 novembre"),
        "Hugo n'a pas de repas réservé le jeudi 26 novembre : il n'y a rien à annuler.",
        "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre.",
    ]
    call.press("1")
    assert booked(rt, HUGO, FRI) is True


def test_a_day_eaten_in_place_is_read_back_after_the_cancellation(
    rt: Runtime, call: Caller
) -> None:
    answer = call.say("Léa ne mange pas jeudi, elle mangera vendredi à la place")
    assert answer.says[:2] == [
        one_by_one("annuler le jeudi 26 novembre", "réserver le vendredi 27 novembre"),
        "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre.",
    ]
    done = call.press("1")
    assert done.says[:2] == [
        "C'est fait : le repas de Léa du jeudi 26 novembre est annulé.",
        "Le repas de Léa du vendredi 27 novembre est déjà réservé.",
    ]
    assert booked(rt, LEA, THU) is False


def test_a_day_denied_in_a_clause_of_its_own_is_cancelled(rt: Runtime, call: Caller) -> None:
    answer = call.say("Léa mange vendredi pas jeudi")  # no comma, as speech often comes
    assert answer.says[:3] == [
        one_by_one("réserver le vendredi 27 novembre", "annuler le jeudi 26 novembre"),
        "Le repas de Léa du vendredi 27 novembre est déjà réservé.",
        "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre.",
    ]
    call.press("1")
    assert booked(rt, LEA, THU) is False


def test_a_day_after_but_in_a_denial_is_booked(rt: Runtime, call: Caller) -> None:
    # "Hugo ne mange pas lundi mais jeudi": Thursday was read back as a cancellation too.
    answer = call.say("Hugo ne mange pas lundi mais jeudi")
    assert answer.says[:3] == [
        one_by_one("annuler le lundi 30 novembre", "réserver le jeudi 26 novembre"),
        "Hugo n'a pas de repas réservé le lundi 30 novembre : il n'y a rien à annuler.",
        "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre.",
    ]
    call.press("1")
    assert booked(rt, HUGO, THU) is True


@pytest.mark.parametrize(
    "said",
    [
        "je voudrais annuler jeudi enfin non réserver pour Hugo",
        "je voudrais annuler jeudi, enfin non, réserver pour Hugo",
    ],
)
def test_a_change_taken_back_for_another_keeps_its_day(call: Caller, said: str) -> None:
    # It was "une opération à la fois": the caller had changed their mind, in one breath.
    assert call.say(said).says[0] == "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre."
