"""The application's error pages in French (400, 403, 404, 405) for the requests no blueprint
answers itself: an unknown address, a form opened by its address (``GET /staff/logout``), the
kitchen's logout without its token.

The staff pages keep their own error handler (``restomairie.staff.views``: the staff layout,
JSON for the in-browser phone) and the kitchen its own pages; this one is registered for
:class:`~werkzeug.exceptions.HTTPException` like the staff's, so that a blueprint's handler is
still found first (one registered for a code would be found before any blueprint's). The phone
line's webhooks (``/ivr/``) are left exactly as they were: Twilio reads them, never a person.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

# code: (the page's title, what is said when the error carries no message of ours)
PAGES: dict[int, tuple[str, str]] = {
    400: ("Demande invalide",
          "La demande envoyée n'a pas pu être comprise. Revenez à la page précédente, "
          "rechargez-la et recommencez."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page ou à cette action."),
    404: ("Page introuvable",
          "Aucune page ne correspond à cette adresse. Vérifiez-la, ou repartez du lien "
          "ci-dessous."),
    405: ("Adresse à ne pas ouvrir ainsi",
          "Cette action se fait depuis le bouton ou le formulaire de sa page, pas en ouvrant "
          "son adresse. Revenez à la page et utilisez son bouton."),
}

# Addresses whose answers are JSON (their scripts and clients read an error as JSON too).
JSON_PATHS = ("/staff/phone/", "/kitchen/counts", "/healthz")


def register(app: Flask, ivr_prefix: str) -> None:
    """Answer 400, 403, 404 and 405 in French on ``app``, except under ``ivr_prefix``."""
    ivr = ivr_prefix.rstrip("/") + "/"

    def _french_error(exc: HTTPException) -> Any:
        code = exc.code
        if code not in PAGES or request.path.startswith(ivr) or request.path == ivr.rstrip("/"):
            return exc  # as before: Werkzeug's own answer
        title, usual = PAGES[code]
        message = own_message(exc) or usual
        if _wants_json():
            resp = jsonify({"error": message})
        else:
            back, back_label = _way_back()
            resp = app.make_response(render_template(
                "error.html", code=code, title=title, message=message,
                back=back, back_label=back_label,
            ))
        resp.status_code = code
        # What Werkzeug's answer carried: a 405's ``Allow``, for one.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                resp.headers[name] = value
        return resp

    app.register_error_handler(HTTPException, _french_error)


def own_message(exc: HTTPException) -> str | None:
    """The message an ``abort(…, description=…)`` of ours gave the error (French), or None
    when it carries only Werkzeug's default (English, never shown): the page then says its
    usual sentence."""
    description = exc.description
    return description if description and description != type(exc).description else None


def _wants_json() -> bool:
    path = request.path
    return (
        request.is_json
        or any(path.startswith(p) if p.endswith("/") else path == p for p in JSON_PATHS)
        or request.accept_mimetypes.best == "application/json"
    )


def _way_back() -> tuple[str, str]:
    """The link of the error page: to the part of the site the address belongs to."""
    path = request.path
    if path == "/staff" or path.startswith("/staff/"):
        return url_for("staff.home"), "Retour à l'espace du personnel"
    if path == "/kitchen" or path.startswith("/kitchen/"):
        return url_for("kitchen.index"), "Retour aux effectifs des prochains jours"
    return url_for("index"), "Retour à l'accueil de Resto-Mairie"
