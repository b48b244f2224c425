"""The kitchen pages for a phone and a screen reader, in their HTML: the tables shown as cards on
a phone keep their table roles, headers and captions; the day buttons carry a short label and
the full date; a day's sheet leads back to the next days; an adjustment after the lock is said
in words, not only as a sign and a colour; the sheet's signature grid is apart, for the
stylesheet to leave it off a phone's screen (the browser checks are in test_kitchen_browser).

The clock is pinned: Monday 23 November 2026, Thursday 26 locked at its cut-off (13:00), one of
its meals cancelled by the staff at 14:00."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.config import Settings
from restomairie.runtime import Runtime
from tests.kitchen_support import THU, THU_CUTOFF, TOKEN, small_town, with_token


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    """Thursday locked, then Léa's meal cancelled by the staff (−1 standard at Anjou)."""
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF
    rt.locks.lock_due()
    rt.clock.frozen = datetime(2026, 11, 23, 14, 0, tzinfo=PARIS)
    rt.booking.cancel("210001", [THU], Actor("staff", "marie", "staff"), ["E1"],
                      override_reason="malade, certificat")
    return rt


def _get(client: FlaskClient, path: str) -> str:
    assert client.get(f"/kitchen/?token={TOKEN}").status_code == 303
    res = client.get(path)
    assert res.status_code == 200
    return res.get_data(as_text=True)


def _tables(html: str) -> list[str]:
    return re.findall(r"<table\b.*?</table>", html, re.S)


def _tag(html: str, name: str) -> list[str]:
    """The opening tags ``<name …>`` in ``html``."""
    return re.findall(rf"<{name}\b[^>]*>", html)


def _check_table_roles(table: str) -> None:
    """A table whose rows a phone shows as cards: every part says its table role."""
    opening = _tag(table, "table")[0]
    assert 'role="table"' in opening
    labelled = re.search(r'aria-labelledby="([^"]+)"', opening)
    assert labelled is not None
    assert re.search(rf'<caption[^>]* id="{labelled.group(1)}">[^<]+</caption>', table)
    for part in ("thead", "tbody", "tfoot"):
        assert all('role="rowgroup"' in t for t in _tag(table, part)), part
    assert _tag(table, "tr") and all('role="row"' in t for t in _tag(table, "tr"))
    assert _tag(table, "td") and all('role="cell"' in t for t in _tag(table, "td"))
    for th in _tag(table, "th"):
        assert ('scope="col"' in th and 'role="columnheader"' in th) or (
            'scope="row"' in th and 'role="rowheader"' in th), th


def test_the_sheet_s_tables_keep_their_captions_and_the_site_cards_their_table_roles(
    town: Runtime, client: FlaskClient
) -> None:
    html = _get(client, "/kitchen/sheet/2026-11-26")
    tables = _tables(html)
    assert len(tables) == 2 + 10 * 2  # the summary's two, then each site's menus and grid
    for table in tables:
        assert re.search(r"<caption[^>]*>[^<]+</caption>", table), table[:80]
    (by_site,) = [t for t in tables if "by-site" in _tag(t, "table")[0]]
    _check_table_roles(by_site)
    assert "Effectifs par site de livraison et par menu le jeudi 26 novembre" in by_site
    # each figure names its menu on a card (the header row is out of sight there)
    cells = _tag(by_site, "td")
    assert all("data-label=" in td for td in cells)
    assert 'data-label="Sans porc"' in by_site and 'data-label="À produire"' in by_site


def test_the_counts_page_tables_keep_their_roles_and_its_day_buttons_a_short_label(
    town: Runtime, client: FlaskClient
) -> None:
    html = _get(client, "/kitchen/")
    tables = _tables(html)
    assert len(tables) == 5
    for table in tables:
        _check_table_roles(table)
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    assert pager is not None
    days = re.findall(r'<a class="button day-link" href="#j-[^"]+">(.*?)</a>', pager.group(0))
    assert days[0] == ('<span class="long">lundi 23 novembre</span>'
                       '<span class="short" aria-hidden="true">lun. 23</span>')
    assert len(days) == 5 and "ven. 27" in days[3] and "vendredi 27 novembre" in days[3]


def test_a_day_s_sheet_leads_back_to_the_next_days(town: Runtime, client: FlaskClient) -> None:
    html = _get(client, "/kitchen/sheet/2026-11-26")
    back = re.findall(r'<a class="button" data-back href="([^"]+)">(.*?)</a>', html)
    assert back == [("/kitchen/#j-2026-11-26",
                     '<span aria-hidden="true">←</span> Revenir aux prochains jours')]
    assert "?from=" not in html  # the day is one of the next days: no second way back

    # a day further on: back to the next days, and its own counts as before
    html = _get(client, "/kitchen/sheet/2026-12-10")
    back = re.findall(r'<a class="button" data-back href="([^"]+)">', html)
    assert back == ["/kitchen/"]
    assert re.search(r'<a class="button" href="/kitchen/\?from=2026-12-10">Effectifs à partir du '
                     r'<span class="long">jeudi 10 décembre</span>', html)


def test_an_adjustment_after_the_lock_is_said_in_words(town: Runtime, client: FlaskClient) -> None:
    page = _get(client, "/kitchen/")
    thursday = re.search(r'<section class="day[^"]*" id="j-2026-11-26".*?</section>', page, re.S)
    assert thursday is not None
    anjou = re.search(r'<tr class="" data-school="anjou-elem".*?</tr>', thursday.group(0), re.S)
    assert anjou is not None
    standard = re.search(r'data-variant="standard"[^>]*>(.*?)</td>', anjou.group(0))
    assert standard is not None
    # the sign and the colour for the eye, the words for the ear
    assert standard.group(1) == (
        '<span class="fig">1</span> <span class="adj" aria-hidden="true" title="ajustement '
        'après verrouillage : −1, soit 0">−1 → 0</span><span class="visually-hidden" '
        'data-adj-words>, 1 repas retiré après verrouillage, soit 0</span>')

    sheet = _get(client, "/kitchen/sheet/2026-11-26?school=anjou-elem")
    row = re.search(r'<tr data-variant="standard">.*?</tr>', sheet, re.S)
    assert row is not None
    assert ('<td class="num"><span aria-hidden="true">−1</span><span class="visually-hidden">'
            '1 repas retiré après verrouillage</span></td>') in row.group(0)


def test_the_signature_grid_is_apart_for_the_phone_to_leave_it_off(
    town: Runtime, client: FlaskClient
) -> None:
    html = _get(client, "/kitchen/sheet/2026-11-26?school=anjou-elem")
    grid = re.search(r'<div class="sign-grid">(.*?)</div>', html, re.S)
    assert grid is not None
    assert "<h2>Départ cuisine et réception" in grid.group(1)
    assert '<table class="grid sign">' in grid.group(1)
    assert re.search(r"@media screen and \(max-width: 40rem\) \{\s*\.sign-grid \{ display: none; \}",
                     html)
