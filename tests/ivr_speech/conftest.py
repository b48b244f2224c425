"""Shared fixtures of the phone line's speech tests: each test is a whole call through the real
webhooks (signed like Twilio's), on a family of three identified by caller ID (Hugo, Léa, Zoé:
keys 1, 2, 3 in first-name order), every canteen day booked by subscription, on Monday 23
November 2026 unless a test says otherwise. A module that sets ``HUGO_WEEKDAYS = 0`` has Hugo
book day by day (nothing booked)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from restomairie.runtime import Runtime
from tests.factories import MON_TUE_THU_FRI
from tests.ivr_support import Caller, identified_three_children, line_app

PHONE = "+33612345678"


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    """A test client of the phone line's app on the test runtime."""
    return line_app(rt).test_client()


@pytest.fixture
def call(rt: Runtime, client: FlaskClient, request: pytest.FixtureRequest) -> Caller:
    """A call identified for the family of three, at the child menu."""
    weekdays = getattr(request.module, "HUGO_WEEKDAYS", MON_TUE_THU_FRI)
    return identified_three_children(rt, client, PHONE, hugo_weekdays=weekdays)
