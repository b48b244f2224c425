"""The phone line at the end of the shipped school calendar (Dijon, zone A: it ends with the
rentrée on Thursday 2 September 2027; the line is closed in the summer holidays until 15 August):
whole signed calls, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app

PHONE = "+33612345678"
DESK_FR = (
    "Pour parler à quelqu'un, appelez le Centre de traitement unique de la facturation au "
    "03 80 74 51 51, du lundi au vendredi de 8 heures à 18 heures."
)


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    app: Flask = line_app(rt)
    return app.test_client()


def _call(rt: Runtime, client: FlaskClient, moment: datetime, phone: str = PHONE) -> Caller:
    rt.clock.frozen = moment
    call = Caller(client, rt.settings, phone)
    call.start()
    return call


def test_a_day_past_the_calendar_is_not_promised_for_a_time_the_town_cannot_keep(
    rt: Runtime, client: FlaskClient
) -> None:
    # 2 July 2027, 12:30: Friday 3 September's deadline, were it a school day, is today at
    # 13:00. The line said it "pourra être changé dès la publication du calendrier, avant
    # 13 heures aujourd'hui": 30 minutes for a calendar the town had not loaded, the line
    # closing for the summer. Said instead: not on this line for now, the deadline, and who
    # to call.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    call = _call(rt, client, datetime(2027, 7, 2, 12, 30, tzinfo=PARIS))
    call.keys("1234", "1")
    said = call.press("0309").says[0]
    assert said == (
        "Je ne connais pas encore le calendrier scolaire du vendredi 3 septembre 2027 : la "
        "mairie ne l'a pas encore chargé, et ce repas ne peut donc pas être changé sur cette "
        "ligne pour l'instant. S'il y a cantine ce jour-là, il faudrait le changer aujourd'hui "
        f"avant 13 heures. {DESK_FR}"
    )
    assert "dès la publication" not in said


def test_in_late_summer_a_day_past_the_calendar_has_no_deadline_promised(
    rt: Runtime, client: FlaskClient
) -> None:
    # 30 August 2027: Monday 6 September's deadline counts back through Friday 3, not known.
    # "ce repas pourra être changé dès qu'il sera publié" promised a change with no limit,
    # whose deadline may well be gone by the time the town loads the calendar.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    call = _call(rt, client, datetime(2027, 8, 30, 9, 0, tzinfo=PARIS))
    call.keys("1234", "1")
    assert call.press("0609").says[0] == (
        "Je ne connais pas encore le calendrier scolaire du lundi 6 septembre 2027 : la mairie "
        "ne l'a pas encore chargé, et je ne peux donc pas encore dire jusqu'à quand ce repas "
        f"pourra être changé. {DESK_FR}"
    )


def test_in_late_summer_an_english_family_hears_the_same_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Lea"),), language="en")
    call = _call(rt, client, datetime(2027, 8, 30, 9, 0, tzinfo=PARIS))
    call.keys("1234", "1")
    said = call.press("0609").says[0]
    assert said.startswith(
        "I do not know the school calendar of Monday 6 September 2027 yet: the town has not "
        "loaded it, so I cannot tell yet until when this meal can be changed. To speak to "
        "someone, call the billing centre on 03 80 74 51 51"
    )


TUE_FRI = 1 << 1 | 1 << 4


def test_late_august_listening_says_what_is_known_not_no_meal_in_two_weeks(
    rt: Runtime, client: FlaskClient
) -> None:
    # 23 August 2027: the two weeks reach past the calendar, which ends with the rentrée on
    # Thursday 2 September. Margaux, subscribed on Tuesdays and Fridays, heard "aucun repas
    # réservé dans les deux prochaines semaines", as if her subscription had stopped.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Margaux", weekdays=TUE_FRI),))
    call = _call(rt, client, datetime(2027, 8, 23, 9, 0, tzinfo=PARIS))
    listing = call.keys("1234", "3")
    assert listing.says[:3] == [
        "Pas de restauration scolaire pendant les vacances d'été ; reprise le jeudi 2 septembre.",
        "Margaux : aucun repas réservé jusqu'au jeudi 2 septembre inclus.",
        "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu ; dès qu'il le "
        "sera, les jours d'abonnement de Margaux seront réservés comme d'habitude.",
    ]
    assert not any("deux prochaines semaines" in line for line in listing.says)


def test_late_august_listening_promises_no_subscription_to_a_family_booking_day_by_day(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0),))
    call = _call(rt, client, datetime(2027, 8, 23, 9, 0, tzinfo=PARIS))
    listing = call.keys("1234", "3")
    assert listing.says[1:3] == [
        "Léa : aucun repas réservé jusqu'au jeudi 2 septembre inclus.",
        "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu.",
    ]


def test_late_august_the_date_question_says_the_rentree_itself_cannot_change(
    rt: Runtime, client: FlaskClient
) -> None:
    # "Aucun jour ne peut être changé d'ici le jeudi 2 septembre" left 2 September itself in
    # doubt: its deadline was Thursday 1 July.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    call = _call(rt, client, datetime(2027, 8, 23, 9, 0, tzinfo=PARIS))
    question = call.keys("1234", "1")
    assert question.says[2] == (
        "Aucun jour jusqu'au jeudi 2 septembre inclus ne peut plus être changé, et le "
        "calendrier scolaire après cette date n'est pas encore connu."
    )


SUMMER_REOPENING = (
    "La ligne est fermée pendant les vacances d'été ; elle rouvre le lundi 16 août à 8 heures."
)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2027, 7, 3, 14, 0, tzinfo=PARIS),  # the last open day, after 13:00
        datetime(2027, 7, 3, 23, 30, tzinfo=PARIS),
    ],
)
def test_after_hours_on_the_eve_of_the_summer_closure_the_line_says_when_it_reopens(
    rt: Runtime, client: FlaskClient, moment: datetime
) -> None:
    # The summer holidays (and the closure) start on Sunday 4 July 2027. A parent calling on
    # Saturday 3 July after 13:00 heard "Elle est ouverte de 8 heures à 13 heures", and would
    # call again at 8 the next morning, to a closed line until 16 August.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    rt.clock.frozen = moment
    closed = Caller(client, rt.settings, PHONE).start()
    assert closed.hangup
    assert closed.says[1] == SUMMER_REOPENING
    assert not any("ouverte de 8 heures" in line for line in closed.says)


def test_after_hours_on_an_ordinary_day_the_line_still_says_its_next_opening(
    rt: Runtime, client: FlaskClient
) -> None:
    # Guard: the day before (its next opening is Saturday 3 July at 8), and the 16 August
    # reopening itself before 8.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    for moment, opens in (
        (
            datetime(2027, 7, 2, 14, 0, tzinfo=PARIS),
            "Elle rouvrira demain, samedi 3 juillet, de 8 heures à 13 heures.",
        ),
        (datetime(2027, 8, 16, 7, 0, tzinfo=PARIS), "Elle ouvrira aujourd'hui de 8 heures à 13 heures."),
    ):
        rt.clock.frozen = moment
        closed = Caller(client, rt.settings, PHONE).start()
        assert closed.says[1:3] == ["La ligne est fermée.", opens]


def test_a_call_failing_after_closing_time_on_the_eve_of_the_summer_closure_says_16_august(
    rt: Runtime, client: FlaskClient
) -> None:
    # Begun at 12:59 on Saturday 3 July 2027, it ended with "Vous pouvez rappeler entre
    # 8 heures et 13 heures", the line being closed from the next day until 16 August.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    call = _call(rt, client, datetime(2027, 7, 3, 12, 59, tzinfo=PARIS))
    call.press("1234")
    rt.clock.frozen = datetime(2027, 7, 3, 13, 1, tzinfo=PARIS)
    call.silence()
    call.silence()
    bye = call.silence()
    assert bye.hangup
    assert bye.says[1].startswith(
        "Vous pourrez rappeler à partir du lundi 16 août à 8 heures. "
    )


def test_an_english_family_hears_the_summer_reopening_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Lea"),), language="en")
    rt.clock.frozen = datetime(2027, 7, 3, 14, 0, tzinfo=PARIS)
    closed = Caller(client, rt.settings, PHONE).start()
    assert closed.says[1] == (
        "The line is closed during the summer holidays; it opens again on Monday 16 August at "
        "8:00 am."
    )
