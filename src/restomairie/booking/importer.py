"""Import families and children from the town's CSV (documented in the README).

One row per child; columns ``family, pin, phones, guardian, child, first_name, last_name,
birth_date, school, diet, days`` (optional: ``language``). Comma or semicolon separated, UTF-8 with
or without a BOM, else Windows-1252 (Excel's "CSV point-virgule"). The whole file is checked first;
any wrong line makes the import fail with every error of every line, by line number and column,
and nothing is written; so does a line whose child id already belongs to another family (an
import never moves a child between families). A valid file is applied in one transaction, which
also says what it changed in families and children already known (run and rolled back, it is the
preview), and what staff should check without it being an error (:func:`_warnings`).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from restomairie.booking import queries
from restomairie.booking.adjustments import IMPORT, settle
from restomairie.booking.guard import guard
from restomairie.booking.services import (
    WEEKDAY_FULL,
    Actor,
    BookingService,
    MissingPepper,
    check_pin_hash,
    hash_pin,
    kept_said,
    needs_rehash,
    replace_pattern,
    unserved_weekdays,
    weekdays_text,
)
from restomairie.calendar.days import Closure as CalendarClosure
from restomairie.config import Settings
from restomairie.i18n import LANGUAGES, format_day
from restomairie.models import (
    AuditEntry,
    BookingDay,
    Child,
    DayLock,
    Family,
    FamilyPhone,
    Subscription,
)
from restomairie.phones import mask_phone

# How far ahead of now a cut-off must be for the import to leave its day unguarded: a lock may be
# taken while the import runs on any day whose cut-off comes before this (see _settle_moves).
GUARD_AHEAD = timedelta(hours=1)

REQUIRED = (
    "family",
    "pin",
    "phones",
    "guardian",
    "child",
    "first_name",
    "last_name",
    "birth_date",
    "school",
    "diet",
    "days",
)
# Every column a file may have: the required ones and the optional language.
KNOWN_COLUMNS = (*REQUIRED, "language")
PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


def line_text(line: int, message: str) -> str:
    """An error as said to staff: "ligne 4, colonne pin : le code secret doit avoir 4 chiffres"
    (a message about a column starts with "colonne …")."""
    return f"ligne {line}, {message}" if message.startswith("colonne ") else (
        f"ligne {line} : {message}"
    )


class ImportFailed(Exception):
    """The file has errors: ``errors`` lists (line number, message), every error of each line,
    the message naming its column ("colonne pin : …"); nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__("\n".join(line_text(n, m) for n, m in errors))


@dataclass(frozen=True)
class SealedPin:
    """A family's code as a checked file waiting for its confirmation keeps it: never the code,
    only what the import needs of it (:func:`seal_pins`). ``hash`` is what the import writes
    (``hash_pin`` with the deployment's pepper, as the import would compute it); ``was`` the
    family's code hash when the file was checked (None for a new family) and ``same`` whether
    the file's code was that one, which tells the import whether the code changes without the
    code itself. Only a file checked by this program holds one: a CSV's ``pin`` column is
    always a code in clear, checked as such (a hash written in a file is refused)."""

    hash: str
    was: str | None = None
    same: bool = False
    weak: bool = False  # :func:`weak_pin`, told when sealed (the « À vérifier » warning)


@dataclass
class Row:
    line: int
    family: str
    pin: str | SealedPin  # the file's code; sealed while the file waits (staff import)
    phones: tuple[str, ...]
    guardian: str
    child: str
    first_name: str
    last_name: str
    birth_date: date | None
    school: str
    diet: str
    weekdays: int
    language: str


@dataclass
class ImportReport:
    """What an import did (or, dry run, would do). A family or child already known is counted
    updated when the file changes something of it (its :class:`FamilyChange` or
    :class:`ChildChange`), unchanged otherwise: importing the same file again says so."""

    families_created: int = 0
    families_updated: int = 0
    children_created: int = 0
    children_updated: int = 0
    families_unchanged: int = 0
    children_unchanged: int = 0
    rows: int = 0
    adjustments: int = 0  # recorded beside locked figures (a child's school or diet changed)
    warnings: list[str] = field(default_factory=list)
    # With end_missing: the subscriptions of children left out of the file, ended.
    ended: list[str] = field(default_factory=list)
    encoding: str = "UTF-8"  # the file's, when it was read from bytes
    # What changes in families and children already known (new ones are counted above).
    family_changes: list[FamilyChange] = field(default_factory=list)
    child_changes: list[ChildChange] = field(default_factory=list)
    # (school, day) of the overdue locks taken before the changes, dry run included (_apply).
    late_locks: list[tuple[str, date]] = field(default_factory=list)


# At most this many locked days are named one by one; more are said as a count and a range.
NAMED_DAYS = 5


def late_locks_said(settings: Settings, late_locks: list[tuple[str, date]]) -> str:
    """The overdue locks an import (or its dry run) took first (:attr:`ImportReport.late_locks`),
    in French, day by day: "École élémentaire Anjou le mardi 24 novembre, …" (the command line
    and the staff page say them alike)."""
    names = {s.id: s.name for s in settings.schools}
    return ", ".join(
        f"{names.get(school, school)} le {format_day(day)}"
        for school, day in sorted(late_locks, key=lambda x: (x[1], x[0]))
    )


def late_locks_sentence(settings: Settings, late_locks: list[tuple[str, date]],
                        dry_run: bool) -> str:
    """What to say of the overdue locks an import took first (``dry_run``: its check, which
    takes them too, as the import would), as the command line says it."""
    when = (
        "avant la vérification, et qui le restent (l'import les prendrait de même)"
        if dry_run else "avant l'import"
    )
    return (
        f"Effectifs verrouillés en retard {when} : le planificateur ne l'avait pas fait à "
        f"leur heure limite : {late_locks_said(settings, late_locks)}."
    )


@dataclass
class FamilyChange:
    """What an import changes in a family already known. Never the code itself: only whether
    it changed. Numbers are in E.164 here; they are said masked (:func:`mask_phone`)."""

    account: str
    line: int
    pin_changed: bool = False
    phones_added: tuple[str, ...] = ()
    phones_removed: tuple[str, ...] = ()
    guardian: tuple[str, str] | None = None  # (before, after)
    language: tuple[str, str] | None = None

    def __bool__(self) -> bool:
        return bool(self.pin_changed or self.phones_added or self.phones_removed
                    or self.guardian or self.language)

    def describe(self) -> list[str]:
        """Each change in French ("code secret modifié", "téléphone ajouté : +33 6 •• •• •• 83")."""
        out = ["code secret modifié"] if self.pin_changed else []
        out += [f"téléphone ajouté : {mask_phone(n)}" for n in self.phones_added]
        out += [f"téléphone retiré : {mask_phone(n)}" for n in self.phones_removed]
        if self.guardian:
            out.append(f"responsable : {self.guardian[0] or '—'} → {self.guardian[1] or '—'}")
        if self.language:
            out.append(f"langue : {self.language[0]} → {self.language[1]}")
        return out


