"""English on the phone line: identification retries stay in English on an English call; key 9
at the action and after-result menus of an English call goes back to French; a French caller
silent or not understood at the first menus is offered English once (key 8).

Whole calls through the signed webhooks (TwiML parsed, each <Say>'s voice and language
checked), on Monday 23 November 2026 at 10:00.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from restomairie.models import Call
from restomairie.runtime import Runtime
from restomairie.staff.labels import event_label
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, Twiml, events, line_app

EN_PHONE = "+447700900123"  # family 210504, English, code 4321: Amy and Ben
FR_PHONE = "+33642880483"  # family 210500, French, code 1951: Margaux and Nathan
EN_VOICE = ("Polly.Amy-Neural", "en-GB")
TO_ENGLISH = "This call will now be in English. Please answer with your phone's keypad."
ENGLISH_OFFER = "For English, press 8."
FRENCH_OFFER = "Pour le français, tapez 9."


@pytest.fixture
def client(rt: Runtime) -> FlaskClient:
    make_family(rt, "210504", "4321", (EN_PHONE,), (KidSpec("E1", "Amy"), KidSpec("E2", "Ben")),
                "en")  # fmt: skip
    kids = (KidSpec("P1", "Margaux"), KidSpec("P2", "Nathan"))
    make_family(rt, "210500", "1951", (FR_PHONE,), kids)
    return line_app(rt).test_client()


def voices(twiml: Twiml) -> list[tuple[str, str | None, str | None]]:
    """Each sentence said, with its voice and language."""
    return [
        (" ".join((el.text or "").split()), el.get("voice"), el.get("language"))
        for el in twiml.root.iter("Say")
    ]


def fr_voice(rt: Runtime) -> tuple[str, str]:
    return rt.settings.phone.voice, rt.settings.phone.language


def all_in(twiml: Twiml, voice: tuple[str, str]) -> bool:
    return all(v[1:] == voice for v in voices(twiml))


def english_call(client: FlaskClient, rt: Runtime) -> Caller:
    call = Caller(client, rt.settings, EN_PHONE)
    assert call.start().says[-1] == "Please type your four-digit secret code."
    return call


def french_call(client: FlaskClient, rt: Runtime) -> Caller:
    call = Caller(client, rt.settings, FR_PHONE)
    call.start()
    return call


# ------------------------------------------------------------- 1. identification in English
def test_wrong_codes_and_an_unknown_account_are_said_again_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    call = english_call(client, rt)
    wrong = call.press("1111")
    assert wrong.says[0] == "That code is not correct."
    assert all_in(wrong, EN_VOICE)
    call.press("0")  # "0#": another account than the phone's
    unknown = call.press("999999")
    assert unknown.says[0] == "I cannot find that family account number."
    assert unknown.says[-1] == "Please type your family account number, then press the hash key."
    assert all_in(unknown, EN_VOICE)
    assert unknown.gather is not None and unknown.gather.get("input") == "dtmf"


def test_the_lockout_after_wrong_codes_is_said_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    for _ in range(2):  # 2 + 2 wrong codes, then the fifth locks the family's phone access
        call = english_call(client, rt)
        call.keys("1111", "2222")
        call.hang_up()
        rt.clock.frozen = rt.clock.now() + timedelta(minutes=1)
    call = english_call(client, rt)
    locked = call.press("3333")
    assert locked.says[0].startswith("After too many wrong codes, phone access to this account")
    assert all_in(locked, EN_VOICE)
    # Next call from the phone: still English, and still locked.
    again = english_call(client, rt)
    refused = again.press("4321")
    assert refused.says[0].startswith("After too many wrong codes")
    assert all_in(refused, EN_VOICE)


# ------------------------------------------------------------- 2. key 9: back to French
def test_key_9_at_the_action_menu_of_an_english_call_goes_on_in_french(
    rt: Runtime, client: FlaskClient
) -> None:
    call = english_call(client, rt)
    assert call.press("4321").says[-1] == "For all your children, press 9."  # not French here
    menu = call.press("1")  # Amy
    said = voices(menu)
    assert said[-1] == (FRENCH_OFFER, *fr_voice(rt))  # in French, in the French voice
    assert all(v[1:] == EN_VOICE for v in said[:-1])
    french = call.press("9")
    assert french.says == [
        "La suite de l'appel sera en français.",
        "Pour Amy :",
        "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2.",
        "Pour écouter les repas réservés des deux prochaines semaines, tapez 3.",
        "Pour choisir un autre enfant, tapez 4.",
        "Vous pouvez aussi dire : réserver, annuler ou écouter.",
    ]
    assert all_in(french, fr_voice(rt))
    gather = french.gather
    assert gather is not None and gather.get("input") == "dtmf speech"
    assert gather.get("language") == rt.settings.phone.language
    assert (events(rt, call)[-1].step, events(rt, call)[-1].outcome) == ("action", "french")
    assert event_label("french", "action") == "repasse l'appel en français (touche 9)"
    # The rest of the call in French, and understood when spoken.
    assert call.say("écouter").says[0].startswith("Amy : un repas est réservé")
    call.hang_up()
    with rt.sessions() as session:
        language = session.scalar(select(Call.language).where(Call.call_sid == call.call_sid))
    assert language == "fr"


def test_key_9_after_a_result_of_an_english_call_goes_on_in_french(
    rt: Runtime, client: FlaskClient
) -> None:
    call = english_call(client, rt)
    call.keys("4321", "1")
    after = call.press("3")  # Amy's meals, then "another operation or end the call"
    said = voices(after)
    assert said[-2][0] == "For another operation, press 1. To end the call, press 2."
    assert said[-1] == (FRENCH_OFFER, *fr_voice(rt))
    french = call.press("9")
    assert french.says == [
        "La suite de l'appel sera en français.",
        "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2.",
    ]
    assert all_in(french, fr_voice(rt))
    assert (events(rt, call)[-1].step, events(rt, call)[-1].outcome) == ("after", "french")
    bye = call.press("2")
    assert bye.hangup and all_in(bye, fr_voice(rt))


def test_key_9_at_the_child_menu_of_an_english_call_is_still_all_the_children(
    rt: Runtime, client: FlaskClient
) -> None:
    call = english_call(client, rt)
    call.press("4321")
    menu = call.press("9")
    assert menu.says[0] == "For Amy and Ben:"
    assert all(v[1:] == EN_VOICE for v in voices(menu)[:-1])


def test_a_french_call_hears_no_french_offer(rt: Runtime, client: FlaskClient) -> None:
    call = french_call(client, rt)
    call.press("1951")
    menu = call.press("1")
    assert FRENCH_OFFER not in menu.says
    assert call.press("9").says[0] == "Cette touche ne fait pas partie du menu."


# ------------------------------------------------------------- 3. English offered once
def test_silence_at_the_action_menu_of_a_french_call_offers_english_once(
    rt: Runtime, client: FlaskClient
) -> None:
    call = french_call(client, rt)
    call.press("1951")
    call.press("1")  # Margaux
    silent = call.silence()
    said = voices(silent)
    assert said[:2] == [
        ("Je n'ai reçu aucun choix.", *fr_voice(rt)),
        (ENGLISH_OFFER, *EN_VOICE),
    ]
    assert [v for v in said if v[1:] == EN_VOICE] == [(ENGLISH_OFFER, *EN_VOICE)]
    again = call.silence()  # once: not again
    assert not any("English" in line for line in again.says)
    english = call.press("8")
    assert english.says[:2] == [TO_ENGLISH, "For Margaux:"]
    said = voices(english)
    assert said[-1] == (FRENCH_OFFER, *fr_voice(rt))
    assert all(v[1:] == EN_VOICE for v in said[:-1])
    assert english.gather is not None and english.gather.get("input") == "dtmf"
    assert (events(rt, call)[-1].step, events(rt, call)[-1].outcome) == ("action", "english")


def test_an_answer_not_understood_at_the_child_menu_offers_english_key_8(
    rt: Runtime, client: FlaskClient
) -> None:
    call = french_call(client, rt)
    call.press("1951")
    heard = call.say("patati patata")
    assert heard.says[:2] == ["Pardon, je n'ai pas compris.", ENGLISH_OFFER]
    english = call.press("8")  # no eighth child: 8 is the English key
    assert english.says[:2] == [TO_ENGLISH, "For Margaux, press 1."]
    assert all_in(english, EN_VOICE)


def test_key_8_is_no_language_key_until_english_is_offered(
    rt: Runtime, client: FlaskClient
) -> None:
    call = french_call(client, rt)
    call.keys("1951", "1")
    wrong = call.press("8")  # a key pressed is no silence: no offer either
    assert wrong.says[0] == "Cette touche ne fait pas partie du menu."
    assert not any("English" in line for line in wrong.says)


def test_an_english_call_is_not_offered_english(rt: Runtime, client: FlaskClient) -> None:
    call = english_call(client, rt)
    call.keys("4321", "1")
    silent = call.silence()
    assert ENGLISH_OFFER not in silent.says and "For English, say English." not in silent.says
    assert call.press("8").says[0] == "That key is not in the menu."


def test_with_eight_children_key_8_stays_the_eighth_child(
    rt: Runtime, client: FlaskClient
) -> None:
    names = ["Alice", "Bruno", "Chloé", "David", "Emma", "Félix", "Gaël", "Hélène"]
    kids = tuple(KidSpec(f"K{i}", name) for i, name in enumerate(names, start=1))
    make_family(rt, "210777", "7777", ("+33611223344",), kids)
    call = Caller(client, rt.settings, "+33611223344")
    call.start()
    call.press("7777")
    silent = call.silence()
    # The English offer without a key: 8 is Hélène's.
    assert ("For English, say English.", *EN_VOICE) in voices(silent)
    assert ENGLISH_OFFER not in silent.says
    assert call.press("8").says[0] == "Pour Hélène :"


def test_the_action_asked_for_a_day_said_ends_with_the_french_offer_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    call = french_call(client, rt)
    call.keys("1951", "1")
    call.say("jeudi")  # a day without the action: only the action is asked
    english = call.say("English please")
    said = voices(english)
    assert said[0] == (TO_ENGLISH, *EN_VOICE)
    assert said[-1] == (FRENCH_OFFER, *fr_voice(rt))
    assert "To book, press 1. To cancel, press 2." in english.says
    french = call.press("9")
    assert french.says[0] == "La suite de l'appel sera en français."
    assert "Pour réserver, tapez 1. Pour annuler, tapez 2." in french.says
