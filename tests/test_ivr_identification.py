"""A parent calling from a phone registered to another family (the grandmother's): "0#" at the
code question gives their own account number, as an unknown caller does, then the code. Never
more tries than an unknown caller has, and a locked family or phone stays locked.

Whole calls through the signed webhooks, on Monday 23 November 2026 at 10:00.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from restomairie.models import Call, Family
from restomairie.runtime import Runtime
from restomairie.staff.labels import asked_after, event_label
from restomairie.staff.services import StaffService
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, Twiml, events, line_app
from tests.staff_support import login, make_user, page_text

GRANDMA = "+33641473104"  # the phone of family 210503 (Sacha)
PARENT_ACCOUNT = "210500"  # Margaux and Nathan's family, code 1951, phone elsewhere
CODE_Q = "Tapez votre code secret à 4 chiffres."
ACCOUNT_Q = "Tapez votre numéro de dossier famille, puis la touche dièse."
WRONG = "Ce code n'est pas le bon."
LAST_TRY = "Attention : c'est votre dernier essai."
HINT = (
    "Si ce téléphone n'est pas celui de votre dossier, tapez 0 puis dièse pour donner votre "
    "numéro de dossier."
)
PARENT_MENU = ["Merci.", "Pour Margaux, tapez 1.", "Pour Nathan, tapez 2."]
LOCKED = "Après plusieurs codes erronés, l'accès par téléphone à ce dossier est bloqué jusqu'à "
# After the lockout, who to call and the web, before the way to another account.
DESK_AND_WEB = [
    "Pour parler à quelqu'un, appelez le Centre de traitement unique de la facturation au 03 80 "
    "74 51 51, du lundi au vendredi de 8 heures à 18 heures.",
    "Vous pouvez aussi réserver ou annuler un repas sur l'espace famille du site www.dijon.fr.",
]


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    make_family(rt, "210503", "9460", (GRANDMA,), (KidSpec("G1", "Sacha"),))
    kids = (KidSpec("P1", "Margaux"), KidSpec("P2", "Nathan"))
    make_family(rt, PARENT_ACCOUNT, "1951", ("+33642880483",), kids)
    return line_app(rt).test_client()


def from_grandma(client: FlaskClient, rt: Runtime) -> Caller:
    call = Caller(client, rt.settings, GRANDMA)
    assert call.start().says[-1] == CODE_Q  # recognised by caller ID: only the code
    return call


def failed_pins(rt: Runtime, account: str) -> int:
    with rt.sessions() as session:
        return session.scalars(select(Family.failed_pins).where(Family.account == account)).one()


def assert_code_gather(twiml: Twiml) -> None:
    """The code question: four keys, or fewer ended by "#" (how "0#" arrives as "0")."""
    gather = twiml.gather
    assert gather is not None
    assert gather.get("input") == "dtmf" and gather.get("numDigits") == "4"
    assert gather.get("finishOnKey") == "#"


def test_after_a_wrong_code_the_parent_types_0_hash_then_their_own_account_and_code(
    rt: Runtime, client: FlaskClient
) -> None:
    call = from_grandma(client, rt)
    assert HINT not in call.history[0].says  # not in the first question: everyone hears it
    again = call.press("1951")  # the parent's own code, on the grandmother's account
    assert again.says == [WRONG, HINT, CODE_Q]
    assert_code_gather(again)
    # "0#": the "#" ends the Gather, Twilio posts Digits="0".
    account_q = call.press("0")
    assert account_q.says == [ACCOUNT_Q]  # as for an unknown caller
    gather = account_q.gather
    assert gather is not None and "numDigits" not in gather.attrib
    assert gather.get("finishOnKey") == "#" and gather.get("input") == "dtmf"
    code_q = call.press(PARENT_ACCOUNT)
    assert code_q.says == [CODE_Q]
    assert_code_gather(code_q)
    menu = call.press("1951")
    assert menu.says[:3] == PARENT_MENU  # the parent's children, not Sacha
    assert "Sacha" not in menu.text

    steps = [(e.step, e.heard, e.outcome) for e in events(rt, call)]
    assert steps == [
        ("greeting", None, "caller_id"),
        ("pin", "[code]", "wrong_code"),
        ("pin", "0", "other_account"),
        ("account", PARENT_ACCOUNT, "ok"),
        ("pin", "[code]", "right_code"),
    ]
    # The staff read it, under the parent's family, typed from a number not theirs.
    detail = StaffService(rt.booking).call_detail(call.call_sid)
    assert detail is not None
    assert detail.row.account == PARENT_ACCOUNT
    assert detail.identified_by == "typed_elsewhere"
    switch = detail.exchanges[2]
    assert event_label(switch.outcome, switch.step) == "autre dossier demandé"
    assert switch.asks == "account" == asked_after("pin", "other_account")
    # The wrong code was the grandmother's family's to count: it stays counted.
    assert failed_pins(rt, "210503") == 1


def test_0_hash_at_the_first_code_question_asks_the_account_number(
    rt: Runtime, client: FlaskClient
) -> None:
    call = from_grandma(client, rt)
    assert call.press("0").says == [ACCOUNT_Q]
    call.press(PARENT_ACCOUNT)
    assert call.press("0000").says == [WRONG, CODE_Q]  # the account typed: no hint now
    assert call.press("1951").says[:3] == PARENT_MENU
    assert failed_pins(rt, "210503") == 0


def test_the_account_and_the_code_typed_together_after_0_hash(
    rt: Runtime, client: FlaskClient
) -> None:
    call = from_grandma(client, rt)
    call.press("0")
    assert call.press(PARENT_ACCOUNT + "1951").says[:3] == PARENT_MENU


def test_other_short_entries_and_0_once_the_account_is_typed_are_not_a_code(
    rt: Runtime, client: FlaskClient
) -> None:
    call = from_grandma(client, rt)
    # 1 to 3 keys other than "0": as before (no hint: nothing says it is not this family's).
    assert call.press("12").says == ["Le code secret a 4 chiffres.", CODE_Q]
    call.press("0")
    call.press(PARENT_ACCOUNT)
    # The account typed: "0" is a code too short, not another account again.
    assert call.press("0").says == ["Le code secret a 4 chiffres.", LAST_TRY, CODE_Q]
    bye = call.press("0000")  # "12", "0" and "0000": the code question's three attempts
    assert bye.hangup and bye.says[0] == WRONG and HINT not in bye.says


def test_the_attempts_made_before_0_hash_still_count(rt: Runtime, client: FlaskClient) -> None:
    call = from_grandma(client, rt)
    call.keys("1111", "2222")  # two wrong codes, each with the hint
    call.press("0")
    call.press(PARENT_ACCOUNT)
    bye = call.press("3333")  # the third wrong code of the call: goodbye, as for anyone
    assert bye.hangup and bye.says[0] == WRONG and HINT not in bye.says
    with rt.sessions() as session:
        logged = session.scalars(select(Call).where(Call.call_sid == call.call_sid)).one()
    assert logged.outcome == "ident_failed"
    assert (failed_pins(rt, "210503"), failed_pins(rt, PARENT_ACCOUNT)) == (2, 1)

    # The same with the account and the code typed in one go.
    other = from_grandma(client, rt)
    other.keys("4444", "5555", "0")
    assert other.press(PARENT_ACCOUNT + "6666").hangup


def test_after_the_last_wrong_code_no_hint_is_given(rt: Runtime, client: FlaskClient) -> None:
    call = from_grandma(client, rt)
    bye = call.keys("1111", "2222", "3333")
    assert bye.hangup and bye.says[0] == WRONG and HINT not in bye.says
    assert [HINT in t.says for t in call.history[1:]] == [True, True, False]


def test_a_locked_family_stays_locked_and_the_grandmother_s_lock_is_not_the_parent_s(
    rt: Runtime, client: FlaskClient
) -> None:
    # Five wrong codes on the grandmother's account: locked, but not the parent's.
    from_grandma(client, rt).keys("1111", "2222", "3333")
    locked = from_grandma(client, rt).keys("4444", "5555")
    assert locked.says[0].startswith(LOCKED) and locked.says[-1] == HINT  # see below
    call = from_grandma(client, rt)
    call.keys("0", PARENT_ACCOUNT)
    assert call.press("1951").says[:3] == PARENT_MENU

    # The parent's account locked (five wrong codes from elsewhere): still locked this way.
    for codes in (("1111", "2222", "3333"), ("4444", "5555")):
        typed = Caller(client, rt.settings, "+33198765432")
        typed.start()
        typed.keys(PARENT_ACCOUNT, *codes)
    call = from_grandma(client, rt)
    call.keys("0", PARENT_ACCOUNT)
    refused = call.press("1951")
    assert refused.hangup
    assert refused.says[0].startswith("Après plusieurs codes erronés, l'accès par téléphone")


def test_after_0_hash_the_codes_are_counted_by_phone_number(rt: Runtime) -> None:
    # Four wrong codes from a number refuse it (ten by default): the grandmother's wrong codes
    # count, and once the account is typed the number is checked like any unknown caller's.
    phone = dataclasses.replace(rt.settings.phone, caller_lockout_after=4)
    settings = dataclasses.replace(rt.settings, phone=phone)
    rt2 = Runtime.build(settings=settings, clock=rt.clock, engine=rt.engine)
    make_family(rt2, "210503", "9460", (GRANDMA,), (KidSpec("G1", "Sacha"),))
    make_family(rt2, PARENT_ACCOUNT, "1951", (), (KidSpec("P1", "Margaux"),))
    client = line_app(rt2).test_client()
    from_grandma(client, rt2).keys("1111", "2222", "0", PARENT_ACCOUNT, "3333")
    rt2.clock.frozen = rt2.clock.now() + timedelta(minutes=1)
    from_grandma(client, rt2).keys("0", PARENT_ACCOUNT, "4444")
    rt2.clock.frozen = rt2.clock.now() + timedelta(minutes=1)
    call = from_grandma(client, rt2)
    call.keys("0", PARENT_ACCOUNT)
    refused = call.press("1951")  # even the right code: this number is not checked any more
    assert refused.hangup
    assert refused.says[0].startswith(
        "Trop de codes erronés ont été tapés depuis ce numéro de téléphone."
    )
    assert failed_pins(rt2, PARENT_ACCOUNT) == 2  # refused unchecked: not counted
    # The grandmother, recognised by caller ID, only ever tries her own code: not refused.
    assert from_grandma(client, rt2).press("9460").says[0] == "Merci."


def test_an_english_speaking_family_s_phone_hears_the_hint_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210504", "4321", ("+447700900123",), (KidSpec("E1", "Amy"),), "en")
    call = Caller(client, rt.settings, "+447700900123")
    call.start()
    assert call.press("1951").says[1] == (
        "If this phone is not the one on your family account, press 0 then the hash key to "
        "give your account number."
    )
    assert call.press("0").says == [
        "Please type your family account number, then press the hash key."
    ]


def test_after_0_hash_a_call_that_goes_no_further_is_not_the_phone_s_family_s(
    rt: Runtime, client: FlaskClient
) -> None:
    hung_up = from_grandma(client, rt)
    hung_up.keys("1951", "0")  # the parent's code, "0#", then hung up at the account question
    hung_up.hang_up()
    lost = from_grandma(client, rt)
    assert lost.keys("0", "999999", "999998", "999997").hangup  # no such account, three times
    lost.hang_up()
    assert failed_pins(rt, "210503") == 1  # the code typed for it still counts
    back = from_grandma(client, rt)  # "0#", then the grandmother's own account after all
    back.keys("0", "210503", "9460", "3", "2")
    back.hang_up()

    staff = StaffService(rt.booking)
    assert [r.call_sid for r in staff.family_calls("210503")] == [back.call_sid]
    assert [r.call_sid for r in staff.search_calls(account="210503")[0]] == [back.call_sid]
    rows = {r.call_sid: r for r in staff.search_calls()[0]}
    for gave_up in (hung_up, lost):
        row = rows[gave_up.call_sid]
        assert (row.account, row.number_of, row.verified) == (None, (), False)
    assert (rows[back.call_sid].account, rows[back.call_sid].verified) == ("210503", True)
    detail = staff.call_detail(hung_up.call_sid)
    assert detail is not None and detail.phone_account == "210503"

    # What the staff read: not on the grandmother's family page nor under her account.
    make_user(rt, "marie", "staff")
    agent = client.application.test_client()
    assert login(agent, "marie").status_code == 302
    family = agent.get("/staff/families/210503").get_data(as_text=True)
    calls = family.split("<h2>Appels</h2>")[1].split("<h2>")[0]
    assert back.call_sid in calls
    assert hung_up.call_sid not in calls and lost.call_sid not in calls
    listed = agent.get("/staff/calls?account=210503").get_data(as_text=True)
    assert "1 appel(s)" in listed and hung_up.call_sid not in listed
    page = page_text(agent.get(f"/staff/calls/{hung_up.call_sid}"))
    assert "Famille non identifiée" in page and "code non saisi" not in page
    assert ("Téléphone d'un autre dossier l'appelant a tapé 0# : ce téléphone, enregistré au "
            "dossier 210503, n'est pas celui de sa famille") in page


def test_the_wrong_codes_typed_before_0_hash_are_among_the_causes_of_the_lockout(
    rt: Runtime, client: FlaskClient
) -> None:
    before = from_grandma(client, rt)
    before.keys("1111", "2222", "0")
    before.hang_up()
    locking = from_grandma(client, rt)
    assert locking.keys("3333", "4444", "5555").hangup  # the fifth, the call's last attempt
    lockout = StaffService(rt.booking).phone_lockout("210503")
    assert lockout is not None and lockout.active
    assert [r.call_sid for r in lockout.causes] == [before.call_sid, locking.call_sid]


def test_at_a_locked_phone_0_hash_still_leads_to_the_caller_s_own_account(
    rt: Runtime, client: FlaskClient
) -> None:
    from_grandma(client, rt).keys("1111", "2222", "3333")
    fifth = from_grandma(client, rt)
    locked = fifth.keys("4444", "5555")  # the fifth wrong code locks the grandmother's family
    assert locked.says == [LOCKED + "10 h 15.", *DESK_AND_WEB, HINT]
    assert_code_gather(locked)
    fifth.hang_up()

    call = from_grandma(client, rt)
    offer = call.press("1951")  # refused unchecked: the family is locked
    assert offer.says == [LOCKED + "10 h 15.", *DESK_AND_WEB, HINT] and not offer.hangup
    assert call.press("*").says == [LOCKED + "10 h 15.", *DESK_AND_WEB, HINT]
    assert call.press("0").says == [ACCOUNT_Q]
    call.press(PARENT_ACCOUNT)
    assert call.press("1951").says[:3] == PARENT_MENU
    with rt.sessions() as session:
        logged = session.scalars(select(Call).where(Call.call_sid == call.call_sid)).one()
    assert logged.state["phone_account"] == "210503"
    assert [(e.step, e.heard, e.outcome) for e in events(rt, call)][1:4] == [
        ("pin", "[code]", "locked"), ("pin", "[code]", "repeat"), ("pin", "0", "other_account")]
    detail = StaffService(rt.booking).call_detail(call.call_sid)
    assert detail is not None
    assert (detail.row.account, detail.row.verified) == (PARENT_ACCOUNT, True)
    assert detail.phone_account == "210503" and detail.identified_by == "typed_elsewhere"
    assert [event_label(x.outcome, x.step) for x in detail.exchanges[1:4:2]] == [
        "accès bloqué (codes erronés)", "autre dossier demandé"]

    # Anything but "0#" ends the call, the grandmother's right code too (never checked): a
    # code typed again hears the lockout again, silence only the goodbye.
    for answer, lockout in (("9460", [LOCKED + "10 h 15."]), ("", [])):
        other = from_grandma(client, rt)
        other.press("1951")
        bye = other.press(answer) if answer else other.silence()
        assert bye.hangup and bye.says == [*lockout, "Merci de votre appel. Au revoir."]
    assert from_grandma(client, rt).press("9460").says[0].startswith(LOCKED)

    # After "0#", the grandmother's account typed is still locked.
    typed = from_grandma(client, rt)
    typed.keys("1951", "0", "210503")
    refused = typed.press("9460")
    assert refused.hangup and refused.says[0].startswith(LOCKED)

    # No more codes than an unknown caller: the answer refused counts, two codes are left.
    parent = from_grandma(client, rt)
    parent.keys("1951", "0", PARENT_ACCOUNT)
    assert parent.press("0000").says == [WRONG, LAST_TRY, CODE_Q]
    assert parent.press("0001").hangup
    assert failed_pins(rt, PARENT_ACCOUNT) == 2
    with rt.sessions() as session:
        locked_until = session.scalars(
            select(Family.locked_until).where(Family.account == "210503")).one()
    assert locked_until is not None  # still the lockout of the fifth wrong code
    assert failed_pins(rt, "210503") == 0


def test_after_the_call_s_last_attempt_a_locked_phone_offers_no_other_account(
    rt: Runtime, client: FlaskClient
) -> None:
    from_grandma(client, rt).keys("1111", "2222")
    call = from_grandma(client, rt)
    locked = call.keys("3333", "4444", "5555")  # the fifth wrong code is the call's third
    assert locked.hangup and locked.says[0].startswith(LOCKED) and HINT not in locked.says