@dataclass
class ChildChange:
    """What an import changes for a child already known: first name, last name, birth date;
    school or diet (from ``moved_on``, the day after the import, locked days included:
    ``adjusted_days`` get kitchen adjustments) and the weekly pattern (from ``pattern_from``,
    the first day that can still be changed). Never its family: a line that would move a child
    to another family is refused (:func:`_family_errors`)."""

    ref: str
    line: int
    name: str
    account: str
    school: tuple[str, str] | None = None
    diet: tuple[str, str] | None = None
    moved_on: date | None = None
    adjusted_days: list[date] = field(default_factory=list)
    weekdays: tuple[str, str] | None = None
    pattern_from: date | None = None
    # Who the child is, (before, after) when the file says otherwise than the database.
    first_name: tuple[str, str] | None = None
    last_name: tuple[str, str] | None = None
    birth_date: tuple[date | None, date | None] | None = None

    def __bool__(self) -> bool:
        return bool(self.school or self.diet or self.weekdays or self.first_name
                    or self.last_name or self.birth_date)

    def identity(self) -> list[str]:
        """The changes of who the child is, in French ("prénom modifié : Nathan → Nathaniel",
        "date de naissance modifiée : 27/05/2015 → —")."""
        out = []
        if self.first_name:
            out.append(f"prénom modifié : {self.first_name[0]} → {self.first_name[1]}")
        if self.last_name:
            out.append(f"nom modifié : {self.last_name[0]} → {self.last_name[1]}")
        if self.birth_date:
            before, after = (_birth_text(d) for d in self.birth_date)
            out.append(f"date de naissance modifiée : {before} → {after}")
        return out

    def describe(self, menu: Callable[[str], str] | None = None) -> list[str]:
        """Each change in French: who the child is, then school and diet (from when, and the
        locked days adjusted), then the weekly pattern. ``menu`` names a diet (the staff pages
        give their labels, "Sans porc"); without it, a diet is said as the file writes it
        (``sans_porc``)."""
        out = self.identity()
        moves = []
        if self.school:
            moves.append(f"école {self.school[0]} → {self.school[1]}")
        if self.diet:
            said = menu or (lambda diet: diet)
            moves.append(f"régime {said(self.diet[0])} → {said(self.diet[1])}")
        if moves:
            assert self.moved_on is not None
            text = f"{' et '.join(moves)}, dès demain ({format_day(self.moved_on)})"
            days = sorted(self.adjusted_days)
            if not days:
                text += ", sans toucher aux jours déjà verrouillés pour la cuisine"
            elif len(days) == 1:
                text += (
                    f", y compris le {format_day(days[0])}, jour déjà verrouillé pour la "
                    "cuisine : il recevra un ajustement"
                )
            elif len(days) <= NAMED_DAYS:
                text += (
                    f", y compris {len(days)} jours déjà verrouillés pour la cuisine, qui "
                    f"recevront un ajustement : {', '.join(format_day(d) for d in days)}"
                )
            else:
                text += (
                    f", y compris {len(days)} jours déjà verrouillés pour la cuisine, du "
                    f"{format_day(days[0])} au {format_day(days[-1])}, qui recevront un "
                    "ajustement"
                )
            out.append(text)
        if self.weekdays:
            assert self.pattern_from is not None
            out.append(
                f"jours {self.weekdays[0]} → {self.weekdays[1]} à partir du "
                f"{format_day(self.pattern_from)}"
            )
        return out


def _birth_text(day: date | None) -> str:
    """A birth date as staff write it in the file ("27/05/2015"), or "—" when there is none."""
    return "—" if day is None else f"{day:%d/%m/%Y}"


def normalise_phone(raw: str) -> str:
    """A French or international number in E.164 ("06 12 34 56 78" → "+33612345678").

    The national trunk 0 written after the country code, "+33 (0)6 12 34 56 78" (the usual
    way of writing a number for abroad) or "+33 06…", is dropped: kept, it gave "+330612…",
    a number no caller ID ever shows, so staff found no call and the line knew no family."""
    s = re.sub(r"[\s.\-]", "", raw)
    if s.startswith(("+", "00")):
        s = s.replace("(0)", "", 1)
    s = re.sub(r"[()]", "", s)
    if s.startswith("00"):
        s = "+" + s[2:]
    elif s.startswith("0") and len(s) == 10:
        s = "+33" + s[1:]
    if re.fullmatch(r"\+330\d{9}", s):
        s = "+33" + s[4:]
    if not PHONE.match(s):
        raise ValueError(_phone_problem(raw.strip()))
    return s


def _phone_problem(raw: str) -> str:
    """Why a number is refused. Nine digits without a leading 0 or + are most often a French
    number whose zero a spreadsheet dropped, reading "0612345678" as the number 612345678: say
    so, as for a code (the example is not the line's number)."""
    text = f"numéro de téléphone invalide {raw!r}"
    if re.fullmatch(r"[1-9][0-9]{8}", re.sub(r"[\s.\-()]", "", raw)):
        text += (
            " (un zéro initial perdu par le tableur ? « 612345678 » s'écrit « 0612345678 » : "
            "mettez la colonne phones au format Texte)"
        )
    return text


# Between several numbers of one family: a comma (the documented separator), a semicolon or a
# vertical bar. Spaces, dots and dashes are inside a number ("06 12 34 56 78", "03.80.74.51.51").
PHONE_SEPARATORS = re.compile(r"[,;|]")


def split_phones(raw: str) -> tuple[str, ...]:
    """The numbers of a ``phones`` field, in E.164, in order, without repeats.

    Several numbers are separated by a comma (``06 12 34 56 78, 03 80 00 00 00``; ``;`` and
    ``|`` too). A part that is not one number written with spaces is read the way files made
    before the comma was the separator were: numbers without spaces, separated by spaces
    (``0612345678 +33380000000``). Two numbers that are each valid never join into a valid one
    (a second ``+``, or more than 15 digits), so the two readings never disagree."""
    numbers: list[str] = []
    for part in PHONE_SEPARATORS.split(raw):
        part = part.strip()
        if not part:
            continue
        try:
            numbers.append(normalise_phone(part))
            continue
        except ValueError:
            pass
        tokens = part.split()
        if len(tokens) > 1:
            try:
                numbers.extend(normalise_phone(t) for t in tokens)
                continue
            except ValueError:
                raise ValueError(
                    f"numéro de téléphone invalide {part!r} (séparez plusieurs numéros par une "
                    "virgule : « 06 12 34 56 78, 03 80 00 00 00 »)"
                ) from None
        raise ValueError(_phone_problem(part))
    return tuple(dict.fromkeys(numbers))


def _date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date de naissance invalide {raw!r} (AAAA-MM-JJ ou JJ/MM/AAAA)")


def _key(text: str) -> str:
    """A word as a reader matches it: no case, no accents, no spaces, dashes or underscores
    ("Sans porc", "sans-porc" and "SANS_PORC" are one key)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[\s_\-'’]", "", "".join(c for c in plain if not unicodedata.combining(c)))


def match_diet(raw: str, variants: tuple[str, ...]) -> str | None:
    """The menu variant written as ``raw`` ("sans porc" → ``sans_porc``), or None when no
    variant, or more than one, matches."""
    found = [v for v in variants if _key(v) == _key(raw)]
    return found[0] if len(found) == 1 else None


def match_school(raw: str, schools: Mapping[str, frozenset[int]]) -> str | None:
    """The school id written as ``raw``: itself, else the one id it matches as a diet does,
    case, accents, spaces and dashes aside ("Anjou-Elem" → ``anjou-elem``); None when none or
    several do."""
    return raw if raw in schools else match_diet(raw, tuple(schools))


def match_weekday(raw: str) -> int | None:
    """Monday = 0 for "lun", "lundi", "Lundi", "LUN."; None when it is no weekday's name: its
    first three letters or more of the full name ("mer" and "mar" differ, "jeudi" is Thursday)."""
    key = _key(raw).rstrip(".")
    if len(key) < 3:
        return None
    found = [i for i, name in enumerate(WEEKDAY_FULL) if name.startswith(key)]
    return found[0] if len(found) == 1 else None


class Claim(NamedTuple):
    """What a line says of whose a child is: the line, its family account and child id."""

    line: int
    family: str
    child: str


@dataclass(frozen=True)
class CheckedFile:
    """A checked file: its rows and the encoding it was read in."""

    rows: list[Row]
    encoding: str  # "UTF-8" or "Windows-1252"


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the name of its encoding: UTF-8 (with or without a BOM) first,
    then Windows-1252, what Excel writes for "CSV (séparateur : point-virgule)" on a French
    Windows (Latin-1 with a few more characters: a Latin-1 file reads the same)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise ImportFailed([(1, (
            "encodage du fichier non reconnu (ni UTF-8 ni Windows-1252) : dans Excel, "
            "enregistrez-le au format « CSV UTF-8 (délimité par des virgules) » puis "
            "envoyez-le de nouveau"
        ))]) from None


def parse_csv(
    data: bytes | str, schools: Mapping[str, frozenset[int]], variants: tuple[str, ...]
) -> list[Row]:
    """Parse and check a whole file; raise :class:`ImportFailed` with every error by line."""
    return check_file(data, schools, variants).rows


def school_days(settings: Settings) -> dict[str, frozenset[int]]:
    """Each school id of the configuration with its canteen weekdays, as :func:`check_file`
    checks a line's school and weekly pattern against them."""
    return {s.id: settings.weekdays_of(s) for s in settings.schools}


