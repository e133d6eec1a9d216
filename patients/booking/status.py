"""A session's life, in one place: the state machine (TRANSITIONS), the clock's say, setting a
status, cancelling a session or a course, and undoing a status change made by mistake.

The time rule (API contract, "Session records"): `arrived` and `completed` only from the
session's local day on, `no_show` only after its start. `session_set_status` applies it for the
API, the pages and the patient's confirmation link alike, and the pages offer only the buttons it
allows, so a session two weeks away cannot be marked arrived or a no-show by a slip of the finger.
A change made by mistake can be undone for `SESSION_STATUS_UNDO_MINUTES`, through `session_status_undo` only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pghistory
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clinic.errors import Conflict
from clinic.formats import written_date
from patients.consent.selectors import consents_require
from patients.models import Course, Session

# Statuses a change can be undone from, and the statuses it can go back to.
UNDOABLE = {
    "confirmed": {"booked"},
    "arrived": {"booked", "confirmed"},
    "completed": {"arrived", "booked", "confirmed"},
    "no_show": {"booked", "confirmed", "arrived"},
}
_LABELS = dict(Session.Status.choices)

TRANSITIONS: dict[str, set[str]] = {
    "booked": {"confirmed", "arrived", "no_show", "cancelled"},
    "confirmed": {"arrived", "no_show", "cancelled", "booked"},
    "arrived": {"completed", "no_show"},
    "completed": set(),
    "no_show": set(),
    "cancelled": set(),
}


class InvalidTransition(Conflict):
    code = "invalid_transition"


def _local_day(session: Session, moment: datetime):
    return moment.astimezone(ZoneInfo(session.location.timezone)).date()


# What waits for the visit's day, a whole sentence each: a verb alone does not translate.
_NOT_BEFORE_THE_DAY = {
    "arrived": gettext_lazy("Session %(n)s is on %(day)s: it can be marked arrived from that day on, not before."),
    "completed": gettext_lazy("Session %(n)s is on %(day)s: it can be marked completed from that day on, not before."),
    "recorded": gettext_lazy("Session %(n)s is on %(day)s: it can be recorded from that day on, not before."),
    "measured": gettext_lazy("Session %(n)s is on %(day)s: it can be measured from that day on, not before."),
    "photographed": gettext_lazy("Session %(n)s is on %(day)s: it can be photographed from that day on, not before."),
}


def visit_day_refusal(*, session: Session, now: datetime, doing: str = "completed") -> str | None:
    """Why `doing` (arrived, completed; recorded, measured, photographed) must wait for the
    session's day (a sentence for a person), or None once that day has come."""
    day = _local_day(session, session.start)
    if _local_day(session, now) < day:
        return str(_NOT_BEFORE_THE_DAY[doing]) % {"n": session.number, "day": written_date(day, "weekday_date")}
    return None


def status_time_refusal(*, session: Session, status: str, now: datetime) -> str | None:
    """Why the clock forbids `status` for this session now (a sentence for a person), or None.

    The one place the time rule lives: the status service refuses with this sentence, the pages
    use it to decide which buttons to offer."""
    if status in ("arrived", "completed"):
        return visit_day_refusal(session=session, now=now, doing=status)
    if status == "no_show" and now < session.start:
        local = session.start.astimezone(ZoneInfo(session.location.timezone))
        return _("Session %(n)s starts %(start)s: it can be marked a no-show only after it has started.") % {
            "n": session.number, "start": written_date(local, "weekday_datetime")}
    return None


