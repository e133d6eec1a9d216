"""The signed links in patient emails: confirm attendance, ask for another time, unsubscribe.

Each link is signed for one purpose and limited in time. Opening it (GET) shows a page with one
button, so a mail scanner that follows links changes nothing; the button (POST) acts, and a second
click changes nothing more. A confirm or change link also signs the session's SEQUENCE: after the
session moves, the old link only says that the visit has changed and shows its new time, since
the patient's "I will come" was for a time that is no longer the visit's."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from patients.booking.models import CHANGE_NOTE_MAX_LENGTH
from patients.booking.reschedule import session_change_request
from patients.booking.status import session_set_status
from patients.models import Patient, Reminder, Session
from patients.reminders.emails import protocol_facts, read_link, visit_times

PURPOSES = ("confirm", "change", "unsubscribe")


class ChangeRequestForm(forms.Form):
    """What the patient may add to a request for another time."""

    note = forms.CharField(
        label=gettext_lazy("Which days and times would suit you? (optional)"),
        required=False,
        max_length=CHANGE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _target(purpose: str, payload: dict) -> tuple[Patient, Session | None]:
    patient = Patient.objects.get(pk=payload["p"])
    if purpose == "unsubscribe":
        reminder = Reminder.objects.filter(pk=payload["s"], patient=patient).select_related(
            "session__location", "session__course"
        ).first()
        return patient, reminder.session if reminder else None
    session = Session.objects.select_related("course__location", "location").get(pk=payload["s"], patient=patient)
    return patient, session


def _visit(session: Session | None, patient: Patient) -> dict | None:
    """Which visit the page is about: its number, time in both zones, and place."""
    if session is None:
        return None
    location = session.location
    clinic_zone = ZoneInfo(location.timezone)
    patient_zone = ZoneInfo(patient.timezone) if patient.timezone else clinic_zone
    clinic_time, patient_time = visit_times(session.start, clinic_zone, patient_zone)
    return {
        "number": session.number,
        "total": protocol_facts(session.course.protocol_id)[0],
        "clinic_time": clinic_time,
        "clinic_zone": location.timezone,
        "patient_time": patient_time,
        "patient_zone": patient.timezone,
        "place": location.name,
        "address": location.address,
        "cancelled": session.status == "cancelled",
    }


# The token is the credential (signed, purpose-bound, time-limited); there is no session cookie
# to protect, and mail clients cannot send a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def patient_link(request: HttpRequest, purpose: str, token: str) -> HttpResponse:
    if purpose not in PURPOSES:
        return render(request, "patients/link_invalid.html", status=404)
    try:
        payload = read_link(purpose, token)
        patient, session = _target(purpose, payload)
        # Links sent before links carried a SEQUENCE were all signed for the booked time.
        sequence = int(payload.get("q", 0))
    except signing.SignatureExpired:
        return render(request, "patients/link_invalid.html", {"expired": True}, status=410)
    except (signing.BadSignature, Patient.DoesNotExist, Session.DoesNotExist, KeyError, TypeError, ValueError):
        return render(request, "patients/link_invalid.html", status=404)

    with translation.override(patient.language or "en"):
        changed = purpose != "unsubscribe" and session is not None and session.sequence != sequence
        form = None
        if purpose == "change" and not changed:
            form = ChangeRequestForm(request.POST if request.method == "POST" else None)
        done, message = False, ""
        if request.method == "POST" and not changed and (form is None or form.is_valid()):
            note = form.cleaned_data["note"] if form is not None else ""
            done, message = _act(purpose, patient, session, sequence=sequence, note=note.strip())
            if session is not None:
                session.refresh_from_db()
                changed = purpose != "unsubscribe" and session.sequence != sequence
        phone = session.location.phone if session is not None else None
        context = {
            "purpose": purpose,
            "patient_name": patient.first_name,
            "session": session,
            "visit": _visit(session, patient),
            "changed": changed,
            "form": form,
            "done": done,
            "message": message,
            "already": not changed and _already(purpose, patient, session),
            "phone": phone.as_international if phone else "",
            "phone_uri": phone.as_rfc3966 if phone else "",
            "rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
        }
        return render(request, "patients/link_page.html", context)


def _already(purpose: str, patient: Patient, session: Session | None) -> bool:
    if purpose == "confirm":
        return session is not None and session.status == "confirmed"
    if purpose == "change":
        return session is not None and session.change_requested_at is not None
    return not patient.reminder_opt_in


def _act(
    purpose: str, patient: Patient, session: Session | None, *, sequence: int, note: str = ""
) -> tuple[bool, str]:
    from django.utils.translation import gettext as _

    if purpose == "unsubscribe":
        if patient.reminder_opt_in:
            from patients.registry.services import consent_record

            consent_record(patient=patient, kind="reminder_emails", given=False, by=None)
        return True, _("You will receive no more reminder emails. We will still tell you about bookings and changes.")
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.sequence != sequence:
            return False, ""  # moved since the page was opened: the page says so instead
        now = timezone.now()
        if not session.is_movable or session.start <= now:
            return False, _("This session can no longer be changed online. Please call the clinic.")
        if purpose == "confirm":
            if session.status == "booked":
                session_set_status(session=session, status="confirmed", now=now)
            return True, _("Thank you: we have noted that you will come.")
        session_change_request(session=session, note=note, now=now)
        return True, _("Thank you: the clinic will contact you to find another time.")
