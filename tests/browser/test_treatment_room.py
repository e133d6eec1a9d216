"""The treatment room through the pages (issue #13): a doctor records a visit from the session
panel (an expired lot is not offered, and refused when posted anyway), a receptionist files an
adverse event a patient phoned in, and an admin recalls a lot and sees who received it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from patients.models import AdverseEvent, SessionRecord, SessionRecordProduct
from patients.records.adverse_events import adverse_event_file
from patients.records.services import session_record
from tests.browser.conftest import assert_accessible, screenshot
from tests.patients.records.world import VISIT, VISIT_DAY, build_room, row

# During session 1 (Mon 1 Mar 2027, 10:00 in Istanbul): its local day has come, so it can be recorded.
pytestmark = pytest.mark.clock(VISIT)


@pytest.fixture
def room(db):
    room = build_room()
    room.expired = room.new_lot(lot_number="OLD-1", expires_on=VISIT_DAY - timedelta(days=1))
    room.kits = room.new_lot(room.prp, lot_number="KIT-7", quantity_received=Decimal("5"))
    return room


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_doctor_records_a_visit_from_the_session_panel(login, room):
    page = login("doctor")
    session = room.first
    page.goto(f"/booking/courses/{session.course_id}/")
    page.get_by_role("link", name="Manage session 1").click()
    modal = page.locator("#session-modal")
    expect(modal.get_by_test_id("record-visit")).to_be_visible()
    lot = modal.locator(f"#id_rec{session.pk}-0-lot")
    expect(lot.locator("option", has_text="EXO-001")).to_have_text(re.compile(r"expires 29 Jun 2027 · 10 mL left"))
    expect(lot.locator("option", has_text="OLD-1")).to_have_count(0)  # expired on the visit's day: not offered
    screenshot(page, "treatment-record-panel")
    assert_accessible(page)

    # The expired lot posted anyway (an old tab, a tampered form): refused by its row, nothing written.
    lot.evaluate(f"(select) => select.add(new Option('OLD-1', '{room.expired.pk}'))")
    lot.select_option(str(room.expired.pk))
    modal.locator(f"#id_rec{session.pk}-0-quantity").fill("2")
    modal.locator(f"#div_id_rec{session.pk}-0-sites").get_by_label("Vertex").check()
    modal.get_by_role("button", name="Record and complete the visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record this visit")
    row_one = page.get_by_test_id("product-row-1")
    expect(row_one).to_contain_text("expired on 28 Feb 2027, before this visit (1 Mar 2027): pick another lot")
    expect(page.get_by_test_id("record-errors")).to_contain_text("Nothing was saved")
    assert SessionRecordProduct.objects.count() == 0
    screenshot(page, "treatment-record-refused")
    assert_accessible(page)
    page.set_viewport_size({"width": 820, "height": 1180})  # the tablet held upright
    assert fits_the_width(page)
    screenshot(page, "treatment-record-refused-portrait")
    page.set_viewport_size({"width": 1180, "height": 820})

    # Another lot, and a second row with a kit: the session is completed and shows its record.
    page.locator(f"#id_rec{session.pk}-0-lot").select_option(str(room.lot.pk))
    page.locator(f"#id_rec{session.pk}-0-quantity").fill("2.5")
    page.locator(f"#id_rec{session.pk}-1-lot").select_option(str(room.kits.pk))
    page.locator(f"#id_rec{session.pk}-1-quantity").fill("1")
    page.locator(f"#div_id_rec{session.pk}-1-sites").get_by_label("Occipital").check()
    page.get_by_label("Notes").fill("Tolerated well.")
    page.get_by_role("button", name="Record and complete the visit").click()
    expect(page.get_by_text("Session 1 recorded: it is now completed.")).to_be_visible()
    expect(page.get_by_test_id("session-row-1").get_by_test_id("session-status")).to_have_text("Completed")
    screenshot(page, "treatment-recorded-course")
    page.get_by_role("link", name="Manage session 1").click()
    summary = page.locator("#session-modal").get_by_test_id("record-summary")
    expect(summary).to_contain_text("lot EXO-001 · 2.5 mL")
    expect(summary).to_contain_text("lot KIT-7 · 1 kit")
    screenshot(page, "treatment-recorded-panel")
    assert_accessible(page)

    # An amendment: a required reason, then a confirmation of what the record will say.
    record = SessionRecord.objects.get()
    summary.get_by_role("link", name="Amend the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amend the record")
    page.locator(f"#id_amend{record.pk}-0-quantity").fill("3")
    page.get_by_role("button", name="Review the amendment").click()
    expect(page.locator(f"#div_id_amend{record.pk}_reason")).to_contain_text("This field is required.")
    page.get_by_label("Reason for the amendment").fill("Typed 2.5 mL; 3 mL were given.")
    page.get_by_role("button", name="Review the amendment").click()
    expect(page.get_by_test_id("amend-confirm")).to_contain_text("AutoExo · lot EXO-001 · 3 mL")
    screenshot(page, "treatment-amend-confirm")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm the amendment").click()
    expect(page.get_by_text("The record of session 1 is amended")).to_be_visible()
    record.refresh_from_db()
    assert record.revision == 2 and record.products.get(lot=room.lot).quantity == Decimal("3")


def test_a_receptionist_files_an_adverse_event_from_the_patients_page(login, room, doctor):
    session_record(session=room.first, products=[row(room.lot, "2")], adjuncts_done=[], by=doctor, now=VISIT)
    page = login("receptionist")
    page.goto(f"/patients/{room.world.patient.pk}/")
    history = page.get_by_test_id("treatment-history")
    expect(history).to_contain_text("EXO-001")
    expect(history).not_to_contain_text("2 mL")  # the desk sees no quantities
    page.locator("#treatment").get_by_role("link", name="Report an adverse event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an adverse event")
    page.wait_for_load_state()  # the date pickers have replaced their fields
    page.get_by_label("Session").select_option(str(room.first.pk))
    page.get_by_label("Onset date").fill("2027-03-05")  # four days ahead: refused
    page.get_by_label("Kind").select_option("infection")
    page.get_by_label("Severity").select_option("severe")
    page.get_by_label("Serious (hospitalisation or lasting harm)").check()
    page.get_by_label("Description").fill("Phoned in: red, hot and swollen at the vertex; seen at the ER.")
    page.get_by_role("button", name="File the event").click()
    expect(page.locator("#div_id_onset")).to_contain_text("The onset cannot be in the future.")
    assert AdverseEvent.objects.count() == 0
    screenshot(page, "treatment-event-refused")
    assert_accessible(page)

    page.get_by_label("Onset date").fill("2027-03-01")
    page.get_by_role("button", name="File the event").click()
    page.wait_for_url(re.compile(rf"/patients/{room.world.patient.pk}/"))
    expect(page.get_by_text("It is serious: it stands out for the doctors")).to_be_visible()
    expect(page.get_by_test_id("serious-events")).to_contain_text("Infection (severe) since 1 Mar 2027")
    expect(page.get_by_test_id("serious-events").get_by_role("button", name="Mark reviewed")).to_have_count(0)
    screenshot(page, "treatment-event-filed")
    assert_accessible(page)
    page.set_viewport_size({"width": 820, "height": 1180})
    assert fits_the_width(page)
    screenshot(page, "treatment-history-portrait")


def test_an_admin_recalls_a_lot_and_sees_the_affected_patient(login, room, doctor):
    session_record(session=room.first, products=[row(room.lot, "2")], adjuncts_done=[], by=doctor, now=VISIT)
    page = login("admin")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Lots").click()
    expect(page.get_by_test_id("lot-table")).to_contain_text("EXO-001")
    screenshot(page, "treatment-lots")
    assert_accessible(page)
    page.get_by_role("link", name="Expiring in 30 days").click()
    expect(page.get_by_test_id("lot-table")).to_contain_text("OLD-1")  # expired already: still on the shelf
    expect(page.get_by_test_id("lot-table")).not_to_contain_text("EXO-001")
    page.get_by_role("link", name="Recalled").click()
    expect(page.get_by_test_id("lots-empty")).to_have_text("No lot has been recalled.")
    page.get_by_role("link", name="All lots").click()

    page.get_by_role("link", name="EXO-001").click()
    page.get_by_role("link", name="Recall this lot").click()
    patient = room.world.patient
    expect(page.get_by_test_id("lot-patients")).to_contain_text(patient.last_name)
    page.get_by_role("button", name="Recall the lot").click()
    expect(page.locator("#div_id_reason")).to_contain_text("This field is required.")
    page.get_by_label("Reason for the recall").fill("Manufacturer's notice 2027-14: sterility not assured.")
    screenshot(page, "treatment-recall-confirm")
    assert_accessible(page)
    page.get_by_role("button", name="Recall the lot").click()
    expect(page.get_by_text("Lot EXO-001 is recalled: it is never given again. 1 patient received it")).to_be_visible()
    expect(page.get_by_test_id("lot-recalled")).to_be_visible()
    expect(page.get_by_test_id("lot-patients")).to_contain_text(f"{patient.first_name} {patient.last_name}")
    screenshot(page, "treatment-recalled")
    assert_accessible(page)
    room.lot.refresh_from_db()
    assert room.lot.recalled


def test_a_doctor_sees_a_serious_event_on_the_home_page_and_marks_it_reviewed(login, room, receptionist):
    patient = room.world.patient
    adverse_event_file(data={"patient": patient, "session": room.first, "onset": VISIT_DAY, "kind": "allergic_reaction",
                             "severity": "severe", "serious": True, "description": "Hives, treated at the ER."},
                       by=receptionist, now=VISIT)
    page = login("doctor")
    page.on("dialog", lambda dialog: dialog.accept())
    alert = page.get_by_test_id("home-serious-events")
    expect(alert).to_contain_text("Allergic reaction (severe) since 1 Mar 2027, after session 1")
    screenshot(page, "treatment-home-serious")
    assert_accessible(page)
    alert.get_by_role("link", name=re.compile(patient.last_name)).click()
    serious = page.get_by_test_id("serious-events")
    expect(serious).to_contain_text("Hives, treated at the ER.")
    serious.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text("Adverse event marked reviewed.")).to_be_visible()
    expect(page.get_by_test_id("serious-events")).to_have_count(0)
    screenshot(page, "treatment-event-reviewed")
    assert_accessible(page)
    page.goto("/")
    expect(page.get_by_test_id("home-serious-events")).to_have_count(0)
