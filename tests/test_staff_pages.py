"""The staff pages through HTTP (Flask's test client): what staff see and what their actions do."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import time
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from restomairie.booking.services import Actor
from restomairie.models import AuditEntry, Call, CallEvent, LockAdjustment, StaffUser
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.staff_support import PASSWORD, csrf, login, make_user, post

TUE = date(2026, 11, 24)
THU = date(2026, 11, 26)


@pytest.fixture
def staff_client(app: Flask, rt: Runtime) -> Any:
    make_family(rt, "210001", phones=("+33612345678",),
                kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)])
    make_user(rt, "marie", "staff")
    client = app.test_client()
    assert login(client, "marie").status_code == 302
    return client


@pytest.fixture
def admin_client(app: Flask, rt: Runtime) -> Any:
    make_user(rt, "chef", "admin")
    client = app.test_client()
    assert login(client, "chef").status_code == 302
    return client


def entries(rt: Runtime, action: str) -> list[AuditEntry]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# ------------------------------------------------------------------ login
def test_login_with_a_wrong_password_says_so_and_opens_nothing(app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    client = app.test_client()
    response = login(client, "marie", "pas le bon")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/staff/calls").status_code == 302


def test_login_goes_back_to_the_page_asked_but_never_off_site(app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    client = app.test_client()
    first = client.get("/staff/audit?actor=x")
    assert first.headers["Location"] == "/staff/login?next=/staff/audit?actor%3Dx"
    token = csrf(client)
    ok = client.post("/staff/login", data={"username": "marie", "password": PASSWORD,
                                           "csrf_token": token, "next": "/staff/audit?actor=x"})
    assert ok.headers["Location"] == "/staff/audit?actor=x"
    client2 = app.test_client()
    evil = client2.post("/staff/login", data={"username": "marie", "password": PASSWORD,
                                              "csrf_token": csrf(client2),
                                              "next": "//evil.example/"})
    assert evil.headers["Location"] == "/staff/"


def test_a_burst_of_wrong_passwords_is_answered_429(app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    client = app.test_client()
    for _ in range(5):
        assert login(client, "marie", "mauvais").status_code == 401
    throttled = login(client, "marie")
    assert throttled.status_code == 429
    assert "Trop d&#39;essais" in throttled.get_data(as_text=True)


def test_changing_ones_password_keeps_this_session_and_needs_the_current_one(
    staff_client: Any, rt: Runtime
) -> None:
    bad = post(staff_client, "/staff/password",
               {"current": "faux", "new": "nouveau mot de passe", "confirm": "nouveau mot de passe"})
    assert bad.status_code == 200 and "incorrect" in bad.get_data(as_text=True)
    ok = post(staff_client, "/staff/password",
              {"current": PASSWORD, "new": "nouveau mot de passe", "confirm": "nouveau mot de passe"},
              follow_redirects=True)
    assert "Mot de passe changé" in ok.get_data(as_text=True)
    assert staff_client.get("/staff/calls").status_code == 200
    assert [e.detail for e in entries(rt, "password_set")] == [{"username": "marie"}]


# ------------------------------------------------------------------ calls
def _call(rt: Runtime, sid: str = "CA42") -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=rt.settings.tz)
    fid = None
    from restomairie.staff.services import StaffService

    fid = StaffService(rt.booking).family_id("210001")
    with rt.sessions() as s, s.begin():
        call = Call(call_sid=sid, started_at=start, from_number="+33612345678", family_id=fid,
                    step="end", state={}, outcome="cancelled", duration=72,
                    ended_at=start + timedelta(seconds=72))
        call.events.append(CallEvent(at=start, request_key="a", step="greeting", input_kind=None,
                                     heard=None, response="<Response><Gather><Say>Bonjour, tapez votre code.</Say></Gather></Response>"))
        call.events.append(CallEvent(at=start, request_key="b", step="pin", input_kind="dtmf",
                                     heard="8642", outcome="right",
                                     response="<Response><Say>Le repas de Léa est annulé.</Say><Hangup/></Response>"))
        s.add(call)


def test_the_call_log_masks_numbers_and_finds_a_whole_one(staff_client: Any, rt: Runtime) -> None:
    _call(rt)
    page = staff_client.get("/staff/calls").get_data(as_text=True)
    assert "+33 6 •• •• •• 78" in page and "+33612345678" not in page
    found = staff_client.get("/staff/calls?phone=06+12+34+56+78").get_data(as_text=True)
    assert "CA42" in found
    none = staff_client.get("/staff/calls?phone=0699999999").get_data(as_text=True)
    assert "CA42" not in none and "Aucun appel" in none
    partial = staff_client.get("/staff/calls?phone=5678").get_data(as_text=True)
    assert "numéro entier" in partial


def test_a_call_timeline_shows_what_was_said_and_hides_the_code(staff_client: Any, rt: Runtime) -> None:
    _call(rt)
    rt.booking.cancel("210001", [THU], Actor("family", "210001", "phone", call_sid="CA42"), ["E1"])
    page = staff_client.get("/staff/calls/CA42").get_data(as_text=True)
    assert "Bonjour, tapez votre code." in page and "Le repas de Léa est annulé." in page
    assert "code secret (jamais enregistré)" in page and "8642" not in page
    assert "1 min 12 s" in page
    assert "annulation" in page and "26/11/2026" in page
    assert staff_client.get("/staff/calls/CAnope").status_code == 404


# ------------------------------------------------------------------ families
def test_family_search_and_page_show_children_and_masked_numbers_in_lists(staff_client: Any) -> None:
    found = staff_client.get("/staff/families?q=hugo").get_data(as_text=True)
    assert "210001" in found and "+33 6 •• •• •• 78" in found and "+33612345678" not in found
    page = staff_client.get("/staff/families/210001").get_data(as_text=True)
    assert "Léa Test" in page and "Hugo Test" in page and "École élémentaire Anjou" in page
    assert staff_client.get("/staff/families/999999").status_code == 404


def test_a_family_search_says_how_many_match_and_pages_through_them(
    staff_client: Any, rt: Runtime
) -> None:
    for n in range(2, 63):  # 61 more families, all of them "Test" like 210001's children
        make_family(rt, f"2100{n:02d}", phones=(f"+336000000{n:02d}",),
                    kids=[KidSpec(f"K{n}", f"Enfant{n}")])
    first = staff_client.get("/staff/families?q=test").get_data(as_text=True)
    assert "<strong>50 premières familles sur 62</strong> : précisez la recherche" in first
    rows = first.split('id="families"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 51  # the header and 50 families
    assert "page 1 / 2" in first and 'href="/staff/families?q=test&amp;page=2"' in first
    second = staff_client.get("/staff/families?q=test&page=2").get_data(as_text=True)
    assert "Familles 51 à 62 sur 62." in second and "page 2 / 2" in second
    rows = second.split('id="families"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 13 and "210062" in rows and "210050" not in rows
    beyond = staff_client.get("/staff/families?q=test&page=3").get_data(as_text=True)
    assert "Plus rien sur cette page : 62 famille(s) en tout." in beyond
    assert "Aucune famille ne correspond" not in beyond
    one = staff_client.get("/staff/families?q=enfant7").get_data(as_text=True)
    assert "1 famille(s)." in one and "premières" not in one and "page 1" not in one
    none = staff_client.get("/staff/families?q=personne").get_data(as_text=True)
    assert "Aucune famille ne correspond à « personne »." in none


def test_a_child_month_page_shows_each_state(staff_client: Any, rt: Runtime) -> None:
    rt.locks.lock_day("anjou-elem", TUE)
    page = staff_client.get("/staff/families/210001/children/E1?month=2026-11").get_data(as_text=True)
    assert 'data-day="2026-11-24" data-state="subscription"' in page
    assert "verrouillé" in page and "mercredi" in page and "novembre 2026" in page
    assert staff_client.get("/staff/families/210001/children/E9").status_code == 404


def day_cell(page: str, day: date) -> str:
    """The month grid's cell of ``day`` (its classes, then its content)."""
    start = page.rindex('<td class="', 0, page.index(f'data-day="{day.isoformat()}"'))
    return page[start:page.index("</td>", start)]


