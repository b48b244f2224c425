"""The kitchen's counts: the service, ``GET /kitchen/counts`` (JSON, CSV, 401, 400), the kitchen
pages' access and content through the test client, and the ``counts``/``lock`` commands."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from restomairie.booking.services import Actor
from restomairie.cli import main
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.kitchen.service import KitchenService
from restomairie.models import Closure, StaffLoginFailure
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService
from restomairie.web import create_app
from tests.factories import KidSpec, make_family
from tests.kitchen_support import (
    FRI,
    THU,
    THU_CUTOFF,
    TOKEN,
    form_login,
    login_form_csrf,
    small_town,
    with_token,
)
from tests.staff_support import PASSWORD, csrf, login, make_user

STAFF = Actor("staff", "marie", "staff")
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    small_town(rt)
    return rt


def _counts(client: FlaskClient, day: str, **params: str) -> Any:
    return client.get("/kitchen/counts", query_string={"date": day, **params}, headers=AUTH)


# --------------------------------------------------------------------------- the service
def test_a_day_not_locked_yet_shows_the_live_counts_as_provisional(town: Runtime) -> None:
    day = KitchenService(town.booking).day(THU)
    assert not day.locked and day.locked_at is None
    assert day.deadline == THU_CUTOFF
    assert day.site("anjou-elem").counts == {"standard": 1, "sans_porc": 1, "vegetarien": 0, "pai": 0}
    assert day.site("josephine-baker-elem").counts == {
        "standard": 0, "sans_porc": 0, "vegetarien": 1, "pai": 1,
    }
    assert day.totals == {"standard": 2, "sans_porc": 1, "vegetarien": 1, "pai": 1}
    assert day.total == 5
    assert day.to_produce == 4  # the PAI child brings a packed meal


def test_a_locked_day_keeps_its_figures_and_lists_the_adjustments_beside_them(town: Runtime) -> None:
    town.clock.frozen = THU_CUTOFF
    town.locks.lock_due()
    town.clock.frozen = THU_CUTOFF + timedelta(minutes=40)
    town.booking.cancel("210001", [THU], STAFF, ["E1"], override_reason="malade, certificat")
    town.booking.book("210002", [THU], STAFF, ["E5"], override_reason="oubli de réservation")
    day = KitchenService(town.booking).day(THU)
    anjou, baker = day.site("anjou-elem"), day.site("josephine-baker-elem")
    assert day.locked and day.locked_at == THU_CUTOFF and not day.late
    assert anjou.counts["standard"] == 1 and anjou.total == 2  # unchanged
    # Why, for the kitchen, is a neutral category: the staff's motif is not read here.
    assert [(a.variant, a.delta, a.kind, a.label, a.actor) for a in anjou.adjustments] == [
        ("standard", -1, "override", "changement forcé par le service", "staff:marie"),
    ]
    assert not hasattr(anjou.adjustments[0], "reason")
    assert anjou.adjusted["standard"] == 0 and anjou.adjusted_total == 1
    assert baker.counts["standard"] == 0 and baker.adjusted["standard"] == 1
    assert day.total == 5 and day.adjusted_total == 5 and day.to_produce == 4


def test_a_school_closed_by_a_strike_counts_zero_and_says_why(town: Runtime) -> None:
    with town.sessions() as s, s.begin():
        s.add(Closure(school_id="anjou-elem", first_day=THU, last_day=THU, kind="strike",
                      label="grève", created_by="staff:marie", created_at=town.clock.now()))
    day = KitchenService(town.booking).day(THU)
    anjou = day.site("anjou-elem")
    assert not anjou.operating and anjou.reason == "fermeture : grève"
    assert anjou.total == 0
    assert day.operating and day.total == 3


def test_the_next_five_operating_days_skip_wednesdays(town: Runtime) -> None:
    days = KitchenService(town.booking).operating_days(date(2026, 11, 23))
    assert days == [date(2026, 11, 23), date(2026, 11, 24), THU, FRI, date(2026, 11, 30)]


def test_the_next_five_operating_days_skip_the_christmas_break(town: Runtime) -> None:
    days = KitchenService(town.booking).operating_days(date(2026, 12, 17))
    assert days == [
        date(2026, 12, 17), date(2026, 12, 18), date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 7),
    ]


# --------------------------------------------------------------------------- JSON over HTTP
def test_counts_json_has_the_published_shape_for_a_provisional_day(town: Runtime, client: FlaskClient) -> None:
    res = _counts(client, "2026-11-26")
    assert res.status_code == 200
    body = res.get_json()
    assert {"date", "locked", "locked_at", "late", "schools", "total"} <= body.keys()
    assert body["date"] == "2026-11-26"
    assert body["locked"] is False and body["locked_at"] is None and body["late"] is False
    assert body["total"] == 5
    baker = next(s for s in body["schools"] if s["school"] == "josephine-baker-elem")
    assert {"school", "name", "kitchen", "counts", "total", "adjustments"} <= baker.keys()
    assert baker["name"] == "École élémentaire Joséphine Baker"
    assert baker["kitchen"] == "cuisine-centrale"
    assert baker["counts"] == {"standard": 0, "sans_porc": 0, "vegetarien": 1, "pai": 1}
    assert baker["total"] == 2 and baker["adjustments"] == []
    assert len(body["schools"]) == 10
    assert res.headers["Cache-Control"] == "no-store"


def test_counts_json_of_a_locked_day_with_an_adjustment(town: Runtime, client: FlaskClient) -> None:
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=2)
    town.locks.lock_due()
    town.clock.frozen = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS)
    town.booking.cancel("210001", [THU], STAFF, ["E2"], override_reason="hospitalisation")
    body = _counts(client, "2026-11-26").get_json()
    assert body["locked"] is True and body["late"] is False
    assert body["locked_at"] == "2026-11-23T13:00:02+01:00"
    anjou = next(s for s in body["schools"] if s["school"] == "anjou-elem")
    assert anjou["counts"]["sans_porc"] == 1 and anjou["total"] == 2
    assert anjou["adjustments"] == [{
        # ``reason`` keeps its name (the published contract) and carries the neutral category;
        # the staff's "hospitalisation" stays with staff.
        "variant": "sans_porc", "delta": -1, "reason": "changement forcé par le service",
        "kind": "override", "actor": "staff:marie", "at": "2026-11-23T15:00:00+01:00",
    }]
    assert anjou["adjusted_counts"]["sans_porc"] == 0 and anjou["adjusted_total"] == 1
    assert body["total"] == 5 and body["adjusted_total"] == 4


def test_a_wednesday_has_no_meal_and_says_why(town: Runtime, client: FlaskClient) -> None:
    body = _counts(client, "2026-11-25").get_json()
    assert body["operating"] is False and body["reason"] == "mercredi"
    assert body["locked"] is False and body["total"] == 0


@pytest.mark.parametrize(
    ("headers", "invalid"),
    [
        ({}, False),
        ({"Authorization": "Bearer wrong-token"}, True),
        ({"Authorization": f"Bearer {TOKEN}x"}, True),
        ({"Authorization": f"Basic {TOKEN}"}, False),
        ({"Authorization": "Bearer "}, False),
    ],
)
def test_counts_without_the_right_bearer_token_are_refused(
    town: Runtime, client: FlaskClient, headers: dict[str, str], invalid: bool
) -> None:
    res = client.get("/kitchen/counts?date=2026-11-26", headers=headers)
    assert res.status_code == 401
    assert res.headers["WWW-Authenticate"].startswith('Bearer realm="restomairie-kitchen"')
    assert ('error="invalid_token"' in res.headers["WWW-Authenticate"]) is invalid
    assert "schools" not in res.get_json()


def test_with_no_token_configured_nobody_gets_the_counts(
    settings: Settings, clock: Clock, engine: Engine
) -> None:
    rt = Runtime.build(settings=with_token(settings, None), clock=clock, engine=engine)
    rt.sync_schools()
    client = create_app({"TESTING": True}, runtime=rt).test_client()
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}, AUTH):
        res = client.get("/kitchen/counts?date=2026-11-26", headers=headers)
        assert res.status_code == 401
        assert "RESTOMAIRIE_KITCHEN_TOKEN" in res.get_json()["error"]
    assert client.get("/kitchen/?token=").status_code == 401


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Paramètre « date » manquant"),
        ("date=26/11/2026", "Date invalide « 26/11/2026 »"),
        ("date=2026-02-30", "Date invalide « 2026-02-30 »"),
        ("date=2026-11-26T10:00", "attendu AAAA-MM-JJ"),
        ("date=20261126", "attendu AAAA-MM-JJ"),
        ("date=2026-W48-4", "attendu AAAA-MM-JJ"),
        ("date=2031-01-06", "calendrier scolaire"),
        ("date=2026-11-26&format=xlsx", "Format inconnu « xlsx » : json ou csv"),
        ("date=2026-11-26&kitchen=nowhere", "Cuisine inconnue : nowhere"),
    ],
)
def test_bad_requests_get_a_400_with_a_clear_message(
    town: Runtime, client: FlaskClient, query: str, message: str
) -> None:
    res = client.get(f"/kitchen/counts?{query}", headers=AUTH)
    assert res.status_code == 400
    assert message in res.get_json()["error"]


# --------------------------------------------------------------------------- CSV
def test_the_csv_down_to_its_bytes(settings: Settings, clock: Clock, engine: Engine) -> None:
    one_school = dataclasses_replace_schools(settings, "josephine-baker-elem")
    rt = Runtime.build(settings=one_school, clock=clock, engine=engine)
    rt.sync_schools()
    small_town_baker_only(rt)
    rt.clock.frozen = THU_CUTOFF
    rt.locks.lock_due()
    rt.clock.frozen = THU_CUTOFF + timedelta(minutes=30)
    rt.booking.book("210002", [THU], STAFF, ["E5"], override_reason="oubli")
    client = create_app({"TESTING": True}, runtime=rt).test_client()

    res = _counts(client, "2026-11-26", format="csv")

    assert res.status_code == 200
    assert res.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert res.headers["Content-Disposition"] == 'attachment; filename="repas-2026-11-26.csv"'
    row = "2026-11-26;josephine-baker-elem;École élémentaire Joséphine Baker;cuisine-centrale;"
    expected = (
        b"\xef\xbb\xbf"
        b"date;code_ecole;ecole;cuisine;variante;libelle;effectif;ajustements;effectif_ajuste;"
        b"statut;verrouille_le;a_produire\r\n"
        + (row + "standard;Standard;0;1;1;verrouillé;2026-11-23 13:00;1\r\n").encode()
        + (row + "sans_porc;Sans porc;0;0;0;verrouillé;2026-11-23 13:00;0\r\n").encode()
        + (row + "vegetarien;Végétarien;1;0;1;verrouillé;2026-11-23 13:00;1\r\n").encode()
        # the packed meal is counted, not produced
        + (row + "pai;Panier repas (PAI);1;0;1;verrouillé;2026-11-23 13:00;0\r\n").encode()
    )
    assert res.data == expected
    assert "Joséphine".encode() == b"Jos\xc3\xa9phine"  # UTF-8, not Latin-1 or escaped
    assert b"\xc3\x89cole \xc3\xa9l\xc3\xa9mentaire Jos\xc3\xa9phine Baker" in res.data


def test_the_csv_has_one_row_per_school_and_variant(town: Runtime, client: FlaskClient) -> None:
    res = _counts(client, "2026-11-27", format="csv")
    assert res.data.startswith(b"\xef\xbb\xbf")
    assert res.data.count(b"\r\n") == 41 and b"\n" not in res.data.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) == 12 for r in rows)
    assert len(body) == 10 * 4
    assert {(r[1], r[4]) for r in body} == {
        (s.id, v) for s in town.settings.schools for v in ("standard", "sans_porc", "vegetarien", "pai")
    }
    assert sum(int(r[6]) for r in body) == 5
    assert {r[9] for r in body} == {"provisoire"}


def test_a_site_closed_after_its_day_was_locked_says_closed_in_the_csv_and_json(
    town: Runtime, client: FlaskClient
) -> None:
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=2)
    town.locks.lock_due()
    town.clock.frozen = datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)
    StaffService(town.booking).declare_closure("anjou-elem", THU, THU, "strike", "", STAFF)
    res = _counts(client, "2026-11-26", format="csv")
    rows = list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig")), delimiter=";"))
    anjou = [r for r in rows if r["code_ecole"] == "anjou-elem"]
    assert {r["statut"] for r in anjou} == {"fermé : grève (verrouillé)"}
    assert {r["effectif_ajuste"] for r in anjou} == {"0"}
    assert {r["verrouille_le"] for r in anjou} == {"2026-11-23 13:00"}
    assert {r["statut"] for r in rows if r["code_ecole"] != "anjou-elem"} == {"verrouillé"}
    body = _counts(client, "2026-11-26").get_json()
    site = next(s for s in body["schools"] if s["school"] == "anjou-elem")
    assert site["status"] == "fermé : grève (verrouillé)"
    assert site["operating"] is False and site["locked"] is True and site["adjusted_total"] == 0
    other = next(s for s in body["schools"] if s["school"] == "josephine-baker-elem")
    assert other["status"] == "verrouillé"
    sheet = client.get(
        "/kitchen/sheet/2026-11-26?token=" + TOKEN, follow_redirects=True
    ).get_data(True)
    assert "fermé : grève" in sheet and "fermé : fermeture" not in sheet


def test_a_closure_after_the_lock_is_one_adjustment_line_per_menu_not_one_per_child(
    town: Runtime, client: FlaskClient
) -> None:
    """A strike declared after the lock settles each child on its own: the command, the page
    and the delivery sheet listed "-1 standard — fermeture" once per child (300 lines for a
    300-pupil school). One line per menu now; the JSON keeps each settlement."""
    make_family(town, account="210900", phones=(), kids=[
        KidSpec(f"M{i}", f"Enfant{i}", school="montchapet-elem") for i in range(3)
    ])
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=2)
    town.locks.lock_due()
    town.clock.frozen = datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)
    StaffService(town.booking).declare_closure("montchapet-elem", THU, THU, "strike", "", STAFF)
    text = CliRunner().invoke(main, ["counts", "2026-11-26"], obj={"runtime": town}).output
    lines = [line for line in text.splitlines() if "ajustement" in line and "Montchapet" in line]
    assert len(lines) == 1 and lines[0].startswith("  ajustement -3 standard — "), text
    page = client.get("/kitchen/?token=" + TOKEN + "&from=2026-11-26", follow_redirects=True)
    html = page.get_data(as_text=True)
    # the page's minus sign is typographic (U+2212)
    assert html.count("<strong>\u22123 Standard</strong>") == 1, html
    assert "<strong>\u22121 Standard" not in html
    sheet = client.get("/kitchen/sheet/2026-11-26?school=montchapet-elem&token=" + TOKEN,
                       follow_redirects=True).get_data(as_text=True)
    assert sheet.count("<li>\u22123 ") == 1 and "<li>\u22121 " not in sheet
    body = _counts(client, "2026-11-26").get_json()
    site = next(s for s in body["schools"] if s["school"] == "montchapet-elem")
    assert [a["delta"] for a in site["adjustments"]] == [-1, -1, -1]


def test_the_csv_says_what_to_produce_row_by_row_as_the_page_adds_it_up(
    town: Runtime, client: FlaskClient
) -> None:
    """``effectif_ajuste`` counts every child, packed meals (PAI) too: its column added up to
    more than the page's "Repas à produire et à livrer". ``a_produire``, added after the
    columns a reader may take by position, is 0 on a PAI row and adds up to the page's figure."""
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=2)
    town.locks.lock_due(lookback_days=0)
    town.clock.frozen = THU_CUTOFF + timedelta(minutes=30)
    town.booking.book("210002", [THU], STAFF, ["E5"], override_reason="oubli")  # +1 after the lock
    res = _counts(client, "2026-11-26", format="csv")
    rows = list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == [
        "date", "code_ecole", "ecole", "cuisine", "variante", "libelle", "effectif",
        "ajustements", "effectif_ajuste", "statut", "verrouille_le", "a_produire"]
    assert sum(int(r["effectif_ajuste"]) for r in rows) == 6  # Zoé's packed meal included
    assert {r["a_produire"] for r in rows if r["variante"] == "pai"} == {"0"}
    assert all(r["a_produire"] == r["effectif_ajuste"] for r in rows if r["variante"] != "pai")
    to_produce = sum(int(r["a_produire"]) for r in rows)
    assert to_produce == 5 == _counts(client, "2026-11-26").get_json()["to_produce"]
    client.get(f"/kitchen/?token={TOKEN}")
    page = client.get("/kitchen/?from=2026-11-26").get_data(as_text=True)
    shown = re.search(r'<td class="num" data-produce[^>]*>(\d+)</td>', page)
    assert shown is not None and shown.group(1) == str(to_produce)


