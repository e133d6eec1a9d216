"""A receptionist reads the reminder log, retries a failed email and opens emails as the patients saw
them, in English (a London patient) and Arabic (a Dubai patient). Screenshots:
tests/browser/screenshots/reminder-log.png, reminder-detail-{en,ar}.png, email-reminder-{en,ar}.png."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from patients.booking import services as booking
from patients.models import Reminder
from patients.reminders.dispatch import reminder_dispatch_due
from patients.reminders.emails import signed_link
from tests.browser.conftest import SCREENSHOTS, assert_accessible, screenshot
from tests.helpers import SmtpSink
from tests.patients.booking.world import at, build_world

BOOKED_AT = at("2027-02-01 09:00")

pytestmark = pytest.mark.clock(BOOKED_AT)  # the pages compare March 2027 with now


@pytest.fixture
def smtp(settings):
    sink = SmtpSink().start()
    settings.MAILERS = sink.mailers()
    yield sink
    sink.stop()


@pytest.fixture
def emails(smtp):
    """Two patients' courses with their confirmations and the session-2 reminders sent, and one
    failed email for the retry button."""
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    london = world.new_patient(first_name="Emily", last_name="Carter", language="en", timezone="Europe/London",
                               email="emily@example.co.uk")
    dubai = world.new_patient(first_name="فاطمة", last_name="المنصوري", language="ar", timezone="Asia/Dubai",
                              email="fatima@example.ae")
    courses = {}
    for key, patient, start in (("en", london, "2027-03-01 10:00"), ("ar", dubai, "2027-03-01 11:00")):
        courses[key], _ = booking.course_book(patient=patient, protocol=world.protocol, location=world.location,
                                              start=at(start), now=BOOKED_AT)
    reminder_dispatch_due(now=BOOKED_AT)
    sent = {}
    for key, course in courses.items():
        reminder = course.reminders.get(kind="reminder", session__number=2, offset="24h")
        reminder_dispatch_due(now=reminder.send_at)
        reminder.refresh_from_db()
        assert reminder.status == "sent", reminder.last_error
        sent[key] = reminder
    failed = courses["en"].reminders.get(kind="reminder", session__number=3, offset="7d")
    Reminder.objects.filter(pk=failed.pk).update(
        status="failed", attempts=5, last_error="SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable"
    )
    return {"sent": sent, "failed": failed, "london": london, "dubai": dubai}


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def shoot_email(page: Page, name: str, *, width: int = 640) -> None:
    """The email alone, as a mail client about this wide shows it: the frame's own HTML."""
    html = page.get_by_test_id("email-frame").get_attribute("srcdoc")
    assert html and "<script" not in html
    mail = page.context.new_page()
    mail.set_viewport_size({"width": width, "height": 900})
    mail.set_content(html)
    SCREENSHOTS.mkdir(exist_ok=True)
    mail.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert no_sideways_scroll(mail), "the email scrolls sideways"
    mail.close()


def test_a_receptionist_reads_the_log_retries_and_sees_emails_as_patients_did(login, emails):
    page = login("receptionist")
    page.on("dialog", lambda dialog: dialog.accept())

    # The nav's failed count arrives after the page.
    nav_link = page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Reminders")
    expect(nav_link.locator(".badge.text-bg-danger")).to_have_text("1 failed")
    nav_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    failed_row = page.locator(f'tr[data-reminder="{emails["failed"].pk}"]')
    expect(failed_row.locator(".badge")).to_have_text("Failed")
    expect(failed_row).to_contain_text("mailbox unavailable")
    sent_count = Reminder.objects.filter(status="sent").count()
    expect(page.locator('[data-status-count="sent"] .badge')).to_have_text(str(sent_count))
    assert_accessible(page)
    assert no_sideways_scroll(page)
    screenshot(page, "reminder-log")

    page.get_by_label("Status", exact=True).select_option("failed")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    failed_row.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("alert")).to_contain_text("is queued again")
    emails["failed"].refresh_from_db()
    assert emails["failed"].status == "pending"
    expect(page.get_by_text("No email matches these filters.")).to_be_visible()

    for key in ("en", "ar"):
        reminder = emails["sent"][key]
        page.goto(f"/reminders/{reminder.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Reminder email #{reminder.pk}")
        expect(page.get_by_test_id("preview-label")).to_have_count(0)
        frame = page.frame_locator('[data-testid="email-frame"]')
        if key == "en":
            expect(frame.get_by_text("Session 2 of 3")).to_be_visible()
            expect(frame.get_by_text("your time, Europe/London")).to_be_visible()
        else:
            expect(frame.locator("html")).to_have_attribute("dir", "rtl")
            expect(frame.get_by_text("الجلسة 2 من 3")).to_be_visible()
            expect(frame.get_by_text("بتوقيتكم، Asia/Dubai")).to_be_visible()
        assert_accessible(page)
        assert no_sideways_scroll(page)
        screenshot(page, f"reminder-detail-{key}")
        page.get_by_role("tab", name="Plain text").click()
        expect(page.locator("#text-pane pre")).to_contain_text(reminder.rendered_text.strip().splitlines()[0])
        page.get_by_role("tab", name="Email").click()
        shoot_email(page, f"email-reminder-{key}")

    # The patient page lists their emails (7, under the ten shown); a pending one is a labelled preview.
    page.goto(f"/patients/{emails['dubai'].pk}/")
    section = page.locator("#reminders")
    expect(section.locator("tbody tr")).to_have_count(Reminder.objects.filter(patient=emails["dubai"]).count())
    assert_accessible(page)
    section.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("preview-label")).to_have_text("Preview: not sent yet")


def test_the_arabic_patient_confirms_through_the_link_in_her_email(page, emails):
    reminder = emails["sent"]["ar"]
    session = reminder.session
    page.goto(urlsplit(signed_link("confirm", session.pk, session.patient_id)).path)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(page)
    screenshot(page, "link-confirm-ar")
    page.get_by_role("button", name="سأحضر").click()
    expect(page.get_by_role("status")).to_have_text("شكرًا لكم: لقد سجّلنا أنكم ستحضرون.")
    session.refresh_from_db()
    assert session.status == "confirmed"
