"""Shapes of the outcomes API (api-contract.md, "Measurements and photos", "Reports")."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from clinic.ids import id_from
from clinic.models import Location
from patients.records.models import Site
from protocols.models import Protocol

from . import services
from .models import VALUE_DECIMAL_PLACES, Measurement, Method, Metric

MAX_DAY = 3660  # ten years after the anchor
MAX_PERIOD_DAYS = 731  # two years of sessions in one report
# A clinic's sessions lie well inside these; year 1 or 9999 would overflow the time-zone arithmetic.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)




class MeasurementItemSerializer(serializers.Serializer):
    """One item of the list POSTed to /sessions/{id}/measurements/. Its types here; its rules
    (range, whole numbers, site and method of a metric) are the service's, checked here too so
    that one answer names every refused item."""

    metric = serializers.ChoiceField(choices=Metric.choices)
    site = serializers.ChoiceField(choices=Site.choices, allow_null=True, required=False, default=None,
                                   help_text="A scalp site, or null for the whole scalp")
    value = serializers.DecimalField(max_digits=12, decimal_places=6, coerce_to_string=False)
    method = serializers.ChoiceField(choices=Method.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refusals = services.reading_refusals(services.Reading(**attrs))
        if refusals:
            raise serializers.ValidationError(refusals)
        return attrs


def measurement_items(data: Any) -> list[services.Reading]:
    """The POSTed list as readings, or a 400 naming each refused item by its position."""
    if not isinstance(data, list):
        raise serializers.ValidationError({"non_field_errors": [
            _("Send a list of measurements: [{\"metric\", \"site\", \"value\", \"method\"}, ...].")]})
    if not data:
        raise serializers.ValidationError({"non_field_errors": [_("Send at least one measurement.")]})
    if len(data) > services.MAX_READINGS:
        raise serializers.ValidationError({"non_field_errors": [
            _("Send at most %(max)s measurements at once.") % {"max": services.MAX_READINGS}]})
    errors, readings = {}, []
    for index, item in enumerate(data):
        item_serializer = MeasurementItemSerializer(data=item)
        if item_serializer.is_valid():
            readings.append(services.Reading(**item_serializer.validated_data))
        else:
            errors[str(index)] = item_serializer.errors
    if errors:
        raise serializers.ValidationError(errors)
    return readings


class MeasurementSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=7, decimal_places=VALUE_DECIMAL_PLACES, coerce_to_string=False)
    replaced = serializers.SerializerMethodField(help_text="The value this one replaced, or null")

    class Meta:
        model = Measurement
        fields = ["id", "session", "metric", "site", "value", "method", "recorded_by", "recorded_at", "revision",
                  "replaced"]
        read_only_fields = fields

    def get_replaced(self, measurement: Measurement) -> float | None:
        replaced = getattr(measurement, "replaced", None)
        return None if replaced is None else float(replaced)


class PointSerializer(serializers.Serializer):
    date = serializers.DateField()
    session = serializers.IntegerField()
    course = serializers.IntegerField()
    day = serializers.IntegerField(help_text="Days since the course's anchor")
    value = serializers.FloatField()


class SeriesSerializer(serializers.Serializer):
    metric = serializers.CharField()
    site = serializers.CharField(allow_null=True)
    method = serializers.CharField()
    unit = serializers.CharField()
    points = PointSerializer(many=True)
    baseline = serializers.FloatField(allow_null=True)
    latest = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    change_percent = serializers.FloatField(allow_null=True)


class OutcomesSerializer(serializers.Serializer):
    series = SeriesSerializer(many=True)


class OutcomesQuerySerializer(serializers.Serializer):
    """?protocol_code=&metric=&day= (and, to narrow it, &site=&method=)."""

    protocol_code = serializers.CharField(max_length=40)
    metric = serializers.ChoiceField(choices=Metric.choices)
    day = serializers.IntegerField(min_value=0, max_value=MAX_DAY, help_text="Days since the course's anchor")
    site = serializers.ChoiceField(choices=Site.choices, required=False)
    method = serializers.ChoiceField(choices=Method.choices, required=False)

    def validate_protocol_code(self, code: str) -> str:
        if not Protocol.objects.filter(code=code).exists():
            raise serializers.ValidationError(_("No protocol has the code “%(code)s”.") % {"code": code})
        return code


class LocationIdField(serializers.Field):
    def to_internal_value(self, data: Any) -> Location:
        pk = id_from(data)
        location = Location.objects.filter(pk=pk).first() if pk is not None else None
        if location is None:
            raise serializers.ValidationError(_("There is no location %(id)s.") % {"id": repr(str(data)[:20])})
        return location

    def to_representation(self, value: Location) -> int:
        return value.pk


class _AdherenceQuery(serializers.Serializer):
    location = LocationIdField(required=False, help_text="A location's id (none: every location)")
    to = serializers.DateField(help_text="The period's last day (included)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs["from"], attrs["to"]
        for name in ("from", "to"):
            if not EARLIEST_DAY <= attrs[name] <= LATEST_DAY:
                raise serializers.ValidationError({name: [
                    _("Choose a date from %(first)s to %(last)s.") % {"first": f"{EARLIEST_DAY:%Y-%m-%d}",
                                                                       "last": f"{LATEST_DAY:%Y-%m-%d}"}]})
        if end < start:
            raise serializers.ValidationError({"to": [_("The period ends before it starts.")]})
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise serializers.ValidationError({"to": [
                _("A report covers at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}]})
        return attrs


# ?location=&from=&to= (dates in the location's calendar, both included). `from` is a Python
# keyword, so that field is declared the only way it can be: by name.
AdherenceQuerySerializer = type("AdherenceQuerySerializer", (_AdherenceQuery,),
                                {"from": serializers.DateField(help_text="The period's first day")})


class TallySerializer(serializers.Serializer):
    sessions = serializers.IntegerField()
    completed = serializers.IntegerField()
    no_show = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    in_window_percent = serializers.FloatField(allow_null=True)
    no_show_percent = serializers.FloatField(allow_null=True)
    cancelled_percent = serializers.FloatField(allow_null=True, help_text="Cancelled among the period's sessions")


class ProtocolTallySerializer(TallySerializer):
    protocol_code = serializers.CharField()


class UtilisationSerializer(serializers.Serializer):
    practitioner = serializers.IntegerField()
    name = serializers.CharField()
    location = serializers.IntegerField()
    booked_minutes = serializers.IntegerField()
    open_minutes = serializers.IntegerField()
    utilisation_percent = serializers.FloatField(allow_null=True)


class AdherenceSerializer(TallySerializer):
    location = serializers.IntegerField(allow_null=True)
    by_protocol = ProtocolTallySerializer(many=True)
    by_practitioner = UtilisationSerializer(many=True)


class OutcomesReportSerializer(serializers.Serializer):
    protocol_code = serializers.CharField()
    metric = serializers.CharField()
    day = serializers.IntegerField()
    site = serializers.CharField(allow_null=True)
    method = serializers.CharField(allow_null=True)
    unit = serializers.CharField()
    window_days = serializers.IntegerField()
    patients = serializers.IntegerField()
    mean_change = serializers.FloatField(allow_null=True)
    ci95 = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True)
    median_change = serializers.FloatField(allow_null=True)
    adverse_events_per_100_sessions = serializers.FloatField(allow_null=True)