def test_who_made_an_adjustment_or_a_closure_reads_as_in_the_journal(
    town: Runtime, client: FlaskClient
) -> None:
    """"agent marie", as the journal says it, on the kitchen page, the production sheets (the
    schools' delivery notes) and the closures list; not the stored "staff:marie", which the
    JSON's ``actor`` keeps for the kitchen's software."""
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=2)
    town.locks.lock_due(lookback_days=0)
    town.clock.frozen = THU_CUTOFF + timedelta(minutes=5)
    town.booking.cancel("210001", [THU], STAFF, ["E1"], override_reason="malade")
    StaffService(town.booking).declare_closure("buffon-mat", FRI, FRI, "strike", "", STAFF)
    make_user(town, "chef", "staff")
    assert login(client, "chef").status_code == 302
    for url in ("/kitchen/?from=2026-11-26", "/kitchen/sheet/2026-11-26",
                "/kitchen/sheet/2026-11-26?school=anjou-elem"):
        html = client.get(url).get_data(as_text=True)
        assert "(agent marie, lundi 23 novembre à 13 h 05)" in html, url
        assert "staff:marie" not in html, url
    closures = client.get("/staff/closures").get_data(as_text=True)
    assert "<td>agent marie, " in closures and "staff:marie" not in closures
    site = next(s for s in _counts(client, "2026-11-26").get_json()["schools"]
                if s["school"] == "anjou-elem")
    assert [a["actor"] for a in site["adjustments"]] == ["staff:marie"]


