"""Geometry of the small bar chart of upcoming totals (drawn as inline SVG by the template)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_date

from restomairie.kitchen.service import STATE_LABELS, DayCounts

WIDTH = 360
HEIGHT = 150
TOP = 22  # room for the value above the tallest bar
BOTTOM = 26  # room for the day under the bars
GAP = 12

BLUE = "#0969da"
RED = "#cf222e"
# A bar's look says the day's state as its badge does. The fill says how settled the figure is:
# solid once frozen (locked, on time or late), striped dark while the lock is being taken or
# holds for some schools only, striped light while families can still change it (or the lock
# is overdue: nothing is frozen). A red outline says "late", as the red of the badges does.
FILLS = {
    "locked": BLUE,
    "locked_late": BLUE,
    "locking": "url(#hatch-locking)",
    "partial": "url(#hatch-partial)",
    "provisional": "url(#hatch)",
    "overdue": "url(#hatch)",
    "closed": "url(#hatch)",
}
LATE_STATES = frozenset({"locked_late", "overdue"})
# The classes of a bar and of its key in the legend (``locked`` on both locked states: "the
# figure is frozen").
CLASSES = {
    "locked": "locked",
    "locked_late": "locked locked-late",
    "locking": "locking",
    "partial": "partial",
    "provisional": "provisional",
    "overdue": "provisional overdue",
    "closed": "closed",
}
LEGEND_ORDER = ("locked", "locked_late", "locking", "partial", "provisional", "overdue", "closed")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # "jeu. 26"
    title: str  # what a screen reader or a hover says
    state: str  # the day's state (DayCounts.state), as its badge says it

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def css(self) -> str:
        return CLASSES[self.state]

    @property
    def fill(self) -> str:
        return FILLS[self.state]

    @property
    def stroke(self) -> str:
        return RED if self.state in LATE_STATES else BLUE

    @property
    def stroke_width(self) -> int:
        return 2 if self.state in LATE_STATES else 1


@dataclass(frozen=True)
class LegendKey:
    css: str  # the key's classes (kitchen.css draws each like its bar)
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]

    @property
    def legend(self) -> tuple[LegendKey, ...]:
        """One key per state the bars show, in the words of the badges."""
        shown = {b.state for b in self.bars}
        return tuple(
            LegendKey(CLASSES[st], STATE_LABELS[st].lower()) for st in LEGEND_ORDER if st in shown
        )


def bar_chart(days: Sequence[DayCounts], locale: str = "fr_FR") -> Chart:
    """One bar per day: the meals to deliver (adjusted, packed PAI meals left out: the families
    bring them), drawn and titled by the day's state as its badge says it — the figure of the
    day's "Repas à produire" line and of its production sheet's "Repas à livrer"."""
    n = max(len(days), 1)
    slot = (WIDTH - GAP) / n
    peak = max((d.to_produce for d in days), default=0) or 1
    usable = HEIGHT - TOP - BOTTOM
    bars = []
    for i, d in enumerate(days):
        value = d.to_produce
        h = usable * value / peak
        status = d.state_label.lower()  # the badge's words: never "provisoire" past cut-off
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
            state=d.state,
        ))
    return Chart(WIDTH, HEIGHT, TOP + usable, tuple(bars))
