"""The demo clinic as a newcomer sees it after `make run`: a full Today at each location, a full
calendar, "To chase", the reminder history, and a patient with a completed course."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clinic.models import Location
from patients.models import Course
from tests.browser.conftest import assert_accessible, screenshot

# A Wednesday, mid-day at both locations (Istanbul 15:00, Madrid 13:00).
pytestmark = pytest.mark.clock("2027-02-17T12:00+00:00")


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--force", stdout=StringIO())


def test_a_newcomer_sees_a_clinic_that_looks_lived_in(demo, login):
    page = login("receptionist")
    for location in Location.objects.order_by("name"):
        page.goto(f"/booking/today/?location={location.pk}&who=all")
        rows = page.get_by_test_id("today-row")
        expect(rows.first).to_be_visible()
        assert rows.count() >= 3, location.name
        screenshot(page, f"demo-today-{location.timezone.split('/')[1].lower()}")
    assert_accessible(page)

    istanbul = Location.objects.get(timezone="Europe/Istanbul")
    page.goto(f"/booking/calendar/?location={istanbul.pk}")
    expect(page.locator(".day-grid-session").first).to_be_visible()
    assert page.locator(".day-grid-session").count() >= 3
    screenshot(page, "demo-calendar-day")
    page.goto(f"/booking/calendar/?location={istanbul.pk}&view=week")
    expect(page.locator(".fc-event").first).to_be_visible()
    assert page.locator(".fc-event").count() >= 10
    screenshot(page, "demo-calendar-week")

    page.goto("/booking/chase/")
    expect(page.get_by_text(re.compile("No-show|no-show")).first).to_be_visible()
    screenshot(page, "demo-chase")
    assert_accessible(page)

    page.goto("/reminders/")
    expect(page.get_by_text("Sent").first).to_be_visible()
    screenshot(page, "demo-reminders")


def test_a_doctor_opens_a_completed_course_with_its_records(demo, login):
    page = login("doctor")
    course = Course.objects.filter(status="completed", protocol__code="EXO-AGA-3x6W").first()
    page.goto(f"/patients/{course.patient_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(course.patient.last_name)
    screenshot(page, "demo-patient")
    page.goto(f"/booking/courses/{course.pk}/")
    expect(page.get_by_text("Completed").first).to_be_visible()
    screenshot(page, "demo-course")
    assert_accessible(page)
