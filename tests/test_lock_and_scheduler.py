"""The production lock as the scheduler runs it: idempotence, catch-up marked late, two schedulers
at once, a booking race checked against the audit log, the planning of the next cut-off from the
configured rule, and the call-log purge."""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import func, select

from restomairie.booking import queries
from restomairie.booking.errors import DayLocked
from restomairie.booking.services import Actor
from restomairie.calendar.deadlines import OperatingDaysRule
from restomairie.clock import PARIS, Clock
from restomairie.config import Settings, load_config
from restomairie.db import make_engine
from restomairie.kitchen.service import KitchenService
from restomairie.models import AuditEntry, Call, CallEvent, Child, DayLock, LockedChild
from restomairie.retention import purge_call_logs
from restomairie.runtime import Runtime
from restomairie.scheduler import (
    CalendarWatch,
    CutoffTrigger,
    build_scheduler,
    calendar_job,
    catch_up,
    cutoff_job,
    cutoff_past_end,
    cutoffs_between,
    lock_job,
    next_cutoff,
    planned,
    purge_job,
)
from tests.factories import KidSpec, make_family
from tests.kitchen_support import FRI, FRI_CUTOFF, THU, THU_CUTOFF, small_town

STAFF = Actor("staff", "marie", "staff")


def paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=PARIS)


# --------------------------------------------------------------------------- the lock
def test_locking_what_is_due_twice_locks_each_day_once(rt: Runtime) -> None:
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF
    first = lock_job(rt)
    assert {r.day for r in first if r.school_id == "anjou-elem"} >= {THU}
    assert lock_job(rt) == []
    again = rt.locks.lock_day("anjou-elem", THU)
    assert not again.created and again.locked_at == THU_CUTOFF
    assert again.counts == {"standard": 1, "sans_porc": 1, "vegetarien": 0, "pai": 0}
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DayLock).where(DayLock.day == THU)) == 10
        assert s.scalar(select(func.count()).select_from(DayLock)) == len(first)


def test_a_lock_taken_at_its_cut_off_is_on_time_and_a_missed_one_is_late(rt: Runtime) -> None:
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF + timedelta(seconds=30)
    on_time = [r for r in lock_job(rt) if r.day == THU]
    assert len(on_time) == 10 and not any(r.late for r in on_time)
    rt.clock.frozen = FRI_CUTOFF + timedelta(hours=3)  # the scheduler was down at 13:00
    missed = lock_job(rt)
    assert {r.day for r in missed} == {FRI}
    assert all(r.late and r.locked_at == FRI_CUTOFF + timedelta(hours=3) for r in missed)
    assert rt.locks.get("anjou-elem", FRI).late  # type: ignore[union-attr]


def test_the_scheduler_catches_up_every_missed_lock_at_start_marked_late(rt: Runtime) -> None:
    small_town(rt)
    rt.clock.frozen = paris(2026, 11, 30, 9, 0)  # down since before Monday 23 at 13:00
    locked, purge = catch_up(rt)
    days = {r.day for r in locked}
    assert {THU, FRI, date(2026, 11, 30), date(2026, 12, 1)} <= days
    assert date(2026, 12, 3) not in days  # its cut-off (Monday 30, 13:00) is still to come
    assert all(r.late for r in locked)
    assert len(locked) == 10 * len(days)
    anjou = rt.locks.get("anjou-elem", FRI)
    assert anjou is not None and anjou.counts["standard"] == 1
    assert purge.calls == 0
    assert catch_up(rt)[0] == []


