"""Importing families from the town's CSV through the staff pages.

Two steps, as the billing centre works: the file is checked first and a report by line is shown
before anything is written (what would be created or updated, or every error with its line
number); then, on confirmation, the whole file is applied in one transaction (all or nothing) by
a background thread whose progress the page polls.

Any number of web processes may serve these pages (several workers behind a proxy): the confirm
and the polls need not reach the process that checked the file, so nothing lives in one
process's memory. The checked file waits in the database (``import_pending``), under a random
token bound to the user who sent it (only its hash is stored), for at most
:data:`PENDING_TTL`: not the file sent, which holds every family's code in clear, but its
checked lines with each code sealed (:func:`restomairie.booking.importer.seal_pins`: its hash,
and whether it is the family's code already), so that no code is ever stored, even for an hour.
The confirmation deletes it and reads it back in one statement, so a
second confirmation, from any process, finds nothing and imports nothing twice. The job
(``import_jobs``) runs in a thread of the process that received the confirmation; its progress
is written every :data:`PROGRESS_ROWS` rows or :data:`PROGRESS_EVERY` seconds beside the
import's transaction (on PostgreSQL on a connection of another pool: see
:meth:`ImportDesk.write_progress`), and its end ("done" and what the import did) in
the import's own transaction. A job whose progress stopped for :data:`STALE_AFTER` belongs to
a process that died: it is shown as interrupted, and nothing was written (its transaction was
rolled back with its connection). Expired files and old jobs are purged
(:func:`restomairie.retention.purge_imports`).

On SQLite the import holds the database's one write lock from its start: the progress cannot be
written before the end, so another process sees the job at 0 until it ends (the process running
it serves its live count), and sees an import longer than :data:`STALE_AFTER` as interrupted
until it ends. Several web processes are for PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from restomairie.booking.importer import (
    CheckedFile,
    ImportFailed,
    ImportReport,
    Row,
    SealedPin,
    apply_rows,
    check_file,
    database_errors,
    late_locks_sentence,
    line_text,
    school_days,
    seal_pins,
)
from restomairie.booking.services import Actor, BookingService, weekdays_text
from restomairie.config import Settings
from restomairie.db import async_commit_engine
from restomairie.models import AuditEntry, Child, Family, ImportJob, PendingImport
from restomairie.retention import purge_imports
from restomairie.staff.labels import diet_label

log = logging.getLogger("restomairie.imports")

PENDING_TTL = 3600.0  # seconds a checked file waits for its confirmation
MAX_PENDING = 20  # files waiting at once, all users together: the oldest goes first
PREVIEW_ROWS = 500
PROGRESS_ROWS = 200  # the progress is written at most every this many rows...
PROGRESS_EVERY = 0.5  # ... or seconds, whichever comes first
STALE_AFTER = 120.0  # seconds without progress after which a running job is shown interrupted
INTERRUPTED = (
    "l'import a été interrompu (le serveur qui l'exécutait s'est arrêté) ; sa transaction a "
    "été annulée : aucune ligne n'a été écrite. Envoyez le fichier de nouveau."
)
# An import refused by a constraint of the database: the file was checked, so another change of
# the same families or children (another import, from this page or the command line) was
# committed meanwhile (the same phone number added to a family by both, the same new account).
OVERTAKEN = (
    "une autre modification des mêmes familles ou enfants (un autre import ?) a été "
    "enregistrée pendant l'import ; sa transaction a été annulée : aucune ligne n'a été écrite. "
    "Envoyez le fichier de nouveau : il sera vérifié avec ces changements."
)


@dataclass(frozen=True)
class PreviewRow:
    line: int
    family: str
    family_new: bool
    child: str
    name: str
    school: str
    diet: str
    days: str
    child_new: bool


@dataclass(frozen=True)
class PreviewChange:
    """A family or a child already known and what the import would change (in French)."""

    line: int
    who: str
    changes: list[str]


@dataclass
class Preview:
    """The report of a checked file: errors by line, or what the import would do."""

    filename: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    total_rows: int = 0
    families_new: int = 0
    families_updated: int = 0
    children_new: int = 0
    children_updated: int = 0
    # Known, and the file changes nothing of them (see ImportReport).
    families_unchanged: int = 0
    children_unchanged: int = 0
    encoding: str = ""
    family_changes: list[PreviewChange] = field(default_factory=list)
    child_changes: list[PreviewChange] = field(default_factory=list)
    adjustments: int = 0  # kitchen adjustments the import would record on locked days
    warnings: list[str] = field(default_factory=list)  # shared phones, children left out…
    token: str | None = None  # set when the file can be imported
    # The file is the whole list (the command line's --end-missing): the subscriptions of the
    # children it leaves out would end (``ended``, one sentence each, at most PREVIEW_ROWS).
    end_missing: bool = False
    ended: list[str] = field(default_factory=list)
    ended_total: int = 0
    # The overdue locks the check took first, as the import would (the command line's dry run
    # names them too), in a sentence; None when it took none.
    late_locks: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Figures:
    """What a finished import did, in counts (the report's figures, as stored with the job)."""

    rows: int
    families_created: int
    families_updated: int
    children_created: int
    children_updated: int
    adjustments: int
    # Defaults: a job finished before these were counted has none stored.
    families_unchanged: int = 0
    children_unchanged: int = 0

    @classmethod
    def of(cls, report: ImportReport) -> Figures:
        """The figures of ``report``."""
        return cls(report.rows, report.families_created, report.families_updated,
                   report.children_created, report.children_updated, report.adjustments,
                   report.families_unchanged, report.children_unchanged)


@dataclass
class Job:
    """A confirmed import, as last written in the database, and what it did: the counts, and
    what the preview showed — the lines (families and children, created or updated, as they
    were before the import) and the changes made in those already known — each list at most
    :data:`PREVIEW_ROWS` long (``total`` and the ``*_total`` say of how many)."""

    id: str
    owner: str
    filename: str
    total: int
    done: int = 0
    state: str = "running"  # running, done, failed
    report: Figures | None = None
    error: str | None = None
    interrupted: bool = False  # failed because the process running it stopped
    rows: list[PreviewRow] = field(default_factory=list)
    family_changes: list[PreviewChange] = field(default_factory=list)
    child_changes: list[PreviewChange] = field(default_factory=list)
    family_changes_total: int = 0
    child_changes_total: int = 0
    # What the finished screen says besides (the preview said it too): the « À vérifier »
    # warnings, the subscriptions ended as left out of the file (with ``end_missing``), the
    # overdue locks taken before the import.
    end_missing: bool = False
    warnings: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    ended_total: int = 0
    late_locks: str | None = None

    def as_dict(self) -> dict[str, Any]:
        report = self.report
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "percent": 100 if self.state == "done" else int(100 * self.done / max(self.total, 1)),
            "error": self.error,
            "interrupted": self.interrupted,
            "report": None if report is None else asdict(report),
        }

    @classmethod
    def of(cls, row: ImportJob) -> Job:
        """The job as stored (``result``: the lines, then the changes and figures at the end)."""
        result = row.result or {}
        figures = result.get("figures")
        return cls(
            row.id, row.owner, row.filename, row.total, row.done, row.state,
            report=None if figures is None else Figures(**figures),
            error=row.error,
            rows=[PreviewRow(**r) for r in result.get("rows", [])],
            family_changes=[PreviewChange(**c) for c in result.get("family_changes", [])],
            child_changes=[PreviewChange(**c) for c in result.get("child_changes", [])],
            family_changes_total=result.get("family_changes_total", 0),
            child_changes_total=result.get("child_changes_total", 0),
            end_missing=result.get("end_missing", False),
            warnings=result.get("warnings", []),
            ended=result.get("ended", []),
            ended_total=result.get("ended_total", 0),
            late_locks=result.get("late_locks"),
        )


