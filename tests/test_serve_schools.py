"""``restomairie serve`` mirrors the town's schools at start (as ``init-db``, ``lock`` and the
scheduler do), and refuses another town's file, on both databases: a school new in the town's
file is importable from the staff import page after a restart of ``serve`` alone."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import Engine, select

from restomairie.booking.importer import import_csv
from restomairie.booking.services import Actor
from restomairie.cli import main
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings, load_config
from restomairie.migrate import upgrade
from restomairie.models import Child, School
from restomairie.runtime import Runtime
from tests.conftest import BACKENDS, drop_schema, new_engine
from tests.staff_support import login, make_user, post

HEADER = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
LEA = "210001;4821;0612345678;Mme Martin;E1;Léa;Martin;2018-03-04;anjou-elem;standard;lun mar\n"
TOM = "210002;4391;0698765432;M. Petit;E2;Tom;Petit;2017-01-02;buffon-mat;standard;jeu ven\n"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)


@pytest.fixture(params=BACKENDS)
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database as ``serve`` needs it (migrated), with no school row yet."""
    eng, schema = new_engine(request.param, tmp_path)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        drop_schema(schema)


def _serve(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[Flask]]:
    """``restomairie serve`` on ``rt``, waitress not serving: the result and the app it got."""
    import waitress

    served: list[Flask] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.append(app))
    from tests.test_cli import free_port

    res = CliRunner().invoke(main, ["serve", "--port", free_port()], obj={"runtime": rt})
    return res, served


def _schools(rt: Runtime) -> dict[str, datetime | None]:
    with rt.sessions() as session:
        return {i: at for i, at in session.execute(select(School.id, School.added_at))}


def test_a_school_new_in_the_town_s_file_is_importable_from_the_staff_page_after_serve_restarts(
    settings: Settings, migrated: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database served the town (Léa) before buffon-mat was in its file; the file now has
    # it and ``serve`` was restarted, not the scheduler: the staff page refused Tom's file,
    # its check dying on the foreign key.
    clock = Clock(tz=PARIS, frozen=NOW)
    before = replace(settings, schools=tuple(s for s in settings.schools if s.id != "buffon-mat"))
    first = Runtime.build(settings=before, clock=clock, engine=migrated)
    first.sync_schools()
    import_csv(first.booking, (HEADER + LEA).encode(), Actor("staff", "test", "import"))
    assert "buffon-mat" not in _schools(first)
    rt = Runtime.build(settings=settings, clock=clock, engine=migrated)
    res, served = _serve(rt, monkeypatch)
    assert res.exit_code == 0 and len(served) == 1, res.output
    make_user(rt, "chef", "admin")
    client = served[0].test_client()
    assert login(client, "chef").status_code == 302
    page = html.unescape(post(client, "/staff/import", {"file": (BytesIO((HEADER + TOM).encode()),
                                                                  "f.csv")},
                              content_type="multipart/form-data").get_data(as_text=True))
    # Before: « l'import échouerait (IntegrityError : … FOREIGN KEY constraint failed …) ».
    assert "IntegrityError" not in page and "Rien n'est encore écrit" in page, page[-1500:]
    token = page.split('name="token" value="')[1].split('"')[0]
    job_url = post(client, "/staff/import/confirm", {"token": token}).headers["Location"]
    for _ in range(250):
        status = client.get(job_url + "?format=json").get_json()
        if status["state"] != "running":
            break
        time.sleep(0.02)
    assert status["state"] == "done", status
    with rt.sessions() as session:
        assert session.scalar(select(Child.school_id).where(Child.ref == "E2")) == "buffon-mat"
    schools = _schools(rt)
    # Stamped as added at the start, as lock and the scheduler stamp a school new in the file.
    assert schools["buffon-mat"] == NOW and schools["anjou-elem"] is None


def test_serve_with_another_town_s_file_is_refused_and_writes_nothing(
    settings: Settings, migrated: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Villepreux's file on Dijon's database started the web application, every page of it
    # showing Villepreux's (empty) schools; now refused as ``lock`` refuses it.
    clock = Clock(tz=PARIS, frozen=NOW)
    dijon = Runtime.build(settings=settings, clock=clock, engine=migrated)
    dijon.sync_schools()
    import_csv(dijon.booking, (HEADER + LEA).encode(), Actor("staff", "test", "import"))
    schools = _schools(dijon)
    other = Runtime.build(settings=load_config("villepreux", environ={}), clock=clock,
                          engine=migrated)
    res, served = _serve(other, monkeypatch)
    assert res.exit_code == 3 and served == [], res.output
    assert "Erreur de configuration : « schools » de Villepreux (" in res.output, res.output
    assert ("aucun des 1 enfant(s) de la base de données n'est dans une de ces écoles ; ils sont "
            "dans anjou-elem (1). C'est le fichier d'une autre ville") in res.output
    assert "Rien n'a été écrit" in res.output
    assert _schools(dijon) == schools
