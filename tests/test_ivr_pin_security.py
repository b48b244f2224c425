"""The secret code against guessing: counted per family (5 in a row lock it for 15 minutes),
per caller number over every account when the account is typed (10 in an hour refuse that
number), each wrong code counted even when several arrive at once, old failures forgotten,
and a lockout linked to the call that caused it.

Whole calls through the signed webhooks, on Monday 23 November 2026.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from restomairie.models import AuditEntry, Family
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app

ATTACKER = "+33700000001"
PARENT = "+33612345678"
ACCOUNTS = ("210001", "210002", "210003")


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    for n, account in enumerate(ACCOUNTS):
        phones = (PARENT,) if n == 0 else ()
        make_family(rt, account, "1234", phones, (KidSpec(f"E{n}", "Léa"),))
    return line_app(rt).test_client()


def typed_call(
    client: FlaskClient, rt: Runtime, account: str, *codes: str, number: str = ATTACKER
) -> Caller:
    call = Caller(client, rt.settings, number)
    call.start()
    call.press(account)
    for code in codes:
        call.press(code)
    return call


def failed_pins(rt: Runtime, account: str) -> int:
    with rt.sessions() as session:
        return session.scalars(select(Family.failed_pins).where(Family.account == account)).one()


def test_wrong_codes_from_one_number_over_several_accounts_refuse_that_number(
    rt: Runtime, client: FlaskClient
) -> None:
    # Four wrong codes on each of two accounts and two on a third: no family locked (five in a
    # row lock one), but ten from this number.
    typed_call(client, rt, "210001", "0000", "0001", "0002")
    typed_call(client, rt, "210001", "0003")
    typed_call(client, rt, "210002", "0000", "0001", "0002")
    typed_call(client, rt, "210002", "0003")
    typed_call(client, rt, "210003", "0000", "0001")
    call = Caller(client, rt.settings, ATTACKER)
    call.start()
    call.press("210003")
    refused = call.press("1234")  # even the right code: this number is not checked any more
    assert refused.hangup
    # When to call again: the first of the ten (10:00) leaves the hour at 11:00 ("plus tard"
    # gave no time, where a family's lockout does).
    assert refused.says[0] == (
        "Trop de codes erronés ont été tapés depuis ce numéro de téléphone. Merci de réessayer "
        "après 11 heures."
    )
    assert failed_pins(rt, "210003") == 2  # not counted against the family
    # The family, calling from its own number, is not concerned.
    parent = Caller(client, rt.settings, PARENT)
    parent.start()
    assert parent.press("1234").says[0] == "Merci."
    # An hour later the number may try again.
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=61)
    later = typed_call(client, rt, "210003")
    assert later.press("1234").says[0] == "Merci."


def test_codes_typed_with_the_account_number_count_against_the_number_too(
    rt: Runtime, client: FlaskClient
) -> None:
    # "2100010000": the account and a code in one go (no "#"). Each wrong code so typed counts
    # for the number like one typed at the code question: ten, four at most per family, refuse it
    # (they were counted against the family only, so one phone could try four on every family).
    for account in ACCOUNTS[:2]:
        typed_call(client, rt, account + "0000", "0001", "0002")
        typed_call(client, rt, account + "0003")
    typed_call(client, rt, "2100030000")
    typed_call(client, rt, "2100030001")
    assert failed_pins(rt, "210003") == 2
    refused = typed_call(client, rt, "2100031234").last
    assert refused is not None and refused.hangup
    assert refused.says[0].startswith(
        "Trop de codes erronés ont été tapés depuis ce numéro de téléphone."
    )
    assert failed_pins(rt, "210003") == 2  # refused unchecked: not counted against the family


def test_a_number_refused_is_told_when_to_call_again_as_its_oldest_wrong_code_leaves_the_hour(
    rt: Runtime, client: FlaskClient
) -> None:
    start = rt.clock.now()  # 10:00
    typed_call(client, rt, "210001", "0000", "0001", "0002")
    rt.clock.frozen = start + timedelta(minutes=20)
    typed_call(client, rt, "210002", "0000", "0001", "0002")
    typed_call(client, rt, "210002", "0003")
    rt.clock.frozen = start + timedelta(minutes=40)
    typed_call(client, rt, "210003", "0000", "0001", "0002")  # ten in the hour
    refused = typed_call(client, rt, "210003").press("1234")
    assert refused.says[0].endswith("Merci de réessayer après 11 heures.")
    # At 11:01 the three of 10:00 are out of the hour: seven left, the number may try again.
    rt.clock.frozen = start + timedelta(minutes=61)
    assert typed_call(client, rt, "210003").press("1234").says[0] == "Merci."


def test_a_number_refused_past_the_line_s_hours_is_told_to_try_later(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = rt.clock.now().replace(hour=12, minute=10)
    for account in ACCOUNTS[:2]:
        typed_call(client, rt, account, "0000", "0001", "0002")
        typed_call(client, rt, account, "0003")
    typed_call(client, rt, "210003", "0000", "0001")
    refused = typed_call(client, rt, "210003").press("1234")
    # Free again at 13:10, after the line closes at 13:00: no time said.
    assert refused.says[0].endswith("Merci de réessayer plus tard.")


def test_a_withheld_number_refused_is_told_to_show_its_number(
    rt: Runtime, client: FlaskClient
) -> None:
    withheld = "+266696687"  # Twilio's From for ANONYMOUS
    for account in ACCOUNTS[:2]:  # four wrong codes on each: no family locked
        typed_call(client, rt, account, "0000", "0001", "0002", number=withheld)
        typed_call(client, rt, account, "0003", number=withheld)
    call = typed_call(client, rt, "210003", "0000", "0001", number=withheld)
    refused = call.press("1234")
    assert refused.hangup
    assert refused.says[0] == (
        "Trop de codes erronés ont été tapés depuis des numéros masqués. Merci de rappeler en "
        "affichant votre numéro, ou de réessayer plus tard."
    )
    # Shown, the same family's number is recognised and let in.
    parent = Caller(client, rt.settings, PARENT)
    parent.start()
    assert parent.press("1234").says[0] == "Merci."


def test_every_spelling_of_a_withheld_number_shares_one_count(
    rt: Runtime, client: FlaskClient
) -> None:
    # Twilio says "anonymous", "Anonymous", "+266696687", "restricted"… for a hidden number: a
    # caller must not get a fresh count of wrong codes with each.
    # Ten wrong codes, at most four per family (five in a row would lock that family).
    tries = [
        ("210001", "anonymous"),
        ("210001", "+266696687"),
        ("210002", "Restricted"),
        ("210002", "+86282452253"),
        ("210003", "unknown"),
    ]
    for account, spelling in tries:
        typed_call(client, rt, account, "0000", "0001", number=spelling)
    call = typed_call(client, rt, "210003", number="Anonymous")
    refused = call.press("1234")
    assert refused.hangup
    assert refused.says[0].startswith("Trop de codes erronés ont été tapés depuis des numéros")
    # A shown number is still counted on its own.
    assert typed_call(client, rt, "210003").press("1234").says[0] == "Merci."


def test_a_call_without_a_caller_number_is_counted_as_withheld(
    rt: Runtime, client: FlaskClient
) -> None:
    # No From at all (or an empty one), and Twilio Client's "client:Anonymous": withheld
    # numbers, counted together with "anonymous" (they escaped the count altogether).
    tries = [("210001", ""), ("210001", "client:Anonymous"), ("210002", "anonymous"),
             ("210002", ""), ("210003", "client:anonymous")]
    for account, spelling in tries:
        typed_call(client, rt, account, "0000", "0001", number=spelling)
    for number in ("", "client:Anonymous"):
        refused = typed_call(client, rt, "210003", number=number).press("1234")
        assert refused.hangup
        assert refused.says[0].startswith("Trop de codes erronés ont été tapés depuis des numéros")
    # A Twilio Client caller with a name is counted on its own.
    assert typed_call(client, rt, "210003", number="client:alice").press("1234").says[0] == (
        "Merci."
    )


def test_a_sip_caller_hiding_its_identity_is_counted_as_withheld_through_any_host(
    rt: Runtime, client: FlaskClient
) -> None:
    # RFC 3323's anonymous SIP caller is "sip:anonymous@anonymous.invalid", but a PBX may put
    # its own host there: each host used to get a fresh count of wrong codes.
    tries = [("210001", "sip:anonymous@pbx.example.fr"), ("210001", "sip:Anonymous@10.0.0.7"),
             ("210002", "sip:anonymous@anonymous.invalid"), ("210002", "sip:restricted@pbx2.fr"),
             ("210003", "anonymous")]
    for account, spelling in tries:
        typed_call(client, rt, account, "0000", "0001", number=spelling)
    refused = typed_call(client, rt, "210003", number="sip:ANONYMOUS@other.example").press("1234")
    assert refused.hangup
    assert refused.says[0].startswith("Trop de codes erronés ont été tapés depuis des numéros")
    # A SIP caller with a name is counted on its own.
    assert typed_call(client, rt, "210003", number="sip:alice@pbx.example.fr").press(
        "1234").says[0] == "Merci."


def test_a_call_with_no_from_parameter_at_all_is_counted_as_withheld(
    rt: Runtime, client: FlaskClient
) -> None:
    class NoFrom(Caller):
        def params(self, **extra: str) -> dict[str, str]:
            params = super().params(**extra)
            del params["From"]
            return params

    for account in ACCOUNTS[:2]:
        for codes in (("0000", "0001", "0002"), ("0003",)):
            call = NoFrom(client, rt.settings)
            call.start()
            call.keys(account, *codes)
    call = NoFrom(client, rt.settings)
    call.start()
    refused = call.keys("210003", "0000", "0001", "1234")
    assert refused.hangup
    assert refused.says[0].startswith("Trop de codes erronés ont été tapés depuis des numéros")
    assert failed_pins(rt, "210003") == 2


def test_a_number_recognised_by_caller_id_is_limited_by_its_family_lockout_only(
    rt: Runtime, client: FlaskClient
) -> None:
    # Ten wrong codes within the hour from the family's own number: its account is locked
    # twice, but the number is not refused (it can only ever try this family's code).
    for _ in range(2):
        for codes in (("0000", "0001"), ("0002", "0003"), ("0004",)):
            call = Caller(client, rt.settings, PARENT)
            call.start()
            for code in codes:
                call.press(code)
        with rt.sessions() as session:
            lock = session.scalars(select(Family.locked_until).where(Family.account == "210001"))
            assert lock.one() is not None
        rt.clock.frozen = rt.clock.now() + timedelta(minutes=16)
    parent = Caller(client, rt.settings, PARENT)
    parent.start()
    assert parent.press("1234").says[0] == "Merci."


def test_a_wrong_code_long_after_the_last_starts_the_count_again(
    rt: Runtime, client: FlaskClient
) -> None:
    typed_call(client, rt, "210001", "0000", "0001", "0002")
    typed_call(client, rt, "210001", "0003")
    assert failed_pins(rt, "210001") == 4
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=16)
    typed_call(client, rt, "210001", "0004")
    assert failed_pins(rt, "210001") == 1  # not five in a row: not locked


def test_a_lockout_is_linked_to_the_call_that_caused_it(rt: Runtime, client: FlaskClient) -> None:
    typed_call(client, rt, "210001", "0000", "0001", "0002")
    last = typed_call(client, rt, "210001", "0003", "0004")
    with rt.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "phone_lockout")
        ).one()
    assert entry.call_sid == last.call_sid


def test_simultaneous_wrong_codes_are_each_counted(rt: Runtime, client: FlaskClient) -> None:
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def guess(code: str) -> None:
        try:
            start.wait()
            rt.booking.check_pin("210002", code)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=guess, args=(f"000{k}",)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert failed_pins(rt, "210002") == 4
