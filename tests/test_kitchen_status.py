"""What the kitchen is told about a day, end to end through the Flask app and the command line: a
lock the scheduler missed is overdue everywhere (page, JSON, CSV, ``counts``) and a late lock has
one badge; the headline figure is the meals delivered (packed PAI meals apart); a kitchen account's
home page links to the kitchen pages by name; the page's first sentence agrees in number.

The clock is pinned: Monday 23 November 2026, the cut-off of Thursday 26 (13:00)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select

from restomairie.booking.locks import LATE_AFTER
from restomairie.cli import main
from restomairie.clock import PARIS
from restomairie.config import Settings
from restomairie.kitchen.service import KitchenService
from restomairie.models import DayLock
from restomairie.runtime import Runtime
from tests.kitchen_support import FRI, THU, THU_CUTOFF, TOKEN, small_town, with_token
from tests.staff_support import login, make_user

AUTH = {"Authorization": f"Bearer {TOKEN}"}
AT_13_05 = THU_CUTOFF + timedelta(minutes=5)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    small_town(rt)
    return rt


def _kitchen(client: FlaskClient) -> FlaskClient:
    assert client.get(f"/kitchen/?token={TOKEN}").status_code == 303
    return client


def _page(client: FlaskClient, start: str = "2026-11-23") -> str:
    res = client.get(f"/kitchen/?from={start}")
    assert res.status_code == 200
    return res.get_data(as_text=True)


def _section(html: str, day: str) -> str:
    found = re.search(rf'<section class="day[^"]*" id="j-{day}".*?</section>', html, re.S)
    assert found, day
    return found.group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _badges(section: str) -> list[str]:
    return re.findall(r'<span class="badge[^"]*">([^<]*)</span>', section)


def _json(client: FlaskClient, day: str) -> Any:
    return client.get("/kitchen/counts", query_string={"date": day}, headers=AUTH).get_json()


def _csv_status(client: FlaskClient, day: str) -> set[str]:
    res = client.get("/kitchen/counts", query_string={"date": day, "format": "csv"}, headers=AUTH)
    rows = csv.DictReader(io.StringIO(res.data.decode("utf-8-sig")), delimiter=";")
    return {r["statut"] for r in rows if r["code_ecole"] == "anjou-elem"}


# --------------------------------------------------------------------------- 1. the overdue lock
def test_at_13_05_with_the_scheduler_stopped_every_reader_says_the_lock_is_overdue(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = AT_13_05  # nothing was ever locked: the scheduler is stopped
    html = _page(_kitchen(client))

    thursday = _section(html, "2026-11-26")
    assert 'data-status="overdue"' in thursday and 'data-locked="false"' in thursday
    assert _badges(thursday) == ["Verrouillage en retard"]
    text = _text(thursday)
    assert (
        "Verrouillage en retard : ce jour devait être verrouillé le lundi 23 novembre à 13 heures "
        "et le planificateur ne l'a pas fait." in text
    )
    assert "prévenez le service informatique" in text
    assert "peuvent encore changer" not in text  # no promise about a moment already past
    # Monday 23 and Tuesday 24 (cut-offs on 19 and 20 November) were missed too
    for day in ("2026-11-23", "2026-11-24"):
        assert _badges(_section(html, day)) == ["Verrouillage en retard"]
    friday = _section(html, "2026-11-27")
    assert _badges(friday) == ["Provisoire"]
    assert "jusqu'au verrouillage, le mardi 24 novembre à 13 heures" in _text(friday)
    banner = re.search(r'<p class="alert" role="alert"[^>]*>(.*?)</p>', html, re.S)
    assert banner is not None
    assert (
        "Verrouillage en retard pour le lundi 23 novembre, le mardi 24 novembre et le jeudi "
        "26 novembre" in _text(banner.group(1))
    )

    body = _json(client, "2026-11-26")
    assert body["locked"] is False and body["late"] is True and body["overdue"] is True
    anjou = next(s for s in body["schools"] if s["school"] == "anjou-elem")
    assert anjou["late"] is True and anjou["status"] == "non verrouillé (en retard)"
    assert _csv_status(client, "2026-11-26") == {"non verrouillé (en retard)"}
    friday_json = _json(client, FRI.isoformat())
    assert friday_json["late"] is False and friday_json["overdue"] is False

    runner = CliRunner()
    as_json = runner.invoke(main, ["counts", "2026-11-26", "--json"], obj={"runtime": town})
    assert json.loads(as_json.output) == body
    text_out = runner.invoke(main, ["counts", "2026-11-26"], obj={"runtime": town}).output
    assert text_out.splitlines()[0] == (
        "Effectifs du jeudi 26 novembre 2026 — NON VERROUILLÉS, EN RETARD "
        "(verrouillage prévu le lundi 23 novembre à 13 heures)"
    )
    assert "Lancez « restomairie lock »" in text_out

    # reading never locks: the page, the exports and the command left the day as it was
    with town.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DayLock)) == 0


@pytest.mark.parametrize(
    ("after_cut_off", "overdue"),
    [(timedelta(seconds=30), False), (LATE_AFTER - timedelta(seconds=1), False), (LATE_AFTER, True)],
)
def test_a_day_shown_overdue_is_exactly_a_day_whose_lock_is_then_marked_late(
    town: Runtime, client: FlaskClient, after_cut_off: timedelta, overdue: bool
) -> None:
    town.clock.frozen = THU_CUTOFF - timedelta(hours=1)
    town.locks.lock_due()  # Monday and Tuesday on time: only Thursday is at stake
    town.clock.frozen = THU_CUTOFF + after_cut_off
    _kitchen(client)
    thursday = _section(_page(client), "2026-11-26")
    body = _json(client, "2026-11-26")
    assert body["overdue"] is overdue and body["late"] is overdue
    if overdue:
        assert _badges(thursday) == ["Verrouillage en retard"]
    else:  # the scheduler is taking the lock: say so, neither "provisional until 13:00" nor late
        assert _badges(thursday) == ["Verrouillage en cours"]
        assert "le verrouillage est en cours" in _text(thursday)
        assert _csv_status(client, "2026-11-26") == {"verrouillage en cours"}
    town.locks.lock_due()
    assert town.locks.get("anjou-elem", THU).late is overdue  # type: ignore[union-attr]


def test_a_day_locked_late_shows_one_clear_badge(town: Runtime, client: FlaskClient) -> None:
    town.clock.frozen = datetime(2026, 11, 23, 16, 10, tzinfo=PARIS)  # the scheduler is back
    town.locks.lock_due()
    thursday = _section(_page(_kitchen(client)), "2026-11-26")
    assert _badges(thursday) == ["Verrouillé en retard"]
    assert (
        "Effectifs verrouillés en retard, le lundi 23 novembre à 16 h 10 (heure limite : lundi "
        "23 novembre à 13 heures)" in _text(thursday)
    )
    body = _json(client, "2026-11-26")
    assert body["locked"] is True and body["late"] is True and body["overdue"] is False
    assert _csv_status(client, "2026-11-26") == {"verrouillé (en retard)"}


def _bar(html: str, label: str) -> tuple[str, str, str]:
    """The classes, title and outline colour of the chart's bar for a day ("jeu. 26")."""
    for g in re.findall(r'<g class="(bar[^"]*)">(.*?)</g>', html, re.S):
        if f">{label}</text>" in g[1]:
            title = re.search(r"<title>(.*?)</title>", g[1], re.S)
            stroke = re.search(r'stroke="([^"]+)"', g[1])
            assert title is not None and stroke is not None
            return g[0], title.group(1), stroke.group(1)
    raise AssertionError(label)


