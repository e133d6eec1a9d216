"""Today at the desk: the day's list at one location (the home page loads it and polls it), its
one-tap status buttons and their undo, and tomorrow's list to print.

Thin: choose the location and whose day, ask patients.booking.today for the rows, call the status
service (patients.booking.status: the state machine and the time rule) for a tap, render a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from clinic import selectors as clinic_selectors
from clinic.errors import DomainError
from clinic.models import Location
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role, role_of
from patients.booking import status as session_status
from patients.booking import today
from patients.booking.views import _is_htmx
from patients.models import PatientAccess, Session
from patients.registry.services import patient_access_record

# The location the desk last chose, so the home page keeps showing it.
LOCATION_SESSION_KEY = "desk_location"
# The patients a poll already logged as seen today in this browser session: a list redrawn every
# 30 seconds logs each patient once, not 960 times a day.
LOGGED_SESSION_KEY = "desk_logged"


@dataclass(frozen=True)
class Desk:
    location: Location | None
    who: str  # "mine": the user's own sessions (a doctor's day); "all": the location's
    practitioners: list[int] | None
    can_choose_mine: bool


def _desk(request: HttpRequest) -> Desk:
    """Whose day at which location: `?location=` (remembered), else the doctor's own location,
    else the last one chosen, else the first. A doctor who is one of the practitioners (by email
    address) sees their own day unless they ask for the whole location's (`?who=all`)."""
    mine = clinic_selectors.practitioners_of_user(request.user)
    asked = request.GET.get("who")
    who = asked if asked in ("mine", "all") else ("mine" if role_of(request.user) == Role.DOCTOR else "all")
    if not mine:
        who = "all"
    location = clinic_selectors.location_chosen(request.GET.get("location", ""))
    if location is not None:
        request.session[LOCATION_SESSION_KEY] = location.pk
    elif who == "mine":
        location = mine[0].location
    else:
        location = clinic_selectors.location_chosen(request.session.get(LOCATION_SESSION_KEY, ""), or_first=True)
    practitioners = None
    if who == "mine" and location is not None:
        practitioners = [p.pk for p in mine if p.location_id == location.pk]
    return Desk(location, who, practitioners, bool(mine))


def _log_shown(request: HttpRequest, rows: list[today.DayRow], day: date, *, poll: bool) -> None:
    """Log the patients shown; a poll logs only those this browser has not been shown today."""
    shown = [row.session.patient_id for row in rows]
    if not poll:
        patient_access_record(request=request, patients=shown, what=PatientAccess.What.CALENDAR)
        return
    logged = request.session.get(LOGGED_SESSION_KEY) or {}
    seen = set(logged.get("ids", [])) if logged.get("day") == day.isoformat() else set()
    fresh = [pk for pk in shown if pk not in seen]
    patient_access_record(request=request, patients=fresh, what=PatientAccess.What.CALENDAR)
    request.session[LOGGED_SESSION_KEY] = {"day": day.isoformat(), "ids": sorted(seen | set(shown))}


def _day_context(request: HttpRequest, *, offset: int, poll: bool = False) -> dict[str, Any]:
    desk = _desk(request)
    now = timezone.now()
    context: dict[str, Any] = {"desk": desk, "locations": list(clinic_selectors.locations_by_name()), "rows": []}
    if desk.location is None:
        return context
    zone = ZoneInfo(desk.location.timezone)
    day = now.astimezone(zone).date() + timedelta(days=offset)
    rows = today.day_at_location(location=desk.location, day=day, now=now, practitioners=desk.practitioners)
    _log_shown(request, rows, day, poll=poll)
    query = f"?location={desk.location.pk}&who={desk.who}"
    context.update(rows=rows, day=day, zone=zone.key, now=now.astimezone(zone).replace(tzinfo=None),
                   query=query, next=reverse("booking:today") + query,
                   late=sum(1 for row in rows if row.late))
    return context


class TodayView(RoleRequiredMixin, TemplateView):
    """The day's list: a page of its own, or (htmx: the home page and the page's own polling)
    just the list."""

    def get_template_names(self) -> list[str]:
        return ["patients/_today_list.html" if _is_htmx(self.request) else "patients/today.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs),
                **_day_context(self.request, offset=0, poll=_is_htmx(self.request))}


class TomorrowView(RoleRequiredMixin, TemplateView):
    """Tomorrow's list, made to print on one A4 page."""

    template_name = "patients/tomorrow.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_day_context(self.request, offset=1)}


class TodayRowMixin(RoleRequiredMixin):
    """A tap on a row's button: answer with the row redrawn (htmx) or go back to the list."""

    def row(self, request: HttpRequest, session: Session, *, status: int = 200, **context: Any) -> HttpResponse:
        if not _is_htmx(request):  # without JavaScript: say it on the list, as the other pages do
            if context.get("action_error"):
                messages.error(request, context["action_error"].detail)
            if context.get("action_done"):
                messages.success(request, context["action_done"])
            return HttpResponseRedirect(self.back(request))
        now = timezone.now()
        row = today.day_row(session.pk, now=now)
        if row is None:  # cancelled meanwhile: it leaves the list
            return HttpResponse("")
        patient_access_record(request=request, patients=[session.patient_id], what=PatientAccess.What.CALENDAR)
        return render(request, "patients/_today_row.html",
                      {"row": row, "next": self.back(request), "query": self.query(request), **context}, status=status)

    def query(self, request: HttpRequest) -> str:
        """The list's `?location=...&who=...`, sent back with a tap (only a query string)."""
        query = request.POST.get("query", "")
        return query if query.startswith("?") and "/" not in query and "\\" not in query else ""

    def back(self, request: HttpRequest) -> str:
        return reverse("booking:today") + self.query(request)


def _changed(session: Session) -> str:
    minutes = settings.SESSION_STATUS_UNDO_MINUTES
    return (_("Now %(status)s.") % {"status": session.get_status_display().lower()} + " "
            + ngettext("You can undo this for %(minutes)d minute.", "You can undo this for %(minutes)d minutes.",
                       minutes) % {"minutes": minutes})


class TodayStatusView(TodayRowMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = get_object_or_404(Session, pk=pk)
        status = request.POST.get("status", "")
        if status not in dict(today.DESK_ACTIONS):
            return self.row(request, session, status=400, action_error=DomainError(_("Choose a status.")))
        try:
            session = session_status.session_set_status(session=session, status=status, by=request.user)
        except DomainError as error:
            return self.row(request, session, action_error=error)
        return self.row(request, session, action_done=_changed(session))


class TodayUndoView(TodayRowMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = get_object_or_404(Session, pk=pk)
        try:
            session = session_status.session_status_undo(session=session, by=request.user)
        except DomainError as error:
            return self.row(request, session, action_error=error)
        return self.row(request, session, action_done=_("Undone: %(status)s again.") % {
            "status": session.get_status_display().lower()})
