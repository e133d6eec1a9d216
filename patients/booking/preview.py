"""Booking services the receptionist's pages add to patients.booking.services: a dry run of a reschedule
(to show which later sessions the cascade would move before anyone confirms) and re-booking one
missing session of an existing course (the "To chase" list's "Book")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Practitioner
from patients.booking.calendar import booking_resources
from patients.booking.reschedule import session_reschedule
from patients.booking.services import (
    SlotConflict,
    as_local,
    check_constraints_now,
    invalid,
    plan_horizon,
    raise_for_conflicts,
    session_row,
)
from patients.booking.status import InvalidTransition
from patients.booking.windows import counted_from, previous_end, steps_of
from patients.models import Course, Session
from patients.reminders import outbox as reminders
from protocols.planning import plan_course, window_for


@dataclass(frozen=True)
class Move:
    """A session as it is and as the reschedule would leave it."""

    session_id: int
    number: int
    old_start: datetime
    new_start: datetime
    new_end: datetime
    old_practitioner: str
    new_practitioner: str
    window_earliest: date
    window_latest: date


@dataclass(frozen=True)
class ReschedulePreview:
    session: Move
    moved: list[Move]
    warnings: list[str]


def session_reschedule_preview(
    *,
    session: Session,
    start: datetime,
    practitioner: Practitioner | None = None,
    cascade: bool = True,
    override_reason: str = "",
    now: datetime | None = None,
) -> ReschedulePreview:
    """What `session_reschedule` would do, written nowhere: it runs the real service inside a
    savepoint and rolls it back, so the preview can never disagree with the move itself.

    Raises what session_reschedule raises (window_violation, slot_conflict, invalid_transition)."""
    before = {
        s.pk: (s.start, s.practitioner.name)
        for s in Session.objects.filter(course_id=session.course_id).select_related("practitioner")
    }
    names = dict(Practitioner.objects.filter(location_id=session.location_id).values_list("id", "name"))
    with transaction.atomic():
        moved_session, moved, warnings = session_reschedule(
            session=session,
            start=start,
            practitioner=practitioner,
            cascade=cascade,
            override_reason=override_reason,
            now=now,
        )
        # Nothing of the dry run may stay: not the moves, the reminders, nor their history rows.
        transaction.set_rollback(True)

    def as_move(s: Session) -> Move:
        old_start, old_practitioner = before[s.pk]
        return Move(
            session_id=s.pk,
            number=s.number,
            old_start=old_start,
            new_start=s.start,
            new_end=s.end,
            old_practitioner=old_practitioner,
            new_practitioner=names.get(s.practitioner_id, ""),
            window_earliest=s.window_earliest,
            window_latest=s.window_latest,
        )

    return ReschedulePreview(as_move(moved_session), [as_move(s) for s in moved], list(warnings))


def missing_numbers(course: Course) -> list[int]:
    """Session numbers of the course's protocol with no live session (cancelled, no-show, never placed)."""
    live = {s.number for s in course.sessions.all() if s.is_live}
    return [step.number for step in course.protocol.sessions.all() if step.number not in live]


def session_rebook(
    *,
    course: Course,
    number: int,
    start: datetime,
    practitioner: Practitioner | None = None,
    by=None,
    now: datetime | None = None,
) -> tuple[Session, list[str]]:
    """Book again one session of an active course that has none live (cancelled, no-show or never
    placed), at a start inside its window; queue its change email and reminders in the same
    transaction.

    Returns the new session and warnings (e.g. the next session now outside its window). Raises
    window_violation (422) outside the window, slot_conflict (409) when the time is taken,
    invalid_transition (409) when the course is not active or the session is already booked."""
    now = now or timezone.now()
    with transaction.atomic():
        course = Course.objects.select_for_update().select_related("location", "protocol", "patient").get(pk=course.pk)
        if course.status != "active":
            raise InvalidTransition(_("This course is %(status)s: its sessions cannot be booked.") % {
                "status": course.get_status_display().lower()})
        sessions = list(course.sessions.select_for_update().order_by("number"))
        steps = {step.number: step for step in steps_of(course.protocol)}
        if number not in steps:
            raise invalid("number", _("The protocol has no session number %(n)s.") % {"n": number})
        if any(s.number == number and s.is_live for s in sessions):
            raise InvalidTransition(_("Session %(n)s is already booked.") % {"n": number})
        location = course.location
        zone = ZoneInfo(location.timezone)
        start = as_local(start, zone, "start", now=now, past=_("The chosen time is in the past."))
        if practitioner is not None and (practitioner.location_id != location.id or not practitioner.active):
            raise invalid("practitioner", _("%(name)s does not work at %(location)s.") % {
                "name": practitioner.name, "location": location.name})
        previous_date, previous_practitioner = counted_from(course, sessions, number, zone)
        step = steps[number]
        resources = booking_resources(
            location=location,
            start_date=min(previous_date, start.astimezone(zone).date()),
            end_date=plan_horizon([step], previous_date),
            patient=course.patient,
        )
        plan = plan_course(
            [step],
            wished_start=start,
            resources=resources,
            pinned={number: start},
            practitioner=practitioner.id if practitioner else None,
            now=now,
            first_number=number,
            previous=(previous_date, previous_practitioner),
            previous_end=previous_end(sessions, number),
        )
        raise_for_conflicts(plan)
        placed = plan.sessions[0]
        warnings: list[str] = []
        new_date = placed.start.astimezone(zone).date()
        later = [s for s in sessions if s.number > number and s.is_movable]
        if later:
            following = min(later, key=lambda s: s.number)
            following_window = window_for(steps[following.number], new_date)
            if following.start.astimezone(zone).date() not in following_window:
                warnings.append(
                    _("Session %(n)s is now outside its window (%(earliest)s to %(latest)s): move it too.") % {
                        "n": following.number, "earliest": following_window.earliest,
                        "latest": following_window.latest}
                )
        try:
            with transaction.atomic():
                session = session_row(course, placed)
                session.save()
                # The exclusion constraints are deferred: check them now, while we can still say why.
                check_constraints_now()
        except IntegrityError:
            raise SlotConflict(
                _("Another booking took this time a moment ago. Choose another time."),
                conflicts=[{"number": number, "start": start.isoformat(), "reason": "slot_taken"}],
            ) from None
        # A new calendar entry for the patient, and its reminders.
        reminders.queue_for_change(course=course, sessions=[session], now=now)
    return session, warnings


__all__ = [
    "Move",
    "ReschedulePreview",
    "missing_numbers",
    "session_rebook",
    "session_reschedule_preview",
]
