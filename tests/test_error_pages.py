"""The application's error pages in French (400, 403, 404, 405) where no blueprint answers
itself; the staff pages' own error page, JSON answers and the phone line's webhooks unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from restomairie.runtime import Runtime
from tests.staff_support import PASSWORD, csrf, login, make_user, page_text


@pytest.fixture
def admin(app: Flask, rt: Runtime) -> Any:
    make_user(rt, "chef", "admin")
    client = app.test_client()
    assert login(client, "chef").status_code == 302
    return client


def _french_page(response: Any, code: int, title: str, back: str) -> str:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert '<html lang="fr">' in text
    assert f"<title>{title} (erreur {code}) — Resto-Mairie</title>" in text
    assert f'href="{back}"' in text
    assert "The requested URL" not in text and "not allowed" not in text
    return text


def test_an_unknown_address_answers_a_french_404(client: Any) -> None:
    _french_page(client.get("/nulle-part"), 404, "Page introuvable", "/")
    _french_page(client.get("/staff/nulle-part"), 404, "Page introuvable", "/staff/")
    _french_page(client.get("/kitchen/nulle-part"), 404, "Page introuvable", "/kitchen/")


def test_a_form_opened_by_its_address_answers_a_french_405(admin: Any, client: Any) -> None:
    for who, url, back in [
        (client, "/kitchen/login", "/kitchen/"),
        (admin, "/staff/logout", "/staff/"),
        (admin, "/staff/closures/1/lift", "/staff/"),
    ]:
        response = who.get(url)
        _french_page(response, 405, "Adresse à ne pas ouvrir ainsi", back)
        assert "POST" in response.headers["Allow"]
    assert admin.get("/staff/").status_code == 200  # the GET logged nobody out


def test_the_kitchen_logout_without_its_token_answers_in_french(client: Any) -> None:
    text = _french_page(client.post("/kitchen/logout"), 400, "Demande invalide", "/kitchen/")
    assert ("Formulaire expiré : votre demande n&#39;a pas été faite, rien n&#39;a été modifié, "
            "vous êtes toujours connecté(e). Rechargez la page, puis refaites-la.") in text


def test_json_addresses_keep_answering_json(admin: Any) -> None:
    response = admin.get("/staff/phone/call")
    assert response.status_code == 405 and response.is_json
    assert response.get_json()["error"].startswith("Cette action se fait")
    response = admin.post("/staff/phone/nulle-part", json={})
    assert response.status_code == 404 and response.is_json
    # the staff pages' own error page and the in-browser phone's JSON, with the view's message
    response = admin.post("/staff/phone/send", json={"sid": "CAinconnu", "digits": "1"},
                          headers={"X-CSRF-Token": csrf(admin)})
    assert response.status_code == 404 and response.get_json() == {"error": "Appel inconnu."}
    text = admin.get("/staff/families/999999").get_data(as_text=True)
    assert "Erreur 404" in text and "Page introuvable." in text


def test_the_staff_error_page_says_the_views_own_message_escaped(
    app: Flask, admin: Any
) -> None:
    from werkzeug.exceptions import BadRequest, Forbidden

    from restomairie.staff.views import _http_error

    response = admin.get("/staff/families/210001/children/X?month=<b>13</b>")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Mois invalide : &lt;b&gt;13&lt;/b&gt;" in text and "<b>13" not in text
    # each code with a message of its view's, or its usual sentence (never Werkzeug's English)
    for exc, said in [
        (NotFound(description="Appel <inconnu>."), "Appel &lt;inconnu&gt;."),
        (NotFound(), "Page introuvable."),
        (Forbidden(description="Réservé aux administrateurs."), "Réservé aux administrateurs."),
        (Forbidden(), "Votre compte n&#39;a pas accès à cette page ou à cette action."),
        (BadRequest(), "Requête invalide."),
    ]:
        with app.test_request_context("/staff/families"):
            page, code = _http_error(exc)
        assert code == exc.code
        assert f'<p class="flash error" role="alert">{said}</p>' in page, page
    response = admin.post("/staff/phone/hangup", json={"sid": "CAinconnu"},
                          headers={"X-CSRF-Token": csrf(admin)})
    assert response.status_code == 404 and response.get_json() == {"error": "Appel inconnu."}


def test_the_staff_csrf_refusal_is_unchanged(app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    response = app.test_client().post("/staff/login", data={
        "username": "marie", "password": PASSWORD,
    })
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Erreur 400" in text and "Jeton de sécurité (CSRF) absent ou invalide" in text


def test_a_form_sent_without_any_session_says_nothing_was_done(
    app: Flask, rt: Runtime
) -> None:
    # A plain form POST, no session cookie at all (another site's form, a browser that blocks
    # cookies): refused before anything runs, and said so, with the way back to its page.
    from restomairie.models import Closure

    make_user(rt, "marie", "staff")
    for url, data, back in [
        ("/staff/login", {"username": "marie", "password": PASSWORD}, "/staff/login"),
        ("/staff/closures", {"school": "anjou-elem", "start": "2026-12-07",
                             "end": "2026-12-07", "reason": "Grève"}, "/staff/closures"),
    ]:
        client = app.test_client()
        assert client.get_cookie("session") is None
        response = client.post(url, data=data, headers={
            "Referer": "http://localhost/staff/closures"} if "closures" in url else {})
        assert response.status_code == 400
        text = page_text(response)
        assert ("Jeton de sécurité (CSRF) absent ou invalide : votre demande n'a pas été faite, "
                "rien n'a été modifié. Rechargez la page, puis refaites-la.") in text
        assert (f'<a href="{back}">Revenir à la page pour refaire la demande</a>'
                in response.get_data(as_text=True))
    with rt.sessions() as s:
        assert s.query(Closure).count() == 0
    response = app.test_client().post("/staff/closures", json={},
                                      headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "rien n'a été modifié" in response.get_json()["error"]


def test_the_phone_line_keeps_werkzeug_answers(client: Any) -> None:
    response = client.post("/ivr/nulle-part")
    assert response.status_code == 404
    assert response.get_data() == NotFound().get_response().get_data()
    response = client.put("/ivr/voice")
    assert response.status_code == 405
    assert response.get_data() == MethodNotAllowed().get_response().get_data()


