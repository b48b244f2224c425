"""Replies rendered as TwiML with Twilio's own library (``twilio.twiml.voice_response``).

A question is one ``<Gather>`` with its sentences nested in it (the caller may answer before the
end), ``actionOnEmptyResult="true"`` (silence comes back to us, so we can ask again and count the
attempt) and nothing after it. An ending is its sentences, then ``<Hangup/>``.
``speechTimeout`` is a number of seconds, not ``auto``: Twilio refuses ``auto`` with its default
speech model (warning 13335).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from twilio.twiml.voice_response import Gather, VoiceResponse

from restomairie.config import Settings
from restomairie.ivr.flow import Aside, Reply

if TYPE_CHECKING:
    from restomairie.ivr.prompts import Speaker

log = logging.getLogger(__name__)

SPEECH_TIMEOUT = 2  # seconds of silence that end a spoken answer

APOLOGY_FR = (
    "Nous sommes désolés, un problème technique empêche de traiter votre appel. "
    "Merci de rappeler un peu plus tard. Au revoir."
)


# The stand-ins of a rendered template: the Gather's action and speech hints, and each
# sentence's text, numbered. Letters and digits only, so that XML escaping leaves them as they are.
_ACTION = "RESTOMAIRIEACTIONURL"
_HINTS = "RESTOMAIRIEHINTS"
_LINE = "RESTOMAIRIELINE{}X"
_STAND_IN = re.compile(r"(RESTOMAIRIEACTIONURL|RESTOMAIRIEHINTS|RESTOMAIRIELINE\d+X)")
_CACHED_TEMPLATES = 1024


def render(reply: Reply, action: str | None) -> str:
    """The TwiML of a reply; ``action`` is the URL that receives the answer to its question.

    Twilio's builder (ElementTree underneath) renders each *shape* of reply once per process —
    its question, voices and number of sentences — with stand-ins for ``action``, for the
    question's speech hints and for each sentence's text: a reply's own sentences (a child's
    name, a listing's days), different in almost every answer, are then put in, escaped as
    ElementTree escapes a text (``&``, ``<``, ``>``), and the action and hints as it escapes an
    attribute (the hints of the child question name the family's children: one shape for every
    family, not one per family). The same TwiML, byte for byte, as the builder gives for the
    whole reply (a test compares them), without building it each time."""
    if reply.ask is not None and action is None:
        raise ValueError("a question needs the URL of its answer")
    fragments = _template(_shape(reply))
    texts = [line.text if isinstance(line, Aside) else line for line in reply.lines]
    out = []
    for k, fragment in enumerate(fragments):
        if k % 2 == 0:
            out.append(fragment)
        elif fragment == _ACTION:
            out.append(_attribute(action or ""))
        elif fragment == _HINTS:
            assert reply.ask is not None and reply.ask.hints  # the shape has them
            out.append(_attribute(reply.ask.hints))
        else:
            out.append(escape(texts[int(fragment[len("RESTOMAIRIELINE") : -1])]))
    return "".join(out)


def _attribute(value: str) -> str:
    return escape(value, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"})


def _shape(reply: Reply) -> Reply:
    """``reply`` with a stand-in for the text of each sentence (an empty one stays empty: the
    builder writes it ``<Say …/>``) and for its question's hints (the same), the rest as it
    is."""
    lines: list[str | Aside] = []
    for k, line in enumerate(reply.lines):
        if isinstance(line, Aside):
            lines.append(Aside(_LINE.format(k), line.voice, line.language) if line.text else line)
        else:
            lines.append(_LINE.format(k) if line else line)
    ask = reply.ask
    if ask is not None and ask.hints:
        ask = replace(ask, hints=_HINTS)
    return Reply(tuple(lines), ask, reply.voice, reply.language, reply.speech_language)


@lru_cache(maxsize=_CACHED_TEMPLATES)
def _template(shape: Reply) -> tuple[str, ...]:
    """The TwiML of ``shape`` cut at its stand-ins: text, stand-in, text, …, text."""
    return tuple(_STAND_IN.split(_rendered(shape, _ACTION)))


def _rendered(reply: Reply, action: str | None) -> str:
    """The TwiML of ``reply`` as Twilio's builder writes it."""
    response = VoiceResponse()
    ask = reply.ask
    if ask is None:
        _say_lines(response, reply)
        response.hangup()
        return str(response.to_xml())
    options: dict[str, object] = {
        "input": "dtmf speech" if ask.speech else "dtmf",
        "action": action,
        "method": "POST",
        "timeout": ask.timeout,
        "action_on_empty_result": True,
        "finish_on_key": "#",
    }
    if ask.num_digits is not None:
        options["num_digits"] = ask.num_digits
    if ask.speech:
        options["language"] = reply.speech_language
        options["speech_timeout"] = SPEECH_TIMEOUT
        if ask.hints:
            options["hints"] = ask.hints
    gather = response.gather(**options)
    _say_lines(gather, reply)
    return str(response.to_xml())


def _say_lines(verb: VoiceResponse | Gather, reply: Reply) -> None:
    """One ``<Say>`` per line, in the reply's voice; an aside in its own voice and language."""
    for line in reply.lines:
        if isinstance(line, Aside):
            verb.say(line.text, voice=line.voice, language=line.language)
        else:
            verb.say(line, voice=reply.voice, language=reply.language)


def apology(
    settings: Settings | None = None,
    lang: str | None = None,
    said: Callable[[Speaker], Sequence[str]] | None = None,
) -> str:
    """A short apology and a hang-up: the answer to anything unexpected (never a 500), in the
    call's language once known (``lang``), else the line's. ``said``: sentences to say between
    the apology and "call again", in the speaker's language (what the call did or did not do);
    without them if they cannot be made.

    Built without the database and, should the catalog itself be the problem, without it."""
    voice, language = "Polly.Lea-Neural", "fr-FR"
    text = APOLOGY_FR
    try:
        if settings is not None:
            from restomairie.ivr.prompts import DEFAULT_LANGUAGE, Speaker

            sp = Speaker(settings, lang or DEFAULT_LANGUAGE)
            voice, language = sp.voice, sp.say_language
            text = sp._(
                "We are sorry, a technical problem prevents us from handling your call. "
                "Please call again a little later. Goodbye."
            )
            middle = [line for line in said(sp) if line] if said is not None else []
            if middle:
                text = " ".join([
                    sp._("We are sorry, a technical problem prevents us from handling your call."),
                    *middle,
                    sp._("Please call again a little later. Goodbye."),
                ])
    except Exception:  # the apology must always be available
        log.exception("the apology could not be made in full: the plain one instead")
    response = VoiceResponse()
    response.say(text, voice=voice, language=language)
    response.hangup()
    return str(response.to_xml())


def empty() -> str:
    """``<Response/>``: what a status callback gets back."""
    return str(VoiceResponse().to_xml())
