"""What the central kitchen reads: meal counts per day, delivery site and menu variant.

A day a school has been locked for (:mod:`restomairie.booking.locks`) shows the frozen figures,
unchanged, with the staff adjustments made since listed beside them; a day not locked yet shows the
live, provisional count (``locked`` false). A day whose cut-off has passed and that is still not
locked is *due*, and once ``LATE_AFTER`` has gone by, *overdue*: the scheduler did not lock it, and
every reader says so (``late``), as it says of a lock taken late. A day whose cut-off passed before
the database served the town (a fresh install's first days) is neither: it is *never locked*
(``never_locked``), and its live figures are today's bookings, not a production figure still to
come. Every reader — the JSON/CSV
endpoint, the kitchen pages, ``restomairie counts`` — goes through :class:`KitchenService`; none
of them reads the store itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from restomairie.booking import queries
from restomairie.booking.adjustments import kind_label
from restomairie.booking.errors import OutsideCalendar
from restomairie.booking.locks import before_service, is_late, school_starts
from restomairie.booking.services import BookingService
from restomairie.calendar.days import CLOSURE_PREFIX, closed_reason
from restomairie.calendar.schoolholidays import CalendarCoverageError, holiday_label
from restomairie.config import Settings
from restomairie.i18n import format_day, format_deadline
from restomairie.models import DayLock, LockAdjustment
from restomairie.staff.labels import who_label

NOT_PRODUCED = frozenset({"pai"})  # packed meals brought from home: counted, never cooked

# What the kitchen does with the figures of a day never locked (its cut-off came before the
# database served the town): said after :func:`never_locked_reason` by the kitchen page, the
# production sheets and ``restomairie counts``.
NEVER_LOCKED_ACTION = (
    "N'attendez pas de verrouillage : produisez et livrez ce jour selon les effectifs arrêtés "
    "avant la mise en service de Resto-Mairie."
)


def never_locked_reason(deadline: datetime | None, since: datetime | None) -> str:
    """Why a day (or a site's day) is not locked and never will be, after « … ne le sera pas : »:
    ``sa date limite (le vendredi 20 novembre à 13 heures) est passée avant l'arrivée des
    premières familles dans Resto-Mairie (le lundi 23 novembre à 9 h 30), personne n'a donc pu
    y réserver par ce service. Ces effectifs sont les réservations telles qu'elles sont
    aujourd'hui, pas ceux de la production.`` The cut-off is left out when the line before
    says it (``deadline`` None), the arrival when there is none yet."""
    when = f" (le {format_deadline(deadline)})" if deadline is not None else ""
    arrival = f" (le {format_deadline(since)})" if since is not None else ""
    return (
        f"sa date limite{when} est passée avant l'arrivée des premières familles dans "
        f"Resto-Mairie{arrival}, personne n'a donc pu y réserver par ce service. Ces effectifs "
        "sont les réservations telles qu'elles sont aujourd'hui, pas ceux de la production."
    )


class UnknownKitchen(ValueError):
    """No configured kitchen has that id."""

    def __init__(self, kitchen: str) -> None:
        super().__init__(f"Cuisine inconnue : {kitchen}.")
        self.kitchen = kitchen


@dataclass(frozen=True)
class Adjustment:
    """A change after the lock, shown beside the locked figure (never folded into it).

    It says why only by its ``kind`` (:attr:`label`: "changement forcé par le service",
    "fermeture"…): the staff's reason, which may name a child or their health, is not read
    here, so no kitchen page, sheet, export or command can show it."""

    variant: str
    delta: int
    kind: str
    actor: str
    at: datetime

    @property
    def label(self) -> str:
        """The kitchen's words for why (the JSON's ``reason``)."""
        return kind_label(self.kind)

    @property
    def who(self) -> str:
        """Who made it, as the staff's journal says it ("agent marie", not the stored
        "staff:marie", which the JSON's ``actor`` keeps)."""
        return who_label(self.actor)


