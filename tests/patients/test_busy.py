"""Busy blocks read a few days at a time answer exactly as the whole range read at once."""

from datetime import date, timedelta

import pytest

from clinic.intervals import Interval
from patients import booking
from tests.patients.booking_world import BOOKING_CLOCK, at, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]


def test_lazy_busy_reads_only_the_days_asked_and_agrees_with_the_eager_read(django_assert_max_num_queries):
    world = build_world(gap=(7, 7, 7))
    for start in ("2027-03-15 10:00", "2027-03-16 14:00"):
        booking.course_book(patient=world.new_patient(), protocol=world.protocol, location=world.location,
                            start=at(start), practitioner=world.doctors[0])
    args = {"location": world.location, "start_date": date(2027, 3, 1), "end_date": date(2027, 6, 1),
            "patient": world.patient}
    eager = booking.booking_resources(**args)
    lazy = booking.booking_resources(**args, lazy=True)
    spans = [Interval(at(f"2027-03-{day:02d} {hour:02d}:{minute:02d}"),
                      at(f"2027-03-{day:02d} {hour:02d}:{minute:02d}") + timedelta(minutes=30))
             for day in (15, 16, 22, 23, 29, 30) for hour in (9, 10, 14) for minute in (0, 15, 30)]
    for span in spans:
        for doctor in world.doctors:
            assert lazy.practitioner_busy.get(doctor.pk).overlaps(span) == \
                eager.practitioner_busy.get(doctor.pk, booking.IntervalSet()).overlaps(span)
        for room in world.rooms:
            assert lazy.room_busy.get(room.pk).overlaps(span) == \
                eager.room_busy.get(room.pk, booking.IntervalSet()).overlaps(span)
    busy = lazy.patient_busy.busy
    # Six distinct days asked (each read with its neighbours): a handful of reads, not one per question.
    assert busy.queries <= 6
    with django_assert_max_num_queries(0):
        lazy.practitioner_busy.get(world.doctors[0].pk).overlaps(spans[0])
    assert any(eager.practitioner_busy[world.doctors[0].pk].overlaps(s) for s in spans)
