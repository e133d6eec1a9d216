"""The calendar: one location's day (a column per practitioner or room) and the week's event feed
for FullCalendar. Thin: read the query string, ask the selectors, shape the answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from clinic import selectors as clinic_selectors
from clinic.horizon import horizon_error
from clinic.ids import id_from
from clinic.intervals import local_datetime
from clinic.models import Location
from clinic.permissions import RoleRequiredMixin
from patients.booking import selectors
from patients.booking.views import wall
from patients.models import PatientAccess, Session
from patients.registry.services import patient_access_record


def _location(request: HttpRequest) -> Location:
    location = clinic_selectors.location_chosen(request.GET.get("location", ""), or_first=True)
    if location is None:
        raise Http404(_("No location is set up yet."))
    return location


def _day(value: str | None, zone: ZoneInfo) -> tuple[date, str]:
    """The calendar's day from the query string, or today with the reason the given one was not used."""
    today = timezone.now().astimezone(zone).date()
    if not value:
        return today, ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return today, _("Give the date as YYYY-MM-DD.")
    problem = horizon_error(day, today=today)
    return (today, problem) if problem else (day, "")


class CalendarView(RoleRequiredMixin, TemplateView):
    """One location's sessions: a day with a column per practitioner or per room, or a week
    (FullCalendar, fed by CalendarFeedView) of everyone or of one practitioner or room."""

    template_name = "patients/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        request = self.request
        location = _location(request)
        zone = ZoneInfo(location.timezone)
        day, date_error = _day(request.GET.get("date"), zone)
        by = "room" if request.GET.get("by") == "room" else "practitioner"
        view = "week" if request.GET.get("view") == "week" else "day"
        practitioners = list(clinic_selectors.practitioners_list(location=location, active=True))
        rooms = list(clinic_selectors.rooms_list(location=location, active=True))
        context = super().get_context_data(
            location=location, locations=clinic_selectors.locations_by_name(), day=day, date_error=date_error,
            by=by, view=view,
            practitioners=practitioners, rooms=rooms, resource=request.GET.get("resource", ""),
            previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
            today=timezone.now().astimezone(zone).date(), statuses=Session.Status.choices, **kwargs,
        )
        if view == "day":
            columns = practitioners if by == "practitioner" else rooms
            sessions = list(selectors.sessions_for_calendar(
                location=location, start=local_datetime(day, 0, zone), end=local_datetime(day, 1440, zone)))
            context["grid"] = _day_grid(day, zone, location.slot_minutes, columns, sessions, by)
            patient_access_record(request=request, patients=[s.patient_id for s in sessions],
                                  what=PatientAccess.What.CALENDAR)
        return context


def _day_grid(day: date, zone: ZoneInfo, slot: int, columns: list, sessions: list[Session], by: str) -> dict:
    """Rows of `slot` minutes from 08:00 (or the earliest session) to 20:00 (or the latest), a
    column per practitioner or room; each session placed by CSS grid row and column."""
    local = [(s, wall(s.start, zone), wall(s.end, zone)) for s in sessions]
    first = min([8 * 60, *((start.hour * 60 + start.minute) for _, start, _ in local)])
    last = max([20 * 60, *((end.hour * 60 + end.minute if end.date() == day else 1440) for _, _, end in local)])
    first, last = first - first % 60, min(1440, last + (-last % 60))
    index = {column.pk: n for n, column in enumerate(columns)}
    placed, unplaced = [], []
    for session, start, end in local:
        key = session.practitioner_id if by == "practitioner" else session.room_id
        if key not in index:
            unplaced.append(session)  # its practitioner or room is no longer active
            continue
        begin = max(start.hour * 60 + start.minute, first) if start.date() == day else first
        finish = (end.hour * 60 + end.minute) if end.date() == day else last
        placed.append({
            "session": session,
            "start": start,
            "end": end,
            "column": index[key] + 2,
            "row": (begin - first) // slot + 2,
            "span": max(1, -(-(finish - begin) // slot)),
        })
    times = [{"label": f"{m // 60:02d}:{m % 60:02d}", "row": (m - first) // slot + 2, "hour": m % 60 == 0}
             for m in range(first, last, slot)]
    return {"columns": columns, "placed": placed, "unplaced": unplaced, "times": times,
            "rows": (last - first) // slot, "count": len(columns)}


class CalendarFeedView(RoleRequiredMixin, View):
    """FullCalendar's event feed: ?location=&start=&end=&by=practitioner|room&resource=.
    Times are wall-clock times at the clinic without an offset (the calendar runs in UTC mode, so
    it shows them as they are whatever the tablet's own zone). One query for the sessions."""

    def get(self, request: HttpRequest) -> HttpResponse:
        location = _location(request)
        zone = ZoneInfo(location.timezone)
        start, end = _feed_bound(request.GET.get("start"), zone), _feed_bound(request.GET.get("end"), zone)
        if start is None or end is None or end <= start or end - start > timedelta(days=62):
            detail = _("Give start and end, at most 62 days apart and within %(years)s years of today.") % {
                "years": settings.PLANNING_HORIZON_YEARS}
            return JsonResponse({"code": "invalid", "detail": detail}, status=400)
        by = "room" if request.GET.get("by") == "room" else "practitioner"
        resource = request.GET.get("resource", "")
        resource_id = id_from(resource)
        rows = selectors.calendar_event_rows(
            location=location, start=start, end=end,
            practitioner=resource_id if by == "practitioner" else None,
            room=resource_id if by == "room" else None,
        )
        url = reverse("booking:session", args=[0]).replace("/0/", "/{}/")
        # Each status's label in the request's language, translated once, not once an event.
        labels = {status: str(label) for status, label in Session.Status.choices}
        events = [_event_from_row(row, zone, by, url, labels) for row in rows]
        patient_access_record(request=request, patients=[row[_PATIENT] for row in rows],
                              what=PatientAccess.What.CALENDAR)
        return JsonResponse(events, safe=False)


def _feed_bound(value: str | None, zone: ZoneInfo) -> datetime | None:
    """FullCalendar sends the visible range in its own (UTC) mode: read it as clinic wall-clock time."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+").replace("Z", "+00:00"))
    except ValueError:
        return None
    if horizon_error(parsed.date(), today=timezone.now().astimezone(zone).date()):
        return None  # the calendar shows no further than planning reaches (and year 9999 would overflow)
    return parsed.replace(tzinfo=None).replace(tzinfo=zone)


_PATIENT = selectors.EVENT_FIELDS.index("patient_id")


def _event_from_row(row: tuple, zone: ZoneInfo, by: str, url: str, labels: dict[str, str]) -> dict:
    (pk, number, start, end, status, course_id, practitioner_id, room_id, change_requested_at, first_name,
     last_name, code, practitioner, room, _patient_id) = row
    return {
        "id": str(pk),
        "title": f"{first_name} {last_name} · {code} #{number}",
        "start": start.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes"),
        "end": end.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes"),
        "classNames": [f"st-{status}"],
        "url": url.format(pk),
        "extendedProps": {
            "status": status,
            "statusLabel": labels.get(status, status),
            "practitioner": practitioner,
            "room": room,
            "resourceId": practitioner_id if by == "practitioner" else room_id,
            "course": course_id,
            "changeRequested": change_requested_at is not None,
        },
    }
