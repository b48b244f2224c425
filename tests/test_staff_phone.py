"""The in-browser phone's server side: TwiML turned into a script, requests signed like Twilio's
against the real phone line, and a whole call through the staff endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from restomairie.models import AuditEntry, Call
from restomairie.runtime import Runtime
from restomairie.staff.phone import PhoneBridge, PhoneError, call_params, twiml_script
from restomairie.staff.services import StaffService
from restomairie.web import create_app
from tests.factories import KidSpec, make_family
from tests.staff_support import csrf, login, make_user

TOKEN = "test-auth-token"


def test_twiml_becomes_a_script_with_gather_attributes_and_absolute_urls() -> None:
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        '<Say voice="Polly.Lea-Neural" language="fr-FR">Bonjour.</Say><Pause length="2"/>'
        '<Gather action="step?n=1" numDigits="4" timeout="7" input="dtmf speech" '
        'actionOnEmptyResult="true" finishOnKey=""><Say>Tapez votre code.</Say></Gather>'
        '<Redirect>/ivr/step?n=2</Redirect><Hangup/><Say>jamais dit</Say></Response>'
    )
    script = twiml_script(twiml, "https://resto.example/ivr/voice")
    assert [v["verb"] for v in script] == ["say", "pause", "gather", "redirect", "hangup"]
    gather = script[2]
    assert gather["action"] == "https://resto.example/ivr/step?n=1"
    assert (gather["numDigits"], gather["timeout"], gather["finishOnKey"]) == (4, 7, "")
    assert gather["actionOnEmptyResult"] and gather["input"] == "dtmf speech"
    assert gather["prompts"] == [{"verb": "say", "text": "Tapez votre code.", "language": "fr-FR",
                                  "voice": None}]
    assert script[3]["url"] == "https://resto.example/ivr/step?n=2"
    defaults = twiml_script("<Response><Gather/></Response>", "http://h/ivr/step?n=3")[0]
    assert (defaults["action"], defaults["finishOnKey"], defaults["timeout"]) == (
        "http://h/ivr/step?n=3", "#", 5)


@pytest.mark.parametrize("body", ["pas du xml", "<html><body>500</body></html>"])
def test_an_answer_that_is_not_twiml_is_an_error(body: str) -> None:
    with pytest.raises(PhoneError):
        twiml_script(body, "http://h/ivr/voice")


@pytest.mark.parametrize(
    "url",
    ["http://evil.example/ivr/voice", "/staff/users", "https://127.0.0.1:8000/ivr/voice",
     "//evil.example/ivr/voice", "http://127.0.0.1:8000/ivrx"],
)
def test_the_phone_only_ever_calls_the_line_on_this_server(url: str) -> None:
    bridge = PhoneBridge(Flask(__name__), TOKEN, "http://127.0.0.1:8000/")
    with pytest.raises(PhoneError, match="Adresse refusée"):
        bridge.line_url(url)
    assert bridge.line_url("step?n=1".join(["/ivr/", ""])) == "http://127.0.0.1:8000/ivr/step?n=1"


def test_requests_are_signed_as_twilio_signs_them() -> None:
    from twilio.request_validator import RequestValidator

    seen: dict[str, Any] = {}
    app = Flask(__name__)

    @app.post("/ivr/voice")
    def voice() -> Any:
        from flask import request

        seen["ok"] = RequestValidator(TOKEN).validate(
            "https://line.example/ivr/voice", request.form, request.headers["X-Twilio-Signature"])
        seen["form"] = dict(request.form)
        return "<Response><Hangup/></Response>"

    answer = PhoneBridge(app, TOKEN, "https://line.example").post(
        "/ivr/voice", call_params("CA1", "+33612345678", "+33800210519", status="ringing"))
    assert seen["ok"] and seen["form"]["CallStatus"] == "ringing"
    assert seen["form"]["From"] == "+33612345678" and answer.script == [{"verb": "hangup"}]
    with pytest.raises(PhoneError, match="TWILIO_AUTH_TOKEN"):
        PhoneBridge(app, None, "https://line.example").post("/ivr/voice", {})


# ------------------------------------------------------------------ against the real line
@pytest.fixture
def line_app(rt: Runtime) -> Flask:
    app = create_app({"TESTING": True, "IVR_AUTH_TOKEN": TOKEN}, runtime=rt)
    if not any(r.rule == "/ivr/voice" for r in app.url_map.iter_rules()):
        pytest.fail("the phone line blueprint (/ivr/voice) is not registered")
    return app


@pytest.fixture
def phone(line_app: Flask, rt: Runtime) -> Any:
    make_family(rt, "210001", phones=("+33612345678",),
                kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo")])
    make_user(rt, "marie", "staff")
    client = line_app.test_client()
    assert login(client, "marie").status_code == 302
    return client


def rt_staff(rt: Runtime) -> StaffService:
    return StaffService(rt.booking)


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": csrf(client)})


def _said(answer: dict[str, Any]) -> str:
    out = []
    for verb in answer["script"]:
        out += [p["text"] for p in verb.get("prompts", [])]
        if verb["verb"] == "say":
            out.append(verb["text"])
    return " ".join(out)


def _gather(answer: dict[str, Any]) -> dict[str, Any]:
    (gather,) = [v for v in answer["script"] if v["verb"] == "gather"]
    return gather


def test_a_whole_call_through_the_staff_phone_cancels_a_meal_and_leaves_its_trace(
    phone: Any, rt: Runtime
) -> None:
    answer = _post(phone, "/staff/phone/call", {"from": "06 12 34 56 78"}).get_json()
    assert "code secret" in _said(answer)
    sid = answer["sid"]
    for keys, heard in [("1234", "Pour Hugo, tapez 1"), ("1", "Pour annuler un repas, tapez 2"),
                        ("2", "Pour quel jour"), ("2611", "annuler le repas d'Hugo le jeudi 26"),
                        ("1", "le repas d'Hugo du jeudi 26 novembre est annulé"),
                        ("2", "Au revoir")]:
        response = _post(phone, "/staff/phone/send",
                         {"sid": sid, "url": _gather(answer)["action"], "digits": keys,
                          "kind": "gather"})
        assert response.status_code == 200, response.get_data(as_text=True)
        answer = response.get_json()
        assert heard in _said(answer), (keys, _said(answer))
    assert answer["script"][-1] == {"verb": "hangup"}
    ended = _post(phone, "/staff/phone/hangup", {"sid": sid}).get_json()
    assert ended["status_callback"] == 200
    assert not rt.booking.state("210001", "E2", rt.clock.today().replace(day=26)).booked
    with rt.sessions() as s:
        call = s.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert (call.outcome, call.status, call.from_number) == ("cancelled", "completed", "+33612345678")
        actions = {(e.action, e.actor) for e in s.scalars(select(AuditEntry).where(AuditEntry.call_sid == sid))}
    assert actions == {("training_call", "staff:marie"), ("cancel", "family:210001")}
    page = phone.get(ended["timeline"]).get_data(as_text=True)
    assert "passé depuis le navigateur par agent marie" in page
    timeline = page.split('id="timeline"')[1].split("</ol>")[0]
    assert "code secret (jamais enregistré)" in timeline and "1234" not in timeline
    assert "« 2611 »" in timeline and "Au revoir" in timeline
    # The cancellation is recorded as the family's (it went through the real line), but the
    # history says it was a training call, not the parent.
    (hugo,) = [e for e in rt_staff(rt).family_history("210001") if e.action == "cancel"]
    assert (hugo.actor, hugo.training_by) == ("family:210001", "staff:marie")
    history = phone.get("/staff/families/210001").get_data(as_text=True).split("<h2>Historique")[1]
    assert "famille 210001 <span class=\"tag training\">appel d'essai par agent marie</span>" in history
    audit = phone.get("/staff/audit?action=cancel").get_data(as_text=True)
    assert "appel d'essai par agent marie" in audit and "<td>téléphone</td>" in audit


def test_speech_is_sent_as_twilio_speech_result(phone: Any) -> None:
    answer = _post(phone, "/staff/phone/call", {"from": "+33612345678"}).get_json()
    sid = answer["sid"]
    answer = _post(phone, "/staff/phone/send", {"sid": sid, "url": _gather(answer)["action"],
                                                "digits": "1234"}).get_json()
    answer = _post(phone, "/staff/phone/send", {"sid": sid, "url": _gather(answer)["action"],
                                                "speech": "Léa"}).get_json()
    assert "Pour Léa" in _said(answer)


def test_a_call_as_a_family_goes_on_from_its_number_looked_up_at_each_step(
    phone: Any, rt: Runtime
) -> None:
    # The session keeps the account, not the number (test_staff_calllog checks that).
    answer = _post(phone, "/staff/phone/call", {"account": "210001"}).get_json()
    sid = answer["sid"]
    answer = _post(phone, "/staff/phone/send", {"sid": sid, "url": _gather(answer)["action"],
                                                "digits": "1234"}).get_json()
    assert "Pour Léa, tapez 2" in _said(answer)  # identified by the family's number
    ended = _post(phone, "/staff/phone/hangup", {"sid": sid}).get_json()
    assert ended["status_callback"] == 200
    with rt.sessions() as s:
        call = s.scalars(select(Call).where(Call.call_sid == sid)).one()
    assert (call.from_number, call.status) == ("+33612345678", "completed")


def test_the_staff_phone_refuses_other_calls_and_other_addresses(phone: Any, rt: Runtime) -> None:
    answer = _post(phone, "/staff/phone/call", {"from": "+33612345678"}).get_json()
    unknown = _post(phone, "/staff/phone/send", {"sid": "CAnot-mine", "url": "/ivr/step?n=1",
                                                 "digits": "1"})
    assert unknown.status_code == 404
    elsewhere = _post(phone, "/staff/phone/send", {"sid": answer["sid"], "url": "/staff/users",
                                                   "digits": "1"})
    assert elsewhere.status_code == 502 and "Adresse refusée" in elsewhere.get_json()["error"]
    bad_keys = _post(phone, "/staff/phone/send", {"sid": answer["sid"], "url": "/ivr/step?n=1",
                                                  "digits": "12<script>"})
    assert bad_keys.status_code == 400
    bad_number = _post(phone, "/staff/phone/call", {"from": "pas un numéro"})
    assert bad_number.status_code == 400
    no_json = phone.post("/staff/phone/call", data={"csrf_token": csrf(phone)})
    assert no_json.status_code == 400


def test_with_a_token_the_line_does_not_know_the_phone_reports_the_refusal(
    phone: Any, line_app: Flask
) -> None:
    line, security = line_app.extensions["restomairie.ivr"]
    from dataclasses import replace

    line_app.extensions["restomairie.ivr"] = (line, replace(security, auth_token=None))
    page = phone.get("/staff/phone").get_data(as_text=True)
    assert "TWILIO_AUTH_TOKEN n&#39;est pas configuré" in page
    refused = _post(phone, "/staff/phone/call", {"from": "+33612345678"})
    assert refused.status_code == 502 and "TWILIO_AUTH_TOKEN" in refused.get_json()["error"]


def test_the_line_refuses_a_request_signed_with_another_token(line_app: Flask) -> None:
    bridge = PhoneBridge(line_app, "not-the-token", "http://localhost/")
    with pytest.raises(PhoneError, match="HTTP 403"):
        bridge.post("/ivr/voice", call_params("CA2", "+33612345678", "+33800210519"))
