"""Small parts of the phone line: SMS outbox, TwiML rendering, call-log helpers."""

from __future__ import annotations

import threading

import pytest

from restomairie.config import Settings
from restomairie.ivr import twiml
from restomairie.ivr.flow import Ask, Receipt, Reply
from restomairie.ivr.sms import ReceiptOutbox, outbox_from_settings
from tests.ivr_support import check_twiml


def test_the_outbox_never_blocks_and_drops_when_full() -> None:
    release = threading.Event()

    def slow(receipt: Receipt) -> None:
        release.wait(5)

    outbox = ReceiptOutbox(slow, maxsize=1)
    assert outbox.put(Receipt("+33600000001", "a"))
    accepted = [outbox.put(Receipt("+33600000001", str(i))) for i in range(5)]
    assert not all(accepted)  # full: dropped, not waited for
    release.set()
    outbox.join()
    outbox.close()


def test_receipts_need_twilio_credentials(caplog: pytest.LogCaptureFixture) -> None:
    assert outbox_from_settings(False, {}) is None
    assert outbox_from_settings(True, {"TWILIO_AUTH_TOKEN": "x"}) is None
    assert "aucun SMS de confirmation ne sera envoyé" in caplog.text
    secrets = {
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "x",
        "RESTOMAIRIE_SMS_FROM": "+331",
    }
    assert isinstance(outbox_from_settings(True, secrets), ReceiptOutbox)


def test_a_question_is_one_gather_with_its_sentences_and_nothing_after(settings: Settings) -> None:
    reply = Reply(
        ("Bonjour.", "Tapez 1."),
        Ask("action", 1, True, "oui, non"),
        "Polly.Lea-Neural",
        "fr-FR",
        "fr-FR",
    )
    parsed = check_twiml(twiml.render(reply, "step?n=3"), settings)
    gather = parsed.gather
    assert gather is not None
    assert dict(gather.attrib) == {
        "action": "step?n=3",
        "method": "POST",
        "input": "dtmf speech",
        "numDigits": "1",
        "finishOnKey": "#",
        "timeout": "6",
        "actionOnEmptyResult": "true",
        "language": "fr-FR",
        "speechTimeout": "2",
        "hints": "oui, non",
    }
    assert [el.tag for el in parsed.root] == ["Gather"]
    assert parsed.says == ["Bonjour.", "Tapez 1."]


def test_a_reply_rendered_again_gets_its_own_action_and_the_same_twiml(
    settings: Settings,
) -> None:
    # Replies are rendered once per process; each answer still carries its own action URL.
    import xml.etree.ElementTree as ET

    reply = Reply(
        ("Bonjour & bienvenue.",),
        Ask("action", 1, True, "oui, non"),
        "Polly.Lea-Neural",
        "fr-FR",
        "fr-FR",
    )
    first = check_twiml(twiml.render(reply, "step?n=3"), settings)
    again = check_twiml(twiml.render(reply, "step?n=4"), settings)
    assert first.gather is not None and again.gather is not None
    assert {**first.gather.attrib, "action": "step?n=4"} == dict(again.gather.attrib)
    assert again.says == first.says == ["Bonjour & bienvenue."]
    odd = "https://x.test/ivr/step?n=6&a=<b>\"c\"'d'\n\te"
    gather = ET.fromstring(twiml.render(reply, odd)).find("Gather")
    assert gather is not None and gather.get("action") == odd  # escaped, exact once parsed
    with pytest.raises(ValueError):
        twiml.render(reply, None)


