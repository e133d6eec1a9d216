"""The reminder dispatcher: claims due outbox rows and sends them, each exactly once.

`reminder_dispatch_due` claims due rows with a conditional UPDATE over the rows it locks with
SKIP LOCKED (two dispatchers never take the same row; a claim whose worker died is taken again
after its lease), re-reads each session at send time under its lock, sends over
one connection of Django's default mailer, and records the outcome in the email's own
`transaction.atomic` before the next email goes out. Celery beat runs it every
REMINDER_DISPATCH_SECONDS (patients/tasks.py); `manage.py send_due_reminders` runs one pass.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime

from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from patients.models import Reminder, Session
from patients.registry.selectors import patient_accepts_email
from patients.reminders.outbox import backoff, lease

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Rows one claim takes: the claim's UPDATE grows with it (about 1-2 ms for 100 among a million rows).
DISPATCH_BATCH = 100


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


# A conditional UPDATE claim over the due rows it locks with SKIP LOCKED: one statement (half the
# time of a SELECT ... FOR UPDATE and then an UPDATE, since each row is locked and rewritten once),
# and RETURNING says which rows it got, which the ORM's update() cannot. The table name comes
# from model metadata; every value is a query parameter.
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

    Two dispatchers never claim the same row (SKIP LOCKED), and a row whose lease ran out (its
    worker died) can be claimed again."""
    sql = _CLAIM_SQL.replace("{table}", Reminder._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [worker, now + lease(), now, now, batch])
        return sorted(row[0] for row in cursor.fetchall())


# --- One email's transaction ----------------------------------------------------------------
#
# Each email is sent inside its own short transaction (`transaction.atomic`) that holds its
# session and its row and commits the outcome before the next email: a worker killed mid-batch
# repeats at most the one email on the wire. Inside a caller's transaction (an atomic block
# around a pass, as in tests) it is a savepoint of that one, so nothing is committed behind the
# caller's back.
#
# The rows are found by primary key alone and whose they are is checked on the locked row: a
# `status = 'pending'` condition would let the planner walk the partial index of pending rows,
# whose length is every reminder queued for the future.

_SESSION_FIELDS = ("status", "sequence", "start", "end", "practitioner_id", "number", "kind")


def _relaxed_commit() -> None:
    """The email is the durable effect; its "sent" mark need not wait for a disk flush. A worker
    killed mid-batch loses nothing committed; only a crash of PostgreSQL itself could forget the
    last marks and re-send those few emails. (SET LOCAL: this transaction only.)"""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _hold(reminder: Reminder, worker: str) -> bool:
    """Lock the session, then the row (the order a move takes them in, so the two never
    deadlock); bring `reminder.session` up to date. False when the row is no longer this
    worker's to send. Call inside the email's atomic block.

    The session is locked FOR NO KEY UPDATE: a move or cancellation (FOR UPDATE) waits until this
    email is out and then sends its own, so an old time is never announced."""
    if reminder.session_id:
        fresh = (
            Session.objects.select_for_update(no_key=True)
            .filter(pk=reminder.session_id)
            .values(*_SESSION_FIELDS)
            .first()
        )
    row = Reminder.objects.select_for_update().filter(pk=reminder.pk).values_list("status", "claimed_by").first()
    if row is None or row != ("pending", worker):
        return False
    if reminder.session_id and fresh is not None:
        session = reminder.session
        if fresh["practitioner_id"] != session.practitioner_id:
            reminder.session = Session.objects.select_related("practitioner").get(pk=session.pk)
        else:
            for name, value in fresh.items():
                setattr(session, name, value)
    return True


def _finish(reminder: Reminder, **fields) -> None:
    """Record the outcome on the held row (the claim ends with it)."""
    Reminder.objects.filter(pk=reminder.pk).update(claimed_until=None, **fields)


def _record(reminder: Reminder, worker: str, **fields) -> None:
    """Record an outcome in a transaction of its own, if the row is still ours."""
    with transaction.atomic():
        if _hold(reminder, worker):
            _finish(reminder, **fields)


# --- The pass -------------------------------------------------------------------------------


def _verdict(reminder: Reminder, now: datetime) -> tuple[str, str] | None:
    """Re-read at send time: should this row not be sent after all? (status, reason) or None."""
    session = reminder.session
    patient = reminder.patient
    if not patient_accepts_email(patient, reminder.kind):
        if not patient.email:
            return "skipped", "The patient has no email address."
        return "skipped", "The patient has not consented to reminder emails."
    if reminder.kind == "reminder":
        if session.status not in Session.MOVABLE:
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
    """The mail server (or the sending service's API) could not be reached or dropped us: a fault
    of the path, not of the email."""
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return True
    if isinstance(error, AnymailAPIError):
        # A service's API that did not answer, or answered that it is failing itself (5xx, 429).
        return error.status_code is None or error.status_code >= 500 or error.status_code == 429
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _permanent(error: Exception) -> bool:
    """A refusal no retry will change: the server's 5xx for this email, or recipients refused."""
    if isinstance(error, (smtplib.SMTPRecipientsRefused, AnymailRecipientsRefused, AnymailInvalidAddress)):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


