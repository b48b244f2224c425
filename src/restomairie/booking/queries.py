"""The effective-booking rules as SQL: who eats on a day, per school and variant.

Effective state of an enrolled child on a day (see :mod:`restomairie.models`): the BookingDay if
there is one, else whether a subscription covers that weekday.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from restomairie.models import BookingDay, Child, Subscription


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


def counts(
    session: Session, day: date, school_ids: list[str] | None = None
) -> dict[str, dict[str, int]]:
    """{school: {variant: meals}} for ``day`` from the live bookings (no calendar check)."""
    sub = booked_children(day, school_ids).subquery()
    rows = session.execute(
        select(sub.c.school_id, sub.c.diet, func.count()).group_by(sub.c.school_id, sub.c.diet)
    )
    out: dict[str, dict[str, int]] = {}
    for school, variant, n in rows:
        out.setdefault(school, {})[variant] = n
    return out
