"""GET /api/v1/reports/outcomes/: the change from baseline of a protocol's patients at a day,
with its t interval and the protocol's adverse events per 100 sessions; bad query parameters are
400 invalid by the parameter; an empty cohort is an answer, never an error."""

from datetime import date

import pytest

from patients.booking import services as booking
from patients.booking.status import session_cancel, session_set_status
from patients.models import AdverseEvent, Session
from protocols.models import Protocol
from tests.factories import ProtocolFactory
from tests.factories.protocols import session_rows
from tests.patients.outcomes.world import VISIT, at, density, measure, third
from tests.patients.records.world import BOOKED_AT

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]


def report(client, protocol_code: str, metric: str = "density", day="28", **extra):
    query = {"protocol_code": protocol_code, "metric": metric, "day": day, **extra}
    return client.get("/api/v1/reports/outcomes/", query)


@pytest.fixture
def cohort(room):
    """Four patients of the protocol, each with session 1 on Mon 1 Mar (day 0) and session 2 on
    Mon 29 Mar (day 28)."""
    firsts = [room.first, *(room.book_another(f"2027-03-01 {hour}:00") for hour in (11, 12, 13))]
    seconds = [session.course.sessions.get(number=2) for session in firsts]
    assert {s.start.date() for s in seconds} == {date(2027, 3, 29)}
    return firsts, seconds


def measured(cohort, pairs):
    firsts, seconds = cohort
    for first, second, (baseline, follow_up) in zip(firsts, seconds, pairs, strict=False):
        measure(first, density(baseline))
        measure(second, density(follow_up))


def test_four_patients_mean_median_and_95_percent_interval(api_doctor, room, cohort):
    # Changes +30, +10, +20, +40: mean 25, median 25; s = √(500/3) = 12.9099, s/√4 = 6.45497,
    # t(0.975; 3) = 3.18245, half-width 20.5426: [4.46, 45.54].
    measured(cohort, [(120, 150), (100, 110), (130, 150), (90, 130)])
    response = report(api_doctor, room.world.protocol.code)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {k: body[k] for k in ("protocol_code", "metric", "day", "patients", "mean_change", "ci95",
                                 "median_change")} == {
        "protocol_code": room.world.protocol.code, "metric": "density", "day": 28, "patients": 4,
        "mean_change": 25.0, "ci95": [4.46, 45.54], "median_change": 25.0}
    assert body["unit"] == "hairs/cm²" and body["window_days"] == 30


def test_under_three_patients_there_is_no_interval(api_doctor, room, cohort):
    # Changes +30 and +10: mean 20, median 20, ci95 null.
    measured(cohort, [(120, 150), (100, 110)])
    body = report(api_doctor, room.world.protocol.code).json()
    assert (body["patients"], body["mean_change"], body["median_change"], body["ci95"]) == (2, 20.0, 20.0, None)


def test_an_empty_cohort_is_a_clear_answer(api_doctor, room):
    body = report(api_doctor, room.world.protocol.code).json()
    assert (body["patients"], body["mean_change"], body["median_change"], body["ci95"],
            body["adverse_events_per_100_sessions"]) == (0, None, None, None, None)


def test_a_value_counts_within_30_days_of_the_day_asked(api_doctor, room, cohort):
    # The follow-up is on day 28: day 58 is 30 days from it, day 59 is 31.
    measured(cohort, [(120, 150)])
    assert report(api_doctor, room.world.protocol.code, day="58").json()["patients"] == 1
    assert report(api_doctor, room.world.protocol.code, day="59").json()["patients"] == 0


def test_a_baseline_alone_is_no_change(api_doctor, room, cohort):
    # Patient 1: 120 then 150; patient 2: a baseline only. At day 0 (within 30 days of day 28) the
    # first counts; the second has no later value, whatever the day.
    firsts, seconds = cohort
    measure(firsts[0], density(120))
    measure(seconds[0], density(150))
    measure(firsts[1], density(100))
    for day in ("0", "28"):
        assert report(api_doctor, room.world.protocol.code, day=day).json()["patients"] == 1


def test_the_value_nearest_the_day_is_taken(api_doctor, room):
    # 120 at day 0, 150 at day 28, 170 at day 56: at day 50 the nearest is day 56 (+50), at day 35
    # it is day 28 (+30); day 42 is 14 days from both, and the earlier one counts (+30).
    measure(room.first, density(120))
    measure(room.second, density(150))
    measure(third(room), density(170))
    assert report(api_doctor, room.world.protocol.code, day="50").json()["mean_change"] == 50.0
    assert report(api_doctor, room.world.protocol.code, day="35").json()["mean_change"] == 30.0
    assert report(api_doctor, room.world.protocol.code, day="42").json()["mean_change"] == 30.0


