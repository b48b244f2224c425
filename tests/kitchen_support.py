"""Shared data for the lock, kitchen and scheduler tests: a token-enabled configuration and a
small town whose counts are easy to check by hand."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from typing import Any

from restomairie.clock import PARIS
from restomairie.config import Settings
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family

TOKEN = "jeton-cuisine-0123456789"
THU = date(2026, 11, 26)  # deadline Monday 23 November, 13:00 (the test clock's Monday)
FRI = date(2026, 11, 27)  # deadline Tuesday 24 November, 13:00
THU_CUTOFF = datetime(2026, 11, 23, 13, 0, tzinfo=PARIS)
FRI_CUTOFF = datetime(2026, 11, 24, 13, 0, tzinfo=PARIS)


def with_token(settings: Settings, token: str | None = TOKEN) -> Settings:
    """``settings`` with (or without) a kitchen token, as if from RESTOMAIRIE_KITCHEN_TOKEN."""
    secrets = {k: v for k, v in settings.secrets.items() if k != "RESTOMAIRIE_KITCHEN_TOKEN"}
    if token is not None:
        secrets["RESTOMAIRIE_KITCHEN_TOKEN"] = token
    return dataclasses.replace(settings, secrets=secrets)


def small_town(rt: Runtime) -> None:
    """Thursday 26 and Friday 27 November: Anjou 1 standard + 1 sans porc; Joséphine Baker
    1 végétarien + 1 PAI (Éloïse books day by day: nothing); Buffon 1 standard."""
    make_family(rt, "210001", kids=[
        KidSpec("E1", "Léa"),
        KidSpec("E2", "Hugo", diet="sans_porc"),
    ])
    make_family(rt, "210002", phones=("+33611111111",), kids=[
        KidSpec("E3", "Inès", school="josephine-baker-elem", diet="vegetarien"),
        KidSpec("E4", "Zoé", school="josephine-baker-elem", diet="pai"),
        KidSpec("E5", "Éloïse", school="josephine-baker-elem", weekdays=0),
    ])
    make_family(rt, "210003", phones=("+33622222222",), kids=[
        KidSpec("E6", "Malo", school="buffon-mat"),
    ])


def login_form_csrf(client: Any) -> str:
    """The CSRF token of the kitchen's own login form, as a browser gets it: the form shown
    at ``/kitchen/`` to a browser without access (one with access was given it then)."""
    res = client.get("/kitchen/")
    if res.status_code == 200:  # a session is open: no form, the token it was given
        with client.session_transaction() as cookie:
            return str(cookie["csrf_token"])
    found = re.search(r'name="csrf_token" value="([^"]+)"', res.get_data(as_text=True))
    assert found is not None, "the login form has no CSRF token"
    return found.group(1)


def form_login(client: Any, token: str, **fields: str) -> Any:
    """Post the kitchen's login form as a browser does (its CSRF token included)."""
    return client.post("/kitchen/login",
                       data={"token": token, "csrf_token": login_form_csrf(client), **fields})
