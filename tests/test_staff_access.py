"""Access control of every staff route, for every role: no page and no action without the right
role, and no state-changing request without the CSRF token (400, nothing done)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from restomairie.models import AuditEntry
from restomairie.runtime import Runtime
from tests.factories import make_family
from tests.staff_support import csrf, login, make_user

ALL = {"kitchen", "staff", "admin"}
STAFF = {"staff", "admin"}
ADMIN = {"admin"}
PUBLIC = {"anonymous", *ALL}
EXPECTED: dict[str, set[str]] = {
    "staff.login": PUBLIC,
    "staff.logout": ALL,
    "staff.password": ALL,
    "staff.home": ALL,
    "staff.calls": STAFF,
    "staff.call": STAFF,
    "staff.families": STAFF,
    "staff.family": STAFF,
    "staff.export_family": STAFF,
    "staff.unlock_phone": STAFF,
    "staff.child": STAFF,
    "staff.change": STAFF,
    "staff.subscription": STAFF,
    "staff.closures": STAFF,
    "staff.lift_closure": STAFF,
    "staff.audit": STAFF,
    "staff.phone": STAFF,
    "staff.phone_call": STAFF,
    "staff.phone_send": STAFF,
    "staff.phone_hangup": STAFF,
    "staff.import_form": ADMIN,
    "staff.import_check": ADMIN,
    "staff.import_confirm": ADMIN,
    "staff.import_job": ADMIN,
    "staff.users": ADMIN,
    "staff.create_user": ADMIN,
    "staff.user_role": ADMIN,
    "staff.user_password": ADMIN,
    "staff.user_delete": ADMIN,
}
ARGS: dict[str, Any] = {
    "account": "210001",
    "ref": "E1",
    "call_sid": "CA0",
    "closure_id": 1,
    "username": "victim",
    "job_id": "nojob",
}
# Requests that end the session they are made in are checked on their own.
ENDS_SESSION = {"staff.logout"}


def staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route of the staff blueprint."""
    out = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("staff."):
                continue
            url = url_for(rule.endpoint, **{k: ARGS[k] for k in rule.arguments})
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                out.append((rule.endpoint, method, url))
    return out


def audit_count(rt: Runtime) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.fixture
def clients(app: Flask, rt: Runtime) -> dict[str, Any]:
    make_family(rt, "210001")
    out = {"anonymous": app.test_client()}
    for role in sorted(ALL):
        make_user(rt, f"u-{role}", role)
        client = app.test_client()
        assert login(client, f"u-{role}").status_code == 302
        out[role] = client
    make_user(rt, "victim", "staff")
    return out


def test_every_staff_route_declares_who_may_use_it(app: Flask) -> None:
    endpoints = {e for e, _, _ in staff_routes(app)}
    assert endpoints == set(EXPECTED), "a new staff route needs its roles here"
    for endpoint in endpoints:
        assert getattr(app.view_functions[endpoint], "allowed_roles", None), endpoint


def test_no_page_and_no_action_without_the_right_role(
    app: Flask, rt: Runtime, clients: dict[str, Any]
) -> None:
    for endpoint, method, url in staff_routes(app):
        if endpoint in ENDS_SESSION:
            continue
        for who, client in clients.items():
            before = audit_count(rt)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": csrf(client)})
            where = f"{who} {method} {url}: {response.status_code}"
            if endpoint == "staff.login":  # open to all; a wrong password answers 401
                assert response.status_code in (200, 401), where
                continue
            if who in EXPECTED[endpoint]:
                assert response.status_code not in (401, 403), where
                assert "/staff/login" not in response.headers.get("Location", ""), where
                continue
            if who == "anonymous" and method == "GET":
                assert response.status_code == 302, where
                assert response.headers["Location"].startswith("/staff/login?next="), where
            elif who == "anonymous":
                assert response.status_code == 401, where
            else:
                assert response.status_code == 403, where
            assert audit_count(rt) == before, f"{where} wrote to the audit log"


