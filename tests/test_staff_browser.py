"""The staff pages in a real headless browser (Debian's chromium, driven by Playwright): login,
search, a booking override and its audit entry, a closure, an import with a bad line, and a whole
call on the in-browser phone."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from restomairie.models import AuditEntry, Closure, StaffSession
from restomairie.runtime import Runtime
from restomairie.web import create_app
from tests.browser_support import live_server, page  # noqa: F401
from tests.factories import KidSpec, make_family
from tests.staff_support import PASSWORD, make_user

pytestmark = pytest.mark.browser
TOKEN = "browser-test-token"


@pytest.fixture
def app(rt: Runtime) -> Flask:
    """The application with the phone line's auth token (the in-browser phone signs with it)."""
    make_family(rt, "210001", phones=("+33612345678",),
                kids=[KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)])
    make_user(rt, "marie", "staff")
    make_user(rt, "chef", "admin")
    return create_app({"TESTING": True, "IVR_AUTH_TOKEN": TOKEN}, runtime=rt)


def sign_in(pg: Any, username: str = "marie", password: str = PASSWORD) -> None:
    pg.goto("/staff/")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", password)
    pg.click("button[type=submit]")


def audit(rt: Runtime, action: str) -> list[AuditEntry]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_login_refuses_a_wrong_password_then_opens_the_back_office(page: Any) -> None:  # noqa: F811
    page.goto("/staff/calls")
    assert "/staff/login" in page.url
    sign_in(page, password="pas le bon mot de passe")
    page.get_by_role("alert").filter(has_text="Identifiant ou mot de passe incorrect").wait_for()
    sign_in(page)
    page.get_by_role("heading", name="Bonjour marie").wait_for()
    page.get_by_role("link", name="Appels", exact=True).click()
    page.get_by_role("heading", name="Journal des appels").wait_for()
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()


def test_search_finds_a_family_with_masked_numbers_and_opens_it(page: Any) -> None:  # noqa: F811
    sign_in(page)
    page.get_by_role("link", name="Familles", exact=True).click()
    page.fill("input[name=q]", "hugo")
    page.get_by_role("button", name="Rechercher").click()
    row = page.locator("#families tbody tr").first
    assert "+33 6 •• •• •• 78" in row.inner_text()
    assert "+33612345678" not in page.content()
    row.get_by_role("link", name="210001").click()
    page.get_by_role("heading", name=re.compile("Dossier 210001")).wait_for()
    page.get_by_role("link", name="calendrier et historique").nth(0).click()
    page.locator("#month td[data-day='2026-11-26']").wait_for()


def test_a_booking_after_the_deadline_needs_an_override_and_is_audited(
    page: Any, rt: Runtime  # noqa: F811
) -> None:
    sign_in(page)
    page.goto("/staff/families/210001/children/E2?month=2026-11")
    form = page.locator("#change-form")
    form.locator("select[name=action]").select_option("book")
    form.locator("input[name=day]").fill("2026-11-24")
    form.get_by_role("button", name="Valider").click()
    page.get_by_role("alert").filter(has_text="vendredi 20 novembre à 13 heures").wait_for()
    form = page.locator("#change-form")
    # The refused change is kept, not forced: "cochez « forcer le délai »", as the hint says.
    assert form.locator("select[name=action]").input_value() == "book"
    assert not form.locator("input[name=override]").is_checked()
    form.locator("input[name=override]").check()
    form.locator("input[name=reason]").fill("inscription tardive validée par l'école")
    form.get_by_role("button", name="Valider").click()
    page.get_by_role("status").filter(has_text="Hugo, mardi 24 novembre : réservé").wait_for()
    cell = page.locator("#month td[data-day='2026-11-24']")
    assert cell.get_attribute("data-state") == "booked"
    history = page.locator("table.history tbody tr").first
    # The day's cut-off had passed with no lock (no scheduler here): it was locked first, and
    # the forced booking is an adjustment beside that figure.
    assert ("forçage (ajustement après verrouillage) : inscription tardive validée par l'école"
            in history.inner_text())
    assert "agent marie" in history.inner_text()  # not "staff:marie", as it is stored
    (entry,) = audit(rt, "book")
    assert entry.detail == {"override": "inscription tardive validée par l'école"}


