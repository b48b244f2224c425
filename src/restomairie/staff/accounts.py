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
expires). A session also ends :data:`MAX_SESSION` after the login, and after
:attr:`AccountService.idle_timeout` without a request (a computer left open over lunch: the
town's ``staff.idle_minutes``, :data:`IDLE_TIMEOUT` by default): each request's read of
its row checks both, and moves its ``last_seen_at`` on at most every :data:`SEEN_EVERY`. Both
are real time (:attr:`AccountService.wall_clock`), not the application's clock, which a demo or
a training session freezes (``RESTOMAIRIE_NOW``): frozen, a session would never go idle.

The login's rate limit counts the wrong passwords of the last :data:`WINDOW` in
``staff_login_failures`` (by user name and client address, so it holds across processes and
restarts; :mod:`restomairie.ratelimit`, shared with the kitchen token's limit) and must not be
a way to lock someone else out:

* :data:`MAX_FAILURES` wrong passwords for a name *from one address* refuse that name to that
  address only (without checking the password): a stranger typing ``demo`` five times does not
  lock the real ``demo`` out of their own computer;
* :data:`NAME_ALERT` wrong passwords for a name from every address together (guessing spread
  over many addresses) refuse the name to each address that has typed a wrong one for it; an
  address without one still gets its password checked, so the real user still logs in;
* :data:`ADDRESS_LIMIT` wrong passwords from one address over every name refuse that address.

A right password forgets its name and address's failures. Admins see the locks on the accounts
page and lift them (:meth:`AccountService.unlock_login`, audited with a reason). The client's
address is ``request.remote_addr``, which ``RESTOMAIRIE_TRUSTED_PROXIES`` makes the address the
proxies forwarded (``restomairie.web``): behind a proxy not declared, every client has the
proxy's address and these limits fall on everyone at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import pairwise

from sqlalchemy import and_, case, delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import check_password_hash, generate_password_hash

from restomairie.clock import Clock
from restomairie.models import AuditEntry, StaffLoginFailure, StaffSession, StaffUser
from restomairie.ratelimit import LOGIN, WINDOW, Throttled, record_failure, until_text

ROLES = ("staff", "kitchen", "admin")
ROLE_LABELS = {"staff": "personnel", "kitchen": "cuisine", "admin": "administrateur"}
MIN_PASSWORD = 10
MAX_FAILURES = 5  # wrong passwords for one name from one address
NAME_ALERT = 20  # for one name from every address together
ADDRESS_LIMIT = 20  # from one address over every name
MAX_SESSION = timedelta(hours=10)
IDLE_TIMEOUT = timedelta(minutes=30)  # without a request: the session ends (the default)
SEEN_EVERY = timedelta(minutes=1)  # how stale last_seen_at may be before a request writes it
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

# A fixed hash to check against when the user does not exist, so that an unknown name and a wrong
# password take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(Exception):
    """A refused account operation; the message (French) says why."""


class LoginThrottled(AccountError, Throttled):
    """Too many failed logins: try again after ``until``. ``scope``: ``"name"`` when this
    name is refused to this address, ``"address"`` when this address is refused any name."""

    def __init__(self, until: datetime, scope: str, tz: tzinfo) -> None:
        when = until_text(until, tz)
        if scope == "address":
            message = (f"Trop d'essais depuis ce poste : réessayez après {when}, ou demandez à "
                       "un administrateur de le débloquer.")
        else:
            message = (f"Trop d'essais pour cet identifiant depuis ce poste : réessayez après "
                       f"{when}, ou demandez à un administrateur de débloquer la connexion.")
        Throttled.__init__(self, message, until)
        self.scope = scope


@dataclass(frozen=True)
class LoginLock:
    """A lock of the login's rate limit, for the accounts page. ``username`` and ``address``
    both set: that name refused to that address; ``address`` None: the name under guesses
    from many addresses (refused to those that guessed, ``addresses`` of them); ``username``
    None: the address refused every name (``names`` tried)."""

    username: str | None
    address: str | None
    failures: int
    until: datetime
    addresses: int = 0
    names: int = 0


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
    """Real time: a session lasts 10 real hours (30 real minutes without a request) even when
    the application's clock is frozen for a demo."""
    return datetime.now(UTC)


def _view(user: StaffUser) -> UserView:
    return UserView(
        user.id, user.username, user.role, user.created_at, _fingerprint(user.password_hash)
    )


# The commonest passwords of 10 characters or more (shorter ones are refused anyway), lowercased:
# the top of the public leak lists, French ones first (keyboard rows, counting, "mot de passe").
COMMON_PASSWORDS = frozenset({
    "1234567890", "0123456789", "0987654321", "1234567891", "12345678910", "123456789a",
    "azertyuiop", "qwertyuiop", "azerty1234", "qwerty1234", "azerty123456", "qwerty123456",
    "1q2w3e4r5t", "1qaz2wsx3edc", "a1z2e3r4t5", "aqwzsxedc123", "motdepasse", "motdepasse1",
    "password12", "password123", "password1234", "iloveyou12", "abcdefghij", "abcd123456",
    "0000000000", "1111111111", "123123123123",
})
# Words that, with digits or signs around them ("Motdepasse2024!", "Soleil123456"), make most
# of the other common passwords; and the service's own names, the first an attacker tries.
COMMON_WORDS = frozenset({
    "motdepasse", "password", "azerty", "qwerty", "azertyuiop", "qwertyuiop", "bonjour",
    "soleil", "doudou", "loulou", "chouchou", "jetaime", "iloveyou", "marseille", "welcome",
    "bienvenue", "changeme", "admin", "administrateur", "restomairie", "mairie", "cantine",
})
MIN_DISTINCT = 4
WEAK = "Mot de passe trop faible : "


def check_new_password(password: str, username: str = "") -> None:
    """Refuse a password too short, or obviously weak (the first ones a guesser tries): one
    character repeated (or a few), a run of keys in order, the user name with digits or signs
    around it, one of the commonest passwords. The message says which, in French."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Le mot de passe doit avoir au moins {MIN_PASSWORD} caractères.")
    folded = password.lower()
    if len(set(folded)) < MIN_DISTINCT:
        raise AccountError(
            WEAK + f"il répète les mêmes caractères (il en faut au moins {MIN_DISTINCT} "
            "différents).")
    steps = {ord(b) - ord(a) for a, b in pairwise(folded)}
    if steps in ({1}, {-1}):
        raise AccountError(WEAK + "c'est une suite de caractères (« abcdefghij », « 0123456789 »).")
    name = username.strip().lower()
    if name and name in folded:
        rest = folded.replace(name, "")
        if not any(c.isalpha() for c in rest) or len(set(rest)) < MIN_DISTINCT:
            raise AccountError(WEAK + "il reprend l'identifiant.")
    letters = "".join(c for c in folded if c.isalpha())
    if folded in COMMON_PASSWORDS or letters in COMMON_WORDS:
        raise AccountError(
            WEAK + "c'est l'un des plus courants (« motdepasse », « azertyuiop »…) : "
            "une phrase de quelques mots est plus sûre et se retient mieux.")


class AccountService:
    """Staff accounts over the shared store. Each public method is one transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock,
                 idle_timeout: timedelta = IDLE_TIMEOUT) -> None:
        self.sessions = sessions
        self.clock = clock
        self.wall_clock = _wall_clock
        self.idle_timeout = idle_timeout  # without a request: the session ends

    # ------------------------------------------------------------------ sessions
    def open_session(self, user_id: int) -> str:
        """Open a session for the user; returns its token (for the signed cookie only: the
        database keeps its hash). Sessions past :data:`MAX_SESSION` or idle past
        :attr:`idle_timeout` are purged on the way."""
        token = secrets.token_urlsafe(32)
        now = self.wall_clock()
        with self.sessions() as session, session.begin():
            session.execute(
                delete(StaffSession).where(or_(
                    StaffSession.created_at <= now - MAX_SESSION,
                    StaffSession.last_seen_at <= now - self.idle_timeout,
                ))
            )
            session.add(
                StaffSession(user_id=user_id, token_hash=_token_hash(token), created_at=now,
                             last_seen_at=now)
            )
        return token

    def session_user(self, user_id: int, token: str) -> UserView | None:
        """The user of an open session (one read by the token's unique hash), or None when the
        session was closed, has expired (:data:`MAX_SESSION` after its login, or
        :attr:`idle_timeout` after its last request), or is not that user's. The session's
        ``last_seen_at`` is moved on when it is :data:`SEEN_EVERY` old or more: a write a minute
        at most, not one a request."""
        now = self.wall_clock()
        with self.sessions() as session:
            found = session.execute(
                select(StaffUser, StaffSession.id, StaffSession.last_seen_at)
                .join(StaffSession, StaffSession.user_id == StaffUser.id).where(
                    StaffSession.token_hash == _token_hash(token),
                    StaffSession.user_id == user_id,
                    StaffSession.created_at > now - MAX_SESSION,
                    StaffSession.last_seen_at > now - self.idle_timeout,
                )
            ).first()
            if found is None:
                return None
            user, session_id, seen = found
            view = _view(user)
        if now - seen >= SEEN_EVERY:
            with self.sessions() as session, session.begin():
                session.execute(
                    update(StaffSession).where(StaffSession.id == session_id)
                    .values(last_seen_at=now)
                )
        return view

    def close_session(self, token: str) -> None:
        """End one session (the logout): its cookie, even copied, opens nothing any more."""
        with self.sessions() as session, session.begin():
            session.execute(
                delete(StaffSession).where(StaffSession.token_hash == _token_hash(token))
            )

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

    def last_logins(self) -> dict[str, datetime]:
        """Each account's latest login, from the audit log (every login is audited), when
        there was one since the account was created: a name deleted then created again does
        not take the old account's logins."""
        with self.sessions() as session:
            created = {name: at for name, at in session.execute(
                select(StaffUser.username, StaffUser.created_at))}
            latest = session.execute(
                select(AuditEntry.actor, func.max(AuditEntry.at))
                .where(AuditEntry.action == "login", AuditEntry.actor.startswith("staff:"))
                .group_by(AuditEntry.actor))
            out = {}
            for actor, at in latest:
                name = actor.removeprefix("staff:")
                if name in created and at is not None and at >= created[name]:
                    out[name] = at
            return out

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
        check_new_password(password, username)
        now = self.clock.now()
        taken = AccountError(f"L'identifiant {username} existe déjà.")
        with self.sessions() as session, session.begin():
            if session.scalars(select(StaffUser).where(StaffUser.username == username)).first():
                raise taken
            user = StaffUser(
                username=username, password_hash=generate_password_hash(password), role=role,
                created_at=now,
            )
            session.add(user)
            try:
                session.flush()
            except IntegrityError:
                # Created at the same moment by another admin or the CLI, after the check above
                # (PostgreSQL lets both read before either writes): the name's unique index is
                # the only constraint this row can break. Raising rolls the whole transaction
                # back: no account and no audit line of ours.
                raise taken from None
            session.add(_audit(now, by, "user_created", after=role, detail={"username": username}))
            session.flush()
            return _view(user)

    def set_password(self, username: str, password: str, by: str = "system") -> None:
        check_new_password(password, username)
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
        while True:  # a random one is as good as refused once in a blue moon: draw again
            try:
                check_new_password(password, username)
            except AccountError:
                password = secrets.token_urlsafe(9)
            else:
                break
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
        """The user if the password is right. Raises :class:`LoginThrottled` when this name
        from this address, or this address, made too many wrong tries (the module's rules),
        :class:`AccountError` when wrong (audited). ``address``: the client's, "" if unknown
        (the name's limit then applies to every caller without one)."""
        username = username.strip().lower()[:64]
        address = address[:64]
        now = self.clock.now()
        with self.sessions() as session:
            self._check_throttle(session, username, address, now)
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
            stored = user.password_hash if user else _DUMMY_HASH
            found = _view(user) if user else None
        # The slow KDF outside any transaction: on SQLite a write transaction holds the
        # database's one write lock, which the phone line's bookings wait for.
        ok = check_password_hash(stored, password) and found is not None
        detail: dict[str, object] | None = {"address": address} if address else None
        f = StaffLoginFailure
        with self.sessions() as session, session.begin():
            if ok:
                session.add(_audit(now, f"staff:{username}", "login", detail=detail))
                session.execute(delete(f).where(
                    f.kind == LOGIN, f.username == username, f.address == address))
            else:
                session.add(_audit(now, f"staff:{username}", "login_failed", detail=detail))
                record_failure(session, LOGIN, address, now, username)
        if not ok or found is None:  # raised after the commit: the failure stays counted
            raise AccountError("Identifiant ou mot de passe incorrect.")
        return found

    def _check_throttle(
        self, session: Session, username: str, address: str, now: datetime
    ) -> None:
        """Raise :class:`LoginThrottled` if this try is to be refused unchecked (one read)."""
        f = StaffLoginFailure
        pair = and_(f.username == username, f.address == address)
        # Without an address, no address limit (and no row matched for it).
        by_address = f.address == address if address else false()
        pair_n, pair_first, pair_last, name_n, address_n, address_first = session.execute(
            select(
                func.count(case((pair, 1))),
                func.min(case((pair, f.at))),
                func.max(case((pair, f.at))),
                func.count(case((f.username == username, 1))),
                func.count(case((by_address, 1))),
                func.min(case((by_address, f.at))),
            ).where(f.kind == LOGIN, f.at > now - WINDOW, or_(f.username == username, by_address))
        ).one()
        tz = self.clock.tz
        if address and address_n >= ADDRESS_LIMIT:
            raise LoginThrottled(address_first + WINDOW, "address", tz)
        if pair_n >= MAX_FAILURES:
            raise LoginThrottled(pair_first + WINDOW, "name", tz)
        if name_n >= NAME_ALERT and pair_n:
            # Guesses from many addresses: those that guessed wait until their own failures
            # are forgotten; the others (the real user, most likely) are still checked.
            raise LoginThrottled(pair_last + WINDOW, "name", tz)

    def login_locks(self) -> list[LoginLock]:
        """The locks of the login's rate limit in force now: by name and address, names under
        guesses from many addresses, addresses over many names (one read)."""
        now = self.clock.now()
        f = StaffLoginFailure
        with self.sessions() as session:
            rows = session.execute(
                select(f.username, f.address, func.count(), func.min(f.at), func.max(f.at))
                .where(f.kind == LOGIN, f.at > now - WINDOW).group_by(f.username, f.address)
            ).all()
        locks: list[LoginLock] = []
        names: dict[str, list[tuple[str, int, datetime, datetime]]] = {}
        addresses: dict[str, list[tuple[str, int, datetime, datetime]]] = {}
        for username, address, count, first, last in rows:
            if count >= MAX_FAILURES:
                locks.append(LoginLock(username, address, count, first + WINDOW))
            names.setdefault(username, []).append((address, count, first, last))
            if address:
                addresses.setdefault(address, []).append((username, count, first, last))
        for username, found in names.items():
            total = sum(n for _, n, _, _ in found)
            if total >= NAME_ALERT:
                locks.append(LoginLock(username, None, total,
                                       max(last for *_, last in found) + WINDOW,
                                       addresses=len(found)))
        for address, found in addresses.items():
            total = sum(n for _, n, _, _ in found)
            if total >= ADDRESS_LIMIT:
                locks.append(LoginLock(None, address, total,
                                       min(first for _, _, first, _ in found) + WINDOW,
                                       names=len(found)))
        return sorted(locks, key=lambda lk: (lk.username or "", lk.address or ""))

    def unlock_login(
        self, *, username: str | None = None, address: str | None = None, reason: str,
        by: str,
    ) -> int:
        """Forget the recent wrong passwords of a name (from every address) or of an address
        (for every name): its locks are lifted. Audited as ``login_unlock`` with the reason,
        required (lifting a protection against guessing must say why). Returns how many
        failures were forgotten."""
        reason = " ".join(reason.split())[:200]
        if not reason:
            raise AccountError("Le déblocage demande un motif.")
        if bool(username) == bool(address):
            raise AccountError("Débloquez un identifiant ou une adresse.")
        now = self.clock.now()
        f = StaffLoginFailure
        which = and_(f.kind == LOGIN,
                     f.username == username if username else f.address == address)
        with self.sessions() as session, session.begin():
            count, spread = session.execute(
                select(func.count(), func.count(
                    func.distinct(f.address if username else f.username)
                )).where(which, f.at > now - WINDOW)
            ).one()
            if not count:
                raise AccountError(
                    f"Aucun essai manqué récent pour {username}." if username
                    else f"Aucun essai manqué récent depuis l'adresse {address}.")
            session.execute(delete(f).where(which))
            if username:
                label = (f"connexion de {username} débloquée ({count} essai(s) manqué(s) "
                         f"oublié(s), depuis {spread} adresse(s))")
                target: dict[str, object] = {"username": username}
            else:
                label = (f"adresse {address} débloquée ({count} essai(s) manqué(s) oublié(s), "
                         f"sur {spread} identifiant(s))")
                target = {"address": address}
            session.add(_audit(now, by, "login_unlock", detail={
                **target, "failures": count, "reason": reason, "label": label}))
        return int(count)

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
