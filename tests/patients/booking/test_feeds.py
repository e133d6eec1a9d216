"""Practitioners' calendar feeds (api-contract.md "Calendars, FHIR and files"): what a feed shows and
never shows, which sessions, rotation, conditional GETs. Feeds are read back with `ics`, a parser
independent of the `icalendar` package that writes them."""

import hashlib
from datetime import timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import ics
import pytest
import time_machine
from django.contrib.auth import get_user_model

from patients.booking.feeds import calendar_feed_rotate, patient_initials
from patients.booking.services import course_book
from patients.models import CalendarFeed, Reminder, Session
from patients.reminders.emails import calendar_part
from tests.factories import LocationFactory, PatientFactory, PractitionerFactory, RoomFactory, ScreeningFactory
from tests.patients.booking.world import BOOKING_CLOCK, at, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def zenobia(world):
    """A patient whose every detail is distinctive enough to be found in the feed's bytes."""
    return world.new_patient(first_name="Zenobia", last_name="Quarrington", email="zenobia.qx@example.test",
                             phone="+905329876543", notes="Keloid tendency after the 2019 transplant")


def book(world, patient, start: str = "2027-03-01 10:00", practitioner=None):
    course, _ = course_book(patient=patient, protocol=world.protocol, location=world.location, start=at(start),
                            practitioner=practitioner or world.doctors[0])
    return course


