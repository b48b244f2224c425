"""French speech understanding for the Resto-Mairie phone line.

Twilio's speech recognition (``<Gather input="speech" language="fr-FR">``) posts what the caller
said as ``SpeechResult``: free text with capitals, accents, punctuation and usually digits for
numbers ("Le 21 novembre.", "Oui.", "Je voudrais annuler le repas de Léa."). This module turns
that text into the same decisions the keypad gives (see DOMAIN.md §4, the keypad contract):

- :func:`parse_intent` -- menu answers (book, cancel, listen, yes, no, repeat, ...);
- :func:`parse_number` -- a spoken number from 0 to 99 ("quatre-vingt-douze", "21", "le premier");
- :func:`parse_choice` -- which child ("c'est pour Hugo", "la deuxième", "numéro deux");
- :func:`parse_date` -- a meal date relative to a given ``today``;
- :func:`parse_digits_date` -- the keypad date (four digits, day then month).

Everything here is pure: standard library only, no clock (``today`` is always passed in), no I/O.
Every parser returns ``None`` rather than guessing when the phrase is empty, unknown or ambiguous,
so the caller can ask again; nothing here raises on any input text.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import NamedTuple

__all__ = [
    "SPEECH_HINTS",
    "DateGuess",
    "Intent",
    "child_hints",
    "normalise",
    "parse_choice",
    "parse_date",
    "parse_digits_date",
    "parse_intent",
    "parse_number",
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
    return " ".join(text.split())


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


# ---------------------------------------------------------------------------------------------
# Intents
# ---------------------------------------------------------------------------------------------


class _Phrase(NamedTuple):
    words: tuple[str, ...]  # a word ending in "*" matches any word with that prefix
    readings: tuple[Intent, ...]  # in order of preference; empty = a neutral phrase
    weak: bool  # weak phrases only count when no strong phrase was said


_I = Intent
# (phrases, readings, weak). Phrases are written the way people say them; they are normalised
# when the table is built. Longest match wins at each position, so "une autre date" (NO) beats
# "une autre" and "pas entendu" (REPEAT) beats "entendu" (YES).
_PHRASE_TABLE: list[tuple[str, tuple[Intent, ...], bool]] = [
    # YES
    (
        "oui|ouais|ouai|ok|okay|o k|d'accord|si|entendu|yes|bien sûr|voilà|oui oui|ça va|c'est bon",
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
    # BOOK
    (
        "réserver|réserve|réservez|réservé|réservée|réservons|je réserve|faire une réservation|"
        "une réservation|nouvelle réservation|faire des réservations|inscrire|inscrivez|"
        "inscris|inscrit|inscrite|réinscrire|ajouter|ajoute|ajoutez|ajouter un repas|"
        "rajouter|rajoute|rajoutez|commander|commande|commandez|un repas de plus|"
        "il mangera|elle mangera|mangera|manger à la cantine|prendre un repas",
        (_I.BOOK,),
        False,
    ),
    ("réservation|inscription", (_I.BOOK,), True),
    # CANCEL
    (
        "annul*|décommand*|désinscri*|supprim*|retirer|retire|retirez|enlever|enlève|enlevez|"
        "il sera absent|elle sera absente|absent|absente|absents|absentes|absence|malade|"
        "ne mangera pas|mangera pas|ne sera pas là|sera pas là|pas de cantine|pas de repas|"
        "ne mange pas|mange pas|ne vient pas",
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
        "rien d'autre|rien de plus|merci au revoir|je n'ai plus besoin",
        (_I.GOODBYE,),
        False,
    ),
    ("rien", (_I.GOODBYE,), True),
    # ANOTHER
    (
        "autre chose|une autre opération|autre opération|une autre demande|autre demande|"
        "nouvelle opération|continuer|pas tout|pas fini|pas terminé|pas encore fini|"
        "pas encore terminé|retour au menu|"
        "revenir au menu|menu principal|recommencer|un autre enfant",
        (_I.ANOTHER,),
        False,
    ),
    ("encore", (_I.ANOTHER,), True),
    # Neutral: consume the words so that they neither match nor act as a negation.
    ("n'importe|ma réservation", (), False),
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
            prefix = variant.endswith("*")
            words = normalise(variant.rstrip("*")).split()
            if prefix:
                words[-1] += "*"
            phrases.append(_Phrase(tuple(words), readings, weak))
    return phrases


_PHRASES = _build_phrases()


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
    return matches


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
        owner: list[_Match | None] = [None] * len(tokens)
        for match in matches:
            for k in range(match.start, match.end):
                owner[k] = match
        for match in matches:
            readings = match.phrase.readings
            if not readings:
                continue
            if _is_negated(tokens, match, owner):
                if Intent.NO not in readings:
                    negated_something = True
                continue
            usable = [r for r in readings if allowed_set is None or r in allowed_set]
            if usable:
                (weak if match.phrase.weak else strong).add(usable[0])
    if negated_something and (allowed_set is None or Intent.NO in allowed_set):
        weak.add(Intent.NO)
    pool = strong or weak
    if len(pool) != 1:
        return None
    return next(iter(pool))


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
}  # fmt: skip
_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
_FUZZY_RATIO = 0.8
_EXCLUDING = frozenset({"pas", "sauf", "excepte", "hormis"})


def _phonetic(word: str) -> str:
    """A rough French sound key for first names: "Mathys" ~ "Mathis", "Léah" ~ "Léa"."""
    key = re.sub(r"ch(?=[lr])", "k", word)  # Chloé, Christophe
    key = key.replace("ch", "S").replace("ph", "f").replace("qu", "k").replace("ck", "k")
    key = key.replace("h", "").replace("y", "i").replace("eau", "o").replace("au", "o")
    key = key.replace("ai", "e").replace("ei", "e")
    key = re.sub(r"c(?=[aou])", "k", key)
    key = re.sub(r"(.)\1+", r"\1", key)
    while len(key) > 2 and key[-1] in "estxdz":
        key = key[:-1]
    return key


def _name_tiers(tokens: Sequence[str], names: Sequence[Sequence[str]]) -> list[set[int]]:
    """0-based indexes of names matched, tier by tier, from the strictest to the loosest."""
    # "pas Hugo", "sauf Hugo", "pas pour Hugo": that child is excluded, not chosen.
    excluded = {
        k
        for k in range(len(tokens))
        if (k >= 1 and tokens[k - 1] in _EXCLUDING)
        or (k >= 2 and tokens[k - 2] in _EXCLUDING and tokens[k - 1] in ("pour", "de", "a"))
    }
    positions = [k for k in range(len(tokens)) if k not in excluded]
    words = {tokens[k] for k in positions}

    def spans(name: Sequence[str]) -> list[tuple[int, int]]:
        size = len(name)
        return [(k, k + size) for k in positions if tuple(tokens[k : k + size]) == tuple(name)]

    found = {i: spans(name) for i, name in enumerate(names) if name}
    found = {i: where for i, where in found.items() if where}

    def covered(i: int) -> bool:
        """Every place name i was heard is inside a longer name ("Marie" in "Marie Claire")."""
        return all(
            any(
                j != i and len(names[j]) > len(names[i]) and a <= start and stop <= b
                for j, others in found.items()
                for a, b in others
            )
            for start, stop in found[i]
        )

    exact = {i for i in found if not covered(i)}
    partial = {i for i, name in enumerate(names) if any(len(w) >= 3 and w in words for w in name)}
    content = {w for w in words if len(w) >= 3 and w not in _CHOICE_STOPWORDS}
    content_keys = {_phonetic(w) for w in content}
    sound = {
        i
        for i, name in enumerate(names)
        if any(len(w) >= 3 and _phonetic(w) in content_keys for w in name)
    }
    fuzzy: set[int] = set()
    best = 0.0
    for i, name in enumerate(names):
        for w in name:
            if len(w) < 3:
                continue
            for t in content:
                ratio = SequenceMatcher(None, w, t).ratio()
                if ratio >= _FUZZY_RATIO and ratio > best:
                    fuzzy, best = {i}, ratio
                elif ratio >= _FUZZY_RATIO and ratio == best:
                    fuzzy.add(i)
    return [exact, partial, sound, fuzzy]


def _ordinal_choice(tokens: Sequence[str], count: int) -> set[int]:
    """1-based positions said as "le premier", "la deuxième", "numéro deux", "le dernier"."""
    picked: set[int] = set()
    if count and any(token in ("dernier", "derniere") for token in tokens):
        picked.add(count)
    content = [t for t in tokens if t not in _CHOICE_STOPWORDS]
    for number in _numbers(tokens):
        if number.end < len(tokens) and tokens[number.end] in _MONTHS:
            continue  # "le premier décembre" is a date, not a child
        said = list(tokens[number.start : number.end])
        before = tokens[number.start - 1] if number.start > 0 else ""
        if before in ("les", "tous", "toutes"):
            continue  # "les deux" is everyone, not the second child
        after_numero = before in ("numero", "no", "n")
        if _is_article_un(tokens, number):
            alone = said == list(tokens)  # "un" is an article in "c'est pour un enfant"
        else:
            alone = content == [t for t in said if t not in _CHOICE_STOPWORDS]
        if number.ordinal or after_numero or alone:
            picked.add(number.value)
    return picked


def parse_choice(text: str, names: Sequence[str]) -> int | None:
    """The 1-based index in ``names`` of the child meant by ``text``, else ``None``.

    A first name may be said anywhere in a sentence ("c'est pour Hugo"), matched without
    accents or case ("Léa" = "lea"), then, when no name matches exactly, by one word of a
    compound name ("Marie" for "Marie-Claire"), by a rough French sound key ("Mathys" for
    "Mathis") and finally by close spelling ("Léah" for "Léa"); a looser tier is only used when
    the stricter ones found nothing, and a tier that finds two children gives ``None``. A name
    right after "pas"/"sauf" is ignored ("pas Hugo, Léa"). Positions work too: "le premier",
    "la deuxième", "numéro deux", "le dernier", or a number said alone. A name and a position
    that disagree, two children, or none give ``None``.
    """
    if not names:
        return None
    tokens = _tokens(text)
    norm_names = [normalise(name).split() for name in names]
    by_name: set[int] = set()
    for tier in _name_tiers(tokens, norm_names):
        if tier:
            by_name = tier
            break
    if len(by_name) > 1:
        return None
    positions = _ordinal_choice(tokens, len(names))
    if len(positions) > 1:
        return None
    by_position = positions.pop() if positions else None
    if by_position is not None and not 1 <= by_position <= len(names):
        return None
    if by_name:
        index = by_name.pop() + 1
        if by_position is not None and by_position != index:
            return None
        return index
    return by_position


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


class _DateExpr(NamedTuple):
    day: date | None  # None: the words name an impossible date ("31 février")
    certain: bool
    weekday_only: bool  # a weekday alone, which gives way to a more precise expression


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
        certain = False
    return _DateExpr(found, certain, False)


def _weekday_expr(tokens: Sequence[str], i: int, today: date) -> tuple[_DateExpr, int]:
    """A weekday at ``tokens[i]`` and what follows it: a date, "prochain", "en huit"."""
    weekday = _WEEKDAYS[tokens[i]]
    j = i + 1
    if j < len(tokens) and tokens[j] in ("prochain", "prochaine"):
        j += 1
    k = j + 1 if j < len(tokens) and tokens[j] == "le" else j
    number = _number_at(tokens, k)
    if number is not None and 1 <= number.value <= 31:
        day, end = number.value, number.end
        month: int | None = None
        if end < len(tokens) and tokens[end] in _MONTHS:
            month, end = _MONTHS[tokens[end]], end + 1
        year = None
        if month is not None:
            found_year = _year_at(tokens, end, short_ok=False)
            if found_year is not None:
                year, end = found_year
            return _day_month_expr(day, month, year, weekday, today), end
        found = _nearest_day_of_month(day, today)
        if found is None:
            return _DateExpr(None, False, False), end
        return _DateExpr(found, found.weekday() == weekday, False), end
    rest = tokens[j : j + 4]
    if rest[:2] == ["en", "huit"]:
        return _DateExpr(_next_weekday(weekday, today) + timedelta(days=7), False, False), j + 2
    if rest[:2] == ["en", "quinze"]:
        return _DateExpr(_next_weekday(weekday, today) + timedelta(days=14), False, False), j + 2
    if "semaine" in rest:
        s = j + rest.index("semaine")
        monday = today - timedelta(days=today.weekday())
        if s + 1 < len(tokens) and tokens[s + 1] in ("prochaine", "suivante"):
            return _DateExpr(monday + timedelta(days=7 + weekday), True, False), s + 2
        if s > 0 and tokens[s - 1] == "cette":
            return _DateExpr(monday + timedelta(days=weekday), True, False), s + 1
    return _DateExpr(_next_weekday(weekday, today), False, True), j


_DAY_ARTICLES = frozenset({"le", "du", "au"})
_RELATIVE_UNITS = {"jour": 1, "jours": 1, "semaine": 7, "semaines": 7}


def _date_exprs(tokens: Sequence[str], today: date) -> list[_DateExpr]:
    """Every date expression in the tokens, left to right."""
    exprs: list[_DateExpr] = []
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else ""
        if token == "aujourd" or token == "aujourdhui":
            exprs.append(_DateExpr(today, True, False))
            i += 2 if nxt == "hui" else 1
        elif token == "apres" and nxt == "demain":
            exprs.append(_DateExpr(today + timedelta(days=2), True, False))
            i += 2
        elif token == "avant" and nxt == "hier":
            exprs.append(_DateExpr(today - timedelta(days=2), True, False))
            i += 2
        elif token == "demain":
            exprs.append(_DateExpr(today + timedelta(days=1), True, False))
            i += 1
        elif token == "hier":
            exprs.append(_DateExpr(today - timedelta(days=1), True, False))
            i += 1
        elif token == "dans" and (number := _number_at(tokens, i + 1)) is not None:
            unit = tokens[number.end] if number.end < n else ""
            if unit in _RELATIVE_UNITS and number.value <= 366:
                days = number.value * _RELATIVE_UNITS[unit]
                idiom = unit.startswith("jour") and number.value in (8, 15)
                if idiom:
                    days -= 1  # "dans huit jours" = in a week, "dans quinze jours" = two weeks
                exprs.append(_DateExpr(today + timedelta(days=days), not idiom, False))
                i = number.end + 1
            else:
                i = number.end
        elif token in _WEEKDAYS:
            expr, i = _weekday_expr(tokens, i, today)
            exprs.append(expr)
        elif (number := _number_at(tokens, i)) is not None:
            i = number.end
            after = tokens[number.end] if number.end < n else ""
            if not 1 <= number.value <= 31 or (number.ordinal and number.value != 1):
                continue  # "le premier" is a date, "le deuxième" is not
            if after in _MONTHS:
                month, end = _MONTHS[after], number.end + 1
                found_year = _year_at(tokens, end, short_ok=False)
                year = None
                if found_year is not None:
                    year, end = found_year
                exprs.append(_day_month_expr(number.value, month, year, None, today))
                i = end
                continue
            second = _number_at(tokens, number.end)
            if (
                second is not None
                and not second.ordinal
                and 1 <= second.value <= 12
                and (second.digits or not number.digits)
                and not (second.end < n and tokens[second.end] in _RELATIVE_UNITS)
            ):
                # "21 11", "21/11", "vingt et un onze", "21/11/2026", "21/11/26"
                end = second.end
                found_year = _year_at(tokens, end, short_ok=second.digits)
                year = None
                if found_year is not None:
                    year, end = found_year
                exprs.append(_day_month_expr(number.value, second.value, year, None, today))
                i = end
                continue
            said_alone = number.start == 0 and number.end == n
            after_article = number.start > 0 and tokens[number.start - 1] in _DAY_ARTICLES
            if said_alone or after_article:
                found = _nearest_day_of_month(number.value, today)
                exprs.append(_DateExpr(found, False, False))
        else:
            i += 1
    return exprs


def parse_date(text: str, today: date) -> DateGuess | None:
    """The meal date said in ``text``, relative to ``today`` (never the system clock).

    Understood: "aujourd'hui", "demain", "après-demain", "hier", "dans 3 jours", "dans huit
    jours" (a week), "dans deux semaines"; weekdays ("lundi" = the next Monday strictly after
    today; "ce jeudi", "jeudi prochain" likewise; "lundi en huit" = that Monday + 7 days,
    "en quinze" + 14; "mardi de la semaine prochaine" = the Tuesday of next calendar week);
    "le 3" (the next 3rd of a month that is not past); "le 21 novembre", "vingt et un
    novembre", "le 1er décembre", "le premier décembre", "le 21/11", "21 11", "21/11/2026",
    "jeudi 3 décembre", "le 3 décembre 2026" / "deux mille vingt-six".

    A date without a year is the nearest such date that is not past (today counts), so
    "29 février" may be years ahead. An impossible date ("31 février", "29 février 2027")
    gives ``None``; so do several different dates, and no date. A weekday that disagrees with
    the date ("lundi 3 décembre" when that is a Thursday) gives the numeric date with
    ``certain=False``; a weekday said next to a more precise date that agrees with it
    confirms it. An explicit year is taken as said, even in the past.
    """
    try:
        exprs = _date_exprs(_tokens(text), today)
    except OverflowError:  # past year 9999 or before year 1
        return None
    if not exprs or any(expr.day is None for expr in exprs):
        return None
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


def several_days(text: str, today: date) -> bool:
    """Whether ``text`` asks for several days at once: two different dates ("du 30 novembre
    au 4 décembre", "lundi et mardi") or a week without a date ("toute la semaine prochaine").
    The phone line changes one day at a time and says so, instead of "not understood". A
    phrase :func:`parse_date` reads as one date ("demain jeudi") is not several days."""
    if parse_date(text, today) is not None:
        return False
    tokens = _tokens(text)
    try:
        exprs = _date_exprs(tokens, today)
    except OverflowError:
        return False
    if len({expr.day for expr in exprs if expr.day is not None}) > 1:
        return True
    return not exprs and any(token in ("semaine", "semaines") for token in tokens)


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


# ---------------------------------------------------------------------------------------------
# Twilio <Gather hints>
# ---------------------------------------------------------------------------------------------

SPEECH_HINTS: dict[str, str] = {
    "action": ", ".join(
        [
            "réserver", "réserver un repas", "annuler", "annuler un repas", "décommander",
            "il sera absent", "elle sera absente", "écouter mes réservations",
            "mes réservations", "consulter", "répéter", "conseiller", "parler à quelqu'un",
            "au revoir",
        ]
    ),
    "date": ", ".join(
        [
            "aujourd'hui", "demain", "après-demain", "lundi", "mardi", "jeudi", "vendredi",
            "lundi prochain", "jeudi prochain", "lundi en huit", "la semaine prochaine",
            "le premier", "le 1er", "janvier", "février", "mars", "avril", "mai", "juin",
            "juillet", "août", "septembre", "octobre", "novembre", "décembre", "répéter",
        ]
    ),
    "confirm": ", ".join(
        [
            "oui", "non", "je confirme", "c'est ça", "d'accord", "exact", "pas du tout",
            "une autre date", "changer", "répéter",
        ]
    ),
    "after": ", ".join(
        [
            "autre chose", "une autre opération", "encore", "non merci", "c'est tout",
            "au revoir", "terminer", "raccrocher", "répéter",
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
