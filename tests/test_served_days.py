"""A change for a day whose meals were already served corrects the bill, never the kitchen's
record of that day (DOMAIN.md §5: after the lock, staff changes are adjustments beside the figure;
once the meals are eaten there is nothing left to adjust).

"Served": a day before today, or today once the lunch service is over (``town.lunch_ends``,
14:00 by default). Today before then still gets its adjustment: the school's delivery note and
the meals on site can still follow it.

The clock: Monday 23 November 2026, 13:05, as the tester had it. Anjou's Friday 20, Monday 23,
Tuesday 24 and Thursday 26 are locked at their cut-offs."""

from __future__ import annotations

from datetime import date, datetime, time
from html import unescape
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from restomairie.booking.adjustments import served
from restomairie.booking.errors import BookingError
from restomairie.booking.importer import import_csv
from restomairie.booking.services import Actor
from restomairie.cli import main
from restomairie.clock import PARIS
from restomairie.config import ConfigError, Settings, load_config, parse_settings
from restomairie.kitchen.service import KitchenService
from restomairie.models import AuditEntry, DayLock, LockAdjustment
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService
from tests.factories import KidSpec, make_family
from tests.kitchen_support import TOKEN, with_token
from tests.staff_support import login, make_user, post

STAFF = Actor("staff", "marie", "staff")
FRI_20, MON_23, TUE_24, THU_26 = (date(2026, 11, d) for d in (20, 23, 24, 26))
CUTOFFS = {  # Dijon: 13:00 on the second operating day before the meal
    FRI_20: datetime(2026, 11, 17, 13, 0, tzinfo=PARIS),
    MON_23: datetime(2026, 11, 19, 13, 0, tzinfo=PARIS),
    TUE_24: datetime(2026, 11, 20, 13, 0, tzinfo=PARIS),
    THU_26: datetime(2026, 11, 23, 13, 0, tzinfo=PARIS),
}
AT_13_05 = datetime(2026, 11, 23, 13, 5, tzinfo=PARIS)
SERVED_NOTE = "jour passé : facturation corrigée, rien à changer pour la cuisine"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    """Rose (E1) and Nathan (E2) eat at Anjou on Mondays, Tuesdays, Thursdays and Fridays;
    each of those days locked at its cut-off; the clock at Monday 23, 13:05."""
    make_family(rt, "210001", kids=[KidSpec("E1", "Rose"), KidSpec("E2", "Nathan")])
    for day, cutoff in CUTOFFS.items():
        rt.clock.frozen = cutoff  # the lock stamps the later of its ``now`` and the clock's
        rt.locks.lock_day("anjou-elem", day)
    rt.clock.frozen = AT_13_05
    return rt


def _adjustments(rt: Runtime) -> list[tuple[date, int, str]]:
    with rt.sessions() as s:
        return [(day, delta, kind) for day, delta, kind in s.execute(
            select(DayLock.day, LockAdjustment.delta, LockAdjustment.kind)
            .join(DayLock, DayLock.id == LockAdjustment.lock_id)
            .order_by(LockAdjustment.id))]


def _to_produce(rt: Runtime, day: date) -> int:
    return KitchenService(rt.booking).day(day).site("anjou-elem").to_produce


# --------------------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    ("day", "now", "expected"),
    [
        (FRI_20, datetime(2026, 11, 23, 8, 0), True),  # a day gone by
        (MON_23, datetime(2026, 11, 23, 13, 59, 59), False),  # today, lunch not over
        (MON_23, datetime(2026, 11, 23, 14, 0), True),  # today, after the service
        (TUE_24, datetime(2026, 11, 23, 23, 59), False),  # tomorrow
    ],
)
def test_a_day_is_served_once_past_or_today_after_lunch(
    day: date, now: datetime, expected: bool
) -> None:
    assert served(day, now.replace(tzinfo=PARIS), time(14, 0)) is expected


