"""GET /api/v1/patients/{id}/outcomes/: the patient's series per metric and site (and method),
each point dated and counted in days from its course's anchor, with baseline, latest and change."""

from datetime import date, timedelta

import pytest

from patients.booking import services as booking
from patients.booking.status import session_cancel
from patients.models import PatientAccess
from tests.factories import ProtocolFactory
from tests.factories.protocols import session_rows
from tests.patients.outcomes.world import VISIT, at, density, measure, third
from tests.patients.records.world import BOOKED_AT

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]


def outcomes(client, patient):
    response = client.get(f"/api/v1/patients/{patient.pk}/outcomes/")
    assert response.status_code == 200, response.json()
    return response.json()["series"]


def test_a_series_runs_from_the_baseline_to_the_latest_visit(api_doctor, room):
    # Density at the vertex: 120 at session 1 (day 0), 150 at session 2 (day 28), 160 at session 3
    # (day 56): change 160 − 120 = 40, change_percent 40 / 120 = 33.33 %.
    last = third(room)
    measure(room.first, density(120))
    measure(room.second, density(150))
    measure(last, density(160))
    [series] = outcomes(api_doctor, room.world.patient)
    course = room.first.course_id
    assert series == {
        "metric": "density", "site": "vertex", "method": "trichoscopy", "unit": "hairs/cm²",
        "points": [
            {"date": "2027-03-01", "session": room.first.pk, "course": course, "day": 0, "value": 120.0},
            {"date": "2027-03-29", "session": room.second.pk, "course": course, "day": 28, "value": 150.0},
            {"date": "2027-04-26", "session": last.pk, "course": course, "day": 56, "value": 160.0},
        ],
        "baseline": 120.0, "latest": 160.0, "change": 40.0, "change_percent": 33.33,
    }


def test_series_are_per_metric_site_and_method_in_the_metrics_order(api_doctor, room):
    # Shaft diameter 61.4 → 52.6 µm is −8.8, −8.8 / 61.4 = −14.33 %.
    measure(room.first, density(61.4, metric="shaft_diameter"), density(120), density(118, method="phototrichogram"),
            density(100, site="frontal"), {"metric": "satisfaction", "site": None, "value": 6,
                                           "method": "patient_reported"})
    measure(room.second, density(52.6, metric="shaft_diameter"), density(130))
    series = outcomes(api_doctor, room.world.patient)
    assert [(s["metric"], s["site"], s["method"], s["change"], s["change_percent"]) for s in series] == [
        ("density", "frontal", "trichoscopy", None, None),
        ("density", "vertex", "trichoscopy", 10.0, 8.33),
        ("density", "vertex", "phototrichogram", None, None),
        ("shaft_diameter", "vertex", "trichoscopy", -8.8, -14.33),
        ("satisfaction", None, "patient_reported", None, None),
    ]


def test_a_single_value_is_a_baseline_not_a_change_of_nothing(api_doctor, room):
    measure(room.first, density(120))
    [series] = outcomes(api_doctor, room.world.patient)
    assert (series["baseline"], series["latest"], series["change"], series["change_percent"]) == (
        120.0, 120.0, None, None)


def test_a_baseline_of_zero_has_a_change_but_no_percentage(api_doctor, room):
    measure(room.first, {"metric": "hair_pull_count", "site": None, "value": 0, "method": "clinical"})
    measure(room.second, {"metric": "hair_pull_count", "site": None, "value": 4, "method": "clinical"})
    [series] = outcomes(api_doctor, room.world.patient)
    assert (series["change"], series["change_percent"]) == (4.0, None)


def test_a_patient_without_measurements_has_no_series(api_doctor, room):
    assert outcomes(api_doctor, room.world.patient) == []


