"""Reminder dispatch throughput against a local SMTP server, beside a plain smtplib loop, and the
time of one claim query with 1,000,000 reminder rows in the table.

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/reminders.py [--count 10000]

The dispatcher's figure includes everything it does per email: claim, row lock, re-reading the
session, rendering text + HTML (+ .ics) in the patient's language, SMTP, recording the outcome.
The plain loop sends the same rendered messages over one connection: the floor of the SMTP path.
Targets: at least half the plain loop's throughput; a claim under 5 ms.
"""

import argparse
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_on_bench_database, summary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--table-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    django_on_bench_database("anagen_bench_reminders")

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from patients.emails import build_message
    from patients.models import Course, Reminder, Session
    from patients.reminders import reminder_claim_due, reminder_dispatch_due
    from tests.factories import LocationFactory, PatientFactory, PractitionerFactory, ProtocolFactory, RoomFactory
    from tests.helpers import free_port

    with connection.cursor() as cursor:
        # A fresh start on every run: CASCADE reaches every table that refers to these.
        cursor.execute("TRUNCATE clinic_location, protocols_protocol, patients_patient RESTART IDENTITY CASCADE")
    port = free_port()
    count_file = Path(tempfile.mkdtemp()) / "count"
    sink = subprocess.Popen([sys.executable, str(Path(__file__).parent / "smtp_sink.py"), str(port), str(count_file)],
                            stdout=subprocess.PIPE, text=True)
    assert sink.stdout.readline().strip() == "ready"
    settings.MAILERS = {"default": {"BACKEND": "clinic.mail.SMTPBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}}}
    now = timezone.now()

    # 100 sessions of 100 patients; each session carries 100 due rows (distinct offsets).
    location = LocationFactory(name="Bench clinic")
    doctor, room = PractitionerFactory(location=location), RoomFactory(location=location)
    protocol = ProtocolFactory(status="active", sessions=1)
    sessions = []
    for n in range(100):
        patient = PatientFactory(email=f"bench{n}@example.test", language=["en", "tr", "ar", "es", "de"][n % 5])
        course = Course.objects.create(patient=patient, protocol=protocol, protocol_version=1, location=location,
                                       anchor_date=now.date())
        start = now + timedelta(days=3, hours=n)
        sessions.append(Session.objects.create(
            course=course, patient=patient, location=location, number=1, start=start,
            end=start + timedelta(minutes=30), practitioner=doctor, room=room,
            window_earliest=start.date(), window_latest=start.date()))
    per_session = args.count // len(sessions)
    Reminder.objects.bulk_create(
        [Reminder(course_id=s.course_id, session=s, patient_id=s.patient_id, kind="reminder", offset=f"b{i}",
                  send_at=now - timedelta(seconds=1)) for s in sessions for i in range(per_session)],
        batch_size=5000)
    total = per_session * len(sessions)

    started = time.perf_counter()
    sent = 0
    while True:
        result = reminder_dispatch_due()
        sent += result.sent
        if result.claimed == 0:
            break
    dispatch_seconds = time.perf_counter() - started
    assert sent == total, (sent, total)
    # The same messages, rendered beforehand, for the plain loop.
    messages = [build_message(r).wire_bytes for r in Reminder.objects.select_related(
        "session__practitioner", "course__location", "course__protocol", "patient").filter(status="sent")]

    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for raw in messages:
            client.sendmail("no-reply@anagen.local", ["bench@example.test"], raw)
    plain_seconds = time.perf_counter() - started
    sink.terminate()
    sink.wait()
    received = int(count_file.read_text())
    assert received == 2 * total, (received, total)

    dispatch_rate, plain_rate = total / dispatch_seconds, total / plain_seconds
    print(f"dispatcher: {total} emails in {dispatch_seconds:.1f} s = {dispatch_rate:.0f} emails/s")
    print(f"plain smtplib loop, same messages, one connection: {plain_rate:.0f} emails/s")
    print(f"dispatcher / plain loop: {dispatch_rate / plain_rate:.0%} (target: at least 50%)")

    # The claim with a big table: mostly history (sent, expired), a few thousand due.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_reminder")
        have = cursor.fetchone()[0]
        missing = max(0, args.table_rows - have)
        cursor.execute(
            """
            INSERT INTO patients_reminder (course_id, session_id, patient_id, kind, "offset", session_sequence,
                send_at, status, attempts, last_error, message_id, payload, claimed_by, created_at,
                rendered_subject, rendered_text, rendered_html)
            SELECT s.course_id, s.id, s.patient_id, 'reminder', 'h' || g, 0,
                   now() - (g || ' minutes')::interval,
                   CASE WHEN g %% 500 = 0 THEN 'pending' ELSE 'sent' END, 1, '', '', '{}', '', now(), '', '', ''
              FROM generate_series(1, %s) AS g
              JOIN patients_session s ON s.id = 1 + (g %% 100)
            """, [missing])
        cursor.execute("ANALYZE patients_reminder")
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM patients_reminder")
        rows, pending = cursor.fetchone()
    for batch in (100, 200):
        timings = []
        for _ in range(50):
            with transaction.atomic():
                started = time.perf_counter()
                claimed = reminder_claim_due(now=timezone.now(), batch=batch, worker="bench")
                timings.append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)
        print(f"claim of {len(claimed)} due rows (batch {batch}) among {rows:,} reminders ({pending:,} pending): "
              f"{summary(timings)} (target: under 5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
