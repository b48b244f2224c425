"""``restomairie call``: a phone call in the terminal, against the real webhooks.

The command plays Twilio's part: it posts the form parameters Twilio sends, signed exactly like
Twilio (``X-Twilio-Signature``, computed by ``twilio.request_validator``), to ``/ivr/voice``, then
to each ``<Gather>``'s ``action``; it prints every ``<Say>`` and answers each question with the next
key sequence or phrase — from the command's arguments first, then from standard input (one per
line) — and sends the status callback when the call ends. In-process by default (the application
is built here, on the configured database), or against a running server with ``--url``.

An answer is keys (``1``, ``2611``, ``210500#``, ``*``), a phrase (``"lundi prochain"``, sent as
Twilio's ``SpeechResult`` where speech is accepted) or silence (``-`` or an empty line). When
there is nothing more to answer, the caller hangs up.
"""

from __future__ import annotations

import re
import secrets
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import click

from restomairie.ivr.flow import OTHER_ACCOUNT_KEY
from restomairie.ivr.security import SIGNATURE_HEADER, WebhookSecurity

ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_CALLER = "+33100000000"
MAX_TURNS = 200
SILENCE = frozenset({"", "-", "silence", "(silence)"})
KEYS = re.compile(r"[0-9*#]+")


class Line(Protocol):
    """Somewhere to post a webhook: returns the HTTP status and the body."""

    base_url: str

    def post(self, url: str, params: dict[str, str]) -> tuple[int, str]: ...


class InProcessLine:
    """The application itself, through Flask's test client (no network)."""

    def __init__(self, app: Any, security: WebhookSecurity) -> None:
        self.client = app.test_client()
        self.security = security
        self.base_url = (security.public_url or "http://localhost").rstrip("/")

    def post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        if not url.startswith(self.base_url):
            raise click.ClickException(f"adresse hors de la ligne : {url}")
        target = url[len(self.base_url) :] or "/"
        parts = urlsplit(self.base_url)
        headers = {}
        if self.security.auth_token:
            headers[SIGNATURE_HEADER] = self.security.sign(url, params)
        response = self.client.post(
            target, base_url=f"{parts.scheme}://{parts.netloc}", data=params, headers=headers
        )
        return response.status_code, response.get_data(as_text=True)


def server_base(url: str) -> str:
    """The server's base address from ``--url``: the voice URL given to Twilio
    (``http://host:8000/ivr/voice``) or ``…/ivr/`` are taken for the server's."""
    base = url.strip().rstrip("/")
    for tail in ("/ivr/voice", "/ivr"):
        if base.lower().endswith(tail):
            return base[: -len(tail)]
    return base


class HttpLine:
    """A running server (``restomairie serve``), over HTTP."""

    def __init__(
        self, base_url: str, auth_token: str | None, public_url: str | None = None
    ) -> None:
        self.base_url = server_base(base_url)
        # The server checks signatures against its public URL (RESTOMAIRIE_PUBLIC_URL) when it
        # has one, as Twilio calls it from outside: sign for that address, as Twilio would.
        self.public_url = server_base(public_url or self.base_url)
        self.security = WebhookSecurity(auth_token, self.public_url, False)

    def post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        import requests  # Twilio's own dependency

        headers = {}
        if self.security.auth_token:
            signed = url
            if url.startswith(self.base_url):
                signed = self.public_url + url[len(self.base_url) :]
            headers[SIGNATURE_HEADER] = self.security.sign(signed, params)
        try:
            response = requests.post(url, data=params, headers=headers, timeout=20)
        except requests.RequestException as exc:
            # The server stopped or restarted during the call: said, not a traceback.
            raise click.ClickException(f"le serveur ne répond pas ({url}) : {exc}") from exc
        return response.status_code, response.text


@dataclass
class Question:
    """A ``<Gather>``: how the answer is collected."""

    action: str
    input: str
    num_digits: int | None
    finish_on_key: str


