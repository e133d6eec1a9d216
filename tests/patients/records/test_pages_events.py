"""Adverse events through the pages: any staff role files one, a doctor completes and reviews it;
the patient's page shows the treatment history visit by visit; serious unreviewed events stand out
on the patient's page and on the doctors' home page until a doctor marks them reviewed."""

from datetime import date, timedelta

import pytest

from patients.models import AdverseEvent
from patients.records.adverse_events import adverse_event_file
from patients.records.services import session_record
from tests.helpers import client_for
from tests.patients.records.world import VISIT, field_block, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(doctor):
    return client_for(doctor)


@pytest.fixture
def recorded(doctor, room):
    session_record(session=room.first, products=[row(room.lot, "2.5", ["vertex", "frontal"])],
                   adjuncts_done=["harvest_blood"], notes="Tolerated well.", by=doctor, now=VISIT)
    return room


def event_body(room, **fields) -> dict:
    return {"session": room.first.pk, "onset": "2027-03-01", "kind": "swelling", "severity": "mild",
            "description": "Swollen forehead", "outcome": "ongoing", "reported_by": "patient", **fields}


def file_event(room, by, **fields) -> AdverseEvent:
    data = {"patient": room.world.patient, "session": room.first, "onset": date(2027, 3, 1), "kind": "infection",
            "severity": "severe", "serious": True, "description": "Hospitalised", **fields}
    return adverse_event_file(data=data, by=by, now=VISIT)


def test_the_desk_files_an_event_from_the_patients_page(desk, receptionist, room):
    url = f"/treatment/patients/{room.world.patient.pk}/events/new/?session={room.first.pk}"
    form = desk.get(url).content.decode()
    assert "Report an adverse event" in form and f'value="{room.first.pk}" selected' in form
    response = desk.post(url, event_body(room))
    assert response.status_code == 302 and response["Location"] == f"/patients/{room.world.patient.pk}/#treatment"
    event = AdverseEvent.objects.get()
    assert (event.session, event.kind, event.reported_by, event.filed_by) == (room.first, "swelling", "patient",
                                                                              receptionist)


@pytest.mark.parametrize(("fields", "field", "text"), [
    ({"onset": "2027-03-02"}, "onset", "cannot be in the future"),
    ({"onset": "2027-02-28"}, "onset", "cannot be before the session (1 Mar 2027)"),
    ({"onset": "2027-02-30"}, "onset", "Enter a valid date"),
    ({"kind": "fever"}, "kind", "Select a valid choice"),
    ({"severity": ""}, "severity", "This field is required"),
    ({"description": "x" * 5001}, "description", "at most 5000 characters"),
])
def test_bad_onsets_and_values_are_refused_by_the_field_and_nothing_is_written(desk, room, fields, field, text):
    response = desk.post(f"/treatment/patients/{room.world.patient.pk}/events/new/", event_body(room, **fields))
    assert response.status_code == 400
    assert text in field_block(response.content.decode(), f"id_{field}")
    assert AdverseEvent.objects.count() == 0


def test_another_patients_session_is_not_a_choice(desk, room):
    other = room.book_another()
    response = desk.post(f"/treatment/patients/{room.world.patient.pk}/events/new/", event_body(room, session=other.pk))
    assert response.status_code == 400 and "Select a valid choice" in field_block(response.content.decode(),
                                                                                  "id_session")
    assert AdverseEvent.objects.count() == 0


def test_an_event_without_a_session_may_start_before_any_visit(desk, room):
    response = desk.post(f"/treatment/patients/{room.world.patient.pk}/events/new/",
                         event_body(room, session="", onset="2027-02-10"))
    assert response.status_code == 302 and AdverseEvent.objects.get().session is None


def test_a_doctor_completes_the_event_the_desk_may_not(desk, doc, receptionist, room):
    event = file_event(room, receptionist, serious=False, severity="mild")
    url = f"/treatment/events/{event.pk}/edit/"
    assert desk.get(url).status_code == 403
    assert desk.post(url, event_body(room, outcome="resolved")).status_code == 403
    assert 'value="infection" selected' in doc.get(url).content.decode()
    assert doc.post(url, event_body(room, outcome="resolved", kind="infection")).status_code == 302
    event.refresh_from_db()
    assert (event.outcome, event.filed_by) == ("resolved", receptionist)
    refused = doc.post(url, event_body(room, onset="2027-03-05"))
    assert refused.status_code == 400 and "cannot be in the future" in refused.content.decode()


