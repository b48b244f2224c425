"""What the kitchen is told of a change after the lock: the figure, the site, the menu and a
neutral category — never a child's name nor the staff's own words, which may be medical.

The staff's reason stays where staff read it (the family's and the child's history, the audit
journal). Every kitchen-facing output is checked: the page, the production sheets (the school's
delivery note), the JSON feed, the CSV and ``restomairie counts`` in its three forms.

The clock: Monday 23 November 2026, after the cut-off of Thursday 26 (13:00)."""

from __future__ import annotations

import json
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from restomairie.booking.importer import import_csv
from restomairie.booking.services import Actor
from restomairie.cli import main
from restomairie.config import Settings
from restomairie.migrate import upgrade
from restomairie.models import LockAdjustment, UTCDateTime
from restomairie.runtime import Runtime
from tests.conftest import BACKENDS, drop_schema, new_engine
from tests.kitchen_support import THU, THU_CUTOFF, TOKEN, small_town, with_token
from tests.staff_support import login, make_user

STAFF = Actor("staff", "marie", "staff")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MOTIF = "Zoé malade, certificat transmis"
# Malo moves from Buffon to Anjou by an import: the importer's own reason names him.
IMPORT = (
    "family,pin,phones,guardian,child,first_name,last_name,birth_date,school,diet,days\n"
    "210003,1234,+33622222222,Famille 210003,E6,Malo,Test,,anjou-elem,standard,lun mar jeu ven\n"
)
# Words of the staff's reasons that must never reach the kitchen (the children's names among
# them: no kitchen output names a child anywhere).
PRIVATE = ("Zoé", "malade", "certificat", "Malo", "import ligne", "buffon-mat →")
OVERRIDE_LABEL = "changement forcé par le service"
IMPORT_LABEL = "changement d'école ou de menu (import)"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_token(settings)


@pytest.fixture
def town(rt: Runtime) -> Runtime:
    """The small town, Thursday locked at its cut-off, then at 13:05 Zoé's packed meal
    cancelled by staff with a medical motif and, at 13:10, Malo moved to Anjou by an import."""
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF
    rt.locks.lock_due()
    rt.clock.frozen = THU_CUTOFF + timedelta(minutes=5)
    rt.booking.cancel("210002", [THU], STAFF, ["E4"], override_reason=MOTIF)
    rt.clock.frozen = THU_CUTOFF + timedelta(minutes=10)
    assert import_csv(rt.booking, IMPORT.encode(), Actor("staff", "marie", "import")).adjustments
    return rt


def _private_words(text: str) -> list[str]:
    return [w for w in PRIVATE if w in text]


def test_the_stored_reasons_are_the_staff_s_and_name_the_children(town: Runtime) -> None:
    # What the outputs below must keep from the kitchen is really there, beside the category.
    with town.sessions() as s:
        rows = {(a.kind, a.reason) for a in s.scalars(select(LockAdjustment))}
    assert rows == {
        ("override", MOTIF),
        ("import", "import ligne 2 : Malo, école buffon-mat → anjou-elem"),
    }


def test_the_kitchen_page_shows_the_category_never_the_motif(
    town: Runtime, client: FlaskClient
) -> None:
    client.get(f"/kitchen/?token={TOKEN}")
    html = unescape(client.get("/kitchen/?from=2026-11-26").get_data(as_text=True))
    thursday = html.split('id="j-2026-11-26"')[1].split("</section>")[0]
    assert "−1 Panier repas (PAI)</strong> — École élémentaire Joséphine Baker — " + \
        OVERRIDE_LABEL in thursday
    assert "École maternelle Buffon — " + IMPORT_LABEL in thursday
    assert "École élémentaire Anjou — " + IMPORT_LABEL in thursday
    assert _private_words(html) == []


@pytest.mark.parametrize("school", [None, "josephine-baker-elem", "buffon-mat"])
def test_the_production_sheet_and_delivery_note_show_the_category_never_the_motif(
    town: Runtime, client: FlaskClient, school: str | None
) -> None:
    client.get(f"/kitchen/?token={TOKEN}")
    query = f"?school={school}" if school else ""
    res = client.get(f"/kitchen/sheet/2026-11-26{query}")
    assert res.status_code == 200
    html = unescape(res.get_data(as_text=True))
    if school in (None, "josephine-baker-elem"):
        assert "−1 Panier repas (PAI) — " + OVERRIDE_LABEL in html
    if school in (None, "buffon-mat"):
        assert "−1 Standard — " + IMPORT_LABEL in html
    assert _private_words(html) == []


