"""The staff import across web processes: two :class:`ImportDesk` (two processes, each with its
own memory) over one database. A file checked on one is confirmed on the other, followed from
either, imported once whatever the confirmations; expired files and old jobs are purged; a job
whose process died is shown interrupted."""

from __future__ import annotations

import html
import re
import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from restomairie.booking.importer import check_file, school_days
from restomairie.booking.services import PEPPERED_SCHEME, PLAIN_SCHEME, Actor, hash_pin
from restomairie.models import AuditEntry, Child, Family, ImportJob, PendingImport
from restomairie.retention import IMPORT_JOBS_KEPT, purge_imports
from restomairie.runtime import Runtime
from restomairie.scheduler import purge_job
from restomairie.staff import imports
from restomairie.staff.imports import (
    INTERRUPTED,
    OVERTAKEN,
    PENDING_TTL,
    STALE_AFTER,
    ImportDesk,
    pending_data,
    token_hash,
)
from tests.ivr_support import Caller, line_app
from tests.staff_support import login, make_user, post

HEADER = "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
ADMIN = Actor("staff", "admin", "import")


def csv_file(n: int = 3, first: int = 1) -> bytes:
    lines = [f"3{i:05d};1234;06123{i:05d};Mme A{i};C{i};Enfant{i};A;;anjou-elem;standard;lun mar\n"
             for i in range(first, first + n)]
    return (HEADER + "".join(lines)).encode()


