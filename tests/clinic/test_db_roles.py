"""The audit trail is append-only for the app's own database role (clinic.db_roles, clinic.audit):
no UPDATE, DELETE or TRUNCATE, and none of the switches an owner has (pgtrigger.ignore,
session_replication_role, ALTER TABLE ... DISABLE TRIGGER), while the app's work goes on as that
role. Each attack runs on a real connection as the role; the suite itself is a superuser."""

import subprocess
import sys

import pghistory
import pgtrigger
import psycopg2
import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import ProgrammingError, connection, transaction

from clinic.audit import context_table, history_tables
from clinic.db_roles import app_role_grant
from patients.models import PatientAccess
from tests.factories import LocationFactory, PatientFactory
from tests.helpers import ROOT, process_env

pytestmark = pytest.mark.django_db(transaction=True)

INSUFFICIENT_PRIVILEGE = "42501"


def _pgtrigger_ignore(uri: str) -> str:
    """The value pgtrigger.ignore(uri) puts in the `pgtrigger.ignore` setting."""
    model, trigger = pgtrigger.registered(uri)[0]
    pgid = trigger.get_pgid(model)
    return "{" + f"{model._meta.db_table}:{pgid},{pgid}" + "}"


def _attacks(table: str, column: str, ignore: str) -> dict[str, str]:
    change = f"UPDATE {table} SET {column} = {column}"
    return {
        "UPDATE": change,
        "DELETE": f"DELETE FROM {table}",
        "TRUNCATE": f"TRUNCATE {table}",
        "pgtrigger.ignore": f"SELECT set_config('pgtrigger.ignore', '{ignore}', true); {change}",
        "session_replication_role": f"SET session_replication_role = replica; DELETE FROM {table}",
        "DISABLE TRIGGER": f"ALTER TABLE {table} DISABLE TRIGGER ALL; DELETE FROM {table}",
    }


def _outcome(app_role, statement: str) -> str:
    """'refused' when PostgreSQL refuses the statement for lack of privilege, else what happened."""
    conn = app_role.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
            return f"done: {cursor.rowcount} row(s)"
    except psycopg2.Error as error:
        return "refused" if error.pgcode == INSUFFICIENT_PRIVILEGE else f"{error.pgcode}: {error}"
    finally:
        conn.rollback()
        conn.close()


def _audit_rows() -> dict[str, list[tuple]]:
    tables = ["clinic_locationevent", "patients_patientaccess", context_table()]
    with connection.cursor() as cursor:
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


@pytest.mark.parametrize(
    "table, column, ignore",
    [
        ("clinic_locationevent", "name", "clinic.LocationEvent:append_only"),
        ("patients_patientaccess", "via", "patients.PatientAccess:append_only"),
        ("pghistory_context", "metadata", None),
    ],
)
def test_the_app_role_cannot_change_or_remove_the_audit_trail(app_role, admin_user, table, column, ignore):
    with pghistory.context(user=admin_user.pk, url="/setup/"):
        location = LocationFactory(name="Anagen Istanbul")
        location.name = "Anagen Istanbul Nişantaşı"
        location.save()
    PatientAccess.objects.create(user=admin_user, patient=PatientFactory(), via=PatientAccess.Via.PAGE)
    before = _audit_rows()
    assert before[table]
    # The context has no pgtrigger trigger; naming its guard in the setting changes nothing either.
    setting = _pgtrigger_ignore(ignore) if ignore else "{anagen_audit_context_guard}"

    outcomes = {name: _outcome(app_role, sql) for name, sql in _attacks(table, column, setting).items()}

    assert outcomes == dict.fromkeys(outcomes, "refused")
    assert _audit_rows() == before


def test_the_owner_could_switch_the_trigger_off_which_is_why_the_app_is_not_the_owner():
    LocationFactory(name="Audited")
    event = apps.get_model("clinic", "LocationEvent")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with pgtrigger.ignore("clinic.LocationEvent:append_only"):
            assert event.objects.update(name="rewritten") == 1
        1 / 0  # roll back
    assert list(event.objects.values_list("name", flat=True)) == ["Audited"]


