"""The shipped school-holiday calendar and its loader (no network, no clock)."""

from __future__ import annotations

import json
import pickle
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest

from restomairie.calendar.schoolholidays import (
    ZONES,
    CalendarCoverageError,
    HolidayPeriod,
    SchoolHolidayCalendar,
    format_french_date,
    holiday_label,
    load_school_holidays,
)

DATA_FILE = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "restomairie"
    / "calendar"
    / "data"
    / "fr-en-calendrier-scolaire.json"
)

EXPECTED_NAMES = {
    "Vacances de la Toussaint",
    "Vacances de Noël",
    "Vacances d'Hiver",
    "Vacances de Printemps",
    "Pont de l'Ascension",
    "Vacances d'Été",
}


@pytest.fixture(scope="module")
def calendar() -> SchoolHolidayCalendar:
    return load_school_holidays()


def _record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "description": "Vacances de la Toussaint",
        "population": "-",
        "start_date": "2024-10-18T22:00:00+00:00",
        "end_date": "2024-11-03T23:00:00+00:00",
        "zones": "Zone A",
        "annee_scolaire": "2024-2025",
    }
    record.update(overrides)
    return record


def _write_calendar(
    tmp_path: Path,
    records: list[Any],
    first: str = "2024-09-02",
    last: str = "2025-07-04",
    header: dict[str, Any] | None = None,
) -> Path:
    document: dict[str, Any] = {
        "source": "https://data.education.gouv.fr/explore/dataset/fr-en-calendrier-scolaire/",
        "licence": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
        "retrieved": "2026-11-23",
        "first_covered_date": first,
        "last_covered_date": last,
        "records": records,
    }
    document.update(header or {})
    path = tmp_path / "calendrier.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _weekdays(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# --- The packaged file -------------------------------------------------------------------------


def test_the_packaged_file_names_its_source_licence_and_coverage(
    calendar: SchoolHolidayCalendar,
) -> None:
    assert "fr-en-calendrier-scolaire" in calendar.source
    assert "Licence Ouverte" in calendar.licence
    assert date.fromisoformat(calendar.retrieved)
    assert calendar.first_covered == date(2024, 9, 2)  # rentrée 2024
    assert calendar.last_covered == date(2027, 9, 2)  # rentrée 2027


def test_the_packaged_file_keeps_the_data_sets_own_fields_one_record_per_zone() -> None:
    document = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    fields = {"description", "population", "start_date", "end_date", "zones", "annee_scolaire"}
    seen = set()
    for record in document["records"]:
        assert fields <= set(record)
        assert record["zones"] in {"Zone A", "Zone B", "Zone C"}
        assert record["population"] in {"-", "Élèves"}
        key = (record["description"], record["zones"], record["annee_scolaire"])
        assert key not in seen, f"duplicate record {key}"
        seen.add(key)


def test_every_zone_has_all_six_holiday_kinds_in_each_covered_school_year(
    calendar: SchoolHolidayCalendar,
) -> None:
    for zone in ZONES:
        for school_year in ("2024-2025", "2025-2026", "2026-2027"):
            names = {
                p.name for p in calendar.periods if p.zone == zone and p.school_year == school_year
            }
            assert names == EXPECTED_NAMES, (zone, school_year)


def test_the_packaged_calendar_is_loaded_once_and_shared() -> None:
    assert load_school_holidays() is load_school_holidays()


def test_an_explicit_path_to_the_packaged_file_gives_the_same_calendar(
    calendar: SchoolHolidayCalendar,
) -> None:
    assert load_school_holidays(DATA_FILE) == calendar


