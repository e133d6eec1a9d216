"""Staff API keys: Django REST framework's own Token (one per user, as `drf_create_token` makes
it), valid for API_TOKEN_DAYS from the moment it was created. The expiry rule lives here only:
the API's authentication class and the profile page both ask it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from rest_framework.authtoken.models import Token


def api_key_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_DAYS)


def api_key_expires_at(token: Token) -> datetime:
    """When the key stops working."""
    return token.created + api_key_lifetime()


def api_key_is_expired(token: Token, *, now: datetime) -> bool:
    return now >= api_key_expires_at(token)


def api_key_masked(token: Token) -> str:
    """Enough of the key to recognise it, never enough to use it."""
    return f"{token.key[:4]}{'•' * 12}"


def api_key_for(user: AbstractBaseUser) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def api_key_create(*, user: AbstractBaseUser) -> Token:
    """Give the user a new API key, valid API_TOKEN_DAYS from now. Any key they had stops
    working at once (a user has one key, as in DRF)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_key_revoke(*, user: AbstractBaseUser) -> bool:
    """Delete the user's API key; True when there was one. Calls made with it then get 401."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
