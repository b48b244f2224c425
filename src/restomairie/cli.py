"""The ``restomairie`` command line, for town staff and operators.

Each command parses its arguments, calls the services and prints the answer in French; the work is
done by plain functions that tests call directly. Exit codes: 0 done, 1 refused or failed (the
message says why), 2 wrong usage, 3 wrong configuration (a database that cannot be reached
included).
"""

from __future__ import annotations

import errno
import getpass
import json
import logging
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from restomairie.booking.errors import BookingError, OutsideCalendar
from restomairie.booking.importer import (
    ImportFailed,
    import_csv,
    late_locks_sentence,
    line_text,
)
from restomairie.booking.services import (
    Actor,
    ChildDay,
    enrolled_on,
    outcome_text,
    served_text,
)
from restomairie.calendar.calendarfile import (
    CalendarFile,
    CalendarFileError,
    check_coverage,
    convert_export,
    shipped_calendar_file,
    write_calendar,
)
from restomairie.calendar.days import CLOSURE_PREFIX, DayStatus, closed_reason
from restomairie.calendar.schoolholidays import (
    DATA_FILE_NAME,
    PARIS,
    CalendarCoverageError,
    format_french_date,
    holiday_label,
)
from restomairie.clock import Clock, ClockError
from restomairie.config import (
    MAX_THREADS,
    PUBLIC_URL_KEY,
    ConfigError,
    Settings,
    UnknownSchool,
    load_config,
)
from restomairie.db import (
    DEFAULT_CONCURRENCY,
    POOL_OVERFLOW,
    POOLS,
    UNINITIALISED,
    UNREACHABLE,
    database_problem,
)
from restomairie.i18n import format_day, format_deadline, format_hour
from restomairie.runtime import Runtime, calendar_file_in_use
from restomairie.staff.services import STATE_LABELS
from restomairie.textfold import fold

CALENDAR_WARNING_DAYS = 120  # "show" warns when the calendar in use ends within this many days
MAX_DAYS = 400  # the most days ``calendar`` and ``bookings`` list at once

P = ParamSpec("P")
R = TypeVar("R")

def parse_day(text: str) -> date:
    """``2026-12-07`` or ``07/12/2026``."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"date invalide {text!r} (AAAA-MM-JJ ou JJ/MM/AAAA)")


class DayType(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_day(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


DAY = DayType()


# The long-running processes' log lines (serve, scheduler): the time first, so that the town's
# IT can match a line to a parent's complaint ("j'ai appelé vers 8 h 10").
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging() -> None:
    """Log to standard error with the time of each line (:data:`LOG_FORMAT`), from INFO up: the
    one set-up of ``serve`` and ``scheduler``. Done before anything logs (the application's
    start-up warnings), and before waitress, whose own ``basicConfig`` then finds it done."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=LOG_FORMAT)
    # Alembic's INFO lines (each plugin it sets up, its migration context), logged when
    # ``serve`` checks that the database is migrated, say nothing to the town's IT.
    logging.getLogger("alembic").setLevel(logging.WARNING)


# A command does one thing at a time: each database pool keeps one connection (its overflow,
# restomairie.db.POOL_OVERFLOW, covers the demo's lock workers), whatever the web server's
# RESTOMAIRIE_THREADS says in a shared environment.
COMMAND_CONCURRENCY = 1


def runtime(ctx: click.Context, concurrency: int | None = COMMAND_CONCURRENCY) -> Runtime:
    """The command's runtime, built on first use, its database pools sized for ``concurrency``
    requests or jobs at once (None: the deployment's web server's, see :meth:`Runtime.build`)."""
    obj = ctx.ensure_object(dict)
    if "runtime" not in obj:
        obj["runtime"] = Runtime.build(obj.get("config"), concurrency=concurrency)
    rt: Runtime = obj["runtime"]
    return rt


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn domain, configuration and database errors into a French message and an exit code
    (see :func:`explained_errors`)."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with explained_errors():
            return fn(*args, **kwargs)

    return wrapper


# Commands that create the database: "lancez init-db" is no advice when they fail.
CREATING_COMMANDS = ("init-db", "demo")


@contextmanager
def explained_errors() -> Iterator[None]:
    """Say a domain, configuration or database error in one French sentence and exit with the
    code the README gives (1 refused or failed, 3 wrong configuration or a database that cannot
    be reached), never with a traceback. Every command runs inside it (the group's
    :class:`ExplainingGroup` and :func:`friendly`)."""
    try:
        yield
    except ConfigError as exc:
        # exc.detail: the sentence without its own "configuration :", said once here.
        click.echo(f"Erreur de configuration : {exc.detail}", err=True)
        sys.exit(3)
    except (ClockError, UnknownSchool) as exc:
        # UnknownSchool here: a child of the database in a school the configuration no longer
        # has (a command asked for an unknown school refuses it before).
        click.echo(f"Erreur de configuration : {exc}", err=True)
        sys.exit(3)
    except (BookingError, CalendarCoverageError) as exc:
        click.echo(f"Refusé : {exc}", err=True)
        sys.exit(1)
    except ImportFailed as exc:
        click.echo("Import refusé, rien n'a été importé :", err=True)
        for line, message in exc.errors:
            click.echo(f"  {line_text(line, message)}", err=True)
        sys.exit(1)
    except Exception as exc:
        found = database_problem(exc)
        if found is None and not isinstance(exc, OperationalError | ProgrammingError):
            raise
        click.echo(_database_sentence(found, exc), err=True)
        sys.exit(3 if found is not None and found[0] == UNREACHABLE else 1)


