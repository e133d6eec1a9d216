"""A receptionist on a tablet, landscape (1024x768) and portrait (768x1024): books a course picking
a time from the slot grid, moves a session onto a busy doctor, reads the clash, takes one of the
nearest free times, and the calendar follows. No page scrolls sideways; axe-core finds nothing
serious. Screenshots: tests/browser/screenshots/tablet-<size>-*.png."""

import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from patients.booking import services as booking
from patients.models import Course
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD
from tests.patients.booking.world import at, build_world

NOW = at("2027-02-15 09:00")
SIZES = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 768, "height": 1024}}


@pytest.fixture
def clinic(db):
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        # Another patient holds Dr. Aydın on Thu 1 Apr 10:00.
        booking.course_book(patient=world.new_patient(), protocol=world.protocol, location=world.location,
                            start=at("2027-04-01 10:00"), practitioner=world.doctors[0], now=NOW)
    return world


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} > {width[1]}"


def check(page: Page, name: str) -> None:
    no_sideways_scroll(page)
    screenshot(page, name)
    assert_accessible(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_receptionist_books_and_moves_a_session_on_a_tablet(chromium, live_server, make_staff, clinic, size):
    with time_machine.travel(NOW, tick=True):
        context = chromium.new_context(
            reduced_motion="reduce", viewport=SIZES[size], base_url=live_server.url, has_touch=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            run(page, make_staff, clinic, f"tablet-{size}")
        finally:
            context.close()


def run(page: Page, make_staff, clinic, prefix: str) -> None:
    user = make_staff("receptionist")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))
    # The navigation folds behind its toggler: Log out is one tap away, never cut off.
    toggler = page.get_by_role("button", name="Toggle navigation")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    check(page, f"{prefix}-home-nav-open")

    page.goto(f"/booking/new/?patient={clinic.patient.pk}")
    page.locator("#id_protocol").select_option(str(clinic.protocol.pk))
    page.get_by_label("Wished start (date)").fill("2027-03-01")
    page.get_by_label("Wished start (time at the clinic)").fill("10:00")
    page.get_by_role("button", name="Preview the course").click()
    expect(page.get_by_test_id("course-preview")).to_be_visible()
    check(page, f"{prefix}-preview")

    # Change the time of session 2: pick Wed 31 Mar, then 14:00 from every free start that day.
    page.get_by_role("button", name="Change time of session 2").click()
    grid = page.get_by_test_id("slot-grid-2")
    expect(grid).to_be_visible()
    grid.get_by_label("Day for session 2").select_option("2027-03-31")
    expect(page.get_by_test_id("slot-grid-2").locator('[data-slot="2027-03-31T17:30"]')).to_be_visible()
    expect(page.get_by_test_id("slot-grid-2").get_by_text("Afternoon")).to_be_visible()
    check(page, f"{prefix}-preview-slot-grid")
    page.get_by_test_id("slot-grid-2").locator('[data-slot="2027-03-31T14:00"]').click()
    expect(page.get_by_test_id("preview-row-2")).to_contain_text("Wed 31 Mar 2027")
    expect(page.get_by_test_id("preview-row-2")).to_contain_text("Your choice")
    check(page, f"{prefix}-preview-picked")

    page.get_by_role("button", name="Book 3 sessions").click()
    page.wait_for_url(re.compile(r"/booking/courses/\d+/$"))
    course = Course.objects.get(patient=clinic.patient)
    assert course.sessions.get(number=2).start == at("2027-03-31 14:00")
    check(page, f"{prefix}-course")

    # Move session 2 onto Dr. Aydın's busy 10:00 on Thu 1 Apr: the clash is named, free times offered.
    page.get_by_role("link", name="Manage session 2").click()
    modal = page.locator("#session-modal")
    expect(modal.get_by_test_id("session-panel")).to_be_visible()
    # Six weeks ahead: only "Confirm" is offered, and the panel says when the others open.
    expect(modal.get_by_role("button", name="Arrived")).to_have_count(0)
    expect(modal.get_by_test_id("status-waits")).to_contain_text("can be marked arrived from that day on")
    check(page, f"{prefix}-session-panel")
    modal.get_by_text("Move this session").click()
    modal.get_by_label("New date").fill("2027-04-01")
    modal.get_by_label("New time (at the clinic)").fill("10:00")
    modal.get_by_role("button", name="Preview the move").click()
    expect(modal.get_by_test_id("move-clash").first).to_have_text("Dr. Aydın has another patient 10:00–10:30.")
    suggestions = modal.get_by_test_id("move-suggestions").get_by_role("button")
    expect(suggestions.first).to_be_visible()
    check(page, f"{prefix}-move-clash")
    suggestions.first.click()
    expect(modal.get_by_test_id("move-preview")).to_be_visible()
    check(page, f"{prefix}-move-preview")
    modal.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text(re.compile("Session 2 moved to Thu 1 Apr 2027"))).to_be_visible()
    check(page, f"{prefix}-course-after-move")

    # From the calendar: move it once more and the calendar follows it to its new day.
    moved = course.sessions.get(number=2)
    page.goto(f"/booking/calendar/?location={clinic.location.pk}&date=2027-04-01")
    expect(page.get_by_test_id("calendar-session")).to_have_count(2)
    check(page, f"{prefix}-calendar-day")
    page.locator(f'[data-testid="calendar-session"][href*="/sessions/{moved.pk}/"]').click()
    modal.get_by_text("Move this session").click()
    modal.get_by_label("New date").fill("2027-04-02")
    modal.get_by_label("New time (at the clinic)").fill("11:00")
    modal.get_by_role("button", name="Preview the move").click()
    modal.get_by_role("button", name="Confirm the move").click()
    page.wait_for_url(re.compile(r"date=2027-04-02"))
    expect(page.get_by_test_id("calendar-session")).to_have_count(1)
    check(page, f"{prefix}-calendar-followed")

    page.goto("/booking/chase/")
    check(page, f"{prefix}-chase")
    page.goto("/reminders/")
    check(page, f"{prefix}-reminders")


@pytest.mark.parametrize("width,folded", [(1024, True), (1100, False), (1180, False)])
def test_the_navigation_folds_below_1100_px_and_never_scrolls_sideways(chromium, live_server, make_staff, width,
                                                                       folded):
    context = chromium.new_context(
        reduced_motion="reduce", viewport={"width": width, "height": 768}, base_url=live_server.url)
    page = context.new_page()
    try:
        user = make_staff("admin")  # sees every section
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r".*/$"))
        toggler = page.get_by_role("button", name="Toggle navigation")
        if folded:
            expect(toggler).to_be_visible()
            toggler.click()
        else:
            expect(toggler).to_be_hidden()
        log_out = page.get_by_role("button", name="Log out")
        expect(log_out).to_be_visible()
        box = log_out.bounding_box()
        assert box["x"] + box["width"] <= width
        no_sideways_scroll(page)
        screenshot(page, f"nav-{width}")
    finally:
        context.close()
