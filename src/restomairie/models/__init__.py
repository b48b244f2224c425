"""The shared store: SQLAlchemy 2 typed models on one declarative base.

Design of bookings — *day-level exceptions over a subscription*:

* a child's :class:`Subscription` rows give the weekly pattern (``weekdays`` bitmask, Monday = 1)
  between ``starts_on`` and ``ends_on``; an "abonnement choisi" simply has no subscription;
* a :class:`BookingDay` row, unique per child and day, records an explicit decision for one day
  (``booked`` true: an extra or confirmed meal; false: a cancelled one) and overrides the pattern;
* the effective state of a child on a day is: not enrolled → no meal; else the BookingDay if any;
  else whether a subscription covers that weekday.

So a year of subscription costs one row, a cancellation one row, and "who booked what, when,
through which channel" is in the append-only :class:`AuditEntry` log, which billing will read.
Counts for a day are one SQL aggregate over these rules (see ``restomairie.booking.queries``).

All timestamps are stored as UTC and come back timezone-aware (:class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

VARIANTS = ("standard", "sans_porc", "vegetarien", "pai")
CHANNELS = ("phone", "web", "staff", "import", "system")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns them aware (UTC). Naive input is refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: times are timezone-aware everywhere")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class School(Base):
    """A school canteen; mirrored from the configuration at start-up (the file is the truth)."""

    __tablename__ = "schools"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kitchen: Mapped[str] = mapped_column(String(64))
    # When the school came into the town's file of a database already serving the town (it had
    # families); None: it was there from the start. Until its first child or its first lock,
    # the school is served from then on (restomairie.booking.locks.school_starts).
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Family(Base):
    """A family account (dossier famille). The 4-digit code is only ever stored hashed."""

    __tablename__ = "families"
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(32), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    guardian: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="fr")
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    # The last wrong code: older ones are forgotten (a failure a week ago plus four today is
    # not five in a row).
    failed_pin_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    phones: Mapped[list[FamilyPhone]] = relationship(
        back_populates="family", cascade="all, delete-orphan", order_by="FamilyPhone.number"
    )
    children: Mapped[list[Child]] = relationship(
        back_populates="family", order_by="Child.first_name"
    )


class FamilyPhone(Base):
    __tablename__ = "family_phones"
    __table_args__ = (UniqueConstraint("family_id", "number", name="uq_family_phones_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    family: Mapped[Family] = relationship(back_populates="phones")


class Child(Base):
    """A child of a family, enrolled (inscrit) at one school's canteen between two dates."""

    __tablename__ = "children"
    __table_args__ = (
        CheckConstraint(
            "diet IN ('standard', 'sans_porc', 'vegetarien', 'pai')", name="diet_known"
        ),
        Index("ix_children_school_diet", "school_id", "diet"),
        # The first arrival at each school (restomairie.booking.locks.school_starts): one index
        # seek per school.
        Index("ix_children_school_since", "school_id", "school_since"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)  # the child id of the import
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.id"))
    diet: Mapped[str] = mapped_column(String(16), default="standard")
    enrolled_from: Mapped[date] = mapped_column(Date)
    enrolled_until: Mapped[date | None] = mapped_column(Date)
    # When the child came into its school in Resto-Mairie: the import that wrote it, or the
    # import that moved it there. A school is served from its first child's arrival (or its
    # first lock): the lock's catch-up never freezes the days before at 0 meals. Every import
    # sets it (nullable only so that adding it rebuilt no table on SQLite).
    school_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    family: Mapped[Family] = relationship(back_populates="children")
    school: Mapped[School] = relationship()
    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="child", order_by="Subscription.starts_on"
    )


