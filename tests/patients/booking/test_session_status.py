"""A session's status against the clock (arrived and completed from its local day, no-show after
its start) on the API and the pages alike, and undoing a change made by mistake."""

from contextlib import contextmanager
from datetime import timedelta

import pghistory.models
import pytest
import time_machine

from clinic.errors import DomainError
from patients.booking import services as booking
from patients.booking.status import InvalidTransition, session_set_status, session_status_undo
from patients.models import Course, Reminder
from tests.patients.booking.world import at, build_world

pytestmark = pytest.mark.django_db

BOOKED_AT = at("2027-02-15 09:00")  # two weeks before session 1 (Mon 1 Mar 2027, 10:00 Istanbul)


@pytest.fixture
def world():
    return build_world(screened_at=BOOKED_AT - timedelta(days=1))


@contextmanager
def desk_at(client, user, moment):
    """The front desk at a moment: logged in then (staff sessions end after 30 idle minutes)."""
    with time_machine.travel(moment, tick=False):
        client.force_login(user)
        yield client


@pytest.fixture
def first(world):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=BOOKED_AT)
    return course.sessions.get(number=1)


# --- The time rule, in the one service ------------------------------------------------------------


@pytest.mark.parametrize("status", ["arrived", "completed", "no_show"])
def test_a_session_two_weeks_away_cannot_be_marked_arrived_completed_or_a_no_show(first, status):
    with pytest.raises(InvalidTransition):
        session_set_status(session=first, status=status, now=BOOKED_AT)
    first.refresh_from_db()
    assert first.status == "booked"


def test_arrived_is_allowed_from_the_sessions_local_day_on(first):
    with pytest.raises(InvalidTransition):
        # 23:30 in Istanbul the evening before is still the day before there (20:30 UTC).
        session_set_status(session=first, status="arrived", now=at("2027-02-28 23:30"))
    session = session_set_status(session=first, status="arrived", now=at("2027-03-01 00:05"))
    assert session.status == "arrived"


def test_a_no_show_only_after_the_start(first):
    with pytest.raises(InvalidTransition, match="only after it has started"):
        session_set_status(session=first, status="no_show", now=at("2027-03-01 09:59"))
    assert session_set_status(session=first, status="no_show", now=at("2027-03-01 10:01")).status == "no_show"


def test_confirming_early_is_still_fine(first):
    assert session_set_status(session=first, status="confirmed", now=BOOKED_AT).status == "confirmed"


