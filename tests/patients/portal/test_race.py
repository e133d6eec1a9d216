"""A patient moving a session on their own page and a receptionist booking the same time, at
once, on real connections: PostgreSQL lets exactly one of them have it."""

import pytest

from patients.booking import services as booking
from patients.models import Session
from patients.portal import services as portal
from tests.patients.booking.test_concurrency import race
from tests.patients.booking.world import build_world
from tests.patients.portal.world import BOOKING_CLOCK, at, book

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.clock(BOOKING_CLOCK)]


@pytest.mark.parametrize("round_number", range(3))
def test_a_patient_moving_and_the_desk_booking_the_same_slot_one_wins(round_number):
    world = build_world(gap=(21, 28, 30))
    # One room: whoever takes 23 March 11:00 takes the only room at that time.
    world.location.rooms.exclude(pk=world.rooms[0].pk).update(active=False)
    booked = book(world)
    two = booked.session(2)
    walk_in = world.new_patient(email=f"walkin{round_number}@example.test")
    target = at("2027-03-23 11:00")

    def patient_moves():
        session = Session.objects.select_related("location", "course").get(pk=two.pk)
        portal.portal_session_reschedule(patient=world.patient, session=session, start=target)

    def desk_books():
        booking.course_book(patient=walk_in, protocol=world.protocol, location=world.location, start=target,
                            pinned={1: target}, practitioner=world.doctors[1])

    outcomes = race([patient_moves, desk_books])
    assert sorted(outcomes.elements()) == sorted(["ok", "409 slot_conflict"]), outcomes
    at_target = Session.objects.filter(start=target, status__in=Session.LIVE)
    assert at_target.count() == 1
