"""/api/v1/practitioners/, rooms/ and closures/: fields, validation, roles, affected sessions."""

from datetime import UTC, datetime

import pytest
from django.apps import apps

from clinic.models import Closure, Practitioner, Room
from clinic.selectors import sessions_affected_by_closure
from tests.factories import ClosureFactory, LocationFactory, PractitionerFactory, RoomFactory

pytestmark = pytest.mark.django_db


# --- practitioners ----------------------------------------------------------------------------


def test_an_admin_adds_a_practitioner_with_working_hours(api_admin):
    location = LocationFactory()
    body = {"name": "Dr. Elif Yılmaz", "email": "elif@clinic.test", "location": location.pk, "kind": "doctor",
            "working_hours": [{"weekday": 2, "opens": "10:00", "closes": "18:00"}]}
    response = api_admin.post("/api/v1/practitioners/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {**body, "id": response.json()["id"], "active": True}


def test_a_practitioner_without_working_hours_has_an_empty_list(api_admin):
    response = api_admin.post("/api/v1/practitioners/", {"name": "Ayşe Demir", "location": LocationFactory().pk,
                                                          "kind": "nurse"}, format="json")
    assert response.status_code == 201
    assert response.json()["working_hours"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"location": 999999}, "location", "does not exist"),
        ({"location": "first"}, "location", "Incorrect type"),
        ({"location": 2**80}, "location", "does not exist"),
        ({"kind": "surgeon"}, "kind", "not a valid choice"),
        ({"email": "not an email"}, "email", "valid email"),
        ({"working_hours": [{"weekday": 0, "opens": "18:00", "closes": "10:00"}]}, "working_hours", "before it opens"),
        ({"working_hours": "9-5"}, "working_hours", "must be a list"),
        ({"name": "Dr. <img src=x onerror=alert(1)>"}, "name", "plain text"),
        ({"name": ""}, "name", "may not be blank"),
    ],
)
def test_bad_practitioner_input_is_refused_by_the_field(api_admin, overrides, field, message):
    body = {"name": "Dr. Kaya", "location": LocationFactory().pk, "kind": "doctor", **overrides}
    response = api_admin.post("/api/v1/practitioners/", body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field]), response.json()
    assert not Practitioner.objects.exists()


def test_practitioners_are_filtered_by_location_and_activity(api_receptionist):
    here, there = LocationFactory(), LocationFactory()
    PractitionerFactory(location=here, name="A")
    PractitionerFactory(location=here, name="B", active=False)
    PractitionerFactory(location=there, name="C")
    body = api_receptionist.get("/api/v1/practitioners/", {"location": here.pk, "active": "true"}).json()
    assert [p["name"] for p in body["results"]] == ["A"]
    assert api_receptionist.get("/api/v1/practitioners/", {"location": "x"}).status_code == 400


# --- rooms ------------------------------------------------------------------------------------


def test_room_names_are_unique_per_location_only(api_admin):
    here, there = LocationFactory(), LocationFactory()
    RoomFactory(location=here, name="Room 1")
    same_place = api_admin.post("/api/v1/rooms/", {"name": "Room 1", "location": here.pk}, format="json")
    elsewhere = api_admin.post("/api/v1/rooms/", {"name": "Room 1", "location": there.pk}, format="json")
    assert same_place.status_code == 400
    assert same_place.json()["errors"] == {
        "non_field_errors": ["A room with this name already exists at this location."]
    }
    assert elsewhere.status_code == 201
    assert elsewhere.json() == {"id": elsewhere.json()["id"], "name": "Room 1", "location": there.pk, "active": True}
    assert Room.objects.count() == 2


def test_an_admin_deactivates_a_room(api_admin):
    room = RoomFactory()
    response = api_admin.patch(f"/api/v1/rooms/{room.pk}/", {"active": False}, format="json")
    assert response.status_code == 200
    room.refresh_from_db()
    assert room.active is False


# --- closures ---------------------------------------------------------------------------------


