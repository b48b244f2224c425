"""A school-calendar file chosen by the deployment (RESTOMAIRIE_CALENDAR_FILE / calendar.file).

The raw export used here is synthetic: the shipped records written out the way the Ministry's
JSON export writes them (one record per académie, teachers' summer records, Corse), plus a
2027-2028 school year whose dates are MADE UP FOR THE TESTS (plausible, not the official ones).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from restomairie.booking.errors import NotOperatingDay, OutsideCalendar
from restomairie.booking.services import Actor, Outcome
from restomairie.calendar.calendarfile import (
    CalendarFileError,
    check_coverage,
    convert_export,
    read_calendar_file,
    write_calendar,
)
from restomairie.calendar.schoolholidays import PARIS, load_school_holidays
from restomairie.cli import main
from restomairie.clock import Clock
from restomairie.config import ConfigError, Settings, load_config
from restomairie.kitchen.service import KitchenService
from restomairie.runtime import Runtime
from tests.factories import make_family

SHIPPED_FILE = (
    Path(__file__).resolve().parents[1]
    / "src/restomairie/calendar/data/fr-en-calendrier-scolaire.json"
)
SPRING_2027 = date(2027, 4, 2)  # when a town takes the next school year
PARENT = Actor("family", "210001", "phone")

# --- 2027-2028: TEST DATA, NOT THE OFFICIAL CALENDAR ------------------------------------------
# (description, population, start_date, end_date) per zone; start_date is the last day of
# classes and end_date the day classes resume, Paris midnight written in UTC.
_MADE_UP_2027_2028: dict[str, list[tuple[str, str, str, str]]] = {
    zone: [
        ("Vacances de la Toussaint", "-", "2027-10-22T22:00:00+00:00", "2027-11-07T23:00:00+00:00"),
        ("Vacances de Noël", "-", "2027-12-17T23:00:00+00:00", "2028-01-02T23:00:00+00:00"),
        ("Vacances d'Hiver", "-", winter[0], winter[1]),
        ("Vacances de Printemps", "-", spring[0], spring[1]),
        ("Pont de l'Ascension", "-", "2028-05-25T22:00:00+00:00", "2028-05-25T22:00:00+00:00"),
        ("Vacances d'Été", "Élèves", "2028-07-07T22:00:00+00:00", "2028-08-31T22:00:00+00:00"),
        ("Vacances d'Été", "Enseignants", "2028-07-07T22:00:00+00:00", "2028-08-30T22:00:00+00:00"),
    ]
    for zone, winter, spring in (
        ("A", ("2028-02-11T23:00:00+00:00", "2028-02-27T23:00:00+00:00"),
         ("2028-04-07T22:00:00+00:00", "2028-04-23T22:00:00+00:00")),
        ("B", ("2028-02-18T23:00:00+00:00", "2028-03-05T23:00:00+00:00"),
         ("2028-03-31T22:00:00+00:00", "2028-04-16T22:00:00+00:00")),
        ("C", ("2028-02-25T23:00:00+00:00", "2028-03-12T23:00:00+00:00"),
         ("2028-04-14T22:00:00+00:00", "2028-05-01T22:00:00+00:00")),
    )
}  # fmt: skip


def raw_export() -> list[dict[str, Any]]:
    """A JSON export as the data set's site gives it: one record per académie and period."""
    shipped = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    academies: dict[str, list[str]] = shipped["academies"]
    records: list[dict[str, Any]] = []
    periods = [dict(r) for r in shipped["records"]]
    for zone, rows in _MADE_UP_2027_2028.items():
        for description, population, start, end in rows:
            periods.append(
                {
                    "description": description,
                    "population": population,
                    "start_date": start,
                    "end_date": end,
                    "zones": f"Zone {zone}",
                    "annee_scolaire": "2027-2028",
                }
            )
    for period in periods:
        for location in academies[period["zones"]]:
            records.append({**period, "location": location})
    records.append(  # another zone of the data set, not a mainland zone: left out
        {
            "description": "Vacances de Noël",
            "population": "-",
            "start_date": "2027-12-17T23:00:00+00:00",
            "end_date": "2028-01-02T23:00:00+00:00",
            "location": "Corse",
            "zones": "Corse",
            "annee_scolaire": "2027-2028",
        }
    )
    return records


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def converted(tmp_path: Path, records: Any = None, **kwargs: Any) -> Path:
    conversion = convert_export(
        raw_export() if records is None else records,
        retrieved=date(2027, 3, 30),
        origin="export.json",
        **kwargs,
    )
    out = tmp_path / "calendrier.json"
    write_calendar(conversion.document, out)
    return out


