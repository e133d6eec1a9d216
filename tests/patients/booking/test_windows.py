"""A course's windows come from one place (patients.booking.windows): the anchor of session 1, the
date a later gap counts from, a session's window; the chase list and recalls use the same rule."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from patients.booking import services as booking
from patients.booking import windows
from patients.booking.chase import courses_to_chase
from patients.booking.status import session_cancel
from protocols.planning import Window
from tests.patients.booking.world import at, build_world

pytestmark = pytest.mark.django_db

BOOKED_AT = at("2027-02-15 09:00")


@pytest.fixture(autouse=True)
def clock():
    # The desk books on 15 Feb 2027, whatever today is.
    with time_machine.travel(BOOKED_AT, tick=False):
        yield


@pytest.fixture
def world():
    return build_world(screened_at=BOOKED_AT - timedelta(days=1))


class Anchored:
    def __init__(self, anchor: str):
        self.anchor = anchor


@pytest.mark.parametrize(
    ("anchor", "surgery", "expected"),
    [
        ("course_start", None, date(2027, 3, 1)),
        ("course_start", date(2027, 2, 20), date(2027, 3, 1)),
        ("surgery_date", date(2027, 2, 20), date(2027, 2, 20)),
    ],
)
def test_session_one_counts_from_the_surgery_only_for_a_protocol_anchored_on_it(anchor, surgery, expected):
    assert windows.course_anchor(Anchored(anchor), start_day=date(2027, 3, 1), surgery_date=surgery) == expected


def test_a_gap_counts_from_the_last_live_session_before_it(world):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=BOOKED_AT)
    one, two, _three = course.sessions.order_by("number")
    zone = ZoneInfo(world.location.timezone)
    day_two = two.start.astimezone(zone).date()
    assert windows.session_window(course, 3) == Window(day_two + timedelta(days=21), day_two + timedelta(days=28),
                                                       day_two + timedelta(days=35))

    session_cancel(session=two, reason="Travelling", now=BOOKED_AT)
    # Session 2 gave its place back: the gaps of 2 and 3 now both count from session 1.
    day_one = one.start.astimezone(zone).date()
    assert windows.counted_from(course, course.sessions.all(), 3, zone) == (day_one, one.practitioner_id)
    assert windows.session_window(course, 2).target == day_one + timedelta(days=28)
    assert windows.session_window(course, 1).target == course.anchor_date == date(2027, 3, 1)


def test_the_chase_list_shows_the_window_the_course_would_book_into(world):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=BOOKED_AT)
    session_cancel(session=course.sessions.get(number=2), reason="Travelling", now=BOOKED_AT)

    [chase] = courses_to_chase(now=BOOKED_AT)
    window = windows.session_window(course, 2)
    assert (chase.number, chase.window_earliest, chase.window_latest) == (2, window.earliest, window.latest)