# --------------------------------------------------------------------------- the pages' access
def test_the_page_takes_the_token_once_then_a_session(town: Runtime, client: FlaskClient) -> None:
    assert client.get("/kitchen/").status_code == 401
    assert client.get("/kitchen/?token=wrong").status_code == 401
    res = client.get("/kitchen/?token=" + TOKEN + "&from=2026-11-23")
    assert res.status_code == 303
    assert res.headers["Location"] == "/kitchen/?from=2026-11-23"  # the token leaves the address
    page = client.get("/kitchen/?from=2026-11-23")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Jeudi 26 novembre 2026" in html and "École élémentaire Joséphine Baker" in html
    assert "Content-Security-Policy" in page.headers
    # the CSV link on the page works with the session, without a bearer token
    assert client.get("/kitchen/counts?date=2026-11-26&format=csv").status_code == 200


def test_the_login_form_opens_the_session_and_logout_closes_it(town: Runtime, client: FlaskClient) -> None:
    assert form_login(client, "nope").status_code == 401
    res = form_login(client, TOKEN, next="/kitchen/sheet/2026-11-26")
    assert res.status_code == 303 and res.headers["Location"] == "/kitchen/sheet/2026-11-26"
    assert client.get("/kitchen/sheet/2026-11-26").status_code == 200
    assert client.post("/kitchen/logout", data={"csrf": "forged"}).status_code == 400
    with client.session_transaction() as sess:
        csrf = sess["kitchen"]["csrf"]
    assert client.post("/kitchen/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/kitchen/").status_code == 401


