"""What the date and time pickers (static/js/datepickers.js, flatpickr) need of the page's language:
`{% datepicker_settings_script language %}` (templates/_datepickers.html) puts it in the page as a
JSON data block, read by the script, never run.

The visible field shows the staff pages' own formats (clinic.formats "date", "time", "datetime")
with Django's month and weekday names, so a date being chosen reads like the dates around it; a
person may also type what Django accepts for the language (DATE_INPUT_FORMATS and friends) or ISO.
The field the form submits stays ISO either way, so forms, validation and the API do not change.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache

from django import template
from django.utils import dateformat, formats, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from clinic.formats import clinic_format

register = template.Library()

# Django's date-format letters as flatpickr writes them (https://flatpickr.js.org/formatting/);
# most coincide. 24-hour "G" has no unpadded twin in flatpickr, so it pads.
FLATPICKR_LETTERS = {
    "d": "d", "j": "j", "D": "D", "l": "l", "w": "w", "N": "M", "M": "M", "b": "M", "F": "F",
    "m": "m", "n": "n", "y": "y", "Y": "Y", "H": "H", "G": "H", "h": "G", "g": "h", "i": "i",
    "s": "S", "A": "K", "U": "U",
}
# strftime directives of Django's *_INPUT_FORMATS, as flatpickr letters.
STRFTIME_LETTERS = {"%d": "d", "%m": "m", "%Y": "Y", "%y": "y", "%b": "M", "%B": "F", "%H": "H", "%M": "i",
                    "%S": "S"}


def flatpickr_format(django_format: str) -> str:
    """A Django date format ("j. M Y, H:i") in flatpickr's letters; a letter flatpickr has no
    equivalent for is an error, not a silent literal."""
    out, escaped = [], False
    for char in django_format:
        if escaped:
            out.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char.isascii() and char.isalpha():
            if char not in FLATPICKR_LETTERS:
                raise ValueError(f"flatpickr has no equivalent of Django's {char!r} in {django_format!r}")
            out.append(FLATPICKR_LETTERS[char])
        else:
            out.append(char)
    return "".join(out)


def typed_formats(name: str) -> list[str]:
    """Django's input formats for the active language (e.g. DATE_INPUT_FORMATS) in flatpickr's
    letters; those with a directive flatpickr cannot read (microseconds, %p) are left out."""
    typed = []
    for strftime in formats.get_format(name):
        directives = re.findall(r"%.", strftime)
        if all(directive in STRFTIME_LETTERS for directive in directives):
            converted = re.sub(r"%.", lambda match: STRFTIME_LETTERS[match.group(0)], strftime)
            typed.append(converted.replace("T", "\\T"))
    return typed


def datepicker_settings(language: str) -> dict:
    """The pickers' formats and names in the language (Django's own, as the page writes them)."""
    with translation.override(language):
        months = [date(2001, month, 1) for month in range(1, 13)]
        weekdays = [date(2001, 1, 7 + day) for day in range(7)]  # Sunday first, as flatpickr counts
        return {
            "date": flatpickr_format(clinic_format("date", language)),
            "time": flatpickr_format(clinic_format("time", language)),
            "datetime": flatpickr_format(clinic_format("datetime", language)),
            "typed": {"date": typed_formats("DATE_INPUT_FORMATS"), "time": typed_formats("TIME_INPUT_FORMATS"),
                      "datetime": typed_formats("DATETIME_INPUT_FORMATS")},
            "months": [dateformat.format(month, "M") for month in months],
            "monthsLong": [dateformat.format(month, "F") for month in months],
            "weekdays": [dateformat.format(day, "D") for day in weekdays],
            "weekdaysLong": [dateformat.format(day, "l") for day in weekdays],
        }


# json_script's escapes: the data cannot close its <script> element or open a comment.
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@cache
def _settings_json(language: str) -> str:
    """The settings of one language as the page carries them: the same on every page, so made once
    per process, not on every page a staff member opens."""
    return json.dumps(datepicker_settings(language), ensure_ascii=False).translate(JSON_ESCAPES)


@register.simple_tag(takes_context=True)
def datepicker_settings_script(context: template.Context, language: str | None = None) -> SafeString:
    """The settings as a JSON data block (#datepicker-settings) that static/js/datepickers.js reads;
    data, never run, and carrying the page's nonce like every other <script> (tests/clinic/test_csp)."""
    data = _settings_json(language or translation.get_language() or "en")
    return format_html('<script id="datepicker-settings" type="application/json" nonce="{}">{}</script>',
                       context.get("csp_nonce", ""), mark_safe(data))  # noqa: S308 (escaped above)
