"""The session panel the calendar and the course page open: a session's details, its status
buttons (only those the clock allows, patients.booking.status), undo, move and cancel.

Thin like the other booking pages (patients.booking.views, whose helpers it shares): read the
request, validate a form, call a service, render the panel or redirect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from clinic.errors import DomainError
from clinic.formats import written_date
from clinic.permissions import RoleRequiredMixin
from patients.booking import preview as booking_preview
from patients.booking import status as session_status
from patients.booking.forms import ReasonForm, RescheduleForm
from patients.booking.move import follow_to_day, move_help, parse_pick
from patients.booking.reschedule import session_reschedule
from patients.booking.status import TRANSITIONS, session_cancel, session_set_status
from patients.booking.views import (
    STATUS_ACTIONS,
    _apply_errors,
    _conflict_texts,
    _finish,
    _is_htmx,
    _next_url,
    kind_label,
    wall,
)
from patients.models import PatientAccess, Session
from patients.registry.services import patient_access_record

# --- One session: details and actions ------------------------------------------------------------


class SessionMixin(RoleRequiredMixin):
    # Looked up only once RoleRequiredMixin has let the request in (so not in dispatch): an anonymous
    # or wrong-role visitor must get the same answer for an unknown id as for a known one.
    @cached_property
    def session(self) -> Session:
        return get_object_or_404(
            Session.objects.select_related("patient", "practitioner", "room", "location", "course__protocol"),
            pk=self.kwargs["pk"],
        )

    def panel(self, request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
        session = self.session
        zone = ZoneInfo(session.location.timezone)
        local = wall(session.start, zone)
        move_form = context.pop("move_form", None) or RescheduleForm(
            session=session, initial={"date": local.date(), "time": local.time(), "cascade": True})
        now = timezone.now()
        if session.is_movable and "move_grid" not in context:
            context.update(move_help(session, move_form, now=now))
        allowed = session_status.statuses_allowed_now(session=session, now=now)
        undo_until = session_status.undo_until(session)
        next_url = _next_url(request, request.headers.get("HX-Current-URL", "")) or reverse(
            "booking:course", args=[session.course_id])
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = reverse("booking:course", args=[session.course_id])
        template = f"patients/booking_session_{'panel' if _is_htmx(request) else 'detail'}.html"
        patient_access_record(request=request, patients=[session.patient_id], what=PatientAccess.What.SESSION)
        return render(request, template, {
            "session": session,
            "session_kind": kind_label(session.kind),
            "local_start": local,
            "local_end": wall(session.end, zone),
            "zone": zone.key,
            "movable": session.is_movable,
            "status_actions": [(value, label) for value, label in STATUS_ACTIONS if value in allowed],
            "status_waits": _status_waits(session, now),
            "undo_until": wall(undo_until, zone) if undo_until and now <= undo_until else None,
            "move_form": move_form,
            "cancel_form": context.pop("cancel_form", None) or ReasonForm(prefix_id=f"cancel{session.pk}"),
            "next": next_url,
            **context,
        }, status=status)


def _status_waits(session: Session, now: datetime) -> list[str]:
    """Why the clock holds back a status the state machine would allow (shown under the buttons)."""
    return [
        refusal for value, _label in STATUS_ACTIONS
        if value in TRANSITIONS.get(session.status, set())
        and (refusal := session_status.status_time_refusal(session=session, status=value, now=now))
    ]


class SessionDetailView(SessionMixin, View):
    """The session's details with its actions: a modal panel (htmx) or a page of its own."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.panel(request)


class SessionMoveView(SessionMixin, View):
    """Reschedule: 'preview' shows what the cascade would move (nothing written), 'confirm' moves,
    'slots' shows every free start of the chosen day; a picked free time fills the form. A refused
    time is explained (who or what clashes) with the nearest free times to pick instead."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        data = request.POST.copy()
        picked = parse_pick(data.get("pick", ""))
        if picked is not None:
            start, practitioner = picked
            data["date"], data["time"], data["action"] = start.date().isoformat(), f"{start:%H:%M}", "preview"
            if practitioner is not None:
                data["practitioner"] = str(practitioner)
        form = RescheduleForm(data, session=self.session)
        if data.get("action") == "slots" or not form.is_valid():
            form.is_valid()
            return self.panel(request, move_form=form, **move_help(self.session, form, open_grid=True))
        try:
            if data.get("action") != "confirm":
                preview = booking_preview.session_reschedule_preview(session=self.session, **form.service_kwargs())
                return self.panel(request, move_form=form, move_preview=preview, **move_help(self.session, form))
            session, moved, warnings = session_reschedule(
                session=self.session, **form.service_kwargs(), by=request.user)
        except DomainError as error:
            if not _apply_errors(form, error, {"start": "date", "practitioner": "practitioner"}):
                return self.panel(request, move_form=form, move_error=error, move_conflicts=_conflict_texts(error),
                                  **move_help(self.session, form, error=error))
            return self.panel(request, move_form=form, **move_help(self.session, form))
        zone = ZoneInfo(self.session.location.timezone)
        text = _("Session %(n)s moved to %(start)s.") % {
            "n": session.number, "start": written_date(session.start.astimezone(zone), "weekday_datetime")}
        if moved:
            text += " " + _("Re-fitted: %(sessions)s.") % {"sessions": ", ".join(
                _("session %(n)s to %(start)s") % {"n": s.number, "start": written_date(s.start.astimezone(zone),
                                                                                         "weekday_day_time")}
                for s in moved)}
        messages.success(request, text)
        for warning in warnings:
            messages.warning(request, warning)
        next_url = _next_url(request, reverse("booking:course", args=[session.course_id]))
        return _finish(request, follow_to_day(next_url, session.start.astimezone(zone).date()))


class SessionCancelView(SessionMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ReasonForm(request.POST, prefix_id=f"cancel{self.session.pk}")
        if not form.is_valid():
            return self.panel(request, cancel_form=form)
        try:
            session_cancel(session=self.session, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            return self.panel(request, cancel_form=form, action_error=error)
        messages.success(request, _("Session %(n)s cancelled; the patient will be told.") % {"n": self.session.number})
        return _finish(request, _next_url(request, reverse("booking:course", args=[self.session.course_id])))


class SessionStatusView(SessionMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        status = request.POST.get("status", "")
        if status not in dict(STATUS_ACTIONS):
            return self.panel(request, action_error=DomainError(_("Choose a status.")), status=400)
        try:
            session = session_set_status(session=self.session, status=status, by=request.user)
        except DomainError as error:
            return self.panel(request, action_error=error)
        minutes = settings.SESSION_STATUS_UNDO_MINUTES
        messages.success(request, _("Session %(n)s is now %(status)s.") % {
            "n": session.number, "status": session.get_status_display().lower()} + " " + ngettext(
            "You can undo this for %(minutes)d minute.", "You can undo this for %(minutes)d minutes.", minutes,
        ) % {"minutes": minutes})
        return _finish(request, _next_url(request, reverse("booking:course", args=[session.course_id])))


class SessionStatusUndoView(SessionMixin, View):
    """Undo the session's last status change (a few minutes only), through the status service."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            session = session_status.session_status_undo(session=self.session, by=request.user)
        except DomainError as error:
            return self.panel(request, action_error=error)
        messages.success(request, _("Undone: session %(n)s is %(status)s again.") % {
            "n": session.number, "status": session.get_status_display().lower()})
        return _finish(request, _next_url(request, reverse("booking:course", args=[session.course_id])))
