"""What the kitchen is told of a fresh install's first meal days: their cut-off passed before the
first families came in (the import), so they are never locked (``restomairie counts``: « NON
VERROUILLÉS … ne le sera pas »), and no page may tell the kitchen to wait for a lock that will
never come (« Effectifs provisoires : ils peuvent encore changer jusqu'au verrouillage, le
vendredi 20 novembre à 13 heures »).

The clock is pinned at go-live: the families came in on Monday 23 November 2026 at 9:30 and it is
10:00. Tuesday 24's cut-off was Friday 20 at 13:00 (Dijon), Sunday 22 at midnight (Cesson-Sévigné);
Thursday 26's (Dijon) is today at 13:00, after the families came: it is provisional."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html import unescape
from typing import Any

import pytest
from click.testing import CliRunner
from flask import render_template_string
from flask.testing import FlaskClient
from sqlalchemy import Engine

from restomairie.cli import main
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings, load_config
from restomairie.kitchen.commands import describe_counts
from restomairie.kitchen.export import to_json
from restomairie.kitchen.service import DayCounts, KitchenService, SchoolCounts
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.kitchen_support import THU, TOKEN, with_token

GO_LIVE = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
TUE = date(2026, 11, 24)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NEVER_STATUS = "non verrouillé (date limite passée avant la mise en service)"
# What ``restomairie counts`` says of such a day, after its cut-off: the pages say it too.
COUNTS_REASON = (
    "est passée avant l'arrivée des premières familles dans Resto-Mairie (le lundi 23 novembre à "
    "9 h 30), personne n'a donc pu y réserver par ce service. Ces effectifs sont les réservations "
    "telles qu'elles sont aujourd'hui, pas ceux de la production."
)
# What the kitchen does with them, said after that.
NEVER_LOCKED_ACTION = (
    "N'attendez pas de verrouillage : produisez et livrez ce jour selon les effectifs arrêtés "
    "avant la mise en service de Resto-Mairie."
)
# The words of a day the kitchen must wait for.
WAIT = ("jusqu'au verrouillage", "PROVISOIRE", "Effectif provisoire", "chiffre provisoire",
        "réimprimez cette fiche après le verrouillage", "Ne pas lancer la production")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    """Two families imported at 9:30: Anjou 1 standard + 1 sans porc, Joséphine Baker 1 PAI."""
    make_family(rt, "210001", created_at=GO_LIVE, kids=[
        KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", diet="sans_porc"),
    ])
    make_family(rt, "210002", phones=("+33611111111",), created_at=GO_LIVE, kids=[
        KidSpec("E3", "Zoé", school="josephine-baker-elem", diet="pai"),
    ])
    return rt


def _kitchen(client: FlaskClient) -> FlaskClient:
    assert client.get(f"/kitchen/?token={TOKEN}").status_code == 303
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _section(html: str, day: date) -> str:
    found = re.search(rf'<section class="day[^"]*" id="j-{day}".*?</section>', html, re.S)
    assert found, day
    return found.group(0)


def test_the_first_days_are_never_locked_and_the_next_one_is_provisional(town: Runtime) -> None:
    kitchen = KitchenService(town.booking)
    tue, thu = kitchen.days([TUE, THU])
    assert tue.never_locked and tue.state == "never_locked" and not tue.due
    assert tue.state_label == "Non verrouillé, avant la mise en service"
    assert tue.service_start == GO_LIVE
    assert all(s.never_locked for s in tue.schools if s.operating)
    assert not thu.never_locked and thu.state == "provisional"
    assert not any(s.never_locked for s in thu.schools)
    # ``counts`` reads the same decision, and says what to do.
    said = "\n".join(describe_counts(tue))
    assert "ne le sera pas : sa date limite " + COUNTS_REASON in said
    assert NEVER_LOCKED_ACTION in said


def test_the_kitchen_page_does_not_tell_the_kitchen_to_wait_for_the_lock(
    town: Runtime, client: FlaskClient
) -> None:
    html = _kitchen(client).get("/kitchen/?from=2026-11-23").get_data(as_text=True)
    tue = _section(html, TUE)
    assert 'data-status="never_locked"' in tue and "is-never-locked" in tue
    assert re.findall(r'<span class="badge[^"]*">([^<]*)</span>', tue) == [
        "Non verrouillé, avant la mise en service"]
    text = _text(tue)
    assert ("Non verrouillé, et ne le sera pas : sa date limite (le vendredi 20 novembre à 13 "
            "heures) " + COUNTS_REASON + " " + NEVER_LOCKED_ACTION) in text
    assert not [w for w in WAIT if w in text]
    # Thursday is still provisional, as before.
    assert "jusqu'au verrouillage, le lundi 23 novembre à 13 heures" in _text(_section(html, THU))
    # The chart's bar says the badge's words.
    assert re.search(r"mardi 24 novembre : \d+ repas à livrer[^<]*\(non verrouillé, avant la "
                     r"mise en service\)", html)


def test_the_production_sheet_says_it_on_the_summary_and_on_every_site_s_page(
    town: Runtime, client: FlaskClient
) -> None:
    html = _kitchen(client).get(f"/kitchen/sheet/{TUE}").get_data(as_text=True)
    summary = re.search(r'<section class="sheet summary".*?</section>', html, re.S)
    assert summary is not None
    said = _text(summary.group(0))
    assert ("NON VERROUILLÉ — NE LE SERA PAS : sa date limite (le vendredi 20 novembre à 13 "
            "heures) " + COUNTS_REASON + " " + NEVER_LOCKED_ACTION) in said
    assert not [w for w in WAIT if w in said]
    assert "Repas à produire — réservations actuelles, non verrouillées" in said
    pages = re.findall(r'<section class="sheet site".*?</section>', html, re.S)
    assert len(pages) == 10
    for page in pages:
        text = _text(page)
        assert "NON VERROUILLÉ — NE LE SERA PAS : sa date limite (le vendredi 20 novembre à 13 " \
            "heures) " + COUNTS_REASON in text
        assert "Statut : " + NEVER_STATUS + " — heure limite : vendredi 20 novembre" in text
        assert "Effectif non verrouillé" in text
        assert "Repas à livrer — réservations actuelles, non verrouillées" in text
        assert not [w for w in WAIT if w in text]
        assert "Effectif verrouillé" not in text


def test_the_json_and_csv_name_the_state_and_keep_the_others(
    town: Runtime, client: FlaskClient
) -> None:
    tue = client.get("/kitchen/counts", query_string={"date": str(TUE)}, headers=AUTH).get_json()
    assert {s["status"] for s in tue["schools"]} == {NEVER_STATUS}
    assert tue["locked"] is False and tue["overdue"] is False and tue["late"] is False
    thu = client.get("/kitchen/counts", query_string={"date": str(THU)}, headers=AUTH).get_json()
    assert {s["status"] for s in thu["schools"]} == {"provisoire"}
    assert set(tue) == set(thu) and set(tue["schools"][0]) == set(thu["schools"][0])
    res = client.get("/kitchen/counts", query_string={"date": str(TUE), "format": "csv"},
                     headers=AUTH)
    rows = csv.DictReader(io.StringIO(res.data.decode("utf-8-sig")), delimiter=";")
    assert {r["statut"] for r in rows} == {NEVER_STATUS}


def test_cesson_s_first_day_after_a_cut_off_at_midnight(engine: Engine, clock: Clock) -> None:
    """Cesson-Sévigné (J-2, midnight): Tuesday 24's cut-off was Sunday 22 at midnight."""
    from restomairie.web import create_app

    cesson = with_token(load_config("cesson-sevigne", environ={}))
    rt = Runtime.build(settings=cesson, clock=clock, engine=engine)
    rt.sync_schools()
    make_family(rt, "310001", created_at=GO_LIVE, kids=[KidSpec("C1", "Léa",
                                                                school="bourgchevreuil")])
    day = KitchenService(rt.booking).day(TUE)
    assert day.state == "never_locked"
    client = create_app({"TESTING": True}, runtime=rt).test_client()
    _kitchen(client)
    for path in (f"/kitchen/sheet/{TUE}?school=bourgchevreuil", "/kitchen/?from=2026-11-24"):
        text = _text(client.get(path).get_data(as_text=True))
        assert "sa date limite (le dimanche 22 novembre à minuit) " + COUNTS_REASON in text, path
        assert "jusqu'au verrouillage, le dimanche 22 novembre" not in text, path


