"""Booking at clinic and at chain scale: booked sessions laid out in SQL, then the real services.

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/booking.py [--sessions 200000]
    # a chain: 50 practitioners over 5 locations, measured at 200,000 and at 2,000,000 sessions
    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/booking.py \
        --sessions 2000000 --practitioners 50 --locations 5

Each run measures at a tenth of --sessions and at --sessions: the calendar ahead of today is equally
full at both sizes (at most FUTURE_DAYS booked days; the rest of the sessions are history), so the
two figures differ only by the size of the table. Django runs as in production (DEBUG off: no
query log kept behind every cursor). Prints:
- a 6-session preview (course_preview: reading the calendar + planning): median and p95
  (target: median under 30 ms);
- the calendar's week feed for one location through the real view (Django test client): median,
  p95 and query count (target: p95 under 50 ms, a query count that does not grow with the table);
- booking (course_book, one transaction each) from 20 concurrent client processes on their own
  connections, ten bookings each: p95 of the successful bookings (target: under 250 ms, and no
  booking fails; each course is checked for its six sessions once every client is done). Each
  client first previews its course, untimed, as a receptionist does: its connection is then one a
  gunicorn worker holds (CONN_MAX_AGE), not a new PostgreSQL backend with cold caches.

Every timed operation is checked: a preview that leaves a session unplaced, a feed that does not
answer 200 with events, a booking that raises or writes fewer than six sessions stops the run with
exit status 1 and the reason, before any figure is printed for it.
"""

import argparse
import statistics
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import as_in_production, django_on_bench_database, percentile, summary  # noqa: E402

ISTANBUL = ZoneInfo("Europe/Istanbul")
SLOTS_PER_DAY = 16  # 30-minute sessions, 09:00-17:00
FUTURE_DAYS = 300  # booked days from the first Monday on; older sessions are history before it
# The booked calendar ahead starts on the Monday after next: the benchmark means the same on any day it runs.
_today = date.today()
FIRST_DAY = _today + timedelta(days=14 - _today.weekday())


