"""Outcomes pieces shown on other pages (doctors and admins only: measurements are clinical data):
the session panel's measurements section, the patient page's outcome chart, and the
"measurements due" prompt of the day's list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.numbers import written_number
from clinic.roles import Role, has_role
from patients.models import Patient, Session
from patients.outcomes import selectors
from patients.outcomes.charts import chart_labels
from patients.outcomes.models import Method, Metric, unit_label
from patients.outcomes.models import in_sentence as metric_in_sentence
from patients.outcomes.serializers import SeriesSerializer
from patients.outcomes.views import BOX_TEMPLATE, measurement_box
from patients.records.models import Site

register = template.Library()


@register.inclusion_tag(BOX_TEMPLATE, takes_context=True)
def session_measurements_box(context: template.Context, session: Session) -> dict[str, Any]:
    return measurement_box(context["request"], session, next_to=context.get("next"),
                           csrf_token=context.get("csrf_token"))


@register.inclusion_tag("outcomes/_patient_outcomes.html", takes_context=True)
def patient_outcomes_card(context: template.Context, patient: Patient) -> dict[str, Any]:
    """The patient's series (as GET /api/v1/patients/{id}/outcomes/ gives them), one chart per
    metric with the visits marked, and the visits whose measurements are due."""
    request = context["request"]
    if not has_role(request.user, Role.DOCTOR):
        return {"shown": False}
    series = SeriesSerializer(selectors.patient_outcomes(patient.pk), many=True).data
    metrics: dict[str, dict[str, Any]] = {}
    for row in series:
        metrics.setdefault(row["metric"], {"metric": row["metric"], "label": Metric(row["metric"]).label,
                                           "unit": unit_label(row["unit"]), "series": []})["series"].append(row)
    due = list(selectors.sessions_measurements_due(now=timezone.now()).filter(patient_id=patient.pk)
               .select_related("course__protocol").order_by("start"))
    return {
        "shown": True, "patient": patient, "metrics": list(metrics.values()), "due": due,
        "chart": {"series": series, "sessions": selectors.patient_session_days(patient.pk), "labels": chart_labels()},
        "sites": dict(Site.choices), "methods": dict(Method.choices), "csp_nonce": context.get("csp_nonce"),
    }


@register.simple_tag(takes_context=True)
def measurements_due_among(context: template.Context, rows: Iterable[Any]) -> list[Session]:
    """Of the day's rows, the sessions whose measurements are due (one query; doctors only)."""
    request = context.get("request")
    ids = [row.session.pk for row in rows or ()]
    if not ids or request is None or not has_role(request.user, Role.DOCTOR):
        return []
    due = set(selectors.sessions_measurements_due(now=timezone.now()).filter(pk__in=ids).values_list("pk", flat=True))
    return [row for row in rows if row.session.pk in due]


@register.filter
def measurement_site(code: str | None) -> str:
    return str(dict(Site.choices).get(code, code)) if code else _("Whole scalp")


@register.filter
def measurement_method(code: str | None) -> str:
    return str(dict(Method.choices).get(code, code or ""))


@register.filter
def figure(value: float | None, places: int = 2) -> str:
    """25.0 as 25, 121.70 as 121.7, 10.636 as 10.64, in German 10,64: a figure as a person writes it
    ("" for none)."""
    return written_number(value, int(places))


@register.filter(name="unit_label")
def unit_label_filter(unit: str) -> str:
    """"hairs/cm²" as the page's language writes it."""
    return unit_label(unit)


@register.filter
def in_sentence(label: str) -> str:
    """"Density" as "density" inside a sentence; "SALT score" stays as it is (and German nouns)."""
    return metric_in_sentence(label)
