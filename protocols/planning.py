"""The series planner: where each session of a course goes. Pure: no ORM, no clock.

It follows the placement rule of the API contract ("Courses: planning and booking a series"):

- Session k's window is the previous session's local date (for the first session, the anchor date:
  the local date of the wished start, or the surgery date) plus ``gap_min_days`` ..
  ``gap_max_days``; its target day is that date plus ``gap_target_days``.
- Candidate days are tried by distance from the target day, earlier first on ties.
- On each day, start times on the location's grid (minutes since local midnight divisible by
  ``slot_minutes``) are tried by distance from the wished time of day, earlier first on ties.
- At each time the practitioners are tried in order: the requested one only; or else the previous
  session's practitioner first, then the location's other practitioners by id.
- The first candidate whose whole visit lies inside the practitioner's open intervals, with the
  practitioner free, a room free (lowest id first) and the patient booked nowhere else, wins.
- Session 1 keeps the wished start exactly when that time is free.
- A session never starts before the previous session of the course ends: with a gap of 0 days the
  next visit comes later the same day, never earlier (earlier candidate times are skipped; an
  earlier pinned start is outside the session's window).

Choices the contract leaves open, made here:

- A session that cannot be placed becomes a conflict and planning goes on, counting the next
  session from the unplaced one's target day (or from a pinned session's date), so the receptionist
  sees every problem of a course at once rather than only the first.
- Each placed session makes its practitioner, room and the patient busy for the sessions after it,
  so a course never overlaps itself. The caller's interval sets are never modified: planning the
  same input twice gives the same plan.
- A wall-clock time skipped by a DST change is never a candidate; one that occurs twice (autumn)
  means its first occurrence. Durations are added in UTC, so a 09:00 visit of 30 minutes on the
  night clocks change still lasts 30 minutes.
- Session 1 keeps the wished start even off the grid, provided it lies in session 1's window (a
  receptionist's exact choice); every other searched start is on the grid. Pinned starts are
  checked as they are (window, hours, free), never snapped to the grid.
- A session whose whole window has passed gets the reason ``in_the_past`` rather than
  ``no_free_slot_in_window``; an unplaced, unpinned session's conflict has no ``start``.
- Naive datetimes (the wished start, pinned starts) are wall-clock times at the location.
- Busy time comes as plain interval sets the caller read before planning. A caller may read only
  the days it expects the plan to use and say so (``Resources.known``): a candidate outside them
  raises BusyNotRead with the span to read too (the whole window of the session being placed),
  and planning again with it gives the plan that reading everything would have given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.intervals import Interval, IntervalSet, is_nonexistent, local_datetime

from .planning_types import (
    IN_THE_PAST,
    NO_FREE_SLOT,
    NONEXISTENT_LOCAL_TIME,
    PINNED_OUTSIDE_HOURS,
    PINNED_OUTSIDE_WINDOW,
    PINNED_SLOT_TAKEN,
    BusyNotRead,
    Notice,
    Plan,
    PlanConflict,
    PlannedSession,
    Resources,
    Step,
    Window,
    gettext_noop,
    grid_by_preference,
    window_for,
)

__all__ = [  # the planner's vocabulary lives in planning_types; callers import it from here
    "BusyNotRead", "IN_THE_PAST", "Notice", "NONEXISTENT_LOCAL_TIME", "NO_FREE_SLOT", "PINNED_OUTSIDE_HOURS",
    "PINNED_OUTSIDE_WINDOW", "PINNED_SLOT_TAKEN", "Plan", "PlanConflict", "PlannedSession", "Resources", "Step",
    "Window", "grid_by_preference", "plan_course", "window_for",
]

_EMPTY = IntervalSet()
_DAY_MINUTES = 1440


def plan_course(
    steps: Sequence[Step],
    *,
    wished_start: datetime,
    resources: Resources,
    anchor_date: date | None = None,
    practitioner: int | None = None,
    pinned: Mapping[int, datetime] | None = None,
    now: datetime,
    first_number: int = 1,
    previous: tuple[date, int] | None = None,
    previous_end: datetime | None = None,
    explain_days: Callable[[list[date]], str] | None = None,
) -> Plan:
    """Place the sessions of a course (or, for a cascade, the tail from ``first_number`` on).

    ``wished_start`` is session 1's wished start and gives every session its wished time of day.
    ``anchor_date`` is the surgery date of surgery-anchored protocols (default: the local date of
    ``wished_start``). ``practitioner`` restricts every session to that practitioner. ``pinned``
    maps session numbers to exact starts chosen by the receptionist; they are checked, not moved.
    ``previous`` is the local date and practitioner of the session before ``first_number`` when
    re-planning a tail, and ``previous_end`` when that session ends (no session of the tail starts
    before it). No session starts before ``now``. ``explain_days`` says why the calendar
    refused some local days (holiday names, closure reasons, fully booked): a session placed away
    from its target day gets that reason in its warning.

    Returns every session that could be placed and a conflict for each one that could not; it
    never raises for a full calendar. Raises ValueError for inputs no caller should send (naive
    ``now``, inconsistent gaps, pins of sessions not being planned).
    """
    _check_inputs(steps, resources=resources, now=now, pinned=pinned)
    zone = resources.zone
    to_plan = sorted((step for step in steps if step.number >= first_number), key=lambda step: step.number)
    pinned = dict(pinned or {})
    unknown = sorted(set(pinned) - {step.number for step in to_plan})
    if unknown:
        raise ValueError(f"Pinned sessions {unknown} are not among the sessions being planned.")

    warnings: list[str] = []
    wished_local = wished_start.astimezone(zone).replace(tzinfo=None) if wished_start.tzinfo else wished_start
    wished_instant = _instant(wished_start, zone)
    if wished_instant is None:
        warnings.append(Notice(
            gettext_noop("The wished start %(wished)s does not exist in %(zone)s (the clocks change that night); "
                         "the nearest existing time was used."),
            wished=f"{wished_local:%Y-%m-%d %H:%M}", zone=zone.key))
    wished_minutes = wished_local.hour * 60 + wished_local.minute
    search = _Search(resources, now=now, practitioner=practitioner, wished_minutes=wished_minutes)

    counted_from = anchor_date or wished_local.date()
    previous_practitioner: int | None = None
    if previous is not None:
        counted_from, previous_practitioner = previous

    not_before = previous_end  # the end of the last session placed: the next may not start earlier
    sessions: list[PlannedSession] = []
    conflicts: list[PlanConflict] = []
    for step in to_plan:
        window = window_for(step, counted_from)
        order = search.practitioner_order(previous_practitioner)
        if step.number in pinned:
            outcome, counted_from = search.check_pinned(step, pinned[step.number], window, order, not_before)
        else:
            keep = None
            if step.number == 1 and previous is None and wished_instant is not None and wished_local.date() in window:
                keep = wished_instant
            outcome = search.find(step, window, order, exact=keep, not_before=not_before)
            if isinstance(outcome, PlannedSession):
                counted_from = outcome.start.astimezone(zone).date()
                warnings.extend(_moved_warnings(outcome, kept=keep, zone=zone, now=now, explain_days=explain_days))
            else:
                # Count on from where the session should have been, so later problems show too.
                counted_from = window.target
        if isinstance(outcome, PlanConflict):
            conflicts.append(outcome)
            continue
        sessions.append(outcome)
        search.book(outcome)
        previous_practitioner, not_before = outcome.practitioner, outcome.end
    return Plan(sessions=sessions, conflicts=conflicts, warnings=warnings)


def _days_tried(session: PlannedSession, placed: date, today: date) -> list[date]:
    """The days of the session's window tried before the day it was placed on: nearer its target
    day (earlier first on ties), not already past."""
    window = Window(session.window_earliest, session.target_date, session.window_latest)
    tried = []
    for day in window.days_by_preference():
        if day == placed:
            break
        if day >= today:
            tried.append(day)
    return sorted(tried)


def _moved_warnings(session: PlannedSession, *, kept: datetime | None, zone: ZoneInfo, now: datetime | None = None,
                    explain_days: Callable[[list[date]], str] | None = None) -> list[str]:
    """What the receptionist should notice about a session placed away from its wish, and why."""
    warnings: list[str] = []
    if kept is not None and session.start != kept:
        local = session.start.astimezone(zone)
        warnings.append(Notice(gettext_noop("Session 1 could not start at the wished time; it starts at %(start)s."),
                               start=f"{local:%Y-%m-%d %H:%M}"))
    day = session.start.astimezone(zone).date()
    if day != session.target_date:
        days = (day - session.target_date).days
        where = {"number": session.number, "day": day.isoformat(), "days": abs(days),
                 "target": session.target_date.isoformat()}
        tried = _days_tried(session, day, now.astimezone(zone).date()) if now is not None else []
        why = explain_days(tried) if explain_days is not None and tried else ""
        if days > 0 and why:
            notice = Notice(gettext_noop("Session %(number)s is on %(day)s, %(days)s after its target day %(target)s: "
                                         "%(why)s."), **where, why=why)
        elif days > 0:
            notice = Notice(gettext_noop("Session %(number)s is on %(day)s, %(days)s after its target day %(target)s."),
                            **where)
        elif why:
            notice = Notice(gettext_noop("Session %(number)s is on %(day)s, %(days)s before its target day "
                                         "%(target)s: %(why)s."), **where, why=why)
        else:
            notice = Notice(gettext_noop("Session %(number)s is on %(day)s, %(days)s before its target day "
                                         "%(target)s."), **where)
        warnings.append(notice)
    return warnings


def _check_inputs(
    steps: Sequence[Step], *, resources: Resources, now: datetime, pinned: Mapping[int, datetime] | None
) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    if resources.slot_minutes <= 0:
        raise ValueError("slot_minutes must be positive.")
    numbers = [step.number for step in steps]
    if len(set(numbers)) != len(numbers):
        raise ValueError("Two steps have the same session number.")
    for step in steps:
        if not step.gap_min_days <= step.gap_target_days <= step.gap_max_days:
            raise ValueError(f"Session {step.number}: gaps must satisfy min <= target <= max.")
        if step.duration_minutes <= 0:
            raise ValueError(f"Session {step.number}: the duration must be positive.")


def _instant(value: datetime, zone: ZoneInfo) -> datetime | None:
    """``value`` in UTC; a naive value is a wall-clock time in ``zone`` (None if the clocks skip it)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    if is_nonexistent(value, zone):
        return None
    return value.replace(tzinfo=zone).astimezone(UTC)


