"""Fixtures shared by every test: staff users per role and API clients authenticated as them.

`pytest --now=YYYY-MM-DD` runs the tests with the clock travelled to that date (09:00 UTC, ticking),
so a test that only passes before some date shows itself today."""

from datetime import UTC, datetime

import pytest
import time_machine
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


def pytest_report_header(config):
    value = config.getoption("--now")
    return f"clock travelled to {value} 09:00 UTC" if value else None


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
