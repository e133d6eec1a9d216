"""Today at the desk: the day's list at a location (order, "n of N", late, consent and screening),
its one-tap buttons (the state machine and the time rule), the doctor's own day, tomorrow's list."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.booking import services as booking
from patients.booking.status import session_cancel, session_set_status
from patients.booking.today import day_at_location
from patients.consent.selectors import consents_missing
from patients.models import AdverseEvent, PatientAccess, Session
from tests.factories import (
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    ProtocolFactory,
    RoomFactory,
    ScreeningFactory,
)
from tests.patients.booking.world import at, build_world
from tests.patients.consent.world import active, sign

pytestmark = pytest.mark.django_db

BOOKED_AT = at("2027-02-15 09:00")  # two weeks before the day (Mon 1 Mar 2027, Istanbul)
DAY = at("2027-03-01 00:00").date()
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    return build_world(screened_at=BOOKED_AT - timedelta(days=1))


def book(world, when: str, patient=None, **extra) -> Session:
    course, _ = booking.course_book(patient=patient or world.new_patient(), protocol=world.protocol,
                                    location=world.location, start=at(when), now=BOOKED_AT, **extra)
    return course.sessions.get(number=1)


@contextmanager
def desk_at(client, user, moment):
    with time_machine.travel(moment, tick=False):
        client.force_login(user)
        yield client


# --- The selector ---------------------------------------------------------------------------------


def test_the_day_is_in_time_order_with_protocol_n_of_n_practitioner_and_room(world):
    late_one = book(world, "2027-03-01 11:00")
    early_one = book(world, "2027-03-01 10:00", patient=world.patient)
    cancelled = book(world, "2027-03-01 12:00")
    session_cancel(session=cancelled, reason="ill", now=BOOKED_AT)
    book(world, "2027-03-02 10:00")  # another day

    rows = day_at_location(location=world.location, day=DAY, now=at("2027-03-01 08:00"))

    assert [row.session.pk for row in rows] == [early_one.pk, late_one.pk]
    first = rows[0]
    assert (first.start.hour, first.start.minute, first.end.minute) == (10, 0, 30)
    assert (first.session.number, first.total) == (1, 3)
    assert first.session.course.protocol.code == world.protocol.code
    assert first.session.practitioner.name.startswith("Dr. ")
    assert first.session.room.name.startswith("Room ")
    assert first.session.patient == world.patient


def test_a_booked_patient_ten_minutes_past_the_start_is_running_late(world):
    session = book(world, "2027-03-01 10:00")
    on_time = day_at_location(location=world.location, day=DAY, now=at("2027-03-01 10:10"))[0]
    late = day_at_location(location=world.location, day=DAY, now=at("2027-03-01 10:12"))[0]
    assert not on_time.late
    assert late.late and late.late_minutes == 12 and late.late_for == "12 min"
    assert day_at_location(location=world.location, day=DAY, now=at("2027-03-01 11:05"))[0].late_for == "1 h 05 min"
    session_set_status(session=session, status="arrived", now=at("2027-03-01 10:13"))
    assert not day_at_location(location=world.location, day=DAY, now=at("2027-03-01 10:14"))[0].late


def test_consent_to_sign_is_the_one_rule_of_what_a_visit_needs(world):
    everyone = active("CONSENT-ALL")
    active("CONSENT-PRP", applies_to="protocols", protocol_codes=[world.protocol.code])
    other = ProtocolFactory(status="active")
    active("CONSENT-OTHER", applies_to="protocols", protocol_codes=[other.code])
    signed = book(world, "2027-03-01 10:00")
    unsigned = book(world, "2027-03-01 11:00")
    sign(signed.patient, everyone)

    rows = day_at_location(location=world.location, day=DAY, now=at("2027-03-01 08:00"))

    assert [row.consent_missing for row in rows] == [["CONSENT-PRP"], ["CONSENT-ALL", "CONSENT-PRP"]]
    for row in rows:
        assert row.consent_missing == consents_missing(patient=row.session.patient_id, protocol=world.protocol)
    assert unsigned.pk == rows[1].session.pk


def test_the_screening_state_is_clear_blocked_or_missing_for_the_visits_protocol(world):
    clear = book(world, "2027-03-01 10:00")
    blocked = book(world, "2027-03-01 11:00")
    screened_long_ago = PatientFactory()
    ScreeningFactory(patient=screened_long_ago, taken_at=at("2027-01-20 09:00"))  # valid then, 40 days old on the day
    missing = book(world, "2027-03-01 12:00", patient=screened_long_ago)
    ScreeningFactory(patient=blocked.patient, taken_at=at("2027-02-20 09:00"), active_cancer=True)

    rows = day_at_location(location=world.location, day=DAY, now=at("2027-03-01 08:00"))

    assert [row.screening.state for row in rows] == ["clear", "blocked", "missing"]
    assert rows[1].screening.codes == ["active_cancer"]
    assert [row.session.pk for row in rows] == [clear.pk, blocked.pk, missing.pk]


def test_the_day_reads_a_constant_number_of_queries(world, django_assert_num_queries):
    active("CONSENT-ALL")
    book(world, "2027-03-01 09:00")
    now = at("2027-03-01 08:00")
    with CaptureQueriesContext(connection) as one:
        assert len(day_at_location(location=world.location, day=DAY, now=now)) == 1
    for i in range(1, 10):
        book(world, f"2027-03-01 {9 + i // 2:02d}:{30 * (i % 2):02d}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(day_at_location(location=world.location, day=DAY, now=now)) == 10


def test_the_buttons_follow_the_state_machine_and_the_clock(world):
    session = book(world, "2027-03-01 10:00")

    def actions(now):
        return [value for value, _ in day_at_location(location=world.location, day=DAY, now=now)[0].actions]

    assert actions(at("2027-03-01 08:00")) == ["arrived"]  # no no-show before the start, no completed from booked
    assert actions(at("2027-03-01 10:20")) == ["arrived", "no_show"]
    session_set_status(session=session, status="arrived", now=at("2027-03-01 10:21"))
    assert actions(at("2027-03-01 10:22")) == ["no_show", "completed"]
    session_set_status(session=session, status="completed", now=at("2027-03-01 10:50"))
    assert actions(at("2027-03-01 10:51")) == []


def test_a_practitioners_filter_keeps_only_their_sessions(world):
    first = book(world, "2027-03-01 10:00", practitioner=world.doctors[0])
    book(world, "2027-03-01 10:00", practitioner=world.doctors[1])
    rows = day_at_location(location=world.location, day=DAY, now=at("2027-03-01 08:00"),
                           practitioners=[world.doctors[0].pk])
    assert [row.session.pk for row in rows] == [first.pk]


# --- The pages --------------------------------------------------------------------------------------


def test_the_receptionists_home_loads_and_polls_the_day(client, receptionist, world):
    with desk_at(client, receptionist, at("2027-03-01 08:00")) as desk:
        home = desk.get("/").content.decode()
    assert 'hx-get="/booking/today/"' in home and 'hx-trigger="load, every 30s, today-refresh"' in home


def test_the_list_partial_shows_the_rows_with_their_states(client, receptionist, world):
    active("CONSENT-ALL")
    book(world, "2027-03-01 10:00", patient=world.patient)
    with desk_at(client, receptionist, at("2027-03-01 10:15")) as desk:
        response = desk.get("/booking/today/", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert world.patient.first_name in page and "session 1 of 3" in page
    assert "Running late · 15 min" in page and "1 running late" in page
    assert "To sign: CONSENT-ALL" in page and "Screening clear" in page
    assert 'value="arrived"' in page and 'value="no_show"' in page and 'value="completed"' not in page


def test_the_list_page_reads_a_constant_number_of_queries(client, receptionist, world):
    active("CONSENT-ALL")
    book(world, "2027-03-01 09:00")
    counts = []
    for more in (0, 9):
        for i in range(1, more + 1):
            book(world, f"2027-03-01 {9 + i // 2:02d}:{30 * (i % 2):02d}")
        with desk_at(client, receptionist, at("2027-03-01 10:15")) as desk, \
                CaptureQueriesContext(connection) as queries:
            page = desk.get("/booking/today/").content.decode()
        assert page.count('data-testid="today-row"') == 1 + more
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_page_polls_itself_and_says_when_the_day_is_empty(client, receptionist, world):
    with desk_at(client, receptionist, at("2027-03-01 08:00")) as desk:
        page = desk.get("/booking/today/").content.decode()
    assert 'hx-trigger="every 30s, today-refresh"' in page
    assert "No sessions today at Anagen Istanbul." in page


def test_tapping_arrived_redraws_the_row_with_an_undo(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 09:55")) as desk:
        response = desk.post(f"/booking/today/sessions/{session.pk}/status/", {"status": "arrived"}, **HTMX)
        page = response.content.decode()
        assert f'id="today-row-{session.pk}"' in page and "Now arrived" in page
        assert "Undo “Arrived”" in page and 'value="completed"' in page
        undone = desk.post(f"/booking/today/sessions/{session.pk}/status/undo/", **HTMX).content.decode()
    assert "Undone: booked again." in undone
    session.refresh_from_db()
    assert session.status == "booked"


def test_a_no_show_before_the_start_is_refused_in_the_row(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 09:55")) as desk:
        page = desk.post(f"/booking/today/sessions/{session.pk}/status/", {"status": "no_show"}, **HTMX)
    assert "only after it has started" in page.content.decode()
    session.refresh_from_db()
    assert session.status == "booked"


def test_completed_straight_from_booked_is_refused_by_the_state_machine(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 10:30")) as desk:
        page = desk.post(f"/booking/today/sessions/{session.pk}/status/", {"status": "completed"}, **HTMX)
    assert "cannot become completed" in page.content.decode()
    session.refresh_from_db()
    assert session.status == "booked"


def test_a_status_the_desk_does_not_offer_is_a_400(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 09:00")) as desk:
        response = desk.post(f"/booking/today/sessions/{session.pk}/status/", {"status": "cancelled"}, **HTMX)
    assert response.status_code == 400 and "Choose a status." in response.content.decode()


def test_arrived_without_the_signed_consent_shows_the_links_to_sign(client, receptionist, world):
    document = active("CONSENT-ALL")
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 09:55")) as desk:
        page = desk.post(f"/booking/today/sessions/{session.pk}/status/", {"status": "arrived"}, **HTMX)
    page = page.content.decode()
    assert 'data-testid="consent-required"' in page
    assert f"/patients/{session.patient_id}/consents/sign/{document.pk}/" in page
    session.refresh_from_db()
    assert session.status == "booked"


def test_without_htmx_a_tap_goes_back_to_the_list_with_a_message(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 09:55")) as desk:
        response = desk.post(f"/booking/today/sessions/{session.pk}/status/",
                             {"status": "no_show", "query": f"?location={world.location.pk}&who=all"}, follow=True)
    assert response.redirect_chain[0][0] == f"/booking/today/?location={world.location.pk}&who=all"
    assert "only after it has started" in response.content.decode()


def test_a_tap_sends_back_only_a_query_string(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 09:55")) as desk:
        response = desk.post(f"/booking/today/sessions/{session.pk}/status/",
                             {"status": "arrived", "query": "//evil.example/"})
    assert response["Location"] == "/booking/today/"


# --- Whose day, and who may see it ----------------------------------------------------------------------


def test_a_doctor_sees_their_own_day_and_can_ask_for_everyones(client, doctor, world):
    world.doctors[0].email = doctor.email
    world.doctors[0].save()
    mine = book(world, "2027-03-01 10:00", practitioner=world.doctors[0])
    theirs = book(world, "2027-03-01 10:00", practitioner=world.doctors[1])
    with desk_at(client, doctor, at("2027-03-01 08:00")) as desk:
        own = desk.get("/booking/today/", **HTMX).content.decode()
        everyone = desk.get("/booking/today/?who=all", **HTMX).content.decode()
    assert f'id="today-row-{mine.pk}"' in own and f'id="today-row-{theirs.pk}"' not in own
    assert "your sessions" in own
    assert f'id="today-row-{mine.pk}"' in everyone and f'id="today-row-{theirs.pk}"' in everyone


def test_a_doctors_home_has_their_day_and_the_serious_events_to_review(client, doctor, receptionist, world):
    AdverseEvent.objects.create(patient=world.patient, onset=DAY, kind="infection", severity="severe", serious=True,
                                filed_by=receptionist, filed_at=at("2027-03-01 07:00"))
    with desk_at(client, doctor, at("2027-03-01 08:00")) as desk:
        home = desk.get("/").content.decode()
    assert 'data-testid="home-serious-events"' in home and 'data-testid="home-today"' in home


def test_an_admin_sees_the_whole_location(client, admin_user, world):
    world.doctors[0].email = admin_user.email
    world.doctors[0].save()
    book(world, "2027-03-01 10:00", practitioner=world.doctors[0])
    book(world, "2027-03-01 10:00", practitioner=world.doctors[1])
    with desk_at(client, admin_user, at("2027-03-01 08:00")) as desk:
        page = desk.get("/booking/today/", **HTMX).content.decode()
    assert page.count('data-testid="today-row"') == 2


def test_the_location_is_chosen_and_remembered(client, receptionist, world):
    other = LocationFactory(name="Anagen Izmir", timezone="Europe/Istanbul", country="TR")
    PractitionerFactory(location=other)
    RoomFactory(location=other)
    book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 08:00")) as desk:
        there = desk.get(f"/booking/today/?location={other.pk}", **HTMX).content.decode()
        again = desk.get("/booking/today/", **HTMX).content.decode()
        here = desk.get(f"/booking/today/?location={world.location.pk}", **HTMX).content.decode()
    assert 'id="today-location"' in there and "No sessions today at Anagen Izmir." in there
    assert "No sessions today at Anagen Izmir." in again
    assert 'data-testid="today-row"' in here


@pytest.mark.parametrize("url", ["/booking/today/", "/booking/tomorrow/"])
def test_the_pages_need_a_role(client, django_user_model, world, url):
    assert client.get(url).status_code == 302
    client.force_login(django_user_model.objects.create_user("norole", password="x"))
    assert client.get(url).status_code == 403


def test_staff_without_a_role_cannot_tap(client, django_user_model, world):
    session = book(world, "2027-03-01 10:00")
    client.force_login(django_user_model.objects.create_user("norole", password="x"))
    assert client.post(f"/booking/today/sessions/{session.pk}/status/", {"status": "arrived"}).status_code == 403
    assert client.post(f"/booking/today/sessions/{session.pk}/status/undo/").status_code == 403


def test_the_rows_shown_are_logged_once_per_day_by_the_poll(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-03-01 08:00")) as desk:
        desk.get("/booking/today/")
        desk.get("/booking/today/", **HTMX)
        desk.get("/booking/today/", **HTMX)
    logged = PatientAccess.objects.filter(patient=session.patient_id, user=receptionist)
    assert logged.count() == 2  # the page, then the first poll; the second poll shows nobody new


# --- Tomorrow ---------------------------------------------------------------------------------------------


def test_tomorrows_list_is_the_next_day_without_buttons(client, receptionist, world):
    session = book(world, "2027-03-01 10:00")
    with desk_at(client, receptionist, at("2027-02-28 17:00")) as desk:
        page = desk.get("/booking/tomorrow/").content.decode()
        today = desk.get("/booking/today/").content.decode()
    assert "Tomorrow: Monday 1 March 2027" in page
    assert page.count('data-testid="tomorrow-row"') == 1 and session.patient.last_name in page
    assert "1 of 3" in page and 'value="arrived"' not in page and "data-print" in page
    assert 'href="/booking/tomorrow/?location=' in today