def test_a_start_at_a_cut_off_does_not_call_its_on_time_locks_missed(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    # Started exactly at 13:00, the scheduler locks that cut-off's days on time: it warned
    # "rattrapage : 10 verrouillage(s) manqué(s)" for them all the same.
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF - timedelta(minutes=1)
    lock_job(rt)  # every earlier cut-off was locked (the scheduler was running until then)
    rt.clock.frozen = THU_CUTOFF
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        locked, _ = catch_up(rt)
    assert len(locked) == 10 and not any(r.late for r in locked)
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []
    assert "démarrage : 10 verrouillage(s) pris à l'heure" in caplog.messages
    # Down at Friday's cut-off, started three hours later: those were missed, and said so.
    caplog.clear()
    rt.clock.frozen = FRI_CUTOFF + timedelta(hours=3)
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        locked, _ = catch_up(rt)
    assert {r.day for r in locked} == {FRI} and all(r.late for r in locked)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["rattrapage : 10 verrouillage(s) manqué(s) pris au démarrage"]
    assert not any("à l'heure" in m for m in caplog.messages)


def test_the_first_day_after_the_summer_is_locked_at_its_cut_off_before_the_break(
    settings: Settings, rt: Runtime
) -> None:
    # Thursday 2 September 2027 is two months after its cut-off (Thursday 1 July, 13:00): it
    # must be locked then, on time, not a month later as a "late" catch-up.
    small_town(rt)
    back = date(2027, 9, 2)
    cutoff = paris(2027, 7, 1, 13, 0)
    assert rt.booking.lock_deadline(back, "anjou-elem").deadline == cutoff
    rt.clock.frozen = cutoff + timedelta(seconds=20)
    locked = [r for r in lock_job(rt) if r.day == back]
    assert {r.school_id for r in locked} == {s.id for s in settings.schools}
    assert not any(r.late for r in locked)
    assert all(r.locked_at == cutoff + timedelta(seconds=20) for r in locked)
    day = KitchenService(rt.booking).day(back)
    assert day.locked and not day.late and day.locked_at == cutoff + timedelta(seconds=20)
    assert day.site("anjou-elem").counts["standard"] == 1
    # A staff change during the summer is an adjustment beside the figure, not folded into it.
    rt.clock.frozen = paris(2027, 8, 20, 10, 0)
    rt.booking.cancel("210001", [back], STAFF, ["E1"], override_reason="déménagement")
    assert lock_job(rt) == []
    anjou = KitchenService(rt.booking).day(back).site("anjou-elem")
    assert anjou.counts["standard"] == 1 and anjou.adjusted["standard"] == 0
    assert [(a.variant, a.delta) for a in anjou.adjustments] == [("standard", -1)]


def test_the_scheduler_warns_of_the_calendar_s_end_and_errs_once_a_meal_past_it_is_due(
    rt: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From 1 July 2027, 13:00 (2 September's cut-off, the last the shipped calendar knows) it
    # logged an error at start that the later meals' deadlines « est peut-être déjà passée »:
    # Friday 3 September's is Friday 2 July, 13:00. A warning until then, saying until when
    # the calendar must be updated (``restomairie lock`` exits 0 then); an error from then on.
    from restomairie import scheduler

    small_town(rt)
    monkeypatch.setattr(scheduler.signal, "signal", lambda *args: None)  # pytest's own stay
    stopped = threading.Event()
    stopped.set()  # start, say what it says, stop

    def said_at_start(now: datetime) -> list[tuple[str, str]]:
        rt.clock.frozen = now
        caplog.clear()
        with caplog.at_level("INFO", logger="restomairie.scheduler"):
            scheduler.run_scheduler(rt, safety_interval=0, stop=stopped)
        return [(r.levelname, r.getMessage()) for r in caplog.records
                if "calendrier scolaire" in r.getMessage()]

    # A minute before, the month's notice (calendar_ahead_text), counted to this very day.
    [(level, text)] = said_at_start(paris(2027, 7, 1, 12, 59))
    assert level == "WARNING" and "(c'est aujourd'hui)" in text
    [(level, text)] = said_at_start(paris(2027, 7, 1, 13, 0))
    assert level == "WARNING" and "peut-être" not in text
    assert ("Aucune de leurs dates limites n'est encore passée : mettez-le à jour avant le "
            "vendredi 2 juillet à 13 heures (date limite du vendredi 3 septembre 2027, s'il y a "
            "cantine ce jour-là)") in text
    [(level, text)] = said_at_start(paris(2027, 7, 2, 13, 0))
    assert level == "ERROR"
    assert ("la date limite du vendredi 3 septembre 2027, s'il y a cantine ce jour-là, est "
            "passée (le vendredi 2 juillet à 13 heures)") in text


class _SteppedScheduler(BaseScheduler):
    """APScheduler 3's own job processing (run times, coalescing, a job removed when its trigger
    has no next time), stepped by the test instead of a thread: each step runs what is due at
    the runtime's frozen clock, in this thread (:class:`DebugExecutor`)."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def wakeup(self) -> None:
        pass


def _apscheduler_on_the_clock(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """APScheduler reads the runtime's frozen clock (its planning and its misfire check)."""
    import apscheduler.executors.base
    import apscheduler.schedulers.base

    class Now(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            assert rt.clock.frozen is not None
            return rt.clock.frozen.astimezone(tz)

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", Now)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", Now)


def _run_until(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, start: datetime, end: datetime
) -> BaseScheduler:
    """Start the scheduler's jobs (no safety run) at ``start`` and run each as APScheduler
    would, the clock jumping from one run to the next, until ``end``."""
    _apscheduler_on_the_clock(rt, monkeypatch)
    rt.clock.frozen = start
    sched = build_scheduler(
        rt, _SteppedScheduler(timezone=PARIS, executors={"default": DebugExecutor()}),
        safety_interval=0,
    )
    sched.start()
    while True:
        runs = [job.next_run_time for job in sched.get_jobs() if job.next_run_time is not None]
        if not runs or min(runs) > end:
            return sched
        rt.clock.frozen = min(runs)
        sched._process_jobs()


def test_a_scheduler_left_running_warns_of_the_calendar_s_end_then_errs_when_it_is_due(
    rt: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Started in June 2027 and left running, it said nothing of the calendar's end: the notice
    # was logged at start only, and after the last cut-off the calendar knows (1 July, 13:00,
    # for 2 September) the cut-off job's trigger had no next time, so APScheduler removed the
    # job without a word. It says the notice after that cut-off's lock and every morning, the
    # error from Friday 3 September's cut-off (2 July, 13:00), and why the job ends.
    small_town(rt)
    rt.clock.frozen = paris(2027, 6, 20, 10, 0)
    lock_job(rt)  # the start's catch-up
    heard: list[tuple[datetime | None, str, str]] = []

    class Heard(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            heard.append((rt.clock.frozen, record.levelname, record.getMessage()))

    logger = logging.getLogger("restomairie.scheduler")
    handler = Heard(logging.INFO)
    logger.addHandler(handler)
    try:
        with caplog.at_level("INFO", logger="restomairie.scheduler"):
            sched = _run_until(
                rt, monkeypatch, paris(2027, 6, 20, 10, 0), paris(2027, 7, 3, 12, 0)
            )
    finally:
        logger.removeHandler(handler)
    soon = [(at, text) for at, _, text in heard if "plus que" in text or "aujourd'hui" in text]
    said = [(at, level, text) for at, level, text in heard
            if "calendrier" in text and (at, text) not in soon]
    # Each morning of the month before the last deadline (1 July, 13:00), its notice
    # (calendar_ahead_text): 21 June to 1 July, counting down.
    assert [at for at, _ in soon] == [paris(2027, 6, d, 7, 0) for d in range(21, 31)] + [
        paris(2027, 7, 1, 7, 0)
    ]
    assert "(plus que 10 jour(s))" in soon[0][1] and "(c'est aujourd'hui)" in soon[-1][1]
    # After 1 July's lock, the next morning, at 2 July's cut-off (the job's end, then its
    # run), the next morning; never at the cut-offs and mornings before.
    assert [(at, level) for at, level, _ in said] == [
        (paris(2027, 7, 1, 13, 0), "WARNING"),
        (paris(2027, 7, 2, 7, 0), "WARNING"),
        (paris(2027, 7, 2, 13, 0), "WARNING"),
        (paris(2027, 7, 2, 13, 0), "ERROR"),
        (paris(2027, 7, 3, 7, 0), "ERROR"),
    ]
    first, morning, ended, due, next_morning = (text for _, _, text in said)
    assert first == morning and due == next_morning
    assert first.startswith("Le calendrier scolaire utilisé s'arrête au 2 septembre 2027 : ")
    assert ("mettez-le à jour avant le vendredi 2 juillet à 13 heures (date limite du vendredi 3 "
            "septembre 2027, s'il y a cantine ce jour-là)") in first
    assert first.endswith("Redémarrez ensuite le planificateur et l'application web : ils ne "
                          "lisent le calendrier qu'à leur démarrage.")
    assert ("la date limite du vendredi 3 septembre 2027, s'il y a cantine ce jour-là, est "
            "passée (le vendredi 2 juillet à 13 heures)") in due
    assert due.endswith("qu'à leur démarrage.")
    assert ended.startswith(
        "tâche lock-at-cutoff arrêtée : aucune heure limite n'est connue après le vendredi 2 "
        "juillet à 13 heures (le calendrier scolaire utilisé s'arrête au 2 septembre 2027)"
    )
    assert "restomairie calendar-file convert" in ended and "Redémarrez ensuite" in ended
    assert [r.getMessage() for r in caplog.records
            if r.levelname == "ERROR" and "calendrier" not in r.getMessage()] == []
    # 2 September was locked at its cut-off, on time, before the notice.
    back = rt.locks.get("anjou-elem", date(2027, 9, 2))
    assert back is not None and not back.late and back.locked_at == paris(2027, 7, 1, 13, 0)
    jobs = {job.id for job in sched.get_jobs()}
    assert "lock-at-cutoff" not in jobs and {"purge-call-logs", "calendar-check"} <= jobs
    sched.shutdown(wait=False)


def test_past_the_calendar_s_last_cut_off_the_lock_job_fires_once_more_then_says_it_ends(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ended: list[datetime] = []
    trigger = CutoffTrigger(
        lambda after: next_cutoff(rt, after), PARIS,
        past_end=lambda after: cutoff_past_end(rt, after), on_end=ended.append,
    )
    last = paris(2027, 7, 1, 13, 0)  # 2 September's, the last the calendar knows
    assert trigger.get_next_fire_time(paris(2027, 6, 29, 13, 0), last) == last
    beyond = paris(2027, 7, 2, 13, 0)  # Friday 3 September's: counts back to known days
    assert trigger.get_next_fire_time(last, last) == beyond
    assert ended == []
    assert trigger.get_next_fire_time(beyond, beyond) is None
    assert trigger.get_next_fire_time(beyond, beyond) is None  # APScheduler asks twice
    assert ended == [beyond]
    # Planned between the two, the lock job has a next run (it had none: "-").
    assert planned(rt, paris(2027, 7, 1, 15, 0))["lock-at-cutoff"] == beyond
    assert planned(rt, paris(2027, 7, 2, 13, 0))["lock-at-cutoff"] == beyond
    assert planned(rt, paris(2027, 7, 2, 13, 0, 1))["lock-at-cutoff"] is None
    assert planned(rt, paris(2027, 7, 1, 15, 0))["calendar-check"] == paris(2027, 7, 2, 7, 0)


def test_a_scheduler_started_past_the_calendar_says_why_the_lock_job_has_no_next_run(
    rt: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from restomairie import scheduler

    small_town(rt)
    monkeypatch.setattr(scheduler.signal, "signal", lambda *args: None)  # pytest's own stay
    _apscheduler_on_the_clock(rt, monkeypatch)
    rt.clock.frozen = paris(2027, 7, 5, 9, 0)
    stopped = threading.Event()
    stopped.set()
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        scheduler.run_scheduler(rt, safety_interval=0, stop=stopped)
    assert ("tâche lock-at-cutoff : prochaine exécution - (aucune heure limite connue après la "
            "fin du calendrier)") in caplog.messages
    [(level, text)] = [(r.levelname, r.getMessage()) for r in caplog.records
                       if "calendrier scolaire" in r.getMessage()]
    assert level == "ERROR" and "est passée (le vendredi 2 juillet à 13 heures)" in text
    assert text.endswith("ils ne lisent le calendrier qu'à leur démarrage.")


def test_a_calendar_file_replaced_while_the_scheduler_runs_is_read_after_a_restart_and_said(
    settings: Settings, clock: Clock, rt: Runtime, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The README's "A newer school calendar": the file is read at start, so the scheduler
    # running since before it was replaced keeps the old one, and says to restart it.
    path = tmp_path / "calendrier.json"
    shipped = (Path(__file__).resolve().parents[1]
               / "src/restomairie/calendar/data/fr-en-calendrier-scolaire.json")
    path.write_bytes(shipped.read_bytes())
    town = Runtime.build(settings=dataclasses.replace(settings, calendar_file=path), clock=clock,
                         engine=rt.engine)
    watch = CalendarWatch(town)
    clock.frozen = paris(2027, 3, 1, 7, 0)
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        assert calendar_job(town, watch) is None
    assert caplog.messages == []  # the same file, a calendar reaching the next cut-off
    path.write_bytes(shipped.read_bytes() + b"\n")
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        calendar_job(town, watch)
    [(level, text)] = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert level == "WARNING"
    assert text == (
        f"Le fichier de calendrier scolaire {path} a changé depuis le démarrage du "
        "planificateur, qui utilise toujours celui lu alors (jusqu'au 2 septembre 2027) : "
        "vérifiez-le avec « restomairie calendar-file show », puis redémarrez le planificateur "
        "et l'application web pour qu'ils le lisent."
    )
    # Past the end, the notice says so instead of the bare "restart".
    caplog.clear()
    clock.frozen = paris(2027, 7, 3, 7, 0)
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        notice = calendar_job(town, watch)
    assert notice is not None and notice.due
    [(level, text)] = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert level == "ERROR" and text.endswith("pour qu'ils le lisent.")
    assert "a changé depuis le démarrage" in text and "Redémarrez ensuite" not in text
    # Gone: the running scheduler keeps what it read, but would not start again.
    caplog.clear()
    clock.frozen = paris(2027, 3, 1, 7, 0)
    path.unlink()
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        calendar_job(town, watch)
    [text] = caplog.messages
    assert text.startswith(f"Le fichier de calendrier scolaire {path} n'est plus lisible (")
    assert text.endswith("mais ne redémarrerait pas : remettez-le en place.")


def test_the_morning_check_warns_a_month_before_the_calendar_s_last_deadline(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    # A scheduler left running said nothing until 1 July at 13:00, the last moment any day of
    # the shipped calendar can change (2 September's deadline): the day the town had to have
    # updated it already. Each morning of the month before, it now says that it is coming.
    small_town(rt)
    watch = CalendarWatch(rt)
    rt.clock.frozen = paris(2027, 5, 31, 7, 0)
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        assert calendar_job(rt, watch) is None
    assert caplog.messages == []  # 31 days before
    rt.clock.frozen = paris(2027, 6, 1, 7, 0)
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        assert calendar_job(rt, watch) is None
    [(level, text)] = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert level == "WARNING"
    assert text == (
        "Le calendrier scolaire utilisé s'arrête au 2 septembre 2027 ; sa dernière date limite "
        "est le jeudi 1er juillet à 13 heures (plus que 30 jour(s)) : après elle, plus aucun "
        "repas ne pourra être réservé, annulé ni verrouillé pour la cuisine tant qu'il n'est pas "
        "mis à jour. Téléchargez l'année scolaire suivante : « restomairie calendar-file "
        "convert » puis RESTOMAIRIE_CALENDAR_FILE (voir le README, « A newer school calendar »). "
        "Redémarrez ensuite le planificateur et l'application web : ils ne lisent le calendrier "
        "qu'à leur démarrage."
    )
    # The cut-off job leaves it to the morning check.
    caplog.clear()
    rt.clock.frozen = paris(2027, 6, 1, 13, 0)
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        cutoff_job(rt, watch)
    assert [m for m in caplog.messages if "calendrier" in m] == []


def test_the_safety_run_says_nothing_of_the_calendar_s_end(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    # Every minute: the notice is said at the cut-offs and each morning, not sixty times an hour.
    small_town(rt)
    rt.clock.frozen = paris(2027, 7, 5, 9, 0)
    with caplog.at_level("INFO", logger="restomairie.scheduler"):
        lock_job(rt)
        caplog.clear()
        lock_job(rt)
    assert caplog.messages == []


def test_two_schedulers_running_the_lock_at_once_lock_each_day_once(
    settings: Settings, rt: Runtime
) -> None:
    small_town(rt)
    now = paris(2026, 11, 24, 13, 0, 1)
    # Two scheduler processes: each its own runtime (and connections) on the same database.
    runtimes = [rt, Runtime.build(settings=settings, clock=Clock(PARIS, now), engine=rt.engine)]
    rt.clock.frozen = now
    due = {(s, d) for s, d, _ in rt.locks.due(now)}
    barrier = threading.Barrier(4)
    results: list[list[tuple[str, date]]] = []
    errors: list[BaseException] = []

    def scheduler(runtime: Runtime) -> None:
        try:
            barrier.wait()
            results.append([(r.school_id, r.day) for r in lock_job(runtime)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(runtimes[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    created = [key for run in results for key in run]
    assert len(created) == len(set(created)) == len(due)  # every due day, each by one run only
    assert set(created) == due
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DayLock)) == len(due)


class TickingClock(Clock):
    """Real time, shifted to start at ``start``: every reading is later than the previous one."""

    def __init__(self, start: datetime) -> None:
        super().__init__(PARIS, None)
        self.origin = time.perf_counter()
        self.start = start

    def now(self) -> datetime:
        return (self.start + timedelta(seconds=time.perf_counter() - self.origin)).astimezone(PARIS)


def test_bookings_and_pattern_changes_racing_the_lock_never_commit_after_it(
    settings: Settings, rt: Runtime
) -> None:
    """Threads book, cancel and change weekly patterns for Thursday while another locks it early
    (the guard, not the deadline, must keep them apart). The frozen list equals the effective
    bookings when the lock was taken; no change starting after the lock got through; every
    change in the audit log is older than the lock."""
    families = 12
    for i in range(families):
        make_family(rt, f"R{i}", phones=(), kids=[
            KidSpec(f"R{i}-{j}", f"Enfant{j}", weekdays=(0b11011 if (i + j) % 2 else 0))
            for j in range(4)
        ])
    ticking = Runtime.build(
        settings=settings, clock=TickingClock(THU_CUTOFF - timedelta(seconds=50)), engine=rt.engine
    )
    staff = Actor("staff", "race", "staff")
    phone = Actor("family", "race", "phone")
    lock_done = threading.Event()
    lock_returned: list[float] = []
    ops: list[tuple[float, bool]] = []  # (start, committed)
    errors: list[BaseException] = []
    mutex = threading.Lock()
    enough = threading.Event()

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        refused_after = 0
        while refused_after < 5:
            i, j = rnd.randrange(families), rnd.randrange(4)
            account, child = f"R{i}", f"R{i}-{j}"
            started = time.perf_counter()
            try:
                kind = rnd.random()
                # A booking or cancellation that finds the day already as asked changes
                # nothing and is said so, locked day or not: only a change counts.
                if kind < 0.4:
                    done = ticking.booking.book(account, [THU], phone, [child])
                    committed = any(r.changed for r in done)
                elif kind < 0.8:
                    done = ticking.booking.cancel(account, [THU], phone, [child])
                    committed = any(r.changed for r in done)
                elif kind < 0.9:
                    ticking.booking.set_subscription(account, child, [0, 3], THU, staff)
                    committed = True
                else:
                    ticking.booking.end_subscription(account, child, THU, staff)
                    committed = True
            except DayLocked:
                committed = False
                if lock_done.is_set():
                    refused_after += 1
            except BaseException as exc:
                errors.append(exc)
                return
            with mutex:
                ops.append((started, committed))
                if sum(1 for _, ok in ops if ok) >= 40:
                    enough.set()

    def locker() -> None:
        enough.wait(timeout=60)
        ticking.locks.lock_day("anjou-elem", THU, deadline=THU_CUTOFF)
        lock_returned.append(time.perf_counter())
        lock_done.set()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(5)]
    threads.append(threading.Thread(target=locker))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors
    assert lock_returned, "the lock never ran"
    before = [ok for started, ok in ops if started < lock_returned[0]]
    after = [ok for started, ok in ops if started >= lock_returned[0]]
    assert any(before) and after, "the race did not happen"
    assert not any(after), "a change that started after the lock was committed"

    with rt.sessions() as s:
        lock = s.scalars(select(DayLock).where(DayLock.day == THU)).one()
        frozen = set(s.scalars(select(LockedChild.child_id).where(LockedChild.lock_id == lock.id)))
        live = {row[0] for row in s.execute(queries.booked_children(THU, ["anjou-elem"]))}
        stamps = list(s.scalars(
            select(AuditEntry.at).where(AuditEntry.actor.in_(["family:race", "staff:race"]))
        ))
        frozen_total = sum(c.count for c in lock.counts)
        n_children = s.scalar(select(func.count()).select_from(Child)) or 0
    assert not lock.late
    assert frozen == live and frozen_total == len(frozen)
    assert 0 < len(frozen) < n_children
    assert stamps and max(stamps) <= lock.locked_at


# --------------------------------------------------------------------------- planning
@pytest.mark.parametrize(
    ("after", "cutoff"),
    [
        (paris(2026, 11, 23, 10, 0), paris(2026, 11, 23, 13, 0)),
        (paris(2026, 11, 23, 12, 59, 59), paris(2026, 11, 23, 13, 0)),
        (paris(2026, 11, 23, 13, 0), paris(2026, 11, 24, 13, 0)),  # strictly after
        (paris(2026, 11, 24, 13, 0), paris(2026, 11, 26, 13, 0)),  # no cut-off on Wednesdays
        (paris(2026, 11, 27, 13, 0), paris(2026, 11, 30, 13, 0)),  # nor at weekends
        (paris(2026, 12, 18, 13, 0), paris(2027, 1, 4, 13, 0)),  # the Christmas break
    ],
)
def test_the_next_cut_off_comes_from_the_calendar_and_the_rule(
    rt: Runtime, after: datetime, cutoff: datetime
) -> None:
    assert next_cutoff(rt, after) == cutoff


def test_the_cut_off_follows_the_configured_hour_not_a_fixed_one(
    settings: Settings, clock: Clock, rt: Runtime
) -> None:
    at_1030 = dataclasses.replace(settings, deadline=OperatingDaysRule(days=2, at=clock_time(10, 30)))
    other = Runtime.build(settings=at_1030, clock=clock, engine=rt.engine)
    assert next_cutoff(other, paris(2026, 11, 23, 10, 0)) == paris(2026, 11, 23, 10, 30)
    assert next_cutoff(other, paris(2026, 11, 23, 10, 30)) == paris(2026, 11, 24, 10, 30)


def test_a_town_with_a_j_minus_2_rule_locks_at_midnight(clock: Clock, rt: Runtime) -> None:
    cesson = Runtime.build(settings=load_config("cesson-sevigne", environ={}), clock=clock,
                           engine=rt.engine)
    cutoffs = cutoffs_between(cesson, paris(2026, 11, 23, 10, 0), paris(2026, 11, 28, 0, 0))
    # Thursday's meal can change until Tuesday (J-2) included, Friday's until Wednesday.
    assert cutoffs == [paris(2026, 11, 25, 0, 0), paris(2026, 11, 26, 0, 0)]


def test_the_trigger_fires_at_each_cut_off_in_turn(rt: Runtime) -> None:
    trigger = CutoffTrigger(lambda after: next_cutoff(rt, after), PARIS)
    first = trigger.get_next_fire_time(None, paris(2026, 11, 23, 10, 0))
    assert first == paris(2026, 11, 23, 13, 0)
    assert trigger.get_next_fire_time(first, paris(2026, 11, 23, 13, 0, 0, 4)) == paris(2026, 11, 24, 13, 0)
    assert trigger.get_next_fire_time(None, paris(2026, 11, 23, 13, 0)) == paris(2026, 11, 23, 13, 0)
    past_calendar = trigger.get_next_fire_time(None, paris(2027, 9, 3, 0, 0))
    assert past_calendar is None


def test_the_scheduler_plans_the_lock_at_the_next_cut_off_and_the_purge_at_night(rt: Runtime) -> None:
    plan = planned(rt, paris(2026, 11, 23, 10, 0))
    assert plan["lock-at-cutoff"] == paris(2026, 11, 23, 13, 0)
    assert plan["purge-call-logs"] == paris(2026, 11, 24, 3, 30)
    assert "lock-safety" in plan


def test_a_started_scheduler_has_its_three_jobs(rt: Runtime) -> None:
    sched = build_scheduler(rt, BackgroundScheduler(timezone=PARIS), safety_interval=60)
    sched.start(paused=True)
    try:
        jobs = {job.id: job for job in sched.get_jobs()}
        assert {"lock-safety", "purge-call-logs"} <= jobs.keys()
        now = datetime.now(PARIS)
        after = now - timedelta(microseconds=1)
        expected = next_cutoff(rt, after) or cutoff_past_end(rt, after)
        cutoff_job = jobs.get("lock-at-cutoff")
        # the job's first run is the calendar's next cut-off (none past the shipped calendar)
        assert (cutoff_job.next_run_time if cutoff_job else None) == expected
        assert jobs["lock-safety"].next_run_time - now <= timedelta(seconds=61)
    finally:
        sched.shutdown(wait=False)


# --------------------------------------------------------------------------- purge
def _call(rt: Runtime, sid: str, started: datetime, events: int) -> None:
    with rt.sessions() as s, s.begin():
        call = Call(call_sid=sid, started_at=started, from_number="+33612345678",
                    to_number="+33800210519", step="done", state={"account": "210001"})
        call.events = [
            CallEvent(at=started, request_key=f"{sid}-{n}", step="menu", input_kind="dtmf",
                      heard="1", outcome="ok", response="<Response/>")
            for n in range(events)
        ]
        s.add(call)
        s.add(AuditEntry(at=started, actor="family:210001", channel="phone", action="cancel",
                         call_sid=sid, before="booked", after="not_booked"))


def test_the_purge_deletes_call_details_past_the_retention_and_keeps_the_audit_log(
    rt: Runtime,
) -> None:
    now = rt.clock.now()
    cutoff = now - timedelta(days=365)
    _call(rt, "CA-old", cutoff - timedelta(days=30), 3)
    _call(rt, "CA-edge-old", cutoff - timedelta(minutes=1), 2)
    _call(rt, "CA-edge-new", cutoff + timedelta(minutes=1), 2)
    _call(rt, "CA-recent", now - timedelta(days=3), 4)

    report = purge_job(rt)

    assert (report.calls, report.events, report.before) == (2, 5, cutoff)
    with rt.sessions() as s:
        assert set(s.scalars(select(Call.call_sid))) == {"CA-edge-new", "CA-recent"}
        assert s.scalar(select(func.count()).select_from(CallEvent)) == 6
        sids = set(s.scalars(select(AuditEntry.call_sid).where(AuditEntry.action == "cancel")))
        assert sids == {"CA-old", "CA-edge-old", "CA-edge-new", "CA-recent"}  # billing keeps them
        purge = s.scalars(select(AuditEntry).where(AuditEntry.action == "purge_call_logs")).one()
        assert purge.detail == {"before": cutoff.isoformat(), "calls": 2, "events": 5,
                                "retention_days": 365}
    assert purge_job(rt).calls == 0


def test_the_purge_follows_the_configured_retention(settings: Settings, clock: Clock, rt: Runtime) -> None:
    short = Runtime.build(settings=dataclasses.replace(settings, call_log_retention_days=30),
                          clock=clock, engine=rt.engine)
    _call(rt, "CA-40-days", clock.now() - timedelta(days=40), 1)
    _call(rt, "CA-20-days", clock.now() - timedelta(days=20), 1)
    assert purge_job(rt).calls == 0  # 365 days in the Dijon file
    assert purge_job(short).calls == 1
    with rt.sessions() as s:
        assert list(s.scalars(select(Call.call_sid))) == ["CA-20-days"]


# --------------------------------------------------------------------------- the process
def test_the_scheduler_process_catches_up_at_start_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "sched.db"
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{db}", "RESTOMAIRIE_CONFIG": "dijon",
        "RESTOMAIRIE_NOW": "2026-11-24T09:00:00+01:00", "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-c", "from restomairie.cli import main; main()"]
    subprocess.run([*command, "init-db"], env=env, check=True, capture_output=True, timeout=120)
    # The town's families came in on Friday 20 November, 9:00 (a day-by-day family: no meal
    # booked); the scheduler has been down since before Monday 23, 13:00.
    families = tmp_path / "familles.csv"
    families.write_text(
        "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
        "210001;4821;0612345678;Mme Martin;E1;Léa;Martin;;buffon-mat;standard;\n",
        encoding="utf-8",
    )
    subprocess.run(
        [*command, "import", str(families)], check=True, capture_output=True, timeout=120,
        env={**env, "RESTOMAIRIE_NOW": "2026-11-20T09:00:00+01:00"},
    )
    lines: list[str] = []
    with subprocess.Popen(
        [*command, "scheduler", "--safety-interval", "0"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if "purge-call-logs : prochaine exécution" in line:
                    break
            proc.send_signal(signal.SIGTERM)
            lines.append(proc.communicate(timeout=30)[0])
        finally:
            if proc.poll() is None:
                proc.kill()
    output = "".join(lines)
    assert proc.returncode == 0, output
    assert "rattrapage :" in output and "(en retard)" in output
    assert "verrouillé anjou-elem 2026-11-26 : 0 repas" in output  # due Monday 23, 13:00
    assert "verrouillé anjou-elem 2026-11-27" not in output  # its cut-off (Tuesday, 13:00) is to come
    assert "arrêt demandé (signal 15)" in output and "planificateur arrêté" in output
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            late = conn.execute(select(func.count()).select_from(DayLock).where(DayLock.late)).scalar()
            total = conn.execute(select(func.count()).select_from(DayLock)).scalar()
    finally:
        engine.dispose()
    assert late == total and total is not None and total >= 10


def test_the_purge_command_says_what_it_would_delete_then_deletes_it(rt: Runtime) -> None:
    # The nightly purge could only be run by starting the scheduler, and not checked first.
    from click.testing import CliRunner

    from restomairie.cli import main

    _call(rt, "CA-old", rt.clock.now() - timedelta(days=400), 3)
    _call(rt, "CA-recent", rt.clock.now() - timedelta(days=3), 2)
    said = "Journal des appels (365 jours de conservation) : 1 appel(s) et 3 étape(s) commencés "
    said += "avant le dimanche 23 novembre 2025 à 10 heures"
    # "adresse de 0 connexion(s) effacée": one address erased, said of none.
    logins = "Connexions du personnel avant cette date : 0 adresse(s)"
    dry = CliRunner().invoke(main, ["purge", "--dry-run"], obj={"runtime": rt})
    assert dry.exit_code == 0 and dry.output == (
        f"{said} à effacer.\n{logins} à effacer. Rien n'a été effacé.\n"
    )
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Call)) == 2
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "purge_call_logs")) == 0
    done = CliRunner().invoke(main, ["purge"], obj={"runtime": rt})
    assert done.exit_code == 0 and done.output == f"{said} effacés.\n{logins} effacée(s).\n"
    with rt.sessions() as s:
        assert list(s.scalars(select(Call.call_sid))) == ["CA-recent"]


def test_the_purge_erases_the_staff_logins_addresses_past_the_retention(rt: Runtime) -> None:
    """The staff logins' client addresses stayed in the audit log for good (and in an address
    unlock's words); they now go with the calls of their time. The entries themselves stay."""
    from restomairie.staff.accounts import AccountError, AccountService

    now = rt.clock.now()
    accounts = AccountService(rt.sessions, rt.clock)
    rt.clock.frozen = now - timedelta(days=400)
    accounts.create_user("marie", "staff", "un mot de passe sûr")
    with pytest.raises(AccountError):
        accounts.authenticate("marie", "faux", "203.0.113.7")
    accounts.authenticate("marie", "un mot de passe sûr", "203.0.113.7")
    with pytest.raises(AccountError):
        accounts.authenticate("marie", "faux", "198.51.100.9")
    accounts.unlock_login(address="198.51.100.9", reason="poste du service", by="staff:admin")
    rt.clock.frozen = now - timedelta(days=3)
    accounts.authenticate("marie", "un mot de passe sûr", "192.0.2.44")
    rt.clock.frozen = now
    dry = purge_call_logs(rt.sessions, rt.settings, now, dry_run=True)
    assert dry.addresses == 4

    def details() -> list[tuple[str, Any]]:
        with rt.sessions() as s:
            return [
                (e.action, e.detail)
                for e in s.scalars(select(AuditEntry).where(AuditEntry.action.like("login%"))
                                   .order_by(AuditEntry.id))
            ]

    assert "203.0.113.7" in str(details())
    report = purge_job(rt)
    assert report.addresses == 4 and report.calls == 0
    after = details()
    assert [action for action, _ in after] == [
        "login_failed", "login", "login_failed", "login_unlock", "login"
    ]
    old, recent = after[:4], after[4]
    assert "203.0.113.7" not in str(old) and "198.51.100.9" not in str(old)
    assert "(adresse effacée)" in old[3][1]["label"]
    assert recent[1] == {"address": "192.0.2.44"}
    with rt.sessions() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "purge_call_logs"))
        assert entry.detail is not None and entry.detail["addresses"] == 4
    assert purge_job(rt).addresses == 0  # once is enough


# --------------------------------------------------------------------------- a lock overdue
def test_a_change_forced_while_the_scheduler_is_down_is_an_adjustment_beside_the_late_lock(
    rt: Runtime,
) -> None:
    """The scheduler was down at Monday's 13:00 cut-off (Thursday 26's); staff force a
    cancellation at 13:10. It was folded into the figure the late lock froze at 13:30, with no
    adjustment: the kitchen's 13:05 count moved without a word. The forced change now takes the
    overdue lock first (late), and is recorded beside it."""
    make_family(rt)  # Léa, anjou-elem, Monday, Tuesday, Thursday, Friday
    rt.clock.frozen = paris(2026, 11, 23, 12, 59)
    lock_job(rt)
    rt.clock.frozen = paris(2026, 11, 23, 13, 10)
    assert rt.locks.get("anjou-elem", THU) is None  # overdue: the scheduler is down
    (result,) = rt.booking.cancel("210001", [THU], STAFF, override_reason="malade")
    assert result.forced and result.adjusted and not result.served
    lock = rt.locks.get("anjou-elem", THU)
    assert lock is not None and lock.late and lock.counts["standard"] == 1
    assert [(a["variant"], a["delta"]) for a in lock.adjustments] == [("standard", -1)]
    rt.clock.frozen = paris(2026, 11, 23, 13, 30)
    assert [r for r in lock_job(rt) if (r.school_id, r.day) == ("anjou-elem", THU)] == []
    assert KitchenService(rt.booking).day(THU).adjusted_total == 0


def test_a_billing_correction_of_a_served_day_never_locked_leaves_what_was_produced(
    rt: Runtime,
) -> None:
    """The scheduler stopped after Thursday 19's run; on Monday 23 at 15:00 staff cancel that
    day's meal (served: billing only). The catch-up lock froze the corrected bookings (nobody),
    not the meal produced; the day is now locked first, with Léa counted."""
    make_family(rt)
    rt.clock.frozen = paris(2026, 11, 19, 12, 0)
    lock_job(rt)
    monday = date(2026, 11, 23)
    rt.clock.frozen = paris(2026, 11, 23, 15, 0)
    (result,) = rt.booking.cancel("210001", [monday], STAFF, override_reason="facture")
    assert result.served and not result.adjusted
    lock = rt.locks.get("anjou-elem", monday)
    assert lock is not None and lock.late and lock.counts["standard"] == 1
    assert lock.adjustments == []


def test_a_pattern_changed_from_a_past_date_takes_the_overdue_locks_first(rt: Runtime) -> None:
    make_family(rt)
    rt.clock.frozen = paris(2026, 11, 23, 12, 59)
    lock_job(rt)
    rt.clock.frozen = paris(2026, 11, 23, 13, 10)
    rt.booking.end_subscription("210001", "E1", date(2026, 11, 16), STAFF, override_reason="départ")
    lock = rt.locks.get("anjou-elem", THU)
    assert lock is not None and lock.late and lock.counts["standard"] == 1
    assert [(a["variant"], a["delta"]) for a in lock.adjustments] == [("standard", -1)]


def test_one_school_whose_lock_fails_leaves_the_others_locked(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locked one after the other, the first failure stopped the run: every school after it
    stayed unlocked, on every retry. Each is now tried, then the error raised."""
    small_town(rt)
    rt.clock.frozen = THU_CUTOFF
    due = [(s, d) for s, d, _ in rt.locks.due(rt.clock.now())]
    first_school = due[0][0]
    lock_day = rt.locks.lock_day

    def failing(school_id: str, day: date, **kw: object) -> object:
        if school_id == first_school:
            raise RuntimeError("base indisponible pour cette école")
        return lock_day(school_id, day, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(rt.locks, "lock_day", failing)
    with pytest.raises(RuntimeError, match="base indisponible"):
        rt.locks.lock_due(rt.clock.now())
    with rt.sessions() as session:
        locked = {(s, d) for s, d in session.execute(select(DayLock.school_id, DayLock.day))}
    assert locked == {(s, d) for s, d in due if s != first_school}


# --------------------------------------------------------------------------- a fresh install
FRESH_FILE = (
    "family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days\n"
    "210001;4821;0612345678;Mme Martin;E1;Léa;Martin;2018-03-04;anjou-elem;standard;lun mar jeu ven\n"
)
IMPORTER = Actor("staff", "marie", "import")


def _first_import(rt: Runtime, at: datetime) -> None:
    from restomairie.booking.importer import import_csv

    rt.clock.frozen = at
    report = import_csv(rt.booking, FRESH_FILE, IMPORTER)
    assert report.families_created == 1 and report.children_created == 1


def test_a_fresh_install_s_first_lock_freezes_no_day_before_its_first_families(
    rt: Runtime,
) -> None:
    """The first ``lock`` of a town imported on Monday 23 at 14:00 froze every day back to
    31 days at 0 meals, marked late: days nobody could book through Resto-Mairie. The kitchen
    then read two weeks of late locks."""
    _first_import(rt, paris(2026, 11, 23, 14, 0))
    assert lock_job(rt) == []  # Thursday 26's cut-off (13:00) came before the families
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DayLock)) == 0
    kitchen = KitchenService(rt.booking)
    for day in kitchen.days([date(2026, 11, 16), date(2026, 11, 20), THU]):
        assert not day.locked and not day.overdue and not day.due and not day.late, day.day
        # Not "provisional" either: no lock will come, so the kitchen is not told to wait.
        assert day.state == "never_locked" and day.never_locked
    # Tuesday 24 at 13:00, Friday 27's cut-off: the first lock, on time, with Léa.
    rt.clock.frozen = FRI_CUTOFF + timedelta(seconds=20)
    locked = lock_job(rt)
    assert {r.day for r in locked} == {FRI}
    assert not any(r.late for r in locked)
    anjou = rt.locks.get("anjou-elem", FRI)
    assert anjou is not None and anjou.counts["standard"] == 1


def test_a_fresh_install_imported_before_a_cut_off_locks_that_day_late_when_the_lock_is_late(
    rt: Runtime,
) -> None:
    """Imported on Monday 23 at 10:00, the families could book Thursday 26 until 13:00: the
    lock missed at 13:00 is taken at 14:00, marked late (DOMAIN §5), and no day before it."""
    _first_import(rt, paris(2026, 11, 23, 10, 0))
    rt.clock.frozen = paris(2026, 11, 23, 14, 0)
    assert KitchenService(rt.booking).day(THU).overdue
    locked = lock_job(rt)
    assert {r.day for r in locked} == {THU}
    assert all(r.late for r in locked) and len(locked) == 10


def test_a_scheduler_down_on_a_running_install_catches_up_every_day_since_marked_late(
    rt: Runtime,
) -> None:
    """Families in since Thursday 19 at 9:00 and no scheduler until Monday 23 at 14:00: every
    day whose cut-off passed since their arrival is locked, late; none before (Friday 20's
    cut-off was Tuesday 17, before them)."""
    _first_import(rt, paris(2026, 11, 19, 9, 0))
    rt.clock.frozen = paris(2026, 11, 23, 14, 0)
    before = KitchenService(rt.booking)
    assert not before.day(date(2026, 11, 20)).overdue
    assert all(before.day(d).overdue for d in (date(2026, 11, 23), date(2026, 11, 24), THU))
    locked, _ = catch_up(rt)
    assert {r.day for r in locked} == {date(2026, 11, 23), date(2026, 11, 24), THU}
    assert all(r.late for r in locked)
    anjou = rt.locks.get("anjou-elem", THU)
    assert anjou is not None and anjou.counts["standard"] == 1
    # The install now runs: a later outage is caught up the same way.
    rt.clock.frozen = paris(2026, 11, 30, 9, 0)
    again = {r.day for r in lock_job(rt)}
    assert again == {FRI, date(2026, 11, 30), date(2026, 12, 1)}


def test_a_database_without_families_locks_nothing_and_says_why(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from restomairie.cli import main

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
           "RESTOMAIRIE_NOW": "2026-11-23T14:00:00+01:00", "RESTOMAIRIE_CONFIG": ""}
    cli = CliRunner(env=env)
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    res = cli.invoke(main, ["lock"])
    assert res.exit_code == 0, res.output
    assert "la base de données n'a encore aucune famille" in res.output
    engine = make_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(DayLock)).scalar() == 0
    finally:
        engine.dispose()


def test_counts_of_a_day_before_the_first_families_say_it_is_never_locked(
    tmp_path: Path,
) -> None:
    """``restomairie counts`` of a day whose cut-off came before the first import: neither
    "en retard" nor a ``lock`` to run, which would do nothing."""
    from click.testing import CliRunner

    from restomairie.cli import main

    csv_file = tmp_path / "familles.csv"
    csv_file.write_text(FRESH_FILE, encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
           "RESTOMAIRIE_NOW": "2026-11-23T14:00:00+01:00", "RESTOMAIRIE_CONFIG": ""}
    cli = CliRunner(env=env)
    assert cli.invoke(main, ["init-db"]).exit_code == 0
    assert cli.invoke(main, ["import", str(csv_file)]).exit_code == 0
    locked = cli.invoke(main, ["lock"])
    assert locked.exit_code == 0 and "verrouillage(s)" not in locked.output, locked.output
    res = cli.invoke(main, ["counts", "2026-11-20"])
    assert res.exit_code == 0, res.output
    assert ("Effectifs du vendredi 20 novembre 2026 — NON VERROUILLÉS (date limite passée : "
            "mardi 17 novembre à 13 heures)") in res.output
    assert ("sa date limite est passée avant l'arrivée des premières familles dans "
            "Resto-Mairie (le lundi 23 novembre à 14 heures)") in res.output
    assert "EN RETARD" not in res.output and "Lancez « restomairie lock »" not in res.output
