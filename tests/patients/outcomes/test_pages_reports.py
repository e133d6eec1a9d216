"""The reports pages: doctors and admins only, filters checked as the API checks them with the
errors by their field, the figures and the CSV files equal to the API's numbers, formula-like
text neutralised in the CSV, an empty cohort or period a clear empty state."""

import csv
import io
import json
import re
from datetime import date

import pytest

from patients.outcomes import reports
from patients.outcomes.report_views import OUTCOME_COLUMNS, TALLY_COLUMNS, UTILISATION_COLUMNS
from tests.factories import PractitionerFactory, ProtocolFactory
from tests.factories.protocols import session_rows
from tests.helpers import client_for
from tests.patients.outcomes.world import VISIT, density, measure
from tests.patients.records.world import field_block

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]


@pytest.fixture
def doc(doctor):
    return client_for(doctor)


@pytest.fixture
def cohort(room):
    """Four patients: session 1 on Mon 1 Mar 2027 (day 0), session 2 on Mon 29 Mar (day 28);
    density changes +30, +10, +20, +40 (mean 25, 95% CI 4.46 to 45.54)."""
    firsts = [room.first, *(room.book_another(f"2027-03-01 {hour}:00") for hour in (11, 12, 13))]
    for first, (baseline, follow_up) in zip(firsts, [(120, 150), (100, 110), (130, 150), (90, 130)], strict=True):
        measure(first, density(baseline))
        measure(first.course.sessions.get(number=2), density(follow_up))
    return firsts


def rows_of(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def shown(value) -> str:
    return "" if value is None else str(value)


OUTCOMES = "/outcomes/reports/outcomes/"
ADHERENCE = "/outcomes/reports/adherence/"


def test_the_front_desk_gets_403_on_every_report_page(desk, room):
    for path in (OUTCOMES, "/outcomes/reports/outcomes.csv", ADHERENCE, "/outcomes/reports/adherence.csv"):
        assert desk.get(path).status_code == 403, path


def test_doctors_and_admins_find_the_reports_in_their_navigation(doc, desk, admin_user, room):
    assert 'href="/outcomes/reports/outcomes/"' in doc.get("/").content.decode()
    assert 'href="/outcomes/reports/outcomes/"' in client_for(admin_user).get("/").content.decode()
    assert 'href="/outcomes/reports/outcomes/"' not in desk.get("/").content.decode()


def test_the_outcomes_page_shows_the_apis_figures_and_its_csv_equals_them(doc, api_doctor, room, cohort):
    query = {"protocol_code": room.world.protocol.code, "metric": "density", "day": "28"}
    page = doc.get(OUTCOMES, query)
    assert page.status_code == 200
    html = page.content.decode()
    api = api_doctor.get("/api/v1/reports/outcomes/", query).json()
    assert (api["patients"], api["mean_change"], api["ci95"], api["median_change"]) == (4, 25.0, [4.46, 45.54], 25.0)
    figures = html.split('data-testid="outcome-figures"')[1].split("</dl>")[0]
    assert ">4<" in figures and "25 hairs/cm²" in figures and "4.46 to 45.54 hairs/cm²" in figures
    # The cohort chart asks the same report at the protocol's assessment days (none here: 3 and 6 months).
    chart = json.loads(re.search(r'<script id="cohort-chart-data" type="application/json">(.*?)</script>',
                                 html, re.S).group(1))
    assert [(d["day"], d["patients"], d["mean"], d["ci95"]) for d in chart["days"]] == [
        (28, 4, 25.0, [4.46, 45.54]), (90, 0, None, None), (180, 0, None, None)]
    rows = rows_of(doc.get("/outcomes/reports/outcomes.csv", query))
    assert list(rows[0]) == list(OUTCOME_COLUMNS) and [row["day"] for row in rows] == ["28", "90", "180"]
    asked = rows[0]
    for name in ("protocol_code", "metric", "unit", "patients", "mean_change", "median_change",
                 "adverse_events_per_100_sessions", "window_days"):
        assert asked[name] == shown(api[name]), name
    assert (asked["ci95_low"], asked["ci95_high"]) == ("4.46", "45.54")


def test_a_negative_change_stays_a_number_in_the_csv(doc, room):
    second = room.first.course.sessions.get(number=2)
    measure(room.first, density(150))
    measure(second, density(120))
    rows = rows_of(doc.get("/outcomes/reports/outcomes.csv",
                           {"protocol_code": room.world.protocol.code, "metric": "density", "day": "28"}))
    assert rows[0]["mean_change"] == "-30.0" and rows[0]["patients"] == "1"


def test_without_a_query_the_page_opens_on_the_first_protocol_at_day_90(doc, room):
    html = doc.get(OUTCOMES).content.decode()
    assert f"{room.world.protocol.code}: change in density from baseline at day 90" in html


def test_an_empty_cohort_is_a_clear_empty_state(doc, room):
    response = doc.get(OUTCOMES, {"protocol_code": room.world.protocol.code, "metric": "salt_score", "day": "90"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="outcome-empty"' in html and 'data-testid="cohort-empty"' in html
    assert "cohort-chart-data" not in html


def test_a_clinic_without_protocols_says_so(doc, db):
    response = doc.get(OUTCOMES)
    assert response.status_code == 200 and 'data-testid="report-empty"' in response.content.decode()


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"metric": "density", "day": "-1"}, "day", "greater than or equal to 0"),
    ({"metric": "density", "day": "ninety"}, "day", "Enter a whole number"),
    ({"metric": "hair_colour", "day": "90"}, "metric", "Select a valid choice"),
    ({"metric": "density", "day": "99999"}, "day", "less than or equal to 3660"),
])
def test_a_bad_filter_shows_by_its_field(doc, room, query, field, message):
    response = doc.get(OUTCOMES, {"protocol_code": room.world.protocol.code, **query})
    assert response.status_code == 400
    assert message in field_block(response.content.decode(), f"id_{field}")
    assert doc.get("/outcomes/reports/outcomes.csv", {"protocol_code": room.world.protocol.code,
                                                      **query}).status_code == 400


