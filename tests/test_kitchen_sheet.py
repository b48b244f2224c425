"""The printed production sheet of a day, page by page: each delivery site's page (a delivery note,
which may be printed and handed on alone) says itself whether its figures are locked. A day not
locked — the lock overdue, being taken, or the cut-off still to come — carries the warning on
every site's page and never titles its figures "Effectif verrouillé"; a locked day still does.
Every page says when it was printed, and so does each day of the printed counts page.

The clock is pinned: Monday 23 November 2026, the cut-off of Thursday 26 (13:00)."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise

import pytest
from flask.testing import FlaskClient

from restomairie.config import Settings
from restomairie.runtime import Runtime
from tests.kitchen_support import FRI_CUTOFF, THU, THU_CUTOFF, TOKEN, small_town, with_token

AT_13_05 = THU_CUTOFF + timedelta(minutes=5)
PRINTED_13_05 = "Édité le lundi 23 novembre à 13 h 05."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    small_town(rt)
    return rt


def _sheet(client: FlaskClient, day: str, query: str = "") -> str:
    assert client.get(f"/kitchen/?token={TOKEN}").status_code == 303
    res = client.get(f"/kitchen/sheet/{day}{query}")
    assert res.status_code == 200
    return res.get_data(as_text=True)


def _sites(html: str) -> dict[str, str]:
    """Each delivery site's page of the sheet, by school id."""
    sections = re.findall(r'(<section class="sheet site" data-school="([^"]+)".*?</section>)',
                          html, re.S)
    return {school: section for section, school in sections}


