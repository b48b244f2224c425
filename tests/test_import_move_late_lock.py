"""A child moved to another school by an import is counted exactly once by the kitchen.

The kitchen produces from each school's lock of a day (DOMAIN.md §5). A child has one school and
no history of it, so when an import moves her while a day is locked at one of her two schools and
not at the other (a staff's forced change took one school's overdue lock while the scheduler was
down; the new school was added to the town's file after that day's cut-off), the day's figures
counted her twice (the old school's lock, and the new school's live figure, then its late lock) or
nowhere (the new school's lock, taken before she came, and the old school's late lock, taken
after she left). Time is pinned; each test runs on SQLite and PostgreSQL (``rt``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, update

from restomairie.booking.importer import import_csv
from restomairie.booking.services import Actor
from restomairie.cli import main
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.kitchen.service import KitchenService
from restomairie.models import School
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family

IMPORTER = Actor("staff", "marie", "import")
STAFF = Actor("staff", "marie", "staff")
HEADER = "family,pin,phones,guardian,child,first_name,last_name,birth_date,school,diet,days\n"
MOVE_LEA = HEADER + ("210001,1234,+33612345678,Famille 210001,E1,Léa,Test,,darcy-elem,standard,"
                     "lun mar jeu ven\n")

MON_23, TUE_24 = date(2026, 11, 23), date(2026, 11, 24)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


def scheduler_runs(rt: Runtime, now: datetime) -> None:
    """The scheduler's run at ``now`` (a few days of catch-up: the town was locked before)."""
    rt.locks.lock_due(now, lookback_days=7)


def meals(rt: Runtime, day: date, school: str) -> int:
    """What the kitchen delivers to ``school`` on ``day``: the locked figure and its adjustments,
    or the live figure while the school's day is not locked."""
    return KitchenService(rt.booking).day(day).site(school).adjusted_total


def test_a_move_onto_a_day_locked_at_the_new_school_only_counts_the_child_at_the_old_one(
    rt: Runtime,
) -> None:
    """Nowhere, before: the scheduler was down from Thursday 19's cut-off (Monday 23's); on
    Friday a forced booking at Darcy took Darcy's overdue lock of Monday, and Monday at 10:00 an
    import moved Léa from Anjou to Darcy. Darcy's lock had been taken without her, Anjou's late
    lock, after the import, was taken without her too: her Monday meal was counted nowhere. The
    import now takes Anjou's overdue lock of Monday first: she is counted at Anjou, where she
    was when the deadline passed, and the import says so."""
    make_family(rt, kids=[KidSpec("E1", "Léa")])  # Anjou, Mon Tue Thu Fri
    make_family(rt, "210002", kids=[KidSpec("Z1", "Zoé", school="darcy-elem", weekdays=0)])
    scheduler_runs(rt, at(17, 13, 1))  # its last run: Friday 20 locked, then it went down
    rt.clock.frozen = at(20, 9)
    rt.booking.book("210002", [MON_23], STAFF, override_reason="oubli de la famille")
    assert rt.locks.get("darcy-elem", MON_23) is not None
    assert rt.locks.get("anjou-elem", MON_23) is None
    rt.clock.frozen = at(23, 10)
    trial = import_csv(rt.booking, MOVE_LEA.encode(), IMPORTER, dry_run=True)
    assert ("anjou-elem", MON_23) in trial.late_locks  # the check takes it too, and says so
    report = import_csv(rt.booking, MOVE_LEA.encode(), IMPORTER)
    assert ("anjou-elem", MON_23) not in report.late_locks  # taken already, by the check
    scheduler_runs(rt, at(23, 14))  # back after lunch: catches up the rest
    anjou = rt.locks.get("anjou-elem", MON_23)
    assert anjou is not None and anjou.late and anjou.counts["standard"] == 1
    assert meals(rt, MON_23, "anjou-elem") == 1  # Léa, once
    assert meals(rt, MON_23, "darcy-elem") == 1  # Zoé's forced booking, and not Léa


