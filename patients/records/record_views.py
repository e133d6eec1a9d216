"""Recording a visit and amending its record, from the session panel (doctors and admins).

Thin: build the forms, call patients.records.services, and put a refusal by the field it is
about (a lot's refusal by that lot's row, the rest above the form). Nothing is written on a
refusal: the service runs in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from clinic.errors import DomainError
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.models import PatientAccess, Session, SessionRecord
from patients.registry.services import patient_access_record

from . import selectors, services
from .forms import AmendForm, RecordForm, product_lines


def next_url(request: HttpRequest, default: str) -> str:
    """Where to go after an action: the page it was taken from, if it is one of ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def place_refusal(error: Exception, *, form: Any, formset: Any) -> list[str]:
    """Put a service's refusal by its field: a lot's (expired, recalled, exhausted, not allowed)
    by the row naming that lot, a field's by that field. What is left goes above the form."""
    if isinstance(error, DomainError):
        row = formset.form_for_lot(error.extra.get("lot")) if error.extra.get("lot") else None
        if row is not None:
            row.add_error("lot", error.detail)
            return []
        return [error.detail]
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        top: list[str] = []
        for field, problems in error.message_dict.items():
            if field in form.fields:
                form.add_error(field, problems)
            else:
                top.extend(problems)
        return top
    return list(getattr(error, "messages", [str(error)]))


def _offered(session: Session, record: SessionRecord | None = None) -> list:
    """The lots the picker offers; an amendment also keeps the lots its record already used."""
    lots = list(selectors.lots_offered_for(session))
    if record is not None:
        kept = {row.lot_id for row in record.products.all()} - {lot.pk for lot in lots}
        lots += list(selectors.lots_with_quantities().filter(pk__in=kept))
    return lots


def record_forms(session: Session, data: Any = None) -> tuple[RecordForm, Any]:
    """The 'Record this visit' form and its product rows, blank or bound (the panel shows them)."""
    form = RecordForm(data, adjuncts=selectors.visit_adjuncts_of(session), prefix_id=f"record{session.pk}")
    formset = product_lines(data=data, lots=_offered(session), prefix=f"rec{session.pk}",
                            require_one=session.kind == "treatment")
    return form, formset


class SessionRecordView(RoleRequiredMixin, View):
    """Record what was given at a visit; the session becomes completed in the same transaction."""

    required_role = Role.DOCTOR

    @cached_property
    def session(self) -> Session:
        return get_object_or_404(
            Session.objects.select_related("patient", "practitioner", "room", "location", "course__protocol"),
            pk=self.kwargs["pk"])

    def page(self, request: HttpRequest, form: RecordForm, formset: Any, top_errors: list[str] = (),
             status: int = 200, consent_codes: list[str] = ()) -> HttpResponse:
        patient_access_record(request=request, patients=[self.session.patient_id], what=PatientAccess.What.SESSION)
        return render(request, "records/sessionrecord_form.html", {
            "session": self.session, "form": form, "formset": formset, "top_errors": top_errors,
            "consent_codes": consent_codes, "back_here": request.get_full_path(),
            "local_day": selectors.session_local_date(self.session),
            "next": next_url(request, reverse("booking:session", args=[self.session.pk])),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if hasattr(self.session, "record"):
            return HttpResponseRedirect(reverse("records:record-amend", args=[self.session.record.pk]))
        return self.page(request, *record_forms(self.session))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form, formset = record_forms(self.session, request.POST)
        if not (form.is_valid() & formset.is_valid()):
            return self.page(request, form, formset, status=400)
        try:
            services.session_record(session=self.session, products=formset.given(),
                                    adjuncts_done=form.cleaned_data["adjuncts_done"],
                                    notes=form.cleaned_data["notes"], by=request.user)
        except (DomainError, ValidationError) as error:
            top = place_refusal(error, form=form, formset=formset)
            # A missing consent comes with the links to sign it, back to this form afterwards.
            codes = error.extra.get("documents", []) if getattr(error, "code", "") == "consent_required" else []
            return self.page(request, form, formset, top, status=getattr(error, "status", 400), consent_codes=codes)
        messages.success(request, _("Session %(number)s recorded: it is now completed.")
                         % {"number": self.session.number})
        return HttpResponseRedirect(next_url(request, reverse("booking:session", args=[self.session.pk])))


class SessionRecordAmendView(RoleRequiredMixin, View):
    """Correct a record: the form, then a confirmation of what the record will say, then the
    amendment (with its required reason; the earlier content stays in the history)."""

    required_role = Role.DOCTOR

    @cached_property
    def record(self) -> SessionRecord:
        return get_object_or_404(
            selectors.records().select_related("session__patient", "session__location", "session__course__protocol"),
            pk=self.kwargs["pk"])

    def forms(self, data: Any = None) -> tuple[AmendForm, Any]:
        record, session = self.record, self.record.session
        initial = None if data is not None else {"adjuncts_done": record.adjuncts_done, "notes": record.notes}
        form = AmendForm(data, initial=initial, adjuncts=sorted(
            set(selectors.visit_adjuncts_of(session)) | set(record.adjuncts_done)), prefix_id=f"amend{record.pk}")
        rows = [{"lot": row.lot_id, "quantity": f"{row.quantity.normalize():f}", "sites": row.sites}
                for row in record.products.all()]
        formset = product_lines(data=data, lots=_offered(session, record), initial=None if data else rows,
                                prefix=f"amend{record.pk}", require_one=session.kind == "treatment")
        return form, formset

    def page(self, request: HttpRequest, form: AmendForm, formset: Any, *, top_errors: list[str] = (),
             confirming: bool = False, status: int = 200) -> HttpResponse:
        session = self.record.session
        patient_access_record(request=request, patients=[session.patient_id], what=PatientAccess.What.SESSION)
        lots = {lot.pk: lot for lot in _offered(session, self.record)}
        return render(request, "records/sessionrecord_amend.html", {
            "record": self.record, "session": session, "form": form, "formset": formset, "top_errors": top_errors,
            "confirming": confirming, "revisions": selectors.record_revisions(self.record),
            "proposed": [{**row, "lot": lots.get(row["lot"])} for row in formset.given()] if confirming else [],
            "next": next_url(request, reverse("booking:session", args=[session.pk])),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request, *self.forms())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form, formset = self.forms(request.POST)
        if not (form.is_valid() & formset.is_valid()):
            return self.page(request, form, formset, status=400)
        if request.POST.get("action") != "confirm":
            return self.page(request, form, formset, confirming=True)
        try:
            services.session_record_amend(record=self.record, reason=form.cleaned_data["reason"],
                                          products=formset.given(), adjuncts_done=form.cleaned_data["adjuncts_done"],
                                          notes=form.cleaned_data["notes"], by=request.user)
        except (DomainError, ValidationError) as error:
            top = place_refusal(error, form=form, formset=formset)
            return self.page(request, form, formset, top_errors=top, status=getattr(error, "status", 400))
        messages.success(request, _("The record of session %(number)s is amended; the earlier content stays in its "
                                    "history.") % {"number": self.record.session.number})
        return HttpResponseRedirect(next_url(request, reverse("booking:session", args=[self.record.session_id])))