def test_a_patient_measured_at_two_sites_counts_once_with_their_mean_change(api_doctor, room, cohort):
    # Vertex +10, frontal +20: one patient, change 15; by site, 10 or 20.
    measure(room.first, density(100), density(80, site="frontal"))
    measure(room.second, density(110), density(100, site="frontal"))
    body = report(api_doctor, room.world.protocol.code).json()
    assert (body["patients"], body["mean_change"]) == (1, 15.0)
    assert report(api_doctor, room.world.protocol.code, site="frontal").json()["mean_change"] == 20.0
    assert report(api_doctor, room.world.protocol.code, method="phototrichogram").json()["patients"] == 0


def test_every_version_of_the_code_counts_and_other_protocols_do_not(api_doctor, room, cohort):
    measured(cohort, [(120, 150)])
    code = room.world.protocol.code
    # Version 2 of the same code (version 1 archived when it was revised), and another protocol.
    Protocol.objects.filter(pk=room.world.protocol.pk).update(status="archived")
    second_version = ProtocolFactory(code=code, version=2, status="active", sessions=session_rows(3))
    other = ProtocolFactory(status="active", sessions=session_rows(3))
    for protocol, start, change in ((second_version, "2027-03-02 10:00", 20), (other, "2027-03-02 11:00", 99)):
        patient = room.world.new_patient()
        course, _ = booking.course_book(patient=patient, protocol=protocol, location=room.world.location,
                                        start=at(start), pinned={1: at(start)}, now=BOOKED_AT)
        measure(course.sessions.get(number=1), density(100))
        measure(course.sessions.get(number=2), density(100 + change))
    # +30 (version 1) and +20 (version 2).
    body = report(api_doctor, code).json()
    assert (body["patients"], body["mean_change"]) == (2, 25.0)
    assert report(api_doctor, other.code).json()["mean_change"] == 99.0


def test_a_visit_cancelled_after_it_was_measured_does_not_count(api_doctor, room, cohort):
    measured(cohort, [(120, 150)])
    session_cancel(session=cohort[1][0], reason="Measured the wrong patient's visit")
    assert report(api_doctor, room.world.protocol.code).json()["patients"] == 0


def test_adverse_events_per_100_completed_sessions_of_the_protocol(api_doctor, doctor, room, cohort):
    # The four sessions of 1 March completed; one event filed against one of them, one without a
    # session (not the protocol's to count): 1 / 4 × 100 = 25.
    firsts, _ = cohort
    for session in firsts:
        session_set_status(session=session, status="arrived")
        session_set_status(session=session, status="completed")
    for session in (firsts[0], None):
        AdverseEvent.objects.create(patient=firsts[0].patient, session=session, onset=date(2027, 3, 1),
                                    kind="redness", severity="mild", filed_by=doctor, filed_at=VISIT)
    assert report(api_doctor, room.world.protocol.code).json()["adverse_events_per_100_sessions"] == 25.0
    assert Session.objects.filter(status="completed").count() == 4


CODE = "the world's protocol code"


@pytest.mark.parametrize("query, param", [
    ({"metric": "density", "day": "28"}, "protocol_code"),
    ({"protocol_code": "NO-SUCH-CODE", "metric": "density", "day": "28"}, "protocol_code"),
    ({"protocol_code": "X" * 41, "metric": "density", "day": "28"}, "protocol_code"),
    ({"protocol_code": CODE, "metric": "hair_density", "day": "28"}, "metric"),
    ({"protocol_code": CODE, "day": "28"}, "metric"),
    ({"protocol_code": CODE, "metric": "density"}, "day"),
    ({"protocol_code": CODE, "metric": "density", "day": "x"}, "day"),
    ({"protocol_code": CODE, "metric": "density", "day": "-1"}, "day"),
    ({"protocol_code": CODE, "metric": "density", "day": "99999"}, "day"),
    ({"protocol_code": CODE, "metric": "density", "day": "2.5"}, "day"),
    ({"protocol_code": CODE, "metric": "density", "day": "28", "site": "crown"}, "site"),
    ({"protocol_code": CODE, "metric": "density", "day": "28", "method": "ruler"}, "method"),
    ({"protocol_code": CODE, "metric": "density\x00", "day": "28"}, "metric"),
])
def test_a_bad_query_parameter_is_400_invalid_by_the_parameter(api_doctor, room, query, param):
    query = {name: room.world.protocol.code if value == CODE else value for name, value in query.items()}
    response = api_doctor.get("/api/v1/reports/outcomes/", query)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid" and param in response.json()["errors"]


def test_reports_are_for_doctors_and_admins(api_doctor, api_admin, api_receptionist, api_anonymous, room):
    code = room.world.protocol.code
    assert report(api_admin, code).status_code == 200 and report(api_doctor, code).status_code == 200
    refused = report(api_receptionist, code)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert report(api_anonymous, code).status_code == 401
    # A report is read-only.
    assert api_doctor.post("/api/v1/reports/outcomes/", {}).status_code == 403
    assert api_admin.post("/api/v1/reports/outcomes/", {}).status_code == 405
