"""A receptionist books a 5-session course through the pages, moves session 2 and sees sessions 3
to 5 re-fitted, cancels one, then looks at the calendar and "To chase" (issue #5, point 5)."""

import re

import pytest
from playwright.sync_api import expect

from patients.models import Course
from tests.browser.conftest import assert_accessible, screenshot
from tests.patients.booking.world import BOOKING_CLOCK, at, build_world

pytestmark = pytest.mark.clock(BOOKING_CLOCK)  # it books March 2027


@pytest.fixture
def clinic(db):
    # Gaps of 14 days (12 to 17): moving session 2 three days later pushes every later session
    # out of its window, so the cascade has to re-fit them.
    return build_world(sessions=5, gap=(12, 14, 17))


def test_a_receptionist_books_moves_and_cancels_through_the_pages(login, clinic):
    page = login("receptionist")
    page.on("dialog", lambda dialog: dialog.accept())

    # From the patient's page to "Book a course", the patient already chosen.
    page.goto(f"/patients/{clinic.patient.pk}/")
    page.get_by_role("link", name="Book a course").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a course")
    page.wait_for_load_state()  # the date pickers have replaced their fields
    expect(page.locator("#id_patient")).to_have_value(str(clinic.patient.pk))
    page.locator("#id_protocol").select_option(str(clinic.protocol.pk))
    page.get_by_label("Wished start (date)").fill("2027-03-01")
    page.get_by_label("Wished start (time at the clinic)").fill("10:00")
    screenshot(page, "booking-form")
    assert_accessible(page)

    page.get_by_role("button", name="Preview the course").click()
    preview = page.get_by_test_id("course-preview")
    expect(preview).to_be_visible()
    for number in range(1, 6):
        expect(page.get_by_test_id(f"preview-row-{number}")).to_contain_text("Planned")
    expect(page.get_by_test_id("preview-row-2")).to_contain_text("Mon 15 Mar 2027")
    screenshot(page, "booking-preview")
    assert_accessible(page)

    page.get_by_role("button", name="Book 5 sessions").click()
    page.wait_for_url(re.compile(r"/booking/courses/\d+/$"))
    expect(page.get_by_text("Course booked: 5 sessions.")).to_be_visible()
    course = Course.objects.get(patient=clinic.patient)
    assert course.sessions.count() == 5
    expect(page.get_by_test_id("course-timeline")).to_be_visible()
    screenshot(page, "booking-course")
    assert_accessible(page)

    # Move session 2 three days later: the preview shows sessions 3 to 5 re-fitted before confirming.
    page.get_by_role("link", name="Manage session 2").click()
    modal = page.locator("#session-modal")
    expect(modal.get_by_test_id("session-panel")).to_be_visible()
    modal.get_by_text("Move this session").click()
    modal.get_by_label("New date").fill("2027-03-18")
    modal.get_by_label("New time (at the clinic)").fill("10:00")
    modal.get_by_role("button", name="Preview the move").click()
    moves = modal.get_by_test_id("cascade-move")
    expect(moves).to_have_count(3)
    expect(moves.nth(0)).to_contain_text("Session 3")
    expect(moves.nth(2)).to_contain_text("Thu 29 Apr 2027 10:00")
    assert course.sessions.get(number=2).start == at("2027-03-15 10:00")  # nothing moved yet
    screenshot(page, "booking-move-preview")
    assert_accessible(page)

    modal.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text(re.compile("Session 2 moved to .* Re-fitted: session 3"))).to_be_visible()
    expected = {2: "Thu 18 Mar 2027", 3: "Thu 1 Apr 2027", 4: "Thu 15 Apr 2027", 5: "Thu 29 Apr 2027"}
    for number, day in expected.items():
        expect(page.get_by_test_id(f"session-row-{number}").get_by_test_id("session-time")).to_contain_text(day)
    screenshot(page, "booking-course-after-move")
    assert_accessible(page)

    # Cancel session 5, with a reason and a confirmation.
    page.get_by_role("link", name="Manage session 5").click()
    expect(modal.get_by_test_id("session-panel")).to_contain_text("Session 5")
    modal.get_by_text("Cancel this session").click()
    modal.get_by_label("Reason for cancelling").fill("Travelling for work")
    modal.get_by_role("button", name="Cancel session 5").click()
    expect(page.get_by_text("Session 5 cancelled; the patient will be told.")).to_be_visible()
    expect(page.get_by_test_id("session-row-5").get_by_test_id("session-status")).to_have_text("Cancelled")
    expect(page.locator("#rebook-5")).to_be_visible()
    assert course.sessions.get(number=5).status == "cancelled"
    screenshot(page, "booking-course-after-cancel")
    assert_accessible(page)

    # The calendar: a day with a column per practitioner, and the week.
    page.goto(f"/booking/calendar/?location={clinic.location.pk}&date=2027-03-18")
    expect(page.get_by_test_id("calendar-session")).to_have_count(1)
    expect(page.get_by_test_id("day-grid")).to_contain_text("Dr. Aydın")
    screenshot(page, "booking-calendar-day")
    assert_accessible(page)
    page.get_by_test_id("calendar-session").click()
    expect(page.locator("#session-modal").get_by_test_id("session-panel")).to_contain_text("Session 2")
    # Faded in (read by Playwright, not by a script the page's CSP would refuse to evaluate).
    expect(page.locator("#session-modal")).to_have_css("opacity", "1")
    screenshot(page, "booking-calendar-day-panel")

    page.goto(f"/booking/calendar/?location={clinic.location.pk}&date=2027-03-18&view=week")
    expect(page.locator("[data-testid=calendar-event]")).to_have_count(1)
    screenshot(page, "booking-calendar-week")
    assert_accessible(page)

    # "To chase" lists the cancelled session 5, and "Book" leads back to the course to re-book it.
    page.get_by_role("link", name="To chase").first.click()
    row = page.get_by_test_id("chase-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Session 5")
    screenshot(page, "booking-chase")
    assert_accessible(page)
    row.get_by_role("link", name=re.compile("Book")).click()
    page.wait_for_url(re.compile(rf"/booking/courses/{course.pk}/#rebook-5$"))
