"""What ``restomairie serve`` checks and says at start-up for the town's IT: a public URL that no
Twilio signature could ever match refused, a missing one warned of, and log lines with their time
(to be matched with a parent's complaint), in French like the other start-up messages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from restomairie.cli import main
from tests.test_cli import free_port

URL_KEY = "RESTOMAIRIE_PUBLIC_URL"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A migrated SQLite database, a pinned clock, the secrets a deployment sets but no Twilio
    token and no public URL (each test sets those), and waitress that does not serve."""
    import waitress

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("RESTOMAIRIE_NOW", "2026-11-23T10:00:00+01:00")
    monkeypatch.delenv("RESTOMAIRIE_CONFIG", raising=False)
    monkeypatch.setenv("RESTOMAIRIE_PIN_PEPPER", "p" * 32)
    monkeypatch.setenv("RESTOMAIRIE_SECRET_KEY", "s" * 32)
    monkeypatch.delenv("RESTOMAIRIE_KITCHEN_TOKEN", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv(URL_KEY, raising=False)
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: None)
    runner = CliRunner()
    assert runner.invoke(main, ["init-db"]).exit_code == 0
    return runner


@pytest.mark.parametrize(
    ("url", "said", "instead"),
    [
        ("resto.example.fr", "« resto.example.fr » n'a pas de schéma", "https://resto.example.fr"),
        (
            "https://resto.example.fr/ivr/voice",
            "« https://resto.example.fr/ivr/voice » contient un chemin (« /ivr/voice »)",
            "https://resto.example.fr",
        ),
        ("https://resto.example.fr/?ville=dijon", "contient « ? » ou « # »",
         "https://resto.example.fr"),
        ("https://resto.example.fr#ivr", "contient « ? » ou « # »", "https://resto.example.fr"),
        ("http://", "« http:// » n'a pas de nom de site", None),
        ("ftp://resto.example.fr", "a le schéma « ftp:// » au lieu de https://", None),
        ("https://resto.example.fr\n", "contient un espace ou un saut de ligne",
         "https://resto.example.fr"),
    ],
)
def test_serve_refuses_a_public_url_no_signature_can_match(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, url: str, said: str, instead: str | None
) -> None:
    # Every webhook was a 403, with not a word at start.
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok_" + "9" * 32)
    monkeypatch.setenv(URL_KEY, url)
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert isinstance(res.exception, SystemExit), res.exception  # no traceback
    assert res.exit_code == 3, res.output  # like every other configuration error
    assert res.output.startswith(
        f"Erreur de configuration : « {URL_KEY} » doit être l'adresse publique du site seule, "
        "comme https://resto.example.fr, mais "
    ), res.output
    assert said in res.output
    assert "chaque appel serait refusé (403)" in res.output
    if instead is not None:
        assert res.output.rstrip().endswith(f"Écrivez {instead}."), res.output
    assert "Resto-Mairie Dijon sur" not in res.output


@pytest.mark.parametrize(
    "url",
    ["https://resto.example.fr", "https://resto.example.fr/", "https://resto.example.fr:8443",
     "http://127.0.0.1:8000"],
)
def test_serve_starts_with_a_public_url_that_is_the_site_alone(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    # A guard of kept behaviour: the right forms start, without a warning about the URL.
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok_" + "9" * 32)
    monkeypatch.setenv(URL_KEY, url)
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert res.exit_code == 0, res.output
    assert "Attention" not in res.output and "Resto-Mairie Dijon sur" in res.output


def test_serve_warns_when_a_twilio_token_is_set_without_the_public_url(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Behind a proxy every webhook was refused: Twilio signs the public URL, the line checked
    # the one it received.
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok_" + "9" * 32)
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert res.exit_code == 0, res.output
    assert (
        f"Attention : {URL_KEY} n'est pas défini alors que TWILIO_AUTH_TOKEN l'est : Twilio "
        "signe l'adresse publique qu'il appelle, et la ligne vérifie la signature sur l'adresse "
        "qu'elle reçoit ; derrière un proxy ou un tunnel, elles diffèrent et chaque appel de "
        f"Twilio sera refusé (403). Indiquez l'adresse du site, par exemple "
        f"{URL_KEY}=https://resto.example.fr (inutile pour un essai en local)."
    ) in res.output


def test_serve_warns_of_a_public_url_in_plain_http(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok_" + "9" * 32)
    monkeypatch.setenv(URL_KEY, "http://resto.example.fr")
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert res.exit_code == 0, res.output
    assert (
        f"Attention : {URL_KEY} commence par http:// (http://resto.example.fr) : si le site est "
        "servi en https, Twilio signe l'adresse en https:// et chaque appel sera refusé (403)"
    ) in res.output


def test_local_development_needs_no_public_url(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A guard of kept behaviour: demo + serve, and ``restomairie call``, without a public URL
    # (nor a Twilio token) start and work, with no warning about the URL.
    res = cli.invoke(main, ["serve", "--port", free_port()])
    assert res.exit_code == 0 and URL_KEY not in res.output, res.output
    assert cli.invoke(main, ["demo", "--families", "3"]).exit_code == 0
    res = cli.invoke(main, ["call", "-"], input="")
    assert res.exit_code == 0, res.output
    assert "Bonjour" in res.output


def _wait_for(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve stopped"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail("serve did not answer")


def test_serve_logs_each_line_with_its_time_in_french_at_start(tmp_path: Path) -> None:
    # "ERROR:restomairie.ivr.service:call …" could not be matched to a parent's complaint; the
    # scheduler's lines had their time. The start-up warning was English among French ones.
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.db'}",
        "RESTOMAIRIE_CONFIG": "dijon", "PYTHONUNBUFFERED": "1",
    }
    for name in ("TWILIO_AUTH_TOKEN", URL_KEY, "RESTOMAIRIE_NOW"):
        env.pop(name, None)
    command = [sys.executable, "-c", "from restomairie.cli import main; main()"]
    subprocess.run([*command, "init-db"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    with subprocess.Popen(
        [*command, "serve", "--port", port], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz", proc)
            unsigned = urllib.request.Request(
                f"http://127.0.0.1:{port}/ivr/voice", data=b"CallSid=CA1", method="POST"
            )
            with pytest.raises(urllib.error.HTTPError):  # refused, and logged
                urllib.request.urlopen(unsigned, timeout=10)
            proc.terminate()
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert re.search(
        rf"^{stamp} WARNING restomairie\.ivr: ligne téléphonique : TWILIO_AUTH_TOKEN n'est pas "
        r"défini : ce processus signe avec un jeton aléatoire",
        err, re.MULTILINE,
    ), err
    logged = [line for line in err.splitlines() if re.match(r"^\S+ \S+ (INFO|WARNING|ERROR) ", line)]
    assert len(logged) >= 2, err  # the start-up warning, then the refused webhook
    assert all(re.match(rf"^{stamp} (INFO|WARNING|ERROR) [\w.]+: ", line) for line in logged), err
    assert not re.search(r"^(INFO|WARNING|ERROR):", err, re.MULTILINE), err
    assert "alembic" not in err  # its INFO lines, from the check that the base is migrated