@dataclass(frozen=True)
class SchoolCounts:
    """One delivery site on one day."""

    school: str
    name: str
    kitchen: str
    operating: bool
    reason: str | None  # why there is no meal (French), when not operating
    locked: bool
    locked_at: datetime | None
    locked_late: bool  # the lock was taken late (a catch-up after the scheduler was down)
    deadline: datetime | None  # the lock's cut-off (the last channel's deadline)
    counts: Mapping[str, int]  # the locked figures, or the live ones while not locked
    adjustments: tuple[Adjustment, ...] = ()
    due: bool = False  # serving, not locked, and its cut-off has passed: the lock is expected now
    overdue: bool = False  # due for ``LATE_AFTER`` or more: the scheduler has not locked it
    # Serving, not locked, and its cut-off passed before the database served this school (the
    # town's first families, or, for a school the town added to its file later, its own first
    # children: :func:`~restomairie.booking.locks.school_starts`): never due, it never will be
    # locked; its figures are today's bookings. A day locked for the others stays partly
    # locked (:attr:`DayCounts.rest_never_locked`).
    never_locked: bool = False
    service_start: datetime | None = None  # when the database began to serve it (never_locked)

    @property
    def never_locked_reason(self) -> str:
        """:func:`never_locked_reason` of this site's day, its cut-off said."""
        return never_locked_reason(self.deadline, self.service_start)

    @property
    def late(self) -> bool:
        """The lock was taken late, or is late now (overdue)."""
        return self.locked_late or self.overdue

    @property
    def closed_because(self) -> str:
        """Why the site is closed, after "fermé : " ("grève", not "fermeture : grève")."""
        if self.operating:
            return ""
        reason = self.reason or ""
        if reason.startswith(CLOSURE_PREFIX):
            return reason.removeprefix(CLOSURE_PREFIX)  # the staff's own words, as they are
        # "vacances d'été", "lundi de Pentecôte" after "fermé : ", not the data's capitals
        return holiday_label(reason)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def adjusted(self) -> dict[str, int]:
        """Locked figure plus the adjustments, per variant: what to deliver now (never below 0).

        Adjustments are settled against what each child was counted for
        (:mod:`restomairie.booking.adjustments`), so they never take a figure below 0; the floor
        only keeps adjustments recorded before that was so from asking a kitchen to deliver a
        negative number of meals."""
        out = dict(self.counts)
        for a in self.adjustments:
            out[a.variant] = out.get(a.variant, 0) + a.delta
        return {v: max(0, n) for v, n in out.items()}

    @property
    def adjusted_total(self) -> int:
        return sum(self.adjusted.values())

    def delta(self, variant: str) -> int:
        return sum(a.delta for a in self.adjustments if a.variant == variant)

    @property
    def adjustment_lines(self) -> list[Adjustment]:
        """The adjustments as people read them: those of one change (same menu, kind, author
        and moment: a closure declared after the lock settles each child on its own) summed on
        one line — "-300 standard — fermeture", not three hundred "-1" on a delivery note."""
        lines: dict[tuple[str, str, str, datetime], int] = {}
        for a in self.adjustments:
            key = (a.variant, a.kind, a.actor, a.at)
            lines[key] = lines.get(key, 0) + a.delta
        return [Adjustment(v, n, kind, actor, at) for (v, kind, actor, at), n in lines.items()]

    @property
    def produced(self) -> dict[str, int]:
        """Meals the kitchen cooks per variant: the adjusted figure, 0 for packed meals (PAI).
        The one computation behind :attr:`to_produce`, the pages' "à produire" figures and the
        CSV's ``a_produire`` column."""
        return {v: 0 if v in NOT_PRODUCED else n for v, n in self.adjusted.items()}

    @property
    def to_produce(self) -> int:
        """Meals the kitchen cooks (adjusted, packed meals left out)."""
        return sum(self.produced.values())


# What a day's state (:attr:`DayCounts.state`) is called: its badge on the kitchen page and its
# bar in the chart say the same words, so a day is never "provisoire" on one and "Verrouillage
# en cours" on the other.
STATE_LABELS = {
    "provisional": "Provisoire",
    "locking": "Verrouillage en cours",
    "partial": "Partiellement verrouillé",
    "overdue": "Verrouillage en retard",
    "never_locked": "Non verrouillé, avant la mise en service",
    "locked": "Verrouillé",
    "locked_late": "Verrouillé en retard",
    "closed": "Pas de restauration",
}


