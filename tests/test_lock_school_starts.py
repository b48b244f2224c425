"""A school the town adds to its file mid-year is served from its own start (its first children's
arrival, or its first lock; while it has none, from when it was added): the lock's catch-up never
freezes the weeks before at 0 meals, marked late, and no reader calls those days overdue. The
schools already served catch up as before (DOMAIN §5)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from restomairie.booking.importer import import_csv
from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.config import School
from restomairie.kitchen.export import status_text
from restomairie.kitchen.service import KitchenService
from restomairie.models import DayLock
from restomairie.runtime import Runtime
from restomairie.scheduler import lock_job
from tests.kitchen_support import THU, small_town

NEW = School("nouvelle-elem", "École élémentaire Nouvelle", "cuisine-centrale")
HEADER = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
# A new family, and a sibling in a family the town has served for long (its arrival is old).
NEW_FAMILIES = HEADER + (
    "220001;4821;0633333333;Mme Durand;N1;Noé;Durand;2018-03-04;nouvelle-elem;standard;"
    "lun mar jeu ven\n"
    "210003;1234;+33622222222;Famille 210003;N2;Jules;Test;2019-05-06;nouvelle-elem;vegetarien;"
    "lun mar jeu ven\n"
)
IMPORTER = Actor("staff", "marie", "import")
TUE = date(2026, 11, 24)  # cut-off Friday 20 November, 13:00
NOT_SERVED = "non verrouillé (date limite passée avant la mise en service)"


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
          ) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


def _running_town(rt: Runtime) -> None:
    """The small town, served since 2024, its scheduler last run at Monday 16's cut-off."""
    small_town(rt)
    rt.clock.frozen = paris(2026, 11, 16, 13, 0, 30)
    assert lock_job(rt)


def _with_new_school(rt: Runtime, at: datetime) -> Runtime:
    """The town's file with the new school, read (and mirrored into the database) at ``at``."""
    rt.clock.frozen = at
    town = Runtime.build(
        settings=dataclasses.replace(rt.settings, schools=(*rt.settings.schools, NEW)),
        clock=rt.clock, engine=rt.engine,
    )
    town.sync_schools()
    return town


def _locked(rt: Runtime, school: str) -> set[date]:
    with rt.sessions() as session:
        return set(session.scalars(select(DayLock.day).where(DayLock.school_id == school)))


def test_a_school_added_mid_year_is_locked_from_its_families_arrival_not_31_days_back(
    rt: Runtime,
) -> None:
    """Added on Friday 20 at 9:00 with its families, scheduler down from Monday 16 to Monday
    23 at 14:00: the new school's first locks are the cut-offs after its families came in
    (Friday 20 and Monday 23, 13:00), late; it was locked back to October at 0 meals, late,
    and the kitchen read weeks of locked zeros. The other schools catch up as before."""
    _running_town(rt)
    town = _with_new_school(rt, paris(2026, 11, 20, 9, 0))
    report = import_csv(town.booking, NEW_FAMILIES, IMPORTER)
    assert report.children_created == 2
    town.clock.frozen = paris(2026, 11, 23, 14, 0)
    kitchen = KitchenService(town.booking)
    before = kitchen.day(date(2026, 11, 20))  # cut-off Tuesday 17: before the new school
    assert before.site("anjou-elem").overdue and not before.site("nouvelle-elem").overdue
    assert not before.site("nouvelle-elem").due
    assert kitchen.day(TUE).site("nouvelle-elem").overdue

    locked = lock_job(town)
    new = sorted((r.day, r.late, r.total) for r in locked if r.school_id == NEW.id)
    assert new == [(TUE, True, 2), (THU, True, 2)]
    assert {r.day for r in locked if r.school_id == "anjou-elem"} == {
        date(2026, 11, 20), date(2026, 11, 23), TUE, THU,
    }
    assert _locked(town, NEW.id) == {TUE, THU}
    # The days before it: locked for the other schools, the new school's row never locked nor
    # late; the day partly locked, with nothing left to wait for.
    for day in kitchen.days([date(2026, 11, 20), date(2026, 11, 23)]):
        site = day.site(NEW.id)
        assert not day.locked and day.state == "partial" and day.rest_never_locked, day.day
        assert not day.overdue and not day.never_locked, day.day
        assert not site.locked and not site.due and not site.overdue and site.total == 0
        assert status_text(site) == NOT_SERVED
    assert lock_job(town) == []


