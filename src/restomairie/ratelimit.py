"""Rate limits on guessed secrets: the staff login's passwords and the kitchen's shared token.

Each wrong try is a row of ``staff_login_failures`` (:class:`~restomairie.models.StaffLoginFailure`)
with its ``kind`` (:data:`LOGIN`, :data:`KITCHEN_TOKEN`), the client's address and, for the login,
the user name tried: in the database, so a limit holds across processes and restarts. Rows older
than :data:`WINDOW` no longer count and are deleted as new ones come. What was typed is never
kept, only that a try failed.

The staff login's rules (by name and address, by name, by address) are in
:mod:`restomairie.staff.accounts`; the kitchen token's, one secret shared by the town, count by
address only (:class:`AddressLimit`). The client's address is ``request.remote_addr``, which
``RESTOMAIRIE_TRUSTED_PROXIES`` makes the one the proxies forwarded (``restomairie.web``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from restomairie.clock import Clock
from restomairie.models import AuditEntry, StaffLoginFailure

WINDOW = timedelta(minutes=15)
LOGIN = "login"  # a wrong password at the staff login
KITCHEN_TOKEN = "kitchen_token"  # a wrong kitchen token (page link, login form or bearer)


def until_text(until: datetime, tz: tzinfo) -> str:
    """The time a lock ends, as the refusal says it: ``10:15`` in the town's zone."""
    return until.astimezone(tz).strftime("%H:%M")


class Throttled(Exception):
    """A try refused unchecked: too many wrong ones. ``until``: when it may be tried again."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until

    def retry_after(self, now: datetime) -> int:
        """Seconds to wait, for an HTTP ``Retry-After`` header (at least 1)."""
        return max(1, math.ceil((self.until - now).total_seconds()))


def record_failure(
    session: Session, kind: str, address: str, now: datetime, username: str = ""
) -> None:
    """Count one wrong try (in the caller's transaction); rows past :data:`WINDOW`, of every
    kind, are deleted on the way."""
    f = StaffLoginFailure
    session.execute(delete(f).where(f.at <= now - WINDOW))
    session.add(StaffLoginFailure(kind=kind, username=username, address=address, at=now))


@dataclass(frozen=True)
class AddressLock:
    """An address refused a secret (for the accounts page): ``failures`` wrong tries in the
    window, refused until ``until``."""

    address: str
    failures: int
    until: datetime


class AddressLimit:
    """At most ``limit`` wrong tries of a ``kind`` per client address in :data:`WINDOW`; past
    it, that address's tries are refused unchecked (the right secret too) until its oldest
    failure leaves the window. A right try forgets the address's failures. Each public method
    is one transaction."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, kind: str, limit: int,
        message: str,
    ) -> None:
        """``message``: the refusal, with ``{until}`` for the time it ends."""
        self.sessions = sessions
        self.clock = clock
        self.kind = kind
        self.limit = limit
        self.message = message

    def check(self, address: str) -> int:
        """Raise :class:`Throttled` if a try from ``address`` is to be refused unchecked; else
        the address's wrong tries in the window (one read)."""
        now = self.clock.now()
        f = StaffLoginFailure
        with self.sessions() as session:
            count, first = session.execute(
                select(func.count(), func.min(f.at)).where(
                    f.kind == self.kind, f.address == address[:64], f.at > now - WINDOW)
            ).one()
        if count >= self.limit:
            until = first + WINDOW
            raise Throttled(self.message.format(until=until_text(until, self.clock.tz)), until)
        return int(count)

    def failed(self, address: str) -> None:
        """Count a wrong try from ``address``."""
        with self.sessions() as session, session.begin():
            record_failure(session, self.kind, address[:64], self.clock.now())

    def succeeded(self, address: str, failures: int) -> None:
        """A right try: forget the address's wrong ones (``failures``, as :meth:`check`
        returned: nothing written when there were none)."""
        if failures:
            f = StaffLoginFailure
            with self.sessions() as session, session.begin():
                session.execute(delete(f).where(f.kind == self.kind, f.address == address[:64]))

    def locks(self) -> list[AddressLock]:
        """The addresses refused now, by address (one read)."""
        now = self.clock.now()
        f = StaffLoginFailure
        with self.sessions() as session:
            rows = session.execute(
                select(f.address, func.count(), func.min(f.at))
                .where(f.kind == self.kind, f.at > now - WINDOW).group_by(f.address)
                .having(func.count() >= self.limit).order_by(f.address)
            ).all()
        return [AddressLock(address, int(n), first + WINDOW) for address, n, first in rows]

    def unlock(self, address: str, reason: str, by: str, action: str, what: str) -> int:
        """Forget the recent wrong tries of an address: its lock is lifted. Audited as
        ``action`` (channel ``staff``) with the reason, required; ``what`` names the secret in
        the entry's words. Returns how many failures were forgotten; :class:`ValueError`
        (French message) when there is no reason or nothing to forget."""
        reason = " ".join(reason.split())[:200]
        if not reason:
            raise ValueError("Le déblocage demande un motif.")
        now = self.clock.now()
        f = StaffLoginFailure
        which = (f.kind == self.kind, f.address == address)
        with self.sessions() as session, session.begin():
            count = session.scalar(select(func.count()).where(*which, f.at > now - WINDOW))
            if not count:
                raise ValueError(f"Aucun essai manqué récent depuis l'adresse {address}.")
            session.execute(delete(f).where(*which))
            label = (f"{what} : adresse {address} débloquée ({count} essai(s) manqué(s) "
                     "oublié(s))")
            session.add(AuditEntry(
                at=now, actor=by[:100], channel="staff", action=action,
                detail={"address": address, "failures": count, "reason": reason,
                        "label": label}))
        return int(count)
