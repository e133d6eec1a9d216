"""Reading who is busy when, for the planner: live sessions merged by PostgreSQL into busy blocks per
practitioner, per room and for the patient (a fully booked day is one block, not sixteen rows).

The planner takes plain interval sets (protocols.planning.Resources). `BusyRead` reads the blocks
over some spans of time, in one query a call, and hands them over as those sets together with the
time they are complete for (`known`); reading more later (`read`) adds to what it holds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from django.db import connection

from clinic.intervals import Interval, IntervalSet
from patients.models import Session
from protocols.planning import Resources

# One row per wanted span and session overlapping it; range_agg merges the duplicates of sessions
# that two overlapping spans (or two parts below) both reach.
_BUSY_SQL = """
    WITH wanted AS (
        SELECT lo, hi FROM unnest(%(los)s::timestamptz[], %(his)s::timestamptz[]) AS w(lo, hi)
    ), live AS (
        SELECT s.practitioner_id, s.room_id, s.patient_id, tstzrange(s.start, s."end") AS span
          FROM wanted w
          -- Each part reads one index by (who, start): the location's sessions, then those of its
          -- practitioners and of the patient at other locations. No visit lasts over 8 hours
          -- (protocol durations stop at 480 minutes): that bound lets the start column do the work.
          CROSS JOIN LATERAL (
                SELECT * FROM patients_session s
                 WHERE s.location_id = %(location)s AND s.start < w.hi AND s.start > w.lo - interval '8 hours'
                UNION ALL
                SELECT * FROM patients_session s
                 WHERE s.practitioner_id = ANY(%(practitioners)s) AND s.location_id <> %(location)s
                   AND s.start < w.hi AND s.start > w.lo - interval '8 hours'
                UNION ALL
                SELECT * FROM patients_session s
                 WHERE s.patient_id = %(patient)s AND s.location_id <> %(location)s
                   AND s.start < w.hi AND s.start > w.lo - interval '8 hours'
          ) s
         WHERE s."end" > w.lo AND s.status = ANY(%(live)s) AND NOT (s.id = ANY(%(exclude)s))
           AND (s.practitioner_id = ANY(%(practitioners)s) OR s.room_id = ANY(%(rooms)s)
                OR s.patient_id = %(patient)s)
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
    *, location_id: int, practitioners: list[int], rooms: list[int], patient_id: int, spans: Sequence[Interval],
    exclude: list[int],
) -> list[tuple[str, int, datetime, datetime]]:
    """(who, id, start, end) busy blocks overlapping any of `spans`: who is practitioner, room or
    patient. `practitioners` and `rooms` are those of location `location_id`. One query, whatever
    the number of spans."""
    if not spans:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_SQL,
            {
                "location": location_id, "los": [span.start for span in spans], "his": [span.end for span in spans],
                "live": list(Session.LIVE), "exclude": exclude or [0],
                "practitioners": practitioners or [0], "rooms": rooms or [0], "patient": patient_id,
            },
        )
        return cursor.fetchall()


class BusyRead:
    """The busy blocks read so far for one planning call, and the time they are complete for."""

    def __init__(self, *, location_id: int, practitioners: list[int], rooms: list[int], patient_id: int,
                 exclude: Iterable[int] = ()) -> None:
        self.query = {"location_id": location_id, "practitioners": list(practitioners), "rooms": list(rooms),
                      "patient_id": patient_id, "exclude": list(exclude)}
        self.blocks: dict[tuple[str, int], list[Interval]] = {}
        self.spans: list[Interval] = []
        self.queries = 0

    def read(self, spans: Sequence[Interval]) -> None:
        """Read the blocks overlapping `spans` (one query) and keep them with what was read before."""
        known = IntervalSet(self.spans)
        spans = [span for span in spans if not known.covers(span)]
        if not spans:
            return
        for who, key, start, end in busy_blocks(spans=spans, **self.query):
            self.blocks.setdefault((who, key), []).append(Interval(start, end))
        self.spans.extend(spans)
        self.queries += 1

    def into(self, resources: Resources, *, complete: bool = False) -> Resources:
        """`resources` with the busy sets read so far. Unless `complete` (the caller read every span
        the planner may look at), they say which time they cover (Resources.known)."""
        practitioner_busy: dict[int, IntervalSet] = {}
        room_busy: dict[int, IntervalSet] = {}
        patient_busy = IntervalSet()
        for (who, key), blocks in self.blocks.items():
            if who == "practitioner":
                practitioner_busy[key] = IntervalSet(blocks)
            elif who == "room":
                room_busy[key] = IntervalSet(blocks)
            else:
                patient_busy = IntervalSet(blocks)
        return replace(
            resources, practitioner_busy=practitioner_busy, room_busy=room_busy, patient_busy=patient_busy,
            known=None if complete else IntervalSet(self.spans),
        )