def test_the_patients_page_shows_the_treatment_history_visit_by_visit(doc, recorded, receptionist):
    file_event(recorded, receptionist, serious=False, severity="moderate", kind="swelling")
    page = doc.get(f"/patients/{recorded.world.patient.pk}/").content.decode()
    assert 'data-testid="treatment-history"' in page
    visit = page[page.index('data-testid="treatment-visit"'):]
    for text in ("Mon 1 Mar 2027", "session 1", "AutoExo", "EXO-001", "2.5 mL", "Vertex, Frontal",
                 "Blood draw (harvest)", "Swelling"):
        assert text in visit, text


def test_the_desk_sees_the_products_without_quantities(desk, recorded):
    page = desk.get(f"/patients/{recorded.world.patient.pk}/").content.decode()
    assert "EXO-001" in page and "2.5 mL" not in page and "Tolerated well." not in page


def test_no_visit_yet_is_an_empty_state(desk, room):
    page = desk.get(f"/patients/{room.world.patient.pk}/").content.decode()
    assert "No visit recorded yet." in page and "No adverse event." in page


def test_a_serious_event_stands_out_until_a_doctor_marks_it_reviewed(desk, doc, doctor, receptionist, room):
    event = file_event(room, receptionist)
    patient_url = f"/patients/{room.world.patient.pk}/"
    for client in (desk, doc):
        assert 'data-testid="serious-events"' in client.get(patient_url).content.decode()
    home = doc.get("/").content.decode()
    assert 'data-testid="home-serious-events"' in home and "Infection (severe)" in home
    assert 'data-testid="home-serious-events"' not in desk.get("/").content.decode()  # the doctors' page
    assert "Mark reviewed" not in desk.get(patient_url).content.decode()
    assert desk.post(f"/treatment/events/{event.pk}/review/").status_code == 403
    page = doc.get(patient_url).content.decode()
    assert "data-confirm=\"Mark this serious infection event reviewed?" in page
    response = doc.post(f"/treatment/events/{event.pk}/review/", {"next": patient_url})
    assert response.status_code == 302 and response["Location"] == patient_url
    event.refresh_from_db()
    assert event.reviewed_by == doctor
    assert 'data-testid="serious-events"' not in doc.get(patient_url).content.decode()
    assert 'data-testid="home-serious-events"' not in doc.get("/").content.decode()
    again = doc.post(f"/treatment/events/{event.pk}/review/", follow=True)
    assert "already been reviewed" in again.content.decode()


def test_the_review_goes_back_only_to_our_own_pages(doc, receptionist, room):
    event = file_event(room, receptionist)
    response = doc.post(f"/treatment/events/{event.pk}/review/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/patients/{room.world.patient.pk}/#treatment"


def test_events_are_listed_per_lot_and_per_protocol(doc, recorded, receptionist):
    file_event(recorded, receptionist, serious=False)
    lot_page = doc.get(f"/treatment/lots/{recorded.lot.pk}/").content.decode()
    assert 'data-testid="event-row"' in lot_page
    code = recorded.world.protocol.code
    assert 'data-testid="event-row"' in doc.get(f"/treatment/events/?protocol={code}").content.decode()
    assert 'data-testid="event-row"' in doc.get("/treatment/events/?protocol=NOPE").content.decode()  # unknown: all
    other = recorded.new_lot(lot_number="UNUSED")
    assert "No adverse event." in doc.get(f"/treatment/events/?lot={other.pk}").content.decode()
    assert "No adverse event." in doc.get("/treatment/events/?serious=yes").content.decode()


def test_the_session_panel_links_to_filing_an_event(desk, room):
    panel = desk.get(f"/booking/sessions/{room.first.pk}/").content.decode()
    assert f"/treatment/patients/{room.world.patient.pk}/events/new/?session={room.first.pk}" in panel


def test_the_patients_page_asks_as_many_queries_for_two_visits_as_for_one(doc, doctor, receptionist, recorded,
                                                                         at_the_visit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        doc.force_login(doctor)  # four weeks on, the login has expired
        doc.get(f"/patients/{recorded.world.patient.pk}/")  # the session's first request settles it
        with CaptureQueriesContext(connection) as captured:
            assert doc.get(f"/patients/{recorded.world.patient.pk}/").status_code == 200
        return len(captured)

    file_event(recorded, receptionist, serious=False)
    one = queries()
    at_the_visit.move_to(recorded.second.start + timedelta(minutes=5))
    kit = recorded.new_lot(recorded.prp, lot_number="KIT-9")
    session_record(session=recorded.second, products=[row(recorded.lot, "1"), row(kit, "1", ["occipital"])],
                   adjuncts_done=[], by=doctor, now=recorded.second.start + timedelta(minutes=5))
    adverse_event_file(data={"patient": recorded.world.patient, "session": recorded.second,
                             "onset": recorded.second.start.date(), "kind": "pain", "severity": "mild"},
                       by=receptionist, now=recorded.second.start + timedelta(minutes=5))
    assert queries() == one
