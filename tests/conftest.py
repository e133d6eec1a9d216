"""Fixtures shared by every test: staff users per role and API clients authenticated as them.

`pytest --now=YYYY-MM-DD` runs the tests with the clock travelled to that date (09:00 UTC, ticking),
so a test that only passes before some date shows itself today. A test whose dates matter (a Monday,
a holiday, a window in March 2027) says when it happens with `@pytest.mark.clock("2027-02-01T09:00+03:00")`
(or a module's `pytestmark`): its fixtures and body then run at that moment, whatever today or --now is.
A test whose child processes share its clock (Celery workers, beats) says `@pytest.mark.real_clock`: it
dates everything from now, and runs at the machine's now even under --now, as its children do."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import override_settings
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.management.commands.create_staff import staff_upsert
from clinic.roles import Role

PASSWORD = "correct-horse-battery-staple"


def pytest_addoption(parser):
    parser.addoption("--now", metavar="YYYY-MM-DD", default=None,
                     help="run every test with the clock travelled to this date (09:00 UTC, ticking)")


def pytest_configure(config):
    value = config.getoption("--now")
    if value:
        try:
            day = datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise pytest.UsageError(f"--now takes a date as YYYY-MM-DD, not {value!r}") from None
        traveller = time_machine.travel(day.replace(hour=9, tzinfo=UTC), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2, as the product hashes, with the lightest parameters argon2 takes: a test user's
    password costs well under a millisecond instead of a third of a second (the product's 100 MiB,
    two passes). The hash still starts "argon2" and carries its parameters, so the product's own
    hasher checks it too (a gunicorn or Celery process a test starts), and upgrades it on log-in."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing():
    with override_settings(PASSWORD_HASHERS=[f"{__name__}.QuickArgon2PasswordHasher", *settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(autouse=True)
def _english_by_default():
    """Every test starts, and leaves, in English: a page a test requested in another language leaves
    that language active in the thread (Django's test client does not reset it), and the next test's
    services would answer in it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clock(request):
    """The `clock(moment, tick=True)` marker: travel to `moment` (an aware datetime or ISO instant) before
    the test's own fixtures build their world, and back (to the real or the --now clock) after it. An
    inner travel wins over an outer one, so under --now the test's moment is what the code sees."""
    if request.node.get_closest_marker("real_clock") and time_machine.escape_hatch.is_travelling():
        # Its child processes (Celery, gunicorn) read the machine's clock: so does the test.
        with time_machine.travel(time_machine.escape_hatch.time.time(), tick=True) as traveller:
            yield traveller
        return
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield None
        return
    moment = marker.args[0]
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if moment.tzinfo is None:
        raise pytest.UsageError(f"clock({marker.args[0]!r}) needs an aware moment, e.g. '...T09:00+03:00'")
    with time_machine.travel(moment, tick=marker.kwargs.get("tick", True)) as traveller:
        yield traveller


def pytest_report_header(config):
    value = config.getoption("--now")
    return f"clock travelled to {value} 09:00 UTC" if value else None


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_guards():
    """Transactional tests end with a TRUNCATE of every table, and the audit trail's tables refuse
    TRUNCATE (clinic.audit). The suite connects as a superuser, which may say it means it: its
    flush switches triggers off for that one transaction, as an owner resetting a database would."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    sql_flush = DatabaseOperations.sql_flush

    def sql_flush_past_triggers(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush_past_triggers)
        yield


@dataclass
class AppRole:
    """The app's own database role on the test database, made by the product (clinic.db_roles)."""

    name: str
    password: str

    @property
    def url(self) -> str:
        from tests.helpers import test_database_url

        return test_database_url(self.name, self.password)

    def connect(self):
        """A real connection as the role (not Django's), in a transaction until commit/rollback."""
        import psycopg2
        from django.conf import settings

        db = settings.DATABASES["default"]
        return psycopg2.connect(dbname=db["NAME"], user=self.name, password=self.password,
                                host=db.get("HOST") or None, port=db.get("PORT") or None)


@pytest.fixture
def app_role(transactional_db):
    """A fresh app role (roles are per server, so a unique name) with the app's privileges."""
    from django.db import connection

    from clinic.db_roles import app_role_grant

    role = AppRole(name=f"anagen_app_test_{secrets.token_hex(4)}", password=secrets.token_urlsafe(16))
    app_role_grant(role=role.name, password=role.password)
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role.name}"; DROP ROLE "{role.name}"')


@pytest.fixture
def make_staff(db):
    def make(role: str, username: str | None = None):
        return staff_upsert(
            username=username or f"{role}1", role=Role.from_label(role), password=PASSWORD,
            email=f"{username or role}@clinic.test", first_name=role.title(), validate=False,
        )

    return make


@pytest.fixture
def receptionist(make_staff):
    return make_staff("receptionist")


@pytest.fixture
def doctor(make_staff):
    return make_staff("doctor")


@pytest.fixture
def admin_user(make_staff):
    return make_staff("admin")


@pytest.fixture
def desk(receptionist):
    """The pages as the front desk sees them."""
    from tests.helpers import client_for

    return client_for(receptionist)


def _token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_receptionist(receptionist):
    return _token_client(receptionist)


@pytest.fixture
def api_doctor(doctor):
    return _token_client(doctor)


@pytest.fixture
def api_admin(admin_user):
    return _token_client(admin_user)


@pytest.fixture
def api_anonymous():
    return APIClient()


@pytest.fixture
def api_as(make_staff):
    """api_as("doctor") -> an APIClient authenticated as a fresh user with that role."""

    def client_for(role: str) -> APIClient:
        return _token_client(make_staff(role, f"{role}-api"))

    return client_for
