"""The lots page (doctors and admins): the shelf with what is left, filters for what expires soon
or runs low, receiving a lot or a product, a lot's traceability (who received it) and its recall.
The front desk has no access: these pages answer 403 to a receptionist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.models import Patient, PatientAccess
from patients.registry.services import patient_access_record
from patients.registry.views import add_form_errors

from . import adverse_events as adverse
from . import selectors, services
from .forms import LotForm, ProductForm, RecallForm
from .models import Lot

FILTERS = {"all": gettext_lazy("All lots"), "expiring": gettext_lazy("Expiring in 30 days"),
           "low": gettext_lazy("Running low"), "recalled": gettext_lazy("Recalled")}


def _lots(show: str):
    if show == "expiring":
        return selectors.lots_expiring(today=timezone.localdate(), days=30)
    if show == "low":
        return selectors.lots_running_low()
    lots = selectors.lots_with_quantities().order_by("product__name", "expires_on", "id")
    return lots.filter(recalled=True) if show == "recalled" else lots


def affected_rows(lot: Lot) -> list[dict]:
    """Who received the lot (selectors.lot_patients) with each patient's name for the page."""
    rows = selectors.lot_patients(lot)
    patients = Patient.objects.in_bulk({row["patient"] for row in rows})
    return [{**row, "patient_obj": patients.get(row["patient"])} for row in rows]


class DoctorMixin(RoleRequiredMixin):
    required_role = Role.DOCTOR


class LotListView(DoctorMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        show = request.GET.get("show", "all")
        show = show if show in FILTERS else "all"
        return render(request, "records/lot_list.html", {
            "lots": list(_lots(show)[:500]), "show": show, "filters": FILTERS, "today": timezone.localdate(),
        })


class FormPageView(DoctorMixin, View):
    """A create page: a crispy form, the service's refusals by their fields, then the lot page."""

    form_class: type
    template_name: str

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self.form_class(initial=self.initial(request))})

    def initial(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                return self.save(request, form)
            except ValidationError as error:
                add_form_errors(form, error)
        return render(request, self.template_name, {"form": form}, status=400)


class LotCreateView(FormPageView):
    form_class = LotForm
    template_name = "records/lot_form.html"

    def initial(self, request: HttpRequest) -> dict[str, Any]:
        return {"product": request.GET.get("product"), "received_on": timezone.localdate()}

    def save(self, request: HttpRequest, form: LotForm) -> HttpResponse:
        lot = services.lot_create(data=form.cleaned_data, by=request.user)
        messages.success(request, _("Lot %(number)s of %(product)s received.") % {"number": lot.lot_number,
                                                                              "product": lot.product.name})
        return HttpResponseRedirect(reverse("records:lot", args=[lot.pk]))


class ProductCreateView(FormPageView):
    form_class = ProductForm
    template_name = "records/product_form.html"

    def save(self, request: HttpRequest, form: ProductForm) -> HttpResponse:
        product = services.product_create(data=form.cleaned_data, by=request.user)
        messages.success(request, _("%(product)s added to the products: you can receive a lot of it now.")
                         % {"product": product.name})
        return HttpResponseRedirect(f"{reverse('records:lot-new')}?product={product.pk}")


class LotMixin(DoctorMixin):
    @cached_property
    def lot(self) -> Lot:
        return get_object_or_404(selectors.lots_with_quantities().select_related("recalled_by"), pk=self.kwargs["pk"])

    def affected(self, request: HttpRequest) -> list[dict]:
        rows = affected_rows(self.lot)
        patient_access_record(request=request, patients=[row["patient"] for row in rows],
                              what=PatientAccess.What.SESSION)
        return rows


class LotDetailView(LotMixin, View):
    """The lot with the patients who received it (traceability) and its adverse events."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        events = adverse.events_with_lot(self.lot).select_related("patient", "session__course__protocol")
        return render(request, "records/lot_detail.html", {
            "lot": self.lot, "affected": self.affected(request), "events": list(events[:200]),
        })


class LotRecallView(LotMixin, View):
    """A confirmation page (the reason, and who received the lot) before the recall; after it,
    the lot's page lists the affected patients and sessions."""

    def page(self, request: HttpRequest, form: RecallForm, status: int = 200) -> HttpResponse:
        return render(request, "records/lot_recall.html", {"lot": self.lot, "form": form,
                                                           "affected": self.affected(request)}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if self.lot.recalled:
            return HttpResponseRedirect(reverse("records:lot", args=[self.lot.pk]))
        return self.page(request, RecallForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = RecallForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        try:
            lot, affected = services.lot_recall(lot=self.lot, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            add_form_errors(form, error)
            return self.page(request, form, status=400)
        patients = len({row["patient"] for row in affected})
        messages.warning(request, " ".join([
            _("Lot %(number)s is recalled: it is never given again.") % {"number": lot.lot_number},
            ngettext("%(count)s patient received it (listed below).", "%(count)s patients received it (listed below).",
                     patients) % {"count": patients}]))
        return HttpResponseRedirect(reverse("records:lot", args=[lot.pk]))