def test_a_child_month_page_says_which_days_to_come_are_overdue_for_the_lock(
    staff_client: Any, rt: Runtime
) -> None:
    from restomairie.kitchen.service import KitchenService

    mon, fri_before = date(2026, 11, 23), date(2026, 11, 20)

    def page(ref: str = "E1") -> str:
        return html.unescape(staff_client.get(
            f"/staff/families/210001/children/{ref}?month=2026-11").get_data(as_text=True))

    # Monday 10:00: Monday's and Tuesday's cut-offs (Thursday and Friday 13:00) are long gone
    # and the scheduler has locked neither; Thursday's is at 13:00 today.
    now = page()
    assert ("Verrouillage en retard pour le lundi 23 novembre 2026 (heure limite : jeudi 19/11 à "
            "13:00) et le mardi 24 novembre 2026 (heure limite : vendredi 20/11 à 13:00)") in now
    for day in (mon, TUE):
        assert "overdue" in day_cell(now, day).split('"')[1]
        assert "verrouillage en retard" in day_cell(now, day)
    assert "modifiable" in day_cell(now, THU) and "retard" not in day_cell(now, THU)
    assert "retard" not in day_cell(now, fri_before)  # gone by: the meals were served
    # The school's counts, not the child's meal: a child without a meal that day reads it too.
    assert "Verrouillage en retard pour le lundi 23 novembre" in page("E2")
    # Thursday's cut-off: the same instant makes the kitchen's page and the child's say it.
    kitchen = KitchenService(rt.booking)
    thu_cutoff = datetime(2026, 11, 23, 13, 0, tzinfo=rt.settings.tz)
    for minutes, overdue in ((0, False), (4, False), (5, True), (90, True)):
        rt.clock.frozen = thu_cutoff + timedelta(minutes=minutes)
        assert kitchen.day(THU).site("anjou-elem").overdue is overdue, minutes
        cell = day_cell(page(), THU)
        assert ("verrouillage en retard" in cell) is overdue, minutes
        assert "modifiable" not in cell
    for day in (mon, TUE, THU):
        rt.locks.lock_day("anjou-elem", day)
    locked = page()
    assert "Verrouillage en retard" not in locked and 'id="overdue"' not in locked
    assert all("verrouillé" in day_cell(locked, d) for d in (mon, TUE, THU))


def test_a_family_export_is_a_json_file_and_is_audited(staff_client: Any, rt: Runtime) -> None:
    response = post(staff_client, "/staff/families/210001/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="famille-210001.json"'
    data = json.loads(response.get_data(as_text=True))
    assert data["family"]["account"] == "210001" and len(data["children"]) == 2
    (entry,) = entries(rt, "export_family")
    assert entry.actor == "staff:marie" and entry.family_id is not None


# ------------------------------------------------------------------ acting
def test_a_change_after_the_deadline_needs_an_override_with_a_reason(
    staff_client: Any, rt: Runtime
) -> None:
    form = {"action": "book", "child": "E2", "day": TUE.isoformat(),
            "back": "/staff/families/210001/children/E2"}
    refused = post(staff_client, "/staff/families/210001/change", form, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "Trop tard" in text and "vendredi 20 novembre à 13 heures" in text
    assert "forcer le délai" in text
    no_reason = post(staff_client, "/staff/families/210001/change", {**form, "override": "1"},
                     follow_redirects=True)
    assert "demande un motif" in no_reason.get_data(as_text=True)
    assert entries(rt, "book") == []
    rt.locks.lock_day("anjou-elem", TUE)
    done = post(staff_client, "/staff/families/210001/change",
                {**form, "override": "1", "reason": "inscription tardive validée"},
                follow_redirects=True)
    assert ("Hugo, mardi 24 novembre : réservé — délai forcé — ajustement cuisine"
            in done.get_data(as_text=True))
    (entry,) = entries(rt, "book")
    assert entry.actor == "staff:marie" and entry.detail == {"override": "inscription tardive validée"}
    with rt.sessions() as s:
        adj = s.scalars(select(LockAdjustment)).one()
    assert (adj.delta, adj.actor) == (1, "staff:marie")


def test_a_forced_change_after_the_lock_reads_as_an_adjustment_in_the_histories(
    staff_client: Any, rt: Runtime
) -> None:
    form = {"action": "book", "child": "E2", "day": TUE.isoformat(), "override": "1",
            "reason": "oubli de la famille"}
    # Past the deadline, not locked yet (no scheduler here): the day is locked first, as the
    # scheduler would have, so this change too is an adjustment beside the frozen figure.
    post(staff_client, "/staff/families/210001/change", form)
    assert not rt.locks.lock_day("anjou-elem", TUE).created
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=5)
    post(staff_client, "/staff/families/210001/change",
         {**form, "action": "cancel", "reason": "enfant malade"})  # after the lock

    def reasons(url: str) -> list[str]:
        page = staff_client.get(url).get_data(as_text=True).split('class="list history"')[1]
        # (the kitchen's note follows the reason on a line of its own)
        return [row.split("<strong>")[1].split("</td>")[0].split("<br>")[0]
                for row in page.split("<tr")[1:] if "<strong>forçage" in row]

    for url in ("/staff/families/210001", "/staff/families/210001/children/E2",
                "/staff/audit?account=210001"):
        assert reasons(url) == [  # the latest first
            "forçage (ajustement après verrouillage) :</strong> enfant malade",
            "forçage (ajustement après verrouillage) :</strong> oubli de la famille",
        ], url


def test_a_day_forced_after_its_lock_says_what_the_kitchen_was_told_and_the_adjustments_since(
    staff_client: Any, rt: Runtime
) -> None:
    rt.locks.lock_day("anjou-elem", TUE)  # Monday 10:00: Léa counted (her pattern), Hugo not
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=7)
    force = {"day": TUE.isoformat(), "override": "1", "reason": "oubli de la famille"}
    post(staff_client, "/staff/families/210001/change", {**force, "action": "book", "child": "E2"})
    post(staff_client, "/staff/families/210001/change", {**force, "action": "cancel", "child": "E1"})
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=5)
    post(staff_client, "/staff/families/210001/change",
         {**force, "action": "cancel", "child": "E2", "reason": "enfant malade"})

    def text(url: str) -> str:
        raw = html.unescape(staff_client.get(url).get_data(as_text=True))
        return " ".join(re.sub(r"<[^>]+>", " ", raw).split())

    def cell(ref: str) -> str:
        page = html.unescape(staff_client.get(
            f"/staff/families/210001/children/{ref}?month=2026-11").get_data(as_text=True))
        start = page.rindex('<td class="', 0, page.index(f'data-day="{TUE.isoformat()}"'))
        return " ".join(re.sub(r"<[^>]+>", " ", page[start:page.index("</td>", start)]).split())

    assert ("Cuisine : au verrouillage du lundi 23/11 à 10:00, repas non compté ; ajusté depuis : "
            "+1 repas (Standard) par agent marie le 23/11 à 10:07:00, −1 repas (Standard) par "
            "agent marie le 23/11 à 10:12:00 ; soit aucun repas pour la cuisine.") in cell("E2")
    assert ("Cuisine : au verrouillage du lundi 23/11 à 10:00, repas compté (Standard) ; ajusté "
            "depuis : −1 repas (Standard) par agent marie le 23/11 à 10:07:00 ; soit aucun repas "
            "pour la cuisine.") in cell("E1")
    # The journal: each forced entry with what the kitchen had of that meal until it.
    journal = text("/staff/audit?account=210001&child=E2")
    assert ("forçage (ajustement après verrouillage) : enfant malade Cuisine : au verrouillage du "
            "lundi 23/11 à 10:00, repas non compté ; ajusté depuis : +1 repas (Standard) par agent "
            "marie le 23/11 à 10:07:00, −1 repas (Standard) par agent marie le 23/11 à 10:12:00 ; "
            "soit aucun repas pour la cuisine.") in journal
    assert ("forçage (ajustement après verrouillage) : oubli de la famille Cuisine : au "
            "verrouillage du lundi 23/11 à 10:00, repas non compté ; ajusté depuis : +1 repas "
            "(Standard) par agent marie le 23/11 à 10:07:00 ; soit 1 repas pour la cuisine.") in journal
    # A day not adjusted says nothing of the kitchen (the grid; the history under it does).
    december = staff_client.get("/staff/families/210001/children/E1?month=2026-12")
    grid = december.get_data(as_text=True).split('id="month"')[1].split("</table>")[0]
    assert "Cuisine :" not in grid and 'data-day="2026-12-01"' in grid


