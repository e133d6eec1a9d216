"""Courses and sessions through the API, status and error codes exactly as the contract says."""

from datetime import date

import pytest
import time_machine

from patients.models import Course, Reminder, Session
from tests.factories import ClosureFactory, ScreeningFactory, ScreeningOverrideFactory
from tests.patients.booking.world import BOOKING_CLOCK, at, build_world, course_body

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]


@pytest.fixture
def world():
    return build_world()


def local(value: str) -> str:
    """An API instant, as wall-clock time in Istanbul: '2027-03-01 10:00'."""
    from datetime import datetime

    return datetime.fromisoformat(value).astimezone(at("2027-01-01 00:00").tzinfo).strftime("%Y-%m-%d %H:%M")


def test_preview_places_every_session_on_its_target_day_and_writes_nothing(api_receptionist, world):
    response = api_receptionist.post("/api/v1/courses/preview/", course_body(world, "2027-03-01T10:00"), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [local(s["start"]) for s in body["sessions"]] == ["2027-03-01 10:00", "2027-03-29 10:00", "2027-04-26 10:00"]
    assert [(s["window_earliest"], s["window_latest"]) for s in body["sessions"]] == [
        ("2027-03-01", "2027-03-01"), ("2027-03-22", "2027-04-05"), ("2027-04-19", "2027-05-03")]
    assert {s["practitioner"] for s in body["sessions"]} == {world.doctors[0].pk}
    assert {s["room"] for s in body["sessions"]} == {world.rooms[0].pk}
    assert Course.objects.count() == 0 and Session.objects.count() == 0


def test_booking_saves_the_course_with_its_protocol_version_and_queues_its_emails(api_receptionist, world):
    response = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["protocol"] == world.protocol.pk and body["protocol_version"] == world.protocol.version
    assert body["status"] == "active" and len(body["sessions"]) == 3
    assert all(s["status"] == "booked" for s in body["sessions"])
    kinds = sorted(Reminder.objects.values_list("kind", "offset"))
    assert kinds == [("confirmation", "")] + [("reminder", "24h")] * 3 + [("reminder", "7d")] * 3
    world.protocol.refresh_from_db()
    assert world.protocol.in_use


def test_a_pinned_time_someone_holds_is_a_409_slot_conflict(api_receptionist, world):
    api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00"), format="json")
    other = world.new_patient()
    body = course_body(world, "2027-03-01T10:00", patient=other.pk, practitioner=world.doctors[0].pk,
                       sessions=[{"number": 2, "start": "2027-03-29T10:00"}])
    response = api_receptionist.post("/api/v1/courses/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_conflict"
    assert response.json()["conflicts"][0]["number"] == 2
    assert Course.objects.filter(patient=other).count() == 0


def test_a_pinned_time_outside_its_window_is_a_422_window_violation(api_receptionist, world):
    body = course_body(world, "2027-03-01T10:00", sessions=[{"number": 2, "start": "2027-04-12T10:00"}])
    response = api_receptionist.post("/api/v1/courses/", body, format="json")
    assert response.status_code == 422 and response.json()["code"] == "window_violation"
    assert Course.objects.count() == 0


def test_without_a_recent_screening_booking_is_422_screening_required(api_receptionist, world):
    from patients.models import Patient

    fresh = Patient.objects.create(first_name="No", last_name="Screening", email="none@example.test",
                                         phone="+905320000999", date_of_birth=date(1980, 1, 1), sex="male",
                                         language="en", timezone="Europe/London")
    response = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00", patient=fresh.pk),
                                     format="json")
    assert response.status_code == 422 and response.json()["code"] == "screening_required"


def test_a_hard_stop_is_422_screening_blocked_until_a_doctor_overrides_it(api_receptionist, world):
    patient = world.new_patient(sex="female")
    blocked = ScreeningFactory(patient=patient, pregnant_or_breastfeeding=True)
    body = course_body(world, "2027-03-01T10:00", patient=patient.pk)
    response = api_receptionist.post("/api/v1/courses/", body, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "screening_blocked"
    assert response.json()["hard_stops"] == ["pregnant_or_breastfeeding"]
    ScreeningOverrideFactory(screening=blocked)
    assert api_receptionist.post("/api/v1/courses/", body, format="json").status_code == 201


def test_a_route_the_location_forbids_is_422_route_not_allowed(api_receptionist, world):
    world.location.route_policy = {"autologous": ["topical"]}
    world.location.save()
    response = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00"), format="json")
    assert response.status_code == 422 and response.json()["code"] == "route_not_allowed"


def test_a_protocol_that_is_not_active_is_422(api_receptionist, world):
    from tests.factories import ProtocolFactory

    draft = ProtocolFactory(status="draft")
    response = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00", protocol=draft.pk),
                                     format="json")
    assert response.status_code == 422 and response.json()["code"] == "protocol_not_active"


def test_a_practitioner_of_another_location_is_a_clear_400(api_receptionist, world):
    from tests.factories import PractitionerFactory

    stranger = PractitionerFactory()
    response = api_receptionist.post(
        "/api/v1/courses/", course_body(world, "2027-03-01T10:00", practitioner=stranger.pk), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "practitioner" in response.json()["errors"]


def test_a_start_in_the_past_is_refused(api_receptionist, world):
    response = api_receptionist.post("/api/v1/courses/", course_body(world, "2020-03-02T10:00"), format="json")
    assert response.status_code == 400 and "start" in response.json()["errors"]


def test_a_start_in_a_dst_gap_is_refused_with_a_clear_message(api_receptionist, world):
    world.location.timezone = "Europe/Madrid"
    world.location.country = "ES"
    world.location.opening_hours = [{"weekday": d, "opens": "00:00", "closes": "24:00"} for d in range(7)]
    world.location.save()
    response = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-28T02:30"), format="json")
    assert response.status_code == 400
    assert "clocks change" in response.json()["detail"]


def test_a_ten_session_course_whose_seventh_cannot_be_placed_saves_nothing(api_receptionist):
    world = build_world(sessions=10, gap=(14, 14, 14))
    # Session 7 falls on 2027-03-01 + 6×14 days = 2027-05-24; close the clinic that whole day.
    ClosureFactory(location=world.location, start=at("2027-05-24 00:00"), end=at("2027-05-25 00:00"))
    response = api_receptionist.post("/api/v1/courses/", course_body(world, "2027-03-01T10:00"), format="json")
    assert response.status_code == 409
    assert [c["number"] for c in response.json()["conflicts"]] == [7]
    assert Course.objects.count() == 0 and Session.objects.count() == 0 and Reminder.objects.count() == 0


def book(api, world, start="2027-03-01T10:00") -> dict:
    response = api.post("/api/v1/courses/", course_body(world, start), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_moving_session_two_later_refits_session_three_into_its_new_window(api_receptionist, world):
    course = book(api_receptionist, world)
    second, third = course["sessions"][1], course["sessions"][2]
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", {"start": "2027-04-05T11:00"},
                                     format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert local(body["session"]["start"]) == "2027-04-05 11:00"
    # Session 3's old day (2027-04-26) is before its new window (2027-04-26 .. 2027-05-10)? It is the first
    # day of it, so it stays put.
    assert body["moved"] == []
    assert Session.objects.get(pk=third["id"]).window_earliest == date(2027, 4, 26)


def test_moving_session_two_earlier_moves_session_three_only_when_its_window_breaks(api_receptionist, world):
    course = book(api_receptionist, world)
    second = course["sessions"][1]
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", {"start": "2027-03-22T10:00"},
                                     format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    # New window of session 3: 2027-04-12 .. 2027-04-26; its day 2027-04-26 is still inside: stays.
    assert body["moved"] == []
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", {"start": "2027-03-29T10:00"},
                                     format="json")
    assert response.status_code == 200
    # Move session 2 to the last day of its window: session 3 (04-26) is inside 04-19..05-03: stays.
    assert response.json()["moved"] == []


def test_a_move_onto_a_public_holiday_is_a_409_with_the_reason(api_receptionist):
    world = build_world(gap=(7, 7, 7))
    course = book(api_receptionist, world)  # 03-01, 03-08, 03-15 (Mondays)
    second = course["sessions"][1]
    # 2027-03-09 is Ramazan Bayramı: the clinic observes Turkish public holidays.
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/",
                                     {"start": "2027-03-09T10:00", "override_reason": "Patient asked"}, format="json")
    assert response.status_code == 409
    assert response.json()["conflicts"] == [
        {"number": 2, "start": "2027-03-09T07:00:00+00:00", "reason": "pinned_outside_hours"}]


def test_a_cascade_refits_a_later_session_that_breaks_its_window(api_receptionist):
    world = build_world(gap=(7, 7, 7))
    course = book(api_receptionist, world, start="2027-03-15T10:00")  # 03-15, 03-22, 03-29 (Mondays)
    second, third = course["sessions"][1], course["sessions"][2]
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", {"start": "2027-03-23T10:00"},
                                     format="json")
    # 03-23 is outside session 2's window (exactly 03-22): refused without an override reason.
    assert response.status_code == 422 and response.json()["code"] == "window_violation"
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/",
                                     {"start": "2027-03-23T10:00", "override_reason": "Patient travelling"},
                                     format="json")
    assert response.status_code == 200, response.json()
    moved = response.json()["moved"]
    assert [m["id"] for m in moved] == [third["id"]]
    assert local(moved[0]["start"]) == "2027-03-30 10:00"
    assert response.json()["warnings"]
    assert Session.objects.get(pk=second["id"]).override_reason == "Patient travelling"


