"""Test data written straight to the store (the import has its own tests)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from restomairie.booking.services import hash_pin
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.models import Child, Family, FamilyPhone, Subscription
from restomairie.runtime import Runtime

MON_TUE_THU_FRI = 0b0011011
# When the families written here came in: with their children's enrolment (KidSpec), at the
# start of the 2024 school year. They stand for a town served for a while, so the lock's
# catch-up (which never goes back before the first family came: restomairie.booking.locks.
# service_start) reaches the days these tests look at. A fresh install's test passes its own.
ESTABLISHED = datetime(2024, 9, 1, 8, 0, tzinfo=PARIS)


@dataclass
class KidSpec:
    ref: str
    first_name: str
    school: str = "anjou-elem"
    diet: str = "standard"
    weekdays: int = MON_TUE_THU_FRI  # 0: abonnement choisi
    enrolled_from: date = date(2024, 9, 1)
    enrolled_until: date | None = None
    subscribed_from: date = date(2024, 9, 1)


def make_family(
    rt: Runtime,
    account: str = "210001",
    pin: str = "1234",
    phones: Sequence[str] = ("+33612345678",),
    kids: Sequence[KidSpec] = (KidSpec("E1", "Léa"),),
    language: str = "fr",
    created_at: datetime = ESTABLISHED,
) -> str:
    with rt.sessions() as session, session.begin():
        family = Family(
            account=account,
            pin_hash=hash_pin(pin),
            guardian=f"Famille {account}",
            language=language,
            failed_pins=0,
            created_at=created_at,
            phones=[FamilyPhone(number=p) for p in phones],
        )
        session.add(family)
        session.flush()
        for k in kids:
            child = Child(
                ref=k.ref,
                family_id=family.id,
                first_name=k.first_name,
                last_name="Test",
                school_id=k.school,
                diet=k.diet,
                enrolled_from=k.enrolled_from,
                enrolled_until=k.enrolled_until,
                school_since=created_at,
            )
            session.add(child)
            session.flush()
            if k.weekdays:
                session.add(
                    Subscription(
                        child_id=child.id, weekdays=k.weekdays, starts_on=k.subscribed_from
                    )
                )
    return account


def two_deadlines_family(settings: Settings, clock: Clock, engine: Engine) -> Runtime:
    """Family 210001 (code 1234, +33612345678): Léa at Anjou, Hugo at Champollion, whose canteen
    also serves on Wednesdays, so its deadlines come a school day later (Thursday 3 December:
    Tuesday 1st at 13:00, not Monday 30 November); the clock on Tuesday 1 December, 9:30, when
    a change for both on Thursday 3 is too late for Léa only."""
    schools = tuple(
        dataclasses.replace(school, canteen_weekdays=frozenset(range(5)))
        if school.id == "champollion-elem"
        else school
        for school in settings.schools
    )
    rt = Runtime.build(
        settings=dataclasses.replace(settings, schools=schools), clock=clock, engine=engine
    )
    rt.sync_schools()
    make_family(
        rt, "210001", "1234", ("+33612345678",),
        (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", school="champollion-elem")),
    )  # fmt: skip
    clock.frozen = datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
    return rt
