"""The receptionist's booking pages: book a course, the calendar and its feed, a course's page,
"To chase", and the services behind them (free slots, reschedule dry run, re-booking)."""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from clinic.errors import DomainError
from patients.booking import services as booking
from patients.booking.preview import session_rebook, session_reschedule_preview
from patients.booking.slots import free_slots
from patients.booking.status import session_cancel
from patients.models import Course, Reminder, Session
from protocols.planning import Window
from tests.factories import PatientFactory, ProtocolFactory
from tests.patients.booking.world import BOOKING_CLOCK, at, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]

PAGES = ["/booking/new/", "/booking/calendar/", "/booking/calendar/?view=week", "/booking/chase/"]


@pytest.fixture
def world():
    return build_world()


def form_data(world, start_date="2027-03-01", start_time="10:00", **extra) -> dict:
    return {"patient": world.patient.pk, "location": world.location.pk, "protocol": world.protocol.pk,
            "practitioner": "", "start_date": start_date, "start_time": start_time, "surgery_date": "", **extra}


def book(world, start="2027-03-01 10:00", patient=None, **kwargs) -> Course:
    course, _ = booking.course_book(patient=patient or world.patient, protocol=world.protocol,
                                    location=world.location, start=at(start), **kwargs)
    return course


def previewed(response) -> str:
    return re.search(r'name="previewed" value="([^"]*)"', response.content.decode()).group(1).replace("&amp;", "&")


