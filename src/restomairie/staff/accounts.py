"""Staff accounts: creation, passwords, roles, and the login with its rate limit.

Passwords are hashed with werkzeug's default KDF (scrypt; werkzeug is Flask's own dependency), never
stored or logged in clear. Roles:

* ``kitchen`` — the kitchen pages only;
* ``staff`` — the back office: read everything, act for families (book, cancel, override,
  subscriptions, closures, exports), the in-browser phone;
* ``admin`` — staff, plus user accounts and family imports.

Every login, failed login, logout and account change is written to the audit log (channel
``staff``).

Each login opens a row in ``staff_sessions`` (:meth:`AccountService.open_session`): the cookie
carries its random token, the table its SHA-256. A logout deletes that row; setting a password,
changing a role or deleting an account deletes all of the user's rows, so a copy of the cookie
stops working at once on every process (a signed cookie alone could not be taken back before it
expires). A session also ends :data:`MAX_SESSION` after the login.

The failed logins in the audit log are also what the rate limit counts, so it holds
across processes and restarts: after :data:`MAX_FAILURES` wrong passwords for a user name within
:data:`WINDOW`, that name is refused (without checking the password) until the window has passed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import check_password_hash, generate_password_hash

from restomairie.clock import Clock
from restomairie.models import AuditEntry, StaffSession, StaffUser

ROLES = ("staff", "kitchen", "admin")
ROLE_LABELS = {"staff": "personnel", "kitchen": "cuisine", "admin": "administrateur"}
MIN_PASSWORD = 10
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
MAX_SESSION = timedelta(hours=10)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

# A fixed hash to check against when the user does not exist, so that an unknown name and a wrong
# password take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(Exception):
    """A refused account operation; the message (French) says why."""


class LoginThrottled(AccountError):
    """Too many failed logins: try again after ``until``."""

    def __init__(self, until: datetime | None) -> None:
        super().__init__("Trop d'essais : réessayez dans quelques minutes.")
        self.until = until


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: str
    created_at: datetime
    fingerprint: str  # changes when the password changes: sessions opened before are closed

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _wall_clock() -> datetime:
    """Real time: a session lasts 10 real hours even when the clock is frozen for a demo."""
    return datetime.now(UTC)


def _view(user: StaffUser) -> UserView:
    return UserView(
        user.id, user.username, user.role, user.created_at, _fingerprint(user.password_hash)
    )


def check_new_password(password: str) -> None:
    """Refuse a password too short to resist guessing."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Le mot de passe doit avoir au moins {MIN_PASSWORD} caractères.")


class IpThrottle:
    """Per-process sliding window of failed logins per client address (a second line behind the
    per-user limit, against one address trying many names)."""

    def __init__(self, limit: int = 20, window_s: float = WINDOW.total_seconds()) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._prune(key, time.monotonic())) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            self._prune(key, time.monotonic()).append(time.monotonic())


