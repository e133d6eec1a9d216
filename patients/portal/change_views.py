"""The patient moves or cancels a session on their own page, or asks the clinic when the page
cannot: a day inside the window, then the free times of that day at least the notice ahead.
The move is the desk's service with cascade (patients.portal.services)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.errors import DomainError
from patients.booking.models import CHANGE_NOTE_MAX_LENGTH
from patients.booking.reschedule import session_change_request
from patients.booking.services import SlotConflict
from patients.models import Session
from patients.portal import cookie, selectors, services
from patients.portal.cookie import portal_page
from patients.portal.views import session_view
from patients.reminders.emails import protocol_facts
from protocols.planning import PINNED_SLOT_TAKEN

# Conflict reasons that mean another booking holds the time (else the time is simply not open).
TAKEN = {"slot_taken", PINNED_SLOT_TAKEN}


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why do you cancel? (the clinic reads this)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AskForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Which days and times would suit you? (optional)"), required=False,
                           max_length=CHANGE_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


def _day(request: HttpRequest, session: Session, window) -> date:
    raw = request.GET.get("date") or request.POST.get("date") or ""
    try:
        day = parse_date(raw) if raw else None
    except ValueError:
        day = None
    if day is None:
        day = session.start.astimezone(ZoneInfo(session.location.timezone)).date()
    return min(max(day, window.earliest), window.latest)


def _context(request: HttpRequest, session: Session, now: datetime, **extra) -> dict:
    patient = request.portal_patient
    window = selectors.move_window(session)
    refusal = selectors.change_refusal(session, now)
    day = _day(request, session, window)
    zone = ZoneInfo(session.location.timezone)
    slots = [] if refusal else selectors.portal_slots(session, now=now, day=day)
    patient_zone = ZoneInfo(patient.timezone) if patient.timezone else zone
    return {
        "visit": session_view(session, patient, now=now, upcoming=None,
                              total=protocol_facts(session.course.protocol_id)[0]),
        "session": session, "window": window, "day": day, "refusal": refusal,
        "notice_hours": session.location.change_notice_hours,
        "slots": [{"value": s.start.astimezone(zone).isoformat(), "clinic": f"{s.start.astimezone(zone):%H:%M}",
                   "patient": f"{s.start.astimezone(patient_zone):%H:%M}",
                   "differs": s.start.astimezone(zone).utcoffset() != s.start.astimezone(patient_zone).utcoffset()}
                  for s in slots],
        "ask_form": AskForm(), **cookie.page_context(), **extra,
    }


@portal_page
def move(request: HttpRequest, pk: str) -> HttpResponse:
    """GET: the day picker and that day's free times; POST `start`: move the session there."""
    patient = request.portal_patient
    session = selectors.portal_session(patient, pk)
    now = timezone.now()
    if request.method != "POST":
        return render(request, "portal/move.html", _context(request, session, now))
    try:
        start = parse_datetime(request.POST.get("start", "") or "")
    except ValueError:
        start = None
    if start is None:
        return render(request, "portal/move.html", _context(request, session, now, error=_("Choose a time.")),
                      status=400)
    try:
        session, moved, _warnings = services.portal_session_reschedule(patient=patient, session=session,
                                                                       start=start, now=now)
    except SlotConflict as conflict:
        session.refresh_from_db()
        taken = any(c.get("reason") in TAKEN for c in conflict.extra.get("conflicts", []))
        message = (_("Someone else has just taken this time. Please choose another one.") if taken
                   else _("This time is not available. Please choose one of the free times."))
        return render(request, "portal/move.html", _context(request, session, now, error=message), status=409)
    except (DomainError, ValidationError) as error:
        message = error.detail if isinstance(error, DomainError) else "; ".join(error.messages)
        session.refresh_from_db()
        return render(request, "portal/move.html", _context(request, session, now, error=message), status=422)
    return render(request, "portal/moved.html", {
        "visit": session_view(session, patient, now=now, upcoming=None,
                              total=protocol_facts(session.course.protocol_id)[0]),
        "moved": [session_view(s, patient, now=now, upcoming=None, total=protocol_facts(s.course.protocol_id)[0])
                  for s in moved], **cookie.page_context()})




@portal_page
def cancel(request: HttpRequest, pk: str) -> HttpResponse:
    """Cancel a session with a reason, under the same notice rule."""
    patient = request.portal_patient
    session = selectors.portal_session(patient, pk)
    now = timezone.now()
    form = CancelForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_session_cancel(patient=patient, session=session, reason=form.cleaned_data["reason"],
                                           now=now)
        except (DomainError, ValidationError) as problem:
            error = problem.detail if isinstance(problem, DomainError) else "; ".join(problem.messages)
        else:
            return redirect("portal:home")
    return render(request, "portal/cancel.html", {**_context(request, session, now), "form": form, "error": error},
                  status=422 if error else 200)


@portal_page
def ask(request: HttpRequest, pk: str) -> HttpResponse:
    """"Ask the clinic": the change request the desk sees on "To chase"."""
    patient = request.portal_patient
    session = selectors.portal_session(patient, pk)
    now = timezone.now()
    if request.method != "POST":
        return redirect("portal:move", session.pk)
    form = AskForm(request.POST)
    done = False
    if form.is_valid():
        try:
            with services.patient_context(patient, "portal_change_request"):
                session_change_request(session=session, note=form.cleaned_data["note"].strip(), now=now)
            done = True
        except DomainError:
            done = False
    return render(request, "portal/asked.html", {**_context(request, session, now), "done": done})
