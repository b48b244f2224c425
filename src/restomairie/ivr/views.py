"""The phone line's webhooks: a Flask blueprint that only checks, parses and renders.

``POST /ivr/voice`` (the number's voice URL), ``POST /ivr/step?n=…`` (each question's
``action``), ``POST /ivr/status`` (the status callback) and ``POST /ivr/fallback`` (the fallback
URL). Every request must carry a valid Twilio signature (403 otherwise, nothing done, and the log
says why); whatever goes wrong afterwards is answered with valid TwiML — a French apology and a
hang-up — never a 500. A signed GET on any of them (the number configured with "HTTP GET") is
never processed as a step: apology, hang-up, and an error in the log telling IT what to change.
"""

from __future__ import annotations

import logging
import secrets
import sys
from dataclasses import replace
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from restomairie.ivr import twiml
from restomairie.ivr.security import MISMATCH, WebhookSecurity, webhook_security
from restomairie.ivr.service import PhoneLine, Webhook
from restomairie.ivr.sms import ReceiptOutbox, outbox_from_settings
from restomairie.runtime import Runtime

log = logging.getLogger("restomairie.ivr")

bp = Blueprint("ivr", __name__, url_prefix="/ivr")
EXTENSION = "restomairie.ivr"
TWIML = "text/xml; charset=utf-8"
WEBHOOK_MAX_BYTES = 1024 * 1024


def register(app: Flask, runtime: Runtime, outbox: ReceiptOutbox | None = None) -> PhoneLine:
    """Install the phone line on ``app`` (called by ``create_app``)."""
    security = webhook_security(app.config, runtime.settings)
    if not security.auth_token and not security.skip:
        # No Twilio account yet (a newcomer's demo, training): this process signs with a random
        # token of its own, so the in-browser phone and ``restomairie call`` work while any
        # request from outside — Twilio's included — is still refused. Never "no check".
        security = replace(security, auth_token=secrets.token_urlsafe(32), ephemeral=True)
    if outbox is None:
        outbox = app.config.get("IVR_SMS_OUTBOX") or outbox_from_settings(
            runtime.settings.phone.sms_receipts, runtime.settings.secrets
        )
    line = PhoneLine.from_runtime(runtime, outbox)
    app.extensions[EXTENSION] = (line, security)
    app.register_blueprint(bp)
    _announce(security)
    return line


def _announce(security: WebhookSecurity) -> None:
    if security.skip:
        banner = (
            "\n" + "!" * 78 + "\n"
            "!!  LIGNE TÉLÉPHONIQUE : SIGNATURES DE TWILIO NON VÉRIFIÉES\n"
            "!!  (RESTOMAIRIE_IVR_SKIP_SIGNATURE) : n'importe qui peut appeler /ivr/*.\n"
            "!!  Pour le développement seulement, jamais en production.\n"
            + "!" * 78
            + "\n"
        )
        log.critical(banner)
        sys.stderr.write(banner)
    elif security.ephemeral:
        log.warning(
            "ligne téléphonique : TWILIO_AUTH_TOKEN n'est pas défini : ce processus signe avec "
            "un jeton aléatoire, seuls le téléphone d'essai du navigateur et « restomairie "
            "call » peuvent appeler la ligne, et les appels de Twilio seront refusés (403) tant "
            "que le jeton n'est pas configuré"
        )


def _line() -> tuple[PhoneLine, WebhookSecurity]:
    found: tuple[PhoneLine, WebhookSecurity] = current_app.extensions[EXTENSION]
    return found


def _twiml(body: str) -> Response:
    return Response(body, status=200, mimetype="text/xml", content_type=TWIML)


def _clean(text: str | None, limit: int) -> str:
    """Printable text only (a NUL cannot even be stored by PostgreSQL), at most ``limit``."""
    if not text:
        return ""
    text = text[:limit]
    if text.isprintable():  # the usual case: nothing to replace, no character by character
        return text.strip()
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def _hook() -> Webhook:
    form = request.form
    duration = form.get("CallDuration", "")
    return Webhook(
        call_sid=_clean(form.get("CallSid"), 64),
        from_number=_clean(form.get("From"), 32) or None,
        to_number=_clean(form.get("To"), 32) or None,
        digits=_clean(form.get("Digits"), 64),
        speech=_clean(form.get("SpeechResult"), 1000),
        call_status=_clean(form.get("CallStatus"), 32) or None,
        # Seconds; a figure no call reaches (over a year) is not stored rather than refused:
        # the status callback must still record how the call ended.
        duration=int(duration)
        if duration.isascii() and duration.isdigit() and len(duration) <= 8
        else None,
        error_code=_clean(form.get("ErrorCode"), 16) or None,
        error_url=_clean(form.get("ErrorUrl"), 500) or None,
    )


def _action_url(seq: int) -> str:
    # Relative to the webhook's own URL (Twilio resolves it like a browser): it stays right
    # whatever prefix a proxy adds in front of /ivr/.
    return f"step?n={seq}"


