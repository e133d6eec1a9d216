"""Which protocols a screening blocks, said everywhere in words; overrides scoped to protocols;
the doctors' review queue; the investigational acknowledgement warned at booking."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from patients.models import ScreeningOverride
from tests.factories import PatientFactory, ProtocolFactory, ScreeningFactory
from tests.factories.protocols import session_rows
from tests.helpers import client_for
from tests.patients.booking.world import at, build_world, course_body

pytestmark = pytest.mark.django_db

# Bookings in these tests are for March 2027; the clock stands a month before.
BEFORE = at("2027-02-01 09:00")


@pytest.fixture(autouse=True)
def clock():
    # Autouse: the clock moves before any client logs in (a session idle since "now" would expire).
    with time_machine.travel(BEFORE, tick=False):
        yield


@pytest.fixture
def world(clock):
    """A plain exosome protocol (booked by default) beside an active PRP protocol, PRP-AGA."""
    world = build_world(code="EXO-PLAIN")
    world.prp = ProtocolFactory(code="PRP-AGA", status="active",
                                sessions=session_rows(3, visit_adjuncts=["harvest_blood", "prp"]))
    return world


def anticoagulated(world):
    return ScreeningFactory(patient=world.patient, strong_anticoagulant=True, taken_at=timezone.now())


def test_the_patient_page_says_a_prp_hard_stop_blocks_only_the_prp_protocols(desk, world):
    anticoagulated(world)
    page = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Blocks protocols with PRP: PRP-AGA." in page
    assert "Booking blocked for 1 of 2 protocols" in page
    assert "Booking blocked for every protocol" not in page
    assert "strong_anticoagulant" not in page and "Strong anticoagulant" in page


def test_the_patient_page_says_an_unconditional_hard_stop_blocks_every_protocol(desk, world):
    ScreeningFactory(patient=world.patient, active_cancer=True, taken_at=timezone.now())
    page = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Booking blocked for every protocol" in page and "Active cancer</strong>: Blocks every protocol." in page


def test_preview_and_booking_warn_while_the_investigational_note_is_not_acknowledged(api_receptionist, world):
    assert not world.patient.investigational_ack
    preview = api_receptionist.post("/api/v1/courses/preview/", course_body(world, "2027-03-01T10:00"),
                                    format="json")
    assert preview.status_code == 200 and "investigational_not_acknowledged" in preview.json()["warnings"]
    booked = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00"), format="json")
    assert booked.status_code == 201 and "investigational_not_acknowledged" in booked.json()["warnings"]


def test_no_investigational_warning_once_acknowledged_and_screening_warnings_come_by_code(api_receptionist, world):
    world.patient.investigational_ack = True
    world.patient.save()
    ScreeningFactory(patient=world.patient, nsaid_last_48h=True, taken_at=timezone.now())
    warnings = api_receptionist.post("/api/v1/courses/preview/", course_body(world, "2027-03-01T10:00"),
                                     format="json").json()["warnings"]
    assert "investigational_not_acknowledged" not in warnings and "nsaid_last_48h" in warnings


def test_the_booking_page_shows_the_warnings_as_labels(desk, world):
    ScreeningFactory(patient=world.patient, nsaid_last_48h=True, taken_at=timezone.now())
    data = {"patient": world.patient.pk, "location": world.location.pk, "protocol": world.protocol.pk,
            "practitioner": "", "start_date": "2027-03-01", "start_time": "10:00", "surgery_date": "",
            "action": "preview"}
    page = desk.post("/booking/new/", data).content.decode()
    assert "has not acknowledged that exosome therapy is investigational" in page
    assert "NSAIDs in 48 h" in page
    assert ">investigational_not_acknowledged<" not in page and "nsaid_last_48h" not in page


def test_a_scoped_override_opens_only_the_protocols_it_names(api_doctor, api_receptionist, world):
    screening = anticoagulated(world)
    response = api_doctor.post(f"/api/v1/screenings/{screening.pk}/override/",
                               {"reason": "No PRP: exosomes only.", "protocols": ["EXO-PLAIN"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["override"]["protocols"] == ["EXO-PLAIN"]
    assert ScreeningOverride.objects.get(screening=screening).protocols == ["EXO-PLAIN"]
    refused = api_receptionist.post("/api/v1/courses/", {**course_body(world, "2027-03-01T10:00"),
                                                         "protocol": world.prp.pk}, format="json")
    assert refused.status_code == 422 and refused.json()["code"] == "screening_blocked"
    assert refused.json()["hard_stops"] == ["strong_anticoagulant"]
    booked = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00"), format="json")
    assert booked.status_code == 201, booked.json()


def test_an_override_without_a_scope_opens_every_protocol(api_doctor, api_receptionist, world):
    screening = anticoagulated(world)
    assert api_doctor.post(f"/api/v1/screenings/{screening.pk}/override/", {"reason": "Stopped warfarin."},
                           format="json").status_code == 200
    booked = api_receptionist.post("/api/v1/courses/", {**course_body(world, "2027-03-01T10:00"),
                                                        "protocol": world.prp.pk}, format="json")
    assert booked.status_code == 201, booked.json()


@pytest.mark.parametrize(("protocols", "message"), [
    ([], "may not be empty"), (["NO-SUCH"], "No protocol has the code NO-SUCH"), ("EXO-PLAIN", "list"),
])
def test_a_bad_override_scope_is_400_by_the_field(api_doctor, world, protocols, message):
    screening = anticoagulated(world)
    response = api_doctor.post(f"/api/v1/screenings/{screening.pk}/override/",
                               {"reason": "Reviewed.", "protocols": protocols}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert message in str(response.json()["errors"]["protocols"])
    assert not ScreeningOverride.objects.exists()


def test_the_review_queue_lists_hard_stops_without_override_oldest_first(api_doctor, clock):
    old = ScreeningFactory(active_cancer=True, taken_at=timezone.now() - timedelta(days=3))
    new = ScreeningFactory(strong_anticoagulant=True, taken_at=timezone.now() - timedelta(days=1))
    ScreeningFactory(nsaid_last_48h=True)  # a warning only
    overridden = ScreeningFactory(active_cancer=True, taken_at=timezone.now() - timedelta(days=5))
    ScreeningOverride.objects.create(screening=overridden, reason="In remission.", doctor=old.taken_by)
    queue = api_doctor.get("/api/v1/screenings/?needs_review=true").json()
    assert [s["id"] for s in queue["results"]] == [old.pk, new.pk]
    rest = api_doctor.get("/api/v1/screenings/?needs_review=false").json()
    assert {s["id"] for s in rest["results"]} == {s.pk for s in ScreeningFactory._meta.model.objects.all()} - {
        old.pk, new.pk}
    bad = api_doctor.get("/api/v1/screenings/?needs_review=perhaps")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_ask_a_doctor_puts_the_screening_in_the_doctors_queue_with_who_asked(desk, receptionist, doctor, world):
    from patients.models import ScreeningReviewRequest

    screening = anticoagulated(world)
    page = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Ask a doctor to review" in page
    response = desk.post(f"/patients/screenings/{screening.pk}/ask-a-doctor/")
    assert response.status_code == 302
    request = ScreeningReviewRequest.objects.get(screening=screening)
    assert request.asked_by == receptionist and request.asked_at == timezone.now()
    page = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "In the doctors' review queue: asked by Receptionist" in page and "Ask a doctor to review" not in page
    home = client_for(doctor).get("/").content.decode()
    assert 'data-testid="review-queue"' in home and world.patient.last_name in home
    assert "Strong anticoagulant" in home and "Receptionist, 1 Feb 2027" in home
    assert 'data-testid="review-queue"' not in desk.get("/").content.decode()


def test_the_override_page_scopes_the_override_to_the_ticked_protocols(doctor, world):
    screening = anticoagulated(world)
    client = client_for(doctor)
    page = client.get(f"/patients/screenings/{screening.pk}/override/").content.decode()
    assert "PRP-AGA" in page and "Blocks protocols with PRP: PRP-AGA" in page
    refused = client.post(f"/patients/screenings/{screening.pk}/override/", {"reason": "No PRP.", "scope": "some"})
    assert refused.status_code == 200 and "Tick the protocols the override opens" in refused.content.decode()
    client.post(f"/patients/screenings/{screening.pk}/override/",
                {"reason": "No PRP.", "scope": "some", "protocols": ["PRP-AGA"]})
    assert ScreeningOverride.objects.get(screening=screening).protocols == ["PRP-AGA"]


def test_the_one_rule_is_asked_for_each_protocol(world):
    from patients.screening.selectors import screening_verdict

    screening = anticoagulated(world)
    verdict = screening_verdict(screening)
    assert [p.code for p in verdict.blocked] == ["PRP-AGA"] and [p.code for p in verdict.open] == ["EXO-PLAIN"]
    other = PatientFactory()
    assert screening_verdict(ScreeningFactory(patient=other)).blocked == []


def test_the_desk_asks_a_doctor_through_the_api_too(api_receptionist, receptionist, world):
    screening = anticoagulated(world)
    response = api_receptionist.post(f"/api/v1/screenings/{screening.pk}/review-request/")
    assert response.status_code == 200
    assert response.json()["review_requested"]["asked_by"] == receptionist.pk
    clear = ScreeningFactory(patient=world.patient)
    refused = api_receptionist.post(f"/api/v1/screenings/{clear.pk}/review-request/")
    assert refused.status_code == 422 and refused.json()["code"] == "nothing_to_override"


def test_a_scoped_override_keeps_the_hard_stop_red_on_the_patient_page(desk, doctor, world):
    screening = anticoagulated(world)
    ScreeningOverride.objects.create(screening=screening, reason="PRP is fine.", protocols=["PRP-AGA"], doctor=doctor)
    page = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Overridden for PRP-AGA only" in page
    assert "text-decoration-line-through" not in page
