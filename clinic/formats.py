"""How staff pages write dates and times in each language (used by the `clinic_date` filter).

Django's own DATE_FORMAT and friends differ from the compact weekday forms the set-up pages
show, so each page format is named here once per language. Month and weekday names come from
Django's catalogues (D, M, F), so only their order and punctuation differ by language. Times
are 24-hour everywhere: clinics plan on a 24-hour grid. The date and time pickers show "date",
"time" and "datetime" (clinic.templatetags.datepickers), so a date being chosen reads like the
dates around it.
"""

from __future__ import annotations

CLINIC_FORMATS: dict[str, dict[str, str]] = {
    "en": {
        "weekday_datetime": "D j M Y H:i",
        "weekday_date": "D j M Y",
        "weekday_day": "D j M",
        "weekday_time": "D H:i",
        "date": "j M Y",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "long_datetime": "j F Y, H:i T",
    },
    "tr": {
        "weekday_datetime": "j M Y D H:i",
        "weekday_date": "j M Y D",
        "weekday_day": "j M D",
        "weekday_time": "D H:i",
        "date": "j M Y",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "long_datetime": "j F Y, H:i T",
    },
    "ar": {
        "weekday_datetime": "D j M Y H:i",
        "weekday_date": "D j M Y",
        "weekday_day": "D j M",
        "weekday_time": "D H:i",
        "date": "j M Y",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "long_datetime": "j F Y، H:i T",
    },
    "es": {
        "weekday_datetime": "D j M Y H:i",
        "weekday_date": "D j M Y",
        "weekday_day": "D j M",
        "weekday_time": "D H:i",
        "date": "j M Y",
        "time": "H:i",
        "datetime": "j M Y H:i",
        "long_datetime": r"j \d\e F \d\e Y, H:i T",
    },
    "de": {
        "weekday_datetime": "D, j. M Y, H:i",
        "weekday_date": "D, j. M Y",
        "weekday_day": "D, j. M",
        "weekday_time": "D, H:i",
        "date": "j. M Y",
        "time": "H:i",
        "datetime": "j. M Y, H:i",
        "long_datetime": "j. F Y, H:i T",
    },
}


def clinic_format(name: str, language: str | None) -> str:
    """The format string of `name` for the language (its base language, else English)."""
    base = (language or "en").split("-")[0].lower()
    formats = CLINIC_FORMATS.get(base, CLINIC_FORMATS["en"])
    return formats.get(name) or CLINIC_FORMATS["en"][name]
