"""Random callers: whatever keys are pressed and phrases said, the line answers valid TwiML,
never an HTTP error, and every call ends within a bounded number of steps."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from restomairie.models import Family
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, line_app

KNOWN = "+33612345678"
KEYS = ["1", "2", "3", "4", "9", "0", "*", "#", "1234", "0000", "210001", "2611", "2411",
        "0312", "2511", "0705", "3102", "1111", "99", "*1", "12#"]  # fmt: skip
PHRASES = [
    "oui", "non", "réserver", "annuler", "écouter mes réservations", "répétez", "au revoir",
    "demain", "après-demain", "lundi prochain", "le 3", "le 21 novembre", "jeudi 3 décembre",
    "vingt et un novembre", "tous les enfants", "c'est pour Léa", "Hugo", "la deuxième",
    "non, le 4 décembre", "autre chose", "je ne veux pas annuler", "pardon ?", "",
]  # fmt: skip

PLAUSIBLE = ["1", "2", "3", "9", "2611", "0312", "2411", "3011"]  # menus and dates that exist

answer = st.one_of(
    st.tuples(st.just("keys"), st.sampled_from(PLAUSIBLE)),
    st.tuples(st.just("keys"), st.sampled_from(PLAUSIBLE)),
    st.tuples(st.just("keys"), st.sampled_from(PLAUSIBLE)),
    st.tuples(st.just("speech"), st.sampled_from(PHRASES)),
    st.tuples(st.just("keys"), st.sampled_from(KEYS)),
    st.tuples(st.just("keys"), st.text(alphabet="0123456789*#", min_size=1, max_size=8)),
    st.tuples(st.just("speech"), st.sampled_from(PHRASES)),
    st.tuples(st.just("speech"), st.text(max_size=40)),
    st.tuples(st.just("silence"), st.just("")),
)


def _setup(rt: Runtime) -> FlaskClient:
    make_family(
        rt,
        "210001",
        "1234",
        (KNOWN,),
        (
            KidSpec("E1", "Léa"),
            KidSpec("E2", "Hugo", weekdays=0),
            KidSpec("E3", "Zoé", enrolled_until=date(2026, 11, 30)),
        ),
    )
    return line_app(rt).test_client()


def _unlock(rt: Runtime) -> None:
    with rt.sessions() as session, session.begin():
        session.execute(update(Family).values(failed_pins=0, locked_until=None))


def test_random_callers_always_get_valid_twiml_and_every_call_ends(rt: Runtime) -> None:
    client = _setup(rt)
    max_attempts = rt.settings.phone.max_attempts

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        known=st.booleans(),
        identify=st.booleans(),
        answers=st.lists(answer, max_size=25),
    )
    def one_call(known: bool, identify: bool, answers: list[tuple[str, str]]) -> None:
        _unlock(rt)
        if identify:  # most random keys fail the code: get past it half of the time
            login = [("keys", "1234")] if known else [("keys", "210001"), ("keys", "1234")]
            answers = [*login, *answers]
        call = Caller(client, rt.settings, KNOWN if known else "+33199999999")
        call.start()  # every answer is checked by check_twiml (valid TwiML, 200)
        steps = 1
        for kind, value in answers:
            if call.ended:
                break
            gather = call.last.gather if call.last else None
            assert gather is not None
            if kind == "keys":
                call.press(value)
            elif kind == "speech" and "speech" in gather.get("input", ""):
                call.say(value)
            else:
                call.silence()
            steps += 1
        # Then the caller says nothing: the line gives up politely after max_attempts.
        for _ in range(max_attempts):
            if call.ended:
                break
            call.silence()
            steps += 1
        assert call.ended, "a silent caller must be let go"
        assert steps <= len(answers) + max_attempts + 1
        assert call.hang_up().status_code == 200

    one_call()
