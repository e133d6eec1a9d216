"""When a location (or one of its practitioners) is open: the calendar the planner books into.

`availability_from` is pure (plain values in, UTC intervals out) so the booking planner can call
it without the ORM; `open_intervals` is the thin wrapper that reads a location from the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .hours import OpenSpan, parse_hours, public_holidays
from .intervals import Interval, intersect, local_datetime, normalize, subtract


def _days(start_date: date, end_date: date) -> Iterable[date]:
    day = start_date
    while day <= end_date:
        yield day
        day += timedelta(days=1)


def weekly_intervals(spans: Iterable[OpenSpan], zone: ZoneInfo, start_date: date, end_date: date,
                     *, skip: Collection[date] = ()) -> list[Interval]:
    """Weekly wall-clock spans laid on the local days [start_date, end_date], as UTC intervals.

    Each bound is converted on its own day with local_datetime: adding a duration to the opening
    instant would be wrong on the days the clocks change."""
    by_weekday: dict[int, list[OpenSpan]] = {}
    for span in spans:
        by_weekday.setdefault(span.weekday, []).append(span)
    result: list[Interval] = []
    for day in _days(start_date, end_date):
        if day in skip:
            continue
        for span in by_weekday.get(day.weekday(), ()):
            start = local_datetime(day, span.opens, zone)
            end = local_datetime(day, span.closes, zone)
            # An opening inside a DST gap resolves to after the gap and may pass its closing.
            if end > start:
                result.append(Interval(start, end))
    return normalize(result)


def availability_from(*, hours: Iterable[OpenSpan], working_hours: Iterable[OpenSpan] = (),
                      closures: Iterable[Interval] = (), holiday_dates: Collection[date] = (),
                      zone: ZoneInfo, start_date: date, end_date: date) -> list[Interval]:
    """Open time over the local dates [start_date, end_date], both included, normalized, in UTC.

    The location's opening hours, intersected with the practitioner's working hours when there
    are any (none means the location's hours), minus every closure, minus the whole local days
    listed in holiday_dates. Pure: the caller decides which closures and holidays apply."""
    if end_date < start_date:
        return []
    open_time = weekly_intervals(hours, zone, start_date, end_date, skip=holiday_dates)
    working = list(working_hours)
    if working:
        open_time = intersect(open_time, weekly_intervals(working, zone, start_date, end_date))
    return subtract(open_time, closures)


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
    from .selectors import closure_intervals

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
