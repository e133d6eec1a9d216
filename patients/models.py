"""Patients, their consents, screenings, overrides, and the log of who looked at their records."""

from datetime import timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Deferrable, F, Q, Value
from django.db.models.functions import Concat, Lower, Replace
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from clinic.audit import append_only_log, audited
from clinic.hours import validate_timezone

from . import screening as rules
from .validators import (
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    normalize_name,
    validate_date_of_birth,
    validate_free_text,
    validate_person_name,
)

# Rows that are facts about the past: the database itself refuses to change or remove them.
APPEND_ONLY = pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


def _search_expression() -> Lower:
    """Lower-cased 'first last email phone-digits', kept by PostgreSQL and indexed by trigram."""
    return Lower(
        Concat(
            "first_name", Value(" "), "last_name", Value(" "), "email", Value(" "),
            Replace("phone", Value("+"), Value("")),
            output_field=models.TextField(),
        )
    )


# The generated search column is PostgreSQL's to write: the audit trail copies everything else.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["search"])
class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"

    class Language(models.TextChoices):
        EN = "en", "English"
        TR = "tr", "Türkçe (Turkish)"
        AR = "ar", "العربية (Arabic)"
        ES = "es", "Español (Spanish)"
        DE = "de", "Deutsch (German)"

    first_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_person_name])
    last_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_person_name])
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True, help_text="International format, e.g. +90 532 123 45 67")
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex = models.CharField(max_length=6, choices=Sex.choices)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], help_text="IANA name, e.g. Asia/Dubai"
    )
    # Both mirror the patient's latest Consent of that kind; consent_record() keeps them in step.
    reminder_opt_in = models.BooleanField(default=False, help_text="Consents to reminder and recall emails")
    investigational_ack = models.BooleanField(
        default=False, help_text="Acknowledged that exosome therapy is investigational and not FDA-approved"
    )
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH, validators=[validate_free_text])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search = models.GeneratedField(expression=_search_expression(), output_field=models.TextField(), db_persist=True)

    # --- Email delivery (patients/delivery.py; migration 0011) ----------------------------------
    # Set when the sending service reports a hard bounce or a spam complaint for this address;
    # cleared when a new valid address is entered (patient_update).
    class EmailProblem(models.TextChoices):
        NONE = "", "None"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"

    email_undeliverable = models.CharField(
        max_length=10, choices=EmailProblem.choices, blank=True, default="", db_default=""
    )
    email_undeliverable_at = models.DateTimeField(null=True, blank=True)
    # --- end of email delivery ------------------------------------------------------------------

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.CheckConstraint(condition=~(Q(email="") & Q(phone="")), name="patient_has_email_or_phone"),
            models.CheckConstraint(condition=Q(sex__in=["female", "male", "other"]), name="patient_sex_valid"),
            models.CheckConstraint(
                condition=Q(language__in=["en", "tr", "ar", "es", "de"]), name="patient_language_valid"
            ),
        ]
        indexes = [
            GinIndex(OpClass(F("search"), name="gin_trgm_ops"), name="patient_search_trgm"),
            models.Index(fields=["last_name", "first_name", "id"], name="patient_name_order"),
            models.Index(fields=["email"], name="patient_email"),
            models.Index(fields=["phone", "date_of_birth"], name="patient_phone_dob"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        # Reprs land in tracebacks and logs: an id, never a name.
        return f"<Patient #{self.pk}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean_fields(self, exclude: set[str] | None = None) -> None:
        # Normalize before the field validators see the values: " Ayşe " and "ayse@X.com " are fine.
        self.first_name = normalize_name(self.first_name or "")
        self.last_name = normalize_name(self.last_name or "")
        self.email = (self.email or "").strip().lower()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if not self.email and not self.phone:
            raise ValidationError({"email": "Give an email address or a phone number (or both)."})


@audited()
class Consent(models.Model):
    """One consent given or withdrawn, by whom it was recorded and when. Never changed: a new
    row supersedes the last one of its kind."""

    class Kind(models.TextChoices):
        REMINDER_EMAILS = "reminder_emails", "Reminder and recall emails"
        INVESTIGATIONAL_ACK = "investigational_ack", "Exosome therapy is investigational, not FDA-approved"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    given = models.BooleanField()
    # None: the patient, through the unsubscribe link.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["patient", "kind", "-recorded_at"], name="consent_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["reminder_emails", "investigational_ack"]), name="consent_kind_valid"
            )
        ]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'given' if self.given else 'withdrawn'}"


