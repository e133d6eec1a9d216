"""GET /api/v1/reports/adherence/: the sessions of a period by status, the shares held in their
window and missed, by protocol, and each practitioner's booked and open minutes."""

from datetime import timedelta

import pytest

from patients.booking import services as booking
from patients.booking.status import session_cancel, session_set_status
from patients.models import Session
from tests.factories import ClosureFactory, LocationFactory, PractitionerFactory, ProtocolFactory
from tests.factories.protocols import session_rows
from tests.patients.outcomes.world import VISIT, at
from tests.patients.records.world import BOOKED_AT

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]

WEEK_END = at("2027-03-05 18:00")  # Friday evening: every visit of the week has happened


def adherence(client, **query):
    response = client.get("/api/v1/reports/adherence/", query)
    assert response.status_code == 200, response.json()
    return response.json()


def done(session: Session, status: str) -> None:
    if status == "completed":
        session_set_status(session=session, status="arrived", now=WEEK_END)
    session_set_status(session=session, status=status, now=WEEK_END)


@pytest.fixture
def week(room):
    """The week of Mon 1 - Fri 5 Mar 2027 at the Istanbul clinic (open 09:00-18:00, no holiday):
    Dr. Aydın: Mon 10:00 completed in its window, Wed 10:00 cancelled, Thu 10:00 still booked;
    Dr. Demir: Mon 11:00 completed outside its window (broken on purpose), Tue 10:00 a no-show,
    and a day off on Wednesday. Every visit is 30 minutes."""
    aydin, demir = room.world.doctors
    outside = room.book_another("2027-03-01 11:00", doctor=1)
    missed = room.book_another("2027-03-02 10:00", doctor=1)
    cancelled = room.book_another("2027-03-03 10:00", doctor=0)
    pending = room.book_another("2027-03-04 10:00", doctor=0)
    assert (room.first.practitioner, outside.practitioner, missed.practitioner) == (aydin, demir, demir)
    # A first visit's window is its anchor day; this one was moved out of it with a reason.
    Session.objects.filter(pk=outside.pk).update(window_earliest=at("2027-03-02 00:00").date(),
                                                 window_latest=at("2027-03-03 00:00").date(),
                                                 override_reason="Patient's flight")
    done(room.first, "completed")
    done(outside, "completed")
    done(missed, "no_show")
    session_cancel(session=cancelled, reason="Patient ill", now=VISIT)
    ClosureFactory(location=room.world.location, practitioner=demir, start=at("2027-03-03 00:00"),
                   end=at("2027-03-04 00:00"), reason="Day off")
    return {"pending": pending}


def test_the_weeks_sessions_by_status_and_the_shares(api_doctor, room, week):
    # 5 sessions: 2 completed (1 in its window: 50 %), 1 no-show of the 3 whose outcome is known
    # (2 completed + 1 no-show: 33.33 %), 1 cancelled (1 of 5: 20 %), 1 still booked.
    body = adherence(api_doctor, location=room.world.location.pk, **{"from": "2027-03-01", "to": "2027-03-05"})
    expected = {"sessions": 5, "completed": 2, "no_show": 1, "cancelled": 1, "in_window_percent": 50.0,
                "no_show_percent": 33.33, "cancelled_percent": 20.0}
    assert {k: body[k] for k in expected} == expected
    assert body["by_protocol"] == [{"protocol_code": room.world.protocol.code, **expected}]


def test_each_practitioners_booked_and_open_minutes(api_doctor, room, week):
    # Open: 5 days × 540 min = 2700 for Dr. Aydın; Dr. Demir's day off leaves 4 × 540 = 2160.
    # Booked (sessions that hold their time): Aydın Mon + Thu = 60 min (the cancelled one freed
    # its time), 60 / 2700 = 2.22 %; Demir Mon = 30 min (the no-show's time went unused), 30 / 2160 = 1.39 %.
    body = adherence(api_doctor, location=room.world.location.pk, **{"from": "2027-03-01", "to": "2027-03-05"})
    aydin, demir = room.world.doctors
    assert [(p["practitioner"], p["name"], p["booked_minutes"], p["open_minutes"], p["utilisation_percent"])
            for p in body["by_practitioner"]] == [
        (aydin.pk, "Dr. Aydın", 60, 2700, 2.22), (demir.pk, "Dr. Demir", 30, 2160, 1.39)]


def test_the_period_is_in_the_clinics_calendar(api_doctor, room, week):
    # Thursday's session falls out of a period ending Wednesday; a session at 00:30 on Monday at
    # the clinic (21:30 on Sunday in UTC) is Monday's.
    body = adherence(api_doctor, location=room.world.location.pk, **{"from": "2027-03-01", "to": "2027-03-03"})
    assert body["sessions"] == 4
    Session.objects.filter(pk=week["pending"].pk).update(start=at("2027-03-01 00:30"), end=at("2027-03-01 01:00"))
    assert adherence(api_doctor, location=room.world.location.pk,
                     **{"from": "2027-03-01", "to": "2027-03-01"})["sessions"] == 3
    assert adherence(api_doctor, location=room.world.location.pk,
                     **{"from": "2027-02-28", "to": "2027-02-28"})["sessions"] == 0


