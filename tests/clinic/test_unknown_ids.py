"""A visitor who may not use a page or an API route cannot tell from its answer whether an id
exists: the role is checked before the object is looked up, so an anonymous visitor gets the
login page (pages) or 401 (API) and a user without the role 403, for a known id as for an unknown."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from patients.booking import services as booking
from patients.models import Reminder
from patients.outcomes.demo_photos import scalp_photo
from patients.outcomes.photos import photo_add
from tests.factories import ClosureFactory
from tests.helpers import client_for
from tests.patients.booking.world import at, build_world
from tests.patients.consent.world import active, sign
from tests.patients.records.world import treatment_room

pytestmark = pytest.mark.django_db

BOOKED_AT = at("2027-02-01 09:00")


class Unknown(dict):
    """The same keys as the world's ids, none of which exists."""

    def __missing__(self, key: str):
        return "NO-SUCH-CODE" if key == "code" else 999_999


def _pk(key: str):
    return lambda ids: {"pk": ids[key]}


PAGES = {
    "history": lambda ids: {"app_label": "patients", "model_name": "patient", "pk": ids["patient"]},
    "clinic:location_detail": _pk("location"),
    "clinic:location_update": _pk("location"),
    "clinic:practitioner_update": _pk("practitioner"),
    "clinic:room_update": _pk("room"),
    "clinic:closure_update": _pk("closure"),
    "clinic:closure_delete": _pk("closure"),
    "protocols:detail": _pk("protocol"),
    "protocols:edit": _pk("protocol"),
    "protocols:action": lambda ids: {"pk": ids["protocol"], "action": "archive"},
    "protocols:versions": lambda ids: {"code": ids["code"]},
    "patients:detail": _pk("patient"),
    "patients:update": _pk("patient"),
    "patients:consent": _pk("patient"),
    "patients:screening-create": _pk("patient"),
    "patients:access-log": _pk("patient"),
    "patients:screening-override": _pk("screening"),
    "patients:screening-review-request": _pk("screening"),
    "booking:course": _pk("course"),
    "booking:course-cancel": _pk("course"),
    "booking:course-rebook": _pk("course"),
    "booking:session": _pk("session"),
    "booking:session-move": _pk("session"),
    "booking:session-cancel": _pk("session"),
    "booking:session-status": _pk("session"),
    "booking:session-status-undo": _pk("session"),
    "booking:practitioner-calendar-feed": _pk("practitioner"),
    "booking:today-status": _pk("session"),
    "booking:today-undo": _pk("session"),
    "reminders:detail": _pk("reminder"),
    "reminders:retry": _pk("reminder"),
    "records:session-record": _pk("session"),
    "records:record-amend": _pk("session-record"),
    "records:lot": _pk("lot"),
    "records:lot-recall": _pk("lot"),
    "records:event-new": _pk("patient"),
    "records:event-edit": _pk("adverse-event"),
    "records:event-review": _pk("adverse-event"),
    "outcomes:session-measurements": _pk("session"),
    "photos:session": _pk("session"),
    "photos:image": _pk("photo"),
    "photos:compare": _pk("patient"),
    "patients:consent-sign": lambda ids: {"pk": ids["patient"], "document_pk": ids["consent-document"]},
    "patients:consent-signed": lambda ids: {"pk": ids["patient"], "signature_pk": ids["consent-signature"]},
    "patients:consent-pdf": lambda ids: {"pk": ids["patient"], "signature_pk": ids["consent-signature"]},
    "patients:portal-link": _pk("patient"),
    "patients:portal-revoke": _pk("patient"),
}
# The patient's own signed links answer to their token, not to a login (tests/patients/...links);
# so do practitioners' calendar feeds (tests/patients/booking/test_feeds.py).
# The patient's own page answers to the patient's link (tests/patients/portal: another patient's id is 404).
NOT_STAFF_PAGES = {"patient-link", "calendar-feed-ics", "portal:open", "portal:move", "portal:cancel", "portal:ask",
                   "portal:ics", "portal:consent"}
PATIENT_API = "api/v1/portal/"
# API routes by their collection, which names the id's kind: sessions/{id}/reschedule/ takes a session's.
API = {"locations", "practitioners", "rooms", "closures", "protocols", "patients", "screenings", "courses", "sessions",
       "reminders", "products", "lots", "session-records", "adverse-events", "consent-documents", "photos"}


def collection(route: str) -> str:
    """'api/v1/^session-records/(?P<pk>[^/.]+)/amend/$' -> 'session-records'."""
    return route.removeprefix("api/v1/").lstrip("^").split("/")[0]


