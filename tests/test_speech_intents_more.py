"""More phrases callers say (restomairie.ivr.speech): eating at home is a cancellation,
"annuler une réservation", another child, back to the menu, closing thanks, several children."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from restomairie.ivr import speech
from restomairie.ivr.speech import Intent, is_closing, parse_children, parse_choice, parse_intent

MON_23_NOV = date(2026, 11, 23)
ACTION = {Intent.BOOK, Intent.CANCEL, Intent.LIST, Intent.REPEAT, Intent.GOODBYE}
READ_BACK = {Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE}
AFTER = {
    Intent.ANOTHER,
    Intent.YES,
    Intent.GOODBYE,
    Intent.NO,
    Intent.BOOK,
    Intent.CANCEL,
    Intent.LIST,
    Intent.REPEAT,
}

THREE = ["Sacha", "Timéo", "Rose"]
MARGAUX_ROSE_JULES = ["Margaux", "Rose", "Jules"]
TWO = ["Margaux", "Rose"]


def test_the_new_names_are_public() -> None:
    assert Intent.OTHER_CHILD.value == "other_child"
    assert {"is_closing", "parse_children", "parse_choice"} <= set(speech.__all__)


# ---------------------------------------------------------------------------------------------
# 1. Eating at home, not going to school: CANCEL
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "il mange à la maison jeudi",
        "Il mange à la maison jeudi.",
        "il mangera à la maison",
        "Elle mangera à la maison vendredi.",
        "elle déjeune à la maison",
        "ils mangent à la maison lundi",
        "il reste à la maison demain",
        "il ne va pas manger à la cantine jeudi",
        "il va pas manger à la cantine",
        "elle ne sera pas à l'école jeudi",
        "il n'a pas école jeudi",
        "il n'y a pas école jeudi",
        "il ne va pas à l'école",
        "elle n'ira pas à la cantine lundi",
        "il mangera pas jeudi",
        "oui, il mange à la maison jeudi",
        # Eating somewhere else, wherever it is said in the sentence
        "il mangera chez sa mamie",
        "Elle mange chez sa grand-mère jeudi.",
        "il mangera jeudi chez son père",
        "il mange avec nous jeudi",
        "elle déjeune ailleurs vendredi",
        "il mange le midi à la maison le jeudi",
        # Spoken French without "ne"
        "il est pas là jeudi",
        "Elle vient pas jeudi.",
        "pas cantine jeudi",
        "Nathan pas manger jeudi",
        "ils sont pas là lundi",
    ],
)
def test_eating_at_home_or_no_school_is_cancel(text: str) -> None:
    assert parse_intent(text) is Intent.CANCEL
    assert parse_intent(text, ACTION) is Intent.CANCEL
    assert parse_intent(text, {Intent.BOOK, Intent.CANCEL}) is Intent.CANCEL


@pytest.mark.parametrize(
    "text",
    [
        "je voudrais qu'il mange à la cantine",
        "elle déjeune à la cantine jeudi",
        "il mangera",
        "elle mangera lundi",
        "il mangera à la cantine",
        "il mangera à la cantine lundi",
        "remettre le repas de jeudi",  # a meal cancelled, put back
        "vous pouvez rétablir jeudi",
        "remettez-le jeudi",
        # The present tense with a day: the canteen
        "finalement elle mange jeudi",
        "Ils mangent lundi.",
        "elle déjeune jeudi",
        "il mange chez vous jeudi à la cantine",
        # somewhere else said to be not where the child eats
        "jeudi elle mangera à l'école pas à la maison",
        "jeudi elle mange à l'école et pas chez sa mamie",
    ],
)
def test_eating_at_the_canteen_is_book(text: str) -> None:
    assert parse_intent(text) is Intent.BOOK
    assert parse_intent(text, ACTION) is Intent.BOOK


@pytest.mark.parametrize(
    "text",
    [
        "il ne mange pas à la maison jeudi",
        "il ne mangera pas à la maison",
        "il mangera pas à la maison",
        "elle ne va pas manger à la maison",
    ],
)
def test_not_eating_at_home_is_neither_cancel_nor_book(text: str) -> None:
    # The canteen, or the grandparents': not a guess the line makes.
    assert parse_intent(text, {Intent.BOOK, Intent.CANCEL}) is None


@pytest.mark.parametrize(
    ("text", "allowed", "intent"),
    [
        # "Mange" is weak: the read-back's "non" or "oui" still decides...
        ("non, elle mange jeudi", READ_BACK, Intent.NO),
        ("oui elle mange", READ_BACK, Intent.YES),
        # ...and a stronger word wins over it.
        ("elle mange jeudi, annulez vendredi", ACTION, Intent.CANCEL),
    ],
)
def test_eating_in_the_present_is_weak(text: str, allowed: set[Intent], intent: Intent) -> None:
    assert parse_intent(text, allowed) is intent


# ---------------------------------------------------------------------------------------------
# 2. "Annuler une réservation"; changing a booking is not booking
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "je voudrais annuler une réservation pour jeudi",
        "Je voudrais annuler une réservation pour jeudi.",
        "je souhaite annuler une réservation",
        "supprimer une réservation",
        "annuler ma réservation",
        "j'annule une réservation",
        "décommander une réservation",
        "annuler la réservation de jeudi",
    ],
)
def test_cancelling_a_booking_is_cancel(text: str) -> None:
    assert parse_intent(text) is Intent.CANCEL
    assert parse_intent(text, ACTION) is Intent.CANCEL


@pytest.mark.parametrize(
    "text",
    [
        "modifier une réservation",
        "Je voudrais modifier une réservation.",
        "changer une réservation",
        "changer ma réservation",
        "modifier un repas",
        "modifier réservation",
        "je voudrais changer la réservation de jeudi",
    ],
)
def test_changing_a_booking_is_not_book(text: str) -> None:
    assert parse_intent(text) is not Intent.BOOK
    assert parse_intent(text, ACTION) is None  # the action menu says it did not understand
    assert parse_intent(text, {Intent.BOOK}) is None
    # After an operation it is not "goodbye" (NO there): the caller needs the menu.
    assert parse_intent(text, AFTER) is Intent.ANOTHER
    assert parse_intent(text, READ_BACK) is Intent.NO


def test_a_booking_is_still_book() -> None:
    assert parse_intent("je voudrais faire une réservation", ACTION) is Intent.BOOK
    assert parse_intent("une réservation", ACTION) is Intent.BOOK
    assert parse_intent("changer de date", READ_BACK) is Intent.NO


# ---------------------------------------------------------------------------------------------
# 3. YES
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["ouaip", "Ouaip.", "ouep", "yep", "Yep !"])
def test_more_ways_to_say_yes(text: str) -> None:
    assert parse_intent(text) is Intent.YES
    assert parse_intent(text, READ_BACK) is Intent.YES


@pytest.mark.parametrize("text", ["oui merci", "Oui, merci.", "d'accord merci", "D'accord, merci."])
def test_yes_with_thanks_stays_yes_at_the_read_back(text: str) -> None:
    assert parse_intent(text, READ_BACK) is Intent.YES
    assert parse_intent(text) is Intent.YES


# ---------------------------------------------------------------------------------------------
# 4. OTHER_CHILD
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "un autre enfant",
        "Un autre enfant.",
        "autre enfant",
        "changer d'enfant",
        "Je voudrais changer d'enfant.",
        "pour un autre enfant",
        "un autre de mes enfants",
        "c'est pour un autre de mes enfants",
        "l'autre enfant",
        "mon autre fille",
    ],
)
def test_other_child(text: str) -> None:
    assert parse_intent(text) is Intent.OTHER_CHILD
    assert parse_intent(text, {*ACTION, Intent.OTHER_CHILD}) is Intent.OTHER_CHILD
    assert parse_intent(text, {Intent.ANOTHER, Intent.NO, Intent.ALL}) is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("je ne veux pas changer d'enfant", Intent.NO),
        ("changer de date", Intent.NO),
        ("un autre jour", Intent.NO),
        ("mes enfants", Intent.ALL),
        ("annuler pour un autre enfant", None),  # two intents: the step decides which counts
    ],
)
def test_other_child_does_not_swallow_neighbours(text: str, intent: Intent | None) -> None:
    assert parse_intent(text) is intent


# ---------------------------------------------------------------------------------------------
# 5. ANOTHER: back to the menu
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "retour",
        "Retour.",
        "menu",
        "le menu",
        "retour au menu",
        "Revenir en arrière.",
        "en arrière",
        "laissez tomber",
        "Laisse tomber.",
        "tant pis",
        "Tant pis.",
        "on oublie",
        "oubliez",
        "non, retour au menu",
    ],
)
def test_back_to_the_menu(text: str) -> None:
    assert parse_intent(text) is Intent.ANOTHER
    assert parse_intent(text, {*READ_BACK, Intent.ANOTHER}) is Intent.ANOTHER
    assert parse_intent(text, AFTER) is Intent.ANOTHER


def test_another_child_is_no_longer_another_operation() -> None:
    assert parse_intent("un autre enfant", {Intent.ANOTHER}) is None


# ---------------------------------------------------------------------------------------------
# 6. is_closing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "merci",
        "Merci.",
        "MERCI !",
        "d'accord merci",
        "D'accord, merci.",
        "OK merci",
        "c'est bon merci",
        "parfait merci",
        "Parfait, merci.",
        "ça va merci",
        "non c'est bon",
        "Non, c'est bon.",
        "Tant pis, merci.",  # never mind, and thanks: done
        "tant pis, au revoir",
        "Laissez tomber, merci.",
        "non ça va",
        "non rien",
        "Non, rien.",
        "non, c'est bon, merci",
        "non merci",
        "Non merci.",
        "ce sera tout merci",
        "merci beaucoup",
        "Merci beaucoup !",
        "merci bonne journée",
        "Merci, bonne journée.",
        "merci, bonne soirée",
        "au revoir",
        "c'est tout",
        "encore merci, au revoir",
        "je vous remercie",
        "merci mille fois",
        "non merci, je ne veux rien d'autre",
        "je ne veux plus rien, merci",
    ],
)
def test_is_closing(text: str) -> None:
    assert is_closing(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "oui",
        "Oui.",
        "d'accord",
        "ok",
        "OK.",
        "non",  # parse_intent already reads it (NO)
        "c'est bon",
        "euh",
        "merci, je voudrais aussi annuler jeudi",
        "Merci. Je voudrais aussi annuler jeudi.",
        "oui, autre chose",
        "merci, autre chose",
        "merci, une autre opération",
        "merci, et réserver lundi",
        "merci, écouter mes réservations",
        "merci, le 3 décembre",
        "merci, lundi prochain",
        "merci, et demain ?",
        "merci, pour un autre enfant",
        "merci, pour tous les enfants",
        "merci de répéter",
        "merci, je voudrais parler à quelqu'un",
        "merci mais je me suis trompé",
        "merci, une autre date",
        "merci, je voudrais savoir",
        "merci, il mange à la maison jeudi",
        "merci, 2",
        "non merci, je veux annuler",
        "je ne veux pas raccrocher",
        "Ah tant pis, merci, on recommence.",  # never mind, and go on
    ],
)
def test_is_not_closing(text: str) -> None:
    assert not is_closing(text)


@given(st.text())
@example("merci")
@example("merci\u2026 1er")
def test_is_closing_never_raises(text: str) -> None:
    assert is_closing(text) in (True, False)


# ---------------------------------------------------------------------------------------------
# 7. parse_children
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # One child, as parse_choice reads it.
        ("Sacha", THREE, {1}),
        ("C'est pour Timéo.", THREE, {2}),
        ("la troisième", THREE, {3}),
        ("numéro 2", THREE, {2}),
        ("le dernier", THREE, {3}),
        ("Hugo, le premier.", ["Hugo", "Léa"], {1}),
        # Several by name.
        ("Sacha et Timéo", THREE, {1, 2}),
        ("Margaux et Rose", MARGAUX_ROSE_JULES, {1, 2}),
        ("pour Margaux et pour Rose", MARGAUX_ROSE_JULES, {1, 2}),
        ("Annuler pour Margaux et Rose jeudi.", MARGAUX_ROSE_JULES, {1, 2}),
        ("Sacha, Timéo et Rose", THREE, {1, 2, 3}),
        # A clause settling the change just made names no child asked for...
        ("C'est bon pour Sacha, je voudrais réserver pour Rose.", THREE, {3}),
        ("Merci pour Timéo. Et pour Rose aussi le 8.", THREE, {3}),
        ("Non c'est bon pour Sacha, pour tous les autres annulez.", THREE, {2, 3}),
        # ...unless it is alone, or not set apart
        ("c'est bon pour Timéo", THREE, {2}),
        ("c'est bon pour Sacha je voudrais réserver pour Rose", THREE, {1, 3}),
        # Everyone.
        ("tous", THREE, {1, 2, 3}),
        ("Tous.", THREE, {1, 2, 3}),
        ("toutes", TWO, {1, 2}),
        ("tous les enfants", THREE, {1, 2, 3}),
        ("mes enfants", THREE, {1, 2, 3}),
        ("les enfants", THREE, {1, 2, 3}),
        ("toute la famille", THREE, {1, 2, 3}),
        ("tout le monde", THREE, {1, 2, 3}),
        ("pour tous", TWO, {1, 2}),
        # Counts that are the family's size.
        ("les deux", TWO, {1, 2}),
        ("Les deux.", TWO, {1, 2}),
        ("les 2", TWO, {1, 2}),
        ("mes deux enfants", TWO, {1, 2}),
        ("pour les 2", TWO, {1, 2}),
        ("tous les deux", TWO, {1, 2}),
        ("toutes les deux", TWO, {1, 2}),
        ("tous les 3", THREE, {1, 2, 3}),
        ("les 3 enfants", THREE, {1, 2, 3}),
        ("les trois", THREE, {1, 2, 3}),
        ("annuler pour les deux jeudi", TWO, {1, 2}),
        ("Margaux et Rose, toutes les deux", MARGAUX_ROSE_JULES, {1, 2}),
        ("tous les enfants, Margaux et Rose", TWO, {1, 2}),
        # Left out.
        ("tous sauf Rose", MARGAUX_ROSE_JULES, {1, 3}),
        ("Tous sauf Rose.", MARGAUX_ROSE_JULES, {1, 3}),
        ("tous les enfants sauf Rose", MARGAUX_ROSE_JULES, {1, 3}),
        ("tout le monde sauf Rose", MARGAUX_ROSE_JULES, {1, 3}),
        ("tous à part Rose", MARGAUX_ROSE_JULES, {1, 3}),
        ("tous sauf pour Rose", MARGAUX_ROSE_JULES, {1, 3}),
        ("tous sauf Rose et Jules", MARGAUX_ROSE_JULES, {1}),
        ("tous sauf Margaux, Rose et Jules", MARGAUX_ROSE_JULES, {2, 3}),
        ("pas Rose, Margaux", MARGAUX_ROSE_JULES, {1}),
        ("Margaux mais pas Rose", MARGAUX_ROSE_JULES, {1}),
        ("pas tous, juste Rose", MARGAUX_ROSE_JULES, {2}),
        ("pas les deux, juste Rose", MARGAUX_ROSE_JULES, {2}),
        # A list taken back, whole (the names before its last were kept beside the new one).
        ("Margaux et Rose, enfin non, Jules.", MARGAUX_ROSE_JULES, {3}),
        ("Margaux et Rose, non, juste Jules.", MARGAUX_ROSE_JULES, {3}),
        ("Rose et Jules, non, juste Jules.", MARGAUX_ROSE_JULES, {3}),
        ("Rose et Jules, non, Jules uniquement.", MARGAUX_ROSE_JULES, {3}),
        ("Margaux, non, Rose et Jules.", MARGAUX_ROSE_JULES, {2, 3}),
        ("Margaux et Rose, non, Rose et Jules", MARGAUX_ROSE_JULES, {2, 3}),
        ("Annuler jeudi pour Rose et Jules, non, juste Jules.", MARGAUX_ROSE_JULES, {3}),
        ("Rose, non, Jules", MARGAUX_ROSE_JULES, {3}),
        # Days and meals counted, not children.
        ("réserver tous les lundis pour Rose", MARGAUX_ROSE_JULES, {2}),
        ("tous les jours pour Jules", MARGAUX_ROSE_JULES, {3}),
        # Dates are not positions.
        ("Hugo, le premier décembre", ["Hugo", "Léa"], {1}),
        ("Rose, mardi 1er", MARGAUX_ROSE_JULES, {2}),
        ("Jules jeudi 3", MARGAUX_ROSE_JULES, {3}),
        ("Jules, jeudi le 2", MARGAUX_ROSE_JULES, {3}),
    ],
)
def test_parse_children(text: str, names: list[str], expected: set[int]) -> None:
    assert parse_children(text, names) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A name taken back with "non, pas X" where it was said (it was both named and left
        # out: no child understood).
        ("Rose et Jules, non, pas Jules", {2}),
        ("Annuler jeudi pour Rose et Jules, non, pas Jules.", {2}),
        ("Margaux et Rose, euh non, pas pour Margaux", {2}),
        ("Rose, pardon, pas Rose, Jules", {3}),
        ("Margaux, Rose et Jules, non, pas Rose ni Jules", {1}),
        # "enfin, et Rose aussi": one more, not a correction ("enfin" was taken for a first
        # name heard wrong beside the list).
        ("Margaux et Jules, enfin, et Rose aussi, jeudi.", {1, 2, 3}),
        ("Margaux et Jules, enfin, et Rose aussi", {1, 2, 3}),
    ],
)
def test_parse_children_taken_back_or_added(text: str, expected: set[int]) -> None:
    for action in (None, Intent.CANCEL):
        assert parse_children(text, MARGAUX_ROSE_JULES, action=action) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Margaux et Jules, enfin, Rose", {2}),  # a correction still
        ("Rose et Jules pas Jules", None),  # no "non" before: both named and left out
    ],
)
def test_parse_children_corrections_unchanged(text: str, expected: set[int] | None) -> None:
    result = parse_children(text, MARGAUX_ROSE_JULES)
    assert result == (frozenset(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", THREE),
        ("euh", THREE),
        ("Paul", THREE),
        ("bonjour", THREE),
        ("Sacha", []),
        ("tous", []),
        # A count that is not the family's size.
        ("les deux", THREE),
        ("Les deux.", MARGAUX_ROSE_JULES),
        ("les 2", THREE),
        ("mes deux enfants", THREE),
        ("pour les 2", THREE),
        ("tous les deux", THREE),
        ("tous les 3", TWO),
        ("les 3 enfants", TWO),
        ("les trois", TWO),
        ("les quatre", THREE),
        ("Margaux et Rose, les trois", MARGAUX_ROSE_JULES),
        # Contradictions and ambiguities.
        ("tous, Rose", MARGAUX_ROSE_JULES),
        ("tous, le premier", THREE),
        ("tous sauf Paul", MARGAUX_ROSE_JULES),
        ("pas Rose", MARGAUX_ROSE_JULES),
        ("pas tous", MARGAUX_ROSE_JULES),
        ("pas Rose, Rose", MARGAUX_ROSE_JULES),
        ("Sacha, le deuxième", THREE),
        ("le premier et le deuxième", THREE),
        ("Léa", ["Léa", "Léa"]),
        ("Marie", ["Marie-Claire", "Marie-Anne"]),
        ("le quatrième", THREE),
        ("numéro 9", THREE),
        ("c'est pour un enfant", THREE),
        ("tous les jours", THREE),
        ("tous les deux jours", TWO),
        ("les deux jeudis", TWO),
        # A number in a date is never a child.
        ("mardi 1er", THREE),
        ("Annuler mardi 1er.", THREE),
        ("jeudi 3", THREE),
        ("jeudi le 2", THREE),
        ("le premier décembre", THREE),
        ("jeudi prochain le 2", THREE),
    ],
)
def test_parse_children_none(text: str, names: list[str]) -> None:
    assert parse_children(text, names) is None
    if text not in POSITION_CONFLICTS:  # without ordinals, no position to conflict with
        assert parse_children(text, names, ordinals=False) is None


POSITION_CONFLICTS = {"tous, le premier", "Sacha, le deuxième"}


@pytest.mark.parametrize(
    "text",
    [
        "le premier",
        "Annuler le premier.",
        "annuler le premier",
        "1er",
        "premier",
        "la deuxième",
        "numéro 2",
        "2",
        "deux",
        "le dernier",
        "réserver le 3",
    ],
)
def test_positions_are_not_children_where_a_date_may_be_said(text: str) -> None:
    assert parse_children(text, THREE, ordinals=False) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le premier enfant", {1}),
        ("mon deuxième enfant", {2}),
        ("annuler pour le premier enfant", {1}),
        ("l'enfant numéro 3", {3}),
        ("le dernier enfant", {3}),
        ("Timéo", {2}),  # names still count
        ("annuler le premier pour Rose", {3}),  # "le premier" is the date there
        ("annuler le premier pour Sacha et Rose", {1, 3}),
        ("les deux premiers", None),  # "les deux" in a family of three
        ("tous, le premier", {1, 2, 3}),  # everyone, on the 1st
        ("Sacha, le deuxième", {1}),
        ("tous", {1, 2, 3}),
        ("tous les 3", {1, 2, 3}),
    ],
)
def test_without_ordinals(text: str, expected: set[int] | None) -> None:
    result = parse_children(text, THREE, ordinals=False)
    assert result == (None if expected is None else frozenset(expected))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("le premier", 1), ("Annuler le premier", 1), ("la deuxième", 2), ("2", 2)],
)
def test_with_ordinals_positions_are_children(text: str, expected: int) -> None:
    assert parse_children(text, THREE) == frozenset({expected})


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # A name that sounds like a child's, beside exact names: that child too (read back)
        ("Sasha et Timéo", THREE, {1, 2}),
        ("Rose et Margot", ["Margaux", "Nathan", "Rose"], {1, 3}),
        ("Mathys et Chloé", ["Mathis", "Chloé", "Nathan"], {1, 2}),
        # Only spelled close to a name, beside exact names: maybe another word, ask again
        ("Rose et Natha", ["Margaux", "Nathan", "Rose"], None),
        ("juste Rose", ["Rose", "Justine"], {1}),  # "juste" is not taken for Justine
        ("Mathys", ["Mathis", "Chloé"], {1}),
        ("Léah", ["Léa", "Léo"], {1}),
        ("Marie et Marie-Claire", ["Marie", "Marie-Claire"], {1, 2}),
        ("Marie-Claire", ["Marie", "Marie-Claire"], {2}),
        ("pas Marie-Claire, Hugo", ["Hugo", "Marie-Claire"], {1}),
    ],
)
def test_names_said_loosely_or_compound(
    text: str, names: list[str], expected: set[int] | None
) -> None:
    assert parse_children(text, names) == (None if expected is None else frozenset(expected))


def test_les_deux_no_longer_picks_three_children() -> None:
    assert parse_children("les deux", THREE) is None
    assert parse_choice("les deux", THREE) is None


def test_parse_choice_gains_exclusions_from_everyone() -> None:
    assert parse_choice("tous sauf Rose", TWO) == 1
    assert parse_choice("tous sauf Rose", MARGAUX_ROSE_JULES) is None


NAMES = st.lists(
    st.sampled_from(["Hugo", "Léa", "Chloé", "Mathis", "Inès", "Nathan", "Marie-Claire"]),
    min_size=1,
    max_size=5,
    unique=True,
)


@given(st.text(), st.lists(st.text(max_size=20), max_size=6), st.booleans())
@example("le premier", [""], True)
@example("tous sauf", ["a", "b"], True)
@example("les 0", ["a"], True)
@example("tous sauf Léa", ["Léa"], False)
def test_parse_children_never_raises_and_stays_in_range(
    text: str, names: list[str], ordinals: bool
) -> None:
    result = parse_children(text, names, ordinals=ordinals)
    assert result is None or (result and all(1 <= i <= len(names) for i in result))


@given(st.text(), st.lists(st.text(max_size=20), max_size=6))
def test_parse_choice_is_parse_children_when_it_finds_one_child(
    text: str, names: list[str]
) -> None:
    children = parse_children(text, names)
    expected = next(iter(children)) if children is not None and len(children) == 1 else None
    assert parse_choice(text, names) == expected


@given(NAMES, st.data())
def test_names_joined_by_et_are_those_children(names: list[str], data: st.DataObject) -> None:
    picked = data.draw(st.lists(st.integers(1, len(names)), min_size=1, unique=True))
    template = data.draw(st.sampled_from(["{}", "pour {}", "C'est pour {}.", "annuler {} jeudi"]))
    said = " et ".join(names[i - 1] for i in picked)
    assert parse_children(template.format(said), names) == frozenset(picked)
    assert parse_children(template.format(said), names, ordinals=False) == frozenset(picked)


@given(NAMES, st.data())
def test_everyone_but_one(names: list[str], data: st.DataObject) -> None:
    left_out = data.draw(st.integers(1, len(names)))
    said = data.draw(st.sampled_from(["tous sauf {}", "tout le monde sauf {}", "tous à part {}"]))
    expected = frozenset(range(1, len(names) + 1)) - {left_out}
    result = parse_children(said.format(names[left_out - 1]), names)
    assert result == (expected or None)


@given(NAMES, st.integers(2, 6))
def test_a_count_is_everyone_only_for_that_family_size(names: list[str], count: int) -> None:
    for said in (f"les {count}", f"tous les {count}", f"mes {count} enfants"):
        result = parse_children(said, names)
        if count == len(names):
            assert result == frozenset(range(1, len(names) + 1))
        else:
            assert result is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("un", "1"),
        ("Un.", "1"),
        ("1", "1"),
        ("une", "1"),
        ("deux", "2"),
        ("la touche 2", "2"),
        ("je tape trois", "3"),
        ("neuf", "9"),
        ("zéro", "0"),
        ("oui 1", "1"),
        ("j'appuie sur la touche deux", "2"),
        ("je fais le un", None),  # "le": a key of the menu only (none given here)
        ("le 3", None),  # a date
        ("oui deux jours", None),  # more than a key
        ("deux jours", None),
        ("le premier", None),
        ("douze", None),
        ("", None),
    ],
)
def test_spoken_key(text: str, key: str | None) -> None:
    assert speech.spoken_key(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("le un", "1"),
        ("oui, le un", "1"),
        ("je fais le un", "1"),
        ("j'appuie sur le 2", "2"),
        ("le 3", None),  # not a key of "tapez 1 ou 2": the 3rd of the month
        ("le premier", None),
        ("le un décembre", None),
    ],
)
def test_a_key_said_with_le_is_a_key_of_the_menu(text: str, key: str | None) -> None:
    assert speech.spoken_key(text, "12") == key


@pytest.mark.parametrize(
    ("text", "hesitant"),
    [
        ("oui", False),
        ("Oui, pas de problème.", False),
        ("oui bien sûr", False),
        ("euh oui", False),
        ("oui, il mangera à la maison ce jour-là", False),
        ("oui, attendez", True),
        ("oui mais", True),
        ("Oui, je crois.", True),
        ("oui enfin je sais pas", True),
        ("oui, je ne veux pas", True),
        ("oui je veux pas qu'il mange", True),
        ("oui non", False),  # both are phrases of the line: parse_intent finds it ambiguous
    ],
)
def test_is_hesitant(text: str, hesitant: bool) -> None:
    assert speech.is_hesitant(text) is hesitant


@pytest.mark.parametrize(
    ("text", "left_out"),
    [
        ("oui sauf Timéo", {2}),
        ("oui mais pas Timéo", {2}),
        ("oui, pas pour Timéo", {2}),
        ("oui sans Timéo", {2}),
        ("oui à part Timéo", {2}),
        ("oui pour Sacha", set()),
        ("oui", set()),
        # A "non" or "pas" after the name, ending its clause
        ("Timéo non", {2}),
        ("Sacha oui, Timéo non.", {2}),
        ("Timéo non, Sacha oui", {2}),
        ("Timéo non mais Sacha oui", {2}),
        ("Timéo pas", {2}),
        ("Timéo non plus", set()),  # "neither": Timéo too
        ("Timéo, non", set()),  # the "non" is a clause of its own
        ("il mange pas", set()),
        # Named as staying as they are, the clause ending there
        ("oui pour Sacha, Timéo il reste", {2}),
        ("oui mais Timéo reste", {2}),
        ("Sacha et Timéo restent.", {1, 2}),
        ("Timéo reste à la maison", set()),  # for a cancellation, the other way round
        ("oui, le reste non", set()),
    ],
)
def test_children_left_out(text: str, left_out: set[int]) -> None:
    assert speech.children_left_out(text, ["Sacha", "Timéo"]) == left_out


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("Annuler les 3 et 4 décembre.", None),  # days, not "les trois" children
        ("les 3 premiers jours", None),
        ("les trois", {1, 2, 3}),
        ("tous les trois le 4 décembre", {1, 2, 3}),
        # "les N" before another day of the month: days (it was the three children, and the
        # days were dropped)
        ("Les 3 et 4 aussi.", None),
        ("Les 3 et le 4.", None),
        ("annuler les 3 et 4", None),
        ("annuler les 3, 4 et 5", None),  # it was the three children, on the 3rd of April
        ("les 2 et 3 enfants", None),  # unclear: not everyone either
    ],
)
def test_numbers_of_days_are_not_counts_of_children(text: str, chosen: set[int] | None) -> None:
    found = parse_children(text, ["Margaux", "Nathan", "Rose"], ordinals=False)
    assert found == (None if chosen is None else frozenset(chosen))


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("Rose, euh non, Nathan", {2}),
        ("Rose ou plutôt Nathan, annuler jeudi.", {2}),
        ("Rose, enfin Nathan", {2}),
        # "Non, pour Nathan" after a name takes it back (both were read back, and a "oui"
        # cancelled both); after a yes it leaves Nathan out (both read back: unclear).
        ("Je voudrais annuler pour Rose. Non pour Nathan.", {2}),
        ("annuler jeudi pour Rose non pour Nathan", {2}),
        ("annuler jeudi pour Rose pardon pour Nathan", {2}),
        ("annuler pour Rose euh non Nathan jeudi", {2}),
        ("c'est pour Rose, ah non pour Nathan, annuler jeudi", {2}),
        ("oui pour Rose, non pour Nathan", {2, 3}),
        ("Rose. Non, Nathan il mange.", {2, 3}),
        ("Rose, ni Margaux ni Nathan", {3}),
        ("Je voudrais annuler le repas de Rose, pas celui de Nathan, jeudi.", {3}),
        ("Rose, non, jeudi", {3}),  # no name after the "non": nothing taken back
        ("Rose et Nathan", {2, 3}),
    ],
)
def test_a_child_taken_back_gives_way_to_the_next(text: str, chosen: set[int]) -> None:
    found = parse_children(text, ["Margaux", "Nathan", "Rose"], ordinals=False)
    assert found == frozenset(chosen)


@pytest.mark.parametrize(
    ("text", "chosen", "left_out"),
    [
        ("ni Margaux ni Nathan", None, {1, 2}),  # none named for the change
        ("Ni Margaux, ni Nathan.", None, {1, 2}),
        ("ni Margaux ni Nathan ne sont concernés", None, {1, 2}),
        # Before a denied "manger" or "aller", "ni … ni" names those who do not eat: it was
        # Margaux alone (Nathan read as left out)
        ("ni Margaux ni Nathan ne mangent jeudi", {1, 2}, set()),
        ("Ni Margaux ni Nathan n'iront à la cantine jeudi.", {1, 2}, set()),
        ("ni Margaux ni Nathan n'y vont jeudi", {1, 2}, set()),
    ],
)
def test_ni_one_child_ni_another(text: str, chosen: set[int] | None, left_out: set[int]) -> None:
    names = ["Margaux", "Nathan", "Rose"]
    found = parse_children(text, names)
    assert found == (None if chosen is None else frozenset(chosen))
    assert speech.children_left_out(text, names) == frozenset(left_out)


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("Sacha oui, Timéo non", {1}),
        ("Timéo non", None),
        ("Timéo non plus", {2}),
        ("Marie Lou non, Sacha oui", {1}),
    ],
)
def test_a_child_said_no_to_is_not_chosen(text: str, chosen: set[int] | None) -> None:
    found = parse_children(text, ["Sacha", "Timéo", "Marie Lou"], ordinals=False)
    assert found == (None if chosen is None else frozenset(chosen))


@pytest.mark.parametrize(
    ("text", "weekday"),
    [
        ("oui, jeudi", 3),
        ("non, vendredi", 4),
        ("c'est une erreur, c'est vendredi", 4),
        ("vendredi au lieu de jeudi", 4),
        ("non pas jeudi, vendredi", 4),
        ("pas jeudi", None),
        ("oui c'est bien jeudi", 3),
        ("jeudi prochain", None),
        ("jeudi 3", None),
        ("ce jeudi", None),
        ("lundi et mardi", None),
        ("le 3 décembre", None),
    ],
)
def test_weekday_alone(text: str, weekday: int | None) -> None:
    assert speech.weekday_alone(text) == weekday


YES, IF_NAMED, NO = speech.TakenBack.YES, speech.TakenBack.IF_NAMED, speech.TakenBack.NO
EXCLUDED = speech.TakenBack.EXCLUDED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mince, je voulais dire vendredi.", YES),
        ("Ah non, je me suis trompée, c'est pour Rose.", YES),
        ("Je me suis trompé.", YES),
        ("Oups, erreur.", YES),
        ("Attendez, c'est une erreur.", YES),
        ("Mince je me suis encore trompée, c'est vendredi.", YES),
        ("Je me suis trompé avec les jours, c'est vendredi.", YES),
        ("Oups je me suis trompé tout à l'heure, c'était vendredi.", YES),
        ("C'était Timéo et pas Sacha.", IF_NAMED),
        ("Zut, et vendredi aussi.", NO),
        ("Non, c'était pour Nathan.", IF_NAMED),
        ("Vendredi au lieu de jeudi.", EXCLUDED),
        ("Oui, plutôt le 4.", IF_NAMED),
        ("Non pardon, vendredi.", IF_NAMED),
        ("Pardon ?", IF_NAMED),  # nothing named: the caller of this sees it is no correction
        ("Non en fait vendredi.", IF_NAMED),
        ("Je voulais dire lundi.", IF_NAMED),
        ("Je me suis mal exprimé, c'est vendredi.", IF_NAMED),
        ("Oui oui c'était bien ça, merci.", IF_NAMED),
        ("Non non, vendredi, pas jeudi.", EXCLUDED),
        ("C'est pas jeudi, c'est vendredi.", EXCLUDED),
        ("Non, pas jeudi.", EXCLUDED),
        ("Non, je ne voulais pas annuler.", YES),
        ("C'est pas ça.", YES),
        ("Ce n'est pas le bon jour.", YES),
        ("C'est faux.", YES),
        ("Non c'est Rose.", NO),  # as often the next child: "non c'est Nathan maintenant"
        ("Ah non, c'est Nathan qui est malade.", YES),  # the other child, put forward
        ("Non c'est Nathan qui mange pas maintenant.", NO),
        ("Non c'est tout ce qui me fallait, merci.", NO),  # no one put forward
        ("Non, c'est mon mari qui appellera pour le reste.", NO),
        ("Non, c'est moi qui vous remercie.", NO),
        ("Mince, j'ai oublié le vendredi.", NO),  # a day added, not the change taken back
        ("Zut, et vendredi.", NO),
        ("Non, c'est tout ce que je voulais, pas plus.", NO),
        ("Non merci, pas besoin, ça ira.", NO),
        ("Non, je ne voulais pas plus, merci.", NO),
        ("Je sais pas, bon, au revoir.", NO),
        ("Et Rose, pas jeudi mais vendredi.", NO),
        ("Non j'ai dit vendredi.", IF_NAMED),
        ("Non, vendredi.", NO),  # read back as asked, alone
        ("Oui, vendredi.", NO),
        ("Vendredi aussi.", NO),
        ("Non, pareil pour Hugo.", NO),
        ("Non, vendredi aussi.", NO),
        ("Et je voulais annuler le lundi 7 décembre.", NO),
        ("Ah et lundi c'était possible ?", NO),
        ("Parfait, pas d'erreur, au revoir.", NO),
        ("Timéo non plus.", NO),
        ("Non, en plus vendredi.", NO),
        ("Non, et Nathan.", NO),
        ("Non merci, à lundi.", NO),
        ("Non, c'était tout pour aujourd'hui.", NO),
        ("Le lendemain.", NO),
        ("", NO),
    ],
)
def test_taken_back(text: str, expected: speech.TakenBack) -> None:
    assert speech.taken_back(text, done_weekday=3) is expected


def test_a_day_excluded_takes_back_only_the_day_just_changed() -> None:
    assert speech.taken_back("vendredi, pas jeudi", done_weekday=3) is EXCLUDED
    assert speech.taken_back("vendredi, pas jeudi", done_weekday=1) is NO


@given(st.text(max_size=60))
def test_taken_back_never_raises(text: str) -> None:
    assert isinstance(speech.taken_back(text, 3), speech.TakenBack)


@pytest.mark.parametrize(
    ("text", "see_you"),
    [
        ("Merci, à lundi.", True),
        ("Non merci, à demain", True),
        ("c'était parfait, merci, à mardi", True),
        ("Bonne journée, à la semaine prochaine.", True),
        ("Non, lundi je rappellerai.", True),
        ("À bientôt", True),
        ("Pour lundi.", False),
        ("Et lundi aussi.", False),
        ("Non, et le vendredi d'après.", False),
        ("Merci.", False),
        ("", False),
    ],
)
def test_is_see_you(text: str, see_you: bool) -> None:
    assert speech.is_see_you(text) is see_you


@given(st.text(max_size=60))
def test_is_see_you_never_raises(text: str) -> None:
    assert isinstance(speech.is_see_you(text), bool)


@pytest.mark.parametrize(
    ("text", "waiting", "helping"),
    [
        ("Attendez.", True, False),
        ("Un instant s'il vous plaît.", True, False),
        ("Deux secondes, je regarde le calendrier.", True, False),
        ("Oui, attendez.", False, False),  # a hesitant yes
        ("Deux minutes.", True, False),
        ("Juste un instant.", True, False),
        ("Attendez, deux.", False, False),  # a key
        ("Un moment, je cherche mon code.", True, False),
        ("Je ne comprends pas.", False, True),
        ("Aidez-moi.", False, True),
        ("Plus lentement s'il vous plaît.", False, True),
        ("Comment ça marche ?", False, True),
        ("Ça marche.", False, False),  # a yes
        ("Attendez, annuler jeudi.", False, False),  # a request
        ("Attendez, pour Rose.", False, False),
        ("Je ne comprends pas, je voudrais annuler.", False, False),
        ("Deux.", False, False),
        ("", False, False),
    ],
)
def test_waiting_and_help(text: str, waiting: bool, helping: bool) -> None:
    assert speech.is_waiting(text) is waiting
    assert speech.asks_for_help(text) is helping


@pytest.mark.parametrize(
    ("text", "hello"),
    [
        ("Allô ?", True),
        ("Oui bonjour.", True),
        ("Vous m'entendez ?", True),
        ("Allô, il y a quelqu'un ?", True),
        ("Bonjour madame.", True),
        ("Allô ? Oui, c'est bien ça.", False),  # an answer after the "allô"
        ("Bonjour, un.", False),
        ("Bonjour, je voudrais annuler jeudi.", False),
        ("Allô, Nathan.", False),
        ("Oui.", False),
        ("Ça marche.", False),
        ("", False),
    ],
)
def test_is_hello(text: str, hello: bool) -> None:
    assert speech.is_hello(text) is hello


@pytest.mark.parametrize(
    ("text", "adds"),
    [
        ("oui, et pour Timéo", True),
        ("Et Timéo.", True),
        ("ok, et pour Rose", True),
        ("pareil pour Timéo", True),
        ("la même chose pour Rose", True),
        ("Timéo aussi", True),
        ("idem pour Rose", True),
        ("oui, pour Timéo", False),
        ("non, c'est pour Rose, et pas pour Nathan", False),  # Nathan left out
        ("non pour Rose, pas avec Nathan", False),
        ("Sacha et Timéo", False),
        ("non, Rose et Margaux", False),
        ("oui", False),
        ("", False),
    ],
)
def test_adds_to(text: str, adds: bool) -> None:
    assert speech.adds_to(text) is adds


@pytest.mark.parametrize(
    ("text", "speaks"),
    [
        ("oui, sauf la petite", True),
        ("oui sauf mon fils", True),
        ("oui, seulement le grand", True),
        ("oui sauf l'aînée", True),
        ("oui sauf Timothée", True),  # a name the line does not know: someone is left out
        ("oui, à part le deuxième", True),
        ("oui, et pour son frère aussi", True),
        ("oui pour les deux", True),
        ("oui pour mes trois enfants", True),
        ("oui, pour elle aussi", True),
        ("oui et lui aussi", True),
        ("oui, eux aussi", True),
        ("oui il mange aussi", False),  # the child read back: no one added
        ("oui", False),
        ("oui merci", False),
        ("oui, un grand merci", False),
        ("oui attendez un petit moment", False),
        ("oui pour les deux jours", False),
        ("oui pour les deux jeudis", False),
        ("oui pour lui", False),  # the child read back
        ("oui pour Rose", False),
        ("oui sans problème", False),
        ("oui, à part ça c'est tout", False),
    ],
)
def test_speaks_of_children(text: str, speaks: bool) -> None:
    assert speech.speaks_of_children(text) is speaks


@pytest.mark.parametrize(
    ("text", "speaks"),
    [
        # A word that is neither a child's name nor the line's, added or said as the child
        # meant: a name heard wrong ("Théo", "Timothée" for Timéo).
        ("oui et Théo aussi", True),
        ("oui et pour Timothée", True),
        ("non c'est pour Timothée", True),
        ("oui et Timéo aussi", False),  # named: read as such
        ("oui pour Sacha", False),
        ("oui et jeudi aussi", False),
        ("oui et le 4 aussi", False),
        ("oui moi aussi", False),
        ("oui et merci", False),
        ("non pour jeudi", False),
    ],
)
def test_speaks_of_children_with_a_name_heard_wrong(text: str, speaks: bool) -> None:
    assert speech.speaks_of_children(text, ["Sacha", "Timéo"]) is speaks



@pytest.mark.parametrize(
    ("text", "undo"),
    [
        ("annulez ce que je viens de faire", True),
        ("non, revenez en arrière", True),
        ("annulez l'annulation", True),
        ("remettez comme avant", True),
        ("annuler la dernière opération", True),
        ("annulez ça", True),
        ("annulez ce que j'ai fait", True),
        ("annulez tout ce que j'ai fait", True),
        ("annule ce que je viens de dire", True),
        ("j'ai changé d'avis", True),
        ("finalement non", True),
        ("en fait non laissez", True),
        ("laissez comme c'était", True),
        ("non, ne revenez pas en arrière", False),
        ("annuler vendredi", False),
        ("annulez", False),  # after a booking: another cancellation
        ("c'est bon, merci", False),
        ("je n'ai pas changé d'avis", False),
    ],
)
def test_undoes(text: str, undo: bool) -> None:
    assert speech.undoes(text) is undo
    if undo:
        assert speech.taken_back(text) is speech.TakenBack.YES


@pytest.mark.parametrize(
    ("text", "dismayed"),
    [
        ("ah non", True),
        ("oh non", True),
        ("mais non", True),
        ("attendez, non", True),
        ("oh là là", True),
        ("non", False),
        ("non merci", False),
        ("ah non merci", False),
        ("oh, d'accord", False),
    ],
)
def test_is_dismayed(text: str, dismayed: bool) -> None:
    assert speech.is_dismayed(text) is dismayed


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("arrêter le repas de jeudi", speech.Intent.CANCEL),
        ("arrêter jeudi", speech.Intent.CANCEL),
        ("je veux arrêter la cantine pour Rose", speech.Intent.CANCEL),
        ("stop cantine", speech.Intent.CANCEL),
        # Said alone, or of the call, it ends the call
        ("arrêter", speech.Intent.GOODBYE),
        ("arrêter l'appel", speech.Intent.GOODBYE),
        ("on peut arrêter là", speech.Intent.GOODBYE),
        ("stop", speech.Intent.GOODBYE),
    ],
)
def test_stopping_a_meal_is_cancelling_it(text: str, intent: speech.Intent) -> None:
    # "Arrêter le repas de jeudi" used to end the call, the meal still billed.
    assert speech.parse_intent(text) is intent


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("est-ce que Margaux mange jeudi ?", True),
        ("est-ce que j'ai bien annulé jeudi ?", True),
        ("jusqu'à quand je peux annuler vendredi ?", True),
        ("c'est trop tard pour demain ?", True),
        ("quelle est la date limite pour annuler lundi prochain ?", True),
        ("je peux encore annuler vendredi ?", True),
        ("mange-t-il jeudi ?", True),
        ("est-ce qu'elle est inscrite jeudi ?", True),
        # Polite requests and plain ones
        ("est-ce que je peux annuler jeudi ?", False),
        ("est-ce que vous pouvez réserver jeudi ?", False),
        ("est-ce qu'il est possible d'annuler jeudi ?", False),
        ("annuler jeudi", False),
        ("elle est malade jeudi", False),
        # Said as a statement, heard as a question: a "oui" to its read-back as a booking
        # would have made one
        ("Margaux mange jeudi ?", True),
        ("Nathan il mange vendredi ?", True),
        ("Margaux mange jeudi", False),
        ("annuler jeudi ?", False),
        ("je peux réserver jeudi ?", False),
    ],
)
def test_asks_about_day(text: str, asks: bool) -> None:
    assert speech.asks_about_day(text) is asks


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("English please", True),
        ("en anglais s'il vous plaît", True),
        ("je ne parle pas bien français", True),
        ("I don't speak French", True),
        ("je ne parle pas anglais", False),
        ("je parle français", False),
        ("annuler jeudi", False),
        # A request for English, not a sentence naming the language: "anglais" anywhere
        # switched the call to English for good, on the keypad, and "je parle un peu français"
        # (which says the caller speaks French) too.
        ("je parle anglais", True),
        ("in English", True),
        ("vous parlez anglais ?", True),
        ("Rose a une sortie avec sa classe d'anglais jeudi", False),
        ("annuler jeudi, elle a anglais", False),
        ("je parle un peu français", False),
        ("Rose ne parle pas français", False),
    ],
)
def test_asks_for_english(text: str, english: bool) -> None:
    assert speech.asks_for_english(text) is english


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("cancel", True),
        ("cancel please", True),
        ("no understand", True),
        ("help", True),
        ("help me", True),
        ("thank you", True),
        ("annuler jeudi", False),
        ("non merci", False),
        ("le thé", False),
        ("annuler pour Rose please", False),
    ],
)
def test_sounds_english(text: str, english: bool) -> None:
    # Common English words at a French question were "Pardon, je n'ai pas compris" three times,
    # then goodbye, without a word of the English the line speaks.
    assert speech.sounds_english(text) is english


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("je veux résilier l'abonnement", True),
        ("elle change d'école en janvier", True),
        ("je veux arrêter la cantine pour Rose", True),
        ("on déménage", True),
        ("Nathan ne mange plus à la cantine", True),  # for good
        ("il ne mange plus à la cantine jeudi", False),  # that day's meal
        ("arrêter la cantine jeudi", False),  # that day's meal
        ("annuler jeudi", False),
        ("elle change de classe", False),
        # A weekday for good ("le jeudi"): every Thursday, not the next one
        ("Rose ne mange plus le jeudi", True),
        ("désormais Rose ne mange pas le vendredi", True),
        ("Margaux mange le jeudi maintenant", True),
        ("Rose arrête la cantine le jeudi", True),
        ("Nathan ne mange plus jeudi", False),  # that Thursday
        ("Rose ne mange plus le jeudi 26", False),  # a dated day
        ("Rose ne mange pas le jeudi non plus", False),
        ("Rose mange en plus le jeudi", False),
        ("annuler jeudi maintenant", False),
    ],
)
def test_asks_subscription_change(text: str, asks: bool) -> None:
    from datetime import date as day

    assert speech.asks_subscription_change(text, day(2026, 11, 23)) is asks


@pytest.mark.parametrize(
    ("text", "punctuated"),
    [
        # A child's name opening what they keep doing, after the request: a clause of its own.
        ("Rose ne mange pas jeudi Nathan il mange", "Rose ne mange pas jeudi, Nathan il mange"),
        ("annuler jeudi pour rose nathan il mange", "annuler jeudi pour rose, nathan il mange"),
        ("Rose ne mange pas jeudi Nathan reste", "Rose ne mange pas jeudi, Nathan reste"),
        ("Rose ne mange pas jeudi Nathan si", "Rose ne mange pas jeudi, Nathan si"),
        # A day left out after the day meant; "ni" and a child after a day.
        ("non vendredi pas jeudi", "non vendredi, pas jeudi"),
        (
            "Nathan et Rose ne mangent pas jeudi ni Margaux vendredi",
            "Nathan et Rose ne mangent pas jeudi, ni Margaux vendredi",
        ),
        # A day saying how it stays, a request after a statement, a child said apart.
        ("annuler jeudi vendredi c'est bon", "annuler jeudi, vendredi c'est bon"),
        ("il est malade jeudi vendredi il revient", "il est malade jeudi, vendredi il revient"),
        ("jeudi elle mange pas vendredi elle mange", "jeudi elle mange pas, vendredi elle mange"),
        # A statement with its own day after one that ends with a day (both were cancelled).
        (
            "Rose ne mange pas jeudi elle mange vendredi",
            "Rose ne mange pas jeudi, elle mange vendredi",
        ),
        ("Nathan mange pas jeudi il mangera lundi", "Nathan mange pas jeudi, il mangera lundi"),
        ("elle mange jeudi annulez vendredi", "elle mange jeudi, annulez vendredi"),
        (
            "annuler jeudi pour Rose pour Nathan c'est bon",
            "annuler jeudi pour Rose, pour Nathan c'est bon",
        ),
        (
            "annuler pour Rose jeudi son frère Nathan reste",
            "annuler pour Rose jeudi, son frère Nathan reste",
        ),
        ("Nathan non Rose oui", "Nathan non, Rose oui"),
        ("et Rose pas jeudi mais vendredi", "et Rose, pas jeudi mais vendredi"),
        ("pas jeudi le 27", "pas jeudi, le 27"),
        (
            "Rose ne mange pas jeudi Nathan sera absent",
            "Rose ne mange pas jeudi, Nathan sera absent",
        ),
        # Names that belong to what comes before them: left as they are.
        ("annuler pour Nathan il est malade", "annuler pour Nathan il est malade"),
        ("Rose et Nathan ne mangent pas jeudi", "Rose et Nathan ne mangent pas jeudi"),
        ("Rose ne mange pas jeudi, Nathan il mange", "Rose ne mange pas jeudi, Nathan il mange"),
        ("pas jeudi vendredi", "pas jeudi vendredi"),
        ("oui", "oui"),
        ("annuler jeudi et vendredi", "annuler jeudi et vendredi"),
        ("le vendredi c'est bon", "le vendredi c'est bon"),
    ],
)
def test_restore_commas(text: str, punctuated: str) -> None:
    assert speech.restore_commas(text, ["Margaux", "Nathan", "Rose"]) == punctuated


@pytest.mark.parametrize(
    "text",
    [
        "Sacha et Théo ne mangent pas vendredi",  # Timéo heard wrong
        "Sasha et Timothée ne mangent pas vendredi",
        "annuler vendredi pour Sacha et le petit",
        "Sacha et son frère",
        "Théo et Sacha",
    ],
)
def test_a_child_listed_without_a_known_name_makes_the_children_unclear(text: str) -> None:
    # Sacha alone was read back: the other child dropped without a word.
    assert speech.parse_children(text, ["Sacha", "Timéo"]) is None


@pytest.mark.parametrize(
    ("text", "children"),
    [
        ("Sacha et Timéo", {1, 2}),
        ("Sacha et sa sœur Timéo", {1, 2}),
        ("Sacha et moi", {1}),
        ("pour Sacha et puis vendredi", {1}),
    ],
)
def test_children_listed_by_name_are_read(text: str, children: set[int]) -> None:
    assert speech.parse_children(text, ["Sacha", "Timéo"]) == frozenset(children)


@pytest.mark.parametrize(
    ("text", "children"),
    [
        ("annuler le 1er pour Rose", {3}),  # the 1st of the month, not the first child
        ("Rose ne mange pas le 1er", {3}),
        ("le premier", {1}),
        ("Margaux, la première", {1}),
    ],
)
def test_the_first_beside_a_name(text: str, children: set[int]) -> None:
    assert speech.parse_children(text, ["Margaux", "Nathan", "Rose"]) == frozenset(children)


@pytest.mark.parametrize(
    "said",
    [
        "Annuler jeudi, vendredi c'est bon.",
        "annuler jeudi, vendredi comme d'habitude",
        "Annuler le repas de Rose jeudi, son frère Nathan reste à la cantine.",
        "annuler jeudi pour Rose, pour Nathan c'est bon",
        "Nathan non, Rose oui",
        "Et Rose, pas jeudi mais vendredi.",
        "jeudi elle mange pas, vendredi elle mange",
        "elle mange jeudi, annulez vendredi",
        "il est malade jeudi, vendredi il revient",
        "réserver jeudi pour Rose, Nathan sera absent",
        "Rose ne mange pas jeudi, Nathan il mange.",
        "pas jeudi, le 27",
    ],
)
def test_speech_without_commas_reads_as_with_them(said: str) -> None:
    # What the recogniser may send: no punctuation at all, commas put back where a clause
    # surely ends (every parser reads clauses by their punctuation).
    names = ["Margaux", "Nathan", "Rose"]
    bare = speech.restore_commas(" ".join(re.sub(r"[,.]", " ", said).split()), names)
    for read in (
        lambda text: parse_children(text, names, ordinals=False, action=Intent.CANCEL),
        lambda text: speech.parse_action(text, names),
        lambda text: speech.parse_date(text, MON_23_NOV),
        lambda text: speech.days_said(text, MON_23_NOV),
    ):
        assert read(bare) == read(said), (bare, said)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("c'est quoi le menu jeudi ?", True),
        ("qu'est-ce qu'il y a à manger demain", True),
        ("le menu de jeudi", True),
        ("combien ça coûte ?", True),
        ("quel est le prix du repas", True),
        ("les tarifs de la cantine", True),
        # The line's own menu, to go back to: not the meals'.
        ("retour au menu", False),
        ("le menu", False),
        ("menu principal", False),
        ("annuler jeudi", False),
    ],
)
def test_asks_menus_or_prices(text: str, asks: bool) -> None:
    assert speech.asks_menus_or_prices(text) is asks


@pytest.mark.parametrize(
    ("names", "text"),
    [
        (["San", "Léa"], "pour Léa sans problème"),
        (["Parth", "Léa"], "pour Léa, à part ça c'est tout"),
        (["Parth", "Léa"], "annuler jeudi pour Léa à part ça rien"),
    ],
)
def test_words_that_are_never_names_are_not_heard_as_a_brother(names: list[str], text: str) -> None:
    # "sans" and "part" were heard as San and Parth (both children read back): a second list
    # of such words had replaced the first at run time.
    assert speech.parse_children(text, names) == frozenset({2})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quels jours mange Margaux ?", True),
        ("Margaux mange quels jours ?", True),
        ("Quand est-ce que Rose mange à la cantine ?", True),
        ("Jusqu'à quand je peux annuler ?", False),  # a deadline
        ("Quand est-ce que je dois annuler au plus tard ?", False),
        ("Est-ce que Rose mange jeudi ?", False),  # one day
    ],
)
def test_asks_which_days(text: str, expected: bool) -> None:
    from restomairie.ivr.speech import asks_which_days

    assert asks_which_days(text) is expected
