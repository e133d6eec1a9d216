"""The patient's own pages: opening a link, the cookie, the course, moving, cancelling, asking,
the forms at home, the language."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from patients.models import Reminder, Screening, Session
from patients.portal.tokens import portal_token
from tests.patients.consent.world import active
from tests.patients.portal.world import BOOKING_CLOCK, at, book

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]


def opened(patient) -> Client:
    client = Client()
    response = client.get(f"/portal/{portal_token(patient)}/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    return client


def test_opening_a_link_changes_nothing_and_sets_only_the_portal_cookie():
    booked = book()
    before = list(Session.objects.values_list("id", "start", "status", "sequence", "updated_at"))
    reminders = Reminder.objects.count()
    client = opened(booked.world.patient)
    assert "anagen_portal" in client.cookies and "sessionid" not in client.cookies
    assert client.cookies["anagen_portal"]["path"] == "/portal/"
    assert client.cookies["anagen_portal"]["httponly"]
    page = client.get("/portal/")
    assert page.status_code == 200
    assert list(Session.objects.values_list("id", "start", "status", "sequence", "updated_at")) == before
    assert Reminder.objects.count() == reminders
    html = page.content.decode()
    assert 'data-testid="session-3"' in html and booked.world.patient.first_name in html


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "abc", lambda t: "nothing:here", lambda t: "x" * 500])
def test_a_tampered_link_gets_a_clear_page_and_no_data(mangle):
    booked = book()
    response = Client().get(f"/portal/{mangle(portal_token(booked.world.patient))}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="link-invalid"' in html and booked.world.patient.first_name not in html


def test_an_expired_or_revoked_link_gets_a_clear_page(receptionist):
    from patients.portal.services import portal_links_revoke

    booked = book()
    patient = booked.world.patient
    token = portal_token(patient)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = Client().get(f"/portal/{token}/")
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    client = opened(patient)
    portal_links_revoke(patient=patient, by=receptionist)
    revoked = client.get("/portal/")
    assert revoked.status_code == 403 and 'data-testid="link-invalid"' in revoked.content.decode()
    assert patient.first_name not in revoked.content.decode()


def test_the_portal_cookie_ends_after_the_idle_time():
    client = opened(book().world.patient)
    assert client.get("/portal/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=21)):
        assert client.get("/portal/")["Location"] == "/portal/sign-in/"


def test_without_a_cookie_the_portal_asks_for_the_email():
    client = Client()
    assert client.get("/portal/")["Location"] == "/portal/sign-in/"
    page = client.get("/portal/sign-in/")
    assert page.status_code == 200 and 'name="email"' in page.content.decode()


def test_the_sign_in_page_answers_the_same_whatever_the_address():
    book()
    known = Client().post("/portal/sign-in/", {"email": "ayse@example.test"})
    unknown = Client().post("/portal/sign-in/", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().replace("ayse@example.test", "") == \
        unknown.content.decode().replace("nobody@example.test", "") or 'data-testid="link-sent"' in \
        unknown.content.decode()
    assert 'data-testid="link-sent"' in known.content.decode()
    bad = Client().post("/portal/sign-in/", {"email": "not an address"})
    assert bad.status_code == 200 and "link-sent" not in bad.content.decode()


def test_another_patients_session_pages_are_404():
    booked = book()
    other = booked.world.new_patient(email="omar@example.test")
    theirs = book(booked.world, patient=other, start="2027-03-02 10:00").session(2)
    client = opened(booked.world.patient)
    for path in ("move", "cancel", "calendar.ics"):
        url = f"/portal/sessions/{theirs.pk}/{path}" + ("" if path.endswith(".ics") else "/")
        response = client.get(url)
        assert response.status_code == 404, path
        assert other.first_name not in response.content.decode()
    assert client.post(f"/portal/sessions/{theirs.pk}/move/", {"start": "2027-03-23T10:00"}).status_code == 404
    assert client.get("/portal/sessions/٣/move/").status_code == 404


def test_moving_a_session_on_the_page_refits_the_next_and_says_so():
    booked = book()
    client = opened(booked.world.patient)
    two = booked.session(2)
    page = client.get(f"/portal/sessions/{two.pk}/move/?date=2027-03-22")
    assert page.status_code == 200 and 'value="2027-03-22T11:00:00+03:00"' in page.content.decode()
    outside = client.get(f"/portal/sessions/{two.pk}/move/?date=2027-05-01")
    assert 'value="2027-03-31"' in outside.content.decode()  # clamped to the window's last day
    done = client.post(f"/portal/sessions/{two.pk}/move/", {"start": "2027-03-22T11:00:00+03:00"})
    assert done.status_code == 200, done.content.decode()[:2000]
    assert 'data-testid="also-moved"' in done.content.decode()
    two.refresh_from_db()
    assert two.start == at("2027-03-22 11:00")


def test_inside_the_notice_the_page_says_why_and_offers_to_ask_the_clinic():
    booked = book()
    one = booked.session(1)
    with time_machine.travel(at("2027-02-28 12:00")):
        client = opened(booked.world.patient)
        page = client.get(f"/portal/sessions/{one.pk}/move/").content.decode()
        assert 'data-testid="refusal"' in page and 'data-testid="ask-clinic"' in page
        assert 'data-testid="free-times"' not in page
        asked = client.post(f"/portal/sessions/{one.pk}/ask/", {"note": "Any Tuesday"})
        assert 'data-testid="asked"' in asked.content.decode()
    one.refresh_from_db()
    assert one.change_requested_at is not None and one.change_request_note == "Any Tuesday"


def test_cancelling_on_the_page_needs_a_reason():
    booked = book()
    client = opened(booked.world.patient)
    two = booked.session(2)
    assert client.post(f"/portal/sessions/{two.pk}/cancel/", {"reason": ""}).status_code == 200
    two.refresh_from_db()
    assert two.status == "booked"
    response = client.post(f"/portal/sessions/{two.pk}/cancel/", {"reason": "Travelling"})
    assert response.status_code == 302
    two.refresh_from_db()
    assert two.status == "cancelled" and "Travelling" in two.cancel_reason


def test_add_to_calendar_gives_the_sessions_ics():
    booked = book()
    response = opened(booked.world.patient).get(f"/portal/sessions/{booked.session(2).pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content and b"TZID=Europe/Istanbul" in response.content


def test_the_screening_at_home_is_recorded_as_reported_by_the_patient():
    booked = book()
    client = opened(booked.world.patient)
    missing = client.post("/portal/screening/", {"active_cancer": "no"})
    assert missing.status_code == 400
    answers = {key: "no" for key in Screening().answers}
    answers["fever_or_recent_illness"] = "yes"
    done = client.post("/portal/screening/", answers)
    assert 'data-testid="screening-done"' in done.content.decode()
    screening = Screening.objects.filter(patient=booked.world.patient).order_by("-taken_at").first()
    assert screening.reported_by == "patient" and screening.hard_stops == ["fever_or_recent_illness"]


def test_a_consent_is_signed_on_the_phone():
    document = active("CONSENT-HOME")
    booked = book()
    client = opened(booked.world.patient)
    home = client.get("/portal/").content.decode()
    assert f"/portal/consents/{document.pk}/" in home
    page = client.get(f"/portal/consents/{document.pk}/")
    sha = page.context["form"].initial["sha256"]
    response = client.post(f"/portal/consents/{document.pk}/", {
        "signed_name": "Ayşe Yılmaz", "agree": "on", "sha256": sha, "language": page.context["shown"].language})
    assert response.status_code == 302
    signature = document.signatures.get()
    assert signature.recorded_by is None and signature.signed_name == "Ayşe Yılmaz"
    assert client.get(f"/portal/consents/{document.pk}/").status_code == 404  # nothing left to sign


def test_the_page_speaks_the_patients_language_and_switches():
    booked = book()
    omar = booked.world.new_patient(language="ar", email="omar@example.test")
    book(booked.world, patient=omar, start="2027-03-03 10:00")
    client = opened(omar)
    html = client.get("/portal/").content.decode()
    assert 'dir="rtl"' in html and "bootstrap.rtl.min.css" in html and 'lang="ar"' in html
    client.post("/portal/language/", {"language": "en", "next": "/portal/"})
    html = client.get("/portal/").content.decode()
    assert 'dir="ltr"' in html and 'lang="en"' in html


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Add to calendar"), ("tr", "Takvime ekle"), ("ar", "أضف إلى التقويم"), ("es", "Añadir al calendario"),
    ("de", "Zum Kalender hinzufügen"),
])
def test_every_portal_language_has_the_pages_words(language, words):
    booked = book()
    patient = booked.world.new_patient(language=language, email=f"{language}-words@example.test")
    book(booked.world, patient=patient, start="2027-03-03 10:00")
    html = opened(patient).get("/portal/").content.decode()
    assert words in html and f'lang="{language}"' in html


def test_a_time_that_is_not_open_or_not_a_time_gets_a_message_not_a_move():
    booked = book()
    client = opened(booked.world.patient)
    two = booked.session(2)
    night = client.post(f"/portal/sessions/{two.pk}/move/", {"start": "2027-03-23T03:00:00+03:00"})
    assert night.status_code == 409 and 'data-testid="move-error"' in night.content.decode()
    for value in ("", "2027-02-30T10:00:00", "soon"):
        assert client.post(f"/portal/sessions/{two.pk}/move/", {"start": value}).status_code == 400
    two.refresh_from_db()
    assert two.start == at("2027-03-29 10:00")
