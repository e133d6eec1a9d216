"""The reminder outbox: what booking, moves and cancellations queue.

Rows are written in the transaction that causes them; patients/dispatch.py sends them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from clinic.hours import parse_offset
from patients.models import Course, Reminder, Session


def lease() -> timedelta:
    """How long a claim holds before another dispatcher may take the row (its worker died)."""
    return timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Wait before retrying after a temporary failure: 1, 2, 4, 8 × the base (a minute by default)."""
    return timedelta(seconds=settings.REMINDER_RETRY_BASE_SECONDS) * 2 ** (attempts - 1)


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


def withdraw_aftercare(*, session: Session) -> None:
    """A completion undone: its aftercare email goes only if it has already gone."""
    _cancel_pending([session], kinds=("aftercare",))


# --- Staff actions ---------------------------------------------------------------------------


def reminder_retry(*, reminder: Reminder, now: datetime | None = None) -> Reminder:
    """Put a failed reminder back in the queue (staff button)."""
    now = now or timezone.now()
    updated = Reminder.objects.filter(pk=reminder.pk, status="failed").update(
        status="pending", send_at=now, attempts=0, last_error="", claimed_until=None, claimed_by=""
    )
    if not updated:
        from clinic.errors import Conflict

        raise Conflict(gettext("Only a failed reminder can be retried."), code="invalid_transition")
    reminder.refresh_from_db()
    return reminder


def local_times(start: datetime, clinic_zone: str, patient_zone: str) -> tuple[datetime, datetime | None]:
    """A session's start in the clinic's zone, and in the patient's when it differs there."""
    clinic_time = start.astimezone(ZoneInfo(clinic_zone))
    patient_time = start.astimezone(ZoneInfo(patient_zone)) if patient_zone else clinic_time
    same = patient_time.utcoffset() == clinic_time.utcoffset()
    return clinic_time, None if same else patient_time
