"""POST/GET /api/v1/sessions/{id}/measurements/: the contract's metrics and ranges, refusals by
the item with nothing stored from the list, the session's own rules (cancelled, no-show, its
local day), a re-entry replacing the value with the earlier one kept in the history, role rights."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from patients.booking.status import session_cancel, session_set_status
from patients.models import Measurement, PatientAccess
from tests.patients.outcomes.world import VISIT, at, density, measure

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]


def post(client, session, items, query: str = ""):
    return client.post(f"/api/v1/sessions/{session.pk}/measurements/{query}", items, format="json")


def test_a_doctor_stores_a_list_and_gets_it_back(api_doctor, doctor, room):
    items = [density(146.6), density(61.4, metric="shaft_diameter"), density(2.5, site="frontal",
                                                                             metric="terminal_vellus_ratio"),
             {"metric": "satisfaction", "site": None, "value": 8, "method": "patient_reported"},
             {"metric": "salt_score", "site": None, "value": "37.5", "method": "clinical"}]
    response = post(api_doctor, room.first, items)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(m["metric"], m["site"], m["value"], m["method"]) for m in body] == [
        ("density", "vertex", 146.6, "trichoscopy"), ("shaft_diameter", "vertex", 61.4, "trichoscopy"),
        ("terminal_vellus_ratio", "frontal", 2.5, "trichoscopy"), ("satisfaction", None, 8, "patient_reported"),
        ("salt_score", None, 37.5, "clinical")]
    assert {(m["session"], m["recorded_by"], m["revision"], m["replaced"]) for m in body} == {
        (room.first.pk, doctor.pk, 1, None)}
    assert Measurement.objects.filter(session=room.first).count() == 5
    listed = api_doctor.get(f"/api/v1/sessions/{room.first.pk}/measurements/").json()
    assert listed["count"] == 5 and sorted(m["id"] for m in listed["results"]) == sorted(m["id"] for m in body)


def test_an_admin_measures_too(api_admin, room):
    assert post(api_admin, room.first, [density(120)]).status_code == 201


def test_the_range_ends_are_inside_it(api_doctor, room):
    items = [density(0, site="frontal"), density(600, site="vertex"), density(10, metric="shaft_diameter"),
             density(150, metric="shaft_diameter", site="occipital"),
             {"metric": "hair_pull_count", "site": None, "value": 60, "method": "clinical"},
             {"metric": "anagen_percent", "site": "vertex", "value": 100, "method": "phototrichogram"}]
    assert post(api_doctor, room.first, items).status_code == 201


def test_the_desk_gets_403_forbidden_and_nothing_is_stored(api_receptionist, room):
    for response in (post(api_receptionist, room.first, [density(120)]),
                     api_receptionist.get(f"/api/v1/sessions/{room.first.pk}/measurements/")):
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Measurement.objects.exists()


def test_anonymous_callers_get_401(api_anonymous, room):
    assert post(api_anonymous, room.first, [density(120)]).status_code == 401


def test_an_unknown_session_is_404_not_found(api_doctor, room):
    for pk in ("999999", "¹", "1" * 30):
        response = api_doctor.post(f"/api/v1/sessions/{pk}/measurements/", [density(120)], format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found", pk


def assert_refused(response, by_item: dict[str, str]):
    """400 invalid, with each refused item's fields under its position in the list."""
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert {index: sorted(fields) for index, fields in body["errors"].items()} == {
        index: sorted(fields.split()) for index, fields in by_item.items()}
    return body["errors"]


@pytest.mark.parametrize("item, field", [
    (density(600.01), "value"),
    (density(-1), "value"),
    (density(9.99, metric="shaft_diameter"), "value"),
    (density(20.5, metric="terminal_vellus_ratio"), "value"),
    (density(100.5, metric="anagen_percent", method="phototrichogram"), "value"),
    ({"metric": "salt_score", "site": None, "value": 101, "method": "clinical"}, "value"),
    ({"metric": "hair_pull_count", "site": None, "value": 61, "method": "clinical"}, "value"),
    ({"metric": "satisfaction", "site": None, "value": 11, "method": "patient_reported"}, "value"),
    (density("1e309"), "value"),
    (density("NaN"), "value"),
    (density("abc"), "value"),
    (density(True), "value"),
    (density(None), "value"),
    (density([120]), "value"),
    (density("120.123"), "value"),
    ({"metric": "hair_pull_count", "site": None, "value": 2.5, "method": "clinical"}, "value"),
    (density(120, metric="hair_density"), "metric"),
    (density(120, site="crown"), "site"),
    (density(120, method="ruler"), "method"),
    (density(120, method="patient_reported"), "method"),
    ({"metric": "satisfaction", "site": None, "value": 7, "method": "clinical"}, "method"),
    ({"metric": "salt_score", "site": "vertex", "value": 20, "method": "clinical"}, "site"),
    ({"site": "vertex", "value": 120, "method": "trichoscopy"}, "metric"),
])
def test_a_bad_item_is_400_invalid_by_the_item_and_nothing_of_the_list_is_stored(api_doctor, room, item, field):
    errors = assert_refused(post(api_doctor, room.first, [density(120, site="frontal"), item]), {"1": field})
    assert errors["1"][field][0]
    assert not Measurement.objects.exists()


def test_a_number_too_large_for_a_float_is_400_invalid(api_doctor, room):
    raw = '[{"metric": "density", "site": "vertex", "value": 1e309, "method": "trichoscopy"}]'
    response = api_doctor.post(f"/api/v1/sessions/{room.first.pk}/measurements/", raw,
                               content_type="application/json")
    assert_refused(response, {"0": "value"})


