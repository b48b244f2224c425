"""What a tester playing the billing centre found on the staff pages, end to end: "forçage" only
on the days that were forced, a lockout told apart from the family and its calls in two groups,
the links to calls the retention purge deleted, the seconds around a deadline on a child's
calendar, and a subscription form without the days the canteens do not serve."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.models import AuditEntry, Child, LockAdjustment, Subscription
from restomairie.retention import purge_call_logs
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService
from tests.factories import two_deadlines_family
from tests.ivr_support import line_app
from tests.staff_support import agent_with_a_family, login, make_user, page_text, post, started_call

PHONE = "+33612345678"
STRANGER = "+33198765432"
CHANGE = "/staff/families/210001/change"
REASON = "maladie signalée à l'école"


@pytest.fixture
def app(rt: Runtime) -> Flask:
    return line_app(rt)


@pytest.fixture
def agent(app: Flask, rt: Runtime) -> Any:
    return agent_with_a_family(app, rt, PHONE)


def text(response: Any) -> str:
    """A page's text without its tags, spaces collapsed (the page must have been served)."""
    assert response.status_code == 200, response.status_code
    return page_text(response)


def history_rows(client: Any, url: str) -> list[str]:
    """The rows of a page's history table, as text."""
    raw = client.get(url).get_data(as_text=True).split('class="list history"')[1]
    raw = raw.split("</table>")[0]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row.split(">", 1)[1])).split())
            for row in raw.split("<tr")[2:]]


def row_of(rows: list[str], day: str) -> str:
    (found,) = [r for r in rows if f" {day} " in f" {r} "]
    return found


def details_by_day(rt: Runtime, action: str) -> dict[date, Any]:
    with rt.sessions() as s:
        return {e.day: e.detail for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == action))}


# ------------------------------------------------------------------ 1. "forçage" where forced
def test_forcing_over_a_range_forces_only_the_days_past_their_deadline_or_locked(
    rt: Runtime, agent: Any
) -> None:
    # Monday 23/11 at 13:05: Tuesday 24 (until Friday 20) and Thursday 26 (until Monday 23 at
    # 13:00, and locked) are past their deadline; Friday 27 and Monday 30 are still in time.
    rt.clock.frozen = datetime(2026, 11, 23, 13, 5, tzinfo=PARIS)
    rt.locks.lock_day("anjou-elem", date(2026, 11, 26))
    done = post(agent, CHANGE, {"action": "cancel", "child": "*", "day": "2026-11-24",
                                "until": "2026-11-30", "override": "1", "reason": REASON},
                follow_redirects=True)
    # The message says which days were forced, and the others were changed in time.
    told = text(done)
    # Tuesday's cut-off passed with no lock (no scheduler here): it is locked first, as the
    # scheduler would have, and the forced change is an adjustment beside it.
    assert "Léa, mardi 24 novembre : annulé — délai forcé — ajustement cuisine" in told
    assert "Léa, jeudi 26 novembre : annulé — délai forcé — ajustement cuisine" in told
    assert "Léa, vendredi 27 novembre : annulé ;" in told
    assert "lundi 30 novembre : annulé — délai forcé" not in told
    assert told.count(f"motif noté : {REASON}") == 1  # kept for each, said once (was not said)
    assert details_by_day(rt, "cancel") == {
        date(2026, 11, 24): {"override": REASON},
        date(2026, 11, 26): {"override": REASON},
        date(2026, 11, 27): {"reason": REASON},
        date(2026, 11, 30): {"reason": REASON},
    }
    with rt.sessions() as s:  # the kitchen's adjustments: the locked days only (both, now)
        adjustments = list(s.scalars(select(LockAdjustment)))
    assert [(a.delta, a.reason) for a in adjustments] == [(-1, REASON), (-1, REASON)]
    for url in ("/staff/families/210001", "/staff/families/210001/children/E1",
                "/staff/audit?account=210001"):
        rows = history_rows(agent, url)
        assert "après la date limite (forçage)" in row_of(rows, "24/11/2026"), url
        for day in ("24/11/2026", "26/11/2026"):
            assert f"forçage (ajustement après verrouillage) : {REASON}" in row_of(
                rows, day), (url, day)
        for day in ("27/11/2026", "30/11/2026"):
            row = row_of(rows, day)
            assert "dans les délais" in row and f"motif : {REASON}" in row, (url, day)
            assert "forçage" not in row, (url, day)


def test_an_entry_stored_as_forced_on_a_day_in_time_reads_as_a_plain_reason(
    rt: Runtime, agent: Any
) -> None:
    # Written before the engine kept "override" to the days that needed it.
    with rt.sessions() as s, s.begin():
        child = s.scalars(select(Child).where(Child.ref == "E1")).one()
        s.add(AuditEntry(at=rt.clock.now(), actor="staff:marie", channel="staff",
                         action="cancel", family_id=child.family_id, child_id=child.id,
                         day=date(2026, 11, 27), before="booked", after="not_booked",
                         detail={"override": REASON}))
    row = row_of(history_rows(agent, "/staff/families/210001"), "27/11/2026")
    assert "dans les délais" in row and f"motif : {REASON}" in row
    assert "forçage" not in row


