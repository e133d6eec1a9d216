"""Adverse events through the API: any staff role files, doctors complete and review, never deleted;
linked to the session and the lots given there; the issue's bad onsets refused."""

import pytest

from patients.models import AdverseEvent
from patients.records.adverse_events import serious_unreviewed
from tests.patients.records.world import row

pytestmark = pytest.mark.django_db


def event_body(room, **fields) -> dict:
    return {"patient": room.world.patient.pk, "session": room.first.pk, "onset": "2027-03-01", "kind": "swelling",
            "severity": "mild", "serious": False, "description": "Swollen forehead", "reported_by": "patient",
            **fields}


@pytest.fixture
def recorded(api_doctor, room):
    response = api_doctor.post(f"/api/v1/sessions/{room.first.pk}/record/", {"products": [row(room.lot)]},
                               format="json")
    assert response.status_code == 201
    return room


def test_the_desk_files_an_event_a_patient_phoned_in_with_the_lots_of_its_session(api_receptionist, recorded):
    response = api_receptionist.post("/api/v1/adverse-events/", event_body(recorded), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["severity"], body["outcome"], body["reported_by"], body["lots"]) == (
        "swelling", "mild", "ongoing", "patient", [recorded.lot.pk])


def test_an_event_without_a_session_has_no_lots(api_receptionist, room):
    response = api_receptionist.post("/api/v1/adverse-events/", event_body(room, session=None, onset="2027-02-20"),
                                     format="json")
    assert response.status_code == 201 and response.json()["lots"] == []


@pytest.mark.parametrize(("fields", "field"), [
    ({"onset": "2027-03-02"}, "onset"),  # tomorrow in Istanbul
    ({"onset": "2027-02-28"}, "onset"),  # before the session
    ({"kind": "fever"}, "kind"), ({"severity": "fatal"}, "severity"), ({"outcome": "unknown"}, "outcome"),
    ({"onset": "2027-02-30"}, "onset"),
])
def test_bad_onsets_and_unknown_values_are_400_and_nothing_is_written(api_receptionist, room, fields, field):
    response = api_receptionist.post("/api/v1/adverse-events/", event_body(room, **fields), format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.json()
    assert AdverseEvent.objects.count() == 0


def test_the_session_must_be_the_patients(api_receptionist, room):
    other = room.book_another()
    response = api_receptionist.post("/api/v1/adverse-events/", event_body(room, session=other.pk), format="json")
    assert response.status_code == 400 and "session" in response.json()["errors"]


def test_a_doctor_completes_the_event_the_desk_may_not(api_receptionist, api_doctor, room):
    event = api_receptionist.post("/api/v1/adverse-events/", event_body(room), format="json").json()
    url = f"/api/v1/adverse-events/{event['id']}/"
    refused = api_receptionist.patch(url, {"outcome": "resolved"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    done = api_doctor.patch(url, {"outcome": "resolved", "severity": "moderate"}, format="json")
    assert done.status_code == 200 and (done.json()["outcome"], done.json()["severity"]) == ("resolved", "moderate")
    moved = api_doctor.patch(url, {"patient": room.book_another().patient_id}, format="json")
    assert moved.status_code == 400


def test_events_are_never_deleted(api_admin, api_receptionist, room):
    event = api_receptionist.post("/api/v1/adverse-events/", event_body(room), format="json").json()
    assert api_admin.delete(f"/api/v1/adverse-events/{event['id']}/").status_code == 405
    assert AdverseEvent.objects.filter(pk=event["id"]).exists()


def test_a_serious_event_stands_out_until_a_doctor_reviews_it(api_receptionist, api_doctor, room):
    event = api_receptionist.post("/api/v1/adverse-events/", event_body(room, serious=True, kind="infection",
                                                                        severity="severe"), format="json").json()
    assert [e.pk for e in serious_unreviewed()] == [event["id"]]
    url = f"/api/v1/adverse-events/{event['id']}/review/"
    assert api_receptionist.post(url).status_code == 403
    reviewed = api_doctor.post(url)
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_at"]
    assert not serious_unreviewed().exists()
    again = api_doctor.post(url)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_events_are_listed_per_patient_lot_protocol_and_seriousness(api_doctor, recorded):
    room = recorded
    api_doctor.post("/api/v1/adverse-events/", event_body(room, serious=True), format="json")
    api_doctor.post("/api/v1/adverse-events/", event_body(room, session=None, kind="headache"), format="json")
    other_lot = room.new_lot(lot_number="EXO-OTHER")

    def count(query: str) -> int:
        response = api_doctor.get(f"/api/v1/adverse-events/?{query}")
        assert response.status_code == 200, response.json()
        return response.json()["count"]

    assert count(f"patient={room.world.patient.pk}") == 2
    assert count(f"lot={room.lot.pk}") == 1 and count(f"lot={other_lot.pk}") == 0
    assert count(f"protocol={room.world.protocol.pk}") == 1
    assert count("serious=true") == 1 and count("serious=false") == 1
    assert count(f"session={room.first.pk}") == 1
