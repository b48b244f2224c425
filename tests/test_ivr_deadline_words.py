"""How the phone line says a deadline: today's, tomorrow's and yesterday's as such, the day
first ("aujourd'hui avant 13 heures", "hier avant 13 heures": never "avant hier", heard as
*avant-hier*), any other with its date; and the read-back's warning when the change's deadline
is minutes away.

Whole calls through the signed webhooks, on Monday 23 November 2026 (Thursday 26's deadline is
that Monday at 13:00).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time

import pytest
from flask.testing import FlaskClient

from restomairie.calendar.deadlines import CalendarDaysRule, DeadlineRule, WorkingHoursRule
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.ivr.prompts import Speaker
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app

PHONE = "+33612345678"
MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("lang", "deadline", "said"),
    [
        # Today, tomorrow and yesterday first, then the hour ("aujourd'hui avant 13 heures"),
        # in every sentence with a deadline: the refusals said "avant 13 heures aujourd'hui"
        # and the warning before holidays "aujourd'hui avant 13 heures", two orders for one
        # thing.
        ("fr", datetime(2026, 11, 23, 13, 0), "aujourd'hui avant 13 heures"),
        ("fr", datetime(2026, 11, 24, 13, 0), "demain avant 13 heures"),
        ("fr", datetime(2026, 11, 26, 12, 30), "avant le jeudi 26 novembre à 12 h 30"),
        # Yesterday's as such, "hier" first: "avant hier à 13 heures" would be heard as
        # "avant-hier" (it was "le dimanche 22 novembre", a date to work out on the Monday).
        ("fr", datetime(2026, 11, 22, 13, 0), "hier avant 13 heures"),
        ("fr", datetime(2026, 11, 21, 13, 0), "avant le samedi 21 novembre à 13 heures"),
        ("fr", datetime(2026, 11, 20, 13, 0), "avant le vendredi 20 novembre à 13 heures"),
        # A deadline at midnight is the end of the day before, said "à minuit" with that day
        # (it was "à 24 heures"), never "demain": tonight's is "minuit ce soir".
        ("fr", datetime(2026, 11, 24, 0, 0), "avant minuit ce soir"),
        ("fr", datetime(2026, 11, 25, 0, 0), "avant le mardi 24 novembre à minuit"),
        ("fr", datetime(2026, 11, 23, 0, 0), "avant le dimanche 22 novembre à minuit"),
        ("fr", datetime(2026, 12, 2, 0, 0), "avant le mardi 1er décembre à minuit"),
        ("en", datetime(2026, 11, 23, 13, 0), "today before 1:00 pm"),
        ("en", datetime(2026, 11, 24, 13, 0), "tomorrow before 1:00 pm"),
        ("en", datetime(2026, 11, 20, 13, 0), "before Friday 20 November at 1:00 pm"),
        ("en", datetime(2026, 11, 22, 13, 0), "yesterday before 1:00 pm"),
        ("en", datetime(2026, 11, 24, 0, 0), "before midnight tonight"),
        ("en", datetime(2026, 11, 25, 0, 0), "before midnight on Tuesday 24 November"),
        ("en", datetime(2026, 11, 23, 0, 0), "before midnight on Sunday 22 November"),
    ],
)
def test_a_deadline_is_said_relative_to_today_when_it_is_today_or_tomorrow(
    settings: Settings, lang: str, deadline: datetime, said: str
) -> None:
    speaker = Speaker(settings, lang, Clock(frozen=MORNING))
    assert speaker.before(deadline.replace(tzinfo=PARIS)) == said


def test_without_a_clock_a_deadline_is_said_with_its_date(settings: Settings) -> None:
    deadline = datetime(2026, 11, 23, 13, 0, tzinfo=PARIS)
    assert Speaker(settings, "fr").before(deadline) == "avant le lundi 23 novembre à 13 heures"


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    return line_app(rt).test_client()


def read_back_at(
    rt: Runtime, client: FlaskClient, moment: datetime, language: str = "fr"
) -> list[str]:
    """What the caller hears at the read-back of Thursday 26's cancellation, at ``moment``."""
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language=language)
    rt.clock.frozen = moment
    call = Caller(client, rt.settings, PHONE)
    call.start()
    return call.keys("1234", "2", "2611").says


