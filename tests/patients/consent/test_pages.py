"""The desk's pages: signing in the patient's language, errors by the field, the confirmation,
the PDF for the patient's file, the patient page's Consents section, and the session panel's
consent_required refusal with a link to sign."""

import io
import re

import pytest
from pypdf import PdfReader

from patients.consent import services
from patients.models import ConsentSignature, PatientAccess
from tests.patients.consent.world import active, draft, sign

pytestmark = pytest.mark.django_db


def sign_url(patient, document) -> str:
    return f"/patients/{patient.pk}/consents/sign/{document.pk}/"


def form_data(page: str, **fields) -> dict:
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    # The signing form's hidden field (the page's user menu has language buttons of its own).
    language = re.search(r'<input[^>]*name="language" value="(\w\w)"', page).group(1)
    return {"sha256": sha, "language": language, **fields}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_signing_page_shows_the_text_in_the_patients_language(desk, room):
    patient = room.world.new_patient(language="tr")
    page = desk.get(sign_url(patient, active())).content.decode()
    assert 'lang="tr"' in page and "Tedavi onamı" in page
    assert "Bu tedavi <strong>deneyseldir</strong>." in page  # Markdown, rendered
    assert "Adınız ve soyadınız" in page and "İmzala" in page
    assert PatientAccess.objects.filter(patient=patient, via="page").exists()


def test_arabic_is_shown_right_to_left_and_a_missing_language_falls_back_to_english(desk, room):
    document = active()
    arabic = desk.get(sign_url(room.world.new_patient(language="ar"), document)).content.decode()
    assert 'lang="ar" dir="rtl"' in arabic and "الموافقة على العلاج" in arabic
    german = desk.get(sign_url(room.world.new_patient(language="de"), document)).content.decode()
    assert 'lang="en" dir="ltr"' in german and "Treatment consent" in german


def test_the_patient_may_read_another_language_the_document_has(desk, room):
    patient = room.world.new_patient(language="tr")
    document = active()
    page = desk.get(sign_url(patient, document) + "?language=ar").content.decode()
    assert 'lang="ar" dir="rtl"' in page and "قرأت هذا النص" in page
    assert desk.get(sign_url(patient, document) + "?language=fr").content.decode().count('lang="tr"') >= 1
    response = desk.post(sign_url(patient, document), form_data(page, signed_name="Ayşe Yılmaz", agree="on"))
    assert response.status_code == 302 and ConsentSignature.objects.get().language == "ar"


