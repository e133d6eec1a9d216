"""Hostile and awkward files: BOMs, semicolons, wrong encodings, missing columns, huge uploads;
and the export, whose formula-like cells a spreadsheet must show, not run."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patients.models import Patient, PatientAccess
from patients.registry import imports
from tests.factories import PatientFactory
from tests.patients.registry.test_import_api import AYSE, HEADER, OMAR, csv_file, post

pytestmark = pytest.mark.django_db


def test_a_byte_order_mark_is_not_part_of_the_first_column(api_admin):
    upload = SimpleUploadedFile("p.csv", b"\xef\xbb\xbf" + f"{HEADER}\n{AYSE}\n".encode())
    body = post(api_admin, upload, dry_run=True).json()
    assert (body["valid"], body["unknown_columns"]) == (1, [])


def test_a_semicolon_separated_spreadsheet_export_is_read(api_admin):
    lines = [HEADER.replace(",", ";"), AYSE.replace(",", ";"), '"Omar";"Haddad";omar@example.com;;'
             '1979-11-02;male;ar;Asia/Dubai;false;"Mornings, not Fridays; ask for Dr. Kaya"']
    response = post(api_admin, csv_file(*lines))
    assert response.status_code == 201, response.json()
    assert Patient.objects.get(last_name="Haddad").notes == "Mornings, not Fridays; ask for Dr. Kaya"
    assert Patient.objects.get(last_name="Yılmaz").notes == "Prefers mornings"


def test_headings_as_a_person_writes_them_are_read(api_admin):
    header = "First name,Last Name,Email,Phone,Date of birth,Sex,Language,Time zone"
    row = "Ayşe,Yılmaz,ayse@example.com,,1988-03-14,female,tr,Europe/Istanbul"
    assert post(api_admin, csv_file(header, row), dry_run=True).json()["valid"] == 1


@pytest.mark.parametrize(("encoding", "name", "expected"), [
    ("cp1254", "Şule", "byte 0xDE on line 2 (byte 93)"),  # Turkish Windows: "Ş" is 0xDE.
    ("latin-1", "Zoë", "byte 0xEB on line 2"),
    ("utf-16", "Şule", "UTF-16"),
])
def test_a_file_that_is_not_utf8_is_refused_saying_where(api_admin, encoding, name, expected):
    upload = csv_file(HEADER, AYSE.replace("Ayşe", name).replace("ı", "i"), encoding=encoding)
    response = post(api_admin, upload, dry_run=True)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    [message] = body["errors"]["file"]
    assert expected in message and "UTF-8" in message


def test_missing_required_columns_are_named(api_admin):
    response = post(api_admin, csv_file("first_name,last_name,email", "Ayşe,Yılmaz,a@example.com"), dry_run=True)
    assert response.status_code == 400
    [message] = response.json()["errors"]["file"]
    assert "date_of_birth, sex, timezone" in message


def test_unknown_columns_are_reported_and_ignored(api_admin):
    body = post(api_admin, csv_file(HEADER + ",shoe_size", AYSE + ",44"), dry_run=True).json()
    assert body["unknown_columns"] == ["shoe_size"] and body["valid"] == 1


def test_a_row_with_more_cells_than_columns_is_invalid(api_admin):
    body = post(api_admin, csv_file(HEADER, AYSE + ",stray,cells"), dry_run=True).json()
    assert body["invalid"][0]["row"] == 2 and "non_field_errors" in body["invalid"][0]["errors"]


def test_trailing_empty_cells_and_empty_lines_are_ignored(api_admin):
    body = post(api_admin, csv_file(HEADER + ",,", AYSE + ",,", ",,,,", "", OMAR), dry_run=True).json()
    assert (body["rows"], body["valid"], body["invalid"]) == (2, 2, [])


@pytest.mark.parametrize("content", [b"", b"   \n", HEADER.encode() + b"\n"])
def test_an_empty_file_is_refused(api_admin, content):
    response = post(api_admin, SimpleUploadedFile("p.csv", content), dry_run=True)
    assert response.status_code == 400 and response.json()["errors"]["file"]


def test_a_nul_character_or_a_long_cell_is_an_error_of_its_row(api_admin):
    nul = AYSE.replace("Prefers mornings", "x\x00y")
    long = OMAR.replace("omar@", "o" * 20_000 + "@")
    body = post(api_admin, csv_file(HEADER, nul, long), dry_run=True).json()
    assert [(r["row"], list(r["errors"])) for r in body["invalid"]] == [(2, ["notes"]), (3, ["email"])]


def test_a_cell_too_big_for_csv_is_refused_by_its_line(api_admin):
    huge = OMAR.replace("omar@", "o" * 200_000 + "@")
    response = post(api_admin, csv_file(HEADER, AYSE, huge), dry_run=True)
    assert response.status_code == 400
    assert "line 3" in response.json()["errors"]["file"][0]


def test_a_50_mb_upload_is_refused_before_it_is_read(api_admin):
    big = SimpleUploadedFile("big.csv", (HEADER + "\n").encode() + b"x" * (50 * 1024 * 1024))
    response = post(api_admin, big, dry_run=True)
    assert response.status_code == 400
    [message] = response.json()["errors"]["file"]
    assert "too large" in message and "10 MB" in message


def test_a_file_just_past_the_limit_is_refused_while_read():
    class Chunks:
        size = None

        def chunks(self):
            for _ in range(11):
                yield b"x" * (1024 * 1024)

    with pytest.raises(imports.ImportFileError, match="too large"):
        imports.read_bytes(Chunks())


def test_a_formula_in_an_imported_cell_cannot_be_a_name():
    table = imports.parse(f"{HEADER}\n" + AYSE.replace("Ayşe", "=cmd|' /C calc'!A0") + "\n")
    assert table.rows[0][1]["first_name"].startswith("=")


def read_export(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="patients.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_the_import_columns_and_formula_cells_are_neutralised(api_admin):
    PatientFactory(first_name="Ayşe", notes="=cmd|' /C calc'!A0", email="ayse@example.com", phone="+905321234567")
    PatientFactory(first_name="Omar", notes="@SUM(1+1)\t-2", email="", phone="+971501234567")
    PatientFactory(first_name="Lucía", notes="\tTabbed\r", reminder_opt_in=False)
    rows = read_export(api_admin.get("/api/v1/patients/export/"))
    assert list(rows[0]) == list(imports.COLUMNS)
    notes = sorted(r["notes"] for r in rows)
    assert notes == sorted(["'=cmd|' /C calc'!A0", "'@SUM(1+1)\t-2", "'\tTabbed\r"])
    assert {r["phone"] for r in rows} >= {"'+905321234567", "'+971501234567"}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(imports.FORMULA_STARTS)


def test_an_export_reads_back_as_the_same_patients(api_admin):
    patient = PatientFactory(first_name="Ayşe", last_name="Yılmaz", email="ayse@example.com",
                             phone="+905321234567", notes="+1 note", reminder_opt_in=True)
    exported = b"".join(api_admin.get("/api/v1/patients/export/").streaming_content)
    report = imports.check(imports.read_upload(SimpleUploadedFile("patients.csv", exported)))
    assert (report.valid, report.invalid) == (1, [])
    [(_, data)] = report.checked
    assert (str(data["phone"]), data["notes"], data["reminder_opt_in"]) == ("+905321234567", "+1 note", True)
    assert report.duplicates == [{"row": 2, "patient": patient.pk, "name": "Ayşe Yılmaz"}]


def test_every_exported_patient_is_written_to_the_access_log(api_admin, admin_user):
    patients = PatientFactory.create_batch(3)
    read_export(api_admin.get("/api/v1/patients/export/", HTTP_ACCEPT="text/csv"))
    logged = PatientAccess.objects.filter(user=admin_user, what="export", via="api")
    assert sorted(logged.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)


@pytest.mark.parametrize("role", ["receptionist", "doctor"])
def test_only_an_admin_exports(api_as, role):
    PatientFactory()
    response = api_as(role).get("/api/v1/patients/export/")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not PatientAccess.objects.exists()


def test_a_file_past_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    assert len(imports.parse(f"{HEADER}\n{AYSE}\n{OMAR}\n").rows) == 2
    with pytest.raises(imports.ImportFileError, match="more than 2 patients"):
        imports.parse(f"{HEADER}\n{AYSE}\n{OMAR}\n{AYSE}\n")


def test_a_column_named_twice_is_refused(api_admin):
    response = post(api_admin, csv_file(HEADER + ",Email", AYSE + ",x@example.com"), dry_run=True)
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["These columns appear more than once: email."]