def test_forcing_a_subscription_still_open_keeps_the_reason_as_a_plain_reason(
    rt: Runtime, agent: Any
) -> None:
    post(agent, "/staff/families/210001/subscription", {
        "child": "E1", "mode": "set", "weekdays": ["0", "3"], "start": "2026-12-07",
        "override": "1", "reason": "demande écrite du 20/11"})
    post(agent, "/staff/families/210001/subscription", {  # Tuesday 24: past its deadline
        "child": "E1", "mode": "set", "weekdays": ["0", "1"], "start": "2026-11-24",
        "override": "1", "reason": "erreur de saisie"})
    assert details_by_day(rt, "subscribe") == {
        date(2026, 12, 7): {"reason": "demande écrite du 20/11"},
        date(2026, 11, 24): {"override": "erreur de saisie"},
    }


# ------------------------------------------------------------------ 2. a lockout from elsewhere
def test_a_lockout_from_an_unknown_number_is_the_lines_and_its_calls_are_in_two_groups(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    first = started_call(app, rt, STRANGER)
    first.keys("210001#", "0000", "1111", "2222")  # three wrong codes: goodbye
    second = started_call(app, rt, STRANGER)
    second.keys("210001#", "3333", "4444")  # the fifth: locked
    # The family calls in the same second (a clock set for a demonstration does that too):
    # refused by the lockout, it caused nothing.
    refused = started_call(app, rt, PHONE)
    assert "bloqué" in refused.press("1234").text

    lockout = StaffService(rt.booking).phone_lockout("210001")
    assert lockout is not None
    assert [r.call_sid for r in lockout.causes] == [first.call_sid, second.call_sid]
    assert [r.call_sid for r in lockout.blocked] == [refused.call_sid]
    page = agent.get("/staff/families/210001").get_data(as_text=True)
    causes = page.split('id="lockout-causes"')[1].split("<br>")[0]
    assert causes.startswith(">Codes erronés (appels en cause) : ")
    assert first.call_sid in causes and second.call_sid in causes
    assert refused.call_sid not in causes
    blocked = page.split('id="lockout-refused"')[1].split("</dd>")[0]
    assert blocked.startswith(">Appels refusés pendant le blocage : ")
    assert refused.call_sid in blocked and first.call_sid not in blocked

    with rt.sessions() as s:  # stored as before: the journal's filter by family finds it
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "phone_lockout"))
    assert (entry.actor, entry.call_sid) == ("family:210001", second.call_sid)
    for url in ("/staff/families/210001", "/staff/audit", "/staff/audit?actor=family:210001"):
        (row,) = [r for r in history_rows(agent, url) if "accès téléphone bloqué" in r]
        assert row.startswith("23/11/2026 10:00:00 blocage automatique (codes erronés) "), url
        assert "famille 210001" not in row, url


def test_calls_refused_by_an_earlier_lockout_are_not_counted_in_the_latest(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    def lock_out() -> str:
        locker = started_call(app, rt, STRANGER)
        locker.keys("210001#", "0000", "1111", "2222")
        locker = started_call(app, rt, STRANGER)
        locker.keys("210001#", "3333", "4444")
        return locker.call_sid

    lock_out()
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=5)
    earlier = started_call(app, rt, PHONE)
    earlier.press("1234")  # refused by the first lockout
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=20)  # it ran out
    latest = lock_out()
    lockout = StaffService(rt.booking).phone_lockout("210001")
    assert lockout is not None
    assert latest in [r.call_sid for r in lockout.causes]
    assert earlier.call_sid not in [r.call_sid for r in (*lockout.causes, *lockout.blocked)]


