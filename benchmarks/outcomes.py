"""Outcomes at chain scale: 20,000 patients, each with a course and five measurements, laid out in
SQL; then the real reports and the patient's chart through the API.

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/outcomes.py [--patients 20000]

Each patient has a 3-session course on one of four protocol codes (sessions on days 0, 90 and
180 of the course, all completed) and five measurements: density at the vertex by trichoscopy at
each session, shaft diameter at the vertex at the first and the last. One patient in fifty has an
adverse event filed against their first session. Prints, through the real API views (Django's
test client: middleware, authentication, queries, serialization):
- the per-protocol outcomes report (GET /api/v1/reports/outcomes/, density at day 90, a quarter
  of the patients each): median and p95 (target: p95 under 200 ms);
- a patient's chart data (GET /api/v1/patients/{id}/outcomes/): median, p95 and query count
  (target: p95 under 30 ms);
- the adherence report of one month at the location, for reference (no target).

Every timed answer is checked: a report that is not 200, counts no patient, or whose count is not
the protocol's; a chart without its two series of 3 and 2 points, stops the run with exit
status 1 and the reason, before any figure is printed for it. The first report call imports SciPy
(for the t quantile) and is timed apart.
"""

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_on_bench_database, summary  # noqa: E402

CODES = ["BENCH-AGA-3", "BENCH-MSC-6", "BENCH-MN-5", "BENCH-PRP-3"]
PRACTITIONERS = 20
SLOTS_PER_DAY = 16  # 30-minute sessions, 09:00-17:00 Istanbul (06:00-14:00 UTC)
DAYS = (0, 90, 180)  # the sessions' days since the course's anchor
# The history starts well in the past, the same on any day the benchmark runs: every visit happened.
FIRST_DAY = date(2024, 1, 1)


