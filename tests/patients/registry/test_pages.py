"""Staff pages: list and search, detail, registration with the duplicate check, screening, override,
consent, access log."""

import pytest
from django.test import Client

from patients.models import Consent, Patient, PatientAccess, Screening, ScreeningOverride
from tests.factories import PatientFactory, ScreeningFactory, no_answers
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Omar", "last_name": "Haddad", "date_of_birth": "1979-11-02", "sex": "male",
    "email": "omar@example.ae", "phone": "+971 50 123 4567", "language": "ar", "timezone": "Asia/Dubai",
    "reminder_opt_in": "on", "notes": "",
}


def test_the_list_pages_by_25_and_searches(desk):
    PatientFactory.create_batch(30)
    PatientFactory(first_name="Zeynep", last_name="Kaya", email="zk@example.com")
    response = desk.get("/patients/")
    assert response.status_code == 200
    assert len(response.context["patients"]) == 25
    assert response.context["page_obj"].paginator.count == 31
    found = desk.get("/patients/", {"q": "zeynep"})
    assert [p.last_name for p in found.context["patients"]] == ["Kaya"]


def test_search_as_you_type_returns_only_the_table(desk):
    PatientFactory(first_name="Zeynep", last_name="Kaya")
    response = desk.get("/patients/", {"q": "kay"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Kaya, Zeynep" in html
    assert "<html" not in html


def test_the_list_shows_an_empty_state(desk):
    assert "No patients yet" in desk.get("/patients/").content.decode()
    assert "No patient matches" in desk.get("/patients/", {"q": "nobody"}).content.decode()


def test_an_out_of_range_page_shows_the_last_page(desk):
    PatientFactory.create_batch(3)
    assert desk.get("/patients/", {"page": "99"}).status_code == 200
    assert desk.get("/patients/", {"page": "abc"}).status_code == 200


def test_list_query_count_does_not_grow_with_patients(desk, django_assert_max_num_queries):
    PatientFactory.create_batch(5)
    # 10: one of them the access log's INSERT, one reads the clinic's country (phone numbers in its
    # national format); neither grows with the number of patients listed.
    with django_assert_max_num_queries(10) as few:
        desk.get("/patients/", {"q": "a"})
    PatientFactory.create_batch(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        desk.get("/patients/", {"q": "a"})


def test_a_receptionist_registers_a_patient_through_the_form(desk, receptionist):
    response = desk.post("/patients/new/", FORM)
    patient = Patient.objects.get()
    assert response.status_code == 302 and response.url == f"/patients/{patient.pk}/"
    assert str(patient.phone) == "+971501234567"
    assert Consent.objects.get(patient=patient).recorded_by == receptionist


def test_the_form_shows_each_error_by_its_field_and_saves_nothing(desk):
    response = desk.post("/patients/new/", {**FORM, "first_name": "<script>x</script>", "email": "nope",
                                            "phone": "123", "timezone": "Mars/Base", "date_of_birth": "2999-01-01"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"first_name", "email", "phone", "timezone", "date_of_birth"}
    assert "&lt;script&gt;" not in response.content.decode().split("<form")[0]
    assert not Patient.objects.exists()


def test_a_likely_duplicate_is_shown_before_saving(desk):
    existing = PatientFactory(email="omar@example.ae")
    response = desk.post("/patients/new/", FORM)
    assert response.status_code == 200
    assert list(response.context["duplicates"]) == [existing]
    assert f"/patients/{existing.pk}/" in response.content.decode()
    assert Patient.objects.count() == 1
    # Ticking "different person" registers them.
    confirmed = desk.post("/patients/new/", {**FORM, "confirm_not_duplicate_shown": "1",
                                             "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_the_detail_page_shows_contact_consent_screening_and_later_sections(desk, receptionist):
    patient = PatientFactory()
    ScreeningFactory(patient=patient, pregnant_or_breastfeeding=True, liver_disease=True)
    response = desk.get(f"/patients/{patient.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Booking blocked" in html
    assert "text-bg-danger" in html and "text-bg-warning" in html
    for section in ("Courses", "Sessions", "Reminders", "Consent", "Contact"):
        assert f">{section}</h2>" in html
    assert PatientAccess.objects.get().user == receptionist


def test_a_clear_screening_is_green(desk):
    patient = PatientFactory()
    ScreeningFactory(patient=patient)
    assert "text-bg-success" in desk.get(f"/patients/{patient.pk}/").content.decode()


def test_html_in_names_and_notes_renders_as_text(desk):
    patient = PatientFactory()
    Patient.objects.filter(pk=patient.pk).update(first_name="<b>Bold</b>", notes="<script>alert(1)</script>")
    html = desk.get(f"/patients/{patient.pk}/").content.decode()
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html
    listing = desk.get("/patients/").content.decode()
    assert "<b>Bold</b>" not in listing


def test_detail_query_count_does_not_grow_with_history(desk, django_assert_max_num_queries):
    patient = PatientFactory()
    ScreeningFactory(patient=patient, active_cancer=True)
    # The page reads its sections (record, screenings, courses, sessions, treatment history,
    # consents, serious events, reminders) once each: a bound, then no growth with the history.
    with django_assert_max_num_queries(25) as few:
        desk.get(f"/patients/{patient.pk}/")
    for _ in range(10):
        ScreeningFactory(patient=patient, nsaid_last_48h=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        desk.get(f"/patients/{patient.pk}/")


def test_an_unknown_patient_is_404(desk):
    assert desk.get("/patients/999999/").status_code == 404


def test_editing_a_patient_logs_the_view_and_saves(desk):
    patient = PatientFactory(language="tr")
    assert desk.get(f"/patients/{patient.pk}/edit/").status_code == 200
    assert PatientAccess.objects.filter(patient=patient).count() == 1
    data = {**FORM, "email": patient.email, "phone": str(patient.phone), "language": "de"}
    response = desk.post(f"/patients/{patient.pk}/edit/", data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.language == "de" and patient.first_name == "Omar"


def test_withdrawing_reminder_consent_is_one_click(desk, receptionist):
    patient = PatientFactory(reminder_opt_in=True)
    response = desk.post(f"/patients/{patient.pk}/consent/", {"kind": "reminder_emails", "given": "no"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.reminder_opt_in is False
    assert Consent.objects.get(patient=patient).recorded_by == receptionist


def test_a_garbled_consent_change_changes_nothing(desk):
    patient = PatientFactory(reminder_opt_in=True)
    desk.post(f"/patients/{patient.pk}/consent/", {"kind": "everything", "given": "maybe"})
    patient.refresh_from_db()
    assert patient.reminder_opt_in and not Consent.objects.exists()


def test_the_screening_form_records_answers(desk):
    patient = PatientFactory(sex="female")
    answers = {k: "yes" if k == "pregnant_or_breastfeeding" else "no" for k in no_answers()}
    response = desk.post(f"/patients/{patient.pk}/screenings/new/", answers)
    assert response.status_code == 302
    assert Screening.objects.get().hard_stops == ["pregnant_or_breastfeeding"]


def test_an_unanswered_question_is_flagged_and_nothing_saved(desk):
    patient = PatientFactory()
    answers = {k: "no" for k in no_answers()}
    del answers["active_cancer"]
    response = desk.post(f"/patients/{patient.pk}/screenings/new/", answers)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["active_cancer"]
    assert not Screening.objects.exists()


def test_the_screening_form_groups_its_questions(desk):
    html = desk.get(f"/patients/{PatientFactory(sex='female').pk}/screenings/new/").content.decode()
    assert "Blocks booking" in html and "Needs a clinician" in html
    assert html.index("Pregnant or breastfeeding") < html.index("Needs a clinician") < html.index("Autoimmune")


def test_a_doctor_overrides_through_the_page(doctor):
    screening = ScreeningFactory(pregnant_or_breastfeeding=True)
    client = client_for(doctor)
    assert client.get(f"/patients/screenings/{screening.pk}/override/").status_code == 200
    blank = client.post(f"/patients/screenings/{screening.pk}/override/", {"reason": "   "})
    assert blank.status_code == 200 and "reason" in blank.context["form"].errors
    response = client.post(f"/patients/screenings/{screening.pk}/override/",
                           {"reason": "Stopped breastfeeding.", "scope": "all"})
    assert response.status_code == 302
    assert ScreeningOverride.objects.get().doctor == doctor


def test_a_receptionist_cannot_open_the_override_page(desk):
    screening = ScreeningFactory(pregnant_or_breastfeeding=True)
    assert desk.get(f"/patients/screenings/{screening.pk}/override/").status_code == 403
    assert desk.post(f"/patients/screenings/{screening.pk}/override/", {"reason": "x"}).status_code == 403
    assert not ScreeningOverride.objects.exists()


def test_the_access_log_is_for_admins(desk, admin_user, receptionist):
    patient = PatientFactory()
    desk.get(f"/patients/{patient.pk}/")
    assert desk.get(f"/patients/{patient.pk}/access-log/").status_code == 403
    response = client_for(admin_user).get(f"/patients/{patient.pk}/access-log/")
    assert response.status_code == 200
    assert [a.user for a in response.context["accesses"]] == [receptionist]


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/patients/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_home_page_has_the_patient_tile_and_nav(desk):
    html = desk.get("/").content.decode()
    assert "Register a patient" in html and 'href="/patients/"' in html