@dataclass(frozen=True)
class DayCounts:
    """Every delivery site of one day, in configuration order."""

    day: date
    variants: tuple[str, ...]
    schools: tuple[SchoolCounts, ...]

    @property
    def operating(self) -> bool:
        return any(s.operating for s in self.schools)

    @property
    def reason(self) -> str | None:
        """Why no school serves lunch that day (when none does)."""
        if self.operating or not self.schools:
            return None
        return self.schools[0].reason

    @property
    def reason_text(self) -> str:
        """:attr:`reason` in the words of a French sentence (``la cantine ne fonctionne jamais
        le mercredi``; see :func:`restomairie.calendar.days.closed_reason`)."""
        return closed_reason(self.day, self.reason)

    @property
    def locked(self) -> bool:
        """True once every school serving that day is locked. A school not served yet at its
        cut-off (:attr:`SchoolCounts.never_locked`, one the town added to its file later) never
        will be: the day stays partly locked, and says so (:attr:`rest_never_locked`), since
        that school's figures are not the ones to produce."""
        serving = [s for s in self.schools if s.operating or s.locked]
        return bool(serving) and all(s.locked for s in serving)

    @property
    def partly_locked(self) -> bool:
        return not self.locked and any(s.locked for s in self.schools)

    @property
    def locked_at(self) -> datetime | None:
        stamps = [s.locked_at for s in self.schools if s.locked_at is not None]
        return max(stamps) if stamps else None

    @property
    def late(self) -> bool:
        """Some school's lock was taken late, or is late now (:attr:`overdue`)."""
        return any(s.late for s in self.schools)

    @property
    def overdue(self) -> bool:
        """Some school serving that day should have been locked by now and is not."""
        return any(s.overdue for s in self.schools)

    @property
    def due(self) -> bool:
        """Some school serving that day is past its cut-off and not locked (overdue or not yet)."""
        return any(s.due for s in self.schools)

    @property
    def rest_never_locked(self) -> bool:
        """No lock is still to come for this day although it is not locked: every school serving
        it that is not locked never will be (:attr:`SchoolCounts.never_locked`)."""
        unlocked = [s for s in self.schools if s.operating and not s.locked]
        return bool(unlocked) and all(s.never_locked for s in unlocked)

    @property
    def never_locked(self) -> bool:
        """Not locked for any school and never will be: the cut-off passed before the database
        served the town (a fresh install's first days). ``restomairie counts`` says « NON
        VERROUILLÉS … ne le sera pas », the kitchen page and sheets the same."""
        return self.rest_never_locked and not self.partly_locked

    @property
    def service_start(self) -> datetime | None:
        """When the database began to serve the schools never locked that day (the latest)."""
        found = [s.service_start for s in self.schools
                 if s.never_locked and s.service_start is not None]
        return max(found) if found else None

    @property
    def never_locked_reason(self) -> str:
        """:func:`never_locked_reason` of the day, its cut-off said."""
        return never_locked_reason(self.deadline, self.service_start)

    @property
    def state(self) -> str:
        """One word for the day's badge: ``locked``, ``locked_late``, ``closed``, ``overdue``,
        ``partial``, ``locking`` (cut-off just passed, the lock is being taken),
        ``never_locked`` (cut-off passed before the database served the town: no lock will
        come) or ``provisional``."""
        if self.locked:
            return "locked_late" if self.late else "locked"
        if not self.operating:
            return "closed"
        if self.overdue:
            return "overdue"
        if self.partly_locked:
            return "partial"
        if self.due:
            return "locking"
        if self.never_locked:
            return "never_locked"
        return "provisional"

    @property
    def state_label(self) -> str:
        """The day's state in words, as its badge and its bar say it (:data:`STATE_LABELS`)."""
        return STATE_LABELS[self.state]

    @property
    def deadline(self) -> datetime | None:
        found = [s.deadline for s in self.schools if s.deadline is not None]
        return max(found) if found else None

    @property
    def totals(self) -> dict[str, int]:
        return {v: sum(s.counts.get(v, 0) for s in self.schools) for v in self.variants}

    @property
    def adjusted_totals(self) -> dict[str, int]:
        return {v: sum(s.adjusted.get(v, 0) for s in self.schools) for v in self.variants}

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def adjusted_total(self) -> int:
        return sum(self.adjusted_totals.values())

    @property
    def to_produce(self) -> int:
        """Meals to cook and deliver: adjusted, packed meals (PAI) left out."""
        return sum(s.to_produce for s in self.schools)

    @property
    def packed(self) -> int:
        """Packed meals (PAI) brought by the families: counted, neither cooked nor delivered."""
        return sum(self.adjusted_totals.get(v, 0) for v in self.variants if v in NOT_PRODUCED)

    @property
    def adjustments(self) -> list[tuple[SchoolCounts, Adjustment]]:
        return [(s, a) for s in self.schools for a in s.adjustments]

    @property
    def adjustment_lines(self) -> list[tuple[SchoolCounts, Adjustment]]:
        """Each site's :attr:`SchoolCounts.adjustment_lines`."""
        return [(s, a) for s in self.schools for a in s.adjustment_lines]

    def site(self, school_id: str) -> SchoolCounts:
        for s in self.schools:
            if s.school == school_id:
                return s
        raise KeyError(school_id)


