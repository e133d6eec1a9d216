"""An admin walks through the clinic set-up pages in Chromium; a receptionist reads them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clinic.models import Closure, Location
from tests.browser.conftest import assert_accessible, screenshot


@pytest.fixture
def demo_clinic(db):
    call_command("seed_demo", "--force", "--without-patients", stdout=open("/dev/null", "w"))  # noqa: SIM115
    istanbul = Location.objects.get(name="Anagen Istanbul — Nişantaşı")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    Closure.objects.create(location=istanbul, start=start, end=start + timedelta(hours=30),
                           reason="Staff training and congress")
    return istanbul


def test_an_admin_opens_every_clinic_set_up_page(login, demo_clinic):
    page = login("admin")
    expect(page.locator(".card", has_text="Clinic set-up")).to_contain_text("2 locations")
    page.get_by_role("link", name="Clinic set-up").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic set-up")
    expect(page.get_by_role("link", name="Anagen Istanbul — Nişantaşı", exact=True)).to_be_visible()
    screenshot(page, "clinic-locations")
    assert_accessible(page)

    page.get_by_role("link", name="Anagen Istanbul — Nişantaşı", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anagen Istanbul — Nişantaşı")
    expect(page.get_by_text("Whole location · Staff training and congress")).to_be_visible()
    expect(page.get_by_role("link", name="History")).to_be_visible()
    screenshot(page, "clinic-location-detail")
    assert_accessible(page)

    page.get_by_role("link", name="Edit location").click()
    expect(page.get_by_label("Monday opens (row 1)")).to_have_value("09:00")
    screenshot(page, "clinic-location-form")
    assert_accessible(page)

    # A second Monday interval that overlaps the first, and a Tuesday that closes before it opens.
    page.get_by_role("button", name="Add hours on Monday").click()
    page.get_by_label("Monday opens (row 2)").fill("12:00")
    page.get_by_label("Monday closes (row 2)").fill("20:00")
    page.get_by_label("Tuesday closes (row 1)").fill("08:00")
    page.get_by_label("Time zone").select_option("Europe/Istanbul")
    page.get_by_role("button", name="Save location").click()
    expect(page.get_by_text("Please correct the opening hours below.")).to_be_visible()
    expect(page.get_by_text("09:00–19:00 overlaps 12:00–20:00.")).to_be_visible()
    tuesday_error = page.locator("#id_hours-1-0-closes-error")
    expect(tuesday_error).to_have_text("Closes at 08:00, before it opens at 09:00.")
    expect(page.get_by_label("Tuesday closes (row 1)")).to_have_class(re.compile("is-invalid"))
    screenshot(page, "clinic-location-form-errors")
    assert_accessible(page)

    # The name field's own error sits right under it.
    page.get_by_label("Name").fill("<b>Anagen</b>")
    page.get_by_label("Monday opens (row 2)").fill("")
    page.get_by_label("Monday closes (row 2)").fill("")
    page.get_by_label("Tuesday closes (row 1)").fill("19:00")
    page.get_by_role("button", name="Save location").click()
    expect(page.locator("#id_name_error")).to_contain_text("Use plain text")
    expect(page.get_by_label("Name")).to_have_class(re.compile("is-invalid"))
    screenshot(page, "clinic-location-form-name-error")

    page.goto("/clinic/practitioners/")
    expect(page.get_by_role("cell", name=re.compile(r"^Dr. Mehmet Kaya"))).to_be_visible()
    screenshot(page, "clinic-practitioners")
    assert_accessible(page)

    page.get_by_role("link", name="New practitioner").click()
    screenshot(page, "clinic-practitioner-form")
    assert_accessible(page)

    page.goto("/clinic/rooms/")
    expect(page.get_by_role("cell", name="PRP and LED room", exact=True)).to_be_visible()
    screenshot(page, "clinic-rooms")
    assert_accessible(page)

    page.goto("/clinic/closures/")
    expect(page.get_by_role("cell", name="Staff training and congress", exact=True)).to_be_visible()
    screenshot(page, "clinic-closures")
    assert_accessible(page)

    page.get_by_role("link", name="New closure").click()
    screenshot(page, "clinic-closure-form")
    assert_accessible(page)


def test_an_admin_adds_a_closure_in_local_time(login, demo_clinic):
    page = login("admin")
    page.goto(f"/clinic/closures/new/?location={demo_clinic.pk}")
    page.get_by_label("From (local time at the location)").fill("2031-04-23T09:00")
    page.get_by_label("Until (local time at the location)").fill("2031-04-23T13:00")
    page.get_by_label("Reason").fill("Inventory")
    page.get_by_role("button", name="Save closure").click()
    expect(page.get_by_text("Closure saved.")).to_be_visible()
    closure = Closure.objects.get(reason="Inventory")
    assert closure.start == datetime(2031, 4, 23, 6, tzinfo=UTC)  # Istanbul is UTC+3


def test_a_receptionist_reads_the_set_up_without_edit_buttons(login, demo_clinic):
    page = login("receptionist")
    page.get_by_role("link", name="Clinic set-up").first.click()
    expect(page.get_by_text("Read only: an admin changes the clinic set-up.")).to_be_visible()
    expect(page.get_by_role("link", name="New location")).to_have_count(0)
    page.get_by_role("link", name="Anagen Madrid — Salamanca", exact=True).click()
    expect(page.get_by_role("link", name="Edit location")).to_have_count(0)
    expect(page.get_by_text("10:00–14:00, 16:00–20:00").first).to_be_visible()
    screenshot(page, "clinic-location-detail-receptionist")
    assert_accessible(page)
