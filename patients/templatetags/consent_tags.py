"""Consent pieces shown on other pages: the patient's Consents section, and the links to sign
that a `consent_required` refusal offers on the session panel."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from patients.consent import selectors
from patients.models import Patient

register = template.Library()


@register.simple_tag
def patient_consents(patient: Patient) -> selectors.PatientConsents:
    return selectors.patient_consents(patient)


@register.simple_tag
def consent_sign_links(patient_id: int, codes: list[str], next_url: str = "") -> list[tuple[str, str, str]]:
    """(code, English title, signing URL) for each active document of `codes`, back to `next_url`."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return [(document.code, document.title, reverse("patients:consent-sign", args=[patient_id, document.pk]) + query)
            for document in selectors.documents_active().filter(code__in=codes or [])]
