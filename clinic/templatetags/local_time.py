"""Local time at a location, the one way staff pages show an instant: `{{ instant|local_time:location }}`
gives the instant in the location's zone (then format it with |date, "T" shows the zone), and
`{% greeting %}` says good morning or afternoon by the clock at the clinic, not in UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext

from clinic.formats import written_date
from clinic.models import Location
from clinic.selectors import clinic_zone_name

register = template.Library()


def zone_of(where: Location | str | None) -> ZoneInfo:
    """A location's zone (or a zone name, such as the pages' `clinic_zone`); the clinic's default
    location's when none is given."""
    if isinstance(where, Location):
        return ZoneInfo(where.timezone)
    return ZoneInfo(str(where) if where else clinic_zone_name())


@register.filter
def local_time(value: datetime | None, where: Location | str | None = None) -> datetime | None:
    """The instant as a wall clock at the location shows it (kept there by |date, which would
    otherwise turn it back to the server's zone)."""
    if not isinstance(value, datetime):
        return value
    return do_timezone(value, zone_of(where))


@register.simple_tag
def greeting(where: Location | str | None = None) -> str:
    hour = timezone.now().astimezone(zone_of(where)).hour
    if 4 <= hour < 12:
        return gettext("Good morning")
    return gettext("Good afternoon") if hour < 18 else gettext("Good evening")


@register.filter(expects_localtime=True, is_safe=False)
def clinic_date(value: datetime | date | str | None, name: str) -> str:
    """A date or instant in one of the staff pages' formats ("weekday_datetime", "date", ...) as the
    page's language writes it (clinic.formats): "Mon 7 Dec 2026 09:00", "7 Ara 2026 Pzt 09:00".
    An ISO date ("2027-03-29", as the API's serializers give it) is read first."""
    if isinstance(value, str):
        value = parse_date(value)
    if not isinstance(value, date):
        return ""
    return written_date(value, name)
