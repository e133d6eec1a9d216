"""The access log: every page and API answer that shows a patient's data writes who saw whom,
what and where; a list writes one row per patient shown, in one INSERT."""

from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from patients.booking import services as booking
from patients.booking.status import session_cancel
from patients.models import Patient, PatientAccess, Reminder, Session
from patients.registry import services
from tests.factories import PatientFactory, ScreeningFactory, ScreeningOverrideFactory
from tests.helpers import client_for
from tests.patients.booking.world import World, at, build_world

pytestmark = pytest.mark.django_db

NOW = at("2027-02-01 09:00")
FIRST_DAY = "2027-03-01"
FEED = "/booking/calendar/feed/?location={location}&start=2027-02-22T00:00:00Z&end=2027-04-20T00:00:00Z"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


@dataclass
class Seen:
    world: World
    patient: Patient
    ids: dict


def book_and_cancel_second(world: World, patient: Patient, hour: int = 10) -> None:
    """A course with sessions on FIRST_DAY onwards, its second session cancelled (so it is to chase)."""
    course, _ = booking.course_book(patient=patient, protocol=world.protocol, location=world.location,
                                    start=at(f"{FIRST_DAY} {hour}:00"))
    session_cancel(session=course.sessions.get(number=2), reason="Travelling")


@pytest.fixture
def seen() -> Seen:
    world = build_world()
    patient = world.patient
    book_and_cancel_second(world, patient)
    session = Session.objects.get(patient=patient, number=1)
    override = ScreeningOverrideFactory(screening=ScreeningFactory(patient=patient, active_cancer=True))
    ids = {
        "patient": patient.pk, "course": session.course_id, "session": session.pk,
        "screening": override.screening_id, "override": override.pk, "location": world.location.pk,
        "reminder": Reminder.objects.filter(patient=patient).order_by("id").first().pk,
        "last_name": patient.last_name,
    }
    return Seen(world, patient, ids)


def page(role, url, what, headers=None):
    return pytest.param(role, url, what, headers or {}, id=f"{what}:{url}{' htmx' if headers else ''}")


PAGES = [
    page("receptionist", "/patients/", "list"),
    page("receptionist", "/patients/?q={last_name}", "search"),
    page("receptionist", "/patients/{patient}/", "record"),
    page("receptionist", "/patients/{patient}/edit/", "edit"),
    page("receptionist", "/patients/{patient}/screenings/new/", "screening"),
    page("doctor", "/patients/screenings/{screening}/override/", "screening"),
    page("receptionist", "/booking/new/?patient={patient}", "booking"),
    page("receptionist", "/booking/courses/{course}/", "course"),
    page("receptionist", "/booking/sessions/{session}/", "session"),
    page("receptionist", "/booking/sessions/{session}/", "session", {"HX-Request": "true"}),
    page("receptionist", "/booking/calendar/?location={location}&date=" + FIRST_DAY, "calendar"),
    page("receptionist", FEED, "calendar"),
    page("receptionist", "/booking/chase/", "chase"),
    page("receptionist", "/reminders/", "reminder"),
    page("receptionist", "/reminders/{reminder}/", "reminder"),
    page("admin", "/history/patients/patient/{patient}/", "history"),
    page("admin", "/history/patients/session/{session}/", "history"),
    page("admin", "/history/patients/screeningoverride/{override}/", "history"),
]

API = [
    ("/api/v1/patients/", "list"),
    ("/api/v1/patients/?q={last_name}", "search"),
    ("/api/v1/patients/{patient}/", "record"),
    ("/api/v1/patients/{patient}/screenings/", "screening"),
    ("/api/v1/screenings/", "screening"),
    ("/api/v1/screenings/{screening}/", "screening"),
    ("/api/v1/courses/", "course"),
    ("/api/v1/courses/{course}/", "course"),
    ("/api/v1/sessions/", "session"),
    ("/api/v1/sessions/{session}/", "session"),
    ("/api/v1/reminders/", "reminder"),
    ("/api/v1/reminders/{reminder}/", "reminder"),
]


def logged() -> list[tuple]:
    return list(PatientAccess.objects.order_by("id").values_list("patient", "user", "what", "via", "path"))


@pytest.mark.parametrize(("role", "url", "what", "headers"), PAGES)
def test_every_page_that_shows_a_patient_writes_who_saw_them_and_where(seen, make_staff, role, url, what, headers):
    user = make_staff(role)
    url = url.format(**seen.ids)
    response = client_for(user).get(url, headers=headers)
    assert response.status_code == 200
    assert logged() == [(seen.patient.pk, user.pk, what, "page", url.split("?")[0])]


