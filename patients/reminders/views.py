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
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.views import View
from django.views.decorators.csp import csp_override
from django.views.generic import DetailView, TemplateView

from clinic.errors import DomainError
from clinic.models import Location
from clinic.permissions import RoleRequiredMixin
from patients.models import PatientAccess, Reminder
from patients.registry.selectors import patient_named
from patients.registry.services import patient_access_record
from patients.reminders import selectors
from patients.reminders.emails import inert_links, render
from patients.reminders.outbox import reminder_retry

PAGE_SIZE = 25
STATUS_BADGES = {
    "pending": "text-bg-secondary",
    "sent": "text-bg-success",
    "failed": "text-bg-danger",
    "skipped": "bg-body-secondary text-body-secondary border",
    "expired": "bg-body-secondary text-body-secondary border",
    "cancelled": "bg-body-secondary text-body-secondary border",
}


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ReminderFilterForm(forms.Form):
    """The log's filters, read from the query string; an invalid one is shown by its field and ignored."""

    q = forms.CharField(label=gettext_lazy("Patient"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": gettext_lazy("Name, email or phone")}))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=_blank(gettext_lazy("Any status")) + Reminder.Status.choices)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=_blank(gettext_lazy("Any kind")) + Reminder.Kind.choices)
    location = forms.ModelChoiceField(label=gettext_lazy("Location"), required=False,
                                      queryset=Location.objects.order_by("name"),
                                      empty_label=gettext_lazy("Any location"))
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
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
            self.add_error("date_to", gettext("The end date is before the start date."))
            cleaned.pop("date_to", None)
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a mistyped date must not hide the whole log."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "") and name not in self.errors}


class ReminderLogView(RoleRequiredMixin, TemplateView):
    """Every reminder of the clinic, newest first, filterable; failed ones can be retried."""

    template_name = "patients/reminder_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = ReminderFilterForm(self.request.GET or None)
        filters = form.filters() if self.request.GET else {}
        reminders = selectors.reminder_log(filters)
        paginator = Paginator(reminders, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        page.object_list = list(page.object_list)
        patient_access_record(request=self.request, patients=[r.patient_id for r in page.object_list],
                              what=PatientAccess.What.REMINDER)
        patient = None
        if filters.get("patient"):
            patient = patient_named(filters["patient"])
        return super().get_context_data(
            form=form,
            reminders=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            counts=[{**row, "badge": STATUS_BADGES[row["status"]]} for row in selectors.status_counts(filters)],
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
        return selectors.reminders_for_detail()

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
        failed = selectors.failed_count()
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
            messages.success(request, gettext("Reminder #%(id)s is queued again and goes out with the next pass.")
                             % {"id": reminder.pk})
        return HttpResponseRedirect(_back(request, reverse("reminders:detail", args=[reminder.pk])))
