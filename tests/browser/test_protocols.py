"""A doctor builds a 4-session protocol through the formset, fixes an error, activates and revises it."""

import re

from playwright.sync_api import expect

from protocols.models import Protocol
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import LocationFactory


def test_a_doctor_builds_activates_and_revises_a_four_session_protocol(login, page):
    LocationFactory(name="Nişantaşı clinic")
    page.on("dialog", lambda dialog: dialog.accept())
    login("doctor")

    page.goto("/protocols/")
    expect(page.get_by_text("No protocols yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New protocol").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New protocol")

    page.locator("[name=code]").fill("EXO-BROWSER")
    page.locator("[name=name]").fill("Own-blood exosomes, browser test")
    page.locator("[name=indication]").select_option("aga")
    page.locator("[name=source_category]").select_option("autologous")
    page.locator("[name=route]").select_option("injection")
    page.locator("[name=notes]").fill("Investigational.")
    page.locator("[name='sessions-0-instructions']").fill("Come with clean, dry hair.")
    for _ in range(3):
        page.get_by_role("button", name="Add a session").click()
    expect(page.locator("[data-session-row]")).to_have_count(4)
    # Session 3's minimum gap above its target: a contradiction the page must point at.
    page.locator("[name='sessions-2-gap_min_days']").fill("40")
    page.locator("[name='sessions-3-kind']").select_option("assessment")
    page.locator("[name='sessions-3-gap_min_days']").fill("80")
    page.locator("[name='sessions-3-gap_target_days']").fill("90")
    page.locator("[name='sessions-3-gap_max_days']").fill("100")
    page.locator("[name='sessions-1-visit_adjuncts'][value='harvest_blood']").check()
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#form-errors")).to_be_visible()
    row = page.locator("[data-session-row]").nth(2)
    expect(row.get_by_text("The minimum gap cannot be longer than the target gap.")).to_be_visible()
    expect(row.locator("[name='sessions-2-gap_min_days']")).to_have_class(re.compile("is-invalid"))
    assert not Protocol.objects.filter(code="EXO-BROWSER").exists()
    screenshot(page, "protocol-form-error")
    assert_accessible(page)

    row.locator("[name='sessions-2-gap_min_days']").fill("21")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EXO-BROWSER")
    expect(page.get_by_text("Draft EXO-BROWSER v1 created.")).to_be_visible()

    # The pre-activation checklist: added sessions have no instructions, own-blood injections no draw.
    expect(page.get_by_test_id("checklist")).to_contain_text("Session 2 has no instructions for the patient.")
    page.get_by_label("I have read these warnings; activate this version as it is").check()
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("EXO-BROWSER v1 is now active.")).to_be_visible()
    expect(page.locator("svg.protocol-timeline .timeline-session")).to_have_count(4)
    expect(page.get_by_text("Investigational.", exact=False).first).to_be_visible()
    screenshot(page, "protocol-detail-active")
    assert_accessible(page)

    page.get_by_role("button", name="Revise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit draft EXO-BROWSER v2")
    expect(page.locator("[data-session-row]")).to_have_count(4)
    # Reorder: move the assessment up one place, then move it back, and save a changed gap.
    page.locator("[data-session-row]").nth(3).get_by_role("button", name="Move this session up").click()
    expect(page.locator("[data-session-row]").nth(2).locator("[data-session-number]")).to_have_text("3")
    expect(page.locator("[data-session-row]").nth(2).locator("select[name$='-kind']")).to_have_value("assessment")
    page.locator("[data-session-row]").nth(2).get_by_role("button", name="Move this session down").click()
    page.locator("[name='sessions-1-gap_target_days']").fill("30")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft EXO-BROWSER v2 saved.")).to_be_visible()

    timeline = page.locator("svg.protocol-timeline")
    expect(timeline.locator(".timeline-session")).to_have_count(4)
    expect(timeline.locator(".timeline-assessment")).to_have_count(1)
    assert timeline.locator(".timeline-session").nth(3).get_attribute("data-day") == "148"
    screenshot(page, "protocol-detail-revision")
    assert_accessible(page)

    page.get_by_role("link", name="Version history and changes").click()
    expect(page.get_by_role("cell", name="Gap target (days)")).to_be_visible()
    screenshot(page, "protocol-versions-diff")
    assert_accessible(page)

    page.goto("/protocols/")
    expect(page.get_by_role("link", name="EXO-BROWSER")).to_have_count(2)
    screenshot(page, "protocol-list")
    assert_accessible(page)


def test_a_receptionist_reads_the_starter_library_without_edit_buttons(login, page):
    from django.core.management import call_command

    call_command("load_starter_protocols", stdout=open("/dev/null", "w"))
    login("receptionist")
    page.goto("/protocols/")
    expect(page.locator("tbody tr")).to_have_count(10)
    page.get_by_role("link", name="EXO-AGA-MSC-B").click()
    expect(page.locator("svg.protocol-timeline .timeline-session")).to_have_count(7)
    expect(page.get_by_role("button", name="Revise")).to_have_count(0)
    screenshot(page, "protocol-detail-starter")
    assert_accessible(page)
