"""Opening hours, time zones, countries and reminder offsets: parsing and validation.

Opening hours are stored as the contract shows them: a list of
`{"weekday": 0-6 (Monday=0), "opens": "HH:MM", "closes": "HH:MM"}`, several per day allowed,
`"closes": "24:00"` allowed.
"""

import re
import zoneinfo
from datetime import timedelta
from functools import cache
from typing import Any

import holidays
from django.core.exceptions import ValidationError

from clinic.availability import OpenSpan

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
# A clinic open in seven-minute slivers still needs no more than this.
MAX_HOURS_ENTRIES = 100
SOURCE_CATEGORIES = ["autologous", "allogeneic_human", "plant", "animal"]
ROUTES = ["injection", "topical"]
DEFAULT_ROUTE_POLICY = {
    "autologous": ["injection", "topical"],
    "allogeneic_human": ["topical"],
    "plant": ["topical"],
    "animal": ["topical"],
}


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
    if len(raw) > MAX_HOURS_ENTRIES:
        raise ValidationError(f"The {field} may hold at most {MAX_HOURS_ENTRIES} entries.")
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
    for previous, current in zip(spans, spans[1:], strict=False):
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


def hours_summary(raw: Any) -> str:
    """"Mon 09:00–13:00, 14:00–19:00 · Tue 09:00–19:00": weekly hours in one short line."""
    try:
        spans = parse_hours(raw)
    except ValidationError:
        return "invalid hours"
    days: dict[int, list[str]] = {}
    for span in spans:
        days.setdefault(span.weekday, []).append(f"{hhmm(span.opens)}–{hhmm(span.closes)}")
    return " · ".join(f"{WEEKDAYS[day][:3]} {', '.join(times)}" for day, times in days.items())


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


def normalize_route_policy(policy: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every category present (missing means no route allowed), routes in a fixed order."""
    return {
        category: [route for route in ROUTES if route in policy.get(category, [])] for category in SOURCE_CATEGORIES
    }


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


# Names are shown on pages, in emails and in calendar invitations: no markup, no control
# characters. Templates escape anyway; refusing them up front keeps every other channel safe.
_MARKUP = re.compile(r"[<>{}\x00-\x1f\x7f]")


def validate_plain_name(value: str) -> None:
    if isinstance(value, str) and _MARKUP.search(value):
        raise ValidationError(
            "Use plain text: angle brackets, braces and control characters are not allowed in a name.",
            code="markup",
        )
    if isinstance(value, str) and value and not value.strip():
        raise ValidationError("The name cannot be only spaces.", code="blank")


@cache
def timezone_choices() -> list[tuple[str, str]]:
    """IANA zones for a select box, the legacy aliases (e.g. "Turkey", "US/Eastern") left out."""
    zones = sorted(z for z in _time_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/")))
    return [(zone, zone.replace("_", " ")) for zone in zones]


@cache
def country_choices() -> list[tuple[str, str]]:
    """(ISO code, English name) of every country the `holidays` package has a calendar for."""
    from holidays.registry import COUNTRIES

    names = {entry[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0]) for entry in COUNTRIES.values()}
    codes = [code for code in _holiday_calendars() if len(code) == 2]
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda item: item[1])


def subdivisions_of(country: str) -> tuple[str, ...]:
    return _holiday_calendars().get(country, ())


def public_holidays(country: str, subdivision: str, years: range) -> dict:
    """{date: English name} of the public holidays of a country (and subdivision) in those years."""
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
    if "en_US" in (calendar.supported_languages or ()):
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=years, language="en_US")
    return dict(calendar)
