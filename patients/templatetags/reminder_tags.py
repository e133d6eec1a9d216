"""Template helpers for reminders: a patient's recent emails and status badges."""

from django import template
from django.db.models import QuerySet

from patients.models import Patient, Reminder
from patients.reminders.selectors import recent_reminders_of

register = template.Library()

RECENT = 10


@register.simple_tag
def recent_reminders(patient: Patient) -> QuerySet[Reminder]:
    """The patient's last RECENT reminders, newest first, with what a row shows (one query)."""
    return recent_reminders_of(patient, limit=RECENT)


@register.filter
def reminder_badge(status: str) -> str:
    """Bootstrap classes of a status badge: pending grey, sent green, failed red, the rest muted."""
    from patients.reminders.views import STATUS_BADGES

    return STATUS_BADGES.get(status, "text-bg-light")


DELIVERY_BADGES = {"delivered": "text-bg-success", "bounced": "text-bg-danger", "complained": "text-bg-warning"}


@register.filter
def delivery_badge(status: str) -> str:
    """Bootstrap classes of a delivery report's badge: delivered green, bounced red, spam amber."""
    return DELIVERY_BADGES.get(status, "text-bg-light")
