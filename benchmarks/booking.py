"""Booking at clinic scale: 20 practitioners, 200,000 booked sessions.

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/booking.py [--sessions 200000]

Prints:
- a 6-session preview (course_preview: reading the calendar + planning): median and p95
  (target: median under 30 ms);
- the calendar's week feed for one location through the real view (Django test client): median,
  p95 and query count, at the full size and at a tenth of it (target: p95 under 50 ms, a query
  count that does not grow with the number of sessions);
- booking (course_book, one transaction each) from 20 concurrent clients on their own
  connections: p95 (target: under 250 ms).
"""

import argparse
import statistics
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_on_bench_database, percentile, summary  # noqa: E402

ISTANBUL = ZoneInfo("Europe/Istanbul")
PRACTITIONERS = 20
SLOTS_PER_DAY = 16  # 30-minute sessions, 09:00-17:00
# The booked calendar starts on the Monday after next: the benchmark means the same on any day it runs.
_today = date.today()
FIRST_DAY = _today + timedelta(days=14 - _today.weekday())


def load(sessions: int) -> dict:
    """Location, practitioners, rooms, a 6-session protocol, and `sessions` booked sessions laid out
    in SQL: each practitioner fully booked day after day, five sessions per patient and course."""
    from django.db import connection

    from clinic.models import Location, Practitioner, Room
    from tests.factories import ProtocolFactory
    from tests.factories.protocols import session_rows

    with connection.cursor() as cursor:
        # The audit trail's tables (reached by CASCADE) refuse TRUNCATE (clinic.audit); a benchmark
        # resetting its own database switches that off for the statement, as only a superuser can.
        cursor.execute("SET session_replication_role = replica; TRUNCATE clinic_location, protocols_protocol,"
                       " patients_patient RESTART IDENTITY CASCADE; RESET session_replication_role")
    location = Location.objects.create(
        name="Bench Istanbul", timezone="Europe/Istanbul", country="TR",
        opening_hours=[{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)],
        observe_public_holidays=False)
    doctors = [Practitioner.objects.create(name=f"Dr. {n}", location=location) for n in range(PRACTITIONERS)]
    rooms = [Room.objects.create(name=f"Room {n}", location=location) for n in range(PRACTITIONERS)]
    protocol = ProtocolFactory(status="active", sessions=session_rows(6, gap=(14, 21, 28)))
    per_practitioner = sessions // PRACTITIONERS
    patients = sessions // 5
    with connection.cursor() as cursor:
        # Triggers of the audit trail would write 200,000 history rows: this is bulk fixture data.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO patients_patient (first_name, last_name, email, phone, date_of_birth, sex, language,
                timezone, reminder_opt_in, investigational_ack, notes, created_at, updated_at)
            SELECT 'Bench', 'Patient ' || g, 'bench' || g || '@example.test', '+90532' || lpad(g::text, 7, '0'),
                   '1980-01-01', 'male', 'en', 'Europe/Istanbul', true, true, '', now(), now()
              FROM generate_series(1, %s) g
            """, [patients])
        cursor.execute(
            """
            INSERT INTO patients_course (patient_id, protocol_id, protocol_version, location_id, anchor_date,
                status, cancel_reason, created_at)
            SELECT g, %s, 1, %s, %s, 'active', '', now() FROM generate_series(1, %s) g
            """, [protocol.pk, location.pk, FIRST_DAY, patients])
        cursor.execute(
            """
            INSERT INTO patients_session (course_id, patient_id, location_id, number, kind, start, "end",
                practitioner_id, room_id, status, window_earliest, window_latest, sequence, override_reason,
                cancel_reason, change_request_note, status_before, updated_at)
            SELECT c, c, %(loc)s, 1 + (k %% 5), 'treatment', t, t + interval '30 minutes', d.id, r.id, 'booked',
                   t::date, t::date, 0, '', '', '', '', now()
              FROM (SELECT p, k, 1 + (p * %(per)s + k) / 5 AS c,
                           (%(first)s::date + (k / %(slots)s) * interval '1 day' + interval '6 hours'
                            + (k %% %(slots)s) * interval '30 minutes') AT TIME ZONE 'UTC' AS t
                      FROM generate_series(0, %(pr)s - 1) p, generate_series(0, %(per)s - 1) k) s
              JOIN LATERAL (SELECT id FROM clinic_practitioner ORDER BY id OFFSET s.p LIMIT 1) d ON true
              JOIN LATERAL (SELECT id FROM clinic_room ORDER BY id OFFSET s.p LIMIT 1) r ON true
            """, {"loc": location.pk, "per": per_practitioner, "first": FIRST_DAY, "slots": SLOTS_PER_DAY,
                  "pr": PRACTITIONERS})
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*), min(start), max(start) FROM patients_session")
        count, first, last = cursor.fetchone()
    print(f"loaded {count:,} booked sessions from {first:%Y-%m-%d} to {last:%Y-%m-%d}, "
          f"{PRACTITIONERS} practitioners, {patients:,} patients")
    return {"location": location, "doctors": doctors, "rooms": rooms, "protocol": protocol, "last": last}


def new_patient(n: int):
    """A patient screened today, so booking on the real clock's `now` is allowed."""
    from django.utils import timezone

    from tests.factories import PatientFactory, ScreeningFactory

    patient = PatientFactory(email=f"new{n}@example.test", phone=f"+9055{n:08d}")
    ScreeningFactory(patient=patient, taken_at=timezone.now())
    return patient


