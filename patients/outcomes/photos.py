"""Writes of the standard photographs: checking an upload and storing it, cleaned.

The rules, in one place for the API and the session panel:
- a photo is of a known view, a real JPEG or PNG whose declared type (and file name, when it has
  an extension) says what it really is, at most settings.PHOTO_MAX_BYTES (20 MB), at least
  PHOTO_MIN_SIDE (800 px) on its short side and at most PHOTO_MAX_PIXELS: anything else is
  refused by the field (400 `invalid`), a decompression bomb included;
- the patient has signed the clinic's photo consent (patients.consent.selectors.consents_require,
  422 `consent_required`);
- a cancelled or no-show visit has no photos, nor one whose local day has not come (the records'
  time rule, patients.booking.status.visit_day_refusal: 409 `invalid_transition`);
- the stored file is re-encoded by Pillow with the camera's orientation applied and nothing else
  kept: no EXIF, no GPS, no XMP, no comment, no ICC profile (colours converted to sRGB first);
- it is written under a random name to the private "photos" storage, and removed again if its row
  cannot be written: a refusal leaves no file behind.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from patients.booking.models import Session
from patients.booking.status import InvalidTransition, visit_day_refusal
from patients.consent.selectors import consents_require

from .photo_models import ImageFormat, Photo, View, photo_storage
from .uploads import too_large_message

PHOTO_MIN_SIDE = 800
# A 50-megapixel phone camera's full frame; Pillow's own bomb limit (MAX_IMAGE_PIXELS) is higher.
PHOTO_MAX_PIXELS = 50_000_000
JPEG_QUALITY = 92

_CONTENT_TYPES = {"image/jpeg": ImageFormat.JPEG, "image/jpg": ImageFormat.JPEG, "image/pjpeg": ImageFormat.JPEG,
                  "image/png": ImageFormat.PNG}
_EXTENSIONS = {".jpg": ImageFormat.JPEG, ".jpeg": ImageFormat.JPEG, ".jpe": ImageFormat.JPEG,
               ".png": ImageFormat.PNG}
_PILLOW_FORMATS = {"JPEG": ImageFormat.JPEG, "PNG": ImageFormat.PNG}


@dataclass(frozen=True)
class CleanImage:
    """An upload re-encoded without metadata: what is stored."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "jpg" if self.format == ImageFormat.JPEG else "png"


def _refused(message: str) -> ValidationError:
    return ValidationError({"image": [message]})


def _declared_format(upload: UploadedFile) -> str:
    """The format the upload says it is (its content type, and its name's extension if it has one)."""
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    declared = _CONTENT_TYPES.get(content_type)
    if declared is None:
        raise _refused(_("Send a JPEG or PNG photo (image/jpeg or image/png), not “%(type)s”.")
                       % {"type": content_type[:60] or _("no type")})
    suffix = PurePosixPath(getattr(upload, "name", "") or "").suffix.lower()
    if suffix and _EXTENSIONS.get(suffix) != declared:
        raise _refused(_("The file is named “%(suffix)s” but sent as %(type)s: send a .jpg or .png file "
                         "whose name matches what it is.") % {"suffix": suffix[:20], "type": content_type})
    return declared


