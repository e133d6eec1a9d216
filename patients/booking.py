"""Booking services: preview, book, reschedule, cancel and status changes of courses and sessions.

The one path that both the staff pages and the JSON API call. The series planner
(protocols.planning) decides where sessions go; this module feeds it the real calendar and writes
the result in one transaction. PostgreSQL's exclusion constraints have the last word on double
booking: a race that the planner could not see becomes a 409, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clinic.availability import availability_from, holiday_dates_for
from clinic.errors import Conflict, DomainError, Unprocessable
from clinic.horizon import horizon_bounds, horizon_error
from clinic.hours import parse_hours
from clinic.intervals import Interval, IntervalSet, is_nonexistent, local_datetime
from clinic.models import Closure, Location, Practitioner
from protocols.planning import (
    PINNED_OUTSIDE_WINDOW,
    BusyNotRead,
    Plan,
    PlanConflict,
    PlannedSession,
    Resources,
    Step,
    plan_course,
    window_for,
)
from protocols.services import protocol_lock

from .booking_reasons import day_explainer
from .busy import BusyRead
from .labels import code_labels
from .models import Course, Patient, Session
from .selectors import booking_warning_codes, screening_valid_for_booking

LIVE = Session.LIVE
MOVABLE = ("booked", "confirmed")
TRANSITIONS: dict[str, set[str]] = {
    "booked": {"confirmed", "arrived", "no_show", "cancelled"},
    "confirmed": {"arrived", "no_show", "cancelled", "booked"},
    "arrived": {"completed", "no_show"},
    "completed": set(),
    "no_show": set(),
    "cancelled": set(),
}


class SlotConflict(Conflict):
    code = "slot_conflict"


class WindowViolation(Unprocessable):
    code = "window_violation"


class InvalidTransition(Conflict):
    code = "invalid_transition"


def invalid(field_name: str, message: str) -> DomainError:
    """A 400 `invalid` shaped like DRF's field errors."""
    return DomainError(message, errors={field_name: [message]})


# --- Reading the calendar for the planner ----------------------------------------------------


def steps_of(protocol) -> list[Step]:
    return [
        Step(s.number, s.kind, s.gap_min_days, s.gap_target_days, s.gap_max_days, s.duration_minutes)
        for s in protocol.sessions.all().order_by("number")
    ]


def booking_resources(
    *,
    location: Location,
    start_date: date,
    end_date: date,
    patient: Patient,
    exclude_sessions: Iterable[int] = (),
    read_busy: bool = True,
) -> Resources:
    """The calendar the planner books into at `location` over the local dates [start_date, end_date]:
    each practitioner's open time (computed on demand), and the live sessions that make
    practitioners, rooms and the patient busy, merged into blocks by PostgreSQL (one query over
    the whole range).

    Without `read_busy` nothing busy is read here: the caller reads the spans it expects the
    planner to use (patients.busy.BusyRead) and passes `busy.into(resources)`."""
    zone = ZoneInfo(location.timezone)
    practitioners = {p.id: p for p in Practitioner.objects.filter(location=location, active=True).order_by("id")}
    rooms = list(location.rooms.filter(active=True).order_by("id").values_list("id", flat=True))
    range_start = local_datetime(start_date, 0, zone)
    range_end = local_datetime(end_date + timedelta(days=1), 0, zone)
    hours = parse_hours(location.opening_hours)
    holidays = holiday_dates_for(location, start_date, end_date)

    location_closures: list[Interval] = []
    own_closures: dict[int, list[Interval]] = {}
    for practitioner_id, start, end in Closure.objects.filter(
        location=location, start__lt=range_end, end__gt=range_start
    ).values_list("practitioner_id", "start", "end"):
        target = location_closures if practitioner_id is None else own_closures.setdefault(practitioner_id, [])
        target.append(Interval(start, end))

    @cache
    def open_with(working_hours: tuple, closures: tuple[Interval, ...]) -> IntervalSet:
        return IntervalSet(
            availability_from(
                hours=hours, working_hours=working_hours, closures=[*location_closures, *closures],
                holiday_dates=holidays, zone=zone, start_date=start_date, end_date=end_date,
            )
        )

    def open_for(practitioner_id: int) -> IntervalSet:
        # Practitioners with the same hours and no closures of their own share one computation.
        practitioner = practitioners.get(practitioner_id)
        if practitioner is None:
            return IntervalSet()
        working = tuple(parse_hours(practitioner.working_hours, field="working hours"))
        return open_with(working, tuple(own_closures.get(practitioner_id, ())))

    resources = Resources(zone=zone, slot_minutes=location.slot_minutes, practitioners=list(practitioners),
                          rooms=rooms, open_for=open_for)
    if not read_busy:
        return resources
    busy = BusyRead(location_id=location.id, practitioners=list(practitioners), rooms=rooms, patient_id=patient.id,
                    exclude=exclude_sessions)
    busy.read([Interval(range_start, range_end)])
    return busy.into(resources, complete=True)


