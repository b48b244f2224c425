"""Guessing the kitchen token is rate-limited like the staff login's passwords: wrong tokens are
counted per client address over 15 minutes, whichever way they come (the page link, the login
form, the CSV's bearer header); past the limit that address's token tries are refused with 429
and Retry-After, the right token too, while another address, an open kitchen session and a staff
login are not touched. The window passes on the pinned clock; admins see and clear the locks on
the accounts page; the token typed is kept nowhere. Each "computer" is a test client with its own
address."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from restomairie.config import Settings
from restomairie.kitchen.views import TOKEN_LIMIT
from restomairie.models import AuditEntry, Base, StaffLoginFailure
from restomairie.ratelimit import WINDOW
from restomairie.runtime import Runtime
from restomairie.staff.accounts import ADDRESS_LIMIT, AccountService
from tests.kitchen_support import TOKEN, form_login, small_town, with_token
from tests.staff_support import PASSWORD, login, make_user, post

KITCHEN = "10.1.2.50"  # the kitchen's network: its tablet, its software
STRANGER = "203.0.113.66"  # someone guessing the token
OFFICE = "10.1.2.3"  # the town hall's computer
REFUSED = "Trop d'essais de jeton depuis ce poste : réessayez après 10:15"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    small_town(rt)
    return rt


def computer(app: Flask, address: str) -> Any:
    """A browser (or the kitchen's software) on a computer with that address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def by_link(client: Any, token: str) -> Any:
    return client.get("/kitchen/", query_string={"token": token})


def by_form(client: Any, token: str) -> Any:
    return form_login(client, token)


def by_bearer(client: Any, token: str) -> Any:
    return client.get("/kitchen/counts", query_string={"date": "2026-11-26", "format": "csv"},
                      headers={"Authorization": f"Bearer {token}"})


def guess(client: Any, times: int = TOKEN_LIMIT) -> None:
    """Wrong tokens, every way in turn: each is refused as wrong (401), not yet as too many."""
    ways = (by_link, by_form, by_bearer)
    for i in range(times):
        assert ways[i % 3](client, f"cuisine{2000 + i}").status_code == 401


def test_past_the_limit_the_address_gets_429_with_retry_after_even_with_the_right_token(
    town: Runtime, app: Flask
) -> None:
    stranger = computer(app, STRANGER)
    guess(stranger)
    for way in (by_link, by_form):
        page = way(stranger, TOKEN)
        assert page.status_code == 429
        assert page.headers["Retry-After"] == str(int(WINDOW.total_seconds()))
        assert REFUSED.replace("'", "&#39;") in page.get_data(as_text=True)
        with stranger.session_transaction() as cookie:
            assert "kitchen" not in cookie  # no session opened
    csv = by_bearer(stranger, TOKEN)
    assert csv.status_code == 429 and csv.headers["Retry-After"] == "900"
    assert csv.get_json()["error"].startswith(REFUSED)
    assert "débloquer ce poste" in csv.get_json()["error"]
    # Refused unchecked, the right token opened nothing: the pages still ask for it.
    assert stranger.get("/kitchen/").status_code == 401
    # The refusals were not counted: the lock ends 15 minutes after the first wrong token.
    town.clock.frozen = town.clock.now() + timedelta(minutes=14)
    assert by_bearer(stranger, TOKEN).headers["Retry-After"] == "60"


def test_another_address_is_not_touched(town: Runtime, app: Flask) -> None:
    stranger = computer(app, STRANGER)
    guess(stranger)
    assert by_link(stranger, TOKEN).status_code == 429
    kitchen = computer(app, KITCHEN)
    assert by_bearer(kitchen, TOKEN).status_code == 200
    assert by_link(kitchen, TOKEN).status_code == 303
    assert kitchen.get("/kitchen/").status_code == 200
    assert by_form(computer(app, KITCHEN), "faux").status_code == 401  # checked, not refused


def test_the_lock_ends_with_the_window(town: Runtime, app: Flask) -> None:
    stranger = computer(app, STRANGER)
    guess(stranger)
    start = town.clock.now()
    town.clock.frozen = start + WINDOW - timedelta(seconds=1)
    assert by_bearer(stranger, TOKEN).status_code == 429
    town.clock.frozen = start + WINDOW
    assert by_bearer(stranger, TOKEN).status_code == 200
    assert by_link(stranger, TOKEN).status_code == 303


def test_an_open_session_and_a_staff_login_keep_their_access(town: Runtime, app: Flask) -> None:
    # The tablet opened its session this morning, from the kitchen's network…
    tablet = computer(app, KITCHEN)
    assert by_link(tablet, TOKEN).status_code == 303
    make_user(town, "cuisine1", "kitchen")
    chef = computer(app, KITCHEN)
    assert login(chef, "cuisine1").status_code == 302
    # …then someone on that same network (one address behind its router) guesses.
    guess(computer(app, KITCHEN))
    assert by_bearer(computer(app, KITCHEN), TOKEN).status_code == 429
    assert by_link(computer(app, KITCHEN), TOKEN).status_code == 429
    for client in (tablet, chef):
        assert client.get("/kitchen/").status_code == 200
        assert client.get("/kitchen/sheet/2026-11-26").status_code == 200
        assert client.get("/kitchen/counts?date=2026-11-26&format=csv").status_code == 200
    # The tablet's bookmark (with the token) still opens the page on its session.
    bookmark = by_link(tablet, TOKEN)
    assert bookmark.status_code == 303 and bookmark.headers["Location"] == "/kitchen/"
    assert tablet.get("/kitchen/").status_code == 200


def test_the_right_token_does_not_count_and_forgets_the_address_s_wrong_ones(
    town: Runtime, app: Flask
) -> None:
    software = computer(app, KITCHEN)
    for _ in range(2 * TOKEN_LIMIT):  # the kitchen's software pulls the CSV all day
        assert by_bearer(software, TOKEN).status_code == 200
    tablet = computer(app, KITCHEN)
    guess(tablet, TOKEN_LIMIT - 1)  # a tablet's typos…
    assert by_form(tablet, TOKEN).status_code == 303  # …then the right one
    guess(computer(app, KITCHEN), TOKEN_LIMIT - 1)  # the count started again
    assert by_bearer(software, TOKEN).status_code == 200
    with town.sessions() as s:
        assert s.scalars(select(StaffLoginFailure)).all() == []
    guess(computer(app, KITCHEN))  # from nothing again: the limit, whole…
    assert by_bearer(software, TOKEN).status_code == 429  # …then refused


def test_the_kitchen_token_s_limit_and_the_login_s_count_apart(town: Runtime, app: Flask) -> None:
    make_user(town, "marie", "staff")
    stranger = computer(app, STRANGER)
    guess(stranger)
    assert by_bearer(stranger, TOKEN).status_code == 429
    accounts = AccountService(town.sessions, town.clock)
    assert accounts.login_locks() == []  # no wrong password: no login lock
    for i in range(ADDRESS_LIMIT - 1):
        assert login(stranger, f"nom{i}", "faux mot de passe").status_code == 401
    assert login(stranger, "marie", PASSWORD).status_code == 302  # the token's tries not counted
    # The other way round: wrong passwords do not lock the token.
    office = computer(app, OFFICE)
    for _ in range(TOKEN_LIMIT):
        login(office, "marie", "faux mot de passe")
    assert by_bearer(office, TOKEN).status_code == 200
    # Still locked for the token (the client logged in as marie has her access: another one).
    assert by_bearer(computer(app, STRANGER), TOKEN).status_code == 429


def test_behind_declared_proxies_the_forwarded_address_counts(town: Runtime) -> None:
    from restomairie.web import create_app

    proxied = create_app({"TESTING": True}, runtime=replace(
        town, settings=replace(town.settings, trusted_proxies=1)))

    def via_proxy(forwarded: str) -> Any:
        client = computer(proxied, "10.0.0.1")  # every request comes from the proxy
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
        return client

    guess(via_proxy(STRANGER))
    assert by_bearer(via_proxy(STRANGER), TOKEN).status_code == 429
    assert by_bearer(via_proxy(KITCHEN), TOKEN).status_code == 200
    assert by_bearer(via_proxy(f"192.0.2.1, {STRANGER}"), TOKEN).status_code == 429


def test_admins_see_the_kitchen_token_locks_and_clear_them_with_a_reason(
    town: Runtime, app: Flask
) -> None:
    make_user(town, "chef", "admin")
    make_user(town, "marie", "staff")
    admin = computer(app, OFFICE)
    assert login(admin, "chef").status_code == 302
    before = admin.get("/staff/users").get_data(as_text=True)
    assert 'id="kitchen-token-locks"' not in before
    assert f"Jeton de la cuisine : {TOKEN_LIMIT} jetons erronés en 15 minutes" in before
    stranger = computer(app, STRANGER)
    guess(stranger)
    page = admin.get("/staff/users").get_data(as_text=True)
    table = page.split('id="kitchen-token-locks"')[1].split("</table>")[0]
    assert f"<td>{STRANGER}</td><td>{TOKEN_LIMIT}</td><td>10:15</td>" in table
    assert 'action="/staff/users/unlock-kitchen-token"' in table
    # Only an admin, and only with a reason.
    staff = computer(app, OFFICE)
    assert login(staff, "marie").status_code == 302
    assert post(staff, "/staff/users/unlock-kitchen-token",
                {"address": STRANGER, "reason": "x"}).status_code == 403
    no_reason = post(admin, "/staff/users/unlock-kitchen-token",
                     {"address": STRANGER, "reason": " "}, follow_redirects=True)
    assert "Le déblocage demande un motif." in no_reason.get_data(as_text=True)
    assert by_bearer(stranger, TOKEN).status_code == 429
    done = post(admin, "/staff/users/unlock-kitchen-token",
                {"address": STRANGER, "reason": "tablette neuve, jeton mal recopié"},
                follow_redirects=True)
    assert (f"Jeton de la cuisine : adresse {STRANGER} débloquée ({TOKEN_LIMIT} essai(s) "
            "manqué(s) oublié(s)).") in done.get_data(as_text=True)
    assert 'id="kitchen-token-locks"' not in done.get_data(as_text=True)
    assert by_bearer(stranger, TOKEN).status_code == 200
    with town.sessions() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "kitchen_token_unlock")).one()
    assert entry.actor == "staff:chef" and entry.channel == "staff" and entry.detail
    assert (entry.detail["address"], entry.detail["failures"], entry.detail["reason"]) == (
        STRANGER, TOKEN_LIMIT, "tablette neuve, jeton mal recopié")
    journal = admin.get("/staff/audit?action=kitchen_token_unlock").get_data(as_text=True)
    assert "jeton de la cuisine débloqué" in journal
    again = post(admin, "/staff/users/unlock-kitchen-token",
                 {"address": STRANGER, "reason": "encore"}, follow_redirects=True)
    assert f"Aucun essai manqué récent depuis l&#39;adresse {STRANGER}." in again.get_data(
        as_text=True)


