"""The schema says what the server does (issue 17), checked rule by rule without the fuzzer:
error answers documented everywhere, strict query parameters, exact content types."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.factories import LocationFactory, ProtocolFactory, RoomFactory

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [(path, method, operation) for path, item in SCHEMA["paths"].items()
              for method, operation in item.items() if method in ("get", "post", "put", "patch", "delete")]


def _ref(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
def test_every_operation_documents_its_error_answers_in_the_contracts_body(path, method, operation):
    responses = operation["responses"]
    assert _ref(responses["400"]) == "ValidationErrorBody"
    if operation.get("security") != [{}]:  # all but the anonymous ones ("email me a new link")
        assert _ref(responses["401"]) == "AuthenticationErrorBody" and _ref(responses["403"]) == "ForbiddenErrorBody"
    if "{" in path:
        assert _ref(responses["404"]) == "NotFoundErrorBody"
    if method != "get":
        assert _ref(responses["409"]) == "ConflictErrorBody" and _ref(responses["422"]) == "UnprocessableErrorBody"
    else:
        assert "409" not in responses and "422" not in responses


def test_the_error_bodies_carry_the_contracts_codes():
    components = SCHEMA["components"]["schemas"]

    def codes(name: str) -> list[str]:
        code = components[name]["properties"]["code"]
        code = code["allOf"][0] if "allOf" in code else code  # drf-spectacular's named enum
        return components[code["$ref"].rsplit("/", 1)[1]]["enum"] if "$ref" in code else code.get("enum")

    assert codes("ValidationErrorBody") == ["invalid"]
    assert codes("NotFoundErrorBody") == ["not_found"] and codes("ForbiddenErrorBody") == ["forbidden"]
    assert components["ValidationErrorBody"]["required"] == ["code", "detail"]


def test_json_operations_document_json_bodies_only_and_the_import_its_file():
    for path, method, operation in OPERATIONS:
        content = operation.get("requestBody", {}).get("content", {})
        if path == "/api/v1/patients/import/":
            assert content["multipart/form-data"]["schema"]["required"] == ["file"]
        elif path == "/api/v1/sessions/{id}/photos/" and content:
            upload = SCHEMA["components"]["schemas"]["PhotoUploadRequest"]
            assert list(content) == ["multipart/form-data"] and set(upload["required"]) == {"view", "image"}
        elif content:
            assert list(content) == ["application/json"], f"{method} {path}"


def test_required_text_may_not_be_blank_in_the_schema():
    patient = SCHEMA["components"]["schemas"]["PatientRequest"]
    assert {"first_name", "last_name"} <= set(patient["required"])
    assert patient["properties"]["first_name"]["minLength"] == 1


def test_filters_and_pages_are_typed_in_the_schema():
    parameters = {p["name"]: p for p in SCHEMA["paths"]["/api/v1/rooms/"]["get"]["parameters"]}
    assert parameters["active"]["schema"]["type"] == "boolean"
    assert parameters["location"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert parameters["page_size"]["schema"]["maximum"] == 500 and parameters["page"]["schema"]["minimum"] == 1


@pytest.mark.parametrize("query", ["active=null", "active=yes", "location=abc", "location=0", "page_size=abc",
                                   "page_size=0", "page_size=501", "page_size=1.5"])
def test_a_query_parameter_of_the_wrong_type_is_a_400_by_its_name(api_admin, query):
    response = api_admin.get(f"/api/v1/rooms/?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and query.split("=")[0] in body["errors"]


def test_strict_filters_still_filter(api_admin):
    room = RoomFactory(active=True)
    RoomFactory(active=False, location=room.location)
    other = LocationFactory()

    def ids(query: str) -> list[int]:
        response = api_admin.get(f"/api/v1/rooms/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("active=true") == [room.pk] == ids("active=1&page_size=")
    assert ids(f"location={other.pk}") == [] == ids("location=987654321")  # no such location: nothing
    assert len(ids("active=")) == 2  # empty means absent, as the schema's allowEmptyValue says


def test_a_boolean_filter_declared_on_a_filterset_is_strict_too(api_doctor):
    assert api_doctor.get("/api/v1/lots/?running_low=null").status_code == 400
    assert api_doctor.get("/api/v1/lots/?running_low=false").status_code == 200


def test_the_import_refuses_a_dry_run_that_is_not_true_or_false(api_admin):
    response = api_admin.post("/api/v1/patients/import/?dry_run=maybe", {}, format="multipart")
    assert response.status_code == 400 and "dry_run" in response.json()["errors"]


def test_a_protocols_fhir_is_fhir_json_and_its_404_plain_json(api_doctor):
    protocol = ProtocolFactory(status="active")
    response = api_doctor.get(f"/api/v1/protocols/{protocol.pk}/fhir/")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    missing = api_doctor.get("/api/v1/protocols/987654321/fhir/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json()["code"] == "not_found"


@pytest.mark.parametrize("days", ["1.5", "-1", "3661", "soon"])
def test_a_numeric_filter_outside_its_documented_range_is_a_400(api_doctor, days):
    response = api_doctor.get(f"/api/v1/lots/?expiring_within_days={days}")
    assert response.status_code == 400 and "expiring_within_days" in response.json()["errors"]
    parameters = {p["name"]: p for p in SCHEMA["paths"]["/api/v1/lots/"]["get"]["parameters"]}
    assert parameters["expiring_within_days"]["schema"] | {"type": "integer"} == {
        "type": "integer", "minimum": 0, "maximum": 3660}