def test_the_end_of_lunch_is_configuration_with_a_default() -> None:
    dijon = load_config("dijon", environ={})
    assert dijon.lunch_ends == time(14, 0)
    raw: dict[str, Any] = {
        "town": {"name": "X", "zone": "A", "canteen_weekdays": ["lun"], "lunch_ends": "13:30"},
        "deadline": {"kind": "operating_days", "days": 2, "at": "13:00"},
        "phone": {"opens": "08:00", "closes": "13:00"},
        "kitchens": [{"id": "k", "name": "K"}],
        "schools": [{"id": "s", "name": "S", "kitchen": "k"}],
    }
    assert parse_settings(raw, environ={}).lunch_ends == time(13, 30)
    raw["town"]["lunch_ends"] = "midi"
    with pytest.raises(ConfigError, match=r"« town\.lunch_ends » doit être une heure HH:MM"):
        parse_settings(raw, environ={})


# --------------------------------------------------------------------------- a forced change
def test_a_billing_correction_on_a_past_day_changes_the_bill_not_the_kitchen(
    town: Runtime,
) -> None:
    before = _to_produce(town, FRI_20)
    assert before == 2
    with pytest.raises(BookingError):  # past and locked: only a forced change goes through
        town.booking.cancel("210001", [FRI_20], STAFF, ["E1"])
    (result,) = town.booking.cancel(
        "210001", [FRI_20], STAFF, ["E1"], override_reason="erreur de facturation")
    assert result.changed and result.served and not result.adjusted
    # The bill: Rose's Friday is cancelled, and the audit says who, why, and that it was billing.
    state = town.booking.state("210001", "E1", FRI_20)
    assert (state.booked, state.source) == (False, "cancelled")
    with town.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "cancel")).one()
        adjustments = s.scalar(select(func.count()).select_from(LockAdjustment))
    assert entry.day == FRI_20 and entry.detail == {
        "override": "erreur de facturation", "served": True}
    # The kitchen: 2 meals were cooked and delivered, and that stays the record.
    assert adjustments == 0
    day = KitchenService(town.booking).day(FRI_20)
    assert day.to_produce == before and day.adjustments == []


@pytest.mark.parametrize(("at", "adjusted"), [(time(13, 59), True), (time(14, 0), False)])
def test_today_is_adjusted_until_the_end_of_lunch_then_billing_only(
    town: Runtime, at: time, adjusted: bool
) -> None:
    town.clock.frozen = datetime.combine(MON_23, at, tzinfo=PARIS)
    (result,) = town.booking.cancel("210001", [MON_23], STAFF, ["E1"], override_reason="malade")
    assert (result.adjusted, result.served) == (adjusted, not adjusted)
    assert _to_produce(town, MON_23) == (1 if adjusted else 2)
    assert not town.booking.state("210001", "E1", MON_23).booked  # the bill either way


def test_a_forced_change_for_a_day_to_come_is_still_an_adjustment(town: Runtime) -> None:
    (result,) = town.booking.cancel("210001", [THU_26], STAFF, ["E1"], override_reason="malade")
    assert result.adjusted and not result.served
    assert _adjustments(town) == [(THU_26, -1, "override")]
    assert _to_produce(town, THU_26) == 1


def test_a_pattern_ended_from_a_past_day_adjusts_only_the_days_still_to_serve(
    town: Runtime,
) -> None:
    town.booking.end_subscription("210001", "E1", FRI_20, STAFF, override_reason="déménagement")
    # Friday 20 (past): billing only; Monday 23 at 13:05: lunch not over; then Tuesday, Thursday.
    assert _adjustments(town) == [
        (MON_23, -1, "override"), (TUE_24, -1, "override"), (THU_26, -1, "override"),
    ]
    assert _to_produce(town, FRI_20) == 2
    assert not town.booking.state("210001", "E1", FRI_20).booked


