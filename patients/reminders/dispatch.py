"""The reminder dispatcher: claims due outbox rows and sends them, each exactly once.

`reminder_dispatch_due` claims due rows with a conditional UPDATE over `FOR UPDATE SKIP LOCKED`
(two dispatchers never take the same row; a claim whose worker died is taken again after its
lease), re-reads each session at send time under its lock, sends over one SMTP connection, and
records the outcome before the next email goes out. Celery beat runs it every
REMINDER_DISPATCH_SECONDS (patients/tasks.py); `manage.py send_due_reminders` runs one pass.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.core import mail
from django.db import connection
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


# --- One email's transaction ----------------------------------------------------------------
#
# Each email is sent inside its own short transaction that holds its row (and its session) and
# commits the outcome before the next email: a worker killed mid-batch repeats at most the one
# email on the wire. It costs one round trip per email: the outcome, its COMMIT, and the next
# email's BEGIN and locks travel together (the first email of a batch opens on its own).
#
# The rows are found by primary key alone and whose they are is checked on the locked row: a
# `status = 'pending'` condition would let the planner walk the partial index of pending rows,
# whose length is every reminder queued for the future.

_LOCK_SQL = """
    {begin};
    SELECT 1 FROM {session} WHERE id = %(session)s FOR SHARE;
    SELECT r.status, r.claimed_by, s.status, s.sequence, s.start, s."end", s.practitioner_id, s.number, s.kind
      FROM {reminder} r LEFT JOIN {session} s ON s.id = r.session_id
     WHERE r.id = %(reminder)s
       FOR UPDATE OF r
"""
_SESSION_FIELDS = ("status", "sequence", "start", "end", "practitioner_id", "number", "kind")


class _Held:
    """The SQL that opens, commits and abandons one email's transaction.

    At the top level it is a transaction of its own. Inside a caller's transaction (an atomic
    block around a pass, as in tests) it is a savepoint of that one, so nothing is committed
    behind the caller's back."""

    def __init__(self) -> None:
        if connection.get_autocommit():
            # The email is the durable effect; its "sent" mark need not wait for a disk flush. A
            # worker killed mid-batch loses nothing committed; only a crash of PostgreSQL itself
            # could forget the last marks and re-send those few emails.
            self.begin = "BEGIN; SET LOCAL synchronous_commit TO OFF"
            self.commit, self.rollback = "COMMIT", "ROLLBACK"
        else:
            self.begin = "SAVEPOINT anagen_send"
            self.commit = "RELEASE SAVEPOINT anagen_send"
            self.rollback = "ROLLBACK TO SAVEPOINT anagen_send; RELEASE SAVEPOINT anagen_send"
        tables = {"reminder": Reminder._meta.db_table, "session": Session._meta.db_table}
        self.lock_sql = _LOCK_SQL.format(begin=self.begin, **tables)
        self.open = False
        self.ahead: tuple[int, tuple | None] | None = None  # (reminder id, its locked row)

    def hold(self, reminder: Reminder, worker: str) -> bool:
        """Open the transaction and lock the session, then the row (the order a move takes them
        in, so the two never deadlock); bring `reminder.session` up to date. False, with nothing
        left open, when the row is no longer this worker's to send."""
        if self.ahead is not None and self.ahead[0] == reminder.pk:
            row = self.ahead[1]  # opened and locked by the previous email's commit
        else:
            self.abandon()  # a transaction opened ahead for another row (none in practice)
            self.open = True  # from here on, a failure must roll back what BEGIN opened
            with connection.cursor() as cursor:
                cursor.execute(self.lock_sql, self._lock_params(reminder))
                row = cursor.fetchone()
        self.ahead = None
        if row is None or row[0] != "pending" or row[1] != worker:
            self.abandon()
            return False
        if reminder.session_id:
            fresh = dict(zip(_SESSION_FIELDS, row[2:], strict=True))
            session = reminder.session
            if fresh["practitioner_id"] != session.practitioner_id:
                reminder.session = Session.objects.select_related("practitioner").get(pk=session.pk)
            else:
                for name, value in fresh.items():
                    setattr(session, name, value)
        return True

    def finish(self, reminder: Reminder, *, then: Reminder | None = None, **fields) -> None:
        """Record the outcome on the held row and commit, in one round trip. With `then`, the same
        round trip opens the next email's transaction and locks its rows (see `hold`)."""
        fields["claimed_until"] = None
        sql = _update_sql(tuple(fields), self.commit)
        params = {f"f{i}": value for i, value in enumerate(fields.values())} | {"id": reminder.pk}
        if then is not None:
            sql += ";" + self.lock_sql
            params |= self._lock_params(then)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            self.open = then is not None
            if then is not None:
                self.ahead = (then.pk, cursor.fetchone())

    def abandon(self) -> None:
        self.ahead = None
        if self.open:
            self.open = False
            with connection.cursor() as cursor:
                cursor.execute(self.rollback)

    @staticmethod
    def _lock_params(reminder: Reminder) -> dict:
        return {"reminder": reminder.pk, "session": reminder.session_id}


