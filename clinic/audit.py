"""The append-only audit trail (django-pghistory): every insert, update and delete of a tracked
model is written by a database trigger, with the acting user and request in its context.

The trail is three kinds of table: the history (pghistory's event tables), the logs the app adds
to and never changes (the patient access log), and pghistory's context table. The app's own
database role may not change or remove their rows (clinic.db_roles), and BEFORE TRUNCATE guards
stop even the owner from emptying them by accident; `audit_guards_install` keeps the guards on
every such table after each migrate, new event tables included (clinic.apps).
"""

from collections.abc import Callable

import pghistory
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest
from psycopg2 import sql

_append_only_logs: list[type[models.Model]] = []

# pghistory writes a context by an upsert from inside the event trigger of a tracked table
# (_pgh_attach_context(): INSERT ... ON CONFLICT (id) DO UPDATE SET metadata, updated_at = NOW()),
# and a context that spans several transactions (a command, a request) is upserted again as its
# metadata grows. So the app's role keeps UPDATE on pghistory_context, and the context guard allows
# that upsert and nothing else: never a DELETE; an UPDATE only from inside another trigger (the
# app's role can create none: no CREATE on the schema, no TEMPORARY on the database), so that any
# rewrite also leaves a new event row, which nobody can change; the same id and created_at, and
# updated_at = now(); and only while the context is in use, within an hour of its last write, so
# settled history can never be re-attributed. Both are plain triggers, not pgtrigger's, so
# pgtrigger.ignore cannot switch them off.
_GUARD_FUNCTIONS = """
CREATE OR REPLACE FUNCTION anagen_audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % cannot be truncated', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION anagen_audit_context_guard() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit trail is append-only: history context % cannot be deleted', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF pg_trigger_depth() < 2
            OR NEW.id IS DISTINCT FROM OLD.id
            OR NEW.created_at IS DISTINCT FROM OLD.created_at
            OR NEW.updated_at IS DISTINCT FROM now()
            OR OLD.updated_at < now() - interval '1 hour' THEN
        RAISE EXCEPTION 'the audit trail is append-only: history context % changes only '
            'by pghistory''s upsert, while in use', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""


def audited():
    """Class decorator for models that hold clinic, protocol, patient or booking data."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def append_only_log[ModelT: type[models.Model]](model: ModelT) -> ModelT:
    """Class decorator for a log the app adds to and never changes (who looked at a patient): the
    app's database role may read and insert its rows, nothing else, and nobody may truncate it."""
    _append_only_logs.append(model)
    return model


def history_tables() -> list[str]:
    """The tables of the history and the append-only logs (not the context table)."""
    from django.apps import apps

    events = [
        model for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and model._meta.managed and not model._meta.proxy
    ]
    return sorted({model._meta.db_table for model in [*events, *_append_only_logs]})


def context_table() -> str:
    return pghistory.models.Context._meta.db_table


def audit_guards_install(*, connection: BaseDatabaseWrapper) -> None:
    """Put the guards on every table of the audit trail (idempotent): no TRUNCATE, and pghistory's
    context rows changed only by pghistory's upsert. Runs after every migrate (clinic.apps)."""
    statements = [_GUARD_FUNCTIONS]
    for table in [*history_tables(), context_table()]:
        statements.append(
            sql.SQL(
                "CREATE OR REPLACE TRIGGER anagen_audit_no_truncate BEFORE TRUNCATE ON {} "
                "FOR EACH STATEMENT EXECUTE FUNCTION anagen_audit_refuse_truncate();"
            ).format(sql.Identifier(table))
        )
    statements.append(
        sql.SQL(
            "CREATE OR REPLACE TRIGGER anagen_audit_context_guard BEFORE UPDATE OR DELETE ON {} "
            "FOR EACH ROW EXECUTE FUNCTION anagen_audit_context_guard();"
        ).format(sql.Identifier(context_table()))
    )
    with connection.cursor() as cursor:
        raw = cursor.connection
        cursor.execute("\n".join(s if isinstance(s, str) else s.as_string(raw) for s in statements))


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
