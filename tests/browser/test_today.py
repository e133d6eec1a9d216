"""The receptionist's home on a tablet in portrait (768x1024): the day at the desk, a tap on
Arrived, the consent refusal for a patient who has not signed, a late patient marked in words;
then tomorrow's list printed on one A4 page. Screenshots: tests/browser/screenshots/today-*.png."""

import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from patients.booking import services as booking
from patients.booking.status import session_set_status
from patients.models import Session
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD
from tests.patients.booking.world import at, build_world
from tests.patients.consent.world import active, sign

BOOKED_AT = at("2027-02-15 09:00")
AT_THE_DESK = at("2027-03-01 10:08")  # Monday: the 09:30 patient is late, the 10:00 one not yet
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def clinic(db):
    with time_machine.travel(BOOKED_AT, tick=False):
        world = build_world()
        document = active("CONSENT-T")
        people = {}
        for name, when in (("Kerem", "2027-03-01 09:30"), ("Deniz", "2027-03-01 10:00"),
                           ("Elif", "2027-03-01 11:00")):
            patient = world.new_patient(first_name=name, last_name="Yılmaz")
            booking.course_book(patient=patient, protocol=world.protocol, location=world.location, start=at(when),
                                now=BOOKED_AT)
            if name != "Deniz":  # Deniz has not signed
                sign(patient, document)
            people[name] = patient
        # Tomorrow: a normal day, both doctors busy all morning.
        for i in range(14):
            patient = world.new_patient(first_name=f"Patient{i + 1}", last_name="Demir")
            start = f"2027-03-02 {9 + (i // 2) // 2:02d}:{30 * ((i // 2) % 2):02d}"
            booking.course_book(patient=patient, protocol=world.protocol, location=world.location, start=at(start),
                                now=BOOKED_AT)
    return world, people


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} > {width[1]}"


def world_session(patient) -> Session:
    return Session.objects.get(patient=patient, number=1)


def row_of(page: Page, first_name: str):
    return page.get_by_test_id("today-row").filter(has_text=f"{first_name} Yılmaz")


def test_the_receptionist_runs_the_day_from_the_home_page(chromium, live_server, make_staff, clinic):
    world, people = clinic
    user = make_staff("receptionist")
    with time_machine.travel(AT_THE_DESK, tick=True):
        context = chromium.new_context(reduced_motion="reduce", viewport=TABLET, base_url=live_server.url,
                                       has_touch=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(user.username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(re.compile(r".*/$"))

            # The home page is the day: three sessions in time order, Kerem's (09:30) late, in words.
            rows = page.get_by_test_id("today-row")
            expect(rows).to_have_count(3)
            expect(rows.nth(0)).to_contain_text("Kerem Yılmaz")
            late = row_of(page, "Kerem").get_by_test_id("today-late")
            expect(late).to_have_text(re.compile(r"Running late · 3\d min"))
            expect(row_of(page, "Elif").get_by_test_id("today-late")).to_have_count(0)
            expect(row_of(page, "Deniz").get_by_test_id("today-consent")).to_have_text(re.compile("To sign: CONSENT-T"))
            expect(page.get_by_test_id("today-late-count")).to_have_text(re.compile("1 running late"))
            no_sideways_scroll(page)
            screenshot(page, "today-home-portrait")
            assert_accessible(page)

            # The list follows what happens elsewhere without a reload (as the 30 s poll does).
            session_set_status(session=world_session(people["Kerem"]), status="no_show")
            page.evaluate("htmx.trigger('#today-list', 'today-refresh')")
            expect(row_of(page, "Kerem").get_by_test_id("today-status")).to_have_text("No-show")

            # One tap: Elif (signed) has arrived; the row says so and offers the undo.
            row_of(page, "Elif").get_by_role("button", name=re.compile("^Arrived")).click()
            expect(row_of(page, "Elif").get_by_test_id("today-status")).to_have_text("Arrived")
            expect(row_of(page, "Elif").get_by_test_id("today-undo")).to_be_visible()
            expect(row_of(page, "Elif").get_by_role("button", name=re.compile("^Completed"))).to_be_visible()

            # Deniz has not signed: refused, with the link to sign right there.
            row_of(page, "Deniz").get_by_role("button", name=re.compile("^Arrived")).click()
            refusal = row_of(page, "Deniz").get_by_test_id("consent-required")
            expect(refusal).to_be_visible()
            expect(refusal.get_by_role("link", name=re.compile("Sign Treatment consent"))).to_be_visible()
            expect(row_of(page, "Deniz").get_by_test_id("today-status")).to_have_text("Booked")
            no_sideways_scroll(page)
            # A refresh right after leaves the refusal to be read (the list waits a minute after a tap).
            page.evaluate("htmx.trigger('#today-list', 'today-refresh')")
            page.wait_for_timeout(1500)
            expect(refusal).to_be_visible()
            screenshot(page, "today-home-after-taps")
            assert_accessible(page)

            # Tomorrow's list, printed: no navigation, no buttons, one A4 page.
            page.get_by_test_id("today-tomorrow").click()
            expect(page.get_by_test_id("tomorrow-row")).to_have_count(14)
            screenshot(page, "today-tomorrow-screen")
            assert_accessible(page)
            page.emulate_media(media="print")
            expect(page.locator("nav.navbar")).to_be_hidden()
            expect(page.get_by_role("button", name="Print")).to_be_hidden()
            screenshot(page, "today-tomorrow-print")
            pdf = page.pdf(format="A4", print_background=True)
            assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "tomorrow's list does not fit one A4 page"
            assert errors == []
        finally:
            context.close()
