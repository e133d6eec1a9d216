"""The receptionist's booking pages: book a course, the calendar, a course's page, "To chase".

Thin: read the request, validate a form, call a booking service (patients.booking.services,
patients.booking.preview) or a selector (patients.booking.slots, patients.reminders.recalls), render or redirect.
Services raise DomainError; the pages show its message where the receptionist can act on it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views import View

from clinic import selectors as clinic_selectors
from clinic.errors import DomainError
from clinic.formats import written_date
from clinic.ids import id_from
from clinic.models import Location
from clinic.permissions import RoleRequiredMixin
from patients.booking import reasons as booking_reasons
from patients.booking import services as booking
from patients.booking import slots, windows
from patients.booking.forms import CourseBookingForm, local_value, parse_pin
from patients.labels import code_label
from patients.models import PatientAccess
from patients.registry.services import patient_access_record
from patients.screening.selectors import screening_valid_for_booking

CONFLICT_REASONS = {
    "no_free_slot_in_window": gettext_lazy("No free time inside its window"),
    "pinned_slot_taken": gettext_lazy("The chosen time is taken"),
    "pinned_outside_window": gettext_lazy("The chosen time is outside its window"),
    "pinned_outside_hours": gettext_lazy("The chosen time is outside opening or working hours"),
    "in_the_past": gettext_lazy("Its window has already passed"),
    "nonexistent_local_time": gettext_lazy("That time does not exist at the clinic (the clocks change)"),
    "slot_taken": gettext_lazy("Someone else booked this time a moment ago"),
}
STATUS_ACTIONS = [("confirmed", pgettext_lazy("mark a session as", "Confirm")),
                  ("arrived", pgettext_lazy("mark a session as", "Arrived")),
                  ("completed", pgettext_lazy("mark a session as", "Completed")),
                  ("no_show", pgettext_lazy("mark a session as", "No-show"))]
# A session's kind (a protocol step's code) as the desk reads it, beside its number.
SESSION_KINDS = {"treatment": pgettext_lazy("session kind", "treatment"),
                 "assessment": pgettext_lazy("session kind", "assessment")}


def kind_label(kind: str) -> str:
    return str(SESSION_KINDS.get(kind, kind))


FORM_FIELDS = {"start": "start_date", "practitioner": "practitioner", "surgery_date": "surgery_date"}


def wall(value: datetime, zone: ZoneInfo) -> datetime:
    """Wall-clock time at the clinic, naive on purpose: templates show it as it is rather than
    converting it to the server's zone."""
    return value.astimezone(zone).replace(tzinfo=None)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go after an action: the page it was taken from, if it is one of ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def _finish(request: HttpRequest, url: str) -> HttpResponse:
    """After an action: htmx navigates the whole page (the calendar or course page reloads)."""
    if _is_htmx(request):
        return HttpResponse(status=200, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _apply_errors(form: Any, error: DomainError, fields: dict[str, str]) -> bool:
    """Put a 400 `invalid` error's messages by their fields; False if it is another kind of error."""
    problems = error.extra.get("errors")
    if error.code != "invalid" or not problems:
        return False
    for name, texts in problems.items():
        form.add_error(fields.get(name) if fields.get(name) in form.fields else None, texts)
    return True


# --- Book a course -----------------------------------------------------------------------------


class BookCourseView(RoleRequiredMixin, View):
    """Form → preview (each session's time, window, conflict and free times) → book."""

    template_name = "patients/booking_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {key: request.GET.get(key) for key in CourseBookingForm.base_fields if request.GET.get(key)}
        return self.render(request, CourseBookingForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CourseBookingForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        pins = _posted_pins(request.POST)
        signature = _signature(request.POST, pins)
        error: DomainError | None = None
        if request.POST.get("action") == "book":
            if signature != request.POST.get("previewed"):
                messages.info(request, _("The preview below shows your changes: check it, then book."))
            else:
                try:
                    course, warnings = booking.course_book(**form.service_kwargs(), pinned=pins, by=request.user)
                except DomainError as problem:
                    error = problem
                else:
                    count = course.sessions.count()
                    booked = ngettext("Course booked: %(count)d session.", "Course booked: %(count)d sessions.", count)
                    messages.success(request, booked % {"count": count})
                    for warning in warnings:
                        messages.warning(request, code_label(warning))
                    return HttpResponseRedirect(reverse("booking:course", args=[course.pk]))
        try:
            plan, warnings = booking.course_preview(**form.service_kwargs(), pinned=pins)
        except DomainError as problem:
            if not _apply_errors(form, problem, {**FORM_FIELDS, "sessions": ""}):
                error = error or problem
            return self.render(request, form, error=error)
        data = form.cleaned_data
        location, protocol, patient = data["location"], data["protocol"], data["patient"]
        zone = ZoneInfo(location.timezone)
        start = form.wished_start()
        anchor = windows.course_anchor(protocol, start_day=start.date(), surgery_date=data.get("surgery_date"))
        now = timezone.now()
        days = _posted_days(request.POST)
        rows = slots.preview_table(
            steps=windows.steps_of(protocol), plan=plan, location=location, patient=patient, wished_start=start,
            anchor=anchor, now=now, practitioner=data["practitioner"].pk if data.get("practitioner") else None,
            days=days,
        )
        screening, blocks = screening_valid_for_booking(patient, protocol, now)
        return self.render(
            request, form, error=error, warnings=warnings,
            rows=_preview_rows(rows, pins, zone, location, now, opened=_opened(request.POST)),
            signature=signature, can_book=plan.ok and screening is not None and not blocks,
            screening_missing=screening is None, hard_stops=blocks, patient=patient,
        )

    def render(self, request: HttpRequest, form: CourseBookingForm, **context: Any) -> HttpResponse:
        # The patient choice lists names only; the patient chosen is shown with their screening.
        patient = context.pop("patient", None) or _patient_of(form)
        patient_access_record(request=request, patients=[patient], what=PatientAccess.What.BOOKING)
        error = context.get("error")
        return render(request, self.template_name, {
            "form": form,
            "error": error,
            "error_conflicts": _conflict_texts(error),
            "patient": patient,
            **context,
        })


def _patient_of(form: CourseBookingForm) -> Any:
    value = form.data.get("patient") if form.is_bound else form.initial.get("patient")
    field = form.fields["patient"]
    pk = id_from(value)
    return field.queryset.filter(pk=pk).first() if pk is not None else None


def _posted_pins(post: Any) -> dict[int, datetime]:
    pins = {}
    for key, value in post.items():
        if key.startswith("pin_") and id_from(key[4:]) is not None and value:
            start = parse_pin(value)
            if start is not None:
                pins[int(key[4:])] = start
    return pins


def _posted_days(post: Any) -> dict[int, date]:
    """The day picked in each preview row's slot grid (day_N=YYYY-MM-DD)."""
    days = {}
    for key, value in post.items():
        if key.startswith("day_") and id_from(key[4:]) is not None:
            try:
                days[int(key[4:])] = date.fromisoformat(value)
            except ValueError:
                continue
    return days


def _opened(post: Any) -> set[int]:
    """The preview row whose slot grid stays open (its day was just changed)."""
    raw = post.get("open", "")
    return {number} if (number := id_from(raw)) is not None else set()


def _signature(post: Any, pins: dict[int, datetime]) -> str:
    """What the preview on screen was made from: booking checks nothing changed since."""
    fields = [post.get(name, "") for name in CourseBookingForm.base_fields]
    chosen = [f"{n}={start:%Y-%m-%dT%H:%M}" for n, start in sorted(pins.items())]
    return "|".join([*fields, *chosen])


def _conflict_texts(error: DomainError | None) -> list[str]:
    if error is None:
        return []
    return [
        _("Session %(n)s: %(reason)s") % {"n": c.get("number"),
                                          "reason": CONFLICT_REASONS.get(c.get("reason"), c.get("reason"))}
        for c in error.extra.get("conflicts", [])
    ]


def _preview_rows(rows: list[slots.PreviewRow], pins: dict[int, datetime], zone: ZoneInfo,
                  location: Location, now: datetime, opened: set[int]) -> list[dict]:
    practitioners, rooms = clinic_selectors.practitioner_names(location), clinic_selectors.room_names(location)
    today = now.astimezone(zone).date()
    closed = booking_reasons.closed_days(
        location=location, start_date=max(today, min(r.window.earliest for r in rows)),
        end_date=max(r.window.latest for r in rows)) if rows else {}
    shown = []
    for row in rows:
        planned, conflict = row.planned, row.conflict
        pinned = pins.get(row.step.number)
        pinned_value = f"{pinned:%Y-%m-%dT%H:%M}" if pinned else ""
        planned_value = local_value(planned.start, zone) if planned else ""
        days = []
        day = max(row.window.earliest, today)
        while day <= row.window.latest:
            note = closed.get(day, "")
            days.append((day.isoformat(), written_date(day, "weekday_day") + (" · " + note if note else ""),
                         day == row.day, bool(note)))
            day += timedelta(days=1)
        chosen = pinned_value or planned_value
        groups = [
            (label, [(local_value(s.start, zone), f"{wall(s.start, zone):%H:%M}", practitioners.get(s.practitioner, ""),
                      local_value(s.start, zone) == chosen) for s in found])
            for label, found in slots.by_part_of_day(row.slots, zone)
        ]
        shown.append({
            "number": row.step.number,
            "kind": kind_label(row.step.kind),
            "start": wall(planned.start, zone) if planned else None,
            "end": wall(planned.end, zone) if planned else None,
            "practitioner": practitioners.get(planned.practitioner, "") if planned else "",
            "room": rooms.get(planned.room, "") if planned else "",
            "window": row.window,
            "conflict": str(CONFLICT_REASONS.get(conflict.reason, conflict.reason)) if conflict else "",
            "pinned": pinned_value,
            "day": row.day,
            "day_note": closed.get(row.day, "") if row.day else "",
            "days": days,
            "groups": groups,
            "open": row.step.number in opened or bool(conflict),
            "field": f"pin_{row.step.number}",
            "day_field": f"day_{row.step.number}",
        })
    return shown


# --- A course's page -----------------------------------------------------------------------------
