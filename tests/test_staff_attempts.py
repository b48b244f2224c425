""""Mais j'ai bien annulé !": the phone requests that changed nothing, where the billing centre
looks. Each call-log row names the children and meal days the call was about (its changes, its
refusals, its read-backs never confirmed), and a child's page shows, on each day and in a list
under the history, the requests refused (with the deadline that applied) and those read back
and never confirmed (hung up, declined), each with its time and a link to the call."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, select

from restomairie.booking.services import Actor
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.models import Call, CallEvent
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService
from tests.factories import KidSpec, make_family, two_deadlines_family
from tests.ivr_support import Caller, line_app
from tests.staff_support import login, make_user, post, refused_and_unconfirmed, started_call

PHONE = "+33612345678"
# 23 November 2026, 10:00 (conftest): Tuesday 24 is past its deadline (Friday 20, 13:00),
# Thursday 26 and Friday 27 can still be changed.
TOO_LATE = "2411"
FRIDAY = "2711"
THURSDAY = "2611"
# The row of a call whose cancellation of Tuesday 24 was refused: with the deadline that
# refused it, as the caller heard it.
REFUSED_24 = ("Rose — 24/11 : annulation refusée : il fallait annuler avant le vendredi 20 "
              "novembre à 13 heures")
LEA, ROSE = "1", "2"  # the children's keys, in the order of their first names


@pytest.fixture
def app(rt: Runtime) -> Flask:
    return line_app(rt)


@pytest.fixture
def staff(rt: Runtime) -> StaffService:
    return StaffService(rt.booking)


@pytest.fixture
def agent(app: Flask, rt: Runtime) -> Any:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"), KidSpec("E2", "Rose")))
    make_user(rt, "marie", "staff")
    client = app.test_client()
    assert login(client, "marie").status_code == 302
    return client


def call(app: Flask, rt: Runtime) -> Caller:
    return started_call(app, rt, PHONE)


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(str(response.get_data(as_text=True)).replace("&#39;", "'").split())


def cell(html: str, day: str) -> str:
    """The calendar cell of ``day`` (ISO)."""
    found = re.search(rf'data-day="{day}"[^>]*>(.*?)</td>', html)
    assert found is not None, day
    return found.group(1)


def text(html: str) -> str:
    """What a piece of a page reads, without its tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# ------------------------------------------------------------------ the call log's rows
