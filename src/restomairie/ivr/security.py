"""Twilio's signature on every webhook (``X-Twilio-Signature``), checked with Twilio's library.

Twilio signs the URL it called — the public URL, not the one the proxies hand to us — plus the
sorted POST parameters, with the account's auth token (HMAC-SHA1); a GET (a number configured
with "HTTP GET" by mistake) is signed over the URL alone, its parameters being in the query. We
rebuild that URL from the configured public base (``RESTOMAIRIE_PUBLIC_URL``) and the path and
query exactly as received. A missing or wrong signature is refused before anything is done, and
:meth:`WebhookSecurity.refusal` says why, for the log.

Configuration (Flask ``app.config``, else the deployment's secrets and environment):

- ``IVR_AUTH_TOKEN``: default ``TWILIO_AUTH_TOKEN``. Without it the line signs with a random
  per-process token (``ephemeral``): only this process's own in-browser phone and terminal call can
  drive it, and every request from outside is refused.
- ``IVR_PUBLIC_URL``: default ``RESTOMAIRIE_PUBLIC_URL``; without it, the URL as received
  (fine when nothing rewrites it; behind a proxy set it).
- ``IVR_SKIP_SIGNATURE``: default ``RESTOMAIRIE_IVR_SKIP_SIGNATURE`` in the environment. For
  development only, and only when explicitly set to ``1``/``true``/``yes``/``on``; the server says
  so loudly at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlparse, urlsplit

from flask import Request
from twilio.request_validator import RequestValidator, add_port, compare, remove_port

from restomairie.config import Settings

SIGNATURE_HEADER = "X-Twilio-Signature"
# Methods whose parameters Twilio puts in the URL: signed over the URL alone, no body.
URL_ONLY_METHODS = frozenset({"GET", "HEAD"})
NO_HEADER = "no X-Twilio-Signature header"
NO_TOKEN = (
    "no auth token configured (TWILIO_AUTH_TOKEN): only this process's own in-browser phone "
    "and `restomairie call` can drive the line"
)
MISMATCH = "signature does not match"
SKIP_ENV = "RESTOMAIRIE_IVR_SKIP_SIGNATURE"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class WebhookSecurity:
    auth_token: str | None
    public_url: str | None
    skip: bool
    ephemeral: bool = False  # a random per-process token: TWILIO_AUTH_TOKEN is not configured

    def expected_url(self, request: Request) -> str:
        """The URL Twilio signed: the public base plus the path and query as received."""
        base = (self.public_url or request.host_url).rstrip("/")
        return base + received_target(request)

    def verify(self, request: Request) -> bool:
        """Whether the request carries a valid Twilio signature (always True when skipped)."""
        return self.refusal(request) is None

    def refusal(self, request: Request) -> str | None:
        """Why the request is refused: :data:`NO_HEADER`, :data:`NO_TOKEN` or :data:`MISMATCH`;
        ``None`` when it carries a valid Twilio signature (or the check is skipped)."""
        if self.skip:
            return None
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature:
            return NO_HEADER
        if not self.auth_token:
            return NO_TOKEN
        # A form body sent along with a GET is not Twilio's: it signs a GET's URL alone.
        params: Mapping[str, str] | _Form = (
            {} if request.method in URL_ONLY_METHODS else _Form(request.form)
        )
        if _valid(RequestValidator(self.auth_token), self.expected_url(request), params, signature):
            return None
        # A random token of this process's own: Twilio's signatures cannot match, and the
        # token is what IT has to set, not the URL.
        return NO_TOKEN if self.ephemeral else MISMATCH

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        """The signature Twilio would send for ``params`` posted to ``url``."""
        if not self.auth_token:
            raise ValueError("no auth token to sign with")
        return str(RequestValidator(self.auth_token).compute_signature(url, dict(params)))


def _valid(
    validator: RequestValidator, url: str, params: Mapping[str, str] | _Form, signature: str
) -> bool:
    """``validator.validate(url, params, signature)`` for a form (not a JSON body: no
    ``bodySHA256``, which the library checks only for a body given as a string), with the same
    library functions — the URL without its port and with it, as Twilio signs either — but the
    second signature is computed only when the first does not match (``validate`` always
    computes both, an HMAC of the whole form each), the URL as configured first: with its port
    when it has one."""
    parsed = urlparse(url)
    candidates = (add_port, remove_port) if parsed.port else (remove_port, add_port)
    return any(
        compare(validator.compute_signature(candidate(parsed), params), signature)
        for candidate in candidates
    )


class _Form:
    """A request's form as Twilio's library reads the values of a multi-valued form: its
    ``getall``, tried first. A werkzeug ``MultiDict`` has ``getlist`` instead, which the library
    reaches only after an ``AttributeError`` for every parameter. The same values, in the same
    order, so the same signature."""

    __slots__ = ("form",)

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form

    def __iter__(self) -> Iterator[str]:
        return iter(self.form)

    def __len__(self) -> int:
        return len(self.form)

    def getall(self, name: str) -> list[str]:
        """Every value of ``name``, as the form's ``getlist`` gives them."""
        return list(self.form.getlist(name))  # type: ignore[attr-defined]


def received_target(request: Request) -> str:
    """The path and query of the request line, as the client sent them."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        parts = urlsplit(raw)
        if parts.scheme:  # absolute-form request target
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return str(raw)
    path = quote(request.script_root + request.path, safe="/;:@&=+$,!~*'()%")
    query = request.query_string.decode("latin-1")
    return path + (f"?{query}" if query else "")


def webhook_security(
    config: Mapping[str, object], settings: Settings, environ: Mapping[str, str] | None = None
) -> WebhookSecurity:
    """Read the webhook settings (see the module docstring)."""
    env = os.environ if environ is None else environ
    token = config.get("IVR_AUTH_TOKEN") or settings.secret("TWILIO_AUTH_TOKEN")
    public = config.get("IVR_PUBLIC_URL") or settings.secret("RESTOMAIRIE_PUBLIC_URL")
    skip_raw = config.get("IVR_SKIP_SIGNATURE")
    if skip_raw is None:
        skip_raw = env.get(SKIP_ENV, "")
    skip = skip_raw is True or str(skip_raw).strip().lower() in TRUE_WORDS
    return WebhookSecurity(str(token) if token else None, str(public) if public else None, skip)
