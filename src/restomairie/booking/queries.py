"""The effective-booking rules as SQL: who eats on a day, per school and variant.

Effective state of an enrolled child on a day (see :mod:`restomairie.models`): the BookingDay if
there is one, else whether a subscription covers that weekday. What the kitchen counts of a day
not locked at a school is the children booked there less those another school's lock of that
day counts already (:func:`to_count`): a child counts once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from restomairie.models import BookingDay, Child, DayLock, LockAdjustment, LockedChild, Subscription


def booked_children(day: date, school_ids: list[str] | None = None) -> Select[int, str, str]:
    """SELECT child id, school, variant of every child with a meal on ``day``."""
    bit = 1 << day.weekday()
    exc = aliased(BookingDay)
    covering = (
        select(Subscription.id)
        .where(
            Subscription.child_id == Child.id,
            Subscription.starts_on <= day,
            or_(Subscription.ends_on.is_(None), Subscription.ends_on >= day),
            Subscription.weekdays.op("&")(bit) != 0,
        )
        .exists()
    )
    stmt = (
        select(Child.id, Child.school_id, Child.diet)
        .outerjoin(exc, and_(exc.child_id == Child.id, exc.day == day))
        .where(
            Child.enrolled_from <= day,
            or_(Child.enrolled_until.is_(None), Child.enrolled_until >= day),
            or_(exc.booked.is_(True), and_(exc.id.is_(None), covering)),
        )
    )
    if school_ids is not None:
        stmt = stmt.where(Child.school_id.in_(school_ids))
    return stmt


def counted_in_locks(day: date) -> Select[int, str]:
    """SELECT child id, school of every child a lock of ``day`` at a school she has left since
    counts now: its line in the school's locked list plus the adjustments recorded for it since
    (:func:`~restomairie.booking.adjustments.told`), one meal or more.

    A child has one school and no history of it, so once an import has moved her, the school
    she is at may not be the one whose lock counted her (she was there at the cut-off). A move
    recorded beside that lock (an adjustment taking her meal out) leaves her counted there no
    more, so she counts where she is now."""
    # Only the children no longer at the lock's school: the others cannot count elsewhere, and
    # a day's locks hold every child of the town (a lock of 100,000 children took 2.3 times as
    # long on SQLite when they were all read here).
    lines = (
        select(LockedChild.child_id, DayLock.school_id, literal(1).label("n"))
        .join(DayLock, DayLock.id == LockedChild.lock_id)
        .join(Child, Child.id == LockedChild.child_id)
        .where(DayLock.day == day, Child.school_id != DayLock.school_id)
    )
    adjusted = (
        select(LockAdjustment.child_id, DayLock.school_id, LockAdjustment.delta.label("n"))
        .join(DayLock, DayLock.id == LockAdjustment.lock_id)
        .join(Child, Child.id == LockAdjustment.child_id)
        .where(DayLock.day == day, Child.school_id != DayLock.school_id)
    )
    both = union_all(lines, adjusted).subquery()
    return (
        select(both.c.child_id, both.c.school_id)
        .group_by(both.c.child_id, both.c.school_id)
        .having(func.sum(both.c.n) > 0)
    )


def to_count(day: date, school_ids: list[str] | None = None) -> Select[int, str, str]:
    """:func:`booked_children` less the children a lock of ``day`` at another school counts
    (:func:`counted_in_locks`): what a school's lock of the day freezes, and its live figure
    until then. Without it a child an import moved after the old school's lock was counted
    there and again at the new school, whose day was not locked yet."""
    elsewhere = counted_in_locks(day).subquery()
    return booked_children(day, school_ids).where(
        ~select(elsewhere.c.child_id)
        .where(elsewhere.c.child_id == Child.id, elsewhere.c.school_id != Child.school_id)
        .exists()
    )


def counts(
    session: Session, day: date, school_ids: list[str] | None = None
) -> dict[str, dict[str, int]]:
    """{school: {variant: meals}} for ``day`` from the live bookings (no calendar check), a
    child counted in another school's lock of that day left out (:func:`to_count`)."""
    sub = to_count(day, school_ids).subquery()
    rows = session.execute(
        select(sub.c.school_id, sub.c.diet, func.count()).group_by(sub.c.school_id, sub.c.diet)
    )
    out: dict[str, dict[str, int]] = {}
    for school, variant, n in rows:
        out.setdefault(school, {})[variant] = n
    return out
