"""What the sending service says became of an email: delivered, bounced, marked as spam.

anymail's tracking webhook (/anymail/<service>/tracking/) sends its `tracking` signal; the receiver
(`on_tracking`, connected in patients/apps.py) only passes the event on to
`reminder_delivery_record`, which finds the reminder row by its Message-ID and records the
outcome. A hard bounce or a complaint also marks the patient's address as undeliverable, so the
desk sees it on the patient page; a new address clears it (patients/services.py).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from patients.models import Patient, Reminder

logger = logging.getLogger(__name__)

# anymail's event types this records, and the delivery status each becomes.
EVENT_STATUS = {
    "delivered": Reminder.Delivery.DELIVERED,
    "bounced": Reminder.Delivery.BOUNCED,
    "complained": Reminder.Delivery.COMPLAINED,
}
# A later report never replaces a worse one: a bounce or complaint stays, whatever follows.
_RANK = {"": 0, "delivered": 1, "bounced": 2, "complained": 3}

# Our Message-IDs: <anagen-{kind}-{row id}@{site}> (patients/reminders.py), with or without <>.
_OWN_MESSAGE_ID = re.compile(r"^<?anagen-[a-z]+-(?P<pk>\d{1,18})@[^<>\s]+>?$")


def _find(message_id: str) -> Reminder | None:
    """The sent row whose Message-ID (or the service's id of it) this is, locked; None otherwise."""
    message_id = (message_id or "").strip()
    if not message_id:
        return None
    rows = Reminder.objects.select_for_update().filter(status=Reminder.Status.SENT)
    own = _OWN_MESSAGE_ID.match(message_id)
    if own:
        bracketed = message_id if message_id.startswith("<") else f"<{message_id}>"
        return rows.filter(pk=int(own["pk"]), message_id=bracketed).first()
    return rows.filter(esp_message_id=message_id).first()


def reminder_delivery_record(*, message_id: str, event: str, at: datetime | None = None,
                             hard_bounce: bool = True) -> Reminder | None:
    """Record a delivery event (`delivered`, `bounced`, `complained`) on the reminder sent with
    this Message-ID; returns the row, or None when no sent row has it or the event is not one of
    those (nothing is changed then).

    Idempotent: the same event again changes nothing, and a report never replaces a worse one
    (a late "delivered" after a bounce). A hard bounce (`hard_bounce`; a soft one is a transient
    refusal) or a complaint marks the patient's current address as undeliverable, if that is
    still the address the email went to."""
    status = EVENT_STATUS.get(event)
    if status is None:
        return None
    at = at or timezone.now()
    with transaction.atomic():
        reminder = _find(message_id)
        if reminder is None:
            logger.info("delivery event %s for an unknown Message-ID: ignored", event)
            return None
        if event == "bounced" and not hard_bounce:
            return reminder
        if _RANK[status] > _RANK[reminder.delivery_status]:
            reminder.delivery_status, reminder.delivery_at = status, at
            reminder.save(update_fields=["delivery_status", "delivery_at"])
        if status in (Reminder.Delivery.BOUNCED, Reminder.Delivery.COMPLAINED):
            _patient_mark_undeliverable(patient_id=reminder.patient_id, problem=status, at=at)
    return reminder


def _patient_mark_undeliverable(*, patient_id: int, problem: str, at: datetime) -> None:
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    if patient.email_undeliverable and _RANK[patient.email_undeliverable] >= _RANK[problem]:
        return  # already marked (as badly): the same event twice changes nothing
    patient.email_undeliverable, patient.email_undeliverable_at = problem, at
    patient.save(update_fields=["email_undeliverable", "email_undeliverable_at", "updated_at"])


def on_tracking(sender, event, esp_name: str, **kwargs) -> None:
    """anymail's `tracking` signal: one event of the sending service, passed to the service."""
    reminder_delivery_record(
        message_id=_message_id_of(event),
        event=event.event_type,
        at=event.timestamp,
        hard_bounce=event.event_type != "bounced" or _is_hard_bounce(event),
    )


def _message_id_of(event) -> str:
    """Our Message-ID where the service reports it (the metadata we sent, a header it echoes),
    else the service's own message id."""
    metadata = getattr(event, "metadata", None) or {}
    return str(metadata.get("message_id") or event.message_id or "")


def _is_hard_bounce(event) -> bool:
    """A bounce is hard unless the service says it was temporary. anymail gives no common field:
    Postmark names a Type ("SoftBounce"), Brevo an event ("soft_bounce"), Amazon SES a bounceType
    ("Transient"), SendGrid a type ("blocked"); Mailgun's temporary failures anymail already
    reports as deferred."""
    raw = event.esp_event
    if not isinstance(raw, dict):
        return True
    if str(raw.get("Type") or "") in ("SoftBounce", "Transient", "DnsError", "AutoResponder", "DMARCPolicy"):
        return False
    if raw.get("event") == "soft_bounce" or raw.get("type") == "blocked":
        return False
    if str(raw.get("severity") or "").lower() == "temporary":
        return False
    bounce = raw.get("bounce")
    return not (isinstance(bounce, dict) and bounce.get("bounceType") in ("Transient", "Undetermined"))
