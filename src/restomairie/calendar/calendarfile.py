"""A school-calendar file chosen by the deployment, in place of the one shipped with the package.

Each spring the Ministry of Education publishes the next school year in its open data set
``fr-en-calendrier-scolaire``. A town does not wait for a new release of Resto-Mairie: it
downloads the data set's JSON export from data.education.gouv.fr, converts it
(``restomairie calendar-file convert``) and points ``RESTOMAIRIE_CALENDAR_FILE`` (or
``calendar.file`` in its TOML file) at the result. The service also reads the export as downloaded.

Two formats are read:

* the project's own, what ships in ``data/`` (a JSON object: ``dataset``, ``source``,
  ``retrieved``, ``first_covered_date``, ``last_covered_date``, ``records``);
* the data set's JSON export (a JSON list of records, one per académie and period, with
  ``description``, ``population``, ``start_date``, ``end_date``, ``location``, ``zones``,
  ``annee_scolaire``; also the older export whose values sit under ``fields``, and an API answer
  whose records sit under ``results``).

Conversion keeps what the shipped file keeps (see its ``selection``): zones A, B and C, pupils'
records (the teachers' ones close no canteen), one record per zone (every académie of a zone has
the same dates, which is checked), the school years from ``since`` on, and the summer before the
first of them, for its end only: the day classes resume is where the covered range starts. The
range ends where the last summer ends (or on its first day when only its start is published).

Both formats are checked the same way, and every error is a French sentence naming the record:
not this data set, a zone missing, a school year incomplete or missing in between, inverted or
overlapping records, académies that disagree; a range that does not start at or before the
rentrée of today's school year, or that ends before the shipped file does (a newer file must not
lose days the shipped one knows).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from restomairie.calendar.schoolholidays import (
    _CANONICAL_NAMES,
    _OPEN_ENDED_SUMMER_KEY,
    _SUMMER,
    _TEACHER_POPULATIONS,
    PARIS,
    ZONES,
    SchoolHolidayCalendar,
    _key,
    _zone_code,
    format_french_date,
    load_school_holidays,
    parse_school_holidays,
)

__all__ = [
    "DATASET",
    "EXPORT_URL",
    "CalendarFile",
    "CalendarFileError",
    "Conversion",
    "check_coverage",
    "convert_export",
    "read_calendar_file",
    "shipped_calendar_file",
    "write_calendar",
]

DATASET: Final = "fr-en-calendrier-scolaire"
"""The Ministry's data set, as the project's format names it in ``dataset``."""

EXPORT_URL: Final = (
    "https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets/"
    "fr-en-calendrier-scolaire/exports/json"
)
"""Where a town downloads the data set's JSON export."""

_REQUIRED: Final = ("description", "start_date", "end_date", "zones", "annee_scolaire")
_MAIN_BREAKS: Final = (
    "Vacances de la Toussaint",
    "Vacances de Noël",
    "Vacances d'Hiver",
    "Vacances de Printemps",
)
_YEAR: Final = re.compile(r"(\d{4})-(\d{4})")
_ONE_DAY: Final = timedelta(days=1)


class CalendarFileError(ValueError):
    """A school-calendar file that cannot be used; the message (French) says why.

    Attributes:
        record: the number (from 1, in the file's order) of the record at fault, if one is.
    """

    def __init__(self, message: str, record: int | None = None) -> None:
        super().__init__(message)
        self.record = record


def _day(day: date) -> str:
    return format_french_date(day)


