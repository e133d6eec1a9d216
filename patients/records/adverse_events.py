"""Adverse events: filed by any staff role, completed and reviewed by a doctor, never deleted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.errors import Conflict
from clinic.formats import written_date

from .models import AdverseEvent, Lot
from .selectors import session_local_date

# What a front-desk user may write when filing; the rest is the doctor's to complete.
EDITABLE = ("onset", "kind", "severity", "serious", "description", "outcome", "reported_by", "session")


def _today_for(event: AdverseEvent, now: datetime) -> date:
    if event.session_id:
        return now.astimezone(ZoneInfo(event.session.location.timezone)).date()
    return timezone.localdate(now)


def _check(event: AdverseEvent, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if event.session_id and event.session.patient_id != event.patient_id:
        errors["session"] = [_("This session is another patient's.")]
    if event.onset > _today_for(event, now):
        errors.setdefault("onset", []).append(_("The onset cannot be in the future."))
    if event.session_id and event.onset < session_local_date(event.session):
        errors.setdefault("onset", []).append(
            _("The onset cannot be before the session (%(date)s).")
            % {"date": written_date(session_local_date(event.session), "date")})
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["patient", "session", "filed_by", "reviewed_by"])


def adverse_event_file(*, data: Mapping[str, Any], by, now: datetime | None = None) -> AdverseEvent:
    """File an adverse event (any staff role: a patient may phone it in)."""
    now = now or timezone.now()
    with transaction.atomic(), pghistory.context(action="adverse_event_file", user=by.pk):
        event = AdverseEvent(**data, filed_by=by, filed_at=now)
        _check(event, now)
        event.save()
    return event


def adverse_event_update(*, event: AdverseEvent, data: Mapping[str, Any], by, now: datetime | None = None
                         ) -> AdverseEvent:
    """Complete or correct an event (doctors): its outcome, severity, description... The patient stays."""
    now = now or timezone.now()
    with transaction.atomic(), pghistory.context(action="adverse_event_update", user=by.pk):
        event = AdverseEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)
        for field, value in data.items():
            if field in EDITABLE:
                setattr(event, field, value)
        _check(event, now)
        event.save()
    return event


def adverse_event_review(*, event: AdverseEvent, by, now: datetime | None = None) -> AdverseEvent:
    """A doctor has looked at the event: a serious one stops standing out on the home page."""
    now = now or timezone.now()
    with transaction.atomic(), pghistory.context(action="adverse_event_review", user=by.pk):
        event = AdverseEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if event.reviewed_at is not None:
            raise Conflict(_("This event has already been reviewed."), code="invalid_transition")
        event.reviewed_by, event.reviewed_at = by, now
        event.save(update_fields=["reviewed_by", "reviewed_at"])
    return event


def adverse_events() -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.select_related("session__location").prefetch_related("session__record__products")


def serious_unreviewed() -> QuerySet[AdverseEvent]:
    """Serious events no doctor has reviewed yet (the patient page and doctors' home page)."""
    return adverse_events().filter(serious=True, reviewed_at__isnull=True).order_by("onset", "id")


def lots_of(event: AdverseEvent) -> list[int]:
    """The lots given at the event's session (none without a session, or before it was recorded)."""
    if not event.session_id:
        return []
    # The reverse one-to-one's "does not exist" is an AttributeError: getattr's default covers it.
    record = getattr(event.session, "record", None)
    return sorted({row.lot_id for row in record.products.all()}) if record else []


def events_with_lot(lot: Lot | int) -> QuerySet[AdverseEvent]:
    lot_id = lot.pk if isinstance(lot, Lot) else lot
    return adverse_events().filter(session__record__products__lot_id=lot_id).distinct()
