"""Booking pieces shown on other pages: a course's timeline, a patient's courses and sessions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.formats import written_date
from patients.booking import selectors
from patients.models import Course, Patient, Session

register = template.Library()

WIDTH, LEFT, RIGHT, TOP, ROW = 1000, 130, 45, 40, 36


@register.inclusion_tag("patients/course_timeline.html")
def course_timeline(course: Course, sessions: list[tuple[Session, datetime, datetime]], rebooks: list[dict]) -> dict:
    """An SVG timeline: each session's window as a band and the session as a dot coloured by its
    status; a missing session's open window as a band without a dot. Pure geometry, no query."""
    rows: list[dict[str, Any]] = []
    for session, start, _end in sessions:
        title = _("Session %(n)s: %(start)s, %(status)s") % {
            "n": session.number, "start": written_date(start, "weekday_datetime"),
            "status": session.get_status_display()}
        rows.append({"label": _("Session %(n)s") % {"n": session.number}, "earliest": session.window_earliest,
                     "latest": session.window_latest, "day": start.date(), "hour": start.hour + start.minute / 60,
                     "status": session.status, "title": title})
    for rebook in rebooks:
        title = _("Session %(n)s: not booked, window %(earliest)s to %(latest)s") % {
            "n": rebook["number"], "earliest": written_date(rebook["earliest"], "day_month"),
            "latest": written_date(rebook["latest"], "date")}
        rows.append({"label": _("To book: %(n)s") % {"n": rebook["number"]}, "earliest": rebook["earliest"],
                     "latest": rebook["latest"], "day": None, "status": "", "title": title})
    if not rows:
        return {"rows": []}
    days = [course.anchor_date, *(r["earliest"] for r in rows), *(r["latest"] for r in rows),
            *(r["day"] for r in rows if r["day"])]
    first, last = min(days), max(days) + timedelta(days=1)
    span = max(1, (last - first).days)
    scale = (WIDTH - LEFT - RIGHT) / span

    def x(day: date, hours: float = 0) -> float:
        return round(LEFT + ((day - first).days + hours / 24) * scale, 1)

    for n, row in enumerate(rows):
        row["y"] = TOP + n * ROW
        row["cy"] = row["y"] + ROW / 2
        row["band_x"] = x(row["earliest"])
        row["band_w"] = max(3.0, round(x(row["latest"] + timedelta(days=1)) - x(row["earliest"]), 1))
        row["cx"] = x(row["day"], row.get("hour", 12)) if row["day"] else None
        row["dead"] = row["status"] in Session.RELEASED
    step = 7 if span <= 84 else 14 if span <= 168 else 28
    ticks = [{"x": x(first + timedelta(days=d)), "label": written_date(first + timedelta(days=d), "day_month")}
             for d in range(0, span + 1, step)]
    height = TOP + len(rows) * ROW + 6
    return {"rows": rows, "ticks": ticks, "height": height, "width": WIDTH, "left": LEFT, "course": course,
            "axis_end": WIDTH - RIGHT}


@register.simple_tag
def patient_courses(patient: Patient) -> list[Course]:
    """The patient's courses with how many sessions are live and done: one query."""
    return selectors.courses_of(patient)


@register.simple_tag
def patient_upcoming_sessions(patient: Patient) -> list[tuple[Session, datetime]]:
    """The patient's sessions still to come, soonest first, at the clinic's time: one query."""
    return [(s, s.start.astimezone(ZoneInfo(s.location.timezone)).replace(tzinfo=None))
            for s in selectors.upcoming_sessions_of(patient)]


@register.simple_tag
def change_request_count() -> int:
    """How many patients asked for another time (the home page's "To chase" tile): one query."""
    from patients.booking.chase import change_requests

    return change_requests(now=timezone.now()).count()
