"""Spoken phrases a parent naturally says that were misunderstood (restomairie.ivr.speech): the
first day that can still change asked for as such ("le premier jour possible", "dès que
possible"), the day school starts again said as "après les vacances", and a hesitation between
the days of a list ("le lundi euh le mardi et le jeudi")."""

from __future__ import annotations

from datetime import date

import pytest

from restomairie.ivr.speech import (
    ReturnDays,
    asks_first_possible_day,
    days_said,
    holidays_said,
    names_the_offered_day,
    parse_children,
    parse_date,
    return_day_said,
)

MON_23_NOV = date(2026, 11, 23)
TUE_15_DEC = date(2026, 12, 15)
NAMES = ["Margaux", "Nathan", "Rose"]

FIRST_DAY_PHRASES = [
    "annuler le premier jour possible",
    "le premier jour possible",
    "le prochain jour possible",
    "annuler dès que possible",
    "dès que possible",
    "le plus tôt possible",
    "réserver au plus vite",
    "la première date possible",
]


@pytest.mark.parametrize("said", FIRST_DAY_PHRASES)
def test_the_first_day_possible_is_no_child(said: str) -> None:
    # "Annuler le premier jour possible" at the child question was the first child (Margaux).
    assert parse_children(said, NAMES) is None


@pytest.mark.parametrize(
    ("said", "children"),
    [
        ("le premier jour possible pour Rose", {3}),
        ("annuler le premier jour possible pour Nathan", {2}),
        # A position that is a child's is still one.
        ("le premier", {1}),
        ("la deuxième", {2}),
        ("le premier enfant", {1}),
        ("annuler pour le dernier", {3}),
    ],
)
def test_children_said_with_the_first_day_possible(said: str, children: set[int]) -> None:
    assert parse_children(said, NAMES) == children


@pytest.mark.parametrize("said", FIRST_DAY_PHRASES)
def test_the_first_day_possible_is_asked_for(said: str) -> None:
    # "le prochain jour possible", "dès que possible" were not understood at all.
    assert asks_first_possible_day(said)
    assert names_the_offered_day(said)
    assert parse_date(said, MON_23_NOV) is None  # no date of its own: not the 1st of the month


@pytest.mark.parametrize(
    "said",
    [
        "ce jour-là",  # points at a day offered: none was, at the child or action question
        "celui-là",
        "le premier jour de la semaine prochaine",
        "le premier jour des vacances",
        "le premier décembre",
        "le premier jour après Noël",
        "pas le premier jour possible",
        "annuler jeudi",
        "le premier",
    ],
)
def test_other_days_are_not_the_first_day_possible(said: str) -> None:
    assert not asks_first_possible_day(said)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("après les vacances", ReturnDays("", (), 1)),
        ("Rose ne mangera pas après les vacances", ReturnDays("", (), 1)),
        ("annuler juste après les vacances", ReturnDays("", (), 1)),
        ("le lundi après les vacances", ReturnDays("", (0,), 1)),
        ("après les vacances de Noël", ReturnDays("christmas", (), 1)),
        ("le mardi après ces vacances", ReturnDays("", (1,), 1)),
        # Already understood: kept so.
        ("à la rentrée", ReturnDays("", (), 1)),
        ("le jour de la rentrée", ReturnDays("", (), 1)),
    ],
)
def test_after_the_holidays_is_the_day_school_starts_again(said: str, expected: ReturnDays) -> None:
    # "après les vacances" was no day at all: the date question, as if nothing was said.
    assert return_day_said(said, TUE_15_DEC) == expected
    assert holidays_said(said, TUE_15_DEC) is None  # not the holidays' own days


@pytest.mark.parametrize(
    "said",
    [
        "après la rentrée",  # a day after it
        "la semaine après les vacances",
        "le lendemain après les vacances",
        "jusqu'à après les vacances",
        "pendant les vacances",
        "avant les vacances",
    ],
)
def test_days_near_the_return_are_not_it(said: str) -> None:
    assert return_day_said(said, TUE_15_DEC) is None


@pytest.mark.parametrize(
    ("said", "days"),
    [
        # "euh" while listing: the caller finding the next day. Monday was dropped.
        ("le lundi euh le mardi et le jeudi", ["2026-11-30", "2026-12-01", "2026-12-03"]),
        ("annuler le lundi euh le mardi et le jeudi", ["2026-11-30", "2026-12-01", "2026-12-03"]),
        ("le lundi, euh, le mardi, et le jeudi", ["2026-11-30", "2026-12-01", "2026-12-03"]),
        ("le 26 euh le 27 et le 30", ["2026-11-26", "2026-11-27", "2026-11-30"]),
        # Without "le" it was already so.
        ("lundi euh le mardi et le jeudi", ["2026-11-30", "2026-12-01", "2026-12-03"]),
        ("lundi euh mardi et jeudi", ["2026-11-30", "2026-12-01", "2026-12-03"]),
        # A correction word takes the day before it back, as it did.
        ("le lundi euh non le mardi et le jeudi", ["2026-11-24", "2026-11-26"]),
        ("lundi euh non mardi et jeudi", ["2026-11-24", "2026-11-26"]),
        ("lundi, enfin mardi et jeudi", ["2026-11-24", "2026-11-26"]),
        ("lundi pardon mardi et jeudi", ["2026-11-24", "2026-11-26"]),
    ],
)
def test_a_hesitation_in_a_list_keeps_its_days(said: str, days: list[str]) -> None:
    assert [day.isoformat() for day in days_said(said, MON_23_NOV)] == days


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("lundi euh non mardi", date(2026, 11, 24)),
        ("lundi, enfin mardi", date(2026, 11, 24)),
        ("lundi pardon mardi", date(2026, 11, 24)),
        # Two dates alone, "le" said again: the caller starting again, as before.
        ("le 26 euh le 27", date(2026, 11, 27)),
    ],
)
def test_a_correction_word_still_takes_the_day_back(said: str, day: date) -> None:
    guess = parse_date(said, MON_23_NOV)
    assert guess is not None and guess.day == day
    assert days_said(said, MON_23_NOV) == []
