"""To chase: an active course whose next session is not booked (cancelled, no-show, or never
placed) while that session's window is still open, soonest-closing first; and the sessions whose
patient asked for another time. The recalls (patients.reminders.recalls) write to the same courses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q

from patients.booking.windows import counted_from, steps_of
from patients.models import Course, Session
from protocols.planning import window_for


@dataclass(frozen=True)
class Chase:
    course: Course
    number: int
    window_earliest: date
    window_latest: date
    reason: str  # "cancelled", "no_show" or "not_booked"


def courses_to_chase(*, now: datetime, location=None) -> list[Chase]:
    """Active courses with an unbooked session whose window has not closed, soonest-closing first."""
    from protocols.selectors import session_count

    courses = (
        Course.objects.filter(status="active")
        .annotate(
            live=Count("sessions", filter=Q(sessions__status__in=Session.LIVE)),
            steps=session_count("protocol"),
        )
        .filter(live__lt=F("steps"))
        .select_related("patient", "location", "protocol")
        .prefetch_related("sessions", "protocol__sessions")
    )
    if location is not None:
        courses = courses.filter(location=location)
    chases = []
    for course in courses:
        chase = _first_gap(course, now)
        if chase is not None:
            chases.append(chase)
    return sorted(chases, key=lambda c: (c.window_latest, c.course.pk))


def change_requests(*, now: datetime, location=None):
    """Sessions still to come whose patient asked for another time (shown and counted on "To chase")."""
    requests = Session.objects.filter(
        change_requested_at__isnull=False, status__in=Session.MOVABLE, start__gt=now
    ).select_related("patient", "practitioner", "location", "course__protocol").order_by("start", "id")
    return requests.filter(location=location) if location is not None else requests


def _first_gap(course: Course, now: datetime) -> Chase | None:
    zone = ZoneInfo(course.location.timezone)
    today = now.astimezone(zone).date()
    sessions = sorted(course.sessions.all(), key=lambda s: (s.number, s.pk))
    live = {s.number for s in sessions if s.is_live}
    dead = {s.number: s.status for s in sessions if not s.is_live}
    for step in steps_of(course.protocol):
        if step.number in live:
            continue
        window = window_for(step, counted_from(course, sessions, step.number, zone)[0])
        if window.latest < today:
            return None  # its window has closed: a doctor decides what happens to this course
        return Chase(course, step.number, window.earliest, window.latest, dead.get(step.number, "not_booked"))
    return None
