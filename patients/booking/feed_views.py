"""Practitioners' calendar feeds: the feed itself (no login: its URL is the key) and the admin's
page that makes and rotates it (patients.booking.feeds does both)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from clinic.models import Practitioner
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.booking.feeds import calendar_feed_for_token, calendar_feed_rotate, practitioner_feed
from patients.booking.models import CalendarFeed

# The new URL waits in the admin's session for the one page view that shows it.
NEW_FEED_URL_SESSION = "anagen_new_calendar_feed_url"
# A calendar app may keep the feed (private), but asks again each time it polls (no-cache): the
# ETag makes that question cheap, a 304 without a body.
FEED_CACHE_CONTROL = "private, no-cache"


@require_safe
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    feed = calendar_feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    body = practitioner_feed(feed, now=timezone.now())
    last_modified = int(body.last_modified.timestamp())
    response = get_conditional_response(request, etag=body.etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body.ics, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="anagen.ics"'
    response["ETag"] = body.etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = FEED_CACHE_CONTROL
    return response


class PractitionerCalendarFeedView(RoleRequiredMixin, TemplateView):
    """GET shows whether the practitioner has a feed (and its new URL, once, after POST); POST
    makes the feed or gives it a new URL. The page asks before a rotation (data-confirm)."""

    required_role = Role.ADMIN
    template_name = "patients/practitioner_calendar_feed.html"

    def practitioner(self) -> Practitioner:
        return get_object_or_404(Practitioner.objects.select_related("location"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        practitioner = self.practitioner()
        new_urls = self.request.session.get(NEW_FEED_URL_SESSION, {})
        new_url = new_urls.pop(str(practitioner.pk), None)
        if new_url:
            self.request.session[NEW_FEED_URL_SESSION] = new_urls
        feed = CalendarFeed.objects.select_related("rotated_by").filter(practitioner=practitioner).first()
        return super().get_context_data(practitioner=practitioner, feed=feed, new_url=new_url, **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        practitioner = self.practitioner()
        had_feed = CalendarFeed.objects.filter(practitioner=practitioner).exists()
        url = calendar_feed_rotate(practitioner=practitioner, by=request.user, now=timezone.now())
        request.session[NEW_FEED_URL_SESSION] = {**request.session.get(NEW_FEED_URL_SESSION, {}),
                                                 str(practitioner.pk): url}
        if had_feed:
            messages.success(request, _("The feed has a new URL: the old one no longer works. Copy the new one now."))
        else:
            messages.success(request, _("The feed is ready. Copy its URL now: it will not be shown again."))
        return redirect("booking:practitioner-calendar-feed", pk=practitioner.pk)
