"""Driving the phone line like Twilio does: signed webhooks, TwiML parsed and checked against
Twilio's documented ``<Gather>`` and ``<Say>`` attributes.

Reference (TwiML Voice, twilio.com/docs/voice/twiml/gather and /say):

- ``<Gather>``: ``action`` (URL, relative or absolute), ``method`` (GET, POST),
  ``input`` (``dtmf``, ``speech``, ``dtmf speech``), ``numDigits`` (positive integer),
  ``finishOnKey`` (0-9, ``#``, ``*`` or empty), ``timeout`` (positive integer, seconds),
  ``speechTimeout`` (positive integer or ``auto``), ``actionOnEmptyResult`` (true, false),
  ``language`` (BCP-47), ``hints`` (comma-separated words and phrases, each at most 100
  characters), plus ``maxSpeechTime``, ``profanityFilter``, ``partialResultCallback``,
  ``partialResultCallbackMethod``, ``bargeIn``, ``debug``, ``speechModel``, ``enhanced``.
  It nests ``<Say>``, ``<Play>`` and ``<Pause>`` only.
- ``<Say>``: ``voice``, ``language``, ``loop``; its text is what is spoken.
"""

from __future__ import annotations

import re
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from restomairie.config import Settings
from restomairie.models import AuditEntry, BookingDay, Call, CallEvent, Child, Family
from restomairie.runtime import Runtime
from tests.factories import MON_TUE_THU_FRI, KidSpec, make_family

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://resto.example.fr"
NUMBER = "+33800210519"

GATHER_ATTRIBUTES = {
    "action", "method", "input", "numDigits", "finishOnKey", "timeout", "speechTimeout",
    "actionOnEmptyResult", "language", "hints", "maxSpeechTime", "profanityFilter",
    "partialResultCallback", "partialResultCallbackMethod", "bargeIn", "debug", "speechModel",
    "enhanced",
}  # fmt: skip
SAY_ATTRIBUTES = {"voice", "language", "loop"}
VERBS = {"Say", "Gather", "Hangup", "Pause", "Play", "Redirect"}
GATHER_CHILDREN = {"Say", "Play", "Pause"}
BCP47 = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def line_app(rt: Runtime, **config: Any) -> Flask:
    """The application with the phone line, checking signatures with :data:`TOKEN`."""
    from restomairie.web import create_app

    return create_app(
        {"TESTING": True, "IVR_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": PUBLIC_URL, **config},
        runtime=rt,
    )


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def post_signed(
    client: FlaskClient, path: str, params: dict[str, str], token: str | None = TOKEN
) -> Any:
    """POST like Twilio: form-encoded, signed over the public URL and the sorted parameters."""
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + path, params, token)} if token else {}
    return client.post(path, data=params, headers=headers)


def get_signed(
    client: FlaskClient, path: str, params: dict[str, str], token: str | None = TOKEN
) -> Any:
    """GET like Twilio when a webhook is configured with "HTTP GET": the parameters in the
    query, signed over the whole public URL and no body parameters."""
    target = path + ("&" if "?" in path else "?") + urlencode(params)
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + target, {}, token)} if token else {}
    return client.get(target, headers=headers)


@dataclass
class Twiml:
    """A parsed TwiML answer."""

    xml: str
    root: ET.Element

    @property
    def says(self) -> list[str]:
        return [" ".join((el.text or "").split()) for el in self.root.iter("Say")]

    @property
    def text(self) -> str:
        return " ".join(self.says)

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    @property
    def hangup(self) -> bool:
        return self.root.find("Hangup") is not None


def check_twiml(xml: str, settings: Settings, voices: set[str] | None = None) -> Twiml:
    """Parse ``xml`` and check it is TwiML the way Twilio documents it; the parsed answer."""
    root = ET.fromstring(xml)
    assert root.tag == "Response", root.tag
    children = list(root)
    assert children, "an empty <Response> would hang up without a word"
    for el in children:
        assert el.tag in VERBS, f"unexpected verb <{el.tag}>"
    last = children[-1].tag
    assert last in ("Gather", "Hangup"), f"the answer must end with a question or a hang-up: {last}"
    gathers = root.findall("Gather")
    assert len(gathers) <= 1
    allowed_voices = voices or {settings.phone.voice, "Polly.Amy-Neural"}
    for say in root.iter("Say"):
        assert set(say.attrib) <= SAY_ATTRIBUTES, say.attrib
        assert say.get("voice") in allowed_voices, say.get("voice")
        assert BCP47.fullmatch(say.get("language", "")), say.get("language")
        assert (say.text or "").strip(), "a <Say> with nothing to say"
        assert "%(" not in (say.text or ""), f"unformatted message: {say.text}"
    for gather in gathers:
        _check_gather(gather, settings)
    return Twiml(xml, root)


def _check_gather(gather: ET.Element, settings: Settings) -> None:
    attrs = gather.attrib
    assert set(attrs) <= GATHER_ATTRIBUTES, set(attrs) - GATHER_ATTRIBUTES
    for child in gather:
        assert child.tag in GATHER_CHILDREN, f"<{child.tag}> cannot be nested in <Gather>"
    assert list(gather), "a question must say something"
    assert attrs.get("input") in ("dtmf", "speech", "dtmf speech"), attrs.get("input")
    assert attrs.get("method", "POST") in ("GET", "POST")
    assert attrs.get("actionOnEmptyResult") == "true", "silence must come back to the line"
    action = attrs.get("action", "")
    assert re.fullmatch(r"step\?n=[0-9]+", action), action
    if "numDigits" in attrs:
        assert attrs["numDigits"].isdigit() and int(attrs["numDigits"]) > 0
    assert attrs.get("finishOnKey", "#") in ("", "#", "*", *"0123456789")
    assert attrs.get("timeout", "5").isdigit() and int(attrs.get("timeout", "5")) > 0
    if "speech" in attrs["input"]:
        assert attrs.get("language") == settings.phone.language
        assert BCP47.fullmatch(attrs["language"])
        timeout = attrs.get("speechTimeout", "auto")
        assert timeout == "auto" or (timeout.isdigit() and int(timeout) > 0)
        hints = [h.strip() for h in attrs.get("hints", "").split(",")]
        assert hints and all(0 < len(h) <= 100 for h in hints), hints
    else:
        assert "speechTimeout" not in attrs and "hints" not in attrs