def check_file(
    data: bytes | str,
    schools: Mapping[str, frozenset[int]],
    variants: tuple[str, ...],
    known: Callable[[list[Claim]], list[tuple[int, str]]] | None = None,
    today: date | None = None,
) -> CheckedFile:
    """Parse and check a whole file; raise :class:`ImportFailed` with every error by line (all
    of each line's, each naming its column). ``known``, if given, checks each line's family and
    child against the database (:func:`database_errors`), those of lines with other errors too:
    its errors are reported with the others, in line order, so that one refusal lists
    everything to correct. ``schools``: :func:`school_days`. ``today``, if given: a birth date
    after it is refused."""
    if isinstance(data, bytes):
        text, encoding = decode(data)
    else:
        text, encoding = data.removeprefix("\ufeff"), "UTF-8"
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([(1, "fichier vide")]) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFailed([(1, _header_problem(header, missing, encoding))])
    unknown = _unknown_columns(header)
    if unknown:
        # Ignored, a misspelt optional column ("langue") would silently leave its values unread
        # (a column like no known one is the town's own, and left unread).
        raise ImportFailed([(1, (
            f"colonne(s) inconnue(s) : {unknown} ; colonnes attendues : "
            f"{', '.join(KNOWN_COLUMNS)}"
        ))])
    errors: list[tuple[int, str]] = []
    rows: list[Row] = []
    seen_children: dict[str, int] = {}
    families: dict[str, Row] = {}
    claims: list[Claim] = []
    lines = io.StringIO(text, newline="").readlines()  # as the reader counts them
    ended = reader.line_num  # the last line of the record before
    for values in reader:
        line, start, ended = reader.line_num, ended + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            number, message = _columns_error(lines, start, line, len(values), len(header),
                                             delimiter)
            if delimiter == "," and _phones_split(header, values):
                message += (
                    " : le champ phones contient une virgule entre deux numéros ; mettez-le "
                    "entre guillemets (« \"06 12 34 56 78, 03 80 00 00 00\" », ce que fait "
                    "Excel) ou séparez le fichier par des points-virgules"
                )
            errors.append((number, message))
            continue
        rec = {k: v.strip() for k, v in zip(header, values, strict=True)}
        if rec["family"] and rec["child"]:
            claims.append(Claim(line, rec["family"], rec["child"]))
        row, problems = _row(line, rec, schools, variants, today)
        errors.extend((line, f"colonne {col} : {message}") for col, message in problems)
        # A child id is counted from its first line even when that line has other errors: the
        # repeat is an error of its own, said with them, not only once they are corrected.
        first_seen = seen_children.setdefault(rec["child"], line) if rec["child"] else line
        if first_seen != line:
            errors.append(
                (line, f"colonne child : enfant {rec['child']!r} déjà présent ligne {first_seen}")
            )
            continue
        if row is None:
            continue
        prev = families.get(row.family)
        if prev is not None:
            differ = [
                col
                for col, a, b in (
                    ("pin", prev.pin, row.pin),
                    # The same numbers in another order are the same phones.
                    ("phones", set(prev.phones), set(row.phones)),
                    ("guardian", prev.guardian, row.guardian),
                )
                if a != b
            ]
            if differ:
                errors.append((line, (
                    f"colonne {', '.join(differ)} : famille {row.family!r} différente de la "
                    f"ligne {prev.line} (code, téléphones et responsable doivent être les "
                    "mêmes sur chaque ligne d'une famille)"
                )))
                continue
        families.setdefault(row.family, row)
        rows.append(row)
    if known is not None and claims:
        # A stable sort: each line's own errors keep their order.
        errors = sorted(errors + known(claims), key=lambda e: e[0])
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([(1, "aucune ligne à importer")])
    return CheckedFile(rows, encoding)


def _header_problem(header: list[str], missing: list[str], encoding: str) -> str:
    """Why the first line is not the header the import expects. None of its columns: the
    separator (or the encoding) was not recognised, or the line is not a header; listing the
    eleven columns as missing would hide that. Some: the missing ones, and the columns that
    are not expected, with the expected one each may be a misspelling of (``famille`` →
    ``family``)."""
    known = KNOWN_COLUMNS
    if not any(h in known for h in header):
        return (
            "aucune colonne attendue dans la première ligne (lue en "
            f"{encoding}) : le séparateur ou l'encodage n'est pas reconnu, ou la ligne "
            "d'en-tête manque ; il faut une première ligne family,pin,phones,… (séparateur "
            "virgule ou point-virgule, UTF-8 ou Windows-1252)"
        )
    text = f"colonnes manquantes : {', '.join(missing)}"
    odd = []
    for h in header:
        if h and h not in known:
            close = difflib.get_close_matches(h, missing, n=1, cutoff=0.6)
            odd.append(f"{h!r} (pour {close[0]!r} ?)" if close else repr(h))
    if odd:
        text += f" ; colonne(s) inattendue(s) : {', '.join(odd)}"
    return text


def _unknown_columns(header: list[str]) -> str:
    """The header's columns the import does not know that look like a misspelling of one it
    does ("'langue' (pour 'language' ?)"), or "" when there is none. Other columns (a town's
    "remarque", "classe") are the file's own business and are not read, as before; a column
    without a name (a separator left at the end of the line by a spreadsheet) is no column."""
    odd = []
    for h in header:
        if h and h not in KNOWN_COLUMNS:
            close = difflib.get_close_matches(h, KNOWN_COLUMNS, n=1, cutoff=0.6)
            if close:
                odd.append(f"{h!r} (pour {close[0]!r} ?)")
    return ", ".join(odd)


def _separator_hint(record: list[str], delimiter: str, expected: int) -> str:
    """A hint for a line with too few columns that has the header's number of columns once read
    with the other separator: the line was written with a comma under a semicolon header (or
    the reverse), e.g. pasted from another file."""
    other = "," if delimiter == ";" else ";"
    values = next(csv.reader(["".join(record)], delimiter=other), [])
    if len(values) < expected:
        return ""
    names = {",": "des virgules", ";": "des points-virgules"}
    return (
        f" : cette ligne est séparée par {names[other]}, l'en-tête par {names[delimiter]} ; "
        "utilisez le même séparateur dans tout le fichier"
    )


def _phones_split(header: list[str], values: list[str]) -> bool:
    """Whether a line with one column too many reads right once the ``phones`` field and the
    one after it are taken as one: two numbers separated by a comma, left unquoted in a comma
    separated file."""
    if len(values) != len(header) + 1 or "phones" not in header:
        return False
    at = header.index("phones")
    try:
        return bool(split_phones(values[at])) and bool(split_phones(values[at + 1]))
    except ValueError:
        return False


