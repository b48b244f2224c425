"""Whole calls where a parent names a day rather than dates it, or dates a day just gone by:

- "est-ce qu'il y a cantine le vendredi de l'Ascension ?" (or "à la Pentecôte ?") was answered
  about another day (the first that could still change); the day named is answered: no school
  catering, and why.
- "il y a cantine le 7 mai ?", "y a-t-il cantine le 7 mai ?", "la cantine est ouverte le 7
  mai ?" offered to book or cancel that day, where "est-ce qu'il y a cantine le 7 mai ?" was
  answered; they are answered the same way.
- "vendredi 25 juin" said on Monday 28 June was "Attention : le 25 juin est un dimanche, pas un
  vendredi." (next year's 25 June) before "Le vendredi 25 juin est déjà passé."

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3), on the days each test sets.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from tests.ivr_support import Caller, booked, events, identified_three_children

PHONE = "+33612345678"
LEA = "E2"
BRIDGE = (
    "Le vendredi 7 mai, il n'y a pas de restauration scolaire : c'est le pont de l'Ascension."
)
WHIT_MONDAY = (
    "Le lundi 17 mai, il n'y a pas de restauration scolaire : c'est un jour férié (lundi de "
    "Pentecôte)."
)
ASCENSION = (
    "Le jeudi 6 mai, il n'y a pas de restauration scolaire : c'est un jour férié (Ascension)."
)
ACTION_MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."


def _call_on(rt: Runtime, client: FlaskClient, when: datetime) -> Caller:
    rt.clock.frozen = when
    return identified_three_children(rt, client, PHONE)


@pytest.fixture
def april(rt: Runtime, client: FlaskClient) -> Caller:
    """A call on Monday 26 April 2027 at 10:00, at the child menu."""
    return _call_on(rt, client, datetime(2027, 4, 26, 10, 0, tzinfo=PARIS))


# ---------------------------------------------------------------------------------------------
# 1. Feast days
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("est-ce qu'il y a cantine le vendredi de l'Ascension ?", BRIDGE),
        ("est-ce qu'il y a cantine à la Pentecôte ?", WHIT_MONDAY),
        ("est-ce qu'il y a cantine le lundi de Pentecôte ?", WHIT_MONDAY),
        ("est-ce qu'il y a cantine le jeudi de l'Ascension ?", ASCENSION),
    ],
)
def test_a_canteen_on_a_feast_day_asked_at_the_menu_is_answered_for_that_day(
    rt: Runtime, april: Caller, said: str, answer: str
) -> None:
    april.press("2")  # Léa
    heard = april.say(said)
    # It was "Le jeudi 29 avril, Léa a un repas réservé. …": the first day that could change.
    assert heard.says[0] == answer
    assert ACTION_MENU in heard.text
    assert events(rt, april)[-1].outcome == "asked_day"


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("le vendredi de l'Ascension", BRIDGE),
        ("le vendredi après l'Ascension", BRIDGE),
        ("le lundi de Pentecôte", WHIT_MONDAY),
        ("l'Ascension", ASCENSION),
    ],
)
def test_a_feast_day_said_at_the_date_question_is_refused_with_its_reason(
    april: Caller, said: str, answer: str
) -> None:
    april.keys("2", "1")  # Léa, book: the date question
    heard = april.say(said)
    # It was "Pardon, je n'ai pas compris cette date."
    assert heard.says[:2] == [answer, "Pour quel jour voulez-vous réserver ?"]


def test_a_canteen_on_a_feast_day_asked_at_the_date_question_is_answered(april: Caller) -> None:
    april.keys("2", "1")
    heard = april.say("est-ce qu'il y a cantine le vendredi de l'Ascension ?")
    assert heard.says[0] == BRIDGE
    assert ACTION_MENU in heard.text


# ---------------------------------------------------------------------------------------------
# 2. "Il y a cantine le 7 mai ?": a question, however it is put
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "il y a cantine le vendredi 7 mai ?",
        "y a-t-il cantine le 7 mai ?",
        "il y a école le 7 mai ?",
        "la cantine est ouverte le 7 mai ?",
        "est-ce qu'il y a cantine le 7 mai ?",  # guard: answered before too
    ],
)
def test_whether_there_is_a_canteen_on_a_closed_day_is_answered(
    rt: Runtime, april: Caller, said: str
) -> None:
    april.press("2")
    heard = april.say(said)
    # It was "Pour Léa, le vendredi 7 mai : Pour réserver, tapez 1. …"
    assert heard.says[0] == BRIDGE
    assert events(rt, april)[-1].outcome == "asked_day"


@pytest.mark.parametrize("said", ["il y a cantine le 10 mai ?", "la cantine est ouverte le 10 mai"])
def test_whether_there_is_a_canteen_on_an_open_day_says_the_meal_and_changes_nothing(
    rt: Runtime, april: Caller, said: str
) -> None:
    april.press("2")
    heard = april.say(said)
    assert heard.says[:2] == [
        "Le lundi 10 mai, Léa a un repas réservé.",
        "Ce jour peut encore être changé avant le lundi 3 mai à 13 heures.",
    ]
    april.say("oui")
    assert booked(rt, LEA, date(2027, 5, 10)) is None  # by subscription, no change made


def test_whether_there_is_a_canteen_asked_at_the_date_question_is_answered(april: Caller) -> None:
    april.keys("2", "2")  # Léa, cancel
    heard = april.say("il y a cantine le 7 mai ?")
    # It was the refusal of a cancellation, then the date question again: a question is
    # answered, then the action asked (as "est-ce qu'il y a cantine le 7 mai ?" there).
    assert heard.says[0] == BRIDGE
    assert ACTION_MENU in heard.text


# ---------------------------------------------------------------------------------------------
# 3. A weekday and a date just gone by
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "said", "past"),
    [
        (datetime(2027, 6, 28, 10, 0, tzinfo=PARIS), "vendredi 25 juin", "vendredi 25 juin"),
        (datetime(2027, 5, 11, 10, 0, tzinfo=PARIS), "samedi 8 mai", "samedi 8 mai"),
        (datetime(2027, 5, 11, 10, 0, tzinfo=PARIS), "lundi 10 mai", "lundi 10 mai"),
    ],
)
def test_a_weekday_with_a_date_just_past_is_said_past_without_a_weekday_warning(
    rt: Runtime, client: FlaskClient, when: datetime, said: str, past: str
) -> None:
    call = _call_on(rt, client, when)
    call.keys("2", "2")  # Léa, cancel
    heard = call.say(said)
    # It was "Attention : le 25 juin est un dimanche, pas un vendredi." first (next year's).
    assert heard.says[:2] == [f"Le {past} est déjà passé.", "Pour quel jour voulez-vous annuler ?"]


@pytest.mark.parametrize(
    ("said", "warning"),
    [
        # Neither year's 25 June is a Tuesday: the warning names the day the line speaks of.
        ("mardi 25 juin", "Attention : le 25 juin est un vendredi, pas un mardi."),
    ],
)
def test_a_wrong_weekday_with_a_date_just_past_is_checked_against_that_day(
    rt: Runtime, client: FlaskClient, said: str, warning: str
) -> None:
    call = _call_on(rt, client, datetime(2027, 6, 28, 10, 0, tzinfo=PARIS))
    call.keys("2", "2")
    heard = call.say(said)
    # It was "Attention : le 25 juin est un dimanche, pas un mardi." (next year's).
    assert heard.says[:2] == [warning, "Le vendredi 25 juin est déjà passé."]


@pytest.mark.parametrize(("said", "past"), [("vendredi 25", "vendredi 25 juin")])
def test_a_weekday_with_a_day_of_the_month_just_past_is_said_past(
    rt: Runtime, client: FlaskClient, said: str, past: str
) -> None:
    call = _call_on(rt, client, datetime(2027, 6, 28, 10, 0, tzinfo=PARIS))
    call.keys("2", "2")  # Léa, cancel
    heard = call.say(said)
    # It was "Attention : le 25 juillet est un dimanche, pas un vendredi." then Sunday 25 July.
    assert heard.says[:2] == [f"Le {past} est déjà passé.", "Pour quel jour voulez-vous annuler ?"]


# ---------------------------------------------------------------------------------------------
# 4. A deadline moved earlier by days without canteen, said on the refusal
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "keys", "refusal"),
    [
        (
            datetime(2027, 5, 4, 10, 0, tzinfo=PARIS),
            "1005",
            "Trop tard pour le lundi 10 mai : il fallait annuler hier avant 13 heures. Le repas "
            "sera facturé, sauf maladie signalée à l'école. Les jours sans "
            "cantine, comme le jeudi 6 mai (Ascension) et le pont de l'Ascension, ne comptent "
            "pas dans le délai.",
        ),
        (
            datetime(2027, 5, 14, 10, 0, tzinfo=PARIS),
            "1805",
            "Trop tard pour le mardi 18 mai : il fallait annuler hier avant 13 heures. Le repas "
            "sera facturé, sauf maladie signalée à l'école. Les jours sans "
            "cantine, comme le lundi 17 mai (lundi de Pentecôte), ne comptent pas dans le "
            "délai.",
        ),
        (
            datetime(2027, 1, 4, 10, 0, tzinfo=PARIS),
            "0401",
            "Trop tard pour le lundi 4 janvier : il fallait annuler avant le jeudi 17 décembre "
            "à 13 heures. Le repas sera facturé, sauf maladie signalée à l'école. Les jours "
            "sans cantine, comme les vacances de Noël, ne comptent pas dans le délai.",
        ),
        # Guard: no day without canteen in between (Wednesday is in the published table).
        (
            datetime(2027, 5, 12, 10, 0, tzinfo=PARIS),
            "1405",
            "Trop tard pour le vendredi 14 mai : il fallait annuler hier avant 13 heures. Le "
            "repas sera facturé, sauf maladie signalée à l'école.",
        ),
    ],
)
def test_a_refusal_says_which_days_without_canteen_moved_the_deadline(
    rt: Runtime, client: FlaskClient, when: datetime, keys: str, refusal: str
) -> None:
    call = _call_on(rt, client, when)
    heard = call.keys("2", "2", keys)  # Léa, cancel, the day
    assert heard.says[0] == refusal
    assert events(rt, call)[-1].outcome == "refused:past_deadline"
