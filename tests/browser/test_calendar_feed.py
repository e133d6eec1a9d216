"""An admin gives a practitioner a calendar feed from the practitioners' list: makes it, copies its
URL (shown once), and rotates it after a confirmation. Screenshots: tests/browser/screenshots/feed-*.png."""

import re

from playwright.sync_api import expect

from patients.models import CalendarFeed
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import LocationFactory, PractitionerFactory


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_an_admin_makes_copies_and_rotates_a_practitioners_calendar_feed(login):
    location = LocationFactory(name="Anagen Istanbul")
    doctor = PractitionerFactory(location=location, name="Dr. Aydın")
    page = login("admin")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/clinic/practitioners/")
    screenshot(page, "feed-practitioner-list")
    page.get_by_role("link", name="Calendar feed of Dr. Aydın").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar feed of Dr. Aydın")
    expect(page.get_by_text("Dr. Aydın has no calendar feed yet.")).to_be_visible()
    expect(page.get_by_text("it is shown once")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "feed-none")

    page.get_by_role("button", name="Make the feed").click()
    field = page.get_by_label(re.compile("The feed's URL"))
    expect(field).to_have_value(re.compile(r"/feeds/[A-Za-z0-9_-]{43}\.ics$"))
    expect(field).to_have_attribute("readonly", "")
    first_url = field.input_value()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == first_url
    assert_accessible(page)
    screenshot(page, "feed-created")
    feed = page.request.get(path_of(first_url))
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"

    # Shown once: a reload no longer has it.
    page.reload()
    expect(page.get_by_label(re.compile("The feed's URL"))).to_have_count(0)
    expect(page.get_by_test_id("feed-rotated-at")).to_contain_text("admin1")
    hash_before = CalendarFeed.objects.get(practitioner=doctor).token_sha256

    # Rotation asks first: saying no changes nothing.
    messages = []

    def answer(dialog, accept: bool) -> None:
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Make a new URL…").click()
    expect(page.get_by_label(re.compile("The feed's URL"))).to_have_count(0)
    assert "stops working at once" in messages[0]
    assert CalendarFeed.objects.get(practitioner=doctor).token_sha256 == hash_before

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Make a new URL…").click()
    expect(page.get_by_role("alert")).to_contain_text("the old one no longer works")
    new_url = page.get_by_label(re.compile("The feed's URL")).input_value()
    assert new_url != first_url
    screenshot(page, "feed-rotated")
    assert page.request.get(path_of(first_url)).status == 404
    assert page.request.get(path_of(new_url)).status == 200