def test_a_closure_sent_without_an_offset_is_read_in_the_locations_time(api_admin):
    location = LocationFactory(timezone="Europe/Istanbul")
    body = {"location": location.pk, "start": "2027-04-05T17:00", "end": "2027-04-06T11:00:00", "reason": "Congress"}
    response = api_admin.post("/api/v1/closures/", body, format="json")
    assert response.status_code == 201, response.json()
    closure = Closure.objects.get()
    assert closure.start == datetime(2027, 4, 5, 14, tzinfo=UTC)
    assert closure.end == datetime(2027, 4, 6, 8, tzinfo=UTC)
    assert response.json()["practitioner"] is None
    assert response.json()["affected_sessions"] == []
    assert response.json()["start"].startswith("2027-04-05T14:00:00")


def test_a_closure_with_an_offset_keeps_its_instant(api_admin):
    location = LocationFactory(timezone="Europe/Madrid")
    body = {"location": location.pk, "start": "2027-03-28T01:30:00+00:00", "end": "2027-03-28T12:00:00Z"}
    assert api_admin.post("/api/v1/closures/", body, format="json").status_code == 201
    assert Closure.objects.get().start == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end": "2027-04-05T08:00:00+03:00"}, "end", "must end after it starts"),
        ({"end": "2027-04-05T09:00:00+03:00"}, "end", "must end after it starts"),
        ({"start": "yesterday"}, "start", "wrong format"),
        ({"start": None}, "start", "may not be null"),
        ({"reason": "r" * 201}, "reason", "no more than 200"),
        ({"location": 424242}, "location", "does not exist"),
        # Year 1 at UTC+3 is before year 1 in UTC: out of range, not a 500.
        ({"start": "0001-01-01T00:00"}, "start", "out of range"),
    ],
)
def test_bad_closures_are_refused(api_admin, overrides, field, message):
    location = LocationFactory()
    body = {"location": location.pk, "start": "2027-04-05T09:00:00+03:00", "end": "2027-04-05T18:00:00+03:00",
            **overrides}
    response = api_admin.post("/api/v1/closures/", body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field]), response.json()
    assert not Closure.objects.exists()


