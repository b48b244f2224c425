"""The production lock and the kitchen's counts at town scale (lock < 2 s, counts < 100 ms).

Loads 100,000 children (10 schools, four menu variants, weekly subscriptions and day-level
exceptions) with bulk inserts into a fresh database built by the migrations. Then, for several
meal days in turn, it times the scheduler's lock at the cut-off (``scheduler.lock_job``: every
school of the day, one transaction each, side by side on PostgreSQL; ``--sequential`` times
``LockService.lock_due``, one school after the other), and ``GET /kitchen/counts`` of the locked
day through the real application served by waitress (JSON and CSV, keep-alive HTTP). It also
times the counts of a day not locked yet (the live aggregate), for scale. Medians are printed.

Run::

    python bench/lock_bench.py                       # SQLite (a temporary file)
    python bench/lock_bench.py --pg postgresql://postgres@127.0.0.1:5432/test
    RESTOMAIRIE_TEST_DATABASE_URL=... python bench/lock_bench.py   # SQLite, then PostgreSQL

On PostgreSQL the data goes into a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

from restomairie.booking.services import hash_pin
from restomairie.clock import PARIS, Clock
from restomairie.config import load_config
from restomairie.db import make_engine
from restomairie.migrate import upgrade
from restomairie.models import BookingDay, Child, Family, Subscription
from restomairie.runtime import Runtime
from restomairie.scheduler import lock_job
from restomairie.web import create_app

TOKEN = "bench-kitchen-token"
START = date(2026, 11, 23)  # children enrolled and subscribed from this Monday
FIRST_DAY = date(2026, 11, 26)  # the first meal day locked (cut-off: Monday 23, 13:00)
DIETS = ("standard",) * 39 + ("sans_porc",) * 5 + ("vegetarien",) * 4 + ("pai",) * 2
PATTERNS = (0b11011,) * 17 + (0b01001,) * 2 + (0,)  # Mon/Tue/Thu/Fri, Mon/Thu, day by day
BATCH = 10_000


def batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


def load(rt: Runtime, children: int, days: list[date], seed: int = 1) -> float:
    """Bulk-load the town; returns the seconds it took."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
    now = datetime(2026, 11, 1, 9, 0, tzinfo=PARIS)
    pin = hash_pin("1234")  # one hash for all: hashing 50,000 codes is not what we measure
    schools = [s.id for s in rt.settings.schools]
    n_families = children // 2
    families = [
        {"id": i + 1, "account": f"{300000 + i}", "pin_hash": pin, "guardian": f"Famille {i}",
         "language": "fr", "failed_pins": 0, "created_at": now}
        for i in range(n_families)
    ]
    kids, subs, exceptions = [], [], []
    for i in range(children):
        family = i // 2 + 1
        kids.append({
            "id": i + 1, "ref": f"B{i:06d}", "family_id": family, "first_name": f"Enfant{i}",
            "last_name": "Banc", "birth_date": None,
            "school_id": schools[(family - 1) % len(schools)],
            "diet": rng.choice(DIETS), "enrolled_from": START, "enrolled_until": None,
            "school_since": now,
        })
        pattern = rng.choice(PATTERNS)
        if pattern:
            subs.append(
                {"child_id": i + 1, "weekdays": pattern, "starts_on": START, "ends_on": None}
            )
        for day in days:
            r = rng.random()
            if r < 0.08:  # cancelled (ill, away): an explicit "not booked" for that day
                exceptions.append({"child_id": i + 1, "day": day, "booked": False,
                                   "channel": "phone", "updated_at": now})
            elif r < 0.11:  # an extra meal
                exceptions.append({"child_id": i + 1, "day": day, "booked": True,
                                   "channel": "web", "updated_at": now})
    with rt.engine.begin() as conn:
        for table, rows in ((Family, families), (Child, kids), (Subscription, subs),
                            (BookingDay, exceptions)):
            for chunk in batches(rows):
                conn.execute(insert(table), chunk)  # executemany (insertmanyvalues)
        if rt.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('families', 'id'), :n)"),
                         {"n": n_families})
            conn.execute(text("SELECT setval(pg_get_serial_sequence('children', 'id'), :n)"),
                         {"n": children})
    with rt.engine.connect() as conn:  # fresh statistics, as autovacuum would have them
        conn.execute(text("ANALYZE"))
        conn.commit()
    return time.perf_counter() - t0


class Server:
    """The application on waitress, on a free local port."""

    def __init__(self, rt: Runtime) -> None:
        from waitress.server import create_server

        self.server = create_server(create_app(runtime=rt), host="127.0.0.1", port=0, threads=4)
        self.port = int(self.server.effective_port)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def get(self, conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes, float]:
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body, time.perf_counter() - t0

    def close(self) -> None:
        self.server.task_dispatcher.shutdown(timeout=5)
        self.server.close()
        self.thread.join(timeout=5)


