"""Patients, their consents to email, and the log of who looked at their records."""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower, Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from clinic.audit import append_only_log, audited
from clinic.hours import validate_timezone
from patients.validators import (
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
        FEMALE = "female", gettext_lazy("Female")
        MALE = "male", gettext_lazy("Male")
        OTHER = "other", pgettext_lazy("sex", "Other")

    class Language(models.TextChoices):
        EN = "en", pgettext_lazy("patient language", "English")
        TR = "tr", gettext_lazy("Türkçe (Turkish)")
        AR = "ar", gettext_lazy("العربية (Arabic)")
        ES = "es", gettext_lazy("Español (Spanish)")
        DE = "de", gettext_lazy("Deutsch (German)")

    first_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_person_name])
    last_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_person_name])
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True, help_text=gettext_lazy("International format, e.g. +90 532 123 45 67"))
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex = models.CharField(max_length=6, choices=Sex.choices)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], help_text=gettext_lazy("IANA name, e.g. Asia/Dubai")
    )
    # Both mirror the patient's latest Consent of that kind; consent_record() keeps them in step.
    reminder_opt_in = models.BooleanField(default=False,
                                          help_text=gettext_lazy("Consents to reminder and recall emails"))
    investigational_ack = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Acknowledged that exosome therapy is investigational and not FDA-approved"),
    )
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH, validators=[validate_free_text])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search = models.GeneratedField(expression=_search_expression(), output_field=models.TextField(), db_persist=True)

    # Email delivery (patients.reminders.delivery): set when the sending service reports a hard
    # bounce or a spam complaint for this address; cleared when a new valid address is entered.
    class EmailProblem(models.TextChoices):
        NONE = "", pgettext_lazy("email problem", "None")
        BOUNCED = "bounced", gettext_lazy("Bounced")
        COMPLAINED = "complained", gettext_lazy("Marked as spam")

    email_undeliverable = models.CharField(
        max_length=10, choices=EmailProblem.choices, blank=True, default="", db_default=""
    )
    email_undeliverable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("patient")
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
            raise ValidationError({"email": _("Give an email address or a phone number (or both).")})


@audited()
class Consent(models.Model):
    """One consent given or withdrawn, by whom it was recorded and when. Never changed: a new
    row supersedes the last one of its kind."""

    class Kind(models.TextChoices):
        REMINDER_EMAILS = "reminder_emails", gettext_lazy("Reminder and recall emails")
        INVESTIGATIONAL_ACK = "investigational_ack", gettext_lazy(
            "Exosome therapy is investigational, not FDA-approved")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    given = models.BooleanField()
    # None: the patient, through the unsubscribe link.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("consent")
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


@append_only_log
class PatientAccess(models.Model):
    """Who saw a patient's data, where and when: one row per patient per page or API answer that
    showed them (a list writes a row for each patient on it). Separate from the change history,
    and append-only like it."""

    class Via(models.TextChoices):
        PAGE = "page", gettext_lazy("Page")
        API = "api", gettext_lazy("API")

    class What(models.TextChoices):
        RECORD = "record", gettext_lazy("Patient record")
        EDIT = "edit", gettext_lazy("Edit form")
        LIST = "list", gettext_lazy("Patient list")
        SEARCH = "search", gettext_lazy("Search results")
        SCREENING = "screening", gettext_lazy("Screening")
        BOOKING = "booking", gettext_lazy("Booking preview")
        COURSE = "course", gettext_lazy("Course")
        SESSION = "session", gettext_lazy("Session")
        CALENDAR = "calendar", gettext_lazy("Calendar")
        CHASE = "chase", gettext_lazy("To chase")
        REMINDER = "reminder", gettext_lazy("Reminder email")
        HISTORY = "history", gettext_lazy("Change history")
        OUTCOMES = "outcomes", gettext_lazy("Outcomes")
        EXPORT = "export", gettext_lazy("CSV export")
        PHOTOS = "photos", gettext_lazy("Photographs")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # No index of its own: patient_access_latest (below) leads with the patient and serves every
    # lookup by patient, and each list answer inserts a row per patient shown.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="accesses", db_index=False)
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