def test_a_range_skips_days_without_canteen(staff_client: Any, rt: Runtime) -> None:
    done = post(staff_client, "/staff/families/210001/change",
                {"action": "book", "child": "E2", "day": "2026-11-30", "until": "2026-12-06"},
                follow_redirects=True)
    text = done.get_data(as_text=True)
    assert text.count("réservé") >= 4 and "jours sans cantine ignorés : 1" in text
    assert len(entries(rt, "book")) == 4  # Mon, Tue, Thu, Fri


def test_a_subscription_is_set_and_ended_from_the_family_page(staff_client: Any, rt: Runtime) -> None:
    set_ = post(staff_client, "/staff/families/210001/subscription",
                {"child": "E2", "mode": "set", "weekdays": ["0", "3"], "start": "2026-11-30"},
                follow_redirects=True)
    assert "Abonnement enregistré" in set_.get_data(as_text=True)
    assert rt.booking.state("210001", "E2", date(2026, 12, 3)).source == "subscription"
    family = staff_client.get("/staff/families/210001").get_data(as_text=True)
    assert "choisi (jour par jour), puis lun jeu à partir du 30/11/2026" in family
    end = post(staff_client, "/staff/families/210001/subscription",
               {"child": "E2", "mode": "end", "start": "2026-12-07"}, follow_redirects=True)
    assert "Abonnement arrêté" in end.get_data(as_text=True)
    assert rt.booking.state("210001", "E2", date(2026, 12, 7)).source == "none"
    assert [e.after for e in entries(rt, "subscribe")] == ["lun jeu"]


def test_a_subscription_change_names_the_days_kept_apart_from_the_pattern(
    staff_client: Any, rt: Runtime
) -> None:
    # Single days booked or cancelled by hand keep their state under a new pattern that would
    # not give it: the agent is told which, to decide about them. Days the new pattern agrees
    # with (Hugo's Monday under lun jeu, Léa's Thursday cancelled once she has none) are not named.
    family = "/staff/families/210001/subscription"
    tue_1, thu_3, tue_8 = date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 8)
    hugo = Actor("family", "210001", "phone")
    rt.booking.book("210001", [date(2026, 11, 30), tue_1, tue_8], hugo, children=["E2"])
    rt.booking.cancel("210001", [thu_3], hugo, children=["E1"])

    def said(form: dict[str, Any]) -> str:
        done = post(staff_client, family, {"start": "2026-11-30", **form}, follow_redirects=True)
        return html.unescape(done.get_data(as_text=True))

    hugo_set = said({"child": "E2", "mode": "set", "weekdays": ["0", "3"]})
    assert ("Abonnement enregistré à partir du lundi 30 novembre. Restent réservés à part : "
            "mardi 1er décembre et mardi 8 décembre (Hugo).") in hugo_set
    lea_set = said({"child": "E1", "mode": "set", "weekdays": ["0", "3"]})
    assert "Reste annulé à part : jeudi 3 décembre (Léa)." in lea_set
    assert "réservé à part" not in lea_set
    lea_end = said({"child": "E1", "mode": "end"})
    assert "Abonnement arrêté à partir du lundi 30 novembre." in lea_end
    assert "à part :" not in lea_end  # her cancelled Thursday is what the end gives anyway
    assert not rt.booking.state("210001", "E1", thu_3).booked
    hugo_end = said({"child": "E2", "mode": "end"})
    # His Monday, booked by hand before, is now apart from the pattern too.
    assert ("Restent réservés à part : lundi 30 novembre, mardi 1er décembre et "
            "mardi 8 décembre (Hugo).") in hugo_end
    assert rt.booking.state("210001", "E2", tue_1).source == "booked"


def test_a_forced_subscription_change_on_a_locked_day_says_the_kitchen_adjustment(
    staff_client: Any, rt: Runtime
) -> None:
    # As a forced single booking says it: the locked figure moved by an adjustment.
    rt.locks.lock_day("anjou-elem", TUE)
    done = post(staff_client, "/staff/families/210001/subscription",
                {"child": "E1", "mode": "end", "start": TUE.isoformat(), "override": "1",
                 "reason": "déménagement"}, follow_redirects=True)
    assert ("Abonnement arrêté à partir du mardi 24 novembre — délai forcé — ajustement cuisine "
            "(jour déjà verrouillé).") in html.unescape(done.get_data(as_text=True))
    with rt.sessions() as s:
        adj = s.scalars(select(LockAdjustment)).one()
    assert (adj.delta, adj.kind) == (-1, "override")
    # Forced from a day not locked yet (its deadline still ahead): neither is said.
    later = post(staff_client, "/staff/families/210001/subscription",
                 {"child": "E1", "mode": "set", "weekdays": ["0"], "start": "2026-12-07",
                  "override": "1", "reason": "reprise"}, follow_redirects=True)
    text = html.unescape(later.get_data(as_text=True))
    assert "Abonnement enregistré à partir du lundi 7 décembre." in text
    assert "ajustement cuisine (jour déjà verrouillé)." not in text.split("lundi 7 décembre")[1]


