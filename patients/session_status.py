"""A session's status against the clock: which changes are allowed now, and undoing one made by
mistake.

The time rule (API contract, "Session records"): `arrived` and `completed` only from the
session's local day on, `no_show` only after its start. `patients.booking.session_set_status`
applies it for the API and the pages alike, and the pages offer only the buttons it allows, so a
session two weeks away cannot be marked arrived or a no-show by a slip of the finger. A change made
by mistake can be undone for `SESSION_STATUS_UNDO_MINUTES`, through `session_status_undo` only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pghistory
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Session

# Statuses a change can be undone from, and the statuses it can go back to.
UNDOABLE = {
    "confirmed": {"booked"},
    "arrived": {"booked", "confirmed"},
    "completed": {"arrived", "booked", "confirmed"},
    "no_show": {"booked", "confirmed", "arrived"},
}
_LABELS = dict(Session.Status.choices)


def _local_day(session: Session, moment: datetime):
    return moment.astimezone(ZoneInfo(session.location.timezone)).date()


def status_time_refusal(*, session: Session, status: str, now: datetime) -> str | None:
    """Why the clock forbids `status` for this session now (a sentence for a person), or None.

    The one place the time rule lives: the status service refuses with this sentence, the pages
    use it to decide which buttons to offer."""
    label = _LABELS.get(status, status).lower()
    if status in ("arrived", "completed"):
        day = _local_day(session, session.start)
        if _local_day(session, now) < day:
            return (f"Session {session.number} is on {day:%a %d %b %Y}: it can be marked {label} from that day "
                    "on, not before.")
    if status == "no_show" and now < session.start:
        local = session.start.astimezone(ZoneInfo(session.location.timezone))
        return (f"Session {session.number} starts {local:%a %d %b %Y %H:%M}: it can be marked a no-show only "
                "after it has started.")
    return None


def statuses_allowed_now(*, session: Session, now: datetime) -> set[str]:
    """The statuses this session may move to now: by the state machine and by the clock."""
    from .booking import TRANSITIONS

    return {
        status for status in TRANSITIONS.get(session.status, set())
        if status != "cancelled" and status_time_refusal(session=session, status=status, now=now) is None
    }


def undo_until(session: Session) -> datetime | None:
    """Until when the session's last status change can be undone (None: nothing to undo)."""
    if not session.status_before or session.status_changed_at is None or session.status not in UNDOABLE:
        return None
    return session.status_changed_at + timedelta(minutes=settings.SESSION_STATUS_UNDO_MINUTES)


def can_undo(session: Session, now: datetime) -> bool:
    until = undo_until(session)
    return until is not None and now <= until


def session_status_undo(*, session: Session, by=None, now: datetime | None = None) -> Session:
    """Put a session back to the status it had before its last change, within
    SESSION_STATUS_UNDO_MINUTES of that change. The history records the undo and who made it.

    Undoing a completion withdraws its aftercare email if still unsent and re-opens a course the
    completion had closed; undoing a no-show takes the time back, unless someone was booked into it
    since (409 slot_conflict). Otherwise raises 409 invalid_transition."""
    from . import reminders
    from .booking import InvalidTransition, SlotConflict, check_constraints_now

    now = now or timezone.now()
    context = {"action": "session_status_undo", **({"user": by.pk} if getattr(by, "pk", None) else {})}
    with transaction.atomic(), pghistory.context(**context):
        rows = Session.objects.select_for_update(of=("self",)).select_related("location", "course")
        session = rows.get(pk=session.pk)
        if not can_undo(session, now):
            raise InvalidTransition(
                f"Session {session.number}'s status can no longer be undone: changes can be undone for "
                f"{settings.SESSION_STATUS_UNDO_MINUTES} minutes."
            )
        previous = session.status_before
        if previous not in UNDOABLE[session.status]:
            raise InvalidTransition(f"A {session.get_status_display().lower()} session cannot go back to {previous}.")
        undone = session.status
        session.status = previous
        session.status_before = ""
        session.status_changed_at = None
        session.sequence += 1
        try:
            with transaction.atomic():
                session.save(update_fields=["status", "status_before", "status_changed_at", "sequence", "updated_at"])
                # A no-show frees the time: it is held again only if nobody took it since.
                check_constraints_now()
        except IntegrityError:
            raise SlotConflict(
                f"Session {session.number}'s time was given to another booking after the no-show: it cannot be "
                "put back. Book the session again from the course page.",
                conflicts=[{"number": session.number, "start": session.start.isoformat(), "reason": "slot_taken"}],
            ) from None
        if undone == "completed":
            reminders.withdraw_aftercare(session=session)
        course = session.course
        if course.status == "completed":
            course.status = "active"
            course.save(update_fields=["status"])
    return session
