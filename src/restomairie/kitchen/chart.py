"""Geometry of the small bar chart of upcoming totals (drawn as inline SVG by the template)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_date

from restomairie.kitchen.service import DayCounts

WIDTH = 360
HEIGHT = 150
TOP = 22  # room for the value above the tallest bar
BOTTOM = 26  # room for the day under the bars
GAP = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # "jeu. 26"
    title: str  # what a screen reader or a hover says
    locked: bool

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]


def bar_chart(days: Sequence[DayCounts], locale: str = "fr_FR") -> Chart:
    """One bar per day: the meals to deliver (adjusted total), locked or provisional."""
    n = max(len(days), 1)
    slot = (WIDTH - GAP) / n
    peak = max((d.adjusted_total for d in days), default=0) or 1
    usable = HEIGHT - TOP - BOTTOM
    bars = []
    for i, d in enumerate(days):
        value = d.adjusted_total
        h = usable * value / peak
        status = "verrouillé" if d.locked else "provisoire"
        day_text = format_date(d.day, "EEEE d MMMM", locale=locale)
        bars.append(Bar(
            x=GAP + i * slot,
            y=TOP + usable - h,
            width=slot - GAP,
            height=h,
            value=value,
            label=format_date(d.day, "EEE d", locale=locale),
            title=f"{day_text} : {value} repas ({status})",
            locked=d.locked,
        ))
    return Chart(WIDTH, HEIGHT, TOP + usable, tuple(bars))
