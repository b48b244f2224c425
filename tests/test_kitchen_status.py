"""What the kitchen is told about a day, end to end through the Flask app: a kitchen account's
home page links to the kitchen pages by name.

The clock is pinned: Monday 23 November 2026, 10:00."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from restomairie.config import Settings
from restomairie.runtime import Runtime
from tests.kitchen_support import small_town, with_token
from tests.staff_support import login, make_user


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    small_town(rt)
    return rt


# --------------------------------------------------------------------------- 3. a kitchen account
def test_a_kitchen_account_lands_on_named_links_that_all_work(
    town: Runtime, client: FlaskClient
) -> None:
    make_user(town, "cuisine1", "kitchen")
    assert login(client, "cuisine1").status_code == 302
    home = client.get("/staff/").get_data(as_text=True)
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', home)
    assert [label for _href, label in links] == [
        "Effectifs des repas des prochains jours",
        "Fiches de production du lundi 23 novembre",
        "Effectifs du lundi 23 novembre en tableur (CSV)",
    ]
    for href, label in links:
        res = client.get(href.replace("&amp;", "&"))
        assert res.status_code == 200, (label, res.status_code)
    assert ">/kitchen/" not in home
