"""Double booking is held by PostgreSQL under real concurrency: 50 threads, 50 connections."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from clinic.errors import DomainError
from patients.booking import services as booking
from patients.booking.reschedule import session_reschedule
from patients.models import Session
from tests.factories import PractitionerFactory, RoomFactory
from tests.patients.booking.world import BOOKING_CLOCK, at, build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.clock(BOOKING_CLOCK)]

THREADS = 50


def race(calls) -> Counter:
    """Run every call at once (behind a barrier), each on its own database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            call()
            outcome = "ok"
        except DomainError as error:
            outcome = f"{error.status} {error.code}"
        except Exception as error:  # anything else is a bug the test must show, not hide
            outcome = f"crash {type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def one_session_world():
    return build_world(sessions=1)


def book_call(world, patient, *, practitioner, start="2027-03-01 10:00"):
    def call():
        booking.course_book(patient=patient, protocol=world.protocol, location=world.location,
                            start=at(start), practitioner=practitioner, pinned={1: at(start)})
    return call


def test_fifty_bookings_of_the_same_practitioner_and_time_one_wins():
    world = one_session_world()
    patients = [world.new_patient() for _ in range(THREADS)]
    outcomes = race([book_call(world, p, practitioner=world.doctors[0]) for p in patients])
    assert outcomes == Counter({"ok": 1, "409 slot_conflict": THREADS - 1})
    assert Session.objects.filter(practitioner=world.doctors[0]).count() == 1


def test_inside_a_callers_transaction_the_lost_race_is_told_by_the_booking_not_by_the_callers_commit():
    # Booked on its own, a booking's commit checks the exclusion constraints; inside a caller's
    # transaction it checks them itself before it returns (SET CONSTRAINTS ALL IMMEDIATE).
    world = one_session_world()
    patients = [world.new_patient() for _ in range(THREADS)]
    committed = Counter()

    def in_a_transaction(call):
        def wrapped():
            with transaction.atomic():
                call()
                committed["returned"] += 1
        return wrapped

    outcomes = race([in_a_transaction(book_call(world, p, practitioner=world.doctors[0])) for p in patients])
    assert outcomes == Counter({"ok": 1, "409 slot_conflict": THREADS - 1})
    assert committed == Counter({"returned": 1})
    assert Session.objects.filter(practitioner=world.doctors[0]).count() == 1


def test_fifty_bookings_of_the_same_room_one_wins():
    world = one_session_world()
    # One room, fifty practitioners: only the room is shared.
    world.location.rooms.exclude(pk=world.rooms[0].pk).update(active=False)
    doctors = [PractitionerFactory(location=world.location) for _ in range(THREADS)]
    patients = [world.new_patient() for _ in range(THREADS)]
    outcomes = race([book_call(world, p, practitioner=d) for p, d in zip(patients, doctors, strict=True)])
    assert outcomes == Counter({"ok": 1, "409 slot_conflict": THREADS - 1})
    assert Session.objects.filter(room=world.rooms[0]).count() == 1


def test_the_same_patient_with_two_practitioners_at_once_one_wins():
    world = one_session_world()
    RoomFactory(location=world.location)
    calls = [book_call(world, world.patient, practitioner=world.doctors[i % 2]) for i in range(THREADS)]
    outcomes = race(calls)
    assert outcomes == Counter({"ok": 1, "409 slot_conflict": THREADS - 1})
    assert Session.objects.filter(patient=world.patient).count() == 1


def test_a_reschedule_racing_a_booking_for_the_same_slot_one_wins():
    world = build_world(sessions=2, gap=(7, 7, 14))
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), practitioner=world.doctors[0])
    second = course.sessions.get(number=2)
    other = world.new_patient()
    target = "2027-03-12 10:00"  # a Friday inside session 2's window (03-08..03-15)

    def move():
        session_reschedule(session=second, start=at(target), practitioner=world.doctors[0])

    outcomes = race([move, book_call(world, other, practitioner=world.doctors[0], start=target)])
    assert outcomes["ok"] == 1 and outcomes["409 slot_conflict"] == 1, outcomes
    assert Session.objects.filter(practitioner=world.doctors[0], start=at(target)).count() == 1


def test_bookings_of_different_practitioners_at_one_time_all_win_in_their_own_rooms():
    # Each booking's planner picks the same first free room; the losers of that race are planned
    # again at the same times (rooms are the planner's choice, not the receptionist's) until each
    # has a room of its own.
    world = one_session_world()
    clients = 8
    world.location.rooms.update(active=False)
    rooms = [RoomFactory(location=world.location, name=f"Race room {n}") for n in range(clients)]
    doctors = [PractitionerFactory(location=world.location) for _ in range(clients)]
    patients = [world.new_patient() for _ in range(clients)]
    outcomes = race([book_call(world, p, practitioner=d) for p, d in zip(patients, doctors, strict=True)])
    assert outcomes == Counter({"ok": clients})
    booked = Session.objects.filter(start=at("2027-03-01 10:00"))
    assert sorted(booked.values_list("room", flat=True)) == sorted(room.pk for room in rooms)
