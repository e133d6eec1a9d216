"""The append-only audit trail (django-pghistory): every insert, update and delete of a tracked
model is written by a database trigger, with the acting user and request in its context."""

from collections.abc import Callable

import pghistory
from django.db.models import Model
from django.http import HttpRequest


def audited():
    """Class decorator for models that hold clinic, protocol, patient or booking data."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


# Apps whose audited models hold personal data name a reader here (from AppConfig.ready): the
# history page calls it with each object whose history it shows, so that app can log the read.
# A registry rather than an import, because clinic sits below the apps that use it.
_history_readers: dict[str, Callable[..., object]] = {}


def history_reader_register(app_label: str, reader: Callable[..., object]) -> None:
    """Call `reader(request=..., obj=...)` whenever the history of one of the app's objects is shown."""
    _history_readers[app_label] = reader


def history_read(*, request: HttpRequest, obj: Model) -> None:
    """Tell the object's app that `request.user` read its history (patients: the access log)."""
    reader = _history_readers.get(obj._meta.app_label)
    if reader is not None:
        reader(request=request, obj=obj)
