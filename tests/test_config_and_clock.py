"""Configuration presets, validation messages that name the key, and the injectable clock."""

from __future__ import annotations

import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest

from restomairie.calendar.deadlines import CalendarDaysRule, OperatingDaysRule, WorkingHoursRule
from restomairie.clock import PARIS, Clock, ClockError, parse_now
from restomairie.config import PRESETS_DIR, ConfigError, load_config, parse_settings


@pytest.mark.parametrize(
    ("preset", "rule"),
    [
        ("dijon", OperatingDaysRule(2, time(13))),
        ("villepreux", WorkingHoursRule(48, time(0))),
        ("cesson-sevigne", CalendarDaysRule(1, time(0))),
    ],
)
def test_each_preset_loads_with_its_rule(preset: str, rule: object) -> None:
    settings = load_config(preset, environ={})
    assert settings.deadline == rule
    assert settings.schools


def test_each_preset_quotes_its_seed_sentence() -> None:
    for name, quote in [
        ("dijon", "3 jours de fonctionnement scolaire"),
        ("villepreux", "48 heures (week-end et jours fériés non compris)"),
        ("cesson-sevigne", "jusqu'à J-2"),
    ]:
        assert quote in (PRESETS_DIR / f"{name}.toml").read_text(encoding="utf-8")


def test_dijon_is_the_default_and_lists_real_schools_under_one_kitchen() -> None:
    settings = load_config(environ={})
    assert settings.town == "Dijon" and settings.zone == "A"
    assert settings.canteen_weekdays == frozenset({0, 1, 3, 4})
    assert {s.kitchen for s in settings.schools} == {"cuisine-centrale"}
    assert "École élémentaire Joséphine Baker" in {s.name for s in settings.schools}
    assert settings.phone.opens == time(8) and settings.phone.closes == time(13)
    assert settings.phone.summer_closed_until == (8, 15)


def test_villepreux_staff_channel_has_the_8_day_rule() -> None:
    settings = load_config("villepreux", environ={})
    assert settings.rule_for("staff") == WorkingHoursRule(192, time(0))
    assert settings.rule_for("phone") == WorkingHoursRule(48, time(0))


def test_environment_overrides_the_database_and_carries_secrets() -> None:
    settings = load_config(
        "dijon", environ={"DATABASE_URL": "sqlite:///x.db", "TWILIO_AUTH_TOKEN": "s3cret"}
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.secret("TWILIO_AUTH_TOKEN") == "s3cret"
    assert "s3cret" not in repr(settings)


def dijon() -> dict[str, Any]:
    return tomllib.loads((PRESETS_DIR / "dijon.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["deadline"].__setitem__("kind", "lunar"), "deadline.kind"),
        (lambda d: d["deadline"].__setitem__("at", "25:00"), "deadline.at"),
        (lambda d: d["deadline"].pop("days"), "deadline.days"),
        (lambda d: d["town"].__setitem__("zone", "D"), "town.zone"),
        (
            lambda d: d["town"].__setitem__("canteen_weekdays", ["lun", "funday"]),
            "town.canteen_weekdays",
        ),
        (lambda d: d["town"].__setitem__("timezone", "Mars/Olympus"), "town.timezone"),
        (lambda d: d["phone"].__setitem__("closes", "07:00"), "phone.closes"),
        (lambda d: d["menu"].__setitem__("variants", ["standard", "caviar"]), "menu.variants"),
        (lambda d: d["schools"][1].__setitem__("kitchen", "nowhere"), "schools[1].kitchen"),
        (lambda d: d["schools"][2].pop("name"), "schools[2].name"),
        (lambda d: d["schools"][3].__setitem__("id", d["schools"][0]["id"]), "schools[3].id"),
        (lambda d: d["phone"].__setitem__("max_attempts", "three"), "phone.max_attempts"),
        (
            lambda d: d["phone"].__setitem__("web_alternative", {"fr": "x", "de": "y"}),
            "phone.web_alternative.de",
        ),
        (
            lambda d: d["phone"].__setitem__("web_alternative", {"en": "the website"}),
            "phone.web_alternative",
        ),
        (lambda d: d["phone"].__setitem__("web_alternative", {"fr": 3}), "phone.web_alternative.fr"),
    ],
)
def test_a_wrong_configuration_names_the_key(mutate: Any, key: str) -> None:
    data = dijon()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_settings(data, environ={})
    assert err.value.key == key
    assert key in str(err.value)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (["lun", "mar", "jeu", "ven"], {0, 1, 3, 4}),
        (["Lundi", "MARDI", "jeudi", "Ven"], {0, 1, 3, 4}),
        (["mercredi", "sam", "dimanche"], {2, 5, 6}),
    ],
)
def test_canteen_weekdays_are_keys_or_full_names_in_any_case(
    days: list[str], expected: set[int]
) -> None:
    data = dijon()
    data["town"]["canteen_weekdays"] = days
    data["schools"][0]["canteen_weekdays"] = days
    settings = parse_settings(data, environ={})
    assert settings.canteen_weekdays == frozenset(expected)
    assert settings.schools[0].canteen_weekdays == frozenset(expected)


