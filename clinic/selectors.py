"""Reads of the clinic's set-up used in more than one place (pages, API, availability)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet

from .intervals import Interval
from .models import Closure, Location, Practitioner, Room

# Sessions in these states no longer hold their time.
RELEASED_SESSION_STATUSES = ("cancelled",)


def locations_with_counts() -> QuerySet[Location]:
    """Locations with how many active practitioners and rooms each has, in one query."""
    return Location.objects.annotate(
        practitioner_count=Count("practitioners", filter=Q(practitioners__active=True), distinct=True),
        room_count=Count("rooms", filter=Q(rooms__active=True), distinct=True),
    ).order_by("name")


def practitioners_list(*, location: Location | None = None) -> QuerySet[Practitioner]:
    queryset = Practitioner.objects.select_related("location").order_by("location__name", "name", "id")
    return queryset.filter(location=location) if location else queryset


def rooms_list(*, location: Location | None = None) -> QuerySet[Room]:
    queryset = Room.objects.select_related("location").order_by("location__name", "name", "id")
    return queryset.filter(location=location) if location else queryset


def closures_list(*, location: Location | None = None, ending_after: datetime | None = None) -> QuerySet[Closure]:
    queryset = Closure.objects.select_related("location", "practitioner").order_by("start", "id")
    if location:
        queryset = queryset.filter(location=location)
    if ending_after:
        queryset = queryset.filter(end__gt=ending_after)
    return queryset


def closure_intervals(*, location: Location, start: datetime, end: datetime,
                      practitioner: Practitioner | None = None) -> list[Interval]:
    """Closures overlapping [start, end): the location-wide ones, plus the practitioner's own."""
    who = Q(practitioner__isnull=True)
    if practitioner is not None:
        who |= Q(practitioner=practitioner)
    rows = (
        Closure.objects.filter(who, location=location, start__lt=end, end__gt=start)
        .order_by("start")
        .values_list("start", "end")
    )
    return [Interval(row_start, row_end) for row_start, row_end in rows]


def _session_model():
    try:
        return apps.get_model("patients", "Session")
    except LookupError:
        # Booking (the patients app) arrives later; until then no session can be affected.
        return None


def sessions_affected_by_closure(closure: Closure) -> list[dict[str, Any]]:
    """Sessions still holding time that the closure overlaps: at its location, and only the
    closure's practitioner's when it names one. The closure never moves them: staff do."""
    Session = _session_model()
    if Session is None or not closure.start or not closure.end:
        return []
    present = {field.name for field in Session._meta.concrete_fields}
    # A session knows its location directly, or else through its course.
    location_column = "location_id" if "location" in present else "course__location_id"
    sessions = Session.objects.filter(
        **{location_column: closure.location_id}, start__lt=closure.end, end__gt=closure.start
    ).exclude(status__in=RELEASED_SESSION_STATUSES)
    if closure.practitioner_id:
        sessions = sessions.filter(practitioner_id=closure.practitioner_id)
    # Output key -> the column holding it; what identifies the booking to a receptionist is
    # added when the model has it.
    columns = {"id": "id", "start": "start", "end": "end", "practitioner": "practitioner_id",
               "location": location_column, "status": "status"}
    for name, column in (("course", "course_id"), ("patient", "patient_id"), ("number", "number"), ("room", "room_id")):
        if name in present:
            columns[name] = column
    rows = sessions.order_by("start", "id").values(*columns.values())
    return [{key: row[column] for key, column in columns.items()} for row in rows]


def default_location() -> Location | None:
    """The clinic's default location: its first (lowest id), e.g. for reading phone numbers."""
    return Location.objects.order_by("id").first()


def clinic_zone_name() -> str:
    """The zone of the clinic's default location, for staff pages that have no location of their
    own (UTC until a location exists)."""
    zone = Location.objects.order_by("id").values_list("timezone", flat=True).first()
    return zone or "UTC"
