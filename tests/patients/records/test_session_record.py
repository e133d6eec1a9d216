"""Recording a visit: what was given completes the session; every refusal of the contract writes nothing."""

from datetime import timedelta
from decimal import Decimal

import pghistory.models
import pytest
from django.core.exceptions import ValidationError

from clinic.errors import DomainError
from patients.booking.status import InvalidTransition, session_cancel, session_set_status, session_status_undo
from patients.models import Product, Reminder, SessionRecord, SessionRecordProduct
from patients.records import selectors
from patients.records.services import session_record, session_record_amend
from tests.patients.records.world import BOOKED_AT, VISIT, VISIT_DAY, row

pytestmark = pytest.mark.django_db


def record(room, session=None, products=None, *, now=VISIT, by, **extra):
    rows = products if products is not None else [row(room.lot)]
    return session_record(session=session or room.first, products=rows, adjuncts_done=extra.pop("adjuncts", []),
                          notes=extra.pop("notes", ""), by=by, now=now)


def left(lot) -> Decimal:
    return selectors.lots_with_quantities().get(pk=lot.pk).quantity_left


def assert_nothing_written(room):
    room.first.refresh_from_db()
    assert SessionRecord.objects.count() == 0 and SessionRecordProduct.objects.count() == 0
    assert not Reminder.objects.filter(kind="aftercare").exists()
    assert left(room.lot) == Decimal("10")


def test_recording_completes_the_session_and_queues_its_aftercare_email(room, doctor):
    saved = record(room, products=[row(room.lot, "2.5", ["vertex", "frontal"])], adjuncts=["harvest_blood"],
                   notes="Tolerated well.", by=doctor)
    room.first.refresh_from_db()
    assert room.first.status == "completed"
    assert Reminder.objects.filter(session=room.first, kind="aftercare", status="pending").count() == 1
    given = saved.products.get()
    assert (given.lot, given.quantity, given.sites) == (room.lot, Decimal("2.5"), ["vertex", "frontal"])
    assert saved.adjuncts_done == ["harvest_blood"] and saved.recorded_by == doctor and saved.recorded_at == VISIT
    lot = selectors.lots_with_quantities().get(pk=room.lot.pk)
    assert (lot.quantity_used, lot.quantity_left) == (Decimal("2.5"), Decimal("7.5"))


@pytest.mark.parametrize("before", ["confirmed", "arrived"])
def test_a_confirmed_or_arrived_session_is_completed_too(room, doctor, before):
    if before == "arrived":
        session_set_status(session=room.first, status="arrived", now=VISIT)
    else:
        session_set_status(session=room.first, status="confirmed", now=BOOKED_AT)
    record(room, by=doctor)
    room.first.refresh_from_db()
    assert room.first.status == "completed"


def test_a_recorded_visits_completion_cannot_be_undone_only_its_record_amended(room, doctor):
    record(room, by=doctor)
    with pytest.raises(InvalidTransition, match="amend its record"):
        session_status_undo(session=room.first, by=doctor, now=VISIT + timedelta(minutes=1))
    room.first.refresh_from_db()
    assert room.first.status == "completed"


def test_two_lots_of_one_visit_are_both_counted(room, doctor):
    kit_lot = room.new_lot(room.prp, lot_number="KIT-7", quantity_received=Decimal("5"))
    record(room, products=[row(room.lot, "3"), row(kit_lot, "1", ["occipital"])], by=doctor)
    assert left(room.lot) == Decimal("7") and left(kit_lot) == Decimal("4")


# --- Refusals: the contract's codes, and nothing written -------------------------------------------


def refused(room, doctor, code: str, status: int, products=None, session=None, now=VISIT):
    with pytest.raises(DomainError) as caught:
        record(room, session=session, products=products, now=now, by=doctor)
    assert (caught.value.status, caught.value.code) == (status, code), caught.value.detail
    assert_nothing_written(room)
    return caught.value


def test_a_lot_expiring_before_the_visit_day_is_422_lot_expired(room, doctor):
    expired = room.new_lot(lot_number="OLD-1", expires_on=VISIT_DAY - timedelta(days=1))
    error = refused(room, doctor, "lot_expired", 422, products=[row(expired)])
    assert "OLD-1" in error.detail
    assert room.first.status == "booked"