def token_hash(token: str) -> str:
    """What is stored of a pending file's token (SHA-256, hex): a copy of the database does not
    give the tokens that would confirm the files in it."""
    return hashlib.sha256(token.encode()).hexdigest()


class ImportDesk:
    """Checks files, keeps them (in the database) until confirmed, and runs confirmed imports.

    One per web process; any of them serves any step of any import."""

    def __init__(self, booking: BookingService) -> None:
        self.booking = booking
        # The jobs this process is running: their threads, and their count of rows written so
        # far (fresher than the database's, and on SQLite the only one until the end).
        self._threads: dict[str, threading.Thread] = {}
        self._live: dict[str, int] = {}
        self._lock = threading.Lock()

    def _check(self, data: bytes, against_database: bool = False) -> CheckedFile:
        """The checked file; ``against_database``: its lines are checked against the database
        too (a child already in another family), with the file's own errors."""
        settings = self.booking.settings
        known = (lambda rows: database_errors(self.booking, rows)) if against_database else None
        return check_file(data, school_days(settings), settings.menu_variants, known,
                          today=self.booking.clock.today())

    def check(
        self, data: bytes, filename: str, owner: str, end_missing: bool = False
    ) -> Preview:
        """Check a whole file without writing anything: the import is tried and rolled back, so
        the preview says what it would change (codes, phones, schools, diets, patterns, the
        locked days that would get kitchen adjustments, the overdue locks taken first). A file
        that can be imported waits in the database for its confirmation by ``owner``
        (``preview.token``). ``end_missing``: the file is the whole list, the subscriptions of
        the children it leaves out end, as with ``restomairie import --end-missing``; the
        choice waits with the file, so the confirmation imports what the preview showed."""
        preview = Preview(filename=filename, end_missing=end_missing)
        try:
            checked = self._check(data, against_database=True)
        except ImportFailed as exc:
            preview.errors = exc.errors
            return preview
        # From here on the codes are sealed: the trial below imports exactly what the
        # confirmation will, and only the sealed lines are kept.
        rows = seal_pins(self.booking, checked.rows)
        preview.encoding = checked.encoding
        actor = Actor("staff", owner.removeprefix("staff:"), "import")
        try:
            trial = apply_rows(self.booking, rows, actor, dry_run=True, end_missing=end_missing)
        except ImportFailed as exc:  # the database changed since the check above: by line too
            preview.errors = exc.errors
            return preview
        except Exception as exc:  # the import would fail the same way: say it now
            preview.errors = [(0, f"l'import échouerait ({type(exc).__name__} : {exc})")]
            return preview
        preview.adjustments = trial.adjustments
        preview.warnings = trial.warnings
        preview.ended, preview.ended_total = trial.ended[:PREVIEW_ROWS], len(trial.ended)
        if trial.late_locks:
            preview.late_locks = late_locks_sentence(
                self.booking.settings, trial.late_locks, dry_run=True)
        preview.family_changes, preview.child_changes = _changes(trial)
        known_families, known_children = self._known(rows)
        preview.total_rows = len(rows)
        # The trial's own counts: a family or child already known that the file leaves as it
        # is is said unchanged, not "to update".
        preview.families_new, preview.children_new = trial.families_created, trial.children_created
        preview.families_updated, preview.children_updated = (
            trial.families_updated, trial.children_updated
        )
        preview.families_unchanged, preview.children_unchanged = (
            trial.families_unchanged, trial.children_unchanged
        )
        preview.rows = _preview_rows(rows, known_families, known_children)
        preview.token = self._keep(pending_data(rows, end_missing), filename, owner)
        return preview

    def _keep(self, data: bytes, filename: str, owner: str) -> str:
        """Store a checked file (:func:`pending_data`) until its confirmation; its token (the
        page's)."""
        now = self.booking.clock.now()
        self._purge(now)
        token = secrets.token_urlsafe(18)
        with self.booking.sessions() as session, session.begin():
            session.add(PendingImport(
                token_hash=token_hash(token), owner=owner, filename=filename[:255], data=data,
                created_at=now, expires_at=now + timedelta(seconds=PENDING_TTL),
            ))
            session.flush()
            # At most MAX_PENDING files wait, as in memory before: the oldest go first.
            newest = (select(PendingImport.id)
                      .order_by(PendingImport.created_at.desc(), PendingImport.id.desc())
                      .limit(MAX_PENDING))
            session.execute(delete(PendingImport).where(PendingImport.id.not_in(newest)),
                            execution_options={"synchronize_session": False})
        return token

    def start(self, token: str, actor: Actor) -> Job:
        """Apply a checked file in the background; the job reports its progress. Raises
        :class:`KeyError` when ``token`` names no file waiting for ``actor`` (unknown, expired,
        another user's, or already confirmed)."""
        now = self.booking.clock.now()
        with self.booking.sessions() as session, session.begin():
            # Taken and deleted in one statement: of two confirmations (a double click, two
            # processes), one gets the file, the other nothing, whatever the timing.
            taken = session.execute(
                delete(PendingImport)
                .where(PendingImport.token_hash == token_hash(token),
                       PendingImport.owner == actor.label, PendingImport.expires_at > now)
                .returning(PendingImport.filename, PendingImport.data)
            ).one_or_none()
            if taken is None:
                raise KeyError(token)
            filename, data = taken
            rows = pending_rows(data)
            end_missing = pending_end_missing(data)
            # The lines as the preview showed them, new or known as they are now, before the
            # import; with the job, in the same transaction: a file is either waiting or begun.
            shown = _preview_rows(rows, *_known_in(session, rows))
            job_id = secrets.token_urlsafe(12)
            session.add(ImportJob(
                id=job_id, owner=actor.label, filename=filename, state="running", done=0,
                total=len(rows),
                result={"rows": [asdict(r) for r in shown], "end_missing": end_missing},
                started_at=now, updated_at=now,
            ))
        thread = threading.Thread(
            target=self._run, args=(job_id, filename, rows, shown, actor, end_missing),
            name=f"import-{job_id}", daemon=True,
        )
        with self._lock:
            self._live[job_id] = 0
            self._threads[job_id] = thread
        thread.start()
        return Job(job_id, actor.label, filename, len(rows), rows=shown, end_missing=end_missing)

    def run_now(self, token: str, actor: Actor) -> Job:
        """:meth:`start` and wait for the end (for the command line and tests)."""
        return self.wait(self.start(token, actor).id)

    def wait(self, job_id: str, timeout: float = 120.0) -> Job:
        """Wait for a job this process runs to end (at most ``timeout`` seconds); the job."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
        job = self._load(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def job(self, job_id: str, owner: str) -> Job | None:
        """The job ``job_id`` if it is ``owner``'s, as its process last wrote it (whichever
        process runs it); ``None`` if it is unknown, someone else's, or purged."""
        job = self._load(job_id)
        return job if job is not None and job.owner == owner else None

    def _load(self, job_id: str) -> Job | None:
        with self.booking.read_sessions() as session:
            row = session.get(ImportJob, job_id)
            if row is None:
                return None
            job = Job.of(row)
            updated_at = row.updated_at
        if job.state != "running":
            return job
        with self._lock:
            live = self._live.get(job_id)
        if live is not None:  # running here: its thread is alive, its count the freshest
            job.done = max(job.done, live)
        elif self.booking.clock.now() - updated_at > timedelta(seconds=STALE_AFTER):
            # Its process died (else the count would move): the import's transaction died
            # with its connection, nothing was written.
            job.state, job.error, job.interrupted = "failed", INTERRUPTED, True
        return job

    def _run(self, job_id: str, filename: str, rows: list[Row], shown: list[PreviewRow],
             actor: Actor, end_missing: bool = False) -> None:
        progress = _Progress(self, job_id)

        def finish(session: Session, report: ImportReport) -> None:
            # In the import's transaction: the job is "done" (with what it did) and the import
            # audited if and only if the import is committed.
            family_changes, child_changes = _changes(report)
            now = self.booking.clock.now()
            session.execute(
                update(ImportJob).where(ImportJob.id == job_id).values(
                    state="done", done=len(rows), updated_at=now, finished_at=now,
                    result={
                        "rows": [asdict(r) for r in shown],
                        "figures": asdict(Figures.of(report)),
                        "family_changes": [asdict(c) for c in family_changes[:PREVIEW_ROWS]],
                        "child_changes": [asdict(c) for c in child_changes[:PREVIEW_ROWS]],
                        "family_changes_total": len(family_changes),
                        "child_changes_total": len(child_changes),
                        "end_missing": end_missing,
                        "warnings": report.warnings,
                        "ended": report.ended[:PREVIEW_ROWS],
                        "ended_total": len(report.ended),
                        "late_locks": late_locks_sentence(
                            self.booking.settings, report.late_locks, dry_run=False,
                        ) if report.late_locks else None,
                    },
                ),
                execution_options={"synchronize_session": False},
            )
            session.add(_audit_entry(now, actor, "import", filename, len(rows), {
                "families_created": report.families_created,
                "families_updated": report.families_updated,
                "children_created": report.children_created,
                "children_updated": report.children_updated,
                "families_unchanged": report.families_unchanged,
                "children_unchanged": report.children_unchanged,
                "adjustments": report.adjustments,
                "end_missing": end_missing,
                "ended": len(report.ended),
            }))

        try:
            _still_configured(self.booking.settings, rows)
            apply_rows(self.booking, rows, actor, progress=progress, before_commit=finish,
                       end_missing=end_missing)
        except ImportFailed as exc:  # the database (or configuration) changed since the preview
            self._failed(job_id, filename, len(rows), actor,
                         " ; ".join(line_text(n, m) for n, m in exc.errors))
        except Exception as exc:  # reported on the page; the transaction was rolled back
            # The details (which constraint, the traceback) are for the server's log, never
            # with a value the database quoted (restomairie.db.hide_quoted_values).
            log.exception("import %s : échec, aucune ligne écrite", job_id)
            said = OVERTAKEN if isinstance(exc, IntegrityError) else f"{type(exc).__name__}: {exc}"
            self._failed(job_id, filename, len(rows), actor, said)
        finally:
            with self._lock:
                self._live.pop(job_id, None)
                self._threads.pop(job_id, None)

    def _failed(self, job_id: str, filename: str, total: int, actor: Actor, error: str) -> None:
        """Write a job's failure and audit it (the import's transaction was rolled back). If
        this fails too, the job, silent, is shown interrupted after :data:`STALE_AFTER`."""
        now = self.booking.clock.now()
        try:
            with self.booking.sessions() as session, session.begin():
                session.execute(
                    update(ImportJob).where(ImportJob.id == job_id).values(
                        state="failed", error=error, updated_at=now, finished_at=now),
                    execution_options={"synchronize_session": False},
                )
                session.add(_audit_entry(now, actor, "import_failed", filename, total,
                                         {"error": error}))
        except SQLAlchemyError:
            log.exception("import %s : échec non enregistré", job_id)

    def write_progress(self, job_id: str, done: int) -> None:
        """Write a running job's count (and heartbeat) beside the import's transaction, which
        holds a connection of the main pool all along: on PostgreSQL on a connection of the
        call state's pool (:func:`~restomairie.db.async_commit_engine`: autocommit, its commit
        not waiting for the disk; a heartbeat lost in a server crash goes with the import it
        reported), so that the import's thread never holds two connections of one pool (see
        :data:`restomairie.db.POOL_OVERFLOW`). Without an engine, a short transaction of its
        own."""
        statement = (
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.state == "running")
            .values(done=done, updated_at=self.booking.clock.now())
        )
        engine = self.booking.engine
        if engine is not None:
            with async_commit_engine(engine).begin() as conn:
                conn.execute(statement)
            return
        with self.booking.sessions() as session, session.begin():
            session.execute(statement, execution_options={"synchronize_session": False})

    def _known(self, rows: list[Row]) -> tuple[set[str], set[str]]:
        """The family accounts and child ids of ``rows`` already in the database."""
        with self.booking.read_sessions() as session:
            return _known_in(session, rows)

    def _purge(self, now: datetime) -> None:
        # As the files come, so that they do not wait for the nightly purge.
        purge_imports(self.booking.sessions, now, timedelta(seconds=PENDING_TTL))