def test_a_move_off_a_day_locked_at_the_old_school_only_does_not_count_the_child_twice(
    rt: Runtime,
) -> None:
    """Twice, before: a forced booking at Anjou took Anjou's overdue lock of Monday with Léa in
    it; the import then moved her to Darcy, whose Monday was still unlocked: its live figure,
    then its late lock, counted her there as well. Darcy's overdue lock is now taken before the
    move (without her), and she stays counted once, at Anjou."""
    make_family(rt, kids=[KidSpec("E1", "Léa")])
    make_family(rt, "210003", kids=[KidSpec("H1", "Hugo", weekdays=0)])  # Anjou, day by day
    scheduler_runs(rt, at(17, 13, 1))
    rt.clock.frozen = at(20, 9)
    rt.booking.book("210003", [MON_23], STAFF, override_reason="oubli de la famille")
    assert rt.locks.get("anjou-elem", MON_23) is not None
    rt.clock.frozen = at(23, 10)
    report = import_csv(rt.booking, MOVE_LEA.encode(), IMPORTER)
    assert ("darcy-elem", MON_23) in report.late_locks
    assert meals(rt, MON_23, "anjou-elem") == 2  # Léa (locked) and Hugo (forced booking)
    assert meals(rt, MON_23, "darcy-elem") == 0  # live, while the scheduler is down
    scheduler_runs(rt, at(23, 14))
    assert meals(rt, MON_23, "darcy-elem") == 0  # and once locked
    assert meals(rt, MON_23, "anjou-elem") == 2


def test_the_live_figure_of_a_school_leaves_out_a_child_another_school_s_lock_counts(
    rt: Runtime,
) -> None:
    """Darcy was added to the town's file on Monday at 8:00: its Monday, whose cut-off
    (Thursday 19) came before, is never locked and the kitchen reads its live figure. Léa, moved
    there at 10:00, was counted in it and in Anjou's Monday lock, taken on time on Thursday. The
    live figure now leaves out a child another school's lock counts."""
    make_family(rt, kids=[KidSpec("E1", "Léa")])
    with rt.sessions() as s, s.begin():
        s.execute(update(School).where(School.id == "darcy-elem").values(added_at=at(23, 8)))
    scheduler_runs(rt, at(19, 13, 1))  # on time: Anjou's Monday locked with Léa
    assert rt.locks.get("darcy-elem", MON_23) is None
    rt.clock.frozen = at(23, 10)
    import_csv(rt.booking, MOVE_LEA.encode(), IMPORTER)
    day = KitchenService(rt.booking).day(MON_23)
    assert day.site("darcy-elem").never_locked
    assert day.site("anjou-elem").adjusted_total == 1
    assert day.site("darcy-elem").adjusted_total == 0
    assert day.adjusted_total == 1
    # From tomorrow she eats at Darcy: Tuesday, locked at 0 there before the move (she was not
    # there yet), has her meal moved beside the figures, once.
    tue = KitchenService(rt.booking).day(TUE_24)
    assert tue.site("anjou-elem").adjusted_total == 0
    assert tue.site("darcy-elem").adjusted_total == 1


def test_a_child_moved_beside_a_locked_figure_stays_in_the_new_school_s_live_figure(
    settings: Settings, clock: Clock, engine: Engine,
) -> None:
    """Champollion's canteen also serves on Wednesdays, so its cut-off for Thursday 3 December
    is Tuesday 1st at 13:00, Anjou's Monday 30 November at 13:00. An import on Monday at 14:00
    moves Léa from Anjou to Champollion: Anjou's locked figure has her meal taken out beside it
    (an adjustment), so Champollion's live figure, then its lock, count her: once (this worked
    before, and must keep working)."""
    thu = date(2026, 12, 3)
    schools = tuple(
        dataclasses.replace(school, canteen_weekdays=frozenset(range(5)))
        if school.id == "champollion-elem" else school
        for school in settings.schools
    )
    rt = Runtime.build(settings=dataclasses.replace(settings, schools=schools), clock=clock,
                       engine=engine)
    rt.sync_schools()
    make_family(rt, kids=[KidSpec("E1", "Léa")])
    scheduler_runs(rt, datetime(2026, 11, 30, 13, 1, tzinfo=PARIS))
    assert rt.locks.get("anjou-elem", thu) is not None
    assert rt.locks.get("champollion-elem", thu) is None
    rt.clock.frozen = datetime(2026, 11, 30, 14, 0, tzinfo=PARIS)
    data = MOVE_LEA.replace("darcy-elem", "champollion-elem")
    import_csv(rt.booking, data.encode(), IMPORTER)
    assert meals(rt, thu, "anjou-elem") == 0
    assert meals(rt, thu, "champollion-elem") == 1  # live
    scheduler_runs(rt, datetime(2026, 12, 1, 13, 1, tzinfo=PARIS))
    assert rt.locks.get("champollion-elem", thu) is not None
    assert meals(rt, thu, "champollion-elem") == 1  # locked
    assert meals(rt, thu, "anjou-elem") == 0


