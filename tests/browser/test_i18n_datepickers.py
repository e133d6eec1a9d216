"""The booking form's date picker on a front-desk tablet, in Turkish, Arabic (right to left) and
English: the field writes the date as the page does ("15 Mar 2027", "15 مارس 2027"), the open
calendar names months and weekdays in the language, a day picked in it reaches the server as the
ISO date (the preview plans from it), and axe-core finds nothing with the calendar open. And an
Arabic-speaking patient on a phone picks the day to move a visit to, only inside its window; in a
session's modal the calendar opens inside the modal and Escape closes the time picker.
Screenshots: tests/browser/screenshots/i18n-datepicker-{tr,ar,en}.png and portal-datepicker-ar.png
(the calendar open)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from patients.booking import services as booking
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_i18n_desk import CLOCK, TABLET, clinic, log_in
from tests.browser.test_portal_phone import course_for, portal_path
from tests.patients.booking.world import ISTANBUL, at, build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock(CLOCK)]

EXPECTED = {
    "tr": {"typed": "1 Mar 2027", "picked": "15 Mar 2027", "month": "Mart", "weekdays": ["Pzt", "Sal", "Paz"]},
    "ar": {"typed": "1 مارس 2027", "picked": "15 مارس 2027", "month": "مارس",
           "weekdays": ["إثنين", "ثلاثاء", "أحد"]},
    "en": {"typed": "1 Mar 2027", "picked": "15 Mar 2027", "month": "March", "weekdays": ["Mon", "Tue", "Sun"]},
}


ARABIC_MONTHS = ["يناير", "فبراير", "مارس", "إبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
                 "نوفمبر", "ديسمبر"]


def open_calendar(page: Page):
    page.locator("#id_start_date").click()
    calendar = page.locator(".flatpickr-calendar.open")
    expect(calendar).to_be_visible()
    return calendar


@pytest.mark.parametrize("language", ["tr", "ar", "en"])
def test_the_booking_forms_date_picker_speaks_the_staff_members_language(chromium, live_server, make_staff,
                                                                         language):
    location, protocol, patients = clinic()
    context = chromium.new_context(reduced_motion="reduce", viewport=TABLET, base_url=live_server.url,
                                   has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    expected = EXPECTED[language]
    try:
        log_in(page, make_staff, language)
        page.goto(f"/booking/new/?patient={patients['Zeynep'].pk}&location={location.pk}")
        page.locator("#id_protocol").select_option(str(protocol.pk))

        # Typed as ISO (a keyboard, or the other tests), shown as the page writes dates; the
        # label names the field a person sees.
        field = page.locator("#id_start_date")
        assert field.get_attribute("type") == "text"
        label = page.locator("label[for=id_start_date]").inner_text().rstrip("*")
        expect(page.get_by_label(label)).to_have_attribute("id", "id_start_date")
        field.fill("2027-03-01")
        field.press("Tab")
        expect(field).to_have_value(expected["typed"])
        expect(page.locator("input[type=hidden][name=start_date]")).to_have_value("2027-03-01")

        # The calendar: the month and weekdays in the language, Arabic's mirrored.
        calendar = open_calendar(page)
        expect(calendar.locator(".flatpickr-monthDropdown-months option:checked")).to_have_text(expected["month"])
        weekdays = calendar.locator(".flatpickr-weekday")
        names = [name.strip() for name in weekdays.all_inner_texts()]
        for name in expected["weekdays"]:
            assert name in names, names
        first, last = weekdays.first.bounding_box(), weekdays.last.bounding_box()
        if language == "ar":
            assert calendar.get_attribute("dir") == "rtl"
            assert first["x"] > last["x"], "the week does not run right to left"
        else:
            assert first["x"] < last["x"]
        if language in ("tr", "en"):
            assert names[0] == ("Pzt" if language == "tr" else "Sun")  # the locale's first day
        screenshot(page, f"i18n-datepicker-{language}")
        assert_accessible(page)

        # A day picked in the calendar: shown in the language, submitted as ISO, planned from.
        calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15").first.click()
        expect(calendar).to_be_hidden()
        expect(field).to_have_value(expected["picked"])
        expect(page.locator("input[type=hidden][name=start_date]")).to_have_value("2027-03-15")
        page.locator("#id_start_time").fill("10:00")
        page.locator("button[name=action][value=preview]").first.click()
        expect(page.get_by_test_id("course-preview")).to_be_visible()
        expect(page.get_by_test_id("preview-row-1")).to_contain_text(expected["picked"])
        # The form swapped in again still has its picker, with the date the server kept.
        expect(page.locator("#id_start_date")).to_have_value(expected["picked"])
        expect(page.locator("#id_start_time")).to_have_value("10:00")
    finally:
        context.close()


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(reduced_motion="reduce", viewport={"width": 360, "height": 780},
                                   base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_a_patient_picks_a_day_in_arabic_on_a_phone_inside_the_visits_window(phone):
    # The portal is in the patient's language: the day to move a visit to, inside its window only.
    course = course_for("ar", "Asia/Dubai", "Omar")
    session = course.sessions.get(number=2)
    earliest, latest = session.window_earliest, session.window_latest
    page = phone
    page.goto(portal_path(course.reminders.get(kind="reminder", session__number=1, offset="7d")))
    page.get_by_test_id("move-2").click()
    field = page.locator("#move-day")
    expect(field).to_have_value(re.compile(r"^\d{1,2} \S+ 2027$"))
    assert field.get_attribute("required") is not None

    field.click()
    calendar = page.locator(".flatpickr-calendar.open")
    expect(calendar).to_be_visible()
    expect(calendar).to_have_attribute("dir", "rtl")
    expect(calendar.locator(".flatpickr-monthDropdown-months option:checked")).to_have_text(
        ARABIC_MONTHS[earliest.month - 1])
    days = calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)")
    before = earliest - timedelta(days=1)
    if before.month == earliest.month:
        expect(days.get_by_text(str(before.day), exact=True)).to_have_class(re.compile(r"\bflatpickr-disabled\b"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-datepicker-ar")
    assert_accessible(page)

    chosen = earliest + timedelta(days=1) if earliest < latest else earliest
    days.get_by_text(str(chosen.day), exact=True).click()
    expect(calendar).to_be_hidden()
    expect(field).to_have_value(f"{chosen.day} {ARABIC_MONTHS[chosen.month - 1]} {chosen.year}")
    page.get_by_role("button", name="اعرض الأوقات المتاحة").click()
    page.wait_for_url(re.compile(rf"date={chosen.isoformat()}"))


def test_in_a_sessions_modal_the_calendar_opens_inside_it_and_escape_closes_the_time_picker(login):
    # A Bootstrap modal keeps focus inside itself: a calendar on <body> would lose every click.
    world = build_world(sessions=3, gap=(12, 14, 17), screened_at=at("2027-01-30 09:00"))
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=at("2027-02-01 09:00"))
    session = course.sessions.get(number=2)
    day = session.start.astimezone(ISTANBUL).date()
    page = login("receptionist")
    page.goto(f"/booking/calendar/?location={world.location.pk}&date={day.isoformat()}")
    page.locator(f'[data-testid="calendar-session"][href*="/sessions/{session.pk}/"]').click()
    modal = page.locator("#session-modal")
    modal.get_by_text("Move this session").click()

    modal.get_by_label("New date").click()
    calendar = modal.locator(".flatpickr-calendar.open")
    expect(calendar).to_be_visible()
    chosen = day + timedelta(days=1)
    if chosen.month != day.month:
        calendar.locator(".flatpickr-next-month").click()
    calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)").get_by_text(
        str(chosen.day), exact=True).click()
    expect(calendar).to_be_hidden()
    expect(modal.get_by_label("New date")).to_have_value(f"{chosen.day} {chosen:%b} {chosen.year}")
    expect(modal.locator("input[type=hidden][name=date]")).to_have_value(chosen.isoformat())

    time = modal.get_by_label("New time (at the clinic)")
    time.click()
    expect(modal.locator(".flatpickr-calendar.open")).to_be_visible()
    time.press("Escape")
    expect(modal.locator(".flatpickr-calendar.open")).to_have_count(0)
    time.fill("10:00")
    modal.get_by_role("button", name="Preview the move").click()
    expect(modal).to_contain_text(f"{chosen.day} {chosen:%b} {chosen.year}")
