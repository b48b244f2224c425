"""Staff sessions end on the server: a copy of the session cookie taken before the logout (or
before a password reset, a role change, the account's deletion) opens nothing afterwards, on the
staff pages as on the kitchen pages, for reading as for changing. Through HTTP, like a browser
(Flask's test client), with the cookie copied into a second client."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from restomairie.models import AuditEntry, BookingDay, StaffSession
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.staff_support import PASSWORD, csrf, login, make_user, page_text, post

THU = date(2026, 11, 26)


@pytest.fixture
def marie(app: Flask, rt: Runtime) -> Any:
    """Staff user marie, logged in, with family 210001 (Léa, day-by-day booking)."""
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa", weekdays=0)])
    make_user(rt, "marie", "staff")
    client = app.test_client()
    assert login(client, "marie").status_code == 302
    return client


@pytest.fixture
def chef(app: Flask, rt: Runtime) -> Any:
    make_user(rt, "chef", "admin")
    client = app.test_client()
    assert login(client, "chef").status_code == 302
    return client


def copy_of(app: Flask, client: Any) -> Any:
    """Another browser holding a copy of ``client``'s session cookie (and so its CSRF token:
    the cookie is signed, not encrypted)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def bookings(rt: Runtime) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(BookingDay)) or 0


def sessions_of(rt: Runtime) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(StaffSession)) or 0


def book_thursday(client: Any) -> Any:
    return post(client, "/staff/families/210001/change",
                {"action": "book", "child": "E1", "day": THU.isoformat()})


def test_a_cookie_copied_before_the_logout_opens_nothing_after_it(
    app: Flask, rt: Runtime, marie: Any
) -> None:
    thief = copy_of(app, marie)
    assert thief.get("/staff/families/210001").status_code == 200  # the copy works, for now
    assert thief.get("/kitchen/").status_code == 200
    assert post(marie, "/staff/logout").status_code == 302
    # Reading: sent to the login page; the kitchen pages answer as to a stranger.
    for url in ("/staff/families/210001", "/staff/calls", "/staff/"):
        response = thief.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/staff/login"), url
    assert thief.get("/kitchen/").status_code == app.test_client().get("/kitchen/").status_code
    # Changing: refused with 401 (the CSRF token of the copy is right), nothing written.
    audited = len(list_audit(rt))
    refused = book_thursday(thief)
    assert refused.status_code == 401
    assert bookings(rt) == 0 and len(list_audit(rt)) == audited
    assert post(thief, "/staff/closures", {"school": "*", "start": THU.isoformat(),
                                           "kind": "strike"}).status_code == 401
    assert marie.get("/staff/calls").status_code == 302  # and the browser that logged out


def list_audit(rt: Runtime) -> list[str]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEntry.action)))


def test_the_logout_ends_only_its_own_session(app: Flask, rt: Runtime, marie: Any) -> None:
    other = app.test_client()  # marie on a second computer
    assert login(other, "marie").status_code == 302
    assert sessions_of(rt) == 2
    post(marie, "/staff/logout")
    assert sessions_of(rt) == 1
    assert other.get("/staff/calls").status_code == 200
    assert book_thursday(other).status_code == 302 and bookings(rt) == 1


def test_the_database_keeps_a_hash_of_the_session_token_not_the_token(
    rt: Runtime, marie: Any
) -> None:
    with marie.session_transaction() as s:
        token = s["staff_sid"]
    with rt.sessions() as db:
        stored = db.scalars(select(StaffSession.token_hash)).one()
    assert len(token) >= 40 and token not in stored and len(stored) == 64


def test_a_password_reset_by_an_admin_ends_the_users_sessions(
    app: Flask, rt: Runtime, marie: Any, chef: Any
) -> None:
    thief = copy_of(app, marie)
    assert post(chef, "/staff/users/marie/password",
                {"password": "une toute nouvelle phrase"}).status_code == 302
    assert thief.get("/staff/families/210001").status_code == 302
    assert book_thursday(thief).status_code == 401 and bookings(rt) == 0
    assert marie.get("/staff/").status_code == 302
    assert chef.get("/staff/users").status_code == 200  # the admin's own session goes on
    assert login(marie, "marie", "une toute nouvelle phrase").status_code == 302


