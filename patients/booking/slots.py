"""Reading the booking calendar for the receptionist's pages: the free times inside a session's
window, the windows of a previewed course, and the sessions the calendar shows.

Free times use the same calendar as the planner (patients.booking.calendar.booking_resources) and the same
tests (inside the practitioner's open time, practitioner free, a room free, the patient free), so a
time offered here is a time the planner accepts when it is pinned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from clinic.intervals import Interval, IntervalSet, is_nonexistent, local_datetime
from clinic.models import Location
from patients.booking.calendar import booking_resources
from patients.models import Patient, Session
from protocols.planning import Plan, PlanConflict, PlannedSession, Step, Window, grid_by_preference, window_for

MAX_SLOTS = 40
PER_DAY = 8
_EMPTY = IntervalSet()


@dataclass(frozen=True)
class Slot:
    """A free start time (UTC-aware) with the practitioner and room the planner would take."""

    start: datetime
    end: datetime
    practitioner: int
    room: int


def free_slots(
    *,
    location: Location,
    patient: Patient,
    window: Window,
    duration_minutes: int,
    now: datetime,
    wished_minutes: int = 10 * 60,
    practitioner: int | None = None,
    busy: Iterable[Interval] = (),
    exclude_sessions: Iterable[int] = (),
    limit: int = MAX_SLOTS,
    per_day: int = PER_DAY,
) -> list[Slot]:
    """Free starts inside `window`, in time order: the days nearest the window's target first and,
    on each day, the `per_day` times nearest the wished time of day, until `limit`.

    `busy` holds extra spans the patient is taken (the other sessions of a course being previewed);
    `exclude_sessions` frees the times of sessions that are about to move."""
    zone = ZoneInfo(location.timezone)
    resources = booking_resources(
        location=location,
        start_date=window.earliest,
        end_date=window.latest,
        patient=patient,
        exclude_sessions=exclude_sessions,
    )
    patient_busy = IntervalSet([*resources.patient_busy, *busy])
    order = [practitioner] if practitioner is not None else sorted(resources.practitioners)
    rooms = sorted(resources.rooms)
    grid = grid_by_preference(resources.slot_minutes, wished_minutes)
    duration = timedelta(minutes=duration_minutes)
    found: list[Slot] = []
    for day in window.days_by_preference():
        if local_datetime(day, 1440, zone) <= now:
            continue
        today = 0
        for minutes in grid:
            if is_nonexistent(datetime.combine(day, time(minutes // 60, minutes % 60)), zone):
                continue
            start = local_datetime(day, minutes, zone)
            if start < now:
                continue
            span = Interval(start, start + duration)
            if patient_busy.overlaps(span):
                continue
            chosen = _assign(span, order, rooms, resources)
            if chosen is None:
                continue
            found.append(Slot(start, span.end, *chosen))
            today += 1
            if today >= per_day or len(found) >= limit:
                break
        if len(found) >= limit:
            break
    return sorted(found, key=lambda slot: slot.start)


def free_starts_on(
    *,
    location: Location,
    patient: Patient,
    day: date,
    duration_minutes: int,
    now: datetime,
    practitioner: int | None = None,
    busy: Iterable[Interval] = (),
    exclude_sessions: Iterable[int] = (),
) -> list[Slot]:
    """Every free start of one local day on the location's grid, in time order (the slot grid)."""
    every = 24 * 60 // max(1, location.slot_minutes) + 1
    return free_slots(location=location, patient=patient, window=Window(day, day, day),
                      duration_minutes=duration_minutes, now=now, wished_minutes=0, practitioner=practitioner,
                      busy=busy, exclude_sessions=exclude_sessions, limit=every, per_day=every)


