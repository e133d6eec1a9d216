"""A course's own pages (its timeline and sessions, re-booking a missing session, cancelling it)
and "To chase": thin like the other booking pages (patients.booking.views, whose helpers they share)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from clinic import selectors as clinic_selectors
from clinic.errors import DomainError
from clinic.formats import written_date
from clinic.ids import id_from
from clinic.permissions import RoleRequiredMixin
from patients.booking import chase, selectors, windows
from patients.booking import preview as booking_preview
from patients.booking.forms import ReasonForm, RebookForm, local_value
from patients.booking.status import course_cancel
from patients.booking.views import wall
from patients.models import Course, PatientAccess, Session
from patients.registry.services import patient_access_record
from protocols.planning import Window


class CourseDetailView(RoleRequiredMixin, View):
    """Its timeline, its sessions with their actions, re-booking a missing session, cancelling it."""

    template_name = "patients/course_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(request, pk)

    def render(self, request: HttpRequest, pk: int, *, rebook_forms: dict | None = None, status: int = 200,
               **context: Any) -> HttpResponse:
        course = get_object_or_404(selectors.courses_for_page(), pk=pk)
        sessions = list(course.sessions.all())
        patient_access_record(request=request, patients=[course.patient_id], what=PatientAccess.What.COURSE)
        zone = ZoneInfo(course.location.timezone)
        now = timezone.now()
        rebooks = []
        for number, window in selectors.rebook_targets(course, now=now):
            form = (rebook_forms or {}).get(number) or RebookForm(
                slots=_slot_choices(course, number, window, now, zone), number=number)
            rebooks.append({"number": number, "earliest": window.earliest, "latest": window.latest, "form": form})
        return render(request, self.template_name, {
            "course": course,
            "sessions": [(s, wall(s.start, zone), wall(s.end, zone)) for s in sessions],
            "zone": zone.key,
            "rebooks": rebooks,
            "can_cancel": course.status == "active",
            "step_count": len(course.protocol.sessions.all()),
            "statuses": Session.Status.choices,
            **context,
        }, status=status)


def _slot_choices(course: Course, number: int, window: Window, now: datetime,
                  zone: ZoneInfo) -> list[tuple[str, str]]:
    """Free times for a missing session, nearest its target day and the course's usual time first."""
    found = selectors.rebook_slots(course, number, window, now=now)
    names = clinic_selectors.practitioner_names(course.location)
    return [(local_value(s.start, zone),
             f"{written_date(s.start.astimezone(zone), 'weekday_datetime')} · {names.get(s.practitioner)}")
            for s in found]


class CourseRebookView(CourseDetailView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        course = get_object_or_404(Course.objects.select_related("location", "protocol", "patient"), pk=pk)
        zone = ZoneInfo(course.location.timezone)
        raw = request.POST.get("number", "")
        number = id_from(raw) or 0
        if number not in booking_preview.missing_numbers(course):
            messages.error(request, _("That session is already booked or not part of this course."))
            return HttpResponseRedirect(reverse("booking:course", args=[pk]))
        window = windows.session_window(course, number)
        form = RebookForm(request.POST, number=number,
                          slots=_slot_choices(course, number, window, timezone.now(), zone))
        if form.is_valid():
            try:
                session, warnings = booking_preview.session_rebook(
                    course=course, number=number, start=form.start_value(), by=request.user)
            except DomainError as error:
                form.add_error("start", error.detail)
            else:
                messages.success(request, _("Session %(n)s booked for %(start)s.") % {
                    "n": number, "start": written_date(session.start.astimezone(zone), "weekday_datetime")})
                for warning in warnings:
                    messages.warning(request, warning)
                return HttpResponseRedirect(reverse("booking:course", args=[pk]))
        return self.render(request, pk, rebook_forms={number: form}, status=400)


class CourseCancelView(RoleRequiredMixin, View):
    """A deliberate step of its own: a page that says what cancelling does, asks why, and offers
    "Cancel the course" or "Keep the course" (never the browser's OK/Cancel)."""

    template_name = "patients/course_cancel.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(request, pk, ReasonForm(prefix_id="course-cancel"))

    def render(self, request: HttpRequest, pk: int, form: ReasonForm, status: int = 200) -> HttpResponse:
        course = get_object_or_404(Course.objects.select_related("patient", "protocol", "location"), pk=pk)
        if course.status != "active":
            messages.info(request, _("This course is %(status)s: nothing to cancel.")
                          % {"status": course.get_status_display().lower()})
            return HttpResponseRedirect(reverse("booking:course", args=[pk]))
        zone = ZoneInfo(course.location.timezone)
        upcoming = [(s, wall(s.start, zone)) for s in selectors.sessions_still_to_come(course, now=timezone.now())]
        return render(request, self.template_name, {"course": course, "form": form, "upcoming": upcoming,
                                                    "zone": zone.key}, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        course = get_object_or_404(Course, pk=pk)
        form = ReasonForm(request.POST, prefix_id="course-cancel")
        if not form.is_valid():
            return self.render(request, pk, form, status=400)
        try:
            course_cancel(course=course, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Course cancelled; its sessions still to come are cancelled too."))
        return HttpResponseRedirect(reverse("booking:course", args=[pk]))


# --- To chase ----------------------------------------------------------------------------------


class ChaseView(RoleRequiredMixin, TemplateView):
    """Courses whose next session is not booked while its window is open, soonest-closing first;
    then sessions whose patient asked for another time."""

    template_name = "patients/chase_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        now = timezone.now()
        raw = self.request.GET.get("location", "")
        location = clinic_selectors.location_chosen(raw)
        chases = chase.courses_to_chase(now=now, location=location)
        rows = []
        for row in chases:
            today = now.astimezone(ZoneInfo(row.course.location.timezone)).date()
            rows.append({"chase": row, "days_left": (row.window_latest - today).days,
                         "opens_later": row.window_earliest > today})
        requests = chase.change_requests(now=now, location=location)
        requested = [(s, wall(s.start, ZoneInfo(s.location.timezone))) for s in requests]
        patient_access_record(request=self.request, what=PatientAccess.What.CHASE,
                              patients=[*(c.course.patient_id for c in chases), *(s.patient_id for s, _ in requested)])
        return super().get_context_data(rows=rows, requested=requested, location=location,
                                        locations=clinic_selectors.locations_by_name(), **kwargs)
