"""The standard photographs of a visit: one view of the scalp (vertex, frontal, ...) or a
trichoscopy macro image, taken with the same distance, angle and light at each visit, so that a
doctor can compare them side by side.

Photos are the most sensitive data a clinic holds. The file lives in the private "photos"
storage (settings.STORAGES; never under a public URL) under a random name that says nothing about
the patient, re-encoded without EXIF, GPS or any other metadata (patients.outcomes.photos).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.audit import audited
from patients.booking.models import Session


class View(models.TextChoices):
    VERTEX = "vertex", _("Vertex")
    FRONTAL = "frontal", _("Frontal (hairline)")
    MIDLINE_PART = "midline_part", _("Midline part")
    TEMPORAL_LEFT = "temporal_left", _("Temporal (left)")
    TEMPORAL_RIGHT = "temporal_right", _("Temporal (right)")
    OCCIPITAL = "occipital", _("Occipital")
    MACRO = "macro", _("Trichoscopy macro")


class ImageFormat(models.TextChoices):
    JPEG = "jpeg", _("JPEG")
    PNG = "png", _("PNG")


def photo_storage() -> Storage:
    """The private storage of photographs, settings.STORAGES["photos"]. Django calls it once for
    the field; the service and the views call it at each use, so they follow a changed setting."""
    return storages["photos"]


@audited()
class Photo(models.Model):
    """One photograph of a visit. A view may be taken again at the same visit (a blurred shot):
    the comparison shows the latest of each view."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="photos")
    view = models.CharField(max_length=20, choices=View.choices)
    image = models.FileField(storage=photo_storage, max_length=200)
    format = models.CharField(max_length=4, choices=ImageFormat.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text=_("Bytes of the stored (re-encoded) file"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()

    class Meta:
        verbose_name = _("photo")
        ordering = ["session", "view", "-taken_at", "-id"]
        indexes = [models.Index(fields=["session", "view", "-taken_at"], name="photo_session_view_latest")]
        constraints = [
            models.CheckConstraint(condition=Q(view__in=View.values), name="photo_view_known"),
            models.CheckConstraint(condition=Q(format__in=ImageFormat.values), name="photo_format_known"),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="photo_has_pixels"),
        ]

    def __str__(self) -> str:
        return f"Photo #{self.pk}: {self.get_view_display()} of session #{self.session_id}"

    @property
    def content_type(self) -> str:
        return f"image/{self.format}"
