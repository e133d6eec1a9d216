"""A course's windows, computed one way for booking, moves, rebooking and recalls: the anchor of
session 1, the date each later gap counts from, and so a session's window. The day arithmetic is
the planner's (`protocols.planning.window_for`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from protocols.planning import Step, Window, window_for


def steps_of(protocol) -> list[Step]:
    """The protocol's sessions as the planner's steps, by number (uses prefetched sessions)."""
    return [
        Step(s.number, s.kind, s.gap_min_days, s.gap_target_days, s.gap_max_days, s.duration_minutes)
        for s in sorted(protocol.sessions.all(), key=lambda s: s.number)
    ]


def course_anchor(protocol, *, start_day: date, surgery_date: date | None) -> date:
    """The day session 1's gap counts from: the surgery date for a protocol anchored on it, else
    the local day the course starts."""
    if protocol.anchor == "surgery_date" and surgery_date is not None:
        return surgery_date
    return start_day


def counted_from(course, sessions: Iterable, number: int, zone: ZoneInfo) -> tuple[date, int | None]:
    """The local date (and practitioner) the gap of session `number` counts from: the live session
    before it (cancelled and no-show sessions gave their place back), or the course's anchor."""
    earlier = [s for s in sessions if s.number < number and s.is_live]
    if not earlier:
        return course.anchor_date, None
    last = max(earlier, key=lambda s: s.number)
    return last.start.astimezone(zone).date(), last.practitioner_id


def previous_end(sessions: Iterable, number: int) -> datetime | None:
    """When the live session before session `number` ends: no session starts before it (the
    contract's placement rule; with a gap of 0 days the next visit comes later the same day)."""
    earlier = [s for s in sessions if s.number < number and s.is_live]
    return max(earlier, key=lambda s: s.number).end if earlier else None


def session_window(course, number: int, *, sessions: Iterable | None = None) -> Window:
    """The window of session `number` of the course, as it stands."""
    zone = ZoneInfo(course.location.timezone)
    step = next(step for step in steps_of(course.protocol) if step.number == number)
    previous, _ = counted_from(course, course.sessions.all() if sessions is None else sessions, number, zone)
    return window_for(step, previous)
