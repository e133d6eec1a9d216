"""The portal API, rule by rule (api-contract.md, "The patient's own page")."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from patients.booking.chase import courses_to_chase
from patients.models import PortalAccess, Reminder, Screening
from patients.portal.tokens import portal_token
from patients.screening.selectors import screening_latest_valid
from tests.factories import no_answers
from tests.patients.booking.world import build_world
from tests.patients.consent.world import active
from tests.patients.portal.world import BOOKING_CLOCK, at, book, portal_client

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]


def reschedule(client, session, start):
    return client.post(f"/api/v1/portal/sessions/{session.pk}/reschedule/", {"start": start}, format="json")


# --- links -------------------------------------------------------------------------------------


def test_the_desk_makes_a_link_valid_thirty_days(api_receptionist):
    booked = book()
    response = api_receptionist.post(f"/api/v1/patients/{booked.world.patient.pk}/portal-link/")
    assert response.status_code == 201, response.content
    assert "/portal/" in response.json()["url"]
    expires = response.json()["expires_at"]
    assert expires.startswith((timezone.now() + timedelta(days=30)).date().isoformat())


def test_a_portal_link_needs_staff(api_anonymous):
    booked = book()
    assert api_anonymous.post(f"/api/v1/patients/{booked.world.patient.pk}/portal-link/").status_code == 401
    assert portal_client(booked.world.patient).post(
        f"/api/v1/patients/{booked.world.patient.pk}/portal-link/").status_code == 401


def test_an_unknown_patient_gets_404(api_receptionist):
    assert api_receptionist.post("/api/v1/patients/999999/portal-link/").status_code == 404
    assert api_receptionist.post("/api/v1/patients/١/portal-link/").status_code == 404


def test_me_lists_courses_with_times_in_both_zones_and_pending_forms():
    booked = book()
    patient = booked.world.patient
    patient.timezone = "Europe/London"
    patient.save()
    body = portal_client(patient).get("/api/v1/portal/me/").json()
    assert body["first_name"] == patient.first_name and body["language"] == patient.language
    sessions = body["courses"][0]["sessions"]
    assert [s["number"] for s in sessions] == [1, 2, 3]
    assert sessions[0]["start"] == "2027-03-01T10:00:00+03:00"
    assert sessions[0]["start_patient"] == "2027-03-01T07:00:00+00:00"
    assert sessions[0]["can_change"] is True
    assert sessions[0]["instructions"].startswith("Come with clean, dry hair")
    assert sessions[1]["instructions"] == ""  # only the next visit's preparation
    assert body["pending_forms"] == {"screening": False, "consents": []}


def test_a_tampered_token_gets_401_and_no_data():
    booked = book()
    token = portal_token(booked.world.patient)
    client = portal_client(booked.world.patient)
    client.credentials(HTTP_AUTHORIZATION=f"Portal {token[:-2]}xx")
    response = client.get("/api/v1/portal/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "portal_link_invalid"
    assert "courses" not in response.json()


def test_a_token_expires_after_thirty_days():
    booked = book()
    client = portal_client(booked.world.patient)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = client.get("/api/v1/portal/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "portal_link_expired"


def test_revoking_ends_every_earlier_link_and_a_new_one_works(api_receptionist):
    booked = book()
    patient = booked.world.patient
    old = portal_client(patient)
    response = api_receptionist.post(f"/api/v1/patients/{patient.pk}/portal-link/revoke/")
    assert response.status_code == 200
    assert PortalAccess.objects.get(patient=patient).epoch == 1
    refused = old.get("/api/v1/portal/me/")
    assert refused.status_code == 401 and refused.json()["code"] == "portal_link_revoked"
    assert portal_client(patient).get("/api/v1/portal/me/").status_code == 200


def test_another_patients_session_is_404_everywhere():
    booked = book()
    other = booked.world.new_patient(email="omar@example.test")
    theirs = book(booked.world, patient=other, start="2027-03-02 10:00").session(2)
    client = portal_client(booked.world.patient)
    assert client.get(f"/api/v1/portal/sessions/{theirs.pk}/slots/").status_code == 404
    assert reschedule(client, theirs, "2027-03-23T10:00:00+03:00").status_code == 404
    response = client.post(f"/api/v1/portal/sessions/{theirs.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/portal/sessions/abc/slots/").status_code == 404
    start = theirs.start
    theirs.refresh_from_db()
    assert theirs.status == "booked" and theirs.start == start


def test_staff_endpoints_refuse_a_portal_token():
    booked = book()
    assert portal_client(booked.world.patient).get("/api/v1/sessions/").status_code == 401


# --- slots and moves -----------------------------------------------------------------------------


def test_slots_lie_inside_the_window_and_past_the_notice():
    booked = book()
    session = booked.session(2)
    body = portal_client(booked.world.patient).get(f"/api/v1/portal/sessions/{session.pk}/slots/").json()
    assert body["window_earliest"] == "2027-03-22" and body["window_latest"] == "2027-03-31"
    assert body["slots"]
    for slot in body["slots"]:
        assert "2027-03-22" <= slot["start"][:10] <= "2027-03-31"
    one_day = portal_client(booked.world.patient).get(
        f"/api/v1/portal/sessions/{session.pk}/slots/?date=2027-03-23").json()["slots"]
    assert one_day and all(slot["start"].startswith("2027-03-23") for slot in one_day)
    outside = portal_client(booked.world.patient).get(
        f"/api/v1/portal/sessions/{session.pk}/slots/?date=2027-04-20").json()["slots"]
    assert outside == []
    bad = portal_client(booked.world.patient).get(f"/api/v1/portal/sessions/{session.pk}/slots/?date=soon")
    assert bad.status_code == 400


def test_moving_session_two_early_refits_session_three_and_records_the_patient():
    from django.apps import apps

    SessionEvent = apps.get_model("patients", "SessionEvent")
    booked = book()
    two, three = booked.session(2), booked.session(3)
    response = reschedule(portal_client(booked.world.patient), two, "2027-03-22T11:00:00+03:00")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["session"]["start"] == "2027-03-22T08:00:00Z"
    assert [s["number"] for s in body["moved"]] == [3]
    three.refresh_from_db()
    assert three.window_earliest <= three.start.date() <= three.window_latest
    change = Reminder.objects.get(course=booked.course, kind="change")
    assert sorted(pair[0] for pair in change.payload["sessions"]) == sorted([two.pk, three.pk])
    moved = SessionEvent.objects.filter(pgh_obj_id=two.pk, pgh_label="update").order_by("-pgh_id").first()
    assert moved.pgh_context.metadata["by"] == "patient"
    assert moved.pgh_context.metadata["patient"] == booked.world.patient.pk


def test_replaying_a_move_changes_nothing_twice():
    booked = book()
    two = booked.session(2)
    client = portal_client(booked.world.patient)
    assert reschedule(client, two, "2027-03-23T11:00:00+03:00").status_code == 200
    two.refresh_from_db()
    sequence = two.sequence
    again = reschedule(client, two, "2027-03-23T11:00:00+03:00")
    assert again.status_code == 200 and again.json()["moved"] == []
    two.refresh_from_db()
    assert two.sequence == sequence
    assert Reminder.objects.filter(course=booked.course, kind="change").count() == 1


def test_a_move_outside_the_window_is_422_window_violation():
    booked = book()
    response = reschedule(portal_client(booked.world.patient), booked.session(2), "2027-04-06T10:00:00+03:00")
    assert response.status_code == 422
    assert response.json()["code"] == "window_violation"
    assert booked.session(2).start == at("2027-03-29 10:00")


def test_a_session_inside_the_notice_is_422_too_late_to_change():
    booked = book()
    one = booked.session(1)
    client = portal_client(booked.world.patient)
    with time_machine.travel(at("2027-02-28 12:00")):
        response = reschedule(client, one, "2027-03-01T14:00:00+03:00")
        assert response.status_code == 422 and response.json()["code"] == "too_late_to_change"
        cancel = client.post(f"/api/v1/portal/sessions/{one.pk}/cancel/", {"reason": "ill"}, format="json")
        assert cancel.status_code == 422 and cancel.json()["code"] == "too_late_to_change"
        slots = client.get(f"/api/v1/portal/sessions/{one.pk}/slots/").json()
        assert slots["change_refusal"] == "too_late_to_change" and slots["slots"] == []


def test_a_new_time_inside_the_notice_is_422_and_the_notice_is_per_location():
    booked = book()
    two = booked.session(2)
    with time_machine.travel(at("2027-03-23 09:00")):
        client = portal_client(booked.world.patient)
        response = reschedule(client, two, "2027-03-23T15:00:00+03:00")
        assert response.status_code == 422 and response.json()["code"] == "too_late_to_change"
        slots = client.get(f"/api/v1/portal/sessions/{two.pk}/slots/?date=2027-03-24").json()["slots"]
        assert slots and min(slot["start"] for slot in slots) >= "2027-03-24T06:00"
        booked.world.location.change_notice_hours = 72
        booked.world.location.save()
        slots = client.get(f"/api/v1/portal/sessions/{two.pk}/slots/?date=2027-03-24").json()["slots"]
        assert slots == []


def test_a_time_just_taken_is_409_with_fresh_times():
    booked = book()
    world = booked.world
    # Both doctors and both rooms taken at 11:00 on 23 March by other patients.
    for minute, doctor in zip(("11:00", "11:00"), world.doctors, strict=True):
        from patients.booking import services as booking

        other = world.new_patient()
        booking.course_book(patient=other, protocol=world.protocol, location=world.location,
                            start=at(f"2027-03-23 {minute}"), practitioner=doctor)
    response = reschedule(portal_client(world.patient), booked.session(2), "2027-03-23T11:00:00+03:00")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "slot_conflict"
    assert body["slots"] and "2027-03-23T11:00:00+03:00" not in [s["start"] for s in body["slots"]]


def test_a_malformed_start_is_400():
    booked = book()
    response = reschedule(portal_client(booked.world.patient), booked.session(2), "next tuesday")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = reschedule(portal_client(booked.world.patient), booked.session(2), "9999-12-31T23:00:00")
    assert response.status_code in (400, 422)


def test_cancelling_puts_the_course_on_to_chase():
    booked = book()
    two = booked.session(2)
    client = portal_client(booked.world.patient)
    empty = client.post(f"/api/v1/portal/sessions/{two.pk}/cancel/", {"reason": " "}, format="json")
    assert empty.status_code == 400
    response = client.post(f"/api/v1/portal/sessions/{two.pk}/cancel/", {"reason": "Travelling"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    chased = [c for c in courses_to_chase(now=timezone.now()) if c.course.pk == booked.course.pk]
    assert chased and chased[0].number == 2 and chased[0].reason == "cancelled"
    again = client.post(f"/api/v1/portal/sessions/{two.pk}/cancel/", {"reason": "Travelling"}, format="json")
    assert again.status_code == 409


# --- link requests --------------------------------------------------------------------------------


@pytest.fixture
def eager_celery():
    from clinic.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_link_request_answers_202_known_or_not_and_mails_only_a_patient(smtp, eager_celery,
                                                                        django_capture_on_commit_callbacks):
    booked = book()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = APIClient().post("/api/v1/portal/links/", {"email": "nobody@example.test"}, format="json")
        known = APIClient().post(
            "/api/v1/portal/links/", {"email": " AYSE@example.test "}, format="json")
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"].addresses[0].addr_spec == booked.world.patient.email
    assert "https://clinic.example.com/portal/" in message.get_body(("plain",)).get_content()


def test_at_most_five_links_a_day_per_address(smtp, eager_celery, django_capture_on_commit_callbacks):
    book()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [APIClient().post("/api/v1/portal/links/", {"email": "ayse@example.test"}, format="json",
                                    REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(7)]
    assert answers == [202] * 7
    assert len(smtp.messages) == 5
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)), \
            django_capture_on_commit_callbacks(execute=True):
        APIClient().post("/api/v1/portal/links/", {"email": "ayse@example.test"}, format="json")
    assert len(smtp.messages) == 6


def test_brute_force_of_link_requests_is_limited_per_client(settings):
    settings.PORTAL_LINK_REQUESTS_PER_IP_HOUR = 3
    client = APIClient()
    answers = [client.post("/api/v1/portal/links/", {"email": f"guess{n}@example.test"}, format="json").status_code
               for n in range(5)]
    assert answers == [202, 202, 202, 429, 429]
    assert client.post("/api/v1/portal/links/", {"email": "not an address"}, format="json").status_code == 400


# --- screening and consent at home -----------------------------------------------------------------


def test_a_screening_filled_at_home_is_reported_by_the_patient_and_counts_for_booking():
    booked = book()
    patient = booked.world.patient
    response = portal_client(patient).post("/api/v1/portal/screenings/", no_answers(active_cancer=True,
                                                                                     nsaid_last_48h=True),
                                           format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reported_by"] == "patient" and body["taken_by"] is None
    assert body["hard_stops"] == ["active_cancer"] and body["warnings"] == ["nsaid_last_48h"]
    assert screening_latest_valid(patient, timezone.now()).pk == body["id"]
    partial = portal_client(patient).post("/api/v1/portal/screenings/", {"active_cancer": False}, format="json")
    assert partial.status_code == 400
    assert Screening.objects.filter(patient=patient, reported_by="patient").count() == 1


def test_a_screening_too_old_for_the_first_visit_is_a_pending_form():
    booked = book(build_world(gap=(21, 28, 30), screened_at=timezone.now() - timedelta(days=10)))
    patient = booked.world.patient
    assert portal_client(patient).get("/api/v1/portal/me/").json()["pending_forms"]["screening"] is True


def test_a_consent_signed_on_the_phone_is_the_desks_signature_record():
    document = active("CONSENT-HOME")
    booked = book()
    client = portal_client(booked.world.patient)
    pending = client.get("/api/v1/portal/me/").json()["pending_forms"]["consents"]
    assert [c["code"] for c in pending] == ["CONSENT-HOME"]
    refused = client.post(f"/api/v1/portal/consents/{document.pk}/sign/", {"signed_name": "Ayşe"}, format="json")
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
    unknown = client.post(f"/api/v1/portal/consents/{document.pk}/sign/",
                          {"signed_name": "Ayşe Yılmaz", "agree": True, "language": "xx"}, format="json")
    assert unknown.status_code == 400 and "language" in unknown.json()["errors"]
    response = client.post(f"/api/v1/portal/consents/{document.pk}/sign/",
                           {"signed_name": "Ayşe Yılmaz", "agree": True, "language": "tr"}, format="json",
                           HTTP_USER_AGENT="Phone/2.0", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signed_name"] == "Ayşe Yılmaz" and body["ip"] == "203.0.113.9"
    assert body["user_agent"] == "Phone/2.0" and len(body["sha256"]) == 64 and body["recorded_by"] is None
    assert client.get("/api/v1/portal/me/").json()["pending_forms"]["consents"] == []
    assert client.post("/api/v1/portal/consents/999999/sign/", {}, format="json").status_code == 404


def test_the_portal_api_without_a_token_or_with_a_staff_login_is_refused(api_receptionist):
    booked = book()
    two = booked.session(2)
    assert APIClient().get("/api/v1/portal/me/").status_code == 401
    assert api_receptionist.get("/api/v1/portal/me/").status_code == 401
    assert api_receptionist.post(f"/api/v1/portal/sessions/{two.pk}/cancel/", {"reason": "x"},
                                 format="json").status_code == 401