def _legend(html: str) -> list[str]:
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S)
    assert caption is not None
    return re.findall(r'<span class="key [^"]*"></span>([^<]*)</span>', caption.group(1))


def test_at_13_02_the_chart_says_what_the_badge_says_the_lock_is_being_taken(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = THU_CUTOFF - timedelta(hours=1)
    town.locks.lock_due()  # Monday and Tuesday locked (late: their cut-offs were last week)
    town.clock.frozen = THU_CUTOFF + timedelta(minutes=2)
    html = _page(_kitchen(client))
    thursday = _section(html, "2026-11-26")
    assert re.findall(r'<span class="badge ([^"]*)">([^<]*)</span>', thursday) == [
        ("locking", "Verrouillage en cours")]
    css, title, stroke = _bar(html, "jeu. 26")
    assert css == "bar locking" and stroke == "#0969da"
    assert title.endswith("(verrouillage en cours)") and "provisoire" not in title
    css, title, _ = _bar(html, "ven. 27")  # Friday's cut-off is tomorrow: still provisional
    assert css == "bar provisional" and title.endswith("(provisoire)")
    assert _badges(_section(html, "2026-11-27")) == ["Provisoire"]
    assert "verrouillage en cours" in _legend(html) and "provisoire" in _legend(html)


def test_a_late_lock_has_its_own_badge_and_bar_beside_an_on_time_one(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=1)
    for school_id, day, deadline in town.locks.due(town.clock.now()):
        if day != THU:  # Monday and Tuesday locked at their cut-offs: on time
            town.clock.frozen = deadline
            town.locks.lock_day(school_id, day, deadline=deadline)
    town.clock.frozen = datetime(2026, 11, 23, 16, 10, tzinfo=PARIS)  # the scheduler is back
    town.locks.lock_due()  # Thursday, 3 hours late
    html = _page(_kitchen(client))
    badge = r'<span class="badge ([^"]*)">([^<]*)</span>'
    assert re.findall(badge, _section(html, "2026-11-24")) == [("locked", "Verrouillé")]
    assert re.findall(badge, _section(html, "2026-11-26")) == [
        ("locked-late", "Verrouillé en retard")]
    on_time, late = _bar(html, "mar. 24"), _bar(html, "jeu. 26")
    assert on_time[0] == "bar locked" and on_time[1].endswith("(verrouillé)")
    assert on_time[2] == "#0969da"
    assert late[0] == "bar locked locked-late" and late[1].endswith("(verrouillé en retard)")
    assert late[2] == "#cf222e"  # the red edge of lateness, as on the badge
    assert _legend(html)[:2] == ["verrouillé", "verrouillé en retard"]


def test_the_chart_writes_the_first_of_the_month_as_the_page_does(
    town: Runtime, client: FlaskClient
) -> None:
    # The chart's titles said "mardi 1 décembre" where the page and the phone say "1er".
    html = _page(_kitchen(client), "2026-11-30")
    title = re.search(r'<title id="chart-title">(.*?)</title>', html, re.S)
    assert title is not None
    assert "mardi 1er décembre :" in title.group(1) and "mardi 1 décembre" not in html


# --------------------------------------------------------------------------- 2. meals delivered
def test_the_chart_and_the_day_count_the_meals_delivered_with_packed_meals_apart(
    town: Runtime, client: FlaskClient
) -> None:
    # Thursday: 5 children eat, 1 of them (Zoé, PAI) brings a packed meal: 4 meals to deliver
    html = _page(_kitchen(client))
    title = re.search(r"<title id=\"chart-title\">(.*?)</title>", html, re.S)
    assert title is not None
    assert "jeudi 26 novembre : 4 repas à livrer, plus 1 panier repas PAI apporté" in title.group(1)
    bars = re.findall(r'<g class="bar[^"]*">.*?font-weight="700"[^>]*>(\d+)</text>', html, re.S)
    assert bars == ["4", "4", "4", "4", "4"]
    thursday = _section(html, "2026-11-26")
    produce = re.search(r"<td class=\"num\" data-produce[^>]*>(\d+)</td>", thursday)
    packed = re.search(r"<td class=\"num\" data-packed[^>]*>(\d+)</td>", thursday)
    assert produce is not None and produce.group(1) == "4"
    assert packed is not None and packed.group(1) == "1"
    assert "Paniers repas PAI, apportés par les familles" in thursday
    sheet = client.get("/kitchen/sheet/2026-11-26").get_data(as_text=True)
    summary = re.search(r'class="num big" data-produce>(\d+)<', sheet)
    assert summary is not None and summary.group(1) == "4"  # the figure the chart shows
    assert _json(client, "2026-11-26")["packed"] == 1


# --------------------------------------------------------------------------- 3. a kitchen account
def test_a_kitchen_account_lands_on_named_links_that_all_work(
    town: Runtime, client: FlaskClient
) -> None:
    make_user(town, "cuisine1", "kitchen")
    assert login(client, "cuisine1").status_code == 302
    home = client.get("/staff/").get_data(as_text=True)
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', home)
    # Monday morning: the kitchen prepares for Thursday, locked at 13:00 today; today's meals
    # (produced last Wednesday) are delivered: their sheets are the delivery notes.
    assert [label for _href, label in links] == [
        "Effectifs des repas des prochains jours",
        "Fiches de production du jeudi 26 novembre",
        "Effectifs du jeudi 26 novembre en tableur (CSV)",
        "Bons de livraison du jour (lundi 23 novembre)",
    ]
    assert [href for href, _label in links][1:] == [
        "/kitchen/sheet/2026-11-26", "/kitchen/counts?date=2026-11-26&amp;format=csv",
        "/kitchen/sheet/2026-11-23",
    ]
    for href, label in links:
        res = client.get(href.replace("&amp;", "&"))
        assert res.status_code == 200, (label, res.status_code)
    assert ">/kitchen/" not in home


@pytest.mark.parametrize(("now", "produce", "delivered"), [
    # 13:05 on Monday: Thursday is locked, the kitchen produces it now
    (AT_13_05, "jeudi 26 novembre", "lundi 23 novembre"),
    # after lunch, still Thursday: never the next operating day (Tuesday, produced on Friday)
    (datetime(2026, 11, 23, 15, 0, tzinfo=PARIS), "jeudi 26 novembre", "lundi 23 novembre"),
    # Tuesday before and after its cut-off: Friday
    (datetime(2026, 11, 24, 9, 0, tzinfo=PARIS), "vendredi 27 novembre", "mardi 24 novembre"),
    (datetime(2026, 11, 24, 13, 5, tzinfo=PARIS), "vendredi 27 novembre", "mardi 24 novembre"),
    # Wednesday (no canteen, no cut-off): the day locked last, nothing delivered today
    (datetime(2026, 11, 25, 10, 0, tzinfo=PARIS), "vendredi 27 novembre", None),
    # Friday after its cut-off: Tuesday, over the weekend
    (datetime(2026, 11, 27, 13, 5, tzinfo=PARIS), "mardi 1er décembre", "vendredi 27 novembre"),
])
def test_a_kitchen_account_is_led_to_the_day_it_produces_and_to_todays_delivery(
    town: Runtime, client: FlaskClient, now: datetime, produce: str, delivered: str | None
) -> None:
    make_user(town, "cuisine1", "kitchen")
    assert login(client, "cuisine1").status_code == 302
    town.clock.frozen = now
    town.locks.lock_due(lookback_days=0)  # the scheduler's lock at the cut-off (this week's)
    home = client.get("/staff/").get_data(as_text=True)
    labels = re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', home)
    assert labels[1:3] == [
        f"Fiches de production du {produce}", f"Effectifs du {produce} en tableur (CSV)"]
    assert labels[3:] == ([f"Bons de livraison du jour ({delivered})"] if delivered else [])


def test_the_day_to_produce_over_a_break_is_the_first_after_it(town: Runtime) -> None:
    """Friday 18 December after 13:00, and all through the Christmas holidays: Tuesday 5
    January (its cut-off is the last before the break; Monday 4's was on Thursday)."""
    kitchen = KitchenService(town.booking)
    for now in (datetime(2026, 12, 18, 13, 5, tzinfo=PARIS),
                datetime(2026, 12, 28, 10, 0, tzinfo=PARIS)):
        assert kitchen.production_days(now) == [date(2027, 1, 5)], now
    assert kitchen.production_days(datetime(2026, 12, 17, 12, 0, tzinfo=PARIS)) == [
        date(2027, 1, 4)]


# --------------------------------------------------------------------------- 4. the wording
def test_the_first_sentence_agrees_in_number_and_names_the_end_of_the_calendar(
    town: Runtime, client: FlaskClient
) -> None:
    _kitchen(client)
    five = _text(_page(client))
    assert "Les 5 prochains jours de fonctionnement à partir du lundi 23 novembre." in five

    one = _text(_page(client, "2027-08-20"))
    assert "Les 1 " not in one
    assert (
        "Le seul jour de fonctionnement connu à partir du vendredi 20 août : le calendrier "
        "scolaire connu s'arrête au jeudi 2 septembre 2027." in one
    )

    none = _text(_page(client, "9999-01-01"))
    assert "Les 0 " not in none
    assert "Aucun jour de fonctionnement connu à partir du vendredi 1er janvier 9999." in none
    assert "Le calendrier scolaire connu s'arrête au jeudi 2 septembre 2027" in none

    before = _text(_page(client, "2024-01-08"))
    assert "Aucun jour de fonctionnement connu à partir du lundi 8 janvier 2024." in before
    assert "Le calendrier scolaire connu commence au lundi 2 septembre 2024" in before


# --------------------------------------------------------------------------- 5. breaks, the end
def _marks(html: str) -> list[tuple[str, str]]:
    """The chart's break bands: (their name under the chart, their title)."""
    return [(unescape(name), unescape(title)) for title, name in re.findall(
        r'<g class="break">\s*<title>(.*?)</title>.*?font-weight="700"[^>]*>([^<]*)</text>',
        html, re.S)]


def _months(html: str) -> dict[str, str]:
    """The month written under a bar, by the bar's label ("lun. 4": "janv.")."""
    found = {}
    for g in re.findall(r'<g class="bar[^"]*">(.*?)</g>', html, re.S):
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", g)
        if len(texts) == 3:
            found[texts[1]] = texts[2]
    return found


def test_at_13_05_on_18_december_the_page_shows_the_christmas_holidays_between_the_days(
    town: Runtime, client: FlaskClient
) -> None:
    """The chart read "ven. 18 | lun. 4 | mar. 5" with nothing between, no month: the
    holidays are a named band between Friday's and Monday's bars, the month is under the day
    after them, and a note between the two days' tables says them in full."""
    town.clock.frozen = datetime(2026, 12, 18, 13, 5, tzinfo=PARIS)
    town.locks.lock_due(lookback_days=0)
    html = _page(_kitchen(client), "2026-12-18")
    assert _marks(html) == [(
        "Vacances de Noël",
        "Vacances de Noël : pas de repas du samedi 19 décembre au dimanche 3 janvier",
    )]
    band = re.search(r'<g class="break">.*?<rect x="([\d.]+)"', html, re.S)
    bars = [float(x) for x in re.findall(r'<g class="bar[^"]*">.*?<rect x="([\d.]+)"', html, re.S)]
    assert band is not None and bars[0] < float(band.group(1)) < bars[1]
    assert _months(html) == {"ven. 18": "déc.", "lun. 4": "janv."}
    title = re.search(r'<title id="chart-title">(.*?)</title>', html, re.S)
    assert title is not None
    assert re.search(r"vendredi 18 décembre : .*? ; Vacances de Noël : pas de repas .*? ; "
                     r"lundi 4 janvier : ", title.group(1))
    note = re.search(r'<p class="break" role="note" id="pause-2026-12-18">([^<]*)</p>', html)
    assert note is not None and note.group(1) == (
        "Vacances de Noël : pas de repas du samedi 19 décembre au dimanche 3 janvier ; reprise "
        "le lundi 4 janvier.")
    assert html.index('id="j-2026-12-18"') < note.start() < html.index('id="j-2027-01-04"')
    assert '<span class="pager-break">Vacances de Noël</span>' in html
    # The counts' formats, which other clients read, say nothing of it (guard).
    assert set(_json(client, "2026-12-18")) == {
        "date", "operating", "reason", "locked", "locked_at", "late", "overdue", "deadline",
        "schools", "totals", "total", "adjusted_totals", "adjusted_total", "to_produce", "packed"}


def test_a_bridge_is_named_and_an_ordinary_week_has_no_band(
    town: Runtime, client: FlaskClient
) -> None:
    _kitchen(client)
    bridge = _page(client, "2027-04-30")  # Tuesday 4 May, then Monday 10 (6 and 7 May closed)
    assert [name for name, _title in _marks(bridge)] == ["Ascension et pont de l'Ascension"]
    assert _months(bridge) == {"ven. 30": "avr.", "lun. 3": "mai", "lun. 10": "mai"}
    ordinary = _page(client)  # Monday 23 to Monday 30 November: Wednesdays and a weekend
    assert _marks(ordinary) == [] and 'class="break"' not in ordinary
    assert _months(ordinary) == {"lun. 23": "nov."}


def test_at_the_end_of_the_calendar_no_link_leads_to_an_empty_page(
    town: Runtime, client: FlaskClient
) -> None:
    """"Jours suivants →" led from the last days to /kitchen/?from=2027-09-03, which said only
    that no day was known: it is not offered, and the page says where the calendar ends and
    what to do; reached anyway, the empty page says it too and leads back."""
    _kitchen(client)
    todo = ("Les jours suivants s'afficheront quand la mairie aura mis à jour le calendrier "
            "scolaire (l'année suivante publiée par le ministère) : prévenez le service "
            "informatique de la mairie.")
    for start in ("2027-06-28", "2027-08-20"):  # five days, the last one; one day
        html = _page(client, start)
        assert "Jours suivants" not in html and "from=2027-09-03" not in html, start
        end = re.search(r'<p class="warning" id="calendar-end">(.*?)</p>', html, re.S)
        assert end is not None, start
        assert unescape(_text(end.group(1))).strip() == (
            "Le calendrier scolaire connu s'arrête au jeudi 2 septembre 2027 : aucun jour de "
            f"fonctionnement n'est connu après. {todo}")
    empty = _page(client, "2027-09-03")
    assert todo in unescape(_text(empty))
    assert re.search(r'<a href="/kitchen/">Revenir aux prochains jours</a>', empty)
    earlier = _page(client, "2027-06-21")  # five days with more after them (guard)
    assert "?from=2027-06-29" in earlier and 'id="calendar-end"' not in earlier
