"""The official French school-holiday calendar (zones A, B and C), shipped with the package.

The data is the Ministry of Education's open data set ``fr-en-calendrier-scolaire`` (Licence
Ouverte / Etalab 2.0), stored in ``data/fr-en-calendrier-scolaire.json`` beside this module so
the service works offline. This module only reads it: no network, no database, no web framework.

The data set's convention (see ``DOMAIN.md`` §2): ``start_date`` is the last day of classes and
``end_date`` the day classes resume, both written as Paris midnight in UTC, so the closed days are
``start + 1 … end - 1`` in Paris time. Two shapes of the data set need care:

* a record whose ``start_date`` equals its ``end_date`` is a single closed day, that very day (the
  data set writes the 2027 "Pont de l'Ascension", Friday 7 May 2027, that way);
* a "Début des Vacances d'Été" record (also ``start_date == end_date``) says when the summer
  holidays start but not when they end: closed from the day after, with no known end, so the file
  may not claim coverage past that first day.

Days outside the file's declared coverage (``first_covered_date`` … ``last_covered_date``) are
refused with :class:`CalendarCoverageError` instead of being guessed.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

__all__ = [
    "DATA_FILE_NAME",
    "PARIS",
    "ZONES",
    "CalendarCoverageError",
    "HolidayPeriod",
    "SchoolHolidayCalendar",
    "format_french_date",
    "holiday_kind",
    "holiday_label",
    "load_school_holidays",
    "parse_school_holidays",
]

PARIS: Final = ZoneInfo("Europe/Paris")
"""The time zone every date of the data set is expressed in."""

ZONES: Final[tuple[str, ...]] = ("A", "B", "C")
"""The mainland school-holiday zones, as this module names them."""

DATA_FILE_NAME: Final = "fr-en-calendrier-scolaire.json"
"""Name of the packaged data file, in ``restomairie/calendar/data/``."""

_ONE_DAY: Final = timedelta(days=1)

_FRENCH_MONTHS: Final = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_SUMMER: Final = "Vacances d'Été"

# Comparison key (no accents, case-folded, straight apostrophes) -> the name callers hear.
_CANONICAL_NAMES: Final[Mapping[str, str]] = {
    "vacances de la toussaint": "Vacances de la Toussaint",
    "vacances de noel": "Vacances de Noël",
    "vacances d'hiver": "Vacances d'Hiver",
    "vacances de printemps": "Vacances de Printemps",
    "pont de l'ascension": "Pont de l'Ascension",
    "vacances d'ete": _SUMMER,
    "debut des vacances d'ete": _SUMMER,
}
_OPEN_ENDED_SUMMER_KEY: Final = "debut des vacances d'ete"

# Each period as people write it in a sentence, the way the phone line says it (its French
# catalog: « les vacances d'été », « le pont de l'Ascension »), not with the data set's capitals
# (« Vacances d'Été »). By :func:`holiday_kind`.
HOLIDAY_LABELS: Final[Mapping[str, str]] = {
    "ascension": "pont de l'Ascension",
    "autumn": "vacances de la Toussaint",
    "christmas": "vacances de Noël",
    "winter": "vacances d'hiver",
    "spring": "vacances de printemps",
    "summer": "vacances d'été",
}

# Populations whose records are about teachers only: they close no canteen.
_TEACHER_POPULATIONS: Final = frozenset({"enseignants"})


@functools.lru_cache(maxsize=512)
def holiday_kind(name: str) -> str | None:
    """Which school-holiday period a name of the data set is: ``ascension``, ``autumn``,
    ``christmas``, ``winter``, ``spring`` or ``summer`` ("Vacances de Noël" is ``christmas``);
    None when the name says none. The phone line says each kind in the caller's language.

    Remembered by name (it depends on nothing else): the phone line asks it of every period of
    the calendar, on every listing."""
    key = name.casefold()
    for kind, words in (
        ("ascension", ("ascension",)),
        ("autumn", ("toussaint",)),
        ("christmas", ("noël", "noel")),
        ("winter", ("hiver",)),
        ("spring", ("printemps",)),
    ):
        if any(word in key for word in words):
            return kind
    return "summer" if "été" in key or "ete" in key.split() else None


# The first words of public holidays' French names (the ``holidays`` package's: "Lundi de
# Pentecôte", "Fête du Travail", "Jour de l'an", Alsace-Moselle's "Vendredi saint") that are
# common nouns, capitalised only because they start the name: written in small letters
# mid-sentence (« c'est un jour férié (lundi de Pentecôte) »). Proper nouns keep theirs
# ("Noël", "Toussaint", "Ascension", "Assomption", "Armistice", "Saint-Étienne", "Pâques").
_COMMON_FIRST_WORDS: Final = frozenset({"lundi", "vendredi", "fête", "jour"})


def holiday_label(name: str) -> str:
    """A school-holiday period's or a public holiday's name as the phone line says it, for
    French running text (« vacances d'été » for the data set's "Vacances d'Été", « lundi de
    Pentecôte » for the ``holidays`` package's "Lundi de Pentecôte"), proper nouns kept
    ("Noël", "Toussaint", "Ascension", "pont de l'Ascension"); any other name — a weekday, a
    closure's, an English one — as it is."""
    if _key(name) in _CANONICAL_NAMES:
        return HOLIDAY_LABELS.get(holiday_kind(name) or "", name)
    first = name.split(" ", 1)[0]
    if first[1:].islower() and first.casefold() in _COMMON_FIRST_WORDS:
        return name[:1].lower() + name[1:]
    return name


def format_french_date(day: date) -> str:
    """Write ``day`` the French way, as it is spoken: ``"1er septembre 2027"``, ``"3 mai 2027"``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_FRENCH_MONTHS[day.month - 1]} {day.year}"


class CalendarCoverageError(Exception):
    """A day outside the range for which the shipped school calendar knows every school day.

    Attributes:
        day: the day that was asked about.
        first: the first covered day.
        last: the last covered day.
    """

    def __init__(self, day: date, first: date, last: date) -> None:
        self.day = day
        self.first = first
        self.last = last
        if day > last:
            message = (
                f"Le calendrier scolaire connu s'arrête au {format_french_date(last)} : "
                f"impossible de répondre pour le {format_french_date(day)}."
            )
        elif day < first:
            message = (
                f"Le calendrier scolaire connu commence au {format_french_date(first)} : "
                f"impossible de répondre pour le {format_french_date(day)}."
            )
        else:
            # A day of the first days covered, whose deadline falls before them.
            message = (
                f"Le calendrier scolaire connu commence au {format_french_date(first)} : la date "
                f"limite du {format_french_date(day)} tomberait avant, impossible de la calculer."
            )
        super().__init__(message)

    def __reduce__(self) -> tuple[type[CalendarCoverageError], tuple[date, date, date]]:
        """Pickle by the three dates, so the error survives a trip between processes."""
        return (type(self), (self.day, self.first, self.last))


@dataclass(frozen=True)
class HolidayPeriod:
    """A school-holiday period of one zone: the days on which its schools are closed.

    Attributes:
        zone: ``"A"``, ``"B"`` or ``"C"``.
        name: the French name, e.g. ``"Vacances de Noël"`` or ``"Pont de l'Ascension"``.
        first_day: first closed day (Paris date, inclusive).
        last_day: last closed day (Paris date, inclusive).
        school_year: the data set's ``annee_scolaire``, e.g. ``"2025-2026"``.
    """

    zone: str
    name: str
    first_day: date
    last_day: date
    school_year: str

    def __post_init__(self) -> None:
        """Refuse an unknown zone or a period that ends before it starts."""
        if self.zone not in ZONES:
            raise ValueError(f"unknown school zone {self.zone!r}; expected one of {ZONES}")
        if self.last_day < self.first_day:
            raise ValueError(
                f"{self.name} ({self.zone}, {self.school_year}) ends on {self.last_day} "
                f"before it starts on {self.first_day}"
            )

    def days(self) -> tuple[date, ...]:
        """Every closed day of the period, in order."""
        count = (self.last_day - self.first_day).days + 1
        return tuple(self.first_day + timedelta(days=n) for n in range(count))


@dataclass(frozen=True)
class SchoolHolidayCalendar:
    """The school-holiday periods of zones A, B and C over a known range of days.

    Attributes:
        source: where the data comes from (the data set's address).
        licence: the data's licence.
        retrieved: when the data was assembled (ISO date, as written in the file).
        first_covered: first day for which every school day is known.
        last_covered: last day for which every school day is known.
        periods: the holiday periods, sorted by zone then first day.
    """

    source: str
    licence: str
    retrieved: str
    first_covered: date
    last_covered: date
    periods: tuple[HolidayPeriod, ...]
    _closed: dict[str, dict[date, str]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        """Check the coverage and build, once, the per-zone index of closed days."""
        if self.last_covered < self.first_covered:
            raise ValueError(
                f"the covered range ends on {self.last_covered} "
                f"before it starts on {self.first_covered}"
            )
        index: dict[str, dict[date, str]] = {zone: {} for zone in ZONES}
        for period in sorted(self.periods, key=lambda p: (p.first_day, p.last_day)):
            closed = index[period.zone]
            day = max(period.first_day, self.first_covered)
            last = min(period.last_day, self.last_covered)
            while day <= last:
                closed.setdefault(day, period.name)
                day += _ONE_DAY
        object.__setattr__(self, "_closed", index)

    def check_covered(self, day: date) -> None:
        """Raise :class:`CalendarCoverageError` unless ``day`` is within the covered range."""
        if not self.first_covered <= day <= self.last_covered:
            raise CalendarCoverageError(day, self.first_covered, self.last_covered)

    def reason_closed(self, zone: str, day: date) -> str | None:
        """The holiday period's name if ``day`` is a school-holiday day of ``zone``, else None.

        ``zone`` is ``"A"``, ``"B"`` or ``"C"`` (``"Zone A"`` is accepted too). Public holidays
        (jours fériés) are not school holidays here: Ascension Thursday, for instance, answers
        None; the public-holiday calendar closes it.

        Raises:
            CalendarCoverageError: ``day`` is outside the covered range.
            ValueError: ``zone`` is not a mainland zone.
        """
        closed = self._closed[_zone_code(zone)]
        self.check_covered(day)
        return closed.get(day)

    def periods_of(self, zone: str) -> list[HolidayPeriod]:
        """The holiday periods of ``zone`` (``"A"`` or ``"Zone A"``), by their first day.

        Raises:
            ValueError: ``zone`` is not a mainland zone.
        """
        code = _zone_code(zone)
        return sorted((p for p in self.periods if p.zone == code), key=lambda p: p.first_day)

    def closed_days(self, zone: str) -> dict[date, str]:
        """Every school-holiday day of ``zone`` within the covered range, mapped to its name.

        The index is built once, when the calendar is made; each call returns a fresh copy, so a
        caller may keep or change it freely.

        Raises:
            ValueError: ``zone`` is not a mainland zone.
        """
        return dict(self._closed[_zone_code(zone)])


def load_school_holidays(path: Path | None = None) -> SchoolHolidayCalendar:
    """Load the school-holiday calendar from ``path``, or the packaged file when it is None.

    The packaged calendar is read once per process and then shared.

    Raises:
        ValueError: the file is not a well-formed calendar; the message names the faulty record.
        OSError: ``path`` cannot be read.
    """
    if path is None:
        return _load_packaged()
    return _parse_calendar(path.read_text(encoding="utf-8"), origin=str(path))


@functools.cache
def _load_packaged() -> SchoolHolidayCalendar:
    resource = resources.files("restomairie.calendar").joinpath("data").joinpath(DATA_FILE_NAME)
    return _parse_calendar(resource.read_text(encoding="utf-8"), origin=DATA_FILE_NAME)


def _parse_calendar(text: str, origin: str) -> SchoolHolidayCalendar:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{origin}: not valid JSON ({exc})") from exc
    return parse_school_holidays(document, origin)


def parse_school_holidays(document: object, origin: str) -> SchoolHolidayCalendar:
    """Build the calendar from an already decoded document of the shipped file's format.

    ``origin`` names the document in error messages (a file name).

    Raises:
        ValueError: the document is not a well-formed calendar; the message names the record.
    """
    if not isinstance(document, dict):
        raise ValueError(f"{origin}: the top level must be a JSON object")
    source = _required_str(document, "source", origin)
    licence = _required_str(document, "licence", origin)
    retrieved = _required_str(document, "retrieved", origin)
    first_covered = _iso_date(document, "first_covered_date", origin)
    last_covered = _iso_date(document, "last_covered_date", origin)
    records = document.get("records")
    if not isinstance(records, list):
        raise ValueError(f"{origin}: 'records' must be a list")
    periods: list[HolidayPeriod] = []
    for number, record in enumerate(records, start=1):
        period = _parse_record(number, record, last_covered, origin)
        if period is not None:
            periods.append(period)
    periods.sort(key=lambda p: (p.zone, p.first_day))
    try:
        return SchoolHolidayCalendar(
            source=source,
            licence=licence,
            retrieved=retrieved,
            first_covered=first_covered,
            last_covered=last_covered,
            periods=tuple(periods),
        )
    except ValueError as exc:
        raise ValueError(f"{origin}: {exc}") from exc


def _parse_record(
    number: int, record: object, last_covered: date, origin: str
) -> HolidayPeriod | None:
    """Turn one record of the data set into a period of closed days (None: not for pupils)."""
    where = f"{origin}: {_describe(number, record)}"
    if not isinstance(record, dict):
        raise ValueError(f"{where}: a record must be a JSON object")
    description = _required_str(record, "description", where)
    zones = _required_str(record, "zones", where)
    school_year = _required_str(record, "annee_scolaire", where)
    population = record.get("population", "-")
    if not isinstance(population, str):
        raise ValueError(f"{where}: 'population' must be a string")
    start = _paris_date(record, "start_date", where)
    end = _paris_date(record, "end_date", where)
    if _key(population) in _TEACHER_POPULATIONS:
        return None
    try:
        zone = _zone_code(zones)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc
    name_key = _key(description)
    name = _CANONICAL_NAMES.get(name_key)
    if name is None:
        raise ValueError(f"{where}: unknown holiday description {description!r}")
    if end < start:
        raise ValueError(f"{where}: end_date {end} is before start_date {start}")

    if name_key == _OPEN_ENDED_SUMMER_KEY:
        if end != start:
            raise ValueError(f"{where}: a summer-start marker must have start_date == end_date")
        first_day = start + _ONE_DAY
        if last_covered > first_day:
            raise ValueError(
                f"{where}: the summer holidays starting on {first_day} have no published end, "
                f"so the file cannot claim to know every day up to {last_covered}"
            )
        last_day = first_day
    elif end == start:
        # The data set's way of writing a one-day closure: the day itself.
        first_day = last_day = start
    else:
        first_day, last_day = start + _ONE_DAY, end - _ONE_DAY
        if last_day < first_day:
            raise ValueError(
                f"{where}: classes end on {start} and resume on {end}, so it closes no day"
            )
    return HolidayPeriod(
        zone=zone, name=name, first_day=first_day, last_day=last_day, school_year=school_year
    )


def _describe(number: int, record: object) -> str:
    """Name a record for an error message: its number and what it says it is."""
    if not isinstance(record, dict):
        return f"record #{number}"
    parts = [str(record.get(key)) for key in ("description", "zones", "annee_scolaire")]
    return f"record #{number} ({', '.join(parts)})"


def _required_str(container: Mapping[str, Any], key: str, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key!r} must be a non-empty string")
    return value


def _iso_date(container: Mapping[str, Any], key: str, where: str) -> date:
    text = _required_str(container, key, where)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{where}: {key!r} is not an ISO date: {text!r}") from exc


def _paris_date(container: Mapping[str, Any], key: str, where: str) -> date:
    """The Paris calendar day of a timestamp that must be midnight in Paris."""
    text = _required_str(container, key, where)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{where}: {key} is not an ISO 8601 timestamp: {text!r}") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{where}: {key} has no UTC offset: {text!r}")
    local = moment.astimezone(PARIS)
    if local.time() != time(0):
        raise ValueError(
            f"{where}: {key} {text!r} is not midnight in Paris (it is {local.isoformat()})"
        )
    return local.date()


def _zone_code(zone: str) -> str:
    """``"A"`` for ``"A"``, ``"a"`` or ``"Zone A"``; ValueError for anything else."""
    code = zone.strip().upper().removeprefix("ZONE").strip()
    if code not in ZONES:
        raise ValueError(f"unknown school zone {zone!r}; expected one of {', '.join(ZONES)}")
    return code


def _key(text: str) -> str:
    """A comparison key: accents dropped, case folded, curly apostrophes straightened."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    straight = bare.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(straight.casefold().split())