def _index(records: list[dict[str, Any]], **match: str) -> int:
    """The position of the first record with these values."""
    return next(i for i, r in enumerate(records) if all(r.get(k) == v for k, v in match.items()))


# --- conversion -------------------------------------------------------------------------------


def test_the_shipped_file_passes_the_checks_and_reads_as_before() -> None:
    checked = read_calendar_file(SHIPPED_FILE)
    assert checked.calendar == load_school_holidays()
    assert not checked.export
    assert checked.school_years("A") == ("2024-2025", "2025-2026", "2026-2027")


def test_the_export_converts_to_the_shipped_calendar_plus_the_new_year() -> None:
    conversion = convert_export(raw_export(), retrieved=date(2027, 3, 30), origin="export.json")
    cal, shipped = conversion.calendar, load_school_holidays()
    assert (cal.first_covered, cal.last_covered) == (date(2024, 9, 2), date(2028, 9, 1))
    assert cal.retrieved == "2027-03-30"
    assert conversion.other_zones == ("Corse",)
    assert conversion.records_kept == 57 + 3 * 6  # one per zone and period, no teachers
    for zone in "ABC":
        known = {d: n for d, n in cal.closed_days(zone).items() if d <= shipped.last_covered}
        assert known == shipped.closed_days(zone)
    assert cal.reason_closed("A", date(2027, 10, 25)) == "Vacances de la Toussaint"
    assert cal.reason_closed("C", date(2028, 5, 1)) == "Vacances de Printemps"
    assert cal.reason_closed("A", date(2028, 5, 26)) == "Pont de l'Ascension"
    assert cal.reason_closed("A", date(2027, 9, 6)) is None
    # The teachers' summer (ending a day earlier) is not the pupils': 31 August is a holiday.
    assert cal.reason_closed("B", date(2028, 8, 31)) == "Vacances d'Été"
    # The older export's shape (values under "fields") reads the same.
    older = [{"datasetid": "fr-en-calendrier-scolaire", "fields": r} for r in raw_export()]
    again = convert_export(older, retrieved=date(2027, 3, 30), origin="export.json")
    assert again.calendar == cal


def test_a_summer_whose_end_is_not_published_ends_the_range_on_its_first_day() -> None:
    records = [
        r for r in raw_export()
        if not (r["annee_scolaire"] == "2027-2028" and r["description"] == "Vacances d'Été")
    ]  # fmt: skip
    for zone in "ABC":
        records.append({
            "description": "Début des Vacances d'Été", "population": "Élèves",
            "start_date": "2028-07-07T22:00:00+00:00", "end_date": "2028-07-07T22:00:00+00:00",
            "zones": f"Zone {zone}", "annee_scolaire": "2027-2028", "location": "X",
        })  # fmt: skip
    cal = convert_export(records, retrieved=date(2027, 3, 30), origin="e.json").calendar
    assert cal.last_covered == date(2028, 7, 9)  # Sunday 9 July, the first day of the summer
    assert cal.reason_closed("A", date(2028, 7, 9)) == "Vacances d'Été"


# --- the setting, end to end ------------------------------------------------------------------


@pytest.fixture
def spring_clock() -> Clock:
    return Clock(tz=PARIS, frozen=datetime(2027, 4, 2, 10, 0, tzinfo=PARIS))


