"""The reminder outbox: one row per email to send."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from patients.booking.models import Course, Session
from patients.registry.models import Patient


class Reminder(models.Model):
    """One email to send: written in the same transaction as the booking, move or cancellation
    that causes it; a periodic dispatcher claims due rows and sends them. The row is the schedule:
    no Celery ETA task ever holds a reminder."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", gettext_lazy("Confirmation")
        REMINDER = "reminder", pgettext_lazy("email kind", "Reminder")
        CHANGE = "change", pgettext_lazy("email kind", "Change")
        CANCELLATION = "cancellation", gettext_lazy("Cancellation")
        AFTERCARE = "aftercare", gettext_lazy("Aftercare")
        RECALL = "recall", gettext_lazy("Recall")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("email status", "Pending")
        SENT = "sent", pgettext_lazy("email", "Sent")
        FAILED = "failed", pgettext_lazy("email status", "Failed")
        SKIPPED = "skipped", pgettext_lazy("email status", "Skipped")
        EXPIRED = "expired", pgettext_lazy("email status", "Expired")
        CANCELLED = "cancelled", pgettext_lazy("email status", "Cancelled")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="reminders")
    # No index of their own for these two: the unique (session, kind, offset, sequence) and the
    # (patient, -send_at) indexes lead with them, and every index costs each "sent" mark a write.
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders", db_index=False
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reminders", db_index=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # For reminders: the offset before the session ("7d", "24h"); for recalls: the gap's session number.
    offset = models.CharField(max_length=16, blank=True, default="")
    # The session's SEQUENCE when the row was queued: a moved session gets new reminders, and a
    # reminder queued for an older time is never sent.
    session_sequence = models.PositiveIntegerField(default=0)
    send_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    message_id = models.CharField(max_length=200, blank=True, default="")
    # Sessions (id, sequence) a change or cancellation announces, as they were when queued.
    payload = models.JSONField(default=dict, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the patient received, for the reminder history ("as the patient saw it").
    rendered_subject = models.TextField(blank=True, default="")
    rendered_text = models.TextField(blank=True, default="")
    rendered_html = models.TextField(blank=True, default="")

    # Delivery, as the sending service reports it (patients.reminders.delivery).
    class Delivery(models.TextChoices):
        NONE = "", gettext_lazy("Not reported")
        DELIVERED = "delivered", gettext_lazy("Delivered")
        BOUNCED = "bounced", gettext_lazy("Bounced")
        COMPLAINED = "complained", gettext_lazy("Marked as spam")

    # The service's own id of the message (anymail's message_id), where it is not the Message-ID.
    esp_message_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    delivery_status = models.CharField(max_length=10, choices=Delivery.choices, blank=True, default="", db_default="")
    delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["send_at", "id"]
        indexes = [
            # The dispatcher's claim: pending rows by due time.
            models.Index(fields=["send_at"], condition=Q(status="pending"), name="reminder_due_idx"),
            models.Index(fields=["patient", "-send_at"]),
            models.Index(fields=["status", "kind"]),
            # Delivery events that name the service's id. Partial: a row sent over SMTP never
            # changes it, so its "sent" mark stays a HOT update.
            models.Index(fields=["esp_message_id"], condition=~Q(esp_message_id=""), name="reminder_esp_message_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind", "offset", "session_sequence"],
                condition=Q(session__isnull=False),
                name="reminder_once_per_session_kind_offset",
            ),
            models.UniqueConstraint(
                fields=["course", "kind", "offset"],
                condition=Q(kind__in=["confirmation", "recall"]),
                name="reminder_once_per_course_confirmation_or_recall",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
