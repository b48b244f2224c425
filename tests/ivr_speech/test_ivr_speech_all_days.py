"""Several days asked at once and taken one by one, end to end: "oui pour tous" at the first
read-back does them all, and "non attendez, annulez" after them takes all of them back.

A tester heard "oui pour tous" confirm Monday alone, then Tuesday read back (a parent who said
"for all" may hang up thinking the week cancelled), and "non attendez, annulez" after Thursday
and Friday undo Friday alone, Thursday staying cancelled; "non" to that undoing asked "pour
quel jour voulez-vous annuler ?".

Each test is a whole call through the real webhooks, on a family of three (Zoé, Léa, Hugo: keys
1, 2, 3): Zoé and Léa eat every canteen day by subscription, Hugo books day by day (nothing
booked); Monday 23 November 2026 unless said otherwise (Thursday 26's deadline is today 13:00,
Friday 27's tomorrow 13:00).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.models import AuditEntry
from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, post_signed

THU, FRI = date(2026, 11, 26), date(2026, 11, 27)
MON, TUE, NEXT_THU = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3)
ZOE, LEA = "E1", "E2"
AFTER = "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2."
MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
NEXT_WEEK = "Annuler les repas de Léa lundi, mardi et jeudi de la semaine prochaine."
ALL_DONE = (
    "C'est fait : les repas de Léa des lundi 30 novembre, mardi 1er décembre et jeudi 3 "
    "décembre sont annulés."
)
UNDO_BOTH = (
    "Vous souhaitez que les repas de Léa des jeudi 26 novembre et vendredi 27 novembre soient "
    "de nouveau réservés."
)
UNDO_KEYS = "Pour confirmer, tapez 1. Pour ne rien changer, tapez 2."


# Hugo books day by day (nothing booked): see conftest.py.
HUGO_WEEKDAYS = 0


def _phone_changes(rt: Runtime) -> int:
    with rt.sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.channel == "phone", AuditEntry.action.in_(("book", "cancel")))
        )
    return int(count or 0)


# ---------------------------------------------------------------------------------------------
# 1. "Oui pour tous" at the first day read back: every day done, said in one sentence
# ---------------------------------------------------------------------------------------------


def test_days_listed_are_named_before_the_first_is_read_back(call: Caller) -> None:
    # It was "Je prends ces jours un par un." alone: speech is uncertain, and a parent about to
    # say "oui pour tous" must hear which days the line understood, as for a span.
    read_back = call.say(NEXT_WEEK)
    assert read_back.says[:2] == [
        "Je prends ces 3 jours un par un : le lundi 30 novembre, puis le mardi 1er et le jeudi 3 "
        "décembre.",
        "Vous souhaitez annuler le repas de Léa le lundi 30 novembre.",
    ]



@pytest.mark.parametrize(
    "said", ["Oui pour tous.", "Oui, tous.", "Oui pour tous les jours.", "Oui, les 3."]
)
def test_yes_for_all_at_the_first_day_does_every_day(
    rt: Runtime, call: Caller, said: str
) -> None:
    read_back = call.say(NEXT_WEEK)
    assert "Vous souhaitez annuler le repas de Léa le lundi 30 novembre." in read_back.says
    answer = call.say(said)
    # It was "C'est fait : le repas de Léa du lundi 30 novembre est annulé." then Tuesday read
    # back: Tuesday and Thursday left booked if the parent hung up.
    assert answer.says[:2] == [ALL_DONE, AFTER]
    assert [booked(rt, LEA, d) for d in (MON, TUE, NEXT_THU)] == [False, False, False]
    assert booked(rt, ZOE, MON) is None
    assert _phone_changes(rt) == 3  # each day audited, as when confirmed one by one


def test_yes_for_all_delivered_twice_does_each_day_once(
    rt: Runtime, client: FlaskClient, call: Caller
) -> None:
    call.say(NEXT_WEEK)
    url = call.url
    assert url is not None
    first = post_signed(client, url, call.params(SpeechResult="Oui pour tous.", Confidence="0.9"))
    again = post_signed(client, url, call.params(SpeechResult="Oui pour tous.", Confidence="0.9"))
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data()
    assert ALL_DONE in first.get_data(as_text=True).replace("&#x27;", "'").replace("&apos;", "'")
    assert _phone_changes(rt) == 3


def test_yes_for_all_says_each_kind_of_outcome_once(rt: Runtime, call: Caller) -> None:
    # Friday cancelled on the website before the call: nothing to cancel that day (said
    # cancelled, and when).
    rt.booking.change("210001", "cancel", [FRI], Actor("family", "210001", "web"), [LEA])
    read_back = call.say("Annuler jeudi, vendredi et lundi pour Léa.")
    assert "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre." in read_back.says
    answer = call.say("Oui pour les trois.")
    assert answer.says[:3] == [
        "C'est fait : les repas de Léa des jeudi 26 novembre et lundi 30 novembre sont annulés.",
        "Le repas de Léa du vendredi 27 novembre a déjà été annulé aujourd'hui à 10 heures, "
        "sur internet.",
        AFTER,
    ]
    assert [booked(rt, LEA, d) for d in (THU, FRI, MON)] == [False, False, False]


def test_yes_for_all_refuses_the_day_whose_deadline_passed_during_the_read_back(
    rt: Runtime, call: Caller
) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 30, tzinfo=PARIS)
    call.say("Annuler jeudi, vendredi et lundi pour Léa.")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 0, tzinfo=PARIS)  # Thursday's deadline
    answer = call.say("Oui pour tous.")
    assert answer.says[0] == (
        "C'est fait : les repas de Léa des vendredi 27 novembre et lundi 30 novembre sont "
        "annulés."
    )
    assert answer.says[1].startswith("Trop tard pour le jeudi 26 novembre")
    assert answer.says[2] == AFTER
    assert [booked(rt, LEA, d) for d in (THU, FRI, MON)] == [None, False, False]


# ---------------------------------------------------------------------------------------------
# 2. "Non attendez, annulez" after the days of one request: all of them taken back
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "taken_back"),
    [
        (("Oui.", "Oui."), "Non attendez, annulez."),
        (("Oui.", "Oui."), "Je me suis trompé."),
        (("Oui pour les deux.",), "Annulez ça."),
    ],
)
def test_taking_back_several_days_undoes_them_all(
    rt: Runtime, call: Caller, confirmed: tuple[str, ...], taken_back: str
) -> None:
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    for yes in confirmed:
        call.say(yes)
    assert [booked(rt, LEA, d) for d in (THU, FRI)] == [False, False]
    read_back = call.say(taken_back)
    # It was "… que le repas de Léa du vendredi 27 novembre soit de nouveau réservé" alone.
    assert read_back.says[:2] == [UNDO_BOTH, UNDO_KEYS]
    done = call.say("Oui.")
    assert done.says[:2] == [
        "Les repas de Léa des jeudi 26 novembre et vendredi 27 novembre sont de nouveau "
        "réservés.",
        AFTER,
    ]
    assert [booked(rt, LEA, d) for d in (THU, FRI)] == [True, True]


def test_taking_back_several_days_past_one_deadline_since_reads_back_the_others(
    rt: Runtime, call: Caller
) -> None:
    # "Oui" to both taken back, said after Thursday's deadline: Friday was booked again alone,
    # which the read-back had not said. Now nothing is done unsaid: Thursday's refusal, then
    # Friday alone read back, done on a yes.
    rt.clock.frozen = datetime(2026, 11, 23, 12, 58, tzinfo=PARIS)
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    call.say("Oui pour les deux.")
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 50, tzinfo=PARIS)
    assert call.say("Non attendez, annulez.").says[0] == UNDO_BOTH
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 0, tzinfo=PARIS)  # Thursday's deadline
    again = call.say("Oui.")
    assert again.says[0].startswith("Trop tard pour le jeudi 26 novembre")
    assert again.says[1:5] == [
        "Le repas de Léa du jeudi 26 novembre reste annulé.",
        "Vous pouvez encore reprendre seulement le changement du vendredi 27 novembre.",
        "Vous souhaitez que le repas de Léa du vendredi 27 novembre soit de nouveau réservé.",
        UNDO_KEYS,
    ]
    assert [booked(rt, LEA, d) for d in (THU, FRI)] == [False, False]
    done = call.say("Oui.")
    assert done.says[:2] == [
        "Le repas de Léa du vendredi 27 novembre est de nouveau réservé.", AFTER
    ]
    assert [booked(rt, LEA, d) for d in (THU, FRI)] == [False, True]


@pytest.mark.parametrize("confirmed", [("Oui.", "Oui."), ("Oui pour les deux.",)])
def test_taking_back_several_days_past_one_deadline_reads_back_the_others_alone(
    rt: Runtime, call: Caller, confirmed: tuple[str, ...]
) -> None:
    # "Non attendez, annulez" at 13:00:05: the read-back said both would be booked again, and
    # "oui" booked Friday alone, then "trop tard" for Thursday. Now Thursday's refusal comes
    # first, and Friday alone is read back as all that can still be taken back.
    rt.clock.frozen = datetime(2026, 11, 23, 12, 58, tzinfo=PARIS)
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    for yes in confirmed:
        call.say(yes)
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 5, tzinfo=PARIS)
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[0].startswith(
        "Trop tard pour le jeudi 26 novembre : il fallait réserver aujourd'hui avant 13 heures."
    )
    assert read_back.says[1:5] == [
        "Le repas de Léa du jeudi 26 novembre reste annulé.",
        "Vous pouvez encore reprendre seulement le changement du vendredi 27 novembre.",
        "Vous souhaitez que le repas de Léa du vendredi 27 novembre soit de nouveau réservé.",
        UNDO_KEYS,
    ]
    call.say("Oui.")
    assert [booked(rt, LEA, d) for d in (THU, FRI)] == [False, True]


def test_taking_back_several_days_all_past_their_deadlines_says_so_and_leads_on(
    rt: Runtime, call: Caller
) -> None:
    # Tuesday 13:00:05, both deadlines passed (a call that lasted): no read-back promising
    # either day booked again, but each refusal, then the question after a result.
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    call.say("Oui pour les deux.")
    rt.clock.frozen = datetime(2026, 11, 24, 13, 0, 5, tzinfo=PARIS)
    answer = call.say("Non attendez, annulez.")
    assert answer.says[0].startswith("Trop tard pour le jeudi 26 novembre")
    assert answer.says[1] == "Le repas de Léa du jeudi 26 novembre reste annulé."
    assert answer.says[2].startswith("Trop tard pour le vendredi 27 novembre")
    assert answer.says[3:5] == ["Le repas de Léa du vendredi 27 novembre reste annulé.", AFTER]
    assert not answer.hangup
    assert [booked(rt, LEA, d) for d in (THU, FRI)] == [False, False]


@pytest.mark.parametrize("declined", ["non", "2"])
def test_no_to_taking_back_several_days_changes_nothing(
    rt: Runtime, call: Caller, declined: str
) -> None:
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    call.say("Oui pour les deux.")
    call.say("Non attendez, annulez.")
    answer = call.say(declined) if declined.isalpha() else call.press(declined)
    # It was "Pour quel jour voulez-vous annuler ?".
    assert answer.says[0] == "Aucun changement n'a été fait."
    assert MENU in answer.says
    assert [booked(rt, LEA, d) for d in (THU, FRI)] == [False, False]


@pytest.mark.parametrize("declined", ["non", "2"])
def test_no_to_taking_back_one_day_changes_nothing(
    rt: Runtime, call: Caller, declined: str
) -> None:
    call.say("Annuler jeudi pour Léa.")
    call.say("Oui.")
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[:2] == [
        "Vous souhaitez que le repas de Léa du jeudi 26 novembre soit de nouveau réservé.",
        UNDO_KEYS,
    ]
    answer = call.say(declined) if declined.isalpha() else call.press(declined)
    assert answer.says[0] == (
        "Aucun changement n'a été fait. Le repas de Léa du jeudi 26 novembre reste annulé."
    )
    assert MENU in answer.says
    assert booked(rt, LEA, THU) is False


def test_taking_back_after_yes_then_yes_for_all_undoes_every_day_of_the_request(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler jeudi, vendredi et lundi pour Léa.")
    call.say("Oui.")  # Thursday, one by one
    assert call.say("Oui pour tous.").says[0] == (
        "C'est fait : les repas de Léa des vendredi 27 novembre et lundi 30 novembre sont "
        "annulés."
    )
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[0] == (
        "Vous souhaitez que les repas de Léa des jeudi 26 novembre, vendredi 27 novembre et "
        "lundi 30 novembre soient de nouveau réservés."
    )
    call.say("Oui.")
    assert [booked(rt, LEA, d) for d in (THU, FRI, MON)] == [True, True, True]


def test_taking_back_the_taking_back_of_several_days_covers_them_all(
    rt: Runtime, call: Caller
) -> None:
    call.say(NEXT_WEEK)
    call.say("Oui pour tous.")
    call.say("Non attendez, annulez.")
    call.say("Oui.")  # all three booked again
    read_back = call.say("Non attendez, annulez.")
    # It was "… que le repas de Léa du jeudi 3 décembre ne soit plus réservé" alone: Monday and
    # Tuesday left booked, which the parent had just heard taken back with it.
    assert read_back.says[:2] == [
        "Vous souhaitez que les repas de Léa des lundi 30 novembre, mardi 1er décembre et jeudi "
        "3 décembre ne soient plus réservés.",
        UNDO_KEYS,
    ]
    done = call.say("Oui.")
    assert done.says[0] == (
        "Les repas de Léa des lundi 30 novembre, mardi 1er décembre et jeudi 3 décembre ne sont "
        "plus réservés."
    )
    assert [booked(rt, LEA, d) for d in (MON, TUE, NEXT_THU)] == [False, False, False]


def test_taking_back_a_list_after_another_list_undoes_the_last_list_alone(
    rt: Runtime, call: Caller
) -> None:
    # Friday, cancelled by the first list, was taken back with Monday although the second
    # list had nothing to cancel that day ("rien à annuler").
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    call.say("Oui pour les deux.")
    assert call.say("Et annuler vendredi et lundi.").says[1:3] == [
        "Le repas de Léa du vendredi 27 novembre a déjà été annulé pendant cet appel.",
        "Vous souhaitez annuler le repas de Léa le lundi 30 novembre.",
    ]
    call.say("Oui.")
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[:2] == [
        "Vous souhaitez que le repas de Léa du lundi 30 novembre soit de nouveau réservé.",
        UNDO_KEYS,
    ]
    call.say("Oui.")
    assert [booked(rt, LEA, d) for d in (THU, FRI, MON)] == [False, False, True]


def test_taking_back_a_list_booked_back_undoes_the_bookings_alone(
    rt: Runtime, call: Caller
) -> None:
    # Named guard: the cancellations of the list before are no part of the bookings after it.
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    call.say("Oui pour les deux.")
    call.say("Réserver jeudi et vendredi.")
    call.say("Oui pour les deux.")
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[:2] == [
        "Vous souhaitez que les repas de Léa des jeudi 26 novembre et vendredi 27 novembre ne "
        "soient plus réservés.",
        UNDO_KEYS,
    ]


def test_taking_back_a_day_asked_after_several_undoes_that_day_alone(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler les repas de Léa jeudi et vendredi.")
    call.say("Oui pour les deux.")
    assert call.say("Et lundi aussi.").says[0] == (
        "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    )
    call.say("Oui.")
    read_back = call.say("Non attendez, annulez.")
    assert read_back.says[0] == (
        "Vous souhaitez que le repas de Léa du lundi 30 novembre soit de nouveau réservé."
    )
    call.say("Oui.")
    assert [booked(rt, LEA, d) for d in (THU, FRI, MON)] == [False, False, True]


# ---------------------------------------------------------------------------------------------
# 3. The call ending in the middle of the days: those done, and those not done, said plainly
# ---------------------------------------------------------------------------------------------

MON_DONE_REST_NOT = (
    "C'est fait : le repas de Léa du lundi 30 novembre est annulé. Les repas de Léa des mardi "
    "1er décembre et jeudi 3 décembre n'ont pas été annulés."
)


@pytest.mark.parametrize("ending", ["silence", "Au revoir.", "Non merci."])
def test_a_call_ending_in_the_middle_of_the_days_says_which_were_not_done(
    rt: Runtime, call: Caller, ending: str
) -> None:
    call.say(NEXT_WEEK)
    assert call.say("Oui.").says[1] == "Vous souhaitez annuler le repas de Léa le mardi 1er décembre."
    if ending == "silence":
        call.silence()
        call.silence()
        last = call.silence()
    elif ending == "Au revoir.":  # a plain goodbye is first told "pas encore fait", once
        assert call.say(ending).says[0] == "Ce n'est pas encore fait."
        last = call.say(ending)
    else:
        last = call.say(ending)
    # It was "Rien n'a été changé pour le mardi 1er décembre." alone, then the goodbye:
    # Thursday unsaid, as if done.
    assert last.hangup
    assert MON_DONE_REST_NOT in last.says
    assert last.says.index(MON_DONE_REST_NOT) == len(last.says) - 2  # then the goodbye
    assert [booked(rt, LEA, d) for d in (MON, TUE, NEXT_THU)] == [False, None, None]


def test_a_call_ending_after_a_day_left_as_it_is_says_the_days_waiting(
    rt: Runtime, call: Caller
) -> None:
    call.say(NEXT_WEEK)
    call.say("Oui.")
    call.press("2")  # Tuesday left as it is: Thursday read back
    for _ in range(2):
        call.silence()
    last = call.silence()
    # 2 asked for another date, then "Je n'ai reçu aucune date." and the goodbye: Thursday
    # dropped unsaid.
    assert last.hangup
    assert (
        "C'est fait : le repas de Léa du lundi 30 novembre est annulé. Le repas de Léa du jeudi 3 "
        "décembre n'a pas été annulé."
    ) in last.says
    assert [booked(rt, LEA, d) for d in (MON, TUE, NEXT_THU)] == [False, None, None]


def test_a_goodbye_before_any_day_of_several_says_none_was_done(call: Caller) -> None:
    call.say(NEXT_WEEK)
    assert call.say("Au revoir.").says[0] == "Rien n'a encore été modifié."  # asked once more
    last = call.say("Au revoir.")
    assert last.says[0] == (
        "Les repas de Léa des lundi 30 novembre, mardi 1er décembre et jeudi 3 décembre n'ont "
        "pas été annulés."
    )


def test_stopping_after_adding_the_next_week_says_every_day_left_in_order(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler jeudi et vendredi pour Léa.")
    call.say("Oui et pour la semaine prochaine ?")  # Thursday done, Monday 30 read back
    stopped = call.say("Non attendez, annulez.")
    # It was "Rien n'a été changé pour le lundi 30 novembre." alone: five days dropped unsaid.
    assert stopped.says[0] == (
        "Les repas de Léa des vendredi 27 novembre, lundi 30 novembre, mardi 1er décembre, "
        "jeudi 3 décembre et vendredi 4 décembre n'ont pas été annulés."
    )
    assert MENU in stopped.says
    assert booked(rt, LEA, date(2026, 11, 26)) is False
    assert booked(rt, LEA, date(2026, 11, 27)) is None


def test_yes_for_all_says_the_days_without_canteen_once_for_several_refused(
    rt: Runtime, call: Caller
) -> None:
    # Wednesday 16 December, then "oui pour tous" on Friday 18 after 13:00 (a call that
    # lasted): Monday 4 and Tuesday 5 January are both past their deadlines, moved before the
    # Christmas holidays. Each refusal repeated « Les jours sans cantine ne comptent pas … »;
    # it is said once, after them, of both.
    rt.clock.frozen = datetime(2026, 12, 16, 10, 0, tzinfo=PARIS)
    read_back = call.say("Annuler lundi 4, mardi 5 et jeudi 7 janvier pour Léa.")
    assert "Vous souhaitez annuler le repas de Léa le lundi 4 janvier." in read_back.says
    rt.clock.frozen = datetime(2026, 12, 18, 13, 0, 5, tzinfo=PARIS)
    answer = call.say("Oui pour tous.")
    assert answer.says == [
        "C'est fait : le repas de Léa du jeudi 7 janvier est annulé.",
        "Trop tard pour le lundi 4 janvier : il fallait annuler hier avant 13 heures. Le repas "
        "sera facturé, sauf maladie signalée à l'école.",
        "Trop tard pour le mardi 5 janvier : il fallait annuler aujourd'hui avant 13 heures. Le "
        "repas sera facturé, sauf maladie signalée à l'école.",
        "Les jours sans cantine, comme les vacances de Noël, ne comptent pas dans le délai.",
        AFTER,
    ]
    assert [booked(rt, LEA, date(2027, 1, d)) for d in (4, 5, 7)] == [None, None, False]


def test_yes_for_all_with_one_day_refused_says_why_in_its_refusal(
    rt: Runtime, call: Caller
) -> None:
    # One day refused: the days without canteen in its own sentence, as when said alone.
    rt.clock.frozen = datetime(2026, 12, 16, 10, 0, tzinfo=PARIS)
    call.say("Annuler lundi 4 et jeudi 7 janvier pour Léa.")
    rt.clock.frozen = datetime(2026, 12, 17, 13, 0, 5, tzinfo=PARIS)
    answer = call.say("Oui pour tous.")
    assert answer.says == [
        "C'est fait : le repas de Léa du jeudi 7 janvier est annulé.",
        "Trop tard pour le lundi 4 janvier : il fallait annuler aujourd'hui avant 13 heures. Le "
        "repas sera facturé, sauf maladie signalée à l'école. Les jours sans cantine, comme les "
        "vacances de Noël, ne comptent pas dans le délai.",
        # Before the holidays: the meal after them still open, due before them (once a call).
        "Attention : après les vacances de Noël, le repas du mardi 5 janvier se réserve ou "
        "s'annule demain avant 13 heures.",
        AFTER,
    ]
