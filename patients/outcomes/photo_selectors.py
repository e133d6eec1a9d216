"""Reads of the standard photographs: a patient's photos, the visits that have some, and two
visits side by side by view.

A photo's date is its session's local date and its day the days since the course's anchor, both
from patients.outcomes.selectors (`session_date`, `session_day`: the one SQL for them), so a
photo and a measurement of the same visit always carry the same day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from patients.booking.models import Session

from .photo_models import Photo, View
from .selectors import session_date, session_day


def photos_of_patient(patient_id: int) -> QuerySet[Photo]:
    """The patient's photos, oldest visit first, with `taken_on` (the visit's local date) and `day`."""
    return (
        Photo.objects.filter(session__patient_id=patient_id)
        .annotate(taken_on=session_date("session__"), day=session_day("session__"))
        .order_by("session__start", "session_id", "view", "-taken_at", "-id")
    )


@dataclass
class PhotoVisit:
    """A visit with photos: its session, date, day since its course's anchor, and the latest photo
    of each view taken then."""

    session_id: int
    number: int
    course_id: int
    protocol_code: str
    taken_on: date
    day: int
    photos: dict[str, Photo] = field(default_factory=dict)

    @property
    def views(self) -> list[str]:
        return [view for view in View.values if view in self.photos]


def photo_visits(patient_id: int) -> list[PhotoVisit]:
    """The patient's visits that have photos, oldest first, in one query."""
    visits: dict[int, PhotoVisit] = {}
    rows = photos_of_patient(patient_id).select_related("session__course__protocol")
    for photo in rows:
        visit = visits.get(photo.session_id)
        if visit is None:
            session: Session = photo.session
            visit = visits[photo.session_id] = PhotoVisit(
                photo.session_id, session.number, session.course_id, session.course.protocol.code,
                photo.taken_on, photo.day)
        visit.photos.setdefault(photo.view, photo)  # the latest of the view comes first
    return list(visits.values())


@dataclass(frozen=True)
class ViewPair:
    """One view at two visits: `sides` is (("before", photo or None, visit), ("after", ...))."""

    view: str
    label: str
    sides: tuple[tuple[str, Photo | None, PhotoVisit], tuple[str, Photo | None, PhotoVisit]]


def compared(before: PhotoVisit, after: PhotoVisit) -> list[ViewPair]:
    """The views either visit has, in the standard order, each with its photo at both visits."""
    return [ViewPair(view, View(view).label, (("before", before.photos.get(view), before),
                                              ("after", after.photos.get(view), after)))
            for view in View.values if view in before.photos or view in after.photos]
