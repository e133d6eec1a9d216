"""`POST /api/v1/patients/import/` and `GET /api/v1/patients/export/`: patients as CSV files."""

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.filters import StrictBooleanField
from clinic.roles import Role
from patients.models import Patient, PatientAccess
from patients.registry import imports, services

# The multipart envelope around the file: headers and boundaries, never megabytes.
ENVELOPE_BYTES = 64 * 1024
EXPORT_CHUNK = 2000


def upload_too_big(request: HttpRequest) -> int | None:
    """The declared size of a request carrying a file past the import's limit, read from its
    headers before a byte of the body is: a 50 MB upload is refused, not spooled to disk first."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return length if length > imports.MAX_BYTES + ENVELOPE_BYTES else None


class CSVRenderer(BaseRenderer):
    """Lets a client that asks for text/csv reach the export; error bodies stay JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return json.dumps(data, ensure_ascii=False).encode() if not isinstance(data, bytes) else data


def export_response(request: HttpRequest | Request) -> StreamingHttpResponse:
    """Every patient, by name, as CSV; each one exported is written to the access log."""
    patients = Patient.objects.order_by("last_name", "first_name", "id")
    services.patient_access_record(
        request=request, patients=patients.values_list("id", flat=True), what=PatientAccess.What.EXPORT
    )
    response = StreamingHttpResponse(
        imports.export_lines(patients.iterator(chunk_size=EXPORT_CHUNK)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="patients.csv"'
    response["Cache-Control"] = "no-store"
    return response


class PatientFilesMixin:
    """The import and export actions of the patients' viewset."""

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string",
                                                                                     "format": "binary"}},
                                         "required": ["file"]}},
        parameters=[OpenApiParameter("dry_run", bool, allow_blank=True,
                                     description="Check and report, write nothing (true or false)")],
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request: Request) -> Response:
        """Patients from a CSV file (UTF-8, comma or semicolon, header row of patient fields).
        `?dry_run=true` reports row by row and writes nothing; otherwise all valid rows, or none."""
        try:
            # true/false (1/0); anything else is a 400, never a silent import of every row.
            dry_run = bool(StrictBooleanField(required=False).clean(request.query_params.get("dry_run")))
        except DjangoValidationError as error:
            raise ValidationError({"dry_run": error.messages}) from None
        size = upload_too_big(request)
        if size is not None:
            raise imports.ImportFileError(imports.too_big_message(size))
        upload = request.FILES.get("file")
        if upload is None:
            raise imports.ImportFileError(_("Send the CSV file as the multipart field “file”."))
        report = imports.check(imports.read_upload(upload))
        # The report names the registered patients a row looks like: a read of their records.
        services.patient_access_record(
            request=request, patients=[d["patient"] for d in report.duplicates], what=PatientAccess.What.LIST
        )
        if dry_run:
            return Response(report.as_dict())
        created = services.patients_import(report=report, by=request.user)
        return Response(dict(report.as_dict(), created=[p.pk for p in created]), status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=[JSONRenderer, CSVRenderer])
    def export(self, request: Request) -> StreamingHttpResponse:
        """Every patient as CSV, in the import's columns."""
        return export_response(request)


# Both are admins': an export carries every patient's contact details at once.
IMPORT_ROLES = {"import_file": Role.ADMIN, "export": Role.ADMIN}