def test_without_cascade_a_move_that_breaks_a_later_window_is_422_unless_overridden(api_receptionist):
    world = build_world(gap=(7, 7, 7))
    course = book(api_receptionist, world, start="2027-03-15T10:00")
    second, third = course["sessions"][1], course["sessions"][2]
    body = {"start": "2027-03-22T14:00", "cascade": False}
    # Same day, later time: session 3 keeps its window, nothing to override.
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", body, format="json")
    assert response.status_code == 200 and response.json()["moved"] == []
    body = {"start": "2027-03-23T10:00", "cascade": False, "override_reason": ""}
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", body, format="json")
    assert response.status_code == 422 and response.json()["code"] == "window_violation"
    body["override_reason"] = "Doctor agreed"
    response = api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", body, format="json")
    assert response.status_code == 200 and response.json()["moved"] == []
    assert local(Session.objects.get(pk=third["id"]).start.isoformat()) == "2027-03-29 10:00"


def test_a_move_queues_one_change_email_and_replaces_the_old_reminders(api_receptionist, world):
    course = book(api_receptionist, world)
    second = course["sessions"][1]
    api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/", {"start": "2027-03-30T10:00"}, format="json")
    assert Reminder.objects.filter(kind="change").count() == 1
    old = Reminder.objects.filter(session_id=second["id"], kind="reminder", session_sequence=0)
    assert set(old.values_list("status", flat=True)) == {"cancelled"}
    assert Reminder.objects.filter(session_id=second["id"], kind="reminder", session_sequence=1,
                                   status="pending").count() == 2


