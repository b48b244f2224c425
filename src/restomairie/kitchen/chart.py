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
    overdue: bool = False  # cut-off passed long enough ago, still not locked

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
    """One bar per day: the meals to deliver (adjusted, packed PAI meals left out: the families
    bring them), locked or provisional — the figure of the day's "Repas à produire" line and of
    its production sheet's "Repas à livrer"."""
    n = max(len(days), 1)
    slot = (WIDTH - GAP) / n
    peak = max((d.to_produce for d in days), default=0) or 1
    usable = HEIGHT - TOP - BOTTOM
    bars = []
    for i, d in enumerate(days):
        value = d.to_produce
        h = usable * value / peak
        if d.locked:
            status = "verrouillé en retard" if d.late else "verrouillé"
        elif d.overdue:
            status = "non verrouillé, en retard"
        else:
            status = "provisoire"
        day_text = format_date(d.day, "EEEE d MMMM", locale=locale)
        packed = ""
        if d.packed == 1:
            packed = ", plus 1 panier repas PAI apporté"
        elif d.packed:
            packed = f", plus {d.packed} paniers repas PAI apportés"
        bars.append(Bar(
            x=GAP + i * slot,
            y=TOP + usable - h,
            width=slot - GAP,
            height=h,
            value=value,
            label=format_date(d.day, "EEE d", locale=locale),
            title=f"{day_text} : {value} repas à livrer{packed} ({status})",
            locked=d.locked,
            overdue=d.overdue,
        ))
    return Chart(WIDTH, HEIGHT, TOP + usable, tuple(bars))
