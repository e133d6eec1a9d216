"""Reads of the reminder outbox for the staff pages: the log with its filters and counts, one email,
a patient's recent emails."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, DateField, DateTimeField, F, Func, Q, QuerySet
from django.db.models.functions import Cast, Coalesce

from patients.models import Patient, Reminder
from patients.registry.selectors import patients_search
from protocols.selectors import session_count


class LocalDate(Func):
    """The date of an instant in a zone named by another column: timezone(zone, instant)::date."""

    function = "timezone"
    output_field = DateTimeField()


def _when_local_date() -> Cast:
    # Each row's day in its own clinic's zone: a 01:00 Istanbul reminder belongs to that Istanbul day.
    return Cast(LocalDate(F("course__location__timezone"), Coalesce("sent_at", "send_at")), DateField())


def reminders_filtered(filters: dict[str, Any], *, with_status: bool = True) -> QuerySet[Reminder]:
    """Reminders matching the log's filters (without the status one when `with_status` is False)."""
    reminders = Reminder.objects.all()
    if with_status and filters.get("status"):
        reminders = reminders.filter(status=filters["status"])
    if filters.get("kind"):
        reminders = reminders.filter(kind=filters["kind"])
    if filters.get("location"):
        reminders = reminders.filter(course__location=filters["location"])
    if filters.get("patient"):
        reminders = reminders.filter(patient_id=filters["patient"])
    if filters.get("q"):
        reminders = reminders.filter(patient__in=patients_search(filters["q"]).order_by().values("pk"))
    if filters.get("date_from") or filters.get("date_to"):
        reminders = reminders.annotate(local_day=_when_local_date())
        if filters.get("date_from"):
            reminders = reminders.filter(local_day__gte=filters["date_from"])
        if filters.get("date_to"):
            reminders = reminders.filter(local_day__lte=filters["date_to"])
    return reminders


def with_display_fields(reminders: QuerySet[Reminder]) -> QuerySet[Reminder]:
    """Everything a log row shows, in the same query: patient, session, location, course length."""
    return reminders.select_related("patient", "session", "course__location").annotate(
        sessions_total=Coalesce(session_count("course__protocol"), 0)
    )


def status_counts(filters: dict[str, Any]) -> list[dict[str, Any]]:
    """How many rows of each status match the other filters: one aggregate query."""
    counts = reminders_filtered(filters, with_status=False).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Reminder.Status.values}
    )
    return [
        {"status": status, "label": label, "count": counts[status]}
        for status, label in Reminder.Status.choices
    ]


def reminder_log(filters: dict[str, Any]) -> QuerySet[Reminder]:
    """The clinic-wide log, newest first, with what a row shows."""
    return with_display_fields(reminders_filtered(filters)).order_by("-send_at", "-id")


def reminders_for_detail() -> QuerySet[Reminder]:
    """Reminders with everything one email's page shows."""
    return with_display_fields(Reminder.objects.all()).select_related("course__protocol", "session__practitioner")


def recent_reminders_of(patient: Patient, *, limit: int = 10) -> QuerySet[Reminder]:
    """The patient's last reminders, newest first, with what a row shows (one query)."""
    return with_display_fields(Reminder.objects.filter(patient=patient)).order_by("-send_at", "-id")[:limit]


def failed_count() -> int:
    """How many emails failed for good (the navigation's red badge)."""
    return Reminder.objects.filter(status=Reminder.Status.FAILED).count()
