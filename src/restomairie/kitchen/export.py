"""The kitchen counts as JSON (the ``/kitchen/counts`` contract) and as CSV for French Excel.

Both the HTTP endpoint and ``restomairie counts`` render through these two functions, so the
command line prints exactly what the kitchen's systems download.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from restomairie.kitchen.service import DayCounts, SchoolCounts

VARIANT_LABELS = {
    "standard": "Standard",
    "sans_porc": "Sans porc",
    "vegetarien": "Végétarien",
    "pai": "Panier repas (PAI)",
}

VARIANT_SHORT = {
    "standard": "standard", "sans_porc": "sans porc", "vegetarien": "végétarien", "pai": "PAI",
}

CSV_HEADER = (
    "date", "code_ecole", "ecole", "cuisine", "variante", "libelle", "effectif", "ajustements",
    "effectif_ajuste", "statut", "verrouille_le",
    # Last, so that a reader of the columns above by position reads them still.
    "a_produire",
)
BOM = "\ufeff"
# The status of a site whose day is never locked (:attr:`SchoolCounts.never_locked`).
NEVER_LOCKED_STATUS = "non verrouillé (date limite passée avant la mise en service)"


def signed(n: int) -> str:
    """An adjustment as the kitchen's pages and the staff's kitchen notes write it: "+1",
    "−1" (the minus sign U+2212, not a hyphen: the same width as "+", no line break after
    it), "0"."""
    return f"+{n}" if n > 0 else f"\u2212{-n}" if n < 0 else "0"


def variant_label(variant: str) -> str:
    return VARIANT_LABELS.get(variant, variant)


def variant_short(variant: str) -> str:
    """The variant in running text: ``sans porc``, ``PAI``."""
    return VARIANT_SHORT.get(variant, variant)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def school_json(s: SchoolCounts) -> dict[str, Any]:
    return {
        "school": s.school,
        "name": s.name,
        "kitchen": s.kitchen,
        "operating": s.operating,
        "reason": s.reason,
        "locked": s.locked,
        "status": status_text(s),
        "locked_at": _iso(s.locked_at),
        "late": s.late,
        "overdue": s.overdue,
        "deadline": _iso(s.deadline),
        "counts": dict(s.counts),
        "total": s.total,
        # ``reason`` is the neutral category's words, never the staff's own text (which may
        # name a child or their health); ``kind`` is the same as a code.
        "adjustments": [
            {"variant": a.variant, "delta": a.delta, "reason": a.label, "kind": a.kind,
             "actor": a.actor, "at": a.at.isoformat()}
            for a in s.adjustments
        ],
        "adjusted_counts": s.adjusted,
        "adjusted_total": s.adjusted_total,
        "to_produce": s.to_produce,
    }


def to_json(day: DayCounts) -> dict[str, Any]:
    """``{"date", "locked", "locked_at", "late", "schools": [...], "total", ...}``.

    ``counts``/``total`` are the locked figures (or the provisional ones while ``locked`` is
    false); ``adjustments`` lists the changes made after the lock, each with a neutral
    ``reason`` ("changement forcé par le service", "fermeture"…) and ``kind``, and
    ``adjusted_*`` adds them up; ``to_produce`` leaves out the packed meals (PAI), which
    ``packed`` counts. The day is ``locked`` once every school serving it is; each school also
    says whether it is (a day is locked school by school). ``late``: a lock was taken late, or
    is late now — ``overdue``: the cut-off passed ``LATE_AFTER`` ago or more and the day is
    still not locked."""
    return {
        "date": day.day.isoformat(),
        "operating": day.operating,
        "reason": day.reason,
        "locked": day.locked,
        "locked_at": _iso(day.locked_at),
        "late": day.late,
        "overdue": day.overdue,
        "deadline": _iso(day.deadline),
        "schools": [school_json(s) for s in day.schools],
        "totals": day.totals,
        "total": day.total,
        "adjusted_totals": day.adjusted_totals,
        "adjusted_total": day.adjusted_total,
        "to_produce": day.to_produce,
        "packed": day.packed,
    }


def status_text(s: SchoolCounts) -> str:
    """``verrouillé``, ``verrouillé (en retard)``, ``non verrouillé (en retard)`` (the cut-off has
    passed and the scheduler has not locked it), ``verrouillage en cours`` (the cut-off has just
    passed), ``non verrouillé (date limite passée avant la mise en service)`` (never locked: its
    figures are today's bookings), ``provisoire``, ``fermé : <raison>`` or, for a site closed
    after its day was locked, ``fermé : <raison> (verrouillé)``.

    A closure comes first: a site closed after the lock still has its locked figures (and the
    adjustments that take them to 0), and a kitchen system reading only this column must see
    that nothing is to be delivered there."""
    if not s.operating:
        closed = f"fermé : {s.closed_because}"
        if not s.locked:
            return closed
        return f"{closed} (verrouillé en retard)" if s.late else f"{closed} (verrouillé)"
    if s.locked:
        return "verrouillé (en retard)" if s.late else "verrouillé"
    if s.overdue:
        return "non verrouillé (en retard)"
    if s.due:
        return "verrouillage en cours"
    if s.never_locked:
        return NEVER_LOCKED_STATUS
    return "provisoire"


def to_csv(days: Iterable[DayCounts]) -> bytes:
    """One row per day, school and variant; ``;``-separated, CRLF, UTF-8 with a BOM: the file
    opens with its accents and columns right in a French Excel.

    ``effectif_ajuste`` counts every child, packed meals (PAI) included; ``a_produire`` is what
    the kitchen cooks and delivers (:attr:`SchoolCounts.produced`: 0 on a PAI row), so its sum
    is the pages' "Repas à produire et à livrer"."""
    buf = io.StringIO()
    buf.write(BOM)
    out = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    out.writerow(CSV_HEADER)
    for day in days:
        for s in day.schools:
            adjusted, produced = s.adjusted, s.produced
            stamp = s.locked_at.strftime("%Y-%m-%d %H:%M") if s.locked_at else ""
            for v in day.variants:
                out.writerow((
                    day.day.isoformat(), s.school, s.name, s.kitchen, v, variant_label(v),
                    s.counts.get(v, 0), s.delta(v), adjusted.get(v, 0), status_text(s), stamp,
                    produced.get(v, 0),
                ))
    return buf.getvalue().encode("utf-8")


def csv_filename(day: DayCounts) -> str:
    return f"repas-{day.day.isoformat()}.csv"
