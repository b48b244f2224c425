"""Phrases that ask different things of different children or days (restomairie.ivr.speech):
children and days said to stay as they are beside the change asked ("annuler jeudi pour Rose,
Nathan il mange", "annuler jeudi, vendredi c'est bon"), and several requests in one phrase
("annuler jeudi pour Rose et lundi pour Nathan", "réserver pour Margaux jeudi et annuler pour
Rose vendredi"). What a tester heard read back wider than what was asked."""

from __future__ import annotations

import timeit
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restomairie.ivr import speech
from restomairie.ivr.speech import (
    Intent,
    Request,
    days_said,
    parse_action,
    parse_children,
    parse_date,
    requests_said,
    several_days,
)

TODAY = date(2026, 11, 23)  # a Monday
MON, THU, FRI = date(2026, 11, 30), date(2026, 11, 26), date(2026, 11, 27)
FAMILY = ["Margaux", "Nathan", "Rose"]  # 1, 2, 3
B, C = Intent.BOOK, Intent.CANCEL


def test_the_new_names_are_public() -> None:
    assert {"parse_action", "requests_said", "Request"} <= set(speech.__all__)


# ---------------------------------------------------------------------------------------------
# Children said to stay as they are
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action", "chosen"),
    [
        # Said to eat, or left as they are, beside a cancellation: not cancelled
        ("Rose mange pas jeudi mais Nathan oui", C, {3}),
        ("Rose ne mange pas jeudi, Nathan si", C, {3}),
        ("Rose ne mange pas jeudi et Nathan si", C, {3}),
        ("annuler jeudi pour Rose, Nathan il mange", C, {3}),
        ("annuler jeudi pour Rose, Nathan il mange normalement", C, {3}),
        ("annuler jeudi pour Rose, pour Nathan c'est bon", C, {3}),
        ("annuler le repas de Rose jeudi, son frère Nathan reste à la cantine", C, {3}),
        ("annuler jeudi pour Rose, Nathan ne change pas", C, {3}),
        ("Rose est malade jeudi, par contre Nathan vient", C, {2, 3}),  # "vient": not a stance
        ("Rose est malade jeudi, par contre Nathan mange", C, {3}),
        ("annuler jeudi pour Margaux et Rose, Nathan il mange", C, {1, 3}),
        # The booking counterpart: said not to eat, not booked
        ("réserver jeudi pour Rose, Nathan il mange pas", B, {3}),
        ("réserver jeudi pour Rose mais Nathan ne mange pas", B, {3}),
        ("réserver jeudi pour Rose, Nathan sera absent", B, {3}),
        ("réserver jeudi pour Rose, pour Nathan c'est bon", B, {3}),
        # For a booking, "X mange" is the change itself
        ("réserver jeudi pour Rose, Nathan il mange aussi", B, {2, 3}),
        ("Rose mange jeudi, Nathan aussi", B, {2, 3}),
        # Left out of a statement: the one the change is for
        ("Nathan mange jeudi mais pas Rose", C, {3}),
        ("tous mangent jeudi sauf Rose", C, {3}),
        ("Rose mange jeudi, Nathan non", C, {2}),
        ("Nathan mange jeudi mais pas Rose", B, {2}),  # for a booking: Nathan's
        # Left out of a request in so many words: left out, as before
        ("annuler jeudi mais pas pour Rose", C, None),
        ("annuler jeudi pour tous sauf Rose", C, {1, 2}),
        ("réserver jeudi pour tout le monde sauf Rose", B, {1, 2}),
        # Nothing said of anyone else: as without the change
        ("annuler jeudi pour Rose et Nathan", C, {2, 3}),
        ("Rose et Nathan ne mangent pas jeudi", C, {2, 3}),
        ("Rose ne mange pas jeudi, Nathan non plus", C, {2, 3}),
        ("Rose reste à la maison jeudi", C, {3}),
        # Everyone said to stay: no one is left for the change, read as before (Nathan)
        ("annuler jeudi, Nathan il mange", C, {2}),
        # How a meal is, not a second change asked
        ("le repas de Rose est réservé jeudi mais Nathan ne viendra pas", C, {2}),
        ("Nathan est malade jeudi mais Rose va bien", C, {2}),
        # A day after "pas" is no name left out: "pas jeudi et Nathan"
        ("Rose mange pas jeudi et Nathan mange pas vendredi", C, {2, 3}),
        ("Rose mange pas jeudi et Nathan mange pas vendredi", None, {2, 3}),
    ],
)
def test_children_said_to_stay_as_they_are_are_left_out(
    text: str, action: Intent, chosen: set[int] | None
) -> None:
    found = parse_children(text, FAMILY, ordinals=False, action=action)
    assert found == (None if chosen is None else frozenset(chosen))