def test_a_mistake_in_the_change_form_comes_back_typed_and_focused_on_its_field(
    page: Any, rt: Runtime  # noqa: F811
) -> None:
    sign_in(page)
    page.goto("/staff/families/210001/children/E2?month=2026-11")
    form = page.locator("#change-form")
    form.locator("select[name=action]").select_option("book")
    form.locator("input[name=day]").fill("2026-11-24")
    form.locator("input[name=override]").check()
    form.get_by_role("button", name="Valider").click()
    page.locator("#change-reason-error").wait_for()
    form = page.locator("#change-form")
    # Everything typed is back, and the motif is where the keyboard is, described by its error.
    assert form.locator("select[name=action]").input_value() == "book"
    assert form.locator("input[name=day]").input_value() == "2026-11-24"
    assert form.locator("input[name=override]").is_checked()
    assert page.evaluate("document.activeElement.name") == "reason"
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    described = page.evaluate("document.getElementById(document.activeElement"
                              ".getAttribute('aria-describedby')).textContent")
    assert described.startswith("Un forçage demande un motif")
    page.keyboard.type("inscription tardive")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Hugo, mardi 24 novembre : réservé").wait_for()
    assert [e.detail for e in audit(rt, "book")] == [{"override": "inscription tardive"}]


def test_on_a_phone_the_pages_do_not_run_wider_than_the_screen(
    page: Any  # noqa: F811
) -> None:
    """At 390 px the calendar's words stay in their day (not written over the next one) and
    no page scrolls sideways as a whole: a wide table scrolls in its own box."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)
    for url in ("/staff/families/210001/children/E2?month=2026-11", "/staff/families/210001",
                "/staff/calls", "/staff/audit", "/staff/families?q=210001"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto("/staff/families/210001/children/E2?month=2026-11")
    over = page.evaluate("Array.from(document.querySelectorAll('#month td'))"
                         ".filter(td => td.scrollWidth > td.clientWidth + 1).length")
    assert over == 0


# Each visible field with an example in it: the example's width in the field's font, and the
# room the field gives it (its width less its padding).
PLACEHOLDERS = """() => Array.from(document.querySelectorAll('input[placeholder]'))
  .filter(i => i.offsetParent !== null).map(i => {
    const s = getComputedStyle(i);
    const c = document.createElement('canvas').getContext('2d');
    c.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return [i.placeholder, c.measureText(i.placeholder).width, room];
  })"""


def test_on_a_phone_the_examples_in_the_fields_are_shown_whole(
    page: Any  # noqa: F811
) -> None:
    """At 390 px (and on a computer) a field's example is not cut at its edge (« dossier,
    nom, enfant, téléph… »), and the page does not run wider than the screen for it."""
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        if width == 390:
            sign_in(page, "chef")
        seen = 0
        for url in ("/staff/", "/staff/families", "/staff/calls", "/staff/audit",
                    "/staff/closures", "/staff/phone",
                    "/staff/families/210001/children/E1?month=2026-11"):
            page.goto(url)
            for example, needs, room in page.evaluate(PLACEHOLDERS):
                seen += 1
                assert needs <= room, (width, url, example, round(needs), round(room))
            assert page.evaluate("document.documentElement.scrollWidth") <= width, url
        assert seen >= 9


def test_a_closure_declared_in_the_page_closes_the_days_and_is_listed(
    page: Any, rt: Runtime  # noqa: F811
) -> None:
    sign_in(page)
    page.get_by_role("link", name="Fermetures", exact=True).click()
    form = page.locator("#closure-form")
    form.locator("select[name=school]").select_option("anjou-elem")
    form.locator("input[name=first_day]").fill("2026-11-26")
    form.locator("input[name=last_day]").fill("2026-11-27")
    form.locator("select[name=kind]").select_option("strike")
    form.get_by_role("button", name="Déclarer").click()
    page.get_by_role("status").filter(has_text="2 repas non facturé(s)").wait_for()
    assert "grève" in page.locator("#closures tbody").inner_text()
    with rt.sessions() as s:
        assert s.scalars(select(Closure.kind)).one() == "strike"
    assert rt.booking.state("210001", "E1", date(2026, 11, 26)).reason == "fermeture : grève"
    page.goto("/staff/families/210001/children/E1?month=2026-11")
    assert page.locator("#month td[data-day='2026-11-26']").get_attribute("data-state") == "closure"


def test_an_import_with_a_bad_line_is_reported_then_a_good_file_is_imported(
    page: Any, rt: Runtime, tmp_path: Path  # noqa: F811
) -> None:
    header = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
    bad = tmp_path / "familles.csv"
    bad.write_text(header + "300001;1234;0611111111;Mme A;C1;Léa;A;;anjou-elem;standard;lun\n"
                   "300002;12345;0622222222;Mme B;C2;Hugo;B;;anjou-elem;standard;lun\n",
                   encoding="utf-8")
    sign_in(page, "chef")
    page.get_by_role("link", name="Import", exact=True).click()
    page.set_input_files("input[name=file]", str(bad))
    page.get_by_role("button", name="Vérifier le fichier").click()
    errors = page.locator("#import-errors tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1
    assert errors.first.inner_text().startswith("3") and "4 chiffres" in errors.first.inner_text()
    assert rt.booking.families_by_phone("+33611111111") == []
    good = tmp_path / "familles-ok.csv"
    good.write_text(header + "".join(
        f"3001{i:02d};1234;06333333{i:02d};Mme C;D{i};Enfant{i};C;;anjou-elem;standard;lun jeu\n"
        for i in range(40)), encoding="utf-8")
    page.set_input_files("input[name=file]", str(good))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_text("40 famille(s) à créer").wait_for()
    assert page.locator("#upload-progress").get_attribute("value") == "100"
    page.get_by_role("button", name="Importer tout").click()
    page.get_by_role("status").filter(has_text="Import terminé : 40 ligne(s)").wait_for()
    assert page.locator("#job-progress").get_attribute("value") == "100"
    # The lines imported, as the preview listed them, shown when the job ends.
    rows = page.locator("#import-done #import-rows tbody tr")
    rows.first.wait_for()
    assert rows.count() == 40 and "300107" in rows.nth(7).inner_text()
    assert "créé" in rows.first.inner_text()
    assert rt.booking.families_by_phone("+33633333307") == ["300107"]


def test_an_upload_refused_for_want_of_a_session_is_said_in_the_servers_words(
    page: Any, rt: Runtime, tmp_path: Path  # noqa: F811
) -> None:
    csv = tmp_path / "familles.csv"
    csv.write_text("family;pin;phones;guardian;child;first_name;last_name;birth_date;school;"
                   "diet;days\n300001;1234;0611111111;Mme A;C1;Léa;A;;anjou-elem;standard;lun\n",
                   encoding="utf-8")
    sign_in(page, "chef")
    page.get_by_role("link", name="Import", exact=True).click()
    with rt.sessions() as s, s.begin():  # the session ends on the server (idle, logout…)
        s.execute(delete(StaffSession))
    page.set_input_files("input[name=file]", str(csv))
    page.get_by_role("button", name="Vérifier le fichier").click()
    status = page.locator("#upload-status")
    status.filter(has_text="rien n'a été modifié").wait_for()
    assert status.inner_text().startswith("Votre session a pris fin")
    assert "HTTP" not in status.inner_text()
    link = status.get_by_role("link", name="Se reconnecter et revenir à l'import")
    assert "next=/staff/import" in (link.get_attribute("href") or "")
    # No session cookie at all (the browser closed): the form's token is refused, said so.
    page.context.clear_cookies()
    page.get_by_role("button", name="Vérifier le fichier").click()
    status.filter(has_text="Jeton de sécurité (CSRF) absent ou invalide").wait_for()
    assert status.get_by_role("link").count() == 0  # the message replaced the old one
    assert rt.booking.families_by_phone("+33611111111") == []


def test_a_whole_call_on_the_in_browser_phone(page: Any, rt: Runtime) -> None:  # noqa: F811
    sign_in(page)
    page.get_by_role("link", name="Téléphone d'essai", exact=True).click()
    page.uncheck("#voice")  # headless: nothing to hear
    page.check("#patient")
    page.select_option("#account", "210001")  # its number is looked up by the server
    transcript = page.locator("#transcript")

    def hear(text: str) -> None:
        transcript.get_by_text(text, exact=False).last.wait_for()
        page.get_by_text("À vous", exact=False).wait_for()

    def keys(digits: str) -> None:
        for key in digits:
            page.get_by_role("button", name=f"touche {key}", exact=True).click()

    page.get_by_role("button", name="Appeler").click()
    hear("Tapez votre code secret")
    keys("1234")
    hear("Pour Léa, tapez 2")
    page.fill("#speech", "Léa")  # a phrase, as Twilio's speech recognition would send it
    page.get_by_role("button", name="Dire", exact=True).click()
    hear("Pour annuler un repas, tapez 2")
    keys("2")
    hear("Pour quel jour")
    keys("2611")
    hear("Vous souhaitez annuler le repas de Léa le jeudi 26 novembre")
    keys("1")
    hear("le repas de Léa du jeudi 26 novembre est annulé")
    keys("2")
    transcript.get_by_text("La ligne raccroche.").wait_for()
    page.get_by_text("Appel terminé.").wait_for()
    assert not rt.booking.state("210001", "E1", date(2026, 11, 26)).booked
    page.get_by_role("link", name="Voir le déroulé de cet appel dans le journal").click()
    page.get_by_role("heading", name="Déroulé").wait_for()
    timeline = page.locator("#timeline").inner_text()
    assert "code secret (jamais enregistré)" in timeline and "1234" not in timeline
    assert "« Léa »" in timeline
    assert "annulation" in page.locator("table.history").inner_text()
    (cancel,) = audit(rt, "cancel")
    assert cancel.call_sid and cancel.actor == "family:210001"