def fail(message: str) -> None:
    """A benchmark that saw a failed operation prints no figure: it says why and stops."""
    print(f"FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def load(patients: int) -> dict:
    """One Istanbul location with PRACTITIONERS practitioners and rooms, four protocols, and per
    patient a course, three completed sessions and five measurements, each table written by one
    INSERT ... SELECT over generate_series. Patient g sees practitioner g mod PRACTITIONERS in slot
    (g div PRACTITIONERS) mod SLOTS_PER_DAY, so no practitioner, room or patient is booked twice."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from clinic.models import Location, Practitioner, Room
    from tests.factories import ProtocolFactory
    from tests.factories.protocols import session_rows

    with connection.cursor() as cursor:
        # The audit trail's tables (reached by CASCADE) refuse TRUNCATE (clinic.audit); a benchmark
        # resetting its own database switches that off for the statement, as only a superuser can.
        cursor.execute("SET session_replication_role = replica; TRUNCATE clinic_location, protocols_protocol,"
                       " patients_patient RESTART IDENTITY CASCADE; RESET session_replication_role")
    get_user_model().objects.filter(username__startswith="bench-").delete()
    recorder = get_user_model().objects.create(username="bench-recorder")
    site = Location.objects.create(name="Bench Istanbul", timezone="Europe/Istanbul", country="TR",
                                   opening_hours=[{"weekday": d, "opens": "09:00", "closes": "18:00"}
                                                  for d in range(7)], observe_public_holidays=False)
    doctors = [Practitioner.objects.create(name=f"Dr. {n}", location=site) for n in range(PRACTITIONERS)]
    rooms = [Room.objects.create(name=f"Room {n}", location=site) for n in range(PRACTITIONERS)]
    protocols = [ProtocolFactory(code=code, status="active", in_use=True, sessions=session_rows(3, gap=(60, 90, 120)))
                 for code in CODES]
    values = {"patients": patients, "protocols": [p.pk for p in protocols], "codes": len(CODES),
              "site": site.pk, "doctors": [d.pk for d in doctors], "rooms": [r.pk for r in rooms],
              "pr": PRACTITIONERS, "slots": SLOTS_PER_DAY, "first": FIRST_DAY, "recorder": recorder.pk}
    with connection.cursor() as cursor:
        # Triggers of the audit trail would write a history row per row: this is bulk fixture data.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO patients_patient (first_name, last_name, email, phone, date_of_birth, sex, language,
                timezone, reminder_opt_in, investigational_ack, notes, created_at, updated_at)
            SELECT 'Bench', 'Patient ' || g, 'bench' || g || '@example.test', '+90532' || lpad(g::text, 7, '0'),
                   '1980-01-01', 'male', 'en', 'Europe/Istanbul', true, true, '', now(), now()
              FROM generate_series(1, %(patients)s) g
            """, values)
        # Patient g's course is anchored on the day of its first session (its slot's day).
        cursor.execute(
            """
            INSERT INTO patients_course (patient_id, protocol_id, protocol_version, location_id, anchor_date,
                status, cancel_reason, created_at)
            SELECT g, (%(protocols)s::bigint[])[1 + g %% %(codes)s], 1, %(site)s,
                   %(first)s::date + ((g - 1) / (%(pr)s * %(slots)s))::int, 'completed', '', now()
              FROM generate_series(1, %(patients)s) g
            """, values)
        cursor.execute(
            """
            INSERT INTO patients_session (course_id, patient_id, location_id, number, kind, start, "end",
                practitioner_id, room_id, status, window_earliest, window_latest, sequence, override_reason,
                cancel_reason, change_request_note, status_before, updated_at)
            SELECT c.id, c.patient_id, c.location_id, n, 'treatment', t, t + interval '30 minutes',
                   (%(doctors)s::bigint[])[1 + (c.patient_id - 1) %% %(pr)s],
                   (%(rooms)s::bigint[])[1 + (c.patient_id - 1) %% %(pr)s], 'completed',
                   (t AT TIME ZONE 'Europe/Istanbul')::date - 7, (t AT TIME ZONE 'Europe/Istanbul')::date + 7,
                   0, '', '', '', '', now()
              FROM patients_course c, generate_series(1, 3) n,
                   LATERAL (SELECT ((c.anchor_date + (ARRAY[0, 90, 180])[n]) + interval '6 hours'
                                    + (((c.patient_id - 1) / %(pr)s) %% %(slots)s) * interval '30 minutes')
                                   AT TIME ZONE 'UTC' AS t) s
            """, values)
        # Density at the vertex at every session, shaft diameter at the first and the last: five.
        cursor.execute(
            """
            INSERT INTO patients_measurement (session_id, metric, site, method, value, recorded_by_id,
                recorded_at, revision)
            SELECT s.id, m.metric, 'vertex', 'trichoscopy',
                   CASE m.metric WHEN 'density' THEN 100 + (s.patient_id * 37) %% 50 + s.number * 8
                                              + (s.patient_id * s.number * 7) %% 11
                                 ELSE 50 + (s.patient_id * 13) %% 20 + s.number END,
                   %(recorder)s, s."end", 1
              FROM patients_session s
              JOIN (VALUES ('density'), ('shaft_diameter')) m(metric)
                ON m.metric = 'density' OR s.number IN (1, 3)
            """, values)
        cursor.execute(
            """
            INSERT INTO patients_adverseevent (patient_id, session_id, onset, kind, severity, serious, description,
                outcome, reported_by, filed_by_id, filed_at)
            SELECT s.patient_id, s.id, (s.start AT TIME ZONE 'Europe/Istanbul')::date, 'redness', 'mild', false, '',
                   'resolved', 'staff', %(recorder)s, s."end"
              FROM patients_session s WHERE s.number = 1 AND s.patient_id %% 50 = 0
            """, values)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT (SELECT count(*) FROM patients_session), (SELECT count(*) FROM patients_measurement),"
                       " (SELECT count(*) FROM patients_adverseevent)")
        sessions, measurements, events = cursor.fetchone()
    print(f"loaded {patients:,} patients, {sessions:,} completed sessions, {measurements:,} measurements, "
          f"{events:,} adverse events, {len(CODES)} protocols")
    if measurements != patients * 5:
        fail(f"{measurements:,} measurements were written, not {patients * 5:,}")
    return {"location": site, "patients": patients}


