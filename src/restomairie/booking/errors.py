"""Domain errors of the booking engine. Each carries its reason in French (``str(error)``) and
the data a channel needs to say it its own way (the day, the deadline that applied…)."""

from __future__ import annotations

from datetime import date, datetime

from restomairie.calendar.days import closed_reason
from restomairie.i18n import format_day, format_deadline


class BookingError(Exception):
    """Base class: a request that cannot be done; nothing was written."""

    code = "error"

    def __init__(self, message: str, *, day: date | None = None, child: str | None = None) -> None:
        super().__init__(message)
        self.day = day
        self.child = child


class UnknownFamily(BookingError):
    code = "unknown_family"

    def __init__(self, account: str) -> None:
        super().__init__(f"Dossier famille inconnu : {account}.")
        self.account = account


class UnknownChild(BookingError):
    code = "unknown_child"

    def __init__(self, ref: str) -> None:
        super().__init__(f"Enfant inconnu dans ce dossier : {ref}.", child=ref)


class NotEnrolled(BookingError):
    code = "not_enrolled"

    def __init__(self, child: str, day: date) -> None:
        super().__init__(
            f"{child} n'est pas inscrit(e) à la restauration scolaire le {format_day(day)}.",
            day=day,
            child=child,
        )


class NotOperatingDay(BookingError):
    code = "not_operating"

    def __init__(self, day: date, reason: str, child: str | None = None) -> None:
        super().__init__(
            f"Le {format_day(day)}, il n'y a pas de restauration scolaire : "
            f"{closed_reason(day, reason)}.",
            day=day,
            child=child,
        )
        self.reason = reason


PAST_DEADLINE_VERBS = {
    "book": "réserver",
    "cancel": "annuler",
    "subscribe": "modifier l'abonnement",
    "unsubscribe": "mettre fin à l'abonnement",
}


class PastDeadline(BookingError):
    code = "past_deadline"

    def __init__(
        self, day: date, deadline: datetime, action: str, child: str | None = None
    ) -> None:
        # The change actually refused: a subscription ended or changed too late is not a meal
        # "to book" (the parent was trying to stop meals).
        verb = PAST_DEADLINE_VERBS.get(action, "annuler")
        super().__init__(
            f"Trop tard pour le {format_day(day)} : il fallait {verb} avant le "
            f"{format_deadline(deadline)}.",
            day=day,
            child=child,
        )
        self.deadline = deadline
        self.action = action


class DayLocked(BookingError):
    code = "locked"

    def __init__(self, day: date, locked_at: datetime, child: str | None = None) -> None:
        super().__init__(
            f"Les repas du {format_day(day)} sont déjà transmis à la cuisine "
            f"(verrouillés le {format_deadline(locked_at)}).",
            day=day,
            child=child,
        )
        self.locked_at = locked_at


class OutsideCalendar(BookingError):
    code = "outside_calendar"

    def __init__(self, day: date, message: str) -> None:
        super().__init__(message, day=day)


class InvalidRequest(BookingError):
    code = "invalid"