def load(sessions: int, *, practitioners: int, locations: int) -> dict:
    """`locations` locations sharing `practitioners` practitioners (and as many rooms), a
    6-session protocol, and `sessions` booked sessions written by one INSERT ... SELECT over
    generate_series: each practitioner fully booked 09:00-17:00 day after day, five sessions per
    patient and course. The bookings ahead of today reach at most FUTURE_DAYS days; the rest lie
    in the past, as a chain's history does."""
    from django.db import connection

    from clinic.models import Location, Practitioner, Room
    from tests.factories import ProtocolFactory
    from tests.factories.protocols import session_rows

    with connection.cursor() as cursor:
        # The audit trail's tables (reached by CASCADE) refuse TRUNCATE (clinic.audit); a benchmark
        # resetting its own database switches that off for the statement, as only a superuser can.
        cursor.execute("SET session_replication_role = replica; TRUNCATE clinic_location, protocols_protocol,"
                       " patients_patient RESTART IDENTITY CASCADE; RESET session_replication_role")
    sites = [
        Location.objects.create(
            name=f"Bench Istanbul {n + 1}", timezone="Europe/Istanbul", country="TR",
            opening_hours=[{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)],
            observe_public_holidays=False)
        for n in range(locations)
    ]
    doctors = [Practitioner.objects.create(name=f"Dr. {n}", location=sites[n % locations])
               for n in range(practitioners)]
    rooms = [Room.objects.create(name=f"Room {n}", location=sites[n % locations]) for n in range(practitioners)]
    # In use, as a version with courses booked on it is (the first booking on a version locks its row).
    protocol = ProtocolFactory(status="active", in_use=True, sessions=session_rows(6, gap=(14, 21, 28)))
    per_practitioner = sessions // practitioners
    booked_days = -(-per_practitioner // SLOTS_PER_DAY)
    first_booked = FIRST_DAY - timedelta(days=max(0, booked_days - FUTURE_DAYS))
    patients = -(-sessions // 5)
    sites_of = [doctor.location_id for doctor in doctors]
    with connection.cursor() as cursor:
        # Triggers of the audit trail would write a history row per session: this is bulk fixture data.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO patients_patient (first_name, last_name, email, phone, date_of_birth, sex, language,
                timezone, reminder_opt_in, investigational_ack, notes, created_at, updated_at)
            SELECT 'Bench', 'Patient ' || g, 'bench' || g || '@example.test', '+90532' || lpad(g::text, 7, '0'),
                   '1980-01-01', 'male', 'en', 'Europe/Istanbul', true, true, '', now(), now()
              FROM generate_series(1, %s) g
            """, [patients])
        # Patient p's course is at the location of the practitioner who sees them (see below).
        cursor.execute(
            """
            INSERT INTO patients_course (patient_id, protocol_id, protocol_version, location_id, anchor_date,
                status, cancel_reason, created_at)
            SELECT g, %(protocol)s, 1, (%(sites)s::bigint[])[1 + least((g - 1) * 5 / %(per)s, %(pr)s - 1)],
                   %(first)s, 'active', '', now()
              FROM generate_series(1, %(patients)s) g
            """, {"protocol": protocol.pk, "sites": sites_of, "per": per_practitioner, "pr": practitioners,
                  "first": first_booked, "patients": patients})
        cursor.execute(
            """
            INSERT INTO patients_session (course_id, patient_id, location_id, number, kind, start, "end",
                practitioner_id, room_id, status, window_earliest, window_latest, sequence, override_reason,
                cancel_reason, change_request_note, status_before, updated_at)
            SELECT c, c, (%(sites)s::bigint[])[1 + p], 1 + (k %% 5), 'treatment', t, t + interval '30 minutes',
                   (%(doctors)s::bigint[])[1 + p], (%(rooms)s::bigint[])[1 + p], 'booked',
                   t::date, t::date, 0, '', '', '', '', now()
              FROM (SELECT p, k, 1 + (p * %(per)s + k) / 5 AS c,
                           (%(first)s::date + (k / %(slots)s) * interval '1 day' + interval '6 hours'
                            + (k %% %(slots)s) * interval '30 minutes') AT TIME ZONE 'UTC' AS t
                      FROM generate_series(0, %(pr)s - 1) p, generate_series(0, %(per)s - 1) k) s
            """, {"sites": sites_of, "doctors": [d.pk for d in doctors],
                  "rooms": [r.pk for r in rooms], "per": per_practitioner, "first": first_booked,
                  "slots": SLOTS_PER_DAY, "pr": practitioners})
        cursor.execute("SET session_replication_role = DEFAULT")
        # Vacuumed and analysed as a calendar in use would be, so that no autovacuum of the freshly
        # written table runs while the operations are timed; and checkpointed, so that PostgreSQL is
        # not still writing the seed (hundreds of megabytes of WAL) out to its tables meanwhile (a running
        # clinic's database is not in the middle of a bulk load).
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT count(*), min(start), max(start) FROM patients_session")
        count, first, last = cursor.fetchone()
    print(f"loaded {count:,} booked sessions from {first:%Y-%m-%d} to {last:%Y-%m-%d}, {practitioners} practitioners "
          f"over {locations} location(s), {patients:,} patients")
    site = sites[0]
    return {"location": site, "doctors": doctors, "rooms": rooms, "protocol": protocol, "last": last,
            "feed_doctor": next(d for d in doctors if d.location_id == site.pk)}


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

    from patients.booking.services import course_preview

    patient = new_patient(0)
    timings = []
    for n in range(runs):
        # Inside the booked calendar, with the whole course (at most 141 days) inside it too.
        start = datetime.combine(FIRST_DAY + timedelta(days=7 + (n % 40) * 3), datetime.min.time()).replace(
            hour=10, tzinfo=ISTANBUL)
        started = time.perf_counter()
        plan, _ = course_preview(patient=patient, protocol=world["protocol"], location=world["location"],
                                 start=start, now=timezone.now())
        timings.append((time.perf_counter() - started) * 1000)
        if len(plan.sessions) != 6 or plan.conflicts:
            fail(f"preview {n} placed {len(plan.sessions)} of 6 sessions: {plan.conflicts}")
        ends = [s.end for s in plan.sessions]
        if any(later.start < end for later, end in zip(plan.sessions[1:], ends, strict=False)):
            fail(f"preview {n} starts a session before the previous one ends: {plan.sessions}")
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
    # Weeks that are fully booked at any size: from the second week ahead, at most 30 of them.
    weeks = max(1, min(30, (world["last"].astimezone(ISTANBUL).date() - FIRST_DAY).days // 7 - 1))
    for n in range(runs):
        monday = FIRST_DAY + timedelta(weeks=1 + n % weeks)
        url = (f"/booking/calendar/feed/?location={world['location'].pk}&start={monday}T00:00:00"
               f"&end={monday + timedelta(days=7)}T00:00:00")
        if resource:
            url += f"&by=practitioner&resource={resource}"
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, secure=True)  # production redirects plain HTTP to HTTPS
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            fail(f"week feed answered {response.status_code}: {response.content[:300]!r}")
        events = len(response.json())
        if not events:
            fail(f"week feed of {monday} answered no events on a fully booked calendar: {url}")
        if queries and len(captured) != queries:
            fail(f"week feed of {monday} ran {len(captured)} queries, the week before {queries}")
        queries = len(captured)
    return timings, events, queries


def time_concurrent_booking(world: dict, clients: int, per_client: int) -> list[float]:
    """Each client is its own process (as each gunicorn worker is) with its own connection, so the
    figure is PostgreSQL's locking and the machine's cores, not one interpreter's GIL."""
    import multiprocessing

    from django.db import connections
    from django.db.models import Count

    from clinic.models import Practitioner
    from patients.models import Session

    far = world["last"].astimezone(ISTANBUL).date() + timedelta(days=30)
    patients = [new_patient(100 + n) for n in range(clients * per_client)]
    doctors = list(Practitioner.objects.filter(pk__in=[d.pk for d in world["doctors"]])
                   .select_related("location").order_by("id"))
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(clients), context.Queue()
    connections.close_all()  # each forked client opens its own
    processes = [context.Process(target=_booking_client, args=(i, per_client, far, patients, doctors, world,
                                                                barrier, results))
                 for i in range(clients)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=600) for _ in range(clients * per_client)]
    for process in processes:
        process.join()
    errors = [outcome for outcome in outcomes if isinstance(outcome, str)]
    if errors:
        fail(f"{len(errors)} of {clients * per_client} bookings failed, first: {errors[0]}")
    # Checked once all clients are done, so that the check's queries do not load the machine while
    # the other clients' bookings are timed.
    courses = [course for course, _ in outcomes]
    placed = dict(Session.objects.filter(course__in=courses, status="booked").values("course")
                  .annotate(n=Count("id")).values_list("course", "n"))
    short = [course for course in courses if placed.get(course) != 6]
    if short:
        fail(f"{len(short)} of {len(courses)} courses were booked without all six sessions, first: course "
             f"{short[0]} with {placed.get(short[0], 0)}")
    return [elapsed for _, elapsed in outcomes]


