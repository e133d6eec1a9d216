"""The photo pages: a visit's photos with the upload form (refusals by the field, nothing
stored), the image URL for a page, the side-by-side comparison (baseline and latest by default,
another patient's visit refused by its field), the patient page's card and the session panel."""

import pytest
from django.test import Client

from patients.models import PatientAccess, Photo
from patients.outcomes.photos import photo_add
from tests.patients.outcomes.photos.world import HugeBody, jpeg, photo_consent, png, stored_files, upload
from tests.patients.outcomes.world import VISIT, at
from tests.patients.records.world import field_block

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]


@pytest.fixture
def consented(room):
    photo_consent(room.world.patient)
    return room


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_post(client, session, data=None, *, view="vertex", name="scalp.jpg", content_type="image/jpeg", **extra):
    body = {"view": view, "next": f"/booking/sessions/{session.pk}/", **extra}
    if data is not None:
        body["image"] = upload(data, name, content_type)
    return client.post(f"/photos/sessions/{session.pk}/", body)


def test_a_doctor_uploads_from_the_page_and_goes_back_to_the_session(doctor, consented, photo_store):
    client = logged_in(doctor)
    page = client.get(f"/photos/sessions/{consented.first.pk}/").content.decode()
    assert 'accept="image/jpeg,image/png"' in page and 'capture="environment"' in page
    response = page_post(client, consented.first, jpeg())
    assert response.status_code == 302 and response["Location"] == f"/booking/sessions/{consented.first.pk}/"
    assert Photo.objects.get().view == "vertex" and len(stored_files(photo_store)) == 1
    page = client.get(f"/photos/sessions/{consented.first.pk}/").content.decode()
    assert f'src="/photos/{Photo.objects.get().pk}/image/"' in page


@pytest.mark.parametrize("case, data, name, content_type, view, field, words", [
    ("unknown view", "jpeg", "scalp.jpg", "image/jpeg", "crown", "view", "crown"),
    ("no view", "jpeg", "scalp.jpg", "image/jpeg", "", "view", ""),
    ("not an image", b"hello", "scalp.jpg", "image/jpeg", "vertex", "image", "not a JPEG or PNG"),
    ("too small", "small", "scalp.jpg", "image/jpeg", "vertex", "image", "800"),
    ("a PNG named .jpg", "png", "scalp.jpg", "image/jpeg", "vertex", "image", "really a PNG"),
    ("no file", None, "", "", "vertex", "image", "Choose a photo"),
])
def test_a_refused_upload_is_explained_by_its_field_and_stores_nothing(
        doctor, consented, photo_store, case, data, name, content_type, view, field, words):
    data = {"jpeg": jpeg(), "png": png(), "small": jpeg(1000, 700)}.get(data, data) if isinstance(data, str) else data
    response = page_post(logged_in(doctor), consented.first, data, view=view, name=name, content_type=content_type)
    assert response.status_code == 400, case
    block = field_block(response.content.decode(), f"id_photo_{field}")
    assert "invalid-feedback" in block and words in block, block
    assert not Photo.objects.exists() and stored_files(photo_store) == []


def test_a_photo_over_the_limit_is_refused_by_the_field(doctor, consented, photo_store, settings):
    settings.PHOTO_MAX_BYTES = 100_000
    response = page_post(logged_in(doctor), consented.first, jpeg() + b"\0" * 200_000)
    assert response.status_code == 400
    assert "at most" in field_block(response.content.decode(), "id_photo_image")
    assert stored_files(photo_store) == []


