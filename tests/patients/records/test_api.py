"""Products, lots and session records through the API: paths, fields, status and error codes as
the contract says, role rights, and the issue's bad input (clear 400s, nothing written)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from patients.models import Lot, Product
from patients.records import selectors
from tests.patients.records.world import VISIT_DAY, row

pytestmark = pytest.mark.django_db


def product_body(**fields) -> dict:
    return {"name": "CordExo", "kind": "exosome", "source_category": "allogeneic_human", "manufacturer": "Lab B",
            "unit": "vial", **fields}


def lot_body(room, **fields) -> dict:
    return {"product": room.exosome.pk, "lot_number": "EXO-900", "expires_on": "2027-09-30",
            "received_on": "2027-02-01", "quantity_received": "20", **fields}


def post_record(client, session, products, **extra):
    return client.post(f"/api/v1/sessions/{session.pk}/record/", {"products": products, **extra}, format="json")


# --- Products --------------------------------------------------------------------------------------


def test_a_doctor_adds_a_product_with_the_contracts_fields(api_doctor):
    response = api_doctor.post("/api/v1/products/", product_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("name", "kind", "source_category", "manufacturer", "unit", "active")} == {
        "name": "CordExo", "kind": "exosome", "source_category": "allogeneic_human", "manufacturer": "Lab B",
        "unit": "vial", "active": True}


@pytest.mark.parametrize("fields", [
    {"source_category": None}, {"kind": "prp_kit", "source_category": "autologous"}, {"unit": "litre"},
    {"kind": "serum"}, {"source_category": "synthetic"}, {"name": ""},
])
def test_a_product_without_its_source_or_with_unknown_values_is_400_invalid(api_doctor, fields):
    response = api_doctor.post("/api/v1/products/", product_body(**fields), format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert Product.objects.count() == 0


def test_a_prp_kit_has_a_null_source_category(api_doctor):
    response = api_doctor.post("/api/v1/products/", product_body(kind="prp_kit", source_category=None, unit="kit"),
                               format="json")
    assert response.status_code == 201 and response.json()["source_category"] is None


def test_the_desk_reads_products_but_does_not_write_them(api_receptionist, room):
    assert api_receptionist.get("/api/v1/products/").json()["count"] == 2
    response = api_receptionist.post("/api/v1/products/", product_body(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_products_are_never_deleted(api_admin, room):
    assert api_admin.delete(f"/api/v1/products/{room.exosome.pk}/").status_code == 405
    assert Product.objects.filter(pk=room.exosome.pk).exists()


# --- Lots ------------------------------------------------------------------------------------------


def test_a_doctor_receives_a_lot_and_reads_what_is_left(api_doctor, room):
    response = api_doctor.post("/api/v1/lots/", lot_body(room), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["lot_number"], body["quantity_received"], body["quantity_used"], body["quantity_left"]) == (
        "EXO-900", "20.00", "0.00", "20.00")
    assert body["recalled"] is False and body["recall_reason"] == ""


def test_used_and_left_follow_the_records(api_doctor, room):
    assert post_record(api_doctor, room.first, [row(room.lot, "2.5")]).status_code == 201
    body = api_doctor.get(f"/api/v1/lots/{room.lot.pk}/").json()
    assert (body["quantity_used"], body["quantity_left"]) == ("2.50", "7.50")


def test_the_same_lot_number_twice_for_one_product_is_400_invalid_but_another_product_may_share_it(api_doctor, room):
    response = api_doctor.post("/api/v1/lots/", lot_body(room, lot_number="EXO-001"), format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "non_field_errors" in response.json()["errors"]
    other = api_doctor.post("/api/v1/lots/", lot_body(room, lot_number="EXO-001", product=room.prp.pk), format="json")
    assert other.status_code == 201


@pytest.mark.parametrize("number", ["EXO\r\n1", "EXO\n1", "EXO\t1", "EXO\x071", "A" * 500, "   ", "EXO\u20281"])
def test_a_lot_number_with_line_breaks_control_characters_or_500_characters_is_400(api_doctor, room, number):
    response = api_doctor.post("/api/v1/lots/", lot_body(room, lot_number=number), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid" and "lot_number" in response.json()["errors"]
    assert Lot.objects.count() == 1


@pytest.mark.parametrize("quantity", ["0", "-5", "1000000000", "1e400", "NaN", "Infinity", "ten", "0.001", None])
def test_a_zero_negative_absurd_or_malformed_quantity_received_is_400(api_doctor, room, quantity):
    response = api_doctor.post("/api/v1/lots/", lot_body(room, quantity_received=quantity), format="json")
    assert response.status_code == 400 and "quantity_received" in response.json()["errors"]
    assert Lot.objects.count() == 1


def test_a_lot_cannot_expire_before_it_was_received(api_doctor, room):
    response = api_doctor.post("/api/v1/lots/", lot_body(room, expires_on="2027-01-01"), format="json")
    assert response.status_code == 400 and "expires_on" in response.json()["errors"]


def test_what_was_received_never_falls_below_what_the_records_used(api_doctor, room):
    post_record(api_doctor, room.first, [row(room.lot, "6")])
    response = api_doctor.patch(f"/api/v1/lots/{room.lot.pk}/", {"quantity_received": "5"}, format="json")
    assert response.status_code == 400 and "quantity_received" in response.json()["errors"]
    assert api_doctor.patch(f"/api/v1/lots/{room.lot.pk}/", {"quantity_received": "6"},
                            format="json").json()["quantity_left"] == "0.00"


def test_recall_marks_the_lot_and_names_every_patient_who_received_it(api_doctor, room):
    other = room.book_another()
    post_record(api_doctor, room.first, [row(room.lot, "2")])
    post_record(api_doctor, other, [row(room.lot, "1"), row(room.lot, "0.5", ["occipital"])])
    response = api_doctor.post(f"/api/v1/lots/{room.lot.pk}/recall/", {"reason": "Sterility failure"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["recalled"] is True and body["recall_reason"] == "Sterility failure"
    affected = sorted((a["session"], a["patient"], a["date"], a["quantity"]) for a in body["affected"])
    assert affected == sorted([(room.first.pk, room.world.patient.pk, "2027-03-01", "2.00"),
                               (other.pk, other.patient_id, "2027-03-01", "1.50")])
    lookup = api_doctor.get(f"/api/v1/lots/{room.lot.pk}/patients/").json()["affected"]
    assert sorted((a["session"], a["quantity"]) for a in lookup) == sorted((a[0], a[3]) for a in affected)


def test_a_recalled_lot_is_refused_at_the_next_visit(api_doctor, room):
    api_doctor.post(f"/api/v1/lots/{room.lot.pk}/recall/", {"reason": "Notice 12"}, format="json")
    response = post_record(api_doctor, room.first, [row(room.lot, "1")])
    assert response.status_code == 422 and response.json()["code"] == "lot_recalled"


def test_a_recall_says_why(api_doctor, room):
    response = api_doctor.post(f"/api/v1/lots/{room.lot.pk}/recall/", {"reason": " "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    room.lot.refresh_from_db()
    assert not room.lot.recalled


def test_the_desk_may_not_write_lots_recall_them_or_see_who_received_them(api_receptionist, room):
    assert api_receptionist.get("/api/v1/lots/").status_code == 200
    for method, path, body in [("post", "/api/v1/lots/", lot_body(room)),
                               ("patch", f"/api/v1/lots/{room.lot.pk}/", {"quantity_received": "50"}),
                               ("post", f"/api/v1/lots/{room.lot.pk}/recall/", {"reason": "x"}),
                               ("get", f"/api/v1/lots/{room.lot.pk}/patients/", None)]:
        response = getattr(api_receptionist, method)(path, body, format="json")
        assert response.status_code == 403 and response.json()["code"] == "forbidden", path
    room.lot.refresh_from_db()
    assert not room.lot.recalled and room.lot.quantity_received == Decimal("10") and Lot.objects.count() == 1


def test_lots_expiring_within_30_days_and_running_low(api_doctor, room):
    soon = room.new_lot(lot_number="SOON", expires_on=VISIT_DAY + timedelta(days=20))
    low = room.new_lot(lot_number="LOW", quantity_received=Decimal("10"))
    post_record(api_doctor, room.first, [row(low, "9")])
    expiring = api_doctor.get("/api/v1/lots/?expiring_within_days=30").json()["results"]
    assert [lot["lot_number"] for lot in expiring] == ["SOON"]
    running_low = api_doctor.get("/api/v1/lots/?running_low=true").json()["results"]
    assert [lot["lot_number"] for lot in running_low] == ["LOW"]
    assert selectors.lots_expiring(today=VISIT_DAY).get() == soon


def test_unknown_lot_ids_are_404_not_found(api_doctor):
    for path in ("/api/v1/lots/999999/", "/api/v1/lots/abc/", f"/api/v1/lots/{2**70}/patients/"):
        response = api_doctor.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
