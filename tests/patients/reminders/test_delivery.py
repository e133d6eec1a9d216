"""Delivery reports from the sending service: anymail's tracking webhooks, posted as the services
post them (anymail's own sample payloads: Postmark with basic auth, Mailgun signed), through the
real /anymail/<service>/tracking/ URLs, onto reminder rows the dispatcher really sent."""

import hashlib
import hmac
import json
from base64 import b64encode
from datetime import UTC, datetime, timedelta

import pytest

from patients.booking import services as booking
from patients.models import Patient, Reminder
from patients.registry.services import patient_update
from patients.reminders.delivery import reminder_delivery_record
from patients.reminders.dispatch import reminder_dispatch_due
from tests.patients.booking.world import at, build_world

pytestmark = pytest.mark.django_db

BOOKED_AT = at("2027-02-01 09:00")
SECRET = "anymail:hook-s3cret"
SIGNING_KEY = "mailgun-signing-key"
POSTMARK_ID = "2706ee8a-737c-4285-b032-ccd317af53ed"


@pytest.fixture
def anymail(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


@pytest.fixture
def sent(anymail, smtp):
    """The confirmation of a booked course, sent over SMTP to the patient."""
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                        start=at("2027-03-01 10:00"), now=BOOKED_AT)
    assert reminder_dispatch_due(now=BOOKED_AT).sent == 1
    reminder = Reminder.objects.get(kind="confirmation")
    assert reminder.message_id == str(smtp.messages[0]["Message-ID"])
    return reminder


def post(client, esp: str, payload: dict, auth: str = SECRET):
    return client.post(f"/anymail/{esp}/tracking/", data=json.dumps(payload), content_type="application/json",
                       HTTP_AUTHORIZATION="Basic " + b64encode(auth.encode()).decode())


def postmark_delivery(message_id: str) -> dict:
    return {"RecordType": "Delivery", "ServerID": 23, "MessageID": POSTMARK_ID, "Recipient": "ayse@example.test",
            "Tag": "", "Metadata": {"message_id": message_id}, "DeliveredAt": "2027-02-01T09:00:04.2735393Z",
            "Details": "Test delivery webhook details"}


def postmark_bounce(kind: str = "HardBounce", **extra) -> dict:
    return {"RecordType": "Bounce", "ID": 901542550, "Type": kind, "TypeCode": 1, "ServerID": 23,
            "Name": "Hard bounce", "MessageID": POSTMARK_ID,
            "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
            "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
            "Email": "ayse@example.test", "From": "no-reply@anagen.local",
            "BouncedAt": "2027-02-01T11:28:50.3963933+03:00", "DumpAvailable": True, "Inactive": True,
            "CanActivate": True, "Subject": "Postmark event test", **extra}


def postmark_spam() -> dict:
    return {**postmark_bounce("SpamComplaint"), "RecordType": "SpamComplaint", "Name": "Spam complaint",
            "BouncedAt": "2027-02-02T08:00:00Z", "Details": "Test spam complaint details"}


def mailgun(event: str, message_id: str, **event_data) -> dict:
    """Mailgun's JSON webhook body, signed with the webhook signing key as Mailgun signs it."""
    timestamp, token = "1801040400", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"event": event, "timestamp": 1801040405.0, "id": "CPgfbmQMTCKtHW6uIWtuVe",
                       "recipient": "ayse@example.test", "tags": [], "user-variables": {},
                       "message": {"headers": {"message-id": message_id.strip("<>"), "to": "ayse@example.test"}},
                       **event_data},
    }


def test_a_delivered_report_marks_the_row_it_names_by_its_message_id(client, sent):
    response = post(client, "postmark", postmark_delivery(sent.message_id))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "delivered"
    assert sent.delivery_at == datetime(2027, 2, 1, 9, 0, 4, 273539, tzinfo=UTC)
    assert Patient.objects.get(pk=sent.patient_id).email_undeliverable == ""


def test_a_hard_bounce_marks_the_row_and_the_patients_address_and_the_same_event_again_changes_nothing(
        client, sent):
    Reminder.objects.filter(pk=sent.pk).update(esp_message_id=POSTMARK_ID)  # as Postmark's backend records it
    assert post(client, "postmark", postmark_bounce()).status_code == 200
    sent.refresh_from_db()
    patient = Patient.objects.get(pk=sent.patient_id)
    first = (sent.delivery_status, sent.delivery_at, patient.email_undeliverable, patient.email_undeliverable_at)
    assert first[0] == "bounced" and first[2] == "bounced"
    assert first[1] == datetime(2027, 2, 1, 8, 28, 50, 396393, tzinfo=UTC) == first[3]

    later = postmark_bounce(BouncedAt="2027-02-03T10:00:00Z")  # the same bounce, reported again later
    assert post(client, "postmark", later).status_code == 200
    assert post(client, "postmark", postmark_delivery(sent.message_id)).status_code == 200  # never undoes it
    sent.refresh_from_db()
    patient.refresh_from_db()
    assert (sent.delivery_status, sent.delivery_at, patient.email_undeliverable,
            patient.email_undeliverable_at) == first


def test_a_soft_bounce_is_recorded_nowhere(client, sent):
    Reminder.objects.filter(pk=sent.pk).update(esp_message_id=POSTMARK_ID)
    assert post(client, "postmark", postmark_bounce("SoftBounce")).status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "" and Patient.objects.get(pk=sent.patient_id).email_undeliverable == ""


