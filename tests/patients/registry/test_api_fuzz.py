"""Whatever a client sends to the patient API, it never gets a 500."""

import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.screening import rules
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "<script>alert(1)</script>", "Ali\u202eyelkoc", "a\r\nb", "\x00", "A" * 10_000, "ﷺ", "' OR 1=1 --",
        "%", "_", "\\", "+90 532 123 45 67", "+905321234567", "Europe/Istanbul", "1988-02-30", "9999-12-31",
        "0001-01-01", "-1", "1e309", "NaN", "true", "null",
    ]),
)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(), HOSTILE_TEXT),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=6,
)
PATIENT_FIELDS = ["first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone",
                  "reminder_opt_in", "investigational_ack", "notes", "id"]
PATIENT_BODY = st.one_of(
    st.dictionaries(st.sampled_from(PATIENT_FIELDS), JSON_VALUE, max_size=len(PATIENT_FIELDS)),
    JSON_VALUE,
)
SCREENING_BODY = st.one_of(
    st.dictionaries(st.sampled_from([*rules.ANSWER_KEYS, "extra"]), JSON_VALUE, max_size=17),
    st.fixed_dictionaries({key: st.one_of(st.booleans(), JSON_VALUE) for key in rules.ANSWER_KEYS}),
    JSON_VALUE,
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def send(client, method: str, url: str, body) -> object:
    """JSON as a client might write it, NaN and Infinity included (Python's json accepts them)."""
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert body["code"] and body["detail"]


@FUZZ
@given(body=PATIENT_BODY)
def test_creating_a_patient_never_fails_with_a_500(api_receptionist, body):
    assert_no_server_error(send(api_receptionist, "post", "/api/v1/patients/", body))


@FUZZ
@given(body=PATIENT_BODY, method=st.sampled_from(["put", "patch"]))
def test_editing_a_patient_never_fails_with_a_500(api_receptionist, body, method):
    patient = PatientFactory()
    response = send(api_receptionist, method, f"/api/v1/patients/{patient.pk}/", body)
    assert_no_server_error(response)


@FUZZ
@given(body=SCREENING_BODY)
def test_recording_a_screening_never_fails_with_a_500(api_receptionist, body):
    patient = PatientFactory()
    assert_no_server_error(send(api_receptionist, "post", f"/api/v1/patients/{patient.pk}/screenings/", body))


@FUZZ
@given(query=HOSTILE_TEXT, page=HOSTILE_TEXT, page_size=HOSTILE_TEXT, pk=HOSTILE_TEXT)
def test_reading_patients_never_fails_with_a_500(api_receptionist, query, page, page_size, pk):
    params = {"q": query, "page": page, "page_size": page_size}
    response = api_receptionist.get("/api/v1/patients/", params)
    assert_no_server_error(response)
    if any("\x00" in value for value in params.values()):
        assert response.status_code == 400 and response.json()["code"] == "invalid"
        assert {name for name, value in params.items() if "\x00" in value} <= set(response.json()["errors"])
    safe_pk = "".join(c for c in pk if c.isalnum())[:30] or "0"
    assert_no_server_error(api_receptionist.get(f"/api/v1/patients/{safe_pk}/"))
    assert_no_server_error(api_receptionist.get(f"/api/v1/patients/{safe_pk}/screenings/"))


@FUZZ
@given(body=JSON_VALUE)
def test_overriding_never_fails_with_a_500(api_doctor, body):
    from tests.factories import ScreeningFactory

    screening = ScreeningFactory(active_cancer=True)
    assert_no_server_error(send(api_doctor, "post", f"/api/v1/screenings/{screening.pk}/override/", body))



@pytest.fixture
def world():
    from tests.patients.booking.world import build_world

    return build_world()


@FUZZ
@given(
    start=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
    offset=st.sampled_from(["", "Z", "+14:00", "-12:00", "+03:00"]),
)
def test_previewing_any_start_never_fails_with_a_500(api_receptionist, world, start, offset):
    """Year 1 to year 9999, any offset: a start in the past or beyond the planning horizon is a 400 by `start`."""
    from tests.patients.booking.world import course_body

    response = send(api_receptionist, "post", "/api/v1/courses/preview/",
                    course_body(world, start.isoformat(timespec="minutes") + offset))
    assert_no_server_error(response)
    if response.status_code == 400:
        assert "start" in response.json()["errors"], response.json()
