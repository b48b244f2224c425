"""The closed line's answer: when it opens again, said as a day, and which meals can still be
booked or cancelled from then (the town's calendar under the phone's deadline rule), in the
language of the family the caller's number belongs to.

A parent calling at 13:05 or 21:30 heard "Elle est ouverte de 8 heures à 13 heures." and had to
work out whether that meant tomorrow, and whether tomorrow was still in time for the meal in
mind. Dijon: the line answers 8:00–13:00 every day, outside the summer closure (until 15 August
inclusive); a meal's deadline is 13:00 on the second operating day before it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time

import pytest
from flask.testing import FlaskClient

from restomairie.calendar.deadlines import CalendarDaysRule
from restomairie.clock import PARIS
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app

PHONE = "+33612345678"
WELCOME = "Bienvenue sur Resto-Mairie, la ligne des repas de restauration scolaire de Dijon."
WEB = "Vous pouvez aussi réserver ou annuler un repas sur l'espace famille du site www.dijon.fr."
TUESDAY_8 = "Elle rouvrira demain, mardi 24 novembre, de 8 heures à 13 heures."
FRIDAY_27 = (
    "Demain avant 13 heures, vous pourrez encore réserver ou annuler les repas à partir du "
    "vendredi 27 novembre."
)


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    return line_app(rt).test_client()


def _closed(rt: Runtime, client: FlaskClient, moment: datetime, number: str = PHONE) -> list[str]:
    rt.clock.frozen = moment
    answer = Caller(client, rt.settings, number).start()
    assert answer.hangup and answer.gather is None
    return answer.says


@pytest.mark.parametrize(
    ("moment", "reopens", "meals"),
    [
        # Monday 23 November, just after closing: Thursday 26's deadline has just passed,
        # Friday 27's is tomorrow at 13:00, while the line is open.
        (datetime(2026, 11, 23, 13, 5, tzinfo=PARIS), TUESDAY_8, FRIDAY_27),
        (datetime(2026, 11, 23, 21, 30, tzinfo=PARIS), TUESDAY_8, FRIDAY_27),
        # Friday 27 November, evening: the line opens on Saturday, the next deadline is
        # Monday's (for Thursday 3 December; Tuesday 1st's was today at 13:00).
        (
            datetime(2026, 11, 27, 21, 30, tzinfo=PARIS),
            "Elle rouvrira demain, samedi 28 novembre, de 8 heures à 13 heures.",
            "Avant le lundi 30 novembre à 13 heures, vous pourrez encore réserver ou annuler "
            "les repas à partir du jeudi 3 décembre.",
        ),
        # Sunday afternoon.
        (
            datetime(2026, 11, 22, 15, 0, tzinfo=PARIS),
            "Elle rouvrira demain, lundi 23 novembre, de 8 heures à 13 heures.",
            "Demain avant 13 heures, vous pourrez encore réserver ou annuler les repas à partir "
            "du jeudi 26 novembre.",
        ),
        # Before the line opens: today, not tomorrow.
        (
            datetime(2026, 11, 23, 7, 30, tzinfo=PARIS),
            "Elle ouvrira aujourd'hui de 8 heures à 13 heures.",
            "Aujourd'hui avant 13 heures, vous pourrez encore réserver ou annuler les repas à "
            "partir du jeudi 26 novembre.",
        ),
    ],
)
def test_the_closed_line_says_when_it_opens_and_the_first_meal_still_open_then(
    rt: Runtime, client: FlaskClient, moment: datetime, reopens: str, meals: str
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    assert _closed(rt, client, moment) == [
        WELCOME,
        "La ligne est fermée.",
        reopens,
        meals,
        WEB,
        "Au revoir.",
    ]


def test_during_the_summer_closure_the_first_meal_after_the_rentree_still_open_is_said(
    rt: Runtime, client: FlaskClient
) -> None:
    # Monday 10 August 2026: the line reopens on Sunday 16 August (the day after "jusqu'au
    # 15 août"). The rentrée, Tuesday 1 September, and Thursday 3 had their deadlines in July;
    # Friday 4's is the rentrée itself at 13:00.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    assert _closed(rt, client, datetime(2026, 8, 10, 9, 0, tzinfo=PARIS)) == [
        WELCOME,
        "La ligne est fermée pendant les vacances d'été ; elle rouvre le dimanche 16 août à "
        "8 heures.",
        "Avant le mardi 1er septembre à 13 heures, vous pourrez encore réserver ou annuler les "
        "repas à partir du vendredi 4 septembre.",
        WEB,
        "Au revoir.",
    ]


def test_no_meal_is_named_when_the_school_calendar_after_the_reopening_is_not_known(
    rt: Runtime, client: FlaskClient
) -> None:
    """Guard (passes on main too): the shipped calendar ends with the rentrée of 2 September
    2027, whose deadline was in July; after closing time on the eve of the 2027 summer closure
    no day is said rather than one guessed."""
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    says = _closed(rt, client, datetime(2027, 7, 3, 14, 0, tzinfo=PARIS))
    assert says[2:] == [WEB, "Au revoir."]
    assert not any("pourrez encore" in line for line in says)


@pytest.mark.parametrize(
    ("moment", "reopens", "meals"),
    [
        (
            datetime(2026, 11, 23, 21, 30, tzinfo=PARIS),
            "It opens again tomorrow, Tuesday 24 November, from 8:00 am to 1:00 pm.",
            "Tomorrow before 1:00 pm, you can still book or cancel the meals from Friday "
            "27 November.",
        ),
        (
            datetime(2026, 11, 27, 21, 30, tzinfo=PARIS),
            "It opens again tomorrow, Saturday 28 November, from 8:00 am to 1:00 pm.",
            "Before Monday 30 November at 1:00 pm, you can still book or cancel the meals from "
            "Thursday 3 December.",
        ),
        (
            datetime(2026, 11, 23, 7, 30, tzinfo=PARIS),
            "It opens today from 8:00 am to 1:00 pm.",
            "Today before 1:00 pm, you can still book or cancel the meals from Thursday "
            "26 November.",
        ),
    ],
)
def test_an_english_family_hears_when_the_line_opens_in_english(
    rt: Runtime, client: FlaskClient, moment: datetime, reopens: str, meals: str
) -> None:
    # The number belongs to one family, whose language is English: no code is asked.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Lea"),), language="en")
    says = _closed(rt, client, moment)
    assert says[1:4] == ["The line is closed.", reopens, meals]
    assert says[-1] == "Goodbye."


def test_an_unknown_or_shared_number_hears_the_closed_line_in_french(
    rt: Runtime, client: FlaskClient
) -> None:
    # A number two families share (one of them English) says nothing of either: French.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Lea"),), language="en")
    make_family(rt, "210002", "5678", (PHONE,), (KidSpec("E2", "Hugo"),))
    moment = datetime(2026, 11, 23, 21, 30, tzinfo=PARIS)
    for number in (PHONE, "+33699999999"):
        assert _closed(rt, client, moment, number)[1:4] == [
            "La ligne est fermée.",
            TUESDAY_8,
            FRIDAY_27,
        ]


@pytest.mark.parametrize(
    ("moment", "meals"),
    [
        # Monday evening: Thursday 26's deadline is Wednesday 25 at 00:00, the end of Tuesday.
        (
            datetime(2026, 11, 23, 21, 30, tzinfo=PARIS),
            "Avant le mardi 24 novembre à minuit, vous pourrez encore réserver ou annuler les "
            "repas à partir du jeudi 26 novembre.",
        ),
        # Sunday evening: Tuesday 24's deadline, Monday 00:00, is still ahead now but passes
        # before the line opens on Monday at 8: the first meal is counted at the reopening.
        (
            datetime(2026, 11, 22, 21, 30, tzinfo=PARIS),
            "Avant le mardi 24 novembre à minuit, vous pourrez encore réserver ou annuler les "
            "repas à partir du jeudi 26 novembre.",
        ),
    ],
)
def test_a_deadline_at_midnight_is_said_with_its_day_and_counted_from_the_reopening(
    rt: Runtime, moment: datetime, meals: str
) -> None:
    # Cesson-Sévigné's "jusqu'à J-2" (config/cesson-sevigne.toml): midnight the day before
    # the eve, never "demain avant minuit" (heard as the night to come or the next).
    town = Runtime.build(
        settings=dataclasses.replace(rt.settings, deadline=CalendarDaysRule(1, time(0))),
        clock=rt.clock,
        engine=rt.engine,
    )
    make_family(town, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    client = line_app(town).test_client()
    assert _closed(town, client, moment)[3] == meals
