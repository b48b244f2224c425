"""The days just before the Christmas holidays, the rest of the week, the week school starts
again but a day, the days of "jusqu'à vendredi" past their deadline, three keys of a recently
past day and a 29 February the coming February has not, on the phone line, end to end. The
parser's side is in tests/test_speech_holidays_eve.py.

Each test is a whole call through the real webhooks (signed like Twilio's), for a family with
one child, Léa, booked every canteen day by subscription, on Monday 14 December 2026 at 9:30
unless a test says otherwise: the Christmas holidays (zone A) start on Saturday 19 December,
Monday 14 and Tuesday 15 are past their deadline, Thursday 17 and Friday 18 are not.
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
MON_14_DEC = datetime(2026, 12, 14, 9, 30, tzinfo=PARIS)
BOTH_LATE = (
    "Trop tard pour le lundi 14 et le mardi 15 décembre : ces repas seront facturés, sauf "
    "maladie signalée à l'école."
)
THURSDAY_AND_FRIDAY = (
    "Je prends ces 2 jours un par un : le jeudi 17 et le vendredi 18 décembre."
)
THURSDAY = "Vous souhaitez annuler le repas de Léa le jeudi 17 décembre."
FRIDAY = "Vous souhaitez annuler le repas de Léa le vendredi 18 décembre."


def _léa(rt: Runtime, client: FlaskClient, at: datetime = MON_14_DEC) -> Caller:
    """A call identified for the family of one child, Léa (E2), at the action menu."""
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E2", "Léa"),))
    rt.clock.frozen = at
    call = Caller(client, rt.settings, PHONE)
    call.start()
    call.press("1234")
    return call


@pytest.mark.parametrize(
    "said",
    [
        "annuler le dernier jour avant les vacances",
        "annuler la veille des vacances de Noël",
        "annuler vendredi avant les vacances",
    ],
)
def test_the_last_day_before_the_holidays_is_read_back_with_its_date(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    # Was "je n'ai pas compris cette date": the last school day before the Christmas
    # holidays, from the school calendar.
    call = _léa(rt, client)
    assert call.say(said).says[0] == FRIDAY
    call.press("1")
    assert booked(rt, "E2", date(2026, 12, 18)) is False


def test_the_last_day_before_the_holidays_at_the_date_question(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _léa(rt, client)
    call.press("2")  # cancel
    assert call.say("le dernier jour avant les vacances").says[0] == FRIDAY


def test_the_last_week_before_the_holidays_is_its_school_days(
    rt: Runtime, client: FlaskClient
) -> None:
    # Was "dites les jours un par un": this week, as "toute la semaine".
    call = _léa(rt, client)
    answer = call.say("annuler la dernière semaine avant les vacances")
    assert answer.says[:3] == [
        "Je prends ces 4 jours un par un : le lundi 14, le mardi 15, le jeudi 17 et le vendredi "
        "18 décembre.",
        BOTH_LATE,
        THURSDAY,
    ]


@pytest.mark.parametrize(
    "said",
    [
        "annuler jusqu'aux vacances de Noël",
        "annuler jusqu'aux vacances",
        "annuler le reste de la semaine",
        "annuler jusqu'à vendredi",  # item of its own: its late days were never said
    ],
)
def test_days_up_to_a_day_say_their_late_days_then_take_the_others(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    # A sick child's days: the two past their deadline said in one sentence (charged), as for
    # "toute la semaine", then the changes from the first day that can change.
    call = _léa(rt, client)
    answer = call.say(said)
    assert answer.says[:3] == [BOTH_LATE, THURSDAY_AND_FRIDAY, THURSDAY]
    assert FRIDAY in call.press("1").says
    call.press("1")
    assert booked(rt, "E2", date(2026, 12, 17)) is False
    assert booked(rt, "E2", date(2026, 12, 18)) is False
    assert booked(rt, "E2", date(2026, 12, 14)) is not False
    assert booked(rt, "E2", date(2026, 12, 15)) is not False


def test_up_to_a_day_with_one_day_left_says_the_late_ones_before_its_read_back(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _léa(rt, client)
    assert call.say("annuler jusqu'à jeudi").says[:2] == [BOTH_LATE, THURSDAY]


def test_the_week_school_starts_again_but_a_day(rt: Runtime, client: FlaskClient) -> None:
    # Was "dites les jours un par un", where "la semaine du 4 janvier sauf lundi" worked.
    call = _léa(rt, client)
    answer = call.say("annuler toute la semaine de la rentrée sauf lundi")
    assert answer.says[:2] == [
        "Je prends ces 3 jours un par un : le mardi 5, le jeudi 7 et le vendredi 8 janvier.",
        "Vous souhaitez annuler le repas de Léa le mardi 5 janvier.",
    ]


def test_three_keys_of_a_day_just_past_say_it_is_past(rt: Runtime, client: FlaskClient) -> None:
    # "412" on Monday 7 December was Saturday 4 December 2027 ("pas de restauration
    # scolaire"), where "0412" says Friday 4 December is past.
    call = _léa(rt, client, datetime(2026, 12, 7, 9, 30, tzinfo=PARIS))
    call.press("2")  # cancel
    assert call.press("412").says[0] == (
        "Il faut le jour et le mois, en 4 chiffres. Le vendredi 4 décembre est déjà passé."
    )


def test_three_keys_of_the_nearest_reading(rt: Runtime, client: FlaskClient) -> None:
    # "112" on Monday 30 November: 1 December, not 11 February (no hint at all before).
    call = _léa(rt, client, datetime(2026, 11, 30, 9, 30, tzinfo=PARIS))
    call.press("2")
    assert call.press("112").says[0].startswith(
        "Il faut le jour et le mois, en 4 chiffres. Trop tard pour le mardi 1er décembre : "
    )


@pytest.mark.parametrize(("answer", "keys"), [("2902", True), ("le 29 février", False)])
def test_a_29_february_the_coming_february_has_not(
    rt: Runtime, client: FlaskClient, answer: str, keys: bool
) -> None:
    # Was "Je ne connais pas encore le calendrier scolaire du mardi 29 février 2028".
    call = _léa(rt, client)
    call.press("2")
    said = call.press(answer) if keys else call.say(answer)
    assert said.says[0] == "Le 29 février n'existe pas en 2027."


def test_a_29_february_said_with_the_change(rt: Runtime, client: FlaskClient) -> None:
    call = _léa(rt, client)
    assert call.say("annuler le 29 février").says[0] == "Le 29 février n'existe pas en 2027."