def _likely_spans(steps: list[Step], *, anchor: date, pinned: Mapping[int, datetime], zone: ZoneInfo) -> list[Interval]:
    """The local days a plan uses when every session lands on its target day (or its pinned date):
    what a course's planning reads first."""
    spans, counted_from = [], anchor
    for step in steps:
        day = pinned[step.number].astimezone(zone).date() if step.number in pinned else (
            counted_from + timedelta(days=step.gap_target_days))
        day_end = local_datetime(day + timedelta(days=1), 0, zone)
        spans.append(Interval(local_datetime(day, 0, zone), day_end + timedelta(minutes=step.duration_minutes)))
        counted_from = day
    return spans


def _horizon(steps: list[Step], anchor: date) -> date:
    """The last local date a course could reach: every gap at its maximum."""
    return anchor + timedelta(days=sum(step.gap_max_days for step in steps) + 1)


# --- Checks shared by preview and booking ----------------------------------------------------


def check_horizon(value: date, *, now: datetime, zone: ZoneInfo, field_name: str) -> None:
    """Refuse (400 `invalid`, by the field) a planning date outside the planning horizon."""
    problem = horizon_error(value, today=now.astimezone(zone).date())
    if problem:
        raise invalid(field_name, problem)


def _as_local(value: datetime, zone: ZoneInfo, field_name: str, *, now: datetime, past: str = "") -> datetime:
    """An aware instant from the API's datetime: naive means wall-clock time at the location.

    Its date is checked against the planning horizon first, as given: converting year 9999 (or
    year 1) between zones, or adding a window to it, would overflow. With `past`, a time before
    `now` is refused with that message (a date before the horizon too: "in the past" says more)."""
    if past and value.date() < horizon_bounds(now.astimezone(zone).date())[0]:
        raise invalid(field_name, past)
    check_horizon(value.date(), now=now, zone=zone, field_name=field_name)
    if value.tzinfo is None:
        if is_nonexistent(value, zone):
            raise invalid(
                field_name,
                f"{value:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks change that night. "
                "Choose another time.",
            )
        value = value.replace(tzinfo=zone)
    if past and value < now:
        raise invalid(field_name, past)
    return value


@dataclass
class BookingRequest:
    patient: Patient
    protocol: Any
    location: Location
    start: datetime
    practitioner: Practitioner | None = None
    surgery_date: date | None = None
    pinned: dict[int, datetime] = field(default_factory=dict)