def time_requests(server: Server, path: str, n: int) -> tuple[float, float, bytes]:
    """Median and 95th percentile (seconds) of ``n`` requests after 3 warm-ups."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        body = b""
        for _ in range(3):
            status, body, _ = server.get(conn, path)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status} {body[:200]!r}")
        samples = [server.get(conn, path)[2] for _ in range(n)]
    finally:
        conn.close()
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], body


@contextmanager
def database(backend: str, pg_url: str | None) -> Iterator[tuple[Engine, str]]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            try:
                yield engine, "SQLite (file, WAL)"
            finally:
                engine.dispose()
        return
    assert pg_url
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(pg_url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar()).split()[0]
        yield engine, f"PostgreSQL {version}"
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def bench(
    backend: str, pg_url: str | None, children: int, runs: int, requests: int, sequential: bool
) -> dict[str, Any]:
    settings = load_config("dijon", environ={})
    settings = dataclasses.replace(
        settings, secrets={**settings.secrets, "RESTOMAIRIE_KITCHEN_TOKEN": TOKEN}
    )
    with database(backend, pg_url) as (engine, label):
        print(f"\n== {label}")
        upgrade(engine)
        clock = Clock(PARIS, datetime(2026, 11, 20, 9, 0, tzinfo=PARIS))
        rt = Runtime.build(settings=settings, clock=clock, engine=engine)
        rt.sync_schools()
        school = settings.schools[0].id
        days: list[date] = []
        day = FIRST_DAY
        while len(days) < runs + 1:  # the last one stays provisional
            if rt.booking.day_status(day, school).operating:
                days.append(day)
            day += timedelta(days=1)
        seconds = load(rt, children, days)
        print(f"loaded {children:,} children, {len(settings.schools)} schools in {seconds:.1f} s")

        lock_times, totals = [], []
        for day in days[:runs]:
            cutoff = rt.booking.lock_deadline(day, school).deadline
            assert cutoff is not None
            rt.locks.lock_due(now=cutoff - timedelta(seconds=1))  # earlier days: not timed
            rt.clock.frozen = cutoff + timedelta(seconds=1)
            t0 = time.perf_counter()
            locked = rt.locks.lock_due() if sequential else lock_job(rt)
            elapsed = time.perf_counter() - t0
            assert {r.day for r in locked} == {day} and len(locked) == len(settings.schools)
            lock_times.append(elapsed)
            totals.append(sum(r.total for r in locked))
            print(f"  lock {day}  {elapsed:6.3f} s  {totals[-1]:,} meals in "
                  f"{len(locked)} schools")

        server = Server(rt)
        try:
            json_m, json_p95, body = time_requests(
                server, f"/kitchen/counts?date={days[0].isoformat()}", requests
            )
            data = json.loads(body)
            assert data["locked"] and data["total"] == totals[0], (data["total"], totals[0])
            csv_m, csv_p95, _ = time_requests(
                server, f"/kitchen/counts?date={days[0].isoformat()}&format=csv", requests
            )
            prov_m, prov_p95, body = time_requests(
                server, f"/kitchen/counts?date={days[-1].isoformat()}", max(requests // 3, 5)
            )
            assert not json.loads(body)["locked"]
        finally:
            server.close()
    result = {
        "backend": label,
        "lock": statistics.median(lock_times),
        "json": json_m, "json_p95": json_p95,
        "csv": csv_m, "csv_p95": csv_p95,
        "provisional": prov_m, "provisional_p95": prov_p95,
    }
    print(f"  lock of a day (median of {runs})        {result['lock']:7.3f} s    target < 2 s")
    print(f"  GET counts JSON, locked day (median)   {json_m * 1e3:7.1f} ms   "
          f"p95 {json_p95 * 1e3:.1f} ms   target < 100 ms")
    print(f"  GET counts CSV, locked day (median)    {csv_m * 1e3:7.1f} ms   "
          f"p95 {csv_p95 * 1e3:.1f} ms")
    print(f"  GET counts JSON, provisional (median)  {prov_m * 1e3:7.1f} ms   "
          f"p95 {prov_p95 * 1e3:.1f} ms   (live aggregate, for scale)")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="meal days locked (one timing each)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per kind")
    parser.add_argument("--pg", help="PostgreSQL URL (default: RESTOMAIRIE_TEST_DATABASE_URL)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--sequential", action="store_true",
                        help="time LockService.lock_due (one school after the other)")
    args = parser.parse_args(argv)
    pg_url = args.pg or os.environ.get("RESTOMAIRIE_TEST_DATABASE_URL")
    backends = ["sqlite", "postgresql"] if pg_url else ["sqlite"]
    if args.only:
        if args.only == "postgresql" and not pg_url:
            parser.error("--only postgresql needs --pg or RESTOMAIRIE_TEST_DATABASE_URL")
        backends = [args.only]
    mode = "LockService.lock_due (sequential)" if args.sequential else "scheduler.lock_job"
    print(f"lock_bench: {args.children:,} children, {args.runs} meal days, "
          f"{args.requests} requests per kind, lock by {mode}; Python {sys.version.split()[0]}")
    results = [
        bench(b, pg_url, args.children, args.runs, args.requests, args.sequential)
        for b in backends
    ]
    print("\nsummary (medians)")
    print(f"  {'backend':<24}{'lock':>10}{'counts JSON':>14}{'counts CSV':>13}{'provisional':>14}")
    ok = True
    for r in results:
        print(f"  {r['backend']:<24}{r['lock']:>9.3f}s{r['json'] * 1e3:>12.1f}ms"
              f"{r['csv'] * 1e3:>11.1f}ms{r['provisional'] * 1e3:>12.1f}ms")
        ok = ok and r["lock"] < 2 and r["json"] < 0.1 and r["csv"] < 0.1
    print("targets met" if ok else "TARGETS MISSED: lock < 2 s, counts < 100 ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
