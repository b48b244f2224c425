"""The one clock of the application.

Every piece of code that needs "now" receives a :class:`Clock` (or calls :func:`get_clock`), so that
tests, demos and staff training can freeze time with ``RESTOMAIRIE_NOW`` (ISO 8601 with an offset).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class ClockError(ValueError):
    """``RESTOMAIRIE_NOW`` is not an ISO 8601 date-time with an offset."""


def parse_now(text: str) -> datetime:
    """Parse a frozen "now": ISO 8601 *with* an offset (a naive time would be ambiguous)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ClockError(
            f"RESTOMAIRIE_NOW={text!r} n'est pas une date ISO 8601 (ex. 2026-11-23T12:59:59+01:00)"
        ) from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClockError(f"RESTOMAIRIE_NOW={text!r} doit préciser le décalage horaire (ex. +01:00)")
    return value


@dataclass
class Clock:
    """Gives the current time in a time zone; frozen when ``frozen`` is set."""

    tz: ZoneInfo = PARIS
    frozen: datetime | None = None

    def now(self) -> datetime:
        """The current time, timezone-aware, in the clock's zone."""
        if self.frozen is not None:
            return self.frozen.astimezone(self.tz)
        return datetime.now(self.tz)

    def today(self) -> date:
        """Today's date in the clock's zone (not the machine's)."""
        return self.now().date()

    @classmethod
    def from_env(cls, tz: ZoneInfo = PARIS, environ: dict[str, str] | None = None) -> Clock:
        """A clock frozen at ``RESTOMAIRIE_NOW`` if it is set, else the real one."""
        env = os.environ if environ is None else environ
        raw = env.get("RESTOMAIRIE_NOW")
        return cls(tz=tz, frozen=parse_now(raw) if raw else None)
