"""The patient's own page on a phone (360 px wide). An Arabic-speaking patient opens the link in
the reminder before session 1, moves session 2 to another day inside its window (session 3 is
re-fitted), answers the health questions and signs the consent; then the English pages.
Screenshots: tests/browser/screenshots/portal-ar-*.png and portal-en-*.png."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from patients.booking import services as booking
from patients.models import Screening
from patients.reminders.emails import render
from tests.browser.conftest import assert_accessible, screenshot
from tests.patients.booking.world import at, build_world
from tests.patients.consent.world import active

BOOKED_AT = at("2027-02-01 09:00")
PORTAL_LINK = re.compile(r"https?://\S*/portal/[-\w.]*:[-\w:.]+/")

pytestmark = pytest.mark.clock(BOOKED_AT)


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(reduced_motion="reduce", viewport={"width": 360, "height": 780},
                                   base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def course_for(language: str, zone: str, name: str):
    # Screened ten days ago: by session 1 the screening is too old, so the patient fills it at home.
    world = build_world(gap=(21, 28, 30), screened_at=BOOKED_AT - timedelta(days=10))
    world.location.address = "Teşvikiye Caddesi 5\nŞişli, İstanbul"
    world.location.save()
    patient = world.new_patient(first_name=name, language=language, timezone=zone, email=f"{language}@example.test")
    course, _ = booking.course_book(patient=patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=BOOKED_AT)
    return course


def portal_path(reminder) -> str:
    subject, text, html, _ = render(reminder)
    return urlsplit(PORTAL_LINK.search(text).group(0)).path


def fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_arabic_speaking_patient_moves_a_session_fills_the_screening_and_signs_on_a_phone(phone):
    page = phone
    document = active("CONSENT-T")
    course = course_for("ar", "Asia/Dubai", "Omar")
    reminder = course.reminders.get(kind="reminder", session__number=1, offset="7d")
    text = render(reminder)[1]
    assert "الأسئلة الصحية" in text  # the reminder before session 1 names what is missing
    page.goto(portal_path(reminder))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("pending-forms")).to_be_visible()
    expect(page.get_by_test_id("session-1")).to_contain_text("بتوقيتك")  # Dubai differs from Istanbul
    fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "portal-ar-home")

    three_before = course.sessions.get(number=3).start
    page.get_by_test_id("move-2").click()
    page.wait_for_url("**/move/**")  # its load event: the day picker has replaced its field
    page.get_by_label("اختر يومًا").fill("2027-03-22")
    page.get_by_role("button", name="اعرض الأوقات المتاحة").click()
    free = page.get_by_test_id("free-times")
    expect(free).to_be_visible()
    fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "portal-ar-move")
    free.locator("label").filter(has_text=re.compile(r"^\s*11:00")).first.click()
    page.get_by_role("button", name="انقل موعدي إلى هذا الوقت").click()
    expect(page.get_by_test_id("moved")).to_be_visible()
    expect(page.get_by_test_id("also-moved")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "portal-ar-moved")
    two, three = course.sessions.get(number=2), course.sessions.get(number=3)
    assert two.start == at("2027-03-22 11:00")
    assert three.start != three_before and three.window_earliest <= three.start.date() <= three.window_latest

    page.get_by_role("link", name="العودة إلى مواعيدي").click()
    page.get_by_role("link", name="أجب عن الأسئلة الصحية").click()
    expect(page.get_by_test_id("screening-form")).to_be_visible()  # .all() below does not wait for it
    for fieldset in page.get_by_test_id("screening-form").locator("fieldset").all():
        fieldset.get_by_label("لا", exact=True).check()
    fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "portal-ar-screening")
    page.get_by_role("button", name="أرسل إجاباتي").click()
    expect(page.get_by_test_id("screening-done")).to_be_visible()
    assert Screening.objects.filter(patient=course.patient, reported_by="patient").exists()

    page.get_by_role("link", name="العودة إلى مواعيدي").click()
    page.get_by_role("link", name=re.compile("اقرأ ووقّع")).click()
    expect(page.get_by_test_id("consent-text")).to_contain_text("تجريبي")
    page.get_by_label("اسمك الكامل").fill("عمر الأحمد")
    page.get_by_label(re.compile("قرأت هذا النص")).check()
    fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "portal-ar-consent")
    page.get_by_role("button", name="وقّع").click()
    expect(page.get_by_test_id("pending-forms")).to_have_count(0)
    signature = document.signatures.get()
    assert signature.patient_id == course.patient_id and signature.language == "ar"
    assert_accessible(page)
    screenshot(page, "portal-ar-home-after")


def test_an_english_patient_on_a_phone(phone):
    page = phone
    course = course_for("en", "Europe/London", "Emily")
    reminder = course.reminders.get(kind="reminder", session__number=2, offset="7d")
    page.goto(portal_path(reminder))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_test_id("session-1")).to_contain_text("your time, Europe/London")
    expect(page.get_by_test_id("instructions")).to_contain_text("Come with clean, dry hair")
    fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "portal-en-home")
    page.get_by_test_id("move-2").click()
    page.wait_for_url("**/move/**")  # its load event: the day picker has replaced its field
    page.get_by_label("Choose a day").fill("2027-03-31")
    page.get_by_role("button", name="Show free times").click()
    page.wait_for_url("**date=2027-03-31**")  # the day's page has loaded (mid-way it has no document yet)
    fits_the_screen(page)
    assert_accessible(page)
    screenshot(page, "portal-en-move")
    page.goto("/portal/sign-in/")
    page.get_by_label("Your email address").fill("nobody@example.test")
    page.get_by_role("button", name="Email me a new link").click()
    expect(page.get_by_test_id("link-sent")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "portal-en-sign-in")