def _columns_error(lines: list[str], start: int, end: int, found: int,
                   expected: int, delimiter: str) -> tuple[int, str]:
    """The error of a record of lines ``start`` to ``end`` without the header's number of
    columns. A quote opened and never closed makes the reader take the separators and line
    ends after it as text, up to the next quote or the end of the file, so the count alone
    ("3 colonnes au lieu de 11") would mislead: the first line of the record with an odd number
    of quotes is named instead. A record that reads right with the other separator says so
    (:func:`_separator_hint`)."""
    for number, text in enumerate(lines[start - 1:end], start):
        if text.count('"') % 2:
            return (number, (
                "guillemet (\") non fermé sur cette ligne : la suite du fichier jusqu'au "
                "guillemet suivant est lue comme une seule valeur ; fermez-le ou retirez-le"
            ))
    return (end, f"{found} colonnes au lieu de {expected}"
                 + _separator_hint(lines[start - 1:end], delimiter, expected))


def _row(
    line: int, rec: dict[str, str], schools: Mapping[str, frozenset[int]],
    variants: tuple[str, ...], today: date | None = None
) -> tuple[Row | None, list[tuple[str, str]]]:
    """The row of a line, or None, with every problem found as (column, message)."""
    problems: list[tuple[str, str]] = []
    for col in ("family", "pin", "child", "first_name", "last_name", "school", "diet"):
        if not rec[col]:
            problems.append((col, "vide"))
    if rec["family"] and not re.fullmatch(r"[0-9]{1,20}", rec["family"]):
        # Typed on the phone's keypad, and part of the staff pages' addresses.
        problems.append(("family", (
            f"numéro de dossier {rec['family']!r} : des chiffres seulement (il se tape sur le "
            "clavier du téléphone)")))
    if rec["pin"] and not re.fullmatch(r"[0-9]{4}", rec["pin"]):
        problems.append(("pin", _pin_problem(rec["pin"])))
    phones: tuple[str, ...] = ()
    try:
        phones = split_phones(rec["phones"])
    except ValueError as exc:
        problems.append(("phones", str(exc)))
    birth: date | None = None
    try:
        birth = _date(rec["birth_date"])
    except ValueError as exc:
        problems.append(("birth_date", str(exc)))
    if birth is not None and today is not None and birth > today:
        # A child not born yet is a typo (2030 for 2020), kept as such in the child's record.
        problems.append(("birth_date", (
            f"date de naissance {rec['birth_date']!r} dans le futur "
            f"(nous sommes le {today:%d/%m/%Y})")))
    school = match_school(rec["school"], schools) if rec["school"] else None
    if rec["school"] and school is None:
        problems.append(("school", (
            f"école inconnue {rec['school']!r} ({', '.join(sorted(schools))})"
        )))
    diet = match_diet(rec["diet"], variants) if rec["diet"] else None
    if rec["diet"] and diet is None:
        problems.append(("diet", f"régime inconnu {rec['diet']!r} ({', '.join(variants)})"))
    mask = 0
    for token in re.split(r"[\s,;/]+", rec["days"]):
        if not token:
            continue
        day = match_weekday(token)
        if day is None:
            problems.append(("days", f"jour inconnu {token!r} (lun mar mer jeu ven)"))
        else:
            mask |= 1 << day
    served = schools.get(school) if school is not None else None
    names = unserved_weekdays(mask, served) if served is not None else None
    if names:
        # A pattern on a day the canteen never serves would book nothing on it, and read as if
        # it did (the staff form refuses it the same way).
        problems.append(("days", f"pas de cantine le {names} à l'école {school!r}"))
    # Any case, as diet and days ("EN", "Fr").
    language = (rec.get("language", "") or "fr").lower()
    if language not in LANGUAGES:
        problems.append(("language", f"langue inconnue {language!r} ({', '.join(LANGUAGES)})"))
    if problems:
        return None, problems
    assert diet is not None and school is not None
    return Row(
        line,
        rec["family"],
        rec["pin"],
        phones,
        rec["guardian"],
        rec["child"],
        rec["first_name"],
        rec["last_name"],
        birth,
        school,
        diet,
        mask,
        language,
    ), []


def weak_pin(pin: str) -> bool:
    """Is this 4-digit code one a guesser tries first: the same digit four times (0000),
    digits that follow each other up or down (1234, 9876), or a pair said twice (1212)? With
    5 tries before the lockout, those few codes are most of a guesser's chances."""
    if not re.fullmatch(r"[0-9]{4}", pin):
        return False
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in pairwise(digits)}
    return (len(steps) == 1 and steps <= {-1, 0, 1}) or pin[:2] == pin[2:]


def _pin_problem(pin: str) -> str:
    """Why a code is refused. Fewer than 4 digits is most often a spreadsheet that read "0188"
    as the number 188 and dropped its leading zero: say so. The example is not the line's code:
    an error may be shown, copied or printed, and a code is never said back."""
    text = "le code secret doit avoir 4 chiffres"
    if re.fullmatch(r"[0-9]{1,3}", pin):
        text += (
            " (un zéro initial perdu par le tableur ? « 188 » s'écrit « 0188 » : mettez la "
            "colonne pin au format Texte)"
        )
    return text


def other_family_error(claim: Claim, owner: str) -> tuple[int, str]:
    """The error of a line whose child id belongs to another family than the line's."""
    return (claim.line, (
        f"colonne child : l'enfant {claim.child} appartient déjà au dossier {owner} ; un "
        "changement de famille ne se fait pas par import : à traiter à part par le service "
        "(retirez cette ligne du fichier) ; s'il s'agit d'un autre enfant, donnez-lui un autre "
        "identifiant"
    ))


def _owners(session: Session, refs: set[str]) -> dict[str, str]:
    """The family account each of these child ids already belongs to (unknown ids left out)."""
    found = session.execute(
        select(Child.ref, Family.account)
        .join(Family, Child.family_id == Family.id)
        .where(Child.ref.in_(refs))
    )
    return {ref: account for ref, account in found}


def _family_errors(claims: list[Claim], owners: dict[str, str]) -> list[tuple[int, str]]:
    """A line whose child is already in another family is refused: an import never moves a
    child from one family to another. It would hand the child to another household without a
    word — its phone and code could then book and cancel the child's meals, its data export
    would hold the child's bookings. Nothing in the product moves a child between families;
    staff handle such a case apart (README, "Families CSV")."""
    return [
        other_family_error(c, owners[c.child])
        for c in claims
        if c.child in owners and owners[c.child] != c.family
    ]


def database_errors(service: BookingService, claims: list[Claim]) -> list[tuple[int, str]]:
    """The errors of a file's lines against the database, by line: for now, a child already in
    another family (:func:`_family_errors`). The import checks it again in its transaction."""
    with service.sessions() as session:
        return _family_errors(claims, _owners(session, {c.child for c in claims}))


def seal_pins(service: BookingService, rows: list[Row]) -> list[Row]:
    """The checked ``rows`` with each family's code replaced by a :class:`SealedPin`, for a
    file that waits for its confirmation in the database (the staff import): no code in clear
    is ever stored, only hashes, and a copy of the database taken meanwhile gives none.

    Importing the sealed rows writes what importing the codes would: a new family gets the
    hash made here (one per family, with the deployment's pepper), and a known family's code is
    said changed, and replaced, exactly when the file's differs from the one it has now (or its
    hash was never keyed with the pepper: then it is hashed again, as the import would)."""
    pepper = service.pin_pepper
    with service.sessions() as session:
        stored: dict[str, str] = {
            account: pin_hash
            for account, pin_hash in session.execute(
                select(Family.account, Family.pin_hash)
                .where(Family.account.in_({r.family for r in rows}))
            )
        }
    sealed: dict[str, SealedPin] = {}
    out = []
    for row in rows:
        seal = sealed.get(row.family)
        if seal is None:
            if isinstance(row.pin, SealedPin):
                seal = row.pin
            else:
                was = stored.get(row.family)
                same = was is not None and not _pin_changed(row.pin, was, pepper)
                seal = SealedPin(hash_pin(row.pin, pepper), was, same, weak_pin(row.pin))
            sealed[row.family] = seal
        out.append(replace(row, pin=seal))
    return out