@pytest.mark.parametrize("raw", [False, True], ids=["converted", "raw-export"])
def test_the_file_in_use_makes_september_2027_bookable(
    settings: Settings, spring_clock: Clock, engine: Engine, tmp_path: Path, raw: bool
) -> None:
    shipped_rt = Runtime.build(settings=settings, clock=spring_clock, engine=engine)
    with pytest.raises(OutsideCalendar):  # what the shipped calendar says
        shipped_rt.booking.day_status(date(2027, 9, 6), "anjou-elem")

    path = write_json(tmp_path / "export.json", raw_export()) if raw else converted(tmp_path)
    rt = Runtime.build(
        settings=dataclasses.replace(settings, calendar_file=path), clock=spring_clock,
        engine=engine,
    )  # fmt: skip
    rt.sync_schools()
    make_family(rt)
    monday = rt.booking.day_status(date(2027, 9, 6), "anjou-elem")
    assert monday.operating
    assert monday.deadline == datetime(2027, 9, 2, 13, 0, tzinfo=PARIS)  # Thursday, the rentrée
    friday = rt.booking.day_status(date(2027, 9, 10), "anjou-elem")
    assert friday.deadline == datetime(2027, 9, 7, 13, 0, tzinfo=PARIS)  # Tuesday before
    assert rt.booking.book("210001", [date(2027, 9, 6)], PARENT)[0].outcome in (
        Outcome.BOOKED, Outcome.ALREADY_BOOKED,
    )  # fmt: skip
    assert rt.booking.cancel("210001", [date(2027, 9, 6)], PARENT)[0].outcome is (
        Outcome.CANCELLED
    )
    with pytest.raises(NotOperatingDay) as refused:
        rt.booking.book("210001", [date(2027, 10, 25)], PARENT)
    assert "vacances de la Toussaint" in str(refused.value)
    # Past the new file, days are refused again.
    with pytest.raises(OutsideCalendar):
        rt.booking.day_status(date(2028, 9, 4), "anjou-elem")
    # The kitchen's "the calendar stops on…" warning reads the range of the file in use.
    assert KitchenService(rt.booking).calendar_range == (date(2024, 9, 2), date(2028, 9, 1))


def test_the_setting_comes_from_the_environment_or_the_town_file(tmp_path: Path) -> None:
    path = converted(tmp_path)
    from_env = load_config("dijon", environ={"RESTOMAIRIE_CALENDAR_FILE": str(path)})
    assert from_env.calendar_file == path
    assert from_env.calendar_file_key == "RESTOMAIRIE_CALENDAR_FILE"
    assert load_config("dijon", environ={}).calendar_file is None

    town = tmp_path / "ville.toml"
    preset = (Path(__file__).resolve().parents[1] / "config/dijon.toml").read_text("utf-8")
    town.write_text(preset + '\n[calendar]\nfile = "calendrier.json"\n', encoding="utf-8")
    from_file = load_config(town, environ={})
    assert from_file.calendar_file == path  # relative to the town's file
    assert from_file.calendar_file_key == "calendar.file"

    with pytest.raises(ConfigError) as missing:
        load_config("dijon", environ={"RESTOMAIRIE_CALENDAR_FILE": str(tmp_path / "nope.json")})
    assert str(missing.value) == (
        "configuration : « RESTOMAIRIE_CALENDAR_FILE » : fichier de calendrier scolaire "
        f"introuvable ({tmp_path / 'nope.json'})"
    )


def test_the_service_refuses_to_start_on_a_refused_file(
    settings: Settings, spring_clock: Clock, tmp_path: Path
) -> None:
    records = raw_export()
    records = [r for r in records if r["zones"] != "Zone C"]
    path = write_json(tmp_path / "export.json", records)
    with pytest.raises(ConfigError) as refused:
        Runtime.build(
            settings=dataclasses.replace(settings, calendar_file=path, database_url="sqlite://"),
            clock=spring_clock,
        )
    assert str(refused.value) == (
        "configuration : « calendar.file » : le fichier de calendrier scolaire "
        f"{path} est refusé : la zone C manque : aucune période de vacances pour elle "
        "(le fichier doit couvrir les zones A, B et C)"
    )


# --- each validation error --------------------------------------------------------------------


def _refused(records: Any, **kwargs: Any) -> CalendarFileError:
    with pytest.raises(CalendarFileError) as caught:
        convert_export(records, retrieved=date(2027, 3, 30), origin="e.json", **kwargs)
    return caught.value


def test_another_data_set_is_refused() -> None:
    error = _refused([{"code_uai": "0210001A", "nom": "École Anjou"}])
    assert str(error) == (
        "ce n'est pas le jeu de données fr-en-calendrier-scolaire : l'enregistrement n° 1 n'a "
        "pas les champs description, start_date, end_date, zones, annee_scolaire "
        "(il a : code_uai, nom)"
    )
    assert "pas un export JSON" in str(_refused({"hello": 1}))
    shipped = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    assert str(_refused(shipped)) == "ce fichier est déjà au format du projet : rien à convertir"


def test_a_file_of_another_data_set_in_the_project_format_is_refused(tmp_path: Path) -> None:
    shipped = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    shipped["dataset"] = "fr-en-annuaire-education"
    with pytest.raises(CalendarFileError) as caught:
        read_calendar_file(write_json(tmp_path / "c.json", shipped))
    assert "n'est pas le jeu de données fr-en-calendrier-scolaire" in str(caught.value)