# ------------------------------------------------------------------ 3. purged calls
def test_a_change_whose_call_was_purged_says_so_and_its_link_explains_it(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    caller = started_call(app, rt, PHONE)
    caller.keys("1234", "2", "2611", "1")  # Thursday 26/11 cancelled
    caller.hang_up()
    rt.clock.frozen = rt.clock.now() + timedelta(days=400)
    report = purge_call_logs(rt.sessions, rt.settings, rt.clock.now())
    assert report.calls == 1 and rt.settings.call_log_retention_days == 365

    for url in ("/staff/families/210001", "/staff/families/210001/children/E1?month=2026-11",
                "/staff/audit?account=210001"):
        row = row_of(history_rows(agent, url), "26/11/2026")
        assert ("appel (déroulé effacé après 365 jours de conservation ; changement conservé)"
                in row), url
        assert f'href="/staff/calls/{caller.call_sid}"' in agent.get(url).get_data(as_text=True)
    page = text(agent.get(f"/staff/calls/{caller.call_sid}"))
    assert "Erreur 404" not in page
    assert ("Le déroulé de cet appel (numéro, étapes, réponses) a été effacé du journal des "
            "appels après 365 jours de conservation") in page
    assert "retention.call_log_days" in page
    assert "Les changements qu'il a faits restent au journal" in page
    assert "annulation" in page and "26/11/2026" in page and "famille 210001" in page
    assert agent.get("/staff/calls/CAnothing").status_code == 404  # nobody's: still a 404
    # The purge's own entry, in words (it read "system | purge_call_logs" with no detail).
    purge = row_of(history_rows(agent, "/staff/audit?action=purge_call_logs"), "système")
    assert "purge du journal des appels" in purge
    assert "1 appel(s) et leurs" in purge and "de plus de 365 jours" in purge
    for typed in ("système", "Systeme"):
        assert "<td>système</td>" in agent.get(f"/staff/audit?actor={typed}").get_data(as_text=True)


def test_a_change_whose_call_is_not_in_the_log_without_a_purge_says_so(
    rt: Runtime, agent: Any
) -> None:
    from restomairie.booking.services import Actor

    rt.booking.cancel("210001", [date(2026, 11, 26)], Actor("family", "210001", "phone", "CA7"))
    row = row_of(history_rows(agent, "/staff/families/210001"), "26/11/2026")
    assert "appel (déroulé absent du journal des appels)" in row
    page = text(agent.get("/staff/calls/CA7"))
    assert "Le déroulé de cet appel n'est pas au journal des appels" in page
    assert "effacé" not in page


# ------------------------------------------------------------------ 4. seconds at a deadline
def test_a_refusal_one_second_after_the_deadline_shows_its_seconds_on_the_calendar(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 50, tzinfo=PARIS)
    caller = started_call(app, rt, PHONE)
    caller.keys("1234", "2", "2611")  # read back before 13:00…
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 1, tzinfo=PARIS)
    caller.keys("1")  # …confirmed one second after Thursday's deadline
    raw = html.unescape(
        agent.get("/staff/families/210001/children/E1?month=2026-11").get_data(as_text=True))
    found = re.search(r'data-day="2026-11-26"[^>]*>(.*?)</td>', raw, re.S)
    assert found is not None
    cell = " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())
    assert ("appel du 23/11 à 13:00:01 : annulation refusée (trop tard : il fallait annuler "
            "avant le lundi 23 novembre à 13 heures)") in cell


# ------------------------------------------------------------------ 5. the canteen's weekdays
def weekday_boxes(client: Any, url: str) -> list[str]:
    form = client.get(url).get_data(as_text=True).split('id="subscription-form"')[1]
    form = form.split("</form>")[0]
    return [" ".join(label.split()) for label in re.findall(
        r'<input type="checkbox" name="weekdays" value="\d"(?: checked)?>([^<]*)</label>', form)]


def test_the_subscription_form_offers_only_the_days_the_school_serves(agent: Any) -> None:
    for url in ("/staff/families/210001", "/staff/families/210001/children/E1"):
        assert weekday_boxes(agent, url) == ["lun", "mar", "jeu", "ven"], url


def test_a_day_only_one_childs_school_serves_names_that_child_and_is_refused_for_the_other(
    settings: Settings, clock: Clock, engine: Engine
) -> None:
    rt = two_deadlines_family(settings, clock, engine)  # Hugo's canteen serves on Wednesdays
    make_user(rt, "marie", "staff")
    client = line_app(rt).test_client()
    assert login(client, "marie").status_code == 302
    assert weekday_boxes(client, "/staff/families/210001") == [
        "lun", "mar", "mer (Hugo)", "jeu", "ven"]
    assert weekday_boxes(client, "/staff/families/210001/children/E1") == [
        "lun", "mar", "jeu", "ven"]
    assert weekday_boxes(client, "/staff/families/210001/children/E2") == [
        "lun", "mar", "mer", "jeu", "ven"]
    refused = post(client, "/staff/families/210001/subscription", {
        "child": "E1", "mode": "set", "weekdays": ["0", "2"], "start": "2026-12-14"},
        follow_redirects=True)
    assert ("Pas de cantine le mercredi à « École élémentaire Anjou » : abonnement de Léa non "
            "enregistré.") in text(refused)
    done = post(client, "/staff/families/210001/subscription", {
        "child": "E2", "mode": "set", "weekdays": ["0", "2"], "start": "2026-12-14"},
        follow_redirects=True)
    assert "Abonnement enregistré" in text(done)
    with rt.sessions() as s:
        subscribed = set(s.execute(
            select(Child.ref, Subscription.starts_on, Subscription.weekdays)
            .join(Child, Child.id == Subscription.child_id)).all())
    assert ("E2", date(2026, 12, 14), 0b101) in subscribed
    assert not any(ref == "E1" and starts == date(2026, 12, 14)
                   for ref, starts, _ in subscribed)
