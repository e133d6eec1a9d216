"""Adverse events: any staff role files one (a patient phoned in), from the patient's page or a
session; doctors complete it and mark it reviewed. Lists per patient (the patient's page), per
lot (the lot's page) and per protocol (the list page's filters)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from clinic.errors import DomainError
from clinic.formats import written_date
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from clinic.selectors import clinic_zone_name
from patients.models import AdverseEvent, Patient, PatientAccess, Session
from patients.registry.services import patient_access_record
from patients.registry.views import add_form_errors
from protocols.models import Protocol

from . import adverse_events as adverse
from .forms import AdverseEventForm
from .record_views import next_url


def session_choices(patient: Patient) -> list[tuple[int, str]]:
    """The patient's visits an event can follow: those not cancelled, newest first."""
    sessions = (Session.objects.filter(patient=patient).exclude(status__in=Session.RELEASED)
                .select_related("course__protocol", "location").order_by("-start"))
    return [(s.pk, _("%(date)s · %(code)s session %(number)s (%(status)s)") % {
        "date": written_date(s.start.astimezone(ZoneInfo(s.location.timezone)), "weekday_date"),
        "code": s.course.protocol.code, "number": s.number, "status": str(s.get_status_display()).lower()})
        for s in sessions]


def event_data(form: AdverseEventForm, patient: Patient) -> dict[str, Any]:
    data = {name: value for name, value in form.cleaned_data.items() if name != "session"}
    session_id = form.cleaned_data.get("session")
    data["session"] = Session.objects.select_related("location").get(pk=session_id) if session_id else None
    return {"patient": patient, **data}


class EventFormView(RoleRequiredMixin, View):
    template_name = "records/adverseevent_form.html"

    def page(self, request: HttpRequest, form: AdverseEventForm, status: int = 200) -> HttpResponse:
        patient_access_record(request=request, patients=[self.patient.pk], what=PatientAccess.What.SESSION)
        return render(request, self.template_name, {
            "form": form, "patient": self.patient, "event": getattr(self, "event", None),
            "next": next_url(request, reverse("patients:detail", args=[self.patient.pk]) + "#treatment"),
        }, status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AdverseEventForm(request.POST, sessions=session_choices(self.patient))
        if not form.is_valid():
            return self.page(request, form, status=400)
        try:
            event = self.save(request, event_data(form, self.patient))
        except ValidationError as error:
            add_form_errors(form, error)
            return self.page(request, form, status=400)
        messages.success(request, self.done_text(event))
        return HttpResponseRedirect(next_url(request, reverse("patients:detail", args=[self.patient.pk])
                                             + "#treatment"))


class AdverseEventCreateView(EventFormView):
    """File an event (any staff role); `?session=` preselects the visit it followed."""

    @cached_property
    def patient(self) -> Patient:
        return get_object_or_404(Patient, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        choices = session_choices(self.patient)
        wanted = request.GET.get("session", "")
        initial = {"onset": timezone.now().astimezone(ZoneInfo(clinic_zone_name())).date()}  # the desk's today
        if wanted.isdigit() and int(wanted) in dict(choices):
            initial["session"] = int(wanted)
        return self.page(request, AdverseEventForm(initial=initial, sessions=choices))

    def save(self, request: HttpRequest, data: dict[str, Any]) -> AdverseEvent:
        return adverse.adverse_event_file(data=data, by=request.user)

    def done_text(self, event: AdverseEvent) -> str:
        text = _("Adverse event filed (%(kind)s, %(severity)s).") % {
            "kind": str(event.get_kind_display()).lower(), "severity": str(event.get_severity_display()).lower()}
        if event.serious:
            text += " " + _("It is serious: it stands out for the doctors until one reviews it.")
        return text


class AdverseEventUpdateView(EventFormView):
    """A doctor completes or corrects an event (its outcome, severity, description...)."""

    required_role = Role.DOCTOR

    @cached_property
    def event(self) -> AdverseEvent:
        return get_object_or_404(AdverseEvent.objects.select_related("patient", "session"), pk=self.kwargs["pk"])

    @property
    def patient(self) -> Patient:
        return self.event.patient

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self.event
        initial = {name: getattr(event, name) for name in adverse.EDITABLE if name != "session"}
        initial["session"] = event.session_id
        return self.page(request, AdverseEventForm(initial=initial, sessions=session_choices(self.patient)))

    def save(self, request: HttpRequest, data: dict[str, Any]) -> AdverseEvent:
        data.pop("patient")
        return adverse.adverse_event_update(event=self.event, data=data, by=request.user)

    def done_text(self, event: AdverseEvent) -> str:
        return _("Adverse event updated.")


class AdverseEventReviewView(RoleRequiredMixin, View):
    """A doctor marks an event reviewed (the button asks first): a serious one stops standing out."""

    required_role = Role.DOCTOR

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = get_object_or_404(AdverseEvent, pk=pk)
        back = next_url(request, reverse("patients:detail", args=[event.patient_id]) + "#treatment")
        try:
            adverse.adverse_event_review(event=event, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
            return HttpResponseRedirect(back)
        messages.success(request, _("Adverse event marked reviewed."))
        return HttpResponseRedirect(back)


class AdverseEventListView(RoleRequiredMixin, View):
    """Every event, filtered by protocol, lot, seriousness or whether a doctor has reviewed it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        events = adverse.adverse_events().select_related("patient", "session__course__protocol", "reviewed_by")
        codes = list(Protocol.objects.order_by("code").values_list("code", flat=True).distinct())
        protocol = request.GET.get("protocol", "")
        protocol = protocol if protocol in codes else ""
        if protocol:  # every version of the protocol
            events = events.filter(session__course__protocol__code=protocol)
        lot = request.GET.get("lot", "")
        if lot.isdigit():
            events = events.filter(pk__in=adverse.events_with_lot(int(lot)).values("pk"))
        if request.GET.get("serious") == "yes":
            events = events.filter(serious=True)
        if request.GET.get("unreviewed") == "yes":
            events = events.filter(reviewed_at__isnull=True)
        events = list(events.order_by("-onset", "-id")[:200])
        patient_access_record(request=request, patients=[e.patient_id for e in events],
                              what=PatientAccess.What.SESSION)
        return render(request, "records/adverseevent_list.html", {
            "events": events, "codes": codes, "protocol": protocol, "lot": lot if lot.isdigit() else "",
            "serious": request.GET.get("serious") == "yes", "unreviewed": request.GET.get("unreviewed") == "yes",
        })
