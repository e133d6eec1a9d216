"""Courses (a patient's series on one protocol version) and their sessions."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Deferrable, F, Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from clinic.audit import audited
from patients.registry.models import Patient


class TsTzRange(models.Func):
    """tstzrange(start, end): the half-open time a session occupies, for exclusion constraints."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


@audited()
class Course(models.Model):
    """A patient's series of sessions on one exact protocol version, at one location."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("course status", "Active")
        COMPLETED = "completed", pgettext_lazy("course status", "Completed")
        CANCELLED = "cancelled", pgettext_lazy("course status", "Cancelled")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    protocol = models.ForeignKey("protocols.Protocol", on_delete=models.PROTECT, related_name="courses")
    protocol_version = models.PositiveIntegerField()
    location = models.ForeignKey("clinic.Location", on_delete=models.PROTECT, related_name="courses")
    anchor_date = models.DateField(
        help_text=gettext_lazy("Session 1's gap counts from here: the course start or the surgery date"))
    surgery_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = gettext_lazy("course")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"{self.protocol.code} v{self.protocol_version} for {self.patient}"


CHANGE_NOTE_MAX_LENGTH = 500

# A session's status groups, defined here once; every query, check and constraint uses them.
# Live: holds its time (the exclusion constraints below keep two live sessions from overlapping).
LIVE_STATUSES = ("booked", "confirmed", "arrived", "completed")
# Movable: still ahead of the patient; it may be moved or cancelled, and it is reminded of.
MOVABLE_STATUSES = ("booked", "confirmed")
# Released: gave its time and its number back (a no-show's slot is past; the course may rebook it).
RELEASED_STATUSES = ("cancelled", "no_show")


@audited()
class Session(models.Model):
    """One visit of a course. Live sessions hold their time: the database refuses to let a
    practitioner, a room or a patient be in two live sessions at once."""

    class Status(models.TextChoices):
        BOOKED = "booked", pgettext_lazy("session status", "Booked")
        CONFIRMED = "confirmed", pgettext_lazy("session status", "Confirmed")
        ARRIVED = "arrived", pgettext_lazy("session status", "Arrived")
        COMPLETED = "completed", pgettext_lazy("session status", "Completed")
        NO_SHOW = "no_show", pgettext_lazy("session status", "No-show")
        CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")

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
    override_reason = models.TextField(blank=True, help_text=gettext_lazy("Why a window was broken on purpose"))
    cancel_reason = models.TextField(blank=True)
    # The patient asked for another time through the link in a reminder: shown on "To chase".
    change_requested_at = models.DateTimeField(null=True, blank=True)
    # What the patient wrote with that request: the days and times that suit them.
    change_request_note = models.TextField(blank=True, default="", max_length=CHANGE_NOTE_MAX_LENGTH)
    # The last status change, so staff can undo it for a few minutes (patients.booking.status).
    status_before = models.CharField(max_length=10, choices=Status.choices, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    LIVE = LIVE_STATUSES
    MOVABLE = MOVABLE_STATUSES
    RELEASED = RELEASED_STATUSES

    class Meta:
        verbose_name = gettext_lazy("session")
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
                fields=["course", "number"], condition=~Q(status__in=list(RELEASED_STATUSES)),
                name="session_number_unique_while_live",
            ),
            *[
                ExclusionConstraint(
                    name=f"session_no_double_booking_{who}",
                    expressions=[(TsTzRange("start", "end"), RangeOperators.OVERLAPS), (who, RangeOperators.EQUAL)],
                    condition=Q(status__in=list(LIVE_STATUSES)),
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

    @property
    def is_movable(self) -> bool:
        return self.status in self.MOVABLE

    @property
    def is_released(self) -> bool:
        return self.status in self.RELEASED


@audited()
class CalendarFeed(models.Model):
    """A practitioner's subscribed iCalendar feed (patients.booking.feeds). Only the SHA-256 of its
    token is kept: a copy of the database does not give anyone a live feed URL. Rotating replaces
    the hash, and the old URL stops working at once."""

    practitioner = models.OneToOneField("clinic.Practitioner", on_delete=models.CASCADE, related_name="calendar_feed")
    token_sha256 = models.CharField(max_length=64, unique=True)
    rotated_at = models.DateTimeField()
    rotated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = gettext_lazy("calendar feed")
        constraints = [
            models.CheckConstraint(condition=Q(token_sha256__regex=r"^[0-9a-f]{64}$"), name="calendar_feed_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of practitioner {self.practitioner_id}"