@lru_cache(maxsize=32)
def _update_sql(names: tuple[str, ...], commit: str) -> str:
    """The outcome's UPDATE and COMMIT for these columns, written once per shape of outcome. Plain
    SQL, no query compiling per email: table and column names come from the model's metadata,
    every value is a parameter."""
    columns = ", ".join(f'"{Reminder._meta.get_field(name).column}" = %(f{i})s' for i, name in enumerate(names))
    return f"UPDATE {Reminder._meta.db_table} SET {columns} WHERE id = %(id)s; {commit}"  # noqa: S608


def _record(held: _Held, reminder: Reminder, worker: str, **fields) -> None:
    """Record an outcome in a transaction of its own, if the row is still ours."""
    if held.hold(reminder, worker):
        held.finish(reminder, **fields)


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
    from patients.reminders.emails import (  # rendering is heavier; keep its imports out of booking
        build_message,
        inert_links,
    )

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
    mailer = mail.mailers.default
    opened = False
    held = _Held()
    try:
        for position, reminder in enumerate(reminders):
            following = reminders[position + 1] if position + 1 < len(reminders) else None
            try:
                # Hold the row while sending, and only if the claim is still ours: a lease that
                # ran out mid-batch may have passed it to another dispatcher, whose claim query
                # skips rows locked here. The session is re-read under its lock: a move or
                # cancellation waits until this email is out (and then sends its own), so an old
                # time is never announced.
                if not held.hold(reminder, worker):
                    result.claimed -= 1
                    continue
                # Judge against the real clock too: a batch may take a while, and a session that
                # has started by now must not be announced.
                verdict = _verdict(reminder, max(now, timezone.now()))
                if verdict:
                    status, reason = verdict
                    held.finish(reminder, then=following, status=status, last_error=reason)
                    setattr(result, status, getattr(result, status) + 1)
                    continue
                try:
                    message = build_message(reminder)
                except ValueError as error:  # an address no mail server could take: no retry helps
                    held.finish(
                        reminder,
                        then=following,
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
                held.finish(
                    reminder,
                    then=following,
                    status="sent",
                    sent_at=timezone.now(),
                    attempts=reminder.attempts + 1,
                    message_id=message.extra_headers["Message-ID"],
                    last_error="",
                    # The copy staff can open: the patient's links in it must not work.
                    rendered_subject=message.subject,
                    rendered_text=inert_links(message.body),
                    rendered_html=inert_links(message.html),
                )
                result.sent += 1
            except (smtplib.SMTPException, OSError) as error:
                held.abandon()
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
                    _record(held, reminder, worker, status="failed", attempts=attempts, last_error=text)
                    result.failed += 1
                else:
                    retry_at = max(now, timezone.now()) + backoff(attempts)
                    _record(held, reminder, worker, attempts=attempts, last_error=text, send_at=retry_at)
                    result.retried += 1
            except BaseException:
                held.abandon()
                raise
    finally:
        held.abandon()  # every path commits or rolls back its own; this only guards against a slip
        if opened:
            try:
                mailer.close()
            except Exception:  # closing after a successful batch is best effort
                logger.debug("closing the SMTP connection failed", exc_info=True)
    return result
