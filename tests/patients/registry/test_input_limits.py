"""Inputs that used to give a 500: a NUL character in a search, dates near year 9999 or year 1.

A search with a NUL is refused (400 `invalid` by the parameter; a message by the search box on
the page). Dates that plan are capped at the planning horizon, PLANNING_HORIZON_YEARS (five)
from today either way: 400 `invalid` by the field in the API, a message by the field on the pages.
"""

from datetime import UTC, datetime

import pytest
import time_machine

from patients.models import Course
from tests.factories import PatientFactory
from tests.patients.booking.world import at, build_world, course_body

pytestmark = pytest.mark.django_db

# Monday 4 January 2027, 09:00 in Istanbul: the horizon runs to 4 January 2032.
TODAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
FAR = ["9999-12-31T10:00", "9999-12-31T23:59:59-12:00", "2032-01-05T10:00"]
ANCIENT = ["0001-01-01T10:00", "0001-01-01T00:00:00+14:00"]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world():
    return build_world()


def assert_invalid(response, field: str) -> dict:
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert field in body["errors"], body
    return body


# --- NUL in a search ----------------------------------------------------------------------------


def test_a_nul_in_the_patient_search_is_a_400_by_q(api_receptionist):
    PatientFactory(last_name="Yılmaz")
    body = assert_invalid(api_receptionist.get("/api/v1/patients/", {"q": "Yıl\x00maz"}), "q")
    assert body["errors"]["q"] == ["Null characters are not allowed."]


@pytest.mark.parametrize("url", [
    "/api/v1/patients/?q=%00", "/api/v1/protocols/?q=a%00", "/api/v1/sessions/?status=%00",
    "/api/v1/reminders/?kind=x%00", "/api/v1/locations/?country=%00", "/api/v1/me/?x=%00",
    "/api/v1/courses/?patient=%00", "/api/v1/screenings/?patient=1%00",
])
def test_a_nul_in_any_api_query_parameter_is_a_400_naming_it(api_receptionist, url):
    name = url.split("?")[1].split("=")[0]
    assert_invalid(api_receptionist.get(url), name)


def test_a_nul_in_a_parameter_name_is_a_400_too(api_receptionist):
    assert_invalid(api_receptionist.get("/api/v1/patients/?q%00=a"), "q")


