"""The staff member's own profile page: who they are, their API key (create, shown once, revoke
after a confirmation) and their password."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def call_me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code


@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
def test_every_role_reaches_the_profile_from_the_user_menu(make_staff, role):
    client = client_for(make_staff(role))
    home = client.get("/").content.decode()
    assert 'href="/accounts/profile/"' in home
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"<code>{role}1</code>" in text
    assert f'<span class="badge text-bg-secondary">{role}</span>' in text
    assert "You have no API key." in text


def test_the_profile_page_needs_a_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_key_is_shown_once_then_masked_and_works(receptionist):
    client = client_for(receptionist)
    response = client.post("/accounts/profile/api-key/", follow=True)
    key = Token.objects.get(user=receptionist).key
    text = response.content.decode()
    assert f'value="{key}"' in text
    assert "copy it now, it will not be shown again" in text
    assert call_me(key) == 200
    again = client.get("/accounts/profile/").content.decode()
    assert key not in again
    assert f"{key[:4]}••••••••••••" in again


def test_the_page_shows_when_the_key_was_made_and_when_it_expires(receptionist):
    with time_machine.travel("2031-03-10 09:30Z", tick=False):
        Token.objects.create(user=receptionist)
    with time_machine.travel("2031-04-01 12:00Z", tick=False):
        text = client_for(receptionist).get("/accounts/profile/").content.decode()
    assert "10 March 2031, 09:30 UTC" in text
    assert "8 June 2031, 09:30 UTC" in text  # 90 days on
    with time_machine.travel("2031-06-08 09:30Z", tick=False):
        text = client_for(receptionist).get("/accounts/profile/").content.decode()
    assert "Expired" in text and "text-bg-danger" in text


def test_creating_a_new_key_replaces_the_old_one_and_restarts_its_90_days(receptionist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = Token.objects.create(user=receptionist).key
    with time_machine.travel(start + timedelta(days=95), tick=False):
        assert call_me(old) == 401
        client_for(receptionist).post("/accounts/profile/api-key/")
        new = Token.objects.get(user=receptionist).key
        assert new != old
        assert call_me(old) == 401
        assert call_me(new) == 200
    with time_machine.travel(start + timedelta(days=95 + 89), tick=False):
        assert call_me(new) == 200


def test_revoking_asks_first_in_the_pages_own_words_then_the_key_stops_working(receptionist):
    key = Token.objects.create(user=receptionist).key
    client = client_for(receptionist)
    confirm = client.get("/accounts/profile/api-key/revoke/")
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert f"Revoke your API key <code>{key[:4]}" in text
    assert "will be refused (HTTP 401)" in text
    assert "Yes, revoke the key" in text and "No, keep it" in text
    # Asking is not revoking.
    assert call_me(key) == 200
    response = client.post("/accounts/profile/api-key/revoke/", follow=True)
    assert "Your API key is revoked" in response.content.decode()
    assert not Token.objects.filter(user=receptionist).exists()
    assert call_me(key) == 401


def test_revoking_without_a_key_says_so(receptionist):
    response = client_for(receptionist).get("/accounts/profile/api-key/revoke/", follow=True)
    assert "You have no API key to revoke." in response.content.decode()


def test_changing_the_password_keeps_the_user_logged_in(client, receptionist):
    client.post("/accounts/login/", {"username": receptionist.username, "password": PASSWORD})
    response = client.post("/accounts/profile/password/", {
        "old_password": PASSWORD, "new_password1": "a-brand-new-long-secret-42",
        "new_password2": "a-brand-new-long-secret-42"}, follow=True)
    assert "Your password is changed." in response.content.decode()
    receptionist.refresh_from_db()
    assert receptionist.check_password("a-brand-new-long-secret-42")
    assert client.get("/accounts/profile/").status_code == 200


def test_a_wrong_old_password_is_an_error_by_that_field(receptionist):
    response = client_for(receptionist).post("/accounts/profile/password/", {
        "old_password": "not-my-password", "new_password1": "a-brand-new-long-secret-42",
        "new_password2": "a-brand-new-long-secret-42"})
    assert response.status_code == 200
    form = response.context["password_form"]
    assert list(form.errors) == ["old_password"]
    text = response.content.decode()
    assert 'id="id_old_password"' in text and "is-invalid" in text
    assert "Your old password was entered incorrectly" in text
    receptionist.refresh_from_db()
    assert receptionist.check_password(PASSWORD)


def test_a_weak_new_password_is_refused_by_the_validators(receptionist):
    response = client_for(receptionist).post("/accounts/profile/password/", {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert "new_password2" in response.context["password_form"].errors
    receptionist.refresh_from_db()
    assert receptionist.check_password(PASSWORD)
