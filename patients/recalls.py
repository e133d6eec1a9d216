"""Courses to chase: an active course whose next session is not booked (cancelled, no-show, or
never placed) while that session's window is still open. Receptionists see them soonest-closing
first; a daily pass sends one recall per unbooked gap when its window closes within 7 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q

from .models import Course, Reminder, Session

RECALL_DAYS = 7
LIVE = Session.LIVE


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
            live=Count("sessions", filter=Q(sessions__status__in=LIVE)),
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
        change_requested_at__isnull=False, status__in=("booked", "confirmed"), start__gt=now
    ).select_related("patient", "practitioner", "location", "course__protocol").order_by("start", "id")
    return requests.filter(location=location) if location is not None else requests


def _first_gap(course: Course, now: datetime) -> Chase | None:
    zone = ZoneInfo(course.location.timezone)
    today = now.astimezone(zone).date()
    sessions = sorted(course.sessions.all(), key=lambda s: (s.number, s.pk))
    live = {s.number: s for s in sessions if s.status in LIVE}
    dead = {s.number: s.status for s in sessions if s.status not in LIVE}
    counted_from = course.anchor_date
    for step in sorted(course.protocol.sessions.all(), key=lambda s: s.number):
        if step.number in live:
            counted_from = live[step.number].start.astimezone(zone).date()
            continue
        earliest = counted_from + timedelta(days=step.gap_min_days)
        latest = counted_from + timedelta(days=step.gap_max_days)
        if latest < today:
            return None  # its window has closed: a doctor decides what happens to this course
        return Chase(course, step.number, earliest, latest, dead.get(step.number, "not_booked"))
    return None


def recall_queue_due(*, now: datetime) -> int:
    """Queue one recall per unbooked gap whose window closes within RECALL_DAYS; never one a day.

    The unique constraint on (course, kind, offset=session number) makes a second recall for the
    same gap impossible, even when two passes run at once."""
    queued = 0
    for chase in courses_to_chase(now=now):
        today = now.astimezone(ZoneInfo(chase.course.location.timezone)).date()
        if (chase.window_latest - today).days > RECALL_DAYS:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    course=chase.course,
                    patient_id=chase.course.patient_id,
                    kind="recall",
                    offset=str(chase.number),
                    send_at=now,
                )
            queued += 1
        except IntegrityError:
            continue  # already recalled for this gap
    return queued