@pytest.mark.parametrize(
    "text",
    [
        "Margaux mange jeudi à la place de Rose",
        "Margaux mange jeudi au lieu de Rose",
        "Margaux remplace Rose jeudi",
        "Margaux à la place de Nathan et Rose",
    ],
)
def test_the_child_a_change_is_instead_of_is_left_out(text: str) -> None:
    # Rose was booked with Margaux: her cancellation, made earlier in the call, undone.
    assert parse_children(text, FAMILY, ordinals=False) == frozenset({1})


@pytest.mark.parametrize(
    "text",
    [
        "Rose mange pas jeudi mais Nathan oui",
        "annuler jeudi pour Rose, Nathan il mange",
        "annuler jeudi pour Rose, pour Nathan c'est bon",
        "Nathan mange jeudi mais pas Rose",
    ],
)
def test_without_the_change_nothing_is_left_out_as_before(text: str) -> None:
    """Where no change is given (the read-back's corrections), children are read as they
    were: the line knows what each step asks."""
    assert parse_children(text, FAMILY, ordinals=False) == (
        frozenset({2}) if text.startswith("Nathan mange") else frozenset({2, 3})
    )


@pytest.mark.parametrize(
    ("text", "current", "action"),
    [
        # The change asked in so many words wins over a statement about another child
        ("réserver jeudi pour Rose, Nathan il mange pas", None, B),
        ("annuler jeudi pour Rose, Nathan il mange", None, C),
        ("annuler le repas de Rose jeudi, son frère Nathan reste à la cantine", None, C),
        # Statements only: whoever is said to be absent is the change
        ("Rose mange pas jeudi mais Nathan oui", None, C),
        ("Rose ne mange pas jeudi, Nathan si", None, C),
        ("Nathan mange jeudi mais pas Rose", None, C),
        ("tous mangent jeudi sauf Rose", None, C),
        ("jeudi elle mange pas, vendredi elle mange", None, C),
        # A day said without a statement, beside one with: the change asked at that step
        ("jeudi, vendredi elle mange", C, C),
        ("jeudi, vendredi elle mange", None, B),
        # Nothing of the kind: parse_intent's reading
        ("annuler jeudi", None, C),
        ("elle mange jeudi", C, B),
        ("Rose mange jeudi", None, B),
        ("réserver et annuler", None, None),
        ("oui", None, None),
        # Two changes asked in so many words: not one (see requests_said)
        ("réserver pour Margaux jeudi et annuler pour Rose vendredi", None, None),
        # A noun or a participle is no second change
        ("annuler la réservation de jeudi", None, C),
        ("le repas de Rose est réservé jeudi mais Nathan ne viendra pas", None, C),
    ],
)
def test_parse_action(text: str, current: Intent | None, action: Intent | None) -> None:
    assert parse_action(text, FAMILY, current) is action


# ---------------------------------------------------------------------------------------------
# Days said to stay as they are
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action", "day"),
    [
        ("annuler jeudi, vendredi c'est bon", None, THU),
        ("annuler jeudi mais vendredi elle mange normalement", None, THU),
        ("jeudi elle mange pas, vendredi elle mange", None, THU),
        ("jeudi elle mange pas mais vendredi oui", None, THU),
        ("annuler jeudi, vendredi elle reste à la cantine", None, THU),
        ("annuler jeudi, vendredi comme d'habitude", None, THU),
        ("il est malade jeudi, vendredi il revient", None, THU),
        ("jeudi, vendredi elle mange", C, THU),  # at the date question for a cancellation
        ("réserver jeudi, vendredi elle mange pas", None, THU),
    ],
)
def test_a_day_said_to_stay_as_it_is_is_not_meant(
    text: str, action: Intent | None, day: date
) -> None:
    guess = parse_date(text, TODAY, action=action)
    assert guess is not None and guess.day == day
    assert not several_days(text, TODAY, action)
    assert days_said(text, TODAY, action) == []


