"""The staff login's rate limit is no lever to lock someone else out: wrong passwords typed from
one address refuse that name to that address only, guesses spread over many addresses refuse
only the addresses that guessed, and admins see the locks on the accounts page and lift them
(audited, with a reason). Behind declared proxies the forwarded address counts, and only then.
Through HTTP (Flask's test client), each "computer" a client with its own address."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from restomairie.config import ConfigError, load_config
from restomairie.models import AuditEntry, StaffLoginFailure
from restomairie.runtime import Runtime
from restomairie.staff.accounts import ADDRESS_LIMIT, MAX_FAILURES, NAME_ALERT
from tests.staff_support import PASSWORD, csrf, login, make_user, post

OFFICE = "10.1.2.3"  # the town hall's computer
STRANGER = "203.0.113.66"  # anyone on the Internet


def computer(app: Flask, address: str) -> Any:
    """A browser on a computer with that address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client: Any, username: str, password: str = "pas le bon mot") -> int:
    return int(login(client, username, password).status_code)


@pytest.fixture
def chef(app: Flask, rt: Runtime) -> Any:
    """The admin "chef", logged in from the office."""
    make_user(rt, "chef", "admin")
    client = computer(app, OFFICE)
    assert attempt(client, "chef", PASSWORD) == 302
    return client


def failures(rt: Runtime) -> list[tuple[str, str]]:
    with rt.sessions() as s:
        return [(f.username, f.address) for f in s.scalars(select(StaffLoginFailure))]


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_of_another(
    app: Flask, rt: Runtime
) -> None:
    make_user(rt, "demo", "admin")
    stranger = computer(app, STRANGER)
    for _ in range(MAX_FAILURES):
        assert attempt(stranger, "demo") == 401
    refused = login(stranger, "demo", PASSWORD)  # even the right password, from there
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "900"  # 10:15, in seconds
    page = refused.get_data(as_text=True)
    assert "Trop d&#39;essais pour cet identifiant depuis ce poste : réessayez après 10:15" in page
    # The real admin, at the office, logs in: the stranger locked only themself.
    office = computer(app, OFFICE)
    assert attempt(office, "demo", PASSWORD) == 302
    assert office.get("/staff/users").status_code == 200
    # Renewing the lock from the stranger's address still changes nothing for the office.
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=16)
    for _ in range(MAX_FAILURES):
        assert attempt(stranger, "demo") == 401
    assert attempt(stranger, "demo", PASSWORD) == 429
    assert attempt(computer(app, OFFICE), "demo", PASSWORD) == 302


