"""Whole calls with a day a week on: « jeudi en 8 » said on a Thursday (it was read back two
weeks ahead) and « vendredi prochain » said on a Thursday (it was tomorrow again, just
refused). The parser's side is in tests/test_speech_weeks_on.py.

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
