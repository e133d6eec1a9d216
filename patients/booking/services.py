"""Booking a course: preview and book a whole series (moves are in reschedule.py, status changes and
cancellations in status.py).

The one path that both the staff pages and the JSON API call. The series planner
(protocols.planning) decides where sessions go; this module feeds it the real calendar and writes
the result in one transaction. PostgreSQL's exclusion constraints have the last word on double
booking: a race that the planner could not see becomes a 409, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.errors import Conflict, DomainError, Unprocessable
from clinic.formats import written_date
from clinic.horizon import horizon_bounds, horizon_error
from clinic.intervals import Interval, is_nonexistent
from clinic.models import Location, Practitioner
from patients.booking.busy import BusyRead
from patients.booking.calendar import booking_resources, likely_spans
from patients.booking.reasons import day_explainer
from patients.booking.windows import course_anchor, steps_of
from patients.labels import code_labels
from patients.models import Course, Patient, Session
from patients.screening.selectors import booking_warning_codes, screening_valid_for_booking
from protocols.planning import (
    PINNED_OUTSIDE_WINDOW,
    BusyNotRead,
    Plan,
    PlanConflict,
    PlannedSession,
    Step,
    plan_course,
    window_for,
)
from protocols.services import protocol_lock
from protocols.texts import notice_text


class SlotConflict(Conflict):
    code = "slot_conflict"


class WindowViolation(Unprocessable):
    code = "window_violation"


def invalid(field_name: str, message: str) -> DomainError:
    """A 400 `invalid` shaped like DRF's field errors."""
    return DomainError(message, errors={field_name: [message]})


def plan_horizon(steps: list[Step], anchor: date) -> date:
    """The last local date a course could reach: every gap at its maximum."""
    return anchor + timedelta(days=sum(step.gap_max_days for step in steps) + 1)


# --- Checks shared by preview and booking ----------------------------------------------------


def check_horizon(value: date, *, now: datetime, zone: ZoneInfo, field_name: str) -> None:
    """Refuse (400 `invalid`, by the field) a planning date outside the planning horizon."""
    problem = horizon_error(value, today=now.astimezone(zone).date())
    if problem:
        raise invalid(field_name, problem)


def as_local(value: datetime, zone: ZoneInfo, field_name: str, *, now: datetime, past: str = "") -> datetime:
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
                _("%(time)s does not exist in %(zone)s: the clocks change that night. Choose another time.")
                % {"time": f"{value:%Y-%m-%d %H:%M}", "zone": zone.key},
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


@dataclass(frozen=True)
class Checked:
    """A request that passed the checks needing no calendar: its zone, anchor, steps, warnings."""

    zone: ZoneInfo
    anchor: date
    steps: list[Step]
    warnings: list[str]


