"""The phone line end to end: signed webhooks through the Flask test client, TwiML parsed and
checked against Twilio's documented attributes, on SQLite and PostgreSQL.

The clock is pinned to Monday 23 November 2026, 10:00 (Paris): Thursday 26 November is the first
meal that can still be changed (deadline: today 13:00); Tuesday 24 November closed on Friday 20.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from restomairie.booking.services import Actor
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings
from restomairie.ivr import flow as flow_module
from restomairie.ivr import service as service_module
from restomairie.ivr.flow import Receipt
from restomairie.ivr.service import PhoneLine
from restomairie.ivr.sms import ReceiptOutbox
from restomairie.models import AuditEntry, BookingDay, Call, Child, Closure, Family
from restomairie.phones import mask_phone
from restomairie.runtime import Runtime
from restomairie.staff.services import StaffService
from tests.factories import KidSpec, make_family, two_deadlines_family
from tests.ivr_support import (
    PUBLIC_URL,
    TOKEN,
    Caller,
    booked,
    check_twiml,
    events,
    get_signed,
    line_app,
    post_signed,
    sign,
)

PHONE = "+33612345678"
UNKNOWN = "+33198765432"
CANCEL_TOO_LATE = (
    "Trop tard pour le mardi 24 novembre : il fallait annuler avant le vendredi 20 novembre à "
    "13 heures. "
    "Le repas sera facturé, sauf maladie signalée à l'école."
)
ALREADY_BOOKED_MONDAY = "Le repas de Léa du lundi 30 novembre est déjà réservé."
CANCEL_OFFER = "Le premier repas que vous pouvez encore annuler est celui du "
DESK = (
    "le Centre de traitement unique de la facturation au 03 80 74 51 51, du lundi au vendredi "
    "de 8 heures à 18 heures."
)
OFFER = (
    "Le premier repas que vous pouvez encore annuler est celui du jeudi 26 novembre : pour ce "
    "jour, tapez 2, 6, 1, 1."
)


@pytest.fixture
def app(rt: Runtime) -> Flask:
    return line_app(rt)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def family(rt: Runtime) -> str:
    return make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))


def caller(client: FlaskClient, rt: Runtime, number: str = PHONE) -> Caller:
    return Caller(client, rt.settings, number)


def the_call(rt: Runtime, call: Caller) -> Call:
    with rt.sessions() as session:
        found = session.scalars(select(Call).where(Call.call_sid == call.call_sid)).one()
        found.events  # noqa: B018 - load them before the session closes
        return found




def audit_count(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.channel == "phone", AuditEntry.action.in_(("book", "cancel")))
            )
            or 0
        )


# ---------------------------------------------------------------------------------- happy paths
def test_a_known_caller_cancels_a_meal_hearing_the_read_back_then_the_confirmation(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    greeting = call.start()
    assert "Bonjour et bienvenue sur Resto-Mairie" in greeting.text
    assert "tapez étoile pour réécouter la question" in greeting.text
    assert greeting.says[-1] == "Tapez votre code secret à 4 chiffres."  # caller ID: no account
    gather = greeting.gather
    assert gather is not None
    assert gather.get("input") == "dtmf" and gather.get("numDigits") == "4"

    menu = call.press("1234")
    assert "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2." in menu.text
    assert "Pour écouter les repas réservés des deux prochaines semaines, tapez 3." in menu.text
    date_q = call.press("2")
    assert "Pour quel jour voulez-vous annuler ?" in date_q.text
    assert OFFER in date_q.text
    read_back = call.press("2611")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    assert "Pour confirmer, tapez 1. Pour choisir une autre date, tapez 2." in read_back.text
    assert booked(rt, "E1", date(2026, 11, 26)) is None  # nothing before the confirmation

    done = call.press("1")
    assert done.says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    assert "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2." in done.text
    assert booked(rt, "E1", date(2026, 11, 26)) is False

    bye = call.press("2")
    assert bye.hangup and bye.says == ["Merci de votre appel. Au revoir."]
    assert bye.gather is None

    logged = the_call(rt, call)
    assert logged.outcome == "cancelled"
    assert logged.from_number == PHONE
    assert logged.family_id is not None
    with rt.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "cancel")).one()
    assert entry.call_sid == call.call_sid and entry.actor == "family:210001"
    assert entry.channel == "phone"


def test_an_unknown_caller_types_the_account_number_and_hash_then_the_code(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt, UNKNOWN)
    greeting = call.start()
    assert greeting.says[-1] == "Tapez votre numéro de dossier famille, puis la touche dièse."
    gather = greeting.gather
    assert gather is not None
    assert gather.get("finishOnKey") == "#" and "numDigits" not in gather.attrib
    assert gather.get("input") == "dtmf"
    code_q = call.press("210001")
    assert code_q.says == ["Tapez votre code secret à 4 chiffres."]
    menu = call.press("1234")
    assert menu.says[0] == "Merci."
    assert "Pour réserver un repas, tapez 1." in menu.text


def test_a_star_pressed_for_the_hash_key_ends_the_account_number(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # "210500*" was a request to repeat: the number typed was thrown away.
    call = caller(client, rt, UNKNOWN)
    call.start()
    assert call.press("210001*").says == ["Tapez votre code secret à 4 chiffres."]
    assert call.press("*").says[-1] == "Tapez votre code secret à 4 chiffres."  # star alone


def test_an_account_number_said_aloud_is_asked_on_the_keypad(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # These questions listen to keys only: what was said arrives as nothing.
    call = caller(client, rt, UNKNOWN)
    call.start()
    again = call.silence()
    # "Je n'ai pas le numéro de dossier", "je voudrais parler à quelqu'un" arrive so too: who
    # can help is said.
    assert again.says[0] == (
        "Je n'ai reçu aucune touche : tapez les chiffres sur le clavier de votre téléphone. "
        f"Si vous ne connaissez pas votre numéro de dossier famille, appelez {DESK}"
    )
    assert again.says[-1] == "Tapez votre numéro de dossier famille, puis la touche dièse."


def test_a_caller_id_shared_by_two_families_asks_for_the_account_number(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    make_family(rt, "210002", "4321", (PHONE,), (KidSpec("E9", "Paul"),))
    greeting = caller(client, rt).start()
    assert "Tapez votre numéro de dossier famille" in greeting.text


def test_an_unknown_account_number_is_asked_again_without_being_said_back(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt, UNKNOWN)
    call.start()
    again = call.press("210009")
    # Not said back: what was typed may hold the code.
    assert again.says[0] == "Je ne trouve pas ce numéro de dossier famille."
    assert again.says[-1] == "Tapez votre numéro de dossier famille, puis la touche dièse."
    assert [e.heard for e in events(rt, call)][-1] == "••••••"


def test_an_account_number_too_long_is_said_to_be_too_long(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt, UNKNOWN)
    call.start()
    again = call.press("1" * 23)
    assert again.says[0] == "Ce numéro de dossier est trop long."


def test_booking_a_meal_reads_back_then_confirms(rt: Runtime, client: FlaskClient) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0),))
    call = caller(client, rt)
    call.start()
    read_back = call.keys("1234", "1", "3011")
    assert read_back.says[0] == "Vous souhaitez réserver le repas de Léa le lundi 30 novembre."
    done = call.press("1")
    assert done.says[0] == "C'est fait : le repas de Léa du lundi 30 novembre est réservé."
    assert booked(rt, "E1", date(2026, 11, 30)) is True
    call.press("2")
    assert the_call(rt, call).outcome == "booked"


def test_choosing_another_date_at_the_read_back_asks_the_date_again(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    again = call.press("2")
    assert "Pour quel jour voulez-vous annuler ?" in again.text
    read_back = call.press("2711")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre."


def test_after_the_result_1_goes_back_to_the_action_menu(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611", "1")
    menu = call.press("1")
    assert "Pour réserver un repas, tapez 1." in menu.text
    read_back = call.keys("2", "2711")
    assert "vendredi 27 novembre" in read_back.says[0]
    call.keys("1", "2")
    assert call.ended
    assert booked(rt, "E1", date(2026, 11, 27)) is False


def test_listening_reads_the_meals_of_the_next_two_weeks(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    with rt.sessions() as session, session.begin():
        pass
    rt.booking.cancel("210001", [date(2026, 11, 27)], Actor("family", "210001", "web"))
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[0] == (
        # the month said once for its days in a row, not after each day
        "Léa : des repas sont réservés le lundi 23, le mardi 24, le jeudi 26 et le lundi 30 "
        "novembre, puis le mardi 1er, le jeudi 3 et le vendredi 4 décembre."
    )
    assert listing.says[1] == "Pas de repas le vendredi 27 novembre."
    assert "Pour une autre opération, tapez 1." in listing.text
    call.press("2")
    assert the_call(rt, call).outcome == "listened"


def test_listening_before_the_holidays_says_them_and_the_meals_after_them(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # On Friday 18 December, "the next two weeks" are two weeks of school: the meals of
    # January, whose deadlines come before the break, are said too.
    rt.clock.frozen = datetime(2026, 12, 18, 9, 30, tzinfo=PARIS)
    rt.booking.cancel("210001", [date(2027, 1, 5)], Actor("family", "210001", "web"))
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[:3] == [
        # as parents know holidays, not their first and last days off (Sundays)
        "Pas de restauration scolaire pendant les vacances de Noël, après le vendredi "
        "18 décembre ; reprise le lundi 4 janvier.",
        "Léa : des repas sont réservés le vendredi 18 décembre, puis le lundi 4, le jeudi 7, le "
        "vendredi 8, le lundi 11, le mardi 12, le jeudi 14 et le vendredi 15 janvier.",
        "Pas de repas le mardi 5 janvier.",
    ]
    # During the holidays, from the day of the call to the end of them.
    rt.clock.frozen = datetime(2026, 12, 28, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[0] == (
        "Pas de restauration scolaire pendant les vacances de Noël ; reprise le lundi 4 janvier."
    )
    assert listing.says[1].startswith("Léa : des repas sont réservés le lundi 4, le jeudi 7,")
    assert listing.says[2] == "Pas de repas le mardi 5 janvier."
    # On the break's last day (a Sunday), too: it was "pendant les vacances de Noël, le
    # dimanche 3 janvier", as if the break were that day.
    rt.clock.frozen = datetime(2027, 1, 3, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    assert call.keys("1234", "3").says[0] == (
        "Pas de restauration scolaire pendant les vacances de Noël ; reprise le lundi 4 janvier."
    )


def test_listening_to_a_child_booked_day_by_day_does_not_list_every_day_without_a_meal(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Paul", weekdays=0),))
    rt.booking.book("210001", [date(2026, 11, 26)], Actor("family", "210001", "web"))
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[:2] == [
        "Paul : un repas est réservé le jeudi 26 novembre.",
        "Pas de repas les autres jours.",
    ]


def test_listening_joins_the_months_of_the_days_without_a_meal_without_puis(
    rt: Runtime, client: FlaskClient
) -> None:
    # Léa eats on Mondays and Thursdays: "Pas de repas le mardi 24 et le vendredi 27 novembre,
    # puis le mardi 1er et le vendredi 4 décembre" told days off as if they came one after
    # the other.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0b0001001),))
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[1] == (
        "Pas de repas le mardi 24 et le vendredi 27 novembre, ainsi que le mardi 1er et le "
        "vendredi 4 décembre."
    )
    call.hang_up()
    english = caller(client, rt)
    english.start()
    english.keys("1234")
    english.say("English")
    assert english.press("3").says[1] == (
        "No meal on Tuesday 24 and Friday 27 November, or Tuesday 1 and Friday 4 December."
    )


def test_listening_says_when_an_enrolment_ends(rt: Runtime, client: FlaskClient) -> None:
    kid = KidSpec("E1", "Hugo", enrolled_until=date(2026, 11, 27))
    make_family(rt, "210001", "1234", (PHONE,), (kid,))
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[:2] == [
        "Hugo : un repas est réservé chaque jour de cantine, du lundi 23 novembre au vendredi "
        "27 novembre.",
        "L'inscription d'Hugo à la cantine se termine le vendredi 27 novembre.",
    ]


def test_listening_names_public_holidays_bridges_and_the_end_of_the_calendar(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    rt.clock.frozen = datetime(2027, 4, 29, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[:3] == [
        "Pas de restauration scolaire le jeudi 6 mai : Ascension.",
        "Pas de restauration scolaire pendant le pont de l'Ascension, le vendredi 7 mai.",
        "Léa : un repas est réservé chaque jour de cantine, du jeudi 29 avril au jeudi 13 mai.",
    ]
    # Late August: the calendar shipped ends on 2 September; later days are not "no meal".
    rt.clock.frozen = datetime(2027, 8, 30, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[-2] == (
        "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu ; dès qu'il "
        "le sera, les jours d'abonnement de Léa seront réservés comme d'habitude."
    )
    # Past it (a town that has not loaded the new calendar): the same, and the menu again. It
    # was a technical error and the end of the call.
    rt.clock.frozen = datetime(2027, 9, 6, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says == [
        "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu.",
        "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2.",
    ]
    # and the date question does not say "d'ici le jeudi 2 septembre", a day gone by
    question = call.keys("1", "2")
    assert question.says[1:3] == [
        "Tapez le jour puis le mois, en 4 chiffres.",
        "Le calendrier scolaire après le jeudi 2 septembre n'est pas encore connu : aucun jour "
        "ne peut être changé pour l'instant.",
    ]


def test_listening_names_the_last_school_day_before_a_bridge_not_the_holiday_before_it(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # 2026's Ascension bridge is recorded from Thursday 14 May, Ascension itself: the break
    # came "après le jeudi 14 mai", a day without school either.
    rt.clock.frozen = datetime(2026, 5, 11, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[:2] == [
        "Pas de restauration scolaire le jeudi 14 mai : Ascension.",
        "Pas de restauration scolaire pendant le pont de l'Ascension, après le mercredi 13 mai ; "
        "reprise le lundi 18 mai.",
    ]


def test_listening_leaves_out_a_public_holiday_on_a_day_without_school_meals(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # Wednesday 11 November (Armistice): Dijon's canteens never serve on Wednesdays, so no meal
    # is missing; it was said as "pas de restauration scolaire le mercredi 11 novembre".
    rt.clock.frozen = datetime(2026, 11, 9, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert not any("11 novembre" in line for line in listing.says)
    assert listing.says[0].startswith("Léa : un repas est réservé chaque jour de cantine")


def test_in_late_summer_the_date_question_says_no_day_can_change_before_the_calendar_ends(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # 16 August 2027: the line reopens; 2 September's deadline has passed, and the days after it
    # are past the calendar shipped. The question used to offer nothing, without a word.
    rt.clock.frozen = datetime(2027, 8, 16, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    question = call.keys("1234", "2")
    assert question.says[1:3] == [
        "Tapez le jour puis le mois, en 4 chiffres.",
        "Aucun jour jusqu'au jeudi 2 septembre inclus ne peut plus être changé, et le "
        "calendrier scolaire après cette date n'est pas encore connu.",
    ]
    # A day of September, typed whole or missing a zero: "choisissez une date plus proche" was
    # advice no caller could follow, and "039" was answered with the keys of a day past the
    # calendar.
    after_it = (
        "la mairie ne l'a pas encore chargé, et je ne peux donc pas encore dire jusqu'à quand "
        "ce repas pourra être changé."
    )
    assert call.press("0609").says[0] == (
        f"Je ne connais pas encore le calendrier scolaire du lundi 6 septembre 2027 : {after_it} "
        f"Pour parler à quelqu'un, appelez {DESK}"
    )
    # Friday 3 September's deadline counts back to days the calendar knows (2 September, then
    # Friday 2 July): gone, so the day can never change; "dès qu'il sera publié" was false.
    assert call.press("039").says[0] == (
        "Il faut le jour et le mois, en 4 chiffres. Je ne connais pas encore le calendrier "
        "scolaire du vendredi 3 septembre 2027, mais s'il y a cantine ce jour-là, il est trop "
        "tard : il fallait annuler avant le vendredi 2 juillet à 13 heures."
    )
    # No day to give as an example of the four keys: the rule alone (the question says why).
    assert call.press("0000").says[:3] == [
        "Il faut le jour et le mois, en 4 chiffres.",
        "Attention : c'est votre dernier essai.",
        "Pour quel jour voulez-vous annuler ?",
    ]


def test_a_day_past_the_calendar_whose_deadline_counts_back_to_known_days_is_said_with_it(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # 2 July 2027, 10:00, the last school day: Friday 3 September's deadline (were it a school
    # day) is today at 13:00, known from the calendar although the day is not. The line said
    # it "could be changed once the calendar is published", after that moment too; now that
    # the line cannot change it before the town loads the calendar, with the deadline.
    rt.clock.frozen = datetime(2027, 7, 2, 10, 0, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "1")
    assert call.press("0309").says[0] == (
        "Je ne connais pas encore le calendrier scolaire du vendredi 3 septembre 2027 : la "
        "mairie ne l'a pas encore chargé, et ce repas ne peut donc pas être changé sur cette "
        "ligne pour l'instant. S'il y a cantine ce jour-là, il faudrait le changer aujourd'hui "
        f"avant 13 heures. Pour parler à quelqu'un, appelez {DESK}"
    )
    # Past it, as the line reopens on 16 August: never again, said as any deadline gone by.
    rt.clock.frozen = datetime(2027, 8, 16, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "1")
    assert call.press("0309").says[0] == (
        "Je ne connais pas encore le calendrier scolaire du vendredi 3 septembre 2027, mais s'il "
        "y a cantine ce jour-là, il est trop tard : il fallait réserver avant le vendredi 2 "
        "juillet à 13 heures."
    )
    # Monday 6 counts back through Friday 3, a school day or not: not known, as before.
    assert call.press("0609").says[0] == (
        "Je ne connais pas encore le calendrier scolaire du lundi 6 septembre 2027 : la mairie "
        "ne l'a pas encore chargé, et je ne peux donc pas encore dire jusqu'à quand ce repas "
        f"pourra être changé. Pour parler à quelqu'un, appelez {DESK}"
    )
    # A Wednesday has no canteen whatever the calendar says.
    assert call.press("0809").says[0] == (
        "Le mercredi 8 septembre, il n'y a pas de restauration scolaire : la cantine ne "
        "fonctionne jamais le mercredi."
    )


def test_every_canteen_day_across_school_holidays_is_said_stretch_by_stretch(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # It was "du lundi 14 décembre au lundi 11 janvier", as if meals ran over Christmas; and
    # "chaque jour de cantine : du lundi…", two colons in one sentence: a comma, as when the
    # days are one stretch.
    rt.clock.frozen = datetime(2026, 12, 14, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[1] == (
        "Léa : un repas est réservé chaque jour de cantine, du lundi 14 décembre au vendredi "
        "18 décembre, puis du lundi 4 janvier au lundi 11 janvier."
    )
    # Two days before the holidays are said as two days, the month once: it was "du jeudi 17
    # décembre au vendredi 18 décembre et du lundi 4 janvier…", "et" and a span for a pair.
    rt.clock.frozen = datetime(2026, 12, 16, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[1] == (
        "Léa : un repas est réservé chaque jour de cantine, le jeudi 17 et le vendredi 18 "
        "décembre, puis du lundi 4 janvier au mardi 12 janvier."
    )
    # The last days of June, then the day school starts again: "le jeudi 2 septembre".
    rt.clock.frozen = datetime(2027, 6, 28, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[1] == (
        "Léa : un repas est réservé chaque jour de cantine, du lundi 28 juin au vendredi "
        "2 juillet, puis le jeudi 2 septembre."
    )


# ---------------------------------------------------------------------------------- refusals
def test_cancelling_too_late_says_the_exact_deadline_and_offers_the_first_changeable_date(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "2411")
    assert refused.says[0] == CANCEL_TOO_LATE
    assert OFFER in refused.text
    gather = refused.gather
    assert gather is not None and gather.get("numDigits") == "4"  # the date, asked again
    assert booked(rt, "E1", date(2026, 11, 24)) is None
    assert audit_count(rt) == 0
    call.hang_up()
    assert the_call(rt, call).outcome == "refused"


def test_booking_too_late_says_the_deadline_and_the_price_of_an_unbooked_meal(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0),))
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "1", "2411")
    assert refused.says[0] == (
        "Trop tard pour le mardi 24 novembre : il fallait réserver avant le vendredi 20 novembre "
        "à 13 heures. "
        "Un repas pris sans réservation est facturé au tarif le plus élevé."
    )


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        (
            "2511",
            "Le mercredi 25 novembre, il n'y a pas de restauration scolaire : "
            "la cantine ne fonctionne jamais le mercredi.",
        ),
        (
            "0705",
            "Le vendredi 7 mai, il n'y a pas de restauration scolaire : "
            "c'est le pont de l'Ascension.",
        ),
        (
            "2112",
            "Le lundi 21 décembre, il n'y a pas de restauration scolaire : "
            "ce sont les vacances de Noël.",
        ),
        (
            "2903",
            "Le lundi 29 mars, il n'y a pas de restauration scolaire : "
            "c'est un jour férié (lundi de Pâques).",
        ),
        (
            "2811",
            "Le samedi 28 novembre, il n'y a pas de restauration scolaire : "
            "la cantine ne fonctionne jamais le samedi.",
        ),
        # Closed for its weekday and for the holidays: the holidays, which the parent thinks of.
        (
            "2312",
            "Le mercredi 23 décembre, il n'y a pas de restauration scolaire : "
            "ce sont les vacances de Noël.",
        ),
        (
            "0201",
            "Le samedi 2 janvier, il n'y a pas de restauration scolaire : "
            "ce sont les vacances de Noël.",
        ),
        (
            "1407",
            "Le mercredi 14 juillet 2027, il n'y a pas de restauration scolaire : "
            "ce sont les vacances d'été.",
        ),
        # A public holiday on a canteen day in the holidays keeps its name (guard).
        (
            "2512",
            "Le vendredi 25 décembre, il n'y a pas de restauration scolaire : "
            "c'est un jour férié (Noël).",
        ),
    ],
)
def test_a_day_without_school_catering_is_refused_with_its_reason(
    rt: Runtime, client: FlaskClient, family: str, keys: str, said: str
) -> None:
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", keys)
    assert refused.says[0] == said
    assert OFFER in refused.text


def test_a_school_closure_is_refused_with_its_label(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    _closure(rt, "anjou-elem", date(2026, 12, 3), "strike", "grève")
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "0312")
    assert refused.says[0] == (
        "Le jeudi 3 décembre, il n'y a pas de restauration scolaire : l'école est fermée (grève)."
    )


def test_with_all_the_children_the_first_day_offered_is_the_earliest_one_of_them(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(
        rt, "210001", "1234", (PHONE,),
        (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", school="champollion-elem")),
    )  # fmt: skip
    _closure(rt, "anjou-elem", date(2026, 11, 26), "strike", "grève")
    call = caller(client, rt)
    call.start()
    asked = call.keys("1234", "9", "2")
    # Léa's school is on strike on Thursday 26, Hugo's serves it: Thursday is still open for him.
    assert f"{CANCEL_OFFER}jeudi 26 novembre" in asked.text
    read_back = call.press("2611")
    assert "Vous souhaitez annuler le repas d'Hugo le jeudi 26 novembre." in read_back.says


@pytest.mark.parametrize(
    ("action", "heard"),
    [
        (
            "1",  # book: Léa is booked by her subscription, Hugo books day by day
            [
                "Le repas de Léa du mardi 24 novembre est déjà réservé.",
                "Pour Hugo, trop tard pour le mardi 24 novembre : il fallait réserver avant le "
                "vendredi 20 novembre à 13 heures. Un repas pris sans réservation est facturé au "
                "tarif le plus élevé.",
            ],
        ),
        (
            "2",  # cancel: Hugo has nothing to cancel, Léa's meal will be charged
            [
                "Hugo n'a pas de repas réservé le mardi 24 novembre : il n'y a rien à annuler.",
                "Pour Léa, trop tard pour le mardi 24 novembre : il fallait annuler avant le "
                "vendredi 20 novembre à 13 heures. Le repas sera facturé, sauf maladie signalée "
                "à l'école.",
            ],
        ),
    ],
)
def test_too_late_with_all_the_children_names_those_it_is_too_late_for(
    rt: Runtime, client: FlaskClient, action: str, heard: list[str]
) -> None:
    make_family(
        rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0))
    )
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "9", action, "2411")
    assert refused.says[0] == " ".join(heard)
    assert "jeudi 26 novembre : pour ce jour, tapez 2, 6, 1, 1." in refused.text


def test_too_late_for_one_child_changes_the_others_and_says_so(
    settings: Settings, clock: Clock, engine: Engine
) -> None:
    # Champollion's canteen also serves on Wednesdays: its deadline for Thursday 3 December is
    # Tuesday 1st at 13:00, Anjou's Monday 30 November.
    rt = two_deadlines_family(settings, clock, engine)
    call = caller(line_app(rt).test_client(), rt)
    call.start()
    read_back = call.keys("1234", "9", "2", "0312")
    assert read_back.says[:2] == [
        # Said on Tuesday 1st: Monday's deadline was yesterday's.
        "Pour Léa, trop tard pour le jeudi 3 décembre : il fallait annuler hier avant 13 "
        "heures. Le repas sera facturé, sauf maladie signalée à l'école.",
        "Vous souhaitez annuler le repas d'Hugo le jeudi 3 décembre.",
    ]
    call.press("1")
    assert booked(rt, "E2", date(2026, 12, 3)) is False
    assert booked(rt, "E1", date(2026, 12, 3)) is None


def test_a_deadline_passed_during_the_read_back_for_one_child_changes_the_others(
    settings: Settings, clock: Clock, engine: Engine
) -> None:
    rt = two_deadlines_family(settings, clock, engine)
    # Monday 30 November, 12:58: Thursday 3 December is still open for both (Léa's school until
    # 13:00 today, Hugo's, which serves on Wednesdays, until tomorrow 13:00).
    clock.frozen = datetime(2026, 11, 30, 12, 58, tzinfo=PARIS)
    call = caller(line_app(rt).test_client(), rt)
    call.start()
    read_back = call.keys("1234", "9", "2", "0312")
    assert read_back.says[:2] == [
        "Vous souhaitez annuler les repas d'Hugo et Léa le jeudi 3 décembre.",
        # Hugo's may still change tomorrow: the warning is Léa's.
        "Pour Léa, ce changement n'est possible qu'avant 13 heures, dans moins de 2 minutes.",
    ]
    clock.frozen = datetime(2026, 11, 30, 13, 0, 30, tzinfo=PARIS)
    done = call.press("1")
    # Both were refused, "les repas seront facturés", though Hugo's could still be cancelled.
    assert done.says[:2] == [
        "Pour Léa, trop tard pour le jeudi 3 décembre : il fallait annuler aujourd'hui avant "
        "13 heures. Le repas sera facturé, sauf maladie signalée à l'école.",
        "C'est fait : le repas d'Hugo du jeudi 3 décembre est annulé.",
    ]
    assert booked(rt, "E2", date(2026, 12, 3)) is False
    assert booked(rt, "E1", date(2026, 12, 3)) is None


def test_0_at_the_date_question_goes_back_to_the_menu_and_is_said_when_it_is_asked_again(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    first = call.keys("1234", "2")
    assert "Pour revenir au menu, tapez 0." not in first.says  # most callers type the date
    refused = call.press("2411")
    assert refused.says[0].startswith("Trop tard pour le mardi 24 novembre")
    # A caller on the keypad alone who meant to book had no way back but three failures.
    assert refused.says[-2:] == ["Pour revenir au menu, tapez 0.", "Pour terminer l'appel, tapez 2."]
    menu = call.press("0")
    assert menu.says[0] == "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
    assert call.press("1").says[0] == "Pour quel jour voulez-vous réserver ?"


def test_a_date_past_the_known_school_calendar_is_refused(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    # 9 September 2027: past the shipped calendar (a Wednesday, the 8th, is said to have no
    # canteen: see test_a_day_past_the_calendar_whose_deadline_counts_back_to_known_days…)
    refused = call.keys("1234", "2", "0909")
    assert refused.says[0] == (
        "Je ne connais pas encore le calendrier scolaire du jeudi 9 septembre 2027. "
        "Choisissez une date plus proche."
    )


def test_a_day_month_just_past_is_said_to_be_past_not_next_years(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # By the keypad contract 1111 is 11 November 2027; typed on 23 November 2026 it surely
    # meant twelve days ago.
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "1111")
    assert refused.says[0] == "Le mercredi 11 novembre est déjà passé."
    assert f"{CANCEL_OFFER}jeudi 26 novembre" in refused.text
    assert refused.gather is not None  # the date is asked again


@pytest.mark.parametrize("said", ["jeudi dernier", "hier"])
def test_a_past_day_said_is_answered_as_past(
    rt: Runtime, client: FlaskClient, family: str, said: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    refused = call.say(said)
    assert refused.says[0].endswith("est déjà passé.")
    assert refused.gather is not None


def test_a_child_not_enrolled_that_day_is_refused(rt: Runtime, client: FlaskClient) -> None:
    make_family(
        rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", enrolled_until=date(2026, 11, 30)),)
    )
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "0312")
    assert refused.says[0] == (
        "Léa n'a pas d'inscription à la restauration scolaire le jeudi 3 décembre."
    )


def test_a_child_enrolled_later_is_offered_the_first_day_of_the_enrolment(
    rt: Runtime, client: FlaskClient
) -> None:
    start = date(2027, 1, 7)  # Thursday, after the Christmas holidays
    kid = KidSpec("E1", "Léa", weekdays=0, enrolled_from=start, subscribed_from=start)
    make_family(rt, "210001", "1234", (PHONE,), (kid,))
    call = caller(client, rt)
    call.start()
    question = call.keys("1234", "1")
    assert (
        "Le premier jour où vous pouvez encore réserver un repas est le jeudi 7 janvier : pour "
        "ce jour, tapez 0, 7, 0, 1." in question.says
    )
    refused = call.press("1412")
    assert refused.says[0] == (
        "Léa n'a pas d'inscription à la restauration scolaire le lundi 14 décembre."
    )
    assert "réserver un repas est le jeudi 7 janvier" in refused.text


def test_listening_before_the_enrolment_starts_says_so_not_that_no_meal_is_served(
    rt: Runtime, client: FlaskClient
) -> None:
    # Enrolled from Thursday 7 January, both: the school serves meals these two weeks. They
    # each heard "Léa : pas de restauration scolaire dans les deux prochaines semaines."
    start = date(2027, 1, 7)
    kids = [KidSpec(ref, name, enrolled_from=start, subscribed_from=start)
            for ref, name in (("E1", "Léa"), ("E2", "Hugo"))]
    make_family(rt, "210001", "1234", (PHONE,), kids)
    call = caller(client, rt)
    call.start()
    listed = call.keys("1234", "9", "3")
    assert "Hugo et Léa n'ont pas d'inscription à la restauration scolaire avant le jeudi 7 " \
        "janvier." in listed.says
    assert "pas de restauration scolaire dans les deux prochaines semaines" not in listed.text


def test_listening_when_the_enrolment_starts_within_the_two_weeks_says_from_when(
    rt: Runtime, client: FlaskClient
) -> None:
    # Enrolled from Monday 30 November: the week of 23 November is served to others, not her.
    start = date(2026, 11, 30)
    kid = KidSpec("E1", "Léa", enrolled_from=start, subscribed_from=start)
    make_family(rt, "210001", "1234", (PHONE,), (kid,))
    call = caller(client, rt)
    call.start()
    listed = call.keys("1234", "3")
    assert listed.says[:2] == [
        "Léa : un repas est réservé chaque jour de cantine, du lundi 30 novembre au vendredi 4 "
        "décembre.",
        "L'inscription de Léa à la cantine commence le lundi 30 novembre.",
    ]


def test_listening_with_an_enrolment_under_way_says_nothing_of_its_start(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # Guard: a child enrolled since 2024 hears no "commence le …".
    call = caller(client, rt)
    call.start()
    assert "commence" not in call.keys("1234", "3").text


def test_a_child_whose_enrolment_has_ended_is_not_in_the_menu(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(
        rt,
        "210001",
        "1234",
        (PHONE,),
        (KidSpec("E1", "Léa", enrolled_until=date(2026, 10, 16)), KidSpec("E2", "Hugo")),
    )
    call = caller(client, rt)
    call.start()
    menu = call.press("1234")  # only Hugo is left: his action menu at once
    assert "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2." in menu.text
    assert "Léa" not in menu.text


def test_silence_after_a_result_ends_with_the_plain_goodbye(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611", "1")
    call.silence()
    call.silence()
    bye = call.silence()
    assert bye.hangup
    assert bye.says[-1] == "Merci de votre appel. Au revoir."


@pytest.mark.parametrize("keys", ["¹", "①", "¹⁹⁵¹"])
def test_digits_that_are_not_keypad_digits_are_a_wrong_key_not_an_error(
    rt: Runtime, client: FlaskClient, keys: str
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo")))
    call = caller(client, rt)
    call.start()
    call.press("1234")
    again = call.press(keys)
    assert again.says[0] == "Cette touche ne fait pas partie du menu."
    assert the_call(rt, call).outcome != "error"


def test_a_locked_day_is_refused_with_its_deadline(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    rt.locks.lock_day("anjou-elem", date(2026, 11, 24))
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "2411")
    assert refused.says[0] == CANCEL_TOO_LATE


def test_a_day_locked_before_its_deadline_is_said_sent_to_the_kitchen_not_too_late(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # Thursday 26 November locked at 10:00 by hand (``restomairie lock``), three hours before
    # its deadline: "il fallait annuler aujourd'hui avant 13 heures" was false at 10:00.
    rt.locks.lock_day("anjou-elem", date(2026, 11, 26))
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "2611")
    assert refused.says[0] == (
        "Le jeudi 26 novembre ne peut plus être changé : les repas de ce jour sont déjà "
        "transmis à la cuisine. Le repas sera facturé, sauf maladie signalée à l'école."
    )
    assert "Trop tard" not in refused.text
    assert booked(rt, "E1", date(2026, 11, 26)) is None  # the subscription's meal stays


def test_a_day_typed_that_is_next_years_is_read_back_with_its_year(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    rt.clock.frozen = datetime(2026, 9, 10, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    # "0209" on 10 September: the nearest 2 September not past is a year ahead.
    far = call.keys("1234", "2", "0209")
    assert far.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 2 septembre 2027."
    call.press("2")
    near = call.press("1709")
    assert near.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 17 septembre."


def test_the_deadline_passing_during_the_read_back_refuses_the_change(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    read_back = call.keys("1234", "2", "2611")
    assert "jeudi 26 novembre" in read_back.says[0]
    # Thirty seconds from the deadline: the read-back says so before "pour confirmer".
    assert read_back.says[1] == (
        "Attention : ce changement n'est possible qu'avant 13 heures, dans moins d'une minute."
    )
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 0, tzinfo=PARIS)
    refused = call.press("1")
    # A deadline passed today is said as today's, not as a date to work out.
    assert refused.says[0] == (
        "Trop tard pour le jeudi 26 novembre : il fallait annuler aujourd'hui avant 13 heures. "
        "Le repas sera facturé, sauf maladie signalée à l'école."
    )
    assert f"{CANCEL_OFFER}vendredi 27 novembre" in refused.text
    assert booked(rt, "E1", date(2026, 11, 26)) is None


def test_a_read_back_that_also_undoes_a_change_warns_of_the_undoing_s_deadline(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # Friday 27 November's cancellation, taken back for Monday 30 at 12:59:30: Friday's meal
    # can be booked again only until 13:00 (Tuesday's deadline), and both are made or neither.
    rt.clock.frozen = datetime(2026, 11, 24, 12, 58, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2711", "1")
    rt.clock.frozen = datetime(2026, 11, 24, 12, 59, 30, tzinfo=PARIS)
    read_back = call.say("je voulais dire lundi 30 novembre")
    assert read_back.says[:3] == [
        "Vous souhaitez annuler le repas de Léa le lundi 30 novembre.",
        "Et le repas de Léa du vendredi 27 novembre sera de nouveau réservé.",
        "Attention : ce changement n'est possible qu'avant 13 heures, dans moins d'une minute.",
    ]


def test_cancelling_a_meal_that_is_not_booked_says_there_is_nothing_to_cancel(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0),))
    call = caller(client, rt)
    call.start()
    answer = call.keys("1234", "2", "2611")
    assert answer.says[0] == (
        "Léa n'a pas de repas réservé le jeudi 26 novembre : il n'y a rien à annuler."
    )
    assert "Pour une autre opération, tapez 1." in answer.text


def test_cancelling_again_says_the_meal_is_already_cancelled_and_when(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # « Mais j'ai bien annulé ! »: a parent calling again to be sure hears that the meal IS
    # cancelled, and when and how, not "rien à annuler" (kept for a meal never booked).
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611", "1")
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    rt.clock.frozen = datetime(2026, 11, 23, 10, 5, tzinfo=PARIS)
    again = call.keys("1", "2", "2611")
    # In the same call: "aujourd'hui à 10 heures" would sound like someone else's doing.
    assert again.says[0] == (
        "Le repas de Léa du jeudi 26 novembre a déjà été annulé pendant cet appel."
    )
    assert "Pour une autre opération, tapez 1." in again.text
    # Another call, days later, hears when an earlier call cancelled.
    rt.clock.frozen = datetime(2026, 11, 25, 9, 0, tzinfo=PARIS)
    later = caller(client, rt)
    later.start()
    later.keys("1234", "2", "3011", "1")
    later.hang_up()
    rt.clock.frozen = datetime(2026, 11, 25, 9, 5, tzinfo=PARIS)
    third = caller(client, rt)
    third.start()
    answer = third.keys("1234", "2", "3011")
    assert answer.says[0] == (
        "Le repas de Léa du lundi 30 novembre a déjà été annulé aujourd'hui à 9 heures, "
        "par téléphone."
    )


def test_a_day_changed_earlier_in_the_same_call_is_said_changed_during_this_call(
    rt: Runtime, client: FlaskClient
) -> None:
    # The call's own changes (kept in its state with their time) are "pendant cet appel";
    # another call of the family, the same minute, is still said with its time: not a guess
    # from the time alone.
    make_family(
        rt, "210001", "1234", (PHONE,),
        (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)),
    )
    rt.clock.frozen = datetime(2026, 11, 23, 9, 31, 5, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2", "2611", "1")  # Léa's Thursday cancelled
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    again = call.keys("1", "2", "2611")
    assert again.says[0] == (
        "Le repas de Léa du jeudi 26 novembre a déjà été annulé pendant cet appel."
    )
    # An extra meal for Hugo, booked again, then cancelled (its booking day deleted: the
    # journal says when) and cancelled again.
    call.keys("1", "4", "1", "1", "2611", "1")
    assert booked(rt, "E2", date(2026, 11, 26)) is True
    assert call.keys("1", "1", "2611").says[0] == (
        "Le repas d'Hugo du jeudi 26 novembre a déjà été réservé pendant cet appel."
    )
    call.keys("1", "2", "2611", "1")
    with rt.sessions() as session:  # Hugo's booking day deleted: only the journal says when
        rows = session.execute(
            select(Child.ref, BookingDay.booked)
            .join(Child, Child.id == BookingDay.child_id)
            .where(BookingDay.day == date(2026, 11, 26))
        ).all()
    assert [tuple(row) for row in rows] == [("E1", False)]
    assert call.keys("1", "2", "2611").says[0] == (
        "Le repas d'Hugo du jeudi 26 novembre a déjà été annulé pendant cet appel."
    )
    # Another call of the family, the same minute: its own changes are none of these.
    rt.clock.frozen = datetime(2026, 11, 23, 9, 31, 20, tzinfo=PARIS)
    other = caller(client, rt)
    other.start()
    assert other.keys("1234", "2", "2", "2611").says[0] == (
        "Le repas de Léa du jeudi 26 novembre a déjà été annulé aujourd'hui à 9 h 31, "
        "par téléphone."
    )
    assert other.keys("1", "4", "1", "2", "2611").says[0] == (
        "Le repas d'Hugo du jeudi 26 novembre a déjà été annulé aujourd'hui à 9 h 31, "
        "par téléphone."
    )
    # That call books Léa's Thursday back, then cancels it again: the first call, asking
    # once more the same minute, hears of the other call's cancellation, not of its own.
    other.keys("1", "4", "2", "1", "2611", "1")
    assert booked(rt, "E1", date(2026, 11, 26)) is True
    rt.clock.frozen = datetime(2026, 11, 23, 9, 31, 40, tzinfo=PARIS)
    other.keys("1", "2", "2611", "1")
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    assert call.keys("1", "4", "2", "2", "2611").says[0] == (
        "Le repas de Léa du jeudi 26 novembre a déjà été annulé aujourd'hui à 9 h 31, "
        "par téléphone."
    )


def test_an_english_call_says_a_day_changed_during_this_call(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    # A clock's time to the microsecond, as the database keeps it and gives it back.
    rt.clock.frozen = datetime(2026, 11, 23, 10, 0, 7, 123456, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611", "1")
    assert call.keys("1", "2", "2611").says[0] == (
        "The meal of Léa on Thursday 26 November was already cancelled during this call."
    )


def test_an_extra_meal_cancelled_by_the_town_hall_is_said_cancelled_from_the_journal(
    rt: Runtime, client: FlaskClient
) -> None:
    # An extra meal booked then cancelled leaves no booking day (the day follows the pattern
    # again): the journal says when; a meal never booked is still "rien à annuler".
    make_family(
        rt, "210001", "1234", (PHONE,),
        (KidSpec("E1", "Léa", weekdays=0), KidSpec("E2", "Hugo", weekdays=0)),
    )
    staff = Actor("staff", "marie", "staff")
    rt.clock.frozen = datetime(2026, 11, 20, 16, 45, tzinfo=PARIS)
    rt.booking.book("210001", [date(2026, 11, 26)], staff, ["E1"])
    rt.booking.cancel("210001", [date(2026, 11, 26)], staff, ["E1"])
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    rt.clock.frozen = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    answer = call.keys("1234", "9", "2", "2611")
    assert answer.says[:2] == [
        "Hugo n'a pas de repas réservé le jeudi 26 novembre : il n'y a rien à annuler.",
        "Le repas de Léa du jeudi 26 novembre a déjà été annulé le vendredi 20 novembre à "
        "16 h 45, par la mairie.",
    ]


def test_booking_an_extra_meal_again_says_when_it_was_booked(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0),))
    rt.clock.frozen = datetime(2026, 11, 22, 18, 30, tzinfo=PARIS)
    rt.booking.book("210001", [date(2026, 11, 26)], Actor("family", "210001", "web"))
    rt.clock.frozen = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    answer = call.keys("1234", "1", "2611")
    assert answer.says[0] == (
        "Le repas de Léa du jeudi 26 novembre a déjà été réservé hier à 18 h 30, sur internet."
    )


# ---------------------------------------------------------------------------------- the line
_TODAY_8 = (
    "Elle ouvrira aujourd'hui de 8 heures à 13 heures.",
    "Aujourd'hui avant 13 heures, vous pourrez encore réserver ou annuler les repas à partir du "
    "jeudi 26 novembre.",
)
_TOMORROW_8 = (
    "Elle rouvrira demain, mardi 24 novembre, de 8 heures à 13 heures.",
    "Demain avant 13 heures, vous pourrez encore réserver ou annuler les repas à partir du "
    "vendredi 27 novembre.",
)


@pytest.mark.parametrize(
    ("now", "heard"),
    [
        (datetime(2026, 11, 23, 7, 59, 59, tzinfo=PARIS), _TODAY_8),
        (datetime(2026, 11, 23, 8, 0, tzinfo=PARIS), None),
        (datetime(2026, 11, 23, 12, 59, 59, tzinfo=PARIS), None),
        (datetime(2026, 11, 23, 13, 0, tzinfo=PARIS), _TOMORROW_8),
        (datetime(2026, 11, 23, 22, 0, tzinfo=PARIS), _TOMORROW_8),
    ],
)
def test_outside_opening_hours_the_caller_hears_the_next_opening_and_the_web_alternative(
    rt: Runtime, client: FlaskClient, family: str, now: datetime, heard: tuple[str, str] | None
) -> None:
    rt.clock.frozen = now
    call = caller(client, rt)
    answer = call.start()
    if heard is None:  # open
        assert answer.gather is not None
        return
    assert answer.says == [
        "Bienvenue sur Resto-Mairie, la ligne des repas de restauration scolaire de Dijon.",
        "La ligne est fermée.",
        *heard,
        "Vous pouvez aussi réserver ou annuler un repas sur l'espace famille du site www.dijon.fr.",
        "Au revoir.",
    ]
    assert answer.hangup and answer.gather is None
    assert the_call(rt, call).outcome == "closed"


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2026, 7, 3), False),  # last school day before the summer holidays
        (date(2026, 7, 6), True),
        (date(2026, 8, 14), True),
        (date(2026, 8, 15), True),  # "jusqu'au 15 août" (a Saturday)
        (date(2026, 8, 17), False),
        (date(2026, 8, 31), False),
    ],
)
def test_the_line_is_closed_in_the_summer_holidays_until_15_august(
    rt: Runtime, client: FlaskClient, family: str, day: date, closed: bool
) -> None:
    rt.clock.frozen = datetime.combine(day, datetime.min.time(), PARIS) + timedelta(hours=9)
    answer = caller(client, rt).start()
    if not closed:
        assert answer.gather is not None
        return
    # When to call again: "jusqu'au 15 août" left a caller on the 15th asking.
    assert (
        "La ligne est fermée pendant les vacances d'été ; elle rouvre le dimanche 16 août à "
        "8 heures." in answer.says
    )
    assert answer.hangup


def test_five_wrong_codes_lock_the_phone_access_and_the_caller_is_told(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    first = caller(client, rt)
    first.start()
    assert first.press("0000").says[0] == "Ce code n'est pas le bon."
    first.press("1111")
    bye = first.press("2222")  # third attempt: a polite goodbye
    assert bye.hangup
    assert bye.says[0] == "Ce code n'est pas le bon."
    # At 10:00 the line is open: until when, and who to call without the code.
    assert bye.says[1] == (
        "Vous pouvez rappeler jusqu'à 13 heures. Si vous ne connaissez pas votre code secret, "
        f"appelez {DESK} Vous pouvez aussi réserver ou annuler un repas sur l'espace famille "
        "du site www.dijon.fr. Merci de votre appel. Au revoir."
    )

    second = caller(client, rt)
    second.start()
    second.press("3333")
    locked = second.press("4444")  # fifth wrong code
    assert locked.says[0] == (
        "Après plusieurs codes erronés, l'accès par téléphone à ce dossier est bloqué "
        "jusqu'à 10 h 15."
    )
    assert locked.says[1] == f"Pour parler à quelqu'un, appelez {DESK}"
    # The way to another family's account ("0#": this phone is not the caller's family's),
    # then nothing else: the line hangs up.
    assert locked.says[-1].startswith("Si ce téléphone n'est pas celui de votre dossier")
    assert not locked.hangup
    bye = second.silence()
    assert bye.hangup and bye.says == ["Merci de votre appel. Au revoir."]
    assert the_call(rt, second).outcome == "refused"

    third = caller(client, rt)
    third.start()
    still = third.press("1234")  # even the right code, while locked
    assert still.says[0].startswith("Après plusieurs codes erronés")

    rt.clock.frozen = datetime(2026, 11, 23, 10, 15, tzinfo=PARIS)
    fourth = caller(client, rt)
    fourth.start()
    assert "Pour réserver un repas, tapez 1." in fourth.press("1234").text


def test_a_lock_that_outlasts_the_opening_hours_is_said_to_last_the_day(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, 12, 55, tzinfo=PARIS)  # the line closes at 13:00
    for _ in range(2):
        call = caller(client, rt)
        call.start()
        call.keys("0000", "1111")
    locked = call.press("2222")  # the fifth wrong code: blocked until 13:10
    assert locked.says[0] == (
        "Après plusieurs codes erronés, l'accès par téléphone à ce dossier est bloqué pour le "
        "reste de la journée."
    )


def test_codes_are_never_stored_or_logged(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    call = caller(client, rt)
    call.start()
    call.press("9876")
    call.press("1234")
    logged = events(rt, call)
    pin_events = [e for e in logged if e.step == "pin"]
    assert [e.heard for e in pin_events] == ["[code]", "[code]"]
    assert [e.outcome for e in pin_events] == ["wrong_code", "right_code"]
    everything = (
        " ".join(f"{e.heard} {e.outcome} {e.response} {e.request_key}" for e in logged)
        + str(the_call(rt, call).state)
        + caplog.text
    )
    assert "9876" not in everything and "1234" not in everything


def _everything_logged(rt: Runtime, call: Caller, caplog: pytest.LogCaptureFixture) -> str:
    logged = events(rt, call)
    return (
        " ".join(f"{e.heard} {e.outcome} {e.response} {e.request_key}" for e in logged)
        + str(the_call(rt, call).state)
        + caplog.text
    )


def test_the_account_and_the_code_typed_together_identify_the_caller_without_logging_the_code(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    call = caller(client, rt, UNKNOWN)
    call.start()
    menu = call.press("2100011234")  # no "#" between them
    assert menu.says[0] == "Merci."
    assert "Pour réserver un repas, tapez 1." in menu.text
    assert [e.heard for e in events(rt, call)][-1] == "210001 + [code]"
    assert "1234" not in _everything_logged(rt, call, caplog)
    assert the_call(rt, call).family_id is not None


def test_the_account_and_a_wrong_code_typed_together_count_as_a_wrong_code(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    call = caller(client, rt, UNKNOWN)
    call.start()
    again = call.press("2100019876")
    assert again.says == ["Ce code n'est pas le bon.", "Tapez votre code secret à 4 chiffres."]
    with rt.sessions() as session:
        assert session.scalars(select(Family.failed_pins)).one() == 1
    assert call.press("1234").says[0] == "Merci."
    with rt.sessions() as session:
        assert session.scalars(select(Family.failed_pins)).one() == 0  # reset by the right one
    assert "9876" not in _everything_logged(rt, call, caplog)


@pytest.mark.parametrize("typed", ["1234", "2100091234", "12341234", "12340"])
def test_keys_that_may_hold_the_code_are_neither_said_back_nor_logged(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    caplog.set_level(logging.DEBUG)
    call = caller(client, rt, UNKNOWN)
    call.start()
    again = call.press(typed)  # the code first, or a mistyped account with the code after it
    assert again.says[0] == "Je ne trouve pas ce numéro de dossier famille."
    assert [e.heard for e in events(rt, call)][-1] == "•" * len(typed)
    assert "1234" not in _everything_logged(rt, call, caplog)


@pytest.mark.parametrize(
    ("step_keys", "typed", "logged"),
    [
        ((), "210001*1234", "••••••*••••"),  # a star in the account: the question again
        (("1234",), "1234*", "••••*"),  # at the menu
    ],
)
def test_keys_with_a_star_are_logged_masked(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    caplog: pytest.LogCaptureFixture,
    step_keys: tuple[str, ...],
    typed: str,
    logged: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    call = caller(client, rt, UNKNOWN if not step_keys else PHONE)
    call.start()
    for keys in step_keys:
        call.press(keys)
    call.press(typed)
    assert [e.heard for e in events(rt, call)][-1] == logged
    assert "1234" not in _everything_logged(rt, call, caplog)


@pytest.mark.parametrize(
    ("said", "logged"),
    [
        ("mon code c'est le 1234", "mon code c'est le ••••"),
        # in words, as speech recognition may write it: masked as a whole
        ("mon code c'est douze trente-quatre", "mon code c'est ••••"),
        ("Un, deux, trois, quatre.", "••••."),
    ],
)
def test_a_code_said_aloud_is_logged_masked(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    caplog: pytest.LogCaptureFixture,
    said: str,
    logged: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    call = caller(client, rt)
    call.start()
    call.press("1234")
    call.say(said)
    assert [e.heard for e in events(rt, call)][-1] == logged
    everything = _everything_logged(rt, call, caplog)
    assert "1234" not in everything and "trente" not in everything and "trois" not in everything


def test_a_date_typed_and_understood_is_logged_as_typed(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    assert [e.heard for e in events(rt, call)][-1] == "2611"


def test_the_code_typed_again_at_the_date_question_is_not_logged(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    again = call.press("1234")  # not a date (the 12th of a 34th month)
    assert again.says[0] == (
        "Il faut le jour et le mois, en 4 chiffres : par exemple, pour le jeudi 26 novembre, "
        "tapez 2, 6, 1, 1."
    )
    logged = events(rt, call)
    assert (logged[-1].heard, logged[-1].outcome) == ("••••", "invalid_date")
    assert "1234" not in _everything_logged(rt, call, caplog)


# ---------------------------------------------------------------------------------- keys at the date question
FOUR_KEYS = "Il faut le jour et le mois, en 4 chiffres."
RULE = "Tapez le jour puis le mois, en 4 chiffres."


EXAMPLE = (
    "Il faut le jour et le mois, en 4 chiffres : par exemple, pour le jeudi 26 novembre, tapez "
    "2, 6, 1, 1."
)
END_KEY = "Pour terminer l'appel, tapez 2."


@pytest.mark.parametrize("keys", ["2", "9", "31", "24", "3", "1"])
def test_one_or_two_keys_are_no_day_of_the_month_the_four_keys_are_said_with_an_example(
    rt: Runtime, client: FlaskClient, family: str, keys: str
) -> None:
    # They were read as a day of the month: "2" heard "Il faut le jour et le mois, en 4
    # chiffres. Le mercredi 2 décembre, il n'y a pas de restauration scolaire…", "24" a
    # refusal for Tuesday 24, "3" the keys of 3 December: facts about a date never given, to
    # a parent who may have meant the key of another menu (2 to end the call, 1 another
    # operation). Kept: the rule first, then the first day that can change, as "0000" hears.
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    answer = call.press(keys)
    assert answer.says[:3] == [EXAMPLE, "Pour quel jour voulez-vous annuler ?", OFFER]
    assert RULE not in answer.says  # just said, not twice in a row
    assert END_KEY not in answer.says  # no refusal before: 2 is no key of this question
    assert events(rt, call)[-1].outcome == "invalid_date"
    # Asked again in full after that, and the keypad contract holds.
    assert RULE in call.press("*").says
    assert call.press("2611").says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_2_ends_the_call_after_a_deadline_passed_during_the_read_back(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # 12:58: Thursday 26 November can be cancelled until 13:00; confirmed at 13:00:30, refused,
    # and the date question comes back. A parent pressing 2 as at the menu after a result (end
    # the call) heard about Wednesday 2 December; the question did not say how to end the call.
    rt.clock.frozen = datetime(2026, 11, 23, 12, 58, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 30, tzinfo=PARIS)
    refused = call.press("1")
    assert refused.says[0].startswith("Trop tard pour le jeudi 26 novembre")
    assert refused.says[-2:] == ["Pour revenir au menu, tapez 0.", END_KEY]
    answer = call.press("2")
    assert answer.hangup
    assert answer.says == ["Aucun changement n'a été fait.", "Merci de votre appel. Au revoir."]
    assert booked(rt, "E1", date(2026, 11, 26)) is None


def test_2_ends_the_call_after_a_date_refused_at_the_date_question(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # The tester's call: 2411 refused (too late), then 2 to end the call, as after a result.
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "2411")
    assert refused.says[0] == CANCEL_TOO_LATE
    assert refused.says[-1] == END_KEY
    # "*" asks the same question again, the way out with it; another date still works.
    assert call.press("*").says[-1] == END_KEY
    assert call.press("2").hangup


def test_after_a_refusal_another_date_is_still_four_keys(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # Guard: the keypad contract at the date question after a refusal, and the way out is no
    # longer said once another date is read back then changed.
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2411")
    read_back = call.press("2611")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    again = call.press("2")  # another date
    assert END_KEY not in again.says
    assert call.press("2").says[0] == EXAMPLE


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        # Three keys missing the zero of a one-digit day or month, read one way only.
        ("312", "Il faut le jour et le mois, en 4 chiffres : pour le jeudi 3 décembre, tapez "
         "0, 3, 1, 2."),
        ("123", "Il faut le jour et le mois, en 4 chiffres : pour le vendredi 12 mars, tapez "
         "1, 2, 0, 3."),
        # Read both ways, the nearer still to come ("111": 11 January, not 1 November, three
        # weeks ago: a day gone by only when no reading is to come, as "412" on 7 December).
        ("111", "Il faut le jour et le mois, en 4 chiffres : pour le lundi 11 janvier, tapez "
         "1, 1, 0, 1."),
        # No date at all: the first day that can still change, as an example. "1234" is also
        # what the line gets of "12345": the question's Gather ends at the 4th key.
        ("0000", "Il faut le jour et le mois, en 4 chiffres : par exemple, pour le jeudi 26 "
         "novembre, tapez 2, 6, 1, 1."),
        ("1234", "Il faut le jour et le mois, en 4 chiffres : par exemple, pour le jeudi 26 "
         "novembre, tapez 2, 6, 1, 1."),
    ],
)
def test_too_few_or_wrong_keys_at_the_date_question_say_four_keys_with_an_example(
    rt: Runtime, client: FlaskClient, family: str, keys: str, message: str
) -> None:
    # They used to hear "Je n'ai pas compris cette date.", which says nothing of what was
    # wrong.
    call = caller(client, rt)
    call.start()
    question = call.keys("1234", "2")
    gather = question.gather
    assert gather is not None and gather.get("numDigits") == "4"
    answer = call.press(keys)
    assert answer.says[:2] == [message, "Pour quel jour voulez-vous annuler ?"]
    assert RULE not in answer.says
    assert events(rt, call)[-1].outcome == "invalid_date"


@pytest.mark.parametrize("nothing", ["", "#"])
def test_hash_alone_or_silence_at_the_date_question_is_no_date_not_nothing_heard(
    rt: Runtime, client: FlaskClient, family: str, nothing: str
) -> None:
    # "#" alone does not end Twilio's Gather (finishOnKey needs keys before it): the line
    # gets the silence after it. Either way, "Je n'ai rien entendu" was wrong for a parent who
    # pressed a key; the question after it says the four keys.
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    answer = call.press(nothing) if nothing else call.silence()
    assert answer.says[:3] == [
        "Je n'ai reçu aucune date.",
        "Pour quel jour voulez-vous annuler ?",
        RULE,
    ]
    assert events(rt, call)[-1].outcome == "no_input"
    call.silence()
    bye = call.silence()  # still a failed attempt: the third ends the call
    assert bye.hangup and bye.says[0] == "Je n'ai reçu aucune date."


def test_an_english_family_pressing_nothing_at_the_date_question_hears_no_date(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    answer = call.silence()
    assert answer.says[0] == (
        "I did not receive a date: please type it on your phone's keypad. To speak to someone, "
        "call the billing centre on 03 80 74 51 51, Monday to Friday from 8 am to 6 pm."
    )
    assert answer.says[1:3] == [
        "Which day do you want to cancel?",
        "Type the day, then the month: four digits.",
    ]
    # Two keys are no day of the month: not "Too late for Tuesday 24 November…".
    assert call.press("24").says[0] == (
        "Please type the day and the month, four digits: for example, for Thursday 26 November, "
        "type 2, 6, 1, 1."
    )
    refused = call.press("2411")
    assert refused.says[0].startswith("Too late for Tuesday 24 November")
    assert refused.says[-2:] == ["To go back to the menu, press 0.", "To end the call, press 2."]


# ---------------------------------------------------------------------------------- children
@pytest.fixture
def three_children(rt: Runtime) -> str:
    return make_family(
        rt,
        "210001",
        "1234",
        (PHONE,),
        (KidSpec("E1", "Zoé"), KidSpec("E2", "Léa"), KidSpec("E3", "Hugo")),
    )


def test_several_children_are_offered_in_first_name_order_and_9_means_all(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    call = caller(client, rt)
    call.start()
    menu = call.press("1234")
    assert menu.says == [
        "Merci.",
        "Pour Hugo, tapez 1.",
        "Pour Léa, tapez 2.",
        "Pour Zoé, tapez 3.",
        "Pour tous vos enfants, tapez 9.",
        "Vous pouvez aussi dire le prénom.",
    ]
    gather = menu.gather
    assert gather is not None
    assert gather.get("hints", "").startswith("Hugo, Léa, Zoé, ")
    action = call.press("9")
    assert action.says[0] == "Pour Hugo, Léa et Zoé :"
    read_back = call.keys("2", "2611")
    assert read_back.says[0] == (
        "Vous souhaitez annuler les repas d'Hugo, Léa et Zoé le jeudi 26 novembre."
    )
    done = call.press("1")
    assert done.says[0] == (
        "C'est fait : les repas d'Hugo, Léa et Zoé du jeudi 26 novembre sont annulés."
    )
    assert [booked(rt, ref, date(2026, 11, 26)) for ref in ("E1", "E2", "E3")] == [False] * 3


def test_one_child_by_key_then_another_with_4(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    action = call.press("2")
    assert action.says[0] == "Pour Léa :"
    assert "Pour choisir un autre enfant, tapez 4." in action.text
    call.keys("2", "2611", "1")
    assert booked(rt, "E2", date(2026, 11, 26)) is False
    assert booked(rt, "E1", date(2026, 11, 26)) is None
    call.press("1")
    children = call.press("4")
    assert "Pour Zoé, tapez 3." in children.text
    assert call.press("3").says[0] == "Pour Zoé :"


def test_all_children_when_one_is_already_in_the_wanted_state(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    rt.booking.cancel("210001", [date(2026, 11, 26)], Actor("family", "210001", "web"), ["E3"])
    call = caller(client, rt)
    call.start()
    read_back = call.keys("1234", "9", "2", "2611")
    assert read_back.says[0] == (
        "Le repas d'Hugo du jeudi 26 novembre a déjà été annulé aujourd'hui à 10 heures, "
        "sur internet."
    )
    assert read_back.says[1] == (
        "Vous souhaitez annuler les repas de Léa et Zoé le jeudi 26 novembre."
    )


def test_a_key_that_is_not_a_child_is_asked_again(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    again = call.press("5")
    assert again.says[0] == "Cette touche ne fait pas partie du menu."
    assert "Pour Hugo, tapez 1." in again.text


# ---------------------------------------------------------------------------------- repeat, silence
def test_star_repeats_the_question_without_counting_an_attempt(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    menu = call.press("1234")
    for _ in range(5):
        again = call.press("*")
        assert again.says == menu.says[1:]  # the question again, without "Merci."
    call.press("7")
    call.press("8")
    assert not call.ended
    bye = call.press("6")
    assert bye.hangup
    assert the_call(rt, call).outcome == "abandoned"


def test_star_repeats_the_read_back_and_the_code_question(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    assert call.press("*").says == ["Tapez votre code secret à 4 chiffres."]
    read_back = call.keys("1234", "2", "2611")
    assert call.press("*").says == read_back.says


def test_star_after_a_result_repeats_the_result_then_the_question(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    done = call.keys("1234", "2", "2611", "1")
    assert done.says[0].startswith("C'est fait")
    assert call.press("*").says == done.says
    call.press("7")  # a wrong key asks again; the result is still what "*" repeats
    assert call.press("*").says == done.says
    menu = call.press("1")  # another question: "*" repeats it alone
    assert call.press("*").says == menu.says


def test_star_after_a_refusal_repeats_the_refusal_and_the_offer(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "2411")
    assert refused.says[0] == CANCEL_TOO_LATE
    again = call.press("*")
    assert again.says == refused.says and OFFER in again.text
    assert call.say("pardon ?").says == refused.says  # said, not typed


def test_star_after_listening_repeats_the_meals(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[0].startswith("Léa : un repas est réservé chaque jour")
    assert call.press("*").says == listing.says


def test_silence_asks_again_and_three_silences_end_the_call_politely(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    first = call.silence()
    assert first.says[0] == "Je n'ai reçu aucun choix."
    assert "Pour réserver un repas, tapez 1." in first.text
    call.silence()
    bye = call.silence()
    assert bye.hangup
    assert bye.says == [
        "Je n'ai reçu aucun choix.",
        f"Vous pouvez rappeler jusqu'à 13 heures. Pour parler à quelqu'un, appelez {DESK} "
        "Vous pouvez aussi réserver ou annuler un repas sur l'espace famille du site "
        "www.dijon.fr. Merci de votre appel. Au revoir.",
    ]


def test_a_caller_without_an_account_number_hears_who_to_call(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # "Je n'ai pas le numéro de dossier" said at a question that takes keys only, then a wrong
    # number and silence: the help desk, each time, and in the goodbye.
    call = caller(client, rt, UNKNOWN)
    call.start()
    desk = f"Si vous ne connaissez pas votre numéro de dossier famille, appelez {DESK}"
    assert call.silence().says[0].endswith(desk)
    assert call.press("999#").says[0] == "Je ne trouve pas ce numéro de dossier famille."
    bye = call.silence()
    assert bye.hangup
    assert bye.says == [
        "Je n'ai reçu aucune touche : tapez les chiffres sur le clavier de votre téléphone.",
        f"Vous pouvez rappeler jusqu'à 13 heures. {desk} Vous pouvez aussi réserver ou annuler "
        "un repas sur l'espace famille du site www.dijon.fr. Merci de votre appel. Au revoir.",
    ]


def test_a_caller_without_the_code_hears_who_to_call(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)  # recognised: only the code is asked
    call.start()
    again = call.silence()
    assert again.says[0] == (
        "Je n'ai reçu aucune touche : tapez les chiffres sur le clavier de votre téléphone. "
        f"Si vous ne connaissez pas votre code secret, appelez {DESK}"
    )
    assert again.says[-1] == "Tapez votre code secret à 4 chiffres."


def test_without_a_help_desk_no_one_is_named(rt: Runtime, family: str) -> None:
    phone = dataclasses.replace(rt.settings.phone, help_desk={})
    settings = dataclasses.replace(rt.settings, phone=phone)
    rt2 = Runtime.build(settings=settings, clock=rt.clock, engine=rt.engine)
    call = caller(line_app(rt2).test_client(), rt2, UNKNOWN)
    call.start()
    assert call.silence().says[0] == (
        "Je n'ai reçu aucune touche : tapez les chiffres sur le clavier de votre téléphone."
    )
    call.silence()
    bye = call.silence()
    assert bye.says[-1] == (
        "Vous pouvez rappeler jusqu'à 13 heures. Vous pouvez aussi réserver ou annuler un repas "
        "sur l'espace famille du site www.dijon.fr. Merci de votre appel. Au revoir."
    )


def test_a_call_that_fails_after_closing_time_says_the_opening_hours(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    rt.clock.frozen = datetime(2026, 11, 23, 12, 59, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    call.press("1234")
    rt.clock.frozen = datetime(2026, 11, 23, 13, 1, tzinfo=PARIS)  # the line has closed since
    call.silence()
    call.silence()
    bye = call.silence()
    assert bye.hangup
    assert bye.says[1].startswith("Vous pouvez rappeler entre 8 heures et 13 heures. ")


def test_a_day_said_at_the_menu_of_an_only_child_asks_the_action_for_it(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    menu = call.say("c'est pour jeudi 26")
    assert menu.says == [
        "Pour le jeudi 26 novembre :",
        "Pour réserver, tapez 1. Pour annuler, tapez 2.",
        "Vous pouvez aussi dire : réserver ou annuler.",
    ]
    read_back = call.say("annuler")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    call.press("1")
    assert booked(rt, "E1", date(2026, 11, 26)) is False


def test_a_call_ends_after_too_many_answers(rt: Runtime, client: FlaskClient, family: str) -> None:
    call = caller(client, rt)
    call.start()
    for _ in range(flow_module.MAX_ANSWERS):
        call.press("*")
    bye = call.press("*")
    assert bye.hangup
    assert bye.says[0] == "Cet appel dure depuis longtemps."


# ---------------------------------------------------------------------------------- speech
def test_speech_drives_the_menus_and_the_date(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    menu = call.press("1234")
    gather = menu.gather
    assert gather is not None
    assert gather.get("input") == "dtmf speech" and gather.get("language") == "fr-FR"
    assert "annuler" in gather.get("hints", "")
    date_q = call.say("Je voudrais annuler le repas.")
    assert "Pour quel jour voulez-vous annuler ?" in date_q.text
    read_back = call.say("lundi prochain")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    done = call.say("Oui, je confirme.")
    assert done.says[0] == "C'est fait : le repas de Léa du lundi 30 novembre est annulé."
    bye = call.say("Non merci, au revoir.")
    assert bye.hangup and bye.says == ["Merci de votre appel. Au revoir."]


def test_speech_refusal_for_tomorrow_says_the_deadline(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    call.say("annuler")
    refused = call.say("demain")
    assert refused.says[0] == CANCEL_TOO_LATE


def test_saying_no_with_another_date_at_the_read_back_reads_that_date_back(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    other = call.say("Non, le 3 décembre.")
    assert other.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 3 décembre."


def test_an_action_and_its_date_said_together_are_read_back_at_once(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    read_back = call.say("Je voudrais annuler le repas de lundi prochain.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    assert audit_count(rt) == 0  # read back: nothing done yet
    done = call.say("oui")
    assert done.says[0] == "C'est fait : le repas de Léa du lundi 30 novembre est annulé."
    assert booked(rt, "E1", date(2026, 11, 30)) is False
    # After the result too: another action and its date in one phrase.
    again = call.say("Et réserver le 30 novembre.")
    assert again.says[0] == "Vous souhaitez réserver le repas de Léa le lundi 30 novembre."
    assert audit_count(rt) == 1


def test_an_action_said_with_a_date_past_its_deadline_is_refused_with_the_reason(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    refused = call.say("annuler demain")
    assert refused.says[0] == CANCEL_TOO_LATE
    assert "Pour quel jour voulez-vous annuler ?" in refused.text and OFFER in refused.text
    assert audit_count(rt) == 0


def test_the_other_action_said_at_the_date_question_is_the_one_asked_about(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")  # cancel
    question = call.say("Non, je préfère réserver.")
    assert "Pour quel jour voulez-vous réserver ?" in question.text
    call2 = caller(client, rt)
    call2.start()
    call2.keys("1234", "2", "3011", "1")  # cancel Monday 30
    assert booked(rt, "E1", date(2026, 11, 30)) is False
    call2.keys("1", "2")  # another operation: cancel, again
    read_back = call2.say("réserver lundi prochain")
    assert read_back.says[0] == "Vous souhaitez réserver le repas de Léa le lundi 30 novembre."


def test_the_other_action_said_at_the_read_back_is_never_the_one_done(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    read_back = call.keys("1234", "2", "3011")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    # "Oui, réserver" to a cancellation: not a yes to what was read back.
    answer = call.say("Oui, réserver.")
    assert "annulé" not in answer.text
    assert answer.says[0] == ALREADY_BOOKED_MONDAY
    assert booked(rt, "E1", date(2026, 11, 30)) is None and audit_count(rt) == 0
    # With another date, the booking of that date is read back in its turn.
    call.keys("1", "2", "3011", "1")  # cancel Monday 30
    read_back = call.keys("1", "2", "0112")  # cancel Tuesday 1st
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le mardi 1er décembre."
    switched = call.say("Non, je veux réserver le 30 novembre.")
    assert switched.says[0] == "Vous souhaitez réserver le repas de Léa le lundi 30 novembre."
    done = call.press("1")
    assert done.says[0] == "C'est fait : le repas de Léa du lundi 30 novembre est réservé."
    assert booked(rt, "E1", date(2026, 12, 1)) is None  # the cancellation read back: not done


def test_refused_dates_are_not_failed_attempts_the_caller_may_try_another(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    for keys in ("2411", "2811", "0212", "2512", "2411"):  # too late, Saturday, Wednesday, Noël
        refused = call.press(keys)
        assert refused.says[0].startswith(("Trop tard", "Le ")) and OFFER in refused.text
        assert not call.ended
    read_back = call.press("3011")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    # Answers not understood still count, from the last refusal on.
    call.press("2")  # another date
    call.press("2411")
    call.press("99")
    call.press("3232")
    assert call.press("0000").hangup
    assert [e.outcome for e in events(rt, call)].count("refused:past_deadline") == 3


def test_a_child_is_chosen_by_first_name_or_all_by_speech(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    assert call.say("C'est pour Zoé").says[0] == "Pour Zoé :"
    call.say("changer d'enfant")  # not understood here: asked again
    call2 = caller(client, rt)
    call2.start()
    call2.press("1234")
    assert call2.say("tous les enfants").says[0] == "Pour Hugo, Léa et Zoé :"


def test_the_child_and_what_to_do_are_understood_in_one_phrase(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    listing = call.say("écouter")  # no child named: the whole family's meals
    assert [line.split(" : ")[0] for line in listing.says if " : un repas" in line] == [
        "Hugo",
        "Léa",
        "Zoé",
    ]
    call2 = caller(client, rt)
    call2.start()
    call2.press("1234")
    question = call2.say("Je voudrais annuler pour Zoé.")
    assert "Pour quel jour voulez-vous annuler ?" in question.text
    read_back = call2.say("lundi prochain")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Zoé le lundi 30 novembre."


def test_another_child_named_at_the_action_menu_is_the_one_meant(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "1")  # Hugo
    assert call.say("Zoé").says[0] == "Pour Zoé :"
    read_back = call.say("Non, annuler pour Léa lundi prochain.")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    assert audit_count(rt) == 0
    call.press("1")
    assert booked(rt, "E2", date(2026, 11, 30)) is False
    assert booked(rt, "E1", date(2026, 11, 30)) is None  # Zoé's meal: untouched


def test_several_days_asked_at_once_are_answered_one_day_at_a_time(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    # (A span of up to 5 school days is taken day by day: see ivr_speech/test_ivr_speech_calls.py.)
    answer = call.say("Annuler toute la semaine prochaine et la suivante.")
    assert answer.says[:2] == [
        "Sur cette ligne, dites les jours un par un, jusqu'à 5 : par "
        "exemple lundi, mardi et jeudi.",
        "Pour plusieurs jours d'un coup, vous pouvez utiliser l'espace famille du site www.dijon.fr.",
    ]
    assert "Pour quel jour voulez-vous annuler ?" in answer.text
    for _ in range(4):  # understood, not possible here: not a failed attempt
        again = call.say("du 30 novembre au 11 décembre")
        assert again.says[0] == answer.says[0] and not call.ended
    read_back = call.say("lundi prochain")
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 30 novembre."
    assert audit_count(rt) == 0


def test_speech_that_is_not_understood_is_asked_again(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    again = call.say("la météo")  # ("la météo de demain": a day, kept for the action)
    assert again.says[:2] == ["Pardon, je n'ai pas compris.", "For English, press 8."]
    # The question again (the English offer, said once, is not part of it).
    assert call.say("répétez s'il vous plaît").says == again.says[2:]
    date_again = call.keys("2")
    assert "Pour quel jour" in date_again.text
    assert call.say("bof").says[0] == "Je n'ai pas compris cette date."


def test_listening_by_speech(rt: Runtime, client: FlaskClient, family: str) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    listing = call.say("écouter mes réservations")
    assert listing.says[0] == (
        "Léa : un repas est réservé chaque jour de cantine, du lundi 23 novembre au vendredi "
        "4 décembre."
    )


LEA_LISTING = (
    "Léa : un repas est réservé chaque jour de cantine, du lundi 23 novembre au vendredi 4 "
    "décembre."
)


@pytest.mark.parametrize(
    "said", ["qu'est-ce qui est réservé", "je veux écouter mes réservations", "écouter"]
)
def test_listening_asked_at_the_date_question_lists_the_meals(
    rt: Runtime, client: FlaskClient, family: str, said: str
) -> None:
    call = caller(client, rt)
    call.start()
    assert "Pour quel jour voulez-vous annuler ?" in call.keys("1234", "2").text
    listing = call.say(said)
    # It was "Je n'ai pas compris cette date." and the question again, a failed attempt:
    # listening was understood at the action menu only (key 3 there).
    assert listing.says[0] == LEA_LISTING
    assert "compris" not in listing.text
    assert listing.says[-1] == "Pour une autre opération, tapez 1. Pour terminer l'appel, tapez 2."
    assert [e.outcome for e in events(rt, call)][-1] == "listed"
    # Then as after key 3 at the action menu: 1 another operation, * the meals again.
    assert call.press("*").says[0] == LEA_LISTING
    assert "Pour annuler un repas, tapez 2." in call.press("1").text


def test_listening_for_another_child_at_the_date_question(
    rt: Runtime, client: FlaskClient, three_children: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "1", "2")  # Hugo, cancel
    listing = call.say("écouter pour Zoé")
    # It was "Pour Zoé :" and the date question: the child taken, the listening lost.
    assert listing.says[0].startswith("Zoé : un repas est réservé")
    assert not any(line.startswith("Hugo") for line in listing.says)


def test_a_booked_day_said_at_the_cancel_date_question_is_still_a_booking(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    """A guard (passes before the change too): "réservé lundi" has a day, it is no listening
    (the other action said with its day, as before)."""
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    answer = call.say("réservé lundi")
    assert answer.says[0] == "Le repas de Léa du lundi 30 novembre est déjà réservé."


def test_listening_names_the_days_a_closure_takes_away(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    _closure(rt, "anjou-elem", date(2026, 12, 3), "strike", "grève")
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert listing.says[:2] == [
        "Léa : un repas est réservé chaque jour de cantine, du lundi 23 novembre au vendredi "
        "4 décembre.",
        "L'école est fermée le jeudi 3 décembre.",
    ]


def test_a_closure_of_every_child_listed_is_said_once(rt: Runtime, client: FlaskClient) -> None:
    # Brothers and sisters at one school heard "L'école est fermée…" after each of them.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo")))
    other = "+33698765432"
    make_family(
        rt, "210002", "5678", (other,),
        (KidSpec("E3", "Zoé"), KidSpec("E4", "Paul", school="alsace-elem")),
    )
    _closure(rt, "anjou-elem", date(2026, 12, 3), "strike", "grève")
    closed = "L'école est fermée le jeudi 3 décembre."
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "9", "3").says
    shared = "Hugo et Léa : l'école est fermée le jeudi 3 décembre."  # not Léa's alone
    assert listing.count(shared) == 1 and closed not in listing
    assert listing.index(shared) > max(
        i for i, line in enumerate(listing) if line.startswith(("Hugo :", "Léa :"))
    )
    # Two schools: said after the child whose school it is.
    apart = caller(client, rt, other)
    apart.start()
    listing = apart.keys("5678", "9", "3").says
    assert listing.count(closed) == 1
    zoe = next(i for i, line in enumerate(listing) if line.startswith("Zoé"))
    assert listing.index(closed) == zoe + 1 and listing[0].startswith("Paul")


def test_english_speaking_families_hear_english_prompts_dates_and_voice(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    call = caller(client, rt)
    call.start()
    menu = call.press("1234")
    assert menu.says[:2] == [
        "Thank you.",
        "To book a meal, press 1. To cancel a meal, press 2.",
    ]
    say = menu.root.find("Gather/Say")
    assert say is not None
    assert (say.get("voice"), say.get("language")) == ("Polly.Amy-Neural", "en-GB")
    gather = menu.gather
    assert gather is not None and gather.get("input") == "dtmf"  # the parser is French only
    refused = call.keys("2", "2411")
    assert refused.says[0].startswith(
        "Too late for Tuesday 24 November: you had to cancel before Friday 20 November at 1:00"
    )
    assert refused.says[0].endswith(
        "The meal will be charged, unless an illness is reported to the school."
    )


def test_an_english_family_recognised_by_its_number_is_greeted_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    greeting = caller(client, rt).start()
    assert greeting.says[0].startswith("Hello, and welcome to Resto-Mairie")
    assert greeting.says[-1] == "Please type your four-digit secret code."
    rt.clock.frozen = datetime(2026, 11, 23, 7, 30, tzinfo=PARIS)  # before the line opens
    closed = caller(client, rt).start()
    assert closed.hangup and "The line is closed." in closed.text
    # A number two families share says nothing of either: French, and the account asked.
    make_family(rt, "210002", "5678", (PHONE,), (KidSpec("E2", "Hugo"),))
    rt.clock.frozen = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
    shared = caller(client, rt).start()
    assert shared.says[0].startswith("Bonjour et bienvenue")


def _closure(rt: Runtime, school: str, day: date, kind: str, label: str) -> None:
    with rt.sessions() as session, session.begin():
        session.add(
            Closure(
                school_id=school,
                first_day=day,
                last_day=day,
                kind=kind,
                label=label,
                created_by="staff:marie",
                created_at=rt.clock.now(),
            )
        )


def test_an_english_call_has_no_french_in_it(rt: Runtime, client: FlaskClient) -> None:
    # The web alternative, a public holiday's name and a closure (its staff label is French)
    # are all said in English; a fallback in the middle of the call apologises in English.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    _closure(rt, "anjou-elem", date(2026, 12, 3), "strike", "grève des agents")
    call = caller(client, rt)
    call.start()
    call.keys("1234", "1")
    assert call.press("2512").says[0] == (
        "On Friday 25 December, there is no school catering: it is a public holiday "
        "(Christmas Day)."
    )
    assert call.press("0312").says[0] == (
        "On Thursday 3 December, there is no school catering: the school is closed because "
        "of a strike."
    )
    assert call.press("0212").says[0] == (
        "On Wednesday 2 December, there is no school catering: the canteen is never open on "
        "Wednesdays."
    )
    ended = call.keys("-", "-", "-")
    assert "You can also book or cancel a meal on the family area of www.dijon.fr." in ended.text
    params = call.params(ErrorCode="11200", ErrorUrl=f"{PUBLIC_URL}/ivr/step?n=1")
    apology = check_twiml(
        post_signed(client, "/ivr/fallback", params).get_data(as_text=True), rt.settings
    )
    assert apology.says[0].startswith("We are sorry, a technical problem")


def test_all_children_with_one_school_closed_changes_the_others(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(
        rt,
        "210001",
        "1234",
        (PHONE,),
        (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", school="darcy-elem")),
    )
    _closure(rt, "anjou-elem", date(2026, 12, 4), "strike", "grève")
    call = caller(client, rt)
    call.start()
    read_back = call.keys("1234", "9", "2", "0412")
    assert read_back.says[:2] == [
        "Pour Léa, il n'y a pas de restauration scolaire le vendredi 4 décembre : l'école est "
        "fermée (grève).",
        "Vous souhaitez annuler le repas d'Hugo le vendredi 4 décembre.",
    ]
    done = call.press("1")
    assert done.says[0] == "C'est fait : le repas d'Hugo du vendredi 4 décembre est annulé."
    assert booked(rt, "E2", date(2026, 12, 4)) is False


def test_all_children_names_the_child_not_enrolled_that_day(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(
        rt,
        "210001",
        "1234",
        (PHONE,),
        (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", enrolled_until=date(2026, 11, 27))),
    )
    call = caller(client, rt)
    call.start()
    read_back = call.keys("1234", "9", "2", "3011")
    assert read_back.says[:2] == [
        "Hugo n'a pas d'inscription à la restauration scolaire le lundi 30 novembre.",
        "Vous souhaitez annuler le repas de Léa le lundi 30 novembre.",
    ]


def test_all_children_too_late_names_no_single_child(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo")))
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "9", "2", "2411")
    # Both meals: "les repas seront facturés"
    assert refused.says[0] == CANCEL_TOO_LATE.replace(
        "Le repas sera facturé", "Les repas seront facturés"
    )


def test_a_call_ended_at_the_read_back_says_nothing_was_changed(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    ended = call.keys("-", "-", "-")
    assert ended.hangup
    assert "Aucun changement n'a été fait." in ended.says
    assert booked(rt, "E1", date(2026, 11, 26)) is None


def test_a_call_ended_at_a_later_read_back_keeps_the_change_made_before(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611", "1", "1", "2", "2711")
    ended = call.keys("-", "-", "-")
    assert ended.hangup
    # "Aucun changement n'a été fait" unsaid Thursday's cancellation, which was made.
    assert "Aucun changement n'a été fait." not in ended.says
    assert "Rien n'a été changé pour le vendredi 27 novembre." in ended.says
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    assert booked(rt, "E1", date(2026, 11, 27)) is None


def test_asking_for_an_operator_says_the_line_is_automatic_and_asks_again(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    answer = call.say("je voudrais parler à un conseiller")
    assert answer.says[0] == "Cette ligne est automatique : personne ne peut vous répondre ici."
    assert answer.says[1] == (
        "Pour parler à quelqu'un, appelez le Centre de traitement unique de la facturation au "
        "03 80 74 51 51, du lundi au vendredi de 8 heures à 18 heures."
    )
    assert "l'espace famille du site www.dijon.fr" in answer.says[2]
    assert "Pour réserver un repas, tapez 1" in answer.text
    # Understood: not one of the three attempts.
    for _ in range(3):
        answer = call.say("un conseiller")
    assert answer.gather is not None


def test_key_0_is_the_operator_and_star_repeats_the_help_desk_number(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.press("1234")
    answer = call.press("0")  # the operator's key on many lines: it was "not in the menu"
    assert answer.says[0] == "Cette ligne est automatique : personne ne peut vous répondre ici."
    again = call.press("*")  # the number again (it was the menu alone)
    assert again.says[:2] == answer.says[:2]
    assert "03 80 74 51 51" in again.says[1]


# ---------------------------------------------------------------------------------- webhooks
def test_a_duplicated_webhook_gets_the_same_twiml_and_changes_nothing_twice(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    first_voice = post_signed(client, "/ivr/voice", call.params())
    second_voice = post_signed(client, "/ivr/voice", call.params())
    assert first_voice.get_data() == second_voice.get_data()
    call.url = "/ivr/step?n=1"
    call.keys("1234", "2", "2611")
    confirm_url = call.url
    assert confirm_url is not None
    done = post_signed(client, confirm_url, call.params(Digits="1"))
    again = post_signed(client, confirm_url, call.params(Digits="1"))
    assert done.status_code == again.status_code == 200
    assert done.get_data() == again.get_data()
    assert "C'est fait" in done.get_data(as_text=True)
    assert audit_count(rt) == 1
    with rt.sessions() as session:
        calls = session.scalar(select(func.count()).select_from(Call))
    assert calls == 1
    keys = [e.request_key for e in events(rt, call)]
    assert len(keys) == len(set(keys))


def test_a_duplicate_waits_for_the_first_answer_without_holding_a_connection(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie.db import async_commit_engine

    pool = async_commit_engine(rt.engine).pool  # the call state's (the engine's on SQLite)
    held: list[int] = []
    real = PhoneLine._replay

    def replay(self: PhoneLine, call_sid: str, key: str) -> str:
        held.append(pool.checkedout())  # type: ignore[attr-defined]
        return real(self, call_sid, key)

    monkeypatch.setattr(PhoneLine, "_replay", replay)
    call = caller(client, rt)
    first = post_signed(client, "/ivr/voice", call.params())
    again = post_signed(client, "/ivr/voice", call.params())
    assert first.get_data() == again.get_data()
    assert held == [0]


def test_a_stale_step_asks_the_current_question_again(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    stale = post_signed(client, "/ivr/step?n=99", call.params(Digits="1"))
    twiml = check_twiml(stale.get_data(as_text=True), rt.settings)
    assert "Pour quel jour voulez-vous annuler ?" in twiml.text
    assert audit_count(rt) == 0


def test_a_stale_step_leaves_the_real_answer_to_the_current_question_to_be_taken(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    """An out-of-date n (an old action URL, a validly signed replay) must not make the answer
    the caller gives next, to the question they heard, count as stale in its turn."""
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2")
    current = call.url
    assert current is not None and current.startswith("/ivr/step?n=")
    stale = post_signed(client, "/ivr/step?n=99", call.params(Digits="1"))
    repeated = check_twiml(stale.get_data(as_text=True), rt.settings)
    assert "Pour quel jour voulez-vous annuler ?" in repeated.text
    assert repeated.gather is not None
    assert "/ivr/" + repeated.gather.get("action", "") == current  # the same question's n
    read_back = call.press("2611")  # the caller answers the question they heard
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."
    assert call.press("1").says[0].startswith("C'est fait")
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    logged = [(e.request_key, e.outcome, e.heard) for e in events(rt, call)]
    assert ("step:99", "stale", None) in logged


def test_a_stale_step_changes_nothing_in_the_call(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    """The call's state is not saved from a stale step: it could overwrite the real answer's,
    saved meanwhile. Here: after a refusal, the question still says how to end the call."""
    call = caller(client, rt)
    call.start()
    refused = call.keys("1234", "2", "2411")
    before = the_call(rt, call)
    stale = post_signed(client, "/ivr/step?n=0", call.params(Digits="2711"))
    again = check_twiml(stale.get_data(as_text=True), rt.settings)
    after = the_call(rt, call)
    assert (after.step, after.attempts, after.state) == (before.step, before.attempts, before.state)
    assert refused.says[-1] in again.text  # the question as asked, its way out included
    assert call.press("2711").says[0] == (
        "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre."
    )


@pytest.mark.parametrize(
    "tamper",
    ["missing", "wrong token", "other url", "changed digits", "http instead of https"],
)
def test_a_missing_or_wrong_signature_is_refused_with_403_and_nothing_is_done(
    rt: Runtime, client: FlaskClient, family: str, tamper: str
) -> None:
    params = Caller(client, rt.settings).params()
    headers = {}
    if tamper == "wrong token":
        headers["X-Twilio-Signature"] = sign(PUBLIC_URL + "/ivr/voice", params, "other-token")
    elif tamper == "other url":
        headers["X-Twilio-Signature"] = sign(PUBLIC_URL + "/ivr/status", params)
    elif tamper == "changed digits":
        headers["X-Twilio-Signature"] = sign(PUBLIC_URL + "/ivr/voice", {**params, "Digits": "1"})
    elif tamper == "http instead of https":
        headers["X-Twilio-Signature"] = sign("http://resto.example.fr/ivr/voice", params)
    response = client.post("/ivr/voice", data=params, headers=headers)
    assert response.status_code == 403
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 0


def test_signatures_are_checked_on_every_webhook(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    params = Caller(client, rt.settings).params()
    for path in ("/ivr/step?n=1", "/ivr/status", "/ivr/fallback"):
        assert client.post(path, data=params).status_code == 403


@pytest.mark.parametrize(
    ("reason", "logged"),
    [
        ("no header", "no X-Twilio-Signature header"),
        ("wrong signature", "signature does not match"),
        ("no auth token", "no auth token configured (TWILIO_AUTH_TOKEN)"),
    ],
)
def test_a_refused_webhook_logs_why_the_call_the_address_and_the_url_checked(
    rt: Runtime, family: str, caplog: pytest.LogCaptureFixture, reason: str, logged: str
) -> None:
    """IT must be able to tell a forged request from a misconfigured line, from the log alone —
    which never holds the form's values (a code), the token or the signature."""
    app = line_app(rt, IVR_AUTH_TOKEN=None) if reason == "no auth token" else line_app(rt)
    client = app.test_client()
    params = Caller(client, rt.settings).params(Digits="9876")
    signature = sign(PUBLIC_URL + "/ivr/step?n=3", params, "other-token")
    headers = {} if reason == "no header" else {"X-Twilio-Signature": signature}
    caplog.set_level(logging.INFO, logger="restomairie.ivr")
    remote = {"REMOTE_ADDR": "198.51.100.7"}
    response = client.post("/ivr/step?n=3", data=params, headers=headers, environ_base=remote)
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if "refused POST" in r.getMessage()]
    line = record.getMessage()
    assert record.levelno == logging.WARNING
    assert logged in line
    assert params["CallSid"] in line and "198.51.100.7" in line
    assert "checked against https://resto.example.fr/ivr/step" in line
    assert "?n=" not in line  # the URL without its query
    assert ("RESTOMAIRIE_PUBLIC_URL" in line) == (reason == "wrong signature")
    for secret in ("9876", TOKEN, signature, params["From"]):
        assert secret not in caplog.text


