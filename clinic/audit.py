"""The append-only audit trail (django-pghistory): every insert, update and delete of a tracked
model is written by a database trigger, with the acting user and request in its context."""

import pghistory


def audited():
    """Class decorator for models that hold clinic, protocol, patient or booking data."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
