"""Deployment configuration: one town per deployment.

Loaded once into typed, frozen objects from a TOML file (``--config`` or ``RESTOMAIRIE_CONFIG``;
default: the shipped Dijon preset) plus environment variables for what is deployment-specific
(``DATABASE_URL``) and for secrets, which never live in the file. A wrong file stops the start with
a :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from restomairie.calendar.deadlines import (
    CalendarDaysRule,
    DeadlineRule,
    OperatingDaysRule,
    WorkingHoursRule,
)
from restomairie.calendar.schoolholidays import PARIS
from restomairie.i18n import DEFAULT_LANGUAGE, LANGUAGES

WEEKDAY_KEYS = {"lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6}
# What a weekday may be written as in the file: its key or its full French name, in any case
# ("lun", "Lundi", "VENDREDI"); nothing else ("vendredy", "lun mar" are refused, not guessed).
WEEKDAY_NAMES = WEEKDAY_KEYS | {
    name: i
    for i, name in enumerate(
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    )
}
MENU_VARIANTS = ("standard", "sans_porc", "vegetarien", "pai")
CHANNELS = ("phone", "web", "staff", "import", "system")
PRESETS_DIR = Path(__file__).resolve().parents[2] / "config"
DEFAULT_PRESET = "dijon"
# The only time zone of a town: the school calendar's zones A, B and C are Paris days (see
# parse_settings).
TOWN_TIMEZONE = PARIS.key


class ConfigError(Exception):
    """The configuration is wrong; the message names the key and what is expected."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"configuration : « {key} » {message}")
        self.key = key
        self.message = message
        # The sentence without its "configuration :" prefix, for a caller that says it is a
        # configuration error already (the command line's "Erreur de configuration : …").
        self.detail = f"« {key} » {message}"


@dataclass(frozen=True)
class School:
    """A school canteen (also the kitchen's delivery site)."""

    id: str
    name: str
    kitchen: str
    canteen_weekdays: frozenset[int] | None = None  # None: the town's own canteen weekdays


@dataclass(frozen=True)
class Kitchen:
    id: str
    name: str


@dataclass(frozen=True)
class PhoneLine:
    """Opening hours and behaviour of the phone line."""

    number: str
    opens: time
    closes: time
    summer_closed_until: (
        tuple[int, int] | None
    )  # (month, day): closed in summer holidays until then
    web_alternative: Mapping[str, str]  # by language ("fr", "en"), or "" for every language
    voice: str
    language: str
    max_attempts: int
    lockout_after: int
    lockout_minutes: int
    sms_receipts: bool
    # Wrong codes from one caller number, over all accounts, before that number is refused for
    # caller_lockout_minutes (an account typed, not recognised by caller ID): no spraying
    # codes over the town's accounts, nor locking every family, from one phone.
    caller_lockout_after: int
    caller_lockout_minutes: int
    # Who answers people, said to a caller asking for someone: by language, like web_alternative.
    help_desk: Mapping[str, str] = field(default_factory=dict)

    def web(self, lang: str) -> str:
        """The web alternative, to be said in ``lang`` ("" when there is none)."""
        return _in_language(self.web_alternative, lang)

    def desk(self, lang: str) -> str:
        """The help desk (who answers and its number), to be said in ``lang`` ("" if none)."""
        return _in_language(self.help_desk, lang)


