"""Moving a booked session: the new time inside its window, later sessions following when they must."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.intervals import Interval, IntervalSet
from clinic.models import Practitioner
from patients.booking.calendar import booking_resources
from patients.booking.reasons import day_explainer
from patients.booking.services import (
    SlotConflict,
    WindowViolation,
    as_local,
    check_constraints_now,
    invalid,
    plan_horizon,
    raise_for_conflicts,
)
from patients.booking.status import InvalidTransition
from patients.booking.windows import counted_from, previous_end, steps_of
from patients.models import Course, Session
from protocols.planning import (
    PINNED_OUTSIDE_WINDOW,
    PlannedSession,
    Step,
    plan_course,
    window_for,
)
from protocols.texts import notice_text


def session_reschedule(
    *,
    session: Session,
    start: datetime,
    practitioner: Practitioner | None = None,
    cascade: bool = True,
    override_reason: str = "",
    by=None,
    now: datetime | None = None,
) -> tuple[Session, list[Session], list[str]]:
    """Move one session; with cascade, re-place each later session that now breaks its window.

    Returns (the session, every other session that moved, warnings). Sessions still inside their
    windows stay put. Without cascade a broken window is refused (422 window_violation) unless an
    override reason is given. A time someone else holds is a 409 slot_conflict."""
    now = now or timezone.now()
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=session.course_id)
        sessions = list(course.sessions.select_for_update().order_by("number"))
        session = next(s for s in sessions if s.pk == session.pk)
        if not session.is_movable:
            raise InvalidTransition(_("A %(status)s session cannot be moved.") % {
                "status": session.get_status_display().lower()})
        location = course.location
        zone = ZoneInfo(location.timezone)
        start = as_local(start, zone, "start", now=now, past=_("The new time is in the past."))
        if practitioner is not None and practitioner.location_id != location.id:
            raise invalid("practitioner", _("%(name)s works at another location.") % {"name": practitioner.name})
        steps = {step.number: step for step in steps_of(course.protocol)}
        live_later = [s for s in sessions if s.number > session.number and s.is_movable]
        resources = booking_resources(
            location=location,
            start_date=min(start.astimezone(zone).date(), session.start.astimezone(zone).date()) - timedelta(days=1),
            end_date=plan_horizon(list(steps.values()), start.astimezone(zone).date()),
            patient=course.patient,
            exclude_sessions=[session.pk, *[s.pk for s in live_later]],
        )
        warnings: list[str] = []
        previous_date, previous_practitioner = counted_from(course, sessions, session.number, zone)
        step = steps[session.number]
        window = window_for(step, previous_date)
        new_date = start.astimezone(zone).date()
        if new_date not in window and not override_reason:
            raise WindowViolation(
                _("Session %(n)s must be between %(earliest)s and %(latest)s; give an override reason to book it "
                  "outside its window.") % {"n": session.number, "earliest": window.earliest, "latest": window.latest},
                conflicts=[{"number": session.number, "start": start.isoformat(), "reason": PINNED_OUTSIDE_WINDOW}],
            )
        # Check the chosen time like a pinned session: inside hours, free, not before the previous
        # session ends (unless the receptionist overrides the window).
        widened = Step(step.number, step.kind, -3650, (new_date - previous_date).days, 3650, step.duration_minutes)
        plan = plan_course(
            [widened],
            wished_start=start,
            resources=resources,
            pinned={session.number: start},
            practitioner=(practitioner or session.practitioner).id,
            now=now,
            first_number=session.number,
            previous=(previous_date, previous_practitioner),
            previous_end=None if override_reason else previous_end(sessions, session.number),
        )
        raise_for_conflicts(plan)
        placed = plan.sessions[0]
        if new_date not in window:
            warnings.append(
                _("Session %(n)s is outside its window (%(earliest)s to %(latest)s): %(reason)s") % {
                    "n": session.number, "earliest": window.earliest, "latest": window.latest,
                    "reason": override_reason}
            )
        _apply(
            session,
            placed,
            window_earliest=window.earliest,
            window_latest=window.latest,
            override_reason=override_reason if new_date not in window else "",
        )
        resources.practitioner_busy.setdefault(placed.practitioner, IntervalSet()).add(
            Interval(placed.start, placed.end)
        )
        resources.room_busy.setdefault(placed.room, IntervalSet()).add(Interval(placed.start, placed.end))
        resources.patient_busy.add(Interval(placed.start, placed.end))

        moved: list[Session] = []
        previous_date, previous_practitioner, ended = new_date, placed.practitioner, placed.end
        for later in live_later:
            later_step = steps[later.number]
            later_window = window_for(later_step, previous_date)
            later_date = later.start.astimezone(zone).date()
            span = Interval(later.start, later.end)
            if later_date in later_window and later.start >= ended:
                # Still inside its window (and after the one before): it stays, and keeps holding its time.
                if (later.window_earliest, later.window_latest) != (later_window.earliest, later_window.latest):
                    later.window_earliest, later.window_latest = later_window.earliest, later_window.latest
                    later.save(update_fields=["window_earliest", "window_latest", "updated_at"])
                resources.practitioner_busy.setdefault(later.practitioner_id, IntervalSet()).add(span)
                resources.room_busy.setdefault(later.room_id, IntervalSet()).add(span)
                resources.patient_busy.add(span)
                previous_date, previous_practitioner, ended = later_date, later.practitioner_id, later.end
                continue
            if not cascade:
                if not override_reason:
                    raise WindowViolation(
                        _("Moving session %(n)s puts session %(later)s outside its window (%(earliest)s to "
                          "%(latest)s). Move it too (cascade) or give an override reason.") % {
                            "n": session.number, "later": later.number, "earliest": later_window.earliest,
                            "latest": later_window.latest},
                        conflicts=[
                            {"number": later.number, "start": later.start.isoformat(), "reason": PINNED_OUTSIDE_WINDOW}
                        ],
                    )
                warnings.append(_("Session %(n)s is now outside its window: %(reason)s") % {
                    "n": later.number, "reason": override_reason})
                resources.patient_busy.add(span)
                previous_date, previous_practitioner, ended = later_date, later.practitioner_id, later.end
                continue
            replan = plan_course(
                [later_step],
                wished_start=later.start,
                resources=resources,
                now=now,
                explain_days=day_explainer(location, later_window.earliest, later_window.latest),
                practitioner=practitioner.id if practitioner else None,
                first_number=later.number,
                previous=(previous_date, previous_practitioner),
                previous_end=ended,
            )
            raise_for_conflicts(replan)
            warnings.extend(map(notice_text, replan.warnings))
            new = replan.sessions[0]
            _apply(later, new, window_earliest=later_window.earliest, window_latest=later_window.latest)
            moved.append(later)
            new_span = Interval(new.start, new.end)
            resources.practitioner_busy.setdefault(new.practitioner, IntervalSet()).add(new_span)
            resources.room_busy.setdefault(new.room, IntervalSet()).add(new_span)
            resources.patient_busy.add(new_span)
            previous_date, previous_practitioner, ended = new.start.astimezone(zone).date(), new.practitioner, new.end
        try:
            with transaction.atomic():
                check_constraints_now()
        except IntegrityError:
            raise SlotConflict(
                _("Another booking took this time a moment ago."),
                conflicts=[{"number": session.number, "start": start.isoformat(), "reason": "slot_taken"}],
            ) from None
        from patients.reminders import outbox as reminders

        reminders.queue_for_change(course=course, sessions=[session, *moved], now=now)
    return session, moved, warnings


def _apply(
    session: Session, placed: PlannedSession, *, window_earliest: date, window_latest: date, override_reason: str = ""
) -> None:
    session.start, session.end = placed.start, placed.end
    session.practitioner_id, session.room_id = placed.practitioner, placed.room
    session.window_earliest, session.window_latest = window_earliest, window_latest
    session.override_reason = override_reason
    # A new time is a new visit for the patient: a "yes, I'll come" was for the old time, and a
    # request for another time is answered by this move. The SEQUENCE going up also retires
    # every confirm and change link sent for the old time (patients.reminders.links).
    if session.status == "confirmed":
        session.status = "booked"
    session.change_requested_at = None
    session.change_request_note = ""
    session.sequence += 1
    session.save()


def session_change_request(*, session: Session, note: str, now: datetime | None = None) -> Session:
    """The patient asked for another time (the link in a reminder): the session shows on "To chase"
    with their note until a receptionist moves it. A second request keeps the first one's time and note."""
    now = now or timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if not session.is_movable or session.start <= now:
            raise InvalidTransition(_("A %(status)s or past session cannot be moved.") % {
                "status": session.get_status_display().lower()})
        if session.change_requested_at is None:
            session.change_requested_at = now
            session.change_request_note = note
            session.save(update_fields=["change_requested_at", "change_request_note", "updated_at"])
    return session
