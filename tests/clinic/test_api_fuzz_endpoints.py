"""Every endpoint and method of the API, read from its own OpenAPI schema, gets hostile values:
NUL in every text field and query parameter, year 9999 and year 1 in every date and datetime,
huge integers and wrong types. None may give a 500; a refused value gets the contract's body
(`{"code", "detail"}`, and for a 400 `"code": "invalid"` with the field errors under "errors").

An endpoint added later is fuzzed without touching this file: the schema lists it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator

from patients.booking import services as booking
from patients.consent import services as consent
from tests.factories import ClosureFactory, PatientFactory, ProtocolFactory, ScreeningFactory
from tests.patients.booking.world import at, build_world
from tests.patients.records.world import treatment_room

pytestmark = pytest.mark.django_db

TODAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)

HUGE_INTEGERS = [2**64, -(2**63) - 1, 10**30]
TEXT = ["\x00", "a\x00b", "A" * 10_000, 12345, ["x"], {"a": 1}, True]
DATES = ["9999-12-31", "0001-01-01", "\x00", "2027-02-30", 20270101, ["2027-03-01"]]
DATETIMES = ["9999-12-31T23:59:59-12:00", "9999-12-31T23:59", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00",
             "\x00", "2027-03-01T10:00\x00", 1e20]
INTEGERS = [*HUGE_INTEGERS, "1\x00", 1.5, "x", True, [1], None]
NUMBERS = [float("inf"), float("nan"), 1e309, "\x00", 10**400]
BOOLEANS = ["\x00", 2, "yes", None, []]
ARRAYS = ["\x00", [None], ["\x00"], [2**64], [{"\x00": "\x00"}], {"a": 1}, [[[]]]]
OBJECTS = ["\x00", [], {"\x00": "\x00"}, {"a": [2**64]}, 1]
QUERY_VALUES = ["\x00", "a\x00", "9999-12-31T23:59:59-12:00", "0001-01-01", "9999-12-31", str(2**64), "-1",
                "A" * 5000, "1e309"]
WHOLE_BODIES = [[], "x", None, 2**64, {"\x00": 1}]
# Dates that plan (refused beyond the planning horizon, by their field).
PLANNING_FIELDS = {"start", "surgery_date", "sessions"}
PLANNING_PATHS = ("/api/v1/courses/", "/api/v1/sessions/")


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = _schema()


def operations() -> Iterator[tuple[str, str]]:
    for path, item in SCHEMA["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method


def resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def request_fields(path: str, method: str) -> dict[str, dict]:
    """Writable fields of the operation's JSON body, each with its (resolved) schema."""
    content = SCHEMA["paths"][path][method].get("requestBody", {}).get("content", {})
    body = content.get("application/json") or next(iter(content.values()), None)
    if not body:
        return {}
    node = resolve(body["schema"])
    if node.get("type") == "array":
        node = resolve(node.get("items", {}))
    return {name: resolve(spec) for name, spec in node.get("properties", {}).items() if not spec.get("readOnly")}


def query_parameters(path: str, method: str) -> list[str]:
    return [p["name"] for p in SCHEMA["paths"][path][method].get("parameters", []) if p.get("in") == "query"]


def hostile_values(spec: dict) -> list[Any]:
    kind, fmt = spec.get("type"), spec.get("format")
    if fmt == "date":
        return DATES
    if fmt == "date-time":
        return DATETIMES
    return {"integer": INTEGERS, "number": NUMBERS, "boolean": BOOLEANS, "array": ARRAYS,
            "object": OBJECTS}.get(kind, TEXT)


