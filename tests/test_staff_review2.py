"""The back office after the billing centre's second review: the family in every audit entry,
the lockout kept on the family page, training calls marked in the export, no full number on
the training phone page, what the "Issue" column says, lists that say they are cut, one rule
for "en cours", no error 500 on out-of-range input, withheld numbers searchable, French
wording."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from restomairie.models import AuditEntry, Closure
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app
from tests.staff_support import agent_with_a_family, post, started_call

PHONE = "+33612345678"
STRANGER = "+33198765432"
THU = date(2026, 11, 26)


@pytest.fixture
def app(rt: Runtime) -> Flask:
    return line_app(rt)


@pytest.fixture
def staff(rt: Runtime) -> StaffService:
    return StaffService(rt.booking)


@pytest.fixture
def agent(app: Flask, rt: Runtime) -> Any:
    return agent_with_a_family(app, rt, PHONE)


def call(app: Flask, rt: Runtime, number: str = PHONE) -> Caller:
    return started_call(app, rt, number)


def body(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return str(response.get_data(as_text=True))


# ------------------------------------------------------------------ 8. out-of-range input
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/staff/calls?day=0001-01-01", "Date hors limites (jour) : 0001-01-01"),
        ("/staff/calls?day=9999-12-31", "Date hors limites (jour) : 9999-12-31"),
        ("/staff/calls?day=31/12/9999", "Date hors limites (jour) : 31/12/9999"),
        ("/staff/audit?start=0001-01-01", "Date hors limites (du) : 0001-01-01"),
        ("/staff/audit?end=9999-12-31", "Date hors limites (au) : 9999-12-31"),
        ("/staff/families/210001/children/E1?month=9999-12", "Mois hors limites : 9999-12"),
        ("/staff/families/210001/children/E1?month=0001-01", "Mois hors limites : 0001-01"),
    ],
)
def test_an_out_of_range_date_is_a_400_in_french(agent: Any, url: str, message: str) -> None:
    assert message in body(agent, url, 400)


@pytest.mark.parametrize("url", ["/staff/calls", "/staff/audit"])
def test_a_huge_page_number_is_the_last_page_not_an_error(
    app: Flask, rt: Runtime, agent: Any, url: str
) -> None:
    call(app, rt).hang_up()
    page = body(agent, url + "?page=99999999999999999999")
    assert "page 100000" not in page  # one page of results: no pager, and no crash
    assert "Aucun" in page


def test_out_of_range_form_input_is_refused_not_a_500(agent: Any, rt: Runtime) -> None:
    far = post(agent, "/staff/families/210001/subscription",
               {"start": "9999-12-31", "child": "E1", "weekdays": "0"}, follow_redirects=True)
    assert far.status_code == 200
    assert "Date hors limites (début) : 9999-12-31" in far.get_data(as_text=True)
    odd = post(agent, "/staff/families/210001/subscription",
               {"start": "2026-12-07", "child": "E1", "weekdays": "²"}, follow_redirects=True)
    assert odd.status_code == 200  # "²" is no weekday: ignored like any other non-digit
    assert post(agent, "/staff/closures/99999999999999999999/lift").status_code == 404
    with rt.sessions() as s:
        assert s.scalars(select(Closure)).all() == []


# ------------------------------------------------------------------ 9. withheld numbers
@pytest.mark.parametrize("query", ["anonyme", "masqué", "anonymous", " Numéro  masqué ", "+266696687"])
def test_calls_from_withheld_numbers_can_be_searched(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService, query: str
) -> None:
    hidden = [call(app, rt, n) for n in ("anonymous", "+266696687", "Restricted")]
    call(app, rt).hang_up()
    rows, total = staff.search_calls(phone=query)
    assert total == 3 and {r.call_sid for r in rows} == {c.call_sid for c in hidden}
    page = body(agent, f"/staff/calls?phone={query}")
    assert "3 appel(s)" in page and "incomplet" not in page


# ------------------------------------------------------------------ 4. the "Issue" column
def test_the_issue_column_says_what_the_caller_lived(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    from restomairie.booking.services import Actor

    rt.booking.cancel("210001", [THU], Actor("staff", "marie", "staff"))
    call(app, rt).keys("0000", "1111", "2222")  # three wrong codes: goodbye
    fifth = call(app, rt)
    fifth.keys("3333", "4444")  # the fifth locks the account: told so
    locked = [call(app, rt)]
    locked[0].keys("1234")  # refused: locked
    locked[0].hang_up()
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=20)  # the lockout is over
    late = call(app, rt)
    late.keys("1234", "2", "2411", "2")  # a deadline refusal, goodbye
    late.hang_up()
    nothing = call(app, rt)
    nothing.keys("1234", "2", "2611")  # "rien à annuler": already cancelled
    nothing.keys("2")  # goodbye
    nothing.hang_up()
    half = call(app, rt)
    half.keys("1234", "2", "3011", "1", "1", "2", "0112")  # one cancelled, the next read back
    half.hang_up()

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[locked[0].call_sid].summary == "accès bloqué"
    assert rows[fifth.call_sid].summary == "accès bloqué"
    assert rows[late.call_sid].summary == "refusé"
    assert rows[nothing.call_sid].summary == "rien à changer"
    assert rows[half.call_sid].summary == "annulation, raccroché à la relecture"
    blocked = [r.call_sid for r in staff.search_calls(outcome="blocked")[0]]
    assert blocked == [locked[0].call_sid, fifth.call_sid]
    assert locked[0].call_sid not in [r.call_sid for r in staff.search_calls(outcome="refused")[0]]
    assert late.call_sid in [r.call_sid for r in staff.search_calls(outcome="refused")[0]]
    page = body(agent, "/staff/calls?outcome=blocked")
    assert '<option value="blocked" selected>accès bloqué</option>' in page
    assert "2 appel(s)" in page and "accès bloqué" in page.split('id="calls"')[1]


def test_a_page_of_calls_reads_its_facts_in_a_fixed_number_of_queries(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    from sqlalchemy import event

    def count(n: int) -> int:
        for _ in range(n):
            c = call(app, rt)
            c.keys("1234", "2", "2611")
            c.hang_up()
        seen: list[str] = []

        def on(*args: Any) -> None:
            seen.append(str(args[2]))

        event.listen(rt.engine, "before_cursor_execute", on)
        try:
            staff.search_calls()
        finally:
            event.remove(rt.engine, "before_cursor_execute", on)
        return len(seen)

    assert count(2) == count(6)


def test_the_home_page_counts_lockouts_apart_from_refusals(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    late = call(app, rt)
    late.keys("1234", "2", "2311")  # today: too late, a refusal
    late.hang_up()
    for codes in (("0000", "0001", "0002"), ("0003", "0004")):  # the fifth locks the family
        caller = call(app, rt)
        for code in codes:
            caller.press(code)
    assert staff.overview()["by_outcome"] == {"abandoned": 1, "blocked": 1, "refused": 1}


# ------------------------------------------------------------------ 7. "en cours", one rule
def test_en_cours_means_the_same_on_the_home_page_the_rows_and_the_filter(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    old = call(app, rt)
    old.press("1234")  # no status callback, ever
    rt.clock.frozen = rt.clock.now() + timedelta(hours=2)
    now = call(app, rt)
    now.press("1234")
    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[old.call_sid].summary == "fin non signalée"
    assert rows[now.call_sid].summary == "en cours"
    assert [r.call_sid for r in staff.search_calls(outcome="in_progress")[0]] == [now.call_sid]
    assert [r.call_sid for r in staff.search_calls(outcome="no_end")[0]] == [old.call_sid]
    assert staff.overview()["by_outcome"] == {"in_progress": 1, "no_end": 1}
    home = body(agent, "/staff/").split('id="calls-today"')[1].split("</ul>")[0]
    assert "en cours</a> : 1" in home and "fin non signalée</a> : 1" in home
    assert "outcome=no_end" in home


# ------------------------------------------------------------------ 1. the family in the audit
def lock(app: Flask, rt: Runtime) -> Caller:
    """Lock the family's phone access (five wrong codes); the call that locked it."""
    call(app, rt).keys("0000", "1111", "2222")
    fifth = call(app, rt, STRANGER)
    fifth.keys("210001#", "3333", "4444")
    return fifth