def count(rt: Runtime, model: Any, *where: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def imported(rt: Runtime) -> int:
    return count(rt, AuditEntry, AuditEntry.action == "import")


# A code's hash as hash_pin writes it: the only place a code may be in a waiting file.
HASHED = re.compile(rb"pbkdf2_sha256(?:_pepper)?\$[0-9]+\$[0-9a-f]+\$[0-9a-f]+")


def without_hashes(data: bytes) -> bytes:
    """A waiting file without its codes' hashes (random hex may hold any four digits)."""
    return HASHED.sub(b"", data)


def checked(desk: ImportDesk, data: bytes, owner: str = "staff:admin") -> str:
    preview = desk.check(data, "familles.csv", owner)
    assert preview.ok and preview.token, preview.errors
    return preview.token


def test_a_file_checked_on_one_process_is_confirmed_on_another_and_followed_from_either(
    rt: Runtime,
) -> None:
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    token = checked(one, csv_file(3))
    with rt.sessions() as s:  # waiting in the database, the token itself nowhere
        (pending,) = s.scalars(select(PendingImport))
        assert pending.token_hash == token_hash(token) != token
        assert pending.owner == "staff:admin" and pending.filename == "familles.csv"
        assert b"1234" not in without_hashes(pending.data)  # the codes only hashed
    job = other.run_now(token, ADMIN)
    assert job.state == "done", job.error
    for desk in (one, other):
        seen = desk.job(job.id, "staff:admin")
        assert seen is not None and seen.state == "done" and seen.done == seen.total == 3
        assert seen.as_dict()["percent"] == 100
        assert seen.report is not None and seen.report.children_created == 3
        assert seen.as_dict()["report"]["families_created"] == 3
        assert [r.child for r in seen.rows] == ["C1", "C2", "C3"]
        assert all(r.family_new and r.child_new for r in seen.rows)
        assert desk.job(job.id, "staff:autre") is None  # someone else's job is not shown
    assert count(rt, Family) == 3 and imported(rt) == 1
    assert count(rt, PendingImport) == 0  # the file is gone with its confirmation


def test_the_changes_of_a_finished_import_are_shown_by_the_other_process(rt: Runtime) -> None:
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    other.run_now(checked(one, csv_file(2)), ADMIN)
    renamed = csv_file(2).replace(b"Enfant1;", b"Nathaniel;")
    job = one.run_now(checked(other, renamed), ADMIN)
    seen = other.job(job.id, "staff:admin")
    assert seen is not None and seen.state == "done"
    assert seen.child_changes_total == 1 and seen.family_changes_total == 0
    (change,) = seen.child_changes
    assert change.line == 2 and "prénom modifié : Enfant1 → Nathaniel" in change.changes
    assert not any(r.child_new for r in seen.rows)


def test_a_second_confirmation_on_either_process_imports_nothing(rt: Runtime) -> None:
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    token = checked(one, csv_file(2))
    assert one.run_now(token, ADMIN).state == "done"
    for desk in (one, other):
        with pytest.raises(KeyError):
            desk.start(token, ADMIN)
    assert imported(rt) == 1 and count(rt, ImportJob) == 1


def test_two_simultaneous_confirmations_from_two_processes_import_once(rt: Runtime) -> None:
    desks = [ImportDesk(rt.booking), ImportDesk(rt.booking)]
    results: list[Any] = []
    for _ in range(5):  # a few rounds: the race must be lost by one, whatever the timing
        token = checked(desks[0], csv_file(2))
        barrier = threading.Barrier(2)
        started: list[Any] = []

        def confirm(desk: ImportDesk, token: str = token, started: list[Any] = started,
                    barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                started.append((desk, desk.start(token, ADMIN)))
            except KeyError:
                started.append(None)

        threads = [threading.Thread(target=confirm, args=(d,)) for d in desks]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        winners = [s for s in started if s is not None]
        assert len(started) == 2 and len(winners) == 1
        desk, job = winners[0]
        results.append(desk.wait(job.id).state)
    assert results == ["done"] * 5
    assert imported(rt) == 5 and count(rt, ImportJob) == 5


def test_another_user_cannot_confirm_the_file_and_its_owner_still_can(rt: Runtime) -> None:
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    token = checked(one, csv_file(1))
    with pytest.raises(KeyError):
        other.start(token, Actor("staff", "someone-else", "import"))
    with pytest.raises(KeyError):
        other.start("not-a-token", ADMIN)
    assert count(rt, PendingImport) == 1 and count(rt, Family) == 0
    assert other.run_now(token, ADMIN).state == "done"


def test_a_file_waits_for_an_hour_then_expires(rt: Runtime) -> None:
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    start = rt.clock.now()
    kept, lost = checked(one, csv_file(1)), checked(one, csv_file(1, first=2))
    rt.clock.frozen = start + timedelta(seconds=PENDING_TTL - 1)
    assert other.run_now(kept, ADMIN).state == "done"
    rt.clock.frozen = start + timedelta(seconds=PENDING_TTL)
    with pytest.raises(KeyError):
        other.start(lost, ADMIN)
    assert count(rt, Family) == 1


def test_at_most_max_pending_files_wait_the_oldest_goes(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_PENDING", 2)
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    start = rt.clock.now()
    tokens = []
    for i in range(3):
        rt.clock.frozen = start + timedelta(seconds=i)
        tokens.append(checked((one, other)[i % 2], csv_file(1, first=i + 1),
                              owner=f"staff:u{i}"))
    assert count(rt, PendingImport) == 2
    with pytest.raises(KeyError):
        one.start(tokens[0], Actor("staff", "u0", "import"))
    assert one.run_now(tokens[2], Actor("staff", "u2", "import")).state == "done"


def test_expired_files_and_old_jobs_are_purged_at_night_and_as_files_come(rt: Runtime) -> None:
    one = ImportDesk(rt.booking)
    start = rt.clock.now()
    job = one.run_now(checked(one, csv_file(1)), ADMIN)
    checked(one, csv_file(1, first=2))  # never confirmed
    assert purge_job(rt).calls == 0  # nothing is old yet
    assert count(rt, PendingImport) == 1 and count(rt, ImportJob) == 1
    rt.clock.frozen = start + timedelta(seconds=PENDING_TTL) + timedelta(minutes=1)
    purge_job(rt)  # the nightly purge
    assert count(rt, PendingImport) == 0 and count(rt, ImportJob) == 0
    assert one.job(job.id, "staff:admin") is None
    # Without the scheduler, the next file checked purges as well.
    rt.clock.frozen = start
    job = one.run_now(checked(one, csv_file(1, first=3)), ADMIN)
    checked(one, csv_file(1, first=4))
    rt.clock.frozen = start + IMPORT_JOBS_KEPT + timedelta(minutes=1)
    checked(one, csv_file(1, first=5))
    assert count(rt, ImportJob) == 0 and count(rt, PendingImport) == 1


def running_job(rt: Runtime, owner: str = "staff:admin") -> str:
    """A job left "running" by a process that died (nobody runs it any more)."""
    now = rt.clock.now()
    with rt.sessions() as s, s.begin():
        s.add(ImportJob(id="dead-job", owner=owner, filename="f.csv", state="running", done=40,
                        total=100, result={"rows": []}, started_at=now, updated_at=now))
    return "dead-job"


def test_a_job_whose_process_died_is_shown_interrupted_then_purged(rt: Runtime) -> None:
    desk = ImportDesk(rt.booking)
    job_id = running_job(rt)
    start = rt.clock.now()
    rt.clock.frozen = start + timedelta(seconds=STALE_AFTER)
    job = desk.job(job_id, "staff:admin")
    assert job is not None and job.state == "running" and job.done == 40
    rt.clock.frozen = start + timedelta(seconds=STALE_AFTER + 1)
    job = desk.job(job_id, "staff:admin")
    assert job is not None and job.state == "failed" and job.interrupted
    assert job.error == INTERRUPTED and "aucune ligne n'a été écrite" in INTERRUPTED
    assert job.as_dict()["interrupted"] is True
    assert purge_imports(rt.sessions, rt.clock.now()).jobs == 0  # shown for a while
    rt.clock.frozen = start + IMPORT_JOBS_KEPT + timedelta(seconds=1)
    assert purge_imports(rt.sessions, rt.clock.now()).jobs == 1


def test_progress_is_written_apart_from_the_import_and_read_by_the_other_process(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "PROGRESS_ROWS", 1)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1000.0)
    reached, release = threading.Event(), threading.Event()
    original = imports._Progress.__call__

    def held(self: Any, done: int, total: int) -> None:
        original(self, done, total)
        if done == 3:  # the import, in its transaction, has written three rows
            reached.set()
            release.wait(30)

    monkeypatch.setattr(imports._Progress, "__call__", held)
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    job = one.start(checked(other, csv_file(6)), ADMIN)
    try:
        assert reached.wait(30)
        here, there = one.job(job.id, "staff:admin"), other.job(job.id, "staff:admin")
        assert here is not None and there is not None
        assert here.state == there.state == "running"
        assert here.done == 3  # the process running it: its live count
        postgres = rt.engine.dialect.name == "postgresql"
        # PostgreSQL: written on a transaction of its own, beside the import's, uncommitted.
        # SQLite: the import holds the write lock, the count waits for the end.
        assert there.done == (3 if postgres else 0)
        if postgres:
            assert count(rt, Family) == 0
    finally:
        release.set()
    done = one.wait(job.id)
    assert done.state == "done" and done.done == 6
    seen = other.job(job.id, "staff:admin")
    assert seen is not None and seen.state == "done" and seen.done == 6
    assert count(rt, Family) == 6


def test_progress_is_written_every_so_many_rows_not_on_every_row(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "PROGRESS_ROWS", 10)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1000.0)
    desk = ImportDesk(rt.booking)
    writes: list[int] = []
    write = desk.write_progress

    def counted(job_id: str, done: int) -> None:
        writes.append(done)
        write(job_id, done)

    monkeypatch.setattr(desk, "write_progress", counted)
    assert desk.run_now(checked(desk, csv_file(45)), ADMIN).state == "done"
    postgres = rt.engine.dialect.name == "postgresql"
    assert writes == ([10, 20, 30, 40] if postgres else [])


def test_a_failed_import_is_seen_failed_by_the_other_process(rt: Runtime) -> None:
    one, other = ImportDesk(rt.booking), ImportDesk(rt.booking)
    token = checked(one, csv_file(1))
    # Meanwhile, the child is given to another family: the import refuses the line.
    other.run_now(checked(other, csv_file(1).replace(b"300001;", b"399999;")), ADMIN)
    job = one.run_now(token, ADMIN)
    seen = other.job(job.id, "staff:admin")
    assert seen is not None and seen.state == "failed" and not seen.interrupted
    assert seen.error is not None and seen.error.startswith("ligne 2, colonne child")
    assert count(rt, AuditEntry, AuditEntry.action == "import_failed") == 1


# ------------------------------------------------------------------ two imports at once
def family_file(phones: str) -> bytes:
    """One family, two children: the first line writes the family (and its phones)."""
    return (HEADER + "".join(
        f"300001;1234;{phones};Mme A;C{i};Enfant{i};A;;anjou-elem;standard;lun mar\n"
        for i in (1, 2))).encode()


def waiting_on_a_lock(rt: Runtime) -> bool:
    with rt.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'")).scalar())


def test_two_imports_adding_the_same_phone_at_once_say_it_and_log_no_number(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Two files checked before either is imported both give a known family the same new
    number: the second import, waiting on the first's row, is refused by the unique constraint
    when the first commits. Its page says why in French; the server's log names the constraint
    and the columns, never the number PostgreSQL quoted (``Key (family_id, number)=(…)``)."""
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL: SQLite runs one import at a time")
    desk = ImportDesk(rt.booking)
    assert desk.run_now(checked(desk, family_file("0612300001")), ADMIN).state == "done"
    both = family_file("0612300001, 06 99 88 77 66")
    first, second = checked(desk, both), checked(desk, both)  # each checked alone: fine
    reached, release = threading.Event(), threading.Event()
    original = imports._Progress.__call__

    def held(self: Any, done: int, total: int) -> None:
        original(self, done, total)
        if done == 1 and not reached.is_set():  # the first import wrote the family's phones
            reached.set()
            release.wait(30)

    monkeypatch.setattr(imports._Progress, "__call__", held)
    one = desk.start(first, ADMIN)
    try:
        assert reached.wait(30)
        other = desk.start(second, ADMIN)
        for _ in range(300):  # the second waits for the first's new number to commit or not
            if waiting_on_a_lock(rt):
                break
            threading.Event().wait(0.1)
        else:
            pytest.fail("the second import never waited for the first")
    finally:
        release.set()
    assert desk.wait(one.id).state == "done"
    caplog.set_level("ERROR", logger="restomairie.imports")
    failed = desk.wait(other.id)
    assert failed.state == "failed" and failed.error == OVERTAKEN
    with rt.sessions() as s:
        audited = s.scalars(select(AuditEntry).where(AuditEntry.action == "import_failed")).one()
    logged = caplog.text
    assert "uq_family_phones_number" in logged, logged  # what failed, for the town's IT
    assert "Key (family_id, number)=(…) already exists." in logged
    for said in (logged, failed.error, str(audited.detail)):
        assert "99887766" not in said and "99 88 77 66" not in said, said


# ------------------------------------------------------------------ the pages, two processes
@pytest.fixture
def two_apps(rt: Runtime) -> tuple[Flask, Flask]:
    from restomairie.web import create_app

    config = {"TESTING": True, "SECRET_KEY": "the same for every process"}
    return create_app(config, runtime=rt), create_app(config, runtime=rt)


def test_the_pages_check_on_one_process_confirm_on_another_and_poll_either(
    rt: Runtime, two_apps: tuple[Flask, Flask]
) -> None:
    from io import BytesIO

    make_user(rt, "chef", "admin")
    first = two_apps[0].test_client()
    assert login(first, "chef").status_code == 302
    second = two_apps[1].test_client()
    second.set_cookie("session", first.get_cookie("session").value)  # the proxy's next pick
    page = post(first, "/staff/import", {"file": (BytesIO(csv_file(2)), "f.csv")},
                content_type="multipart/form-data").get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    started = post(second, "/staff/import/confirm", {"token": token})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    two_apps[1].extensions["restomairie.staff"].imports.wait(job_url.rsplit("/", 1)[1])
    status = first.get(job_url + "?format=json").get_json()
    assert status["state"] == "done" and status["report"]["families_created"] == 2
    assert "<td>Enfant2 A</td>" in html.unescape(status["html"])
    assert "Import terminé : 2 ligne(s)" in first.get(job_url).get_data(as_text=True)
    again = post(first, "/staff/import/confirm", {"token": token}, follow_redirects=True)
    assert "plus en attente" in again.get_data(as_text=True)
    assert imported(rt) == 1


def test_the_page_of_an_interrupted_import_says_nothing_was_written(
    rt: Runtime, two_apps: tuple[Flask, Flask]
) -> None:
    make_user(rt, "chef", "admin")
    client = two_apps[0].test_client()
    assert login(client, "chef").status_code == 302
    job_id = running_job(rt, owner="staff:chef")
    assert "Écriture en cours : 40 / 100" in client.get(f"/staff/import/jobs/{job_id}").get_data(
        as_text=True)
    rt.clock.frozen = rt.clock.now() + timedelta(seconds=STALE_AFTER + 1)
    page = html.unescape(client.get(f"/staff/import/jobs/{job_id}").get_data(as_text=True))
    assert ("Import échoué, rien n'a été écrit : l'import a été interrompu (le serveur qui "
            "l'exécutait s'est arrêté) ; sa transaction a été annulée") in page
    status = client.get(f"/staff/import/jobs/{job_id}?format=json").get_json()
    assert status["state"] == "failed" and status["interrupted"] is True


# ------------------------------------------------------------------ no code waits in clear
PEPPER = "a-pepper-kept-out-of-the-database"
CODES = ("4821", "7305")  # four digits found nowhere else in the file


def secret_file(first_code: str = "4821", diet: str = "standard") -> bytes:
    return (HEADER
            + f"310001;{first_code};06 12 34 56 78;Mme Roux;R1;Lina;Roux;2018-03-04;anjou-elem;"
              f"{diet};lun mar\n"
            + f"310001;{first_code};06 12 34 56 78;Mme Roux;R2;Tom;Roux;;anjou-elem;pai;\n"
            + "310002;7305;06 98 76 54 32;M. Noir;R3;Ana;Noir;;darcy-elem;sans_porc;jeu\n"
            ).encode()


def with_pepper(rt: Runtime, pepper: str | None) -> Runtime:
    """The same database, served by a deployment with ``pepper`` (or none)."""
    secrets = {k: v for k, v in rt.settings.secrets.items() if k != "RESTOMAIRIE_PIN_PEPPER"}
    if pepper is not None:
        secrets["RESTOMAIRIE_PIN_PEPPER"] = pepper
    return Runtime.build(settings=replace(rt.settings, secrets=secrets), clock=rt.clock,
                         engine=rt.engine)


def waiting(rt: Runtime) -> bytes:
    with rt.sessions() as s:
        (pending,) = s.scalars(select(PendingImport))
        return pending.data


def pin_hash(rt: Runtime, account: str) -> str:
    with rt.sessions() as s:
        return str(s.scalar(select(Family.pin_hash).where(Family.account == account)))


def family_changes(desk: ImportDesk, data: bytes) -> list[str]:
    preview = desk.check(data, "familles.csv", "staff:admin")
    assert preview.ok, preview.errors
    return [t for c in preview.family_changes for t in c.changes]


@pytest.mark.parametrize("pepper", [None, PEPPER])
def test_a_waiting_file_holds_no_code_and_its_families_log_in_with_their_codes(
    rt: Runtime, pepper: str | None
) -> None:
    town = with_pepper(rt, pepper)
    desk = ImportDesk(town.booking)
    token = checked(desk, secret_file())
    data = waiting(rt)
    # Each family's code is there as its hash only (once a family), and nowhere else.
    scheme = (PLAIN_SCHEME if pepper is None else PEPPERED_SCHEME).encode()
    assert [h.split(b"$")[0] for h in HASHED.findall(data)] == [scheme] * 3
    assert len(set(HASHED.findall(data))) == 2
    for code in CODES:
        assert code.encode() not in without_hashes(data)
    assert b"Lina" in data  # (the rest of the lines is there, checked)
    job = desk.run_now(token, ADMIN)
    assert job.state == "done", job.error
    assert job.report is not None and job.report.families_created == 2
    for account, code in (("310001", "4821"), ("310002", "7305")):
        assert pin_hash(rt, account).startswith(scheme.decode() + "$")
        assert town.booking.check_pin(account, code).ok
    assert not town.booking.check_pin("310002", "4821").ok


def test_a_family_imported_by_the_staff_page_logs_in_on_the_phone(rt: Runtime) -> None:
    desk = ImportDesk(rt.booking)
    assert desk.run_now(checked(desk, secret_file()), ADMIN).state == "done"
    call = Caller(line_app(rt).test_client(), rt.settings, "+33612345678")
    assert call.start().says[-1] == "Tapez votre code secret à 4 chiffres."  # caller ID
    menu = call.press("4821")  # the code is right: which child?
    assert menu.says[0] == "Merci." and "Pour Lina, tapez 1. Pour Tom, tapez 2." in menu.text


def test_a_staff_import_writes_what_the_command_line_import_writes(rt: Runtime) -> None:
    from restomairie.booking.importer import import_csv

    town = with_pepper(rt, PEPPER)
    desk = ImportDesk(town.booking)
    assert desk.run_now(checked(desk, secret_file()), ADMIN).state == "done"
    # The same file, under other accounts and child ids, through the command line's import.
    other = secret_file().replace(b"31000", b"41000")
    for ref in (b"R1", b"R2", b"R3"):
        other = other.replace(b";" + ref + b";", b";S" + ref[1:] + b";")
    import_csv(town.booking, other, ADMIN)

    def state(prefix: str) -> list[tuple[object, ...]]:
        with rt.sessions() as s:
            families = s.scalars(select(Family).where(Family.account.like(f"{prefix}%"))
                                 .order_by(Family.account))
            out: list[tuple[object, ...]] = []
            for f in families:
                out.append((f.account[1:], f.guardian, f.language, f.failed_pins,
                            sorted(p.number for p in f.phones), f.pin_hash.split("$")[:2]))
                children = s.scalars(select(Child).where(Child.family_id == f.id)
                                     .order_by(Child.ref))
                for c in children:
                    out.append((c.ref[1:], c.first_name, c.last_name, c.birth_date, c.school_id,
                                c.diet, c.enrolled_from,
                                [(x.weekdays, x.starts_on, x.ends_on) for x in c.subscriptions]))
                actions = s.scalars(select(AuditEntry.action)
                                    .where(AuditEntry.family_id == f.id))
                out.append(tuple(sorted(actions)))
            return out

    assert state("31") == state("41")
    for account, code in (("310001", "4821"), ("410001", "4821"), ("410002", "7305")):
        assert town.booking.check_pin(account, code).ok


def test_a_known_family_s_code_is_said_changed_only_when_it_is(rt: Runtime) -> None:
    desk = ImportDesk(with_pepper(rt, PEPPER).booking)
    desk.run_now(checked(desk, secret_file()), ADMIN)
    before = pin_hash(rt, "310001")
    # The same code: not said changed, not hashed again.
    assert "code secret modifié" not in family_changes(desk, secret_file())
    job = desk.run_now(checked(desk, secret_file()), ADMIN)
    assert job.state == "done" and job.family_changes == []
    assert pin_hash(rt, "310001") == before
    # Another code: said so in the preview and the finished import, and it is the new one.
    assert family_changes(desk, secret_file("0188")) == ["code secret modifié"]
    job = desk.run_now(checked(desk, secret_file("0188")), ADMIN)
    assert [c.changes for c in job.family_changes] == [["code secret modifié"]]
    assert desk.booking.check_pin("310001", "0188").ok
    assert not desk.booking.check_pin("310001", "4821").ok
    assert count(rt, AuditEntry, AuditEntry.action == "pin_changed") == 1


def test_a_code_changed_between_the_check_and_the_confirmation_is_the_file_s_again(
    rt: Runtime,
) -> None:
    desk = ImportDesk(with_pepper(rt, PEPPER).booking)
    desk.run_now(checked(desk, secret_file()), ADMIN)
    token = checked(desk, secret_file())  # the same code: nothing to change, when checked
    desk.run_now(checked(desk, secret_file("5555")), ADMIN)  # meanwhile, another code
    job = desk.run_now(token, ADMIN)
    assert [c.changes for c in job.family_changes] == [["code secret modifié"]]
    assert desk.booking.check_pin("310001", "4821").ok


def test_a_hash_in_the_file_is_refused_like_any_other_wrong_code(rt: Runtime) -> None:
    desk = ImportDesk(rt.booking)
    forged = secret_file().replace(b";4821;", f";{hash_pin('4821')};".encode())
    preview = desk.check(forged, "familles.csv", "staff:admin")
    assert (2, "colonne pin : le code secret doit avoir 4 chiffres") in preview.errors
    assert preview.token is None and count(rt, PendingImport) == 0


def test_lines_with_a_code_in_clear_are_never_kept(rt: Runtime) -> None:
    rows = check_file(secret_file(), school_days(rt.settings), rt.settings.menu_variants).rows
    with pytest.raises(TypeError):
        pending_data(rows)


def test_a_menu_no_longer_configured_at_the_confirmation_fails_the_import_by_line(
    rt: Runtime,
) -> None:
    token = checked(ImportDesk(rt.booking), secret_file())
    variants = tuple(v for v in rt.settings.menu_variants if v != "pai")
    town = Runtime.build(settings=replace(rt.settings, menu_variants=variants), clock=rt.clock,
                         engine=rt.engine)
    job = ImportDesk(town.booking).run_now(token, ADMIN)
    assert job.state == "failed" and count(rt, Family) == 0
    assert job.error is not None and job.error.startswith("ligne 3, colonne diet : régime inconnu")


# ------------------------------------------------------------------ menus by their labels
def test_the_preview_and_the_finished_import_name_menus_by_their_labels(
    rt: Runtime, two_apps: tuple[Flask, Flask]
) -> None:
    from io import BytesIO

    desk = ImportDesk(rt.booking)
    desk.run_now(checked(desk, secret_file()), ADMIN)
    preview = desk.check(secret_file(diet="sans_porc"), "familles.csv", "staff:admin")
    (change,) = preview.child_changes
    assert change.changes[0].startswith("régime Standard → Sans porc, dès demain")
    assert preview.token is not None
    job = desk.run_now(preview.token, ADMIN)
    assert job.child_changes[0].changes[0].startswith("régime Standard → Sans porc, dès demain")
    make_user(rt, "chef", "admin")
    client = two_apps[0].test_client()
    assert login(client, "chef").status_code == 302
    page = html.unescape(post(client, "/staff/import",
                              {"file": (BytesIO(secret_file(diet="vegetarien")), "f.csv")},
                              content_type="multipart/form-data").get_data(as_text=True))
    assert "régime Sans porc → Végétarien, dès demain" in page
    report = page.split('id="import-report"')[1]
    assert "<td>Végétarien</td>" in report and "<td>Panier repas (PAI)</td>" in report
    assert "sans_porc" not in report and "vegetarien" not in report


def test_a_birth_date_after_today_is_refused_by_the_desk_naming_line_and_column(
    rt: Runtime,
) -> None:
    # A child not born yet is a typo (2030 for 2020): the file was accepted and kept it.
    future = (rt.clock.today() + timedelta(days=1)).isoformat()
    data = HEADER + f"300001;1234;0612300001;Mme A;C1;Enfant;A;{future};anjou-elem;standard;lun\n"
    preview = ImportDesk(rt.booking).check(data.encode(), "familles.csv", "staff:admin")
    assert not preview.ok and not preview.token
    assert preview.errors == [(2, (
        f"colonne birth_date : date de naissance '{future}' dans le futur (nous sommes le "
        f"{rt.clock.today():%d/%m/%Y})"))]
    assert count(rt, Family) == 0


def test_the_preview_says_what_to_check_before_importing(
    rt: Runtime, two_apps: tuple[Flask, Flask]
) -> None:
    from io import BytesIO

    desk = ImportDesk(rt.booking)
    desk.run_now(checked(desk, secret_file()), ADMIN)
    make_user(rt, "chef", "admin")
    client = two_apps[0].test_client()
    assert login(client, "chef").status_code == 302
    # Lina's family's phone under another account.
    other = (HEADER + "310009;1111;06 12 34 56 78;M. X;R9;Zed;X;;anjou-elem;standard;lun\n").encode()
    page = html.unescape(post(client, "/staff/import", {"file": (BytesIO(other), "f.csv")},
                              content_type="multipart/form-data").get_data(as_text=True))
    warnings = page.split('id="import-warnings"')[1].split("</section>")[0]
    assert "partagé par les dossiers" in warnings and "Importer tout" in page