@dataclass(frozen=True)
class Break:
    """Canteen weekdays without lunch between two days the kitchen serves (``after`` and
    ``before``): the school holidays, a public holiday, the Ascension bridge. Not a Wednesday or
    a weekend, which every week has."""

    after: date  # the last day served before it
    before: date  # the first day served after it
    names: tuple[str, ...]  # what closes them, in order: "vacances de Noël", "Ascension"

    @property
    def label(self) -> str:
        """``Vacances de Noël``; ``Ascension et pont de l'Ascension``."""
        text = self.names[0] if len(self.names) < 2 else (
            ", ".join(self.names[:-1]) + " et " + self.names[-1])
        return text[:1].upper() + text[1:]

    @property
    def span(self) -> str:
        """``Vacances de Noël : pas de repas du samedi 19 décembre au dimanche 3 janvier``."""
        first, last = self.after + timedelta(days=1), self.before - timedelta(days=1)
        days = (f"le {format_day(first)}" if first == last
                else f"du {format_day(first)} au {format_day(last)}")
        return f"{self.label} : pas de repas {days}"

    @property
    def text(self) -> str:
        """The whole of it in one sentence: ``Vacances de Noël : pas de repas du samedi 19
        décembre au dimanche 3 janvier ; reprise le lundi 4 janvier.``"""
        return f"{self.span} ; reprise le {format_day(self.before)}."