def _validate_request(request: BookingRequest, *, now: datetime) -> Checked:
    """Checks that need no calendar: the protocol, the practitioner, the route, the dates."""
    protocol, location = request.protocol, request.location
    zone = ZoneInfo(location.timezone)
    if protocol.status != "active":
        raise Unprocessable(
            _("%(code)s version %(version)s is %(status)s, not active: it cannot be booked.") % {
                "code": protocol.code, "version": protocol.version, "status": protocol.get_status_display().lower()},
            code="protocol_not_active",
        )
    if not location.allows(protocol.source_category, protocol.route):
        raise Unprocessable(
            _("%(location)s does not allow %(source)s exosomes by %(via)s.") % {
                "location": location.name, "source": protocol.get_source_category_display().lower(),
                "via": protocol.route},
            code="route_not_allowed",
        )
    if request.practitioner is not None:
        if request.practitioner.location_id != location.id:
            raise invalid("practitioner",
                          _("%(name)s works at another location.") % {"name": request.practitioner.name})
        if not request.practitioner.active:
            raise invalid("practitioner", _("%(name)s is not active.") % {"name": request.practitioner.name})
    request.start = as_local(request.start, zone, "start", now=now, past=_("The wished start is in the past."))
    for number, start in list(request.pinned.items()):
        request.pinned[number] = as_local(start, zone, "sessions", now=now)
    steps = steps_of(protocol)
    if not steps:
        raise Unprocessable(_("This protocol has no sessions."), code="protocol_not_active")
    unknown = sorted(set(request.pinned) - {s.number for s in steps})
    if unknown:
        raise invalid("sessions", _("The protocol has no session number %(n)s.") % {"n": unknown[0]})
    warnings: list[str] = []
    if protocol.anchor == "surgery_date":
        if request.surgery_date is None:
            raise invalid("surgery_date", _("This protocol counts from the surgery date: give surgery_date."))
        check_horizon(request.surgery_date, now=now, zone=zone, field_name="surgery_date")
    wished_day = request.start.astimezone(zone).date()
    anchor = course_anchor(protocol, start_day=wished_day, surgery_date=request.surgery_date)
    if protocol.anchor == "surgery_date":
        first = window_for(steps[0], anchor)
        if wished_day not in first and 1 not in request.pinned:
            warnings.append(
                _("Session 1 counts from the surgery date (%(surgery)s): its window is %(earliest)s to %(latest)s, "
                  "so the wished date %(wished)s could not be kept.") % {
                    "surgery": written_date(anchor, "date"), "earliest": written_date(first.earliest, "day_month"),
                    "latest": written_date(first.latest, "date"), "wished": written_date(wished_day, "date")}
            )
    if getattr(protocol, "men_only", False) and request.patient.sex == "female":
        warnings.append(_("This protocol includes finasteride, which is for men only: review it for this patient."))
    return Checked(zone, anchor, steps, warnings)