def test_every_refused_item_is_named_in_one_answer(api_doctor, room):
    errors = assert_refused(post(api_doctor, room.first, [density(700), density(120, site="frontal"),
                                                          density("x", site="crown")]),
                            {"0": "value", "2": "site value"})
    assert errors["0"]["value"] == ["700 is outside the range of density: 0–600 hairs/cm²."]


def test_the_same_measurement_twice_in_one_list_is_refused(api_doctor, room):
    assert_refused(post(api_doctor, room.first, [density(120), density(125)]), {"1": "non_field_errors"})
    # Another site or another method is another measurement.
    assert post(api_doctor, room.first, [density(120), density(125, site="frontal"),
                                         density(118, method="phototrichogram")]).status_code == 201


@pytest.mark.parametrize("body", [[], {}, {"metric": "density"}, "density", None, [[]], ["x"],
                                  [density(120)] * 101])
def test_a_body_that_is_not_a_list_of_measurements_is_400_invalid(api_doctor, room, body):
    response = post(api_doctor, room.first, body)
    assert response.status_code == 400 and response.json()["code"] == "invalid", response.json()
    assert not Measurement.objects.exists()


def test_a_cancelled_or_no_show_session_carries_no_measurements(api_doctor, room):
    session_cancel(session=room.second, reason="Patient asked")
    session_set_status(session=room.first, status="no_show")
    for session in (room.first, room.second):
        response = post(api_doctor, session, [density(120)])
        assert response.status_code == 409 and response.json()["code"] == "invalid_transition", response.json()
    assert not Measurement.objects.exists()


def test_a_session_whose_local_day_has_not_come_is_409_invalid_transition(api_doctor, room):
    response = post(api_doctor, room.second, [density(120)])
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert "Mon 29 Mar 2027" in response.json()["detail"] and "measured" in response.json()["detail"]
    # Half past midnight at the clinic is its day already, though UTC still says 28 March.
    with time_machine.travel(at("2027-03-29 00:30"), tick=False):
        assert post(api_doctor, room.second, [density(120)]).status_code == 201
    # ... and a visit can be measured days later (a result read from the trichoscope afterwards).
    with time_machine.travel(at("2027-04-05 12:00"), tick=False):
        assert post(api_doctor, room.second, [density(124, site="frontal")]).status_code == 201


def test_a_measurement_names_its_patient_when_asked_to(api_doctor, room):
    other = room.book_another("2027-03-01 11:00")
    response = post(api_doctor, other, [density(120)], query=f"?patient={room.world.patient.pk}")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["patient"]
    for wrong in ("abc", "999999", ""):
        assert post(api_doctor, room.first, [density(120)], query=f"?patient={wrong}").status_code == 400
    assert not Measurement.objects.exists()
    assert post(api_doctor, room.first, [density(120)], query=f"?patient={room.world.patient.pk}").status_code == 201


def test_measuring_again_replaces_the_value_and_the_history_keeps_the_earlier_one(api_doctor, api_admin,
                                                                                   admin_user, room):
    first = post(api_doctor, room.first, [density(120), density(60, metric="shaft_diameter")]).json()
    again = post(api_admin, room.first, [density("121.5")])
    assert again.status_code == 201
    [replaced] = again.json()
    assert (replaced["id"], replaced["value"], replaced["replaced"], replaced["revision"],
            replaced["recorded_by"]) == (first[0]["id"], 121.5, 120.0, 2, admin_user.pk)
    assert Measurement.objects.count() == 2
    history = Measurement.pgh_event_model.objects.filter(pgh_obj_id=first[0]["id"]).order_by("pgh_id")
    assert [(event.pgh_label, event.value) for event in history] == [
        ("insert", Decimal("120.00")), ("update", Decimal("121.50"))]
    assert history.last().pgh_context.metadata["user"] == admin_user.pk


def test_sending_the_same_value_again_changes_nothing(api_doctor, room):
    post(api_doctor, room.first, [density(120)])
    [again] = post(api_doctor, room.first, [density("120.00")]).json()
    assert (again["revision"], again["replaced"]) == (1, None)
    assert Measurement.pgh_event_model.objects.count() == 1


def test_the_history_cannot_be_rewritten(room):
    from django.db import IntegrityError, InternalError, transaction

    [stored] = measure(room.first, density(120))
    event = Measurement.pgh_event_model.objects.get(pgh_obj_id=stored.pk)
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        Measurement.pgh_event_model.objects.filter(pk=event.pk).update(value=Decimal("1"))


def test_the_database_refuses_a_value_out_of_range_whatever_the_path(room, doctor):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.create(session=room.first, metric="density", site="vertex", method="trichoscopy",
                                   value=Decimal("600.01"), recorded_by=doctor, recorded_at=VISIT)
    Measurement.objects.create(session=room.first, metric="density", site=None, method="trichoscopy",
                               value=Decimal("100"), recorded_by=doctor, recorded_at=VISIT)
    with pytest.raises(IntegrityError), transaction.atomic():  # null sites are one site, not all different
        Measurement.objects.create(session=room.first, metric="density", site=None, method="trichoscopy",
                                   value=Decimal("101"), recorded_by=doctor, recorded_at=VISIT)


def test_reading_a_sessions_measurements_is_in_the_access_log(api_doctor, doctor, room):
    measure(room.first, density(120))
    api_doctor.get(f"/api/v1/sessions/{room.first.pk}/measurements/")
    assert PatientAccess.objects.filter(user=doctor, patient=room.world.patient, what="outcomes").count() == 1


def test_measuring_does_not_complete_the_session(api_doctor, room):
    post(api_doctor, room.first, [density(120)])
    room.first.refresh_from_db()
    assert room.first.status == "booked"
    assert room.first.start + timedelta(minutes=20) == VISIT
