"""No photo's bytes reach anyone but a logged-in doctor or admin: not an anonymous visitor, not the
front desk (session or API key), not a guess at the storage path under /media/ or /static/. And
the storage is private by configuration: local files outside any served folder, or a private
S3 bucket named by the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from patients.outcomes.photos import photo_add
from tests.patients.outcomes.photos.world import jpeg, photo_consent, stored_files, upload
from tests.patients.outcomes.world import VISIT

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]
JPEG_START = b"\xff\xd8\xff"


@pytest.fixture
def photo(room, doctor, settings, tmp_path):
    # As deployed: the photos folder inside MEDIA_ROOT, so a guess at /media/photos/<name> would find it
    # if anything served MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media" / "photos"), "base_url": None}}}
    photo_consent(room.world.patient)
    photo = photo_add(session=room.first, view="vertex", upload=upload(jpeg()), by=doctor, now=VISIT)
    assert stored_files(tmp_path / "media" / "photos")[0].read_bytes().startswith(JPEG_START)
    return photo


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def urls_of(photo) -> list[str]:
    name = Path(photo.image.name).name
    return [f"/photos/{photo.pk}/image/", f"/api/v1/photos/{photo.pk}/image/",
            f"/media/{name}", f"/media/photos/{name}", f"/static/{name}", f"/static/photos/{name}",
            f"/var/media/photos/{name}", f"/photos/{name}", f"/{name}"]


def assert_no_bytes(client, photo, **headers):
    for url in urls_of(photo):
        response = client.get(url, **headers)
        assert response.status_code in (302, 401, 403, 404), (url, response.status_code)
        assert not body_of(response).startswith(JPEG_START), url


def test_an_anonymous_visitor_gets_no_bytes(photo):
    assert_no_bytes(Client(), photo)
    assert Client().get(f"/photos/{photo.pk}/image/")["Location"].startswith("/accounts/login/")


def test_the_desk_gets_no_bytes_by_its_session(photo, receptionist):
    client = Client()
    client.force_login(receptionist)
    assert_no_bytes(client, photo)
    assert client.get(f"/photos/{photo.pk}/image/").status_code == 403


def test_the_desk_gets_no_bytes_by_its_api_key(photo, api_receptionist):
    assert_no_bytes(api_receptionist, photo)
    assert api_receptionist.get(f"/api/v1/photos/{photo.pk}/image/").status_code == 403


def test_a_doctor_gets_them_only_through_the_app(photo, doctor):
    client = Client()
    client.force_login(doctor)
    for url in urls_of(photo):
        response = client.get(url)
        served = url in (f"/photos/{photo.pk}/image/", f"/api/v1/photos/{photo.pk}/image/")
        assert (response.status_code == 200) is served, url
        assert body_of(response).startswith(JPEG_START) is served, url


def settings_with(env: dict[str, str]) -> dict:
    """The photo storage settings.py makes from this environment (a fresh interpreter)."""
    script = ("import json, django; from django.conf import settings; django.setup(); "
              "print(json.dumps({'photos': settings.STORAGES['photos'], 'media_url': settings.MEDIA_URL}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOS_")}
    result = subprocess.run([sys.executable, "-c", script], env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings",
                                                                **env}, capture_output=True, text=True, check=True,
                            cwd=django_settings.BASE_DIR)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_photos_are_local_files_outside_every_served_folder():
    found = settings_with({})
    assert found["photos"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    location = Path(found["photos"]["OPTIONS"]["location"])
    assert location == django_settings.BASE_DIR / "var" / "media" / "photos"
    assert found["photos"]["OPTIONS"]["base_url"] is None and found["media_url"] in ("", "/")
    static_roots = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]
    assert not any(location.is_relative_to(root) for root in static_roots)


def test_an_s3_bucket_from_the_environment_is_private():
    found = settings_with({"PHOTOS_S3_BUCKET": "clinic-photos", "PHOTOS_S3_ENDPOINT_URL": "https://s3.example.net",
                           "PHOTOS_S3_REGION": "eu-central-1"})
    assert found["photos"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = found["photos"]["OPTIONS"]
    assert options["bucket_name"] == "clinic-photos" and options["endpoint_url"] == "https://s3.example.net"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["file_overwrite"] is False and options["location"] == "photos"
    assert options["object_parameters"]["ServerSideEncryption"] == "AES256"
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**options)  # django-storages accepts every option (no request is made)
    assert storage.bucket_name == "clinic-photos" and storage.default_acl == "private"
