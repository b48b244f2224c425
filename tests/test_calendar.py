"""The school calendar and the deadline rules, pure: no database, no app, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from restomairie.calendar.days import Closure, SchoolCalendar
from restomairie.calendar.deadlines import (
    CalendarDaysRule,
    DeadlineContext,
    OperatingDaysRule,
    WorkingHoursRule,
)
from restomairie.calendar.schoolholidays import CalendarCoverageError
from restomairie.clock import PARIS
from restomairie.i18n import format_deadline

DIJON_DAYS = frozenset({0, 1, 3, 4})
DIJON_RULE = OperatingDaysRule(days=2, at=time(13, 0))
CAL = SchoolCalendar(tz=PARIS, zone="A")
# For a rule that looks at no calendar (calendar days): every day counts.
CTX = DeadlineContext(PARIS, lambda day, n: day - timedelta(days=n), lambda day: False)


def deadline(
    day: date, rule: object = DIJON_RULE, weekdays: frozenset[int] = DIJON_DAYS
) -> datetime:
    st = CAL.status(day, weekdays, rule)  # type: ignore[arg-type]
    assert st.operating, st.reason
    assert st.deadline is not None
    return st.deadline


def at13(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 13, 0, tzinfo=PARIS)


# The published table, row by row, on an ordinary week (7–11 December 2026).
@pytest.mark.parametrize(
    ("meal", "expected"),
    [
        (date(2026, 12, 7), at13(2026, 12, 3)),  # lundi → jeudi de la semaine précédente
        (date(2026, 12, 8), at13(2026, 12, 4)),  # mardi → vendredi de la semaine précédente
        (date(2026, 12, 10), at13(2026, 12, 7)),  # jeudi → lundi précédent
        (date(2026, 12, 11), at13(2026, 12, 8)),  # vendredi → mardi précédent
    ],
)
def test_dijon_published_table_rows(meal: date, expected: datetime) -> None:
    assert deadline(meal) == expected


TABLE_OFFSETS = {0: 4, 1: 4, 3: 3, 4: 3}  # meal weekday → days back to the deadline day


def ordinary_meal_days(start: date, end: date) -> list[date]:
    """Operating days of Dijon whose table row applies unchanged: every day between the deadline
    day and the meal is an ordinary canteen day or a Wednesday/weekend."""
    out = []
    day = start
    while day <= end:
        if day.weekday() in TABLE_OFFSETS and CAL.status(day, DIJON_DAYS, DIJON_RULE).operating:
            back = day - timedelta(days=TABLE_OFFSETS[day.weekday()])
            between = [back + timedelta(days=i) for i in range((day - back).days)]
            if all(
                CAL.status(d, DIJON_DAYS, DIJON_RULE).operating
                for d in between
                if d.weekday() in DIJON_DAYS
            ):
                out.append(day)
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize(
    "meal", ordinary_meal_days(date(2025, 9, 8), date(2027, 7, 1)), ids=lambda d: d.isoformat()
)
def test_dijon_table_holds_on_every_ordinary_week_of_2025_2027(meal: date) -> None:
    expected = meal - timedelta(days=TABLE_OFFSETS[meal.weekday()])
    assert deadline(meal) == datetime.combine(expected, time(13), PARIS)


def test_ordinary_weeks_are_most_of_the_school_year() -> None:
    # Guard against the parametrisation above silently shrinking to nothing.
    assert len(ordinary_meal_days(date(2025, 9, 8), date(2027, 7, 1))) > 200


@pytest.mark.parametrize(
    ("meal", "expected", "why"),
    [
        (
            date(2025, 11, 13),
            at13(2025, 11, 7),
            "Armistice on Tuesday: Thursday's deadline moves to Friday before",
        ),
        (date(2025, 11, 14), at13(2025, 11, 10), "Friday: Tuesday was a holiday, so Monday"),
        (date(2027, 3, 30), at13(2027, 3, 25), "Easter Monday skipped"),
        (date(2026, 5, 4), at13(2026, 4, 28), "1 May on Friday skipped"),
        (date(2026, 5, 11), at13(2026, 5, 5), "8 May on Friday skipped"),
        (date(2026, 5, 18), at13(2026, 5, 11), "Ascension Thursday and the pont skipped"),
        (date(2026, 5, 19), at13(2026, 5, 12), "the day after: Tuesday before the pont"),
        (date(2026, 5, 26), at13(2026, 5, 21), "Whit Monday skipped"),
        (
            date(2026, 11, 2),
            at13(2026, 10, 15),
            "first meal after the Toussaint break: before the break",
        ),
        (date(2027, 1, 4), at13(2026, 12, 17), "first meal after Christmas: before the break"),
        (date(2027, 1, 5), at13(2026, 12, 18), "second meal after Christmas: the last day before"),
        (date(2026, 9, 1), at13(2026, 7, 2), "rentrée: deadline before the summer"),
        (
            date(2026, 9, 3),
            at13(2026, 7, 3),
            "second day of the year: the last day of the previous one",
        ),
    ],
)
def test_holidays_are_skipped_when_counting_back(meal: date, expected: datetime, why: str) -> None:
    assert deadline(meal) == expected, why


def test_deadline_is_1300_paris_on_both_sides_of_daylight_saving() -> None:
    winter = deadline(date(2026, 3, 31))  # deadline Friday 27 March, before the change
    summer = deadline(date(2026, 4, 2))  # deadline Monday 30 March, after the change
    assert (winter.hour, winter.utcoffset()) == (13, timedelta(hours=1))
    assert (summer.hour, summer.utcoffset()) == (13, timedelta(hours=2))


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 12, 9), "mercredi"),
        (date(2026, 12, 12), "samedi"),
        (date(2025, 11, 11), "Armistice"),
        (date(2026, 5, 14), "Ascension"),
        (date(2026, 5, 15), "Pont de l'Ascension"),
        (date(2026, 12, 24), "Vacances de Noël"),
        (date(2027, 3, 29), "Lundi de Pâques"),
        (date(2026, 10, 20), "Vacances de la Toussaint"),
        (date(2026, 7, 20), "Vacances d'Été"),
    ],
)
def test_closed_days_say_why_in_french(day: date, reason: str) -> None:
    st = CAL.status(day, DIJON_DAYS, DIJON_RULE)
    assert not st.operating
    assert st.reason == reason
    assert st.deadline is None


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 12, 23), "Vacances de Noël"),  # a Wednesday in the Christmas holidays
        (date(2027, 1, 2), "Vacances de Noël"),  # a Saturday in them
        (date(2027, 1, 3), "Vacances de Noël"),  # a Sunday in them
        (date(2027, 7, 14), "Vacances d'Été"),  # Wednesday 14 July, in the summer holidays
    ],
)
def test_a_day_off_for_its_weekday_within_the_holidays_is_the_holidays_day(
    day: date, reason: str
) -> None:
    """A parent asking about Wednesday 23 December thinks of Christmas, not of Wednesdays: it
    was « la cantine ne fonctionne jamais le mercredi »."""
    st = CAL.status(day, DIJON_DAYS, DIJON_RULE)
    assert (st.operating, st.reason, st.deadline) == (False, reason, None)


def test_the_holidays_first_change_no_operating_day_and_no_deadline() -> None:
    """Guard: which reason a day closed twice keeps is wording only. Every day of the covered
    range is operating exactly when it is a canteen weekday, no public holiday and no
    school-holiday day, and its deadline is 13:00 on the second such day before it, for
    Dijon's weekdays and for a school open on Wednesdays."""
    closed = CAL.school_holidays.closed_days("A")
    for weekdays in (DIJON_DAYS, frozenset({0, 1, 2, 3, 4})):
        operating: list[date] = []
        day = CAL.first_covered
        while day <= CAL.last_covered:
            expected = (day.weekday() in weekdays and not CAL.is_public_holiday(day)
                        and day not in closed)
            if len(operating) >= 2 or not expected:  # earlier: too close to count back
                st = CAL.status(day, weekdays, DIJON_RULE)
                assert st.operating is expected, day
                if expected:
                    before = operating[-2]
                    assert st.deadline == at13(before.year, before.month, before.day), day
            if expected:
                operating.append(day)
            day += timedelta(days=1)
        assert len(operating) > 300


