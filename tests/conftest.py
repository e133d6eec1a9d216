"""Fixtures shared by every test: staff users per role and API clients authenticated as them."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.management.commands.create_staff import staff_upsert
from clinic.roles import Role

PASSWORD = "correct-horse-battery-staple"


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
