"""Sessions, roles and CSRF protection for the staff pages.

* **Login**: the Flask session (signed cookie, HttpOnly, SameSite=Lax) holds the user id, the
  password fingerprint and the token of a server-side session (``staff_sessions``, see
  :mod:`restomairie.staff.accounts`). Every request reads that session with its user, in one
  indexed read: a logout, a password set, a role changed or an account deleted ends it at once,
  even for a copy of the cookie, and it ends
  :data:`~restomairie.staff.accounts.MAX_SESSION` after the login or
  the town's ``staff.idle_minutes`` (30 by default) after its last request. A page asked then
  sends to the login (and back); a form sent then is refused (401) with a page that says
  nothing was changed and offers the login, back to the page it came from.
* **Roles**: every view declares who may use it with :func:`roles`; a view without a declaration
  is refused to everyone (fail closed). Other blueprints (the kitchen pages) can use
  :func:`login_required` for the same session.
* **CSRF**: one random token per session, put in every form as ``csrf_token`` (and sent by the
  page's scripts as the ``X-CSRF-Token`` header); any POST without the right token is refused with
  400 before anything else runs (:mod:`restomairie.csrf`, which the kitchen's login form uses
  too).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from restomairie.booking.services import Actor
from restomairie.csrf import SAFE_METHODS, check_csrf, csrf_token
from restomairie.staff.accounts import AccountService, UserView

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset({"staff", "kitchen", "admin"})
STAFF = frozenset({"staff", "admin"})
ADMIN = frozenset({"admin"})
PUBLIC = frozenset({"*"})
# Said on the login page a page asked after the end of the session sends to.
SESSION_ENDED = ("Votre session a pris fin (déconnexion, ou trop longtemps sans activité) : "
                 "reconnectez-vous pour revenir à la page.")


def roles(allowed: frozenset[str]) -> Callable[[F], F]:
    """Declare which roles may use a view (checked by :func:`enforce`)."""

    def mark(fn: F) -> F:
        fn.allowed_roles = allowed  # type: ignore[attr-defined]
        return fn

    return mark


def accounts() -> AccountService:
    service: AccountService = current_app.extensions["restomairie.staff"].accounts
    return service


def current_user() -> UserView | None:
    """The logged-in staff user of this request, or None."""
    if "staff_user" in g:
        user: UserView | None = g.staff_user
        return user
    user = None
    uid = session.get("staff_uid")
    token = session.get("staff_sid")
    if isinstance(uid, int) and isinstance(token, str) and token:
        found = accounts().session_user(uid, token)
        # The password fingerprint as well: a password changed by any other means than
        # set_password (which ends the sessions) still closes them.
        if found is not None and found.fingerprint == session.get("staff_fp"):
            user = found
        else:
            # Ended on the server (logout elsewhere, idle, 10 hours, password or role changed):
            # said as such, once, and never read again from this cookie.
            g.staff_session_ended = True
            for key in ("staff_uid", "staff_sid", "staff_fp"):
                session.pop(key, None)
    g.staff_user = user
    return user


def session_ended() -> bool:
    """Did this request come with a login session that has ended since (rather than none)?"""
    return bool(g.get("staff_session_ended"))


def staff_actor() -> Actor:
    """The booking services' actor for the logged-in user."""
    user = current_user()
    assert user is not None
    return Actor("staff", user.username, "staff")


def actor_label() -> str:
    user = current_user()
    return f"staff:{user.username}" if user else "staff:?"


def log_in(user: UserView) -> None:
    """Start a fresh session for ``user`` (a new session and CSRF token: no fixation); a
    session this browser still had is closed first."""
    _close_server_session()
    session.clear()
    session["staff_uid"] = user.id
    session["staff_fp"] = user.fingerprint
    session["staff_sid"] = accounts().open_session(user.id)
    session.permanent = False
    g.staff_user = user
    csrf_token()


def log_out() -> None:
    """End this session on the server (a copy of the cookie opens nothing any more), then
    in the browser."""
    _close_server_session()
    session.clear()
    g.staff_user = None


def _close_server_session() -> None:
    token = session.get("staff_sid")
    if isinstance(token, str) and token:
        accounts().close_session(token)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def enforce() -> Response | None:
    """The blueprint's ``before_request``: CSRF first, then login, then the view's roles."""
    check_csrf()
    view = current_app.view_functions.get(request.endpoint or "")
    allowed: frozenset[str] = getattr(view, "allowed_roles", frozenset())
    if "*" in allowed:
        return None
    user = current_user()
    if user is None:
        if _wants_json() or request.method not in SAFE_METHODS:
            abort(401)
        if session_ended():
            flash(SESSION_ENDED)
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    if user.role not in allowed:
        abort(403)
    return None


def login_required(allowed: frozenset[str] = ALL_ROLES) -> Callable[[F], F]:
    """For views outside the staff blueprint (e.g. the kitchen pages): the same login, and
    the roles in ``allowed``."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_csrf()
            user = current_user()
            if user is None:
                return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
            if user.role not in allowed:
                abort(403)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