def path_of(url: str) -> str:
    """'http://host:8000/feeds/x.ics' -> '/feeds/x.ics'."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def feed_path(practitioner, by=None) -> str:
    return path_of(calendar_feed_rotate(practitioner=practitioner, by=by, now=BOOKING_CLOCK))


def read(client, path: str, **headers):
    response = client.get(path, headers=headers)
    return response, response.content if response.status_code == 200 else b""


def events(body: bytes) -> list[ics.Event]:
    return sorted(ics.Calendar(body.decode("utf-8")).events, key=lambda e: (e.begin, e.uid))


def sequence(event: ics.Event) -> int:
    return int(next(line.value for line in event.extra if line.name == "SEQUENCE"))


# --- privacy ---------------------------------------------------------------------------------------


def test_the_feed_shows_initials_session_n_of_n_and_the_room_and_nothing_that_names_the_patient(
        client, world, zenobia):
    course = book(world, zenobia)
    response, body = read(client, feed_path(world.doctors[0]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = body.decode("utf-8")
    # Lines are folded at 75 octets: a name split across a fold must be found too.
    unfolded = text.replace("\r\n ", "").lower()
    secrets_ = ["Zenobia", "Quarrington", "zenobia.qx@example.test", "zenobia.qx", "905329876543", "9876543",
                "532 987 65 43", "Keloid", "transplant", world.protocol.name, world.protocol.code, "mailto:",
                "ATTENDEE", "ORGANIZER"]
    for secret in secrets_:
        assert secret.lower() not in unfolded, secret
        assert secret.lower() not in text.lower(), secret
    assert [e.name for e in events(body)] == [f"Z.Q. · session {n} of 3" for n in (1, 2, 3)]
    session = course.sessions.order_by("number").first()
    assert {e.location for e in events(body)} == {f"{session.room.name}, {world.location.name}"}
    assert not any(e.description or e.attendees or e.organizer for e in events(body))


def test_initials_take_one_capital_per_part_of_the_name():
    assert patient_initials("Ayşe Nur", "Yılmaz-Kaya") == "A.N.Y.K."
    assert patient_initials("lucía", "de  la Cruz") == "L.D.L.C."


# --- which sessions --------------------------------------------------------------------------------


def test_only_live_sessions_of_the_practitioner_from_30_days_ago_on(client, world, zenobia):
    course = book(world, zenobia)
    first, second, third = course.sessions.order_by("number")
    other_patient = world.new_patient()
    book(world, other_patient, "2027-03-02 11:00", practitioner=world.doctors[1])
    path = feed_path(world.doctors[0])
    Session.objects.filter(pk=first.pk).update(status=Session.Status.COMPLETED)
    Session.objects.filter(pk=third.pk).update(status=Session.Status.CANCELLED)
    # 31 days after session 1 (1 March), 2 days after session 2 (29 March).
    with time_machine.travel(at("2027-04-01 10:30"), tick=False):
        _, body = read(client, path)
        assert {e.uid for e in events(body)} == {f"anagen-session-{second.pk}@127.0.0.1"}
    with time_machine.travel(at("2027-03-31 09:00"), tick=False):
        _, body = read(client, path)
        # A completed session is live (it held its time); a cancelled one is gone.
        assert [e.name for e in events(body)] == ["Z.Q. · session 1 of 3", "Z.Q. · session 2 of 3"]
    Session.objects.filter(pk=second.pk).update(status=Session.Status.NO_SHOW)
    with time_machine.travel(at("2027-04-01 10:30"), tick=False):
        _, body = read(client, path)
        assert events(body) == []


def test_a_feed_with_nothing_in_it_is_still_a_calendar(client, world):
    response, body = read(client, feed_path(world.doctors[1]))
    assert response.status_code == 200
    assert body.startswith(b"BEGIN:VCALENDAR") and events(body) == []


# --- the same entry as the patient's emails, times in the clinic's zone ----------------------------


def test_each_event_has_the_uid_and_sequence_of_the_sessions_entry_in_the_patients_email(client, world, zenobia):
    course = book(world, zenobia)
    sessions = list(course.sessions.order_by("number"))
    confirmation = Reminder.objects.get(course=course, kind="confirmation")
    part = calendar_part(confirmation, sessions)
    email_events = events(message_from_bytes(part.as_bytes()).get_payload(decode=True))
    _, body = read(client, feed_path(world.doctors[0]))
    feed_events = events(body)
    assert len(email_events) == len(feed_events) == 3
    assert [(e.uid, sequence(e)) for e in feed_events] == [(e.uid, sequence(e)) for e in email_events]


def test_times_carry_the_clinics_zone_across_a_dst_change(client, world):
    london = LocationFactory(name="Anagen London", timezone="Europe/London", country="GB", address="Harley St")
    doctor = PractitionerFactory(location=london, name="Dr. Evans")
    RoomFactory(location=london, name="Suite A")
    patient = PatientFactory(first_name="Olive", last_name="Brown", timezone="Europe/London")
    ScreeningFactory(patient=patient)
    # 2 March is GMT; Britain moves to BST on 28 March 2027, so 30 March is UTC+1.
    course_book(patient=patient, protocol=world.protocol, location=london,
                start=at("2027-03-02 10:00", LONDON), practitioner=doctor)
    _, body = read(client, feed_path(doctor))
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:Europe/London" in body
    starts = [e.begin.datetime for e in events(body)]
    assert [(s.strftime("%m-%d %H:%M"), s.utcoffset()) for s in starts] == [
        ("03-02 10:00", timedelta(0)), ("03-30 10:00", timedelta(hours=1)), ("04-27 10:00", timedelta(hours=1))]
    assert [s.astimezone(ZoneInfo("UTC")).hour for s in starts] == [10, 9, 9]
    ends = [e.end.datetime for e in events(body)]
    assert [end - start for start, end in zip(starts, ends, strict=True)] == [timedelta(minutes=30)] * 3


# --- rotation and the API --------------------------------------------------------------------------


def test_posting_again_rotates_the_url_and_the_old_one_is_a_404(client, api_admin, world, zenobia):
    book(world, zenobia)
    url = f"/api/v1/practitioners/{world.doctors[0].pk}/calendar-feed/"
    first = api_admin.post(url)
    assert first.status_code == 201
    old = first.json()["url"]
    assert old.startswith("http://127.0.0.1:8000/feeds/") and old.endswith(".ics")
    old_path = path_of(old)
    assert client.get(old_path).status_code == 200
    second = api_admin.post(url)
    assert second.status_code == 201 and second.json()["url"] != old
    new_path = path_of(second.json()["url"])
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200
    assert CalendarFeed.objects.filter(practitioner=world.doctors[0]).count() == 1


def test_only_a_hash_of_the_token_is_stored(api_admin, world):
    url = api_admin.post(f"/api/v1/practitioners/{world.doctors[0].pk}/calendar-feed/").json()["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get()
    assert len(token) >= 43 and token not in feed.token_sha256
    assert feed.token_sha256 == hashlib.sha256(token.encode()).hexdigest()


@pytest.mark.parametrize("role", ["receptionist", "doctor"])
def test_only_admins_make_feeds(api_as, world, role):
    response = api_as(role).post(f"/api/v1/practitioners/{world.doctors[0].pk}/calendar-feed/")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not CalendarFeed.objects.exists()


def test_a_feed_for_an_unknown_practitioner_is_a_404_and_anonymous_is_a_401(api_admin, api_anonymous, world):
    for pk in ("999999", "abc", "١٢"):
        response = api_admin.post(f"/api/v1/practitioners/{pk}/calendar-feed/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api_anonymous.post(f"/api/v1/practitioners/{world.doctors[0].pk}/calendar-feed/")
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/feeds/not-a-real-token-at-all-0123456789.ics", "/feeds/short.ics",
                                  "/feeds/" + "a" * 300 + ".ics"])
def test_unknown_tokens_are_a_404(client, world, path):
    calendar_feed_rotate(practitioner=world.doctors[0], by=None, now=BOOKING_CLOCK)
    assert client.get(path).status_code == 404


# --- conditional GET -------------------------------------------------------------------------------


def test_etag_and_last_modified_let_calendar_apps_poll_cheaply(client, world, zenobia):
    course = book(world, zenobia)
    path = feed_path(world.doctors[0])
    response, body = read(client, path)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "private" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert read(client, path)[1] == body  # the same bytes while nothing changed
    # A change of what the feed shows changes both.
    later = BOOKING_CLOCK + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        Session.objects.filter(pk=course.sessions.order_by("number").last().pk).update(
            status=Session.Status.CANCELLED, sequence=1, updated_at=later)
        changed, new_ics = read(client, path, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag and len(events(new_ics)) == 2
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 200


def test_the_feed_answers_only_reads(client, world):
    path = feed_path(world.doctors[0])
    assert client.post(path).status_code == 405
    assert client.head(path).status_code == 200


# --- the admin's page ------------------------------------------------------------------------------


def test_the_admins_page_makes_the_feed_shows_its_url_once_and_rotates_it(world):
    from tests.helpers import client_for

    admin = get_user_model().objects.create_superuser("feedadmin", "feedadmin@clinic.test", "x-long-password-1")
    page = client_for(admin)
    path = f"/booking/practitioners/{world.doctors[0].pk}/calendar-feed/"
    assert b"no calendar feed yet" in page.get(path).content
    response = page.post(path, follow=True)
    html = response.content.decode()
    assert 'id="feed-url"' in html and "it will not be shown again" in html
    url = html.split('id="feed-url" type="text" value="', 1)[1].split('"', 1)[0]
    assert "/feeds/" in url
    assert 'id="feed-url"' not in page.get(path).content.decode()  # shown once
    page.post(path)
    new = page.get(path).content.decode()
    new_url = new.split('id="feed-url" type="text" value="', 1)[1].split('"', 1)[0]
    assert new_url != url
    assert page.get(path_of(url)).status_code == 404


def test_the_admins_page_is_for_admins_only(desk, world):
    path = f"/booking/practitioners/{world.doctors[0].pk}/calendar-feed/"
    assert desk.get(path).status_code == 403
    assert desk.post(path).status_code == 403
    assert not CalendarFeed.objects.exists()