def _booking_client(index: int, per_client: int, far: date, patients, doctors, world, barrier, results) -> None:
    """One client process: its bookings one after another, each timed, each result (the course's id
    and the duration in ms, or the error) put on `results`; after a failure the rest are reported
    as not attempted."""
    from django.utils import timezone

    from patients.booking.services import course_book, course_preview

    def wished(n: int) -> datetime:
        return datetime.combine(far + timedelta(days=n // 20), datetime.min.time()).replace(
            hour=8 + (n % 12), tzinfo=ISTANBUL)

    # Each client books with its own practitioner (at that practitioner's location), each booking
    # at another hour: the load is real work, not the same conflict fifty times.
    doctor = doctors[index % len(doctors)]
    # A receptionist previews before booking, on a connection the worker already holds
    # (CONN_MAX_AGE): the timed bookings do not pay for a new PostgreSQL backend and its cold caches.
    course_preview(patient=patients[index * per_client], protocol=world["protocol"], location=doctor.location,
                   start=wished(index * per_client), practitioner=doctor, now=timezone.now())
    barrier.wait()
    for k in range(per_client):
        n = index * per_client + k
        start = wished(n)
        started = time.perf_counter()
        try:
            course, _ = course_book(patient=patients[n], protocol=world["protocol"], location=doctor.location,
                                    start=start, practitioner=doctor, now=timezone.now())
            elapsed = (time.perf_counter() - started) * 1000
        except Exception as error:  # noqa: BLE001 - reported, and the run then stops without a figure
            results.put(f"{type(error).__name__}: {error}")
            for _ in range(k + 1, per_client):
                results.put("not attempted after an earlier failure of this client")
            return
        results.put((course.pk, elapsed))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--practitioners", type=int, default=20)
    parser.add_argument("--locations", type=int, default=1)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--database", default="anagen_bench_booking")
    args = parser.parse_args()
    if args.practitioners < 20 or args.practitioners % args.locations:
        parser.error("--practitioners: at least 20 (one per concurrent client), the same number at each location")
    as_in_production()
    # WhiteNoise warns that collectstatic has not run: the benchmark serves no static file.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    django_on_bench_database(args.database)

    for size in (args.sessions // 10, args.sessions):
        print(f"\n== {size:,} booked sessions ==")
        started = time.perf_counter()
        world = load(size, practitioners=args.practitioners, locations=args.locations)
        print(f"(seeded in {time.perf_counter() - started:.0f} s)")
        previews = time_previews(world, args.runs)
        print(f"6-session preview: {summary(previews)} (target: median under 30 ms)")
        feed, events, queries = time_week_feed(world, args.runs)
        print(f"week feed, one location, all practitioners ({events} events): {summary(feed)}, {queries} queries "
              "(target: p95 under 50 ms)")
        feed, events, queries = time_week_feed(world, args.runs, resource=world["feed_doctor"].pk)
        print(f"week feed, one location, one practitioner (the week view showing one; {events} events): "
              f"{summary(feed)}, {queries} queries")
    bookings = time_concurrent_booking(world, clients=20, per_client=10)
    print(f"booking a 6-session course, 20 concurrent clients: {summary(bookings)}, "
          f"max {max(bookings):.0f} ms (target: p95 under 250 ms)")
    print(f"(mean of the 20-client bookings: {statistics.mean(bookings):.1f} ms; p99 {percentile(bookings, 0.99):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
