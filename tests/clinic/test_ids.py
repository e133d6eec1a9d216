"""Ids typed by people and programs are read one way: ASCII digits within bigint's range."""

import pytest

from clinic.ids import MAX_ID, id_from


@pytest.mark.parametrize(("value", "expected"), [
    ("12", 12), (12, 12), ("0", 0), (str(MAX_ID), MAX_ID),
    (str(MAX_ID + 1), None), ("9" * 30, None), ("", None), (None, None), ("12a", None), (" 12", None),
    ("-3", None), ("1.5", None),
    # Unicode digits: "¹".isdigit() is True but int("¹") raises; "٣" is a decimal int() would read.
    ("¹", None), ("٣", None), ("１２", None),
])
def test_an_id_is_ascii_digits_within_bigint(value, expected):
    assert id_from(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["¹", "٣", "9" * 30])
def test_the_api_answers_404_for_an_id_that_is_no_number(api_receptionist, raw):
    response = api_receptionist.get(f"/api/v1/patients/{raw}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