def _validate_request(request: BookingRequest, *, now: datetime) -> tuple[ZoneInfo, date, list[Step], list[str]]:
    """Checks that need no calendar: the protocol, the practitioner, the route, the dates."""
    protocol, location = request.protocol, request.location
    zone = ZoneInfo(location.timezone)
    if protocol.status != "active":
        raise Unprocessable(
            f"{protocol.code} version {protocol.version} is {protocol.status}, not active: it cannot be booked.",
            code="protocol_not_active",
        )
    if not location.allows(protocol.source_category, protocol.route):
        raise Unprocessable(
            f"{location.name} does not allow {protocol.get_source_category_display().lower()} exosomes by "
            f"{protocol.route}.",
            code="route_not_allowed",
        )
    if request.practitioner is not None:
        if request.practitioner.location_id != location.id:
            raise invalid("practitioner", f"{request.practitioner.name} works at another location.")
        if not request.practitioner.active:
            raise invalid("practitioner", f"{request.practitioner.name} is not active.")
    request.start = _as_local(request.start, zone, "start", now=now, past="The wished start is in the past.")
    for number, start in list(request.pinned.items()):
        request.pinned[number] = _as_local(start, zone, "sessions", now=now)
    steps = steps_of(protocol)
    if not steps:
        raise Unprocessable("This protocol has no sessions.", code="protocol_not_active")
    unknown = sorted(set(request.pinned) - {s.number for s in steps})
    if unknown:
        raise invalid("sessions", f"The protocol has no session number {unknown[0]}.")
    warnings: list[str] = []
    if protocol.anchor == "surgery_date":
        if request.surgery_date is None:
            raise invalid("surgery_date", "This protocol counts from the surgery date: give surgery_date.")
        check_horizon(request.surgery_date, now=now, zone=zone, field_name="surgery_date")
        anchor = request.surgery_date
        wished_day, first = request.start.astimezone(zone).date(), window_for(steps[0], anchor)
        if wished_day not in first and 1 not in request.pinned:
            warnings.append(
                f"Session 1 counts from the surgery date ({anchor:%d %b %Y}): its window is {first.earliest:%d %b} "
                f"to {first.latest:%d %b %Y}, so the wished date {wished_day:%d %b %Y} could not be kept."
            )
    else:
        anchor = request.start.astimezone(zone).date()
    if getattr(protocol, "men_only", False) and request.patient.sex == "female":
        warnings.append("This protocol includes finasteride, which is for men only: review it for this patient.")
    return zone, anchor, steps, warnings


def _plan(request: BookingRequest, *, now: datetime, exclude_sessions: Iterable[int] = ()) -> tuple[Plan, list[str]]:
    zone, anchor, steps, warnings = _validate_request(request, now=now)
    start_date, end_date = min(anchor, request.start.astimezone(zone).date()), _horizon(steps, anchor)
    calendar = booking_resources(
        location=request.location, start_date=start_date, end_date=end_date, patient=request.patient, read_busy=False
    )
    busy = BusyRead(location_id=request.location.id, practitioners=calendar.practitioners, rooms=calendar.rooms,
                    patient_id=request.patient.id, exclude=exclude_sessions)
    # Busy time is read before planning: first the days the course would use if every session
    # landed on its target day (and the wished day of session 1), in one query; when the planner
    # has to look further, it says where (the window of that session), that is read too, and the
    # plan made again. Planning is pure and deterministic, so the result is the plan that reading
    # the whole horizon would give, for a query or two bounded by the course's windows.
    busy.read([*_likely_spans(steps, anchor=anchor, pinned=request.pinned, zone=zone),
               Interval(request.start, request.start + timedelta(minutes=steps[0].duration_minutes))])
    explain_days = day_explainer(request.location, start_date, end_date)
    while True:
        try:
            plan = plan_course(
                steps,
                wished_start=request.start,
                resources=busy.into(calendar),
                anchor_date=anchor,
                practitioner=request.practitioner.id if request.practitioner else None,
                pinned=request.pinned,
                now=now,
                explain_days=explain_days,
            )
        except BusyNotRead as missing:
            busy.read([missing.span])
            continue
        return plan, [*warnings, *plan.warnings]


def conflicts_body(conflicts: Iterable[PlanConflict]) -> list[dict[str, Any]]:
    return [
        {"number": c.number, "start": c.start.isoformat() if c.start else None, "reason": c.reason} for c in conflicts
    ]