def _answer_field(key: str) -> models.BooleanField:
    return models.BooleanField(verbose_name=rules.LABELS[key])


@audited()
class Screening(models.Model):
    """The answers a patient gave before booking, and the hard stops and warnings they raise
    before any protocol is chosen. Never edited: a newer screening supersedes it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    hard_stops = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    warnings = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    pregnant_or_breastfeeding = _answer_field("pregnant_or_breastfeeding")
    may_become_pregnant = _answer_field("may_become_pregnant")
    active_scalp_infection = _answer_field("active_scalp_infection")
    active_cancer = _answer_field("active_cancer")
    fever_or_recent_illness = _answer_field("fever_or_recent_illness")
    platelet_disorder = _answer_field("platelet_disorder")
    strong_anticoagulant = _answer_field("strong_anticoagulant")
    autoimmune_disease = _answer_field("autoimmune_disease")
    nsaid_last_48h = _answer_field("nsaid_last_48h")
    aspirin_or_clopidogrel = _answer_field("aspirin_or_clopidogrel")
    recent_steroids = _answer_field("recent_steroids")
    liver_disease = _answer_field("liver_disease")
    heavy_smoking_or_drinking = _answer_field("heavy_smoking_or_drinking")
    scarring_alopecia_or_radiation = _answer_field("scarring_alopecia_or_radiation")
    heart_disease = _answer_field("heart_disease")

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["patient", "-taken_at", "-id"], name="screening_latest")]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"Screening #{self.pk} of patient #{self.patient_id}"

    @property
    def answers(self) -> dict[str, bool]:
        return {key: getattr(self, key) for key in rules.ANSWER_KEYS}

    @property
    def patient_sex(self) -> str:
        return self.patient.sex

    @property
    def is_overridden(self) -> bool:
        try:
            return self.override is not None
        except ScreeningOverride.DoesNotExist:
            return False

    def override_covers(self, protocol: object) -> bool:
        """Does a doctor's override open this protocol? An override without a scope opens every one."""
        return self.is_overridden and self.override.covers(getattr(protocol, "code", ""))

    @property
    def override_opens_all(self) -> bool:
        """Overridden for every protocol (not scoped to some)."""
        return self.is_overridden and not self.override.protocols

    @property
    def review_request(self) -> "ScreeningReviewRequest | None":
        try:
            return self.review_requested
        except ScreeningReviewRequest.DoesNotExist:
            return None

    @property
    def valid_until(self):
        return self.taken_at + timedelta(days=settings.SCREENING_VALID_DAYS)

    @property
    def status(self) -> str:
        """For badges: 'hard_stop', 'overridden', 'warning' or 'clear'."""
        if self.hard_stops:
            return "overridden" if self.is_overridden else "hard_stop"
        return "warning" if self.warnings else "clear"


@audited()
class ScreeningOverride(models.Model):
    """A doctor's written decision that a screening's hard stops do not block booking."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="override")
    reason = models.TextField(max_length=2000, validators=[validate_free_text])
    # The protocol codes (any version) it opens; empty: every protocol.
    protocols = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="override_has_reason")]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"Override of screening #{self.screening_id}"

    def covers(self, code: str) -> bool:
        return not self.protocols or code in self.protocols


@audited()
class ScreeningReviewRequest(models.Model):
    """The desk asked a doctor to review a screening's hard stops: who asked and when."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="review_requested")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"Review of screening #{self.screening_id} asked by user #{self.asked_by_id}"


@append_only_log
class PatientAccess(models.Model):
    """Who saw a patient's data, where and when: one row per patient per page or API answer that
    showed them (a list writes a row for each patient on it). Separate from the change history,
    and append-only like it."""

    class Via(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"

    class What(models.TextChoices):
        RECORD = "record", "Patient record"
        EDIT = "edit", "Edit form"
        LIST = "list", "Patient list"
        SEARCH = "search", "Search results"
        SCREENING = "screening", "Screening"
        BOOKING = "booking", "Booking preview"
        COURSE = "course", "Course"
        SESSION = "session", "Session"
        CALENDAR = "calendar", "Calendar"
        CHASE = "chase", "To chase"
        REMINDER = "reminder", "Reminder email"
        HISTORY = "history", "Change history"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="accesses")
    at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=4, choices=Via.choices)
    what = models.CharField(max_length=10, choices=What.choices, default=What.RECORD)
    # The page or endpoint, without its query string (a search term can be a patient's name).
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "patient accesses"
        indexes = [models.Index(fields=["patient", "-at", "-id"], name="patient_access_latest")]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"Patient #{self.patient_id} seen by user #{self.user_id} via {self.via} ({self.what})"