def routes_with_parameters(patterns=None, prefix: str = "", namespace: str = ""):
    """(name, route) of every URL pattern that takes a parameter."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes_with_parameters(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif "<" in (route := prefix + str(pattern.pattern)):
            yield namespace + (pattern.name or ""), route


@pytest.fixture
def ids() -> dict:
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=BOOKED_AT)
    session = course.sessions.get(number=1)
    lot, record, event = treatment_room(session)
    closure = ClosureFactory(location=world.location, start=at("2027-05-24 00:00"), end=at("2027-05-25 00:00"))
    document = active("CONSENT-IDS")  # after the visit's record, which it would otherwise require
    signature = sign(world.patient, document)
    # A photograph of the visit, taken once its day has come.
    photographer = get_user_model().objects.create_user("photographer", password="a-long-password-1")
    photo = photo_add(session=session, view="vertex", by=photographer,
                      upload=SimpleUploadedFile("v.jpg", scalp_photo(), content_type="image/jpeg"),
                      now=session.start + timedelta(hours=1))
    return {
        "location": world.location.pk, "practitioner": world.doctors[0].pk, "room": world.rooms[0].pk,
        "closure": closure.pk, "protocol": world.protocol.pk,
        "code": world.protocol.code, "patient": world.patient.pk, "screening": world.patient.screenings.get().pk,
        "course": course.pk, "session": session.pk, "reminder": Reminder.objects.filter(course=course).first().pk,
        "product": lot.product_id, "lot": lot.pk, "session-record": record.pk, "adverse-event": event.pk,
        "consent-document": document.pk, "consent-signature": signature.pk, "photo": photo.pk,
    }


@pytest.fixture
def visitors(make_staff) -> dict:
    nobody = get_user_model().objects.create_user("nobody", password="a-long-password-1")
    return {"anonymous": None, "no role": nobody, "receptionist": make_staff("receptionist"),
            "doctor": make_staff("doctor")}


def test_every_page_and_api_route_with_an_id_is_checked_below():
    routes = [(name, route) for name, route in routes_with_parameters()
              if not route.startswith(("django-admin/", PATIENT_API))]
    assert {name for name, route in routes if not route.startswith("api/v1/")} - NOT_STAFF_PAGES == set(PAGES)
    assert {collection(route) for name, route in routes if route.startswith("api/v1/")} == API


def _answer(response) -> tuple:
    location = response.get("Location", "").split("?")[0]
    code = response.json().get("code") if response.get("Content-Type", "").startswith("application/json") else None
    return response.status_code, location, code


def test_pages_refuse_a_known_and_an_unknown_id_alike(ids, visitors):
    leaks = []
    for who, user in visitors.items():
        client = Client() if user is None else client_for(user)
        for name, kwargs in PAGES.items():
            known, unknown = reverse(name, kwargs=kwargs(ids)), reverse(name, kwargs=kwargs(Unknown()))
            for method in ("get", "post"):
                answer = _answer(getattr(client, method)(known))
                if who in ("anonymous", "no role"):
                    assert answer[0] == (302 if user is None else 403), (who, method, known, answer)
                if answer[0] in (302, 403) and (answer[0] == 403 or answer[1] == "/accounts/login/"):
                    other = _answer(getattr(client, method)(unknown))
                    if other != answer:
                        leaks.append((who, method.upper(), known, answer, unknown, other))
    assert leaks == []


def test_the_api_refuses_a_known_and_an_unknown_id_alike(ids, visitors):
    routes = [(name, route) for name, route in routes_with_parameters()
              if route.startswith("api/v1/") and not route.startswith(PATIENT_API)]
    leaks = []
    for who, user in visitors.items():
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        for name, route in routes:
            known = reverse(name, kwargs={"pk": ids[collection(route).removesuffix("s")]})
            unknown = reverse(name, kwargs={"pk": 999_999})
            for method in ("get", "post", "patch", "delete"):
                if who in ("receptionist", "doctor") and method in ("patch", "delete"):
                    continue  # allowed ones would change the world the next checks read
                answer = _answer(getattr(client, method)(known, {}, format="json"))
                if who in ("anonymous", "no role"):
                    assert answer[0] == (401 if user is None else 403), (who, method, known, answer)
                if answer[0] in (401, 403):
                    other = _answer(getattr(client, method)(unknown, {}, format="json"))
                    if other != answer:
                        leaks.append((who, method.upper(), known, answer, unknown, other))
    assert leaks == []