def audit_row(page: str, action_label: str) -> str:
    table = page.split('class="list history"')[1]
    (row,) = [r for r in table.split("<tr")[1:] if f"<td>{action_label}</td>" in r]
    return row


def test_the_audit_says_which_family_for_lockouts_unlocks_and_exports(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    fifth = lock(app, rt)
    refused = post(agent, "/staff/families/210001/unlock", {"reason": "  "},
                   follow_redirects=True)
    assert "Le déblocage demande un motif." in refused.get_data(as_text=True)
    with rt.sessions() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "phone_unlock")).all() == []
    post(agent, "/staff/families/210001/unlock", {"reason": "parent rappelé au 06 du dossier"})
    assert post(agent, "/staff/families/210001/export").status_code == 200

    page = body(agent, "/staff/audit")
    assert "<th>Dossier</th>" in page
    family_link = '<a href="/staff/families/210001">210001</a>'
    lockout = audit_row(page, "accès téléphone bloqué")
    assert family_link in lockout
    assert "bloqué jusqu'au 23/11/2026 10:15:00" in lockout
    assert f'href="/staff/calls/{fifth.call_sid}"' in lockout
    unlock = audit_row(page, "accès téléphone débloqué")
    assert family_link in unlock and "motif :</strong> parent rappelé au 06 du dossier" in unlock
    assert family_link in audit_row(page, "export des données")
    with rt.sessions() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "phone_unlock"))
    assert entry.detail["reason"] == "parent rappelé au 06 du dossier"
    assert "210001" in body(agent, "/staff/audit?account=210001&action=phone_unlock")


