"""More tests for spoken dates (restomairie.ivr.speech.parse_date / several_days).

Cases found by exploratory testing of real calls: past references ("jeudi dernier"), "ce
vendredi" said on a Friday, negated dates ("non, pas demain, jeudi"), "1 er décembre", a weekday
before a full numeric date, a weekday with a bare day of the month ("lundi 4"), and ordinal
weekdays of a month ("le deuxième jeudi de décembre"), a date taken back ("jeudi, non,
vendredi").
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from restomairie.ivr.speech import (
    DateGuess,
    days_said,
    days_to_choose,
    digits_missing_a_zero,
    holidays_said,
    impossible_date_said,
    impossible_digits_date,
    names_the_offered_day,
    parse_choice,
    parse_date,
    parse_digits_date,
    several_days,
    shifted_day,
    weekday_alone,
)

MON_23_NOV = date(2026, 11, 23)
THU_26_NOV = date(2026, 11, 26)
FRI_27_NOV = date(2026, 11, 27)
MON_28_DEC = date(2026, 12, 28)

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
todays = st.dates(min_value=date(2020, 1, 1), max_value=date(2090, 12, 31))


def test_dates_used_in_these_tests_fall_on_the_stated_weekdays() -> None:
    assert MON_23_NOV.weekday() == 0
    assert THU_26_NOV.weekday() == 3
    assert FRI_27_NOV.weekday() == 4
    assert MON_28_DEC.weekday() == 0
    assert date(2027, 2, 4).weekday() == 3


def check(text: str, today: date, expected: date | None, certain: bool | None = None) -> None:
    guess = parse_date(text, today)
    if expected is None:
        assert guess is None, text
    else:
        assert guess == DateGuess(expected, bool(certain)), text


# ---------------------------------------------------------------------------------------------
# 1. Past references: the most recent such weekday strictly before today, certain
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("jeudi dernier", MON_23_NOV, date(2026, 11, 19)),
        ("Jeudi dernier.", MON_23_NOV, date(2026, 11, 19)),
        ("vendredi dernier", MON_23_NOV, date(2026, 11, 20)),
        ("lundi passé", MON_23_NOV, date(2026, 11, 16)),  # not today: strictly before
        ("jeudi passé", MON_23_NOV, date(2026, 11, 19)),
        ("le jeudi d'avant", MON_23_NOV, date(2026, 11, 19)),
        ("Le jeudi d'avant ?", MON_23_NOV, date(2026, 11, 19)),
        ("le jeudi précédent", MON_23_NOV, date(2026, 11, 19)),
        ("jeudi de la semaine dernière", MON_23_NOV, date(2026, 11, 19)),
        ("jeudi la semaine passée", FRI_27_NOV, date(2026, 11, 19)),
        ("jeudi dernier", THU_26_NOV, date(2026, 11, 19)),
        ("mercredi dernier", THU_26_NOV, date(2026, 11, 25)),
        ("vendredi dernier", MON_28_DEC, date(2026, 12, 25)),
        ("annuler le repas de jeudi dernier", MON_23_NOV, date(2026, 11, 19)),
        ("hier", MON_23_NOV, date(2026, 11, 22)),  # unchanged
        ("avant-hier", MON_23_NOV, date(2026, 11, 21)),
    ],
)
def test_past_weekday(text: str, today: date, expected: date) -> None:
    check(text, today, expected, True)


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("jeudi prochain", date(2026, 11, 26), False),  # still the coming one
        ("jeudi", date(2026, 11, 26), False),
        ("le jeudi d'avant les vacances", None, None),  # before an unknown date: not guessed
        ("le jeudi d'avant le 10", None, None),
        ("jeudi dernier, le 3 décembre", None, None),  # two different days
        ("demain ou jeudi dernier", None, None),
    ],
)
def test_past_weekday_negative(text: str, expected: date | None, certain: bool | None) -> None:
    check(text, MON_23_NOV, expected, certain)


@given(todays, st.sampled_from(range(7)), st.sampled_from(["dernier", "passé", "d'avant"]))
def test_past_weekday_is_the_last_one_before_today(today: date, weekday: int, word: str) -> None:
    guess = parse_date(f"le {WEEKDAYS[weekday]} {word}", today)
    assert guess is not None
    assert guess.certain
    assert guess.day.weekday() == weekday
    assert today - timedelta(days=7) <= guess.day < today


# ---------------------------------------------------------------------------------------------
# 2. "ce vendredi" said on a Friday is today
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("ce vendredi", FRI_27_NOV, date(2026, 11, 27)),
        ("Ce vendredi.", FRI_27_NOV, date(2026, 11, 27)),
        ("annuler ce vendredi", FRI_27_NOV, date(2026, 11, 27)),
        ("ce jeudi", MON_23_NOV, date(2026, 11, 26)),  # unchanged: the coming Thursday
        ("ce vendredi", MON_23_NOV, date(2026, 11, 27)),
        ("ce lundi", MON_23_NOV, date(2026, 11, 23)),
        # a bare weekday said on that weekday keeps today's behaviour: the next one
        ("vendredi", FRI_27_NOV, date(2026, 12, 4)),
        ("vendredi prochain", FRI_27_NOV, date(2026, 12, 4)),
        ("ce vendredi en huit", FRI_27_NOV, date(2026, 12, 4)),  # a week from today
    ],
)
def test_ce_weekday(text: str, today: date, expected: date) -> None:
    check(text, today, expected, False)


@given(todays, st.sampled_from(range(7)))
def test_ce_weekday_is_today_or_the_bare_weekday(today: date, weekday: int) -> None:
    guess = parse_date(f"ce {WEEKDAYS[weekday]}", today)
    bare = parse_date(WEEKDAYS[weekday], today)
    assert guess is not None and bare is not None
    assert not guess.certain
    if today.weekday() == weekday:
        assert guess.day == today
    else:
        assert guess == bare


# ---------------------------------------------------------------------------------------------
# 3. Negated dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("non pas demain, jeudi", date(2026, 11, 26), False),
        ("Non, pas demain, jeudi.", date(2026, 11, 26), False),
        ("non pas demain mais jeudi", date(2026, 11, 26), False),
        ("pas demain, jeudi", date(2026, 11, 26), False),
        ("pas lundi, mardi", date(2026, 11, 24), False),
        ("pas le 3, le 4 décembre", date(2026, 12, 4), True),
        ("Pas le 3. Le 4 décembre.", date(2026, 12, 4), True),
        ("jeudi, pas demain", date(2026, 11, 26), False),
        ("c'est pas demain, c'est jeudi", date(2026, 11, 26), False),
        ("ce n'est pas pour demain, c'est pour le 4 décembre", date(2026, 12, 4), True),
        ("je veux pas demain, je veux jeudi", date(2026, 11, 26), False),
        ("non pas ce jeudi, le 4 décembre", date(2026, 12, 4), True),
        ("Je voudrais annuler. Pas demain, jeudi.", date(2026, 11, 26), False),
        ("pas aujourd'hui, demain", date(2026, 11, 24), True),
        ("Annuler pas lundi, mardi.", date(2026, 11, 24), False),  # "ne pas annuler" otherwise
        ("je voudrais réserver pas demain mais jeudi", date(2026, 11, 26), False),
        # "pas" negating a verb or a noun: the date is the day meant
        ("pas de cantine jeudi", date(2026, 11, 26), False),
        ("pas de repas demain", date(2026, 11, 24), True),
        ("il mange pas demain", date(2026, 11, 24), True),
        ("il ne mange pas jeudi", date(2026, 11, 26), False),
        ("Léa ne vient pas demain.", date(2026, 11, 24), True),
        ("elle ne sera pas là le 4 décembre", date(2026, 12, 4), True),
        ("je ne veux pas annuler demain", date(2026, 11, 24), True),
    ],
)
def test_negated_date(text: str, expected: date, certain: bool) -> None:
    check(text, MON_23_NOV, expected, certain)
    assert not several_days(text, MON_23_NOV)


@pytest.mark.parametrize(
    "text",
    [
        "pas demain",
        "Non, pas demain.",
        "non pas jeudi",
        "pas le 3",
        "pas lundi ni mardi",  # neither
        "ni lundi ni mardi",
        "pas jeudi de la semaine prochaine",
        "Annuler pas demain.",
    ],
)
def test_negated_date_alone_is_nothing(text: str) -> None:
    assert parse_date(text, MON_23_NOV) is None
    assert not several_days(text, MON_23_NOV)


@pytest.mark.parametrize(
    "text",
    [
        "lundi et mardi",
        "du 30 novembre au 4 décembre",
        "toute la semaine prochaine",
        "le 3 et le 4",
        # "pas" after a verb negates the verb: both days are meant
        "il ne mange pas lundi et pas mardi",
        "il mange lundi mais pas mardi",
        "pas demain, jeudi et vendredi",
    ],
)
def test_genuine_several_days_still_count(text: str) -> None:
    assert parse_date(text, MON_23_NOV) is None
    assert several_days(text, MON_23_NOV)


SIMPLE = [
    "demain", "après-demain", "aujourd'hui", "lundi", "jeudi prochain", "mardi en huit",
    "le 3", "le 4 décembre", "le 21/11", "jeudi 3 décembre", "dans trois jours",
]  # fmt: skip


@given(todays, st.sampled_from(SIMPLE), st.sampled_from(SIMPLE))
@example(MON_23_NOV, "demain", "jeudi prochain")
def test_negated_then_said_is_what_is_said(today: date, negated: str, said: str) -> None:
    alone = parse_date(said, today)
    for text in (f"non, pas {negated}, {said}", f"non pas {negated} mais {said}"):
        assert parse_date(text, today) == alone, text
        if alone is not None:
            assert not several_days(text, today), text
    assert parse_date(f"pas {negated}", today) is None
    assert not several_days(f"pas {negated}", today)


@given(todays, st.sampled_from(SIMPLE))
def test_a_phrase_without_negation_is_unchanged_by_a_verb_negation(today: date, said: str) -> None:
    # "il ne mange pas demain" is about tomorrow: the verb is negated, not the date.
    assert parse_date(f"il ne mange pas {said}", today) == parse_date(said, today)


# ---------------------------------------------------------------------------------------------
# 4. "1 er décembre" (a space before the ordinal suffix)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected", "certain"),
    [
        ("1 er décembre", MON_23_NOV, date(2026, 12, 1), True),
        ("le 1 er décembre", MON_23_NOV, date(2026, 12, 1), True),
        ("Le 1 er décembre.", MON_23_NOV, date(2026, 12, 1), True),
        ("mardi 1 er décembre", MON_23_NOV, date(2026, 12, 1), True),
        ("le 1 er décembre 2026", MON_23_NOV, date(2026, 12, 1), True),
        ("le 1 er janvier", MON_28_DEC, date(2027, 1, 1), True),
        ("le 1 er", MON_23_NOV, date(2026, 12, 1), False),
        ("1er décembre", MON_23_NOV, date(2026, 12, 1), True),  # unchanged
        ("le 11 décembre", MON_23_NOV, date(2026, 12, 11), True),
    ],
)
def test_premier_with_a_space(text: str, today: date, expected: date, certain: bool) -> None:
    check(text, today, expected, certain)


# ---------------------------------------------------------------------------------------------
# 5. A weekday before a full date: the full date wins
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("jeudi 04/02/2027", date(2027, 2, 4), True),
        ("Jeudi 04/02/2027.", date(2027, 2, 4), True),
        ("jeudi 4/2/2027", date(2027, 2, 4), True),
        ("jeudi 4 février 2027", date(2027, 2, 4), True),
        ("le jeudi 4/2/27", date(2027, 2, 4), True),
        ("jeudi 04/02", date(2027, 2, 4), True),
        ("jeudi prochain 3/12", date(2026, 12, 3), True),
        ("lundi 04/02/2027", date(2027, 2, 4), False),  # the weekday disagrees: read back
        ("vendredi 4/2/2027", date(2027, 2, 4), False),
        ("jeudi 31/02/2027", None, None),  # impossible
    ],
)
def test_weekday_and_numeric_date(text: str, expected: date | None, certain: bool | None) -> None:
    check(text, MON_23_NOV, expected, certain)


# ---------------------------------------------------------------------------------------------
# 6. A weekday and a bare day of the month
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected", "certain"),
    [
        ("lundi 4", MON_23_NOV, date(2027, 1, 4), False),  # the 4th after the next: a Monday
        ("le lundi 4", MON_23_NOV, date(2027, 1, 4), False),
        # No Monday the 3rd in December or January: Thursday 3 December (read back as such),
        # not Monday 3 May 2027.
        ("lundi 3", MON_23_NOV, date(2026, 12, 3), False),
        ("mercredi 3", MON_23_NOV, date(2026, 12, 3), False),  # not Wednesday 3 February 2027
        # Tuesday 3 November, just past, agrees (as "mardi 3 novembre"): the line says it is
        # past, neither 3 December (a Thursday) nor 3 August 2027.
        ("mardi 3", MON_23_NOV, date(2026, 11, 3), True),
        ("jeudi 4", MON_23_NOV, date(2026, 12, 4), False),  # not Thursday 4 February 2027
        ("jeudi 1er", MON_23_NOV, date(2026, 12, 1), False),  # not Thursday 1 April 2027
        ("le mercredi 3 ", MON_23_NOV, date(2026, 12, 3), False),
        ("mardi 29", MON_23_NOV, date(2026, 12, 29), False),  # Sunday 29 Nov, Tuesday 29 Dec
        ("lundi 31", MON_23_NOV, date(2026, 12, 31), False),
        ("jeudi 3", MON_23_NOV, date(2026, 12, 3), True),  # the next 3rd agrees: unchanged
        ("lundi 23", MON_23_NOV, date(2026, 11, 23), True),  # today counts
        ("mardi 1 er", MON_23_NOV, date(2026, 12, 1), True),
        ("vendredi 1er", MON_23_NOV, date(2027, 1, 1), False),
    ],
)
def test_weekday_and_day_of_month(text: str, today: date, expected: date, certain: bool) -> None:
    check(text, today, expected, certain)


@given(todays, st.sampled_from(range(7)), st.integers(1, 31))
def test_weekday_and_day_of_month_property(today: date, weekday: int, day: int) -> None:
    guess = parse_date(f"{WEEKDAYS[weekday]} {day}", today)
    assert guess is not None
    assert guess.day.day == day
    if guess.day < today:
        # The recent past such day, when it alone has the weekday (see below): said past.
        assert guess.certain and guess.day.weekday() == weekday
        assert today - guess.day <= timedelta(days=62)
        return
    nearest = next(
        today + timedelta(days=k) for k in range(366) if (today + timedelta(days=k)).day == day
    )
    month_after = [
        nearest + timedelta(days=k)
        for k in range(1, 63)
        if (nearest + timedelta(days=k)).day == day
        and (nearest + timedelta(days=k)).month == nearest.month % 12 + 1
    ]
    agreeing = [d for d in [nearest, *month_after] if d.weekday() == weekday]
    if agreeing:  # the nearest such day, or the same day the month after
        assert guess.day == agreeing[0]
        assert guess.certain == (agreeing[0] == nearest)
    else:  # the number wins: the nearest such day of the month, read back with its weekday
        # (unless the recent past one has the weekday, returned above)
        assert guess == DateGuess(nearest, False)
    # never months past the nearest such day (itself up to two months ahead on 1 November:
    # "dimanche 31", the next 31st being 31 December)
    assert guess.day - nearest < timedelta(days=63)


# ---------------------------------------------------------------------------------------------
# 7. Ordinal weekdays of a month; school-calendar events
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected", "certain"),
    [
        ("le deuxième jeudi de décembre", MON_23_NOV, date(2026, 12, 10), True),
        ("Le 2e jeudi de décembre.", MON_23_NOV, date(2026, 12, 10), True),
        ("le second jeudi de décembre", MON_23_NOV, date(2026, 12, 10), True),
        ("le deuxième jeudi du mois de décembre", MON_23_NOV, date(2026, 12, 10), True),
        ("le premier lundi de janvier", MON_23_NOV, date(2027, 1, 4), True),
        ("le 1er lundi de janvier", MON_23_NOV, date(2027, 1, 4), True),
        ("le premier lundi de décembre 2026", MON_23_NOV, date(2026, 12, 7), True),
        ("le premier vendredi d'octobre", MON_23_NOV, date(2027, 10, 1), False),  # far ahead
        ("le dernier vendredi de novembre", MON_23_NOV, date(2026, 11, 27), True),
        ("le dernier jeudi de décembre", MON_23_NOV, date(2026, 12, 31), True),
        ("le troisième mercredi de novembre", MON_23_NOV, date(2027, 11, 17), False),  # past
        ("le quatrième lundi de novembre", MON_23_NOV, date(2026, 11, 23), True),  # today
        ("annuler le deuxième jeudi de décembre pour Léa", MON_23_NOV, date(2026, 12, 10), True),
    ],
)
def test_nth_weekday_of_month(text: str, today: date, expected: date, certain: bool) -> None:
    check(text, today, expected, certain)


@pytest.mark.parametrize(
    "text",
    [
        "le lundi de la rentrée",
        "Le lundi de la rentrée.",
        "le jeudi avant les vacances",
        "le lundi après les vacances de Noël",
        "le lundi d'après les vacances",  # (alone, the Monday after the coming one)
        "le deuxième jeudi",  # of which month?
        "le premier lundi du mois",
        "le premier lundi de la rentrée",
        "le sixième jeudi de décembre",
        "le cinquième lundi de février 2027",  # there are four
    ],
)
def test_weekday_the_parser_cannot_date_is_none(text: str) -> None:
    assert parse_date(text, MON_23_NOV) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lundi après-midi", date(2026, 11, 30)),  # not "lundi d'après"
        ("le premier décembre", date(2026, 12, 1)),
        ("le premier", date(2026, 12, 1)),
        ("le premier, jeudi", date(2026, 12, 1)),  # as before: not "the first Thursday"
    ],
)
def test_near_misses_of_the_new_forms(text: str, expected: date) -> None:
    guess = parse_date(text, MON_23_NOV)
    assert (guess.day if guess else None) == expected


@given(
    todays,
    st.sampled_from(["premier", "deuxième", "troisième", "quatrième", "cinquième", "dernier"]),
    st.sampled_from(range(7)),
    st.integers(1, 12),
)
def test_nth_weekday_property(today: date, nth: str, weekday: int, month: int) -> None:
    months = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ]  # fmt: skip
    guess = parse_date(f"le {nth} {WEEKDAYS[weekday]} de {months[month - 1]}", today)
    if guess is None:
        assert nth == "cinquième"
        return
    assert guess.day >= today
    assert guess.day.weekday() == weekday
    assert guess.day.month == month
    if nth == "dernier":
        assert (guess.day + timedelta(days=7)).month != month
    else:
        index = ["premier", "deuxième", "troisième", "quatrième", "cinquième"].index(nth)
        assert (guess.day.day - 1) // 7 == index


# ---------------------------------------------------------------------------------------------
# Self-corrections: a date taken back by the next one
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("jeudi, non, vendredi", FRI_27_NOV, False),
        ("jeudi non vendredi", FRI_27_NOV, False),
        ("Jeudi euh non vendredi.", FRI_27_NOV, False),
        ("jeudi ou plutôt vendredi", FRI_27_NOV, False),
        # "plutôt" after the day meant (both days were cancelled, one by one)
        ("annuler pour Rose jeudi, euh, vendredi plutôt", FRI_27_NOV, False),
        ("jeudi vendredi plutôt", FRI_27_NOV, False),
        ("lundi, enfin je veux dire mardi", date(2026, 11, 24), False),
        ("le 3, pardon le 4", date(2026, 12, 4), False),
        ("le 3 décembre, non, le 4 décembre", date(2026, 12, 4), True),
        ("jeudi 3, non, le vendredi 4", date(2026, 12, 4), True),
        ("demain, non, après-demain", date(2026, 11, 25), True),
        ("jeudi, non, vendredi, non, lundi", date(2026, 11, 30), False),
        ("annuler jeudi non vendredi", FRI_27_NOV, False),
        # The second date excluded: the first one stands.
        ("jeudi, non pas vendredi", THU_26_NOV, False),
        ("vendredi au lieu de jeudi", FRI_27_NOV, False),
        ("le 4 décembre au lieu du 3", date(2026, 12, 4), True),
        ("au lieu de jeudi, vendredi", FRI_27_NOV, False),
        # A date said again after a hesitation, its "le" repeated (both were read back)
        ("le vingt-six euh le vingt-sept", FRI_27_NOV, False),
        ("annuler le 26 euh le 27", FRI_27_NOV, False),
        ("annuler le 26, euh, le 27", FRI_27_NOV, False),
        ("le jeudi euh le vendredi", FRI_27_NOV, False),
    ],
)
def test_a_date_taken_back_gives_way_to_the_next(
    text: str, expected: date, certain: bool
) -> None:
    check(text, MON_23_NOV, expected, certain)
    assert not several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    "text",
    ["jeudi ou vendredi", "jeudi et vendredi", "le 3 ou le 4", "jeudi, vendredi", "jeudi, lundi"],
)
def test_two_dates_without_a_correction_are_still_two(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert several_days(text, MON_23_NOV), text


# ---------------------------------------------------------------------------------------------
# What parents said in exploratory calls (second round)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("la semaine prochaine jeudi", date(2026, 12, 3), True),
        ("la semaine prochaine, jeudi", date(2026, 12, 3), True),
        ("Lundi en 8.", date(2026, 11, 30), False),  # said on a Monday: a week from today
        ("Jeudi en 15.", date(2026, 12, 10), False),
        ("jeudi 12h", THU_26_NOV, False),  # the hour of the meal, not the 12th
        ("jeudi à 12 h 30", THU_26_NOV, False),
        ("ce midi", MON_23_NOV, True),
        # The keys the line asked for, said aloud
        ("2, 6, 1, 1.", THU_26_NOV, True),
        ("2611", THU_26_NOV, True),
        ("0 3 1 2", date(2026, 12, 3), True),
        ("le 14 janv.", date(2027, 1, 14), True),
        ("le 7 déc.", date(2026, 12, 7), True),
        ("le sept décembre", date(2026, 12, 7), True),  # "sept" is seven, not September
        ("aujourd'hui en huit", date(2026, 11, 30), False),
        ("demain en huit", date(2026, 12, 1), False),
        ("jeudi dans une semaine", date(2026, 12, 3), False),
        ("jeudi dans 8 jours", date(2026, 12, 3), False),
        # "ni" after a day meant: both meant ("pas lundi ni mardi" stays neither)
        ("non pas lundi ni mardi, mercredi", date(2026, 11, 25), False),
    ],
)
def test_second_round_dates(text: str, expected: date, certain: bool) -> None:
    check(text, MON_23_NOV, expected, certain)


@pytest.mark.parametrize(
    "text",
    [
        "Annuler les 3 et 4 décembre.",
        "le 3 et le 4 décembre",
        "les 1, 2 décembre",
        "le 11, 12 janvier",
        "3-4 décembre",
        "les 3 premiers jours",
        "annuler toute la semaine prochaine sauf jeudi",
        "tous les jours sauf le 3 décembre",
        "Il ne mange pas jeudi ni vendredi.",
        "Il ne mange pas demain ni jeudi.",
        "jusqu'à vendredi",
        "Rose est malade jusqu'au 4 décembre.",
        "à partir du 3 décembre",
        "à partir de jeudi",
        "depuis lundi",
        "dès lundi",
        "tous les jeudis",
        "annuler chaque jeudi",
        "jusqu'aux vacances",
        "jusqu'à Noël",
        "tout le mois de décembre",
    ],
)
def test_spans_and_lists_of_days_are_several_days(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert several_days(text, MON_23_NOV), text


@pytest.mark.parametrize("text", ["sauf jeudi", "à part le 3", "sans jeudi", "pas lundi ni mardi"])
def test_days_left_out_alone_are_no_date(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert not several_days(text, MON_23_NOV), text


# ---------------------------------------------------------------------------------------------
# Robustness
# ---------------------------------------------------------------------------------------------

date_words = st.sampled_from(
    [
        *WEEKDAYS, "décembre", "février", "le", "ce", "de", "la", "du", "mois", "premier", "1",
        "er", "1er", "deuxième", "dernier", "passé", "d'avant", "d'après", "avant", "après",
        "rentrée", "vacances", "pas", "non", "ni", "mais", "c'est", "demain", "hier", "semaine",
        "dernière", "prochaine", "4", "04/02/2027", "4/2", "2027", "31", ",", ".", "?",
        "pardon", "plutôt", "enfin", "ou",
    ]
)  # fmt: skip


@given(st.one_of(st.text(), st.lists(date_words, max_size=8).map(" ".join)), todays)
@example("le cinquième lundi de février", date(9999, 12, 1))
@example("le dernier jeudi de décembre", date(9999, 12, 31))
@example("lundi 31", date(9999, 12, 31))
@example("jeudi dernier", date(1, 1, 1))
@example("jeudi de la semaine dernière", date(1, 1, 2))
def test_never_raises(text: str, today: date) -> None:
    guess = parse_date(text, today)
    assert guess is None or isinstance(guess.day, date)
    assert isinstance(several_days(text, today), bool)


THU_3_DEC = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "last", "expected"),
    [
        ("non, jeudi prochain", THU_26_NOV, THU_3_DEC),  # "prochain" is Thursday 26 itself
        ("non, jeudi prochain", date(2026, 11, 30), None),  # Thursday 26: a date of its own
        ("le jeudi d'après", THU_26_NOV, THU_3_DEC),
        ("le vendredi d'après", THU_3_DEC, date(2026, 12, 4)),
        ("je me suis trompée de semaine", THU_26_NOV, THU_3_DEC),
        ("la semaine suivante", THU_26_NOV, THU_3_DEC),
        ("c'était la semaine d'avant", THU_3_DEC, THU_26_NOV),
        ("le jeudi d'avant", THU_3_DEC, THU_26_NOV),
        ("le vendredi précédent", THU_3_DEC, date(2026, 11, 27)),
        ("jeudi en huit", THU_26_NOV, None),  # from today: parse_date's
        ("le jour d'après", THU_26_NOV, None),  # a day on, not a week: parse_date's
        ("le jour suivant", THU_26_NOV, None),
        ("le jour d'avant", THU_3_DEC, None),
        ("le lendemain", THU_26_NOV, None),
        ("non, jeudi", THU_26_NOV, None),
        ("après-demain", THU_26_NOV, None),
        ("le 3 décembre", THU_26_NOV, None),
    ],
)
def test_shifted_day(text: str, last: date, expected: date | None) -> None:
    assert shifted_day(text, last, MON_23_NOV) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le premier jour possible", True),  # not the 1st of the month
        ("le premier jour", True),
        ("d'accord, ce jour-là", True),
        ("le plus tôt possible", True),
        ("va pour celui-là", True),
        ("le premier", False),
        ("le premier décembre", False),
        ("le premier jour du mois", False),
        ("pas ce jour-là", False),
        ("jeudi, ce jour-là", False),
        ("va pour le 26", False),
        # a first day of its own (they were the day offered, Thursday 26 November)
        ("le premier jour de la rentrée", False),
        ("le premier jour de la semaine prochaine", False),
        ("le premier jour après Noël", False),
        ("le premier jour après les vacances", False),
    ],
)
def test_names_the_offered_day(text: str, expected: bool) -> None:
    assert names_the_offered_day(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deux six un un", THU_26_NOV),
        ("je tape deux six un un", THU_26_NOV),
        ("non, zéro trois un deux", date(2026, 12, 3)),  # at a read-back: not the 3rd of January
        ("c'est 2 6 1 1", THU_26_NOV),
        ("trois un un un", None),  # no 31 November: not several days either
    ],
)
def test_the_keys_of_a_date_said_one_by_one(text: str, expected: date | None) -> None:
    guess = parse_date(text, MON_23_NOV)
    assert (guess.day if guess else None) == expected
    assert not several_days(text, MON_23_NOV)


@pytest.mark.parametrize(
    "text", ["il est pas là jeudi", "Nathan est pas là jeudi.", "il n'est pas là jeudi"]
)
def test_la_before_a_weekday_is_there_not_an_article(text: str) -> None:
    # "pas là jeudi" read as "pas (la) jeudi": Thursday excluded, so no date at all
    guess = parse_date(text, date(2026, 11, 23))
    assert guess is not None and guess.day == date(2026, 11, 26)


# ---------------------------------------------------------------------------------------------
# Third round: a number that counts meals or children after a weekday is not a day of the month
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("jeudi, 2 repas", THU_26_NOV, False),
        ("jeudi, 3 repas", THU_26_NOV, False),  # not Thursday 3 December
        ("jeudi 1 seul repas", THU_26_NOV, False),
        ("Jeudi, un seul repas.", THU_26_NOV, False),
        ("lundi, 2e enfant", date(2026, 11, 30), False),
        ("lundi pour le deuxième enfant", date(2026, 11, 30), False),
        ("jeudi pour le premier enfant", THU_26_NOV, False),  # not also the 1st
        ("jeudi 2 enfants", THU_26_NOV, False),
        ("jeudi 2 de mes enfants", THU_26_NOV, False),
        ("jeudi, 2 fois", THU_26_NOV, False),
        ("jeudi 3 décembre, 2 repas", date(2026, 12, 3), True),
        # unchanged: the number is a date
        ("jeudi dans 3 jours", THU_26_NOV, True),
        ("jeudi 3", date(2026, 12, 3), True),
        ("jeudi 12h", THU_26_NOV, False),
    ],
)
def test_a_count_after_a_weekday_is_not_the_day_of_the_month(
    text: str, expected: date, certain: bool
) -> None:
    check(text, MON_23_NOV, expected, certain)
    assert not several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    "text",
    [
        "lundi, 3 jours", "jeudi 2 jours de suite", "lundi 2 semaines",
        # how long, not when: never Thursday 26 read back as the one day asked
        "jeudi, pour 2 semaines", "jeudi pour deux semaines", "lundi pendant 3 jours",
    ],
)  # fmt: skip
def test_a_count_of_days_after_a_weekday_is_a_span(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("lundi, 2e enfant", 2), ("jeudi, le premier enfant", 1), ("pour lundi, le deuxième enfant", 2)],
)
def test_an_ordinal_child_after_a_weekday_is_the_child(text: str, expected: int) -> None:
    assert parse_choice(text, ["Hugo", "Léa", "Zoé"]) == expected


# ---------------------------------------------------------------------------------------------
# Third round: a correction that ends with a bare number
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 décembre, non, 4", date(2026, 12, 4)),
        ("Le 3 décembre, non, 4.", date(2026, 12, 4)),
        ("le 3 décembre, pardon 4", date(2026, 12, 4)),
        ("le 3 décembre ou plutôt 4", date(2026, 12, 4)),
        ("jeudi 26, non 27", FRI_27_NOV),
        ("jeudi 26, euh non, 27", FRI_27_NOV),
        ("jeudi en 8, non en 15", date(2026, 12, 10)),  # Thursday 26 + 14 days
        ("jeudi en huit, non, en quinze", date(2026, 12, 10)),
        ("lundi en 15, non en 8", date(2026, 11, 30)),  # said on a Monday: today + 7
        ("jeudi, non, en huit", date(2026, 12, 3)),
        ("demain en huit, non en quinze", date(2026, 12, 8)),
        # the month of the date corrected, not the nearest such day
        ("le 3 janvier, non le 4", date(2027, 1, 4)),
        ("le 3 janvier, non, 4", date(2027, 1, 4)),
        ("le 3 mars, non, 4", date(2027, 3, 4)),
        ("le 30 novembre, non, le 1er", date(2026, 12, 1)),  # the 1st of November is past
        ("jeudi, non, 4", date(2026, 12, 4)),  # no month said: the next 4th
        # unchanged
        ("le 3 décembre, non le 4", date(2026, 12, 4)),
        ("le 3, pardon le 4", date(2026, 12, 4)),
        ("jeudi, non pas 27", THU_26_NOV),  # the 27th said to be excluded
        ("jeudi non 2 repas", THU_26_NOV),
    ],
)
def test_a_correction_with_a_bare_number(text: str, expected: date) -> None:
    check(text, MON_23_NOV, expected, False)
    assert not several_days(text, MON_23_NOV), text


@pytest.mark.parametrize("text", ["le 30 novembre, non 31", "jeudi 26, non, 31"])
def test_a_correction_to_a_day_the_month_lacks_is_no_date(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert not several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    ("text", "expected"), [("3 décembre, 4", date(2026, 12, 3)), ("jeudi 26, 27", THU_26_NOV)]
)
def test_a_bare_number_without_a_correction_word_is_still_no_date(
    text: str, expected: date
) -> None:
    check(text, MON_23_NOV, expected, True)  # as before: only a correction word makes it one


# ---------------------------------------------------------------------------------------------
# Third round: the month said in other ways
# ---------------------------------------------------------------------------------------------

MON_4_JAN = date(2027, 1, 4)


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("le 4 de janvier", MON_4_JAN, True),
        ("Le 4 du mois de janvier.", MON_4_JAN, True),
        ("le 4 en janvier", MON_4_JAN, True),
        ("le quatre au mois de janvier", MON_4_JAN, True),
        ("le 8 d'avril", date(2027, 4, 8), True),
        ("le 8 d'août", date(2027, 8, 8), False),  # more than six months ahead
        ("jeudi 4 de février", date(2027, 2, 4), True),
        ("lundi 4 du mois de janvier", MON_4_JAN, True),
        ("le 4 de janvier 2027", MON_4_JAN, True),
        # the month said first
        ("en janvier, le 4", MON_4_JAN, True),
        ("En janvier le 4.", MON_4_JAN, True),
        ("février le 5", date(2027, 2, 5), True),
        ("au mois de janvier, le 4", MON_4_JAN, True),
        ("janvier 2027, le 4", MON_4_JAN, True),
        ("annuler en janvier le 4 pour Léa", MON_4_JAN, True),
        # corrections and lists keep working
        ("le 3 janvier, non, le 4 de janvier", MON_4_JAN, True),
        ("le 4 de janvier, non, le 5", date(2027, 1, 5), False),
        # unchanged
        ("le 4 du mois", date(2026, 12, 4), False),
        ("le 3 du 12", date(2026, 12, 3), True),
        ("le 4", date(2026, 12, 4), False),
    ],
)
def test_the_month_said_in_other_ways(text: str, expected: date, certain: bool) -> None:
    check(text, MON_23_NOV, expected, certain)
    assert not several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    "text",
    [
        "les 3 et 4 de janvier",
        "le 3 de chaque mois",
        "le 3 chaque mois",
        "annuler le 15 de tous les mois",
        "en janvier, le 4 et le 5",
    ],
)
def test_days_of_a_month_said_in_other_ways_are_several(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    ("text", "expected"), [("le 2 de janvier", None), ("le 2", 2), ("le 2e enfant", 2)]
)
def test_a_day_said_with_de_and_its_month_is_no_child(text: str, expected: int | None) -> None:
    assert parse_choice(text, ["Hugo", "Léa", "Zoé"]) == expected


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        # a month that ends another date is that date's: "le 3" is the nearest 3rd, as before
        ("non, pas le 4 janvier, le 3", date(2026, 12, 3), False),
        ("pas le 4 janvier mais le 3", date(2026, 12, 3), False),
    ],
)
def test_a_month_of_another_date_is_not_said_first(
    text: str, expected: date, certain: bool
) -> None:
    check(text, MON_23_NOV, expected, certain)


# ---------------------------------------------------------------------------------------------
# Third round: a week named by one of its days
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "la semaine du 7 décembre",
        "Annuler la semaine du 7.",
        "toute la semaine du lundi 7 décembre",
        "la semaine du 7 décembre sauf jeudi",
        "la semaine qui commence le 7 décembre",
        "la semaine de jeudi",
        "les semaines du 7 et du 14 décembre",
    ],
)
def test_a_week_named_by_a_day_is_several_days(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("jeudi de la semaine du 7 décembre", date(2026, 12, 10), True),
        ("le vendredi de la semaine du 30 novembre", date(2026, 12, 4), True),
        # unchanged
        ("jeudi de la semaine prochaine", date(2026, 12, 3), True),
        ("cette semaine, jeudi", THU_26_NOV, False),
        ("le 7 décembre", date(2026, 12, 7), True),
    ],
)
def test_a_weekday_of_a_week_named_by_a_day(text: str, expected: date, certain: bool) -> None:
    check(text, MON_23_NOV, expected, certain)
    assert not several_days(text, MON_23_NOV), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("non, 5", date(2027, 1, 5)),
        ("Non, le 5.", date(2027, 1, 5)),
        ("pardon, le 5", date(2027, 1, 5)),
        ("non, en huit", date(2027, 1, 11)),
        # no correction word, or a full date: as without the date heard
        ("le 5", date(2026, 12, 5)),
        ("non, le 5 février", date(2027, 2, 5)),
        ("non, vendredi", date(2027, 1, 8)),  # that week's Friday, as the flow reads it too
        ("oui", None),
    ],
)
def test_a_bare_number_correcting_the_date_heard(text: str, expected: date | None) -> None:
    # At the read-back of Monday 4 January, "non, 5" is the 5th of January.
    guess = parse_date(text, MON_23_NOV, heard=MON_4_JAN)
    assert (guess.day if guess else None) == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("le 3 décembre, non, vendredi", date(2026, 12, 4)),  # that week's Friday
        ("le 10 décembre, non plutôt mardi", date(2026, 12, 8)),
        ("le 3 décembre, pardon, lundi", date(2026, 11, 30)),
        ("jeudi, non, vendredi", date(2026, 11, 27)),  # a weekday for a weekday: as before
        ("demain, non, jeudi", date(2026, 11, 26)),  # never earlier than the coming one
    ],
)
def test_a_weekday_said_instead_of_a_date_is_the_one_of_its_week(text: str, day: date) -> None:
    guess = parse_date(text, date(2026, 11, 23))
    assert guess is not None and guess.day == day


# ---------------------------------------------------------------------------------------------
# Fourth round: a weekday some weeks ahead, a day of a month said by its place, the day after
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        # The Thursday that many weeks after the coming one (Thursday 26), as "en quinze": the
        # Thursday of the week two weeks ahead. It was Monday 7 December, the weekday dropped.
        ("jeudi dans deux semaines", date(2026, 12, 10), False),
        ("Jeudi dans 2 semaines.", date(2026, 12, 10), False),
        ("le jeudi dans quinze jours", date(2026, 12, 10), False),
        ("dans deux semaines, jeudi", date(2026, 12, 10), False),
        ("dans quinze jours le jeudi", date(2026, 12, 10), False),
        ("mardi dans trois semaines", date(2026, 12, 15), False),
        ("lundi dans deux semaines", date(2026, 12, 7), False),  # said on a Monday: from today
        ("dans une semaine, vendredi", date(2026, 12, 4), False),
        # unchanged
        ("jeudi dans une semaine", date(2026, 12, 3), False),
        ("jeudi en huit", date(2026, 12, 3), False),  # the Thursday after the coming one
        ("jeudi en quinze", date(2026, 12, 10), False),
        ("mardi de la semaine prochaine", date(2026, 12, 1), True),
        ("la semaine prochaine, mardi", date(2026, 12, 1), True),
        ("dans deux semaines", date(2026, 12, 7), True),
        ("dans quinze jours", date(2026, 12, 7), False),
        ("jeudi dans 3 jours", THU_26_NOV, True),  # days, not weeks: the two agree
    ],
)
def test_a_weekday_some_weeks_ahead(text: str, expected: date, certain: bool) -> None:
    check(text, MON_23_NOV, expected, certain)


@given(todays, st.sampled_from(range(7)))
@example(MON_23_NOV, 3)
@example(THU_26_NOV, 3)
def test_a_weekday_two_weeks_ahead_is_that_weekday_en_quinze(today: date, weekday: int) -> None:
    said = WEEKDAYS[weekday]
    in_fifteen = parse_date(f"{said} en quinze", today)
    assert in_fifteen is not None and in_fifteen.day.weekday() == weekday
    if today.weekday() == weekday:
        # Said on that weekday: two weeks from today, as "dans deux semaines" alone, and as
        # "jeudi en quinze" said on a Thursday
        assert in_fifteen == DateGuess(today + timedelta(days=14), False)
    expected = in_fifteen
    for text in (f"{said} dans deux semaines", f"dans deux semaines, {said}"):
        assert parse_date(text, today) == expected, text
    assert parse_date(f"{said} dans quinze jours", today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected", "certain"),
    [
        # That month's day, the year known: it was the nearest 26th (today's month's, 26
        # November) and the nearest 4th (4 December) for this month's.
        ("le 26 du mois prochain", MON_23_NOV, date(2026, 12, 26), True),
        ("le 4 du mois prochain", MON_23_NOV, date(2026, 12, 4), True),
        ("le 4 du mois prochain", MON_28_DEC, date(2027, 1, 4), True),  # into the next year
        ("le 10 le mois prochain", MON_23_NOV, date(2026, 12, 10), True),
        ("Le 10 du mois suivant.", MON_23_NOV, date(2026, 12, 10), True),
        ("le premier du mois prochain", MON_23_NOV, date(2026, 12, 1), True),
        ("le mois prochain, le 26", MON_23_NOV, date(2026, 12, 26), True),
        ("jeudi 10 du mois prochain", MON_23_NOV, date(2026, 12, 10), True),
        ("lundi 10 du mois prochain", MON_23_NOV, date(2026, 12, 10), False),  # a Thursday
        ("le 4 de ce mois", MON_23_NOV, date(2026, 11, 4), True),  # past: the line says so
        ("le 4 de ce mois-ci", MON_23_NOV, date(2026, 11, 4), True),
        ("le 26 de ce mois-ci", MON_23_NOV, THU_26_NOV, True),
        ("ce mois-ci, le 30", MON_23_NOV, date(2026, 11, 30), True),
        ("le premier lundi du mois prochain", MON_23_NOV, date(2026, 12, 7), True),
        ("le dernier vendredi de ce mois", MON_23_NOV, FRI_27_NOV, True),
        # unchanged: which month is not said
        ("le 4 du mois", MON_23_NOV, date(2026, 12, 4), False),
        ("le 4 de ce mois-là", MON_23_NOV, date(2026, 12, 4), False),
    ],
)
def test_a_day_of_a_month_said_by_its_place(
    text: str, today: date, expected: date, certain: bool
) -> None:
    check(text, today, expected, certain)


@pytest.mark.parametrize(
    ("text", "today"),
    [("le 31 du mois prochain", date(2027, 1, 5)), ("le 31 de ce mois", MON_23_NOV)],
)
def test_a_day_the_month_said_by_its_place_lacks_is_no_date(text: str, today: date) -> None:
    check(text, today, None)  # not the next 31st, in another month


@pytest.mark.parametrize("text", ["les 3 et 4 du mois prochain", "le 3 et le 4 de ce mois-ci"])
def test_days_of_a_month_said_by_its_place_are_several(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert several_days(text, MON_23_NOV), text


@given(todays, st.integers(1, 28))
def test_a_day_of_next_month_is_in_the_month_after_today_s(today: date, day: int) -> None:
    guess = parse_date(f"le {day} du mois prochain", today)
    after = (today.replace(day=1) + timedelta(days=31)).replace(day=day)
    assert guess == DateGuess(after, True)
    assert parse_date(f"le {day} de ce mois-ci", today) == DateGuess(today.replace(day=day), True)


@pytest.mark.parametrize(
    ("text", "heard", "expected", "certain"),
    [
        # From the day just heard: it was no date, and at the read-back "le jour d'après" was
        # Thursday 3 December (a week on, as "le jeudi d'après").
        ("le jour d'après", THU_26_NOV, FRI_27_NOV, True),
        ("Non, le lendemain.", THU_26_NOV, FRI_27_NOV, True),
        ("le jour suivant", THU_26_NOV, FRI_27_NOV, True),
        ("le jour d'avant", THU_26_NOV, date(2026, 11, 25), True),
        ("la veille", FRI_27_NOV, THU_26_NOV, True),
        # past a weekend, when there are no school meals: read back
        ("le lendemain", FRI_27_NOV, date(2026, 11, 30), False),
        ("le surlendemain", THU_26_NOV, date(2026, 11, 30), False),
        ("la veille", date(2026, 11, 30), FRI_27_NOV, False),
        # without a day heard, from today
        ("le lendemain", None, date(2026, 11, 24), False),
        ("le jour d'après", None, date(2026, 11, 24), False),
        ("le surlendemain", None, date(2026, 11, 25), False),
        # from the date said after it
        ("le lendemain de jeudi", None, FRI_27_NOV, False),
        ("le lendemain du 3 décembre", None, date(2026, 12, 4), True),
        ("la veille du 4 décembre", THU_26_NOV, date(2026, 12, 3), True),
        ("le lendemain de vendredi", None, date(2026, 11, 30), False),
        ("le lendemain de ce jeudi", None, FRI_27_NOV, False),
    ],
)
def test_a_day_counted_from_another(
    text: str, heard: date | None, expected: date, certain: bool
) -> None:
    assert parse_date(text, MON_23_NOV, heard=heard) == DateGuess(expected, certain), text


@pytest.mark.parametrize(
    ("text", "heard"),
    [
        ("la veille", None),  # of today: no day to book
        ("le lendemain de la rentrée", None),  # from a day not understood here
        ("le lendemain de", THU_26_NOV),
        ("pas le lendemain", THU_26_NOV),
    ],
)
def test_a_day_counted_from_a_day_not_known_is_no_date(text: str, heard: date | None) -> None:
    assert parse_date(text, MON_23_NOV, heard=heard) is None


def test_a_day_counted_from_another_is_no_weekday_alone() -> None:
    assert weekday_alone("le lendemain de jeudi") is None  # Friday, not Thursday


# ---------------------------------------------------------------------------------------------
# Third round: corrections inside the date answer, a choice of days, the holidays
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Used to be two days, taken one by one (Thursday read back first).
        ("jeudi... non attendez vendredi", FRI_27_NOV),
        ("jeudi, non attends, vendredi", FRI_27_NOV),
        ("jeudi, non, vendredi", FRI_27_NOV),
        ("jeudi alors, non, vendredi", FRI_27_NOV),
        ("jeudi, pardon, vendredi", FRI_27_NOV),
        ("jeudi, enfin, vendredi", FRI_27_NOV),
        ("jeudi, je veux dire vendredi", FRI_27_NOV),
        ("jeudi, finalement non, vendredi", FRI_27_NOV),
        # "plutôt X que Y" is X.
        ("plutôt vendredi que jeudi", FRI_27_NOV),
        ("vendredi plutôt que jeudi", FRI_27_NOV),
        ("plutôt le 4 décembre que le 3", date(2026, 12, 4)),
        ("jeudi ou plutôt vendredi", FRI_27_NOV),
    ],
)
def test_the_later_day_after_a_correction_word_wins(text: str, expected: date) -> None:
    guess = parse_date(text, MON_23_NOV)
    assert guess is not None and guess.day == expected, text
    assert not several_days(text, MON_23_NOV), text
    assert days_said(text, MON_23_NOV) == [], text


@pytest.mark.parametrize(
    "text",
    [
        # Used to read back Tuesday 24 (too late) and Thursday 3 December.
        "mardi prochain alors, non, euh, toute la semaine prochaine",
        "jeudi, non, toute la semaine prochaine",
        "jeudi, pardon, toute la semaine",
        "le 3 décembre, non, tous les jours",
        "toute la semaine prochaine",
    ],
)
def test_a_correction_to_several_days_is_several_days(text: str) -> None:
    check(text, MON_23_NOV, None)
    assert several_days(text, MON_23_NOV), text
    assert days_said(text, MON_23_NOV) == [], text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The week after a weekday is that weekday's week, when nothing comes between.
        ("jeudi de la semaine prochaine", date(2026, 12, 3)),
        ("jeudi, la semaine prochaine", date(2026, 12, 3)),
        ("jeudi la semaine prochaine", date(2026, 12, 3)),
        ("jeudi de cette semaine", THU_26_NOV),
        # A span taken back by a day: that day (of the span's week).
        ("toute la semaine prochaine, non, jeudi", date(2026, 12, 3)),
    ],
)
def test_a_weekday_and_its_week(text: str, expected: date) -> None:
    guess = parse_date(text, MON_23_NOV)
    assert guess is not None and guess.day == expected, text


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("jeudi ou vendredi", [THU_26_NOV, FRI_27_NOV]),
        ("le 3 ou le 4 décembre", [date(2026, 12, 3), date(2026, 12, 4)]),
        ("jeudi ou bien vendredi", [THU_26_NOV, FRI_27_NOV]),
        ("lundi, mardi ou jeudi", [date(2026, 11, 24), THU_26_NOV, date(2026, 11, 30)]),
        # Not a choice: one day, days named together, a span
        ("jeudi ou plutôt vendredi", []),
        ("jeudi et vendredi", []),
        ("jeudi", []),
        ("du 30 novembre au 4 décembre", []),
        ("toute la semaine ou jeudi", []),
        # What follows the last day of a choice is said of them all (Tuesday was read back).
        ("lundi ou mardi de la semaine prochaine", [date(2026, 11, 30), date(2026, 12, 1)]),
    ],
)
def test_days_to_choose(text: str, days: list[date]) -> None:
    assert days_to_choose(text, MON_23_NOV) == days
    if days:
        assert days_said(text, MON_23_NOV) == []  # one of them, not each


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("pendant les vacances", ""),
        ("Pendant les vacances de Noël.", "christmas"),
        ("pour les vacances de la Toussaint", "autumn"),
        ("les vacances d'hiver", "winter"),
        ("pendant les vacances de février", "winter"),
        ("les vacances de Pâques", "spring"),
        ("les grandes vacances", "summer"),
        ("toutes les vacances d'été", "summer"),
        # Not the holidays' days: a day near them, a span up to them, a date
        ("jusqu'aux vacances", None),
        ("le jeudi avant les vacances", None),
        ("le lundi de la rentrée des vacances", None),
        ("le 23 décembre pendant les vacances", None),
        ("jeudi", None),
        # The family's own holidays, not the school's (answered with the Christmas break)
        ("on part en vacances la semaine prochaine, Rose ne mange pas", None),
        ("elle est en vacances de Noël", "christmas"),
    ],
)
def test_holidays_said(text: str, kind: str | None) -> None:
    assert holidays_said(text, MON_23_NOV) == kind
    if kind is not None:
        check(text, MON_23_NOV, None)
        assert several_days(text, MON_23_NOV), text  # never "pas compris"
        assert days_said(text, MON_23_NOV) == []


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("3002", (30, 2)),
        ("3102", (31, 2)),
        ("3104", (31, 4)),
        ("3111#", (31, 11)),
        ("2902", None),  # the next 29 February
        ("2611", None),
        ("0013", None),  # no day and month at all
        ("4512", None),
        ("26", None),
    ],
)
def test_impossible_digits_date(keys: str, expected: tuple[int, int] | None) -> None:
    assert impossible_digits_date(keys) == expected
    if expected is not None:
        assert parse_digits_date(keys, MON_23_NOV) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 31 novembre", (31, 11)),
        ("annuler le jeudi 30 février", (30, 2)),
        ("le trente et un avril", (31, 4)),
        ("le 31 du mois prochain", None),  # said on 23 November: December has one
        ("le 31 de ce mois-ci", (31, 11)),
        ("le 30 novembre", None),
        ("le 29 février", None),  # exists, every four years
        ("le 31", None),  # no month said
        ("jeudi", None),
    ],
)
def test_impossible_date_said(text: str, expected: tuple[int, int] | None) -> None:
    assert impossible_date_said(text, MON_23_NOV) == expected
    if expected is not None:
        assert parse_date(text, MON_23_NOV) is None


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("312", date(2026, 12, 3)),  # 31 February does not exist
        ("123", date(2027, 3, 12)),  # no 23rd month
        ("132", date(2027, 2, 13)),  # no 32nd month
        # Both readings exist: the nearer one (tests/test_speech_holidays_eve.py for a day
        # just past, with the line's RECENT_PAST)
        ("102", date(2027, 2, 1)),  # not 10 February
        ("111", date(2027, 1, 11)),  # not 1 November 2027
        ("311#", date(2027, 1, 31)),  # not 3 November 2027
        ("999", None),  # neither
        ("26", None),
        ("2611", None),
        ("1a2", None),
    ],
)
def test_digits_missing_a_zero(keys: str, expected: date | None) -> None:
    assert digits_missing_a_zero(keys, MON_23_NOV) == expected


@pytest.mark.parametrize(
    ("text", "last", "expected"),
    [
        ("oui mais la semaine prochaine", THU_26_NOV, THU_3_DEC),
        ("la semaine prochaine", THU_26_NOV, THU_3_DEC),
        ("oui mais la semaine suivante", THU_26_NOV, THU_3_DEC),
    ],
)
def test_shifted_day_to_next_week(text: str, last: date, expected: date) -> None:
    assert shifted_day(text, last, MON_23_NOV) == expected


def test_days_before_a_dated_day_of_a_list_come_before_it() -> None:
    # Said on Thursday 26 November: Friday 27, then Monday 30 (Friday was moved to 4 December,
    # the week of the Monday, against the order said).
    assert days_said("annuler vendredi et lundi 30", THU_26_NOV) == [
        date(2026, 11, 27),
        date(2026, 11, 30),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A list ending with its month: days of it, not the 3rd of January (then 1 March, a
        # meal months ahead, was cancelled) nor the 7th of August 2010
        ("annuler le 1, 3 et 4 décembre pour Rose", ["2026-12-01", "2026-12-03", "2026-12-04"]),
        ("le 10, 11 et 14 décembre", ["2026-12-10", "2026-12-11", "2026-12-14"]),
        ("le 7 8 10 et 11 décembre", ["2026-12-07", "2026-12-08", "2026-12-10", "2026-12-11"]),
        # Bare numbers after a day: the next days of the list (only the first was done)
        ("annuler le 26 27 et 30 pour Rose", ["2026-11-26", "2026-11-27", "2026-11-30"]),
        ("le 26 et 27", ["2026-11-26", "2026-11-27"]),
        ("le 30 et 2", ["2026-11-30", "2026-12-02"]),  # across the month's end
        # A second number up to 12, then the end of the list: the next day, not a month (it
        # was the 3rd and 5th of April)
        ("annuler le 3, 4 et 5", ["2026-12-03", "2026-12-04", "2026-12-05"]),
        ("annuler le 3, le 4 et le 5", ["2026-12-03", "2026-12-04", "2026-12-05"]),
        ("annuler les 3, 4 et 5", ["2026-12-03", "2026-12-04", "2026-12-05"]),
        ("le 3 4 et 5", ["2026-12-03", "2026-12-04", "2026-12-05"]),
        ("le 3 4 et 5 décembre", ["2026-12-03", "2026-12-04", "2026-12-05"]),
        ("le 1, 2, 3 et 4", ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]),
        # Two dates, each with its month's number
        ("le 21 11 et le 22 11", ["2027-11-21", "2027-11-22"]),
        ("le 3 4 et le 5 4", ["2027-04-03", "2027-04-05"]),
    ],
)
def test_days_listed_by_their_numbers(text: str, expected: list[str]) -> None:
    assert [d.isoformat() for d in days_said(text, MON_23_NOV)] == expected


def test_numbers_of_a_list_keep_their_other_readings() -> None:
    assert parse_date("21 11 2026", MON_23_NOV) == DateGuess(date(2026, 11, 21), True)
    # Two numbers alone are a day and its month, as keyed ("3 4": the 3rd of April)
    assert parse_date("le 3 4", MON_23_NOV) == DateGuess(date(2027, 4, 3), True)
    assert parse_date("3 4", MON_23_NOV) == DateGuess(date(2027, 4, 3), True)
    assert days_to_choose("le 26 ou 27", MON_23_NOV) == [THU_26_NOV, FRI_27_NOV]
    # "le 7 au 11" is a span, as "du 7 au 11": the days between were silently left out
    assert several_days("le 7 au 11", MON_23_NOV) and days_said("le 7 au 11", MON_23_NOV) == []
    assert parse_date("Rose mange lundi au lieu de jeudi", MON_23_NOV) == DateGuess(
        date(2026, 11, 30), False)
