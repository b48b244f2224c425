"""The staff service layer on SQLite and PostgreSQL: closures, calls, families, audit, export,
accounts and imports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from restomairie.booking.errors import InvalidRequest, OutsideCalendar, PastDeadline
from restomairie.booking.importer import import_csv
from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.kitchen.export import to_csv
from restomairie.kitchen.service import KitchenService
from restomairie.models import AuditEntry, Call, CallEvent, LockAdjustment
from restomairie.runtime import Runtime
from restomairie.staff.accounts import (
    ADDRESS_LIMIT,
    MAX_FAILURES,
    AccountError,
    AccountService,
    LoginThrottled,
)
from restomairie.staff.imports import ImportDesk
from restomairie.staff.services import StaffService, closure_label, mask_phone, said_in
from tests.factories import KidSpec, make_family

MARIE = Actor("staff", "marie", "staff")
IMPORT_HEADER = "family,pin,phones,guardian,child,first_name,last_name,birth_date,school,diet,days\n"
TUE = date(2026, 11, 24)  # deadline passed (Friday 20th, 13:00) at the frozen Monday 23rd 10:00
THU = date(2026, 11, 26)  # still open until Monday 23rd 13:00
FRI = date(2026, 11, 27)


@pytest.fixture
def staff(rt: Runtime) -> StaffService:
    return StaffService(rt.booking)


def audit(rt: Runtime, action: str) -> list[AuditEntry]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def adjustments(rt: Runtime) -> list[LockAdjustment]:
    with rt.sessions() as s:
        return list(s.scalars(select(LockAdjustment).order_by(LockAdjustment.id)))


# ------------------------------------------------------------------ phone numbers
@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+33612345678", "+33 6 •• •• •• 78"),
        ("+33380123456", "+33 3 •• •• •• 56"),
        ("+4915123456789", "+49 •• •• 89"),
        (None, "numéro masqué"),
        ("anonymous", "numéro masqué"),
        ("Anonymous", "numéro masqué"),
        ("restricted", "numéro masqué"),
        ("unknown", "numéro masqué"),
        # Twilio's keypad spellings of ANONYMOUS, UNAVAILABLE, RESTRICTED, BLOCKED
        ("+266696687", "numéro masqué"),
        ("+86282452253", "numéro masqué"),
        ("+7378742833", "numéro masqué"),
        ("+2562533", "numéro masqué"),
        ("+2666966870", "+26 •• •• 70"),  # a real number that merely starts like one
        ("0612", "•• 12"),
        ("", "numéro masqué"),
        # Twilio Client and SIP callers: not a phone number, nor its last two letters
        ("client:Anonymous", "numéro masqué"),
        ("client:anonymous", "numéro masqué"),
        ("sip:anonymous@anonymous.invalid", "numéro masqué"),
        ("client:alice", "client •• ce"),
        ("sip:bob.martin@pbx.example.fr", "SIP •• in"),
        ("sip:+33612345678@pbx.example.fr", "SIP •• 78"),
        ("client:", "client"),
    ],
)
def test_phone_numbers_are_masked_but_for_the_kind_of_line_and_last_two_digits(
    number: str | None, shown: str
) -> None:
    assert mask_phone(number) == shown


# ------------------------------------------------------------------ closures
def test_a_closure_makes_booked_meals_closed_not_billed_and_audits_each(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", school="alsace-elem")])
    report = staff.declare_closure("anjou-elem", THU, FRI, "strike", "", MARIE)
    assert (report.days, report.meals, report.adjustments) == (2, 2, 0)
    assert report.label == "grève"
    state = rt.booking.state("210001", "E1", THU)
    assert (state.operating, state.source, state.reason) == (False, "closed", "fermeture : grève")
    assert rt.booking.state("210001", "E2", THU).booked  # another school: untouched
    entries = audit(rt, "closure")
    assert {(e.day, e.before, e.after) for e in entries} == {(THU, "booked", "closed"), (FRI, "booked", "closed")}
    assert all(e.actor == "staff:marie" and e.detail and e.detail["billed"] is False for e in entries)
    (declared,) = audit(rt, "closure_declared")
    assert declared.detail and declared.detail["meals"] == 2


def test_a_closure_of_a_day_already_locked_records_an_adjustment_not_a_new_count(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Zoé", diet="vegetarien")])
    locked = rt.locks.lock_day("anjou-elem", TUE)
    assert locked.counts["standard"] == 1 and locked.counts["vegetarien"] == 1
    report = staff.declare_closure(None, TUE, TUE, "trip", "musée", MARIE)
    assert (report.meals, report.adjustments) == (2, 2)
    adj = adjustments(rt)
    assert sorted((a.variant, a.delta) for a in adj) == [("standard", -1), ("vegetarien", -1)]
    assert all(a.reason == "fermeture : sortie scolaire (musée)" for a in adj)  # for staff
    assert {a.kind for a in adj} == {"closure"}  # for the kitchen
    again = rt.locks.get("anjou-elem", TUE)
    assert again is not None and again.counts == locked.counts  # the frozen figure never moves
    assert len(again.adjustments) == 2


def test_a_closure_of_a_locked_day_takes_what_the_kitchen_was_told_to_zero_after_an_import(
    rt: Runtime, staff: StaffService
) -> None:
    # Anjou is locked on Tuesday with 3 standard and 1 vegetarian; then an import makes Léa
    # vegetarian and moves Hugo to another school. Closing Anjou must cancel the 4 meals the
    # kitchen was told, whatever the children are now: 0 of each, never below.
    kids = [KidSpec("E1", "Léa"), KidSpec("E2", "Hugo"), KidSpec("E3", "Noé"),
            KidSpec("E4", "Zoé", diet="vegetarien")]
    make_family(rt, "210001", kids=kids)
    locked = rt.locks.lock_day("anjou-elem", TUE)
    assert locked.counts == {"standard": 3, "sans_porc": 0, "vegetarien": 1, "pai": 0}
    row = "210001,1234,+33612345678,Famille 210001,{},{},Test,,{},{},lun mar jeu ven\n"
    import_csv(rt.booking, (
        IMPORT_HEADER
        + row.format("E1", "Léa", "anjou-elem", "vegetarien")
        + row.format("E2", "Hugo", "alsace-elem", "standard")
    ).encode(), Actor("staff", "marie", "import"))
    staff.declare_closure("anjou-elem", TUE, TUE, "strike", "", MARIE)
    day = KitchenService(rt.booking).day(TUE)
    site = day.site("anjou-elem")
    assert site.counts == locked.counts  # the frozen figure never moves
    raw = {v: site.counts[v] + site.delta(v) for v in site.counts}  # before any floor
    assert raw == site.adjusted == {"standard": 0, "sans_porc": 0, "vegetarien": 0, "pai": 0}
    assert site.to_produce == 0
    rows = [r for r in csv.DictReader(io.StringIO(to_csv([day]).decode("utf-8-sig")), delimiter=";")
            if r["code_ecole"] == "anjou-elem"]
    assert {r["effectif_ajuste"] for r in rows} == {"0"}
    # Lifting it counts again the children booked that day, as they are now.
    staff.lift_closure(staff.closures()[0].id, MARIE)
    site = KitchenService(rt.booking).day(TUE).site("anjou-elem")
    assert site.counts == locked.counts
    assert {v: site.counts[v] + site.delta(v) for v in site.counts} == {
        "standard": 1, "sans_porc": 0, "vegetarien": 2, "pai": 0,
    }


@pytest.mark.parametrize(
    ("kind", "note", "label"),
    [
        ("strike", "", "grève"),
        # A note that only repeats the kind says nothing more: once is enough.
        ("strike", "grève", "grève"),
        ("strike", "Grève", "grève"),
        ("strike", "greve", "grève"),
        ("strike", "  GRÈVE. ", "grève"),
        ("trip", "Sortie scolaire !", "sortie scolaire"),
        ("trip", "sortie", "sortie scolaire"),
        # A note that adds something is kept, as typed.
        ("strike", "grève des agents", "grève (grève des agents)"),
        ("strike", "préavis  national", "grève (préavis national)"),
        ("trip", "musée", "sortie scolaire (musée)"),
        ("other", "dégât des eaux", "dégât des eaux"),
        ("other", "Autre", "Autre"),
    ],
)
def test_a_closure_label_gives_the_kind_and_a_note_only_when_it_adds_something(
    kind: str, note: str, label: str
) -> None:
    assert closure_label(kind, note) == label


def test_a_strike_declared_with_greve_as_its_note_reads_greve_once(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001")
    report = staff.declare_closure("anjou-elem", THU, THU, "strike", "Grève", MARIE)
    assert report.label == "grève"
    assert [c.label for c in staff.closures()] == ["grève"]
    state = rt.booking.state("210001", "E1", THU)
    assert state.reason == "fermeture : grève"


def test_declaring_a_closure_refuses_nothing_silently_and_overlaps_count_once(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001")
    staff.declare_closure(None, THU, THU, "strike", "", MARIE)
    second = staff.declare_closure("anjou-elem", THU, FRI, "other", "dégât des eaux", MARIE)
    assert (second.days, second.meals) == (1, 1)  # Thursday was closed already
    assert len(audit(rt, "closure")) == 2


def test_lifting_a_closure_makes_its_meals_billable_again_and_readjusts_the_kitchen(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001")
    rt.locks.lock_day("anjou-elem", TUE)
    report = staff.declare_closure("anjou-elem", TUE, THU, "strike", "", MARIE)
    lifted = staff.lift_closure(report.closure_id, MARIE)
    assert (lifted.meals, lifted.adjustments) == (2, 1)
    assert sum(a.delta for a in adjustments(rt)) == 0
    assert sorted((a.kind, a.delta) for a in adjustments(rt)) == [("closure", -1), ("reopening", 1)]
    assert rt.booking.state("210001", "E1", THU).booked
    assert staff.closures() == []
    assert {e.after for e in audit(rt, "closure_lifted") if e.child_id} == {"booked"}


def test_a_closure_declared_while_the_scheduler_is_down_is_an_adjustment_beside_the_late_lock(
    rt: Runtime, staff: StaffService
) -> None:
    """Thursday's cut-off passed at 13:00 and the scheduler is down; a strike is declared at
    13:10. The late lock froze the closure (0, no adjustment), where the same strike a minute
    after an on-time lock was "-1 beside 1": the record depended on when the scheduler ran.
    The lock now comes first, like a forced change's."""
    make_family(rt, "210001")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 10, tzinfo=PARIS)
    assert rt.locks.get("anjou-elem", THU) is None
    report = staff.declare_closure("anjou-elem", THU, THU, "strike", "", MARIE)
    assert report.adjustments == 1
    lock = rt.locks.get("anjou-elem", THU)
    assert lock is not None and lock.late and lock.counts["standard"] == 1
    assert [(a.kind, a.delta) for a in adjustments(rt)] == [("closure", -1)]
    assert rt.locks.get("anjou-elem", FRI) is None  # not due yet: left to the scheduler


