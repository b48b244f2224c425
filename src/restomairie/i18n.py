"""Dates and times spoken and written the French way ("jeudi 21 novembre", "13 heures"), through
``babel.dates`` in the reader's locale."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from babel.dates import format_date, format_time

PARIS_TZ = "Europe/Paris"
LANGUAGES = ("fr", "en")  # the languages a family may have (the phone line's catalogs)
DEFAULT_LANGUAGE = "fr"


# The phone line speaks a dozen dates per listing, each through Babel's pattern formatter: the
# same few hundred dates over and over, so they are remembered per process.
@functools.lru_cache(maxsize=4096)
def format_day(day: date, locale: str = "fr_FR", year: bool = False) -> str:
    """``lundi 9 novembre``, ``mardi 1er décembre`` (French says the first of the month as an
    ordinal); with ``year``, ``jeudi 2 septembre 2027``."""
    pattern = "EEEE '1er' MMMM" if day.day == 1 and locale.startswith("fr") else "EEEE d MMMM"
    return format_date(day, pattern + " y" if year else pattern, locale=locale)


def format_hour(moment: datetime, locale: str = "fr_FR") -> str:
    """``13 heures`` / ``12 h 30`` / ``minuit`` in French, ``1:00 PM`` in English."""
    if moment.hour == 0 and moment.minute == 0:
        return "minuit" if locale.startswith("fr") else "midnight"
    if locale.startswith("fr"):
        if moment.minute == 0:
            return f"{moment.hour} heures" if moment.hour != 1 else "1 heure"
        return f"{moment.hour} h {moment.minute:02d}"
    return format_time(moment, "h:mm a", locale=locale)


def format_deadline(moment: datetime, locale: str = "fr_FR") -> str:
    """``lundi 9 novembre à 13 heures`` in the moment's own zone (the town's). A deadline at
    midnight is the end of the day before, said with that day as people say it: Tuesday 00:00
    is ``lundi 23 novembre à minuit``, ``midnight on Monday 23 November`` (never "mardi à 0
    heure", a day late, nor the official but unspoken "à 24 heures")."""
    if moment.hour == 0 and moment.minute == 0:
        eve = format_day(moment.date() - timedelta(days=1), locale)
        return f"{eve} à minuit" if locale.startswith("fr") else f"midnight on {eve}"
    sep = " à " if locale.startswith("fr") else " at "
    return f"{format_day(moment.date(), locale)}{sep}{format_hour(moment, locale)}"