def test_a_wrong_signature_without_a_public_url_says_the_url_as_received_was_checked(
    rt: Runtime, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = line_app(rt, IVR_PUBLIC_URL=None).test_client()
    params = Caller(client, rt.settings).params()
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/ivr/voice", params)}
    response = client.post(
        "/ivr/voice", base_url="http://10.0.0.7:8080", data=params, headers=headers
    )
    assert response.status_code == 403
    assert "checked against http://10.0.0.7:8080/ivr/voice" in caplog.text
    assert "RESTOMAIRIE_PUBLIC_URL is not set" in caplog.text


APOLOGY = (
    "Nous sommes désolés, un problème technique empêche de traiter votre appel. Merci de "
    "rappeler un peu plus tard. Au revoir."
)


@pytest.mark.parametrize(
    ("path", "setting"),
    [
        ("/ivr/voice", "'A call comes in'"),
        ("/ivr/step?n=2", "'A call comes in'"),
        ("/ivr/fallback", "'Primary handler fails'"),
    ],
)
def test_a_signed_get_is_never_a_step_the_caller_hears_an_apology_and_it_is_told_to_post(
    rt: Runtime,
    client: FlaskClient,
    family: str,
    caplog: pytest.LogCaptureFixture,
    path: str,
    setting: str,
) -> None:
    """A number configured with "HTTP GET": the caller hears the French apology, not Twilio's
    English error; the keys in the URL are never processed nor logged; IT reads what to fix."""
    call = caller(client, rt)
    call.start()
    assert call.url == "/ivr/step?n=1"
    response = get_signed(client, path, call.params(Digits="1234"))
    assert response.status_code == 200 and response.mimetype == "text/xml"
    answer = check_twiml(response.get_data(as_text=True), rt.settings)
    assert answer.says == [APOLOGY] and answer.hangup
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, errors
    assert "HTTP GET" in errors[0] and "HTTP POST" in errors[0] and "Twilio console" in errors[0]
    assert setting in errors[0] and call.call_sid in errors[0]
    assert "1234" not in caplog.text and "Digits" not in caplog.text
    # Nothing done: the code question is still the one asked, and the right code still works.
    assert [e.request_key for e in events(rt, call)] == ["voice"]
    assert call.press("1234").gather is not None
    assert the_call(rt, call).family_id is not None
    assert [e.request_key for e in events(rt, call)] == ["voice", "step:1"]


def test_a_signed_get_on_the_status_callback_records_nothing_and_says_so(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    call = caller(client, rt)
    call.start()
    response = get_signed(
        client, "/ivr/status", call.params(CallStatus="completed", CallDuration="42")
    )
    assert response.status_code == 200
    assert "<Say" not in response.get_data(as_text=True)  # no one listens to a status answer
    logged = the_call(rt, call)
    assert (logged.status, logged.duration, logged.ended_at) == (None, None, None)
    (error,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "'Call status changes'" in error and "HTTP POST" in error
    assert "the end of the call was not recorded" in error


@pytest.mark.parametrize("forgery", ["unsigned", "wrong token", "signed as a post"])
def test_an_unsigned_or_forged_get_is_refused_with_403(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture, forgery: str
) -> None:
    params = Caller(client, rt.settings).params(Digits="1234")
    if forgery == "unsigned":
        response = get_signed(client, "/ivr/voice", params, token=None)
    elif forgery == "wrong token":
        response = get_signed(client, "/ivr/voice", params, token="other-token")
    else:  # the signature of a POST of these values, on a GET carrying them in its body
        headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/ivr/voice", params)}
        response = client.get("/ivr/voice", data=params, headers=headers)
    assert response.status_code == 403
    assert "Twilio called" not in caplog.text
    assert "1234" not in caplog.text
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 0


def test_a_webhook_body_too_large_is_refused_before_being_read(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Twilio's webhooks are a few hundred bytes: over 1 MB is refused (413) up front, signed or
    # not (the whole application accepts 20 MB, for the staff's CSV imports).
    big = b"CallSid=CA1&From=%2B33612345678&SpeechResult=" + b"x" * (2 * 1024 * 1024)
    form = "application/x-www-form-urlencoded"
    for headers in ({}, {"X-Twilio-Signature": "forged"}):
        response = client.post("/ivr/voice", data=big, content_type=form, headers=headers)
        assert response.status_code == 413
    assert "Traceback" not in caplog.text and "signature check failed" not in caplog.text
    # A webhook of ordinary size still goes through.
    assert Caller(client, rt.settings).start().gather is not None


def test_the_signed_url_is_the_public_url_whatever_the_proxy_sends_us(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    params = Caller(client, rt.settings).params()
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/ivr/voice", params)}
    response = client.post(
        "/ivr/voice", base_url="http://10.0.0.7:8080", data=params, headers=headers
    )
    assert response.status_code == 200


def test_without_a_public_url_the_url_as_received_is_checked(rt: Runtime, family: str) -> None:
    client = line_app(rt, IVR_PUBLIC_URL=None).test_client()
    params = Caller(client, rt.settings).params()
    good = {"X-Twilio-Signature": sign("http://localhost/ivr/voice", params, TOKEN)}
    assert client.post("/ivr/voice", data=params, headers=good).status_code == 200
    bad = {"X-Twilio-Signature": sign(PUBLIC_URL + "/ivr/voice", params, TOKEN)}
    assert client.post("/ivr/voice", data=params, headers=bad).status_code == 403


def test_without_an_auth_token_only_this_process_can_drive_the_line(
    rt: Runtime, family: str
) -> None:
    app = line_app(rt, IVR_AUTH_TOKEN=None)
    client = app.test_client()
    params = Caller(client, rt.settings).params()
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/ivr/voice", params)}
    assert client.post("/ivr/voice", data=params, headers=headers).status_code == 403
    assert client.post("/ivr/voice", data=params).status_code == 403
    security = app.extensions["restomairie.ivr"][1]
    assert security.ephemeral and security.auth_token  # a random token, never "no check"
    own = {"X-Twilio-Signature": security.sign(PUBLIC_URL + "/ivr/voice", params)}
    assert client.post("/ivr/voice", data=params, headers=own).status_code == 200


def test_the_development_switch_accepts_unsigned_requests_and_says_so_loudly(
    rt: Runtime, family: str, capsys: pytest.CaptureFixture[str]
) -> None:
    client = line_app(rt, IVR_SKIP_SIGNATURE=True).test_client()
    assert "SIGNATURES DE TWILIO NON VÉRIFIÉES" in capsys.readouterr().err
    params = Caller(client, rt.settings).params()
    assert client.post("/ivr/voice", data=params).status_code == 200


def test_the_development_switch_is_off_unless_explicitly_set(
    rt: Runtime, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESTOMAIRIE_IVR_SKIP_SIGNATURE", "0")
    client = line_app(rt).test_client()
    assert client.post("/ivr/voice", data=Caller(client, rt.settings).params()).status_code == 403
    monkeypatch.setenv("RESTOMAIRIE_IVR_SKIP_SIGNATURE", "1")
    client = line_app(rt).test_client()
    assert client.post("/ivr/voice", data=Caller(client, rt.settings).params()).status_code == 200


def test_a_change_ready_after_twilio_gave_up_is_rolled_back(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    # As if the database had kept the webhook waiting past Twilio's 15 s: the caller has
    # heard the fallback's apology, so the change must not be made.
    monkeypatch.setattr(service_module, "WEBHOOK_BUDGET", -1.0)
    late = call.press("1")
    assert late.hangup
    # Rolled back: the caller is told that nothing was changed (not only "a problem").
    assert late.says == [
        "Nous sommes désolés, un problème technique empêche de traiter votre appel. Votre "
        "demande n'a pas été enregistrée : rien n'a été changé. Merci de rappeler un peu plus "
        "tard. Au revoir."
    ]
    assert booked(rt, "E1", date(2026, 11, 26)) is None
    assert the_call(rt, call).outcome == "error"
    # The log keeps the "1" heard at the read-back, and that it was not done.
    confirm = events(rt, call)[-1]
    assert (confirm.step, confirm.input_kind, confirm.heard, confirm.outcome) == (
        "confirm", "dtmf", "1", "too_slow"
    )
    # Outside a webhook (staff, imports) there is no such limit.
    rt.booking.cancel("210001", [date(2026, 11, 26)], Actor("staff", "agent", "staff"))
    assert booked(rt, "E1", date(2026, 11, 26)) is False


def test_a_change_rolled_back_after_an_earlier_one_was_made_does_not_unsay_it(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611", "1")  # Thursday cancelled
    call.keys("1", "2", "2711")  # another operation: Friday, read back
    monkeypatch.setattr(service_module, "WEBHOOK_BUDGET", -1.0)
    late = call.press("1")
    assert late.hangup
    assert late.says == [
        "Nous sommes désolés, un problème technique empêche de traiter votre appel. Cette "
        "dernière demande n'a pas été enregistrée ; les changements faits plus tôt dans "
        "l'appel restent faits. Merci de rappeler un peu plus tard. Au revoir."
    ]
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    assert booked(rt, "E1", date(2026, 11, 27)) is None


def test_an_error_at_a_code_keeps_no_code_in_the_log(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = caller(client, rt)
    call.start()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(flow_module.CallFlow, "answer", broken)
    assert call.press("1234").says[0].endswith("Merci de rappeler un peu plus tard. Au revoir.")
    failed = events(rt, call)[-1]
    assert (failed.step, failed.input_kind, failed.heard, failed.outcome) == (
        "pin", "dtmf", "[code]", "error"
    )


def test_an_unexpected_error_answers_an_apology_never_a_500(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = caller(client, rt)
    call.start()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(flow_module.CallFlow, "answer", broken)
    url = call.url
    assert url is not None
    response = post_signed(client, url, call.params(Digits="1234"))
    assert response.status_code == 200
    twiml = check_twiml(response.get_data(as_text=True), rt.settings)
    assert twiml.says == [
        "Nous sommes désolés, un problème technique empêche de traiter votre appel. "
        "Merci de rappeler un peu plus tard. Au revoir."
    ]
    assert twiml.hangup
    again = post_signed(client, url, call.params(Digits="1234"))
    assert again.get_data() == response.get_data()  # a retry gets the same apology
    logged = the_call(rt, call)
    assert logged.outcome == "error"
    assert events(rt, call)[-1].outcome == "error"


def test_an_unexpected_error_at_a_read_back_says_whether_the_change_was_made(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent who pressed 1 and hears the apology is told, by the audit log, whether the
    cancellation was made: it was the plain apology, and they could not know."""
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    apply = flow_module.CallFlow._apply
    monkeypatch.setattr(flow_module.CallFlow, "_apply", broken)
    failed = call.press("1")
    assert failed.hangup
    assert "Votre demande n'a pas été enregistrée : rien n'a été changé." in failed.text
    assert booked(rt, "E1", date(2026, 11, 26)) is None

    # The change made, then the error (saving the call): it is said done.
    monkeypatch.setattr(flow_module.CallFlow, "_apply", apply)
    again = caller(client, rt, PHONE)
    again.start()
    again.keys("1234", "2", "2611")
    monkeypatch.setattr(PhoneLine, "_save", broken)
    done = again.press("1")
    assert done.hangup and "problème technique" in done.text
    assert "C'est fait : le repas de Léa du jeudi 26 novembre est annulé." in done.text
    assert booked(rt, "E1", date(2026, 11, 26)) is False


def test_a_connection_the_server_drops_during_the_booking_loses_nothing_half_written(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the booking runs on the webhook's own connection: when the server drops it
    right then, the caller hears the apology, nothing is booked, and the line goes on."""
    from sqlalchemy import text

    from restomairie import db
    from restomairie.booking.services import BookingService

    if rt.engine.dialect.name != "postgresql":
        pytest.skip("the connection lent to a webhook: PostgreSQL only")
    change = BookingService.change

    def dropped_first(self: BookingService, *args: object, **kwargs: object) -> object:
        with db.autocommit_connection(rt.engine) as lent:  # the webhook's lent connection
            pid = lent.cursor().execute("SELECT pg_backend_pid()").fetchone()[0]
        with rt.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        return change(self, *args, **kwargs)  # type: ignore[arg-type]

    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    monkeypatch.setattr(BookingService, "change", dropped_first)
    apology = call.press("1")
    assert apology.hangup and "problème technique" in apology.text
    assert booked(rt, "E1", date(2026, 11, 26)) is None and audit_count(rt) == 0
    assert the_call(rt, call).outcome == "error"

    monkeypatch.setattr(BookingService, "change", change)
    again = caller(client, rt, PHONE)
    again.start()
    done = again.keys("1234", "2", "2611", "1")
    assert done.says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    assert booked(rt, "E1", date(2026, 11, 26)) is False and audit_count(rt) == 1


def test_an_error_outside_the_call_flow_is_an_apology_too(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no database")

    monkeypatch.setattr(PhoneLine, "incoming", broken)
    response = post_signed(client, "/ivr/voice", Caller(client, rt.settings).params())
    assert response.status_code == 200
    assert check_twiml(response.get_data(as_text=True), rt.settings).hangup


def test_a_step_for_an_unknown_call_gets_the_apology(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    response = post_signed(client, "/ivr/step?n=1", Caller(client, rt.settings).params())
    twiml = check_twiml(response.get_data(as_text=True), rt.settings)
    assert twiml.hangup and "problème technique" in twiml.text


def test_the_fallback_url_apologises_and_logs_twilio_error(
    rt: Runtime, client: FlaskClient, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    call = caller(client, rt)
    call.start()
    params = call.params(ErrorCode="11200", ErrorUrl=f"{PUBLIC_URL}/ivr/step?n=1")
    response = post_signed(client, "/ivr/fallback", params)
    assert response.status_code == 200
    assert check_twiml(response.get_data(as_text=True), rt.settings).hangup
    assert "ErrorCode=11200" in caplog.text
    assert the_call(rt, call).outcome == "error"
    fallback = events(rt, call)[-1]
    assert fallback.step == "fallback" and fallback.outcome == "error:11200"
    assert fallback.heard == f"{PUBLIC_URL}/ivr/step?n=1"


def test_a_fallback_after_a_change_was_made_says_it_was_made(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The change is committed, then the step's save waits (SQLite's write lock) past Twilio's
    # 15 s: Twilio plays the fallback's answer, not ours. It must not let the parent believe
    # the cancellation failed, and the late save must not take back the fallback's end.
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    heard: list[str] = []
    save = PhoneLine._save

    def late_save(self: PhoneLine, *args: Any) -> None:
        params = call.params(ErrorCode="11205", ErrorUrl=f"{PUBLIC_URL}/ivr/step?n=4")
        response = post_signed(client, "/ivr/fallback", params)
        heard.extend(check_twiml(response.get_data(as_text=True), rt.settings).says)
        save(self, *args)

    monkeypatch.setattr(PhoneLine, "_save", late_save)
    call.press("1")  # never played: Twilio has hung up on the fallback's answer
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    assert heard == [
        "Nous sommes désolés, un problème technique empêche de traiter votre appel. Avant cet "
        "incident, votre demande a bien été enregistrée. C'est fait : le repas de Léa du jeudi "
        "26 novembre est annulé. Merci de rappeler un peu plus tard. Au revoir."
    ]
    ended = the_call(rt, call)
    assert ended.step == "end"  # the late save kept the fallback's end of the call
    assert ended.outcome == "cancelled"
    # Cancelled, then booked back in the same call: nothing left to say but the apology.
    monkeypatch.setattr(PhoneLine, "_save", save)
    again = caller(client, rt)
    again.start()
    again.keys("1234", "2", "2711", "1", "1", "1", "2711", "1")
    fallback = post_signed(client, "/ivr/fallback", again.params(ErrorCode="11205"))
    assert check_twiml(fallback.get_data(as_text=True), rt.settings).says == [
        "Nous sommes désolés, un problème technique empêche de traiter votre appel. Merci de "
        "rappeler un peu plus tard. Au revoir."
    ]


def test_a_fallback_whose_changes_cannot_be_read_still_apologises(
    rt: Runtime, client: FlaskClient, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611", "1")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(PhoneLine, "_changes_of", broken)
    fallback = post_signed(client, "/ivr/fallback", call.params(ErrorCode="11205"))
    assert check_twiml(fallback.get_data(as_text=True), rt.settings).says == [
        "Nous sommes désolés, un problème technique empêche de traiter votre appel. Merci de "
        "rappeler un peu plus tard. Au revoir."
    ]


def test_the_status_callback_records_the_duration_and_abandoned_calls(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    response = call.hang_up(duration=37)
    assert response.status_code == 200
    check_twiml_empty = response.get_data(as_text=True)
    assert "<Response" in check_twiml_empty
    logged = the_call(rt, call)
    assert (logged.status, logged.duration, logged.outcome) == ("completed", 37, "abandoned")
    assert logged.ended_at is not None
    assert call.hang_up(duration=37).status_code == 200  # delivered twice: harmless


def test_a_confirmation_that_arrives_after_the_status_callback_is_still_done(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    # "1" pressed, then the phone hung up at once: Twilio's two requests may come in either
    # order. The key was pressed during the call; it was answered "au revoir" and nothing done.
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    call.hang_up(duration=30)
    assert the_call(rt, call).outcome == "abandoned"
    answer = call.press("1")
    assert answer.says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    assert booked(rt, "E1", date(2026, 11, 26)) is False
    logged = the_call(rt, call)
    assert (logged.status, logged.duration, logged.outcome) == ("completed", 30, "cancelled")
    # The call log: the end of the call asks nothing; the change is there.
    detail = StaffService(rt.booking).call_detail(call.call_sid)
    assert detail is not None
    assert [(x.step, x.asks, x.after_end) for x in detail.exchanges][-3:] == [
        ("date", "confirm", False), ("status", None, False), ("confirm", "after", True)
    ]
    assert [(c.day, c.after) for c in detail.changes] == [(date(2026, 11, 26), "not_booked")]


@pytest.mark.parametrize("status", ["ringing", "initiated", "in-progress"])
def test_a_status_callback_before_the_voice_webhook_does_not_end_the_call(
    rt: Runtime, client: FlaskClient, family: str, status: str
) -> None:
    # Status events subscribed, or the first webhooks reordered by the network: the call was
    # created ended, and the parent heard "Au revoir" after the right code.
    call = caller(client, rt)
    post_signed(client, "/ivr/status", call.params(CallStatus=status))
    assert "code" in call.start().text
    answer = call.press("1234")
    assert not answer.hangup and answer.says[0] == "Merci."
    call.keys("2", "2611")
    assert call.press("1").says[0] == "C'est fait : le repas de Léa du jeudi 26 novembre est annulé."
    call.hang_up(duration=30)
    logged = the_call(rt, call)
    assert (logged.status, logged.duration, logged.outcome) == ("completed", 30, "cancelled")


@pytest.mark.parametrize("duration", ["9" * 40, "²", "-5"])
def test_a_status_callback_with_an_absurd_duration_still_records_the_end(
    rt: Runtime, client: FlaskClient, family: str, duration: str
) -> None:
    call = caller(client, rt)
    call.start()
    response = post_signed(
        client, "/ivr/status", call.params(CallStatus="completed", CallDuration=duration)
    )
    assert response.status_code == 200 and "<Say" not in response.get_data(as_text=True)
    logged = the_call(rt, call)
    assert (logged.status, logged.duration) == ("completed", None)


def test_the_call_log_records_each_step_and_masks_numbers_for_display(
    rt: Runtime, client: FlaskClient, family: str
) -> None:
    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2411", "2611", "1", "2")
    call.hang_up(duration=95)
    steps = [(e.step, e.input_kind, e.heard, e.outcome) for e in events(rt, call)]
    assert steps == [
        ("greeting", None, None, "caller_id"),
        ("pin", "dtmf", "[code]", "right_code"),
        ("action", "dtmf", "2", "cancel"),
        ("date", "dtmf", "2411", "refused:past_deadline"),
        ("date", "dtmf", "2611", "read_back:2026-11-26"),
        ("confirm", "dtmf", "1", "cancelled"),
        ("after", "dtmf", "2", "goodbye"),
        ("status", None, None, "completed"),
    ]
    logged = the_call(rt, call)
    assert (logged.outcome, logged.duration, logged.step) == ("cancelled", 95, "end")
    assert mask_phone(logged.from_number) == "+33 6 •• •• •• 78"
    with rt.sessions() as session:
        family_id = session.scalar(select(Family.id).where(Family.account == "210001"))
    assert logged.family_id == family_id


# ---------------------------------------------------------------------------------- SMS receipts
def _with_receipts(rt: Runtime) -> Runtime:
    phone = dataclasses.replace(rt.settings.phone, sms_receipts=True)
    settings = dataclasses.replace(rt.settings, phone=phone)
    return Runtime.build(settings=settings, clock=rt.clock, engine=rt.engine)


def test_an_sms_receipt_is_sent_in_the_background_after_a_change(rt: Runtime, family: str) -> None:
    sent: list[Receipt] = []
    outbox = ReceiptOutbox(sent.append)
    rt2 = _with_receipts(rt)
    client = line_app(rt2, IVR_SMS_OUTBOX=outbox).test_client()
    call = Caller(client, rt2.settings, PHONE)
    call.start()
    call.keys("1234", "2", "2611", "1")
    outbox.join()
    assert sent == [Receipt(PHONE, "Resto-Mairie : repas annulé pour Léa le jeudi 26 novembre.")]
    outbox.close()


def test_a_failing_sms_receipt_never_affects_the_call(
    rt: Runtime, family: str, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(receipt: Receipt) -> None:
        raise ConnectionError("Twilio unreachable")

    outbox = ReceiptOutbox(broken)
    rt2 = _with_receipts(rt)
    client = line_app(rt2, IVR_SMS_OUTBOX=outbox).test_client()
    call = Caller(client, rt2.settings, PHONE)
    call.start()
    done = call.keys("1234", "2", "2611", "1")
    assert done.says[0].startswith("C'est fait")
    outbox.join()
    assert outbox.failed == 1
    assert "SMS receipt to +33 6 •• •• •• 78 failed" in caplog.text
    outbox.close()


def test_receipts_are_off_by_default(rt: Runtime, family: str) -> None:
    assert rt.settings.phone.sms_receipts is False
    app = line_app(rt)
    line, _ = app.extensions["restomairie.ivr"]
    assert line.outbox is None


def test_the_same_webhook_delivered_twice_at_once_is_done_once(
    rt: Runtime, app: Flask, client: FlaskClient, family: str
) -> None:
    import threading

    call = caller(client, rt)
    call.start()
    call.keys("1234", "2", "2611")
    url = call.url
    assert url is not None
    bodies: list[bytes] = []
    barrier = threading.Barrier(3)

    def deliver() -> None:
        own = app.test_client()
        barrier.wait()
        response = post_signed(own, url, call.params(Digits="1"))
        assert response.status_code == 200
        bodies.append(response.get_data())

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(bodies) == 3 and len(set(bodies)) == 1
    assert b"C'est fait" in bodies[0]
    assert audit_count(rt) == 1


def test_a_date_said_at_the_end_of_an_operation_starts_the_same_operation_for_that_day(
    rt: Runtime, client: FlaskClient
) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0),))
    call = caller(client, rt)
    call.start()
    done = call.keys("1234", "1", "2611", "1")
    assert done.says[0].startswith("C'est fait")
    read_back = call.say("et le 1er décembre ?")
    assert read_back.says[0] == "Vous souhaitez réserver le repas de Léa le mardi 1er décembre."


def test_call_state_commits_asynchronously_on_postgresql_but_bookings_do_not(rt: Runtime) -> None:
    """The per-call state may lose its last fraction of a second in a server crash; a booking
    never: they run on different pools with different commit settings."""
    from sqlalchemy import text

    line = PhoneLine.from_runtime(rt)
    with line.store.autocommit.connect() as conn:
        calls = (
            conn.execute(text("SHOW synchronous_commit")).scalar() if line.store.postgres else None
        )
    with rt.engine.connect() as conn:
        bookings = (
            conn.execute(text("SHOW synchronous_commit")).scalar() if line.store.postgres else None
        )
    if rt.engine.dialect.name == "postgresql":
        assert (calls, bookings) == ("off", "on")
        assert line.store.autocommit is not rt.engine
    else:
        assert line.store.autocommit is rt.engine  # SQLite: short BEGIN IMMEDIATE transactions


def test_a_status_callback_delivered_twice_is_recorded_once(
    rt: Runtime, client: FlaskClient
) -> None:
    call = caller(client, rt)
    call.start()
    for _ in range(2):
        assert call.hang_up(duration=42).status_code == 200
    found = the_call(rt, call)
    assert (found.status, found.duration, found.outcome, found.step) == (
        "completed",
        42,
        "abandoned",
        "account",  # the question asked stays: a key pressed before the hang-up may come
    )
    assert [e.request_key for e in found.events].count("status:completed") == 1
    # A non-final status arriving after the end does not take it back.
    post_signed(client, "/ivr/status", call.params(CallStatus="in-progress"))
    assert the_call(rt, call).status == "completed"


def test_a_later_final_status_keeps_the_first_and_is_logged(
    rt: Runtime, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Twilio sends one final status; a retry carries the same values. A later one with other
    values does not rewrite how the call ended: the first is kept and the difference logged."""
    call = caller(client, rt)
    call.start()
    assert call.hang_up(duration=42).status_code == 200
    assert call.hang_up(duration=42).status_code == 200  # a retry: nothing to say
    assert "the first is kept" not in caplog.text
    assert call.hang_up(duration=99).status_code == 200
    failed = post_signed(
        client, "/ivr/status", call.params(CallStatus="failed", CallDuration="0")
    )
    assert failed.status_code == 200
    found = the_call(rt, call)
    assert (found.status, found.duration, found.outcome) == ("completed", 42, "abandoned")
    warnings = [r.getMessage() for r in caplog.records if "the first is kept" in r.getMessage()]
    assert len(warnings) == 2, warnings
    assert "completed (99 s)" in warnings[0] and "completed (42 s)" in warnings[0]
    assert "failed (0 s)" in warnings[1]
    # The call log keeps what Twilio said each time.
    assert [e.request_key for e in found.events if e.step == "status"] == [
        "status:completed", "status:failed"
    ]


def test_guard_a_final_status_without_a_duration_still_gets_it_from_a_retry(
    rt: Runtime, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Guard of kept behaviour: keeping the first final status does not keep a duration Twilio
    sent unreadable; the retry's fills it in, without a warning."""
    call = caller(client, rt)
    call.start()
    post_signed(client, "/ivr/status", call.params(CallStatus="completed", CallDuration="x"))
    assert call.hang_up(duration=42).status_code == 200
    found = the_call(rt, call)
    assert (found.status, found.duration) == ("completed", 42)
    assert "the first is kept" not in caplog.text


def test_a_free_day_after_the_holidays_is_offered_not_said_booked(
    rt: Runtime, client: FlaskClient
) -> None:
    # 10 December: Léa eats every day but Tuesday 5 January, three weeks and a Christmas break
    # away. The line said she had a meal booked every day "dans les prochaines semaines".
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    rt.clock.frozen = datetime(2026, 12, 10, 9, 30, tzinfo=PARIS)
    rt.booking.cancel("210001", [date(2027, 1, 5)], Actor("staff", "marie", "staff"))
    call = caller(client, rt)
    call.start()
    question = call.keys("1234", "1")
    assert (
        "Le premier jour où vous pouvez encore réserver un repas est le mardi 5 janvier : pour ce "
        "jour, tapez 0, 5, 0, 1." in question.says
    )
    # A brother who starts in January, with nothing booked yet, is offered his first day.
    make_family(
        rt, "210002", "5678", ("+33698765432",),
        (KidSpec("E2", "Zoé"), KidSpec("E3", "Tom", weekdays=0, enrolled_from=date(2027, 1, 4))),
    )
    both = caller(client, rt, "+33698765432")
    both.start()
    assert "est le lundi 4 janvier" in both.keys("5678", "9", "1").text


def test_the_first_day_offered_is_one_the_child_is_still_enrolled_for(
    rt: Runtime, client: FlaskClient
) -> None:
    # Léa's enrolment ends on Friday 27 November; her brother's goes on.
    make_family(
        rt,
        "210001",
        "1234",
        (PHONE,),
        (KidSpec("E1", "Léa", enrolled_until=date(2026, 11, 27)), KidSpec("E2", "Hugo")),
    )
    rt.clock.frozen = datetime(2026, 11, 27, 9, 30, tzinfo=PARIS)
    call = caller(client, rt)
    call.start()
    alone = call.keys("1234", "2", "1")  # Léa: no day she can still change
    assert "Pour quel jour voulez-vous réserver ?" in alone.text
    assert "Le premier" not in alone.text
    call = caller(client, rt)
    call.start()
    both = call.keys("1234", "9", "2")  # the day Hugo can change
    assert f"{CANCEL_OFFER}mardi 1er décembre" in both.text
    call = caller(client, rt)
    call.start()
    booking = call.keys("1234", "9", "1")  # Hugo has every day: said of him alone
    assert (
        "Hugo a déjà un repas réservé chaque jour de cantine, au moins jusqu'au mardi 30 mars."
        in booking.says
    )


def test_the_day_offered_is_one_the_action_changes(rt: Runtime, client: FlaskClient) -> None:
    # Léa eats on Tuesdays and Fridays: Thursday 26, the first open day, was offered for a
    # cancellation, then "rien à annuler".
    tue_fri = 0b0010010
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=tue_fri),))
    call = caller(client, rt)
    call.start()
    cancel = call.keys("1234", "2")
    assert f"{CANCEL_OFFER}vendredi 27 novembre : pour ce jour, tapez 2, 7, 1, 1." in cancel.says
    read_back = call.say("oui")  # the day offered
    assert read_back.says[0] == "Vous souhaitez annuler le repas de Léa le vendredi 27 novembre."
    call.press("1")
    call.press("1")  # another operation
    again = call.press("2")  # Friday 27 is cancelled now: the next meal
    assert f"{CANCEL_OFFER}mardi 1er décembre" in again.text
    call.press("*")
    call.hang_up()
    book = caller(client, rt)
    book.start()
    question = book.keys("1234", "1")
    assert (
        "Le premier jour où vous pouvez encore réserver un repas est le jeudi 26 novembre : pour "
        "ce jour, tapez 2, 6, 1, 1." in question.says
    )


def test_a_child_with_no_meal_to_cancel_is_said_so_at_the_date_question(
    rt: Runtime, client: FlaskClient
) -> None:
    # Léa books day by day and has nothing booked: "Le premier jour encore modifiable est le
    # jeudi 26 novembre" was offered, then "rien à annuler".
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa", weekdays=0),))
    call = caller(client, rt)
    call.start()
    cancel = call.keys("1234", "2")
    assert (
        "Léa n'a aucun repas réservé qui puisse encore être annulé, au moins jusqu'au jeudi 25 "
        "mars." in cancel.says
    )
    assert "Le premier" not in cancel.text
    assert "Je n'ai pas compris cette date." in call.say("oui").says  # no day was offered


def test_a_child_booked_every_day_is_said_so_at_the_date_question_to_book(
    rt: Runtime, client: FlaskClient
) -> None:
    # Léa eats every day: "Le premier jour encore modifiable est le jeudi 26 novembre" was
    # offered, then "déjà réservé".
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    call = caller(client, rt)
    call.start()
    book = call.keys("1234", "1")
    assert (
        "Léa a déjà un repas réservé chaque jour de cantine, au moins jusqu'au jeudi 25 mars."
        in book.says
    )
    assert "Le premier" not in book.text
    # A day further on can still be typed: the refusal says it is booked already.
    assert "Le repas de Léa du jeudi 26 novembre est déjà réservé." in call.press("2611").says
    # 25 March is how far the line looked, not the last day booked: "jusqu'au jeudi 25 mars"
    # said her meals stopped there.
    call.keys("1", "1")  # another operation: book
    assert "Le repas de Léa du vendredi 26 mars est déjà réservé." in call.press("2603").says


def test_a_date_question_with_no_day_to_offer_says_how_to_go_back_the_first_time(
    rt: Runtime, client: FlaskClient
) -> None:
    # "Paul n'a aucun repas réservé qui puisse encore être annulé", then "Pour quel jour ?" and
    # nothing else: the key back to the menu was only said when the question came again.
    make_family(
        rt,
        "210001",
        "1234",
        (PHONE,),
        (KidSpec("E1", "Léa", weekdays=0), KidSpec("E2", "Hugo")),
    )
    call = caller(client, rt)
    call.start()
    cancel = call.keys("1234", "2", "2")  # Léa books day by day: nothing to cancel
    assert "Pour revenir au menu, tapez 0." in cancel.says
    assert "Pour Léa :" in call.press("0").says
    book = call.keys("4", "1", "1")  # Hugo eats every day: nothing to book
    assert "Pour revenir au menu, tapez 0." in book.says
    # A day to offer, asked for the first time: the question stays as short as before.
    call.hang_up()
    call = caller(client, rt)
    call.start()
    offered = call.keys("1234", "1", "2")
    assert "Le premier" in offered.text
    assert "Pour revenir au menu, tapez 0." not in offered.says


def test_an_english_caller_who_speaks_hears_that_the_keypad_is_needed(
    rt: Runtime, client: FlaskClient
) -> None:
    # The line listens to keys only in English: words said arrive as nothing at all, which
    # "I did not hear anything" answered as if the caller had been silent.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    call = caller(client, rt)
    call.start()
    call.press("1234")
    again = call.silence()
    # "No key was pressed" to a parent who spoke: what to do instead, true of both; who answers
    # in person once, not at every silence.
    assert again.says[0] == (
        "Please use your phone's keypad. To speak to someone, call the billing centre on "
        "03 80 74 51 51, Monday to Friday from 8 am to 6 pm."
    )
    assert call.silence().says[0] == "Please use your phone's keypad."


RENTREE_2027 = (
    "Le repas du jeudi 2 septembre, jour de la rentrée, peut être changé jusqu'au jeudi 1er "
    "juillet à 13 heures ; la ligne est ensuite fermée jusqu'au lundi 16 août."
)


@pytest.mark.parametrize(
    ("now", "said"),
    [
        (datetime(2027, 6, 28, 10, 0, tzinfo=PARIS), True),  # the line's last week before summer
        (datetime(2027, 7, 1, 12, 0, tzinfo=PARIS), True),  # the rentrée's deadline day
        (datetime(2027, 7, 2, 10, 0, tzinfo=PARIS), False),  # past it, the line still open
        (datetime(2027, 6, 7, 10, 0, tzinfo=PARIS), False),  # the closure more than 2 weeks off
        (datetime(2026, 11, 23, 10, 0, tzinfo=PARIS), False),
    ],
)
def test_the_listing_before_the_summer_closure_says_until_when_the_rentree_can_change(
    rt: Runtime, client: FlaskClient, family: str, now: datetime, said: bool
) -> None:
    # The line closes for the summer on 4 July 2027; the rentrée (Thursday 2 September) can
    # change only until Thursday 1 July, 13:00: a parent listening on the last days heard
    # nothing of it, and found the line closed in August.
    rt.clock.frozen = now
    call = caller(client, rt)
    call.start()
    listing = call.keys("1234", "3")
    assert (RENTREE_2027 in listing.says) is said