def test_the_login_form_refuses_a_post_without_its_csrf_token(
    town: Runtime, client: FlaskClient
) -> None:
    """Like every other form: another site's form posting a token (right or wrong) to the
    tablet's browser is refused (400), opens nothing and is not counted as a try; the login
    page comes back with a fresh form that works."""
    for data in ({"token": TOKEN}, {"token": TOKEN, "csrf_token": "forged"},
                 {"token": "devinette"}):
        res = client.post("/kitchen/login", data=data)
        assert res.status_code == 400
        assert "Formulaire expiré" in res.get_data(as_text=True)
        with client.session_transaction() as cookie:
            assert "kitchen" not in cookie
    assert client.get("/kitchen/").status_code == 401
    with town.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StaffLoginFailure)) == 0
    assert form_login(client, TOKEN).status_code == 303
    assert client.get("/kitchen/").status_code == 200


def test_the_login_form_over_plain_http_while_cookies_are_secure_names_the_https_address(
    town: Runtime,
) -> None:
    # The tablet at http://…:8000/kitchen/ was told "Formulaire expiré", again and again: its
    # browser never sends the Secure session cookie back over http.
    secrets = {**town.settings.secrets, "RESTOMAIRIE_PUBLIC_URL": "https://ligne.example.fr"}
    rt = dataclasses.replace(town, settings=dataclasses.replace(town.settings, secrets=secrets))
    client = create_app({"TESTING": True}, runtime=rt).test_client()
    csrf = login_form_csrf(client)
    client.delete_cookie("session")  # as a browser on http does with a Secure cookie
    assert client.get_cookie("session") is None
    res = client.post("/kitchen/login", data={"token": TOKEN, "csrf_token": csrf})
    assert res.status_code == 400
    said = html.unescape(res.get_data(as_text=True))
    assert "Ouvrez l'adresse en https : https://ligne.example.fr/kitchen/login" in said
    assert "Formulaire expiré" not in said


