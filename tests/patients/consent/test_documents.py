"""Consent documents are versioned like protocols: only a draft changes; activate, revise, archive;
English required, known languages only, applies to all, photos or listed protocol codes."""

import pytest
from django.db import IntegrityError, transaction

from clinic.errors import Conflict
from patients.consent import services
from patients.consent.models import ConsentDocument
from tests.patients.consent.world import TEXTS, active, draft

pytestmark = pytest.mark.django_db

URL = "/api/v1/consent-documents/"


def body(**fields):
    return {"code": "CONSENT-API", "texts": TEXTS, "applies_to": "all", **fields}


def test_a_doctor_creates_a_draft_version_1_and_activates_it(api_doctor):
    response = api_doctor.post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["code"], created["version"], created["status"], created["applies_to"]) == (
        "CONSENT-API", 1, "draft", "all")
    assert created["texts"]["tr"] == TEXTS["tr"]
    activated = api_doctor.post(f"{URL}{created['id']}/activate/").json()
    assert activated["status"] == "active" and activated["activated_at"]


def test_only_a_draft_changes_an_active_version_is_409(api_doctor):
    document = active()
    response = api_doctor.patch(f"{URL}{document.pk}/", {"texts": {"en": {"title": "X", "body": "Y"}}}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "document_not_editable"
    document.refresh_from_db()
    assert document.texts == TEXTS
    assert api_doctor.delete(f"{URL}{document.pk}/").status_code == 409


def test_a_draft_is_edited_and_deleted(api_doctor):
    document = draft()
    new = {"en": {"title": "Photo consent", "body": "We take photos."}}
    response = api_doctor.patch(f"{URL}{document.pk}/", {"texts": new, "applies_to": "photos"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["texts"], response.json()["applies_to"]) == (new, "photos")
    assert api_doctor.delete(f"{URL}{document.pk}/").status_code == 204
    assert not ConsentDocument.objects.exists()


def test_the_database_itself_refuses_to_change_an_active_version():
    document = active()
    with pytest.raises(IntegrityError, match="only a draft consent document can be edited"), transaction.atomic():
        ConsentDocument.objects.filter(pk=document.pk).update(texts={"en": {"title": "Changed", "body": "Changed"}})
    with pytest.raises(IntegrityError, match="only a draft consent document can be deleted"), transaction.atomic():
        ConsentDocument.objects.filter(pk=document.pk).delete()


def test_revise_copies_into_version_2_and_activating_it_archives_version_1(api_doctor):
    first = active()
    response = api_doctor.post(f"{URL}{first.pk}/revise/")
    assert response.status_code == 201
    second = response.json()
    assert (second["code"], second["version"], second["status"], second["texts"]) == ("CONSENT-T", 2, "draft", TEXTS)
    first.refresh_from_db()
    assert first.status == "active"  # until the draft is activated
    again = api_doctor.post(f"{URL}{first.pk}/revise/")
    assert again.status_code == 409 and again.json()["code"] == "draft_exists"
    api_doctor.post(f"{URL}{second['id']}/activate/")
    first.refresh_from_db()
    assert first.status == "archived" and first.archived_at
    assert ConsentDocument.objects.get(pk=second["id"]).status == "active"


def test_archive_retires_and_a_second_archive_or_activation_is_invalid_transition(api_doctor):
    document = active()
    assert api_doctor.post(f"{URL}{document.pk}/archive/").json()["status"] == "archived"
    for action in ("archive", "activate", "revise"):
        response = api_doctor.post(f"{URL}{document.pk}/{action}/")
        assert response.status_code == 409 and response.json()["code"] == "invalid_transition", action


@pytest.mark.parametrize("texts, message", [
    ({"tr": TEXTS["tr"]}, "The English text (en) is required."),
    ({**TEXTS, "fr": {"title": "Consentement", "body": "Texte"}}, "Unknown language fr"),
    ({"en": {"title": "  ", "body": "Text"}}, "en: the title is required."),
    ({"en": {"title": "Title"}}, "en: the body is required."),
    ({"en": {"title": "T", "body": "B", "footer": "F"}}, "en: give exactly a title and a body."),
    ({"en": "just text"}, "en: give exactly a title and a body."),
    (["en"], "Give the texts as an object by language"),
])
def test_bad_texts_are_400_invalid_by_the_field_and_nothing_is_written(api_doctor, texts, message):
    response = api_doctor.post(URL, body(texts=texts), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert any(message in error for error in response.json()["errors"]["texts"])
    assert not ConsentDocument.objects.exists()


def test_applies_to_a_list_of_protocol_codes_spelled_as_the_protocols_are(api_doctor, room):
    code = room.world.protocol.code
    response = api_doctor.post(URL, body(applies_to=[code.lower()]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["applies_to"] == [code]


@pytest.mark.parametrize("applies_to, message", [
    ([], "List at least one protocol code."),
    (["NO-SUCH-PROTOCOL"], "No protocol has the code NO-SUCH-PROTOCOL."),
    ("everything", 'Use "all", "photos" or a list of protocol codes.'),
    ([1, 2], 'Use "all", "photos" or a list of protocol codes.'),
])
def test_bad_applies_to_is_400_invalid(api_doctor, applies_to, message):
    response = api_doctor.post(URL, body(applies_to=applies_to), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["applies_to"] == [message]


def test_a_code_is_created_once_then_revised(api_doctor):
    draft("CONSENT-API")
    response = api_doctor.post(URL, body(code="consent-api"), format="json")
    assert response.status_code == 400 and "exists already" in response.json()["errors"]["code"][0]


def test_the_desk_reads_documents_but_cannot_write_them(api_receptionist):
    document = active()
    assert api_receptionist.get(URL).json()["count"] == 1
    assert api_receptionist.post(URL, body(code="X"), format="json").status_code == 403
    for action in ("archive", "revise"):
        assert api_receptionist.post(f"{URL}{document.pk}/{action}/").status_code == 403
    assert api_receptionist.patch(f"{URL}{document.pk}/", {}, format="json").status_code == 403


def test_services_refuse_editing_a_version_that_is_not_a_draft():
    document = active()
    with pytest.raises(Conflict) as refused:
        services.consent_document_update(document=document, fields={"texts": TEXTS}, by=None)
    assert refused.value.code == "document_not_editable"


def test_every_change_is_in_the_audit_trail(doctor):
    document = draft(by=doctor)
    services.consent_document_activate(document=document, by=doctor)
    events = list(document.events.order_by("pgh_id").values_list("pgh_label", "status", "pgh_context__metadata"))
    assert [(label, status) for label, status, _ in events] == [("insert", "draft"), ("update", "active")]
    assert events[1][2]["user"] == doctor.pk and events[1][2]["action"] == "consent_document_activate"
