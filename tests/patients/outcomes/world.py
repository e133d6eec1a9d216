"""Outcomes to measure: the treatment room's world (Istanbul; an autologous 3-session protocol,
gaps 21-28-35 days; the course anchored on Mon 1 Mar 2027, session 1 that day at 10:00, session
2 on Mon 29 Mar (day 28), session 3 on Mon 26 Apr (day 56)) and helpers to measure at a visit."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from patients.models import Session
from patients.outcomes.services import measurements_record
from tests.patients.booking.world import at
from tests.patients.records.world import VISIT, Room, build_room

__all__ = ["VISIT", "Room", "at", "build_room", "density", "measure", "visit_time"]


def density(value, site: str | None = "vertex", method: str = "trichoscopy", metric: str = "density") -> dict:
    return {"metric": metric, "site": site, "value": value, "method": method}


def visit_time(session: Session) -> datetime:
    """Twenty minutes into the session: when its measurements are taken."""
    from datetime import timedelta

    return session.start + timedelta(minutes=20)


def measure(session: Session, *items: dict, by=None, now: datetime | None = None):
    """Store the items through the service, at the visit (or at `now`)."""
    by = by or get_user_model().objects.get_or_create(username="measuring-doctor")[0]
    readings = [{**item, "value": Decimal(str(item["value"]))} for item in items]
    return measurements_record(session=session, readings=readings, by=by, now=now or visit_time(session))


def third(room: Room) -> Session:
    return room.first.course.sessions.get(number=3)
