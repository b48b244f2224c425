"""Importing families from the town's CSV through the staff pages.

Two steps, as the billing centre works: the file is checked first and a report by line is shown
before anything is written (what would be created or updated, or every error with its line
number); then, on confirmation, the whole file is applied in one transaction (all or nothing) by
a background thread whose progress the page polls. The checked file waits in memory, under a
random token bound to the user who sent it, for at most :data:`PENDING_TTL`.
(The web server is one process with threads, waitress: memory is shared by all requests.)
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from restomairie.booking.importer import (
    CheckedFile,
    ImportFailed,
    ImportReport,
    Row,
    apply_rows,
    check_file,
    database_errors,
    line_text,
)
from restomairie.booking.services import Actor, BookingService, weekdays_text
from restomairie.models import AuditEntry, Child, Family

PENDING_TTL = 3600.0
MAX_PENDING = 20
PREVIEW_ROWS = 500


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
    encoding: str = ""
    family_changes: list[PreviewChange] = field(default_factory=list)
    child_changes: list[PreviewChange] = field(default_factory=list)
    adjustments: int = 0  # kitchen adjustments the import would record on locked days
    token: str | None = None  # set when the file can be imported

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Job:
    """A confirmed import running in the background, and what it did: the counts, and what the
    preview showed — the lines (families and children, created or updated, as they were before
    the import) and the changes made in those already known — each list at most
    :data:`PREVIEW_ROWS` long (``total`` and the ``*_total`` say of how many)."""

    id: str
    owner: str
    filename: str
    total: int
    done: int = 0
    state: str = "running"  # running, done, failed
    report: ImportReport | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    rows: list[PreviewRow] = field(default_factory=list)
    family_changes: list[PreviewChange] = field(default_factory=list)
    child_changes: list[PreviewChange] = field(default_factory=list)
    family_changes_total: int = 0
    child_changes_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        report = self.report
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "percent": 100 if self.state == "done" else int(100 * self.done / max(self.total, 1)),
            "error": self.error,
            "report": None if report is None else {
                "rows": report.rows,
                "families_created": report.families_created,
                "families_updated": report.families_updated,
                "children_created": report.children_created,
                "children_updated": report.children_updated,
                "adjustments": report.adjustments,
            },
        }


@dataclass
class _Pending:
    owner: str
    filename: str
    data: bytes
    at: float


class ImportDesk:
    """Checks files, keeps them until confirmed, and runs confirmed imports."""

    def __init__(self, booking: BookingService) -> None:
        self.booking = booking
        self._pending: dict[str, _Pending] = {}
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def _check(self, data: bytes, against_database: bool = False) -> CheckedFile:
        """The checked file; ``against_database``: its lines are checked against the database
        too (a child already in another family), with the file's own errors."""
        settings = self.booking.settings
        known = (lambda rows: database_errors(self.booking, rows)) if against_database else None
        return check_file(data, {s.id for s in settings.schools}, settings.menu_variants, known)

    def _parse(self, data: bytes) -> list[Row]:
        return self._check(data).rows

    def check(self, data: bytes, filename: str, owner: str) -> Preview:
        """Check a whole file without writing anything: the import is tried and rolled back, so
        the preview says what it would change (codes, phones, schools, diets, patterns, the
        locked days that would get kitchen adjustments)."""
        preview = Preview(filename=filename)
        try:
            checked = self._check(data, against_database=True)
        except ImportFailed as exc:
            preview.errors = exc.errors
            return preview
        rows = checked.rows
        preview.encoding = checked.encoding
        actor = Actor("staff", owner.removeprefix("staff:"), "import")
        try:
            trial = apply_rows(self.booking, rows, actor, dry_run=True)
        except ImportFailed as exc:  # the database changed since the check above: by line too
            preview.errors = exc.errors
            return preview
        except Exception as exc:  # the import would fail the same way: say it now
            preview.errors = [(0, f"l'import échouerait ({type(exc).__name__} : {exc})")]
            return preview
        preview.adjustments = trial.adjustments
        preview.family_changes, preview.child_changes = _changes(trial)
        known_families, known_children = self._known(rows)
        families = {r.family for r in rows}
        preview.total_rows = len(rows)
        preview.families_updated = len(families & known_families)
        preview.families_new = len(families) - preview.families_updated
        preview.children_updated = sum(1 for r in rows if r.child in known_children)
        preview.children_new = len(rows) - preview.children_updated
        preview.rows = _preview_rows(rows, known_families, known_children)
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._expire()
            if len(self._pending) >= MAX_PENDING:
                oldest = min(self._pending, key=lambda k: self._pending[k].at)
                del self._pending[oldest]
            self._pending[token] = _Pending(owner, filename, data, time.monotonic())
        preview.token = token
        return preview

    def start(self, token: str, actor: Actor) -> Job:
        """Apply a checked file in the background; the job reports its progress."""
        with self._lock:
            self._expire()
            pending = self._pending.get(token)
            if pending is None or pending.owner != actor.label:
                raise KeyError(token)
            del self._pending[token]
        rows = self._parse(pending.data)  # checked again: the same bytes, the same answer
        # The lines as the preview showed them, new or known as they are now, before the import.
        job = Job(secrets.token_urlsafe(12), actor.label, pending.filename, len(rows),
                  rows=_preview_rows(rows, *self._known(rows)))
        with self._lock:
            self._jobs[job.id] = job
        thread = threading.Thread(
            target=self._run, args=(job, rows, actor), name=f"import-{job.id}", daemon=True
        )
        thread.start()
        return job

    def run_now(self, token: str, actor: Actor) -> Job:
        """:meth:`start` and wait for the end (for the command line and tests)."""
        job = self.start(token, actor)
        self.wait(job.id)
        return job

    def wait(self, job_id: str, timeout: float = 120.0) -> Job:
        deadline = time.monotonic() + timeout
        job = self._jobs[job_id]
        while job.state == "running" and time.monotonic() < deadline:
            time.sleep(0.02)
        return job

    def job(self, job_id: str, owner: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def _run(self, job: Job, rows: list[Row], actor: Actor) -> None:
        def progress(done: int, total: int) -> None:
            job.done = done

        # The state changes last, once the audit entry is written and its connection is back
        # in the pool: whoever sees the end (the page, a test tearing its database down) sees
        # everything this thread did.
        state = "failed"
        try:
            report = apply_rows(self.booking, rows, actor, progress=progress)
        except ImportFailed as exc:  # the database changed since the preview: say it by line
            job.error = " ; ".join(line_text(n, m) for n, m in exc.errors)
            self._audit(actor, "import_failed", job, {"error": job.error})
        except Exception as exc:  # reported on the page; the transaction was rolled back
            job.error = f"{type(exc).__name__}: {exc}"
            self._audit(actor, "import_failed", job, {"error": job.error})
        else:
            family_changes, child_changes = _changes(report)
            job.family_changes_total = len(family_changes)
            job.child_changes_total = len(child_changes)
            job.family_changes = family_changes[:PREVIEW_ROWS]
            job.child_changes = child_changes[:PREVIEW_ROWS]
            job.report = report
            state = "done"
            self._audit(actor, "import", job, {
                "families_created": report.families_created,
                "families_updated": report.families_updated,
                "children_created": report.children_created,
                "children_updated": report.children_updated,
                "adjustments": report.adjustments,
            })
            job.done = job.total
        finally:
            job.finished = time.monotonic()
            job.state = state

    def _known(self, rows: list[Row]) -> tuple[set[str], set[str]]:
        """The family accounts and child ids of ``rows`` already in the database."""
        with self.booking.sessions() as session:
            families = set(session.scalars(
                select(Family.account).where(Family.account.in_({r.family for r in rows}))))
            children = set(session.scalars(
                select(Child.ref).where(Child.ref.in_({r.child for r in rows}))))
        return families, children

    def _audit(self, actor: Actor, action: str, job: Job, extra: dict[str, Any]) -> None:
        with self.booking.sessions() as session, session.begin():
            session.add(AuditEntry(
                at=self.booking.clock.now(), actor=actor.label, channel="import", action=action,
                detail={"file": job.filename, "rows": job.total, **extra},
            ))

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, p in self._pending.items() if now - p.at > PENDING_TTL]:
            del self._pending[key]
        old = [k for k, j in self._jobs.items() if j.finished and now - j.finished > PENDING_TTL]
        for key in old:
            del self._jobs[key]


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
    French: never a code, numbers masked (:meth:`FamilyChange.describe`)."""
    return (
        [PreviewChange(c.line, f"dossier {c.account}", c.describe())
         for c in report.family_changes],
        [PreviewChange(c.line, f"{c.name} ({c.ref}, dossier {c.account})", c.describe())
         for c in report.child_changes],
    )
