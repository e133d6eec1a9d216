"""Staff pages for patients: list and search, detail, forms, screening, override, access log.

Thin: get the object, check the role, validate the form, call the service, render or redirect.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import DetailView, FormView, ListView

from clinic.errors import Conflict
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.models import Consent, Patient, PatientAccess
from patients.registry import selectors, services
from patients.registry.forms import PatientForm, PatientSearchForm
from patients.registry.phones import phone_region
from patients.screening import rules
from patients.screening import selectors as screening_selectors

# Patient details must not end up in error reports: Django's debug page and mails hide these.
hide_patient_data = method_decorator(sensitive_post_parameters(), name="dispatch")

SCREENING_HISTORY_SHOWN = 20


def add_form_errors(form: Any, error: ValidationError) -> None:
    """A service's ValidationError shown by the fields it names (the rest above the form)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


class CappedPaginator(Paginator):
    """Counts search matches up to a cap: past it, "1000+" tells the receptionist to type more,
    and the count stays cheap however many patients a short term matches."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class PatientListView(RoleRequiredMixin, ListView):
    """All patients, by name; `?q=` searches as you type (htmx swaps the table only)."""

    template_name = "patients/patient_list.html"
    paginate_by = 25
    context_object_name = "patients"

    @cached_property
    def search(self) -> PatientSearchForm:
        return PatientSearchForm(self.request.GET)

    @cached_property
    def query(self) -> str | None:
        """The search text, or None when the box holds something no search can use (shown by it)."""
        return self.search.cleaned_data["q"] if self.search.is_valid() else None

    def get_queryset(self):
        if self.query is None:
            return Patient.objects.none()
        return selectors.patients_search(self.query).only(
            "id", "first_name", "last_name", "email", "phone", "date_of_birth", "language"
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        what = PatientAccess.What.SEARCH if request.GET.get("q", "").strip() else PatientAccess.What.LIST
        services.patient_access_record(request=request, patients=response.context_data["patients"], what=what)
        return response

    @property
    def partial(self) -> bool:
        return bool(getattr(self.request, "htmx", False)) and not self.request.htmx.boosted

    def get_template_names(self) -> list[str]:
        if self.partial:
            return ["patients/_patient_table.html"]
        return [self.template_name]

    def paginate_queryset(self, queryset: Any, page_size: int) -> Any:
        query = self.query or ""
        paginator = (CappedPaginator if query.strip() else Paginator)(queryset, page_size)
        with selectors.search_plan(query):
            # An unknown page number shows the last page rather than a 404: typing can shrink the results.
            page = paginator.get_page(self.request.GET.get("page"))
            page.object_list = list(page.object_list)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        errors = self.search.errors.get("q", [])
        shown = self.query if self.query is not None else self.request.GET.get("q", "").replace("\x00", "")
        return super().get_context_data(q=shown, search_error=" ".join(errors), partial=self.partial,
                                        phone_region=phone_region(), **kwargs)


class PatientDetailView(RoleRequiredMixin, DetailView):
    """Contact, consent, screenings; courses, sessions and reminders come from later work."""

    model = Patient
    template_name = "patients/patient_detail.html"
    context_object_name = "patient"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        services.patient_access_record(request=request, patients=[self.object], what=PatientAccess.What.RECORD)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        patient = self.object
        screenings = list(screening_selectors.screenings_of(patient)[:SCREENING_HISTORY_SHOWN])
        consents = list(Consent.objects.filter(patient=patient).select_related("recorded_by")[:20])
        latest_consent = {}
        for consent in consents:
            latest_consent.setdefault(consent.kind, consent)
        latest = screenings[0] if screenings else None
        return super().get_context_data(
            latest_screening=latest,
            verdict=screening_selectors.screening_verdict(latest) if latest and latest.hard_stops else None,
            screenings=screenings,
            consents=consents,
            reminder_consent=latest_consent.get(Consent.Kind.REMINDER_EMAILS),
            investigational_consent=latest_consent.get(Consent.Kind.INVESTIGATIONAL_ACK),
            labels=rules.SHORT_LABELS,
            phone_region=phone_region(patient),
            now_utc=timezone.now(),
            **kwargs,
        )


@hide_patient_data
class PatientCreateView(RoleRequiredMixin, FormView):
    template_name = "patients/patient_form.html"
    form_class = PatientForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["show_duplicate_check"] = "confirm_not_duplicate_shown" in self.request.POST
        kwargs["region"] = phone_region()
        return kwargs

    def form_valid(self, form: PatientForm) -> HttpResponse:
        data = {name: form.cleaned_data[name] for name in PatientForm.Meta.fields}
        try:
            patient = services.patient_create(
                **data, allow_duplicate=form.cleaned_data.get("confirm_not_duplicate", False), by=self.request.user
            )
        except Conflict as conflict:
            duplicates = Patient.objects.filter(pk__in=conflict.extra.get("duplicates", []))
            form = PatientForm(self.request.POST, show_duplicate_check=True, region=phone_region())
            form.is_valid()
            form.add_error("confirm_not_duplicate", _("Tick this once you have checked the patients above."))
            return self.render_to_response(self.get_context_data(form=form, duplicates=duplicates))
        except ValidationError as error:
            add_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Patient registered."))
        return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))


@hide_patient_data
class PatientUpdateView(RoleRequiredMixin, FormView):
    template_name = "patients/patient_form.html"
    form_class = PatientForm

    # Looked up only once RoleRequiredMixin has let the request in (so not in dispatch): an anonymous
    # or wrong-role visitor must get the same answer for an unknown id as for a known one.
    @cached_property
    def patient(self) -> Patient:
        return get_object_or_404(Patient, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        services.patient_access_record(request=request, patients=[self.patient], what=PatientAccess.What.EDIT)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.patient, "region": phone_region(self.patient)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The form works on a copy: its validation must not rename the patient in the page header.
        return super().get_context_data(patient=Patient.objects.get(pk=self.patient.pk), **kwargs)

    def form_valid(self, form: PatientForm) -> HttpResponse:
        changes = {name: form.cleaned_data[name] for name in PatientForm.Meta.fields}
        try:
            services.patient_update(patient=self.patient, changes=changes, by=self.request.user)
        except ValidationError as error:
            add_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Patient details saved."))
        return HttpResponseRedirect(reverse("patients:detail", args=[self.patient.pk]))


class ConsentView(RoleRequiredMixin, View):
    """One click: give or withdraw a consent (POST kind, given=yes|no)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        patient = get_object_or_404(Patient, pk=pk)
        kind = request.POST.get("kind", "")
        given = request.POST.get("given")
        if kind not in Consent.Kind.values or given not in ("yes", "no"):
            messages.error(request, _("That consent change was not understood; nothing was changed."))
        else:
            services.consent_record(patient=patient, kind=kind, given=given == "yes", by=request.user)
            label = Consent.Kind(kind).label
            text = _("%(consent)s: consent recorded.") if given == "yes" else _("%(consent)s: consent withdrawn.")
            messages.success(request, text % {"consent": label})
        return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))


class PatientAccessLogView(RoleRequiredMixin, ListView):
    """Admins: who saw this patient's data, what and where, newest first."""

    required_role = Role.ADMIN
    template_name = "patients/patientaccess_list.html"
    paginate_by = 50
    context_object_name = "accesses"

    def get_queryset(self):
        self.patient = get_object_or_404(Patient, pk=self.kwargs["pk"])
        return PatientAccess.objects.filter(patient=self.patient).select_related("user").order_by("-at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(patient=self.patient, **kwargs)
