"""The staff pages with forms and search boxes never answer a 500: a NUL character in any field or
query parameter, dates in year 9999 or year 1, huge numbers. A value a form refuses gets its
message by the field (crispy's `error_1_<field id>`)."""

from datetime import UTC, datetime

import pytest
import time_machine

from patients.booking import services as booking
from patients.screening import rules
from patients.screening.forms import questions_for
from tests.factories import ProtocolFactory
from tests.patients.booking.world import at, build_world

pytestmark = pytest.mark.django_db

TODAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
HOSTILE = ["\x00", "a\x00b", "9999-12-31", "0001-01-01", "9999-12-31T23:59", str(2**64), "-1", "A" * 5000]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world():
    return build_world()


def assert_page(response, what: str) -> str:
    assert response.status_code < 500, f"{what}: {response.content[:300]!r}"
    return response.content.decode()


def has_field_error(page: str, field_id: str) -> bool:
    return f'id="error_1_{field_id}"' in page


def booking_form(world) -> dict:
    return {"patient": world.patient.pk, "location": world.location.pk, "protocol": world.protocol.pk,
            "practitioner": "", "start_date": "2027-03-01", "start_time": "10:00", "surgery_date": "",
            "action": "preview"}


def test_the_desk_search_and_its_pages_never_give_a_500(desk, world):
    for name in ("q", "page"):
        for value in HOSTILE:
            assert_page(desk.get("/patients/", {name: value}), f"/patients/?{name}={value[:20]!r}")
            assert_page(desk.get("/patients/", {name: value}, HTTP_HX_REQUEST="true"), f"htmx {name}")


@pytest.mark.parametrize("field", ["patient", "location", "protocol", "practitioner", "start_date", "start_time",
                                   "surgery_date"])
def test_the_booking_form_shows_a_nul_by_its_field(desk, world, field):
    for value in ("\x00", "1\x00"):
        page = assert_page(desk.post("/booking/new/", {**booking_form(world), field: value}), f"{field}={value!r}")
        assert has_field_error(page, f"id_{field}"), f"{field}={value!r} has no message by the field"


@pytest.mark.parametrize("field", ["patient", "location", "protocol", "practitioner", "start_date", "start_time",
                                   "surgery_date", "pin_2", "previewed", "action"])
def test_the_booking_form_never_gives_a_500(desk, world, field):
    for value in HOSTILE:
        assert_page(desk.post("/booking/new/", {**booking_form(world), field: value}), f"{field}={value[:20]!r}")
        assert_page(desk.post("/booking/new/", {**booking_form(world), "action": "book", field: value}),
                    f"book {field}={value[:20]!r}")


def test_a_surgery_protocols_booking_form_shows_extreme_surgery_dates_by_the_field(desk, world):
    protocol = ProtocolFactory(status="active", anchor="surgery_date", sessions=[
        {"number": 1, "gap_min_days": 0, "gap_target_days": 0, "gap_max_days": 0, "duration_minutes": 30}])
    for value in ("9999-12-31", "0001-01-01", "\x00"):
        page = assert_page(desk.post("/booking/new/", {**booking_form(world), "protocol": protocol.pk,
                                                       "start_date": "2027-03-02", "surgery_date": value}), value)
        assert has_field_error(page, "id_surgery_date"), value


@pytest.mark.parametrize("action", ["preview", "confirm"])
def test_the_reschedule_form_shows_extreme_values_by_their_field(desk, world, action):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"))
    second = course.sessions.get(number=2)
    url = f"/booking/sessions/{second.pk}/move/"
    base = {"date": "2027-03-30", "time": "10:00", "cascade": "on", "practitioner": "", "override_reason": "",
            "action": action}
    for field in ("date", "time", "practitioner", "override_reason"):
        for value in ("\x00", "a\x00b", "9999-12-31", "0001-01-01", str(2**64)):
            page = assert_page(desk.post(url, {**base, field: value}, HTTP_HX_REQUEST="true"), f"{field}={value!r}")
            refused = "\x00" in value or field in ("date", "time") or (field == "practitioner")
            if refused:
                assert has_field_error(page, f"id_move-{second.pk}_{field}"), f"{action} {field}={value!r}"
    for field in ("cascade", "action", "next"):
        for value in HOSTILE:
            assert_page(desk.post(url, {**base, field: value}, HTTP_HX_REQUEST="true"), f"{field}={value[:20]!r}")
    second.refresh_from_db()
    assert second.start.date() <= at("2027-03-30 10:00").date()


def test_the_screening_form_shows_a_nul_by_the_answer(desk, world):
    url = f"/patients/{world.patient.pk}/screenings/new/"
    asked = questions_for(world.patient.sex)
    answers = {key: "no" for key in asked}
    for key in asked:
        page = assert_page(desk.post(url, {**answers, key: "\x00"}), key)
        assert "Select a valid choice." in page and f'name="{key}"' in page
    # A question the form does not ask this patient (pregnancy, for a man) ignores what is posted for it.
    for key in set(rules.ANSWER_KEYS) - set(asked):
        assert desk.post(url, {**answers, key: "\x00"}).status_code == 302


def test_the_patient_form_shows_a_nul_by_its_field(desk, world):
    base = {"first_name": "Elif", "last_name": "Kaya", "date_of_birth": "1990-01-01", "sex": "female",
            "email": "elif@example.test", "phone": "", "language": "en", "timezone": "Europe/Istanbul", "notes": ""}
    for field in base:
        for value in ("\x00", "a\x00b", "9999-12-31", "0001-01-01"):
            page = assert_page(desk.post("/patients/new/", {**base, field: value}), f"{field}={value!r}")
            if "\x00" in value:
                assert has_field_error(page, f"id_{field}"), f"{field}={value!r}"


def test_the_calendar_and_its_feed_never_give_a_500(desk, world):
    for name in ("date", "location", "view", "by", "resource"):
        for value in HOSTILE:
            assert_page(desk.get("/booking/calendar/", {"location": world.location.pk, name: value}), name)
            assert_page(desk.get("/booking/calendar/", {"location": world.location.pk, "view": "week", name: value}),
                        f"week {name}")
    for start, end in [("9999-12-30T00:00:00", "9999-12-31T00:00:00"), ("0001-01-01T00:00:00", "0001-01-02T00:00:00"),
                       ("\x00", "\x00"), ("2027-01-04T00:00:00+14:00", "2027-01-05T00:00:00-12:00")]:
        response = desk.get("/booking/calendar/feed/", {"location": world.location.pk, "start": start, "end": end})
        assert response.status_code < 500, (start, end)


def test_the_reminder_log_and_protocol_filters_show_bad_values_by_their_field(desk, world):
    for name in ("q", "date_from", "date_to", "status", "location", "page"):
        for value in HOSTILE:
            page = assert_page(desk.get("/reminders/", {name: value}), f"reminders {name}={value[:20]!r}")
            if "\x00" in value and name != "page":
                assert 'is-invalid' in page, f"reminders {name}={value!r}"
    for name in ("q", "status", "indication", "page"):
        for value in HOSTILE:
            assert_page(desk.get("/protocols/", {name: value}), f"protocols {name}={value[:20]!r}")


def test_the_chase_list_and_a_courses_page_never_give_a_500(desk, world):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"))
    for value in HOSTILE:
        assert_page(desk.get("/booking/chase/", {"location": value}), "chase")
        assert_page(desk.post(f"/booking/courses/{course.pk}/rebook/", {"number": value, "start": value}), "rebook")
        assert_page(desk.post(f"/booking/courses/{course.pk}/cancel/", {"reason": value}), "cancel")
