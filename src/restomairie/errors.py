"""The application's error pages in French (every HTTP error: 400, 403, 404, 405, 413, 429…,
any other with a general sentence, never Werkzeug's English) for the requests no blueprint
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

from babel.units import format_unit
from flask import Flask, current_app, jsonify, render_template, request, url_for
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
    408: ("Demande trop lente",
          "La demande a mis trop de temps à arriver. Rechargez la page et recommencez."),
    409: ("Demande en conflit",
          "Cette demande entre en conflit avec une modification faite entre-temps. Rechargez "
          "la page pour voir ce qui est enregistré, puis recommencez si besoin."),
    410: ("Page supprimée",
          "Cette page n'existe plus. Repartez du lien ci-dessous."),
    413: ("Envoi trop volumineux",
          "Le fichier ou le formulaire envoyé est trop volumineux : rien n'a été enregistré. "
          "Envoyez un fichier plus petit."),
    414: ("Adresse trop longue",
          "L'adresse demandée est trop longue. Repartez du lien ci-dessous."),
    415: ("Format non accepté",
          "Les données envoyées ne sont pas dans un format que cette page accepte. Rechargez "
          "la page et recommencez."),
    429: ("Trop de demandes",
          "Trop de demandes en peu de temps : patientez quelques minutes, puis recommencez."),
    431: ("Demande trop longue",
          "La demande envoyée est trop longue. Fermez puis rouvrez le navigateur et "
          "recommencez."),
    503: ("Service momentanément indisponible",
          "Le service est momentanément indisponible. Réessayez dans quelques minutes."),
}
# Any other code: a general sentence of its class, never Werkzeug's English name.
CLIENT_ERROR = ("Demande refusée",
                "La demande n'a pas pu être traitée. Revenez à la page précédente, rechargez-la "
                "et recommencez.")
SERVER_ERROR = ("Erreur du serveur",
                "Une erreur est survenue sur le serveur. Rechargez la page pour voir ce qui a été "
                "enregistré, puis réessayez ; si l'erreur revient, prévenez le service "
                "informatique de la mairie.")


def page_for(code: int) -> tuple[str, str]:
    """The French title and usual sentence of an HTTP error ``code`` (400 to 599): its own,
    else the general one of client (4xx) or server (5xx) errors."""
    return PAGES.get(code) or (SERVER_ERROR if code >= 500 else CLIENT_ERROR)

# Addresses whose answers are JSON (their scripts and clients read an error as JSON too).
JSON_PATHS = ("/staff/phone/", "/kitchen/counts", "/healthz")


def register(app: Flask, ivr_prefix: str) -> None:
    """Answer every HTTP error in French on ``app``, except under ``ivr_prefix``."""
    ivr = ivr_prefix.rstrip("/") + "/"

    def _french_error(exc: HTTPException) -> Any:
        code = exc.code
        if (code is None or code < 400 or request.path.startswith(ivr)
                or request.path == ivr.rstrip("/")):
            return exc  # as before: Werkzeug's own answer
        title, usual = page_for(code)
        message = own_message(exc) or (too_large(usual) if code == 413 else usual)
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


def upload_limit() -> str | None:
    """The largest request the application takes (``MAX_CONTENT_LENGTH``), said in French
    through Babel's units (« 20 Mo », « 1 000 octets »), or None when there is no limit: a
    clerk whose file was refused needs to know how much smaller to make it."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return None
    if limit < 1024:
        return format_unit(limit, "digital-byte", length="long", locale="fr")
    size, unit = ((limit / (1024 * 1024), "digital-megabyte") if limit >= 1024 * 1024
                  else (limit / 1024, "digital-kilobyte"))
    # 20 Mo, not « 20,0 Mo »; a limit that is no whole number of units keeps one decimal.
    shown = int(size) if size == int(size) else round(size, 1)
    return format_unit(shown, unit, length="short", locale="fr")


def too_large(sentence: str) -> str:
    """``sentence`` (« Fichier trop volumineux : … ») with the limit put in after its first
    words: « Fichier trop volumineux (20 Mo au plus) : … »."""
    limit = upload_limit()
    if not limit:
        return sentence
    return sentence.replace(" trop volumineux", f" trop volumineux ({limit} au plus)", 1)


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
