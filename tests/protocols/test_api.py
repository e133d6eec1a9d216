"""/api/v1/protocols/ as the contract says: fields, validation errors, status actions, roles."""

import pytest
from django.apps import apps

from protocols.models import Protocol, ProtocolSession
from tests.factories import ProtocolFactory, session_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/protocols/"


def body(**overrides):
    data = {
        "code": "EXO-API", "name": "API course", "indication": "aga", "source_category": "autologous",
        "source_detail": "Own blood", "route": "injection", "anchor": "course_start",
        "sessions": session_rows(3, visit_adjuncts=["harvest_blood", "prp"]),
        "home_adjuncts": [{"kind": "finasteride", "instructions": "One tablet a day."}],
        "notes": "Investigational.",
    }
    data.update(overrides)
    return data


def test_a_doctor_creates_a_draft_and_reads_it_back(api_doctor):
    response = api_doctor.post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["code"], data["version"], data["status"]) == ("EXO-API", 1, "draft")
    assert [s["number"] for s in data["sessions"]] == [1, 2, 3]
    assert data["sessions"][1] == {
        "number": 2, "gap_min_days": 21, "gap_target_days": 28, "gap_max_days": 35, "duration_minutes": 30,
        "kind": "treatment", "visit_adjuncts": ["harvest_blood", "prp"],
        "instructions": "Come with clean, dry hair (visit 2).", "instructions_i18n": {},
    }
    assert data["home_adjuncts"] == [{"kind": "finasteride", "instructions": "One tablet a day.",
                                      "instructions_i18n": {}}]
    assert data["uses_prp"] and data["uses_finasteride"] and data["men_only"]
    assert data["total_days"] == 56
    assert data["screening_conditions"] == ["platelet_disorder", "strong_anticoagulant", "may_become_pregnant"]
    assert api_doctor.get(f"{URL}{data['id']}/").json() == data


def test_a_receptionist_reads_but_cannot_write(api_receptionist):
    protocol = ProtocolFactory(status="active")
    assert api_receptionist.get(URL).status_code == 200
    assert api_receptionist.get(f"{URL}{protocol.pk}/fhir/").status_code == 200
    response = api_receptionist.post(URL, body(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    for verb in ("activate", "revise", "archive"):
        assert api_receptionist.post(f"{URL}{protocol.pk}/{verb}/").status_code == 403
    assert api_receptionist.patch(f"{URL}{protocol.pk}/", {"name": "x"}, format="json").status_code == 403
    assert not Protocol.objects.filter(code="EXO-API").exists()


def test_an_admin_writes_like_a_doctor(api_admin):
    assert api_admin.post(URL, body(), format="json").status_code == 201


def test_anonymous_callers_get_401(api_anonymous):
    assert api_anonymous.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"sessions": []}, ["sessions"]),
        ({"sessions": session_rows(53)}, ["sessions"]),
        ({"sessions": session_rows(2, gap=(30, 28, 35))}, ["sessions", 1, "gap_min_days"]),
        ({"sessions": session_rows(2, gap=(21, 40, 35))}, ["sessions", 1, "gap_max_days"]),
        ({"sessions": session_rows(2, duration_minutes=-5)}, ["sessions", 0, "duration_minutes"]),
        ({"sessions": session_rows(2, duration_minutes=100_000)}, ["sessions", 0, "duration_minutes"]),
        ({"sessions": session_rows(2, gap=(1, 2, 10**12))}, ["sessions", 1, "gap_max_days"]),
        ({"sessions": session_rows(2, visit_adjuncts=["laser"])}, ["sessions", 0, "visit_adjuncts"]),
        ({"source_category": "plant", "route": "topical"}, ["sessions", 0, "visit_adjuncts"]),
        ({"home_adjuncts": [{"kind": "biotin"}]}, ["home_adjuncts", 0, "kind"]),
        ({"indication": "baldness"}, ["indication"]),
        ({"code": "no spaces allowed"}, ["code"]),
        ({"sessions": "three"}, ["sessions"]),
        ({"name": "x" * 500}, ["name"]),
    ],
)
def test_bad_input_gets_400_invalid_by_the_field_and_writes_nothing(api_doctor, change, where):
    response = api_doctor.post(URL, body(**change), format="json")
    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["code"] == "invalid" and data["detail"]
    errors = data["errors"]
    for key in where:
        errors = errors[str(key) if isinstance(errors, dict) and isinstance(key, int) else key]
    assert errors, data
    assert not Protocol.objects.exists() and not ProtocolSession.objects.exists()


