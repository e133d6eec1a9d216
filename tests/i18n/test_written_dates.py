"""Dates are written through one table of named formats (clinic.formats): a page or message that
hard-codes "D j M Y" shows English word order and no German "7. Dez" in every language."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from clinic.formats import CLINIC_FORMATS, written_date
from clinic.numbers import written_number

ROOT = Path(settings.BASE_DIR)
# A time of day and a zone's abbreviation are written alike in every language; an ISO day is a
# value for a date field or a link, not text to read.
SAME_IN_EVERY_LANGUAGE = {"H:i", "T", "Y-m-d"}


def test_templates_write_dates_only_through_the_named_formats():
    written = [(path, "".join(quoted)) for path in sorted((ROOT / "templates").rglob("*.html"))
               for quoted in re.findall(r"""\|date:(?:"([^"]*)"|'([^']*)')""", path.read_text())]
    assert {found for _, found in written} >= {"H:i", "Y-m-d"}  # the pattern reads both quotes
    fixed = [f"{path.relative_to(ROOT)}: {found}" for path, found in written if found not in SAME_IN_EVERY_LANGUAGE]
    assert fixed == []


def test_python_writes_dates_only_through_the_named_formats():
    pattern = re.compile(r"""date_format\(.*?,\s*["']([^"']+)["']\)""")
    fixed = [f"{path.relative_to(ROOT)}: {found}" for folder in ("clinic", "patients", "protocols")
             for path in sorted((ROOT / folder).rglob("*.py")) if "migrations" not in path.parts
             for found in pattern.findall(path.read_text()) if found != "M"]
    assert fixed == []


def test_every_language_names_every_format():
    assert {language: set(formats) for language, formats in CLINIC_FORMATS.items()} == {
        language: set(CLINIC_FORMATS["en"]) for language in CLINIC_FORMATS}


def test_dates_and_figures_in_german_and_english():
    from datetime import date

    with translation.override("de"):
        assert written_date(date(2026, 12, 7), "weekday_date") == "Mo, 7. Dez 2026"
        assert (written_number(152.5), written_number("2.50", places=None), written_number(10.636)) == (
            "152,5", "2,5", "10,64")
    with translation.override("en"):
        assert written_date(date(2026, 12, 7), "weekday_date") == "Mon 7 Dec 2026"
        assert (written_number(25.0), written_number(100), written_number(None)) == ("25", "100", "")
