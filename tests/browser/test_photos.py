"""Standard photographs through the pages (issue 14): a doctor takes the vertex photo at session 1
and again at session 2 from the session panel, a wrong file is refused by its field, and the
patient page's photos card opens the two visits side by side, with their days since the anchor."""

import pytest
from playwright.sync_api import expect

from patients.models import Photo
from patients.outcomes.demo_photos import scalp_photo
from tests.browser.conftest import assert_accessible, screenshot
from tests.patients.outcomes.photos.world import photo_consent, png
from tests.patients.records.world import VISIT, at, build_room

pytestmark = pytest.mark.clock(VISIT)


@pytest.fixture
def room(db, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "photos")}}}
    room = build_room()
    photo_consent(room.world.patient)
    return room


def upload_from_panel(page, session, data: bytes, *, name: str = "vertex.jpg", mime: str = "image/jpeg"):
    page.goto(f"/booking/courses/{session.course_id}/")
    page.get_by_role("link", name=f"Manage session {session.number}").click()
    box = page.locator("#session-modal").get_by_test_id("session-photos")
    box.get_by_text("Add a photo").click()
    box.locator(f"#id_photo{session.pk}_view").select_option("vertex")
    box.locator(f"#id_photo{session.pk}_image").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    return box


def test_a_doctor_photographs_two_visits_and_compares_them(login, room, _clock):
    page = login("doctor")
    box = upload_from_panel(page, room.first, scalp_photo(view="vertex", density=0.3, seed=1,
                                                          label="Vertex · session 1 · demo"))
    screenshot(page, "photos-panel-upload")
    assert_accessible(page)
    box.get_by_role("button", name="Store the photo").click()
    expect(page.get_by_text("Vertex photo of session 1 stored")).to_be_visible()

    # A PNG named .jpg at the same visit: refused by the field, nothing stored.
    box = upload_from_panel(page, room.first, png(), name="vertex.jpg", mime="image/jpeg")
    box.get_by_role("button", name="Store the photo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Standard photographs")
    expect(page.locator("#div_id_photo_image .invalid-feedback")).to_contain_text("really a PNG")
    assert Photo.objects.count() == 1
    screenshot(page, "photos-refused")
    assert_accessible(page)

    # Four weeks later, session 2 (the idle staff session has long ended: log in again).
    _clock.move_to(at("2027-03-29 10:20"))
    page = login("doctor")
    box = upload_from_panel(page, room.second, scalp_photo(view="vertex", density=0.75, seed=1,
                                                           label="Vertex · session 2 · demo"))
    box.get_by_role("button", name="Store the photo").click()
    expect(page.get_by_text("Vertex photo of session 2 stored")).to_be_visible()
    assert Photo.objects.count() == 2

    page.goto(f"/patients/{room.world.patient.pk}/")
    card = page.get_by_test_id("patient-photos")
    expect(card).to_contain_text("29 Mar 2027")
    screenshot(page, "photos-patient-card")
    card.get_by_test_id("compare-photos").click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison.get_by_test_id("compare-before")).to_contain_text("1 Mar 2027 · day 0 since the course")
    expect(comparison.get_by_test_id("compare-after")).to_contain_text("29 Mar 2027 · day 28 since the course")
    page.wait_for_load_state()  # the load event comes after the images have loaded
    for side in ("before", "after"):  # the images really load (private bytes through the app)
        image = comparison.get_by_test_id(f"compare-{side}").locator("img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 1200
    screenshot(page, "photos-compare")
    assert_accessible(page)
    page.set_viewport_size({"width": 820, "height": 1180})  # the tablet held upright
    screenshot(page, "photos-compare-portrait")