def database_named(rt: Runtime) -> str:
    """The database as a sentence names it: the setting that chose it, and its URL without
    the password."""
    url = rt.engine.url.render_as_string(hide_password=True)
    return f"la base de données de « {rt.settings.database_url_key} » ({url})"


def _database_sentence(found: tuple[str, str] | None, exc: Exception) -> str:
    ctx = click.get_current_context(silent=True)
    rt: Runtime | None = ctx.find_root().ensure_object(dict).get("runtime") if ctx else None
    command = ctx.command.name if ctx is not None else None
    if ctx is not None and isinstance(ctx.command, click.Group):  # said by the group itself
        command = ctx.invoked_subcommand
    where = "la base de données" if rt is None else database_named(rt)
    kind, said = found if found is not None else ("", str(getattr(exc, "orig", exc)))
    if kind == UNREACHABLE:
        if rt is not None and rt.engine.url.get_backend_name() == "sqlite":
            folder = Path(rt.engine.url.database or ".").parent
            if not folder.is_dir():
                said = f"le dossier {folder} n'existe pas ({said})"
        return f"Erreur de configuration : {where} est inaccessible : {said}"
    if kind == UNINITIALISED and command not in CREATING_COMMANDS:
        return (
            f"{where[0].upper()}{where[1:]} n'est pas initialisée ou pas à jour : lancez "
            f"« restomairie init-db » ({said})"
        )
    return f"{where[0].upper()}{where[1:]} a refusé l'opération : {' '.join(said.split())}"


class ExplainingGroup(click.Group):
    """The command group: every command's errors are said by :func:`explained_errors`, so a
    command that forgot :func:`friendly` still never shows a traceback for them."""

    def invoke(self, ctx: click.Context) -> Any:
        with explained_errors():
            return super().invoke(ctx)


