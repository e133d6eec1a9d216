"""Treatment-room pieces shown on other pages: the session panel's record (or its 'Record this
visit' form), a patient's treatment history and serious events, the doctors' home-page alert."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from clinic.numbers import written_number
from clinic.roles import Role, has_role
from patients.booking.status import visit_day_refusal
from patients.models import Patient, Session
from patients.records import adverse_events as adverse
from patients.records import selectors
from patients.records.record_views import record_forms

register = template.Library()

HOME_EVENTS_SHOWN = 10


@register.inclusion_tag("records/_session_record.html", takes_context=True)
def session_record_box(context: template.Context, session: Session) -> dict[str, Any]:
    """The visit's record with its amendments, or for a doctor the form to record it once the
    session's local day has come (the same time rule as the status buttons)."""
    request = context["request"]
    is_doctor = has_role(request.user, Role.DOCTOR)
    record = selectors.session_record_of(session)
    box: dict[str, Any] = {"session": session, "record": record, "is_doctor": is_doctor, "next": context.get("next"),
                           "csrf_token": context.get("csrf_token"), "events": list(session.adverse_events.all())}
    if record is not None:
        box["revisions"] = selectors.record_revisions(record) if record.revision > 1 else []
        return box
    if session.status in Session.RELEASED:
        return box
    waiting = visit_day_refusal(session=session, now=timezone.now(), doing="recorded")
    box["record_wait"] = waiting or ""
    if is_doctor and not waiting:
        box["form"], box["formset"] = record_forms(session)
    return box


@register.simple_tag
def patient_treatment(patient: Patient) -> dict[str, Any]:
    """Visit by visit (newest first) what was given, and the events filed without a visit."""
    records = selectors.records_of_patient(patient.pk)
    events = list(adverse.adverse_events().filter(patient=patient).select_related("session__course__protocol"))
    return {"records": records, "events": events, "loose_events": [e for e in events if not e.session_id]}


@register.simple_tag
def patient_serious_unreviewed(patient: Patient) -> list:
    return list(adverse.serious_unreviewed().filter(patient=patient))


@register.simple_tag
def home_serious_unreviewed() -> dict[str, Any]:
    """Serious events no doctor has reviewed, oldest first (the doctors' home page)."""
    events = adverse.serious_unreviewed().select_related("patient")
    return {"count": events.count(), "items": list(events[:HOME_EVENTS_SHOWN])}


@register.filter
def session_events(events: list, session_id: int) -> list:
    return [event for event in events if event.session_id == session_id]


@register.filter
def site_labels(codes: list[str]) -> str:
    from patients.records.models import Site

    labels = dict(Site.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes)


@register.filter
def quantity(value: Any) -> str:
    """2.50 -> 2.5, 3.00 -> 3, in German 2,5: a dose as a person writes it."""
    return written_number(value, places=None)


@register.simple_tag
def lot_alert_counts() -> dict[str, int]:
    """How many lots expire within 30 days and how many run low (the doctors' home tile)."""
    return {"expiring": selectors.lots_expiring(today=timezone.localdate(), days=30).count(),
            "low": selectors.lots_running_low().count()}
