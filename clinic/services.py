"""Writes to the clinic's set-up. The staff pages and the JSON API both come through here.

Each service validates the whole object with the model's own rules (`full_clean`: field
validators, `clean()`, constraints) before saving, inside one transaction, so an invalid change
leaves nothing behind whichever door it came in by.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy

from .errors import Conflict
from .models import Closure, Location, Practitioner, Room


def _assign[M: models.Model](instance: M, data: Mapping[str, Any]) -> M:
    editable = {field.name for field in instance._meta.concrete_fields if field.editable and not field.primary_key}
    unknown = set(data) - editable
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no editable field {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)
    return instance


def _save[M: models.Model](instance: M, data: Mapping[str, Any]) -> M:
    _assign(instance, data)
    instance.full_clean()
    instance.save()
    return instance


IN_USE = {
    "location": gettext_lazy("This location is still in use (practitioners, rooms or bookings refer to it): "
                             "deactivate it instead."),
    "practitioner": gettext_lazy("This practitioner is still in use (bookings refer to it): deactivate it instead."),
    "room": gettext_lazy("This room is still in use (bookings refer to it): deactivate it instead."),
    "closure": gettext_lazy("This closure is still in use: it cannot be deleted."),
}


def _delete(instance: models.Model, what: str) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError:
        raise Conflict(str(IN_USE[what])) from None


@transaction.atomic
def location_create(*, data: Mapping[str, Any]) -> Location:
    """Create a location. Fields left out take the model's defaults (reminder offsets from the
    REMINDER_OFFSETS setting, the default route policy); opening hours are stored normalized."""
    return _save(Location(), data)


@transaction.atomic
def location_update(*, location: Location, data: Mapping[str, Any]) -> Location:
    """Change some fields of a location; the whole location must still be valid."""
    return _save(location, data)


def location_delete(*, location: Location) -> None:
    """Delete a location with nothing attached (its closures go with it); 409 otherwise."""
    _delete(location, "location")


@transaction.atomic
def practitioner_create(*, data: Mapping[str, Any]) -> Practitioner:
    """Create a practitioner at a location. Empty working hours mean the location's hours."""
    return _save(Practitioner(), data)


@transaction.atomic
def practitioner_update(*, practitioner: Practitioner, data: Mapping[str, Any]) -> Practitioner:
    """Change a practitioner. Deactivating keeps their history and bookings; they stop being
    offered for new ones."""
    return _save(practitioner, data)


def practitioner_delete(*, practitioner: Practitioner) -> None:
    """Delete a practitioner nobody refers to; 409 otherwise."""
    _delete(practitioner, "practitioner")


@transaction.atomic
def room_create(*, data: Mapping[str, Any]) -> Room:
    """Create a room; its name is unique within its location."""
    return _save(Room(), data)


@transaction.atomic
def room_update(*, room: Room, data: Mapping[str, Any]) -> Room:
    """Change a room (deactivate it to stop booking into it)."""
    return _save(room, data)


def room_delete(*, room: Room) -> None:
    """Delete a room nobody refers to; 409 otherwise."""
    _delete(room, "room")


@transaction.atomic
def closure_create(*, data: Mapping[str, Any]) -> Closure:
    """Close a location, or one of its practitioners, from start to end (UTC-aware instants).

    Booked sessions inside it stay where they are: the caller shows them to staff
    (`selectors.sessions_affected_by_closure`) so that someone moves them deliberately."""
    return _save(Closure(), data)


@transaction.atomic
def closure_update(*, closure: Closure, data: Mapping[str, Any]) -> Closure:
    """Change a closure's times, scope or reason."""
    return _save(closure, data)


def closure_delete(*, closure: Closure) -> None:
    """Reopen the time a closure held."""
    _delete(closure, "closure")
