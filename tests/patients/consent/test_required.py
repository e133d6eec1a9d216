"""Marking a session arrived or completed, or recording it, needs the patient's signature of every
active document that applies to its protocol (or to all): 422 `consent_required` with the codes.
With no active document, nothing is required."""

import pytest

from patients.booking.status import session_set_status
from patients.consent import services
from patients.consent.selectors import ConsentRequired, consents_missing, consents_require
from patients.models import Reminder, SessionRecord
from tests.factories import ProtocolFactory
from tests.factories.protocols import session_rows
from tests.patients.consent.world import active, sign
from tests.patients.records.world import row

pytestmark = pytest.mark.django_db


def set_status(client, session, status):
    return client.post(f"/api/v1/sessions/{session.pk}/status/", {"status": status}, format="json")


def record(client, room):
    return client.post(f"/api/v1/sessions/{room.first.pk}/record/", {"products": [row(room.lot)]}, format="json")


def status_of(session) -> str:
    session.refresh_from_db()
    return session.status


def test_nothing_is_required_without_an_active_document(api_receptionist, room):
    services.consent_document_create(code="DRAFT-ONLY", texts={"en": {"title": "T", "body": "B"}}, by=None)
    assert consents_missing(patient=room.world.patient, protocol=room.world.protocol) == []
    assert set_status(api_receptionist, room.first, "arrived").status_code == 200


@pytest.mark.parametrize("status", ["arrived", "completed"])
def test_arrived_or_completed_without_the_signatures_is_422_consent_required(api_receptionist, room, status):
    active("CONSENT-B")
    active("CONSENT-A")
    active("CONSENT-PHOTOS", applies_to="photos")  # photographs are not the visit's business
    if status == "completed":
        room.first.status = "arrived"
        room.first.save(update_fields=["status"])
    response = set_status(api_receptionist, room.first, status)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["documents"]) == ("consent_required", ["CONSENT-A", "CONSENT-B"])
    assert "CONSENT-A, CONSENT-B" in body["detail"]
    assert status_of(room.first) == ("arrived" if status == "completed" else "booked")


def test_once_signed_the_session_moves_on(api_receptionist, room):
    document = active()
    sign(room.world.patient, document)
    assert set_status(api_receptionist, room.first, "arrived").status_code == 200
    assert set_status(api_receptionist, room.first, "completed").status_code == 200


def test_other_statuses_need_no_consent(api_receptionist, room):
    active()
    assert set_status(api_receptionist, room.first, "confirmed").status_code == 200


def test_recording_a_visit_without_the_signature_is_422_and_writes_nothing(api_doctor, room):
    document = active()
    response = record(api_doctor, room)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["documents"]) == ("consent_required", ["CONSENT-T"])
    assert not SessionRecord.objects.exists()
    assert status_of(room.first) == "booked"
    assert not Reminder.objects.filter(kind="aftercare").exists()
    sign(room.world.patient, document)
    assert record(api_doctor, room).status_code == 201


def test_a_document_for_listed_protocols_gates_only_those(api_receptionist, room):
    other = ProtocolFactory(status="active", code="OTHER-PROTO", sessions=session_rows(1))
    active("CONSENT-PRP", applies_to="protocols", protocol_codes=[other.code])
    assert consents_missing(patient=room.world.patient, protocol=room.world.protocol) == []
    assert consents_missing(patient=room.world.patient, protocol=other) == ["CONSENT-PRP"]
    active("CONSENT-MINE", applies_to="protocols", protocol_codes=[room.world.protocol.code, other.code])
    response = set_status(api_receptionist, room.first, "arrived")
    assert response.status_code == 422 and response.json()["documents"] == ["CONSENT-MINE"]


def test_a_photo_document_is_what_photos_need(room):
    active("CONSENT-T")
    active("CONSENT-PHOTOS", applies_to="photos")
    patient = room.world.patient
    assert consents_missing(patient=patient, photos=True) == ["CONSENT-PHOTOS"]
    assert consents_missing(patient=patient, protocol=room.world.protocol) == ["CONSENT-T"]


def test_a_new_active_version_needs_a_new_signature(api_receptionist, doctor, room):
    first = active()
    sign(room.world.patient, first)
    second = services.consent_document_activate(document=services.consent_document_revise(document=first, by=doctor),
                                                by=doctor)
    response = set_status(api_receptionist, room.first, "arrived")
    assert response.status_code == 422 and response.json()["documents"] == ["CONSENT-T"]
    sign(room.world.patient, second)
    assert set_status(api_receptionist, room.first, "arrived").status_code == 200


def test_an_archived_document_requires_nothing_any_more(api_receptionist, doctor, room):
    services.consent_document_archive(document=active(), by=doctor)
    assert set_status(api_receptionist, room.first, "arrived").status_code == 200


def test_consents_require_raises_the_contracts_error_from_the_one_selector(room):
    active()
    with pytest.raises(ConsentRequired) as refused:
        consents_require(patient=room.world.patient.pk, protocol=room.world.protocol.code)
    assert (refused.value.status, refused.value.as_body()["documents"]) == (422, ["CONSENT-T"])


def test_the_clock_refuses_before_consent_does(room):
    """A session whose day has not come is 409 invalid_transition whatever is signed."""
    from patients.booking.status import InvalidTransition

    active()
    with pytest.raises(InvalidTransition):
        session_set_status(session=room.second, status="arrived")