def test_a_100_mb_upload_from_the_page_is_stopped_without_reading_it(doctor, consented, photo_store):
    client = Client(enforce_csrf_checks=True)
    client.force_login(doctor)
    client.get(f"/photos/sessions/{consented.first.pk}/")
    body = HugeBody(jpeg(), csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    response = client.generic("POST", f"/photos/sessions/{consented.first.pk}/", "", CONTENT_TYPE=body.content_type,
                              CONTENT_LENGTH=str(body.size), **{"wsgi.input": body})
    assert response.status_code == 400
    assert "20 MB" in field_block(response.content.decode(), "id_photo_image")
    assert body.read_so_far < 2 * 1024 * 1024  # nothing read past the photo's first bytes
    assert stored_files(photo_store) == []


def test_without_the_photo_consent_the_page_offers_to_sign_it(doctor, room, photo_store):
    from tests.patients.consent.world import active

    active("CONSENT-PHOTOS", applies_to="photos")
    response = page_post(logged_in(doctor), room.first, jpeg())
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="photo-refusal"' in page and 'data-testid="consent-required"' in page
    assert stored_files(photo_store) == []


def test_the_page_checks_csrf_after_the_upload_limit(doctor, consented, photo_store):
    client = Client(enforce_csrf_checks=True)
    client.force_login(doctor)
    assert page_post(client, consented.first, jpeg()).status_code == 403
    assert stored_files(photo_store) == []


def visits_with_photos(room, by):
    """Vertex and frontal at session 1 (day 0), vertex only at session 2 (day 28)."""
    first = photo_add(session=room.first, view="vertex", upload=upload(jpeg()), by=by, now=VISIT)
    photo_add(session=room.first, view="frontal", upload=upload(jpeg()), by=by, now=VISIT)
    second = photo_add(session=room.second, view="vertex", upload=upload(jpeg(color=(120, 90, 70))), by=by,
                       now=at("2027-03-29 10:20"))
    return first, second


def test_the_comparison_shows_baseline_and_latest_by_view_with_their_days(doctor, consented):
    before, after = visits_with_photos(consented, doctor)
    response = logged_in(doctor).get(f"/photos/patients/{consented.world.patient.pk}/compare/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(f'src="/photos/{before.pk}/image/"') < page.index(f'src="/photos/{after.pk}/image/"')
    assert "day 0 since the course" in page and "day 28 since the course" in page
    assert "1 Mar 2027" in page and "29 Mar 2027" in page
    assert "Not taken at this visit" in page  # the frontal view at session 2
    assert PatientAccess.objects.filter(what="photos", path__contains="/compare/").count() == 1


def test_another_patients_visit_is_refused_by_its_field(doctor, consented):
    visits_with_photos(consented, doctor)
    other = consented.book_another()
    photo_consent(other.patient)
    photo_add(session=other, view="vertex", upload=upload(jpeg()), by=doctor, now=VISIT)
    url = f"/photos/patients/{consented.world.patient.pk}/compare/?before={other.pk}&after={consented.second.pk}"
    response = logged_in(doctor).get(url)
    assert response.status_code == 400
    block = field_block(response.content.decode(), "id_before")
    assert "not one of this patient" in block
    assert f'src="/photos/{other.photos.get().pk}/image/"' not in response.content.decode()
    for query in ("?before=abc&after=1", "?before=&after=", f"?before={consented.first.pk}&after={consented.first.pk}"):
        assert logged_in(doctor).get(url.split("?")[0] + query).status_code == 400


def test_one_visit_only_says_a_comparison_needs_two(doctor, consented):
    photo_add(session=consented.first, view="vertex", upload=upload(jpeg()), by=doctor, now=VISIT)
    page = logged_in(doctor).get(f"/photos/patients/{consented.world.patient.pk}/compare/").content.decode()
    assert 'data-testid="compare-empty"' in page and "two visits" in page


def test_the_image_url_serves_doctors_privately_and_logs_it(doctor, admin_user, consented):
    before, _ = visits_with_photos(consented, doctor)
    for user in (doctor, admin_user):
        response = logged_in(user).get(f"/photos/{before.pk}/image/")
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert PatientAccess.objects.filter(what="photos", path=f"/photos/{before.pk}/image/").count() == 2


def test_the_desk_sees_no_photo_card_no_panel_box_and_gets_403(receptionist, doctor, consented):
    visits_with_photos(consented, doctor)
    desk = logged_in(receptionist)
    patient_page = desk.get(f"/patients/{consented.world.patient.pk}/").content.decode()
    assert 'data-testid="patient-photos"' not in patient_page
    assert 'data-testid="session-photos"' not in desk.get(f"/booking/sessions/{consented.first.pk}/").content.decode()
    for url in (f"/photos/sessions/{consented.first.pk}/", f"/photos/patients/{consented.world.patient.pk}/compare/",
                f"/photos/{Photo.objects.first().pk}/image/"):
        assert desk.get(url).status_code == 403, url
    assert page_post(desk, consented.first, jpeg()).status_code == 403
    assert Photo.objects.count() == 3


def test_the_patient_page_card_and_the_session_panel_link_to_the_comparison(doctor, consented):
    visits_with_photos(consented, doctor)
    client = logged_in(doctor)
    compare = f"/photos/patients/{consented.world.patient.pk}/compare/"
    card = client.get(f"/patients/{consented.world.patient.pk}/").content.decode()
    assert 'data-testid="patient-photos"' in card and compare in card and "2 views" in card
    panel = client.get(f"/booking/sessions/{consented.first.pk}/").content.decode()
    assert 'data-testid="session-photos"' in panel and compare in panel and 'data-testid="photo-upload"' in panel
    assert 'capture="environment"' in panel


def test_the_panel_offers_no_upload_before_the_visit_day(doctor, consented):
    panel = logged_in(doctor).get(f"/booking/sessions/{consented.second.pk}/").content.decode()
    assert 'data-testid="session-photos"' in panel and 'data-testid="photo-upload"' not in panel
    assert "photographed" in panel