def test_a_closure_is_declared_listed_and_lifted(staff_client: Any, rt: Runtime) -> None:
    done = post(staff_client, "/staff/closures",
                {"school": "anjou-elem", "first_day": "2026-11-26", "last_day": "2026-11-27",
                 "kind": "strike", "note": "préavis national"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "2 jour(s) de cantine fermé(s), 2 repas non facturé(s)" in text
    assert "grève (préavis national)" in text and "École élémentaire Anjou" in text
    with rt.sessions() as s:
        from restomairie.models import Closure

        closure_id = s.scalars(select(Closure.id)).one()
    lifted = post(staff_client, f"/staff/closures/{closure_id}/lift", follow_redirects=True)
    assert "Fermeture annulée" in lifted.get_data(as_text=True)
    bad = post(staff_client, "/staff/closures", {"first_day": "2026-11-26", "kind": "other"},
               follow_redirects=True)
    assert "Précisez le motif" in bad.get_data(as_text=True)


def test_the_audit_page_filters_by_actor(staff_client: Any, rt: Runtime) -> None:
    post(staff_client, "/staff/families/210001/change",
         {"action": "cancel", "child": "E1", "day": THU.isoformat()})
    page = staff_client.get("/staff/audit?actor=marie&action=cancel").get_data(as_text=True)
    assert "1 entrée(s)" in page and "<td>agent marie</td>" in page
    # What the column shows finds it too (it found nothing: the journal stores "staff:marie").
    for shown in ("agent marie", "Agent  Marie"):
        page = staff_client.get(f"/staff/audit?actor={shown}&action=cancel").get_data(as_text=True)
        assert "1 entrée(s)" in page, shown
    nobody = staff_client.get("/staff/audit?actor=famille marie").get_data(as_text=True)
    assert "0 entrée(s)" in nobody


def test_the_audit_pages_who_field_suggests_what_the_column_shows(staff_client: Any) -> None:
    """The "Qui" field's example is written as the column shows who ("agent marie"), not as the
    journal stores it ("staff:marie"), which staff never read."""
    page = staff_client.get("/staff/audit").get_data(as_text=True)
    field = re.search(r'<input name="actor"[^>]*>', page)
    assert field is not None
    assert 'placeholder="agent marie, famille 210500"' in field.group(0)
    assert "staff:" not in field.group(0) and "family:" not in field.group(0)


def test_the_journal_names_schools_menus_and_who_in_words(staff_client: Any, rt: Runtime) -> None:
    # "anjou-elem → champollion-elem", "staff:marie": the stored codes, not what staff read
    with rt.sessions() as s, s.begin():
        for action, before, after in (
            ("school_changed", "anjou-elem", "champollion-elem"),
            ("diet_changed", "standard", "vegetarien"),
            ("user_role", "kitchen", "admin"),
        ):
            s.add(AuditEntry(at=datetime(2026, 11, 23, 9, 0, tzinfo=rt.settings.tz),
                             actor="staff:marie", channel="import", action=action,
                             before=before, after=after))
    page = staff_client.get("/staff/audit").get_data(as_text=True)
    assert "École élémentaire Anjou → École élémentaire Champollion" in page
    assert "Standard → Végétarien" in page
    assert "cuisine → administrateur" in page
    assert "<td>agent marie</td>" in page


# ------------------------------------------------------------------ import (admin)
HEADER = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"


def test_an_import_with_a_bad_line_shows_the_line_and_writes_nothing(
    admin_client: Any, rt: Runtime
) -> None:
    data = (HEADER + "300001;1234;0612345678;Mme A;C1;Léa;A;;anjou-elem;standard;lun\n"
            "300002;1234;0612345679;Mme B;C2;Hugo;B;;anjou-elem;poisson;lun\n").encode()
    from io import BytesIO

    page = post(admin_client, "/staff/import", {"file": (BytesIO(data), "f.csv")},
                content_type="multipart/form-data").get_data(as_text=True)
    assert "rien n'a été importé" in page and "<td>3</td>" in page and "régime inconnu" in page
    assert rt.booking.families_by_phone("+33612345678") == []


def test_an_import_is_checked_then_confirmed_then_followed(admin_client: Any, rt: Runtime) -> None:
    from io import BytesIO

    data = (HEADER + "300001;1234;0612345678;Mme A;C1;Léa;A;;anjou-elem;standard;lun\n").encode()
    page = post(admin_client, "/staff/import", {"file": (BytesIO(data), "f.csv")},
                content_type="multipart/form-data").get_data(as_text=True)
    assert "1 famille(s) à créer" in page and "Rien n'est encore écrit" in page
    assert rt.booking.families_by_phone("+33612345678") == []
    token = page.split('name="token" value="')[1].split('"')[0]
    started = post(admin_client, "/staff/import/confirm", {"token": token})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    for _ in range(200):
        status = admin_client.get(job_url + "?format=json").get_json()
        if status["state"] != "running":
            break
        time.sleep(0.02)
    assert status["state"] == "done" and status["percent"] == 100
    assert rt.booking.families_by_phone("+33612345678") == ["300001"]
    assert "Import terminé" in admin_client.get(job_url).get_data(as_text=True)
    again = post(admin_client, "/staff/import/confirm", {"token": token}, follow_redirects=True)
    assert "plus en attente" in again.get_data(as_text=True)


def check_file(client: Any, data: bytes, name: str = "f.csv") -> str:
    """The import page's report on a file sent (its HTML, entities unescaped)."""
    from io import BytesIO

    return html.unescape(post(client, "/staff/import", {"file": (BytesIO(data), name)},
                              content_type="multipart/form-data").get_data(as_text=True))


def confirm_import(client: Any, page: str) -> dict[str, Any]:
    token = page.split('name="token" value="')[1].split('"')[0]
    job_url = post(client, "/staff/import/confirm", {"token": token}).headers["Location"]
    for _ in range(200):
        status: dict[str, Any] = client.get(job_url + "?format=json").get_json()
        if status["state"] != "running":
            break
        time.sleep(0.02)
    return status


def test_the_import_preview_says_a_code_and_phones_change_and_the_audit_records_them(
    admin_client: Any, rt: Runtime
) -> None:
    make_family(rt, "210500", "1951", ("+33642880483", "+33367446522"),
                [KidSpec("E00002", "Rose", school="champollion-elem")])
    data = (HEADER + "210500;4826;+33642880483;Mme Martin;E00002;Rose;Martin;2017-01-01;"
            "anjou-elem;vegetarien;lun mar jeu ven\n").encode()
    page = check_file(admin_client, data)
    assert "1 à mettre à jour" in page and "Rien n'est encore écrit" in page
    assert ("Ligne 2, dossier 210500 : code secret modifié ; "
            "téléphone retiré : +33 3 •• •• •• 22") in page
    assert ("Ligne 2, Rose (E00002, dossier 210500) : nom modifié : Test → Martin ; date de "
            "naissance modifiée : — → 01/01/2017 ; école champollion-elem → anjou-elem et "
            "régime Standard → Végétarien, dès demain (mardi 24 novembre)") in page
    assert "4826" not in page and "1951" not in page and "67446522" not in page
    assert rt.booking.check_pin("210500", "1951").ok  # nothing written by the preview
    assert confirm_import(admin_client, page)["state"] == "done"
    assert rt.booking.check_pin("210500", "4826").ok
    assert rt.booking.family_info("210500").phones == ("+33642880483",)
    journal = html.unescape(admin_client.get("/staff/audit?account=210500").get_data(as_text=True))
    assert "code secret modifié (import, ligne 2)" in journal
    assert "téléphones : retiré : +33 3 •• •• •• 22" in journal
    assert "téléphones modifiés" in journal and "école modifiée" in journal
    assert "4826" not in journal and "1951" not in journal and "67446522" not in journal


def test_the_finished_import_shows_what_the_preview_showed_codes_and_phones_never_in_clear(
    admin_client: Any, rt: Runtime
) -> None:
    make_family(rt, "210500", "1951", ("+33642880483", "+33367446522"),
                [KidSpec("E00002", "Rose", school="champollion-elem")])
    data = (HEADER + "210500;4826;+33642880483;Mme Martin;E00002;Rose;Martin;2017-01-01;"
            "anjou-elem;vegetarien;lun mar jeu ven\n"
            "300001;7319;06 98 76 54 32;Mme Neuve;C1;Léon;Neuve;;anjou-elem;standard;lun\n"
            ).encode()
    page = check_file(admin_client, data)
    changes = ["Ligne 2, dossier 210500 : code secret modifié ; téléphone retiré : "
               "+33 3 •• •• •• 22",
               "Ligne 2, Rose (E00002, dossier 210500) : nom modifié : Test → Martin ; date de "
               "naissance modifiée : — → 01/01/2017 ; école champollion-elem → anjou-elem et "
               "régime Standard → Végétarien, dès demain (mardi 24 novembre)"]
    assert all(c in page for c in changes)
    status = confirm_import(admin_client, page)
    assert status["state"] == "done"
    done = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                         .get_data(as_text=True))
    assert "Import terminé : 2 ligne(s)" in done
    assert all(c in done for c in changes)  # what was changed, as the preview said it
    rows = done.split('id="import-rows"')[1].split("</table>")[0]
    assert "<td>210500</td>" in rows and "<td>E00002</td><td>Rose Martin</td>" in rows
    assert '<td>300001 <span class="tag">créé</span></td>' in rows
    assert '<td>C1 <span class="tag">créé</span></td><td>Léon Neuve</td>' in rows
    for secret in ("4826", "1951", "7319", "67446522", "98765432", "98 76 54 32"):
        assert secret not in done and secret not in json.dumps(status, ensure_ascii=False)
    # The page polling the job gets the same lists when it finishes.
    assert html.unescape(status["html"]) in done


def test_the_finished_import_s_lists_are_bounded_as_the_preview_s(
    admin_client: Any, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie.staff import imports

    monkeypatch.setattr(imports, "PREVIEW_ROWS", 2)
    for i in range(3):
        make_family(rt, f"21050{i}", "1951", (f"+3364288048{i}",), [KidSpec(f"E{i}", "Rose")])
    data = (HEADER + "".join(
        f"21050{i};4826;+3364288048{i};Mme Martin;E{i};Rose;Test;;anjou-elem;standard;"
        "lun mar jeu ven\n" for i in range(3))).encode()
    status = confirm_import(admin_client, check_file(admin_client, data))
    done = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                         .get_data(as_text=True))
    assert done.count('class="family-change"') == 2
    assert "… et 1 autre(s) changement(s)" in done
    assert done.split('id="import-rows"')[1].split("</table>")[0].count("<tr>") == 3  # + head
    assert "… et 1 autre(s) ligne(s)." in done


def test_the_import_preview_names_the_locked_days_a_school_change_adjusts(
    admin_client: Any, rt: Runtime
) -> None:
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa")])  # Anjou, Mon Tue Thu Fri
    rt.locks.lock_day("anjou-elem", TUE)  # its cut-off was Friday: locked for the kitchen
    data = (HEADER + "210001;1234;+33612345678;Famille 210001;E1;Léa;Test;;darcy-elem;"
            "standard;lun mar jeu ven\n").encode()
    page = check_file(admin_client, data)
    # Darcy's Tuesday, due since Friday's cut-off, is locked first (the scheduler missed it):
    # Léa leaves Anjou's figure and comes to Darcy's, one adjustment beside each.
    assert "Cet import enregistrera 2 ajustement(s) pour la cuisine" in page
    assert ("Léa (E1, dossier 210001) : école anjou-elem → darcy-elem, dès demain (mardi "
            "24 novembre), y compris le mardi 24 novembre, jour déjà verrouillé pour la cuisine "
            ": il recevra un ajustement") in page
    with rt.sessions() as s:
        assert list(s.scalars(select(LockAdjustment))) == []
    status = confirm_import(admin_client, page)
    assert status["state"] == "done" and status["report"]["adjustments"] == 2


OTHER_FAMILY = (
    "colonne child : l'enfant E00003 appartient déjà au dossier {account} ; un changement de "
    "famille ne se fait pas par import : à traiter à part par le service (retirez cette ligne "
    "du fichier) ; s'il s'agit d'un autre enfant, donnez-lui un autre identifiant"
)


def test_the_import_page_refuses_a_child_of_another_family_by_line(
    admin_client: Any, rt: Runtime
) -> None:
    make_family(rt, "210500", "1951", ("+33642880483",),
                [KidSpec("E00003", "Nathan", school="champollion-elem")])
    data = (HEADER + "310003;1234;06 11 22 33 44;M. Y;E00003;Nathan;Autre;;anjou-elem;"
            "standard;lun\n").encode()
    page = check_file(admin_client, data)
    assert "Fichier refusé : rien n'a été importé" in page and 'name="token"' not in page
    assert f"<td>2</td><td>{OTHER_FAMILY.format(account='210500')}</td>" in page
    assert rt.booking.families_by_phone("+33611223344") == []


def test_a_confirmed_import_refuses_a_child_given_to_another_family_since_its_preview(
    admin_client: Any, rt: Runtime
) -> None:
    data = (HEADER + "310003;1234;06 11 22 33 44;M. Y;E00003;Nathan;Autre;;anjou-elem;"
            "standard;lun\n").encode()
    page = check_file(admin_client, data)
    assert "1 enfant(s) à créer" in page
    # Meanwhile another family gets E00003: the confirmed import refuses the line, by line.
    make_family(rt, "210500", "1951", ("+33642880483",),
                [KidSpec("E00003", "Nathan", school="champollion-elem")])
    status = confirm_import(admin_client, page)
    assert status["state"] == "failed"
    assert status["error"] == f"ligne 2, {OTHER_FAMILY.format(account='210500')}"
    job = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                        .get_data(as_text=True))
    assert "Import échoué, rien n'a été écrit : ligne 2, colonne child : l'enfant E00003" in job
    assert rt.booking.families_by_phone("+33611223344") == []
    assert [c.last_name for c in rt.booking.family_info("210500").children] == ["Test"]


