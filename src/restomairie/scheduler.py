"""The scheduler process (``restomairie scheduler``): the production lock at each cut-off, and the
daily purge of old call logs.

It runs as its own process so that web workers never run jobs (twice or at all). What it does:

* **at start**, it catches up: every day whose cut-off passed while it was down is locked at
  once (:meth:`~restomairie.booking.locks.LockService.lock_due`, marked late), and old call logs
  (and the staff import's leftovers) are purged;
* **at each cut-off** — the next instant at which some school's meal day stops accepting changes,
  computed from the calendar and the configured deadline rules (13:00 in Dijon, midnight in
  Cesson-Sévigné, whatever a town configures), never a fixed hour — it locks what is due. The
  :class:`CutoffTrigger` asks the calendar for the next cut-off after each run;
* **every minute**, a safety run of the same lock (cheap: nothing is due almost always) covers a
  cut-off missed because the database was unreachable or the machine slept;
* **every night** (03:30 town time), the call-log purge (:mod:`restomairie.retention`), and the
  staff import's expired files and old jobs;
* **every morning** (07:00 town time), and after each cut-off's lock, what is said at start of
  the school calendar's end (:func:`calendar_end_text`: a warning, then an error once a meal
  past it is due), so that a scheduler left running for months says it when it applies, not
  only when it was started; and a calendar file replaced since the start (it is read at start
  only: :class:`CalendarWatch`).

Past the calendar's last cut-off, the cut-off job runs once more at the first cut-off past the
end that is known (Friday 3 September 2027's, Friday 2 July 13:00), to say that it is missed,
then ends (APScheduler removes a job whose trigger has no next time), saying why and what to do.

Two schedulers started by mistake still lock each day once: the lock takes an exclusive per-day
guard and ``uq_day_locks_school_day`` refuses a second lock row, so the second run finds the day
locked and does nothing. The job functions are plain functions of a
:class:`~restomairie.runtime.Runtime`; this module only wires them to APScheduler 3.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from types import FrameType
from typing import Any, NamedTuple

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from restomairie.booking.locks import LockResult
from restomairie.calendar.schoolholidays import CalendarCoverageError, format_french_date
from restomairie.i18n import format_day, format_deadline
from restomairie.retention import PurgeReport, purge_call_logs, purge_imports
from restomairie.runtime import Runtime

log = logging.getLogger("restomairie.scheduler")

LOCK_WORKERS = 4  # connections locking schools side by side at a cut-off (PostgreSQL)
SAFETY_INTERVAL = 60  # seconds between safety runs of the lock (well under LATE_AFTER)
PURGE_AT = (3, 30)  # the nightly purge, town time
CHECK_AT = (7, 0)  # the daily calendar check, town time (before the phone line opens at 8:00)
# The daily check warns this many days before the calendar's last deadline: a month for the
# town to download the next school year (``calendar-file show`` warns from 120 days, once run).
NOTICE_DAYS = 30
HORIZON_DAYS = 200  # how far to look for the next cut-off (covers the summer break)


# --------------------------------------------------------------------------- planning
def next_cutoff(rt: Runtime, after: datetime, horizon_days: int = HORIZON_DAYS) -> datetime | None:
    """The first lock cut-off strictly after ``after``: the earliest deadline, over every school
    and meal day, that is still to come. None past the shipped calendar.

    A meal day's deadline never comes after the meal, and later meals never have earlier
    deadlines, so for each school the first meal day from ``after``'s date whose deadline is
    still to come gives that school's next cut-off."""
    tz = rt.settings.tz
    start = after.astimezone(tz).date()
    best: datetime | None = None
    for school in rt.settings.schools:
        day = start
        for _ in range(horizon_days):
            try:
                st = rt.booking.lock_deadline(day, school.id)
            except CalendarCoverageError:
                break
            if st.operating and st.deadline is not None and st.deadline > after:
                if best is None or st.deadline < best:
                    best = st.deadline
                break
            day += timedelta(days=1)
    return best


def cutoff_past_end(rt: Runtime, after: datetime) -> datetime | None:
    """Past the calendar's last cut-off, the cut-off still to come after ``after`` of the first
    canteen day past its end, when it counts back to days the calendar knows (Friday 3
    September 2027's: Friday 2 July, 13:00): nothing can be locked then, but it is when the
    kitchen starts missing a day, so the cut-off job runs to say so. None while a cut-off in
    the calendar is still to come (:func:`next_cutoff`), and once that one has passed."""
    end = rt.locks.calendar_end(after.astimezone(rt.settings.tz))
    if end is None or end.due or end.deadline is None or end.until is None:
        return None
    return end.until if end.until > after else None