class Clinic:
    """One of everything the API has ids for, booked the ordinary way."""

    def __init__(self) -> None:
        world = build_world()
        self.world = world
        course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                        start=at("2027-03-01 10:00"))
        self.course = course
        self.session = course.sessions.order_by("number")[1]
        # A screening with a hard stop for the override endpoint, of another patient: the booked
        # patient's own screening stays clear so that booking bodies reach the planner.
        self.screening = ScreeningFactory(patient=PatientFactory(), active_cancer=True)
        self.draft = ProtocolFactory(status="draft")
        self.closure = ClosureFactory(location=world.location, start=at("2027-06-01 09:00"),
                                      end=at("2027-06-01 12:00"))
        self.lot, self.record, self.adverse_event = treatment_room(course.sessions.get(number=1))
        # A draft consent document to edit, and an active one to sign (for photos, so that sessions
        # and records still reach their own checks).
        texts = {"en": {"title": "Consent", "body": "Text."}}
        self.document = consent.consent_document_create(code="FUZZ-DOC", texts=texts, by=None)
        self.signable = consent.consent_document_activate(document=consent.consent_document_create(
            code="FUZZ-SIGN", texts=texts, applies_to="photos", by=None), by=None)
        self.ids = {
            "locations": world.location.pk, "practitioners": world.doctors[0].pk, "rooms": world.rooms[0].pk,
            "closures": self.closure.pk, "protocols": self.draft.pk, "patients": world.patient.pk,
            "screenings": self.screening.pk, "courses": course.pk, "sessions": self.session.pk,
            "reminders": course.reminders.first().pk, "products": self.lot.product_id, "lots": self.lot.pk,
            "session-records": self.record.pk, "adverse-events": self.adverse_event.pk,
            "consent-documents": self.document.pk,
        }

    def url(self, path: str, pk: Any = None) -> str:
        resource = path.removeprefix("/api/v1/").split("/", 1)[0]
        return path.replace("{id}", str(self.ids.get(resource, 1) if pk is None else pk))

    def valid_body(self, client, path: str, method: str) -> dict[str, Any]:
        """A body the operation accepts, so that one hostile field at a time reaches the deep checks:
        for the set-up resources, an existing object as the API shows it (renamed for a new one)."""
        w = self.world
        course = {"patient": w.patient.pk, "protocol": w.protocol.pk, "location": w.location.pk,
                  "start": "2027-05-03T10:00"}
        bodies = {
            "/api/v1/courses/": course,
            "/api/v1/courses/preview/": course,
            "/api/v1/sessions/{id}/reschedule/": {"start": "2027-03-30T10:00"},
            "/api/v1/sessions/{id}/status/": {"status": "confirmed"},
            "/api/v1/screenings/{id}/override/": {"reason": "Reviewed: in remission for ten years."},
            "/api/v1/lots/": {"product": self.lot.product_id, "lot_number": "FUZZ-NEW", "expires_on": "2027-12-31",
                              "received_on": "2027-01-01", "quantity_received": "5"},
            "/api/v1/lots/{id}/recall/": {"reason": "Manufacturer's notice"},
            "/api/v1/sessions/{id}/record/": {"products": [{"lot": self.lot.pk, "quantity": "1", "sites": ["vertex"]}]},
            "/api/v1/session-records/{id}/amend/": {"reason": "Corrected", "notes": "Amended."},
            "/api/v1/patients/{id}/consents/": {"document": self.signable.pk, "signed_name": "Fuzz Patient",
                                                "agree": True},
            "/api/v1/closures/": {"location": w.location.pk, "start": "2027-07-01T09:00", "end": "2027-07-01T12:00",
                                  "reason": "Training"},
        }
        if path in bodies:
            return dict(bodies[path])
        detail = path if path.endswith("/{id}/") else f"{path}{{id}}/"
        if method not in ("post", "put", "patch") or detail not in SCHEMA["paths"]:
            return {}
        shown = client.get(self.url(detail)).json()
        body = {k: v for k, v in shown.items() if k in request_fields(path, method)}
        if path == detail:
            return body
        for unique in ("name", "email", "code"):
            if isinstance(body.get(unique), str):
                body[unique] = "fuzz-" + body[unique] if unique != "code" else "FUZZ-NEW"
        return body


def send(client, method: str, url: str, body: Any = None):
    if body is None and method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def assert_contract(response, what: str, field: str | None = None) -> None:
    assert response.status_code < 500, f"{what}: {response.content[:500]!r}"
    if response.status_code < 400:
        return
    body = response.json()
    assert body.get("code") and body.get("detail"), f"{what}: {body}"
    if response.status_code == 400:
        assert body["code"] == "invalid" and isinstance(body.get("errors"), dict), f"{what}: {body}"
        if field is not None:
            assert field in body["errors"] or "non_field_errors" in body["errors"], f"{what}: {body}"


@pytest.fixture
def clinic():
    with time_machine.travel(TODAY, tick=False):
        yield Clinic()


OPERATIONS = sorted(operations())


def test_the_schema_lists_the_contracts_endpoints():
    paths = {path for path, _ in OPERATIONS}
    assert {"/api/v1/patients/", "/api/v1/courses/preview/", "/api/v1/sessions/{id}/reschedule/",
            "/api/v1/closures/{id}/", "/api/v1/protocols/{id}/activate/"} <= paths


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_hostile_values_never_give_a_500(api_admin, clinic, path, method):
    url = clinic.url(path)
    with time_machine.travel(TODAY, tick=False):
        for name in query_parameters(path, method) or ["q"]:
            for value in QUERY_VALUES:
                response = api_admin.generic(method.upper(), f"{url}?{urlencode({name: value})}")
                assert_contract(response, f"{method} {url} ?{name}={value[:30]!r}")
        if "{id}" in path:
            for pk in ("0", "99999999999999999999999", "%00", "1e3", "-1"):
                assert_contract(send(api_admin, method, clinic.url(path, pk), {} if method != "get" else None),
                                f"{method} {path} id={pk}")
        if method in ("get", "delete"):
            return
        for body in WHOLE_BODIES:
            assert_contract(send(api_admin, method, url, body), f"{method} {url} body={body!r}")
        base = clinic.valid_body(api_admin, path, method)
        if base:
            response = send(api_admin, method, url, base)
            assert response.status_code != 400, f"{method} {url}: the base body is refused: {response.json()}"
        for name, spec in request_fields(path, method).items():
            for value in hostile_values(spec):
                response = send(api_admin, method, url, {**base, name: value})
                assert_contract(response, f"{method} {url} {name}={value!r:.40}",
                                field=name if name in PLANNING_FIELDS and path.startswith(PLANNING_PATHS) else None)


@pytest.mark.parametrize("value", ["9999-12-31T10:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
@pytest.mark.parametrize("path", ["/api/v1/courses/", "/api/v1/courses/preview/", "/api/v1/sessions/{id}/reschedule/"])
def test_planning_dates_beyond_the_horizon_are_refused_by_their_field(api_admin, clinic, path, value):
    with time_machine.travel(TODAY, tick=False):
        body = {**clinic.valid_body(api_admin, path, "post"), "start": value}
        response = send(api_admin, "post", clinic.url(path), body)
    assert response.status_code == 400 and "start" in response.json()["errors"], response.json()
