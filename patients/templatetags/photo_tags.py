"""Photo pieces shown on other pages: the session panel's photos (with the upload form for a
doctor) and the patient page's photos card. The front desk sees neither: photos are for
clinicians only."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from clinic.roles import Role, has_role
from patients.booking.status import visit_day_refusal
from patients.consent.selectors import consents_missing
from patients.models import Patient, Session
from patients.outcomes.photo_forms import PhotoUploadForm
from patients.outcomes.photo_selectors import photo_visits

register = template.Library()


@register.inclusion_tag("outcomes/_session_photos.html", takes_context=True)
def session_photos_box(context: template.Context, session: Session) -> dict[str, Any]:
    """The visit's photos by view and, once its local day has come, the form to add one."""
    request = context["request"]
    if not has_role(request.user, Role.DOCTOR):
        return {"shown": False}
    visits = photo_visits(session.patient_id)
    visit = next((v for v in visits if v.session_id == session.pk), None)
    box: dict[str, Any] = {"shown": True, "session": session, "visit": visit, "csrf_token": context.get("csrf_token"),
                           "next": context.get("next") or request.get_full_path(), "can_compare": len(visits) >= 2}
    if session.status in Session.RELEASED:
        return box
    waiting = visit_day_refusal(session=session, now=timezone.now(), doing="photographed")
    box["wait"] = waiting or ""
    box["consent_codes"] = consents_missing(patient=session.patient_id, photos=True)
    if not waiting and not box["consent_codes"]:
        box["form"] = PhotoUploadForm(prefix_id=f"photo{session.pk}")
    return box


@register.inclusion_tag("outcomes/_patient_photos_card.html", takes_context=True)
def patient_photos_card(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The patient's visits with photos (newest first) and the link to compare them."""
    request = context["request"]
    if not has_role(request.user, Role.DOCTOR):
        return {"shown": False}
    visits = photo_visits(patient.pk)
    return {"shown": True, "patient": patient, "visits": list(reversed(visits)), "can_compare": len(visits) >= 2,
            "consent_codes": consents_missing(patient=patient.pk, photos=True)}