def test_a_spam_complaint_marks_the_address_as_complained(client, sent):
    Reminder.objects.filter(pk=sent.pk).update(esp_message_id=POSTMARK_ID)
    assert post(client, "postmark", postmark_spam()).status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "complained"
    assert Patient.objects.get(pk=sent.patient_id).email_undeliverable == "complained"


def test_mailguns_signed_events_find_the_row_by_the_message_id_header(client, sent):
    assert post(client, "mailgun", mailgun("delivered", sent.message_id)).status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "delivered"
    failed = mailgun("failed", sent.message_id, severity="permanent", reason="bounce",
                     **{"delivery-status": {"code": 550, "message": "5.1.1 no such user", "description": ""}})
    assert post(client, "mailgun", failed).status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "bounced"
    assert Patient.objects.get(pk=sent.patient_id).email_undeliverable == "bounced"


def test_a_temporary_mailgun_failure_changes_nothing(client, sent):
    response = post(client, "mailgun", mailgun("failed", sent.message_id, severity="temporary"))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == ""


@pytest.mark.parametrize(("kind", "marked"), [("soft_bounce", ""), ("hard_bounce", "bounced")])
def test_brevos_soft_bounce_marks_nothing_and_its_hard_bounce_marks_the_address(client, sent, kind, marked):
    payload = {"event": kind, "email": "ayse@example.test", "id": 1, "date": "2027-02-01 10:00:00",
               "ts_epoch": 1801040405000, "message-id": sent.message_id, "reason": "550 no such user", "tag": ""}
    assert post(client, "brevo", payload).status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == marked
    assert Patient.objects.get(pk=sent.patient_id).email_undeliverable == marked


def test_a_badly_signed_or_unauthenticated_report_is_refused_and_changes_nothing(client, sent):
    assert post(client, "postmark", postmark_delivery(sent.message_id), auth="anymail:wrong").status_code == 400
    forged = mailgun("delivered", sent.message_id)
    forged["signature"]["signature"] = "0" * 64
    assert post(client, "mailgun", forged).status_code == 400
    sent.refresh_from_db()
    assert sent.delivery_status == ""


@pytest.mark.parametrize("message_id", ["<anagen-confirmation-999999@clinic.example.com>", "<someone-else@x.test>",
                                        "5f0e-unknown-uuid", ""])
def test_an_unknown_message_id_is_ignored(client, sent, message_id):
    payload = {**postmark_bounce(), "MessageID": message_id, "Metadata": {}}
    assert post(client, "postmark", payload).status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "" and Patient.objects.get(pk=sent.patient_id).email_undeliverable == ""


def test_the_message_id_must_be_the_rows_own_not_only_its_number(sent):
    forged = sent.message_id.replace("@", "x@")  # the same row number, another Message-ID
    assert reminder_delivery_record(message_id=forged, event="bounced", at=BOOKED_AT) is None
    assert reminder_delivery_record(message_id=sent.message_id.strip("<>"), event="delivered", at=BOOKED_AT) == sent


def test_the_dispatcher_keeps_the_services_own_id_for_its_reports(anymail, settings, client):
    """anymail's test backend stands in for a service and hands back its id as a service's would."""
    from django.core import mail

    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                        start=at("2027-03-01 10:00"), now=BOOKED_AT)
    assert reminder_dispatch_due(now=BOOKED_AT).sent == 1
    [message] = mail.outbox
    reminder = Reminder.objects.get(kind="confirmation")
    assert reminder.esp_message_id == str(message.anymail_status.message_id) != ""  # its outbox position
    assert message.metadata == {"message_id": reminder.message_id}
    assert post(client, "postmark", {**postmark_bounce(), "MessageID": reminder.esp_message_id}).status_code == 200
    reminder.refresh_from_db()
    assert reminder.delivery_status == "bounced"


def test_a_new_valid_address_clears_the_mark_and_the_same_address_keeps_it(sent, receptionist):
    Reminder.objects.filter(pk=sent.pk).update(esp_message_id=POSTMARK_ID)
    reminder_delivery_record(message_id=POSTMARK_ID, event="bounced", at=BOOKED_AT)
    patient = Patient.objects.get(pk=sent.patient_id)
    patient = patient_update(patient=patient, changes={"email": "ayse@example.test", "notes": "called"},
                             by=receptionist)
    assert patient.email_undeliverable == "bounced"
    patient = patient_update(patient=patient, changes={"email": "ayse.new@example.test"}, by=receptionist)
    patient.refresh_from_db()
    assert patient.email_undeliverable == "" and patient.email_undeliverable_at is None


def test_the_desk_sees_the_warning_on_the_patient_page_and_the_report_on_the_reminder_pages(desk, sent):
    patient_page = desk.get(f"/patients/{sent.patient_id}/").content.decode()
    assert "data-email-undeliverable" not in patient_page
    reminder_delivery_record(message_id=sent.message_id, event="complained", at=BOOKED_AT)
    patient_page = desk.get(f"/patients/{sent.patient_id}/").content.decode()
    assert 'role="alert" data-email-undeliverable="complained"' in patient_page
    assert "cannot be delivered" in patient_page and "marked one of our emails as spam" in patient_page
    detail = desk.get(f"/reminders/{sent.pk}/").content.decode()
    assert 'data-delivery="complained"' in detail and "Marked as spam" in detail
    log = desk.get("/reminders/").content.decode()
    assert 'data-delivery="complained"' in log
