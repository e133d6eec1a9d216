"""The reminder pages: the clinic-wide log, one email as the patient saw it, retry, the patient's
recent emails and the nav's failed count."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from patients.booking import services as booking
from patients.models import Patient, Reminder
from patients.reminders.dispatch import reminder_dispatch_due
from tests.factories import LocationFactory
from tests.helpers import client_for
from tests.patients.booking.world import at, build_world

pytestmark = pytest.mark.django_db

BOOKED_AT = at("2027-02-01 09:00")


@pytest.fixture
def world():
    return build_world(screened_at=BOOKED_AT - timedelta(days=1))


def book(world, patient=None, start="2027-03-01 10:00"):
    course, _ = booking.course_book(patient=patient or world.patient, protocol=world.protocol,
                                    location=world.location, start=at(start), now=BOOKED_AT)
    return course


def fail(reminder: Reminder, error: str = "SMTPRecipientsRefused: 550 mailbox unavailable") -> Reminder:
    Reminder.objects.filter(pk=reminder.pk).update(status="failed", attempts=5, last_error=error)
    reminder.refresh_from_db()
    return reminder


def rows(response) -> list[Reminder]:
    return list(response.context["reminders"])


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/reminders/", "/reminders/1/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_cannot_retry(client, world):
    book(world)
    failed = fail(Reminder.objects.get(kind="confirmation"))
    response = client.post(f"/reminders/{failed.pk}/retry/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_staff_without_a_role_get_403(make_staff, world):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x" * 20)
    assert client_for(nobody).get("/reminders/").status_code == 403


def test_a_receptionist_sees_the_log_with_every_reminder(desk, world):
    course = book(world)
    response = desk.get("/reminders/")
    assert response.status_code == 200
    assert len(rows(response)) == Reminder.objects.filter(course=course).count() == 7
    html = response.content.decode()
    assert "<h1>Reminders</h1>" in html
    assert world.patient.last_name in html


def test_the_log_shows_an_empty_state(desk):
    assert "No emails yet" in desk.get("/reminders/").content.decode()


# --- The log's rows and filters ---------------------------------------------------------------


def test_rows_show_the_session_n_of_N_in_the_clinic_zone_and_newest_first(desk, world):
    book(world)
    response = desk.get("/reminders/")
    listed = rows(response)
    assert [r.send_at for r in listed] == sorted((r.send_at for r in listed), reverse=True)
    html = response.content.decode()
    # Session 3 starts in Istanbul at 10:00 (UTC+3): the row shows 10:00, never 07:00 UTC.
    third = world.patient.sessions.get(number=3)
    local = third.start.astimezone(ZoneInfo("Europe/Istanbul"))
    assert local.hour == 10
    assert "Session 3 of 3" in html
    assert f"{local:%a} {local.day} {local:%b %Y} 10:00" in html


def test_the_log_filters_by_status_and_kind_and_counts_each_status(desk, world):
    book(world)
    failed = fail(Reminder.objects.filter(kind="reminder").first())
    response = desk.get("/reminders/", {"status": "failed"})
    assert [r.pk for r in rows(response)] == [failed.pk]
    counts = {c["status"]: c["count"] for c in response.context["counts"]}
    assert counts == {"pending": 6, "sent": 0, "failed": 1, "skipped": 0, "expired": 0, "cancelled": 0}
    by_kind = desk.get("/reminders/", {"kind": "confirmation"})
    assert {r.kind for r in rows(by_kind)} == {"confirmation"} and len(rows(by_kind)) == 1


def test_the_log_filters_by_location_patient_search_and_date(desk, world):
    book(world)
    other = world.new_patient(first_name="Jonas", last_name="Becker", email="jonas@example.test", language="de")
    book(world, patient=other, start="2027-03-02 11:00")
    found = desk.get("/reminders/", {"q": "becker"})
    assert rows(found) and {r.patient_id for r in rows(found)} == {other.pk}
    elsewhere = LocationFactory(name="Anagen Madrid", timezone="Europe/Madrid", country="ES")
    assert rows(desk.get("/reminders/", {"location": elsewhere.pk})) == []
    assert len(rows(desk.get("/reminders/", {"location": world.location.pk}))) == 14
    # Both confirmations are due at booking, 2027-02-01 in Istanbul; reminders come later.
    on_the_day = rows(desk.get("/reminders/", {"date_from": "2027-02-01", "date_to": "2027-02-01"}))
    assert {r.kind for r in on_the_day} == {"confirmation"} and len(on_the_day) == 2
    only_patient = rows(desk.get("/reminders/", {"patient": other.pk}))
    assert {r.patient_id for r in only_patient} == {other.pk}


def test_the_date_filter_uses_the_clinic_day_not_the_utc_day(desk, world):
    book(world)
    reminder = Reminder.objects.filter(kind="reminder").first()
    # 00:30 in Istanbul on 10 March is still 9 March in UTC.
    Reminder.objects.filter(pk=reminder.pk).update(send_at=at("2027-03-10 00:30"))
    listed = rows(desk.get("/reminders/", {"date_from": "2027-03-10", "date_to": "2027-03-10"}))
    assert [r.pk for r in listed] == [reminder.pk]


def test_a_bad_filter_is_shown_by_its_field_and_ignored(desk, world):
    book(world)
    response = desk.get("/reminders/", {"date_from": "not-a-date", "kind": "nonsense", "location": "abc"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"date_from", "kind", "location"}
    assert len(rows(response)) == 7
    assert "is-invalid" in response.content.decode()


def test_an_end_date_before_the_start_date_is_an_error_by_the_field(desk, world):
    response = desk.get("/reminders/", {"date_from": "2027-03-10", "date_to": "2027-03-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_the_log_pages_by_25_and_an_unknown_page_shows_the_last(desk, world):
    book(world)
    for n, start in enumerate(["2027-03-03 10:00", "2027-03-04 10:00", "2027-03-05 10:00"]):
        book(world, patient=world.new_patient(email=f"p{n}@example.test"), start=start)
    response = desk.get("/reminders/")
    assert len(rows(response)) == 25 and response.context["page_obj"].paginator.count == 28
    assert len(rows(desk.get("/reminders/", {"page": "99"}))) == 3
    assert desk.get("/reminders/", {"page": "abc"}).status_code == 200


def test_the_log_query_count_does_not_grow_with_rows(desk, world, django_assert_max_num_queries):
    book(world)
    with django_assert_max_num_queries(12) as few:
        desk.get("/reminders/")
    for n, start in enumerate(["2027-03-03 10:00", "2027-03-04 10:00", "2027-03-05 10:00"]):
        course = book(world, patient=world.new_patient(email=f"p{n}@example.test"), start=start)
        fail(course.reminders.filter(kind="reminder").first())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = desk.get("/reminders/")
    assert len(rows(response)) == 25


# --- Retry ------------------------------------------------------------------------------------


def test_retry_puts_a_failed_reminder_back_in_the_queue(desk, world):
    book(world)
    failed = fail(Reminder.objects.filter(kind="reminder").first())
    response = desk.post(f"/reminders/{failed.pk}/retry/", {"next": "/reminders/?status=failed"})
    assert response.status_code == 302 and response["Location"] == "/reminders/?status=failed"
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0 and failed.last_error == ""


def test_retry_refuses_a_reminder_that_has_not_failed(desk, world):
    book(world)
    pending = Reminder.objects.filter(kind="reminder").first()
    response = desk.post(f"/reminders/{pending.pk}/retry/", follow=True)
    assert response.status_code == 200
    assert "Only a failed reminder can be retried." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_retry_is_post_only(desk, world):
    book(world)
    failed = fail(Reminder.objects.filter(kind="reminder").first())
    assert desk.get(f"/reminders/{failed.pk}/retry/").status_code == 405
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_retry_never_follows_a_next_url_to_another_site(desk, world):
    book(world)
    failed = fail(Reminder.objects.filter(kind="reminder").first())
    response = desk.post(f"/reminders/{failed.pk}/retry/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/reminders/{failed.pk}/"


def test_the_retry_button_shows_on_failed_rows_only_and_asks_first(desk, world):
    book(world)
    failed = fail(Reminder.objects.filter(kind="reminder").first())
    html = desk.get("/reminders/").content.decode()
    assert html.count('/retry/"') == 1
    assert f'action="/reminders/{failed.pk}/retry/"' in html
    form_tag = next(tag for tag in html.split("<form")[1:] if f'action="/reminders/{failed.pk}/retry/"' in tag)
    assert "data-confirm=" in form_tag.split(">", 1)[0]


def test_retry_of_an_unknown_reminder_is_404(desk):
    assert desk.post("/reminders/999999/retry/").status_code == 404


# --- One email as the patient saw it ----------------------------------------------------------


def test_a_sent_email_shows_what_the_patient_received(desk, world, smtp):
    book(world)
    reminder_dispatch_due(now=BOOKED_AT)
    sent = Reminder.objects.get(kind="confirmation")
    assert sent.status == "sent"
    response = desk.get(f"/reminders/{sent.pk}/")
    assert response.status_code == 200
    assert response.context["sent"] is True
    assert response.context["html"] == sent.rendered_html
    html = response.content.decode()
    assert "Preview: not sent yet" not in html
    assert sent.rendered_subject in html
    assert "<iframe sandbox srcdoc=" in html


def test_an_unsent_email_is_a_labelled_preview(desk, world):
    book(world)
    pending = Reminder.objects.filter(kind="reminder").first()
    response = desk.get(f"/reminders/{pending.pk}/")
    html = response.content.decode()
    assert response.context["sent"] is False
    assert "Preview: not sent yet" in html
    assert "Hatırlatma" in response.context["subject"]  # rendered in the patient's language (Turkish)
    assert response.context["text"].strip()


def test_the_email_frame_escapes_hostile_html_in_names(desk, world):
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    Patient.objects.filter(pk=world.patient.pk).update(first_name=hostile)
    book(world)
    pending = Reminder.objects.filter(kind="reminder").first()
    html = desk.get(f"/reminders/{pending.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    frame = html.split("<iframe", 1)[1].split(">", 1)[0]
    assert frame.startswith(" sandbox srcdoc=\"")
    assert "allow-scripts" not in frame and "allow-same-origin" not in frame
    srcdoc = frame.split('srcdoc="', 1)[1].split('"', 1)[0]
    assert "&lt;" in srcdoc and "<" not in srcdoc
    # Escaped twice: once by the email template, once for the attribute.
    assert "&amp;lt;script&amp;gt;" in srcdoc


def test_a_stored_hostile_body_cannot_break_out_of_the_frame(desk, world):
    book(world)
    sent = Reminder.objects.get(kind="confirmation")
    Reminder.objects.filter(pk=sent.pk).update(
        status="sent", sent_at=BOOKED_AT, rendered_subject="<b>Hi</b>",
        rendered_html='<p>ok</p>"></iframe><script>alert(3)</script>', rendered_text="ok",
    )
    html = desk.get(f"/reminders/{sent.pk}/").content.decode()
    assert "<script>alert(3)" not in html and "<b>Hi</b>" not in html
    assert html.count("</iframe>") == 1


def test_an_unknown_reminder_is_404(desk):
    assert desk.get("/reminders/424242/").status_code == 404
    assert desk.get("/reminders/abc/").status_code == 404


# --- The patient's page and the nav -----------------------------------------------------------


def test_the_patient_page_lists_the_last_ten_reminders_linking_to_each(desk, world):
    book(world)
    book(world, start="2027-06-01 10:00")  # a second course: 14 reminders in all
    response = desk.get(f"/patients/{world.patient.pk}/")
    html = response.content.decode()
    section = html.split('id="reminders"', 1)[1].split("</section>", 1)[0]
    latest = Reminder.objects.filter(patient=world.patient).order_by("-send_at", "-id")[:10]
    assert section.count('<tr data-reminder="') == 10
    for reminder in latest:
        assert f'href="/reminders/{reminder.pk}/"' in section
    assert f"/reminders/?patient={world.patient.pk}" in section


def test_the_patient_page_shows_an_empty_reminder_state(desk, world):
    html = desk.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "No reminders sent or queued yet." in html


def test_the_nav_links_the_log_and_loads_the_failed_count_after_the_page(desk, world):
    html = desk.get("/patients/").content.decode()
    nav = html.split('aria-label="Main navigation"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/reminders/"' in nav and 'hx-get="/reminders/failed-badge/"' in nav


def test_the_failed_badge_counts_failed_emails_and_is_empty_without_any(desk, world, client):
    book(world)
    assert desk.get("/reminders/failed-badge/").content == b""
    for reminder in Reminder.objects.filter(kind="reminder")[:2]:
        fail(reminder)
    badge = desk.get("/reminders/failed-badge/").content.decode()
    assert 'data-failed-count="2"' in badge and "text-bg-danger" in badge
    assert client.get("/reminders/failed-badge/").status_code == 302
