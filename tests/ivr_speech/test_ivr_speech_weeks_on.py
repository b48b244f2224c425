"""Whole calls with a day a week on, or the week school starts again in: « jeudi en 8 » said on
a Thursday (it was read back two weeks ahead), « vendredi prochain » said on a Thursday (it was
tomorrow again, just refused), « toute la semaine de la rentrée » (it was « dites les jours un
par un »). The parser's side is in tests/test_speech_weeks_on.py.

Each test is a whole call through the real webhooks (signed like Twilio's), on a family of three
(Hugo, Léa, Zoé: keys 1, 2, 3), every meal booked by subscription.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, identified_three_children

PHONE = "+33612345678"
THU_3_DEC = datetime(2026, 12, 3, 11, 30, tzinfo=PARIS)
MON_30_NOV = datetime(2026, 11, 30, 9, 30, tzinfo=PARIS)
THU_17_DEC = datetime(2026, 12, 17, 10, 0, tzinfo=PARIS)  # the last week before Christmas


def _call_at(rt: Runtime, client: FlaskClient, at: datetime) -> Caller:
    rt.clock.frozen = at
    return identified_three_children(rt, client, PHONE)


def _read_back(day: str) -> str:
    return f"Vous souhaitez annuler le repas de Léa le {day}."


# ---------------------------------------------------------------------------------------------
# « jeudi en huit » said on a Thursday
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "day", "meant"),
    [
        ("annuler jeudi en 8", "jeudi 10 décembre", date(2026, 12, 10)),  # it was the 17th
        ("annuler jeudi en huit", "jeudi 10 décembre", date(2026, 12, 10)),
        ("annuler jeudi en quinze", "jeudi 17 décembre", date(2026, 12, 17)),  # the 24th
    ],
)
def test_a_thursday_en_huit_said_on_a_thursday_is_a_week_on(
    rt: Runtime, client: FlaskClient, said: str, day: str, meant: date
) -> None:
    call = _call_at(rt, client, THU_3_DEC)
    call.press("2")  # Léa
    assert call.say(said).says[0] == _read_back(day)
    call.press("1")
    assert booked(rt, "E2", meant) is False
    assert booked(rt, "E2", date(2026, 12, 24)) is None  # (the Christmas holidays anyway)


def test_en_huit_at_the_date_question_said_on_a_thursday(rt: Runtime, client: FlaskClient) -> None:
    call = _call_at(rt, client, THU_3_DEC)
    call.keys("2", "2")  # Léa, cancel
    assert call.say("jeudi en huit").says[0] == _read_back("jeudi 10 décembre")


def test_guard_en_huit_said_on_a_monday(rt: Runtime, client: FlaskClient) -> None:
    # Unchanged: from another day, the Thursday after the coming one
    call = _call_at(rt, client, MON_30_NOV)
    call.press("2")
    assert call.say("annuler jeudi en 8").says[0] == _read_back("jeudi 10 décembre")


# ---------------------------------------------------------------------------------------------
# « vendredi prochain » said on a Thursday
# ---------------------------------------------------------------------------------------------


def test_friday_prochain_after_tomorrow_refused_is_next_weeks(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, THU_3_DEC)
    call.keys("2", "2")  # Léa, cancel
    refused = call.say("vendredi")  # tomorrow: plain "vendredi" stays tomorrow
    assert refused.says[0].startswith("Trop tard pour le vendredi 4 décembre")
    # It was the same refusal again: "vendredi prochain" was tomorrow.
    read_back = call.say("vendredi prochain")
    assert read_back.says[0] == _read_back("vendredi 11 décembre")
    call.press("1")
    assert booked(rt, "E2", date(2026, 12, 11)) is False
    assert booked(rt, "E2", date(2026, 12, 4)) is None


def test_tuesday_prochain_said_on_a_monday_is_next_weeks(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, MON_30_NOV)
    call.press("2")
    assert call.say("annuler mardi prochain").says[0] == _read_back("mardi 8 décembre")


def test_guard_thursday_prochain_said_on_a_monday_is_the_coming_one(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, MON_30_NOV)
    call.press("2")
    assert call.say("annuler jeudi prochain").says[0] == _read_back("jeudi 3 décembre")


# ---------------------------------------------------------------------------------------------
# « toute la semaine de la rentrée »
# ---------------------------------------------------------------------------------------------

RETURN_WEEK = (
    "Je prends ces 4 jours un par un : le lundi 4, le mardi 5, le jeudi 7 et le vendredi 8 "
    "janvier."
)
RETURN_DAYS = [date(2027, 1, d) for d in (4, 5, 7, 8)]


@pytest.mark.parametrize(
    "said",
    [
        "annuler toute la semaine de la rentrée",
        "annuler la semaine de la reprise",
        "annuler toute la semaine du retour des vacances de Noël",
        "annuler la première semaine après les vacances",
    ],
)
def test_the_week_of_the_return_is_its_school_days_one_by_one(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    # It was "Sur cette ligne, dites les jours un par un, jusqu'à 5", while "toute la semaine
    # du 4 janvier" was taken.
    call = _call_at(rt, client, THU_17_DEC)
    call.press("2")  # Léa
    answer = call.say(said)
    assert answer.says[:2] == [RETURN_WEEK, _read_back("lundi 4 janvier")]
    assert call.press("1").says[1] == _read_back("mardi 5 janvier")
    assert call.press("1").says[1] == _read_back("jeudi 7 janvier")
    assert call.press("1").says[1] == _read_back("vendredi 8 janvier")
    call.press("1")
    assert [booked(rt, "E2", day) for day in RETURN_DAYS] == [False] * 4
    assert booked(rt, "E1", date(2027, 1, 4)) is None  # Zoé's unchanged


def test_the_week_of_the_return_at_the_date_question(rt: Runtime, client: FlaskClient) -> None:
    call = _call_at(rt, client, THU_17_DEC)
    call.keys("2", "2")  # Léa, cancel
    answer = call.say("la semaine du retour des vacances de Noël")
    assert answer.says[:2] == [RETURN_WEEK, _read_back("lundi 4 janvier")]


def test_the_week_of_the_return_without_the_change_is_kept(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, THU_17_DEC)
    call.press("2")  # Léa
    asked = call.say("toute la semaine de la rentrée")
    assert asked.says[0] == (
        "Pour Léa, le lundi 4 janvier, le mardi 5 janvier, le jeudi 7 janvier et le vendredi 8 "
        "janvier :"
    )
    assert call.press("2").says[:2] == [RETURN_WEEK, _read_back("lundi 4 janvier")]


def test_the_week_of_the_return_is_from_the_return_day(rt: Runtime, client: FlaskClient) -> None:
    # School starts again on Tuesday 1 September 2026: its week is from that day (Monday 31
    # August is still the summer). The first two are past their deadline, before the summer.
    call = _call_at(rt, client, datetime(2026, 8, 20, 10, 0, tzinfo=PARIS))
    call.press("2")
    answer = call.say("annuler toute la semaine de la rentrée")
    assert answer.says[0] == (
        "Je prends ces 3 jours un par un : le mardi 1er, le jeudi 3 et le vendredi 4 septembre."
    )
    assert answer.says[1].startswith("Trop tard pour le mardi 1er et le jeudi 3 septembre")
    assert answer.says[2] == _read_back("vendredi 4 septembre")


def test_the_week_of_a_return_the_calendar_does_not_know_is_said(
    rt: Runtime, client: FlaskClient
) -> None:
    # Christmas 2027 is past the school calendar in use: said so, as for "à la rentrée"
    call = _call_at(rt, client, datetime(2027, 6, 15, 9, 30, tzinfo=PARIS))
    call.press("2")
    answer = call.say("annuler toute la semaine du retour des vacances de Noël")
    assert answer.says[:2] == [
        "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu.",
        "Pour quel jour voulez-vous annuler ?",
    ]
    again = call.say("la semaine de la rentrée des vacances de Noël")  # at the date question
    assert again.says[0] == answer.says[0]
    # The summer's return (Thursday 2 September) is known, not the rest of its week: the
    # line says which day it does not know yet, until when it could change were it a school
    # day (help-c), and changes nothing.
    summer = call.say("toute la semaine de la rentrée")
    assert summer.says[0] == (
        "Je ne connais pas encore le calendrier scolaire du vendredi 3 septembre 2027 : la "
        "mairie ne l'a pas encore chargé, et ce repas ne peut donc pas être changé sur cette "
        "ligne pour l'instant. S'il y a cantine ce jour-là, il faudrait le changer avant le "
        "vendredi 2 juillet à 13 heures. Pour parler à quelqu'un, appelez le Centre de "
        "traitement unique de la facturation au 03 80 74 51 51, du lundi au vendredi de "
        "8 heures à 18 heures."
    )
    assert booked(rt, "E2", date(2027, 9, 2)) is None