@pytest.mark.parametrize(
    ("days", "bad"),
    [
        # One string for the whole week was read as Monday alone (its first three letters).
        (["lun mar mer jeu ven"], "lun mar mer jeu ven"),
        # Thursday and Friday in one item: Friday was dropped.
        (["lun", "mar", "jeudi, vendredi"], "jeudi, vendredi"),
        # A misspelt day was read as the day of its first three letters.
        (["lun", "vendredy"], "vendredy"),
        (["lun", "mardis"], "mardis"),
        (["lu"], "lu"),
    ],
)
def test_a_canteen_weekday_not_written_as_a_known_day_is_refused(
    days: list[str], bad: str
) -> None:
    data = dijon()
    data["town"]["canteen_weekdays"] = days
    with pytest.raises(ConfigError) as err:
        parse_settings(data, environ={})
    assert err.value.key == "town.canteen_weekdays"
    assert f"« town.canteen_weekdays » contient un jour inconnu {bad!r}" in str(err.value)
    data = dijon()
    data["schools"][1]["canteen_weekdays"] = days
    with pytest.raises(ConfigError) as err:
        parse_settings(data, environ={})
    assert err.value.key == "schools[1].canteen_weekdays"
    assert f"contient un jour inconnu {bad!r}" in str(err.value)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Indian/Reunion", "Europe/Brussels"])
def test_a_town_outside_paris_time_is_refused_naming_the_key(zone: str) -> None:
    # "UTC" was accepted: Dijon's cut-off fell at 13:00 UTC, 14:00 in Paris. The school calendar
    # holds zones A, B and C only, Paris days; overseas departments are not in it.
    data = dijon()
    data["town"]["timezone"] = zone
    with pytest.raises(ConfigError) as err:
        parse_settings(data, environ={})
    assert err.value.key == "town.timezone"
    assert f"doit être « Europe/Paris », pas « {zone} »" in str(err.value)
    assert "outre-mer" in str(err.value)