def test_status_changes_follow_the_state_machine(api_receptionist, world):
    course = book(api_receptionist, world)
    first = course["sessions"][0]["id"]
    url = f"/api/v1/sessions/{first}/status/"
    assert api_receptionist.post(url, {"status": "completed"}, format="json").status_code == 409
    with time_machine.travel(at("2027-03-01 10:05"), tick=False):
        for status in ("confirmed", "arrived", "completed"):
            response = api_receptionist.post(url, {"status": status}, format="json")
            assert response.status_code == 200 and response.json()["status"] == status
    response = api_receptionist.post(f"/api/v1/sessions/{first}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert Reminder.objects.filter(session_id=first, kind="aftercare").count() == 1


def test_cancelling_a_session_frees_its_time(api_receptionist, world):
    course = book(api_receptionist, world)
    first = course["sessions"][0]
    response = api_receptionist.post(f"/api/v1/sessions/{first['id']}/cancel/", {"reason": "Ill"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    other = world.new_patient()
    body = course_body(world, "2027-03-01T10:00", patient=other.pk, practitioner=world.doctors[0].pk)
    response = api_receptionist.post("/api/v1/courses/", body, format="json")
    assert response.status_code == 201
    assert local(response.json()["sessions"][0]["start"]) == "2027-03-01 10:00"


def test_cancelling_a_course_cancels_what_is_to_come_and_queues_one_cancellation(api_receptionist, world):
    course = book(api_receptionist, world)
    response = api_receptionist.post(f"/api/v1/courses/{course['id']}/cancel/", {"reason": "Moved abroad"},
                                     format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert {s["status"] for s in response.json()["sessions"]} == {"cancelled"}
    assert Reminder.objects.filter(kind="cancellation").count() == 1
    assert not Reminder.objects.filter(kind="reminder", status="pending").exists()


def test_sessions_filter_by_practitioner_and_time(api_receptionist, world):
    book(api_receptionist, world)
    response = api_receptionist.get("/api/v1/sessions/", {"practitioner": world.doctors[0].pk,
                                                          "start_after": "2027-03-20T00:00:00Z"})
    assert response.status_code == 200 and response.json()["count"] == 2
    assert api_receptionist.get("/api/v1/sessions/", {"start_after": "garbage"}).status_code == 400


def test_unknown_and_malformed_ids_are_404(api_receptionist, world):
    for url in ("/api/v1/courses/999999/", "/api/v1/courses/abc/", "/api/v1/sessions/99999999999999999999999/"):
        response = api_receptionist.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url


@pytest.mark.parametrize("body", [
    {}, {"patient": "x"}, [], "text", {"patient": 1, "protocol": 1, "location": 1, "start": "not a date"},
    {"patient": None, "protocol": [], "location": {}, "start": 5},
])
def test_malformed_booking_bodies_get_400_invalid(api_receptionist, world, body):
    response = api_receptionist.post("/api/v1/courses/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_post_transplant_protocol_counts_from_the_surgery_date(api_receptionist):
    world = build_world(sessions=2, gap=(28, 28, 42), anchor="surgery_date")
    body = course_body(world, "2027-03-02T10:00")
    response = api_receptionist.post("/api/v1/courses/", body, format="json")
    assert response.status_code == 400 and "surgery_date" in response.json()["errors"]
    # Session 1's gap (0/0/0) counts from the surgery date itself: FUE on Monday 1 March.
    body["surgery_date"] = "2027-03-01"
    response = api_receptionist.post("/api/v1/courses/preview/", body, format="json")
    assert response.status_code == 200, response.json()
    sessions = response.json()["sessions"]
    assert [(s["window_earliest"], s["window_latest"]) for s in sessions][0] == ("2027-03-01", "2027-03-01")
    assert local(sessions[1]["start"]).startswith("2027-03-29")


def test_bookings_and_moves_are_in_the_audit_trail_with_their_author_and_reason(api_receptionist, receptionist):
    from django.apps import apps

    world = build_world(gap=(7, 7, 7))
    course = book(api_receptionist, world, start="2027-03-15T10:00")
    second = course["sessions"][1]
    api_receptionist.post(f"/api/v1/sessions/{second['id']}/reschedule/",
                          {"start": "2027-03-23T10:00", "override_reason": "Patient travelling"}, format="json")
    SessionEvent = apps.get_model("patients", "SessionEvent")
    events = list(SessionEvent.objects.filter(pgh_obj_id=second["id"]).order_by("pgh_id"))
    assert [e.pgh_label for e in events][:2] == ["insert", "update"]
    moved = events[-1]
    assert moved.override_reason == "Patient travelling"
    assert moved.pgh_context.metadata["user"] == receptionist.pk
    CourseEvent = apps.get_model("patients", "CourseEvent")
    assert CourseEvent.objects.get(pgh_obj_id=course["id"], pgh_label="insert").pgh_context.metadata["user"] == \
        receptionist.pk