def test_by_protocol_splits_the_codes(api_doctor, room, week):
    other = ProtocolFactory(status="active", sessions=session_rows(1))
    patient = room.world.new_patient()
    course, _ = booking.course_book(patient=patient, protocol=other, location=room.world.location,
                                    start=at("2027-03-02 14:00"), pinned={1: at("2027-03-02 14:00")}, now=BOOKED_AT)
    done(course.sessions.get(), "completed")
    body = adherence(api_doctor, location=room.world.location.pk, **{"from": "2027-03-01", "to": "2027-03-05"})
    assert body["sessions"] == 6 and body["completed"] == 3
    rows = {row["protocol_code"]: row for row in body["by_protocol"]}
    assert rows[other.code] == {"protocol_code": other.code, "sessions": 1, "completed": 1, "no_show": 0,
                                "cancelled": 0, "in_window_percent": 100.0, "no_show_percent": 0.0,
                                "cancelled_percent": 0.0}
    assert rows[room.world.protocol.code]["sessions"] == 5


def test_another_location_is_its_own_report_and_all_of_them_without_one(api_doctor, room, week):
    elsewhere = LocationFactory(name="Anagen Dubai", timezone="Asia/Dubai", country="AE")
    PractitionerFactory(location=elsewhere, name="Dr. Haddad")
    body = adherence(api_doctor, location=elsewhere.pk, **{"from": "2027-03-01", "to": "2027-03-05"})
    assert (body["sessions"], body["in_window_percent"], body["no_show_percent"], body["by_protocol"]) == (
        0, None, None, [])
    assert [(p["name"], p["booked_minutes"]) for p in body["by_practitioner"]] == [("Dr. Haddad", 0)]
    everywhere = adherence(api_doctor, **{"from": "2027-03-01", "to": "2027-03-05"})
    assert everywhere["sessions"] == 5 and len(everywhere["by_practitioner"]) == 3
    assert everywhere["location"] is None


def test_an_empty_period_is_a_clear_answer(api_doctor, room):
    body = adherence(api_doctor, location=room.world.location.pk, **{"from": "2027-06-07", "to": "2027-06-07"})
    assert {k: body[k] for k in ("sessions", "completed", "no_show", "cancelled", "in_window_percent",
                                 "no_show_percent", "by_protocol")} == {
        "sessions": 0, "completed": 0, "no_show": 0, "cancelled": 0, "in_window_percent": None,
        "no_show_percent": None, "by_protocol": []}
    assert [p["open_minutes"] for p in body["by_practitioner"]] == [540, 540]


@pytest.mark.parametrize("query, param", [
    ({"to": "2027-03-05"}, "from"),
    ({"from": "2027-03-01"}, "to"),
    ({"from": "2027-02-30", "to": "2027-03-05"}, "from"),
    ({"from": "yesterday", "to": "2027-03-05"}, "from"),
    ({"from": "2027-03-05", "to": "2027-03-01"}, "to"),
    ({"from": "2027-01-01", "to": "2029-01-02"}, "to"),
    ({"location": "999999", "from": "2027-03-01", "to": "2027-03-05"}, "location"),
    ({"location": "abc", "from": "2027-03-01", "to": "2027-03-05"}, "location"),
    ({"location": "1\x00", "from": "2027-03-01", "to": "2027-03-05"}, "location"),
    ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
    ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
])
def test_a_bad_query_parameter_is_400_invalid_by_the_parameter(api_doctor, room, query, param):
    response = api_doctor.get("/api/v1/reports/adherence/", query)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid" and param in response.json()["errors"], response.json()


def test_adherence_is_for_doctors_and_admins(api_admin, api_receptionist, api_anonymous, room):
    query = {"from": "2027-03-01", "to": "2027-03-05"}
    assert api_admin.get("/api/v1/reports/adherence/", query).status_code == 200
    refused = api_receptionist.get("/api/v1/reports/adherence/", query)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert api_anonymous.get("/api/v1/reports/adherence/", query).status_code == 401


def test_the_report_does_not_depend_on_today(doctor, room, week):
    # The same figures a year later: nothing in the report reads the clock. (A session login, as
    # an API key would have expired by then.)
    import time_machine
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=doctor)
    query = {"location": room.world.location.pk, "from": "2027-03-01", "to": "2027-03-05"}
    before = adherence(client, **query)
    with time_machine.travel(VISIT + timedelta(days=365), tick=False):
        assert adherence(client, **query) == before
