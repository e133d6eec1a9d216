"""The reminder outbox and its dispatcher, against a real SMTP server (aiosmtpd)."""

from datetime import timedelta

import pytest
import time_machine

from patients.booking import services as booking
from patients.booking.chase import courses_to_chase
from patients.booking.reschedule import session_reschedule
from patients.booking.status import course_cancel, session_cancel, session_set_status
from patients.models import Reminder
from patients.reminders.dispatch import reminder_claim_due, reminder_dispatch_due, reminder_send_claimed
from patients.reminders.outbox import reminder_retry
from patients.reminders.recalls import recall_queue_due
from tests.factories import PatientFactory, ScreeningFactory
from tests.helpers import SmtpSink
from tests.patients.booking.world import at, build_world, screening_time

BOOKED_AT = at("2027-02-01 09:00")

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKED_AT)]


@pytest.fixture
def world():
    return build_world(screened_at=BOOKED_AT - timedelta(days=1))


def book(world, start="2027-03-01 10:00", **kwargs):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at(start), now=BOOKED_AT, **kwargs)
    return course


def test_booking_queues_a_confirmation_now_and_reminders_per_offset(world):
    course = book(world)
    rows = list(Reminder.objects.filter(course=course).order_by("send_at", "id"))
    assert rows[0].kind == "confirmation" and rows[0].send_at == BOOKED_AT
    reminders = [(r.session.number, r.offset, r.send_at) for r in rows if r.kind == "reminder"]
    first = course.sessions.get(number=1).start
    assert (1, "7d", first - timedelta(days=7)) in reminders and (1, "24h", first - timedelta(hours=24)) in reminders
    assert len(reminders) == 6


def test_offsets_already_past_at_booking_are_not_queued(world):
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=at("2027-02-25 09:00"))
    assert not Reminder.objects.filter(session__number=1, offset="7d").exists()
    assert Reminder.objects.filter(session__number=1, offset="24h").exists()
    assert course.sessions.count() == 3


def test_the_confirmation_goes_out_with_every_session_in_its_calendar_part(world, smtp):
    book(world)
    result = reminder_dispatch_due(now=BOOKED_AT)
    assert result.sent == 1
    [message] = smtp.messages
    confirmation = Reminder.objects.get(kind="confirmation")
    assert confirmation.status == "sent" and confirmation.message_id == str(message["Message-ID"])
    assert message["To"].addresses[0].addr_spec == "ayse@example.test"
    calendar = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    text = calendar.get_content()
    assert text.count("BEGIN:VEVENT") == 3 and "METHOD:REQUEST" in text and "TZID=Europe/Istanbul" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Oturum 1 / 3" in html and "1 of 3" not in html  # the patient's language is Turkish


def test_a_reminder_is_sent_at_its_time_not_before(world, smtp):
    course = book(world)
    reminder_dispatch_due(now=BOOKED_AT)
    due = Reminder.objects.get(session__number=1, offset="7d")
    assert reminder_dispatch_due(now=due.send_at - timedelta(seconds=1)).sent == 0
    assert reminder_dispatch_due(now=due.send_at).sent == 1
    due.refresh_from_db()
    assert due.status == "sent" and due.sent_at is not None
    assert course.sessions.get(number=1).status == "booked"


def test_a_reminder_still_unsent_when_its_session_starts_expires(world, smtp):
    course = book(world)
    start = course.sessions.get(number=1).start
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        reminder_dispatch_due(now=start + timedelta(minutes=1), batch=50)
    statuses = dict(Reminder.objects.filter(session__number=1).values_list("offset", "status"))
    assert statuses == {"7d": "expired", "24h": "expired"}
    sent = dict(Reminder.objects.filter(status="sent").values_list("message_id", "kind"))
    assert [sent[str(m["Message-ID"])] for m in smtp.messages] == ["confirmation"] * len(smtp.messages)


def test_patients_without_consent_get_skipped_reminders_but_still_their_confirmation(world, smtp):
    world.patient.reminder_opt_in = False
    world.patient.save()
    course = book(world)
    first = course.sessions.get(number=1)
    reminder_dispatch_due(now=first.start - timedelta(hours=1))
    assert Reminder.objects.get(kind="confirmation").status == "sent"
    assert set(Reminder.objects.filter(session=first).values_list("status", flat=True)) == {"skipped"}
    assert len(smtp.messages) == 1


