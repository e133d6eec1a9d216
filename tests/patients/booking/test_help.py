"""What the booking pages tell the receptionist: every free start of a chosen day (the slot grid),
why a session left its target day, what clashes with a refused move and the nearest free times,
and the calendar following a moved session to its new day."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine

from patients.booking import services as booking
from patients.booking.move import follow_to_day
from patients.booking.reasons import closed_days, describe_days
from tests.factories import ClosureFactory
from tests.patients.booking.world import at, build_world

pytestmark = pytest.mark.django_db

NOW = at("2027-01-20 09:00")


@pytest.fixture
def world():
    return build_world(screened_at=NOW - timedelta(days=1))


@contextmanager
def desk_at(client, user, moment=NOW):
    with time_machine.travel(moment, tick=False):
        client.force_login(user)  # staff sessions end after 30 idle minutes
        yield client


def form_data(world, start_date="2027-03-01", start_time="10:00", **extra) -> dict:
    return {"patient": world.patient.pk, "location": world.location.pk, "protocol": world.protocol.pk,
            "practitioner": "", "start_date": start_date, "start_time": start_time, "surgery_date": "", **extra}


def book(world, start="2027-03-01 10:00", patient=None, **kwargs):
    course, warnings = booking.course_book(patient=patient or world.patient, protocol=world.protocol,
                                           location=world.location, start=at(start), now=NOW, **kwargs)
    return course, warnings


# --- 7: the slot grid ----------------------------------------------------------------------------


def test_the_preview_shows_every_free_start_of_a_chosen_day_morning_and_afternoon(client, receptionist, world):
    with desk_at(client, receptionist) as desk:
        page = desk.post("/booking/new/", form_data(world, action="preview", day_2="2027-03-31", open="2")).content
    page = page.decode()
    grid = page[page.index('data-testid="slot-grid-2"'):page.index('data-testid="preview-row-3"')]
    starts = re.findall(r'name="pin_2" value="2027-03-31T(\d\d:\d\d)"', grid)
    # Mon–Fri 09:00–18:00 on a 15-minute grid, 30-minute visits: 09:00 to 17:30, every one of them.
    assert starts[0] == "09:00" and starts[-1] == "17:30" and len(starts) == 35
    assert "Morning" in grid and "Afternoon" in grid
    assert re.search(r'id="slots-2"[^>]*class|class="collapse slot-row show" id="slots-2"', page)


def test_the_day_list_names_closed_days_and_picking_a_start_pins_it(client, receptionist, world):
    ClosureFactory(location=world.location, start=at("2027-03-31 00:00"), end=at("2027-04-01 00:00"),
                   reason="Staff training")
    with desk_at(client, receptionist) as desk:
        page = desk.post("/booking/new/", form_data(world, action="preview")).content.decode()
        assert "Wed 31 Mar · closed: Staff training" in page
        assert "Sun 28 Mar · closed on Sundays" in page
        page = desk.post("/booking/new/", form_data(world, pin_2="2027-03-30T16:45")).content.decode()
    assert "Your choice" in page
    assert re.search(r'name="pin_2" value="2027-03-30T16:45" class="btn btn-sm slot-button btn-anagen"', page)


# --- 9: why a session left its target day --------------------------------------------------------


def test_a_session_moved_off_its_target_day_says_the_holiday_by_name(world):
    _, warnings = book(world, start="2027-02-09 10:00")
    assert "Session 2 is on 2027-03-08, 1 day before its target day 2027-03-09: Tue 9 Mar closed for Eid al-Fitr " \
           "(public holiday)." in warnings


def test_several_refused_days_are_grouped_with_their_reasons(world):
    ClosureFactory(location=world.location, start=at("2027-03-08 00:00"), end=at("2027-03-09 00:00"),
                   reason="Staff training")
    _, warnings = book(world, start="2027-02-09 10:00")
    assert ("Session 2 is on 2027-03-12, 3 days after its target day 2027-03-09: Sat 6 Mar closed on Saturdays; "
            "Sun 7 Mar closed on Sundays; Mon 8 Mar closed: Staff training; 9–11 Mar closed for Eid al-Fitr "
            "(public holiday).") in warnings


def test_a_day_without_a_free_practitioner_is_fully_booked(world):
    for doctor in world.doctors:
        ClosureFactory(location=world.location, practitioner=doctor, start=at("2027-03-29 00:00"),
                       end=at("2027-03-30 00:00"), reason="Congress")
    _, warnings = book(world)
    assert ("Session 2 is on 2027-03-30, 1 day after its target day 2027-03-29: Sun 28 Mar closed on Sundays; "
            "Mon 29 Mar fully booked.") in warnings


def test_a_wished_date_outside_the_surgery_window_is_explained(client, receptionist):
    world = build_world(screened_at=NOW - timedelta(days=1), anchor="surgery_date")
    data = form_data(world, action="preview", start_date="2027-03-01", surgery_date="2027-02-01")
    with desk_at(client, receptionist) as desk:
        page = desk.post("/booking/new/", data).content.decode()
    assert "Session 1 counts from the surgery date (1 Feb 2027)" in page
    assert "the wished date 1 Mar 2027 could not be kept" in page


def test_closed_days_name_holidays_closures_and_weekdays(world):
    ClosureFactory(location=world.location, start=at("2027-03-08 00:00"), end=at("2027-03-09 00:00"), reason="")
    days = closed_days(location=world.location, start_date=at("2027-03-06").date(), end_date=at("2027-03-12").date())
    assert describe_days(sorted(days), days) == (
        "Sat 6 Mar closed on Saturdays; Sun 7 Mar closed on Sundays; Mon 8 Mar closed: closure; "
        "9–11 Mar closed for Eid al-Fitr (public holiday)")


# --- 8: a refused move names the clash and offers the nearest free times --------------------------------


def move(desk, session, day, time, **extra):
    return desk.post(f"/booking/sessions/{session.pk}/move/",
                     {"date": day, "time": time, "cascade": "on", "action": "preview", **extra}).content.decode()


def test_a_move_onto_a_busy_practitioner_names_the_clash_and_offers_free_times(client, receptionist, world):
    course, _ = book(world)
    second = course.sessions.get(number=2)  # Mon 29 Mar 10:00 with Dr. Aydın
    book(world, patient=world.new_patient(), start="2027-03-30 10:00", practitioner=world.doctors[0])
    with desk_at(client, receptionist) as desk:
        page = move(desk, second, "2027-03-30", "10:00")
    assert 'data-testid="move-error"' in page
    assert "Dr. Aydın has another patient 10:00–10:30." in page
    suggestions = page[page.index('data-testid="move-suggestions"'):]
    # Nearest first: the same time with the other doctor, who is free.
    first = re.search(r'name="pick" value="([^"]+)"', suggestions).group(1)
    assert first == f"2027-03-30T10:00|{world.doctors[1].pk}"


def test_picking_a_suggestion_with_another_doctor_moves_to_that_doctor(client, receptionist, world):
    course, _ = book(world)
    second = course.sessions.get(number=2)
    with desk_at(client, receptionist) as desk:
        page = move(desk, second, "2027-03-29", "10:00", pick=f"2027-03-30T10:00|{world.doctors[1].pk}")
    assert 'data-testid="move-preview"' in page and "with Dr. Demir" in page


def test_a_move_onto_a_holiday_or_closure_names_it(client, receptionist, world):
    course, _ = book(world, start="2027-02-09 10:00")
    second = course.sessions.get(number=2)
    ClosureFactory(location=world.location, start=at("2027-03-12 12:00"), end=at("2027-03-12 15:00"),
                   reason="Fire drill")
    with desk_at(client, receptionist) as desk:
        page = move(desk, second, "2027-03-10", "10:00")
        assert "Wed 10 Mar: Anagen Istanbul is closed for Eid al-Fitr (public holiday)." in page
        page = move(desk, second, "2027-03-12", "13:00")
        assert "Anagen Istanbul is closed 12:00–15:00: Fire drill." in page
        page = move(desk, second, "2027-03-12", "19:00")
        assert "Outside opening hours (09:00–18:00)." in page


def test_picking_a_suggested_time_fills_the_form_and_previews_the_move(client, receptionist, world):
    course, _ = book(world)
    second = course.sessions.get(number=2)
    with desk_at(client, receptionist) as desk:
        page = move(desk, second, "2027-03-29", "10:00", pick="2027-03-31T14:15")
    assert 'data-testid="move-preview"' in page
    assert 'value="2027-03-31"' in page and 'value="14:15"' in page


def test_the_move_panel_shows_the_free_times_of_the_chosen_day(client, receptionist, world):
    course, _ = book(world)
    second = course.sessions.get(number=2)
    with desk_at(client, receptionist) as desk:
        page = move(desk, second, "2027-03-31", "", action="slots")
    starts = re.findall(r'name="pick" value="2027-03-31T(\d\d:\d\d)\|', page)
    assert len(starts) == 35 and "Free times on Wed 31 Mar 2027" in page


def test_after_a_move_from_the_calendar_the_calendar_shows_the_new_day(client, receptionist, world):
    course, _ = book(world)
    second = course.sessions.get(number=2)
    calendar = f"/booking/calendar/?location={world.location.pk}&date=2027-03-29"
    with desk_at(client, receptionist) as desk:
        response = desk.post(f"/booking/sessions/{second.pk}/move/", {
            "date": "2027-03-31", "time": "11:00", "cascade": "on", "action": "confirm", "next": calendar})
    assert response.status_code == 302
    assert response["Location"] == f"/booking/calendar/?location={world.location.pk}&date=2027-03-31"


def test_follow_to_day_leaves_other_pages_alone():
    assert follow_to_day("/booking/courses/4/", at("2027-03-31").date()) == "/booking/courses/4/"


# --- 15: cancelling a course is a deliberate step in the page's own words ---------------------------


def test_the_course_page_links_to_a_cancel_step_instead_of_an_open_form(client, receptionist, world):
    course, _ = book(world)
    with desk_at(client, receptionist) as desk:
        page = desk.get(f"/booking/courses/{course.pk}/").content.decode()
        assert "Reason for cancelling" not in page and "data-confirm" not in page
        assert f'href="/booking/courses/{course.pk}/cancel/"' in page
        page = desk.get(f"/booking/courses/{course.pk}/cancel/").content.decode()
    assert "Cancel the course</button>" in page and "Keep the course</a>" in page
    assert page.count("<li>Session ") == 3 and "Mon 1 Mar 2027 10:00" in page


def test_cancelling_a_course_without_a_reason_shows_the_error_by_the_field(client, receptionist, world):
    course, _ = book(world)
    with desk_at(client, receptionist) as desk:
        response = desk.post(f"/booking/courses/{course.pk}/cancel/", {"reason": ""})
        assert response.status_code == 400
        assert re.search(r'id="error_1_id_course-cancel_reason"|invalid-feedback', response.content.decode())
        response = desk.post(f"/booking/courses/{course.pk}/cancel/", {"reason": "Moved abroad"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == "cancelled"


# --- 14: local time at the location ----------------------------------------------------------------


def test_the_greeting_follows_the_clinics_clock_not_utc(client, receptionist, world):
    # 10:30 UTC is 13:30 in Istanbul.
    with desk_at(client, receptionist, at("2027-01-20 13:30")) as desk:
        page = desk.get("/").content.decode()
    assert "Good afternoon" in page and "Good morning" not in page


def test_to_chase_shows_a_change_requests_phone_and_local_time_and_home_counts_it(client, receptionist, world):
    course, _ = book(world)
    world.patient.phone = "+905321234567"
    world.patient.save()
    course.sessions.filter(number=2).update(change_requested_at=at("2027-01-20 08:15"))
    with desk_at(client, receptionist) as desk:
        page = desk.get("/booking/chase/").content.decode()
        home = desk.get("/").content.decode()
    row = page[page.index('data-testid="change-request-row"'):]
    assert "+90 532 123 45 67" in row
    assert "20 Jan 08:15" in row and "UTC" not in row
    assert "1 asked to move" in home


def test_the_patient_page_shows_a_consent_in_the_clinics_time_not_utc(client, receptionist, world):
    from datetime import UTC, datetime

    from tests.factories import ConsentFactory

    ConsentFactory(patient=world.patient, recorded_at=datetime(2027, 1, 19, 21, 33, tzinfo=UTC))
    with desk_at(client, receptionist) as desk:
        page = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Given 20 Jan 2027 00:33 +03" in page and "21:33 UTC" not in page


def test_free_times_of_a_date_far_away_fall_back_to_the_sessions_day_not_a_500(client, receptionist, world):
    course, _ = book(world)
    second = course.sessions.get(number=2)
    with desk_at(client, receptionist) as desk:
        response = desk.post(f"/booking/sessions/{second.pk}/move/", {"date": "9999-12-31", "time": "10:00",
                                                                      "action": "slots"})
    assert response.status_code == 200
    assert "Free times on Mon 29 Mar 2027" in response.content.decode()
