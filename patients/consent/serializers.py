"""Shapes of /api/v1/consent-documents/ and /api/v1/patients/{id}/consents/: field types here,
the documents' rules in patients.consent.rules (called by the services)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.api.serializers import TextField

from .models import (
    BODY_MAX_LENGTH,
    CODE_PATTERN,
    SIGNED_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AppliesTo,
    ConsentDocument,
    ConsentSignature,
)
from .rules import LANGUAGES


@extend_schema_field({"oneOf": [{"type": "string", "enum": ["all", "photos"]},
                                {"type": "array", "items": {"type": "string"}}]})
class AppliesToField(serializers.Field):
    """`"all"`, `"photos"`, or a list of protocol codes; on the model, applies_to and protocol_codes."""

    default_error_messages = {"invalid": gettext_lazy('Use "all", "photos" or a list of protocol codes.')}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if data in (AppliesTo.ALL, AppliesTo.PHOTOS):
            return {"applies_to": str(data), "protocol_codes": []}
        if isinstance(data, list) and all(isinstance(code, str) for code in data):
            if not data:
                raise serializers.ValidationError(_("List at least one protocol code."))
            return {"applies_to": AppliesTo.PROTOCOLS, "protocol_codes": data}
        self.fail("invalid")

    def to_representation(self, value: ConsentDocument) -> str | list[str]:
        return value.applies_to_value


# The shape patients.consent.rules.texts_errors checks: English required, known languages only,
# exactly a title and a body each (a title or body of spaces only is refused there too).
_TEXT = {"type": "object", "properties": {
    "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX_LENGTH, "pattern": r"\S"},
    "body": {"type": "string", "minLength": 1, "maxLength": BODY_MAX_LENGTH, "pattern": r"\S"},
}, "required": ["title", "body"], "additionalProperties": False}


@extend_schema_field({"type": "object", "properties": dict.fromkeys(LANGUAGES, _TEXT), "required": ["en"],
                      "additionalProperties": False})
class TextsField(serializers.JSONField):
    """The title and Markdown body per language; its rules are checked by the services."""


class ConsentDocumentSerializer(serializers.ModelSerializer):
    """A consent document version. Only a draft can be edited (409 `document_not_editable`);
    broken rules answer 400 `invalid` with the errors by field. `code` never changes."""

    code = serializers.RegexField(CODE_PATTERN, max_length=40, error_messages={
        "invalid": "Use letters, digits, dots, dashes or underscores (up to 40)."})
    texts = TextsField()
    applies_to = AppliesToField(source="*", required=False)

    class Meta:
        model = ConsentDocument
        fields = ["id", "code", "version", "status", "texts", "applies_to", "created_at", "updated_at",
                  "activated_at", "archived_at"]
        read_only_fields = ["id", "version", "status", "created_at", "updated_at", "activated_at", "archived_at"]

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        if self.instance is None and "applies_to" not in values:
            values.update(applies_to=AppliesTo.ALL, protocol_codes=[])
        return values


class SignatureSerializer(serializers.ModelSerializer):
    """A signature as the contract lists it (plus who recorded it and from which device)."""

    version = serializers.IntegerField(source="document.version", read_only=True)
    code = serializers.CharField(source="document.code", read_only=True)
    sha256 = serializers.CharField(source="text_sha256", read_only=True)

    class Meta:
        model = ConsentSignature
        fields = ["id", "patient", "document", "code", "version", "language", "signed_at", "signed_name", "ip",
                  "user_agent", "sha256", "recorded_by"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.BOOL)
class AgreeField(serializers.JSONField):
    """Agreement is JSON `true` and nothing else ("yes", 1 or "true" are not a tick)."""


class SignRequestSerializer(serializers.Serializer):
    """The body of POST /patients/{id}/consents/. Only shapes are checked here: a missing name or
    agreement is the service's 422 `invalid`, as the contract has it."""

    document = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    signed_name = TextField(required=False, allow_blank=True, default="", trim_whitespace=False,
                            max_length=SIGNED_NAME_MAX_LENGTH * 2)
    agree = AgreeField(required=False, default=False)
    language = serializers.ChoiceField(choices=list(LANGUAGES), required=False, allow_null=True, default=None,
                                       error_messages={"invalid_choice": "Unknown language {input}: use "
                                                       + ", ".join(LANGUAGES) + "."})
