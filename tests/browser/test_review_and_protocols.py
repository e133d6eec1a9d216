"""A doctor's day: the review queue on the home page, a PRP-only hard stop, an override scoped to
one protocol; the protocol page's checklist and the version diff in words.
Screenshots: tests/browser/screenshots/review-*.png, protocol-*.png."""

from playwright.sync_api import expect

from patients.models import ScreeningOverride, ScreeningReviewRequest
from protocols import services
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import PatientFactory, ProtocolFactory, ScreeningFactory
from tests.factories.protocols import session_rows


def test_a_doctor_reviews_a_prp_only_hard_stop_from_the_home_queue(login, make_staff):
    ProtocolFactory(code="EXO-PLAIN", status="active")
    ProtocolFactory(code="PRP-AGA", status="active", sessions=session_rows(3, visit_adjuncts=["harvest_blood", "prp"]))
    patient = PatientFactory(first_name="Jonas", last_name="Weber")
    screening = ScreeningFactory(patient=patient, strong_anticoagulant=True)
    ScreeningReviewRequest.objects.create(screening=screening, asked_by=make_staff("receptionist"))

    page = login("doctor")
    queue = page.get_by_test_id("review-queue")
    expect(queue).to_contain_text("Weber")
    expect(queue).to_contain_text("Strong anticoagulant")
    assert_accessible(page)
    screenshot(page, "review-home-queue")

    queue.get_by_role("link", name="Jonas Weber", exact=True).click()
    blocks = page.get_by_test_id("screening-blocks")
    expect(blocks).to_contain_text("Booking blocked for 1 of 2 protocols")
    expect(blocks).to_contain_text("Blocks protocols with PRP: PRP-AGA")
    expect(blocks).to_contain_text("asked by Receptionist")
    assert_accessible(page)
    screenshot(page, "review-patient-prp-only")

    page.get_by_role("link", name="Override hard stops").click()
    page.get_by_label("Why these hard stops do not prevent treatment").fill("Warfarin paused by the cardiologist.")
    page.get_by_label("Only the protocols ticked below").check()
    page.get_by_label("PRP-AGA", exact=False).check()
    page.on("dialog", lambda dialog: dialog.accept())
    assert_accessible(page)
    screenshot(page, "review-override-scoped")
    page.get_by_role("button", name="Override hard stops").click()
    expect(page.get_by_test_id("latest-screening")).to_contain_text("Overridden for PRP-AGA only")
    assert ScreeningOverride.objects.get().protocols == ["PRP-AGA"]
    page.goto("/")
    expect(page.get_by_test_id("review-queue")).to_contain_text("Nothing to review")


def test_the_protocol_page_shows_its_checklist_and_the_diff_reads_as_words(login):
    doctor = login("doctor")
    active = ProtocolFactory(code="EXO-CHK", status="active", home_adjuncts=["finasteride", "minoxidil"])
    from django.contrib.auth import get_user_model

    author = get_user_model().objects.get(username="doctor1")
    draft = services.protocol_revise(protocol=active, by=author)
    services.protocol_update(protocol=draft, sessions=session_rows(3, visit_adjuncts=["prp"]), home_adjuncts=[
        {"kind": "minoxidil", "instructions": "Foam once a day."}], by=author)
    doctor.goto(draft.get_absolute_url())
    checklist = doctor.get_by_test_id("checklist")
    expect(checklist).to_contain_text("Session 1 gives PRP but has no blood draw")
    assert_accessible(doctor)
    screenshot(doctor, "protocol-checklist")
    doctor.get_by_role("link", name="Version history and changes").click()
    expect(doctor.get_by_test_id("home-changes")).to_contain_text("Finasteride (men only) removed")
    assert_accessible(doctor)
    screenshot(doctor, "protocol-version-diff")