@pytest.mark.parametrize(
    ("text", "days"),
    [
        # Days asked together stay together
        ("elle est malade jeudi et vendredi", [THU, FRI]),
        ("annuler jeudi et vendredi", [THU, FRI]),
        ("elle ne mange pas jeudi, et vendredi non plus", [THU, FRI]),
        ("annuler jeudi, et vendredi aussi", [THU, FRI]),
        ("il ne mange pas jeudi ni vendredi", [THU, FRI]),
        # A precise day and a weekday joined by "ni" too (it was tomorrow alone, Thursday
        # dropped: the weekday read as tomorrow's, said twice)
        ("il ne mange pas demain ni jeudi", [date(2026, 11, 24), THU]),
        ("il ne mange pas le 3 décembre ni lundi", [MON, date(2026, 12, 3)]),
        # "ne … ni X ni Y": the verb denied for both (both were dropped, the change too)
        ("Rose ne mangera ni jeudi ni vendredi.", [THU, FRI]),
        ("elle ne mange ni le 3 ni le 4 décembre", [date(2026, 12, 3), date(2026, 12, 4)]),
        ("il ne mange ni lundi ni mardi", [MON, date(2026, 12, 1)]),
        # a list of weekdays after a denied verb (it was tomorrow and next Monday)
        ("il ne mange pas lundi ni mardi", [MON, date(2026, 12, 1)]),
        # All said to stay (no other day meant): as before
        ("jeudi et vendredi c'est bon", [THU, FRI]),
        ("jeudi, vendredi elle mange", [THU, FRI]),  # a booking of both, without a change
    ],
)
def test_days_asked_together_are_all_meant(text: str, days: list[date]) -> None:
    assert days_said(text, TODAY) == days


def test_a_single_day_said_to_stay_is_still_that_day() -> None:
    # "Jeudi c'est bon" to the date question: Thursday (a yes to the day offered, maybe)
    guess = parse_date("jeudi c'est bon", TODAY, action=C)
    assert guess is not None and guess.day == THU


# ---------------------------------------------------------------------------------------------
# Several requests in one phrase
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "current", "requests"),
    [
        # A day for each child: one after the other, in the order said
        (
            "annuler jeudi pour Rose et lundi pour Nathan",
            None,
            [(C, THU, {3}), (C, MON, {2})],
        ),
        ("Rose jeudi et Nathan lundi, annuler", None, [(C, THU, {3}), (C, MON, {2})]),
        ("annuler pour Rose jeudi et pour Nathan lundi", None, [(C, THU, {3}), (C, MON, {2})]),
        # ... the "et" dropped (speech-to-text often does): each name with the days after it
        # (was one request of both children on both days: four cancellations)
        ("rose jeudi nathan lundi annuler", None, [(C, THU, {3}), (C, MON, {2})]),
        ("annuler Rose jeudi Nathan lundi", None, [(C, THU, {3}), (C, MON, {2})]),
        ("annuler jeudi Rose lundi Nathan", None, [(C, THU, {3}), (C, MON, {2})]),
        (
            "annuler Rose jeudi et vendredi Nathan lundi",
            None,
            [(C, THU, {3}), (C, FRI, {3}), (C, MON, {2})],
        ),
        ("Rose est malade jeudi et Nathan lundi", None, [(C, THU, {3}), (C, MON, {2})]),
        (
            "Rose ne mange pas jeudi et Nathan ne mange pas lundi",
            None,
            [(C, THU, {3}), (C, MON, {2})],
        ),
        (
            "annuler jeudi pour Rose et Margaux et lundi pour Nathan",
            None,
            [(C, THU, {1, 3}), (C, MON, {2})],
        ),
        (
            "annuler jeudi et vendredi pour Rose et lundi pour Nathan",
            None,
            [(C, THU, {3}), (C, FRI, {3}), (C, MON, {2})],
        ),
        (
            "annuler jeudi pour tous et vendredi pour Rose",
            None,
            [(C, THU, {1, 2, 3}), (C, FRI, {3})],
        ),
        (
            "annuler jeudi pour Rose, Nathan il mange, et lundi pour Margaux",
            None,
            [(C, THU, {3}), (C, MON, {1})],
        ),
        # At the date question, the change asked there
        ("jeudi pour Rose et lundi pour Nathan", B, [(B, THU, {3}), (B, MON, {2})]),
        # Not said anywhere: None (the line asks it)
        ("Rose jeudi et Nathan lundi", None, [(None, THU, {3}), (None, MON, {2})]),
        # Two changes
        (
            "réserver pour Margaux jeudi et annuler pour Rose vendredi",
            None,
            [(B, THU, {1}), (C, FRI, {3})],
        ),
        (
            "réserver jeudi pour Margaux et annuler pour Rose",
            None,
            [(B, THU, {1}), (C, THU, {3})],
        ),
        ("réserver jeudi et annuler vendredi", None, [(B, THU, set()), (C, FRI, set())]),
        ("annuler jeudi mais réserver vendredi", None, [(C, THU, set()), (B, FRI, set())]),
        (
            "je réserve jeudi pour Margaux et j'annule vendredi pour Rose",
            None,
            [(B, THU, {1}), (C, FRI, {3})],
        ),
        (
            "annuler la réservation de jeudi pour Rose et de lundi pour Nathan",
            None,
            [(C, THU, {3}), (C, MON, {2})],
        ),
        (
            "Rose mange pas jeudi et Nathan mange pas vendredi",
            None,
            [(C, THU, {3}), (C, FRI, {2})],
        ),
        # A request taken back by the next one
        ("annuler jeudi, non, réserver jeudi", None, [(B, THU, set())]),
        ("Rose jeudi, non, Nathan lundi", None, [(None, MON, {2})]),
    ],
)
def test_requests_said(
    text: str, current: Intent | None, requests: list[tuple[Intent | None, date, set[int]]]
) -> None:
    expected = [Request(action, day, frozenset(who)) for action, day, who in requests]
    assert requests_said(text, FAMILY, TODAY, current) == expected


