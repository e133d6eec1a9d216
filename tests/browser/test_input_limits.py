"""Hostile input on the pages gets a message by its field: a NUL typed into the desk search, a
wished start in year 9999, a calendar day beyond the planning horizon (issue "Production-ready",
point 9). Screenshots: tests/browser/screenshots/inputs-*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import PatientFactory
from tests.patients.booking.world import build_world


@pytest.fixture
def clinic(db):
    PatientFactory(first_name="Ayşe", last_name="Yılmaz")
    return build_world()


def test_a_nul_in_the_desk_search_is_explained_by_the_box(login, clinic):
    page = login("receptionist")
    page.goto("/patients/")
    page.get_by_label("Search by name, email or phone").fill("Yıl\x00maz")
    expect(page.locator("#patient-search-error")).to_have_text("Null characters are not allowed.")
    screenshot(page, "inputs-desk-search-nul")
    assert_accessible(page)
    page.get_by_label("Search by name, email or phone").fill("Yılmaz")
    expect(page.locator("#patient-search-error")).to_have_text("")
    expect(page.get_by_role("link", name="Yılmaz, Ayşe")).to_be_visible()


def test_a_wished_start_in_year_9999_is_explained_by_the_field(login, clinic):
    page = login("receptionist")
    page.goto(f"/booking/new/?patient={clinic.patient.pk}&location={clinic.location.pk}")
    page.locator("#id_protocol").select_option(str(clinic.protocol.pk))
    page.get_by_label("Wished start (date)").fill("9999-12-31")
    page.get_by_label("Wished start (time at the clinic)").fill("10:00")
    page.get_by_role("button", name="Preview the course").click()
    expect(page.locator("#error_1_id_start_date")).to_contain_text("Plans reach at most 5 years ahead")
    expect(page.get_by_test_id("course-preview")).to_have_count(0)
    screenshot(page, "inputs-booking-year-9999")
    assert_accessible(page)


def test_a_calendar_day_beyond_the_horizon_is_explained_by_the_date(login, clinic):
    page = login("receptionist")
    page.goto(f"/booking/calendar/?location={clinic.location.pk}&date=9999-12-31")
    expect(page.locator("#cal-date-error")).to_contain_text("Plans reach at most 5 years ahead")
    screenshot(page, "inputs-calendar-year-9999")
    assert_accessible(page)
