"""CSRF protection for every form the application serves (the staff pages, the kitchen's token
login): one random token per browser session, put in each form as ``csrf_token`` (and sent by the
staff pages' scripts as the ``X-CSRF-Token`` header); a state-changing request without the right
token is refused before anything else runs. We write this instead of adding Flask-WTF: a session
token, a constant-time comparison and one hook are all the pages need, and a new dependency would
bring WTForms along for forms we render by hand.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_ok() -> bool:
    """Does this request carry this session's token (always true of a safe method)?"""
    if request.method in SAFE_METHODS:
        return True
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    return isinstance(expected, str) and bool(sent) and hmac.compare_digest(sent, expected)


def check_csrf() -> None:
    """Abort with 400 unless a state-changing request carries this session's token."""
    if not csrf_ok():
        abort(400, description="Jeton de sécurité (CSRF) absent ou invalide : rechargez la page.")