@pytest.mark.parametrize(
    "text",
    [
        # One change, for one day or several, for the same children: the other parsers'
        "annuler jeudi",
        "annuler jeudi pour Rose",
        "annuler jeudi et vendredi pour Rose",
        "annuler pour Rose et Nathan jeudi et vendredi",
        "Rose et Nathan, jeudi et vendredi",
        "elle est malade jeudi et vendredi",
        "annuler jeudi pour Rose, Nathan il mange",
        "Nathan mange jeudi mais pas Rose",
        "Rose est malade jeudi et vendredi mais Nathan mange",
        "annuler jeudi, vendredi c'est bon",
        "annuler la réservation de jeudi",  # "réservation": a noun, not a booking
        "annulation, réservation",
        "son repas est réservé mais elle ne viendra pas jeudi ni vendredi",
        "Rose sera absente jeudi et vendredi, Nathan aussi",  # both, both days
        "annuler jeudi et vendredi pour les deux",  # "les deux" of three: asked as before
        "jeudi ou vendredi",  # a choice: days_to_choose
        "toute la semaine prochaine",  # a span: several_days
        "deux six un un",
        "",
    ],
)
def test_one_request_is_left_to_the_other_parsers(text: str) -> None:
    assert requests_said(text, FAMILY, TODAY) == []


@pytest.mark.parametrize(
    "text",
    [
        "réserver pour Margaux et annuler pour Rose",  # no day for either
        "réserver et annuler jeudi",
        "réserver jeudi pour Rose et annuler jeudi pour Rose",  # the same meal both ways
        "annuler lundi pour Rose, mardi pour Nathan, jeudi pour Margaux, vendredi pour Rose, "
        "lundi 7 pour Nathan et mardi 8 pour Margaux",  # more than five
    ],
)
def test_requests_that_cannot_be_told_apart(text: str) -> None:
    assert requests_said(text, FAMILY, TODAY) is None


@given(st.text(max_size=80))
def test_requests_said_and_parse_action_never_raise(text: str) -> None:
    found = requests_said(text, FAMILY, TODAY)
    assert found is None or all(r.children <= {1, 2, 3} for r in found)
    assert parse_action(text, FAMILY) in (None, Intent.BOOK, Intent.CANCEL)
    assert parse_children(text, FAMILY, action=Intent.CANCEL) is None or parse_children(
        text, FAMILY, action=Intent.CANCEL
    ) <= {1, 2, 3}


def test_the_new_passes_stay_fast() -> None:
    """Each runs on every webhook: well under a few milliseconds, even for a long phrase."""
    text = (
        "alors je voudrais annuler jeudi et vendredi pour Rose et Margaux, son frère Nathan "
        "il mange normalement, et lundi pour Nathan mais pas pour Margaux"
    )
    for parse in (
        lambda: requests_said(text, FAMILY, TODAY),
        lambda: parse_action(text, FAMILY),
        lambda: parse_children(text, FAMILY, action=Intent.CANCEL),
        lambda: days_said(text, TODAY),
    ):
        assert timeit.timeit(parse, number=20) / 20 < 0.02


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("Rose ne mangera ni jeudi ni vendredi.", Intent.CANCEL),  # it was a "non"
        ("elle ne mange ni le 3 ni le 4 décembre", Intent.CANCEL),
        ("non, ni jeudi ni vendredi", None),  # neither day meant: no change
        ("ce n'est ni jeudi ni vendredi", None),
    ],
)
def test_a_verb_denied_by_ni_is_a_cancellation(text: str, action: Intent | None) -> None:
    assert speech.parse_action(text, ["Margaux", "Nathan", "Rose"]) == action
    if action is None:
        assert days_said(text, TODAY) == []


