"""The desk's side of the patient's own page on the tablet: the QR code from the patient's page,
and the course showing a move the patient made. Screenshots: portal-desk-qr.png,
portal-desk-course.png."""

import pytest
from playwright.sync_api import expect

from patients.portal import services as portal
from tests.browser.conftest import assert_accessible, screenshot
from tests.patients.portal.world import BOOKING_CLOCK, at, book

pytestmark = pytest.mark.clock(BOOKING_CLOCK)


def test_the_receptionist_shows_the_qr_code_and_sees_the_patients_move(login):
    booked = book()
    patient = booked.world.patient
    portal.portal_session_reschedule(patient=patient, session=booked.session(2), start=at("2027-03-22 11:00"))
    page = login("receptionist")
    page.goto(f"/patients/{patient.pk}/")
    card = page.get_by_test_id("patient-portal")
    expect(card).to_be_visible()
    card.get_by_role("link", name="QR code to print or show").click()
    expect(page.get_by_test_id("portal-qr")).to_be_visible()
    page.wait_for_load_state()  # the load event comes after the image has loaded
    assert page.get_by_test_id("portal-qr").evaluate("img => img.naturalWidth") > 100
    assert_accessible(page)
    screenshot(page, "portal-desk-qr")
    page.goto(f"/booking/courses/{booked.course.pk}/")
    expect(page.get_by_test_id("patient-changes")).to_contain_text("the patient moved session 2")
    assert_accessible(page)
    screenshot(page, "portal-desk-course")