# What a send may raise that is about the path or the email, not a bug: each is recorded on the row.
_SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailAPIError, AnymailRecipientsRefused, AnymailInvalidAddress)


def _sent_fields(message, reminder: Reminder) -> dict:
    from patients.reminders.emails import inert_links

    # Set by anymail's backends: the service's id of the message (one recipient: one id).
    status = getattr(message, "anymail_status", None)
    esp_id = status.message_id if status is not None else None
    return {
        "status": "sent",
        "sent_at": timezone.now(),
        "attempts": reminder.attempts + 1,
        "message_id": message.extra_headers["Message-ID"],
        "esp_message_id": "" if esp_id is None else str(esp_id)[:255],
        "last_error": "",
        # The copy staff can open: the patient's links in it must not work.
        "rendered_subject": message.subject,
        "rendered_text": inert_links(message.body),
        "rendered_html": inert_links(message.alternatives[0].content),
    }


def reminder_dispatch_due(
    *, now: datetime | None = None, batch: int = DISPATCH_BATCH, worker: str | None = None
) -> DispatchResult:
    """One dispatch pass: claim due rows, then send them over one mail connection."""
    worker = worker or worker_name()
    now = now or timezone.now()
    ids = reminder_claim_due(now=now, batch=batch, worker=worker)
    return reminder_send_claimed(ids=ids, worker=worker, now=now)


def reminder_send_claimed(*, ids: list[int], worker: str, now: datetime | None = None) -> DispatchResult:
    """Send rows this worker has claimed, re-reading each session first; record every outcome.

    One connection of Django's default mailer (SMTP or a sending service) for the batch."""
    from patients.reminders.emails import batch_reads, build_message  # rendering is heavier; keep it out of booking

    now = now or timezone.now()
    result = DispatchResult(claimed=len(ids))
    if not ids:
        return result
    # Whose each row is gets checked when it is locked, just before its send.
    reminders = list(
        Reminder.objects.filter(pk__in=ids)
        .select_related("session", "session__practitioner", "course__location", "course__protocol", "patient")
        .order_by("send_at", "id")
    )
    reads = batch_reads(reminders)  # read once for the batch, not once per email
    own_transactions = not connection.in_atomic_block  # else each email is a savepoint of the caller's
    mailer = mail.mailers.default
    opened = False
    try:
        for reminder in reminders:
            try:
                with transaction.atomic():
                    if own_transactions:
                        _relaxed_commit()
                    # Hold the row while sending, and only if the claim is still ours: a lease that
                    # ran out mid-batch may have passed it to another dispatcher, whose claim query
                    # skips rows locked here. The session is re-read under its lock.
                    if not _hold(reminder, worker):
                        result.claimed -= 1
                        continue
                    # Judge against the real clock too: a batch may take a while, and a session that
                    # has started by now must not be announced.
                    verdict = _verdict(reminder, max(now, timezone.now()))
                    if verdict:
                        status, reason = verdict
                        _finish(reminder, status=status, last_error=reason)
                        setattr(result, status, getattr(result, status) + 1)
                        continue
                    try:
                        message = build_message(reminder, reads)
                    except ValueError as error:  # an address no mail server could take: no retry helps
                        _finish(reminder, status="failed", attempts=reminder.attempts + 1,
                                last_error=str(error)[:500])
                        result.failed += 1
                        continue
                    if not opened:
                        mailer.open()
                        opened = True
                    if not mailer.send_messages([message]):
                        raise smtplib.SMTPException("the mail server accepted none of the recipients")
                    _finish(reminder, **_sent_fields(message, reminder))
                    result.sent += 1
            except _SEND_ERRORS as error:  # the email's transaction rolled back: its row is as it was
                opened = False
                try:
                    mailer.close()
                except Exception:  # the connection is already broken; closing it is best effort
                    logger.debug("closing a broken mail connection failed", exc_info=True)
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
                if attempts >= MAX_ATTEMPTS or _permanent(error):
                    _record(reminder, worker, status="failed", attempts=attempts, last_error=text)
                    result.failed += 1
                else:
                    retry_at = max(now, timezone.now()) + backoff(attempts)
                    _record(reminder, worker, attempts=attempts, last_error=text, send_at=retry_at)
                    result.retried += 1
    finally:
        if opened:
            try:
                mailer.close()
            except Exception:  # closing after a successful batch is best effort
                logger.debug("closing the mail connection failed", exc_info=True)
    return result