@click.group(cls=ExplainingGroup)
@click.option(
    "--config",
    "config",
    envvar="RESTOMAIRIE_CONFIG",
    help="Fichier TOML ou nom de préréglage (dijon, villepreux, cesson-sevigne).",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Resto-Mairie : réservation des repas de restauration scolaire."""
    # A value click took from RESTOMAIRIE_CONFIG is left for the configuration to read there
    # itself, so that an error names the variable, and a value typed names --config.
    if ctx.get_parameter_source("config") is not click.core.ParameterSource.COMMANDLINE:
        config = None
    ctx.ensure_object(dict)["config"] = config


@main.command("init-db")
@click.pass_context
@friendly
def init_db(ctx: click.Context) -> None:
    """Créer ou mettre à jour la base de données (migrations) et les écoles configurées."""
    from restomairie.migrate import upgrade

    rt = runtime(ctx)
    upgrade(rt.engine)
    rt.sync_schools()
    click.echo(f"Base de données prête ({rt.engine.url.render_as_string(hide_password=True)}).")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True,
    help="Vérifier le fichier et dire ce qui changerait, sans rien écrire.",
)
@click.option(
    "--end-missing", is_flag=True,
    help="Le fichier est la liste complète : arrêter l'abonnement des enfants absents du "
         "fichier, dès le premier jour encore modifiable (rien n'est supprimé).",
)
@click.pass_context
@friendly
def import_cmd(ctx: click.Context, file: Path, dry_run: bool, end_missing: bool) -> None:
    """Importer des familles et enfants depuis un CSV (tout ou rien)."""
    rt = runtime(ctx)
    # The children go into the configured schools: mirror them first, as ``init-db``, ``demo``,
    # ``lock`` and the scheduler do. A database whose tables were made without them, or a
    # school new in the town's file, has no row yet, and the import died on the foreign key.
    # Another town's file is refused before anything is written (as ``lock`` does).
    rt.check_town()
    rt.sync_schools()
    report = import_csv(
        rt.booking, file.read_bytes(), Actor("staff", _user(), "import"), dry_run=dry_run,
        end_missing=end_missing,
    )
    verb = "Import vérifié, rien n'a été écrit" if dry_run else "Import terminé"
    if dry_run and report.late_locks:
        verb = "Import vérifié, rien n'a été importé"  # but the overdue locks were taken
    future = dry_run  # the dry run says what would be done
    click.echo(
        f"{verb} (fichier lu en {report.encoding}) : {report.rows} ligne(s) ; "
        f"familles {'à créer' if future else 'créées'} {report.families_created}, "
        f"{'à mettre à jour' if future else 'mises à jour'} {report.families_updated}, "
        f"inchangées {report.families_unchanged} ; "
        f"enfants {'à créer' if future else 'créés'} {report.children_created}, "
        f"{'à mettre à jour' if future else 'mis à jour'} {report.children_updated}, "
        f"inchangés {report.children_unchanged}."
    )
    changes = [(c.line, f"dossier {c.account}", c.describe()) for c in report.family_changes]
    changes += [
        (c.line, f"{c.name} ({c.ref}, dossier {c.account})", c.describe())
        for c in report.child_changes
    ]
    if changes:
        click.echo("Changements dans les dossiers existants :")
        for line, who, said in sorted(changes, key=lambda c: c[0]):
            click.echo(f"  ligne {line}, {who} : {' ; '.join(said)}")
    if report.late_locks:
        click.echo(late_locks_sentence(rt.settings, report.late_locks, future))
    if report.ended:
        click.echo(f"Abonnements {'à arrêter' if future else 'arrêtés'} (absents du fichier) :")
        for ended in report.ended:
            click.echo(f"  {ended}")
    if report.warnings:
        click.echo("À vérifier :")
        for warning in report.warnings:
            click.echo(f"  {warning}")
    if report.adjustments:
        click.echo(
            f"{report.adjustments} ajustement(s) pour la cuisine à côté des effectifs déjà "
            f"verrouillés (école ou régime changé){' à enregistrer' if future else ''}."
        )


def check_school(rt: Runtime, school: str | None) -> None:
    """Refuse (:class:`BookingError`, "École inconnue : …") a school id the configuration does
    not know; None (the town's own canteen days) is fine."""
    if school is not None:
        try:
            rt.settings.school(school)
        except KeyError:
            raise BookingError(f"École inconnue : {school}.") from None


def deadline_answer(rt: Runtime, day: date, school: str | None) -> dict[str, Any]:
    """The ``deadline`` command's answer as data (what ``--json`` prints)."""
    check_school(rt, school)
    st = rt.booking.day_status(day, school)
    out: dict[str, Any] = {"date": day.isoformat(), "school": school, "operating": st.operating}
    if st.operating and st.deadline is not None:
        out["deadline"] = st.deadline.isoformat()
        staff = rt.booking.staff_deadline(day, school)
        if staff is not None and staff != st.deadline:  # Villepreux: "8 jours via la mairie"
            out["staff_deadline"] = staff.isoformat()
    else:
        out["reason"] = st.reason
    return out


@main.command()
@click.argument("day", metavar="DATE", type=DAY)
@click.option("--school", help="Identifiant de l'école (sinon : les jours de cantine de la ville).")
@click.option("--json", "as_json", is_flag=True, help="Réponse JSON.")
@click.pass_context
@friendly
def deadline(ctx: click.Context, day: date, school: str | None, as_json: bool) -> None:
    """La date limite pour réserver ou annuler le repas du DATE."""
    rt = runtime(ctx)
    ans = deadline_answer(rt, day, school)
    if as_json:
        click.echo(json.dumps(ans, ensure_ascii=False))
        return
    if ans["operating"]:
        # The answer's own deadlines (the day's status is not computed a second time).
        said = f"Repas du {format_day(day)} {day.year} : réserver ou annuler"
        for lead, key in (("", "deadline"), (" ; à la mairie,", "staff_deadline")):
            if key in ans:
                moment = datetime.fromisoformat(ans[key])
                said += f"{lead} avant le {format_deadline(moment)} ({moment:%d/%m/%Y %H:%M})"
        click.echo(f"{said}.")
        # Why the deadline comes earlier than the published table (« trois jours »), in the
        # phone line's own words: staff answering a parent say what the line said.
        for line in _not_counted(rt, day, school, datetime.fromisoformat(ans["deadline"])):
            click.echo(line)
    else:
        click.echo(
            f"Le {format_day(day)} {day.year}, pas de restauration scolaire : "
            f"{closed_reason(day, ans['reason'])}."
        )


def _not_counted(rt: Runtime, day: date, school: str | None, deadline: datetime) -> list[str]:
    """The phone line's sentence on the days without canteen that moved ``day``'s deadline
    earlier (« Les jours sans cantine, comme …, ne comptent pas dans le délai. »), from the same
    service (:func:`restomairie.ivr.flow.not_counted_said`); empty when none did."""
    # Imported here, not at the top: the phone line's modules import this one's helpers.
    from restomairie.ivr.flow import not_counted_said
    from restomairie.ivr.prompts import Speaker

    weekdays = rt.settings.weekdays_of(rt.settings.school(school) if school else None)
    return not_counted_said(rt.booking, Speaker(rt.settings, "fr"), [(day, deadline, weekdays)])


@main.command("calendar")
@click.argument("start", metavar="FROM", type=DAY)
@click.argument("end", metavar="TO", type=DAY)
@click.option("--school", help="Identifiant de l'école.")
@click.option("--json", "as_json", is_flag=True, help="Réponse JSON.")
@click.pass_context
@friendly
def calendar_cmd(
    ctx: click.Context, start: date, end: date, school: str | None, as_json: bool
) -> None:
    """Les jours de fonctionnement entre FROM et TO, avec leur date limite, et les jours fermés
    avec leur raison."""
    rt = runtime(ctx)
    if end < start:
        raise click.BadParameter("TO doit être après FROM")
    if (end - start).days > MAX_DAYS:
        raise click.BadParameter(f"au plus {MAX_DAYS} jours à la fois")
    check_school(rt, school)
    with rt.sessions() as session:
        closures = rt.booking.closures(session)
    rows: list[DayStatus] = []
    beyond: OutsideCalendar | None = None
    day = start
    while day <= end:
        try:
            st = rt.booking.day_status(day, school, "phone", closures)
        except OutsideCalendar as exc:
            if as_json or not rows:  # (a day known before it: the calendar has ended)
                raise
            # A range reaching past the calendar in use: the days it knows, then why no more.
            beyond = exc
            break
        rows.append(st)
        day = date.fromordinal(day.toordinal() + 1)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "date": s.day.isoformat(),
                        "operating": s.operating,
                        **(
                            {"deadline": s.deadline.isoformat()}
                            if s.operating and s.deadline
                            else {"reason": s.reason}
                        ),
                    }
                    for s in rows
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    for s in rows:
        label = f"{format_day(s.day):<24}"
        if s.operating and s.deadline:
            click.echo(f"{s.day}  {label} ouvert — avant le {format_deadline(s.deadline)}")
        else:
            click.echo(f"{s.day}  {label} fermé — {closed_reason(s.day, s.reason)}")
    if beyond is not None:
        raise beyond


@main.group("calendar-file")
def calendar_file_group() -> None:
    """Le fichier du calendrier scolaire : convertir l'export du ministère, voir celui utilisé."""


def _file_refused(path: Path, exc: CalendarFileError) -> None:
    click.echo(f"Fichier refusé ({path}) : {exc}", err=True)
    sys.exit(1)


@calendar_file_group.command("convert")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="Le calendrier à écrire, au format du projet.",
)
@click.option(
    "--since", metavar="AAAA-AAAA",
    help="Première année scolaire à garder (par défaut : la première du calendrier livré).",
)
@click.option(
    "--retrieved", type=DAY,
    help="Date du téléchargement de l'export (par défaut : la date d'enregistrement du fichier).",
)
@friendly
def calendar_file_convert(
    export: Path, output: Path, since: str | None, retrieved: date | None
) -> None:
    """Convertir l'export JSON du jeu de données fr-en-calendrier-scolaire (data.education.gouv.fr)
    en calendrier scolaire de Resto-Mairie, vérifié, et dire ce qu'il couvre."""
    # Only the date matters here (is today's school year covered?): no configuration is read,
    # so a town can convert before its setting points at the new file.
    today = Clock.from_env(PARIS).today()
    try:
        document = json.loads(export.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (
            f"ligne {exc.lineno}, colonne {exc.colno} ({exc.msg})"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        _file_refused(export, CalendarFileError(f"JSON illisible, {where}"))
        return
    day = retrieved or datetime.fromtimestamp(export.stat().st_mtime, PARIS).date()
    try:
        conversion = convert_export(document, retrieved=day, origin=export.name, since=since)
        check_coverage(conversion.calendar, today, shipped_calendar_file().calendar)
    except CalendarFileError as exc:
        _file_refused(export, exc)
        return
    write_calendar(conversion.document, output)
    cal = conversion.calendar
    others = f" ; autres zones laissées de côté : {', '.join(conversion.other_zones)}" if (
        conversion.other_zones
    ) else ""
    click.echo(
        f"Export lu : {conversion.records_read} enregistrement(s), {conversion.records_kept} "
        f"gardé(s) (zones A, B et C, élèves, un par zone et par période){others}."
    )
    click.echo(
        f"Calendrier écrit dans {output} : connu du {format_french_date(cal.first_covered)} "
        f"au {format_french_date(cal.last_covered)}."
    )
    for line in CalendarFile(output, False, cal).describe():
        click.echo(f"  {line}")
    click.echo(
        "Pour l'utiliser : RESTOMAIRIE_CALENDAR_FILE (ou « file » de la table [calendar] du "
        "fichier de la ville) vers ce fichier, puis « restomairie calendar-file show » et "
        "redémarrage du service."
    )


@calendar_file_group.command("show")
@click.pass_context
@friendly
def calendar_file_show(ctx: click.Context) -> None:
    """Le calendrier scolaire utilisé : d'où il vient, sa date, les jours qu'il couvre par zone."""
    settings = load_config(ctx.find_root().ensure_object(dict).get("config"))
    today = Clock.from_env(settings.tz).today()
    # The same check as at the start of the service: a refused file says why (exit code 3).
    in_use = calendar_file_in_use(settings, today)
    cal = in_use.calendar
    if in_use.path is None:
        click.echo(f"Calendrier scolaire : celui livré avec Resto-Mairie ({DATA_FILE_NAME}).")
    else:
        kind = "export du ministère, converti à la lecture" if in_use.export else (
            "format du projet"
        )
        click.echo(
            f"Calendrier scolaire : {in_use.path} ({kind} ; réglage "
            f"{settings.calendar_file_key})."
        )
    click.echo(f"Source : {cal.source} ({cal.licence}), récupéré le {cal.retrieved}.")
    click.echo(
        f"Connu du {format_french_date(cal.first_covered)} au "
        f"{format_french_date(cal.last_covered)} ; après, tout jour est refusé."
    )
    for line in in_use.describe():
        mark = f"  ← zone de {settings.town}" if line.startswith(f"zone {settings.zone} ") else ""
        click.echo(f"  {line}{mark}")
    now = Clock.from_env(settings.tz).now()
    # The runtime reads the same file (it connects to nothing here).
    limit = runtime(ctx).locks.last_lock_deadline()
    left = (cal.last_covered - today).days
    if left < 0:
        # "plus que -4 jour(s) connus": the calendar has ended, and every day is refused.
        click.echo(
            f"Attention : ce calendrier s'est arrêté le {format_french_date(cal.last_covered)}, "
            f"il y a {-left} jour(s) : tout jour après est refusé et rien n'est plus verrouillé "
            "pour la cuisine. Mettez-le à jour maintenant (voir le README, « A newer school "
            "calendar »)."
        )
    elif limit is not None and now >= limit:
        # July and August: the calendar has days left, but none of them can change any more
        # (the last one's deadline was early July), and the days after it cannot be booked.
        click.echo(
            f"Attention : ce calendrier s'arrête le {format_french_date(cal.last_covered)} et "
            f"sa dernière date limite est passée (le {format_deadline(limit)}) : plus aucun "
            "jour ne peut être réservé ni annulé tant qu'il n'est pas mis à jour. Mettez-le à "
            "jour maintenant (voir le README, « A newer school calendar »)."
        )
    elif limit is not None and (limit.date() - today).days <= CALENDAR_WARNING_DAYS:
        # Counted to the last deadline, not to the last day: 2 September's is 1 July, and
        # from then on nothing can change, two months before "the end".
        days = (limit.date() - today).days
        last = "c'est aujourd'hui" if days == 0 else f"plus que {days} jour(s)"
        click.echo(
            f"Attention : ce calendrier s'arrête le {format_french_date(cal.last_covered)} ; "
            f"sa dernière date limite est le {format_deadline(limit)} ({last}) : après elle, "
            "plus aucun jour ne pourra être réservé ni annulé tant qu'il n'est pas mis à jour. "
            "Téléchargez l'année scolaire suivante (voir le README, « A newer school "
            "calendar »)."
        )


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "staff"


def expand_days(values: tuple[str, ...]) -> tuple[list[date], bool]:
    """Dates and ranges ``FROM..TO``; a range passes over days without canteen."""
    out: list[date] = []
    ranged = False
    for value in values:
        if ".." in value:
            start, end = (parse_day(v) for v in value.split("..", 1))
            if end < start or (end - start).days > 366:
                raise click.BadParameter(f"plage invalide {value!r}")
            ranged = True
            out.extend(date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1))
        else:
            out.append(parse_day(value))
    return out, ranged


def _change(
    ctx: click.Context,
    action: str,
    family: str,
    child: str,
    values: tuple[str, ...],
    override: str | None,
    user: str | None,
) -> None:
    if override is not None and not override.strip():
        raise click.BadParameter(
            "le motif du forçage est vide : donnez la raison (elle est enregistrée dans "
            "l'historique)",
            param_hint="--override",
        )
    rt = runtime(ctx)
    days, ranged = expand_days(values)
    actor = Actor("staff", user or _user(), "staff")
    children = None if child in ("*", "tous", "all") else [resolve_child(rt, family, child)]
    results = rt.booking.change(family, action, days, actor, children, override, skip_closed=ranged)
    today = rt.clock.today()
    for r in results:
        extra = " (ajustement après verrouillage)" if r.adjusted else ""
        if r.served and r.changed:
            extra = f" ({served_text(r.day, today)})"
        click.echo(
            f"{r.first_name} — {format_day(r.day)} {r.day.year} : "
            f"{outcome_text(r, rt.settings.tz)}{extra}"
        )


def resolve_child(rt: Runtime, family: str, child: str) -> str:
    """The id of the family's child ``child`` names: its id, or its first name when no other
    child of the family has it (case and accents aside: ``rose`` for Rose). Otherwise a refusal
    that lists the family's children with their ids, so that the agent can type the right one.
    """
    info = rt.booking.family_info(family)  # an unknown family is refused here, as before
    if any(c.ref == child for c in info.children):
        return child
    named = [c for c in info.children if fold(c.first_name) == fold(child)]
    listed = ", ".join(f"{c.ref} ({c.first_name} {c.last_name})" for c in info.children)
    if len(named) == 1:
        return named[0].ref
    if named:
        raise BookingError(
            f"Plusieurs enfants du dossier {info.account} s'appellent {child} : donnez "
            f"l'identifiant ({', '.join(c.ref for c in named)})."
        )
    raise BookingError(
        f"Enfant inconnu dans le dossier {info.account} : {child}. Enfants du dossier : "
        f"{listed or 'aucun'} ; ou « tous »."
    )


def _change_command(action: str, verb: str) -> click.Command:
    """``book`` and ``cancel``: the same arguments, the same audited staff change."""

    @click.argument("family")
    @click.argument("child")
    @click.argument("days", metavar="DATE...", nargs=-1, required=True)
    @click.option(
        "--override",
        metavar="MOTIF",
        help="Forcer après la date limite (motif obligatoire, audité).",
    )
    @click.option("--user", help="Nom de l'agent (par défaut : l'utilisateur système).")
    @click.pass_context
    @friendly
    def command(
        ctx: click.Context,
        family: str,
        child: str,
        days: tuple[str, ...],
        override: str | None,
        user: str | None,
    ) -> None:
        _change(ctx, action, family, child, days, override, user)

    command.__doc__ = (
        f"{verb} le repas de CHILD (identifiant, prénom s'il est seul dans le dossier, ou "
        "« tous ») de la famille FAMILY aux dates données "
        "(AAAA-MM-JJ, ou une plage AAAA-MM-JJ..AAAA-MM-JJ dont les jours sans cantine sont "
        "passés)."
    )
    return main.command(action)(command)


book = _change_command("book", "Réserver")
cancel = _change_command("cancel", "Annuler")


def describe_day(d: ChildDay, now: datetime, staff: datetime | None = None) -> str:
    """One line of a child's upcoming day, in French (a day a closure took: the child's
    calendar's words on the staff pages, with the closure's reason). ``staff``: the deadline
    of the town's staff when their rule is not the families' (see
    :meth:`~restomairie.booking.services.BookingService.staff_deadline`)."""
    if not d.operating:
        if d.closed_by_closure:
            # ": reason" as the kitchen's "fermé : <raison>", no brackets in brackets for a
            # reason with a note ("grève (grève des agents)")
            return f"{STATE_LABELS['closure']} : {(d.reason or '').removeprefix(CLOSURE_PREFIX)}"
        return f"pas de cantine ({holiday_label(d.reason or '')})"
    state = {
        "subscription": "réservé (abonnement)",
        "booked": "réservé",
        "cancelled": "annulé",
        "none": "non réservé",
    }[d.source]
    if d.locked:
        return f"{state} — transmis à la cuisine"
    family = d.deadline if d.deadline is not None and now < d.deadline else None  # still open
    if staff is not None and staff != d.deadline:
        # The staff's rule is not the families': stricter (Villepreux: 8 days at the town hall,
        # 48 hours for the families) or more lenient (a town hall open until the morning of the
        # meal day, J-2 for the families). Each side still open is said, the earlier first.
        if family is not None and now < staff:
            sides = sorted([(staff, "à la mairie"), (family, "par la famille")])
            (first, who), (second, other) = sides
            return (
                f"{state} — modifiable avant le {format_deadline(first)} {who}, "
                f"avant le {format_deadline(second)} {other}"
            )
        if family is not None:
            return (
                f"{state} — modifiable par la famille avant le {format_deadline(family)} "
                f"(à la mairie : trop tard depuis le {format_deadline(staff)})"
            )
        if now < staff:
            since = f" depuis le {format_deadline(d.deadline)}" if d.deadline else ""
            return (
                f"{state} — modifiable à la mairie avant le {format_deadline(staff)} "
                f"(par la famille : trop tard{since})"
            )
    elif family is not None:
        return f"{state} — modifiable avant le {format_deadline(family)}"
    return f"{state} — plus modifiable"


@main.command()
@click.argument("family")
@click.option(
    "--days", default=14, show_default=True, type=click.IntRange(1, MAX_DAYS),
    help=f"Nombre de jours à afficher (1 à {MAX_DAYS}).",
)
@click.pass_context
@friendly
def bookings(ctx: click.Context, family: str, days: int) -> None:
    """Les repas à venir de chaque enfant de la famille FAMILY, et les jours qu'une fermeture
    (grève, sortie…) leur a retirés."""
    rt = runtime(ctx)
    info = rt.booking.family_info(family)
    upcoming = rt.booking.upcoming(family, days=days)
    click.echo(f"Dossier {info.account} — {info.guardian}")
    for child in info.children:
        click.echo(
            f"\n{child.first_name} {child.last_name} ({child.ref}, {child.school_id}, {child.diet})"
        )
        for d in upcoming[child.ref]:
            # A day a closure took is shown, with its reason: the agent on the phone must see
            # why the meal is gone and that it is not billed. Weekends, the school's days
            # without a canteen and the holidays stay out (known to every family, listed by
            # ``restomairie calendar``), and so do days outside the child's enrolment.
            if d.operating or (d.closed_by_closure and enrolled_on(child, d.day)):
                staff = rt.booking.staff_deadline(d.day, child.school_id) if d.operating else None
                line = describe_day(d, rt.clock.now(), staff)
                click.echo(f"  {format_day(d.day):<24}{line}")
    end = rt.booking.calendar.last_covered
    if rt.clock.today() + timedelta(days=days - 1) > end:
        # The days asked past the calendar are left out, not "no meal": said, as the phone
        # line says it, or the list seems to end there.
        click.echo(
            f"\nLe calendrier scolaire après le {format_day(end, year=True)} n'est pas encore "
            "connu : les jours suivants ne sont pas affichés (mettez le calendrier à jour, voir "
            "« restomairie calendar-file show »)."
        )


@main.command()
@click.option("--dry-run", is_flag=True, help="Dire ce qui serait effacé, sans rien effacer.")
@click.pass_context
@friendly
def purge(ctx: click.Context, dry_run: bool) -> None:
    """Effacer maintenant ce que le planificateur efface chaque nuit : les appels plus anciens
    que retention.call_log_days (numéro, étapes, demandes sans effet ; les changements restent
    au journal), l'adresse des connexions du personnel aussi anciennes et les fichiers d'import
    expirés."""
    from restomairie.retention import purge_call_logs
    from restomairie.scheduler import purge_job

    rt = runtime(ctx)
    days = rt.settings.call_log_retention_days
    if dry_run:
        report = purge_call_logs(rt.sessions, rt.settings, rt.clock.now(), dry_run=True)
    else:
        report = purge_job(rt)
    before = report.before.astimezone(rt.settings.tz)
    done = "à effacer" if dry_run else "effacés"
    click.echo(
        f"Journal des appels ({days} jours de conservation) : {report.calls} appel(s) et "
        f"{report.events} étape(s) commencés avant le {format_day(before.date(), year=True)} "
        f"à {format_hour(before)} {done}."
    )
    click.echo(
        f"Connexions du personnel avant cette date : {report.addresses} adresse(s) "
        + ("à effacer. Rien n'a été effacé." if dry_run else "effacée(s).")
    )


@main.command()
@click.option(
    "--families", default=50, show_default=True, type=click.IntRange(min=1),
    help="Nombre de familles.",
)
@click.pass_context
@friendly
def demo(ctx: click.Context, families: int) -> None:
    """Créer la base si besoin et charger une ville de démonstration (familles, codes,
    téléphones)."""
    from restomairie.demo import DEMO_USER, load_demo, not_a_demo
    from restomairie.migrate import upgrade

    rt = runtime(ctx)
    # Before anything is written (the migration, the schools): the demo writes over the
    # families whose account numbers it uses and adds fifty fictitious ones to the kitchen's
    # counts, so a town's database is refused (see not_a_demo).
    refused = not_a_demo(rt.engine, [s.id for s in rt.settings.schools], families)
    if refused is not None:
        where = database_named(rt)
        if refused.families:
            shown = ", ".join(refused.families[:5])
            more = f" et {len(refused.families) - 5} autres" if len(refused.families) > 5 else ""
            why = (
                f"contient des familles qui ne sont pas celles de la démonstration (dossiers "
                f"{shown}{more}) : la démonstration écrirait sur les familles de ses numéros de "
                "dossier (codes, téléphones, responsables) et ajouterait ses familles fictives "
                "aux repas comptés par la cuisine"
            )
        else:
            why = (
                f"a des comptes du personnel ({', '.join(refused.users)}) et pas encore de "
                "familles : c'est une base en préparation, la démonstration y ajouterait ses "
                "familles fictives"
            )
        click.echo(
            f"Refusé : {where} {why}. Rien n'a été écrit. Pour une démonstration, lancez-la "
            f"dans un autre dossier ou avec une autre base ({rt.settings.database_url_key}).",
            err=True,
        )
        sys.exit(1)
    upgrade(rt.engine)
    rt.sync_schools()
    report, listing = load_demo(rt.booking, families)
    click.echo(
        "Démonstration chargée : "
        f"{report.families_created + report.families_updated + report.families_unchanged} "
        "familles, "
        f"{report.children_created + report.children_updated + report.children_unchanged} "
        "enfants."
    )
    click.echo("Pour essayer la ligne (dossier, code, téléphone, enfants) :")
    for f in listing[:10]:
        click.echo(f"  {f.account}  code {f.pin}  {f.phone}  {', '.join(f.children)}")
    click.echo(f"  … et {len(listing) - 10} autres familles." if len(listing) > 10 else "")
    from restomairie.staff.accounts import AccountService

    _, password = AccountService(rt.sessions, rt.clock).ensure_user(DEMO_USER, "admin")
    click.echo(
        "Téléphone d'essai dans le navigateur : lancez « restomairie serve », ouvrez "
        "http://127.0.0.1:8000/staff/phone et connectez-vous (identifiant demo, mot de passe "
        f"{password}, nouveau à chaque « restomairie demo »)."
    )


def require_current_database(rt: Runtime) -> None:
    """Stop (exit 1, French) unless the database is reachable and migrated: the web application
    would otherwise answer each request with an error (an unreachable one is said by
    :func:`explained_errors`, exit 3)."""
    from restomairie.migrate import is_current

    if not is_current(rt.engine):
        click.echo(
            "La base de données n'est pas à jour : lancez « restomairie init-db » "
            "(ou « restomairie demo » pour une ville de démonstration).",
            err=True,
        )
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads", type=click.IntRange(1, MAX_THREADS),
    help=(
        "Requêtes servies à la fois (défaut : RESTOMAIRIE_THREADS, sinon "
        f"{DEFAULT_CONCURRENCY}). Sur PostgreSQL, chacun des {POOLS} pools de connexions en "
        f"garde autant, plus {POOL_OVERFLOW} en pointe : au plus {POOLS} × (threads + "
        f"{POOL_OVERFLOW}) connexions pour ce processus (max_connections)."
    ),
)
@click.pass_context
@friendly
def serve(ctx: click.Context, host: str, port: int, threads: int | None) -> None:
    """Servir l'application web (webhooks de la ligne, pages cuisine et personnel) avec waitress."""
    import waitress

    from restomairie.web import create_app

    setup_logging()
    # The database pools follow the threads: as many requests at once never wait for a
    # connection to be made (see restomairie.db.make_engine).
    rt = runtime(ctx, concurrency=threads)
    threads = threads or rt.concurrency
    require_current_database(rt)
    # Another town's file is refused before anything is written or served (as ``lock`` does).
    rt.check_town()
    # Tried first, and said in French: waitress would raise (and leave its half-made server's
    # sockets open) on a port in use or a host it cannot listen on.
    said = listen_problem(host, port)
    if said is not None:
        click.echo(said, err=True)
        sys.exit(1)
    # The town's file is read once, here: mirror its schools, as ``init-db``, ``lock`` and the
    # scheduler do, so that a school new in the file (restarted ``serve``, not the scheduler)
    # has its row for every page (the staff import, a child's school, the kitchen), not a
    # foreign-key error on its first child.
    rt.sync_schools()
    app = create_app(runtime=rt)
    for warning in deployment_warnings(rt.settings):
        click.echo(f"Attention : {warning}", err=True)
    said = unconfigured_warning(rt, "Leurs pages et leurs appels échoueront")
    if said is not None:
        click.echo(said, err=True)
    frozen = f" (horloge figée : {rt.clock.now().isoformat()})" if rt.clock.frozen else ""
    click.echo(f"Resto-Mairie {rt.settings.town} sur http://{host}:{port}/{frozen}")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="restomairie")
    except (OSError, ValueError) as exc:
        # waitress turns a host it cannot resolve into a ValueError, the resolver's error
        # being its context.
        cause = exc.__context__ if isinstance(exc, ValueError) else exc
        said = listen_error(cause, host, port) if isinstance(cause, OSError) else None
        if said is None:
            raise
        click.echo(said, err=True)
        sys.exit(1)


