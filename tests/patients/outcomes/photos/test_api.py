"""POST /api/v1/sessions/{id}/photos/, GET /api/v1/patients/{id}/photos/, GET /api/v1/photos/{id}/image/:
a doctor's upload stored cleaned in the private storage, every refusal by the field with nothing
stored (no file left behind), the photo consent, the session's rules, role rights, the access log."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from patients.booking.status import session_cancel
from patients.models import PatientAccess, Photo
from tests.patients.outcomes.photos.world import (
    HugeBody,
    jpeg,
    photo_consent,
    png,
    png_bomb,
    stored_files,
    upload,
)
from tests.patients.outcomes.world import VISIT

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]


@pytest.fixture
def consented(room):
    photo_consent(room.world.patient)
    return room


def post(client, session, data: bytes | None = None, *, view="vertex", name="scalp.jpg", content_type="image/jpeg"):
    body = {"view": view} if view is not None else {}
    if data is not None:
        body["image"] = upload(data, name, content_type)
    return client.post(f"/api/v1/sessions/{session.pk}/photos/", body, format="multipart")


def assert_invalid(response, field: str, *words: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [field], body
    message = body["errors"][field][0]
    for word in words:
        assert word in message, message
    return message


def test_a_doctor_uploads_a_photo_and_gets_it_back(api_doctor, doctor, consented, photo_store):
    response = post(api_doctor, consented.first, jpeg(1600, 1200))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["session"] == consented.first.pk and body["view"] == "vertex"
    assert (body["width"], body["height"], body["taken_on"], body["day"]) == (1600, 1200, "2027-03-01", 0)
    assert body["taken_by"] == doctor.pk and body["image"] == f"/api/v1/photos/{body['id']}/image/"
    [file] = stored_files(photo_store)
    photo = Photo.objects.get()
    assert file.name == photo.image.name and re.fullmatch(r"[0-9a-f]{32}\.jpg", file.name)  # says nothing of whose
    listed = api_doctor.get(f"/api/v1/patients/{consented.world.patient.pk}/photos/").json()
    assert listed["count"] == 1
    assert {k: listed["results"][0][k] for k in ("id", "session", "view", "taken_on", "width", "height")} == {
        "id": photo.pk, "session": consented.first.pk, "view": "vertex", "taken_on": "2027-03-01",
        "width": 1600, "height": 1200}
    image = api_doctor.get(body["image"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).size == (1600, 1200)


def test_a_png_stays_a_png(api_admin, consented):
    response = post(api_admin, consented.first, png(), name="macro.png", content_type="image/png", view="macro")
    assert response.status_code == 201, response.json()
    assert api_admin.get(response.json()["image"])["Content-Type"] == "image/png"


def test_gps_and_every_exif_tag_are_gone_from_the_stored_file(api_doctor, consented, photo_store):
    original = jpeg(1200, 900, gps=True, comment=b"Patient Ayse, vertex")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test's photo has GPS
    assert post(api_doctor, consented.first, original).status_code == 201
    [file] = stored_files(photo_store)
    data = file.read_bytes()
    stored = Image.open(io.BytesIO(data))
    assert dict(stored.getexif()) == {} and "exif" not in stored.info and "comment" not in stored.info
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"Ayse" not in data


def test_the_camera_orientation_is_applied_before_exif_goes(api_doctor, consented, photo_store):
    # Orientation 6: the camera was turned; the upright photo is 900 wide and 1200 high.
    body = post(api_doctor, consented.first, jpeg(1200, 900, orientation=6)).json()
    assert (body["width"], body["height"]) == (900, 1200)
    stored = Image.open(stored_files(photo_store)[0])
    assert stored.size == (900, 1200)
    # The dark corner was top left as the camera saw it: turned upright it is top right.
    assert stored.getpixel((880, 20))[0] < 60 and stored.getpixel((20, 20))[0] > 120


@pytest.mark.parametrize("case, data, name, content_type, words", [
    ("not an image", b"%PDF-1.7 hello", "scalp.jpg", "image/jpeg", ["not a JPEG or PNG"]),
    ("too small", None, "scalp.jpg", "image/jpeg", ["799", "800"]),
    ("a PNG named .jpg", "png", "scalp.jpg", "image/jpeg", []),
    ("a PNG sent as image/jpeg", "png", "scalp", "image/jpeg", ["PNG"]),
    ("a JPEG named .png", "jpeg", "scalp.png", "image/png", []),
    ("a GIF", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "scalp.gif", "image/gif", ["image/gif"]),
    ("a HEIC name", "jpeg", "scalp.heic", "image/jpeg", [".heic"]),
    ("a decompression bomb", "bomb", "bomb.png", "image/png", ["pixels"]),
    ("a truncated JPEG", "truncated", "scalp.jpg", "image/jpeg", ["damaged"]),
    ("empty", b"", "scalp.jpg", "image/jpeg", []),
])
def test_what_is_not_a_real_photo_of_its_type_is_refused_and_nothing_is_stored(
        api_doctor, consented, photo_store, case, data, name, content_type, words):
    data = {"png": png(), "jpeg": jpeg(), "bomb": png_bomb(), "truncated": jpeg(2000, 1500)[:3000],
            None: jpeg(1200, 799)}.get(data, data) if not isinstance(data, bytes) else data
    assert_invalid(post(api_doctor, consented.first, data, name=name, content_type=content_type), "image", *words)
    assert not Photo.objects.exists() and stored_files(photo_store) == [], case


def test_too_many_megapixels_are_refused_before_decoding(api_doctor, consented, photo_store):
    # 9,000 × 6,000 = 54 megapixels: under Pillow's own bomb limit, over the clinic's.
    assert_invalid(post(api_doctor, consented.first, png_bomb(9000, 6000), name="big.png",
                        content_type="image/png"), "image", "54 megapixels")
    assert stored_files(photo_store) == []


def test_a_view_that_does_not_exist_is_refused_by_the_field(api_doctor, consented, photo_store):
    assert_invalid(post(api_doctor, consented.first, jpeg(), view="crown"), "view", "crown", "vertex")
    assert_invalid(post(api_doctor, consented.first, jpeg(), view=None), "view")
    assert stored_files(photo_store) == [] and not Photo.objects.exists()


def test_no_image_is_refused_by_the_field(api_doctor, consented):
    assert_invalid(post(api_doctor, consented.first, None), "image", "Choose a photo")


def test_a_photo_over_20_mb_is_refused_early(api_doctor, consented, photo_store, settings):
    settings.PHOTO_MAX_BYTES = 200_000  # the same rule with a smaller limit: the test stays light
    big = jpeg(1200, 900) + b"\x00" * 300_000
    assert_invalid(post(api_doctor, consented.first, big), "image", "at most")
    assert stored_files(photo_store) == [] and not Photo.objects.exists()


def test_a_100_mb_upload_is_stopped_without_reading_it(api_doctor, consented, photo_store):
    """The body claims 100 MB: the limit stops at the file's first bytes, never reading the rest."""
    body = HugeBody(jpeg())
    response = api_doctor.generic("POST", f"/api/v1/sessions/{consented.first.pk}/photos/", "",
                                  content_type=body.content_type, CONTENT_LENGTH=str(body.size),
                                  **{"wsgi.input": body})
    assert_invalid(response, "image", "20 MB")
    assert body.read_so_far < 2 * 1024 * 1024
    assert stored_files(photo_store) == []


