"""Synthetic scalp photographs for the demo clinic: drawn with Pillow, never a stock image or a
real patient. A skin-toned scalp lit from above, hair strokes whose density follows a parameter
(thinning at the crown for the vertex, a receding line for the frontal view, shafts seen close
up for a trichoscopy macro), and a label saying it is a demo. The same seed draws the same photo.

`demo_photos_seed` stores a few of them per patient through the real upload service, the hair
thickening from one visit to the next, so the comparison page has something to show.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from patients.booking.models import Session
from patients.consent.selectors import consents_missing
from patients.registry.models import Patient

from .photo_models import Photo, View
from .photos import photo_add

WIDTH, HEIGHT = 1200, 900
SKIN = (224, 182, 150)
HAIR = (58, 38, 26)
DEMO_VIEWS = (View.VERTEX, View.FRONTAL, View.MACRO)
# Hair shades around HAIR, each channel a little off (drawn once: a stroke picks one of them).
_shades = random.Random("hair shades")
HAIR_SHADES = [tuple(max(0, c + _shades.randint(-12, 12)) for c in HAIR) for _ in range(64)]


def _thinning(view: str, x: float, y: float) -> float:
    """How much of the full density grows at (x, y) in 0..1 of the frame, before treatment: the
    pattern each view shows of androgenetic alopecia."""
    if view == View.VERTEX:
        return min(1.0, math.hypot(x - 0.5, (y - 0.5) * 1.3) / 0.42)  # a bald crown in the middle
    if view == View.FRONTAL:
        line = 0.25 + 0.3 * (abs(x - 0.5) * 2) ** 2  # the hairline, receding at the temples
        return max(0.0, min(1.0, (y - line) / 0.2))
    if view == View.MIDLINE_PART:
        return min(1.0, abs(x - 0.5) / 0.12)  # the part widens
    if view in (View.TEMPORAL_LEFT, View.TEMPORAL_RIGHT):
        return max(0.0, min(1.0, (y - 0.25) / 0.3))
    return 1.0


def scalp_photo(*, view: str = View.VERTEX, density: float = 0.5, seed: int = 1, label: str = "",
                width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A synthetic scalp photograph as JPEG bytes. `density` from 0 (bare) to 1 (full hair)."""
    density = max(0.0, min(1.0, density))
    rng = random.Random(f"{view}:{seed}")  # the same seed draws the same scalp for every density
    image = Image.new("RGB", (width, height), SKIN)
    draw = ImageDraw.Draw(image)
    for row in range(0, height, 6):  # lit from above: darker towards the bottom
        shade = int(28 * row / height)
        draw.rectangle((0, row, width, row + 6), fill=tuple(max(0, c - shade) for c in SKIN))
    macro = view == View.MACRO
    for _ in range(1000 if macro else 12000):
        x, y, keep = rng.random(), rng.random(), rng.random()
        thin = _thinning(view, x, y)
        if keep > (0.15 + 0.85 * density) * (thin + (1 - thin) * density):
            continue
        angle = rng.gauss(math.pi / 2.6, 0.35)
        length = (rng.uniform(40, 120) if macro else rng.uniform(18, 55)) * (0.6 + 0.4 * density)
        thickness = max(1, round(rng.gauss(5 if macro else 2, 1) * (0.7 + 0.5 * density)))
        colour = HAIR_SHADES[int(rng.random() * len(HAIR_SHADES))]
        x0, y0 = x * width, y * height
        bend = rng.uniform(-0.3, 0.3)
        points = [(x0 + math.cos(angle + bend * t) * length * t, y0 + math.sin(angle + bend * t) * length * t)
                  for t in (0, 0.33, 0.66, 1)]
        draw.line(points, fill=colour, width=thickness, joint="curve")
        if macro and rng.random() < 0.5:  # follicular units: two or three shafts from one opening
            draw.line([(px + 6, py) for px, py in points], fill=colour, width=thickness, joint="curve")
    image = image.filter(ImageFilter.BoxBlur(0.7))  # a lens's softness (one pass: a third of a Gaussian's time)
    text = label or f"{View(view).label} · demo"
    font = ImageFont.load_default(size=max(14, height // 30))
    box = ImageDraw.Draw(image).textbbox((0, 0), text, font=font)
    ImageDraw.Draw(image).rectangle((12, 12, 28 + box[2] - box[0], 28 + box[3] - box[1]), fill=(255, 255, 255))
    ImageDraw.Draw(image).text((20, 16), text, fill=(20, 20, 20), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=86)
    return out.getvalue()


def demo_photos_seed(*, patient: Patient, by, views: Iterable[str] = DEMO_VIEWS, now: datetime | None = None,
                     start_density: float = 0.3, gain_per_visit: float = 0.15) -> list[Photo]:
    """Store demo photos of each of the patient's visits that have come (not cancelled or missed),
    denser at each visit. Nothing when the patient has not signed the photo consent, and nothing
    for a visit that already has photos (so seeding twice adds nothing)."""
    now = now or timezone.now()
    if consents_missing(patient=patient, photos=True):
        return []
    sessions = (Session.objects.filter(patient=patient, start__lte=now).exclude(status__in=Session.RELEASED)
                .select_related("location").order_by("start"))
    stored = []
    for index, session in enumerate(sessions):
        if session.photos.exists():
            continue
        stored += visit_demo_photos(session=session, by=by, now=now, views=views,
                                    density=min(1.0, start_density + gain_per_visit * index))
    return stored


def visit_demo_photos(*, session: Session, by, now: datetime, views: Iterable[str], density: float) -> list[Photo]:
    """Drawn photographs of one visit, taken 20 minutes into it, stored through the upload service."""
    taken = min(now, session.start + timedelta(minutes=20))
    stored = []
    for view in views:
        data = scalp_photo(view=view, density=density, seed=session.patient_id,
                           label=gettext("%(view)s · session %(number)s · demo")
                           % {"view": View(view).label, "number": session.number})
        upload = SimpleUploadedFile(f"demo-{view}.jpg", data, content_type="image/jpeg")
        stored.append(photo_add(session=session, view=view, upload=upload, by=by, now=taken))
    return stored
