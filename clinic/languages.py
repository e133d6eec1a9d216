"""The language a staff member's pages and API answers are in: their own choice, else the browser's.

One place reads and writes it: the middleware (pages), the API's base views (token callers), the
profile page and `PATCH /api/v1/me/` all go through these functions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from .models import StaffProfile

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def staff_language(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The language this user chose, or "" when they follow their browser (and for anyone else)."""
    if user is None or not user.is_authenticated:
        return ""
    cached = getattr(user, "_anagen_language", None)
    if cached is None:
        # Read with the user by the pages' auth backend (clinic.auth_backend); else one query here.
        try:
            chosen = user.staff_profile.language
        except StaffProfile.DoesNotExist:
            chosen = ""
        cached = remember_language(user, chosen)
    return cached


def remember_language(user: AbstractBaseUser, language: str | None) -> str:
    """Keep the user's language on the user object for the rest of the request (a caller that read
    it along with the user, as the API's token check does, saves staff_language its query)."""
    user._anagen_language = language or ""
    return user._anagen_language


def staff_language_set(*, user: AbstractBaseUser, language: str | None) -> str:
    """Set the user's own language ("" or None: follow the browser). Raises ValidationError by field."""
    language = language or ""
    if language and language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose one of %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}})
    StaffProfile.objects.update_or_create(user=user, defaults={"language": language})
    return remember_language(user, language)


def activate_staff_language(request, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """Switch this request to the user's own language, when they chose one."""
    language = staff_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
