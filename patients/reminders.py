"""The reminder outbox: what booking, moves and cancellations queue, and the dispatcher that sends it.

Rows are written in the transaction that causes them. `reminder_dispatch_due` claims due rows
with a conditional UPDATE over `FOR UPDATE SKIP LOCKED` (two dispatchers never take the same row;
a claim whose worker died is taken again after its lease), re-reads each session at send time,
sends over one SMTP connection, and records the outcome. Celery beat runs it every
REMINDER_DISPATCH_SECONDS; `manage.py send_due_reminders` runs one pass.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from clinic.hours import parse_offset

from .models import Course, Reminder, Session
from .selectors import patient_accepts_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Rows one claim takes: the claim's UPDATE grows with it (about 4 ms for 100 among a million rows).
DISPATCH_BATCH = 100


def lease() -> timedelta:
    """How long a claim holds before another dispatcher may take the row (its worker died)."""
    return timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Wait before retrying after a temporary failure: 1, 2, 4, 8 × the base (a minute by default)."""
    return timedelta(seconds=settings.REMINDER_RETRY_BASE_SECONDS) * 2 ** (attempts - 1)


def message_id_for(reminder: Reminder) -> str:
    """A fixed Message-ID per reminder row, so a copy is recognisable as the same email."""
    from .emails import site_domain  # rendering is heavier; keep its imports out of booking

    return f"<anagen-{reminder.kind}-{reminder.pk}@{site_domain()}>"


# --- Queueing (called inside the booking transaction) -----------------------------------------


def _reminder_rows(session: Session, offsets: Iterable[str], *, now: datetime) -> list[Reminder]:
    rows = []
    for offset in offsets:
        send_at = session.start - parse_offset(offset)
        if send_at <= now:
            continue  # its moment has passed: never sent late
        rows.append(
            Reminder(
                course_id=session.course_id,
                session=session,
                patient_id=session.patient_id,
                kind="reminder",
                offset=offset,
                session_sequence=session.sequence,
                send_at=send_at,
            )
        )
    return rows


def queue_for_booking(*, course: Course, sessions: list[Session], now: datetime) -> None:
    """One confirmation with every session, and a reminder per offset of the location per session."""
    offsets = course.location.reminder_offsets or settings.REMINDER_OFFSETS
    rows = [
        Reminder(
            course=course,
            patient_id=course.patient_id,
            kind="confirmation",
            send_at=now,
            payload={"sessions": [[s.pk, s.sequence] for s in sessions]},
        )
    ]
    for session in sessions:
        rows.extend(_reminder_rows(session, offsets, now=now))
    Reminder.objects.bulk_create(rows)


def _cancel_pending(sessions: Iterable[Session], kinds: Iterable[str] = ("reminder", "aftercare")) -> None:
    Reminder.objects.filter(session__in=list(sessions), kind__in=list(kinds), status="pending").update(
        status="cancelled", claimed_until=None
    )


def queue_for_change(*, course: Course, sessions: list[Session], now: datetime) -> None:
    """Moved sessions: their old reminders are cancelled, new ones queued, and one change email
    carries every moved session's updated calendar entry."""
    _cancel_pending(sessions, kinds=("reminder",))
    offsets = course.location.reminder_offsets or settings.REMINDER_OFFSETS
    rows = [
        Reminder(
            course=course,
            session=sessions[0],
            patient_id=course.patient_id,
            kind="change",
            session_sequence=sessions[0].sequence,
            send_at=now,
            payload={"sessions": [[s.pk, s.sequence] for s in sessions]},
        )
    ]
    for session in sessions:
        rows.extend(_reminder_rows(session, offsets, now=now))
    Reminder.objects.bulk_create(rows)


def queue_for_cancellation(*, course: Course, sessions: list[Session], now: datetime) -> None:
    """Cancelled sessions: pending reminders cancelled; one cancellation email (METHOD:CANCEL)."""
    _cancel_pending(sessions)
    single = sessions[0] if len(sessions) == 1 else None
    Reminder.objects.create(
        course=course,
        session=single,
        patient_id=course.patient_id,
        kind="cancellation",
        session_sequence=single.sequence if single else 0,
        send_at=now,
        payload={"sessions": [[s.pk, s.sequence] for s in sessions]},
    )


def queue_for_status(*, session: Session, now: datetime) -> None:
    """A completed treatment session gets its aftercare email."""
    if session.status == "completed" and session.kind == "treatment":
        Reminder.objects.get_or_create(
            session=session,
            kind="aftercare",
            offset="",
            session_sequence=session.sequence,
            defaults={"course_id": session.course_id, "patient_id": session.patient_id, "send_at": now},
        )


# --- Dispatching ----------------------------------------------------------------------------


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    expired: int = 0
    cancelled: int = 0
    unreachable: bool = False  # the mail server could not be reached: stop until the next pass


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# The table name comes from model metadata; every value is a query parameter.
_CLAIM_SQL = """
    UPDATE {table} AS r
       SET claimed_by = %s, claimed_until = %s
     WHERE r.id IN (
           SELECT id FROM {table}
            WHERE status = 'pending' AND send_at <= %s
              AND (claimed_until IS NULL OR claimed_until < %s)
            ORDER BY send_at, id
            LIMIT %s
            FOR UPDATE SKIP LOCKED)
    RETURNING r.id
"""