def _open(stream: IO[bytes]) -> Image.Image:
    """Open and decode, with Pillow's decompression-bomb warning as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream, formats=list(_PILLOW_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refused(_("This image claims too many pixels to open safely (at most %(mp)d megapixels).")
                           % {"mp": PHOTO_MAX_PIXELS // 1_000_000}) from None
        except UnidentifiedImageError:
            raise _refused(_("This file is not a JPEG or PNG image.")) from None
        except Exception:  # noqa: BLE001  Pillow's parsers raise many kinds on hostile headers
            raise _refused(_("This image is damaged or incomplete: take or choose it again.")) from None
        if image.width * image.height > PHOTO_MAX_PIXELS:
            raise _refused(_("This image has %(mp)d megapixels: at most %(max)d.")
                           % {"mp": image.width * image.height // 1_000_000, "max": PHOTO_MAX_PIXELS // 1_000_000})
        # A truncated photo is refused, whatever else in the process said: WeasyPrint (the consent
        # PDFs) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        except Exception:  # noqa: BLE001  (OSError, SyntaxError, ValueError, struct.error... on damaged data)
            raise _refused(_("This image is damaged or incomplete: take or choose it again.")) from None
    return image


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """Colours as sRGB when the camera embedded another profile (Display P3), so the profile can go."""
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def image_clean(upload: UploadedFile | None) -> CleanImage:
    """Check an uploaded photo and re-encode it without metadata (see the module's rules); raises
    ValidationError by the field `image`."""
    if upload is None or not hasattr(upload, "read"):
        raise _refused(_("Choose a photo to upload."))
    if upload.size is not None and upload.size > settings.PHOTO_MAX_BYTES:
        raise _refused(too_large_message())
    if not upload.size:
        raise _refused(_("The file is empty."))
    declared = _declared_format(upload)
    upload.seek(0)
    image = _open(upload)
    real = _PILLOW_FORMATS[image.format]
    if real != declared:
        raise _refused(_("The file is really a %(real)s image, but was sent as %(declared)s: send it as what it is.")
                       % {"real": ImageFormat(real).label, "declared": ImageFormat(declared).label})
    profile = image.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(image)  # a copy with the orientation applied
    except Exception:  # noqa: BLE001  damaged EXIF: the pixels are fine, only the orientation is lost
        upright = image.copy()
    upright = _to_srgb(upright, profile)
    if min(upright.size) < PHOTO_MIN_SIDE:
        raise _refused(_("This photo is %(w)d × %(h)d px: it needs at least %(min)d px on its short side.")
                       % {"w": upright.width, "h": upright.height, "min": PHOTO_MIN_SIDE})
    keep = ("L", "RGB") if real == ImageFormat.JPEG else ("L", "LA", "RGB", "RGBA")
    if upright.mode not in keep:
        has_alpha = real == ImageFormat.PNG and (upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info)
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    upright.info = {}  # Pillow would write a comment, an ICC profile or XMP found here
    out = io.BytesIO()
    if real == ImageFormat.JPEG:
        upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    else:
        upright.save(out, "PNG", compress_level=6)
    return CleanImage(out.getvalue(), real, upright.width, upright.height)


def _photographable(session: Session, now: datetime) -> None:
    if session.status in Session.RELEASED:
        raise InvalidTransition(_("A %(status)s session has no photos.")
                                % {"status": session.get_status_display().lower()})
    refusal = visit_day_refusal(session=session, now=now, doing="photographed")
    if refusal:
        raise InvalidTransition(refusal)


def view_refusal(view: str | None) -> str | None:
    if view in View.values:
        return None
    return _("“%(view)s” is not a view: one of %(views)s.") % {"view": str(view or "")[:40],
                                                              "views": ", ".join(View.values)}


def photo_add(*, session: Session, view: str | None, upload: UploadedFile | None, by: AbstractBaseUser,
              now: datetime | None = None) -> Photo:
    """Store a standard photograph of a visit, cleaned of its metadata, and return its row.
    Refuses: 422 consent_required without the patient's signed photo consent; 409 invalid_transition
    for a cancelled or no-show session or one whose local day has not come; ValidationError by the
    field (`view`, `image`: 400 invalid) for anything else. A refusal stores nothing."""
    now = now or timezone.now()
    consents_require(patient=session.patient_id, photos=True, doing=_("A photograph"))
    _photographable(session, now)
    errors: dict[str, list[str]] = {}
    if refusal := view_refusal(view):
        errors["view"] = [refusal]
    try:
        clean = image_clean(upload)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    storage = photo_storage()
    # A random name: nothing in the store's listing says whose scalp it is.
    name = storage.save(f"{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.data))
    context = {"action": "photo_add", **({"user": by.pk} if getattr(by, "pk", None) else {})}
    try:
        with transaction.atomic(), pghistory.context(**context):
            return Photo.objects.create(session=session, view=view, image=name, format=clean.format,
                                        width=clean.width, height=clean.height, size=len(clean.data),
                                        taken_by=by, taken_at=now)
    except BaseException:
        storage.delete(name)
        raise


def photo_bytes(photo: Photo) -> IO[bytes]:
    """The stored file, opened for reading (the caller closes it)."""
    return photo_storage().open(photo.image.name, "rb")
