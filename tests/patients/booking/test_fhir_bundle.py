"""GET /api/v1/courses/{id}/fhir/: an HL7 FHIR R4 Bundle of the course. fhir.resources checks the
structure; these tests check what it does not: status codes against FHIR's value sets, offsets,
references resolving inside the bundle, and the CarePlan naming the protocol's PlanDefinition."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from fhir.resources.R4B.bundle import Bundle
from rest_framework.test import APIClient

from patients.booking.fhir import APPOINTMENT_STATUS, CARE_PLAN_STATUS
from patients.booking.services import course_book
from patients.models import Course, PatientAccess, Session
from patients.reminders.ics import session_uid
from tests.factories import LocationFactory, PatientFactory, PractitionerFactory, RoomFactory, ScreeningFactory
from tests.patients.booking.world import BOOKING_CLOCK, at, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]

# http://hl7.org/fhir/R4/valueset-appointmentstatus.html and valueset-request-status.html
FHIR_APPOINTMENT_STATUSES = {"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
                             "entered-in-error", "checked-in", "waitlist"}
FHIR_REQUEST_STATUSES = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def course(world) -> Course:
    course, _ = course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                            start=at("2027-03-01 10:00"), practitioner=world.doctors[0])
    return course


def bundle_of(client, course) -> dict:
    response = client.get(f"/api/v1/courses/{course.pk}/fhir/")
    assert response.status_code == 200, response.content
    return response.json()


def resources(bundle: dict, kind: str) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def references(value) -> list[str]:
    """Every Reference.reference anywhere in the JSON."""
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [ref for item in value.values() for ref in references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    return []


def test_the_bundle_is_a_valid_r4_collection_of_the_patient_a_care_plan_and_each_appointment(api_receptionist, course):
    bundle = bundle_of(api_receptionist, course)
    Bundle.model_validate(bundle)  # raises on any structural error
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds == ["Patient", "CarePlan", "Appointment", "Appointment", "Appointment"]
    patient = resources(bundle, "Patient")[0]
    assert patient["name"][0]["family"] == course.patient.last_name and patient["birthDate"] == "1985-04-12"
    assert patient["gender"] == "male"
    appointments = resources(bundle, "Appointment")
    assert [a["description"] for a in appointments] == ["Session 1 of 3", "Session 2 of 3", "Session 3 of 3"]
    # The same UID as the session's entry in the patient's emails and the practitioner's feed.
    sessions = list(course.sessions.order_by("number"))
    assert [a["identifier"][0]["value"] for a in appointments] == [session_uid(s.pk, "127.0.0.1") for s in sessions]


def test_the_content_type_is_fhir_json_whatever_the_client_accepts(api_receptionist, course):
    for accept in (None, "application/json", "application/fhir+json", "*/*"):
        headers = {"Accept": accept} if accept else {}
        response = api_receptionist.get(f"/api/v1/courses/{course.pk}/fhir/", headers=headers)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json"


def test_every_reference_resolves_inside_the_bundle(api_receptionist, course):
    bundle = bundle_of(api_receptionist, course)
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    assert len(full_urls) == len(bundle["entry"])
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
    found = references(bundle)
    assert len(found) == 1 + 3 + 3  # CarePlan.subject, its 3 activities, each appointment's patient
    base = bundle["entry"][0]["fullUrl"].rsplit("/Patient/", 1)[0]
    for reference in found:
        # A relative reference resolves against the base of the fullUrls (FHIR R4 Bundle, 2.36.4.1).
        assert "://" not in reference and f"{base}/{reference}" in full_urls, reference
    care_plan = resources(bundle, "CarePlan")[0]
    activities = [a["reference"]["reference"] for a in care_plan["activity"]]
    assert activities == [f"Appointment/{a['id']}" for a in resources(bundle, "Appointment")]


def test_the_care_plan_instantiates_the_protocols_plan_definition(api_receptionist, course):
    bundle = bundle_of(api_receptionist, course)
    plan_definition = api_receptionist.get(f"/api/v1/protocols/{course.protocol_id}/fhir/").json()
    care_plan = resources(bundle, "CarePlan")[0]
    assert care_plan["instantiatesCanonical"] == [plan_definition["url"]]
    assert care_plan["status"] == "active" and care_plan["intent"] == "plan"
    assert care_plan["subject"]["reference"] == f"Patient/{resources(bundle, 'Patient')[0]['id']}"


@pytest.mark.parametrize("status", list(Session.Status))
def test_every_session_status_maps_to_its_fhir_appointment_status(api_receptionist, course, status):
    expected = {"booked": "booked", "confirmed": "booked", "arrived": "arrived", "completed": "fulfilled",
                "cancelled": "cancelled", "no_show": "noshow"}[status]
    first = course.sessions.order_by("number").first()
    Session.objects.filter(pk=first.pk).update(status=status)
    appointment = resources(bundle_of(api_receptionist, course), "Appointment")[0]
    assert appointment["status"] == expected


def test_the_status_maps_cover_every_status_with_codes_of_fhirs_value_sets():
    assert set(APPOINTMENT_STATUS) == set(Session.Status)
    assert set(APPOINTMENT_STATUS.values()) <= FHIR_APPOINTMENT_STATUSES
    assert set(CARE_PLAN_STATUS) == set(Course.Status) and set(CARE_PLAN_STATUS.values()) <= FHIR_REQUEST_STATUSES


@pytest.mark.parametrize(("status", "expected"), [("completed", "completed"), ("cancelled", "revoked")])
def test_a_finished_course_is_a_completed_or_revoked_care_plan(api_receptionist, course, status, expected):
    Course.objects.filter(pk=course.pk).update(status=status)
    assert resources(bundle_of(api_receptionist, course), "CarePlan")[0]["status"] == expected


def test_start_and_end_carry_the_locations_offset(api_receptionist, course):
    appointments = resources(bundle_of(api_receptionist, course), "Appointment")
    sessions = list(course.sessions.order_by("number"))
    for appointment, session in zip(appointments, sessions, strict=True):
        start, end = datetime.fromisoformat(appointment["start"]), datetime.fromisoformat(appointment["end"])
        # Turkey is on UTC+3 all year.
        assert start.utcoffset() == end.utcoffset() == timedelta(hours=3)
        assert start == session.start and end == session.end
        assert appointment["start"].endswith("+03:00") and appointment["minutesDuration"] == 30
    assert appointments[0]["start"] == "2027-03-01T10:00:00+03:00"


def test_offsets_follow_dst_at_a_london_clinic(api_receptionist, world):
    london = LocationFactory(name="Anagen London", timezone="Europe/London", country="GB")
    doctor = PractitionerFactory(location=london)
    RoomFactory(location=london)
    patient = PatientFactory(timezone="Europe/London")
    ScreeningFactory(patient=patient)
    course, _ = course_book(patient=patient, protocol=world.protocol, location=london,
                            start=at("2027-03-02 10:00", ZoneInfo("Europe/London")), practitioner=doctor)
    starts = [a["start"] for a in resources(bundle_of(api_receptionist, course), "Appointment")]
    # GMT's zero offset is written Z (FHIR's instant allows either); BST from 28 March 2027.
    assert starts == ["2027-03-02T10:00:00Z", "2027-03-30T10:00:00+01:00", "2027-04-27T10:00:00+01:00"]


def test_reading_the_bundle_is_in_the_access_log(api_doctor, course):
    bundle_of(api_doctor, course)
    access = PatientAccess.objects.get(patient=course.patient)
    assert access.what == PatientAccess.What.COURSE and access.via == PatientAccess.Via.API
    assert access.path == f"/api/v1/courses/{course.pk}/fhir/"


def test_unknown_courses_are_a_404_and_nothing_is_logged(api_receptionist, course):
    for pk in ("999999", "abc", "٣"):
        response = api_receptionist.get(f"/api/v1/courses/{pk}/fhir/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not PatientAccess.objects.exists()


def test_staff_without_a_role_get_403_and_anonymous_401(api_anonymous, course):
    nobody = get_user_model().objects.create_user("norole", "norole@clinic.test", "a-long-password-2")
    client = APIClient()
    client.force_authenticate(nobody)
    response = client.get(f"/api/v1/courses/{course.pk}/fhir/")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert api_anonymous.get(f"/api/v1/courses/{course.pk}/fhir/").status_code == 401
    assert not PatientAccess.objects.exists()
