"""Adjustments beside a locked figure, computed from what the kitchen was told (DOMAIN.md §5).

A locked day's figure never changes; a later staff change is an adjustment beside it. What a
child counts for in a lock is its line in the frozen list (:class:`LockedChild`, with the variant
it was counted with) plus the adjustments recorded for it since. :func:`settle` brings children
to what they should count for now by recording the difference, per variant, against *that* —
never against the child's current school or diet, which may have changed since the lock (an
import). So closing a school takes every variant of its locked figure to exactly 0, a change of
diet moves the child's meal from the old variant to the new one, and no figure goes below 0.

What the kitchen is told of *why* is only the adjustment's ``kind``, one of :data:`KIND_LABELS`:
the staff's own reason (an override's motif, an import line naming the child) stays with staff,
in the adjustment's ``reason`` and in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from restomairie.models import DayLock, LockAdjustment, LockedChild

OVERRIDE = "override"  # a booking, cancellation or pattern forced by staff after the deadline
IMPORT = "import"  # a child's school or diet changed by a families import
CLOSURE = "closure"  # a site closed (strike, school trip…) after its day was locked
REOPENING = "reopening"  # such a closure lifted

# What the kitchen reads (pages, production sheets, JSON, CSV, ``restomairie counts``): the
# figure, the site, the menu and one of these. Never a child's name nor the staff's free text,
# which may be medical ("malade, certificat transmis") and which the production sheet, the
# school's delivery note, would carry out of the town's offices.
KIND_LABELS = {
    OVERRIDE: "changement forcé par le service",
    IMPORT: "changement d'école ou de menu (import)",
    CLOSURE: "fermeture",
    REOPENING: "fermeture annulée",
}


def kind_label(kind: str) -> str:
    """The kitchen's words for an adjustment's kind (a neutral word for one it does not know)."""
    return KIND_LABELS.get(kind, "ajustement")


def served(day: date, now: datetime, lunch_ends: time) -> bool:
    """Whether ``day``'s meals have been served at ``now`` (town time): a day before today, or
    today once the lunch service is over (``lunch_ends``).

    What the kitchen cooked and delivered for such a day is history: a change made then (a
    billing correction, a closure declared afterwards) changes the family's bill, never the
    kitchen's record, so it records no adjustment. Today before the end of the service still
    does: the school's delivery note and the meals on site can still follow it."""
    today = now.date()
    return day < today or (day == today and now.time() >= lunch_ends)


def told(
    session: Session, lock: DayLock, child_ids: list[int] | None = None
) -> dict[int | None, dict[str, int]]:
    """What each child counts for in ``lock`` now, per variant: its line in the locked list plus
    its adjustments. ``child_ids`` None: every child the lock or its adjustments name (and the
    adjustments without a child, under None)."""
    out: dict[int | None, dict[str, int]] = {}
    frozen = select(LockedChild.child_id, LockedChild.variant).where(
        LockedChild.lock_id == lock.id
    )
    adjusted = (
        select(LockAdjustment.child_id, LockAdjustment.variant, func.sum(LockAdjustment.delta))
        .where(LockAdjustment.lock_id == lock.id)
        .group_by(LockAdjustment.child_id, LockAdjustment.variant)
    )
    if child_ids is not None:
        frozen = frozen.where(LockedChild.child_id.in_(child_ids))
        adjusted = adjusted.where(LockAdjustment.child_id.in_(child_ids))
    for child_id, variant in session.execute(frozen):
        mine = out.setdefault(child_id, {})
        mine[variant] = mine.get(variant, 0) + 1
    for whose, variant, delta in session.execute(adjusted):
        mine = out.setdefault(whose, {})
        mine[variant] = mine.get(variant, 0) + int(delta or 0)
    return out


def settle(
    session: Session,
    lock: DayLock,
    targets: Mapping[int, str | None],
    *,
    kind: str,
    reason: str,
    actor: str,
    at: datetime,
    everyone: bool = False,
) -> int:
    """Record the adjustments that make each child of ``targets`` count for one meal of its
    variant in ``lock`` (None: for none). With ``everyone``, every other child the lock counts
    (and any adjustment without a child) is brought to none too: what a closure does. Returns
    the number of adjustments recorded. ``kind`` is what the kitchen is shown
    (:data:`KIND_LABELS`), ``reason`` what staff are."""
    have = told(session, lock, None if everyone else list(targets))
    keys: list[int | None] = list(targets)
    keys += [k for k in have if k not in targets]
    added = 0
    for child_id in keys:
        target = targets.get(child_id) if child_id is not None else None
        want = {target: 1} if target is not None else {}
        mine = have.get(child_id, {})
        for variant in sorted(set(mine) | set(want)):
            delta = want.get(variant, 0) - mine.get(variant, 0)
            if delta:
                session.add(LockAdjustment(
                    lock_id=lock.id, child_id=child_id, variant=variant, delta=delta,
                    kind=kind, reason=reason, actor=actor, at=at,
                ))
                added += 1
    return added