def test_a_zone_missing_is_refused() -> None:
    records = [r for r in raw_export() if r["zones"] != "Zone B"]
    assert "la zone B manque" in str(_refused(records))
    no_new_c = [
        r for r in raw_export() if not (r["zones"] == "Zone C" and r["annee_scolaire"] == "2027-2028")
    ]
    assert str(_refused(no_new_c)) == (
        "la zone C manque pour l'année scolaire 2027-2028 (les autres zones l'ont)"
    )


def test_a_holiday_missing_from_a_year_is_refused() -> None:
    records = [
        r for r in raw_export()
        if not (r["zones"] == "Zone A" and r["annee_scolaire"] == "2027-2028"
                and r["description"] == "Vacances d'Hiver")
    ]  # fmt: skip
    assert str(_refused(records)) == (
        "zone A, année scolaire 2027-2028 : il manque les Vacances d'Hiver"
    )


def test_a_school_year_missing_in_between_is_refused() -> None:
    records = [r for r in raw_export() if r["annee_scolaire"] != "2025-2026"]
    assert str(_refused(records)) == (
        "il manque l'année scolaire 2025-2026 entre 2024-2025 et 2026-2027"
    )


def test_an_inverted_record_is_refused_by_number() -> None:
    records = raw_export()
    i = _index(records, zones="Zone A", annee_scolaire="2027-2028", description="Vacances de Noël")
    records[i]["start_date"], records[i]["end_date"] = records[i]["end_date"], records[i]["start_date"]
    error = _refused(records)
    assert error.record == i + 1
    assert str(error) == (
        f"enregistrement n° {i + 1} (Vacances de Noël, zone A, 2027-2028) : dates inversées : "
        "les cours reprendraient le 18 décembre 2027, avant de s'arrêter le 3 janvier 2028 "
        "(start_date est le dernier jour de classe, end_date le jour de la reprise)"
    )


def test_overlapping_records_are_refused_naming_both() -> None:
    records = raw_export()
    for r in records:  # every académie of zone A: Noël starts during the Toussaint holidays
        if (r["zones"], r["annee_scolaire"], r["description"]) == (
            "Zone A", "2027-2028", "Vacances de Noël"
        ):
            r["start_date"] = "2027-11-01T23:00:00+00:00"
    error = _refused(records)
    assert "(Vacances de Noël, zone A, 2027-2028, Besançon) chevauche" in str(error)
    assert "(Vacances de la Toussaint, zone A, 2027-2028, Besançon)" in str(error)
    assert str(error).endswith("le 3 novembre 2027 serait dans les deux")


def test_academies_that_disagree_are_refused() -> None:
    records = raw_export()
    i = _index(
        records, zones="Zone A", annee_scolaire="2027-2028", description="Vacances de Noël",
        location="Lyon",
    )  # fmt: skip
    records[i] = {**records[i], "end_date": "2028-01-09T23:00:00+00:00"}
    error = _refused(records)
    assert error.record == i + 1
    assert "les académies de la zone A ne sont pas d'accord" in str(error)
    assert "Lyon) du 18 décembre 2027 au 10 janvier 2028" in str(error)


def test_a_bad_timestamp_names_its_record() -> None:
    records = raw_export()
    records[3]["end_date"] = "2024-11-04T10:00:00+00:00"
    error = _refused(records)
    assert error.record == 4
    assert "« end_date » (2024-11-04T10:00:00+00:00) n'est pas minuit à Paris" in str(error)


def test_unreadable_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cassé.json"
    path.write_text('[\n {"description": "Vacances de Noël",\n  "zones" "Zone A"}\n]\n')
    with pytest.raises(CalendarFileError) as caught:
        read_calendar_file(path)
    assert str(caught.value) == "JSON illisible, ligne 3, colonne 11 (Expecting ':' delimiter)"


def test_a_file_that_ends_before_the_shipped_one_is_refused() -> None:
    records = [r for r in raw_export() if r["annee_scolaire"] in ("2023-2024", "2024-2025", "2025-2026")]
    cal = convert_export(records, retrieved=date(2027, 3, 30), origin="e.json").calendar
    assert cal.last_covered == date(2026, 9, 1)
    with pytest.raises(CalendarFileError) as caught:
        check_coverage(cal, date(2026, 3, 2), load_school_holidays())
    assert str(caught.value) == (
        "il s'arrête au 1er septembre 2026, avant le calendrier livré avec Resto-Mairie "
        "(jusqu'au 2 septembre 2027) : les jours entre les deux ne seraient plus connus ; "
        "prenez un export plus récent"
    )


