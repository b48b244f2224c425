"""Retention of personal data in the call logs (``retention.call_log_days``).

A call's details — the caller's number, the per-call state (account, choices), every step heard
and answered — are personal data kept for the staff's support work, not forever. Once a call is
older than the retention period it is **deleted with its events**. What billing needs stays: every
booking change is in the append-only audit log (who, which child and day, before/after, when,
channel and CallSid), which is never purged. The purge itself is written to the audit log.

The staff logins' client addresses (``login``, ``login_failed``, ``login_unlock`` and
``kitchen_token_unlock`` in the audit log) are kept as long as the calls, for the same support
work (who tried a password from where), then erased from those entries
(:func:`forget_login_addresses`); who logged in and when stay.

The staff import's leftovers are personal data too (:func:`purge_imports`): a checked file never
confirmed is deleted once expired, and a job (its lines, names and changes, for the finished
page) :data:`IMPORT_JOBS_KEPT` after it ended. The import itself stays in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from restomairie.config import Settings
from restomairie.models import AuditEntry, Call, CallEvent, ImportJob, PendingImport

# A finished import's page (what it did) is kept this long after it ended, as the file waiting
# for its confirmation (restomairie.staff.imports.PENDING_TTL); then it is deleted.
IMPORT_JOBS_KEPT = timedelta(hours=1)


@dataclass(frozen=True)
class PurgeReport:
    before: datetime  # calls started before this moment were purged
    calls: int
    events: int
    addresses: int = 0  # staff logins before it whose client address was erased


# The audit entries that keep a staff login's client address (restomairie.staff.accounts).
LOGIN_ACTIONS = ("login", "login_failed", "login_unlock", "kitchen_token_unlock")
ERASED_ADDRESS = "(adresse effacée)"


def retention_cutoff(settings: Settings, now: datetime) -> datetime:
    """Calls started before this are purged. At least one day is kept whatever the setting, so a
    call in progress is never touched."""
    return now - timedelta(days=max(settings.call_log_retention_days, 1))


def purge_call_logs(
    sessions: sessionmaker[Session], settings: Settings, now: datetime, dry_run: bool = False
) -> PurgeReport:
    """Delete the calls older than the retention period, with their events (one transaction).
    ``dry_run``: count them, delete nothing."""
    before = retention_cutoff(settings, now)
    with sessions() as session, session.begin():
        old = select(Call.id).where(Call.started_at < before)
        calls = session.scalar(select(func.count()).select_from(old.subquery())) or 0
        events = 0
        if calls:
            events = session.scalar(
                select(func.count()).select_from(CallEvent).where(CallEvent.call_id.in_(old))
            ) or 0
        addresses = forget_login_addresses(session, before, dry_run)
        if dry_run or not (calls or addresses):
            return PurgeReport(before, calls, events, addresses)
        bulk = {"synchronize_session": False}
        session.execute(delete(CallEvent).where(CallEvent.call_id.in_(old)), execution_options=bulk)
        session.execute(delete(Call).where(Call.started_at < before), execution_options=bulk)
        session.add(
            AuditEntry(
                at=now, actor="system", channel="system", action="purge_call_logs",
                detail={"before": before.isoformat(), "calls": calls, "events": events,
                        "retention_days": settings.call_log_retention_days,
                        **({"addresses": addresses} if addresses else {})},
            )
        )
    return PurgeReport(before, calls, events, addresses)


def forget_login_addresses(session: Session, before: datetime, dry_run: bool = False) -> int:
    """Erase the client address from the staff logins' audit entries written before ``before``
    (the address in an unlock's words too); how many entries had one. The audit log is
    append-only for what was done; this personal detail of it is not kept for good."""
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.detail).where(
            AuditEntry.action.in_(LOGIN_ACTIONS), AuditEntry.at < before
        )
    ).all()
    erased = 0
    for entry_id, detail in rows:
        if not detail or "address" not in detail:
            continue
        erased += 1
        if dry_run:
            continue
        address = str(detail["address"])
        kept = {k: v for k, v in detail.items() if k != "address"}
        if address and isinstance(kept.get("label"), str):
            kept["label"] = kept["label"].replace(address, ERASED_ADDRESS)
        # Core UPDATE: the ORM refuses to rewrite an audit entry, which this alone may do.
        session.execute(
            update(AuditEntry).where(AuditEntry.id == entry_id).values(detail=kept or None),
            execution_options={"synchronize_session": False},
        )
    return erased


@dataclass(frozen=True)
class ImportPurge:
    pending: int  # checked files past their expiry, never confirmed
    jobs: int  # import jobs ended (or silent) for longer than IMPORT_JOBS_KEPT


def purge_imports(
    sessions: sessionmaker[Session], now: datetime, kept: timedelta = IMPORT_JOBS_KEPT
) -> ImportPurge:
    """Delete the expired checked files and the import jobs ended more than ``kept`` ago; a job
    still "running" whose progress has not moved for ``kept`` belongs to a process that died
    (its import was rolled back) and goes too. One short transaction; run by the staff import
    itself as it goes and by the nightly purge, so that nothing lingers when nobody imports."""
    before = now - kept
    with sessions() as session, session.begin():
        bulk = {"synchronize_session": False}
        pending = session.execute(
            delete(PendingImport).where(PendingImport.expires_at <= now)
            .returning(PendingImport.id), execution_options=bulk
        ).all()
        jobs = session.execute(
            delete(ImportJob).where(or_(
                ImportJob.finished_at < before,
                and_(ImportJob.state == "running", ImportJob.updated_at < before),
            )).returning(ImportJob.id),
            execution_options=bulk,
        ).all()
    return ImportPurge(len(pending), len(jobs))
