"""API authentication: DRF's TokenAuthentication (`Authorization: Token <key>`), with keys that
expire API_TOKEN_DAYS after they were made (clinic/api_keys.py)."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from clinic.api_keys import api_key_expires_at, api_key_is_expired


class TokenExpired(AuthenticationFailed):
    default_code = "token_expired"


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        user, token = super().authenticate_credentials(key)
        if api_key_is_expired(token, now=timezone.now()):
            expired = timezone.localtime(api_key_expires_at(token)).strftime("%Y-%m-%d %H:%M %Z")
            raise TokenExpired(
                f"This API key expired on {expired}. Create a new one on your profile page in Anagen "
                "(or with `manage.py drf_create_token -r USERNAME`)."
            )
        return user, token
