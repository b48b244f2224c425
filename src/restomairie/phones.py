"""Callers' phone numbers as the line and the staff pages show them: masked, and withheld.

One place for both, so that the call log, the SMS log and the line's own answers agree on what
a withheld number is.
"""

from __future__ import annotations

# Twilio's From for a withheld number: words, or the keypad spelling of them
# (ANONYMOUS, UNAVAILABLE, RESTRICTED, BLOCKED).
WITHHELD = frozenset({
    "anonymous", "restricted", "unknown", "private", "unavailable", "blocked", "withheld",
    "266696687", "86282452253", "7378742833", "2562533",
})
# Callers that are not phone numbers: a browser or app through Twilio Client ("client:alice";
# "client:Anonymous" when it gives no identity) and SIP ("sip:alice@pbx.example.fr"; RFC 3323's
# anonymous caller is "sip:anonymous@anonymous.invalid").
CLIENT, SIP = "client:", "sip:"
_SCHEMES = {CLIENT: "client", SIP: "SIP"}


def _scheme(number: str) -> tuple[str | None, str]:
    """``("client:", "alice")`` for "client:alice", the SIP user for "sip:alice@host",
    ``(None, number)`` for a phone number."""
    for scheme in _SCHEMES:
        if number[: len(scheme)].lower() == scheme:
            rest = number[len(scheme):]
            return scheme, rest.split("@", 1)[0] if scheme == SIP else rest
    return None, number


def mask_phone(number: str | None) -> str:
    """A number as lists show it: ``+33 6 •• •• •• 78`` (only the kind of line and the last two
    digits); search takes the whole number. A Twilio Client or SIP caller: its kind and the
    last two characters of its name (``client •• ce``)."""
    if not number or is_withheld(number):
        return "numéro masqué"
    scheme, user = _scheme(number.strip())
    if scheme is not None:
        kind = _SCHEMES[scheme]
        return f"{kind} •• {user[-2:]}" if len(user) > 2 else kind
    if number.startswith("+33") and len(number) == 12:
        return f"+33 {number[3]} •• •• •• {number[-2:]}"
    if number.startswith("+") and len(number) > 6:
        return f"{number[:3]} •• •• {number[-2:]}"
    return "•• " + number[-2:]


# Every spelling of a withheld number as Twilio may send it ("anonymous", "Anonymous",
# "+266696687", "client:Anonymous"…; SIP's by WITHHELD_SIP_PATTERNS below): wrong codes from any
# of them are counted together (see BookingService.check_pin), or a caller hiding its number
# would get a fresh count per spelling.
# A call without any number (no From, or an empty one: stored as NULL) is counted with them.
WITHHELD_SPELLINGS = tuple(
    sorted(
        {form for w in WITHHELD for form in (w, w.capitalize(), w.upper(), f"+{w}")}
        | {f"{CLIENT}{form}" for w in WITHHELD for form in (w, w.capitalize(), w.upper())}
    )
)


# A SIP caller that hides its identity may come through any host ("sip:anonymous@pbx.example.fr",
# not only RFC 3323's "anonymous.invalid"): :func:`is_withheld` goes by the user part alone, so the
# database does too, on the lower-cased number (``LIKE`` patterns; every database has them).
WITHHELD_SIP_PATTERNS = tuple(sorted({f"{SIP}{plus}{w}@%" for w in WITHHELD for plus in ("", "+")}))


def is_withheld(number: str | None) -> bool:
    """Whether Twilio's ``From`` is a withheld number ("anonymous", "+266696687",
    "client:Anonymous"…) or none at all."""
    if number is None or not number.strip():
        return True
    _, user = _scheme(number.strip())
    return user.strip().lower().lstrip("+") in WITHHELD