def client_for_doctor():
    from django.test import Client

    from clinic.management.commands.create_staff import staff_upsert
    from clinic.roles import Role

    user = staff_upsert(username="bench-doctor", role=Role.DOCTOR, password="x", validate=False)
    client = Client()
    client.force_login(user)
    return client


def expected_cohort(patients: int, index: int) -> int:
    """How many patients the protocol CODES[index] has: g with g mod 4 == index, 1 <= g <= patients."""
    return len(range(index or len(CODES), patients + 1, len(CODES)))


def time_outcomes_report(client, patients: int, runs: int) -> tuple[list[float], float, dict]:
    timings, first, body = [], 0.0, {}
    for n in range(runs + 1):
        index = n % len(CODES)
        url = f"/api/v1/reports/outcomes/?protocol_code={CODES[index]}&metric=density&day=90"
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            fail(f"outcomes report answered {response.status_code}: {response.content[:300]!r}")
        body = response.json()
        if body["patients"] != expected_cohort(patients, index) or body["ci95"] is None:
            fail(f"outcomes report of {CODES[index]} counted {body['patients']} patients, "
                 f"not {expected_cohort(patients, index)}: {body}")
        if n == 0:
            first = elapsed  # imports SciPy
        else:
            timings.append(elapsed)
    return timings, first, body


def time_chart(client, patients: int, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    for n in range(runs):
        patient = 1 + (n * 7919) % patients
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(f"/api/v1/patients/{patient}/outcomes/")
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            fail(f"patient {patient}'s outcomes answered {response.status_code}: {response.content[:300]!r}")
        shape = [(s["metric"], len(s["points"])) for s in response.json()["series"]]
        if shape != [("density", 3), ("shaft_diameter", 2)]:
            fail(f"patient {patient}'s outcomes are {shape}, not density ×3 and shaft diameter ×2")
        if queries and len(captured) != queries:
            fail(f"patient {patient}'s outcomes ran {len(captured)} queries, the patient before {queries}")
        queries = len(captured)
    return timings, queries


def time_adherence(client, world: dict, runs: int) -> list[float]:
    timings = []
    for n in range(runs):
        start = FIRST_DAY + timedelta(days=DAYS[n % len(DAYS)])  # a month of first, second or third visits
        url = (f"/api/v1/reports/adherence/?location={world['location'].pk}&from={start}"
               f"&to={start + timedelta(days=30)}")
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or not response.json()["sessions"]:
            fail(f"adherence answered {response.status_code} with no session: {response.content[:300]!r}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--database", default="anagen_bench_outcomes")
    args = parser.parse_args()
    if args.patients < len(CODES) * 3:
        parser.error(f"--patients: at least {len(CODES) * 3}, so that every protocol's report has an interval")
    django_on_bench_database(args.database)
    started = time.perf_counter()
    world = load(args.patients)
    print(f"(seeded in {time.perf_counter() - started:.0f} s)")
    client = client_for_doctor()
    report, first, body = time_outcomes_report(client, args.patients, args.runs)
    print(f"outcomes report, one protocol ({body['patients']:,} patients, density at day 90): {summary(report)} "
          f"(target: p95 under 200 ms); the first call, importing SciPy: {first:.0f} ms")
    print(f"  e.g. {body['protocol_code']}: mean change {body['mean_change']}, 95% CI {body['ci95']}, "
          f"median {body['median_change']}, adverse events per 100 sessions {body['adverse_events_per_100_sessions']}")
    chart, queries = time_chart(client, args.patients, args.runs)
    print(f"patient chart data (GET /patients/{{id}}/outcomes/): {summary(chart)}, {queries} queries "
          "(target: p95 under 30 ms)")
    adherence = time_adherence(client, world, max(6, args.runs // 6))
    print(f"adherence report, one location, 31 days, {PRACTITIONERS} practitioners: {summary(adherence)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
