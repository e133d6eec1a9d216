"""Staff log-in, roles, lock-out after repeated failures, idle sessions, create_staff."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinic.roles import Role, role_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password, **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def test_the_home_page_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_receptionist_logs_in_and_out(client, receptionist):
    response = post_login(client, receptionist.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_a_user_without_a_role_is_refused_the_staff_pages(client):
    get_user_model().objects.create_user("nobody", password=PASSWORD)
    post_login(client, "nobody", PASSWORD)
    assert client.get("/").status_code == 403


def test_roles_nest_receptionist_doctor_admin(receptionist, doctor, admin_user):
    assert [role_of(u) for u in (receptionist, doctor, admin_user)] == [Role.RECEPTIONIST, Role.DOCTOR, Role.ADMIN]


def test_passwords_are_hashed_with_argon2(receptionist):
    assert receptionist.password.startswith("argon2")


def test_five_failures_lock_the_account_from_that_address_for_15_minutes(client, receptionist):
    for _ in range(5):
        post_login(client, receptionist.username, "wrong")
    # The right password no longer helps while the lock holds.
    response = post_login(client, receptionist.username, PASSWORD)
    assert response.status_code == 429
    assert b"locked" in response.content
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = post_login(client, receptionist.username, PASSWORD)
        assert response.status_code == 302


def test_four_failures_do_not_lock(client, receptionist):
    for _ in range(4):
        post_login(client, receptionist.username, "wrong")
    assert post_login(client, receptionist.username, PASSWORD).status_code == 302


def test_a_staff_session_ends_after_30_idle_minutes(client, receptionist):
    post_login(client, receptionist.username, PASSWORD)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=29)):
        assert client.get("/").status_code == 200  # activity pushes the expiry forward
    with time_machine.travel(start + timedelta(minutes=29 + 29)):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 29 + 31)):
        assert client.get("/").status_code == 302


def test_create_staff_is_idempotent_and_updates_the_role(capsys):
    call_command("create_staff", "amira", "--role", "receptionist", "--password", "a-long-enough-secret-1")
    call_command("create_staff", "amira", "--role", "doctor", "--password", "a-long-enough-secret-2",
                 "--email", "amira@clinic.test")
    user = get_user_model().objects.get(username="amira")
    assert get_user_model().objects.filter(username="amira").count() == 1
    assert role_of(user) == Role.DOCTOR
    assert list(user.groups.values_list("name", flat=True)) == ["doctor"]
    assert user.email == "amira@clinic.test"
    assert user.check_password("a-long-enough-secret-2")


def test_create_staff_refuses_a_weak_password():
    with pytest.raises(CommandError, match="too short|too common"):
        call_command("create_staff", "weak", "--role", "admin", "--password", "123")
    assert not get_user_model().objects.filter(username="weak").exists()


def test_create_staff_refuses_an_unknown_role():
    with pytest.raises(CommandError):
        call_command("create_staff", "x", "--role", "surgeon", "--password", "a-long-enough-secret-1")