def test_a_renamed_child_is_in_the_preview_the_finished_screen_and_the_journal(
    admin_client: Any, rt: Runtime
) -> None:
    make_family(rt, "210500", "1951", ("+33642880483",),
                [KidSpec("E00003", "Nathan", school="champollion-elem")])
    data = (HEADER + "210500;1951;+33642880483;Famille 210500;E00003;Nathaniel;Martin;"
            "27/05/2015;champollion-elem;standard;lun mar jeu ven\n").encode()
    said = ("Ligne 2, Nathaniel (E00003, dossier 210500) : prénom modifié : Nathan → Nathaniel ; "
            "nom modifié : Test → Martin ; date de naissance modifiée : — → 27/05/2015")
    page = check_file(admin_client, data)
    assert said in page
    status = confirm_import(admin_client, page)
    assert status["state"] == "done"
    done = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                         .get_data(as_text=True))
    assert said in done
    journal = html.unescape(admin_client.get("/staff/audit?account=210500").get_data(as_text=True))
    assert "nom de l'enfant modifié" in journal and "Nathan Test → Nathaniel Martin" in journal
    assert "date de naissance modifiée" in journal and "— → 27/05/2015" in journal


def test_the_import_page_reads_spaced_phones_and_an_excel_windows_1252_file(
    admin_client: Any, rt: Runtime
) -> None:
    data = (HEADER + "300001;1234;06 12 34 56 78, 03.80.00.00.01;Mme Lefèvre;C1;Léa;Lefèvre;"
            "04/03/2018;anjou-elem;Sans porc;lundi mardi jeudi vendredi\n").encode("cp1252")
    page = check_file(admin_client, data)
    assert "1 famille(s) à créer" in page and "Fichier lu en Windows-1252" in page
    assert "Léa Lefèvre" in page
    assert confirm_import(admin_client, page)["state"] == "done"
    assert rt.booking.families_by_phone("+33380000001") == ["300001"]
    assert rt.booking.family_info("300001").children[0].first_name == "Léa"


def test_the_import_page_reports_every_error_of_a_line_by_column(
    admin_client: Any, rt: Runtime
) -> None:
    data = (HEADER + "300001;12a4;0612345678;Mme A;C1;Léa;A;31/02/2018;anjou-elem;"
            "sans porc;lun\n").encode()
    page = check_file(admin_client, data)
    assert "3 erreur(s)" not in page and "2 erreur(s)" in page
    assert "<td>2</td><td>colonne pin : le code secret doit avoir 4 chiffres</td>" in page
    assert "<td>2</td><td>colonne birth_date : date de naissance invalide '31/02/2018'" in page
    undecodable = check_file(admin_client, HEADER.encode() + b"\x81\n")
    assert "ni UTF-8 ni Windows-1252" in undecodable and "CSV UTF-8" in undecodable


def test_the_import_page_lists_the_accepted_values(admin_client: Any, rt: Runtime) -> None:
    page = admin_client.get("/staff/import").get_data(as_text=True)
    help_ = page.split('id="import-help"')[1].split("</details>")[0]
    for school in rt.settings.schools:
        assert f"<code>{school.id}</code> : {school.name}" in help_
    for diet in ("standard", "sans_porc", "vegetarien", "pai"):
        assert f"<code>{diet}</code>" in help_
    assert "<code>lun</code>" in help_ and "<code>ven</code>" in help_
    assert "Jours de cantine : lun mar jeu ven" in help_
    assert "<code>AAAA-MM-JJ</code> ou <code>JJ/MM/AAAA</code>" in help_
    assert "séparés par une virgule : <code>06 12 34 56 78, 03 80 00 00 00</code>" in help_


# ------------------------------------------------------------------ accounts (admin)
def test_an_admin_manages_accounts_and_every_change_is_audited(admin_client: Any, rt: Runtime) -> None:
    post(admin_client, "/staff/users", {"username": "Paul", "role": "kitchen",
                                        "password": "cuisine centrale"})
    post(admin_client, "/staff/users/paul/role", {"role": "staff"})
    post(admin_client, "/staff/users/paul/password", {"password": "nouveau secret !"})
    refused = post(admin_client, "/staff/users/chef/delete", follow_redirects=True)
    assert "propre compte" in refused.get_data(as_text=True)
    post(admin_client, "/staff/users/paul/delete")
    with rt.sessions() as s:
        assert list(s.scalars(select(StaffUser.username))) == ["chef"]
    by_chef = [e for a in ("user_created", "user_role", "password_set", "user_deleted")
               for e in entries(rt, a) if e.actor == "staff:chef"]
    assert [(e.action, e.detail) for e in by_chef] == [
        (a, {"username": "paul"})
        for a in ("user_created", "user_role", "password_set", "user_deleted")
    ]


