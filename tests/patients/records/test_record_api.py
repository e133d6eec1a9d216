"""POST/GET /api/v1/sessions/{id}/record/ and /api/v1/session-records/{id}/amend/: the contract's
fields and codes, role rights (the desk reads a summary, writes nothing), bad input writing nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from patients.booking.status import session_cancel
from patients.models import PatientAccess, Product, Reminder, SessionRecord, SessionRecordProduct
from patients.records import selectors
from tests.patients.records.world import BOOKED_AT, VISIT_DAY, row

pytestmark = pytest.mark.django_db


def post_record(client, session, products, **extra):
    return client.post(f"/api/v1/sessions/{session.pk}/record/", {"products": products, **extra}, format="json")


def assert_nothing_written(room):
    room.first.refresh_from_db()
    assert room.first.status == "booked"
    assert SessionRecord.objects.count() == 0 and SessionRecordProduct.objects.count() == 0
    assert not Reminder.objects.filter(kind="aftercare").exists()


def test_a_doctor_records_a_visit_and_the_session_becomes_completed(api_doctor, doctor, room):
    response = post_record(api_doctor, room.first, [row(room.lot, "2.5", ["vertex", "temporal_left"])],
                           adjuncts_done=["harvest_blood", "led"], notes="No bleeding.")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["session"], body["recorded_by"], body["adjuncts_done"], body["notes"]) == (
        room.first.pk, doctor.pk, ["harvest_blood", "led"], "No bleeding.")
    assert body["recorded_at"].startswith("2027-03-01T")
    [given] = body["products"]
    assert {k: given[k] for k in ("lot", "lot_number", "expires_on", "quantity", "sites")} == {
        "lot": room.lot.pk, "lot_number": "EXO-001", "expires_on": (VISIT_DAY + timedelta(days=120)).isoformat(),
        "quantity": "2.50", "sites": ["vertex", "temporal_left"]}
    session = api_doctor.get(f"/api/v1/sessions/{room.first.pk}/").json()
    assert session["status"] == "completed"
    assert Reminder.objects.filter(session=room.first, kind="aftercare").count() == 1
    assert api_doctor.get(f"/api/v1/sessions/{room.first.pk}/record/").json() == body


def test_an_admin_records_too(api_admin, room):
    assert post_record(api_admin, room.first, [row(room.lot)]).status_code == 201


def test_the_desk_gets_403_forbidden_on_recording_and_nothing_is_written(api_receptionist, room):
    response = post_record(api_receptionist, room.first, [row(room.lot)])
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert_nothing_written(room)


def test_the_desk_reads_a_records_summary_without_quantities_or_notes(api_doctor, api_receptionist, receptionist,
                                                                      room):
    post_record(api_doctor, room.first, [row(room.lot, "2")], notes="Clinical note")
    body = api_receptionist.get(f"/api/v1/sessions/{room.first.pk}/record/").json()
    assert [p["lot_number"] for p in body["products"]] == ["EXO-001"]
    assert "quantity" not in body["products"][0] and "notes" not in body
    listed = api_receptionist.get(f"/api/v1/session-records/?patient={room.world.patient.pk}").json()
    assert listed["count"] == 1 and "quantity" not in listed["results"][0]["products"][0]
    assert PatientAccess.objects.filter(user=receptionist, patient=room.world.patient).count() == 2


def test_a_session_without_a_record_is_404_not_found(api_doctor, room):
    response = api_doctor.get(f"/api/v1/sessions/{room.first.pk}/record/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_contracts_422s_through_the_api(api_doctor, room):
    expired = room.new_lot(lot_number="OLD", expires_on=VISIT_DAY - timedelta(days=1))
    rose = Product.objects.create(name="RoseExo", kind="exosome", source_category="plant", unit="mL")
    cases = [([row(expired)], "lot_expired"), ([row(room.lot, "11")], "lot_exhausted"),
             ([row(room.new_lot(rose, lot_number="R-1"))], "product_not_allowed")]
    for products, code in cases:
        response = post_record(api_doctor, room.first, products)
        assert response.status_code == 422 and response.json()["code"] == code, response.json()
        assert response.json()["detail"]
    assert_nothing_written(room)


def test_a_cancelled_session_is_409_invalid_transition(api_doctor, room):
    session_cancel(session=room.first, reason="Flu", now=BOOKED_AT)
    response = post_record(api_doctor, room.first, [row(room.lot)])
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert SessionRecord.objects.count() == 0


def test_a_session_next_month_is_409_invalid_transition(api_doctor, room):
    response = post_record(api_doctor, room.second, [row(room.lot)])
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_recording_twice_is_409_already_recorded(api_doctor, room):
    post_record(api_doctor, room.first, [row(room.lot, "1")])
    response = post_record(api_doctor, room.first, [row(room.lot, "1")])
    assert response.status_code == 409 and response.json()["code"] == "already_recorded"
    assert selectors.lots_with_quantities().get(pk=room.lot.pk).quantity_left == Decimal("9")


@pytest.mark.parametrize("products", [
    [{"quantity": "0"}], [{"quantity": "-2"}], [{"quantity": "5000"}], [{"quantity": "1e400"}],
    [{"quantity": "NaN"}], [{"quantity": None}], [{"sites": []}], [{"sites": ["crown"]}], [{"sites": "vertex"}],
    [{"lot": 999999}], [{"lot": 2**70}], [{"lot": "abc"}], [{"lot": None}], "nothing", None, [[]],
])
def test_bad_product_rows_are_400_invalid_and_nothing_is_written(api_doctor, room, products):
    if isinstance(products, list) and products and isinstance(products[0], dict):
        products = [{**row(room.lot), **products[0]}]
    response = post_record(api_doctor, room.first, products)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid" and "products" in response.json()["errors"]
    assert_nothing_written(room)


def test_a_lot_of_another_product_than_the_one_named_is_400(api_doctor, room):
    response = post_record(api_doctor, room.first, [{**row(room.lot), "product": room.prp.pk}])
    assert response.status_code == 400 and "EXO-001" in response.json()["detail"]
    assert_nothing_written(room)


@pytest.mark.parametrize("extra", [{"adjuncts_done": ["massage"]}, {"adjuncts_done": ["led", "led"]},
                                   {"adjuncts_done": "led"}, {"notes": "x" * 5001}, {"notes": ["x"]}])
def test_bad_adjuncts_or_notes_are_400(api_doctor, room, extra):
    response = post_record(api_doctor, room.first, [row(room.lot)], **extra)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert_nothing_written(room)


# --- Amend -----------------------------------------------------------------------------------------


def test_an_amendment_moves_the_quantities_and_says_why(api_doctor, room):
    record = post_record(api_doctor, room.first, [row(room.lot, "2")]).json()
    response = api_doctor.post(f"/api/v1/session-records/{record['id']}/amend/",
                               {"reason": "Gave 3 mL", "products": [row(room.lot, "3")]}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["products"][0]["quantity"] == "3.00" and body["amend_reason"] == "Gave 3 mL" and body["revision"] == 2
    assert body["notes"] == ""  # not sent: unchanged
    assert api_doctor.get(f"/api/v1/lots/{room.lot.pk}/").json()["quantity_left"] == "7.00"


def test_an_amendment_beyond_what_is_left_is_422_lot_exhausted_and_changes_nothing(api_doctor, room):
    record = post_record(api_doctor, room.first, [row(room.lot, "2")]).json()
    response = api_doctor.post(f"/api/v1/session-records/{record['id']}/amend/",
                               {"reason": "More", "products": [row(room.lot, "10.5")]}, format="json")
    assert response.status_code == 422 and response.json()["code"] == "lot_exhausted"
    assert api_doctor.get(f"/api/v1/lots/{room.lot.pk}/").json()["quantity_left"] == "8.00"


@pytest.mark.parametrize("body", [{"notes": "x"}, {"reason": "", "notes": "x"}, {"reason": "Nothing sent"}])
def test_an_amendment_without_a_reason_or_without_changes_is_400(api_doctor, room, body):
    record = post_record(api_doctor, room.first, [row(room.lot, "2")]).json()
    response = api_doctor.post(f"/api/v1/session-records/{record['id']}/amend/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert SessionRecord.objects.get().revision == 1


def test_the_desk_gets_403_on_amending(api_doctor, api_receptionist, room):
    record = post_record(api_doctor, room.first, [row(room.lot, "2")]).json()
    response = api_receptionist.post(f"/api/v1/session-records/{record['id']}/amend/",
                                     {"reason": "x", "notes": "y"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert SessionRecord.objects.get().revision == 1


def test_an_unknown_record_is_404(api_doctor):
    response = api_doctor.post("/api/v1/session-records/424242/amend/", {"reason": "x", "notes": "y"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
