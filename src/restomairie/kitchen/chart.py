"""Geometry of the small bar chart of upcoming totals (drawn as inline SVG by the template)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_date

from restomairie.i18n import format_day
from restomairie.kitchen.service import STATE_LABELS, Break, DayCounts

WIDTH = 360
HEIGHT = 150  # of the bars' area and the days' row: the rows below add to it
TOP = 22  # room for the value above the tallest bar
BOTTOM = 26  # room for the day under the bars
GAP = 12
# Under the bars, one row each: the day ("lun. 4"), its month where the reader needs it
# ("janv.": under the first bar, and under a bar after a new month or a break, so that "ven. 18"
# then "lun. 4" is not read as the next Monday), then the name of each break ("Vacances de
# Noël"), which is wider than its band and so has a row of its own (two when two would overlap).
DAY_ROW = 18  # below the baseline
MONTH_ROW = 32
NAME_ROW = 50
NAME_STEP = 15
NAME_SIZE = 12
BREAK_SLOT = 0.5  # a break's band takes half a bar's room
CHAR_WIDTH = 0.62  # a character's width, in font sizes: enough to keep two names apart

BLUE = "#0969da"
RED = "#cf222e"
# A bar's look says the day's state as its badge does. The fill says how settled the figure is:
# solid once frozen (locked, on time or late), striped dark while the lock is being taken or
# holds for some schools only, striped light while families can still change it (or the lock
# is overdue: nothing is frozen), plain grey when it will never be locked (its cut-off came before
# the database served the town). A red outline says "late", as the red of the badges does.
FILLS = {
    "locked": BLUE,
    "locked_late": BLUE,
    "locking": "url(#hatch-locking)",
    "partial": "url(#hatch-partial)",
    "provisional": "url(#hatch)",
    "never_locked": "#d0d7de",
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
    "never_locked": "never-locked",
    "overdue": "provisional overdue",
    "closed": "closed",
}
LEGEND_ORDER = ("locked", "locked_late", "locking", "partial", "provisional", "never_locked",
                "overdue", "closed")


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
    month: str | None = None  # "janv.", under the label, where the month needs saying

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
class BreakMark:
    """A band between two bars where canteen days have no lunch (:class:`Break`), named under
    the chart."""

    x: float
    y: float
    width: float
    height: float
    label: str  # "Vacances de Noël"
    title: str  # the whole sentence, with its days
    label_x: float  # where its name is centred (kept inside the chart)
    label_y: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


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
    breaks: tuple[BreakMark, ...] = ()

    @property
    def day_y(self) -> float:
        return self.baseline + DAY_ROW

    @property
    def month_y(self) -> float:
        return self.baseline + MONTH_ROW

    @property
    def title(self) -> str:
        """What the chart shows, in order, bars and breaks: its accessible name."""
        items = sorted([(b.x, b.title) for b in self.bars] + [(k.x, k.title) for k in self.breaks])
        return " ; ".join(text for _x, text in items)

    @property
    def legend(self) -> tuple[LegendKey, ...]:
        """One key per state the bars show, in the words of the badges."""
        shown = {b.state for b in self.bars}
        return tuple(
            LegendKey(CLASSES[st], STATE_LABELS[st].lower()) for st in LEGEND_ORDER if st in shown
        )


def bar_chart(
    days: Sequence[DayCounts], breaks: Sequence[Break] = (), locale: str = "fr_FR"
) -> Chart:
    """One bar per day: the meals to deliver (adjusted, packed PAI meals left out: the families
    bring them), drawn and titled by the day's state as its badge says it — the figure of the
    day's "Repas à produire" line and of its production sheet's "Repas à livrer". Between two
    bars with a :class:`Break` between their days, a band named under the chart."""
    after = {b.after: b for b in breaks}
    n = max(len(days), 1)
    units = n + BREAK_SLOT * sum(1 for d in days[:-1] if d.day in after)
    slot = (WIDTH - GAP) / units
    peak = max((d.to_produce for d in days), default=0) or 1
    usable = HEIGHT - TOP - BOTTOM
    baseline = TOP + usable
    bars: list[Bar] = []
    marks: list[BreakMark] = []
    rows: list[float] = []  # the right end of the last name written on each row
    x: float = GAP
    for i, d in enumerate(days):
        previous = days[i - 1].day if i else None
        month = None
        if previous is None or previous.month != d.day.month or previous in after:
            month = format_date(d.day, "MMM", locale=locale)
        value = d.to_produce
        h = usable * value / peak
        status = d.state_label.lower()  # the badge's words: never "provisoire" past cut-off
        day_text = format_day(d.day, locale)  # "mardi 1er décembre", as the page writes it
        packed = ""
        if d.packed == 1:
            packed = ", plus 1 panier repas PAI apporté"
        elif d.packed:
            packed = f", plus {d.packed} paniers repas PAI apportés"
        bars.append(Bar(
            x=x,
            y=baseline - h,
            width=slot - GAP,
            height=h,
            value=value,
            label=format_date(d.day, "EEE d", locale=locale),
            title=f"{day_text} : {value} repas à livrer{packed} ({status})",
            state=d.state,
            month=month,
        ))
        x += slot
        gap = after.get(d.day) if i < len(days) - 1 else None
        if gap is not None:
            width = BREAK_SLOT * slot - GAP
            centre = x + width / 2
            half = len(gap.label) * NAME_SIZE * CHAR_WIDTH / 2
            label_x = min(max(centre, half), WIDTH - half)
            row = next((r for r, end in enumerate(rows) if end < label_x - half), len(rows))
            if row == len(rows):
                rows.append(0)
            rows[row] = label_x + half
            marks.append(BreakMark(
                x=x, y=TOP, width=width, height=usable, label=gap.label, title=gap.span,
                label_x=label_x, label_y=baseline + NAME_ROW + row * NAME_STEP,
            ))
            x += BREAK_SLOT * slot
    below = NAME_ROW + (len(rows) - 1) * NAME_STEP if rows else MONTH_ROW
    return Chart(WIDTH, round(baseline + below + 8), baseline, tuple(bars), tuple(marks))
