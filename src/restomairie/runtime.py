"""Wires a deployment together: configuration, clock, database and services.

The command line, the web application and the scheduler each build one :class:`Runtime`; nothing
here connects to anything until it is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from restomairie.booking.locks import LockService
from restomairie.booking.services import BookingService
from restomairie.calendar.calendarfile import (
    CalendarFile,
    CalendarFileError,
    check_coverage,
    read_calendar_file,
    shipped_calendar_file,
)
from restomairie.calendar.days import SchoolCalendar
from restomairie.calendar.schoolholidays import SchoolHolidayCalendar
from restomairie.clock import Clock
from restomairie.config import ConfigError, Settings, load_config
from restomairie.db import (
    DEFAULT_CONCURRENCY,
    DatabaseUrlError,
    engine_for,
    make_read_session_factory,
    make_session_factory,
)
from restomairie.models import Child, Family, School

_CALENDARS: dict[tuple[str, str, bool, SchoolHolidayCalendar], SchoolCalendar] = {}
_FILES: dict[tuple[str, int, int], CalendarFile] = {}


def calendar_file_in_use(settings: Settings, today: date) -> CalendarFile:
    """The school calendar the deployment uses: the configured file, else the shipped one.

    A configured file is read once per version of it (path, modification time, size) and checked
    against ``today`` every time (it must know today's school year and at least the shipped
    calendar's days: see :func:`restomairie.calendar.calendarfile.check_coverage`).

    Raises:
        ConfigError: the file is unreadable or refused; the French sentence names the file and
            the problem, and the service does not start.
    """
    path = settings.calendar_file
    if path is None:
        return shipped_calendar_file()
    try:
        stat = path.stat()
        version = (str(path), stat.st_mtime_ns, stat.st_size)
        found = _FILES.get(version)
        if found is None:
            found = _FILES[version] = read_calendar_file(path)
        check_coverage(found.calendar, today, shipped_calendar_file().calendar)
    except OSError as exc:
        raise ConfigError(
            settings.calendar_file_key,
            f": le fichier de calendrier scolaire {path} est illisible ({exc.strerror})",
        ) from exc
    except CalendarFileError as exc:
        raise ConfigError(
            settings.calendar_file_key,
            f": le fichier de calendrier scolaire {path} est refusé : {exc}",
        ) from exc
    return found


def shared_calendar(settings: Settings, today: date | None = None) -> SchoolCalendar:
    """One calendar (and its indexes) per town and school-holiday data per process.

    ``today`` (default: the real date in the town) is what a configured calendar file is
    checked against; pass the runtime clock's.

    Raises:
        ConfigError: the configured calendar file is refused (see :func:`calendar_file_in_use`).
    """
    day = today or Clock(settings.tz).today()
    holidays = calendar_file_in_use(settings, day).calendar
    key = (str(settings.tz), settings.zone, settings.alsace_moselle, holidays)
    cal = _CALENDARS.get(key)
    if cal is None:
        cal = SchoolCalendar(
            tz=settings.tz,
            zone=settings.zone,
            alsace_moselle=settings.alsace_moselle,
            school_holidays=holidays,
        )
        _CALENDARS[key] = cal
    return cal


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    booking: BookingService
    locks: LockService
    # The requests (or jobs) this process runs at once, which its database pools were sized for.
    concurrency: int = DEFAULT_CONCURRENCY

    @classmethod
    def build(
        cls,
        config: str | None = None,
        environ: Mapping[str, str] | None = None,
        settings: Settings | None = None,
        clock: Clock | None = None,
        engine: Engine | None = None,
        concurrency: int | None = None,
        **engine_kwargs: Any,
    ) -> Runtime:
        """Load the configuration (unless given) and build everything from it.

        ``concurrency`` is how many requests (or jobs) the process runs at once: each database
        pool keeps that many connections (see :func:`restomairie.db.make_engine`). None: the
        deployment's web server's, ``RESTOMAIRIE_THREADS`` (:attr:`Settings.threads`), else 8;
        the commands and the scheduler give their own, small.

        Raises:
            ConfigError: the configuration is wrong, or its database URL is (not a URL, or a
                database whose driver is not installed); nothing has connected yet.
        """
        env = os.environ if environ is None else environ
        settings = settings or load_config(config, env)
        clock = clock or Clock.from_env(settings.tz, dict(env))
        concurrency = concurrency or settings.threads or DEFAULT_CONCURRENCY
        if engine is None:
            try:
                engine = engine_for(
                    settings.database_url, concurrency=concurrency, **engine_kwargs
                )
            except DatabaseUrlError as exc:
                raise ConfigError(settings.database_url_key, f": {exc}") from exc
        sessions = make_session_factory(engine)
        booking = BookingService(
            settings,
            sessions,
            clock,
            shared_calendar(settings, clock.today()),
            make_read_session_factory(engine),
            engine,
        )
        return cls(
            settings, clock, engine, sessions, booking, LockService(booking), concurrency
        )

    def unconfigured_schools(self) -> dict[str, int]:
        """The schools the database's children are in that the configuration does not list,
        with how many children each: their pages and their calls would fail (a school taken
        out of the town's file, or another town's file)."""
        configured = [s.id for s in self.settings.schools]
        with self.sessions() as session:
            rows = session.execute(
                select(Child.school_id, func.count())
                .where(Child.school_id.not_in(configured))
                .group_by(Child.school_id)
                .order_by(Child.school_id)
            ).all()
        return {school: count for school, count in rows}

    def check_town(self) -> None:
        """Refuse (:class:`ConfigError`, before anything is written) a database whose children
        are all in schools the configuration does not list: the file of another town (or the
        database of another town), with which a lock would lock this town's empty schools, mirror
        them into the database and leave every real child uncounted. A fresh database (no child)
        is fine, and so is a school taken out of the town's file while the others stay: that is
        a warning (:meth:`unconfigured_schools`), the other schools' days must still be locked."""
        missing = self.unconfigured_schools()
        if not missing:
            return
        configured = [s.id for s in self.settings.schools]
        with self.sessions() as session:
            known = session.scalar(
                select(func.count()).select_from(Child).where(Child.school_id.in_(configured))
            )
        if known:
            return
        listed = ", ".join(f"{school} ({n})" for school, n in missing.items())
        raise ConfigError(
            "schools",
            f"de {self.settings.town} ({self.settings.source}) : aucun des "
            f"{sum(missing.values())} enfant(s) de la base de données n'est dans une de ces "
            f"écoles ; ils sont dans {listed}. C'est le fichier d'une autre ville, ou la base "
            f"d'une autre ville (voir --config, RESTOMAIRIE_CONFIG et "
            f"{self.settings.database_url_key}). Rien n'a été écrit",
        )

    def sync_schools(self) -> None:
        """Mirror the configured schools into the database (the file is the truth). A school
        new to the file of a database that serves the town already (it has families) is
        stamped with the time (:attr:`School.added_at`): until its own children come in, it
        is served from then, not from the town's first import (the lock would otherwise catch
        up the weeks before at 0 meals, late)."""
        with self.sessions() as session, session.begin():
            known = {s.id: s for s in session.scalars(select(School))}
            serving = session.scalar(select(Family.id).limit(1)) is not None
            for s in self.settings.schools:
                row = known.get(s.id)
                if row is None:
                    session.add(School(id=s.id, name=s.name, kitchen=s.kitchen,
                                       added_at=self.clock.now() if serving else None))
                else:
                    row.name, row.kitchen = s.name, s.kitchen