def test_a_school_with_its_own_weekdays_has_its_own_operating_days() -> None:
    with_wednesday = frozenset({0, 1, 2, 3, 4})
    st = CAL.status(date(2026, 12, 9), with_wednesday, DIJON_RULE)
    assert st.operating
    assert st.deadline == at13(2026, 12, 7)  # Monday, Tuesday counted back


def test_local_closure_closes_the_day_without_moving_other_deadlines() -> None:
    strike = Closure("anjou-elem", date(2026, 12, 7), date(2026, 12, 7), "grève")
    st = CAL.status(
        date(2026, 12, 7), DIJON_DAYS, DIJON_RULE, school_id="anjou-elem", closures=[strike]
    )
    assert not st.operating and st.closure
    assert st.reason == "fermeture : grève"
    other_school = CAL.status(
        date(2026, 12, 7), DIJON_DAYS, DIJON_RULE, school_id="darcy-elem", closures=[strike]
    )
    assert other_school.operating
    after = CAL.status(
        date(2026, 12, 10), DIJON_DAYS, DIJON_RULE, school_id="anjou-elem", closures=[strike]
    )
    assert after.deadline == at13(2026, 12, 7)


def test_a_town_wide_closure_covers_every_school() -> None:
    everywhere = Closure(None, date(2026, 12, 10), date(2026, 12, 11), "sortie scolaire")
    for school in ("anjou-elem", "darcy-elem"):
        st = CAL.status(
            date(2026, 12, 11), DIJON_DAYS, DIJON_RULE, school_id=school, closures=[everywhere]
        )
        assert not st.operating


