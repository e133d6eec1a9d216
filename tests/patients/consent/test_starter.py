"""The two starter documents come with the starter protocols: active, in all five languages,
installed once; a second run, or a run after a revision or signatures, changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from patients.consent import services
from patients.consent.models import LANGUAGES, ConsentDocument, ConsentSignature
from patients.consent.rules import texts_errors
from patients.consent.selectors import consents_missing
from tests.patients.consent.world import sign

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_starter_protocols", stdout=out)
    return out.getvalue()


def state() -> list[tuple]:
    return list(ConsentDocument.objects.order_by("code", "version").values_list(
        "code", "version", "status", "texts", "applies_to", "protocol_codes", "updated_at"))


def test_it_installs_the_treatment_and_photo_consents_active_in_five_languages():
    assert "Installed 2 starter consent documents: CONSENT-TREATMENT, CONSENT-PHOTOS" in load()
    treatment = ConsentDocument.objects.get(code="CONSENT-TREATMENT")
    photos = ConsentDocument.objects.get(code="CONSENT-PHOTOS")
    assert (treatment.status, treatment.applies_to, photos.status, photos.applies_to) == (
        "active", "all", "active", "photos")
    for document in (treatment, photos):
        assert document.languages == list(LANGUAGES)
        assert texts_errors(document.texts) == []


def test_the_treatment_consent_is_honest_that_exosome_therapy_is_investigational():
    load()
    texts = ConsentDocument.objects.get(code="CONSENT-TREATMENT").texts
    english = texts["en"]["body"]
    assert "investigational" in english and "FDA" in english and "cannot promise" in english
    for language, word in (("tr", "deneysel"), ("es", "investigación"), ("de", "Erprobung"), ("ar", "تجريبي")):
        assert word in texts[language]["body"] and "FDA" in texts[language]["body"], language


def test_running_it_again_after_a_revision_and_signatures_changes_nothing(doctor, room):
    load()
    treatment = ConsentDocument.objects.get(code="CONSENT-TREATMENT")
    signature = sign(room.world.patient, treatment)
    services.consent_document_revise(document=treatment, by=doctor)
    before = state()
    assert "Kept 2 already present: CONSENT-TREATMENT, CONSENT-PHOTOS" in load()
    assert state() == before
    assert list(ConsentSignature.objects.values_list("pk", "text_sha256")) == [(signature.pk, signature.text_sha256)]


def test_with_the_starter_documents_a_visit_needs_the_treatment_consent_only(room):
    load()
    assert consents_missing(patient=room.world.patient, protocol=room.world.protocol) == ["CONSENT-TREATMENT"]
    assert consents_missing(patient=room.world.patient, photos=True) == ["CONSENT-PHOTOS"]
