"""The treatment room's traceability: products, their lots, and what was given at each visit.

A lot's use is never stored on the lot: `quantity_used` is the sum of the record rows that name
it (patients.records.selectors), so an amendment that moves a quantity moves it everywhere.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.audit import audited
from clinic.hours import SOURCE_CATEGORIES
from patients.booking.models import Session

from .validators import validate_lot_number

# Sane ceilings: a typo of three extra zeros is refused, a real delivery or dose never is.
LOT_QUANTITY_MAX = Decimal("100000")
DOSE_QUANTITY_MAX = Decimal("1000")
LOT_NUMBER_MAX_LENGTH = 64
NOTES_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000


class ProductKind(models.TextChoices):
    EXOSOME = "exosome", _("Exosome product")
    PRP_KIT = "prp_kit", _("PRP kit")
    OTHER = "other", _("Other")


# The source categories as the treatment room names them (clinic.hours.SOURCE_CATEGORIES).
SOURCE_CATEGORY_LABELS = {"autologous": _("Autologous"), "allogeneic_human": _("Allogeneic human"),
                          "plant": _("Plant"), "animal": _("Animal")}


def source_category_label(code: str) -> str:
    return SOURCE_CATEGORY_LABELS.get(code) or code.replace("_", " ").capitalize()


class Unit(models.TextChoices):
    ML = "mL", pgettext_lazy("unit", "mL")
    VIAL = "vial", pgettext_lazy("unit", "vial")
    KIT = "kit", pgettext_lazy("unit", "kit")


class Site(models.TextChoices):
    FRONTAL = "frontal", _("Frontal")
    MIDSCALP = "midscalp", _("Midscalp")
    VERTEX = "vertex", _("Vertex")
    TEMPORAL_LEFT = "temporal_left", _("Temporal (left)")
    TEMPORAL_RIGHT = "temporal_right", _("Temporal (right)")
    OCCIPITAL = "occipital", _("Occipital")


@audited()
class Product(models.Model):
    """Something given in the room: an exosome product (with its source category, as protocols
    name it), a PRP kit, or anything else the clinic traces by lot."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ProductKind.choices)
    source_category = models.CharField(max_length=20, null=True, blank=True)
    manufacturer = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=4, choices=Unit.choices)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("product")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProductKind.values), name="product_kind_valid"),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="product_unit_valid"),
            # An exosome product names its source; nothing else has one.
            models.CheckConstraint(
                condition=(Q(kind="exosome", source_category__in=SOURCE_CATEGORIES)
                           | (~Q(kind="exosome") & Q(source_category__isnull=True))),
                name="product_source_only_for_exosomes",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class Lot(models.Model):
    """One batch of a product as received: its number, expiry and quantity in the product's unit."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=LOT_NUMBER_MAX_LENGTH, validators=[validate_lot_number])
    expires_on = models.DateField()
    received_on = models.DateField()
    quantity_received = models.DecimalField(
        max_digits=10, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(LOT_QUANTITY_MAX)],
    )
    recalled = models.BooleanField(default=False)
    recall_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    recalled_at = models.DateTimeField(null=True, blank=True)
    recalled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lot")
        ordering = ["expires_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="lot_number_unique_per_product"),
            models.CheckConstraint(condition=Q(quantity_received__gt=0), name="lot_quantity_received_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number}"


@audited()
class SessionRecord(models.Model):
    """What was done at one visit, by whom. One per session; amendments keep the earlier content
    in the history, with their reason (`amend_reason` of the amending update)."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="record")
    adjuncts_done = ArrayField(models.CharField(max_length=20), default=list, blank=True, size=10)
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    revision = models.PositiveIntegerField(default=1)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    amended_at = models.DateTimeField(null=True, blank=True)
    amend_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        verbose_name = _("session record")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"Record of {self.session}"


@audited()
class SessionRecordProduct(models.Model):
    """One product given at a visit: from which lot, how much, where on the scalp."""

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="products")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="uses")
    quantity = models.DecimalField(
        max_digits=10, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(DOSE_QUANTITY_MAX)],
    )
    sites = ArrayField(models.CharField(max_length=20, choices=Site.choices), size=len(Site))

    class Meta:
        verbose_name = _("session record product")
        ordering = ["id"]
        indexes = [models.Index(fields=["lot", "record"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="record_product_quantity_positive"),
            models.CheckConstraint(condition=Q(sites__contained_by=Site.values), name="record_product_sites_known"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of lot {self.lot_id}"


class AdverseEventKind(models.TextChoices):
    PAIN = "pain", _("Pain")
    SWELLING = "swelling", _("Swelling")
    REDNESS = "redness", _("Redness")
    BRUISING = "bruising", _("Bruising")
    INFECTION = "infection", _("Infection")
    ALLERGIC_REACTION = "allergic_reaction", _("Allergic reaction")
    HEADACHE = "headache", _("Headache")
    SHEDDING = "shedding", _("Shedding")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class Outcome(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    RESOLVED = "resolved", _("Resolved")
    RESOLVED_WITH_SEQUELAE = "resolved_with_sequelae", _("Resolved with sequelae")


class ReportedBy(models.TextChoices):
    STAFF = "staff", _("Staff")
    PATIENT = "patient", _("Patient")


@audited()
class AdverseEvent(models.Model):
    """Something that went wrong after a visit: filed by any staff role (a patient phones in),
    completed and reviewed by a doctor. Never deleted. Its lots are the ones given at its session."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="adverse_events")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="adverse_events")
    onset = models.DateField()
    kind = models.CharField(max_length=20, choices=AdverseEventKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    serious = models.BooleanField(default=False, help_text=_("Hospitalisation or lasting harm"))
    description = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
    outcome = models.CharField(max_length=25, choices=Outcome.choices, default=Outcome.ONGOING)
    reported_by = models.CharField(max_length=10, choices=ReportedBy.choices, default=ReportedBy.STAFF)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("adverse event")
        ordering = ["-onset", "-id"]
        indexes = [models.Index(fields=["patient", "onset"]), models.Index(fields=["serious", "reviewed_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AdverseEventKind.values), name="adverse_event_kind_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="adverse_event_severity_valid"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="adverse_event_outcome_valid"),
            models.CheckConstraint(condition=Q(reported_by__in=ReportedBy.values),
                                   name="adverse_event_reported_by_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.severity}) on {self.onset}"
