"""Pure time-interval arithmetic shared by availability (clinic) and the planner (protocols).

No ORM, no clock. Intervals are half-open [start, end) between aware datetimes, kept in UTC:
convert to a local zone only to read a wall-clock time, because adding a timedelta to a local
datetime is wrong across a DST change.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval bounds must be aware datetimes")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def normalize(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals merged."""
    merged: list[Interval] = []
    for current in sorted(i for i in intervals if i.end > i.start):
        if merged and current.start <= merged[-1].end:
            if current.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, current.end)
        else:
            merged.append(current)
    return merged


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Intervals covered by both a and b."""
    left, right = normalize(a), normalize(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            result.append(Interval(start, end))
        if left[i].end < right[j].end:
            i += 1
        else:
            j += 1
    return result


def subtract(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Parts of a not covered by b."""
    result: list[Interval] = []
    holes = normalize(b)
    for piece in normalize(a):
        start = piece.start
        for hole in holes:
            if hole.end <= start or hole.start >= piece.end:
                continue
            if hole.start > start:
                result.append(Interval(start, hole.start))
            start = max(start, hole.end)
            if start >= piece.end:
                break
        if start < piece.end:
            result.append(Interval(start, piece.end))
    return result


class IntervalSet:
    """A normalized, searchable set of intervals: 'is this span inside?' and 'does it overlap?'
    in O(log n), for the planner's hot loop."""

    __slots__ = ("_intervals", "_starts")

    def __init__(self, intervals: Iterable[Interval] = ()) -> None:
        self._intervals = normalize(intervals)
        self._starts = [i.start for i in self._intervals]

    def __iter__(self):
        return iter(self._intervals)

    def __len__(self) -> int:
        return len(self._intervals)

    def covers(self, span: Interval) -> bool:
        """Is span wholly inside one interval of the set?"""
        index = bisect.bisect_right(self._starts, span.start) - 1
        return index >= 0 and self._intervals[index].contains(span)

    def overlaps(self, span: Interval) -> bool:
        """Does span share any time with the set?"""
        index = bisect.bisect_right(self._starts, span.start) - 1
        if index >= 0 and self._intervals[index].end > span.start:
            return True
        return index + 1 < len(self._intervals) and self._intervals[index + 1].start < span.end

    def add(self, span: Interval) -> None:
        self._intervals = normalize([*self._intervals, span])
        self._starts = [i.start for i in self._intervals]


def local_datetime(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The aware UTC instant of `minutes` after local midnight of `day` in `zone`.

    1440 means the next midnight. A wall-clock time inside a DST gap does not exist; it is
    resolved with fold=0 as zoneinfo does (callers that must refuse such times check
    `is_nonexistent`)."""
    if minutes >= 1440:
        day, minutes = day + timedelta(days=minutes // 1440), minutes % 1440
    naive = datetime.combine(day, time(minutes // 60, minutes % 60))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def is_nonexistent(naive: datetime, zone: ZoneInfo) -> bool:
    """True for a wall-clock time skipped by a DST change (e.g. 02:30 in Madrid on the last
    Sunday of March)."""
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive
