"""The in-browser phone: drives the real phone line the way Twilio does.

The page never talks to the line itself. It asks the server to place a call or to send keys; the
server builds Twilio's form parameters, signs them with the configured auth token exactly as Twilio
does (``X-Twilio-Signature``: HMAC-SHA1 of the public URL plus the sorted parameters, computed by
``twilio.request_validator``), posts them in-process to the phone line's blueprint (``POST
/ivr/voice``, then the ``action`` and ``<Redirect>`` URLs its TwiML gives), and returns the TwiML
turned into a small script of verbs that the page plays: it shows and speaks each ``<Say>``
(speechSynthesis, fr-FR), collects keys for each ``<Gather>`` (``numDigits``, ``finishOnKey``,
``timeout``, ``actionOnEmptyResult``) and stops at ``<Hangup/>``. At the end the server sends the
status callback (``/ivr/status``) with the call's duration, as Twilio would.

Only URLs of the phone line (``/ivr/…``) on this server are ever requested.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import Flask
from twilio.request_validator import RequestValidator
from werkzeug.exceptions import MethodNotAllowed, NotFound

VOICE_PATH = "/ivr/voice"
STATUS_PATH = "/ivr/status"
LINE_PREFIX = "/ivr/"
ACCOUNT_SID = "AC" + "0" * 32  # a placeholder account: the line does not check it
PROMPT_VERBS = ("Say", "Pause", "Play")


class PhoneError(Exception):
    """The in-browser phone cannot do what was asked; the message (French) says why."""


def new_call_sid() -> str:
    """A CallSid shaped like Twilio's ("CA" and 32 hexadecimal digits)."""
    return "CA" + secrets.token_hex(16)


def _attr_int(el: ET.Element, name: str, default: int | None) -> int | None:
    raw = el.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        return default


def _prompt(el: ET.Element) -> dict[str, Any] | None:
    if el.tag == "Say":
        return {
            "verb": "say",
            "text": " ".join((el.text or "").split()),
            "language": el.get("language", "fr-FR"),
            "voice": el.get("voice"),
        }
    if el.tag == "Pause":
        return {"verb": "pause", "length": _attr_int(el, "length", 1)}
    if el.tag == "Play":
        return {"verb": "play", "url": (el.text or "").strip(), "digits": el.get("digits")}
    return None


def twiml_script(twiml: str, current_url: str) -> list[dict[str, Any]]:
    """The verbs of a TwiML answer as plain data for the page; relative URLs are resolved
    against ``current_url`` (the URL that answered), as Twilio does."""
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError as exc:
        raise PhoneError(f"La ligne a répondu un TwiML invalide ({exc}).") from exc
    if root.tag != "Response":
        raise PhoneError("La ligne a répondu autre chose que du TwiML (<Response>).")
    script: list[dict[str, Any]] = []
    for el in root:
        prompt = _prompt(el)
        if prompt is not None:
            script.append(prompt)
        elif el.tag == "Gather":
            script.append({
                "verb": "gather",
                "action": urljoin(current_url, el.get("action") or current_url),
                "method": el.get("method", "POST").upper(),
                "input": el.get("input", "dtmf"),
                "numDigits": _attr_int(el, "numDigits", None),
                "finishOnKey": el.get("finishOnKey", "#"),
                "timeout": _attr_int(el, "timeout", 5),
                "speechTimeout": el.get("speechTimeout"),
                "actionOnEmptyResult": el.get("actionOnEmptyResult", "false").lower() == "true",
                "hints": el.get("hints"),
                "language": el.get("language", "fr-FR"),
                "prompts": [p for p in (_prompt(c) for c in el) if p is not None],
            })
        elif el.tag == "Redirect":
            script.append({
                "verb": "redirect",
                "url": urljoin(current_url, (el.text or "").strip() or current_url),
                "method": el.get("method", "POST").upper(),
            })
        elif el.tag in ("Hangup", "Reject"):
            script.append({"verb": "hangup"})
            break  # Twilio ignores what follows
        elif el.tag == "Dial":
            script.append({"verb": "dial", "number": " ".join((el.text or "").split())})
        elif el.tag in ("Sms", "Message"):
            script.append({"verb": "message", "text": " ".join((el.text or "").split())})
        else:
            script.append({"verb": "unsupported", "name": el.tag})
    return script


@dataclass
class LineAnswer:
    url: str
    status: int
    twiml: str
    script: list[dict[str, Any]]


class PhoneBridge:
    """Signs and sends Twilio-like webhook requests to this application's phone line."""

    def __init__(self, app: Flask, auth_token: str | None, base_url: str) -> None:
        self.app = app
        self.auth_token = auth_token
        self.base_url = base_url.rstrip("/") + "/"

    def available(self, path: str = VOICE_PATH) -> bool:
        """Is there a route for ``POST path`` (is the phone line installed)?"""
        adapter = self.app.url_map.bind("localhost")
        try:
            adapter.match(urlsplit(path).path, method="POST")
        except (NotFound, MethodNotAllowed):
            return False
        return True

    def line_url(self, url: str) -> str:
        """``url`` (absolute or a path) as a URL of the phone line on this server, or
        :class:`PhoneError` if it points anywhere else."""
        absolute = urljoin(self.base_url, url)
        parts, base = urlsplit(absolute), urlsplit(self.base_url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
            LINE_PREFIX
        ):
            raise PhoneError("Adresse refusée : le téléphone n'appelle que la ligne (/ivr/).")
        return absolute

    def sign(self, url: str, params: dict[str, str]) -> str:
        if not self.auth_token:
            raise PhoneError(
                "TWILIO_AUTH_TOKEN n'est pas configuré : la ligne refuserait des requêtes "
                "non signées. Définissez-le dans l'environnement du serveur."
            )
        signature: str = RequestValidator(self.auth_token).compute_signature(url, params)
        return signature

    def post(self, url: str, params: dict[str, str]) -> LineAnswer:
        """POST signed ``params`` to the line's ``url`` in-process; the answer and its script."""
        url = self.line_url(url)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"X-Twilio-Signature": self.sign(url, params), "User-Agent": "TwilioProxy/1.1"}
        client = self.app.test_client()
        response = client.post(
            path, base_url=f"{parts.scheme}://{parts.netloc}", data=params, headers=headers
        )
        body = response.get_data(as_text=True)
        if response.status_code != 200:
            raise PhoneError(f"La ligne a répondu HTTP {response.status_code} à {parts.path}.")
        return LineAnswer(url, response.status_code, body, twiml_script(body, url))

    def notify(self, url: str, params: dict[str, str]) -> int:
        """POST a signed status callback; its HTTP status (the answer's body is not used)."""
        url = self.line_url(url)
        parts = urlsplit(url)
        headers = {"X-Twilio-Signature": self.sign(url, params)}
        response = self.app.test_client().post(
            parts.path, base_url=f"{parts.scheme}://{parts.netloc}", data=params, headers=headers
        )
        return response.status_code


def call_params(
    call_sid: str, caller: str, called: str, status: str = "in-progress"
) -> dict[str, str]:
    """The parameters Twilio sends with every voice webhook of an inbound call."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "Direction": "inbound",
        "From": caller,
        "Caller": caller,
        "To": called,
        "Called": called,
        "FromCountry": "FR" if caller.startswith("+33") else "",
        "ToCountry": "FR",
    }
