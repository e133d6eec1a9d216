"""The admins' import page: upload a CSV, check the preview row by row, confirm (all or nothing);
and the export of every patient as CSV.

Between the preview and the confirmation the uploaded bytes wait in a private temporary file
named by a random token that only the uploader's session holds; confirming checks the file
again (the register may have changed meanwhile) and then imports it or nothing.
"""

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.models import PatientAccess
from patients.registry import imports, services
from patients.registry.forms import PatientImportForm
from patients.registry.import_api import export_response, upload_too_big
from patients.registry.views import hide_patient_data

PENDING_DIR = Path(tempfile.gettempdir()) / "anagen-patient-imports"
PENDING_SECONDS = 30 * 60
SESSION_KEY = "patient_import_token"
TEMPLATE = "patients/patient_import.html"


def _pending_path(token: str) -> Path | None:
    if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        return None
    return PENDING_DIR / f"{token}.csv"


def pending_save(content: bytes) -> str:
    """Keep an uploaded file for its confirmation; files older than PENDING_SECONDS are removed."""
    PENDING_DIR.mkdir(mode=0o700, exist_ok=True)
    for old in PENDING_DIR.glob("*.csv"):
        if old.stat().st_mtime < time.time() - PENDING_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    path = PENDING_DIR / f"{token}.csv"
    path.touch(mode=0o600)
    path.write_bytes(content)
    return token


def pending_read(token: str) -> bytes | None:
    path = _pending_path(token)
    if path is None or not path.exists() or path.stat().st_mtime < time.time() - PENDING_SECONDS:
        return None
    return path.read_bytes()


def pending_drop(token: str) -> None:
    path = _pending_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


@hide_patient_data
class PatientImportView(RoleRequiredMixin, View):
    """Upload, preview and confirm. Admins only: an import registers many patients at once."""

    required_role = Role.ADMIN

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, TEMPLATE, {"form": PatientImportForm(), "columns": imports.COLUMNS,
                                          "required": imports.REQUIRED_COLUMNS})

    def post(self, request: HttpRequest) -> HttpResponse:
        if "confirm" in request.POST:
            return self.confirm(request)
        size = upload_too_big(request)
        form = (PatientImportForm(data={}, files={}, too_big=imports.too_big_message(size)) if size is not None
                else PatientImportForm(request.POST, request.FILES))
        if not form.is_valid():
            return render(request, TEMPLATE, {"form": form, "columns": imports.COLUMNS,
                                              "required": imports.REQUIRED_COLUMNS}, status=400)
        pending_drop(request.session.get(SESSION_KEY, ""))
        token = pending_save(form.content)
        request.session[SESSION_KEY] = token
        return self.preview(request, form.table, imports.check(form.table), token=token)

    def preview(self, request: HttpRequest, table: imports.ImportTable, report: imports.ImportReport, *,
                token: str, status: int = 200) -> HttpResponse:
        services.patient_access_record(
            request=request, patients=[d["patient"] for d in report.duplicates], what=PatientAccess.What.LIST
        )
        context: dict[str, Any] = {
            "report": report, "rows": imports.preview_rows(table, report), "token": token,
            "columns": ("first_name", "last_name", "email", "phone", "date_of_birth"),
            "invalid_count": len(report.invalid), "duplicate_rows": len({d["row"] for d in report.duplicates}),
        }
        return render(request, "patients/patient_import_preview.html", context, status=status)

    def confirm(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get("token", "")
        content = pending_read(token) if token == request.session.get(SESSION_KEY) else None
        if content is None:
            messages.error(request, _("That preview has expired or was already imported: upload the file again."))
            return HttpResponseRedirect(reverse("patients:import"))
        table = imports.parse(imports.decode(content))
        report = imports.check(table)
        try:
            created = services.patients_import(report=report, by=request.user)
        except services.ImportInvalid as error:
            return self.preview(request, table, error.report, token=token, status=400)
        pending_drop(token)
        request.session.pop(SESSION_KEY, None)
        messages.success(request, ngettext("%(count)s patient imported.", "%(count)s patients imported.", len(created))
                         % {"count": f"{len(created):,}"})
        return HttpResponseRedirect(reverse("patients:list"))


class PatientExportView(RoleRequiredMixin, View):
    """Every patient as CSV, in the import's columns; each is written to the access log."""

    required_role = Role.ADMIN

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        return export_response(request)
