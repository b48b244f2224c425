"""The phone line under load: concurrent simulated calls through a real WSGI server.

Run: ``python bench/ivr_bench.py`` (``--help`` for the options). For each database (SQLite, and
PostgreSQL when reachable: ``RESTOMAIRIE_TEST_DATABASE_URL`` or ``--pg-url``) it loads the demo
town (50 families), starts the application under waitress on 127.0.0.1 in a process of its own,
and places ``--calls`` simultaneous calls, each from a family's phone (caller ID), signed like
Twilio: greeting, code, child (9 when several), cancel (or book, every other wave), a date (another
each wave), read-back confirmed, another operation, listen, goodbye; then the status callback.
In the same run, a bare Flask app under the same server answers a fixed TwiML to the same number
of requests with the same concurrency and pacing: the reference. A third app, the *floor*, does
the least any webhook of this line must do before it answers — check Twilio's signature and write
the call's state in one statement on the same database — and answers the same TwiML:
it shows how much of each step's time the database alone costs on this machine (``× floor``).
The three servers run side by side and take turns wave by wave (in a rotating order), so that a
slower minute of this shared machine does not fall on one of them only.

Printed: per step the median and p99 latency (ms) as the caller's side sees them, the median time
spent inside the WSGI application (each server times it and writes its times when terminated),
the throughput (requests/s) and the errors (HTTP status other than 200, invalid TwiML, an
apology, or a call that went off script).
Targets (issue 3): zero errors, p99 per step < 50 ms, median per step within 3× the bare app's
(the floor is printed for information: the verdict is against the bare app).

``--think`` sets the caller's pause between two answers (a uniform random range in seconds; a
real caller listens for 5–20 s, the default is much harsher); each call also starts at a random
moment within that range, so the calls overlap without all ringing in the same millisecond.
``--think 0 0`` is a stress test: every caller answers instantly, all at once.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator

TOKEN = "bench-auth-token-" + "0" * 16
NOW = "2026-11-23T09:30:00+01:00"  # a Monday morning: the line is open
HOST = "127.0.0.1"
BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="step?n=1" '
    'actionOnEmptyResult="true" finishOnKey="#" input="dtmf speech" language="fr-FR" '
    'method="POST" numDigits="1" speechTimeout="2" timeout="6"><Say language="fr-FR" '
    'voice="Polly.Lea-Neural">Pour réserver un repas, tapez 1. Pour annuler un repas, tapez 2.'
    "</Say></Gather></Response>"
)
# The day each wave books or cancels (DDMM), all open to changes at NOW: a family's read-back and
# result differ from one wave to the next, as different families' do in a town; only the menus
# and questions every caller hears are the same each time.
DAYS = ("2611", "2711", "3011", "0112")
STEPS = (
    "greeting",
    "pin",
    "child",
    "action",
    "date",
    "confirm",
    "after",
    "listen",
    "goodbye",
    "status",
)


# ------------------------------------------------------------------------------------ servers
def serve(
    app_kind: str, port: int, threads: int, database_url: str, schema: str, times_file: str
) -> None:
    """Run one application under waitress (in this process, until terminated); on SIGTERM, write
    each step's server-side times to ``times_file`` (JSON) and exit."""
    import json
    import signal

    import waitress

    if app_kind == "bare":
        from flask import Flask, Response

        app = Flask("bare")

        @app.post("/ivr/<path:rest>")
        def answer(rest: str) -> Response:
            return Response(BARE_TWIML, mimetype="text/xml")

    elif app_kind == "floor":
        app = _floor_app(port, threads, database_url, schema)
    else:
        app = build_app(database_url, f"http://{HOST}:{port}", schema, threads)
    server_times: dict[str, list[float]] = defaultdict(list)
    app.wsgi_app = _timed(app.wsgi_app, server_times)  # type: ignore[method-assign]

    def dump(_signum: int, _frame: object) -> None:
        Path(times_file).write_text(json.dumps(server_times))
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)
    waitress.serve(
        app,
        host=HOST,
        port=port,
        threads=threads,
        ident="bench",
        connection_limit=1000,
        backlog=2048,
        _quiet=True,
    )


