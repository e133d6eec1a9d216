"""The outcomes pages' forms: the session panel's metric-by-site grid, and the reports' filters.

The grid only gathers what was typed: the rules of a value (its metric's range, a whole number,
the site and method a metric allows) are patients.outcomes.services', which refuses by the item;
the view puts each refusal back by its cell. The reports' filters are checked by the API's own
query serializers, so a page and the API accept and refuse the same queries.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from clinic.models import Location
from patients.records.models import Site
from protocols.models import Protocol

from .models import PATIENT_REPORTED_METRICS, SCALES, Method, Metric, unit_label
from .reports import WINDOW_DAYS
from .serializers import MAX_DAY, AdherenceQuerySerializer, OutcomesQuerySerializer

WHOLE_SCALP = "scalp"  # the grid's column for a value of the whole scalp (site null)
CELL = re.compile(r"^v-(?P<metric>[^-]{1,40})-(?P<site>[^-]{1,40})$")
STAFF_METHODS = [(value, label) for value, label in Method.choices if value != Method.PATIENT_REPORTED]


def cell_name(metric: str, site: str | None) -> str:
    return f"v-{metric}-{site or WHOLE_SCALP}"


def columns() -> list[tuple[str, str]]:
    """The grid's columns: the whole scalp, then the scalp sites."""
    return [(WHOLE_SCALP, _("Whole scalp")), *Site.choices]


class MeasurementGridForm(forms.Form):
    """Rows are metrics, columns sites (and the whole scalp), one method for the whole form; a
    patient-reported metric (satisfaction) is always patient_reported. A blank cell is not sent:
    what was measured before stays as it is, and a value typed again replaces it."""

    method = forms.ChoiceField(label=_("Method"), choices=STAFF_METHODS, initial=Method.TRICHOSCOPY)

    def __init__(self, data: Any = None, *, prefix_id: str, **kwargs: Any) -> None:
        super().__init__(data, auto_id=f"id_{prefix_id}_%s", **kwargs)
        self.prefix_id = prefix_id
        for metric in Metric.values:
            for site, site_label in columns():
                if SCALES[metric].whole_scalp and site != WHOLE_SCALP:
                    continue
                label = _("%(metric)s, %(site)s") % {"metric": Metric(metric).label, "site": site_label}
                self.fields[cell_name(metric, None if site == WHOLE_SCALP else site)] = forms.CharField(
                    label=label, required=False, max_length=20,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                                  "class": "form-control form-control-sm m-cell",
                                                  "aria-label": label}))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.cells: list[str] = []  # the field name of each reading sent, None for a cell not on the grid

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field and field.startswith("v-") and field in self.fields:
            attrs = self.fields[field].widget.attrs
            attrs["class"] = f"{attrs['class']} is-invalid"
            attrs["aria-describedby"] = f"{self[field].auto_id}_error"

    def grid(self) -> list[dict[str, Any]]:
        """Each metric with its unit and its cells (a bound field, or None where it has none)."""
        rows = []
        for metric in Metric.values:
            cells = [self[name] if (name := cell_name(metric, None if site == WHOLE_SCALP else site)) in self.fields
                     else None for site, _label in columns()]
            rows.append({"metric": metric, "label": Metric(metric).label, "unit": unit_label(SCALES[metric].unit),
                         "scale": SCALES[metric], "patient_reported": metric in PATIENT_REPORTED_METRICS,
                         "cells": cells})
        return rows

    def readings(self) -> list[dict[str, Any]]:
        """What was typed, as the service takes it, in grid order; `self.cells` keeps each reading's
        field name. A posted cell the grid does not have (an unknown metric or site) is sent too,
        so the service names what is wrong with it."""
        method = self.cleaned_data["method"]
        readings, self.cells = [], []
        typed = {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields if name.startswith("v-")}
        for name in self.data if self.data else ():
            match = CELL.match(name)
            if match and name not in self.fields:
                typed[name] = str(self.data.get(name, "")).strip()[:20]
        for name, text in typed.items():
            match = CELL.match(name)
            if not text or not match:
                continue
            metric, site = match["metric"], match["site"]
            reported = metric in PATIENT_REPORTED_METRICS
            # A decimal comma (Turkish, German, Spanish keyboards) reads as a point.
            value = text.replace(",", ".") if "." not in text else text
            readings.append({"metric": metric, "site": None if site == WHOLE_SCALP else site, "value": value,
                             "method": Method.PATIENT_REPORTED if reported else method})
            self.cells.append(name if name in self.fields else None)
        return readings


def _bootstrap_helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _api_errors(form: forms.Form, errors: dict[str, Any]) -> None:
    """Put a query serializer's refusals by the form's fields (the rest above the form)."""
    for name, problems in errors.items():
        messages = problems if isinstance(problems, list) else [problems]
        form.add_error(name if name in form.fields else None, [str(message) for message in messages])


def protocol_codes() -> list[str]:
    return list(Protocol.objects.order_by("code").values_list("code", flat=True).distinct())


class OutcomesReportForm(forms.Form):
    """?protocol_code=&metric=&day= (and &site=&method= to narrow it), as the API's report."""

    protocol_code = forms.ChoiceField(label=_("Protocol"))
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices, initial=Metric.DENSITY)
    day = forms.IntegerField(label=_("Day since the anchor"), min_value=0, max_value=MAX_DAY, initial=90,
                             help_text=format_lazy(_("Values within {days} days of it count."),
                                                   days=WINDOW_DAYS))
    site = forms.ChoiceField(label=_("Site"), required=False, choices=[("", _("Every site")), *Site.choices])
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("Every method")), *Method.choices])

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        codes = protocol_codes()
        self.fields["protocol_code"].choices = [(code, code) for code in codes]
        self.fields["protocol_code"].initial = codes[0] if codes else None
        self.helper = _bootstrap_helper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        asked = {name: value for name, value in cleaned.items() if value not in ("", None)}
        query = OutcomesQuerySerializer(data=asked)
        if not query.is_valid():
            _api_errors(self, query.errors)
            return cleaned
        return {**cleaned, **query.validated_data}

    def query(self) -> dict[str, Any]:
        """The report's arguments (site and method None when not narrowed)."""
        data = self.cleaned_data
        return {"protocol_code": data["protocol_code"], "metric": data["metric"], "day": data["day"],
                "site": data.get("site") or None, "method": data.get("method") or None}


class AdherenceReportForm(forms.Form):
    """?location=&from=&to= (dates in the location's calendar, both included), as the API's report."""

    location = forms.ModelChoiceField(label=_("Location"), required=False, queryset=Location.objects.order_by("name"),
                                      empty_label=_("Every location"))
    to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        # `from` is a Python keyword: the field is declared by name, before `to`.
        self.fields = {"location": self.fields["location"],
                       "from": forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"})),
                       "to": self.fields["to"]}
        self.helper = _bootstrap_helper()

    @staticmethod
    def defaults(today: date) -> dict[str, str]:
        """The last 30 days, today included, at every location."""
        return {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        location = cleaned.get("location")
        query = AdherenceQuerySerializer(data={"from": cleaned["from"], "to": cleaned["to"],
                                               **({"location": location.pk} if location else {})})
        if not query.is_valid():
            _api_errors(self, query.errors)
        return cleaned

    def query(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"location": data.get("location"), "start_date": data["from"], "end_date": data["to"]}
