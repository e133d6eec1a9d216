"""The lots page: the shelf with what is left and its filters, receiving lots and products (bad
input refused by the field, nothing written), traceability and the recall with its confirmation."""

from datetime import timedelta
from decimal import Decimal

import pytest

from patients.models import Lot, PatientAccess, Product
from patients.records.services import session_record
from tests.helpers import client_for
from tests.patients.records.world import VISIT, VISIT_DAY, field_block, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(doctor):
    return client_for(doctor)


def lot_body(room, **fields) -> dict:
    return {"product": room.exosome.pk, "lot_number": "EXO-NEW", "expires_on": "2027-09-30",
            "received_on": "2027-02-20", "quantity_received": "20", **fields}


def test_the_list_shows_product_number_expiry_and_what_is_left(doc, doctor, room):
    session_record(session=room.first, products=[row(room.lot, "2.5")], adjuncts_done=[], by=doctor, now=VISIT)
    page = doc.get("/treatment/lots/").content.decode()
    assert 'data-testid="lot-row-EXO-001"' in page
    for text in ("AutoExo", "29 Jun 2027", "30 Jan 2027 · 10 mL", ">2.5<", "7.5 mL", "In stock"):
        assert text in page


def test_the_filters_show_lots_expiring_in_30_days_and_running_low_with_empty_states(doc, doctor, room):
    room.new_lot(lot_number="SOON-1", expires_on=VISIT_DAY + timedelta(days=20))
    page = doc.get("/treatment/lots/?show=expiring").content.decode()
    assert "SOON-1" in page and "EXO-001" not in page
    page = doc.get("/treatment/lots/?show=low").content.decode()
    assert 'data-testid="lots-empty"' in page and "No lot is running low." in page
    room.new_lot(lot_number="LOW-1", quantity_received=Decimal("1"))
    session_record(session=room.first, products=[row(Lot.objects.get(lot_number="LOW-1"), "0.9")], adjuncts_done=[],
                   by=doctor, now=VISIT)
    assert "LOW-1" in doc.get("/treatment/lots/?show=low").content.decode()
    assert doc.get("/treatment/lots/?show=<script>").status_code == 200


def test_no_lots_yet_is_an_empty_state(doc, db):
    assert "No lots yet: receive the first one." in doc.get("/treatment/lots/").content.decode()


def test_the_desk_has_no_lots_pages_and_cannot_write_or_recall(desk, room):
    for url in ("/treatment/lots/", "/treatment/lots/new/", f"/treatment/lots/{room.lot.pk}/",
                f"/treatment/lots/{room.lot.pk}/recall/", "/treatment/products/new/"):
        assert desk.get(url).status_code == 403, url
    assert desk.post("/treatment/lots/new/", lot_body(room)).status_code == 403
    assert desk.post(f"/treatment/lots/{room.lot.pk}/recall/", {"reason": "Notice"}).status_code == 403
    room.lot.refresh_from_db()
    assert not room.lot.recalled and Lot.objects.count() == 1
    assert "/treatment/lots/" not in desk.get("/").content.decode()


def test_a_doctor_receives_a_lot(doc, room):
    response = doc.post("/treatment/lots/new/", lot_body(room))
    lot = Lot.objects.get(lot_number="EXO-NEW")
    assert response.status_code == 302 and response["Location"] == f"/treatment/lots/{lot.pk}/"
    assert lot.quantity_received == Decimal("20")


@pytest.mark.parametrize(("fields", "field", "text"), [
    ({"lot_number": "EXO-001"}, "lot_number", "already has a lot numbered “EXO-001”"),
    ({"lot_number": "EXO\r\nFORGED"}, "lot_number", "no line breaks"),
    ({"lot_number": "X" * 500}, "lot_number", "at most 64 characters"),
    ({"lot_number": "   "}, "lot_number", "This field is required"),
    ({"quantity_received": "0"}, "quantity_received", "greater than or equal to 0.01"),
    ({"quantity_received": "-5"}, "quantity_received", "greater than or equal to 0.01"),
    ({"quantity_received": "1000000"}, "quantity_received", "less than or equal to 100000"),
    ({"expires_on": "2027-01-01"}, "expires_on", "cannot expire before it was received"),
    ({"expires_on": "2027-02-30"}, "expires_on", "Enter a valid date"),
    ({"product": "99999"}, "product", "Select a valid choice"),
])
def test_bad_lots_are_refused_by_the_field_and_nothing_is_written(doc, room, fields, field, text):
    response = doc.post("/treatment/lots/new/", lot_body(room, **fields))
    page = response.content.decode()
    assert response.status_code == 400
    block = field_block(page, f"id_{field}")
    assert text in block and "is-invalid" in block, block
    assert Lot.objects.count() == 1


