"""The admins' import page: upload, preview row by row, confirm all or nothing; the export page."""

import pytest

from patients.models import Consent, Patient, PatientAccess
from patients.registry import import_views
from tests.factories import PatientFactory
from tests.helpers import client_for
from tests.patients.registry.test_import_api import AYSE, HEADER, OMAR, csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(admin_user):
    return client_for(admin_user)


def upload(client, *lines: str, encoding: str = "utf-8"):
    return client.post("/patients/import/", {"file": csv_file(*lines, encoding=encoding)})


def test_the_page_shows_the_columns_and_the_upload_form(office):
    response = office.get("/patients/import/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and "date_of_birth" in page and "Check the file" in page


@pytest.mark.parametrize("role", ["receptionist", "doctor"])
def test_only_admins_reach_the_import_and_export_pages(make_staff, role):
    client = client_for(make_staff(role))
    assert client.get("/patients/import/").status_code == 403
    assert client.post("/patients/import/", {"file": csv_file(HEADER, AYSE)}).status_code == 403
    assert client.get("/patients/export/").status_code == 403
    assert not Patient.objects.exists()


def test_the_list_links_to_import_and_export_for_admins_only(office, desk):
    assert "/patients/import/" in office.get("/patients/").content.decode()
    assert "/patients/import/" not in desk.get("/patients/").content.decode()


def test_a_preview_shows_errors_by_the_field_and_duplicates_and_offers_no_confirmation(office):
    registered = PatientFactory(first_name="Omar", last_name="Haddad", email="omar@example.com")
    bad = AYSE.replace("Ayse@Example.com", "ayse2@example.com").replace("Europe/Istanbul", "Mars/Base")
    twin = AYSE.replace("Ayse@Example.com", "ayse.twin@example.com")
    response = upload(office, HEADER, AYSE, OMAR, bad, twin)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mars/Base” is not an IANA time zone" in page
    assert f'href="/patients/{registered.pk}/"' in page
    assert "Likely the same person as row 2" in page  # row 5: same phone and birth date as row 2
    assert 'name="confirm"' not in page and "cannot be imported" in page
    assert not Patient.objects.exclude(pk=registered.pk).exists()
    # The preview named a registered patient: that is a read of their record.
    assert PatientAccess.objects.filter(patient=registered, via="page").exists()


def test_confirming_a_clean_preview_imports_every_row_then_lists_them(office, admin_user):
    preview = upload(office, HEADER, AYSE, OMAR)
    assert 'name="confirm"' in preview.content.decode()
    token = preview.context["token"]
    response = office.post("/patients/import/", {"confirm": "1", "token": token}, follow=True)
    assert response.redirect_chain[-1][0] == "/patients/"
    assert "2 patients imported." in response.content.decode()
    assert sorted(Patient.objects.values_list("last_name", flat=True)) == ["Haddad", "Yılmaz"]
    assert Consent.objects.filter(recorded_by=admin_user).count() == 1
    assert import_views.pending_read(token) is None
    again = office.post("/patients/import/", {"confirm": "1", "token": token}, follow=True)
    assert "expired or was already imported" in again.content.decode()
    assert Patient.objects.count() == 2


def test_a_confirmation_checks_the_file_again_and_imports_nothing_if_a_row_became_invalid(office):
    token = upload(office, HEADER, AYSE, OMAR).context["token"]
    # Whatever the preview said, confirming checks the waiting file again: here one of its rows is invalid.
    import_views.pending_drop(token)
    token = import_views.pending_save(f"{HEADER}\n{AYSE}\n{OMAR.replace('+971501234567', '12')}\n".encode())
    session = office.session
    session[import_views.SESSION_KEY] = token
    session.save()
    response = office.post("/patients/import/", {"confirm": "1", "token": token})
    assert response.status_code == 400
    assert "cannot be imported" in response.content.decode()
    assert not Patient.objects.exists()


def test_another_users_token_imports_nothing(office, make_staff):
    token = upload(office, HEADER, AYSE).context["token"]
    other = client_for(make_staff("admin", "admin2"))
    response = other.post("/patients/import/", {"confirm": "1", "token": token}, follow=True)
    assert "expired or was already imported" in response.content.decode()
    assert not Patient.objects.exists()


@pytest.mark.parametrize(("lines", "encoding", "message"), [
    ((HEADER, AYSE), "cp1254", "not UTF-8 text"),
    (("first_name,last_name", "Ayşe,Yılmaz"), "utf-8", "lacks these columns: date_of_birth, sex, timezone"),
    ((HEADER,), "utf-8", "no patients"),
])
def test_a_file_that_cannot_be_read_is_refused_by_the_file_field(office, lines, encoding, message):
    response = upload(office, *lines, encoding=encoding)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])


def test_a_50_mb_upload_is_refused_by_the_file_field(office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.csv", (HEADER + "\n").encode() + b"x" * (50 * 1024 * 1024))
    response = office.post("/patients/import/", {"file": big})
    assert response.status_code == 400
    assert "too large" in " ".join(response.context["form"].errors["file"])


def test_no_file_is_refused_by_the_file_field(office):
    response = office.post("/patients/import/", {})
    assert response.status_code == 400 and response.context["form"].errors["file"]


def test_the_export_page_downloads_the_csv_and_logs_each_patient(office, admin_user):
    patient = PatientFactory(notes="=HYPERLINK(\"http://x\")")
    response = office.get("/patients/export/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert PatientAccess.objects.filter(patient=patient, user=admin_user, via="page", what="export").exists()
