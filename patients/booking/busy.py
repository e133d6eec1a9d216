"""Reading who is busy when: live sessions merged by PostgreSQL into busy blocks per practitioner,
per room and for the patient (a fully booked day is one block, not sixteen rows).

Two ways to read them: all at once over a date range (`busy_blocks`), or a few local days at a
time, when the planner first looks at them (`DayLoadedBusy`): a course's planner examines about a
day per session, so on a full calendar it reads days, not months."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from clinic.intervals import Interval, IntervalSet, local_datetime
from patients.models import Session

_BUSY_SQL = """
    WITH live AS (
        SELECT practitioner_id, room_id, patient_id, tstzrange(start, "end") AS span
          FROM patients_session
         WHERE status = ANY(%(live)s) AND start < %(end)s AND "end" > %(start)s
           -- No visit lasts over 8 hours (protocol durations stop at 480 minutes): this bound lets
           -- the start index do the work.
           AND start > %(start)s - interval '8 hours'
           AND NOT (id = ANY(%(exclude)s))
           AND (practitioner_id = ANY(%(practitioners)s) OR room_id = ANY(%(rooms)s) OR patient_id = %(patient)s)
    )
    SELECT 'practitioner', practitioner_id, lower(block), upper(block)
      FROM (SELECT practitioner_id, unnest(range_agg(span)) AS block FROM live
             WHERE practitioner_id = ANY(%(practitioners)s) GROUP BY practitioner_id) p
    UNION ALL
    SELECT 'room', room_id, lower(block), upper(block)
      FROM (SELECT room_id, unnest(range_agg(span)) AS block FROM live
             WHERE room_id = ANY(%(rooms)s) GROUP BY room_id) r
    UNION ALL
    SELECT 'patient', 0, lower(block), upper(block)
      FROM (SELECT unnest(range_agg(span)) AS block FROM live WHERE patient_id = %(patient)s) x
"""


def busy_blocks(
    *, practitioners: list[int], rooms: list[int], patient_id: int, start: datetime, end: datetime, exclude: list[int]
) -> list[tuple[str, int, datetime, datetime]]:
    """(who, id, start, end) busy blocks overlapping [start, end): who is practitioner, room or patient."""
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_SQL,
            {
                "live": list(Session.LIVE), "start": start, "end": end, "exclude": exclude or [0],
                "practitioners": practitioners or [0], "rooms": rooms or [0], "patient": patient_id,
            },
        )
        return cursor.fetchall()


class DayLoadedBusy:
    """Busy blocks read a few local days at a time, the first time a question touches them."""

    # Reading the day before and after too: a full target day sends the planner next door.
    SPREAD = 1

    def __init__(self, *, zone: ZoneInfo, practitioners: list[int], rooms: list[int], patient_id: int,
                 exclude: list[int]) -> None:
        self.zone = zone
        self.query = {"practitioners": practitioners, "rooms": rooms, "patient_id": patient_id, "exclude": exclude}
        self.loaded: set[date] = set()
        self.loaded_time = IntervalSet()  # the same days as UTC time, for a cheap "already read?" check
        self.blocks: dict[tuple[str, int], list[Interval]] = {}
        self.sets: dict[tuple[str, int], IntervalSet] = {}
        self.queries = 0

    def _days(self, span: Interval) -> Iterator[date]:
        day = span.start.astimezone(self.zone).date()
        last = (span.end - timedelta(microseconds=1)).astimezone(self.zone).date()
        while day <= last:
            yield day
            day += timedelta(days=1)

    def ensure(self, span: Interval) -> None:
        if self.loaded_time.covers(span):
            return
        missing = [day for day in self._days(span) if day not in self.loaded]
        if not missing:
            return
        first = missing[0] - timedelta(days=self.SPREAD)
        last = missing[-1] + timedelta(days=self.SPREAD)
        while first in self.loaded:
            first += timedelta(days=1)
        while last in self.loaded:
            last -= timedelta(days=1)
        rows = busy_blocks(start=local_datetime(first, 0, self.zone),
                           end=local_datetime(last + timedelta(days=1), 0, self.zone), **self.query)
        self.queries += 1
        for who, key, start, end in rows:
            self.blocks.setdefault((who, key), []).append(Interval(start, end))
        day = first
        while day <= last:
            self.loaded.add(day)
            day += timedelta(days=1)
        self.loaded_time.add(Interval(local_datetime(first, 0, self.zone),
                                      local_datetime(last + timedelta(days=1), 0, self.zone)))
        self.sets.clear()

    def set_for(self, who: str, key: int) -> IntervalSet:
        found = self.sets.get((who, key))
        if found is None:
            found = self.sets[(who, key)] = IntervalSet(self.blocks.get((who, key), ()))
        return found

    def add(self, who: str, key: int, span: Interval) -> None:
        """Something we are about to book: busy from now on, whatever the database says."""
        self.ensure(span)
        self.blocks.setdefault((who, key), []).append(span)
        self.sets.pop((who, key), None)


class LazyBusySet:
    """The IntervalSet questions the planner asks, answered after reading the days involved."""

    def __init__(self, busy: DayLoadedBusy, who: str, key: int) -> None:
        self.busy, self.who, self.key = busy, who, key

    def overlaps(self, span: Interval) -> bool:
        self.busy.ensure(span)
        return self.busy.set_for(self.who, self.key).overlaps(span)

    def covers(self, span: Interval) -> bool:
        self.busy.ensure(span)
        return self.busy.set_for(self.who, self.key).covers(span)

    def add(self, span: Interval) -> None:
        self.busy.add(self.who, self.key, span)


class LazyBusyMap:
    """`practitioner_busy` / `room_busy` for the planner: `.get(id)` gives a LazyBusySet."""

    def __init__(self, busy: DayLoadedBusy, who: str) -> None:
        self.busy, self.who = busy, who

    def get(self, key: int, default: object = None) -> LazyBusySet:
        return LazyBusySet(self.busy, self.who, key)

    __getitem__ = get

    def setdefault(self, key: int, default: object = None) -> LazyBusySet:
        return self.get(key)