def test_without_the_signed_photo_consent_it_is_422_and_nothing_is_stored(api_doctor, room, photo_store):
    from tests.patients.consent.world import active

    active("CONSENT-PHOTOS", applies_to="photos")
    response = post(api_doctor, room.first, jpeg())
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == "consent_required" and response.json()["documents"] == ["CONSENT-PHOTOS"]
    assert stored_files(photo_store) == [] and not Photo.objects.exists()


def test_a_cancelled_session_or_one_not_yet_come_has_no_photos(api_doctor, consented, doctor, photo_store):
    assert post(api_doctor, consented.second, jpeg()).json()["code"] == "invalid_transition"
    later = consented.first.course.sessions.get(number=3)
    session_cancel(session=later, reason="Travelling", by=doctor)
    assert post(api_doctor, later, jpeg()).status_code == 409
    assert stored_files(photo_store) == []


def test_an_unknown_session_or_photo_is_404(api_doctor, consented):
    for pk in ("999999", "¹", "1" * 30):
        assert api_doctor.post(f"/api/v1/sessions/{pk}/photos/", {"view": "vertex"}).status_code == 404
        assert api_doctor.get(f"/api/v1/photos/{pk}/image/").status_code == 404
        assert api_doctor.get(f"/api/v1/patients/{pk}/photos/").status_code == 404