def test_a_closure_declared_for_past_days_un_bills_them_and_leaves_the_kitchen_alone(
    town: Runtime,
) -> None:
    report = StaffService(town.booking).declare_closure(
        "anjou-elem", FRI_20, TUE_24, "strike", "", STAFF, confirm_past=True)
    # Friday 20 gone by: un-billed only; Monday 23 (13:05) and Tuesday 24 taken to 0.
    assert (report.meals, report.adjustments) == (6, 4)
    assert sorted(_adjustments(town)) == [  # one per child and day
        (MON_23, -1, "closure"), (MON_23, -1, "closure"),
        (TUE_24, -1, "closure"), (TUE_24, -1, "closure"),
    ]
    assert _to_produce(town, FRI_20) == 2 and _to_produce(town, MON_23) == 0
    state = town.booking.state("210001", "E1", FRI_20)
    assert (state.booked, state.source) == (False, "closed")  # not billed


def test_an_import_after_lunch_leaves_today_as_served_and_adjusts_the_days_to_come(
    town: Runtime,
) -> None:
    town.clock.frozen = datetime(2026, 11, 23, 14, 30, tzinfo=PARIS)
    row = "210001,1234,+33612345678,Famille 210001,{},{},Test,,{},{},lun mar jeu ven\n"
    report = import_csv(town.booking, (
        "family,pin,phones,guardian,child,first_name,last_name,birth_date,school,diet,days\n"
        + row.format("E1", "Rose", "anjou-elem", "vegetarien")
        + row.format("E2", "Nathan", "anjou-elem", "standard")
    ).encode(), Actor("staff", "marie", "import"))
    assert sorted(_adjustments(town)) == [
        (TUE_24, -1, "import"), (TUE_24, 1, "import"),
        (THU_26, -1, "import"), (THU_26, 1, "import"),
    ]
    assert report.adjustments == 4
    assert _to_produce(town, MON_23) == 2


# --------------------------------------------------------------------------- what staff see
def test_the_staff_page_says_the_bill_was_corrected_and_the_kitchen_keeps_its_figure(
    town: Runtime, app: Flask
) -> None:
    make_user(town, "agent", "staff")
    staff = app.test_client()
    assert login(staff, "agent").status_code == 302
    kitchen = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = kitchen.get("/kitchen/counts?date=2026-11-20", headers=auth).get_json()
    done = post(staff, "/staff/families/210001/change", {
        "action": "cancel", "child": "E1", "day": "2026-11-20", "override": "1",
        "reason": "erreur de facturation", "back": "/staff/families/210001/children/E1",
    }, follow_redirects=True)
    text = unescape(done.get_data(as_text=True))
    assert f"Rose, vendredi 20 novembre : annulé — délai forcé — {SERVED_NOTE}" in text
    assert "ajustement cuisine" not in text
    # The history says it too, with the full reason.
    assert ("forçage (repas déjà servi : facturation seule, rien pour la cuisine) :</strong> "
            "erreur de facturation") in text
    after = kitchen.get("/kitchen/counts?date=2026-11-20", headers=auth).get_json()
    assert after["to_produce"] == before["to_produce"] == 2
    assert after["adjusted_total"] == before["adjusted_total"]
    assert all(s["adjustments"] == [] for s in after["schools"])
    # The calendar of the child (the bill) shows the meal cancelled.
    assert not town.booking.state("210001", "E1", FRI_20).booked


def test_today_after_lunch_the_page_says_the_meal_was_served(town: Runtime, app: Flask) -> None:
    town.clock.frozen = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS)
    make_user(town, "agent", "staff")
    staff = app.test_client()
    login(staff, "agent")
    done = post(staff, "/staff/families/210001/change", {
        "action": "cancel", "child": "E2", "day": "2026-11-23", "override": "1",
        "reason": "absent", "back": "/staff/families/210001",
    }, follow_redirects=True)
    assert ("Nathan, lundi 23 novembre : annulé — délai forcé — repas du jour déjà servi : "
            "facturation "
            "corrigée, rien à changer pour la cuisine") in unescape(done.get_data(as_text=True))


def test_the_command_line_says_so_too(town: Runtime) -> None:
    out = CliRunner().invoke(
        main, ["cancel", "210001", "E1", "2026-11-20", "--override", "erreur de facturation",
               "--user", "marie"], obj={"runtime": town})
    assert out.exit_code == 0, out.output
    assert out.output.strip() == f"Rose — vendredi 20 novembre 2026 : annulé ({SERVED_NOTE})"
