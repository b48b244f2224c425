"""Tests for the French speech parsers of the phone line (restomairie.ivr.speech)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from restomairie.ivr import speech
from restomairie.ivr.speech import (
    SPEECH_HINTS,
    DateGuess,
    Intent,
    child_hints,
    is_closing,
    normalise,
    parse_choice,
    parse_date,
    parse_digits_date,
    parse_intent,
    parse_number,
    several_days,
)

MON_23_NOV = date(2026, 11, 23)  # a Monday
FRI_18_DEC = date(2026, 12, 18)  # a Friday, just before the Christmas break
MON_28_DEC = date(2026, 12, 28)  # a Monday, across the year boundary
MON_28_FEB_2028 = date(2028, 2, 28)  # the day before a 29 February

ACTION = {
    Intent.BOOK, Intent.CANCEL, Intent.LIST, Intent.REPEAT, Intent.OPERATOR, Intent.GOODBYE,
    Intent.OTHER_CHILD,
}  # fmt: skip
CONFIRM = {Intent.YES, Intent.NO, Intent.REPEAT, Intent.OPERATOR, Intent.ANOTHER}
AFTER = {Intent.ANOTHER, Intent.GOODBYE, Intent.REPEAT, Intent.OPERATOR, Intent.OTHER_CHILD}
CHILD = {Intent.ALL, Intent.REPEAT, Intent.OPERATOR}


def test_dates_used_in_these_tests_fall_on_the_stated_weekdays() -> None:
    assert MON_23_NOV.weekday() == 0
    assert FRI_18_DEC.weekday() == 4
    assert MON_28_DEC.weekday() == 0
    assert MON_28_FEB_2028.weekday() == 0
    assert date(2026, 12, 3).weekday() == 3  # a Thursday


# ---------------------------------------------------------------------------------------------
# normalise
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oui.", "oui"),
        ("Annuler.", "annuler"),
        ("Le 21 novembre.", "le 21 novembre"),
        ("  Léa   ÉLOÏSE  ", "lea eloise"),
        ("D'accord !", "d accord"),
        ("D’accord…", "d accord"),
        ("aujourd'hui", "aujourd hui"),
        ("Après-demain", "apres demain"),
        ("soixante-dix-sept", "soixante dix sept"),
        ("le 21/11/2026", "le 21 11 2026"),
        ("Le 1er décembre.", "le premier decembre"),
        ("la 1re", "la premiere"),
        ("la 1ère", "la premiere"),
        ("le 2e", "le deuxieme"),
        ("le 2ème", "le deuxieme"),
        ("le 2nd", "le deuxieme"),
        ("le 3ème enfant", "le troisieme enfant"),
        ("le 21e", "le vingt et unieme"),
        ("le 1ᵉʳ août", "le premier aout"),
        ("Chœur", "choeur"),
        ("n°2", "numero 2"),
        ("3décembre", "3 decembre"),
        ("le vin six novembre", "le vingt six novembre"),  # a homophone of "vingt-six"
        ("le vin et un", "le vingt et un"),
        ("un verre de vin", "un verre de vin"),
        ("", ""),
        ("?!...", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@given(st.text())
@example("1er")
@example("ℌ")
@example("İ")
def test_normalise_is_idempotent_and_plain_ascii(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", once)


# ---------------------------------------------------------------------------------------------
# parse_intent
# ---------------------------------------------------------------------------------------------

INTENT_PHRASES: dict[Intent, list[str]] = {
    Intent.YES: [
        "oui",
        "Oui.",
        "OUI !",
        "ouais",
        "d'accord",
        "D'accord.",
        "je confirme",
        "Je confirme.",
        "confirmer",
        "c'est ça",
        "Oui, c'est bien ça.",
        "exact",
        "C'est exact.",
        "ok",
        "OK.",
        "okay",
        "tout à fait",
        "parfait",
        "c'est bon",
        "pas de problème",
        "bien sûr",
        "je valide",
    ],
    Intent.NO: [
        "non",
        "Non.",
        "non non",
        "pas du tout",
        "Non, pas du tout.",
        "une autre date",
        "Je voudrais une autre date.",
        "changer",
        "je veux changer de date",
        "Non, ce n'est pas ça.",
        "c'est pas ça",
        "pas d'accord",
        "Je ne suis pas d'accord.",
        "je me suis trompé",
        "absolument pas",
        "un autre jour",
        "pas tout à fait",
    ],
    Intent.BOOK: [
        "réserver",
        "Réserver.",
        "je veux réserver",
        "Je voudrais réserver un repas.",
        "inscrire",
        "Je voudrais inscrire ma fille jeudi.",
        "ajouter un repas",
        "Ajouter un repas pour Léa.",
        "faire une réservation",
        "il mangera à la cantine lundi",
        "Oui, je veux réserver.",
        "un repas de plus",
        "réserve",
    ],
    Intent.CANCEL: [
        "annuler",
        "Annuler.",
        "ANNULER",
        "je veux annuler",
        "Je voudrais annuler le repas de jeudi.",
        "annuler ma réservation",
        "Annulation.",
        "décommander",
        "Je voudrais décommander un repas.",
        "désinscrire",
        "il sera absent",
        "Elle sera absente lundi.",
        "supprimer",
        "Supprimer le repas du 3 décembre.",
        "il est malade",
        "Elle ne mangera pas à la cantine lundi.",
        "Il ne sera pas là vendredi.",
        "retirer un repas",
        "Écoutez, je voudrais annuler.",
    ],
    Intent.LIST: [
        "écouter",
        "Écouter.",
        "écouter mes réservations",
        "mes réservations",
        "Mes réservations.",
        "consulter",
        "Je voudrais consulter mes réservations.",
        "entendre",
        "entendre les réservations",
        "liste",
        "la liste",
        "Je voudrais savoir ce qui est réservé.",
    ],
    Intent.REPEAT: [
        "répéter",
        "Répéter.",
        "Vous pouvez répéter ?",
        "répétez s'il vous plaît",
        "pardon",
        "Pardon ?",
        "quoi",
        "Quoi ?",
        "comment",
        "je n'ai pas compris",
        "Je n'ai pas compris.",
        "j'ai pas compris",
        "Je n'ai rien compris.",
        "je n'ai pas bien entendu",
        "encore une fois",
    ],
    Intent.ALL: [
        "tous",
        "Tous.",
        "tous les enfants",
        "Pour tous les enfants.",
        "les deux",
        "Les deux.",
        "pour les deux",
        "tous les trois",
        "toute la famille",
        "mes enfants",
    ],
    Intent.OPERATOR: [
        "conseiller",
        "Un conseiller.",
        "opérateur",
        "opératrice",
        "parler à quelqu'un",
        "Je voudrais parler à quelqu'un.",
        "Je voudrais parler à un conseiller.",
        "une vraie personne",
    ],
    Intent.GOODBYE: [
        "au revoir",
        "Au revoir.",
        "Merci, au revoir.",
        "terminer",
        "c'est tout",
        "C'est tout, merci.",
        "Non, c'est tout, merci.",
        "raccrocher",
        "je vais raccrocher",
        "ce sera tout",
        "rien d'autre",
        "Je ne veux plus rien.",
        "c'est fini",
    ],
    Intent.ANOTHER: [
        "autre chose",
        "Autre chose.",
        "une autre opération",
        "Une autre opération.",
        "encore",
        "Oui, autre chose.",
        "ce n'est pas tout",
        "continuer",
        "retour au menu",
    ],
}


@pytest.mark.parametrize(
    ("text", "intent"),
    [(text, intent) for intent, texts in INTENT_PHRASES.items() for text in texts],
)
def test_parse_intent_phrases(text: str, intent: Intent) -> None:
    assert parse_intent(text) == intent
    assert parse_intent(text, {intent}) == intent
    assert parse_intent(text, set(Intent)) == intent


@pytest.mark.parametrize(
    "text",
    [
        "je ne veux pas annuler",
        "Je ne veux pas annuler.",
        "je veux pas annuler",
        "n'annulez pas",
        "N'annulez pas !",
        "ne l'annulez pas",
        "ne pas annuler",
        "surtout ne pas annuler",
        "j'annule pas",
        "je ne veux plus annuler",
        "il ne faut pas annuler",
        "je n'ai jamais dit annuler",
    ],
)
def test_negation_wins_over_cancel(text: str) -> None:
    assert parse_intent(text) in (None, Intent.NO)
    assert parse_intent(text, ACTION) is None
    assert parse_intent(text, CONFIRM) == Intent.NO


@pytest.mark.parametrize(
    ("text", "allowed", "intent"),
    [
        ("je ne veux pas réserver", None, Intent.NO),
        ("je ne veux pas réserver", ACTION, None),
        ("je ne veux pas réserver, je veux annuler", None, Intent.CANCEL),
        ("je ne veux pas réserver mais annuler", None, Intent.CANCEL),
        ("je veux réserver, pas annuler", None, Intent.BOOK),
        ("je veux réserver pas annuler", None, Intent.BOOK),
        ("je ne sais pas, je veux annuler", None, Intent.CANCEL),
        ("je ne sais pas je veux annuler", None, Intent.CANCEL),
        ("je ne veux qu'annuler", None, Intent.CANCEL),
        ("je ne veux pas raccrocher", AFTER, None),
        ("pas d'accord", CONFIRM, Intent.NO),
        ("ce n'est pas exact", CONFIRM, Intent.NO),
        ("je ne confirme pas", CONFIRM, Intent.NO),
        ("pas de problème", CONFIRM, Intent.YES),
        ("oui, je ne veux pas annuler", None, None),
        ("non, je ne veux pas annuler", None, Intent.NO),
    ],
)
def test_negation_cases(text: str, allowed: set[Intent] | None, intent: Intent | None) -> None:
    assert parse_intent(text, allowed) == intent


@pytest.mark.parametrize(
    "text",
    [
        "réserver et annuler",
        "Réserver ou annuler ?",
        "oui non",
        "écouter ou annuler",
        "annuler, au revoir",
        "C'est parfait, au revoir.",  # YES and GOODBYE: only the step can tell
    ],
)
def test_two_different_intents_are_ambiguous(text: str) -> None:
    assert parse_intent(text) is None


@pytest.mark.parametrize(
    ("text", "allowed", "intent"),
    [
        ("oui je veux annuler", None, Intent.CANCEL),  # weak "oui" gives way
        ("oui je veux annuler", ACTION, Intent.CANCEL),
        ("oui je veux annuler", CONFIRM, Intent.YES),
        ("non je veux annuler", ACTION, Intent.CANCEL),
        ("non je veux annuler", CONFIRM, Intent.NO),
        ("Non, une autre date.", CONFIRM, Intent.NO),
        ("non merci", None, Intent.NO),
        ("Non merci.", CONFIRM, Intent.NO),
        ("Non merci.", AFTER, Intent.GOODBYE),
        ("non merci au revoir", None, Intent.GOODBYE),
        ("C'est bon, merci, au revoir.", None, Intent.GOODBYE),  # "c'est bon" is weak
        ("C'est parfait, au revoir.", AFTER, Intent.GOODBYE),
        ("oui c'est tout", AFTER, Intent.GOODBYE),
        ("pour tous", CHILD, Intent.ALL),
        ("annuler pour les deux", CHILD, Intent.ALL),
        ("annuler pour les deux", ACTION, Intent.CANCEL),
        ("annuler pour les deux", None, None),
        ("annuler", CONFIRM, None),
        ("oui", ACTION, None),
        ("encore annuler", None, Intent.CANCEL),
        ("pardon, je voulais dire annuler", None, Intent.CANCEL),
        ("comment annuler", None, Intent.CANCEL),
        ("annuler", set(), None),
        ("Annuler.", [Intent.CANCEL], Intent.CANCEL),
        ("Annuler.", (Intent.BOOK,), None),
    ],
)
def test_allowed_and_weak_words(
    text: str,
    allowed: set[Intent] | list[Intent] | tuple[Intent, ...] | None,
    intent: Intent | None,
) -> None:
    assert parse_intent(text, allowed) == intent


@pytest.mark.parametrize(
    "text",
    ["", "   ", ".", "euh", "Euh...", "bonjour", "blablabla", "Léa", "le 3 décembre", "42"],
)
def test_no_intent(text: str) -> None:
    assert parse_intent(text) is None


# ---------------------------------------------------------------------------------------------
# parse_number
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("zéro", 0),
        ("un", 1),
        ("une", 1),
        ("trois", 3),
        ("Trois.", 3),
        ("dix", 10),
        ("onze", 11),
        ("seize", 16),
        ("dix-sept", 17),
        ("dix sept", 17),
        ("dix-neuf", 19),
        ("vingt", 20),
        ("vingt et un", 21),
        ("vingt-et-un", 21),
        ("vingt-deux", 22),
        ("trente et une", 31),
        ("quarante-cinq", 45),
        ("cinquante-neuf", 59),
        ("soixante", 60),
        ("soixante et un", 61),
        ("soixante-dix", 70),
        ("soixante et onze", 71),
        ("soixante-et-onze", 71),
        ("soixante-douze", 72),
        ("soixante-dix-sept", 77),
        ("soixante-dix-neuf", 79),
        ("quatre-vingts", 80),
        ("quatre-vingt", 80),
        ("quatre-vingt-un", 81),
        ("quatre-vingt-dix", 90),
        ("quatre-vingt-onze", 91),
        ("quatre-vingt-douze", 92),
        ("quatre-vingt-dix-neuf", 99),
        ("septante-sept", 77),
        ("huitante", 80),
        ("nonante-deux", 92),
        ("21", 21),
        ("07", 7),
        ("99", 99),
        ("le premier", 1),
        ("La première.", 1),
        ("le 1er", 1),
        ("la deuxième", 2),
        ("le second", 2),
        ("le troisième", 3),
        ("le 3e", 3),
        ("vingt et unième", 21),
        ("le 21e", 21),
        ("quatre-vingtième", 80),
        ("numéro deux", 2),
        ("Le 21.", 21),
        ("un repas pour le trois", 3),
        ("deux, deux", 2),
    ],
)
def test_parse_number(text: str, number: int) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["", "rien", "cent", "deux cents", "mille", "100", "123", "trois et quatre", "21 11", "Léa"],
)
def test_parse_number_none(text: str) -> None:
    assert parse_number(text) is None


_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
_TEENS = ["dix", "onze", "douze", "treize", "quatorze", "quinze", "seize"]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def spell(n: int, sep: str) -> str:
    """French spelling of 0..99, written independently of the module under test."""
    if n < 10:
        return _UNITS[n]
    if n < 17:
        return _TEENS[n - 10]
    if n < 20:
        return f"dix{sep}{_UNITS[n - 10]}"
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return _TENS[tens]
        if unit == 1:
            return f"{_TENS[tens]}{sep}et{sep}un"
        return f"{_TENS[tens]}{sep}{_UNITS[unit]}"
    if n < 80:
        if n == 71:
            return f"soixante{sep}et{sep}onze"
        return f"soixante{sep}{spell(n - 60, sep)}"
    if n == 80:
        return f"quatre{sep}vingts"
    return f"quatre{sep}vingt{sep}{spell(n - 80, sep)}"


@given(st.integers(0, 99), st.sampled_from([" ", "-"]), st.sampled_from(["", ".", " ?"]))
def test_every_number_spelled_or_written_parses(n: int, sep: str, end: str) -> None:
    assert parse_number(spell(n, sep) + end) == n
    assert parse_number(f"{n}{end}") == n
    assert parse_number(f"C'est le {spell(n, sep)}{end}") == n


@given(st.text())
@example("un deux trois")
@example("quatre vingt dix neuf cent")
@example("9" * 40)
def test_parse_number_never_raises_and_stays_in_range(text: str) -> None:
    result = parse_number(text)
    assert result is None or 0 <= result <= 99


# ---------------------------------------------------------------------------------------------
# parse_choice
# ---------------------------------------------------------------------------------------------

FAMILY = ["Hugo", "Léa", "Marie-Claire"]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("Hugo", 1),
        ("Hugo.", 1),
        ("hugo", 1),
        ("C'est pour Hugo.", 1),
        ("Pour Hugo s'il vous plaît.", 1),
        ("Léa", 2),
        ("lea", 2),
        ("LÉA", 2),
        ("Léa.", 2),
        ("C'est pour ma fille Léa.", 2),
        ("Léah", 2),  # how the recogniser may spell it
        ("Ugo", 1),
        ("Marie-Claire", 3),
        ("marie claire", 3),
        ("Marie", 3),
        ("Claire.", 3),
        ("le premier", 1),
        ("Le premier.", 1),
        ("la première", 1),
        ("le 1er", 1),
        ("le deuxième", 2),
        ("La deuxième.", 2),
        ("le second", 2),
        ("numéro deux", 2),
        ("Numéro 2.", 2),
        ("n°3", 3),
        ("le troisième enfant", 3),
        ("le dernier", 3),
        ("deux", 2),
        ("2", 2),
        ("Pas Hugo, Léa.", 2),
        ("Hugo, le premier.", 1),
        ("C'est pour Hugo le premier décembre.", 1),  # a date, not a position
    ],
)
def test_parse_choice(text: str, index: int) -> None:
    assert parse_choice(text, FAMILY) == index


@pytest.mark.parametrize(
    "text",
    [
        "",
        "euh",
        "Hugo et Léa",
        "tous les enfants",
        "les deux",
        "le quatrième",
        "numéro neuf",
        "9",
        "Hugo, le deuxième",  # a name and a position that disagree
        "c'est pour un enfant",
        "pas Hugo",
        "Paul",
    ],
)
def test_parse_choice_none(text: str) -> None:
    assert parse_choice(text, FAMILY) is None


@pytest.mark.parametrize(
    ("text", "names", "index"),
    [
        ("Marie-Claire", ["Marie", "Marie-Claire"], 2),
        ("Marie", ["Marie", "Marie-Claire"], 1),
        ("Léo", ["Léa", "Léo"], 2),
        ("Léa", ["Léa", "Léo"], 1),
        ("Mathys", ["Mathis", "Chloé"], 1),
        ("Kloé", ["Mathis", "Chloé"], 2),
        ("Chloé", ["Chloé"], 1),
        ("le premier", ["Chloé"], 1),
        ("Éloïse", ["Eloise", "Inès"], 1),
        ("Ines", ["Eloise", "Inès"], 2),
    ],
)
def test_parse_choice_other_families(text: str, names: list[str], index: int) -> None:
    assert parse_choice(text, names) == index


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Léa", ["Léa", "Léa"]),  # twins with the same first name: ask by position
        ("Marie", ["Marie-Claire", "Marie-Anne"]),
        ("Hugo", []),
        ("le premier", []),
        ("Matis", ["Mathis", "Mathys"]),
    ],
)
def test_parse_choice_ambiguous(text: str, names: list[str]) -> None:
    assert parse_choice(text, names) is None


@given(st.text(), st.lists(st.text(max_size=20), max_size=6))
@example("le premier", [""])
@example("Léa", ["", "Léa"])
@example("numéro 99", ["a", "b"])
def test_parse_choice_never_raises_and_stays_in_range(text: str, names: list[str]) -> None:
    result = parse_choice(text, names)
    assert result is None or 1 <= result <= len(names)


@given(
    st.lists(
        st.sampled_from(["Hugo", "Léa", "Chloé", "Mathis", "Inès", "Nathan"]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    st.data(),
)
def test_parse_choice_finds_each_name_in_a_sentence(names: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(1, len(names)))
    template = data.draw(
        st.sampled_from(["{}", "{}.", "C'est pour {}.", "pour {} s'il vous plaît"])
    )
    said = data.draw(st.sampled_from([names[index - 1], names[index - 1].upper()]))
    assert parse_choice(template.format(said), names) == index


# ---------------------------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected", "certain"),
    [
        # relative words
        ("aujourd'hui", MON_23_NOV, date(2026, 11, 23), True),
        ("Aujourd'hui.", MON_23_NOV, date(2026, 11, 23), True),
        ("demain", MON_23_NOV, date(2026, 11, 24), True),
        ("Demain.", MON_28_DEC, date(2026, 12, 29), True),
        ("après-demain", MON_23_NOV, date(2026, 11, 25), True),
        ("Après demain.", FRI_18_DEC, date(2026, 12, 20), True),
        ("hier", MON_23_NOV, date(2026, 11, 22), True),
        ("dans trois jours", MON_23_NOV, date(2026, 11, 26), True),
        ("dans huit jours", MON_23_NOV, date(2026, 11, 30), False),
        ("dans quinze jours", MON_23_NOV, date(2026, 12, 7), False),
        ("dans une semaine", FRI_18_DEC, date(2026, 12, 25), True),
        # weekdays: the next one strictly after today
        ("lundi", MON_23_NOV, date(2026, 11, 30), False),
        ("Lundi.", MON_23_NOV, date(2026, 11, 30), False),
        ("mardi", MON_23_NOV, date(2026, 11, 24), False),
        ("jeudi", MON_23_NOV, date(2026, 11, 26), False),
        ("ce jeudi", MON_23_NOV, date(2026, 11, 26), False),
        ("Jeudi prochain.", MON_23_NOV, date(2026, 11, 26), False),
        ("vendredi", FRI_18_DEC, date(2026, 12, 25), False),
        ("lundi", FRI_18_DEC, date(2026, 12, 21), False),
        ("lundi", MON_28_DEC, date(2027, 1, 4), False),
        ("jeudi", MON_28_DEC, date(2026, 12, 31), False),
        ("vendredi", MON_28_DEC, date(2027, 1, 1), False),
        # said on a Monday: a week from today, as "aujourd'hui en huit"
        ("lundi en huit", MON_23_NOV, date(2026, 11, 30), False),
        ("Lundi en huit.", FRI_18_DEC, date(2026, 12, 28), False),
        ("jeudi en huit", MON_23_NOV, date(2026, 12, 3), False),
        ("lundi en quinze", MON_23_NOV, date(2026, 12, 7), False),
        ("mardi de la semaine prochaine", MON_23_NOV, date(2026, 12, 1), True),
        ("jeudi la semaine prochaine", FRI_18_DEC, date(2026, 12, 24), True),
        ("jeudi de cette semaine", MON_23_NOV, date(2026, 11, 26), True),
        # day of month only
        ("le 3", MON_23_NOV, date(2026, 12, 3), False),
        ("Le 3.", MON_23_NOV, date(2026, 12, 3), False),
        ("le trois", MON_23_NOV, date(2026, 12, 3), False),
        ("le 23", MON_23_NOV, date(2026, 11, 23), False),  # today is not past
        ("le 30", MON_23_NOV, date(2026, 11, 30), False),
        ("le 22", MON_23_NOV, date(2026, 12, 22), False),
        ("le 31", MON_23_NOV, date(2026, 12, 31), False),  # no 31 November
        ("le 3", FRI_18_DEC, date(2027, 1, 3), False),
        ("le premier", MON_28_DEC, date(2027, 1, 1), False),
        ("Le 1er.", MON_28_DEC, date(2027, 1, 1), False),
        ("3", MON_23_NOV, date(2026, 12, 3), False),
        ("pour Léa le trois", MON_23_NOV, date(2026, 12, 3), False),
        ("jeudi 3", MON_23_NOV, date(2026, 12, 3), True),  # the weekday confirms it
        ("lundi 3", MON_23_NOV, date(2026, 12, 3), False),  # no Monday the 3rd near: the 3rd
        # day and month
        ("le 21 novembre", MON_23_NOV, date(2027, 11, 21), False),  # a year ahead: read back
        ("Le 21 novembre.", date(2026, 11, 2), date(2026, 11, 21), True),
        ("vingt et un novembre", date(2026, 11, 2), date(2026, 11, 21), True),
        ("Vingt-et-un novembre.", date(2026, 11, 2), date(2026, 11, 21), True),
        ("le 21/11", date(2026, 11, 2), date(2026, 11, 21), True),
        ("21 11", date(2026, 11, 2), date(2026, 11, 21), True),
        ("vingt et un onze", date(2026, 11, 2), date(2026, 11, 21), True),
        ("le 26 du 11", MON_23_NOV, date(2026, 11, 26), True),
        ("le trois du douze", MON_23_NOV, date(2026, 12, 3), True),
        ("annuler le 3 du 12 pour Léa", MON_23_NOV, date(2026, 12, 3), True),
        ("le 3 décembre", MON_23_NOV, date(2026, 12, 3), True),
        ("Le 3 décembre.", MON_23_NOV, date(2026, 12, 3), True),
        # September written short (a day in digits, then "sept"): not the next 3rd.
        ("le 3 sept", MON_23_NOV, date(2027, 9, 3), False),
        ("le 3 sep", MON_23_NOV, date(2027, 9, 3), False),
        # A week said apart from the day ("pour Rose" between them): the day of that week.
        ("annuler mardi pour Rose la semaine prochaine", MON_23_NOV, date(2026, 12, 1), True),
        ("jeudi, pas la semaine prochaine", MON_23_NOV, date(2026, 11, 26), False),
        ("le 14 sept 2027", MON_23_NOV, date(2027, 9, 14), True),
        ("le trois décembre", MON_23_NOV, date(2026, 12, 3), True),
        ("jeudi 3 décembre", MON_23_NOV, date(2026, 12, 3), True),
        ("Jeudi 3 décembre.", MON_23_NOV, date(2026, 12, 3), True),
        ("le jeudi 3 décembre", MON_23_NOV, date(2026, 12, 3), True),
        ("le premier décembre", MON_23_NOV, date(2026, 12, 1), True),
        ("Le 1er décembre.", MON_23_NOV, date(2026, 12, 1), True),
        ("le 1er décembre", FRI_18_DEC, date(2027, 12, 1), False),
        ("le 4 janvier", FRI_18_DEC, date(2027, 1, 4), True),
        ("Lundi 4 janvier.", MON_28_DEC, date(2027, 1, 4), True),
        ("le 31 décembre", MON_28_DEC, date(2026, 12, 31), True),
        ("le 28 décembre", MON_28_DEC, date(2026, 12, 28), True),
        ("le 25 décembre", MON_28_DEC, date(2027, 12, 25), False),
        ("le 15 août", MON_23_NOV, date(2027, 8, 15), False),
        ("Le quatorze février.", MON_23_NOV, date(2027, 2, 14), True),
        # with a year
        ("le 3 décembre 2026", MON_23_NOV, date(2026, 12, 3), True),
        ("le 3 décembre 2026", FRI_18_DEC, date(2026, 12, 3), True),  # as said, though past
        ("le 3 décembre deux mille vingt-six", MON_23_NOV, date(2026, 12, 3), True),
        ("le 4 janvier 2027", MON_28_DEC, date(2027, 1, 4), True),
        ("21/11/2026", MON_23_NOV, date(2026, 11, 21), True),
        ("le 4/1/27", MON_28_DEC, date(2027, 1, 4), True),
        # a weekday that disagrees with the date: the date, to be read back
        ("lundi 3 décembre", MON_23_NOV, date(2026, 12, 3), False),
        ("Vendredi 4 janvier.", MON_28_DEC, date(2027, 1, 4), False),
        ("demain jeudi", MON_23_NOV, date(2026, 11, 24), False),
        ("demain mardi", MON_23_NOV, date(2026, 11, 24), True),
        # in a sentence
        ("Je voudrais réserver pour le 3 décembre.", MON_23_NOV, date(2026, 12, 3), True),
        ("Annuler le repas de Léa demain.", MON_23_NOV, date(2026, 11, 24), True),
        ("Je voudrais un repas jeudi.", MON_23_NOV, date(2026, 11, 26), False),
    ],
)
def test_parse_date(text: str, today: date, expected: date, certain: bool) -> None:
    assert parse_date(text, today) == DateGuess(expected, certain)


@pytest.mark.parametrize(
    ("text", "today", "expected", "certain"),
    [
        ("29 février", MON_28_FEB_2028, date(2028, 2, 29), True),
        ("le 29 février", date(2027, 11, 2), date(2028, 2, 29), True),
        ("le 29 février", MON_28_DEC, date(2028, 2, 29), False),  # 14 months away
        ("le 29 février", date(2028, 3, 1), date(2032, 2, 29), False),
        ("29 février 2028", MON_23_NOV, date(2028, 2, 29), True),
        ("le 1er mars", MON_28_FEB_2028, date(2028, 3, 1), True),
        ("demain", MON_28_FEB_2028, date(2028, 2, 29), True),
        ("après-demain", MON_28_FEB_2028, date(2028, 3, 1), True),
        ("le 29", date(2027, 2, 1), date(2027, 3, 29), False),
        ("le 29", date(2028, 2, 1), date(2028, 2, 29), False),
    ],
)
def test_parse_date_29_february(text: str, today: date, expected: date, certain: bool) -> None:
    assert parse_date(text, today) == DateGuess(expected, certain)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "oui",
        "annuler",
        "la semaine prochaine",
        "en décembre",
        "31 février",
        "le 30 février",
        "le 31 avril",
        "29 février 2027",
        "le 32",
        "le 32 décembre",
        "le 3 et le 4",
        "lundi ou mardi",
        "demain ou après-demain",
        "le deuxième",
        "un repas",
        "deux enfants",
    ],
)
def test_parse_date_none(text: str) -> None:
    assert parse_date(text, MON_23_NOV) is None


MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

todays = st.dates(min_value=date(2020, 1, 1), max_value=date(2090, 12, 31))


@given(todays, st.integers(1, 31), st.integers(1, 12), st.booleans())
def test_day_month_is_nearest_not_past_and_agrees_with_keypad(
    today: date, day: int, month: int, words: bool
) -> None:
    said = f"le {spell(day, ' ') if words else day} {MONTHS[month - 1]}"
    guess = parse_date(said, today)
    keyed = parse_digits_date(f"{day:02d}{month:02d}", today)
    if guess is None:
        assert keyed is None
        return
    assert guess.day == keyed
    assert (guess.day.day, guess.day.month) == (day, month)
    assert guess.day >= today
    # nothing earlier (and not past) has that day and month
    for year in range(today.year, guess.day.year):
        exists = month != 2 or day <= 28 or (day == 29 and calendar.isleap(year))
        if exists:
            assert date(year, month, day) < today


@given(todays, st.sampled_from(range(7)))
def test_weekday_is_next_one_strictly_after_today(today: date, weekday: int) -> None:
    guess = parse_date(WEEKDAYS[weekday], today)
    assert guess is not None
    assert not guess.certain
    assert guess.day.weekday() == weekday
    assert today < guess.day <= today + timedelta(days=7)
    in_eight = parse_date(f"{WEEKDAYS[weekday]} en huit", today)
    # "en huit" counts from the coming such day, today included: "jeudi en huit" said on a
    # Thursday is a week from today, not the Thursday after the bare "jeudi"
    coming = today if today.weekday() == weekday else guess.day
    assert in_eight == DateGuess(coming + timedelta(days=7), False)


@given(todays, st.integers(1, 31))
def test_day_of_month_is_nearest_not_past(today: date, day: int) -> None:
    guess = parse_date(f"le {day}", today)
    assert guess is not None
    assert not guess.certain
    assert guess.day.day == day
    assert guess.day >= today
    assert guess.day - today < timedelta(days=93)


@given(st.text(), todays)
@example("le 31 février 2027", MON_23_NOV)
@example("lundi 99 décembre 1", MON_23_NOV)
@example("dans 99999999 jours", date(2090, 12, 31))
@example("le 31 décembre", date(9999, 12, 31))
@example("dans 8 jours", date(9999, 12, 31))
def test_parse_date_never_raises(text: str, today: date) -> None:
    guess = parse_date(text, today)
    assert guess is None or isinstance(guess, DateGuess)


date_words = st.sampled_from(
    [
        *MONTHS, *WEEKDAYS, "le", "du", "au", "premier", "1er", "en", "huit", "quinze", "dans",
        "jours", "semaine", "prochaine", "prochain", "cette", "demain", "après", "avant", "hier",
        "aujourd'hui", "deux", "mille", "vingt", "et", "un", "trente", "2026", "2028", "/", "29",
        "31", "3", "12", "quatre", "soixante", "dix", "sept", "ou", "pas", ",", ".",
    ]
)  # fmt: skip


@given(st.lists(date_words, max_size=8).map(" ".join), todays)
def test_parse_date_on_date_like_word_salad(text: str, today: date) -> None:
    guess = parse_date(text, today)
    assert guess is None or isinstance(guess.day, date)


# ---------------------------------------------------------------------------------------------
# parse_digits_date (the keypad contract)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "today", "expected"),
    [
        ("2111", date(2026, 11, 2), date(2026, 11, 21)),
        ("2111", MON_23_NOV, date(2027, 11, 21)),
        ("2311", MON_23_NOV, date(2026, 11, 23)),  # today is not past
        ("0312", MON_23_NOV, date(2026, 12, 3)),
        ("0401", FRI_18_DEC, date(2027, 1, 4)),
        ("3112", MON_28_DEC, date(2026, 12, 31)),
        ("0101", MON_28_DEC, date(2027, 1, 1)),
        ("2902", MON_28_DEC, date(2028, 2, 29)),
        ("2902", MON_28_FEB_2028, date(2028, 2, 29)),
        ("2902", date(2028, 3, 1), date(2032, 2, 29)),
        ("0103", MON_28_FEB_2028, date(2028, 3, 1)),
        ("2111#", date(2026, 11, 2), date(2026, 11, 21)),
        (" 2111 ", date(2026, 11, 2), date(2026, 11, 21)),
    ],
)
def test_parse_digits_date(digits: str, today: date, expected: date) -> None:
    assert parse_digits_date(digits, today) == expected


@pytest.mark.parametrize(
    "digits",
    ["", "1", "211", "21111", "3102", "3002", "3104", "0011", "2100", "2113", "9999", "21a1",
     "21 11", "２１１１", "²111", "*", "#"],
)  # fmt: skip
def test_parse_digits_date_invalid(digits: str) -> None:
    assert parse_digits_date(digits, MON_23_NOV) is None


@given(st.text(), todays)
@example("0000", MON_23_NOV)
def test_parse_digits_date_never_raises(digits: str, today: date) -> None:
    result = parse_digits_date(digits, today)
    assert result is None or result >= today


@given(st.from_regex(r"[0-9]{4}", fullmatch=True), todays)
def test_parse_digits_date_four_digits(digits: str, today: date) -> None:
    result = parse_digits_date(digits, today)
    if result is None:
        return
    assert result >= today
    assert (result.day, result.month) == (int(digits[:2]), int(digits[2:]))
    assert result.year - today.year <= 8


# ---------------------------------------------------------------------------------------------
# Properties over arbitrary text, and the hints
# ---------------------------------------------------------------------------------------------

intent_words = st.sampled_from(
    [text for texts in INTENT_PHRASES.values() for text in texts]
    + ["ne", "pas", "n'", "mais", "je", "et", ",", ".", "jamais", "que", "plus", "rien"]
)


@given(
    st.one_of(st.text(), st.lists(intent_words, max_size=6).map(" ".join)),
    st.one_of(st.none(), st.sets(st.sampled_from(list(Intent)))),
)
@example("je ne veux pas annuler", {Intent.CANCEL})
@example("ne", None)
def test_parse_intent_never_raises_and_respects_allowed(
    text: str, allowed: set[Intent] | None
) -> None:
    result = parse_intent(text, allowed)
    assert result is None or isinstance(result, Intent)
    if allowed is not None:
        assert result is None or result in allowed


@given(st.lists(intent_words, max_size=6).map(" ".join))
def test_narrowing_allowed_never_invents_an_answer(text: str) -> None:
    unrestricted = parse_intent(text)
    if unrestricted is not None:
        assert parse_intent(text, {unrestricted}) == unrestricted


@given(st.text())
def test_all_parsers_accept_any_text(text: str) -> None:
    assume(len(text) < 500)
    parse_intent(text, CONFIRM)
    parse_number(text)
    parse_choice(text, FAMILY)
    parse_date(text, MON_28_DEC)


def test_speech_hints_cover_every_step_and_parse() -> None:
    assert set(SPEECH_HINTS) == {"action", "date", "confirm", "after", "child"}
    for step, hints in SPEECH_HINTS.items():
        phrases = [phrase.strip() for phrase in hints.split(",")]
        assert all(phrases), step
        assert all(len(phrase) <= 100 for phrase in phrases), step
        assert len(phrases) == len(set(phrases)), step
    step_intents = {"action": ACTION, "confirm": CONFIRM, "after": AFTER}
    for step, allowed in step_intents.items():
        for phrase in SPEECH_HINTS[step].split(","):
            # After a result, thanks end the call (is_closing) without being an intent.
            understood = parse_intent(phrase, allowed) is not None or (
                step == "after" and is_closing(phrase)
            )
            assert understood, (step, phrase)
    for phrase in SPEECH_HINTS["child"].split(","):
        assert (
            parse_intent(phrase, CHILD) is not None or parse_choice(phrase, FAMILY) is not None
        ), phrase


def test_child_hints_put_the_names_first() -> None:
    assert child_hints(["Hugo", "Léa, Marie"]).startswith("Hugo, Léa Marie, tous les enfants")
    assert child_hints([]) == SPEECH_HINTS["child"]


@pytest.mark.parametrize(
    "phrase",
    [
        "du 30 novembre au 4 décembre",
        "annuler lundi et mardi",
        "toute la semaine prochaine",
        "annuler toute la semaine",
        "le 30 novembre et le 1er décembre",
        "la semaine du 3",  # a week, not the 3rd alone
    ],
)
def test_several_days_asked_at_once_are_recognised(phrase: str) -> None:
    assert parse_date(phrase, MON_23_NOV) is None
    assert several_days(phrase, MON_23_NOV)


@pytest.mark.parametrize(
    "phrase",
    [
        "lundi prochain",
        "annuler",
        "dans deux semaines",
        "demain jeudi",
        "bof",
        "",
    ],
)
def test_one_day_or_none_is_not_several_days(phrase: str) -> None:
    assert not several_days(phrase, MON_23_NOV)


def _every_phrase_scan(tokens: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    # The phrase matcher as it was before its first-word index: every phrase at every token.
    found, i = [], 0
    while i < len(tokens):
        best, best_key = None, (0, 0)
        for phrase in speech._PHRASES:
            size = len(phrase.words)
            if i + size <= len(tokens) and all(
                speech._word_matches(w, tokens[i + k]) for k, w in enumerate(phrase.words)
            ):
                key = (size, sum(not w.endswith("*") for w in phrase.words))
                if key > best_key:
                    best, best_key = phrase, key
        if best is None:
            i += 1
            continue
        found.append((i, i + len(best.words), best.words))
        i += len(best.words)
    return found


_PHRASE_WORDS = sorted(
    {w.rstrip("*") + ("er" if w.endswith("*") else "") for p in speech._PHRASES for w in p.words}
)


@given(st.lists(st.sampled_from([*_PHRASE_WORDS, "lea", "demain", "xyz"]), max_size=12))
def test_the_indexed_phrase_matcher_finds_what_a_scan_of_every_phrase_finds(
    tokens: list[str],
) -> None:
    matched = [(m.start, m.end, m.phrase.words) for m in speech._match_phrases(tokens)]
    assert matched == _every_phrase_scan(tokens)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mon code c'est dix-neuf cinquante et un", "mon code c'est ••••"),
        ("un neuf cinq un", "••••"),
        ("Quatre-vingt-dix-neuf, quatre-vingt-dix-neuf.", "••••."),
        ("21 05 00", "••••"),
        ("2 1 0 5 0 0 dièse", "•••• dièse"),
        # fewer than four digits, or not one after another: dates and keys stay readable
        ("le vingt et un novembre", "le vingt et un novembre"),
        ("annuler le 3 décembre pour Léa", "annuler le 3 décembre pour Léa"),
        ("le 1er, le 2 et le 3", "le 1er, le 2 et le 3"),
        # A code said as a year ("1951") is masked; so is a year, which costs the log little.
        ("mille neuf cent cinquante et un", "••••"),
        ("c'est dix-neuf cent cinquante et un", "c'est ••••"),
        ("deux mille vingt-six", "••••"),
        ("trois cents euros", "trois cents euros"),
        ("", ""),
    ],
)
def test_spoken_digit_runs(text: str, masked: str) -> None:
    out = text
    for start, end in reversed(speech.spoken_digit_runs(text)):
        out = f"{out[:start]}••••{out[end:]}"
    assert out == masked


@given(st.text(max_size=60))
def test_spoken_digit_runs_never_raises(text: str) -> None:
    for start, end in speech.spoken_digit_runs(text):
        assert 0 <= start < end <= len(text)


@pytest.mark.parametrize(
    ("phrase", "days"),
    [
        ("elle est malade, jeudi et vendredi", ["2026-11-26", "2026-11-27"]),
        # said on a Monday: next Monday and the Tuesday after it, not tomorrow and next Monday
        ("annuler lundi et mardi", ["2026-11-30", "2026-12-01"]),
        ("les 3 et 4 décembre", ["2026-12-03", "2026-12-04"]),
        # "les N" and another day of the month, without the month (no day was read)
        ("Les 3 et 4 aussi.", ["2026-12-03", "2026-12-04"]),
        ("Les 3 et le 4.", ["2026-12-03", "2026-12-04"]),
        ("Les 26 et 27.", ["2026-11-26", "2026-11-27"]),
        ("le 30 novembre et le 1er décembre", ["2026-11-30", "2026-12-01"]),
        ("demain et après-demain", ["2026-11-24", "2026-11-25"]),
        # What follows the last weekday of a list is said of them all (each used to be dropped
        # but the last: "lundi" alone beside "mardi de la semaine prochaine" gave way to it).
        ("lundi et mardi de la semaine prochaine", ["2026-11-30", "2026-12-01"]),
        ("lundi et jeudi de la semaine prochaine", ["2026-11-30", "2026-12-03"]),
        ("jeudi et vendredi de cette semaine", ["2026-11-26", "2026-11-27"]),
        ("lundi et mardi 1er décembre", ["2026-11-30", "2026-12-01"]),
        ("lundi et mardi en huit", ["2026-11-30", "2026-12-01"]),
        # One week's days, in the order said (Tuesday used to be tomorrow, before Monday).
        ("lundi, mardi, jeudi et vendredi prochains", [
            "2026-11-30", "2026-12-01", "2026-12-03", "2026-12-04"
        ]),
        ("vendredi et lundi", ["2026-11-27", "2026-11-30"]),
        # Out of the week's order, on a Monday: this week's days, each the nearest (Thursday
        # was the one after Friday, next week's)
        ("vendredi et jeudi", ["2026-11-26", "2026-11-27"]),
        ("annuler vendredi et le jeudi pour Rose", ["2026-11-26", "2026-11-27"]),
        ("vendredi, mardi et jeudi", ["2026-11-24", "2026-11-26", "2026-11-27"]),
        # ... unless the words say otherwise: a week said after the last is every day's
        ("vendredi et jeudi de la semaine prochaine", ["2026-12-03", "2026-12-04"]),
        # (the week after next: "d'après" is after the next one)
        ("vendredi et jeudi de la semaine d'après", ["2026-12-10", "2026-12-11"]),
        # A week said apart from the days, after or before them and the children.
        ("réserver mardi pour Nathan et jeudi pour Margaux de la semaine prochaine", [
            "2026-12-01", "2026-12-03"
        ]),
        ("la semaine prochaine réserver mardi pour Nathan et jeudi pour Margaux", [
            "2026-12-01", "2026-12-03"
        ]),
        ("annuler Rose mardi et Nathan jeudi en huit", ["2026-12-01", "2026-12-03"]),
        # A list taken back for another: the new list is the days of the week of the first.
        ("annuler lundi et mardi de la semaine prochaine non pardon mardi et jeudi", [
            "2026-12-01", "2026-12-03"
        ]),
        # A weekday left out of the list ("sauf") is none of its days (both were read back).
        ("annuler lundi, mardi et jeudi sauf mardi", ["2026-11-30", "2026-12-03"]),
        ("annuler lundi, mardi et jeudi sauf le mardi", ["2026-11-30", "2026-12-03"]),
        # One day left is that day (it was refused as a span: "un jour à la fois").
        ("annuler lundi et mardi de la semaine prochaine sauf mardi", ["2026-11-30"]),
        ("lundi ou mardi sauf mardi", []),  # no choice left
        # A weekday and a date joined by "et" are two days ("demain jeudi" is one).
        ("annuler demain et lundi", ["2026-11-24", "2026-11-30"]),
        # Days listed across the end of a month, with the month said once, at the end.
        ("le 30 et le 1er décembre", ["2026-11-30", "2026-12-01"]),
        ("le 30 et le 1er", ["2026-11-30", "2026-12-01"]),
        ("le vingt-six et le vingt-sept", ["2026-11-26", "2026-11-27"]),
        ("le vingt-six euh et le vingt-sept", ["2026-11-26", "2026-11-27"]),
        # A hesitation between the two, "le" said again: the second corrects the first.
        ("le vingt-six euh le vingt-sept", []),
        # ... unless a list goes on after it: "euh" was the caller finding the next day.
        ("le 26 euh le 27 et le 30", ["2026-11-26", "2026-11-27", "2026-11-30"]),
        # A span, a week, a count, a choice, one day, too many: not listed.
        ("du 30 novembre au 4 décembre", []),
        ("entre le 3 et le 7 décembre", []),
        ("toute la semaine prochaine", []),
        ("la semaine du 3", []),
        ("jusqu'à vendredi", []),
        ("tous les jeudis", []),
        ("jeudi ou vendredi", []),
        ("pas jeudi, vendredi", []),
        # A day taken back: one day, not two ("jeudi" used to be read back first).
        ("jeudi... non attendez vendredi", []),
        ("plutôt vendredi que jeudi", []),
        ("annuler pour Rose jeudi, euh, vendredi plutôt", []),
        ("vendredi plutôt que jeudi", []),
        ("jeudi, non, toute la semaine prochaine", []),
        ("jeudi", []),
        ("le 3, le 4, le 7, le 8, le 9 et le 10 décembre", []),
    ],
)
def test_days_said_one_by_one(phrase: str, days: list[str]) -> None:
    assert [day.isoformat() for day in speech.days_said(phrase, MON_23_NOV)] == days


@pytest.mark.parametrize(
    ("phrase", "kind"),
    [
        ("à la rentrée", ""),
        ("annuler le jour de la rentrée", ""),
        ("le lundi de la rentrée", ""),
        ("à la reprise", ""),
        ("au retour des vacances de Noël", "christmas"),
        ("le premier jour de la rentrée", ""),  # not the 1st of the month
        ("à la rentrée des vacances d'hiver", "winter"),
        # Asked until when: about that day (was taken for a span, "jusqu'à la rentrée")
        ("jusqu'à quand on peut annuler pour la rentrée", ""),
        ("jusqu'à quelle heure je peux annuler le jour de la rentrée ?", ""),
        # Not the day school starts again: a span, a day near it, another date, nothing.
        ("jusqu'à la rentrée", None),
        ("la veille de la rentrée", None),
        ("le lendemain de la rentrée", None),
        ("la semaine de la rentrée", None),
        ("le 4 janvier, à la rentrée", None),
        ("pendant les vacances", None),
        ("jeudi", None),
    ],
)
def test_return_day_said(phrase: str, kind: str | None) -> None:
    said = speech.return_day_said(phrase, MON_23_NOV)
    assert (said[0] if said is not None else None) == kind


@pytest.mark.parametrize(
    ("phrase", "weekdays", "first_days"),
    [
        ("le mardi de la rentrée", (1,), 1),
        ("à la rentrée", (), 1),
        ("lundi et mardi de la rentrée", (0, 1), 1),
        ("annuler mardi et lundi à la rentrée", (1, 0), 1),  # in the order said
        ("les deux premiers jours de la rentrée", (), 2),
        ("les 3 premières journées de la rentrée", (), 3),
        ("le premier jour de la rentrée", (), 1),
    ],
)
def test_the_weekdays_and_days_said_with_the_return_day_are_kept(
    phrase: str, weekdays: tuple[int, ...], first_days: int
) -> None:
    said = speech.return_day_said(phrase, MON_23_NOV)
    assert said == speech.ReturnDays("", weekdays, first_days)
    # Never this week's days ("lundi et mardi", "à la rentrée" dropped).
    assert not speech.several_days(phrase, MON_23_NOV)
    assert speech.days_said(phrase, MON_23_NOV) == []


def test_a_choice_of_weekdays_of_the_return_is_not_read_as_the_return() -> None:
    assert speech.return_day_said("lundi ou mardi de la rentrée", MON_23_NOV) is None


def test_the_first_days_of_the_return_are_not_children() -> None:
    names = ["Margaux", "Nathan", "Rose"]
    assert speech.parse_children("annuler les deux premiers jours de la rentrée", names) is None
    assert speech.parse_children("annuler pour les trois", names) == frozenset({1, 2, 3})


@pytest.mark.parametrize(
    ("phrase", "count"),
    [
        ("les deux", 2),
        ("tous les deux", 2),
        ("oui les deux s'il vous plaît", 2),
        ("l'un et l'autre", 2),
        ("les 2 jours", 2),
        ("toutes les trois", 3),
        ("tous", 0),
        ("tous ces jours", 0),
        ("deux", None),  # the 2nd, or the second day
        ("le deuxième", None),
        ("le 2", None),
        ("les deux enfants", None),
        ("pas les deux", None),
        ("les deux mardis", None),
        ("les", None),
        ("oui", None),
    ],
)
def test_every_one_said(phrase: str, count: int | None) -> None:
    assert speech.every_one_said(phrase) == count


@pytest.mark.parametrize(
    ("phrase", "position"),
    [
        ("le premier", 1),
        ("la première", 1),
        ("le deuxième", 2),
        ("plutôt le second", 2),
        ("le dernier jour", -1),
        ("c'est le premier", 1),
        ("le premier décembre", None),
        ("premier enfant", None),
        ("jeudi", None),
    ],
)
def test_position_said(phrase: str, position: int | None) -> None:
    assert speech.position_said(phrase) == position


def test_weekday_mismatches_of_days_said_one_by_one() -> None:
    assert speech.weekday_mismatches("jeudi 27 et vendredi 28", MON_23_NOV) == {
        date(2026, 11, 27): 3,
        date(2026, 11, 28): 4,
    }
    assert speech.weekday_mismatches("jeudi 26 et vendredi 27", MON_23_NOV) == {}
    assert speech.weekday_mismatches("lundi et mardi 1er décembre", MON_23_NOV) == {}


def test_the_first_day_of_something_is_not_the_first_of_the_month() -> None:
    assert speech.parse_date("le premier jour de la rentrée", MON_23_NOV) is None
    assert speech.parse_date("le premier", MON_23_NOV) == speech.DateGuess(date(2026, 12, 1), False)


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        # A day left out of the change asked ("mais pas", "et non"): the other one.
        ("annuler vendredi mais pas jeudi pour Rose", "2026-11-27"),
        ("annuler vendredi et non jeudi pour Rose", "2026-11-27"),
        ("annuler pour Rose vendredi et pas jeudi", "2026-11-27"),
        ("réserver lundi mais pas mardi", "2026-11-30"),
    ],
)
def test_a_day_left_out_of_a_request_is_not_meant(phrase: str, day: str) -> None:
    guess = speech.parse_date(phrase, MON_23_NOV)
    assert guess is not None and guess.day.isoformat() == day
    assert speech.days_said(phrase, MON_23_NOV) == []


def test_a_day_said_not_to_be_eaten_is_still_a_day_meant() -> None:
    # "Il mange lundi mais pas mardi": Tuesday is the day to cancel, not a day left out.
    assert speech.days_said("il mange lundi mais pas mardi", MON_23_NOV) == [
        date(2026, 11, 24), date(2026, 11, 30)
    ]


def test_a_statement_denying_a_day_after_another_is_two_changes() -> None:
    names = ["Margaux", "Nathan", "Rose"]
    found = speech.requests_said("Rose mange jeudi mais pas vendredi", names, MON_23_NOV)
    assert found == [
        speech.Request(speech.Intent.BOOK, date(2026, 11, 26), frozenset({3})),
        speech.Request(speech.Intent.CANCEL, date(2026, 11, 27), frozenset({3})),
    ]
    # A request's verb: the day denied is left out of it, one change.
    assert speech.requests_said("annuler vendredi mais pas jeudi pour Rose", names, MON_23_NOV) == []


@pytest.mark.parametrize(
    "said",
    [
        "Rose mange lundi au lieu de jeudi",
        "Rose mange le 30 au lieu du 26",
        "Rose mangera lundi à la place de jeudi",
        "Rose mange lundi, ça remplace jeudi",
        "Rose mange lundi plutôt que jeudi",
        "Rose mangera plutôt lundi que jeudi",
        "Rose mange le 30 plutôt que le 26",
    ],
)
def test_a_statement_of_a_day_instead_of_another_is_two_changes(said: str) -> None:
    # It was Monday's booking alone ("déjà réservé"), Thursday kept without a word.
    names = ["Margaux", "Nathan", "Rose"]
    assert speech.requests_said(said, names, MON_23_NOV) == [
        speech.Request(speech.Intent.BOOK, date(2026, 11, 30), frozenset({3})),
        speech.Request(speech.Intent.CANCEL, date(2026, 11, 26), frozenset({3})),
    ]
    # A request's verb leaves the other day out, one change (Monday's cancellation).
    assert speech.requests_said("annuler lundi au lieu de jeudi pour Rose", names, MON_23_NOV) == []


@pytest.mark.parametrize(
    ("said", "kid"),
    [
        ("Rose ne mange pas jeudi, elle mangera vendredi à la place", 3),
        ("Rose ne mange pas jeudi elle mangera vendredi à la place", 3),  # commas restored
        ("Nathan ne mange pas jeudi, il mange vendredi à la place", 2),
        ("Nathan ne mange pas jeudi, il mangera à la place vendredi", 2),
        ("annuler jeudi pour Nathan, il mangera vendredi à la place", 2),
    ],
)
def test_a_day_eaten_in_place_of_a_day_denied_is_booked(said: str, kid: int) -> None:
    # Friday was a day said to stay as it is: Thursday's cancellation alone, Friday dropped
    # (a child without Friday's meal ate it unbooked).
    names = ["Margaux", "Nathan", "Rose"]
    assert speech.requests_said(speech.restore_commas(said, names), names, MON_23_NOV) == [
        speech.Request(speech.Intent.CANCEL, date(2026, 11, 26), frozenset({kid})),
        speech.Request(speech.Intent.BOOK, date(2026, 11, 27), frozenset({kid})),
    ]
    # Without "à la place", a day said to eat beside a cancellation stays as it is.
    assert speech.requests_said(
        "Rose ne mange pas jeudi, elle mange vendredi", names, MON_23_NOV
    ) == []
    assert speech.parse_date("Rose ne mange pas jeudi, elle mange vendredi", MON_23_NOV) == (
        speech.DateGuess(date(2026, 11, 26), False)
    )


@pytest.mark.parametrize(
    "said",
    [
        "Rose mange jeudi, plutôt vendredi",
        "Rose mange jeudi, euh, vendredi plutôt",
        "Rose mange jeudi ou plutôt vendredi",
        "annuler vendredi plutôt que jeudi pour Rose",
    ],
)
def test_plutot_as_a_correction_or_after_a_request_is_one_change(said: str) -> None:
    # Only a statement's "X plutôt que Y" moves a meal; "jeudi, plutôt vendredi" is Friday.
    assert speech.requests_said(said, ["Margaux", "Nathan", "Rose"], MON_23_NOV) == []


@pytest.mark.parametrize(
    ("said", "first", "second"),
    [
        # A week or a date said once is said of both days (the bare one was this week's: a
        # rushed "oui" changed the wrong meal).
        ("la semaine prochaine, Nathan mange vendredi au lieu de jeudi", "B4", "C3"),
        ("Nathan mange vendredi au lieu de jeudi la semaine prochaine", "B4", "C3"),
        ("Nathan mange vendredi 4 au lieu de jeudi", "B4", "C3"),
        ("Nathan mange vendredi au lieu du jeudi 3", "B4", "C3"),
        ("Nathan mange vendredi en huit au lieu de jeudi", "B4", "C3"),
        ("Nathan ne mange pas jeudi 3 mais vendredi", "C3", "B4"),
        ("Nathan ne mange pas jeudi mais vendredi la semaine prochaine", "C3", "B4"),
        ("Margaux mange le jeudi 3 au lieu du vendredi", "B3", "C4"),
        ("Margaux mange jeudi 3 mais pas vendredi", "B3", "C4"),
        ("Margaux mange jeudi mais pas vendredi la semaine prochaine", "B3", "C4"),
    ],
)
def test_the_two_days_of_a_swap_share_their_week(said: str, first: str, second: str) -> None:
    names = ["Margaux", "Nathan", "Rose"]
    kid = frozenset({1 if said.startswith("Margaux") else 2})
    intent = {"B": speech.Intent.BOOK, "C": speech.Intent.CANCEL}
    assert speech.requests_said(said, names, MON_23_NOV) == [
        speech.Request(intent[code[0]], date(2026, 12, int(code[1:])), kid)
        for code in (first, second)
    ]
    # A request's verb, the other day left out: the day asked is next week's too.
    assert speech.parse_date(
        "annuler vendredi mais pas jeudi la semaine prochaine", MON_23_NOV
    ).day == date(2026, 12, 4)


@pytest.mark.parametrize("said", ["Nathan mange vendredi, pas jeudi", "Nathan mange vendredi pas jeudi"])
def test_a_day_denied_in_a_clause_of_its_own_after_a_statement_is_two_changes(said: str) -> None:
    # Friday's booking alone was read back: Thursday's meal stayed, without a word.
    names = ["Margaux", "Nathan", "Rose"]
    text = speech.restore_commas(said, names)
    assert speech.requests_said(text, names, MON_23_NOV) == [
        speech.Request(speech.Intent.BOOK, date(2026, 11, 27), frozenset({2})),
        speech.Request(speech.Intent.CANCEL, date(2026, 11, 26), frozenset({2})),
    ]
    # After a denial, or a request's verb: one change.
    for one in ("Nathan ne mange pas jeudi, pas vendredi", "annuler vendredi, pas jeudi"):
        assert speech.requests_said(one, names, MON_23_NOV) == []


def test_a_day_after_but_in_a_denial_is_the_day_eaten() -> None:
    # "Rose ne mange pas lundi mais jeudi" cancelled both days (Thursday read back first).
    names = ["Margaux", "Nathan", "Rose"]
    assert speech.requests_said("Rose ne mange pas lundi mais jeudi", names, MON_23_NOV) == [
        speech.Request(speech.Intent.CANCEL, date(2026, 11, 30), frozenset({3})),
        speech.Request(speech.Intent.BOOK, date(2026, 11, 26), frozenset({3})),
    ]
    # After a statement that she eats, "mais jeudi" says nothing of its own: one change.
    assert speech.requests_said("Rose mange lundi mais jeudi", names, MON_23_NOV) == []


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("Les 3.", date(2026, 12, 3)),
        ("c'est les 26", date(2026, 11, 26)),
        ("les trois", None),  # in words: more often the three children
        ("les 3 enfants", None),
        ("les 3 jours", None),
        ("les 3 et 4", None),  # days of a list: see days_said
    ],
)
def test_les_and_a_day_number_alone_is_that_day(phrase: str, day: date | None) -> None:
    guess = speech.day_said_after_les(phrase, date(2026, 11, 23))
    assert (guess.day if guess is not None else None) == day
