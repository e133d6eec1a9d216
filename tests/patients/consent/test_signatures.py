"""A patient signs at the desk: POST/GET /api/v1/patients/{id}/consents/. The signature keeps the
version, language, sha256 of the exact text shown, name, time, IP and user agent; it can never be
edited or deleted; bad input is 422 `invalid` and writes nothing."""

import hashlib

import pytest
from django.db import IntegrityError, InternalError, transaction

from patients.consent import services
from patients.consent.models import ConsentSignature
from patients.models import PatientAccess
from tests.patients.consent.world import TEXTS, active, draft, sign
from tests.patients.records.world import VISIT

pytestmark = pytest.mark.django_db


def url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/consents/"


def post(client, patient, **fields):
    return client.post(url(patient), fields, format="json", HTTP_USER_AGENT="Mozilla/5.0 (iPad) Desk tablet",
                       REMOTE_ADDR="198.51.100.23")


def test_the_desk_records_a_signature_with_everything_the_contract_lists(api_receptionist, receptionist, patient):
    document = active()
    response = post(api_receptionist, patient, document=document.pk, signed_name="  Ayşe   Yılmaz ", agree=True,
                    language="tr")
    assert response.status_code == 201, response.json()
    body = response.json()
    shown = "Tedavi onamı\n\nBu tedavi **deneyseldir**.\n\n- Ağrı sık görülür."
    expected_sha = hashlib.sha256(shown.encode()).hexdigest()
    assert {k: body[k] for k in ("document", "code", "version", "language", "signed_name", "ip", "sha256",
                                 "user_agent", "recorded_by", "patient")} == {
        "document": document.pk, "code": "CONSENT-T", "version": 1, "language": "tr", "signed_name": "Ayşe Yılmaz",
        "ip": "198.51.100.23", "sha256": expected_sha, "user_agent": "Mozilla/5.0 (iPad) Desk tablet",
        "recorded_by": receptionist.pk, "patient": patient.pk}
    assert body["signed_at"].startswith(VISIT.astimezone().date().isoformat())
    listed = api_receptionist.get(url(patient)).json()
    assert listed["count"] == 1 and listed["results"][0] == body
    assert PatientAccess.objects.filter(patient=patient, via="api").exists()


def test_the_sha256_is_of_the_exact_text_shown_in_the_language_signed(patient):
    document = active()
    english = sign(patient, document, language="en")
    assert english.text_sha256 == hashlib.sha256(
        f"{TEXTS['en']['title']}\n\n{TEXTS['en']['body']}".encode()).hexdigest()
    assert english.ip == "203.0.113.7" and english.user_agent == "Tablet/1.0"


def test_without_a_language_the_patients_own_is_used_else_english(room):
    document = active()
    turkish = room.world.new_patient(language="tr")
    german = room.world.new_patient(language="de")
    assert sign(turkish, document).language == "tr"
    assert sign(german, document).language == "en"  # the document has no German text


def test_a_language_the_document_lacks_is_422_invalid(api_receptionist, patient):
    response = post(api_receptionist, patient, document=active().pk, signed_name="Ayşe Yılmaz", agree=True,
                    language="de")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and "has no German text" in response.json()["errors"]["language"][0]
    assert not ConsentSignature.objects.exists()


def test_an_unknown_language_is_invalid(api_receptionist, patient):
    response = post(api_receptionist, patient, document=active().pk, signed_name="Ayşe Yılmaz", agree=True,
                    language="fr")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "language" in response.json()["errors"]
    assert not ConsentSignature.objects.exists()


@pytest.mark.parametrize("fields, field", [
    ({"signed_name": "Ayşe Yılmaz", "agree": False}, "agree"),
    ({"signed_name": "Ayşe Yılmaz"}, "agree"),
    ({"signed_name": "Ayşe Yılmaz", "agree": "yes"}, "agree"),
    ({"signed_name": "Ayşe Yılmaz", "agree": 1}, "agree"),
    ({"signed_name": "", "agree": True}, "signed_name"),
    ({"signed_name": "   \t ", "agree": True}, "signed_name"),
    ({"agree": True}, "signed_name"),
])
def test_no_agreement_or_no_name_is_422_invalid_and_nothing_is_written(api_receptionist, patient, fields, field):
    response = post(api_receptionist, patient, document=active().pk, **fields)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]
    assert not ConsentSignature.objects.exists()


