"""The contract's patients and screenings API."""

import pytest

from patients.models import Consent, Patient, PatientAccess, Screening, ScreeningOverride
from tests.factories import PatientFactory, ScreeningFactory, no_answers

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Ayşe", "last_name": "Yılmaz", "email": "Ayse@Example.com", "phone": "+905321234567",
    "date_of_birth": "1988-03-14", "sex": "female", "language": "tr", "timezone": "Europe/Istanbul",
    "reminder_opt_in": True, "notes": "Prefers mornings.",
}


def test_a_receptionist_registers_a_patient_with_the_contract_fields(api_receptionist, receptionist):
    response = api_receptionist.post("/api/v1/patients/", VALID, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    for field in ("id", "first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language",
                  "timezone", "reminder_opt_in", "notes"):
        assert field in body
    assert body["email"] == "ayse@example.com"
    assert body["phone"] == "+905321234567"
    assert body["possible_duplicates"] == []
    consent = Consent.objects.get(patient_id=body["id"])
    assert consent.kind == "reminder_emails" and consent.given and consent.recorded_by == receptionist


def test_a_phone_written_with_spaces_is_stored_in_e164(api_receptionist):
    response = api_receptionist.post("/api/v1/patients/", {**VALID, "phone": "+90 532 123 45 67"}, format="json")
    assert response.json()["phone"] == "+905321234567"


def test_a_patient_without_a_phone_reads_back_an_empty_phone(api_receptionist):
    created = api_receptionist.post("/api/v1/patients/", {**VALID, "phone": ""}, format="json").json()
    assert created["phone"] == ""
    listed = api_receptionist.get("/api/v1/patients/", {"q": "Yılmaz"}).json()["results"]
    assert [(p["id"], p["phone"]) for p in listed] == [(created["id"], "")]
    assert api_receptionist.get(f"/api/v1/patients/{created['id']}/").json()["phone"] == ""


def test_a_likely_duplicate_is_named_in_the_answer(api_receptionist):
    first = api_receptionist.post("/api/v1/patients/", VALID, format="json").json()
    second = api_receptionist.post(
        "/api/v1/patients/", {**VALID, "email": "other@example.com"}, format="json"
    ).json()
    assert second["possible_duplicates"] == [first["id"]]


@pytest.mark.parametrize(("field", "value"), [
    ("first_name", "<script>alert(1)</script>"),
    ("first_name", "<b>Ali</b>"),
    ("last_name", "Ali\u202eyelkoc"),
    ("last_name", "Ali\r\nBcc: x@example.com"),
    ("first_name", "A" * 10_000),
    ("first_name", ""),
    ("first_name", "   "),
    ("first_name", "123"),
    ("email", "not-an-email"),
    ("email", "a@b"),
    ("phone", "12345"),
    ("phone", "+90 abc"),
    ("phone", "05321234567"),
    ("timezone", "Mars/Olympus_Mons"),
    ("timezone", ""),
    ("language", "fr"),
    ("sex", "unknown"),
    ("date_of_birth", "2999-01-01"),
    ("date_of_birth", "1850-01-01"),
    ("date_of_birth", "14/03/1988"),
    ("notes", "x\x00y"),
    ("notes", "y" * 5001),
    ("reminder_opt_in", "maybe"),
])
def test_bad_input_gets_a_clear_400_and_changes_nothing(api_receptionist, field, value):
    response = api_receptionist.post("/api/v1/patients/", {**VALID, field: value}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert body["errors"][field][0]
    assert Patient.objects.count() == 0


def test_a_patient_needs_an_email_or_a_phone(api_receptionist):
    response = api_receptionist.post("/api/v1/patients/", {**VALID, "email": "", "phone": ""}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


@pytest.mark.parametrize("body", ["[]", "null", "42", '"text"', "{not json"])
def test_a_body_that_is_not_an_object_is_a_400(api_receptionist, body):
    response = api_receptionist.post("/api/v1/patients/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_html_in_notes_comes_back_as_the_same_text(api_receptionist):
    response = api_receptionist.post("/api/v1/patients/", {**VALID, "notes": "<img src=x onerror=alert(1)>"},
                                     format="json")
    assert response.json()["notes"] == "<img src=x onerror=alert(1)>"


def test_the_list_searches_name_email_and_phone(api_receptionist):
    ayse = PatientFactory(first_name="Ayşe", last_name="Demir", email="ayse.d@example.com", phone="+905321112233")
    PatientFactory(first_name="Omar", last_name="Haddad", email="omar@example.ae", phone="+971501234567")
    for query in ("ayşe", "DEMIR", "ayse.d@", "0532 111 22", "5321112233", "ayşe dem"):
        results = api_receptionist.get("/api/v1/patients/", {"q": query}).json()["results"]
        assert [r["id"] for r in results] == [ayse.pk], query
    assert api_receptionist.get("/api/v1/patients/").json()["count"] == 2
    assert api_receptionist.get("/api/v1/patients/", {"q": "nobody"}).json()["count"] == 0


def test_a_search_with_like_wildcards_matches_them_literally(api_receptionist):
    PatientFactory(first_name="Omar", last_name="Haddad")
    assert api_receptionist.get("/api/v1/patients/", {"q": "%"}).json()["count"] == 0
    assert api_receptionist.get("/api/v1/patients/", {"q": "_"}).json()["count"] == 0


def test_viewing_a_patient_is_written_to_the_access_log(api_receptionist, receptionist):
    patient = PatientFactory()
    response = api_receptionist.get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200
    access = PatientAccess.objects.get()
    assert (access.patient, access.user, access.via, access.what) == (patient, receptionist, "api", "record")


def test_listing_patients_writes_a_row_of_the_access_log_per_patient_listed(api_receptionist):
    listed = PatientFactory.create_batch(3)
    api_receptionist.get("/api/v1/patients/")
    assert sorted(PatientAccess.objects.values_list("patient", "what", "via")) == [
        (p.pk, "list", "api") for p in listed
    ]


@pytest.mark.parametrize("path", ["/api/v1/patients/999999/", "/api/v1/patients/abc/",
                                  "/api/v1/patients/99999999999999999999999/", "/api/v1/screenings/0/"])
def test_unknown_ids_are_404(api_receptionist, path):
    response = api_receptionist.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_patch_changes_one_field_and_leaves_consent_alone(api_receptionist):
    patient = PatientFactory(reminder_opt_in=True)
    response = api_receptionist.patch(f"/api/v1/patients/{patient.pk}/", {"language": "ar"}, format="json")
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.language == "ar" and patient.reminder_opt_in is True


def test_withdrawing_reminder_consent_is_recorded_with_its_author(api_receptionist, receptionist):
    patient = PatientFactory(reminder_opt_in=True)
    response = api_receptionist.patch(f"/api/v1/patients/{patient.pk}/", {"reminder_opt_in": False}, format="json")
    assert response.json()["reminder_opt_in"] is False
    consent = Consent.objects.get(patient=patient)
    assert (consent.given, consent.recorded_by) == (False, receptionist)


def test_a_bad_patch_changes_nothing(api_receptionist):
    patient = PatientFactory(first_name="Omar")
    response = api_receptionist.patch(f"/api/v1/patients/{patient.pk}/",
                                      {"first_name": "<b>x</b>", "reminder_opt_in": False}, format="json")
    assert response.status_code == 400
    patient.refresh_from_db()
    assert patient.first_name == "Omar" and not Consent.objects.exists()


def test_patients_cannot_be_deleted_through_the_api(api_admin):
    patient = PatientFactory()
    assert api_admin.delete(f"/api/v1/patients/{patient.pk}/").status_code == 405
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_a_screening_returns_its_hard_stops_and_warnings(api_receptionist, receptionist):
    patient = PatientFactory()
    answers = no_answers(pregnant_or_breastfeeding=True, platelet_disorder=True, nsaid_last_48h=True)
    response = api_receptionist.post(f"/api/v1/patients/{patient.pk}/screenings/", answers, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["hard_stops"] == ["pregnant_or_breastfeeding", "platelet_disorder"]
    assert body["warnings"] == ["nsaid_last_48h"]
    assert body["id"] and body["taken_at"].endswith(("Z", "+00:00"))
    assert body["overridden"] is False and body["override"] is None
    assert Screening.objects.get().taken_by == receptionist


def test_screenings_are_listed_newest_first(api_receptionist):
    patient = PatientFactory()
    older = api_receptionist.post(f"/api/v1/patients/{patient.pk}/screenings/", no_answers(), format="json").json()
    newer = api_receptionist.post(f"/api/v1/patients/{patient.pk}/screenings/",
                                  no_answers(active_cancer=True), format="json").json()
    listed = api_receptionist.get(f"/api/v1/patients/{patient.pk}/screenings/").json()
    assert [s["id"] for s in listed["results"]] == [newer["id"], older["id"]]
    assert listed["count"] == 2


@pytest.mark.parametrize("change", [
    {"active_cancer": None},
    {"active_cancer": "false"},
    {"active_cancer": 0},
    {"active_cancer": "yes"},
    {"not_a_question": True},
])
def test_a_screening_with_missing_or_non_boolean_answers_is_refused(api_receptionist, change):
    patient = PatientFactory()
    answers = {**no_answers(), **change}
    if change.get("active_cancer", "") is None:
        del answers["active_cancer"]
    response = api_receptionist.post(f"/api/v1/patients/{patient.pk}/screenings/", answers, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(change) & set(body["errors"])
    assert not Screening.objects.exists()


def test_an_empty_screening_names_every_question(api_receptionist):
    patient = PatientFactory()
    response = api_receptionist.post(f"/api/v1/patients/{patient.pk}/screenings/", {}, format="json")
    assert response.status_code == 400
    assert len(response.json()["errors"]) == 15


def test_a_doctor_overrides_a_screening_with_a_reason(api_doctor, doctor):
    screening = ScreeningFactory(pregnant_or_breastfeeding=True)
    response = api_doctor.post(f"/api/v1/screenings/{screening.pk}/override/",
                               {"reason": "Postpartum 14 months, not breastfeeding any more."}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["overridden"] is True
    assert body["override"]["reason"] == "Postpartum 14 months, not breastfeeding any more."
    assert body["override"]["doctor"] == doctor.pk
    assert body["hard_stops"] == ["pregnant_or_breastfeeding"]  # kept on record


def test_a_receptionist_cannot_override(api_receptionist):
    screening = ScreeningFactory(active_cancer=True)
    response = api_receptionist.post(f"/api/v1/screenings/{screening.pk}/override/", {"reason": "ok"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not ScreeningOverride.objects.exists()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   \n "}, {"reason": None}, {"reason": "x" * 2001},
                                  {"reason": ["a"]}, {"reason": "ok\u202e"}])
def test_an_override_without_a_proper_reason_is_refused(api_doctor, body):
    screening = ScreeningFactory(active_cancer=True)
    response = api_doctor.post(f"/api/v1/screenings/{screening.pk}/override/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reason" in response.json()["errors"]
    assert not ScreeningOverride.objects.exists()


def test_a_screening_is_overridden_once(api_doctor):
    screening = ScreeningFactory(active_cancer=True)
    url = f"/api/v1/screenings/{screening.pk}/override/"
    first = api_doctor.post(url, {"reason": "Cancer in remission, oncologist letter on file."}, format="json")
    assert first.status_code == 200
    again = api_doctor.post(url, {"reason": "again"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_overridden"


def test_a_clear_screening_has_nothing_to_override(api_doctor):
    screening = ScreeningFactory(nsaid_last_48h=True)
    response = api_doctor.post(f"/api/v1/screenings/{screening.pk}/override/", {"reason": "fine"}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "nothing_to_override"


def test_the_schema_documents_the_patient_endpoints(api_receptionist):
    response = api_receptionist.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/patients/{id}/screenings/" in paths
    assert "/api/v1/screenings/{id}/override/" in paths
