"""Recording a visit from the session panel, and amending it: the lot picker offers only lots that
can be given, every refusal of the record service shows by its field, and nothing is written."""

from datetime import timedelta
from decimal import Decimal

import pytest

from patients.models import Product, SessionRecord, SessionRecordProduct
from patients.records import selectors
from patients.records.services import session_record
from tests.helpers import client_for
from tests.patients.records.world import VISIT, VISIT_DAY, build_room, field_block, row

pytestmark = pytest.mark.django_db


def form_body(room, session=None, rows=(), adjuncts=(), notes="", extra_rows=3) -> dict:
    """What the 'Record this visit' form posts: product rows (lot, quantity, sites), adjuncts, notes."""
    session = session or room.first
    prefix = f"rec{session.pk}"
    body = {f"{prefix}-TOTAL_FORMS": str(max(len(rows), 1) + extra_rows - 1), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "10", "adjuncts_done": list(adjuncts),
            "notes": notes}
    for index, (lot, quantity, sites) in enumerate(rows):
        body[f"{prefix}-{index}-lot"] = str(getattr(lot, "pk", lot))
        body[f"{prefix}-{index}-quantity"] = quantity
        body[f"{prefix}-{index}-sites"] = list(sites)
    return body


def post_record(client, room, session=None, **kwargs):
    session = session or room.first
    return client.post(f"/treatment/sessions/{session.pk}/record/", form_body(room, session, **kwargs))


def assert_nothing_written(room):
    room.first.refresh_from_db()
    assert room.first.status == "booked"
    assert SessionRecord.objects.count() == 0 and SessionRecordProduct.objects.count() == 0


@pytest.fixture
def doc(doctor):
    return client_for(doctor)


# --- The panel ---------------------------------------------------------------------------------------


def test_the_panel_offers_a_doctor_the_form_with_only_the_lots_that_can_be_given(doc, room):
    room.new_lot(lot_number="OLD-1", expires_on=VISIT_DAY - timedelta(days=1))
    room.new_lot(lot_number="RECALLED-1", recalled=True, recall_reason="Notice")
    room.new_lot(lot_number="KIT-1", product=room.prp, quantity_received=Decimal("4"))
    page = doc.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert "Record this visit" in page
    assert "AutoExo · lot EXO-001 · expires 29 Jun 2027 · 10 mL left" in page
    assert "PRP kit · lot KIT-1" in page and "OLD-1" not in page and "RECALLED-1" not in page


def test_a_lot_of_another_source_or_used_up_is_not_offered(doc, doctor, room):
    room.new_lot(allogeneic(), lot_number="ALLO-1")
    empty = room.new_lot(lot_number="EMPTY-1", quantity_received=Decimal("1"))
    session_record(session=room.book_another(), products=[row(empty, "1")], adjuncts_done=[], by=doctor, now=VISIT)
    page = doc.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert "ALLO-1" not in page and "EMPTY-1" not in page


def allogeneic():
    return Product.objects.create(name="AlloExo", kind="exosome", source_category="plant", unit="mL")


def test_the_desk_sees_no_form_and_gets_403_on_posting_it(desk, room):
    page = desk.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert "Record this visit" not in page and "Report an adverse event" in page
    response = post_record(desk, room, rows=[(room.lot, "2", ["vertex"])])
    assert response.status_code == 403
    assert_nothing_written(room)


def test_before_the_sessions_day_the_panel_says_when_recording_opens(doc, room, at_the_visit):
    at_the_visit.move_to(VISIT - timedelta(days=3))
    page = doc.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert "Record this visit" not in page and 'data-testid="record-wait"' in page


# --- Recording ---------------------------------------------------------------------------------------


def test_a_doctor_records_the_visit_and_the_session_shows_completed_with_its_record(doc, room):
    response = post_record(doc, room, rows=[(room.lot, "2.5", ["vertex", "frontal"])], notes="Tolerated well.")
    assert response.status_code == 302
    room.first.refresh_from_db()
    assert room.first.status == "completed"
    given = SessionRecordProduct.objects.get()
    assert (given.lot, given.quantity, given.sites) == (room.lot, Decimal("2.5"), ["vertex", "frontal"])
    page = doc.get(response["Location"]).content.decode()
    assert "recorded: it is now completed" in page and 'data-testid="record-summary"' in page
    assert "lot EXO-001 · 2.5 mL" in page and "Record this visit" not in page


