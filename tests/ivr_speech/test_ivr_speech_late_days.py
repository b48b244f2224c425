"""Days past their deadline at the head of several days said at once, a child chosen by
position while a change waits for its day, and a child taken back in a list, on the phone line,
end to end. The parser's side of the children is in tests/test_speech_intents_more.py.

Each test is a whole call through the real webhooks (signed like Twilio's), on a family of three
(Hugo, Léa, Zoé:
keys 1, 2, 3), every meal booked by subscription (Hugo's as said), on Monday 23
November 2026: Monday 23 and Tuesday 24 are past their deadline, Thursday 26 is not.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient

from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, identified_three_children

PHONE = "+33612345678"
BOTH_LATE = (
    "Trop tard pour le lundi 23 et le mardi 24 novembre : ces repas seront facturés, sauf "
    "maladie signalée à l'école."
)


def test_a_week_at_the_date_question_refuses_its_late_days_in_one_sentence(
    rt: Runtime, call: Caller
) -> None:
    # "Cette semaine." on a Monday: two long refusals in a row (each with its own deadline)
    # before Thursday's read-back. Now one short sentence, then Thursday, then Friday.
    call.press("2")  # Léa
    call.press("2")  # cancel
    answer = call.say("Cette semaine.")
    assert answer.says[1:3] == [
        BOTH_LATE,
        "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre.",
    ]
    assert sum(line.startswith("Trop tard") for line in answer.says) == 1
    friday = call.say("oui")
    assert "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre." in friday.says
    call.say("oui")
    assert booked(rt, "E2", date(2026, 11, 26)) is False
    assert booked(rt, "E2", date(2026, 11, 27)) is False
    assert booked(rt, "E2", date(2026, 11, 23)) is not False
    assert booked(rt, "E2", date(2026, 11, 24)) is not False


def test_a_span_said_with_the_child_refuses_its_late_days_in_one_sentence(
    rt: Runtime, call: Caller
) -> None:
    answer = call.say("annuler toute cette semaine pour Zoé")
    assert answer.says[:3] == [
        "Je prends ces 4 jours un par un : le lundi 23, le mardi 24, le jeudi 26 et le vendredi "
        "27 novembre.",
        BOTH_LATE,
        "Vous souhaitez annuler le repas de Zoé le jeudi 26 novembre.",
    ]


def test_days_listed_all_past_their_deadline_are_refused_together_then_a_day_asked(
    rt: Runtime, call: Caller
) -> None:
    answer = call.say("Annuler le 23 et le 24 pour Léa.")
    assert answer.says[:2] == [
        "Je prends ces 2 jours un par un : le lundi 23 et le mardi 24 novembre.",
        BOTH_LATE,
    ]
    assert "Pour quel jour voulez-vous annuler ?" in answer.says
    assert booked(rt, "E2", date(2026, 11, 23)) is not False
    assert booked(rt, "E2", date(2026, 11, 24)) is not False


def test_late_days_to_book_are_refused_together(rt: Runtime, client: FlaskClient) -> None:
    # Hugo books day by day: Monday and Tuesday are too late to book, Thursday is not.
    call = identified_three_children(rt, client, PHONE, hugo_weekdays=0)
    answer = call.say("Réserver le 23, le 24 et le 26 pour Hugo.")
    assert answer.says[:3] == [
        "Je prends ces 3 jours un par un : le lundi 23, le mardi 24 et le jeudi 26 novembre.",
        "Trop tard pour le lundi 23 et le mardi 24 novembre : un repas pris sans réservation est "
        "facturé au tarif le plus élevé.",
        "Vous souhaitez réserver le repas d'Hugo le jeudi 26 novembre.",
    ]


def test_a_single_late_day_at_the_head_keeps_its_deadline(rt: Runtime, call: Caller) -> None:
    answer = call.say("Annuler le 24 et le 26 pour Léa.")
    assert answer.says[:3] == [
        "Je prends ces 2 jours un par un : le mardi 24 et le jeudi 26 novembre.",
        "Trop tard pour le mardi 24 novembre : il fallait annuler avant le vendredi 20 novembre "
        "à 13 heures. Le repas sera facturé, sauf maladie signalée à l'école.",
        "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre.",
    ]


def test_the_first_at_the_child_question_is_the_child_not_the_first_of_the_month(
    rt: Runtime, call: Caller
) -> None:
    # "Annuler." – "Pour quel enfant ?" – "Le premier.": Hugo's meal of Tuesday 1 December was
    # read back (the same words taken as the child and the date). Now the date is asked.
    asked = call.say("Annuler.")
    assert asked.says[0] == "Pour quel enfant ?"
    answer = call.say("Le premier.")
    assert answer.says[0] == "Pour quel jour voulez-vous annuler ?"
    assert not any("1er décembre" in line and "souhaitez" in line for line in answer.says)
    read_back = call.say("jeudi")
    assert read_back.says[0] == "Vous souhaitez annuler le repas d'Hugo le jeudi 26 novembre."


def test_a_name_and_the_first_of_the_month_at_the_child_question_is_that_day(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler.")
    answer = call.say("Léa, le premier.")
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le mardi 1er décembre."


@pytest.mark.parametrize(
    "said",
    [
        "Annuler jeudi pour Léa et Hugo, non, pas Hugo.",
        "Annuler jeudi pour Léa et Hugo, euh non, pas pour Hugo.",
    ],
)
def test_a_child_taken_back_with_non_pas_leaves_the_others(
    rt: Runtime, call: Caller, said: str
) -> None:
    # It was "Pour quel enfant ?": Hugo both named and left out.
    answer = call.say(said)
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_a_child_taken_back_at_the_child_question_after_annuler(
    rt: Runtime, call: Caller
) -> None:
    call.say("Annuler jeudi.")
    answer = call.say("Léa et Hugo, non, pas Hugo")
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_a_child_added_after_enfin_is_one_more(rt: Runtime, call: Caller) -> None:
    # "enfin" was taken for a first name heard wrong beside the list: "Pour quel enfant ?".
    answer = call.say("Zoé et Hugo, enfin, et Léa aussi, jeudi.")
    assert answer.says[0] == "Pour Hugo, Léa et Zoé, le jeudi 26 novembre :"
