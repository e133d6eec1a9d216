"""Serializers of /api/v1/protocols/: field checks here, the protocol's rules in the services."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.api.serializers import TextField
from protocols.checklist import checklist_of
from protocols.models import (
    CODE_PATTERN,
    Anchor,
    HomeAdjunctKind,
    Indication,
    Protocol,
    ProtocolSession,
    Route,
    SessionKind,
    SourceCategory,
    VisitAdjunct,
)
from protocols.rules import (
    DURATION_MAX,
    DURATION_MIN,
    MAX_GAP_DAYS,
    MAX_SESSIONS,
    MSG_SESSION_COUNT,
    number_sessions,
    protocol_errors,
)
from protocols.texts import INSTRUCTIONS_MAX_LENGTH, OTHER_LANGUAGES, clean_instructions_i18n, unknown_language

_DAYS = {"min_value": 0, "max_value": MAX_GAP_DAYS}


@extend_schema_field({
    "type": "object",
    "properties": {language: {"type": "string", "maxLength": INSTRUCTIONS_MAX_LENGTH} for language in OTHER_LANGUAGES},
    "additionalProperties": False,
    "description": "The instructions in other languages, beside `instructions` (English): "
                   "patients whose language has no text here read the English.",
    "example": {"tr": "Ziyaretten önceki akşam saçınızı yıkayın.", "de": "Waschen Sie am Vorabend Ihre Haare."},
})
class InstructionsI18nField(serializers.DictField):
    """`{"tr": text, "ar": text, "es": text, "de": text}`, each optional; blank texts are left out."""

    default_error_messages = {
        "not_a_dict": 'Give the other languages as an object, e.g. {{"tr": "…", "de": "…"}}.',
        "unknown_language": "{message}",
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", dict)
        super().__init__(child=TextField(allow_blank=True, max_length=INSTRUCTIONS_MAX_LENGTH), **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if isinstance(data, dict):
            unknown = [str(key) for key in data if key not in OTHER_LANGUAGES]
            if unknown:
                self.fail("unknown_language", message=unknown_language(unknown[0]))
            # DRF's CharField would take 12 as "12": a translation is text or it is refused.
            not_text = {key: ["Not a valid string."] for key, text in data.items() if not isinstance(text, str)}
            if not_text:
                raise serializers.ValidationError(not_text)
        return clean_instructions_i18n(super().to_internal_value(data))

    def to_representation(self, value: Any) -> dict[str, str]:
        return {language: text for language, text in (value or {}).items() if language in OTHER_LANGUAGES}


class ProtocolSessionSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(min_value=1, max_value=MAX_SESSIONS, required=False)
    gap_min_days = serializers.IntegerField(**_DAYS)
    gap_target_days = serializers.IntegerField(**_DAYS)
    gap_max_days = serializers.IntegerField(**_DAYS)
    duration_minutes = serializers.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX)
    kind = serializers.ChoiceField(choices=SessionKind.choices, default=SessionKind.TREATMENT)
    visit_adjuncts = serializers.ListField(
        child=serializers.ChoiceField(choices=VisitAdjunct.choices), required=False, default=list,
        max_length=len(VisitAdjunct),
    )
    instructions = TextField(required=False, allow_blank=True, default="", max_length=INSTRUCTIONS_MAX_LENGTH)
    instructions_i18n = InstructionsI18nField()

    class Meta:
        model = ProtocolSession
        fields = [
            "number", "gap_min_days", "gap_target_days", "gap_max_days", "duration_minutes", "kind",
            "visit_adjuncts", "instructions", "instructions_i18n",
        ]


class HomeAdjunctSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HomeAdjunctKind.choices)
    instructions = TextField(required=False, allow_blank=True, default="", max_length=INSTRUCTIONS_MAX_LENGTH)
    instructions_i18n = InstructionsI18nField()


class ProtocolSerializer(serializers.ModelSerializer):
    """A protocol version with its ordered sessions and home adjuncts.

    Writes: only a draft can be edited: PUT/PATCH on an active or archived version answers
    409 `protocol_not_editable`. Broken rules answer 400 `invalid` with the errors by field
    (`errors.sessions[i].gap_min_days`, ...). `code` is set at creation and never changes.
    """

    code = serializers.RegexField(CODE_PATTERN, max_length=40, error_messages={
        "invalid": "Use letters, digits, dots, dashes or underscores (up to 40)."
    })
    name = TextField(max_length=160)
    indication = serializers.ChoiceField(choices=Indication.choices)
    source_category = serializers.ChoiceField(choices=SourceCategory.choices)
    source_detail = TextField(max_length=200, required=False, allow_blank=True, default="")
    route = serializers.ChoiceField(choices=Route.choices)
    anchor = serializers.ChoiceField(choices=Anchor.choices, default=Anchor.COURSE_START)
    notes = TextField(required=False, allow_blank=True, default="", max_length=20_000)
    sessions = ProtocolSessionSerializer(many=True, max_length=MAX_SESSIONS + 1)
    home_adjuncts = HomeAdjunctSerializer(many=True, required=False, default=list, max_length=10)
    uses_prp = serializers.BooleanField(read_only=True)
    uses_finasteride = serializers.BooleanField(read_only=True)
    men_only = serializers.BooleanField(read_only=True)
    total_days = serializers.IntegerField(read_only=True)
    screening_conditions = serializers.ListField(child=serializers.CharField(), read_only=True)
    in_use = serializers.BooleanField(read_only=True)
    checklist = serializers.SerializerMethodField(
        help_text="Before activating: blockers (rules every version meets) and warnings to read"
    )

    class Meta:
        model = Protocol
        fields = [
            "id", "code", "version", "status", "name", "indication", "source_category", "source_detail", "route",
            "anchor", "sessions", "home_adjuncts", "notes",
            "uses_prp", "uses_finasteride", "men_only", "total_days", "screening_conditions", "in_use", "checklist",
            "created_at", "updated_at", "activated_at", "archived_at",
        ]
        read_only_fields = ["version", "status", "created_at", "updated_at", "activated_at", "archived_at"]
        # Uniqueness of code and version is the service's to check (with a better message).
        validators: list = []

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            # Say everything at once: the protocol's rules (gap order, harvest and source) on the
            # sessions as sent, beside the fields' own errors, not on the next attempt.
            try:
                detail = _with_rule_errors(error.detail, data)
            except (TypeError, ValueError, KeyError, AttributeError, IndexError):
                # Input too malformed to read the rules on: the fields' own errors say enough.
                detail = error.detail
            raise serializers.ValidationError(detail) from None

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_checklist(self, protocol: Protocol) -> list[dict[str, Any]]:
        return [{"level": f.level, "message": f.message, "session": f.session} for f in checklist_of(protocol)]

    def validate_sessions(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Counting is the service's rule too; saying it here keeps the error on the field.
        if not 1 <= len(value) <= MAX_SESSIONS:
            raise serializers.ValidationError(str(MSG_SESSION_COUNT))
        return value



def _with_rule_errors(detail: Any, data: Any) -> Any:
    """DRF's field errors plus the rules' errors for session fields that have none of their own."""
    sessions = data.get("sessions") if hasattr(data, "get") else None
    if not isinstance(detail, dict) or not isinstance(sessions, list) or not all(isinstance(s, dict) for s in sessions):
        return detail
    source = data.get("source_category") if isinstance(data.get("source_category"), str) else "autologous"
    rows = number_sessions([{**session, "kind": session.get("kind") or "treatment"} for session in sessions])
    if [row.get("number") for row in rows] != list(range(1, len(rows) + 1)):
        return detail
    by_row = protocol_errors(source_category=source, sessions=rows).get("sessions")
    if not isinstance(by_row, dict):
        return detail
    # DRF keys a list's errors by position, as the services do: {"sessions": {2: {...}}}.
    field_errors = detail.get("sessions", {})
    if isinstance(field_errors, list):
        field_errors = {index: row for index, row in enumerate(field_errors) if row}
    if not isinstance(field_errors, dict):
        return detail  # a list-level message ("A protocol needs 1 to 52 sessions.") says enough
    merged = dict(field_errors)
    for index, problems in by_row.items():
        row = dict(merged.get(index) or {})
        for field, messages in problems.items():
            row.setdefault(field, messages)
        merged[index] = row
    return {**detail, "sessions": merged}
