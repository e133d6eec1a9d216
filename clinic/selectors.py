"""Reads of the clinic's set-up used in more than one place (pages, API, availability)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from .availability import availability_from
from .hours import parse_hours, public_holidays
from .ids import id_from
from .intervals import Interval, local_datetime
from .models import Closure, Location, Practitioner, Room


def locations_with_counts() -> QuerySet[Location]:
    """Locations with how many active practitioners and rooms each has, in one query."""
    return Location.objects.annotate(
        practitioner_count=Count("practitioners", filter=Q(practitioners__active=True), distinct=True),
        room_count=Count("rooms", filter=Q(rooms__active=True), distinct=True),
    ).order_by("name")


def locations_by_name() -> QuerySet[Location]:
    return Location.objects.order_by("name")


def location_chosen(raw: object, *, or_first: bool = False) -> Location | None:
    """The location a page's `?location=` (or a form's field) names by id; else None, or with
    `or_first` the first by name."""
    if (pk := id_from(raw)) is not None:
        found = Location.objects.filter(pk=pk).first()
        if found is not None:
            return found
    return locations_by_name().first() if or_first else None


def practitioners_of_user(user: object) -> list[Practitioner]:
    """The active practitioners a staff member is, told by their email address (a doctor's home
    shows their own day): none when the user has no email address."""
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        return []
    return list(Practitioner.objects.filter(email__iexact=email, active=True).select_related("location")
                .order_by("location__name", "id"))


def practitioner_names(location: Location) -> dict[int, str]:
    return dict(Practitioner.objects.filter(location=location).values_list("id", "name"))


def room_names(location: Location) -> dict[int, str]:
    return dict(Room.objects.filter(location=location).values_list("id", "name"))


def practitioners_list(*, location: Location | None = None, active: bool = False) -> QuerySet[Practitioner]:
    queryset = Practitioner.objects.select_related("location").order_by("location__name", "name", "id")
    queryset = queryset.filter(active=True) if active else queryset
    return queryset.filter(location=location) if location else queryset


def rooms_list(*, location: Location | None = None, active: bool = False) -> QuerySet[Room]:
    queryset = Room.objects.select_related("location").order_by("location__name", "name", "id")
    queryset = queryset.filter(active=True) if active else queryset
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


# The sessions a closure overlaps are booking's to read (the patients app, which sits above the
# clinic): it names its reader here from AppConfig.ready, a registry rather than an import.
_closure_readers: list[Callable[[Closure], list[dict[str, Any]]]] = []


def closure_sessions_reader_register(reader: Callable[[Closure], list[dict[str, Any]]]) -> None:
    """`reader(closure)` lists the booked sessions the closure overlaps (see sessions_affected_by_closure)."""
    _closure_readers[:] = [reader]


def sessions_affected_by_closure(closure: Closure) -> list[dict[str, Any]]:
    """Sessions still holding time that the closure overlaps, as the app that books them reads
    them (none while no such app is installed). The closure never moves them: staff do."""
    if not closure.start or not closure.end:
        return []
    return [row for reader in _closure_readers for row in reader(closure)]


def default_location() -> Location | None:
    """The clinic's default location: its first (lowest id), e.g. for reading phone numbers."""
    return Location.objects.order_by("id").first()


def clinic_zone_name() -> str:
    """The zone of the clinic's default location, for staff pages that have no location of their
    own (UTC until a location exists)."""
    zone = Location.objects.order_by("id").values_list("timezone", flat=True).first()
    return zone or "UTC"


def holiday_dates_for(location, start_date: date, end_date: date) -> set[date]:
    """The location's public holidays between two local dates, or none if it works through them."""
    if not location.observe_public_holidays or end_date < start_date:
        return set()
    calendar = public_holidays(location.country, location.subdivision, range(start_date.year, end_date.year + 1))
    return {day for day in calendar if start_date <= day <= end_date}


def open_intervals(*, location, start_date: date, end_date: date, practitioner=None) -> list[Interval]:
    """Open intervals (UTC, normalized) of a location, or of one of its practitioners, over the
    local dates [start_date, end_date] inclusive: opening hours ∩ working hours − closures −
    public holidays (when the location observes them)."""
    if end_date < start_date:
        return []
    zone = ZoneInfo(location.timezone)
    working = parse_hours(practitioner.working_hours, field="working hours") if practitioner else []
    closures = closure_intervals(
        location=location,
        practitioner=practitioner,
        start=local_datetime(start_date, 0, zone),
        end=local_datetime(end_date + timedelta(days=1), 0, zone),
    )
    return availability_from(
        hours=parse_hours(location.opening_hours),
        working_hours=working,
        closures=closures,
        holiday_dates=holiday_dates_for(location, start_date, end_date),
        zone=zone,
        start_date=start_date,
        end_date=end_date,
    )
