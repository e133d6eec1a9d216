"""What a doctor measures at a visit to follow a course's outcome: density, shaft diameter, the
terminal/vellus ratio, anagen percentage, SALT score, hair-pull count, satisfaction.

A measurement belongs to a session (the baseline at session 1, then the assessments); the day of
a measurement is counted from its course's anchor (`Course.anchor_date`). Each metric has the
contract's range, kept by the database too (a CheckConstraint per metric), so no path can store
a density of 6,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clinic.audit import audited
from patients.booking.models import Session
from patients.records.models import Site


class Metric(models.TextChoices):
    DENSITY = "density", _("Density")
    TERMINAL_DENSITY = "terminal_density", _("Terminal density")
    VELLUS_DENSITY = "vellus_density", _("Vellus density")
    SHAFT_DIAMETER = "shaft_diameter", _("Shaft diameter")
    TERMINAL_VELLUS_RATIO = "terminal_vellus_ratio", _("Terminal/vellus ratio")
    ANAGEN_PERCENT = "anagen_percent", _("Anagen hairs")
    SALT_SCORE = "salt_score", _("SALT score")
    HAIR_PULL_COUNT = "hair_pull_count", _("Hair-pull count")
    SATISFACTION = "satisfaction", _("Patient satisfaction")


class Method(models.TextChoices):
    TRICHOSCOPY = "trichoscopy", _("Trichoscopy")
    PHOTOTRICHOGRAM = "phototrichogram", _("Phototrichogram")
    CLINICAL = "clinical", _("Clinical examination")
    PATIENT_REPORTED = "patient_reported", _("Patient-reported")


def in_sentence(label: str) -> str:
    """"Density" as "density" inside a sentence; "SALT score" stays as it is, and so does a German
    noun (Dichte)."""
    text = str(label)
    if text[:2].isupper() or (get_language() or "").startswith("de"):
        return text
    return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class Scale:
    """A metric's unit and the range of its values (both ends included, api-contract.md)."""

    unit: str
    low: Decimal
    high: Decimal
    whole: bool = False  # counted, not measured: a whole number
    whole_scalp: bool = False  # one score for the whole scalp: no site


SCALES: dict[str, Scale] = {
    Metric.DENSITY: Scale("hairs/cm²", Decimal(0), Decimal(600)),
    Metric.TERMINAL_DENSITY: Scale("hairs/cm²", Decimal(0), Decimal(600)),
    Metric.VELLUS_DENSITY: Scale("hairs/cm²", Decimal(0), Decimal(600)),
    Metric.SHAFT_DIAMETER: Scale("µm", Decimal(10), Decimal(150)),
    Metric.TERMINAL_VELLUS_RATIO: Scale("", Decimal(0), Decimal(20)),
    Metric.ANAGEN_PERCENT: Scale("%", Decimal(0), Decimal(100)),
    Metric.SALT_SCORE: Scale("", Decimal(0), Decimal(100), whole_scalp=True),
    Metric.HAIR_PULL_COUNT: Scale("hairs", Decimal(0), Decimal(60), whole=True),
    Metric.SATISFACTION: Scale("/10", Decimal(0), Decimal(10), whole_scalp=True),
}
# The units as a page shows them (the API and the CSV files keep the contract's "hairs/cm²").
UNIT_LABELS = {"hairs/cm²": _("hairs/cm²"), "hairs": _("hairs")}


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


# Only the patient can report how satisfied they are, and that is all a patient can report.
PATIENT_REPORTED_METRICS = frozenset({Metric.SATISFACTION})
VALUE_DECIMAL_PLACES = 2


def _in_range() -> Q:
    condition = Q()
    for metric, scale in SCALES.items():
        condition |= Q(metric=metric, value__gte=scale.low, value__lte=scale.high)
    return condition


@audited()
class Measurement(models.Model):
    """One value measured at a visit: a metric, at a scalp site (or the whole scalp), by a method.

    One value per (session, metric, site, method): measuring it again at the same visit corrects
    it (patients.outcomes.services), and the earlier value stays in the history."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="measurements")
    metric = models.CharField(max_length=25, choices=Metric.choices)
    site = models.CharField(max_length=20, choices=Site.choices, null=True, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    value = models.DecimalField(max_digits=7, decimal_places=VALUE_DECIMAL_PLACES)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    # 1 when first measured, up by one at each correction.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("measurement")
        ordering = ["session", "metric", "site", "method", "id"]
        indexes = [models.Index(fields=["metric", "session"], name="measurement_metric_session")]
        constraints = [
            models.UniqueConstraint(fields=["session", "metric", "site", "method"], nulls_distinct=False,
                                    name="measurement_one_value_per_session_metric_site_method"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="measurement_metric_known"),
            models.CheckConstraint(condition=Q(method__in=Method.values), name="measurement_method_known"),
            models.CheckConstraint(condition=Q(site__isnull=True) | Q(site__in=Site.values),
                                   name="measurement_site_known"),
            models.CheckConstraint(condition=_in_range(), name="measurement_value_in_range"),
        ]

    def __str__(self) -> str:
        where = f" at {self.site}" if self.site else ""
        return f"{self.get_metric_display()}{where}: {self.value} ({self.method})"