@dataclass
class Caller:
    """One simulated call: Twilio's parameters, each answer posted to the last ``action``."""

    client: FlaskClient
    settings: Settings
    from_number: str = "+33612345678"
    call_sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    url: str | None = None
    last: Twiml | None = None
    history: list[Twiml] = field(default_factory=list)

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "AccountSid": "AC" + "0" * 32,
            "CallSid": self.call_sid,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "From": self.from_number,
            "To": NUMBER,
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def _post(self, path: str, params: dict[str, str]) -> Twiml:
        response = post_signed(self.client, path, params)
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/xml"
        twiml = check_twiml(response.get_data(as_text=True), self.settings)
        self.last = twiml
        self.history.append(twiml)
        gather = twiml.gather
        if gather is not None:
            absolute = urljoin(PUBLIC_URL + path, gather.get("action", ""))
            parts = urlsplit(absolute)
            self.url = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            self.url = None
        return twiml

    def start(self) -> Twiml:
        self.url = "/ivr/voice"
        return self._post("/ivr/voice", self.params())

    def press(self, digits: str) -> Twiml:
        assert self.url is not None, "the call is over"
        return self._post(self.url, self.params(Digits=digits))

    def say(self, phrase: str) -> Twiml:
        assert self.url is not None, "the call is over"
        gather = self.last.gather if self.last else None
        assert gather is not None and "speech" in gather.get("input", ""), "no speech here"
        return self._post(self.url, self.params(SpeechResult=phrase, Confidence="0.9"))

    def silence(self) -> Twiml:
        assert self.url is not None, "the call is over"
        return self._post(self.url, self.params())

    def keys(self, *answers: str) -> Twiml:
        twiml = self.last
        for answer in answers:
            twiml = self.press(answer)
        assert twiml is not None
        return twiml

    def hang_up(self, duration: int = 42) -> Any:
        return post_signed(
            self.client,
            "/ivr/status",
            self.params(CallStatus="completed", CallDuration=str(duration)),
        )

    @property
    def ended(self) -> bool:
        return self.last is not None and self.last.hangup


def one_by_one(*requests: str, count: int | None = None) -> str:
    """What the line says before the first of several requests of one phrase is read back,
    each named as it understood it: ``one_by_one("annuler le jeudi 26 novembre", "réserver le
    vendredi 27 novembre")`` is "Je prends vos 2 demandes une par une : annuler le jeudi 26
    novembre, puis réserver le vendredi 27 novembre." (``count``: the days read back, when
    some of ``requests`` name several)."""
    *before, last = requests
    said = f"{', '.join(before)}, puis {last}"
    return f"Je prends vos {count or len(requests)} demandes une par une : {said}."


def booked(rt: Runtime, ref: str, day: date) -> bool | None:
    """Child ``ref``'s meal on ``day`` once a booking or cancellation changed it: booked,
    cancelled, or None (never changed). A change undone (a cancelled meal booked back) leaves
    the day to the weekly pattern, with no booking day: its state is then read as the engine
    reads it."""
    with rt.sessions() as session:
        row = session.scalar(
            select(BookingDay.booked)
            .join(Child, Child.id == BookingDay.child_id)
            .where(Child.ref == ref, BookingDay.day == day)
        )
        if row is not None:
            return row
        account = session.scalar(
            select(Family.account)
            .join(Child, Child.family_id == Family.id)
            .join(AuditEntry, AuditEntry.child_id == Child.id)
            .where(Child.ref == ref, AuditEntry.day == day,
                   AuditEntry.action.in_(("book", "cancel")))
            .limit(1)
        )
    return None if account is None else rt.booking.state(account, ref, day).booked


def events(rt: Runtime, call: Caller) -> list[CallEvent]:
    """The call's logged steps, in order."""
    with rt.sessions() as session:
        return list(
            session.scalars(
                select(CallEvent)
                .join(Call)
                .where(Call.call_sid == call.call_sid)
                .order_by(CallEvent.id)
            )
        )



def identified_three_children(
    rt: Runtime, client: FlaskClient, phone: str, hugo_weekdays: int = MON_TUE_THU_FRI
) -> Caller:
    """A call identified by caller ID for family 210001 (code 1234, ``phone``): Zoé, Léa and
    Hugo (refs E1, E2, E3; keys in first-name order: Hugo 1, Léa 2, Zoé 3), every canteen day
    booked by subscription, Hugo's as ``hugo_weekdays`` says (0: he books day by day). At the
    child menu."""
    hugo = KidSpec("E3", "Hugo", weekdays=hugo_weekdays)
    kids = (KidSpec("E1", "Zoé"), KidSpec("E2", "Léa"), hugo)
    make_family(rt, "210001", "1234", (phone,), kids)
    caller = Caller(client, rt.settings, phone)
    caller.start()
    caller.press("1234")
    return caller
