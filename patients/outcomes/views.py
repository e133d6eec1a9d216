"""Measuring a visit from the session panel (doctors and admins).

Thin: the grid form gathers what was typed, patients.outcomes.services stores it all or nothing,
and each refusal goes back by its cell (a value outside its range by that value; one the grid
has no cell for, with the rest, above the grid). The measurements section that the session panel
shows comes from `measurement_box`, here and in the panel's template tag alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from clinic.errors import DomainError
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role, has_role
from patients.models import PatientAccess, Session
from patients.registry.services import patient_access_record

from . import selectors, services
from .forms import MeasurementGridForm, columns

BOX_TEMPLATE = "outcomes/_session_measurements.html"


def next_url(request: HttpRequest, default: str) -> str:
    """Where to go after measuring: the page the form was on, if it is one of ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def grid_form(session: Session, data: Any = None) -> MeasurementGridForm:
    return MeasurementGridForm(data, prefix_id=f"m{session.pk}")


def measurement_box(request: HttpRequest, session: Session, *, form: MeasurementGridForm | None = None,
                    top_errors: list[str] = (), next_to: str | None = None, csrf_token: Any = None) -> dict[str, Any]:
    """What the panel's measurements section shows: for doctors and admins only (clinical data),
    what was measured at this visit, whether measurements are due (the baseline at session 1, the
    protocol's assessments), and the grid once the session can be measured."""
    if not has_role(request.user, Role.DOCTOR):
        return {"shown": False}
    now = timezone.now()
    wait = services.measurable_refusal(session=session, now=now)
    measured = list(selectors.session_measurements(session)) if session.pk else []
    purpose = selectors.measurement_purpose(session)
    box = {
        "shown": True, "session": session, "purpose": purpose, "measured": measured, "wait": wait,
        "due": bool(purpose) and not wait and not measured, "top_errors": list(top_errors),
        "columns": columns(), "next": next_to,
    }
    if csrf_token is not None:  # an inclusion tag's own context has none; a page's render adds it
        box["csrf_token"] = csrf_token
    if not wait:
        box["form"] = form or grid_form(session)
        box["open"] = box["due"] or bool(form is not None and (form.errors or top_errors))
    return box


def place_refusals(form: MeasurementGridForm, error: Exception) -> list[str]:
    """Put the service's refusals by their cells; return what has no cell (shown above the grid)."""
    top: list[str] = []
    if isinstance(error, services.ReadingsRefused):
        readings = form.readings()
        for index, fields in error.by_item.items():
            cell = form.cells[int(index)]
            problems = [message for messages_ in fields.values() for message in messages_]
            if cell is None:
                reading = readings[int(index)]
                top.extend(f"{reading['metric']} / {reading['site'] or 'scalp'}: {problem}" for problem in problems)
            else:
                form.add_error(cell, problems)
        return top
    if isinstance(error, DomainError):
        return [error.detail]
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]


class SessionMeasurementsView(RoleRequiredMixin, View):
    """GET: the visit's measurements and the grid on a page of its own. POST: store the grid's
    values (all or nothing), then back to where the form was; a refusal shows by its cell."""

    required_role = Role.DOCTOR

    @cached_property
    def session(self) -> Session:
        return get_object_or_404(Session.objects.select_related("patient", "location", "course__protocol"),
                                 pk=self.kwargs["pk"])

    def page(self, request: HttpRequest, *, form: MeasurementGridForm | None = None, top_errors: list[str] = (),
             status: int = 200) -> HttpResponse:
        session = self.session
        patient_access_record(request=request, patients=[session.patient_id], what=PatientAccess.What.OUTCOMES)
        back = next_url(request, reverse("booking:session", args=[session.pk]))
        box = measurement_box(request, session, form=form, top_errors=top_errors, next_to=back)
        if request.headers.get("HX-Request") == "true":
            return render(request, BOX_TEMPLATE, box)  # htmx swaps 200s only: the section with its errors
        return render(request, "outcomes/measurement_form.html", {**box, "back": back}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = grid_form(self.session, request.POST)
        if not form.is_valid():
            return self.page(request, form=form, status=400)
        try:
            stored = services.measurements_record(session=self.session, readings=form.readings(), by=request.user)
        except (services.ReadingsRefused, DomainError, ValidationError) as error:
            return self.page(request, form=form, top_errors=place_refusals(form, error),
                             status=getattr(error, "status", 400))
        replaced = sum(1 for row in stored if row.replaced is not None)
        text = _("%(count)d measurements stored for session %(number)d.") % {
            "count": len(stored), "number": self.session.number}
        if replaced:
            text += " " + _("%(count)d replaced an earlier value (kept in the history).") % {"count": replaced}
        messages.success(request, text)
        target = next_url(request, reverse("booking:session", args=[self.session.pk]))
        if request.headers.get("HX-Request") == "true":
            return HttpResponse(status=200, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)
