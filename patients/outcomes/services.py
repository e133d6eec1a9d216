"""Writes of outcomes: the measurements taken at a visit.

The rules, in one place for the API and any page to come:
- each value is of a known metric, method and site, inside the metric's range (api-contract.md);
  a count is a whole number; a whole-scalp score (SALT, satisfaction) has no site; only
  satisfaction is patient-reported;
- a cancelled or no-show session carries no measurement, nor one whose local day has not come
  (the time rule of the records: patients.booking.status.visit_day_refusal, as for `completed`);
- one value per (session, metric, site, method). Sending it again replaces it: the same visit
  cannot have two densities at the vertex by trichoscopy, so a second value is a correction (or a
  client's retry, which then changes nothing). The earlier value stays in the history (pghistory),
  with who replaced it and when, and the answer says what it replaced.
A list is stored whole or not at all: any refused item refuses the list, by the item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patients.booking.models import Session
from patients.booking.status import InvalidTransition, visit_day_refusal
from patients.records.models import Site

from .models import (
    PATIENT_REPORTED_METRICS,
    SCALES,
    VALUE_DECIMAL_PLACES,
    Measurement,
    Method,
    Metric,
    in_sentence,
    unit_label,
)

MAX_READINGS = 100  # a full assessment: every metric at every site by two methods is 9 × 7 × 2


class ReadingsRefused(ValidationError):
    """Refused items of a list, by their position ("0", "1", ...), each with its refused fields:
    `by_item` keeps that shape for the API (Django's ValidationError nests no deeper than fields)."""

    def __init__(self, by_item: dict[str, dict[str, list[str]]]):
        self.by_item = by_item
        super().__init__({index: [f"{name}: {message}" if name != "non_field_errors" else message
                                  for name, messages in fields.items() for message in messages]
                          for index, fields in by_item.items()})


@dataclass(frozen=True)
class Reading:
    """One measurement as the service takes it."""

    metric: str
    site: str | None
    value: Decimal
    method: str

    @property
    def key(self) -> tuple[str, str | None, str]:
        return self.metric, self.site, self.method


def _reading(row: Reading | Mapping[str, Any]) -> Reading:
    if isinstance(row, Reading):
        return row
    return Reading(metric=row.get("metric"), site=row.get("site"), value=row.get("value"), method=row.get("method"))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, (int, float, str, Decimal)) else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def _shown(number: Decimal) -> str:
    """12.50 as 12.5, 700.000000 as 700: a number as a person writes it."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def reading_refusals(reading: Reading) -> dict[str, list[str]]:
    """Why this reading cannot be stored, by its field (empty: it can)."""
    errors: dict[str, list[str]] = {}
    if reading.metric not in Metric.values:
        errors["metric"] = [_("“%(code)s” is not a metric (%(known)s).")
                             % {"code": reading.metric, "known": ", ".join(Metric.values)}]
    if reading.method not in Method.values:
        errors["method"] = [_("“%(code)s” is not a method (%(known)s).")
                             % {"code": reading.method, "known": ", ".join(Method.values)}]
    if reading.site is not None and reading.site not in Site.values:
        errors["site"] = [_("“%(code)s” is not a scalp site (%(known)s), nor null.")
                           % {"code": reading.site, "known": ", ".join(Site.values)}]
    value = _decimal(reading.value)
    if value is None:
        errors["value"] = [_("A value is a number.")]
    if errors.get("metric"):
        return errors
    scale = SCALES[reading.metric]
    label = in_sentence(Metric(reading.metric).label)
    if value is not None:
        if not scale.low <= value <= scale.high:
            errors["value"] = [_("%(value)s is outside the range of %(metric)s: %(low)s–%(high)s%(unit)s.") % {
                "value": _shown(value), "metric": label, "low": scale.low, "high": scale.high,
                "unit": " " + unit_label(scale.unit) if scale.unit else ""}]
        elif scale.whole and value != value.to_integral_value():
            errors["value"] = [_("A %(metric)s is a whole number.") % {"metric": label}]
        elif value != round(value, VALUE_DECIMAL_PLACES):
            errors["value"] = [_("A value has at most %(places)s decimal places.") % {"places": VALUE_DECIMAL_PLACES}]
    if scale.whole_scalp and reading.site is not None:
        errors.setdefault("site", []).append(
            _("A %(metric)s is one score for the whole scalp: its site is null.") % {"metric": label})
    if reading.method in Method.values:
        reported = reading.method == Method.PATIENT_REPORTED
        if reported and reading.metric not in PATIENT_REPORTED_METRICS:
            errors.setdefault("method", []).append(
                _("A %(metric)s is measured by staff, not reported by the patient.") % {"metric": label})
        if not reported and reading.metric in PATIENT_REPORTED_METRICS:
            errors.setdefault("method", []).append(
                _("%(metric)s is reported by the patient: its method is patient_reported.")
                % {"metric": Metric(reading.metric).label})
    return errors


def _checked(rows: Iterable[Reading | Mapping[str, Any]]) -> list[Reading]:
    """The readings, or ReadingsRefused keyed by each refused item's position in the list."""
    readings = [_reading(row) for row in rows]
    if not readings:
        raise ValidationError({"non_field_errors": [_("Send at least one measurement.")]})
    if len(readings) > MAX_READINGS:
        raise ValidationError({"non_field_errors": [
            _("Send at most %(max)s measurements at once.") % {"max": MAX_READINGS}]})
    errors: dict[str, dict[str, list[str]]] = {}
    seen: dict[tuple, int] = {}
    for index, reading in enumerate(readings):
        refusals = reading_refusals(reading)
        if not refusals and reading.key in seen:
            refusals = {"non_field_errors": [
                _("Item %(item)s already gives this metric at this site by this method: send one value.")
                % {"item": seen[reading.key]}]}
        seen.setdefault(reading.key, index)
        if refusals:
            errors[str(index)] = refusals
    if errors:
        raise ReadingsRefused(errors)
    return [Reading(r.metric, r.site, _decimal(r.value), r.method) for r in readings]