@pytest.mark.parametrize("who", ["anonymous", "kitchen", "staff", "admin"])
def test_a_post_without_the_csrf_token_is_refused_with_400_and_does_nothing(
    app: Flask, rt: Runtime, clients: dict[str, Any], who: str
) -> None:
    client = clients[who]
    for _endpoint, method, url in staff_routes(app):
        if method != "POST":
            continue
        before = audit_count(rt)
        response = client.post(url, data={"username": "u-admin", "password": "x"})
        assert response.status_code == 400, f"{who} POST {url}"
        wrong = client.post(url, data={"csrf_token": "forged"})
        assert wrong.status_code == 400, f"{who} POST {url} with a forged token"
        assert audit_count(rt) == before
    # The session survived: the user is still logged in (or still not).
    assert client.get("/staff/").status_code == (302 if who == "anonymous" else 200)


def test_a_token_from_another_session_is_refused(app: Flask, clients: dict[str, Any]) -> None:
    other = csrf(clients["admin"])
    response = clients["staff"].post("/staff/closures", data={"csrf_token": other})
    assert response.status_code == 400


def test_logout_needs_the_token_ends_the_session_and_is_audited(
    rt: Runtime, clients: dict[str, Any]
) -> None:
    client = clients["staff"]
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/calls").status_code == 200
    response = client.post("/staff/logout", data={"csrf_token": csrf(client)})
    assert response.status_code == 302
    assert client.get("/staff/calls").status_code == 302
    with rt.sessions() as s:
        assert (
            s.scalar(select(AuditEntry.actor).where(AuditEntry.action == "logout"))
            == "staff:u-staff"
        )


def test_the_kitchen_role_lands_on_the_kitchen_pages_only(
    app: Flask, clients: dict[str, Any]
) -> None:
    client = clients["kitchen"]
    home = client.get("/staff/")
    assert home.status_code == 200
    body = home.get_data(as_text=True)
    assert "Votre compte donne accès aux pages de la cuisine" in body
    assert "/staff/calls" not in body and "/staff/phone" not in body
    if any(r.rule == "/kitchen/" for r in app.url_map.iter_rules()):
        assert client.get("/kitchen/").status_code == 200


def test_a_deleted_account_or_a_changed_password_closes_open_sessions(
    rt: Runtime, clients: dict[str, Any]
) -> None:
    from restomairie.staff.accounts import AccountService

    accounts = AccountService(rt.sessions, rt.clock)
    assert clients["staff"].get("/staff/calls").status_code == 200
    accounts.set_password("u-staff", "un tout nouveau mot de passe", by="staff:u-admin")
    assert clients["staff"].get("/staff/calls").status_code == 302
    assert clients["kitchen"].get("/staff/").status_code == 200
    accounts.delete_user("u-kitchen", by="staff:u-admin")
    assert clients["kitchen"].get("/staff/").status_code == 302
    accounts.set_role("u-admin", "admin", by="system")
    accounts.create_user("other-admin", "admin", "un mot de passe long")
    accounts.set_role("u-admin", "staff", by="staff:other-admin")
    assert clients["admin"].get("/staff/users").status_code == 403  # the role counts at once


@pytest.mark.parametrize(
    ("public_url", "secure"), [("https://ligne.example.fr", True), ("", False)]
)
def test_the_session_cookie_is_secure_when_the_line_is_served_over_https(
    rt: Runtime, public_url: str, secure: bool
) -> None:
    from dataclasses import replace

    from restomairie.web import create_app

    settings = replace(
        rt.settings, secrets={**rt.settings.secrets, "RESTOMAIRIE_PUBLIC_URL": public_url}
    )
    app = create_app({"TESTING": True}, runtime=replace(rt, settings=settings))
    make_user(rt, "marie", "staff")
    client = app.test_client()
    response = login(client, "marie")
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("session=")
    assert ("; Secure" in cookie) is secure


def test_the_phone_line_opens_no_cookie_session_the_staff_pages_do(app: Flask) -> None:
    from flask import session

    def opened() -> bool:
        current = session._get_current_object()  # type: ignore[attr-defined]
        return not app.session_interface.is_null_session(current)

    with app.test_request_context("/ivr/voice", method="POST"):
        assert not opened()
    with app.test_request_context("/staff/login"):
        assert opened()