def test_each_call_row_names_the_children_and_days_it_was_about(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    # too late for Rose's Tuesday; Léa's Friday read back, never confirmed
    refused, unconfirmed = refused_and_unconfirmed(app, rt, PHONE, ROSE, LEA)
    done = call(app, rt)
    done.keys("1234", "9", "2", THURSDAY, "1", "2")  # both children's Thursday cancelled
    done.hang_up()

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[refused.call_sid].about == (
        REFUSED_24,)
    assert rows[unconfirmed.call_sid].about == (
        "Léa — 27/11 : annulation relue, jamais confirmée (raccroché)",)
    assert rows[done.call_sid].about == ("Léa — 26/11 : annulé", "Rose — 26/11 : annulé")

    listed = page(agent, "/staff/calls").split('id="calls"')[1]
    assert "Enfant(s) et jour(s)" in listed
    assert REFUSED_24 in html.unescape(listed)
    assert "Léa — 27/11 : annulation relue, jamais confirmée (raccroché)" in listed
    assert "Léa — 26/11 : annulé<br>Rose — 26/11 : annulé" in listed
    family = page(agent, "/staff/families/210001")
    assert REFUSED_24 in html.unescape(family)
    assert "Léa — 27/11 : annulation relue, jamais confirmée (raccroché)" in family
    detail = page(agent, f"/staff/calls/{refused.call_sid}")
    assert REFUSED_24 in html.unescape(detail)


def test_a_read_back_is_named_by_how_it_ended_and_not_when_confirmed_or_still_open(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    other = call(app, rt)
    other.keys("1234", ROSE, "2", FRIDAY, "2")  # "choisir une autre date", then hung up
    other.hang_up()
    declined = call(app, rt)
    declined.keys("1234", ROSE, "2", "3011")
    declined.say("non merci")  # the caller ends it at the read-back
    assert declined.ended
    declined.hang_up()
    confirmed = call(app, rt)
    confirmed.keys("1234", LEA, "2", FRIDAY, "1")  # done: not a request without effect
    confirmed.hang_up()
    ongoing = call(app, rt)
    ongoing.keys("1234", LEA, "2", "3011")  # still at the read-back: may yet confirm
    assert ongoing.last is not None and "Vous souhaitez annuler" in ongoing.last.text

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[other.call_sid].about == (
        "Rose — 27/11 : annulation relue, jamais confirmée (autre date demandée)",)
    assert rows[declined.call_sid].about == (
        "Rose — 30/11 : annulation relue, jamais confirmée (l'appelant a dit au revoir)",)
    assert rows[confirmed.call_sid].about == ("Léa — 27/11 : annulé",)
    assert rows[ongoing.call_sid].about == ()


def test_a_caller_changing_their_mind_at_the_read_back_is_said_once_for_the_call(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    # Thursday read back, "2" for another date; Friday, "2" again; Thursday again, "2"; then
    # Friday confirmed: the caller hesitated between two days and cancelled Friday.
    hesitant = call(app, rt)
    hesitant.keys("1234", ROSE, "2", THURSDAY, "2", FRIDAY, "2", THURSDAY, "2", FRIDAY, "1", "2")
    hesitant.hang_up()
    # Two days read back and each declined for another, then the caller hung up.
    gave_up = call(app, rt)
    gave_up.keys("1234", LEA, "2", THURSDAY, "2", FRIDAY, "2", THURSDAY, "2")
    gave_up.hang_up()

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    # Friday was cancelled in the end: not "jamais confirmée"; Thursday once, not per step.
    assert rows[hesitant.call_sid].about == (
        "Rose — 27/11 : annulé",
        "Rose — 26/11 : annulation relue, jamais confirmée (autre date demandée)",
    )
    assert rows[gave_up.call_sid].about == (
        "Léa — 26/11, 27/11 : annulation relue, jamais confirmée (autre date demandée)",)
    listed = page(agent, "/staff/calls")
    assert listed.count("annulation relue, jamais confirmée (autre date demandée)") == 2


def test_the_days_of_a_series_read_back_and_not_confirmed_are_named_like_the_first(
    app: Flask, rt: Runtime, clock: Any, agent: Any, staff: StaffService
) -> None:
    """Several days said at once are read back one by one, each but the first in the answer
    to the one before: a day the caller left as it was ("2") or hung up on is named in the
    row, on the child's day and in the list, as a single day read back would be."""
    series = call(app, rt)
    series.keys("1234", ROSE, "2")
    series.say("annuler jeudi 26, vendredi 27 et lundi 30 novembre")
    assert series.last is not None and "un par un" in series.last.text
    clock.frozen += timedelta(seconds=20)
    series.press("1")  # Thursday cancelled, Friday read back
    clock.frozen += timedelta(seconds=20)
    series.press("2")  # Friday left as it was, Monday read back
    assert series.last is not None and "lundi 30 novembre" in series.last.text
    series.hang_up()  # on Monday's read-back

    (row,) = staff.search_calls()[0]
    assert row.about == (
        "Rose — 26/11 : annulé",
        "Rose — 27/11 : annulation relue, jamais confirmée (jour laissé tel quel)",
        "Rose — 30/11 : annulation relue, jamais confirmée (raccroché)",
    )
    assert [(a.day, a.code) for a in staff.child_attempts("210001", "E2")] == [
        (date(2026, 11, 30), "hung_up"), (date(2026, 11, 27), "skipped")]
    html = page(agent, "/staff/families/210001/children/E2?month=2026-11")
    assert "annulation relue, jamais confirmée (jour laissé tel quel)" in cell(html, "2026-11-27")
    assert "annulation relue, jamais confirmée (raccroché)" in cell(html, "2026-11-30")
    assert "relue" not in cell(html, "2026-11-26")  # cancelled


def test_a_refusal_at_the_read_back_names_the_child_and_day_read_back(
    app: Flask, rt: Runtime, clock: Any, agent: Any, staff: StaffService
) -> None:
    # Thursday's deadline is today, 13:00: it passes while the change is read back.
    clock.frozen = datetime(2026, 11, 23, 12, 59, 50, tzinfo=PARIS)
    late = call(app, rt)
    late.keys("1234", ROSE, "2", THURSDAY)
    clock.frozen += timedelta(seconds=15)
    late.press("1")
    late.hang_up()
    (row,) = staff.search_calls()[0]
    assert row.about == (
        "Rose — 26/11 : annulation refusée : il fallait annuler avant le lundi 23 novembre à "
        "13 heures",)
    with rt.sessions() as session:  # what the line kept for it (flow._tried)
        state = session.scalar(select(Call.state).where(Call.call_sid == late.call_sid))
        steps = dict(session.execute(  # and the logged step that said each
            select(CallEvent.outcome, CallEvent.id).join(Call, Call.id == CallEvent.call_id)
            .where(Call.call_sid == late.call_sid)).all())
    assert state["tried"] == [
        ["read_back:2026-11-26", "cancel", "2026-11-26", ["E2"], [], steps["read_back:2026-11-26"]],
        ["refused:past_deadline", "cancel", "2026-11-26", ["E2"], [],
         steps["refused:past_deadline"]],
    ]
    (attempt,) = staff.child_attempts("210001", "E2")
    assert attempt.label == ("annulation refusée (trop tard : il fallait annuler avant le "
                             "lundi 23 novembre à 13 heures)")


def test_a_call_logged_before_the_line_kept_its_requests_still_names_a_read_back_day(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    old = call(app, rt)
    old.keys("1234", ROSE, "2", TOO_LATE, FRIDAY)
    old.hang_up()
    with rt.sessions() as session, session.begin():
        row = session.scalars(select(Call).where(Call.call_sid == old.call_sid)).one()
        row.state = {k: v for k, v in row.state.items() if k != "tried"}
    (found,) = staff.search_calls()[0]
    # the refusal's day and child are not known, the read-back's day is
    assert found.about == ("27/11 : demande relue, jamais confirmée (raccroché)",)
    assert staff.child_attempts("210001", "E2") == []


# ------------------------------------------------------------------ nothing to change
# A family as the billing centre's explorer had it: Margaux eats on Tuesdays and Fridays,
# Nathan on Mondays and Thursdays, Rose every day (keys 1, 2, 3; 9 for all three).
THREE = "+33687654321"
MARGAUX, NATHAN, ALL = "1", "2", "9"


@pytest.fixture
def three(rt: Runtime, agent: Any) -> Any:
    make_family(rt, "210002", "5678", (THREE,), (
        KidSpec("M1", "Margaux", weekdays=0b0010010), KidSpec("N1", "Nathan", weekdays=0b0001001),
        KidSpec("R1", "Rose")))
    return agent


def test_a_request_with_nothing_to_change_names_its_child_and_day(
    app: Flask, rt: Runtime, three: Any, staff: StaffService
) -> None:
    nothing = started_call(app, rt, THREE)
    nothing.keys("5678", MARGAUX, "2", THURSDAY)  # Margaux does not eat on Thursdays
    nothing.hang_up()
    booked = started_call(app, rt, THREE)
    booked.keys("5678", "3", "1", THURSDAY)  # Rose's Thursday is booked already
    booked.hang_up()

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[nothing.call_sid].summary == "rien à changer"
    assert rows[nothing.call_sid].about == (
        "Margaux — 26/11 : rien à annuler (pas de repas réservé)",)
    assert rows[booked.call_sid].about == ("Rose — 26/11 : déjà réservé",)
    listed = page(three, "/staff/calls").split('id="calls"')[1]
    assert "Margaux — 26/11 : rien à annuler (pas de repas réservé)" in listed
    assert "Rose — 26/11 : déjà réservé" in listed
    detail = page(three, f"/staff/calls/{nothing.call_sid}").split('id="timeline"')[0]
    assert "Enfant(s) et jour(s)" in detail
    assert "Margaux — 26/11 : rien à annuler (pas de repas réservé)" in detail
    # the call found under "Repas du 26/11" shows that day in its row
    assert {r.call_sid for r in staff.search_calls(meal_day=date(2026, 11, 26))[0]} == {
        nothing.call_sid, booked.call_sid}


def test_all_the_children_names_the_one_with_nothing_to_cancel_beside_the_others(
    app: Flask, rt: Runtime, clock: Any, three: Any, staff: StaffService
) -> None:
    both = started_call(app, rt, THREE)
    both.keys("5678", ALL, "2", FRIDAY)  # Nathan does not eat on Fridays: the others read back
    clock.frozen += timedelta(seconds=20)
    both.press("1")
    both.hang_up()
    hung_up = started_call(app, rt, THREE)
    hung_up.keys("5678", ALL, "1", "3011")  # booking Monday: Nathan's and Rose's booked already
    hung_up.hang_up()

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    # in the order the caller heard them: Nathan's before the others' confirmation
    assert rows[both.call_sid].about == (
        "Nathan — 27/11 : rien à annuler (pas de repas réservé)",
        "Margaux — 27/11 : annulé", "Rose — 27/11 : annulé")
    assert rows[hung_up.call_sid].about == (
        "Nathan, Rose — 30/11 : déjà réservé",
        "Margaux — 30/11 : réservation relue, jamais confirmée (raccroché)")
    listed = page(three, "/staff/calls").split('id="calls"')[1]
    assert ("Nathan — 27/11 : rien à annuler (pas de repas réservé)<br>"
            "Margaux — 27/11 : annulé<br>Rose — 27/11 : annulé") in listed
    # still not a request without effect for the child's page (nothing was refused)
    assert staff.child_attempts("210002", "N1") == []


def test_a_call_names_each_day_with_nothing_to_change_beside_its_changes(
    app: Flask, rt: Runtime, clock: Any, three: Any, staff: StaffService
) -> None:
    both = started_call(app, rt, THREE)
    both.keys("5678", MARGAUX, "2", "1012")  # Thursday 10 December: not Margaux's day
    clock.frozen += timedelta(seconds=20)
    both.keys("1", "4", "3", "2", "1712", "1", "2")  # then Rose's Thursday 17 cancelled
    assert both.ended

    (row,) = staff.search_calls()[0]
    assert row.summary == "rien à changer, annulation"
    assert row.about == ("Margaux — 10/12 : rien à annuler (pas de repas réservé)",
                         "Rose — 17/12 : annulé")
    # found under either meal day, and naming it
    assert staff.search_calls(meal_day=date(2026, 12, 10))[0] == [row]
    assert staff.search_calls(meal_day=date(2026, 12, 17))[0] == [row]
    found = page(three, "/staff/calls?meal=2026-12-10").split('id="calls"')[1]
    assert "Margaux — 10/12 : rien à annuler (pas de repas réservé)" in found


# ------------------------------------------------------------------ the child's page
def test_the_childs_page_shows_each_request_without_effect_on_its_day_and_in_a_list(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    refused = call(app, rt)
    refused.keys("1234", ROSE, "2", TOO_LATE)
    refused.hang_up()
    unconfirmed = call(app, rt)
    unconfirmed.keys("1234", ROSE, "2", FRIDAY)
    unconfirmed.hang_up()
    lea = call(app, rt)  # Léa's: not on Rose's page
    lea.keys("1234", LEA, "2", "3011")
    lea.hang_up()

    html = page(agent, "/staff/families/210001/children/E2?month=2026-11")
    tuesday = cell(html, "2026-11-24")
    assert ("annulation refusée (trop tard : il fallait annuler avant le vendredi 20 novembre "
            "à 13 heures)") in tuesday
    assert f'href="/staff/calls/{refused.call_sid}"' in tuesday
    assert "appel du 23/11 à 10:00:00" in tuesday
    friday = cell(html, "2026-11-27")
    assert "annulation relue, jamais confirmée (raccroché)" in friday
    assert f'href="/staff/calls/{unconfirmed.call_sid}"' in friday
    assert "relue" not in cell(html, "2026-11-30")  # Léa's Monday
    listed = html.split('id="attempts"')[1].split("</table>")[0]
    assert "Demandes par téléphone sans effet" in html
    assert listed.index("27/11/2026") < listed.index("24/11/2026")  # the latest first
    assert unconfirmed.call_sid in listed and lea.call_sid not in listed

    other = page(agent, "/staff/families/210001/children/E1?month=2026-11")
    assert "annulation relue, jamais confirmée (raccroché)" in cell(other, "2026-11-30")
    assert "refusée" not in other.split('id="month"')[1]
    assert "Aucune." not in other.split('id="attempts"')[1].split("</table>")[0]


def test_a_request_for_all_the_children_is_on_each_childs_page(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    both = call(app, rt)
    both.keys("1234", "9", "2", TOO_LATE)
    both.hang_up()
    for ref in ("E1", "E2"):
        (attempt,) = staff.child_attempts("210001", ref)
        assert attempt.call_sid == both.call_sid and attempt.names == ("Léa", "Rose")
    (row,) = staff.search_calls()[0]
    assert row.about == (
        "Léa, Rose — 24/11 : annulation refusée : il fallait annuler avant le vendredi 20 "
        "novembre à 13 heures",)


def test_too_late_for_one_child_beside_a_read_back_is_on_that_childs_page(
    settings: Settings, clock: Clock, engine: Engine
) -> None:
    # "Mais j'ai annulé pour les deux !": Léa's refusal was only said on the phone, before
    # Hugo's read-back; the line kept Hugo's alone.
    rt = two_deadlines_family(settings, clock, engine)
    both = call(line_app(rt), rt)
    both.keys("1234", "9", "2", "0312", "1", "2")  # Hugo's Thursday cancelled, not Léa's
    staff = StaffService(rt.booking)
    (refused,) = staff.child_attempts("210001", "E1")
    assert (refused.call_sid, refused.kind, refused.names) == (both.call_sid, "refused", ("Léa",))
    assert refused.label == (
        "annulation refusée (trop tard : il fallait annuler avant le lundi 30 novembre à 13 heures)"
    )
    assert staff.child_attempts("210001", "E2") == []  # confirmed: it changed something
    (row,) = staff.search_calls()[0]
    assert row.about == (
        "Hugo — 03/12 : annulé",
        "Léa — 03/12 : annulation refusée : il fallait annuler avant le lundi 30 novembre à "
        "13 heures",
    )


def test_a_closed_day_refused_says_why(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    wednesday = call(app, rt)
    wednesday.keys("1234", ROSE, "1", "2511")
    wednesday.hang_up()
    (attempt,) = staff.child_attempts("210001", "E2")
    assert attempt.label.startswith("réservation refusée (pas de cantine ce jour")


def test_the_childs_requests_are_read_in_a_fixed_number_of_queries(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    def count(n: int) -> int:
        for _ in range(n):
            c = call(app, rt)
            c.keys("1234", ROSE, "2", TOO_LATE, FRIDAY)
            c.hang_up()
        seen: list[str] = []

        def on(*args: Any) -> None:
            seen.append(str(args[2]))

        event.listen(rt.engine, "before_cursor_execute", on)
        try:
            assert len(staff.child_attempts("210001", "E2")) >= 2 * n
        finally:
            event.remove(rt.engine, "before_cursor_execute", on)
        return len(seen)

    assert count(1) == count(4)


def test_the_list_of_requests_without_effect_is_capped_and_says_so(
    app: Flask, rt: Runtime, agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A family whose calls are refused over and over made a 1.3 MB page: capped like the
    # history, the latest first, and the page says how many there are.
    from restomairie.staff import views

    monkeypatch.setattr(views, "CHILD_HISTORY", 2)
    sids = []
    for minutes in range(3):
        rt.clock.frozen = datetime(2026, 11, 23, 10, minutes, tzinfo=PARIS)
        refused = call(app, rt)
        refused.keys("1234", ROSE, "2", TOO_LATE)
        refused.hang_up()
        sids.append(refused.call_sid)
    html = page(agent, "/staff/families/210001/children/E2?month=2026-11")
    listed = html.split('id="attempts"')[1].split("</table>")[0]
    assert "Les 2 dernières sur 3." in html
    assert sids[2] in listed and sids[1] in listed and sids[0] not in listed
    assert all(sid in cell(html, "2026-11-24") for sid in sids)  # the day shows its own


# ------------------------------------------------------------------ what changed a day
def test_a_day_names_the_change_that_made_it_then_the_requests_made_since(
    app: Flask, rt: Runtime, clock: Any, agent: Any
) -> None:
    # Rose's Friday: a cancellation read back and never confirmed, then the same Friday
    # cancelled for both children by a later call, then a booking read back and hung up.
    clock.frozen = datetime(2026, 11, 23, 9, 41, 12, tzinfo=PARIS)
    abandoned = call(app, rt)
    abandoned.keys("1234", ROSE, "2", FRIDAY)
    abandoned.hang_up()
    clock.frozen = datetime(2026, 11, 23, 11, 2, 17, tzinfo=PARIS)
    both = call(app, rt)
    both.keys("1234", "9", "2", FRIDAY, "1")
    both.hang_up()
    clock.frozen = datetime(2026, 11, 23, 11, 30, 5, tzinfo=PARIS)
    again = call(app, rt)
    again.keys("1234", ROSE, "1", FRIDAY)  # booking it back: read back, hung up
    again.hang_up()

    html = page(agent, "/staff/families/210001/children/E2?month=2026-11")
    friday = cell(html, "2026-11-27")
    assert "annulé par téléphone le 23/11 à 11:02:17" in text(friday)
    assert f'href="/staff/calls/{both.call_sid}"' in friday
    # the request before the change is history (in the list below), not the day's state
    assert abandoned.call_sid not in friday
    assert abandoned.call_sid in html.split('id="attempts"')[1]
    # the one made since is kept, after the change: what happened last reads last
    assert friday.index("11:02:17") < friday.index(again.call_sid)
    assert "réservation relue, jamais confirmée (raccroché)" in friday
    # a day of the weekly pattern that nobody changed says nothing more
    monday = cell(html, "2026-11-30")
    assert "réservé (abonnement)" in monday and "par " not in monday


def test_a_day_forced_by_staff_after_a_refused_call_names_the_forcing_not_the_call(
    app: Flask, rt: Runtime, clock: Any, agent: Any
) -> None:
    refused = call(app, rt)
    refused.keys("1234", ROSE, "2", TOO_LATE)  # too late for Tuesday
    refused.hang_up()
    clock.frozen = datetime(2026, 11, 23, 14, 3, 10, tzinfo=PARIS)
    forced = post(agent, "/staff/families/210001/change", {
        "action": "cancel", "child": "E2", "day": "2026-11-24", "override": "1",
        "reason": "certificat médical"})
    assert forced.status_code == 302

    tuesday = cell(page(agent, "/staff/families/210001/children/E2?month=2026-11"),
                   "2026-11-24")
    assert "annulé" in tuesday and "verrouillé" in tuesday
    assert ("annulé par agent marie (mairie, forçage : certificat médical) le 23/11 à 14:03:10"
            in text(tuesday))
    assert "refusée" not in tuesday and refused.call_sid not in tuesday


def test_the_changes_of_a_month_are_read_in_a_fixed_number_of_queries(
    rt: Runtime, agent: Any, staff: StaffService
) -> None:
    marie = Actor("staff", "marie", "staff")
    days = [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1)]

    def count(changed: int) -> int:
        rt.booking.change("210001", "cancel", days[:changed], marie, ["E2"],
                          override_reason="certificat médical")
        seen: list[str] = []

        def on(*args: Any) -> None:
            seen.append(str(args[2]))

        event.listen(rt.engine, "before_cursor_execute", on)
        try:
            view = staff.child_month("210001", "E2", date(2026, 11, 1))
        finally:
            event.remove(rt.engine, "before_cursor_execute", on)
        assert view is not None
        assert sum(1 for week in view.weeks for c in week if c.change) == changed
        return len(seen)

    assert count(1) == count(4)


def test_a_refused_call_says_when_staff_did_it_later_for_that_child_and_day(
    app: Flask, rt: Runtime, clock: Any, agent: Any
) -> None:
    # too late for Rose's Tuesday; Léa's Friday read back, never confirmed
    refused, unconfirmed = refused_and_unconfirmed(app, rt, PHONE, ROSE, LEA)
    # Léa's Friday cancelled on the web, then booked back by staff: not what the call asked
    rt.booking.change("210001", "cancel", [date(2026, 11, 27)], Actor("family", "x", "web"),
                      ["E1"])
    post(agent, "/staff/families/210001/change", {
        "action": "book", "child": "E1", "day": "2026-11-27"})
    assert "corrigé ensuite" not in text(page(agent, f"/staff/calls/{unconfirmed.call_sid}"))

    clock.frozen = datetime(2026, 11, 24, 14, 3, 10, tzinfo=PARIS)
    for child, day in (("E2", "2026-11-24"), ("E1", "2026-11-24"), ("E1", "2026-11-27")):
        done = post(agent, "/staff/families/210001/change", {
            "action": "cancel", "child": child, "day": day, "override": "1",
            "reason": "certificat médical"})
        assert done.status_code == 302

    detail = text(page(agent, f"/staff/calls/{refused.call_sid}"))
    assert ("Corrigé ensuite Rose — 24/11 : annulation refusée (délai dépassé), corrigé "
            "ensuite par agent marie le 24/11 à 14:03 (forçage : certificat médical)") in detail
    assert "Léa — 24/11" not in detail  # Léa's Tuesday: not a day the call asked for her
    detail = text(page(agent, f"/staff/calls/{unconfirmed.call_sid}"))
    assert ("Léa — 27/11 : annulation relue, jamais confirmée (raccroché), corrigé ensuite par "
            "agent marie le 24/11 à 14:03 (forçage : certificat médical)") in detail
