"""The signed links in patient emails: confirm attendance, ask for another time, unsubscribe.

Each link is signed for one purpose and limited in time. Opening it (GET) shows a page with one
button, so a mail scanner that follows links changes nothing; the button (POST) acts, and a second
click changes nothing more."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .emails import read_link
from .models import Patient, Reminder, Session

PURPOSES = ("confirm", "change", "unsubscribe")


def _target(purpose: str, payload: dict) -> tuple[Patient, Session | None]:
    patient = Patient.objects.get(pk=payload["p"])
    if purpose == "unsubscribe":
        reminder = Reminder.objects.filter(pk=payload["s"], patient=patient).first()
        return patient, reminder.session if reminder else None
    session = Session.objects.select_related("course__location", "course__protocol").get(
        pk=payload["s"], patient=patient
    )
    return patient, session


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
    except signing.SignatureExpired:
        return render(request, "patients/link_invalid.html", {"expired": True}, status=410)
    except (signing.BadSignature, Patient.DoesNotExist, Session.DoesNotExist, KeyError, TypeError):
        return render(request, "patients/link_invalid.html", status=404)

    with translation.override(patient.language or "en"):
        done = False
        message = ""
        if request.method == "POST":
            done, message = _act(purpose, patient, session)
        context = {
            "purpose": purpose,
            "patient_name": patient.first_name,
            "session": session,
            "done": done,
            "message": message,
            "already": _already(purpose, patient, session),
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


def _act(purpose: str, patient: Patient, session: Session | None) -> tuple[bool, str]:
    from django.utils.translation import gettext as _

    if purpose == "unsubscribe":
        if patient.reminder_opt_in:
            from .services import consent_record

            consent_record(patient=patient, kind="reminder_emails", given=False, by=None)
        return True, _("You will receive no more reminder emails. We will still tell you about bookings and changes.")
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status not in ("booked", "confirmed") or session.start <= timezone.now():
            return False, _("This session can no longer be changed online. Please call the clinic.")
        if purpose == "confirm":
            if session.status == "booked":
                session.status = "confirmed"
                session.save(update_fields=["status", "updated_at"])
            return True, _("Thank you: we have noted that you will come.")
        if session.change_requested_at is None:
            session.change_requested_at = timezone.now()
            session.save(update_fields=["change_requested_at", "updated_at"])
        return True, _("Thank you: the clinic will contact you to find another time.")
