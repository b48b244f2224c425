"""The kitchen pages in a real browser (Debian's chromium through Playwright): the login with the
token, the five days, the chart, the tablet and phone layouts, the CSV download and the printed
production sheets (one A4 page per delivery site)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.config import Settings
from restomairie.runtime import Runtime
from tests.browser_support import live_server, page  # noqa: F401
from tests.kitchen_support import THU, THU_CUTOFF, TOKEN, small_town, with_token

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("engine", ["sqlite"], indirect=True)]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def kitchen(rt: Runtime, page: Any) -> Any:  # noqa: F811
    """The small town, Thursday locked at its cut-off and adjusted since; logged in."""
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF
    rt.locks.lock_due()
    rt.clock.frozen = datetime(2026, 11, 23, 14, 0, tzinfo=PARIS)
    rt.booking.cancel("210001", [THU], Actor("staff", "marie", "staff"), ["E1"],
                      override_reason="malade, certificat")
    return _log_in(page)


@pytest.fixture
def overdue(rt: Runtime, page: Any) -> Any:  # noqa: F811
    """The small town at 13:05 on Monday, the scheduler stopped: Thursday is not locked; logged
    in."""
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF + timedelta(minutes=5)
    return _log_in(page)


def _log_in(page: Any) -> Any:  # noqa: F811
    page.goto("/kitchen/")  # 401: the login form
    assert page.get_by_role("heading", name="Accès cuisine").is_visible()
    page.get_by_label("Jeton d'accès").fill(TOKEN)
    page.get_by_role("button", name="Entrer").click()
    page.wait_for_url(re.compile(r"/kitchen/$"))
    errors: list[str] = []  # from here on: CSP violations, script errors, failed loads
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    return page


def test_kitchen_staff_see_the_next_five_days_locked_and_provisional(kitchen: Any) -> None:
    days = kitchen.locator("section.day")
    assert days.count() == 5
    assert [days.nth(i).get_attribute("data-locked") for i in range(5)] == [
        "true", "true", "true", "false", "false",
    ]
    thursday = kitchen.locator("#j-2026-11-26")
    assert thursday.get_by_role("heading").first.inner_text() == "Jeudi 26 novembre 2026"
    assert thursday.locator(".badge.locked").inner_text() == "Verrouillé"
    anjou = thursday.locator('tr[data-school="anjou-elem"] td[data-variant="standard"]')
    assert anjou.locator(".fig").inner_text() == "1"  # the locked figure, unchanged
    assert anjou.locator(".adj").inner_text() == "−1 → 0"  # the adjustment beside it
    adjustments = thursday.locator(".adjustments").inner_text()
    assert "changement forcé par le service" in adjustments
    assert "malade" not in adjustments  # the staff's motif stays with staff
    assert thursday.locator("[data-produce]").inner_text() == "3"

    friday = kitchen.locator("#j-2026-11-27")
    assert friday.locator(".badge.provisional").inner_text() == "Provisoire"
    assert "verrouillage, le mardi 24 novembre à 13 heures" in friday.locator(".meta").inner_text()
    baker = friday.locator('tr[data-school="josephine-baker-elem"]')
    assert baker.locator("th").inner_text().startswith("École élémentaire Joséphine Baker")
    assert baker.locator("td.total").inner_text() == "2"
    assert kitchen.console_errors == []


def test_the_chart_shows_each_day_s_total_locked_or_provisional(kitchen: Any) -> None:
    bars = kitchen.locator("figure.chart svg g.bar")
    assert bars.count() == 5
    assert kitchen.locator("figure.chart svg g.bar.locked").count() == 3
    assert kitchen.locator("figure.chart svg g.bar.provisional").count() == 2
    values = [bars.nth(i).locator("text").first.text_content() for i in range(5)]
    # meals delivered (Zoé's packed PAI meal apart); Thursday: one meal cancelled after the lock
    assert values == ["4", "4", "3", "4", "4"]
    heights = [float(bars.nth(i).locator("rect").get_attribute("height")) for i in range(5)]
    assert 0 < heights[2] < heights[0] == heights[1] == heights[3] == heights[4]
    title = kitchen.locator("figure.chart svg > title").text_content()
    assert "jeudi 26 novembre : 3 repas à livrer, plus 1 panier repas PAI apporté (verrouillé)" in title
    thursday = kitchen.locator("#j-2026-11-26")
    assert thursday.locator("[data-produce]").inner_text() == values[2]


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (1024, 768), (375, 740)])
def test_the_page_fits_a_tablet_and_a_phone_without_sideways_scrolling(
    kitchen: Any, width: int, height: int
) -> None:
    kitchen.set_viewport_size({"width": width, "height": height})
    kitchen.reload()
    overflow = kitchen.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    font = kitchen.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('table.counts td')).fontSize)"
    )
    assert font >= 15  # readable at arm's length in a kitchen
    button = kitchen.get_by_role("link", name="Fiches de production").first.bounding_box()
    assert button["height"] >= 44  # a finger, possibly gloved


def test_on_a_phone_the_day_s_total_and_the_meals_to_produce_are_on_screen(kitchen: Any) -> None:
    """At 390 px the counts are one card per school, with the day's totals below them: no
    figure is left in a box that scrolls sideways; the tablet keeps its table."""
    kitchen.set_viewport_size({"width": 390, "height": 844})
    kitchen.reload()
    thursday = kitchen.locator("#j-2026-11-26")
    for selector in ("[data-produce]", "[data-total]", 'tr[data-school="buffon-mat"] td.total'):
        box = thursday.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
    assert thursday.locator("[data-produce]").inner_text() == "3"
    wrap = thursday.locator(".table-wrap")
    assert wrap.evaluate("e => e.scrollWidth - e.clientWidth") <= 0  # nothing to scroll to
    label = thursday.locator('tr[data-school="anjou-elem"] td[data-variant="sans_porc"]')
    assert label.evaluate("e => getComputedStyle(e, '::before').content") == '"Sans porc "'
    day_label = kitchen.locator("figure.chart svg g.bar text.day").first
    assert day_label.bounding_box()["height"] >= 13  # the chart's days readable on a phone

    kitchen.set_viewport_size({"width": 768, "height": 1024})
    table = thursday.locator("table.counts")
    assert table.evaluate("e => getComputedStyle(e).display") == "table"
    assert thursday.locator("thead").is_visible()


def test_the_csv_link_downloads_the_excel_file_with_the_session(kitchen: Any, tmp_path: Path) -> None:
    with kitchen.expect_download() as download:
        kitchen.locator("#j-2026-11-26").get_by_role("link", name="Export CSV").click()
    target = tmp_path / "repas.csv"
    download.value.save_as(target)
    data = target.read_bytes()
    assert download.value.suggested_filename == "repas-2026-11-26.csv"
    assert data.startswith(b"\xef\xbb\xbfdate;code_ecole;")
    assert "École élémentaire Joséphine Baker;cuisine-centrale;pai;".encode() in data


def test_the_printed_page_keeps_the_tables_and_drops_the_screen_furniture(kitchen: Any) -> None:
    kitchen.emulate_media(media="print")
    hidden = kitchen.evaluate(
        "['header.top', 'figure.chart', 'nav.pager', 'p.actions']"
        ".map(s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none"] * 4
    assert kitchen.locator("section.day").first.evaluate("e => getComputedStyle(e).breakInside") == "avoid"


def test_the_production_sheet_prints_one_a4_page_per_delivery_site(kitchen: Any) -> None:
    kitchen.locator("#j-2026-11-26").get_by_role("link", name="Fiches de production").click()
    kitchen.wait_for_url(re.compile(r"/kitchen/sheet/2026-11-26"))
    # the print button is shown by the page's one script: the CSP hash lets exactly it run
    assert kitchen.get_by_role("button", name="Imprimer").is_visible()
    sites = kitchen.locator("section.sheet.site")
    assert sites.count() == 10
    baker = kitchen.locator('section.sheet.site[data-school="josephine-baker-elem"]')
    assert baker.get_by_role("heading", level=1).inner_text() == "École élémentaire Joséphine Baker"
    assert "Température à réception" in baker.inner_text()
    assert baker.locator('tr[data-variant="vegetarien"] td').last.inner_text() == "1"

    kitchen.emulate_media(media="print")
    assert sites.first.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    assert kitchen.locator(".toolbar").evaluate("e => getComputedStyle(e).display") == "none"
    pdf = kitchen.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 11  # the kitchen's summary, then one page per delivery site
    assert kitchen.console_errors == []


def test_an_overdue_day_s_sheet_warns_on_every_page_and_its_summary_fits_one(overdue: Any) -> None:
    overdue.goto("/kitchen/sheet/2026-11-26")
    pdf = overdue.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 11  # the summary, warning and ten schools on its one page, then the sites
    overdue.emulate_media(media="print")
    warnings = overdue.locator("section.sheet.site .unlocked-site")
    assert warnings.count() == 10 and all(w.is_visible() for w in warnings.all())
    assert "NON VERROUILLÉ" in warnings.first.inner_text()


def test_a_session_from_yesterday_asks_for_the_token_again(rt: Runtime, kitchen: Any) -> None:
    rt.clock.frozen = rt.clock.now() + timedelta(hours=13)
    kitchen.reload()
    assert kitchen.get_by_role("heading", name="Accès cuisine").is_visible()


def test_on_a_phone_the_production_sheet_reads_without_sideways_scrolling(kitchen: Any) -> None:
    """At 390 px the sheet's sites are cards, its signature grid off the screen; the tablet keeps
    the table, the printed sheet the table and the grid; a screen reader still reads a table."""
    kitchen.set_viewport_size({"width": 390, "height": 844})
    kitchen.goto("/kitchen/sheet/2026-11-26")
    assert kitchen.evaluate("document.documentElement.scrollWidth") <= 390
    by_site = kitchen.locator("table.by-site")
    assert by_site.evaluate("e => getComputedStyle(e).display") == "block"
    name = "Effectifs par site de livraison et par menu le jeudi 26 novembre"
    assert kitchen.get_by_role("table", name=name).count() == 1
    assert by_site.get_by_role("row").count() == 11  # the header row and ten sites
    assert by_site.get_by_role("columnheader", name="Sans porc").count() == 1
    anjou = by_site.locator('tr[data-school="anjou-elem"] td[data-variant="standard"]')
    assert anjou.evaluate("e => getComputedStyle(e, '::before').content") == '"Standard "'
    grids = kitchen.locator(".sign-grid")
    assert grids.count() == 10 and not any(g.is_visible() for g in grids.all())

    kitchen.emulate_media(media="print")
    assert all(g.is_visible() for g in grids.all())
    kitchen.emulate_media(media="screen")
    kitchen.set_viewport_size({"width": 1024, "height": 768})
    assert by_site.evaluate("e => getComputedStyle(e).display") == "table"
    assert grids.first.is_visible()
    assert kitchen.console_errors == []


def test_on_a_phone_the_day_buttons_fit_one_row_and_every_tap_target_a_finger(kitchen: Any) -> None:
    kitchen.set_viewport_size({"width": 390, "height": 844})
    kitchen.reload()
    days = kitchen.locator("nav.pager a.day-link")
    shown = [d.locator(".short").inner_text() for d in days.all() if d.locator(".short").is_visible()]
    assert shown == ["lun. 23", "mar. 24", "jeu. 26", "ven. 27", "lun. 30"]
    boxes = [d.bounding_box() for d in days.all()]
    assert len({round(b["y"]) for b in boxes}) == 1  # one row
    assert boxes[-1]["x"] + boxes[-1]["width"] <= 390
    # a screen reader hears the full date
    assert kitchen.get_by_role("link", name="jeudi 26 novembre", exact=True).count() == 1
    for address in ("/kitchen/", "/kitchen/sheet/2026-11-26"):
        kitchen.goto(address)
        heights = kitchen.evaluate(
            "[...document.querySelectorAll('a, button')].filter(e => e.offsetParent)"
            ".map(e => [e.textContent.trim(), e.getBoundingClientRect().height])")
        assert heights and all(h >= 44 for _, h in heights), heights


def test_a_day_s_sheet_leads_back_to_the_next_days(kitchen: Any) -> None:
    kitchen.set_viewport_size({"width": 390, "height": 844})
    kitchen.goto("/kitchen/sheet/2026-11-26")
    kitchen.get_by_role("link", name="Revenir aux prochains jours").click()
    kitchen.wait_for_url(re.compile(r"/kitchen/#j-2026-11-26$"))
    assert kitchen.locator("section.day").count() == 5
    assert kitchen.locator("#j-2026-11-26").is_visible()
