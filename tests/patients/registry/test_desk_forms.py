"""The desk's forms: phone numbers typed as the clinic writes them, and the screening form that
asks only what can apply."""

import pytest

from patients.models import Course, Patient, Screening
from patients.registry.phones import phone_region
from tests.factories import LocationFactory, PatientFactory, ProtocolFactory, no_answers

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Zeynep", "last_name": "Kaya", "date_of_birth": "1988-05-17", "sex": "female",
    "email": "zeynep@example.com.tr", "phone": "0532 456 78 90", "language": "tr", "timezone": "Europe/Istanbul",
    "notes": "",
}


@pytest.fixture
def istanbul():
    return LocationFactory(name="Anagen Istanbul", country="TR")


def test_a_number_typed_the_way_the_clinic_writes_it_is_read_in_the_clinics_country(desk, istanbul):
    response = desk.post("/patients/new/", FORM)
    assert response.status_code == 302, response.context["form"].errors
    patient = Patient.objects.get()
    assert str(patient.phone) == "+905324567890"
    page = desk.get(f"/patients/{patient.pk}/").content.decode()
    assert "0532 456 78 90" in page  # national format at home
    assert "0532 456 78 90" in desk.get("/patients/").content.decode()


def test_a_foreign_number_is_shown_in_international_format(desk, istanbul):
    desk.post("/patients/new/", {**FORM, "phone": "+44 7911 123456"})
    patient = Patient.objects.get()
    assert "+44 7911 123456" in desk.get(f"/patients/{patient.pk}/").content.decode()


def test_an_unreadable_number_is_refused_with_a_local_example_not_an_american_one(desk, istanbul):
    response = desk.post("/patients/new/", {**FORM, "phone": "12"})
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["phone"])
    assert "0501 234 56 78" in message and "+1212" not in message and "2125552368" not in message
    assert not Patient.objects.exists()


def test_the_patients_own_location_wins_over_the_clinics_default(istanbul):
    berlin = LocationFactory(name="Anagen Berlin", country="DE", timezone="Europe/Berlin")
    patient = PatientFactory()
    assert phone_region(patient) == "TR" and phone_region() == "TR"
    protocol = ProtocolFactory(status="active")
    Course.objects.create(patient=patient, protocol=protocol, protocol_version=1, location=berlin,
                          anchor_date="2027-03-01")
    assert phone_region(patient) == "DE"


def test_the_api_reads_a_national_number_in_the_clinics_country(api_receptionist, istanbul):
    body = {**FORM, "reminder_opt_in": False}
    response = api_receptionist.post("/api/v1/patients/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "+905324567890"
    bad = api_receptionist.post("/api/v1/patients/", {**body, "phone": "12", "email": "x@example.com"},
                                format="json")
    assert bad.status_code == 400 and "phone" in bad.json()["errors"]


def answers_for(keys) -> dict:
    return {key: "no" for key in keys}


def test_a_male_patient_is_not_asked_about_pregnancy_and_it_counts_as_no(desk):
    patient = PatientFactory(sex="male")
    html = desk.get(f"/patients/{patient.pk}/screenings/new/").content.decode()
    assert 'name="pregnant_or_breastfeeding"' not in html and 'name="may_become_pregnant"' not in html
    assert "Not asked for a male patient" in html
    asked = [k for k in no_answers() if k not in ("pregnant_or_breastfeeding", "may_become_pregnant")]
    response = desk.post(f"/patients/{patient.pk}/screenings/new/", answers_for(asked))
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.pregnant_or_breastfeeding is False and screening.may_become_pregnant is False


def test_a_female_patient_must_answer_the_pregnancy_questions(desk):
    patient = PatientFactory(sex="female")
    asked = [k for k in no_answers() if k not in ("pregnant_or_breastfeeding", "may_become_pregnant")]
    response = desk.post(f"/patients/{patient.pk}/screenings/new/", answers_for(asked))
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["may_become_pregnant", "pregnant_or_breastfeeding"]
    html = response.content.decode()
    assert "2 questions not answered yet" in html and 'id="error-pregnant_or_breastfeeding"' in html
    assert not Screening.objects.exists()


def test_the_screening_form_has_an_all_no_button_and_large_answers(desk):
    html = desk.get(f"/patients/{PatientFactory(sex='female').pk}/screenings/new/").content.decode()
    assert 'id="all-no"' in html and "yes-no-button" in html and "btn-lg" in html
