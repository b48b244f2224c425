"""Whole calls where a parent takes back what they just asked or just had done, or checks it:
"annulez" to a booking read back, "non attendez, annulez" right after a result, "oui pour
tous" to one of several days read back one by one, "c'est bien annulé ?" after a result. A
tester heard meals cancelled that nobody asked to cancel, other children added to a
cancellation, and a parent stuck at a menu after asking whether it was done.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) on Monday 23 November 2026: Zoé and Léa eat
every canteen day by subscription, Hugo books day by day (nothing booked).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, booked

PHONE = "+33612345678"
THU, FRI = date(2026, 11, 26), date(2026, 11, 27)
MON, TUE, NEXT_THU = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3)
ZOE, LEA, HUGO = "E1", "E2", "E3"
NOTHING = "Aucun changement n'a été fait."
AFTER = "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2."
MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
NOT_UNDERSTOOD = "Pardon, je n'ai pas compris."


# Hugo books day by day (nothing booked): see conftest.py.
HUGO_WEEKDAYS = 0


def _two_children(rt: Runtime, client: FlaskClient, zoe_weekdays: int) -> Caller:
    """A family of two (Zoé, Léa: refs E1, E2), Léa every canteen day, Zoé on
    ``zoe_weekdays``; at the child menu."""
    kids = (KidSpec(ZOE, "Zoé", weekdays=zoe_weekdays), KidSpec(LEA, "Léa"))
    make_family(rt, "210001", "1234", (PHONE,), kids)
    caller = Caller(client, rt.settings, PHONE)
    caller.start()
    caller.press("1234")
    return caller


# ---------------------------------------------------------------------------------------------
# 1. "Annulez" to a booking read back: this request dropped, not the meals cancelled
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    ["Annulez.", "Non, annulez tout.", "Annuler l'opération.", "Annulez la demande."],
)
def test_cancel_said_to_a_booking_read_back_drops_it(
    rt: Runtime, call: Caller, said: str
) -> None:
    read_back = call.say("Réserver pour Hugo et Zoé jeudi.")
    assert read_back.says[:2] == [
        "Le repas de Zoé du jeudi 26 novembre est déjà réservé.",
        "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre.",
    ]
    dropped = call.say(said)
    # It was "Hugo n'a pas de repas réservé… rien à annuler. Vous souhaitez annuler le repas de
    # Zoé le jeudi 26 novembre.", and "oui" cancelled Zoé's meal of her subscription.
    assert dropped.says[0] == NOTHING
    assert MENU in dropped.says
    assert "Vous souhaitez" not in dropped.text
    call.say("Oui.")
    assert booked(rt, ZOE, THU) is None
    assert booked(rt, HUGO, THU) is None


def test_cancel_said_to_one_of_the_days_of_a_week_drops_them_all(rt: Runtime, call: Caller) -> None:
    first = call.say("Réserver toute la semaine prochaine pour Hugo.")
    assert first.says[1] == "Vous souhaitez réserver le repas d'Hugo le lundi 30 novembre."
    dropped = call.say("Annulez.")
    assert dropped.says[0] == NOTHING
    assert "Vous souhaitez" not in dropped.text
    call.say("Oui.")
    call.say("Oui.")
    for day in (MON, TUE, NEXT_THU):
        assert booked(rt, HUGO, day) is None


@pytest.mark.parametrize("said", ["Non, je veux annuler le repas.", "Plutôt annuler."])
def test_a_cancellation_asked_in_so_many_words_is_read_back_after_nothing_done(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Réserver pour Hugo et Zoé jeudi.")
    switched = call.say(said)
    # The switch is read back after "nothing was changed": the booking just read back was not
    # made, and the cancellation now read back is the only change asked.
    assert switched.says[0] == NOTHING
    assert "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre." in switched.says
    assert booked(rt, ZOE, THU) is None


# ---------------------------------------------------------------------------------------------
# 2. "Non attendez, annulez" right after a result: undoing it, not a new cancellation
# ---------------------------------------------------------------------------------------------

UNDO_HUGO = "Vous souhaitez que le repas d'Hugo du jeudi 26 novembre ne soit plus réservé."


@pytest.mark.parametrize("said", ["Non attendez, annulez.", "Non non annulez !", "Annulez !"])
def test_a_bare_cancel_right_after_a_booking_undoes_it_alone(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Réserver Hugo et Zoé jeudi.")
    done = call.say("Oui.")
    assert done.says[0] == "C'est fait : le repas d'Hugo du jeudi 26 novembre est réservé."
    undo = call.say(said)
    # It was "Pour quel jour voulez-vous annuler ?", then Hugo's and Zoé's Thursday cancelled:
    # Zoé's meal of her subscription with the booking just made.
    assert undo.says[0] == UNDO_HUGO
    call.say("Oui.")
    assert booked(rt, HUGO, THU) is False
    assert booked(rt, ZOE, THU) is None


def test_a_bare_cancel_with_a_no_right_after_a_cancellation_undoes_it(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler Léa jeudi.")
    call.say("Oui.")
    assert booked(rt, LEA, THU) is False
    undo = call.say("Non attendez, annulez.")
    assert undo.says[0] == (
        "Vous souhaitez que le repas de Léa du jeudi 26 novembre soit de nouveau réservé."
    )
    call.say("Oui.")
    assert booked(rt, LEA, THU) is True


def test_a_cancel_with_a_day_and_a_child_after_a_booking_is_a_new_request(
    rt: Runtime, call: Caller
) -> None:
    call.say("Réserver Hugo jeudi.")
    call.say("Oui.")
    request = call.say("Annulez vendredi pour Léa.")
    assert request.says[0] == "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre."
    call.say("Oui.")
    assert booked(rt, LEA, FRI) is False
    assert booked(rt, HUGO, THU) is True


# ---------------------------------------------------------------------------------------------
# 3. "Oui pour tous", "oui, les deux" to one of several days read back one by one: the days
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["Oui pour tous.", "Oui, tous.", "Oui, pour tous les jours.", "Oui, les 4."]
)
def test_yes_for_all_to_a_week_read_back_day_by_day_is_for_its_days(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.say("Annuler toute la semaine prochaine pour Léa.")
    answer = call.say(said)
    # It was "annuler les repas d'Hugo, Léa et Zoé le lundi 30 novembre" ("tous": the
    # children), or "dites les jours un par un" ("pour tous les jours"); then Monday alone
    # done and Tuesday read back (see tests/ivr_speech/test_ivr_speech_all_days.py).
    assert answer.says[:2] == [
        "C'est fait : les repas de Léa des lundi 30 novembre, mardi 1er décembre, jeudi 3 "
        "décembre et vendredi 4 décembre sont annulés.",
        AFTER,
    ]
    assert booked(rt, LEA, MON) is False
    assert booked(rt, LEA, TUE) is False
    assert booked(rt, ZOE, MON) is None


def test_both_in_a_family_of_two_is_both_days_not_the_other_child(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _two_children(rt, client, zoe_weekdays=0b0011011)
    call.say("Annuler lundi et mardi prochain pour Zoé.")
    answer = call.say("Oui, les deux.")
    assert answer.says[:2] == [
        "C'est fait : les repas de Zoé des lundi 30 novembre et mardi 1er décembre sont annulés.",
        AFTER,
    ]
    assert booked(rt, ZOE, MON) is False
    assert booked(rt, ZOE, TUE) is False
    assert booked(rt, LEA, MON) is None
    assert booked(rt, LEA, TUE) is None


@pytest.mark.parametrize("said", ["Oui, les deux.", "Oui, les deux jours.", "Oui pour les deux jours."])
def test_both_to_the_second_day_when_the_first_had_nothing_is_a_yes(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    call = _two_children(rt, client, zoe_weekdays=0b0000010)  # Zoé eats on Tuesdays only
    read_back = call.say("Annuler lundi et mardi prochain pour Zoé.")
    assert "Vous souhaitez annuler le repas de Zoé le mardi 1er décembre." in read_back.says
    answer = call.say(said)
    # It was "annuler les repas de Léa et Zoé le mardi 1er décembre" (both children), or "dites
    # les jours un par un".
    assert answer.says[:2] == ["C'est fait : le repas de Zoé du mardi 1er décembre est annulé.", AFTER]
    assert booked(rt, ZOE, TUE) is False
    assert booked(rt, LEA, TUE) is None


# ---------------------------------------------------------------------------------------------
# 4. "C'est bien annulé ?" right after a result: yes, the result again, and on from there
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("asked", ["C'est bien annulé ?", "C'est bien annulé pour Léa jeudi ?"])
def test_is_it_cancelled_after_a_result_says_yes_and_leads_on(
    rt: Runtime, call: Caller, asked: str
) -> None:
    call.say("Annuler Léa jeudi.")
    call.say("Oui.")
    answer = call.say(asked)
    # It was the day's menu ("Pour réserver, tapez 1. Pour annuler, tapez 2."), where
    # "parfait", "oui", "très bien" were not understood, then the failure goodbye.
    assert answer.says[:3] == [
        "Oui.",
        "C'est fait : le repas de Léa du jeudi 26 novembre est annulé.",
        AFTER,
    ]
    on = call.say("Parfait.")
    assert NOT_UNDERSTOOD not in on.says
    assert MENU in on.says
    assert booked(rt, LEA, THU) is False


def test_is_it_booked_after_a_booking_says_yes_and_may_still_be_undone(
    rt: Runtime, call: Caller
) -> None:
    call.say("Réserver Hugo jeudi.")
    call.say("Oui.")
    answer = call.say("C'est bien réservé ?")
    assert answer.says[:2] == ["Oui.", "C'est fait : le repas d'Hugo du jeudi 26 novembre est réservé."]
    again = call.say("Répétez.")  # the result again, not "oui"
    assert again.says[0] == "C'est fait : le repas d'Hugo du jeudi 26 novembre est réservé."
    undo = call.say("Je me suis trompé.")
    assert undo.says[0] == UNDO_HUGO


# ---------------------------------------------------------------------------------------------
# "Je me suis trompé" right after a request that had nothing to do
# ---------------------------------------------------------------------------------------------

NOTHING_TO_UNDO = "Votre demande n'a rien changé : il n'y a rien à annuler."


@pytest.mark.parametrize(
    ("key", "asked", "nothing"),
    [
        ("1", "annuler jeudi", "Hugo n'a pas de repas réservé le jeudi 26 novembre"),
        ("2", "réserver jeudi", "Le repas de Léa du jeudi 26 novembre est déjà réservé."),
    ],
)
@pytest.mark.parametrize("said", ["Je me suis trompé.", "Oups, erreur.", "Annulez ça."])
def test_a_mistake_said_after_a_request_that_changed_nothing_says_so_and_leads_on(
    rt: Runtime, call: Caller, key: str, asked: str, nothing: str, said: str
) -> None:
    # "Je me suis trompé" after "il n'y a rien à annuler" ended the call ("Au revoir").
    call.press(key)
    assert call.say(asked).says[0].startswith(nothing)
    answer = call.say(said)
    assert not answer.hangup
    assert answer.says[:2] == [NOTHING_TO_UNDO, AFTER]
    assert [booked(rt, HUGO, THU), booked(rt, LEA, THU)] == [None, None]  # never changed
    assert call.press("1").says[-1].startswith("Vous pouvez aussi dire")  # the menu, as after


def test_a_bare_cancel_after_a_booking_that_changed_nothing_asks_its_day(call: Caller) -> None:
    # Named guard: "annulez" after "déjà réservé" stays the next cancellation, its day asked.
    call.press("2")  # Léa
    call.say("réserver jeudi")
    assert call.say("Annulez.").says[0] == "Pour quel jour voulez-vous annuler ?"


def test_a_mistake_of_child_after_a_request_that_changed_nothing_asks_which(
    call: Caller,
) -> None:
    # Named guard: "je me suis trompé d'enfant" is the child question, not "rien à annuler".
    call.press("1")  # Hugo
    call.say("annuler jeudi")
    answer = call.say("Je me suis trompé d'enfant.")
    assert NOTHING_TO_UNDO not in answer.says
    assert "Pour Hugo, tapez 1." in answer.says


def test_a_mistake_of_action_after_a_request_that_changed_nothing_is_that_action(
    call: Caller,
) -> None:
    # Named guard: "je me suis trompé, je voulais réserver" after "rien à annuler" names the
    # action wanted: not answered "rien à annuler" (nor the call ended).
    call.press("1")  # Hugo
    call.say("annuler jeudi")
    answer = call.say("Je me suis trompé, je voulais réserver.")
    assert NOTHING_TO_UNDO not in answer.says
    assert not answer.hangup


# ---------------------------------------------------------------------------------------------
# "Je me suis trompé" about a change whose day was locked since (before its deadline)
# ---------------------------------------------------------------------------------------------

HUGO_THU_STAYS_BOOKED = "Le repas d'Hugo du jeudi 26 novembre reste réservé."
THU_SENT_TO_KITCHEN = (
    "Le jeudi 26 novembre ne peut plus être changé : les repas de ce jour sont déjà transmis à "
    "la cuisine. Le repas sera facturé, sauf maladie signalée à l'école."
)


def _book_hugo_thursday_then_lock_it(rt: Runtime, call: Caller) -> None:
    """Hugo's Thursday booked at 10:00, then its counts locked by hand (``restomairie lock``
    run early, or a rule changed since): before its deadline (13:00), but locked."""
    call.say("Réserver Hugo jeudi.")
    call.say("Oui.")
    assert booked(rt, HUGO, THU) is True
    rt.locks.lock_day("anjou-elem", THU)


@pytest.mark.parametrize("said", ["Je me suis trompé.", "Non attendez, annulez."])
def test_taking_back_a_change_on_a_day_locked_since_says_it_stays(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It read back "… ne soit plus réservé", as if it could be, and only "oui" heard "trop
    # tard" from the booking engine. Now said at once, as for several changes taken back.
    _book_hugo_thursday_then_lock_it(rt, call)
    answer = call.say(said)
    # Not "trop tard … aujourd'hui avant 13 heures" at 10:00: the day is locked, not past.
    assert answer.says[0] == THU_SENT_TO_KITCHEN
    assert answer.says[1:3] == [HUGO_THU_STAYS_BOOKED, AFTER]
    assert "Vous souhaitez" not in answer.text
    assert booked(rt, HUGO, THU) is True


def test_taking_back_several_changes_one_locked_since_says_it_sent_to_the_kitchen(
    rt: Runtime, call: Caller
) -> None:
    # Thursday and Friday booked in one phrase at 10:00, Thursday locked by hand: its undoing
    # is refused as sent to the kitchen (its deadline, 13:00, is still ahead), Friday's is read
    # back.
    call.say("Réserver Hugo jeudi et vendredi.")
    call.say("Oui.")
    call.say("Oui.")
    assert [booked(rt, HUGO, THU), booked(rt, HUGO, FRI)] == [True, True]
    rt.locks.lock_day("anjou-elem", THU)
    answer = call.say("Non attendez, annulez.")
    assert answer.says[:2] == [THU_SENT_TO_KITCHEN, HUGO_THU_STAYS_BOOKED]
    assert "Trop tard" not in answer.text
    assert "vendredi 27 novembre" in answer.text


def test_asking_about_a_day_locked_before_its_deadline_says_it_is_sent_to_the_kitchen(
    rt: Runtime, call: Caller
) -> None:
    rt.locks.lock_day("anjou-elem", THU)
    answer = call.say("Est-ce que Zoé mange jeudi ?")
    assert (
        "Le jeudi 26 novembre ne peut plus être changé : les repas de ce jour sont déjà "
        "transmis à la cuisine." in answer.says
    )
    assert "trop tard" not in answer.text.lower()


def test_a_day_locked_during_the_undoing_read_back_is_refused_by_the_booking_engine(
    rt: Runtime, call: Caller
) -> None:
    # Named guard: locked between the read-back and "oui", the booking engine refuses it,
    # said as the line says a refusal, and the meal stays as it was.
    call.say("Réserver Hugo jeudi.")
    call.say("Oui.")
    assert call.say("Je me suis trompé.").says[0] == UNDO_HUGO
    rt.locks.lock_day("anjou-elem", THU)
    answer = call.say("Oui.")
    assert answer.says[0] == THU_SENT_TO_KITCHEN
    assert answer.says[1] == HUGO_THU_STAYS_BOOKED
    assert booked(rt, HUGO, THU) is True


# ---------------------------------------------------------------------------------------------
# The staff's call page when the undoing of several changes is refused at its "oui"
# ---------------------------------------------------------------------------------------------


def test_the_undoing_refused_at_its_yes_is_shown_at_that_step_and_not_paired_with_another(
    rt: Runtime, call: Caller
) -> None:
    # Two changes of one phrase on Thursday, both taken back at 12:59:30, "oui" at 13:00:05:
    # each refused. That step was logged "rien à changer", and the refusals were kept as
    # requests of the day, then paired with the next refusal of the call: the call page read
    # "Léa — 26/11 : réservation refusée" at Zoé's refusal, and Zoé's was not there.
    rt.clock.frozen = datetime(2026, 11, 23, 12, 58, tzinfo=PARIS)
    call.say("annuler jeudi pour Léa et réserver jeudi pour Hugo")
    call.say("oui")
    call.say("oui")
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 30, tzinfo=PARIS)
    assert call.say("Non attendez, annulez.").says[0] == (
        "Vous souhaitez que le repas de Léa du jeudi 26 novembre soit de nouveau réservé."
    )
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 5, tzinfo=PARIS)
    refused = call.say("oui")
    assert refused.says[0].startswith("Trop tard pour le jeudi 26 novembre")
    assert [booked(rt, LEA, THU), booked(rt, HUGO, THU)] == [False, True]
    call.press("1")
    assert call.say("annuler jeudi pour Zoé").says[0].startswith("Trop tard pour le jeudi")
    detail = StaffService(rt.booking).call_detail(call.call_sid)
    assert detail is not None
    steps = [(x.step, x.outcome) for x in detail.exchanges]
    assert steps[-4:] == [
        ("after", "read_back:undo"),
        ("confirm", "refused:undo"),  # "trop tard pour revenir sur le changement"
        ("after", "another"),
        ("action", "refused:past_deadline"),
    ]
    assert detail.row.about == (
        "Léa — 26/11 : annulé",
        "Hugo — 26/11 : réservé",
        "Zoé — 26/11 : annulation refusée : il fallait annuler avant le lundi 23 novembre à 13 "
        "heures",
    )
    assert detail.row.summary == "annulation, réservation, refusé"
