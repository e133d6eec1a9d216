"""The reports pages (doctors and admins): a protocol's outcomes and the clinic's adherence, with
their charts and CSV files of what they show.

Thin: the filter forms check the query with the API's own serializers, the figures come from
patients.outcomes.reports (the functions the JSON API answers with), and a CSV is those same
figures, each cell neutralised against formula injection as the patients' export does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.records.models import Site
from patients.registry.imports import neutralise

from . import reports
from .charts import chart_labels
from .forms import AdherenceReportForm, OutcomesReportForm, protocol_codes
from .models import SCALES, Method, Metric, unit_label

OUTCOME_COLUMNS = ("protocol_code", "metric", "site", "method", "unit", "day", "window_days", "patients",
                   "mean_change", "ci95_low", "ci95_high", "median_change", "adverse_events_per_100_sessions")
TALLY_COLUMNS = ("protocol_code", "sessions", "completed", "no_show", "cancelled", "in_window_percent",
                 "no_show_percent", "cancelled_percent")
UTILISATION_COLUMNS = ("practitioner", "name", "location", "booked_minutes", "open_minutes", "utilisation_percent")
ALL_PROTOCOLS = "ALL"


def _is_number(cell: Any) -> bool:
    """A figure (a negative change included) is written as it is: only text can be a formula."""
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A UTF-8 CSV (with the BOM spreadsheets look for), every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell if _is_number(cell) else neutralise(cell) for cell in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _query_or_defaults(request: HttpRequest, defaults: dict[str, Any]) -> QueryDict:
    """The query asked, or without one the report's defaults (so the page opens on figures)."""
    if any(name in request.GET for name in defaults):
        return request.GET
    data = QueryDict(mutable=True)
    data.update({name: value for name, value in defaults.items() if value is not None})
    return data


def outcome_row(report: dict[str, Any]) -> list[Any]:
    low, high = report["ci95"] or (None, None)
    return [report["protocol_code"], report["metric"], report["site"], report["method"], report["unit"],
            report["day"], report["window_days"], report["patients"], report["mean_change"], low, high,
            report["median_change"], report["adverse_events_per_100_sessions"]]


class OutcomesReportMixin(RoleRequiredMixin):
    required_role = Role.DOCTOR

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        codes = protocol_codes()
        form = OutcomesReportForm(_query_or_defaults(request, {"protocol_code": codes[0] if codes else None,
                                                               "metric": Metric.DENSITY, "day": 90}))
        context: dict[str, Any] = {"form": form, "codes": codes, "report": None, "by_day": []}
        if codes and form.is_valid():
            query = form.query()
            days = reports.protocol_assessment_days(query["protocol_code"])
            narrowed = {name: query[name] for name in ("protocol_code", "metric", "site", "method")}
            by_day = reports.outcomes_by_day(**narrowed, days=[*days, query["day"]])
            context.update(report=next(row for row in by_day if row["day"] == query["day"]), by_day=by_day,
                           assessment_days=days, query=query)
        return context


class OutcomesReportView(OutcomesReportMixin, View):
    """A protocol's change from baseline at a day, and at each of its assessment days (the chart)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = self.figures(request)
        report = context["report"]
        if report:
            context.update(
                metric_label=Metric(report["metric"]).label, site_label=dict(Site.choices).get(report["site"]),
                method_label=dict(Method.choices).get(report["method"]), scale=SCALES[report["metric"]],
                chart={"unit": unit_label(report["unit"]), "labels": chart_labels(), "days": [{
                    "day": row["day"], "patients": row["patients"], "mean": row["mean_change"],
                    "ci95": row["ci95"], "median": row["median_change"], "asked": row["day"] == report["day"]}
                    for row in context["by_day"]]},
                any_patients=any(row["patients"] for row in context["by_day"]),
                csv_query=request.GET.urlencode() or context["form"].data.urlencode())
        status = 400 if context["codes"] and not context["form"].is_valid() else 200
        return render(request, "outcomes/report_outcomes.html", {**context, "tab": "outcomes"}, status=status)


class OutcomesReportCSVView(OutcomesReportMixin, View):
    """The outcomes report's table (each day shown) as CSV."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = self.figures(request)
        if not context["report"]:
            return render(request, "outcomes/report_outcomes.html", {**context, "tab": "outcomes"}, status=400)
        query = context["query"]
        name = f"outcomes-{query['protocol_code']}-{query['metric']}-day{query['day']}.csv"
        return csv_response(name, OUTCOME_COLUMNS, (outcome_row(row) for row in context["by_day"]))


class AdherenceReportMixin(RoleRequiredMixin):
    required_role = Role.DOCTOR

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        defaults = {"location": None, **AdherenceReportForm.defaults(timezone.localdate())}
        form = AdherenceReportForm(_query_or_defaults(request, defaults))
        context: dict[str, Any] = {"form": form, "report": None}
        if form.is_valid():
            context["report"] = reports.adherence_report(**form.query())
        return context


class AdherenceReportView(AdherenceReportMixin, View):
    """Sessions of a period by status, by protocol, and each practitioner's utilisation."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = self.figures(request)
        report = context["report"]
        if report:
            context["chart"] = {
                "labels": chart_labels(),
                "protocols": [{"code": row["protocol_code"], "in_window": row["in_window_percent"],
                               "no_show": row["no_show_percent"], "cancelled": row["cancelled_percent"]}
                              for row in report["by_protocol"]],
                "practitioners": [{"name": row["name"], "utilisation": row["utilisation_percent"]}
                                  for row in report["by_practitioner"]],
            }
            context["csv_query"] = request.GET.urlencode() or context["form"].data.urlencode()
        status = 200 if report else 400
        return render(request, "outcomes/report_adherence.html", {**context, "tab": "adherence"}, status=status)


class AdherenceReportCSVView(AdherenceReportMixin, View):
    """?part=protocols (the default: every protocol, then the total) or ?part=practitioners."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = self.figures(request)
        report = context["report"]
        if not report:
            return render(request, "outcomes/report_adherence.html", {**context, "tab": "adherence"}, status=400)
        period = f"{report['from']:%Y-%m-%d}-{report['to']:%Y-%m-%d}"
        if request.GET.get("part") == "practitioners":
            return csv_response(f"utilisation-{period}.csv", UTILISATION_COLUMNS,
                                ([row[name] for name in UTILISATION_COLUMNS] for row in report["by_practitioner"]))
        total = {**report, "protocol_code": ALL_PROTOCOLS}
        rows = [*report["by_protocol"], total]
        return csv_response(f"adherence-{period}.csv", TALLY_COLUMNS,
                            ([row[name] for name in TALLY_COLUMNS] for row in rows))

