"""Patients in and out as CSV: reading an uploaded file, checking every row, writing an export.

Python's csv module and the API's own PatientSerializer do the work, so a row is valid exactly
when the same patient posted to `POST /api/v1/patients/` would be (phones read in the clinic's
country, names normalised, email lower-cased, language and IANA zone checked). Nothing here
writes: services.patients_import applies a checked table, all rows or none.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from clinic.errors import DomainError
from patients.models import Patient
from patients.registry.phones import phone_region
from patients.registry.selectors import duplicate_keys, patients_likely_duplicates_of
from patients.registry.serializers import PatientSerializer

# The columns of an import and of an export: the contract's writable patient fields.
COLUMNS = (
    "first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone",
    "reminder_opt_in", "investigational_ack", "notes",
)
REQUIRED_COLUMNS = ("first_name", "last_name", "date_of_birth", "sex", "timezone")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL = 10_000
# A cell a spreadsheet would run as a formula (OWASP "CSV injection"); the export quotes it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXTRA_CELLS = "__extra_cells__"
_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


class ImportFileError(DomainError):
    """The file as a whole cannot be imported: too big, not UTF-8 CSV, columns missing. 400 `invalid`
    with the reason under errors.file, as a form shows it by its file field."""

    def __init__(self, message: str):
        super().__init__(message, code="invalid", errors={"file": [message]})
        self.message = message


@dataclass
class ImportTable:
    """The rows of a file by their spreadsheet row number (the header is row 1)."""

    rows: list[tuple[int, dict[str, str]]]
    unknown_columns: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    invalid: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    # Validated data of the valid rows, in file order, for the service that applies them.
    checked: list[tuple[int, dict[str, Any]]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "valid": self.valid, "invalid": self.invalid,
                "duplicates": self.duplicates, "unknown_columns": self.unknown_columns}


def too_big_message(size: int | None = None) -> str:
    limit = MAX_BYTES // 1024 // 1024
    if size:
        return _("The file is too large (%(size)s MB): at most %(limit)s MB can be imported at once. "
                 "Split it into smaller files.") % {"size": f"{size / 1024 / 1024:.1f}", "limit": limit}
    return _("The file is too large: at most %(limit)s MB can be imported at once. "
             "Split it into smaller files.") % {"limit": limit}


def read_bytes(upload: Any) -> bytes:
    """The upload's bytes, refused once past MAX_BYTES without reading further."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImportFileError(too_big_message(size))
    buffer = bytearray()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        buffer += chunk
        if len(buffer) > MAX_BYTES:
            raise ImportFileError(too_big_message())
    return bytes(buffer)


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is named with where it breaks."""
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            raise ImportFileError(_("The file is %(encoding)s text: save it as “CSV UTF-8” and upload it again.")
                                  % {"encoding": name})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFileError(
            _("The file is not UTF-8 text: byte %(byte)s on line %(line)s (byte %(position)s) "
              "cannot be read. Save it from your spreadsheet as “CSV UTF-8” and upload it again.")
            % {"byte": f"0x{data[error.start]:02X}", "line": line, "position": error.start + 1}
        ) from None


def column_name(heading: str) -> str:
    """“First name”, “first-name” and “ first_name ” are all first_name; “Time zone” is timezone."""
    name = re.sub(r"[\s\-]+", "_", heading.strip().lower())
    return "timezone" if name == "time_zone" else name


def delimiter_of(header_line: str) -> str:
    """Spreadsheets set to a decimal comma export with semicolons: the header line tells which."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def unneutralise(cell: str) -> str:
    """Undo the export's quoting of formula-like cells ("'+90532..." reads back as "+90532...")."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def parse(text: str) -> ImportTable:
    """The header and the rows of a CSV text; whole-file problems raise ImportFileError."""
    if not text.strip():
        raise ImportFileError(_("The file is empty: it needs a header row with the patient fields, then one "
                                "row per patient."))
    delimiter = delimiter_of(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = [column_name(h) for h in next(reader)]
        known = [h for h in header if h in COLUMNS]
        repeated = sorted({h for h in known if known.count(h) > 1})
        if repeated:
            raise ImportFileError(_("These columns appear more than once: %(columns)s.")
                                  % {"columns": ", ".join(repeated)})
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ImportFileError(_("The header row lacks these columns: %(missing)s. The columns are: "
                                    "%(columns)s.") % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)})
        unknown = [h for h in header if h not in COLUMNS][:20]
        rows: list[tuple[int, dict[str, str]]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # Spreadsheets end their exports with empty lines.
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(_("The file has more than %(count)s patients: split it into smaller files.")
                                      % {"count": f"{MAX_ROWS:,}"})
            if any(cell.strip() for cell in cells[len(header):]):
                rows.append((number, {EXTRA_CELLS: ""}))
                continue
            rows.append((number, {h: unneutralise(c) for h, c in zip(header, cells, strict=False) if h in COLUMNS}))
    except csv.Error as error:
        raise ImportFileError(_("The file cannot be read as CSV (line %(line)s: %(error)s).")
                              % {"line": reader.line_num, "error": error}) from None
    if not rows:
        raise ImportFileError(_("The file has a header row but no patients."))
    return ImportTable(rows=rows, unknown_columns=unknown)


def read_upload(upload: Any) -> ImportTable:
    return parse(decode(read_bytes(upload)))


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _row_data(cells: dict[str, str]) -> dict[str, str]:
    """What the serializer is given: an empty cell is a value not given (its default, or "required")."""
    return {name: value for name, value in cells.items() if value.strip()}


def check(table: ImportTable) -> ImportReport:
    """Every row through the API's PatientSerializer; likely duplicates of registered patients (one
    query for the whole file) and of earlier rows of the same file."""
    report = ImportReport(rows=len(table.rows), unknown_columns=table.unknown_columns)
    serializer = PatientSerializer(context={"phone_region": phone_region()})
    for number, cells in table.rows:
        if EXTRA_CELLS in cells:
            report.invalid.append({"row": number, "errors": {"non_field_errors": [
                _("This row has more cells than the header has columns (a comma inside a value needs quotes).")]}})
            continue
        too_long = {name: [_("At most %(count)s characters.") % {"count": f"{MAX_CELL:,}"}]
                    for name, v in cells.items() if len(v) > MAX_CELL}
        if too_long:
            report.invalid.append({"row": number, "errors": too_long})
            continue
        try:
            data = serializer.run_validation(_row_data(cells))
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
            report.invalid.append({"row": number, "errors": {name: _messages(v) for name, v in detail.items()}})
            continue
        report.checked.append((number, dict(data)))
    report.valid = len(report.checked)
    report.duplicates = _duplicates(report.checked)
    return report


def _duplicates(checked: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    found = patients_likely_duplicates_of(
        [(d.get("email", ""), d.get("phone"), d.get("date_of_birth")) for _, d in checked]
    )
    seen: dict[tuple, int] = {}
    duplicates = []
    for (number, data), registered in zip(checked, found, strict=True):
        keys = duplicate_keys(email=data.get("email", ""), phone=data.get("phone"),
                              date_of_birth=data.get("date_of_birth"))
        for patient in registered:
            duplicates.append({"row": number, "patient": patient.pk, "name": patient.full_name})
        earlier = next((seen[key] for key in keys if key in seen), None)
        if earlier is not None:
            duplicates.append({"row": number, "patient": None, "same_as_row": earlier})
        for key in keys:
            seen.setdefault(key, number)
    return duplicates


def neutralise(value: Any) -> str:
    """A cell as text a spreadsheet shows rather than runs: formula-like text gets a leading '."""
    text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_lines(patients: Iterable[Patient]) -> Iterator[str]:
    """The CSV of these patients, line by line: the import's columns, formula-like cells quoted."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # The BOM tells spreadsheets the file is UTF-8.
    serializer = PatientSerializer()
    for patient in patients:
        shown = serializer.to_representation(patient)
        yield writer.writerow([neutralise(shown[name]) for name in COLUMNS])


def preview_rows(table: ImportTable, report: ImportReport, *, valid_shown: int = 100) -> list[dict[str, Any]]:
    """The rows a person checks before confirming: every one with an error or a likely duplicate,
    and the first `valid_shown` of the others, in file order."""
    errors = {entry["row"]: entry["errors"] for entry in report.invalid}
    duplicates: dict[int, list[dict[str, Any]]] = {}
    for entry in report.duplicates:
        duplicates.setdefault(entry["row"], []).append(entry)
    shown, plain = [], 0
    for number, cells in table.rows:
        if number not in errors and number not in duplicates:
            plain += 1
            if plain > valid_shown:
                continue
        shown.append({"row": number, "cells": cells, "errors": errors.get(number, {}),
                      "duplicates": duplicates.get(number, [])})
    return shown
