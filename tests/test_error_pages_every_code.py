"""Every HTTP error the staff pages and the rest of the application can answer is said in French
(405, 409, 413, 415, 429, a server error…, any other code with a general sentence): never
Werkzeug's English name. The phone line's webhooks (``/ivr/``) keep Werkzeug's answers."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    ImATeapot,
    InternalServerError,
    MethodNotAllowed,
    RequestEntityTooLarge,
    TooManyRequests,
    UnavailableForLegalReasons,
    UnsupportedMediaType,
)

from restomairie.runtime import Runtime
from tests.staff_support import login, make_user

ENGLISH = ("Too Many Requests", "Conflict", "Unsupported Media Type", "Internal Server Error",
           "Request Entity Too Large", "I'm a teapot", "Unavailable For Legal Reasons",
           "Method Not Allowed", "The server", "The request")

CASES = [
    (MethodNotAllowed(), "Cette action se fait depuis le bouton ou le formulaire de sa page"),
    (Conflict(), "Cette demande entre en conflit avec une modification faite entre-temps."),
    (UnsupportedMediaType(), "Les données envoyées ne sont pas dans un format que cette page "
                             "accepte."),
    (TooManyRequests(), "Trop de demandes en peu de temps : patientez quelques minutes"),
    (ImATeapot(), "La demande n'a pas pu être traitée."),  # any other 4xx
    (UnavailableForLegalReasons(), "La demande n'a pas pu être traitée."),
    (InternalServerError(), "Une erreur est survenue sur le serveur."),
]


def _no_english(text: str) -> None:
    assert not any(word in text for word in ENGLISH), text


@pytest.mark.parametrize(("exc", "said"), CASES, ids=[str(e.code) for e, _ in CASES])
def test_the_staff_pages_say_every_error_in_french(
    app: Flask, exc: HTTPException, said: str
) -> None:
    from restomairie.staff.views import _http_error

    with app.test_request_context("/staff/families"):
        page, code = _http_error(exc)
    assert code == exc.code
    assert f'<p class="flash error" role="alert">{said}'.replace("'", "&#39;") in page, page
    _no_english(page)
    # the in-browser phone's and the pages' scripts' requests: the same sentence, in JSON
    with app.test_request_context("/staff/phone/send", method="POST", json={}):
        response, code = _http_error(exc)
    assert code == exc.code and response.get_json()["error"].startswith(said)


@pytest.mark.parametrize(("exc", "said"), CASES, ids=[str(e.code) for e, _ in CASES])
def test_the_application_says_every_error_in_french(
    app: Flask, exc: HTTPException, said: str
) -> None:
    for path in ("/kitchen/login", "/nulle-part"):
        with app.test_request_context(path):
            response = app.make_response(app.handle_user_exception(exc))
        assert response.status_code == exc.code
        text = response.get_data(as_text=True)
        assert '<html lang="fr">' in text and said.replace("'", "&#39;") in text, text
        _no_english(text)
    with app.test_request_context("/healthz"):
        response = app.make_response(app.handle_user_exception(exc))
    assert response.get_json()["error"].startswith(said)


def test_a_form_too_big_for_the_kitchen_login_is_said_in_french(app: Flask, client: Any) -> None:
    # Werkzeug's « Request Entity Too Large » page, in English, answered it.
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/kitchen/login", data={"token": "x" * 5000})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "<title>Envoi trop volumineux (erreur 413) — Resto-Mairie</title>" in text
    # The limit is said (« 1 000 octets au plus »), so that one knows how much smaller to send.
    assert ("Le fichier ou le formulaire envoyé est trop volumineux (1\u202f000\xa0octets au "
            "plus) : rien n&#39;a été enregistré.") in text and 'href="/kitchen/"' in text
    _no_english(text)


def test_a_staff_file_too_big_keeps_its_staff_sentence(app: Flask, rt: Runtime) -> None:
    # A guard: the staff's own 413 sentence, in the staff layout, is unchanged.
    make_user(rt, "chef", "admin")
    client = app.test_client()
    assert login(client, "chef").status_code == 302
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/staff/import", data={"file": (BytesIO(b"x" * 5000), "f.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert ("Fichier trop volumineux (1\u202f000\xa0octets au plus) : rien n&#39;a été "
            "enregistré.") in response.get_data(as_text=True)


@pytest.mark.parametrize(("limit", "said"), [
    (20 * 1024 * 1024, "20\u202fMo"), (1536 * 1024, "1,5\u202fMo"), (64 * 1024, "64\u202fko"),
    (1000, "1\u202f000\xa0octets"), (None, None),
])
def test_the_upload_limit_is_said_in_french_units(
    app: Flask, limit: int | None, said: str | None
) -> None:
    from restomairie.errors import too_large, upload_limit

    app.config["MAX_CONTENT_LENGTH"] = limit
    with app.app_context():
        assert upload_limit() == said
        assert too_large("Fichier trop volumineux : x.") == (
            f"Fichier trop volumineux ({said} au plus) : x." if said
            else "Fichier trop volumineux : x.")


def test_the_phone_line_keeps_werkzeug_answers_for_every_code(app: Flask) -> None:
    for exc in (TooManyRequests(), RequestEntityTooLarge(), Conflict()):
        with app.test_request_context("/ivr/voice", method="POST"):
            response = app.make_response(app.handle_user_exception(exc))
        assert response.get_data() == exc.get_response().get_data()