def test_the_json_feed_keeps_its_reason_field_with_the_category_in_it(
    town: Runtime, client: FlaskClient
) -> None:
    res = client.get("/kitchen/counts", query_string={"date": "2026-11-26"}, headers=AUTH)
    body = res.get_json()
    found = {
        (s["school"], a["variant"], a["delta"], a["kind"], a["reason"])
        for s in body["schools"] for a in s["adjustments"]
    }
    assert found == {
        ("josephine-baker-elem", "pai", -1, "override", OVERRIDE_LABEL),
        ("buffon-mat", "standard", -1, "import", IMPORT_LABEL),
        ("anjou-elem", "standard", 1, "import", IMPORT_LABEL),
    }
    assert _private_words(res.get_data(as_text=True)) == []
    # The figures: Zoé's packed meal off, Malo's meal moved; nothing cooked less.
    assert body["packed"] == 0 and body["to_produce"] == 4


def test_the_csv_carries_the_figures_and_nothing_of_the_motif(
    town: Runtime, client: FlaskClient
) -> None:
    res = client.get("/kitchen/counts", headers=AUTH,
                     query_string={"date": "2026-11-26", "format": "csv"})
    text = res.data.decode("utf-8-sig")
    assert "josephine-baker-elem;École élémentaire Joséphine Baker;cuisine-centrale;pai;" \
        "Panier repas (PAI);1;-1;0;" in text
    assert _private_words(text) == []


def test_the_counts_command_shows_the_category_in_every_form(town: Runtime) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["counts", "2026-11-26"], obj={"runtime": town}).output
    assert (
        "  ajustement -1 PAI — École élémentaire Joséphine Baker — " + OVERRIDE_LABEL
        + " (agent marie, lundi 23 novembre à 13 h 05)"
    ) in text.splitlines()
    assert "  ajustement -1 standard — École maternelle Buffon — " + IMPORT_LABEL in text
    as_json = runner.invoke(main, ["counts", "2026-11-26", "--json"], obj={"runtime": town})
    reasons = {a["reason"] for s in json.loads(as_json.output)["schools"] for a in s["adjustments"]}
    assert reasons == {OVERRIDE_LABEL, IMPORT_LABEL}
    as_csv = runner.invoke(main, ["counts", "2026-11-26", "--csv"], obj={"runtime": town})
    for output in (text, as_json.output, as_csv.stdout_bytes.decode("utf-8-sig")):
        assert _private_words(output) == []


def test_staff_still_read_the_full_motif_in_the_histories_and_the_audit_journal(
    town: Runtime, client: FlaskClient
) -> None:
    make_user(town, "agent", "staff")
    assert login(client, "agent").status_code == 302
    for url in ("/staff/families/210002", "/staff/families/210002/children/E4",
                "/staff/audit?account=210002"):
        html = unescape(client.get(url).get_data(as_text=True))
        assert MOTIF in html, url
        assert "ajustement après verrouillage" in html, url


# --------------------------------------------------------------------------- the migration
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_gives_older_adjustments_their_category_from_what_wrote_them(
    backend: str, tmp_path: Path
) -> None:
    engine, schema = new_engine(backend, tmp_path)
    try:
        upgrade(engine, "0002")
        at = THU_CUTOFF + timedelta(hours=1)
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO schools (id, name, kitchen) VALUES ('anjou-elem', 'Anjou', 'k')"))
            conn.execute(sa.table(
                "day_locks", sa.column("id"), sa.column("school_id"), sa.column("day"),
                sa.column("deadline", UTCDateTime()), sa.column("locked_at", UTCDateTime()),
                sa.column("late"),
            ).insert().values(id=1, school_id="anjou-elem", day=THU, deadline=THU_CUTOFF,
                              locked_at=THU_CUTOFF, late=False))
            adjustments = sa.table(
                "lock_adjustments", sa.column("lock_id"), sa.column("variant"),
                sa.column("delta"), sa.column("reason"), sa.column("actor"),
                sa.column("at", UTCDateTime()),
            )
            for reason in (MOTIF, "import ligne 2 : Malo, école buffon-mat → anjou-elem",
                           "fermeture : grève", "fermeture annulée : grève", ""):
                conn.execute(adjustments.insert().values(
                    lock_id=1, variant="standard", delta=-1, reason=reason,
                    actor="staff:marie", at=at))
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT reason, kind FROM lock_adjustments ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [
            (MOTIF, "override"),
            ("import ligne 2 : Malo, école buffon-mat → anjou-elem", "import"),
            ("fermeture : grève", "closure"),
            ("fermeture annulée : grève", "reopening"),
            ("", "override"),
        ]
    finally:
        engine.dispose()
        drop_schema(schema)