class CutoffTrigger(BaseTrigger):
    """Fires at each lock cut-off, computed from the calendar after every run; past the
    calendar's last one, at ``past_end``'s (:func:`cutoff_past_end`), if any.

    With nothing more to come it returns None, and APScheduler 3 then removes the job after
    its run (a job added without a first time stays, paused): ``on_end`` is told, once, with
    the last time it fired, to say why."""

    def __init__(
        self,
        next_fn: Callable[[datetime], datetime | None],
        timezone: tzinfo,
        past_end: Callable[[datetime], datetime | None] | None = None,
        on_end: Callable[[datetime], None] | None = None,
    ) -> None:
        self.next_fn = next_fn
        self.timezone = timezone
        self.past_end = past_end
        self.on_end = on_end
        self.ended = False

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None:
            after = now - timedelta(microseconds=1)  # a cut-off exactly now is still to fire
        else:
            after = previous_fire_time
        found = self.next_fn(after)
        if found is None and self.past_end is not None:
            try:
                found = self.past_end(after)
            except Exception:  # never in the scheduler's own thread: it would stop every job
                log.exception("heure limite après la fin du calendrier scolaire incalculable")
        # Said once: APScheduler asks twice at the end (for its run times, then the next one).
        if found is None and previous_fire_time is not None and not self.ended:
            self.ended = True
            if self.on_end is not None:
                self.on_end(previous_fire_time)
        return found.astimezone(self.timezone) if found is not None else None

    def __str__(self) -> str:
        return "cutoff[calendar]"


# --------------------------------------------------------------------------- jobs
def lock_job(rt: Runtime, workers: int = LOCK_WORKERS) -> list[LockResult]:
    """Lock every day whose cut-off has passed and is not locked yet
    (:meth:`~restomairie.booking.locks.LockService.lock_due`, schools side by side on
    PostgreSQL); log and return the new locks."""
    done = rt.locks.lock_due(rt.clock.now(), workers=workers)
    results = [r for r in done if r.created]
    for r in results:
        log.info(
            "verrouillé %s %s : %d repas %s%s", r.school_id, r.day.isoformat(), r.total,
            dict(r.counts), " (en retard)" if r.late else "",
        )
    return results


class EndNotice(NamedTuple):
    """What is said of the school calendar's end (:func:`calendar_end_text`)."""

    text: str  # French, starting lowercase (put after "Refusé : " or "Attention : ")
    due: bool  # a meal past the calendar is due (or may be): the kitchen risks missing it


UPDATE_HOW = (
    "« restomairie calendar-file convert » puis RESTOMAIRIE_CALENDAR_FILE (voir le README, "
    "« A newer school calendar »)."
)


def calendar_end_text(rt: Runtime) -> EndNotice | None:
    """Why nothing after the school calendar's end can be locked, in French, when it has ended
    before some school's next cut-off (:meth:`~restomairie.booking.locks.LockService.calendar_end`);
    None while the calendar reaches every next cut-off.

    ``due`` when a day past the end has a cut-off already passed (named, with that cut-off),
    or one that may have (it counts back through days the calendar does not know): an error,
    the kitchen will have no locked figure for it. Otherwise nothing is missed yet, and the
    text says until when the calendar must be updated: a warning, not an error — the lock did
    all it had to (1 July 2027 at 13:00, 2 September's cut-off: Friday 3 September's is only
    Friday 2 July, 13:00)."""
    end = rt.locks.calendar_end(rt.clock.now())
    if end is None:
        return None
    head = f"le calendrier scolaire utilisé s'arrête au {format_french_date(end.last_covered)}"
    day = format_day(end.day, year=True) if end.day is not None else None
    if end.due and end.deadline is not None:
        return EndNotice(
            f"{head} : les repas des jours suivants ne peuvent pas être verrouillés pour la "
            f"cuisine, ni réservés, et la date limite du {day}, s'il y a cantine ce jour-là, "
            f"est passée (le {format_deadline(end.deadline)}). Mettez le calendrier à jour : "
            f"{UPDATE_HOW}",
            True,
        )
    if end.due:
        return EndNotice(
            f"{head} : les repas des jours suivants ne peuvent pas être verrouillés pour la "
            f"cuisine, ni réservés, et la date limite du {day}, s'il y a cantine ce jour-là, "
            "est peut-être déjà passée (elle dépend de jours que le calendrier ne connaît "
            f"pas). Mettez le calendrier à jour : {UPDATE_HOW}",
            True,
        )
    if end.until is None:
        when = "dès que possible"
    elif end.deadline is not None:
        when = (
            f"avant le {format_deadline(end.until)} (date limite du {day}, s'il y a cantine "
            "ce jour-là)"
        )
    else:
        when = (
            f"avant le {format_deadline(end.until)} (aucune de leurs dates limites ne tombe "
            "plus tôt)"
        )
    return EndNotice(
        f"{head} : les repas des jours suivants ne pourront pas être verrouillés pour la "
        "cuisine, ni réservés, tant qu'il ne sera pas mis à jour. Aucune de leurs dates "
        f"limites n'est encore passée : mettez-le à jour {when} : {UPDATE_HOW}",
        False,
    )