def test_a_nul_in_the_desk_search_is_a_message_by_the_search_box(desk):
    PatientFactory(last_name="Yılmaz")
    response = desk.get("/patients/", {"q": "Yıl\x00maz"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="patient-search-error" class="text-danger-emphasis fw-semibold mt-1"' in page
    assert "Null characters are not allowed." in page
    assert "\x00" not in page


def test_a_nul_typed_into_the_desk_search_replaces_the_message_out_of_band(desk):
    response = desk.get("/patients/", {"q": "\x00"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in page and "Null characters are not allowed." in page
    # The next search clears the message.
    page = desk.get("/patients/", {"q": "Ali"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="true"' in page and "Null characters" not in page


# --- The planning horizon in the API ------------------------------------------------------------


@pytest.mark.parametrize(("start", "message"),
                         [*((s, "years ahead") for s in FAR), *((s, "in the past") for s in ANCIENT)])
@pytest.mark.parametrize("url", ["/api/v1/courses/preview/", "/api/v1/courses/"])
def test_a_wished_start_beyond_the_horizon_is_a_400_by_start(api_receptionist, world, url, start, message):
    body = assert_invalid(api_receptionist.post(url, course_body(world, start), format="json"), "start")
    assert message in body["errors"]["start"][0]
    assert Course.objects.count() == 0


def test_the_last_day_of_the_horizon_can_still_be_planned(api_receptionist, world):
    response = api_receptionist.post("/api/v1/courses/preview/", course_body(world, "2032-01-05T10:00"), format="json")
    assert response.json()["errors"]["start"] == ["Plans reach at most 5 years ahead: choose a date until 2032-01-04."]
    response = api_receptionist.post("/api/v1/courses/preview/", course_body(world, "2031-12-29T10:00"), format="json")
    assert response.status_code == 200, response.json()


def test_the_horizon_is_one_setting(api_receptionist, world, settings):
    settings.PLANNING_HORIZON_YEARS = 1
    body = assert_invalid(api_receptionist.post("/api/v1/courses/preview/", course_body(world, "2028-03-01T10:00"),
                                                format="json"), "start")
    assert "until 2028-01-04" in body["errors"]["start"][0]


@pytest.mark.parametrize("surgery_date", ["9999-12-31", "0001-01-01", "2032-01-05", "2021-12-31"])
def test_a_surgery_date_beyond_the_horizon_is_a_400_by_surgery_date(api_receptionist, surgery_date):
    world = build_world(sessions=2, gap=(28, 28, 42), anchor="surgery_date")
    body = course_body(world, "2027-03-02T10:00", surgery_date=surgery_date)
    assert_invalid(api_receptionist.post("/api/v1/courses/preview/", body, format="json"), "surgery_date")


def test_a_pinned_session_beyond_the_horizon_is_a_400_by_sessions(api_receptionist, world):
    body = course_body(world, "2027-03-01T10:00", sessions=[{"number": 2, "start": "9999-12-31T10:00"}])
    assert_invalid(api_receptionist.post("/api/v1/courses/", body, format="json"), "sessions")


@pytest.mark.parametrize("start", [*FAR, *ANCIENT])
def test_a_move_beyond_the_horizon_is_a_400_by_start(api_receptionist, world, start):
    course = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00"), format="json").json()
    second = course["sessions"][1]
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", {"start": start}, format="json")
    assert_invalid(response, "start")


# --- The planning horizon on the pages ----------------------------------------------------------


def booking_form(world, **extra) -> dict:
    return {"patient": world.patient.pk, "location": world.location.pk, "protocol": world.protocol.pk,
            "practitioner": "", "start_date": "2027-03-01", "start_time": "10:00", "surgery_date": "",
            "action": "preview", **extra}


def field_error(page: str, field_id: str) -> bool:
    """Crispy's bootstrap5 error block of that field."""
    return f'id="error_1_{field_id}"' in page


@pytest.mark.parametrize(("start_date", "message"), [("9999-12-31", "Plans reach at most 5 years ahead"),
                                                     ("0001-01-01", "The wished start is in the past.")])
def test_a_wished_start_beyond_the_horizon_is_a_message_by_the_field(desk, world, start_date, message):
    response = desk.post("/booking/new/", booking_form(world, start_date=start_date))
    assert response.status_code == 200
    page = response.content.decode()
    assert field_error(page, "id_start_date") and message in page
    assert 'data-testid="course-preview"' not in page


def test_a_surgery_date_beyond_the_horizon_is_a_message_by_the_field(desk):
    world = build_world(sessions=2, gap=(28, 28, 42), anchor="surgery_date")
    response = desk.post("/booking/new/", booking_form(world, start_date="2027-03-02", surgery_date="9999-12-31"))
    assert response.status_code == 200
    assert field_error(response.content.decode(), "id_surgery_date")


@pytest.mark.parametrize("action", ["preview", "confirm"])
@pytest.mark.parametrize(("day", "message"), [("9999-12-31", "Plans reach at most 5 years ahead"),
                                              ("0001-01-01", "The new time is in the past.")])
def test_a_move_beyond_the_horizon_is_a_message_by_the_date(desk, world, day, message, action):
    from patients.booking import services as booking

    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"))
    second = course.sessions.get(number=2)
    response = desk.post(f"/booking/sessions/{second.pk}/move/",
                         {"date": day, "time": "10:00", "cascade": "on", "action": action}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="error_1_id_move-{second.pk}_date"' in page and message in page
    second.refresh_from_db()
    assert second.start == at("2027-03-29 10:00")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2032-01-05"])
def test_a_calendar_day_beyond_the_horizon_shows_today_with_a_message_by_the_date(desk, world, day):
    response = desk.get("/booking/calendar/", {"location": world.location.pk, "date": day})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="cal-date-error"' in page and "Plans reach at most 5 years" in page
    assert 'name="date" value="2027-01-04"' in page


def test_a_calendar_day_that_is_not_a_date_says_so(desk, world):
    page = desk.get("/booking/calendar/", {"location": world.location.pk, "date": "31/12\x00"}).content.decode()
    assert "Give the date as YYYY-MM-DD." in page


@pytest.mark.parametrize(("start", "end"), [("9999-12-30T00:00:00", "9999-12-31T00:00:00"),
                                            ("0001-01-01T00:00:00", "0001-01-02T00:00:00")])
def test_the_calendar_feed_refuses_a_range_beyond_the_horizon_with_400(desk, world, start, end):
    response = desk.get("/booking/calendar/feed/", {"location": world.location.pk, "start": start, "end": end})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "within 5 years" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/schema/?lang=%00", "/api/v1/docs/?x=%00", "/api/v1/?q=%00"])
def test_the_schema_and_docs_take_a_nul_without_a_500(api_receptionist, url):
    assert api_receptionist.get(url).status_code < 500
