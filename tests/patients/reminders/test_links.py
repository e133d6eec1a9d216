"""The links in patient emails after the visit they point to has moved, which visit each link page
is about, the change request's note and the clinic's phone, the links in the confirmation, the
staff's inert copies, and the record of a patient who unsubscribed by the link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.urls import reverse

from patients.booking import services as booking
from patients.booking.reschedule import session_reschedule
from patients.booking.status import session_cancel
from patients.models import Reminder, Session
from patients.reminders.dispatch import reminder_dispatch_due
from patients.reminders.emails import read_link, render, signed_link
from tests.patients.booking.world import ISTANBUL, at, build_world

BOOKED_AT = at("2027-02-01 09:00")

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKED_AT)]

LINK = re.compile(r"https?://[^\s\"'<>]*/p/(confirm|change|unsubscribe)/([-\w:.]+)/")


@pytest.fixture
def world():
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    world.location.address = "Teşvikiye Caddesi 5\nŞişli, İstanbul"
    world.location.phone = "+90 212 555 01 23"
    world.location.save()
    return world


def book(world, patient=None, start="2027-03-01 10:00", now=BOOKED_AT):
    course, _ = booking.course_book(patient=patient or world.patient, protocol=world.protocol,
                                    location=world.location, start=at(start), now=now)
    return course


def londoner(world):
    """An English-speaking patient in London: three hours behind Istanbul in March."""
    return world.new_patient(language="en", timezone="Europe/London", email="john@example.test")


def links_in(text: str) -> list[tuple[str, str]]:
    """(purpose, path) of every patient link in an email."""
    return [(m.group(1), urlsplit(m.group(0)).path) for m in LINK.finditer(text)]


def email_link(reminder: Reminder, purpose: str) -> str:
    _subject, text, _html, _sessions = render(reminder)
    return next(path for kind, path in links_in(text) if kind == purpose)


def reminder_of(course, number: int) -> Reminder:
    return course.reminders.filter(kind="reminder", session__number=number).order_by("send_at").first()


def move(session: Session, start: str, **kwargs) -> Session:
    """Move a session (session 1's window is its booked day alone: moving it off that day takes a reason)."""
    kwargs.setdefault("override_reason", "the patient asked")
    moved, _others, _warnings = session_reschedule(session=session, start=at(start), now=BOOKED_AT, **kwargs)
    return moved


# --- An old link after the session moved ---------------------------------------------------


def test_an_old_confirm_link_of_a_moved_session_confirms_nothing_and_shows_the_new_time(client, world):
    course = book(world, londoner(world))
    url = email_link(reminder_of(course, 1), "confirm")
    session = course.sessions.get(number=1)
    move(session, "2027-03-03 14:00")

    opened = client.get(url)
    posted = client.post(url)

    session.refresh_from_db()
    assert session.status == "booked"  # the patient never saw Wednesday 14:00
    for response in (opened, posted):
        html = response.content.decode()
        assert response.status_code == 200
        assert "This visit has changed." in html
        assert "Wednesday 3 March 2027, 14:00" in html and "Wednesday 3 March 2027, 11:00" in html
        assert "use the links in our latest email, or call the clinic" in html
        assert "I will come" not in html  # no button that would act on the new time


def test_an_old_change_link_of_a_moved_session_records_no_request(client, world):
    course = book(world)
    url = email_link(reminder_of(course, 2), "change")
    session = course.sessions.get(number=2)
    move(session, "2027-03-24 11:00")
    response = client.post(url, {"note": "mornings"})
    session.refresh_from_db()
    assert session.change_requested_at is None and session.change_request_note == ""
    assert "Bu randevu değişti." in response.content.decode()  # the patient's language: Turkish


def test_a_link_of_a_cancelled_session_says_it_is_cancelled(client, world):
    course = book(world, londoner(world))
    url = email_link(reminder_of(course, 1), "confirm")
    session = course.sessions.get(number=1)
    session_cancel(session=session, reason="doctor ill", now=BOOKED_AT)
    html = client.post(url).content.decode()
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert "This visit has been cancelled." in html and "This visit has changed." not in html


def test_the_change_email_carries_working_links_for_the_new_time(client, world):
    course = book(world, londoner(world))
    session = course.sessions.get(number=1)
    move(session, "2027-03-03 14:00")
    change = course.reminders.get(kind="change")
    url = email_link(change, "confirm")
    assert read_link("confirm", url.rstrip("/").rsplit("/", 1)[1])["q"] == 1
    response = client.post(url)
    assert "Thank you: we have noted that you will come." in response.content.decode()
    session.refresh_from_db()
    assert session.status == "confirmed"


def test_a_link_from_before_links_carried_a_sequence_still_works_until_the_session_moves(client, world):
    course = book(world, londoner(world))
    session = course.sessions.get(number=1)
    url = urlsplit(signed_link("confirm", session.pk, session.patient_id)).path  # as emails were signed before
    assert "This visit has changed." not in client.get(url).content.decode()
    move(session, "2027-03-03 14:00")
    assert "This visit has changed." in client.post(url).content.decode()
    session.refresh_from_db()
    assert session.status == "booked"


# --- A move resets the confirmation and the change request ---------------------------------


def _confirm_and_ask(session: Session, note: str = "") -> None:
    Session.objects.filter(pk=session.pk).update(status="confirmed", change_requested_at=BOOKED_AT,
                                                 change_request_note=note)


def test_moving_a_session_at_the_desk_resets_its_confirmation_and_change_request(world):
    course = book(world)
    session = course.sessions.get(number=1)
    _confirm_and_ask(session, "Thursdays after 16:00")
    session.refresh_from_db()
    move(session, "2027-03-04 16:00")
    session.refresh_from_db()
    assert (session.status, session.change_requested_at, session.change_request_note) == ("booked", None, "")


def test_a_session_moved_by_the_cascade_is_reset_and_its_old_links_retired(client, world):
    course = book(world)
    first, second = course.sessions.get(number=1), course.sessions.get(number=2)
    old_link = email_link(reminder_of(course, 2), "confirm")
    _confirm_and_ask(second)
    first.refresh_from_db()
    _moved, others, _warnings = session_reschedule(session=first, start=at("2027-03-15 10:00"),
                                                           now=BOOKED_AT, override_reason="the patient asked")
    assert second.pk in [s.pk for s in others]  # the cascade re-placed session 2
    second.refresh_from_db()
    assert (second.status, second.change_requested_at) == ("booked", None)
    assert "Bu randevu değişti." in client.post(old_link).content.decode()
    second.refresh_from_db()
    assert second.status == "booked"


def test_moving_a_session_through_the_api_resets_its_confirmation(api_receptionist, world):
    course = book(world)
    session = course.sessions.get(number=1)
    _confirm_and_ask(session)
    response = api_receptionist.post(f"/api/v1/sessions/{session.pk}/reschedule/",
                                     {"start": "2027-03-01T16:00:00+03:00", "cascade": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["session"]["status"] == "booked"
    session.refresh_from_db()
    assert session.change_requested_at is None


def test_a_session_that_stays_inside_its_window_keeps_its_confirmation(world):
    course = book(world)
    first, second = course.sessions.get(number=1), course.sessions.get(number=2)
    Session.objects.filter(pk=second.pk).update(status="confirmed")
    first.refresh_from_db()
    session_reschedule(session=first, start=at("2027-03-01 15:00"), now=BOOKED_AT)
    second.refresh_from_db()
    assert second.status == "confirmed"  # its time did not change


# --- Every link page says which visit ---------------------------------------------------------


@pytest.mark.parametrize("purpose", ["confirm", "change", "unsubscribe"])
def test_every_link_page_shows_the_visits_date_both_times_and_place(client, world, purpose):
    course = book(world, londoner(world))
    html = client.get(email_link(reminder_of(course, 2), purpose)).content.decode()
    session = course.sessions.get(number=2)
    assert "Session 2 of 3" in html
    clinic_time, london_time = session.start.astimezone(ISTANBUL), session.start.astimezone(ZoneInfo("Europe/London"))
    between = '</span> <span class="text-body-secondary">'
    assert f"{clinic_time:%-d} March 2027, {clinic_time:%H:%M}{between}(clinic time, Europe/Istanbul)" in html
    assert f"{london_time:%-d} March 2027, {london_time:%H:%M}{between}(your time, Europe/London)" in html
    assert "Anagen Istanbul" in html and "Teşvikiye Caddesi 5<br>Şişli, İstanbul" in html


def test_a_patient_in_the_clinics_zone_sees_one_time(client, world):
    course = book(world)
    with_one_zone = client.get(email_link(reminder_of(course, 1), "confirm")).content.decode()
    assert "Pazartesi 1 Mart 2027, 10:00" in with_one_zone  # Turkish, Istanbul time
    assert "(sizin saatiniz" not in with_one_zone.lower()


# --- The change page ---------------------------------------------------------------------------


def test_the_change_page_gives_the_clinics_phone_and_stores_what_times_suit(client, desk, world):
    course = book(world, londoner(world))
    url = email_link(reminder_of(course, 2), "change")
    page = client.get(url).content.decode()
    assert 'href="tel:+90-212-555-01-23"' in page and "+90 212 555 01 23" in page
    assert "Which days and times would suit you? (optional)" in page
    client.post(url, {"note": "  Any weekday after 4 pm, not Fridays  "})
    session = course.sessions.get(number=2)
    assert session.change_requested_at is not None
    assert session.change_request_note == "Any weekday after 4 pm, not Fridays"
    chase = desk.get(reverse("booking:chase")).content.decode()
    assert "Any weekday after 4 pm, not Fridays" in chase


def test_a_note_too_long_is_an_error_by_the_field_and_records_nothing(client, world):
    course = book(world, londoner(world))
    url = email_link(reminder_of(course, 2), "change")
    response = client.post(url, {"note": "x" * 501})
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert course.sessions.get(number=2).change_requested_at is None


def test_the_change_page_is_translated_and_without_a_phone_says_none(client, world):
    world.location.phone = ""
    world.location.save()
    course = book(world)
    page = client.get(email_link(reminder_of(course, 2), "change")).content.decode()
    assert "Hangi gün ve saatler size uygun? (isteğe bağlı)" in page
    assert 'data-testid="clinic-phone"' not in page


# --- The confirmation's links --------------------------------------------------------------------


def test_the_confirmation_carries_confirm_and_change_links_for_the_first_session_only(world):
    course = book(world)
    confirmation = course.reminders.get(kind="confirmation")
    _subject, text, html, _sessions = render(confirmation)
    first = course.sessions.get(number=1)
    for body in (text, html):
        found = links_in(body)
        assert sorted(purpose for purpose, _path in found) == ["change", "confirm"]
        for purpose, path in found:
            assert read_link(purpose, path.rstrip("/").rsplit("/", 1)[1]) == {"p": first.patient_id, "s": first.pk,
                                                                             "q": 0}


def test_a_session_booked_for_tomorrow_morning_gets_its_links_in_the_confirmation(client, world):
    start = at("2027-03-01 10:00")
    course = book(world, now=start - timedelta(hours=20))
    first = course.sessions.get(number=1)
    assert not first.reminders.filter(kind="reminder").exists()  # no reminder will carry them
    url = email_link(course.reminders.get(kind="confirmation"), "confirm")
    client.post(url)
    first.refresh_from_db()
    assert first.status == "confirmed"


def test_every_session_too_near_for_any_reminder_gets_its_links_in_the_confirmation():
    world = build_world(gap=(1, 1, 1), screened_at=BOOKED_AT - timedelta(days=1))
    world.location.reminder_offsets = ["48h"]
    world.location.save()
    course = book(world, now=at("2027-03-01 08:00"))  # sessions on Monday, Tuesday and Wednesday at 10:00
    sessions = list(course.sessions.order_by("number"))
    assert [s.reminders.filter(kind="reminder").count() for s in sessions] == [0, 0, 1]
    _subject, text, _html, _sessions = render(course.reminders.get(kind="confirmation"))
    linked = {read_link(p, path.rstrip("/").rsplit("/", 1)[1])["s"] for p, path in links_in(text)}
    assert linked == {sessions[0].pk, sessions[1].pk}  # session 3 gets them in its 48h reminder


# --- Staff copies are inert --------------------------------------------------------------------


def working_tokens(content: str) -> list[str]:
    """Every string in the page that a patient link would accept as its token."""
    found = []
    for candidate in set(re.findall(r"[-\w:.]{20,}", content)):
        for purpose in ("confirm", "change", "unsubscribe"):
            try:
                read_link(purpose, candidate)
            except signing.BadSignature:
                continue
            found.append(candidate)
    return found


def test_no_working_patient_link_is_in_a_preview_or_a_stored_copy(desk, world, smtp):
    course = book(world)
    reminder_dispatch_due(now=BOOKED_AT)
    sent = course.reminders.get(kind="confirmation")
    assert sent.status == "sent"
    pending = reminder_of(course, 1)
    assert pending.status == "pending"
    received = smtp.messages[0].get_body(("plain",)).get_content()
    assert working_tokens(received)  # the patient's own email does carry working links

    for reminder in (sent, pending):
        page = desk.get(reverse("reminders:detail", args=[reminder.pk])).content.decode()
        assert working_tokens(page) == []
        assert "/p/confirm/" not in page and "/p/unsubscribe/" not in page
        assert "[patient link: not shown in the staff copy]" in page
        assert "links do not work in this copy" in page
    sent.refresh_from_db()
    assert working_tokens(sent.rendered_text + sent.rendered_html) == []
    assert 'data-inert-link="confirm"' in sent.rendered_html and 'data-inert-link="change"' in sent.rendered_html


def test_a_copy_stored_with_live_links_before_the_fix_is_shown_inert(desk, world):
    course = book(world)
    first = course.sessions.get(number=1)
    live = signed_link("confirm", first.pk, first.patient_id, first.sequence)
    Reminder.objects.filter(pk=course.reminders.get(kind="confirmation").pk).update(
        status="sent", sent_at=BOOKED_AT, rendered_subject="Booked",
        rendered_text=f"Confirm you will come: {live}", rendered_html=f'<a href="{live}">I will come</a>',
    )
    page = desk.get(reverse("reminders:detail", args=[course.reminders.get(kind="confirmation").pk]))
    assert working_tokens(page.content.decode()) == []


# --- The record of a patient who unsubscribed by the link ---------------------------------------


def test_a_patient_who_unsubscribed_by_the_link_has_a_record_page_that_says_so(client, desk, world):
    course = book(world)
    client.post(email_link(reminder_of(course, 1), "unsubscribe"))
    world.patient.refresh_from_db()
    assert world.patient.reminder_opt_in is False
    response = desk.get(reverse("patients:detail", args=[world.patient.pk]))
    assert response.status_code == 200
    assert "recorded by the patient, by the link in an email" in response.content.decode()


def test_the_session_page_the_desk_moves_from_shows_the_patients_note(client, desk, world):
    course = book(world)
    client.post(email_link(reminder_of(course, 2), "change"), {"note": "Saturday <mornings> & evenings"})
    session = course.sessions.get(number=2)
    page = desk.get(reverse("booking:session", args=[session.pk])).content.decode()
    assert "Times that suit them:</span> Saturday &lt;mornings&gt; &amp; evenings" in page
