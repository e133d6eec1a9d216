"""Calendar attachments follow RFC 5545/5546: stable UID, TZID + VTIMEZONE, SEQUENCE, CANCEL."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from patients.reminders.ics import CalendarEntry, build_calendar, session_uid

ISTANBUL = ZoneInfo("Europe/Istanbul")
STAMP = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def entry(**overrides) -> CalendarEntry:
    values = dict(
        uid=session_uid(42, "clinic.example.com"), sequence=0,
        start=datetime(2027, 3, 10, 7, 0, tzinfo=UTC), end=datetime(2027, 3, 10, 7, 45, tzinfo=UTC),
        zone=ISTANBUL, summary="Exosome session 1 of 3", location="Nişantaşı, Istanbul",
    )
    return CalendarEntry(**(values | overrides))


def build(entries, method="REQUEST") -> icalendar.Calendar:
    raw = build_calendar(entries, method=method, organizer_email="clinic@clinic.example.com",
                         organizer_name="Anagen Istanbul", attendee_email="ayse@example.com",
                         attendee_name="Ayşe Yılmaz", stamp=STAMP)
    return icalendar.Calendar.from_ical(raw)


def test_a_request_carries_the_session_in_the_clinic_zone_with_its_vtimezone():
    calendar = build([entry()])
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "anagen-session-42@clinic.example.com"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Istanbul"
    assert event.decoded("DTSTART") == datetime(2027, 3, 10, 10, 0, tzinfo=ISTANBUL)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2027, 3, 10, 7, 45, tzinfo=UTC)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Istanbul"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:clinic@clinic.example.com"


def test_a_cancellation_keeps_the_uid_raises_the_sequence_and_says_cancelled():
    calendar = build([entry(sequence=3, cancelled=True)], method="CANCEL")
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == "anagen-session-42@clinic.example.com"
    assert event["SEQUENCE"] == 3 and str(event["STATUS"]) == "CANCELLED"


def test_cancel_refuses_entries_that_are_not_cancelled():
    with pytest.raises(ValueError):
        build([entry()], method="CANCEL")


def test_a_newline_in_a_name_cannot_inject_a_property():
    calendar = build([entry(summary="Session\r\nATTENDEE:mailto:evil@example.com", location="A\nB")])
    [event] = calendar.walk("VEVENT")
    assert len(event.get("ATTENDEE") if isinstance(event.get("ATTENDEE"), list) else [event["ATTENDEE"]]) == 1
    assert "evil" in str(event["SUMMARY"])  # kept as text inside SUMMARY, not as a property


def test_several_sessions_share_one_vtimezone():
    calendar = build([entry(), entry(uid=session_uid(43, "clinic.example.com"),
                                     start=datetime(2027, 4, 21, 7, 0, tzinfo=UTC),
                                     end=datetime(2027, 4, 21, 7, 45, tzinfo=UTC))])
    assert len(calendar.walk("VEVENT")) == 2
    assert len(calendar.walk("VTIMEZONE")) == 1
