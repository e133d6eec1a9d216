"""Screening pages: take a screening, a doctor's override, ask a doctor to review."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from clinic.errors import DomainError
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.models import Patient, PatientAccess, Screening
from patients.registry.services import patient_access_record
from patients.registry.views import add_form_errors, hide_patient_data
from patients.screening import rules, selectors, services
from patients.screening.forms import ScreeningForm, ScreeningOverrideForm


def blocked_message(verdict: selectors.ScreeningVerdict) -> str:
    """The patient's booking situation in one sentence, naming the protocols a screening blocks."""
    if not verdict.blocks_any:
        return _("none of the active protocols is blocked.")
    if verdict.blocks_all:
        return _("booking is blocked for every protocol until a doctor overrides it.")
    codes = ", ".join(p.code for p in verdict.blocked)
    return _("it blocks %(blocked)s of %(total)s protocols (%(protocols)s) until a doctor overrides it; the others "
             "can be booked.") % {"blocked": len(verdict.blocked), "total": len(verdict.blocked) + len(verdict.open),
                                  "protocols": codes}


@hide_patient_data
class ScreeningCreateView(RoleRequiredMixin, FormView):
    template_name = "patients/screening_form.html"
    form_class = ScreeningForm

    @cached_property
    def patient(self) -> Patient:
        return get_object_or_404(Patient, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        patient_access_record(request=request, patients=[self.patient], what=PatientAccess.What.SCREENING)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "sex": self.patient.sex}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.setdefault("form", self.get_form())
        skipped = [rules.SHORT_LABELS[key] for key in rules.ANSWER_KEYS if key not in form.asked]
        unanswered = [key for key in form.asked if key in form.errors]
        return super().get_context_data(
            patient=self.patient, valid_days=settings.SCREENING_VALID_DAYS, skipped=skipped, unanswered=unanswered,
            **kwargs,
        )

    def form_valid(self, form: ScreeningForm) -> HttpResponse:
        screening = services.screening_record(patient=self.patient, answers=form.answers, by=self.request.user)
        if screening.hard_stops:
            verdict = selectors.screening_verdict(screening)
            messages.warning(self.request,
                             _("Screening recorded: %(situation)s") % {"situation": blocked_message(verdict)})
        else:
            messages.success(self.request, _("Screening recorded."))
        return HttpResponseRedirect(reverse("patients:detail", args=[self.patient.pk]) + "#screening")


@hide_patient_data
class ScreeningOverrideView(RoleRequiredMixin, FormView):
    required_role = Role.DOCTOR
    template_name = "patients/screeningoverride_form.html"
    form_class = ScreeningOverrideForm

    @cached_property
    def screening(self) -> Screening:
        return get_object_or_404(Screening.objects.select_related(*selectors.SCREENING_RELATED), pk=self.kwargs["pk"])

    @cached_property
    def verdict(self) -> selectors.ScreeningVerdict:
        return selectors.screening_verdict(self.screening)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        patient_access_record(
            request=request, patients=[self.screening.patient_id], what=PatientAccess.What.SCREENING
        )
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "blocked": self.verdict.blocked}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            screening=self.screening, patient=self.screening.patient, verdict=self.verdict, **kwargs
        )

    def form_valid(self, form: ScreeningOverrideForm) -> HttpResponse:
        try:
            override = services.screening_override(
                screening=self.screening, reason=form.cleaned_data["reason"], protocols=form.protocol_codes,
                by=self.request.user,
            )
        except ValidationError as error:
            add_form_errors(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.detail)
            return self.form_invalid(form)
        if override.protocols:
            opened = ", ".join(override.protocols)
            messages.success(self.request, _("Override recorded: the hard stops no longer block %(protocols)s; "
                                             "every other protocol stays blocked.") % {"protocols": opened})
        else:
            messages.success(self.request, _("Override recorded: the hard stops no longer block booking."))
        return HttpResponseRedirect(reverse("patients:detail", args=[self.screening.patient_id]) + "#screening")


class ScreeningReviewRequestView(RoleRequiredMixin, View):
    """The desk's "Ask a doctor" button: puts the screening in the doctors' review queue."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        screening = get_object_or_404(Screening, pk=pk)
        try:
            services.screening_review_request(screening=screening, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("A doctor has been asked: the screening is in the doctors' review queue."))
        return HttpResponseRedirect(reverse("patients:detail", args=[screening.patient_id]) + "#screening")