def test_the_login_never_redirects_off_the_kitchen_pages(town: Runtime, client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/kitchen/", "/staff/"):
        res = form_login(client, TOKEN, next=target)
        assert res.headers["Location"] == "/kitchen/"


def test_a_session_ends_after_a_shift_or_when_the_token_changes(town: Runtime, app: Flask) -> None:
    client = app.test_client()
    client.get(f"/kitchen/?token={TOKEN}")
    town.clock.frozen = town.clock.now() + timedelta(hours=11, minutes=59)
    assert client.get("/kitchen/").status_code == 200
    town.clock.frozen = town.clock.now() + timedelta(minutes=2)
    assert client.get("/kitchen/").status_code == 401

    client.get(f"/kitchen/?token={TOKEN}")
    assert client.get("/kitchen/").status_code == 200
    town.settings = with_token(town.settings, "a-new-token")
    assert client.get("/kitchen/").status_code == 401
    assert client.get("/kitchen/counts?date=2026-11-26").status_code == 401


def test_a_back_office_login_opens_the_kitchen_pages_without_the_token(
    town: Runtime, client: FlaskClient
) -> None:
    make_user(town, "cuisine1", "kitchen")
    assert client.get("/kitchen/").status_code == 401
    login(client, "cuisine1")
    assert client.get("/kitchen/").status_code == 200
    assert client.get("/kitchen/counts?date=2026-11-26&format=csv").status_code == 200


def test_the_kitchen_login_page_s_staff_link_comes_back_to_the_page_asked_with_a_way_out(
    town: Runtime, app: Flask
) -> None:
    make_user(town, "cuisine1", "kitchen")
    client = app.test_client()
    asked = client.get("/kitchen/sheet/2026-11-26").get_data(as_text=True)
    link = asked.split("Se connecter avec un compte du personnel")[0].rsplit('href="', 1)[1]
    assert link.split('"')[0] == "/staff/login?next=/kitchen/sheet/2026-11-26"
    landed = client.post("/staff/login", data={
        "username": "cuisine1", "password": PASSWORD, "csrf_token": csrf(client),
        "next": "/kitchen/sheet/2026-11-26"})
    assert landed.headers["Location"] == "/kitchen/sheet/2026-11-26"
    header = client.get("/kitchen/").get_data(as_text=True).split("</header>")[0]
    # The account's name leads to its own pages (password), and it logs out from here.
    assert '<a href="/staff/" title="Espace du personnel">cuisine1</a>' in header
    assert 'action="/staff/logout"' in header and 'action="/kitchen/logout"' not in header
    token = header.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/kitchen/").status_code == 401
    # A tablet on the kitchen token has no back-office account to show.
    tablet = app.test_client()
    tablet.get(f"/kitchen/?token={TOKEN}")
    header = tablet.get("/kitchen/").get_data(as_text=True).split("</header>")[0]
    assert "/staff/" not in header and 'action="/kitchen/logout"' in header


def test_the_production_sheet_has_a_summary_and_one_page_per_delivery_site(
    town: Runtime, client: FlaskClient
) -> None:
    client.get(f"/kitchen/?token={TOKEN}")
    html = client.get("/kitchen/sheet/2026-11-26").get_data(as_text=True)
    assert html.count('class="sheet site"') == 10
    assert html.count('class="sheet summary"') == 1
    assert "PROVISOIRE" in html  # not locked yet: the kitchen must not produce from it
    one = client.get("/kitchen/sheet/2026-11-26?school=josephine-baker-elem").get_data(as_text=True)
    assert one.count('class="sheet site"') == 1 and 'class="sheet summary"' not in one
    assert client.get("/kitchen/sheet/2026-11-26?school=nope").status_code == 400
    assert client.get("/kitchen/sheet/26-11-2026").status_code == 400


# --------------------------------------------------------------------------- commands
def test_the_lock_command_says_what_it_locked_then_that_nothing_is_left(town: Runtime) -> None:
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=1)
    for school_id, day, deadline in town.locks.due(town.clock.now()):
        if day != THU:  # leave only Thursday due: earlier days are locked already
            town.locks.lock_day(school_id, day, deadline=deadline, now=deadline)
    runner = CliRunner()
    first = runner.invoke(main, ["lock"], obj={"runtime": town})
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0] == (
        "Repas du jeudi 26 novembre 2026 (date limite : lundi 23 novembre à 13 heures), "
        "verrouillés à 13:00:01 :"
    )
    assert "  École élémentaire Anjou : 2 repas (standard 1, sans porc 1, végétarien 0)" in lines
    # Zoé's packed meal (PAI) is no meal of the kitchen: apart, as ``counts`` says it.
    assert (
        "  École élémentaire Joséphine Baker : 1 repas (standard 0, sans porc 0, végétarien 1) "
        "+ 1 panier repas PAI" in lines
    )
    assert lines[-3:] == [
        "  Repas à produire (hors paniers repas) : 4",
        "  Paniers repas PAI (apportés par les familles, non livrés) : 1",
        "10 verrouillage(s) sur 1 jour(s).",
    ]
    # The schools in the town's file order, as ``counts`` lists them (they came out in the
    # database's, alphabetical: Alsace before Anjou).
    said = [line.split(" : ")[0].strip() for line in lines[1:-3]]
    assert said == [s.name for s in town.settings.schools]
    counts = runner.invoke(main, ["counts", "2026-11-26"], obj={"runtime": town}).output
    assert "Repas à produire (hors paniers repas, ajustements compris) : 4" in counts
    assert "Paniers repas PAI (apportés par les familles, non livrés) : 1" in counts
    again = runner.invoke(main, ["lock"], obj={"runtime": town})
    assert again.output.strip() == (
        "Rien à verrouiller : chaque jour dont la date limite est passée depuis moins de 31 jours "
        "l'est déjà."
    )


