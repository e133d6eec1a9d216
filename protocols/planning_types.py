"""The series planner's vocabulary: the steps of a protocol, the calendar it books into (plain
interval sets), and what it answers (planned sessions, conflicts). Pure: no ORM, no clock.

protocols.planning re-exports all of it; import from there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic.intervals import Interval, IntervalSet

# Reasons a session could not be planned (PlanConflict.reason).
NO_FREE_SLOT = "no_free_slot_in_window"
PINNED_SLOT_TAKEN = "pinned_slot_taken"
PINNED_OUTSIDE_WINDOW = "pinned_outside_window"
PINNED_OUTSIDE_HOURS = "pinned_outside_hours"
IN_THE_PAST = "in_the_past"
NONEXISTENT_LOCAL_TIME = "nonexistent_local_time"

_DAY_MINUTES = 1440


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogues (makemessages reads this name) and returns it as it is:
    the planner imports no Django, and the booking side translates (protocols.texts.notice_text)."""
    return message


class Notice(str):
    """A warning for the receptionist: the English text as a str (what the API's `warnings` hold
    for a reader of English), keeping its message and values so that a page or an answer can show
    it in the reader's language. `days` (a count of days) is written "1 day" / "3 days"."""

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, **values: object) -> Notice:
        english = {**values, "days": _days_in_english(values["days"])} if "days" in values else values
        notice = super().__new__(cls, message % english)
        notice.message, notice.values = message, values
        return notice


def _days_in_english(days: object) -> str:
    return f"{days} day" if days == 1 else f"{days} days"


class BusyNotRead(Exception):
    """Planning needs busy time outside ``Resources.known``: read ``span`` as well and plan again."""

    def __init__(self, span: Interval) -> None:
        super().__init__(f"Busy time from {span.start.isoformat()} to {span.end.isoformat()} was not read.")
        self.span = span


@dataclass(frozen=True)
class Step:
    """One session of the protocol; its gap counts from the previous session (or the anchor)."""

    number: int
    kind: str
    gap_min_days: int
    gap_target_days: int
    gap_max_days: int
    duration_minutes: int


@dataclass
class Resources:
    """What the planner may use at one location. Every interval is UTC-aware.

    ``open_for`` gives, per practitioner, the time they can see patients there: the location's
    opening hours ∩ their working hours − closures − public holidays (availability already applied).

    ``location_open`` is optional and only makes planning faster: any superset of every
    practitioner's open time (typically the location's opening hours minus its closures and
    holidays). Times outside it are skipped without asking each practitioner, which matters on a
    fully booked calendar where every grid time of every day in the window gets tried.

    ``known`` is the time the three busy fields are complete for (None: all time). A visit the
    planner would check outside it raises BusyNotRead rather than being taken for free.
    """

    zone: ZoneInfo
    slot_minutes: int
    practitioners: list[int]
    rooms: list[int]
    open_for: Callable[[int], IntervalSet] | Mapping[int, IntervalSet]
    practitioner_busy: dict[int, IntervalSet] = field(default_factory=dict)
    room_busy: dict[int, IntervalSet] = field(default_factory=dict)
    patient_busy: IntervalSet = field(default_factory=IntervalSet)
    location_open: IntervalSet | None = None
    known: IntervalSet | None = None


@dataclass(frozen=True)
class PlannedSession:
    number: int
    kind: str
    start: datetime
    end: datetime
    practitioner: int
    room: int
    window_earliest: date
    window_latest: date
    target_date: date


@dataclass(frozen=True)
class PlanConflict:
    """A session that could not be planned. ``start`` is the pinned instant when there was one."""

    number: int
    start: datetime | None
    reason: str


@dataclass(frozen=True)
class Plan:
    sessions: list[PlannedSession]
    conflicts: list[PlanConflict]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class Window:
    earliest: date
    target: date
    latest: date

    def __contains__(self, day: date) -> bool:
        return self.earliest <= day <= self.latest

    def days_by_preference(self) -> list[date]:
        """Target, target-1, target+1, target-2, ... clipped to the window."""
        days = [self.earliest + timedelta(days=n) for n in range((self.latest - self.earliest).days + 1)]
        return sorted(days, key=lambda day: (abs((day - self.target).days), day))


def window_for(step: Step, counted_from: date) -> Window:
    """The window of ``step`` when the session before it (or the anchor) is on ``counted_from``."""
    return Window(
        earliest=counted_from + timedelta(days=step.gap_min_days),
        target=counted_from + timedelta(days=step.gap_target_days),
        latest=counted_from + timedelta(days=step.gap_max_days),
    )


def grid_by_preference(slot_minutes: int, wished_minutes: int) -> list[int]:
    """The grid's minutes since local midnight, nearest the wished time of day first, earlier on ties."""
    return sorted(range(0, _DAY_MINUTES, slot_minutes), key=lambda m: (abs(m - wished_minutes), m))
