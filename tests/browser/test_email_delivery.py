"""A bounced address stands out on the patient's page, and entering a new one clears it.
Screenshot: tests/browser/screenshots/patient-email-bounced.png."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import PatientFactory


def test_a_receptionist_sees_the_bounced_address_and_a_new_one_clears_the_warning(login):
    patient = PatientFactory(first_name="Leyla", last_name="Kaya", email="leyla@old-provider.example",
                             email_undeliverable="bounced", email_undeliverable_at=timezone.now())
    page: Page = login("receptionist")
    page.goto(f"/patients/{patient.pk}/")

    alert = page.locator("[data-email-undeliverable]")
    expect(alert).to_contain_text("Emails to leyla@old-provider.example cannot be delivered.")
    expect(page.locator("[data-email-undeliverable-badge]")).to_have_text("Undeliverable")
    assert_accessible(page)
    screenshot(page, "patient-email-bounced")

    page.get_by_role("link", name="Edit details").first.click()
    page.get_by_label("Email", exact=True).fill("leyla@new-provider.example")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leyla Kaya")
    expect(page.locator("[data-email-undeliverable]")).to_have_count(0)
    patient.refresh_from_db()
    assert (patient.email, patient.email_undeliverable) == ("leyla@new-provider.example", "")
