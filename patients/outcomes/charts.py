"""What the outcomes charts' script is given besides the figures: its words, translated here
(static/js/outcomes.js has no catalogue)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from patients.records.models import Site

from .models import Method, Metric


def chart_labels() -> dict[str, Any]:
    """The words the charts' script shows, and the labels of the metrics, sites and methods."""
    return {
        "day": _("Days since the course's anchor"), "day_short": _("Day"), "baseline": _("Baseline"),
        "session": _("Session"),
        "course": _("Course"), "change": _("Change from baseline"), "ci95": _("95% confidence interval"),
        "mean": _("Mean change"), "patients": _("patients"), "whole_scalp": _("Whole scalp"),
        "in_window": _("Completed inside the window (%)"), "no_show": _("No-shows (%)"),
        "cancelled": _("Cancelled (%)"), "utilisation": _("Utilisation (%)"),
        "metrics": dict(Metric.choices), "sites": dict(Site.choices), "methods": dict(Method.choices),
    }