def test_a_draft_or_archived_document_is_422_invalid(api_receptionist, doctor, patient):
    for document in (draft("CONSENT-DRAFT"),
                     services.consent_document_archive(document=active("CONSENT-OLD"), by=doctor)):
        response = post(api_receptionist, patient, document=document.pk, signed_name="Ayşe Yılmaz", agree=True)
        assert response.status_code == 422
        assert response.json()["code"] == "invalid" and "only an active document" in response.json()["detail"]
    assert post(api_receptionist, patient, document=999999, signed_name="A B", agree=True).status_code == 422
    assert not ConsentSignature.objects.exists()


def test_the_database_refuses_a_signature_of_a_draft_even_past_the_service(patient):
    document = draft()
    with pytest.raises(IntegrityError, match="not active: it cannot be signed"), transaction.atomic():
        ConsentSignature.objects.create(patient=patient, document=document, language="en", text_sha256="a" * 64,
                                        signed_name="Ayşe Yılmaz", signed_at=VISIT)


def test_a_signature_can_never_be_edited_or_deleted(patient):
    signature = sign(patient, active())
    with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
        ConsentSignature.objects.filter(pk=signature.pk).update(signed_name="Someone Else")
    with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
        signature.delete()
    signature.refresh_from_db()
    assert signature.signed_name == "Ayşe Yılmaz"


def test_the_api_offers_no_way_to_edit_or_delete_a_signature(api_admin, patient):
    sign(patient, active())
    for method in ("put", "patch", "delete"):
        assert getattr(api_admin, method)(url(patient), {}, format="json").status_code == 405
    assert ConsentSignature.objects.count() == 1


def test_the_same_version_is_signed_once_a_new_version_needs_a_new_signature(api_receptionist, doctor, patient):
    first = active()
    sign(patient, first)
    again = post(api_receptionist, patient, document=first.pk, signed_name="Ayşe Yılmaz", agree=True)
    assert again.status_code == 422 and "already" in again.json()["errors"]["document"][0]
    second = services.consent_document_activate(document=services.consent_document_revise(document=first, by=doctor),
                                                by=doctor)
    response = post(api_receptionist, patient, document=second.pk, signed_name="Ayşe Yılmaz", agree=True)
    assert response.status_code == 201 and response.json()["version"] == 2
    assert ConsentSignature.objects.filter(patient=patient).count() == 2


def test_a_text_other_than_the_one_shown_is_refused(patient):
    with pytest.raises(services.SignatureInvalid, match="text changed"):
        sign(patient, active(), shown_sha256="0" * 64)
    assert not ConsentSignature.objects.exists()


def test_unknown_patient_is_404_and_anonymous_is_refused(api_receptionist, api_anonymous, patient):
    assert api_receptionist.get("/api/v1/patients/999999/consents/").status_code == 404
    assert api_receptionist.get("/api/v1/patients/abc/consents/").status_code == 404
    assert api_anonymous.get(url(patient)).status_code in (401, 403)


def test_signatures_join_the_audit_trail(receptionist, patient):
    signature = sign(patient, active(), by=receptionist)
    [event] = signature.events.all()
    assert event.pgh_label == "insert" and event.pgh_context.metadata["user"] == receptionist.pk


@pytest.mark.django_db(transaction=True)
def test_two_taps_at_once_record_one_signature(room):
    """Two requests signing the same version at the same moment: one signature, the other refused."""
    import threading

    from django.db import connection

    document = active()
    patient = room.world.patient
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def tap() -> None:
        barrier.wait()
        try:
            sign(patient, document)
            outcomes.append("signed")
        except services.SignatureInvalid as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["invalid", "signed"]
    assert ConsentSignature.objects.filter(patient=patient).count() == 1