# --- Courses and sessions -------------------------------------------------------------------


class TsTzRange(models.Func):
    """tstzrange(start, end): the half-open time a session occupies, for exclusion constraints."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


@audited()
class Course(models.Model):
    """A patient's series of sessions on one exact protocol version, at one location."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    protocol = models.ForeignKey("protocols.Protocol", on_delete=models.PROTECT, related_name="courses")
    protocol_version = models.PositiveIntegerField()
    location = models.ForeignKey("clinic.Location", on_delete=models.PROTECT, related_name="courses")
    anchor_date = models.DateField(help_text="Session 1's gap counts from here: the course start or the surgery date")
    surgery_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"{self.protocol.code} v{self.protocol_version} for {self.patient}"


CHANGE_NOTE_MAX_LENGTH = 500


@audited()
class Session(models.Model):
    """One visit of a course. Live sessions hold their time: the database refuses to let a
    practitioner, a room or a patient be in two live sessions at once."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        ARRIVED = "arrived", "Arrived"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    location = models.ForeignKey("clinic.Location", on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, default="treatment")
    start = models.DateTimeField()
    end = models.DateTimeField()
    practitioner = models.ForeignKey("clinic.Practitioner", on_delete=models.PROTECT, related_name="sessions")
    room = models.ForeignKey("clinic.Room", on_delete=models.PROTECT, related_name="sessions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    window_earliest = models.DateField()
    window_latest = models.DateField()
    # RFC 5545 SEQUENCE of the session's calendar entry: up by one at every change of time or status.
    sequence = models.PositiveIntegerField(default=0)
    override_reason = models.TextField(blank=True, help_text="Why a window was broken on purpose")
    cancel_reason = models.TextField(blank=True)
    # The patient asked for another time through the link in a reminder: shown on "To chase".
    change_requested_at = models.DateTimeField(null=True, blank=True)
    # What the patient wrote with that request: the days and times that suit them.
    change_request_note = models.TextField(blank=True, default="", max_length=CHANGE_NOTE_MAX_LENGTH)
    # The last status change, so staff can undo it for a few minutes (patients.session_status).
    status_before = models.CharField(max_length=10, choices=Status.choices, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    LIVE = ("booked", "confirmed", "arrived", "completed")

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["location", "start"]),
            models.Index(fields=["practitioner", "start"]),
            models.Index(fields=["patient", "start"]),
            models.Index(fields=["course", "number"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            models.CheckConstraint(condition=Q(window_latest__gte=F("window_earliest")), name="session_window_ordered"),
            models.UniqueConstraint(
                fields=["course", "number"], condition=~Q(status__in=["cancelled", "no_show"]),
                name="session_number_unique_while_live",
            ),
            *[
                ExclusionConstraint(
                    name=f"session_no_double_booking_{who}",
                    expressions=[(TsTzRange("start", "end"), RangeOperators.OVERLAPS), (who, RangeOperators.EQUAL)],
                    condition=Q(status__in=["booked", "confirmed", "arrived", "completed"]),
                    # Checked at commit: a cascade may move sessions through each other's old times.
                    deferrable=Deferrable.DEFERRED,
                )
                for who in ("practitioner", "room", "patient")
            ],
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of course {self.course_id} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


# --- The reminder outbox --------------------------------------------------------------------


class Reminder(models.Model):
    """One email to send: written in the same transaction as the booking, move or cancellation
    that causes it; a periodic dispatcher claims due rows and sends them. The row is the schedule:
    no Celery ETA task ever holds a reminder."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        REMINDER = "reminder", "Reminder"
        CHANGE = "change", "Change"
        CANCELLATION = "cancellation", "Cancellation"
        AFTERCARE = "aftercare", "Aftercare"
        RECALL = "recall", "Recall"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

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

    # --- Delivery, as the sending service reports it (patients/delivery.py; migration 0011) -----
    class Delivery(models.TextChoices):
        NONE = "", "Not reported"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"

    # The service's own id of the message (anymail's message_id), where it is not the Message-ID.
    esp_message_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    delivery_status = models.CharField(max_length=10, choices=Delivery.choices, blank=True, default="", db_default="")
    delivery_at = models.DateTimeField(null=True, blank=True)
    # --- end of delivery ------------------------------------------------------------------------

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
