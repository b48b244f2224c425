"""Helpers for the staff pages' tests: accounts, logging in, the CSRF token."""

from __future__ import annotations

from typing import Any

from restomairie.runtime import Runtime
from restomairie.staff.accounts import AccountService

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
