"""JSON shapes of the contract's patients and screenings."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from clinic.api.serializers import PlainReadSerializer
from patients.models import Patient
from patients.registry.phones import phone_region
from patients.validators import normalize_name


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanField(serializers.Field):
    """A JSON true or false, nothing else: "yes", 1 or null are not answers to a medical question."""

    default_error_messages = {"invalid": gettext_lazy("The answer must be true or false.")}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> bool:
        return bool(value)


class PatientSerializer(PlainReadSerializer):
    phone = PhoneNumberField(required=False, allow_blank=True)
    reminder_opt_in = serializers.BooleanField(required=False, default=False)
    investigational_ack = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Patient
        fields = [
            "id", "first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone",
            "reminder_opt_in", "investigational_ack", "notes", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_internal_value(self, data: Any) -> Any:
        if not hasattr(data, "get"):
            raise serializers.ValidationError({"non_field_errors": [_("Send the patient as a JSON object.")]})
        # A number without +country is read in the country of the patient's (or the clinic's) location.
        # An import checking many rows reads that region once and passes it in the context.
        region = self.context["phone_region"] if "phone_region" in self.context else phone_region(
            self.instance if isinstance(self.instance, Patient) else None)
        self.fields["phone"].region = region
        return super().to_internal_value(data)

    def validate_first_name(self, value: str) -> str:
        return normalize_name(value)

    def validate_last_name(self, value: str) -> str:
        return normalize_name(value)

    def validate_email(self, value: str) -> str:
        return value.strip().lower()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        email = attrs.get("email", getattr(self.instance, "email", ""))
        phone = attrs.get("phone", getattr(self.instance, "phone", ""))
        if not email and not phone:
            raise serializers.ValidationError({"email": [_("Give an email address or a phone number (or both).")]})
        return attrs