def test_another_patients_measurements_stay_theirs(api_doctor, room):
    other = room.book_another("2027-03-01 11:00")
    measure(room.first, density(120))
    measure(other, density(90), density(40, metric="shaft_diameter"))
    assert [p["value"] for s in outcomes(api_doctor, room.world.patient) for p in s["points"]] == [120.0]
    assert {p["session"] for s in outcomes(api_doctor, other.patient) for p in s["points"]} == {other.pk}


def test_a_visit_cancelled_after_it_was_measured_no_longer_counts(api_doctor, room):
    measure(room.first, density(120))
    session_cancel(session=room.first, reason="Booked by mistake")
    assert outcomes(api_doctor, room.world.patient) == []


def test_the_day_counts_from_the_courses_anchor_the_surgery_date(api_doctor, room):
    # A post-transplant protocol anchors its course on the surgery (Mon 22 Feb 2027), its first
    # session a week later (1-14 days): session 1 on Mon 1 Mar is day 7.
    rows = session_rows(2, gap=(14, 28, 42))
    rows[0].update(gap_min_days=1, gap_target_days=7, gap_max_days=14)
    postop = ProtocolFactory(status="active", anchor="surgery_date", sessions=rows)
    patient = room.world.new_patient()
    course, _ = booking.course_book(patient=patient, protocol=postop, location=room.world.location,
                                    start=at("2027-03-01 14:00"), surgery_date=date(2027, 2, 22),
                                    pinned={1: at("2027-03-01 14:00")}, now=BOOKED_AT)
    assert course.anchor_date == date(2027, 2, 22)
    session = course.sessions.get(number=1)
    measure(session, density(80))
    [series] = outcomes(api_doctor, patient)
    assert [(p["date"], p["day"], p["course"]) for p in series["points"]] == [("2027-03-01", 7, course.pk)]


def test_the_date_is_the_clinics_local_date(api_doctor, room):
    # A session at 01:00 in Istanbul is on the previous day in UTC (22:00): its date is the clinic's.
    other = room.book_another("2027-03-01 09:00")
    from patients.models import Session

    Session.objects.filter(pk=other.pk).update(start=at("2027-03-02 01:00"), end=at("2027-03-02 01:30"))
    other.refresh_from_db()
    measure(other, density(100), now=other.start + timedelta(minutes=10))
    [series] = outcomes(api_doctor, other.patient)
    assert (series["points"][0]["date"], series["points"][0]["day"]) == ("2027-03-02", 1)


def test_reading_outcomes_is_for_doctors_and_admins_and_is_logged(api_doctor, api_admin, api_receptionist,
                                                                 api_anonymous, doctor, room):
    measure(room.first, density(120))
    assert api_admin.get(f"/api/v1/patients/{room.world.patient.pk}/outcomes/").status_code == 200
    assert outcomes(api_doctor, room.world.patient)
    refused = api_receptionist.get(f"/api/v1/patients/{room.world.patient.pk}/outcomes/")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert api_anonymous.get(f"/api/v1/patients/{room.world.patient.pk}/outcomes/").status_code == 401
    logged = PatientAccess.objects.filter(patient=room.world.patient, what="outcomes")
    assert logged.count() == 2 and logged.filter(user=doctor, via="api").count() == 1


def test_an_unknown_patient_is_404_not_found(api_doctor, api_receptionist, room):
    for pk in ("999999", "x", "٣"):
        response = api_doctor.get(f"/api/v1/patients/{pk}/outcomes/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # The desk cannot tell a known patient from an unknown one.
    assert api_receptionist.get("/api/v1/patients/999999/outcomes/").status_code == 403


def test_the_chart_takes_the_same_queries_for_many_visits(api_doctor, room, django_assert_max_num_queries):
    measure(room.first, density(120), density(60, metric="shaft_diameter"))
    measure(room.second, density(130), density(62, metric="shaft_diameter"))
    measure(third(room), density(140), density(63, metric="shaft_diameter"))
    with django_assert_max_num_queries(8):
        assert len(outcomes(api_doctor, room.world.patient)) == 2