def test_a_school_added_without_children_is_locked_at_0_from_when_it_was_added(
    rt: Runtime,
) -> None:
    """Added to the file on Friday 20 at 9:00, its families not imported yet: the kitchen reads
    it as any site, 0 meals locked on time at each cut-off from then on, none before; its first
    families' meals are locked at the next cut-off."""
    _running_town(rt)
    town = _with_new_school(rt, paris(2026, 11, 20, 9, 0))
    town.clock.frozen = paris(2026, 11, 20, 13, 0, 30)
    locked = [r for r in lock_job(town) if r.school_id == NEW.id]
    assert [(r.day, r.late, r.total) for r in locked] == [(TUE, False, 0)]
    assert _locked(town, NEW.id) == {TUE}
    town.clock.frozen = paris(2026, 11, 23, 10, 0)
    import_csv(town.booking, NEW_FAMILIES, IMPORTER)
    town.clock.frozen = paris(2026, 11, 23, 13, 0, 30)
    locked = [r for r in lock_job(town) if r.school_id == NEW.id]
    assert [(r.day, r.late, r.total) for r in locked] == [(THU, False, 2)]


def test_children_moved_into_a_new_school_start_its_service_the_day_they_move(
    rt: Runtime,
) -> None:
    """Léa, at Anjou since 2024, moves to the new school on Friday 20 at 9:00: the new school
    is served from then (her arrival there), not from her arrival in the town; but she eats
    there from Monday 23, whose cut-off (Thursday 19) came before: that day is locked by the
    import before the move (0 meals, late) with her move beside it, not left never locked."""
    _running_town(rt)
    town = _with_new_school(rt, paris(2026, 11, 20, 9, 0))
    moved = HEADER + (
        "210001;1234;+33612345678;Famille 210001;E1;Léa;Test;;nouvelle-elem;standard;"
        "lun mar jeu ven\n"
        "210001;1234;+33612345678;Famille 210001;E2;Hugo;Test;;anjou-elem;sans_porc;"
        "lun mar jeu ven\n"
    )
    report = import_csv(town.booking, moved, IMPORTER)
    mon = date(2026, 11, 23)
    assert (NEW.id, mon) in report.late_locks
    monday = town.locks.get(NEW.id, mon)
    assert monday is not None and monday.late and monday.total == 0
    assert [(a["variant"], a["delta"]) for a in monday.adjustments] == [("standard", 1)]
    town.clock.frozen = paris(2026, 11, 23, 14, 0)
    lock_job(town)
    assert _locked(town, NEW.id) == {mon, TUE, THU}
    lea = town.locks.get(NEW.id, THU)
    assert lea is not None and lea.counts["standard"] == 1 and lea.late


def test_lock_and_counts_with_a_town_file_that_adds_a_school(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``restomairie --config FILE lock`` after the town added a school to its own file (a copy
    of Dijon's) and imported its families: no locked zeros for the weeks before, and
    ``counts`` says why that school's row is not locked."""
    from restomairie.cli import main
    from restomairie.config import PRESETS_DIR

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'town.db'}")
    monkeypatch.delenv("RESTOMAIRIE_CONFIG", raising=False)
    text = (PRESETS_DIR / "dijon.toml").read_text(encoding="utf-8")
    text += f'\n[[schools]]\nid = "{NEW.id}"\nname = "{NEW.name}"\nkitchen = "{NEW.kitchen}"\n'
    town = tmp_path / "town.toml"
    town.write_text(text, encoding="utf-8")
    old = tmp_path / "old.csv"
    old.write_text(HEADER + "210003;1234;0622222222;M. Petit;E6;Malo;Petit;;buffon-mat;standard;"
                   "lun mar jeu ven\n", encoding="utf-8")
    new = tmp_path / "new.csv"
    new.write_text(NEW_FAMILIES, encoding="utf-8")
    cli = CliRunner()

    def run(at: str, *args: str) -> str:
        res = cli.invoke(main, list(args), env={"RESTOMAIRIE_NOW": at})
        assert res.exit_code == 0, res.output
        return res.output

    run("2026-10-01T09:00:00+02:00", "init-db")
    run("2026-10-01T09:00:00+02:00", "import", str(old))
    run("2026-11-16T13:00:30+01:00", "lock")
    run("2026-11-20T08:55:00+01:00", "--config", str(town), "init-db")
    run("2026-11-20T09:00:00+01:00", "--config", str(town), "import", str(new))
    out = run("2026-11-23T14:00:00+01:00", "--config", str(town), "lock")
    assert out.count(f"{NEW.name} :") == 2  # Tuesday 24 and Thursday 26, with its children
    assert f"{NEW.name} : 2 repas (standard 1, sans porc 0, végétarien 1)" in out
    shown = run("2026-11-23T14:00:00+01:00", "--config", str(town), "counts", "2026-11-20")
    assert ("Effectifs du vendredi 20 novembre 2026 — verrouillés le lundi 23 novembre à 14 "
            "heures (en retard), sauf pour les écoles marquées, qui ne le seront pas") in shown
    assert f"Pour les écoles marquées « {NOT_SERVED} », ce jour ne le sera pas" in shown
    row = next(line for line in shown.splitlines() if line.startswith(NEW.name))
    assert row.endswith(f"[{NOT_SERVED}]")
    data = json.loads(run("2026-11-23T14:00:00+01:00", "--config", str(town), "counts",
                          "2026-11-20", "--json"))
    site = next(s for s in data["schools"] if s["school"] == NEW.id)
    assert not data["locked"] and not site["locked"] and not site["late"]
    assert site["status"] == NOT_SERVED


def test_0013_gives_the_children_there_their_family_s_arrival(
    tmp_path: Path,
) -> None:
    from alembic import command
    from sqlalchemy import text

    from restomairie.db import make_engine
    from restomairie.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    at = datetime(2025, 9, 1, 6, 0, tzinfo=UTC)
    try:
        upgrade(engine, "0012_goodbye_outcome")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, kitchen) VALUES ('a', 'A', 'k')"))
            conn.execute(text(
                "INSERT INTO families (id, account, pin_hash, guardian, language, failed_pins, "
                "created_at) VALUES (1, '1', 'x', 'g', 'fr', 0, :at)"), {"at": at.replace(
                    tzinfo=None)})
            conn.execute(text(
                "INSERT INTO children (id, ref, family_id, first_name, last_name, school_id, "
                "diet, enrolled_from) VALUES (1, 'E1', 1, 'L', 'M', 'a', 'standard', "
                "'2025-09-01')"))
            conn.execute(text("INSERT INTO subscriptions (child_id, weekdays, starts_on) "
                              "VALUES (1, 27, '2025-09-01')"))
        upgrade(engine)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT school_since FROM children")).one()
            assert str(row[0]).startswith("2025-09-01 06:00:00")
            assert conn.execute(text("SELECT added_at FROM schools")).scalar() is None
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0012_goodbye_outcome")
        with engine.connect() as conn:
            cols = [r[1] for r in conn.execute(text("PRAGMA table_info(children)"))]
            assert "school_since" not in cols
    finally:
        engine.dispose()