class _Progress:
    """The import's ``progress`` callback: the live count for this process at every row; in
    the database every :data:`PROGRESS_ROWS` rows or :data:`PROGRESS_EVERY` seconds, not on
    every row (a write each is a transaction each)."""

    def __init__(self, desk: ImportDesk, job_id: str) -> None:
        self.desk = desk
        self.job_id = job_id
        # On SQLite the import holds the one write lock: a write beside it would wait for the
        # import, which waits for it.
        with desk.booking.sessions() as session:  # (no connection taken)
            self.writes = session.get_bind().dialect.name != "sqlite"
        self.written = 0
        self.at = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        with self.desk._lock:
            self.desk._live[self.job_id] = done
        if not self.writes:
            return
        # A rate of writes, in real seconds: not the town's time (the injectable clock, frozen
        # in tests and demos), which dates the heartbeat itself.
        now = time.monotonic()
        if done - self.written < PROGRESS_ROWS and now - self.at < PROGRESS_EVERY:
            return
        self.written, self.at = done, now
        try:
            self.desk.write_progress(self.job_id, done)
        except SQLAlchemyError:  # the bar stops a moment; the import goes on
            log.warning("import %s : progression non enregistrée", self.job_id, exc_info=True)


def pending_data(rows: list[Row], end_missing: bool = False) -> bytes:
    """What a checked file waits as in ``import_pending``: its checked lines as JSON, each
    code sealed (:func:`restomairie.booking.importer.seal_pins`), and whether it was checked
    as the whole list (``end_missing``). A line whose code is in clear is refused
    (:class:`TypeError`): no code is ever stored."""
    lines = []
    for row in rows:
        if not isinstance(row.pin, SealedPin):
            raise TypeError(f"ligne {row.line} : code non scellé, il ne peut pas être conservé")
        line = asdict(row)  # the sealed code as a mapping, the phones as a list
        line["birth_date"] = None if row.birth_date is None else row.birth_date.isoformat()
        lines.append(line)
    return json.dumps({"rows": lines, "end_missing": end_missing}, ensure_ascii=False).encode()