def test_a_file_that_starts_after_todays_school_year_is_refused(tmp_path: Path) -> None:
    shipped = load_school_holidays()
    later = convert_export(
        raw_export(), retrieved=date(2027, 3, 30), origin="e.json", since="2027-2028"
    ).calendar
    assert later.first_covered == date(2027, 9, 2)
    with pytest.raises(CalendarFileError) as caught:
        check_coverage(later, SPRING_2027, shipped)
    assert str(caught.value).startswith("il commence au 2 septembre 2027, après aujourd'hui")
    check_coverage(later, date(2027, 9, 20), shipped)  # fine once that year has begun

    # A project-format file cut after the rentrée does not know when today's year began.
    document = json.loads(converted(tmp_path).read_text("utf-8"))
    document["first_covered_date"] = "2026-11-02"
    cut = read_calendar_file(write_json(tmp_path / "cut.json", document)).calendar
    with pytest.raises(CalendarFileError) as caught:
        check_coverage(cut, SPRING_2027, shipped)
    assert str(caught.value) == (
        "il commence au 2 novembre 2026 et ne dit pas quand l'année scolaire d'aujourd'hui "
        "(2 avril 2027) a commencé en zone A : il doit la couvrir depuis sa rentrée"
    )


def test_a_project_format_file_with_overlaps_is_refused(tmp_path: Path) -> None:
    document = json.loads(converted(tmp_path).read_text("utf-8"))
    copied = copy.deepcopy(document["records"][1])
    copied["description"] = "Vacances de Noël"
    document["records"].append(copied)
    with pytest.raises(CalendarFileError) as caught:
        read_calendar_file(write_json(tmp_path / "c.json", document))
    assert "chevauche" in str(caught.value)
    assert caught.value.record == len(document["records"])


# --- the commands -----------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-04-02T10:00:00+02:00")
    monkeypatch.delenv("RESTOMAIRIE_CONFIG", raising=False)
    monkeypatch.delenv("RESTOMAIRIE_CALENDAR_FILE", raising=False)
    return CliRunner()