WEAK_PASSWORDS = [
    ("aaaaaaaaaa", "il répète les mêmes caractères"),
    ("abababababab", "il répète les mêmes caractères"),
    ("abcdefghij", "c'est une suite de caractères"),
    ("9876543210", "c'est une suite de caractères"),
    ("paul-paul-paul", "il reprend l'identifiant"),
    ("Paul2026!!", "il reprend l'identifiant"),
    ("azertyuiop", "c'est l'un des plus courants"),
    ("Motdepasse2024!", "c'est l'un des plus courants"),
    ("1q2w3e4r5t", "c'est l'un des plus courants"),
]


@pytest.mark.parametrize(("password", "why"), WEAK_PASSWORDS)
def test_an_obviously_weak_password_is_refused_on_the_accounts_page(
    admin_client: Any, rt: Runtime, password: str, why: str
) -> None:
    created = post(admin_client, "/staff/users",
                   {"username": "paul", "role": "staff", "password": password},
                   follow_redirects=True)
    text = html.unescape(created.get_data(as_text=True))
    assert f"Mot de passe trop faible : {why}" in text
    make_user(rt, "paul", "staff")
    reset = post(admin_client, "/staff/users/paul/password", {"password": password},
                 follow_redirects=True)
    assert f"Mot de passe trop faible : {why}" in html.unescape(reset.get_data(as_text=True))
    with rt.sessions() as s:
        assert list(s.scalars(select(StaffUser.username).order_by(StaffUser.username))) == [
            "chef", "paul"]
    assert not entries(rt, "password_set")
    assert login(app_client(admin_client), "paul", password).status_code == 401


def app_client(client: Any) -> Any:
    """A new browser on the same application."""
    return client.application.test_client()


def test_a_weak_new_password_is_refused_on_ones_own_password_page(
    staff_client: Any, rt: Runtime
) -> None:
    weak = post(staff_client, "/staff/password",
                {"current": PASSWORD, "new": "marie12345", "confirm": "marie12345"})
    assert "Mot de passe trop faible : il reprend l&#39;identifiant." in weak.get_data(
        as_text=True)
    assert login(app_client(staff_client), "marie").status_code == 302  # unchanged


def test_the_accounts_page_says_what_a_password_needs(admin_client: Any) -> None:
    page = admin_client.get("/staff/users").get_data(as_text=True)
    assert "ni un caractère répété" in html.unescape(page)


# ------------------------------------------------------------------ command line
def test_create_user_refuses_an_obviously_weak_password(rt: Runtime) -> None:
    from restomairie.cli import main

    runner = CliRunner()
    for password, why in WEAK_PASSWORDS:
        refused = runner.invoke(main, ["create-user", "paul", "--password-stdin"],
                                input=f"{password}\n", obj={"runtime": rt})
        assert refused.exit_code == 1, password
        assert f"Refusé : Mot de passe trop faible : {why}" in refused.output, password
    with rt.sessions() as s:
        assert list(s.scalars(select(StaffUser.username))) == []


def test_create_user_reads_the_password_from_stdin_or_asks_twice(rt: Runtime) -> None:
    from restomairie.cli import main

    runner = CliRunner()
    obj = {"runtime": rt}
    ok = runner.invoke(main, ["create-user", "marie", "--role", "admin", "--password-stdin"],
                       input="un mot de passe long\n", obj=obj)
    assert ok.exit_code == 0, ok.output
    assert "Compte marie créé (rôle : administrateur)" in ok.output
    asked = runner.invoke(main, ["create-user", "paul"], input="un autre secret\nun autre secret\n",
                          obj=obj)
    assert asked.exit_code == 0, asked.output
    short = runner.invoke(main, ["create-user", "zoe", "--password-stdin"], input="court\n", obj=obj)
    assert short.exit_code == 1 and "au moins 10" in short.output
    with rt.sessions() as s:
        assert sorted(s.scalars(select(StaffUser.username))) == ["marie", "paul"]
        assert s.scalar(select(StaffUser.role).where(StaffUser.username == "paul")) == "staff"


# ------------------------------------------------------------------ personal data on the pages
def test_the_family_page_masks_its_phone_numbers(staff_client: Any) -> None:
    page = staff_client.get("/staff/families/210001").get_data(as_text=True)
    assert "+33 6 •• •• •• 78" in page
    assert "+33612345678" not in page and "0612345678" not in page


@pytest.mark.parametrize("url", ["/staff/", "/staff/families/210001", "/staff/calls",
                                 "/staff/audit", "/staff/families/210001/children/E1",
                                 "/staff/families/999999"])
def test_staff_pages_are_never_cached_nor_framed(staff_client: Any, url: str) -> None:
    response = staff_client.get(url)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_the_export_and_the_login_page_are_not_cached_either(app: Flask, staff_client: Any) -> None:
    export = post(staff_client, "/staff/families/210001/export")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    login_page = app.test_client().get("/staff/login")
    assert login_page.headers["Cache-Control"] == "no-store"
    assert login_page.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ["/", "/healthz", "/no-such-page", "/kitchen/counts"])