def _plan(request: BookingRequest, checked: Checked, *, now: datetime,
          exclude_sessions: Iterable[int] = ()) -> tuple[Plan, list[str]]:
    zone, anchor, steps, warnings = checked.zone, checked.anchor, checked.steps, checked.warnings
    start_date, end_date = min(anchor, request.start.astimezone(zone).date()), plan_horizon(steps, anchor)
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
    busy.read([*likely_spans(steps, anchor=anchor, pinned=request.pinned, zone=zone),
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
        return plan, [*warnings, *map(notice_text, plan.warnings)]


def conflicts_body(conflicts: Iterable[PlanConflict]) -> list[dict[str, Any]]:
    return [
        {"number": c.number, "start": c.start.isoformat() if c.start else None, "reason": c.reason} for c in conflicts
    ]


def raise_for_conflicts(plan: Plan) -> None:
    if not plan.conflicts:
        return
    outside = [c for c in plan.conflicts if c.reason == PINNED_OUTSIDE_WINDOW]
    if outside:
        raise WindowViolation(
            _("Session %(n)s's chosen time is outside its window.") % {"n": outside[0].number},
            conflicts=conflicts_body(plan.conflicts),
        )
    numbers = ", ".join(str(c.number) for c in plan.conflicts)
    raise SlotConflict(
        ngettext("Session %(numbers)s cannot be placed.", "Sessions %(numbers)s cannot be placed.",
                 len(plan.conflicts)) % {"numbers": numbers},
        conflicts=conflicts_body(plan.conflicts),
    )


# --- Services ----------------------------------------------------------------------------------


def with_steps_and_adjuncts(protocol) -> None:
    """Read the protocol's sessions and home adjuncts once (unless the caller already did): the
    planner, the screening rules (PRP? finasteride?) and the warnings all ask for them."""
    prefetch_related_objects([protocol], "sessions", "home_adjuncts")


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
    with_steps_and_adjuncts(protocol)
    request = BookingRequest(patient, protocol, location, start, practitioner, surgery_date, dict(pinned or {}))
    plan, warnings = _plan(request, _validate_request(request, now=now), now=now)
    screening, blocks = screening_valid_for_booking(patient, protocol, now)
    head: list[str] = []
    if screening is None:
        head.append(_("No screening in the last 30 days: screen the patient before booking."))
    elif blocks:
        head.append(_("The latest screening blocks booking: %(stops)s.") % {"stops": ", ".join(code_labels(blocks))})
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
    with_steps_and_adjuncts(protocol)
    request = BookingRequest(patient, protocol, location, start, practitioner, surgery_date, dict(pinned or {}))
    checked = _validate_request(request, now=now)
    screening, blocks = screening_valid_for_booking(patient, protocol, now)
    if screening is None:
        raise Unprocessable(
            _("The patient has no screening from the last 30 days: screen them first."), code="screening_required"
        )
    if blocks:
        raise Unprocessable(
            _("The latest screening has hard stops for this protocol; a doctor must review and override them."),
            code="screening_blocked",
            hard_stops=blocks,
        )
    plan, warnings = _plan(request, checked, now=now)
    raise_for_conflicts(plan)
    warnings = [*booking_warning_codes(patient=patient, screening=screening, protocol=protocol), *warnings]
    attempt = 1
    while True:
        try:
            return _write_course(request, plan, anchor=checked.anchor, by=by, now=now), warnings
        except (IntegrityError, OperationalError) as error:
            if isinstance(error, OperationalError) and not is_deadlock(error):
                raise
            # Another booking took one of these times, or a room the planner chose, between our
            # read and our write. Rooms are the planner's choice, not the receptionist's: when the
            # calendar as it is now gives the same times with the same practitioners, book those
            # (in the rooms still free). Anything else the receptionist must see first.
            replanned, _warnings = _plan(request, checked, now=now)
            if attempt == WRITE_ATTEMPTS or replanned.conflicts or times_of(replanned) != times_of(plan):
                raise SlotConflict(
                    _("Another booking took one of these times a moment ago. Preview again to see free times."),
                    conflicts=[
                        {"number": p.number, "start": p.start.isoformat(), "reason": "slot_taken"}
                        for p in plan.sessions
                    ],
                ) from None
            plan, attempt = replanned, attempt + 1


# A booking that lost a race for a room is planned and written again, at most this many times in
# all. Each lost race means another booking of that room committed, so the rooms left only shrink.
WRITE_ATTEMPTS = 10


def times_of(plan: Plan) -> list[tuple[int, datetime, datetime, int]]:
    """What the receptionist agreed to: each session's time and practitioner (rooms left out)."""
    return [(p.number, p.start, p.end, p.practitioner) for p in plan.sessions]


def is_deadlock(error: OperationalError) -> bool:
    """PostgreSQL broke a lock cycle between two bookings by failing this one (SQLSTATE 40P01)."""
    return getattr(error.__cause__, "pgcode", None) == "40P01"


def _write_course(request: BookingRequest, plan: Plan, *, anchor: date, by, now: datetime) -> Course:
    """Write the course and its planned sessions and queue their emails: all of it or nothing.
    Raises IntegrityError (or a deadlock's OperationalError) when another booking won a time."""
    protocol = request.protocol
    with transaction.atomic():
        if not protocol.in_use:
            # The first course on this version freezes it forever (and waits for, or wins
            # against, a concurrent activation of a newer version).
            protocol_lock(protocol)
            # The caller's instance learns it too, once that is true: a long-lived instance
            # (a worker's, a script's) would otherwise lock the row again on every booking.
            transaction.on_commit(lambda: setattr(protocol, "in_use", True))
        course = Course.objects.create(
            patient=request.patient,
            protocol=protocol,
            protocol_version=protocol.version,
            location=request.location,
            anchor_date=anchor,
            surgery_date=request.surgery_date,
            created_by=by,
        )
        sessions = Session.objects.bulk_create([session_row(course, planned) for planned in plan.sessions])
        check_constraints_now()
        _after_booking(course, sessions, now=now)
    return course


def check_constraints_now() -> None:
    """Run the deferred exclusion constraints now (raising IntegrityError on a double booking),
    so a race is caught here even when the caller's transaction commits later. In a transaction of
    its own (no outer atomic block) the commit that comes next checks them, raising the same."""
    if not connection.savepoint_ids:
        return
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
    transaction (see patients.reminders.outbox)."""
    from patients.reminders import outbox as reminders

    reminders.queue_for_booking(course=course, sessions=sessions, now=now)
