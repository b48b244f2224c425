"""Commands of the lock and the kitchen: ``restomairie lock``, ``counts`` and ``scheduler``.

Each parses its arguments, calls a plain function that tests call directly, and prints French.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date, timedelta

import click

from restomairie.booking.locks import LockResult
from restomairie.booking.services import LOCK_LOOKBACK_DAYS
from restomairie.cli import DAY, friendly, runtime, setup_logging, unconfigured_warning
from restomairie.i18n import format_day, format_deadline
from restomairie.kitchen.export import (
    NEVER_LOCKED_STATUS,
    status_text,
    to_csv,
    to_json,
    variant_label,
    variant_short,
)
from restomairie.kitchen.service import (
    NEVER_LOCKED_ACTION,
    NOT_PRODUCED,
    DayCounts,
    KitchenService,
    UnknownKitchen,
    never_locked_reason,
)
from restomairie.runtime import Runtime
from restomairie.scheduler import calendar_end_text, frozen_clock_text, lock_job

NOTHING_TO_LOCK = (
    "Rien à verrouiller : chaque jour dont la date limite est passée depuis moins de "
    f"{LOCK_LOOKBACK_DAYS} jours l'est déjà."
)
# ``lock`` on a database without families yet: nothing could be booked, so nothing is due.
NOTHING_YET = (
    "Rien à verrouiller : la base de données n'a encore aucune famille. Les jours sont "
    "verrouillés à partir de l'arrivée des premières familles (« restomairie import »), à "
    "chaque heure limite qui suit."
)


def packed_text(n: int) -> str:
    """``1 panier repas PAI``, ``3 paniers repas PAI``."""
    return f"{n} panier{'s' if n > 1 else ''} repas PAI"


def describe_locks(rt: Runtime, results: Sequence[LockResult]) -> list[str]:
    """What a lock run did, in French: one heading per meal day, one line per school, then the
    day's meals to produce and packed meals. Said as ``counts`` says them: the packed meals (PAI)
    the families bring are no "repas" of the kitchen, so they are counted apart, never in the
    meals to produce."""
    if not results:
        return [NOTHING_TO_LOCK if rt.locks.service_start() is not None else NOTHING_YET]
    names = {s.id: s.name for s in rt.settings.schools}
    # Schools in the town's file order, as ``counts``, the kitchen's pages and exports list
    # them (the locks come back in the database's order).
    order = {s.id: i for i, s in enumerate(rt.settings.schools)}
    lines: list[str] = []
    for day in sorted({r.day for r in results}):
        of_day = sorted(
            (r for r in results if r.day == day),
            key=lambda r: (order.get(r.school_id, len(order)), r.school_id),
        )
        first = of_day[0]
        late = " — EN RETARD" if any(r.late for r in of_day) else ""
        lines.append(
            f"Repas du {format_day(day)} {day.year} (date limite : "
            f"{format_deadline(first.deadline)}), verrouillés à "
            f"{first.locked_at.astimezone(rt.settings.tz):%H:%M:%S}{late} :"
        )
        produce = packed = 0
        for r in of_day:
            made = {v: n for v, n in r.counts.items() if v not in NOT_PRODUCED}
            brought = sum(n for v, n in r.counts.items() if v in NOT_PRODUCED)
            produce, packed = produce + sum(made.values()), packed + brought
            detail = ", ".join(f"{variant_short(v)} {n}" for v, n in made.items())
            name = names.get(r.school_id, r.school_id)
            line = f"  {name} : {sum(made.values())} repas ({detail})"
            lines.append(line + (f" + {packed_text(brought)}" if brought else ""))
        lines.append(f"  Repas à produire (hors paniers repas) : {produce}")
        if packed:
            lines.append(f"  Paniers repas PAI (apportés par les familles, non livrés) : {packed}")
    days = len({r.day for r in results})
    late_n = sum(1 for r in results if r.late)
    lines.append(
        f"{len(results)} verrouillage(s) sur {days} jour(s)"
        + (f", dont {late_n} en retard (rattrapage)." if late_n else ".")
    )
    return lines


# Said by ``lock`` and ``scheduler`` when children are in schools the town's file does not list.
NEVER_LOCKED = "Leurs repas ne sont jamais verrouillés ni comptés pour la cuisine"


def lock_now(rt: Runtime) -> list[LockResult]:
    """Lock what is due now (the scheduler's job, once, by hand); only the new locks. The
    configured schools are mirrored into the database first, as the scheduler does when it
    starts: a school new in the town's file (or a database the scheduler never ran on) has no
    row yet, and its lock could not be written. Another town's file is refused first
    (:meth:`Runtime.check_town`): nothing is written."""
    rt.check_town()
    rt.sync_schools()
    return lock_job(rt)


def describe_counts(day: DayCounts, catch_up_from: date | None = None) -> list[str]:
    """A day's counts as a text table. ``catch_up_from``: the first day the lock's catch-up
    still locks (today minus :data:`LOCK_LOOKBACK_DAYS`): a day before it that was never
    locked never will be, and running ``lock`` for it would do nothing. A day whose cut-off
    came before the database served the town (:attr:`DayCounts.never_locked`, as the kitchen
    pages say it) is never locked either."""
    lines = []
    head = f"Effectifs du {format_day(day.day)} {day.day.year}"
    never = day.never_locked
    if day.locked:
        assert day.locked_at is not None
        head += f" — verrouillés le {format_deadline(day.locked_at)}"
        head += " (en retard)" if day.late else ""
    elif not day.operating:
        head += f" — pas de restauration scolaire : {day.reason_text}"
    elif day.overdue:
        head += " — NON VERROUILLÉS, EN RETARD"
        if day.deadline is not None:
            head += f" (verrouillage prévu le {format_deadline(day.deadline)})"
    elif never:
        assert day.deadline is not None
        head += f" — NON VERROUILLÉS (date limite passée : {format_deadline(day.deadline)})"
    elif day.rest_never_locked and day.locked_at is not None:
        # A school the town added later, beside schools locked: "PROVISOIRES (verrouillage le
        # …)" would have the kitchen wait for a lock that never comes.
        late = " (en retard)" if day.late else ""
        head += (f" — verrouillés le {format_deadline(day.locked_at)}{late}, sauf pour les "
                 "écoles marquées, qui ne le seront pas")
    else:
        head += " — PROVISOIRES"
        if day.due and day.deadline is not None:
            head += f" (verrouillage en cours depuis le {format_deadline(day.deadline)})"
        elif day.deadline is not None:
            head += f" (verrouillage le {format_deadline(day.deadline)})"
    lines.append(head)
    if day.overdue and catch_up_from is not None and day.day < catch_up_from:
        lines.append(
            "Ce jour n'a jamais été verrouillé et ne le sera plus : le rattrapage des "
            f"verrouillages ne remonte que {LOCK_LOOKBACK_DAYS} jours. Ces effectifs sont les "
            "réservations telles qu'elles sont aujourd'hui, pas ceux de la production."
        )
    elif never:
        # The cut-off is on the line above: the reason leaves it out.
        lines.append(
            "Ce jour n'est pas verrouillé et ne le sera pas : "
            f"{never_locked_reason(None, day.service_start)} {NEVER_LOCKED_ACTION}"
        )
    elif day.rest_never_locked and day.locked_at is not None:
        lines.append(
            f"Pour les écoles marquées « {NEVER_LOCKED_STATUS} », ce jour ne le sera pas : "
            f"{never_locked_reason(day.deadline, day.service_start)} {NEVER_LOCKED_ACTION}"
        )
    elif day.overdue:
        lines.append(
            "Le planificateur n'a pas verrouillé ce jour à l'heure limite : les effectifs ne sont "
            "pas figés. Lancez « restomairie lock » (ou redémarrez « restomairie scheduler ») "
            "avant de lancer la production."
        )
    width = max([len(s.name) for s in day.schools] + [10])
    cols = "".join(f"{variant_label(v)[:12]:>13}" for v in day.variants)
    lines.append(f"{'École':<{width}}{cols}{'Total':>10}")
    for s in day.schools:
        cells = "".join(f"{_cell(s.counts[v], s.delta(v)):>13}" for v in day.variants)
        plain = s.operating and day.locked == s.locked and (day.never_locked or not s.never_locked)
        note = "" if plain else f"  [{status_text(s)}]"
        total = _cell(s.total, s.adjusted_total - s.total)
        lines.append(f"{s.name:<{width}}{cells}{total:>10}{note}")
    cells = "".join(
        f"{_cell(day.totals[v], day.adjusted_totals[v] - day.totals[v]):>13}" for v in day.variants
    )
    lines.append(f"{'Total':<{width}}{cells}{_cell(day.total, day.adjusted_total - day.total):>10}")
    lines.append(f"Repas à produire (hors paniers repas, ajustements compris) : {day.to_produce}")
    if day.packed:
        lines.append(f"Paniers repas PAI (apportés par les familles, non livrés) : {day.packed}")
    for s, a in day.adjustment_lines:
        sign = f"+{a.delta}" if a.delta > 0 else str(a.delta)
        lines.append(
            f"  ajustement {sign} {variant_short(a.variant)} — {s.name} — {a.label} "
            f"({a.who}, {format_deadline(a.at)})"
        )
    return lines


def _cell(n: int, delta: int) -> str:
    if not delta:
        return str(n)
    return f"{n} ({delta:+d})"


@click.command("lock")
@click.pass_context
@friendly
def lock_cmd(ctx: click.Context) -> None:
    """Verrouiller maintenant les effectifs de chaque jour dont la date limite est passée
    (ce que fait le planificateur à chaque heure limite) et dire ce qui a été verrouillé."""
    rt = runtime(ctx)
    results = lock_now(rt)  # another town's file is refused there, before this warning
    said = unconfigured_warning(rt, NEVER_LOCKED)
    if said is not None:
        click.echo(said, err=True)
    ended = calendar_end_text(rt)
    if ended is not None and ended.due:
        # "Rien à verrouiller" would be false: a day past the calendar is due, and unknown.
        for line in describe_locks(rt, results) if results else []:
            click.echo(line)
        click.echo(f"Refusé : {ended.text[0].upper()}{ended.text[1:]}", err=True)
        sys.exit(1)
    for line in describe_locks(rt, results):
        click.echo(line)
    if ended is not None:
        # Nothing past the calendar is due yet: every day due is locked, so the run did its
        # job (exit 0, as the scheduler only warns then); what is said is until when the
        # calendar must be updated, before a day the kitchen needs falls due unknown.
        click.echo(f"Attention : {ended.text[0].upper()}{ended.text[1:]}", err=True)


@click.command("counts")
@click.argument("day", metavar="DATE", type=DAY)
@click.option("--json", "fmt", flag_value="json", help="Réponse JSON (comme /kitchen/counts).")
@click.option("--csv", "fmt", flag_value="csv", help="CSV « ; » UTF-8 avec BOM (Excel).")
@click.option("--kitchen", help="Seulement les écoles livrées par cette cuisine.")
@click.pass_context
@friendly
def counts_cmd(ctx: click.Context, day: date, fmt: str | None, kitchen: str | None) -> None:
    """Les effectifs de repas du DATE par école et par menu : verrouillés (avec les ajustements)
    ou provisoires."""
    rt = runtime(ctx)
    try:
        found = KitchenService(rt.booking).day(day, kitchen)
    except UnknownKitchen as exc:
        raise click.BadParameter(str(exc), param_hint="--kitchen") from None
    if fmt == "json":
        click.echo(json.dumps(to_json(found), ensure_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(to_csv([found]), nl=False)  # bytes: written as is (BOM, CRLF)
    else:
        catch_up_from = rt.clock.today() - timedelta(days=LOCK_LOOKBACK_DAYS)
        for line in describe_counts(found, catch_up_from):
            click.echo(line)


@click.command("scheduler")
@click.option(
    "--safety-interval", default=60, show_default=True, type=click.IntRange(min=0),
    help="Secondes entre deux passages de sécurité du verrouillage (0 : aucun).",
)
@click.pass_context
@friendly
def scheduler_cmd(ctx: click.Context, safety_interval: int) -> None:
    """Lancer le planificateur (un seul processus) : rattrapage des verrouillages manqués,
    verrouillage à chaque heure limite, purge quotidienne du journal d'appels, et chaque matin
    la fin du calendrier scolaire quand elle approche."""
    from restomairie.scheduler import LOCK_WORKERS, run_scheduler

    setup_logging()
    # Small pools, whatever the web server's RESTOMAIRIE_THREADS: the lock at a cut-off runs
    # LOCK_WORKERS connections side by side, the other jobs one each (their overflow).
    rt = runtime(ctx, concurrency=LOCK_WORKERS)
    rt.check_town()  # another town's file: refused before the catch-up writes anything
    click.echo(f"Planificateur Resto-Mairie {rt.settings.town} : démarrage (Ctrl-C pour arrêter).")
    frozen = frozen_clock_text(rt)
    if frozen is not None:
        click.echo(frozen, err=True)
    said = unconfigured_warning(rt, NEVER_LOCKED)
    if said is not None:
        click.echo(said, err=True)
    run_scheduler(rt, safety_interval=safety_interval)