@dataclass(frozen=True)
class _Record:
    """One record of either format, read and checked."""

    number: int
    zone: str
    name: str  # the canonical name ("Vacances d'Été" for the summer-start marker too)
    marker: bool  # "Début des Vacances d'Été": the summer's start, with no end published
    start: date  # the last day of classes (Paris)
    end: date  # the day classes resume (the day itself for a one-day closure)
    school_year: str
    location: str
    fields: Mapping[str, Any]

    @property
    def label(self) -> str:
        where = f", {self.location}" if self.location else ""
        return (
            f"enregistrement n° {self.number} ({self.name}, zone {self.zone}, "
            f"{self.school_year}{where})"
        )

    @property
    def closed(self) -> tuple[date, date]:
        """The first and last closed day, as ``schoolholidays`` reads the record."""
        if self.marker:
            return self.start + _ONE_DAY, self.start + _ONE_DAY
        if self.start == self.end:
            return self.start, self.start
        return self.start + _ONE_DAY, self.end - _ONE_DAY

    def output(self) -> dict[str, str]:
        """The record as the project's format writes it (dates exactly as the data set)."""
        population = self.fields.get("population")
        return {
            "description": str(self.fields["description"]),
            "population": population if isinstance(population, str) and population else "-",
            "start_date": str(self.fields["start_date"]),
            "end_date": str(self.fields["end_date"]),
            "zones": f"Zone {self.zone}",
            "annee_scolaire": self.school_year,
        }


def _fields(number: int, record: object) -> Mapping[str, Any]:
    if not isinstance(record, dict):
        raise CalendarFileError(
            f"enregistrement n° {number} : un enregistrement doit être un objet JSON", number
        )
    inner = record.get("fields")  # the older export puts the values under "fields"
    return inner if isinstance(inner, dict) else record


def _text(fields: Mapping[str, Any], key: str, number: int) -> str:
    value = fields.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CalendarFileError(
            f"enregistrement n° {number} : le champ « {key} » manque ou est vide", number
        )
    return value.strip()


def _paris_day(fields: Mapping[str, Any], key: str, number: int, what: str) -> date:
    """The Paris day of a timestamp that must be midnight in Paris (the data set's way)."""
    text = _text(fields, key, number)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CalendarFileError(
            f"{what} : « {key} » n'est pas une date et heure ISO 8601 ({text!r})", number
        ) from None
    if moment.utcoffset() is None:
        raise CalendarFileError(f"{what} : « {key} » n'a pas de fuseau ({text!r})", number)
    local = moment.astimezone(PARIS)
    if local.time() != time(0):
        raise CalendarFileError(
            f"{what} : « {key} » ({text}) n'est pas minuit à Paris ({local.isoformat()})",
            number,
        )
    return local.date()


def _school_year(fields: Mapping[str, Any], number: int) -> str:
    text = _text(fields, "annee_scolaire", number)
    found = _YEAR.fullmatch(text)
    if found is None or int(found[2]) != int(found[1]) + 1:
        raise CalendarFileError(
            f"enregistrement n° {number} : année scolaire illisible « {text} » "
            "(attendu : AAAA-AAAA, deux années qui se suivent)",
            number,
        )
    return text


def _previous_year(school_year: str) -> str:
    first = int(school_year[:4])
    return f"{first - 1}-{first}"


def _relevant(fields: Mapping[str, Any], number: int) -> tuple[str, str] | None:
    """(zone, school year) of a pupils' record of zone A, B or C; None for any other."""
    population = fields.get("population") or "-"
    if not isinstance(population, str):
        raise CalendarFileError(
            f"enregistrement n° {number} : « population » doit être un texte", number
        )
    zones = _text(fields, "zones", number)
    school_year = _school_year(fields, number)
    if _key(population) in _TEACHER_POPULATIONS:
        return None
    try:
        return _zone_code(zones), school_year
    except ValueError:
        return None  # Corse, overseas: a mainland town's calendar does not need them