@pytest.mark.parametrize(
    "day", [date(2027, 9, 6), date(2030, 1, 7), date(2024, 9, 2), date(2023, 5, 1)]
)
def test_days_outside_the_known_calendar_are_refused_not_guessed(day: date) -> None:
    with pytest.raises(CalendarCoverageError) as err:
        CAL.status(day, DIJON_DAYS, DIJON_RULE)
    assert "calendrier scolaire" in str(err.value)


# Villepreux: "48 heures (week-end et jours fériés non compris)".
VILLEPREUX = WorkingHoursRule(hours=48)
CAL_C = SchoolCalendar(tz=PARIS, zone="C")


@pytest.mark.parametrize(
    ("meal", "expected"),
    [
        (date(2026, 12, 10), datetime(2026, 12, 8, 0, 0, tzinfo=PARIS)),  # Thursday → Tuesday 00:00
        (
            date(2026, 12, 7),
            datetime(2026, 12, 3, 0, 0, tzinfo=PARIS),
        ),  # Monday → Thursday (weekend not counted)
        (date(2026, 12, 8), datetime(2026, 12, 4, 0, 0, tzinfo=PARIS)),  # Tuesday → Friday
        (
            date(2025, 11, 13),
            datetime(2025, 11, 10, 0, 0, tzinfo=PARIS),
        ),  # Armistice (Tue) not counted
        (
            date(2026, 5, 12),
            datetime(2026, 5, 7, 0, 0, tzinfo=PARIS),
        ),  # 8 May (Fri) and weekend not counted
    ],
)
def test_villepreux_48_working_hours(meal: date, expected: datetime) -> None:
    assert deadline(meal, VILLEPREUX) == expected


def test_working_hours_from_a_reference_time_of_the_meal_day() -> None:
    rule = WorkingHoursRule(hours=48, reference=time(12, 0))
    assert deadline(date(2026, 12, 10), rule) == datetime(2026, 12, 8, 12, 0, tzinfo=PARIS)
    assert deadline(date(2026, 12, 7), rule) == datetime(2026, 12, 3, 12, 0, tzinfo=PARIS)


def test_cesson_changes_until_j_minus_2_included() -> None:
    rule = CalendarDaysRule(days=1, at=time(0, 0))
    assert deadline(date(2026, 12, 10), rule) == datetime(2026, 12, 9, 0, 0, tzinfo=PARIS)
    assert deadline(date(2026, 12, 7), rule) == datetime(2026, 12, 6, 0, 0, tzinfo=PARIS)


def test_a_deadline_hour_the_clocks_skip_is_the_instant_it_stands_for_written_as_it_exists() -> None:
    # "Jusqu'à J-2, 2 h 30": on Sunday 29 March 2026 Paris clocks jump from 02:00 to 03:00, so
    # 02:30 does not exist. Python reads it with the offset before the change (PEP 495, fold=0):
    # 01:30 UTC, which Paris clocks show as 03:30. It was kept as "02:30+01:00": said "2 h 30",
    # and compared with "now" by wall clock (same zone), it refused changes from 03:00 while
    # the lock scheduler, in UTC, waited until 03:30.
    rule = CalendarDaysRule(days=1, at=time(2, 30))
    got = deadline(date(2026, 3, 30), rule)
    assert got.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (got.hour, got.minute, got.utcoffset()) == (3, 30, timedelta(hours=2))
    assert datetime(2026, 3, 29, 3, 10, tzinfo=PARIS) < got  # wall clock and UTC agree now
    assert format_deadline(got) == "dimanche 29 mars à 3 h 30"
    # The same rule on an ordinary Sunday, and the autumn's 02:30, which happens twice: the
    # first one (summer time), as Python reads it.
    assert deadline(date(2026, 3, 23), rule) == datetime(2026, 3, 22, 2, 30, tzinfo=PARIS)
    autumn = rule.deadline(date(2026, 10, 26), CTX)
    assert (autumn.hour, autumn.minute, autumn.utcoffset()) == (2, 30, timedelta(hours=2))


