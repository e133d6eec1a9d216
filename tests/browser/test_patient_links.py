"""A patient opens the links in her emails on a phone: the change page with the clinic's phone and a
note of the times that suit her, and an old confirm link after the clinic moved the visit.
Screenshots: tests/browser/screenshots/link-change-en.png, link-changed-visit-en.png,
link-change-ar.png, chase-change-request-note.png."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from patients.booking import services as booking
from patients.booking.reschedule import session_reschedule
from patients.reminders.emails import render
from tests.browser.conftest import assert_accessible, screenshot
from tests.patients.booking.world import at, build_world

BOOKED_AT = at("2027-02-01 09:00")

pytestmark = pytest.mark.clock(BOOKED_AT)  # the pages compare March 2027 with now
LINK = re.compile(r"https?://\S*/p/(confirm|change)/[-\w:.]+/")


@pytest.fixture
def phone_page(chromium, live_server):
    context = chromium.new_context(
        reduced_motion="reduce", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def course_for(language: str, zone: str, name: str):
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    world.location.address = "Teşvikiye Caddesi 5\nŞişli, İstanbul"
    world.location.phone = "+90 212 555 01 23"
    world.location.save()
    patient = world.new_patient(first_name=name, language=language, timezone=zone, email=f"{language}@example.test")
    course, _ = booking.course_book(patient=patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=BOOKED_AT)
    return course


def link_in(reminder, purpose: str) -> str:
    text = render(reminder)[1]
    return next(urlsplit(m.group(0)).path for m in LINK.finditer(text) if m.group(1) == purpose)


def test_a_patient_asks_for_another_time_and_later_opens_an_old_link(phone_page, login):
    page = phone_page
    course = course_for("en", "Europe/London", "Emily")
    reminder = course.reminders.get(kind="reminder", session__number=2, offset="7d")

    page.goto(link_in(reminder, "change"))
    visit = page.get_by_test_id("visit")
    expect(visit).to_contain_text("Session 2 of 3")
    expect(visit).to_contain_text("(clinic time, Europe/Istanbul)")
    expect(visit).to_contain_text("(your time, Europe/London)")
    expect(visit).to_contain_text("Teşvikiye Caddesi 5")
    expect(page.get_by_role("link", name="+90 212 555 01 23")).to_have_attribute("href", "tel:+90-212-555-01-23")
    page.get_by_label("Which days and times would suit you? (optional)").fill("Any weekday after 4 pm")
    assert_accessible(page)
    screenshot(page, "link-change-en")
    page.get_by_role("button", name="Please call me to change it").click()
    expect(page.get_by_role("status")).to_have_text("Thank you: the clinic will contact you to find another time.")
    session = course.sessions.get(number=2)
    assert session.change_request_note == "Any weekday after 4 pm"

    desk = login("receptionist")
    desk.goto("/booking/chase/")
    expect(desk.get_by_test_id("change-request-note")).to_have_text("Any weekday after 4 pm")
    assert_accessible(desk)
    screenshot(desk, "chase-change-request-note")

    first = course.sessions.get(number=1)
    old_confirm = link_in(course.reminders.get(kind="confirmation"), "confirm")
    session_reschedule(session=first, start=at("2027-03-01 15:00"), now=BOOKED_AT)
    page.goto(old_confirm)
    expect(page.get_by_test_id("visit-changed")).to_contain_text("This visit has changed.")
    expect(page.get_by_test_id("visit")).to_contain_text("Monday 1 March 2027, 15:00")
    expect(page.get_by_role("button")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "link-changed-visit-en")


def test_the_arabic_change_page_reads_right_to_left(phone_page):
    page = phone_page
    course = course_for("ar", "Asia/Dubai", "فاطمة")
    page.goto(link_in(course.reminders.get(kind="confirmation"), "change"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_label("ما الأيام والأوقات التي تناسبكم؟ (اختياري)")).to_be_visible()
    expect(page.get_by_test_id("clinic-phone")).to_contain_text("هاتف العيادة:")
    assert_accessible(page)
    screenshot(page, "link-change-ar")
