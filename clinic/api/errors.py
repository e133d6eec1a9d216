"""One exception handler gives every API error the contract's shape:
`{"code": "<error code>", "detail": "<sentence>", ...}`; field errors sit under "errors"."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from clinic.api.authentication import TokenExpired
from clinic.errors import DomainError

# The first class that matches gives the code: subclasses before their parents.
_CODES: dict[type[exceptions.APIException], str] = {
    TokenExpired: "token_expired",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "invalid",
    exceptions.ValidationError: "invalid",
}


def _first_message(errors: Any) -> str:
    """A readable sentence from DRF's nested error structure."""
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            if message:
                return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    elif isinstance(errors, list):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
    elif errors:
        return str(errors)
    return ""


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.as_body(), status=exc.status)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError({"non_field_errors": [gettext("A value is out of range or malformed.")]})
    elif isinstance(exc, IntegrityError):
        set_rollback()
        return Response(
            {"code": "conflict", "detail": gettext("This change conflicts with data already saved.")},
            status=status.HTTP_409_CONFLICT,
        )
    if not isinstance(exc, exceptions.APIException):
        return None

    set_rollback()
    code = next((c for klass, c in _CODES.items() if isinstance(exc, klass)), "error")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"code": code, "detail": _first_message(errors) or "The request is invalid.", "errors": errors}
        return Response(body, status=status.HTTP_400_BAD_REQUEST, headers=headers)
    if isinstance(exc, exceptions.ParseError):
        detail = gettext("The request body could not be read: %(problem)s") % {"problem": exc.detail}
        return Response({"code": code, "detail": detail, "errors": {"non_field_errors": [detail]}},
                        status=exc.status_code, headers=headers)
    return Response({"code": code, "detail": str(exc.detail)}, status=exc.status_code, headers=headers)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler404(request: HttpRequest, exception: Exception | None = None):
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": gettext("Not found.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest):
    if _wants_json(request):
        detail = gettext("Something went wrong on our side.")
        return JsonResponse({"code": "server_error", "detail": detail}, status=500)
    from django.views.defaults import server_error

    return server_error(request)