def _in_language(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("") or texts.get(DEFAULT_LANGUAGE, "")


class UnknownSchool(KeyError):
    """A school id the town's configuration does not list: asked for by mistake, or the school
    of a child in the database that was taken out of the configuration."""

    def __init__(self, school_id: str) -> None:
        super().__init__(school_id)
        self.school_id = school_id

    def __str__(self) -> str:
        return (
            f"l'école « {self.school_id} » n'est pas dans la configuration de la ville "
            "([[schools]]) : ajoutez-la, ou changez l'école des enfants qui y sont inscrits"
        )


@dataclass(frozen=True)
class Settings:
    """Everything a deployment needs, validated."""

    source: str
    town: str
    tz: ZoneInfo
    zone: str
    alsace_moselle: bool
    canteen_weekdays: frozenset[int]
    deadline: DeadlineRule
    deadline_by_channel: Mapping[str, DeadlineRule]
    phone: PhoneLine
    menu_variants: tuple[str, ...]
    kitchens: tuple[Kitchen, ...]
    schools: tuple[School, ...]
    call_log_retention_days: int
    database_url: str
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    # The lunch service is over by then (town time): from this time on, today's meals have been
    # served, and a change for today is billing only, like a change for a day gone by — never a
    # kitchen adjustment (restomairie.booking.adjustments.served).
    lunch_ends: time = time(14, 0)
    # Reverse proxies in front of the web application (RESTOMAIRIE_TRUSTED_PROXIES): how many
    # X-Forwarded-For entries to trust for the client's address (0: the connection's own).
    trusted_proxies: int = 0
    # How many requests the web application serves at once (RESTOMAIRIE_THREADS: the WSGI
    # server's threads; ``serve --threads`` overrides it); None: not said, 8. Each database pool
    # of the web process keeps that many connections (restomairie.db.make_engine).
    threads: int | None = None
    # The school-calendar file used instead of the shipped one (RESTOMAIRIE_CALENDAR_FILE, or
    # calendar.file in the TOML file); None: the shipped one. Checked when the runtime is built,
    # against today (restomairie.runtime.calendar_file_in_use).
    calendar_file: Path | None = None
    calendar_file_key: str = "calendar.file"  # the setting it came from, for error messages
    database_url_key: str = "DATABASE_URL"  # likewise: DATABASE_URL, or database.url in the file
    # A staff session ends after this many minutes without a request (staff.idle_minutes).
    staff_idle_minutes: int = 30

    def school(self, school_id: str) -> School:
        """The school with that id (:class:`UnknownSchool`, a KeyError, if unknown)."""
        for s in self.schools:
            if s.id == school_id:
                return s
        raise UnknownSchool(school_id)

    def weekdays_of(self, school: School | None) -> frozenset[int]:
        """The canteen weekdays of a school (or of the town when ``school`` is None)."""
        if school is not None and school.canteen_weekdays is not None:
            return school.canteen_weekdays
        return self.canteen_weekdays

    def rule_for(self, channel: str) -> DeadlineRule:
        """The deadline rule that applies to a change made through ``channel``: its own
        (``[deadline.by_channel.<channel>]``), else the town's. An import is the town hall's
        (staff import the families' file): without a rule of its own it follows the staff's,
        Villepreux's "8 jours via la mairie", as the staff's subscription form does."""
        found = self.deadline_by_channel.get(channel)
        if found is None and channel == "import":
            found = self.deadline_by_channel.get("staff")
        return found if found is not None else self.deadline

    def secret(self, name: str) -> str | None:
        return self.secrets.get(name)


SECRET_VARS = (
    "TWILIO_AUTH_TOKEN",
    "TWILIO_ACCOUNT_SID",
    "RESTOMAIRIE_KITCHEN_TOKEN",
    "RESTOMAIRIE_SECRET_KEY",
    "RESTOMAIRIE_PUBLIC_URL",
    "RESTOMAIRIE_PIN_PEPPER",
    "RESTOMAIRIE_SMS_FROM",
)


def presets() -> list[str]:
    """The names of the shipped presets (``config/*.toml``), sorted."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))


def resolve_config_path(
    path: str | os.PathLike[str] | None, environ: Mapping[str, str], key: str = "--config"
) -> Path:
    """``path``, else ``RESTOMAIRIE_CONFIG``, else the Dijon preset; a bare name is a preset.

    ``key`` is how the caller names where ``path`` came from (the command line's ``--config``);
    a path taken from the environment is named ``RESTOMAIRIE_CONFIG``.
    """
    if not path:
        key = "RESTOMAIRIE_CONFIG"
    raw = str(path) if path else environ.get("RESTOMAIRIE_CONFIG") or DEFAULT_PRESET
    candidate = Path(raw)
    if candidate.suffix != ".toml" and not candidate.exists():
        if "/" in raw or os.sep in raw:
            raise ConfigError(key, f": fichier introuvable ({candidate})")
        # A bare name is a preset: say which there are rather than a path the operator never
        # typed (config/paris.toml).
        candidate = PRESETS_DIR / f"{raw}.toml"
        if not candidate.is_file():
            raise ConfigError(
                key,
                f": ni un fichier ni un préréglage connu : « {raw} » (préréglages : "
                f"{', '.join(presets())} ; sinon, le chemin d'un fichier .toml)",
            )
    if not candidate.is_file():
        raise ConfigError(key, f": fichier introuvable ({candidate})")
    return candidate


def load_config(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    key: str = "--config",
) -> Settings:
    """Load and validate a deployment configuration (see the module docstring); ``key`` names
    where ``path`` came from in an error (see :func:`resolve_config_path`)."""
    env = os.environ if environ is None else environ
    file = resolve_config_path(path, env, key)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(file), f"n'est pas un TOML valide : {exc}") from exc
    return parse_settings(data, source=str(file), environ=env)


def _get(
    data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any = ...
) -> Any:
    node: Any = data
    parts = key.split(".")
    for i, part in enumerate(parts):
        if not isinstance(node, Mapping) or part not in node:
            if default is not ...:
                return default
            raise ConfigError(key, "est obligatoire")
        node = node[part]
        if i < len(parts) - 1 and not isinstance(node, Mapping):
            raise ConfigError(".".join(parts[: i + 1]), "doit être une table")
    if isinstance(node, bool) and kind in (int, (int,)):
        raise ConfigError(key, "doit être un nombre entier")
    if not isinstance(node, kind):
        raise ConfigError(key, f"a un type inattendu ({type(node).__name__})")
    return node


def _by_language(data: Mapping[str, Any], key: str) -> Mapping[str, str]:
    # One text for every language, or a table by language: the phone line says it inside a
    # sentence of the caller's language ("You can also book or cancel a meal on …").
    raw = _get(data, key, (str, Mapping), "")
    if isinstance(raw, str):
        return {"": raw}
    texts: dict[str, str] = {}
    for lang, text in raw.items():
        if lang not in LANGUAGES:
            raise ConfigError(f"{key}.{lang}", f"langue inconnue ({', '.join(LANGUAGES)})")
        if not isinstance(text, str):
            raise ConfigError(f"{key}.{lang}", "doit être un texte")
        texts[lang] = text
    if texts and DEFAULT_LANGUAGE not in texts:
        raise ConfigError(key, f"le texte en {DEFAULT_LANGUAGE!r} est obligatoire")
    return texts


def _time(data: Mapping[str, Any], key: str, default: str | None = None) -> time:
    raw = _get(data, key, str, default)
    try:
        hh, mm = raw.split(":")
        if hh == "24" and mm == "00":
            raise ValueError
        return time(int(hh), int(mm))
    except ValueError as exc:
        raise ConfigError(key, f"doit être une heure HH:MM, pas {raw!r}") from exc


def _weekdays(data: Mapping[str, Any], key: str, default: Any = ...) -> frozenset[int] | None:
    raw = _get(data, key, list, default)
    if raw is None:
        return None
    days = set()
    for item in raw:
        if not isinstance(item, str) or item.lower() not in WEEKDAY_NAMES:
            raise ConfigError(
                key,
                f"contient un jour inconnu {item!r} (un jour par élément : lun, mar, mer, jeu, "
                "ven… ou lundi, mardi…)",
            )
        days.add(WEEKDAY_NAMES[item.lower()])
    if not days:
        raise ConfigError(key, "ne peut pas être vide")
    return frozenset(days)


def _positive(data: Mapping[str, Any], key: str, default: Any = ...) -> int:
    value = _get(data, key, int, default)
    if value < 0:
        raise ConfigError(key, "doit être positif")
    return int(value)


def _days(data: Mapping[str, Any], key: str, low: int, high: int, default: Any = ...,
          unit: str = "jours") -> int:
    """A number of days (or of another ``unit``) between ``low`` and ``high``: anything else (a
    text, a decimal, out of range) is refused in a sentence saying what is expected, rather
    than in type names."""
    value = _get(data, key, object, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(key, f"doit être un nombre entier de {unit} entre {low} et {high}, "
                               f"pas {value!r}")
    return value


# How long the call log is kept (retention.call_log_days). At least a day: the purge deletes the
# calls started before the cut-off, and 0 would empty the staff's call log each night while
# saying "0 jours de conservation". At most ten years: beyond, a typo (100000 days reached back
# to 1754) would keep numbers and steps forever, which the retention exists to prevent.
CALL_LOG_DAYS = (1, 3650)
# How long a staff session may go without a request (staff.idle_minutes). At least 5 minutes: a
# clerk on the phone with a family must not be logged out between two pages. At most 600, the
# session's own end 10 hours after its login (restomairie.staff.accounts.MAX_SESSION): beyond,
# the setting would promise what never happens.
STAFF_IDLE_MINUTES = (5, 600)


# The keys of each kind of deadline rule, beside ``kind``: a key of another kind (``hours`` in an
# operating_days rule) would be ignored, so it is refused like a misspelt one.
RULE_KEYS = {
    "operating_days": ("days", "at"),
    "working_hours": ("hours", "reference"),
    "calendar_days": ("days", "at"),
}
# In a stable order (the hint of an unknown key lists them): kind, then each kind's own.
_ANY_RULE_KEY = tuple(dict.fromkeys(("kind", *(k for keys in RULE_KEYS.values() for k in keys))))

# Every key the file may hold: a table is a dict of its keys, a key whose value is free (a text, a
# number, or a table checked where it is read, like phone.web_alternative) is None, an array of
# tables is a one-item list of its table, and "*" stands for any name (deadline.by_channel's
# channels, checked where they are read). A key that is not here is refused: a misspelt key
# (alsace_mosele) would otherwise be ignored and its default used, silently.
_RULE_TABLE: dict[str, Any] = dict.fromkeys(_ANY_RULE_KEY)
SCHEMA: dict[str, Any] = {
    "town": dict.fromkeys(
        ("name", "timezone", "zone", "alsace_moselle", "canteen_weekdays", "lunch_ends")
    ),
    "deadline": {**_RULE_TABLE, "by_channel": {"*": _RULE_TABLE}},
    "phone": dict.fromkeys(
        (
            "number", "opens", "closes", "summer_closed_until", "web_alternative", "help_desk",
            "voice", "language", "max_attempts", "lockout_after", "lockout_minutes",
            "sms_receipts", "caller_lockout_after", "caller_lockout_minutes",
        )
    ),
    "menu": {"variants": None},
    "retention": {"call_log_days": None},
    "staff": {"idle_minutes": None},
    "database": {"url": None},
    "calendar": {"file": None},
    "kitchens": [dict.fromkeys(("id", "name"))],
    "schools": [dict.fromkeys(("id", "name", "kitchen", "canteen_weekdays"))],
}


def check_known_keys(data: Mapping[str, Any], schema: Mapping[str, Any] = SCHEMA) -> None:
    """Refuse a key or table the configuration does not know, naming it (and the closest known
    key, when one is close: ``« town.alsace_mosele » est une clé inconnue (vouliez-vous dire
    « town.alsace_moselle » ?)``)."""
    _check_table(data, schema, "")


def _check_table(data: Mapping[str, Any], schema: Mapping[str, Any], prefix: str) -> None:
    for name, value in data.items():
        key = f"{prefix}{name}"
        if name in schema:
            expected = schema[name]
        elif "*" in schema:
            expected = schema["*"]
        else:
            kind = "table" if isinstance(value, Mapping) else "clé"
            close = difflib.get_close_matches(name, list(schema), n=1, cutoff=0.6)
            hint = f" (vouliez-vous dire « {prefix}{close[0]} » ?)" if close else (
                f" (clés connues ici : {', '.join(schema)})"
            )
            raise ConfigError(key, f"est une {kind} inconnue{hint}")
        if isinstance(expected, Mapping) and isinstance(value, Mapping):
            _check_table(value, expected, f"{key}.")
        elif isinstance(expected, list) and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    _check_table(item, expected[0], f"{key}[{i}].")
        # A value of the wrong shape (a text where a table is expected) is left to the reading
        # of the key, which says what it must be.


def parse_rule(data: Mapping[str, Any], prefix: str) -> DeadlineRule:
    """Build a deadline rule from its table (``kind`` and the kind's own keys)."""
    kind = _get(data, f"{prefix}.kind", str)
    if kind in RULE_KEYS:
        table = _get(data, prefix, Mapping)
        for name in table:
            if name not in (*RULE_KEYS[kind], "kind", "by_channel"):
                raise ConfigError(
                    f"{prefix}.{name}",
                    f"ne s'applique pas à une règle {kind!r} (clés : kind, "
                    f"{', '.join(RULE_KEYS[kind])})",
                )
    if kind == "operating_days":
        return OperatingDaysRule(
            days=_positive(data, f"{prefix}.days"), at=_time(data, f"{prefix}.at")
        )
    if kind == "working_hours":
        return WorkingHoursRule(
            hours=_positive(data, f"{prefix}.hours"),
            reference=_time(data, f"{prefix}.reference", "00:00"),
        )
    if kind == "calendar_days":
        return CalendarDaysRule(
            days=_positive(data, f"{prefix}.days"), at=_time(data, f"{prefix}.at")
        )
    raise ConfigError(
        f"{prefix}.kind", f"inconnu {kind!r} (operating_days, working_hours ou calendar_days)"
    )


def parse_settings(
    data: Mapping[str, Any], source: str = "<dict>", environ: Mapping[str, str] | None = None
) -> Settings:
    """Validate a parsed TOML document; raise :class:`ConfigError` naming the first wrong key."""
    env = os.environ if environ is None else environ
    check_known_keys(data)
    tz_name = _get(data, "town.timezone", str, TOWN_TIMEZONE)
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("town.timezone", f"fuseau inconnu {tz_name!r}") from exc
    if tz_name != TOWN_TIMEZONE:
        # The school calendar shipped (and any file "calendar-file convert" writes) holds zones
        # A, B and C only, whose days are Paris days: a town elsewhere would get its cut-off at
        # 13:00 of another clock (UTC: 14:00 in Paris) against holidays that are not its own.
        # Overseas departments have their own calendars, which the data does not cover.
        raise ConfigError(
            "town.timezone",
            f"doit être « {TOWN_TIMEZONE} », pas « {tz_name} » : le calendrier scolaire utilisé "
            "(zones A, B et C de métropole) est à l'heure de Paris ; les départements "
            "d'outre-mer (Indian/Reunion, America/Guadeloupe, America/Martinique, "
            "America/Cayenne, Indian/Mayotte…) ont leur propre calendrier scolaire, qu'il ne "
            "couvre pas",
        )
    zone = _get(data, "town.zone", str)
    if zone not in ("A", "B", "C"):
        raise ConfigError("town.zone", "doit être A, B ou C")
    canteen = _weekdays(data, "town.canteen_weekdays")
    assert canteen is not None

    by_channel: dict[str, DeadlineRule] = {}
    for channel in _get(data, "deadline.by_channel", Mapping, {}):
        if channel not in CHANNELS:
            raise ConfigError(
                f"deadline.by_channel.{channel}", f"canal inconnu ({', '.join(CHANNELS)})"
            )
        by_channel[channel] = parse_rule(data, f"deadline.by_channel.{channel}")

    summer = _get(data, "phone.summer_closed_until", str, "")
    summer_until: tuple[int, int] | None = None
    if summer:
        try:
            month, day = (int(x) for x in summer.split("-"))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                raise ValueError
            summer_until = (month, day)
        except ValueError as exc:
            raise ConfigError("phone.summer_closed_until", "doit être MM-JJ (ex. 08-15)") from exc
    phone = PhoneLine(
        number=_get(data, "phone.number", str, ""),
        opens=_time(data, "phone.opens"),
        closes=_time(data, "phone.closes"),
        summer_closed_until=summer_until,
        web_alternative=_by_language(data, "phone.web_alternative"),
        help_desk=_by_language(data, "phone.help_desk"),
        voice=_get(data, "phone.voice", str, "Polly.Lea-Neural"),
        language=_get(data, "phone.language", str, "fr-FR"),
        max_attempts=_positive(data, "phone.max_attempts", 3) or 1,
        lockout_after=_positive(data, "phone.lockout_after", 5) or 1,
        lockout_minutes=_positive(data, "phone.lockout_minutes", 15),
        sms_receipts=_get(data, "phone.sms_receipts", bool, False),
        caller_lockout_after=_positive(data, "phone.caller_lockout_after", 10) or 1,
        caller_lockout_minutes=_positive(data, "phone.caller_lockout_minutes", 60),
    )
    if phone.opens >= phone.closes:
        raise ConfigError("phone.closes", "doit être après phone.opens")

    variants = tuple(_get(data, "menu.variants", list, list(MENU_VARIANTS)))
    for v in variants:
        if v not in MENU_VARIANTS:
            raise ConfigError(
                "menu.variants", f"variante inconnue {v!r} ({', '.join(MENU_VARIANTS)})"
            )

    kitchens = []
    for i, raw in enumerate(_get(data, "kitchens", list)):
        key = f"kitchens[{i}]"
        if not isinstance(raw, Mapping):
            _fail(key, "doit être une table")
        kitchens.append(Kitchen(id=_get(raw, "id", str), name=_get(raw, "name", str)))
    kitchen_ids = {k.id for k in kitchens}
    schools = []
    seen: set[str] = set()
    for i, raw in enumerate(_get(data, "schools", list)):
        key = f"schools[{i}]"
        if not isinstance(raw, Mapping):
            _fail(key, "doit être une table")
        try:
            sid = _get(raw, "id", str)
            school = School(
                id=sid,
                name=_get(raw, "name", str),
                kitchen=_get(raw, "kitchen", str),
                canteen_weekdays=_weekdays(raw, "canteen_weekdays", None),
            )
        except ConfigError as exc:
            raise ConfigError(f"{key}.{exc.key}", exc.message) from exc
        if sid in seen:
            raise ConfigError(f"{key}.id", f"en double ({sid!r})")
        if school.kitchen not in kitchen_ids:
            raise ConfigError(f"{key}.kitchen", f"cuisine inconnue {school.kitchen!r}")
        seen.add(sid)
        schools.append(school)
    if not schools:
        raise ConfigError("schools", "doit contenir au moins une école")
    _check_public_url(env)

    return Settings(
        source=source,
        town=_get(data, "town.name", str),
        tz=tz,
        zone=zone,
        alsace_moselle=_get(data, "town.alsace_moselle", bool, False),
        canteen_weekdays=canteen,
        deadline=parse_rule(data, "deadline"),
        deadline_by_channel=by_channel,
        phone=phone,
        menu_variants=variants,
        kitchens=tuple(kitchens),
        schools=tuple(schools),
        call_log_retention_days=_days(data, "retention.call_log_days", *CALL_LOG_DAYS, 365),
        staff_idle_minutes=_days(data, "staff.idle_minutes", *STAFF_IDLE_MINUTES, 30,
                                 unit="minutes"),
        database_url=env.get("DATABASE_URL")
        or _get(data, "database.url", str, "sqlite:///restomairie.db"),
        database_url_key=(
            "database.url" if not env.get("DATABASE_URL") and "url" in data.get("database", {})
            else "DATABASE_URL"
        ),
        secrets={k: env[k] for k in SECRET_VARS if env.get(k)},
        lunch_ends=_time(data, "town.lunch_ends", "14:00"),
        trusted_proxies=_trusted_proxies(env),
        threads=_threads(env),
        **_calendar_file(data, source, env),
    )


def _calendar_file(data: Mapping[str, Any], source: str, env: Mapping[str, str]) -> dict[str, Any]:
    """The school-calendar file: ``RESTOMAIRIE_CALENDAR_FILE``, else ``calendar.file``.

    A relative path in the TOML file is read from the TOML file's folder, so a town keeps its
    calendar beside its configuration; in the environment, from the working directory.
    """
    key = "RESTOMAIRIE_CALENDAR_FILE"
    raw = env.get(key, "").strip()
    base = Path.cwd()
    if not raw:
        key = "calendar.file"
        raw = _get(data, key, str, "").strip()
        if Path(source).is_file():
            base = Path(source).resolve().parent
    if not raw:
        return {}
    path = base / Path(raw).expanduser()
    if not path.is_file():
        raise ConfigError(key, f": fichier de calendrier scolaire introuvable ({path})")
    return {"calendar_file": path, "calendar_file_key": key}


def _trusted_proxies(env: Mapping[str, str]) -> int:
    raw = env.get("RESTOMAIRIE_TRUSTED_PROXIES", "").strip() or "0"
    if not raw.isdigit() or int(raw) > 10:
        raise ConfigError(
            "RESTOMAIRIE_TRUSTED_PROXIES",
            "doit être le nombre de proxys devant le service (0 à 10)",
        )
    return int(raw)


# The most requests served at once RESTOMAIRIE_THREADS and ``serve --threads`` accept: each
# costs a connection per pool, and PostgreSQL's max_connections is 100 by default.
MAX_THREADS = 64


def _threads(env: Mapping[str, str]) -> int | None:
    raw = env.get("RESTOMAIRIE_THREADS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_THREADS:
        raise ConfigError(
            "RESTOMAIRIE_THREADS",
            f"doit être le nombre de requêtes servies à la fois (1 à {MAX_THREADS})",
        )
    return int(raw)


PUBLIC_URL_KEY = "RESTOMAIRIE_PUBLIC_URL"


def public_url_problem(raw: str) -> tuple[str, str | None] | None:
    """What is wrong with ``raw`` as ``RESTOMAIRIE_PUBLIC_URL`` (French), and the address to write
    instead when it can be guessed; None when it is right: ``http(s)://`` and the site's name
    (a port may follow), a trailing ``/`` at most. Twilio signs the URL it calls, and the line
    rebuilds it as this base plus the webhook's path (``/ivr/voice``, ``/ivr/step?n=…``): a base
    without its scheme, or with a path, query or fragment of its own, never matches, and every
    webhook is refused (403) without a word."""
    if not raw or any(ch.isspace() for ch in raw):
        return "contient un espace ou un saut de ligne", raw.strip() or None
    if "://" not in raw:
        host = raw.split("/")[0].split("?")[0].split("#")[0]
        return "n'a pas de schéma", f"https://{host}" if host else None
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https"):
        return f"a le schéma « {parts.scheme}:// » au lieu de https://", None
    if not parts.hostname:
        return "n'a pas de nom de site", None
    site = f"{parts.scheme}://{parts.netloc}"
    if parts.path not in ("", "/"):
        return (
            f"contient un chemin (« {parts.path} »), alors que la ligne y ajoute elle-même le "
            "sien (/ivr/voice, /ivr/step…)",
            site,
        )
    if parts.query or parts.fragment or raw.endswith(("?", "#")):
        return "contient « ? » ou « # »", site
    return None


def _check_public_url(env: Mapping[str, str]) -> None:
    """Refuse a wrong ``RESTOMAIRIE_PUBLIC_URL`` (see :func:`public_url_problem`); the settings
    keep it with the secrets. Unset is fine: local development and the demo have no public
    address (``serve`` warns when a Twilio token is set without it)."""
    raw = env.get(PUBLIC_URL_KEY)
    if not raw:
        return
    found = public_url_problem(raw)
    if found is None:
        return
    problem, instead = found
    advice = f" Écrivez {instead}." if instead else ""
    raise ConfigError(
        PUBLIC_URL_KEY,
        f"doit être l'adresse publique du site seule, comme https://resto.example.fr, mais "
        f"« {raw} » {problem} : la signature de Twilio, faite sur l'adresse qu'il appelle, ne "
        f"correspondrait jamais et chaque appel serait refusé (403).{advice}",
    )


def _fail(key: str, message: str) -> Any:
    raise ConfigError(key, message)