def _read_record(number: int, fields: Mapping[str, Any], zone: str, year: str) -> _Record:
    description = _text(fields, "description", number)
    location = fields.get("location")
    location = location.strip() if isinstance(location, str) else ""
    what = f"enregistrement n° {number} ({description}, zone {zone}, {year})"
    name_key = _key(description)
    name = _CANONICAL_NAMES.get(name_key)
    if name is None:
        raise CalendarFileError(
            f"{what} : vacances inconnues « {description} » (attendu : "
            + ", ".join(sorted(set(_CANONICAL_NAMES.values())))
            + ", Début des Vacances d'Été)",
            number,
        )
    start = _paris_day(fields, "start_date", number, what)
    end = _paris_day(fields, "end_date", number, what)
    marker = name_key == _OPEN_ENDED_SUMMER_KEY
    if end < start:
        raise CalendarFileError(
            f"{what} : dates inversées : les cours reprendraient le {_day(end)}, avant de "
            f"s'arrêter le {_day(start)} (start_date est le dernier jour de classe, end_date "
            "le jour de la reprise)",
            number,
        )
    if marker and end != start:
        raise CalendarFileError(
            f"{what} : un début des vacances d'été doit avoir start_date égal à end_date", number
        )
    if not marker and end == start + _ONE_DAY:
        raise CalendarFileError(
            f"{what} : les cours s'arrêtent le {_day(start)} et reprennent le lendemain : "
            "aucun jour fermé",
            number,
        )
    return _Record(number, zone, name, marker, start, end, year, location, fields)


def _check_overlaps(records: Sequence[_Record]) -> None:
    """Two periods of one zone may not share a closed day."""
    by_zone: dict[str, list[_Record]] = defaultdict(list)
    for record in records:
        by_zone[record.zone].append(record)
    for zone_records in by_zone.values():
        ordered = sorted(zone_records, key=lambda r: r.closed)
        for before, after in itertools.pairwise(ordered):
            if after.closed[0] <= before.closed[1]:
                raise CalendarFileError(
                    f"{after.label} chevauche {before.label} : le {_day(after.closed[0])} "
                    "serait dans les deux",
                    after.number,
                )


def _check_zones(records: Sequence[_Record]) -> None:
    present = {r.zone for r in records}
    for zone in ZONES:
        if zone not in present:
            raise CalendarFileError(
                f"la zone {zone} manque : aucune période de vacances pour elle "
                "(le fichier doit couvrir les zones A, B et C)"
            )


@dataclass(frozen=True)
class CalendarFile:
    """A school calendar and where it comes from.

    Attributes:
        path: the file read, or None for the calendar shipped with the package.
        export: True when the file is the data set's export, converted when read.
        calendar: the school holidays.
    """

    path: Path | None
    export: bool
    calendar: SchoolHolidayCalendar

    def school_years(self, zone: str) -> tuple[str, ...]:
        """The school years of ``zone`` with days in the covered range (the summer before the
        first one, kept for its end only, is left out)."""
        first = self.calendar.first_covered
        return tuple(
            sorted(
                {p.school_year for p in self.calendar.periods_of(zone) if p.last_day >= first}
            )
        )

    def describe(self) -> list[str]:
        """What ``calendar-file show`` and ``convert`` print about the range, zone by zone."""
        cal = self.calendar
        span = f"du {_day(cal.first_covered)} au {_day(cal.last_covered)}"
        return [
            f"zone {zone} : années scolaires {', '.join(self.school_years(zone))} ; {span}"
            for zone in ZONES
        ]


def shipped_calendar_file() -> CalendarFile:
    """The calendar shipped with the package."""
    return CalendarFile(None, False, load_school_holidays())


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarFileError(
            f"JSON illisible, ligne {exc.lineno}, colonne {exc.colno} ({exc.msg})"
        ) from exc


