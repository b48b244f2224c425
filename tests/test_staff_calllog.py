"""The call log as the billing centre reads it, over calls driven through the real phone line:
every outcome of a call, calls with wrong codes and the lockout, the end at the read-back,
French labels for every code, calls without a status callback, withheld numbers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from restomairie.models import AuditEntry, Family
from restomairie.runtime import Runtime
from restomairie.staff.labels import event_label
from restomairie.staff.services import StaffService
from tests.ivr_support import Caller, line_app, post_signed
from tests.staff_support import agent_with_a_family, post, started_call

PHONE = "+33612345678"
STRANGER = "+33198765432"
THU = date(2026, 11, 26)
# Codes the line logs that must never reach a staff page as they are.
RAW = ("caller_id", "right_code", "read_back:", "refused:", "nothing_to_do", "other_date",
       "wrong_code", "status — completed", "greeting —", "(confirm)", "(pin)", ">cancelled<",
       ">abandoned<", ">refused<")


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


def sids(staff: StaffService, **kw: Any) -> list[str]:
    rows, total = staff.search_calls(**kw)
    assert total == len(rows)
    return [r.call_sid for r in rows]


def body(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response.get_data(as_text=True))


def no_raw_codes(page: str) -> None:
    main = page.split("<main>")[1]
    for raw in RAW:
        assert raw not in main, raw


# ------------------------------------------------------------------ 1. every outcome of a call
def test_a_call_that_cancelled_then_booked_is_found_as_both_and_says_both(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    both = call(app, rt)
    both.keys("1234", "2", "2611", "1")  # cancel Thursday
    both.keys("1", "1", "2611", "1", "2")  # another operation: book it back, goodbye
    both.hang_up()
    refused = call(app, rt)
    refused.keys("1234", "2", "2411")  # Tuesday: too late
    refused.keys("2611", "1", "2")  # then Thursday, cancelled
    refused.hang_up()
    listened = call(app, rt)
    listened.keys("1234", "3", "2")
    listened.hang_up()

    assert sids(staff, outcome="cancelled") == [refused.call_sid, both.call_sid]
    assert sids(staff, outcome="booked") == [both.call_sid]
    assert sids(staff, outcome="refused") == [refused.call_sid]
    assert sids(staff, outcome="listened") == [listened.call_sid]
    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[both.call_sid].outcome == "booked"  # the call keeps its strongest outcome…
    assert rows[both.call_sid].did == ("cancelled", "booked")  # …the log shows everything
    assert rows[both.call_sid].summary == "annulation, réservation"
    assert rows[refused.call_sid].summary == "refusé, annulation"
    assert rows[listened.call_sid].summary == "consultation"

    page = body(agent, "/staff/calls?outcome=cancelled")
    assert "annulation, réservation" in page and "refusé, annulation" in page
    assert "2 appel(s)" in page
    family = body(agent, "/staff/families/210001")
    assert "annulation, réservation" in family
    no_raw_codes(family)


def test_a_change_in_the_audit_log_finds_its_call_even_without_its_step(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    from restomairie.booking.services import Actor

    quiet = call(app, rt)
    quiet.hang_up()  # abandoned, as far as its steps say
    rt.booking.cancel("210001", [THU], Actor("family", "210001", "phone", quiet.call_sid))
    assert sids(staff, outcome="cancelled") == [quiet.call_sid]
    assert sids(staff, outcome="booked") == []
    assert staff.search_calls()[0][0].summary == "annulation, abandon"


# ------------------------------------------------------------------ 2. wrong codes, lockout
def test_calls_with_wrong_codes_are_shown_with_the_family_as_not_verified(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    typed = call(app, rt, STRANGER)
    typed.keys("210001#", "0000")
    typed.hang_up()
    matched = call(app, rt)  # caller ID: the account is known before any code
    matched.keys("9999")
    matched.hang_up()
    right = call(app, rt)
    right.keys("1234", "3", "2")
    right.hang_up()
    other = call(app, rt, STRANGER)  # an unknown account typed: nobody's
    other.keys("999999#")
    other.hang_up()

    assert sids(staff, account="210001") == [right.call_sid, matched.call_sid, typed.call_sid]
    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert (rows[typed.call_sid].account, rows[typed.call_sid].verified) == ("210001", False)
    assert (rows[right.call_sid].account, rows[right.call_sid].verified) == ("210001", True)
    assert rows[other.call_sid].account is None
    listing = body(agent, "/staff/calls?account=210001")
    assert listing.count("(code non vérifié)") == 2
    family = body(agent, "/staff/families/210001")
    calls_table = family.split("<h2>Appels</h2>")[1].split("<h2>")[0]
    for sid in (typed.call_sid, matched.call_sid, right.call_sid):
        assert sid in calls_table
    assert other.call_sid not in calls_table
    assert calls_table.count('class="unverified">(code non vérifié)') == 2
    page = body(agent, f"/staff/calls/{typed.call_sid}")
    assert "(code non vérifié — numéro de dossier tapé)" in page
    assert "code erroné" in page
    page = body(agent, f"/staff/calls/{matched.call_sid}")
    assert "(code non vérifié — dossier reconnu par le numéro appelant)" in page


def test_a_lockout_shows_the_calls_that_caused_it_and_staff_can_lift_it(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    earlier = call(app, rt)
    earlier.keys("1111", "1234", "2")  # a wrong code, then the right one: the count restarts
    first = call(app, rt)
    first.keys("0000", "1111", "2222")  # three wrong codes: goodbye
    second = call(app, rt, STRANGER)
    second.keys("210001#", "3333", "4444")  # the fifth: locked until 10:15
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=2)
    blocked = call(app, rt)
    assert "bloqué" in blocked.press("1234").text

    lockout = staff.phone_lockout("210001")
    assert lockout is not None and lockout.active
    assert [r.call_sid for r in lockout.causes] == [first.call_sid, second.call_sid]
    assert [r.call_sid for r in lockout.blocked] == [blocked.call_sid]
    page = body(agent, "/staff/families/210001")
    facts = page.split('id="lockout"')[1].split("</dd>")[0]
    assert "bloqué jusqu'au 23/11/2026 10:15:00" in facts
    assert facts.index(first.call_sid) < facts.index(second.call_sid) < facts.index(
        "refusés pendant le blocage") < facts.index(blocked.call_sid)
    assert earlier.call_sid not in facts

    done = post(agent, "/staff/families/210001/unlock", {"reason": "parent rappelé"},
                follow_redirects=True)
    assert "Accès par téléphone débloqué" in done.get_data(as_text=True)
    with rt.sessions() as s:
        fam = s.scalars(select(Family).where(Family.account == "210001")).one()
        assert (fam.locked_until, fam.failed_pins) == (None, 0)
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "phone_unlock"))
    assert (entry.actor, entry.channel, entry.family_id) == ("staff:marie", "staff", fam.id)
    lifted = staff.phone_lockout("210001")  # still shown, as lifted
    assert lifted is not None and not lifted.active and lifted.lifted_by == "staff:marie"
    again = post(agent, "/staff/families/210001/unlock", {"reason": "encore"},
                 follow_redirects=True)
    assert "n&#39;est pas bloqué" in again.get_data(as_text=True)
    history = body(agent, "/staff/families/210001")
    assert "accès téléphone débloqué" in history
    assert "débloqué</strong> le 23/11/2026 10:02:00 par staff:marie" in history
    assert "Pour réserver un repas" in call(app, rt).press("1234").text


# ------------------------------------------------------------------ 3. the end of a call
def test_hanging_up_at_the_read_back_says_nothing_was_changed(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    hung = call(app, rt)
    hung.keys("1234", "2", "2611")  # "Vous souhaitez annuler le repas de Léa le jeudi 26…"
    hung.hang_up()
    page = body(agent, f"/staff/calls/{hung.call_sid}")
    assert "Raccroché à la relecture du jeudi 26 novembre 2026 : rien n&#39;a été modifié." in (
        page)
    assert "relecture du jeudi 26 novembre 2026" in page.split('id="timeline"')[1]
    no_raw_codes(page)

    declined = call(app, rt)
    declined.keys("1234", "2", "2611")
    declined.say("non merci")
    detail = staff.call_detail(declined.call_sid)
    assert detail is not None
    assert detail.ending == ("L'appel s'est terminé à la relecture du jeudi 26 novembre 2026 "
                             "(l'appelant a dit au revoir) : rien n'a été modifié.")

    confirmed = call(app, rt)
    confirmed.keys("1234", "2", "2611", "1")
    confirmed.hang_up()
    detail = staff.call_detail(confirmed.call_sid)
    assert detail is not None and detail.ending is None

    after_one = call(app, rt)  # one change done, the second read back and not confirmed
    after_one.keys("1234", "2", "3011", "1", "1", "2", "0112")
    after_one.hang_up()
    detail = staff.call_detail(after_one.call_sid)
    assert detail is not None and detail.ending is not None
    assert "ce changement n'a pas été fait (les changements faits plus tôt" in detail.ending

    ongoing = call(app, rt)  # still at the read-back, the call not over: nothing to say yet
    ongoing.keys("1234", "2", "2611")
    detail = staff.call_detail(ongoing.call_sid)
    assert detail is not None and detail.ending is None


def test_a_step_after_the_end_of_the_call_reads_as_nothing_done(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    caller = call(app, rt)
    url = caller.url
    caller.keys("1234", "3", "2")  # listened, goodbye: the line hung up
    assert caller.ended and url is not None
    late = post_signed(caller.client, "/ivr/step?n=99", caller.params(Digits="1"))
    assert late.status_code == 200
    page = body(agent, f"/staff/calls/{caller.call_sid}")
    assert "après la fin de l&#39;appel : rien n&#39;a été fait" in page


# ------------------------------------------------------------------ 4. French labels
@pytest.mark.parametrize(
    ("outcome", "step", "label"),
    [
        ("caller_id", "greeting", "dossier reconnu par le numéro appelant"),
        ("right_code", "pin", "code correct"),
        ("read_back:2026-11-30", "date", "relecture du lundi 30 novembre 2026"),
        ("read_back:2026-12-01", "date", "relecture du mardi 1er décembre 2026"),
        ("refused:past_deadline", "date", "refusé : délai dépassé"),
        ("refused:something_new", "date", "refusé : something_new"),
        ("nothing_to_do", "date", "rien à changer (déjà fait)"),
        ("other_date", "confirm", "autre date demandée"),
        ("completed", "status", "terminé"),
        ("ended", "end", "après la fin de l'appel : rien n'a été fait"),
        ("error:11200", "fallback", "erreur (code Twilio 11200)"),
        ("read_back:garbage", "date", "read_back:garbage"),
        ("brand_new_code", "date", "brand_new_code"),
    ],
)
def test_every_code_of_the_line_has_a_french_label_or_shows_as_it_is(
    outcome: str, step: str, label: str
) -> None:
    assert event_label(outcome, step) == label


def test_the_timeline_and_the_family_page_show_no_raw_code(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    caller = call(app, rt)
    caller.keys("1234", "2", "2411", "2611", "2", "3011", "1", "2")
    caller.hang_up()
    page = body(agent, f"/staff/calls/{caller.call_sid}")
    timeline = page.split('id="timeline"')[1]
    for label in ("accueil — dossier reconnu par le numéro appelant", "code correct",
                  "refusé : délai dépassé", "relecture du jeudi 26 novembre 2026",
                  "autre date demandée", "fin d&#39;appel (Twilio) — terminé",
                  "Ligne</strong> (relecture)"):
        assert label in timeline, label
    no_raw_codes(page)
    no_raw_codes(body(agent, "/staff/families/210001"))
    no_raw_codes(body(agent, "/staff/calls"))


# ------------------------------------------------------------------ 5. status edge cases
def test_calls_without_a_status_are_in_progress_then_without_a_known_end(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    waiting = call(app, rt)
    waiting.press("1234")
    busy = call(app, rt)
    post_signed(busy.client, "/ivr/status", busy.params(CallStatus="completed"))  # no duration
    assert sids(staff, outcome="in_progress") == [waiting.call_sid]
    page = body(agent, "/staff/calls?outcome=in_progress")
    assert '<option value="in_progress" selected>en cours</option>' in page
    assert waiting.call_sid in page and busy.call_sid not in page
    detail = staff.call_detail(busy.call_sid)
    assert detail is not None and detail.duration is None and detail.ended_at is not None
    page = body(agent, f"/staff/calls/{busy.call_sid}")
    assert "<dt>Durée</dt><dd>—</dd>" in page and "0 s" not in page
    rt.clock.frozen = rt.clock.now() + timedelta(hours=2)
    (row,) = [r for r in staff.search_calls()[0] if r.call_sid == waiting.call_sid]
    assert row.summary == "fin non signalée"


# ------------------------------------------------------------------ 6. withheld numbers
@pytest.mark.parametrize("number", ["anonymous", "+266696687", "+7378742833"])
def test_a_withheld_number_reads_as_such(
    app: Flask, rt: Runtime, agent: Any, number: str
) -> None:
    call(app, rt, number).hang_up()
    page = body(agent, "/staff/calls")
    assert "numéro masqué" in page and "•• us" not in page and "•• 87" not in page


# ------------------------------------------------------------------ 7. training calls
def test_a_training_call_is_marked_in_the_call_log(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    from restomairie.staff.accounts import AccountService

    training = call(app, rt)
    AccountService(rt.sessions, rt.clock).record(
        "staff:marie", "training_call", call_sid=training.call_sid, detail={"from": PHONE})
    training.keys("1234", "2", "2611", "1", "2")
    real = call(app, rt)
    real.keys("1234", "3", "2")
    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[training.call_sid].training_by == "staff:marie"
    assert rows[real.call_sid].training_by is None
    (cancel,) = [e for e in staff.search_audit(action="cancel")[0]]
    assert (cancel.actor, cancel.training_by) == ("family:210001", "staff:marie")
    assert "appel d'essai par staff:marie" in body(agent, "/staff/calls")