RESTART = (
    "Redémarrez ensuite le planificateur et l'application web : ils ne lisent le calendrier "
    "qu'à leur démarrage."
)


def calendar_ahead_text(rt: Runtime, notice_days: int = NOTICE_DAYS) -> str | None:
    """What the daily check says when the school calendar's last deadline (the last moment any
    day in it can change: Thursday 1 July 2027, 13:00, for 2 September) is less than
    ``notice_days`` away (French); None before, and from that deadline on, when
    :func:`calendar_end_text` takes over."""
    now = rt.clock.now()
    limit = rt.locks.last_lock_deadline()
    if limit is None or limit <= now:
        return None
    days = (limit.date() - now.date()).days
    if days > notice_days:
        return None
    left = "c'est aujourd'hui" if days == 0 else f"plus que {days} jour(s)"
    last = format_french_date(rt.booking.calendar.last_covered)
    return (
        f"Le calendrier scolaire utilisé s'arrête au {last} ; sa dernière date limite est le "
        f"{format_deadline(limit)} ({left}) : après elle, plus aucun repas ne pourra être "
        "réservé, annulé ni verrouillé pour la cuisine tant qu'il n'est pas mis à jour. "
        f"Téléchargez l'année scolaire suivante : {UPDATE_HOW} {RESTART}"
    )