# --- Known facts -------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES)
def test_toussaint_2024_classes_end_saturday_19_october_and_resume_monday_4_november(
    calendar: SchoolHolidayCalendar, zone: str
) -> None:
    assert calendar.reason_closed(zone, date(2024, 10, 18)) is None  # Friday, in class
    assert calendar.reason_closed(zone, date(2024, 10, 19)) is None  # last day of classes
    assert calendar.reason_closed(zone, date(2024, 10, 21)) == "Vacances de la Toussaint"
    assert calendar.reason_closed(zone, date(2024, 10, 31)) == "Vacances de la Toussaint"
    assert calendar.reason_closed(zone, date(2024, 11, 3)) == "Vacances de la Toussaint"
    assert calendar.reason_closed(zone, date(2024, 11, 4)) is None  # classes resume
    [toussaint] = [
        p
        for p in calendar.periods
        if p.zone == zone and p.name == "Vacances de la Toussaint" and p.school_year == "2024-2025"
    ]
    assert (toussaint.first_day, toussaint.last_day) == (date(2024, 10, 20), date(2024, 11, 3))


@pytest.mark.parametrize("zone", ZONES)
def test_pont_de_l_ascension_2026_classes_end_wednesday_13_may_and_resume_monday_18_may(
    calendar: SchoolHolidayCalendar, zone: str
) -> None:
    assert calendar.reason_closed(zone, date(2026, 5, 13)) is None
    # Thursday 14 May is Ascension Day, a public holiday: the public-holiday calendar closes it,
    # and the data set's record starts on it, so it is not a school-holiday day here.
    assert calendar.reason_closed(zone, date(2026, 5, 14)) is None
    assert calendar.reason_closed(zone, date(2026, 5, 15)) == "Pont de l'Ascension"
    assert calendar.reason_closed(zone, date(2026, 5, 18)) is None


@pytest.mark.parametrize("zone", ZONES)
def test_the_2027_ascension_bridge_written_as_one_instant_closes_friday_7_may(
    calendar: SchoolHolidayCalendar, zone: str
) -> None:
    assert calendar.reason_closed(zone, date(2027, 5, 5)) is None
    assert calendar.reason_closed(zone, date(2027, 5, 6)) is None  # Ascension Day, public holiday
    assert calendar.reason_closed(zone, date(2027, 5, 7)) == "Pont de l'Ascension"
    assert calendar.reason_closed(zone, date(2027, 5, 10)) is None


@pytest.mark.parametrize("zone", ZONES)
def test_summer_2026_starts_saturday_4_july_and_classes_resume_tuesday_1_september(
    calendar: SchoolHolidayCalendar, zone: str
) -> None:
    document = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    [record] = [
        r
        for r in document["records"]
        if r["zones"] == f"Zone {zone}"
        and r["annee_scolaire"] == "2025-2026"
        and r["description"] == "Vacances d'Été"
    ]
    assert record["start_date"] == "2026-07-03T22:00:00+00:00"  # Saturday 4 July, Paris midnight
    assert calendar.reason_closed(zone, date(2026, 7, 3)) is None
    assert calendar.reason_closed(zone, date(2026, 7, 6)) == "Vacances d'Été"
    assert calendar.reason_closed(zone, date(2026, 8, 31)) == "Vacances d'Été"
    assert calendar.reason_closed(zone, date(2026, 9, 1)) is None


@pytest.mark.parametrize("zone", ZONES)
def test_the_last_covered_day_is_the_2027_rentree_on_thursday_2_september(
    calendar: SchoolHolidayCalendar, zone: str
) -> None:
    assert calendar.reason_closed(zone, date(2027, 7, 2)) is None
    assert calendar.reason_closed(zone, date(2027, 7, 5)) == "Vacances d'Été"
    assert calendar.reason_closed(zone, date(2027, 9, 1)) == "Vacances d'Été"
    assert calendar.reason_closed(zone, date(2027, 9, 2)) is None


def test_winter_2027_is_staggered_c_then_a_then_b(calendar: SchoolHolidayCalendar) -> None:
    assert calendar.reason_closed("C", date(2027, 2, 8)) == "Vacances d'Hiver"
    assert calendar.reason_closed("A", date(2027, 2, 8)) is None
    assert calendar.reason_closed("A", date(2027, 2, 15)) == "Vacances d'Hiver"
    assert calendar.reason_closed("B", date(2027, 2, 15)) is None
    assert calendar.reason_closed("B", date(2027, 3, 1)) == "Vacances d'Hiver"
    assert calendar.reason_closed("C", date(2027, 3, 1)) is None


