"""iCalendar attachments for patient emails (RFC 5545 / RFC 5546), built with `icalendar`.

Pure: plain values in, bytes out. Each session has a stable UID; SEQUENCE goes up at every change
of time or status; a cancellation is the same UID with METHOD:CANCEL, STATUS:CANCELLED and a higher
SEQUENCE, so calendar apps update or remove the entry they already hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    sequence: int
    start: datetime  # aware
    end: datetime  # aware
    zone: ZoneInfo  # the clinic's zone: DTSTART/DTEND carry its TZID and a VTIMEZONE
    summary: str
    description: str = ""
    location: str = ""
    cancelled: bool = False


def session_uid(session_id: int, domain: str) -> str:
    """The UID of a session's calendar entry: stable for the session's whole life."""
    return f"anagen-session-{session_id}@{domain}"


def build_calendar(
    entries: Sequence[CalendarEntry],
    *,
    method: Method,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str,
    stamp: datetime,
) -> bytes:
    """A VCALENDAR with one VEVENT per entry and the VTIMEZONEs they use."""
    if not entries:
        raise ValueError("a calendar needs at least one entry")
    if method == "CANCEL" and not all(entry.cancelled for entry in entries):
        raise ValueError("METHOD:CANCEL carries only cancelled entries")
    calendar = _calendar(method)
    for entry in entries:
        event = session_event(entry, stamp=stamp)
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["cn"] = vText(organizer_name)
        event.add("organizer", organizer)
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["cn"] = vText(attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def build_feed(entries: Sequence[CalendarEntry], *, name: str, stamp: datetime) -> bytes:
    """A subscribed calendar (METHOD:PUBLISH): the same events as the emails', with no organizer
    or attendee, so nobody's address is in it. An empty feed is a valid calendar."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", vText(name))
    for entry in entries:
        calendar.add_component(session_event(entry, stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _calendar(method: Method) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Anagen//Treatment courses//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def session_event(entry: CalendarEntry, *, stamp: datetime) -> Event:
    """One session's VEVENT: its UID, SEQUENCE and times in the clinic's zone."""
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.start.astimezone(entry.zone))
    event.add("dtend", entry.end.astimezone(entry.zone))
    # Names and addresses come from people: newlines are escaped by vText, never split lines.
    event.add("summary", vText(entry.summary))
    if entry.description:
        event.add("description", vText(entry.description))
    if entry.location:
        event.add("location", vText(entry.location))
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event
