"""No request holds two connections of one PostgreSQL pool at once.

Each pool of a web process (the main one, the read-only one, the call state's) keeps a
connection per server thread plus :data:`~restomairie.db.POOL_OVERFLOW` (see
:func:`restomairie.db.make_engine`). That is only enough if a request never waits for a second
connection of a pool while it holds one: as many such requests as threads would hold the whole
pool and each wait for the pool's timeout. Every kind of request is driven here (a whole call
and each of the phone line's webhooks, the staff pages and their changes, an import and its
thread, the kitchen's pages and exports, the scheduler's lock and purge, the commands) with
every checkout and checkin of every pool counted per thread: each pool's most held at once
must be one, per request (per thread for the import's thread and the lock's workers), and the
lock's workers together must fit the scheduler's pools.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from io import BytesIO
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.pool import Pool

from restomairie.cli import main
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings, load_config
from restomairie.db import POOL_OVERFLOW
from restomairie.models import Call
from restomairie.runtime import Runtime
from restomairie.scheduler import (
    LOCK_WORKERS,
    CalendarWatch,
    calendar_job,
    catch_up,
    cutoff_job,
    lock_job,
    purge_job,
)
from restomairie.staff import imports
from tests.conftest import pg_schema_url
from tests.factories import KidSpec, make_family
from tests.ivr_support import Caller, get_signed, line_app, post_signed
from tests.kitchen_support import TOKEN as KITCHEN_TOKEN
from tests.kitchen_support import with_token
from tests.staff_support import csrf, login, make_user, post

PHONE = "+33612345678"
MAIN, READS, CALLS = "main", "read-only", "call state"
POOLS = (MAIN, READS, CALLS)


def pool_of(dbapi_conn: Any) -> str:
    """Which of a process's pools a PostgreSQL connection is of, from the server options its
    pool connects with (see :func:`restomairie.db.read_only_engine` and
    :func:`restomairie.db.async_commit_engine`)."""
    options = dbapi_conn.info.options or ""
    if "synchronous_commit=off" in options:
        return CALLS
    if "default_transaction_read_only=on" in options:
        return READS
    return MAIN


class Held:
    """Every pool's checkouts and checkins (SQLAlchemy's pool events, which
    ``engine.raw_connection()`` fires too: the :class:`~restomairie.db.DirectStatement` and
    :func:`~restomairie.db.lend_connection` paths), counted per thread: what each holds now, the
    most it held at once since a mark, and each pool's most held by all threads together."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # Threads as keys, not their idents: an ended thread's ident is given to the next one.
        self.holder: dict[Any, tuple[threading.Thread, str]] = {}
        self.now: Counter[tuple[threading.Thread, str]] = Counter()
        self.most: Counter[tuple[threading.Thread, str]] = Counter()
        self.together: Counter[str] = Counter()
        self.most_together: Counter[str] = Counter()
        # Per request (this thread) and per other thread: the most held of each pool; and per
        # request, the most of each pool held by all threads together meanwhile.
        self.seen: dict[str, dict[str, int]] = {}
        self.peaks: dict[str, dict[str, int]] = {}
        # Where a thread took a second connection of a pool (the application's frames).
        self.second: dict[tuple[threading.Thread, str], str] = {}
        self.second_seen: dict[str, str] = {}

    def checkout(self, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        key = (threading.current_thread(), pool_of(dbapi_conn))
        with self.lock:
            self.holder[record] = key
            self.now[key] += 1
            if self.now[key] > 1 and key not in self.second:
                self.second[key] = where_from()
            self.most[key] = max(self.most[key], self.now[key])
            self.together[key[1]] += 1
            self.most_together[key[1]] = max(self.most_together[key[1]], self.together[key[1]])

    def checkin(self, _dbapi_conn: Any, record: Any) -> None:
        with self.lock:
            key = self.holder.pop(record, None)
            if key is not None:
                self.now[key] -= 1
                self.together[key[1]] -= 1

    @contextmanager
    def during(self, label: str) -> Iterator[None]:
        """Record the most of each pool this thread holds at once within the block, as
        ``label``'s (and the most all threads hold together meanwhile)."""
        me = threading.current_thread()
        with self.lock:
            for pool in POOLS:
                self.most[me, pool] = self.now[me, pool]
                self.most_together[pool] = self.together[pool]
        yield
        with self.lock:
            self.seen[label] = {pool: self.most[me, pool] for pool in POOLS}
            self.peaks[label] = {pool: self.most_together[pool] for pool in POOLS}
            for pool in POOLS:
                if (me, pool) in self.second:
                    self.second_seen[f"{label} ({pool})"] = self.second.pop((me, pool))

    def other_threads(self) -> None:
        """Record each thread other than this one (the import's, the lock's workers) by name."""
        me = threading.current_thread()
        with self.lock:
            for (thread, pool), most in self.most.items():
                if thread is not me and most:
                    label = f"thread {thread.name}"
                    seen = self.seen.setdefault(label, dict.fromkeys(POOLS, 0))
                    seen[pool] = max(seen[pool], most)
                    if (thread, pool) in self.second:
                        self.second_seen[f"{label} ({pool})"] = self.second.pop((thread, pool))

    def twice(self) -> dict[str, dict[str, int]]:
        """The requests (and threads) that held two connections of a pool or more at once."""
        return {
            label: {pool: n for pool, n in found.items() if n > 1}
            for label, found in self.seen.items()
            if any(n > 1 for n in found.values())
        }

    def report(self) -> str:
        """Who held two, and where the second was taken."""
        return "\n".join(f"{label}: {found}" for label, found in self.twice().items()) + (
            "".join(f"\n-- {label}, second taken at:\n{stack}"
                    for label, stack in self.second_seen.items())
        )


def where_from() -> str:
    """The application's frames of the current stack, innermost last."""
    frames = traceback.extract_stack()[:-2]
    return "\n".join(
        f"  {f.filename.split('/src/')[-1]}:{f.lineno} {f.name}"
        for f in frames
        if "/restomairie/" in f.filename
    )


@pytest.fixture
def held() -> Iterator[Held]:
    counted = Held()
    # On the Pool class: every pool, the ones the commands make included.
    event.listen(Pool, "checkout", counted.checkout)
    event.listen(Pool, "checkin", counted.checkin)
    try:
        yield counted
    finally:
        event.remove(Pool, "checkout", counted.checkout)
        event.remove(Pool, "checkin", counted.checkin)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return with_token(load_config("dijon", environ={}))


@pytest.fixture
def app(rt: Runtime) -> Flask:
    return line_app(rt)


def _call(held: Held, app: Flask, rt: Runtime, name: str, number: str = PHONE) -> Caller:
    caller = Caller(app.test_client(), rt.settings, number)
    with held.during(f"{name}: /ivr/voice"):
        caller.start()
    return caller


def _step(held: Held, label: str, caller: Caller, *keys: str, say: str | None = None) -> str:
    """Press ``keys`` (or say ``say``), each answer counted as ``label``'s; what the line said
    last."""
    for key in keys:
        with held.during(f"{label}: /ivr/step {key}"):
            caller.press(key)
    if say is not None:
        with held.during(f"{label}: /ivr/step « {say} »"):
            caller.say(say)
    assert caller.last is not None
    return caller.last.text


def drive_the_phone_line(held: Held, app: Flask, rt: Runtime) -> None:
    # Identified by caller ID, the code, a child chosen, a meal booked then one cancelled, the
    # bookings listened to, a cancellation refused (too late), a day not served, goodbye.
    call = _call(held, app, rt, "call")
    assert "Pour Hugo" in _step(held, "call, code and child", call, "1234", "1")
    said = _step(held, "call, booking", call, "1", "3011", "1")
    assert "Hugo du lundi 30 novembre est réservé" in said
    _step(held, "call, back to the menu", call, "1")
    said = _step(held, "call, cancelling", call, "2", "3011", "1")
    assert "Hugo du lundi 30 novembre est annulé" in said
    _step(held, "call, back to the menu", call, "1")
    assert "aucun repas réservé" in _step(held, "call, listening", call, "3")
    assert "Trop tard" in _step(held, "call, refused too late", call, "1", "1", "2411")
    said = _step(held, "call, refused no canteen", call, "0212")
    assert "pas de restauration scolaire" in said
    said = _step(held, "call, all the children", call, "0", "4", "9", "2", "2711", "1")
    assert "Léa du vendredi 27 novembre est annulé" in said, said
    with held.during("call: /ivr/status"):
        assert call.hang_up().status_code == 200
    # Speech: a question, a request read back and confirmed.
    spoken = _call(held, app, rt, "speech")
    _step(held, "speech, code", spoken, "1234")
    said = _step(held, "speech, question", spoken, say="qu'est-ce qui est réservé lundi")
    assert "Léa : des repas sont réservés" in said, said
    with held.during("speech: /ivr/fallback"):
        post_signed(app.test_client(), "/ivr/fallback", spoken.params())
    with held.during("speech: /ivr/status"):
        spoken.hang_up()
    # A number the line does not know: the account, a wrong code three times (the lock).
    stranger = _call(held, app, rt, "unknown number", "+33198765432")
    said = _step(held, "unknown number, account and wrong codes", stranger, "210001", "9999",
                 "9998", "9997")
    assert "Ce code n'est pas le bon" in said, said
    with held.during("unknown number: /ivr/status"):
        stranger.hang_up()
    # A GET (refused), an unsigned POST (403), a webhook without CallSid.
    client = app.test_client()
    with held.during("GET /ivr/voice"):
        get_signed(client, "/ivr/voice", Caller(client, rt.settings).params())
    with held.during("unsigned /ivr/voice"):
        assert client.post("/ivr/voice", data={"CallSid": "CA1"}).status_code == 403


def drive_the_staff_pages(held: Held, app: Flask, rt: Runtime) -> None:
    make_user(rt, "marie", "staff")
    make_user(rt, "chef", "admin")
    marie = app.test_client()
    with held.during("GET /staff/login"):
        csrf(marie)
    with held.during("POST /staff/login (wrong password)"):
        marie.post("/staff/login", data={"username": "marie", "password": "non",
                                         "csrf_token": csrf(marie)})
    with held.during("POST /staff/login"):
        assert login(marie, "marie").status_code == 302
    pages = [
        "/staff/", "/staff/calls", "/staff/calls?phone=0612345678", "/staff/families",
        "/staff/families?q=lea", "/staff/families/210001",
        "/staff/families/210001/children/E1?month=2026-11", "/staff/closures", "/staff/audit",
        "/staff/audit?account=210001", "/staff/phone", "/staff/password",
    ]
    for page in pages:
        with held.during(f"GET {page}"):
            assert marie.get(page).status_code == 200, page
    with rt.sessions() as session:
        sid = session.scalars(select(Call.call_sid).limit(1)).one()
    with held.during("GET /staff/calls/<sid>"):
        assert marie.get(f"/staff/calls/{sid}").status_code == 200
    changes: list[tuple[str, dict[str, Any]]] = [
        ("/staff/families/210001/change",
         {"action": "book", "child": "E1", "day": "2026-12-01"}),
        ("/staff/families/210001/change",
         {"action": "cancel", "child": "*", "day": "2026-12-03", "until": "2026-12-04"}),
        ("/staff/families/210001/change",
         {"action": "cancel", "child": "E1", "day": "2026-11-24", "override": "1",
          "reason": "maladie"}),
        ("/staff/families/210001/change",
         {"action": "cancel", "child": "E1", "day": "2026-11-24"}),  # refused: too late
        ("/staff/families/210001/subscription",
         {"child": "E2", "mode": "set", "weekdays": ["0", "1", "3"], "start": "2026-12-07"}),
        ("/staff/families/210001/unlock", {"reason": "parent rappelé"}),
        ("/staff/families/210001/export", {}),
        ("/staff/closures", {"school": "anjou-elem", "first_day": "2026-12-10",
                             "kind": "strike", "note": "grève"}),
        ("/staff/closures", {"school": "anjou-elem", "first_day": "2026-11-20",
                             "kind": "strike"}),  # refused: past
    ]
    for url, data in changes:
        with held.during(f"POST {url} {sorted(data.items())}"):
            assert post(marie, url, data).status_code in (200, 302), url
    # The keypad that calls the line: requests within the request.
    with held.during("POST /staff/phone/call"):
        answer = marie.post("/staff/phone/call", json={"account": "210001"},
                            headers={"X-CSRF-Token": csrf(marie)}).get_json()
    for keys in ("9999", "1234", "1", "1", "0312", "1"):
        (gather,) = [verb for verb in answer["script"] if verb["verb"] == "gather"]
        with held.during(f"POST /staff/phone/send {keys}"):
            answer = marie.post("/staff/phone/send",
                                json={"sid": answer["sid"], "url": gather["action"],
                                      "digits": keys},
                                headers={"X-CSRF-Token": csrf(marie)}).get_json()
    said = " ".join(p["text"] for verb in answer["script"] for p in verb.get("prompts", []))
    assert "Hugo du jeudi 3 décembre est réservé" in said, said
    with held.during("POST /staff/phone/hangup"):
        marie.post("/staff/phone/hangup", json={"sid": answer["sid"]},
                   headers={"X-CSRF-Token": csrf(marie)})
    with held.during("POST /staff/password"):
        post(marie, "/staff/password", {"current": "correct horse battery", "new": "x",
                                        "confirm": "y"})
    with held.during("POST /staff/logout"):
        post(marie, "/staff/logout")
    # The administrator: users, unlocks, an import checked, confirmed and followed.
    chef = app.test_client()
    assert login(chef, "chef").status_code == 302
    for page in ("/staff/users", "/staff/import"):
        with held.during(f"GET {page}"):
            assert chef.get(page).status_code == 200
    admin_posts: list[tuple[str, dict[str, Any]]] = [
        ("/staff/users", {"username": "paul", "role": "staff",
                          "password": "un mot de passe assez long"}),
        ("/staff/users/paul/role", {"role": "kitchen"}),
        ("/staff/users/paul/password", {"password": "un autre mot de passe long"}),
        ("/staff/users/paul/unlock", {"reason": "oubli"}),
        ("/staff/users/unlock-address", {"address": "10.0.0.9", "reason": "test"}),
        ("/staff/users/unlock-kitchen-token", {"address": "10.0.0.9", "reason": "test"}),
        ("/staff/users/paul/delete", {}),
    ]
    for url, data in admin_posts:
        with held.during(f"POST {url}"):
            assert post(chef, url, data).status_code == 302, url
    header = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
    rows = header + "".join(
        f"3{i:05d};1234;06123{i:05d};Mme A{i};C{i};Enfant{i};A;;anjou-elem;standard;lun mar\n"
        for i in range(1, 40)
    )
    with held.during("POST /staff/import"):
        page = post(chef, "/staff/import", {"file": (BytesIO(rows.encode()), "f.csv")},
                    content_type="multipart/form-data").get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    with held.during("POST /staff/import/confirm"):
        job_url = post(chef, "/staff/import/confirm", {"token": token}).headers["Location"]
    for _ in range(500):
        with held.during("GET /staff/import/jobs/<id>?format=json"):
            state = chef.get(job_url + "?format=json").get_json()["state"]
        if state != "running":
            break
        time.sleep(0.01)
    assert state == "done"
    with held.during("GET /staff/import/jobs/<id>"):
        assert chef.get(job_url).status_code == 200


def drive_the_kitchen_and_the_rest(held: Held, app: Flask) -> None:
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {KITCHEN_TOKEN}"}
    requests = [
        ("/kitchen/counts?date=2026-11-26", bearer),
        ("/kitchen/counts?date=2026-11-26&format=csv", bearer),
        ("/kitchen/counts?date=2026-11-26", {"Authorization": "Bearer faux"}),
        (f"/kitchen/?token={KITCHEN_TOKEN}", {}),
        ("/kitchen/?from=2026-11-23", {}),
        ("/kitchen/sheet/2026-11-26", {}),
        ("/kitchen/sheet/2026-11-26?school=anjou-elem", {}),
        ("/", {}),
        ("/healthz", {}),
        ("/favicon.ico", {}),
    ]
    for url, headers in requests:
        with held.during(f"GET {url}"):
            client.get(url, headers=headers).close()
    with client.session_transaction() as cookie:
        token = cookie.get("csrf_token", "")
    with held.during("POST /kitchen/logout"):
        client.post("/kitchen/logout", data={"csrf": token})
    other = app.test_client()
    other.get("/kitchen/")
    with held.during("POST /kitchen/login"):
        other.post("/kitchen/login", data={"token": KITCHEN_TOKEN, "csrf_token": csrf(other)})


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_no_request_holds_two_connections_of_one_pool(
    held: Held, app: Flask, rt: Runtime, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen failing before the import's progress was written on the call state's pool: the
    import's thread held two connections of the main pool (its transaction, and its
    progress's)."""
    # The import's thread writes its progress beside its transaction: every 10 rows here.
    monkeypatch.setattr(imports, "PROGRESS_ROWS", 10)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1000.0)
    # Come on Monday morning: the lock has Thursday 26 and Friday 27 to lock, no catch-up.
    make_family(rt, "210001", "1234", (PHONE,),
                (KidSpec("E1", "Léa"), KidSpec("E2", "Hugo", weekdays=0)),
                created_at=datetime(2026, 11, 23, 9, 0, tzinfo=PARIS))
    drive_the_phone_line(held, app, rt)
    drive_the_staff_pages(held, app, rt)
    drive_the_kitchen_and_the_rest(held, app)
    # The scheduler: Thursday 26 and Friday 27 locked at once, the schools side by side.
    clock.frozen = datetime(2026, 11, 24, 13, 5, tzinfo=PARIS)
    with held.during("scheduler: lock_job"):
        assert lock_job(rt, workers=LOCK_WORKERS)
    with held.during("scheduler: catch_up"):
        catch_up(rt)
    with held.during("scheduler: purge_job"):
        purge_job(rt)
    watch = CalendarWatch(rt)
    with held.during("scheduler: cutoff_job"):
        cutoff_job(rt, watch)
    with held.during("scheduler: calendar_job"):
        calendar_job(rt, watch)
    held.other_threads()
    assert held.seen, "nothing was counted"
    assert held.twice() == {}, held.report()
    # The lock's workers together never need more than the scheduler's pools keep.
    assert held.peaks["scheduler: lock_job"][MAIN] <= LOCK_WORKERS


@pytest.fixture
def town_url(tmp_path: Any) -> Iterator[str]:
    """The URL of an empty PostgreSQL database of its own (a schema, named in the URL as a
    deployment names it), for the commands to initialise."""
    with pg_schema_url() as url:
        yield url


def test_the_commands_hold_one_connection_of_each_pool(
    held: Held, town_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """A guard (it passed before the import's progress moved pools): each command holds at
    most one connection of each pool at once; together, only ``lock``'s workers take more
    than one (its pools keep one connection, and the overflow serves the others)."""
    monkeypatch.setenv("DATABASE_URL", town_url)
    for name in ("RESTOMAIRIE_CONFIG", "RESTOMAIRIE_THREADS", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    families = tmp_path / "familles.csv"
    families.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "300001;1234;0612345670;Mme A;C1;Enfant;A;;anjou-elem;standard;lun mar jeu ven\n"
    )
    runner = CliRunner()
    # Monday 23 November 10:00, then Tuesday 24 at 13:05: Thursday 26 and Friday 27 to lock.
    monday, tuesday = "2026-11-23T10:00:00+01:00", "2026-11-24T13:05:00+01:00"
    commands: list[tuple[str, tuple[str, ...], str]] = [
        (monday, ("init-db",), ""),
        (monday, ("import", str(families)), ""),
        (monday, ("counts", "2026-11-26"), ""),
        (monday, ("deadline", "2026-11-26"), ""),
        (monday, ("calendar", "2026-11-23", "2026-11-27"), ""),
        (monday, ("bookings", "300001"), ""),
        (monday, ("create-user", "paul", "--role", "staff", "--password-stdin"),
         "un mot de passe long\n"),
        (monday, ("call", "--from", "+33612345670", "1234", "2", "2611", "1"), "2\n"),
        (tuesday, ("lock",), ""),
        (tuesday, ("purge",), ""),
    ]
    runtimes: list[Runtime] = []
    try:
        for now, args, typed in commands:
            monkeypatch.setenv("RESTOMAIRIE_NOW", now)
            obj: dict[str, Any] = {}
            with held.during("command " + args[0]):
                res = runner.invoke(main, list(args), obj=obj, input=typed)
            if obj.get("runtime") is not None:
                runtimes.append(obj["runtime"])
            assert res.exit_code == 0, (args, res.output)
            if args[0] == "call":
                assert "Enfant du jeudi 26 novembre est annulé" in res.output, res.output
    finally:
        for each in runtimes:
            each.engine.dispose()
    held.other_threads()
    assert held.twice() == {}, held.report()
    # Together: only the lock's workers take more than one connection of a pool, at most
    # LOCK_WORKERS, which the pools of a command (one connection, and POOL_OVERFLOW more) serve.
    together = {label: peak for label, peak in held.peaks.items() if max(peak.values()) > 1}
    assert set(together) == {"command lock"}, together
    assert together["command lock"][MAIN] == LOCK_WORKERS, together
    assert LOCK_WORKERS <= 1 + POOL_OVERFLOW
