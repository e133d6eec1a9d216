"""Nothing the app answers is kept by a browser's or a proxy's cache: its pages and API answers
show patient data, and a shared tablet's back button or disk cache must not show them again."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from clinic.languages import activate_staff_language

NO_STORE = "private, no-store"


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response a view makes, unless the view set its
    own Cache-Control. Static files never reach it: WhiteNoise, above it, answers them first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
        return response


class StaffLanguageMiddleware:
    """Below authentication: a signed-in staff member's pages are in the language they chose on
    their profile; anyone else's in the browser's (Django's LocaleMiddleware, above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        activate_staff_language(request, request.user)
        return self.get_response(request)  # LocaleMiddleware, above, names the language in Content-Language
