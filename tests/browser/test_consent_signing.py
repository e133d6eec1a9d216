"""A Turkish-speaking patient signs the treatment consent at the desk on a tablet (768x1024,
portrait): the text is in Turkish, submitting without the tick shows the error by the box and
writes nothing, then the signature is recorded, the confirmation links the PDF, and the patient's
page lists the consent. axe-core finds nothing serious. Screenshots:
tests/browser/screenshots/consent-*.png."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from patients.models import ConsentDocument, ConsentSignature
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD
from tests.factories import PatientFactory

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def tablet(chromium, live_server) -> Page:
    context = chromium.new_context(reduced_motion="reduce", viewport=TABLET, base_url=live_server.url,
                                   has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def check(page: Page, name: str) -> None:
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} > {width[1]}"
    screenshot(page, name)
    assert_accessible(page)


def test_a_turkish_patient_signs_the_treatment_consent_on_the_desk_tablet(tablet, make_staff, db):
    call_command("load_starter_protocols", stdout=open("/dev/null", "w"))  # noqa: SIM115
    document = ConsentDocument.objects.get(code="CONSENT-TREATMENT", status="active")
    patient = PatientFactory(first_name="Ayşe", last_name="Yılmaz", language="tr")
    user = make_staff("receptionist")
    page = tablet
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    page.goto(f"/patients/{patient.pk}/")
    consents = page.locator("#consents")
    expect(consents.get_by_text("Not signed")).to_have_count(2)
    consents.locator(f"a[href='/patients/{patient.pk}/consents/sign/{document.pk}/']").click()

    text = page.get_by_test_id("consent-text")
    expect(text).to_have_attribute("lang", "tr")
    expect(text.get_by_role("heading", name="Saçlı deriye eksozom ve PRP tedavisi için onam")).to_be_visible()
    expect(text).to_contain_text("Bu tedavi deneyseldir")
    check(page, "consent-sign-tr")

    page.get_by_label("Adınız ve soyadınız").fill("Ayşe Yılmaz")
    page.get_by_role("button", name="İmzala").click()
    error = page.locator("#error_1_id_agree")
    expect(error).to_contain_text("Kabul etmek için lütfen kutuyu işaretleyin.")
    expect(page.get_by_label("Adınız ve soyadınız")).to_have_value("Ayşe Yılmaz")
    assert not ConsentSignature.objects.exists()
    error.scroll_into_view_if_needed()
    check(page, "consent-sign-tr-not-ticked")

    page.get_by_label("Bu metni okudum, sorularım yanıtlandı ve kabul ediyorum.").check()
    page.get_by_role("button", name="İmzala").click()
    expect(page.get_by_test_id("consent-thanks")).to_contain_text("Teşekkür ederiz. İmzanız kaydedildi.")
    expect(page.get_by_test_id("signed-name")).to_have_text("Ayşe Yılmaz")
    expect(page.get_by_role("link", name="Open the PDF for the patient's file")).to_be_visible()
    check(page, "consent-signed-tr")
    signature = ConsentSignature.objects.get()
    assert (signature.patient, signature.document, signature.language) == (patient, document, "tr")
    assert "Chrom" in signature.user_agent and signature.ip == "127.0.0.1"

    pdf = page.request.get(f"/patients/{patient.pk}/consents/{signature.pk}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")

    page.get_by_role("link", name="The patient's page").click()
    signed = page.get_by_test_id("consents-signed")
    expect(signed).to_contain_text("CONSENT-TREATMENT v1")
    expect(signed).to_contain_text("Ayşe Yılmaz")
    expect(page.locator("#consents").get_by_text("Not signed")).to_have_count(1)  # the photo consent
    page.locator("#consents").scroll_into_view_if_needed()
    check(page, "consent-patient-page")


def test_marking_arrived_without_consent_offers_the_signing_page_and_comes_back(tablet, make_staff, db):
    """The session panel refuses `arrived` with the contract's consent_required, links to the
    signing page, and after signing leads back to the session, which can then be marked arrived."""
    import time_machine

    from patients.consent import services
    from tests.patients.records.world import VISIT, build_room

    with time_machine.travel(VISIT, tick=True):
        room = build_room()
        texts = {"en": {"title": "Treatment consent", "body": "The treatment is **investigational**."}}
        document = services.consent_document_activate(
            document=services.consent_document_create(code="CONSENT-T", texts=texts, by=None), by=None)
        user = make_staff("receptionist")
        page = tablet
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")

        page.goto(f"/booking/sessions/{room.first.pk}/")
        page.get_by_role("button", name="Arrived").click()
        refusal = page.get_by_test_id("consent-required")
        expect(refusal).to_contain_text("Consent needed first.")
        expect(page.get_by_role("alert").first).to_contain_text("needs the patient's signature of CONSENT-T")
        expect(page.get_by_test_id("session-status")).to_have_text("Booked")
        check(page, "consent-required-session")

        refusal.get_by_role("link", name="Sign Treatment consent").click()
        expect(page.get_by_test_id("consent-text")).to_contain_text("The treatment is investigational.")
        page.get_by_label("Your full name").fill(room.world.patient.full_name)
        page.get_by_label("I have read this text, my questions have been answered, and I agree.").check()
        page.get_by_role("button", name="Sign").click()
        expect(page.get_by_test_id("consent-thanks")).to_be_visible()
        assert ConsentSignature.objects.get().document == document

        # Back where the session panel was opened from (here the course page, the panel's default).
        page.get_by_role("link", name="Back to the session").click()
        expect(page).to_have_url(re.compile(f"/booking/courses/{room.first.course_id}/$"))
        page.goto(f"/booking/sessions/{room.first.pk}/")
        page.get_by_role("button", name="Arrived").click()
        expect(page.get_by_role("alert").filter(has_text="Session 1 is now arrived.")).to_be_visible()
        room.first.refresh_from_db()
        assert room.first.status == "arrived"