def read_calendar_file(path: Path) -> CalendarFile:
    """Read and check a school-calendar file of either format (see the module docstring).

    The covered range is not compared with today here: see :func:`check_coverage`.

    Raises:
        CalendarFileError: the file is not a usable calendar; the message names the record.
        OSError: the file cannot be read.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # a BOM, if an editor added one, is not content
    except UnicodeDecodeError as exc:
        raise CalendarFileError(f"ce n'est pas un texte UTF-8 ({exc})") from exc
    document = _decode(text)
    if _export_records(document) is not None:
        # The export's own date is not in it: the day it was saved is when it was downloaded.
        saved = datetime.fromtimestamp(path.stat().st_mtime, PARIS).date()
        conversion = convert_export(document, retrieved=saved, origin=path.name)
        return CalendarFile(path, True, conversion.calendar)
    return CalendarFile(path, False, _read_project_format(document, path.name))


def _read_project_format(document: Any, origin: str) -> SchoolHolidayCalendar:
    if not isinstance(document, dict):
        raise CalendarFileError(
            "ce n'est ni un export du jeu de données fr-en-calendrier-scolaire (une liste "
            "d'enregistrements) ni un calendrier au format du projet (un objet JSON)"
        )
    dataset = document.get("dataset")
    if dataset != DATASET:
        raise CalendarFileError(
            f"ce n'est pas le jeu de données {DATASET} (champ « dataset » : {dataset!r})"
        )
    records = document.get("records")
    if not isinstance(records, list):
        raise CalendarFileError("le champ « records » doit être une liste d'enregistrements")
    read: list[_Record] = []
    for number, record in enumerate(records, start=1):
        fields = _fields(number, record)
        relevant = _relevant(fields, number)
        if relevant is not None:
            read.append(_read_record(number, fields, *relevant))
    _check_zones(read)
    _check_overlaps(read)
    try:
        return parse_school_holidays(document, origin)
    except ValueError as exc:
        # What is left (a summer with no end inside the range, a missing date field…) is said
        # by the parser, in English; the French sentence around it says which file.
        raise CalendarFileError(f"calendrier mal formé : {exc}") from exc


def check_coverage(
    calendar: SchoolHolidayCalendar, today: date, shipped: SchoolHolidayCalendar
) -> None:
    """Refuse a calendar that would lose days: it must know today's school year from its
    rentrée, and every day up to the end of the shipped calendar.

    Raises:
        CalendarFileError: the sentence says which end is wrong.
    """
    first, last = calendar.first_covered, calendar.last_covered
    if last < shipped.last_covered:
        raise CalendarFileError(
            f"il s'arrête au {_day(last)}, avant le calendrier livré avec Resto-Mairie "
            f"(jusqu'au {_day(shipped.last_covered)}) : les jours entre les deux ne seraient "
            "plus connus ; prenez un export plus récent"
        )
    if last < today:
        raise CalendarFileError(f"il s'arrête au {_day(last)}, avant aujourd'hui")
    if today < first:
        raise CalendarFileError(
            f"il commence au {_day(first)}, après aujourd'hui ({_day(today)}) : il doit couvrir "
            "l'année scolaire d'aujourd'hui depuis sa rentrée"
        )
    for zone in ZONES:
        # The day after a summer ends is a rentrée; one of them must fall between the first
        # covered day and today, or the start of today's school year is not known.
        rentrees = [
            p.last_day + _ONE_DAY
            for p in calendar.periods_of(zone)
            if p.name == _SUMMER and first <= p.last_day + _ONE_DAY <= min(today, last)
        ]
        if not rentrees:
            raise CalendarFileError(
                f"il commence au {_day(first)} et ne dit pas quand l'année scolaire "
                f"d'aujourd'hui ({_day(today)}) a commencé en zone {zone} : il doit la "
                "couvrir depuis sa rentrée"
            )


# --- the data set's export ------------------------------------------------------------------


def _export_records(document: Any) -> list[Any] | None:
    """The records of an export (a list; an API answer's ``results``), or None."""
    if isinstance(document, list):
        return document
    if (
        isinstance(document, dict)
        and "records" not in document
        and isinstance(document.get("results"), list)
    ):
        return list(document["results"])
    return None


@dataclass(frozen=True)
class Conversion:
    """An export converted to the project's format.

    Attributes:
        document: the project-format document, ready for ``json.dump``.
        calendar: the calendar it makes.
        records_read: records in the export.
        records_kept: records written (one per zone and period).
        other_zones: zones of the export left out (Corse, overseas…).
    """

    document: dict[str, Any]
    calendar: SchoolHolidayCalendar
    records_read: int
    records_kept: int
    other_zones: tuple[str, ...]


def convert_export(
    document: Any, *, retrieved: date, origin: str, since: str | None = None
) -> Conversion:
    """Convert the data set's export (decoded JSON) into the project's format.

    ``since`` is the first school year kept (``"2024-2025"``); by default the shipped file's
    first one, so a converted file knows every day the shipped one knows. An export that starts
    later is kept from its first school year whose previous summer it has.

    Raises:
        CalendarFileError: not this data set, a zone or school year incomplete, records that
            disagree or overlap; the message names the record.
    """
    raw = _export_records(document)
    if raw is None:
        if isinstance(document, dict) and document.get("dataset") == DATASET:
            raise CalendarFileError("ce fichier est déjà au format du projet : rien à convertir")
        raise CalendarFileError(
            f"ce n'est pas un export JSON du jeu de données {DATASET} "
            "(attendu : une liste d'enregistrements)"
        )
    if not raw:
        raise CalendarFileError("l'export ne contient aucun enregistrement")
    first_fields = _fields(1, raw[0])
    missing = [key for key in _REQUIRED if key not in first_fields]
    if missing:
        raise CalendarFileError(
            f"ce n'est pas le jeu de données {DATASET} : l'enregistrement n° 1 n'a pas les "
            f"champs {', '.join(missing)} (il a : {', '.join(sorted(first_fields)) or 'aucun'})",
            1,
        )
    if since is None:
        shipped = load_school_holidays()
        since = f"{shipped.first_covered.year}-{shipped.first_covered.year + 1}"
    elif not (_YEAR.fullmatch(since) and int(since[5:]) == int(since[:4]) + 1):
        raise CalendarFileError(f"année scolaire illisible « {since} » (attendu : AAAA-AAAA)")

    other_zones: set[str] = set()
    groups: dict[tuple[str, str, bool, str], list[_Record]] = defaultdict(list)
    for number, record in enumerate(raw, start=1):
        fields = _fields(number, record)
        relevant = _relevant(fields, number)
        if relevant is None:
            zones = fields.get("zones")
            if isinstance(zones, str) and zones.strip():
                other_zones.add(zones.strip())
            continue
        zone, year = relevant
        # Years before the summer that opens ``since`` are not kept: not even read, so an old
        # record's quirk cannot refuse this year's file.
        if year < _previous_year(since):
            continue
        read = _read_record(number, fields, zone, year)
        groups[(read.zone, read.name, read.marker, read.school_year)].append(read)
    other_zones -= {f"Zone {zone}" for zone in ZONES}  # teachers' records of A, B, C

    # One record per zone and period: every académie of a zone must say the same.
    chosen: dict[tuple[str, str, bool, str], _Record] = {}
    for key, same in groups.items():
        first = same[0]
        for other in same[1:]:
            if (other.start, other.end) != (first.start, first.end):
                raise CalendarFileError(
                    f"les académies de la zone {first.zone} ne sont pas d'accord : "
                    f"{first.label} va du {_day(first.start)} au {_day(first.end)}, "
                    f"{other.label} du {_day(other.start)} au {_day(other.end)}",
                    other.number,
                )
        chosen[key] = first
    # The data set replaces the summer-start marker by the whole summer once its end is known.
    for zone, name, marker, year in list(chosen):
        if marker and (zone, name, False, year) in chosen:
            del chosen[(zone, name, marker, year)]

    records = list(chosen.values())
    _check_zones(records)
    kept = _kept_years(records, since)
    selected = [
        r
        for r in records
        if r.school_year in kept or (r.school_year == _previous_year(kept[0]) and r.name == _SUMMER)
    ]
    _check_overlaps(selected)
    first_covered, last_covered = _covered(selected, kept)

    selected.sort(key=lambda r: (r.zone, r.closed))
    academies: dict[str, set[str]] = defaultdict(set)
    for same in groups.values():
        for r in same:
            if r.location:
                academies[f"Zone {r.zone}"].add(r.location)
    out: dict[str, Any] = {
        "dataset": DATASET,
        "title": "Calendrier scolaire (zones A, B et C, métropole)",
        "publisher": "Ministère de l'Éducation nationale",
        "source": "https://data.education.gouv.fr/explore/dataset/fr-en-calendrier-scolaire/",
        "licence": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "retrieved": retrieved.isoformat(),
        "first_covered_date": first_covered.isoformat(),
        "last_covered_date": last_covered.isoformat(),
        "note": (
            "Converted by 'restomairie calendar-file convert' from the data set's JSON export. "
            "Convention of the data set: start_date is the last day of classes and end_date the "
            "day classes resume, both Paris midnight written in UTC; the closed days are "
            "start+1 … end-1 in Paris time; a one-day closure has start_date equal to end_date. "
            f"Coverage: from the rentrée of {kept[0]} (end_date of the previous summer, kept "
            f"for that reason only) to {last_covered.isoformat()}; later days are unknown."
        ),
        "selection": (
            f"Zones A, B and C; school years {kept[0]} to {kept[-1]} plus the "
            f"{_previous_year(kept[0])} summer; pupils' records only (the teachers' records "
            "are left out); one record per zone, every académie of a zone having the same "
            "dates (checked)."
        ),
        "provenance": [
            f"JSON export of the data set ({origin}, {len(raw)} records), retrieved "
            f"{retrieved.isoformat()}; {len(selected)} records kept."
        ],
        "academies": {zone: sorted(names) for zone, names in sorted(academies.items())},
        "records": [r.output() for r in selected],
    }
    try:
        calendar = parse_school_holidays(out, origin)
    except ValueError as exc:  # the checks above should leave nothing for the parser to find
        raise CalendarFileError(f"calendrier mal formé : {exc}") from exc
    return Conversion(out, calendar, len(raw), len(selected), tuple(sorted(other_zones)))


def _kept_years(records: Sequence[_Record], since: str) -> list[str]:
    """The school years kept: from the first one from ``since`` on whose previous summer every
    zone has, to the last one; none missing in between, each complete in every zone."""
    by_zone: dict[str, dict[str, dict[str, _Record]]] = {z: defaultdict(dict) for z in ZONES}
    for r in records:
        by_zone[r.zone][r.school_year][r.name] = r
    years = sorted({r.school_year for r in records if r.school_year >= since})

    def has_summer_end(year: str) -> bool:
        return all(
            (summer := by_zone[z][year].get(_SUMMER)) is not None and not summer.marker
            for z in ZONES
        )

    start = next((y for y in years if has_summer_end(_previous_year(y))), None)
    if start is None:
        raise CalendarFileError(
            f"aucune année scolaire à partir de {since} dont l'export donne aussi l'été "
            "précédent dans chaque zone : la date de la rentrée n'est pas connue"
        )
    kept = [y for y in years if y >= start]
    for before, after in itertools.pairwise(kept):
        if _previous_year(after) != before:
            raise CalendarFileError(
                f"il manque l'année scolaire {_previous_year(after)} entre {before} et {after}"
            )
    for year in kept:
        for zone in ZONES:
            present = by_zone[zone][year]
            if not present:
                raise CalendarFileError(
                    f"la zone {zone} manque pour l'année scolaire {year} "
                    "(les autres zones l'ont)"
                )
            for name in (*_MAIN_BREAKS, _SUMMER):
                if name not in present:
                    raise CalendarFileError(
                        f"zone {zone}, année scolaire {year} : il manque les {name}"
                    )
            summer = present[_SUMMER]
            if summer.marker and year != kept[-1]:
                raise CalendarFileError(
                    f"{summer.label} : l'été n'a pas de fin publiée alors que l'année "
                    "suivante est dans l'export",
                    summer.number,
                )
    return kept


def _covered(records: Sequence[_Record], kept: Sequence[str]) -> tuple[date, date]:
    """The first and last day every zone knows: from the rentrée of the first year kept to the
    rentrée after the last (to the summer's first day when only its start is published)."""
    summers = {(r.zone, r.school_year): r for r in records if r.name == _SUMMER}
    first = max(summers[(z, _previous_year(kept[0]))].end for z in ZONES)
    ends = []
    for zone in ZONES:
        summer = summers[(zone, kept[-1])]
        ends.append(summer.closed[0] if summer.marker else summer.end)
    return first, min(ends)


def write_calendar(document: Mapping[str, Any], path: Path) -> None:
    """Write a project-format document to ``path``, replacing it in one step.

    The file is written beside its destination and then renamed, so a service reading the
    file at that moment sees the old calendar or the new one, never half of one.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    temporary.replace(path)
