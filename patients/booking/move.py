"""What the session panel shows around a move: every free start of the chosen day, the clash at
a refused time named (patients.booking.reasons), the nearest free times to pick instead, and the
calendar following the session to its new day. Reads only; the move itself is
patients.booking.reschedule.session_reschedule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.errors import DomainError
from clinic.formats import written_date
from clinic.ids import id_from
from clinic.intervals import is_nonexistent
from clinic.models import Practitioner
from patients.booking import reasons as booking_reasons
from patients.booking import slots
from patients.booking.forms import local_value, parse_pin
from patients.models import Session

MAX_DAYS_AHEAD = 3 * 366
# Conflict reasons of the moved session itself that a clash can explain.
EXPLAINABLE = {"pinned_slot_taken", "pinned_outside_hours", "slot_taken"}


def pick_value(slot: slots.Slot, zone: ZoneInfo) -> str:
    """A free time as a button's value: the start at the clinic and the practitioner free then."""
    return f"{local_value(slot.start, zone)}|{slot.practitioner}"


def parse_pick(value: str) -> tuple[datetime, int | None] | None:
    """'YYYY-MM-DDTHH:MM|practitioner id' from a free-time button, or None."""
    start, _, practitioner = (value or "").partition("|")
    parsed = parse_pin(start)
    if parsed is None:
        return None
    return parsed, id_from(practitioner)


def _choices(found: list[slots.Slot], zone: ZoneInfo, names: dict[int, str], chosen: str = "") -> list[tuple]:
    return [(pick_value(s, zone), f"{s.start.astimezone(zone):%H:%M}", names.get(s.practitioner, ""),
             local_value(s.start, zone) == chosen) for s in found]


def move_help(session: Session, form: Any, *, error: DomainError | None = None, open_grid: bool = False,
              now: datetime | None = None) -> dict[str, Any]:
    """Context for the move form: `move_grid` (free starts of the form's day, morning/afternoon),
    and after a refused time `move_clashes` (sentences) and `move_suggestions` (nearest free times)."""
    now = now or timezone.now()
    zone = ZoneInfo(session.location.timezone)
    data = dict(getattr(form, "cleaned_data", {}) or {})
    if data.get("date") and abs((data["date"] - now.astimezone(zone).date()).days) > MAX_DAYS_AHEAD:
        data.pop("date")  # nothing to show that far off (and no arithmetic near year 9999)
    day: date = data.get("date") or session.start.astimezone(zone).date()
    practitioner: Practitioner = data.get("practitioner") or session.practitioner
    chosen_practitioner = data.get("practitioner")
    names = dict(Practitioner.objects.filter(location_id=session.location_id).values_list("id", "name"))
    duration = int((session.end - session.start).total_seconds() // 60)
    start = None
    if data.get("date") and data.get("time"):
        naive = datetime.combine(data["date"], data["time"])
        start = None if is_nonexistent(naive, zone) else naive.replace(tzinfo=zone)
    grid = slots.free_starts_on(location=session.location, patient=session.patient, day=day,
                                duration_minutes=duration, now=now, exclude_sessions=[session.pk],
                                practitioner=chosen_practitioner.pk if chosen_practitioner else None)
    chosen = f"{start:%Y-%m-%dT%H:%M}" if start else ""
    context: dict[str, Any] = {
        "move_grid": [(label, _choices(found, zone, names, chosen))
                      for label, found in slots.by_part_of_day(grid, zone)],
        "move_grid_day": day,
        "move_grid_note": booking_reasons.closed_days(location=session.location, start_date=day,
                                                      end_date=day).get(day, ""),
        "move_grid_open": open_grid,
    }
    if error is None or start is None:
        return context
    conflicts = error.extra.get("conflicts", [])
    if error.code == "slot_conflict" and any(c.get("number") == session.number and c.get("reason") in EXPLAINABLE
                                             for c in conflicts):
        context["move_clashes"] = booking_reasons.time_clashes(
            location=session.location, start=start, end=start + timedelta(minutes=duration),
            practitioner=practitioner, patient=session.patient, exclude_sessions=[session.pk],
        ) or [_("Someone else booked this time a moment ago.")]
    nearest = slots.nearest_free_times(session=session, start=start, now=now,
                                       practitioner=chosen_practitioner.pk if chosen_practitioner else None)
    context["move_suggestions"] = [
        (pick_value(s, zone), written_date(s.start.astimezone(zone), "weekday_day_time"), names.get(s.practitioner, ""))
        for s in nearest
    ]
    return context


def follow_to_day(url: str, day: date) -> str:
    """After a move from the calendar, show the day the session went to."""
    parts = urlsplit(url)
    if parts.path != reverse("booking:calendar"):
        return url
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "date"]
    query.append(("date", day.isoformat()))
    return urlunsplit(parts._replace(query=urlencode(query)))


__all__ = ["follow_to_day", "move_help", "parse_pick", "pick_value"]