def test_the_app_role_reads_and_inserts_every_history_table_and_owns_nothing(app_role):
    app_role_grant(role=app_role.name, password=app_role.password)  # again: idempotent
    with connection.cursor() as cursor:
        def may(table: str, privilege: str) -> bool:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app_role.name, table, privilege])
            return cursor.fetchone()[0]

        def privileges(table: str) -> set[str]:
            return {p for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE") if may(table, p)}

        tables = history_tables()
        assert {"clinic_locationevent", "patients_sessionevent", "patients_patientaccess"} <= set(tables)
        assert {table: privileges(table) for table in tables} == dict.fromkeys(tables, {"SELECT", "INSERT"})
        assert privileges(context_table()) == {"SELECT", "INSERT", "UPDATE"}
        assert privileges("clinic_location") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
        assert privileges("django_migrations") == {"SELECT"}
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = %s::regrole", [app_role.name])
        assert cursor.fetchone()[0] == 0


def test_even_the_owner_cannot_truncate_the_audit_trail_by_accident():
    tables = [*history_tables(), context_table()]
    for table in tables:
        with pytest.raises(ProgrammingError, match=f"append-only: {table} cannot be truncated"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table}")


def test_the_app_role_does_the_apps_work_with_pghistory_upserting_its_context(app_role, admin_user):
    # load_starter_protocols creates then activates each protocol, each in its own transaction,
    # under one context: pghistory upserts the context again each time its metadata grows.
    def run(command: str) -> None:
        result = subprocess.run([sys.executable, "manage.py", command], cwd=ROOT, capture_output=True, text=True,
                                env=process_env(DATABASE_URL=app_role.url), timeout=300)
        assert result.returncode == 0, result.stderr

    run("load_starter_protocols")
    protocol_events = pghistory.models.Events.objects.across(apps.get_model("protocols", "ProtocolEvent"))
    contexts = {tuple(sorted(e.pgh_context.items())) for e in protocol_events}
    assert contexts == {(("action", "protocol_activate"), ("command", "load_starter_protocols"))}
    # The demo's history too: patients, bookings, records, reminders sent, as the app's own role.
    run("seed_demo")
    assert apps.get_model("patients", "Reminder").objects.filter(status="sent").exists()
    location = apps.get_model("clinic", "Location").objects.get(name__startswith="Anagen Istanbul")
    assert location.events.filter(pgh_label="insert", pgh_context__metadata__command="seed_demo").exists()

    conn = app_role.connect()
    with conn, conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO patients_patientaccess (user_id, patient_id, at, via, what, path)"
            " VALUES (%s, %s, now(), 'page', 'record', '/patients/')",
            [admin_user.pk, PatientFactory().pk],
        )
    conn.close()
    assert PatientAccess.objects.count() == 1


def test_a_settled_context_cannot_be_rewritten_even_through_pghistorys_own_upsert(app_role, admin_user):
    with pghistory.context(user=admin_user.pk) as context:
        location = LocationFactory(name="Anagen Madrid")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE pghistory_context SET updated_at = now() - interval '2 hours' WHERE id = %s",
                       [context.id])
    forged = (
        f"SELECT set_config('pghistory.context_id', '{context.id}', true),"
        """ set_config('pghistory.context_metadata', '{"user": 999}', true);"""
        f" UPDATE clinic_location SET name = 'Anagen Madrid Centro' WHERE id = {location.pk}"
    )

    assert _outcome(app_role, forged) == "refused"
    assert pghistory.models.Context.objects.get(id=context.id).metadata == {"user": admin_user.pk}


def test_the_app_role_cannot_be_the_owner():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(ImproperlyConfigured, match="must not be the owner"):
        app_role_grant(role=owner, password=None)