def test_the_protocols_adjuncts_are_offered_and_recorded(doc, db, monkeypatch):
    from tests.factories import protocols as factories

    plain = factories.session_rows
    monkeypatch.setattr(factories, "session_rows",
                        lambda *args, **kwargs: plain(*args, visit_adjuncts=["harvest_blood", "prp"], **kwargs))
    room = build_room()
    page = doc.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert "Blood draw (harvest)" in page and "PRP" in page
    assert post_record(doc, room, rows=[(room.lot, "1", ["vertex"])], adjuncts=["prp"]).status_code == 302
    assert SessionRecord.objects.get().adjuncts_done == ["prp"]
    response = post_record(doc, room, session=room.book_another(), rows=[(room.lot, "1", ["vertex"])],
                           adjuncts=["led"])
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_a_posted_expired_lot_is_refused_by_its_row_and_nothing_is_written(doc, room):
    old = room.new_lot(lot_number="OLD-1", expires_on=VISIT_DAY - timedelta(days=1))
    response = post_record(doc, room, rows=[(old, "1", ["vertex"])])
    page = response.content.decode()
    assert response.status_code == 422 and "Nothing was saved" in page
    block = field_block(page, f"id_rec{room.first.pk}-0-lot")
    assert "expired on 28 Feb 2027, before this visit (1 Mar 2027): pick another lot" in block
    assert_nothing_written(room)


@pytest.mark.parametrize(("make", "text"), [
    (lambda room: room.new_lot(lot_number="R-1", recalled=True, recall_reason="Notice"), "is recalled"),
    (lambda room: room.new_lot(allogeneic(), lot_number="A-1"), "uses a autologous source"),
])
def test_recalled_lots_and_lots_the_protocol_does_not_allow_are_refused(doc, room, make, text):
    lot = make(room)
    response = post_record(doc, room, rows=[(lot, "1", ["vertex"])])
    assert response.status_code == 422 and text in response.content.decode()
    assert_nothing_written(room)


def test_more_than_is_left_is_refused_as_exhausted(doc, room):
    response = post_record(doc, room, rows=[(room.lot, "11", ["vertex"])])
    assert response.status_code == 422
    block = field_block(response.content.decode(), f"id_rec{room.first.pk}-0-lot")
    assert "Only 10.00 mL of lot EXO-001 is left" in block
    assert_nothing_written(room)


@pytest.mark.parametrize(("quantity", "text"), [
    ("-1", "greater than or equal to 0.01"), ("0", "greater than or equal to 0.01"),
    ("5000", "less than or equal to 1000"), ("1e9", "less than or equal to 1000"), ("abc", "Enter a number"),
    ("NaN", "Enter a number"),
])
def test_negative_zero_and_absurd_quantities_are_refused_by_the_field(doc, room, quantity, text):
    response = post_record(doc, room, rows=[(room.lot, quantity, ["vertex"])])
    assert response.status_code == 400
    assert text in field_block(response.content.decode(), f"id_rec{room.first.pk}-0-quantity")
    assert_nothing_written(room)


def test_a_row_needs_its_sites_and_a_treatment_visit_a_product(doc, room):
    page = post_record(doc, room, rows=[(room.lot, "1", [])]).content.decode()
    assert "Tick at least one scalp site." in page
    page = post_record(doc, room, rows=[]).content.decode()
    assert "records at least one product given" in page
    assert_nothing_written(room)


def test_an_unknown_lot_or_site_is_refused(doc, room):
    page = post_record(doc, room, rows=[(999999, "1", ["vertex"])]).content.decode()
    assert "There is no lot 999999." in page
    page = post_record(doc, room, rows=[(room.lot, "1", ["nape"])]).content.decode()
    assert "Select a valid choice" in page
    assert_nothing_written(room)


def test_a_second_record_is_refused_as_already_recorded(doc, room):
    assert post_record(doc, room, rows=[(room.lot, "1", ["vertex"])]).status_code == 302
    response = post_record(doc, room, rows=[(room.lot, "1", ["vertex"])])
    assert response.status_code == 409 and "already recorded" in response.content.decode()
    assert SessionRecordProduct.objects.count() == 1


