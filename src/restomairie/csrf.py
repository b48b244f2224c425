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

from flask import current_app, request, session
from werkzeug.exceptions import BadRequest

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Said of every form refused here: it is refused before anything runs, and the person must
# know that (« rechargez la page » alone was read as a change made, or half made).
NOT_DONE = "votre demande n'a pas été faite, rien n'a été modifié"


class CsrfRefused(BadRequest):
    """A state-changing request without this session's token (400): nothing was done. The
    staff error page offers the way back to the form's page."""


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
    """Raise :class:`CsrfRefused` (400) unless a state-changing request carries this session's
    token."""
    if not csrf_ok():
        raise CsrfRefused(description=csrf_refusal(
            f"Jeton de sécurité (CSRF) absent ou invalide : {NOT_DONE}. Rechargez la page, "
            "puis refaites-la."
        ))


def csrf_refusal(usual: str) -> str:
    """Why a form without its token is refused, in French: ``usual`` (the form expired: reload
    it), unless no reload can help. The session cookie is ``Secure`` when the public URL is
    HTTPS (``create_app``), and a browser never sends it back to a plain-http address: a form
    posted to http://127.0.0.1:8000/staff/login comes without its session, every time. Then the
    agent is told to open the https address instead. A request a proxy says came over HTTPS
    (``X-Forwarded-Proto``) is not that case, nor one that carries a session cookie."""
    if (
        not current_app.config.get("SESSION_COOKIE_SECURE")
        or request.is_secure
        or request.headers.get("X-Forwarded-Proto", "").strip().lower() == "https"
        or current_app.config.get("SESSION_COOKIE_NAME", "session") in request.cookies
    ):
        return usual
    public = str(current_app.config.get("RESTOMAIRIE_PUBLIC_URL") or "").rstrip("/")
    where = f"{public}{request.path}" if public.lower().startswith("https://") else "https://…"
    return (
        f"{NOT_DONE[0].upper()}{NOT_DONE[1:]}. "
        f"Cette page est ouverte en http:// : le navigateur ne renvoie son cookie de session "
        f"qu'en https, et sans lui aucun formulaire n'est accepté (recharger la page n'y "
        f"changera rien). Ouvrez l'adresse en https : {where}"
    )
