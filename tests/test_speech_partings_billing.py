"""Phrases said instead of an answer (restomairie.ivr.speech): thanks or a farewell that
neither accept nor decline what was read back (is_parting), and a question about billing
(asks_about_billing)."""

from __future__ import annotations

import pytest

from restomairie.ivr.speech import asks_about_billing, asks_menus_or_prices, is_parting


@pytest.mark.parametrize(
    "said",
    [
        "Merci, au revoir.",
        "merci au revoir",
        "Au revoir.",
        "Bonne journée.",
        "Merci beaucoup, bonne fin de journée.",
        "C'est tout, merci.",
        "Je vous remercie, au revoir madame.",
        "Merci bien, bon week-end.",
    ],
)
def test_thanks_and_farewells_alone_are_partings(said: str) -> None:
    assert is_parting(said)


@pytest.mark.parametrize(
    "said",
    [
        "Non merci, au revoir.",  # a no
        "Stop, au revoir.",  # the request stopped
        "Tant pis, au revoir.",
        "Laissez tomber, au revoir.",
        "Ça ira, merci.",
        "Je raccroche.",
        "Oui, merci, au revoir.",  # a yes
        "OK merci au revoir.",
        "Merci, et pour Rose ?",
        "Merci, je ne veux rien.",
        "Tout.",
        "",
    ],
)
def test_refusals_yeses_and_requests_are_no_partings(said: str) -> None:
    assert not is_parting(said)


@pytest.mark.parametrize(
    "said",
    [
        "Ça sera facturé ?",
        "ça sera facturé",
        "Est-ce que je vais le payer quand même ?",
        "Je serai remboursée ?",
        "Si j'annule, ça sera facturé ?",
        "Elle est malade, je paie quand même ?",
        "C'est gratuit ?",
    ],
)
def test_questions_about_billing(said: str) -> None:
    assert asks_about_billing(said)
    assert not asks_menus_or_prices(said)  # not sent to the website


@pytest.mark.parametrize(
    "said",
    [
        "Annuler jeudi pour ne pas payer.",  # the cancellation asked for
        "Combien je vais payer ?",  # a price
        "Le pays basque.",
        "Annuler jeudi.",
        "Oui.",
    ],
)
def test_no_question_about_billing(said: str) -> None:
    assert not asks_about_billing(said)
