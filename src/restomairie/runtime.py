"""Wires a deployment together: configuration, clock, database and services.

The command line, the web application and the scheduler each build one :class:`Runtime`; nothing
here connects to anything until it is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from restomairie.booking.locks import LockService
from restomairie.booking.services import BookingService
from restomairie.calendar.days import SchoolCalendar
from restomairie.clock import Clock
from restomairie.config import Settings, load_config
from restomairie.db import make_engine, make_read_session_factory, make_session_factory
from restomairie.models import School

_CALENDARS: dict[tuple[str, str, bool], SchoolCalendar] = {}


def shared_calendar(settings: Settings) -> SchoolCalendar:
    """One calendar (and its indexes) per town per process."""
    key = (str(settings.tz), settings.zone, settings.alsace_moselle)
    cal = _CALENDARS.get(key)
    if cal is None:
        cal = SchoolCalendar(
            tz=settings.tz, zone=settings.zone, alsace_moselle=settings.alsace_moselle
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

    @classmethod
    def build(
        cls,
        config: str | None = None,
        environ: Mapping[str, str] | None = None,
        settings: Settings | None = None,
        clock: Clock | None = None,
        engine: Engine | None = None,
        **engine_kwargs: Any,
    ) -> Runtime:
        """Load the configuration (unless given) and build everything from it."""
        env = os.environ if environ is None else environ
        settings = settings or load_config(config, env)
        clock = clock or Clock.from_env(settings.tz, dict(env))
        engine = engine or make_engine(settings.database_url, **engine_kwargs)
        sessions = make_session_factory(engine)
        booking = BookingService(
            settings,
            sessions,
            clock,
            shared_calendar(settings),
            make_read_session_factory(engine),
            engine,
        )
        return cls(settings, clock, engine, sessions, booking, LockService(booking))

    def sync_schools(self) -> None:
        """Mirror the configured schools into the database (the file is the truth)."""
        with self.sessions() as session, session.begin():
            known = {s.id: s for s in session.scalars(select(School))}
            for s in self.settings.schools:
                row = known.get(s.id)
                if row is None:
                    session.add(School(id=s.id, name=s.name, kitchen=s.kitchen))
                else:
                    row.name, row.kitchen = s.name, s.kitchen