def _file_version(path: os.PathLike[str] | None) -> tuple[int, int] | str | None:
    """(modification time, size) of the configured calendar file, the reason it cannot be
    read, or None when none is configured (the shipped calendar)."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError as exc:
        return exc.strerror or str(exc)
    return (stat.st_mtime_ns, stat.st_size)


class CalendarWatch:
    """The school calendar as the running scheduler knows it: read once, at start
    (:class:`~restomairie.runtime.Runtime`), so a file put in its place since (README, "A newer
    school calendar") is used only after a restart, and the running scheduler says so."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.read = _file_version(rt.settings.calendar_file)

    def file_text(self) -> str | None:
        """What is said of the configured calendar file when it is not the one read at start
        (French), None when it is (or none is configured)."""
        path = self.rt.settings.calendar_file
        now = _file_version(path)
        if path is None or now == self.read:
            return None
        last = format_french_date(self.rt.booking.calendar.last_covered)
        if isinstance(now, str):
            return (
                f"Le fichier de calendrier scolaire {path} n'est plus lisible ({now}) : le "
                f"planificateur utilise toujours celui lu à son démarrage (jusqu'au {last}), "
                "mais ne redémarrerait pas : remettez-le en place."
            )
        return (
            f"Le fichier de calendrier scolaire {path} a changé depuis le démarrage du "
            f"planificateur, qui utilise toujours celui lu alors (jusqu'au {last}) : "
            "vérifiez-le avec « restomairie calendar-file show », puis redémarrez le "
            "planificateur et l'application web pour qu'ils le lisent."
        )

    def say(self, file: bool = True, ahead: bool = True) -> EndNotice | None:
        """Log the calendar's end as the start-up does (:func:`calendar_end_text`: an error
        once a meal past it is due, a warning before), with what a restart does; and, with
        ``file``, a calendar file changed since the start (a warning, also without an end); with
        ``ahead``, in the month before the calendar's last deadline, that it is coming
        (:func:`calendar_ahead_text`)."""
        ended = calendar_end_text(self.rt)
        changed = self.file_text() if file else None
        if ended is None:
            if changed is not None:
                log.warning("%s", changed)
            soon = calendar_ahead_text(self.rt) if ahead else None
            if soon is not None:
                log.warning("%s", soon)
            return None
        said = f"{ended.text[0].upper()}{ended.text[1:]} {changed or RESTART}"
        # An error only when a day past the calendar is due (as ``restomairie lock`` exits 1
        # then); before, a warning saying until when it must be updated.
        log.log(logging.ERROR if ended.due else logging.WARNING, "%s", said)
        return ended


def frozen_clock_text(rt: Runtime) -> str | None:
    """What the start-up says when ``RESTOMAIRIE_NOW`` freezes the clock (French), None when it
    does not: the jobs are planned by APScheduler on the real clock, while every lock and purge
    reads the frozen time, which never moves, so no cut-off after it ever passes."""
    if rt.clock.frozen is None:
        return None
    now = rt.clock.now()
    cutoff = next_cutoff(rt, now)
    following = (
        f"la prochaine heure limite à cette heure-là, le {cutoff.isoformat()}, ne passera donc "
        "jamais" if cutoff is not None else "aucune heure limite n'est connue après"
    )
    return (
        f"Attention : horloge figée au {now.isoformat()} (RESTOMAIRIE_NOW) : le rattrapage et "
        "chaque verrouillage se font à cette heure, qui n'avance pas, mais les « prochaine "
        f"exécution » annoncées suivent l'horloge réelle ; {following}. Retirez "
        "RESTOMAIRIE_NOW pour un vrai service."
    )


def purge_job(rt: Runtime) -> PurgeReport:
    """Purge the call logs older than ``retention.call_log_days``, and the staff import's expired
    files and old jobs (:func:`~restomairie.retention.purge_imports`)."""
    report = purge_call_logs(rt.sessions, rt.settings, rt.clock.now())
    imports = purge_imports(rt.sessions, rt.clock.now())
    if imports.pending or imports.jobs:
        log.info("imports purgés : %d fichier(s) en attente expiré(s), %d import(s) terminé(s)",
                 imports.pending, imports.jobs)
    if report.calls:
        log.info(
            "journal d'appels purgé : %d appel(s), %d étape(s) avant le %s",
            report.calls, report.events, report.before.isoformat(),
        )
    return report


def catch_up(rt: Runtime) -> tuple[list[LockResult], PurgeReport]:
    """What the scheduler does first: the locks missed while it was down (marked late), then the
    purge."""
    locked = lock_job(rt)
    # Only the locks taken late were missed: started at (or just after) a cut-off, the
    # scheduler takes that cut-off's locks on time, and a warning about them would send staff
    # looking for an outage that never happened.
    late = sum(1 for r in locked if r.late)
    if late:
        log.warning("rattrapage : %d verrouillage(s) manqué(s) pris au démarrage", late)
    if len(locked) > late:
        log.info("démarrage : %d verrouillage(s) pris à l'heure", len(locked) - late)
    return locked, purge_job(rt)


def cutoff_job(rt: Runtime, watch: CalendarWatch) -> list[LockResult]:
    """The lock at a cut-off (:func:`lock_job`), then the calendar's end when it applies
    (:meth:`CalendarWatch.say`): from its last cut-off on, every run of this job says it."""
    results = lock_job(rt)
    watch.say(file=False, ahead=False)  # the month's notice is the morning check's
    return results


def calendar_job(rt: Runtime, watch: CalendarWatch) -> EndNotice | None:
    """The daily check of the school calendar (:meth:`CalendarWatch.say`)."""
    return watch.say()


def _safe(job: Callable[..., Any]) -> Callable[..., None]:
    """A job that logs its failure instead of killing the scheduler (the next run retries)."""

    def run(*args: Any) -> None:
        try:
            job(*args)
        except Exception:
            log.exception("échec de la tâche %s (nouvel essai à la prochaine échéance)",
                          job.__name__)

    run.__name__ = job.__name__
    return run


# --------------------------------------------------------------------------- wiring
def build_scheduler(
    rt: Runtime,
    scheduler: BaseScheduler | None = None,
    safety_interval: int = SAFETY_INTERVAL,
    watch: CalendarWatch | None = None,
) -> BaseScheduler:
    """The lock at each cut-off, its safety run, the nightly purge and the daily calendar check,
    on ``scheduler`` (default: a :class:`BlockingScheduler` in the town's zone)."""
    tz = rt.settings.tz
    sched = scheduler or BlockingScheduler(timezone=tz)
    watch = watch or CalendarWatch(rt)
    defaults: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}

    def ended(last: datetime) -> None:
        log.warning(
            "tâche lock-at-cutoff arrêtée : aucune heure limite n'est connue après le %s (le "
            "calendrier scolaire utilisé s'arrête au %s), les repas suivants ne peuvent pas "
            "être verrouillés. Mettez le calendrier à jour : %s %s La tâche reprendra alors à "
            "la prochaine heure limite.",
            format_deadline(last.astimezone(tz)),
            format_french_date(rt.booking.calendar.last_covered), UPDATE_HOW, RESTART,
        )

    trigger = CutoffTrigger(
        lambda after: next_cutoff(rt, after), tz,
        past_end=lambda after: cutoff_past_end(rt, after), on_end=ended,
    )
    sched.add_job(
        _safe(cutoff_job), trigger, args=[rt, watch],
        id="lock-at-cutoff", name="verrouillage à l'heure limite", **defaults,
    )
    if safety_interval > 0:
        sched.add_job(
            _safe(lock_job), IntervalTrigger(seconds=safety_interval, timezone=tz), args=[rt],
            id="lock-safety", name="verrouillage de sécurité", **defaults,
        )
    sched.add_job(
        _safe(purge_job), CronTrigger(hour=PURGE_AT[0], minute=PURGE_AT[1], timezone=tz),
        args=[rt], id="purge-call-logs", name="purge du journal d'appels", **defaults,
    )
    sched.add_job(
        _safe(calendar_job), CronTrigger(hour=CHECK_AT[0], minute=CHECK_AT[1], timezone=tz),
        args=[rt, watch], id="calendar-check", name="fin du calendrier scolaire", **defaults,
    )
    return sched


