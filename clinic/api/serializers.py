"""Serializers of the clinic set-up resources (api-contract.md, "Clinic set-up (admin)").

They check shapes and types and normalize; the services then run the models' own validation
(`full_clean`), so the API and the staff pages accept and refuse exactly the same things.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from clinic.hours import (
    hours_as_json,
    normalize_route_policy,
    parse_hours,
    validate_country,
    validate_offsets,
    validate_route_policy,
)
from clinic.models import Closure, Location, Practitioner, Room
from clinic.selectors import sessions_affected_by_closure


class StrictJSONParser(JSONParser):
    """JSON whose strings are all valid Unicode. JSON may escape lone surrogates ("\\ud800"),
    which PostgreSQL and our own error messages cannot encode: refuse them at the door."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(gettext("The body holds text that is not valid Unicode.")) from None
        return data


class TextField(serializers.CharField):
    """A CharField that refuses text PostgreSQL cannot store (lone surrogates)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            message = gettext("This text holds characters that are not valid Unicode.")
            raise serializers.ValidationError(message) from None
        return value


class LocalDateTimeField(serializers.DateTimeField):
    """An instant; one sent without an offset stays naive here and is read by the serializer in
    the location's zone (the contract: "a datetime sent without an offset means local time at
    the location involved")."""

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            return value
        return super().enforce_timezone(value)


def django_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A model's ValidationError in DRF's shape, with `__all__` spelled `non_field_errors`."""
    detail = serializers.as_serializer_error(error)
    if "__all__" in detail:
        detail["non_field_errors"] = detail.pop("__all__")
    return serializers.ValidationError(detail)


def hours_field(value: Any, label: str) -> list[dict[str, Any]]:
    try:
        return hours_as_json(parse_hours(value, field=label))
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


class PlainReadSerializer(serializers.ModelSerializer):
    """A ModelSerializer for hot lists: its answer reads each field's model attribute directly (a
    relation's `<name>_id`) and formats it with the field's own `to_representation`, as DRF does,
    without DRF's per-field, per-row lookups (a list of 100 sessions spent most of its time
    there). Only for fields that are model attributes or primary-key relations, whose answer
    depends on nothing but the value and the current time zone: the fields are built once per
    class and zone (_plain_readers), not on every request."""

    @cached_property
    def _readers(self) -> tuple[tuple[str, str, Any], ...]:
        return _plain_readers(type(self), timezone.get_current_timezone())

    @cached_property
    def attnames(self) -> list[str]:
        """The model attributes the answer reads: a `values()` row of them serializes like the model."""
        return [attribute for _, attribute, _ in self._readers]

    def to_representation(self, instance: models.Model | dict[str, Any]) -> dict[str, Any]:
        read = instance.__getitem__ if isinstance(instance, dict) else instance.__getattribute__
        data = {}
        for name, attribute, represent in self._readers:
            value = read(attribute)
            data[name] = value if value is None or represent is None else represent(value)
        return data


@cache
def _plain_readers(serializer_class: type[PlainReadSerializer], zone: tzinfo) -> tuple[tuple[str, str, Any], ...]:
    """(answer name, model attribute, formatter or None) of each readable field of the class, with
    instants shown in `zone`. Built from one instance made for it and never changed after, so
    that every request (and thread) may share them."""
    meta = serializer_class.Meta.model._meta
    readers = []
    for field in serializer_class()._readable_fields:
        if isinstance(field, serializers.PrimaryKeyRelatedField) and field.pk_field is None:
            readers.append((field.field_name, meta.get_field(field.source).attname, None))
        else:
            if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
                field.timezone = zone
            readers.append((field.field_name, field.source, field.to_representation))
    return tuple(readers)


class ClinicModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }


class LocationSerializer(ClinicModelSerializer):
    opening_hours = serializers.JSONField(required=False, help_text="[{weekday 0-6, opens HH:MM, closes HH:MM}]")
    reminder_offsets = serializers.JSONField(required=False, help_text='Durations such as ["7d", "24h"]')
    route_policy = serializers.JSONField(required=False, help_text="Source category -> allowed routes")

    class Meta:
        model = Location
        fields = [
            "id", "name", "address", "timezone", "country", "subdivision", "observe_public_holidays",
            "slot_minutes", "opening_hours", "reminder_offsets", "route_policy", "phone", "change_notice_hours",
        ]
        # Not in the fixed contract: shown to API clients, set on the location page.
        read_only_fields = ["phone"]

    def validate_country(self, value: str) -> str:
        return value.upper()

    def validate_subdivision(self, value: str) -> str:
        return value.upper()

    def validate_opening_hours(self, value: Any) -> list[dict[str, Any]]:
        return hours_field(value, "opening hours")

    def validate_reminder_offsets(self, value: Any) -> list[str]:
        try:
            validate_offsets(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return [offset.strip() for offset in value]

    def validate_route_policy(self, value: Any) -> dict[str, list[str]]:
        try:
            validate_route_policy(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return normalize_route_policy(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        country = attrs.get("country", getattr(self.instance, "country", ""))
        subdivision = attrs.get("subdivision", getattr(self.instance, "subdivision", ""))
        if country and ("country" in attrs or "subdivision" in attrs):
            try:
                validate_country(country, subdivision)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict) from None
        return attrs


class PractitionerSerializer(ClinicModelSerializer):
    working_hours = serializers.JSONField(required=False, help_text="Same shape as opening_hours; [] = the location's")

    class Meta:
        model = Practitioner
        fields = ["id", "name", "email", "location", "kind", "working_hours", "active"]

    def validate_working_hours(self, value: Any) -> list[dict[str, Any]]:
        return hours_field(value, "working hours")


class RoomSerializer(ClinicModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "location", "active"]
        # Uniqueness per location is the model's constraint, checked (with its own message) by
        # the service's full_clean.
        validators: list = []


class ClosureListSerializer(ClinicModelSerializer):
    start = LocalDateTimeField(help_text="With an offset; without one, local time at the location")
    end = LocalDateTimeField(help_text="With an offset; without one, local time at the location")

    class Meta:
        model = Closure
        fields = ["id", "location", "practitioner", "start", "end", "reason"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        location = attrs.get("location") or getattr(self.instance, "location", None)
        errors: dict[str, str] = {}
        for name in ("start", "end"):
            value = attrs.get(name)
            if value is None or timezone.is_aware(value):
                continue
            try:
                # fold=0: a wall-clock time inside a DST gap resolves as zoneinfo does.
                attrs[name] = value.replace(tzinfo=ZoneInfo(location.timezone)).astimezone(UTC)
            except (OverflowError, ValueError):
                errors[name] = "This date is out of range."
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if not errors and start and end and end <= start:
            errors["end"] = "The closure must end after it starts."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ClosureSerializer(ClosureListSerializer):
    affected_sessions = serializers.SerializerMethodField(
        help_text="Booked sessions this closure overlaps; they are not moved automatically."
    )

    class Meta(ClosureListSerializer.Meta):
        fields = [*ClosureListSerializer.Meta.fields, "affected_sessions"]

    def get_affected_sessions(self, closure: Closure) -> list[dict[str, Any]]:
        return sessions_affected_by_closure(closure)