def unconfigured_warning(rt: Runtime, consequence: str) -> str | None:
    """The warning (French) that some children are in schools the town's file does not list
    (:meth:`Runtime.unconfigured_schools`), ending with ``consequence`` for the command that
    says it; None when every child's school is listed."""
    missing = rt.unconfigured_schools()
    if not missing:
        return None
    listed = ", ".join(f"« {school} » ({n} enfant(s))" for school, n in missing.items())
    return (
        f"Attention : des enfants sont inscrits dans des écoles absentes de la configuration de "
        f"la ville : {listed}. {consequence} : ajoutez ces écoles au fichier de la ville "
        "([[schools]]) ou changez l'école de ces enfants."
    )


def listen_problem(host: str, port: int) -> str | None:
    """Why ``serve`` could not listen on ``host``:``port`` (French), found by binding each of
    its addresses as waitress will (``SO_REUSEADDR``), then letting go; None when it can."""
    try:
        addresses = socket.getaddrinfo(
            host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        )
        for family, kind, proto, _, address in addresses:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
    except OSError as exc:
        return listen_error(exc, host, port) or (
            f"Impossible d'écouter sur {host}:{port} ({exc.strerror or exc}) : voir --host et "
            "--port."
        )
    return None


def listen_error(exc: OSError, host: str, port: int) -> str | None:
    """Why ``serve`` cannot listen on ``host``:``port``, in French (None: not a listening
    problem)."""
    if isinstance(exc, socket.gaierror):
        return f"Impossible d'écouter sur {host} : adresse inconnue ({exc.strerror}) : voir --host."
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Le port {port} est déjà utilisé sur {host} (un autre « restomairie serve » ?) : "
            "arrêtez ce service ou choisissez un autre port avec --port."
        )
    if exc.errno == errno.EACCES:
        return (
            f"Le port {port} est réservé (ports sous 1024 : administrateur seulement) : "
            "choisissez un autre port avec --port."
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"L'adresse {host} n'est pas une adresse de cette machine : voir --host."
    return None


# A kitchen token is typed once per tablet, then kept: long enough that guessing it, which nothing
# slows down, is hopeless (20 random characters of base64 are 120 bits).
MIN_TOKEN_LENGTH = 20


def deployment_warnings(settings: Settings) -> list[str]:
    """What ``serve`` says at start-up of secrets a real deployment should set (French): the
    service runs without them, as the demo does, but less safely."""
    warnings = []
    public = settings.secret(PUBLIC_URL_KEY)
    if settings.secret("TWILIO_AUTH_TOKEN") and not public:
        # Twilio signs the URL it called; without the public URL the line checks the one it
        # received, which a proxy or a tunnel changes (https://… becomes http://127.0.0.1:8000).
        warnings.append(
            f"{PUBLIC_URL_KEY} n'est pas défini alors que TWILIO_AUTH_TOKEN l'est : Twilio signe "
            "l'adresse publique qu'il appelle, et la ligne vérifie la signature sur l'adresse "
            "qu'elle reçoit ; derrière un proxy ou un tunnel, elles diffèrent et chaque appel de "
            "Twilio sera refusé (403). Indiquez l'adresse du site, par exemple "
            f"{PUBLIC_URL_KEY}=https://resto.example.fr (inutile pour un essai en local)."
        )
    elif public and public.lower().startswith("http://") and not _local(public):
        warnings.append(
            f"{PUBLIC_URL_KEY} commence par http:// ({public}) : si le site est servi en https, "
            "Twilio signe l'adresse en https:// et chaque appel sera refusé (403) ; écrivez-la "
            "en https://. Servi en http, les mots de passe du personnel circulent en clair."
        )
    if not settings.secret("RESTOMAIRIE_PIN_PEPPER"):
        warnings.append("RESTOMAIRIE_PIN_PEPPER n'est pas défini : une copie de la base suffirait "
                        "à retrouver les codes secrets (voir la configuration dans le README).")
    if not settings.secret("RESTOMAIRIE_SECRET_KEY"):
        warnings.append("RESTOMAIRIE_SECRET_KEY n'est pas défini : les sessions du personnel et "
                        "de la cuisine sont perdues à chaque redémarrage.")
    token = settings.secret("RESTOMAIRIE_KITCHEN_TOKEN")
    if token and len(token) < MIN_TOKEN_LENGTH:
        warnings.append(f"RESTOMAIRIE_KITCHEN_TOKEN a moins de {MIN_TOKEN_LENGTH} caractères : "
                        "il pourrait être deviné (par exemple « python3 -c 'import secrets; "
                        "print(secrets.token_urlsafe(24))' »).")
    return warnings


def _local(url: str) -> bool:
    """Whether ``url`` names this machine (a trial: neither Twilio nor an agent elsewhere)."""
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def _register_commands() -> None:
    """Commands that live beside their capability (phone line, kitchen, staff)."""
    # Imported here, not at the top: those modules import ``main``'s helpers from this one.
    # --- registered commands (one line per capability) ---
    from restomairie.ivr.terminal import call_cmd

    main.add_command(call_cmd)
    from restomairie.staff.cli import create_user_cmd

    main.add_command(create_user_cmd)
    from restomairie.kitchen.commands import counts_cmd, lock_cmd, scheduler_cmd

    main.add_command(lock_cmd)
    main.add_command(counts_cmd)
    main.add_command(scheduler_cmd)


if __name__ == "__main__":
    # ``python -m restomairie.cli`` runs this file as ``__main__``, a second copy of the module:
    # the capability modules import ``restomairie.cli``, so the commands are registered on that
    # one, and that is the one to run.
    from restomairie.cli import main as _main

    _main()
else:
    _register_commands()
