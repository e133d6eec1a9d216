"""The OpenAPI schema says what the server does (issue 17: "the schema is the truth").

Every operation lists the error answers the API's one exception handler (clinic.api.errors) can
give it, in the contract's error body; JSON operations document JSON bodies only (the form
parsers stay for the browsable API, but the contract is JSON). Features need nothing of their own:
an endpoint added later is covered by DEFAULT_SCHEMA_CLASS.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, get_view_model
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny

_DETAIL = {"type": "string", "description": "A sentence for a person."}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# One character that str.strip() keeps: not one of Python's 29 whitespace characters.
PYTHON_NON_WHITESPACE = ("[^\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680"
                         "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]")


def _error_schema(codes: list[str] | None, description: str, **extra: Any) -> dict[str, Any]:
    code: dict[str, Any] = {"type": "string", "description": description}
    if codes:
        code["enum"] = codes
    return {
        "type": "object",
        "properties": {"code": code, "detail": _DETAIL, **extra},
        "required": ["code", "detail"],
        # The contract's error bodies may carry more keys (`conflicts`, `hard_stops`, `documents`...).
        "additionalProperties": True,
    }


# status -> (component name, description of the answer, its schema)
ERRORS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": ("ValidationErrorBody", "Invalid input: `invalid`, the field errors in DRF's shape under `errors`.",
            _error_schema(["invalid"], "`invalid`", errors={
                "type": "object", "additionalProperties": True,
                "description": "Field name -> its messages (`non_field_errors` for the whole body)."})),
    "401": ("AuthenticationErrorBody", "No valid credentials.",
            _error_schema(["not_authenticated", "authentication_failed", "token_expired"],
                          "Why the credentials were refused")),
    "403": ("ForbiddenErrorBody", "Outside the caller's role: `forbidden`.",
            _error_schema(["forbidden"], "`forbidden`")),
    "404": ("NotFoundErrorBody", "An unknown or foreign id (or a page past the last): `not_found`.",
            _error_schema(["not_found"], "`not_found`")),
    "409": ("ConflictErrorBody",
            "The change conflicts with the data's state: `conflict`, `slot_conflict` (with `conflicts`), "
            "`invalid_transition`, `already_recorded`, `already_overridden`, `draft_exists`, "
            "`protocol_not_editable`, `document_not_editable`, ...",
            _error_schema(None, "The contract's error code", conflicts={
                "type": "array", "items": {"type": "object", "additionalProperties": True},
                "description": "slot_conflict: [{number, start, reason}]"})),
    "422": ("UnprocessableErrorBody",
            "Well formed, but a clinic rule says no: `screening_required`, `screening_blocked` (with "
            "`hard_stops`), `route_not_allowed`, `protocol_not_active`, `window_violation`, `lot_expired`, "
            "`lot_recalled`, `lot_exhausted`, `product_not_allowed`, `consent_required` (with `documents`), ...",
            _error_schema(None, "The contract's error code")),
}


def _decimal_request(field: serializers.DecimalField) -> dict[str, Any]:
    """A decimal is answered as a string but read from a JSON number too: requests document the
    number with its range (a string schema cannot carry one)."""
    schema: dict[str, Any] = {"type": "number"}
    largest = None
    if field.max_digits is not None and field.decimal_places is not None:
        largest = float(10 ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(-field.decimal_places))
    low = field.min_value if field.min_value is not None else (-largest if largest is not None else None)
    high = field.max_value if field.max_value is not None else largest
    if low is not None:
        schema["minimum"] = float(low)
    if high is not None:
        schema["maximum"] = float(high)
    return schema


def _filter_range(schema: dict[str, Any], filter_: Any) -> None:
    """A numeric filter's bounds (its form field's, django-filter's own 1e50 included) in its schema;
    an integer field's parameter is an integer."""
    field = getattr(filter_, "field", None)
    if not isinstance(field, (forms.IntegerField, forms.DecimalField)) or schema.get("type") not in (
            "number", "integer"):
        return
    if isinstance(field, forms.IntegerField):
        schema["type"] = "integer"
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            schema.setdefault("minimum", validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            schema.setdefault("maximum", validator.limit_value)


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the contract's error answers and exact content types."""

    def map_parsers(self) -> list[Any]:
        # A view that reads JSON is documented as reading JSON only: the form encodings DRF also
        # parses would let a client send `"0"` for a boolean the JSON body must spell `false`.
        if any(isinstance(parser, JSONParser) for parser in self.view.get_parsers()):
            return ["application/json"]
        return super().map_parsers()

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
            schema = {**{k: v for k, v in schema.items() if k not in ("type", "format", "pattern")},
                      **_decimal_request(field)}
        elif isinstance(field, serializers.ListSerializer) and schema.get("type") == "array":
            # many=True serializers' bounds, which drf-spectacular leaves out.
            if field.max_length is not None:
                schema.setdefault("maxItems", field.max_length)
            if field.min_length is not None or not field.allow_empty:
                schema.setdefault("minItems", max(field.min_length or 0, 0 if field.allow_empty else 1))
        elif (isinstance(field, serializers.CharField) and not field.allow_blank and field.trim_whitespace
              and schema.get("type") == "string" and not {"pattern", "format", "enum"} & set(schema)):
            # DRF trims the text (Python's str.strip) before its blank check: text of whitespace
            # alone is blank. Python's whitespace, spelled out: ECMA-262's \S (the schema's regex
            # dialect) would let \x1c-\x1f and \x85 through and refuse \ufeff, which Python keeps.
            schema["pattern"] = PYTHON_NON_WHITESPACE
        return schema

    def _empty_means_absent(self, parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # `?status=` (as an HTML form sends it) filters nothing, as if it were not there: say so.
        for parameter in parameters:
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        parameters = self._empty_means_absent(super()._get_filter_parameters())
        declared = self._filters()
        for parameter in parameters:
            if parameter["name"] in declared:
                _filter_range(parameter["schema"], declared[parameter["name"]])
        return parameters

    def _filters(self) -> dict[str, Any]:
        """The view's django-filter filters by name (as its filter backend builds them)."""
        found: dict[str, Any] = {}
        declares = getattr(self.view, "filterset_class", None) or getattr(self.view, "filterset_fields", None)
        backends = [b for b in self.get_filter_backends() if hasattr(b, "get_filterset_class")] if declares else []
        model = get_view_model(self.view) if backends else None
        for backend in backends:
            if model is not None:
                filterset_class = backend().get_filterset_class(self.view, model._default_manager.none())
                found.update(filterset_class.base_filters if filterset_class else {})
        return found

    def _get_format_parameters(self) -> list[dict[str, Any]]:
        return self._empty_means_absent(super()._get_format_parameters())

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        return self._empty_means_absent(super()._get_pagination_parameters())

    def _error_statuses(self) -> list[str]:
        statuses = ["400"]  # every query parameter is checked (clinic.api.viewsets), every body validated
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            statuses += ["401", "403"]
        # An unknown id in the path; a page past the last; a `?format=` no renderer has.
        if "{" in self.path or (self._is_list_view() and self._get_paginator()) or self._get_format_parameters():
            statuses.append("404")
        if self.method in WRITE_METHODS:
            statuses += ["409", "422"]
        return statuses

    def _error_component(self, status: str) -> ResolvedComponent:
        name, _, schema = ERRORS[status]
        # A copy: the enum post-processing hook rewrites the schema it is given in place.
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name,
                                      schema=copy.deepcopy(schema))
        self.registry.register_on_missing(component)
        return component

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._error_statuses():
            if status not in responses:
                responses[status] = {
                    "content": {"application/json": {"schema": self._error_component(status).ref}},
                    "description": ERRORS[status][1],
                }
        return responses