def nearest_free_times(
    *,
    session: Session,
    start: datetime,
    now: datetime,
    practitioner: int | None = None,
    count: int = 6,
) -> list[Slot]:
    """The free times nearest a start someone could not have, for the same session, nearest first:
    a few a day on the days around it inside the session's window."""
    zone = ZoneInfo(session.location.timezone)
    local = start.astimezone(zone)
    day = local.date()
    window = Window(session.window_earliest, min(max(day, session.window_earliest), session.window_latest),
                    session.window_latest)
    if day not in window:
        window = Window(day - timedelta(days=3), day, day + timedelta(days=3))
    duration = int((session.end - session.start).total_seconds() // 60)
    found = free_slots(location=session.location, patient=session.patient, window=window, duration_minutes=duration,
                       now=now, wished_minutes=local.hour * 60 + local.minute, practitioner=practitioner,
                       exclude_sessions=[session.pk], limit=count * 3, per_day=3)
    return sorted(found, key=lambda slot: (abs(slot.start - start), slot.start))[:count]


def by_part_of_day(found: Iterable[Slot], zone: ZoneInfo) -> list[tuple[str, list[Slot]]]:
    """Free starts grouped as the slot grid shows them: morning (before 12:00), afternoon."""
    morning = [s for s in found if s.start.astimezone(zone).hour < 12]
    afternoon = [s for s in found if s.start.astimezone(zone).hour >= 12]
    return [(label, slots) for label, slots in ((_("Morning"), morning), (_("Afternoon"), afternoon)) if slots]


def _assign(span: Interval, order: Sequence[int], rooms: Sequence[int], resources) -> tuple[int, int] | None:
    """As the planner assigns: the first practitioner open and free, the lowest free room."""
    room = next((r for r in rooms if not resources.room_busy.get(r, _EMPTY).overlaps(span)), None)
    if room is None:
        return None
    for practitioner in order:
        if not resources.open_for(practitioner).covers(span):
            continue
        if resources.practitioner_busy.get(practitioner, _EMPTY).overlaps(span):
            continue
        return practitioner, room
    return None


@dataclass
class PreviewRow:
    """One line of a previewed course: the planned session or the conflict, its window, and the
    free times the receptionist may pick instead."""

    step: Step
    window: Window
    planned: PlannedSession | None
    conflict: PlanConflict | None
    slots: list[Slot] = field(default_factory=list)
    day: date | None = None  # the day whose free starts `slots` holds


def preview_rows(steps: Sequence[Step], plan: Plan, *, anchor: date, zone: ZoneInfo) -> list[PreviewRow]:
    """Each step of a previewed plan with its window, counted as the planner counts: from the
    placed session before it, a pinned date, or (when it could not be placed) its target day."""
    placed = {p.number: p for p in plan.sessions}
    conflicts = {c.number: c for c in plan.conflicts}
    rows = []
    counted_from = anchor
    for step in sorted(steps, key=lambda s: s.number):
        window = window_for(step, counted_from)
        planned, conflict = placed.get(step.number), conflicts.get(step.number)
        rows.append(PreviewRow(step, window, planned, conflict))
        if planned is not None:
            counted_from = planned.start.astimezone(zone).date()
        elif conflict is not None and conflict.start is not None:
            counted_from = conflict.start.astimezone(zone).date()
        else:
            counted_from = window.target
    return rows


def preview_table(
    *,
    steps: Sequence[Step],
    plan: Plan,
    location: Location,
    patient: Patient,
    wished_start: datetime,
    anchor: date,
    now: datetime,
    practitioner: int | None = None,
    days: Mapping[int, date] | None = None,
) -> list[PreviewRow]:
    """The rows of a course preview, each with every free start of one day of its window: the day
    asked for in `days` (by session number), else the day the session is planned on, else its
    target day. The course's other planned sessions count as busy for the patient, so a picked
    time never overlaps them."""
    zone = ZoneInfo(location.timezone)
    rows = preview_rows(steps, plan, anchor=anchor, zone=zone)
    spans = {p.number: Interval(p.start, p.end) for p in plan.sessions}
    today = now.astimezone(zone).date()
    for row in rows:
        asked = (days or {}).get(row.step.number)
        if asked is not None and asked in row.window and asked >= today:
            day = asked
        elif row.planned is not None:
            day = row.planned.start.astimezone(zone).date()
        else:
            day = min(max(row.window.target, row.window.earliest, today), row.window.latest)
        row.day = day
        row.slots = free_starts_on(
            location=location,
            patient=patient,
            day=day,
            duration_minutes=row.step.duration_minutes,
            now=now,
            practitioner=practitioner,
            busy=[span for number, span in spans.items() if number != row.step.number],
        )
    return rows


