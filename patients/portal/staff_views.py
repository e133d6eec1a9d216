"""The desk's side of the portal: a fresh link to the patient's page as a QR code to print or
show, and revoking every link made so far."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from clinic.permissions import RoleRequiredMixin
from patients.models import Patient, PatientAccess
from patients.portal import services
from patients.registry.services import patient_access_record


def qr_data_uri(url: str) -> str:
    """The link as an SVG QR code (a data: URI the page's CSP allows for images)."""
    return segno.make(url, error="m").svg_data_uri(scale=6, border=2)


class PatientPortalView(RoleRequiredMixin, TemplateView):
    """A fresh link to the patient's page and its QR code, to print or show on the screen."""

    template_name = "portal/staff_portal_link.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        patient = get_object_or_404(Patient, pk=kwargs["pk"])
        patient_access_record(request=self.request, patients=[patient], what=PatientAccess.What.RECORD)
        link = services.portal_link_issue(patient=patient, by=self.request.user)
        return super().get_context_data(patient=patient, link=link, qr=qr_data_uri(link.url), **kwargs)


class PatientPortalRevokeView(RoleRequiredMixin, View):
    """Every link to the patient's page made until now stops working (POST; the button asks first)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        patient = get_object_or_404(Patient, pk=pk)
        services.portal_links_revoke(patient=patient, by=request.user)
        messages.success(request, _("Every link to %(name)s's own page has stopped working. "
                                    "Print or send a new one when the patient needs it.") % {"name": patient.full_name})
        return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))


