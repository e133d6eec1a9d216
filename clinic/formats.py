"""How staff pages write dates and times in each language (used by the `clinic_date` filter).

Django's own DATE_FORMAT and friends differ from the compact weekday forms the set-up pages
show, so each page format is named here once per language. Month and weekday names come from
Django's catalogues (D, M, F), so only their order and punctuation differ by language. Times
are 24-hour everywhere: clinics plan on a 24-hour grid. The date and time pickers show "date",
"time" and "datetime" (clinic.templatetags.datepickers), so a date being chosen reads like the
dates around it.
"""

from __future__ import annotations

from datetime import date

from django.utils import dateformat
from django.utils.translation import get_language

CLINIC_FORMATS: dict[str, dict[str, str]] = {
    "en": {
        "weekday_datetime": "D j M Y H:i",
        "weekday_datetime_zone": "D j M Y H:i T",
        "weekday_date": "D j M Y",
        "weekday_day": "D j M",
        "weekday_day_time": "D j M H:i",
        "weekday_time": "D H:i",
        "weekday_long_date": "l j F Y",
        "weekday_long_day": "l j F",
        "date": "j M Y",
        "day_month": "j M",
        "day_month_time": "j M H:i",
        "long_date": "j F Y",
        "long_day": "j F",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "datetime_zone": "j M Y H:i T",
        "datetime_seconds_zone": "j M Y H:i:s T",
        "long_datetime": "j F Y, H:i T",
    },
    "tr": {
        "weekday_datetime": "j M Y D H:i",
        "weekday_datetime_zone": "j M Y D H:i T",
        "weekday_date": "j M Y D",
        "weekday_day": "j M D",
        "weekday_day_time": "j M D H:i",
        "weekday_time": "D H:i",
        "weekday_long_date": "l j F Y",
        "weekday_long_day": "l j F",
        "date": "j M Y",
        "day_month": "j M",
        "day_month_time": "j M H:i",
        "long_date": "j F Y",
        "long_day": "j F",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "datetime_zone": "j M Y H:i T",
        "datetime_seconds_zone": "j M Y H:i:s T",
        "long_datetime": "j F Y, H:i T",
    },
    "ar": {
        "weekday_datetime": "D j M Y H:i",
        "weekday_datetime_zone": "D j M Y H:i T",
        "weekday_date": "D j M Y",
        "weekday_day": "D j M",
        "weekday_day_time": "D j M H:i",
        "weekday_time": "D H:i",
        "weekday_long_date": "l j F Y",
        "weekday_long_day": "l j F",
        "date": "j M Y",
        "day_month": "j M",
        "day_month_time": "j M H:i",
        "long_date": "j F Y",
        "long_day": "j F",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "datetime_zone": "j M Y H:i T",
        "datetime_seconds_zone": "j M Y H:i:s T",
        "long_datetime": "j F Y، H:i T",
    },
    "es": {
        "weekday_datetime": "D j M Y H:i",
        "weekday_datetime_zone": "D j M Y H:i T",
        "weekday_date": "D j M Y",
        "weekday_day": "D j M",
        "weekday_day_time": "D j M H:i",
        "weekday_time": "D H:i",
        "weekday_long_date": r"l, j \d\e F \d\e Y",
        "weekday_long_day": r"l, j \d\e F",
        "date": "j M Y",
        "day_month": "j M",
        "day_month_time": "j M H:i",
        "long_date": r"j \d\e F \d\e Y",
        "long_day": r"j \d\e F",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "datetime_zone": "j M Y H:i T",
        "datetime_seconds_zone": "j M Y H:i:s T",
        "long_datetime": r"j \d\e F \d\e Y, H:i T",
    },
    "de": {
        "weekday_datetime": "D, j. M Y, H:i",
        "weekday_datetime_zone": "D, j. M Y, H:i T",
        "weekday_date": "D, j. M Y",
        "weekday_day": "D, j. M",
        "weekday_day_time": "D, j. M, H:i",
        "weekday_time": "D, H:i",
        "weekday_long_date": "l, j. F Y",
        "weekday_long_day": "l, j. F",
        "date": "j. M Y",
        "day_month": "j. M",
        "day_month_time": "j. M, H:i",
        "long_date": "j. F Y",
        "long_day": "j. F",
        "time": "H:i",
        "datetime": "j. M Y, H:i",
        "datetime_zone": "j. M Y, H:i T",
        "datetime_seconds_zone": "j. M Y, H:i:s T",
        "long_datetime": "j. F Y, H:i T",
    },
}


def clinic_format(name: str, language: str | None) -> str:
    """The format string of `name` for the language (its base language, else English)."""
    base = (language or "en").split("-")[0].lower()
    formats = CLINIC_FORMATS.get(base, CLINIC_FORMATS["en"])
    return formats.get(name) or CLINIC_FORMATS["en"][name]


def written_date(value: date, name: str) -> str:
    """A date or instant in one of the formats above as the active language writes it: "Mon 7 Dec
    2026 09:00", "7 Ara 2026 Pzt 09:00". An instant keeps its own zone (make it local first)."""
    return dateformat.format(value, clinic_format(name, get_language()))