def test_nothing_of_a_wrong_token_is_stored_or_logged(
    town: Runtime, app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "cuisine2025-devinette"
    stranger = computer(app, STRANGER)
    caplog.set_level(logging.DEBUG)
    for way in (by_link, by_form, by_bearer) * 4:  # up to the limit, then refused
        assert way(stranger, wrong).status_code in (401, 429)
    assert by_bearer(stranger, wrong).status_code == 429
    assert wrong not in caplog.text and "devinette" not in caplog.text
    with town.sessions() as s:
        found = [
            (table.name, row) for table in Base.metadata.sorted_tables
            for row in s.execute(select(table)).all()
            if "devinette" in repr(tuple(row))
        ]
        kept = [(f.kind, f.username, f.address) for f in s.scalars(select(StaffLoginFailure))]
    assert found == []
    assert kept == [("kitchen_token", "", STRANGER)] * TOKEN_LIMIT
    with stranger.session_transaction() as cookie:
        assert "devinette" not in repr(dict(cookie))


def test_an_unlock_s_address_goes_with_the_call_logs_retention(town: Runtime, app: Flask) -> None:
    from restomairie.kitchen.views import token_limit
    from restomairie.retention import purge_call_logs

    now = town.clock.now()
    town.clock.frozen = now - timedelta(days=400)
    guess(computer(app, STRANGER))
    with app.app_context():
        token_limit().unlock(STRANGER, "essai", "staff:chef", "kitchen_token_unlock", "jeton")
    town.clock.frozen = now
    assert purge_call_logs(town.sessions, town.settings, now).addresses == 1
    with town.sessions() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "kitchen_token_unlock")).one()
    assert entry.detail is not None and "address" not in entry.detail
    assert STRANGER not in str(entry.detail) and "(adresse effacée)" in entry.detail["label"]