def test_an_unknown_protocol_code_shows_by_its_field(doc, room):
    response = doc.get(OUTCOMES, {"protocol_code": "NOPE", "metric": "density", "day": "90"})
    assert response.status_code == 400 and "Select a valid choice" in field_block(response.content.decode(),
                                                                                    "id_protocol_code")


def test_the_cohort_is_asked_at_the_protocols_assessment_days(room):
    steps = session_rows(3, gap=(14, 14, 21))
    steps += [{**steps[-1], "number": 4, "kind": "assessment", "gap_target_days": 62, "gap_max_days": 70},
              {**steps[-1], "number": 5, "kind": "assessment", "gap_target_days": 90, "gap_max_days": 100}]
    protocol = ProtocolFactory(status="active", sessions=steps)
    assert reports.protocol_assessment_days(protocol.code) == [90, 180]  # 0, 14, 28, then +62, +90
    assert reports.protocol_assessment_days(room.world.protocol.code) == list(reports.DEFAULT_ASSESSMENT_DAYS)


def test_the_adherence_page_and_csv_equal_the_api(doc, api_doctor, room, cohort):
    query = {"location": str(room.world.location.pk), "from": "2027-03-01", "to": "2027-03-31"}
    api = api_doctor.get("/api/v1/reports/adherence/", query).json()
    assert api["sessions"] == 8 and api["completed"] == 0
    html = doc.get(ADHERENCE, query).content.decode()
    total = html.split('data-testid="adherence-total"')[1].split("</tr>")[0]
    assert f">{api['sessions']}<" in total
    rows = rows_of(doc.get("/outcomes/reports/adherence.csv", query))
    assert list(rows[0]) == list(TALLY_COLUMNS)
    assert rows[-1] == {"protocol_code": "ALL", **{name: shown(api[name]) for name in TALLY_COLUMNS[1:]}}
    assert rows[:-1] == [{name: shown(row[name]) for name in TALLY_COLUMNS} for row in api["by_protocol"]]
    people = rows_of(doc.get("/outcomes/reports/adherence.csv", {**query, "part": "practitioners"}))
    assert people == [{name: shown(row[name]) for name in UTILISATION_COLUMNS} for row in api["by_practitioner"]]


@pytest.mark.parametrize(("language", "separator"), [("en", ","), ("tr", ".")])
def test_the_reports_counts_are_grouped_as_the_reader_writes_them(doc, api_doctor, room, language, separator):
    query = {"location": str(room.world.location.pk), "from": "2027-03-01", "to": "2027-03-31"}
    minutes = api_doctor.get("/api/v1/reports/adherence/", query).json()["by_practitioner"][0]["open_minutes"]
    assert minutes >= 1000  # a month of opening hours: a figure with a thousands separator
    html = doc.get(ADHERENCE, query, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = html.split('data-testid="utilisation-table"')[1].split("</table>")[0]
    assert f">{minutes:,}<".replace(",", separator) in table
    assert f">{minutes}<" not in table


def test_formula_like_text_is_neutralised_in_the_csv(doc, room):
    PractitionerFactory(location=room.world.location, name='=HYPERLINK("http://evil.test","x")')
    people = rows_of(doc.get("/outcomes/reports/adherence.csv", {"from": "2027-03-01", "to": "2027-03-05",
                                                                 "part": "practitioners"}))
    assert "'=HYPERLINK(\"http://evil.test\",\"x\")" in [row["name"] for row in people]


def test_without_a_query_adherence_covers_the_last_30_days(doc, room):
    html = doc.get(ADHERENCE).content.decode()
    assert "Sessions from 31 Jan 2027 to 1 Mar 2027" in html


def test_an_empty_period_is_a_clear_empty_state(doc, room):
    response = doc.get(ADHERENCE, {"from": "2027-06-07", "to": "2027-06-07"})
    assert response.status_code == 200 and 'data-testid="adherence-empty"' in response.content.decode()


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"from": "2027-03-05", "to": "2027-03-01"}, "to", "The period ends before it starts."),
    ({"from": "2027-03-01", "to": "2030-03-01"}, "to", "A report covers at most 731 days."),
    ({"from": "1 March", "to": "2027-03-01"}, "from", "Enter a valid date."),
    ({"from": "", "to": "2027-03-01"}, "from", "This field is required."),
    ({"from": "2027-03-01", "to": "2027-03-02", "location": "999999"}, "location", "Select a valid choice"),
])
def test_a_bad_period_shows_by_its_field(doc, room, query, field, message):
    response = doc.get(ADHERENCE, query)
    assert response.status_code == 400
    assert message in field_block(response.content.decode(), f"id_{field}")
    assert doc.get("/outcomes/reports/adherence.csv", query).status_code == 400


def test_the_period_defaults_are_the_clinics_last_30_days():
    from patients.outcomes.forms import AdherenceReportForm

    assert AdherenceReportForm.defaults(date(2027, 3, 1)) == {"from": "2027-01-31", "to": "2027-03-01"}
