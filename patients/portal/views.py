"""The patient's own pages, under /portal/: opening a link, signing in by email, the course at a
glance, the language, a session's calendar entry. Thin: the cookie (patients.portal.cookie) says
who the patient is; selectors read; services write. Opening a link changes nothing: it only
sets the portal's cookie and shows the page (mail scanners follow links)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from clinic.errors import DomainError
from clinic.lockout import client_ip_address
from patients.consent.selectors import document_shown
from patients.models import Patient, Session
from patients.portal import cookie, selectors, services
from patients.portal.cookie import portal_page
from patients.portal.serializers import next_visit, session_instructions
from patients.portal.tokens import PortalTokenError, portal_patient
from patients.reminders.emails import AFTERCARE_KEYS, protocol_facts, site_domain, visit_times
from patients.reminders.ics import CalendarEntry, build_feed, session_uid

STATUS_LABELS = {
    "booked": _("Booked"), "confirmed": _("Confirmed"), "arrived": _("Arrived"), "completed": _("Completed"),
    "no_show": _("Missed"), "cancelled": _("Cancelled"),
}


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


@require_http_methods(["GET", "HEAD"])
def portal_open(request: HttpRequest, token: str) -> HttpResponse:
    """A link from an email or the desk's QR code: check it, set the portal cookie, show the page."""
    try:
        portal_patient(token)
    except PortalTokenError as error:
        return cookie.invalid_page(request, error.reason, status=410 if error.reason == "expired" else 404)
    response = redirect("portal:home")
    cookie.set_portal_cookie(response, token)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """"Email me a new link": the same answer whatever the address."""
    with translation.override(cookie.page_language(request, None)):
        form = EmailForm(request.POST or None)
        sent, error = False, ""
        if request.method == "POST" and form.is_valid():
            try:
                services.portal_link_request(email=form.cleaned_data["email"], ip=client_ip_address(request))
                sent = True
            except ValidationError as problem:
                form.add_error("email", problem.messages[0])
            except DomainError:
                error = translation.gettext("Too many requests: please try again in an hour.")
        status = 429 if error else 200
        return render(request, "portal/sign_in.html", {"form": form, "sent": sent, "error": error,
                                                       **cookie.page_context()}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    response = redirect("portal:sign-in")
    cookie.clear_portal_cookie(response)
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page's language (kept in its own cookie; the patient's record is not changed)."""
    language = request.POST.get("language", "")
    response = redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/portal/")
                        else "portal:home")
    if language in cookie.LANGUAGES:
        response.set_cookie(cookie.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path=cookie.PATH,
                            samesite="Lax", secure=request.is_secure())
    return response


def zones(session: Session, patient: Patient) -> tuple[ZoneInfo, ZoneInfo]:
    clinic_zone = ZoneInfo(session.location.timezone)
    return clinic_zone, ZoneInfo(patient.timezone) if patient.timezone else clinic_zone


def session_view(session: Session, patient: Patient, *, now: datetime, upcoming: Session | None,
                 total: int) -> dict[str, Any]:
    clinic_zone, patient_zone = zones(session, patient)
    clinic_time, patient_time = visit_times(session.start, clinic_zone, patient_zone)
    return {
        "session": session,
        "status_label": STATUS_LABELS.get(session.status, session.status),
        "total": total,
        "clinic_time": clinic_time,
        "patient_time": patient_time,
        "clinic_zone": clinic_zone.key,
        "patient_zone": patient_zone.key,
        "refusal": selectors.change_refusal(session, now),
        "is_next": upcoming is not None and session.pk == upcoming.pk,
        "instructions": session_instructions(session, translation.get_language())
        if upcoming is not None and session.pk == upcoming.pk else "",
    }


@portal_page
def home(request: HttpRequest) -> HttpResponse:
    """The course at a glance: each course with its sessions, the next visit's preparation,
    aftercare after a completed visit, and what is still to fill in before the first visit."""
    patient: Patient = request.portal_patient
    now = timezone.now()
    courses = []
    for course in selectors.portal_courses(patient):
        sessions = list(course.sessions.all())
        upcoming = next_visit(sessions, now)
        total = protocol_facts(course.protocol_id)[0]
        courses.append({"course": course, "upcoming": upcoming,
                        "sessions": [session_view(s, patient, now=now, upcoming=upcoming, total=total)
                                     for s in sessions],
                        "aftercare": any(s.status == "completed" for s in sessions)})
    pending = selectors.pending_forms(patient, now)
    language = translation.get_language()
    return render(request, "portal/home.html", {
        "patient": patient, "courses": courses, "pending": pending,
        "pending_documents": [(d, document_shown(d, language).title) for d in pending.documents],
        "aftercare_keys": AFTERCARE_KEYS, **cookie.page_context(),
    })


@portal_page
def session_ics(request: HttpRequest, pk: str) -> HttpResponse:
    """"Add to calendar": the session as an .ics, with the same UID as the emails' entries."""
    session = selectors.portal_session(request.portal_patient, pk)
    total = protocol_facts(session.course.protocol_id)[0]
    entry = CalendarEntry(
        uid=session_uid(session.pk, site_domain()), sequence=session.sequence, start=session.start, end=session.end,
        zone=ZoneInfo(session.location.timezone),
        summary=f"{session.location.name}: {session.course.protocol.name} ({session.number}/{total})",
        location=session.location.address, cancelled=session.status == "cancelled")
    body = build_feed([entry], name=session.location.name, stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.number}.ics"'
    return response
