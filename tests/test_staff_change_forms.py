"""The family and child pages' forms (Flask's test client): what a refused change says and
offers, what the forms preselect, and how they come back after a refusal."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.models import AuditEntry
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.staff_support import login, make_user, post

CHANGE = "/staff/families/210500/change"
TUE_FRI = 0b0010010
MON_THU = 0b0001001


@pytest.fixture
def agent(app: Flask, rt: Runtime) -> Any:
    """The demo family of three, its clerk, at 13:05 on Monday 23 November: Thursday 26 is past
    its deadline (Monday 13:00), Friday 27 and Monday 30 are not."""
    make_family(rt, "210500", kids=[KidSpec("E00001", "Margaux", weekdays=TUE_FRI),
                                    KidSpec("E00003", "Nathan", weekdays=MON_THU),
                                    KidSpec("E00002", "Rose")])
    make_family(rt, "210600", kids=[KidSpec("E00009", "Paul")])
    make_user(rt, "marie", "staff")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 5, tzinfo=PARIS)
    client = app.test_client()
    assert login(client, "marie").status_code == 302
    return client


def text(response: Any) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def form(page: str, form_id: str) -> str:
    found = re.search(rf'<form [^>]*id="{form_id}".*?</form>', page, re.S)
    assert found is not None, form_id
    return found.group(0)


def selected(form_html: str, name: str) -> list[str]:
    select_ = re.search(rf'<select name="{name}".*?</select>', form_html, re.S)
    assert select_ is not None, name
    return re.findall(r'<option value="([^"]*)" selected', select_.group(0))


def ticked(form_html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)" checked', form_html)


def changes(rt: Runtime) -> list[AuditEntry]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action.in_(("book", "cancel")))))


def cancelled_days(rt: Runtime, ref: str) -> list[date]:
    days = [date(2026, 11, d) for d in (26, 27, 30)]
    return [d for d in days if rt.booking.state("210500", ref, d).source == "cancelled"]


# ------------------------------------------------------------------ a refused range
def test_a_range_refused_for_one_late_day_says_nothing_was_changed_and_offers_the_others(
    agent: Any, rt: Runtime
) -> None:
    refused = post(agent, CHANGE, {"child": "*", "action": "cancel", "day": "2026-11-26",
                                   "until": "2026-11-30"}, follow_redirects=True)
    page = text(refused)
    assert "Aucun changement n'a été fait" in page
    # Every child it is too late for is named, not the first only; Margaux (Tuesdays and
    # Fridays) has no meal to cancel that day: she is not.
    assert ("Pour Nathan et Rose, trop tard pour le jeudi 26 novembre : il fallait "
            "annuler avant le lundi 23 novembre à 13 heures." in page)
    assert "Pour Margaux" not in page
    assert ("Les autres jours demandés restent possibles : vendredi 27 novembre et lundi 30 "
            "novembre." in page)
    assert all(cancelled_days(rt, ref) == [] for ref in ("E00001", "E00002", "E00003"))
    offer = form(refused.get_data(as_text=True), "change-offer")
    assert 'name="day" value="2026-11-27"' in offer and 'name="until" value="2026-11-30"' in offer
    assert 'name="child" value="*"' in offer and 'name="action" value="cancel"' in offer
    assert "Annuler seulement ces jours" in offer
    # The offer, taken: the days in time are cancelled, the late one is not.
    fields = dict(re.findall(r'name="(child|action|day|until|back)" value="([^"]*)"', offer))
    done = post(agent, CHANGE, fields, follow_redirects=True)
    assert "Margaux, vendredi 27 novembre : annulé" in text(done)
    assert cancelled_days(rt, "E00001") == [date(2026, 11, 27)]
    assert cancelled_days(rt, "E00002") == [date(2026, 11, 27), date(2026, 11, 30)]
    assert cancelled_days(rt, "E00003") == [date(2026, 11, 30)]
    assert "change-offer" not in agent.get("/staff/families/210500").get_data(as_text=True)


def test_one_child_refused_is_not_named_again_and_nothing_changed_is_said(
    agent: Any, rt: Runtime
) -> None:
    refused = text(post(agent, CHANGE, {"child": "E00002", "action": "cancel",
                                        "day": "2026-11-26"}, follow_redirects=True))
    assert ("Aucun changement n'a été fait (une demande est faite en entier ou pas du tout). "
            "Trop tard pour le jeudi 26 novembre : il fallait annuler avant le lundi 23 "
            "novembre à 13 heures." in refused)
    assert "restent possibles" not in refused and 'id="change-offer"' not in refused


# ------------------------------------------------------------------ no risky default
def test_the_change_form_preselects_neither_the_children_nor_the_action(
    agent: Any, rt: Runtime
) -> None:
    change_form = form(agent.get("/staff/families/210500").get_data(as_text=True), "change-form")
    assert selected(change_form, "child") == [""] and selected(change_form, "action") == [""]
    assert '<select name="child" required>' in change_form
    assert '<select name="action" required>' in change_form
    # A family of one: its child is the choice (the action is still to choose).
    only = form(agent.get("/staff/families/210600").get_data(as_text=True), "change-form")
    assert selected(only, "child") == ["E00009"] and selected(only, "action") == [""]
    assert 'value="*"' not in only


def test_a_change_without_child_or_action_is_refused_and_books_nothing(
    agent: Any, rt: Runtime
) -> None:
    no_child = post(agent, CHANGE, {"action": "book", "day": "2026-12-03"}, follow_redirects=True)
    assert "Choisissez l'enfant (ou « tous les enfants »)." in text(no_child)
    no_action = post(agent, CHANGE, {"child": "*", "day": "2026-12-03"}, follow_redirects=True)
    assert "Choisissez l'action : réserver ou annuler." in text(no_action)
    blank = post(agent, CHANGE, {"child": "", "action": "", "day": "2026-12-03"},
                 follow_redirects=True)
    assert "Choisissez l'enfant" in text(blank)
    assert changes(rt) == []


# ------------------------------------------------------------------ the subscription form
def test_the_subscription_form_starts_from_the_childs_pattern(agent: Any, rt: Runtime) -> None:
    page = agent.get("/staff/families/210500/children/E00002").get_data(as_text=True)
    sub = form(page, "subscription-form")
    assert ticked(sub, "weekdays") == ["0", "1", "3", "4"]  # lun mar jeu ven
    assert selected(sub, "mode") == []  # "jours réguliers", the first
    assert "Actuellement : lun mar jeu ven" in html.unescape(sub)
    margaux = form(agent.get("/staff/families/210500/children/E00001").get_data(as_text=True),
                   "subscription-form")
    assert ticked(margaux, "weekdays") == ["1", "4"]
    # Several children on the family page: no child is implied, so nothing is ticked.
    family = form(agent.get("/staff/families/210500").get_data(as_text=True),
                  "subscription-form")
    assert ticked(family, "weekdays") == [] and "Actuellement" not in family
    # Dropping Friday is unticking it.
    done = post(agent, "/staff/families/210500/subscription",
                {"child": "E00002", "mode": "set", "weekdays": ["0", "1", "3"],
                 "start": "2026-12-07"}, follow_redirects=True)
    assert "Abonnement enregistré" in text(done)
    later = form(agent.get("/staff/families/210500/children/E00002").get_data(as_text=True),
                 "subscription-form")
    assert ticked(later, "weekdays") == ["0", "1", "3"]  # the pattern scheduled


def test_the_subscription_form_of_a_child_without_pattern_ticks_nothing(
    app: Flask, rt: Runtime
) -> None:
    make_family(rt, "210700", kids=[KidSpec("E7", "Hugo", weekdays=0)])
    make_user(rt, "marie", "staff")
    client = app.test_client()
    login(client, "marie")
    sub = form(client.get("/staff/families/210700/children/E7").get_data(as_text=True),
               "subscription-form")
    assert ticked(sub, "weekdays") == []
    assert "Actuellement : choisi (jour par jour)" in html.unescape(sub)
    assert selected(sub, "mode") == []  # "arrêter" is never preselected


# ------------------------------------------------------------------ after a late change
def test_a_late_change_comes_back_unforced_as_the_hint_says(agent: Any, rt: Runtime) -> None:
    back = "/staff/families/210500/children/E00002"
    refused = post(agent, CHANGE, {"child": "E00002", "action": "cancel", "day": "2026-11-26",
                                   "back": back}, follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert "cochez « forcer le délai » et donnez un motif" in html.unescape(page)
    again = form(page, "change-form")
    assert ticked(again, "override") == []  # as the hint says: to tick
    assert selected(again, "child") == ["E00002"] and selected(again, "action") == ["cancel"]
    assert 'name="day" required value="2026-11-26"' in again
    # Refused from the family page: it comes back there too, and nowhere else.
    post(agent, CHANGE, {"child": "*", "action": "cancel", "day": "2026-11-26"})
    family = form(agent.get("/staff/families/210500").get_data(as_text=True), "change-form")
    assert selected(family, "child") == ["*"] and ticked(family, "override") == []
    post(agent, CHANGE, {"child": "*", "action": "cancel", "day": "2026-11-26"})
    other = form(agent.get("/staff/families/210600/children/E00009").get_data(as_text=True),
                 "change-form")
    assert 'value="2026-11-26"' not in other


# ------------------------------------------------------------------ already as asked
def test_a_day_already_as_asked_past_its_deadline_is_said_so_not_too_late(
    agent: Any, rt: Runtime
) -> None:
    # Thursday 26 is past its deadline: Rose's meal (every day) is booked, Margaux (Tuesdays and
    # Fridays) has none. "Trop tard" there told the clerk Rose had no meal.
    booked = text(post(agent, CHANGE, {"child": "E00002", "action": "book",
                                       "day": "2026-11-26"}, follow_redirects=True))
    assert "Rose, jeudi 26 novembre : déjà réservé" in booked and "Trop tard" not in booked
    assert "forcer le délai" not in booked.split('id="change-form"')[0]  # no hint to force
    none = text(post(agent, CHANGE, {"child": "E00001", "action": "cancel",
                                     "day": "2026-11-26"}, follow_redirects=True))
    assert "Margaux, jeudi 26 novembre : rien à annuler" in none and "Trop tard" not in none
    # All three: the two whose meal would change are refused, Margaux is not named.
    all_ = text(post(agent, CHANGE, {"child": "*", "action": "cancel", "day": "2026-11-26"},
                     follow_redirects=True))
    assert ("Pour Nathan et Rose, trop tard pour le jeudi 26 novembre : il fallait annuler "
            "avant le lundi 23 novembre à 13 heures." in all_)
    assert changes(rt) == []


def test_a_meal_cancelled_earlier_is_said_cancelled_with_when_and_how(
    agent: Any, rt: Runtime
) -> None:
    # A parent on the phone: "I cancelled Friday!": the clerk cancelling again reads that it
    # is, since when and through which channel, not "rien à annuler".
    rt.clock.frozen = datetime(2026, 11, 23, 9, 40, tzinfo=PARIS)
    rt.booking.cancel("210500", [date(2026, 11, 27)], Actor("family", "210500", "phone"),
                      ["E00002"])
    rt.clock.frozen = datetime(2026, 11, 23, 13, 5, tzinfo=PARIS)
    again = text(post(agent, CHANGE, {"child": "E00002", "action": "cancel",
                                      "day": "2026-11-27"}, follow_redirects=True))
    assert ("Rose, vendredi 27 novembre : déjà annulé le lundi 23 novembre à 9 h 40, par "
            "téléphone") in again


# ------------------------------------------------------------------ a mistake in the form
def field_tag(form_html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select)[^>]* name="{name}"[^>]*>', form_html)
    assert found is not None, name
    return found.group(0)


def test_a_mistake_keeps_what_was_typed_and_is_said_beside_its_field(
    agent: Any, rt: Runtime
) -> None:
    back = "/staff/families/210500/children/E00002"
    # "Forcer le délai" ticked without a motif: everything comes back, the motif is marked.
    page = post(agent, CHANGE, {"child": "E00002", "action": "book", "day": "2026-11-26",
                                "until": "2026-11-27", "override": "1", "reason": " ",
                                "back": back}, follow_redirects=True).get_data(as_text=True)
    again = form(page, "change-form")
    assert selected(again, "child") == ["E00002"] and selected(again, "action") == ["book"]
    assert 'value="2026-11-26"' in field_tag(again, "day")
    assert 'value="2026-11-27"' in field_tag(again, "until")
    assert ticked(again, "override") == ["1"]
    reason = field_tag(again, "reason")
    assert 'aria-invalid="true"' in reason and "autofocus" in reason
    assert 'aria-describedby="change-reason-error"' in reason
    said = re.search(r'<span class="field-error" id="change-reason-error">([^<]*)</span>', again)
    assert said is not None and said.group(1).startswith("Un forçage demande un motif")
    assert "Un forçage demande" not in page.split('id="change-form"')[0]  # not at the top
    assert [f for f in ("child", "action", "day", "until") if "aria-invalid" in
            field_tag(again, f)] == []
    # Read once: the next visit shows the form empty again.
    fresh = form(agent.get(back).get_data(as_text=True), "change-form")
    assert "aria-invalid" not in fresh and ticked(fresh, "override") == []
    # Each field its own mistake, what was typed kept (the motif, given as a note, too).
    for data, field in (
        ({"child": "*", "day": "2026-12-03", "reason": "maladie"}, "action"),
        ({"action": "cancel", "day": "2026-12-03", "reason": "maladie"}, "child"),
        ({"child": "*", "action": "cancel", "reason": "maladie"}, "day"),
        ({"child": "*", "action": "cancel", "day": "31/02/2026", "reason": "maladie"}, "day"),
        ({"child": "*", "action": "cancel", "day": "2026-12-03", "until": "2026-12-01",
          "reason": "maladie"}, "until"),
        ({"child": "E99", "action": "cancel", "day": "2026-12-03", "reason": "maladie"},
         "child"),
    ):
        page = post(agent, CHANGE, data, follow_redirects=True).get_data(as_text=True)
        again = form(page, "change-form")
        assert 'aria-invalid="true"' in field_tag(again, field), (data, field)
        assert f'id="change-{field}-error"' in again, (data, field)
        assert again.count("aria-invalid") == 1 and again.count("autofocus") == 1
        assert 'value="maladie"' in field_tag(again, "reason"), data
        if data.get("action"):
            assert selected(again, "action") == [data["action"]]
    assert changes(rt) == []


def test_a_refused_change_comes_back_as_typed_with_its_motif(agent: Any, rt: Runtime) -> None:
    # Not a mistake of the form: said at the top, the request back in the form to correct.
    page = post(agent, CHANGE, {"child": "*", "action": "book", "day": "2026-12-02",
                                "reason": "sortie"}, follow_redirects=True)
    assert "il n'y a pas de restauration scolaire" in text(page)
    again = form(page.get_data(as_text=True), "change-form")
    assert selected(again, "child") == ["*"] and selected(again, "action") == ["book"]
    assert 'value="2026-12-02"' in field_tag(again, "day")
    assert 'value="sortie"' in field_tag(again, "reason") and "aria-invalid" not in again