def test_deleting_or_demoting_an_account_ends_its_sessions(
    app: Flask, rt: Runtime, marie: Any, chef: Any
) -> None:
    make_user(rt, "paul", "admin")
    paul = app.test_client()
    assert login(paul, "paul").status_code == 302
    paul_copy = copy_of(app, paul)
    assert post(chef, "/staff/users/paul/role", {"role": "staff"}).status_code == 302
    assert paul_copy.get("/staff/calls").status_code == 302
    assert paul.get("/staff/calls").status_code == 302
    thief = copy_of(app, marie)
    assert post(chef, "/staff/users/marie/delete").status_code == 302
    assert thief.get("/staff/calls").status_code == 302
    assert book_thursday(thief).status_code == 401 and bookings(rt) == 0
    with rt.sessions() as s:  # the deleted account's sessions are gone with it
        assert s.scalar(select(func.count()).select_from(StaffSession)) == 1  # chef's


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(
    app: Flask, rt: Runtime, marie: Any
) -> None:
    elsewhere = app.test_client()
    assert login(elsewhere, "marie").status_code == 302
    new = "une phrase de passe neuve"
    done = post(marie, "/staff/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert done.status_code == 302
    assert marie.get("/staff/calls").status_code == 200
    assert elsewhere.get("/staff/calls").status_code == 302
    assert sessions_of(rt) == 1


def test_a_session_ends_ten_hours_after_the_login_on_the_server(
    app: Flask, rt: Runtime, marie: Any
) -> None:
    # Never 30 minutes without a request (see the next test): one every 25 minutes.
    for minutes in range(25, 10 * 60, 25):
        later(app, minutes)
        assert marie.get("/staff/").status_code == 200, minutes
    later(app, 9 * 60 + 59)
    assert marie.get("/staff/calls").status_code == 200
    later(app, 10 * 60 + 1)
    assert marie.get("/staff/calls").status_code == 302
    # The next login purges the expired session rows (the new one stays).
    other = app.test_client()
    assert login(other, "marie").status_code == 302
    assert sessions_of(rt) == 1


def test_a_new_login_in_the_same_browser_closes_the_session_it_had(
    app: Flask, rt: Runtime, marie: Any
) -> None:
    before = copy_of(app, marie)
    token = csrf(marie)
    assert marie.post("/staff/login", data={"username": "marie", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302
    assert sessions_of(rt) == 1
    assert before.get("/staff/calls").status_code == 302
    assert marie.get("/staff/calls").status_code == 200


def later(app: Flask, minutes: float) -> None:
    """The sessions' clock (real time, not the application's, which demos freeze), moved on
    ``minutes`` from now."""
    accounts = app.extensions["restomairie.staff"].accounts
    accounts.wall_clock = lambda: datetime.now(UTC) + timedelta(minutes=minutes)


def next_of(url: str) -> str:
    """The page a login address returns to."""
    parts = urlsplit(url)
    assert parts.path == "/staff/login"
    return parse_qs(parts.query)["next"][0]


def last_seen(rt: Runtime) -> datetime:
    with rt.sessions() as s:
        return s.scalars(select(StaffSession.last_seen_at)).one()


def test_a_session_ends_after_30_minutes_without_a_request(
    app: Flask, rt: Runtime, marie: Any
) -> None:
    # Each request keeps it open for 30 more minutes: 29 then 58 minutes after the login.
    later(app, 29)
    assert marie.get("/staff/calls").status_code == 200
    seen = last_seen(rt)
    later(app, 29.5)  # within the minute: no write
    assert marie.get("/staff/calls").status_code == 200
    assert last_seen(rt) == seen
    later(app, 58)
    assert marie.get("/staff/calls").status_code == 200
    assert book_thursday(marie).status_code == 302 and bookings(rt) == 1
    # The computer left open over lunch: 31 minutes without a request.
    later(app, 89)
    page = marie.get("/staff/families/210001")
    assert page.status_code == 302
    assert page.headers["Location"] == "/staff/login?next=/staff/families/210001"
    login_page = page_text(marie.get(page.headers["Location"]))
    assert "Votre session a pris fin" in login_page
    # The next login purges the idle session's row.
    assert login(app.test_client(), "marie").status_code == 302 and sessions_of(rt) == 1


def test_the_idle_time_is_the_towns_staff_idle_minutes(rt: Runtime) -> None:
    from dataclasses import replace

    from restomairie.web import create_app

    app = create_app({"TESTING": True},
                     runtime=replace(rt, settings=replace(rt.settings, staff_idle_minutes=90)))
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa", weekdays=0)])
    make_user(rt, "marie", "staff")
    marie = app.test_client()
    assert login(marie, "marie").status_code == 302
    later(app, 89)  # past the usual 30 minutes, within the town's 90
    assert marie.get("/staff/calls").status_code == 200
    later(app, 89 + 91)
    page = marie.get("/staff/calls")
    assert page.status_code == 302 and page.headers["Location"] == "/staff/login?next=/staff/calls"


def test_a_form_sent_after_the_session_ended_says_nothing_was_changed_and_offers_the_login(
    app: Flask, rt: Runtime, marie: Any
) -> None:
    back = "/staff/families/210001/children/E1"
    later(app, 31)
    refused = post(marie, "/staff/families/210001/change",
                   {"action": "book", "child": "E1", "day": THU.isoformat(), "back": back})
    assert refused.status_code == 401 and bookings(rt) == 0
    said = page_text(refused)
    assert ("Votre session a pris fin (déconnexion, ou trop longtemps sans activité) : votre "
            "demande n'a pas été faite, rien n'a été modifié. Reconnectez-vous, puis "
            "refaites-la." in said)
    link = re.search(r'<a href="([^"]+)">Se reconnecter et revenir à la page</a>',
                     refused.get_data(as_text=True))
    assert link is not None
    target = html.unescape(link.group(1))
    assert next_of(target) == back
    # The login, from that link, comes back to the page.
    token = csrf(marie)
    again = marie.post(target, data={"username": "marie", "password": PASSWORD,
                                     "next": back, "csrf_token": token})
    assert again.status_code == 302 and again.headers["Location"] == back
    # Ten hours after the login, a form posted to its own page: back to that page.
    later(app, 10 * 60 + 1)
    closure = post(marie, "/staff/closures", {"school": "*", "first_day": THU.isoformat(),
                                              "kind": "strike"})
    assert closure.status_code == 401
    assert "rien n'a été modifié" in page_text(closure)
    link = re.search(r'<a href="([^"]+)">Se reconnecter', closure.get_data(as_text=True))
    assert link is not None and next_of(html.unescape(link.group(1))) == "/staff/closures"
    # A script's request (the import page's) is answered in JSON, with the login's address.
    later(app, 10 * 60 + 2)
    scripted = post(marie, "/staff/families/210001/change", {"action": "book", "child": "E1"},
                    headers={"Accept": "application/json"})
    assert scripted.status_code == 401
    assert scripted.get_json()["error"].startswith("Vous n'êtes pas connecté(e) : votre demande "
                                                   "n'a pas été faite, rien n'a été modifié.")
    assert next_of(scripted.get_json()["login"]) == "/staff/"  # no page of its own
    assert bookings(rt) == 0


def test_a_scripts_request_refused_is_answered_in_json_in_french(
    app: Flask, rt: Runtime, chef: Any
) -> None:
    # The import page's upload (Accept: application/json) showed "Erreur HTTP 400" / "401":
    # the server's sentence is in the JSON it reads.
    bad_token = chef.post("/staff/import", data={"csrf_token": "pas le bon"},
                          headers={"Accept": "application/json"})
    assert bad_token.status_code == 400
    assert bad_token.get_json() == {
        "error": ("Jeton de sécurité (CSRF) absent ou invalide : votre demande n'a pas été faite, "
        "rien n'a été modifié. Rechargez la page, puis refaites-la.")}
    later(app, 31)
    ended = post(chef, "/staff/import", headers={"Accept": "application/json"})
    assert ended.status_code == 401
    assert ended.get_json()["error"].startswith("Votre session a pris fin")
    assert next_of(ended.get_json()["login"]) == "/staff/import"