def build_app(database_url: str, base: str, schema: str = "", threads: int = 8) -> Any:
    """The phone line's application on ``database_url`` (the demo loaded by :func:`prepare`),
    signed with :data:`TOKEN`, at the clock :data:`NOW`, answering at the public URL ``base``;
    its pools as ``serve --threads`` makes them, each keeping a connection per thread. PostgreSQL:
    in ``schema`` when given."""
    from restomairie.clock import Clock, parse_now
    from restomairie.config import load_config
    from restomairie.db import make_engine
    from restomairie.runtime import Runtime
    from restomairie.web import create_app

    env = {"DATABASE_URL": database_url, "TWILIO_AUTH_TOKEN": TOKEN}
    settings = load_config("dijon", environ=env)
    kwargs: dict[str, Any] = (
        {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
    )
    engine = make_engine(database_url, concurrency=threads, **kwargs)
    clock = Clock(settings.tz, parse_now(NOW))
    runtime = Runtime.build(settings=settings, clock=clock, engine=engine, concurrency=threads)
    return create_app({"IVR_PUBLIC_URL": base}, runtime=runtime)


def _floor_app(port: int, threads: int, database_url: str, schema: str) -> Any:
    """The least a webhook of this line must do: Twilio's signature checked, and the call's
    state kept in the database by ``CallSid``, written in one statement with the durability the
    line's own call state has (:func:`~restomairie.db.async_commit_engine`: on PostgreSQL one
    round trip in autocommit; on SQLite a write transaction of its own), before the fixed TwiML
    is answered. A booking's durable commit is on top of this."""
    from flask import Flask, Response, abort, request
    from sqlalchemy import text

    from restomairie.db import async_commit_engine, make_engine

    kwargs: dict[str, Any] = {}
    if schema:  # as the phone line's server has it
        kwargs = {
            "connect_args": {"options": f"-csearch_path={schema}"},
            "pool_size": threads + 2,
            "max_overflow": 20,
        }
    engine = make_engine(database_url, **kwargs)
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS bench_floor (sid VARCHAR(64) PRIMARY KEY, n INTEGER)")
        )
    # The durability the line's per-call state has: on PostgreSQL autocommit (one round trip)
    # with synchronous_commit off; on SQLite the engine itself.
    engine = async_commit_engine(engine, pool_size=threads + 2, max_overflow=2 * (threads + 2))
    upsert = text(
        "INSERT INTO bench_floor (sid, n) VALUES (:sid, 1) "
        "ON CONFLICT (sid) DO UPDATE SET n = bench_floor.n + 1"
    )
    validator = RequestValidator(TOKEN)
    base = f"http://{HOST}:{port}"
    app = Flask("floor")

    @app.post("/ivr/<path:rest>")
    def answer(rest: str) -> Response:
        url = base + request.full_path.rstrip("?")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(url, request.form, signature):
            abort(403)
        with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE … COMMIT, as the line's saves
            conn.execute(upsert, {"sid": request.form.get("CallSid", "")})
        return Response(BARE_TWIML, mimetype="text/xml")

    return app


def _timed(wsgi_app: Callable[..., Any], times: dict[str, list[float]]) -> Callable[..., Any]:
    """``wsgi_app`` timed from the call to its response (Flask has built the whole body by
    then), under the step the bench client names (``X-Bench-Step``): the application's own
    share of each request, without HTTP, waitress's queue or the client."""

    def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        start = time.perf_counter()
        response = wsgi_app(environ, start_response)
        times[environ.get("HTTP_X_BENCH_STEP", "?")].append(time.perf_counter() - start)
        return response

    return timed


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(
    app_kind: str,
    threads: int,
    times_file: Path,
    database_url: str = "",
    schema: str = "",
    src: str | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start one application's server; ``src``: the ``src`` folder its ``restomairie`` is
    imported from (another commit's tree), first on its ``PYTHONPATH``."""
    env = None
    if src is not None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (src, os.environ.get("PYTHONPATH", "")) if p
        )}
    port = free_port()
    cmd = [
        sys.executable,
        __file__,
        "serve",
        app_kind,
        str(port),
        str(threads),
        database_url,
        schema,
        str(times_file),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return proc, port
        except OSError:
            if proc.poll() is not None:
                detail = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"server failed: {detail}") from None
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def stop_server(proc: subprocess.Popen[bytes], times_file: Path) -> dict[str, list[float]]:
    """Terminate a server; the server-side times it wrote on its way out."""
    import json

    proc.terminate()
    proc.wait(10)
    if not times_file.exists():
        return {}
    times: dict[str, list[float]] = json.loads(times_file.read_text())
    return times


# ------------------------------------------------------------------------------------ data
@dataclass(frozen=True)
class Caller:
    phone: str
    pin: str
    children: int


