"""Whole calls where a parent asks the deadline rule by speech ("c'est quoi le délai ?",
"quels jours je dois annuler ?", "avant quelle heure ?"), is refused several days past their
deadline at once, or calls before the Christmas holidays. The parser's side is in
tests/test_speech_rule_questions.py.

A family of three (Hugo, Léa, Zoé: keys 1, 2, 3) each eating every canteen day by
subscription, at one school (the last tests: Hugo and Zoé at another, HUGO_ZOE_LEA), on
Monday 23 November 2026 unless a test sets its own time; Dijon's zone A:
Christmas holidays from Saturday 19 December 2026 to Sunday 3 January 2027, the Ascension
bridge on Friday 7 May 2027.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from restomairie.clock import PARIS
from restomairie.models import Call, Closure
from restomairie.runtime import Runtime
from restomairie.staff.labels import asked_after
from tests.factories import KidSpec, make_family
from tests.ivr_support import (
    Caller,
    Twiml,
    booked,
    events,
    identified_three_children,
    line_app,
)

PHONE = "+33612345678"
LEA = "E2"
RULE = (
    "Un repas peut être réservé ou annulé jusqu'au 2e jour de cantine qui le précède, avant 13 "
    "heures ; les jours sans restauration scolaire ne comptent pas."
)
LEA_THU = [
    "Le jeudi 26 novembre, Léa a un repas réservé.",
    "Ce jour peut encore être changé aujourd'hui avant 13 heures.",
]
ACTION_MENU = "Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2."
ASK_CANCEL_DAY = "Pour quel jour voulez-vous annuler ?"


def _call_at(rt: Runtime, client: FlaskClient, now: datetime) -> Caller:
    rt.clock.frozen = now
    return identified_three_children(rt, client, PHONE)


# ---------------------------------------------------------------------------------------------
# 1. The rule asked at the action menu and at the date question
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["c'est quoi le délai ?", "quels jours je dois annuler ?", "quel est le délai"]
)
def test_the_rule_asked_at_the_action_menu_is_said_with_the_first_day(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.press("2")  # Léa
    answer = call.say(said)
    # It was the menu again ("quoi ?" heard as "répétez") or "Pardon, je n'ai pas compris."
    assert answer.says[:3] == [RULE, *LEA_THU]
    assert "Pardon" not in answer.text
    assert ACTION_MENU in answer.text
    assert events(rt, call)[-1].outcome == "rule_asked"
    assert asked_after("action", "rule_asked") == "action"


@pytest.mark.parametrize(
    "said",
    ["quels jours je dois annuler ?", "jusqu'à quand je peux annuler ?", "c'est quoi le délai",
     "avant quelle heure ?"],
)  # fmt: skip
def test_the_rule_asked_at_the_date_question_asks_the_date_again(
    rt: Runtime, call: Caller, said: str
) -> None:
    call.keys("2", "2")  # Léa, cancel
    answer = call.say(said)
    # It was "Sur cette ligne, dites les jours un par un…" (read as a span), the question
    # again without an answer, or "réserver ou annuler" for Thursday 26.
    assert answer.says[:2] == [RULE, ASK_CANCEL_DAY]
    assert "Le premier repas que vous pouvez encore annuler est celui du jeudi 26 novembre" in (
        answer.text
    )
    assert "un par un" not in answer.text
    assert events(rt, call)[-1].outcome == "rule_asked"
    assert call.say("jeudi").says[0] == "Vous souhaitez annuler le repas de Léa le jeudi 26 novembre."


def test_a_deadline_asked_for_a_day_at_the_date_question_is_that_days(call: Caller) -> None:
    # A guard: a day named is answered for that day, not with the rule alone.
    call.keys("2", "2")
    answer = call.say("jusqu'à quand je peux annuler jeudi ?")
    assert answer.says[:2] == LEA_THU


# ---------------------------------------------------------------------------------------------
# 2. Several days refused together: the days without canteen said once, the school's
# ---------------------------------------------------------------------------------------------

ASCENSION_NOT_COUNTED = (
    "Les jours sans cantine, comme le jeudi 6 mai (Ascension) et le pont de l'Ascension, ne "
    "comptent pas dans le délai."
)


def test_days_refused_together_say_the_days_without_canteen_once(
    rt: Runtime, client: FlaskClient
) -> None:
    # Wednesday 5 May 2027: Monday 10's deadline was Monday 3 May, Tuesday 11's Tuesday 4,
    # both earlier than the published table as Thursday 6 and Friday 7 have no canteen.
    call = _call_at(rt, client, datetime(2027, 5, 5, 9, 0, tzinfo=PARIS))
    call.press("2")
    answer = call.say("annuler lundi et mardi")
    refusal = next(line for line in answer.says if line.startswith("Trop tard"))
    # It was the refusal alone: the parent counting from the table heard no reason.
    assert refusal == (
        "Trop tard pour le lundi 10 et le mardi 11 mai : ces repas seront facturés, sauf "
        f"maladie signalée à l'école. {ASCENSION_NOT_COUNTED}"
    )
    assert answer.text.count("ne comptent pas") == 1
    assert booked(rt, LEA, date(2027, 5, 10)) is None


def _no_wednesday_school(rt: Runtime) -> Runtime:
    """The town's canteens serve Monday to Friday, Léa's school not on Wednesdays."""
    schools = tuple(
        dataclasses.replace(school, canteen_weekdays=frozenset({0, 1, 3, 4}))
        if school.id == "anjou-elem"
        else school
        for school in rt.settings.schools
    )
    settings = dataclasses.replace(
        rt.settings, canteen_weekdays=frozenset(range(5)), schools=schools
    )
    town = Runtime.build(settings=settings, clock=rt.clock, engine=rt.engine)
    town.sync_schools()
    return town


@pytest.mark.parametrize("said", ["annuler jeudi", "annuler jeudi et vendredi"])
def test_the_days_not_counted_are_those_of_the_childs_school(rt: Runtime, said: str) -> None:
    # Wednesday 11 November 2026 (a public holiday): Thursday 12's deadline was Monday 9, as
    # the table says for a school closed on Wednesdays; the holiday moved nothing for Léa.
    town = _no_wednesday_school(rt)
    call = _call_at(town, line_app(town).test_client(), datetime(2026, 11, 11, 9, 0, tzinfo=PARIS))
    call.press("2")
    answer = call.say(said)
    assert "Trop tard pour le jeudi 12" in answer.text
    # It was "Les jours sans cantine ne comptent pas dans le délai : le mercredi 11 novembre
    # (Armistice)", from the town's canteen weekdays.
    assert "ne comptent pas" not in answer.text


# ---------------------------------------------------------------------------------------------
# 3. Before the Christmas holidays: the deadline after them comes before them
# ---------------------------------------------------------------------------------------------

MON_14_DEC = datetime(2026, 12, 14, 9, 0, tzinfo=PARIS)
# `restomairie deadline 2027-01-04`: "avant le jeudi 17 décembre à 13 heures (17/12/2026 13:00)"
AFTER_CHRISTMAS = (
    "Attention : après les vacances de Noël, le repas du lundi 4 janvier se réserve ou "
    "s'annule avant le jeudi 17 décembre à 13 heures."
)


def test_the_listing_before_christmas_warns_of_the_deadline_after_it(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.press("9")  # all three children, one school: said once
    answer = call.press("3")
    # It listed the meals of 4 and 5 January without a word of their deadline, before the
    # holidays: a parent meaning to see to it after them is too late.
    assert answer.says.count(AFTER_CHRISTMAS) == 1
    # Tuesday 5's deadline comes before the holidays too (`restomairie deadline 2027-01-05`:
    # 18/12/2026 13:00); Thursday 7's is Monday 4 January, after them: not said.
    after = answer.says[answer.says.index(AFTER_CHRISTMAS) + 1:]
    assert after[0] == ("Et celui du mardi 5 janvier, avant le vendredi 18 décembre à 13 "
                        "heures.")
    assert "jeudi 7 janvier" not in " ".join(after)
    assert answer.says.index(AFTER_CHRISTMAS) > answer.says.index(
        "Pas de restauration scolaire pendant les vacances de Noël, après le vendredi 18 "
        "décembre ; reprise le lundi 4 janvier."
    )


def test_the_warning_on_the_day_of_that_deadline_and_after_it(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, datetime(2026, 12, 17, 12, 0, tzinfo=PARIS))
    call.press("2")
    assert (
        "Attention : après les vacances de Noël, le repas du lundi 4 janvier se réserve ou "
        "s'annule aujourd'hui avant 13 heures."
    ) in call.press("3").says
    rt.clock.frozen = datetime(2026, 12, 18, 9, 0, tzinfo=PARIS)
    call.press("1")  # another operation: Monday 4's deadline is past, Tuesday 5's is not
    assert [line for line in call.press("3").says if line.startswith("Attention")] == [
        "Attention : après les vacances de Noël, le repas du mardi 5 janvier se réserve ou "
        "s'annule aujourd'hui avant 13 heures."
    ]
    rt.clock.frozen = datetime(2026, 12, 18, 13, 30, tzinfo=PARIS)
    call.press("1")  # past both: no warning (nothing left to do in time)
    assert "Attention" not in call.press("3").text


def test_no_warning_far_from_the_holidays(rt: Runtime, call: Caller) -> None:
    call.press("2")  # Monday 23 November: the two weeks ahead cross no holidays
    assert "Attention" not in call.press("3").text


@pytest.mark.parametrize(
    "said",
    ["annuler après Noël", "annuler après les fêtes", "annuler après le nouvel an",
     "annuler à la rentrée", "annuler après les fêtes de fin d'année"],
)  # fmt: skip
def test_after_the_feasts_is_the_first_school_day_after_the_holidays(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    answer = call.say(said)
    # It was "Pour quel jour voulez-vous annuler ?": the feast not understood as a time.
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le lundi 4 janvier."


def test_a_span_all_in_the_holidays_says_when_school_starts_again(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    answer = call.say("annuler du 21 au 31 décembre")
    assert answer.says[0] == (
        "Du lundi 21 décembre au jeudi 31 décembre, il n'y a pas de restauration scolaire : ce "
        "sont les vacances de Noël ; reprise le lundi 4 janvier."
    )
    assert answer.says[1] == ASK_CANCEL_DAY


def test_the_warning_is_never_for_a_day_the_childs_school_is_closed(
    rt: Runtime, client: FlaskClient
) -> None:
    # Léa's school closed on Monday 4 January (a teachers' day): her first meal after the
    # holidays is Tuesday 5's, whose deadline also comes before them.
    with rt.sessions() as session, session.begin():
        session.add(
            Closure(
                school_id="anjou-elem", first_day=date(2027, 1, 4), last_day=date(2027, 1, 4),
                kind="other", label="journée pédagogique", created_by="staff:marie",
                created_at=MON_14_DEC,
            )
        )  # fmt: skip
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    answer = call.press("3")
    warning = [line for line in answer.says if line.startswith("Attention")]
    deadline = rt.booking.day_status(date(2027, 1, 5), "anjou-elem").deadline
    assert deadline is not None and deadline.date() == date(2026, 12, 18)
    # It was "le repas du lundi 4 janvier", a day without canteen at her school.
    assert warning == [
        "Attention : après les vacances de Noël, le repas du mardi 5 janvier se réserve ou "
        "s'annule avant le vendredi 18 décembre à 13 heures."
    ]


def _closed_on_monday_4(rt: Runtime) -> None:
    """Léa's school (Anjou) closed on Monday 4 January 2027, the town's return day."""
    with rt.sessions() as session, session.begin():
        session.add(
            Closure(
                school_id="anjou-elem", first_day=date(2027, 1, 4), last_day=date(2027, 1, 4),
                kind="other", label="journée pédagogique", created_by="staff:marie",
                created_at=MON_14_DEC,
            )
        )  # fmt: skip


@pytest.mark.parametrize(
    "said", ["annuler à la rentrée", "annuler après Noël", "annuler après les vacances"]
)
def test_the_rentree_is_the_childs_schools_first_day_after_the_holidays(
    rt: Runtime, client: FlaskClient, said: str
) -> None:
    _closed_on_monday_4(rt)
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    answer = call.say(said)
    # It was "le lundi 4 janvier" (the town's return day), then "il n'y a pas de restauration
    # scolaire : l'école est fermée (journée pédagogique)" for a day she never asked about.
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le mardi 5 janvier."
    assert call.press("1").says[0] == (
        "C'est fait : le repas de Léa du mardi 5 janvier est annulé."
    )
    assert booked(rt, LEA, date(2027, 1, 5)) is False
    assert booked(rt, LEA, date(2027, 1, 4)) is not False


def test_the_rentree_of_a_school_without_canteen_on_mondays(rt: Runtime) -> None:
    # Léa's canteen serves on Tuesdays, Thursdays and Fridays only (the town's, Monday too).
    schools = tuple(
        dataclasses.replace(school, canteen_weekdays=frozenset({1, 3, 4}))
        if school.id == "anjou-elem"
        else school
        for school in rt.settings.schools
    )
    town = Runtime.build(
        settings=dataclasses.replace(rt.settings, schools=schools), clock=rt.clock,
        engine=rt.engine,
    )  # fmt: skip
    town.sync_schools()
    call = _call_at(town, line_app(town).test_client(), MON_14_DEC)
    call.press("2")
    answer = call.say("annuler à la rentrée")
    assert answer.says[0] == "Vous souhaitez annuler le repas de Léa le mardi 5 janvier."


# The listing's warning after a change or a refusal before the Christmas holidays: once a call.
AND_TUESDAY_5 = "Et celui du mardi 5 janvier, avant le vendredi 18 décembre à 13 heures."


def _warnings(answer: Twiml) -> list[str]:
    return [line for line in answer.says if line.startswith("Attention : après")]


def test_the_days_cancelled_together_before_christmas_hear_the_warning_once(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")  # Léa
    assert call.say("annuler jeudi 17 et vendredi 18 décembre").says[1] == (
        "Vous souhaitez annuler le repas de Léa le jeudi 17 décembre."
    )
    answer = call.say("oui pour tous")
    assert booked(rt, LEA, date(2026, 12, 17)) is False
    assert booked(rt, LEA, date(2026, 12, 18)) is False
    # It was the result alone: the meals after the holidays, whose deadlines come before
    # them, were only said when listening.
    assert _warnings(answer) == [AFTER_CHRISTMAS]
    assert answer.says[answer.says.index(AFTER_CHRISTMAS) + 1] == AND_TUESDAY_5
    assert answer.says.index(AFTER_CHRISTMAS) > 0  # after the result
    call.press("1")  # another operation: a refusal now says it no more
    call.press("2")
    assert "Trop tard pour le mardi 15" in (answer := call.say("annuler mardi 15 décembre")).text
    assert _warnings(answer) == []


def test_a_refusal_before_christmas_hears_the_warning(rt: Runtime, client: FlaskClient) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    call.press("2")
    answer = call.say("mardi 15 décembre")
    assert answer.says[0].startswith("Trop tard pour le mardi 15 décembre")
    assert _warnings(answer) == [AFTER_CHRISTMAS]
    # Said once a call: the next refusal does not repeat it, nor does listening after it
    # need to be the first to say it (it still lists it, asked for).
    assert _warnings(call.say("mardi 15 décembre")) == []


def test_the_day_just_changed_is_not_in_the_warning(rt: Runtime, client: FlaskClient) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    call.press("2")
    assert call.say("lundi 4 janvier").says[0] == (
        "Vous souhaitez annuler le repas de Léa le lundi 4 janvier."
    )
    answer = call.press("1")
    # Not "le repas du lundi 4 janvier se réserve ou s'annule avant…" right after cancelling it.
    assert _warnings(answer) == [
        "Attention : après les vacances de Noël, le repas du mardi 5 janvier se réserve ou "
        "s'annule avant le vendredi 18 décembre à 13 heures."
    ]


def test_after_the_listing_a_change_does_not_repeat_the_warning(
    rt: Runtime, client: FlaskClient
) -> None:
    """A guard (passes on main too, where no change says it): once a call."""
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    assert _warnings(call.press("3")) == [AFTER_CHRISTMAS]
    call.press("1")
    call.press("2")
    call.say("vendredi 18 décembre")
    answer = call.press("1")
    assert answer.says[0] == "C'est fait : le repas de Léa du vendredi 18 décembre est annulé."
    assert _warnings(answer) == []


def test_no_warning_after_a_change_far_from_the_holidays(rt: Runtime, call: Caller) -> None:
    """A guard (passes on main too): on Monday 23 November no holidays are within two weeks."""
    call.press("2")
    call.press("2")
    call.say("jeudi 26 novembre")
    assert "Attention" not in call.press("1").text


def test_the_warning_comes_before_the_goodbye_said_with_the_yes(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.press("2")
    call.press("2")
    call.say("vendredi 18 décembre")
    answer = call.say("oui merci au revoir")
    assert answer.hangup
    assert answer.says[0] == "C'est fait : le repas de Léa du vendredi 18 décembre est annulé."
    assert answer.says[1:3] == [AFTER_CHRISTMAS, AND_TUESDAY_5]
    assert answer.says[-1].endswith("Au revoir.")


def test_a_refusal_among_days_taken_one_by_one_is_warned_after_the_last(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = MON_14_DEC
    call = identified_three_children(rt, client, PHONE, hugo_weekdays=0b10)  # Tuesdays only
    call.press("1")  # Hugo
    answer = call.say("annuler mardi 15 et jeudi 17 décembre")
    assert "Trop tard pour le mardi 15 décembre" in answer.text
    assert "Hugo n'a pas de repas réservé le jeudi 17 décembre" in answer.text
    # The last day had nothing to cancel: the refusal before it still owed the warning.
    assert _warnings(answer) == [AFTER_CHRISTMAS]


def test_the_days_just_asked_about_are_not_in_the_warning(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = datetime(2026, 12, 18, 12, 30, tzinfo=PARIS)
    call = identified_three_children(rt, client, PHONE, hugo_weekdays=0b1)  # Mondays only
    call.press("1")  # Hugo
    answer = call.say("annuler lundi 4 et mardi 5 janvier")
    assert "Trop tard pour le lundi 4 janvier" in answer.text
    assert "Hugo n'a pas de repas réservé le mardi 5 janvier" in answer.text
    # It was "Attention : après les vacances de Noël, le repas du mardi 5 janvier se réserve
    # ou s'annule aujourd'hui avant 13 heures.", right after "rien à annuler" for that day;
    # Monday's deadline is past: nothing left to say.
    assert "Attention" not in answer.text
    assert answer.says[-1].startswith("Pour une autre opération, tapez 1.")


def test_a_day_asked_about_leaves_the_others_in_the_warning(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = datetime(2026, 12, 17, 10, 30, tzinfo=PARIS)
    call = identified_three_children(rt, client, PHONE, hugo_weekdays=0b1001)  # Mon and Thu
    call.press("1")  # Hugo
    answer = call.say("annuler mardi 5 et jeudi 7 janvier")
    assert "Hugo n'a pas de repas réservé le mardi 5 janvier" in answer.text
    answer = call.press("1")  # Thursday 7 cancelled
    assert answer.says[0] == "C'est fait : le repas d'Hugo du jeudi 7 janvier est annulé."
    # It was followed by "Et celui du mardi 5 janvier, avant demain à 13 heures.", the day
    # the parent had just heard had nothing to cancel: Monday 4 alone, still to see to.
    assert [line for line in answer.says if line.startswith(("Attention", "Et celui"))] == [
        "Attention : après les vacances de Noël, le repas du lundi 4 janvier se réserve ou "
        "s'annule aujourd'hui avant 13 heures."
    ]


# A call under way when the warning's four keys in the call's state became one record: what
# they kept is read, not dropped.
def _as_before_the_record(rt: Runtime, call: Caller, **old: object) -> None:
    """The call's state with the record of the warning replaced by ``old``, the keys it
    replaced, as the line before it saved them."""
    with rt.sessions() as session, session.begin():
        row = session.scalars(select(Call).where(Call.call_sid == call.call_sid)).one()
        assert "break" in row.state
        row.state = {**{k: v for k, v in row.state.items() if k != "break"}, **old}


SAID_FOR_LEA = [
    "Vacances de Noël",
    "2027-01-04/2026-12-17T13:00:00+01:00 2027-01-05/2026-12-18T13:00:00+01:00",
    [LEA],
    False,
]


@pytest.mark.parametrize(
    "old",
    [
        {"break_said": [SAID_FOR_LEA], "break_heard": [LEA]},
        {"break_said": True},  # the oldest calls: said once a call
    ],
    ids=["sentences", "once"],
)
def test_a_warning_said_before_the_record_is_not_said_again(
    rt: Runtime, client: FlaskClient, old: dict[str, object]
) -> None:
    call = _call_at(rt, client, MON_14_DEC)
    call.keys("2", "2")  # Léa, cancel
    call.say("vendredi 18 décembre")
    assert _warnings(call.press("1")) == [AFTER_CHRISTMAS]
    _as_before_the_record(rt, call, **old)
    call.keys("1", "2")  # another operation: cancel
    call.say("jeudi 17 décembre")
    answer = call.press("1")
    assert answer.says[0] == "C'est fait : le repas de Léa du jeudi 17 décembre est annulé."
    assert _warnings(answer) == []


def test_the_days_asked_before_the_record_are_still_left_out(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = datetime(2026, 12, 17, 10, 30, tzinfo=PARIS)
    call = identified_three_children(rt, client, PHONE, hugo_weekdays=0b1001)  # Mon and Thu
    call.press("1")  # Hugo
    answer = call.say("annuler mardi 5 et jeudi 7 janvier")
    assert "Hugo n'a pas de repas réservé le mardi 5 janvier" in answer.text
    _as_before_the_record(rt, call, break_asked=["2027-01-05", "2027-01-07"])
    answer = call.press("1")
    assert _attention(answer) == [
        "Attention : après les vacances de Noël, le repas du lundi 4 janvier se réserve ou "
        "s'annule aujourd'hui avant 13 heures."
    ]


def test_a_warning_owed_before_the_record_is_still_said_after_the_last_day(
    rt: Runtime, client: FlaskClient
) -> None:
    rt.clock.frozen = MON_14_DEC
    call = identified_three_children(rt, client, PHONE, hugo_weekdays=0b1001)  # Mon and Thu
    call.press("1")  # Hugo
    answer = call.say("annuler lundi 14, jeudi 17 et vendredi 18 décembre")
    assert "Trop tard pour le lundi 14 décembre" in answer.text  # owes the warning
    assert "Vous souhaitez annuler le repas d'Hugo le jeudi 17 décembre." in answer.says
    _as_before_the_record(
        rt, call, break_due=True, break_asked=["2026-12-14", "2026-12-17", "2026-12-18"]
    )
    answer = call.press("2")  # Thursday left as it is; Friday: nothing to cancel
    assert "Hugo n'a pas de repas réservé le vendredi 18 décembre" in answer.text
    assert _warnings(answer) == [AFTER_CHRISTMAS]


# The warning of each child's school: Hugo and Zoé at Alsace, Léa at Anjou, closed on Monday 4
# January (her first meal after the holidays is Tuesday 5's, due before Friday 18).
HUGO_ZOE_LEA = (
    KidSpec("E1", "Zoé", school="alsace-elem"),
    KidSpec("E2", "Léa"),
    KidSpec("E3", "Hugo", school="alsace-elem"),
)
TUESDAY_5 = (
    "après les vacances de Noël, le repas du mardi 5 janvier se réserve ou s'annule avant le "
    "vendredi 18 décembre à 13 heures."
)


def _two_schools(rt: Runtime, client: FlaskClient, language: str = "fr") -> Caller:
    """The family of HUGO_ZOE_LEA, called on Monday 14 December 2026, at the child menu
    (keys: Hugo 1, Léa 2, Zoé 3)."""
    _closed_on_monday_4(rt)
    make_family(rt, "210001", "1234", (PHONE,), HUGO_ZOE_LEA, language=language)
    rt.clock.frozen = MON_14_DEC
    call = Caller(client, rt.settings, PHONE)
    call.start()
    call.press("1234")
    return call


def _attention(answer: Twiml) -> list[str]:
    return [line for line in answer.says if line.startswith(("Attention", "Et celui"))]


MONDAY_4_AND_TUESDAY_5 = [AFTER_CHRISTMAS, AND_TUESDAY_5]  # Hugo's and Zoé's (Alsace)


def _another_child(call: Caller, key: str, day: str) -> Twiml:
    """After a result: another operation, for the child ``key``: cancel ``day``, confirmed."""
    call.press("1")
    call.press("4")
    call.press(key)
    call.press("2")
    call.say(day)
    return call.press("1")


def test_a_child_whose_first_day_after_the_holidays_differs_hears_hers(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _two_schools(rt, client)
    call.keys("1", "2")  # Hugo, cancel
    call.say("jeudi 17 décembre")
    answer = call.press("1")
    assert answer.says[0] == "C'est fait : le repas d'Hugo du jeudi 17 décembre est annulé."
    assert _attention(answer) == MONDAY_4_AND_TUESDAY_5  # the first: named nobody, as ever
    answer = _another_child(call, "2", "vendredi 18 décembre")  # Léa
    assert answer.says[0] == "C'est fait : le repas de Léa du vendredi 18 décembre est annulé."
    # It was nothing (once a call): Léa's school is closed on Monday 4 January, her first
    # meal after the holidays is another, and the parent had heard Hugo's alone.
    assert _attention(answer) == [f"Attention : pour Léa, {TUESDAY_5}"]
    # Zoé's is Hugo's word for word (the same school): not said again.
    answer = _another_child(call, "3", "vendredi 18 décembre")
    assert answer.says[0] == "C'est fait : le repas de Zoé du vendredi 18 décembre est annulé."
    assert _attention(answer) == []


def test_after_a_refusal_for_one_child_a_change_for_another_school_says_its_own(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _two_schools(rt, client)
    call.keys("2", "2")  # Léa, cancel
    answer = call.say("lundi 14 décembre")
    assert answer.says[0].startswith("Trop tard pour le lundi 14 décembre")
    assert _attention(answer) == [f"Attention : {TUESDAY_5}"]
    assert _attention(call.say("mardi 15 décembre")) == []  # the same child: once a call
    call.press("0")  # back to the menu
    call.press("4")
    call.press("1")  # Hugo
    call.press("2")
    call.say("jeudi 17 décembre")
    answer = call.press("1")
    # It was nothing: Monday 4 January, whose deadline is Thursday, was never said for him.
    assert _attention(answer) == [
        "Attention : pour Hugo, après les vacances de Noël, le repas du lundi 4 janvier se "
        "réserve ou s'annule avant le jeudi 17 décembre à 13 heures.",
        AND_TUESDAY_5,
    ]
    # Zoé's is Hugo's, but "pour Hugo" was not said for her.
    answer = _another_child(call, "3", "vendredi 18 décembre")
    assert _attention(answer)[0] == (
        "Attention : pour Zoé, après les vacances de Noël, le repas du lundi 4 janvier se "
        "réserve ou s'annule avant le jeudi 17 décembre à 13 heures."
    )


def test_the_listing_of_children_at_two_schools_names_each_warning(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _two_schools(rt, client)
    answer = call.keys("9", "3")
    # It was "Pour Hugo et Zoé, Attention : après les vacances…": the name before the
    # "Attention", the sentence begun twice.
    assert _attention(answer) == [
        "Attention : pour Hugo et Zoé, après les vacances de Noël, le repas du lundi 4 janvier "
        "se réserve ou s'annule avant le jeudi 17 décembre à 13 heures.",
        AND_TUESDAY_5,
        f"Attention : pour Léa, {TUESDAY_5}",
    ]
    call.keys("1", "2")  # all three: cancel, after hearing both
    call.say("vendredi 18 décembre")
    assert _attention(call.press("1")) == []


def test_the_listing_of_children_at_two_schools_in_english(
    rt: Runtime, client: FlaskClient
) -> None:
    call = _two_schools(rt, client, "en")
    says = call.keys("9", "3").says
    notes = [line for line in says if line.startswith("Please note")]
    # It was "For Hugo and Zoé, Attention: after the Christmas holidays, …".
    assert notes == [
        "Please note: for Hugo and Zoé, after the Christmas holidays, the meal of Monday 4 "
        "January must be booked or cancelled before Thursday 17 December at 1:00 pm.",
        "Please note: for Léa, after the Christmas holidays, the meal of Tuesday 5 January must "
        "be booked or cancelled before Friday 18 December at 1:00 pm.",
    ]



def test_the_named_warnings_on_the_day_of_a_deadline(rt: Runtime, client: FlaskClient) -> None:
    call = _two_schools(rt, client)
    rt.clock.frozen = datetime(2026, 12, 17, 12, 0, tzinfo=PARIS)
    # It was "Pour Hugo et Zoé, Attention : après les vacances de Noël, … aujourd'hui avant…".
    assert _attention(call.keys("9", "3")) == [
        "Attention : pour Hugo et Zoé, après les vacances de Noël, le repas du lundi 4 janvier "
        "se réserve ou s'annule aujourd'hui avant 13 heures.",
        "Et celui du mardi 5 janvier, demain avant 13 heures.",
        "Attention : pour Léa, après les vacances de Noël, le repas du mardi 5 janvier se "
        "réserve ou s'annule demain avant 13 heures.",
    ]