def _raise_for_conflicts(plan: Plan) -> None:
    if not plan.conflicts:
        return
    outside = [c for c in plan.conflicts if c.reason == PINNED_OUTSIDE_WINDOW]
    if outside:
        raise WindowViolation(
            f"Session {outside[0].number}'s chosen time is outside its window.",
            conflicts=conflicts_body(plan.conflicts),
        )
    numbers = ", ".join(str(c.number) for c in plan.conflicts)
    raise SlotConflict(
        f"Session{'s' * (len(plan.conflicts) > 1)} {numbers} cannot be placed.",
        conflicts=conflicts_body(plan.conflicts),
    )


# --- Services ----------------------------------------------------------------------------------


def course_preview(
    *,
    patient: Patient,
    protocol,
    location: Location,
    start: datetime,
    practitioner: Practitioner | None = None,
    surgery_date: date | None = None,
    pinned: Mapping[int, datetime] | None = None,
    now: datetime | None = None,
) -> tuple[Plan, list[str]]:
    """Plan a course without writing anything: the sessions, any conflicts, and warnings
    (screening problems are warnings here; booking refuses them)."""
    now = now or timezone.now()
    request = BookingRequest(patient, protocol, location, start, practitioner, surgery_date, dict(pinned or {}))
    plan, warnings = _plan(request, now=now)
    screening, blocks = screening_valid_for_booking(patient, protocol, now)
    head: list[str] = []
    if screening is None:
        head.append("No screening in the last 30 days: screen the patient before booking.")
    elif blocks:
        head.append(f"The latest screening blocks booking: {', '.join(code_labels(blocks))}.")
    # The contract's coded warnings (pages show their labels).
    head += booking_warning_codes(patient=patient, screening=None if blocks else screening, protocol=protocol)
    return plan, [*head, *warnings]


def course_book(
    *,
    patient: Patient,
    protocol,
    location: Location,
    start: datetime,
    practitioner: Practitioner | None = None,
    surgery_date: date | None = None,
    pinned: Mapping[int, datetime] | None = None,
    by=None,
    now: datetime | None = None,
) -> tuple[Course, list[str]]:
    """Book every session of the course (and queue its emails) in one transaction, or nothing.

    Raises Unprocessable (422) for screening, route, protocol and window problems, SlotConflict
    (409) when a session cannot be placed or another booking took its time first."""
    now = now or timezone.now()
    request = BookingRequest(patient, protocol, location, start, practitioner, surgery_date, dict(pinned or {}))
    _validate_request(request, now=now)
    screening, blocks = screening_valid_for_booking(patient, protocol, now)
    if screening is None:
        raise Unprocessable(
            "The patient has no screening from the last 30 days: screen them first.", code="screening_required"
        )
    if blocks:
        raise Unprocessable(
            "The latest screening has hard stops for this protocol; a doctor must review and override them.",
            code="screening_blocked",
            hard_stops=blocks,
        )
    plan, warnings = _plan(request, now=now)
    _raise_for_conflicts(plan)
    warnings = [*booking_warning_codes(patient=patient, screening=screening, protocol=protocol), *warnings]
    zone = ZoneInfo(location.timezone)
    anchor = surgery_date if protocol.anchor == "surgery_date" else request.start.astimezone(zone).date()
    try:
        with transaction.atomic():
            if not protocol.in_use:
                # The first course on this version freezes it forever (and waits for, or wins
                # against, a concurrent activation of a newer version).
                protocol_lock(protocol)
            course = Course.objects.create(
                patient=patient,
                protocol=protocol,
                protocol_version=protocol.version,
                location=location,
                anchor_date=anchor,
                surgery_date=surgery_date,
                created_by=by,
            )
            sessions = Session.objects.bulk_create([session_row(course, planned) for planned in plan.sessions])
            check_constraints_now()
            _after_booking(course, sessions, now=now)
    except IntegrityError:
        # Another booking took one of these times between our read and our write.
        raise SlotConflict(
            "Another booking took one of these times a moment ago. Preview again to see free times.",
            conflicts=[
                {"number": p.number, "start": p.start.isoformat(), "reason": "slot_taken"} for p in plan.sessions
            ],
        ) from None
    return course, warnings