class AccountService:
    """Staff accounts over the shared store. Each public method is one transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self.ip_throttle = IpThrottle()
        self.wall_clock = _wall_clock

    # ------------------------------------------------------------------ sessions
    def open_session(self, user_id: int) -> str:
        """Open a session for the user; returns its token (for the signed cookie only: the
        database keeps its hash). Sessions past :data:`MAX_SESSION` are purged on the way."""
        token = secrets.token_urlsafe(32)
        now = self.wall_clock()
        with self.sessions() as session, session.begin():
            session.execute(
                delete(StaffSession).where(StaffSession.created_at <= now - MAX_SESSION)
            )
            session.add(
                StaffSession(user_id=user_id, token_hash=_token_hash(token), created_at=now)
            )
        return token

    def session_user(self, user_id: int, token: str) -> UserView | None:
        """The user of an open session (one read by the token's unique hash), or None when the
        session was closed, has expired, or is not that user's."""
        with self.sessions() as session:
            user = session.scalars(
                select(StaffUser).join(StaffSession, StaffSession.user_id == StaffUser.id).where(
                    StaffSession.token_hash == _token_hash(token),
                    StaffSession.user_id == user_id,
                    StaffSession.created_at > self.wall_clock() - MAX_SESSION,
                )
            ).first()
            return _view(user) if user is not None else None

    def close_session(self, token: str) -> None:
        """End one session (the logout): its cookie, even copied, opens nothing any more."""
        with self.sessions() as session, session.begin():
            session.execute(
                delete(StaffSession).where(StaffSession.token_hash == _token_hash(token))
            )

    def open_sessions(self, user_id: int) -> int:
        """How many sessions the user has open (not expired)."""
        with self.sessions() as session:
            return session.scalar(
                select(func.count()).select_from(StaffSession).where(
                    StaffSession.user_id == user_id,
                    StaffSession.created_at > self.wall_clock() - MAX_SESSION,
                )
            ) or 0

    @staticmethod
    def _close_all(session: Session, user: StaffUser) -> None:
        """End every session of ``user`` (in the caller's transaction)."""
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))

    # ------------------------------------------------------------------ reads
    def get(self, user_id: int) -> UserView | None:
        with self.sessions() as session:
            user = session.get(StaffUser, user_id)
            return _view(user) if user is not None else None

    def list_users(self) -> list[UserView]:
        with self.sessions() as session:
            users = session.scalars(select(StaffUser).order_by(StaffUser.username))
            return [_view(u) for u in users]

    # ------------------------------------------------------------------ changes
    def create_user(self, username: str, role: str, password: str, by: str = "system") -> UserView:
        """Create an account; ``by`` is who did it (audited)."""
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise AccountError(
                "Identifiant invalide : 2 à 64 caractères, lettres minuscules, chiffres, . _ -"
            )
        if role not in ROLES:
            raise AccountError(f"Rôle inconnu : {role} ({', '.join(ROLES)}).")
        check_new_password(password)
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            if session.scalars(select(StaffUser).where(StaffUser.username == username)).first():
                raise AccountError(f"L'identifiant {username} existe déjà.")
            user = StaffUser(
                username=username, password_hash=generate_password_hash(password), role=role,
                created_at=now,
            )
            session.add(user)
            session.add(_audit(now, by, "user_created", after=role, detail={"username": username}))
            session.flush()
            return _view(user)

    def set_password(self, username: str, password: str, by: str = "system") -> None:
        check_new_password(password)
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            user = self._user(session, username)
            user.password_hash = generate_password_hash(password)
            # Whoever knew the old password may hold a session: all of them end.
            self._close_all(session, user)
            session.add(_audit(now, by, "password_set", detail={"username": username}))

    def set_role(self, username: str, role: str, by: str) -> None:
        if role not in ROLES:
            raise AccountError(f"Rôle inconnu : {role}.")
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            user = self._user(session, username)
            if user.role == "admin" and role != "admin":
                self._keep_an_admin(session)
            before, user.role = user.role, role
            if before != role:
                # A role taken away must not live on in an open page; a new one is taken with
                # a new login. (The role is read again on every request anyway.)
                self._close_all(session, user)
            session.add(
                _audit(now, by, "user_role", before=before, after=role,
                       detail={"username": username})
            )

    def delete_user(self, username: str, by: str) -> None:
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            user = self._user(session, username)
            if f"staff:{user.username}" == by:
                raise AccountError("Vous ne pouvez pas supprimer votre propre compte.")
            if user.role == "admin":
                self._keep_an_admin(session)
            self._close_all(session, user)
            session.delete(user)
            session.add(
                _audit(now, by, "user_deleted", before=user.role, detail={"username": username})
            )

    def ensure_user(self, username: str, role: str, by: str = "system") -> tuple[UserView, str]:
        """Create the account, or give it a new password if it exists; returns the new password
        (for the demo account: printed by ``restomairie demo``)."""
        password = secrets.token_urlsafe(9)
        with self.sessions() as session:
            exists = session.scalars(
                select(StaffUser.id).where(StaffUser.username == username)
            ).first()
        if exists is None:
            return self.create_user(username, role, password, by), password
        self.set_password(username, password, by)
        current = self.get(exists)
        if current is not None and current.role != role:
            self.set_role(username, role, by)
        found = self.get(exists)
        assert found is not None
        return found, password

    # ------------------------------------------------------------------ login
    def authenticate(self, username: str, password: str, address: str = "") -> UserView:
        """The user if the password is right. Raises :class:`LoginThrottled` when the name or the
        address made too many wrong tries, :class:`AccountError` when wrong (audited)."""
        username = username.strip().lower()[:64]
        now = self.clock.now()
        if address and self.ip_throttle.blocked(address):
            raise LoginThrottled(None)
        with self.sessions() as session, session.begin():
            failures, first = self._recent_failures(session, username, now)
            if failures >= MAX_FAILURES:
                raise LoginThrottled(first + WINDOW if first else None)
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
            ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
            detail: dict[str, object] | None = {"address": address} if address else None
            if user is None or not ok:
                session.add(_audit(now, f"staff:{username}", "login_failed", detail=detail))
                found = None
            else:
                session.add(_audit(now, f"staff:{username}", "login", detail=detail))
                found = _view(user)
        if found is None:  # raised after the commit: the failure stays in the log
            if address:
                self.ip_throttle.failed(address)
            raise AccountError("Identifiant ou mot de passe incorrect.")
        return found

    def record(
        self,
        actor: str,
        action: str,
        *,
        detail: dict[str, object] | None = None,
        family_id: int | None = None,
        call_sid: str | None = None,
    ) -> None:
        """Write one audit entry for a staff action (logout, export, training call…)."""
        with self.sessions() as session, session.begin():
            session.add(_audit(self.clock.now(), actor, action, detail=detail,
                               family_id=family_id, call_sid=call_sid))

    def _recent_failures(
        self, session: Session, username: str, now: datetime
    ) -> tuple[int, datetime | None]:
        actor = f"staff:{username}"
        since = now - WINDOW
        last_ok = session.scalar(
            select(func.max(AuditEntry.at)).where(
                AuditEntry.actor == actor, AuditEntry.action == "login", AuditEntry.at > since
            )
        )
        if last_ok is not None:
            since = last_ok
        count, first = session.execute(
            select(func.count(), func.min(AuditEntry.at)).where(
                AuditEntry.actor == actor, AuditEntry.action == "login_failed",
                AuditEntry.at >= since,
            )
        ).one()
        return int(count), first

    def _user(self, session: Session, username: str) -> StaffUser:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None:
            raise AccountError(f"Compte inconnu : {username}.")
        return user

    def _keep_an_admin(self, session: Session) -> None:
        admins = session.scalar(select(func.count()).where(StaffUser.role == "admin"))
        if (admins or 0) <= 1:
            raise AccountError("Il doit rester au moins un administrateur.")


def _audit(
    at: datetime,
    actor: str,
    action: str,
    *,
    before: str | None = None,
    after: str | None = None,
    detail: dict[str, object] | None = None,
    family_id: int | None = None,
    call_sid: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=at, actor=actor[:100], channel="staff", action=action, before=before, after=after,
        detail=detail, family_id=family_id, call_sid=call_sid,
    )