# ------------------------------------------------------------------ 2. training calls in the export
def test_the_export_marks_training_calls_and_their_changes_and_speaks_paris_time(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    import json
    import re

    from restomairie.staff.accounts import AccountService

    training = call(app, rt)
    AccountService(rt.sessions, rt.clock).record(
        "staff:marie", "training_call", call_sid=training.call_sid, detail={"from": PHONE})
    training.keys("1234", "2", "2611", "1", "2")
    training.hang_up()
    own = call(app, rt)
    own.keys("1234", "1", "2611", "1", "2")  # the family books it back, itself
    own.hang_up()
    lock(app, rt)

    response = post(agent, "/staff/families/210001/export")
    data = json.loads(response.get_data(as_text=True))
    calls = {c["call_sid"]: c for c in data["calls"]}
    assert calls[training.call_sid]["training_by"] == "staff:marie"
    assert "training_by" not in calls[own.call_sid]
    changes = {e["call_sid"]: e for e in data["audit"] if e["action"] in ("book", "cancel")}
    assert changes[training.call_sid]["training_by"] == "staff:marie"
    assert changes[training.call_sid]["actor"] == "family:210001"  # as recorded: the real line
    assert "training_by" not in changes[own.call_sid]

    times = re.findall(r'"\d{4}-\d\d-\d\dT[^"]*"', response.get_data(as_text=True))
    assert times and all(t.endswith('+01:00"') for t in times), times
    (lockout,) = [e for e in data["audit"] if e["action"] == "phone_lockout"]
    assert lockout["detail"]["until"] == "2026-11-23T10:15:00+01:00"


# ------------------------------------------------------------------ 3. no whole number on /staff/phone
def test_the_training_phone_page_holds_no_whole_number_and_calls_as_a_family(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    import re

    from tests.staff_support import csrf

    for i in range(13):
        make_family(rt, f"3000{i:02d}", "1234", (f"+336000000{i:02d}",), (KidSpec(f"K{i}", "Zoé"),))
    page = body(agent, "/staff/phone")
    assert not re.search(r"\+?33\s?6\d{8}|\b06\d{8}\b", page), "a whole number in the page"
    assert '<option value="210001" selected>210001 — ' in page and "+33 6 •• •• •• 78" in page

    def place(payload: dict[str, str]) -> Any:
        return agent.post("/staff/phone/call", json=payload, headers={"X-CSRF-Token": csrf(agent)})

    answer = place({"account": "210001"})
    assert answer.status_code == 200 and answer.get_json()["from"] == "+33 6 •• •• •• 78"
    said = " ".join(p["text"] for v in answer.get_json()["script"] for p in v.get("prompts", []))
    assert "code secret" in said and "numéro de dossier" not in said  # recognised by its number
    with rt.sessions() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "training_call"))
    assert entry.detail == {"from": PHONE}
    unknown = place({"account": "999999"})
    assert unknown.status_code == 400 and "Dossier inconnu" in unknown.get_json()["error"]
    assert place({"from": "06 00 00 00 01"}).get_json()["from"] == "+33 6 •• •• •• 01"