def test_the_cli_refuses_a_town_outside_paris_time_as_a_configuration_error(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from restomairie.cli import main

    toml = tmp_path / "t.toml"
    toml.write_text(
        (PRESETS_DIR / "dijon.toml").read_text(encoding="utf-8").replace(
            '"Europe/Paris"', '"UTC"'
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["--config", str(toml), "deadline", "2026-12-07", "--json"])
    assert res.exit_code == 3, res.output
    assert res.output.startswith("Erreur de configuration : « town.timezone » doit être")


@pytest.mark.parametrize(
    ("mutate", "key", "hint"),
    [
        (
            lambda d: d["town"].__setitem__("alsace_mosele", True),
            "town.alsace_mosele",
            "vouliez-vous dire « town.alsace_moselle » ?",
        ),
        (
            lambda d: d["phone"].__setitem__("summer_closed_untill", "08-15"),
            "phone.summer_closed_untill",
            "vouliez-vous dire « phone.summer_closed_until » ?",
        ),
        (
            lambda d: d.__setitem__("calendars", {"file": "x.json"}),
            "calendars",
            "table inconnue (vouliez-vous dire « calendar » ?)",
        ),
        (lambda d: d.__setitem__("zzz", 1), "zzz", "clé inconnue (clés connues ici : town,"),
        (
            lambda d: d["schools"][2].__setitem__("kitchn", "x"),
            "schools[2].kitchn",
            "vouliez-vous dire « schools[2].kitchen » ?",
        ),
        (
            lambda d: d["deadline"].__setitem__("hours", 48),
            "deadline.hours",
            "ne s'applique pas à une règle 'operating_days' (clés : kind, days, at)",
        ),
        (
            lambda d: d["deadline"].__setitem__(
                "by_channel", {"staff": {"kind": "calendar_days", "days": 8, "at": "00:00",
                                         "reference": "00:00"}}
            ),
            "deadline.by_channel.staff.reference",
            "ne s'applique pas à une règle 'calendar_days'",
        ),
    ],
)
def test_an_unknown_key_or_table_is_refused_and_named(mutate: Any, key: str, hint: str) -> None:
    # A misspelt key would otherwise be ignored and its default used without a word.
    data = dijon()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_settings(data, environ={})
    assert err.value.key == key
    assert f"« {key} » est une" in str(err.value) or "ne s'applique pas" in str(err.value)
    assert hint in str(err.value)


def test_an_import_follows_the_staff_s_rule_unless_the_town_gives_it_its_own() -> None:
    # An import is the town hall's channel: Villepreux's "8 jours via la mairie" applies to it
    # as to the staff's own forms, not the families' 48 hours.
    villepreux = load_config("villepreux", environ={})
    assert villepreux.rule_for("import") == villepreux.rule_for("staff") == WorkingHoursRule(
        192, time(0))
    assert villepreux.rule_for("phone") == villepreux.rule_for("web") == WorkingHoursRule(
        48, time(0))
    data = dijon()
    data["deadline"]["by_channel"] = {
        "staff": {"kind": "operating_days", "days": 4, "at": "13:00"},
        "import": {"kind": "operating_days", "days": 3, "at": "13:00"},
    }
    own = parse_settings(data, environ={})
    assert own.rule_for("import") == OperatingDaysRule(3, time(13))
    dijon_settings = load_config("dijon", environ={})
    assert dijon_settings.rule_for("import") == dijon_settings.deadline


def test_an_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(ConfigError) as err:
        load_config("paris", environ={})
    assert err.value.key == "--config"
    assert "« paris »" in str(err.value)
    assert "préréglages : cesson-sevigne, dijon, villepreux" in str(err.value)
    with pytest.raises(ConfigError) as from_env:
        load_config(environ={"RESTOMAIRIE_CONFIG": "paris"})
    assert from_env.value.key == "RESTOMAIRIE_CONFIG"


def test_the_web_alternative_is_said_in_the_callers_language() -> None:
    phone = load_config(environ={}).phone
    assert phone.web("fr") == "l'espace famille du site www.dijon.fr"
    assert phone.web("en") == "the family area of www.dijon.fr"
    data = dijon()
    data["phone"]["web_alternative"] = "le Portail Familles"  # one text: every language
    assert parse_settings(data, environ={}).phone.web("en") == "le Portail Familles"
    data["phone"]["web_alternative"] = {"fr": "le portail"}  # no English: the French one
    assert parse_settings(data, environ={}).phone.web("en") == "le portail"
    data["phone"].pop("web_alternative")
    assert parse_settings(data, environ={}).phone.web("fr") == ""


def test_the_help_desk_is_said_in_the_callers_language() -> None:
    phone = load_config(environ={}).phone
    assert phone.desk("fr").startswith("le Centre de traitement unique de la facturation au 03")
    assert phone.desk("en").startswith("the billing centre on 03 80 74 51 51")
    data = dijon()
    data["phone"].pop("help_desk")  # optional: then the line names no one
    assert parse_settings(data, environ={}).phone.desk("fr") == ""
    data["phone"]["help_desk"] = {"de": "x"}
    with pytest.raises(ConfigError, match=r"phone\.help_desk\.de"):
        parse_settings(data, environ={})


def test_a_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="introuvable"):
        load_config(tmp_path / "nope.toml", environ={})


def test_a_file_that_is_not_toml_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[town\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        load_config(bad, environ={})


def test_restomairie_now_freezes_the_clock_in_paris_time() -> None:
    clock = Clock.from_env(environ={"RESTOMAIRIE_NOW": "2026-12-03T11:59:59+00:00"})
    assert clock.now().isoformat() == "2026-12-03T12:59:59+01:00"
    assert clock.now().tzinfo is PARIS
    assert clock.today().isoformat() == "2026-12-03"


def test_the_real_clock_is_aware_and_in_paris() -> None:
    now = Clock.from_env(environ={}).now()
    assert now.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


@pytest.mark.parametrize("raw", ["2026-12-03 12:00", "hier", "2026-13-01T00:00+01:00"])
def test_a_naive_or_wrong_now_is_refused(raw: str) -> None:
    with pytest.raises(ClockError, match="RESTOMAIRIE_NOW"):
        parse_now(raw)


def test_dates_are_written_the_french_way() -> None:
    from datetime import date, datetime

    from restomairie.i18n import format_day, format_deadline

    assert format_day(date(2026, 12, 1)) == "mardi 1er décembre"
    assert format_day(date(2026, 11, 9)) == "lundi 9 novembre"
    assert format_deadline(datetime(2026, 11, 9, 13, 0, tzinfo=PARIS)) == "lundi 9 novembre à 13 heures"
    assert format_deadline(datetime(2026, 11, 9, 12, 30, tzinfo=PARIS)) == "lundi 9 novembre à 12 h 30"
    # A deadline at midnight is the end of the day before, said the way people say it: "lundi
    # à minuit" (it was "lundi 23 novembre à 24 heures", and "the end of Monday 23 November";
    # "mardi à 0 heures" would be a day late).
    midnight = datetime(2026, 11, 24, 0, 0, tzinfo=PARIS)
    assert format_deadline(midnight) == "lundi 23 novembre à minuit"
    assert format_deadline(midnight, "en_GB") == "midnight on Monday 23 November"
    # The first of the month and the eve of a month are said like any other day.
    assert format_deadline(datetime(2026, 12, 2, 0, 0, tzinfo=PARIS)) == "mardi 1er décembre à minuit"
    assert format_deadline(datetime(2026, 12, 1, 0, 0, tzinfo=PARIS)) == "lundi 30 novembre à minuit"
    # A minute past midnight is that day's: "0 h 01", not the eve's.
    assert format_deadline(datetime(2026, 11, 24, 0, 1, tzinfo=PARIS)) == "mardi 24 novembre à 0 h 01"


@pytest.mark.parametrize("days", [0, -3, 3651, 100000, "abc", 30.5, True])
def test_the_call_log_retention_is_a_whole_number_of_days_in_a_sensible_range(days: Any) -> None:
    # 0 printed "0 jours de conservation" while a day was kept; 100000 reached back to 1754
    # (never purged); a text or a decimal was "a un type inattendu (str)".
    data = dijon()
    data["retention"]["call_log_days"] = days
    with pytest.raises(ConfigError) as err:
        parse_settings(data, environ={})
    assert err.value.key == "retention.call_log_days"
    assert str(err.value) == (
        "configuration : « retention.call_log_days » doit être un nombre entier de jours entre "
        f"1 et 3650, pas {days!r}"
    )


@pytest.mark.parametrize("days", [1, 30, 3650])
def test_a_call_log_retention_in_range_is_kept(days: int) -> None:
    # Guard (passes on the base too): the bounds themselves are accepted.
    data = dijon()
    data["retention"]["call_log_days"] = days
    assert parse_settings(data, environ={}).call_log_retention_days == days


@pytest.mark.parametrize("minutes", [0, 4, 601, "30", 30.5, True])
def test_the_staff_idle_time_is_a_whole_number_of_minutes_in_a_sensible_range(
    minutes: Any,
) -> None:
    data = dijon()
    data["staff"] = {"idle_minutes": minutes}
    with pytest.raises(ConfigError) as err:
        parse_settings(data, environ={})
    assert err.value.key == "staff.idle_minutes"
    assert str(err.value) == (
        "configuration : « staff.idle_minutes » doit être un nombre entier de minutes entre "
        f"5 et 600, pas {minutes!r}"
    )


def test_the_staff_idle_time_is_read_and_defaults_to_30_minutes() -> None:
    data = dijon()
    assert data["staff"] == {"idle_minutes": 30}  # the preset says it, with its comment
    del data["staff"]
    assert parse_settings(data, environ={}).staff_idle_minutes == 30
    for minutes in (5, 90, 600):
        data["staff"] = {"idle_minutes": minutes}
        assert parse_settings(data, environ={}).staff_idle_minutes == minutes
    data["staff"] = {"idle_minute": 90}
    with pytest.raises(ConfigError, match=r"vouliez-vous dire « staff\.idle_minutes »"):
        parse_settings(data, environ={})