def test_a_closure_lifted_while_the_scheduler_is_down_is_an_adjustment_beside_the_late_lock(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001")
    report = staff.declare_closure("anjou-elem", THU, THU, "strike", "", MARIE)  # 10:00
    rt.clock.frozen = datetime(2026, 11, 23, 13, 10, tzinfo=PARIS)
    lifted = staff.lift_closure(report.closure_id, MARIE)
    assert (lifted.meals, lifted.adjustments) == (1, 1)
    lock = rt.locks.get("anjou-elem", THU)
    assert lock is not None and lock.late and lock.counts.get("standard", 0) == 0
    assert [(a.kind, a.delta) for a in adjustments(rt)] == [("reopening", 1)]


def test_a_pattern_from_a_closed_day_follows_the_deadline_of_the_first_open_day(
    rt: Runtime, staff: StaffService
) -> None:
    """A strike on Thursday 26 (its meals changeable until 13:00 today); a pattern set from
    that Thursday was refused for its closure ("il n'y a pas de restauration scolaire"), a
    pattern ended from Wednesday 25 too. It takes effect on Friday 27, open until Tuesday."""
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa", weekdays=0)])
    make_family(rt, "210002", kids=[KidSpec("E2", "Hugo")])
    staff.declare_closure("anjou-elem", THU, THU, "strike", "", MARIE)
    rt.clock.frozen = datetime(2026, 11, 23, 14, 0, tzinfo=PARIS)  # Thursday's cut-off passed
    rt.booking.set_subscription("210001", "E1", [0, 1, 3, 4], THU, MARIE)
    rt.booking.end_subscription("210002", "E2", date(2026, 11, 25), MARIE)
    assert rt.booking.state("210001", "E1", FRI).booked
    assert not rt.booking.state("210002", "E2", FRI).booked


@pytest.mark.parametrize(
    ("kind", "note", "first", "last", "message"),
    [
        ("holiday", "", THU, THU, "Motif de fermeture inconnu"),
        ("other", "  ", THU, THU, "Précisez le motif"),
        ("strike", "", FRI, THU, "avant son début"),
        ("strike", "", THU, THU + timedelta(days=400), "au plus un an"),
    ],
)
def test_a_wrong_closure_is_refused_with_its_reason(
    staff: StaffService, kind: str, note: str, first: date, last: date, message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        staff.declare_closure(None, first, last, kind, note, MARIE)


def test_a_closure_past_the_shipped_calendar_is_refused(staff: StaffService) -> None:
    with pytest.raises(OutsideCalendar):
        staff.declare_closure(None, date(2035, 1, 8), date(2035, 1, 8), "strike", "", MARIE)


def test_a_closure_closes_the_day_for_booking(rt: Runtime, staff: StaffService) -> None:
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa", weekdays=0)])
    staff.declare_closure("anjou-elem", FRI, FRI, "strike", "", MARIE)
    from restomairie.booking.errors import NotOperatingDay

    with pytest.raises(NotOperatingDay, match="grève"):
        rt.booking.book("210001", [FRI], Actor("family", "210001", "phone"))


# ------------------------------------------------------------------ calls
def _call(rt: Runtime, sid: str, number: str, at: datetime, outcome: str, family_id: int | None,
          events: list[tuple[str, str | None, str | None, str]]) -> None:
    with rt.sessions() as s, s.begin():
        call = Call(call_sid=sid, started_at=at, from_number=number, to_number="+33800210519",
                    family_id=family_id, step="done", state={}, outcome=outcome, duration=95,
                    ended_at=at + timedelta(seconds=95))
        for i, (step, kind, heard, twiml) in enumerate(events):
            call.events.append(CallEvent(at=at + timedelta(seconds=10 * i), request_key=f"k{i}",
                                         step=step, input_kind=kind, heard=heard, outcome=None,
                                         response=twiml))
        s.add(call)


def _family_id(rt: Runtime, account: str) -> int:
    fid = StaffService(rt.booking).family_id(account)
    assert fid is not None
    return fid


def test_calls_are_found_by_day_whole_number_family_and_outcome(rt: Runtime, staff: StaffService) -> None:
    make_family(rt, "210001", phones=("+33612345678",))
    fid = _family_id(rt, "210001")
    morning = datetime(2026, 11, 23, 8, 30, tzinfo=rt.settings.tz)
    _call(rt, "CA1", "+33612345678", morning, "booked", fid, [])
    _call(rt, "CA2", "+33699999999", morning - timedelta(days=1), "abandoned", None, [])
    # 23:30 UTC on the 22nd is 00:30 on the 23rd in Paris: the day is the town's.
    _call(rt, "CA3", "+33699999999", datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "refused", None, [])

    def sids(**kw: object) -> list[str]:
        rows, total = staff.search_calls(**kw)  # type: ignore[arg-type]
        assert total == len(rows)
        return [r.call_sid for r in rows]

    assert sids() == ["CA1", "CA3", "CA2"]
    assert sids(day=date(2026, 11, 23)) == ["CA1", "CA3"]
    assert sids(phone="06 12 34 56 78") == ["CA1"]
    assert sids(account="210001") == ["CA1"]
    assert sids(outcome="abandoned") == ["CA2"]
    rows, _ = staff.search_calls(phone="+33612345678")
    assert rows[0].masked == "+33 6 •• •• •• 78"
    with pytest.raises(InvalidRequest, match="numéro entier"):
        staff.search_calls(phone="78")


def test_a_call_timeline_shows_questions_and_answers_but_never_the_code(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001")
    fid = _family_id(rt, "210001")
    start = datetime(2026, 11, 23, 9, 0, tzinfo=rt.settings.tz)
    say = '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/ivr/step"><Say>{}</Say></Gather></Response>'
    _call(rt, "CA9", "+33612345678", start, "cancelled", fid, [
        ("greeting", None, None, say.format("Bonjour. Tapez votre code secret.")),
        ("pin", "dtmf", "9876", say.format("Pour annuler, tapez 2.")),
        ("action", "dtmf", "2", "<Response><Say>Le repas est annulé.</Say><Hangup/></Response>"),
    ])
    rt.booking.cancel("210001", [THU], Actor("family", "210001", "phone", call_sid="CA9"))
    detail = staff.call_detail("CA9")
    assert detail is not None and detail.duration == 95 and detail.row.account == "210001"
    steps = [(x.step, x.heard, x.secret) for x in detail.exchanges]
    assert steps == [("greeting", None, False), ("pin", None, True), ("action", "2", False)]
    assert detail.exchanges[0].said == ("Bonjour. Tapez votre code secret.",)
    assert detail.exchanges[2].hung_up
    assert [(c.action, c.day, c.child) for c in detail.changes] == [("cancel", THU, "Léa (E1)")]
    assert "9876" not in repr(detail)
    assert staff.call_detail("CAnope") is None


def test_said_in_reads_every_say_of_a_twiml_answer() -> None:
    assert said_in("<Response><Say>Un.</Say><Gather><Say>Deux  trois.</Say></Gather></Response>") == (
        ("Un.", "Deux trois."), False)
    assert said_in("pas du xml") == ((), False)


# ------------------------------------------------------------------ families
def test_families_are_found_by_account_guardian_child_and_whole_phone(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001", phones=("+33612345678",), kids=[KidSpec("E1", "Léa")])
    make_family(rt, "210002", phones=("+33611111111",), kids=[KidSpec("E2", "Hugo")])
    assert [f.account for f in staff.search_families("210001")] == ["210001"]
    assert [f.account for f in staff.search_families("hugo")] == ["210002"]
    assert [f.account for f in staff.search_families("Famille 21000")] == ["210001", "210002"]
    assert [f.account for f in staff.search_families("06 11 11 11 11")] == ["210002"]
    (row,) = staff.search_families("E1")
    assert row.masked == ("+33 6 •• •• •• 78",) and row.children == ("Léa Test",)
    assert staff.search_families("   ") == []


def test_a_child_month_shows_each_day_state_with_its_reason(rt: Runtime, staff: StaffService) -> None:
    make_family(rt, "210001")
    rt.locks.lock_day("anjou-elem", TUE)
    rt.booking.cancel("210001", [THU], MARIE)
    staff.declare_closure("anjou-elem", FRI, FRI, "strike", "", MARIE)
    month = staff.child_month("210001", "E1", date(2026, 11, 1))
    assert month is not None
    cells = {c.day: c for week in month.weeks for c in week}
    assert len(month.weeks) == 6 and all(len(w) == 7 for w in month.weeks)
    assert (cells[TUE].state, cells[TUE].locked) == ("subscription", True)
    assert cells[THU].state == "cancelled" and cells[THU].open  # until Monday 13:00
    assert not cells[TUE].open
    assert (cells[FRI].state, cells[FRI].reason) == ("closure", "grève")
    assert (cells[date(2026, 11, 25)].state, cells[date(2026, 11, 25)].reason) == ("closed", "mercredi")
    assert cells[date(2026, 11, 11)].state == "closed"  # 11 novembre
    assert cells[date(2026, 11, 30)].open
    assert not cells[date(2026, 10, 26)].in_month


def test_a_child_month_names_the_holidays_as_the_phone_line_does(
    rt: Runtime, staff: StaffService
) -> None:
    """« vacances de Noël », not the data set's « Vacances de Noël » (nor « Vacances d'Été »);
    the Wednesday and the weekend in them are the holidays' too."""
    make_family(rt, "210001")
    december = staff.child_month("210001", "E1", date(2026, 12, 1))
    july = staff.child_month("210001", "E1", date(2027, 7, 1))
    assert december is not None and july is not None
    cells = {c.day: c for m in (december, july) for week in m.weeks for c in week if c.in_month}
    for day in (date(2026, 12, 21), date(2026, 12, 23), date(2026, 12, 26)):
        assert (cells[day].state, cells[day].reason) == ("closed", "vacances de Noël"), day
    assert cells[date(2026, 12, 25)].reason == "Noël"
    assert cells[date(2027, 7, 14)].reason == "vacances d'été"
    assert cells[date(2026, 12, 9)].reason == "mercredi"  # a Wednesday out of the holidays


def test_a_child_history_has_who_channel_when_before_after_and_the_call(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001")
    rt.booking.cancel("210001", [THU], Actor("family", "210001", "phone", call_sid="CA5"))
    rt.booking.cancel("210001", [TUE], MARIE, override_reason="maladie signalée")
    entries = staff.family_history("210001", "E1")
    assert [(e.actor, e.channel, e.action, e.day, e.before, e.after, e.call_sid, e.override)
            for e in entries] == [
        ("staff:marie", "staff", "cancel", TUE, "booked", "not_booked", None, "maladie signalée"),
        ("family:210001", "phone", "cancel", THU, "booked", "not_booked", "CA5", None),
    ]
    assert all(e.at == rt.clock.now() for e in entries)


def test_a_staff_override_after_the_deadline_is_audited_with_its_reason(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa", weekdays=0)])
    with pytest.raises(PastDeadline):
        rt.booking.book("210001", [TUE], MARIE)
    rt.locks.lock_day("anjou-elem", TUE)
    (result,) = rt.booking.book("210001", [TUE], MARIE, override_reason="oubli de l'école")
    assert result.adjusted
    (entry,) = staff.family_history("210001", "E1")
    assert (entry.action, entry.before, entry.after, entry.override) == (
        "book", "not_booked", "booked", "oubli de l'école")
    assert [(a.delta, a.reason) for a in adjustments(rt)] == [(1, "oubli de l'école")]


# ------------------------------------------------------------------ audit & export
def test_the_audit_log_is_searchable_by_period_actor_action_family_and_channel(
    rt: Runtime, staff: StaffService
) -> None:
    make_family(rt, "210001")
    make_family(rt, "210002", kids=[KidSpec("E2", "Hugo")])
    rt.booking.cancel("210001", [THU], Actor("family", "210001", "phone"))
    rt.booking.cancel("210002", [THU], MARIE)
    rows, total = staff.search_audit(actor="marie")
    assert total == 1 and rows[0].account == "210002"
    assert staff.search_audit(channel="phone")[1] == 1
    assert staff.search_audit(account="210001")[1] == 1
    assert staff.search_audit(action="cancel", start=date(2026, 11, 23), end=date(2026, 11, 23))[1] == 2
    assert staff.search_audit(end=date(2026, 11, 22))[1] == 0
    assert "cancel" in staff.audit_actions()


def test_a_family_export_holds_its_data_but_no_code(rt: Runtime, staff: StaffService) -> None:
    make_family(rt, "210001", pin="4321")
    fid = _family_id(rt, "210001")
    _call(rt, "CA7", "+33612345678", datetime(2026, 11, 23, 9, tzinfo=rt.settings.tz), "cancelled",
          fid, [("pin", "dtmf", "4321", "<Response/>")])
    rt.booking.cancel("210001", [THU], MARIE)
    data = staff.export_family("210001")
    assert data is not None
    assert data["family"]["phones"] == ["+33612345678"]
    assert data["children"][0]["ref"] == "E1"
    assert data["subscriptions"][0]["weekdays"] == "lun mar jeu ven"
    assert data["bookings"] == [{"child": "E1", "day": "2026-11-26", "state": "cancelled",
                                 "channel": "staff", "updated_at": data["bookings"][0]["updated_at"]}]
    assert data["calls"][0]["steps"][0]["heard"] is None
    assert data["audit"][0]["action"] == "cancel"
    import json

    text = json.dumps(data)
    assert "4321" not in text and "pin_hash" not in text and "pbkdf2" not in text
    assert staff.export_family("999") is None


# ------------------------------------------------------------------ accounts
def test_accounts_store_a_kdf_hash_and_log_in_with_the_right_password(rt: Runtime) -> None:
    accounts = AccountService(rt.sessions, rt.clock)
    user = accounts.create_user("Marie", "staff", "un mot de passe long")
    assert user.username == "marie"
    with rt.sessions() as s:
        from restomairie.models import StaffUser

        stored = s.scalars(select(StaffUser.password_hash)).one()
    assert stored.startswith("scrypt:") and "un mot de passe long" not in stored
    assert accounts.authenticate("marie", "un mot de passe long").role == "staff"
    with pytest.raises(AccountError, match="incorrect"):
        accounts.authenticate("marie", "mauvais mot de passe")
    with pytest.raises(AccountError, match="incorrect"):
        accounts.authenticate("personne", "un mot de passe long")
    assert [e.actor for e in audit(rt, "login_failed")] == ["staff:marie", "staff:personne"]


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("marie", "chef", "un mot de passe long", "Rôle inconnu"),
        ("x", "staff", "un mot de passe long", "Identifiant invalide"),
        ("marie", "staff", "court", "au moins 10"),
    ],
)
def test_a_wrong_account_is_refused(rt: Runtime, username: str, role: str, password: str,
                                    message: str) -> None:
    with pytest.raises(AccountError, match=message):
        AccountService(rt.sessions, rt.clock).create_user(username, role, password)


def test_too_many_wrong_passwords_lock_the_name_for_a_while(rt: Runtime) -> None:
    accounts = AccountService(rt.sessions, rt.clock)
    accounts.create_user("marie", "staff", "un mot de passe long")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AccountError):
            accounts.authenticate("marie", "faux mot de passe")
    with pytest.raises(LoginThrottled):
        accounts.authenticate("marie", "un mot de passe long")  # even the right one, for now
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=16)
    assert accounts.authenticate("marie", "un mot de passe long").username == "marie"


def test_one_address_trying_many_names_is_throttled(rt: Runtime) -> None:
    accounts = AccountService(rt.sessions, rt.clock)
    for i in range(ADDRESS_LIMIT):
        with pytest.raises(AccountError):
            accounts.authenticate(f"nom{i}", "faux mot de passe", "10.0.0.1")
    with pytest.raises(LoginThrottled):
        accounts.authenticate("autre", "faux mot de passe", "10.0.0.1")
    with pytest.raises(AccountError, match="incorrect"):
        accounts.authenticate("autre", "faux mot de passe", "10.0.0.2")


def test_a_changed_password_changes_the_session_fingerprint_and_the_last_admin_stays(
    rt: Runtime,
) -> None:
    accounts = AccountService(rt.sessions, rt.clock)
    admin = accounts.create_user("chef", "admin", "un mot de passe long")
    accounts.set_password("chef", "un autre mot de passe", by="staff:chef")
    again = accounts.get(admin.id)
    assert again is not None and again.fingerprint != admin.fingerprint
    with pytest.raises(AccountError, match="au moins un administrateur"):
        accounts.set_role("chef", "staff", by="staff:chef")
    accounts.create_user("marie", "staff", "un mot de passe long")
    with pytest.raises(AccountError, match="propre compte"):
        accounts.delete_user("chef", by="staff:chef")
    accounts.delete_user("marie", by="staff:chef")
    assert [u.username for u in accounts.list_users()] == ["chef"]
    actions = [e.action for e in audit(rt, "user_deleted")]
    assert actions == ["user_deleted"]


def test_the_demo_account_gets_a_fresh_password_each_time(rt: Runtime) -> None:
    accounts = AccountService(rt.sessions, rt.clock)
    _, first = accounts.ensure_user("demo", "admin")
    _, second = accounts.ensure_user("demo", "admin")
    assert first != second
    assert accounts.authenticate("demo", second).role == "admin"
    with pytest.raises(AccountError):
        accounts.authenticate("demo", first)


# ------------------------------------------------------------------ imports
HEADER = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"


def test_an_import_with_a_bad_line_reports_it_and_writes_nothing(rt: Runtime) -> None:
    desk = ImportDesk(rt.booking)
    data = (HEADER + "300001;1234;0612345678;Mme A;C1;Léa;A;2018-01-01;anjou-elem;standard;lun mar\n"
            "300002;12;0612345679;Mme B;C2;Hugo;B;2018-01-01;nulle-part;standard;lun\n").encode()
    preview = desk.check(data, "familles.csv", "staff:admin")
    assert not preview.ok and preview.token is None
    assert [n for n, _ in preview.errors] == [3, 3]  # every error of the line, by column
    assert preview.errors[0][1].startswith("colonne pin : le code secret")
    assert preview.errors[1][1].startswith("colonne school : école inconnue 'nulle-part'")
    assert StaffService(rt.booking).search_families("300001") == []


def test_a_file_already_imported_is_previewed_and_reported_unchanged(rt: Runtime) -> None:
    desk = ImportDesk(rt.booking)
    admin = Actor("staff", "admin", "import")
    data = (HEADER + "300001;1234;0612345678;Mme A;C1;Léa;A;2018-01-01;anjou-elem;standard;"
            "lun mar\n").encode()
    first = desk.check(data, "familles.csv", "staff:admin")
    assert first.token and desk.run_now(first.token, admin).state == "done"
    again = desk.check(data, "familles.csv", "staff:admin")
    assert (again.families_new, again.families_updated, again.families_unchanged) == (0, 0, 1)
    assert (again.children_new, again.children_updated, again.children_unchanged) == (0, 0, 1)
    assert again.token
    job = desk.run_now(again.token, admin)
    assert job.state == "done" and job.report is not None
    assert (job.report.families_updated, job.report.families_unchanged) == (0, 1)
    assert (job.report.children_updated, job.report.children_unchanged) == (0, 1)


def test_an_import_is_previewed_then_applied_all_at_once_with_progress(rt: Runtime) -> None:
    make_family(rt, "300001", kids=[KidSpec("C1", "Léa")])
    desk = ImportDesk(rt.booking)
    # C1, already known, stays in its family 300001 (a line giving it to another is refused).
    lines = [f"30000{(i - 1) % 3 + 1};1234;0612345678;Mme A;C{i};Enfant{i};A;;anjou-elem;standard;"
             "lun mar\n" for i in range(1, 8)]
    data = (HEADER + "".join(lines)).encode()
    preview = desk.check(data, "familles.csv", "staff:admin")
    assert preview.ok and preview.token
    assert (preview.families_new, preview.families_updated) == (2, 1)
    assert (preview.children_new, preview.children_updated) == (6, 1)
    assert StaffService(rt.booking).search_families("300002") == []  # nothing written yet
    with pytest.raises(KeyError):
        desk.start(preview.token, Actor("staff", "someone-else", "import"))
    job = desk.run_now(preview.token, Actor("staff", "admin", "import"))
    assert job.state == "done", job.error
    assert job.as_dict()["percent"] == 100 and job.done == job.total == 7
    assert job.report is not None and job.report.children_created == 6
    assert [f.account for f in StaffService(rt.booking).search_families("Mme A")] == [
        "300001", "300002", "300003"]
    (entry,) = audit(rt, "import")
    assert entry.actor == "staff:admin" and entry.detail and entry.detail["file"] == "familles.csv"
    with pytest.raises(KeyError):
        desk.start(preview.token, Actor("staff", "admin", "import"))  # used once


def test_audit_entries_are_never_rewritten(rt: Runtime) -> None:
    AccountService(rt.sessions, rt.clock).record("staff:marie", "export_family")
    with rt.sessions() as s, s.begin():
        entry = s.scalars(select(AuditEntry)).one()
        entry.actor = "staff:autre"
        with pytest.raises(ValueError, match="append-only"):
            s.flush()
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1
