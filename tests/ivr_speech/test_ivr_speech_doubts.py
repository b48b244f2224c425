"""Doubts and questions said to the line, through the real webhooks (signed like Twilio's): a
« si » that is the conjunction "if" ("même si elle est malade ?", "si ça se trouve …") or a
question ("c'est bien ça ?") at a read-back used to be taken as a « oui », and the change was
made at once; at the date question after a refusal, it took the first day offered. "OK" or
"ah d'accord" there only acknowledges the refusal.

On a family of three (Hugo, Léa, Zoé: keys 1, 2, 3), every meal booked by subscription, on
Monday 23 November 2026.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient

from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, events, identified_three_children

PHONE = "+33612345678"
READ_BACK = "Vous souhaitez annuler le repas de Léa le jeudi 3 décembre."
READ_BACK_26 = "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
DONE = "C'est fait : le repas de Léa du jeudi 3 décembre est annulé."
DATE_QUESTION = "Pour quel jour voulez-vous annuler ?"
OFFER = (
    "Le premier repas que vous pouvez encore annuler est celui du jeudi 26 novembre : pour ce "
    "jour, tapez 2, 6, 1, 1."
)


@pytest.mark.parametrize(
    "said",
    [
        "Si ça se trouve elle sera chez sa mamie.",
        "Et si elle va mieux ?",
        "Même si elle est malade ?",
        "Même si elle est malade",
        "Qu'est-ce qui se passe si elle va mieux ?",
        "Je peux rappeler si elle guérit ?",
        "Elle va mieux si ça se trouve.",
        "Si possible.",
        "Sauf si elle va mieux.",
        "C'est bien ça ?",
        "Oui ?",
        "J'ai bien entendu, jeudi 3 ?",
        "J'ai bien entendu, jeudi 3",
    ],
)
def test_a_doubt_at_the_read_back_changes_nothing_and_reads_back_again(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")  # Léa
    assert call.say("annuler le 3 décembre").says[0] == READ_BACK
    answer = call.say(said)
    assert not any(line.startswith("C'est fait") for line in answer.says)
    assert READ_BACK in answer.says  # what will be done, and how to confirm it
    assert "Pour confirmer, tapez 1. Pour choisir une autre date, tapez 2." in answer.says
    assert not any("enfant vous parlez" in line for line in answer.says)  # "sauf si"
    assert booked(rt, "E2", date(2026, 12, 3)) is None
    assert events(rt, call)[-1].outcome in ("repeat", "not_understood")
    # A plain yes then confirms.
    assert call.say("Oui.").says[0] == DONE
    assert booked(rt, "E2", date(2026, 12, 3)) is False


def test_a_question_at_the_read_back_is_answered_by_the_read_back(
    rt: Runtime, call: Caller
) -> None:
    call.press("2")
    call.say("annuler le 3 décembre")
    answer = call.say("C'est bien ça ?")
    assert answer.says[0] == READ_BACK  # no "je n'ai pas compris": the parent is checking
    assert events(rt, call)[-1].outcome == "repeat"


@pytest.mark.parametrize("asked", ["C'est bien annulé ?", "Est-ce que c'est bien annulé ?"])
def test_is_it_cancelled_at_the_read_back_hears_not_yet(
    rt: Runtime, call: Caller, asked: str
) -> None:
    call.press("2")
    call.say("annuler le 3 décembre")
    answer = call.say(asked)
    # The read-back alone could be taken for "yes, it is": the parent hung up, nothing done.
    assert answer.says[:2] == ["Ce n'est pas encore fait.", READ_BACK]
    assert booked(rt, "E2", date(2026, 12, 3)) is None
    assert call.press("*").says[0] == READ_BACK  # repeated: the read-back alone
    assert call.say("Oui.").says[0] == DONE


def test_a_child_named_in_a_doubt_changes_nothing(rt: Runtime, call: Caller) -> None:
    call.press("9")  # all the children
    first = call.say("annuler Léa et Zoé le 3 décembre")
    read_back = "Vous souhaitez annuler les repas de Léa et Zoé le jeudi 3 décembre."
    assert first.says[0] == read_back
    answer = call.say("Et si Zoé va mieux ?")
    assert not any(line.startswith("C'est fait") for line in answer.says)
    assert read_back in answer.says
    assert booked(rt, "E1", date(2026, 12, 3)) is None
    assert booked(rt, "E2", date(2026, 12, 3)) is None


@pytest.mark.parametrize(
    "said",
    ["Si.", "Si si.", "Mais si.", "Ben si, c'est ça.",
     # politeness beside a yes (these were "je n'ai pas compris" for a while)
     "Oui, si vous voulez.", "Oui si possible.", "Si c'est possible, oui."],
)
def test_si_as_an_answer_confirms(rt: Runtime, call: Caller, said: str) -> None:
    call.press("2")
    call.say("annuler le 3 décembre")
    assert call.say(said).says[0] == DONE
    assert booked(rt, "E2", date(2026, 12, 3)) is False


def _refused(call: Caller) -> None:
    call.keys("2", "2")  # Léa, cancel
    refused = call.say("demain")  # Tuesday 24: too late
    assert refused.says[0].startswith("Trop tard pour le mardi 24 novembre")
    assert DATE_QUESTION in refused.says
    assert OFFER in refused.says


def test_a_doubt_at_the_date_question_after_a_refusal_takes_no_day(
    rt: Runtime, call: Caller
) -> None:
    _refused(call)
    for said in ("Même si elle est malade ?", "Même si j'ai un certificat médical ?"):
        answer = call.say(said)
        assert answer.says[0] == "Je n'ai pas compris cette date."
        assert not any(line.startswith("Vous souhaitez") for line in answer.says)
    assert booked(rt, "E2", date(2026, 11, 26)) is None
    assert booked(rt, "E2", date(2026, 11, 24)) is None


@pytest.mark.parametrize("said", ["OK.", "Ah d'accord.", "D'accord.", "Ça marche.", "Très bien."])
def test_an_acknowledged_refusal_asks_the_day_again(rt: Runtime, call: Caller, said: str) -> None:
    _refused(call)
    answer = call.say(said)
    assert answer.says[0] == DATE_QUESTION  # no read-back, no "je n'ai pas compris"
    assert OFFER in answer.says
    assert events(rt, call)[-1].outcome == "repeat"
    # "Oui" then takes the day offered, read back first.
    assert call.say("Oui.").says[0] == READ_BACK_26
    assert booked(rt, "E2", date(2026, 11, 26)) is None


@pytest.mark.parametrize(
    "said",
    ["Oui.", "Oui, ce jour-là.", "D'accord pour jeudi.", "Va pour jeudi.", "Oui, jeudi.", "Ouais."],
)
def test_the_day_offered_after_a_refusal_is_taken_when_accepted(
    rt: Runtime, call: Caller, said: str
) -> None:
    _refused(call)
    assert call.say(said).says[0] == READ_BACK_26
    assert booked(rt, "E2", date(2026, 11, 26)) is None


def test_ok_with_a_farewell_after_a_refusal_ends_the_call(rt: Runtime, call: Caller) -> None:
    _refused(call)
    answer = call.say("OK merci au revoir.")
    assert call.ended
    assert not any(line.startswith("Vous souhaitez") for line in answer.says)


@pytest.mark.parametrize(
    "said", ["Même s'il est malade ?", "Si ça se trouve il sera chez sa mamie.", "Si possible."]
)
def test_a_doubt_at_a_booking_read_back_books_nothing(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    # Hugo books day by day: "malade" used to switch the booking read back to a cancellation.
    call = identified_three_children(rt, client, PHONE, hugo_weekdays=0)
    call.press("1")  # Hugo
    read_back = "Vous souhaitez réserver le repas d'Hugo le jeudi 3 décembre."
    assert call.say("réserver le 3 décembre").says[0] == read_back
    answer = call.say(said)
    assert read_back in answer.says
    assert not any(line.startswith(("C'est fait", "Hugo n'a pas")) for line in answer.says)
    assert booked(rt, "E3", date(2026, 12, 3)) is None
    done = call.say("Si.")
    assert done.says[0] == "C'est fait : le repas d'Hugo du jeudi 3 décembre est réservé."
    assert booked(rt, "E3", date(2026, 12, 3)) is True