@bp.before_request
def _limit_size() -> Response | None:
    """Twilio's webhooks are a few hundred bytes: a body over :data:`WEBHOOK_MAX_BYTES` is
    refused before it is read (the application's own limit is the staff's CSV imports')."""
    request.max_content_length = WEBHOOK_MAX_BYTES  # also for a body without a length
    if (request.content_length or 0) > WEBHOOK_MAX_BYTES:
        log.warning(
            "phone line: refused %s %s (%s bytes)", request.method, request.path,
            request.content_length,
        )
        return Response("Request too large.\n", status=413, mimetype="text/plain")
    return None


@bp.before_request
def _check_signature() -> Response | None:
    _, security = _line()
    try:
        reason = security.refusal(request)
        if reason is None:
            return None
    except Exception:  # an unreadable request is not a signed one
        log.exception("phone line: signature check failed on %s", request.path)
        reason = "the request could not be read"
    # What IT needs to find the cause — never the form values (a code), the token or the
    # signature; the URL checked without its query (a GET's query holds the keys pressed).
    try:
        checked = security.expected_url(request).split("?", 1)[0]
    except Exception:
        checked = "?"
    hint = ""
    if reason == MISMATCH:
        hint = (
            "; if Twilio calls another address, set RESTOMAIRIE_PUBLIC_URL to the public base "
            "URL configured in Twilio; else check TWILIO_AUTH_TOKEN"
            if security.public_url
            else "; RESTOMAIRIE_PUBLIC_URL is not set, so the URL as received was checked: "
            "behind a proxy, set it to the public base URL configured in Twilio"
        )
    log.warning(
        "phone line: refused %s %s with 403 (%s): call %s from %s, signature checked against %s%s",
        request.method,
        request.path,
        reason,
        _call_sid() or "without CallSid",
        request.remote_addr or "?",
        checked,
        hint,
    )
    return Response("Forbidden: invalid Twilio signature.\n", status=403, mimetype="text/plain")


def _call_sid() -> str:
    """The request's CallSid (from the query for a GET), printable; "" if none or unreadable."""
    try:
        values = request.args if request.method in ("GET", "HEAD") else request.form
        return _clean(values.get("CallSid"), 64)
    except Exception:
        return ""


def _safely(handler: Any) -> Response:
    try:
        hook = _hook()
        if not hook.call_sid:
            log.warning("phone line: webhook without CallSid on %s", request.path)
            return _twiml(twiml.apology(_line()[0].settings))
        return _twiml(handler(hook))
    except Exception:
        log.exception("phone line: unexpected error on %s", request.path)
        try:
            settings = _line()[0].settings
        except Exception:
            settings = None
        return _twiml(twiml.apology(settings))


@bp.post("/voice")
def voice() -> Response:
    line, _ = _line()
    return _safely(lambda hook: line.incoming(hook, _action_url))


@bp.post("/step")
def step() -> Response:
    line, _ = _line()
    n = request.args.get("n")
    return _safely(lambda hook: line.step(n, hook, _action_url))


@bp.post("/status")
def status() -> Response:
    line, _ = _line()

    def handle(hook: Webhook) -> str:
        line.status(hook)
        return twiml.empty()

    return _safely(handle)


@bp.post("/fallback")
def fallback() -> Response:
    line, _ = _line()
    return _safely(line.fallback)


# Where each URL is set in the Twilio console (Phone Numbers > Active numbers > the number >
# Voice configuration), for the log of a GET.
_CONSOLE_FIELDS = {
    "voice": "the voice URL ('A call comes in')",
    "status": "the status callback ('Call status changes')",
    "fallback": "the fallback URL ('Primary handler fails')",
    # The questions' answers: our <Gather> says POST, so Twilio only GETs them after a redirect.
    "step": "the voice URL ('A call comes in')",
}


@bp.get("/voice", endpoint="get_voice")
@bp.get("/step", endpoint="get_step")
@bp.get("/status", endpoint="get_status")
@bp.get("/fallback", endpoint="get_fallback")
def wrong_method() -> Response:
    """A signed GET (the number configured with "HTTP GET", or a redirect — http to https —
    which Twilio follows with a GET) is never processed as a call step: a step's keys, a secret
    code among them, would travel in the URL and end up in access logs. The caller hears the
    apology instead of Twilio's English error, and the log tells IT what to change. The status
    callback gets the empty answer it always gets (no one hears it). Unsigned, the GET was
    refused (403) like a POST."""
    name = request.path.rstrip("/").rsplit("/", 1)[-1]
    status = name == "status"
    # Never the query string: a GET's keys pressed are in it.
    log.error(
        "phone line: Twilio called %s with HTTP GET (call %s), which this line never processes: "
        "in the Twilio console, set the method of %s to HTTP POST, with the exact https address "
        "(a redirect turns Twilio's POST into a GET); %s",
        request.path,
        _call_sid() or "without CallSid",
        _CONSOLE_FIELDS.get(name, "this webhook"),
        "the end of the call was not recorded"
        if status
        else "the caller heard an apology and the call was hung up",
    )
    if status:
        return _twiml(twiml.empty())
    try:
        settings = _line()[0].settings
    except Exception:
        settings = None
    return _twiml(twiml.apology(settings))
