"""The production lock (DOMAIN.md §5).

At each cut-off, every meal day whose deadline has passed is locked, per school: the booked meals
per menu variant and the list of children are frozen with the lock time and never change again
through the booking path. Later staff changes are adjustments beside the figure
(:class:`~restomairie.models.LockAdjustment`). Locking is idempotent and safe when two processes
run it at once: the exclusive guard (PostgreSQL advisory lock / SQLite write lock) orders it after
every change in flight, and ``uq_day_locks_school_day`` makes a second lock of the same day
impossible.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from restomairie.booking import queries
from restomairie.booking.errors import OutsideCalendar
from restomairie.booking.guard import guard
from restomairie.booking.services import LOCK_LOOKBACK_DAYS, BookingService
from restomairie.calendar.days import BEYOND_HORIZON
from restomairie.db import is_postgres
from restomairie.models import (
    Child,
    DayLock,
    Family,
    LockAdjustment,
    LockedChild,
    LockedCount,
    School,
)

# A lock taken this long or longer after its cut-off is "late"; a day still not locked this long
# after its cut-off is overdue (the kitchen pages, exports and ``restomairie counts`` say so).
LATE_AFTER = timedelta(minutes=5)


def is_late(deadline: datetime, at: datetime) -> bool:
    """Is a lock taken (or still missing) at ``at`` late for its cut-off ``deadline``?

    The one threshold for both: a lock the scheduler takes within ``LATE_AFTER`` of the cut-off
    is on time, and a day not locked by then is shown as overdue, so a day the pages called
    overdue is always marked late once it is locked."""
    return at - deadline >= LATE_AFTER


def service_start(session: Session) -> datetime | None:
    """The instant from which this database serves the town: the first family's arrival (the
    first import: families come in no other way) or the cut-off of the first day ever locked,
    whichever is earlier; None while it has neither. What ``lock`` and ``counts`` say of the
    town as a whole; the lock itself serves each school from its own start
    (:func:`school_starts`)."""
    found = [
        t
        for t in (
            session.scalar(select(func.min(Family.created_at))),
            session.scalar(select(func.min(DayLock.deadline))),
        )
        if t is not None
    ]
    return min(found) if found else None


def school_starts(session: Session) -> dict[str, datetime]:
    """The instant from which this database serves each school.

    A school there from the start (:attr:`School.added_at` None) is served from the town's
    start: the earliest arrival of a child (:attr:`Child.school_since`, the family's import) or
    cut-off of a day locked, in any school, as before schools had starts of their own: every
    delivery site of the town is locked at each cut-off from then on, 0 meals for a school
    without children. A school the town added to its file later is served from its own first
    child's arrival (the import that wrote the child, or moved it there) or the cut-off of its
    own first day locked, whichever is earlier; while it has neither, from when it was added
    (locked at 0 meals at each cut-off from then on, on time while the scheduler runs). Left
    out while the town has no start (no child, no lock): nothing is due.

    A day whose cut-off came before it was never open to bookings through Resto-Mairie (the
    school's families were not here to book it), so it is not due: a fresh install's first
    ``lock``, and the first run after the town adds a school to its file and imports its
    families, start with the days whose cut-off is at or after them instead of freezing the
    weeks before at 0 meals, marked late. On a school already served it lies far back, and a
    scheduler that was down still catches up every day it missed (DOMAIN §5). The readers
    (kitchen pages, ``counts``, the staff's calendar) use the same instants, so a day before
    them is never shown overdue either. One query for every school (an index seek each)."""
    first_child = (
        select(func.min(Child.school_since)).where(Child.school_id == School.id).scalar_subquery()
    )
    first_lock = (
        select(func.min(DayLock.deadline)).where(DayLock.school_id == School.id).scalar_subquery()
    )
    own: dict[str, datetime] = {}
    added: dict[str, datetime | None] = {}
    for school_id, added_at, child_at, lock_at in session.execute(
        select(School.id, School.added_at, first_child, first_lock)
    ):
        found = [t for t in (child_at, lock_at) if t is not None]
        if found:
            own[school_id] = min(found)
        added[school_id] = added_at
    if not own:
        return {}
    town = min(own.values())
    # A school added later starts at its first child or lock, or, with neither yet, when it was
    # added. Its first lock may stand for a day whose cut-off passed before it was added (a
    # child joining it locks those days at 0, see BookingService.lock_overdue's ``joined``):
    # that day is locked, so counting it served is right.
    return {s: town if at is None else own.get(s, at) for s, at in added.items()}


def before_service(deadline: datetime, start: datetime | None) -> bool:
    """Did the cut-off ``deadline`` pass before the database served the school (its
    :func:`school_starts` entry; None: the town is not served yet), so that its day is never
    due for the lock?"""
    return start is None or deadline < start


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockResult:
    school_id: str
    day: date
    deadline: datetime
    locked_at: datetime
    late: bool
    counts: dict[str, int]
    created: bool  # False: it was locked already (idempotent call)
    adjustments: list[dict[str, object]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CalendarEnd:
    """The school calendar ends before some school's next cut-off
    (:meth:`LockService.calendar_end`): the meals after ``last_covered`` can be neither locked
    nor booked until it is updated."""

    last_covered: date
    # The first day past it that decides: the first canteen day whose cut-off has passed (or
    # may have), else the first whose cut-off is still to come; None when none is known.
    day: date | None
    # That day's cut-off, were it a school day, when it counts back to days known only.
    deadline: datetime | None
    # Its cut-off has passed (deadline None: may have): the kitchen risks missing that day.
    due: bool
    # Not due: the calendar must be updated before this, the earliest a day past it falls due.
    until: datetime | None = None


class LockService:
    """Takes and reads production locks."""

    def __init__(self, booking: BookingService) -> None:
        self.booking = booking
        self.settings = booking.settings

    def due(
        self,
        now: datetime,
        lookback_days: int = LOCK_LOOKBACK_DAYS,
        joined: Mapping[str, date] | None = None,
    ) -> list[tuple[str, date, datetime]]:
        """(school, day, deadline) of every day whose cut-off has passed and that is not locked,
        from ``lookback_days`` back (the catch-up after a scheduler outage) up to the first day
        still open, however far ahead it is (:meth:`BookingService.days_to_cutoff`: the first
        meals after the summer have their cut-off before it). Never a day whose cut-off came
        before the database served its school (:func:`school_starts`), except, with ``joined``
        (school → first day children moving in eat there), that day and the days after: they
        are eaten there, so they must be locked before the move (see
        :meth:`BookingService.lock_overdue`)."""
        joined = joined or {}
        today = now.date()
        start = today - timedelta(days=lookback_days)
        with self.booking.read_sessions() as session:
            starts = school_starts(session)
            if not starts:
                return []
            # A meal comes after its cut-off: no day before a school's start can be due.
            start = max(start, min(
                [s.astimezone(self.settings.tz).date() for s in starts.values()]
                + [d for s, d in joined.items() if s in starts]
            ))
            done: set[tuple[str, date]] = set(
                session.execute(select(DayLock.school_id, DayLock.day).where(DayLock.day >= start))
            )
        out = []
        for school in self.settings.schools:
            since = starts.get(school.id)
            if since is None:
                continue  # not in the database (lock_now mirrors the file first)
            first = max(start, since.astimezone(self.settings.tz).date())
            moving_in = joined.get(school.id)
            if moving_in is not None:
                first = min(first, max(start, moving_in))
            for day, st in self.booking.days_to_cutoff(school.id, first, now):
                if (
                    st.operating
                    and st.deadline is not None
                    and st.deadline <= now
                    and (since <= st.deadline or (moving_in is not None and day >= moving_in))
                    and (school.id, day) not in done
                ):
                    out.append((school.id, day, st.deadline))
        return sorted(out, key=lambda x: (x[2], x[0]))

    def service_start(self) -> datetime | None:
        """:func:`service_start`, in a session of its own, in the town's time."""
        with self.booking.read_sessions() as session:
            start = service_start(session)
        return start.astimezone(self.settings.tz) if start is not None else None

    def last_lock_deadlines(self) -> dict[str, datetime | None]:
        """Each configured school's last lock deadline in the calendar in use
        (:meth:`BookingService.last_lock_deadline`: the cut-off of its last operating day there,
        under the latest of the rules in force), None for a school without one. After it no
        day of that school can change, and its next cut-off is past the calendar."""
        return {s.id: self.booking.last_lock_deadline(s.id) for s in self.settings.schools}

    def last_lock_deadline(self) -> datetime | None:
        """The town's last lock deadline: the latest of :meth:`last_lock_deadlines` (Thursday
        1 July 2027, 13:00, for 2 September in the shipped calendar), the last moment any meal
        of the calendar in use can change; None when no school has one."""
        return max((d for d in self.last_lock_deadlines().values() if d is not None),
                   default=None)

    def calendar_end(self, now: datetime) -> CalendarEnd | None:
        """What the lock knows of the meals past the school calendar's end, when it ends before
        some school's next cut-off still to come (from 1 July 2027, 13:00, 2 September's
        cut-off, for the shipped calendar): their days are unknown, so :meth:`due` cannot find
        them and they are never locked until the calendar is updated. Whether one of them is
        due already is counted exactly (:meth:`_beyond`): Friday 3 September 2027's cut-off
        counts back to days the calendar knows (Friday 2 July, 13:00), so on 1 July nothing is
        due yet and the calendar has until then. None while every school's next cut-off is
        known."""
        last_covered = self.booking.calendar.last_covered
        # A school's next cut-off is still known while its last one is to come: deadlines grow
        # with the meal day, so its first operating day whose cut-off is ahead is in the
        # calendar (today past the calendar: every last cut-off has passed).
        last = self.last_lock_deadlines()
        if all(d is not None and d > now for d in last.values()):
            return None
        found = [b for s, d in last.items() if (b := self._beyond(s, now, d)) is not None]
        due = [b for b in found if b.due and b.deadline is not None]  # known to have passed
        if due:
            return min(due, key=lambda b: (b.deadline or now, b.day or last_covered))
        maybe = [b for b in found if b.due]
        if maybe:
            return min(maybe, key=lambda b: b.day or last_covered)
        later = [b for b in found if b.until is not None]
        if later:
            return min(later, key=lambda b: (b.until or now, b.day or last_covered))
        return CalendarEnd(last_covered, None, None, False)

    def _beyond(
        self, school_id: str, now: datetime, bound: datetime | None
    ) -> CalendarEnd | None:
        """The first canteen day of the school past the calendar's end, and whether its meals
        are due (:class:`CalendarEnd`). Deadlines grow with the meal day, so that first day
        decides: a deadline of it still to come means none of the days after has passed; one
        not computable (it counts back through a day the calendar does not know) is at least
        the last deadline known, and may have passed once that one has. None when the canteen
        serves no day within a year past it. ``bound``: the school's last lock deadline
        (:meth:`last_lock_deadlines`)."""
        cal = self.booking.calendar
        weekdays = self.settings.weekdays_of(self.settings.school(school_id))
        day = cal.last_covered + timedelta(days=1)
        for _ in range(BEYOND_HORIZON):
            if cal.closed_beyond(day, weekdays) is None:
                known = self.booking.lock_deadline_beyond(day, school_id)
                if known is not None:
                    return CalendarEnd(cal.last_covered, day, known, known <= now, known)
                if bound is None or bound <= now:
                    return CalendarEnd(cal.last_covered, day, None, True)
                return CalendarEnd(cal.last_covered, day, None, False, bound)
            day += timedelta(days=1)
        return None

    def lock_due(
        self,
        now: datetime | None = None,
        lookback_days: int = LOCK_LOOKBACK_DAYS,
        workers: int = 1,
    ) -> list[LockResult]:
        """Lock every due day (see :meth:`due`); days locked long after their cut-off are late.

        Each (school, day) lock is its own transaction under its own guard, so on PostgreSQL
        ``workers`` connections can lock schools side by side: at the cut-off the kitchen waits
        for the slowest school, not for the sum of them. SQLite has one writer: one at a time."""
        at = now or self.booking.clock.now()
        due = self.due(at, lookback_days)

        def lock(item: tuple[str, date, datetime]) -> LockResult | Exception:
            school_id, day, deadline = item
            # One school's failure must not leave the others' days unlocked at 13:05 (and on
            # every retry, the failing one coming first again): each is tried, then the first
            # error is raised.
            try:
                return self.lock_day(school_id, day, deadline=deadline, now=at)
            except Exception as exc:
                log.exception("verrouillage impossible : %s %s", school_id, day.isoformat())
                return exc

        if workers > 1 and len(due) > 1 and is_postgres(self.booking.sessions.kw["bind"]):
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lock") as pool:
                done = list(pool.map(lock, due))
        else:
            done = [lock(item) for item in due]
        failed = [r for r in done if isinstance(r, Exception)]
        if failed:
            raise failed[0]
        return [r for r in done if isinstance(r, LockResult)]

    def lock_day(
        self,
        school_id: str,
        day: date,
        *,
        deadline: datetime | None = None,
        now: datetime | None = None,
    ) -> LockResult:
        """Freeze one school's meal day. Idempotent: a second call returns the first lock."""
        now = now or self.booking.clock.now()
        if deadline is None:
            st = self.booking.lock_deadline(day, school_id)
            if not st.operating or st.deadline is None:
                raise OutsideCalendar(day, f"Le {day} n'est pas un jour de fonctionnement.")
            deadline = st.deadline
        try:
            with self.booking.sessions() as session, session.begin():
                guard(session, [(school_id, day)], exclusive=True)
                existing = self._existing(session, school_id, day)
                if existing is not None:
                    return existing
                # Stamped once exclusive (advisory lock held / SQLite write lock taken by the read
                # above), so every change this lock counts has an older audit timestamp.
                now = max(now, self.booking.clock.now())
                lock = DayLock(
                    school_id=school_id,
                    day=day,
                    deadline=deadline,
                    locked_at=now,
                    late=is_late(deadline, now),
                )
                session.add(lock)
                session.flush()
                closures = self.booking.closures(session)
                open_ = self.booking.day_status(day, school_id, "phone", closures).operating
                if open_:
                    # A child another school's lock of the day counts already (moved
                    # since by an import) is not counted twice (queries.to_count).
                    sub = queries.to_count(day, [school_id]).subquery()
                    session.execute(
                        insert(LockedChild).from_select(
                            ["lock_id", "child_id", "variant"],
                            select(literal(lock.id), sub.c.id, sub.c.diet),
                        )
                    )
                counted: dict[str, int] = {
                    variant: n
                    for variant, n in session.execute(
                        select(LockedChild.variant, func.count())
                        .where(LockedChild.lock_id == lock.id)
                        .group_by(LockedChild.variant)
                    )
                }
                counts = {v: counted.get(v, 0) for v in self.settings.menu_variants}
                session.add_all(
                    LockedCount(lock_id=lock.id, variant=v, count=n) for v, n in counts.items()
                )
                return LockResult(school_id, day, deadline, now, lock.late, counts, True)
        except IntegrityError:
            # Another process locked it between our check and our insert (SQLite without the
            # advisory lock): theirs is the lock. Any other violation (a school with no row in
            # the database) is raised as it is.
            with self.booking.sessions() as session:
                found = self._existing(session, school_id, day)
            if found is None:
                raise
            return found

    def _existing(self, session: Session, school_id: str, day: date) -> LockResult | None:
        lock = session.scalars(
            select(DayLock).where(DayLock.school_id == school_id, DayLock.day == day)
        ).one_or_none()
        if lock is None:
            return None
        counts = {c.variant: c.count for c in lock.counts}
        adjustments = [
            {
                "variant": a.variant,
                "delta": a.delta,
                "kind": a.kind,
                "reason": a.reason,  # the staff's own text: not for the kitchen
                "actor": a.actor,
                "at": a.at.astimezone(self.settings.tz).isoformat(),
            }
            for a in session.scalars(
                select(LockAdjustment)
                .where(LockAdjustment.lock_id == lock.id)
                .order_by(LockAdjustment.id)
            )
        ]
        return LockResult(
            lock.school_id,
            lock.day,
            lock.deadline.astimezone(self.settings.tz),
            lock.locked_at.astimezone(self.settings.tz),
            lock.late,
            counts,
            False,
            adjustments,
        )

    def get(self, school_id: str, day: date) -> LockResult | None:
        """The lock of a school's day, with its adjustments, or None."""
        with self.booking.read_sessions() as session:
            return self._existing(session, school_id, day)