def test_the_same_number_is_allowed_for_another_product(doc, room):
    assert doc.post("/treatment/lots/new/", lot_body(room, product=room.prp.pk, lot_number="EXO-001")
                    ).status_code == 302


def test_a_doctor_adds_a_product_and_goes_on_to_receive_a_lot_of_it(doc, db):
    response = doc.post("/treatment/products/new/", {"name": "PlantExo", "kind": "exosome",
                                                     "source_category": "plant", "manufacturer": "", "unit": "mL"})
    product = Product.objects.get(name="PlantExo")
    assert response.status_code == 302 and response["Location"] == f"/treatment/lots/new/?product={product.pk}"
    assert f'value="{product.pk}" selected' in doc.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("fields", "text"), [
    ({"kind": "exosome", "source_category": ""}, "names its source category"),
    ({"kind": "prp_kit", "source_category": "plant"}, "Only exosome products"),
    ({"name": ""}, "This field is required"), ({"unit": "litre"}, "Select a valid choice"),
])
def test_bad_products_are_refused_by_the_field(doc, db, fields, text):
    body = {"name": "Kit", "kind": "prp_kit", "source_category": "", "manufacturer": "", "unit": "kit", **fields}
    response = doc.post("/treatment/products/new/", body)
    assert response.status_code == 400 and text in response.content.decode()
    assert Product.objects.count() == 0


def test_the_lot_page_lists_who_received_it_and_logs_the_access(doc, doctor, room):
    session_record(session=room.first, products=[row(room.lot, "2")], adjuncts_done=[], by=doctor, now=VISIT)
    page = doc.get(f"/treatment/lots/{room.lot.pk}/").content.decode()
    patient = room.world.patient
    assert 'data-testid="lot-patients"' in page and f"{patient.first_name} {patient.last_name}" in page
    assert "Mon 1 Mar 2027" in page and "2 mL" in page
    assert PatientAccess.objects.filter(patient=patient, what=PatientAccess.What.SESSION).exists()


def test_a_recall_asks_for_a_reason_on_a_confirmation_page_then_lists_the_affected_patients(doc, doctor, room):
    session_record(session=room.first, products=[row(room.lot, "2")], adjuncts_done=[], by=doctor, now=VISIT)
    url = f"/treatment/lots/{room.lot.pk}/recall/"
    confirm = doc.get(url).content.decode()
    assert "Recall AutoExo lot EXO-001?" in confirm and "These patients received it" in confirm
    assert room.world.patient.last_name in confirm and "data-confirm" in confirm
    refused = doc.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    room.lot.refresh_from_db()
    assert not room.lot.recalled
    done = doc.post(url, {"reason": "Manufacturer notice 12"}, follow=True)
    room.lot.refresh_from_db()
    assert room.lot.recalled and room.lot.recall_reason == "Manufacturer notice 12" and room.lot.recalled_by == doctor
    page = done.content.decode()
    assert "Lot EXO-001 is recalled" in page and "1 patient received it" in page
    assert 'data-testid="lot-recalled"' in page and room.world.patient.last_name in page
    assert doc.get(url).status_code == 302  # nothing more to confirm


def test_a_recall_reason_with_control_characters_or_too_long_is_refused(doc, room):
    url = f"/treatment/lots/{room.lot.pk}/recall/"
    assert doc.post(url, {"reason": "bad\x00"}).status_code == 400
    assert doc.post(url, {"reason": "x" * 2001}).status_code == 400
    room.lot.refresh_from_db()
    assert not room.lot.recalled


def test_an_unknown_lot_is_404(doc, db):
    assert doc.get("/treatment/lots/999999/").status_code == 404
    assert doc.post("/treatment/lots/999999/recall/", {"reason": "x"}).status_code == 404


def test_the_nav_shows_lots_to_doctors(admin_user, room):
    assert 'href="/treatment/lots/"' in client_for(admin_user).get("/").content.decode()


def test_the_doctors_home_page_counts_lots_expiring_soon(doc, desk, room):
    room.new_lot(lot_number="SOON-1", expires_on=VISIT_DAY + timedelta(days=20))
    home = doc.get("/").content.decode()
    tile = home[home.index('data-testid="home-lots-expiring"'):]
    assert 'text-bg-warning">1</span>' in tile[:300]
    assert 'data-testid="home-lots-expiring"' not in desk.get("/").content.decode()