@dataclass
class CallRecord:
    """What happened during a terminal call (for tests and scripts)."""

    call_sid: str
    heard: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    hung_up_by_line: bool = False


def call_params(call_sid: str, caller: str, called: str) -> dict[str, str]:
    """The parameters Twilio posts with every webhook of an inbound call."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "From": caller,
        "Caller": caller,
        "To": called,
        "Called": called,
    }


def answer_params(
    question: Question, answer: str, *, identified: bool = False
) -> tuple[dict[str, str], str]:
    """Twilio's parameters for ``answer`` to ``question``, and how to show it. Keys typed for
    the secret code (four keys, keypad only, before the caller is ``identified``) are shown as
    dots, except "0#" ("this phone is not my family's": never a code, codes have four digits),
    shown as typed; after it, four keys are a date (keypad-only questions in a language the
    speech parser does not know)."""
    text = answer.strip()
    if text.lower() in SILENCE:
        return {}, "[silence]"
    if KEYS.fullmatch(text):
        keys = text
        if question.finish_on_key and question.finish_on_key in keys:
            keys = keys.split(question.finish_on_key, 1)[0]
        if question.num_digits is not None:
            keys = keys[: question.num_digits]
        secret = not identified and question.input == "dtmf" and question.num_digits == 4
        shown = "•" * len(keys) if secret else keys
        if secret and keys == OTHER_ACCOUNT_KEY:
            ended = bool(question.finish_on_key) and question.finish_on_key in text
            shown = keys + question.finish_on_key if ended else keys
        return ({"Digits": keys} if keys else {}), f"[touches] {shown or '(aucune)'}"
    if "speech" in question.input:
        return {"SpeechResult": text, "Confidence": "0.92"}, f"[parole] « {text} »"
    return {}, "[ignoré : cette question n'accepte que le clavier]"


def run_call(
    line: Line,
    answers: Iterable[str],
    caller: str = DEFAULT_CALLER,
    called: str = "",
    echo: Callable[[str], None] = click.echo,
) -> CallRecord:
    """Place one call on ``line`` and answer its questions with ``answers`` (see the module
    docstring). The status callback is sent at the end, as Twilio does."""
    record = CallRecord("CA" + secrets.token_hex(16))
    base = call_params(record.call_sid, caller, called)
    pending: Iterator[str] = iter(answers)
    url = f"{line.base_url}/ivr/voice"
    params = dict(base)
    started = time.monotonic()
    identified = False  # a one-key menu has been asked: the code is behind
    try:
        for _ in range(MAX_TURNS):
            status, body = line.post(url, params)
            record.statuses.append(status)
            if status != 200:
                hint = ""
                if status == 403:  # the signature: the two sides do not sign alike
                    hint = (
                        " : signature refusée ; TWILIO_AUTH_TOKEN et RESTOMAIRIE_PUBLIC_URL "
                        "doivent être les mêmes ici et pour le serveur"
                    )
                elif status == 404:  # --url with a path of its own
                    hint = (
                        f" : pas de ligne à {url} ; --url est l'adresse de base du serveur "
                        "(ex. http://127.0.0.1:8000)"
                    )
                echo(f"(la ligne a répondu HTTP {status}{hint})")
                return record
            question = _play(body, url, record, echo)
            if question is None:
                record.hung_up_by_line = True
                return record
            answer = next(pending, None)
            if answer is None:
                echo("(l'appelant raccroche)")
                return record
            identified = identified or question.num_digits == 1
            extra, shown = answer_params(question, answer, identified=identified)
            echo(f"    {shown}")
            url, params = question.action, {**base, **extra}
        echo("(appel interrompu : trop d'échanges)")
        return record
    finally:
        # Not when no request got through (a server that never answered): its error, about the
        # voice URL, is the one to say.
        if record.statuses:
            duration = max(1, round(time.monotonic() - started))
            line.post(
                f"{line.base_url}/ivr/status",
                {**base, "CallStatus": "completed", "CallDuration": str(duration)},
            )
        echo(f"— fin de l'appel ({record.call_sid}) —")


def _play(body: str, url: str, record: CallRecord, echo: Callable[[str], None]) -> Question | None:
    """Print what the caller hears; the question asked at the end, if any."""
    root = ET.fromstring(body)
    for verb in root:
        if verb.tag == "Say":
            _say(verb, record, echo)
        elif verb.tag == "Gather":
            for inner in verb:
                if inner.tag == "Say":
                    _say(inner, record, echo)
            num = verb.get("numDigits")
            return Question(
                action=urljoin(url, verb.get("action") or url),
                input=verb.get("input", "dtmf"),
                num_digits=int(num) if num else None,
                finish_on_key=verb.get("finishOnKey", "#"),
            )
        elif verb.tag == "Hangup":
            return None
    return None


def _say(verb: ET.Element, record: CallRecord, echo: Callable[[str], None]) -> None:
    text = " ".join((verb.text or "").split())
    record.heard.append(text)
    echo(f"  « {text} »")


def _stdin_answers() -> Iterator[str]:
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            sys.stderr.write(
                "  votre réponse (touches, phrase ; vide = silence ; Ctrl-D = raccrocher) > "
            )
            sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            return
        yield line.rstrip("\n")


@click.command("call")
@click.option(
    "--from",
    "caller",
    default=DEFAULT_CALLER,
    show_default=True,
    help="Numéro de l'appelant (E.164). Celui d'une famille : seul le code est demandé.",
)
@click.option(
    "--url",
    default=None,
    help="Appeler un serveur en marche, par son adresse de base (ex. http://127.0.0.1:8000 ; "
    "…/ivr/voice est aussi accepté) au lieu de l'application en local.",
)
@click.argument("answers", nargs=-1, metavar="[TOUCHES|PHRASE]...")
@click.pass_context
def call_cmd(ctx: click.Context, caller: str, url: str | None, answers: tuple[str, ...]) -> None:
    """Appeler la ligne dans le terminal, comme Twilio (requêtes signées).

    Chaque réponse est une suite de touches (1, 2611, 210500#, *), une phrase entre guillemets
    (« lundi prochain ») ou « - » pour un silence ; après les arguments, les réponses sont lues
    sur l'entrée standard, une par ligne. Exemple :

        restomairie call --from +33612345678 1234 2 2611 1 2
    """
    from restomairie.cli import friendly, require_current_database, runtime

    @friendly
    def place() -> None:
        rt = runtime(ctx)
        line: Line
        if url:
            line = HttpLine(
                url,
                rt.settings.secret("TWILIO_AUTH_TOKEN"),
                rt.settings.secret("RESTOMAIRIE_PUBLIC_URL"),
            )
            where = url
        else:
            from restomairie.ivr.views import EXTENSION
            from restomairie.web import create_app

            # In this process the line's errors would be logged as tracebacks, call after call.
            require_current_database(rt)
            app = create_app(runtime=rt)  # signs with the line's own (maybe per-process) token
            line = InProcessLine(app, app.extensions[EXTENSION][1])
            where = "en local"
        frozen = f", horloge figée au {rt.clock.now():%d/%m/%Y %H:%M}" if rt.clock.frozen else ""
        number = rt.settings.phone.number
        click.echo(f"Appel de {caller} vers {number or 'la ligne'} ({where}{frozen})")
        record = run_call(line, _chain(answers, _stdin_answers), caller, number.replace(" ", ""))
        if any(status != 200 for status in record.statuses):
            sys.exit(1)  # the line refused or failed: a script must see it

    place()


def _chain(first: Iterable[str], then: Callable[[], Iterator[str]]) -> Iterator[str]:
    yield from first
    yield from then()
