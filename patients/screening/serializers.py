"""Screening serializers for the API."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from patients.models import Screening, ScreeningOverride, ScreeningReviewRequest
from patients.registry.serializers import StrictBooleanField
from patients.screening import rules


class ScreeningAnswersSerializer(serializers.Serializer):
    """The body of POST /patients/{id}/screenings/: every question, as a boolean."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {key: StrictBooleanField(required=True, help_text=rules.LABELS[key]) for key in rules.ANSWER_KEYS}

    def to_internal_value(self, data: Any) -> Any:
        if not hasattr(data, "keys"):
            raise serializers.ValidationError({"non_field_errors": [_("Send the answers as a JSON object.")]})
        unknown = sorted(str(key) for key in data.keys() if key not in rules.ANSWER_KEYS)
        value = super().to_internal_value(data)
        if unknown:
            raise serializers.ValidationError({key: ["This is not a screening question."] for key in unknown})
        return value


class ScreeningOverrideSerializer(serializers.ModelSerializer):
    doctor_name = serializers.SerializerMethodField()
    protocols = serializers.ListField(child=serializers.CharField(), read_only=True,
                                      help_text="Protocol codes it opens; empty: every protocol")

    class Meta:
        model = ScreeningOverride
        fields = ["reason", "protocols", "doctor", "doctor_name", "at"]

    def get_doctor_name(self, obj: ScreeningOverride) -> str:
        return obj.doctor.get_full_name() or obj.doctor.get_username()


class ReviewRequestSerializer(serializers.ModelSerializer):
    asked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningReviewRequest
        fields = ["asked_by", "asked_by_name", "asked_at"]

    def get_asked_by_name(self, obj: ScreeningReviewRequest) -> str:
        return obj.asked_by.get_full_name() or obj.asked_by.get_username()


class ScreeningSerializer(serializers.ModelSerializer):
    overridden = serializers.BooleanField(source="is_overridden", read_only=True)
    override = serializers.SerializerMethodField()
    review_requested = serializers.SerializerMethodField()
    valid_until = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id", "patient", "taken_at", "taken_by", "reported_by", *rules.ANSWER_KEYS,
            "hard_stops", "warnings", "valid_until", "overridden", "override", "review_requested",
        ]
        read_only_fields = fields

    @extend_schema_field(ScreeningOverrideSerializer(allow_null=True))
    def get_override(self, obj: Screening) -> dict[str, Any] | None:
        if not obj.is_overridden:
            return None
        return ScreeningOverrideSerializer(obj.override).data

    @extend_schema_field(ReviewRequestSerializer(allow_null=True))
    def get_review_requested(self, obj: Screening) -> dict[str, Any] | None:
        request = obj.review_request
        return ReviewRequestSerializer(request).data if request else None


class OverrideRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, trim_whitespace=True, allow_blank=False)
    protocols = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, allow_empty=False, max_length=200,
        help_text="Protocol codes the override opens; leave out to open every protocol",
    )

    def to_internal_value(self, data: Any) -> Any:
        if not hasattr(data, "get"):
            raise serializers.ValidationError({"non_field_errors": [_("Send {\"reason\": text}.")]})
        return super().to_internal_value(data)