def pending_end_missing(data: bytes) -> bool:
    """Was a waiting file (:func:`pending_data`) checked as the whole list? (A file waiting
    from before the option: no.)"""
    return bool(json.loads(data).get("end_missing", False))


def pending_rows(data: bytes) -> list[Row]:
    """The checked lines of a waiting file (:func:`pending_data`), codes still sealed: what
    the import writes of them is their hash (:func:`restomairie.booking.importer.apply_rows`)."""
    rows = []
    for line in json.loads(data)["rows"]:
        birth = line["birth_date"]
        rows.append(Row(**{
            **line,
            "pin": SealedPin(**line["pin"]),
            "phones": tuple(line["phones"]),
            "birth_date": None if birth is None else date.fromisoformat(birth),
        }))
    return rows


def _still_configured(settings: Settings, rows: list[Row]) -> None:
    """Raise :class:`ImportFailed`, by line, if a school or menu the file was checked against
    is no longer configured (the configuration changed, and the service restarted, between
    the check and the confirmation): the lines are not checked again from the file's text."""
    schools = {s.id for s in settings.schools}
    errors = [
        (r.line, f"colonne school : école inconnue {r.school!r} ({', '.join(sorted(schools))})")
        for r in rows if r.school not in schools
    ] + [
        (r.line, f"colonne diet : régime inconnu {r.diet!r} "
                 f"({', '.join(settings.menu_variants)})")
        for r in rows if r.diet not in settings.menu_variants
    ]
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e[0]))