def test_the_api_refuses_arrived_two_weeks_early_with_409_invalid_transition(api_receptionist, first):
    with time_machine.travel(BOOKED_AT, tick=False):
        response = api_receptionist.post(f"/api/v1/sessions/{first.pk}/status/", {"status": "arrived"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "Mon 1 Mar 2027" in response.json()["detail"]


# --- The pages offer only what the clock allows ----------------------------------------------------


def test_the_panel_of_a_session_two_weeks_away_offers_only_confirm_and_says_why(client, receptionist, first):
    with desk_at(client, receptionist, BOOKED_AT) as desk:
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
    assert 'value="confirmed"' in page
    assert 'value="arrived"' not in page and 'value="no_show"' not in page
    assert "can be marked arrived from that day on" in page
    assert "Move this session" in page and "Cancel this session" in page


def test_posting_arrived_anyway_is_refused_with_a_message(client, receptionist, first):
    with desk_at(client, receptionist, BOOKED_AT) as desk:
        page = desk.post(f"/booking/sessions/{first.pk}/status/", {"status": "arrived"}).content.decode()
    assert "can be marked arrived from that day on, not before" in page
    first.refresh_from_db()
    assert first.status == "booked"


def test_on_the_day_the_panel_offers_arrived_and_after_the_start_no_show(client, receptionist, first):
    with desk_at(client, receptionist, at("2027-03-01 08:00")) as desk:
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
    assert 'value="arrived"' in page and 'value="no_show"' not in page
    with desk_at(client, receptionist, at("2027-03-01 10:20")) as desk:
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
    assert 'value="no_show"' in page


# --- Undo -------------------------------------------------------------------------------------------


def test_a_no_show_is_undone_within_ten_minutes_and_the_history_says_who(client, receptionist, first):
    with desk_at(client, receptionist, at("2027-03-01 10:20")) as desk:
        desk.post(f"/booking/sessions/{first.pk}/status/", {"status": "no_show"})
    first.refresh_from_db()
    assert first.status == "no_show"
    with desk_at(client, receptionist, at("2027-03-01 10:29")) as desk:
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
        assert "Undo “No-show”" in page and "Move this session" not in page
        response = desk.post(f"/booking/sessions/{first.pk}/status/undo/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "booked"
    with desk_at(client, receptionist, at("2027-03-01 10:30")) as desk:
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
    assert "Move this session" in page and "Undo “" not in page
    undo = pghistory.models.Events.objects.tracks(first).order_by("-pgh_created_at", "-pgh_id").first()
    assert undo.pgh_data["status"] == "booked"
    assert undo.pgh_context["user"] == receptionist.pk
    assert undo.pgh_context["action"] == "session_status_undo"


def test_an_undo_after_the_setting_is_refused(settings, first):
    settings.SESSION_STATUS_UNDO_MINUTES = 5
    session_set_status(session=first, status="arrived", now=at("2027-03-01 09:55"))
    with pytest.raises(DomainError, match="5 minutes"):
        session_status_undo(session=first, now=at("2027-03-01 10:01"))
    first.refresh_from_db()
    assert first.status == "arrived"


def test_the_undo_button_is_gone_after_the_setting(client, receptionist, first):
    session_set_status(session=first, status="arrived", now=at("2027-03-01 09:55"))
    with desk_at(client, receptionist, at("2027-03-01 10:06")) as desk:
        page = desk.get(f"/booking/sessions/{first.pk}/").content.decode()
    assert "Undo “" not in page
    with desk_at(client, receptionist, at("2027-03-01 10:06")) as desk:
        response = desk.post(f"/booking/sessions/{first.pk}/status/undo/")
    assert "can no longer be undone" in response.content.decode()


def test_undoing_a_completion_withdraws_its_aftercare_and_reopens_the_course(world):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=BOOKED_AT)
    sessions = list(course.sessions.order_by("number"))
    for session in sessions:
        session_set_status(session=session, status="arrived", now=session.start)
        session_set_status(session=session, status="completed", now=session.start + timedelta(minutes=30))
    course.refresh_from_db()
    assert course.status == "completed"
    last = sessions[-1]
    session_status_undo(session=last, now=last.start + timedelta(minutes=35))
    last.refresh_from_db()
    course.refresh_from_db()
    assert last.status == "arrived" and course.status == "active"
    assert Reminder.objects.get(session=last, kind="aftercare").status == "cancelled"
    # Completed again: a fresh aftercare email.
    session_set_status(session=last, status="completed", now=last.start + timedelta(minutes=36))
    assert Reminder.objects.filter(session=last, kind="aftercare", status="pending").count() == 1
    assert Course.objects.get(pk=course.pk).status == "completed"


def test_undoing_a_no_show_whose_time_was_given_away_is_a_slot_conflict(world, first):
    session_set_status(session=first, status="no_show", now=at("2027-03-01 10:01"))
    # Both doctors and both rooms taken at 10:00 by others after the no-show freed the time.
    for _ in range(2):
        booking.course_book(patient=world.new_patient(), protocol=world.protocol, location=world.location,
                            start=at("2027-03-01 10:00"), now=BOOKED_AT)
    with pytest.raises(booking.SlotConflict):
        session_status_undo(session=first, now=at("2027-03-01 10:05"))
    first.refresh_from_db()
    assert first.status == "no_show"