# ---------------------------------------------------------------------------------------------
# Two opposite changes in one phrase
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # A statement with its own day joined by "mais", "par contre", "et" to the opposite
        # one: Friday was a day that stays, dropped unsaid (Nathan, without Friday's meal,
        # ate it unbooked).
        "il mange pas jeudi mais il mange vendredi",
        "il mange pas jeudi mais il mangera vendredi",
        "pas de cantine jeudi par contre il mange vendredi",
        "annuler jeudi et vendredi il mange",
        "jeudi elle mange pas et vendredi elle mange",  # (was a day that stays)
        # "mettre", "il reprend": a booking (Friday was cancelled too); two verbs without a
        # link (it was "one thing at a time")
        "enlever jeudi et mettre vendredi",
        "annuler jeudi il reprend vendredi",
        "annuler jeudi, il reprend vendredi",
        "supprimer jeudi remettre vendredi",
    ],
)
def test_a_cancellation_and_a_booking_joined_are_both_taken(text: str) -> None:
    text = speech.restore_commas(text, FAMILY)
    assert requests_said(text, FAMILY, TODAY) == [
        Request(C, THU, frozenset()),
        Request(B, FRI, frozenset()),
    ]


def test_a_child_named_keeps_both_changes() -> None:
    text = "nathan il mange pas jeudi mais il mangera vendredi"
    assert requests_said(text, FAMILY, TODAY, C) == [
        Request(C, THU, frozenset({2})),
        Request(B, FRI, frozenset({2})),
    ]


def test_a_booking_and_an_absence_joined_are_both_taken() -> None:
    # (was a day that stays: Friday's meal kept for an absent child)
    text = "réserver jeudi mais vendredi elle est absente"
    assert requests_said(text, FAMILY, TODAY) == [Request(B, THU, frozenset()), Request(C, FRI, frozenset())]


@pytest.mark.parametrize(
    "text",
    [
        # Without a link, or without a verb of its own, a statement still says how a day stays
        "Rose ne mange pas jeudi, elle mange vendredi",
        "jeudi elle mange pas mais vendredi oui",
        "annuler jeudi mais vendredi elle mange normalement",
        "Rose est malade jeudi, par contre Nathan mange",
    ],
)
def test_a_day_said_to_stay_without_a_link_still_stays(text: str) -> None:
    assert requests_said(text, FAMILY, TODAY) == []


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        # Tuesday said after Monday's request is the one after Monday 30, not tomorrow (it
        # was "too late for Tuesday 24", or "already booked" on the wrong week)
        ("annuler lundi et réserver mardi à la place", (C, MON), (B, date(2026, 12, 1))),
        ("annulez lundi mais réservez mardi", (C, MON), (B, date(2026, 12, 1))),
        # Already after the first: as said
        ("annuler vendredi et réserver jeudi", (C, FRI), (B, THU)),
        ("annuler vendredi et réserver lundi", (C, FRI), (B, MON)),
    ],
)
def test_a_weekday_of_a_second_request_is_not_before_the_first_ones_week(
    text: str, first: tuple[Intent, date], second: tuple[Intent, date]
) -> None:
    assert requests_said(text, FAMILY, TODAY) == [
        Request(*first, frozenset()),
        Request(*second, frozenset()),
    ]


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("ah non finalement elle ira jeudi", B),
        ("non en fait elle va mieux elle ira à la cantine", B),
        ("finalement elle mange jeudi", B),
        ("finalement il ne mange pas", C),
        # A request of its own, no word taking back, nothing stated
        ("non réservez jeudi", None),
        ("elle mange jeudi", None),
        ("non pas jeudi", None),
        ("non, en fait c'était bien jeudi", None),
    ],
)
def test_stated_after_all(text: str, stated: Intent | None) -> None:
    assert speech.stated_after_all(text) is stated


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("elle ira à la cantine jeudi", B),
        ("elle ira chez sa mamie jeudi", C),
        ("ça ira merci", Intent.GOODBYE),
        ("mettre vendredi", B),
        ("il reprend lundi", B),
        ("on reprend", Intent.ANOTHER),
    ],
)
def test_going_putting_and_resuming_are_read(text: str, intent: Intent) -> None:
    assert speech.parse_intent(text) is intent
