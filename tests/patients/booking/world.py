"""A small clinic to book into: Istanbul, Mon–Fri 09:00–18:00, 15-minute grid, two doctors, two
rooms, an active 3-session protocol (gaps 21/28/35 days) and a screened patient.

The tests book fixed days of 2027 (a Monday, a holiday, a window), so they run with the clock at
BOOKING_CLOCK (`pytest.mark.clock(BOOKING_CLOCK)`): four weeks before the first session, whatever today is."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic.models import Location, Practitioner, Room
from tests.factories import (
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    ProtocolFactory,
    RoomFactory,
    ScreeningFactory,
)

ISTANBUL = ZoneInfo("Europe/Istanbul")


def at(text: str, zone: ZoneInfo = ISTANBUL) -> datetime:
    """'2027-03-01 10:00' at the clinic, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


# Monday 1 February 2027, 09:00 at the clinic: when the worlds below book their courses from.
BOOKING_CLOCK = at("2027-02-01 09:00")


@dataclass
class World:
    location: Location
    doctors: list[Practitioner]
    rooms: list[Room]
    protocol: object
    patient: object

    screened_at: datetime | None = None

    def new_patient(self, **fields):
        patient = PatientFactory(**fields)
        ScreeningFactory(patient=patient, **screening_time(self.screened_at))
        return patient


def screening_time(screened_at: datetime | None) -> dict:
    return {"taken_at": screened_at} if screened_at else {}


def build_world(*, sessions: int = 3, gap=(21, 28, 35), duration: int = 30, screened_at: datetime | None = None,
                **protocol_fields) -> World:
    """`screened_at`: when the patient's screening was taken (default now); tests that book with a
    `now` in the future screen the patient shortly before it."""
    from tests.factories.protocols import session_rows

    location = LocationFactory(name="Anagen Istanbul", timezone="Europe/Istanbul", country="TR",
                               reminder_offsets=["7d", "24h"])
    doctors = [PractitionerFactory(location=location, name=f"Dr. {n}") for n in ("Aydın", "Demir")]
    rooms = [RoomFactory(location=location, name=f"Room {n}") for n in (1, 2)]
    rows = session_rows(sessions, gap=gap, duration_minutes=duration)
    protocol = ProtocolFactory(status="active", sessions=rows, **protocol_fields)
    patient = PatientFactory(email="ayse@example.test")
    ScreeningFactory(patient=patient, **screening_time(screened_at))
    return World(location, doctors, rooms, protocol, patient, screened_at)


def course_body(world: World, start: str, **extra) -> dict:
    return {"patient": world.patient.pk, "protocol": world.protocol.pk, "location": world.location.pk,
            "start": start, **extra}
