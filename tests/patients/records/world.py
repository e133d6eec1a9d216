"""A treatment room to record in: the booking world (Istanbul, an autologous 3-session protocol),
a course booked two weeks ahead of session 1 (Mon 1 Mar 2027, 10:00), and a shelf of lots."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from patients.booking import services as booking
from patients.models import Lot, Product, Session
from tests.patients.booking.world import World, at, build_world

BOOKED_AT = at("2027-02-15 09:00")
VISIT = at("2027-03-01 10:20")  # during session 1
VISIT_DAY = date(2027, 3, 1)


@dataclass
class Room:
    world: World
    first: Session
    second: Session
    exosome: Product
    prp: Product
    lot: Lot  # 10 mL of the autologous exosome product, good until the summer

    def new_lot(self, product: Product | None = None, **fields) -> Lot:
        values = {"lot_number": f"L-{Lot.objects.count() + 1:04d}", "expires_on": VISIT_DAY + timedelta(days=120),
                  "received_on": VISIT_DAY - timedelta(days=30), "quantity_received": Decimal("10"), **fields}
        return Lot.objects.create(product=product or self.exosome, **values)

    def book_another(self, start: str = "2027-03-01 10:00", doctor: int = 1) -> Session:
        """Session 1 of another patient's course, on the same day (Mon 1 Mar 2027)."""
        patient = self.world.new_patient()
        course, _ = booking.course_book(patient=patient, protocol=self.world.protocol, location=self.world.location,
                                        start=at(start), practitioner=self.world.doctors[doctor],
                                        pinned={1: at(start)}, now=BOOKED_AT)
        return course.sessions.get(number=1)


def build_room() -> Room:
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), practitioner=world.doctors[0], now=BOOKED_AT)
    exosome = Product.objects.create(name="AutoExo", kind="exosome", source_category="autologous",
                                     manufacturer="Lab A", unit="mL")
    prp = Product.objects.create(name="PRP kit", kind="prp_kit", manufacturer="Kits Ltd", unit="kit")
    room = Room(world, course.sessions.get(number=1), course.sessions.get(number=2), exosome, prp, None)
    room.lot = room.new_lot(lot_number="EXO-001")
    return room


def row(lot: Lot, quantity: str = "2", sites=("vertex",)) -> dict:
    return {"lot": lot.pk, "quantity": quantity, "sites": list(sites)}


def treatment_room(session):
    """A product, a lot of it, a record of `session` (session 1 on Mon 1 Mar 2027, recorded on its
    day) and an adverse event without a session: ids for the tests that walk every endpoint."""
    from datetime import date
    from decimal import Decimal

    from patients.models import AdverseEvent, Lot, Product
    from patients.records.services import session_record

    product = Product.objects.create(name="AutoExo", kind="exosome", source_category="autologous", unit="mL")
    lot = Lot.objects.create(product=product, lot_number="EXO-1", expires_on=date(2027, 12, 31),
                             received_on=date(2027, 1, 1), quantity_received=Decimal("100"))
    from django.contrib.auth import get_user_model

    by = get_user_model().objects.create(username="fuzz-recorder")
    record = session_record(session=session, products=[{"lot": lot, "quantity": "1", "sites": ["vertex"]}],
                            adjuncts_done=[], by=by, now=at("2027-03-01 10:20"))
    event = AdverseEvent.objects.create(patient=session.patient, onset=date(2027, 1, 2), kind="pain", severity="mild",
                                        filed_by=by, filed_at=at("2027-01-03 10:00"))
    return lot, record, event


def field_block(page: str, field_id: str) -> str:
    """The HTML of one crispy field (its wrapper `div_<id>` up to the next field's): where its
    error must show."""
    start = page.index(f'id="div_{field_id}"')
    end = page.find('id="div_id_', start + 1)
    return page[start:end if end != -1 else len(page)]