def check_constraints_now() -> None:
    """Run the deferred exclusion constraints now (raising IntegrityError on a double booking),
    so a race is caught here even when the caller's transaction commits later."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def session_row(course: Course, planned: PlannedSession) -> Session:
    """An unsaved Session for a planned visit of this course."""
    return Session(
        course=course,
        patient_id=course.patient_id,
        location_id=course.location_id,
        number=planned.number,
        kind=planned.kind,
        start=planned.start,
        end=planned.end,
        practitioner_id=planned.practitioner,
        room_id=planned.room,
        window_earliest=planned.window_earliest,
        window_latest=planned.window_latest,
    )


def _after_booking(course: Course, sessions: list[Session], *, now: datetime) -> None:
    """Hook for the reminder outbox: booking queues its confirmation and reminders in the same
    transaction (see patients.reminders)."""
    from . import reminders

    reminders.queue_for_booking(course=course, sessions=sessions, now=now)


def _previous_anchor(course: Course, sessions: list[Session], number: int, zone: ZoneInfo) -> tuple[date, int | None]:
    """The local date (and practitioner) the gap of session `number` counts from."""
    earlier = [s for s in sessions if s.number < number and s.status not in ("cancelled", "no_show")]
    if not earlier:
        return course.anchor_date, None
    last = max(earlier, key=lambda s: s.number)
    return last.start.astimezone(zone).date(), last.practitioner_id


def previous_end(sessions: list[Session], number: int) -> datetime | None:
    """When the live session before session `number` ends: no session starts before (the contract's
    placement rule; with a gap of 0 days the next visit comes later the same day)."""
    earlier = [s for s in sessions if s.number < number and s.status not in ("cancelled", "no_show")]
    return max(earlier, key=lambda s: s.number).end if earlier else None


def session_reschedule(
    *,
    session: Session,
    start: datetime,
    practitioner: Practitioner | None = None,
    cascade: bool = True,
    override_reason: str = "",
    by=None,
    now: datetime | None = None,
) -> tuple[Session, list[Session], list[str]]:
    """Move one session; with cascade, re-place each later session that now breaks its window.

    Returns (the session, every other session that moved, warnings). Sessions still inside their
    windows stay put. Without cascade a broken window is refused (422 window_violation) unless an
    override reason is given. A time someone else holds is a 409 slot_conflict."""
    now = now or timezone.now()
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=session.course_id)
        sessions = list(course.sessions.select_for_update().order_by("number"))
        session = next(s for s in sessions if s.pk == session.pk)
        if session.status not in MOVABLE:
            raise InvalidTransition(f"A {session.get_status_display().lower()} session cannot be moved.")
        location = course.location
        zone = ZoneInfo(location.timezone)
        start = _as_local(start, zone, "start", now=now, past="The new time is in the past.")
        if practitioner is not None and practitioner.location_id != location.id:
            raise invalid("practitioner", f"{practitioner.name} works at another location.")
        steps = {step.number: step for step in steps_of(course.protocol)}
        live_later = [s for s in sessions if s.number > session.number and s.status in MOVABLE]
        resources = booking_resources(
            location=location,
            start_date=min(start.astimezone(zone).date(), session.start.astimezone(zone).date()) - timedelta(days=1),
            end_date=_horizon(list(steps.values()), start.astimezone(zone).date()),
            patient=course.patient,
            exclude_sessions=[session.pk, *[s.pk for s in live_later]],
        )
        warnings: list[str] = []
        previous_date, previous_practitioner = _previous_anchor(course, sessions, session.number, zone)
        step = steps[session.number]
        window = window_for(step, previous_date)
        new_date = start.astimezone(zone).date()
        if new_date not in window and not override_reason:
            raise WindowViolation(
                f"Session {session.number} must be between {window.earliest} and {window.latest}; "
                "give an override reason to book it outside its window.",
                conflicts=[{"number": session.number, "start": start.isoformat(), "reason": PINNED_OUTSIDE_WINDOW}],
            )
        # Check the chosen time like a pinned session: inside hours, free, not before the previous
        # session ends (unless the receptionist overrides the window).
        widened = Step(step.number, step.kind, -3650, (new_date - previous_date).days, 3650, step.duration_minutes)
        plan = plan_course(
            [widened],
            wished_start=start,
            resources=resources,
            pinned={session.number: start},
            practitioner=(practitioner or session.practitioner).id,
            now=now,
            first_number=session.number,
            previous=(previous_date, previous_practitioner),
            previous_end=None if override_reason else previous_end(sessions, session.number),
        )
        _raise_for_conflicts(plan)
        placed = plan.sessions[0]
        if new_date not in window:
            warnings.append(
                f"Session {session.number} is outside its window ({window.earliest} to {window.latest}): "
                f"{override_reason}"
            )
        _apply(
            session,
            placed,
            window_earliest=window.earliest,
            window_latest=window.latest,
            override_reason=override_reason if new_date not in window else "",
        )
        resources.practitioner_busy.setdefault(placed.practitioner, IntervalSet()).add(
            Interval(placed.start, placed.end)
        )
        resources.room_busy.setdefault(placed.room, IntervalSet()).add(Interval(placed.start, placed.end))
        resources.patient_busy.add(Interval(placed.start, placed.end))

        moved: list[Session] = []
        previous_date, previous_practitioner, ended = new_date, placed.practitioner, placed.end
        for later in live_later:
            later_step = steps[later.number]
            later_window = window_for(later_step, previous_date)
            later_date = later.start.astimezone(zone).date()
            span = Interval(later.start, later.end)
            if later_date in later_window and later.start >= ended:
                # Still inside its window (and after the one before): it stays, and keeps holding its time.
                if (later.window_earliest, later.window_latest) != (later_window.earliest, later_window.latest):
                    later.window_earliest, later.window_latest = later_window.earliest, later_window.latest
                    later.save(update_fields=["window_earliest", "window_latest", "updated_at"])
                resources.practitioner_busy.setdefault(later.practitioner_id, IntervalSet()).add(span)
                resources.room_busy.setdefault(later.room_id, IntervalSet()).add(span)
                resources.patient_busy.add(span)
                previous_date, previous_practitioner, ended = later_date, later.practitioner_id, later.end
                continue
            if not cascade:
                if not override_reason:
                    raise WindowViolation(
                        f"Moving session {session.number} puts session {later.number} outside its window "
                        f"({later_window.earliest} to {later_window.latest}). Move it too (cascade) or give an "
                        "override reason.",
                        conflicts=[
                            {"number": later.number, "start": later.start.isoformat(), "reason": PINNED_OUTSIDE_WINDOW}
                        ],
                    )
                warnings.append(f"Session {later.number} is now outside its window: {override_reason}")
                resources.patient_busy.add(span)
                previous_date, previous_practitioner, ended = later_date, later.practitioner_id, later.end
                continue
            replan = plan_course(
                [later_step],
                wished_start=later.start,
                resources=resources,
                now=now,
                explain_days=day_explainer(location, later_window.earliest, later_window.latest),
                practitioner=practitioner.id if practitioner else None,
                first_number=later.number,
                previous=(previous_date, previous_practitioner),
                previous_end=ended,
            )
            _raise_for_conflicts(replan)
            warnings.extend(replan.warnings)
            new = replan.sessions[0]
            _apply(later, new, window_earliest=later_window.earliest, window_latest=later_window.latest)
            moved.append(later)
            new_span = Interval(new.start, new.end)
            resources.practitioner_busy.setdefault(new.practitioner, IntervalSet()).add(new_span)
            resources.room_busy.setdefault(new.room, IntervalSet()).add(new_span)
            resources.patient_busy.add(new_span)
            previous_date, previous_practitioner, ended = new.start.astimezone(zone).date(), new.practitioner, new.end
        try:
            with transaction.atomic():
                check_constraints_now()
        except IntegrityError:
            raise SlotConflict(
                "Another booking took this time a moment ago.",
                conflicts=[{"number": session.number, "start": start.isoformat(), "reason": "slot_taken"}],
            ) from None
        from . import reminders

        reminders.queue_for_change(course=course, sessions=[session, *moved], now=now)
    return session, moved, warnings


def _apply(
    session: Session, placed: PlannedSession, *, window_earliest: date, window_latest: date, override_reason: str = ""
) -> None:
    session.start, session.end = placed.start, placed.end
    session.practitioner_id, session.room_id = placed.practitioner, placed.room
    session.window_earliest, session.window_latest = window_earliest, window_latest
    session.override_reason = override_reason
    # A new time is a new visit for the patient: a "yes, I'll come" was for the old time, and a
    # request for another time is answered by this move. The SEQUENCE going up also retires
    # every confirm and change link sent for the old time (patients.links).
    if session.status == "confirmed":
        session.status = "booked"
    session.change_requested_at = None
    session.change_request_note = ""
    session.sequence += 1
    session.save()


def session_set_status(*, session: Session, status: str, by=None, now: datetime | None = None) -> Session:
    """Move a session along its life: booked → confirmed → arrived → completed, or no_show.

    The clock has a say (patients.session_status): arrived and completed only from the session's
    local day on, no_show only after its start; otherwise 409 invalid_transition. The change can be
    undone for a few minutes (session_status_undo)."""
    from . import reminders
    from .session_status import status_time_refusal

    now = now or timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update(of=("self",)).select_related("location").get(pk=session.pk)
        if status == session.status:
            return session
        if status not in TRANSITIONS.get(session.status, set()) or status == "cancelled":
            raise InvalidTransition(
                f"A {session.get_status_display().lower()} session cannot become {status.replace('_', ' ')}."
            )
        refusal = status_time_refusal(session=session, status=status, now=now)
        if refusal:
            raise InvalidTransition(refusal)
        session.status_before, session.status_changed_at = session.status, now
        session.status = status
        session.save(update_fields=["status", "status_before", "status_changed_at", "updated_at"])
        reminders.queue_for_status(session=session, now=now)
        _complete_course_if_done(session.course)
    return session


def session_cancel(*, session: Session, reason: str, by=None, now: datetime | None = None) -> Session:
    """Cancel one session: its time is freed, its pending reminders cancelled, the patient told."""
    now = now or timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status not in MOVABLE:
            raise InvalidTransition(f"A {session.get_status_display().lower()} session cannot be cancelled.")
        session.status = "cancelled"
        session.cancel_reason = (reason or "").strip()
        session.sequence += 1
        session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        from . import reminders

        reminders.queue_for_cancellation(course=session.course, sessions=[session], now=now)
    return session


def course_cancel(*, course: Course, reason: str, by=None, now: datetime | None = None) -> Course:
    """Cancel every session still to come and their pending reminders; one cancellation email."""
    now = now or timezone.now()
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status == "cancelled":
            raise InvalidTransition("This course is already cancelled.")
        to_cancel = list(course.sessions.select_for_update().filter(status__in=MOVABLE, start__gte=now))
        for session in to_cancel:
            session.status = "cancelled"
            session.cancel_reason = (reason or "").strip()
            session.sequence += 1
            session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        course.status = "cancelled"
        course.cancel_reason = (reason or "").strip()
        course.save(update_fields=["status", "cancel_reason"])
        from . import reminders

        if to_cancel:
            reminders.queue_for_cancellation(course=course, sessions=to_cancel, now=now)
    return course


def _complete_course_if_done(course: Course) -> None:
    if course.status == "active" and not course.sessions.filter(status__in=MOVABLE + ("arrived",)).exists():
        course.status = "completed"
        course.save(update_fields=["status"])
