"""The image check on hostile bytes: a real photo with bytes flipped, cut or spliced anywhere
(headers, EXIF, the pixel data) is either stored cleaned or refused by the field, never a 500."""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.outcomes.photos import CleanImage, image_clean
from tests.patients.outcomes.photos.world import jpeg, png, upload

JPEG = jpeg(820, 800, gps=True, orientation=6)
PNG = png(800, 820)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("jpeg", JPEG), ("png", PNG)]),
       st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8),
       st.one_of(st.none(), st.floats(0.05, 1)))
def test_damaged_bytes_are_stored_cleaned_or_refused_by_the_field(kind_data, flips, cut):
    kind, data = kind_data
    damaged = bytearray(data)
    for where, value in flips:
        damaged[min(len(damaged) - 1, int(where * len(damaged)))] = value
    if cut is not None:
        damaged = damaged[: max(1, int(cut * len(damaged)))]
    name, content_type = ("scalp.jpg", "image/jpeg") if kind == "jpeg" else ("scalp.png", "image/png")
    try:
        clean = image_clean(upload(bytes(damaged), name, content_type))
    except ValidationError as error:
        assert list(error.message_dict) == ["image"]
    else:
        assert isinstance(clean, CleanImage) and b"Exif" not in clean.data