def test_a_zone_may_be_written_as_zone_a(calendar: SchoolHolidayCalendar) -> None:
    day = date(2024, 12, 23)
    assert calendar.reason_closed("Zone A", day) == calendar.reason_closed("A", day)
    assert calendar.reason_closed("a", day) == "Vacances de Noël"


def test_an_unknown_zone_is_refused(calendar: SchoolHolidayCalendar) -> None:
    with pytest.raises(ValueError, match="unknown school zone"):
        calendar.reason_closed("Corse", date(2025, 1, 6))
    with pytest.raises(ValueError, match="unknown school zone"):
        calendar.closed_days("D")


# --- closed_days -------------------------------------------------------------------------------


def test_closed_days_lists_every_holiday_day_of_the_zone_within_coverage(
    calendar: SchoolHolidayCalendar,
) -> None:
    for zone in ZONES:
        closed = calendar.closed_days(zone)
        assert all(calendar.first_covered <= day <= calendar.last_covered for day in closed)
        assert set(closed.values()) == EXPECTED_NAMES
        day = calendar.first_covered
        while day <= calendar.last_covered:
            assert closed.get(day) == calendar.reason_closed(zone, day)
            day += timedelta(days=1)


def test_closed_days_gives_a_copy_the_caller_may_change(calendar: SchoolHolidayCalendar) -> None:
    closed = calendar.closed_days("A")
    closed.clear()
    assert calendar.closed_days("A")
    assert calendar.reason_closed("A", date(2024, 12, 23)) == "Vacances de Noël"


def test_periods_are_clipped_to_the_coverage_in_the_index(
    calendar: SchoolHolidayCalendar,
) -> None:
    # The 2023-2024 summer record is in the file only to pin the 2024 rentrée.
    assert date(2024, 9, 1) not in calendar.closed_days("A")
    assert min(calendar.closed_days("A")) == date(2024, 10, 20)


# --- Coverage ----------------------------------------------------------------------------------


def test_a_day_after_the_coverage_is_refused_with_a_french_sentence(
    calendar: SchoolHolidayCalendar,
) -> None:
    with pytest.raises(CalendarCoverageError) as caught:
        calendar.reason_closed("A", date(2027, 9, 3))
    error = caught.value
    assert (error.day, error.first, error.last) == (
        date(2027, 9, 3),
        date(2024, 9, 2),
        date(2027, 9, 2),
    )
    assert str(error) == (
        "Le calendrier scolaire connu s'arrête au 2 septembre 2027 : "
        "impossible de répondre pour le 3 septembre 2027."
    )


def test_a_day_before_the_coverage_is_refused_with_a_french_sentence(
    calendar: SchoolHolidayCalendar,
) -> None:
    with pytest.raises(CalendarCoverageError) as caught:
        calendar.check_covered(date(2024, 9, 1))
    assert caught.value.day == date(2024, 9, 1)
    assert str(caught.value) == (
        "Le calendrier scolaire connu commence au 2 septembre 2024 : "
        "impossible de répondre pour le 1er septembre 2024."
    )


def test_a_first_day_whose_deadline_falls_before_the_coverage_says_so() -> None:
    # "connu commence au 2 septembre 2024 : impossible de répondre pour le 2 septembre 2024"
    error = CalendarCoverageError(date(2024, 9, 2), date(2024, 9, 2), date(2027, 9, 2))
    assert str(error) == (
        "Le calendrier scolaire connu commence au 2 septembre 2024 : la date limite du "
        "2 septembre 2024 tomberait avant, impossible de la calculer."
    )


def test_both_ends_of_the_coverage_are_covered(calendar: SchoolHolidayCalendar) -> None:
    calendar.check_covered(calendar.first_covered)
    calendar.check_covered(calendar.last_covered)
    assert calendar.reason_closed("B", calendar.first_covered) is None


def test_the_coverage_error_reads_as_in_the_brief(tmp_path: Path) -> None:
    calendar = load_school_holidays(_write_calendar(tmp_path, [_record()], last="2027-08-31"))
    with pytest.raises(CalendarCoverageError) as caught:
        calendar.check_covered(date(2027, 9, 3))
    assert str(caught.value) == (
        "Le calendrier scolaire connu s'arrête au 31 août 2027 : "
        "impossible de répondre pour le 3 septembre 2027."
    )


