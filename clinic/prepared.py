"""Server-side prepared statements, for the few hot queries whose planning costs more than running them.

PostgreSQL plans every statement it is sent. For most queries that is nothing, but the calendar's
busy read (patients.booking.busy) spends 1 to 2.5 ms planning and well under a millisecond running,
on every preview and every booking. Prepared, it is planned once per connection, with its
parameters as parameters (a generic plan), and then only run; a migration's DDL makes PostgreSQL
plan it again by itself.

Left to itself (`plan_cache_mode = auto`) PostgreSQL plans each run again whenever the generic
plan's estimate is a little above the specific ones', which for the busy read is always (its
arrays' sizes are unknown to the generic plan), although both plans read the same indexes in the
same time. So each run asks for the generic plan: `SET plan_cache_mode = force_generic_plan`, sent
with the EXECUTE. The setting stays on the connection; besides these statements PostgreSQL caches
only the plans of the audit trail's PL/pgSQL triggers (inserts of NEW's values, lookups by primary
key), whose generic plans are the specific ones.

A prepared statement lasts as long as its database session, and a rollback does not undo it, so
each is prepared once per connection: `execute_prepared` remembers which connections (psycopg2's
connection objects, weakly) have it. A pooler in transaction mode (PgBouncer) hands sessions from
client to client and cannot keep them: the setting that says so for Django's server-side cursors,
`DISABLE_SERVER_SIDE_CURSORS`, makes these plain queries again.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection


@dataclass(frozen=True)
class Prepared:
    """A query written as for `cursor.execute` (named `%(name)s` parameters), with the PostgreSQL
    type of each parameter, under a name unique to the app."""

    name: str
    sql: str
    types: Mapping[str, str]

    def prepare_sql(self) -> str:
        sql = self.sql
        for number, parameter in enumerate(self.types, start=1):
            sql = sql.replace(f"%({parameter})s", f"${number}")
        signature = ", ".join(self.types.values())
        return f"PREPARE {self.name}({signature}) AS {sql.replace('%%', '%')}"

    def execute_sql(self) -> str:
        placeholders = ", ".join(["%s"] * len(self.types))
        return f"SET plan_cache_mode = force_generic_plan; EXECUTE {self.name}({placeholders})"


_prepared_on: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def execute_prepared(cursor, statement: Prepared, params: Mapping[str, Any]) -> None:
    """Run `statement` with `params` on `cursor` (a cursor of django.db.connection), preparing it
    first if this connection has not yet."""
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        cursor.execute(statement.sql, params)
        return
    names = _prepared_on.setdefault(connection.connection, set())
    if statement.name not in names:
        cursor.execute(statement.prepare_sql())
        names.add(statement.name)
    cursor.execute(statement.execute_sql(), [params[parameter] for parameter in statement.types])
