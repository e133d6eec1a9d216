"""Busy time is read before planning, over the days the course uses, and planning with it gives the
plan that reading the whole horizon gives. Dates are counted from today, so the tests never expire."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.intervals import Interval, local_datetime
from patients.booking import services as booking
from patients.booking.busy import BusyRead
from patients.booking.calendar import booking_resources
from protocols.planning import plan_course
from tests.factories import ProtocolFactory
from tests.factories.protocols import session_rows
from tests.patients.booking.world import ISTANBUL, build_world

pytestmark = pytest.mark.django_db


def monday_ahead(weeks: int = 3) -> date:
    today = timezone.now().astimezone(ISTANBUL).date()
    return today + timedelta(days=7 * weeks - today.weekday())


def local(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm)).replace(tzinfo=ISTANBUL)


def no_holidays(world) -> None:
    """Dates here are counted from today: a public holiday must not move them in some year."""
    world.location.observe_public_holidays = False
    world.location.save()


def busy_queries(captured: CaptureQueriesContext) -> int:
    return sum("WITH wanted AS" in query["sql"] for query in captured.captured_queries)


def test_busy_read_over_some_spans_agrees_with_the_whole_range_read_at_once():
    world = build_world(gap=(7, 7, 7))
    no_holidays(world)
    monday = monday_ahead()
    for day, hhmm in ((monday, "10:00"), (monday + timedelta(days=1), "14:00")):
        booking.course_book(patient=world.new_patient(), protocol=world.protocol, location=world.location,
                            start=local(day, hhmm), practitioner=world.doctors[0])
    everything = booking_resources(location=world.location, start_date=monday,
                                           end_date=monday + timedelta(days=30), patient=world.patient)
    doctors, rooms = [d.pk for d in world.doctors], [r.pk for r in world.rooms]
    read = BusyRead(location_id=world.location.pk, practitioners=doctors, rooms=rooms, patient_id=world.patient.pk)
    wanted = [Interval(local_datetime(monday + timedelta(days=n), 0, ISTANBUL),
                       local_datetime(monday + timedelta(days=n + 1), 0, ISTANBUL)) for n in (0, 7, 14)]

    with CaptureQueriesContext(connection) as captured:
        read.read(wanted)
        read.read(wanted[:1])  # already read: no query
    partial = read.into(everything)

    assert busy_queries(captured) == 1
    assert partial.known is not None and all(partial.known.covers(span) for span in wanted)
    for doctor in doctors:
        assert list(partial.practitioner_busy.get(doctor, ())) == [
            block for block in everything.practitioner_busy.get(doctor, ()) if any(block.overlaps(w) for w in wanted)
        ]
    # Three sessions a course, a week apart: monday's, and those of a week and two weeks later.
    assert sum(len(s) for s in partial.practitioner_busy.values()) == 3
    assert everything.known is None and sum(len(s) for s in everything.practitioner_busy.values()) == 6


def test_a_full_target_day_makes_planning_read_that_window_too_and_the_plan_is_that_of_a_full_read():
    world = build_world(gap=(5, 7, 9))
    no_holidays(world)
    monday = monday_ahead()
    # The patient is taken all of session 2's target day (Monday a week later), 09:00-18:00.
    long_visit = ProtocolFactory(status="active", sessions=session_rows(1, duration_minutes=480))
    short_visit = ProtocolFactory(status="active", sessions=session_rows(1, duration_minutes=60))
    target = monday + timedelta(days=7)
    for protocol, hhmm in ((long_visit, "09:00"), (short_visit, "17:00")):
        booking.course_book(patient=world.patient, protocol=protocol, location=world.location,
                            start=local(target, hhmm))

    with CaptureQueriesContext(connection) as captured:
        plan, _ = booking.course_preview(patient=world.patient, protocol=world.protocol, location=world.location,
                                         start=local(monday, "10:00"))

    # One read of the target days; one of session 2's window, its target day being full; one of
    # session 3's, which counts from a day earlier than first read.
    assert busy_queries(captured) == 3
    # The Sunday before the target day is closed: session 2 goes to the Tuesday, session 3 a week on.
    tuesday = target + timedelta(days=1)
    assert [s.start.astimezone(ISTANBUL) for s in plan.sessions] == [
        local(monday, "10:00"), local(tuesday, "10:00"), local(tuesday + timedelta(days=7), "10:00")
    ]
    everything = booking_resources(location=world.location, start_date=monday,
                                           end_date=monday + timedelta(days=30), patient=world.patient)
    full = plan_course(booking.steps_of(world.protocol), wished_start=local(monday, "10:00"), resources=everything,
                       now=timezone.now())
    assert plan.sessions == full.sessions


def test_with_a_gap_of_0_days_session_2_is_booked_after_session_1_ends():
    world = build_world(sessions=2, gap=(0, 0, 0))
    no_holidays(world)
    monday = monday_ahead()

    plan, _ = booking.course_preview(patient=world.patient, protocol=world.protocol, location=world.location,
                                     start=local(monday, "14:00"))
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=local(monday, "14:00"))

    first, second = plan.sessions
    assert first.start == local(monday, "14:00")
    # 13:45 and 14:15 are nearer the wished 14:00 than 14:30, but session 1 is on until 14:30.
    assert second.start == local(monday, "14:30") == first.end
    booked = list(course.sessions.order_by("number"))
    assert [(s.start, s.end) for s in booked] == [(p.start, p.end) for p in plan.sessions]
    assert booked[1].start >= booked[0].end