def reminder_claim_due(*, now: datetime, batch: int, worker: str) -> list[int]:
    """Claim up to `batch` due rows for this worker until now + lease(); returns their ids.

    A conditional UPDATE over rows locked with SKIP LOCKED: two dispatchers never claim the same
    row, and a row whose lease ran out (its worker died) can be claimed again."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL.replace("{table}", Reminder._meta.db_table), [worker, now + lease(), now, now, batch])
        return sorted(row[0] for row in cursor.fetchall())


def _finish(reminder: Reminder, worker: str, **fields) -> bool:
    """Record an outcome, only if we still hold the claim (a lease may have passed to another)."""
    fields["claimed_until"] = None
    # Plain SQL, one round trip and no query compiling per email; table and column names come
    # from the model's metadata, every value is a parameter.
    columns = ", ".join(f'"{Reminder._meta.get_field(name).column}" = %s' for name in fields)
    sql = f"UPDATE {Reminder._meta.db_table} SET {columns} WHERE id = %s AND claimed_by = %s AND status = 'pending'"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fields.values(), reminder.pk, worker])
        return cursor.rowcount == 1


# Lock the session before the reminder, the order a move takes them in (session, then its pending
# reminders), so the two never deadlock; one round trip for both. The second statement reads the
# session as committed after its lock was granted.
_LOCK_WITH_SESSION_SQL = """
    SELECT 1 FROM {session} WHERE id = %(session)s FOR UPDATE;
    SELECT s.status, s.sequence, s.start, s."end", s.practitioner_id, s.number, s.kind
      FROM {reminder} r JOIN {session} s ON s.id = r.session_id
     WHERE r.id = %(reminder)s AND r.claimed_by = %(worker)s AND r.status = 'pending'
       FOR UPDATE OF r
"""
_LOCK_SQL = """
    SELECT 1 FROM {reminder} WHERE id = %(reminder)s AND claimed_by = %(worker)s AND status = 'pending' FOR UPDATE
