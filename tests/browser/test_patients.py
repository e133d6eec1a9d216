"""A receptionist registers a patient and records a screening with a pregnancy hard stop; a doctor
overrides it with a reason. Screenshots: tests/browser/screenshots/patients-*.png."""

import re

from playwright.sync_api import Page, expect

from patients.models import ScreeningOverride
from patients.screening import rules
from tests.browser.conftest import assert_accessible, screenshot


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))


def test_a_receptionist_screens_and_a_doctor_overrides_the_pregnancy_block(login):
    page = login("receptionist")
    page.on("dialog", lambda dialog: dialog.accept())

    page.get_by_role("link", name="Register a patient").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a patient")
    page.wait_for_load_state()  # the date pickers have replaced their fields
    assert_accessible(page)
    page.get_by_label("First name").fill("Fatima")
    page.get_by_label("Last name").fill("Al-Mansouri")
    page.get_by_label("Date of birth").fill("1992-07-19")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Email", exact=True).fill("fatima@example.ae")
    page.get_by_label("Phone", exact=True).fill("+971 50 123 4567")
    page.get_by_label("Language").select_option("ar")
    page.get_by_label("Time zone").select_option("Asia/Dubai")
    page.get_by_label("The patient agrees to reminder and recall emails").check()
    screenshot(page, "patients-register-form")
    page.get_by_role("button", name="Register patient").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Fatima Al-Mansouri")
    expect(page.get_by_text("No screening yet")).to_be_visible()
    expect(page.locator("#courses").get_by_text("No courses yet")).to_be_visible()
    assert_accessible(page)
    patient_url = page.url

    page.get_by_role("link", name="Record a screening").first.click()
    expect(page.get_by_text("Blocks booking")).to_be_visible()
    for key in rules.ANSWER_KEYS:
        answer = "Yes" if key == "pregnant_or_breastfeeding" else "No"
        page.locator(f"#q-{key}").get_by_text(answer, exact=True).click()
    assert_accessible(page)
    screenshot(page, "patients-screening-form")
    page.get_by_role("button", name="Record screening").click()

    latest = page.get_by_test_id("latest-screening")
    expect(latest.get_by_text("Booking blocked")).to_be_visible()
    expect(latest.locator(".badge.text-bg-danger")).to_contain_text("Pregnant or breastfeeding")
    expect(page.get_by_role("link", name="Override hard stops")).to_have_count(0)  # receptionists cannot
    assert_accessible(page)
    screenshot(page, "patients-detail-blocked")

    page.goto("/patients/")
    page.get_by_label("Search by name, email or phone").press_sequentially("mansou", delay=30)
    expect(page.locator("#patient-results").get_by_role("link", name="Al-Mansouri, Fatima")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "patients-list-search")

    log_out(page)
    login("doctor")
    page.goto(patient_url)
    page.get_by_role("link", name="Override hard stops").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Override hard stops")
    page.get_by_role("button", name="Override hard stops").click()
    expect(page.get_by_text("Write the reason: an override needs one.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why these hard stops do not prevent treatment").fill(
        "Weaned 3 months ago; confirmed by the patient and her GP letter."
    )
    screenshot(page, "patients-override-form")
    page.get_by_role("button", name="Override hard stops").click()

    latest = page.get_by_test_id("latest-screening")
    expect(latest.get_by_text("Overridden", exact=True)).to_be_visible()
    expect(latest.get_by_text("Weaned 3 months ago")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "patients-detail-overridden")
    override = ScreeningOverride.objects.get()
    assert override.doctor.username == "doctor1"