def test_a_right_password_forgets_that_addresses_wrong_ones(app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    office = computer(app, OFFICE)
    for _ in range(MAX_FAILURES - 1):
        assert attempt(office, "marie") == 401
    assert attempt(office, "marie", PASSWORD) == 302
    for _ in range(MAX_FAILURES - 1):
        assert attempt(office, "marie") == 401
    assert attempt(office, "marie", PASSWORD) == 302  # not locked: the count started again


def test_guessing_from_many_addresses_refuses_those_addresses_not_the_real_user(
    app: Flask, rt: Runtime
) -> None:
    make_user(rt, "demo", "admin")
    per_address = MAX_FAILURES - 1  # each stays under the limit of one address…
    guessers = [computer(app, f"198.51.100.{i}") for i in range(-(-NAME_ALERT // per_address))]
    for guesser in guessers:
        for _ in range(per_address):
            assert attempt(guesser, "demo") == 401
    # …but together they passed the name's: every address that guessed is refused…
    assert all(attempt(g, "demo", PASSWORD) == 429 for g in guessers)
    # …a new one gets one try, checked (wrong: 401), then is refused too…
    newcomer = computer(app, "198.51.100.200")
    assert attempt(newcomer, "demo") == 401
    assert attempt(newcomer, "demo") == 429
    # …and the real user, from an address without a wrong password, logs in.
    assert attempt(computer(app, OFFICE), "demo", PASSWORD) == 302


def test_one_address_trying_many_names_is_refused_every_name(app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    sprayer = computer(app, STRANGER)
    for i in range(ADDRESS_LIMIT):
        assert attempt(sprayer, f"nom{i}") == 401
    refused = login(sprayer, "marie", PASSWORD)
    assert refused.status_code == 429
    assert "Trop d&#39;essais depuis ce poste" in refused.get_data(as_text=True)
    assert attempt(computer(app, OFFICE), "marie", PASSWORD) == 302


def test_admins_see_the_locks_on_the_accounts_page_and_lift_them_with_a_reason(
    app: Flask, rt: Runtime, chef: Any
) -> None:
    make_user(rt, "marie", "staff")
    stranger = computer(app, STRANGER)
    for _ in range(MAX_FAILURES):
        attempt(stranger, "marie")
    for _ in range(MAX_FAILURES):
        attempt(stranger, "personne")  # a name that is no account
    page = chef.get("/staff/users").get_data(as_text=True)
    row = page.split("<td>marie</td>")[1].split("</tr>")[0]
    assert f"bloqué pour le poste {STRANGER}</strong> (5 mots de passe erronés) jusqu'à 10:15" in row
    assert 'action="/staff/users/marie/unlock"' in row
    assert '<td class="login-locks">aucun</td>' in page.split(  # chef: no lock
        "<td>chef</td>")[1].split("</tr>")[0]
    unknown = page.split('id="unknown-locks"')[1].split("</ul>")[0]
    assert "personne" in unknown and STRANGER in unknown
    # Without a reason: refused, nothing lifted.
    no_reason = post(chef, "/staff/users/marie/unlock", {"reason": "  "}, follow_redirects=True)
    assert "Le déblocage demande un motif." in no_reason.get_data(as_text=True)
    assert attempt(stranger, "marie", PASSWORD) == 429
    # With one: lifted, audited (who, what, how many, why).
    done = post(chef, "/staff/users/marie/unlock", {"reason": "appel de Marie, vérifié"},
                follow_redirects=True)
    assert "Connexion de marie débloquée (5 essai(s) manqué(s) oublié(s))." in done.get_data(
        as_text=True)
    with rt.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "login_unlock")).one()
    assert entry.actor == "staff:chef" and entry.channel == "staff"
    assert entry.detail is not None
    assert (entry.detail["username"], entry.detail["failures"], entry.detail["reason"]) == (
        "marie", 5, "appel de Marie, vérifié")
    journal = chef.get("/staff/audit?action=login_unlock").get_data(as_text=True)
    assert "connexion débloquée" in journal and "appel de Marie, vérifié" in journal
    assert ("marie", STRANGER) not in failures(rt) and ("personne", STRANGER) in failures(rt)
    assert attempt(stranger, "marie", PASSWORD) == 302
    after = chef.get("/staff/users").get_data(as_text=True)
    assert "bloqué pour le poste" not in after.split("<td>marie</td>")[1].split("</tr>")[0]
    again = post(chef, "/staff/users/marie/unlock", {"reason": "encore"}, follow_redirects=True)
    assert "Aucun essai manqué récent pour marie." in again.get_data(as_text=True)


def test_admins_see_guessing_from_many_addresses_and_blocked_addresses(
    app: Flask, rt: Runtime, chef: Any
) -> None:
    make_user(rt, "marie", "staff")
    for i in range(NAME_ALERT):  # one wrong password from each of many addresses
        attempt(computer(app, f"198.51.100.{i}"), "marie")
    sprayer = computer(app, STRANGER)
    for i in range(ADDRESS_LIMIT):
        attempt(sprayer, f"nom{i % 4}")
    page = chef.get("/staff/users").get_data(as_text=True)
    row = page.split("<td>marie</td>")[1].split("</tr>")[0]
    assert f"essais depuis {NAME_ALERT} postes</strong> ({NAME_ALERT} mots de passe erronés)" in row
    table = page.split('id="address-locks"')[1].split("</table>")[0]
    assert f"<td>{STRANGER}</td><td>{ADDRESS_LIMIT}</td><td>4</td><td>10:15</td>" in table
    assert attempt(sprayer, "marie", PASSWORD) == 429
    post(chef, "/staff/users/unlock-address", {"address": STRANGER, "reason": "test du SI"})
    assert attempt(sprayer, "marie", PASSWORD) == 302
    with rt.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "login_unlock")).one()
    assert entry.detail is not None
    assert (entry.detail["address"], entry.detail["failures"]) == (STRANGER, ADDRESS_LIMIT)
    assert "sur 4 identifiant(s)" in entry.detail["label"]


def test_only_admins_lift_a_lock(app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    make_user(rt, "paul", "staff")
    stranger = computer(app, STRANGER)
    for _ in range(MAX_FAILURES):
        attempt(stranger, "paul")
    marie = computer(app, OFFICE)
    assert attempt(marie, "marie", PASSWORD) == 302
    assert post(marie, "/staff/users/paul/unlock", {"reason": "x"}).status_code == 403
    assert post(marie, "/staff/users/unlock-address",
                {"address": STRANGER, "reason": "x"}).status_code == 403
    assert attempt(stranger, "paul", PASSWORD) == 429


def test_behind_declared_proxies_the_forwarded_address_counts_and_only_then(
    app: Flask, rt: Runtime
) -> None:
    from restomairie.web import create_app

    make_user(rt, "demo", "admin")
    proxied = create_app({"TESTING": True},
                         runtime=replace(rt, settings=replace(rt.settings, trusted_proxies=1)))

    def via_proxy(application: Flask, forwarded: str) -> Any:
        client = computer(application, "10.0.0.1")  # every request comes from the proxy
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
        return client

    # Declared: the stranger's forwarded address is locked, the office's is not…
    stranger = via_proxy(proxied, STRANGER)
    for _ in range(MAX_FAILURES):
        assert attempt(stranger, "demo") == 401
    assert attempt(stranger, "demo", PASSWORD) == 429
    assert attempt(via_proxy(proxied, OFFICE), "demo", PASSWORD) == 302
    # …and a client writing its own X-Forwarded-For before the proxy's entry gains nothing.
    assert attempt(via_proxy(proxied, f"192.0.2.1, {STRANGER}"), "demo", PASSWORD) == 429
    # Not declared: the header is not believed (anyone could write it), the connection's
    # address counts.
    forger = via_proxy(app, "192.0.2.77")
    for _ in range(MAX_FAILURES):
        assert attempt(forger, "demo") == 401
    assert attempt(via_proxy(app, "192.0.2.78"), "demo", PASSWORD) == 429
    assert ("demo", "10.0.0.1") in failures(rt)


def test_the_number_of_proxies_comes_from_the_environment() -> None:
    assert load_config("dijon", environ={}).trusted_proxies == 0
    env = {"RESTOMAIRIE_TRUSTED_PROXIES": "2"}
    assert load_config("dijon", environ=env).trusted_proxies == 2
    with pytest.raises(ConfigError, match="RESTOMAIRIE_TRUSTED_PROXIES"):
        load_config("dijon", environ={"RESTOMAIRIE_TRUSTED_PROXIES": "oui"})


def test_failures_older_than_the_window_are_forgotten_and_purged(
    app: Flask, rt: Runtime
) -> None:
    make_user(rt, "marie", "staff")
    stranger = computer(app, STRANGER)
    for _ in range(MAX_FAILURES):
        attempt(stranger, "marie")
    assert attempt(stranger, "marie", PASSWORD) == 429
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=15, seconds=1)
    assert attempt(computer(app, OFFICE), "marie") == 401  # a new failure purges the old ones
    assert failures(rt) == [("marie", OFFICE)]
    assert attempt(stranger, "marie", PASSWORD) == 302
    assert csrf(stranger)


def test_the_accounts_page_says_each_accounts_last_login_apart_from_its_lock(
    app: Flask, rt: Runtime, chef: Any
) -> None:
    make_user(rt, "marie", "staff")
    make_user(rt, "paul", "staff")
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=30)
    assert attempt(computer(app, OFFICE), "marie", PASSWORD) == 302
    for _ in range(MAX_FAILURES):  # paul never logged in; someone guesses his password
        attempt(computer(app, STRANGER), "paul")
    page = chef.get("/staff/users").get_data(as_text=True)
    head = page.split('id="users"')[1].split("</thead>")[0]
    assert "<th>Dernière connexion</th>" in head and ">Blocage de connexion</th>" in head
    assert ">Connexion</th>" not in head

    def row(name: str) -> str:
        return page.split(f"<td>{name}</td>")[1].split("</tr>")[0]

    assert '<td class="last-login">23/11/2026 10:30:00</td>' in row("marie")
    assert '<td class="login-locks">aucun</td>' in row("marie")
    assert '<td class="last-login">23/11/2026 10:00:00</td>' in row("chef")
    assert '<td class="last-login">jamais</td>' in row("paul")
    assert "bloqué pour le poste" in row("paul")
    # A name deleted then created again does not take the old account's logins.
    rt.clock.frozen = rt.clock.now() + timedelta(minutes=1)
    post(chef, "/staff/users/marie/delete", {})
    make_user(rt, "marie", "staff")
    again = chef.get("/staff/users").get_data(as_text=True)
    assert '<td class="last-login">jamais</td>' in again.split("<td>marie</td>")[1].split("</tr>")[0]