def test_a_move_after_a_missed_cut_off_counts_the_child_once_with_the_days_from_tomorrow(
    rt: Runtime,
) -> None:
    """The scheduler missed Monday 23's cut-off (Thursday 26's meals) and Friday 20's (Tuesday
    24's); an import at 14:00 moves Léa to Darcy. The import takes both schools' overdue locks of
    those days first (this worked before): Léa is in Anjou's figures, moved to Darcy beside
    them, and Darcy's late locks do not count her again."""
    thu = date(2026, 11, 26)
    make_family(rt, kids=[KidSpec("E1", "Léa")])
    scheduler_runs(rt, at(19, 13, 1))
    rt.clock.frozen = at(23, 14)
    report = import_csv(rt.booking, MOVE_LEA.encode(), IMPORTER)
    assert {(s, d) for s, d in report.late_locks} >= {
        ("anjou-elem", TUE_24), ("darcy-elem", TUE_24), ("anjou-elem", thu), ("darcy-elem", thu)}
    scheduler_runs(rt, at(23, 14, 5))
    for day in (TUE_24, thu):
        assert rt.locks.get("anjou-elem", day).counts["standard"] == 1  # type: ignore[union-attr]
        assert meals(rt, day, "anjou-elem") == 0
        assert meals(rt, day, "darcy-elem") == 1


def test_the_command_line_dry_run_names_the_old_school_s_lock_it_took_for_a_moved_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``restomairie import --dry-run``: the nowhere case above, through the command line, which
    says which overdue locks its check took, Anjou's Monday among them."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("RESTOMAIRIE_CONFIG", raising=False)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-19T09:00:00+01:00")  # before Monday's cut-off
    cli = CliRunner()
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "210001,1234,+33612345678,Famille 210001,E1,Léa,Test,,anjou-elem,"
                     "standard,lun mar jeu ven\n210002,4826,+33698765432,Famille 210002,Z1,Zoé,"
                     "Test,,darcy-elem,standard,\n", encoding="utf-8")
    assert cli.invoke(main, ["import", str(first)]).exit_code == 0
    # No scheduler since; on Friday a forced booking at Darcy takes Darcy's overdue Monday.
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-20T09:00:00+01:00")
    Runtime.build().booking.book("210002", [MON_23], STAFF, override_reason="oubli")
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-23T10:00:00+01:00")
    move = tmp_path / "move.csv"
    move.write_text(MOVE_LEA, encoding="utf-8")
    dry = cli.invoke(main, ["import", "--dry-run", str(move)])
    assert dry.exit_code == 0, dry.output
    assert ("Effectifs verrouillés en retard avant la vérification, et qui le restent (l'import "
            "les prendrait de même) : le planificateur ne l'avait pas fait à leur heure limite : "
            "École élémentaire Anjou le lundi 23 novembre, École élémentaire Anjou le mardi 24 "
            "novembre, École élémentaire Darcy le mardi 24 novembre.") in dry.output
    lock = Runtime.build().locks.get("anjou-elem", MON_23)
    assert lock is not None and lock.counts["standard"] == 1  # Léa, at Anjou, once
