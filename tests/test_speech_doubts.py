"""Doubts and questions at a read-back (restomairie.ivr.speech): « si » is a yes only as an
answer ("si", "mais si"), never the conjunction "if" ("si ça se trouve", "même si elle est
malade"); a question ("c'est bien ça ?", "j'ai bien entendu, jeudi 26 ?") is never a yes; and
at the date question after a refusal, "OK" or "ah d'accord" acknowledges it without taking the
day offered, where "oui" takes it."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from restomairie.ivr import speech
from restomairie.ivr.speech import (
    Intent,
    children_left_out,
    is_hesitant,
    is_question,
    parse_intent,
    speaks_of_children,
    takes_the_offer,
)

READ_BACK = {Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE}
NAMES = ["Margaux", "Nathan", "Rose"]

# Said by parents at a read-back: each was taken as a "oui" and the change made at once.
CONDITIONS = [
    "Si ça se trouve elle sera chez sa mamie.",
    "Si ça se trouve elle sera chez sa mamie",
    "Et si Nathan va mieux ?",
    "Et si Nathan va mieux",
    "Même si elle est malade ?",
    "Même si elle est malade",
    "Même si j'ai un certificat médical ?",
    "Qu'est-ce qui se passe si elle va mieux ?",
    "Je peux rappeler si elle guérit ?",
    "Elle va mieux si ça se trouve.",
    "Si possible.",
    "si possible",
    "Sauf si elle va mieux.",
]


def test_the_new_names_are_public() -> None:
    assert {"is_question", "takes_the_offer"} <= set(speech.__all__)


@pytest.mark.parametrize("said", CONDITIONS)
def test_si_as_a_conjunction_is_no_yes(said: str) -> None:
    assert parse_intent(said, READ_BACK) is not Intent.YES
    assert parse_intent(said, {Intent.YES}) is None
    # and a yes said with it is a doubt, not a confirmation (but "oui, si possible": polite)
    assert is_hesitant(said)
    polite = said.lower().startswith("si possible")
    assert is_hesitant(f"Oui, {said[0].lower()}{said[1:]}") is not polite


@pytest.mark.parametrize("said", ["Si.", "Si si.", "Si, si.", "Mais si.", "Ben si.", "Si merci."])
def test_si_as_an_answer_is_a_yes(said: str) -> None:
    assert parse_intent(said, READ_BACK) is Intent.YES
    assert not is_hesitant(said)
    assert not is_question(said)


def test_si_as_an_answer_with_a_yes_phrase() -> None:
    assert parse_intent("Ben si, c'est ça.", READ_BACK) is Intent.YES
    assert not is_hesitant("Ben si, c'est ça.")


@pytest.mark.parametrize(
    "said",
    [
        "C'est bien ça ?",
        "Oui ?",
        "D'accord ?",
        "Si ?",
        "J'ai bien entendu, jeudi 26 ?",
        "J'ai bien entendu, jeudi 26.",  # built as a question, whatever the punctuation
        "j'ai bien compris jeudi 26",
        "Est-ce que c'est bon",
        "Ok, c'est pour jeudi ?  ",
    ],
)
def test_a_question_is_no_confirmation(said: str) -> None:
    assert is_question(said)
    assert is_hesitant(said)


@pytest.mark.parametrize("said", ["J'ai bien entendu, jeudi 26 ?", "j'ai bien entendu"])
def test_heard_is_no_yes(said: str) -> None:
    # "bien entendu" agrees; "j'ai bien entendu" asks whether the caller heard right
    assert parse_intent(said, READ_BACK) is not Intent.YES


@pytest.mark.parametrize(
    "said",
    ["Oui.", "Oui, bien entendu.", "Bien entendu.", "C'est entendu.", "Oui, c'est bien ça.", "Si."],
)
def test_a_plain_yes_is_still_a_yes(said: str) -> None:
    assert parse_intent(said, READ_BACK) is Intent.YES
    assert not is_question(said)
    assert not is_hesitant(said)


def test_sauf_si_leaves_no_child_out() -> None:
    said = "Sauf si elle va mieux."
    assert children_left_out(said, NAMES) == frozenset()
    assert not speaks_of_children(said, NAMES)
    # "sauf" before a child still leaves it out
    assert children_left_out("Oui, sauf Rose.", NAMES) == frozenset({3})


@pytest.mark.parametrize(
    ("said", "taken"),
    [
        ("Oui.", True),
        ("Oui, d'accord.", True),
        ("D'accord, oui.", True),
        ("Ouais.", True),
        ("Volontiers.", True),
        ("OK.", False),
        ("Ah d'accord.", False),
        ("D'accord.", False),
        ("Ça marche.", False),
        ("Très bien.", False),
        ("Oui ?", False),
        ("Oui enfin je sais pas.", False),
        ("Oui si possible.", True),  # politeness beside a yes
        ("Non.", False),
    ],
)
def test_taking_the_offered_day(said: str, taken: bool) -> None:
    assert takes_the_offer(said) is taken


_WORDS = st.sampled_from(
    ["elle", "il", "va", "mieux", "ça", "se", "trouve", "malade", "oui", "d'accord", "possible",
     "Nathan", "jeudi", "est", "c'est", "bien", "annuler", "pas", "sa", "mamie", "vient"]
)  # fmt: skip


@given(
    st.sampled_from(["si", "même si", "et si", "sauf si", "Si"]),
    st.lists(_WORDS, min_size=1, max_size=6),
)
def test_a_condition_never_confirms(conjunction: str, words: list[str]) -> None:
    # Not the polite "si possible", "si c'est possible" beside a yes: see below.
    assume(words[0] not in ("possible", "c'est"))
    said = f"{conjunction} {' '.join(words)}"
    assert is_hesitant(said)
    assert is_hesitant(said + " ?")


@given(st.lists(_WORDS, min_size=0, max_size=6))
def test_a_question_never_confirms(words: list[str]) -> None:
    assert is_hesitant(" ".join(["oui", *words]) + " ?")


def test_et_si_adds_no_one() -> None:
    # "Et si elle va mieux ?" was "for her too": "which child do you mean?"
    assert not speech.adds_to("Et si elle va mieux ?")
    assert not speaks_of_children("Et si elle va mieux ?", NAMES)
    assert speech.adds_to("Et pour elle aussi ?")


@pytest.mark.parametrize(
    ("said", "condition"),
    [
        ("Même s'il est malade ?", True),
        ("Et s'ils vont mieux", True),
        ("Sauf s'il va mieux.", True),
        ("Si ça se trouve elle sera chez sa mamie.", True),
        ("Oui s'il vous plaît.", False),
        # Politeness beside a yes said in so many words; alone, "si possible" stays a doubt.
        ("Oui, si vous voulez.", False),
        ("Oui si possible.", False),
        ("Si c'est possible, oui.", False),
        ("Oui, si elle va mieux.", True),
        ("Oui, s'il te plaît.", False),
        ("Si.", False),
        ("Mais si.", False),
        ("Oui.", False),
    ],
)
def test_a_condition_is_said(said: str, condition: bool) -> None:
    assert speech.states_a_condition(said) is condition
    assert is_hesitant(said) is condition
