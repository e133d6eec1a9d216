"""Practitioners' calendar feeds, under /feeds/ (no staff login: the token in the URL is the key)."""

from django.urls import re_path

from patients.booking.feed_views import calendar_feed_ics

urlpatterns = [
    re_path(r"^(?P<token>[A-Za-z0-9_-]+)\.ics$", calendar_feed_ics, name="calendar-feed-ics"),
]
