"""The demo's synthetic scalp photographs: drawn, deterministic, denser with the density, and
stored per visit through the upload service (consent and all), the hair thickening over visits."""

import io

import pytest
from django.contrib.auth import get_user_model
from PIL import Image, ImageStat

from patients.models import Photo
from patients.outcomes.demo_photos import demo_photos_seed, scalp_photo
from patients.outcomes.photos import photo_bytes
from tests.patients.outcomes.photos.world import photo_consent

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2027-04-01T12:00+03:00")]


def darkness(data: bytes) -> float:
    """How dark the photo is on average: more hair, darker."""
    return 255 - ImageStat.Stat(Image.open(io.BytesIO(data)).convert("L")).mean[0]


def test_the_same_seed_draws_the_same_photo_and_another_seed_another():
    assert scalp_photo(view="vertex", density=0.4, seed=3) == scalp_photo(view="vertex", density=0.4, seed=3)
    assert scalp_photo(view="vertex", density=0.4, seed=3) != scalp_photo(view="vertex", density=0.4, seed=4)


@pytest.mark.parametrize("view", ["vertex", "frontal", "midline_part", "temporal_left", "occipital", "macro"])
def test_more_density_is_more_hair_in_a_jpeg_large_enough_to_upload(view):
    sparse, full = scalp_photo(view=view, density=0.2, seed=1), scalp_photo(view=view, density=0.9, seed=1)
    assert darkness(full) > darkness(sparse) + 5
    image = Image.open(io.BytesIO(full))
    assert image.format == "JPEG" and min(image.size) >= 800


def test_the_seed_stores_photos_of_each_past_visit_denser_each_time(room, doctor):
    photo_consent(room.world.patient)
    stored = demo_photos_seed(patient=room.world.patient, by=doctor)
    # Sessions 1 (1 Mar) and 2 (29 Mar) have come; session 3 (26 Apr) has not.
    assert sorted({p.session_id for p in stored}) == sorted([room.first.pk, room.second.pk])
    assert {p.view for p in stored} == {"vertex", "frontal", "macro"}
    vertex = {p.session_id: photo_bytes(p).read() for p in Photo.objects.filter(view="vertex")}
    assert darkness(vertex[room.second.pk]) > darkness(vertex[room.first.pk])
    assert demo_photos_seed(patient=room.world.patient, by=doctor) == []  # seeding again adds nothing


def test_the_seed_takes_no_photo_without_the_photo_consent(room):
    from tests.patients.consent.world import active

    active("CONSENT-PHOTOS", applies_to="photos")
    by = get_user_model().objects.create(username="seeder")
    assert demo_photos_seed(patient=room.world.patient, by=by) == [] and not Photo.objects.exists()
