"""API authentication: DRF's TokenAuthentication (`Authorization: Token <key>`), with keys that
expire API_TOKEN_DAYS after they were made (clinic/api_keys.py)."""

from functools import cache

from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from clinic.api_keys import api_key_expires_at, api_key_is_expired
from clinic.languages import remember_language
from clinic.roles import remember_role


class TokenExpired(AuthenticationFailed):
    default_code = "token_expired"


@cache
def _tokens_with_their_user() -> QuerySet[Token]:
    """API keys with their user, the user's role groups and language (built once: only ever
    filtered, never read itself)."""
    groups = Group.objects.filter(user=OuterRef("user_id")).values("name")
    return (Token.objects.select_related("user")
            .annotate(groups=ArraySubquery(groups), language=F("user__staff_profile__language")))


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        # DRF's own check, with the user's role groups and language read in the same query: every
        # API call then asks the database once, not three times, who is calling, what they may do
        # and in which language to answer.
        token = next(iter(_tokens_with_their_user().filter(key=key)), None)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        remember_role(token.user, token.groups)
        remember_language(token.user, token.language)
        if api_key_is_expired(token, now=timezone.now()):
            expired = timezone.localtime(api_key_expires_at(token)).strftime("%Y-%m-%d %H:%M %Z")
            raise TokenExpired(
                _("This API key expired on %(expired)s. Create a new one on your profile page in Anagen "
                  "(or with `manage.py drf_create_token -r USERNAME`).") % {"expired": expired}
            )
        return token.user, token
