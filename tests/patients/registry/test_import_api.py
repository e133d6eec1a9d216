"""`POST /api/v1/patients/import/`: a dry run reports row by row, an import is all rows or none."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from patients.models import Consent, Patient, PatientAccess
from patients.registry import services
from tests.factories import LocationFactory, PatientFactory

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,email,phone,date_of_birth,sex,language,timezone,reminder_opt_in,notes"
AYSE = "Ayşe,Yılmaz,Ayse@Example.com,+905321234567,1988-03-14,female,tr,Europe/Istanbul,true,Prefers mornings"
OMAR = "Omar,Haddad,omar@example.com,+971501234567,1979-11-02,male,ar,Asia/Dubai,false,"


def csv_file(*lines: str, encoding: str = "utf-8", name: str = "patients.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding), content_type="text/csv")


def post(client, upload, *, dry_run: bool = False):
    url = "/api/v1/patients/import/" + ("?dry_run=true" if dry_run else "")
    return client.post(url, {"file": upload}, format="multipart")


def test_a_dry_run_reports_every_row_and_writes_nothing(api_admin):
    response = post(api_admin, csv_file(HEADER, AYSE, OMAR), dry_run=True)
    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 2, "valid": 2, "invalid": [], "duplicates": [], "unknown_columns": []}
    assert not Patient.objects.exists()


def test_an_import_registers_every_row_through_the_desk_service(api_admin, admin_user):
    response = post(api_admin, csv_file(HEADER, AYSE, OMAR))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rows"] == 2 and body["valid"] == 2 and len(body["created"]) == 2
    ayse = Patient.objects.get(pk=body["created"][0])
    assert (ayse.first_name, ayse.email, str(ayse.phone), ayse.language) == (
        "Ayşe", "ayse@example.com", "+905321234567", "tr")
    assert ayse.reminder_opt_in and ayse.notes == "Prefers mornings"
    consent = Consent.objects.get(patient=ayse)
    assert consent.kind == "reminder_emails" and consent.given and consent.recorded_by == admin_user
    omar = Patient.objects.get(pk=body["created"][1])
    assert not omar.reminder_opt_in and not Consent.objects.filter(patient=omar).exists()


def test_one_invalid_row_and_nothing_is_imported(api_admin):
    bad = OMAR.replace("Asia/Dubai", "Mars/Olympus")
    response = post(api_admin, csv_file(HEADER, AYSE, bad))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["rows"] == 2 and body["valid"] == 1
    assert body["invalid"] == [{"row": 3, "errors": {"timezone": [
        "“Mars/Olympus” is not an IANA time zone (for example Europe/Istanbul)."]}}]
    assert not Patient.objects.exists()


@pytest.mark.parametrize(("column", "value", "field"), [
    ("phone", "12", "phone"),
    ("phone", "+90 532 abc", "phone"),
    ("timezone", "Europe/Nowhere", "timezone"),
    ("timezone", "", "timezone"),
    ("language", "fr", "language"),
    ("email", "not-an-email", "email"),
    ("first_name", "", "first_name"),
    ("first_name", "<script>x</script>", "first_name"),
    ("last_name", "123", "last_name"),
    ("date_of_birth", "14/03/1988", "date_of_birth"),
    ("date_of_birth", "2999-01-01", "date_of_birth"),
    ("sex", "unknown", "sex"),
    ("reminder_opt_in", "perhaps", "reminder_opt_in"),
])
def test_each_rule_of_the_api_refuses_a_row_by_its_field(api_admin, column, value, field):
    columns = HEADER.split(",")
    cells = AYSE.split(",")
    cells[columns.index(column)] = value
    response = post(api_admin, csv_file(HEADER, ",".join(cells)), dry_run=True)
    assert response.status_code == 200
    [invalid] = response.json()["invalid"]
    assert invalid["row"] == 2 and list(invalid["errors"]) == [field], invalid


def test_a_row_without_email_or_phone_is_invalid(api_admin):
    row = "Ayşe,Yılmaz,,,1988-03-14,female,tr,Europe/Istanbul,true,"
    [invalid] = post(api_admin, csv_file(HEADER, row), dry_run=True).json()["invalid"]
    assert invalid["errors"] == {"email": ["Give an email address or a phone number (or both)."]}


def test_a_national_phone_is_read_in_the_clinics_country(api_admin):
    LocationFactory(country="TR")
    response = post(api_admin, csv_file(HEADER, AYSE.replace("+905321234567", "0532 123 45 67")))
    assert response.status_code == 201, response.json()
    assert str(Patient.objects.get().phone) == "+905321234567"


def test_names_are_normalised_and_empty_cells_take_the_apis_defaults(api_admin):
    header = "first_name,last_name,phone,date_of_birth,sex,timezone,language"
    response = post(api_admin, csv_file(header, "  Ayşe  , Yılmaz ,+905321234567,1988-03-14,female,UTC,"))
    assert response.status_code == 201, response.json()
    patient = Patient.objects.get()
    assert (patient.first_name, patient.last_name, patient.language, patient.reminder_opt_in) == (
        "Ayşe", "Yılmaz", "en", False)


def test_likely_duplicates_of_registered_patients_are_named(api_admin):
    same_email = PatientFactory(email="ayse@example.com", phone="+905559999999")
    same_phone_and_birth = PatientFactory(email="other@example.com", phone="+971501234567",
                                          date_of_birth="1979-11-02")
    PatientFactory(email="third@example.com", phone="+971501234567", date_of_birth="1990-01-01")
    body = post(api_admin, csv_file(HEADER, AYSE, OMAR), dry_run=True).json()
    assert [(d["row"], d["patient"]) for d in body["duplicates"]] == [
        (2, same_email.pk), (3, same_phone_and_birth.pk)]
    assert body["valid"] == 2 and body["invalid"] == []
    logged = PatientAccess.objects.filter(via="api", what="list").values_list("patient_id", flat=True)
    assert sorted(logged) == [same_email.pk, same_phone_and_birth.pk]


def test_likely_duplicates_inside_the_file_are_named(api_admin):
    again = OMAR.replace("Omar,", "Omer,").replace("omar@", "omer@")
    body = post(api_admin, csv_file(HEADER, AYSE, OMAR, again), dry_run=True).json()
    assert body["duplicates"] == [{"row": 4, "patient": None, "same_as_row": 3}]


def test_a_duplicate_is_imported_like_the_api_creates_it_the_report_having_named_it(api_admin):
    PatientFactory(email="ayse@example.com")
    response = post(api_admin, csv_file(HEADER, AYSE))
    assert response.status_code == 201
    assert response.json()["duplicates"][0]["row"] == 2
    assert Patient.objects.filter(email="ayse@example.com").count() == 2


@pytest.mark.parametrize("role", ["receptionist", "doctor"])
def test_only_an_admin_imports(api_as, role):
    client = api_as(role)
    response = post(client, csv_file(HEADER, AYSE), dry_run=True)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Patient.objects.exists()


def test_an_anonymous_caller_is_refused(api_anonymous):
    assert post(api_anonymous, csv_file(HEADER, AYSE)).status_code in (401, 403)


def test_an_import_without_a_file_is_a_400_by_the_file_field(api_admin):
    response = api_admin.post("/api/v1/patients/import/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "file" in response.json()["errors"]


def test_a_row_the_model_refuses_at_the_import_writes_no_row_at_all(api_admin, monkeypatch):
    checked = services._patient_checked
    calls = []

    def refuse_the_second(**fields):
        calls.append(fields)
        if len(calls) == 2:
            raise ValidationError({"last_name": ["Refused by the model."]})
        return checked(**fields)

    monkeypatch.setattr(services, "_patient_checked", refuse_the_second)
    response = post(api_admin, csv_file(HEADER, AYSE, OMAR))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["valid"] == 1
    assert body["invalid"] == [{"row": 3, "errors": {"last_name": ["Refused by the model."]}}]
    assert not Patient.objects.exists() and not Consent.objects.exists()
