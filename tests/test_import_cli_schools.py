"""``restomairie import`` on a database whose school rows were never written from the town's
file (tables made without ``init-db``, or a school new in the file since), on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, select

from restomairie.cli import main
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.models import Child, School
from restomairie.runtime import Runtime

HEADER = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
LEA = "210001;4821;0612345678;Mme Martin;E1;Léa;Martin;2018-03-04;anjou-elem;standard;lun mar\n"
TOM = "210002;4391;0698765432;M. Petit;E2;Tom;Petit;2017-01-02;buffon-mat;standard;jeu ven\n"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)


def _import(rt: Runtime, tmp_path: Path, rows: str, *args: str) -> str:
    csv = tmp_path / "familles.csv"
    csv.write_text(HEADER + rows, encoding="utf-8")
    res = CliRunner().invoke(main, ["import", *args, str(csv)], obj={"runtime": rt})
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output and "IntegrityError" not in res.output
    return res.output


def _schools(rt: Runtime) -> dict[str, datetime | None]:
    with rt.sessions() as session:
        return {i: at for i, at in session.execute(select(School.id, School.added_at))}


def test_import_on_a_database_without_its_schools_mirrors_them_first_as_init_db_does(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    # The tables exist, but nothing read the town's schools into them: the children's insert
    # failed on the foreign key (an IntegrityError traceback), the dry run as well.
    rt = Runtime.build(settings=settings, clock=Clock(tz=PARIS, frozen=NOW), engine=engine)
    assert _schools(rt) == {}
    checked = _import(rt, tmp_path, LEA, "--dry-run")
    assert "Import vérifié, rien n'a été écrit" in checked and "enfants à créer 1" in checked
    said = _import(rt, tmp_path, LEA)
    assert "Import terminé" in said and "enfants créés 1" in said
    # As after init-db: every configured school, none stamped as added later.
    assert _schools(rt) == {s.id: None for s in settings.schools}
    with rt.sessions() as session:
        assert session.scalars(select(Child.school_id)).all() == ["anjou-elem"]


def test_import_into_a_school_new_in_the_town_s_file_works(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    # The database served the town (Léa) before buffon-mat was in its file; the file now has
    # it, and Tom's import is the first command run since.
    clock = Clock(tz=PARIS, frozen=NOW)
    before = replace(settings, schools=tuple(s for s in settings.schools if s.id != "buffon-mat"))
    first = Runtime.build(settings=before, clock=clock, engine=engine)
    _import(first, tmp_path, LEA)
    assert "buffon-mat" not in _schools(first)
    rt = Runtime.build(settings=settings, clock=clock, engine=engine)
    said = _import(rt, tmp_path, TOM)
    assert "enfants créés 1" in said
    schools = _schools(rt)
    # Stamped as added now, as lock and the scheduler stamp a school new in the file.
    assert schools["buffon-mat"] == NOW and schools["anjou-elem"] is None
    with rt.sessions() as session:
        assert session.scalar(select(Child.school_id).where(Child.ref == "E2")) == "buffon-mat"