def test_the_coverage_error_survives_pickling() -> None:
    error = CalendarCoverageError(date(2027, 9, 3), date(2024, 9, 2), date(2027, 9, 2))
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.day, copy.first, copy.last, str(copy)) == (
        error.day,
        error.first,
        error.last,
        str(error),
    )


def test_french_dates_say_premier_for_the_first_of_the_month() -> None:
    assert format_french_date(date(2027, 9, 1)) == "1er septembre 2027"
    assert format_french_date(date(2026, 2, 14)) == "14 février 2026"
    assert format_french_date(date(2025, 8, 15)) == "15 août 2025"


# --- Paris time --------------------------------------------------------------------------------


def test_paris_midnight_is_read_on_both_sides_of_the_autumn_clock_change(tmp_path: Path) -> None:
    # start_date is in summer time (+02:00 -> 22:00 UTC), end_date in winter time (+01:00 ->
    # 23:00 UTC): both are Paris midnight, so classes end on Sat 19 Oct and resume on Mon 4 Nov.
    calendar = load_school_holidays(_write_calendar(tmp_path, [_record()]))
    [period] = calendar.periods
    assert (period.first_day, period.last_day) == (date(2024, 10, 20), date(2024, 11, 3))


def test_paris_midnight_is_read_across_the_spring_clock_change(tmp_path: Path) -> None:
    # A made-up break across the night of 29-30 March 2025, when the clocks went forward: classes
    # end on Saturday 22 March (winter time, 23:00 UTC the day before) and resume on Monday
    # 7 April (summer time, 22:00 UTC the day before).
    record = _record(
        description="Vacances de Printemps",
        start_date="2025-03-21T23:00:00+00:00",
        end_date="2025-04-06T22:00:00+00:00",
    )
    calendar = load_school_holidays(_write_calendar(tmp_path, [record]))
    [period] = calendar.periods
    assert (period.first_day, period.last_day) == (date(2025, 3, 23), date(2025, 4, 6))


def test_the_same_midnights_written_with_paris_offsets_give_the_same_days(tmp_path: Path) -> None:
    # Older exports of the data set wrote Paris local time with its offset.
    record = _record(start_date="2024-10-19T00:00:00+02:00", end_date="2024-11-04T00:00:00+01:00")
    calendar = load_school_holidays(_write_calendar(tmp_path, [record]))
    [period] = calendar.periods
    assert (period.first_day, period.last_day) == (date(2024, 10, 20), date(2024, 11, 3))


def test_a_timestamp_that_is_not_paris_midnight_is_refused(tmp_path: Path) -> None:
    # 23:00 UTC in October is 01:00 in Paris (summer time): someone assumed +01:00 all year.
    record = _record(start_date="2024-10-18T23:00:00+00:00")
    with pytest.raises(ValueError, match=r"record #1 \(Vacances de la Toussaint.*not midnight"):
        load_school_holidays(_write_calendar(tmp_path, [record]))


def test_a_timestamp_without_offset_is_refused(tmp_path: Path) -> None:
    record = _record(end_date="2024-11-04T00:00:00")
    with pytest.raises(ValueError, match=r"record #1.*no UTC offset"):
        load_school_holidays(_write_calendar(tmp_path, [record]))


# --- Names and shapes of records ---------------------------------------------------------------


def test_holiday_names_are_normalised_to_the_official_french(tmp_path: Path) -> None:
    records = [
        _record(
            description="vacances d’hiver",
            start_date="2025-02-21T23:00:00+00:00",
            end_date="2025-03-09T23:00:00+00:00",
        ),
        _record(
            description="Vacances de noel",
            start_date="2024-12-20T23:00:00+00:00",
            end_date="2025-01-05T23:00:00+00:00",
        ),
        _record(
            description="Vacances d'été",
            population="Élèves",
            start_date="2025-07-04T22:00:00+00:00",
            end_date="2025-08-31T22:00:00+00:00",
        ),
        _record(
            description="Pont de l’Ascension",
            start_date="2025-05-28T22:00:00+00:00",
            end_date="2025-06-01T22:00:00+00:00",
        ),
    ]
    calendar = load_school_holidays(_write_calendar(tmp_path, records, last="2025-09-01"))
    assert {p.name for p in calendar.periods} == {
        "Vacances d'Hiver",
        "Vacances de Noël",
        "Vacances d'Été",
        "Pont de l'Ascension",
    }


