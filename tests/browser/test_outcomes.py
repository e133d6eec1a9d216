"""Outcomes through the pages (issue #14): a doctor measures the baseline at session 1 and the
assessment at session 2 on the session panel (a value out of range refused by its cell, nothing
stored) and takes the vertex photo at both visits, opens the two photos side by side and the
patient's outcome chart, then the protocol's report and the adherence report."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from patients.models import Measurement, Photo, Session
from patients.outcomes.demo_photos import scalp_photo
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_photos import upload_from_panel
from tests.patients.outcomes.photos.world import photo_consent
from tests.patients.outcomes.world import VISIT, build_room, density, measure, visit_time

pytestmark = pytest.mark.clock(VISIT)


@pytest.fixture
def room(db, settings, tmp_path):
    """The treatment room (the patient has signed the photo consent), session 2 an assessment, and
    three other patients of the protocol measured at both visits (density at the vertex by
    trichoscopy: +12, +25, +18)."""
    settings.STORAGES = {**settings.STORAGES, "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "photos")}}}
    room = build_room()
    photo_consent(room.first.patient)
    Session.objects.filter(pk=room.second.pk).update(kind="assessment")
    room.second.refresh_from_db()
    for hour, (baseline, follow_up) in zip((11, 12, 13), [(118, 130), (95, 120), (128, 146)], strict=True):
        first = room.book_another(f"2027-03-01 {hour}:00")
        measure(first, density(baseline))
        second = first.course.sessions.get(number=2)
        measure(second, density(follow_up), now=visit_time(second))
    return room


def cell(page, session, metric: str, site: str | None = None):
    return page.locator(f"#id_m{session.pk}_v-{metric}-{site or 'scalp'}")


def wait_for_charts(page, count: int) -> None:
    # A function, not an expression: the page's CSP forbids the eval an expression would need.
    page.wait_for_function("(count) => document.querySelectorAll('canvas').length >= count && "
                           "[...document.querySelectorAll('canvas')].every((c) => window.Chart.getChart(c))",
                           arg=count)


def test_a_doctor_measures_two_visits_then_reads_the_chart_and_the_report(login, room, _clock):
    page = login("doctor")
    first, second = room.first, room.second
    page.goto(f"/booking/courses/{first.course_id}/")
    page.get_by_role("link", name="Manage session 1").click()
    modal = page.locator("#session-modal")
    section = modal.get_by_test_id("session-measurements")
    expect(section.get_by_test_id("measurements-due")).to_contain_text("this first session is the course's baseline")
    cell(page, first, "density", "vertex").fill("120")
    cell(page, first, "density", "frontal").fill("700")
    cell(page, first, "shaft_diameter", "vertex").fill("52.6")
    section.get_by_role("button", name="Store the measurements").click()
    error = modal.locator(f"#id_m{first.pk}_v-density-frontal_error")
    expect(error).to_have_text("700 is outside the range of density: 0–600 hairs/cm².")
    expect(cell(page, first, "density", "frontal")).to_have_attribute("aria-invalid", "true")
    assert not Measurement.objects.filter(session=first).exists()
    section.scroll_into_view_if_needed()
    screenshot(page, "outcomes-grid-refused")
    assert_accessible(page)

    cell(page, first, "density", "frontal").fill("110")
    cell(page, first, "satisfaction").fill("6")
    modal.get_by_role("button", name="Store the measurements").click()
    expect(page.get_by_text("4 measurements stored for session 1.")).to_be_visible()
    assert Measurement.objects.filter(session=first).count() == 4
    box = upload_from_panel(page, first, scalp_photo(view="vertex", density=0.3, seed=1, label="Vertex · session 1"))
    box.get_by_role("button", name="Store the photo").click()
    expect(page.get_by_text("Vertex photo of session 1 stored")).to_be_visible()

    # Four weeks later, the assessment: the panel prompts for it.
    _clock.move_to(visit_time(second))
    page = login("doctor")
    page.goto("/booking/today/")
    expect(page.get_by_test_id("today-measurements-due")).to_contain_text("(10:00, assessment)")
    screenshot(page, "outcomes-today-due")
    assert_accessible(page)
    page.goto(f"/booking/courses/{second.course_id}/")
    page.get_by_role("link", name="Manage session 2").click()
    modal = page.locator("#session-modal")
    expect(modal.get_by_test_id("measurements-due")).to_contain_text("an assessment the protocol plans")
    cell(page, second, "density", "vertex").fill("146.6")
    cell(page, second, "density", "frontal").fill("121,7")  # a decimal comma reads as a point
    cell(page, second, "shaft_diameter", "vertex").fill("61.4")
    cell(page, second, "satisfaction").fill("8")
    screenshot(page, "outcomes-grid-assessment")
    modal.get_by_role("button", name="Store the measurements").click()
    expect(page.get_by_text("4 measurements stored for session 2.")).to_be_visible()
    box = upload_from_panel(page, second, scalp_photo(view="vertex", density=0.7, seed=1, label="Vertex · session 2"))
    box.get_by_role("button", name="Store the photo").click()
    expect(page.get_by_text("Vertex photo of session 2 stored")).to_be_visible()
    assert Photo.objects.filter(session__in=[first, second]).count() == 2

    # The two visits side by side, from the patient page's photos card.
    page.goto(f"/patients/{first.patient_id}/")
    page.get_by_test_id("patient-photos").get_by_test_id("compare-photos").click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison.get_by_test_id("compare-before")).to_contain_text("day 0 since the course")
    expect(comparison.get_by_test_id("compare-after")).to_contain_text("day 28 since the course")
    page.wait_for_load_state()  # the load event comes after the images have loaded
    for side in ("before", "after"):
        image = comparison.get_by_test_id(f"compare-{side}").locator("img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 1200
    screenshot(page, "outcomes-photos-compared")
    assert_accessible(page)

    # The patient's chart: one per metric, the visits marked, a table beside each.
    page.goto(f"/patients/{first.patient_id}/")
    card = page.get_by_test_id("patient-outcomes")
    expect(card.get_by_test_id("outcome-metric")).to_have_count(3)
    wait_for_charts(page, 3)
    card.get_by_text("Density: the values as a table").click()
    expect(card.get_by_test_id("outcome-change").first).to_have_text("110 → 121.7 (+11.7, +10.6 %)")
    card.scroll_into_view_if_needed()
    screenshot(page, "outcomes-patient-chart")
    assert_accessible(page)

    # The protocol's report, from the navigation: four patients at day 28.
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Day since the anchor").fill("28")
    page.get_by_label("Site").select_option("vertex")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("outcome-patients")).to_have_text("4")
    wait_for_charts(page, 1)
    expect(page.get_by_test_id("cohort-table")).to_contain_text("28")
    screenshot(page, "outcomes-protocol-report")
    assert_accessible(page)
    page.set_viewport_size({"width": 820, "height": 1180})  # the tablet held upright
    # The charts redraw at the new width (a resize observer): then nothing is wider than the screen.
    page.wait_for_function("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(page, "outcomes-protocol-report-portrait")
    page.set_viewport_size({"width": 1180, "height": 820})

    # A bad filter shows by its field.
    page.get_by_label("Day since the anchor").fill("-3")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#div_id_day")).to_contain_text("greater than or equal to 0")

    page.get_by_role("link", name="Adherence and utilisation").click()
    # Its load event: the date pickers have replaced their fields (one found before is the one hidden).
    page.wait_for_url("**/reports/adherence/**")
    page.locator("#id_from").fill((visit_time(second) - timedelta(days=31)).date().isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("adherence-total")).to_contain_text("All protocols")
    wait_for_charts(page, 2)
    screenshot(page, "outcomes-adherence-report")
    assert_accessible(page)
