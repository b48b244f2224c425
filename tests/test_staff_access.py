"""Access control of every staff route, for every role: no page and no action without the right
role, and no state-changing request without the CSRF token (400, nothing done)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from restomairie.models import AuditEntry
from restomairie.runtime import Runtime
from tests.factories import make_family
from tests.staff_support import PASSWORD, csrf, login, make_user, page_text

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
    "staff.user_unlock": ADMIN,
    "staff.address_unlock": ADMIN,
    "staff.kitchen_token_unlock": ADMIN,
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


def test_a_kitchen_login_lands_on_the_kitchen_counts_and_the_others_on_the_home_page(
    app: Flask, rt: Runtime
) -> None:
    for role in sorted(ALL):
        make_user(rt, f"new-{role}", role)

    def lands(username: str, next_: str | None = None) -> str:
        client = app.test_client()
        data = {"username": username, "password": PASSWORD, "csrf_token": csrf(client)}
        if next_ is not None:
            data["next"] = next_
        response = client.post("/staff/login", data=data)
        assert response.status_code == 302, username
        return str(response.headers["Location"])

    assert lands("new-kitchen") == "/kitchen/"
    assert lands("new-staff") == lands("new-admin") == "/staff/"
    # The page asked before logging in, when the role may open it; else the landing page.
    assert lands("new-kitchen", "/staff/") == "/kitchen/"
    assert lands("new-kitchen", "/staff/calls?day=2026-11-23") == "/kitchen/"
    assert lands("new-kitchen", "/staff/password") == "/staff/password"
    assert lands("new-kitchen", "/kitchen/sheet/2026-11-26") == "/kitchen/sheet/2026-11-26"
    assert lands("new-staff", "/kitchen/?from=2026-11-30") == "/kitchen/?from=2026-11-30"
    assert lands("new-staff", "/staff/users") == "/staff/"
    assert lands("new-admin", "/staff/users") == "/staff/users"
    for elsewhere in ("//evil.example/kitchen/", "https://evil.example/", "/ivr/voice",
                      "/staff/nowhere", "/staff/login"):
        assert lands("new-kitchen", elsewhere) == "/kitchen/", elsewhere


def hrefs(body: str) -> set[str]:
    """The addresses of a page's links to the application's pages (not its static files)."""
    found = {html.unescape(h) for h in re.findall(r'href="([^"]+)"', body)}
    return {h for h in found if h.startswith("/") and not h.startswith("/static/")}


def test_every_role_has_the_kitchen_link_and_a_kitchen_account_sees_no_link_it_cannot_open(
    app: Flask, clients: dict[str, Any]
) -> None:
    for role in ALL:
        nav = clients[role].get("/staff/").get_data(as_text=True).split("</nav>")[0]
        assert '<a href="/kitchen/">Cuisine</a>' in nav, role
    assert "Cuisine" not in clients["anonymous"].get("/staff/login").get_data(as_text=True)
    client = clients["kitchen"]
    seen: set[str] = set()
    # Every page it can reach from its landing page, a refusal (403) and its own pages.
    todo = ["/kitchen/", "/staff/", "/staff/password", "/staff/calls"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if url == "/staff/calls":
            assert response.status_code == 403
        else:
            assert response.status_code == 200, url
            assert "/staff/login" not in response.headers.get("Location", ""), url
        if response.mimetype == "text/html":
            todo += [h for h in hrefs(response.get_data(as_text=True))
                     if h.split("?")[0] not in {s.split("?")[0] for s in seen}]
    assert "/staff/password" in seen and any(u.startswith("/kitchen/sheet/") for u in seen)
    assert not {u for u in seen if u.startswith(("/staff/calls?", "/staff/families",
                                                 "/staff/import", "/staff/users"))}


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
    # A role taken away ends the sessions; logged in again, the new role counts.
    assert clients["admin"].get("/staff/users").status_code == 302
    assert login(clients["admin"], "u-admin").status_code == 302
    assert clients["admin"].get("/staff/users").status_code == 403


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
    # and browsers are told to come back over HTTPS only
    assert ("Strict-Transport-Security" in response.headers) is secure


def _https_app(rt: Runtime, public_url: str = "https://ligne.example.fr") -> Flask:
    from dataclasses import replace

    from restomairie.web import create_app

    settings = replace(
        rt.settings, secrets={**rt.settings.secrets, "RESTOMAIRIE_PUBLIC_URL": public_url}
    )
    return create_app({"TESTING": True}, runtime=replace(rt, settings=settings))


def _login_as_a_browser_on(client: Any, base_url: str, keeps_secure_cookies: bool) -> Any:
    """The login page opened at ``base_url``, then its form posted, as a browser does: one on a
    plain-http address never sends a ``Secure`` cookie back (werkzeug's test client would)."""
    page = client.get("/staff/login", base_url=base_url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    if not keeps_secure_cookies:
        assert "; Secure" in page.headers.get("Set-Cookie", "")
        client.delete_cookie("session", domain=urlsplit(base_url).hostname or "")
        assert client.get_cookie("session", domain=urlsplit(base_url).hostname or "") is None
    return client.post(
        "/staff/login", base_url=base_url,
        data={"username": "marie", "password": PASSWORD, "csrf_token": token.group(1)},
    )


def test_a_login_over_plain_http_while_cookies_are_secure_names_the_https_address(
    rt: Runtime,
) -> None:
    # At http://127.0.0.1:8000/staff/login the agent read "rechargez la page", and reloading
    # never helped: the Secure session cookie never comes back over http.
    app = _https_app(rt, "https://ligne.example.fr/")
    make_user(rt, "marie", "staff")
    res = _login_as_a_browser_on(app.test_client(), "http://127.0.0.1:8000", False)
    assert res.status_code == 400
    said = html.unescape(res.get_data(as_text=True))
    assert (
        "Votre demande n'a pas été faite, rien n'a été modifié. "
        "Cette page est ouverte en http:// : le navigateur ne renvoie son cookie de session "
        "qu'en https, et sans lui aucun formulaire n'est accepté (recharger la page n'y changera "
        "rien). Ouvrez l'adresse en https : https://ligne.example.fr/staff/login"
    ) in said
    assert "rechargez la page" not in said


@pytest.mark.parametrize(
    ("public_url", "base_url", "headers"),
    [
        ("https://ligne.example.fr", "https://ligne.example.fr", {}),  # on https itself
        # behind a proxy that ends TLS and says so
        ("https://ligne.example.fr", "http://127.0.0.1:8000", {"X-Forwarded-Proto": "https"}),
        ("", "http://127.0.0.1:8000", {}),  # local: the cookie is not Secure
    ],
)
def test_a_form_without_its_token_elsewhere_still_says_to_reload_the_page(
    rt: Runtime, public_url: str, base_url: str, headers: dict[str, str]
) -> None:
    # A guard of kept behaviour: a session lost on https (a browser restarted with the page
    # open) is fixed by reloading, and so is a form kept from an older session.
    app = _https_app(rt, public_url)
    make_user(rt, "marie", "staff")
    client = app.test_client()
    client.get("/staff/login", base_url=base_url)
    client.delete_cookie("session", domain=urlsplit(base_url).hostname or "")
    assert client.get_cookie("session", domain=urlsplit(base_url).hostname or "") is None
    res = client.post("/staff/login", base_url=base_url, headers=headers,
                      data={"username": "marie", "password": PASSWORD, "csrf_token": "ancien"})
    assert res.status_code == 400
    said = html.unescape(res.get_data(as_text=True))
    assert ("Jeton de sécurité (CSRF) absent ou invalide : votre demande n'a pas été faite, "
        "rien n'a été modifié. Rechargez la page, puis refaites-la.") in said
    assert "ouverte en http://" not in said
    # and a browser that keeps its cookie logs in
    assert _login_as_a_browser_on(app.test_client(), base_url, True).status_code == 302


def test_the_phone_line_opens_no_cookie_session_the_staff_pages_do(app: Flask) -> None:
    from flask import session

    def opened() -> bool:
        current = session._get_current_object()  # type: ignore[attr-defined]
        return not app.session_interface.is_null_session(current)

    with app.test_request_context("/ivr/voice", method="POST"):
        assert not opened()
    with app.test_request_context("/staff/login"):
        assert opened()


def _overtaken_by(rt: Runtime, name: str, role: str) -> tuple[Any, list[str]]:
    """An engine hook: right after the creation's check that ``name`` is free, another admin's
    (or the CLI's) account of that name commits, from another connection."""
    overtaken: list[str] = []

    def meanwhile(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        asked = params.values() if isinstance(params, dict) else ()
        if statement.startswith("SELECT") and name in asked and not overtaken:
            overtaken.append(statement)
            make_user(rt, name, role)

    return meanwhile, overtaken


def test_an_account_created_twice_at_once_is_refused_as_already_there(
    app: Flask, rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Two admins (or an admin and ``restomairie create-user``) create the same account at
    once: the second finds no such account, then its insert meets the first's, committed
    meanwhile. It is told « existe déjà », as when the account was there before, and writes
    nothing: no second account, no audit line, no error logged."""
    from sqlalchemy import event

    from restomairie.models import StaffUser
    from restomairie.staff.accounts import AccountError, AccountService
    from restomairie.staff.cli import create_user

    if rt.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL: SQLite's writers queue (BEGIN IMMEDIATE), the race cannot happen")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 would be a page
    make_user(rt, "chef", "admin")
    client = app.test_client()
    assert login(client, "chef").status_code == 302
    caplog.set_level("ERROR")

    name = "jeanne.durand"
    meanwhile, overtaken = _overtaken_by(rt, name, "kitchen")
    event.listen(rt.engine, "after_cursor_execute", meanwhile)
    try:
        page = client.post("/staff/users", data={
            "username": name, "role": "admin", "password": PASSWORD, "csrf_token": csrf(client)},
            follow_redirects=True)
    finally:
        event.remove(rt.engine, "after_cursor_execute", meanwhile)
    assert overtaken and page.status_code == 200
    shown = page_text(page)
    assert f"L'identifiant {name} existe déjà." in shown and f"Compte {name} créé" not in shown

    other = "paul.martin"
    meanwhile, overtaken = _overtaken_by(rt, other, "staff")
    event.listen(rt.engine, "after_cursor_execute", meanwhile)
    try:
        with pytest.raises(AccountError, match=f"^L'identifiant {other} existe déjà.$"):
            create_user(AccountService(rt.sessions, rt.clock), other, "admin", PASSWORD)
    finally:
        event.remove(rt.engine, "after_cursor_execute", meanwhile)
    assert overtaken

    assert caplog.text == ""
    with rt.sessions() as s:
        # Each account is the one that won, with its role; one creation audited for each.
        assert {u: r for u, r in s.execute(select(StaffUser.username, StaffUser.role))} == {
            "chef": "admin", name: "kitchen", other: "staff"}
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == "user_created")) == 3