@pytest.mark.parametrize(("url", "what"), API)
def test_every_api_answer_that_shows_a_patient_writes_who_saw_them(seen, receptionist, url, what):
    client = APIClient()
    client.force_authenticate(user=receptionist)
    url = url.format(**seen.ids)
    response = client.get(url)
    assert response.status_code == 200
    assert logged() == [(seen.patient.pk, receptionist.pk, what, "api", url.split("?")[0])]


def test_writes_and_failed_reads_log_nothing(seen, receptionist, desk):
    client = APIClient()
    client.force_authenticate(user=receptionist)
    assert client.get("/api/v1/patients/999999/").status_code == 404
    assert desk.get("/booking/sessions/999999/").status_code == 404
    assert client.get("/api/v1/patients/?q=nobody-is-called-this").json()["count"] == 0
    assert desk.get(f"/booking/calendar/?location={seen.world.location.pk}&date=2027-01-04").status_code == 200
    assert logged() == []


LISTS = [
    "/patients/",
    "/patients/?q=Y%C4%B1lmaz",
    "/api/v1/patients/",
    "/api/v1/screenings/",
    "/api/v1/courses/",
    "/api/v1/sessions/",
    "/api/v1/reminders/?kind=confirmation",
    "/reminders/?kind=confirmation",
    "/booking/chase/",
    "/booking/calendar/?location={location}&date=" + FIRST_DAY,
    FEED,
]


@pytest.mark.parametrize("url", LISTS)
def test_a_list_writes_one_row_per_patient_in_one_insert_whatever_their_number(
    seen, receptionist, url, django_assert_max_num_queries
):
    client = client_for(receptionist)  # the API takes the browser session too
    url = url.format(**seen.ids)
    client.get(url)  # warm the session and the user's role

    def read(counted) -> tuple[list[int], list[dict], int]:
        last = PatientAccess.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with counted as queries:
            assert client.get(url).status_code == 200
        rows = list(PatientAccess.objects.filter(id__gt=last).values_list("patient", flat=True))
        # pghistory puts its context in front of a request's statements, so "in", not "startswith".
        inserts = [q for q in queries.captured_queries if 'INSERT INTO "patients_patientaccess"' in q["sql"]]
        return rows, inserts, len(queries.captured_queries)

    rows, inserts, few = read(CaptureQueriesContext(connection))
    assert rows == [seen.patient.pk] and len(inserts) == 1
    more = [seen.world.new_patient() for _ in range(5)]
    for hour, patient in enumerate(more, start=11):
        book_and_cancel_second(seen.world, patient, hour=hour)
    rows, inserts, _ = read(django_assert_max_num_queries(few))
    assert sorted(rows) == sorted([seen.patient.pk, *(p.pk for p in more)])
    assert len(inserts) == 1


def test_the_service_writes_each_patient_once_in_one_insert_and_nothing_for_nobody(
    receptionist, django_assert_num_queries
):
    patients = PatientFactory.create_batch(3)
    request = RequestFactory().get("/patients/")
    request.user = receptionist
    with django_assert_num_queries(0):
        assert services.patient_access_record(request=request, patients=[None], what="list") == 0
    with django_assert_num_queries(1):
        shown = [patients[0], patients[1].pk, patients[0], patients[2], None]
        assert services.patient_access_record(request=request, patients=shown, what="list") == 3
    rows = PatientAccess.objects.order_by("id")
    expected = [(p.pk, receptionist.pk, "list", "page", "/patients/") for p in patients]
    assert [(r.patient_id, r.user_id, r.what, r.via, r.path) for r in rows] == expected
    assert len({r.at for r in rows}) == 1 and rows[0].at <= timezone.now()


def test_the_services_insert_names_every_column_of_the_access_log_but_its_id():
    # It is written by hand (one array parameter for the patients): a column added to the model
    # and not to the INSERT would be left empty or refuse every read.
    columns = {field.column for field in PatientAccess._meta.concrete_fields} - {"id"}
    named = services._ACCESS_INSERT.split("(", 1)[1].split(")", 1)[0]
    assert {name.strip() for name in named.split(",")} == columns


def test_the_service_refuses_an_unknown_kind_of_read(receptionist):
    request = RequestFactory().get("/patients/")
    request.user = receptionist
    with pytest.raises(ValueError):
        services.patient_access_record(request=request, patients=[PatientFactory()], what="glance")


def test_the_access_log_page_shows_what_was_read_and_where(seen, desk, admin_user):
    desk.get(f"/booking/courses/{seen.ids['course']}/")
    desk.get("/booking/chase/")
    response = client_for(admin_user).get(f"/patients/{seen.patient.pk}/access-log/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [a.what for a in response.context["accesses"]] == ["chase", "course"]
    assert "To chase" in html and "Course" in html and f"/booking/courses/{seen.ids['course']}/" in html
