"""The screening form on a tablet, landscape (1024x768) and portrait (768x1024): large yes/no
answers, "All no" then the exceptions, no pregnancy questions for a man, and a refused save that
scrolls to the unanswered question. Screenshots: tests/browser/screenshots/screening-*.png."""

import re

import pytest
from playwright.sync_api import Page, expect

from patients.models import Screening
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD
from tests.factories import PatientFactory

TABLETS = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 768, "height": 1024}}


@pytest.fixture(params=list(TABLETS))
def tablet(request, chromium, live_server, make_staff):
    """A receptionist logged in on a tablet of that orientation."""
    context = chromium.new_context(
        reduced_motion="reduce", viewport=TABLETS[request.param], base_url=live_server.url, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    user = make_staff("receptionist")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))
    page.orientation = request.param
    yield page
    context.close()


def answer(page: Page, key: str, value: str) -> None:
    page.locator(f"#q-{key}").get_by_text(value, exact=True).tap()


def test_all_no_then_the_exceptions_for_a_male_patient(tablet: Page):
    patient = PatientFactory(sex="male", first_name="Mehmet", last_name="Öztürk")
    tablet.goto(f"/patients/{patient.pk}/screenings/new/")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Screening")
    # Questions that cannot apply to a man are not asked.
    expect(tablet.locator("#q-pregnant_or_breastfeeding")).to_have_count(0)
    expect(tablet.get_by_text("Not asked for a male patient")).to_be_visible()
    # Every answer is a large touch target.
    box = tablet.locator("#q-active_cancer label").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 88
    tablet.get_by_role("button", name="All no").tap()
    expect(tablet.get_by_role("status").filter(has_text="Every question is answered")).to_be_visible()
    expect(tablet.locator("input[value='no']:checked")).to_have_count(13)
    answer(tablet, "nsaid_last_48h", "Yes")
    expect(tablet.locator("#id_nsaid_last_48h_0")).to_be_checked()
    assert_accessible(tablet)
    screenshot(tablet, f"screening-all-no-{tablet.orientation}")
    tablet.get_by_role("button", name="Record screening").tap()
    latest = tablet.get_by_test_id("latest-screening")
    expect(latest.locator(".badge.text-bg-warning")).to_contain_text("NSAIDs in 48 h")
    screening = Screening.objects.get()
    assert screening.nsaid_last_48h and not screening.pregnant_or_breastfeeding and not screening.active_cancer


def test_a_refused_save_scrolls_to_the_unanswered_question(tablet: Page):
    patient = PatientFactory(sex="female", first_name="Lucía", last_name="García")
    tablet.goto(f"/patients/{patient.pk}/screenings/new/")
    expect(tablet.locator("#q-pregnant_or_breastfeeding")).to_be_visible()
    for question in tablet.locator("fieldset.yes-no").all():
        key = question.get_attribute("data-question")
        if key != "liver_disease":
            answer(tablet, key, "No")
    tablet.get_by_role("button", name="Record screening").tap()
    expect(tablet.get_by_role("alert")).to_contain_text("1 question not answered yet")
    unanswered = tablet.locator("#q-liver_disease")
    expect(unanswered).to_be_in_viewport()
    expect(unanswered.get_by_text("Answer yes or no.")).to_be_visible()
    expect(tablet.locator("#id_liver_disease_0")).to_be_focused()
    # The answers already given are kept.
    expect(tablet.locator("#id_active_cancer_1")).to_be_checked()
    assert_accessible(tablet)
    screenshot(tablet, f"screening-unanswered-{tablet.orientation}")
    assert not Screening.objects.exists()
    answer(tablet, "liver_disease", "No")
    tablet.get_by_role("button", name="Record screening").tap()
    expect(tablet.get_by_test_id("latest-screening").get_by_text("Clear")).to_be_visible()