"""
_SESSION_FIELDS = ("status", "sequence", "start", "end", "practitioner_id", "number", "kind")


def _hold(reminder: Reminder, worker: str) -> bool:
    """Inside the send's transaction: lock the row (and its session), only if the claim is still
    ours, and bring `reminder.session` up to date. False when the row is no longer ours to send."""
    tables = {"reminder": Reminder._meta.db_table, "session": Session._meta.db_table}
    params = {"reminder": reminder.pk, "worker": worker, "session": reminder.session_id}
    with connection.cursor() as cursor:
        cursor.execute((_LOCK_WITH_SESSION_SQL if reminder.session_id else _LOCK_SQL).format(**tables), params)
        row = cursor.fetchone()
    if row is None:
        return False
    if reminder.session_id:
        fresh = dict(zip(_SESSION_FIELDS, row, strict=True))
        session = reminder.session
        if fresh["practitioner_id"] != session.practitioner_id:
            reminder.session = Session.objects.select_related("practitioner").get(pk=session.pk)
        else:
            for name, value in fresh.items():
                setattr(session, name, value)
    return True


def _verdict(reminder: Reminder, now: datetime) -> tuple[str, str] | None:
    """Re-read at send time: should this row not be sent after all? (status, reason) or None."""
    session = reminder.session
    patient = reminder.patient
    if not patient_accepts_email(patient, reminder.kind):
        if not patient.email:
            return "skipped", "The patient has no email address."
        return "skipped", "The patient has not consented to reminder emails."
    if reminder.kind == "reminder":
        if session.status not in ("booked", "confirmed"):
            return "cancelled", f"The session is {session.status}."
        if session.sequence != reminder.session_sequence:
            return "cancelled", "The session moved after this reminder was queued."
        if session.start <= now:
            return "expired", "The session had started before the reminder could be sent."
    if reminder.kind == "recall":
        if reminder.course.status != "active":
            return "cancelled", "The course is no longer active."
    if reminder.kind == "change" and session is not None and session.sequence != reminder.session_sequence:
        # A newer change email supersedes this one: never announce a time that is no longer true.
        return "cancelled", "The session changed again; a newer email announces it."
    return None


def _server_unreachable(error: Exception) -> bool:
    """The mail server could not be reached or dropped us: a fault of the path, not of the email."""
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def reminder_dispatch_due(
    *, now: datetime | None = None, batch: int = DISPATCH_BATCH, worker: str | None = None
) -> DispatchResult:
    """One dispatch pass: claim due rows, then send them over one SMTP connection."""
    worker = worker or worker_name()
    now = now or timezone.now()
    ids = reminder_claim_due(now=now, batch=batch, worker=worker)
    return reminder_send_claimed(ids=ids, worker=worker, now=now)


def reminder_send_claimed(*, ids: list[int], worker: str, now: datetime | None = None) -> DispatchResult:
    """Send rows this worker has claimed, re-reading each session first; record every outcome."""
    from .emails import build_message  # rendering is heavier; keep its imports out of booking

    now = now or timezone.now()
    result = DispatchResult(claimed=len(ids))
    if not ids:
        return result
    reminders = (
        Reminder.objects.filter(pk__in=ids, claimed_by=worker, status="pending")
        .select_related("session", "session__practitioner", "course__location", "course__protocol", "patient")
        .order_by("send_at", "id")
    )
    mailer = mail.mailers.default
    opened = False
    # The email itself is the durable effect; its "sent" mark need not wait for a disk flush. A
    # worker killed mid-batch loses nothing committed; only a crash of PostgreSQL itself could
    # forget the last marks and re-send those few emails.
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        for reminder in reminders:
            try:
                with transaction.atomic():
                    # Hold the row while sending, and only if the claim is still ours: a lease that
                    # ran out mid-batch may have passed it to another dispatcher, whose claim query
                    # skips rows locked here. The session is re-read under its lock: a move or
                    # cancellation waits until this email is out (and then sends its own), so an
                    # old time is never announced.
                    if not _hold(reminder, worker):
                        result.claimed -= 1
                        continue
                    # Judge against the real clock too: a batch may take a while, and a session
                    # that has started by now must not be announced.
                    verdict = _verdict(reminder, max(now, timezone.now()))
                    if verdict:
                        status, reason = verdict
                        _finish(reminder, worker, status=status, last_error=reason)
                        setattr(result, status, getattr(result, status) + 1)
                        continue
                    try:
                        message = build_message(reminder)
                    except ValueError as error:  # an address no mail server could take: no retry helps
                        _finish(
                            reminder,
                            worker,
                            status="failed",
                            attempts=reminder.attempts + 1,
                            last_error=str(error)[:500],
                        )
                        result.failed += 1
                        continue
                    if not opened:
                        mailer.open()
                        opened = True
                    if not mailer.send_messages([message]):
                        raise smtplib.SMTPException("the mail server accepted none of the recipients")
                    _finish(
                        reminder,
                        worker,
                        status="sent",
                        sent_at=timezone.now(),
                        attempts=reminder.attempts + 1,
                        message_id=message.extra_headers["Message-ID"],
                        last_error="",
                        rendered_subject=message.subject,
                        rendered_text=message.body,
                        rendered_html=message.html,
                    )
                result.sent += 1
            except (smtplib.SMTPException, OSError) as error:
                opened = False
                try:
                    mailer.close()
                except Exception:  # the connection is already broken; closing it is best effort
                    logger.debug("closing a broken SMTP connection failed", exc_info=True)
                text = f"{type(error).__name__}: {error}"[:500]
                if _server_unreachable(error):
                    # Not this email's fault: give the whole batch back untouched (no attempt spent)
                    # and let the next pass try again. Reminders whose session starts meanwhile
                    # expire there; none is sent late.
                    released = Reminder.objects.filter(pk__in=ids, claimed_by=worker, status="pending").update(
                        claimed_until=None, last_error=text
                    )
                    result.retried += released
                    result.unreachable = True
                    break
                attempts = reminder.attempts + 1
                permanent = isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
                permanent = permanent or isinstance(error, smtplib.SMTPRecipientsRefused)
                if attempts >= MAX_ATTEMPTS or permanent:
                    _finish(reminder, worker, status="failed", attempts=attempts, last_error=text)
                    result.failed += 1
                else:
                    _finish(
                        reminder,
                        worker,
                        attempts=attempts,
                        last_error=text,
                        send_at=max(now, timezone.now()) + backoff(attempts),
                    )
                    result.retried += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
        if opened:
            try:
                mailer.close()
            except Exception:  # closing after a successful batch is best effort
                logger.debug("closing the SMTP connection failed", exc_info=True)
    return result


def reminder_retry(*, reminder: Reminder, now: datetime | None = None) -> Reminder:
    """Put a failed reminder back in the queue (staff button)."""
    now = now or timezone.now()
    updated = Reminder.objects.filter(pk=reminder.pk, status="failed").update(
        status="pending", send_at=now, attempts=0, last_error="", claimed_until=None, claimed_by=""
    )
    if not updated:
        from clinic.errors import Conflict

        raise Conflict("Only a failed reminder can be retried.", code="invalid_transition")
    reminder.refresh_from_db()
    return reminder


def local_times(start: datetime, clinic_zone: str, patient_zone: str) -> tuple[datetime, datetime | None]:
    """A session's start in the clinic's zone, and in the patient's when it differs there."""
    clinic_time = start.astimezone(ZoneInfo(clinic_zone))
    patient_time = start.astimezone(ZoneInfo(patient_zone)) if patient_zone else clinic_time
    same = patient_time.utcoffset() == clinic_time.utcoffset()
    return clinic_time, None if same else patient_time
