"""Reads of courses and sessions used by pages, template tags and the clinic's closure pages."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from clinic.models import Location
from patients.booking.preview import missing_numbers
from patients.booking.slots import Slot, free_slots
from patients.booking.windows import session_window, steps_of
from patients.models import Course, Patient, Session
from protocols.planning import Window


def sessions_affected_by_closure(closure: Any) -> list[dict[str, Any]]:
    """Live sessions (holding their time) that a closure overlaps: at its location, and only the
    closure's practitioner's when it names one. A no-show or a cancelled session is not affected."""
    sessions = Session.objects.filter(
        location_id=closure.location_id, status__in=Session.LIVE, start__lt=closure.end, end__gt=closure.start
    )
    if closure.practitioner_id:
        sessions = sessions.filter(practitioner_id=closure.practitioner_id)
    rows = sessions.order_by("start", "id").values(
        "id", "start", "end", "practitioner_id", "location_id", "status", "course_id", "patient_id", "number", "room_id"
    )
    return [
        {"id": row["id"], "start": row["start"], "end": row["end"], "practitioner": row["practitioner_id"],
         "location": row["location_id"], "status": row["status"], "course": row["course_id"],
         "patient": row["patient_id"], "number": row["number"], "room": row["room_id"]}
        for row in rows
    ]


def courses_of(patient: Patient, *, limit: int = 20) -> list[Course]:
    """The patient's courses, newest first, with how many sessions are live and done: one query."""
    return list(
        Course.objects.filter(patient=patient)
        .select_related("protocol", "location")
        .annotate(live=Count("sessions", filter=Q(sessions__status__in=Session.LIVE)),
                  done=Count("sessions", filter=Q(sessions__status="completed")))
        .order_by("-created_at", "-id")[:limit]
    )


def upcoming_sessions_of(patient: Patient, *, now: datetime | None = None, limit: int = 20) -> list[Session]:
    """The patient's sessions still to come (movable, not yet over), soonest first: one query."""
    return list(
        Session.objects.filter(patient=patient, status__in=Session.MOVABLE, end__gte=now or timezone.now())
        .select_related("practitioner", "room", "location", "course__protocol")
        .order_by("start", "id")[:limit]
    )


def courses_for_page() -> QuerySet[Course]:
    """Courses with what a course's page shows: its protocol's steps and its sessions in order."""
    ordered = Session.objects.select_related("practitioner", "room").order_by("number", "start", "id")
    return Course.objects.select_related("patient", "protocol", "location").prefetch_related(
        "protocol__sessions", Prefetch("sessions", queryset=ordered)
    )


def rebook_targets(course: Course, *, now: datetime) -> list[tuple[int, Window]]:
    """The sessions an active course is missing (cancelled, no-show, never placed) whose window
    has not closed yet, each with its window as the course stands."""
    if course.status != "active":
        return []
    today = now.astimezone(ZoneInfo(course.location.timezone)).date()
    targets = []
    for number in missing_numbers(course):
        window = session_window(course, number)
        if window.latest >= today:
            targets.append((number, window))
    return targets


def rebook_slots(course: Course, number: int, window: Window, *, now: datetime) -> list[Slot]:
    """Free times for missing session `number`: nearest its target day (not before today) and the
    course's usual time of day first."""
    zone = ZoneInfo(course.location.timezone)
    step = next(s for s in steps_of(course.protocol) if s.number == number)
    target = min(max(window.target, now.astimezone(zone).date()), window.latest)
    usual = [s for s in course.sessions.all() if s.number < number] or list(course.sessions.all())
    wished = usual[-1].start.astimezone(zone) if usual else None
    return free_slots(location=course.location, patient=course.patient,
                      window=Window(window.earliest, target, window.latest),
                      duration_minutes=step.duration_minutes, now=now,
                      wished_minutes=wished.hour * 60 + wished.minute if wished else 10 * 60)


def sessions_still_to_come(course: Course, *, now: datetime) -> list[Session]:
    """The course's movable sessions not yet started, soonest first (what cancelling it cancels)."""
    return list(course.sessions.filter(status__in=Session.MOVABLE, start__gte=now).order_by("start"))


MAX_VISIT = timedelta(hours=8)  # protocol session durations stop at 480 minutes


def sessions_for_calendar(
    *, location: Location, start: datetime, end: datetime, practitioner: int | None = None, room: int | None = None
) -> QuerySet[Session]:
    """The sessions overlapping [start, end) at a location, with everything a calendar shows
    joined in: one query whatever the number of sessions."""
    sessions = (
        # No visit lasts over 8 hours: the lower bound on start lets the (location, start) index
        # read only the range, not every earlier session.
        Session.objects.filter(location=location, start__lt=end, end__gt=start, start__gt=start - MAX_VISIT)
        .select_related("patient", "practitioner", "room", "course__protocol")
        .only(
            "id", "number", "kind", "start", "end", "status", "course_id", "patient_id", "practitioner_id", "room_id",
            "change_requested_at", "patient__first_name", "patient__last_name", "practitioner__name", "room__name",
            "course__protocol__code", "course__protocol__name",
        )
        .order_by("start", "id")
    )
    if practitioner is not None:
        sessions = sessions.filter(practitioner_id=practitioner)
    if room is not None:
        sessions = sessions.filter(room_id=room)
    return sessions


# What one calendar event shows, in this order (calendar_event_rows).
EVENT_FIELDS = (
    "pk", "number", "start", "end", "status", "course_id", "practitioner_id", "room_id", "change_requested_at",
    "patient__first_name", "patient__last_name", "course__protocol__code", "practitioner__name", "room__name",
    "patient_id",
)


def calendar_event_rows(
    *, location: Any, start: datetime, end: datetime, practitioner: int | None = None, room: int | None = None
) -> list[tuple]:
    """The week feed's sessions as plain rows of EVENT_FIELDS, not model instances: a busy week of a
    large clinic is thousands of events. One query."""
    sessions = sessions_for_calendar(location=location, start=start, end=end, practitioner=practitioner, room=room)
    return list(sessions.values_list(*EVENT_FIELDS))