def planned(rt: Runtime, now: datetime) -> dict[str, datetime | None]:
    """When each job would next run if the scheduler started at ``now`` (for the start-up
    message and tests)."""
    sched = build_scheduler(rt, BackgroundScheduler(timezone=rt.settings.tz))
    out: dict[str, datetime | None] = {}
    for job in sched.get_jobs():
        out[job.id] = job.trigger.get_next_fire_time(None, now.astimezone(rt.settings.tz))
    return out


def run_scheduler(
    rt: Runtime, safety_interval: int = SAFETY_INTERVAL, stop: threading.Event | None = None
) -> None:
    """Catch up, then run the jobs (in the scheduler's threads) until SIGTERM, Ctrl-C or
    ``stop`` is set."""
    stop = stop or threading.Event()
    watch = CalendarWatch(rt)  # the calendar file as read at start (by ``rt``)
    try:
        rt.sync_schools()
        catch_up(rt)
    except Exception:  # e.g. the database is not reachable yet: the safety run retries
        log.exception("rattrapage impossible au démarrage (nouvel essai par la tâche de sécurité)")
    sched = build_scheduler(
        rt, BackgroundScheduler(timezone=rt.settings.tz), safety_interval, watch
    )

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("arrêt demandé (signal %d)", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    sched.start()
    try:
        for job in sched.get_jobs():
            when = job.next_run_time.isoformat() if job.next_run_time else "-"
            if job.id == "lock-at-cutoff" and job.next_run_time is None:
                when += " (aucune heure limite connue après la fin du calendrier)"
            log.info("tâche %s : prochaine exécution %s", job.id, when)
        watch.say(file=False)
        while not stop.wait(1):
            pass
    finally:
        sched.shutdown(wait=True)
        log.info("planificateur arrêté")


def cutoffs_between(rt: Runtime, start: datetime, end: datetime) -> list[datetime]:
    """Every cut-off in ``(start, end]`` (what the trigger will fire on)."""
    out: list[datetime] = []
    cursor = start
    while True:
        nxt = next_cutoff(rt, cursor)
        if nxt is None or nxt > end:
            return out
        out.append(nxt)
        cursor = nxt

