"""The staff member's own profile: who they are, their API key, and their password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from clinic.api_keys import (
    api_key_create,
    api_key_expires_at,
    api_key_for,
    api_key_is_expired,
    api_key_masked,
    api_key_revoke,
)
from clinic.language_forms import LanguageForm
from clinic.languages import activate_staff_language, staff_language, staff_language_set
from clinic.permissions import RoleRequiredMixin

# A new key is put in the session for the one page view that shows it, then forgotten.
NEW_KEY_SESSION = "profile_new_api_key"


def _password_form(request: HttpRequest) -> PasswordChangeForm:
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    # The profile page is read first; the cursor should not jump into the password box.
    form.fields["old_password"].widget.attrs.pop("autofocus", None)
    return form


def _profile_context(request: HttpRequest) -> dict[str, Any]:
    token = api_key_for(request.user)
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    return {
        "api_key_days": settings.API_TOKEN_DAYS,
        "api_key": token,
        "api_key_masked": api_key_masked(token) if token else "",
        "api_key_expires_at": api_key_expires_at(token) if token else None,
        "api_key_expired": token is not None and api_key_is_expired(token, now=timezone.now()),
        # Shown only on the page right after it was made, and only if it is still the user's key.
        "new_api_key": new_key if token and new_key == token.key else None,
    }


class ProfileView(RoleRequiredMixin, TemplateView):
    template_name = "clinic/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_profile_context(self.request))
        context["password_form"] = _password_form(self.request)
        context["language_form"] = LanguageForm(initial={"language": staff_language(self.request.user)})
        return context


class ApiKeyCreateView(RoleRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        token = api_key_create(user=request.user)
        request.session[NEW_KEY_SESSION] = token.key
        messages.success(request, _("Your new API key is below. Copy it now: it will not be shown again."))
        return redirect("profile")


class ApiKeyRevokeView(RoleRequiredMixin, TemplateView):
    """GET asks for confirmation in the page's own words; POST revokes."""

    template_name = "clinic/api_key_confirm_revoke.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = api_key_for(request.user)
        if token is None:
            messages.info(request, _("You have no API key to revoke."))
            return redirect("profile")
        return self.render_to_response(self.get_context_data(api_key_masked=api_key_masked(token)))

    def post(self, request: HttpRequest) -> HttpResponse:
        if api_key_revoke(user=request.user):
            messages.success(request, _("Your API key is revoked: calls made with it are refused from now on."))
        else:
            messages.info(request, _("You have no API key to revoke."))
        return redirect("profile")


class PasswordChangeView(RoleRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = _password_form(request)
        if not form.is_valid():
            context = {**_profile_context(request), "password_form": form}
            return render(request, "clinic/profile.html", context)
        user = form.save()
        # Changing the password ends the user's other sessions; this one stays logged in.
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
        return redirect("profile")


class LanguageView(RoleRequiredMixin, View):
    """Set the staff member's own language (from the profile page or the user menu), then go back."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LanguageForm(request.POST)
        if form.is_valid():
            try:
                staff_language_set(user=request.user, language=form.cleaned_data["language"])
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            context = {**_profile_context(request), "password_form": _password_form(request), "language_form": form}
            return render(request, "clinic/profile.html", context)
        if form.cleaned_data["language"]:
            activate_staff_language(request, request.user)
        else:
            translation.activate(translation.get_language_from_request(request))
        messages.success(request, _("Your pages are now in %(language)s.") % {
            "language": translation.get_language_info(translation.get_language())["name_local"]})
        target = form.cleaned_data["next"]
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
            return redirect(target)
        return redirect("profile")