@pytest.mark.parametrize(
    ("moment", "warning"),
    [
        (datetime(2026, 11, 23, 12, 49, 59, tzinfo=PARIS), None),
        (
            datetime(2026, 11, 23, 12, 50, 1, tzinfo=PARIS),
            "Attention : ce changement n'est possible qu'avant 13 heures, dans moins de 10 "
            "minutes.",
        ),
        (
            datetime(2026, 11, 23, 12, 56, 20, tzinfo=PARIS),
            "Attention : ce changement n'est possible qu'avant 13 heures, dans moins de 4 minutes.",
        ),
        (
            # five minutes exactly: it was "moins de 6 minutes"
            datetime(2026, 11, 23, 12, 55, tzinfo=PARIS),
            "Attention : ce changement n'est possible qu'avant 13 heures, dans moins de 5 minutes.",
        ),
        (
            datetime(2026, 11, 23, 12, 59, 59, tzinfo=PARIS),
            "Attention : ce changement n'est possible qu'avant 13 heures, dans moins d'une minute.",
        ),
    ],
)
def test_a_change_read_back_minutes_before_its_deadline_says_how_little_time_is_left(
    rt: Runtime, client: FlaskClient, moment: datetime, warning: str | None
) -> None:
    says = read_back_at(rt, client, moment)
    assert says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    if warning is None:
        assert says[1].startswith("Pour confirmer, tapez 1.")
    else:
        assert says[1:3] == [
            warning,
            "Pour confirmer, tapez 1. Pour choisir une autre date, tapez 2.",
        ]


def test_an_english_family_hears_the_warning_in_english(rt: Runtime, client: FlaskClient) -> None:
    says = read_back_at(rt, client, datetime(2026, 11, 23, 12, 58, 10, tzinfo=PARIS), "en")
    assert says[1] == (
        "Please note: this change is only possible before 1:00 pm, in less than 2 minutes."
    )


def test_a_day_whose_deadline_is_days_away_gets_no_warning(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 0, tzinfo=PARIS)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    says = call.keys("1234", "2", "0412").says  # Friday 4 December: its deadline is days away
    assert says[0] == "Vous souhaitez annuler le repas de Léa le vendredi 4 décembre."
    assert not any(s.startswith("Attention") for s in says)


def town_line(rt: Runtime, rule: DeadlineRule, language: str = "fr") -> FlaskClient:
    """The line of a town whose families' deadline is ``rule``, with Léa (Mon, Tue, Thu, Fri)."""
    town = Runtime.build(
        settings=dataclasses.replace(rt.settings, deadline=rule), clock=rt.clock, engine=rt.engine
    )
    make_family(town, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language=language)
    return line_app(town).test_client()


@pytest.mark.parametrize(
    ("rule", "language", "said"),
    [
        # Cesson-Sévigné's "jusqu'à J-2" (config/cesson-sevigne.toml): Tuesday 24's deadline is
        # Monday 23 at 00:00, the end of Sunday. It was "avant le dimanche 22 novembre à 24
        # heures" ("the end of Sunday 22 November").
        (
            CalendarDaysRule(1, time(0)),
            "fr",
            "Trop tard pour le mardi 24 novembre : il fallait annuler avant le dimanche 22 "
            "novembre à minuit. Le repas sera facturé, sauf maladie signalée à l'école.",
        ),
        (
            CalendarDaysRule(1, time(0)),
            "en",
            "Too late for Tuesday 24 November: you had to cancel before midnight on Sunday 22 "
            "November. The meal will be charged, unless an illness is reported to the school.",
        ),
        # 24 working hours before the meal day, weekends not counted (Villepreux's kind of rule):
        # the end of a Sunday all the same, the hours count back to Monday 00:00.
        (
            WorkingHoursRule(24),
            "fr",
            "Trop tard pour le mardi 24 novembre : il fallait annuler avant le dimanche 22 "
            "novembre à minuit. Le repas sera facturé, sauf maladie signalée à l'école.",
        ),
    ],
)
def test_a_deadline_passed_at_midnight_is_said_at_midnight_the_day_before(
    rt: Runtime, rule: DeadlineRule, language: str, said: str
) -> None:
    rt.clock.frozen = MORNING
    call = Caller(town_line(rt, rule, language), rt.settings, PHONE)
    call.start()
    assert call.keys("1234", "2", "2411").says[0] == said


def test_a_deadline_at_midnight_tonight_is_said_so(rt: Runtime) -> None:
    # On Tuesday 24, Thursday 26's deadline under "jusqu'à J-2" is Wednesday 25 at 00:00.
    rt.clock.frozen = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
    call = Caller(town_line(rt, CalendarDaysRule(1, time(0))), rt.settings, PHONE)
    call.start()
    call.keys("1234")
    answer = call.say("Est-ce que Léa mange jeudi ?")
    assert answer.says[:2] == [
        "Le jeudi 26 novembre, Léa a un repas réservé.",
        "Ce jour peut encore être changé avant minuit ce soir.",
    ]


def test_a_refusal_the_day_after_the_deadline_says_yesterday(
    rt: Runtime, client: FlaskClient
) -> None:
    # On Friday 27, Monday 30's deadline was Thursday 26 at 13:00: it was "il fallait annuler
    # avant le jeudi 26 novembre à 13 heures", a date the parent had to work out was yesterday.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    rt.clock.frozen = datetime(2026, 11, 27, 10, 0, tzinfo=PARIS)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    says = call.keys("1234", "2", "3011").says
    assert says[0].startswith(
        "Trop tard pour le lundi 30 novembre : il fallait annuler hier avant 13 heures."
    )
