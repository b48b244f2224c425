"""The staff command line, end to end on a SQLite file with a pinned clock."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from restomairie.booking.services import Actor
from restomairie.cli import main
from restomairie.models import StaffUser
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-23T10:00:00+01:00")
    monkeypatch.delenv("RESTOMAIRIE_CONFIG", raising=False)
    return CliRunner()


@pytest.mark.parametrize(
    ("day", "deadline"),
    [
        ("2026-12-07", "2026-12-03T13:00:00+01:00"),
        ("2026-12-08", "2026-12-04T13:00:00+01:00"),
        ("2026-12-10", "2026-12-07T13:00:00+01:00"),
        ("2026-12-11", "2026-12-08T13:00:00+01:00"),
        ("2027-01-04", "2026-12-17T13:00:00+01:00"),
    ],
)
def test_deadline_json_reproduces_dijon_table(cli: CliRunner, day: str, deadline: str) -> None:
    res = cli.invoke(main, ["deadline", day, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {
        "date": day,
        "school": None,
        "operating": True,
        "deadline": deadline,
    }


def test_deadline_for_a_closed_day_says_why(cli: CliRunner) -> None:
    res = cli.invoke(main, ["deadline", "2026-05-15", "--school", "anjou-elem", "--json"])
    assert json.loads(res.output) == {
        "date": "2026-05-15",
        "school": "anjou-elem",
        "operating": False,
        "reason": "Pont de l'Ascension",
    }
    text = cli.invoke(main, ["deadline", "2026-12-07"])
    assert "avant le jeudi 3 décembre à 13 heures" in text.output


def test_deadline_says_which_days_without_canteen_moved_it_earlier(cli: CliRunner) -> None:
    # Monday 10 May 2027's deadline is Monday 3 May, not the Thursday before as the published
    # table says: staff read why, in the words the phone line gives a parent refused.
    said = cli.invoke(main, ["deadline", "2027-05-10"]).output.splitlines()
    assert said == [
        "Repas du lundi 10 mai 2027 : réserver ou annuler avant le lundi 3 mai à 13 heures "
        "(03/05/2027 13:00).",
        "Les jours sans cantine, comme le jeudi 6 mai (Ascension) et le pont de l'Ascension, "
        "ne comptent pas dans le délai.",
    ]
    # The first meal after a break: the holidays, named once
    assert cli.invoke(main, ["deadline", "2027-01-04"]).output.splitlines()[1:] == [
        "Les jours sans cantine, comme les vacances de Noël, ne comptent pas dans le délai."
    ]
    # Three days as the table says: nothing more (Wednesday is never counted in Dijon)
    assert len(cli.invoke(main, ["deadline", "2026-12-07"]).output.splitlines()) == 1
    assert len(cli.invoke(main, ["deadline", "2026-11-13"]).output.splitlines()) == 1


def test_a_database_not_initialised_is_a_clear_error(cli: CliRunner) -> None:
    res = cli.invoke(main, ["bookings", "210001"])
    assert res.exit_code == 1
    assert "restomairie init-db" in res.output


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nonsense", "« DATABASE_URL » : n'est pas une adresse de base de données"),
        ("mysql://x@localhost/db", "« DATABASE_URL » : le pilote de « mysql » n'est pas installé"),
        ("foo://x", "« DATABASE_URL » : type de base de données inconnu « foo »"),
        (
            "sqlite:////nonexistent/dir/x.db",
            "« DATABASE_URL » (sqlite:////nonexistent/dir/x.db) est inaccessible : le dossier "
            "/nonexistent/dir n'existe pas",
        ),
        # Port 1: nothing listens there, the connection is refused at once.
        (
            "postgresql://postgres:secret@127.0.0.1:1/x",
            "« DATABASE_URL » (postgresql+psycopg://postgres:***@127.0.0.1:1/x) est inaccessible",
        ),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["bookings", "210500"],
        ["book", "210500", "E00002", "2026-12-03"],
        ["cancel", "210500", "E00002", "2026-12-03"],
        ["init-db"],
        ["counts", "2026-12-07"],
    ],
)
def test_a_wrong_database_url_is_one_sentence_and_exit_3(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, url: str, said: str, command: list[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    res = cli.invoke(main, command)
    assert isinstance(res.exception, SystemExit), res.exception  # no traceback
    assert res.exit_code == 3, res.output
    assert res.output.startswith("Erreur de configuration : ") and said in res.output
    assert len(res.output.splitlines()) == 1
    assert "init-db" not in res.output and "secret" not in res.output


def free_port() -> str:
    """A port nothing listens on (serve tries it before starting: not port 1, which only root
    may take)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def test_serve_refuses_a_database_that_is_not_migrated(cli: CliRunner) -> None:
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert res.exit_code == 1
    assert "restomairie init-db" in res.output