def prepare(database_url: str, schema: str) -> list[Caller]:
    """A fresh database with the demo town; the families' phones and codes."""
    from sqlalchemy import text

    from restomairie.clock import Clock, parse_now
    from restomairie.config import load_config
    from restomairie.db import make_engine
    from restomairie.demo import load_demo
    from restomairie.migrate import upgrade
    from restomairie.runtime import Runtime

    if schema:
        admin = make_engine(database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    kwargs: dict[str, Any] = (
        {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
    )
    engine = make_engine(database_url, **kwargs)
    upgrade(engine)
    settings = load_config("dijon", environ={"DATABASE_URL": database_url})
    # Loaded at the calls' own time: the demo locks every cut-off passed by then, and a later
    # clock would lock the days the calls change.
    clock = Clock(settings.tz, parse_now(NOW))
    rt = Runtime.build(settings=settings, clock=clock, engine=engine)
    rt.sync_schools()
    _, listing = load_demo(rt.booking, 50)
    engine.dispose()
    return [Caller(f.phone, f.pin, len(f.children)) for f in listing]


def drop_schema(database_url: str, schema: str) -> None:
    from sqlalchemy import text

    from restomairie.db import make_engine

    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


# ------------------------------------------------------------------------------------ callers
@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server: dict[str, list[float]] = field(default_factory=dict)  # inside the application
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, step: str, seconds: float) -> None:
        with self.lock:
            self.latencies[step].append(seconds)
            self.requests += 1

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Session:
    """One caller's keep-alive connection, posting signed webhooks like Twilio."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base = f"http://{HOST}:{port}"
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.validator = RequestValidator(TOKEN)

    def post(self, path: str, params: dict[str, str], step: str) -> tuple[int, str, float]:
        from urllib.parse import urlencode

        body = urlencode(params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.validator.compute_signature(self.base + path, params),
            "X-Bench-Step": step,  # not signed, not read by the application: the server's timer
        }
        start = time.perf_counter()
        self.conn.request("POST", path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read().decode()
        return response.status, data, time.perf_counter() - start

    def close(self) -> None:
        self.conn.close()


def _pause(think: tuple[float, float], rng: random.Random) -> None:
    low, high = think
    if high > 0:
        time.sleep(rng.uniform(low, high))


def ivr_call(
    port: int, caller: Caller, wave: int, think: tuple[float, float], results: Results, seed: int
) -> None:
    """One scripted call; each request is timed under the step it answers."""
    rng = random.Random(seed)
    _pause((0.0, think[1]), rng)  # calls overlap, but do not all ring in the same millisecond
    session = Session(port)
    sid = "CA" + secrets.token_hex(16)
    base = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": sid,
        "CallStatus": "in-progress",
        "From": caller.phone,
        "To": "+33800210519",
        "Direction": "inbound",
    }
    path, params, step = "/ivr/voice", dict(base), "greeting"
    action_done = False
    after_seen = 0
    try:
        for _ in range(20):
            status, body, seconds = session.post(path, params, step)
            results.record(step, seconds)
            if status != 200:
                results.error(f"{step}: HTTP {status}")
                return
            root = ET.fromstring(body)
            text = " ".join((s.text or "") for s in root.iter("Say"))
            if "problème technique" in text:
                results.error(f"{step}: apology")
                return
            gather = root.find("Gather")
            if gather is None:
                if step != "goodbye":
                    results.error(f"{step}: call ended early: {text[:120]}")
                return
            path = urljoin(path, gather.get("action", ""))
            if "code secret" in text:
                step, digits = "pin", caller.pin
            elif "tapez 9" in text:
                step, digits = "child", "9"
            elif "Pour réserver un repas, tapez 1" in text:
                if not action_done:
                    step, digits = "action", "2" if wave % 2 == 0 else "1"
                    action_done = True
                else:
                    step, digits = "listen", "3"
            elif "Pour quel jour" in text:
                step, digits = "date", DAYS[wave % len(DAYS)]
            elif "Pour confirmer" in text:
                step, digits = "confirm", "1"
            elif "Pour une autre opération" in text:
                after_seen += 1
                step, digits = ("after", "1") if after_seen == 1 else ("goodbye", "2")
            else:
                results.error(f"{step}: unexpected question: {text[:160]}")
                return
            _pause(think, rng)
            params = {**base, "Digits": digits}
        results.error("call did not end")
    finally:
        try:
            status, _, seconds = session.post(
                "/ivr/status", {**base, "CallStatus": "completed", "CallDuration": "60"}, "status"
            )
            results.record("status", seconds)
            if status != 200:
                results.error(f"status: HTTP {status}")
        except OSError as exc:
            results.error(f"status: {exc}")
        session.close()


def bare_call(
    port: int,
    requests: int,
    think: tuple[float, float],
    results: Results,
    seed: int,
    label: str = "bare",
) -> None:
    """``requests`` signed requests of one call to a reference app, recorded under ``label``."""
    rng = random.Random(seed)
    _pause((0.0, think[1]), rng)
    session = Session(port)
    params = {"CallSid": "CA" + secrets.token_hex(16), "Digits": "1"}
    try:
        for _ in range(requests):
            status, body, seconds = session.post("/ivr/step?n=1", params, label)
            results.record(label, seconds)
            if status != 200 or "<Gather" not in body:
                results.error(f"{label}: HTTP {status}")
            _pause(think, rng)
    finally:
        session.close()


def run_wave(target: Callable[[int], None], calls: int) -> float:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(calls)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------ report
def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _server_median(results: Results, step: str) -> str:
    values = results.server.get(step)
    return f"{statistics.median(values) * 1e3:.2f}" if values else "–"


def report(
    name: str, ivr: Results, ivr_wall: float, bare: Results, bare_wall: float, floor: Results
) -> bool:
    bare_lat = bare.latencies["bare"]
    bare_med, bare_p99 = statistics.median(bare_lat) * 1e3, pct(bare_lat, 0.99) * 1e3
    floor_lat = floor.latencies["floor"]
    floor_med = statistics.median(floor_lat) * 1e3
    print(f"\n== {name} ==")
    print(
        f"{'step':<10}{'n':>6}{'median ms':>12}{'p99 ms':>10}{'× bare':>9}{'in app ms':>12}"
        f"{'× floor':>9}"
    )
    ok = not ivr.errors and not bare.errors and not floor.errors
    for step in STEPS:
        values = ivr.latencies.get(step)
        if not values:
            continue
        med, p99 = statistics.median(values) * 1e3, pct(values, 0.99) * 1e3
        ratio = med / bare_med if bare_med else float("inf")
        flag = "" if p99 < 50 and ratio <= 3 else "  ← over target"
        ok = ok and p99 < 50 and ratio <= 3
        print(
            f"{step:<10}{len(values):>6}{med:>12.2f}{p99:>10.2f}{ratio:>9.1f}"
            f"{_server_median(ivr, step):>12}{med / floor_med:>9.1f}{flag}"
        )
    everything = [v for vs in ivr.latencies.values() for v in vs]
    all_med = statistics.median(everything) * 1e3
    print(
        f"{'all steps':<10}{len(everything):>6}{all_med:>12.2f}"
        f"{pct(everything, 0.99) * 1e3:>10.2f}{all_med / bare_med if bare_med else 0:>9.1f}"
        f"{'':>12}{all_med / floor_med:>9.1f}"
    )
    print(
        f"{'bare app':<10}{len(bare_lat):>6}{bare_med:>12.2f}{bare_p99:>10.2f}{'':>9}"
        f"{_server_median(bare, 'bare'):>12}"
    )
    print(
        f"{'floor':<10}{len(floor_lat):>6}{floor_med:>12.2f}{pct(floor_lat, 0.99) * 1e3:>10.2f}"
        f"{floor_med / bare_med if bare_med else 0:>9.1f}{_server_median(floor, 'floor'):>12}"
    )
    print(
        "(median ms and p99 ms: as the caller's side sees each request; in app ms: the median "
        "time inside the WSGI application, without HTTP and the server; floor: signature checked "
        "and the call's state written in one statement, then the bare app's TwiML)"
    )
    print(
        f"throughput: phone line {ivr.requests / ivr_wall:.0f} req/s "
        f"({ivr.requests} requests in {ivr_wall:.1f} s), "
        f"bare app {bare.requests / bare_wall:.0f} req/s"
    )
    print(
        f"errors: phone line {len(ivr.errors)}, bare app {len(bare.errors)}, "
        f"floor {len(floor.errors)}"
    )
    for message in sorted(set(ivr.errors + bare.errors + floor.errors))[:10]:
        print(f"  {message}")
    print("targets (0 errors, p99 < 50 ms, median ≤ 3× bare): " + ("met" if ok else "NOT met"))
    return ok


def bench(name: str, database_url: str, schema: str, args: argparse.Namespace) -> bool:
    """The phone line and its two reference apps on one database. The three servers run side by
    side and take turns wave by wave, in an order that rotates, so that a slower minute of this
    shared machine falls on all three alike instead of on one of them."""
    callers = prepare(database_url, schema)
    kinds: tuple[str, ...] = ("ivr", "bare", "floor")
    if args.compare:
        kinds += ("other",)
    results = {kind: Results() for kind in kinds}
    walls = dict.fromkeys(kinds, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        try:
            for kind in kinds:
                url = "" if kind == "bare" else database_url
                src = args.compare if kind == "other" else None
                servers[kind] = start_server(
                    kind, args.threads, Path(tmp) / kind, url, schema, src
                )
            ivr_waves = 0
            n = len(kinds)
            for wave in range(args.waves):
                for kind in kinds[wave % n :] + kinds[: wave % n]:  # the phone line first at 0
                    ivr_waves += kind == "ivr"
                    port = servers[kind][1]
                    target = _caller(kind, port, wave, ivr_waves, callers, results, args)
                    walls[kind] += run_wave(target, args.calls)
        finally:
            for kind, (proc, _port) in servers.items():
                results[kind].server = stop_server(proc, Path(tmp) / kind)
    ivr, bare, floor = (results[kind] for kind in ("ivr", "bare", "floor"))
    ok = report(name, ivr, walls["ivr"], bare, walls["bare"], floor)
    if args.compare:
        compare(results["other"], ivr, bare, args.compare)
    return ok


def compare(other: Results, ivr: Results, bare: Results, src: str) -> None:
    """Each step's medians, this tree's phone line beside ``src``'s, measured in the same run."""
    bare_med = statistics.median(bare.latencies["bare"]) * 1e3
    print(f"\n-- beside the phone line of {src} (same run, same database) --")
    print(f"{'step':<10}{'median ms':>12}{'other':>9}{'in app ms':>12}{'other':>9}{'× bare':>9}"
          f"{'other':>9}")
    for step in STEPS:
        mine, theirs = ivr.latencies.get(step), other.latencies.get(step)
        if not mine or not theirs:
            continue
        med, omed = statistics.median(mine) * 1e3, statistics.median(theirs) * 1e3
        print(
            f"{step:<10}{med:>12.2f}{omed:>9.2f}{_server_median(ivr, step):>12}"
            f"{_server_median(other, step):>9}{med / bare_med:>9.1f}{omed / bare_med:>9.1f}"
        )
    print(f"errors: {len(other.errors)}")
    for message in sorted(set(other.errors))[:10]:
        print(f"  {message}")


def _caller(
    kind: str,
    port: int,
    wave: int,
    ivr_waves: int,
    callers: list[Caller],
    results: dict[str, Results],
    args: argparse.Namespace,
) -> Callable[[int], None]:
    """What the ``i``-th caller of a wave does: a scripted call to the phone line, or to a
    reference app as many requests as the phone line's calls made on average in its
    ``ivr_waves`` waves so far, paced alike."""
    think = (args.think[0], args.think[1])
    if kind in ("ivr", "other"):
        return lambda i: ivr_call(
            port, callers[i % len(callers)], wave, think, results[kind], wave * 1000 + i
        )
    per_call = max(1, round(results["ivr"].requests / max(1, args.calls * ivr_waves)))
    return lambda i: bare_call(port, per_call, think, results[kind], wave * 1000 + i, kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50, help="simultaneous calls (default 50)")
    parser.add_argument("--waves", type=int, default=4, help="waves of calls (default 4)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        # A caller answers after hearing the question: the shortest prompt takes about 2 s to
        # say. 2–6 s is still faster than a real caller; --think 0.2 1 is a stress test.
        default=(2.0, 6.0),
        metavar=("MIN", "MAX"),
        help="pause between answers, s (default 2 6: as fast as a caller who knows the menu)",
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--compare",
        metavar="SRC",
        help="also run the phone line of another tree's src folder (a git worktree of the "
        "commit before), side by side in the same run, and print both",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "RESTOMAIRIE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    print(
        f"{args.calls} simultaneous calls × {args.waves} waves, waitress {args.threads} threads, "
        f"pause {args.think[0]}–{args.think[1]} s between answers, {os.cpu_count()} CPUs"
    )
    ok = True
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            ok &= bench("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", "", args)
    if "postgresql" in backends:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        try:
            ok &= bench("PostgreSQL", args.pg_url, schema, args)
        finally:
            drop_schema(args.pg_url, schema)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        kind, port, threads, url, schema, times_file = sys.argv[2:8]
        if not re.fullmatch(r"[a-z]+", kind):
            raise SystemExit("bad app kind")
        serve(kind, int(port), int(threads), url, schema, times_file)
    else:
        main()