def test_malformed_json_is_400_not_500(api_doctor):
    response = api_doctor.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_duplicate_code_is_refused_on_the_code_field(api_doctor):
    ProtocolFactory(code="EXO-API", status="active")
    response = api_doctor.post(URL, body(), format="json")
    assert response.status_code == 400 and "code" in response.json()["errors"]


def test_a_draft_is_edited_with_put_and_patch(api_doctor):
    created = api_doctor.post(URL, body(), format="json").json()
    response = api_doctor.patch(f"{URL}{created['id']}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert len(response.json()["sessions"]) == 3
    response = api_doctor.put(f"{URL}{created['id']}/", body(sessions=session_rows(5), home_adjuncts=[]), format="json")
    assert response.status_code == 200, response.json()
    assert len(response.json()["sessions"]) == 5 and response.json()["men_only"] is False


@pytest.mark.parametrize("status", ["active", "archived"])
def test_editing_a_version_that_is_not_a_draft_is_409_and_changes_nothing(api_doctor, status):
    protocol = ProtocolFactory(status=status)
    response = api_doctor.patch(f"{URL}{protocol.pk}/", {"name": "Changed", "sessions": []}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "protocol_not_editable"
    assert api_doctor.delete(f"{URL}{protocol.pk}/").status_code == 409
    assert Protocol.objects.get(pk=protocol.pk).name == protocol.name


def test_activate_revise_and_archive_follow_the_contract(api_doctor):
    v1 = api_doctor.post(URL, body(), format="json").json()
    response = api_doctor.post(f"{URL}{v1['id']}/activate/")
    assert response.status_code == 200 and response.json()["status"] == "active"
    response = api_doctor.post(f"{URL}{v1['id']}/revise/")
    assert response.status_code == 201
    v2 = response.json()
    assert (v2["code"], v2["version"], v2["status"]) == ("EXO-API", 2, "draft")
    assert v2["sessions"] == v1["sessions"]
    assert api_doctor.post(f"{URL}{v1['id']}/revise/").json()["code"] == "draft_exists"
    assert api_doctor.post(f"{URL}{v2['id']}/activate/").status_code == 200
    assert api_doctor.get(f"{URL}{v1['id']}/").json()["status"] == "archived"
    response = api_doctor.post(f"{URL}{v2['id']}/archive/")
    assert response.status_code == 200 and response.json()["status"] == "archived"
    response = api_doctor.post(f"{URL}{v2['id']}/archive/")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_activating_an_empty_draft_is_400_invalid(api_doctor):
    protocol = ProtocolFactory(sessions=0)
    response = api_doctor.post(f"{URL}{protocol.pk}/activate/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["errors"]["sessions"]
    assert Protocol.objects.get(pk=protocol.pk).status == "draft"


def test_unknown_and_non_numeric_ids_are_404(api_doctor):
    for path in (f"{URL}999999/", f"{URL}abc/", f"{URL}99999999999999999999999/", f"{URL}999999/activate/"):
        response = api_doctor.get(path) if "activate" not in path else api_doctor.post(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_list_filters_and_searches(api_receptionist):
    ProtocolFactory(code="ROSE", name="Rose topical", source_category="plant", route="topical", status="active")
    ProtocolFactory(code="PRP", name="PRP", indication="telogen_effluvium", status="active")
    ProtocolFactory(code="OLD", status="archived")
    codes = lambda query: sorted(p["code"] for p in api_receptionist.get(URL + query).json()["results"])  # noqa: E731
    assert codes("") == ["OLD", "PRP", "ROSE"]
    assert codes("?route=topical") == ["ROSE"]
    assert codes("?source_category=plant") == ["ROSE"]
    assert codes("?indication=telogen_effluvium") == ["PRP"]
    assert codes("?status=archived") == ["OLD"]
    assert codes("?q=rose") == ["ROSE"]
    assert api_receptionist.get(URL + "?status=nonsense").status_code == 400


def test_the_list_does_not_query_per_protocol(api_receptionist, django_assert_max_num_queries):
    for _ in range(5):
        ProtocolFactory(status="active", home_adjuncts=["minoxidil"])
    with django_assert_max_num_queries(10):
        assert api_receptionist.get(URL).json()["count"] == 5


def test_api_changes_are_audited_with_their_author(api_doctor, doctor):
    created = api_doctor.post(URL, body(), format="json").json()
    api_doctor.post(f"{URL}{created['id']}/activate/")
    events = apps.get_model("protocols", "ProtocolEvent").objects.filter(pgh_obj_id=created["id"]).order_by("pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert {e.pgh_context.metadata["user"] for e in events} == {doctor.pk}
    assert events[1].pgh_context.metadata["url"].endswith("/activate/")