def _site(school: str, **kw: Any) -> SchoolCounts:
    base: dict[str, Any] = dict(
        school=school, name=school.title(), kitchen="k", operating=True, reason=None,
        locked=False, locked_at=None, locked_late=False,
        deadline=datetime(2026, 11, 20, 13, 0, tzinfo=PARIS), counts={"standard": 3},
    )
    base.update(kw)
    return SchoolCounts(**base)


def test_a_day_locked_for_some_sites_and_never_for_the_others_waits_for_nothing(
    rt: Runtime, client: FlaskClient
) -> None:
    """A school whose families came in after the day's cut-off, beside schools locked for it
    (a school new in a running town): partly locked, and nothing left to wait for."""
    locked = _site("anjou", locked=True, locked_at=datetime(2026, 11, 20, 13, 0, tzinfo=PARIS))
    new = _site("neuve", never_locked=True, service_start=GO_LIVE)
    day = DayCounts(TUE, ("standard",), (locked, new))
    assert day.state == "partial" and day.rest_never_locked and not day.never_locked
    with client.application.test_request_context("/kitchen/"):
        line = render_template_string(
            '{% import "kitchen/_macros.html" as m with context %}{{ m.status_line(d) }}', d=day)
    assert "jusqu'au verrouillage" not in line
    assert "les autres ne le seront pas" in unescape(line)
    # Still waiting when a site is provisional: unchanged.
    waiting = DayCounts(TUE, ("standard",), (locked, _site("b", deadline=datetime(
        2026, 11, 24, 13, 0, tzinfo=PARIS))))
    assert waiting.state == "partial" and not waiting.rest_never_locked
    assert to_json(day)["schools"][1]["status"] == NEVER_STATUS
    assert to_json(waiting)["schools"][1]["status"] == "provisoire"


def test_counts_on_the_command_line_says_what_to_do(tmp_path: Any) -> None:
    csv_file = tmp_path / "familles.csv"
    csv_file.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210001;4821;0612345678;Mme Martin;E1;Léa;Martin;2018-03-04;anjou-elem;standard;"
        "lun mar jeu ven\n", encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
           "RESTOMAIRIE_NOW": "2026-11-23T09:30:00+01:00", "RESTOMAIRIE_CONFIG": ""}
    cli = CliRunner(env=env)
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    assert cli.invoke(main, ["import", str(csv_file)]).exit_code == 0
    res = CliRunner(env={**env, "RESTOMAIRIE_NOW": "2026-11-23T10:00:00+01:00"}).invoke(
        main, ["counts", str(TUE)])
    assert res.exit_code == 0, res.output
    assert "NON VERROUILLÉS (date limite passée : vendredi 20 novembre à 13 heures)" in res.output
    assert NEVER_LOCKED_ACTION in res.output
