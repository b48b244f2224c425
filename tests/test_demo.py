"""``restomairie demo``: a town that has run the service for some weeks, every cut-off since
locked at its time as the scheduler would have, so that the kitchen's first look is a running
service's (the next days locked) and not a fresh install's « non verrouillé, avant la mise en
service » on the very days it is cooking for."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select

from restomairie.cli import main
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.demo import load_demo
from restomairie.kitchen.service import KitchenService
from restomairie.models import DayLock
from restomairie.runtime import Runtime
from tests.kitchen_support import TOKEN, with_token

MON_0930 = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
MON_1330 = datetime(2026, 11, 23, 13, 30, tzinfo=PARIS)  # Thursday 26's cut-off has passed
WED_1000 = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)  # no canteen on Wednesday


def cutoff(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 13, 0, tzinfo=PARIS)


# At each time, the next meal days the kitchen reads, locked at their cut-off (on time), and the
# first one whose cut-off is still to come (provisional).
NEXT_DAYS = {
    MON_0930: ({date(2026, 11, 23): cutoff(19), date(2026, 11, 24): cutoff(20)},
               date(2026, 11, 26)),
    MON_1330: ({date(2026, 11, 24): cutoff(20), date(2026, 11, 26): cutoff(23)},
               date(2026, 11, 27)),
    WED_1000: ({date(2026, 11, 26): cutoff(23), date(2026, 11, 27): cutoff(24)},
               date(2026, 11, 30)),
}


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> Clock:
    return Clock(tz=PARIS, frozen=getattr(request, "param", MON_0930))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.mark.parametrize("clock", list(NEXT_DAYS), indirect=True, ids=["mon", "mon13h", "wed"])
def test_after_the_demo_the_kitchen_reads_the_next_days_locked_on_time(
    rt: Runtime, clock: Clock
) -> None:
    load_demo(rt.booking)
    locked, provisional = NEXT_DAYS[clock.now()]
    kitchen = KitchenService(rt.booking)
    for counts in kitchen.days(list(locked)):
        assert counts.state == "locked", (counts.day, counts.state)
        assert counts.total > 20  # the families' meals, frozen
        for s in counts.schools:
            assert s.locked_at == s.deadline == locked[counts.day] and not s.late, s
    after = kitchen.day(provisional)
    assert after.state == "provisional" and after.total > 20


def test_no_day_since_the_demo_s_start_is_never_locked_nor_waiting(rt: Runtime) -> None:
    now = rt.clock.now()
    load_demo(rt.booking)
    start = rt.locks.service_start()
    assert start is not None and now - start > timedelta(weeks=3)  # a town running for weeks
    kitchen = KitchenService(rt.booking)
    days = kitchen.days([start.date() + timedelta(days=i)
                         for i in range((now.date() - start.date()).days + 15)])
    served = [d for d in days if d.operating and d.deadline and d.deadline >= start]
    for counts in served:
        assert not counts.never_locked and not counts.rest_never_locked, counts.day
        assert not counts.due and not counts.late, counts.day
    past = [d for d in served if d.deadline and d.deadline <= now]
    assert len(past) > 10 and all(d.state == "locked" for d in past)
    # The families came in just before the cut-off of their first meals: the history has meals
    # from its first day, and the days before (their cut-off passed before) have none.
    assert past[0].total > 20
    assert all(d.total == 0 for d in days if d.day < past[0].day)
    # The scheduler's catch-up finds nothing left to do.
    assert rt.locks.lock_due(now) == []


def test_the_kitchen_page_shows_tomorrow_locked(rt: Runtime, client: FlaskClient) -> None:
    load_demo(rt.booking)
    assert client.get(f"/kitchen/?token={TOKEN}").status_code == 303
    html = client.get("/kitchen/?from=2026-11-23").get_data(as_text=True)
    assert "avant la mise en service" not in html and "ne le sera pas" not in html
    assert 'data-status="locked"' in html


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("RESTOMAIRIE_NOW", MON_0930.isoformat())
    monkeypatch.delenv("RESTOMAIRIE_CONFIG", raising=False)
    return CliRunner()


def _locks() -> int:
    with Runtime.build().sessions() as session:
        return session.scalar(select(func.count()).select_from(DayLock)) or 0


def test_the_demo_command_again_locks_only_the_cut_offs_passed_since(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.invoke(main, ["demo"]).exit_code == 0
    res = cli.invoke(main, ["counts", "2026-11-24"])
    assert res.output.startswith(
        "Effectifs du mardi 24 novembre 2026 — verrouillés le vendredi 20 novembre à 13 heures"
    ), res.output
    first = _locks()
    again = cli.invoke(main, ["demo"])  # in place, at the same time: nothing more to lock
    assert again.exit_code == 0, again.output
    assert "Démonstration chargée : 50 familles" in again.output
    assert _locks() == first
    monkeypatch.setenv("RESTOMAIRIE_NOW", MON_1330.isoformat())
    assert cli.invoke(main, ["demo"]).exit_code == 0  # Monday's 13:00 cut-off, on time
    assert _locks() == first + 10  # Thursday 26, each of Dijon's ten schools
    thu = json.loads(cli.invoke(main, ["counts", "2026-11-26", "--json"]).output)
    assert thu["locked"] and not thu["late"]
    assert thu["locked_at"] == "2026-11-23T13:00:00+01:00"
