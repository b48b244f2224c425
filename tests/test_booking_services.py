"""The booking services on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from restomairie.booking.errors import (
    DayLocked,
    InvalidRequest,
    NotEnrolled,
    NotOperatingDay,
    OutsideCalendar,
    PastDeadline,
    UnknownChild,
    UnknownFamily,
)
from restomairie.booking.services import Actor, Outcome
from restomairie.clock import PARIS
from restomairie.models import AuditEntry, BookingDay, LockAdjustment
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family

PARENT = Actor("family", "210001", "phone", call_sid="CA123")
STAFF = Actor("staff", "marie", "staff")
MON_7_DEC = date(2026, 12, 7)  # deadline Thursday 3 December 13:00
THU_10_DEC = date(2026, 12, 10)


def audit_count(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_cancelling_a_subscribed_meal_then_again_changes_nothing_twice(rt: Runtime) -> None:
    make_family(rt)
    first = rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    assert [r.outcome for r in first] == [Outcome.CANCELLED]
    again = rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    assert [r.outcome for r in again] == [Outcome.NOTHING_TO_CANCEL]
    assert audit_count(rt) == 1
    assert not rt.booking.state("210001", "E1", MON_7_DEC).booked


def test_booking_an_extra_meal_for_a_day_by_day_child(rt: Runtime) -> None:
    make_family(rt, kids=[KidSpec("E1", "Léa", weekdays=0)])
    assert rt.booking.state("210001", "E1", MON_7_DEC).source == "none"
    res = rt.booking.book("210001", [MON_7_DEC], PARENT)
    assert res[0].outcome is Outcome.BOOKED
    assert rt.booking.book("210001", [MON_7_DEC], PARENT)[0].outcome is Outcome.ALREADY_BOOKED
    assert rt.booking.state("210001", "E1", MON_7_DEC).source == "booked"


def test_rebooking_a_cancelled_subscription_meal(rt: Runtime) -> None:
    make_family(rt)
    rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    assert rt.booking.book("210001", [MON_7_DEC], PARENT)[0].outcome is Outcome.BOOKED
    assert rt.booking.state("210001", "E1", MON_7_DEC).booked


def test_a_change_at_12_59_59_counts_and_at_13_00_00_is_too_late(rt: Runtime) -> None:
    make_family(rt)
    rt.clock.frozen = datetime(2026, 12, 3, 12, 59, 59, tzinfo=PARIS)
    assert rt.booking.cancel("210001", [MON_7_DEC], PARENT)[0].outcome is Outcome.CANCELLED
    rt.clock.frozen = datetime(2026, 12, 3, 13, 0, 0, tzinfo=PARIS)
    with pytest.raises(PastDeadline) as err:
        rt.booking.book("210001", [MON_7_DEC], PARENT)
    assert err.value.deadline == datetime(2026, 12, 3, 13, 0, tzinfo=PARIS)
    assert "il fallait réserver avant le jeudi 3 décembre à 13 heures" in str(err.value)


def test_a_deadline_hour_the_clocks_skip_is_enforced_and_said_as_the_clocks_show_it(
    rt: Runtime,
) -> None:
    # "2 h 30 the day before" for Monday 30 March 2026: that Sunday, Paris clocks go from 02:00
    # to 03:00. The deadline is 01:30 UTC, 03:30 on the clocks. A change at 03:10 was refused
    # "il fallait réserver avant le dimanche 29 mars à 2 h 30" (by wall clock, from 03:00).
    import dataclasses
    from datetime import time

    from restomairie.calendar.deadlines import CalendarDaysRule

    town = dataclasses.replace(rt.settings, deadline=CalendarDaysRule(1, time(2, 30)))
    other = Runtime.build(settings=town, clock=rt.clock, engine=rt.engine)
    make_family(other)
    monday = date(2026, 3, 30)
    other.clock.frozen = datetime(2026, 3, 29, 3, 29, 59, tzinfo=PARIS)
    assert other.booking.cancel("210001", [monday], PARENT)[0].outcome is Outcome.CANCELLED
    other.clock.frozen = datetime(2026, 3, 29, 3, 30, tzinfo=PARIS)
    with pytest.raises(PastDeadline) as err:
        other.booking.book("210001", [monday], PARENT)
    assert "il fallait réserver avant le dimanche 29 mars à 3 h 30" in str(err.value)


def test_booking_a_wednesday_is_refused_with_the_reason(rt: Runtime) -> None:
    make_family(rt)
    with pytest.raises(NotOperatingDay) as err:
        rt.booking.book("210001", [date(2026, 12, 9)], PARENT)
    assert err.value.reason == "mercredi"
    assert (
        "il n'y a pas de restauration scolaire : la cantine ne fonctionne jamais le mercredi"
        in str(err.value)
    )


def test_booking_during_christmas_holidays_is_refused(rt: Runtime) -> None:
    make_family(rt)
    with pytest.raises(NotOperatingDay, match="vacances de Noël"):
        rt.booking.book("210001", [date(2026, 12, 22)], PARENT)


def test_a_child_not_enrolled_cannot_be_booked(rt: Runtime) -> None:
    make_family(rt, kids=[KidSpec("E1", "Léa", enrolled_from=date(2027, 1, 4))])
    with pytest.raises(NotEnrolled):
        rt.booking.book("210001", [MON_7_DEC], PARENT)


def test_dates_past_the_calendar_are_refused(rt: Runtime) -> None:
    make_family(rt)
    with pytest.raises(OutsideCalendar):
        rt.booking.book("210001", [date(2028, 1, 10)], PARENT)


def test_unknown_family_and_child_are_errors(rt: Runtime) -> None:
    make_family(rt)
    with pytest.raises(UnknownFamily):
        rt.booking.book("999999", [MON_7_DEC], PARENT)
    with pytest.raises(UnknownChild):
        rt.booking.book("210001", [MON_7_DEC], PARENT, children=["E9"])


def test_a_childs_state_names_what_it_cannot_tell(rt: Runtime) -> None:
    make_family(rt)
    with pytest.raises(UnknownFamily):
        rt.booking.state("999999", "E1", MON_7_DEC)
    with pytest.raises(UnknownChild):
        rt.booking.state("210001", "E9", MON_7_DEC)
    with pytest.raises(OutsideCalendar):
        rt.booking.state("210001", "E1", date(2028, 1, 10))
    saturday = rt.booking.state("210001", "E1", date(2026, 12, 5))
    assert (saturday.operating, saturday.booked, saturday.source) == (False, False, "closed")


def test_a_run_of_days_with_one_bad_day_writes_nothing(rt: Runtime) -> None:
    make_family(rt)
    with pytest.raises(NotOperatingDay) as err:
        rt.booking.cancel("210001", [MON_7_DEC, date(2026, 12, 8), date(2026, 12, 9)], PARENT)
    assert err.value.day == date(2026, 12, 9)
    assert audit_count(rt) == 0
    assert rt.booking.state("210001", "E1", MON_7_DEC).booked


def test_a_range_passes_over_closed_days_but_not_an_all_closed_range(rt: Runtime) -> None:
    make_family(rt)
    week = [date(2026, 12, 14) + timedelta(days=i) for i in range(5)]
    res = rt.booking.cancel("210001", week, PARENT, skip_closed=True)
    assert [r.day.day for r in res] == [14, 15, 17, 18]
    with pytest.raises(NotOperatingDay, match="vacances de Noël"):
        rt.booking.cancel(
            "210001", [date(2026, 12, 21), date(2026, 12, 22)], PARENT, skip_closed=True
        )


def test_all_children_of_a_family_at_once(rt: Runtime) -> None:
    make_family(rt, kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)])
    res = rt.booking.book("210001", [MON_7_DEC, THU_10_DEC], PARENT)
    assert {(r.first_name, r.day, r.outcome) for r in res} == {
        ("Hugo", MON_7_DEC, Outcome.BOOKED),
        ("Hugo", THU_10_DEC, Outcome.BOOKED),
        ("Léa", MON_7_DEC, Outcome.ALREADY_BOOKED),
        ("Léa", THU_10_DEC, Outcome.ALREADY_BOOKED),
    }
    # Children come in the order of their first names (the keypad contract's 1…n).
    assert [c.first_name for c in rt.booking.family_info("210001").children] == ["Hugo", "Léa"]


def test_children_are_ordered_by_first_name_ignoring_accents(rt: Runtime) -> None:
    make_family(rt, kids=[KidSpec("E1", "Zoé"), KidSpec("E2", "Éloïse"), KidSpec("E3", "adam")])
    names = [c.first_name for c in rt.booking.family_info("210001").children]
    assert names == ["adam", "Éloïse", "Zoé"]


def test_audit_records_who_what_when_and_the_call(rt: Runtime) -> None:
    make_family(rt)
    rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    with rt.sessions() as s:
        entry = s.scalars(select(AuditEntry)).one()
    assert (entry.actor, entry.channel, entry.action, entry.day) == (
        "family:210001",
        "phone",
        "cancel",
        MON_7_DEC,
    )
    assert (entry.before, entry.after, entry.call_sid) == ("booked", "not_booked", "CA123")
    assert entry.at == rt.clock.now()


def test_the_audit_log_is_append_only(rt: Runtime) -> None:
    make_family(rt)
    rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    with rt.sessions() as s, pytest.raises(ValueError, match="append-only"), s.begin():
        entry = s.scalars(select(AuditEntry)).one()
        entry.after = "booked"


def test_a_locked_day_refuses_changes_and_keeps_its_count(rt: Runtime) -> None:
    make_family(rt)
    rt.clock.frozen = datetime(2026, 12, 3, 13, 0, tzinfo=PARIS)
    lock = rt.locks.lock_day("anjou-elem", MON_7_DEC)
    assert lock.counts["standard"] == 1
    rt.clock.frozen = datetime(2026, 12, 3, 12, 0, tzinfo=PARIS)  # even with a clock that lags
    with pytest.raises(DayLocked):
        rt.booking.cancel("210001", [MON_7_DEC], PARENT)


def test_staff_override_after_the_lock_is_an_adjustment_not_a_rewrite(rt: Runtime) -> None:
    make_family(rt)
    rt.clock.frozen = datetime(2026, 12, 3, 13, 5, tzinfo=PARIS)
    rt.locks.lock_day("anjou-elem", MON_7_DEC)
    with pytest.raises(PastDeadline):
        rt.booking.cancel("210001", [MON_7_DEC], STAFF)
    res = rt.booking.cancel("210001", [MON_7_DEC], STAFF, override_reason="hospitalisation")
    assert res[0].adjusted
    lock = rt.locks.get("anjou-elem", MON_7_DEC)
    assert lock is not None and lock.counts["standard"] == 1
    assert [(a["delta"], a["kind"], a["reason"]) for a in lock.adjustments] == [
        (-1, "override", "hospitalisation"),
    ]
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LockAdjustment)) == 1


def test_a_day_already_as_asked_past_its_deadline_or_locked_is_said_so_not_refused(
    rt: Runtime,
) -> None:
    # "Trop tard" for a meal already booked told a billing clerk the child had no meal (the
    # phone line said "déjà réservé"): a day already as asked is no change, so no change too
    # late; a real change is still refused.
    make_family(rt)  # Léa, every canteen day
    rt.clock.frozen = datetime(2026, 12, 3, 13, 5, tzinfo=PARIS)  # Monday 7: deadline passed
    for actor in (STAFF, PARENT):
        assert [r.outcome for r in rt.booking.book("210001", [MON_7_DEC], actor)] == [
            Outcome.ALREADY_BOOKED
        ]
    assert rt.booking.refusals("210001", "book", [MON_7_DEC], STAFF) == {MON_7_DEC: []}
    with pytest.raises(PastDeadline):
        rt.booking.cancel("210001", [MON_7_DEC], STAFF)
    assert [type(e) for e in rt.booking.refusals("210001", "cancel", [MON_7_DEC], STAFF)[
        MON_7_DEC]] == [PastDeadline]
    # Locked: the same.
    rt.locks.lock_day("anjou-elem", MON_7_DEC)
    assert rt.booking.book("210001", [MON_7_DEC], STAFF)[0].outcome is Outcome.ALREADY_BOOKED
    assert rt.booking.refusals("210001", "book", [MON_7_DEC], STAFF) == {MON_7_DEC: []}
    with pytest.raises(PastDeadline):
        rt.booking.cancel("210001", [MON_7_DEC], STAFF)
    assert audit_count(rt) == 0
    # Cancelled with "forcer le délai": cancelling again is "rien à annuler", booking is refused.
    done = rt.booking.cancel("210001", [MON_7_DEC], STAFF, override_reason="malade")
    assert done[0].outcome is Outcome.CANCELLED and done[0].adjusted
    assert rt.booking.cancel("210001", [MON_7_DEC], STAFF)[0].outcome is (
        Outcome.NOTHING_TO_CANCEL
    )
    with pytest.raises(PastDeadline):
        rt.booking.book("210001", [MON_7_DEC], STAFF)
    # A clock that lags behind the lock: refused as locked, unless already as asked.
    rt.clock.frozen = datetime(2026, 12, 3, 12, 0, tzinfo=PARIS)
    with pytest.raises(DayLocked):
        rt.booking.book("210001", [MON_7_DEC], STAFF)
    assert rt.booking.cancel("210001", [MON_7_DEC], PARENT)[0].outcome is (
        Outcome.NOTHING_TO_CANCEL
    )
    assert audit_count(rt) == 1
    # Several days: one already as asked and one too late to change are refused whole; with
    # one still in time, that one is changed.
    rt.clock.frozen = datetime(2026, 12, 3, 13, 5, tzinfo=PARIS)
    with pytest.raises(PastDeadline):
        rt.booking.cancel("210001", [date(2026, 12, 4), MON_7_DEC], STAFF)
    assert audit_count(rt) == 1
    both = rt.booking.cancel("210001", [MON_7_DEC, THU_10_DEC], STAFF)
    assert [r.outcome for r in both] == [Outcome.NOTHING_TO_CANCEL, Outcome.CANCELLED]


def test_only_staff_may_override_and_with_a_reason(rt: Runtime) -> None:
    make_family(rt)
    with pytest.raises(InvalidRequest, match="Seul le personnel"):
        rt.booking.cancel("210001", [MON_7_DEC], PARENT, override_reason="please")
    # Staff with an empty reason are told the reason is empty, not that only staff may.
    for call in (rt.booking.cancel, rt.booking.book):
        with pytest.raises(InvalidRequest, match="Le motif du forçage est vide"):
            call("210001", [MON_7_DEC], STAFF, override_reason="  ")
    with pytest.raises(InvalidRequest, match="Le motif du forçage est vide"):
        rt.booking.end_subscription("210001", "E1", MON_7_DEC, STAFF, override_reason="")


def test_subscription_changes_follow_the_deadline_of_their_effective_date(rt: Runtime) -> None:
    make_family(rt, kids=[KidSpec("E1", "Léa", weekdays=0)])
    rt.booking.set_subscription("210001", "E1", [0, 3], MON_7_DEC, PARENT)
    assert rt.booking.state("210001", "E1", MON_7_DEC).source == "subscription"
    assert rt.booking.state("210001", "E1", THU_10_DEC).booked
    assert not rt.booking.state("210001", "E1", date(2026, 12, 8)).booked
    rt.clock.frozen = datetime(2026, 12, 7, 13, 0, tzinfo=PARIS)
    with pytest.raises(PastDeadline, match="il fallait mettre fin à l'abonnement avant le"):
        rt.booking.end_subscription("210001", "E1", THU_10_DEC, PARENT)
    with pytest.raises(PastDeadline, match="il fallait modifier l'abonnement avant le"):
        rt.booking.set_subscription("210001", "E1", [1], THU_10_DEC, PARENT)
    rt.booking.end_subscription("210001", "E1", date(2026, 12, 14), PARENT)
    assert rt.booking.state("210001", "E1", THU_10_DEC).booked
    assert not rt.booking.state("210001", "E1", date(2026, 12, 14)).booked
    # The phone line's outlook (one read of the family and its facts) tells the same days.
    days = rt.booking.outlook("210001", start=MON_7_DEC, days=12).states["E1"]
    assert [d.day for d in days if d.booked] == [MON_7_DEC, THU_10_DEC]
    assert [d.booked for d in days] == [rt.booking.state("210001", "E1", d.day).booked for d in days]


def test_upcoming_lists_operating_days_with_their_deadlines(rt: Runtime) -> None:
    make_family(rt)
    rt.booking.cancel("210001", [THU_10_DEC], PARENT)
    days = rt.booking.upcoming("210001", start=MON_7_DEC, days=5)["E1"]
    assert [(d.day.day, d.operating, d.booked, d.source) for d in days] == [
        (7, True, True, "subscription"),
        (8, True, True, "subscription"),
        (9, False, False, "closed"),
        (10, True, False, "cancelled"),
        (11, True, True, "subscription"),
    ]
    assert days[0].deadline == datetime(2026, 12, 3, 13, 0, tzinfo=PARIS)


def test_the_outlook_reads_closures_locks_and_decisions_of_the_family_together(
    rt: Runtime,
) -> None:
    from restomairie.models import Closure

    make_family(
        rt,
        kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Zoé", school="darcy-elem")],
    )
    with rt.sessions() as session, session.begin():
        for school, first, last, label in (
            ("anjou-elem", MON_7_DEC, MON_7_DEC, "grève"),
            (None, date(2026, 12, 11), date(2026, 12, 11), "sortie scolaire"),
        ):
            session.add(
                Closure(
                    school_id=school,
                    first_day=first,
                    last_day=last,
                    kind="other",
                    label=label,
                    created_by="staff:marie",
                    created_at=rt.clock.now(),
                )
            )
    rt.booking.cancel("210001", [date(2026, 12, 8)], PARENT, children=["E2"])
    rt.clock.frozen = datetime(2026, 12, 4, 13, 5, tzinfo=PARIS)  # Tuesday 8 Dec is due
    rt.locks.lock_day("anjou-elem", date(2026, 12, 8))
    outlook = rt.booking.outlook("210001", start=MON_7_DEC, days=5)
    assert sorted((c.school_id or "", c.reason) for c in outlook.closures) == [
        ("", "sortie scolaire"),
        ("anjou-elem", "grève"),
    ]
    shown = {
        ref: [(d.day.day, d.operating, d.booked, d.source, d.locked) for d in days]
        for ref, days in outlook.states.items()
    }
    assert shown["E1"] == [
        (7, False, False, "closed", False),  # the strike at her school
        (8, True, True, "subscription", True),  # her school's day is locked
        (9, False, False, "closed", False),  # no canteen on Wednesdays
        (10, True, True, "subscription", False),
        (11, False, False, "closed", False),  # the whole town's closure
    ]
    assert shown["E2"] == [
        (7, True, True, "subscription", False),  # the strike is not at her school
        (8, True, False, "cancelled", False),  # nor the lock
        (9, False, False, "closed", False),
        (10, True, True, "subscription", False),
        (11, False, False, "closed", False),
    ]


def test_counts_per_school_and_variant(rt: Runtime) -> None:
    make_family(
        rt,
        kids=[
            KidSpec("E1", "Léa"),
            KidSpec("E2", "Hugo", diet="pai"),
            KidSpec("E3", "Zoé", school="darcy-elem", diet="vegetarien"),
        ],
    )
    make_family(
        rt, account="210002", phones=(), kids=[KidSpec("E4", "Tom", diet="sans_porc", weekdays=0)]
    )
    rt.booking.book("210002", [MON_7_DEC], PARENT)
    rt.booking.cancel("210001", [MON_7_DEC], PARENT, children=["E1"])
    counts = rt.booking.counts(MON_7_DEC)
    assert counts["anjou-elem"] == {"standard": 0, "sans_porc": 1, "vegetarien": 0, "pai": 1}
    assert counts["darcy-elem"] == {"standard": 0, "sans_porc": 0, "vegetarien": 1, "pai": 0}
    assert rt.booking.counts(date(2026, 12, 9))["anjou-elem"] == {
        "standard": 0,
        "sans_porc": 0,
        "vegetarien": 0,
        "pai": 0,
    }


def test_one_state_per_child_and_day_is_a_database_constraint(rt: Runtime) -> None:
    from sqlalchemy.exc import IntegrityError

    make_family(rt)
    rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    with rt.sessions() as s, pytest.raises(IntegrityError), s.begin():
        row = s.scalars(select(BookingDay)).one()
        s.add(
            BookingDay(
                child_id=row.child_id,
                day=row.day,
                booked=True,
                channel="staff",
                updated_at=rt.clock.now(),
            )
        )


def test_wrong_codes_lock_the_phone_access_for_15_minutes(rt: Runtime) -> None:
    make_family(rt, pin="4321")
    for _ in range(4):
        assert not rt.booking.check_pin("210001", "0000").ok
    fifth = rt.booking.check_pin("210001", "0000")
    assert fifth.locked_until == datetime(2026, 11, 23, 10, 15, tzinfo=PARIS)
    assert not rt.booking.check_pin("210001", "4321").ok  # even the right code, while locked
    rt.clock.frozen = datetime(2026, 11, 23, 10, 15, tzinfo=PARIS)
    assert rt.booking.check_pin("210001", "4321").ok


def test_codes_are_stored_hashed(rt: Runtime) -> None:
    from restomairie.models import Family

    make_family(rt, pin="4321")
    with rt.sessions() as s:
        stored = s.scalars(select(Family.pin_hash)).one()
    assert "4321" not in stored and stored.startswith("pbkdf2_sha256$")


def test_families_are_found_by_exact_caller_number(rt: Runtime) -> None:
    make_family(rt, phones=("+33612345678", "+33380000000"))
    assert rt.booking.families_by_phone("+33612345678") == ["210001"]
    assert rt.booking.families_by_phone("+3361234567") == []


def test_a_forced_pattern_change_on_a_locked_day_is_an_adjustment(rt: Runtime) -> None:
    make_family(rt)
    rt.clock.frozen = datetime(2026, 12, 3, 13, 5, tzinfo=PARIS)
    rt.locks.lock_day("anjou-elem", MON_7_DEC)
    with pytest.raises(PastDeadline):
        rt.booking.end_subscription("210001", "E1", MON_7_DEC, STAFF)
    with pytest.raises(InvalidRequest):
        rt.booking.end_subscription("210001", "E1", MON_7_DEC, PARENT, override_reason="x")
    rt.booking.end_subscription("210001", "E1", MON_7_DEC, STAFF, override_reason="déménagement")
    lock = rt.locks.get("anjou-elem", MON_7_DEC)
    assert lock is not None and lock.counts["standard"] == 1
    assert [(a["delta"], a["kind"], a["reason"]) for a in lock.adjustments] == [
        (-1, "override", "déménagement"),
    ]
    assert not rt.booking.state("210001", "E1", MON_7_DEC).booked


def booking_days(rt: Runtime) -> list[tuple[date, bool]]:
    with rt.sessions() as s:
        return [(b.day, b.booked) for b in s.scalars(select(BookingDay).order_by(BookingDay.day))]


def audit_trail(rt: Runtime) -> list[tuple[str, date | None, str | None, str | None]]:
    with rt.sessions() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.day, e.before, e.after) for e in entries]


def test_undoing_a_cancellation_puts_the_day_back_under_the_subscription(rt: Runtime) -> None:
    # A parent cancels a subscribed meal, then books it back ("je me suis trompé"): the day
    # follows the subscription again. It stayed "booked" on its own: when staff then ended the
    # subscription from that day, the day stayed booked, counted for the kitchen and billed.
    make_family(rt)
    rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    assert rt.booking.book("210001", [MON_7_DEC], PARENT)[0].outcome is Outcome.BOOKED
    state = rt.booking.state("210001", "E1", MON_7_DEC)
    assert (state.booked, state.source) == (True, "subscription")
    assert booking_days(rt) == []
    # Each change is still in the audit log, with its true before and after (billing).
    assert audit_trail(rt) == [
        ("cancel", MON_7_DEC, "booked", "not_booked"),
        ("book", MON_7_DEC, "not_booked", "booked"),
    ]
    assert rt.booking.counts(MON_7_DEC)["anjou-elem"]["standard"] == 1
    rt.booking.end_subscription("210001", "E1", MON_7_DEC, STAFF)
    for day in (MON_7_DEC, THU_10_DEC):
        assert not rt.booking.state("210001", "E1", day).booked
    assert rt.booking.counts(MON_7_DEC)["anjou-elem"]["standard"] == 0


def test_undoing_an_extra_meal_puts_the_day_back_to_day_by_day(rt: Runtime) -> None:
    make_family(rt, kids=[KidSpec("E1", "Léa", weekdays=0)])
    rt.booking.book("210001", [MON_7_DEC], PARENT)
    assert rt.booking.cancel("210001", [MON_7_DEC], PARENT)[0].outcome is Outcome.CANCELLED
    state = rt.booking.state("210001", "E1", MON_7_DEC)
    assert (state.booked, state.source) == (False, "none")
    assert booking_days(rt) == []
    assert audit_trail(rt) == [
        ("book", MON_7_DEC, "not_booked", "booked"),
        ("cancel", MON_7_DEC, "booked", "not_booked"),
    ]
    # A subscription taken afterwards books the day: nothing was cancelled by hand on it.
    rt.booking.set_subscription("210001", "E1", [0], MON_7_DEC, STAFF)
    assert rt.booking.state("210001", "E1", MON_7_DEC).source == "subscription"


def test_an_exception_that_differs_from_the_pattern_is_still_kept(rt: Runtime) -> None:
    # Guard of kept behaviour: only an exception undone is removed. One change for two
    # children: Léa's cancellation undone (deleted), Hugo's extra meal new (written).
    make_family(rt, kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)])
    rt.booking.cancel("210001", [MON_7_DEC, THU_10_DEC], PARENT, children=["E1"])
    res = rt.booking.book("210001", [MON_7_DEC], PARENT)
    assert [(r.first_name, r.outcome) for r in res] == [
        ("Hugo", Outcome.BOOKED), ("Léa", Outcome.BOOKED),
    ]
    assert booking_days(rt) == [(MON_7_DEC, True), (THU_10_DEC, False)]  # Hugo's, Léa's
    assert rt.booking.state("210001", "E2", MON_7_DEC).source == "booked"
    assert rt.booking.counts(MON_7_DEC)["anjou-elem"]["standard"] == 2
    assert [e[0] for e in audit_trail(rt)] == ["cancel", "cancel", "book", "book"]


def test_a_forced_undo_on_a_locked_day_adjusts_the_kitchen_as_before(rt: Runtime) -> None:
    # Staff forcing a cancelled meal back after the lock: the day follows the subscription again,
    # and the kitchen's figure moves by exactly one meal, as for any forced booking.
    make_family(rt)
    rt.booking.cancel("210001", [MON_7_DEC], PARENT)
    rt.clock.frozen = datetime(2026, 12, 3, 13, 5, tzinfo=PARIS)
    lock = rt.locks.lock_day("anjou-elem", MON_7_DEC)
    assert lock.counts["standard"] == 0
    res = rt.booking.book("210001", [MON_7_DEC], STAFF, override_reason="erreur du parent")
    assert (res[0].outcome, res[0].adjusted, res[0].forced) == (Outcome.BOOKED, True, True)
    assert rt.booking.state("210001", "E1", MON_7_DEC).source == "subscription"
    assert booking_days(rt) == []
    again = rt.booking.cancel("210001", [MON_7_DEC], STAFF, override_reason="finalement non")
    assert again[0].adjusted
    after = rt.locks.get("anjou-elem", MON_7_DEC)
    assert after is not None and after.counts["standard"] == 0
    assert [a["delta"] for a in after.adjustments] == [1, -1]
    assert not rt.booking.state("210001", "E1", MON_7_DEC).booked
    assert rt.booking.counts(MON_7_DEC)["anjou-elem"]["standard"] == 0


def test_nothing_to_cancel_says_when_the_meal_was_cancelled(rt: Runtime) -> None:
    """A parent cancelling again to be sure learns the meal IS cancelled, and when and how:
    from the day's booking day (read with the day's facts), or, for an extra meal whose booking
    day was deleted by its cancellation, from the journal. Never booked: nothing said."""
    make_family(rt, kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)])
    cancelled_at = datetime(2026, 11, 30, 10, 20, tzinfo=PARIS)
    rt.clock.frozen = cancelled_at
    rt.booking.book("210001", [THU_10_DEC], STAFF, children=["E2"])  # an extra meal
    rt.booking.cancel("210001", [MON_7_DEC], PARENT, children=["E1"])  # a subscribed one
    rt.booking.cancel("210001", [THU_10_DEC], PARENT, children=["E2"])  # the extra, undone
    rt.clock.frozen = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
    again = rt.booking.cancel("210001", [MON_7_DEC], PARENT, children=["E1"])
    again += rt.booking.cancel("210001", [MON_7_DEC, THU_10_DEC], PARENT, children=["E2"])
    said = {(r.first_name, r.day): r for r in again}
    assert all(r.outcome is Outcome.NOTHING_TO_CANCEL for r in again)
    for key in (("Léa", MON_7_DEC), ("Hugo", THU_10_DEC)):
        decided = said[key].decided
        assert decided is not None, key
        assert decided.at == cancelled_at and decided.channel == "phone"
    assert said[("Hugo", MON_7_DEC)].decided is None  # never booked
    # The day's state carries the booking day's decision (no journal read).
    state = rt.booking.state("210001", "E1", MON_7_DEC)
    assert state.decided is not None and state.decided.at == cancelled_at
    # The phone line's check: by the children's ids, from the day's outlook (no other read).
    ids = rt.booking.outlook("210001", THU_10_DEC, 1).ids
    earlier = rt.booking.cancelled_earlier([ids["E1"], ids["E2"]], THU_10_DEC)
    assert earlier.keys() == {ids["E2"]} and earlier[ids["E2"]].at == cancelled_at
    # Booked again: the journal's last word is a booking, not a cancellation.
    rt.booking.book("210001", [THU_10_DEC], PARENT, children=["E2"])
    rt.booking.cancel("210001", [MON_7_DEC], STAFF, children=["E2"])
    assert rt.booking.cancelled_earlier([ids["E2"]], THU_10_DEC) == {}


def test_already_booked_says_when_an_extra_meal_was_booked(rt: Runtime) -> None:
    """An extra meal booked again is "already booked" with its booking's time and channel; a
    subscribed one is booked by the subscription: no time to say."""
    make_family(rt, kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)])
    booked_at = datetime(2026, 11, 30, 10, 20, tzinfo=PARIS)
    rt.clock.frozen = booked_at
    rt.booking.book("210001", [MON_7_DEC], PARENT, children=["E2"])
    rt.clock.frozen = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
    again = {r.first_name: r for r in rt.booking.book("210001", [MON_7_DEC], STAFF)}
    assert again["Hugo"].outcome is Outcome.ALREADY_BOOKED
    assert again["Hugo"].decided is not None
    assert (again["Hugo"].decided.at, again["Hugo"].decided.channel) == (booked_at, "phone")
    assert again["Léa"].outcome is Outcome.ALREADY_BOOKED and again["Léa"].decided is None


def test_first_to_change_finds_what_the_outlook_states_give(rt: Runtime) -> None:
    """Guard: ``first_to_change`` (the phone line's offered day, found without building every
    day's state) gives exactly what the outlook's states give, searched the way the phone line
    searched them before: every child's states of the window, the open ones, the first whose
    meal differs from the action, else each child's last open day. Children subscribed, day
    by day, at another school, leaving or starting within the windows; a meal cancelled, one
    booked, a closure, a lock; windows before and across the Christmas holidays, into the days
    past their deadline, past the end of the school calendar."""
    from restomairie.models import Closure

    make_family(
        rt,
        kids=[
            KidSpec("E1", "Léa"),
            KidSpec("E2", "Zoé", school="darcy-elem", weekdays=0),
            KidSpec("E3", "Hugo", enrolled_until=date(2026, 12, 15)),
            KidSpec("E4", "Inès", weekdays=0b0011111, enrolled_from=date(2027, 1, 4)),
        ],
    )
    with rt.sessions() as session, session.begin():
        session.add(
            Closure(
                school_id="anjou-elem",
                first_day=date(2026, 12, 1),
                last_day=date(2026, 12, 2),
                kind="strike",
                label="grève",
                created_by="staff:marie",
                created_at=rt.clock.now(),
            )
        )
    rt.booking.cancel("210001", [MON_7_DEC], PARENT, children=["E1"])
    rt.booking.book("210001", [THU_10_DEC, date(2027, 1, 5)], PARENT, children=["E2"])
    rt.clock.frozen = datetime(2026, 11, 26, 13, 5, tzinfo=PARIS)  # Monday 30 Nov is due
    rt.locks.lock_day("anjou-elem", date(2026, 11, 30))

    def by_outlook(
        refs: set[str], want: bool, start: date, days: int, now: datetime
    ) -> tuple[date | None, dict[str, date]]:
        states = rt.booking.outlook("210001", start=start, days=days).states
        window = [
            d
            for ref in sorted(refs)
            for d in states.get(ref, ())
            if d.operating and not d.locked and d.deadline is not None and now < d.deadline
        ]
        found = [d.day for d in window if d.booked != want]
        if found:
            return min(found), {}
        return None, {d.child_ref: d.day for d in sorted(window, key=lambda d: d.day)}

    compared = found_some = found_none = 0
    for now in (
        # Before Monday 30 November's deadline, which its lock (taken early) closes all the same.
        datetime(2026, 11, 26, 12, 0, tzinfo=PARIS),
        datetime(2026, 11, 26, 13, 5, tzinfo=PARIS),
        datetime(2026, 12, 9, 9, 0, tzinfo=PARIS),
        datetime(2026, 12, 17, 13, 0, tzinfo=PARIS),
    ):
        rt.clock.frozen = now
        for start, days in (
            (now.date(), 21),
            (now.date() + timedelta(days=3), 1),
            (now.date() + timedelta(days=21), 99),
            (rt.booking.calendar.last_covered - timedelta(days=40), 99),  # past its end
        ):
            for refs in ({"E1"}, {"E2"}, {"E3"}, {"E4"}, {"E1", "E2", "E3", "E4"}, {"E9"}):
                for want in (True, False):
                    got = rt.booking.first_to_change("210001", refs, want, start, days, now)
                    assert got == by_outlook(refs, want, start, days, now), (
                        now, start, days, refs, want
                    )
                    compared += 1
                    found_some += got[0] is not None
                    found_none += got[0] is None and bool(got[1])
    # Both kinds of answer were compared, not only one.
    assert compared == 192 and found_some > 20 and found_none > 5
