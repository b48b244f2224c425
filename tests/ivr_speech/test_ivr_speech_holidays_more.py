"""« jusqu'à Noël », « les deux derniers jours avant les vacances », « lundi prochain » said
on a Sunday, « le lundi d'après », « la semaine d'après » and « la semaine de la rentrée »
said in the spring, on the phone line, end to end. The parser's side is in
tests/test_speech_holidays_more.py.

Each test is a whole call through the real webhooks (signed like Twilio's), for a family with
one child, Léa, booked every canteen day by subscription. On Monday 14 December 2026 at 9:30
the Christmas holidays (zone A) start on Saturday 19 December, Monday 14 and Tuesday 15 are
past their deadline, Thursday 17 and Friday 18 are not.
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
MON_23_NOV = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
SUN_29_NOV = datetime(2026, 11, 29, 9, 30, tzinfo=PARIS)
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


@pytest.mark.parametrize("said", ["annuler jusqu'à Noël", "Annuler jusqu'à Noël pour Léa."])
def test_up_to_christmas_is_up_to_the_holidays(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    # Was "dites les jours un par un": the days up to the Christmas holidays, as "jusqu'aux
    # vacances de Noël": the late ones said together, then each other one read back.
    call = _léa(rt, client)
    assert call.say(said).says[:3] == [BOTH_LATE, THURSDAY_AND_FRIDAY, THURSDAY]
    assert FRIDAY in call.press("1").says
    call.press("1")
    assert booked(rt, "E2", date(2026, 12, 17)) is False
    assert booked(rt, "E2", date(2026, 12, 18)) is False
    assert booked(rt, "E2", date(2026, 12, 15)) is not False


@pytest.mark.parametrize(
    "said",
    [
        "annuler les deux derniers jours avant les vacances",
        "annuler les deux derniers jours avant Noël",
    ],
)
def test_the_last_two_days_before_the_holidays(rt: Runtime, client: FlaskClient, said: str) -> None:
    # Was "dites les jours un par un": Thursday 17 and Friday 18, named, then each read back.
    call = _léa(rt, client)
    assert call.say(said).says[:2] == [THURSDAY_AND_FRIDAY, THURSDAY]
    assert FRIDAY in call.press("1").says
    call.press("1")
    assert booked(rt, "E2", date(2026, 12, 17)) is False
    assert booked(rt, "E2", date(2026, 12, 18)) is False


def test_the_last_three_days_before_christmas_say_the_late_one(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _léa(rt, client)
    # Days named, as "mardi, jeudi et vendredi": each taken in turn, Tuesday refused first.
    answer = call.say("annuler les trois derniers jours avant Noël")
    assert answer.says[0] == (
        "Je prends ces 3 jours un par un : le mardi 15, le jeudi 17 et le vendredi 18 décembre."
    )
    assert answer.says[1].startswith("Trop tard pour le mardi 15 décembre")
    assert THURSDAY in answer.says


def test_lundi_prochain_on_a_sunday_is_tomorrow_said_with_its_date(
    rt: Runtime, client: FlaskClient
) -> None:
    # Was Monday 7 December, in 8 days, read back as if certain. Tomorrow, as most mean it:
    # past its deadline, and the refusal names it in full, so a parent who meant the one
    # after says so.
    call = _léa(rt, client, SUN_29_NOV)
    answer = call.say("annuler lundi prochain")
    assert answer.says[0].startswith(
        "Trop tard pour le lundi 30 novembre : il fallait annuler avant le jeudi 26 novembre"
    )
    again = call.say("Non, le lundi 7 décembre.")
    assert again.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 7 décembre."
    call.press("1")
    assert booked(rt, "E2", date(2026, 12, 7)) is False
    assert booked(rt, "E2", date(2026, 11, 30)) is not False


@pytest.mark.parametrize(
    ("said", "day", "meal"),
    [
        ("annuler le lundi d'après", "lundi 7 décembre", date(2026, 12, 7)),
        ("annuler mardi de la semaine d'après", "mardi 8 décembre", date(2026, 12, 8)),
    ],
)
def test_d_apres_is_after_the_next_one(
    rt: Runtime, client: FlaskClient, said: str, day: str, meal: date
) -> None:
    # "Le lundi d'après" was not understood; "mardi de la semaine d'après" was next week's.
    call = _léa(rt, client, MON_23_NOV)
    assert call.say(said).says[0] == f"Vous souhaitez annuler le repas de Léa le {day}."
    call.press("1")
    assert booked(rt, "E2", meal) is False


def test_the_week_d_apres_is_the_week_after_next(rt: Runtime, client: FlaskClient) -> None:
    call = _léa(rt, client, MON_23_NOV)
    assert call.say("annuler la semaine d'après").says[:2] == [
        "Je prends ces 4 jours un par un : le lundi 7, le mardi 8, le jeudi 10 et le vendredi 11 "
        "décembre.",
        "Vous souhaitez annuler le repas de Léa le lundi 7 décembre.",
    ]


@pytest.mark.parametrize(
    "at",
    [
        datetime(2027, 4, 26, 9, 30, tzinfo=PARIS),  # before the Ascension bridge
        datetime(2027, 5, 3, 9, 30, tzinfo=PARIS),
    ],
)
def test_the_return_week_in_spring_is_septembers_not_known_yet(
    rt: Runtime, client: FlaskClient, at: datetime
) -> None:
    # Was the week after the Ascension bridge (10–14 May), taken as "la rentrée" and read
    # back day by day. The return is September's, whose week the shipped calendar does not
    # cover past Thursday 2: said plainly, as on 10 May already, and nothing changed.
    call = _léa(rt, client, at)
    answer = call.say("annuler toute la semaine de la rentrée")
    assert answer.says[0].startswith(
        "Je ne connais pas encore le calendrier scolaire du vendredi 3 septembre 2027 : la "
        "mairie ne l'a pas encore chargé, et ce repas ne peut donc pas être changé sur cette "
        "ligne pour l'instant. S'il y a cantine ce jour-là, il faudrait le changer avant le "
        "vendredi 2 juillet à 13 heures. Pour parler à quelqu'un, appelez le Centre"
    )
    assert answer.says[1] == "Pour quel jour voulez-vous annuler ?"
    assert not any(said.startswith("Je prends") for said in answer.says)
    assert booked(rt, "E2", date(2027, 5, 10)) is not False


def test_the_return_day_in_spring_is_septembers(rt: Runtime, client: FlaskClient) -> None:
    # Was Monday 10 May, after the Ascension bridge.
    call = _léa(rt, client, datetime(2027, 4, 26, 9, 30, tzinfo=PARIS))
    answer = call.say("annuler le jour de la rentrée")
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 2 septembre."
