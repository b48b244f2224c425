"""Whole calls where one phrase asks a cancellation and a booking ("il mange pas jeudi mais il
mange vendredi", "enlever jeudi et mettre vendredi"), and where, right after a cancellation,
the parent says the child eats after all ("ah non, finalement elle ira jeudi"). A tester heard
the second change dropped without a word, taken for a second cancellation, or read on the
wrong week: the child ate unbooked, or lost a meal.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026: Léa and Zoé eat
every canteen day by subscription, Hugo on Mondays and Thursdays.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from restomairie.clock import PARIS
from restomairie.models import Call
from restomairie.runtime import Runtime
from restomairie.staff.labels import EVENT_OUTCOMES
from tests.ivr_support import Caller, booked, events, one_by_one

THU, FRI, MON, TUE = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1)
ZOE, LEA, HUGO = "E1", "E2", "E3"
# Both requests named before the first read-back (it was "Je prends vos demandes une par une."
# alone: the parent confirmed Thursday not knowing Friday was heard as a cancellation too).
CANCEL_THU_BOOK_FRI = one_by_one("annuler le jeudi 26 novembre", "réserver le vendredi 27 novembre")

HUGO_WEEKDAYS = 0b0001001  # Mondays and Thursdays (see conftest.py)


@pytest.mark.parametrize(
    "said",
    [
        "il mange pas jeudi mais il mange vendredi",
        "Hugo il mange pas jeudi mais il mangera vendredi",
        "pas de cantine jeudi par contre il mange vendredi",
        "annuler jeudi et vendredi il mange",
        "enlever jeudi et mettre vendredi",
        "annuler jeudi il reprend vendredi",
        "supprimer jeudi remettre vendredi",
    ],
)
def test_a_cancellation_and_a_booking_in_one_phrase_are_both_read_back(
    rt: Runtime, call: Caller, said: str
) -> None:
    # Friday was never mentioned nor booked ("mais il mange vendredi"), cancelled as well
    # ("mettre", "il reprend": "nothing to cancel"), or "one thing at a time".
    call.press("1")  # Hugo
    first = call.say(said)
    assert first.says[:2] == [
        CANCEL_THU_BOOK_FRI,
        "Vous souhaitez annuler le repas d'Hugo le jeudi 26 novembre.",
    ]
    second = call.say("oui")
    assert second.says[:2] == [
        "C'est fait : le repas d'Hugo du jeudi 26 novembre est annulé.",
        "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre.",
    ]
    call.say("oui")
    assert booked(rt, HUGO, THU) is False
    assert booked(rt, HUGO, FRI) is True


def test_a_weekday_booked_in_place_of_another_is_of_its_week(rt: Runtime, call: Caller) -> None:
    # Tuesday was tomorrow's: "Trop tard pour le mardi 24 novembre", after Monday 30 was
    # cancelled.
    call.press("1")
    first = call.say("annuler lundi et réserver mardi à la place")
    assert first.says[:2] == [
        one_by_one("annuler le lundi 30 novembre", "réserver le mardi 1er décembre"),
        "Vous souhaitez annuler le repas d'Hugo le lundi 30 novembre.",
    ]
    second = call.say("oui")
    assert second.says[1] == "Vous souhaitez réserver le repas d'Hugo le mardi 1er décembre."
    call.say("oui")
    assert booked(rt, HUGO, MON) is False
    assert booked(rt, HUGO, TUE) is True


@pytest.mark.parametrize(
    "said",
    [
        "annuler aujourd'hui et réserver vendredi à la place",
        "annuler aujourd'hui et réserver vendredi plutôt",
    ],
)
def test_a_booking_instead_of_a_refused_cancellation_is_said_to_be_in_addition(
    rt: Runtime, call: Caller, said: str
) -> None:
    # Today too late, then at once Friday's read-back: a "oui" and the parent who asked
    # to move the meal had two charged.
    call.press("1")
    first = call.say(said)
    assert first.says[1].startswith("Trop tard pour le lundi 23 novembre")
    assert first.says[2:4] == [
        "Le repas du vendredi 27 novembre serait donc réservé en plus, pas à la place.",
        "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre.",
    ]
    call.say("non")
    assert booked(rt, HUGO, FRI) is None


def test_a_booking_after_a_refused_cancellation_without_instead_is_read_back_alone(
    call: Caller,
) -> None:
    # Named guard: two changes asked side by side are no swap.
    call.press("1")
    first = call.say("annuler aujourd'hui et réserver vendredi")
    assert first.says[2] == "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre."


def test_a_weekday_already_booked_in_the_second_request_is_said_of_its_week(
    rt: Runtime, call: Caller
) -> None:
    # It was "déjà réservé" about Tuesday 24.
    call.press("2")  # Léa
    call.say("annulez lundi mais réservez mardi")
    done = call.say("oui")
    assert done.says[:2] == [
        "C'est fait : le repas de Léa du lundi 30 novembre est annulé.",
        "Le repas de Léa du mardi 1er décembre est déjà réservé.",
    ]


@pytest.mark.parametrize(
    "said",
    [
        "ah non finalement elle ira jeudi",
        "non en fait elle va mieux elle ira à la cantine",
    ],
)
def test_a_child_who_eats_after_all_takes_the_cancellation_back(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It was Thursday's cancellation again ("rien à annuler"), or "Si c'est une erreur, dites :
    # je me suis trompé": Léa would have eaten unbooked.
    call.press("2")
    call.say("annuler jeudi")
    call.say("oui")
    assert booked(rt, LEA, THU) is False
    undo = call.say(said)
    assert undo.says[0] == (
        "Vous souhaitez que le repas de Léa du jeudi 26 novembre soit de nouveau réservé."
    )
    done = call.say("oui")
    assert done.says[0] == "Le repas de Léa du jeudi 26 novembre est de nouveau réservé."
    assert booked(rt, LEA, THU) is True


def test_a_child_who_eats_another_day_is_a_request_of_its_own(rt: Runtime, call: Caller) -> None:
    # Not an undoing: Thursday stays cancelled, Friday is asked (already booked).
    call.press("2")
    call.say("annuler jeudi")
    call.say("oui")
    answer = call.say("non finalement elle ira vendredi")
    assert "de nouveau réservé" not in " ".join(answer.says)
    assert booked(rt, LEA, THU) is False


# ---------------------------------------------------------------------------------------------
# The call ending at the second request, and "non attendez, annulez" after both
# ---------------------------------------------------------------------------------------------

THU_DONE_FRI_NOT = (
    "C'est fait : le repas d'Hugo du jeudi 26 novembre est annulé. Le repas d'Hugo du vendredi "
    "27 novembre n'a pas été réservé."
)
UNDO_BOTH = [
    "Vous souhaitez que le repas d'Hugo du jeudi 26 novembre soit de nouveau réservé.",
    "Et le repas d'Hugo du vendredi 27 novembre ne sera plus réservé.",
    "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2.",
]


def _both_read_back_one_by_one(rt: Runtime, call: Caller, confirm_friday: bool) -> None:
    call.press("1")  # Hugo
    call.say("il mange pas jeudi mais il mange vendredi")
    assert call.say("oui").says[1] == "Vous souhaitez réserver le repas d'Hugo le vendredi 27 novembre."
    if confirm_friday:
        call.say("oui")
        assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, True]


@pytest.mark.parametrize("ending", ["silence", "merci au revoir", "non merci"])
def test_a_call_ending_at_the_second_request_says_the_first_done_and_the_second_not(
    rt: Runtime, call: Caller, ending: str
) -> None:
    # It was "Rien n'a été changé pour le vendredi 27 novembre." alone: the parent who asked to
    # move the meal did not hear that Thursday was cancelled and Friday not booked (the
    # request of one phrase is said as a list of days is).
    _both_read_back_one_by_one(rt, call, confirm_friday=False)
    if ending == "silence":
        call.silence()
        call.silence()
        last = call.silence()
    elif ending == "merci au revoir":  # a plain goodbye is first told "pas encore fait", once
        assert call.say(ending).says[0] == "Ce n'est pas encore fait."
        last = call.say(ending)
    else:
        last = call.say(ending)
    assert last.hangup
    assert THU_DONE_FRI_NOT in last.says
    assert last.says.index(THU_DONE_FRI_NOT) == len(last.says) - 2  # then the goodbye
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, None]


def test_taking_back_after_both_requests_reads_back_and_undoes_both(
    rt: Runtime, call: Caller
) -> None:
    # It read back and undid Friday's booking alone: Thursday stayed cancelled, and the parent
    # who changed their mind about the move had Hugo's Thursday lost.
    _both_read_back_one_by_one(rt, call, confirm_friday=True)
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[:3] == UNDO_BOTH
    done = call.say("Oui.")
    assert done.says[:2] == [
        "Le repas d'Hugo du jeudi 26 novembre est de nouveau réservé.",
        "Le repas d'Hugo du vendredi 27 novembre n'est plus réservé.",
    ]
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [True, False]


@pytest.mark.parametrize("declined", ["non", "2"])
def test_declining_the_undoing_of_both_requests_leaves_both(
    rt: Runtime, call: Caller, declined: str
) -> None:
    # It said "Le repas d'Hugo du vendredi 27 novembre reste réservé." alone, of the one
    # undoing it offered.
    _both_read_back_one_by_one(rt, call, confirm_friday=True)
    call.say("Non attendez, annulez.")
    answer = call.say(declined) if declined.isalpha() else call.press(declined)
    assert answer.says[0] == "Aucun changement n'a été fait."
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, True]


def test_taking_back_the_taking_back_of_both_requests_makes_both_again(
    rt: Runtime, call: Caller
) -> None:
    _both_read_back_one_by_one(rt, call, confirm_friday=True)
    call.say("Non attendez, annulez.")
    call.say("Oui.")
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[:2] == [
        "Vous souhaitez que le repas d'Hugo du jeudi 26 novembre ne soit plus réservé.",
        "Et le repas d'Hugo du vendredi 27 novembre sera de nouveau réservé.",
    ]
    call.say("Oui.")
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, True]


def test_taking_back_a_request_of_its_own_after_both_undoes_it_alone(
    rt: Runtime, call: Caller
) -> None:
    # Named guard: another change after the two requests is no part of them.
    _both_read_back_one_by_one(rt, call, confirm_friday=True)
    call.say("annuler lundi")
    call.say("oui")
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[:2] == [
        "Vous souhaitez que le repas d'Hugo du lundi 30 novembre soit de nouveau réservé.",
        "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2.",
    ]


def _state(rt: Runtime, call: Caller, **changed: object) -> None:
    """The call's kept state with ``changed`` written over it, as the line before each change
    of several kept its own action left it (a call under way during a deploy)."""
    with rt.sessions() as session, session.begin():
        row = session.scalars(select(Call).where(Call.call_sid == call.call_sid)).one()
        row.state = {**row.state, **changed}


def test_a_list_of_days_done_before_the_deploy_is_still_taken_back_whole(
    rt: Runtime, call: Caller
) -> None:
    # Named guard (the older shape of the kept state, one action for all the days): the days
    # done before the deploy are taken back together after it.
    call.press("2")  # Léa
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    call.say("oui")
    call.say("oui")
    _state(rt, call, done_series=["cancel", [[THU.isoformat(), [LEA]], [FRI.isoformat(), [LEA]]]])
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[0] == (
        "Vous souhaitez que les repas de Léa des jeudi 26 novembre et vendredi 27 novembre soient "
        "de nouveau réservés."
    )
    _state(rt, call, undo_more=[[THU.isoformat(), [LEA]]])  # as the line before kept it
    call.say("oui")
    assert [booked(rt, LEA, THU), booked(rt, LEA, FRI)] == [True, True]


# ---------------------------------------------------------------------------------------------
# "Annulez" after both requests, one of them (or both) with nothing to do or refused
# ---------------------------------------------------------------------------------------------

UNDO_LEA_THU = [
    "Vous souhaitez que le repas de Léa du jeudi 26 novembre soit de nouveau réservé.",
    "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2.",
]


@pytest.mark.parametrize(
    "said", ["annulez", "annulez ça", "Non attendez, annulez.", "je me suis trompé"]
)
def test_taking_back_after_the_second_request_had_nothing_to_do_undoes_the_first(
    rt: Runtime, call: Caller, said: str
) -> None:
    # Friday already booked: "annulez" asked which day to cancel ("je me suis trompé" ended the
    # call), and Léa's Thursday stayed cancelled. The undoing read back names Thursday alone
    # (Friday, never changed, is not said to be undone).
    call.press("2")  # Léa
    call.say("annuler jeudi et réserver vendredi")
    done = call.say("oui")
    assert done.says[:2] == [
        "C'est fait : le repas de Léa du jeudi 26 novembre est annulé.",
        "Le repas de Léa du vendredi 27 novembre est déjà réservé.",
    ]
    read_back = call.say(said)
    assert read_back.says[:2] == UNDO_LEA_THU
    undone = call.say("oui")
    assert undone.says[0] == "Le repas de Léa du jeudi 26 novembre est de nouveau réservé."
    assert not any("vendredi" in line for line in undone.says)
    assert [booked(rt, LEA, THU), booked(rt, LEA, FRI)] == [True, None]  # Friday never changed


def test_taking_back_after_the_first_request_had_nothing_to_do_undoes_the_second(
    rt: Runtime, call: Caller
) -> None:
    # Named guard (the mirror case): Hugo has no meal on Friday, Tuesday 1st booked.
    call.press("1")  # Hugo
    call.say("annuler vendredi et réserver mardi 1er décembre")
    call.say("oui")
    assert [booked(rt, HUGO, FRI), booked(rt, HUGO, TUE)] == [None, True]
    read_back = call.say("annulez")
    assert read_back.says[:2] == [
        "Vous souhaitez que le repas d'Hugo du mardi 1er décembre ne soit plus réservé.",
        "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2.",
    ]
    call.say("oui")
    assert [booked(rt, HUGO, FRI), booked(rt, HUGO, TUE)] == [None, False]


@pytest.mark.parametrize("said", ["annulez", "je me suis trompé"])
def test_taking_back_after_both_requests_had_nothing_to_do_says_so(
    rt: Runtime, call: Caller, said: str
) -> None:
    # Hugo has no meal on Friday, and Thursday is already booked: nothing was changed, and
    # "annulez" asked which day to cancel ("je me suis trompé" ended the call).
    call.press("1")  # Hugo
    first = call.say("annuler vendredi et réserver jeudi")
    assert first.says[1:3] == [
        "Hugo n'a pas de repas réservé le vendredi 27 novembre : il n'y a rien à annuler.",
        "Le repas d'Hugo du jeudi 26 novembre est déjà réservé.",
    ]
    answer = call.say(said)
    assert not answer.hangup
    assert answer.says[:2] == [
        "Vos demandes n'ont rien changé : il n'y a rien à annuler.",
        "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2.",
    ]
    assert [booked(rt, HUGO, FRI), booked(rt, HUGO, THU)] == [None, None]  # never changed
    assert events(rt, call)[-1].outcome == "nothing_to_undo"  # labelled on the staff pages
    assert "nothing_to_undo" in EVENT_OUTCOMES
    # Said once: "annulez" again is a cancellation, its day asked.
    assert call.say("annulez").says[0] == "Pour quel jour voulez-vous annuler ?"


def test_taking_back_after_the_second_request_was_refused_undoes_the_first(
    rt: Runtime, call: Caller
) -> None:
    # Tuesday 24 too late: at the date question after it, "annulez" asked which day to cancel,
    # and Hugo's Thursday stayed cancelled.
    call.press("1")  # Hugo
    call.say("annuler jeudi et réserver mardi 24 novembre")
    done = call.say("oui")
    assert done.says[0] == "C'est fait : le repas d'Hugo du jeudi 26 novembre est annulé."
    assert done.says[1].startswith("Trop tard pour le mardi 24 novembre")
    read_back = call.say("annulez")
    assert read_back.says[:2] == [
        "Vous souhaitez que le repas d'Hugo du jeudi 26 novembre soit de nouveau réservé.",
        "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2.",
    ]
    call.say("oui")
    assert booked(rt, HUGO, THU) is True


def test_taking_back_after_the_first_request_was_refused_undoes_the_second(
    rt: Runtime, call: Caller
) -> None:
    # Named guard (the mirror case): today too late, Friday booked; Monday stays as it was.
    call.press("1")  # Hugo
    call.say("annuler aujourd'hui et réserver vendredi")
    call.say("oui")
    read_back = call.say("annulez")
    assert read_back.says[:2] == [
        "Vous souhaitez que le repas d'Hugo du vendredi 27 novembre ne soit plus réservé.",
        "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2.",
    ]
    call.say("oui")
    assert booked(rt, HUGO, FRI) is False


def test_a_day_said_instead_after_the_second_request_was_refused_is_that_request_again(
    rt: Runtime, call: Caller
) -> None:
    # Named guard: "je voulais dire mardi 1er" to the date question after Tuesday 24 refused is
    # Tuesday's booking said again, not Thursday's cancellation taken back with it.
    call.press("1")  # Hugo
    call.say("annuler jeudi et réserver mardi 24 novembre")
    call.say("oui")
    read_back = call.say("je me suis trompé, je voulais dire mardi 1er décembre")
    assert read_back.says[:2] == [
        "Vous souhaitez réserver le repas d'Hugo le mardi 1er décembre.",
        "Pour confirmer, tapez 1. Pour choisir une autre date, tapez 2.",
    ]
    call.say("oui")
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, TUE)] == [False, True]


# ---------------------------------------------------------------------------------------------
# Taking both back once a deadline has passed (Thursday 26's is today at 13:00)
# ---------------------------------------------------------------------------------------------

UNDO_KEYS = "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2."
AFTER = "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2."
THU_TOO_LATE = "Trop tard pour le jeudi 26 novembre : il fallait réserver aujourd'hui avant 13 heures."
HUGO_THU_STAYS = "Le repas d'Hugo du jeudi 26 novembre reste annulé."
ONLY_FRI = "Vous pouvez encore reprendre seulement le changement du vendredi 27 novembre."
UNDO_HUGO_FRI = "Vous souhaitez que le repas d'Hugo du vendredi 27 novembre ne soit plus réservé."
UNDO_HUGO_BOTH = [
    "Vous souhaitez que le repas d'Hugo du jeudi 26 novembre soit de nouveau réservé.",
    "Et le repas d'Hugo du vendredi 27 novembre ne sera plus réservé.",
]


def _at(rt: Runtime, hour: int, minute: int, second: int = 0) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, hour, minute, second, tzinfo=PARIS)


def _cancel_thu_book_fri_at_12_59(rt: Runtime, call: Caller, said: str) -> None:
    _at(rt, 12, 59)
    call.press("1")  # Hugo
    call.say(said)
    call.say("oui")
    call.say("oui")
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, True]


@pytest.mark.parametrize(
    "said", ["annuler jeudi et réserver vendredi", "réserver vendredi et annuler jeudi"]
)
def test_taking_both_back_past_the_first_deadline_says_so_then_reads_back_the_other(
    rt: Runtime, call: Caller, said: str
) -> None:
    # The read-back said Thursday would be booked again (past its deadline), and "oui" then
    # took back Friday alone: Hugo had no meal on either day. With Thursday last ("réserver
    # vendredi et annuler jeudi"), Friday was not even offered.
    _cancel_thu_book_fri_at_12_59(rt, call, said)
    _at(rt, 13, 0, 5)
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[0].startswith(THU_TOO_LATE)
    assert read_back.says[1:5] == [HUGO_THU_STAYS, ONLY_FRI, UNDO_HUGO_FRI, UNDO_KEYS]
    assert not any("de nouveau" in line for line in read_back.says)
    done = call.say("oui")
    assert done.says[:2] == ["Le repas d'Hugo du vendredi 27 novembre n'est plus réservé.", AFTER]
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, False]


def test_no_to_taking_back_the_other_alone_keeps_both(rt: Runtime, call: Caller) -> None:
    # Named guard: the parent who wanted the pair kept together says "non": nothing changes.
    _cancel_thu_book_fri_at_12_59(rt, call, "annuler jeudi et réserver vendredi")
    _at(rt, 13, 0, 5)
    call.say("je me suis trompé")
    answer = call.say("non")
    assert answer.says[0].startswith("Aucun changement n'a été fait.")
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, True]


def test_a_deadline_passed_since_the_undoing_read_back_takes_back_nothing_unsaid(
    rt: Runtime, call: Caller
) -> None:
    # Both read back at 12:59:30; "oui" at 13:00:05 took Friday back and said Thursday too
    # late: not what the parent agreed to. Now Thursday's refusal, then Friday alone read back.
    _cancel_thu_book_fri_at_12_59(rt, call, "annuler jeudi et réserver vendredi")
    _at(rt, 12, 59, 30)
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[:2] == UNDO_HUGO_BOTH
    assert "moins d'une minute" in read_back.says[2]
    _at(rt, 13, 0, 5)
    again = call.say("oui")
    assert again.says[0].startswith(THU_TOO_LATE)
    assert again.says[1:5] == [HUGO_THU_STAYS, ONLY_FRI, UNDO_HUGO_FRI, UNDO_KEYS]
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, True]  # nothing yet
    done = call.press("1")
    assert done.says[0] == "Le repas d'Hugo du vendredi 27 novembre n'est plus réservé."
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [False, False]


def test_taking_both_back_in_time_still_reads_back_both(rt: Runtime, call: Caller) -> None:
    # Named guard: before 13:00 both are read back and both taken back, as before.
    _cancel_thu_book_fri_at_12_59(rt, call, "annuler jeudi et réserver vendredi")
    _at(rt, 12, 59, 30)
    assert call.say("Non attendez, annulez.").says[:2] == UNDO_HUGO_BOTH
    _at(rt, 12, 59, 40)
    call.say("oui")
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [True, False]