def test_a_session_moved_between_the_claim_and_the_send_never_has_its_old_time_announced(world, smtp):
    course = book(world)
    reminder_dispatch_due(now=BOOKED_AT)  # the confirmation
    second = course.sessions.get(number=2)
    due_at = Reminder.objects.get(session=second, offset="7d").send_at
    claimed = reminder_claim_due(now=due_at, batch=10, worker="w1")
    old = Reminder.objects.get(session=second, offset="7d", session_sequence=0)
    assert old.pk in claimed
    session_reschedule(session=second, start=at("2027-03-30 11:00"), now=due_at)
    reminder_send_claimed(ids=claimed, worker="w1", now=due_at)
    old.refresh_from_db()
    assert old.status == "cancelled" and not old.message_id
    [confirmation] = smtp.messages  # the claimed reminder of the old time never went out
    # The next pass announces the new time (in Turkish), never the old one.
    reminder_dispatch_due(now=due_at)
    [change] = smtp.messages[1:]
    assert Reminder.objects.get(message_id=str(change["Message-ID"])).kind == "change"
    text = change.get_body(preferencelist=("plain",)).get_content()
    assert "Salı 30 Mart 2027, 11:00" in text and "29 Mart" not in text


def calendar_of(message) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/calendar").get_content()


def test_a_change_email_carries_the_moved_session_with_a_higher_sequence(world, smtp):
    course = book(world)
    second = course.sessions.get(number=2)
    session_reschedule(session=second, start=at("2027-03-30 11:00"), now=BOOKED_AT)
    reminder_dispatch_due(now=BOOKED_AT)
    kinds = dict(Reminder.objects.filter(status="sent").values_list("message_id", "kind"))
    [change] = [m for m in smtp.messages if kinds[str(m["Message-ID"])] == "change"]
    text = calendar_of(change)
    assert text.count("BEGIN:VEVENT") == 1
    assert "SEQUENCE:1" in text and "METHOD:REQUEST" in text
    assert f"UID:anagen-session-{second.pk}@clinic.example.com" in text
    assert "DTSTART;TZID=Europe/Istanbul:20270330T110000" in text


def test_a_cancellation_carries_method_cancel_for_the_same_uid(world, smtp):
    course = book(world)
    reminder_dispatch_due(now=BOOKED_AT)
    course_cancel(course=course, reason="Moved abroad", now=BOOKED_AT)
    reminder_dispatch_due(now=BOOKED_AT)
    confirmation, cancellation = smtp.messages
    cal_b = next(p for p in cancellation.walk() if p.get_content_type() == "text/calendar")
    assert cal_b.get_param("method") == "CANCEL"
    text_b = cal_b.get_content()
    assert "METHOD:CANCEL" in text_b and "STATUS:CANCELLED" in text_b and "SEQUENCE:1" in text_b
    uids = lambda text: sorted(line for line in text.splitlines() if line.startswith("UID:"))  # noqa: E731
    assert uids(calendar_of(confirmation)) == uids(text_b)


def test_a_server_that_refuses_for_a_while_gets_each_reminder_once_when_it_is_back(world, smtp):
    book(world)
    smtp.fail_with = "451 4.3.0 Try again later"
    result = reminder_dispatch_due(now=BOOKED_AT)
    assert result.retried == 1 and smtp.messages == []
    confirmation = Reminder.objects.get(kind="confirmation")
    assert confirmation.status == "pending" and confirmation.attempts == 1 and "451" in confirmation.last_error
    smtp.fail_with = None
    assert reminder_dispatch_due(now=BOOKED_AT).sent == 0  # backing off: not due yet
    later = confirmation.send_at + timedelta(minutes=1)
    assert reminder_dispatch_due(now=later).sent == 1
    assert reminder_dispatch_due(now=later + timedelta(hours=1)).sent == 0
    assert len(smtp.messages) == 1


def test_an_unreachable_server_spends_no_attempt_and_the_batch_waits_for_the_next_pass(world, settings):
    settings.MAILERS = SmtpSink().mailers()  # nothing listens on that port
    book(world)
    Reminder.objects.update(send_at=BOOKED_AT)
    result = reminder_dispatch_due(now=BOOKED_AT)
    assert result.sent == 0 and result.retried == 7 and result.unreachable
    rows = Reminder.objects.all()
    assert {(r.status, r.attempts, r.claimed_until) for r in rows} == {("pending", 0, None)}
    assert all("Connection refused" in r.last_error or "Errno" in r.last_error for r in rows)


def test_a_message_the_server_keeps_refusing_fails_after_the_last_attempt_and_retry_requeues_it(world, smtp):
    book(world)
    smtp.fail_with = "451 4.3.0 Try again later"
    moment = BOOKED_AT
    for _ in range(5):
        reminder_dispatch_due(now=moment)
        moment += timedelta(hours=1)
    confirmation = Reminder.objects.get(kind="confirmation")
    assert confirmation.status == "failed" and confirmation.attempts == 5
    reminder_retry(reminder=confirmation, now=moment)
    confirmation.refresh_from_db()
    assert confirmation.status == "pending" and confirmation.attempts == 0


def test_a_permanent_refusal_fails_at_once(world, smtp):
    book(world)
    smtp.fail_with = "554 5.7.1 Message rejected"
    reminder_dispatch_due(now=BOOKED_AT)
    confirmation = Reminder.objects.get(kind="confirmation")
    assert confirmation.status == "failed" and confirmation.attempts == 1 and "554" in confirmation.last_error


