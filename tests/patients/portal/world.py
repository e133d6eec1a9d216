"""A booked course for the portal tests: the booking world (Istanbul, Mon–Fri 09:00–18:00), three
sessions with gaps of 21/28/30 days, so moving session 2 early breaks session 3's window and the
cascade re-fits it. Session 1 on Monday 1 March 2027 10:00, session 2 on Monday 29 March, session 3
on Monday 26 April; the clock is BOOKING_CLOCK (1 February 2027)."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.test import APIClient

from patients.booking import services as booking
from patients.models import Course, Session
from patients.portal.tokens import portal_token
from tests.patients.booking.world import BOOKING_CLOCK, World, at, build_world

__all__ = ["BOOKING_CLOCK", "Booked", "at", "book", "portal_client"]


@dataclass
class Booked:
    world: World
    course: Course

    def session(self, number: int) -> Session:
        return self.course.sessions.get(number=number)


def book(world: World | None = None, *, patient=None, start: str = "2027-03-01 10:00") -> Booked:
    world = world or build_world(gap=(21, 28, 30))
    patient = patient or world.patient
    course, _ = booking.course_book(patient=patient, protocol=world.protocol, location=world.location, start=at(start))
    return Booked(world, course)


def portal_client(patient) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Portal {portal_token(patient)}")
    return client