def test_every_other_page_is_kept_out_of_frames_sniffing_and_referrers(
    app: Flask, url: str
) -> None:
    response = app.test_client().get(url)
    assert response.status_code in (200, 401, 404)
    for header, value in [("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                          ("Referrer-Policy", "no-referrer")]:
        assert response.headers.get(header) == value, (url, header)
    if response.mimetype == "text/html":
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_phone_lines_twiml_carries_none_of_the_pages_headers(app: Flask) -> None:
    # Read by Twilio alone: nothing added to the webhooks' answers (refused here, unsigned).
    response = app.test_client().post("/ivr/voice", data={"CallSid": "CA1"})
    assert response.status_code == 403
    assert "X-Frame-Options" not in response.headers


def test_no_staff_template_holds_inline_script_the_policy_would_block() -> None:
    import re
    from pathlib import Path

    import restomairie

    folder = Path(restomairie.__file__).parent / "templates" / "staff"
    for template in folder.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+\s*=", text), template.name  # onsubmit="…"
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), template.name
        assert not re.search(r"\sstyle\s*=", text), template.name


def _town_with_lea(settings: Any, clock: Any, engine: Any, **changes: Any) -> tuple[Runtime, Any]:
    """A town whose settings differ by ``changes`` (its deadline rules), with Léa (E1) of
    family 210001 and a staff client logged in as marie."""
    from restomairie.web import create_app

    rt = Runtime.build(settings=dataclasses.replace(settings, **changes), clock=clock, engine=engine)
    rt.sync_schools()
    make_family(rt, "210001", phones=("+33612345678",), kids=[KidSpec("E1", "Léa")])
    make_user(rt, "marie", "staff")
    client = create_app({"TESTING": True}, runtime=rt).test_client()
    login(client, "marie")
    return rt, client


def test_a_day_the_family_can_still_change_but_the_staff_no_longer_says_so(
    settings: Any, clock: Any, engine: Any
) -> None:
    # Villepreux: 48 hours for the families, 8 days "via la mairie". The calendar said
    # "modifiable" where the staff's own change would be refused (and `bookings` too).
    from datetime import time as dtime

    from restomairie.calendar.deadlines import OperatingDaysRule
    from restomairie.cli import main

    rt, client = _town_with_lea(
        settings, clock, engine, deadline_by_channel={"staff": OperatingDaysRule(4, dtime(13, 0))}
    )
    page = html.unescape(
        client.get("/staff/families/210001/children/E1?month=2026-11").get_data(as_text=True)
    )
    # Monday 23, 10:00: Thursday 26 closes at 13:00 today for the family, for the staff it
    # closed on Thursday 19 (four operating days before); Friday 4 December is open for both.
    thu = day_cell(page, THU)
    assert "modifiable par la famille" in thu and "délai passé le jeudi 19/11 à 13:00" in thu
    later = html.unescape(
        client.get("/staff/families/210001/children/E1?month=2026-12").get_data(as_text=True)
    )
    fri = day_cell(later, date(2026, 12, 4))
    assert ">modifiable<" in fri and "par la famille" not in fri
    result = CliRunner().invoke(
        main, ["bookings", "210001", "--days", "12"], obj={"runtime": rt}, catch_exceptions=False
    )
    assert (
        "jeudi 26 novembre       réservé (abonnement) — modifiable par la famille avant le "
        "lundi 23 novembre à 13 heures (à la mairie : trop tard depuis le jeudi 19 novembre à 13 "
        "heures)"
    ) in result.output
    assert (
        "vendredi 4 décembre     réservé (abonnement) — modifiable avant le vendredi 27 novembre "
        "à 13 heures à la mairie, avant le mardi 1er décembre à 13 heures par la famille"
    ) in result.output


def test_a_day_the_staff_can_still_change_but_the_family_no_longer_says_so(
    settings: Any, clock: Any, engine: Any
) -> None:
    # "Jusqu'à J-2" for the families (Cesson-Sévigné), the town hall until 9:00 on the meal day.
    # Monday 23, 10:00: Tuesday 24 closed for the family at Sunday's midnight, the staff can
    # change it until 9:00 tomorrow. Both said "plus modifiable" (and the page nothing), though
    # the staff's cancellation goes through.
    from datetime import time as dtime

    from restomairie.calendar.deadlines import CalendarDaysRule
    from restomairie.cli import main

    tue = date(2026, 11, 24)
    rt, client = _town_with_lea(
        settings, clock, engine,
        deadline=CalendarDaysRule(1, dtime(0)),
        deadline_by_channel={"staff": CalendarDaysRule(0, dtime(9, 0))},
    )
    page = html.unescape(
        client.get("/staff/families/210001/children/E1?month=2026-11").get_data(as_text=True)
    )
    cell = day_cell(page, tue)
    assert ">modifiable à la mairie<" in cell
    assert ('title="À la mairie avant le mardi 24/11 à 09:00 ; par la famille, délai passé le '
            'dimanche 22/11 à minuit"') in cell
    # Today's meal: closed for both at 9:00.
    assert "modifiable" not in day_cell(page, date(2026, 11, 23))
    # Thursday 26: both can still change it.
    assert ">modifiable<" in day_cell(page, THU)
    result = CliRunner().invoke(
        main, ["bookings", "210001", "--days", "4"], obj={"runtime": rt}, catch_exceptions=False
    )
    assert (
        "lundi 23 novembre       réservé (abonnement) — plus modifiable\n"
        "  mardi 24 novembre       réservé (abonnement) — modifiable à la mairie avant le mardi "
        "24 novembre à 9 heures (par la famille : trop tard depuis le dimanche 22 novembre à "
        "minuit)\n"
        "  jeudi 26 novembre       réservé (abonnement) — modifiable avant le mardi 24 novembre à "
        "minuit par la famille, avant le jeudi 26 novembre à 9 heures à la mairie\n"
    ) in result.output
    # What the lines say is what the booking engine does.
    rt.booking.cancel("210001", [tue], Actor("staff", "marie", "staff"), children=["E1"])
    assert rt.booking.state("210001", "E1", tue).source == "cancelled"


def test_a_deadline_at_midnight_reads_as_midnight_the_day_before_on_the_month_page(
    settings: Any, clock: Any, engine: Any
) -> None:
    # "Jusqu'à J-2" for the families (Cesson-Sévigné), J-4 at the town hall: Thursday 26 reads
    # "avant le mardi 24/11 à minuit" and "délai passé le dimanche 22/11 à minuit" (it read
    # "mercredi 25/11 à 00:00" and "lundi 23/11 à 00:00", the day after).
    from datetime import time as dtime

    from restomairie.calendar.deadlines import CalendarDaysRule

    _, client = _town_with_lea(
        settings, clock, engine,
        deadline=CalendarDaysRule(1, dtime(0)),
        deadline_by_channel={"staff": CalendarDaysRule(3, dtime(0))},
    )
    page = html.unescape(
        client.get("/staff/families/210001/children/E1?month=2026-11").get_data(as_text=True)
    )
    thu = day_cell(page, THU)
    assert "Par la famille avant le mardi 24/11 à minuit" in thu
    assert "délai passé le dimanche 22/11 à minuit" in thu
    # A day both can still change: its deadline was "Date limite : 03/12/2026 00:00:00", then
    # "Date limite : … à minuit" (read as inclusive by some: "avant", as everywhere else).
    later = html.unescape(
        client.get("/staff/families/210001/children/E1?month=2026-12").get_data(as_text=True)
    )
    assert 'title="Modifiable avant le mercredi 02/12 à minuit"' in day_cell(
        later, date(2026, 12, 4))


def test_a_child_in_a_school_the_configuration_no_longer_has_is_said_on_its_page(
    settings: Any, clock: Any, engine: Any
) -> None:
    # The page was a bare 500 (a KeyError).
    from restomairie.web import create_app

    rt = Runtime.build(settings=settings, clock=clock, engine=engine)
    rt.sync_schools()
    make_family(rt, "210001", phones=("+33612345678",), kids=[KidSpec("E1", "Léa")])
    make_user(rt, "marie", "staff")
    without = dataclasses.replace(
        settings, schools=tuple(s for s in settings.schools if s.id != "anjou-elem")
    )
    other = Runtime.build(settings=without, clock=clock, engine=engine)
    client = create_app({"TESTING": True}, runtime=other).test_client()
    login(client, "marie")
    page = client.get("/staff/families/210001/children/E1?month=2026-11")
    assert page.status_code == 500
    assert ("Erreur de configuration : l'école « anjou-elem » n'est pas dans la configuration "
            "de la ville") in html.unescape(page.get_data(as_text=True))


def test_a_child_month_page_after_the_first_import_says_no_day_overdue_before_it(
    app: Flask, rt: Runtime
) -> None:
    """The town's first import on Monday 23 at 14:00: Thursday 26's cut-off (13:00) came before
    any family was in Resto-Mairie, so that day is never locked and the agent answering the
    family must not read "verrouillage en retard" and a call to the IT."""
    from restomairie.booking.importer import import_csv

    rt.clock.frozen = datetime(2026, 11, 23, 14, 0, tzinfo=rt.settings.tz)
    import_csv(rt.booking, (
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210001;4821;0612345678;Mme Martin;E1;Léa;Martin;;anjou-elem;standard;lun mar jeu ven\n"
    ), Actor("staff", "marie", "import"))
    make_user(rt, "marie", "staff")
    client = app.test_client()
    assert login(client, "marie").status_code == 302
    page = html.unescape(client.get(
        "/staff/families/210001/children/E1?month=2026-11").get_data(as_text=True))
    assert "Verrouillage en retard" not in page
    assert "retard" not in day_cell(page, THU) and "retard" not in day_cell(page, TUE)


# ------------------------------------------------------------------ import: what the CLI says too
def _town_of_two(rt: Runtime) -> bytes:
    """Families 210001 (Léa) and 210002 (Tom), both subscribed; a file with Léa's line only."""
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa")])
    make_family(rt, "210002", phones=("+33611111111",), kids=[KidSpec("E2", "Tom")])
    return (HEADER + "210001;1234;+33612345678;Famille 210001;E1;Léa;Test;;anjou-elem;"
            "standard;lun mar jeu ven\n").encode()


def _subscribed(rt: Runtime, ref: str, day: date) -> bool:
    from restomairie.models import Child, Subscription

    with rt.sessions() as s:
        child = s.scalars(select(Child).where(Child.ref == ref)).one()
        return any(sub.starts_on <= day and (sub.ends_on is None or sub.ends_on >= day)
                   for sub in s.scalars(select(Subscription)
                                        .where(Subscription.child_id == child.id)))


def test_the_import_page_ends_the_subscriptions_a_whole_list_leaves_out_as_the_cli_does(
    admin_client: Any, rt: Runtime
) -> None:
    """``restomairie import --end-missing`` had no equivalent on the staff page: a billing
    agent with the town's whole file could only leave the children left out subscribed
    (counted and billed) or ask the IT to run the command."""
    from io import BytesIO

    from restomairie.booking.importer import import_csv

    data = _town_of_two(rt)
    cli = import_csv(rt.booking, data, Actor("staff", "it", "import"), dry_run=True,
                     end_missing=True)
    said = "dossier 210002 : Tom Test (E2), jours lun mar jeu ven → aucun à partir du jeudi 26 novembre"
    assert cli.ended == [said]  # the command line's dry run
    form = admin_client.get("/staff/import").get_data(as_text=True)
    assert 'name="end_missing" value="1"' in form
    page = html.unescape(post(admin_client, "/staff/import",
                              {"file": (BytesIO(data), "f.csv"), "end_missing": "1"},
                              content_type="multipart/form-data").get_data(as_text=True))
    ended = page.split('id="import-ended"')[1].split("</section>")[0]
    assert "Abonnements à arrêter (absents du fichier, liste complète)" in ended
    assert said in ended
    assert "l'import arrêtera 1 abonnement(s) d'enfant(s) absent(s) du fichier" in page
    assert "absent(e) du fichier, son abonnement continue" not in page  # said as ended instead
    assert _subscribed(rt, "E2", date(2026, 11, 27))  # nothing written by the preview
    status = confirm_import(admin_client, page)
    assert status["state"] == "done", status
    assert not _subscribed(rt, "E2", date(2026, 11, 26)) and _subscribed(rt, "E2", TUE)
    assert _subscribed(rt, "E1", date(2026, 11, 26))
    done = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                         .get_data(as_text=True))
    assert "Abonnements arrêtés (absents du fichier, liste complète)" in done and said in done
    assert html.unescape(status["html"]) in done
    with rt.sessions() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "unsubscribe"))
        assert entry.actor == "staff:chef" and entry.channel == "import"
        (job,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "import"))
        assert job.detail is not None
        assert job.detail["end_missing"] is True and job.detail["ended"] == 1