# --- Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_staff_without_a_role_get_403(client, django_user_model, world, url):
    client.force_login(django_user_model.objects.create_user("nobody", password="x-long-password-1"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_a_receptionist_opens_every_booking_page(desk, world, url):
    response = desk.get(url)
    assert response.status_code == 200
    assert b"<h1>" in response.content


def test_session_actions_need_a_role_too(client, django_user_model, world):
    session = book(world).sessions.first()
    client.force_login(django_user_model.objects.create_user("nobody", password="x-long-password-1"))
    assert client.post(f"/booking/sessions/{session.pk}/cancel/", {"reason": "no"}).status_code == 403
    session.refresh_from_db()
    assert session.status == "booked"


# --- Book a course ------------------------------------------------------------------------------


def test_the_form_preselects_the_patient_from_the_link(desk, world):
    response = desk.get(f"/booking/new/?patient={world.patient.pk}")
    assert re.search(rf'<option value="{world.patient.pk}" selected>', response.content.decode())


def test_protocols_the_location_refuses_are_greyed_out_with_the_reason(desk, world):
    refused = ProtocolFactory(status="active", code="EXO-MSC", source_category="allogeneic_human", route="injection")
    page = desk.get(f"/booking/new/?location={world.location.pk}").content.decode()
    protocols = re.search(r'<select name="protocol".*?</select>', page, re.S).group(0)  # ids repeat across tables
    option = re.search(rf'<option value="{refused.pk}"[^>]*>[^<]*</option>', protocols).group(0)
    assert "disabled" in option and "not here" in option and "not by injection" in option
    response = desk.post("/booking/new/", form_data(world, protocol=refused.pk, action="preview"))
    assert "EXO-MSC cannot be booked here" in response.content.decode()
    assert Course.objects.count() == 0


def test_the_preview_lists_each_session_with_its_time_window_and_free_times(desk, world):
    response = desk.post("/booking/new/", form_data(world, action="preview"))
    page = response.content.decode()
    assert response.status_code == 200
    for number in (1, 2, 3):
        assert f'data-testid="preview-row-{number}"' in page
    assert "Mon 1 Mar 2027" in page and "Mon 29 Mar 2027" in page and "Mon 26 Apr 2027" in page
    assert "22 Mar – 5 Apr 2027" in page  # session 2's window
    assert 'name="pin_2"' in page and 'value="2027-03-29T09:45"' in page
    assert "Book 3 sessions" in page
    assert Course.objects.count() == 0 and Session.objects.count() == 0


def test_the_preview_shows_a_conflict_with_a_human_reason(desk, world):
    other = world.new_patient()
    book(world, patient=other, practitioner=world.doctors[0])
    data = form_data(world, practitioner=world.doctors[0].pk, pin_2="2027-03-29T10:00", action="preview")
    page = desk.post("/booking/new/", data).content.decode()
    assert "Conflict" in page and "The chosen time is taken" in page
    assert re.search(r'<button[^>]*value="book"[^>]*disabled', page)


def test_booking_through_the_form_keeps_the_receptionists_choice(desk, world):
    data = form_data(world, pin_2="2027-03-30T11:00", action="preview")
    response = desk.post("/booking/new/", data)
    assert "Your choice" in response.content.decode()
    response = desk.post("/booking/new/", {**data, "action": "book", "previewed": previewed(response)})
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/booking/courses/{course.pk}/"
    starts = [s.start for s in course.sessions.order_by("number")]
    assert starts[1] == at("2027-03-30 11:00")
    # Session 3 is counted from the choice (30 March + 28 days) at the course's wished time of day.
    assert starts[2] == at("2027-04-27 10:00")
    assert "Course booked: 3 sessions." in desk.get(response["Location"]).content.decode()


def test_booking_after_changing_the_form_shows_the_new_preview_first(desk, world):
    response = desk.post("/booking/new/", form_data(world, action="preview"))
    changed = form_data(world, start_time="11:00", action="book", previewed=previewed(response))
    response = desk.post("/booking/new/", changed)
    assert response.status_code == 200 and "check it, then book" in response.content.decode()
    assert Course.objects.count() == 0


def test_booking_without_a_screening_says_so_and_links_to_the_screening_form(desk, world):
    fresh = PatientFactory()
    data = form_data(world, patient=fresh.pk, action="preview")
    response = desk.post("/booking/new/", data)
    page = response.content.decode()
    assert "No screening in the last 30 days" in page and f"/patients/{fresh.pk}/screenings/new/" in page
    response = desk.post("/booking/new/", {**data, "action": "book", "previewed": previewed(response)})
    page = response.content.decode()
    assert "Screen the patient first." in page and f"/patients/{fresh.pk}/screenings/new/" in page
    assert Course.objects.count() == 0


def test_a_wished_start_in_the_past_is_an_error_by_the_field(desk, world):
    response = desk.post("/booking/new/", form_data(world, start_date="2020-01-06", action="preview"))
    assert "The wished start is in the past." in response.content.decode()
    assert 'data-testid="course-preview"' not in response.content.decode()


def test_a_missing_wished_start_is_an_error_by_the_field_not_a_500(desk, world):
    response = desk.post("/booking/new/", form_data(world, start_date="", start_time="25:99", action="preview"))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


# --- Calendar and its feed -----------------------------------------------------------------------


def test_the_feed_gives_events_with_clinic_times_and_status_colours(desk, world):
    course = book(world)
    first = course.sessions.get(number=1)
    response = desk.get(f"/booking/calendar/feed/?location={world.location.pk}"
                        "&start=2027-03-01T00:00:00Z&end=2027-03-08T00:00:00Z")
    assert response.status_code == 200
    events = response.json()
    assert len(events) == 1
    event = events[0]
    assert event["id"] == str(first.pk)
    assert event["start"] == "2027-03-01T10:00" and event["end"] == "2027-03-01T10:30"
    assert event["classNames"] == ["st-booked"]
    assert event["url"] == f"/booking/sessions/{first.pk}/"
    assert event["extendedProps"]["practitioner"] == "Dr. Aydın"
    assert event["extendedProps"]["resourceId"] == world.doctors[0].pk
    assert world.patient.first_name in event["title"]


def test_the_feeds_status_labels_are_in_the_readers_language(desk, world):
    book(world)
    url = (f"/booking/calendar/feed/?location={world.location.pk}"
           "&start=2027-03-01T00:00:00Z&end=2027-03-08T00:00:00Z")
    with translation.override("tr"):
        turkish = str(Session.Status.BOOKED.label)
    assert turkish != "Booked"
    assert [e["extendedProps"]["statusLabel"] for e in desk.get(url, HTTP_ACCEPT_LANGUAGE="tr").json()] == [turkish]
    assert [e["extendedProps"]["statusLabel"] for e in desk.get(url, HTTP_ACCEPT_LANGUAGE="en").json()] == ["Booked"]


def test_the_feed_filters_by_room(desk, world):
    book(world)
    url = (f"/booking/calendar/feed/?location={world.location.pk}&start=2027-03-01T00:00:00Z"
           f"&end=2027-05-01T00:00:00Z&by=room&resource={world.rooms[1].pk}")
    assert desk.get(url).json() == []


def test_the_feed_refuses_a_missing_or_huge_range_with_400(desk, world):
    base = f"/booking/calendar/feed/?location={world.location.pk}"
    assert desk.get(base).status_code == 400
    assert desk.get(base + "&start=2027-01-01&end=2027-12-31").status_code == 400
    assert desk.get(base + "&start=nonsense&end=2027-12-31").status_code == 400


def test_the_feeds_query_count_does_not_grow_with_the_sessions(desk, world, django_assert_max_num_queries):
    url = (f"/booking/calendar/feed/?location={world.location.pk}"
           "&start=2027-02-22T00:00:00Z&end=2027-04-24T00:00:00Z")
    book(world)
    desk.get(url)  # warm the session and the user's role
    with CaptureQueriesContext(connection) as few:
        assert len(desk.get(url).json()) == 2
    for n in range(6):
        book(world, start=f"2027-03-0{1 + n % 5} {11 + n}:00", patient=world.new_patient())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(desk.get(url).json()) == 14
    assert len(few.captured_queries) <= 9  # session, user, role, location, sessions, access log; session save


def test_the_day_view_has_a_column_per_practitioner_or_per_room(desk, world):
    book(world)
    page = desk.get(f"/booking/calendar/?location={world.location.pk}&date=2027-03-01").content.decode()
    assert "Dr. Aydın" in page and "Dr. Demir" in page
    assert page.count('data-testid="calendar-session"') == 1
    assert "grid-column: 2;" in page  # the first practitioner's column
    page = desk.get(f"/booking/calendar/?location={world.location.pk}&date=2027-03-01&by=room").content.decode()
    assert "Room 1" in page and "Room 2" in page


# --- One session: move, cancel, status ------------------------------------------------------------


def test_the_reschedule_preview_shows_the_cascade_and_rolls_everything_back(world):
    course = book(world)
    second = course.sessions.get(number=2)
    before = list(course.sessions.order_by("number").values_list("start", "sequence", "window_latest"))
    reminders = Reminder.objects.count()
    preview = session_reschedule_preview(session=second, start=at("2027-04-05 10:00"))
    assert preview.session.new_start == at("2027-04-05 10:00")
    assert preview.session.old_start == at("2027-03-29 10:00")
    assert [m.number for m in preview.moved] == []  # session 3 still inside its window
    preview = session_reschedule_preview(session=course.sessions.get(number=1), start=at("2027-03-01 14:00"))
    assert preview.moved == []
    assert list(course.sessions.order_by("number").values_list("start", "sequence", "window_latest")) == before
    assert Reminder.objects.count() == reminders


def test_the_reschedule_preview_lists_the_later_sessions_the_cascade_moves():
    world = build_world(sessions=5, gap=(12, 14, 17))
    course = book(world)
    second = course.sessions.get(number=2)
    before = list(course.sessions.order_by("number").values_list("start", flat=True))
    preview = session_reschedule_preview(session=second, start=at("2027-03-18 10:00"))
    assert [m.number for m in preview.moved] == [3, 4, 5]
    assert [m.new_start for m in preview.moved] == [at("2027-04-01 10:00"), at("2027-04-15 10:00"),
                                                     at("2027-04-29 10:00")]
    assert list(course.sessions.order_by("number").values_list("start", flat=True)) == before


def test_the_reschedule_preview_raises_what_the_move_would_raise(world):
    course = book(world)
    with pytest.raises(DomainError) as raised:
        session_reschedule_preview(session=course.sessions.get(number=2), start=at("2027-04-12 10:00"),
                                   cascade=False)
    assert raised.value.code == "window_violation"


def test_moving_through_the_page_previews_then_confirms(desk):
    world = build_world(sessions=5, gap=(12, 14, 17))
    course = book(world)
    second = course.sessions.get(number=2)
    data = {"date": "2027-03-18", "time": "10:00", "cascade": "on", "practitioner": "", "override_reason": "",
            "next": f"/booking/courses/{course.pk}/"}
    page = desk.post(f"/booking/sessions/{second.pk}/move/", {**data, "action": "preview"},
                     HTTP_HX_REQUEST="true").content.decode()
    assert page.count('data-testid="cascade-move"') == 3 and "Confirm the move" in page
    second.refresh_from_db()
    assert second.start == at("2027-03-15 10:00")
    response = desk.post(f"/booking/sessions/{second.pk}/move/", {**data, "action": "confirm"},
                         HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/booking/courses/{course.pk}/"
    starts = list(course.sessions.order_by("number").values_list("start", flat=True))
    assert starts[1:] == [at("2027-03-18 10:00"), at("2027-04-01 10:00"), at("2027-04-15 10:00"),
                          at("2027-04-29 10:00")]


def test_a_move_outside_the_window_without_a_reason_is_explained_in_the_panel(desk, world):
    second = book(world).sessions.get(number=2)
    page = desk.post(f"/booking/sessions/{second.pk}/move/",
                     {"date": "2027-04-12", "time": "10:00", "action": "preview"}).content.decode()
    assert "must be between 2027-03-22 and 2027-04-05" in page


def test_cancelling_a_session_needs_a_reason_and_then_cancels_it(desk, world):
    second = book(world).sessions.get(number=2)
    page = desk.post(f"/booking/sessions/{second.pk}/cancel/", {"reason": ""}).content.decode()
    assert "This field is required." in page
    response = desk.post(f"/booking/sessions/{second.pk}/cancel/", {"reason": "Travelling"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "cancelled" and second.cancel_reason == "Travelling"


def test_status_buttons_follow_the_allowed_transitions(desk, receptionist, world):
    first = book(world).sessions.get(number=1)
    with time_machine.travel(at("2027-03-01 09:50"), tick=False):
        desk.force_login(receptionist)  # staff sessions end after 30 idle minutes
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
        assert 'value="confirmed"' in page and 'value="completed"' not in page
        desk.post(f"/booking/sessions/{first.pk}/status/", {"status": "arrived"})
        first.refresh_from_db()
        assert first.status == "arrived"
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
        assert 'value="completed"' in page and 'value="confirmed"' not in page
        page = desk.post(f"/booking/sessions/{first.pk}/status/", {"status": "confirmed"}).content.decode()
        assert "cannot become confirmed" in page


# --- A course's page, re-booking, cancelling -------------------------------------------------------


def test_the_course_page_shows_a_timeline_and_every_session(desk, world):
    course = book(world)
    page = desk.get(f"/booking/courses/{course.pk}/").content.decode()
    assert 'data-testid="course-timeline"' in page
    assert page.count('<circle class="st-booked"') == 3
    assert page.count('data-testid="session-row-') == 3
    assert f"{world.protocol.code} version {world.protocol.version}" in page


def test_a_cancelled_session_can_be_booked_again_inside_its_window(desk, world):
    course = book(world)
    second = course.sessions.get(number=2)
    session_cancel(session=second, reason="Ill")
    page = desk.get(f"/booking/courses/{course.pk}/").content.decode()
    assert 'id="rebook-2"' in page and 'value="2027-03-29T10:00"' in page
    response = desk.post(f"/booking/courses/{course.pk}/rebook/", {"number": 2, "start": "2027-03-30T09:00"})
    assert response.status_code == 302
    new = course.sessions.get(number=2, status="booked")
    assert new.start == at("2027-03-30 09:00") and new.window_earliest == date(2027, 3, 22)
    assert Reminder.objects.filter(session=new, kind="change").count() == 1


def test_rebooking_refuses_a_time_outside_the_window_and_a_booked_session(world):
    course = book(world)
    with pytest.raises(DomainError) as raised:
        session_rebook(course=course, number=2, start=at("2027-03-30 09:00"))
    assert raised.value.code == "invalid_transition"
    session_cancel(session=course.sessions.get(number=2), reason="Ill")
    with pytest.raises(DomainError) as raised:
        session_rebook(course=course, number=2, start=at("2027-04-12 10:00"))
    assert raised.value.code == "window_violation"
    assert course.sessions.filter(number=2, status="booked").count() == 0


def test_rebooking_a_time_someone_holds_is_a_slot_conflict(world):
    course = book(world, practitioner=world.doctors[0])
    session_cancel(session=course.sessions.get(number=2), reason="Ill")
    other = book(world, start="2027-03-01 11:00", patient=world.new_patient())
    taken = other.sessions.get(number=2)
    for room in world.rooms[1:]:
        # Fill the other room and doctor at that time, so nothing is free.
        Session.objects.create(course=other, patient=world.new_patient(), location=world.location, number=9,
                               start=taken.start, end=taken.end, practitioner=world.doctors[1], room=room,
                               window_earliest=taken.window_earliest, window_latest=taken.window_latest)
    with pytest.raises(DomainError) as raised:
        session_rebook(course=course, number=2, start=taken.start)
    assert raised.value.code == "slot_conflict"


def test_cancelling_the_course_asks_for_a_reason(desk, world):
    course = book(world)
    response = desk.post(f"/booking/courses/{course.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400
    response = desk.post(f"/booking/courses/{course.pk}/cancel/", {"reason": "Moved abroad"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == "cancelled"
    assert set(course.sessions.values_list("status", flat=True)) == {"cancelled"}


# --- Free slots --------------------------------------------------------------------------------


def test_free_slots_lie_inside_the_window_and_avoid_booked_times(world):
    course = book(world)
    second = course.sessions.get(number=2)
    window = Window(date(2027, 3, 22), date(2027, 3, 29), date(2027, 4, 5))
    slots = free_slots(location=world.location, patient=world.patient, window=window, duration_minutes=30,
                       now=timezone.now())
    assert 0 < len(slots) <= 40
    assert slots == sorted(slots, key=lambda s: s.start)
    for slot in slots:
        local = slot.start.astimezone(at("2027-01-01 00:00").tzinfo)
        assert window.earliest <= local.date() <= window.latest
        assert 9 <= local.hour < 18 and local.weekday() < 5
        assert not (slot.start < second.end and second.start < slot.end)  # the patient is busy then


def test_free_slots_are_none_on_a_fully_closed_window(world):
    window = Window(date(2027, 3, 6), date(2027, 3, 6), date(2027, 3, 7))  # a weekend
    assert free_slots(location=world.location, patient=world.patient, window=window, duration_minutes=30,
                      now=timezone.now()) == []


# --- To chase ----------------------------------------------------------------------------------


def test_to_chase_lists_soonest_closing_first_and_change_requests(desk, world):
    late = book(world, start="2027-03-08 10:00")
    soon = book(world, start="2027-03-01 11:00", patient=world.new_patient())
    for course in (late, soon):
        session_cancel(session=course.sessions.get(number=2), reason="Ill")
    asked = late.sessions.get(number=1)
    Session.objects.filter(pk=asked.pk).update(change_requested_at=timezone.now())
    page = desk.get("/booking/chase/").content.decode()
    rows = re.findall(r'href="/booking/courses/(\d+)/#rebook-2"', page)
    assert rows == [str(soon.pk), str(late.pk)]
    assert page.count('data-testid="change-request-row"') == 1
    assert f'/booking/sessions/{asked.pk}/' in page


def test_to_chase_says_so_when_nobody_is_to_chase(desk, world):
    page = desk.get("/booking/chase/").content.decode()
    assert "Nobody to chase" in page and "No requests to change a time." in page


# --- The patient's page ----------------------------------------------------------------------------


def test_the_patient_page_lists_courses_and_upcoming_sessions_with_a_book_button(desk, world):
    course = book(world)
    page = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert f"/booking/new/?patient={world.patient.pk}" in page
    assert f"/booking/courses/{course.pk}/" in page
    assert "Mon 1 Mar 2027 10:00" in page


def test_the_navigation_links_to_the_booking_pages(desk, world):
    page = desk.get("/").content.decode()
    for url in ("/booking/new/", "/booking/calendar/", "/booking/chase/"):
        assert f'href="{url}"' in page

