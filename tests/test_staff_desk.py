"""What the billing centre needs when a parent says "mais j'ai bien annulé !", end to end through
the staff pages: the deadline beside each change, the calls from the family's own number that
never got to the code, a family search that ignores accents, closures that cannot close nothing
or un-bill the past by surprise, and the reason staff type kept with their change."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from restomairie.clock import PARIS
from restomairie.models import AuditEntry, Child, Closure, Family
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import line_app
from tests.staff_support import agent_with_a_family, page_text, post, started_call

PHONE = "+33612345678"
OTHER = "+33698765432"
THU = date(2026, 11, 26)


@pytest.fixture
def app(rt: Runtime) -> Flask:
    return line_app(rt)


@pytest.fixture
def agent(app: Flask, rt: Runtime) -> Any:
    return agent_with_a_family(app, rt, PHONE)


def queries(rt: Runtime, read: Any) -> int:
    seen: list[str] = []

    def on(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(rt.engine, "before_cursor_execute", on)
    try:
        read()
    finally:
        event.remove(rt.engine, "before_cursor_execute", on)
    return len(seen)


# ------------------------------------------------------------------ calls from the family's number
def test_a_call_from_the_familys_number_while_the_line_is_closed_is_on_its_page(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, 20, 0, tzinfo=PARIS)  # the line closes at 13:00
    closed = started_call(app, rt, PHONE)
    closed.hang_up()
    stranger = started_call(app, rt, OTHER)  # a number no family has
    stranger.hang_up()
    page = page_text(agent.get("/staff/families/210001"))
    assert closed.call_sid in agent.get("/staff/families/210001").get_data(as_text=True)
    assert "ligne fermée (numéro de la famille, code non saisi)" in page
    assert "1 appel(s)" in page
    log = agent.get("/staff/calls?account=210001").get_data(as_text=True)
    assert closed.call_sid in log and stranger.call_sid not in log
    assert "numéro de la famille, code non saisi" in log
    # The call itself names the family whose number it came from, never as verified.
    detail = page_text(agent.get(f"/staff/calls/{closed.call_sid}"))
    assert ("Famille non identifiée — appel depuis un numéro enregistré : 210001 (numéro de la "
            "famille, code non saisi)") in detail
    assert "code non vérifié" not in detail
    # The whole log says it too; the stranger's call stays unidentified.
    whole = agent.get("/staff/calls").get_data(as_text=True)
    row = whole.split(stranger.call_sid)[0].rsplit("<tr", 1)[-1]
    assert "code non saisi" not in row


def test_a_right_code_is_still_verified_and_a_typed_account_still_unverified(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    right = started_call(app, rt, PHONE)
    right.keys("1234", "3")
    right.hang_up()
    wrong = started_call(app, rt, PHONE)
    wrong.keys("0000")
    wrong.hang_up()
    page = agent.get("/staff/families/210001").get_data(as_text=True)
    assert "by-number" not in page  # both got to the code: neither is "by number"
    assert page.count("(code non vérifié)") == 1


def test_a_call_says_how_its_family_was_found(app: Flask, rt: Runtime, agent: Any) -> None:
    # "I never booked that": a call from the family's own number read like one from a number
    # that is not theirs, where the account number was typed with the right code.
    mine = started_call(app, rt, PHONE)
    mine.keys("1234", "3")
    mine.hang_up()
    other = started_call(app, rt, "+33380000099")
    other.keys("210001#", "1234", "3")
    other.hang_up()
    assert "(numéro appelant enregistré au dossier, code vérifié)" in page_text(
        agent.get(f"/staff/calls/{mine.call_sid}"))
    assert ("(numéro de dossier tapé depuis un numéro qui n'est pas enregistré au dossier ; code "
            "vérifié)") in page_text(agent.get(f"/staff/calls/{other.call_sid}"))


def test_a_call_from_a_withheld_number_says_so_not_a_number_not_the_familys(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    hidden = started_call(app, rt, "anonymous")
    hidden.keys("210001#", "1234", "3")
    hidden.hang_up()
    page = page_text(agent.get(f"/staff/calls/{hidden.call_sid}"))
    assert "(numéro de dossier tapé depuis un numéro masqué ; code vérifié)" in page
    assert "pas enregistré au dossier" not in page


def test_a_number_shared_by_two_families_lists_the_call_under_each_and_says_so(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    make_family(rt, "210002", "5678", (PHONE,), (KidSpec("E9", "Zoé"),))
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, tzinfo=PARIS)  # "j'ai appelé à 13h"
    closed = started_call(app, rt, PHONE)
    closed.hang_up()
    for account in ("210001", "210002"):
        page = page_text(agent.get(f"/staff/families/{account}"))
        assert ("numéro de la famille, code non saisi — numéro partagé par 2 dossiers : "
                "210001, 210002") in page
        assert closed.call_sid in agent.get(f"/staff/calls?account={account}").get_data(
            as_text=True)
    detail = page_text(agent.get(f"/staff/calls/{closed.call_sid}"))
    assert "210001, 210002 (numéro de la famille, code non saisi — numéro partagé par 2 " \
        "dossiers)" in detail


def test_the_calls_from_the_familys_number_are_read_in_a_fixed_number_of_queries(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, 20, 0, tzinfo=PARIS)

    def count(n: int) -> int:
        for _ in range(n):
            started_call(app, rt, PHONE).hang_up()
        return queries(rt, lambda: (
            agent.get("/staff/families/210001"), agent.get("/staff/calls?account=210001"),
            agent.get("/staff/calls")))

    assert count(1) == count(4)


# ------------------------------------------------------------------ family search
@pytest.fixture
def accented(rt: Runtime) -> None:
    make_family(rt, "210500", "1951", ("+33642880483",),
                (KidSpec("M1", "Margaux"), KidSpec("N1", "Nathan")))
    make_family(rt, "210502", "8414", ("+33685592988",), (KidSpec("T1", "Éloïse"),))
    with rt.sessions() as s, s.begin():
        s.execute(update(Family).where(Family.account == "210500").values(guardian="Mme Martin"))
        s.execute(update(Family).where(Family.account == "210502")
                  .values(guardian="Mme Bérénice Thomas"))
        s.execute(update(Child).where(Child.ref == "N1").values(last_name="Martin"))
        s.execute(update(Child).where(Child.ref == "T1").values(last_name="Lefèvre"))


@pytest.mark.parametrize("q, found", [
    ("Éloïse", ["210502"]), ("éloïse", ["210502"]), ("Eloise", ["210502"]),
    ("ELOÏSE", ["210502"]), ("ÉLOÏSE", ["210502"]), ("loïse", ["210502"]),
    ("lefevre", ["210502"]), ("berenice", ["210502"]), ("BÉRÉNICE thomas", ["210502"]),
    ("210 500", ["210500"]), (" 210500 ", ["210500"]), ("martin nathan", ["210500"]),
    ("Nathan Martin", ["210500"]), ("martin éloïse", []), ("2105", ["210500", "210502"]),
    ("T1", ["210502"]), ("06 42 88 04 83", ["210500"]), ("%", []), ("_", []),
])
def test_the_family_search_ignores_accents_case_and_spaces_and_matches_each_word(
    agent: Any, accented: None, q: str, found: list[str]
) -> None:
    page = agent.get("/staff/families", query_string={"q": q}).get_data(as_text=True)
    rows = re.findall(r'<td><a href="/staff/families/(\d+)">', page)
    assert rows == found


def test_the_call_log_takes_an_account_typed_with_spaces(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    caller = started_call(app, rt, PHONE)
    caller.keys("1234", "3")
    caller.hang_up()
    response = agent.get("/staff/calls", query_string={"account": "210 001"})
    assert response.status_code == 200
    assert caller.call_sid in response.get_data(as_text=True)
    audit = agent.get("/staff/audit", query_string={"account": " 210 001 "})
    assert audit.status_code == 200


# ------------------------------------------------------------------ the deadline beside each change
def cancelled_on_the_phone(app: Flask, rt: Runtime, at: datetime, day: str) -> str:
    rt.clock.frozen = at
    caller = started_call(app, rt, PHONE)
    caller.keys("1234", "2", day, "1")
    caller.hang_up()
    return caller.call_sid


def test_each_change_shows_the_deadline_that_applied_and_whether_it_was_met(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    # Thursday 26/11: until Monday 23/11 at 13:00; cancelled at 12:59:59, in time.
    sid = cancelled_on_the_phone(app, rt, datetime(2026, 11, 23, 12, 59, 59, tzinfo=PARIS),
                                 "2611")
    # Staff at 13:05: Tuesday 24/11 (its deadline was Friday 20/11) forced with a reason,
    # Friday 27/11 (until Tuesday 24/11) in time.
    rt.clock.frozen = datetime(2026, 11, 23, 13, 5, tzinfo=PARIS)
    post(agent, "/staff/families/210001/change", {
        "action": "cancel", "child": "E1", "day": "2026-11-24", "override": "1",
        "reason": "maladie signalée à l'école"})
    post(agent, "/staff/families/210001/change", {
        "action": "cancel", "child": "E1", "day": "2026-11-27"})
    in_time = "date limite : lundi 23/11 à 13:00 — dans les délais"
    forced = "date limite : vendredi 20/11 à 13:00 — après la date limite (forçage)"
    staff_in_time = "date limite : mardi 24/11 à 13:00 — dans les délais"
    call_page = page_text(agent.get(f"/staff/calls/{sid}"))
    assert "26/11/2026 " + in_time in call_page
    for url in ("/staff/families/210001", "/staff/families/210001/children/E1",
                "/staff/audit", "/staff/audit?account=210001"):
        page = page_text(agent.get(url))
        assert "26/11/2026 " + in_time in page, url
        assert "24/11/2026 " + forced in page, url
        assert "27/11/2026 " + staff_in_time in page, url
    # Entries that are not a booking change have none (a login, a subscription of the import).
    audit = agent.get("/staff/audit?action=login").get_data(as_text=True)
    assert "date limite" not in audit


def test_the_deadlines_cost_no_query_per_change(app: Flask, rt: Runtime, agent: Any) -> None:
    days = iter(["2611", "2711", "3011", "0112", "0312", "0412"])

    def count(n: int) -> int:
        for _ in range(n):
            cancelled_on_the_phone(app, rt, datetime(2026, 11, 23, 9, 0, tzinfo=PARIS),
                                   next(days))
        return queries(rt, lambda: (agent.get("/staff/audit"),
                                    agent.get("/staff/families/210001"),
                                    agent.get("/staff/families/210001/children/E1")))

    assert count(1) == count(3)


# ------------------------------------------------------------------ a reason without "forcer"
def test_a_reason_given_without_forcing_is_kept_in_the_audit(agent: Any, rt: Runtime) -> None:
    done = post(agent, "/staff/families/210001/change", {
        "action": "cancel", "child": "E1", "day": "2026-11-27",
        "reason": "maladie signalée par la mère"}, follow_redirects=True)
    assert "motif noté : maladie signalée par la mère" in page_text(done)
    post(agent, "/staff/families/210001/subscription", {
        "child": "E1", "mode": "set", "weekdays": ["0", "3"], "start": "2026-12-07",
        "reason": "demande écrite du 20/11"})
    with rt.sessions() as s:
        details = {e.action: e.detail for e in s.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("cancel", "subscribe"))))}
    assert details == {"cancel": {"reason": "maladie signalée par la mère"},
                       "subscribe": {"reason": "demande écrite du 20/11"}}
    for url in ("/staff/families/210001", "/staff/audit"):
        page = page_text(agent.get(url))
        assert "motif : maladie signalée par la mère" in page
        assert "motif : demande écrite du 20/11" in page


# ------------------------------------------------------------------ closures
def closures_in_store(rt: Runtime) -> list[Closure]:
    with rt.sessions() as s:
        return list(s.scalars(select(Closure)))


@pytest.mark.parametrize("form, why", [
    ({"first_day": "2026-11-25", "school": ""},
     "Aucun jour de cantine à fermer le mercredi 25 novembre 2026 dans aucune école (la cantine "
     "ne fonctionne jamais le mercredi)"),
    ({"first_day": "2026-12-21", "last_day": "2026-12-31", "school": "anjou-elem"},
     "Aucun jour de cantine à fermer du lundi 21 décembre 2026 au jeudi 31 décembre 2026 pour "
     "« École élémentaire Anjou » (vacances de Noël; Noël)"),  # its Wednesdays, weekend too
])
def test_a_closure_without_a_canteen_day_is_refused_and_nothing_is_written(
    agent: Any, rt: Runtime, form: dict[str, str], why: str
) -> None:
    page = page_text(post(agent, "/staff/closures", {**form, "kind": "strike"},
                     follow_redirects=True))
    assert why in page and "aucune fermeture n'a été enregistrée" in page
    assert "Fermeture enregistrée" not in page
    assert closures_in_store(rt) == []


def test_a_closure_already_declared_is_not_declared_twice(agent: Any, rt: Runtime) -> None:
    form = {"first_day": "2026-11-26", "school": "", "kind": "strike"}
    assert "Fermeture enregistrée" in page_text(post(agent, "/staff/closures", form,
                                                follow_redirects=True))
    again = page_text(post(agent, "/staff/closures", form, follow_redirects=True))
    assert "Aucun jour de cantine à fermer le jeudi 26 novembre 2026" in again
    assert "fermeture : grève" in again
    assert len(closures_in_store(rt)) == 1


def test_a_closure_reaching_into_the_past_needs_a_confirmation_saying_what_it_unbills(
    agent: Any, rt: Runtime
) -> None:
    form = {"first_day": "2026-10-01", "school": "", "kind": "other", "note": "erreur cuisine"}
    asked = post(agent, "/staff/closures", form, follow_redirects=True)
    page = page_text(asked)
    assert ("Cette fermeture comprend 1 jour(s) de cantine déjà passé(s) (le jeudi 1er octobre "
            "2026) : 1 repas réservé(s) ces jours-là ne seraient plus facturé(s)") in page
    assert "Fermeture enregistrée" not in page
    assert closures_in_store(rt) == []
    # The form comes back filled, with the box to tick; ticked, the closure is made.
    html = asked.get_data(as_text=True)
    assert 'name="confirm_past" value="1"' in html and 'value="2026-10-01"' in html
    assert "Je confirme : 1 jour(s) déjà passé(s), 1 repas réservé(s)" in page
    done = page_text(post(agent, "/staff/closures", {**form, "confirm_past": "1"},
                     follow_redirects=True))
    assert "Fermeture enregistrée (erreur cuisine) : 1 jour(s) de cantine fermé(s), 1 repas" in done
    assert len(closures_in_store(rt)) == 1


def test_a_closure_from_today_on_needs_no_confirmation(agent: Any, rt: Runtime) -> None:
    done = page_text(post(agent, "/staff/closures", {
        "first_day": "2026-11-23", "last_day": "2026-11-24", "school": "", "kind": "strike"},
        follow_redirects=True))
    assert "Fermeture enregistrée (grève) : 2 jour(s) de cantine fermé(s)" in done
