"""The front desk on a tablet in Turkish and in Arabic (right to left): Today, the week calendar
(FullCalendar mirrored for Arabic) and a course's preview in the booking form, translated, laid out
and axe-core clean (axe reads the page's lang and dir too).
Screenshots: tests/browser/screenshots/i18n-{today,calendar,booking-preview}-{tr,ar}.png."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from clinic.models import StaffProfile
from patients.booking import services as booking
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD
from tests.factories import (
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    ProtocolFactory,
    RoomFactory,
    ScreeningFactory,
)
from tests.factories.protocols import session_rows

ISTANBUL = ZoneInfo("Europe/Istanbul")
# Monday 1 February 2027, 10:15 at the clinic: Elif (10:00) is a quarter of an hour late.
CLOCK = "2027-02-01T10:15+03:00"
BOOKED_AT = datetime(2027, 1, 25, 9, 0, tzinfo=ISTANBUL)
TABLET = {"width": 1024, "height": 768}

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock(CLOCK)]

EXPECTED = {
    "tr": {"today": ["Bugün resepsiyonda", "Gecikiyor · ", " dk", "Tarama temiz"],
           "calendar": ["Takvim", "Takvim ayarları"],
           "preview": ["Önizleme", "Planlandı", "Sabah", "3 seansa randevu ver"]},
    "ar": {"today": ["اليوم في الاستقبال", "متأخر · ", "الفحص المسبق سليم"],
           "calendar": ["التقويم", "إعدادات التقويم"],
           "preview": ["المعاينة", "مخطَّطة", "الصباح", "حجز 3 جلسات"]},
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ISTANBUL)


def clinic():
    location = LocationFactory(name="Nişantaşı", timezone="Europe/Istanbul", country="TR")
    for name in ("Ayşe Demir", "Deniz Kaya"):
        PractitionerFactory(location=location, name=name)
    for name in ("A-101", "B-202"):
        RoomFactory(location=location, name=name)
    protocol = ProtocolFactory(status="active", code="PRP-3", name="PRP saç kürü",
                               sessions=session_rows(3, gap=(21, 28, 35), duration_minutes=30))
    patients = {}
    for first, last, start in (("Elif", "Yılmaz", "2027-02-01 10:00"), ("Can", "Öztürk", "2027-02-01 11:30"),
                               ("Selin", "Aksoy", "2027-02-03 09:30"), ("Zeynep", "Arslan", None)):
        patients[first] = PatientFactory(first_name=first, last_name=last, email=f"{first.lower()}@example.test")
        ScreeningFactory(patient=patients[first], taken_at=BOOKED_AT)
        if start:
            booking.course_book(patient=patients[first], protocol=protocol, location=location, start=at(start),
                                now=BOOKED_AT)
    return location, protocol, patients


def log_in(page: Page, make_staff, language: str) -> None:
    user = make_staff("receptionist")
    StaffProfile.objects.create(user=user, language=language)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def in_language(page: Page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} > {width[1]}"


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_today_the_calendar_and_a_preview_in_turkish_and_arabic(chromium, live_server, make_staff, language):
    location, protocol, patients = clinic()
    context = chromium.new_context(reduced_motion="reduce", viewport=TABLET, base_url=live_server.url,
                                   has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, make_staff, language)
        expected = EXPECTED[language]

        page.goto("/booking/today/")
        expect(page.get_by_test_id("today-row")).to_have_count(2)
        in_language(page, language)
        for text in expected["today"]:
            expect(page.locator("main")).to_contain_text(text)
        screenshot(page, f"i18n-today-{language}")
        assert_accessible(page)

        page.goto("/booking/calendar/?view=week&date=2027-02-01")
        calendar = page.get_by_test_id("week-calendar")
        expect(calendar.locator("[data-testid=calendar-event]")).to_have_count(3)
        in_language(page, language)
        # FullCalendar runs in the page's language and direction: mirrored for Arabic.
        direction = "rtl" if language == "ar" else "ltr"
        expect(calendar).to_have_class(re.compile(rf"\bfc-direction-{direction}\b"))
        for text in expected["calendar"]:
            assert text in page.content()
        if language == "ar":
            # Mirrored: Monday's column stands to the right of Tuesday's, the time axis on the right.
            monday = calendar.locator("th.fc-day-mon").first.bounding_box()
            tuesday = calendar.locator("th.fc-day-tue").first.bounding_box()
            assert monday["x"] > tuesday["x"]
        screenshot(page, f"i18n-calendar-{language}")
        assert_accessible(page)

        page.goto(f"/booking/new/?patient={patients['Zeynep'].pk}&location={location.pk}")
        page.locator("#id_protocol").select_option(str(protocol.pk))
        page.locator("#id_start_date").fill("2027-03-01")
        page.locator("#id_start_time").fill("10:00")
        page.locator("button[name=action][value=preview]").first.click()
        preview = page.get_by_test_id("course-preview")
        expect(preview).to_be_visible()
        # Open session 2's free times, as a receptionist would to move it.
        page.get_by_test_id("preview-row-2").locator("button[data-bs-toggle=collapse]").click()
        expect(page.get_by_test_id("slot-grid-2")).to_be_visible()
        in_language(page, language)
        for text in expected["preview"]:
            expect(page.locator("#booking-page")).to_contain_text(text)
        screenshot(page, f"i18n-booking-preview-{language}")
        assert_accessible(page)
    finally:
        context.close()