def _known_in(session: Session, rows: list[Row]) -> tuple[set[str], set[str]]:
    """The family accounts and child ids of ``rows`` already in the database."""
    families = set(session.scalars(
        select(Family.account).where(Family.account.in_({r.family for r in rows}))))
    children = set(session.scalars(
        select(Child.ref).where(Child.ref.in_({r.child for r in rows}))))
    return families, children


def _audit_entry(at: datetime, actor: Actor, action: str, filename: str, total: int,
                 extra: dict[str, Any]) -> AuditEntry:
    return AuditEntry(at=at, actor=actor.label, channel="import", action=action,
                      detail={"file": filename, "rows": total, **extra})


def _preview_rows(rows: list[Row], known_families: set[str],
                  known_children: set[str]) -> list[PreviewRow]:
    """The first :data:`PREVIEW_ROWS` lines of a file as the report shows them."""
    return [
        PreviewRow(r.line, r.family, r.family not in known_families, r.child,
                   f"{r.first_name} {r.last_name}", r.school, r.diet, weekdays_text(r.weekdays),
                   r.child not in known_children)
        for r in rows[:PREVIEW_ROWS]
    ]


def _changes(report: ImportReport) -> tuple[list[PreviewChange], list[PreviewChange]]:
    """What an import changes (or changed) in the families and children already known, in
    French: never a code, numbers masked (:meth:`FamilyChange.describe`), menus by the labels
    of the other staff pages ("régime Sans porc → Standard")."""
    return (
        [PreviewChange(c.line, f"dossier {c.account}", c.describe())
         for c in report.family_changes],
        [PreviewChange(c.line, f"{c.name} ({c.ref}, dossier {c.account})",
                       c.describe(menu=diet_label))
         for c in report.child_changes],
    )