def test_html_in_a_document_is_shown_as_text_never_run(desk, patient):
    document = active(texts={"en": {"title": "T", "body": "<script>alert(1)</script> [x](javascript:alert(1))"}})
    page = desk.get(sign_url(patient, document)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_submitting_without_the_tick_or_the_name_shows_errors_by_the_field_and_writes_nothing(desk, room):
    patient = room.world.new_patient(language="tr")
    document = active()
    page = desk.get(sign_url(patient, document)).content.decode()
    response = desk.post(sign_url(patient, document), form_data(page, signed_name="   "))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Lütfen adınızı ve soyadınızı yazın." in html
    assert "Kabul etmek için lütfen kutuyu işaretleyin." in html
    assert re.search(r'id="error_1_id_agree"', html) and re.search(r'id="error_1_id_signed_name"', html)
    assert not ConsentSignature.objects.exists()


def test_signing_records_the_signature_and_shows_the_confirmation_with_the_pdf(desk, receptionist, room):
    patient = room.world.new_patient(language="tr")
    document = active()
    page = desk.get(sign_url(patient, document)).content.decode()
    response = desk.post(sign_url(patient, document), form_data(page, signed_name="Ayşe Yılmaz", agree="on"),
                         HTTP_USER_AGENT="Desk tablet", REMOTE_ADDR="198.51.100.9")
    signature = ConsentSignature.objects.get()
    assert response.status_code == 302 and response.url == f"/patients/{patient.pk}/consents/{signature.pk}/"
    assert (signature.language, signature.signed_name, signature.ip, signature.user_agent, signature.recorded_by) == (
        "tr", "Ayşe Yılmaz", "198.51.100.9", "Desk tablet", receptionist)
    done = desk.get(response.url).content.decode()
    assert "Teşekkür ederiz. İmzanız kaydedildi." in done
    assert f"/patients/{patient.pk}/consents/{signature.pk}/pdf/" in done
    assert signature.text_sha256 in done


def test_the_pdf_is_a_real_pdf_with_the_text_and_the_name(desk, patient):
    signature = sign(patient, active(), language="en", name="Ayşe Yılmaz")
    response = desk.get(f"/patients/{patient.pk}/consents/{signature.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Treatment consent" in text and "Ayşe Yılmaz" in text and signature.text_sha256[:16] in text
    assert "203.0.113.7" in text and "Tablet/1.0" in text
    assert "2027-03-01 10:20:00 (Europe/Istanbul)" in text  # the clinic's wall clock, and UTC beside it
    assert "2027-03-01T07:20:00+00:00" in text


def test_the_arabic_pdf_is_laid_out_right_to_left(patient):
    from patients.consent.pdf import signature_pdf

    signature = sign(patient, active(), language="ar", name="أحمد")
    reader = PdfReader(io.BytesIO(signature_pdf(signature)))
    assert "الموافقة على العلاج" in reader.pages[0].extract_text()


def test_the_signature_box_reads_in_the_language_signed(room):
    from patients.consent.pdf import signature_pdf

    document = active()
    text = pdf_text(signature_pdf(sign(room.world.new_patient(language="tr"), document, language="tr")))
    assert "Hastanın yazdığı ad" in text and "Evet (işaretlendi)" in text
    assert "Name typed by the patient" not in text
    english = pdf_text(signature_pdf(sign(room.world.new_patient(), document, language="en")))
    assert "Name typed by the patient" in english and "Yes (ticked)" in english


def test_a_signature_of_another_patient_is_404(desk, room):
    signature = sign(room.world.patient, active())
    other = room.world.new_patient()
    assert desk.get(f"/patients/{other.pk}/consents/{signature.pk}/pdf/").status_code == 404
    assert desk.get(f"/patients/{other.pk}/consents/{signature.pk}/").status_code == 404


def test_a_draft_is_shown_without_a_form_and_a_post_writes_nothing(desk, patient):
    document = draft()
    page = desk.get(sign_url(patient, document)).content.decode()
    assert "only the active version" in page and 'name="signed_name"' not in page
    response = desk.post(sign_url(patient, document), {"signed_name": "Ayşe Yılmaz", "agree": "on",
                                                       "sha256": "a" * 64, "language": "en"})
    assert response.status_code == 422 and "only an active document can be signed" in response.content.decode()
    assert not ConsentSignature.objects.exists()


def test_the_patient_page_lists_what_to_sign_and_what_was_signed(desk, doctor, patient):
    treatment = active("CONSENT-T")
    photos = active("CONSENT-PHOTOS", applies_to="photos",
                    texts={"en": {"title": "Photo consent", "body": "We take photos."}})
    sign(patient, treatment)
    services.consent_document_archive(document=photos, by=doctor)
    page = desk.get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="consents-heading"' in page
    assert "Treatment consent" in page and "CONSENT-T v1" in page and "Ayşe Yılmaz" in page
    assert "Photo consent" not in page  # archived: nobody needs to sign it
    photos2 = active("CONSENT-P2", applies_to="photos", texts={"en": {"title": "Photo consent", "body": "Photos."}})
    page = desk.get(f"/patients/{patient.pk}/").content.decode()
    assert f"/patients/{patient.pk}/consents/sign/{photos2.pk}/" in page and "Not signed" in page


def test_marking_arrived_on_the_session_panel_shows_consent_required_with_a_link_to_sign(desk, room):
    document = active()
    session = room.first
    response = desk.post(f"/booking/sessions/{session.pk}/status/", {"status": "arrived"})
    html = response.content.decode()
    assert "needs the patient&#x27;s signature of CONSENT-T" in html
    assert 'data-testid="consent-required"' in html
    assert f"/patients/{session.patient_id}/consents/sign/{document.pk}/?next=" in html
    session.refresh_from_db()
    assert session.status == "booked"


def test_after_signing_the_next_link_leads_back_to_the_session(desk, room):
    document = active()
    patient, back = room.world.patient, f"/booking/sessions/{room.first.pk}/"
    page = desk.get(sign_url(patient, document) + f"?next={back}").content.decode()
    response = desk.post(sign_url(patient, document), {**form_data(page, signed_name="Ayşe Yılmaz", agree="on"),
                                                       "next": back})
    assert response.status_code == 302 and response.url.endswith(f"?next={back}")
    assert f'href="{back}"' in desk.get(response.url).content.decode()
    assert desk.post(f"/booking/sessions/{room.first.pk}/status/", {"status": "arrived"}).status_code == 302


def test_the_pages_need_a_staff_login(client, patient):
    signature = sign(patient, active())
    for url in (sign_url(patient, signature.document), f"/patients/{patient.pk}/consents/{signature.pk}/pdf/"):
        assert client.get(url).status_code == 302