def test_a_child_moved_into_a_school_added_since_the_cut_off_of_a_day_she_eats_there_is_locked(
    rt: Runtime,
) -> None:
    """The scheduler running, Tuesday 24's meals locked on Friday 20 at 13:00 with Léa at Anjou.
    On Monday 23 at 9:00 the town adds a school to its file and imports the move of Léa into it:
    from Tuesday on she eats there. Tuesday's cut-off passed before the school was added, so the
    new school's Tuesday was 'never locked' (before its start): its figure was the live count
    (Léa), never frozen, while Anjou's locked figure had her taken away (-1). The new school's
    Tuesday is now locked before the move (0 meals, late: nobody was there at its cut-off) and
    the move recorded beside it (+1), as for any change after a lock (DOMAIN §5)."""
    _running_town(rt)
    rt.clock.frozen = paris(2026, 11, 20, 13, 0, 30)
    assert TUE in {r.day for r in lock_job(rt)}
    town = _with_new_school(rt, paris(2026, 11, 23, 9, 0))
    moved = HEADER + (
        "210001;1234;+33612345678;Famille 210001;E1;Léa;Test;;nouvelle-elem;standard;"
        "lun mar jeu ven\n"
        "210001;1234;+33612345678;Famille 210001;E2;Hugo;Test;;anjou-elem;sans_porc;"
        "lun mar jeu ven\n"
    )
    report = import_csv(town.booking, moved, IMPORTER)
    assert report.late_locks == [(NEW.id, TUE)]
    lea = town.locks.get(NEW.id, TUE)
    assert lea is not None and lea.late and lea.total == 0
    assert [(a["variant"], a["delta"]) for a in lea.adjustments] == [("standard", 1)]
    anjou = town.locks.get("anjou-elem", TUE)
    assert anjou is not None and [a["delta"] for a in anjou.adjustments] == [-1]
    kitchen = KitchenService(town.booking)
    tuesday = kitchen.day(TUE)
    site = tuesday.site(NEW.id)
    assert site.locked and not site.never_locked and site.adjusted_total == 1
    assert tuesday.locked and not tuesday.rest_never_locked
    # Nothing before it is due for the new school, and nothing is left for the scheduler.
    town.clock.frozen = paris(2026, 11, 23, 13, 0, 30)
    assert {(r.school_id, r.day) for r in lock_job(town) if r.school_id == NEW.id} == {
        (NEW.id, THU)}
    monday = kitchen.day(date(2026, 11, 23)).site(NEW.id)
    assert not monday.locked and not monday.due and not monday.overdue
