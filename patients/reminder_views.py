"""Staff pages for the reminder outbox: the clinic-wide log, one email as the patient saw it, retry.

Thin: filter with a form, read with select_related so a page costs the same whatever its rows,
call `reminder_retry` for the one write, render or redirect.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, DateField, DateTimeField, F, Func, Q, QuerySet
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.csp import csp_override
from django.views.generic import DetailView, TemplateView

from clinic.errors import DomainError
from clinic.models import Location
from clinic.permissions import RoleRequiredMixin
from protocols.selectors import session_count

from .emails import inert_links, render
from .models import Patient, PatientAccess, Reminder
from .reminders import reminder_retry
from .selectors import patients_search
from .services import patient_access_record

PAGE_SIZE = 25
STATUS_BADGES = {
    "pending": "text-bg-secondary",
    "sent": "text-bg-success",
    "failed": "text-bg-danger",
    "skipped": "bg-body-secondary text-body-secondary border",
    "expired": "bg-body-secondary text-body-secondary border",
    "cancelled": "bg-body-secondary text-body-secondary border",
}


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class ReminderFilterForm(forms.Form):
    """The log's filters, read from the query string; an invalid one is shown by its field and ignored."""

    q = forms.CharField(label="Patient", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email or phone"}))
    status = forms.ChoiceField(label="Status", required=False, choices=_blank("Any status") + Reminder.Status.choices)
    kind = forms.ChoiceField(label="Kind", required=False, choices=_blank("Any kind") + Reminder.Kind.choices)
    location = forms.ModelChoiceField(label="Location", required=False, queryset=Location.objects.order_by("name"),
                                      empty_label="Any location")
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    patient = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
            cleaned.pop("date_to", None)
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a mistyped date must not hide the whole log."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "") and name not in self.errors}


class LocalDate(Func):
    """The date of an instant in a zone named by another column: timezone(zone, instant)::date."""

    function = "timezone"
    output_field = DateTimeField()


def _when_local_date() -> Cast:
    # Each row's day in its own clinic's zone: a 01:00 Istanbul reminder belongs to that Istanbul day.
    return Cast(LocalDate(F("course__location__timezone"), Coalesce("sent_at", "send_at")), DateField())


def reminders_filtered(filters: dict[str, Any], *, with_status: bool = True) -> QuerySet[Reminder]:
    """Reminders matching the log's filters (without the status one when `with_status` is False)."""
    reminders = Reminder.objects.all()
    if with_status and filters.get("status"):
        reminders = reminders.filter(status=filters["status"])
    if filters.get("kind"):
        reminders = reminders.filter(kind=filters["kind"])
    if filters.get("location"):
        reminders = reminders.filter(course__location=filters["location"])
    if filters.get("patient"):
        reminders = reminders.filter(patient_id=filters["patient"])
    if filters.get("q"):
        reminders = reminders.filter(patient__in=patients_search(filters["q"]).order_by().values("pk"))
    if filters.get("date_from") or filters.get("date_to"):
        reminders = reminders.annotate(local_day=_when_local_date())
        if filters.get("date_from"):
            reminders = reminders.filter(local_day__gte=filters["date_from"])
        if filters.get("date_to"):
            reminders = reminders.filter(local_day__lte=filters["date_to"])
    return reminders


def with_display_fields(reminders: QuerySet[Reminder]) -> QuerySet[Reminder]:
    """Everything a log row shows, in the same query: patient, session, location, course length."""
    return reminders.select_related("patient", "session", "course__location").annotate(
        sessions_total=Coalesce(session_count("course__protocol"), 0)
    )


def status_counts(filters: dict[str, Any]) -> list[dict[str, Any]]:
    """How many rows of each status match the other filters: one aggregate query."""
    counts = reminders_filtered(filters, with_status=False).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Reminder.Status.values}
    )
    return [
        {"status": status, "label": label, "count": counts[status], "badge": STATUS_BADGES[status]}
        for status, label in Reminder.Status.choices
    ]


class ReminderLogView(RoleRequiredMixin, TemplateView):
    """Every reminder of the clinic, newest first, filterable; failed ones can be retried."""

    template_name = "patients/reminder_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = ReminderFilterForm(self.request.GET or None)
        filters = form.filters() if self.request.GET else {}
        reminders = with_display_fields(reminders_filtered(filters)).order_by("-send_at", "-id")
        paginator = Paginator(reminders, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        page.object_list = list(page.object_list)
        patient_access_record(request=self.request, patients=[r.patient_id for r in page.object_list],
                              what=PatientAccess.What.REMINDER)
        patient = None
        if filters.get("patient"):
            patient = Patient.objects.filter(pk=filters["patient"]).only("id", "first_name", "last_name").first()
        return super().get_context_data(
            form=form,
            reminders=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            counts=status_counts(filters),
            current_status=filters.get("status", ""),
            filtered=bool(filters),
            for_patient=patient,
            badges=STATUS_BADGES,
            **kwargs,
        )


# The email sits in a sandboxed srcdoc frame, which inherits this page's Content-Security-Policy.
# Emails are styled with style="" attributes (mail clients drop <style>), so this page alone lets
# attributes style; scripts stay refused, and the frame's sandbox allows none anyway.
EMAIL_FRAME_CSP = {**settings.SECURE_CSP, "style-src-attr": [CSP.UNSAFE_INLINE]}


@method_decorator(csp_override(EMAIL_FRAME_CSP), name="dispatch")
class ReminderDetailView(RoleRequiredMixin, DetailView):
    """One email as the patient saw it; a preview, clearly labelled, for rows not sent yet."""

    template_name = "patients/reminder_detail.html"
    context_object_name = "reminder"

    def get_queryset(self) -> QuerySet[Reminder]:
        return with_display_fields(Reminder.objects.all()).select_related(
            "course__protocol", "session__practitioner"
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patient_access_record(request=request, patients=[self.object.patient_id], what=PatientAccess.What.REMINDER)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        reminder: Reminder = self.object
        sent = reminder.status == Reminder.Status.SENT and bool(reminder.rendered_html or reminder.rendered_text)
        if sent:
            subject, text, html = reminder.rendered_subject, reminder.rendered_text, reminder.rendered_html
        else:
            subject, text, html, _sessions = render(reminder)
        # A staff member must not be able to confirm or unsubscribe as the patient: previews,
        # and copies stored before copies were kept inert, lose their working links here.
        return super().get_context_data(
            sent=sent,
            subject=subject,
            text=inert_links(text),
            html=inert_links(html),
            badges=STATUS_BADGES,
            **kwargs,
        )


class FailedBadgeView(RoleRequiredMixin, View):
    """The nav's red count of failed emails. htmx fetches it after the page loads, so no page
    pays a query for it and every page's query count stays its own."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        failed = Reminder.objects.filter(status=Reminder.Status.FAILED).count()
        if not failed:
            return HttpResponse("")
        return HttpResponse(
            format_html(
                '<span class="badge rounded-pill text-bg-danger" data-failed-count="{}">{}'
                '<span class="visually-hidden"> failed</span></span>',
                failed,
                failed,
            )
        )


def _back(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


class ReminderRetryView(RoleRequiredMixin, View):
    """Put a failed reminder back in the queue (POST only; the button asks first)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        reminder = get_object_or_404(Reminder, pk=pk)
        try:
            reminder_retry(reminder=reminder)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Reminder #{reminder.pk} is queued again and goes out with the next pass.")
        return HttpResponseRedirect(_back(request, reverse("reminders:detail", args=[reminder.pk])))
