"""Opening hours, time zones, countries and reminder offsets: parsing and validation.

Opening hours are stored as the contract shows them: a list of
`{"weekday": 0-6 (Monday=0), "opens": "HH:MM", "closes": "HH:MM"}`, several per day allowed,
`"closes": "24:00"` allowed.
"""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import holidays
from django.core.exceptions import ValidationError

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
SOURCE_CATEGORIES = ["autologous", "allogeneic_human", "plant", "animal"]
ROUTES = ["injection", "topical"]
DEFAULT_ROUTE_POLICY = {
    "autologous": ["injection", "topical"],
    "allogeneic_human": ["topical"],
    "plant": ["topical"],
    "animal": ["topical"],
}


@dataclass(frozen=True, order=True)
class OpenSpan:
    """One opening interval of a weekday, in minutes since local midnight (closes may be 1440)."""

    weekday: int
    opens: int
    closes: int


def minutes_of(value: str) -> int:
    match = _HHMM.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"“{value}” is not a time written HH:MM.")
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes:
        raise ValueError(f"“{value}” is not a time of day.")
    return hours * 60 + minutes


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(raw: Any, *, field: str = "opening hours") -> list[OpenSpan]:
    """Validate opening or working hours; raise ValidationError with one message per problem."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError(f"The {field} must be a list of {{weekday, opens, closes}} entries.")
    spans: list[OpenSpan] = []
    problems: list[str] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) - {"weekday", "opens", "closes"}:
            problems.append(f"Entry {index} must have exactly weekday, opens and closes.")
            continue
        weekday = item.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            problems.append(f"Entry {index}: weekday must be 0 (Monday) to 6 (Sunday).")
            continue
        try:
            opens, closes = minutes_of(item.get("opens")), minutes_of(item.get("closes"))
        except ValueError as error:
            problems.append(f"Entry {index} ({WEEKDAYS[weekday]}): {error}")
            continue
        if opens == 24 * 60:
            problems.append(f"Entry {index} ({WEEKDAYS[weekday]}): opening at 24:00 is not possible.")
        elif closes <= opens:
            problems.append(
                f"{WEEKDAYS[weekday]}: closes at {hhmm(closes)}, before it opens at {hhmm(opens)}."
            )
        else:
            spans.append(OpenSpan(weekday, opens, closes))
    spans.sort()
    for previous, current in zip(spans, spans[1:]):
        if previous.weekday == current.weekday and current.opens < previous.closes:
            problems.append(
                f"{WEEKDAYS[current.weekday]}: {hhmm(previous.opens)}–{hhmm(previous.closes)} overlaps "
                f"{hhmm(current.opens)}–{hhmm(current.closes)}."
            )
    if problems:
        raise ValidationError(problems)
    return spans


def hours_as_json(spans: list[OpenSpan]) -> list[dict[str, Any]]:
    return [{"weekday": s.weekday, "opens": hhmm(s.opens), "closes": hhmm(s.closes)} for s in spans]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(
            f"“{value}” is not an IANA time zone (for example Europe/Istanbul).", code="invalid_timezone"
        )


@cache
def _holiday_calendars() -> dict[str, tuple[str, ...]]:
    return {code: tuple(subdivisions) for code, subdivisions in holidays.list_supported_countries().items()}


def validate_country(country: str, subdivision: str = "") -> None:
    calendars = _holiday_calendars()
    if country not in calendars:
        raise ValidationError(
            {"country": f"“{country}” is not a country code we know (ISO 3166-1 alpha-2, such as TR or ES)."}
        )
    if subdivision and subdivision not in calendars[country]:
        known = ", ".join(calendars[country][:12]) or "none"
        raise ValidationError(
            {"subdivision": f"“{subdivision}” is not a subdivision of {country} (known: {known}…)."}
        )


_OFFSET = re.compile(r"^(\d{1,4})([mhdw])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_offset(value: str) -> timedelta:
    """'7d', '24h', '30m', '2w' -> timedelta. At most 26 weeks before a session."""
    match = _OFFSET.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValidationError(f"“{value}” is not a duration such as 7d, 24h or 30m.")
    offset = timedelta(**{_UNIT[match[2]]: int(match[1])})
    if not timedelta(minutes=5) <= offset <= timedelta(weeks=26):
        raise ValidationError(f"“{value}” must be between 5 minutes and 26 weeks.")
    return offset


def validate_offsets(values: Any) -> None:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError("Reminder offsets must be a list of durations such as [\"7d\", \"24h\"].")
    if len(values) > 10:
        raise ValidationError("At most 10 reminder offsets.")
    parsed = [parse_offset(v) for v in values]
    if len(set(parsed)) != len(parsed):
        raise ValidationError("The same reminder offset is listed twice.")


def validate_route_policy(policy: Any) -> None:
    if not isinstance(policy, dict):
        raise ValidationError("The route policy must map each source category to its allowed routes.")
    problems = []
    for category, routes in policy.items():
        if category not in SOURCE_CATEGORIES:
            problems.append(f"“{category}” is not a source category ({', '.join(SOURCE_CATEGORIES)}).")
        elif not isinstance(routes, list) or any(route not in ROUTES for route in routes):
            problems.append(f"{category}: routes must be a list drawn from {', '.join(ROUTES)}.")
        elif len(set(routes)) != len(routes):
            problems.append(f"{category}: a route is listed twice.")
    if problems:
        raise ValidationError(problems)