class Subscription(Base):
    """Abonnement régulier: meals booked on ``weekdays`` (bit 1 << weekday) between two dates."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("weekdays > 0 AND weekdays < 128", name="weekdays_mask"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    weekdays: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    child: Mapped[Child] = relationship(back_populates="subscriptions")


class BookingDay(Base):
    """One explicit decision for one child and day: booked (True) or cancelled (False)."""

    __tablename__ = "booking_days"
    __table_args__ = (UniqueConstraint("child_id", "day", name="uq_booking_days_child_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    booked: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Closure(Base):
    """A local closure (strike, school trip…): one school or all (``school_id`` NULL)."""

    __tablename__ = "closures"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="dates_ordered"),
        CheckConstraint("kind IN ('strike', 'trip', 'other')", name="kind_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[str | None] = mapped_column(ForeignKey("schools.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DayLock(Base):
    """The production lock of one school's meal day: taken once, never rewritten."""

    __tablename__ = "day_locks"
    __table_args__ = (UniqueConstraint("school_id", "day", name="uq_day_locks_school_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    counts: Mapped[list[LockedCount]] = relationship(order_by="LockedCount.variant")


class LockedCount(Base):
    """The frozen number of meals of one variant for a locked day (never updated)."""

    __tablename__ = "locked_counts"
    __table_args__ = (
        UniqueConstraint("lock_id", "variant", name="uq_locked_counts_lock_variant"),
        CheckConstraint("count >= 0", name="count_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lock_id: Mapped[int] = mapped_column(ForeignKey("day_locks.id"))
    variant: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)


class LockedChild(Base):
    """The school's list for a locked day: who was booked, with which variant."""

    __tablename__ = "locked_children"
    __table_args__ = (UniqueConstraint("lock_id", "child_id", name="uq_locked_children_child"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lock_id: Mapped[int] = mapped_column(ForeignKey("day_locks.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    variant: Mapped[str] = mapped_column(String(16))


class LockAdjustment(Base):
    """A change after the lock (override, late enrolment, closure): shown beside the figure.

    ``kind`` is all the kitchen is told of why (a neutral category:
    :data:`restomairie.booking.adjustments.KIND_LABELS`). ``reason`` is the staff's own text
    (an override's motif, "import ligne 2 : <first name>, …", a closure's label): it may name a
    child or their health, so it is for staff only — the audit log holds it too — and no
    kitchen reader ever selects it."""

    __tablename__ = "lock_adjustments"
    id: Mapped[int] = mapped_column(primary_key=True)
    lock_id: Mapped[int] = mapped_column(ForeignKey("day_locks.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"))
    variant: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Append-only: who changed what, for which child and day, before/after, when, how."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(
            "channel IN ('phone', 'web', 'staff', 'import', 'system')", name="channel_known"
        ),
        Index("ix_audit_log_child_day", "child_id", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "family:12345", "staff:marie", "system"
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"))
    day: Mapped[date | None] = mapped_column(Date)
    before: Mapped[str | None] = mapped_column(String(64))
    after: Mapped[str | None] = mapped_column(String(64))
    call_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Call(Base):
    """One phone call, keyed by Twilio's CallSid, with its per-call state."""

    __tablename__ = "calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    from_number: Mapped[str | None] = mapped_column(String(32), index=True)
    to_number: Mapped[str | None] = mapped_column(String(32))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    step: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(16), index=True)
    status: Mapped[str | None] = mapped_column(String(32))
    duration: Mapped[int | None] = mapped_column(Integer)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", order_by="CallEvent.id", cascade="all, delete-orphan"
    )


class CallEvent(Base):
    """One step of a call: the question, how it was answered, the outcome — never a code.

    ``request_key`` makes a webhook delivered twice recognisable: the stored ``response`` (TwiML)
    is answered again and nothing is done twice."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "request_key", name="uq_call_events_request"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    request_key: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(32))
    input_kind: Mapped[str | None] = mapped_column(String(16))  # dtmf, speech, none
    heard: Mapped[str | None] = mapped_column(String(200))  # redacted for secret steps
    outcome: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text)
    call: Mapped[Call] = relationship(back_populates="events")


class StaffUser(Base):
    """A town staff account; password hashed with a standard KDF."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('staff', 'kitchen', 'admin')", name="role_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """One open staff login. The signed cookie alone cannot be taken back (a copy made before
    the logout would stay valid until it expires), so the cookie also carries a random token
    whose hash is kept here: the logout deletes the row, and a password set, a role changed or
    an account deleted deletes all of that user's rows. Each staff request reads its row, with
    the user, by the unique hash; ``last_seen_at`` (moved on at most once a minute) ends it after
    a while without a request (``restomairie.staff.accounts.IDLE_TIMEOUT``)."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffLoginFailure(Base):
    """A wrong secret typed, with the client's address: what the rate limits count
    (:mod:`restomairie.ratelimit`). ``kind`` ``login``: a wrong password at the staff login,
    with the user name tried (per name and address, per name, per address; see
    ``restomairie.staff.accounts``; the audit log keeps every one for good); ``kitchen_token``:
    a wrong kitchen token, by address only, the token itself never kept (``username`` "").
    Rows older than the limits' window are deleted; a right secret deletes its rows, an admin's
    unlock a name's or an address's."""

    __tablename__ = "staff_login_failures"
    __table_args__ = (
        Index("ix_staff_login_failures_username_at", "username", "at"),
        Index("ix_staff_login_failures_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), server_default="login")
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))  # "" when the address is not known
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PendingImport(Base):
    """A CSV file checked on the staff import page and waiting for its confirmation, kept here
    (not in one web process's memory) so that whichever process receives the confirmation finds
    it. ``data`` is not the file sent but its checked lines, each family's code sealed (only its
    hash: :func:`restomairie.staff.imports.pending_data`). The random token the page carries is
    stored only as its hash; the lines are personal data and are deleted when confirmed, once
    expired (``expires_at``), or by the nightly purge."""

    __tablename__ = "import_pending"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    owner: Mapped[str] = mapped_column(String(100))  # the actor label, "staff:marie"
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ImportJob(Base):
    """A confirmed import and its progress, readable from any web process. ``updated_at`` is
    its heartbeat: a running job whose heartbeat stopped belongs to a process that died (its
    transaction rolled back). ``result`` holds what the finished page shows (the report's
    figures, the lines and changes, bounded as the preview's lists)."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'done', 'failed')", name="state_known"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, in the page's URL
    owner: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


@event.listens_for(LockedCount, "before_update")
@event.listens_for(LockedChild, "before_update")
@event.listens_for(DayLock, "before_update")
def _locks_are_frozen(mapper: Any, connection: Any, target: Any) -> None:
    raise ValueError("a lock is never rewritten: record an adjustment instead")


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(mapper: Any, connection: Any, target: Any) -> None:
    raise ValueError("the audit log is append-only")
