"""The deployment's pepper for code hashes (RESTOMAIRIE_PIN_PEPPER): a stolen dump alone cannot be
enumerated; codes hashed before the pepper still work and are hashed again with it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from restomairie.booking.importer import import_csv
from restomairie.booking.services import (
    PEPPERED_SCHEME,
    PLAIN_SCHEME,
    Actor,
    MissingPepper,
    check_pin_hash,
    hash_pin,
)
from restomairie.models import Family
from restomairie.runtime import Runtime
from tests.factories import make_family

PEPPER = "a-long-random-pepper-kept-out-of-the-database"


def peppered(rt: Runtime, pepper: str | None = PEPPER) -> Runtime:
    secrets = {k: v for k, v in rt.settings.secrets.items() if k != "RESTOMAIRIE_PIN_PEPPER"}
    if pepper is not None:
        secrets["RESTOMAIRIE_PIN_PEPPER"] = pepper
    return Runtime.build(
        settings=replace(rt.settings, secrets=secrets), clock=rt.clock, engine=rt.engine
    )


def stored_hash(rt: Runtime, account: str = "210001") -> str:
    with rt.sessions() as session:
        return str(session.scalar(select(Family.pin_hash).where(Family.account == account)))


def test_a_peppered_hash_needs_the_same_pepper() -> None:
    stored = hash_pin("1234", PEPPER)
    assert stored.startswith(PEPPERED_SCHEME + "$")
    assert check_pin_hash("1234", stored, PEPPER)
    assert not check_pin_hash("1235", stored, PEPPER)
    assert not check_pin_hash("1234", stored, "another pepper")
    with pytest.raises(MissingPepper):
        check_pin_hash("1234", stored, None)
    plain = hash_pin("1234")
    assert plain.startswith(PLAIN_SCHEME + "$")
    assert check_pin_hash("1234", plain, None) and check_pin_hash("1234", plain, PEPPER)
    assert not check_pin_hash("1234", "md5$1$x$y", PEPPER)


def test_a_code_hashed_before_the_pepper_works_and_is_hashed_again_with_it(rt: Runtime) -> None:
    make_family(rt, pin="4321")  # hashed without a pepper
    line = peppered(rt)
    assert not line.booking.check_pin("210001", "0000").ok
    assert stored_hash(rt).startswith(PLAIN_SCHEME + "$")  # a wrong code changes nothing
    assert line.booking.check_pin("210001", "4321").ok
    upgraded = stored_hash(rt)
    assert upgraded.startswith(PEPPERED_SCHEME + "$")
    assert line.booking.check_pin("210001", "4321").ok
    assert stored_hash(rt) == upgraded  # once
    with pytest.raises(MissingPepper):  # the pepper is now needed
        peppered(rt, None).booking.check_pin("210001", "4321")


def test_an_import_hashes_codes_with_the_pepper(rt: Runtime) -> None:
    line = peppered(rt)
    csv = (
        "family,pin,phones,guardian,child,first_name,last_name,birth_date,school,diet,days\n"
        "210001,2468,0612345678,Mme A,E1,Léa,A,2019-05-01,anjou-elem,standard,lun mar jeu ven\n"
    )
    import_csv(line.booking, csv.encode(), Actor("staff", "marie", "import"))
    assert stored_hash(rt).startswith(PEPPERED_SCHEME + "$")
    assert line.booking.check_pin("210001", "2468").ok


def test_a_lost_pepper_is_an_apology_on_the_line_not_a_wrong_code(rt: Runtime) -> None:
    from tests.ivr_support import Caller, line_app

    make_family(rt, pin="4321")
    peppered(rt).booking.check_pin("210001", "4321")  # now hashed with the pepper
    client: FlaskClient = line_app(rt).test_client()
    call = Caller(client, rt.settings, "+33612345678")
    assert "code secret" in call.start().text
    answer = call.keys("4321")
    assert "problème technique" in answer.text
    with rt.sessions() as session:
        family = session.scalar(select(Family).where(Family.account == "210001"))
        assert family is not None and family.failed_pins == 0  # not counted as a wrong code