# ------------------------------------------------------------------ 5. lists that say they are cut
def test_the_family_and_child_pages_say_how_many_they_show_and_link_the_rest(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    from restomairie.models import Child, Family

    for _ in range(21):
        call(app, rt).hang_up()
    with rt.sessions() as s, s.begin():
        fam = s.scalars(select(Family).where(Family.account == "210001")).one()
        child = s.scalars(select(Child).where(Child.ref == "E1")).one()
        for i in range(201):
            s.add(AuditEntry(at=rt.clock.now(), actor="staff:marie", channel="staff",
                             action="book", family_id=fam.id, child_id=child.id,
                             day=THU, before=None, after="booked", detail={"n": i}))
    page = body(agent, "/staff/families/210001")
    calls = page.split('id="calls-shown"')[1].split("</p>")[0]
    assert "Les 20 derniers appels sur 21" in calls
    assert 'href="/staff/calls?account=210001"' in calls
    history = page.split('id="history-shown"')[1].split("</p>")[0]
    assert "Les 100 derniers changements sur 201" in history
    assert 'href="/staff/audit?account=210001"' in history
    child_page = body(agent, "/staff/families/210001/children/E1")
    assert "Les 200 derniers changements sur 201" in child_page
    assert "201 entrée(s)" in body(agent, "/staff/audit?account=210001")
    assert "21 appel(s)" in body(agent, "/staff/calls?account=210001")


# ------------------------------------------------------------------ 6. the lockout stays shown
def test_the_latest_lockout_stays_on_the_family_page_once_over(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    fifth = lock(app, rt)
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=5)
    refused = call(app, rt)
    refused.keys("1234")  # refused while locked
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=30)  # it ran out
    after = call(app, rt)
    after.keys("5555")  # one more wrong code, after it
    after.hang_up()

    lockout = staff.phone_lockout("210001")
    assert lockout is not None and not lockout.active and lockout.lifted_at is None
    assert fifth.call_sid in [r.call_sid for r in lockout.causes]
    assert [r.call_sid for r in lockout.blocked] == [refused.call_sid]
    facts = body(agent, "/staff/families/210001").split('id="lockout"')[1].split("</dd>")[0]
    assert "a été bloqué le 23/11/2026 10:00:00 jusqu'au 23/11/2026 10:15:00" in facts
    assert '<strong class="expired">expiré</strong>' in facts
    assert fifth.call_sid in facts and refused.call_sid in facts
    assert after.call_sid not in facts
    assert "Débloquer" not in facts


def test_a_lockout_lifted_by_staff_says_who_when_and_why(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    lock(app, rt)
    post(agent, "/staff/families/210001/unlock", {"reason": "parent rappelé"})
    facts = body(agent, "/staff/families/210001").split('id="lockout"')[1].split("</dd>")[0]
    assert ("débloqué</strong> le 23/11/2026 10:00:00 par staff:marie (motif : parent rappelé)"
            in facts)


# ------------------------------------------------------------------ 10. wording
def test_menus_and_language_read_in_french(app: Flask, rt: Runtime, agent: Any) -> None:
    make_family(rt, "210002", "1234", ("+33611111111",),
                (KidSpec("P1", "Margaux", diet="pai"), KidSpec("P2", "Nathan", diet="sans_porc"),
                 KidSpec("P3", "Rose", diet="vegetarien")), language="en")
    page = body(agent, "/staff/families/210002")
    children = page.split('id="children"')[1].split("</table>")[0]
    for label in ("<td>Panier repas (PAI)</td>", "<td>Sans porc</td>", "<td>Végétarien</td>"):
        assert label in children, label
    for raw in ("<td>pai</td>", "<td>sans_porc</td>", "<td>vegetarien</td>"):
        assert raw not in children
    assert "<dt>Langue</dt><dd>anglais</dd>" in page
    assert "Menu : Panier repas (PAI)" in body(agent, "/staff/families/210002/children/P1")
    assert "<dt>Langue</dt><dd>français</dd>" in body(agent, "/staff/families/210001")


def test_the_lines_prompts_are_labelled_with_the_question_they_ask(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    make_family(rt, "210002", "1234", ("+33611111111",),
                (KidSpec("P1", "Margaux"), KidSpec("P2", "Nathan")))
    caller = call(app, rt, "+33611111111")
    caller.keys("1234", "1", "3", "2")
    caller.hang_up()
    page = body(agent, f"/staff/calls/{caller.call_sid}")
    timeline = page.split('id="timeline"')[1]
    assert "<strong>Ligne</strong> (choix de l&#39;enfant) : Pour Margaux, tapez 1" in timeline
    assert "(code secret) : Pour Margaux" not in timeline
    assert "(secours (Twilio))" not in timeline and "(fin d&#39;appel (Twilio))" not in timeline
    # no answer follows: plain "Ligne"
    assert "<strong>Ligne</strong> : Merci de votre appel. Au revoir." in timeline