def test_serve_says_which_secrets_a_real_deployment_should_set(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import waitress

    served: list[object] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.append(app))
    for name in ("RESTOMAIRIE_PIN_PEPPER", "RESTOMAIRIE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RESTOMAIRIE_KITCHEN_TOKEN", "cuisine")
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert res.exit_code == 0 and served, res.output
    for name in ("RESTOMAIRIE_PIN_PEPPER", "RESTOMAIRIE_SECRET_KEY", "RESTOMAIRIE_KITCHEN_TOKEN"):
        assert f"Attention : {name}" in res.output
    monkeypatch.setenv("RESTOMAIRIE_PIN_PEPPER", "p" * 32)
    monkeypatch.setenv("RESTOMAIRIE_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("RESTOMAIRIE_KITCHEN_TOKEN", "k" * 20)
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert res.exit_code == 0 and "Attention" not in res.output, res.output


def test_serve_says_when_children_are_in_schools_the_configuration_does_not_have(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Their pages were a 500 and their calls "un problème technique", without a word at start.
    # (A file none of whose schools has a child, another town's, is refused: test_serve_schools.)
    import waitress

    monkeypatch.setattr(waitress, "serve", lambda app, **kw: None)
    _import_lea(cli, tmp_path)
    _import_tom(cli, tmp_path)
    town = _town_without_anjou(tmp_path)
    res = cli.invoke(main, ["--config", str(town), "serve", "--port", free_port()])
    assert res.exit_code == 0, res.output
    assert ("Attention : des enfants sont inscrits dans des écoles absentes de la configuration "
            "de la ville : « anjou-elem » (1 enfant(s)).") in res.output
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert "écoles absentes" not in res.output


def _town_without_anjou(tmp_path: Path) -> Path:
    """Dijon's file with anjou-elem taken out and a school new to the database put in."""
    from restomairie.config import PRESETS_DIR

    text = (PRESETS_DIR / "dijon.toml").read_text(encoding="utf-8").replace(
        'id = "anjou-elem"\nname = "École élémentaire Anjou"',
        'id = "nouvelle-elem"\nname = "École élémentaire Nouvelle"',
    )
    assert "anjou-elem" not in text
    toml = tmp_path / "town.toml"
    toml.write_text(text, encoding="utf-8")
    return toml


def _import_tom(cli: CliRunner, tmp_path: Path, at: str | None = None) -> None:
    """Tom (E2, champollion-elem) of family 210002, beside Léa (``at``: when, if not now)."""
    csv = tmp_path / "tom.csv"
    csv.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210002;4321;0698765432;M. Petit;E2;Tom;Petit;2017-01-02;champollion-elem;standard;"
        "lun mar jeu ven\n",
        encoding="utf-8",
    )
    env = {"RESTOMAIRIE_NOW": at} if at is not None else None
    assert cli.invoke(main, ["import", str(csv)], env=env).exit_code == 0


def test_lock_with_a_school_taken_out_of_the_file_locks_the_others_and_says_whose_days_are_not(
    cli: CliRunner, tmp_path: Path
) -> None:
    # A school new to the file had no row in this database: the lock's insert failed on the
    # foreign key and the command died on an AssertionError; the children of the school taken
    # out were never named.
    from sqlalchemy import func, select

    from restomairie.models import DayLock
    from restomairie.runtime import Runtime

    _import_lea(cli, tmp_path)
    _import_tom(cli, tmp_path)
    town = _town_without_anjou(tmp_path)
    # Monday's cut-off, three hours after the families came in (none is due before it).
    at_cutoff = {"RESTOMAIRIE_NOW": "2026-11-23T13:00:30+01:00"}
    res = cli.invoke(main, ["--config", str(town), "lock"], env=at_cutoff)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output and "AssertionError" not in res.output
    assert ("Attention : des enfants sont inscrits dans des écoles absentes de la configuration "
            "de la ville : « anjou-elem » (1 enfant(s)). Leurs repas ne sont jamais verrouillés "
            "ni comptés pour la cuisine") in res.output
    assert "verrouillage(s) sur" in res.output
    rt = Runtime.build(str(town))
    with rt.sessions() as session:
        schools = set(session.scalars(select(DayLock.school_id).distinct()))
        # The new school came into the file after Monday's cut-off: served from its next one.
        assert schools == {s.id for s in rt.settings.schools} - {"nouvelle-elem"}
        assert session.scalar(select(func.count()).select_from(DayLock)) > 0
    res = cli.invoke(main, ["--config", str(town), "lock"],
                     env={"RESTOMAIRIE_NOW": "2026-11-24T13:00:30+01:00"})
    assert res.exit_code == 0 and "École élémentaire Nouvelle : 0 repas" in res.output, res.output
    with rt.sessions() as session:
        schools = set(session.scalars(select(DayLock.school_id).distinct()))
        assert schools == {s.id for s in rt.settings.schools}
    rt.engine.dispose()
    res = cli.invoke(main, ["lock"], env=at_cutoff)  # Dijon's own file: no warning
    assert res.exit_code == 0 and "écoles absentes" not in res.output, res.output


def test_lock_with_another_town_s_file_is_refused_and_writes_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    # Villepreux's file on Dijon's database only warned, exited 0, added Villepreux's schools to
    # the database and locked them (empty), every real child left uncounted.
    from sqlalchemy import func, select

    from restomairie.models import DayLock, School

    _import_lea(cli, tmp_path)
    rt = Runtime.build()
    with rt.sessions() as session:
        schools = set(session.scalars(select(School.id)))
    res = cli.invoke(main, ["--config", "villepreux", "lock"])
    assert res.exit_code == 3, res.output
    assert res.output.startswith("Erreur de configuration : « schools » de Villepreux ("), res.output
    assert ("aucun des 1 enfant(s) de la base de données n'est dans une de ces écoles ; ils sont "
            "dans anjou-elem (1). C'est le fichier d'une autre ville") in res.output
    assert "Rien n'a été écrit" in res.output and "Attention" not in res.output
    with rt.sessions() as session:
        assert set(session.scalars(select(School.id))) == schools
        assert session.scalar(select(func.count()).select_from(DayLock)) == 0


def test_lock_on_a_fresh_database_of_any_town_works(cli: CliRunner) -> None:
    assert cli.invoke(main, ["--config", "villepreux", "init-db"]).exit_code == 0
    res = cli.invoke(main, ["--config", "villepreux", "lock"])
    assert res.exit_code == 0, res.output
    # Not refused as another town's database; and no family yet, so no day to lock (the
    # cut-offs gone by were never open to bookings here).
    assert "Rien à verrouiller : la base de données n'a encore aucune famille." in res.output


def test_the_scheduler_says_whose_days_it_will_never_lock(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie import scheduler

    monkeypatch.setattr(scheduler, "run_scheduler", lambda rt, safety_interval: None)
    _import_lea(cli, tmp_path)
    _import_tom(cli, tmp_path)
    res = cli.invoke(main, ["--config", str(_town_without_anjou(tmp_path)), "scheduler"])
    assert res.exit_code == 0, res.output
    assert "« anjou-elem » (1 enfant(s)). Leurs repas ne sont jamais verrouillés" in res.output
    res = cli.invoke(main, ["scheduler"])
    assert res.exit_code == 0 and "écoles absentes" not in res.output, res.output


def test_the_scheduler_refuses_to_start_with_another_town_s_file(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie import scheduler

    started: list[object] = []
    monkeypatch.setattr(scheduler, "run_scheduler", lambda rt, safety_interval: started.append(rt))
    _import_lea(cli, tmp_path)
    res = cli.invoke(main, ["--config", "villepreux", "scheduler"])
    assert res.exit_code == 3 and not started, res.output
    assert "Erreur de configuration : « schools » de Villepreux" in res.output
    assert "démarrage" not in res.output


def test_the_scheduler_says_when_its_clock_is_frozen(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With RESTOMAIRIE_NOW the catch-up used the frozen time, but the next runs were announced
    # on the real clock ("prochaine exécution 2026-12-03T13:00" for a frozen 25 November).
    from restomairie import scheduler

    monkeypatch.setattr(scheduler, "run_scheduler", lambda rt, safety_interval: None)
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-25T10:00:00+01:00")
    res = cli.invoke(main, ["scheduler"])
    assert res.exit_code == 0, res.output
    assert ("Attention : horloge figée au 2026-11-25T10:00:00+01:00 (RESTOMAIRIE_NOW) : le "
            "rattrapage et chaque verrouillage se font à cette heure, qui n'avance pas, mais les "
            "« prochaine exécution » annoncées suivent l'horloge réelle ; la prochaine heure "
            "limite à cette heure-là, le 2026-11-26T13:00:00+01:00, ne passera donc jamais."
            ) in res.output
    monkeypatch.delenv("RESTOMAIRIE_NOW")
    assert "horloge figée" not in cli.invoke(main, ["scheduler"]).output


def test_serve_on_a_port_in_use_says_so_and_names_the_option(cli: CliRunner) -> None:
    import socket

    assert cli.invoke(main, ["init-db"]).exit_code == 0
    with socket.socket() as taken:  # a port someone listens on already
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = cli.invoke(main, ["serve", "--port", str(port)])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.exception
    assert (f"Le port {port} est déjà utilisé sur 127.0.0.1 (un autre « restomairie serve » ?) : "
            "arrêtez ce service ou choisissez un autre port avec --port.") in res.output
    assert "Traceback" not in res.output


def test_deadline_errors_have_exit_codes(cli: CliRunner) -> None:
    assert cli.invoke(main, ["deadline", "2031-01-06"]).exit_code == 1
    assert cli.invoke(main, ["deadline", "07/13/2026"]).exit_code == 2
    assert cli.invoke(main, ["deadline", "2026-12-07", "--school", "nope"]).exit_code == 1
    bad = cli.invoke(main, ["--config", "/nonexistent.toml", "deadline", "2026-12-07"])
    assert bad.exit_code == 3 and "« --config » : fichier introuvable" in bad.output


def test_a_configuration_error_names_where_it_came_from_and_says_configuration_once(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preset = (Path(__file__).resolve().parents[1] / "config/dijon.toml").read_text("utf-8")
    town = tmp_path / "t.toml"
    town.write_text(preset.replace("\nalsace_moselle", "\nalsace_mosele"), encoding="utf-8")
    res = cli.invoke(main, ["--config", str(town), "deadline", "2026-12-07"])
    assert res.exit_code == 3
    assert res.output == (
        "Erreur de configuration : « town.alsace_mosele » est une clé inconnue "
        "(vouliez-vous dire « town.alsace_moselle » ?)\n"
    )
    monkeypatch.setenv("RESTOMAIRIE_CONFIG", str(tmp_path / "nope.toml"))
    from_env = cli.invoke(main, ["deadline", "2026-12-07"])
    assert from_env.exit_code == 3
    assert "Erreur de configuration : « RESTOMAIRIE_CONFIG » : fichier introuvable" in (
        from_env.output
    )
    preset_name = cli.invoke(main, ["--config", "paris", "deadline", "2026-12-07"])
    assert preset_name.exit_code == 3
    assert "« paris » (préréglages : cesson-sevigne, dijon, villepreux" in preset_name.output


def test_calendar_lists_open_days_with_deadlines_and_closed_days_with_reasons(
    cli: CliRunner,
) -> None:
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    res = cli.invoke(main, ["calendar", "2026-12-16", "2026-12-21"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert (
        "2026-12-17" in lines[1] and "ouvert — avant le lundi 14 décembre à 13 heures" in lines[1]
    )
    assert "mercredi" in lines[0] and "fermé" in lines[0]
    assert "vacances de Noël" in lines[-1]


def test_calendar_refuses_an_unknown_school_as_deadline_does(cli: CliRunner) -> None:
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    res = cli.invoke(main, ["calendar", "2026-12-14", "2027-01-08", "--school", "nope"])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.exception
    assert res.output == "Refusé : École inconnue : nope.\n"


@pytest.mark.parametrize("days", ["0", "-3", "401"])
def test_bookings_refuses_a_number_of_days_out_of_range(cli: CliRunner, days: str) -> None:
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    res = cli.invoke(main, ["bookings", "210001", "--days", days])
    assert res.exit_code == 2, res.output  # wrong usage, before anything is read
    assert "--days" in res.output and "1<=x<=400" in res.output


def test_a_day_the_canteen_never_serves_is_said_as_the_phone_says_it(
    cli: CliRunner, tmp_path: Path
) -> None:
    _import_lea(cli, tmp_path)
    never = "la cantine ne fonctionne jamais le mercredi"
    booked = cli.invoke(main, ["book", "210001", "E1", "2026-12-02"])
    assert booked.exit_code == 1
    assert booked.output == (
        f"Refusé : Le mercredi 2 décembre, il n'y a pas de restauration scolaire : {never}.\n"
    )
    said = cli.invoke(main, ["deadline", "2026-12-02"]).output
    assert said == f"Le mercredi 2 décembre 2026, pas de restauration scolaire : {never}.\n"
    listed = cli.invoke(main, ["calendar", "2026-12-02", "2026-12-02"]).output
    assert listed.rstrip().endswith(f"fermé — {never}")
    counts = cli.invoke(main, ["counts", "2026-12-02"]).output
    assert counts.startswith(f"Effectifs du mercredi 2 décembre 2026 — pas de restauration "
                             f"scolaire : {never}\n")
    # Data stays data: the JSON's reason is the weekday.
    data = json.loads(cli.invoke(main, ["deadline", "2026-12-02", "--json"]).output)
    assert data["reason"] == "mercredi"


def test_a_day_closed_twice_is_said_by_its_holidays_with_the_deadlines_unchanged(
    cli: CliRunner, tmp_path: Path
) -> None:
    """Wednesday 23 December and Saturday 2 January are in the Christmas holidays, Wednesday
    14 July 2027 in the summer's: said so, not « jamais le mercredi ». The days around keep
    their deadlines (the first meal after the break: before it)."""
    _import_lea(cli, tmp_path)
    for day, said in (
        ("2026-12-23", "Le mercredi 23 décembre 2026, pas de restauration scolaire : vacances "
                       "de Noël.\n"),
        ("2027-01-02", "Le samedi 2 janvier 2027, pas de restauration scolaire : vacances de "
                       "Noël.\n"),
        ("2027-07-14", "Le mercredi 14 juillet 2027, pas de restauration scolaire : vacances "
                       "d'été.\n"),
        # Guards: a Wednesday out of the holidays, a public holiday on a canteen day in them.
        ("2026-11-11", "Le mercredi 11 novembre 2026, pas de restauration scolaire : la "
                       "cantine ne fonctionne jamais le mercredi.\n"),
        ("2026-12-25", "Le vendredi 25 décembre 2026, pas de restauration scolaire : Noël.\n"),
    ):
        assert cli.invoke(main, ["deadline", day]).output == said
    listed = cli.invoke(main, ["calendar", "2026-12-18", "2027-01-05"]).output.splitlines()
    assert listed[0].endswith("ouvert — avant le mardi 15 décembre à 13 heures")
    assert listed[5].startswith("2026-12-23") and listed[5].endswith("fermé — vacances de Noël")
    assert listed[15].startswith("2027-01-02") and listed[15].endswith("fermé — vacances de Noël")
    assert listed[17].endswith("ouvert — avant le jeudi 17 décembre à 13 heures")
    assert listed[18].endswith("ouvert — avant le vendredi 18 décembre à 13 heures")
    booked = cli.invoke(main, ["book", "210001", "E1", "2026-12-23"])
    assert booked.output == (
        "Refusé : Le mercredi 23 décembre, il n'y a pas de restauration scolaire : vacances de "
        "Noël.\n"
    )


def test_the_holidays_are_written_as_the_phone_line_says_them(cli: CliRunner) -> None:
    """Not with the data set's capitals (« Vacances d'Été », « Vacances d'Hiver »); the JSON
    keeps the data set's name, as data."""
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    for day, name in (("2027-08-10", "vacances d'été"), ("2027-02-15", "vacances d'hiver"),
                      ("2027-04-19", "vacances de printemps"),
                      ("2026-10-20", "vacances de la Toussaint"),
                      ("2026-05-15", "pont de l'Ascension")):
        assert cli.invoke(main, ["deadline", day]).output.endswith(f" : {name}.\n"), day
        listed = cli.invoke(main, ["calendar", day, day]).output
        assert listed.rstrip().endswith(f"fermé — {name}"), day
    data = json.loads(cli.invoke(main, ["deadline", "2027-08-10", "--json"]).output)
    assert data["reason"] == "Vacances d'Été"


def test_public_holidays_and_closed_sites_are_written_in_small_letters_mid_sentence(
    cli: CliRunner,
) -> None:
    """« lundi de Pentecôte », « fermé : vacances d'été », « fermé : pont de l'Ascension »,
    as the phone line says them, not « Lundi de Pentecôte », « [fermé : Vacances d'Été] »;
    proper nouns keep their capitals (« Noël », « Toussaint »)."""
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    for day, name in (("2027-05-17", "lundi de Pentecôte"), ("2027-03-29", "lundi de Pâques"),
                      ("2026-05-01", "fête du Travail"), ("2026-12-25", "Noël"),
                      ("2025-11-11", "Armistice")):
        said = cli.invoke(main, ["deadline", day]).output
        assert said.endswith(f"pas de restauration scolaire : {name}.\n"), said
    listed = cli.invoke(main, ["calendar", "2027-05-17", "2027-05-17"]).output
    assert listed.rstrip().endswith("fermé — lundi de Pentecôte"), listed
    for day, name in (("2027-07-05", "vacances d'été"), ("2027-05-07", "pont de l'Ascension"),
                      ("2027-05-17", "lundi de Pentecôte")):
        counts = cli.invoke(main, ["counts", day]).output
        assert f"[fermé : {name}]" in counts, counts
        assert "[fermé : V" not in counts and "[fermé : P" not in counts and "[fermé : L" not in counts


def _import_lea(cli: CliRunner, tmp_path: Path) -> None:
    """A fresh database with Léa (E1, anjou-elem, every canteen day) of family 210001."""
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    csv = tmp_path / "f.csv"
    csv.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210001;1234;0612345678;Mme Martin;E1;Léa;Martin;2018-03-04;anjou-elem;standard;lun mar jeu ven\n",
        encoding="utf-8",
    )
    res = cli.invoke(main, ["import", str(csv)])
    assert res.exit_code == 0, res.output


def test_import_says_what_to_check_a_phone_shared_and_a_child_left_out(
    cli: CliRunner, tmp_path: Path
) -> None:
    _import_lea(cli, tmp_path)
    csv = tmp_path / "g.csv"
    csv.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210001;1234;0612345678;Mme Martin;E2;Hugo;Martin;;anjou-elem;standard;lun\n"
        "210002;4831;0612345678;M. Petit;E3;Zoé;Petit;;anjou-elem;standard;lun\n",
        encoding="utf-8",
    )
    res = cli.invoke(main, ["import", "--dry-run", str(csv)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[1:] == [
        "À vérifier :",
        "  téléphone +33 6 •• •• •• 78 (ligne 2, dossier 210001) partagé par les dossiers "
        "210001, 210002 : un appel de ce numéro n'identifie plus la famille, le numéro de "
        "dossier y est demandé ; si ce n'est pas voulu, corrigez le numéro",
        "  dossier 210001 : Léa Martin (E1) absent(e) du fichier, son abonnement continue (repas "
        "comptés et facturés) ; pour l'arrêter, laissez la colonne days vide sur sa ligne ou "
        "changez-le dans sa fiche",
    ]


def test_import_end_missing_ends_and_names_the_subscriptions_of_children_left_out(
    cli: CliRunner, tmp_path: Path
) -> None:
    _import_lea(cli, tmp_path)
    csv = tmp_path / "g.csv"
    csv.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210001;1234;0612345678;Mme Martin;E2;Hugo;Martin;;anjou-elem;standard;lun\n",
        encoding="utf-8",
    )
    for extra, verb in ((["--dry-run"], "à arrêter"), ([], "arrêtés")):
        res = cli.invoke(main, ["import", "--end-missing", *extra, str(csv)])
        assert res.exit_code == 0, res.output
        assert res.output.splitlines()[1:] == [
            f"Abonnements {verb} (absents du fichier) :",
            "  dossier 210001 : Léa Martin (E1), jours lun mar jeu ven → aucun à partir du "
            "jeudi 26 novembre",
        ]


def test_import_names_under_to_check_the_days_kept_apart_from_a_pattern_it_changes(
    cli: CliRunner, tmp_path: Path
) -> None:
    # Léa's pattern changed to lun jeu while her Thursday 3 December was cancelled by hand: the
    # report said the new pattern, not that this Thursday stays cancelled apart from it.
    _import_lea(cli, tmp_path)
    rt = Runtime.build()
    try:
        rt.booking.cancel("210001", [date(2026, 12, 3)], Actor("family", "210001", "phone"))
    finally:
        rt.engine.dispose()
    csv = tmp_path / "g.csv"
    csv.write_text((tmp_path / "f.csv").read_text(encoding="utf-8").replace(
        "lun mar jeu ven", "lun jeu"), encoding="utf-8")
    for extra in (["--dry-run"], []):
        res = cli.invoke(main, ["import", *extra, str(csv)])
        assert res.exit_code == 0, res.output
        assert res.output.splitlines()[-2:] == [
            "À vérifier :",
            "  Reste annulé à part : jeudi 3 décembre (Léa Martin, E1, dossier 210001, ligne 2)",
        ]


def test_importing_an_unchanged_file_again_says_unchanged(cli: CliRunner, tmp_path: Path) -> None:
    _import_lea(cli, tmp_path)
    for extra in (["--dry-run"], []):
        res = cli.invoke(main, ["import", str(tmp_path / "f.csv"), *extra])
        assert res.exit_code == 0, res.output
        assert "mises à jour 0, inchangées 1" in res.output or (
            "à mettre à jour 0, inchangées 1" in res.output
        )
        assert "mis à jour 0, inchangés 1." in res.output or (
            "à mettre à jour 0, inchangés 1." in res.output
        )
        assert "Changements" not in res.output


def test_import_book_cancel_and_bookings_as_staff(cli: CliRunner, tmp_path: Path) -> None:
    # The town has been served since 2 November (Tom's family); Léa's comes in on Monday 23.
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    _import_tom(cli, tmp_path, at="2026-11-02T09:00:00+01:00")
    _import_lea(cli, tmp_path)
    res = cli.invoke(main, ["cancel", "210001", "E1", "2026-12-07", "--user", "marie"])
    assert res.exit_code == 0 and "annulé" in res.output
    # Cancelled again: said already cancelled, with when and how (not "rien à annuler").
    again = cli.invoke(main, ["cancel", "210001", "E1", "2026-12-07"])
    assert again.output.strip() == (
        "Léa — lundi 7 décembre 2026 : déjà annulé le lundi 23 novembre à 10 heures, par la mairie"
    )
    late = cli.invoke(main, ["book", "210001", "E1", "2026-11-24"])
    assert (
        late.exit_code == 1
        and "il fallait réserver avant le vendredi 20 novembre à 13 heures" in late.output
    )
    forced = cli.invoke(
        main, ["book", "210001", "E1", "2026-11-24", "--override", "erreur de saisie"]
    )
    assert forced.exit_code == 0, forced.output
    listing = cli.invoke(main, ["bookings", "210001", "--days", "21"])
    assert listing.exit_code == 0
    assert "lundi 7 décembre        annulé — modifiable avant le jeudi 3 décembre" in listing.output
    # Forced past its cut-off with the day not locked yet (no scheduler here): the day was
    # locked first, as the scheduler would have, and the booking is beside that figure.
    assert "mardi 24 novembre       réservé — transmis à la cuisine" in listing.output
    assert cli.invoke(main, ["bookings", "999"]).exit_code == 1
    week = cli.invoke(main, ["cancel", "210001", "tous", "2026-12-14..2026-12-18"])
    assert week.exit_code == 0, week.output
    assert week.output.count("annulé") == 4  # Wednesday passed over
    bad = cli.invoke(main, ["cancel", "210001", "E1", "2026-12-14..2026-12-10"])
    assert bad.exit_code == 2


def test_an_empty_override_reason_is_said_as_such(cli: CliRunner, tmp_path: Path) -> None:
    _import_lea(cli, tmp_path)
    for reason in ("", "  "):
        res = cli.invoke(main, ["cancel", "210001", "E1", "2026-11-24", "--override", reason])
        assert res.exit_code == 2, res.output
        assert "--override" in res.output and "le motif du forçage est vide" in res.output
        assert "Seul le personnel" not in res.output


def test_a_child_is_named_by_its_first_name_when_unique_or_the_children_are_listed(
    cli: CliRunner, tmp_path: Path
) -> None:
    _import_lea(cli, tmp_path)
    by_name = cli.invoke(main, ["cancel", "210001", "lea", "2026-12-07"])
    assert by_name.exit_code == 0, by_name.output
    assert by_name.output == "Léa — lundi 7 décembre 2026 : annulé\n"
    unknown = cli.invoke(main, ["book", "210001", "Rose", "2026-12-07"])
    assert unknown.exit_code == 1
    assert unknown.output == (
        "Refusé : Enfant inconnu dans le dossier 210001 : Rose. Enfants du dossier : "
        "E1 (Léa Martin) ; ou « tous ».\n"
    )


def test_two_children_of_one_first_name_are_asked_by_id(cli: CliRunner, tmp_path: Path) -> None:
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    csv = tmp_path / "twins.csv"
    csv.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210001;1234;0612345678;Mme Martin;E1;Léa;Martin;;anjou-elem;standard;lun\n"
        "210001;1234;0612345678;Mme Martin;E2;Léa;Petit;;anjou-elem;standard;lun\n",
        encoding="utf-8",
    )
    assert cli.invoke(main, ["import", str(csv)]).exit_code == 0
    res = cli.invoke(main, ["cancel", "210001", "Léa", "2026-12-07"])
    assert res.exit_code == 1
    assert "Plusieurs enfants du dossier 210001 s'appellent Léa : donnez l'identifiant (E1, E2)" in (
        res.output
    )


def _strike(cli: CliRunner, tmp_path: Path, first: date, last: date, note: str) -> None:
    """Léa (E1, anjou-elem, every canteen day) in a fresh database, and a strike at Anjou from
    ``first`` to ``last`` declared by staff as the back office does."""
    _import_lea(cli, tmp_path)
    rt = Runtime.build()
    try:
        StaffService(rt.booking).declare_closure(
            "anjou-elem", first, last, "strike", note, Actor("staff", "marie", "staff"))
    finally:
        rt.engine.dispose()


def test_bookings_shows_the_days_a_closure_took_and_why(cli: CliRunner, tmp_path: Path) -> None:
    _strike(cli, tmp_path, date(2026, 12, 3), date(2026, 12, 4), "grève des agents")
    res = cli.invoke(main, ["bookings", "210001", "--days", "20"])
    assert res.exit_code == 0, res.output
    lines = [line.strip() for line in res.output.splitlines()]
    # In the listing's order and shape, with the words of the staff pages' child calendar.
    at = lines.index("mardi 1er décembre      réservé (abonnement) — modifiable avant le "
                     "vendredi 27 novembre à 13 heures")
    assert lines[at + 1:at + 4] == [
        "jeudi 3 décembre        fermé — non facturé : grève (grève des agents)",
        "vendredi 4 décembre     fermé — non facturé : grève (grève des agents)",
        "lundi 7 décembre        réservé (abonnement) — modifiable avant le jeudi 3 décembre "
        "à 13 heures",
    ]
    # Wednesdays and weekends stay out, as before.
    assert not any(line.startswith(("mercredi", "samedi", "dimanche")) for line in lines)


def test_a_strike_noted_greve_reads_greve_once_in_the_counts_and_the_bookings(
    cli: CliRunner, tmp_path: Path
) -> None:
    _strike(cli, tmp_path, date(2026, 12, 3), date(2026, 12, 3), "Grève.")
    counts = cli.invoke(main, ["counts", "2026-12-03"])
    assert counts.exit_code == 0, counts.output
    assert "[fermé : grève]" in counts.output and "grève (" not in counts.output
    listing = cli.invoke(main, ["bookings", "210001", "--days", "14"]).output
    assert "jeudi 3 décembre        fermé — non facturé : grève\n" in listing


def test_import_with_a_bad_line_reports_it_and_exits_1(cli: CliRunner, tmp_path: Path) -> None:
    cli.invoke(main, ["init-db"])
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "family,pin,phones,guardian,child,first_name,last_name,birth_date,school,diet,days\n"
        "210001,12,0612345678,Mme Martin,E1,Léa,Martin,2018-03-04,anjou-elem,standard,\n",
        encoding="utf-8",
    )
    res = cli.invoke(main, ["import", str(csv)])
    assert res.exit_code == 1
    assert "ligne 2, colonne pin : le code secret doit avoir 4 chiffres" in res.output


def test_import_dry_run_says_what_would_change_and_writes_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    cli.invoke(main, ["init-db"])
    header = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
    first = tmp_path / "first.csv"
    first.write_text(header + "210001;1234;06 12 34 56 78, 03 80 00 00 00;Mme Martin;E1;Léa;"
                     "Martin;2018-03-04;anjou-elem;standard;lun mar jeu ven\n", encoding="utf-8")
    # The family came in on Thursday 19 at 9:00, and the scheduler never ran since.
    res = cli.invoke(main, ["import", str(first)],
                     env={"RESTOMAIRIE_NOW": "2026-11-19T09:00:00+01:00"})
    assert res.exit_code == 0, res.output
    assert "Import terminé (fichier lu en UTF-8)" in res.output
    second = tmp_path / "second.csv"
    second.write_bytes((header + "210001;5678;06 12 34 56 78;Mme Martin;E1;Léa;Martin;"
                        "2018-03-04;anjou-elem;Sans porc;lun jeu\n").encode("cp1252"))
    dry = cli.invoke(main, ["import", "--dry-run", str(second)])
    assert dry.exit_code == 0, dry.output
    # The scheduler never ran: Tuesday 24's lock, overdue, is taken first, and said.
    assert "Import vérifié, rien n'a été importé (fichier lu en Windows-1252)" in dry.output
    assert ("Effectifs verrouillés en retard avant la vérification, et qui le restent "
            "(l'import les prendrait de même) : le planificateur ne l'avait pas fait à leur "
            "heure limite : École élémentaire Anjou le mardi 24 novembre.") in dry.output
    assert ("ligne 2, dossier 210001 : code secret modifié ; téléphone retiré : "
            "+33 3 •• •• •• 00") in dry.output
    assert ("ligne 2, Léa (E1, dossier 210001) : régime standard → sans_porc, dès demain "
            "(mardi 24 novembre)") in dry.output
    assert "jours lun mar jeu ven → lun jeu à partir du jeudi 26 novembre" in dry.output
    assert "5678" not in dry.output and "1234" not in dry.output
    listing = cli.invoke(main, ["bookings", "210001", "--days", "7"])
    assert "vendredi 27 novembre    réservé" in listing.output  # the pattern is unchanged
    done = cli.invoke(main, ["import", str(second)])
    assert done.exit_code == 0 and "Import terminé (fichier lu en Windows-1252)" in done.output
    assert "code secret modifié" in done.output
    assert "vendredi 27 novembre    réservé" not in cli.invoke(
        main, ["bookings", "210001", "--days", "7"]).output


def test_import_dry_run_says_the_overdue_lock_it_took(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The dry run said "rien n'a été écrit" but locked Friday 27 November (overdue since
    # Tuesday 13:00, the scheduler down), without a word.
    from sqlalchemy import select

    from restomairie.models import DayLock

    _import_lea(cli, tmp_path)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-23T13:00:00+01:00")
    assert cli.invoke(main, ["lock"]).exit_code == 0
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-25T10:00:00+01:00")
    diet = tmp_path / "diet.csv"
    diet.write_text((tmp_path / "f.csv").read_text(encoding="utf-8").replace(
        "anjou-elem;standard", "anjou-elem;vegetarien"), encoding="utf-8")
    dry = cli.invoke(main, ["import", "--dry-run", str(diet)])
    assert dry.exit_code == 0, dry.output
    assert "Import vérifié, rien n'a été importé" in dry.output
    assert "rien n'a été écrit" not in dry.output
    assert ("Effectifs verrouillés en retard avant la vérification, et qui le restent (l'import "
            "les prendrait de même) : le planificateur ne l'avait pas fait à leur heure limite : "
            "École élémentaire Anjou le vendredi 27 novembre.") in dry.output
    rt = Runtime.build()
    with rt.sessions() as session:
        assert date(2026, 11, 27) in set(
            session.scalars(select(DayLock.day).where(DayLock.school_id == "anjou-elem"))
        )
    again = cli.invoke(main, ["import", "--dry-run", str(diet)])  # nothing overdue any more
    assert "Import vérifié, rien n'a été écrit" in again.output and "en retard" not in again.output


def test_import_refuses_a_child_of_another_family_by_line_and_says_a_rename(
    cli: CliRunner, tmp_path: Path
) -> None:
    cli.invoke(main, ["init-db"])
    header = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
    martin = "210500;1951;06 42 88 04 83;Mme Martin;E00003;Nathan;Martin;2015-05-27;"
    first = tmp_path / "first.csv"
    first.write_text(header + martin + "champollion-elem;standard;lun jeu\n", encoding="utf-8")
    assert cli.invoke(main, ["import", str(first)]).exit_code == 0
    # The tester's file: a new account 310003 with Nathan's id, another name and school.
    move = tmp_path / "move.csv"
    move.write_text(header + "310003;1234;06 11 22 33 44;M. Y;E00003;Nathan;Autre;;anjou-elem;"
                    "standard;lun\n", encoding="utf-8")
    refusal = ("ligne 2, colonne child : l'enfant E00003 appartient déjà au dossier 210500 ; "
               "un changement de famille ne se fait pas par import : à traiter à part par le "
               "service (retirez cette ligne du fichier) ; s'il s'agit d'un autre enfant, "
               "donnez-lui un autre identifiant")
    for args in (["import", "--dry-run", str(move)], ["import", str(move)]):
        res = cli.invoke(main, args)
        assert res.exit_code == 1, res.output
        assert "Import refusé, rien n'a été importé" in res.output and refusal in res.output
    listing = cli.invoke(main, ["bookings", "310003"])  # nothing was written
    assert listing.exit_code == 1 and "Dossier famille inconnu : 310003" in listing.output
    rename = tmp_path / "rename.csv"
    rename.write_text(header + martin.replace("Nathan;Martin;2015-05-27", "Nathaniel;Martin;")
                      + "champollion-elem;standard;lun jeu\n", encoding="utf-8")
    dry = cli.invoke(main, ["import", "--dry-run", str(rename)])
    assert dry.exit_code == 0, dry.output
    assert ("ligne 2, Nathaniel (E00003, dossier 210500) : prénom modifié : Nathan → Nathaniel ; "
            "date de naissance modifiée : 27/05/2015 → —") in dry.output


def test_demo_loads_about_fifty_families_with_codes_to_try(cli: CliRunner) -> None:
    res = cli.invoke(main, ["demo"])
    assert res.exit_code == 0, res.output
    assert "50 familles" in res.output
    assert "code" in res.output
    again = cli.invoke(main, ["demo"])  # idempotent
    assert again.exit_code == 0
    # Families have been there since the rentrée: today's locked counts are not empty.
    counts = cli.invoke(main, ["counts", "2026-11-23", "--json"])
    assert counts.exit_code == 0, counts.output
    assert json.loads(counts.output)["total"] > 20


def test_demo_refuses_a_database_that_holds_the_towns_families(
    cli: CliRunner, tmp_path: Path
) -> None:
    # The demo writes over the families whose account numbers it uses (code, phones, guardian)
    # and adds fifty fictitious ones to the kitchen's counts: a town's database is refused.
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    real = tmp_path / "real.csv"
    real.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210500;4321;0611223344;Mme Réelle;R1;Vraie;Famille;2018-01-01;anjou-elem;standard;lun\n",
        encoding="utf-8",
    )
    assert cli.invoke(main, ["import", str(real)]).exit_code == 0
    res = cli.invoke(main, ["demo"])
    assert res.exit_code == 1, res.output
    assert "Refusé : la base de données de « DATABASE_URL »" in res.output
    assert "familles qui ne sont pas celles de la démonstration (dossiers 210500)" in res.output
    assert "Rien n'a été écrit" in res.output and "Démonstration chargée" not in res.output
    listing = cli.invoke(main, ["bookings", "210500", "--days", "2"])
    assert "Dossier 210500 — Mme Réelle" in listing.output, listing.output
    assert "Margaux" not in listing.output
    with Runtime.build().sessions() as session:  # no demo account either
        assert session.scalars(select(StaffUser.username)).all() == []
    assert cli.invoke(main, ["bookings", "210501"]).exit_code == 1  # no demo family added


def test_demo_refuses_a_database_being_set_up_with_staff_accounts(cli: CliRunner) -> None:
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    made = cli.invoke(main, ["create-user", "marie", "--role", "admin", "--password-stdin"],
                      input="Motdepasse-tres-long-42\n")
    assert made.exit_code == 0, made.output
    res = cli.invoke(main, ["demo"])
    assert res.exit_code == 1, res.output
    assert ("a des comptes du personnel (marie) et pas encore de familles" in res.output
            and "Rien n'a été écrit" in res.output)
    assert cli.invoke(main, ["bookings", "210500"]).exit_code == 1


def test_demo_runs_again_in_a_demo_database_with_accounts_made_to_try_it(
    cli: CliRunner,
) -> None:
    # Guard (passes on the base too): a previous demo's database is recognised by its families,
    # so re-running the demo there, after a kitchen account was made to try the pages, and with
    # fewer families, still works as the README says.
    assert cli.invoke(main, ["demo"]).exit_code == 0
    made = cli.invoke(main, ["create-user", "cuisine", "--role", "kitchen", "--password-stdin"],
                      input="Motdepasse-tres-long-42\n")
    assert made.exit_code == 0, made.output
    again = cli.invoke(main, ["demo", "--families", "5"])
    assert again.exit_code == 0, again.output
    assert "Démonstration chargée : 5 familles" in again.output


def test_an_import_with_a_birth_date_in_the_future_is_refused_naming_line_and_column(
    cli: CliRunner, tmp_path: Path
) -> None:
    # 2030 for 2020 was imported as is; today's date (a birth date cannot be later) is accepted.
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    file = tmp_path / "f.csv"
    file.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210500;4321;0611223344;Mme A;R1;Aa;Bb;23/11/2026;anjou-elem;standard;lun\n"
        "210501;4321;0611223345;Mme C;R2;Cc;Dd;2030-01-01;anjou-elem;standard;lun\n",
        encoding="utf-8",
    )
    res = cli.invoke(main, ["import", str(file)])
    assert res.exit_code == 1, res.output
    assert res.output == (
        "Import refusé, rien n'a été importé :\n"
        "  ligne 3, colonne birth_date : date de naissance '2030-01-01' dans le futur (nous "
        "sommes le 23/11/2026)\n"
    )


@pytest.mark.parametrize("module", ["restomairie", "restomairie.cli"])
def test_python_dash_m_runs_the_whole_command_line(module: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.startswith("  ")}
    assert {"call", "lock", "counts", "scheduler", "create-user", "serve"} <= listed


def test_a_child_in_a_school_the_configuration_no_longer_has_is_said_not_a_traceback(
    cli: CliRunner, tmp_path: Path
) -> None:
    # The same database with another town's file (or a school taken out of it): KeyError.
    _import_lea(cli, tmp_path)
    res = cli.invoke(main, ["--config", "villepreux", "bookings", "210001"])
    assert res.exit_code == 3, res.output
    assert res.output.strip() == (
        "Erreur de configuration : l'école « anjou-elem » n'est pas dans la configuration de la "
        "ville ([[schools]]) : ajoutez-la, ou changez l'école des enfants qui y sont inscrits"
    )


def test_a_calendar_range_past_the_calendar_lists_the_days_it_knows(cli: CliRunner) -> None:
    # It printed the refusal alone: July and the first days of September were not listed.
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    res = cli.invoke(main, ["calendar", "2027-08-30", "2027-09-06"])
    assert res.exit_code == 1
    assert res.output.splitlines() == [
        "2027-08-30  lundi 30 août            fermé — vacances d'été",
        "2027-08-31  mardi 31 août            fermé — vacances d'été",
        "2027-09-01  mercredi 1er septembre   fermé — vacances d'été",  # their last day
        "2027-09-02  jeudi 2 septembre        ouvert — avant le jeudi 1er juillet à 13 heures",
        "Refusé : Le calendrier scolaire connu s'arrête au 2 septembre 2027 : impossible de "
        "répondre pour le 3 septembre 2027.",
    ]
    # A range that starts past it, or the JSON, is refused as a whole.
    assert cli.invoke(main, ["calendar", "2027-09-03", "2027-09-06"]).output.startswith("Refusé")
    assert cli.invoke(main, ["calendar", "2027-08-30", "2027-09-06", "--json"]).exit_code == 1


ENDED = ("Refusé : Le calendrier scolaire utilisé s'arrête au 2 septembre 2027 : les repas des "
         "jours suivants ne peuvent pas être verrouillés pour la cuisine")


def test_lock_past_the_end_of_the_calendar_says_it_must_be_updated(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It said "Rien à verrouiller : chaque jour … l'est déjà." and exited 0, though no day after
    # 2 September 2027 can be locked.
    _import_lea(cli, tmp_path)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-09-06T13:30:00+02:00")
    first = cli.invoke(main, ["lock"])  # 2 September, the last day known, is locked first
    assert first.exit_code == 1, first.output
    assert "Repas du jeudi 2 septembre 2027" in first.output and ENDED in first.output
    again = cli.invoke(main, ["lock"])
    assert again.exit_code == 1, again.output
    assert "Rien à verrouiller" not in again.output and ENDED in again.output
    assert "« restomairie calendar-file convert »" in again.output


def test_lock_before_the_last_known_cut_off_is_not_refused(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2 September's cut-off is 1 July, 13:00: until then the next cut-off is known.
    _import_lea(cli, tmp_path)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-07-01T12:30:00+02:00")
    res = cli.invoke(main, ["lock"])
    assert res.exit_code == 0 and "calendrier" not in res.output, res.output


WAIT = ("Attention : Le calendrier scolaire utilisé s'arrête au 2 septembre 2027 : les repas des "
        "jours suivants ne pourront pas être verrouillés pour la cuisine, ni réservés, tant "
        "qu'il ne sera pas mis à jour. Aucune de leurs dates limites n'est encore passée : "
        "mettez-le à jour avant le vendredi 2 juillet à 13 heures (date limite du vendredi 3 "
        "septembre 2027, s'il y a cantine ce jour-là) : « restomairie calendar-file convert » "
        "puis RESTOMAIRIE_CALENDAR_FILE (voir le README, « A newer school calendar »).")
FRIDAY_DUE = ("Refusé : Le calendrier scolaire utilisé s'arrête au 2 septembre 2027 : les repas "
              "des jours suivants ne peuvent pas être verrouillés pour la cuisine, ni réservés, "
              "et la date limite du vendredi 3 septembre 2027, s'il y a cantine ce jour-là, est "
              "passée (le vendredi 2 juillet à 13 heures). Mettez le calendrier à jour : "
              "« restomairie calendar-file convert » puis RESTOMAIRIE_CALENDAR_FILE (voir le "
              "README, « A newer school calendar »).")


def test_lock_after_the_last_known_cut_off_refuses_only_once_a_later_meal_is_due(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From 1 July, 13:00 it refused (exit 1) saying the later meals' deadlines « est peut-être
    # déjà passée »: none had. Friday 3 September's counts back to days the calendar knows
    # (2 September, then Friday 2 July): nothing is due until Friday 2 July, 13:00, and the lock
    # says until when the calendar must be updated, without failing (it locked all it had to).
    _import_lea(cli, tmp_path)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-07-01T13:00:00+02:00")
    res = cli.invoke(main, ["lock"])
    assert res.exit_code == 0, res.output
    assert "Repas du jeudi 2 septembre 2027" in res.output  # what could be locked was
    assert res.output.splitlines()[-1] == WAIT and "peut-être" not in res.output
    assert "Refusé" not in res.output
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-07-02T12:59:59+02:00")
    res = cli.invoke(main, ["lock"])
    assert res.exit_code == 0 and res.output.splitlines()[-1] == WAIT, res.output
    # At Friday 3 September's cut-off the kitchen risks missing it: refused, naming it.
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-07-02T13:00:00+02:00")
    res = cli.invoke(main, ["lock"])
    assert res.exit_code == 1, res.output
    assert res.output.splitlines() == [FRIDAY_DUE]


def test_lock_says_a_deadline_past_the_calendar_may_have_passed_only_when_it_cannot_count_it(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rule whose first deadline past the calendar counts back through days it does not know:
    # that deadline is at least the last one known (1 July, 13:00), so it may have passed
    # from then on, and is said so, without a date.
    from restomairie.calendar.days import SchoolCalendar

    _import_lea(cli, tmp_path)
    monkeypatch.setattr(SchoolCalendar, "deadline_beyond", lambda *args: None)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-07-01T12:59:59+02:00")
    assert "calendrier" not in cli.invoke(main, ["lock"]).output
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-07-01T13:00:00+02:00")
    res = cli.invoke(main, ["lock"])
    assert res.exit_code == 1, res.output
    assert res.output.splitlines()[-1] == (
        "Refusé : Le calendrier scolaire utilisé s'arrête au 2 septembre 2027 : les repas des "
        "jours suivants ne peuvent pas être verrouillés pour la cuisine, ni réservés, et la date "
        "limite du vendredi 3 septembre 2027, s'il y a cantine ce jour-là, est peut-être déjà "
        "passée (elle dépend de jours que le calendrier ne connaît pas). Mettez le calendrier à "
        "jour : « restomairie calendar-file convert » puis RESTOMAIRIE_CALENDAR_FILE (voir le "
        "README, « A newer school calendar »)."
    )


def test_deadline_gives_the_staffs_own_when_it_is_stricter(cli: CliRunner) -> None:
    # Villepreux: 48 working hours for the families, 8 days "via la mairie"; only the
    # families' was given, and the staff's change was refused.
    res = cli.invoke(main, ["--config", "villepreux", "deadline", "2026-12-07", "--json"])
    assert json.loads(res.output) == {
        "date": "2026-12-07", "school": None, "operating": True,
        "deadline": "2026-12-03T00:00:00+01:00", "staff_deadline": "2026-11-25T00:00:00+01:00",
    }
    text = cli.invoke(main, ["--config", "villepreux", "deadline", "2026-12-07"]).output
    assert text.strip().endswith(
        "; à la mairie, avant le mardi 24 novembre à minuit (25/11/2026 00:00)."
    )
    assert "staff_deadline" not in cli.invoke(main, ["deadline", "2026-12-07", "--json"]).output


def test_bookings_past_the_calendar_says_it_stops_there(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20 August 2027, 30 days asked: the list ended with 2 September, the calendar's last day,
    # as if nothing came after it (the phone line says the calendar stops there).
    _import_lea(cli, tmp_path)
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-08-20T10:00:00+02:00")
    res = cli.invoke(main, ["bookings", "210001", "--days", "30"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[-3:] == [
        "  jeudi 2 septembre       réservé (abonnement) — plus modifiable",
        "",
        "Le calendrier scolaire après le jeudi 2 septembre 2027 n'est pas encore connu : les "
        "jours suivants ne sont pas affichés (mettez le calendrier à jour, voir « restomairie "
        "calendar-file show »).",
    ]
    # Fourteen days end before it: nothing said.
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-23T10:00:00+01:00")
    assert "calendrier scolaire" not in cli.invoke(main, ["bookings", "210001"]).output


def test_a_day_already_as_asked_past_its_deadline_is_said_so_not_too_late(
    cli: CliRunner, tmp_path: Path
) -> None:
    # A billing clerk checking "is Léa's meal booked?" with "book" heard "trop tard", and could
    # tell the parent the child had no meal: the day already as asked is said so, as the phone
    # line says it, and a real change past the deadline is still refused.
    _import_lea(cli, tmp_path)
    late = {"RESTOMAIRIE_NOW": "2026-12-04T13:05:00+01:00"}  # Monday 7: deadline Thursday 3
    booked = cli.invoke(main, ["book", "210001", "E1", "2026-12-07"], env=late)
    assert booked.exit_code == 0, booked.output
    assert booked.output.strip() == "Léa — lundi 7 décembre 2026 : déjà réservé"
    refused = cli.invoke(main, ["cancel", "210001", "E1", "2026-12-07"], env=late)
    assert refused.exit_code == 1
    assert "il fallait annuler avant le jeudi 3 décembre à 13 heures" in refused.output
    forced = cli.invoke(main, ["cancel", "210001", "E1", "2026-12-07", "--override", "malade"],
                        env=late)
    assert forced.exit_code == 0, forced.output
    again = cli.invoke(main, ["cancel", "210001", "E1", "2026-12-07"], env=late)
    assert again.exit_code == 0, again.output
    assert again.output.strip() == (
        "Léa — lundi 7 décembre 2026 : déjà annulé le vendredi 4 décembre à 13 h 05, par la mairie"
    )
    assert cli.invoke(main, ["book", "210001", "E1", "2026-12-07"], env=late).exit_code == 1