def test_a_reply_is_rendered_as_twilios_builder_renders_it_whole() -> None:
    """Guard: :func:`twiml.render` (a template per shape of reply, its sentences and action put
    in) gives, byte for byte, the TwiML Twilio's builder gives for the whole reply: texts to
    escape, empty sentences, asides in another voice, endings, odd action URLs, speech hints
    (the family's children) to escape."""
    from restomairie.ivr.flow import Aside

    texts = (
        "Bonjour & bienvenue <chez> nous.",
        "",
        "Rose, Nathan et Margaux : « repas » réservé le lundi 23 — l'été, 1er.",
        "a > b, c < d, \"e\" 'f'\r\n\tg RESTOMAIRIELINE0X RESTOMAIRIEACTIONURL",
    )
    aside = Aside("For English, say English & <more>.", "Polly.Joanna", "en-US")
    asks = (
        None,
        Ask("action", 1, True, "oui, non"),
        Ask("pin", None, False),
        Ask("date", 4, True, None, 8),
        # A family's children in the hints, to escape as an attribute (quotes, line ends).
        Ask("child", 1, True, 'Zoé & <Léa>, "Hugo"\n\tO\'Neil, RESTOMAIRIEHINTS, prénom'),
        Ask("child", 1, False, "Zoé, Hugo"),  # hints without speech: not written
    )
    actions = ("step?n=3", "https://x.test/ivr/step?n=6&a=<b>\"c\"'d'\n\te", "")
    for ask in asks:
        for lines in (
            texts,
            (texts[0],),
            (aside, *texts),
            (texts[2], Aside("", "Polly.Joanna", "en-US"), aside),
            (),
        ):
            reply = Reply(lines, ask, "Polly.Lea-Neural", "fr-FR", "fr-FR")
            for action in actions:
                expected = twiml._rendered(reply, action if ask is not None else None)
                assert twiml.render(reply, action) == expected, (lines, ask, action)


def test_an_ending_says_its_sentences_then_hangs_up(settings: Settings) -> None:
    reply = Reply(("Au revoir.",), None, "Polly.Lea-Neural", "fr-FR", "fr-FR")
    parsed = check_twiml(twiml.render(reply, None), settings)
    assert [el.tag for el in parsed.root] == ["Say", "Hangup"]


def test_the_apology_needs_neither_settings_nor_database(settings: Settings) -> None:
    bare = check_twiml(twiml.apology(None), settings)
    assert bare.hangup and "problème technique" in bare.text
    assert check_twiml(twiml.apology(settings), settings).says == bare.says


def test_the_signature_check_accepts_what_twilios_validate_accepts() -> None:
    """Guard: the webhook's signature check (``security._valid``: an HMAC computed only when the
    one before did not match) accepts exactly the requests Twilio's ``validate`` accepts — the
    URL with or without its port, a multi-valued form, a wrong token, URL or value."""
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator
    from werkzeug.datastructures import ImmutableMultiDict

    from restomairie.ivr.security import _Form, _valid

    validator = RequestValidator("token")
    form = ImmutableMultiDict(
        [("CallSid", "CA1"), ("Digits", "1"), ("SpeechResult", "lundi é"), ("Digits", "2")]
    )
    urls = (
        "https://resto.example.fr/ivr/step?n=3",
        "https://resto.example.fr:443/ivr/step?n=3",
        "http://127.0.0.1:8080/ivr/voice",
        "http://127.0.0.1:80/ivr/voice",
        "http://resto.example.fr/ivr/step?n=3&" + urlencode({"bodySHA256": "x"}),
    )
    signed_forms = (form, ImmutableMultiDict([("CallSid", "CA1"), ("Digits", "1")]), {})
    for signed_url in urls:
        for signed_form in signed_forms:
            for token in ("token", "other"):
                signature = RequestValidator(token).compute_signature(signed_url, signed_form)
                for url in urls:
                    for params in (form, {}):
                        ours = _valid(
                            validator, url, _Form(params) if params else {}, signature
                        )
                        assert ours == validator.validate(url, params, signature), (
                            signed_url, url, token, signed_form, params,
                        )
    # Both ports accepted, as by the library: signed without, checked with, and the reverse.
    signature = validator.compute_signature("https://resto.example.fr/ivr/voice", form)
    assert _valid(validator, "https://resto.example.fr:443/ivr/voice", _Form(form), signature)
    signature = validator.compute_signature("https://resto.example.fr:443/ivr/voice", form)
    assert _valid(validator, "https://resto.example.fr/ivr/voice", _Form(form), signature)