def test_the_list_filters_by_view_and_refuses_an_unknown_one(api_doctor, consented):
    post(api_doctor, consented.first, jpeg(), view="vertex")
    post(api_doctor, consented.first, jpeg(), view="frontal")
    url = f"/api/v1/patients/{consented.world.patient.pk}/photos/"
    assert [p["view"] for p in api_doctor.get(url + "?view=frontal").json()["results"]] == ["frontal"]
    assert_invalid(api_doctor.get(url + "?view=crown"), "view")
    assert api_doctor.get(url + f"?session={consented.first.pk}").json()["count"] == 2
    assert api_doctor.get(f"/api/v1/sessions/{consented.first.pk}/photos/").json()["count"] == 2


def test_the_desk_gets_403_on_every_photo_endpoint(api_receptionist, api_doctor, consented, photo_store):
    photo = post(api_doctor, consented.first, jpeg()).json()
    for response in (post(api_receptionist, consented.first, jpeg(), view="frontal"),
                     api_receptionist.get(f"/api/v1/sessions/{consented.first.pk}/photos/"),
                     api_receptionist.get(f"/api/v1/patients/{consented.world.patient.pk}/photos/"),
                     api_receptionist.get(photo["image"]), api_receptionist.get("/api/v1/photos/999999/image/")):
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Photo.objects.count() == 1 and len(stored_files(photo_store)) == 1


def test_anonymous_callers_get_401(api_anonymous, api_doctor, consented):
    photo = post(api_doctor, consented.first, jpeg()).json()
    assert api_anonymous.get(photo["image"]).status_code == 401
    assert post(api_anonymous, consented.first, jpeg()).status_code == 401


def test_every_photo_read_is_in_the_access_log(api_doctor, doctor, consented):
    photo = post(api_doctor, consented.first, jpeg()).json()
    api_doctor.get(f"/api/v1/patients/{consented.world.patient.pk}/photos/")
    b"".join(api_doctor.get(photo["image"]).streaming_content)
    rows = PatientAccess.objects.filter(what=PatientAccess.What.PHOTOS, user=doctor).order_by("id")
    assert [(r.patient_id, r.via, r.path) for r in rows] == [
        (consented.world.patient.pk, "api", f"/api/v1/patients/{consented.world.patient.pk}/photos/"),
        (consented.world.patient.pk, "api", photo["image"])]


def test_an_image_client_accept_header_still_gets_the_bytes(api_doctor, consented):
    photo = post(api_doctor, consented.first, jpeg()).json()
    response = api_doctor.get(photo["image"], HTTP_ACCEPT="image/jpeg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_a_photo_taken_again_is_kept_beside_the_first(api_doctor, consented):
    first = post(api_doctor, consented.first, jpeg()).json()
    second = post(api_doctor, consented.first, jpeg(1300, 900)).json()
    assert first["id"] != second["id"] and Photo.objects.count() == 2
    assert timedelta(0) <= Photo.objects.get(pk=second["id"]).taken_at - Photo.objects.get(pk=first["id"]).taken_at


def test_a_truncated_photo_is_refused_even_after_the_pdf_library_is_loaded(api_doctor, consented):
    """WeasyPrint (the signed consents' PDFs) turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole
    process when it is imported; a worker that made a PDF must still refuse a truncated photo."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as weasyprint.images leaves it
    assert_invalid(post(api_doctor, consented.first, jpeg(2000, 1500)[:3000]), "image", "damaged")
    assert not Photo.objects.exists()
