"""What the demo holds: the counts `seed_demo` prints (the same after a second run)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet

from patients.models import Course, Measurement, Patient, Photo, Reminder, Session
from patients.records.models import AdverseEvent, SessionRecord

from .people import PEOPLE, phone_of


def demo_patients() -> QuerySet[Patient]:
    """The demo's patients: each has its own phone number (the one thing every demo patient has)."""
    return Patient.objects.filter(phone__in=[phone_of(person) for person in PEOPLE])


def _by(queryset: QuerySet, field: str) -> dict[str, int]:
    return dict(sorted(Counter(queryset.values_list(field, flat=True)).items()))


def demo_counts() -> dict[str, Any]:
    """Counts of the demo's patients, courses, sessions and reminders, with their breakdowns."""
    patients = demo_patients()
    courses = Course.objects.filter(patient__in=patients)
    sessions = Session.objects.filter(patient__in=patients)
    reminders = Reminder.objects.filter(patient__in=patients)
    return {
        "patients": patients.count(),
        "languages": _by(patients, "language"),
        "courses": courses.count(),
        "course_states": _by(courses, "status"),
        "course_locations": _by(courses, "location__name"),
        "sessions": sessions.count(),
        "session_states": _by(sessions, "status"),
        "reminders": reminders.count(),
        "reminder_states": _by(reminders, "status"),
        "records": SessionRecord.objects.filter(session__patient__in=patients).count(),
        "measurements": Measurement.objects.filter(session__patient__in=patients).count(),
        "photos": Photo.objects.filter(session__patient__in=patients).count(),
        "adverse_events": AdverseEvent.objects.filter(patient__in=patients).count(),
    }


def _shown(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def counts_lines(counts: dict[str, Any]) -> list[str]:
    """The counts as the command prints them."""
    return [
        f"  patients:       {counts['patients']} ({_shown(counts['languages'])})",
        f"  courses:        {counts['courses']} ({_shown(counts['course_states'])}; "
        f"{_shown(counts['course_locations'])})",
        f"  sessions:       {counts['sessions']} ({_shown(counts['session_states'])})",
        f"  reminders:      {counts['reminders']} ({_shown(counts['reminder_states'])})",
        f"  records:        {counts['records']}, measurements: {counts['measurements']}, photos: {counts['photos']}, "
        f"adverse events: {counts['adverse_events']}",
    ]