def test_teachers_records_close_no_canteen(tmp_path: Path) -> None:
    records = [
        _record(
            description="Vacances d'Été",
            population="Enseignants",
            start_date="2025-07-04T22:00:00+00:00",
            end_date="2025-08-28T22:00:00+00:00",
        ),
    ]
    calendar = load_school_holidays(_write_calendar(tmp_path, records))
    assert calendar.periods == ()


def test_a_summer_start_marker_closes_from_the_next_day_and_bounds_the_coverage(
    tmp_path: Path,
) -> None:
    marker = _record(
        description="Début des Vacances d'Été",
        start_date="2027-07-02T22:00:00+00:00",
        end_date="2027-07-02T22:00:00+00:00",
        annee_scolaire="2026-2027",
    )
    calendar = load_school_holidays(
        _write_calendar(tmp_path, [marker], first="2026-09-01", last="2027-07-04")
    )
    assert calendar.reason_closed("A", date(2027, 7, 3)) is None
    assert calendar.reason_closed("A", date(2027, 7, 4)) == "Vacances d'Été"


def test_a_file_claiming_days_past_an_open_ended_summer_is_refused(tmp_path: Path) -> None:
    marker = _record(
        description="Début des Vacances d'Été",
        start_date="2027-07-02T22:00:00+00:00",
        end_date="2027-07-02T22:00:00+00:00",
        annee_scolaire="2026-2027",
    )
    path = _write_calendar(tmp_path, [marker], first="2026-09-01", last="2027-08-31")
    with pytest.raises(ValueError, match=r"record #1 \(Début des Vacances d'Été.*no published end"):
        load_school_holidays(path)


