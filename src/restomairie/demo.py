"""A realistic demo town: about fifty families over the configured schools, both kinds of
subscription, phone numbers and codes to try the line with. Deterministic (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from restomairie.booking.importer import ImportReport, import_csv
from restomairie.booking.locks import LockService, service_start
from restomairie.booking.services import Actor, BookingService, name_key
from restomairie.calendar.schoolholidays import CalendarCoverageError
from restomairie.clock import Clock
from restomairie.models import Child, Family, StaffUser

FIRST_NAMES = (
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Emma",
    "Nathan",
    "Jade",
    "Louis",
    "Inès",
    "Gabriel",
    "Manon",
    "Raphaël",
    "Zoé",
    "Arthur",
    "Lina",
    "Jules",
    "Camille",
    "Adam",
    "Sarah",
    "Noé",
    "Alice",
    "Ethan",
    "Louise",
    "Mohamed",
    "Ambre",
    "Paul",
    "Yasmine",
    "Tom",
    "Anaïs",
    "Sacha",
    "Maël",
    "Rose",
    "Timéo",
    "Lou",
    "Aylin",
    "Éloïse",
    "Malo",
    "Nour",
    "Axel",
    "Margaux",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Benali",
    "Nguyen",
    "Diallo",
    "Da Silva",
    "Haddad",
)
PATTERNS = ("lun mar jeu ven", "lun mar jeu ven", "lun mar jeu ven", "lun jeu", "mar ven", "")
DIETS = ("standard",) * 6 + ("sans_porc", "sans_porc", "vegetarien", "pai")


@dataclass(frozen=True)
class DemoFamily:
    account: str
    pin: str
    phone: str
    guardian: str
    children: tuple[str, ...]


# The account the demo creates for the in-browser phone (``restomairie demo`` prints its password).
DEMO_USER = "demo"


@dataclass(frozen=True)
class NotADemo:
    """What stops the demo from loading into a database: its families that the demo did not
    write (account numbers), or, in a database without families, its staff accounts."""

    families: list[str]
    users: list[str]


def demo_csv(
    school_ids: list[str], families: int = 50, seed: int = 2026
) -> tuple[str, list[DemoFamily]]:
    """The demo town as an import file (so the demo goes through the real import)."""
    return _demo_rows(school_ids, families, seed)[:2]


def _demo_rows(
    school_ids: list[str], families: int = 50, seed: int = 2026
) -> tuple[str, list[DemoFamily], set[tuple[str, str]]]:
    """The demo's import file, its families, and its (account, child reference) pairs."""
    rng = random.Random(seed)
    lines = ["family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days"]
    out = []
    pairs = set()
    child_no = 1
    for i in range(families):
        account = f"{210500 + i}"
        pin = f"{rng.randrange(10000):04d}"
        last = LAST_NAMES[i % len(LAST_NAMES)]
        phone = f"+336{rng.randrange(10**8):08d}"
        phones = phone if i % 7 else f"{phone}, +333{rng.randrange(10**8):08d}"
        guardian = f"{rng.choice(('Mme', 'M.'))} {last}"
        school = rng.choice(school_ids)
        names = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            first = rng.choice([n for n in FIRST_NAMES if n not in names])
            names.append(first)
            birth = (
                f"{rng.randrange(2015, 2022)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            )
            lines.append(
                f"{account};{pin};{phones};{guardian};E{child_no:05d};{first};{last};{birth};"
                f"{school};{rng.choice(DIETS)};{rng.choice(PATTERNS)}"
            )
            pairs.add((account, f"E{child_no:05d}"))
            child_no += 1
        out.append(DemoFamily(account, pin, phone, guardian, tuple(sorted(names, key=name_key))))
    return "\n".join(lines) + "\n", out, pairs


def not_a_demo(engine: Engine, school_ids: list[str], families: int = 50) -> NotADemo | None:
    """Why the demo must not load into this database, or None when it may: the demo writes
    over the families whose account numbers it uses (code, phones, guardian) and adds its own
    beside them, so it loads only into an empty database or a previous demo's.

    A previous demo's is recognised by its content, so that one made by any version is: each
    family is one the demo writes (its account number, and its children's references as the
    demo gives them with this configuration's schools). Staff accounts other than ``demo`` stop
    it only in a database without families (one being set up for real: the accounts come
    before the import); in a demo's, they are the ones created to try the pages. Reads only:
    a database without tables (new) is empty."""
    if not inspect(engine).has_table("families"):
        return None
    with Session(engine) as session:
        found = session.execute(
            select(Family.account, Child.ref).outerjoin(Child, Child.family_id == Family.id)
        ).all()
        users = list(session.scalars(
            select(StaffUser.username).where(StaffUser.username != DEMO_USER)
            .order_by(StaffUser.username)
        ))
    accounts = {account for account, _ in found}
    _, _, pairs = _demo_rows(school_ids, max(families, len(accounts)))
    # A family without children (ref None) is none of the demo's either.
    foreign = sorted({account for account, ref in found if (account, ref) not in pairs})
    if foreign:
        return NotADemo(foreign, [])
    if not accounts and users:
        return NotADemo([], users)
    return None


def load_demo(service: BookingService, families: int = 50) -> tuple[ImportReport, list[DemoFamily]]:
    """Load the demo town through the import (idempotent: a second run updates in place), then
    lock its past days as the scheduler would have.

    The demo is a town that has run the service for some weeks (:func:`first_meals`): the first
    load imports its families, enrolled and subscribed from then, just before the cut-off of
    those first meals (:func:`opening`), so that every day since is due to the lock
    (:func:`~restomairie.booking.locks.school_starts`) and none is « never locked ». Each
    cut-off passed since is then replayed in order (:func:`replay_cutoffs`): the kitchen pages
    show today's and the next days' counts locked on time, and the past ones the same way. A
    later run imports at the present time, as a town's next import would, and locks the
    cut-offs passed since the last run."""
    data, listing = demo_csv([s.id for s in service.settings.schools], families)
    now = service.clock.now()
    since = first_meals(service, now)
    with service.read_sessions() as session:
        serving = service_start(session) is not None
    importer = service if serving else at_time(service, opening(service, since, now))
    report = import_csv(importer, data, Actor("system", "demo", "import"), since=since)
    replay_cutoffs(service, now)
    return report, listing


# The demo town's history: its first meals are the rentrée's when the school year started this
# recently, else those of this many days ago (four weeks: the month on the staff's calendars).
# Each canteen day since is a lock per school for ``demo`` to replay (Dijon: ten transactions),
# so a demo loaded in June does not replay the whole year.
HISTORY_DAYS = 28
# How long before the cut-off of its first meals the demo town imports its families.
OPENING_LEAD = timedelta(hours=1)
# How far the first canteen day is looked for (past the summer break from early July).
FIRST_DAY_HORIZON = 120


def first_meals(service: BookingService, now: datetime) -> date:
    """The day from which the demo town's children are enrolled and subscribed: the rentrée of
    the current school year, or :data:`HISTORY_DAYS` ago if later (never before the calendar)."""
    today = now.date()
    rentree = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    recent = today - timedelta(days=HISTORY_DAYS)
    return max(rentree, recent, service.calendar.first_covered)


def opening(service: BookingService, since: date, now: datetime) -> datetime:
    """When the demo town imported its families: :data:`OPENING_LEAD` before the first cut-off
    of the meals from ``since`` (the rentrée's have theirs before the summer), never after
    ``now``; at the start of ``since`` when the calendar knows no such cut-off."""
    firsts = []
    for school in service.settings.schools:
        day = since
        for _ in range(FIRST_DAY_HORIZON):
            try:
                st = service.lock_deadline(day, school.id)
            except CalendarCoverageError:
                break
            if st.operating and st.deadline is not None:
                firsts.append(st.deadline)
                break
            day += timedelta(days=1)
    tz = service.settings.tz
    start = min(firsts) - OPENING_LEAD if firsts else datetime.combine(since, time(), tz)
    return min(start, now)


def at_time(service: BookingService, clock: Clock | datetime) -> BookingService:
    """The same booking service on the same database, its clock frozen at another time."""
    if isinstance(clock, datetime):
        clock = Clock(service.settings.tz, frozen=clock)
    return BookingService(
        service.settings, service.sessions, clock, calendar=service.calendar,
        read_sessions=service.read_sessions, engine=service.engine,
    )


def replay_cutoffs(service: BookingService, now: datetime) -> int:
    """Take every lock due at ``now`` as the scheduler would have taken it: cut-off after
    cut-off, each at its own time (:meth:`LockService.lock_due` on a clock set to it), so the
    locks are on time. Each counts the bookings as they stand, which for the demo's days are
    those of its cut-off: the booking path changes no day past it. The number of days locked.

    Only for the demo: a real town's missed cut-offs are caught up late, and say so."""
    from restomairie.scheduler import LOCK_WORKERS  # the scheduler's own (imports APScheduler)

    clock = Clock(service.settings.tz, frozen=now)
    locks = LockService(at_time(service, clock))
    with service.read_sessions() as session:
        start = service_start(session)
    if start is None:
        return 0
    back = (now.date() - start.astimezone(service.settings.tz).date()).days + 1
    done = 0
    for cutoff in sorted({deadline for _, _, deadline in locks.due(now, back)}):
        clock.frozen = cutoff
        done += sum(1 for r in locks.lock_due(cutoff, workers=LOCK_WORKERS) if r.created)
    return done
