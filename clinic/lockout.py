"""The log-in lock-out (django-axes): whose address a failure counts against, and when a
username is locked on its own.

Two rules, both with the same cool-off (AXES_COOLOFF_TIME), so nothing is ever locked forever:
- a username and client address pair is locked after AXES_FAILURE_LIMIT failures;
- a username is locked from every address after AXES_USERNAME_FAILURE_LIMIT failures, so a
  guesser who spreads attempts over many addresses is stopped too.
"""

from __future__ import annotations

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address as the outermost trusted reverse proxy saw it (AXES_CLIENT_IP_CALLABLE).

    With TRUSTED_PROXY_COUNT = 0 the app faces clients directly and X-Forwarded-For is whatever
    the client chose to send: only REMOTE_ADDR counts. With N proxies, each one appends the
    address it received the request from, so the Nth entry from the right is the one the outermost
    proxy wrote; entries further left came from the client and are not believed. A header with
    fewer entries than that (or a malformed entry) did not come through all our proxies: fall back
    to REMOTE_ADDR.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < proxies:
        return remote_addr
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def username_failures(username: str | None, request: HttpRequest) -> int:
    """Failures for this username from any address inside the cool-off."""
    if not username:
        return 0
    total = (
        AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
        .aggregate(total=Sum("failures_since_start"))["total"]
    )
    return total or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler (AXES_HANDLER) with the username-only lock added.

    Axes compares one failure count against one limit, so the count reported here is the
    username-and-address count, raised to the limit once the username alone has reached
    AXES_USERNAME_FAILURE_LIMIT: both the check before a log-in and the lock after a failure see it.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if username_failures(username, request) >= settings.AXES_USERNAME_FAILURE_LIMIT:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures
