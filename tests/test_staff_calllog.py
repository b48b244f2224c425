"""The call log as the billing centre reads it, over calls driven through the real phone line:
every outcome of a call, calls with wrong codes and the lockout, the end at the read-back,
French labels for every code, calls without a status callback, withheld numbers.

Then what its second review asked: the family in every audit entry, the lockout kept on the
family page, training calls marked in the export, no full number on the training phone page,
what the "Issue" column says, lists that say they are cut, one rule for "en cours", no error
500 on out-of-range input, withheld numbers searchable, French wording."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.models import AuditEntry, Call, CallEvent, Closure, Family
from restomairie.runtime import Runtime
from restomairie.staff.labels import asked_after, event_label
from restomairie.staff.services import StaffService
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app, post_signed
from tests.staff_support import agent_with_a_family, post, refused_and_unconfirmed, started_call

PHONE = "+33612345678"
STRANGER = "+33198765432"
THU = date(2026, 11, 26)
# Codes the line logs that must never reach a staff page as they are.
RAW = ("caller_id", "right_code", "read_back:", "refused:", "nothing_to_do", "other_date",
       "nothing_to_cancel", "already_booked",
       "wrong_code", "status — completed", "greeting —", "(confirm)", "(pin)", ">cancelled<",
       ">abandoned<", ">refused<", ">ident_failed<", "ident_failed<")


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


def body(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return str(response.get_data(as_text=True))


def no_raw_codes(page: str) -> None:
    main = page.split("<main", 1)[1]
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
    app: Flask, rt: Runtime, agent: Any, staff: StaffService, monkeypatch: pytest.MonkeyPatch
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
    # Capped: a number typing codes over and over made a page of megabytes.
    from restomairie.staff import views

    monkeypatch.setattr(views, "LOCKOUT_SHOWN", 1)
    capped = body(agent, "/staff/families/210001").split('id="lockout"')[1].split("</dd>")[0]
    monkeypatch.undo()
    assert first.call_sid in capped and second.call_sid not in capped
    assert "et 1 autre(s)" in capped and blocked.call_sid in capped

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
    assert "débloqué</strong> le 23/11/2026 10:02:00 par agent marie" in history
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
        ("refused:undo", "confirm", "refusé : trop tard pour revenir sur le changement"),
        ("read_back:undo", "after", "relecture : revenir sur le changement"),
        ("refused:something_new", "date", "refusé : something_new"),
        ("nothing_to_cancel", "date", "rien à annuler (pas de repas réservé)"),
        ("already_booked", "action", "déjà réservé"),
        ("nothing_to_do", "date", "rien à changer (rien à annuler ou déjà réservé)"),
        ("other_date", "confirm", "autre date demandée"),
        ("left_out_only", "child", "enfants seulement exclus (« ni l'un ni l'autre ») : quel enfant ?"),
        ("nothing_to_change", "action",
         "réponse à sa question reçue (« parfait », « non ») : rien à changer"),
        ("return_unknown", "date", "rentrée demandée au-delà du calendrier scolaire connu : dit"),
        ("menus_prices", "action", "menus ou tarifs demandés : renvoyé au site"),
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


def test_a_cancellation_with_nothing_to_cancel_never_reads_as_already_done(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    cancelled = call(app, rt)
    cancelled.keys("1234", "2", "2711", "1", "2")  # Friday cancelled: no meal left that day
    cancelled.hang_up()
    again = call(app, rt)
    again.keys("1234")
    again.say("annuler vendredi")  # nothing to cancel
    again.hang_up()
    booked = call(app, rt)
    booked.keys("1234", "1", "3011")  # Monday is booked by the subscription
    booked.hang_up()
    page = body(agent, f"/staff/calls/{again.call_sid}").split('id="timeline"')[1]
    assert "rien à annuler (pas de repas réservé)" in page
    # What the line said: the meal cancelled by the first call (the label is not "déjà").
    assert "déjà réservé" not in page and "a déjà été annulé" in page
    page = body(agent, f"/staff/calls/{booked.call_sid}").split('id="timeline"')[1]
    assert "déjà réservé" in page and "rien à annuler" not in page
    rows = {r.call_sid: r.summary for r in StaffService(rt.booking).search_calls()[0]}
    assert rows[again.call_sid] == rows[booked.call_sid] == "rien à changer"


def line_labels(agent: Any, caller: Caller) -> list[str]:
    """The label of each line of the call's timeline: "Ligne (relecture)", "Ligne"…"""
    timeline = body(agent, f"/staff/calls/{caller.call_sid}").split('id="timeline"')[1]
    timeline = timeline.split("</ol>")[0]
    return [li.split(" : ")[0].split("</strong>")[0] + li.split(" : ")[0].split("</strong>")[1]
            for li in timeline.split('<li class="line"><strong>')[1:]]


def test_the_last_questions_of_a_call_keep_their_step_label(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    at_read_back = call(app, rt)
    at_read_back.keys("1234", "2", "2611")  # read back, never confirmed
    at_read_back.hang_up()
    labels = line_labels(agent, at_read_back)
    assert labels[-1] == "Ligne (relecture)" and "Ligne" not in labels
    too_late = call(app, rt)
    too_late.keys("1234", "2", "2311")  # refused: too late, another date asked
    too_late.hang_up()
    labels = line_labels(agent, too_late)
    assert labels[-1] == "Ligne (date)" and "Ligne" not in labels
    goodbye = call(app, rt)
    goodbye.keys("1234", "3", "2")  # the line says goodbye and hangs up: no question
    goodbye.hang_up()
    labels = line_labels(agent, goodbye)
    assert labels[-1] == "Ligne" and labels[:-1] and "Ligne" not in labels[:-1]


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
@pytest.mark.parametrize(
    "number", ["anonymous", "+266696687", "+7378742833", "", "client:Anonymous"]
)
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
    assert "appel d'essai par agent marie" in body(agent, "/staff/calls")


# ============================================================ the second review
# ------------------------------------------------------------------ 8. out-of-range input
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/staff/calls?day=0001-01-01", "Date hors limites (jour de l&#39;appel) : 0001-01-01"),
        ("/staff/calls?day=9999-12-31", "Date hors limites (jour de l&#39;appel) : 9999-12-31"),
        ("/staff/calls?day=31/12/9999", "Date hors limites (jour de l&#39;appel) : 31/12/9999"),
        ("/staff/audit?start=0001-01-01", "Date hors limites (changé du) : 0001-01-01"),
        ("/staff/audit?end=9999-12-31", "Date hors limites (changé au) : 9999-12-31"),
        ("/staff/families/210001/children/E1?month=9999-12", "Mois hors limites : 9999-12"),
        ("/staff/families/210001/children/E1?month=0001-01", "Mois hors limites : 0001-01"),
    ],
)
def test_an_out_of_range_date_is_a_400_in_french(agent: Any, url: str, message: str) -> None:
    assert message in body(agent, url, 400)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/staff/calls?account=999999", "Dossier famille inconnu : « 999999 »."),
        ("/staff/calls?outcome=bogus", "Issue inconnue : « bogus »."),
        ("/staff/calls?phone=abc", "« abc » n&#39;est pas un numéro de téléphone"),
        ("/staff/calls?phone=06+12", "Numéro de téléphone incomplet"),
        ("/staff/calls?phone=06+12+34+56+78+90", "Numéro de téléphone trop long"),
        ("/staff/audit?start=2026-11-24&end=2026-11-20",
         "La date de début (24/11/2026) est après la date de fin (20/11/2026)"),
        ("/staff/families/210001/children/E1?month=2026-13", "Mois invalide : 2026-13"),
    ],
)
def test_wrong_input_is_a_400_that_says_what_is_wrong(agent: Any, url: str, message: str) -> None:
    page = body(agent, url, 400)
    assert message in page
    assert "0 appel(s)" not in page and "0 entrée(s)" not in page


@pytest.mark.parametrize("number", ["33612345678", "0033612345678", "+33 6 12 34 56 78",
                                    "06 12 34 56 78", "+33 (0)6 12 34 56 78",
                                    "+33 06 12 34 56 78", "33 (0)6 12 34 56 78"])
def test_a_whole_number_is_found_however_it_is_typed(
    app: Flask, rt: Runtime, agent: Any, number: str
) -> None:
    call(app, rt).hang_up()
    assert "1 appel(s)" in body(agent, f"/staff/calls?phone={number.replace('+', '%2B')}")
    assert "210001" in body(agent, f"/staff/families?q={number.replace('+', '%2B')}")


@pytest.mark.parametrize("query", ["%", "_", "L_a"])
def test_a_family_search_takes_wildcards_as_text(agent: Any, rt: Runtime, query: str) -> None:
    make_family(rt, "210002", "1234", ("+33611111111",), (KidSpec("E2", "Hugo"),))
    page = body(agent, f"/staff/families?q={query.replace('%', '%25')}")
    assert "210001" not in page and "210002" not in page
    assert "Aucune famille ne correspond" in page
    assert "210001" in body(agent, "/staff/families?q=l%C3%A9")  # "lé" still finds Léa


def test_a_family_search_of_a_huge_text_is_no_error(agent: Any) -> None:
    # SQLite refuses a LIKE pattern over 50,000 characters: the search reads the first 200.
    assert "Aucune famille ne correspond" in body(agent, "/staff/families?q=" + "a" * 60_000)


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
    hidden = [
        call(app, rt, n)
        for n in ("anonymous", "+266696687", "Restricted", "", "client:Anonymous",
                  "sip:anonymous@pbx.example.fr")
    ]
    call(app, rt).hang_up()
    call(app, rt, "client:alice").hang_up()
    call(app, rt, "sip:alice@pbx.example.fr").hang_up()
    rows, total = staff.search_calls(phone=query)
    assert total == 6 and {r.call_sid for r in rows} == {c.call_sid for c in hidden}
    page = body(agent, f"/staff/calls?phone={query}")
    assert "6 appel(s)" in page and "incomplet" not in page


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
    # The first of those two calls ended after three wrong codes: not identified, not an
    # abandon (the line hung up, not the caller).
    assert staff.overview()["by_outcome"] == {"ident_failed": 1, "blocked": 1, "refused": 1}


