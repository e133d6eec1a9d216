"""The portal's own cookie: separate from staff sessions, signed, holding the patient's link
token, and ending after PORTAL_IDLE_MINUTES without a request (each page sets it again). The
token inside is checked on every request, so an expired or revoked link ends the cookie too."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation

from patients.models import Patient
from patients.portal.selectors import PortalNotFound
from patients.portal.tokens import PortalTokenError, portal_patient

COOKIE = "anagen_portal"
LANGUAGE_COOKIE = "anagen_portal_language"
SALT = "anagen.portal.cookie"
PATH = "/portal/"
LANGUAGES = ("en", "tr", "ar", "es", "de")


def idle_seconds() -> int:
    return settings.PORTAL_IDLE_MINUTES * 60


def set_portal_cookie(response: HttpResponse, token: str) -> None:
    response.set_signed_cookie(COOKIE, token, salt=SALT, max_age=idle_seconds(), path=PATH, httponly=True,
                               samesite="Lax", secure=not settings.DEBUG)


def clear_portal_cookie(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, path=PATH, samesite="Lax")


def cookie_token(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=idle_seconds())


def page_language(request: HttpRequest, patient: Patient | None) -> str:
    """The language the patient chose on the page, else their own, else English."""
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return patient.language if patient is not None and patient.language in LANGUAGES else "en"


def invalid_page(request: HttpRequest, reason: str, *, status: int) -> HttpResponse:
    with translation.override(page_language(request, None)):
        response = render(request, "portal/link_invalid.html", {"reason": reason, **page_context()}, status=status)
    clear_portal_cookie(response)
    return response


def page_context() -> dict[str, Any]:
    return {"rtl": translation.get_language_bidi(), "language": translation.get_language(),
            "languages": [(code, name) for code, name in settings.LANGUAGES]}


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the patient's own: `request.portal_patient` set from the cookie, in the
    patient's language; without a cookie, the sign-in page; with a dead token, a clear page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = cookie_token(request)
        if not token:
            return redirect("portal:sign-in")
        try:
            patient = portal_patient(token)
        except PortalTokenError as error:
            return invalid_page(request, error.reason, status=403)
        request.portal_patient = patient
        with translation.override(page_language(request, patient)):
            try:
                response = view(request, *args, **kwargs)
            except PortalNotFound:
                # Not this patient's (or nothing at all): the same answer either way.
                response = render(request, "portal/not_found.html", page_context(), status=404)
        set_portal_cookie(response, token)  # idle time starts again
        return response

    return wrapper