def measurable_refusal(*, session: Session, now: datetime) -> str:
    """Why this session cannot be measured now ("" when it can): the one rule the service and the
    session panel's form both follow."""
    if session.status in Session.RELEASED:
        return (_("A %(status)s session carries no measurements.")
                % {"status": str(session.get_status_display()).lower()})
    return visit_day_refusal(session=session, now=now, doing="measured") or ""


def _measurable(session: Session, now: datetime) -> None:
    refusal = measurable_refusal(session=session, now=now)
    if refusal:
        raise InvalidTransition(refusal)


def measurements_record(*, session: Session, readings: Iterable[Reading | Mapping[str, Any]], by,
                        now: datetime | None = None) -> list[Measurement]:
    """Store what was measured at a visit, all of it or nothing, and return the stored rows in the
    order given; a value measured again replaces the earlier one (its `replaced` attribute holds the
    earlier value, None for a new one). Refuses: ReadingsRefused by the item (400 invalid), 409
    invalid_transition for a cancelled or no-show session or one whose local day has not come."""
    now = now or timezone.now()
    readings = _checked(readings)
    context = {"action": "measurements_record", **({"user": by.pk} if getattr(by, "pk", None) else {})}
    with transaction.atomic(), pghistory.context(**context):
        # Locking the session serialises two clients measuring the same visit.
        session = Session.objects.select_for_update(of=("self",)).select_related("location").get(pk=session.pk)
        _measurable(session, now)
        existing = {(m.metric, m.site, m.method): m for m in
                    Measurement.objects.select_for_update().filter(session=session)}
        stored = []
        for reading in readings:
            measurement = existing.get(reading.key)
            if measurement is None:
                measurement = Measurement(session=session, metric=reading.metric, site=reading.site,
                                          method=reading.method, value=reading.value, recorded_by=by, recorded_at=now)
                measurement.save()
                measurement.replaced = None
            elif measurement.value != reading.value:
                previous = measurement.value
                measurement.value, measurement.recorded_by, measurement.recorded_at = reading.value, by, now
                measurement.revision += 1
                measurement.save(update_fields=["value", "recorded_by", "recorded_at", "revision"])
                measurement.replaced = previous
            else:
                measurement.replaced = None  # the same value again: a retry, nothing changes
            stored.append(measurement)
    return stored
