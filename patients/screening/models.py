"""A patient's screening answers, the hard stops and warnings they raise, a doctor's override of
them, and the desk's request for that review."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clinic.audit import audited
from patients.registry.models import APPEND_ONLY, Patient
from patients.screening import rules
from patients.validators import validate_free_text


def _answer_field(key: str) -> models.BooleanField:
    return models.BooleanField(verbose_name=rules.LABELS[key])


@audited()
class Screening(models.Model):
    """The answers a patient gave before booking, and the hard stops and warnings they raise
    before any protocol is chosen. Never edited: a newer screening supersedes it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    class ReportedBy(models.TextChoices):
        STAFF = "staff", gettext_lazy("Staff")
        PATIENT = "patient", gettext_lazy("The patient (at home)")

    taken_at = models.DateTimeField(default=timezone.now)
    # None: the patient filled it in on their own page (reported_by "patient").
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 null=True, blank=True)
    reported_by = models.CharField(max_length=7, choices=ReportedBy.choices, default=ReportedBy.STAFF,
                                   db_default=ReportedBy.STAFF)
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
        verbose_name = gettext_lazy("screening")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["patient", "-taken_at", "-id"], name="screening_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reported_by="patient") | Q(taken_by__isnull=False), name="screening_staff_has_author"
            ),
        ]
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
        verbose_name = gettext_lazy("screening override")
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
        verbose_name = gettext_lazy("screening review request")
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"Review of screening #{self.screening_id} asked by user #{self.asked_by_id}"
