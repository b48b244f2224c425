"""``restomairie call``: a call in the terminal against the real webhooks, signed like Twilio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from restomairie.cli import main
from restomairie.demo import demo_csv
from restomairie.ivr.terminal import HttpLine, InProcessLine, Question, answer_params, run_call
from restomairie.models import Call
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family
from tests.ivr_support import line_app
from tests.serving import serving

PHONE = "+33612345678"


def _lines(out: list[str]) -> str:
    return "\n".join(out)


def test_a_scripted_call_in_process_prints_what_the_caller_hears(rt: Runtime) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    app = line_app(rt)
    line = InProcessLine(app, app.extensions["restomairie.ivr"][1])
    out: list[str] = []
    record = run_call(line, ["1234", "2", "2611", "1", "2"], PHONE, "+33800210519", out.append)
    text = _lines(out)
    assert "« Vous souhaitez annuler le repas de Léa le jeudi 26 novembre. »" in text
    assert "« C'est fait : le repas de Léa du jeudi 26 novembre est annulé. »" in text
    assert "[touches] ••••" in text  # the code is not echoed
    assert record.hung_up_by_line and set(record.statuses) == {200}
    with rt.sessions() as session:
        call = session.scalars(select(Call).where(Call.call_sid == record.call_sid)).one()
    assert (call.outcome, call.status) == ("cancelled", "completed")
    assert call.duration is not None and call.duration >= 1


def test_0_hash_at_the_code_question_is_shown_as_typed_the_codes_stay_masked(rt: Runtime) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    make_family(rt, "210002", "5678", (), (KidSpec("E2", "Hugo"),))
    app = line_app(rt)
    line = InProcessLine(app, app.extensions["restomairie.ivr"][1])
    out: list[str] = []
    run_call(line, ["5678", "0#", "210002#", "5678", "3", "2"], PHONE, "", out.append)
    shown = [line.strip() for line in out if "[touches]" in line]
    assert shown[:4] == ["[touches] ••••", "[touches] 0#", "[touches] 210002", "[touches] ••••"]
    assert "5678" not in _lines(out)


def test_an_english_familys_typed_date_is_shown_only_its_code_is_masked(rt: Runtime) -> None:
    # Their date question is keypad only with four keys, like the code: it comes after a menu.
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),), language="en")
    app = line_app(rt)
    line = InProcessLine(app, app.extensions["restomairie.ivr"][1])
    out: list[str] = []
    run_call(line, ["1234", "2", "2611"], PHONE, "", out.append)
    text = _lines(out)
    assert "[touches] ••••" in text and "[touches] 2611" in text
    assert "« You want to cancel Léa's meal on Thursday 26 November. »" in text


def test_when_the_answers_run_out_the_caller_hangs_up(rt: Runtime) -> None:
    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    app = line_app(rt)
    line = InProcessLine(app, app.extensions["restomairie.ivr"][1])
    out: list[str] = []
    record = run_call(line, ["1234"], PHONE, "", out.append)
    assert not record.hung_up_by_line
    assert "(l'appelant raccroche)" in _lines(out)
    with rt.sessions() as session:
        call = session.scalars(select(Call).where(Call.call_sid == record.call_sid)).one()
    assert call.outcome == "abandoned"


@pytest.fixture
def served(rt: Runtime) -> Iterator[str]:
    with serving(line_app(rt, IVR_PUBLIC_URL=None)) as url:
        yield url


def test_a_call_against_a_running_server_over_http(rt: Runtime, served: str) -> None:
    from tests.ivr_support import TOKEN

    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    out: list[str] = []
    record = run_call(HttpLine(served, TOKEN), ["1234", "3", "2"], PHONE, "", out.append)
    assert record.hung_up_by_line
    assert "Léa : un repas est réservé chaque jour de cantine" in _lines(out)
    unsigned: list[str] = []
    refused = run_call(HttpLine(served, None), ["1234"], PHONE, "", unsigned.append)
    assert refused.statuses == [403]


def test_the_url_may_be_the_voice_url_itself(rt: Runtime, served: str) -> None:
    # `call --url http://host:port/ivr/voice` (the address given to Twilio): it was taken as
    # the server's base address, and the call got a 404 at /ivr/voice/ivr/voice.
    from tests.ivr_support import TOKEN

    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    for url in (f"{served}/ivr/voice", f"{served}/ivr/voice/", f"{served}/ivr/"):
        record = run_call(HttpLine(url, TOKEN), ["1234", "3", "2"], PHONE, "", [].append)
        assert record.hung_up_by_line and set(record.statuses) == {200}, url
    # Any other path: the 404 says what --url is.
    said: list[str] = []
    assert run_call(HttpLine(f"{served}/autre", TOKEN), [], PHONE, "", said.append).statuses == [
        404
    ]
    assert any("--url est l'adresse de base du serveur" in line for line in said), said


def test_a_call_to_a_server_behind_its_public_url_is_signed_for_that_url(rt: Runtime) -> None:
    # The server checks signatures against RESTOMAIRIE_PUBLIC_URL (Twilio calls it from
    # outside); `call --url` signed for the local address, and every request was a 403.
    from tests.ivr_support import TOKEN

    make_family(rt, "210001", "1234", (PHONE,), (KidSpec("E1", "Léa"),))
    public = "https://cantine.example.org/"
    with serving(line_app(rt, IVR_PUBLIC_URL=public)) as url:
        record = run_call(HttpLine(url, TOKEN, public), ["1234", "3", "2"], PHONE, "", [].append)
        assert record.hung_up_by_line and set(record.statuses) == {200}
        said: list[str] = []
        assert run_call(HttpLine(url, TOKEN), ["1234"], PHONE, "", said.append).statuses == [403]
        assert ("(la ligne a répondu HTTP 403 : signature refusée ; TWILIO_AUTH_TOKEN et "
                "RESTOMAIRIE_PUBLIC_URL doivent être les mêmes ici et pour le serveur)") in said


def test_a_server_gone_during_a_call_is_said_not_a_traceback() -> None:
    # Nothing listens on port 9 (discard) here: the request fails as with a server restarting.
    line = HttpLine("http://127.0.0.1:9", None)
    with pytest.raises(click.ClickException, match="le serveur ne répond pas"):
        line.post("http://127.0.0.1:9/ivr/voice", {"CallSid": "CA1"})
    # A whole call: the URL that failed is the voice URL (the status callback sent at the end
    # failed too, and its error was the one said).
    with pytest.raises(click.ClickException, match="/ivr/voice"):
        run_call(line, ["1234"], PHONE, "", [].append)


@pytest.mark.parametrize(
    ("question", "typed", "params", "shown"),
    [
        (
            Question("step?n=1", "dtmf", None, "#"),
            "210500#",
            {"Digits": "210500"},
            "[touches] 210500",
        ),
        (Question("step?n=1", "dtmf", 4, "#"), "123456", {"Digits": "1234"}, "[touches] ••••"),
        # "0#" at the code question: another family's phone, not a code (codes have 4 digits)
        (Question("step?n=1", "dtmf", 4, "#"), "0#", {"Digits": "0"}, "[touches] 0#"),
        (Question("step?n=1", "dtmf", 4, "#"), "0", {"Digits": "0"}, "[touches] 0"),
        (Question("step?n=1", "dtmf", 4, "#"), "01#", {"Digits": "01"}, "[touches] ••"),
        (Question("step?n=1", "dtmf", 4, "#"), "0000", {"Digits": "0000"}, "[touches] ••••"),
        (Question("step?n=1", "dtmf speech", 4, "#"), "2611", {"Digits": "2611"}, "[touches] 2611"),
        (Question("step?n=1", "dtmf speech", 1, "#"), "*", {"Digits": "*"}, "[touches] *"),
        (Question("step?n=1", "dtmf speech", 1, "#"), "-", {}, "[silence]"),
        (
            Question("step?n=1", "dtmf speech", 1, "#"),
            "lundi prochain",
            {"SpeechResult": "lundi prochain", "Confidence": "0.92"},
            "[parole] « lundi prochain »",
        ),
        (
            Question("step?n=1", "dtmf", 4, "#"),
            "bonjour",
            {},
            "[ignoré : cette question n'accepte que le clavier]",
        ),
    ],
)
def test_answers_become_twilio_parameters(
    question: Question, typed: str, params: dict[str, str], shown: str
) -> None:
    assert answer_params(question, typed) == (params, shown)


def test_four_keys_after_the_menus_are_a_date_not_a_code() -> None:
    # An English family's date question is keypad only, like the code: once a menu was asked,
    # the keys are shown.
    question = Question("step?n=5", "dtmf", 4, "#")
    assert answer_params(question, "2611", identified=True) == ({"Digits": "2611"}, "[touches] 2611")


def test_the_call_command_on_the_demo_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-23T09:30:00+01:00")
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("RESTOMAIRIE_PUBLIC_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code == 0
    from restomairie.config import load_config

    schools = [s.id for s in load_config("dijon", environ={}).schools]
    first = next(f for f in demo_csv(schools)[1] if len(f.children) == 1)
    res = runner.invoke(main, ["call", "--from", first.phone, first.pin, "3"], input="2\n")
    assert res.exit_code == 0, res.output
    assert "Appel de " + first.phone in res.output
    assert "horloge figée au 23/11/2026 09:30" in res.output
    assert f"« {first.children[0]} : " in res.output  # the listing of the next two weeks
    assert "Merci de votre appel. Au revoir." in res.output
    assert "— fin de l'appel" in res.output