def _pin_changed(pin: str | SealedPin, stored: str, pepper: str | None) -> bool:
    """Whether the code of a line is another than the family's (``stored``, its hash now)."""
    if isinstance(pin, SealedPin):
        # The verdict was given against the hash the family had when the file was checked.
        # If that hash changed since (staff, another import), whether the code differs cannot
        # be told without it: it is replaced by the file's, and said changed.
        return not (pin.same and pin.was == stored)
    try:
        return not check_pin_hash(pin, stored, pepper)
    except MissingPepper:  # the old code cannot be checked here: it is replaced, say so
        return True


def _pin_hash(pin: str | SealedPin, pepper: str | None) -> str:
    """What the import writes of a line's code: its hash (made when the file was sealed)."""
    return pin.hash if isinstance(pin, SealedPin) else hash_pin(pin, pepper)


class _DryRun(Exception):
    """Rolls back a trial import (the preview) after it has said what it would do."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report


def apply_rows(
    service: BookingService,
    rows: list[Row],
    actor: Actor,
    progress: Callable[[int, int], None] | None = None,
    since: date | None = None,
    dry_run: bool = False,
    before_commit: Callable[[Session, ImportReport], None] | None = None,
    end_missing: bool = False,
) -> ImportReport:
    """Write checked rows in one transaction: families and children are created or updated; a
    changed weekly pattern takes effect on the first day that can still be changed.
    ``progress(done, total)``, if given, is called as rows are written (the staff page's bar).
    ``before_commit(session, report)``, if given, is called once every row is written, in the
    import's transaction (not on a dry run): what it writes is committed with the import or
    not at all (the staff page's job says "done" in the same commit).
    ``since`` (the demo town only) enrols and subscribes from that date instead, as if the
    families had been there since the start of the school year. ``end_missing``: the file is
    the whole list; the subscriptions of the children it leaves out end (:func:`_end_missing`).

    The report says what changed in each family and child already known (code, phones, school,
    diet, pattern, the locked days adjusted); each change is in the audit log, the code's as a
    fact only. With ``dry_run`` everything is done the same way, then rolled back: the report is
    the preview of exactly what the import would do (taking, meanwhile, the same locks)."""
    try:
        return _apply(service, rows, actor, progress, since, dry_run, before_commit,
                      end_missing)
    except _DryRun as trial:
        return trial.report


def _apply(
    service: BookingService,
    rows: list[Row],
    actor: Actor,
    progress: Callable[[int, int], None] | None,
    since: date | None,
    dry_run: bool,
    before_commit: Callable[[Session, ImportReport], None] | None = None,
    end_missing: bool = False,
) -> ImportReport:
    now = service.clock.now()
    today = now.date()
    report = ImportReport(rows=len(rows))
    pepper = service.pin_pepper
    # A change of school or diet is recorded beside the locked figures from tomorrow on
    # (_settle_moves); a day whose cut-off passed while the scheduler was down has no figure yet,
    # and its late lock would freeze the change instead. Those locks come first, as the
    # scheduler would have taken them — for the preview too, which would otherwise announce
    # fewer adjustments than the import then records. Only the schools a child leaves or joins:
    # an import that moves nobody takes no lock.
    moving, joined, pairs = _schools_moving(service, rows)
    if moving:
        # The dry run takes them too, and says so (report.late_locks): they are the scheduler's,
        # owed already, and its preview would otherwise miss their adjustments. A school that
        # children join has its days from tomorrow locked even if their cut-off came before
        # it was served (added to the town's file since): the children eat there then. Before
        # them, the days up to today a change of school would leave counted twice or nowhere.
        report.late_locks = _lock_split_days(service, pairs, today, now)
        report.late_locks += service.lock_overdue(moving, today + timedelta(days=1), None, now,
                                                  joined)
    with service.sessions() as session, session.begin():
        families = {
            f.account: f
            for f in session.scalars(
                select(Family).where(Family.account.in_({r.family for r in rows}))
            )
        }
        children = {
            c.ref: c
            for c in session.scalars(select(Child).where(Child.ref.in_({r.child for r in rows})))
        }
        # Checked here, in the import's own transaction, before anything is written: the file
        # was checked against the database before (the preview, the command line), but a
        # confirmed import runs later and on its own (apply_rows).
        moved = _family_errors([Claim(r.line, r.family, r.child) for r in rows],
                               _owners(session, set(children)))
        if moved:
            raise ImportFailed(moved)
        known_accounts = set(families)
        starts = _Starts(service, session, now, actor.channel)
        done_families: set[str] = set()
        weak_codes: dict[str, int] = {}  # account → line, of the weak codes this import sets
        moves: list[_Move] = []
        patterns: list[_Pattern] = []  # the known children's patterns changed or ended
        for done, row in enumerate(rows):
            if progress is not None:
                progress(done, len(rows))
            fam = families.get(row.family)
            if row.family not in done_families:
                done_families.add(row.family)
                if fam is None:
                    fam = Family(account=row.family, created_at=now, failed_pins=0)
                    session.add(fam)
                    families[row.family] = fam
                    report.families_created += 1
                    fam.pin_hash = _pin_hash(row.pin, pepper)
                    change = None
                    if _is_weak(row.pin):
                        weak_codes[row.family] = row.line
                else:
                    change = _family_change(fam, row, pepper)
                    if change.pin_changed or needs_rehash(fam.pin_hash, pepper):
                        fam.pin_hash = _pin_hash(row.pin, pepper)
                    if change.pin_changed and _is_weak(row.pin):
                        weak_codes[row.family] = row.line
                fam.guardian = row.guardian
                fam.language = row.language
                keep = {p.number: p for p in fam.phones if p.number in row.phones}
                fam.phones = [
                    keep.get(n) or FamilyPhone(number=n) for n in dict.fromkeys(row.phones)
                ]
                session.flush()
                if change:
                    report.families_updated += 1
                    report.family_changes.append(change)
                    session.add_all(_family_audit(change, fam.id, now, actor))
                elif change is not None:
                    report.families_unchanged += 1
            assert fam is not None
            child = children.get(row.child)
            start = since or starts(row.school)
            child_change = None
            if child is None:
                child = Child(ref=row.child, family_id=fam.id, enrolled_from=since or today,
                              school_since=now)
                session.add(child)
                report.children_created += 1
                old_mask = 0
            else:
                child_change = ChildChange(row.child, row.line, row.first_name, row.family)
                if child.first_name != row.first_name:
                    child_change.first_name = (child.first_name, row.first_name)
                if child.last_name != row.last_name:
                    child_change.last_name = (child.last_name, row.last_name)
                if child.birth_date != row.birth_date:
                    child_change.birth_date = (child.birth_date, row.birth_date)
                session.add_all(_child_audit(
                    child_change, (fam.id, child.id),
                    (f"{child.first_name} {child.last_name}", f"{row.first_name} {row.last_name}"),
                    now, actor,
                ))
                if (child.school_id, child.diet) != (row.school, row.diet):
                    moves.append(_Move(child, child.school_id, child.diet, row.line, child_change))
                    child_change.moved_on = today + timedelta(days=1)  # see _settle_moves
                    if child.school_id != row.school:
                        child_change.school = (child.school_id, row.school)
                        # Its new school is served from here on if it had nobody yet
                        # (restomairie.booking.locks.school_starts).
                        child.school_since = now
                    if child.diet != row.diet:
                        child_change.diet = (child.diet, row.diet)
                old_mask = next(
                    (
                        s.weekdays
                        for s in child.subscriptions
                        if s.starts_on <= start and (s.ends_on is None or s.ends_on >= start)
                    ),
                    0,
                )
            # (A known child is in this family already: _family_errors refused any other.)
            child.first_name, child.last_name = row.first_name, row.last_name
            child.birth_date, child.school_id, child.diet = row.birth_date, row.school, row.diet
            session.flush()
            if row.weekdays != old_mask:
                if child_change is not None:
                    child_change.weekdays = (weekdays_text(old_mask), weekdays_text(row.weekdays))
                    child_change.pattern_from = start
                replace_pattern(session, child, (old_mask, row.weekdays), start, now, actor,
                           {"line": row.line})
                starts.used(start)
                if child_change is not None:  # a new child has no day booked by hand yet
                    patterns.append(_Pattern(child, fam.account, row.weekdays, start, row.line))
            if child_change:
                report.children_updated += 1
                report.child_changes.append(child_change)
            elif child_change is not None:
                report.children_unchanged += 1
        session.flush()
        # Said before --end-missing ends them: what the file leaves out is then in ``ended``.
        report.warnings = _warnings(session, rows, known_accounts, left_out=not end_missing)
        report.warnings += _weak_pins(weak_codes)
        if end_missing:
            report.ended = _end_missing(session, rows, since, starts, now, actor, patterns)
        report.warnings += _kept_apart(service, session, patterns, starts.closures)
        note = starts.note()
        if note is not None:
            report.warnings.append(note)
        if moves:
            report.adjustments = _settle_moves(service, session, moves, now, actor)
        if dry_run:
            raise _DryRun(report)  # rolls the transaction back
        if before_commit is not None:
            before_commit(session, report)
    return report


# At most this many accounts are named in a warning about families absent from a file.
NAMED_ACCOUNTS = 10


def _warnings(
    session: Session, rows: list[Row], known: set[str], left_out: bool = True
) -> list[str]:
    """What the import does not refuse but staff must see, read once the rows are written (in
    the import's transaction, so the preview says it too): each phone of the file that several
    families now share, the same child (first name, last name, birth date) under two ids, and
    the children and families already known that the file leaves out while their subscriptions
    run on (they stay booked and billed: the import never ends anything by omission; with
    ``left_out`` False, under ``--end-missing``, they are not said here)."""
    out = _shared_phones(session, rows) + _same_children(session, rows)
    return out + (_left_out(session, rows, known) if left_out else [])


def _is_weak(pin: str | SealedPin) -> bool:
    """:func:`weak_pin` of a line's code, in clear or sealed (told when it was sealed)."""
    return pin.weak if isinstance(pin, SealedPin) else weak_pin(pin)


def _weak_pins(weak: dict[str, int]) -> list[str]:
    """The codes this import sets (a new family's, or one it changes: ``weak`` gives their
    accounts and lines) that a guesser tries first (:func:`weak_pin`), said without the code.
    Said, not refused: an import is all or nothing, and the town's file carries the codes the
    families chose on the town's side; a whole town's file must not fail on one of them, nor
    wait while that family is asked for another. Staff ask the family for another code and
    import it (a code left as it was is not said again at each import)."""
    if not weak:
        return []
    named = [f"{account} (ligne {line})" for account, line in list(weak.items())[:NAMED_ACCOUNTS]]
    more = len(weak) - len(named)
    return [
        f"code secret trop facile à deviner (quatre fois le même chiffre, des chiffres qui se "
        f"suivent ou une paire répétée) pour {len(weak)} dossier(s) : {', '.join(named)}"
        + (f" et {more} autre(s)" if more else "")
        + " ; importé tel quel : demandez à la famille d'en choisir un autre et importez-le"
    ]


def _shared_phones(session: Session, rows: list[Row]) -> list[str]:
    """A number of several families is a supported case (a grandparent's phone, two households
    of one parent): the line then asks the account number. So it is said, not refused; but a
    number typed in the wrong family takes the caller-ID recognition away from the other."""
    first: dict[str, Row] = {}
    for row in rows:
        for number in row.phones:
            first.setdefault(number, row)
    owners: dict[str, list[str]] = {}
    for number, account in session.execute(
        select(FamilyPhone.number, Family.account)
        .join(Family, FamilyPhone.family_id == Family.id)
        .where(FamilyPhone.number.in_(first))
        .order_by(Family.account)
    ):
        owners.setdefault(number, []).append(account)
    return [
        f"téléphone {mask_phone(number)} (ligne {first[number].line}, dossier "
        f"{first[number].family}) partagé par les dossiers {', '.join(accounts)} : un appel de "
        "ce numéro n'identifie plus la famille, le numéro de dossier y est demandé ; si ce "
        "n'est pas voulu, corrigez le numéro"
        for number, accounts in sorted(owners.items(), key=lambda o: first[o[0]].line)
        if len(accounts) > 1
    ]


def _same_children(session: Session, rows: list[Row]) -> list[str]:
    """A child of the file with the first name, last name and birth date of a child with
    another id (in the file or the database): most often the same child given a new id, who
    would be counted and billed twice. Homonyms born the same day exist, so it is said, not
    refused. Without a birth date nothing is said (names alone match too often)."""
    births = {r.birth_date for r in rows if r.birth_date is not None}
    if not births:
        return []
    found: dict[tuple[str, str, date], dict[str, str]] = {}
    for ref, first_name, last_name, birth, account in session.execute(
        select(Child.ref, Child.first_name, Child.last_name, Child.birth_date, Family.account)
        .join(Family, Child.family_id == Family.id)
        .where(Child.birth_date.in_(births))
        .order_by(Child.ref)
    ):
        if birth is not None:  # (the query asked for known dates)
            found.setdefault((_key(first_name), _key(last_name), birth), {})[ref] = account
    lines = {r.child: r.line for r in rows}
    out = []
    for (_, _, birth), refs in found.items():
        if len(refs) < 2 or not lines.keys() & refs.keys():
            continue
        said = [
            f"{ref} du dossier {account}" + (f" (ligne {lines[ref]})" if ref in lines else "")
            for ref, account in sorted(refs.items(), key=lambda r: lines.get(r[0], 0))
        ]
        row = next(r for r in rows if r.child in refs)
        out.append(
            f"{row.first_name} {row.last_name}, né(e) le {_birth_text(birth)} : "
            f"{' et '.join(said)} ; le même enfant sous deux identifiants serait compté et "
            "facturé deux fois"
        )
    return out


def _left_out(session: Session, rows: list[Row], known: set[str]) -> list[str]:
    """The children already known with a subscription without an end that the file leaves
    out: those of the file's families one by one, the other families as a count
    (a file of a few families is a partial one, and may be meant as such)."""
    refs = {r.child for r in rows}
    running = (
        select(Child.ref, Child.first_name, Child.last_name, Family.account)
        .join(Family, Child.family_id == Family.id)
        .join(Subscription, Subscription.child_id == Child.id)
        .where(Subscription.weekdays != 0)
        # Open-ended: one given an end (by staff, an empty ``days``, --end-missing) is settled.
        .where(Subscription.ends_on.is_(None))
        .distinct()
        .order_by(Family.account, Child.ref)
    )
    out = []
    others: list[str] = []
    for ref, first_name, last_name, account in session.execute(running):
        if account in known and ref not in refs:
            out.append(
                f"dossier {account} : {first_name} {last_name} ({ref}) absent(e) du fichier, "
                "son abonnement continue (repas comptés et facturés) ; pour l'arrêter, "
                "laissez la colonne days vide sur sa ligne ou changez-le dans sa fiche"
            )
        elif account not in {r.family for r in rows} and account not in others:
            others.append(account)
    if others:
        named = ", ".join(others[:NAMED_ACCOUNTS])
        more = len(others) - NAMED_ACCOUNTS
        out.append(
            f"{len(others)} dossier(s) avec des abonnements en cours absent(s) du fichier, "
            f"inchangé(s) : {named}{f' et {more} autre(s)' if more > 0 else ''}"
        )
    return out


def _end_missing(
    session: Session, rows: list[Row], since: date | None, starts: _Starts, now: datetime,
    actor: Actor, patterns: list[_Pattern],
) -> list[str]:
    """``--end-missing``: the file is the whole list. Every child it leaves out whose
    subscription still runs has it ended from the first day that can still change (as an empty
    ``days`` would: the days before stay booked, and billed); nothing is deleted. What was
    ended, one sentence each; each ended pattern is added to ``patterns``."""
    refs = {r.child for r in rows}
    out = []
    for child in session.scalars(select(Child).order_by(Child.family_id, Child.ref)):
        if child.ref in refs:
            continue
        start = since or starts(child.school_id)
        mask = next((s.weekdays for s in child.subscriptions
                     if s.starts_on <= start and (s.ends_on is None or s.ends_on >= start)), 0)
        later = any(s.starts_on > start for s in child.subscriptions)
        if not mask and not later:
            continue
        replace_pattern(session, child, (mask, 0), start, now, actor, {"missing_from_file": True})
        starts.used(start)
        patterns.append(_Pattern(child, child.family.account, 0, start, None))
        out.append(
            f"dossier {child.family.account} : {child.first_name} {child.last_name} "
            f"({child.ref}), jours {weekdays_text(mask)} → aucun à partir du {format_day(start)}"
        )
    session.flush()
    return out


@dataclass(frozen=True)
class _Pattern:
    """A known child's weekly pattern the import changed (``mask``; 0: ended) from ``start``,
    on the file's ``line`` (None: ended as left out of the file, ``--end-missing``)."""

    child: Child
    account: str
    mask: int
    start: date
    line: int | None


# Children whose days booked by hand are read in one statement, at most (bound parameters).
KEPT_BATCH = 500


def _kept_apart(
    service: BookingService, session: Session, patterns: list[_Pattern],
    closures: tuple[CalendarClosure, ...],
) -> list[str]:
    """The single days booked or cancelled by hand that keep that state although the new
    pattern would not give it (:meth:`BookingService.kept_days`), as the staff's subscription
    form says them: "Reste réservé à part : vendredi 27 novembre (Zoé Petit, E3, dossier
    210002, ligne 4)". Staff decide whether they should stay: a meal booked by hand stays
    booked, and billed, after the subscription it went with has ended."""
    if not patterns:
        return []
    first = min(p.start for p in patterns)
    ids = [p.child.id for p in patterns]
    explicit: dict[int, dict[date, bool]] = {}
    for at in range(0, len(ids), KEPT_BATCH):
        for child_id, day, booked in session.execute(
            select(BookingDay.child_id, BookingDay.day, BookingDay.booked).where(
                BookingDay.child_id.in_(ids[at:at + KEPT_BATCH]), BookingDay.day >= first
            )
        ):
            explicit.setdefault(child_id, {})[day] = booked
    out = []
    for p in patterns:
        days = {d: b for d, b in explicit.get(p.child.id, {}).items() if d >= p.start}
        if not days:
            continue
        who = f"{p.child.first_name} {p.child.last_name}, {p.child.ref}, dossier {p.account}"
        if p.line is not None:
            who += f", ligne {p.line}"
        out += [
            f"{said} ({who})"
            for said in kept_said(service.kept_days(p.child, p.mask, days, closures))
        ]
    return out


def _family_change(fam: Family, row: Row, pepper: str | None) -> FamilyChange:
    """What ``row`` changes in the known family ``fam`` (read before anything is written)."""
    old = [p.number for p in fam.phones]
    return FamilyChange(
        fam.account,
        row.line,
        pin_changed=_pin_changed(row.pin, fam.pin_hash, pepper),
        phones_added=tuple(n for n in row.phones if n not in old),
        phones_removed=tuple(n for n in old if n not in row.phones),
        guardian=(fam.guardian, row.guardian) if fam.guardian != row.guardian else None,
        language=(fam.language, row.language) if fam.language != row.language else None,
    )


def _family_audit(
    change: FamilyChange, family_id: int, now: datetime, actor: Actor
) -> list[AuditEntry]:
    """The audit entries of a family's changes: the code's as a fact (no code, no hash), the
    phones masked as the staff pages show them, the guardian and language before → after."""

    def entry(action: str, label: str, before: str | None = None, after: str | None = None,
              **detail: object) -> AuditEntry:
        return AuditEntry(
            at=now, actor=actor.label, channel=actor.channel, action=action,
            family_id=family_id, before=before, after=after,
            detail={"line": change.line, "label": label, **detail},
        )

    out = []
    if change.pin_changed:
        out.append(entry("pin_changed", f"code secret modifié (import, ligne {change.line})"))
    if change.phones_added or change.phones_removed:
        added = [mask_phone(n) for n in change.phones_added]
        removed = [mask_phone(n) for n in change.phones_removed]
        said = [f"ajouté : {n}" for n in added] + [f"retiré : {n}" for n in removed]
        out.append(entry("phones_changed", f"téléphones : {' ; '.join(said)}",
                         added=added, removed=removed))
    if change.guardian:
        before, after = change.guardian
        out.append(entry("guardian_changed", f"responsable : {before} → {after}",
                         before[:64], after[:64]))
    if change.language:
        before, after = change.language
        out.append(entry("language_changed", f"langue : {before} → {after}", before, after))
    return out


def _child_audit(
    change: ChildChange,
    ids: tuple[int, int],
    names: tuple[str, str],
    now: datetime,
    actor: Actor,
) -> list[AuditEntry]:
    """The audit entries of a change of who a known child is (``ids``: its family's and its
    own): ``child_renamed``, before → after the whole name (``names``, cut to the column's 64
    characters; ``detail`` keeps each part that changed in full), and ``birth_date_changed``
    (ISO dates, None for none). School, diet and pattern are audited where they are done."""
    family_id, child_id = ids

    def entry(action: str, label: str, before: str | None, after: str | None,
              **detail: object) -> AuditEntry:
        return AuditEntry(
            at=now, actor=actor.label, channel=actor.channel, action=action,
            family_id=family_id, child_id=child_id, before=before, after=after,
            detail={"line": change.line, "label": label, **detail},
        )

    said = change.identity()
    out = []
    parts = {
        key: list(value)
        for key, value in (("first_name", change.first_name), ("last_name", change.last_name))
        if value
    }
    if parts:
        out.append(entry("child_renamed", " ; ".join(said[: len(parts)]),
                         names[0][:64], names[1][:64], **parts))
    if change.birth_date:
        before, after = change.birth_date
        out.append(entry("birth_date_changed", said[-1],
                         None if before is None else before.isoformat(),
                         None if after is None else after.isoformat()))
    return out


def _schools_moving(
    service: BookingService, rows: list[Row]
) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """The schools that children already known leave or join with ``rows`` (a change of school
    or diet), those of them that children join (a change of school), and the (old, new) school
    of each change of school, read before the import's transaction: see :func:`_apply`."""
    wanted = {r.child: r for r in rows}
    with service.sessions() as session:
        known = session.execute(
            select(Child.ref, Child.school_id, Child.diet).where(Child.ref.in_(wanted))
        ).all()
    moving = {
        school
        for ref, school_id, diet in known
        if (school_id, diet) != (wanted[ref].school, wanted[ref].diet)
        for school in (school_id, wanted[ref].school)
    }
    pairs = {(school_id, wanted[ref].school) for ref, school_id, _ in known
             if school_id != wanted[ref].school}
    return moving, {new for _, new in pairs}, pairs


def _lock_split_days(
    service: BookingService, pairs: set[tuple[str, str]], today: date, now: datetime
) -> list[tuple[str, date]]:
    """Before children move from one school to another (``pairs``: old, new): lock, late, the
    days up to today that one of the two schools has locked and the other has not although
    its cut-off has passed (the scheduler was down; a staff's forced change took one school's
    overdue lock). Returns the (school, day) it locked.

    The move leaves those days alone (:func:`_settle_moves`: their meals were cooked days ago),
    but a lock taken after it counts the child where she is then: nowhere, when the new
    school's lock was taken without her and the old school's is taken after she left; and
    twice, when the old school's counted her and the new school's is taken after she came.
    Taken first, the missing lock counts her at the school she was at when the deadline passed,
    once. Only the days the scheduler's catch-up would lock (:meth:`LockService.due`: never one
    before a school was served, nor past its look-back); a day locked at neither school stays
    the scheduler's, as the preview and the import have always left it."""
    from restomairie.booking.locks import LockService  # it builds on the booking service

    if not pairs:
        return []  # a change of diet only: the school that counts the child stays the same
    schools = {s for pair in pairs for s in pair}
    locks = LockService(service)
    owed = {(school, day): deadline for school, day, deadline in locks.due(now)
            if day <= today and school in schools}
    if not owed:
        return []
    with service.read_sessions() as session:
        locked = {
            (school, day)
            for school, day in session.execute(
                select(DayLock.school_id, DayLock.day).where(
                    DayLock.school_id.in_(schools), DayLock.day.in_({d for _, d in owed}))
            )
        }
    taken = []
    for (school, day), deadline in sorted(owed.items(), key=lambda x: (x[1], x[0][0])):
        partners = {b if a == school else a for a, b in pairs if school in (a, b)}
        if any((other, day) in locked for other in partners) and locks.lock_day(
            school, day, deadline=deadline, now=now
        ).created:
            taken.append((school, day))
    return taken


@dataclass(frozen=True)
class _Move:
    """A child whose school or diet the import changed (the child already holds the new ones)."""

    child: Child
    school: str  # before the import
    diet: str
    line: int
    change: ChildChange  # its locked days adjusted are added there


def _settle_moves(
    service: BookingService, session: Session, moves: list[_Move], now: datetime, actor: Actor
) -> int:
    """Audit each change of school or diet, and record it beside the locked figures it touches.

    A child has one school and one diet, with no dates, so the change applies to every day at
    once, the days already locked included. Those figures are what the kitchen produces from and
    never change (DOMAIN.md §5); yet from tomorrow on the child eats at the new school, with the
    new diet (a PAI is a medical plan: a meal cooked for that child must not be served). So the
    kitchen is told, as adjustments beside each locked figure from tomorrow on, that the child's
    meal leaves the old school or variant and, when the child is booked that day, comes to the
    new one: the kitchen sees the change with its reason and decides what it can still do, and
    the locked figure plus its adjustments stays what the children booked add up to on those
    days.

    Today is left alone, like the past days. Its meals were cooked three days ago (DOMAIN.md
    §1) and are sent out for today's lunch, so an adjustment can no longer change what is
    cooked or delivered, and from lunch on it would record, beside a meal already eaten where it
    was delivered, that the child ate elsewhere (an import at 13:05 did). The figure stays as
    produced, the child counted at the old school with the old menu. A later forced change of
    such a day adjusts the figure where the child is counted, not at the child's school now
    (BookingService.change). Returns the number of adjustments."""
    first = now.date() + timedelta(days=1)
    schools = sorted({m.school for m in moves} | {m.child.school_id for m in moves})
    # Ordered against the locks like a booking (see guard.py): every day whose lock could be
    # taken while this transaction runs is guarded, so a lock either is seen below or counts
    # the children as this import leaves them. Cut-offs grow with the meal day, so the walk ends
    # at the first day whose cut-off is well ahead.
    keys = [
        (school, day)
        for school in schools
        for day, _ in service.days_to_cutoff(school, first, now + GUARD_AHEAD)
    ]
    guard(session, keys, exclusive=False)
    locks = list(session.scalars(
        select(DayLock)
        .where(DayLock.school_id.in_(schools), DayLock.day >= first)
        .order_by(DayLock.day, DayLock.school_id)
    ))
    closures = service.closures(session)
    added = 0
    for move in moves:
        child = move.child
        why = []
        if move.school != child.school_id:
            why.append(f"école {move.school} → {child.school_id}")
        if move.diet != child.diet:
            why.append(f"régime {move.diet} → {child.diet}")
        reason = f"import ligne {move.line} : {child.first_name}, " + ", ".join(why)
        days = []
        for lock in locks:
            if lock.school_id not in (move.school, child.school_id):
                continue
            target = None
            if lock.school_id == child.school_id and service.day_status(
                lock.day, lock.school_id, "phone", closures
            ).operating:  # a closed day counts nobody
                booked = session.execute(
                    queries.booked_children(lock.day, [lock.school_id]).where(Child.id == child.id)
                ).first()
                target = child.diet if booked is not None else None
            n = settle(
                session, lock, {child.id: target}, kind=IMPORT, reason=reason, actor=actor.label,
                at=now,
            )
            if n:
                added += n
                days.append(lock.day.isoformat())
                if lock.day not in move.change.adjusted_days:
                    move.change.adjusted_days.append(lock.day)
        changes = [("school_changed", move.school, child.school_id),
                   ("diet_changed", move.diet, child.diet)]
        for action, before, after in changes:
            if before != after:
                session.add(AuditEntry(
                    at=now, actor=actor.label, channel=actor.channel, action=action,
                    family_id=child.family_id, child_id=child.id, day=None,
                    before=before, after=after,
                    detail={"line": move.line, "adjusted_days": sorted(set(days))},
                ))
    return added


class _Starts:
    """The day a changed weekly pattern takes effect from, per school, for one import: the
    first day that can still change (:meth:`BookingService.first_changeable`, the rule the
    staff's subscription form checks a start with). Never tomorrow by default: in July and
    August no day of the calendar can change (2 September's deadline is in early July, and
    its counts are locked for the kitchen), and a pattern changed from tomorrow rewrote it.
    The starts past the calendar's last day are kept, for the report (:meth:`note`)."""

    def __init__(self, service: BookingService, session: Session, now: datetime,
                 channel: str) -> None:
        self.service, self.now, self.channel = service, now, channel
        self.closures = service.closures(session)
        self.found: dict[str, date] = {}
        self.beyond: set[date] = set()

    def __call__(self, school_id: str) -> date:
        start = self.found.get(school_id)
        if start is None:
            start = self.found[school_id] = self.service.first_changeable(
                school_id, self.now, self.channel, self.closures
            )
        return start

    def used(self, start: date) -> None:
        """A pattern was changed from ``start``."""
        if start > self.service.calendar.last_covered:
            self.beyond.add(start)

    def note(self) -> str | None:
        """What staff must know when patterns changed only after the calendar's end, in
        French; None when none did."""
        if not self.beyond:
            return None
        days = " ou ".join(format_day(d) for d in sorted(self.beyond))
        return (
            "aucun jour du calendrier scolaire utilisé, qui s'arrête le "
            f"{format_day(self.service.calendar.last_covered)}, ne peut plus changer (dates "
            "limites passées, effectifs transmis à la cuisine) : les abonnements créés, "
            f"changés ou arrêtés par cet import prennent effet à partir du {days}"
            f"{' selon les écoles' if len(self.beyond) > 1 else ''}, après la fin du "
            "calendrier ; mettez-le à jour (restomairie calendar-file, voir le README)"
        )


def import_csv(
    service: BookingService,
    data: bytes | str,
    actor: Actor,
    since: date | None = None,
    dry_run: bool = False,
    end_missing: bool = False,
) -> ImportReport:
    """Check then apply a whole CSV file (see the module docstring and :func:`apply_rows`);
    with ``dry_run``, say what it would do and write nothing."""
    checked = check_file(
        data, school_days(service.settings), service.settings.menu_variants,
        known=lambda rows: database_errors(service, rows), today=service.clock.today(),
    )
    report = apply_rows(service, checked.rows, actor, since=since, dry_run=dry_run,
                        end_missing=end_missing)
    report.encoding = checked.encoding
    return report
