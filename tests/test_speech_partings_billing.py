"""Phrases said instead of an answer (restomairie.ivr.speech): thanks or a farewell that
neither accept nor decline what was read back (is_parting)."""

from __future__ import annotations

import pytest

from restomairie.ivr.speech import is_parting


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