def test_a_call_the_line_ended_at_identification_is_an_identification_failure(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    codes = call(app, rt)  # caller ID known: three wrong codes
    for code in ("0000", "0001"):
        assert not codes.press(code).hangup
    assert codes.press("0002").hangup  # the line hangs up
    codes.hang_up()
    accounts = call(app, rt, STRANGER)  # three account numbers that are no family's
    for number in ("999991#", "999992#", "999993#"):
        accounts.press(number)
    accounts.hang_up()
    gone = call(app, rt)  # one wrong code, then the caller hangs up: an abandon
    gone.press("0000")
    gone.hang_up()
    locked = call(app, rt)  # the fifth wrong code for the family: the lockout, then the
    # "0#" of a caller from another family offered, and the caller hangs up
    assert locked.press("0003").says[0].startswith("Après plusieurs codes erronés")
    locked.hang_up()

    with rt.sessions() as s:
        stored = dict(s.execute(select(Call.call_sid, Call.outcome)).all())
        last = s.scalars(select(CallEvent.response).join(Call).where(
            Call.call_sid == codes.call_sid, CallEvent.step == "pin",
            CallEvent.outcome == "wrong_code").order_by(CallEvent.id.desc())).first()
    assert stored[codes.call_sid] == stored[accounts.call_sid] == "ident_failed"
    assert stored[gone.call_sid] == "abandoned"
    # What migration 0006 looks for in the calls logged before as "abandoned".
    assert last is not None and "<Hangup" in last
    rows = {r.call_sid: r.summary for r in staff.search_calls()[0]}
    assert rows[codes.call_sid] == rows[accounts.call_sid] == "échec d'identification"
    assert rows[gone.call_sid] == "abandon" and rows[locked.call_sid] == "accès bloqué"
    assert set(sids(staff, outcome="ident_failed")) == {codes.call_sid, accounts.call_sid}
    assert sids(staff, outcome="abandoned") == [gone.call_sid]
    assert staff.outcomes()["ident_failed"] == "échec d'identification"
    page = body(agent, "/staff/calls?outcome=ident_failed")
    assert '<option value="ident_failed" selected>échec d&#39;identification</option>' in page
    assert "2 appel(s)" in page and page.count("échec d&#39;identification</td>") == 2
    home = body(agent, "/staff/")
    assert "outcome=ident_failed\">échec d&#39;identification</a> : 2</li>" in home
    detail = body(agent, f"/staff/calls/{codes.call_sid}")
    assert "échec d&#39;identification" in detail
    no_raw_codes(detail)


def test_the_home_page_counts_the_rows_each_of_its_links_lists(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    both = call(app, rt)
    both.keys("1234", "2", "2611", "1")  # cancel Thursday…
    both.keys("1", "1", "2611", "1", "2")  # …then book it back: both
    both.hang_up()
    booked = call(app, rt)
    booked.keys("1234", "2", "2711", "1", "2")  # cancel Friday
    booked.hang_up()
    nothing = call(app, rt)
    nothing.keys("1234", "1", "3011")  # Monday is booked already: "rien à changer"
    nothing.hang_up()  # the line records an abandon
    gone = call(app, rt)
    gone.keys("1234")
    gone.hang_up()  # a plain abandon
    listened = call(app, rt)
    listened.keys("1234", "3", "1", "2", "2711")  # heard the bookings, then "rien à annuler"
    listened.hang_up()

    today = rt.clock.today()
    overview = staff.overview()
    assert overview["calls_today"] == 5
    every = {r.call_sid: r.summary for r in staff.search_calls(day=today)[0]}
    home = body(agent, "/staff/").split('id="calls-today"')[1].split("</ul>")[0]
    for outcome, label in staff.outcomes().items():
        rows, total = staff.search_calls(day=today, outcome=outcome)
        assert overview["by_outcome"].get(outcome, 0) == total, outcome
        # the rows the link lists are exactly those whose "Issue" says it
        found = {r.call_sid for r in rows}
        assert found == {sid for sid, summary in every.items()
                         if label in summary.split(", ")}, outcome
        if total:
            assert f"outcome={outcome}\">{label}</a> : {total}</li>" in home, outcome
    assert overview["by_outcome"]["cancelled"] == 2 and overview["by_outcome"]["booked"] == 1
    assert overview["by_outcome"]["abandoned"] == 1 and overview["by_outcome"]["nothing"] == 2
    assert overview["by_outcome"]["listened"] == 1


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
    # Paris time: winter time in November, summer time for the family's arrival (the test
    # factory dates it 1 September 2024, a town already running).
    assert times and all(t.endswith('+01:00"') for t in times if t.startswith('"2026-11')), times
    assert all(t.endswith(('+01:00"', '+02:00"')) for t in times), times
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
    # Masked: the audit log outlives the calls' retention. Nor is the number kept in the
    # session, whose cookie is signed, not encrypted.
    assert entry.detail == {"from": "+33 6 •• •• •• 78", "account": "210001"}
    with agent.session_transaction() as session:
        assert PHONE[3:] not in json.dumps(dict(session))
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
    assert ("débloqué</strong> le 23/11/2026 10:00:00 par agent marie (motif : parent rappelé)"
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


def test_a_wait_or_a_help_request_reads_as_such_and_the_same_question_follows() -> None:
    assert event_label("wait") == "demande d'attendre (la ligne attend la réponse)"
    assert event_label("help") == "demande d'aide (comment répondre, puis la question)"
    assert asked_after("confirm", "wait") == "confirm"
    assert asked_after("date", "help") == "date"
    assert event_label("hello") == "« allô ? » (la ligne répond qu'elle entend, puis la question)"
    assert asked_after("child", "hello") == "child"


def test_a_key_received_after_the_end_of_the_call_is_marked_so(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    # "1" pressed, the phone hung up at once, the status callback first: done, never heard.
    late = call(app, rt)
    late.keys("1234", "2", "2611")
    late.hang_up()
    late.press("1")
    page = body(agent, f"/staff/calls/{late.call_sid}")
    assert page.count("reçu après la fin de l'appel : fait, réponse non entendue") == 1
    no_raw_codes(page)


# ------------------------------------------------------------------ 10. a confirmation rolled back
def test_a_confirmation_rolled_back_as_too_slow_reads_as_received_but_not_done(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie.ivr import service as service_module

    slow = call(app, rt)
    slow.keys("1234", "2", "2611")
    # The change ready after the webhook's time limit: rolled back, the caller apologised to.
    monkeypatch.setattr(service_module, "WEBHOOK_BUDGET", -1.0)
    slow.press("1")
    slow.hang_up()
    (attempt,) = staff.child_attempts("210001", "E1")
    assert attempt.label == (
        "annulation relue et confirmée, mais pas faite (problème technique) : rien n'a été "
        "changé"
    )
    page = body(agent, f"/staff/calls/{slow.call_sid}")
    assert "jamais confirmée" not in page
    assert (
        "Confirmation reçue à la relecture du jeudi 26 novembre 2026, mais pas faite "
        "(problème technique) : rien n&#39;a été modifié." in page
    )
    assert "confirmation reçue, pas faite (problème technique)" in page
    assert "« 1 »" in page
    no_raw_codes(page)


# ------------------------------------------------------------------ the meal day a call was about
def test_the_meal_day_filter_finds_the_calls_about_that_meal_whatever_day_they_were_made(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    cancelled = call(app, rt)
    cancelled.keys("1234", "2", "2611", "1")  # Monday's call cancels Thursday
    cancelled.hang_up()
    # Tuesday: too late; Friday read back, never confirmed
    refused, read_back = refused_and_unconfirmed(app, rt, PHONE)
    nothing = call(app, rt)
    nothing.keys("1234", "2", "2611")  # Thursday again: nothing left to cancel
    nothing.hang_up()
    rt.clock.frozen = rt.clock.now() + timedelta(days=1)
    listened = call(app, rt)  # the next day, about no meal in particular
    listened.keys("1234", "3")
    listened.hang_up()

    assert sids(staff, meal_day=THU) == [nothing.call_sid, cancelled.call_sid]
    assert sids(staff, meal_day=date(2026, 11, 24)) == [refused.call_sid]
    assert sids(staff, meal_day=date(2026, 11, 27)) == [read_back.call_sid]
    assert sids(staff, meal_day=THU, day=date(2026, 11, 24)) == []
    page = body(agent, "/staff/calls?meal=2026-11-26")
    form = page.split('role="search"')[1].split("</form>")[0]
    assert "Jour de l'appel" in form and "Repas du" in form
    assert 'name="meal" value="2026-11-26"' in form
    assert "2 appel(s)" in page and cancelled.call_sid in page and refused.call_sid not in page
    assert "Date hors limites (repas du) : 9999-12-31" in body(
        agent, "/staff/calls?meal=9999-12-31", 400)


def test_the_journal_finds_the_changes_of_a_meal_day_apart_from_the_day_they_were_made(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    from restomairie.booking.services import Actor

    make_family(rt, "210002", "5678", (STRANGER,), (KidSpec("E2", "Rose"), KidSpec("E3", "Tom")))
    marie = Actor("staff", "marie", "staff")
    rt.booking.cancel("210001", [THU], marie)  # on Monday 23, about Thursday 26's meal
    rt.booking.cancel("210002", [THU, date(2026, 11, 27)], marie)  # Rose and Tom

    # The day of the change: nothing was changed on Thursday (kept, now labelled so).
    assert "0 entrée(s)" in body(agent, "/staff/audit?start=2026-11-26&end=2026-11-26")
    page = body(agent, "/staff/audit?meal=2026-11-26")
    assert "3 entrée(s)" in page
    form = page.split('role="search"')[1].split("</form>")[0]
    assert "Changé du" in form and "Repas du" in form and "Enfant" in form
    assert 'name="meal" value="2026-11-26"' in form
    assert staff.search_audit(meal_day=THU, start=date(2026, 11, 23))[1] == 3
    assert staff.search_audit(meal_day=date(2026, 11, 27))[1] == 2
    only = staff.search_audit(meal_day=THU, child="E2")[0]
    assert [(e.child, e.day) for e in only] == [("Rose (E2)", THU)]
    assert "1 entrée(s)" in body(agent, "/staff/audit?meal=2026-11-26&child=e2&account=210002")
    assert "Date hors limites (repas du) : 9999-12-31" in body(
        agent, "/staff/audit?meal=9999-12-31", 400)
    # A child's id typed as the account says it is no family's, and whose child it is.
    wrong = body(agent, "/staff/audit?account=E2", 400)
    assert "Dossier famille inconnu : « E2 »." in wrong and "dossier 210002" in wrong
    assert "0 entrée(s)" not in wrong
    assert "Dossier famille inconnu : « E2 »." in body(agent, "/staff/calls?account=E2", 400)
    unknown = body(agent, "/staff/audit?child=E9", 400)
    assert "Enfant inconnu : « E9 »" in unknown and "0 entrée(s)" not in unknown
    # The child's page links its whole journal.
    child_page = body(agent, "/staff/families/210002/children/E2")
    assert 'href="/staff/audit?account=210002&amp;child=E2"' in child_page


def test_the_journals_child_filter_takes_a_first_name_with_the_family_account_as_staff_type_it(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    make_family(rt, "210500", "5678", (STRANGER,),
                (KidSpec("E2", "Margaux"), KidSpec("E3", "Rose"), KidSpec("E4", "Rosalie")))
    make_family(rt, "210600", "4321", ("+33611111111",), (KidSpec("E5", "Rose"),))
    marie = Actor("staff", "marie", "staff")
    for account in ("210001", "210500", "210600"):
        rt.booking.cancel(account, [THU], marie)

    def children(url: str) -> list[str]:
        page = body(agent, url)
        assert "4 entrée(s)" not in page
        return re.findall(r"<td>(\w+) \(E\d\)</td>", page)

    for typed in ("Margaux 210500", "210500 Margaux", "  margaux   210 500 ", "MARGAUX", "E2", "e2"):
        assert children(f"/staff/audit?child={typed}") == ["Margaux"], typed
    # The account may be the « Dossier famille » field's; a whole first name is not a part of
    # another ("Rose" is not Rosalie).
    assert children("/staff/audit?child=Rose&account=210500") == ["Rose"]
    assert children("/staff/audit?child=rosalie 210500") == ["Rosalie"]
    assert children("/staff/audit?child=Rose 210600") == ["Rose"]
    assert [e.account for e in staff.search_audit(child="Rose 210600")[0]] == ["210600"]
    # What cannot find anything is said, not listed as "0 entrée(s)".
    several = body(agent, "/staff/audit?child=Rose", 400)
    assert ("Plusieurs enfants pour « Rose » (dossiers 210500, 210600) : ajoutez le numéro de "
            "dossier, par exemple « Rose 210500 ».") in html.unescape(several)
    margot = html.unescape(body(agent, "/staff/audit?child=Margot 210500", 400))
    assert ("Aucun enfant « Margot » au dossier 210500 (ses enfants : Margaux (E2), Rosalie (E4), "
            "Rose (E3)).") in margot
    assert "Dossier famille inconnu : « 219999 »." in html.unescape(
        body(agent, "/staff/audit?child=Margaux 219999", 400))
    both = html.unescape(body(agent, "/staff/audit?child=Margaux 210500&account=210600", 400))
    assert "nomme le dossier 210500, et le filtre « Dossier famille » le dossier 210600" in both
    assert "0 entrée(s)" not in several + margot + both


def test_a_search_by_a_familys_number_links_to_all_the_familys_calls(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    mine = call(app, rt)
    mine.keys("1234", "3")
    hidden = call(app, rt, "anonymous")  # the same family, number withheld
    hidden.keys("210001", "1234", "3")
    assert staff.number_accounts("06 12 34 56 78") == ["210001"]
    assert staff.number_accounts("masqué") == [] and staff.number_accounts(STRANGER) == []

    page = body(agent, "/staff/calls?phone=06+12+34+56+78")
    assert "1 appel(s)" in page and hidden.call_sid not in page
    above = page.split('id="calls"')[0]
    assert ("Ce numéro est celui du dossier <a href=\"/staff/families/210001\">210001</a> : "
            '<a href="/staff/calls?account=210001">voir tous les appels du dossier</a>') in above
    assert hidden.call_sid in body(agent, "/staff/calls?account=210001")
    assert "Ce numéro est celui" not in body(agent, f"/staff/calls?phone={STRANGER}")
    assert "Ce numéro est celui" not in body(agent, "/staff/calls?phone=masqu%C3%A9")


def test_a_call_that_hung_up_at_a_read_back_is_found_by_that_filter_whatever_it_did_before(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    refused_first = call(app, rt)
    refused_first.keys("1234", "2", "2411", "2711")  # Tuesday refused, Friday read back
    refused_first.hang_up()
    only = call(app, rt)
    only.keys("1234", "2", "2711")  # read back, hung up: an abandon
    only.hang_up()
    confirmed = call(app, rt)
    confirmed.keys("1234", "2", "2711", "1")  # confirmed: not hung up at the read-back
    confirmed.hang_up()
    ongoing = call(app, rt)
    ongoing.keys("1234", "1", "3011")  # at the read-back now: may yet confirm

    rows = {r.call_sid: r.summary for r in staff.search_calls()[0]}
    assert rows[refused_first.call_sid] == "refusé, raccroché à la relecture"
    assert staff.outcomes()["hung_up_read_back"] == "raccroché à la relecture"
    assert sids(staff, outcome="hung_up_read_back") == [only.call_sid, refused_first.call_sid]
    assert refused_first.call_sid not in sids(staff, outcome="abandoned")
    assert staff.overview()["by_outcome"]["hung_up_read_back"] == 2
    page = body(agent, "/staff/calls?outcome=hung_up_read_back")
    options = page.split('name="outcome"')[1].split("</select>")[0]
    assert options.index(">abandon<") < options.index(
        '<option value="hung_up_read_back" selected>raccroché à la relecture</option>')
    assert "2 appel(s)" in page and refused_first.call_sid in page


def test_a_call_hung_up_on_a_later_day_of_a_series_says_so_in_its_issue_filter_and_count(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """Several days said at once are read back one by one, each but the first in the answer
    to the one before (a step logged "annulé", not as a read-back): hanging up on Friday's
    read-back, or after "répétez" at a read-back, is "raccroché à la relecture" in the Issue
    column, under that filter, in the home page's count and on the call's page, as the row's
    details already say."""
    series = call(app, rt)
    series.keys("1234", "2")
    series.say("annuler jeudi 26, vendredi 27 et lundi 30 novembre")
    series.press("1")  # Thursday cancelled, Friday read back
    series.hang_up()
    repeated = call(app, rt)
    repeated.keys("1234", "2", "0112", "*")  # Tuesday 1 December read back, read again
    repeated.hang_up()
    done = call(app, rt)
    done.keys("1234", "2")
    done.say("annuler mardi 8 et jeudi 10 décembre")
    done.keys("1", "1")  # both cancelled: no read-back left
    done.hang_up()
    bye = call(app, rt)
    bye.keys("1234", "2")
    bye.say("annuler lundi 7 et vendredi 11 décembre")
    bye.press("1")
    bye.say("non merci")  # the line said goodbye: not the caller hanging up
    bye.hang_up()

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[series.call_sid].about[-1] == (
        "Léa — 27/11 : annulation relue, jamais confirmée (raccroché)")
    assert rows[series.call_sid].summary == "annulation, raccroché à la relecture"
    assert rows[repeated.call_sid].summary == "raccroché à la relecture, abandon"
    assert rows[done.call_sid].summary == "annulation"
    assert "raccroché à la relecture" not in rows[bye.call_sid].summary
    assert sids(staff, outcome="hung_up_read_back") == [repeated.call_sid, series.call_sid]
    assert staff.overview()["among"] == {"hung_up_read_back": 2}
    detail = html.unescape(body(agent, f"/staff/calls/{series.call_sid}"))
    assert ("Raccroché à la relecture du vendredi 27 novembre 2026 : ce changement n'a pas "
            "été fait") in detail
    ended = html.unescape(body(agent, f"/staff/calls/{bye.call_sid}"))
    assert "L'appel s'est terminé à la relecture du vendredi 11 décembre 2026" in ended


def test_the_next_day_of_a_series_read_back_in_the_answer_is_the_question_of_that_step(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """Several days said at once: the "oui" to Thursday's read-back is logged "annulé", and its
    answer reads Friday back and asks to confirm it. Hung up there, the call's page shows that
    question as the read-back ("relecture", as the call said it), not « autre opération ? »
    ("suite", what "annulé" alone would ask); a step with an answer after it already did."""
    series = call(app, rt)
    series.keys("1234", "2")
    series.say("annuler jeudi 26 et vendredi 27 novembre")
    series.press("1")  # Thursday cancelled, Friday read back
    series.hang_up()
    on = call(app, rt)
    on.keys("1234", "2")
    on.say("annuler lundi 7 et mardi 8 décembre")
    on.press("1")  # Monday cancelled, Tuesday read back
    on.press("1")  # Tuesday cancelled: « autre opération ? »
    on.hang_up()

    detail = staff.call_detail(series.call_sid)
    assert detail is not None
    (step,) = [x for x in detail.exchanges if x.outcome == "cancelled"]
    assert step.asks == "confirm"
    page = html.unescape(body(agent, f"/staff/calls/{series.call_sid}"))
    assert ("<strong>Ligne</strong> (relecture) : Vous souhaitez annuler le repas de Léa le "
            "vendredi 27 novembre.") in page
    assert "(suite)" not in page
    both = staff.call_detail(on.call_sid)
    assert both is not None
    assert [x.asks for x in both.exchanges if x.outcome == "cancelled"] == ["confirm", "after"]


def test_a_series_day_read_back_after_a_refusal_at_the_read_back_is_of_that_answer(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """Thursday's deadline passes during its read-back: the "oui" is refused, and that same
    answer reads Friday back. Friday confirmed, the call is not "raccroché à la relecture du
    vendredi", nor Friday "relue, jamais confirmée" (its read-back was placed one step late,
    at the step that confirmed it); the refusal's step asks the read-back, Friday's « autre
    opération ? »."""
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 30, tzinfo=PARIS)
    caller = call(app, rt)
    caller.keys("1234", "2")
    caller.say("annuler jeudi 26 et vendredi 27 novembre")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 5, tzinfo=PARIS)  # Thursday's deadline
    assert caller.press("1").says[0].startswith("Trop tard pour le jeudi 26 novembre")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 15, tzinfo=PARIS)
    caller.press("1")  # Friday cancelled
    caller.hang_up()

    row = {r.call_sid: r for r in staff.search_calls()[0]}[caller.call_sid]
    assert row.summary == "refusé, annulation"
    assert row.about == (REFUSED_26, "Léa — 27/11 : annulé")
    detail = staff.call_detail(caller.call_sid)
    assert detail is not None
    assert [(x.outcome, x.asks) for x in detail.exchanges if x.step == "confirm"] == [
        ("refused:past_deadline", "confirm"), ("cancelled", "after")]
    page = html.unescape(body(agent, f"/staff/calls/{caller.call_sid}"))
    assert "jamais confirmée" not in page and "Raccroché à la relecture" not in page


def test_hanging_up_at_the_read_back_of_a_change_taken_back_names_its_days(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """« Je me suis trompé » after Friday's cancellation reads back « … soit de nouveau
    réservé »; hung up there, the call's end names that day as every other read-back's end
    does (« Raccroché à la relecture du vendredi 27 novembre 2026 »), not a bare « à la
    relecture »; after several days cancelled at once, each of them."""
    single = call(app, rt)
    single.keys("1234", "2", "2711", "1")
    assert single.say("je me suis trompé").says[0] == (
        "Vous souhaitez que le repas de Léa du vendredi 27 novembre soit de nouveau réservé.")
    single.hang_up()
    series = call(app, rt)
    series.keys("1234", "2")
    series.say("annuler mardi 1er et jeudi 3 décembre")
    series.keys("1", "1")
    assert "soient de nouveau réservés" in series.say("non attendez, annulez").says[0]
    series.hang_up()

    detail = staff.call_detail(single.call_sid)
    assert detail is not None
    assert detail.ending == (
        "Raccroché à la relecture du vendredi 27 novembre 2026 : ce changement n'a pas été "
        "fait (les changements faits plus tôt dans l'appel restent faits).")
    page = html.unescape(body(agent, f"/staff/calls/{series.call_sid}"))
    assert ("Raccroché à la relecture du mardi 1er décembre 2026 et du jeudi 3 décembre "
            "2026 : ces changements n'ont pas été faits (les changements faits plus tôt dans "
            "l'appel restent faits).") in page
    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[single.call_sid].summary == "annulation, raccroché à la relecture"
    assert rows[series.call_sid].summary == "annulation, raccroché à la relecture"


def test_a_day_without_canteen_between_days_said_at_once_is_listed_and_counted_as_refused(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """« Annuler mardi 1er, mercredi 2 et jeudi 3 décembre »: the line says « pas de
    restauration scolaire » for Wednesday in its answer to Tuesday's « oui » (a step logged
    « annulé »), and days too late before the first read back in the same answer as it. Each
    day is listed on the call as a Wednesday or a late day said first is
    (« Léa — 02/12 : annulation refusée (pas de cantine ce jour) »), and the Issue column says
    « refusé » as the « refusé » filter already found it; the child's page lists it too."""
    between = call(app, rt)
    between.keys("1234", "2")
    between.say("annuler mardi 1er, mercredi 2 et jeudi 3 décembre")
    assert "restauration scolaire" in between.press("1").says[1]
    between.press("1")
    between.hang_up()
    last = call(app, rt)
    last.keys("1234", "2")
    last.say("annuler mardi 8 et mercredi 9 décembre")
    assert "restauration scolaire" in last.press("1").says[1]
    last.hang_up()
    late = call(app, rt)
    late.keys("1234", "2")
    assert late.say("annuler lundi 23, mardi 24 et jeudi 26 novembre").says[1].startswith(
        "Trop tard pour le lundi 23 et le mardi 24 novembre")
    late.press("1")
    late.hang_up()

    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    assert rows[between.call_sid].about == (
        "Léa — 01/12 : annulé", "Léa — 03/12 : annulé",
        "Léa — 02/12 : annulation refusée (pas de cantine ce jour)")
    assert rows[last.call_sid].about == (
        "Léa — 08/12 : annulé", "Léa — 09/12 : annulation refusée (pas de cantine ce jour)")
    assert rows[late.call_sid].about == (
        "Léa — 26/11 : annulé",
        "Léa — 23/11 : annulation refusée : il fallait annuler avant le jeudi 19 novembre à "
        "13 heures",
        "Léa — 24/11 : annulation refusée : il fallait annuler avant le vendredi 20 novembre "
        "à 13 heures")
    for c in (between, last, late):
        assert "refusé" in rows[c.call_sid].summary.split(", ")
    assert set(sids(staff, outcome="refused")) == {between.call_sid, last.call_sid, late.call_sid}
    page = html.unescape(body(agent, f"/staff/calls/{between.call_sid}"))
    assert "Léa — 02/12 : annulation refusée (pas de cantine ce jour)" in page
    detail = staff.call_detail(between.call_sid)
    assert detail is not None  # Wednesday said in the answer to Tuesday's « oui »
    (step,) = [x for x in detail.exchanges if x.step == "confirm" and x.asks == "confirm"]
    wednesday = [a for a in staff.child_attempts("210001", "E1") if a.day == date(2026, 12, 2)]
    assert [(a.call_sid, a.code, a.at) for a in wednesday] == [
        (between.call_sid, "not_operating", step.at)]


def two_requests(app: Flask, rt: Runtime) -> Caller:
    """One call, a minute a step: « annuler vendredi 20 novembre » (past: refused at its own
    step, 10:01), then « annuler lundi 23, mardi 24 et jeudi 26 novembre » (10:02): Monday and
    Tuesday refused together before Thursday is read back, in the answer to that step (logged
    as Thursday's read-back); hung up there."""
    caller = call(app, rt)
    caller.keys("1234", "2")
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=1)
    assert caller.say("annuler vendredi 20 novembre").says[0] == (
        "Le vendredi 20 novembre est déjà passé.")
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=1)
    assert caller.say("annuler lundi 23, mardi 24 et jeudi 26 novembre").says[1].startswith(
        "Trop tard pour le lundi 23 et le mardi 24 novembre")
    caller.hang_up()
    return caller


def placed(agent: Any, staff: StaffService, caller: Caller) -> dict[date, str]:
    """Each day of the call's requests without effect, at the time of the step the child's
    page places it at (its list of requests, "23/11/2026 10:02:00"), the same as the
    service's."""
    detail = staff.call_detail(caller.call_sid)
    assert detail is not None
    steps = {x.at for x in detail.exchanges}
    attempts = staff.child_attempts("210001", "E1")
    assert all(a.at in steps for a in attempts)
    page = html.unescape(body(agent, "/staff/families/210001/children/E1?month=2026-11"))
    listed = re.findall(r'<tr class="attempt-\w+"><td>.*?</td><td><a [^>]*>([^<]*)</a>', page)
    at = {a.day: a.at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S") for a in attempts}
    assert sorted(listed) == sorted(at.values())
    return at


def test_a_new_request_s_first_days_refused_are_placed_at_its_step_not_the_one_before(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """Monday 23 and Tuesday 24, refused in the answer to the second request, were placed at
    the first one's step (10:01): a refusal after an earlier day of the same action was
    guessed to be of the same request. Each ``tried`` record now names the logged step that
    said it (its event's id): they are at the second request's step (10:02), as Thursday's
    read-back is."""
    caller = two_requests(app, rt)
    assert placed(agent, staff, caller) == {
        date(2026, 11, 20): "23/11/2026 10:01:00",
        date(2026, 11, 23): "23/11/2026 10:02:00",
        date(2026, 11, 24): "23/11/2026 10:02:00",
        date(2026, 11, 26): "23/11/2026 10:02:00",
    }
    with rt.sessions() as session:
        state = session.scalar(select(Call.state).where(Call.call_sid == caller.call_sid))
        ids = session.scalars(select(CallEvent.id).join(Call, Call.id == CallEvent.call_id)
                              .where(Call.call_sid == caller.call_sid, CallEvent.step == "date")
                              .order_by(CallEvent.id)).all()
    assert [rec[5] for rec in state["tried"]] == [ids[0], ids[1], ids[1], ids[1]]


def test_requests_said_in_one_answer_are_listed_in_the_order_of_their_days(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """Monday 23 and Tuesday 24 refused, then Thursday 26 read back, all in the answer to the
    second request: kept in that order (the days' order, as the line said them), not the
    read-back first because the refusals were found after it; the child's page, the latest
    first, lists them in reverse (the read-back was said last)."""
    two_requests(app, rt)
    at = datetime(2026, 11, 23, 10, 2, tzinfo=PARIS)
    same = [a.day for a in staff.child_attempts("210001", "E1") if a.at == at]
    assert same == [date(2026, 11, 26), date(2026, 11, 24), date(2026, 11, 23)]


def old_format(rt: Runtime, caller: Caller, records: slice) -> None:
    """The call's ``tried`` records in ``records`` as the line wrote them before it named
    their step: ``[outcome, action, day, refs]`` (``[…, late]`` with children too late)."""
    with rt.sessions() as session, session.begin():
        row = session.scalars(select(Call).where(Call.call_sid == caller.call_sid)).one()
        tried = [list(rec) for rec in row.state["tried"]]
        tried[records] = [rec[:4] + [late for late in rec[4:5] if late]
                          for rec in tried[records]]
        row.state = {**row.state, "tried": tried}


def test_records_written_before_the_line_named_their_step_are_placed_as_before(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """Guard (passes before the change too: the line wrote these records): a call already in
    the database, its records naming no step, is placed by the old guess by order and
    outcome, as it always was — Monday and Tuesday at the first request's step."""
    caller = two_requests(app, rt)
    old_format(rt, caller, slice(None))
    assert placed(agent, staff, caller) == {
        date(2026, 11, 20): "23/11/2026 10:01:00",
        date(2026, 11, 23): "23/11/2026 10:01:00",
        date(2026, 11, 24): "23/11/2026 10:01:00",
        date(2026, 11, 26): "23/11/2026 10:02:00",
    }


def test_a_call_whose_first_records_name_no_step_places_those_before_the_others(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """A call under way when the line was updated: its first request's record names no step
    (paired by order among the steps before the first one a record names), the second's name
    theirs."""
    caller = two_requests(app, rt)
    old_format(rt, caller, slice(0, 1))
    assert placed(agent, staff, caller) == {
        date(2026, 11, 20): "23/11/2026 10:01:00",
        date(2026, 11, 23): "23/11/2026 10:02:00",
        date(2026, 11, 24): "23/11/2026 10:02:00",
        date(2026, 11, 26): "23/11/2026 10:02:00",
    }


def test_a_day_without_canteen_in_two_requests_of_a_call_is_each_at_its_own(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """« Annuler mardi 1er, mercredi 2 et jeudi 3 décembre », both confirmed, then « annuler
    mercredi 9 et jeudi 10 décembre », hung up at Thursday's read-back. Wednesday 2 (said in
    the answer to Tuesday's « oui ») was paired, by order, with the second request's step,
    logged « pas de cantine » for Wednesday 9: Thursday 3 then read as « relue, jamais
    confirmée (raccroché) » although it was cancelled. Each record names its step now."""
    caller = call(app, rt)
    caller.keys("1234", "2")
    for said in ("annuler mardi 1er, mercredi 2 et jeudi 3 décembre", "1", "1", "1", "2",
                 "annuler mercredi 9 et jeudi 10 décembre"):
        rt.clock.frozen = rt.clock.now() + timedelta(minutes=1)
        caller.press(said) if said.isdigit() else caller.say(said)
    caller.hang_up()
    (row,) = staff.search_calls()[0]
    assert row.about == (
        "Léa — 01/12 : annulé", "Léa — 02/12 : annulation refusée (pas de cantine ce jour)",
        "Léa — 03/12 : annulé", "Léa — 09/12 : annulation refusée (pas de cantine ce jour)",
        "Léa — 10/12 : annulation relue, jamais confirmée (raccroché)")
    assert placed(agent, staff, caller) == {
        date(2026, 12, 2): "23/11/2026 10:02:00",  # the answer to Tuesday's « oui »
        date(2026, 12, 9): "23/11/2026 10:06:00",
        date(2026, 12, 10): "23/11/2026 10:06:00",
    }


def test_a_locked_family_s_offer_of_another_account_is_the_question_of_its_step(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    """The family recognised by caller ID is locked: the line, still at the code step, says
    so and offers « 0 puis dièse » for another account. Its lines ask that, not « code
    secret » (with an answer after it) nor nothing (the caller hung up there); said again
    (« * »), the same."""
    call(app, rt).keys("0000", "1111", "2222")  # three wrong codes: goodbye
    call(app, rt).keys("3333", "4444")  # the fifth locks the account
    hung_up = call(app, rt)
    assert "tapez 0 puis dièse" in hung_up.press("1234").text
    hung_up.hang_up()
    other = call(app, rt)
    other.press("1234")
    other.press("*")  # said again…
    other.press("0#")  # …then another account: its number asked
    other.hang_up()
    again = call(app, rt)
    again.press("1234")
    again.press("*")
    again.hang_up()

    for c in (hung_up, other, again):
        detail = staff.call_detail(c.call_sid)
        assert detail is not None
        asked = [x.asks for x in detail.exchanges if x.outcome in ("locked", "repeat")]
        assert asked == (["locked_offer"] if c is hung_up else ["locked_offer"] * 2)
        page = html.unescape(body(agent, f"/staff/calls/{c.call_sid}"))
        assert ("<strong>Ligne</strong> (0 puis dièse pour un autre dossier) : Si ce téléphone "
                "n'est pas celui de votre dossier, tapez 0 puis dièse") in page
    assert asked_after("pin", "locked") == "locked_offer"


def test_a_caller_who_ends_the_call_with_nothing_changed_is_no_abandon(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    declined = call(app, rt)
    declined.keys("1234", "2", "3011")  # read back…
    assert declined.say("non merci").says == [
        "Aucun changement n'a été fait.", "Merci de votre appel. Au revoir."]
    declined.hang_up()
    bye = call(app, rt)
    bye.press("1234")
    assert bye.say("au revoir").hangup  # at the menu
    bye.hang_up()
    nothing = call(app, rt)
    nothing.keys("1234", "1", "2611")  # Thursday is booked already: "déjà réservé"
    assert nothing.say("au revoir").hangup
    nothing.hang_up()
    gone = call(app, rt)
    gone.keys("1234", "2")  # hung up at the date question: the abandon
    gone.hang_up()

    with rt.sessions() as s:
        stored = dict(s.execute(select(Call.call_sid, Call.outcome)).all())
    assert stored[declined.call_sid] == stored[bye.call_sid] == "goodbye"
    assert stored[gone.call_sid] == "abandoned"
    rows = {r.call_sid: r.summary for r in staff.search_calls()[0]}
    assert rows[declined.call_sid] == rows[bye.call_sid] == "terminé sans changement"
    assert rows[nothing.call_sid] == "rien à changer"
    assert rows[gone.call_sid] == "abandon"
    assert sids(staff, outcome="abandoned") == [gone.call_sid]
    assert sids(staff, outcome="goodbye") == [bye.call_sid, declined.call_sid]
    assert staff.overview()["by_outcome"] == {"goodbye": 2, "abandoned": 1, "nothing": 1}
    page = body(agent, "/staff/calls?outcome=goodbye")
    assert '<option value="goodbye" selected>terminé sans changement</option>' in page
    assert "2 appel(s)" in page
    home = body(agent, "/staff/")
    assert "outcome=goodbye\">terminé sans changement</a> : 2</li>" in home
    detail = body(agent, f"/staff/calls/{declined.call_sid}")
    assert "terminé sans changement" in detail and "(l&#39;appelant a dit au revoir)" in detail
    no_raw_codes(detail)


def test_the_home_page_counts_a_call_hung_up_at_a_read_back_as_a_part_of_the_others(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    refused_first = call(app, rt)
    refused_first.keys("1234", "2", "2411", "2711")  # Tuesday refused, Friday read back
    refused_first.hang_up()
    only = call(app, rt)
    only.keys("1234", "2", "2711")  # read back, hung up: an abandon
    only.hang_up()
    booked = call(app, rt)
    booked.keys("1234", "2", "2711", "1")
    booked.hang_up()

    home = body(agent, "/staff/")
    listed = home.split('id="calls-today"')[1].split("</ul>")[0]
    counts = [int(n) for n in re.findall(r"</a> : (\d+)</li>", listed)]
    # Three calls: "refusé" 1, "abandon" 1, "annulation" 1 — the read-back is not a fourth.
    assert sorted(counts) == [1, 1, 1] and sum(counts) == 3
    assert "relecture" not in listed
    assert ('Dont <a href="/staff/calls?day=2026-11-23&amp;outcome=hung_up_read_back">'
            "raccroché à la relecture</a> : 2 (déjà comptés ci-dessus)") in home
    assert 'id="calls-several"' not in home

    both = call(app, rt)
    both.keys("1234", "2", "2611", "1")  # cancel Thursday…
    both.keys("1", "1", "2611", "1", "2")  # …then book it back: counted in both
    both.hang_up()
    home = body(agent, "/staff/")
    assert "compte dans chacune" in home.split('id="calls-several"')[1].split("</p>")[0]


def test_the_welcome_reads_as_the_welcome_and_the_first_question_as_its_own(
    app: Flask, rt: Runtime, agent: Any
) -> None:
    known = call(app, rt)  # caller ID: the code is asked
    known.keys("1234", "3")
    known.hang_up()
    labels = line_labels(agent, known)
    assert labels[:3] == ["Ligne (accueil)", "Ligne (accueil)", "Ligne (code secret)"]
    assert labels.count("Ligne (accueil)") == 2
    stranger = call(app, rt, STRANGER)  # the account number is asked
    stranger.hang_up()
    assert line_labels(agent, stranger) == [
        "Ligne (accueil)", "Ligne (accueil)", "Ligne (numéro de dossier)"]
    timeline = body(agent, f"/staff/calls/{known.call_sid}").split('id="timeline"')[1]
    assert "Ligne</strong> (accueil) : Bonjour et bienvenue" in timeline


# ------------------------------------------------------------------ "oui pour tous"
REFUSED_26 = ("Léa — 26/11 : annulation refusée : il fallait annuler avant le lundi 23 novembre "
              "à 13 heures")


def test_days_refused_within_yes_for_all_are_among_the_calls_attempts(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    # Friday already cancelled on the website; Thursday's deadline passes during the read-back.
    web = Actor("family", "210001", "web")
    rt.booking.change("210001", "cancel", [date(2026, 11, 27)], web, ["E1"])
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 30, tzinfo=PARIS)
    caller = call(app, rt)
    caller.keys("1234")
    caller.say("Annuler jeudi, vendredi et lundi.")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 0, tzinfo=PARIS)  # Thursday's deadline
    said = caller.say("Oui pour tous.").says
    assert said[1].startswith("Trop tard pour le jeudi 26 novembre")
    caller.hang_up()
    # Thursday's refusal was nowhere on the staff pages (Monday done, Friday "rien à annuler"):
    # it reads as a refusal made one by one does.
    (attempt,) = staff.child_attempts("210001", "E1")
    assert (attempt.kind, attempt.code, attempt.day) == ("refused", "past_deadline", THU)
    row = {r.call_sid: r for r in staff.search_calls()[0]}[caller.call_sid]
    assert row.summary == "annulation, refusé"
    # Friday's "rien à annuler" was said in the answer to "oui pour tous" (13:00), with the
    # others, not at Thursday's read-back (12:59:30): its record names that step.
    assert row.about == (
        "Léa — 30/11 : annulé",
        "Léa — 27/11 : rien à annuler (pas de repas réservé)",
        REFUSED_26,
    )
    assert caller.call_sid in sids(staff, outcome="refused")
    page = body(agent, f"/staff/calls/{caller.call_sid}")
    assert REFUSED_26 in html.unescape(page)
    no_raw_codes(page)


# ------------------------------------------------------------------ "mais j'ai bien annulé !"
def test_a_day_cancelled_then_booked_again_within_one_call_says_both_on_the_childs_calendar(
    app: Flask, rt: Runtime, agent: Any, staff: StaffService
) -> None:
    earlier = call(app, rt)  # another call first: its cancellation is not of the same call
    earlier.keys("1234", "2", "2711", "1", "2")  # cancel Friday
    earlier.hang_up()
    rt.clock.frozen = datetime(2026, 11, 23, 10, 20, tzinfo=PARIS)
    both = call(app, rt)
    both.keys("1234", "2", "2611", "1")  # cancel Thursday
    rt.clock.frozen = datetime(2026, 11, 23, 10, 21, 5, tzinfo=PARIS)
    both.keys("1", "1", "2611", "1")  # another operation: book it back
    both.keys("1", "1", "2711", "1", "2")  # and Friday too, then goodbye
    both.hang_up()

    page = html.unescape(body(agent, "/staff/families/210001/children/E1?month=2026-11"))
    thu = day_cell(page, THU)
    assert ("annulé puis réservé à nouveau pendant l'appel du 23/11 à 10:20"
            in re.sub(r"<[^>]+>", "", thu))
    assert f'href="/staff/calls/{both.call_sid}"' in thu
    # Both changes, each a link to its line of the journal, and the day's end state.
    with rt.sessions() as s:
        ids = list(s.scalars(select(AuditEntry.id).where(AuditEntry.day == THU)
                             .order_by(AuditEntry.id)))
    assert len(ids) == 2
    for entry_id, what in zip(ids, ("annulé à 10:20:00", "réservé à 10:21:05"), strict=True):
        assert (f'/staff/audit?account=210001&child=E1&meal=2026-11-26#entry-{entry_id}">'
                f"{what}</a>") in thu
    assert "au final : <strong>réservé" in thu
    journal = body(agent, "/staff/audit?account=210001&child=E1&meal=2026-11-26")
    assert all(f'id="entry-{i}"' in journal for i in ids)
    # Friday's cancellation was another call's: not "pendant l'appel", as any day booked again.
    fri = day_cell(page, date(2026, 11, 27))
    assert "pendant l'appel" not in fri and "réservé" in fri


def day_cell(page: str, day: date) -> str:
    """The month grid's cell of ``day`` (its classes, then its content)."""
    start = page.rindex('<td class="', 0, page.index(f'data-day="{day.isoformat()}"'))
    return page[start:page.index("</td>", start)]