def _summary(html: str) -> str:
    found = re.search(r'<section class="sheet summary".*?</section>', html, re.S)
    assert found is not None
    return found.group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_site_page_of_an_overdue_day_says_not_locked_and_never_locked(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = AT_13_05  # the scheduler is stopped: Thursday was never locked
    html = _sheet(client, "2026-11-26")
    sites = _sites(html)
    assert len(sites) == 10
    for school, page in sites.items():
        text = _text(page)
        assert "Effectif verrouillé" not in page, school
        assert "Effectif provisoire" in text, school
        assert ("NON VERROUILLÉ — EN RETARD : ces effectifs ne sont pas figés, le verrouillage "
                "prévu le lundi 23 novembre à 13 heures n'a pas eu lieu. Ne pas produire ni "
                "livrer sur ces chiffres" in text), school
        assert "Repas à livrer — chiffre provisoire, non verrouillé" in text, school
        assert PRINTED_13_05 in text, school
    # the summary's page has the day's warning on itself too, with the moment it was printed
    summary = _text(_summary(html))
    assert summary.startswith(" NON VERROUILLÉ — Verrouillage en retard")
    assert PRINTED_13_05 in summary


def test_every_site_page_of_a_provisional_day_says_so_with_its_lock_time(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = AT_13_05  # Friday 27: its cut-off is tomorrow at 13:00
    for page in _sites(_sheet(client, "2026-11-27")).values():
        text = _text(page)
        assert "Effectif verrouillé" not in page
        assert ("PROVISOIRE — NON VERROUILLÉ : ces effectifs peuvent encore changer jusqu'au "
                "verrouillage, le mardi 24 novembre à 13 heures. Ne pas produire ni livrer sur "
                "ces chiffres" in text)
        assert 'data-locked="false"' in page


def test_a_site_page_printed_alone_carries_its_own_warning(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = THU_CUTOFF + timedelta(minutes=2)  # the lock is being taken
    html = _sheet(client, "2026-11-26", "?school=josephine-baker-elem")
    assert 'class="sheet summary"' not in html
    (page,) = _sites(html).values()
    text = _text(page)
    assert "NON VERROUILLÉ — verrouillage en cours (heure limite : lundi 23 novembre à 13 heures)" in text
    assert "Effectif verrouillé" not in page and "Effectif provisoire" in text


def test_a_locked_day_still_says_locked_on_every_site_page(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = FRI_CUTOFF
    town.locks.lock_due()  # Thursday and Friday locked at Friday's cut-off
    town.clock.frozen = FRI_CUTOFF + timedelta(minutes=5)
    html = _sheet(client, "2026-11-27")
    for page in _sites(html).values():
        text = _text(page)
        assert "Effectif verrouillé" in text
        assert "NON VERROUILLÉ" not in text and "PROVISOIRE" not in text and "provisoire" not in text
        assert 'data-locked="true"' in page
        assert "Édité le mardi 24 novembre à 13 h 05." in text
    summary = _text(_summary(html))
    assert "Effectifs verrouillés le mardi 24 novembre à 13 heures" in summary
    assert "NON VERROUILLÉ" not in html and "PROVISOIRE" not in html


def test_each_day_of_the_printed_counts_page_says_when_it_was_printed(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = AT_13_05
    assert client.get(f"/kitchen/?token={TOKEN}").status_code == 303
    html = client.get("/kitchen/?from=2026-11-23").get_data(as_text=True)
    days = re.findall(r'<section class="day.*?</section>', html, re.S)
    assert len(days) == 5
    for day in days:
        assert f'<p class="printed-at print-only">{PRINTED_13_05}</p>' in day


def test_a_site_page_of_a_school_closed_that_day_says_so_before_the_lock(
    town: Runtime, client: FlaskClient
) -> None:
    from restomairie.booking.services import Actor
    from restomairie.staff.services import StaffService

    StaffService(town.booking).declare_closure(
        "anjou-elem", THU, THU, "strike", "", Actor("staff", "marie", "staff"))
    # Not locked yet (Monday morning, Thursday's cut-off at 13:00): its page read "Effectif"
    # and "Repas à livrer", as if its zeros were figures like any other day's.
    page = _sites(_sheet(client, "2026-11-26", "?school=anjou-elem"))["anjou-elem"]
    text = _text(page)
    assert '<th scope="col" class="num">Effectif (fermé : grève)</th>' in page
    assert ">Effectif<" not in page
    assert "Repas à livrer — fermé ce jour : grève 0" in text
    assert "Statut : fermé : grève" in text and "Fermé : grève." in text
    assert 'data-locked="false"' in page and "NON VERROUILLÉ" not in text
    # another school of the same day keeps its usual words
    other = _text(_sites(_sheet(client, "2026-11-26", "?school=josephine-baker-elem"))[
        "josephine-baker-elem"])
    assert "Effectif provisoire" in other and "fermé" not in other


def test_the_sheet_headings_never_skip_a_level_and_print_as_before(
    town: Runtime, client: FlaskClient
) -> None:
    # "Par site de livraison", "Ajustements après verrouillage" and "Départ cuisine et réception"
    # were h3 under the page's h1: a screen reader's outline lost a level. They are h2, styled
    # as the h3 were, so the printed sheet looks the same.
    from datetime import datetime

    from restomairie.booking.services import Actor
    from restomairie.clock import PARIS
    from restomairie.staff.services import StaffService

    town.clock.frozen = THU_CUTOFF + timedelta(seconds=2)
    town.locks.lock_due()
    town.clock.frozen = datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)
    StaffService(town.booking).declare_closure(  # after the lock: an adjustment on its page
        "anjou-elem", THU, THU, "strike", "", Actor("staff", "marie", "staff"))
    html = _sheet(client, "2026-11-26")
    assert "<h2>Ajustements après verrouillage</h2>" in html
    assert "<h2>Par site de livraison</h2>" in html
    for part in [_summary(html), *_sites(html).values()]:
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", part)]
        assert levels[0] == 1 and len(levels) > 1, levels
        assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    assert "<h3" not in html
    rule = re.compile(r"^(h3|\.sheet h2) \{ ([^}]*) \}$", re.M)
    styles = dict(rule.findall(html))
    assert styles["h3"] == styles[".sheet h2"] == "font-size: 1.05rem; margin: .8rem 0 .3rem;"
