"""API keys expire API_TOKEN_DAYS after they were made; DRF's Token and drf_create_token keep working."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def call_me(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/")


def test_a_key_works_until_the_end_of_its_90_days(receptionist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = Token.objects.create(user=receptionist)
    with time_machine.travel(start + timedelta(days=90) - timedelta(seconds=1), tick=False):
        assert call_me(token.key).status_code == 200


def test_an_expired_key_gets_401_with_the_api_error_body(receptionist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = Token.objects.create(user=receptionist)
    with time_machine.travel(start + timedelta(days=90), tick=False):
        response = call_me(token.key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["code"] == "token_expired"
    expired_on = (start + timedelta(days=90)).strftime("%Y-%m-%d %H:%M")
    assert body["detail"].startswith(f"This API key expired on {expired_on} UTC.")
    assert "profile page" in body["detail"]


def test_the_lifetime_is_the_api_token_days_setting(receptionist, settings):
    settings.API_TOKEN_DAYS = 7
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = Token.objects.create(user=receptionist)
    with time_machine.travel(start + timedelta(days=6, hours=23), tick=False):
        assert call_me(token.key).status_code == 200
    with time_machine.travel(start + timedelta(days=7), tick=False):
        assert call_me(token.key).json()["code"] == "token_expired"


def test_an_unknown_key_is_still_authentication_failed(api_anonymous):
    assert call_me("0" * 40).json()["code"] == "authentication_failed"


def test_drf_create_token_regenerate_gives_an_expired_user_a_working_key(receptionist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        call_command("drf_create_token", receptionist.username, stdout=StringIO())
    with time_machine.travel(start + timedelta(days=100), tick=False):
        old = Token.objects.get(user=receptionist).key
        assert call_me(old).status_code == 401
        out = StringIO()
        call_command("drf_create_token", "-r", receptionist.username, stdout=out)
        key = out.getvalue().split()[2]
        assert key != old
        assert call_me(key).status_code == 200
