"""The app's own database role: what web, worker and beat may do, and no more.

The schema's owner runs `migrate`; web, worker and beat connect as a role that owns nothing. An
owner (or a superuser) can always switch a trigger off (`pgtrigger.ignore`, `SET
session_replication_role = replica`, `ALTER TABLE ... DISABLE TRIGGER`) or TRUNCATE; the app's
role can do none of that, and the audit trail's tables (clinic.audit) are closed to it by
privileges, which no trigger setting bypasses: it may read and insert history and log rows, never
update, delete or truncate them. pghistory's context table keeps UPDATE for pghistory's own upsert,
under a guard trigger (clinic.audit).

`migrate` run as the owner (DATABASE_OWNER_URL) creates or updates DATABASE_URL's role after every
migrate (clinic.apps), so new tables, new event tables included, are covered.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from psycopg2 import sql

from clinic.audit import context_table, history_tables

# What the app does to its ordinary tables. Never TRUNCATE, REFERENCES or TRIGGER.
TABLE_PRIVILEGES = sql.SQL("SELECT, INSERT, UPDATE, DELETE")


def app_role_grant(*, role: str, password: str | None, using: str = "default") -> None:
    """Create or update the login role `role` and give it what the app needs on the database of
    `using`, run as that database's owner (idempotent):

    - SELECT, INSERT, UPDATE, DELETE on every table, USAGE on every sequence; nothing on
      django_migrations but SELECT (migrations are the owner's);
    - on the history and the append-only logs SELECT and INSERT only; on pghistory's context table
      no DELETE either; TRUNCATE nowhere;
    - tables the owner creates later start readable and insertable only, until the next run;
    - no CREATE (PostgreSQL 15+ gives PUBLIC none on schema public) and no TEMPORARY, so the role
      can create no function or trigger of its own.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        def text(statement: sql.Composable) -> str:
            return statement.as_string(cursor.connection)

        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if not role or role == owner:
            raise ImproperlyConfigured(
                f"The app's database role must not be the owner who migrates ({owner}): give "
                "DATABASE_URL a role of its own, e.g. postgres://anagen_app:PASSWORD@host/db."
            )
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls"
            " FROM pg_roles WHERE rolname = %s",
            [role],
        )
        existing = cursor.fetchone()
        if existing and existing[0]:
            raise ImproperlyConfigured(
                f"{role} may create roles or databases, replicate or bypass row security: the app "
                "needs a plain role of its own."
            )
        role_id, schema_id = sql.Identifier(role), sql.Identifier(schema)
        if existing is None:
            # Two migrations starting together on one server may both try: the second one alters.
            cursor.execute(text(sql.SQL(
                "DO $$ BEGIN CREATE ROLE {} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            ).format(role_id)))
        login = sql.SQL("ALTER ROLE {} WITH LOGIN").format(role_id)
        if password:
            cursor.execute(text(sql.SQL("{} PASSWORD %s").format(login)), [password])
        else:
            cursor.execute(text(login))

        tables = {
            "history": sql.SQL(", ").join(sql.Identifier(t) for t in history_tables()),
            "context": sql.Identifier(context_table()),
        }
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role_id),
            sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC, {}").format(sql.Identifier(database), role_id),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_id, role_id),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema_id, role_id),
            sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(TABLE_PRIVILEGES, schema_id, role_id),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_id, role_id),
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {}").format(role_id),
            sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(tables["history"], role_id),
            sql.SQL("REVOKE DELETE ON {} FROM {}").format(tables["context"], role_id),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT ON TABLES TO {}").format(
                schema_id, role_id
            ),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
                schema_id, role_id
            ),
        ]
        cursor.execute(text(sql.SQL(";\n").join(statements)))