def test_names_with_line_breaks_and_html_cannot_inject_headers_and_render_as_text(world, smtp):
    world.patient.first_name = "Ayşe\r\nBcc: victim@example.com"
    world.patient.last_name = "<script>alert(1)</script>"
    world.patient.save(update_fields=["first_name", "last_name"])
    world.location.name = "Clinic\r\nX-Injected: yes <b>bold</b>"
    world.location.save(update_fields=["name"])
    book(world)
    reminder_dispatch_due(now=BOOKED_AT)
    [message] = smtp.messages
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["ayse@example.test"]
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_two_passes_at_once_never_claim_the_same_row(world):
    book(world)
    Reminder.objects.update(send_at=BOOKED_AT)
    first = reminder_claim_due(now=BOOKED_AT, batch=4, worker="a")
    second = reminder_claim_due(now=BOOKED_AT, batch=10, worker="b")
    assert len(first) == 4 and len(second) == 3 and not set(first) & set(second)


def test_a_claim_whose_worker_died_is_taken_again_after_its_lease(world, settings):
    settings.REMINDER_CLAIM_LEASE_SECONDS = 60
    book(world)
    claimed = reminder_claim_due(now=BOOKED_AT, batch=1, worker="dead")
    assert reminder_claim_due(now=BOOKED_AT + timedelta(seconds=30), batch=1, worker="alive") == []
    assert reminder_claim_due(now=BOOKED_AT + timedelta(seconds=61), batch=1, worker="alive") == claimed


def test_a_unique_constraint_makes_a_second_reminder_for_the_same_session_offset_impossible(world):
    from django.db import IntegrityError, transaction

    book(world)
    original = Reminder.objects.filter(kind="reminder").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(course=original.course, session=original.session, patient=original.patient,
                                kind="reminder", offset=original.offset, send_at=original.send_at)


def test_a_cancelled_session_that_stays_unbooked_is_recalled_once_per_gap(world):
    course = book(world)
    second = course.sessions.get(number=2)
    session_cancel(session=second, reason="Travelling", now=BOOKED_AT)
    chase = courses_to_chase(now=BOOKED_AT)
    assert [(c.course.pk, c.number, c.reason) for c in chase] == [(course.pk, 2, "cancelled")]
    # Its window closes 2027-04-05; the recall goes out in the last 7 days, once.
    assert recall_queue_due(now=at("2027-03-20 08:00")) == 0
    assert recall_queue_due(now=at("2027-03-30 08:00")) == 1
    assert recall_queue_due(now=at("2027-03-31 08:00")) == 0
    assert Reminder.objects.filter(kind="recall").count() == 1


def test_completing_a_treatment_session_queues_its_aftercare_in_the_patients_language(world, smtp):
    course = book(world)
    first = course.sessions.get(number=1)
    for status in ("arrived", "completed"):
        session_set_status(session=first, status=status, now=first.start + timedelta(minutes=40))
    aftercare = Reminder.objects.get(kind="aftercare")
    reminder_dispatch_due(now=max(aftercare.send_at, BOOKED_AT), batch=50)
    aftercare.refresh_from_db()
    assert aftercare.status == "sent"
    body = aftercare.rendered_text
    assert "48" in body


def test_the_periodic_task_stops_its_loop_when_the_server_is_unreachable(world, settings):
    from django.utils import timezone

    from patients.tasks import dispatch_due_reminders

    settings.MAILERS = SmtpSink().mailers()  # nothing listens on that port
    book(world)
    Reminder.objects.update(send_at=timezone.now() - timedelta(minutes=1))  # the task reads the real clock
    totals = dispatch_due_reminders.run(batch=2, helpers=0)  # seven due rows: a loop would take four batches
    assert totals["claimed"] == 2 and totals["unreachable"] == 1


def test_an_address_no_mail_server_can_take_fails_that_email_and_the_batch_goes_on(world, smtp):
    book(world)
    other = PatientFactory(email="mehmet@example.test")
    ScreeningFactory(patient=other, **screening_time(BOOKED_AT - timedelta(days=1)))
    booking.course_book(patient=other, protocol=world.protocol, location=world.location,
                        start=at("2027-03-02 10:00"), now=BOOKED_AT)
    # The forms refuse such an address; one written around them must not stall the queue.
    world.patient.email = "ayşe@example.test"
    world.patient.save(update_fields=["email"])
    result = reminder_dispatch_due(now=BOOKED_AT)
    bad = Reminder.objects.get(kind="confirmation", patient=world.patient)
    assert bad.status == "failed" and "non-ASCII" in bad.last_error
    assert Reminder.objects.get(kind="confirmation", patient=other).status == "sent"
    assert result.failed == 1 and result.sent == 1 and len(smtp.messages) == 1
