"""The clinic's own resources: locations, practitioners, rooms and closures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .audit import audited
from .hours import (
    DEFAULT_ROUTE_POLICY,
    hours_as_json,
    hours_summary,
    normalize_route_policy,
    parse_hours,
    validate_country,
    validate_offsets,
    validate_plain_name,
    validate_route_policy,
    validate_timezone,
)

ADDRESS_MAX_LENGTH = 1000


def default_route_policy() -> dict[str, list[str]]:
    return {category: list(routes) for category, routes in DEFAULT_ROUTE_POLICY.items()}


def default_reminder_offsets() -> list[str]:
    return list(settings.REMINDER_OFFSETS)


@audited()
class Location(models.Model):
    name = models.CharField(max_length=120, unique=True, validators=[validate_plain_name])
    address = models.TextField(
        blank=True, max_length=ADDRESS_MAX_LENGTH, validators=[MaxLengthValidator(ADDRESS_MAX_LENGTH)]
    )
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], help_text=_("IANA name, e.g. Europe/Istanbul")
    )
    # Given to patients on the pages their email links open ("call us to change a time").
    phone = PhoneNumberField(blank=True, help_text=_("The number patients call, e.g. +90 212 555 01 23"))
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. TR"))
    subdivision = models.CharField(max_length=10, blank=True, help_text=_("Optional, e.g. MD for Madrid"))
    observe_public_holidays = models.BooleanField(default=True)
    slot_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    opening_hours = models.JSONField(default=list, blank=True)
    reminder_offsets = models.JSONField(default=default_reminder_offsets, blank=True)
    route_policy = models.JSONField(default=default_route_policy, blank=True)
    # Patients may move or cancel a session on their own page until this many hours before it
    # (and only to a time at least this far ahead); nearer than that, they ask the clinic.
    change_notice_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(720)],
        help_text=_("Patients may move or cancel a session online until this many hours before it"),
    )

    class Meta:
        verbose_name = _("location")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=120), name="location_slot_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.country:
            self.country = self.country.upper()
        if self.subdivision:
            self.subdivision = self.subdivision.upper()
        if self.country:
            try:
                validate_country(self.country, self.subdivision)
            except ValidationError as error:
                errors.update(error.message_dict)
        for field, check in (
            ("opening_hours", parse_hours),
            ("reminder_offsets", validate_offsets),
            ("route_policy", validate_route_policy),
        ):
            try:
                check(getattr(self, field))
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
        if "opening_hours" not in errors:
            # Stored sorted and in one spelling, so that equal hours compare equal.
            self.opening_hours = hours_as_json(parse_hours(self.opening_hours))
        if "route_policy" not in errors:
            self.route_policy = normalize_route_policy(self.route_policy)
        if self.slot_minutes and 1440 % self.slot_minutes:
            message = gettext("The slot length must divide a day (5, 10, 15, 20, 30, 60…).")
            errors.setdefault("slot_minutes", []).append(message)
        if errors:
            raise ValidationError(errors)

    def allows(self, source_category: str, route: str) -> bool:
        """Does this location's route policy allow the source category by this route?"""
        return route in (self.route_policy or {}).get(source_category, [])


@audited()
class Practitioner(models.Model):
    class Kind(models.TextChoices):
        DOCTOR = "doctor", _("Doctor")
        NURSE = "nurse", _("Nurse")

    name = models.CharField(max_length=120, validators=[validate_plain_name])
    email = models.EmailField(blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="practitioners")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DOCTOR)
    working_hours = models.JSONField(default=list, blank=True, help_text=_("Empty: the location's opening hours"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("practitioner")
        ordering = ["location", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def working_hours_summary(self) -> str:
        return hours_summary(self.working_hours) or gettext("The location's opening hours")

    def clean(self) -> None:
        try:
            spans = parse_hours(self.working_hours, field="working hours")
        except ValidationError as error:
            raise ValidationError({"working_hours": error.messages}) from None
        self.working_hours = hours_as_json(spans)


@audited()
class Room(models.Model):
    name = models.CharField(max_length=80, validators=[validate_plain_name])
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("room")
        ordering = ["location", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="room_name_unique_per_location",
                violation_error_message=_("A room with this name already exists at this location."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"


@audited()
class Closure(models.Model):
    """Time a location (or one practitioner) is unavailable. It never moves booked sessions."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="closures",
        help_text=_("Empty: the whole location"),
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="closure_end_after_start")]
        indexes = [models.Index(fields=["location", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.location} closed {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = gettext("The closure must end after it starts.")
        if self.practitioner_id and self.location_id and self.practitioner.location_id != self.location_id:
            errors["practitioner"] = gettext("This practitioner works at another location.")
        if errors:
            raise ValidationError(errors)


class StaffProfile(models.Model):
    """What a staff member chose for themselves: the language of their pages (blank: the browser's)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"Staff profile of user #{self.user_id}"