def test_zones_differ_on_winter_holidays() -> None:
    # 2026 winter break: zone A 7–22 February, zone C 21 February – 8 March.
    day = date(2026, 2, 9)
    assert not CAL.status(day, DIJON_DAYS, DIJON_RULE).operating
    assert CAL_C.status(day, DIJON_DAYS, DIJON_RULE).operating


def test_alsace_moselle_has_good_friday_and_saint_stephen() -> None:
    alsace = SchoolCalendar(tz=PARIS, zone="B", alsace_moselle=True)
    five = frozenset(range(5))
    assert not alsace.status(date(2027, 3, 26), five, DIJON_RULE).operating  # Vendredi saint
    assert SchoolCalendar(tz=PARIS, zone="B").status(date(2027, 3, 26), five, DIJON_RULE).operating


def test_next_operating_day_skips_closed_and_past_deadline_days() -> None:
    now = datetime(2026, 12, 3, 13, 0, tzinfo=PARIS)  # Monday 7 December just closed
    st = CAL.next_operating(date(2026, 12, 5), DIJON_DAYS, DIJON_RULE, open_at=now)
    assert st is not None and st.day == date(2026, 12, 8)


def test_public_holidays_are_named_in_the_callers_language() -> None:
    assert CAL.public_holiday_name(date(2026, 12, 25)) == "Noël"
    assert CAL.public_holiday_name(date(2026, 12, 25), "en") == "Christmas Day"
    assert CAL.public_holiday_name(date(2027, 5, 6), "en") == "Ascension Day"
    assert CAL.public_holiday_name(date(2026, 12, 24), "en") is None  # school holidays only


def test_a_deadline_past_the_calendar_is_known_when_it_counts_back_to_days_it_knows() -> None:
    # The shipped calendar ends with the rentrée, Thursday 2 September 2027. Friday 3 counts
    # back to 2 September, then Friday 2 July; Monday 6 counts Friday 3, a school day or not.
    assert CAL.deadline_beyond(date(2027, 9, 3), DIJON_DAYS, DIJON_RULE) == at13(2027, 7, 2)
    assert CAL.deadline_beyond(date(2027, 9, 6), DIJON_DAYS, DIJON_RULE) is None
    assert CAL.deadline_beyond(date(2027, 9, 8), DIJON_DAYS, DIJON_RULE) is None  # Wednesday
    assert CAL.closed_beyond(date(2027, 9, 8), DIJON_DAYS) == "mercredi"
    assert CAL.closed_beyond(date(2027, 11, 11), DIJON_DAYS) == "Armistice"
    assert CAL.closed_beyond(date(2027, 9, 6), DIJON_DAYS) is None  # not known
    # Working hours count no operating day: always known.
    assert CAL_C.deadline_beyond(date(2027, 9, 6), DIJON_DAYS, VILLEPREUX) == datetime(
        2027, 9, 2, 0, 0, tzinfo=PARIS
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2027, 6, 28, 12, 59, tzinfo=PARIS), date(2027, 7, 1)),
        (datetime(2027, 7, 1, 12, 0, tzinfo=PARIS), date(2027, 9, 2)),
        (datetime(2027, 7, 1, 13, 0, tzinfo=PARIS), date(2027, 9, 3)),
        (datetime(2027, 7, 2, 13, 0, tzinfo=PARIS), date(2027, 9, 6)),
        (datetime(2027, 8, 20, 10, 0, tzinfo=PARIS), date(2027, 9, 6)),
    ],
)
def test_the_first_day_that_can_change_goes_past_the_calendar_only_when_none_of_it_can(
    now: datetime, expected: date
) -> None:
    assert CAL.first_changeable(now.date(), DIJON_DAYS, DIJON_RULE, open_at=now) == expected


def test_the_last_deadline_the_calendar_knows_is_its_last_operating_days() -> None:
    # 2 September 2027, the rentrée, is the calendar's last day; its deadline is 1 July.
    assert CAL.last_deadline(DIJON_DAYS, DIJON_RULE) == at13(2027, 7, 1)
