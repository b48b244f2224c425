"""Helpers for reading the call log (the staff pages show numbers masked)."""

from __future__ import annotations


def mask_number(number: str | None) -> str:
    """``+33612345678`` → ``+336•••••678``: enough to recognise a number, not to dial it."""
    if not number:
        return ""
    digits = number.strip()
    if len(digits) <= 4:
        return "•" * len(digits)
    keep_head = 4 if digits.startswith("+") else 2
    head, tail = digits[:keep_head], digits[-3:]
    hidden = "•" * max(len(digits) - keep_head - 3, 0)
    return f"{head}{hidden}{tail}"
