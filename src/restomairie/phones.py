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


def mask_phone(number: str | None) -> str:
    """A number as lists show it: ``+33 6 •• •• •• 78`` (only the kind of line and the last two
    digits); search takes the whole number."""
    if not number or is_withheld(number):
        return "numéro masqué"
    if number.startswith("+33") and len(number) == 12:
        return f"+33 {number[3]} •• •• •• {number[-2:]}"
    if number.startswith("+") and len(number) > 6:
        return f"{number[:3]} •• •• {number[-2:]}"
    return "•• " + number[-2:]


# Every spelling of a withheld number as Twilio may send it ("anonymous", "Anonymous",
# "+266696687"…): wrong codes from any of them are counted together (see
# BookingService.check_pin), or a caller hiding its number would get a fresh count per spelling.
WITHHELD_SPELLINGS = tuple(
    sorted({form for w in WITHHELD for form in (w, w.capitalize(), w.upper(), f"+{w}")})
)


def is_withheld(number: str) -> bool:
    """Whether Twilio's ``From`` is a withheld number ("anonymous", "+266696687"…)."""
    return number.strip().lower().lstrip("+") in WITHHELD