def test_a_cancelled_session_or_one_whose_day_has_not_come_is_refused(doc, room, at_the_visit):
    response = post_record(doc, room, session=room.second, rows=[(room.lot, "1", ["vertex"])])
    assert response.status_code == 409 and "recorded" in response.content.decode()
    assert SessionRecord.objects.count() == 0


# --- Amending ------------------------------------------------------------------------------------------


@pytest.fixture
def recorded(doc, room):
    assert post_record(doc, room, rows=[(room.lot, "2", ["vertex"])], notes="First note").status_code == 302
    return SessionRecord.objects.get()


def amend_body(record, rows, reason="Wrong quantity typed", action="preview", notes="First note") -> dict:
    prefix = f"amend{record.pk}"
    body = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "10", "reason": reason, "notes": notes, "action": action}
    for index, (lot, quantity, sites) in enumerate(rows):
        body.update({f"{prefix}-{index}-lot": str(lot.pk), f"{prefix}-{index}-quantity": quantity,
                     f"{prefix}-{index}-sites": list(sites)})
    return body


def test_the_amend_page_shows_the_record_with_its_rows(doc, recorded):
    page = doc.get(f"/treatment/records/{recorded.pk}/amend/").content.decode()
    assert "Amend the record" in page and "Reason for the amendment" in page and "Revision 1: as recorded" in page


def test_an_amendment_asks_for_confirmation_then_keeps_the_earlier_content_in_the_history(doc, room, recorded):
    url = f"/treatment/records/{recorded.pk}/amend/"
    preview = doc.post(url, amend_body(recorded, [(room.lot, "3", ["vertex"])]))
    assert preview.status_code == 200 and 'data-testid="amend-confirm"' in preview.content.decode()
    assert SessionRecordProduct.objects.get().quantity == Decimal("2")  # nothing yet
    done = doc.post(url, amend_body(recorded, [(room.lot, "3", ["vertex"])], action="confirm"))
    assert done.status_code == 302
    recorded.refresh_from_db()
    assert recorded.revision == 2 and recorded.amend_reason == "Wrong quantity typed"
    assert selectors.lots_with_quantities().get(pk=room.lot.pk).quantity_left == Decimal("7")
    page = doc.get(url).content.decode()
    assert "Revision 2" in page and "Wrong quantity typed" in page and "lot EXO-001 · 2 mL" in page
    panel = doc.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert 'data-testid="record-amendments"' in panel and "Wrong quantity typed" in panel


def test_an_amendment_needs_a_reason_and_is_refused_beyond_what_is_left(doc, room, recorded):
    url = f"/treatment/records/{recorded.pk}/amend/"
    page = doc.post(url, amend_body(recorded, [(room.lot, "3", ["vertex"])], reason="", action="confirm"))
    assert page.status_code == 400 and "This field is required." in page.content.decode()
    page = doc.post(url, amend_body(recorded, [(room.lot, "12", ["vertex"])], action="confirm"))
    assert page.status_code == 422 and "is left" in page.content.decode()
    recorded.refresh_from_db()
    assert recorded.revision == 1 and SessionRecordProduct.objects.get().quantity == Decimal("2")


def test_the_desk_cannot_amend(desk, room, recorded):
    url = f"/treatment/records/{recorded.pk}/amend/"
    assert desk.get(url).status_code == 403
    assert desk.post(url, amend_body(recorded, [(room.lot, "3", ["vertex"])], action="confirm")).status_code == 403
    recorded.refresh_from_db()
    assert recorded.revision == 1


def test_the_desk_sees_the_products_of_a_record_without_quantities(desk, room, recorded):
    panel = desk.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert "AutoExo</strong> · lot EXO-001" in panel and "2 mL" not in panel and "First note" not in panel


def test_recording_without_the_patients_consent_says_so_with_a_link_to_sign_and_back(doc, room):
    from tests.patients.consent.world import active

    document = active("CONSENT-ROOM")
    response = post_record(doc, room, rows=[(room.lot, "2", ["vertex"])])
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="consent-required"' in page and "CONSENT-ROOM" in page
    sign_url = f"/patients/{room.world.patient.pk}/consents/sign/{document.pk}/"
    assert sign_url in page and f"next=%2Ftreatment%2Fsessions%2F{room.first.pk}%2Frecord%2F" in page
    assert_nothing_written(room)
