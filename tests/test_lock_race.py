"""A booking change and the lock of its day never interleave (DOMAIN.md §5).

Threads toggle each child once (book if not booked, cancel if booked) while another thread locks
the day. Since every child changes at most once, any change committed after the lock would make
the live bookings differ from the frozen list: they must be equal, and the race must really have
happened (some changes before the lock, some refused after it).
"""

from __future__ import annotations

import queue
import threading
import time
from datetime import date, datetime

from sqlalchemy import select

from restomairie.booking import queries
from restomairie.booking.errors import DayLocked
from restomairie.booking.services import Actor, BookingService
from restomairie.clock import PARIS
from restomairie.models import DayLock, LockedChild
from restomairie.runtime import Runtime
from tests.factories import KidSpec, make_family

DAY = date(2026, 12, 7)
CHILDREN = 240


def test_changes_and_the_lock_never_interleave(rt: Runtime) -> None:
    for i in range(CHILDREN // 4):
        make_family(
            rt,
            account=f"F{i}",
            phones=(),
            kids=[
                KidSpec(f"C{i}-{j}", f"Enfant{j}", weekdays=(0b11011 if (i + j) % 2 else 0))
                for j in range(4)
            ],
        )
    rt.clock.frozen = datetime(2026, 12, 3, 12, 59, 59, tzinfo=PARIS)
    work: queue.Queue[tuple[str, str]] = queue.Queue()
    for i in range(CHILDREN // 4):
        for j in range(4):
            work.put((f"F{i}", f"C{i}-{j}"))
    done = {"changed": 0, "refused": 0}
    started = threading.Event()
    mutex = threading.Lock()
    errors: list[BaseException] = []

    def toggler(service: BookingService) -> None:
        actor = Actor("family", "race", "phone")
        while True:
            try:
                account, child = work.get_nowait()
            except queue.Empty:
                return
            if started.is_set():
                # Leave the locker time to run on a loaded machine: without it, every change
                # may be over before the lock starts, and the race would not happen.
                time.sleep(0.01)
            try:
                booked = service.state(account, child, DAY).booked
                action = "cancel" if booked else "book"
                service.change(account, action, [DAY], actor, [child])
                with mutex:
                    done["changed"] += 1
                    if done["changed"] >= CHILDREN // 6:
                        started.set()
            except DayLocked:
                with mutex:
                    done["refused"] += 1
            except BaseException as exc:  # surfaced below
                errors.append(exc)
                started.set()
                return

    result: list[object] = []

    def locker() -> None:
        started.wait(timeout=30)
        result.append(
            rt.locks.lock_day("anjou-elem", DAY, now=datetime(2026, 12, 3, 13, 0, tzinfo=PARIS))
        )

    threads = [threading.Thread(target=toggler, args=(rt.booking,)) for _ in range(6)]
    threads.append(threading.Thread(target=locker))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert done["changed"] > 0 and done["refused"] > 0, done  # the race happened

    with rt.sessions() as s:
        lock = s.scalars(select(DayLock)).one()
        frozen = set(s.scalars(select(LockedChild.child_id).where(LockedChild.lock_id == lock.id)))
        live = {row[0] for row in s.execute(queries.booked_children(DAY, ["anjou-elem"]))}
        frozen_total = sum(c.count for c in lock.counts)
    assert frozen == live
    assert frozen_total == len(live)


def test_two_lock_runs_at_once_lock_the_day_once(rt: Runtime) -> None:
    make_family(rt)
    now = datetime(2026, 12, 3, 13, 0, tzinfo=PARIS)
    results: list[object] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        results.append(rt.locks.lock_day("anjou-elem", DAY, now=now))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4
    assert sum(1 for r in results if getattr(r, "created", False)) == 1
    with rt.sessions() as s:
        assert len(s.scalars(select(DayLock)).all()) == 1