def test_a_lot_expiring_on_the_visit_day_itself_is_still_given(room, doctor):
    today = room.new_lot(lot_number="TODAY", expires_on=VISIT_DAY)
    record(room, products=[row(today)], by=doctor)


def test_a_recalled_lot_is_422_lot_recalled(room, doctor):
    room.lot.recalled = True
    room.lot.save()
    refused(room, doctor, "lot_recalled", 422)


def test_more_than_is_left_is_422_lot_exhausted(room, doctor):
    error = refused(room, doctor, "lot_exhausted", 422, products=[row(room.lot, "10.01")])
    assert error.extra["quantity_left"] == "10.00"


def test_two_rows_of_one_lot_are_added_up_against_what_is_left(room, doctor):
    refused(room, doctor, "lot_exhausted", 422, products=[row(room.lot, "6"), row(room.lot, "5", ["frontal"])])


def test_what_other_records_used_is_not_left(room, doctor):
    record(room, session=room.book_another(), products=[row(room.lot, "9")], by=doctor)
    with pytest.raises(DomainError) as caught:
        record(room, products=[row(room.lot, "2")], by=doctor)
    assert caught.value.code == "lot_exhausted"
    assert left(room.lot) == Decimal("1")


def test_an_exosome_product_of_another_source_than_the_protocols_is_422_product_not_allowed(room, doctor):
    rose = Product.objects.create(name="RoseExo", kind="exosome", source_category="plant", unit="mL")
    refused(room, doctor, "product_not_allowed", 422, products=[row(room.new_lot(rose, lot_number="ROSE-1"))])


def test_a_prp_kit_has_no_source_to_disagree_with(room, doctor):
    record(room, products=[row(room.new_lot(room.prp, lot_number="KIT-1"), "1")], by=doctor)


def test_a_cancelled_session_is_409_invalid_transition(room, doctor):
    session_cancel(session=room.first, reason="Ill", now=BOOKED_AT)
    refused(room, doctor, "invalid_transition", 409)


def test_a_no_show_is_409_invalid_transition(room, doctor):
    session_set_status(session=room.first, status="no_show", now=VISIT)
    refused(room, doctor, "invalid_transition", 409)


def test_a_session_whose_local_day_has_not_come_is_409_invalid_transition(room, doctor):
    error = refused(room, doctor, "invalid_transition", 409, session=room.second)
    assert "recorded from that day" in error.detail
    room.second.refresh_from_db()
    assert room.second.status == "booked"


def test_the_evening_before_in_istanbul_is_still_too_early(room, doctor):
    from tests.patients.booking.world import at

    refused(room, doctor, "invalid_transition", 409, now=at("2027-02-28 23:30"))


def test_recording_twice_is_409_already_recorded(room, doctor):
    record(room, products=[row(room.lot, "1")], by=doctor)
    with pytest.raises(DomainError) as caught:
        record(room, products=[row(room.lot, "1")], by=doctor)
    assert (caught.value.status, caught.value.code) == (409, "already_recorded")
    assert SessionRecordProduct.objects.count() == 1 and left(room.lot) == Decimal("9")


def test_a_session_completed_from_its_status_button_can_still_be_recorded(room, doctor):
    session_set_status(session=room.first, status="arrived", now=VISIT)
    session_set_status(session=room.first, status="completed", now=VISIT)
    record(room, by=doctor)
    assert Reminder.objects.filter(session=room.first, kind="aftercare").count() == 1


@pytest.mark.parametrize("quantity", ["0", "-1", "1000.01", "0.001"])
def test_a_zero_negative_absurd_or_too_fine_quantity_is_refused(room, doctor, quantity):
    with pytest.raises(ValidationError):
        record(room, products=[row(room.lot, quantity)], by=doctor)
    assert_nothing_written(room)