def statuses_allowed_now(*, session: Session, now: datetime) -> set[str]:
    """The statuses this session may move to now: by the state machine and by the clock."""

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
    from patients.booking.services import SlotConflict, check_constraints_now
    from patients.reminders import outbox as reminders

    now = now or timezone.now()
    context = {"action": "session_status_undo", **({"user": by.pk} if getattr(by, "pk", None) else {})}
    with transaction.atomic(), pghistory.context(**context):
        rows = Session.objects.select_for_update(of=("self",)).select_related("location", "course")
        session = rows.get(pk=session.pk)
        if not can_undo(session, now):
            raise InvalidTransition(ngettext(
                "Session %(n)s's status can no longer be undone: changes can be undone for %(minutes)d minute.",
                "Session %(n)s's status can no longer be undone: changes can be undone for %(minutes)d minutes.",
                settings.SESSION_STATUS_UNDO_MINUTES,
            ) % {"n": session.number, "minutes": settings.SESSION_STATUS_UNDO_MINUTES})
        previous = session.status_before
        if session.status == "completed" and Session.objects.filter(pk=session.pk, record__isnull=False).exists():
            # What was given stays given: a recorded visit is corrected by amending its record.
            raise InvalidTransition(_("Session %(n)s has been recorded: amend its record instead.") % {
                "n": session.number})
        if previous not in UNDOABLE[session.status]:
            raise InvalidTransition(_("A %(status)s session cannot go back to %(previous)s.") % {
                "status": session.get_status_display().lower(), "previous": _LABELS.get(previous, previous).lower()})
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
                _("Session %(n)s's time was given to another booking after the no-show: it cannot be put back. "
                  "Book the session again from the course page.") % {"n": session.number},
                conflicts=[{"number": session.number, "start": session.start.isoformat(), "reason": "slot_taken"}],
            ) from None
        if undone == "completed":
            reminders.withdraw_aftercare(session=session)
        course = session.course
        if course.status == "completed":
            course.status = "active"
            course.save(update_fields=["status"])
    return session


def session_set_status(*, session: Session, status: str, by=None, now: datetime | None = None) -> Session:
    """Move a session along its life: booked → confirmed → arrived → completed, or no_show.

    The clock has a say (status_time_refusal): arrived and completed only from the session's
    local day on, no_show only after its start; otherwise 409 invalid_transition. Arrived and
    completed need the patient's signed consents (422 consent_required). The change can be
    undone for a few minutes (session_status_undo)."""
    from patients.reminders import outbox as reminders

    now = now or timezone.now()
    with transaction.atomic():
        session = (Session.objects.select_for_update(of=("self",)).select_related("location", "course__protocol")
                   .get(pk=session.pk))
        if status == session.status:
            return session
        if status not in TRANSITIONS.get(session.status, set()) or status == "cancelled":
            raise InvalidTransition(
                _("A %(status)s session cannot become %(new)s.") % {
                    "status": session.get_status_display().lower(), "new": _LABELS.get(status, status).lower()}
            )
        refusal = status_time_refusal(session=session, status=status, now=now)
        if refusal:
            raise InvalidTransition(refusal)
        if status in ("arrived", "completed"):
            consents_require(patient=session.patient_id, protocol=session.course.protocol,
                             doing=_("Marking session %(n)s %(status)s") % {
                                 "n": session.number, "status": _LABELS[status].lower()})
        session.status_before, session.status_changed_at = session.status, now
        session.status = status
        session.save(update_fields=["status", "status_before", "status_changed_at", "updated_at"])
        reminders.queue_for_status(session=session, now=now)
        _complete_course_if_done(session.course)
    return session


def session_cancel(*, session: Session, reason: str, by=None, now: datetime | None = None) -> Session:
    """Cancel one session: its time is freed, its pending reminders cancelled, the patient told."""
    now = now or timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if not session.is_movable:
            raise InvalidTransition(_("A %(status)s session cannot be cancelled.") % {
                "status": session.get_status_display().lower()})
        session.status = "cancelled"
        session.cancel_reason = (reason or "").strip()
        session.sequence += 1
        session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        from patients.reminders import outbox as reminders

        reminders.queue_for_cancellation(course=session.course, sessions=[session], now=now)
    return session


def course_cancel(*, course: Course, reason: str, by=None, now: datetime | None = None) -> Course:
    """Cancel every session still to come and their pending reminders; one cancellation email."""
    now = now or timezone.now()
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status == "cancelled":
            raise InvalidTransition(_("This course is already cancelled."))
        to_cancel = list(course.sessions.select_for_update().filter(status__in=Session.MOVABLE, start__gte=now))
        for session in to_cancel:
            session.status = "cancelled"
            session.cancel_reason = (reason or "").strip()
            session.sequence += 1
            session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        course.status = "cancelled"
        course.cancel_reason = (reason or "").strip()
        course.save(update_fields=["status", "cancel_reason"])
        from patients.reminders import outbox as reminders

        if to_cancel:
            reminders.queue_for_cancellation(course=course, sessions=to_cancel, now=now)
    return course


def _complete_course_if_done(course: Course) -> None:
    still_to_do = course.sessions.filter(status__in=Session.LIVE).exclude(status="completed")
    if course.status == "active" and not still_to_do.exists():
        course.status = "completed"
        course.save(update_fields=["status"])
