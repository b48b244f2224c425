"""French speech understanding for the Resto-Mairie phone line.

Twilio's speech recognition (``<Gather input="speech" language="fr-FR">``) posts what the caller
said as ``SpeechResult``: free text with capitals, accents, punctuation and usually digits for
numbers ("Le 21 novembre.", "Oui.", "Je voudrais annuler le repas de Léa."). This module turns
that text into the same decisions the keypad gives (see DOMAIN.md §4, the keypad contract):

- :func:`parse_intent` -- menu answers (book, cancel, listen, yes, no, repeat, ...);
- :func:`parse_number` -- a spoken number from 0 to 99 ("quatre-vingt-douze", "21", "le premier");
- :func:`spoken_key` -- a menu key said instead of pressed ("un", "la touche deux");
- :func:`is_closing` -- whether the caller is done ("merci", "non c'est bon") after an operation;
- :func:`parse_choice` -- which child ("c'est pour Hugo", "la deuxième", "numéro deux");
- :func:`parse_children` -- which children ("Margaux et Rose", "tous sauf Rose", "les deux");
- :func:`parse_date` -- a meal date relative to a given ``today``;
- :func:`parse_digits_date` -- the keypad date (four digits, day then month).

Everything here is pure: standard library only, no clock (``today`` is always passed in), no I/O.
Every parser returns ``None`` rather than guessing when the phrase is empty, unknown or ambiguous,
so the caller can ask again; nothing here raises on any input text.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
import unicodedata
from calendar import isleap
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import NamedTuple, TypeVar

import holidays

__all__ = [
    "RECENT_PAST",
    "SPEECH_HINTS",
    "DateGuess",
    "DaySpan",
    "HolidaysEve",
    "Intent",
    "Request",
    "ResumeAsked",
    "adds_to",
    "asks_about_holidays",
    "asks_about_invoices",
    "asks_enrolment",
    "asks_menus_or_prices",
    "asks_prices",
    "asks_the_rule",
    "asks_when_school_resumes",
    "child_hints",
    "children_left_out",
    "days_said",
    "days_to_choose",
    "digits_missing_a_zero",
    "feast_day_said",
    "holidays_eve_said",
    "holidays_said",
    "impossible_date_said",
    "impossible_digits_date",
    "is_closing",
    "is_hello",
    "is_hesitant",
    "is_question",
    "leap_day_missing",
    "left_out_of_span",
    "normalise",
    "parse_action",
    "parse_children",
    "parse_choice",
    "parse_date",
    "parse_digits_date",
    "parse_intent",
    "parse_number",
    "requests_said",
    "restore_commas",
    "span_said",
    "speaks_of_children",
    "spoken_digit_runs",
    "spoken_key",
    "stated_after_all",
    "states_a_condition",
    "takes_the_offer",
    "undoes",
    "weekday_alone",
]


class Intent(enum.Enum):
    """What a caller's answer means, independently of the step that asked the question."""

    YES = "yes"
    NO = "no"
    BOOK = "book"
    CANCEL = "cancel"
    LIST = "list"
    REPEAT = "repeat"
    ALL = "all"
    OPERATOR = "operator"
    GOODBYE = "goodbye"
    ANOTHER = "another"
    OTHER_CHILD = "other_child"


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

_UNITS_WORDS = ("zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf")
_TEENS_WORDS = ("dix", "onze", "douze", "treize", "quatorze", "quinze", "seize")
_TENS_WORDS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _cardinal_words(n: int) -> list[str]:
    """French cardinal words for 0 <= n <= 99, hyphens as separate words ("soixante dix sept")."""
    if n < 10:
        return [_UNITS_WORDS[n]]
    if n < 17:
        return [_TEENS_WORDS[n - 10]]
    if n < 20:
        return ["dix", _UNITS_WORDS[n - 10]]
    if n < 70:
        tens, unit = divmod(n, 10)
        head = [_TENS_WORDS[tens]]
        if unit == 0:
            return head
        if unit == 1:
            return [*head, "et", "un"]
        return [*head, _UNITS_WORDS[unit]]
    if n < 80:
        if n == 71:
            return ["soixante", "et", "onze"]
        return ["soixante", *_cardinal_words(n - 60)]
    if n == 80:
        return ["quatre", "vingts"]
    return ["quatre", "vingt", *_cardinal_words(n - 80)]


def _ordinal_of_word(word: str) -> str:
    """The ordinal form of one cardinal word: "trois" -> "troisieme", "cinq" -> "cinquieme"."""
    special = {"un": "unieme", "cinq": "cinquieme", "neuf": "neuvieme", "vingts": "vingtieme"}
    if word in special:
        return special[word]
    if word.endswith("e"):
        return word[:-1] + "ieme"
    return word + "ieme"


def _ordinal_words(n: int, feminine: bool = False) -> str:
    """French ordinal for n >= 1 ("premier", "deuxieme", "vingt et unieme"); digits past 99."""
    if n == 1:
        return "premiere" if feminine else "premier"
    if n > 99:
        return str(n)
    words = _cardinal_words(n)
    words[-1] = _ordinal_of_word(words[-1])
    return " ".join(words)


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
# "1er", "1re", "1ère", "2e", "2ème", "2nd", "3ieme" (after accents are stripped).
_ORDINAL_DIGITS_RE = re.compile(
    r"(?<![a-z0-9])([0-9]{1,3})(ere|er|re|nde|nd|ieme|eme|em|e)(?![a-z0-9])"
)
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_DIGIT_LETTER_RE = re.compile(r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])")


def _ordinal_digits_repl(match: re.Match[str]) -> str:
    number = int(match.group(1))
    suffix = match.group(2)
    if number == 0:
        return " 0 "
    return " " + _ordinal_words(number, feminine=suffix in ("re", "ere", "nde")) + " "


# "Le vin six novembre": how speech recognition may write "vingt-six" (a homophone).
_VIN_RE = re.compile(r"\bvins?(?= +(?:et +un|une?|deux|trois|quatre|cinq|six|sept|huit|neuf)\b)")
# "Rose ne mangera ni jeudi ni vendredi", "il n'y va ni lundi ni mardi": the verb denied for
# both, read as "ne mangera pas jeudi ni vendredi" (which the parsers know: both days meant).
# Not "ce n'est ni jeudi ni vendredi" (neither day is the one meant).
_NE_NI_RE = re.compile(
    r"\b(ne|n) ((?:[a-z]+ ){1,2}?)ni (?=(?:(?:le|ce|cette) [a-z0-9]+|lundi|mardi|mercredi|jeudi|"
    r"vendredi|demain|apres|aujourd|[0-9]+)\b(?: [a-z0-9]+)*? ni\b)"
)
_NE_NI_KEPT = frozenset({"est", "etait", "sera", "serait", "c", "ce", "pas", "plus", "jamais"})


def _ne_ni_repl(match: re.Match[str]) -> str:
    if _NE_NI_KEPT.intersection(match.group(2).split()):
        return match.group(0)
    return f"{match.group(1)} {match.group(2)}pas "


@functools.lru_cache(maxsize=4096)  # a webhook reads one phrase many times, names too
def normalise(text: str) -> str:
    """Reduce a transcript to plain lowercase ASCII words separated by single spaces.

    Lowercases, strips accents ("Léa" -> "lea", "œ" -> "oe"), turns punctuation, apostrophes and
    hyphens into spaces ("d'accord" -> "d accord", "après-demain" -> "apres demain",
    "21/11" -> "21 11"), spells out written ordinals ("1er" -> "premier", "1re" -> "premiere",
    "2e" -> "deuxieme", "21e" -> "vingt et unieme"), separates digits glued to letters and
    collapses spaces. Characters that are not ASCII letters or digits after accent stripping
    become spaces. The result is idempotent: ``normalise(normalise(t)) == normalise(t)``.
    """
    text = text.translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text).lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("n°", "numero ")
    text = _NON_ALNUM_RE.sub(" ", text)
    text = _ORDINAL_DIGITS_RE.sub(_ordinal_digits_repl, text)
    text = _DIGIT_LETTER_RE.sub(" ", text)
    text = _VIN_RE.sub("vingt", text)
    text = " ".join(text.split())
    return _NE_NI_RE.sub(_ne_ni_repl, text)


def _tokens(text: str) -> list[str]:
    return normalise(text).split()


_CLAUSE_SPLIT_RE = re.compile(r"[.,;:!?…()\[\]\"«»—–]+")


def _clauses(text: str) -> list[list[str]]:
    """Tokens of each clause: punctuation ends a clause (and the scope of a negation)."""
    clauses = (_tokens(part) for part in _CLAUSE_SPLIT_RE.split(text))
    return [clause for clause in clauses if clause]


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

_UNITS = {word: value for value, word in enumerate(_UNITS_WORDS) if value} | {"une": 1}
_TEENS = {word: 10 + value for value, word in enumerate(_TEENS_WORDS)}
_TENS = {
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "septante": 70,
    "huitante": 80,
    "octante": 80,
    "nonante": 90,
}
_CARDINAL_WORDS = {*_UNITS, *_TEENS, *_TENS, "soixante", "vingts", "zero"}
# Ordinal word -> cardinal word ("troisieme" -> "trois", "unieme" -> "un", "vingtieme" -> "vingt").
_ORDINAL_TO_CARDINAL = {_ordinal_of_word(w): w for w in _CARDINAL_WORDS - {"vingts", "une"}}
_ORDINAL_TO_CARDINAL["vingtieme"] = "vingt"
_BIG_NUMBER_WORDS = frozenset({"cent", "cents", "mille", "million", "millions", "milliard"})


class _Number(NamedTuple):
    value: int
    start: int
    end: int  # index after the last token used
    ordinal: bool
    digits: bool  # written with digits ("21"), not words


def _word_at(tokens: Sequence[str], i: int) -> tuple[str, bool] | None:
    """The cardinal word at ``tokens[i]`` and whether it was said as an ordinal."""
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token in _CARDINAL_WORDS:
        return token, False
    if token in _ORDINAL_TO_CARDINAL:
        return _ORDINAL_TO_CARDINAL[token], True
    return None


def _is_digits(token: str) -> bool:
    return token.isascii() and token.isdigit()


def _number_at(tokens: Sequence[str], i: int) -> _Number | None:
    """Parse one number (0..99, or any digits) starting exactly at ``tokens[i]``."""
    if i >= len(tokens):
        return None
    token = tokens[i]
    if _is_digits(token):
        return _Number(int(token) if len(token) <= 6 else 10**6, i, i + 1, False, True)
    if token in ("premier", "premiere"):
        return _Number(1, i, i + 1, True, False)
    if token in ("second", "seconde"):
        return _Number(2, i, i + 1, True, False)
    first = _word_at(tokens, i)
    if first is None:
        return None
    word, ordinal = first
    if word == "zero":
        return _Number(0, i, i + 1, ordinal, False)

    def tail(base: int, j: int, allow_teens: bool) -> _Number:
        """Parse what may follow a tens word: "et un", a unit, or (after 60/80) 10..19."""
        if j < len(tokens) and tokens[j] == "et":
            nxt = _word_at(tokens, j + 1)
            if nxt is not None and (nxt[0] in ("un", "une") or (allow_teens and nxt[0] == "onze")):
                return _Number(base + (1 if nxt[0] != "onze" else 11), i, j + 2, nxt[1], False)
            return _Number(base, i, j, False, False)
        nxt = _word_at(tokens, j)
        if nxt is None:
            return _Number(base, i, j, False, False)
        nword, nord = nxt
        if nword in _UNITS:
            return _Number(base + _UNITS[nword], i, j + 1, nord, False)
        if allow_teens and nword == "dix" and not nord:
            after = _word_at(tokens, j + 1)
            if after is not None and after[0] in ("sept", "huit", "neuf"):
                return _Number(base + 10 + _UNITS[after[0]], i, j + 2, after[1], False)
            return _Number(base + 10, i, j + 1, False, False)
        if allow_teens and nword in _TEENS:
            return _Number(base + _TEENS[nword], i, j + 1, nord, False)
        return _Number(base, i, j, False, False)

    if ordinal:
        # An ordinal word ends the number ("troisieme", "vingtieme").
        value = {**_UNITS, **_TEENS, **_TENS, "soixante": 60}.get(word, 0)
        return _Number(value, i, i + 1, True, False)

    if word == "quatre":
        nxt = _word_at(tokens, i + 1)
        if nxt is not None and nxt[0] in ("vingt", "vingts"):
            if nxt[1]:
                return _Number(80, i, i + 2, True, False)
            return tail(80, i + 2, allow_teens=True)
        return _Number(4, i, i + 1, False, False)
    if word == "soixante":
        return tail(60, i + 1, allow_teens=True)
    if word in _TENS:
        return tail(_TENS[word], i + 1, allow_teens=False)
    if word == "vingts":
        return _Number(20, i, i + 1, False, False)
    if word == "dix":
        nxt = _word_at(tokens, i + 1)
        if nxt is not None and nxt[0] in ("sept", "huit", "neuf"):
            return _Number(10 + _UNITS[nxt[0]], i, i + 2, nxt[1], False)
        return _Number(10, i, i + 1, False, False)
    if word in _TEENS:
        return _Number(_TEENS[word], i, i + 1, False, False)
    return _Number(_UNITS[word], i, i + 1, False, False)


def _numbers(tokens: Sequence[str]) -> list[_Number]:
    """Every number in a token list, left to right, each token used at most once."""
    found: list[_Number] = []
    i = 0
    while i < len(tokens):
        number = _number_at(tokens, i)
        if number is None:
            i += 1
            continue
        found.append(number)
        i = number.end
    return found


def _is_article_un(tokens: Sequence[str], number: _Number) -> bool:
    return number.end - number.start == 1 and tokens[number.start] in ("un", "une")


_WORD_RE = re.compile(r"[^\W_]+")


_HUNDREDS_AND_THOUSANDS = frozenset({"cent", "cents", "mille", "mil"})


def spoken_digit_runs(text: str) -> list[tuple[int, int]]:
    """The character spans of ``text`` where numbers said one after another make four digits
    or more ("mon code c'est dix-neuf cinquante et un", "un neuf cinq un", "21 05 00", "mille
    neuf cent cinquante et un"): what
    the call log masks, as it masks a run of four digits. Pure; never raises."""
    words: list[tuple[str, int, int]] = []
    for found in _WORD_RE.finditer(text):
        said = normalise(found[0]).split()
        if len(said) == 1:
            words.append((said[0], found.start(), found.end()))
        else:  # "21e", "1er": not a plain word; it breaks a run
            words.append(("", found.start(), found.end()))
    tokens = [w for w, _, _ in words]
    spans: list[tuple[int, int]] = []
    run: list[_Number] = []

    def close() -> None:
        if run and sum(len(str(n.value)) for n in run) >= 4:
            spans.append((words[run[0].start][1], words[run[-1].end - 1][2]))
        run.clear()

    i = 0
    while i < len(tokens):
        number = _number_at(tokens, i)
        if number is None and tokens[i] in _HUNDREDS_AND_THOUSANDS:
            # "mille neuf cent cinquante et un": a code said as a year is one run too.
            number = _Number(1, i, i + 1, False, False)
        if number is None:
            close()
            i += 1
            continue
        if run and run[-1].end != number.start:
            close()
        run.append(number)
        i = number.end
    close()
    return spans


def parse_number(text: str) -> int | None:
    """The one number from 0 to 99 said in ``text``, else ``None``.

    Accepts digits ("21"), words ("trois", "vingt et un", "soixante-dix-sept",
    "quatre-vingt-douze", Belgian/Swiss "septante", "nonante") and ordinals ("le premier",
    "1er", "la deuxième", "vingt et unième"). "un"/"une" alone counts only when no other number
    is said ("un repas pour le trois" is 3). Several different numbers, numbers of 100 or more
    and no number at all give ``None``.
    """
    tokens = _tokens(text)
    if any(token in _BIG_NUMBER_WORDS for token in tokens):
        return None
    numbers = _numbers(tokens)
    strong = {n.value for n in numbers if not _is_article_un(tokens, n)}
    values = strong or {n.value for n in numbers}
    if len(values) != 1:
        return None
    value = values.pop()
    return value if 0 <= value <= 99 else None


# Words around a key said ("je fais le un", "j'appuie sur la touche deux", "oui, 1").
_KEY_WORDS = frozenset(
    {
        "touche", "la", "numero", "tape", "tapez", "taper", "je", "j", "c", "est", "appuie",
        "appuyer", "appuyez", "sur", "fais", "choisis", "prends", "oui", "alors", "euh", "ben",
        "bah", "bon", "s", "il", "vous", "plait", "svp", "merci",
    }
)  # fmt: skip
_KEY_VALUES = {word: str(value) for value, word in enumerate(_UNITS_WORDS)} | {"une": "1"}


def spoken_key(text: str, menu: str = "") -> str | None:
    """The menu key a caller said instead of pressing it ("un", "2", "la touche trois", "je
    tape 1", "j'appuie sur le deux"), else ``None``: the phrase must be that key and nothing
    else. With "le" ("le un", "oui le 1") only a key of ``menu``: "le 3" to "tapez 1 ou 2" is
    the 3rd of the month, "le un" the key (the 1st is "le premier")."""
    tokens = _tokens(text)
    rest = [t for t in tokens if t not in _KEY_WORDS and t != "le"]
    if len(rest) != 1:
        return None
    word = rest[0]
    key = word if len(word) == 1 and word.isdigit() else _KEY_VALUES.get(word)
    if key is not None and "le" in tokens and key not in menu:
        return None
    return key


# ---------------------------------------------------------------------------------------------
# Intents
# ---------------------------------------------------------------------------------------------


class _Phrase(NamedTuple):
    words: tuple[str, ...]  # a word ending in "*" matches any word with that prefix
    readings: tuple[Intent, ...]  # in order of preference; empty = a neutral phrase
    weak: bool  # weak phrases only count when no strong phrase was said


_I = Intent
_NEVER_MIND = (
    "laissez tomber|laisse tomber|laisser tomber|tant pis|on oublie|oubliez|oubliez ça|oublie ça"
)
# (phrases, readings, weak). Phrases are written the way people say them; they are normalised
# when the table is built. Longest match wins at each position, so "une autre date" (NO) beats
# "une autre" and "pas entendu" (REPEAT) beats "entendu" (YES). A word ending in "*" (anywhere
# in a phrase) matches any word starting with it: "annul* une réservation".
_PHRASE_TABLE: list[tuple[str, tuple[Intent, ...], bool]] = [
    # YES
    (
        "oui|ouais|ouai|ouaip|ouep|yep|ok|okay|o k|d'accord|si|entendu|yes|bien sûr|voilà|"
        "oui oui|ça va|c'est bon",
        (_I.YES,),
        True,
    ),
    (
        "je confirme|confirm*|c'est ça|c'est bien ça|exact|exactement|c'est exact|parfait|"
        "tout à fait|absolument|correct|c'est correct|valid*|affirmatif|"
        "pas de problème|pas de souci|pas de soucis|ça marche|ça me va|c'est juste|volontiers|"
        "bien entendu|allez-y|vas-y|très bien",
        (_I.YES,),
        False,
    ),
    # NO
    ("non|nan|non non|no", (_I.NO,), True),
    ("non merci", (_I.NO, _I.GOODBYE), True),
    (
        "pas du tout|pas ça|c'est pas ça|autre date|une autre date|un autre jour|autre jour|"
        "une autre journée|chang*|modifier|modifiez|mauvaise date|erreur|faux|incorrect|"
        "négatif|absolument pas|surtout pas|pas d'accord|pas bon|pas le bon|pas la bonne|"
        "trompé|trompée|pas correct|pas exact|pas ce jour|pas tout à fait",
        (_I.NO,),
        False,
    ),
    # Changing a booking is not booking: without these, "modifier une réservation" would read
    # BOOK wherever NO is not allowed (the action menu), where it is now "not understood".
    # Where it is allowed, ANOTHER comes first: after an operation NO means "goodbye", and a
    # caller who wants to change a meal needs the menu, not the end of the call.
    (
        "modifi* une réservation|modifi* la réservation|modifi* ma réservation|"
        "modifi* mes réservations|modifi* les réservations|modifi* réservation|"
        "modifi* une inscription|modifi* un repas|modifi* le repas|"
        "chang* une réservation|chang* la réservation|chang* ma réservation|"
        "chang* mes réservations|chang* les réservations|chang* de réservation|"
        "chang* réservation|chang* une inscription|chang* un repas|chang* le repas",
        (_I.ANOTHER, _I.NO),
        False,
    ),
    # BOOK
    (
        "réserver|réserve|réservez|réservé|réservée|réservons|je réserve|faire une réservation|"
        "une réservation|nouvelle réservation|faire des réservations|inscrire|inscrivez|"
        "inscris|inscrit|inscrite|réinscrire|ajouter|ajoute|ajoutez|ajouter un repas|"
        "rajouter|rajoute|rajoutez|commander|commande|commandez|un repas de plus|"
        "il mangera|elle mangera|mangera|manger à la cantine|prendre un repas|"
        "mange à la cantine|mangent à la cantine|mangera à la cantine|déjeune à la cantine|"
        "déjeunent à la cantine|déjeunera à la cantine|déjeuner à la cantine|"
        # (not "il mange": "il mange à la maison", "elle mange chez sa mamie" cancel)
        "remettre|remettez|remets|remet|rétablir|rétablissez|rétablis|"
        # "enlever jeudi et mettre vendredi", "annuler jeudi, il reprend vendredi": a booking
        # (not "je reprends", "on reprend": starting over)
        "mettre|mettez|mets|reprend|reprendra|reprennent|reprendront",
        (_I.BOOK,),
        False,
    ),
    ("réservation|inscription", (_I.BOOK,), True),
    # "Finalement elle mange jeudi": the present tense with a day means the canteen, but only
    # when nothing stronger was said ("il mange à la maison" is a cancellation, below).
    # "Finalement elle ira jeudi", "elle ira à la cantine": going is eating there too.
    ("mange|mangent|déjeune|déjeunent|ira|iront", (_I.BOOK,), True),
    # CANCEL
    (
        "annul*|décommand*|désinscri*|supprim*|retirer|retire|retirez|enlever|enlève|enlevez|"
        "il sera absent|elle sera absente|absent|absente|absents|absentes|absence|malade|"
        "ne mangera pas|mangera pas|ne sera pas là|sera pas là|pas de cantine|pas de repas|"
        "ne mange pas|mange pas|ne vient pas|vient pas|n'est pas là|est pas là|"
        "ne sont pas là|sont pas là|pas cantine|pas manger|pas à la cantine",
        (_I.CANCEL,),
        False,
    ),
    # "Arrêter le repas de jeudi", "arrêter jeudi", "stop la cantine": stopping a meal is
    # cancelling it (only "arrêter" alone, or "arrêter l'appel", ends the call).
    (
        "arrêt* le repas|arrêt* les repas|arrêt* son repas|arrêt* ses repas|arrêt* la cantine|"
        "arrêt* le|arrêt* lundi|arrêt* mardi|arrêt* jeudi|arrêt* vendredi|arrêt* demain|"
        "arrêt* pour|arrêt* après-demain|stop la cantine|stop cantine|stop le repas|"
        "stopp* le repas|stopp* la cantine|stopp* les repas|termin* la cantine",
        (_I.CANCEL,),
        False,
    ),
    # The same said of several children, or of coming: "ils ne mangent pas jeudi", "elle ne
    # viendra pas" (without these, "son repas est réservé mais elle ne viendra pas" read as a
    # booking at the read-back).
    (
        "ne mangent pas|mangent pas|ne mangeront pas|mangeront pas|ne seront pas là|"
        "seront pas là|ne viennent pas|viennent pas|ne viendra pas|viendra pas|"
        "ne viendront pas|viendront pas|ne pourra pas venir|pourra pas venir|"
        "ne pourront pas venir|pourront pas venir|ne déjeunera pas|déjeunera pas|"
        "ne déjeuneront pas|déjeuneront pas|pas besoin de la cantine|pas besoin de cantine",
        (_I.CANCEL,),
        False,
    ),
    # Eating at home, or not going to school, is a cancellation: "il mangera à la maison" must
    # not read as "mangera" (BOOK), which would turn a cancellation into "already booked".
    (
        "mange à la maison|mangent à la maison|mangera à la maison|mangeront à la maison|"
        "il mangera à la maison|elle mangera à la maison|il mangera pas|elle mangera pas|"
        "manger à la maison|déjeune à la maison|déjeunent à la maison|déjeunera à la maison|"
        "déjeuneront à la maison|déjeuner à la maison|reste à la maison|restera à la maison|"
        "rester à la maison|ne va pas manger|va pas manger|ne va pas déjeuner|"
        "va pas déjeuner|ne vont pas manger|vont pas manger|"
        "ne sera pas à l'école|sera pas à l'école|ne sera pas à la cantine|"
        "sera pas à la cantine|ne va pas à l'école|va pas à l'école|ne va pas à la cantine|"
        "va pas à la cantine|n'ira pas à l'école|ira pas à l'école|n'ira pas à la cantine|"
        "ira pas à la cantine|n'a pas école|a pas école|n'a pas cantine|a pas cantine|"
        "pas d'école|pas école",
        (_I.CANCEL,),
        False,
    ),
    # "Annuler une réservation" is one act: without this "une réservation" (BOOK) would cancel
    # "annuler" out and the phrase would not be understood.
    (
        "annul* une réservation|supprim* une réservation|décommand* une réservation|"
        "retir* une réservation|enlev* une réservation|annul* une inscription",
        (_I.CANCEL,),
        False,
    ),
    # LIST
    (
        "écouter|consult*|entendre|liste|la liste|lister|récapitulatif|récap|vérifier|"
        "vérifiez|qui est réservé|qu'est-ce qui est réservé|ce qui est prévu|"
        "quels jours|quels repas|mes inscriptions",
        (_I.LIST,),
        False,
    ),
    (
        "mes réservations|les réservations|réservations|mes repas|prochains repas|écoute|écoutez",
        (_I.LIST,),
        True,
    ),
    # REPEAT
    (
        "répét*|redire|redites|redis|encore une fois|une nouvelle fois|de nouveau|réentendre|"
        "pas compris|pas entendu|pas saisi|pas bien compris|pas bien entendu|rien compris|"
        "rien entendu|pas compris la question",
        (_I.REPEAT,),
        False,
    ),
    ("pardon|quoi|comment|hein|excusez-moi|plaît-il", (_I.REPEAT,), True),
    # ALL
    (
        "tous|toutes|tous les enfants|mes enfants|les enfants|tous mes enfants|tous les deux|"
        "toutes les deux|tous les trois|toutes les trois|les deux|les trois|les quatre|"
        "toute la famille|la famille|tout le monde|l'ensemble|ensemble|chacun|"
        "toute la fratrie|pour tous",
        (_I.ALL,),
        False,
    ),
    # OPERATOR
    (
        "conseill*|opérateur|opératrice|parler à quelqu'un|quelqu'un|humain|une personne|"
        "un agent|agent|standardiste|une vraie personne",
        (_I.OPERATOR,),
        False,
    ),
    # GOODBYE
    (
        "au revoir|termin*|c'est tout|ça sera tout|ce sera tout|ça ira|fini|c'est fini|"
        "j'ai fini|raccroch*|quitter|stop|arrêter|fin|bonne journée|bye|plus rien|"
        "rien d'autre|rien de plus|merci au revoir|je n'ai plus besoin|bonne soirée|"
        "bonne fin de journée|bon week-end|bonne fin de semaine|à bientôt|pas besoin|"
        "pas plus|ça va aller",
        (_I.GOODBYE,),
        False,
    ),
    ("rien", (_I.GOODBYE,), True),
    # ANOTHER
    (
        "autre chose|une autre opération|autre opération|une autre demande|autre demande|"
        "nouvelle opération|continuer|pas tout|pas fini|pas terminé|pas encore fini|"
        "pas encore terminé|retour au menu|"
        "revenir au menu|menu principal|recommencer|retour|menu|le menu|retourner au menu|"
        "revenir en arrière|retour en arrière|en arrière|recommence|on recommence|"
        "recommençons|on reprend|reprenons",
        (_I.ANOTHER,),
        False,
    ),
    # "Never mind": the menu again, but with thanks or a farewell the caller is done (see
    # is_closing: "tant pis, merci", "laissez tomber, au revoir").
    (_NEVER_MIND, (_I.ANOTHER,), False),
    ("encore", (_I.ANOTHER,), True),
    # OTHER_CHILD: the action menu's "another child" (key 4 when the family has several).
    (
        "un autre enfant|autre enfant|l'autre enfant|mon autre enfant|pour un autre enfant|"
        "un autre de mes enfants|autre de mes enfants|mon autre fils|mon autre fille|"
        "chang* d'enfant|chang* d'enfants|chang* l'enfant|chang* enfant|un enfant différent|"
        "trompé d'enfant|trompée d'enfant|pas le bon enfant|mauvais enfant",
        (_I.OTHER_CHILD,),
        False,
    ),
    # Neutral: consume the words so that they neither match nor act as a negation.
    # "Il ne mange pas à la maison" means the canteen, or elsewhere: neither CANCEL nor BOOK.
    (
        "n'importe|ma réservation|ne mange pas à la maison|mange pas à la maison|"
        "ne mangera pas à la maison|mangera pas à la maison|ne va pas manger à la maison|"
        "va pas manger à la maison|ne déjeune pas à la maison|déjeune pas à la maison|"
        "il mangera pas à la maison|elle mangera pas à la maison",
        (),
        False,
    ),
    # "Jusqu'à la fin de la semaine", "elle part en fin de semaine": a day, not a goodbye ("fin"
    # alone is one; "bonne fin de semaine", longer and said first, still is).
    (
        "fin de la semaine|fin de semaine|fin de cette semaine|fin du mois|fin de l'année|"
        "fin d'année|fin des vacances",
        (),
        False,
    ),
]

_NEGATION_WORDS = frozenset({"ne", "n", "pas", "jamais", "aucun", "aucune", "nullement"})
_POST_NEGATION_WORDS = frozenset({"pas", "jamais", "plus"})
_CLAUSE_BREAKERS = frozenset(
    {"mais", "plutot", "sinon", "puis", "alors", "donc", "et", "ou", "par", "contre"}
)
_SUBJECT_PRONOUNS = frozenset({"je", "j", "on", "nous", "vous", "il", "elle", "ils", "elles"})
_NEGATION_LOOKBACK = 4


def _build_phrases() -> list[_Phrase]:
    phrases: list[_Phrase] = []
    for spelled, readings, weak in _PHRASE_TABLE:
        for variant in spelled.split("|"):
            words: list[str] = []
            for chunk in variant.split():
                # Normalise each written word on its own so that a "*" stays on its word
                # ("chang* d'enfant" -> "chang*", "d", "enfant").
                said = normalise(chunk.rstrip("*")).split()
                if chunk.endswith("*") and said:
                    said[-1] += "*"
                words.extend(said)
            phrases.append(_Phrase(tuple(words), readings, weak))
    return phrases


_PHRASES = _build_phrases()
_NEVER_MIND_WORDS = frozenset(tuple(normalise(v).split()) for v in _NEVER_MIND.split("|"))


def _index_by_first_word(
    phrases: Sequence[_Phrase],
) -> tuple[dict[str, tuple[int, ...]], tuple[tuple[str, int], ...]]:
    # The phrases that can start at a token: those whose first word is that token, and those
    # whose first word is a prefix of it ("annul*"). Trying only these, instead of all 250 at
    # every token, is what keeps a parse well under a millisecond on a webhook.
    exact: dict[str, list[int]] = {}
    prefixes: list[tuple[str, int]] = []
    for i, phrase in enumerate(phrases):
        first = phrase.words[0]
        if first.endswith("*"):
            prefixes.append((first[:-1], i))
        else:
            exact.setdefault(first, []).append(i)
    return {word: tuple(found) for word, found in exact.items()}, tuple(prefixes)


_STARTING_WITH, _STARTING_WITH_PREFIX = _index_by_first_word(_PHRASES)


def _word_matches(pattern: str, token: str) -> bool:
    if pattern.endswith("*"):
        return token.startswith(pattern[:-1])
    return pattern == token


class _Match(NamedTuple):
    start: int
    end: int
    phrase: _Phrase


def _match_phrases(tokens: Sequence[str]) -> list[_Match]:
    """Longest phrase at each position, scanning left to right without overlaps."""
    return list(_matched(tuple(tokens)))


@functools.lru_cache(maxsize=512)  # the same clause is read for the intent, children, dates
def _matched(tokens: tuple[str, ...]) -> tuple[_Match, ...]:
    matches: list[_Match] = []
    i = 0
    while i < len(tokens):
        best: _Phrase | None = None
        best_key = (0, 0)
        token = tokens[i]
        # In table order, as a scan of every phrase would try them (the first of equals wins).
        candidates = sorted(
            (
                *_STARTING_WITH.get(token, ()),
                *(k for prefix, k in _STARTING_WITH_PREFIX if token.startswith(prefix)),
            )
        )
        for phrase in (_PHRASES[k] for k in candidates):
            size = len(phrase.words)
            if i + size > len(tokens):
                continue
            if all(_word_matches(w, tokens[i + k]) for k, w in enumerate(phrase.words)):
                key = (size, sum(not w.endswith("*") for w in phrase.words))
                if key > best_key:
                    best, best_key = phrase, key
        if best is None:
            i += 1
            continue
        matches.append(_Match(i, i + len(best.words), best))
        i += len(best.words)
    return tuple(matches)


def _owners(tokens: Sequence[str], matches: Sequence[_Match]) -> list[_Match | None]:
    """The match each token belongs to (``None`` for a word outside every phrase)."""
    owner: list[_Match | None] = [None] * len(tokens)
    for match in matches:
        for k in range(match.start, match.end):
            owner[k] = match
    return owner


def _contains_negation(phrase: _Phrase) -> bool:
    return any(w in _NEGATION_WORDS or w in ("rien", "plus") for w in phrase.words)


def _is_negated(tokens: Sequence[str], match: _Match, owner: Sequence[_Match | None]) -> bool:
    """Whether a phrase is under a negation in its clause ("je ne veux pas annuler")."""
    if _contains_negation(match.phrase):
        return False
    # Look back for "ne", "n'", "pas", "jamais" ... within a few words of the same clause.
    seen_que = False
    for k in range(match.start - 1, max(-1, match.start - 1 - _NEGATION_LOOKBACK), -1):
        other = owner[k]
        if other is not None:
            if _contains_negation(other.phrase):
                continue  # "pas de problème", "n'importe": their words negate nothing else
            break  # another phrase stands between: the negation (if any) is about that one
        token = tokens[k]
        if token in _CLAUSE_BREAKERS:
            break
        if token in _SUBJECT_PRONOUNS and not (k > 0 and tokens[k - 1] in ("qu", "que")):
            break
        if token in ("qu", "que"):
            seen_que = True
        if token in _NEGATION_WORDS:
            # "je ne veux qu'annuler" is a restriction, not a negation.
            return not (seen_que and token in ("ne", "n"))
    # "j'annule pas": colloquial negation after a conjugated verb (not after an infinitive,
    # where French puts "pas" before: "réserver pas annuler" is two clauses without a comma).
    readings = match.phrase.readings
    if readings and set(readings) <= {Intent.YES, Intent.NO}:
        return False
    nxt = match.end
    if nxt < len(tokens) and owner[nxt] is None and tokens[nxt] in _POST_NEGATION_WORDS:
        last = tokens[match.end - 1]
        return not last.endswith(("er", "ir", "re"))
    return False


# Eating somewhere else is not eating at the canteen: "il mangera chez sa mamie", "elle mange
# avec nous jeudi" cancel, whatever eating verb is used.
_EATING_PREFIXES = ("mang", "dejeun", "ira", "iront")  # "il ira chez sa mamie": away
_AWAY_WORDS = frozenset({"chez", "ailleurs", "dehors", "maison"})
_AWAY_RUNS = (("avec", "moi"), ("avec", "nous"), ("avec", "papa"), ("avec", "maman"))


def _eats_away(tokens: Sequence[str], match: _Match) -> bool:
    """Whether an eating phrase ("mangera", "déjeune") is said of somewhere else than the
    canteen in its clause."""
    if not any(w.startswith(_EATING_PREFIXES) for w in match.phrase.words):
        return False
    if any(w.startswith(("cantine", "ecole")) for w in tokens):
        return False  # "à l'école, pas à la maison": the canteen

    def denied(k: int) -> bool:  # "pas à la maison", "et pas chez sa mamie"
        return "pas" in tokens[max(0, k - 3) : k]

    away = [k for k, t in enumerate(tokens) if t in _AWAY_WORDS]
    away += [k for k in range(len(tokens)) for run in _AWAY_RUNS if tuple(tokens[k : k + 2]) == run]
    return any(not denied(k) for k in away)


# "Si" is a yes only as an answer ("si", "si si", "mais si", "ben si, c'est ça"): with other
# words in its clause it is the conjunction "if" ("si ça se trouve", "même si elle est malade",
# "et si Nathan va mieux ?", "si possible"), which a read-back must never take as a yes.
_SI_BEFORE = frozenset({"si", "mais", "ben", "bah", "beh", "eh", "ah", "oh", "euh", "oui", "ouais"})
_SI_AFTER = frozenset({"si", "merci"})
# "J'ai bien entendu ?", "vous avez entendu": hearing, not agreeing ("c'est entendu" agrees).
_HEARD_AFTER = frozenset({"ai", "as", "a", "avez", "avons", "avait", "avais", "ont"})


def _si_answers(tokens: Sequence[str], k: int) -> bool:
    """Whether the "si" at ``tokens[k]`` (the tokens of one clause) answers yes."""
    return all(t in _SI_BEFORE for t in tokens[:k]) and all(t in _SI_AFTER for t in tokens[k:])


def _says_yes(tokens: Sequence[str], match: _Match) -> bool:
    """Whether a yes phrase matched in a clause says yes: not the conjunction "si", nor
    "(bien) entendu" after an auxiliary ("j'ai bien entendu, jeudi 26 ?")."""
    words = match.phrase.words
    if words == ("si",):
        return _si_answers(tokens, match.start)
    if words[-1] == "entendu":
        return not (match.start and tokens[match.start - 1] in _HEARD_AFTER)
    return True


def parse_intent(text: str, allowed: Collection[Intent] | None = None) -> Intent | None:
    """The caller's intent in ``text``, restricted to ``allowed`` when given.

    Phrases are matched on normalised words, longest first. A phrase may have several readings
    in order of preference ("non merci" is NO, or GOODBYE where NO is not allowed); ``allowed``
    removes readings before anything else is decided. "Weak" words ("oui", "ok", "non",
    "pardon", "encore", ...) only count when nothing stronger was said, so "oui, je veux
    annuler" is CANCEL and "non, une autre date" is NO.

    Negation wins: a negated phrase ("je ne veux pas annuler", "n'annulez pas", "pas
    d'accord") never yields its intent; if nothing else was said it reads as NO (when NO is
    allowed), else ``None``. Two different remaining intents ("réserver et annuler") are
    ambiguous and give ``None``, as do empty or unknown phrases.
    """
    allowed_set = None if allowed is None else frozenset(allowed)
    strong: set[Intent] = set()
    weak: set[Intent] = set()
    negated_something = False
    for tokens in _clauses(text):
        matches = _match_phrases(tokens)
        owner = _owners(tokens, matches)
        for match in matches:
            readings = match.phrase.readings
            if not readings or (Intent.YES in readings and not _says_yes(tokens, match)):
                continue
            if _is_negated(tokens, match, owner):
                if Intent.NO not in readings:
                    negated_something = True
                continue
            if Intent.BOOK in readings and _eats_away(tokens, match):
                readings = (Intent.CANCEL,)
            usable = [r for r in readings if allowed_set is None or r in allowed_set]
            if usable:
                (weak if match.phrase.weak else strong).add(usable[0])
    if negated_something and (allowed_set is None or Intent.NO in allowed_set):
        weak.add(Intent.NO)
    pool = strong or weak
    if len(pool) != 1:
        return None
    return next(iter(pool))


_THANKS = frozenset({"merci", "remercie", "remercions"})
# Intents that ask the line for something more: a phrase with one of them is not a goodbye.
_REQUESTS = frozenset(
    {
        Intent.BOOK, Intent.CANCEL, Intent.LIST, Intent.REPEAT, Intent.ALL, Intent.OPERATOR,
        Intent.ANOTHER, Intent.OTHER_CHILD,
    }
)  # fmt: skip
# "Non" followed by one of these settles the call: "non c'est bon", "non ça va".
_SETTLED = (("c", "est", "bon"), ("ca", "va"), ("ca", "ira"))
_WISHES = frozenset(
    {
        "voudrais", "voudrait", "voulais", "voulait", "veux", "veut", "souhaite", "souhaiterais",
        "souhaitais", "aimerais", "aimerait", "peux", "pouvez", "pourriez", "pourrais", "besoin",
    }
)  # fmt: skip
_DATE_WORDS = frozenset({"demain", "aujourd", "aujourdhui", "hier"})


def _contains_run(tokens: Sequence[str], run: Sequence[str]) -> bool:
    size = len(run)
    return any(tuple(tokens[k : k + size]) == tuple(run) for k in range(len(tokens) - size + 1))


def is_closing(text: str) -> bool:
    """Whether ``text``, said after an operation ("Pour une autre opération, tapez 1. Pour
    terminer l'appel, tapez 2."), means the caller is done.

    True for thanks and farewells ("merci", "d'accord merci", "OK merci", "merci beaucoup",
    "merci bonne journée", "ce sera tout merci", "au revoir", "non merci") and for a settled
    "no" ("non c'est bon", "non ça va", "non rien"). False as soon as the phrase also asks for
    something: an action, a listing, another operation or child, a repeat, an operator, a date
    or a number, a wish ("merci, je voudrais ..."), or a correction ("merci, je me suis
    trompé"). False too for a plain "oui", "d'accord", "ok" (another operation, at that step)
    and for a plain "non" (which :func:`parse_intent` already reads). Child names are not known
    here. Pure, and never raises.
    """
    closing = False
    said: list[str] = []
    for tokens in _clauses(text):
        matches = _match_phrases(tokens)
        owner = _owners(tokens, matches)
        for match in matches:
            readings = match.phrase.readings
            if not readings or _is_negated(tokens, match, owner):
                continue
            if match.phrase.words == ("encore",) and "merci" in tokens:
                continue  # "encore merci": thanks again, not "encore" (another operation)
            if _REQUESTS.intersection(readings) and match.phrase.words not in _NEVER_MIND_WORDS:
                return False
            # A strong "no" ("une autre date", "je me suis trompé") asks to change something.
            if readings[0] is Intent.NO and not match.phrase.weak:
                return False
            if Intent.GOODBYE in readings:
                closing = True
        for k, token in enumerate(tokens):
            if token in _WEEKDAYS or token in _MONTHS or token in _DATE_WORDS:
                return False
            if owner[k] is None and token in _WISHES:
                # "merci, je voudrais ..." asks for more; "je ne veux rien" does not.
                before = tokens[max(0, k - 2) : k]
                after = tokens[k + 1 : k + 2]
                if not any(t in ("ne", "n") for t in before) and not any(
                    t in ("rien", "pas", "plus") for t in after
                ):
                    return False
        if any(not _is_article_un(tokens, number) for number in _numbers(tokens)):
            return False  # a date or a key: something to do
        if any(token in _THANKS for token in tokens):
            closing = True
        said.extend(tokens)
    # "Non, c'est bon.": the two may be in different clauses.
    if "non" in said and any(_contains_run(said, run) for run in _SETTLED):
        closing = True
    return closing


# Thanks and farewells that neither take nor decline what was just asked, and the words that
# go with them ("merci beaucoup, au revoir", "bonne fin de journée", "c'est tout, merci").
_PARTING_WORDS = frozenset({"merci", "remercie", "revoir", "journee", "soiree", "bye", "bientot"})
_PARTING_RUNS = (("c", "est", "tout"), ("ce", "sera", "tout"), ("ca", "sera", "tout"))
_AROUND_PARTING = frozenset(
    {
        "beaucoup", "bien", "encore", "au", "a", "bonne", "bon", "fin", "de", "week", "end",
        "semaine", "c", "est", "ce", "ca", "sera", "tout", "pour", "et", "je", "vous", "euh",
        "madame", "monsieur",
    }
)  # fmt: skip


def is_parting(text: str) -> bool:
    """Whether ``text`` is nothing but thanks or a farewell ("merci, au revoir", "bonne
    journée", "c'est tout, merci", "au revoir"): it neither accepts nor declines what was
    just asked. Not "non merci", "stop, au revoir", "tant pis, au revoir", "ça ira", "je
    raccroche" (a refusal, or the caller leaving), nor "oui merci" (a yes). Pure; never
    raises."""
    tokens = _tokens(text)
    parting = bool(_PARTING_WORDS.intersection(tokens)) or any(
        _contains_run(tokens, run) for run in _PARTING_RUNS
    )
    return parting and all(t in _PARTING_WORDS or t in _AROUND_PARTING for t in tokens)


# ---------------------------------------------------------------------------------------------
# Choosing a child
# ---------------------------------------------------------------------------------------------

_CHOICE_STOPWORDS = frozenset(
    {
        "c", "est", "ce", "pour", "le", "la", "les", "l", "de", "du", "des", "un", "une", "d",
        "enfant", "mon", "ma", "mes", "fils", "fille", "petit", "petite", "oui", "non", "s",
        "il", "elle", "vous", "plait", "merci", "je", "j", "voudrais", "veux", "et", "a", "au",
        "numero", "n", "no", "choix", "alors", "euh", "bah", "ben", "bon", "lui", "celui",
        "celle", "ci", "qui", "que", "qu", "en", "y", "aimerais", "souhaite", "option",
        "touche", "dire", "parle", "parler", "concerne", "sur", "avec",
    }
)  # fmt: skip
_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    # as written short ("le 14 janv.")
    # ("sept" is seven, and "mar" a word of its own: not taken)
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sep": 9, "oct": 10, "nov": 11,
    "dec": 12,
}  # fmt: skip
_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
_FUZZY_RATIO = 0.8
# Words after which a name is left out, not chosen: "pas Hugo", "sauf Rose", "sans Léa".
_EXCLUDING = frozenset({"pas", "sauf", "excepte", "hormis", "sans"})
# The same without "pas", which is also a plain negation ("il ne mange pas jeudi").
_STRONG_EXCLUDING = frozenset({"sauf", "excepte", "hormis", "sans"})
_POST_EXCLUDING = frozenset({"non", "pas"})  # after the name: "Timéo non"
_STAYING = frozenset({"reste", "restera", "restent", "resteront"})  # "Rose (elle) reste"
_HE_SHE_THEY = frozenset({"il", "elle", "ils", "elles"})
# "sauf pour Rose", "pas de Hugo", "pas celui de Nathan"
_EXCLUSION_LINKS = frozenset({"pour", "de", "d", "a", "celui", "celle", "ceux", "celles"})
_NAME_LINKS = frozenset({"et", "ni"})  # "sauf Rose et Margaux": both left out
# "Nathan et Rose, non, juste Rose", "non, Rose uniquement": the name that replaces the others.
_ONLY = frozenset({"juste", "seulement", "uniquement"})
# Words before a count of the children: "les deux", "mes 3 enfants", "tous deux".
_COUNT_WORDS = frozenset({"les", "mes", "ces", "nos", "tous", "toutes"})
# Nouns that make "tous les ...", "les deux ..." about something else than the children.
_NOT_CHILDREN = frozenset(
    {
        "jour", "jours", "semaine", "semaines", "mois", "fois", "repas", "midi", "midis",
        "matin", "matins", "soir", "soirs", "annee", "annees", "ans", "heures", "minutes",
    }
)  # fmt: skip
_CHILD_WORDS = frozenset({"enfant", "enfants"})
_DAYS_COUNTED = frozenset(
    {"jours", "semaines", "lundis", "mardis", "mercredis", "jeudis", "vendredis"}
)
# Words said around names that are never matched to a name by sound or spelling ("juste" is
# close to "Justine"); an exact first name is still found.
_NOT_NAMES = frozenset(
    {
        "juste", "seulement", "uniquement", "aussi", "egalement", "sauf", "excepte", "hormis",
        "sans", "part", "tous", "toutes", "tout", "enfants", "demain", "aujourd", "hui", "hier",
        "apres", "prochain", "prochaine", "semaine", "cantine", "ecole", "maison", "repas",
        "jour", "jours", "meme", "plus", "autre", "autres",
    }
)  # fmt: skip


def _phonetic(word: str) -> str:
    """A rough French sound key for first names: "Mathys" ~ "Mathis", "Léah" ~ "Léa"."""
    key = re.sub(r"ch(?=[lr])", "k", word)  # Chloé, Christophe
    key = key.replace("ch", "S").replace("sh", "S")  # Sacha, Sasha
    key = key.replace("ph", "f").replace("qu", "k").replace("ck", "k")
    key = key.replace("h", "").replace("y", "i").replace("eau", "o").replace("au", "o")
    key = key.replace("ai", "e").replace("ei", "e")
    key = re.sub(r"c(?=[aou])", "k", key)
    key = re.sub(r"(.)\1+", r"\1", key)
    while len(key) > 2 and key[-1] in "estxdz":
        key = key[:-1]
    return key


class _Said(NamedTuple):
    start: int  # in the tokens of the whole text
    end: int
    phrase: _Phrase
    negated: bool


def _phrases_said(clauses: Sequence[Sequence[str]]) -> list[_Said]:
    """The intent phrases in each clause, placed in the tokens of the whole text."""
    found: list[_Said] = []
    offset = 0
    for tokens in clauses:
        matches = _match_phrases(tokens)
        owner = _owners(tokens, matches)
        for match in matches:
            negated = _is_negated(tokens, match, owner)
            found.append(_Said(offset + match.start, offset + match.end, match.phrase, negated))
        offset += len(tokens)
    return found


def _name_at(tokens: Sequence[str], k: int, names: Sequence[Sequence[str]]) -> int:
    """How many tokens the longest name said exactly at ``tokens[k]`` takes (1 if none)."""
    sizes = [len(n) for n in names if n and tuple(tokens[k : k + len(n)]) == tuple(n)]
    return max(sizes, default=1)


def _after_a_correction(tokens: Sequence[str], k: int) -> bool:
    """Whether the word at ``k`` comes just after a word that takes back what was said ("non,
    pas Nathan", "pardon, pas Rose"), with only hesitations between ("euh non, pas Nathan")."""
    j = k - 1
    while j >= 0 and tokens[j] in _CORRECTION_GAP and tokens[j] not in _CORRECTION_MARKERS:
        j -= 1
    return j > 0 and tokens[j] in _CORRECTION_MARKERS


def _left_out(
    tokens: Sequence[str], clause_of: Sequence[int], names: Sequence[Sequence[str]]
) -> tuple[set[int], set[int]]:
    """Positions of the words left out by "pas", "sauf", "sans", "à part" ("sauf Rose et
    Margaux", "pas pour Hugo"), and those of them left out by a word other than "pas"."""
    every: set[int] = set()
    strong: set[int] = set()
    n = len(tokens)
    for k, token in enumerate(tokens):
        if token in _CORRECTION_MARKERS:
            # "Rose, euh non, Nathan", "Rose ou plutôt Nathan": a name taken back by the next.
            # Not "oui pour Rose, non pour Nathan" (Nathan left out), and after a bare "non"
            # only when the new name ends its clause ("Rose. Non, Nathan il mange" is unclear).
            p, q = k, k + 1
            while p > 0 and tokens[p - 1] in _CORRECTION_GAP:
                p -= 1
            # "pour Rose non pour Nathan" takes Rose back; not after a yes ("oui pour Rose, non
            # pour Nathan": Nathan left out).
            answered = {"oui", "si"}.intersection(tokens[:p])
            while q < n and (
                tokens[q] in _CORRECTION_GAP or tokens[q] == "pour" or tokens[q] in _ONLY
            ) and not (tokens[q] == "pour" and answered):
                q += 1
            # "euh non", "ah non": taken back, as plainly as "pardon"
            plain_no = token == "non" and not (
                (_CORRECTION_MARKERS - {"non"}) | {"euh", "heu", "ah"}
            ) & set(tokens[p:q])
            # "non, Nathan et Rose", "non, Rose uniquement": the clause ends after them
            last = q
            while (last + 2 < n and tokens[last + 1] in _NAME_LINKS
                   and _names_in(tokens, names, [last + 2], ())):
                last += 2
            last += last + 1 < n and tokens[last + 1] in _ONLY
            ends = last + 1 >= n or clause_of[last + 1] != clause_of[last]
            if (
                p > 0
                and q < n
                and (ends or not plain_no)
                and _names_in(tokens, names, [q], ())
            ):
                # "Margaux et Nathan, enfin non, Rose": the whole list taken back, not only
                # its last name (Margaux was kept beside Rose); but not a name said again
                # ("Nathan et Rose, non, juste Rose": Rose).
                again = _names_in(tokens, names, range(q, n), ()) or set()
                j = p - 1
                while True:
                    named = _names_in(tokens, names, [j], ())
                    if not named or not named <= again:
                        every.add(j)
                    if not (j >= 2 and tokens[j - 1] in _NAME_LINKS
                            and _names_in(tokens, names, [j - 2], ())):
                        break
                    j -= 2
        if token in _POST_EXCLUDING and k > 0 and clause_of[k - 1] == clause_of[k]:
            # "Timéo non", "Sacha oui, Timéo non", "Timéo pas": the word(s) just before, when
            # the clause ends there ("Timéo non plus" is Timéo too, "il mange pas" no name).
            ends = k + 1 >= n or clause_of[k + 1] != clause_of[k] or tokens[k + 1] == "mais"
            said = tuple(tokens[:k])
            size = max((len(m) for m in names if m and said[-len(m) :] == tuple(m)), default=1)
            if ends and all(clause_of[j] == clause_of[k] for j in range(k - size, k)):
                every |= set(range(k - size, k))
        if token in _STAYING and (k + 1 >= n or clause_of[k + 1] != clause_of[k]):
            # "Oui pour Nathan, Rose elle reste", "Margaux et Rose restent": left as they are.
            # Only when the clause ends there: "Rose reste à la maison" is the other way round
            # for a cancellation, and "le reste" is no child.
            j = k - 1 - (k > 1 and tokens[k - 1] in _HE_SHE_THEY)
            while j >= 0 and clause_of[j] == clause_of[k]:
                said = tuple(tokens[: j + 1])
                size = max((len(m) for m in names if m and said[-len(m) :] == tuple(m)), default=0)
                if not size or clause_of[j + 1 - size] != clause_of[k]:
                    break
                every |= set(range(j + 1 - size, j + 1))
                j -= size
                if j < 0 or tokens[j] not in _NAME_LINKS:
                    break
                j -= 1
        after_a_part = token == "part" and k > 0 and tokens[k - 1] == "a"  # "à part Rose"
        # "Margaux mange jeudi à la place de Rose", "au lieu de Rose", "Margaux remplace Rose":
        # Rose is the one who does not (she was booked with Margaux)
        is_strong = token in _STRONG_EXCLUDING or after_a_part or _in_place_of(tokens, k)
        if not is_strong and token not in ("pas", "ni"):  # "ni Margaux ni Nathan"
            continue
        # "Rose et Nathan, non, pas Nathan": a name taken back where it was said before.
        taking_back = token == "pas" and _after_a_correction(tokens, k)
        denied = token == "ni" and _after_a_denial(tokens, k)
        if denied or (
            token == "ni"
            and (_opens_a_dated_clause(tokens, k, clause_of) or _denied_after(tokens, k, clause_of))
        ):
            # "Rose ne mange pas jeudi ni Nathan", "…, ni Margaux vendredi": they do not
            # either (a request of its own, read apart from the denial it shares); but "Rose,
            # ni Margaux ni Nathan" leaves those two out.
            continue
        j = k + 1
        while True:
            while j < n and tokens[j] in _EXCLUSION_LINKS:
                j += 1
            # An exclusion ends with its clause: "Pas Hugo, Léa" is Léa.
            if j >= n or clause_of[j] != clause_of[k]:
                break
            if tokens[j] in _CHOICE_STOPWORDS or tokens[j] in _EXCLUDING or tokens[j] == "si":
                break  # (nor "sauf si elle va mieux": a condition, no one left out)
            if tokens[j] in _WEEKDAYS or tokens[j] in _MONTHS:
                break  # "il mange pas jeudi et Nathan …": a day, then no name left out

            size = _name_at(tokens, j, names)
            words = set(range(j, j + size))
            if taking_back:
                name = tuple(tokens[j : j + size])
                words.update(
                    i for at in range(k) if tuple(tokens[at : at + size]) == name
                    for i in range(at, at + size)
                )
            every |= words
            if is_strong:
                strong |= words
            j += size
            if j < n and tokens[j] in _NAME_LINKS and clause_of[j] == clause_of[k]:
                j += 1
                continue
            break
    return every, strong


def _in_place_of(tokens: Sequence[str], k: int) -> bool:
    """Whether ``tokens[k]`` ends "à la place (de)", "au lieu (de)" or is "remplace": what
    follows is what the change is instead of, left out of it."""
    token = tokens[k]
    return (
        (token == "place" and tokens[max(0, k - 2) : k] == ["a", "la"])
        or (token == "lieu" and k > 0 and tokens[k - 1] == "au")
        or token in ("remplace", "remplacer", "remplacera")
    )


def _after_a_denial(tokens: Sequence[str], k: int) -> bool:
    """Whether the "ni" at ``tokens[k]`` goes on a verb denied before it ("ne mange pas jeudi
    ni …", "n'ira pas ni …"): what follows shares the denial; it is not left out of it."""
    for j in range(k - 1):  # not "pas ni" (nothing between)
        if tokens[j] == "pas" and {"ne", "n"}.intersection(tokens[max(0, j - 4) : j]):
            return True
    return False


# Verbs denied after "ni A ni B ne": the children then are the ones who do not eat or come.
_NI_SUBJECT_VERBS = ("mang", "dejeun", "ir", "va", "vont", "vien", "viendr")


def _denied_after(tokens: Sequence[str], k: int, clause_of: Sequence[int]) -> bool:
    """Whether eating or going is denied after the "ni" at ``tokens[k]``, in its clause: "ni
    Margaux ni Nathan ne mangent jeudi", "… n'iront pas" name the two who do not eat; they are
    not left out (as in "Rose, ni Margaux ni Nathan"). Not "ni Margaux ni Nathan ne sont
    concernés"."""
    for j in range(k + 1, len(tokens) - 1):
        if clause_of[j + 1] != clause_of[k]:
            break
        if tokens[j] in ("ne", "n"):
            verb = tokens[j + 2] if tokens[j + 1] == "y" and j + 2 < len(tokens) else tokens[j + 1]
            return verb.startswith(_NI_SUBJECT_VERBS)
    return False


def _opens_a_dated_clause(tokens: Sequence[str], k: int, clause_of: Sequence[int]) -> bool:
    """Whether ``tokens[k]`` starts a clause that says a day ("…, ni Margaux vendredi")."""
    if k > 0 and clause_of[k - 1] == clause_of[k]:
        return False
    rest = [t for j, t in enumerate(tokens[k:], k) if clause_of[j] == clause_of[k]]
    return any(t in _WEEKDAYS or t in _MONTHS or t == "demain" for t in rest)


def _loosely_named(token: str, names: Sequence[Sequence[str]]) -> tuple[set[int], bool]:
    """Children whose name sounds like ``token`` ("Mathys" ~ "Mathis", "Sasha" ~ "Sacha"),
    else is spelled close to it ("Léah" ~ "Léa"): the closest spellings only; and whether
    they were found by sound."""
    key = _phonetic(token)
    found = {
        i for i, name in enumerate(names) if any(len(w) >= 3 and _phonetic(w) == key for w in name)
    }
    if found:
        return found, True
    best = 0.0
    for i, name in enumerate(names):
        for w in name:
            if len(w) < 3:
                continue
            ratio = SequenceMatcher(None, w, token).ratio()
            if ratio >= _FUZZY_RATIO and ratio > best:
                found, best = {i}, ratio
            elif ratio >= _FUZZY_RATIO and ratio == best:
                found.add(i)
    return found, False


def _names_in(
    tokens: Sequence[str],
    names: Sequence[Sequence[str]],
    usable: Collection[int],
    vocabulary: Collection[int],
) -> set[int] | None:
    """0-based indexes of the children named at the positions ``usable``; ``None`` when one
    word could be either of two children (twins "Léa" and "Léa", "Marie" for "Marie-Claire"
    and "Marie-Anne") or a loose match adds a child beside names said exactly."""
    usable = frozenset(usable)
    # Whole names first; a name heard inside a longer one ("Marie" in "Marie Claire") is the
    # longer one. One word heard as two overlapping names is ambiguous.
    spans: dict[tuple[int, int], set[int]] = {}
    for i, name in enumerate(names):
        size = len(name)
        if not size:
            continue
        for k in usable:
            if tuple(tokens[k : k + size]) == tuple(name) and all(
                m in usable for m in range(k, k + size)
            ):
                spans.setdefault((k, k + size), set()).add(i)
    outer = sorted(
        span
        for span in spans
        if not any(o != span and o[0] <= span[0] and span[1] <= o[1] for o in spans)
    )
    strict: list[set[int]] = []
    used: set[int] = set()
    for a, b in outer:
        if strict and a in used:
            strict[-1] |= spans[(a, b)]
        else:
            strict.append(set(spans[(a, b)]))
        used.update(range(a, b))
    # Then one word of a compound name: "Marie" for "Marie-Claire".
    for k in sorted(usable):
        if k in used or len(tokens[k]) < 3:
            continue
        who = {i for i, name in enumerate(names) if tokens[k] in name}
        if who:
            strict.append(who)
            used.add(k)
    # Then by sound or close spelling, only for words that are not the line's vocabulary.
    loose: list[set[int]] = []
    sounded: list[set[int]] = []  # the loose matches by sound
    heard: dict[str, tuple[set[int], bool]] = {}  # a word said twice is compared once
    for k in sorted(usable):
        token = tokens[k]
        if (
            k in used
            or k in vocabulary
            or len(token) < 3
            or token in _CHOICE_STOPWORDS
            or token in _NOT_NAMES_AT_ALL
            or token in _WEEKDAYS
            or token in _MONTHS
            or _number_at(tokens, k) is not None
        ):
            continue
        if token not in heard:
            heard[token] = _loosely_named(token, names)
        who, by_sound = heard[token]
        if who:
            loose.append(who)
            if by_sound:
                sounded.append(who)
    if any(len(who) > 1 for who in strict + loose):
        return None
    named = set().union(*strict)
    if strict:
        # "Sasha et Timéo": a name that sounds like a child's is that child (how the
        # recogniser spells a name it does not know). A word only spelled close to a name
        # beside names said exactly may be another word: it must be one of them, or the
        # phrase is unclear. Either way, the children are read back before anything is done.
        named |= set().union(*sounded)
        return named if all(who <= named for who in loose) else None
    return set().union(*loose)


def _is_date_number(tokens: Sequence[str], number: _Number) -> bool:
    """A number that is part of a date: "le premier décembre", "mardi 1er", "jeudi le 3",
    "les 3 et 4 décembre", "les 3 premiers jours"; not one that counts ("lundi, 2e enfant")."""
    if _counted_at(tokens, number.end, _COUNTED_NOUNS):
        return False
    if _month_at(tokens, number.end) is not None:  # "le premier décembre", "le 2 de janvier"
        return True
    if _DAYS_COUNTED.intersection(tokens[number.end : number.end + 2]):
        return True  # "les 3 jours", "les 3 premiers jours"
    if _month_after_list(tokens, number.end) is not None:
        return True
    if _starts_day_list(tokens, number):
        return True  # "les 3 et 4", "les 3 et le 4", "les 3, 4 et 5": days, not three children
    k = number.start - 1
    if k >= 0 and tokens[k] == "le":
        k -= 1
    if k >= 0 and tokens[k] in ("prochain", "prochaine"):
        k -= 1
    return k >= 0 and tokens[k] in _WEEKDAYS


def _near_child_word(tokens: Sequence[str], start: int, end: int) -> bool:
    """Whether "enfant" is said by a position: "le premier enfant", "l'enfant numéro 2"."""
    return any(t in _CHILD_WORDS for t in tokens[max(0, start - 3) : end + 1])


# Said right after a position, it is not a child's: "le premier jour (possible)", "la première
# date", "le premier possible", "le premier repas".
_NOT_CHILD_AFTER = _NOT_CHILDREN | {"date", "possible"}


def _positions(tokens: Sequence[str], count: int, ordinals: bool) -> set[int]:
    """1-based positions said as "le premier", "la deuxième", "numéro deux", "le dernier" or a
    number said alone; with ``ordinals`` False, only beside the word "enfant"."""
    picked: set[int] = set()
    for k, token in enumerate(tokens):
        last = token in ("dernier", "derniere") and count
        if last and (ordinals or _near_child_word(tokens, k, k + 1)):
            picked.add(count)
    content = [t for t in tokens if t not in _CHOICE_STOPWORDS]
    for number in _numbers(tokens):
        if _is_date_number(tokens, number):
            continue  # never a child, whatever ``ordinals`` says
        before = tokens[number.start - 1] if number.start > 0 else ""
        if before in _COUNT_WORDS:
            continue  # "les deux" is a count of the children, not the second one
        if not ordinals and not _near_child_word(tokens, number.start, number.end):
            continue  # "annuler le premier" may be the 1st of the month
        if _NOT_CHILD_AFTER.intersection(tokens[number.end : number.end + 1]):
            continue  # "annuler le premier jour possible": a day, not the first child
        said = list(tokens[number.start : number.end])
        after_numero = before in ("numero", "no", "n")
        if _is_article_un(tokens, number):
            alone = said == list(tokens)  # "un" is an article in "c'est pour un enfant"
        else:
            alone = content == [t for t in said if t not in _CHOICE_STOPWORDS]
        if number.ordinal or after_numero or alone:
            picked.add(number.value)
    return picked


# "Les deux premiers jours (de la rentrée)": the count before the plural ordinal.
_FIRST_DAYS = frozenset({"premiers", "premieres"})
_PLURAL_ORDINALS = _FIRST_DAYS | {"derniers", "dernieres"}


def _about_other_things(tokens: Sequence[str], end: int) -> bool:
    """Whether the words after "tous", "les deux" ... count days or meals, not children:
    "tous les jours", "tous les trois jours", "les deux jeudis", "l'ensemble des repas", "les
    deux premiers jours"."""
    k = end
    if k < len(tokens) and tokens[k] in ("les", "des", "de", "du"):
        k += 1
    number = _number_at(tokens, k)
    if number is not None and not number.ordinal:
        k = number.end
    if k < len(tokens) and tokens[k] in _PLURAL_ORDINALS:
        k += 1
    if k >= len(tokens):
        return False
    word = tokens[k]
    plural_weekday = word.endswith("s") and word[:-1] in _WEEKDAYS  # "tous les jeudis"
    return word in _NOT_CHILDREN or word in _MONTHS or plural_weekday


def _everyone(tokens: Sequence[str], said: Sequence[_Said]) -> tuple[bool, set[int]]:
    """Whether the phrase says every child ("tous", "toute la famille", "les deux"), and the
    counts it gives ("les deux" -> 2, "mes trois enfants" -> 3)."""
    everyone = False
    for found in said:
        says_all = Intent.ALL in found.phrase.readings and not found.negated
        if says_all and not _about_other_things(tokens, found.end):
            everyone = True
    counts: set[int] = set()
    for number in _numbers(tokens):
        if number.ordinal or number.start == 0 or tokens[number.start - 1] not in _COUNT_WORDS:
            continue
        if _about_other_things(tokens, number.start) or _is_date_number(tokens, number):
            continue  # "les deux jours", "les 3 et 4 décembre", "les 3 premiers jours"
        if any(t in _NEGATION_WORDS for t in tokens[max(0, number.start - 3) : number.start - 1]):
            continue  # "pas les deux"
        counts.add(number.value)
    return everyone or bool(counts), counts


# "C'est bon pour Nathan, je voudrais réserver pour Margaux": the first clause is about the
# change just made, the request is Margaux's alone.
_SETTLING_RUNS = (
    ("c", "est", "bon", "pour"), ("c", "est", "fait", "pour"), ("c", "est", "tout", "pour"),
    ("c", "est", "parfait", "pour"), ("ca", "va", "pour"), ("merci", "pour"),
)  # fmt: skip


def _settled_words(clauses: Sequence[Sequence[str]]) -> set[int]:
    """Positions of the words of the clauses that settle something ("c'est bon pour Nathan"),
    when other clauses are left: the children they name are not the ones asked for. A clause
    alone is left to the caller's step to read."""
    settled = [any(_contains_run(c, run) for run in _SETTLING_RUNS) for c in clauses]
    if not any(settled) or all(settled):
        return set()
    positions: set[int] = set()
    offset = 0
    for clause, is_settled in zip(clauses, settled, strict=True):
        if is_settled:
            positions.update(range(offset, offset + len(clause)))
        offset += len(clause)
    return positions


def parse_children(
    text: str, names: Sequence[str], *, ordinals: bool = True, action: Intent | None = None
) -> frozenset[int] | None:
    """The 1-based indexes in ``names`` of the children meant by ``text``, else ``None``.

    - One child by first name or position, as :func:`parse_choice` reads it.
    - Several by name: "Sacha et Timéo", "pour Margaux et pour Rose".
    - Everyone: "tous", "toutes", "tous les enfants", "mes enfants", "toute la famille",
      "tout le monde". A count says everyone only when it is the family's size: "les deux",
      "les 2", "mes deux enfants", "tous les 3", "les trois" are everyone in a family of that
      size and ``None`` otherwise; with names it must agree with them ("Margaux et Rose, toutes
      les deux"). "Tous les jours", "les deux jeudis" are not about the children.
    - Left out: "tous sauf Rose", "tout le monde sauf Rose et Margaux", "tous à part Rose",
      "pas Rose, Margaux" (Margaux). "Tous sauf" someone not in the family gives ``None``.
    - ``ordinals=False`` (at a step where a date may be said: "annuler le premier", "mardi
      1er"): positions ("le premier", "la deuxième", "numéro 2", a bare number, "le dernier")
      are not children unless the word "enfant" is said by them ("le premier enfant").
    - A number that is part of a date ("le 1er décembre", "mardi 1er", "jeudi 3") is never a
      child.

    - ``action`` (BOOK or CANCEL, the change asked): children the phrase says stay as they
      are for it are left out, when other children are named for the change: "annuler jeudi
      pour Rose, Nathan il mange", "Rose ne mange pas jeudi, Nathan si", "pour Nathan c'est
      bon", "son frère Nathan reste à la cantine" (a cancellation: Rose); "réserver jeudi pour
      Rose, Nathan il mange pas" (a booking: Rose). A child left out of a statement is the one
      the change is for: "Nathan mange jeudi mais pas Rose", "tous mangent sauf Rose" (a
      cancellation: Rose). See :func:`parse_action`.

    Names that disagree with a position ("Hugo, le deuxième"), names beside "tous" that are
    not everyone ("tous, Rose"), a word that could be two children (twins with the same first
    name), several positions, or no child at all give ``None``. Pure; never raises.
    """
    if not names:
        return None
    return _children_in(_clauses(text), names, ordinals, action)


def _children_in(
    clauses: Sequence[Sequence[str]],
    names: Sequence[str],
    ordinals: bool,
    action: Intent | None,
    phrases: Sequence[_Said] | None = None,
) -> frozenset[int] | None:
    """:func:`parse_children` on the tokens of each clause of a phrase (or of a part of it,
    with the intent ``phrases`` already found in it)."""
    tokens = [token for clause in clauses for token in clause]
    clause_of = [c for c, clause in enumerate(clauses) for _ in clause]
    norm_names = [normalise(name).split() for name in names]
    said = list(phrases) if phrases is not None else _phrases_said(clauses)
    vocabulary = {k for found in said for k in range(found.start, found.end)}
    excluded, strongly_excluded = _left_out(tokens, clause_of, norm_names)
    excluded |= _settled_words(clauses)
    kept = [k for k in range(len(tokens)) if k not in excluded]
    chosen = _names_in(tokens, norm_names, kept, vocabulary)
    left_out = _names_in(tokens, norm_names, sorted(excluded), vocabulary)
    if action in _STANCE_OF and chosen is not None and left_out is not None:
        # Children said to stay as they are, beside others named for the change.
        staying, asked_for = _left_as_they_are(tokens, clause_of, said, excluded, action)
        if staying or asked_for:
            again = (excluded | staying) - asked_for
            kept_again = [k for k in range(len(tokens)) if k not in again]
            chosen_again = _names_in(tokens, norm_names, kept_again, vocabulary)
            if chosen_again:
                excluded, chosen = again, chosen_again
                left_out = _names_in(tokens, norm_names, sorted(excluded), vocabulary)
                strongly_excluded -= asked_for
                said = [found for found in said if found.start not in staying]
    if chosen is None or left_out is None or chosen & left_out:
        return None
    everyone, counts = _everyone(tokens, said)
    positions = _positions(tokens, len(names), ordinals)
    if len(counts) > 1 or len(positions) > 1:
        return None
    first_said = {"premier", "premiere"} & set(tokens) and not _KIN & set(tokens)
    if first_said and positions == {1} and chosen and chosen != {0} and "numero" not in tokens:
        # "annuler le 1er pour Rose": the 1st of the month, Rose named (not the first child,
        # who disagrees with her).
        positions = set()
    if positions:
        index = positions.pop() - 1
        if not 0 <= index < len(names) or (chosen and chosen != {index}):
            return None
        chosen = {index}
    family = set(range(len(names)))
    count = counts.pop() if counts else None
    if everyone and chosen:
        if count is not None and count != len(chosen):
            return None
        if count is None and chosen != family - left_out:
            return None  # "tous, Rose": everyone, or Rose?
        result = chosen
    elif everyone:
        if count is not None and count != len(names):
            return None  # "les deux" in a family of three
        strongly_left_out = _names_in(tokens, norm_names, sorted(strongly_excluded), vocabulary)
        if strongly_excluded and not strongly_left_out:
            return None  # "tous sauf Paul": Paul is not one of them
        result = family - left_out
    else:
        result = chosen
    if not result or _unnamed_beside(tokens, norm_names):
        return None
    return frozenset(i + 1 for i in result)


_POSSESSIVES = frozenset({"son", "sa", "ses", "mon", "ma", "mes", "le", "la", "les", "l"})


def _unnamed_beside(tokens: Sequence[str], names: Sequence[Sequence[str]]) -> bool:
    """Whether a child is listed beside those named without a name the line knows: "Sacha et
    le petit", "Rose ne mange pas jeudi et son frère non plus", "Sacha et Théo" (Timéo heard
    wrong). Reading the named ones alone would drop that child without a word; the line asks
    which children instead."""
    known = {t for name in names for t in name}
    frozen = tuple(tuple(name) for name in names)

    def a_name(k: int) -> bool:
        if not 0 <= k < len(tokens):
            return False
        return tokens[k] in known or _close_to_a_name(tokens[k], frozen)

    for k, token in enumerate(tokens):
        if token in _KIN and token not in ("enfant", "enfants") and not a_name(k + 1):
            j = k - 1
            while j >= 0 and tokens[j] in _POSSESSIVES:
                j -= 1
            if j >= 0 and tokens[j] in ("et", "ni", "avec"):
                return True  # "et son frère", "et la petite" (not "et sa sœur Rose")
        after_a_name = k >= 2 and tokens[k - 1] in ("et", "ni") and a_name(k - 2)
        before_a_name = tokens[k + 1 : k + 2] == ["et"] and a_name(k + 2)
        if (after_a_name or before_a_name) and _no_known_word(token, frozen):
            return True  # "Sacha et Théo", "Théo et Sacha"
    return False


def _no_known_word(token: str, names: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``token`` is neither a word of the line's nor a child's name (exactly, by sound
    or by close spelling): most likely a first name heard wrong ("Théo" for Timéo)."""
    if len(token) < 3 or token.isdigit() or token in _ADDED_NOT_A_NAME or token in _KIN:
        return False
    return not any(token in name for name in names) and not _close_to_a_name(token, names)


@functools.lru_cache(maxsize=4096)  # the same words, call after call
def _close_to_a_name(token: str, names: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``token`` sounds like, or is spelled close to, one of the children's names."""
    return bool(_loosely_named(token, names)[0])


# ---------------------------------------------------------------------------------------------
# Children and days said to stay as they are, beside the change asked
# ---------------------------------------------------------------------------------------------


class _Stance(enum.Enum):
    """What a part of a phrase says of the children or days in it, when it asks nothing."""

    EATS = "eats"  # "Nathan il mange", "vendredi elle reste à la cantine", "Nathan si"
    ABSENT = "absent"  # "Rose ne mange pas", "Nathan sera absent"
    AS_IS = "as_is"  # "pour Nathan c'est bon", "vendredi, normalement", "Rose reste"


_OPPOSITE = {_Stance.EATS: _Stance.ABSENT, _Stance.ABSENT: _Stance.EATS}
_STANCE_OF = {Intent.BOOK: _Stance.EATS, Intent.CANCEL: _Stance.ABSENT}
# Verbs that ask for the change in so many words ("annuler", "réserver", "ajouter"...), as
# opposed to a statement of who eats ("il mange", "elle est malade").
_ASKING = (
    "annul", "decommand", "desinscri", "supprim", "reserv", "inscri", "reinscri", "ajout",
    "rajout", "command", "retir", "enlev", "remet", "retabl", "arret", "stopp", "mett", "mets",
    "repren",
)  # fmt: skip
# A part of a phrase ends with its clause, and before "mais", "tandis que", "par contre",
# "alors que", "en revanche"; and before "et", "puis" between two statements ("jeudi elle
# mange pas et vendredi elle mange").
_PART_BREAKS = frozenset({"mais", "tandis"})
_PART_BREAK_RUNS = (("par", "contre"), ("alors", "que"), ("en", "revanche"))
_PART_LINKS = frozenset({"et", "puis"})
_AS_IS_RUNS = (
    ("c", "est", "bon"), ("ca", "va"), ("comme", "d", "habitude"), ("comme", "d", "hab"),
    ("comme", "prevu"), ("comme", "d", "ordinaire"), ("pas", "de", "changement"),
    ("aucun", "changement"), ("change", "rien"), ("change", "pas"), ("ne", "change"),
)  # fmt: skip
_AS_IS_WORDS = frozenset({"normalement", "habituellement", "inchange", "inchangee"})
_CANTEEN_WORDS = frozenset({"cantine", "ecole", "self", "refectoire"})
_SAME_AGAIN = frozenset({"aussi", "egalement", "pareil", "idem"})
_AFFIRMING = frozenset({"oui", "si"})  # "Rose ne mange pas jeudi, Nathan si"
_COMING_BACK = frozenset({"revient", "reviendra", "reviennent", "reviendront"})
_WELL_RUNS = (("va", "bien"), ("vont", "bien"), ("en", "forme"))  # "mais Rose va bien"


class _Part(NamedTuple):
    start: int  # in the tokens of the whole phrase
    end: int
    stance: _Stance | None  # what it says of the children and days in it
    asked: frozenset[Intent]  # the changes it asks for in so many words (BOOK, CANCEL)
    said: _Stance | None  # the stance its own eating words give ("il mange pas"), if any


# Before a participle that says how a meal is: "est réservé", "déjà annulé", "bien inscrite".
_BEING = frozenset({"est", "sont", "etait", "etaient", "deja", "bien", "sera", "seront", "ete"})


def _asks(phrase: _Phrase) -> bool:
    return any(word.startswith(_ASKING) for word in phrase.words)


def _states(
    said: _Said, tokens: Sequence[str], words: Sequence[str]
) -> tuple[Intent | None, _Stance | None]:
    """The change an intent phrase asks in so many words, or the stance it states (``words``:
    its part of the phrase ``tokens``)."""
    intent = next((r for r in said.phrase.readings if r in _STANCE_OF), None)
    if intent is None:
        return None, None
    stance = _STANCE_OF[intent]
    if _asks(said.phrase):
        if said.phrase.weak:
            return None, None  # "annuler la réservation": a noun, not a second change
        if tokens[said.start - 1 : said.start] and tokens[said.start - 1] in _BEING:
            # "son repas est réservé", "c'est déjà annulé": how the meal is, not a request
            return None, _OPPOSITE[stance] if said.negated else stance
        return (None, None) if said.negated else (intent, None)
    if intent is Intent.BOOK and _eats_away(words, _Match(0, 0, said.phrase)):
        stance = _Stance.ABSENT  # "Nathan mange à la maison"
    return None, _OPPOSITE[stance] if said.negated else stance


def _staying_stance(tokens: Sequence[str], k: int, end: int) -> _Stance:
    """ "Rose reste" (as she is), "reste à la cantine" (eats there), "reste chez sa mamie"."""
    after = set(tokens[k + 1 : end])
    if after & _CANTEEN_WORDS:
        return _Stance.EATS
    if after & _AWAY_WORDS:
        return _Stance.ABSENT
    return _Stance.AS_IS


def _parts(tokens: Sequence[str], clause_of: Sequence[int], said: Sequence[_Said]) -> list[_Part]:
    """The parts of a phrase, each with what it asks or states of the children and days in it:
    "annuler jeudi pour Rose" (asks CANCEL) | "Nathan il mange" (EATS); "Rose ne mange pas
    jeudi" (ABSENT) | "mais Nathan oui" (EATS, said of the part before)."""
    n = len(tokens)
    cuts = {0}
    for k in range(1, n):
        if (
            clause_of[k] != clause_of[k - 1]
            or tokens[k] in _PART_BREAKS
            or any(tuple(tokens[k : k + len(run)]) == run for run in _PART_BREAK_RUNS)
        ):
            cuts.add(k)
    owned = {k for found in said for k in range(found.start, found.end)}

    def marked(a: int, b: int) -> bool:  # says something of what is in tokens[a:b]
        words = tokens[a:b]
        if any(
            a <= found.start < b and _states(found, tokens, words) != (None, None)
            for found in said
        ):
            return True
        return bool(words) and (
            words[-1] in _AFFIRMING
            or bool(_AS_IS_WORDS.intersection(words) or _COMING_BACK.intersection(words))
            or any(_contains_run(words, run) for run in _WELL_RUNS)
            or any(w in _STAYING and a + j not in owned for j, w in enumerate(words))
            or any(_contains_run(words, run) for run in _AS_IS_RUNS)
        )

    bounds = sorted(cuts)
    for a, b in zip(bounds, [*bounds[1:], n], strict=True):
        start = a
        for k in range(a + 1, b):
            if tokens[k] in _PART_LINKS and marked(start, k) and marked(k + 1, b):
                cuts.add(k)
                start = k
    bounds = sorted(cuts)
    parts: list[_Part] = []
    before: _Stance | None = None  # the last stance said, for "Nathan si", "Margaux aussi"
    for a, b in zip(bounds, [*bounds[1:], n], strict=True):
        words = tokens[a:b]
        asked: set[Intent] = set()
        stated: set[_Stance] = set()
        for found in said:
            if a <= found.start < b:
                intent, stance = _states(found, tokens, words)
                if intent is not None:
                    asked.add(intent)
                if stance is not None:
                    stated.add(stance)
        own = stated.pop() if len(stated) == 1 else None
        stance = own
        staying = [  # "Rose reste", not "le reste"
            k
            for k in range(a, b)
            if tokens[k] in _STAYING and k not in owned and tokens[k - 1 : k] != ["le"]
        ]
        if _AS_IS_WORDS.intersection(words) or any(_contains_run(words, r) for r in _AS_IS_RUNS):
            stance = _Stance.AS_IS  # "vendredi c'est bon", "elle mange normalement"
        elif staying:
            stance = _staying_stance(tokens, staying[0], b)
        elif own is None and (
            _COMING_BACK.intersection(words) or any(_contains_run(words, r) for r in _WELL_RUNS)
        ):
            stance = _Stance.EATS  # "vendredi il revient", "mais Rose va bien"
        elif own is None and not asked and before is not None and words:
            if words[-1] in _AFFIRMING:
                stance = _Stance.EATS
            elif _SAME_AGAIN.intersection(words) or _contains_run(words, ("non", "plus")):
                stance = before
        parts.append(_Part(a, b, stance, frozenset(asked), own))
        if stance in _OPPOSITE:
            before = stance
    return parts


def _ruling(
    parts: Sequence[_Part], stances: Collection[_Stance | None], current: Intent | None
) -> Intent | None:
    """The change a phrase asks when it also says how some children or days stay: the one
    asked in so many words; else, beside something said without a stance, ``current``
    (the change asked at that step); else a cancellation if someone or some day is said to
    be absent, a booking if only to eat."""
    asked = {intent for part in parts for intent in part.asked}
    if asked:
        return next(iter(asked)) if len(asked) == 1 else None
    if current is not None and None in stances:
        return current
    if _Stance.ABSENT in stances:
        return Intent.CANCEL
    if _Stance.EATS in stances:
        return Intent.BOOK
    return current


def _part_at(parts: Sequence[_Part], k: int) -> _Part:
    return next(part for part in parts if part.start <= k < part.end)


def _stance_at(part: _Part) -> _Stance | None:
    """The stance of what a part names, unless the part asks for a change itself."""
    return None if part.asked else part.stance


def _stated_before(parts: Sequence[_Part]) -> list[_Stance | None]:
    """For each part, the statement that a name left out in it contradicts: its own ("tous
    mangent sauf Rose"), else the last one before it ("Nathan mange jeudi, mais pas Rose")."""
    found: list[_Stance | None] = []
    last: _Stance | None = None
    for part in parts:
        if part.said is not None:
            last = part.said
        found.append(None if part.asked else last)
    return found


def _left_as_they_are(
    tokens: Sequence[str],
    clause_of: Sequence[int],
    said: Sequence[_Said],
    excluded: Collection[int],
    action: Intent,
) -> tuple[set[int], set[int]]:
    """Positions of the words said to stay as they are for ``action`` (a part whose stance
    is not that change's: "Nathan il mange" for a cancellation), and positions of the words
    left out of a statement, which are what the change is for ("mais pas Rose" after "Nathan
    mange jeudi", for a cancellation)."""
    wanted = _STANCE_OF[action]
    parts = _parts(tokens, clause_of, said)
    staying: set[int] = set()
    asked_for: set[int] = set()
    for part, stated in zip(parts, _stated_before(parts), strict=True):
        stance = _stance_at(part)
        for k in range(part.start, part.end):
            if k in excluded:
                if stated is not None and _OPPOSITE[stated] is wanted:
                    asked_for.add(k)
            elif stance is _Stance.AS_IS or (stance is not None and stance is not wanted):
                staying.add(k)
    return staying, asked_for


def _name_positions(
    tokens: Sequence[str], names: Sequence[Sequence[str]], vocabulary: Collection[int]
) -> set[int]:
    """Where a child's first name (or one word of it, or a word that sounds like it) is said:
    a quick look, to tell which part of a phrase names children."""
    words = {w for name in names for w in name}
    keys = {_phonetic(w) for w in words if len(w) >= 3}
    return {
        k
        for k, token in enumerate(tokens)
        if token in words
        or (
            k not in vocabulary
            and len(token) >= 3
            and token not in _CHOICE_STOPWORDS
            and token not in _NOT_NAMES_AT_ALL
            and token not in _WEEKDAYS
            and token not in _MONTHS
            and _phonetic(token) in keys
        )
    }


class _Reading(NamedTuple):
    tokens: tuple[str, ...]
    clause_of: tuple[int, ...]
    said: tuple[_Said, ...]
    parts: tuple[_Part, ...]


@functools.lru_cache(maxsize=64)
def _read(text: str) -> _Reading:
    """The tokens of a phrase, its intent phrases and its parts (a webhook reads the same
    phrase many times: for the children, the action, the dates)."""
    clauses = _clauses(text)
    tokens = tuple(token for clause in clauses for token in clause)
    clause_of = tuple(c for c, clause in enumerate(clauses) for _ in clause)
    said = tuple(_phrases_said(clauses))
    return _Reading(tokens, clause_of, said, tuple(_parts(tokens, clause_of, said)))


_DAY_NAMING = frozenset({*_WEEKDAYS, *_MONTHS, "demain", "aujourd", "aujourdhui"})


def parse_action(
    text: str, names: Sequence[str], current: Intent | None = None
) -> Intent | None:
    """BOOK or CANCEL: the change ``text`` asks for, as :func:`parse_intent` reads it with
    only those two allowed, unless the phrase also says how other children or days stay.
    Then the change asked in so many words ("réserver jeudi pour Rose, Nathan il mange pas":
    BOOK; "annuler jeudi, vendredi elle mange": CANCEL); without one, ``current`` (the change
    asked at that step) for what is said without a statement ("jeudi, vendredi elle mange"),
    else a cancellation for whoever is said to be absent ("Nathan mange jeudi mais pas Rose",
    "Rose ne mange pas jeudi mais Nathan oui": CANCEL). ``None`` when two changes are asked
    ("réserver pour Margaux, annuler pour Rose": see :func:`requests_said`). Pure; never
    raises."""
    base = parse_intent(text, (Intent.BOOK, Intent.CANCEL))
    reading = _read(text)
    tokens = reading.tokens
    norm_names = [normalise(name).split() for name in names]
    vocabulary = {k for found in reading.said for k in range(found.start, found.end)}
    named = _name_positions(tokens, norm_names, vocabulary)
    excluded, _strong = _left_out(tokens, reading.clause_of, norm_names)
    parts = reading.parts
    stances: set[_Stance | None] = set()
    for part, stated in zip(parts, _stated_before(parts), strict=True):
        for k in range(part.start, part.end):
            if k in excluded and k in named:
                if stated is not None:
                    stances.add(_OPPOSITE[stated])  # "mais pas Rose" after "Nathan mange"
            elif k in named or tokens[k] in _DAY_NAMING:
                stances.add(_stance_at(part))
    if len(stances) < 2:
        return base
    return _ruling(parts, stances, current)


def children_left_out(text: str, names: Sequence[str]) -> frozenset[int] | None:
    """The 1-based indexes in ``names`` of the children ``text`` leaves out ("sauf Timéo", "oui
    mais pas pour Rose", "sans Léa", "à part Hugo"), whatever else it says: empty when it
    leaves out no one, ``None`` when a word left out could be two children."""
    if not names:
        return frozenset()
    clauses = _clauses(text)
    tokens = [token for clause in clauses for token in clause]
    clause_of = [c for c, clause in enumerate(clauses) for _ in clause]
    norm_names = [normalise(name).split() for name in names]
    vocabulary = {k for found in _phrases_said(clauses) for k in range(found.start, found.end)}
    excluded, _strong = _left_out(tokens, clause_of, norm_names)
    found = _names_in(tokens, norm_names, sorted(excluded), vocabulary)
    return None if found is None else frozenset(i + 1 for i in found)


# Words that make a "yes" something else than a yes: a doubt, a wait, or a negation that no
# phrase of the line accounts for ("oui, attendez", "oui enfin je sais pas", "oui je veux pas").
_HESITATIONS = frozenset(
    {
        "attendez", "attends", "attendre", "attend", "minute", "moment", "seconde", "instant",
        "hesite", "sais", "sait", "peut", "etre", "enfin", "quoique", "bof",
        "crois", "pense", "suppose", "imagine", "probablement", "mais",
        "ne", "n", "pas", "non", "jamais", "plus",
    }
)  # fmt: skip


def weekday_mismatch(text: str, guess: DateGuess, today: date) -> int | None:
    """The weekday (0 = Monday) said with a date that falls on another day ("jeudi 27" when the
    27th is a Friday, "mardi 26 novembre", "demain jeudi" on a Monday), for the line to say so
    before the date it took (``guess``: :func:`parse_date` of ``text``); ``None`` when they
    agree, or no such pair was said. A weekday excluded ("pas jeudi, le 27") or taken back
    ("jeudi 26, non 27") does not count."""
    if guess.certain:
        return None
    tokens, breaks = _date_tokens(text)
    exprs, spans = _date_spans(tokens, today, breaks)
    # The weekdays of the dates meant: not of one taken back ("jeudi 26, non 27"), nor of
    # another day of the phrase ("ne mange pas demain ni jeudi": two days, no mismatch).
    said = {
        _WEEKDAYS[t]
        for expr, (start, end) in zip(exprs, spans, strict=True)
        if not expr.negated and not _joined_by_ni(tokens, start)
        for t in tokens[start:end]
        if t in _WEEKDAYS
    }
    if len(said) != 1:
        return None
    weekday = said.pop()
    return weekday if weekday != guess.day.weekday() else None


def weekday_mismatches(text: str, today: date) -> dict[date, int]:
    """For days said one by one ("jeudi 27 et vendredi 28"), each day whose own weekday was
    said wrong, with the weekday said (27 November: 3, Thursday; it is a Friday). Empty when
    every weekday said agrees. Pure; never raises."""
    try:
        tokens, breaks = _date_tokens(text)
        exprs, spans = _date_spans(tokens, today, breaks)
    except OverflowError:
        return {}
    found: dict[date, int] = {}
    for expr, (start, end) in zip(exprs, spans, strict=True):
        said = {_WEEKDAYS[t] for t in tokens[start:end] if t in _WEEKDAYS}
        if expr.day is not None and not expr.negated and len(said) == 1:
            weekday = said.pop()
            if weekday != expr.day.weekday():
                found[expr.day] = weekday
    return found


def weekday_alone(text: str) -> int | None:
    """The weekday (0 = Monday) when ``text`` names one and no other part of a date ("oui,
    jeudi", "pour vendredi", "vendredi au lieu de jeudi": a day excluded does not count): no
    number, month, "prochain", "demain"... Else ``None``."""
    tokens, breaks = _date_tokens(text)
    days = {
        _WEEKDAYS[t]
        for i, t in enumerate(tokens)
        if t in _WEEKDAYS and not _negated_at(tokens, i, breaks)
    }
    numbers = [n for n in _numbers(tokens) if not _is_article_un(tokens, n)]  # "une erreur"
    if len(days) != 1 or numbers or any(t in _MONTHS or t in _NOT_ALONE for t in tokens):
        return None
    return days.pop()


_NOT_ALONE = frozenset(
    {
        "prochain", "prochaine", "dernier", "derniere", "passe", "avant", "apres", "demain",
        "hier", "aujourd", "semaine", "huit", "quinze", "suivant", "suivante", "ce", "cette",
        "lendemain", "surlendemain", "veille",  # "le lendemain de jeudi" is Friday
    }
)  # fmt: skip


_WEEK_AFTER = frozenset({"suivant", "suivante"})
_WEEK_AFTER_RUNS = (("d", "apres"), ("de", "semaine"))
_WEEK_BEFORE = frozenset({"precedent", "precedente"})
_WEEK_BEFORE_RUNS = (("d", "avant"), ("semaine", "derniere"))
_NEXT = frozenset({"prochain", "prochaine"})


def shifted_day(text: str, last: date, today: date) -> date | None:
    """The day ``text`` means counted from ``last`` (a day just read back or just changed),
    when it points a week on or back from it: "le jeudi d'après", "la semaine suivante", "je
    me suis trompée de semaine" (the same weekday, or the one named, after ``last``); "le
    jeudi d'avant", "la semaine précédente" (before it); "jeudi prochain" when that is
    ``last`` itself (the caller moves away from it). ``None`` otherwise, for a date of its
    own (a number, a month, two weekdays) and for a day on or back ("le jour d'après", "le
    lendemain": :func:`parse_date` with ``heard``) or every day of a week ("toute la semaine
    prochaine": :func:`span_said`). Pure, and never raises."""
    try:
        tokens, breaks = _date_tokens(text)
        named = {
            _WEEKDAYS[t]
            for k, t in enumerate(tokens)
            if t in _WEEKDAYS and not _negated_at(tokens, k, breaks)
        }
        numbers = [n for n in _numbers(tokens) if not _is_article_un(tokens, n)]
        if len(named) > 1 or numbers or any(t in _MONTHS for t in tokens):
            return None
        if any(_day_step_at(tokens, k) is not None for k in range(len(tokens))):
            return None  # "le jour d'après", "le lendemain": a day on, not a week (parse_date's)
        if "toute" in tokens:
            return None  # "non, toute la semaine prochaine": every day of it (span_said)
        weekday = next(iter(named), last.weekday())
        words = set(tokens)
        if words & _WEEK_BEFORE or any(_contains_run(tokens, r) for r in _WEEK_BEFORE_RUNS):
            return last - timedelta(days=(last.weekday() - weekday - 1) % 7 + 1)
        after = last + timedelta(days=(weekday - last.weekday() - 1) % 7 + 1)
        if words & _WEEK_AFTER or any(_contains_run(tokens, r) for r in _WEEK_AFTER_RUNS):
            return after
        if words & _NEXT:
            guess = parse_date(text, today)
            return after if guess is None or guess.day == last else None
    except OverflowError:
        return None
    return None


# The first day that can still change, asked for as such: "le premier jour possible", "le
# prochain jour possible", "dès que possible", "le plus tôt possible", "au plus vite".
_FIRST_POSSIBLE_RUNS = (
    ("premier", "jour"), ("premier", "possible"), ("jour", "possible"), ("date", "possible"),
    ("plus", "tot"), ("des", "que", "possible"), ("plus", "vite"), ("plus", "rapidement"),
)  # fmt: skip
_OFFERED_RUNS = (
    *_FIRST_POSSIBLE_RUNS, ("ce", "jour"), ("cette", "date"), ("celui", "la"), ("celle", "la"),
    ("va", "pour"),
)  # fmt: skip


def names_the_offered_day(text: str) -> bool:
    """Whether ``text``, said to "the first day you can still change is Thursday 26: for that
    day, type 2, 6, 1, 1", points at that day ("le premier jour possible", "ce jour-là", "le
    plus tôt possible", "dès que possible", "va pour celui-là") rather than at a date of its
    own: no weekday, month or number in it ("le premier jour possible" is not the 1st of the
    month)."""
    return _names_a_first_day(text, _OFFERED_RUNS)


def asks_first_possible_day(text: str) -> bool:
    """Whether ``text`` asks for the first day that can still change, before any day was
    offered ("annuler le premier jour possible", "le prochain jour possible", "dès que
    possible", "le plus tôt possible"): as :func:`names_the_offered_day`, without the words
    that only point at a day just offered ("ce jour-là", "celui-là"). Pure."""
    return _names_a_first_day(text, _FIRST_POSSIBLE_RUNS)


def _names_a_first_day(text: str, runs: Sequence[tuple[str, ...]]) -> bool:
    tokens, _breaks = _date_tokens(text)
    if {"pas", "mois", "semaine", "apres"} & set(tokens) or any(
        t in _WEEKDAYS or t in _MONTHS or t in _EVENT_WORDS for t in tokens
    ):
        # "pas ce jour-là", "le premier jour du mois", "… de la semaine prochaine", "… de la
        # rentrée", "… après Noël": a day of their own
        return False
    if _numbers([t for t in tokens if t not in ("premier", "premiere")]):
        return False
    return any(_contains_run(tokens, run) for run in runs)


# A request to wait ("attendez", "un instant s'il vous plaît", "deux secondes, je regarde le
# calendrier") or for help ("je ne comprends pas", "aidez-moi", "plus lentement"): each needs
# one word of its own, and every other word must be one of these, so that "attendez, annuler
# jeudi" is a request and not a wait.
_WAIT_WORDS = frozenset(
    {
        "attendez", "attends", "attend", "instant", "moment", "minute", "minutes", "seconde",
        "secondes", "patientez", "patiente", "regarde", "cherche", "verifie", "quittez", "bougez",
    }
)  # fmt: skip
_HELP_WORDS = frozenset(
    {
        "comprends", "comprend", "aide", "aidez", "aider", "lentement", "explique", "expliquez",
        "expliquer", "perdu", "perdue", "comment",
    }
)  # fmt: skip
_AROUND_WORDS = frozenset(
    {
        "je", "j", "ne", "n", "pas", "rien", "moi", "m", "me", "vous", "il", "s", "plait", "svp",
        "euh", "alors", "ben", "bah", "bon", "mais", "le", "la", "les", "mon", "ma", "mes",
        "calendrier", "agenda", "papiers", "papier", "dossier", "numero", "code", "carnet",
        "telephone", "dans", "sur", "plus", "parlez", "pouvez", "pourriez", "sais", "quoi",
        "faire", "comment", "ca", "c", "est", "que", "qu", "y", "a", "ai", "suis", "peu", "trop",
        "vite", "ce", "cela", "tout", "du", "de", "d", "laissez", "temps", "encore", "marche",
        "fonctionne", "fait", "on",
    }
)  # fmt: skip
# "Deux minutes", "juste un instant", "deux petites secondes": counted time, not a key or date
_TIME_COUNTS = frozenset(
    {"un", "une", "deux", "trois", "quelques", "petit", "petite", "petits", "petites", "juste"}
)
_TIMES = frozenset({"instant", "moment", "minute", "minutes", "seconde", "secondes"})


def _only(text: str, own: frozenset[str]) -> bool:
    tokens = _tokens(text)
    timed = bool(_TIMES.intersection(tokens))
    return bool(own.intersection(tokens)) and all(
        t in own or t in _AROUND_WORDS or (timed and t in _TIME_COUNTS) for t in tokens
    )


_HELLO_WORDS = frozenset({"allo", "alo", "bonjour", "bonsoir", "hello", "entendez", "entends"})
_AROUND_HELLO = frozenset(
    {
        "oui", "ouais", "vous", "m", "me", "est", "il", "y", "a", "quelqu", "qui", "c", "la",
        "madame", "monsieur", "euh", "ah", "je", "on",
    }
)  # fmt: skip


def is_hello(text: str) -> bool:
    """Whether ``text`` only checks that someone is there ("allô ?", "oui bonjour", "vous
    m'entendez ?", "allô, il y a quelqu'un ?"): an elderly caller's first words, not a wrong
    answer. Pure, and never raises."""
    tokens = normalise(text).split()
    # "quelqu'un" is no key "un"; any other word is an answer ("allô, oui, c'est bien ça")
    tokens = [t for k, t in enumerate(tokens) if t != "un" or tokens[k - 1 : k] != ["quelqu"]]
    return bool(_HELLO_WORDS.intersection(tokens)) and all(
        t in _HELLO_WORDS or t in _AROUND_HELLO for t in tokens
    )


def is_waiting(text: str) -> bool:
    """Whether ``text`` only asks the line to wait ("attendez", "un instant s'il vous plaît",
    "deux secondes, je regarde le calendrier"). Pure, and never raises."""
    return _only(text, _WAIT_WORDS)


def asks_for_help(text: str) -> bool:
    """Whether ``text`` only asks for help ("je ne comprends pas", "aidez-moi", "plus
    lentement s'il vous plaît", "comment ça marche ?"). Pure, and never raises."""
    return _only(text, _HELP_WORDS)


# Words of error that take back the change just made even alone ("je me suis trompé"), and
# words that do so only beside the day or child meant instead ("pardon, vendredi", "c'était
# pour Rose", "je voulais dire lundi", "en fait vendredi"). Not a bare "non": after a result it
# starts additions and farewells as often ("non, et vendredi", "non merci, à lundi"); nor a
# bare "je voulais", the polite way to ask ("et je voulais annuler lundi").
_MISTAKE = frozenset({"trompe", "trompee", "erreur", "oups", "mince", "zut", "faux", "incorrect"})
# "c'est pas ça", "pas le bon jour", "je ne voulais pas annuler" (not "je ne voulais pas plus",
# "pas besoin, ça va": goodbyes)
_MISTAKE_RUNS = (
    ("pas", "ca"), ("pas", "le", "bon"), ("pas", "la", "bonne"), ("voulais", "pas", "annuler"),
    ("voulais", "pas", "reserver"), ("fallait", "pas"), ("pas", "ce", "jour"),
    ("pas", "cette", "date"), ("pas", "ce", "repas"),
)  # fmt: skip
# "Annulez ce que je viens de faire", "revenez en arrière", "remettez comme avant": the change
# just made undone, whatever the action named ("annuler" a booking).
_UNDO_RUNS = (
    ("viens", "de", "faire"), ("vient", "d", "etre", "fait"), ("derniere", "operation"),
    ("en", "arriere"), ("comme", "avant"), ("l", "annulation"), ("cette", "annulation"),
    ("cette", "reservation"), ("defaire",), ("defaites",), ("defaites", "le"),
    # "Annulez ça", "annulez ce que j'ai fait", "j'ai changé d'avis", "finalement non",
    # "laissez comme c'était": the change just made taken back (a bare "annulez", "non
    # attendez, annulez", is too, but only right after a result: the line's _undone_plainly).
    ("annulez", "ca"), ("annule", "ca"), ("annuler", "ca"), ("ce", "que", "j", "ai", "fait"),
    ("ce", "que", "je", "viens"), ("ce", "que", "j", "ai", "dit"), ("change", "d", "avis"),
    ("finalement", "non"), ("comme", "c", "etait"), ("en", "fait", "non"),
)  # fmt: skip


def undoes(text: str) -> bool:
    """Whether ``text`` asks, in so many words, to undo the change just made ("annulez ce que
    je viens de faire", "revenir en arrière", "annulez l'annulation"), even with the other
    action's verb in it. Pure; never raises."""
    tokens = normalise(text).split()
    return not _DENIED & set(tokens) and any(_contains_run(tokens, run) for run in _UNDO_RUNS)


_INSTEAD = frozenset({"pardon", "plutot", "lieu", "etait", "exprime"})
_INSTEAD_PAIRS = frozenset({("voulais", "dire"), ("veux", "dire"), ("en", "fait"), ("ai", "dit")})
# Words that add to the change rather than take it back: some surely ("aussi", "pareil"),
# some only beside "instead" words ("et vendredi", "encore", "c'était tout"); after a word of
# error these are part of the sentence ("je me suis encore trompé", "trompé avec les jours").
_ADDED = frozenset({"aussi", "egalement", "pareil", "ajouter", "ajoutez", "oublie", "oubliee"})
_ALSO_ADDED = frozenset({"avec", "meme", "encore", "plus", "tout"})
_DENIED = frozenset({"pas", "aucune", "aucun", "sans"})  # "pas d'erreur", "sans erreur"


def _is_cleft_no(tokens: Sequence[str]) -> bool:
    """ "Ah non, c'est Nathan qui est malade": a "non" then "c'est <someone> qui", the other
    child (or day) put forward instead of the one just changed ("non, c'est Nathan qui mange
    maintenant": the next request)."""
    if "maintenant" in tokens:
        return False
    for k, token in enumerate(tokens):
        if token != "non":
            continue
        rest = tokens[k + 1 :]
        # "c'est Nathan qui": one word, a name ("c'est tout ce qui", "c'est moi qui vous
        # remercie", "c'est mon mari qui appellera" put no one forward instead)
        if rest[:2] == ["c", "est"] and rest[3:4] == ["qui"] and rest[2] not in _NOT_PUT_FORWARD:
            return True
    return False


_NOT_PUT_FORWARD = frozenset(
    {
        "tout", "moi", "toi", "lui", "elle", "nous", "vous", "eux", "mon", "ma", "mes", "son",
        "sa", "ses", "ca", "cela", "ce", "bon", "le", "la", "les", "un", "une", "pas", "plus",
        "bien", "lequel", "laquelle", "celui", "celle", "papa", "maman", "qui",
    }
)  # fmt: skip


class TakenBack(enum.IntEnum):
    """How surely a phrase said right after a change takes it back (see :func:`taken_back`)."""

    NO = 0
    IF_NAMED = 1  # only with the day or child meant instead
    EXCLUDED = 2  # the day just changed said to be wrong: unless it comes with a request
    YES = 3


def taken_back(text: str, done_weekday: int | None = None) -> TakenBack:
    """Whether ``text``, said right after a change was made, takes that change back, for the
    one it names if any: ``YES`` with a word of error ("mince, je voulais dire vendredi",
    "je me suis trompé", "oups, erreur", "c'est pas le bon jour"); ``EXCLUDED`` with the day
    just changed said to be wrong ("non, pas jeudi", ``done_weekday`` being Thursday);
    ``IF_NAMED`` with a word that only says "instead" ("pardon, vendredi", "c'était pour
    Rose", "non en fait vendredi"); ``NO`` when something is added or the call closed
    ("pareil pour Hugo", "vendredi aussi", "non plus", "et lundi", "c'était tout", "pas
    d'erreur"). Pure, and never raises."""
    tokens, breaks = _date_tokens(text)
    words = set(tokens)
    if words & _ADDED or _and_first(text):  # "j'ai oublié vendredi", "zut, et vendredi"
        return TakenBack.NO
    mistake = any(
        t in _MISTAKE and not _DENIED & set(tokens[max(0, k - 2) : k])
        for k, t in enumerate(tokens)
    )
    if mistake or _is_cleft_no(tokens) or any(_contains_run(tokens, run) for run in _MISTAKE_RUNS):
        return TakenBack.YES
    if undoes(text):
        return TakenBack.YES
    # "et" adds ("non, et vendredi") unless it excludes ("c'était Timéo et pas Sacha").
    joined = any(
        t == "et" and tokens[k + 1 : k + 2] not in (["pas"], ["non"]) for k, t in enumerate(tokens)
    )
    if words & _ALSO_ADDED or joined:
        return TakenBack.NO
    excluded = {
        _WEEKDAYS[t]
        for k, t in enumerate(tokens)
        if t in _WEEKDAYS and _negated_at(tokens, k, breaks)
    }
    if done_weekday is not None and done_weekday in excluded:
        return TakenBack.EXCLUDED
    pairs = set(itertools.pairwise(tokens))
    if words & _INSTEAD or pairs & _INSTEAD_PAIRS:
        return TakenBack.IF_NAMED
    return TakenBack.NO


# Words that take back what was just done when said with a statement of who eats.
_AFTER_ALL = frozenset({"non", "finalement", "attendez", "attends", "zut", "mince", "oups"})
_AFTER_ALL_RUNS = (("en", "fait"), ("tout", "compte", "fait"))


def stated_after_all(text: str) -> Intent | None:
    """The change a phrase states with a word that takes back, as said right after a change:
    ``BOOK`` for "ah non, finalement elle ira jeudi", "non en fait elle va mieux, elle ira à
    la cantine" (the child eats after all), ``CANCEL`` for "finalement il ne mange pas".
    ``None`` without such a word, with a change asked in so many words ("non, réservez
    jeudi": a request of its own), or with both stances. Pure; never raises."""
    reading = _read(text)
    tokens = reading.tokens
    if not _AFTER_ALL.intersection(tokens) and not any(
        _contains_run(tokens, run) for run in _AFTER_ALL_RUNS
    ):
        return None
    if any(part.asked for part in reading.parts):
        return None
    stances = {part.stance for part in reading.parts if part.stance in _OPPOSITE}
    if len(stances) != 1:
        return None
    return Intent.BOOK if stances.pop() is _Stance.EATS else Intent.CANCEL


_ADDING = frozenset({"aussi", "egalement", "avec", "pareil", "idem"})
_ADDING_RUNS = (("meme", "chose"), ("de", "meme"))
_LEAD_INS = frozenset(
    {"oui", "ouais", "ok", "d", "accord", "alors", "bon", "euh", "ah", "mince", "zut", "oups"}
)


def adds_to(text: str, and_first: bool = True) -> bool:
    """Whether ``text``, said to a change read back, adds to it rather than replacing what it
    names: "oui, et pour Timéo", "et Timéo", "pareil pour Timéo", "la même chose pour Timéo",
    "Timéo aussi", "avec Rose" (not "oui, pour Timéo" nor "Rose et Margaux": those name the
    children meant). Without ``and_first``, only a word that adds counts ("et Timéo ?" asked
    at a menu is about Timéo instead). Pure; never raises."""
    tokens = normalise(text).split()
    # Not "pas avec Nathan", "et pas pour Nathan": a child left out
    adding = [k for k, t in enumerate(tokens) if t in _ADDING]
    adding += [k for k in range(len(tokens)) for r in _ADDING_RUNS if tuple(tokens[k : k + 2]) == r]
    if any(not {"pas", "sans"} & set(tokens[max(0, k - 2) : k]) for k in adding):
        return True
    return and_first and _and_first(text)


def _and_first(text: str) -> bool:
    """Whether a clause of ``text`` starts with "et" (after "oui", "mince"…), adding something
    ("oui, et pour Timéo", "zut, et vendredi"; not "et pas pour Nathan", nor "et si elle va
    mieux ?": a condition)."""
    for clause in _clauses(text):
        said = [t for t in clause if t not in _LEAD_INS]
        if said[:1] == ["et"] and said[1:2] not in (["pas"], ["non"], ["sauf"], ["si"]):
            return True
    return False


# Words for a child that is not named: kin, size and age ("son frère", "la petite", "l'aînée").
_KIN = frozenset(
    {
        "frere", "freres", "soeur", "soeurs", "fils", "fille", "filles", "garcon", "garcons",
        "gamin", "gamine", "gamins", "gamines", "gosse", "gosses", "enfant", "enfants", "bebe",
        "petit", "petite", "petits", "petites", "grand", "grande", "grands", "grandes",
        "aine", "ainee", "aines", "ainees", "cadet", "cadette", "cadets", "benjamin",
        "benjamine", "jumeau", "jumelle", "jumeaux", "jumelles", "moyen", "moyenne",
    }
)  # fmt: skip
# "un petit moment", "un grand merci", "très grand": not a child
_NOT_KIN_AFTER = frozenset({"un", "une", "tres", "trop", "plus", "moins", "si"})
_PRONOUNS = frozenset({"lui", "elle", "eux", "elles"})
_LEAVING_OUT = _STRONG_EXCLUDING - {"sans"} | {"exceptee"}  # not "oui, sans problème"
_SMALL_COUNTS = frozenset({"deux", "trois", "quatre", "cinq", "2", "3", "4", "5"})
_DAY_WORDS = frozenset(
    {"jours", "jour", "semaines", "dates", "repas", *_WEEKDAYS, *(f"{d}s" for d in _WEEKDAYS)}
)


def speaks_of_children(text: str, names: Sequence[str] | None = None) -> bool:
    """Whether ``text`` speaks of children without naming them, in a way that changes a change
    read back: a kin or age word ("oui, sauf la petite", "pour son frère aussi", "seulement le
    grand"), a count ("oui, pour les deux"), a child left out ("oui sauf Timothée", a name the
    recogniser heard wrong), or a pronoun added ("pour elle aussi"); with the family's
    ``names``, also a word that is none of them nor the line's, added or said as the child
    meant ("oui et Théo aussi", "non, c'est pour Timothée": a name heard wrong). Read where
    names were looked for and none was found: such a "oui" is no plain yes, since the line
    cannot tell whom it is for. Pure; never raises."""
    tokens = normalise(text).split()
    for k, token in enumerate(tokens):
        before = tokens[k - 1] if k else ""
        if token in _KIN and before not in _NOT_KIN_AFTER:
            return True
        following = tokens[k + 1] if k + 1 < len(tokens) else ""
        if (token in _LEAVING_OUT and following != "si") or (  # "sauf si": a condition
            token == "part" and before == "a" and following not in ("ca", "cela", "si")
        ):
            return True
        # "les deux", not "les deux jours", "les deux jeudis"
        if token in _SMALL_COUNTS and before in _COUNT_WORDS and following not in _DAY_WORDS:
            return True
    if bool(_PRONOUNS & set(tokens)) and adds_to(text):
        return True
    return names is not None and _unknown_word_added(tokens, names)


# Words known to the line that may follow "et" or come before "aussi" without being a name.
_ADDED_NOT_A_NAME = frozenset(
    {
        *(w for phrase in _PHRASES for w in phrase.words if not w.endswith("*")),
        *_WEEKDAYS, *_MONTHS, *_CARDINAL_WORDS, *_DAY_WORDS, *_KIN, *_PRONOUNS,
        "le", "la", "les", "l", "pour", "avec", "et", "aussi", "moi", "toi", "meme", "chose",
        "demain", "apres", "semaine", "prochain", "prochaine", "lendemain", "surlendemain",
        "cantine", "midi", "matin", "ca", "cela", "tout", "tous", "toutes", "celui", "celle",
        "puis", "donc", "ensuite", "alors", "encore", "surtout", "autre", "autres", "nous",
        "vous", "ils", "elles", "eux", "mari", "femme", "papa", "maman",
        # "Margaux et Nathan, enfin, et Rose aussi": words that take back or add to a list
        "enfin", "pardon", "plutot", "oups", "euh", "heu", "bref",
    }
)  # fmt: skip


def _unknown_word_added(tokens: Sequence[str], names: Sequence[str]) -> bool:
    """Whether a word the line does not know is added to a change read back ("oui et Théo
    aussi" for Timéo, "et pour Rosa"), or said as the child meant ("non, c'est pour
    Timothée"): a first name the recogniser heard wrong, most likely, which a plain yes (or
    no) would drop without a word."""
    frozen = tuple(tuple(normalise(name).split()) for name in names)
    for k, token in enumerate(tokens):
        if not _no_known_word(token, frozen):
            continue
        before = tokens[max(0, k - 2) : k]
        after = tokens[k + 1 : k + 2]
        if (before[-1:] in (["et"], ["avec"]) or before == ["et", "pour"]) and (
            after == ["aussi"] or k == len(tokens) - 1
        ):
            return True
        if after == ["aussi"] and before[-1:] != ["pas"]:
            return True
        if before[-1:] == ["pour"] and k == len(tokens) - 1:
            return True  # "non, c'est pour Timothée": the child meant, heard wrong
    return False


_SEE_YOU = frozenset({"demain", "bientot", "plus", "tantot", *_WEEKDAYS})
_CALLING_BACK = frozenset({"rappellerai", "rappellerais", "rappelle", "rappellera", "rappeler"})


def is_see_you(text: str) -> bool:
    """Whether ``text`` ends the call with a "see you" rather than asking for a day: "merci,
    à lundi", "non merci, à demain", "à la semaine prochaine", "lundi je rappellerai". A day
    after "à" at the end of a clause is a farewell; "pour lundi", "et lundi" are requests."""
    for tokens in _clauses(text):
        n = len(tokens)
        if n >= 2 and tokens[-2] == "a" and tokens[-1] in _SEE_YOU:
            return True
        if tokens[-4:] == ["a", "la", "semaine", "prochaine"]:
            return True
        if any(t in _CALLING_BACK for t in tokens) and ({"je", "j", "on"} & set(tokens)):
            return True
    return False


def is_hesitant(text: str) -> bool:
    """Whether ``text`` holds a doubt or a negation outside the line's phrases, so that a "yes"
    in it must not be taken as a confirmation ("oui, attendez", "oui enfin je sais pas", "oui,
    je ne veux pas"); "oui, pas de problème" and "oui, bien sûr" are not hesitant. A question
    (see :func:`is_question`) and a condition ("oui, si elle va mieux", "sauf si …") are."""
    if is_question(text):
        return True
    for tokens in _clauses(text):
        if "si" in tokens and _si_answers(tokens, tokens.index("si")):
            continue  # "mais si": an answer, not "oui mais"
        owner = _owners(tokens, _match_phrases(tokens))
        if any(owner[k] is None and token in _HESITATIONS for k, token in enumerate(tokens)):
            return True
    return states_a_condition(text)


def states_a_condition(text: str) -> bool:
    """Whether ``text`` says "if" ("si ça se trouve elle sera chez sa mamie", "même si elle
    est malade", "et si Nathan va mieux ?", "sauf si elle va mieux", "oui si possible"): a
    doubt, never a yes, nor a child added or left out. "Si", "mais si" answering are not; "même
    s'il est malade" is one, "s'il vous plaît" is not."""
    clauses = _clauses(text)
    said_yes = bool(_TAKING_WORDS.intersection(t for clause in clauses for t in clause))
    return any(
        (t == "si" and not _si_answers(tokens, k)
         and not (said_yes and _polite_if(tokens, k)))
        or (
            t == "s"
            and tokens[k + 1 : k + 2] in (["il"], ["ils"])
            and tokens[k + 2 : k + 3] not in (["vous"], ["te"])
        )
        for tokens in clauses
        for k, t in enumerate(tokens)
    )


# "Oui, si vous voulez", "oui si possible", "si c'est possible, oui": politeness beside a yes
# said in so many words, not a doubt (alone, "si possible" stays one).
_POLITE_IFS = (("vous", "voulez"), ("possible",), ("c", "est", "possible"), ("ca", "vous", "va"),
               ("vous", "le", "voulez"), ("ca", "ne", "vous", "derange", "pas"))


def _polite_if(tokens: Sequence[str], k: int) -> bool:
    """Whether the "si" at ``tokens[k]`` starts a polite "if" ("si vous voulez", "si possible")."""
    return any(tuple(tokens[k + 1 : k + 1 + len(run)]) == run for run in _POLITE_IFS)


# A yes that takes the day a question offers ("oui", "ouais", "volontiers"), where "OK", "ah
# d'accord", "ça marche" only acknowledge what was just said (a refusal, most often).
_TAKING_WORDS = frozenset({"oui", "ouais", "ouai", "ouaip", "ouep", "yep", "yes", "volontiers"})


def takes_the_offer(text: str) -> bool:
    """Whether ``text``, said to "the first meal you can still cancel is on Thursday 26: for
    that day, type 2, 6, 1, 1", takes that day ("oui", "oui d'accord", "ouais"): a plain yes
    with a word of acceptance in it, not a mere acknowledgement ("OK", "ah d'accord", "ça
    marche"), nor a doubt or a question ("oui ?"). Pure."""
    return (
        parse_intent(text, {Intent.YES, Intent.NO}) is Intent.YES
        and bool(_TAKING_WORDS.intersection(_tokens(text)))
        and not is_hesitant(text)
    )


def is_question(text: str) -> bool:
    """Whether ``text`` asks rather than answers: the transcript ends with "?" (the recogniser
    heard a question: "c'est bien ça ?", "oui ?", "et si Nathan va mieux ?"), or it is built
    as one ("est-ce que c'est bon", "j'ai bien entendu, jeudi 26"): not to be taken as a yes.
    Pure."""
    if text.rstrip().endswith("?"):
        return True
    tokens = _tokens(text)
    return any(
        tokens[k : k + 2] == ["est", "ce"] and tokens[k + 2] in ("que", "qu")
        for k in range(len(tokens) - 2)
    ) or any(
        tokens[k] in _HEARD_AFTER and tokens[k + 1 : k + 2] == ["bien"]
        and tokens[k + 2] in ("entendu", "compris")
        for k in range(len(tokens) - 2)
    )


# A question about a day rather than a change asked for: "est-ce que Rose mange jeudi ?",
# "est-ce que j'ai bien annulé jeudi ?", "jusqu'à quand je peux annuler jeudi ?", "c'est trop
# tard pour demain ?". Not "est-ce que je peux annuler jeudi ?" nor "est-ce que vous pouvez
# annuler jeudi ?": polite requests.
# Until when a day can be changed: "jusqu'à quand…", "c'est trop tard pour jeudi ?".
_DEADLINE_RUNS = (
    ("jusqu", "a", "quand"), ("date", "limite"), ("trop", "tard"), ("encore", "le", "temps"),
    ("peux", "encore"), ("peut", "encore"), ("jusqu", "a", "quelle", "heure"),
    ("avant", "quelle", "heure"),
)  # fmt: skip
_ASKING_RUNS = (
    *_DEADLINE_RUNS,
    ("bien", "annule"), ("bien", "annulee"), ("bien", "reserve"), ("bien", "reservee"),
    ("bien", "pris"), ("bien", "enregistre"), ("bien", "inscrit"), ("bien", "inscrite"),
    ("mange", "t"), ("mangent", "ils"), ("mangent", "elles"),
)  # fmt: skip
_ASKING_AFTER_EST_CE = frozenset(
    {"mange", "mangent", "mangera", "mangeront", "inscrit", "inscrite", "inscrits", "prevu",
     "reserve", "reservee", "annule", "annulee", "ai", "a", "avait", "est", "sont", "y"}
)  # fmt: skip
_POLITE_REQUEST = frozenset(
    {"peux", "peut", "pouvez", "pourrais", "pourriez", "pourrait", "voudrais", "veux", "faut",
     "possible"}
)


_EATS = frozenset({"mange", "mangent", "mangera", "mangeront", "inscrit", "inscrite", "prevu"})


# "Quels jours…", "quel jour…" (or "quand…", not "jusqu'à quand": a deadline): which days a
# child eats, asked without a day.
_WHICH_DAYS = (("quels", "jours"), ("quel", "jour"), ("quelles", "dates"), ("quelle", "date"))
_DEADLINE_WORDS = frozenset({"jusqu", "tard", "limite", "avant", "heure", "peux", "peut", "dois",
                             "doit", "faut", "annuler", "reserver"})
_MEALS_WORDS = _EATS - {"inscrit", "inscrite", "prevu"} | {"cantine", "repas"}


def asks_which_days(text: str) -> bool:
    """Whether a question about meals asks on which days ("quels jours mange Margaux ?",
    "quand est-ce que Rose mange ?"), not until when a day can be changed ("jusqu'à quand…",
    "quand est-ce que je dois annuler au plus tard ?"). Pure; never raises."""
    tokens = normalise(text).split()
    if _asks_when_to_change(tokens) or asks_days_to_change(text) or asks_the_rule(text):
        return False  # "avant quel jour faut-il réserver ?", "quels jours je dois annuler ?"
    if any(_contains_run(tokens, run) for run in _WHICH_DAYS):
        return True
    return ("quand" in tokens and not _DEADLINE_WORDS.intersection(tokens)
            and bool(_MEALS_WORDS.intersection(tokens)))


# Which days can still be changed, asked without a day: "quels jours je peux annuler ?",
# "quelles dates on peut encore réserver ?", "quels sont les jours où je peux annuler ?". Not
# which days a child eats ("quels jours il mange ?": :func:`asks_which_days`).
_WHICH_DAYS_TO_CHANGE = (*_WHICH_DAYS, ("quels", "sont", "les", "jours"))
_CAN_WORDS = frozenset(
    {"peux", "peut", "pouvons", "pouvez", "puis", "pourrais", "pourrait", "pourriez",
     "possible", "possibles", "encore"}
)  # fmt: skip
_CHANGE_VERBS = frozenset(
    {"annuler", "reserver", "decommander", "commander", "modifier", "changer", "inscrire",
     "desinscrire"}
)  # fmt: skip


def asks_days_to_change(text: str) -> bool:
    """Whether ``text`` asks on which days a meal can still be booked or cancelled ("quels
    jours je peux annuler ?", "quel jour on peut encore réserver ?"), a question about the
    deadline rule rather than which days a child eats ("quels jours il mange ?") or a change
    asked for. Pure; never raises."""
    tokens = normalise(text).split()
    if _asks_when_to_change(tokens):
        return False  # "jusqu'à quel jour je peux annuler pour la rentrée ?": that day's deadline
    return (
        any(_contains_run(tokens, run) for run in _WHICH_DAYS_TO_CHANGE)
        and bool(_CAN_WORDS.intersection(tokens))
        and bool(_CHANGE_VERBS.intersection(tokens))
    )


# The deadline rule itself asked, without a day: "c'est quoi le délai ?", "quel est le délai
# pour annuler ?", "le délai c'est combien ?", "combien de jours à l'avance ?", "avant quelle
# heure ?", "jusqu'à quand je peux annuler ?". Not "hors délai" said of a day (no question),
# nor "quoi" alone (a repeat asked).
_RULE_RUNS = (
    ("quoi", "le", "delai"), ("quoi", "les", "delais"), ("quel", "delai"), ("quels", "delais"),
    ("quel", "est", "le", "delai"), ("quels", "sont", "les", "delais"), ("le", "delai", "c"),
    ("delai", "c", "est", "combien"), ("delai", "pour", "annuler"),
    ("delai", "pour", "reserver"), ("combien", "de", "jours", "avant"),
    ("combien", "de", "jours", "a", "l", "avance"), ("combien", "de", "temps", "avant"),
    ("combien", "de", "temps", "a", "l", "avance"), ("quoi", "la", "regle"),
    ("quelle", "est", "la", "regle"), ("avant", "quelle", "heure"),
    ("jusqu", "a", "quelle", "heure"), ("a", "quelle", "heure"), ("jusqu", "a", "quand"),
)  # fmt: skip
_MUST_WORDS = frozenset({"dois", "doit", "doivent", "devons", "devez", "faut", "faudra",
                         "faudrait"})  # fmt: skip


def asks_the_rule(text: str) -> bool:
    """Whether ``text`` asks the deadline rule itself ("c'est quoi le délai ?", "quel est le
    délai pour annuler ?", "quels jours je dois annuler ?", "avant quelle heure ?", "jusqu'à
    quand je peux annuler ?", "combien de jours à l'avance ?"), whether or not it names a day:
    the caller checks the day said (a question about that day's deadline is one too). Not a
    change ("annuler jeudi"), nor which days a child eats ("quels jours il mange ?"). Pure;
    never raises."""
    tokens = normalise(text).split()
    if any(_contains_run(tokens, run) for run in _RULE_RUNS):
        return True
    # "Quels jours je dois annuler ?", "quel jour il faut réserver ?": when a change must be
    # made, as "quels jours je peux annuler ?" asks when it still can be.
    return (
        any(_contains_run(tokens, run) for run in _WHICH_DAYS_TO_CHANGE)
        and bool(_MUST_WORDS.intersection(tokens))
        and bool(_CHANGE_VERBS.intersection(tokens))
    )


# When a change can or must be made, asked with a word of time ("quand", "à quelle heure",
# "avant quel jour") and one of changing, can or must: "quand est-ce que je peux annuler
# jeudi ?", "il faut réserver quand ?", "à quelle heure je dois annuler ?". Not "quand est-ce
# que Rose mange ?" (which days), "annuler jeudi quand même", nor "quand" opening a clause of
# its own ("annuler les jeudis quand il y a piscine").
_WHEN_RUNS = (
    ("quelle", "heure"), ("quel", "delai"), ("quels", "delais"), ("dernier", "delai"),
    ("avant", "quel", "jour"), ("avant", "quelle", "date"), ("jusqu", "a", "quel", "jour"),
    ("jusqu", "a", "quelle", "date"),
)  # fmt: skip
_CHANGING_WORDS = frozenset(
    {"annuler", "reserver", "decommander", "commander", "inscrire", "desinscrire", "modifier",
     "changer", "prevenir", "signaler", "peux", "peut", "pouvons", "pouvez", "puis", "pourrais",
     "pourrait", "pourriez", "dois", "doit", "devons", "devez", "faut", "faudra", "faudrait"}
)  # fmt: skip
_CLAUSE_SUBJECTS = _SUBJECT_PRONOUNS | {"tu", "c", "ce", "ca", "y"}


def _asks_when_to_change(tokens: Sequence[str]) -> bool:
    """Whether the words ask when a change can or must be made (see :data:`_WHEN_RUNS`)."""
    if not _CHANGING_WORDS.intersection(tokens):
        return False
    if any(_contains_run(tokens, run) for run in _WHEN_RUNS):
        return True
    for k, token in enumerate(tokens):
        if token != "quand" or tokens[k + 1 : k + 2] == ["meme"]:
            continue
        # "quand est-ce que je peux…", "c'est quand qu'on doit…": the change said after it;
        # "il faut annuler quand ?", "… quand pour jeudi ?": asked after it, not "… quand il
        # y a piscine" (a clause of its own).
        if _CHANGING_WORDS.intersection(tokens[k + 1 :]) or (
            tokens[k + 1 : k + 2] == [] or tokens[k + 1] not in _CLAUSE_SUBJECTS
        ):
            return True
    return False


def asks_deadline(text: str) -> bool:
    """Whether ``text`` asks until when a day can be changed ("c'est jusqu'à quand pour
    jeudi ?", "c'est trop tard pour demain ?", "je peux encore annuler ?", "quand est-ce que je
    peux annuler jeudi ?", "à quelle heure je dois réserver ?"), one of the questions
    :func:`asks_about_day` finds; not whether a change was made ("c'est bien annulé ?"), nor a
    polite request ("je peux annuler jeudi ?"). Pure; never raises."""
    tokens = normalise(text).split()
    return any(_contains_run(tokens, run) for run in _DEADLINE_RUNS) or _asks_when_to_change(
        tokens
    )


# What a canteen open or closed is said with: "il y a cantine", "il y a école", "y a-t-il
# classe", "la cantine est ouverte", "l'école est fermée", "la cantine fonctionne".
_OPEN_PLACES = frozenset({"cantine", "ecole", "classe", "restauration", "repas", "self"})
_OPEN_WORDS = frozenset(
    {"ouverte", "ouvert", "ouvre", "fermee", "ferme", "fonctionne", "fonctionnera", "assuree"}
)
_OPEN_LINKS = frozenset({"pas", "de", "d", "la", "l", "le", "du", "une", "un", "bien", "t", "il"})


def _asks_if_open(tokens: Sequence[str]) -> bool:
    """Whether the words ask if there is school catering ("il y a cantine le 7 mai", "y
    a-t-il cantine", "il y a école le 7 mai", "la cantine est ouverte le 7 mai"), with no
    change asked ("il y a pas école jeudi, j'annule": a reason given for one)."""
    if _REQUEST_VERBS.intersection(tokens) or _POLITE_REQUEST.intersection(tokens):
        return False
    for k, token in enumerate(tokens):
        if token not in _OPEN_PLACES:
            continue
        j = k  # "il y a [pas de] cantine", "y a-t-il [la] cantine"
        while j > 0 and tokens[j - 1] in _OPEN_LINKS:
            j -= 1
        if any(tuple(tokens[j - len(run) : j]) == run for run in _THERE_IS_RUNS if j >= len(run)):
            return True
        # "la cantine est ouverte", "la cantine sera fermée", "la cantine fonctionne"
        after = [t for t in tokens[k + 1 : k + 4] if t not in {"est", "sera", "elle", "bien"}]
        if after[:1] and after[0] in _OPEN_WORDS:
            return True
    return False


def asks_about_day(text: str) -> bool:
    """Whether ``text`` asks about a day's meal or its deadline instead of asking for a change
    ("est-ce que Rose mange jeudi ?", "est-ce que j'ai bien annulé jeudi ?", "jusqu'à quand je
    peux annuler jeudi ?", "quand est-ce que je peux annuler jeudi ?", "c'est trop tard pour
    demain ?"), or whether there is school catering that day ("il y a cantine le 7 mai ?", "y
    a-t-il cantine le 7 mai ?", "la cantine est ouverte le 7 mai ?", as "est-ce qu'il y a
    cantine le 7 mai ?"). A polite request ("est-ce que je
    peux annuler jeudi ?") is not one. Pure; never raises."""
    tokens = normalise(text).split()
    if any(_contains_run(tokens, run) for run in _ASKING_RUNS) or _asks_when_to_change(tokens):
        return True
    if _asks_if_open(tokens):
        return True
    if text.rstrip().endswith("?") and _EATS.intersection(tokens) and not (
        _REQUEST_VERBS | _POLITE_REQUEST
    ).intersection(tokens):
        # "Margaux mange jeudi ?": a recogniser that heard the question's tone says so; a
        # "oui" to the read-back of it as a booking would make one the parent never asked.
        return True
    for k in range(len(tokens) - 2):
        if tokens[k : k + 2] == ["est", "ce"] and tokens[k + 2] in ("que", "qu"):
            rest = set(tokens[k + 3 :])
            return bool(rest & _ASKING_AFTER_EST_CE) and not rest & _POLITE_REQUEST
    return False


# What is booked, asked or to be heard rather than changed: "qu'est-ce qui est réservé
# lundi ?", "est-ce que Nathan mange lundi ?", "est-ce qu'il y a un repas jeudi ?", "quels
# jours mange Nathan ?", "quels sont les repas réservés ?", "les repas réservés", "écouter mes
# réservations de la semaine prochaine". Not a statement ("réservé lundi", "j'ai réservé
# lundi": a booking), nor a change asked with it ("annuler ce qui est réservé lundi").
_HEARING_WORDS = frozenset(
    {"ecouter", "entendre", "consulter", "verifier", "lister", "liste", "recapitulatif", "recap"}
)
_BOOKED_QUESTIONS = (
    ("qu", "est", "ce", "qui"), ("qu", "est", "ce", "que"), ("qu", "est", "ce", "qu"),
    ("est", "ce", "que"), ("est", "ce", "qu"), ("quels", "jours"), ("quel", "jour"),
    ("quels", "repas"), ("quelles", "dates"), ("quels", "sont"), ("quelles", "sont"),
    ("quelles", "reservations"),
)  # fmt: skip
_BOOKED_WORDS = frozenset(
    {"reserve", "reservee", "reserves", "reservees", "reservation", "reservations", "prevu",
     "prevus", "repas", "mange", "mangent", "mangera", "mangeront", "inscrit", "inscrite",
     "inscrits"}
)  # fmt: skip
# "Les repas réservés", "mes jours réservés": what is booked named, no change said with it
_BOOKED_NAMED = (("repas", "reserves"), ("repas", "reservees"), ("jours", "reserves"))
_CHANGES_ASKED = frozenset(
    {"annuler", "annulez", "annule", "annules", "reserver", "reservez", "decommander",
     "commander", "inscrire", "desinscrire", "ajouter", "rajouter", "retirer", "supprimer",
     "enlever", "modifier", "changer", "remettre"}
)  # fmt: skip


def asks_what_is_booked(text: str) -> bool:
    """Whether ``text`` asks what is booked, or to hear it, rather than a change: a question
    ("qu'est-ce qui est réservé lundi ?", "est-ce que Nathan mange lundi ?", "est-ce qu'il y a
    un repas jeudi ?", "quels jours mange Nathan ?", "quels sont les repas réservés ?"), what
    is booked named alone ("les repas réservés"), or a listening verb ("écouter mes
    réservations de la semaine prochaine", "vérifier lundi"), with or without days. Never
    with a change asked ("annuler ce qui est réservé lundi", "est-ce que je peux annuler
    lundi ?"), a statement ("réservé lundi", "j'ai réservé lundi"), a question about
    deadlines or the rule ("quels jours je peux annuler ?"), the menus or the bill. Pure;
    never raises."""
    tokens = normalise(text).split()
    if _CHANGES_ASKED.intersection(tokens):
        return False
    if (asks_days_to_change(text) or asks_the_rule(text) or asks_deadline(text)
            or asks_menus_or_prices(text) or asks_about_billing(text)):
        return False
    if _HEARING_WORDS.intersection(tokens):
        return True
    if any(_contains_run(tokens, run) for run in _BOOKED_NAMED):
        return True
    return bool(_BOOKED_WORDS.intersection(tokens)) and any(
        _contains_run(tokens, run) for run in _BOOKED_QUESTIONS
    )


_SUBSCRIPTION_WORDS = frozenset(
    {"abonnement", "abonnements", "resilier", "resiliez", "resiliation", "demenage",
     "demenageons", "demenagement"}
)  # fmt: skip
_SUBSCRIPTION_RUNS = (
    ("change", "d", "ecole"), ("changer", "d", "ecole"), ("changement", "d", "ecole"),
    ("changera", "d", "ecole"), ("arreter", "la", "cantine"), ("arrete", "la", "cantine"),
    ("quitte", "l", "ecole"), ("part", "de", "l", "ecole"),
    # "Nathan ne mange plus à la cantine": for good, not one day
    ("mange", "plus", "a", "la", "cantine"), ("mangera", "plus", "a", "la", "cantine"),
    ("mangent", "plus", "a", "la", "cantine"), ("va", "plus", "a", "la", "cantine"),
    ("ira", "plus", "a", "la", "cantine"), ("vient", "plus", "a", "la", "cantine"),
)  # fmt: skip


def asks_subscription_change(text: str, today: date) -> bool:
    """Whether ``text`` asks to change, end or start a subscription, or tells of a change of
    school ("je veux résilier l'abonnement", "elle change d'école", "arrêter la cantine"),
    with no day said (with one, "arrêter la cantine jeudi" is that day's meal). The line
    changes days, not subscriptions: it says where to go. Pure; never raises."""
    tokens = normalise(text).split()
    said = bool(_SUBSCRIPTION_WORDS & set(tokens)) or any(
        _contains_run(tokens, run) for run in _SUBSCRIPTION_RUNS
    )
    if said and parse_date(text, today) is None and not several_days(text, today):
        return True
    return _weekday_for_good(tokens)


# Enrolling a child at the canteen ("je voudrais inscrire mon fils", "l'inscription à la
# cantine pour la rentrée"): the town's help desk does it, not this line. The verb alone
# ("inscrire", "inscrire jeudi") stays a booking, as on the old line; with a child or the
# canteen as its object and no day said, it is the enrolment.
_ENROLLING = frozenset(
    {"inscrire", "inscris", "inscrivez", "inscription", "reinscrire", "reinscription"}
)
_ENROLLED = frozenset(
    {*_KIN, "cantine", "restauration", "scolaire", "rentree", "annee", "dossier", "nouveau",
     "nouvelle", "nouvel"}
)  # fmt: skip


def asks_enrolment(text: str, today: date) -> bool:
    """Whether ``text`` asks to enrol a child at the canteen ("je voudrais inscrire mon fils",
    "inscrire ma fille à la cantine", "l'inscription à la cantine"), with no day said (with
    one, "inscrire à la cantine jeudi" books that day's meal), nor another action ("annuler
    une inscription", "mes inscriptions"). The line books days, it does not enrol: it says
    where to go. Pure; never raises."""
    tokens = normalise(text).split()
    if not (_ENROLLING.intersection(tokens) and _ENROLLED.intersection(tokens)):
        return False
    if parse_intent(text, {Intent.BOOK, Intent.CANCEL, Intent.LIST}) not in (Intent.BOOK, None):
        return False
    if _DAY_NAMING.intersection(tokens) or _WEEKDAYS.keys() & {t.rstrip("s") for t in tokens}:
        return False  # "inscrire les jeudis", "inscrire demain"
    return parse_date(text, today) is None and not several_days(text, today)


# Said with "le jeudi" (every Thursday), these make a weekday a habit: "Rose ne mange plus le
# jeudi", "désormais elle mange le vendredi", "Margaux mange le jeudi maintenant".
_FOR_GOOD = frozenset({"plus", "desormais", "dorenavant", "maintenant", "arrete", "arreter"})


def _weekday_for_good(tokens: Sequence[str]) -> bool:
    """Whether the words change a weekday for good ("Rose ne mange plus le jeudi", "désormais
    Rose ne mange pas le vendredi"): a subscription, not the next such day. Not "pas le jeudi
    non plus", "en plus le jeudi", nor a dated day ("plus le jeudi 26")."""
    marked = any(
        t in _FOR_GOOD and not (t == "plus" and k > 0 and tokens[k - 1] in ("non", "en", "de"))
        for k, t in enumerate(tokens)
    )
    return marked and any(
        token in _WEEKDAYS and k > 0 and tokens[k - 1] == "le" and _number_at(tokens, k + 1) is None
        for k, token in enumerate(tokens)
    )


_PRICE_WORDS = frozenset({"prix", "tarif", "tarifs", "coute", "coutent", "couter", "cout"})
_MENU_RUNS = (
    ("quoi", "le", "menu"), ("quel", "est", "le", "menu"), ("les", "menus"),
    ("y", "a", "au", "menu"),
    ("quoi", "a", "manger"), ("qu", "il", "y", "a", "a", "manger"),
    ("qu", "est", "ce", "qu", "ils", "mangent"), ("qu", "est", "ce", "qu", "elle", "mange"),
    ("qu", "est", "ce", "qu", "il", "mange"), ("qu", "est", "ce", "qu", "elles", "mangent"),
)  # fmt: skip
# "Le menu de jeudi", "le menu demain": the meal's (not "le menu", the line's own, to go back).
_MENU_OF = frozenset({"de", "du", "d", "demain", "aujourd", "ce", "cette", *_WEEKDAYS})
_BACK_TO_MENU = frozenset({"retour", "revenir", "retourner", "principal", "precedent"})


# "Combien" before these counts ("combien de jours avant ?", "combien il en reste ?"), and
# beside these asks the deadline ("le délai c'est combien ?"): not a price.
_COUNTING_AFTER = frozenset(
    {"de", "d", "en", "y", "il", "ils", "elle", "elles", "reste", "restent", "fois", "temps"}
)
_NOT_A_PRICE = frozenset(
    {"delai", "limite", "heure", "heures", "jour", "jours", "avance", "avant", "temps"}
)


def _asks_how_much(tokens: Sequence[str]) -> bool:
    """Whether the words ask what something costs with "combien": "c'est combien un repas ?",
    "combien pour la cantine", "ça fait combien ?", "combien je vais payer ?"; not a count
    ("combien de repas", "combien il en reste") nor the deadline ("le délai c'est combien ?")."""
    if _NOT_A_PRICE.intersection(tokens):
        return False
    for k, token in enumerate(tokens):
        if token != "combien":
            continue
        after = tokens[k + 1 : k + 2]
        if after and after[0] in _COUNTING_AFTER:
            continue
        if after or tuple(tokens[max(0, k - 2) : k]) in (("c", "est"), ("ca", "fait")):
            return True  # "combien un repas", "c'est combien ?" (not "combien ?" alone)
    return False


def asks_prices(text: str) -> bool:
    """Whether ``text`` asks what a meal costs ("combien ça coûte ?", "le prix du repas", "les
    tarifs", "c'est combien un repas ?"), as against what is on the menu. Pure; never
    raises."""
    tokens = normalise(text).split()
    return bool(_PRICE_WORDS.intersection(tokens)) or _asks_how_much(tokens)


# "Ma facture", "une question sur la facture", "mes factures", "la facturation": the invoice
# itself, which the help desk answers (not whether a meal is charged: asks_about_billing).
# After a determiner only: "facturé(s)" loses its accent in normalise ("ils seront facturés").
_INVOICE_WORDS = frozenset({"facture", "factures", "facturation"})
_INVOICE_BEFORE = frozenset(
    {
        "ma", "mes", "la", "les", "une", "des", "cette", "ces", "votre", "vos", "notre", "nos",
        "sa", "ses", "ta", "tes", "leur", "leurs", "derniere", "dernieres", "premiere",
    }
)  # fmt: skip


def asks_about_invoices(text: str) -> bool:
    """Whether ``text`` speaks of an invoice ("ma facture", "une question sur ma facture", "je
    n'ai pas reçu la facture", "la facturation"), which the help desk answers; not "ça sera
    facturé ?" (:func:`asks_about_billing`). Pure; never raises."""
    tokens = normalise(text).split()
    return any(
        token in _INVOICE_WORDS and k > 0 and tokens[k - 1] in _INVOICE_BEFORE
        for k, token in enumerate(tokens)
    )


def asks_menus_or_prices(text: str) -> bool:
    """Whether ``text`` asks what is on the menu or what a meal costs ("c'est quoi le menu
    jeudi ?", "qu'est-ce qu'il y a à manger", "combien ça coûte ?", "les tarifs", "c'est
    combien un repas ?"): not this line's, which says where to find them. Not the line's own
    menu ("retour au menu"). Pure; never raises."""
    tokens = normalise(text).split()
    if asks_prices(text):
        return True
    if _BACK_TO_MENU.intersection(tokens) or "autre" in tokens:
        return False  # "retour au menu principal", "une autre opération"
    if any(t == "menu" and tokens[k + 1 : k + 2] in ([w] for w in _MENU_OF)
           for k, t in enumerate(tokens)):
        return True
    return any(_contains_run(tokens, run) for run in _MENU_RUNS)


# Whether a meal is paid for: "ça sera facturé ?", "est-ce que je vais payer quand même ?",
# "je serai remboursée ?" (what it costs is asks_menus_or_prices').
_BILLING_PREFIXES = ("factur", "rembours")
_PAYING = frozenset(
    {
        "payer", "paye", "payee", "payes", "payera", "payerai", "payerez", "payeront", "paie",
        "paies", "paient", "paiera", "paierai", "paierez", "paieront", "paiement", "payant",
        "payante", "payants", "payantes", "gratuit", "gratuite",
    }
)  # fmt: skip


def asks_about_billing(text: str) -> bool:
    """Whether ``text`` asks whether a meal is charged ("ça sera facturé ?", "est-ce que je
    vais le payer quand même ?", "je serai remboursé ?"): a question, or a phrase that asks
    for no change ("annuler jeudi pour ne pas payer" is the cancellation). Pure; never
    raises."""
    tokens = normalise(text).split()
    if "combien" in tokens:  # "combien je vais payer ?": a price
        return False
    if not any(t.startswith(_BILLING_PREFIXES) or t in _PAYING for t in tokens):
        return False
    return is_question(text) or parse_intent(text, {Intent.BOOK, Intent.CANCEL}) is None


_ENGLISH = frozenset({"english", "anglais", "englisch", "ingles", "inglese"})
_FRENCH = frozenset({"francais", "french"})
_SPEAK = frozenset(
    {"parle", "parlez", "parlons", "parler", "speak", "comprends", "comprend", "understand"}
)
# "je ne parle pas bien français", "I don't speak French", "je parle mal le français", "no
# French": a caller who says they cannot follow French (not "je parle un peu français").
_CANNOT = frozenset({"pas", "not", "t", "no", "mal", "don", "cannot"})
# The words around a request for English, every one of them ("en anglais s'il vous plaît",
# "vous parlez anglais ?", "English please", "do you speak English?"): a sentence with any other
# word in it only mentions the language ("sa classe d'anglais jeudi" is Rose's English class).
_ENGLISH_AROUND = frozenset(
    {
        "en", "in", "please", "s", "il", "vous", "plait", "svp", "je", "j", "i", "we", "on",
        "nous", "do", "does", "you", "can", "could", "est", "ce", "que", "qu", "pouvez",
        "pourriez", "peut", "voudrais", "veux", "prefere", "prefer", "would", "like", "want",
        "only", "seulement", "uniquement", "ne", "n", "pas", "not", "t", "don", "no", "non",
        "bien", "tres", "very", "well", "mal", "le", "la", "l", "un", "peu", "a", "little",
        "bit", "of", "oui", "yes", "euh", "hello", "bonjour", "allo", "sorry", "pardon",
        "excusez", "excuse", "moi", "me", "madame", "monsieur", "desole", "desolee", "langue",
        "language", "speak", "parle", "parlez", "parler", "comprends", "comprend", "understand",
        "continuer", "continue", "is", "there", "it", "ok", "d", "accord", "mais", "but",
        "and", "et", "cannot", "mieux", "better", "francais", "french", "anyone", "someone",
    }
)  # fmt: skip


def asks_for_english(text: str) -> bool:
    """Whether ``text`` asks for the line in English ("English please", "en anglais s'il vous
    plaît", "je parle anglais", "je ne parle pas bien français", "I don't speak French"); not
    "je ne parle pas anglais", "je parle un peu français", nor a sentence that merely names the
    language ("Rose a une sortie avec sa classe d'anglais jeudi"): every word must be one of a
    request for a language. Pure; never raises."""
    tokens = normalise(text).split()
    if not tokens or not all(t in _ENGLISH_AROUND or t in _ENGLISH for t in tokens):
        return False
    for k, token in enumerate(tokens):
        if token in _ENGLISH and not {"pas", "not", "t"} & set(tokens[max(0, k - 3) : k]):
            return True
    return bool(_SPEAK & set(tokens) and _FRENCH & set(tokens) and _CANNOT & set(tokens))


# Common English words a caller who does not follow French may say at a French question
# ("cancel please", "help", "sorry I don't understand", "thank you"): none of them a French
# word once accents are gone ("son", "the" for "thé", "a", "do" are, so only count beside them).
_ENGLISH_WORDS = frozenset(
    {
        "cancel", "cancelled", "booking", "book", "please", "help", "sorry", "understand",
        "thank", "thanks", "hello", "yes", "yeah", "what", "speak", "english", "french",
        "don", "can", "could", "would", "want", "child", "children", "daughter", "lunch",
        "meal", "today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday",
        "week", "next", "how", "why", "repeat", "again", "slowly", "slow", "anyone", "someone",
        "goodbye", "bye", "sure", "okay",
    }
)  # fmt: skip
_ENGLISH_TOO = frozenset(
    {"i", "you", "me", "my", "it", "is", "the", "a", "do", "no", "not", "t", "s", "to", "son"}
)


def sounds_english(text: str) -> bool:
    """Whether ``text``, not understood as French, looks said in English: an English word in
    it and at least half its words English ("cancel please", "no understand", "help me",
    "sorry I don't understand French", "thank you"), so that the line can say that it speaks
    English. Not "annuler jeudi", "non merci". Pure; never raises."""
    tokens = normalise(text).split()
    if not _ENGLISH_WORDS.intersection(tokens):
        return False
    english = [t for t in tokens if t in _ENGLISH_WORDS or t in _ENGLISH_TOO]
    return 2 * len(english) >= len(tokens)


_DISMAY = frozenset({"ah", "oh", "mais", "attendez", "attends", "zut", "mince", "hein", "la"})


def is_dismayed(text: str) -> bool:
    """Whether ``text`` is a "no" said in dismay ("ah non", "oh non", "mais non", "attendez,
    non", "oh là là"), not a plain "non" nor "non merci". Pure; never raises."""
    tokens = normalise(text).split()
    if tokens.count("la") >= 2 and "oh" in tokens:  # "oh là là"
        return True
    return "non" in tokens and bool(_DISMAY & set(tokens)) and "merci" not in tokens


_POSITIONS = {
    "premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3,
    "dernier": -1, "derniere": -1,
}  # fmt: skip
_POSITION_FILLERS = frozenset(
    {"le", "la", "l", "jour", "celui", "celle", "c", "est", "euh", "alors", "plutot", "oui"}
)


def position_said(text: str) -> int | None:
    """A position said alone, to a choice of days ("le premier", "la deuxième", "le dernier
    jour", "plutôt le second"): 1, 2, 3, or -1 for the last; ``None`` for anything else ("le
    premier décembre" is a date). Pure."""
    words = [t for t in _tokens(text) if t not in _POSITION_FILLERS]
    return _POSITIONS.get(words[0]) if len(words) == 1 else None


_EVERY_ONE_FILLERS = frozenset(
    {
        "oui", "euh", "alors", "plutot", "bah", "ben", "eh", "bien", "merci", "s", "il", "vous",
        "plait", "svp", "jours", "jour", "ces", "les", "tous", "toutes", "meme",
    }
)  # fmt: skip


def every_one_said(text: str) -> int | None:
    """How many days a caller takes, said alone to a choice of days ("le lundi 30 ou le mardi 1er
    décembre ?"): "les deux", "tous les deux", "les 2 jours", "l'un et l'autre" -> 2; "les trois"
    -> 3; "tous", "tous ces jours" -> 0 (all of them). ``None`` for anything else ("le
    deuxième", "les deux enfants", "pas les deux"). Pure."""
    tokens = _tokens(text)
    if tokens[-5:] == ["l", "un", "et", "l", "autre"]:
        tokens = [*tokens[:-5], "les", "deux"]  # "l'un et l'autre": both
    numbers = _numbers(tokens)
    if len(numbers) > 1 or any(n.ordinal for n in numbers):
        return None
    rest = [t for k, t in enumerate(tokens) if not any(n.start <= k < n.end for n in numbers)]
    if not tokens or any(t not in _EVERY_ONE_FILLERS for t in rest):
        return None
    if not numbers:
        return 0 if {"tous", "toutes"} & set(tokens) else None
    if not {"les", "tous", "toutes"} & set(tokens):
        return None  # "deux" alone may be the 2nd, or the second day
    return numbers[0].value if numbers[0].value >= 2 else None


def parse_choice(text: str, names: Sequence[str]) -> int | None:
    """The 1-based index in ``names`` of the one child meant by ``text``, else ``None``.

    A first name may be said anywhere in a sentence ("c'est pour Hugo"), matched without
    accents or case ("Léa" = "lea"), then by one word of a compound name ("Marie" for
    "Marie-Claire"), and, for words that are not the line's own vocabulary, by a rough French
    sound key ("Mathys" for "Mathis") or close spelling ("Léah" for "Léa"); a word that could
    be two children gives ``None``. A name right after "pas"/"sauf" is left out ("pas Hugo,
    Léa"). Positions work too: "le premier", "la deuxième", "numéro deux", "le dernier", or a
    number said alone (not one that is part of a date: "le premier décembre", "mardi 1er").
    This is :func:`parse_children` when it finds exactly one child: a name and a position that
    disagree, several children, or none give ``None``.
    """
    children = parse_children(text, names)
    if children is None or len(children) != 1:
        return None
    return next(iter(children))


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateGuess:
    """A date understood from speech.

    ``certain`` is False when the phrase was partial or open to another reading (a weekday
    alone, "le 3" without a month, a weekday that disagrees with the date, "dans huit jours",
    a date found more than six months ahead), so the caller should read it back and ask.
    """

    day: date
    certain: bool


_FAR_AHEAD = timedelta(days=183)
# A day and month said that fell this far back is a past day, not next year's: said with the
# weekday of this year's date and not of next year's ("vendredi 25 juin" on 28 June 2027), or
# typed ("2506": see the phone line's date check).
RECENT_PAST = timedelta(days=62)
_YEARS_SEARCHED = 9  # enough to reach the next 29 February from any day


def _nearest_day_month(day: int, month: int, today: date) -> date | None:
    """The first date with this day and month that is not before ``today``; None if none."""
    for year in range(today.year, today.year + _YEARS_SEARCHED):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _nearest_day_of_month(day: int, today: date) -> date | None:
    """The first date with this day of the month that is not before ``today``."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _next_weekday(weekday: int, today: date) -> date:
    """The next day with this weekday strictly after ``today``."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _weekday_from(weekday: int, today: date) -> date:
    """The next day with this weekday, today included: what "dans deux semaines", "en huit"
    and "en quinze" count from after a weekday ("jeudi dans deux semaines" and "jeudi en
    quinze" said on a Thursday are two weeks from today, as "dans deux semaines" alone)."""
    return today if today.weekday() == weekday else _next_weekday(weekday, today)


def _previous_weekday(weekday: int, today: date) -> date:
    """The last day with this weekday strictly before ``today`` ("jeudi dernier")."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


def _nth_weekday(nth: int, weekday: int, year: int, month: int) -> date | None:
    """The ``nth`` (1 to 5, or -1 for the last) such weekday of a month; None if there is none."""
    try:
        if nth == -1:
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            return last - timedelta(days=(last.weekday() - weekday) % 7)
        first = date(year, month, 1)
        found = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    except (ValueError, OverflowError):  # past year 9999
        return None
    return found if found.month == month else None


def _weekday_day_of_month(day: int, weekday: int, today: date) -> tuple[date | None, bool]:
    """The date meant by a weekday and a day of the month ("lundi 4") and whether both agree.

    The weekday chooses between the nearest such day not past and the same day the month
    after: "lundi 4" on 23 November 2026 is Monday 4 January (the 4th of
    December is a Friday). When neither is that weekday, the number wins: the nearest such day,
    whose weekday the read-back says ("mardi 3" is Thursday 3 December, not Tuesday 3 August
    2027, which a parent would not expect). ``(None, False)`` when there is no such day."""
    nearest = _nearest_day_of_month(day, today)
    if nearest is None:
        return None, False
    year, month = divmod(nearest.year * 12 + nearest.month, 12)  # the month after
    later = _make_date(year, month + 1, day)
    for candidate in (nearest, later):
        if candidate is not None and candidate.weekday() == weekday:
            return candidate, True
    gone = _day_of_month_before(day, today)
    if gone is not None and gone.weekday() == weekday and today - gone <= RECENT_PAST:
        # "vendredi 25" said on Monday 28 June 2027: Friday 25 June, three days ago, not
        # Sunday 25 July, as "vendredi 25 juin" (see _day_month_expr): a past day only when
        # no reading to come agrees with the weekday; the line then says it is past.
        return gone, True
    return nearest, False


def _day_of_month_before(day: int, today: date) -> date | None:
    """The last date before ``today`` with this day of the month, within the three months
    searched (a 31st skips the shorter months); ``None`` when there is none."""
    year, month = today.year, today.month
    for _ in range(3):
        candidate = _make_date(year, month, day)
        if candidate is not None and candidate < today:
            return candidate
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return None


class _DateExpr(NamedTuple):
    day: date | None  # None: the words name an impossible date ("31 février")
    certain: bool
    weekday_only: bool  # a weekday alone, which gives way to a more precise expression
    negated: bool = False  # said to be excluded: "pas demain" in "non, pas demain, jeudi"
    ranged: bool = False  # a bound of a span of days: "jusqu'à vendredi", "à partir du 3"


def _year_at(tokens: Sequence[str], k: int, short_ok: bool) -> tuple[int, int] | None:
    """A year at ``tokens[k]``: "2026", "deux mille vingt six" (or "26" when ``short_ok``)."""
    if k >= len(tokens):
        return None
    token = tokens[k]
    if _is_digits(token):
        value = int(token)
        if len(token) == 4 and 1900 <= value <= 2199:
            return value, k + 1
        if short_ok and len(token) == 2:
            return 2000 + value, k + 1
        return None
    if token == "deux" and k + 1 < len(tokens) and tokens[k + 1] == "mille":
        rest = _number_at(tokens, k + 2)
        if rest is not None and not rest.digits and not rest.ordinal:
            return 2000 + rest.value, rest.end
        return 2000, k + 2
    return None


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month_expr(
    day: int, month: int, year: int | None, weekday: int | None, today: date
) -> _DateExpr:
    if year is not None:
        found = _make_date(year, month, day)
        certain = True
    else:
        found = _nearest_day_month(day, month, today)
        certain = found is not None and found - today <= _FAR_AHEAD
    if found is None:
        return _DateExpr(None, False, False)
    if weekday is not None and found.weekday() != weekday:
        gone = _day_month_before(found, today) if year is None else None
        if gone is not None and gone.weekday() == weekday and today - gone <= RECENT_PAST:
            # "vendredi 25 juin" said on 28 June 2027: this year's, a Friday three days ago,
            # not next year's, a Sunday. A past day only when no reading to come agrees with
            # the weekday (as three keys, see digits_missing_a_zero): "lundi 8 mai" on 11 May
            # 2027 is Monday 8 May 2028. Certain, as "jeudi dernier": the line says it is past.
            return _DateExpr(gone, True, False)
        certain = False
    return _DateExpr(found, certain, False)


def _day_number_at(tokens: Sequence[str], k: int) -> _Number | None:
    """The number at ``tokens[k]``, taking "1 er" as "1er" (Twilio sometimes cuts the suffix)."""
    number = _number_at(tokens, k)
    if (
        number is not None
        and number.digits
        and number.value == 1
        and number.end < len(tokens)
        and tokens[number.end] in ("er", "ere")
    ):
        return number._replace(end=number.end + 1, ordinal=True)
    return number


_RELATIVE_UNITS = {"jour": 1, "jours": 1, "semaine": 7, "semaines": 7}
# Counted in days, these say weeks: "dans huit jours" is in a week, "dans quinze jours" in two.
_DAYS_AS_WEEKS = {8: 7, 15: 14}


def _weeks_ahead_at(tokens: Sequence[str], k: int) -> tuple[int, int] | None:
    """The days "dans N semaines" at ``tokens[k]`` adds, in whole weeks ("dans une semaine" 7,
    "dans deux semaines" 14, "dans huit jours" 7, "dans quinze jours" 14), and the index after
    it; None for anything else ("dans 3 jours" is no count of weeks)."""
    if tokens[k : k + 1] != ["dans"]:
        return None
    number = _number_at(tokens, k + 1)
    if number is None or number.ordinal or number.end >= len(tokens):
        return None
    unit = tokens[number.end]
    if unit in ("semaine", "semaines") and 1 <= number.value <= 52:
        return 7 * number.value, number.end + 1
    if unit in ("jour", "jours") and number.value in _DAYS_AS_WEEKS:
        return _DAYS_AS_WEEKS[number.value], number.end + 1
    return None


_HOUR_WORDS = frozenset({"h", "heure", "heures"})
# Nouns a number counts rather than dates: "jeudi, 2 repas", "lundi, 2e enfant", "jeudi 1 seul
# repas". After a weekday, "jours" and "semaines" count the days of a span ("lundi, 3 jours");
# "dans 3 jours" is read before any of this.
_COUNTED_NOUNS = frozenset(
    {
        "repas", "enfant", "enfants", "fois", "personne", "personnes", "portion", "portions",
        "plateau", "plateaux", "menu", "menus", "gamin", "gamins", "gamine", "gamines",
    }
)  # fmt: skip
_COUNTED_SPANS = frozenset({"jour", "jours", "semaine", "semaines"})
# Before a count of days or weeks, these make it how long: "jeudi, pour 2 semaines".
_SPAN_LEADS = frozenset({"pour", "pendant", "sur", "durant"})
_COUNT_FILLERS = frozenset(
    {"seul", "seule", "seuls", "seules", "petit", "petite", "petits", "petites", "de", "d",
     "des", "mes", "nos", "les", "autre", "autres", "premiers", "premieres", "derniers"}
)  # fmt: skip


def _counted_at(tokens: Sequence[str], end: int, nouns: Collection[str]) -> bool:
    """Whether the words from ``tokens[end]`` (just after a number) are one of ``nouns``, with
    at most two fillers before it ("1 seul repas", "2 de mes enfants")."""
    k = end
    while k < len(tokens) and k - end < 2 and tokens[k] in _COUNT_FILLERS:
        k += 1
    return k < len(tokens) and tokens[k] in nouns


# Words between a day and its month: "le 4 de janvier", "le 4 d'avril", "le 4 en janvier",
# "le 4 du mois de janvier", "le 4 au mois d'août".
_MONTH_LINKS = (
    (), ("de",), ("d",), ("en",), ("du", "mois", "de"), ("du", "mois", "d"), ("au", "mois", "de"),
    ("au", "mois", "d"),
)  # fmt: skip


# A month said by its place after a day: next month ("le 26 du mois prochain", "le 10 le mois
# prochain", "le 4 du mois suivant") and, below, this month ("le 4 de ce mois", "de ce mois-ci").
_RELATIVE_MONTH_RUNS = (
    *((*link, "mois", *word) for link in ((), ("du",), ("le",), ("au",), ("de",), ("d",))
      for word in (("prochain",), ("suivant",), ("d", "apres"))),
)  # fmt: skip
_THIS_MONTH_RUNS = (
    ("de", "ce", "mois"), ("d", "ce", "mois"), ("ce", "mois"), ("du", "mois", "en", "cours"),
)  # fmt: skip


class _MonthSaid(NamedTuple):
    """A month said with a day: named ("décembre": ``month`` 12, ``ahead`` None) or by its
    place from today's ("du mois prochain": ``ahead`` 1, "de ce mois-ci": 0); ``end`` is the
    index after its words."""

    month: int
    ahead: int | None
    end: int

    def year_month(self, today: date) -> tuple[int | None, int]:
        """The year (None when the month is named: the nearest such date is meant) and month."""
        if self.ahead is None:
            return None, self.month
        year, month = divmod(today.year * 12 + today.month - 1 + self.ahead, 12)
        return year, month + 1


def _month_at(tokens: Sequence[str], k: int) -> _MonthSaid | None:
    """The month said from ``tokens[k]``, after a day: named ("décembre", "de janvier", "du
    mois de janvier") or by its place ("du mois prochain", "de ce mois-ci"); None when no month
    is said there ("le 4 du mois": which month?)."""
    for link in _MONTH_LINKS:
        m = k + len(link)
        if tuple(tokens[k:m]) == link and m < len(tokens) and tokens[m] in _MONTHS:
            return _MonthSaid(_MONTHS[tokens[m]], None, m + 1)
    for run in _RELATIVE_MONTH_RUNS:
        if tuple(tokens[k : k + len(run)]) == run:
            return _MonthSaid(0, 1, k + len(run))
    for run in _THIS_MONTH_RUNS:
        end = k + len(run)
        if tuple(tokens[k:end]) == run and tokens[end : end + 1] != ["la"]:  # not "ce mois-là"
            return _MonthSaid(0, 0, end + 1 if tokens[end : end + 1] == ["ci"] else end)
    return None


def _month_before(
    tokens: Sequence[str], start: int, free: int, today: date
) -> tuple[int, int | None] | None:
    """The month (and year) said before "le" and the day at ``tokens[start]``: "en janvier, le
    4", "février le 5", "au mois de janvier 2027, le 4", "le mois prochain, le 10" (with
    its year: that month's 10th, not the nearest); None when there is none. Only words
    from ``tokens[free]`` count: a month that ends another date ("pas le 4 décembre, le 3")
    is that date's."""
    k = start - 1
    if k < 1 or tokens[k] != "le":
        return None
    for m in range(max(free, k - 4), k):
        said = _month_at(tokens, m)
        if said is not None and said.ahead is not None and said.end == k:
            # "le mois prochain, le 10", "ce mois-ci, le 4": the year is the month's
            year, month = said.year_month(today)
            return month, year
    year = None
    if _is_digits(tokens[k - 1]) and len(tokens[k - 1]) == 4 and k >= 2:
        year, k = int(tokens[k - 1]), k - 1
    if k - 1 < free or tokens[k - 1] not in _MONTHS:
        return None
    return _MONTHS[tokens[k - 1]], year


# Said after a day, these make it every month's: "le 3 de chaque mois", "le 3 de tous les mois".
_EVERY_MONTH_RUNS = (
    ("de", "chaque", "mois"), ("chaque", "mois"), ("de", "tous", "les", "mois"),
    ("tous", "les", "mois"),
)  # fmt: skip


def _day_month_at(
    tokens: Sequence[str], number: _Number, weekday: int | None, today: date
) -> tuple[_DateExpr, int] | None:
    """The day ``number`` with the month (and year) said after it: "3 décembre [2026]",
    "le 4 de janvier", "le 4 du mois de janvier", "le 26 du mois prochain", "le 4 de ce
    mois-ci", "21/11", "21 11 2026", "vingt et un onze". None when no month follows."""
    n = len(tokens)
    end = number.end
    month_at = _month_at(tokens, end)
    if month_at is None and number.digits and tokens[end : end + 1] == ["sept"]:
        # "le 3 sept": September written short. Seven after a day written in digits would be
        # written "7" too; "sept" is kept out of the short months only because it is a number.
        following = _number_at(tokens, end + 1)
        if following is None or following.value > 31:  # "le 3 sept 2027", not "3 sept 12"
            month_at = _MonthSaid(9, None, end + 1)
    if month_at is not None:
        year, month = month_at.year_month(today)
        end = month_at.end
        found_year = _year_at(tokens, end, short_ok=False) if year is None else None
        if found_year is not None:
            year, end = found_year
        # With a month by its place the year is known: "le 26 du mois prochain" is the 26th of
        # December said on 23 November, not the nearest 26th (today's month's), and "le 4 de
        # ce mois" the 4th of November even though past (the line then says so).
        return _day_month_expr(number.value, month, year, weekday, today), end
    # "le 26 du 11": the month's number after "du", as some people say it
    second = _number_at(tokens, end + 1 if tokens[end : end + 1] == ["du"] else end)
    if (
        second is not None
        and not second.ordinal
        and 1 <= second.value <= 12
        and (second.digits or not number.digits)
        and not (second.end < n and tokens[second.end] in _RELATIVE_UNITS)
        and not (second.end < n and tokens[second.end] in _MONTHS)  # "les 1, 2 décembre"
        # "le 1, 3 et 4 décembre", "le 7 8 10 et 11 décembre": days of a list that ends with
        # its month, not the 3rd of January nor the 7th of August 2010
        and _month_after_list(tokens, number.end) is None
        and not _bare_days_listed(tokens, number.end, number.value)  # "le 3, 4 et 5": the 4th
    ):
        # "21 11", "21/11", "vingt et un onze", "21/11/2026", "21/11/26", "le 21 du 11"
        end = second.end
        found_year = _year_at(tokens, end, short_ok=second.digits)
        year = None
        if found_year is not None:
            year, end = found_year
        return _day_month_expr(number.value, second.value, year, weekday, today), end
    return None


# Said after a weekday, these make it the last one before today: "jeudi dernier", "lundi passé".
_PAST_WORDS = frozenset({"dernier", "derniere", "passe", "passee", "precedent", "precedente"})
# School-calendar events the parser cannot date: "le lundi de la rentrée", "jeudi avant Noël".
_EVENT_WORDS = frozenset(
    {"rentree", "vacances", "paques", "pentecote", "toussaint", "noel", "ascension", "carnaval"}
)
_EVENT_LINKS = frozenset(
    {"de", "d", "du", "des", "la", "l", "les", "apres", "avant", "a", "au", "aux"}
)


def _names_event(tokens: Sequence[str], j: int) -> bool:
    """Whether the words from ``tokens[j]`` name a calendar event ("de la rentrée")."""
    k = j
    while k < len(tokens) and k - j < 4 and tokens[k] in _EVENT_LINKS:
        k += 1
    return k < len(tokens) and tokens[k] in _EVENT_WORDS


# After "d'après", what the day is after ("le lundi d'après les vacances", "d'après le 7"): not
# now, so not dated here.
_AFTER_WHAT = frozenset({"le", "la", "les", "l", "ce", "ces", "cette", "du", "des", "noel",
                         "toussaint", "vacances", "rentree"})  # fmt: skip

# Words between a weekday and the week it is in: "jeudi de la semaine prochaine", "jeudi, la
# semaine prochaine", "jeudi de cette semaine".
_WEEK_LEAD_INS = frozenset({"de", "d", "la", "cette"})


def _weekday_expr(
    tokens: Sequence[str],
    i: int,
    today: date,
    breaks: Collection[int],
    this: bool,
    negated: bool,
) -> tuple[_DateExpr, int]:
    """A weekday at ``tokens[i]`` and what follows it: a date, "prochain", "dernier", "en huit".

    ``breaks`` are the indexes where a clause starts; ``this`` is True after "ce" ("ce
    vendredi" said on a Friday is that day); a ``negated`` weekday ends with its clause."""
    weekday = _WEEKDAYS[tokens[i]]
    n = len(tokens)
    j = i + 1
    if _names_event(tokens, j):
        # Which Monday is "le lundi de la rentrée" depends on a calendar not known here.
        return _DateExpr(None, False, False), j
    if j < n and tokens[j] in _PAST_WORDS:
        # Certain: the flow then says that this day is past, rather than reading back a day
        # a week later that the caller may accept without noticing.
        return _DateExpr(_previous_weekday(weekday, today), True, False), j + 1
    if tokens[j : j + 2] == ["d", "avant"]:
        # "le jeudi d'avant" ends the clause; "le jeudi d'avant le 10" is before what is said
        # next, which is not understood here: None rather than a guess.
        if j + 2 == n or j + 2 in breaks:
            return _DateExpr(_previous_weekday(weekday, today), True, False), j + 2
        return _DateExpr(None, False, False), j + 2
    coming = _next_weekday(weekday, today)
    if tokens[j : j + 2] == ["d", "apres"]:
        if tokens[j + 2 : j + 3] and tokens[j + 2] in _AFTER_WHAT:
            return _DateExpr(None, False, False), j + 2  # "le lundi d'après les vacances"
        # "lundi d'après", said of now: not the coming Monday, the one after it (a day just
        # heard is counted from by shifted_day instead). Read back: some count from another.
        return _DateExpr(coming + timedelta(days=7), False, False), j + 2
    # What "en huit", "dans une semaine" count from: the coming such day, today included
    # ("jeudi en huit" said on a Thursday is a week from today, as "aujourd'hui en huit").
    base = _weekday_from(weekday, today)
    if j < n and tokens[j] in ("prochain", "prochaine", "prochains", "prochaines"):
        j += 1
        if coming == today + timedelta(days=1) and today.weekday() != 6:
            # "vendredi prochain" said on a Thursday: French callers say "demain" for
            # tomorrow, so it is the Friday of next week (a caller just refused Friday 4
            # says it to mean Friday 11). Two days ahead or more it is the coming one. Said
            # on a Sunday, "lundi prochain" is tomorrow, the Monday of next week (some mean the
            # one after: the read-back names the date, so they can say no).
            coming += timedelta(days=7)
        base = coming
    k = j + 1 if j < n and tokens[j] == "le" else j
    # "pas ce jeudi, le 4 décembre": the date after the comma is the one meant, not part of
    # the excluded weekday. Without a negation, "jeudi, le 3" is still one date.
    number = None if negated and j in breaks else _day_number_at(tokens, k)
    if number is not None and number.end < n and tokens[number.end] in _HOUR_WORDS:
        number = None  # "jeudi 12h": the hour of the meal, not the 12th
    if number is not None and _counted_at(tokens, number.end, _COUNTED_NOUNS):
        # "jeudi, 2 repas", "lundi, 2e enfant": a count, not the 2nd; the weekday stands.
        number = None
    if number is not None and _counted_at(tokens, number.end, _COUNTED_SPANS):
        # "lundi, 3 jours": a span of days from Monday, not the 3rd
        return _DateExpr(coming, False, False, ranged=True), j
    if number is not None and 1 <= number.value <= 31:
        # "jeudi 3 décembre", "jeudi 04/02/2027": the full date wins over the weekday.
        dated = _day_month_at(tokens, number, weekday, today)
        if dated is not None:
            return dated
        # "jeudi 3": the next 3rd when a Thursday; "lundi 4" when the next 4th is a Friday: the
        # 4th after it if a Monday, else the next 4th; read back with its weekday either way.
        found, agrees = _weekday_day_of_month(number.value, weekday, today)
        # Certain when it is the nearest such day, or the recent past one ("vendredi 25" on
        # Monday 28 June 2027): the line says that one is past, as for "jeudi dernier".
        nearest = _nearest_day_of_month(number.value, today)
        certain = agrees and (found == nearest or (found is not None and found < today))
        return _DateExpr(found, certain, False), number.end
    count = _number_at(tokens, j + 1) if j < n and tokens[j] in _SPAN_LEADS else None
    if count is not None and _counted_at(tokens, count.end, _COUNTED_SPANS):
        # "jeudi, pour 2 semaines", "lundi pendant 3 jours": how long, from that day (every
        # Thursday, or every day?): a span, asked one day at a time, never a single date.
        return _DateExpr(coming, False, False, ranged=True), j
    ahead = _weeks_ahead_at(tokens, j)
    if ahead is not None:
        # "jeudi dans une semaine", "jeudi dans deux semaines", "jeudi dans quinze jours": the
        # Thursday that many weeks after the coming one (today, said on a Thursday), as "jeudi
        # en huit" / "en quinze": from Monday 23 November, "jeudi dans deux semaines" is
        # Thursday 10 December, in the week two weeks ahead. Read back: some count the weeks
        # from another Thursday.
        days, end = ahead
        return _DateExpr(base + timedelta(days=days), False, False), end
    rest = tokens[j : j + 4]
    if "semaine" in rest and not _WEEK_LEAD_INS.issuperset(rest[: rest.index("semaine")]):
        # "jeudi, non, toute la semaine prochaine": the week is another request (a span
        # taking Thursday back), not the week of that Thursday.
        rest = rest[: rest.index("semaine")]
    if rest[:2] in (["en", "huit"], ["en", "8"]):
        return _DateExpr(base + timedelta(days=7), False, False), j + 2
    if rest[:2] in (["en", "quinze"], ["en", "15"]):
        return _DateExpr(base + timedelta(days=14), False, False), j + 2
    if "semaine" in rest:
        s = j + rest.index("semaine")
        monday = today - timedelta(days=today.weekday())
        number = _day_number_at(tokens, s + 2) if tokens[s + 1 : s + 2] == ["du"] else None
        if number is not None:
            # "jeudi de la semaine du 7 décembre": the Thursday of that week
            week, end = _number_expr(tokens, number, today)
            if week is not None and week.day is not None:
                that = week.day - timedelta(days=week.day.weekday() - weekday)
                return _DateExpr(that, week.certain, False), end
        if s + 1 < n and tokens[s + 1] in ("prochaine", "suivante"):
            return _DateExpr(monday + timedelta(days=7 + weekday), True, False), s + 2
        if _week_after(tokens, s):  # "jeudi de la semaine d'après": the week after next
            return _DateExpr(monday + timedelta(days=14 + weekday), False, False), s + 3
        if s + 1 < n and tokens[s + 1] in _PAST_WORDS:
            return _DateExpr(monday - timedelta(days=7 - weekday), True, False), s + 2
        if s > 0 and tokens[s - 1] == "cette":
            return _DateExpr(monday + timedelta(days=weekday), True, False), s + 1
    if this and today.weekday() == weekday:
        return _DateExpr(today, False, True), j  # "ce vendredi" said on a Friday: today
    return _DateExpr(coming, False, True), j


def _nth_weekday_expr(
    tokens: Sequence[str], i: int, today: date, breaks: Collection[int]
) -> tuple[_DateExpr, int] | None:
    """An ordinal weekday of a month at ``tokens[i]``: "le deuxième jeudi de décembre", "le
    dernier vendredi de janvier 2027". None when the words there are not an ordinal followed
    by a weekday."""
    n = len(tokens)
    if tokens[i] in ("dernier", "derniere"):
        nth, w = -1, i + 1
    else:
        number = _day_number_at(tokens, i)
        if number is None or not number.ordinal:
            return None
        nth, w = number.value, number.end
    if w >= n or w in breaks or tokens[w] not in _WEEKDAYS:
        return None
    weekday = _WEEKDAYS[tokens[w]]
    placed = _month_at(tokens, w + 1)
    if placed is not None and placed.ahead is not None and (1 <= nth <= 5 or nth == -1):
        # "le premier lundi du mois prochain", "le dernier vendredi de ce mois": that month's
        year, month = placed.year_month(today)
        if year is not None:
            return _DateExpr(_nth_weekday(nth, weekday, year, month), True, False), placed.end
    k = w + 1
    while k < n and k - w <= 4 and tokens[k] in ("de", "d", "du", "mois", "en"):
        k += 1
    if k >= n or tokens[k] not in _MONTHS or not (1 <= nth <= 5 or nth == -1):
        # "le premier lundi du mois", "le deuxième jeudi de la rentrée": which month? Not the
        # coming Thursday, which is what the weekday alone would give.
        return _DateExpr(None, False, False), w + 1
    month, end = _MONTHS[tokens[k]], k + 1
    found_year = _year_at(tokens, end, short_ok=False)
    if found_year is not None:
        year, end = found_year
        return _DateExpr(_nth_weekday(nth, weekday, year, month), True, False), end
    for year in range(today.year, today.year + _YEARS_SEARCHED):
        found = _nth_weekday(nth, weekday, year, month)
        if found is not None and found >= today:
            return _DateExpr(found, found - today <= _FAR_AHEAD, False), end
    return _DateExpr(None, False, False), end


_LIST_LINKS = frozenset({"et", "ou", "le", "au"})


def _month_after_list(tokens: Sequence[str], end: int) -> _MonthSaid | None:
    """The month that ends a list of days begun before ``tokens[end]``: "les 3 et 4 décembre",
    "le 3, 4 et 5 décembre" give December to the 3. ``None`` when no such list follows."""
    if end >= len(tokens) or not (tokens[end] in ("et", "ou") or _is_digits(tokens[end])):
        return None  # "tous les trois le 4 décembre": the three children, on the 4th
    linked = False
    j = end
    while j < len(tokens):
        month_at = _month_at(tokens, j)  # "les 3 et 4 décembre", "les 3 et 4 de janvier"
        if month_at is not None:
            return month_at if linked else None
        if tokens[j] in _LIST_LINKS:
            j += 1
            continue
        following = _day_number_at(tokens, j)
        if following is None or not 1 <= following.value <= 31:
            return None
        linked, j = True, following.end
    return None


# Words that join a bare day number to the day said before it: "le 26, 27 et 30", "le 26 ou 27".
_DAY_LIST_LINKS = frozenset({"et", "ou", "puis"})


def _day_listed_after(tokens: Sequence[str], end: int) -> bool:
    """Whether another day of the month is listed just after ``tokens[end]`` (a day number
    said before it): "les 3 et 4", "les 3 et le 4", "les 26 ou 27". Not "les deux et le
    troisième", "les 2 et 3 enfants"."""
    j = end
    if j >= len(tokens) or tokens[j] not in _DAY_LIST_LINKS:
        return False
    j += 1
    if j < len(tokens) and tokens[j] == "le":
        j += 1
    following = _day_number_at(tokens, j)
    return (
        following is not None
        and 1 <= following.value <= 31
        and (not following.ordinal or following.value == 1)
        and not _counted_at(tokens, following.end, _COUNTED_NOUNS)
    )


def _bare_days_listed(tokens: Sequence[str], end: int, first: int) -> bool:
    """Whether the day numbers from ``tokens[end]`` go on a list of days begun by the day
    ``first`` said just before: "le 3, 4 et 5" (commas are not words), "les 3 4 5 et 6", each
    number bigger than the one before and the list ended by "et"/"ou" and a last day said
    without a month. The 4 is then the 4th, not April: "3 4" alone (the 3rd of April, as on
    the keypad) and "le 21 11 et le 22 11" (two dates with their months) are not lists."""
    j, previous = end, first
    while True:
        following = _day_number_at(tokens, j)
        if following is None or following.ordinal or not previous < following.value <= 31:
            return False
        if _day_listed_after(tokens, following.end):
            k = following.end + 1 + (tokens[following.end + 1 : following.end + 2] == ["le"])
            last = _day_number_at(tokens, k)
            return last is not None and _number_at(tokens, last.end) is None
        j, previous = following.end, following.value


def _starts_day_list(tokens: Sequence[str], number: _Number) -> bool:
    """Whether the day ``number`` begins a list of days of the month: "les 3 et 4", "les 3, 4
    et 5" (:func:`_day_listed_after`, :func:`_bare_days_listed`)."""
    return _day_listed_after(tokens, number.end) or _bare_days_listed(
        tokens, number.end, number.value
    )


def _listed_after(
    tokens: Sequence[str], exprs: Sequence[_DateExpr], spans: Sequence[tuple[int, int]], k: int
) -> date | None:
    """The day said just before ``tokens[k]`` as a day number ("le 26" in "le 26, 27 et 30"),
    when at most a word of a list joins them: a bare number there is the next day of the list.
    ``None`` otherwise."""
    if not exprs or exprs[-1].day is None or exprs[-1].weekday_only or exprs[-1].negated:
        return None
    start, end = spans[-1]
    if not 0 < end <= k or k - end > 1 or not set(tokens[end:k]) <= _DAY_LIST_LINKS:
        return None
    if end == k and tokens[start] in _WEEKDAYS:
        return None  # "jeudi 26, 27": no word of a list; a correction word would make it one
    return exprs[-1].day if _number_at(tokens, end - 1) is not None else None


def _ends_a_span(
    tokens: Sequence[str], exprs: Sequence[_DateExpr], spans: Sequence[tuple[int, int]], k: int
) -> bool:
    """Whether the date at ``tokens[k]`` ends a span begun by the date just before it: "le 7
    au 11" (the days between are meant too, as in "du 7 au 11")."""
    return bool(exprs) and k >= 2 and tokens[k - 1] == "au" and spans[-1][1] == k - 1


def _number_expr(
    tokens: Sequence[str],
    number: _Number,
    today: date,
    corrected: _DateExpr | None = None,
    free: int = 0,
    listed_after: date | None = None,
) -> tuple[_DateExpr | None, int]:
    """A date starting with a day number ("le 3", "21/11", "3 décembre"); None if it is not one.

    ``corrected``: the date said just before, which this one corrects ("3 décembre, non, 4"):
    a bare day number is then a date too, in that date's month or the next not past.
    ``free``: where the words that belong to no date said before start. ``listed_after``: the
    day said just before in a list (:func:`_listed_after`): a bare number is then a day of its
    month, or of the next one when smaller ("le 30 et 2": 2 December)."""
    if not 1 <= number.value <= 31 or (number.ordinal and number.value != 1):
        return None, number.end  # "le premier" is a date, "le deuxième" is not
    if number.ordinal and tokens[number.end : number.end + 1] in (["jour"], ["jours"]):
        return None, number.end  # "le premier jour de la rentrée", "… possible": no 1st
    if number.end < len(tokens) and tokens[number.end] in _HOUR_WORDS:
        return None, number.end  # "jeudi 12h": an hour, not the 12th
    if _counted_at(tokens, number.end, _COUNTED_NOUNS):
        return None, number.end  # "pour le premier enfant", "le 2 repas": a count
    dated = _day_month_at(tokens, number, None, today)
    if dated is not None:
        return dated
    listed = _month_after_list(tokens, number.end)
    if listed is not None:  # "les 3 et 4 décembre": the 3rd of December too
        year, month = listed.year_month(today)
        j = number.end
        while j < len(tokens) and tokens[j] in _LIST_LINKS:
            j += 1
        following = _day_number_at(tokens, j)
        if following is not None and following.value < number.value:
            # "le 30 et le 1er décembre": days listed in order, across the end of a month; the
            # 30th is November's, the month before the one said, not the 30th of December.
            later = _day_month_expr(following.value, month, year, None, today)
            if later.day is None:
                return later, number.end
            month_before = later.day.replace(day=1) - timedelta(days=1)
            found = _make_date(month_before.year, month_before.month, number.value)
            return _DateExpr(found, later.certain and found is not None, False), number.end
        return _day_month_expr(number.value, month, year, None, today), number.end
    if corrected is not None and corrected.day is not None:
        # "3 décembre, non, 4", "le 3 janvier, pardon le 4": the 4th of that month, unless past
        # ("le 30 novembre, non, le 1er": the next 1st) or the month was not said ("jeudi,
        # non, 4": the next 4th); "le 30 novembre, non, 31" is no date.
        found = _make_date(corrected.day.year, corrected.day.month, number.value)
        if corrected.weekday_only or found is None or found < today:
            if found is None and not corrected.weekday_only:
                return _DateExpr(None, False, False), number.end
            found = _nearest_day_of_month(number.value, today)
        return _DateExpr(found, False, False), number.end
    if any(tuple(tokens[number.end : number.end + len(r)]) == r for r in _EVERY_MONTH_RUNS):
        # "le 3 de chaque mois": every month, several days (answered one day at a time)
        found = _nearest_day_of_month(number.value, today)
        return _DateExpr(found, False, False, ranged=True), number.end
    said_alone = number.start == 0 and number.end == len(tokens)
    after_article = number.start > 0 and (
        tokens[number.start - 1] in _DAY_ARTICLES
        # "les 3 et 4": "les" before a list of days, as "le 3 et 4"
        or (tokens[number.start - 1] == "les" and _starts_day_list(tokens, number))
    )
    before = _month_before(tokens, number.start, free, today)
    if before is not None:  # "en janvier, le 4", "février le 5"
        month, year = before
        return _day_month_expr(number.value, month, year, None, today), number.end
    if said_alone or after_article:
        return _DateExpr(_nearest_day_of_month(number.value, today), False, False), number.end
    if listed_after is not None and number.value != listed_after.day:
        first = listed_after.replace(day=1)
        if number.value < listed_after.day:
            first = (first + timedelta(days=31)).replace(day=1)
        found = _make_date(first.year, first.month, number.value)
        return _DateExpr(found, False, False), number.end
    return None, number.end


_DAY_ARTICLES = frozenset({"le", "du", "au"})
# Words between "pas" and the date it excludes: "pas le 3", "pas ce jeudi", "pas pour demain".
_NEGATION_SKIPPED = frozenset({"le", "la", "l", "ce", "cette", "pour"})
# "pas" before a date excludes the date when it starts a clause ("non, pas demain") or follows
# one of these ("non pas demain", "c'est pas lundi", "je veux pas jeudi"). After another verb it
# negates the verb and the date is the day meant: "il mange pas demain" cancels tomorrow. Not
# "et"/"mais": in "il mange lundi mais pas mardi" the day to cancel is Tuesday. An infinitive
# is not negated by a "pas" after it ("ne pas annuler"): "annuler pas lundi, mardi" is Tuesday.
# The verbs of a change asked for (not "manger", which says what happens on the day).
_REQUEST_VERBS = frozenset(
    {"annuler", "annule", "annulez", "reserver", "reserve", "reservez", "decommander",
     "commander", "inscrire", "desinscrire", "ajouter", "retirer", "supprimer"}
)  # fmt: skip
_DATE_NEGATION_LEADS = frozenset(
    {
        "non", "est", "etait", "veux", "voudrais", "voulais", "souhaite", "surtout",
        "enfin", "euh", "bon", "annuler", "reserver", "decommander", "commander", "inscrire",
        "desinscrire", "ajouter", "retirer", "supprimer",
    }
)  # fmt: skip


def _negated_at(tokens: Sequence[str], start: int, breaks: Collection[int]) -> bool:
    """Whether the date expression starting at ``tokens[start]`` is said to be excluded:
    "non pas demain, jeudi", "pas le 3, le 4", "ni mardi"."""
    if start > 0 and tokens[start - 1] == "la" and tokens[start] in _WEEKDAYS:
        return False  # "il est pas là jeudi": "là" (weekdays are masculine), not an article
    k = start
    while k > 0 and k not in breaks and tokens[k - 1] in _NEGATION_SKIPPED:
        k -= 1
    if k == 0 or k in breaks:
        return False
    if tokens[k - 1] == "ni":
        return True  # "pas lundi ni mardi": neither (unless the day before was meant: see below)
    if tokens[k - 1] in _STRONG_EXCLUDING or tokens[k - 2 : k] == ["a", "part"]:
        return True  # "toute la semaine sauf jeudi", "à part le 3"
    if _instead_of_at(tokens, k):
        return True  # "lundi au lieu de jeudi", "à la place du 3": not that day
    if k >= 2 and tokens[k - 1] in ("pas", "non") and tokens[k - 2] in ("et", "mais"):
        # "annuler vendredi mais pas jeudi", "vendredi et non jeudi": a day left out of the
        # change asked; but "il mange lundi mais pas mardi" says the day to cancel.
        clause = max((b for b in breaks if b <= k), default=0)
        return _REQUEST_VERBS.intersection(tokens[clause:k]) != set()
    if tokens[k - 1] != "pas":
        return False
    p = k - 1
    return p == 0 or p in breaks or tokens[p - 1] in _DATE_NEGATION_LEADS


def _denied_apart(
    tokens: Sequence[str], spans: Sequence[tuple[int, int]], k: int, breaks: Collection[int]
) -> bool:
    """Whether the date ``spans[k]`` is "pas" and a day after another day, in a clause of its
    own: "Nathan mange vendredi, pas jeudi" (in a statement of who eats, Thursday's
    cancellation; after a request's verb, a day left out of it)."""
    start = spans[k][0]
    return k > 0 and start >= 1 and tokens[start - 1] == "pas" and start - 1 in breaks


def _instead_of_at(tokens: Sequence[str], k: int) -> bool:
    """Whether the date expression whose first word (its article included) is ``tokens[k]``
    follows "au lieu de", "à la place de", "remplace" or "plutôt … que": "lundi au lieu de
    jeudi", "le 4 au lieu du 3", "vendredi à la place de jeudi", "vendredi plutôt que jeudi"."""
    j = k - 1 if k > 0 and tokens[k - 1] in ("de", "d") else k
    if j > 0 and (_in_place_of(tokens, j - 1) or _rather_than(tokens, j - 1)):
        return True
    if k >= 2 and tokens[k - 1] in ("le", "l") and _rather_than(tokens, k - 2):
        return True  # "le 30 plutôt que le 26"
    return k >= 2 and tokens[k - 2] == "lieu" and tokens[k - 1] in ("de", "du", "d")


# Words between "plutôt" and its "que" when the day meant is said between them ("plutôt le
# 30 novembre que le 26"): no more than a date's.
_RATHER_GAP_MAX = 3


def _rather_than(tokens: Sequence[str], k: int) -> bool:
    """Whether ``tokens[k]`` is the "que" of "X plutôt que Y" or "plutôt X que Y" (X said
    instead of Y): what follows is what the change is instead of, as after "au lieu de"."""
    if tokens[k] not in ("que", "qu"):
        return False
    return _RATHER in tokens[max(0, k - 1 - _RATHER_GAP_MAX) : k]


def _joined_by_ni(tokens: Sequence[str], start: int) -> bool:
    k = start
    while k > 0 and tokens[k - 1] in _NEGATION_SKIPPED:
        k -= 1
    return k > 0 and tokens[k - 1] == "ni"


# A date after these bounds a span of days: "jusqu'à vendredi", "à partir du 3", "dès lundi".
_RANGE_WORDS = frozenset(
    {"jusqu", "jusque", "jusqua", "jusquau", "partir", "depuis", "des", "chaque"}
)  # "chaque jeudi" too: every Thursday


def _starts_range(tokens: Sequence[str], start: int) -> bool:
    k = start
    while k > 0 and tokens[k - 1] in _NEGATION_SKIPPED | {"a", "au", "du", "de", "d"}:
        k -= 1
    return k > 0 and tokens[k - 1] in _RANGE_WORDS


_WEEK_OF_LINKS = frozenset({"du", "de", "d"})
_WEEK_STARTS = (("qui", "commence", "le"), ("qui", "debute", "le"), ("commencant", "le"))


def _names_a_week(tokens: Sequence[str], start: int) -> bool:
    """Whether the date at ``tokens[start]`` names a week: "la semaine du 7 décembre", "la
    semaine du lundi 7", "la semaine qui commence le 7"."""
    if start >= 2 and tokens[start - 1] in _WEEK_OF_LINKS:
        return tokens[start - 2] in ("semaine", "semaines")
    for run in _WEEK_STARTS:
        k = start - len(run)
        if k >= 1 and tuple(tokens[k:start]) == run and tokens[k - 1] == "semaine":
            return True
    return False


def _date_tokens(text: str) -> tuple[list[str], frozenset[int]]:
    """The tokens of ``text`` and the indexes where its clauses start (punctuation ends one)."""
    tokens = _tokens(text)
    starts = {0}
    joined: list[str] = []
    for clause in _clauses(text):
        starts.add(len(joined))
        joined.extend(clause)
    if joined != tokens:  # not expected; then only the start of the text starts a clause
        return tokens, frozenset({0})
    return tokens, frozenset(starts)


# A day counted from another, in days: "le lendemain", "le jour d'après", "la veille". Said
# alone, from the date the caller just heard, else from today; "le lendemain de jeudi", "la
# veille du 4", from the date said next. Not "le jeudi d'après", a week on: see shifted_day.
_DAY_STEPS = (
    (("surlendemain",), 2), (("lendemain",), 1), (("jour", "d", "apres"), 1),
    (("jour", "suivant"), 1), (("avant", "veille"), -2), (("veille",), -1),
    (("jour", "d", "avant"), -1), (("jour", "precedent"), -1),
)  # fmt: skip
_ANCHOR_LINKS = frozenset({"de", "du", "d"})


def _day_step_at(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """The days a phrase at ``tokens[i]`` counts from another day ("le lendemain" 1, "le
    surlendemain" 2, "la veille" -1) and the index after it; None when there is none."""
    for run, steps in _DAY_STEPS:
        if tuple(tokens[i : i + len(run)]) == run:
            return steps, i + len(run)
    return None


def _school_day_step(day: date, steps: int) -> tuple[date, bool]:
    """``day`` moved by ``steps`` days, and on past a weekend in the same direction, as there
    are no school meals then: the day after Friday 27 November is Monday 30, the day before
    Monday 30 is Friday 27. Also whether that weekend was passed (the caller should hear the
    day read back). Other days without meals (Wednesdays, holidays) are the school's, which
    the flow knows and says."""
    said = day + timedelta(days=steps)
    found = said
    while found.weekday() >= 5:
        found += timedelta(days=1 if steps > 0 else -1)
    return found, found == said


def _date_exprs(
    tokens: Sequence[str],
    today: date,
    breaks: Collection[int] = (0,),
    heard: date | None = None,
) -> list[_DateExpr]:
    """Every date expression in the tokens, left to right (``breaks``: where clauses start;
    ``heard``: a date said just before the tokens, which they may correct: "non, le 5")."""
    return _date_spans(tokens, today, breaks, heard)[0]


def _date_spans(
    tokens: Sequence[str],
    today: date,
    breaks: Collection[int] = (0,),
    heard: date | None = None,
) -> tuple[list[_DateExpr], list[tuple[int, int]]]:
    """:func:`_date_exprs`, and where each expression is in the tokens (its first and
    after-last index)."""
    exprs: list[_DateExpr] = []
    spans: list[tuple[int, int]] = []  # the tokens of each expression
    if heard is not None:
        exprs.append(_DateExpr(heard, True, False))
        spans.append((0, 0))
    i = 0
    n = len(tokens)
    # "le lendemain de": the days it counts, where it starts and by when the date it counts
    # from must have started ("de jeudi", "du 3 décembre", "de ce jeudi")
    anchor: tuple[int, int, int] | None = None
    while i <= n:
        if anchor is not None and (i > anchor[2] or i == n):
            # "le lendemain de la rentrée": from a day not understood here, no date
            exprs.append(_DateExpr(None, False, False))
            spans.append((anchor[1], i))
            anchor = None
        if i == n:
            break
        start = i
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else ""
        expr: _DateExpr | None = None
        if token == "ce" and nxt == "midi":
            expr = _DateExpr(today, True, False)  # "ce midi": today's meal
            i += 2
        elif token == "aujourd" or token == "aujourdhui":
            expr = _DateExpr(today, True, False)
            i += 2 if nxt == "hui" else 1
        elif token == "apres" and nxt == "demain":
            expr = _DateExpr(today + timedelta(days=2), True, False)
            i += 2
        elif token == "avant" and nxt == "hier":
            expr = _DateExpr(today - timedelta(days=2), True, False)
            i += 2
        elif token == "demain":
            expr = _DateExpr(today + timedelta(days=1), True, False)
            i += 1
        elif token == "hier":
            expr = _DateExpr(today - timedelta(days=1), True, False)
            i += 1
        elif token == "dans" and (number := _number_at(tokens, i + 1)) is not None:
            unit = tokens[number.end] if number.end < n else ""
            if unit in _RELATIVE_UNITS and number.value <= 366:
                days = number.value * _RELATIVE_UNITS[unit]
                idiom = unit.startswith("jour") and number.value in _DAYS_AS_WEEKS
                if idiom:
                    days -= 1  # "dans huit jours" = in a week, "dans quinze jours" = two weeks
                expr = _DateExpr(today + timedelta(days=days), not idiom, False)
                i = number.end + 1
                ahead = _weeks_ahead_at(tokens, start)
                w = i + 1 if tokens[i : i + 1] == ["le"] else i
                if ahead is not None and w < n and tokens[w] in _WEEKDAYS:
                    # "dans deux semaines, jeudi": that Thursday, as "jeudi dans deux
                    # semaines", not the Monday two weeks on that the words alone give.
                    that, end = _weekday_expr(tokens, w, today, breaks, False, False)
                    if that.weekday_only and that.day is not None:
                        first = _weekday_from(that.day.weekday(), today)
                        expr = _DateExpr(first + timedelta(days=ahead[0]), False, False)
                        i = end
            else:
                i = number.end
        elif (step := _day_step_at(tokens, i)) is not None:
            steps, i = step
            if i < n and tokens[i] in _ANCHOR_LINKS and anchor is None:
                anchor = (steps, start, i + 2)  # counted from the date said next
                i += 1
            elif heard is not None:
                # From the date just heard: "le jour d'après" to Thursday 26 read back is
                # Friday 27, not Thursday 3 December.
                found, school_day = _school_day_step(heard, steps)
                expr = _DateExpr(found, school_day, False)
            elif steps > 0:
                # Else from today: "le lendemain" is tomorrow, read back (which day the caller
                # counts from is not known). "La veille" of today is no day to book: None.
                expr = _DateExpr(_school_day_step(today, steps)[0], False, False)
            else:
                expr = _DateExpr(None, False, False)
        elif (whole := _whole_span_at(tokens, i, today)) is not None:
            expr, i = whole  # "toute la semaine prochaine", "tous les jours": a span
        elif (nth := _nth_weekday_expr(tokens, i, today, breaks)) is not None:
            expr, i = nth
        elif token in _WEEKDAYS:
            this = i > 0 and tokens[i - 1] == "ce"
            negated = _negated_at(tokens, i, breaks)
            expr, i = _weekday_expr(tokens, i, today, breaks, this, negated)
        elif (number := _day_number_at(tokens, i)) is not None:
            corrected = _correcting(tokens, exprs, spans, i)
            free = spans[-1][1] if spans else 0
            expr, i = _number_expr(tokens, number, today, corrected, free,
                                   _listed_after(tokens, exprs, spans, i))
        elif token == "en" and nxt in _WEEKS_LATER and (
            (taken := _correcting(tokens, exprs, spans, i)) is not None
        ):
            # "jeudi en 8, non en 15": a fortnight after the day the first "en" counted from
            # (Thursday), not after the day it gave; "jeudi, non, en huit" likewise.
            before = tokens[spans[-1][1] - 2 : spans[-1][1]]
            base = taken.day - timedelta(days=_weeks_later(before)) if taken.day else None
            taken_at, taken_end = spans[-1]
            if base is not None and taken_end - taken_at == 1 and tokens[taken_at] in _WEEKDAYS:
                # "jeudi, non, en huit" said on a Thursday: a week from today, as "jeudi en
                # huit" (the bare "jeudi" taken back was next week's)
                base = _weekday_from(base.weekday(), today)
            later = base + timedelta(days=_WEEKS_LATER[nxt]) if base else None
            expr = _DateExpr(later, False, False)
            i += 2
        else:
            i += 1
        if expr is not None and expr.day is not None and tokens[i : i + 1] == ["en"]:
            weeks = _WEEKS_LATER.get(tokens[i + 1] if i + 1 < n else "")
            if weeks is not None and not expr.weekday_only:
                # "demain en huit": a week after tomorrow ("lundi en huit" is read above)
                expr = _DateExpr(expr.day + timedelta(days=weeks), False, False)
                i += 2
        if expr is not None and anchor is not None:
            # "le lendemain de jeudi", "la veille du 4 décembre": counted from that date
            steps, start, _ = anchor
            anchor = None
            if expr.day is not None:
                found, school_day = _school_day_step(expr.day, steps)
                expr = expr._replace(day=found, certain=expr.certain and school_day)
            expr = expr._replace(weekday_only=False)
        if expr is not None:
            negated = _negated_at(tokens, start, breaks)
            if negated and exprs and _joined_by_ni(tokens, start):
                # "il ne mange pas jeudi ni vendredi": neither day at the canteen, so both
                # meant; "non, pas lundi ni mardi": neither meant.
                negated = exprs[-1].negated
            # "jusqu'à vendredi", "la semaine du 7 décembre": a span of days
            ranged = (expr.ranged or _starts_range(tokens, start) or _names_a_week(tokens, start)
                      or _ends_a_span(tokens, exprs, spans, start)
                      or _rest_of_week_at(tokens, i) is not None
                      or ((month_end := _month_end_said(tokens[i:])) is not None
                          and month_end[0] == 0))
            exprs.append(expr._replace(negated=negated, ranged=ranged))
            spans.append((start, i))
    offset = 1 if heard is not None else 0
    _listed_weekdays(tokens, exprs, spans, offset, today)
    said = _corrected(tokens, exprs, spans)
    # Again, for a list said instead of another ("lundi et mardi de la semaine prochaine, non
    # pardon, mardi et jeudi": the corrected Tuesday is next week's, and so is Thursday).
    _listed_weekdays(tokens, said, spans, offset, today)
    _swapped_weekdays(tokens, said, spans, offset, today)
    return (said[1:], spans[1:]) if heard is not None else (said, spans)


# The words between a day and the day it replaces or is denied against: "vendredi au lieu de
# jeudi", "jeudi 3 mais pas vendredi", "ne mange pas jeudi mais vendredi", "plutôt que".
_SWAP_MARKS = frozenset({"lieu", "place", "plutot", "remplace", "mais", "pas", "non"})
_SWAP_WORDS = _SWAP_MARKS | {"au", "a", "la", "de", "du", "d", "le", "et", "que"}


def _swapped_weekdays(
    tokens: Sequence[str],
    exprs: list[_DateExpr],
    spans: Sequence[tuple[int, int]],
    first: int,
    today: date,
) -> None:
    """A weekday alone beside the day it replaces or is denied against, when that day is said
    precisely, is of its week: "Nathan mange vendredi 4 au lieu de jeudi" is Thursday 3, "jeudi
    3 mais pas vendredi" Friday 4, "vendredi en huit au lieu de jeudi" the Thursday before it
    (each alone would be the coming one: a rushed "oui" would change the wrong meal)."""
    for m in range(first, len(exprs) - 1):
        gap = tokens[spans[m][1] : spans[m + 1][0]]
        if not gap or not _SWAP_MARKS.intersection(gap) or not set(gap) <= _SWAP_WORDS:
            continue
        # A day refused before the one meant ("non, pas mardi en huit mais lundi") says
        # nothing of its week; a day replaced ("vendredi au lieu du jeudi 3") or left out after
        # the one asked ("annuler vendredi mais pas jeudi la semaine prochaine") does.
        replaced = "plutot" in gap or any(
            _in_place_of(tokens, j) for j in range(spans[m][1], spans[m + 1][0])
        )
        for bare, precise in ((m, m + 1), (m + 1, m)):
            one, other = exprs[bare], exprs[precise]
            if (
                (replaced or not other.negated or precise > bare)
                and one.weekday_only
                and not other.weekday_only
                and one.day is not None
                and other.day is not None
                and not one.ranged
                and not other.ranged
                and tokens[spans[bare][0]] in _WEEKDAYS
            ):
                monday = other.day - timedelta(days=other.day.weekday())
                that = monday + timedelta(days=one.day.weekday())
                if that != one.day and that >= today:  # (inferred: read back, never certain)
                    exprs[bare] = one._replace(day=that, certain=False, weekday_only=False)


# Words that join the days of a list: "lundi et mardi", "lundi puis le mardi", "lundi, mardi".
_WEEKDAY_LIST_LINKS = frozenset({"et", "puis", "le", "ainsi", "que"})
_LIST_GAP_MAX = 4  # words between two days of one list: "pour Nathan et", "et pour Rose le"


def _one_list(tokens: Sequence[str]) -> bool:
    """Whether the words between two weekdays join them into one list (see _NOT_ONE_LIST)."""
    return len(tokens) <= _LIST_GAP_MAX and not _NOT_ONE_LIST.intersection(tokens)


def _week_after(tokens: Sequence[str], s: int) -> bool:
    """Whether "semaine" at ``tokens[s]`` is "la semaine d'après": said of now, the week after
    next (after the next one, as "le lundi d'après"; a week after a day just heard is
    :func:`shifted_day`'s)."""
    return tokens[s + 1 : s + 3] == ["d", "apres"]


def _free_week(tokens: Sequence[str], spans: Sequence[tuple[int, int]]) -> int | None:
    """A week said apart from any day ("annuler mardi pour Rose la semaine prochaine", "la
    semaine prochaine, réserver mardi pour Nathan"), not taken back: how many weeks from this
    one (1 next week, 0 this week); ``None`` when there is none."""
    used = {k for start, end in spans for k in range(start, end)}
    for s, token in enumerate(tokens):
        # Not a week taken back ("non, la semaine prochaine"); a request's verb before it is
        # no such thing ("annuler la semaine prochaine le jeudi").
        before = set(tokens[max(0, s - 3) : s]) - _REQUEST_VERBS
        if token != "semaine" or s in used or _NOT_ONE_LIST.intersection(before):
            continue
        if tokens[s + 1 : s + 2] in (["prochaine"], ["suivante"]):
            return 1
        if _week_after(tokens, s):
            return 2
        if s > 0 and tokens[s - 1] == "cette":
            return 0
    return None


def _listed_weekdays(
    tokens: Sequence[str],
    exprs: list[_DateExpr],
    spans: Sequence[tuple[int, int]],
    first: int,
    today: date,
) -> None:
    """Weekdays said as a list are days of one stretch, in the order said (``exprs`` changed in
    place, from ``exprs[first]``):

    - what follows the last one is said of them all: "lundi et mardi de la semaine prochaine",
      "jeudi et vendredi de cette semaine", "lundi et mardi 1er décembre", "lundi et mardi en
      huit" are days of the week of the last one (each alone would be the coming Monday);
    - bare weekdays that, each read alone, fall in one week are that week's days, in whatever
      order said: "vendredi et jeudi" said on a Monday is this Thursday and Friday;
    - else each comes after the one before it: "lundi et mardi" said on a Monday is Monday 30
      November and Tuesday 1 December, not tomorrow and the Monday after; "lundi, mardi, jeudi
      et vendredi prochains" one week's days.

    A week said apart from the days ("mardi pour Rose la semaine prochaine") is said of every
    weekday of the phrase. A choice ("lundi ou mardi de la semaine prochaine") shares what
    follows its last day too, but each day of "lundi, mardi ou jeudi ?" is the nearest such
    day, as alone.
    """
    week = _free_week(tokens, spans)
    # (a day excluded too: "annuler vendredi mais pas jeudi la semaine prochaine", "Rose mange
    # lundi au lieu de jeudi la semaine prochaine")
    days = [e for e in exprs[first:] if e.day is not None]
    if week is not None and days and all(e.weekday_only for e in days):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week)
        for m in range(first, len(exprs)):
            expr = exprs[m]
            if expr.day is not None:
                that = monday + timedelta(days=expr.day.weekday())
                exprs[m] = expr._replace(day=that, certain=week == 1, weekday_only=False)
        return
    choice = "ou" in tokens
    k = first
    while k < len(exprs):
        end = k
        while (
            end + 1 < len(exprs)
            # (both meant after "ni": "il ne mange pas lundi ni mardi", see _date_spans)
            and _one_list([t for t in tokens[spans[end][1] : spans[end + 1][0]] if t != "ni"])
            and all(_a_weekday(tokens, exprs[m], spans[m]) for m in (end, end + 1))
            and exprs[end].weekday_only
        ):
            end += 1
        if end > k:
            _one_stretch(tokens, exprs, spans, k, end, ordered=not choice)
        k = end + 1


def _a_weekday(tokens: Sequence[str], expr: _DateExpr, span: tuple[int, int]) -> bool:
    """Whether ``expr`` is a weekday said for itself (not excluded, nor a span's bound)."""
    return (
        tokens[span[0] : span[0] + 1] != []
        and tokens[span[0]] in _WEEKDAYS
        and expr.day is not None
        and not expr.negated
        and not expr.ranged
    )


def _one_stretch(
    tokens: Sequence[str],
    exprs: list[_DateExpr],
    spans: Sequence[tuple[int, int]],
    k: int,
    end: int,
    ordered: bool,
) -> None:
    """The weekdays ``exprs[k..end]`` of a list (see :func:`_listed_weekdays`); ``ordered``:
    a list, whose days come one after the other (not a choice)."""
    last = exprs[end]
    if not last.weekday_only and last.day is not None:
        # Each day before the last is the one before it ("vendredi et lundi 30", said on a
        # Thursday: Friday 27, then Monday 30; "lundi et mardi de la semaine prochaine").
        anchor = last.day
        # A week said after the last ("vendredi et jeudi de la semaine prochaine") dates every
        # day of the list in it, whatever the order said (not Friday of this week).
        week = "semaine" in tokens[spans[end][0] : spans[end][1]]
        monday = anchor - timedelta(days=anchor.weekday())
        for m in range(end - 1, k - 1, -1):
            weekday = _WEEKDAYS[tokens[spans[m][0]]]
            if week:
                anchor = monday + timedelta(days=weekday)
            else:
                anchor -= timedelta(days=(anchor.weekday() - weekday - 1) % 7 + 1)
            exprs[m] = exprs[m]._replace(day=anchor, certain=last.certain, weekday_only=False)
        return
    if not ordered:
        return
    alone = [exprs[m].day for m in range(k, end + 1) if spans[m][1] - spans[m][0] == 1]
    mondays = {day - timedelta(days=day.weekday()) for day in alone if day is not None}
    if len(alone) == end - k + 1 and len(mondays) == 1:
        # Bare weekdays that, each alone, fall in one week are that week's, whatever the order
        # said: "vendredi et jeudi" on a Monday is this Thursday and Friday, not Thursday
        # next week. "Lundi et mardi" on a Monday still comes one after the other: alone,
        # Monday is next week's and Tuesday tomorrow.
        return
    for m in range(k + 1, end + 1):
        before, expr = exprs[m - 1].day, exprs[m]
        if before is not None and expr.day is not None and expr.day <= before:
            weekday = _WEEKDAYS[tokens[spans[m][0]]]
            after = before + timedelta(days=(weekday - before.weekday() - 1) % 7 + 1)
            exprs[m] = expr._replace(day=after, certain=False)


_WEEKS_LATER = {"huit": 7, "8": 7, "quinze": 14, "15": 14}  # "lundi en huit", "en quinze"

# "toute la semaine", "toutes les semaines", "tout le mois", "tous les jours": a span of days,
# whose first day is its week's Monday ("prochaine", "suivante": next week's) or today.
_WHOLE_SPANS = (
    ("toute", "la", "semaine"), ("toutes", "les", "semaines"), ("tout", "le", "mois"),
    ("tous", "les", "jours"),
)  # fmt: skip


def _whole_span_at(tokens: Sequence[str], i: int, today: date) -> tuple[_DateExpr, int] | None:
    """The span of days said from ``tokens[i]`` ("toute la semaine prochaine") and the index
    after it, as one ranged expression: said after a date with a correction word ("jeudi,
    non, toute la semaine prochaine") it takes that date back and the caller asked for
    several days. ``None`` when there is none."""
    for run in _WHOLE_SPANS:
        if tuple(tokens[i : i + len(run)]) == run:
            end = i + len(run)
            first = today
            if run[-1] == "semaine":
                first = today - timedelta(days=today.weekday())
                if tokens[end : end + 1] in (["prochaine"], ["suivante"]):
                    first += timedelta(days=7)
                    end += 1
            return _DateExpr(first, False, False, ranged=True), end
    return None


def _weeks_later(words: Sequence[str]) -> int:
    """The days "en huit" / "en quinze" add, when ``words`` are these two words; else 0."""
    if len(words) == 2 and words[0] == "en":
        return _WEEKS_LATER.get(words[1], 0)
    return 0


def _correcting(
    tokens: Sequence[str], exprs: Sequence[_DateExpr], spans: Sequence[tuple[int, int]], i: int
) -> _DateExpr | None:
    """The date just said, when only correction words ("non", "pardon", "plutôt"...) are
    between it and ``tokens[i]``: what a bare number said there corrects ("3 décembre, non, 4",
    "jeudi 26, non 27"). None otherwise."""
    if not exprs or exprs[-1].day is None:
        return None
    gap = tokens[spans[-1][1] : i]
    if _CORRECTION_MARKERS.intersection(gap) and _CORRECTION_GAP.issuperset(gap):
        return exprs[-1]
    return None


# A date taken back by the next one: "jeudi, non, vendredi", "le 3, pardon le 4", "jeudi ou
# plutôt vendredi", "lundi, enfin je veux dire mardi".
_CORRECTION_MARKERS = frozenset({"non", "pardon", "plutot", "enfin", "dire", "oups"})
# Words that, between two weekdays, make them something else than one list sharing what is said
# after the last ("jeudi, non, vendredi de la semaine prochaine": a correction; "lundi mais pas
# mardi"): between the days of a list, only links and who the days are for ("mardi pour
# Nathan et jeudi pour Margaux de la semaine prochaine").
# A verb between them makes two requests ("réserver jeudi pour Rose et annuler jeudi").
_NOT_ONE_LIST = frozenset(
    {
        "pas", "ni", "mais", "sauf", "excepte", "hormis", "sans", "ne", "n", "annuler",
        "reserver", "decommander", "commander", "inscrire", "desinscrire", "ajouter", "retirer",
        "supprimer", "arreter",
    }
) | _CORRECTION_MARKERS  # fmt: skip
_CORRECTION_GAP = _CORRECTION_MARKERS | frozenset(
    {
        "euh", "heu", "ou", "mais", "je", "j", "veux", "voulais", "excusez", "excuse", "moi", "ah",
        "attendez", "attends", "alors", "finalement",
    }
) | _NEGATION_SKIPPED  # fmt: skip
# "plutôt vendredi que jeudi", "vendredi plutôt que jeudi": the day after "que" is not meant.
_RATHER = "plutot"


# A hesitation between two dates: "le 26 euh le 27".
_FALTERS = frozenset({"euh", "heu"})


def _said_again(tokens: Sequence[str], start: int, gap: Sequence[str]) -> bool:
    """Whether the date at ``tokens[start]``, said with "le", is followed by a hesitation and
    "le" again (``gap``, the words up to the next date): "le 26 euh le 27", "le jeudi, euh, le
    vendredi" are the caller starting again, not a list ("le 26 et le 27")."""
    return (
        start > 0
        and tokens[start - 1] == "le"
        and len(gap) >= 2
        and gap[-1] == "le"
        and set(gap[:-1]) <= _FALTERS
    )


def _corrected(
    tokens: Sequence[str], exprs: list[_DateExpr], spans: Sequence[tuple[int, int]]
) -> list[_DateExpr]:
    """``exprs`` with each date the caller took back marked excluded: one followed, with only
    correction words between them ("non", "pardon", "plutôt"…), by a date that is not itself
    excluded ("jeudi, non pas vendredi" keeps Thursday). A weekday alone said instead of a
    precise date is the one of that date's week when that is not earlier ("le 3 décembre, non,
    vendredi" is Friday 4 December, not the coming Friday 27 November)."""
    for k in range(len(exprs) - 1):
        gap = tokens[spans[k][1] : spans[k + 1][0]]
        words = [t for t in gap if t not in _NEGATION_SKIPPED and t not in ("du", "d", "de")]
        lead = spans[k][0]
        while lead > 0 and tokens[lead - 1] in _NEGATION_SKIPPED:
            lead -= 1
        rather = words[-1:] == ["que"] and (
            words[:-1] == [_RATHER] or (not words[:-1] and lead > 0 and tokens[lead - 1] == _RATHER)
        )
        if rather and not exprs[k].negated:
            exprs[k + 1] = exprs[k + 1]._replace(negated=True)  # "plutôt X que Y": X
            continue
        # "le lundi euh le mardi et le jeudi": a list said on after the hesitation is the
        # caller finding the next day, not starting again; each day is read back anyway
        listed_on = k + 2 < len(exprs) and _one_list(tokens[spans[k + 1][1] : spans[k + 2][0]])
        # "jeudi, euh, vendredi plutôt": the "plutôt" said after the day meant instead
        rather_after = (
            tokens[spans[k + 1][1] : spans[k + 1][1] + 1] == [_RATHER]
            and tokens[spans[k + 1][1] + 1 : spans[k + 1][1] + 2] != ["que"]
        )
        if (
            not exprs[k + 1].negated
            and (
                _CORRECTION_MARKERS.intersection(gap)
                or rather_after
                or (_said_again(tokens, spans[k][0], gap) and not listed_on)
            )
            and _CORRECTION_GAP.issuperset(gap)
        ):
            taken, said = exprs[k], exprs[k + 1]
            exprs[k] = taken._replace(negated=True)
            if k + 2 < len(exprs) and _one_list(tokens[spans[k + 1][1] : spans[k + 2][0]]):
                # A list said instead of a list ("lundi et mardi de la semaine prochaine, non
                # pardon, mardi et jeudi"): the whole first list is taken back.
                j = k
                while j > 0 and _one_list(tokens[spans[j - 1][1] : spans[j][0]]):
                    j -= 1
                    exprs[j] = exprs[j]._replace(negated=True)
            if said.weekday_only and said.day and taken.day and not taken.weekday_only:
                week_of = taken.day + timedelta(days=said.day.weekday() - taken.day.weekday())
                if week_of > said.day:
                    exprs[k + 1] = said._replace(day=week_of, certain=False)
    return exprs


def parse_date(
    text: str, today: date, heard: date | None = None, action: Intent | None = None
) -> DateGuess | None:
    """The meal date said in ``text``, relative to ``today`` (never the system clock).
    ``heard``: the date the caller just heard read back, which a bare number after a
    correction word corrects ("non, le 5" to "lundi 4 janvier" is the 5th of January), and
    from which "le lendemain", "le jour d'après", "le surlendemain", "la veille" count (to
    Thursday 26 November, "le jour d'après" is Friday 27; past a weekend, without school meals,
    Monday, not certain). Without ``heard`` they count from today ("le lendemain" is tomorrow,
    not certain; "la veille" no date); "le lendemain de jeudi", "la veille du 4 décembre" count
    from the date said.

    Understood: "aujourd'hui", "demain", "après-demain", "hier", "dans 3 jours", "dans huit
    jours" (a week), "dans deux semaines"; weekdays ("lundi" = the next Monday strictly after
    today; "ce jeudi", "jeudi prochain" likewise, but "vendredi prochain" said on a Thursday is
    next week's, not tomorrow; "lundi en huit" = the coming Monday, today included, + 7 days,
    "en quinze" + 14, as "jeudi dans deux semaines", "dans quinze jours, jeudi"; "mardi de la
    semaine prochaine" = the Tuesday of next calendar week); "ce vendredi" said on a Friday is
    today; "jeudi dernier", "lundi passé", "le jeudi d'avant", "jeudi de la semaine dernière" =
    that weekday strictly before today (certain: the caller is then told it is past); "le 3"
    (the next 3rd of a month that is not past); "lundi 4" (the nearest 4th if a Monday, else the
    4th of the month after if a Monday, else the nearest 4th whatever its weekday: "mardi 3" on
    23 November 2026 is Thursday 3 December, read back with its weekday, never a Tuesday the 3rd
    months ahead); "le 21 novembre", "vingt et un novembre", "le 1er décembre", "1 er décembre",
    "le premier décembre", "le 4 de janvier", "le 4 du mois de janvier", "le 4 en janvier", the
    month first ("en janvier, le 4", "février le 5"), the month by its place ("le 26 du mois
    prochain", "le 10 le mois prochain", "le mois prochain, le 10": next month's; "le 4 de ce
    mois-ci": this month's, even past, certain as "jeudi dernier"), "le 21/11", "21 11",
    "21/11/2026", "jeudi 3 décembre", "jeudi 04/02/2027", "le 3 décembre 2026" / "deux mille
    vingt-six"; "le deuxième jeudi de décembre", "le dernier vendredi de janvier" (the nearest
    not past), "le premier lundi du mois prochain"; "jeudi de la semaine du 7 décembre". A
    weekday tied to a school event ("le lundi de la rentrée") or an ordinal weekday without a
    month gives ``None``. A number that counts ("jeudi, 2 repas", "lundi, 2e enfant", "jeudi 1
    seul repas") is not a day of the month: the weekday alone stands; one that says how long
    ("lundi, 3 jours", "jeudi, pour 2 semaines") makes a span.

    A date said to be excluded is left out: "non, pas demain, jeudi", "non pas demain mais
    jeudi", "pas le 3, le 4 décembre" give the other date; "pas demain" alone gives ``None``.
    "pas" excludes the date when it starts a clause or follows "non", "c'est", "je veux";
    after another verb ("il mange pas demain") the date is the day meant. A date taken back
    ("jeudi, non, vendredi", "le 3, pardon le 4") gives the next one; right after it a bare
    number is a day of the taken-back date's month ("3 décembre, non, 4" is 4 December, "jeudi
    26, non 27" the 27th) and "en quinze" counts from the same day ("jeudi en 8, non en 15" is
    Thursday + 14 days). Spans ("jusqu'à vendredi", "la semaine du 7 décembre", "lundi, 3
    jours", "le 3 de chaque mois") give ``None``: see :func:`several_days`.

    A date without a year is the nearest such date that is not past (today counts), so
    "29 février" may be years ahead. An impossible date ("31 février", "29 février 2027")
    gives ``None``; so do several different dates, and no date. A weekday that disagrees with
    the date ("lundi 3 décembre" when that is a Thursday) gives the numeric date with
    ``certain=False``; a weekday said next to a more precise date that agrees with it
    confirms it. An explicit year is taken as said, even in the past.

    A day said to stay as it is, beside another day, is not the one meant either: "annuler
    jeudi, vendredi c'est bon", "annuler jeudi mais vendredi elle mange normalement", "jeudi
    elle mange pas, vendredi elle mange" are Thursday (for ``action``, the change asked at that
    step, or the one the phrase asks: see :func:`parse_action`; a day said to eat is left out
    of a cancellation, one said to be absent out of a booking).
    """
    try:
        tokens, breaks = _date_tokens(text)
        keyed = _keyed_digits(tokens)
        if keyed is not None:  # "2, 6, 1, 1": the keys the line asked for, said
            day = parse_digits_date(keyed, today)
            return DateGuess(day, True) if day is not None else None
        found, spans = _date_spans(tokens, today, breaks, heard)
    except OverflowError:  # past year 9999 or before year 1
        return None
    if heard is None:
        found = _days_staying(text, tokens, found, spans, action)
    if _listed_beside(tokens, found, spans):
        return None  # "demain et lundi": two days (see several_days)
    # A date said to be excluded ("non, pas demain, jeudi") is not the one meant.
    exprs = [expr for expr in found if not expr.negated]
    if all(expr.day is None and not expr.ranged for expr in exprs):
        # No date but a feast's ("le vendredi de l'Ascension", "à la Pentecôte")?
        feast = feast_day_said(text, today)
        if feast is not None:
            return DateGuess(feast, True)
    if not exprs or any(expr.day is None or expr.ranged for expr in exprs):
        return None  # nothing, an impossible date, or a span ("jusqu'à vendredi")
    precise = [expr for expr in exprs if not expr.weekday_only]
    chosen = precise or exprs
    days = {expr.day for expr in chosen}
    if len(days) != 1:
        return None
    day = days.pop()
    assert day is not None
    certain = any(expr.certain for expr in chosen)
    if precise and len(precise) < len(exprs):
        # A weekday said beside a precise date ("demain jeudi"): it must agree with it.
        said = {expr.day.weekday() for expr in exprs if expr.weekday_only and expr.day}
        if said != {day.weekday()}:
            certain = False
    return DateGuess(day, certain)


def _listed_beside(
    tokens: Sequence[str], exprs: Sequence[_DateExpr], spans: Sequence[tuple[int, int]]
) -> bool:
    """Whether a weekday alone and a precise date are said as two days of a list ("demain et
    lundi", "le 4 décembre puis lundi", "il ne mange pas demain ni jeudi"), not one day named
    twice ("demain jeudi")."""
    for k in range(len(exprs) - 1):
        a, b = exprs[k], exprs[k + 1]
        if a.negated or b.negated or a.day is None or b.day is None:
            continue
        gap = tokens[spans[k][1] : spans[k + 1][0]]
        listed = bool({"et", "puis"} & set(gap)) and _one_list(gap)
        # (both meant: "ni" after a denied verb, see _date_spans; "non, pas demain ni jeudi"
        # excludes both)
        if a.weekday_only != b.weekday_only and (listed or _joined_by_ni(tokens, spans[k + 1][0])):
            return True
    return False


def _days_staying(
    text: str,
    tokens: Sequence[str],
    exprs: list[_DateExpr],
    spans: Sequence[tuple[int, int]],
    action: Intent | None,
) -> list[_DateExpr]:
    """``exprs`` with the days said to stay as they are marked excluded, when another day is
    meant: "vendredi c'est bon", "vendredi elle mange (normalement)" beside "annuler jeudi"
    (see :func:`parse_date`). Only read when two days or more are said."""
    meant = [k for k, expr in enumerate(exprs) if not expr.negated and expr.day is not None]
    if len(meant) < 2:
        return exprs
    reading = _read(text)
    if reading.tokens != tuple(tokens):
        return exprs  # not expected (see _date_tokens)
    parts = reading.parts
    stances = {k: _stance_at(_part_at(parts, spans[k][0])) for k in meant if spans[k][1] > 0}
    if len(set(stances.values())) < 2:
        return exprs
    ruling = _ruling(parts, set(stances.values()), action)
    wanted = _STANCE_OF.get(ruling) if ruling is not None else None
    moved = _moved_parts(tokens, parts, [spans[k][0] for k in meant])
    staying = {  # "vendredi c'est bon" whatever the change; "vendredi elle mange" for one
        k
        for k, stance in stances.items()
        if stance is _Stance.AS_IS
        or (
            wanted is not None
            and stance in _OPPOSITE
            and stance is not wanted
            # "elle mangera vendredi à la place", "mais il mange vendredi": a change of its
            # own, not a day that stays
            and _part_at(parts, spans[k][0]) not in moved
        )
    }
    if not staying or len(staying) == len(meant):
        return exprs
    return [expr._replace(negated=True) if k in staying else expr for k, expr in enumerate(exprs)]


def _said_in_place(tokens: Sequence[str], part: _Part) -> bool:
    """Whether ``part`` ends with "à la place" said of itself, not of a day after it ("elle
    mangera vendredi à la place", not "à la place de jeudi"): what it says replaces what was
    said before it."""
    for k in range(part.start + 2, part.end):
        if _in_place_of(tokens, k) and tokens[k] == "place":
            return k + 1 >= part.end or tokens[k + 1] not in ("de", "du", "d", "des")
    return False


def _keyed_digits(tokens: Sequence[str]) -> str | None:
    """The four keys of a keypad date said aloud ("2, 6, 1, 1", "deux six un un", "non, je
    tape zéro quatre un deux", "2611"), else ``None``. Read as a date, "deux six un un" would
    be the 2nd and the 6th."""
    said = [t for t in tokens if t not in _KEY_WORDS and t not in _KEY_LEAD_INS]
    keys = [t if len(t) == 1 and _is_digits(t) else _KEY_VALUES.get(t) for t in said]
    if len(keys) == 4 and all(keys):
        return "".join(k for k in keys if k)
    if len(said) == 1 and len(said[0]) == 4 and _is_digits(said[0]):
        return said[0]
    return None


_KEY_LEAD_INS = frozenset({"le", "non", "attendez", "pardon"})


def day_said_after_les(text: str, today: date) -> DateGuess | None:
    """ "Les 3", "c'est les 26" said to the date question: the day of the month, as "le 3"
    (:func:`parse_date`). Only a number written in digits, said alone: "les trois" in words
    is more often the three children, and :func:`parse_children` reads "les 3" so at the
    other questions. ``None`` otherwise. Pure; never raises."""
    tokens = _tokens(text)
    numbers = _numbers(tokens)
    if len(numbers) != 1:
        return None
    number = numbers[0]
    if not number.digits or number.start == 0 or tokens[number.start - 1] != "les":
        return None
    others = [*tokens[: number.start - 1], *tokens[number.end :]]
    if not set(others) <= _CHOICE_STOPWORDS - _CHILD_WORDS:
        return None  # "les 3 enfants", "les 3 jours"
    said = [*tokens[: number.start - 1], "le", *tokens[number.start :]]
    return parse_date(" ".join(said), today)


def several_days(text: str, today: date, action: Intent | None = None) -> bool:
    """Whether ``text`` asks for several days at once: two different dates ("du 30 novembre
    au 4 décembre", "lundi et mardi"), a week ("toute la semaine prochaine", "la semaine du 7
    décembre"), a count of days ("lundi, 3 jours") or a day of every month ("le 3 de chaque
    mois").
    The phone line changes one day at a time and says so, instead of "not understood". A
    phrase :func:`parse_date` reads as one date ("demain jeudi", "pas lundi, mardi") is not
    several days, and a date said to be excluded does not count, nor one said to stay as it
    is ("annuler jeudi, vendredi c'est bon": see :func:`parse_date`), nor days school starts
    again ("lundi et mardi à la rentrée": see :func:`return_day_said`)."""
    if parse_date(text, today, action=action) is not None:
        return False
    if return_day_said(text, today) is not None:
        return False  # their dates are the calendar's (not this week's Monday and Tuesday)
    try:
        tokens, breaks = _date_tokens(text)
        if _keyed_digits(tokens) is not None:
            return False  # "trois un un un": keys of a date that does not exist, one date
        exprs, spans = _date_spans(tokens, today, breaks)
    except OverflowError:
        return False
    exprs = _days_staying(text, tokens, exprs, spans, action)
    meant = [expr for expr in exprs if expr.day is not None and not expr.negated]
    # "pas lundi, mardi" is one day (Tuesday), not two.
    if len({expr.day for expr in meant}) > 1 or any(expr.ranged for expr in meant):
        return True
    # "toute la semaine prochaine", "tous les jours", "les trois premiers jours", and with
    # days left out ("toute la semaine sauf jeudi"); not "pas dans trois jours".
    if meant or (exprs and not _STRONG_EXCLUDING.intersection(tokens) and "part" not in tokens):
        return False
    if _DAYS_COUNTED.intersection(tokens) or {"semaine", "semaines", "mois"} & set(tokens):
        return True  # "tous les jeudis", "toute la semaine", "tout le mois de décembre"
    # "jusqu'aux vacances", "jusqu'à Noël": a span, to a day not named
    if holidays_said(text, today) is not None:
        return True  # "pendant les vacances de Noël": the holidays' days
    return not exprs and bool(_RANGE_WORDS.intersection(tokens) - {"des"})


# The most days a phrase may list for the phone line to take them one after the other: a
# school week. Beyond it, the web site is the better tool (and a long call the worse one).
MAX_DAYS_SAID = 5


def days_said(text: str, today: date, action: Intent | None = None) -> list[date]:
    """The days ``text`` names one by one ("jeudi et vendredi", "les 3 et 4 décembre", "lundi,
    mardi et jeudi prochains"), in order, when it names from two to :data:`MAX_DAYS_SAID`;
    else an empty list: one day or none, a span ("du 30 novembre au 4 décembre", "toute la
    semaine", "jusqu'à vendredi"), days counted ("tous les jeudis", "3 jours"), a day that
    does not exist, or a choice ("jeudi ou vendredi": see :func:`days_to_choose`). Days said
    to be excluded, or to stay as they are ("annuler jeudi, vendredi c'est bon"), are not
    listed; the one day a list leaves ("lundi et mardi sauf mardi": Monday) is given alone.
    Pure; never raises."""
    days, tokens = _listed_days(text, today, action)
    return [] if "ou" in tokens else days


def days_to_choose(text: str, today: date, action: Intent | None = None) -> list[date]:
    """The days ``text`` offers as a choice ("jeudi ou vendredi", "le 3 ou le 4 décembre",
    "lundi, mardi ou jeudi"), in order: the caller does not know which one, and the line asks.
    Empty otherwise: one day ("jeudi ou plutôt vendredi" is Friday), days named together
    ("jeudi et vendredi": :func:`days_said`), a span. Pure; never raises."""
    days, tokens = _listed_days(text, today, action)
    return days if "ou" in tokens and "et" not in tokens and len(days) > 1 else []


class DaySpan(NamedTuple):
    """A bounded span of days said at once (see :func:`span_said`): every day from ``first``
    to ``last``, both included, whichever are school days (the flow asks the calendar)."""

    first: date
    last: date
    # "jusqu'à vendredi": from the first day that can still change, not from today (the days
    # before it, past their deadline, are said together in one sentence, not each refused)
    from_open: bool = False
    # "toute la semaine sauf jeudi": the days named after "sauf", not taken. One outside
    # ``first``..``last`` ("du lundi au jeudi sauf vendredi") is the caller's mistake unless
    # it has no school meal anyway (the flow asks the calendar).
    left_out: tuple[date, ...] = ()


# Words before the first day of a span ("du lundi", "de lundi", "à partir du 7") and between
# its two days ("au", "à", "jusqu'à", "jusqu'au").
_SPAN_FROM = (("du",), ("de",), ("d",), ("le",), ("a", "partir", "de"), ("a", "partir", "du"),
              ("a", "partir", "d"))  # fmt: skip
_SPAN_TO = (("au",), ("a",), ("jusqu", "a"), ("jusqu", "au"), ("jusque", "a"), ("jusque", "au"),
            ("jusque",), ("jusqua",), ("jusquau",))  # fmt: skip
# "entre le 7 et le 11", "entre lundi et jeudi": the same as "du … au …"
_SPAN_BETWEEN = (("entre",), ("entre", "le"))
_SPAN_AND = (("et",), ("et", "le"))
# Words before the days a span leaves out: "toute la semaine sauf jeudi", "à part le mercredi".
_SPAN_EXCEPT = (("sauf",), ("excepte",), ("hormis",), ("a", "part"))
# "jusqu'à la fin de la semaine (prochaine)": up to the Sunday of that week
_WEEK_END = (("la", "fin", "de", "la", "semaine"), ("la", "fin", "de", "cette", "semaine"))
_UNTIL_WORDS = frozenset({"jusqu", "jusque", "jusqua", "jusquau"})
# Said right after a day, the days after it to the end of its week: "jeudi et le reste de la
# semaine", "jeudi jusqu'à la fin de la semaine", "jeudi et les jours suivants" (a sick child's
# week: "les jours suivants" read to the end of that week, which the read-back names, rather
# than an open count of days). "Jeudi et le reste de la semaine prochaine": next week's
# Thursday (the week is said of the day too: _free_week) and the days after it.
_REST_OF_WEEK = (
    *(
        (*lead, *week)
        for lead in (
            ("et", "le", "reste"), ("et", "tout", "le", "reste"), ("et", "la", "suite"),
            ("et", "la", "fin"), *((*until, "la", "fin") for until in _SPAN_TO
                                   if until[0] in _UNTIL_WORDS),
        )
        for week in (("de", "la", "semaine"), ("de", "cette", "semaine"))
    ),
    ("et", "les", "jours", "suivants"), ("et", "les", "jours", "d", "apres"),
    ("et", "les", "jours", "qui", "suivent"),
    ("et", "les", "autres", "jours", "de", "la", "semaine"),
)  # fmt: skip
# Said with a span, these make it something else: open-ended or counted ("tous les jeudis",
# "chaque lundi", "3 jours", "à partir de jeudi" alone), a choice ("ou"), days left out other
# than after the first "sauf" ("sans jeudi"; see _SPAN_EXCEPT), a month, several weeks ("la
# semaine prochaine et la suivante"), an end other than a week's ("jusqu'à la fin du mois").
_NOT_A_SPAN = (
    _DAYS_COUNTED
    | _STRONG_EXCLUDING
    | {"ou", "chaque", "tous", "toutes", "mois", "depuis", "des", "part", "suivantes",
       "prochaines", "fin", "debut", "vacances", "rentree"}
)  # fmt: skip
# Words that name another week than the one said: "et la suivante", "et celle d'après".
_OTHER_WEEK = frozenset({"suivante", "suivant", "prochaine", "apres", "celle"})
_LONGEST_SPAN = timedelta(days=62)  # beyond it, no span the line could take anyway


def _run_before(tokens: Sequence[str], start: int, runs: Sequence[tuple[str, ...]]) -> bool:
    """Whether one of ``runs`` ends just before ``tokens[start]``."""
    return any(tuple(tokens[max(0, start - len(r)) : start]) == r for r in runs)


def _week_span(tokens: Sequence[str], today: date, acted: bool) -> tuple[DaySpan, int] | None:
    """The week said in ``tokens`` as a span ("toute la semaine prochaine", "toute cette
    semaine", "toute la semaine de Noël", "annuler la semaine prochaine" with ``acted``, a
    change said), and the index of
    "semaine"; ``None`` when none is. This week is from today on; said on a weekend, "cette
    semaine" is the one that starts on Monday (this one has no school day left)."""
    weeks = [s for s, token in enumerate(tokens) if token in ("semaine", "semaines")]
    if len(weeks) != 1 or tokens[weeks[0]] != "semaine":
        return None
    s = weeks[0]
    if any(t in _OTHER_WEEK for k, t in enumerate(tokens) if not s < k <= s + 2):
        return None  # "toute la semaine prochaine et la suivante": two weeks
    whole = tuple(tokens[max(0, s - 2) : s]) in (("toute", "la"), ("toute", "cette"))
    this = s > 0 and tokens[s - 1] == "cette"
    after = tokens[s + 1 : s + 3]
    monday = today - timedelta(days=today.weekday())
    if after[:1] in (["prochaine"], ["suivante"]) or after == ["d", "apres"]:
        if not (whole or (acted and s > 0 and tokens[s - 1] == "la")):
            return None  # "jeudi, la semaine prochaine", "non, la semaine suivante"
        # "la semaine d'après": after the next one
        monday += timedelta(days=14 if after == ["d", "apres"] else 7)
    elif after == ["de", "noel"]:
        if not (whole or (acted and s > 0 and tokens[s - 1] == "la")):
            return None  # "jeudi, la semaine de Noël": a day of it (not taken here)
        return _christmas_week(today), s
    elif after[:1] in (["derniere"], ["passee"], ["precedente"], ["du"], ["de"], ["d"]):
        return None  # past, or "la semaine du 7 décembre" (see span_said)
    elif not (this and (whole or acted)) and not (whole and tokens[s - 1] == "la"):
        return None  # "la semaine" alone: which one?
    elif today.weekday() >= 5:
        monday += timedelta(days=7)  # "cette semaine" said on a Sunday: the coming one
    return DaySpan(max(monday, today), monday + timedelta(days=6)), s


def _christmas_week(today: date) -> DaySpan:
    """ "La semaine de Noël": Monday to Friday of the week of 25 December (the school week a
    parent means: "du lundi 21 au vendredi 25 décembre"), this year's while its Friday is not
    past, else next year's; from today when under way."""
    for year in (today.year, today.year + 1):
        christmas = date(year, 12, 25)
        monday = christmas - timedelta(days=christmas.weekday())
        friday = monday + timedelta(days=4)
        if friday >= today:
            break
    return DaySpan(max(monday, today), friday)


# "tous les jours" before a span's own words is that span, not days counted: "tous les jours
# de la semaine prochaine" is "toute la semaine prochaine", "tous les jours du 7 au 11" is "du
# 7 au 11". Alone, or before other words ("tous les jours à midi"), it stays open-ended.
_EVERY_DAY = ("tous", "les", "jours")
_EVERY_DAY_OF_WEEK = (("de", "la", "semaine"), ("de", "cette", "semaine"))


def _every_day_of_span(
    tokens: Sequence[str], breaks: frozenset[int]
) -> tuple[list[str], frozenset[int]]:
    """``tokens`` with "tous les jours" said before a span's words read as that span ("tous
    les jours de la semaine prochaine" as "toute la semaine prochaine", "tous les jours
    jusqu'à vendredi" as "jusqu'à vendredi"), and the clause starts moved with them; as they
    are otherwise."""
    n = len(_EVERY_DAY)
    for i in range(len(tokens) - n):
        if tuple(tokens[i : i + n]) != _EVERY_DAY:
            continue
        after = tokens[i + n :]
        if any(tuple(after[: len(run)]) == run for run in _EVERY_DAY_OF_WEEK):
            said, cut = ["toute"], n + 1  # "tous les jours de" -> "toute"
        elif (
            after[0] in ("du", "entre") or after[0] in _UNTIL_WORDS
            or (after[0] == "de" and len(after) > 1 and after[1] in _WEEKDAYS)
        ):
            said, cut = [], n  # "du 7 au 11", "jusqu'à vendredi", "de lundi à jeudi"
        else:
            continue
        shift = len(said) - cut
        moved = frozenset(b if b <= i else max(i, b + shift) for b in breaks)
        return [*tokens[:i], *said, *tokens[i + cut :]], moved
    return list(tokens), breaks


# "Pour tous", "pour tous les enfants", "pour tous les trois" after a span: every child, said
# to the children's reader (parse_children), not days counted ("tous les jeudis" stays one).
_EVERY_CHILD_OF = frozenset({"les", "mes", "nos"})
_EVERY_CHILD_WHO = frozenset({*_KIN, "deux", "trois", "quatre", "cinq", "2", "3", "4", "5"})


def _without_every_child(
    tokens: Sequence[str], breaks: frozenset[int]
) -> tuple[list[str], frozenset[int]]:
    """``tokens`` without the words that say every child ("toute la semaine prochaine pour
    tous", "…pour tous les enfants", "…pour tous les trois"), and the clause starts moved
    with them; as they are when there are none, or when "tous" counts days ("pour tous les
    jeudis")."""
    for i in range(len(tokens) - 1):
        if tokens[i] != "pour" or tokens[i + 1] not in ("tous", "toutes"):
            continue
        end = i + 2
        if tokens[end : end + 1] and tokens[end] in _EVERY_CHILD_OF:
            if not (tokens[end + 1 : end + 2] and tokens[end + 1] in _EVERY_CHILD_WHO):
                continue  # "pour tous les jeudis": days
            end += 2
        elif tokens[end : end + 1] and tokens[end] in ("ceux", "celles", "ce", "ces"):
            continue  # "pour tous ceux qui…": not plainly the children
        cut = end - i
        moved = frozenset(b if b <= i else max(i, b - cut) for b in breaks)
        return [*tokens[:i], *tokens[end:]], moved
    return list(tokens), breaks


def span_said(text: str, today: date, acted: bool | None = None) -> DaySpan | None:
    """The bounded span of days ``text`` asks for at once, as its first and last days: a week
    ("toute la semaine prochaine", "toute cette semaine" from today, "la semaine du 7
    décembre", "toute la semaine de Noël" Monday to Friday; "la semaine prochaine", "la semaine
    de Noël", "cette semaine" only with a change said, "annuler la
    semaine prochaine", as said alone they are as likely the week of a day to come), two days
    and the days between ("du lundi au jeudi", "de lundi à jeudi", "du 7 au 11 décembre", "du
    7 décembre au 11", "entre le 7 et le 11") or up to a day ("jusqu'à vendredi", "jusqu'à la
    fin de la semaine", "le reste de la semaine": from the first day that can still change,
    ``from_open``), a day and
    the rest of its week ("jeudi et le reste de la semaine", "jeudi et les jours suivants",
    "jeudi jusqu'à la fin de la semaine": Thursday to Sunday); the days named after "sauf",
    "à part", "excepté" are ``left_out`` ("toute la semaine sauf jeudi").
    Said on one of its days ("du 7 au 11 décembre" on the 9th), the span is from today. Which
    of its days are school days is the calendar's, not known here. ``None`` for anything
    else: one day, days listed (:func:`days_said`), an open-ended or counted span ("à partir
    de jeudi", "tous les jeudis", "lundi, 3 jours"; "jusqu'aux vacances" is the calendar's:
    :func:`holidays_eve_said`), several weeks,
    children left out ("toute la semaine sauf pour Rose"), a span ending before it starts.
    ``acted``: whether a change is said (by default, whether the phrase says one:
    :func:`parse_intent`). Pure; never raises."""
    try:
        tokens, breaks = _every_day_of_span(*_without_every_child(*_date_tokens(text)))
        # "toute la semaine sauf jeudi": the span before "sauf", the days it leaves out after
        cut = _span_except_at(tokens)
        rest = [] if cut is None else tokens[cut[1] :]
        if cut is not None:
            tokens, breaks = tokens[: cut[0]], frozenset(b for b in breaks if b < cut[0])
        month_end = _month_end_span(tokens, today)
        week_end = (
            _week_end_span(tokens, today) or month_end or _rest_of_week_span(tokens, today)
        )
        ignored = {"fin"} if week_end is not None else set()
        if month_end is not None and week_end is month_end:
            ignored.add("mois")  # "jusqu'à la fin du mois": the month's end, said
        # "jeudi et les jours suivants": its words say the span, they do not count days
        stretch = next(
            ((k, end) for k in range(len(tokens)) if (end := _rest_of_week_at(tokens, k))), None
        )
        kept = tokens if stretch is None else tokens[: stretch[0]] + tokens[stretch[1] :]
        if _NOT_A_SPAN.intersection(kept + rest) - ignored or _keyed_digits(tokens) is not None:
            return None
        exprs, spans = _date_spans(tokens, today, breaks)
    except OverflowError:
        return None
    meant = [k for k, expr in enumerate(exprs) if not expr.negated]
    if any(exprs[k].day is None for k in meant):
        return None
    if acted is None:
        acted = parse_intent(text, {Intent.BOOK, Intent.CANCEL}) is not None
    found: DaySpan | None = None
    week = _week_span(tokens, today, acted) if week_end is None else None
    if stretch is not None and [spans[k][1] for k in meant] == [stretch[0]]:
        # "jeudi et le reste de la semaine": that day to the end of its week
        day = exprs[meant[0]].day
        assert day is not None
        found = DaySpan(day, day + timedelta(days=6 - day.weekday()))
    elif stretch is not None and week_end is None:
        return None  # "jeudi et vendredi et les jours suivants": the rest of which day's week?
    elif (
        month_end is not None
        and week_end is month_end
        and len(meant) == 1
        and spans[meant[0]][1] == month_end[1][0]  # not "jeudi, non, jusqu'à la fin du mois"
        and (said := _month_end_said(tokens)) is not None
    ):
        # "jeudi jusqu'à la fin du mois", "du 3 décembre jusqu'à fin janvier": from that day
        # ("du mois": the day's own month; "du mois prochain": the one after today's)
        day = exprs[meant[0]].day
        assert day is not None
        found = DaySpan(day, _month_end(today if said[3] else day, said[2], said[3]))
    elif week_end is not None:
        found, (start, stop) = week_end
        # "jusqu'à la fin de la semaine prochaine": no other day said ("la semaine prochaine"
        # is read as a ranged date too)
        if any(not (start <= spans[k][0] and spans[k][1] <= stop) for k in meant):
            return None
    elif week is not None:
        found, s = week
        # Only the week's own words date it ("toute la semaine" is read as a ranged date too).
        if any(not (spans[k][0] <= s < spans[k][1]) for k in meant):
            return None
    elif (named := [k for k in meant if _names_a_week(tokens, spans[k][0])]) and all(
        k in named or tokens[spans[k][0] : spans[k][1]] == ["toute", "la", "semaine"]
        for k in meant
    ):
        # "la semaine du 7 décembre", "toute la semaine du lundi 7" ("toute la semaine" is
        # read as a date of its own): Monday to Sunday
        if len(named) != 1:
            return None
        day = exprs[named[0]].day
        assert day is not None
        monday = day - timedelta(days=day.weekday())
        found = DaySpan(monday, monday + timedelta(days=6))
    elif len(meant) == 2 and meant[1] == meant[0] + 1:
        found = _from_to(tokens, exprs, spans, meant[0])
    elif len(meant) == 1:
        k = meant[0]
        day = exprs[k].day
        start = spans[k][0]
        while start > 0 and tokens[start - 1] in ("le", "a", "au"):
            start -= 1
        if day is not None and start > 0 and tokens[start - 1] in _UNTIL_WORDS and day >= today:
            found = DaySpan(today, day, from_open=True)  # "jusqu'à vendredi"
    if found is None or found.last < found.first or found.last - found.first > _LONGEST_SPAN:
        return None
    if cut is not None:
        try:
            left_out = _span_left_out(found, rest, today)
        except OverflowError:
            return None
        if left_out is None:
            return None  # "toute la semaine sauf pour Rose": no day left out
        found = found._replace(left_out=left_out)
    if found.first < today:
        # "du 7 au 11 décembre" said on the 9th: the days not yet past (the past ones left
        # out are no longer the caller's concern)
        left_out = tuple(day for day in found.left_out if day >= today)
        found = found._replace(first=today, left_out=left_out)
        if found.last < found.first:
            return None
    return found


def _rest_of_week_at(tokens: Sequence[str], i: int) -> int | None:
    """Where the words that stretch the day said just before ``tokens[i]`` to the end of its
    week ("et le reste de la semaine", "et les jours suivants": see _REST_OF_WEEK) end; ``None``
    when they are not there, or name a past week ("… de la semaine dernière")."""
    for run in _REST_OF_WEEK:
        end = i + len(run)
        if tuple(tokens[i:end]) == run and tokens[end : end + 1] not in (
            ["derniere"], ["passee"], ["precedente"]
        ):
            return end
    return None


def _span_except_at(tokens: Sequence[str]) -> tuple[int, int] | None:
    """Where the first words that leave days out of a span ("sauf", "à part", "excepté")
    start and end in ``tokens``; ``None`` when there are none."""
    for i in range(len(tokens)):
        for run in _SPAN_EXCEPT:
            if tuple(tokens[i : i + len(run)]) == run:
                return i, i + len(run)
    return None


def _after_until(
    tokens: Sequence[str], runs: Sequence[tuple[str, ...]]
) -> Iterator[tuple[int, tuple[str, ...], int]]:
    """Each of ``runs`` found in ``tokens`` right after "jusqu'à" (or its like): where it starts,
    the run, and where the "jusqu'à" before it starts, in the order of ``tokens``."""
    until = [r for r in _SPAN_TO if r[0] in _UNTIL_WORDS]
    for i in range(len(tokens)):
        for run in runs:
            if tuple(tokens[i : i + len(run)]) == run and _run_before(tokens, i, until):
                yield i, run, i - max(len(r) for r in until if _run_before(tokens, i, [r]))


def _week_end_span(tokens: Sequence[str], today: date) -> tuple[DaySpan, tuple[int, int]] | None:
    """ "jusqu'à la fin de la semaine (prochaine)": from the first day that can still change
    (``from_open``) to that week's Sunday, and the tokens that say it; ``None`` when not said.
    On a weekend, "la semaine" is the coming one (as in :func:`_week_span`)."""
    for i, run, start in _after_until(tokens, _WEEK_END):
        stop = i + len(run)
        after = tokens[stop : stop + 2]
        monday = today - timedelta(days=today.weekday())
        if after[:1] in (["prochaine"], ["suivante"]) or after == ["d", "apres"]:
            if "cette" in run:
                return None
            monday += timedelta(days=14 if after == ["d", "apres"] else 7)
            stop += 1 if after[:1] != ["d"] else 2
        elif today.weekday() >= 5:
            monday += timedelta(days=7)  # said on a Sunday: the coming week
        return DaySpan(today, monday + timedelta(days=6), from_open=True), (start, stop)
    return None


# "jusqu'à la fin du mois (prochain)", "jusqu'à la fin de ce mois", "… du mois de janvier",
# "jusqu'à fin janvier", "jusqu'à la fin de janvier", "jusqu'à la fin d'avril"
_MONTH_END_LEAD = (("la", "fin"), ("fin",))
_THIS_MONTH = (("du", "mois"), ("de", "ce", "mois"))


def _month_end_said(tokens: Sequence[str]) -> tuple[int, int, int | None, int] | None:
    """Where "jusqu'à la fin du mois", "jusqu'à fin janvier" starts and ends in ``tokens``,
    the month named (``None``: "le mois") and how many months after that one ("du mois
    prochain": 1); ``None`` when not said, or said of a past month ("du mois dernier")."""
    for i, lead, start in _after_until(tokens, _MONTH_END_LEAD):
        k = i + len(lead)
        this = next((r for r in _THIS_MONTH if tuple(tokens[k : k + len(r)]) == r), None)
        if this is not None:
            k += len(this)
            if tokens[k : k + 1] in (["prochain"], ["suivant"]):
                return start, k + 1, None, 1
            if tokens[k : k + 2] == ["d", "apres"]:
                return start, k + 2, None, 1
            if tokens[k : k + 1] in (["de"], ["d"]) and tokens[k + 1 : k + 2] and (
                tokens[k + 1] in _MONTHS
            ):
                return start, k + 2, _MONTHS[tokens[k + 1]], 0  # "du mois de janvier"
            if tokens[k : k + 1] in (["dernier"], ["passe"], ["precedent"]):
                return None  # past
            return start, k, None, 0
        if tokens[k : k + 1] in (["de"], ["d"]):
            k += 1  # "la fin de janvier", "la fin d'avril"
        if tokens[k : k + 1] and tokens[k] in _MONTHS:
            return start, k + 1, _MONTHS[tokens[k]], 0
        # else "la fin de la semaine", "la fin de l'année": not a month's
    return None


def _month_end(since: date, month: int | None, ahead: int) -> date:
    """The last day of the month said from ``since``: its own (``month`` None), ``ahead``
    months after it, or the nearest ``month`` not past ("fin janvier" said in November is next
    year's; said in January, this one)."""
    if month is None:
        first = since.replace(day=1)
        for _ in range(ahead):
            first = (first + timedelta(days=31)).replace(day=1)
    else:
        first = date(since.year + (1 if month < since.month else 0), month, 1)
    return (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)


def _month_end_span(tokens: Sequence[str], today: date) -> tuple[DaySpan, tuple[int, int]] | None:
    """ "Jusqu'à la fin du mois", "jusqu'à fin janvier": from the first day that can still
    change (``from_open``, as "jusqu'à la fin de la semaine": :func:`_week_end_span`) to the
    last day of that month (:func:`_month_end`), and the tokens that say it; ``None`` when not
    said."""
    said = _month_end_said(tokens)
    if said is None:
        return None
    start, stop, month, ahead = said
    return DaySpan(today, _month_end(today, month, ahead), from_open=True), (start, stop)


# "le reste de la semaine", "tout le reste de cette semaine", said alone (after a day, see
# _REST_OF_WEEK): from the first day that can still change to Sunday
_REST_ALONE = tuple(
    (*lead, "reste", "de", *week)
    for lead in (("tout", "le"), ("le",))
    for week in (("la", "semaine"), ("cette", "semaine"))
)


def _rest_of_week_span(
    tokens: Sequence[str], today: date
) -> tuple[DaySpan, tuple[int, int]] | None:
    """ "Le reste de la semaine" said alone: this week from the first day that can still
    change (``from_open``, as "jusqu'à la fin de la semaine": :func:`_week_end_span`), and
    the tokens that say it; ``None`` when not said, said after a day ("jeudi et le reste de
    la semaine": _REST_OF_WEEK), or of another week ("le reste de la semaine prochaine"). On
    a weekend, the coming week."""
    for i in range(len(tokens)):
        for run in _REST_ALONE:
            stop = i + len(run)
            if tuple(tokens[i:stop]) != run or tokens[i - 1 : i] in (["et"], ["tout"]):
                continue
            if tokens[stop : stop + 1] and tokens[stop] in (*_OTHER_WEEK, "derniere", "passee"):
                return None
            monday = today - timedelta(days=today.weekday())
            if today.weekday() >= 5:
                monday += timedelta(days=7)
            return DaySpan(today, monday + timedelta(days=6), from_open=True), (i, stop)
    return None


def _span_left_out(span: DaySpan, tokens: Sequence[str], today: date) -> tuple[date, ...] | None:
    """The days of ``span`` that ``tokens``, said after "sauf", leave out: each weekday named
    ("sauf le mercredi et le vendredi"), each day of the month ("sauf le 9"); one that is not
    in the span is kept as the date it names (the flow refuses it, unless it has no school
    meal anyway). ``None`` when no day is said, or something else than days."""
    exprs, spans = _date_spans(tokens, today)
    if not exprs or any(e.day is None or e.negated or e.ranged for e in exprs):
        return None
    days = [span.first + timedelta(days=n) for n in range((span.last - span.first).days + 1)]
    left_out: set[date] = set()
    for expr, (start, stop) in zip(exprs, spans, strict=True):
        said = expr.day
        assert said is not None
        if expr.weekday_only:
            hit = [d for d in days if d.weekday() == said.weekday()]
            left_out.update(hit or [_next_weekday(said.weekday(), span.last)])
        else:
            month = any(t in _MONTHS for t in tokens[start:stop])
            hit = [d for d in days if d.day == said.day and (d.month == said.month or not month)]
            left_out.update(hit or [said])
    return tuple(sorted(left_out))


def _latest_day_of_month(day: int, last: date) -> date | None:
    """The last date with this day of the month that is not after ``last`` (this month's or
    the one before)."""
    year, month = last.year, last.month
    for _ in range(2):
        try:
            candidate: date | None = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= last:
            return candidate
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return None


def _from_to(
    tokens: Sequence[str], exprs: Sequence[_DateExpr], spans: Sequence[tuple[int, int]], k: int
) -> DaySpan | None:
    """The span from the date ``exprs[k]`` to the next one, when the words around them say so
    ("du lundi au jeudi", "de lundi à jeudi", "du 7 décembre au 11"). A weekday or a day of the
    month alone at the end is the first one from the start ("du lundi 30 au jeudi": 3
    December; "du 28 décembre au 3": 3 January), and a weekday alone at the start the last
    one before the end ("du lundi au 4 décembre": 30 November)."""
    start, end = exprs[k], exprs[k + 1]
    gap = tuple(tokens[spans[k][1] : spans[k + 1][0]])
    between = gap in _SPAN_AND and _run_before(tokens, spans[k][0], _SPAN_BETWEEN)
    if not between and (
        gap not in _SPAN_TO
        or (len(gap) == 1 and not _run_before(tokens, spans[k][0], _SPAN_FROM))
    ):
        return None  # "lundi à jeudi" alone: not said as a span
    first, last = start.day, end.day
    assert first is not None and last is not None
    month_said = any(t in _MONTHS for t in tokens[spans[k + 1][0] : spans[k + 1][1]])
    if month_said and not (start.weekday_only or end.weekday_only) and not any(
        t in _MONTHS for t in tokens[spans[k][0] : spans[k][1]]
    ):
        # "du 7 au 11 décembre": the 7th of December, even past when said on the 9th (the
        # span is then from today: span_said), not the 7th of January
        first = _latest_day_of_month(first.day, last) or first
    if end.weekday_only:
        last = first + timedelta(days=(last.weekday() - first.weekday()) % 7)
    elif last < first and not month_said:
        last = _nearest_day_of_month(last.day, first) or last
    if start.weekday_only and not end.weekday_only:
        first = last - timedelta(days=(last.weekday() - first.weekday()) % 7)
    return DaySpan(first, last)


def _listed_days(
    text: str, today: date, action: Intent | None = None
) -> tuple[list[date], list[str]]:
    """The days :func:`days_said` and :func:`days_to_choose` read, and the phrase's tokens."""
    if not several_days(text, today, action):
        return [], []
    try:
        tokens, breaks = _date_tokens(text)
        exprs, spans = _date_spans(tokens, today, breaks)
    except OverflowError:
        return [], []
    exprs = _days_staying(text, tokens, exprs, spans, action)
    meant = [expr for expr in exprs if not expr.negated]
    if any(expr.day is None or expr.ranged for expr in meant):
        return [], tokens
    if _DAYS_COUNTED.intersection(tokens) or _RANGE_WORDS.intersection(tokens) - {"des"}:
        return [], tokens
    if {"du", "entre"} & set(tokens) and {"au", "et"} & set(tokens):
        return [], tokens  # "du 30 au 4", "entre le 3 et le 7": a span
    if span_said(text, today) is not None:
        return [], tokens  # "de lundi à jeudi": Tuesday too, not two days (span_said)
    if {"semaine", "semaines", "mois"} & set(tokens) and len(meant) < 2:
        return [], tokens  # "toute la semaine"
    # "lundi, mardi et jeudi sauf mardi": a weekday left out is none of the days of the list.
    left_out = {
        expr.day.weekday()
        for expr, (start, _) in zip(exprs, spans, strict=True)
        if expr.negated and expr.day is not None and _left_out_at(tokens, start)
    }
    days = sorted({e.day for e in meant if e.day is not None and e.day.weekday() not in left_out})
    # One day left of a list ("lundi et mardi sauf mardi") is that day, not a span to refuse.
    fewest = 1 if left_out else 2
    return (days if fewest <= len(days) <= MAX_DAYS_SAID else []), tokens


def _left_out_at(tokens: Sequence[str], start: int) -> bool:
    """Whether the date at ``tokens[start]`` follows "sauf", "excepté"… ("sauf le mardi")."""
    j = start - 1
    while j >= 0 and tokens[j] in ("le", "la", "l", "pour"):
        j -= 1
    return j >= 0 and tokens[j] in _STRONG_EXCLUDING


_T = TypeVar("_T")


class Request(NamedTuple):
    """One of several changes asked in one phrase (see :func:`requests_said`)."""

    action: Intent | None  # BOOK or CANCEL; None: not said (the one asked at that step)
    day: date
    children: frozenset[int]  # 1-based indexes in the names; empty: none named


# Words that end one request and start the next: "annuler jeudi pour Rose et lundi pour Nathan"
_REQUEST_LINKS = frozenset({"et", "puis", "ensuite", "mais"})


def _denied_days(
    tokens: Sequence[str],
    said: Sequence[_Said],
    asked: Sequence[tuple[int, int, Intent]],
    dated: Sequence[tuple[tuple[int, int], _DateExpr]],
    breaks: Collection[int] = (),
) -> list[tuple[int, int, Intent]]:
    """Two changes in a statement of who eats that denies a day after another: "Rose mange
    jeudi mais pas vendredi" asks Thursday's meal (a booking: nothing to do if she has it) and
    Friday's cancellation, not both days of one change. The statement and the "pas" before the
    denied day, as intents of their own; nothing when a change is asked in so many words
    ("annuler vendredi mais pas jeudi": Thursday is left out, see _negated_at)."""
    if asked or _REQUEST_VERBS.intersection(tokens):
        return []
    intent_of = {_Stance.EATS: Intent.BOOK, _Stance.ABSENT: Intent.CANCEL}
    opposite = {Intent.BOOK: Intent.CANCEL, Intent.CANCEL: Intent.BOOK}
    stated = [
        (found.start, found.end, intent_of[stance])
        for found in said
        if (stance := _states(found, tokens, tokens)[1]) in intent_of
    ]
    found: list[tuple[int, int, Intent]] = []
    for (start, _end), _expr in dated:
        k = start
        while k > 0 and tokens[k - 1] in _NEGATION_SKIPPED:
            k -= 1
        # Where the other change is said: its "pas", else the day itself (after the link).
        at = k - 1
        if k >= 2 and tokens[k - 1] in ("pas", "non") and tokens[k - 2] in ("mais", "et"):
            before = [entry for entry in stated if entry[0] < k - 2]  # "mange jeudi mais pas …"
        elif k >= 1 and tokens[k - 1] == "pas" and k - 1 in breaks:
            # "mange vendredi, pas jeudi" (not after a denial: "ne mange pas jeudi, pas
            # vendredi" books nothing)
            before = [e for e in stated if e[0] < k - 1 and e[2] is Intent.BOOK]
        elif _instead_of_at(tokens, k):
            before, at = [entry for entry in stated if entry[0] < k - 3], k
        elif k >= 1 and tokens[k - 1] == "mais":
            # "Rose ne mange pas lundi mais jeudi": only after a denial ("mange lundi mais
            # jeudi" says nothing of Thursday)
            before, at = [e for e in stated if e[0] < k - 1 and e[2] is Intent.CANCEL], k
        else:
            continue
        if len(stated) == 1 and before:  # one statement, the other day after it
            found += [before[-1], (at, at + 1, opposite[before[-1][2]])]
    return found


def _moved_parts(
    tokens: Sequence[str], parts: Sequence[_Part], starts: Collection[int]
) -> list[_Part]:
    """The parts of a phrase that state who eats as a change of their own, not as a day that
    stays as it is (see :func:`_days_staying`): one said "à la place" of what comes before it
    ("Rose ne mange pas jeudi, elle mangera vendredi à la place"), or one with its own day
    joined by "mais", "par contre", "et"... to an opposite change or statement with its day
    ("il mange pas jeudi mais il mange vendredi", "pas de cantine jeudi, par contre il mange
    vendredi", "annuler jeudi et vendredi il mange"): Friday was dropped unsaid, and a child
    without Friday's meal ate it unbooked (one already booked hears so). Beside a change
    without a link, a statement still stays: "Rose ne mange pas jeudi, elle mange vendredi".
    ``starts``: where the days said start."""

    def dated(part: _Part) -> bool:
        return any(part.start <= k < part.end for k in starts)

    def joined(part: _Part) -> bool:  # starts with "mais", "par contre", "et"...
        first = tokens[part.start : part.start + 1]
        return bool(_PART_BREAKS.intersection(first) or _PART_LINKS.intersection(first)) or any(
            tuple(tokens[part.start : part.start + len(run)]) == run for run in _PART_BREAK_RUNS
        )

    moved: list[_Part] = []
    for m, part in enumerate(parts):
        if part.asked or part.said not in _OPPOSITE:
            continue
        if _said_in_place(tokens, part):
            moved.append(part)
        elif part.stance is part.said and joined(part) and dated(part):
            opposite = _OPPOSITE[part.said]
            if any(
                dated(other)
                and (other.said is opposite or any(_STANCE_OF[i] is opposite for i in other.asked))
                for other in parts[:m]
            ):
                moved.append(part)
    return moved


def _moved_days(
    tokens: Sequence[str], said: Sequence[_Said], parts: Sequence[_Part], starts: Collection[int]
) -> list[tuple[int, int, Intent]]:
    """Statements of who eats as changes of their own when one of them is (see
    :func:`_moved_parts`): "Rose ne mange pas jeudi, elle mangera vendredi à la place", "il
    mange pas jeudi mais il mange vendredi" are Thursday's cancellation and Friday's
    booking. ``starts``: where the days said start."""
    intent_of = {_Stance.EATS: Intent.BOOK, _Stance.ABSENT: Intent.CANCEL}
    if not _moved_parts(tokens, parts, starts):
        return []
    return [
        (found.start, found.end, intent_of[stance])
        for found in said
        if (stance := _states(found, tokens, tokens)[1]) in intent_of
    ]


def _weeks_kept(
    tokens: Sequence[str],
    dated: Sequence[tuple[tuple[int, int], _DateExpr]],
    asked: Sequence[tuple[int, int, Intent]],
) -> list[tuple[tuple[int, int], _DateExpr]]:
    """``dated`` with a weekday alone said in a request after another's day not taken in an
    earlier week than that day: in "annuler lundi et réserver mardi (à la place)", said on a
    Monday, Tuesday is the one after Monday 30, not tomorrow (a rushed "oui" would change the
    wrong week's meal; "vendredi ... jeudi" stays in Friday's week). Days of one request are
    a list (see :func:`_listed_weekdays`)."""
    kept = list(dated)
    for m in range(1, len(kept)):
        (start, _), expr = kept[m]
        (_, end), before = kept[m - 1]
        if (
            not expr.weekday_only
            or tokens[start] not in _WEEKDAYS
            or expr.day is None
            or before.day is None
            or expr.negated
            or before.negated
            or not any(end <= a < start for a, _, _ in asked)
        ):
            continue
        monday = before.day - timedelta(days=before.day.weekday())
        if expr.day < monday:
            that = monday + timedelta(days=expr.day.weekday())
            kept[m] = (kept[m][0], expr._replace(day=that, certain=False, weekday_only=False))
    return kept


def requests_said(
    text: str, names: Sequence[str], today: date, action: Intent | None = None
) -> list[Request] | None:
    """The changes ``text`` asks, one per day, when it asks different things of different
    children or days: "annuler jeudi pour Rose et lundi pour Nathan" and "Rose jeudi et Nathan
    lundi, annuler" (Rose's Thursday, then Nathan's Monday), "réserver pour Margaux jeudi et
    annuler pour Rose vendredi" (a booking, then a cancellation), "réserver jeudi pour
    Margaux et annuler pour Rose" (both on Thursday), in the order said. Each part of the
    phrase takes the day, the children or the change it does not say from the part next to
    it ("annuler jeudi et vendredi pour Rose et lundi pour Nathan": Rose's Thursday too); the
    change said nowhere is ``action`` (the one asked at that step) or :func:`parse_action`'s,
    else ``None``. Days said to stay as they are are left out (:func:`parse_date`), and so are
    children (:func:`parse_children` with the change).

    Empty when the phrase asks one change of the same children, for one day or several (the
    line's other parsers read it): "annuler jeudi et vendredi pour Rose", "réserver jeudi".
    ``None`` when it asks several that cannot be told apart: two changes without a day
    ("réserver pour Margaux et annuler pour Rose"), two in one part, two changes of the same
    child on the same day, more than :data:`MAX_DAYS_SAID`. Pure; never raises."""
    try:
        tokens, breaks = _date_tokens(text)
        if _keyed_digits(tokens) is not None:
            return []
        exprs, spans = _date_spans(tokens, today, breaks)
    except OverflowError:
        return []
    reading = _read(text)
    if reading.tokens != tuple(tokens):
        return []
    exprs = _days_staying(text, tokens, exprs, spans, action)
    # "Rose mange lundi au lieu de jeudi": a statement of who eats, and the day it replaces,
    # which a request leaves out ("annuler lundi au lieu de jeudi") but a statement changes.
    instead = not _REQUEST_VERBS.intersection(tokens)
    dated = [
        (spans[k], expr)
        for k, expr in enumerate(exprs)
        if not expr.negated
        or (
            instead
            and (_instead_of_at(tokens, spans[k][0]) or _denied_apart(tokens, spans, k, breaks))
        )
    ]
    if any(expr.day is None or expr.ranged for _, expr in dated):
        return []  # a span, a day that does not exist: one day at a time (several_days)
    asked = [
        (found.start, found.end, intent)
        for found in reading.said
        if (intent := _states(found, tokens, tokens)[0]) is not None
    ]
    asked = sorted(
        [
            *asked,
            *_denied_days(tokens, reading.said, asked, dated, breaks),
            *_moved_days(tokens, reading.said, reading.parts, [s for (s, _), _ in dated]),
        ]
    )
    dated = _weeks_kept(tokens, dated, asked)
    kinds = {intent for _, _, intent in asked}
    if (len(dated) < 2 and len(kinds) < 2) or ("ou" in tokens and len(kinds) < 2):
        return []  # one request; or a choice of days (days_to_choose)
    norm_names = [normalise(name).split() for name in names]
    vocabulary = {k for found in reading.said for k in range(found.start, found.end)}
    named = _name_positions(tokens, norm_names, vocabulary)
    fallback = action if action is not None else parse_action(text, names)
    ruling = next(iter(kinds)) if len(kinds) == 1 else fallback if not kinds else None
    if ruling is not None:
        # "Rose est malade jeudi et vendredi mais Nathan mange": no request of Nathan's
        excluded, _strong = _left_out(tokens, reading.clause_of, norm_names)
        staying, _asked_for = _left_as_they_are(
            tokens, reading.clause_of, reading.said, excluded, ruling
        )
        named -= staying
    named |= {  # "pour tous", "les deux": the children too
        k
        for found in reading.said
        if Intent.ALL in found.phrase.readings and not found.negated
        for k in range(found.start, found.end)
    }
    # Names before the days ("Rose jeudi et Nathan lundi") or after them ("jeudi pour Rose et
    # lundi pour Nathan"): where a request ends when several links are between two days.
    days_start = min((start for (start, _), _ in dated), default=0)
    days_end = max((end for (_, end), _ in dated), default=len(tokens))
    names_first = any(k < days_start for k in named) and not any(k >= days_end for k in named)
    anchors = sorted(
        [*((*span, True) for span, _ in dated), *((a, b, False) for a, b, _ in asked)]
    )
    cuts = [0]
    taken_back: set[int] = set()  # "annuler jeudi, non, réserver jeudi": the first one
    for (_, end, _day), (start, _, day) in itertools.pairwise(anchors):
        if day and not _day:
            continue  # "annuler pour Rose et Nathan jeudi": the change and its day
        links = [
            k
            for k in range(end, start + 1)
            if (k in breaks and k > 0)
            # "annuler jeudi enfin non réserver": a correction ends a request, commas or not
            or (k < start and (tokens[k] in _REQUEST_LINKS or tokens[k] in _CORRECTION_MARKERS))
            # "lundi au lieu de jeudi", "lundi plutôt que jeudi"
            or (k < start and instead and (_in_place_of(tokens, k) or _rather_than(tokens, k)))
        ]
        cut = (links[0] if names_first else links[-1]) if links else 0
        between = [k for k in named if end <= k < start]
        if not links and _day and not day:
            # The other change asked after a day starts a request of its own: at the link
            # after the first change ("jeudi elle mange pas et vendredi elle mange"), else at
            # its verb and subject ("supprimer jeudi remettre vendredi", "annuler jeudi il
            # reprend vendredi")
            this = next(i for a, _, i in asked if a == start)
            other = [b for a, b, i in asked if cuts[-1] <= a < end and i is not this]
            if other:
                joins = [
                    k
                    for k in range(max(other), start)
                    if k in breaks or tokens[k] in _REQUEST_LINKS
                ]
                cut = joins[-1] if joins else start
                while not joins and cut > end and tokens[cut - 1] in _SUBJECT_PRONOUNS:
                    cut -= 1
        elif not links and day and _day and between:
            # "Rose jeudi Nathan lundi" (speech-to-text drops the "et"): a name between two
            # days starts the next request, or ends the one before ("jeudi Rose lundi Nathan")
            cut = min(between) if names_first else start
        if cut > cuts[-1]:
            # (not the "plutôt" of "lundi plutôt que jeudi": both days changed)
            rather = instead and any(_rather_than(tokens, k) for k in range(end, start))
            if (
                _CORRECTION_MARKERS.intersection(tokens[end:start])
                and "plus" not in tokens
                and not rather
            ):
                taken_back.add(len(cuts) - 1)
            cuts.append(cut)
    pieces = list(itertools.pairwise([*cuts, len(tokens)]))
    days = [sorted({e.day for (k, _), e in dated if a <= k < b and e.day}) for a, b in pieces]
    for k in sorted(taken_back):
        if k + 1 < len(pieces) and not days[k + 1]:
            # "annuler jeudi, enfin non, réserver pour Margaux": the change taken back, its
            # day kept for the one said instead.
            days[k + 1] = days[k]
    pieces = [piece for k, piece in enumerate(pieces) if k not in taken_back]
    days = [on for k, on in enumerate(days) if k not in taken_back]
    tail = next((k for k in sorted(breaks) if k >= anchors[-1][1]), len(tokens))
    if any(k >= tail for k in named):
        return []  # "Rose sera absente jeudi et vendredi, Nathan aussi": both, both days
    acts: list[Intent | None] = []
    for a, b in pieces:
        said = {intent for k, _, intent in asked if a <= k < b}
        if len(said) > 1:
            return None  # "réserver et annuler jeudi"
        acts.append(next(iter(said), None))
    acts = _filled(acts, fallback, forward_first=False)
    naming = [any(a <= k < b for k in named) for a, b in pieces]
    kept = [k for k in range(len(pieces)) if days[k] or naming[k]]  # not "…, annuler" alone
    if {acts[k] for k in range(len(pieces)) if k not in kept} - {acts[k] for k in kept}:
        return None  # "réserver et annuler jeudi": a change said of nothing
    children: list[frozenset[int] | None] = []
    for k in kept:
        a, b = pieces[k]
        if not naming[k]:
            children.append(None)
            continue
        clauses = [
            list(tokens[i] for i, _ in group)
            for _, group in itertools.groupby(
                ((i, reading.clause_of[i]) for i in range(a, b)), key=lambda x: x[1]
            )
        ]
        phrases = [
            found._replace(start=found.start - a, end=found.end - a)
            for found in reading.said
            if a <= found.start and found.end <= b
        ]
        found = _children_in(clauses, names, False, acts[k], phrases)
        if found is None:
            return []  # "les deux" of three: the line asks which children, as for one request
        children.append(found)
    filled_days = _filled([days[k] or None for k in kept], None, forward_first=False)
    filled_children = _filled(children, frozenset(), forward_first=not names_first)
    wanted: list[Request] = []
    for k, on, who in zip(kept, filled_days, filled_children, strict=True):
        if not on:
            return None  # no day said for it: one request at a time
        wanted.extend(Request(acts[k], day, who or frozenset()) for day in on)
    if len({(r.action, r.children) for r in wanted}) < 2 and not taken_back:
        return []  # one change, one or several days, for the same children
    unique = list(dict.fromkeys(wanted))
    for first, second in itertools.combinations(unique, 2):
        same = first.children & second.children or not (first.children and second.children)
        if first.day == second.day and first.action != second.action and same:
            return None  # the same child's day booked and cancelled
    return unique if len(unique) <= MAX_DAYS_SAID else None


def said_instead(text: str) -> bool:
    """Whether ``text`` says one change instead of another: "annuler mardi et réserver jeudi
    à la place", "réserver jeudi au lieu de mardi", "plutôt", "ça remplace mardi". Of
    several requests (see :func:`requests_said`), the later then hangs on the earlier. Pure;
    never raises."""
    tokens = normalise(text).split()
    return _RATHER in tokens or any(_in_place_of(tokens, k) for k in range(len(tokens)))


def _filled(
    values: Sequence[_T | None], default: _T | None, forward_first: bool
) -> list[_T | None]:
    """Each ``None`` in ``values`` taken from the nearest value before it (after it with
    ``forward_first``), else from the other side, else ``default``."""
    filled: list[_T | None] = []
    for k, value in enumerate(values):
        if value is None:
            before = next((v for v in reversed(values[:k]) if v is not None), None)
            after = next((v for v in values[k + 1 :] if v is not None), None)
            first, second = (after, before) if forward_first else (before, after)
            value = first if first is not None else second if second is not None else default
        filled.append(value)
    return filled


# School holidays named as the days wanted: "pendant les vacances", "les vacances de Noël".
_HOLIDAY_KINDS = {
    "noel": "christmas", "toussaint": "autumn", "hiver": "winter", "fevrier": "winter",
    "printemps": "spring", "paques": "spring", "ete": "summer", "grandes": "summer",
}  # fmt: skip
_NEAR_HOLIDAYS = frozenset({"avant", "apres", "rentree", "retour", "fin", "debut", "veille"})
_WISHING = frozenset({"bonnes", "bonne", "belles", "joyeuses", "joyeux", "joyeuse"})


# The feasts whose name alone, said as a time ("à la Toussaint", "pour Noël", "pendant la
# Toussaint"), names the school holidays around them (the feast day always falls in them).
_HOLIDAY_FEASTS = frozenset({"toussaint", "noel"})
_FEAST_LEADS = (["a"], ["pour"], ["pendant"], ["durant"], ["a", "la"], ["pour", "la"],
                ["pendant", "la"], ["durant", "la"])  # fmt: skip


def _feast_of_holidays(tokens: Sequence[str]) -> int | None:
    """Where a feast that names school holidays is said as a time ("à la Toussaint", "pour
    Noël"; not "joyeux Noël"), else ``None``."""
    for k, token in enumerate(tokens):
        if token in _HOLIDAY_FEASTS and any(
            k >= len(lead) and list(tokens[k - len(lead) : k]) == lead for lead in _FEAST_LEADS
        ):
            return k
    return None


# School holidays named without "vacances": Easter said as a time ("à Pâques", "pour Pâques",
# "pendant Pâques") is the spring holidays, as parents call them (not "le lundi de Pâques", a
# public holiday, nor "joyeuses Pâques"); "le pont de l'Ascension" is the data set's "Pont de
# l'Ascension".
_EASTER_LEADS = (["a"], ["pour"], ["pendant"], ["durant"])
_ASCENSION_BRIDGE = ("pont", "de", "l", "ascension")


def _holidays_named(tokens: Sequence[str]) -> tuple[int, str] | None:
    """Where holidays are named by a feast or a bridge rather than as "vacances" ("à Pâques",
    "pendant le pont de l'Ascension"), and their kind as :func:`holidays_said` gives it."""
    for k, token in enumerate(tokens):
        if token == "paques" and any(
            k >= len(lead) and list(tokens[k - len(lead) : k]) == lead for lead in _EASTER_LEADS
        ):
            return k, "spring"
        if tuple(tokens[k : k + len(_ASCENSION_BRIDGE)]) == _ASCENSION_BRIDGE:
            return k, "ascension"
    return None


def holidays_said(text: str, today: date) -> str | None:
    """Which school holidays ``text`` asks for as the days wanted ("pendant les vacances",
    "pour les vacances de Noël", "les grandes vacances", "à la Toussaint", "pour Noël"): the
    period's kind ("christmas",
    "autumn", "winter", "spring", "summer"), or ``""`` for the holidays to come, whichever they
    are. ``None`` when the phrase names no holidays, or a date or a span that is not them ("le
    lundi de la rentrée", "jusqu'aux vacances", "le 23 décembre"). Pure; never raises."""
    tokens, breaks = _date_tokens(text)
    k = tokens.index("vacances") if "vacances" in tokens else _feast_of_holidays(tokens)
    named = _holidays_named(tokens) if k is None else None  # "à Pâques", "le pont de l'Ascension"
    k = named[0] if named is not None else k
    if k is None or _RANGE_WORDS.intersection(tokens) - {"des"}:
        return None
    if k > 0 and tokens[k - 1] in _WISHING:
        return None  # "merci, bonnes vacances": a wish, not days asked for
    if _NEAR_HOLIDAYS.intersection(tokens):
        return None  # "avant les vacances", "la rentrée des vacances": a day near them
    try:
        if [expr for expr in _date_exprs(tokens, today, breaks) if not expr.negated]:
            return None
    except OverflowError:
        return None
    if named is not None:
        return named[1]
    near = tokens[max(0, k - 1) : k + 4]
    kind = next((_HOLIDAY_KINDS[t] for t in near if t in _HOLIDAY_KINDS), "")
    if kind == "" and k > 0 and tokens[k - 1] == "en":
        return None  # "on part en vacances la semaine prochaine": the family's, not the school's
    return kind


# Feast days said as one day: the words before the feast's name, the public holiday (its name
# in the ``holidays`` package, normalised) the day is counted from, and how many days after it.
# "Le vendredi de l'Ascension", "le pont de l'Ascension": the Friday after Ascension Day, the
# school calendar's "Pont de l'Ascension"; "la Pentecôte": its Monday, the day off school.
# ("À Pâques", "pendant les vacances de Pâques": school holidays, not one day.)
_FEAST_DAYS: tuple[tuple[tuple[str, ...], str, str, int], ...] = (
    (("vendredi", "de", "l"), "ascension", "ascension", 1),
    (("vendredi", "apres", "l"), "ascension", "ascension", 1),
    (("pont", "de", "l"), "ascension", "ascension", 1),
    (("jeudi", "de", "l"), "ascension", "ascension", 0),
    (("l",), "ascension", "ascension", 0),
    (("lundi", "de", "la"), "pentecote", "lundi de pentecote", 0),
    (("lundi", "de"), "pentecote", "lundi de pentecote", 0),
    (("la",), "pentecote", "lundi de pentecote", 0),
    (("a",), "pentecote", "lundi de pentecote", 0),
    (("lundi", "de"), "paques", "lundi de paques", 0),
)  # fmt: skip
# Said just before a feast day, these make it another day or a span ("la semaine de
# l'Ascension", "avant la Pentecôte", "jusqu'au lundi de Pâques", "le week-end de la
# Pentecôte", "les vacances de Pâques").
_NOT_THE_FEAST = _RANGE_WORDS | _NEAR_HOLIDAYS | {
    "semaine", "vacances", "week", "end", "weekend", "lendemain", "surlendemain", "au", "aux"
}  # fmt: skip


@functools.lru_cache(maxsize=16)
def _public_holidays(year: int) -> dict[str, date]:
    """France's public holidays of ``year`` by their French names, normalised ("lundi de
    pentecote"), from the ``holidays`` package."""
    found = holidays.France(years=year, language="fr")
    return {normalise(name): day for day in found for name in found.get_list(day)}


def feast_day_said(text: str, today: date) -> date | None:
    """The one day a feast names in ``text`` ("est-ce qu'il y a cantine le vendredi de
    l'Ascension ?", "le pont de l'Ascension", "l'Ascension", "le jeudi de l'Ascension", "le lundi
    de Pentecôte", "à la Pentecôte", "le lundi de Pâques"), dated from the public holidays of
    the ``holidays`` package: this year's while not past or gone by within
    :data:`RECENT_PAST` (the line then says it is past), else next year's. ``None`` when no
    such day is said, or a day or span near it ("la semaine de l'Ascension", "avant la
    Pentecôte", "pendant les vacances de Pâques"). Pure; never raises."""
    tokens = _tokens(text)
    for k, token in enumerate(tokens):
        for before, feast, holiday, after in _FEAST_DAYS:
            start = k - len(before)
            if token != feast or start < 0 or tuple(tokens[start:k]) != before:
                continue
            if _NOT_THE_FEAST.intersection(tokens[max(0, start - 2) : start]):
                return None
            for year in (today.year, today.year + 1):
                day = _public_holidays(year).get(holiday)
                if day is not None and today - (day + timedelta(days=after)) <= RECENT_PAST:
                    return day + timedelta(days=after)
            return None
    return None


# Whether there is a canteen, asked: "il y a cantine…", "y a-t-il…", "ya…".
_THERE_IS_RUNS = (("il", "y", "a"), ("y", "a", "t", "il"), ("ya",), ("y", "aura"), ("y", "a"))


def asks_about_holidays(text: str, today: date) -> str | None:
    """Which school holidays ``text`` asks about, as :func:`holidays_said` gives their kind,
    when it is a question ("est-ce qu'il y a cantine pendant les vacances de Noël ?", "il y a
    cantine pendant les vacances d'hiver", "Rose mange à la Toussaint ?") or names them with no
    change asked ("pendant les vacances de Noël"); ``None`` for a change asked for them
    ("annuler pendant les vacances de Noël": the days asked for a change, see
    :func:`several_days`) or no holidays named. Pure; never raises."""
    kind = holidays_said(text, today)
    if kind is None:
        return None
    tokens = normalise(text).split()
    asked = (
        is_question(text)
        or asks_about_day(text)
        or any(_contains_run(tokens, run) for run in _THERE_IS_RUNS)
        or parse_intent(text, {Intent.BOOK, Intent.CANCEL, Intent.LIST}) is None
    )
    return kind if asked else None


# Said of a day near the return, not of the return itself: "avant la rentrée", "la semaine
# de la rentrée", "le lendemain de la rentrée".
_UNTIL_WHEN = (
    ["jusqu", "a", "quand"], ["jusqu", "a", "quelle"], ["jusqu", "a", "quel"], ["jusque", "quand"]
)
_BEFORE_WHEN = (["avant", "quand"], ["avant", "quelle"], ["avant", "quel"])
_AFTER_THE_FEASTS = (
    ("apres", "noel"), ("apres", "les", "fetes"), ("apres", "le", "nouvel", "an"),
    ("apres", "le", "jour", "de", "l", "an"), ("apres", "les", "fetes", "de", "fin", "d", "annee"),
    ("apres", "le", "reveillon"), ("apres", "le", "premier", "de", "l", "an"),
)  # fmt: skip
_NOT_THE_RETURN = frozenset(
    {"avant", "apres", "veille", "lendemain", "surlendemain", "fin", "debut", "semaine"}
)


class ReturnDays(NamedTuple):
    """The days school starts again that a phrase asks for (see :func:`return_day_said`)."""

    kind: str  # the holidays' kind as :func:`holidays_said` gives it; "" for the next ones
    weekdays: tuple[int, ...]  # weekdays said, in order: "lundi et mardi de la rentrée"
    first_days: int  # "les deux premiers jours de la rentrée": 2; else 1


def return_day_said(text: str, today: date) -> ReturnDays | None:
    """Whether ``text`` asks for the day school starts again after holidays ("à la rentrée",
    "le jour de la rentrée", "à la reprise", "au retour des vacances de Noël", "le lundi de la
    rentrée", "après les vacances", "le lundi après les vacances"): those holidays' kind as
    :func:`holidays_said` gives it (``""`` for the holidays under way or to come), the
    weekdays said with it, in order ("le mardi de la rentrée": that day of the week school
    starts again; "lundi et mardi à la rentrée": both), and how many school days from it ("les
    deux premiers jours de la rentrée": 2). ``None`` for anything else, a date said with it
    ("le 4 janvier, à la rentrée"), a span ("jusqu'à la rentrée"), a day near it ("la veille
    de la rentrée", "après la rentrée") or a choice ("lundi ou mardi de la rentrée"). Pure;
    never raises."""
    tokens, breaks = _date_tokens(text)
    words = set(tokens)
    # "après les vacances", "le lundi après les vacances de Noël": the day school starts again
    # (not "après la rentrée", a day after it)
    after = any(
        tokens[k] == "apres" and tokens[k + 1 : k + 3] in (["les", "vacances"], ["ces", "vacances"])
        for k in range(len(tokens))
    )
    # "après Noël", "après les fêtes", "après le nouvel an": the Christmas holidays' end, the
    # next meal a parent means (not Saturday 26 December, nor Friday 1st January: no canteen)
    feasts = any(_contains_run(tokens, run) for run in _AFTER_THE_FEASTS)
    after = after or feasts
    if not ({"rentree", "reprise"} & words or {"retour", "vacances"} <= words or after):
        return None
    near = _NOT_THE_RETURN - {"apres"} if after else _NOT_THE_RETURN
    if feasts and _contains_run(tokens, ("fetes", "de", "fin", "d", "annee")):
        near = near - {"fin"}  # "les fêtes de fin d'année": not the end of a span
    # "jusqu'à quand peut-on annuler pour la rentrée ?", "avant quand dois-je annuler pour la
    # rentrée ?": a question about that day, not a span nor a day before it
    asking = {k for k in range(len(tokens)) if tokens[k : k + 3] in _UNTIL_WHEN} | {
        k for k in range(len(tokens)) if tokens[k : k + 2] in _BEFORE_WHEN
    }
    ranged = {t for k, t in enumerate(tokens) if k not in asking} & _RANGE_WORDS - {"des"}
    if ranged or near & {t for k, t in enumerate(tokens) if k not in asking}:
        return None
    try:
        exprs = _date_exprs(tokens, today, breaks)
    except OverflowError:
        return None
    if any(expr.day is not None and not expr.weekday_only for expr in exprs):
        return None
    # (A weekday of an event is no date to the parser: "le mardi de la rentrée" is read here.)
    weekdays = tuple(dict.fromkeys(_WEEKDAYS[t] for t in tokens if t in _WEEKDAYS))
    if len(weekdays) > 1 and "ou" in words:
        return None  # "lundi ou mardi de la rentrée": a choice, not understood here
    first_days = 1
    for k, token in enumerate(tokens[1:], 1):
        number = _number_at(tokens, k - 1) if token in _FIRST_DAYS else None
        if number is not None and number.end == k and 2 <= number.value <= MAX_DAYS_SAID:
            first_days = number.value
    if first_days > 1 and weekdays:
        return None  # "les deux premiers jours, lundi et mardi, de la rentrée": not both
    kind = next((_HOLIDAY_KINDS[t] for t in tokens if t in _HOLIDAY_KINDS), "")
    if feasts:
        kind = "christmas"
    return ReturnDays(kind, weekdays, first_days)


class ResumeAsked(NamedTuple):
    """When school starts again, asked (see :func:`asks_when_school_resumes`)."""

    kind: str  # the holidays' kind as :func:`holidays_said` gives it; "" when none is named
    rentree: bool  # said "la rentrée" (not "la reprise", "la cantine reprend")


# When, asked: "c'est quand…", "quand est-ce que…", "… reprend quand ?", "à quelle date…".
_WHEN_ASKED = (("quand",), ("quel", "jour"), ("quelle", "date"))
# School or its canteen starting again, said with a verb: "quand est-ce que la cantine
# reprend ?", "l'école recommence quand ?" (not "annuler jeudi, il reprend vendredi": a child's
# meal, a change).
_RESUMING = frozenset(
    {"reprend", "reprendra", "reprennent", "reprendront", "recommence", "recommencera",
     "recommencent", "recommenceront", "redemarre", "redemarrera", "rouvre", "rouvrira"}
)  # fmt: skip
_RESUMING_SUBJECTS = frozenset({"cantine", "ecole", "classe", "classes", "cours", "restauration"})
# Said with it, a change or a question about one: "quand est-ce que je peux annuler pour la
# rentrée ?" (that day's deadline, see :func:`asks_about_day`), "annuler à la rentrée".
_NOT_ONLY_WHEN = _CHANGING_WORDS | _REQUEST_VERBS | _EATS | {
    "jusqu", "jusque", "avant", "veille", "lendemain", "semaine", "fin", "debut",
    "repas", "heure"}  # fmt: skip


def asks_when_school_resumes(text: str) -> ResumeAsked | None:
    """Whether ``text`` asks when school (its canteen) starts again ("c'est quand la
    rentrée ?", "quand est-ce que la cantine reprend ?", "la cantine reprend quand ?", "c'est
    quand la reprise après les vacances de Noël ?"), a question to answer from the calendar,
    not a day asked for a change (:func:`return_day_said`): the holidays' kind named, if any,
    and whether "la rentrée" was said (which holidays that is, the calendar decides). ``None``
    for anything else: a change ("annuler à la rentrée"), a deadline ("jusqu'à quand je peux
    annuler pour la rentrée ?"), a day near it ("la veille de la rentrée"). Pure; never
    raises."""
    tokens = normalise(text).split()
    words = set(tokens)
    resuming = bool(_RESUMING & words and _RESUMING_SUBJECTS & words)
    if not ({"rentree", "reprise"} & words or resuming):
        return None
    if not any(_contains_run(tokens, run) for run in _WHEN_ASKED):
        return None
    if _NOT_ONLY_WHEN & words or any(w in _WEEKDAYS for w in words):
        return None
    if any(token.isdigit() for token in tokens) or any(
        w in _MONTHS and w != "septembre" and w not in _HOLIDAY_KINDS for w in words
    ):
        return None  # "le 2 septembre, c'est la rentrée ?": a date said, not asked
    # "la rentrée de septembre": after the summer holidays
    kind = "summer" if "septembre" in words else ""
    kind = next((_HOLIDAY_KINDS[t] for t in tokens if t in _HOLIDAY_KINDS), kind)
    return ResumeAsked(kind, "rentree" in words)


# The week school starts again in, said by what follows "semaine": "la semaine de la rentrée",
# "de la reprise", "du retour des vacances de Noël", "la première semaine après les vacances".
_RETURN_WEEK_RUNS = (
    ("de", "la", "rentree"), ("de", "rentree"), ("de", "la", "reprise"), ("de", "reprise"),
    ("du", "retour"), ("apres", "les", "vacances"), ("apres", "ces", "vacances"),
    ("suivant", "les", "vacances"), ("qui", "suit", "les", "vacances"),
)  # fmt: skip
# Said beside it, a day near the return or another span, not that week: "la veille de la
# semaine de la rentrée", "jusqu'à la semaine de la rentrée", "la fin de la semaine de la
# rentrée" (the days the caller means are not all of it).
_NOT_THE_RETURN_WEEK = (_NOT_THE_RETURN - {"semaine"}) | _RANGE_WORDS - {"des"}


def return_week_said(text: str, today: date) -> str | None:
    """Whether ``text`` asks for the week school starts again in after holidays ("toute la
    semaine de la rentrée", "la semaine de la reprise", "la semaine du retour des vacances de
    Noël", "la première semaine après les vacances"): those holidays' kind as
    :func:`holidays_said` gives it (``""`` for the holidays under way or to come); the days
    meant are those from the return day to the end of its week, which only the calendar
    knows. ``None`` for anything else: another week ("la semaine après la rentrée", "la
    deuxième semaine de la rentrée"), a day of it ("le lundi de la semaine de la rentrée"), a
    day near it ("avant la rentrée"), a span to it ("jusqu'à la semaine de la rentrée"), or
    that week said to be excluded. Days left out of it ("toute la semaine de la rentrée sauf
    lundi") are read by :func:`left_out_of_span`. Pure; never raises."""
    tokens, breaks = _date_tokens(text)
    cut = _span_except_at(tokens)
    if cut is not None:  # "toute la semaine de la rentrée sauf lundi": see left_out_of_span
        tokens, breaks = tokens[: cut[0]], frozenset(b for b in breaks if b < cut[0])
    if tokens.count("semaine") != 1 or "semaines" in tokens:
        return None
    s = tokens.index("semaine")
    end = next(
        (s + 1 + len(run) for run in _RETURN_WEEK_RUNS
         if tuple(tokens[s + 1 : s + 1 + len(run)]) == run),
        None,
    )  # fmt: skip
    if end is None:
        return None
    start = s - 1
    if tokens[start : start + 1] == ["premiere"]:
        start -= 1  # "la première semaine de la rentrée"
    if start < 0 or tokens[start] != "la":
        return None  # "la deuxième semaine de la rentrée", "une semaine après les vacances"
    if start > 0 and tokens[start - 1] == "toute":
        start -= 1
    outside = tokens[:start] + tokens[end:]
    if _NOT_THE_RETURN_WEEK.intersection(outside):
        return None
    if any(t in _WEEKDAYS or (t in _MONTHS and t not in _HOLIDAY_KINDS) for t in tokens):
        return None  # "lundi de la semaine de la rentrée", "la semaine du 4 janvier"
    if _negated_at(tokens, start, breaks):
        return None  # "pas la semaine de la rentrée"
    try:
        spans = _date_spans(tokens, today, breaks)[1]
    except OverflowError:
        return None
    # Only "toute la semaine" itself may be read as a date ("annuler demain et toute la
    # semaine de la rentrée" is not that week alone).
    if any(not (start <= a and b <= end) for a, b in spans):
        return None
    return next((_HOLIDAY_KINDS[t] for t in tokens if t in _HOLIDAY_KINDS), "")


def left_out_of_span(text: str, span: DaySpan, today: date) -> DaySpan | None:
    """``span``, one the calendar gives (the week school starts again, the last week before
    the holidays), with the days ``text`` leaves out of it after "sauf", "à part", "excepté"
    ("toute la semaine de la rentrée sauf lundi": its Monday), as :func:`span_said` reads
    them; ``span`` itself when none are said; ``None`` when the words after "sauf" are no
    days ("sauf pour Rose"). Pure; never raises."""
    tokens = _date_tokens(text)[0]
    cut = _span_except_at(tokens)
    if cut is None:
        return span
    try:
        left_out = _span_left_out(span, tokens[cut[1] :], today)
    except OverflowError:
        return None
    return None if left_out is None else span._replace(left_out=left_out)


class HolidaysEve(NamedTuple):
    """The days just before school holidays a phrase asks for (see
    :func:`holidays_eve_said`)."""

    kind: str  # the holidays' kind as :func:`holidays_said` gives it; "" for the next ones
    # "day": the last school day before them, or the weekdays said of its week; "week": that
    # week; "until": from the first day that can still change to that day
    reach: str
    weekdays: tuple[int, ...] = ()  # "jeudi et vendredi avant les vacances"
    last_days: int = 1  # "les deux derniers jours avant les vacances": 2 (with reach "day")


# Between a day and the holidays: "le dernier jour avant les vacances", "la veille des
# vacances", "le jeudi d'avant les vacances de Noël".
_BEFORE_HOLIDAYS = (("avant", "les"), ("avant", "ces"), ("avant", "des"))
_EVE_OF_HOLIDAYS = (("veille", "des"), ("veille", "de", "les"))
# "le dernier jour d'école (de classe) avant les vacances": the school day
_SCHOOL_WORDS = (("d", "ecole"), ("de", "classe"), ("de", "cantine"))
# The words an "until" may have before the holidays: "jusqu'aux vacances", "jusqu'au début
# des vacances", "jusqu'à la veille des vacances", "jusqu'au dernier jour avant les vacances".
_UNTIL_HOLIDAYS_WORDS = frozenset(
    {"a", "au", "aux", "la", "le", "les", "des", "de", "d", "debut", "veille", "dernier",
     "jour", "avant", "ecole", "classe", "cantine", "prochaines", "grandes"}
)  # fmt: skip
# Said with it, another day or span near the holidays, or their own days: not the days before.
_NOT_BEFORE_HOLIDAYS = frozenset(
    {"apres", "rentree", "retour", "reprise", "lendemain", "pendant", "durant", "ou", "fin",
     "depuis", "partir", "chaque", "tous", "toutes", "semaines", "jours"}
)  # fmt: skip


_LAST_DAY_WORDS = frozenset({"dernier", "derniere", "la", "le", "les", "toute"})


def _feast_as_holidays(
    tokens: list[str], breaks: frozenset[int]
) -> tuple[list[str], frozenset[int]]:
    """ "jusqu'à Noël", "le dernier jour avant la Toussaint" read as "jusqu'aux vacances de
    Noël", "… avant les vacances de la Toussaint": the feast day always falls in those
    holidays, so the days up to it with school are those up to them. ``tokens`` as they are
    otherwise (and when "vacances" is said: "jusqu'aux vacances de Noël")."""
    if "vacances" in tokens:
        return tokens, breaks
    for k, token in enumerate(tokens):
        if token not in _HOLIDAY_FEASTS:
            continue
        start = k - 1 if tokens[k - 1 : k] == ["la"] else k
        lead = tokens[start - 1] if start > 0 else ""
        until = lead in ("avant", "jusqua", "jusquau", "jusque") or (
            lead in ("a", "au") and start > 1 and tokens[start - 2] in _UNTIL_WORDS
        )
        if until:
            shift = 3 - (k - start)
            said = [*tokens[:start], "les", "vacances", "de", *tokens[k:]]
            return said, frozenset(b + shift if b >= k else b for b in breaks)
    return tokens, breaks


def _last_days_at(tokens: Sequence[str]) -> tuple[int, int] | None:
    """ "Les deux derniers jours (avant les vacances)": how many days, and where "jours" is;
    ``None`` when not said."""
    for k in range(1, len(tokens) - 1):
        if tokens[k] not in ("derniers", "dernieres") or tokens[k + 1] != "jours":
            continue
        number = _number_at(tokens, k - 1)
        if number is not None and number.end == k and 2 <= number.value <= MAX_DAYS_SAID:
            return number.value, k + 1
    return None


def holidays_eve_said(text: str, today: date) -> HolidaysEve | None:
    """Whether ``text`` asks for the days just before school holidays: the last school day
    before them ("le dernier jour avant les vacances", "la veille des vacances de Noël",
    "le dernier jour d'école avant les vacances"), weekdays of that last week ("vendredi
    avant les vacances", "le jeudi et le vendredi avant les vacances"), that week ("la
    dernière semaine avant les vacances", "toute la semaine avant les vacances") or the days
    up to them ("jusqu'aux vacances (de Noël)", "jusqu'à la veille des vacances", "jusqu'à
    Noël"), the last few school days ("les deux derniers jours avant les vacances",
    "les trois derniers jours avant Noël": ``last_days``). Which days
    those are is the school calendar's, not known here; days left out after "sauf" are read
    by :func:`left_out_of_span`. ``None`` for anything else: the holidays' own days
    ("pendant les vacances"), the return ("après les vacances"), another date said with it,
    a question ("jusqu'à quand … avant les vacances ?"), a choice, a day said to be excluded
    ("pas la veille des vacances"), the family's holidays ("avant qu'on parte en vacances").
    Pure; never raises."""
    tokens, breaks = _date_tokens(text)
    cut = _span_except_at(tokens)
    if cut is not None:
        tokens, breaks = tokens[: cut[0]], frozenset(b for b in breaks if b < cut[0])
    tokens, breaks = _feast_as_holidays(tokens, breaks)
    last_days = _last_days_at(tokens)
    kept = [t for k, t in enumerate(tokens) if last_days is None or k != last_days[1]]
    if tokens.count("vacances") != 1 or _NOT_BEFORE_HOLIDAYS.intersection(kept):
        return None
    if any(tokens[k : k + 3] in _UNTIL_WHEN for k in range(len(tokens))):
        return None  # "jusqu'à quand peut-on annuler avant les vacances ?": a question
    k = tokens.index("vacances")
    start = k  # where the words that name the holidays start: "les prochaines vacances"
    while start > 0 and tokens[start - 1] in ("prochaines", "grandes"):
        start -= 1
    until = [u for u in range(start) if tokens[u] in _UNTIL_WORDS]
    weekdays: tuple[int, ...] = ()
    if until and set(tokens[until[-1] + 1 : start]) <= _UNTIL_HOLIDAYS_WORDS:
        reach, first = "until", until[-1]
    else:
        link = next(
            (r for r in (*_BEFORE_HOLIDAYS, *_EVE_OF_HOLIDAYS) if _run_before(tokens, start, [r])),
            None,
        )
        if link is None or _RANGE_WORDS.intersection(tokens) - {"des"}:
            return None
        first = start - len(link)
        if link in _EVE_OF_HOLIDAYS:
            reach = "day"  # "la veille des vacances"
        else:
            if tokens[first - 1 : first] == ["d"]:
                first -= 1  # "le jeudi d'avant les vacances"
            if tokens[first - 1 : first] == ["juste"]:
                first -= 1
            for run in _SCHOOL_WORDS:
                if _run_before(tokens, first, [run]):
                    first -= len(run)
            said = tokens[first - 1] if first > 0 else ""
            if said == "jour" or (last_days is not None and last_days[1] == first - 1):
                reach, first = "day", first - 1
            elif said == "semaine":
                reach, first = "week", first - 1
            elif said in _WEEKDAYS:
                reach = "day"
                while first > 0 and tokens[first - 1] in {*_WEEKDAYS, "et", "le"}:
                    first -= 1
                weekdays = tuple(
                    dict.fromkeys(_WEEKDAYS[t] for t in tokens[first:start] if t in _WEEKDAYS)
                )
            else:
                return None  # "avant les vacances" alone: which day?
        if last_days is not None and reach == "day" and first == last_days[1]:
            first -= 2  # "les deux derniers jours": the count and "derniers" too
        elif last_days is not None:
            return None  # "les deux derniers jours, jeudi…": not both
        while first > 0 and tokens[first - 1] in _LAST_DAY_WORDS:
            first -= 1
        if reach == "week" and tokens[first : first + 1] not in (["la"], ["toute"]):
            return None  # "une semaine avant les vacances": a week earlier, not the last one
    try:
        spans = _date_spans(tokens, today, breaks)[1]
    except OverflowError:
        return None
    if any(not (first <= a and b <= k) for a, b in spans) or _negated_at(tokens, first, breaks):
        return None  # "demain et la veille des vacances", "pas la veille des vacances"
    near = tokens[max(0, k - 1) : k + 4]
    kind = next((_HOLIDAY_KINDS[t] for t in near if t in _HOLIDAY_KINDS), "")
    return HolidaysEve(kind, reach, weekdays, last_days[0] if last_days is not None else 1)


_DDMM_RE = re.compile(r"[0-9]{4}")


def parse_digits_date(digits: str, today: date) -> date | None:
    """The keypad date: four digits, day then month ("2111" = 21 November).

    Returns the nearest such date that is not past (today counts), ``None`` for anything that
    is not exactly four ASCII digits (spaces and a trailing "#" are ignored) or for a day and
    month that never exist together ("3102"). "2902" is the next 29 February.
    """
    cleaned = digits.strip().removesuffix("#").strip()
    if not _DDMM_RE.fullmatch(cleaned):
        return None
    day, month = int(cleaned[:2]), int(cleaned[2:])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return _nearest_day_month(day, month, today)


def impossible_digits_date(digits: str) -> tuple[int, int] | None:
    """The day and month of four keys that name a day of a month that never has it ("3002":
    30 February, "3104": 31 April), else ``None`` (a date that exists, "2902", or keys that
    are no day and month: "0013", "4512")."""
    cleaned = digits.strip().removesuffix("#").strip()
    if not _DDMM_RE.fullmatch(cleaned):
        return None
    day, month = int(cleaned[:2]), int(cleaned[2:])
    if not (1 <= day <= 31 and 1 <= month <= 12) or day <= _DAYS_IN_MONTH[month - 1]:
        return None
    return day, month


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February exists


def impossible_date_said(text: str, today: date) -> tuple[int, int] | None:
    """The day and month of a date said that its month never has ("le 31 novembre", "jeudi
    30 février", "le 31 du mois prochain" said in October), as :func:`impossible_digits_date`
    for the keys, else ``None`` (a date that exists, or no day said with a month; "29 février"
    exists). For the line to say that date does not exist, where :func:`parse_date` gives
    ``None``."""
    tokens = _tokens(text)
    for k in range(len(tokens)):
        number = _day_number_at(tokens, k)
        if number is None or not 1 <= number.value <= 31:
            continue
        said = _month_at(tokens, number.end)
        if said is not None:
            month = said.year_month(today)[1]
            if number.value > _DAYS_IN_MONTH[month - 1]:
                return number.value, month
    return None


def digits_missing_a_zero(
    digits: str, today: date, recent: timedelta = timedelta(0)
) -> date | None:
    """The date of three keys that lack the zero of a one-digit day or month: the reading
    nearest to today, of the two ("312": 3 December, as 31 February does not exist; "123": 12
    March; "112" on 30 November: 1 December rather than 11 February; "101" in December: 1
    January rather than 10 January), each the nearest such date not past (as
    :func:`parse_digits_date`), or the one gone by at most ``recent`` ago ("412" on 7
    December: the 4th, three days ago, as "0412" is then read, not next year's) when no reading
    is still to come ("111" on 23 November: 11 January, not 1 November); ``None``
    when both readings are as near, neither exists ("999"), or for anything but three keys."""
    cleaned = digits.strip().removesuffix("#").strip()
    if not (len(cleaned) == 3 and cleaned.isascii() and cleaned.isdigit()):
        return None
    readings: set[date] = set()
    for keys in ("0" + cleaned, cleaned[:2] + "0" + cleaned[2]):
        found = parse_digits_date(keys, today)
        if found is None:
            continue
        gone = _day_month_before(found, today)
        readings.add(gone if gone is not None and today - gone <= recent else found)
    # A day gone by only when no reading is still to come: "111" on 23 November is 11 January
    # (for a booking, a past day is never what is meant), not 1 November three weeks ago.
    coming = {day for day in readings if day >= today}
    readings = coming or readings
    if not readings:
        return None
    distances = sorted((abs((day - today).days), day) for day in readings)
    if len(distances) > 1 and distances[0][0] == distances[1][0]:
        return None
    return distances[0][1]


def _day_month_before(day: date, today: date) -> date | None:
    """The last date before ``today`` with the day and month of ``day``; ``None`` when there
    is none in the years searched (a 29 February is found, years back)."""
    for year in range(today.year, today.year - _YEARS_SEARCHED, -1):
        try:
            candidate = date(year, day.month, day.day)
        except ValueError:
            continue
        if candidate < today:
            return candidate
    return None


def leap_day_missing(said: str, today: date) -> int | None:
    """The year of the coming February, when ``said`` asks for its 29th and it has none: keys
    ("2902") or words without a year ("le 29 février") said in December 2026 mean February
    2027, which has no 29th (2027), not the next 29 February, in 2028. ``None`` for anything
    else, a year said ("le 29 février 2028"), or a coming February that has it. Pure; never
    raises."""
    coming = today.year if today.month <= 2 else today.year + 1
    if isleap(coming):
        return None
    cleaned = said.strip().removesuffix("#").strip()
    if cleaned == "2902":
        return coming
    tokens = _tokens(said)
    for k in range(len(tokens)):
        number = _day_number_at(tokens, k)
        if number is None or number.value != 29:
            continue
        month = _month_at(tokens, number.end)
        if month is None or month.year_month(today) != (None, 2):
            continue
        year = _number_at(tokens, month.end)
        if year is None or year.value < 1000:
            return coming
    return None


# ---------------------------------------------------------------------------------------------
# Twilio <Gather hints>
# ---------------------------------------------------------------------------------------------

SPEECH_HINTS: dict[str, str] = {
    "action": ", ".join(
        [
            "réserver", "réserver un repas", "annuler", "annuler un repas", "décommander",
            "il sera absent", "elle sera absente", "écouter mes réservations",
            "mes réservations", "consulter", "un autre enfant", "répéter", "conseiller",
            "parler à quelqu'un", "au revoir",
        ]
    ),
    "date": ", ".join(
        [
            "aujourd'hui", "demain", "après-demain", "lundi", "mardi", "jeudi", "vendredi",
            "lundi prochain", "jeudi prochain", "lundi en huit", "la semaine prochaine",
            "le premier", "le 1er", "janvier", "février", "mars", "avril", "mai", "juin",
            "juillet", "août", "septembre", "octobre", "novembre", "décembre", "répéter",
            "retour au menu",
        ]
    ),
    "confirm": ", ".join(
        [
            "oui", "non", "je confirme", "c'est ça", "d'accord", "exact", "pas du tout",
            "une autre date", "changer", "répéter", "retour au menu",
        ]
    ),
    "after": ", ".join(
        [
            "autre chose", "une autre opération", "un autre enfant", "encore", "non merci",
            "merci", "c'est tout", "au revoir", "terminer", "raccrocher", "répéter",
        ]
    ),
    "child": ", ".join(
        [
            "tous les enfants", "les deux", "toute la famille", "le premier", "la première",
            "le deuxième", "la deuxième", "le troisième", "numéro un", "numéro deux",
            "répéter",
        ]
    ),
}  # fmt: skip


def child_hints(names: Sequence[str]) -> str:
    """The "child" hints with the family's first names in front (names are the best hints)."""
    cleaned = [" ".join(name.replace(",", " ").split()) for name in names]
    return ", ".join([*(name for name in cleaned if name), SPEECH_HINTS["child"]])


# ---------------------------------------------------------------------------------------------
# Commas speech recognition left out
# ---------------------------------------------------------------------------------------------

# What a child's name opens after a request, when it says how that child stays: "… jeudi Nathan
# il mange", "… Nathan si", "… Nathan reste à la cantine", "… Nathan lui il y va".
_STANCE_OPENERS = frozenset(
    {"il", "elle", "lui", "si", "oui", "non", "aussi", "pareil", "reste", "restera", "mange",
     "mangera", "va", "ira", "y", "ca", "c", "ne", "n", "continue", "sera", "est", "rentre"}
)  # fmt: skip
# Words after which a name belongs to what comes before it ("pour Nathan", "et Nathan").
_NAME_LEADS = frozenset(
    {"et", "ou", "pour", "de", "d", "a", "au", "avec", "que", "qu", "sauf", "ni", "mais", "pas",
     "non", "plus", "excepte", "hormis", "le", "la", "les", "l", "enfant", "fils", "fille",
     "frere", "soeur", "est", "c"}
)  # fmt: skip
# What a weekday opens when it says how that day stays: "… vendredi c'est bon", "… vendredi elle
# mange", "… vendredi comme d'habitude".
_DAY_STANCES = frozenset({"c", "ca", "elle", "il", "ils", "elles", "on", "comme", "normalement"})
# The verbs of a statement of who eats after its pronoun (_HE_SHE_THEY): "… jeudi | elle mange
# vendredi"; eating (as asks_about_day reads it), coming or going back ("annuler jeudi | il
# reprend vendredi": not "jeudi il …", that day's statement).
_EATS_AFTER_A_DAY = _EATS - {"inscrit", "inscrite", "prevu"} | {
    "vient", "viendra", "viennent", "reprend", "reprendra", "reprennent", "reprendront"
}
# Words after which a weekday belongs to what comes before it ("et vendredi", "le vendredi").
_DAY_LEADS = _NAME_LEADS | {"au", "du", "ce", "chaque", "tous", "dernier", "prochain"}
_ALL_OF_THEM = frozenset({"tous", "toutes", "les"})
# Words that end a statement of how a child or day stays: "… Nathan il mange | et lundi …".
_STANCE_ENDS = frozenset(
    {"mange", "reste", "si", "oui", "bon", "habitude", "normal", "normalement"}
)


# Words never taken for a child's name by sound when commas are put back (the line's own).
# Words never taken for a child's name, wherever one is looked for: _NOT_NAMES, and the words a
# statement or a read-back is made of.
_NOT_NAMES_AT_ALL = _NOT_NAMES | frozenset(
    {*_STANCE_OPENERS, *_NAME_LEADS, *_WEEKDAYS, *_MONTHS, *_ADDED_NOT_A_NAME, *_KIN}
)


@functools.lru_cache(maxsize=4096)  # the same words, call after call
def _sounds_like_a_name(token: str, names: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``token`` sounds like one of the children's names ("Sasha" for "Sacha")."""
    return _loosely_named(token, names)[1]


def restore_commas(text: str, names: Sequence[str]) -> str:
    """``text`` with a comma where speech recognition left none and what follows is surely
    another clause, as the parsers read clauses by their punctuation (see :func:`_clauses`):
    before a child's name that says how that child stays ("Rose ne mange pas jeudi Nathan il
    mange": Nathan is not cancelled), before a day left out after the day meant ("annuler
    vendredi pas jeudi", "vendredi mais pas jeudi") and before "ni" and a child after a day
    ("jeudi ni Margaux vendredi"). Anything else is returned as it is. Pure; never raises."""
    words = text.split()
    if len(words) < 3:
        return text
    name_tokens = [_tokens(name) for name in names]
    firsts = {tokens[0] for tokens in name_tokens if tokens}
    toks = [_tokens(word) for word in words]

    def named(token: str) -> bool:
        if token in firsts:
            return True
        if len(token) < 4 or token in _NOT_NAMES_AT_ALL:
            return False
        return _sounds_like_a_name(token, tuple(tuple(name) for name in name_tokens))

    names_at = [bool(t) and named(t[0]) for t in toks]

    def is_name(k: int) -> bool:
        return 0 <= k < len(words) and names_at[k]

    def is_day(k: int) -> bool:
        last = toks[k][-1] if toks[k] else ""
        return last in _WEEKDAYS or last in _MONTHS or last.isdigit() or last == "demain"

    def first(k: int) -> str:
        return toks[k][0] if k < len(words) and toks[k] else ""

    def is_weekday(k: int) -> bool:
        return 0 <= k < len(words) and first(k) in _WEEKDAYS

    def starts_statement(k: int) -> bool:
        """"elle mange vendredi" at ``k``: a statement with its own day."""
        return (
            first(k) in _HE_SHE_THEY
            and first(k + 1) in _EATS_AFTER_A_DAY
            and k + 2 < len(words)
            and is_day(k + 2)
        )

    comma_after: set[int] = set()
    for k in range(1, len(words)):
        before = toks[k - 1][-1] if toks[k - 1] else ""
        if not before or words[k - 1][-1:] in ",.;:!?":
            continue
        nxt = first(k + 1)
        if is_name(k) and before not in _NAME_LEADS and nxt in _STANCE_OPENERS:
            comma_after.add(k - 1)  # "… jeudi | Nathan il mange"
        elif is_weekday(k) and nxt in _DAY_STANCES and not starts_statement(k + 1) and (
            before not in _DAY_LEADS or (before == "pas" and first(k - 2) in _STANCE_ENDS)
        ):
            # "annuler jeudi | vendredi c'est bon", "jeudi elle mange pas | vendredi elle mange"
            comma_after.add(k - 1)
        elif is_day(k - 1) and first(k) == "ni" and k + 1 < len(words) and is_name(k + 1):
            comma_after.add(k - 1)  # "… jeudi | ni Margaux vendredi"
        elif is_day(k - 1) and first(k) in _REQUEST_VERBS:
            comma_after.add(k - 1)  # "elle mange jeudi | annulez vendredi"
        elif is_day(k - 1) and starts_statement(k):
            # "Rose ne mange pas jeudi | elle mange vendredi": another statement with its own
            # day, not a second day of the first (both were cancelled); not "jeudi elle mange
            # pas …", the statement of that day
            comma_after.add(k - 1)
        elif (is_day(k - 1) or is_name(k - 1)) and first(k) == "pas" and is_day(k + 1):
            comma_after.add(k - 1)  # "annuler vendredi | pas jeudi", "et Rose | pas jeudi"
        elif is_name(k - 1) and first(k) == "pour" and (is_name(k + 1) or nxt in _ALL_OF_THEM):
            comma_after.add(k - 1)  # "jeudi pour Rose | pour Nathan c'est bon"
        elif (is_day(k - 1) or is_name(k - 1)) and first(k) in ("son", "sa") and (
            k + 1 < len(words) and first(k + 1) in _KIN
        ):
            comma_after.add(k - 1)  # "annuler pour Rose jeudi | son frère Nathan reste"
        elif before in ("non", "oui", "si") and k >= 2 and is_name(k - 2) and is_name(k):
            if nxt in ("non", "oui", "si"):
                comma_after.add(k - 1)  # "Timéo non | Sacha oui"
        elif first(k) == "le" and is_weekday(k - 1) and "pas" in (first(k - 2), first(k - 3)):
            if k + 1 < len(words) and _number_at(toks[k + 1], 0) is not None:
                comma_after.add(k - 1)  # "pas jeudi | le 27"
        elif first(k) == "et" and before in _STANCE_ENDS and is_day(k + 1):
            comma_after.add(k - 1)  # "… Nathan il mange | et lundi pour Margaux"
    if not comma_after:
        return text
    return " ".join(f"{w}," if k in comma_after else w for k, w in enumerate(words))
