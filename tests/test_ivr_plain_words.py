"""Words a tester found unclear on the phone line: "closed" said when the line is closed, no
"je n'ai rien entendu" after a lone "#", the key 4 said for several children, the example date
the one the date question offers, "press" for a key in English, the lockout said again to a
caller who types the code anyway, and a warning before the last try at a question.

Monday 23 November 2026, 10:00 (Paris): Thursday 26 November is the first day that can change.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from restomairie.clock import PARIS
from restomairie.ivr.prompts import catalog
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app

PHONE = "+33612345678"
MON_THU = 0b0001001


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    return line_app(rt).test_client()


def three(rt: Runtime, language: str = "fr") -> None:
    kids = (KidSpec("E1", "Zoé"), KidSpec("E2", "Léa"), KidSpec("E3", "Hugo", weekdays=MON_THU))
    make_family(rt, "210001", "1234", (PHONE,), kids, language=language)


@pytest.mark.parametrize(
    ("language", "closed", "opens", "hour"),
    [
        ("fr", "La ligne est fermée.", "Elle ouvrira aujourd'hui de 8 heures à 13 heures.", 7),
        ("en", "The line is closed.", "It opens today from 8:00 am to 1:00 pm.", 7),
        ("fr", "La ligne est fermée.", "Elle rouvrira demain, mardi 24 novembre, de 8 heures à 13 heures.", 14),
        (
            "en",
            "The line is closed.",
            "It opens again tomorrow, Tuesday 24 November, from 8:00 am to 1:00 pm.",
            14,
        ),
    ],
)
def test_outside_opening_hours_the_line_says_it_is_closed_before_its_next_opening(
    rt: Runtime, client: FlaskClient, language: str, closed: str, opens: str, hour: int
) -> None:
    # A parent with little French caught "ouverte" in the hours alone.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language=language)
    rt.clock.frozen = datetime(2026, 11, 23, hour, 30, tzinfo=PARIS)
    answer = Caller(client, rt.settings, PHONE).start()
    assert answer.hangup and answer.says[1:3] == [closed, opens]
    assert "www.dijon.fr" in answer.says[4]


@pytest.mark.parametrize("keys", [(), ("2",), ("2", "2", "2611")])
def test_nothing_received_at_a_menu_is_no_choice_not_nothing_heard(
    rt: Runtime, client: FlaskClient, keys: tuple[str, ...]
) -> None:
    # "#" alone does not end Twilio's Gather: the line gets the silence after it, as at the date
    # question (see _no_date). "Je n'ai rien entendu" was wrong for a parent who pressed it.
    three(rt)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    menu = call.keys("1234", *keys)
    answer = call.silence()
    assert answer.says[0] == "Je n'ai reçu aucun choix."
    # Then the question again; at the child and action menus, English offered once first.
    offer = ["For English, press 8."] if len(keys) < 2 else []
    assert answer.says[1 : 1 + len(offer)] == offer
    question = answer.says[1 + len(offer) :]
    assert question == menu.says[-len(question) :]


def test_a_hash_posted_at_a_menu_is_a_key_not_in_the_menu(
    rt: Runtime, client: FlaskClient
) -> None:
    # Guard (kept as it is): should Twilio post the "#" itself, it is a wrong key.
    three(rt)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    call.press("1234")
    assert call.press("#").says[0] == "Cette touche ne fait pas partie du menu."


@pytest.mark.parametrize(
    ("language", "one", "several"),
    [
        ("fr", "Pour choisir un autre enfant, tapez 4.", "Pour choisir un seul enfant, tapez 4."),
        ("en", "To choose another child, press 4.", "To choose just one child, press 4."),
    ],
)
def test_with_all_the_children_picked_key_4_chooses_just_one(
    rt: Runtime, client: FlaskClient, language: str, one: str, several: str
) -> None:
    three(rt, language)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    call.press("1234")
    everyone = call.press("9")
    assert several in everyone.says and one not in everyone.says
    children = call.press("4")
    assert children.says[0].endswith("1.")  # the children's menu: one child or all
    alone = call.press("1")
    assert one in alone.says and several not in alone.says


def test_the_example_of_four_keys_is_the_day_the_date_question_offers(
    rt: Runtime, client: FlaskClient
) -> None:
    # Hugo eats on Mondays and Thursdays: Thursday 26 is booked, the first day to book is
    # Friday 27. Zoé eats every canteen day: no day to book, no example day.
    three(rt)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    question = call.keys("1234", "1", "1")  # Hugo (the children in the order of their names)
    assert "Le premier jour où vous pouvez encore réserver un repas est le vendredi 27" in (
        question.text
    )
    assert call.press("26").says[0] == (
        "Il faut le jour et le mois, en 4 chiffres : par exemple, pour le vendredi 27 novembre, "
        "tapez 2, 7, 1, 1."
    )
    every_day = Caller(client, rt.settings, PHONE)
    every_day.start()
    question = every_day.keys("1234", "3", "1")
    assert "Zoé a déjà un repas réservé chaque jour de cantine" in question.text
    wrong = every_day.press("2")
    assert wrong.says[0] == "Il faut le jour et le mois, en 4 chiffres."
    assert "Zoé a déjà un repas réservé chaque jour de cantine" in wrong.text
    # To cancel, the first day with a meal: Thursday 26 for Zoé, as before.
    cancel = Caller(client, rt.settings, PHONE)
    cancel.start()
    wrong = cancel.keys("1234", "3", "2", "2")
    assert "pour le jeudi 26 novembre, tapez 2, 6, 1, 1." in wrong.says[0]


def test_english_says_press_for_a_key_and_type_only_for_digits_to_enter() -> None:
    single_key = re.compile(r"\btype (?:[0-9*#]|star|hash)\b(?!,)", re.IGNORECASE)
    said = [text for text in catalog("en")._catalog.values() if isinstance(text, str)]
    assert [text for text in said if single_key.search(text)] == []
    assert any("type %(keys)s" in text for text in said)  # the keys of a date: typed


def test_an_english_family_refused_twice_hears_press_0_and_press_2(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    call = Caller(client, rt.settings, PHONE)
    call.start()
    refused = call.keys("1234", "2", "2411")
    assert refused.says[-2:] == ["To go back to the menu, press 0.", "To end the call, press 2."]


@pytest.mark.parametrize(
    ("language", "blocked", "bye"),
    [
        (
            "fr",
            "Après plusieurs codes erronés, l'accès par téléphone à ce dossier est bloqué "
            "jusqu'à 10 h 15.",
            "Merci de votre appel. Au revoir.",
        ),
        (
            "en",
            "After too many wrong codes, phone access to this account is blocked until "
            "10:15 am.",
            "Thank you for calling. Goodbye.",
        ),
    ],
)
def test_a_locked_family_typing_its_code_again_hears_until_when_it_is_blocked(
    rt: Runtime, client: FlaskClient, language: str, blocked: str, bye: str
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language=language)
    for codes in (("1111", "2222", "3333"), ("4444", "5555")):
        call = Caller(client, rt.settings, PHONE)
        call.start()
        call.keys(*codes)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    assert call.press("1234").says[0] == blocked
    again = call.press("1234")
    assert again.hangup and again.says == [blocked, bye]


@pytest.mark.parametrize(
    ("language", "warning"),
    [("fr", "Attention : c'est votre dernier essai."), ("en", "Please note: this is your last try.")],
)
def test_before_the_last_try_at_a_question_the_caller_is_warned(
    rt: Runtime, client: FlaskClient, language: str, warning: str
) -> None:
    # Three failed answers at one question still end the call (a hint that taught the format
    # counts: otherwise "26" typed again and again would never end); the third is announced.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language=language)
    call = Caller(client, rt.settings, PHONE)
    call.start()
    call.keys("1234", "2")
    first = call.press("26")
    assert warning not in first.says
    second = call.press("261")
    assert second.says[1] == warning and second.gather is not None
    bye = call.press("26")
    assert bye.hangup and warning not in bye.says
    # The code question too; not after a result (silence there is a parent who is done).
    code = Caller(client, rt.settings, PHONE)
    code.start()
    assert warning not in code.press("0000").says
    assert code.press("0001").says[1] == warning
    done = Caller(client, rt.settings, PHONE)
    done.start()
    done.keys("1234", "2", "2611", "1")
    done.silence()
    assert warning not in done.silence().says
