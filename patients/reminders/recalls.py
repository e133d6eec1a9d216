"""Recalls: a daily pass sends one recall email per unbooked gap of a course to chase
(patients.booking.chase) when its window closes within RECALL_DAYS."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from patients.booking.chase import courses_to_chase
from patients.models import Reminder

RECALL_DAYS = 7


def recall_queue_due(*, now: datetime) -> int:
    """Queue one recall per unbooked gap whose window closes within RECALL_DAYS; never one a day.

    The unique constraint on (course, kind, offset=session number) makes a second recall for the
    same gap impossible, even when two passes run at once."""
    queued = 0
    for chase in courses_to_chase(now=now):
        today = now.astimezone(ZoneInfo(chase.course.location.timezone)).date()
        if (chase.window_latest - today).days > RECALL_DAYS:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    course=chase.course,
                    patient_id=chase.course.patient_id,
                    kind="recall",
                    offset=str(chase.number),
                    send_at=now,
                )
            queued += 1
        except IntegrityError:
            continue  # already recalled for this gap
    return queued
