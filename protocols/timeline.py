"""The course timeline drawing: where each session sits, as pure geometry for an SVG.

Each session is drawn at its target day (the sum of target gaps so far); its window is the band
from the previous session's target day plus the minimum gap to plus the maximum gap.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol as Shape

from django.utils.translation import gettext as _

WIDTH = 1000
HEIGHT = 150
MARGIN = 36
AXIS_Y = 92
TICK_STEPS = (7, 14, 30, 60, 90, 180, 365)


class SessionLike(Shape):
    number: int
    gap_min_days: int
    gap_target_days: int
    gap_max_days: int
    kind: str


@dataclass(frozen=True)
class Mark:
    number: int
    kind: str
    day: int
    earliest: int
    latest: int
    x: float
    band_x: float
    band_width: float
    label_y: float

    @property
    def kind_label(self) -> str:
        """The session's kind in words, inside a sentence ("treatment")."""
        from .labels import kind_in_text

        return kind_in_text(self.kind)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    marks: list[Mark]
    ticks: list[Tick]
    total_days: int
    span_days: int
    width: int = WIDTH
    height: int = HEIGHT
    axis_y: int = AXIS_Y
    margin: int = MARGIN

    @property
    def axis_end(self) -> int:
        return self.width - self.margin


def _tick_label(day: int, step: int) -> str:
    if step < 30:
        return _("wk %(n)s") % {"n": day // 7}
    if step >= 365:
        return _("yr %(n)s") % {"n": day // 365}
    return _("mo %(n)s") % {"n": round(day / 30)}


def timeline_layout(sessions: Sequence[SessionLike]) -> Timeline:
    """Positions of every session marker, window band and axis tick in a WIDTH x HEIGHT drawing."""
    days: list[tuple[SessionLike, int, int, int]] = []
    previous = 0
    for session in sessions:
        target = previous + session.gap_target_days
        days.append((session, target, previous + session.gap_min_days, previous + session.gap_max_days))
        previous = target
    span = max([latest for *_, latest in days] + [previous, 1])
    usable = WIDTH - 2 * MARGIN

    def x_of(day: int) -> float:
        return round(MARGIN + day * usable / span, 1)

    marks = []
    for index, (session, target, earliest, latest) in enumerate(days):
        band_x = x_of(earliest)
        marks.append(Mark(
            number=session.number, kind=session.kind, day=target, earliest=earliest, latest=latest,
            x=x_of(target), band_x=band_x, band_width=max(round(x_of(latest) - band_x, 1), 2.0),
            # Alternate label rows so sessions a few days apart stay readable.
            label_y=AXIS_Y - 30 - (index % 2) * 18,
        ))
    step = next((s for s in TICK_STEPS if span / s <= 12), TICK_STEPS[-1])
    ticks = [Tick(x=x_of(day), label=_tick_label(day, step)) for day in range(0, span + 1, step)]
    return Timeline(marks=marks, ticks=ticks, total_days=previous, span_days=span)
