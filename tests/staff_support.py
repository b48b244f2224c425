"""Helpers for the staff pages' tests: accounts, logging in, the CSRF token."""

from __future__ import annotations

import html
import re
from typing import Any

from restomairie.runtime import Runtime
from restomairie.staff.accounts import AccountService
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller

PASSWORD = "correct horse battery"


def make_user(rt: Runtime, username: str, role: str, password: str = PASSWORD) -> None:
    AccountService(rt.sessions, rt.clock).create_user(username, role, password)


def csrf(client: Any) -> str:
    """The session's CSRF token (created by visiting a page if needed)."""
    with client.session_transaction() as s:
        token = s.get("csrf_token")
    if token is None:
        client.get("/staff/login")
        with client.session_transaction() as s:
            token = s["csrf_token"]
    return str(token)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": csrf(client)},
    )


def post(client: Any, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """A form POST with the CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf(client)}, **kw)


def agent_with_a_family(app: Any, rt: Runtime, phone: str) -> Any:
    """A logged-in staff client (user "marie"), with family 210001 (code 1234, Léa, calling
    from ``phone``): the call-log tests' agent."""
    make_family(rt, "210001", "1234", (phone,), (KidSpec("E1", "Léa"),))
    make_user(rt, "marie", "staff")
    client = app.test_client()
    assert login(client, "marie").status_code == 302
    return client


def started_call(app: Any, rt: Runtime, number: str) -> Caller:
    """A call to the line from ``number``, greeted."""
    caller = Caller(app.test_client(), rt.settings, number)
    caller.start()
    return caller


def refused_and_unconfirmed(
    app: Any,
    rt: Runtime,
    phone: str,
    refused_child: str | None = None,
    unconfirmed_child: str | None = None,
) -> tuple[Caller, Caller]:
    """Two calls of family 210001 (code 1234) from ``phone``, on Monday 23 November 2026 at
    10:00 (conftest), each hung up: the cancellation of Tuesday 24 refused as too late (its
    deadline was Friday 20 at 13:00), then the cancellation of Friday 27 read back and never
    confirmed. ``refused_child`` and ``unconfirmed_child``: the key choosing the child in
    each call (none for a family of one child)."""

    def cancel(child: str | None, day: str) -> Caller:
        caller = started_call(app, rt, phone)
        caller.keys("1234", *([child] if child else []), "2", day)
        caller.hang_up()
        return caller

    return cancel(refused_child, "2411"), cancel(unconfirmed_child, "2711")


def page_text(response: Any) -> str:
    """A page's text without its tags, spaces collapsed."""
    raw = html.unescape(response.get_data(as_text=True))
    return re.sub(r" ([,.])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", raw).split()))
