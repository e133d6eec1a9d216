"""Measuring a visit from the session panel: the metric-by-site grid for doctors and admins only,
each refusal of the service next to its cell with nothing stored, the "measurements due" prompt
on the panel, the patient page and the day's list, and the patient's chart fed by the API's series."""

import json
import re
from datetime import timedelta

import pytest
import time_machine

from patients.models import Measurement, Session
from tests.helpers import client_for
from tests.patients.outcomes.world import VISIT, density, measure
from tests.patients.records.world import field_block

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]


@pytest.fixture(autouse=True)
def at_the_visit():
    with time_machine.travel(VISIT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doc(doctor):
    return client_for(doctor)


def url(session) -> str:
    return f"/outcomes/sessions/{session.pk}/measurements/"


def cell(metric: str, site: str | None = None) -> str:
    return f"v-{metric}-{site or 'scalp'}"


def post(client, session, cells: dict, method: str = "trichoscopy", **headers):
    body = {"method": method, "next": f"/booking/sessions/{session.pk}/", **cells}
    return client.post(url(session), body, **headers)


def cell_error(page: str, session, name: str) -> str:
    """The error shown under one cell of the grid ("" when none)."""
    found = re.search(rf'id="id_m{session.pk}_{re.escape(name)}_error"[^>]*>([^<]*)<', page)
    return found.group(1) if found else ""


def test_the_panel_shows_a_doctor_the_grid_and_that_the_baseline_is_due(doc, room):
    page = doc.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert 'data-testid="session-measurements"' in page and 'data-testid="measurements-due"' in page
    assert "this first session is the course's baseline" in page
    # Rows are metrics, columns the whole scalp and the six sites; a whole-scalp score has one cell.
    assert f'name="{cell("density", "vertex")}"' in page and f'name="{cell("density")}"' in page
    assert f'name="{cell("salt_score")}"' in page and f'name="{cell("salt_score", "vertex")}"' not in page


def test_a_doctor_stores_the_grid_with_the_forms_method(doc, doctor, room):
    response = post(doc, room.first, {cell("density", "vertex"): "146.6", cell("density", "frontal"): "121,7",
                                      cell("shaft_diameter", "vertex"): "61.4", cell("satisfaction"): "8",
                                      cell("density", "occipital"): ""}, method="phototrichogram")
    assert response.status_code == 302 and response["Location"] == f"/booking/sessions/{room.first.pk}/"
    stored = {(m.metric, m.site, m.method, float(m.value), m.recorded_by_id) for m in Measurement.objects.all()}
    assert stored == {("density", "vertex", "phototrichogram", 146.6, doctor.pk),
                      ("density", "frontal", "phototrichogram", 121.7, doctor.pk),
                      ("shaft_diameter", "vertex", "phototrichogram", 61.4, doctor.pk),
                      ("satisfaction", None, "patient_reported", 8.0, doctor.pk)}
    page = doc.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert 'data-testid="measurements-due"' not in page and 'data-testid="measured"' in page


def test_a_value_out_of_range_shows_by_its_cell_and_nothing_is_stored(doc, room):
    response = post(doc, room.first, {cell("density", "vertex"): "700", cell("density", "frontal"): "120",
                                      cell("hair_pull_count"): "2.5", cell("anagen_percent", "vertex"): "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    assert cell_error(page, room.first, cell("density", "vertex")) == (
        "700 is outside the range of density: 0–600 hairs/cm².")
    assert cell_error(page, room.first, cell("hair_pull_count")) == "A hair-pull count is a whole number."
    assert cell_error(page, room.first, cell("anagen_percent", "vertex")) == "A value is a number."
    assert cell_error(page, room.first, cell("density", "frontal")) == ""
    assert 'value="120"' in page  # what was typed stays in the grid
    assert not Measurement.objects.exists()


def test_an_unknown_metric_or_site_is_refused_above_the_grid_and_nothing_is_stored(doc, room):
    response = post(doc, room.first, {"v-hair_colour-vertex": "3", cell("density", "moon"): "100",
                                      cell("salt_score", "vertex"): "20", cell("density", "vertex"): "120"})
    assert response.status_code == 400
    refused = response.content.decode().split('data-testid="measurements-refused"')[1].split("</div>")[0]
    assert "“hair_colour” is not a metric" in refused and "“moon” is not a scalp site" in refused
    assert "one score for the whole scalp" in refused
    assert not Measurement.objects.exists()


def test_an_unknown_method_is_refused_by_the_method_field(doc, room):
    response = post(doc, room.first, {cell("density", "vertex"): "120"}, method="guesswork")
    assert response.status_code == 400
    assert "Select a valid choice" in field_block(response.content.decode(), f"id_m{room.first.pk}_method")
    assert not Measurement.objects.exists()


def test_an_empty_grid_says_so(doc, room):
    response = post(doc, room.first, {})
    assert response.status_code == 400 and "Send at least one measurement." in response.content.decode()


def test_a_session_whose_day_has_not_come_waits_and_refuses(doc, room):
    page = doc.get(f"/booking/sessions/{room.second.pk}/").content.decode()
    assert 'data-testid="measurements-wait"' in page and f'name="{cell("density", "vertex")}"' not in page
    response = post(doc, room.second, {cell("density", "vertex"): "120"})
    assert response.status_code == 409 and "measured" in response.content.decode()
    assert not Measurement.objects.exists()


def test_htmx_gets_the_section_back_with_its_errors_and_a_redirect_when_stored(doc, room):
    refused = post(doc, room.first, {cell("density", "vertex"): "700"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and refused.content.decode().lstrip().startswith("<link")
    assert "outside the range" in refused.content.decode() and "<html" not in refused.content.decode()
    stored = post(doc, room.first, {cell("density", "vertex"): "120"}, HTTP_HX_REQUEST="true")
    assert stored.status_code == 200 and stored["HX-Redirect"] == f"/booking/sessions/{room.first.pk}/"


def test_typing_a_value_again_replaces_it(doc, room):
    post(doc, room.first, {cell("density", "vertex"): "120"})
    post(doc, room.first, {cell("density", "vertex"): "125"})
    assert [(float(m.value), m.revision) for m in Measurement.objects.all()] == [(125.0, 2)]


def test_the_front_desk_gets_403_and_sees_no_measurements(desk, room):
    assert desk.get(url(room.first)).status_code == 403
    assert post(desk, room.first, {cell("density", "vertex"): "120"}).status_code == 403
    assert not Measurement.objects.exists()
    page = desk.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert 'data-testid="session-measurements"' not in page
    assert 'data-testid="patient-outcomes"' not in desk.get(f"/patients/{room.first.patient_id}/").content.decode()
    assert desk.get(url(Session(pk=999999))).status_code == 403  # an unknown id gets the same answer


def test_an_admin_measures_too(admin_user, room):
    assert post(client_for(admin_user), room.first, {cell("density", "vertex"): "120"}).status_code == 302


def test_an_assessment_prompts_on_its_day_and_the_patient_page_lists_what_is_due(doc, doctor, room):
    assessment = room.first.course.sessions.get(number=3)
    Session.objects.filter(pk=assessment.pk).update(kind="assessment")
    patient_page = doc.get(f"/patients/{room.first.patient_id}/").content.decode()
    due = patient_page.split('data-testid="measurements-due"')[1].split("</div>")[0]
    assert "Session 1 of" in due and "Session 3" not in due  # session 3's day has not come
    measure(room.first, density(120))
    with time_machine.travel(assessment.start + timedelta(minutes=5), tick=False):
        doc = client_for(doctor)  # a login of that day
        page = doc.get(f"/booking/sessions/{assessment.pk}/").content.decode()
        assert "this is an assessment the protocol plans" in page
        due = doc.get(f"/patients/{room.first.patient_id}/").content.decode().split(
            'data-testid="measurements-due"')[1].split("</div>")[0]
        assert "Session 3 of" in due and "Session 1 of" not in due
        # Session 2 is a treatment visit: nothing is due there.
        assert 'data-testid="measurements-due"' not in doc.get(f"/booking/sessions/{room.second.pk}/").content.decode()


def test_the_day_at_the_desk_tells_doctors_whose_measurements_are_due(doc, desk, room):
    page = doc.get("/booking/today/").content.decode()
    assert 'data-testid="today-measurements-due"' in page
    assert f"{room.first.patient.first_name} {room.first.patient.last_name}</a> (10:00, baseline)" in page
    assert 'data-testid="today-measurements-due"' not in desk.get("/booking/today/").content.decode()
    measure(room.first, density(120))
    assert 'data-testid="today-measurements-due"' not in doc.get("/booking/today/").content.decode()


def test_the_patients_chart_is_fed_the_apis_series(doctor, api_doctor, room):
    measure(room.first, density(120), density(60, metric="shaft_diameter"))
    with time_machine.travel(room.second.start + timedelta(minutes=20), tick=False):
        measure(room.second, density(150))
        page = client_for(doctor).get(f"/patients/{room.first.patient_id}/").content.decode()
        api = api_doctor.get(f"/api/v1/patients/{room.first.patient_id}/outcomes/").json()
    data = json.loads(re.search(r'<script id="outcomes-chart-data" type="application/json">(.*?)</script>',
                                page, re.S).group(1))
    assert data["series"] == api["series"]
    assert [(s["number"], s["day"]) for s in data["sessions"]] == [(1, 0), (2, 28), (3, 56)]
    assert 'data-outcome-chart="density"' in page and 'data-outcome-chart="shaft_diameter"' in page
    assert "120 → 150 (+30, +25 %)" in page  # the table beside the chart
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_a_patient_without_measurements_has_an_empty_chart_card(doc, room):
    page = doc.get(f"/patients/{room.first.patient_id}/").content.decode()
    assert 'data-testid="outcomes-empty"' in page and "chart.umd.min.js" not in page


def test_a_visit_more_than_30_days_old_no_longer_prompts(doctor, room):
    with time_machine.travel(room.first.start + timedelta(days=29), tick=False):
        assert 'data-testid="measurements-due"' in client_for(doctor).get(
            f"/patients/{room.first.patient_id}/").content.decode()
    with time_machine.travel(room.first.start + timedelta(days=31), tick=False):
        assert 'data-testid="measurements-due"' not in client_for(doctor).get(
            f"/patients/{room.first.patient_id}/").content.decode()


def test_the_measurement_page_of_its_own_is_in_the_access_log(doc, doctor, room):
    from patients.models import PatientAccess

    response = doc.get(url(room.first))
    assert response.status_code == 200 and f'name="{cell("density", "vertex")}"' in response.content.decode()
    assert PatientAccess.objects.filter(patient=room.first.patient, user=doctor, what="outcomes").count() == 1


def test_the_page_of_its_own_posts_with_its_csrf_token(doctor, room):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(doctor)
    page = client.get(url(room.first)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(url(room.first), {"csrfmiddlewaretoken": token, "method": "trichoscopy",
                                             cell("density", "vertex"): "120"})
    assert response.status_code == 302 and Measurement.objects.count() == 1
