"""Reading the calendar for the planner: each practitioner's open time at a location and the busy
time of practitioners, rooms and the patient, as plain interval sets (protocols.planning.Resources)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from clinic.availability import availability_from
from clinic.hours import parse_hours
from clinic.intervals import Interval, IntervalSet, local_datetime
from clinic.models import Closure, Location, Practitioner
from clinic.selectors import holiday_dates_for
from patients.booking.busy import BusyRead
from patients.models import Patient
from protocols.planning import (
    Resources,
    Step,
)


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
    planner to use (patients.booking.busy.BusyRead) and passes `busy.into(resources)`."""
    zone = ZoneInfo(location.timezone)
    working_hours = dict(Practitioner.objects.filter(location=location, active=True).order_by("id")
                         .values_list("id", "working_hours"))
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
        if practitioner_id not in working_hours:
            return IntervalSet()
        working = tuple(parse_hours(working_hours[practitioner_id], field="working hours"))
        return open_with(working, tuple(own_closures.get(practitioner_id, ())))

    resources = Resources(zone=zone, slot_minutes=location.slot_minutes, practitioners=list(working_hours),
                          rooms=rooms, open_for=open_for)
    if not read_busy:
        return resources
    busy = BusyRead(location_id=location.id, practitioners=list(working_hours), rooms=rooms, patient_id=patient.id,
                    exclude=exclude_sessions)
    busy.read([Interval(range_start, range_end)])
    return busy.into(resources, complete=True)


def likely_spans(steps: list[Step], *, anchor: date, pinned: Mapping[int, datetime], zone: ZoneInfo) -> list[Interval]:
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
