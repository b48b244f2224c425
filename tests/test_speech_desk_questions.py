"""Speech the line sends to the town's help desk (prices, invoices, enrolment), and "pour
tous" said with a span of days: pure parser tests."""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.ivr.speech import (
    Intent,
    asks_about_billing,
    asks_about_invoices,
    asks_enrolment,
    asks_menus_or_prices,
    asks_prices,
    parse_intent,
    span_said,
)

MON_23_NOV = date(2026, 11, 23)
NEXT_WEEK = (date(2026, 11, 30), date(2026, 12, 6))


@pytest.mark.parametrize(
    "said",
    ["c'est combien un repas", "C'est combien ?", "combien pour la cantine", "ça fait combien ?",
     "Combien je vais payer ?"],
)
def test_how_much_is_a_price(said: str) -> None:
    assert asks_prices(said)
    assert asks_menus_or_prices(said)


@pytest.mark.parametrize(
    "said",
    ["le délai c'est combien ?", "combien de jours à l'avance ?", "combien de repas",
     "combien il en reste", "combien ?", "annuler jeudi", "c'est quoi le menu jeudi ?"],
)
def test_counts_deadlines_and_menus_are_no_price(said: str) -> None:
    assert not asks_prices(said)


@pytest.mark.parametrize(
    "said",
    ["ma facture", "une question sur ma facture", "je n'ai pas reçu la facture",
     "mes factures", "une question sur la facturation"],
)
def test_invoices(said: str) -> None:
    assert asks_about_invoices(said)


@pytest.mark.parametrize(
    "said", ["ça sera facturé ?", "les repas seront facturés", "Si j'annule, ça sera facturé ?"]
)
def test_a_meal_charged_is_no_invoice(said: str) -> None:
    """Guard: whether a meal is charged stays the rule's (asks_about_billing)."""
    assert not asks_about_invoices(said)
    assert asks_about_billing(said)


@pytest.mark.parametrize(
    "said",
    ["je voudrais inscrire mon fils", "inscrire ma fille à la cantine",
     "l'inscription à la cantine", "je voudrais inscrire mes enfants pour la rentrée"],
)
def test_enrolment(said: str) -> None:
    assert asks_enrolment(said, MON_23_NOV)


@pytest.mark.parametrize(
    "said",
    ["inscrire à la cantine jeudi", "inscrire", "inscrire jeudi", "annuler une inscription",
     "mes inscriptions", "je voudrais inscrire mon fils pour demain",
     "inscrire mon fils le 3 décembre", "inscrire mon fils toute la semaine prochaine",
     "inscrire mon fils les lundis", "réserver pour mon fils"],
)
def test_a_day_or_another_action_is_no_enrolment(said: str) -> None:
    """Guard (in part): with a day, or a bare verb, "inscrire" stays a booking."""
    assert not asks_enrolment(said, MON_23_NOV)


def test_inscrire_with_a_day_stays_a_booking() -> None:
    """Guard: the intent of "inscrire à la cantine jeudi" is unchanged."""
    assert parse_intent("inscrire à la cantine jeudi") is Intent.BOOK


@pytest.mark.parametrize(
    "said",
    ["toute la semaine prochaine pour tous", "toute la semaine prochaine pour tous les enfants",
     "toute la semaine prochaine, pour tous les trois", "pour tous, toute la semaine prochaine",
     "annuler toute la semaine prochaine pour tous"],
)
def test_a_week_for_all_children_is_that_week(said: str) -> None:
    span = span_said(said, MON_23_NOV, acted=True)
    assert span is not None
    assert (span.first, span.last) == NEXT_WEEK


@pytest.mark.parametrize(
    "said", ["toute la semaine prochaine pour tous les jeudis", "tous les jeudis"]
)
def test_tous_counting_days_is_no_span(said: str) -> None:
    """Guard: "tous" that counts days still makes no span."""
    assert span_said(said, MON_23_NOV, acted=True) is None