class KitchenService:
    """Meal counts for the central kitchen."""

    def __init__(self, booking: BookingService) -> None:
        self.booking = booking
        self.settings: Settings = booking.settings

    def check_kitchen(self, kitchen: str | None) -> None:
        """Raise :class:`UnknownKitchen` unless ``kitchen`` is None or configured."""
        if kitchen is not None and kitchen not in {k.id for k in self.settings.kitchens}:
            raise UnknownKitchen(kitchen)

    def kitchen_name(self, kitchen_id: str) -> str:
        for k in self.settings.kitchens:
            if k.id == kitchen_id:
                return k.name
        return kitchen_id

    def day(self, day: date, kitchen: str | None = None) -> DayCounts:
        """The counts of ``day``: locked figures with their adjustments, else provisional.

        Raises :class:`~restomairie.booking.errors.OutsideCalendar` past the shipped calendar,
        :class:`UnknownKitchen` for a kitchen that is not configured."""
        return self.days([day], kitchen)[0]

    def days(self, days: Sequence[date], kitchen: str | None = None) -> list[DayCounts]:
        """:meth:`day` for several days, read together (one query per kind of row)."""
        self.check_kitchen(kitchen)
        schools = [s for s in self.settings.schools if kitchen is None or s.kitchen == kitchen]
        ids = [s.id for s in schools]
        variants = self.settings.menu_variants
        now = self.booking.clock.now()
        with self.booking.sessions() as session:
            closures = self.booking.closures(session)
            # A day whose cut-off came before the database served its school is never locked
            # (:meth:`LockService.due`): not due, so never shown overdue, but never locked.
            starts = school_starts(session)
            locks = {
                (lk.school_id, lk.day): lk
                for lk in session.scalars(
                    select(DayLock)
                    .where(DayLock.day.in_(list(days)), DayLock.school_id.in_(ids))
                    .options(selectinload(DayLock.counts))
                )
            }
            adjustments: dict[int, list[Adjustment]] = {}
            if locks:
                lock_ids = [lk.id for lk in locks.values()]
                # Only these columns: the staff's reason (LockAdjustment.reason) is never read
                # for the kitchen.
                for lock_id, variant, delta, kind, actor, at in session.execute(
                    select(LockAdjustment.lock_id, LockAdjustment.variant, LockAdjustment.delta,
                           LockAdjustment.kind, LockAdjustment.actor, LockAdjustment.at)
                    .where(LockAdjustment.lock_id.in_(lock_ids))
                    .order_by(LockAdjustment.at, LockAdjustment.id)
                ):
                    adjustments.setdefault(lock_id, []).append(
                        Adjustment(variant, delta, kind, actor, at.astimezone(self.settings.tz))
                    )
            out = []
            for day in days:
                statuses = {
                    s.id: self.booking.day_status(day, s.id, "phone", closures) for s in schools
                }
                live_for = [
                    s.id for s in schools if statuses[s.id].operating and (s.id, day) not in locks
                ]
                live = queries.counts(session, day, live_for) if live_for else {}
                rows = []
                for s in schools:
                    st = statuses[s.id]
                    lock = locks.get((s.id, day))
                    deadline = (
                        self.booking.lock_deadline(day, s.id).deadline
                        if st.operating or st.closure else None
                    )
                    if lock is not None:
                        frozen = {c.variant: c.count for c in lock.counts}
                        rows.append(SchoolCounts(
                            s.id, s.name, s.kitchen, st.operating, st.reason, True,
                            lock.locked_at.astimezone(self.settings.tz), lock.late,
                            lock.deadline.astimezone(self.settings.tz),
                            {v: frozen.get(v, 0) for v in variants},
                            tuple(adjustments.get(lock.id, ())),
                        ))
                    else:
                        found = live.get(s.id, {})
                        passed = st.operating and deadline is not None and deadline <= now
                        since = starts.get(s.id)
                        never = (passed and deadline is not None
                                 and before_service(deadline, since))
                        due = passed and not never
                        overdue = due and deadline is not None and is_late(deadline, now)
                        rows.append(SchoolCounts(
                            s.id, s.name, s.kitchen, st.operating, st.reason, False, None, False,
                            deadline, {v: found.get(v, 0) for v in variants},
                            due=due, overdue=overdue, never_locked=never,
                            service_start=(since.astimezone(self.settings.tz)
                                           if never and since is not None else None),
                        ))
                out.append(DayCounts(day, variants, tuple(rows)))
        return out

    @property
    def calendar_range(self) -> tuple[date, date]:
        """The first and last day the school calendar in use covers (shipped, or a file)."""
        cal = self.booking.calendar
        return cal.first_covered, cal.last_covered

    def operating_days(self, start: date, count: int = 5, horizon: int = 120) -> list[date]:
        """The first ``count`` days from ``start`` (inclusive) on which at least one school's
        canteen serves lunch by the calendar (fewer when the shipped calendar ends first)."""
        found: list[date] = []
        day = start
        for _ in range(horizon):
            if len(found) >= count:
                break
            try:
                if any(self._serves(day, s.id) for s in self.settings.schools):
                    found.append(day)
            except (OutsideCalendar, CalendarCoverageError):
                break
            day += timedelta(days=1)
        return found

    def production_days(self, now: datetime | None = None) -> list[date]:
        """The meal days the kitchen produces now (cold chain: three operating days ahead).

        On a day with a cut-off, the days it locks: from 13:00 they are frozen and produced
        right after, and in the morning they are the ones the kitchen prepares for (the days
        locked at the previous cut-off were produced then). On a day without one (a
        Wednesday, a weekend), the days locked at the latest cut-off. Several days when one
        cut-off locks several (schools with other canteen days); none past the calendar.
        Today's own meals are never among them: they were produced days ago."""
        now = now or self.booking.clock.now()
        tz = self.settings.tz
        today = now.astimezone(tz).date()
        locking: dict[datetime, set[date]] = {}
        for school in self.settings.schools:
            try:
                for day, st in self.booking.days_to_cutoff(school.id, today, now):
                    if day > today and st.operating and st.deadline is not None:
                        locking.setdefault(st.deadline, set()).add(day)
            except (OutsideCalendar, CalendarCoverageError):
                continue
        last = max((c for c in locking if c <= now), default=None)
        nxt = min((c for c in locking if c > now), default=None)
        on_today = [c for c in (last, nxt) if c is not None and c.astimezone(tz).date() == today]
        cutoff = on_today[0] if on_today else last or nxt
        return sorted(locking[cutoff]) if cutoff is not None else []

    def breaks(self, days: Sequence[date]) -> list[Break]:
        """The :class:`Break` between each two following ``days`` (operating days, in order)
        that have canteen weekdays without lunch between them: what a page listing those days
        says between them, so that "ven. 18" then "lun. 4" reads as the Christmas holidays.

        A weekday inside the school holidays is named by them (Christmas Day is in the
        "vacances de Noël"), another by its own reason (a public holiday)."""
        calendar = self.booking.calendar
        weekdays = {s.id: self.settings.weekdays_of(s) for s in self.settings.schools}
        found = []
        for after, before in pairwise(days):
            names: list[str] = []
            day = after + timedelta(days=1)
            while day < before:
                school = next((s for s, wd in weekdays.items() if day.weekday() in wd), None)
                if school is not None:
                    holiday = calendar.school_holidays.reason_closed(self.settings.zone, day)
                    reason = holiday or self.booking.day_status(day, school).reason
                    name = closed_reason(day, reason)
                    if name and name not in names:
                        names.append(name)
                day += timedelta(days=1)
            if names:
                found.append(Break(after, before, tuple(names)))
        return found

    def _serves(self, day: date, school_id: str) -> bool:
        return self.booking.day_status(day, school_id).operating

    def upcoming(
        self, start: date | None = None, count: int = 5, kitchen: str | None = None
    ) -> list[DayCounts]:
        """The counts of the next ``count`` operating days from ``start`` (default: today)."""
        start = start or self.booking.clock.today()
        return self.days(self.operating_days(start, count), kitchen)
