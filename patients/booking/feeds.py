"""Practitioners' subscribed calendars: `/feeds/<token>.ics`, read by calendar apps without a login.

The token in the URL is the only key, so the database keeps its SHA-256 and never the token: the
URL is shown once, when it is made, and a new one (rotation) makes the old one a 404 at once.

What a feed shows is the contract's privacy rule, kept here and nowhere else: the patient's
initials, "session n of N" and the room; never a name, an address, a phone number or anything
clinical. Each event has the session's UID from the patient's emails (patients.reminders.ics), so
the same visit is the same entry in every calendar.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from clinic.models import Practitioner
from patients.booking.models import CalendarFeed, Session
from patients.reminders.emails import site_domain
from patients.reminders.ics import CalendarEntry, build_feed, session_uid
from protocols.models import ProtocolSession

# A feed shows the practitioner's live sessions from this many days ago on.
FEED_PAST_DAYS = 30
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('calendar-feed-ics', args=[token])}"


def calendar_feed_rotate(*, practitioner: Practitioner, by, now: datetime) -> str:
    """Give the practitioner's feed a new token (making the feed if it has none) and return its
    URL. Only the token's hash is stored, so this is the one time the URL can be shown."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            practitioner=practitioner, defaults={"token_sha256": _sha256(token), "rotated_at": now, "rotated_by": by}
        )
    return feed_url(token)


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a URL's token opens, or None (unknown, rotated away, or not a token at all)."""
    if not _TOKEN.fullmatch(token):
        return None
    return CalendarFeed.objects.select_related("practitioner").filter(token_sha256=_sha256(token)).first()


def patient_initials(first_name: str, last_name: str) -> str:
    """'Ayşe Nur', 'Yılmaz-Kaya' -> 'A.N.Y.K.': one capital per part of the name, nothing more."""
    parts = re.split(r"[\s\-]+", f"{first_name} {last_name}".strip())
    return "".join(f"{part[0].upper()}." for part in parts if part)


@dataclass(frozen=True)
class FeedBody:
    ics: bytes
    etag: str
    last_modified: datetime


# Only what an event shows is read: names stay in the database, except their first letters.
_FIELDS = (
    "pk", "number", "start", "end", "sequence", "updated_at", "course__protocol_id", "patient__first_name",
    "patient__last_name", "patient__updated_at", "room__name", "location__name", "location__timezone",
)


def practitioner_feed(feed: CalendarFeed, *, now: datetime) -> FeedBody:
    """The feed's calendar, its ETag (from its bytes) and when what it shows last changed."""
    since = now - timedelta(days=FEED_PAST_DAYS)
    # Released sessions too, though the feed leaves them out: a cancellation is a change of the feed.
    window = list(
        Session.objects.filter(practitioner_id=feed.practitioner_id, start__gte=since)
        .order_by("start", "id").values(*_FIELDS, "status")
    )
    rows = [row for row in window if row["status"] in Session.LIVE]
    totals = _session_counts({row["course__protocol_id"] for row in rows})
    domain = site_domain()
    entries = [
        CalendarEntry(
            uid=session_uid(row["pk"], domain),
            sequence=row["sequence"],
            start=row["start"],
            end=row["end"],
            zone=ZoneInfo(row["location__timezone"]),
            summary=f"{patient_initials(row['patient__first_name'], row['patient__last_name'])} · "
                    f"session {row['number']} of {totals.get(row['course__protocol_id'], row['number'])}",
            location=f"{row['room__name']}, {row['location__name']}",
        )
        for row in rows
    ]
    # Last-Modified, for clients without ETags: the newest change of the window's sessions (the
    # cancelled ones too) and of the patients shown. A session moved to another practitioner is not
    # among them; it changes the feed's bytes, so the ETag sees it.
    changes = [feed.rotated_at, *(row["updated_at"] for row in window), *(row["patient__updated_at"] for row in rows)]
    last_modified = max(changes).replace(microsecond=0)
    ics = build_feed(entries, name=f"Anagen: {feed.practitioner.name}", stamp=last_modified)
    return FeedBody(ics=ics, etag=f'"{hashlib.sha256(ics).hexdigest()[:32]}"', last_modified=last_modified)


def _session_counts(protocol_ids: set[int]) -> dict[int, int]:
    counts = (
        ProtocolSession.objects.filter(protocol_id__in=protocol_ids).values("protocol_id").annotate(n=Count("id"))
    )
    return {row["protocol_id"]: row["n"] for row in counts}