def test_the_import_page_without_the_whole_list_box_ends_nothing_and_the_end_says_what_to_check(
    admin_client: Any, rt: Runtime
) -> None:
    """The finished screen did not repeat the « À vérifier » warnings of the preview: once the
    import ran, the child left out (still subscribed, counted and billed) was said nowhere."""
    data = _town_of_two(rt)
    page = check_file(admin_client, data)
    left_out = "1 dossier(s) avec des abonnements en cours absent(s) du fichier, inchangé(s) : 210002"
    assert left_out in page.split('id="import-warnings"')[1].split("</section>")[0]
    assert 'id="import-ended"' not in page and "l'import arrêtera" not in page
    status = confirm_import(admin_client, page)
    assert status["state"] == "done"
    assert _subscribed(rt, "E2", date(2026, 11, 26))
    done = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                         .get_data(as_text=True))
    warnings = done.split('id="import-warnings"')[1].split("</section>")[0]
    assert "À vérifier" in warnings and left_out in warnings
    assert 'id="import-ended"' not in done
    assert left_out in html.unescape(status["html"])  # the polling page gets them too


def test_the_import_preview_names_the_overdue_locks_its_check_took_as_the_cli_dry_run_does(
    admin_client: Any, rt: Runtime
) -> None:
    """The check takes the overdue locks of the schools a child leaves or joins (as the import
    would); the command line's dry run named them, the staff page did not."""
    make_family(rt, "210001", kids=[KidSpec("E1", "Léa")])  # Anjou, Mon Tue Thu Fri
    rt.locks.lock_day("anjou-elem", TUE)
    data = (HEADER + "210001;1234;+33612345678;Famille 210001;E1;Léa;Test;;darcy-elem;"
            "standard;lun mar jeu ven\n").encode()
    page = check_file(admin_client, data)
    said = ("Effectifs verrouillés en retard avant la vérification, et qui le restent (l'import "
            "les prendrait de même) : le planificateur ne l'avait pas fait à leur heure limite "
            ": École élémentaire Darcy le mardi 24 novembre.")
    assert said in page.split('id="import-late-locks"')[1].split("</p>")[0]
    assert rt.locks.get("darcy-elem", TUE) is not None  # taken, as said
    status = confirm_import(admin_client, page)
    assert status["state"] == "done"
    done = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                         .get_data(as_text=True))
    assert 'id="import-late-locks"' not in done  # the import itself took none: the check had


def test_the_whole_list_box_needs_an_admin_and_the_form_s_csrf_token(
    app: Flask, rt: Runtime
) -> None:
    from io import BytesIO

    data = _town_of_two(rt)
    make_user(rt, "marie", "staff")
    make_user(rt, "chef", "admin")
    agent = app.test_client()
    assert login(agent, "marie").status_code == 302
    refused = post(agent, "/staff/import", {"file": (BytesIO(data), "f.csv"), "end_missing": "1"},
                   content_type="multipart/form-data")
    assert refused.status_code == 403
    admin = app.test_client()
    assert login(admin, "chef").status_code == 302
    forged = admin.post("/staff/import", data={"file": (BytesIO(data), "f.csv"),
                                               "end_missing": "1", "csrf_token": "forged"},
                        content_type="multipart/form-data")
    assert forged.status_code == 400
    with rt.sessions() as s:
        from restomairie.models import PendingImport

        assert list(s.scalars(select(PendingImport))) == []
    assert _subscribed(rt, "E2", date(2026, 11, 26))


def test_the_import_page_says_a_weak_code_before_and_after_the_import_never_the_code(
    admin_client: Any, rt: Runtime
) -> None:
    """A file giving a family the code 0000 was checked and imported with nothing said: the
    codes are sealed before the trial, so the warning is told at the sealing."""
    make_family(rt, "210500", "1951", ("+33642880483",), [KidSpec("R5", "Rose")])
    data = (HEADER + "210500;0000;+33642880483;Famille 210500;R5;Rose;Test;;anjou-elem;"
            "standard;lun mar jeu ven\n"
            "310501;4826;06 98 76 54 32;Mme Neuve;C1;Léon;Neuve;;anjou-elem;standard;lun\n"
            ).encode()
    said = ("code secret trop facile à deviner (quatre fois le même chiffre, des chiffres qui se "
            "suivent ou une paire répétée) pour 1 dossier(s) : 210500 (ligne 2) ; importé tel "
            "quel : demandez à la famille d'en choisir un autre et importez-le")
    page = check_file(admin_client, data)
    assert said in page.split('id="import-warnings"')[1].split("</section>")[0]
    assert "Importer tout" in page  # said, not refused
    status = confirm_import(admin_client, page)
    assert status["state"] == "done"
    done = html.unescape(admin_client.get(f"/staff/import/jobs/{status['id']}")
                         .get_data(as_text=True))
    assert said in done.split('id="import-warnings"')[1].split("</section>")[0]
    for secret in ("0000", "1951", "4826"):
        assert secret not in page and secret not in done
    assert rt.booking.check_pin("210500", "0000").ok


def test_every_page_names_the_site_icon_and_favicon_ico_answers_it(
    app: Flask, rt: Runtime, staff_client: Any
) -> None:
    """Browsers ask for /favicon.ico on every page load: a real icon, not a 404 in the log; the
    pages link the SVG one, which their Content-Security-Policy lets them load."""
    with app.test_client().get("/favicon.ico") as icon:  # (a file sent: closed after)
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    with app.test_client().get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    link = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    for client, url in ((staff_client, "/staff/"), (app.test_client(), "/staff/login"),
                        (app.test_client(), "/kitchen/"), (app.test_client(), "/"),
                        (app.test_client(), "/nowhere")):
        page = client.get(url)
        assert link in page.get_data(as_text=True), url
        policy = page.headers["Content-Security-Policy"]
        assert "img-src 'self'" in policy, url
