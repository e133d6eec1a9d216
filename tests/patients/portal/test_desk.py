"""The desk's side of the portal: the QR code and revoking on the patient's page, what the
patient did shown as the patient's, the portal link in every email (never in a staff copy), the
reminder before session 1 naming what is missing, and the location's change notice."""

import re

import pytest
from django.utils import timezone

from clinic.access_log import loggable_path
from patients.models import PortalAccess, Reminder
from patients.portal import services as portal
from patients.portal.tokens import PortalTokenError, portal_patient, portal_token
from patients.reminders.emails import batch_reads, build_message, inert_links, render
from tests.factories import no_answers
from tests.helpers import client_for
from tests.patients.booking.world import build_world
from tests.patients.consent.world import active
from tests.patients.portal.world import BOOKING_CLOCK, at, book

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKING_CLOCK)]
PORTAL = re.compile(r"/portal/[-\w.]*:[-\w:.]+/")


def test_the_patient_page_offers_the_qr_code_and_revoking(desk):
    booked = book()
    patient = booked.world.patient
    page = desk.get(f"/patients/{patient.pk}/").content.decode()
    assert 'data-testid="patient-portal"' in page and f"/patients/{patient.pk}/portal/" in page
    qr = desk.get(f"/patients/{patient.pk}/portal/")
    assert qr.status_code == 200
    html = qr.content.decode()
    assert 'src="data:image/svg+xml' in html
    token = PORTAL.search(html).group(0).split("/")[2]
    assert portal_patient(token) == patient
    response = desk.post(f"/patients/{patient.pk}/portal/revoke/")
    assert response.status_code == 302
    with pytest.raises(PortalTokenError):
        portal_patient(token)
    access = PortalAccess.objects.get(patient=patient)
    assert access.revoked_by is not None and access.epoch == 1
    assert "Links revoked" in desk.get(f"/patients/{patient.pk}/").content.decode()


def test_the_qr_page_needs_staff(client):
    booked = book()
    assert client.get(f"/patients/{booked.world.patient.pk}/portal/").status_code == 302
    assert client.post(f"/patients/{booked.world.patient.pk}/portal/revoke/").status_code == 302
    assert PortalAccess.objects.count() == 0


def test_a_screening_filled_at_home_shows_as_reported_by_the_patient(desk):
    booked = book()
    portal.portal_screening_record(patient=booked.world.patient, answers=no_answers())
    page = desk.get(f"/patients/{booked.world.patient.pk}/").content.decode()
    assert 'data-testid="reported-by-patient"' in page


def test_the_course_and_its_history_say_the_patient_moved_it(desk, admin_user):
    booked = book()
    two = booked.session(2)
    portal.portal_session_reschedule(patient=booked.world.patient, session=two, start=at("2027-03-22 11:00"))
    page = desk.get(f"/booking/courses/{booked.course.pk}/").content.decode()
    assert 'data-testid="patient-changes"' in page
    assert "the patient moved session 2" in page and "the patient moved session 3" in page
    history = client_for(admin_user).get(f"/history/patients/session/{two.pk}/").content.decode()
    assert 'data-testid="by-patient"' in history


def test_every_email_carries_the_portal_link_but_no_staff_copy_does(desk):
    booked = book()
    for reminder in Reminder.objects.filter(course=booked.course):
        subject, text, html, _ = render(reminder)
        assert PORTAL.search(text) and PORTAL.search(html), reminder.kind
        assert not PORTAL.search(inert_links(text)) and not PORTAL.search(inert_links(html))
    confirmation = Reminder.objects.get(course=booked.course, kind="confirmation")
    staff_copy = desk.get(f"/reminders/{confirmation.pk}/").content.decode()
    assert not PORTAL.search(staff_copy)


def test_the_reminder_before_session_1_names_what_is_missing():
    document = active("CONSENT-HOME")
    world = build_world(gap=(21, 28, 30), screened_at=timezone.now() - timezone.timedelta(days=10))
    world.patient.language = "en"
    world.patient.save()
    booked = book(world)
    first = Reminder.objects.get(course=booked.course, kind="reminder", session__number=1, offset="7d")
    subject, text, html, _ = render(first)
    assert "- the health questions" in text and "- Treatment consent" in text
    assert "data-missing-forms" in html
    later = Reminder.objects.get(course=booked.course, kind="reminder", session__number=2, offset="7d")
    assert "data-missing-forms" not in render(later)[2]
    from tests.patients.consent.world import sign

    sign(world.patient, document)
    portal.portal_screening_record(patient=world.patient, answers=no_answers())
    assert "data-missing-forms" not in render(first)[2]


def test_a_batch_of_emails_reads_the_missing_forms_once_and_each_email_says_what_it_would_alone(
        django_assert_num_queries):
    document = active("CONSENT-HOME")
    world = build_world(gap=(21, 28, 30), screened_at=timezone.now() - timezone.timedelta(days=10))
    world.patient.language = "en"
    world.patient.save()
    booked = book(world)
    reminders = list(Reminder.objects.filter(course=booked.course, kind="reminder")
                     .select_related("session", "patient").order_by("session__number", "offset"))
    first = {r.pk for r in reminders if r.session.number == 1}
    assert first and len(first) < len(reminders)
    # The portal epochs, the coming sessions, the documents, the signatures: whatever the batch's size.
    with django_assert_num_queries(4):
        reads = batch_reads(reminders)
    assert set(reads.forms) == first
    for reminder in reminders:
        for text in (build_message(reminder, reads).body, build_message(reminder).body):
            assert ("- the health questions" in text) is (reminder.pk in first)
            assert ("- Treatment consent" in text) is (reminder.pk in first)
    from tests.patients.consent.world import sign

    sign(world.patient, document)
    portal.portal_screening_record(patient=world.patient, answers=no_answers())
    reads = batch_reads(reminders)
    assert not any(forms.any for forms in reads.forms.values())
    assert "data-missing-forms" not in build_message(reminders[0], reads).alternatives[0].content


def test_link_tokens_never_reach_the_access_log():
    booked = book()
    token = portal_token(booked.world.patient)
    assert loggable_path(f"/portal/{token}/") == "/portal/[token]/"
    assert loggable_path("/portal/sessions/4/move/") == "/portal/sessions/4/move/"


def test_the_location_form_and_api_carry_the_change_notice(api_admin, admin_user):
    world = build_world()
    body = api_admin.get(f"/api/v1/locations/{world.location.pk}/").json()
    assert body["change_notice_hours"] == 24
    response = api_admin.patch(f"/api/v1/locations/{world.location.pk}/", {"change_notice_hours": 48}, format="json")
    assert response.status_code == 200 and response.json()["change_notice_hours"] == 48
    bad = api_admin.patch(f"/api/v1/locations/{world.location.pk}/", {"change_notice_hours": 10000}, format="json")
    assert bad.status_code == 400
    form = client_for(admin_user).get(f"/clinic/locations/{world.location.pk}/edit/").content.decode()
    assert 'name="change_notice_hours"' in form
