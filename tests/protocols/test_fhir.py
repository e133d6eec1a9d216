"""GET /api/v1/protocols/{id}/fhir/: a PlanDefinition that fhir.resources accepts, with the codes it does not check."""

import pytest
from fhir.resources.R4B.plandefinition import PlanDefinition

from protocols.fhir import PLAN_TYPE_SYSTEM, UCUM
from tests.factories import ProtocolFactory, session_rows

pytestmark = pytest.mark.django_db

PUBLICATION_STATUS = {"draft", "active", "retired", "unknown"}
ACTION_RELATIONSHIPS = {
    "before-start", "before", "before-end", "concurrent-with-start", "concurrent", "concurrent-with-end",
    "after-start", "after", "after-end",
}


def _protocol(**kwargs):
    rows = session_rows(3, gap=(42, 42, 56))
    rows.append({**rows[-1], "number": 4, "kind": "assessment", "gap_min_days": 3, "gap_target_days": 6,
                 "gap_max_days": 21, "visit_adjuncts": []})
    rows[0]["visit_adjuncts"] = ["harvest_blood"]
    return ProtocolFactory(code="EXO-AGA-3x6W", sessions=rows, home_adjuncts=["minoxidil", "finasteride"], **kwargs)


def test_the_export_is_a_valid_clinical_protocol_plan_definition(api_receptionist):
    protocol = _protocol(status="active")
    response = api_receptionist.get(f"/api/v1/protocols/{protocol.pk}/fhir/")
    assert response.status_code == 200
    data = response.json()
    resource = PlanDefinition.model_validate(data)  # structure, types and cardinalities
    assert resource.get_resource_type() == "PlanDefinition"
    coding = data["type"]["coding"][0]
    assert (coding["system"], coding["code"]) == (PLAN_TYPE_SYSTEM, "clinical-protocol")
    assert data["status"] in PUBLICATION_STATUS and data["status"] == "active"
    assert data["version"] == "1" and data["identifier"][0]["value"] == "EXO-AGA-3x6W"
    assert data["experimental"] is True
    assert data["name"][0].isupper() and data["name"].replace("_", "").isalnum()


def test_there_is_one_action_per_session_and_each_gap_is_a_related_action_in_days(api_receptionist):
    protocol = _protocol(status="active")
    data = api_receptionist.get(f"/api/v1/protocols/{protocol.pk}/fhir/").json()
    actions = data["action"]
    assert [a["id"] for a in actions] == ["session-1", "session-2", "session-3", "session-4"]
    assert "relatedAction" not in actions[0]
    ids = {a["id"] for a in actions}
    for action, session in zip(actions[1:], list(protocol.sessions.all())[1:], strict=True):
        (related,) = action["relatedAction"]
        assert related["actionId"] in ids and related["actionId"] == f"session-{session.number - 1}"
        assert related["relationship"] in ACTION_RELATIONSHIPS and related["relationship"] == "after-start"
        low, high = related["offsetRange"]["low"], related["offsetRange"]["high"]
        for quantity in (low, high):
            assert (quantity["system"], quantity["code"], quantity["unit"]) == (UCUM, "d", "d")
        assert (low["value"], high["value"]) == (session.gap_min_days, session.gap_max_days)
        assert low["value"] <= high["value"]
    assert actions[3]["code"][0]["coding"][0]["code"] == "assessment"
    assert actions[1]["relatedAction"][0]["offsetRange"] == {
        "low": {"value": 42, "unit": "d", "system": UCUM, "code": "d"},
        "high": {"value": 56, "unit": "d", "system": UCUM, "code": "d"},
    }


@pytest.mark.parametrize(("status", "fhir_status"), [("draft", "draft"), ("archived", "retired")])
def test_statuses_map_to_publication_status(api_receptionist, status, fhir_status):
    protocol = _protocol(status=status)
    assert api_receptionist.get(f"/api/v1/protocols/{protocol.pk}/fhir/").json()["status"] == fhir_status


def test_an_unknown_protocol_has_no_export(api_receptionist):
    assert api_receptionist.get("/api/v1/protocols/424242/fhir/").status_code == 404


def test_a_sessions_other_languages_travel_as_fhir_translations(api_receptionist):
    rows = session_rows(2)
    rows[0]["instructions_i18n"] = {"tr": "Saçınızı yıkayın.", "ar": "اغسلوا شعركم."}
    protocol = ProtocolFactory(status="active", sessions=rows)
    data = api_receptionist.get(f"/api/v1/protocols/{protocol.pk}/fhir/").json()
    PlanDefinition.model_validate(data)
    first, second = data["action"]
    translations = {
        {part["url"]: part for part in ext["extension"]}["lang"]["valueCode"]:
            {part["url"]: part for part in ext["extension"]}["content"]["valueString"]
        for ext in first["_description"]["extension"]
        if ext["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
    }
    assert translations == {"tr": "Saçınızı yıkayın.", "ar": "اغسلوا شعركم."}
    assert first["description"] == rows[0]["instructions"]
    assert "_description" not in second