def test_a_closure_for_a_practitioner_of_another_location_is_refused(api_admin):
    here, elsewhere = LocationFactory(), PractitionerFactory()
    body = {"location": here.pk, "practitioner": elsewhere.pk, "start": "2027-04-05T09:00:00Z",
            "end": "2027-04-05T10:00:00Z"}
    response = api_admin.post("/api/v1/closures/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["practitioner"] == ["This practitioner works at another location."]


def test_closures_are_filtered_by_time_and_scope(api_doctor):
    location = LocationFactory()
    practitioner = PractitionerFactory(location=location)
    ClosureFactory(location=location, start=datetime(2027, 1, 1, tzinfo=UTC), end=datetime(2027, 1, 2, tzinfo=UTC))
    ClosureFactory(location=location, practitioner=practitioner, start=datetime(2027, 6, 1, tzinfo=UTC),
                   end=datetime(2027, 6, 2, tzinfo=UTC))
    everything = api_doctor.get("/api/v1/closures/", {"location": location.pk}).json()["results"]
    later = api_doctor.get("/api/v1/closures/", {"ends_after": "2027-03-01T00:00:00Z"}).json()["results"]
    whole = api_doctor.get("/api/v1/closures/", {"whole_location": "true"}).json()["results"]
    assert len(everything) == 2 and "affected_sessions" not in everything[0]
    assert [c["practitioner"] for c in later] == [practitioner.pk]
    assert [c["practitioner"] for c in whole] == [None]
    assert api_doctor.get("/api/v1/closures/", {"ends_after": "soon"}).status_code == 400


def test_an_admin_moves_and_deletes_a_closure(api_admin):
    closure = ClosureFactory(start=datetime(2027, 1, 1, tzinfo=UTC), end=datetime(2027, 1, 2, tzinfo=UTC))
    moved = api_admin.patch(f"/api/v1/closures/{closure.pk}/", {"end": "2027-01-03T00:00:00Z"}, format="json")
    assert moved.status_code == 200
    backwards = api_admin.patch(f"/api/v1/closures/{closure.pk}/", {"end": "2026-12-31T00:00:00Z"}, format="json")
    assert backwards.status_code == 400
    closure.refresh_from_db()
    assert closure.end == datetime(2027, 1, 3, tzinfo=UTC)
    assert api_admin.delete(f"/api/v1/closures/{closure.pk}/").status_code == 204


def test_affected_sessions_is_empty_while_no_app_books_sessions(monkeypatch):
    from clinic import selectors

    # The clinic reads affected sessions only through the reader the booking app registers.
    monkeypatch.setattr(selectors, "_closure_readers", [])
    closure = ClosureFactory(start=datetime(2027, 1, 1, tzinfo=UTC), end=datetime(2027, 1, 2, tzinfo=UTC))
    assert sessions_affected_by_closure(closure) == []


def test_affected_sessions_lists_the_live_sessions_inside_the_closure_not_cancelled_or_no_show(api_admin):
    Session = apps.get_model("patients", "Session")
    Course = apps.get_model("patients", "Course")
    from tests.factories import PatientFactory, ProtocolFactory

    location = LocationFactory()
    practitioner, colleague = PractitionerFactory(location=location), PractitionerFactory(location=location)
    room = RoomFactory(location=location)
    protocol = ProtocolFactory(status="active")
    patient = PatientFactory()
    course = Course.objects.create(patient=patient, protocol=protocol, protocol_version=protocol.version,
                                   location=location, anchor_date=datetime(2027, 4, 5).date())
    day = datetime(2027, 4, 5, 9, tzinfo=UTC)

    def session(number, who, hour, status="booked"):
        return Session.objects.create(
            course=course, patient=patient, location=location, number=number, practitioner=who, room=room,
            status=status, start=day.replace(hour=hour), end=day.replace(hour=hour, minute=30),
            window_earliest=day.date(), window_latest=day.date(),
        )

    inside = session(1, practitioner, 10)
    session(2, practitioner, 11, status="cancelled")
    session(3, colleague, 12)
    session(4, practitioner, 16)
    # A no-show gave its time back, like a cancellation: nothing to move.
    session(5, practitioner, 13, status="no_show")
    body = {"location": location.pk, "practitioner": practitioner.pk, "start": "2027-04-05T09:00:00Z",
            "end": "2027-04-05T15:00:00Z", "reason": "Sick leave"}
    response = api_admin.post("/api/v1/closures/", body, format="json")
    assert response.status_code == 201, response.json()
    affected = response.json()["affected_sessions"]
    assert [row["id"] for row in affected] == [inside.pk]
    assert affected[0]["practitioner"] == practitioner.pk and affected[0]["status"] == "booked"
    assert affected[0]["start"].startswith("2027-04-05T10:00:00")
    whole_location = ClosureFactory(location=location, start=day, end=day.replace(hour=15))
    assert len(sessions_affected_by_closure(whole_location)) == 2


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["practitioners", "rooms", "closures"])
@pytest.mark.parametrize("role", ["receptionist", "doctor"])
def test_only_admins_write_practitioners_rooms_and_closures(api_as, role, resource):
    location = LocationFactory()
    client = api_as(role)
    bodies = {
        "practitioners": {"name": "Dr. X", "location": location.pk},
        "rooms": {"name": "Room X", "location": location.pk},
        "closures": {"location": location.pk, "start": "2027-01-01T00:00:00Z", "end": "2027-01-02T00:00:00Z"},
    }
    assert client.get(f"/api/v1/{resource}/").status_code == 200
    response = client.post(f"/api/v1/{resource}/", bodies[resource], format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not (Practitioner.objects.exists() or Room.objects.exists() or Closure.objects.exists())


@pytest.mark.parametrize("resource", ["practitioners", "rooms", "closures"])
def test_anonymous_callers_cannot_read_the_set_up(api_anonymous, resource):
    assert api_anonymous.get(f"/api/v1/{resource}/").status_code == 401