def test_convert_then_show_then_the_new_year_answers(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = write_json(tmp_path / "fr-en-calendrier-scolaire.json", raw_export())
    out = tmp_path / "calendrier-2028.json"
    res = cli.invoke(
        main, ["calendar-file", "convert", str(export), "-o", str(out), "--retrieved", "2027-03-30"]
    )
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[:5] == [
        f"Export lu : {len(raw_export())} enregistrement(s), 75 gardé(s) (zones A, B et C, "
        "élèves, un par zone et par période) ; autres zones laissées de côté : Corse.",
        f"Calendrier écrit dans {out} : connu du 2 septembre 2024 au 1er septembre 2028.",
        "  zone A : années scolaires 2024-2025, 2025-2026, 2026-2027, 2027-2028 ; "
        "du 2 septembre 2024 au 1er septembre 2028",
        "  zone B : années scolaires 2024-2025, 2025-2026, 2026-2027, 2027-2028 ; "
        "du 2 septembre 2024 au 1er septembre 2028",
        "  zone C : années scolaires 2024-2025, 2025-2026, 2026-2027, 2027-2028 ; "
        "du 2 septembre 2024 au 1er septembre 2028",
    ]
    assert json.loads(out.read_text("utf-8"))["retrieved"] == "2027-03-30"

    shipped = cli.invoke(main, ["calendar-file", "show"])
    assert shipped.exit_code == 0, shipped.output
    assert "celui livré avec Resto-Mairie (fr-en-calendrier-scolaire.json)" in shipped.output
    assert "Connu du 2 septembre 2024 au 2 septembre 2027" in shipped.output
    assert cli.invoke(main, ["deadline", "2027-09-06"]).exit_code == 1

    monkeypatch.setenv("RESTOMAIRIE_CALENDAR_FILE", str(out))
    res = cli.invoke(main, ["calendar-file", "show"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"Calendrier scolaire : {out} (format du projet ; réglage RESTOMAIRIE_CALENDAR_FILE).",
        "Source : https://data.education.gouv.fr/explore/dataset/fr-en-calendrier-scolaire/ "
        "(Licence Ouverte / Open Licence version 2.0 (Etalab)), récupéré le 2027-03-30.",
        "Connu du 2 septembre 2024 au 1er septembre 2028 ; après, tout jour est refusé.",
        "  zone A : années scolaires 2024-2025, 2025-2026, 2026-2027, 2027-2028 ; "
        "du 2 septembre 2024 au 1er septembre 2028  ← zone de Dijon",
        "  zone B : années scolaires 2024-2025, 2025-2026, 2026-2027, 2027-2028 ; "
        "du 2 septembre 2024 au 1er septembre 2028",
        "  zone C : années scolaires 2024-2025, 2025-2026, 2026-2027, 2027-2028 ; "
        "du 2 septembre 2024 au 1er septembre 2028",
    ]
    answer = cli.invoke(main, ["deadline", "2027-09-06", "--json"])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.output)["deadline"] == "2027-09-02T13:00:00+02:00"
    holiday = cli.invoke(main, ["deadline", "2027-10-25"])
    assert "pas de restauration scolaire : vacances de la Toussaint" in holiday.output


def test_show_warns_near_the_end_of_the_calendar_in_use(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counted to the last deadline the calendar knows, 2 September's (Thursday 1 July), not to
    # 2 September itself: it said "plus que 93 jour(s)" and, on 5 July, "plus que 59", when no
    # day could change any more.
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-06-01T10:00:00+02:00")
    res = cli.invoke(main, ["calendar-file", "show"])
    assert ("Attention : ce calendrier s'arrête le 2 septembre 2027 ; sa dernière date limite est "
            "le jeudi 1er juillet à 13 heures (plus que 30 jour(s)) : après elle, plus aucun jour "
            "ne pourra être réservé ni annulé tant qu'il n'est pas mis à jour. Téléchargez "
            "l'année scolaire suivante") in res.output
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-07-05T10:00:00+02:00")
    res = cli.invoke(main, ["calendar-file", "show"])
    assert ("Attention : ce calendrier s'arrête le 2 septembre 2027 et sa dernière date limite "
            "est passée (le jeudi 1er juillet à 13 heures) : plus aucun jour ne peut être réservé "
            "ni annulé tant qu'il n'est pas mis à jour. Mettez-le à jour maintenant") in res.output
    assert "plus que" not in res.output


def test_show_says_plainly_when_the_calendar_in_use_has_ended(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It said "plus que -4 jour(s) connus".
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2027-09-06T13:30:00+02:00")
    res = cli.invoke(main, ["calendar-file", "show"])
    assert ("Attention : ce calendrier s'est arrêté le 2 septembre 2027, il y a 4 jour(s) : tout "
            "jour après est refusé et rien n'est plus verrouillé pour la cuisine.") in res.output
    assert "-4" not in res.output


def test_convert_refuses_a_wrong_export_naming_the_record(cli: CliRunner, tmp_path: Path) -> None:
    records = raw_export()
    records[4]["description"] = "Vacances de Pâques"
    export = write_json(tmp_path / "export.json", records)
    out = tmp_path / "out.json"
    res = cli.invoke(main, ["calendar-file", "convert", str(export), "-o", str(out)])
    assert res.exit_code == 1
    assert res.output.startswith(
        f"Fichier refusé ({export}) : enregistrement n° 5 (Vacances de Pâques, zone A, "
        "2023-2024) : vacances inconnues « Vacances de Pâques »"
    )
    assert not out.exists()
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("[{]", encoding="utf-8")
    res = cli.invoke(main, ["calendar-file", "convert", str(bad_json), "-o", str(out)])
    assert res.exit_code == 1
    assert "JSON illisible, ligne 1, colonne 3" in res.output


def test_a_refused_file_stops_the_commands_with_the_reason(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [r for r in raw_export() if r["annee_scolaire"] != "2027-2028"]
    path = converted(tmp_path, records)  # ends on 2 September 2027, like the shipped one: fine
    monkeypatch.setenv("RESTOMAIRIE_CALENDAR_FILE", str(path))
    assert cli.invoke(main, ["calendar-file", "show"]).exit_code == 0
    document = json.loads(path.read_text("utf-8"))
    document["last_covered_date"] = "2027-08-31"
    document["records"] = [r for r in document["records"] if r["end_date"] < "2027-07-01"]
    write_json(path, document)
    for command in (["calendar-file", "show"], ["deadline", "2027-05-03"]):
        res = cli.invoke(main, command)
        assert res.exit_code == 3
        assert res.output == (
            "Erreur de configuration : « RESTOMAIRIE_CALENDAR_FILE » : le "
            f"fichier de calendrier scolaire {path} est refusé : il s'arrête au 31 août 2027, "
            "avant le calendrier livré avec Resto-Mairie (jusqu'au 2 septembre 2027) : les "
            "jours entre les deux ne seraient plus connus ; prenez un export plus récent\n"
        )