@pytest.mark.parametrize("sites", [[], ["crown"], ["vertex", "vertex"]])
def test_sites_must_be_the_contracts_and_named_once(room, doctor, sites):
    with pytest.raises(ValidationError):
        record(room, products=[row(room.lot, "1", sites)], by=doctor)
    assert_nothing_written(room)


def test_an_unknown_adjunct_is_refused(room, doctor):
    with pytest.raises(ValidationError):
        session_record(session=room.first, products=[row(room.lot)], adjuncts_done=["massage"], by=doctor, now=VISIT)
    assert_nothing_written(room)


def test_a_treatment_visit_records_at_least_one_product(room, doctor):
    with pytest.raises(ValidationError):
        record(room, products=[], by=doctor)
    assert_nothing_written(room)


# --- Amendments ------------------------------------------------------------------------------------


def test_an_amendment_keeps_the_earlier_content_in_the_history_with_its_reason(room, doctor, admin_user):
    saved = record(room, products=[row(room.lot, "2")], notes="First note.", by=doctor)
    session_record_amend(record=saved, reason="Wrote 2 mL, gave 3 mL", products=[row(room.lot, "3", ["frontal"])],
                         notes="Corrected.", by=admin_user, now=VISIT + timedelta(hours=1))
    saved.refresh_from_db()
    assert (saved.notes, saved.revision, saved.amend_reason, saved.amended_by) == (
        "Corrected.", 2, "Wrote 2 mL, gave 3 mL", admin_user)
    assert left(room.lot) == Decimal("7")
    notes = list(pghistory.models.Events.objects.tracks(saved).order_by("pgh_id").values_list("pgh_data", flat=True))
    assert [n["notes"] for n in notes] == ["First note.", "Corrected."]
    old_rows = SessionRecordProduct.pgh_event_model.objects.filter(record_id=saved.pk).order_by("pgh_id")
    assert [(e.pgh_label, e.quantity) for e in old_rows] == [
        ("insert", Decimal("2")), ("delete", Decimal("2")), ("insert", Decimal("3"))]
    # The amendment's changes carry its reason and author; the first record's rows do not.
    reasons = [(e.pgh_context.metadata.get("reason"), e.pgh_context.metadata.get("user")) for e in old_rows]
    assert reasons == [(None, doctor.pk), ("Wrote 2 mL, gave 3 mL", admin_user.pk), ("Wrote 2 mL, gave 3 mL",
                                                                                    admin_user.pk)]


def test_an_amendment_rechecks_what_is_left_without_counting_its_own_earlier_rows(room, doctor):
    saved = record(room, products=[row(room.lot, "8")], by=doctor)
    session_record_amend(record=saved, reason="Gave all of it", products=[row(room.lot, "10")], by=doctor, now=VISIT)
    assert left(room.lot) == Decimal("0")
    with pytest.raises(DomainError) as caught:
        session_record_amend(record=saved, reason="More", products=[row(room.lot, "10.5")], by=doctor, now=VISIT)
    assert caught.value.code == "lot_exhausted"
    assert left(room.lot) == Decimal("0")
    saved.refresh_from_db()
    assert saved.revision == 2


def test_an_amendment_may_keep_a_lot_recalled_since_the_visit_but_not_add_one(room, doctor):
    saved = record(room, products=[row(room.lot, "2")], by=doctor)
    from patients.records.services import lot_recall

    lot_recall(lot=room.lot, reason="Manufacturer's notice", by=doctor, now=VISIT)
    session_record_amend(record=saved, reason="Site was wrong", products=[row(room.lot, "2", ["midscalp"])],
                         by=doctor, now=VISIT)
    other = room.new_lot(lot_number="EXO-002", recalled=True)
    with pytest.raises(DomainError) as caught:
        session_record_amend(record=saved, reason="Add", products=[row(room.lot, "2"), row(other, "1")],
                             by=doctor, now=VISIT)
    assert caught.value.code == "lot_recalled"


def test_an_amendment_needs_a_reason(room, doctor):
    saved = record(room, by=doctor)
    with pytest.raises(ValidationError):
        session_record_amend(record=saved, reason="  ", notes="x", by=doctor, now=VISIT)
    saved.refresh_from_db()
    assert saved.revision == 1