def test_counts_of_a_day_the_catch_up_no_longer_reaches_do_not_ask_for_a_lock(
    town: Runtime,
) -> None:
    """A day never locked, further back than the lock's catch-up goes (a town that started
    mid-year): ``counts`` told to run ``restomairie lock``, which then said there was nothing
    left to lock, for ever."""
    town.clock.frozen = THU_CUTOFF + timedelta(seconds=1)
    runner = CliRunner()
    assert runner.invoke(main, ["lock"], obj={"runtime": town}).exit_code == 0
    old = runner.invoke(main, ["counts", "2026-10-16"], obj={"runtime": town})
    assert old.exit_code == 0, old.output
    assert "Lancez « restomairie lock »" not in old.output
    assert ("Ce jour n'a jamais été verrouillé et ne le sera plus : le rattrapage des "
            "verrouillages ne remonte que 31 jours.") in old.output
    recent = runner.invoke(main, ["counts", "2026-11-03"], obj={"runtime": town})
    assert "verrouillés le" in recent.output  # within the catch-up: locked by that run


def test_the_counts_command_prints_the_endpoint_s_json_and_csv(town: Runtime, client: FlaskClient) -> None:
    runner = CliRunner()
    as_json = runner.invoke(main, ["counts", "2026-11-26", "--json"], obj={"runtime": town})
    assert json.loads(as_json.output) == _counts(client, "2026-11-26").get_json()
    as_csv = runner.invoke(main, ["counts", "26/11/2026", "--csv"], obj={"runtime": town})
    assert as_csv.stdout_bytes == _counts(client, "2026-11-26", format="csv").data
    text = runner.invoke(main, ["counts", "2026-11-26"], obj={"runtime": town})
    assert "PROVISOIRES (verrouillage le lundi 23 novembre à 13 heures)" in text.output
    assert "Repas à produire (hors paniers repas, ajustements compris) : 4" in text.output
    past = runner.invoke(main, ["counts", "2031-01-06"], obj={"runtime": town})
    assert past.exit_code == 1 and "calendrier scolaire" in past.output


# --------------------------------------------------------------------------- helpers
def dataclasses_replace_schools(settings: Settings, *ids: str) -> Settings:
    return dataclasses.replace(settings, schools=tuple(settings.school(i) for i in ids))


def small_town_baker_only(rt: Runtime) -> None:
    make_family(rt, "210002", kids=[
        KidSpec("E3", "Inès", school="josephine-baker-elem", diet="vegetarien"),
        KidSpec("E4", "Zoé", school="josephine-baker-elem", diet="pai"),
        KidSpec("E5", "Éloïse", school="josephine-baker-elem", weekdays=0),
    ])
