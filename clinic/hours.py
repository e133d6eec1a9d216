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
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from clinic.availability import OpenSpan

# Monday..Sunday, named in the page's language (Django's own catalogues translate them).
WEEKDAYS = [DAY_NAMES[day] for day in range(7)]
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
        raise ValueError(_("“%(value)s” is not a time written HH:MM.") % {"value": value})
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes:
        raise ValueError(_("“%(value)s” is not a time of day.") % {"value": value})
    return hours * 60 + minutes


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(raw: Any, *, field: str = "opening hours") -> list[OpenSpan]:
    """Validate opening or working hours; raise ValidationError with one message per problem."""
    field = _("working hours") if field == "working hours" else _("opening hours")
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError(
            _("The %(field)s must be a list of {weekday, opens, closes} entries.") % {"field": field}
        )
    if len(raw) > MAX_HOURS_ENTRIES:
        raise ValidationError(
            _("The %(field)s may hold at most %(count)d entries.") % {"field": field, "count": MAX_HOURS_ENTRIES}
        )
    spans: list[OpenSpan] = []
    problems: list[str] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) - {"weekday", "opens", "closes"}:
            problems.append(_("Entry %(index)d must have exactly weekday, opens and closes.") % {"index": index})
            continue
        weekday = item.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            problems.append(_("Entry %(index)d: weekday must be 0 (Monday) to 6 (Sunday).") % {"index": index})
            continue
        try:
            opens, closes = minutes_of(item.get("opens")), minutes_of(item.get("closes"))
        except ValueError as error:
            problems.append(
                _("Entry %(index)d (%(day)s): %(error)s") % {"index": index, "day": WEEKDAYS[weekday], "error": error}
            )
            continue
        if opens == 24 * 60:
            problems.append(
                _("Entry %(index)d (%(day)s): opening at 24:00 is not possible.")
                % {"index": index, "day": WEEKDAYS[weekday]}
            )
        elif closes <= opens:
            problems.append(
                _("%(day)s: closes at %(closes)s, before it opens at %(opens)s.")
                % {"day": WEEKDAYS[weekday], "closes": hhmm(closes), "opens": hhmm(opens)}
            )
        else:
            spans.append(OpenSpan(weekday, opens, closes))
    spans.sort()
    for previous, current in zip(spans, spans[1:], strict=False):
        if previous.weekday == current.weekday and current.opens < previous.closes:
            problems.append(
                _("%(day)s: %(first)s overlaps %(second)s.") % {
                    "day": WEEKDAYS[current.weekday],
                    "first": f"{hhmm(previous.opens)}–{hhmm(previous.closes)}",
                    "second": f"{hhmm(current.opens)}–{hhmm(current.closes)}",
                }
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
        return _("invalid hours")
    days: dict[int, list[str]] = {}
    for span in spans:
        days.setdefault(span.weekday, []).append(f"{hhmm(span.opens)}–{hhmm(span.closes)}")
    return " · ".join(f"{WEEKDAYS_ABBR[day]} {', '.join(times)}" for day, times in days.items())


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone (for example Europe/Istanbul).") % {"value": value},
            code="invalid_timezone",
        )


@cache
def _holiday_calendars() -> dict[str, tuple[str, ...]]:
    return {code: tuple(subdivisions) for code, subdivisions in holidays.list_supported_countries().items()}


def validate_country(country: str, subdivision: str = "") -> None:
    calendars = _holiday_calendars()
    if country not in calendars:
        raise ValidationError(
            {"country": _("“%(country)s” is not a country code we know (ISO 3166-1 alpha-2, such as TR or ES).")
             % {"country": country}}
        )
    if subdivision and subdivision not in calendars[country]:
        known = ", ".join(calendars[country][:12]) or _("none")
        raise ValidationError(
            {"subdivision": _("“%(subdivision)s” is not a subdivision of %(country)s (known: %(known)s…).")
             % {"subdivision": subdivision, "country": country, "known": known}}
        )


_OFFSET = re.compile(r"^(\d{1,4})([mhdw])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_offset(value: str) -> timedelta:
    """'7d', '24h', '30m', '2w' -> timedelta. At most 26 weeks before a session."""
    match = _OFFSET.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValidationError(_("“%(value)s” is not a duration such as 7d, 24h or 30m.") % {"value": value})
    offset = timedelta(**{_UNIT[match[2]]: int(match[1])})
    if not timedelta(minutes=5) <= offset <= timedelta(weeks=26):
        raise ValidationError(_("“%(value)s” must be between 5 minutes and 26 weeks.") % {"value": value})
    return offset


def validate_offsets(values: Any) -> None:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError(_("Reminder offsets must be a list of durations such as [\"7d\", \"24h\"]."))
    if len(values) > 10:
        raise ValidationError(_("At most 10 reminder offsets."))
    parsed = [parse_offset(v) for v in values]
    if len(set(parsed)) != len(parsed):
        raise ValidationError(_("The same reminder offset is listed twice."))


def normalize_route_policy(policy: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every category present (missing means no route allowed), routes in a fixed order."""
    return {
        category: [route for route in ROUTES if route in policy.get(category, [])] for category in SOURCE_CATEGORIES
    }


def validate_route_policy(policy: Any) -> None:
    if not isinstance(policy, dict):
        raise ValidationError(_("The route policy must map each source category to its allowed routes."))
    problems = []
    for category, routes in policy.items():
        if category not in SOURCE_CATEGORIES:
            problems.append(
                _("“%(category)s” is not a source category (%(known)s).")
                % {"category": category, "known": ", ".join(SOURCE_CATEGORIES)}
            )
        elif not isinstance(routes, list) or any(route not in ROUTES for route in routes):
            problems.append(
                _("%(category)s: routes must be a list drawn from %(known)s.")
                % {"category": category, "known": ", ".join(ROUTES)}
            )
        elif len(set(routes)) != len(routes):
            problems.append(_("%(category)s: a route is listed twice.") % {"category": category})
    if problems:
        raise ValidationError(problems)


# Names are shown on pages, in emails and in calendar invitations: no markup, no control
# characters. Templates escape anyway; refusing them up front keeps every other channel safe.
_MARKUP = re.compile(r"[<>{}\x00-\x1f\x7f]")


def validate_plain_name(value: str) -> None:
    if isinstance(value, str) and _MARKUP.search(value):
        raise ValidationError(
            _("Use plain text: angle brackets, braces and control characters are not allowed in a name."),
            code="markup",
        )
    if isinstance(value, str) and value and not value.strip():
        raise ValidationError(_("The name cannot be only spaces."), code="blank")


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


def public_holidays(country: str, subdivision: str, years: range, language: str | None = None) -> dict:
    """{date: name} of the public holidays of a country (and subdivision) in those years, named in
    `language` when the country's calendar has it (Turkish, German...), else in English."""
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
    supported = calendar.supported_languages or ()
    base = (language or "").split("-")[0].lower()
    wanted = [code for code in supported if base and base != "en" and code.split("_")[0].lower() == base]
    for code in [*wanted, "en_US"]:
        if code in supported:
            return dict(holidays.country_holidays(country, subdiv=subdivision or None, years=years, language=code))
    return dict(calendar)