def fail(message: str) -> None:
    """A benchmark that saw a failed operation prints no figure: it says why and stops."""
    print(f"FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def time_previews(world: dict, runs: int) -> list[float]:
    from django.utils import timezone

    from patients.booking import course_preview

    patient = new_patient(0)
    timings = []
    for n in range(runs):
        start = datetime.combine(FIRST_DAY + timedelta(days=30 + n * 3), datetime.min.time()).replace(
            hour=10, tzinfo=ISTANBUL)
        started = time.perf_counter()
        plan, _ = course_preview(patient=patient, protocol=world["protocol"], location=world["location"],
                                 start=start, now=timezone.now())
        timings.append((time.perf_counter() - started) * 1000)
        if len(plan.sessions) != 6:
            fail(f"preview {n} placed {len(plan.sessions)} of 6 sessions: {plan.conflicts}")
    return timings


def time_week_feed(world: dict, runs: int, resource: int | None = None) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clinic.management.commands.create_staff import staff_upsert
    from clinic.roles import Role

    user = staff_upsert(username="bench-reception", role=Role.RECEPTIONIST, password="x", validate=False)
    client = Client()
    client.force_login(user)
    timings, events, queries = [], 0, 0
    for n in range(runs):
        monday = FIRST_DAY + timedelta(weeks=4 + n % 40)
        url = (f"/booking/calendar/feed/?location={world['location'].pk}&start={monday}T00:00:00"
               f"&end={monday + timedelta(days=7)}T00:00:00")
        if resource:
            url += f"&by=practitioner&resource={resource}"
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            fail(f"week feed answered {response.status_code}: {response.content[:300]!r}")
        events, queries = len(response.json()), len(captured)
    return timings, events, queries


def time_concurrent_booking(world: dict, clients: int, per_client: int) -> list[float]:
    from django.db import connection
    from django.utils import timezone

    from patients.booking import course_book

    far = world["last"].astimezone(ISTANBUL).date() + timedelta(days=30)
    patients = [new_patient(100 + n) for n in range(clients * per_client)]
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(index: int) -> None:
        try:
            barrier.wait()
            for k in range(per_client):
                n = index * per_client + k
                # Each booking asks for a different practitioner and hour: the load is real work, not
                # the same conflict fifty times.
                start = datetime.combine(far + timedelta(days=n // 20), datetime.min.time()).replace(
                    hour=8 + (n % 12), tzinfo=ISTANBUL)
                started = time.perf_counter()
                try:
                    course_book(patient=patients[n], protocol=world["protocol"], location=world["location"],
                                start=start, practitioner=world["doctors"][index % PRACTITIONERS],
                                now=timezone.now())
                except Exception as error:  # noqa: BLE001 - collected, and the run then stops without a figure
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")
                    return
                with lock:
                    timings.append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        fail(f"{len(errors)} of {clients * per_client} bookings failed, first: {errors[0]}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    django_on_bench_database("anagen_bench_booking")

    for size in (args.sessions // 10, args.sessions):
        print(f"\n== {size:,} booked sessions ==")
        world = load(size)
        previews = time_previews(world, args.runs)
        print(f"6-session preview: {summary(previews)} (target: median under 30 ms)")
        feed, events, queries = time_week_feed(world, args.runs)
        print(f"week feed, one location, all practitioners ({events} events): {summary(feed)}, {queries} queries "
              "(target: p95 under 50 ms)")
        feed, events, queries = time_week_feed(world, args.runs, resource=world["doctors"][0].pk)
        print(f"week feed, one location, one practitioner as the week view asks ({events} events): {summary(feed)}, "
              f"{queries} queries")
    bookings = time_concurrent_booking(world, clients=20, per_client=5)
    print(f"booking a 6-session course, 20 concurrent clients: {summary(bookings)}, "
          f"max {max(bookings):.0f} ms (target: p95 under 250 ms)")
    print(f"(mean of the 20-client bookings: {statistics.mean(bookings):.1f} ms; p99 {percentile(bookings, 0.99):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