class _OpenOnDay:
    """The practitioners of ``order`` with open time on one day, in order, found lazily: asking for
    a practitioner's open hours may cost the caller a query, so nobody is asked before needed.

    A visit starting that day can only be covered by an open interval overlapping the day."""

    __slots__ = ("_day", "_found", "_rest", "_search")

    def __init__(self, search: _Search, order: Sequence[int], day: Interval) -> None:
        self._search, self._day = search, day
        self._rest = iter(order)
        self._found: list[int] = []

    def __iter__(self) -> Iterator[int]:
        yield from self._found
        index = len(self._found)
        for practitioner in self._rest:
            if self._search.open_for(practitioner).overlaps(self._day):
                self._found.append(practitioner)
            # Another pass over this object may have found more meanwhile: yield them in order.
            while index < len(self._found):
                yield self._found[index]
                index += 1

    def any(self) -> bool:
        return next(iter(self), None) is not None


class _Search:
    """The candidate search of one plan_course call, with what this course has already booked."""

    def __init__(self, resources: Resources, *, now: datetime, practitioner: int | None, wished_minutes: int) -> None:
        self.resources = resources
        self.zone = resources.zone
        self.now = now
        self.fixed_practitioner = practitioner
        self.practitioners = sorted(resources.practitioners)
        self.rooms = sorted(resources.rooms)
        self.grid = grid_by_preference(resources.slot_minutes, wished_minutes)
        self._open: dict[int, IntervalSet] = {}
        # Sessions placed by this plan. Every one of them has the patient in it, so a span clear of
        # them is also clear of this course's practitioners and rooms; a course has at most a few
        # dozen sessions, so a scan is cheap.
        self.course: list[Interval] = []
        # What to read when a candidate lies outside the busy time the caller read: the window
        # of the session being placed, so one more read settles that session.
        self.to_read: Interval | None = None

    def reading(self, window: Window, duration: timedelta) -> None:
        if self.resources.known is not None:
            self.to_read = Interval(local_datetime(window.earliest, 0, self.zone),
                                    local_datetime(window.latest, _DAY_MINUTES, self.zone) + duration)

    def open_for(self, practitioner: int) -> IntervalSet:
        cached = self._open.get(practitioner)
        if cached is None:
            source = self.resources.open_for
            cached = source.get(practitioner, _EMPTY) if isinstance(source, Mapping) else source(practitioner)
            self._open[practitioner] = cached
        return cached

    def practitioner_order(self, previous: int | None) -> list[int]:
        if self.fixed_practitioner is not None:
            return [self.fixed_practitioner]
        if previous in self.practitioners:
            return [previous, *(p for p in self.practitioners if p != previous)]
        return list(self.practitioners)

    def book(self, session: PlannedSession) -> None:
        self.course.append(Interval(session.start, session.end))

    def patient_free(self, span: Interval) -> bool:
        return not self.resources.patient_busy.overlaps(span) and not any(span.overlaps(s) for s in self.course)

    def assign(self, span: Interval, order: Sequence[int]) -> tuple[int, int] | None:
        """The first practitioner of ``order`` open and free for span, with the lowest free room."""
        known = self.resources.known
        if known is not None and not known.covers(span):
            wider = self.to_read or span
            raise BusyNotRead(Interval(min(wider.start, span.start), max(wider.end, span.end)))
        if not self.patient_free(span):
            return None
        practitioner_busy, room_busy = self.resources.practitioner_busy, self.resources.room_busy
        free_room: int | None = None
        for practitioner in order:
            if not self.open_for(practitioner).covers(span):
                continue
            if practitioner_busy.get(practitioner, _EMPTY).overlaps(span):
                continue
            if free_room is None:
                # The room does not depend on the practitioner: find it once per span.
                free_room = next((r for r in self.rooms if not room_busy.get(r, _EMPTY).overlaps(span)), -1)
            if free_room == -1:
                return None
            return practitioner, free_room
        return None

    def session(self, step: Step, window: Window, start: datetime, found: tuple[int, int]) -> PlannedSession:
        return PlannedSession(
            number=step.number, kind=step.kind, start=start, end=start + timedelta(minutes=step.duration_minutes),
            practitioner=found[0], room=found[1], window_earliest=window.earliest, window_latest=window.latest,
            target_date=window.target,
        )

    def find(
        self, step: Step, window: Window, order: Sequence[int], *, exact: datetime | None,
        not_before: datetime | None = None,
    ) -> PlannedSession | PlanConflict:
        """The first free candidate in the contract's order (``exact`` first, if given) that starts
        at ``now`` or later and not before ``not_before`` (the previous session's end)."""
        duration = timedelta(minutes=step.duration_minutes)
        self.reading(window, duration)
        earliest = self.now if not_before is None else max(self.now, not_before)
        if exact is not None and exact >= earliest:
            found = self.assign(Interval(exact, exact + duration), order)
            if found is not None:
                return self.session(step, window, exact, found)
        zone, location_open = self.zone, self.resources.location_open
        for day in window.days_by_preference():
            day_start, day_end = local_datetime(day, 0, zone), local_datetime(day, _DAY_MINUTES, zone)
            if day_end <= earliest:
                continue
            # Skip closed days (holidays, closures, weekends) without trying a single slot.
            today = Interval(day_start, day_end)
            if location_open is not None and not location_open.overlaps(today):
                continue
            open_today = _OpenOnDay(self, order, today)
            if not open_today.any():
                continue
            # On an ordinary day a wall-clock time is local midnight plus minutes (cheap). On a day
            # the clocks change (some zones change at midnight itself), each time is converted on
            # its own and skipped times are dropped.
            clocks_change = day_end - day_start != timedelta(days=1) or is_nonexistent(
                datetime.combine(day, time()), zone
            )
            for minutes in self.grid:
                if clocks_change:
                    if is_nonexistent(datetime.combine(day, time(minutes // 60, minutes % 60)), zone):
                        continue
                    start = local_datetime(day, minutes, zone)
                else:
                    start = day_start + timedelta(minutes=minutes)
                if start < earliest:
                    continue
                visit = Interval(start, start + duration)
                if location_open is not None and not location_open.covers(visit):
                    continue
                found = self.assign(visit, open_today)
                if found is not None:
                    return self.session(step, window, start, found)
        window_over = local_datetime(window.latest, _DAY_MINUTES, zone) <= self.now
        return PlanConflict(step.number, None, IN_THE_PAST if window_over else NO_FREE_SLOT)

    def check_pinned(
        self, step: Step, value: datetime, window: Window, order: Sequence[int], not_before: datetime | None = None
    ) -> tuple[PlannedSession | PlanConflict, date]:
        """Check a start the receptionist chose: it is kept as it is or reported, never moved.
        Also returns the pinned local date, from which the next session counts either way."""
        start = _instant(value, self.zone)
        if start is None:
            return PlanConflict(step.number, None, NONEXISTENT_LOCAL_TIME), value.date()
        day = start.astimezone(self.zone).date()
        span = Interval(start, start + timedelta(minutes=step.duration_minutes))
        self.to_read = None
        if start < self.now:
            reason = IN_THE_PAST
        elif day not in window or (not_before is not None and start < not_before):
            reason = PINNED_OUTSIDE_WINDOW
        elif not any(self.open_for(p).covers(span) for p in order):
            reason = PINNED_OUTSIDE_HOURS
        else:
            found = self.assign(span, order)
            if found is not None:
                return self.session(step, window, start, found), day
            reason = PINNED_SLOT_TAKEN
        return PlanConflict(step.number, start, reason), day
