"""When a location (or one of its practitioners) is open: the calendar the planner books into.

Pure (plain values in, UTC intervals out, no Django) so the booking planner can call it without the
ORM; `clinic.selectors.open_intervals` is the thin wrapper that reads a location from the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .intervals import Interval, intersect, local_datetime, normalize, subtract


@dataclass(frozen=True, order=True)
class OpenSpan:
    """One opening interval of a weekday, in minutes since local midnight (closes may be 1440)."""

    weekday: int
    opens: int
    closes: int


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