# --- Malformed files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"description": "Vacances de Noël"}, r"record #2 \(Vacances de Noël, None, None\)"),
        (_record(description="Rentrée scolaire des élèves"), "unknown holiday description"),
        (_record(zones="Corse"), "unknown school zone 'Corse'"),
        (_record(end_date="2024-10-11T22:00:00+00:00"), "is before start_date"),
        (_record(end_date="2024-10-19T22:00:00+00:00"), "closes no day"),
        (_record(start_date="19/10/2024"), "not an ISO 8601 timestamp"),
        (_record(population=3), "'population' must be a string"),
        (["Vacances de Noël"], r"record #2: a record must be a JSON object"),
    ],
)
def test_a_malformed_record_is_refused_by_its_number_and_name(
    tmp_path: Path, record: Any, message: str
) -> None:
    path = _write_calendar(tmp_path, [_record(), record])
    with pytest.raises(ValueError, match=message):
        load_school_holidays(path)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"records": {"oops": 1}}, "'records' must be a list"),
        ({"source": ""}, "'source' must be a non-empty string"),
        ({"first_covered_date": "2 septembre 2024"}, "'first_covered_date' is not an ISO date"),
        ({"last_covered_date": "2023-01-01"}, "ends on 2023-01-01 before it starts"),
    ],
)
def test_a_malformed_file_header_is_refused(
    tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    path = _write_calendar(tmp_path, [_record()], header=overrides)
    with pytest.raises(ValueError, match=message):
        load_school_holidays(path)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "calendrier.json"
    path.write_text("Description;Population;Date de début\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_school_holidays(path)


def test_a_period_that_ends_before_it_starts_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        HolidayPeriod("A", "Vacances de Noël", date(2025, 1, 5), date(2024, 12, 21), "2024-2025")


# --- Cross-check with the holidays package ----------------------------------------------------

# Weekdays on which our file and `holidays` (France, category "school") are expected to disagree.
# `holidays` computes the Pont de l'Ascension as a four-day "Ascension Break" from Thursday to
# Sunday; the data set's records start on Ascension Thursday (2025, 2026) or name the Friday
# alone (2027), so Thursday is not a school-holiday day in our file. It is a public holiday
# (jour férié) all the same, closed by the public-holiday calendar, so no operating day differs.
ASCENSION_THURSDAYS = {date(2025, 5, 29), date(2026, 5, 14), date(2027, 5, 6)}
KNOWN_DIFFERENCES: dict[str, set[date]] = {
    "A": ASCENSION_THURSDAYS,  # Thu 29 May 2025, Thu 14 May 2026, Thu 6 May 2027: see above
    "B": ASCENSION_THURSDAYS,  # the same three Ascension Thursdays, same reason
    "C": ASCENSION_THURSDAYS,  # the same three Ascension Thursdays, same reason
}


@pytest.mark.parametrize("zone", ZONES)
def test_every_covered_weekday_agrees_with_the_holidays_package_school_category(
    calendar: SchoolHolidayCalendar, zone: str
) -> None:
    # country_holidays("FR", ...) is holidays.France(...), spelled so that mypy sees its types.
    theirs = holidays.country_holidays(
        "FR",
        subdiv=f"Zone {zone}",
        years=range(calendar.first_covered.year, calendar.last_covered.year + 1),
        categories=("school",),
    )
    differences = {
        day
        for day in _weekdays(calendar.first_covered, calendar.last_covered)
        if (calendar.reason_closed(zone, day) is not None) != (day in theirs)
    }
    assert differences == KNOWN_DIFFERENCES[zone]
    for day in KNOWN_DIFFERENCES[zone]:  # each one a public holiday all the same
        assert day in holidays.country_holidays("FR", years=day.year)


def test_periods_of_a_zone_are_its_own_in_order(calendar: SchoolHolidayCalendar) -> None:
    periods = calendar.periods_of("Zone A")
    assert periods and {p.zone for p in periods} == {"A"}
    assert [p.first_day for p in periods] == sorted(p.first_day for p in periods)
    assert periods == calendar.periods_of("a")
    christmas = next(p for p in periods if p.first_day.year == 2026 and p.first_day.month == 12)
    assert calendar.reason_closed("A", christmas.first_day) == christmas.name
    with pytest.raises(ValueError):
        calendar.periods_of("D")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Lundi de Pentecôte", "lundi de Pentecôte"),
        ("Lundi de Pâques", "lundi de Pâques"),
        ("Fête du Travail", "fête du Travail"),
        ("Fête nationale", "fête nationale"),
        ("Jour de l'an", "jour de l'an"),
        ("Vendredi saint", "vendredi saint"),
        ("Vacances d'Été", "vacances d'été"),
        ("Pont de l'Ascension", "pont de l'Ascension"),
        # Proper nouns keep their capitals; other names are left as they are.
        ("Noël", "Noël"),
        ("Toussaint", "Toussaint"),
        ("Ascension", "Ascension"),
        ("Armistice", "Armistice"),
        ("Saint-Étienne", "Saint-Étienne"),
        ("Pentecost Monday", "Pentecost Monday"),
        ("mercredi", "mercredi"),
        ("JOUR J", "JOUR J"),
    ],
)
def test_holiday_labels_are_written_for_the_middle_of_a_french_sentence(
    name: str, label: str
) -> None:
    """Public holidays' names from the ``holidays`` package start with a capital that is not a
    proper noun's (« Lundi de Pentecôte »): mid-sentence it is « lundi de Pentecôte »."""
    assert holiday_label(name) == label


def test_every_french_public_holiday_name_is_labelled_with_its_proper_nouns_kept() -> None:
    """Every name the ``holidays`` package gives (Alsace-Moselle's too) starts in small letters
    unless its first word is a proper noun."""
    names = {
        str(n)
        for subdiv in (None, "6AE")
        for n in holidays.France(years=2027, subdiv=subdiv, language="fr").values()
    }
    proper = {"Noël", "Toussaint", "Ascension", "Assomption", "Armistice", "Saint-Étienne"}
    for name in names:
        label = holiday_label(name)
        assert label == name if name in proper else label[0].islower(), name
        assert label[1:] == name[1:]
