"""How long one deadline answer costs once a school's calendar is indexed (target: ≤ 10 µs).

Run: ``python bench/deadline_bench.py``. Prints the one-time index cost and the median per-answer
cost over several runs, for the three presets' rules, plus a bare dict look-up for scale (the
machine is shared and noisy: the ratio is the steadier figure).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from restomairie.booking.services import BookingService
from restomairie.calendar.days import SchoolCalendar
from restomairie.config import load_config

RUNS = 7
CALLS = 50_000


def median_per_call(fn: object, args: list[object]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for a in args:
            fn(a)  # type: ignore[operator]
        samples.append((time.perf_counter() - start) / len(args))
    return statistics.median(samples)


def main() -> None:
    rng = random.Random(1)
    first, last = date(2025, 9, 1), date(2027, 7, 1)
    days = [first + timedelta(days=rng.randrange((last - first).days)) for _ in range(CALLS)]
    print(f"{CALLS} random days between {first} and {last}, median of {RUNS} runs")
    table = {d: d for d in days}
    bare = median_per_call(table.get, list(days))
    print(f"  bare dict look-up                     {bare * 1e6:8.3f} µs")
    for preset in ("dijon", "villepreux", "cesson-sevigne"):
        settings = load_config(preset, environ={})
        calendar = SchoolCalendar(tz=settings.tz, zone=settings.zone)
        service = BookingService(settings, None, None, calendar)  # type: ignore[arg-type]
        school = settings.schools[0].id
        t0 = time.perf_counter()
        service.day_status(date(2026, 12, 7), school)
        index = time.perf_counter() - t0
        per = median_per_call(lambda d, s=service, sc=school: s.day_status(d, sc), list(days))
        raw_weekdays = settings.weekdays_of(settings.school(school))
        raw = median_per_call(
            lambda d, c=calendar, w=raw_weekdays, r=settings.deadline: c.status(d, w, r), list(days)
        )
        print(
            f"  {preset:<15} index {index * 1e3:7.1f} ms   "
            f"service.day_status {per * 1e6:6.3f} µs   "
            f"calendar.status {raw * 1e6:6.3f} µs   ({per / bare:5.1f}× a dict look-up)"
        )
    print("target: one deadline answer ≤ 10 µs after the one-time index")


if __name__ == "__main__":
    main()
