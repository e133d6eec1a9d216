"""The date and time pickers' settings (clinic/templatetags/datepickers.py): the staff pages' own
formats in flatpickr's letters, Django's names and input formats for each language, and a data block
under the page's CSP nonce."""

import json
import re

import pytest
from django.conf import settings

from clinic.templatetags.datepickers import datepicker_settings, datepicker_settings_script, flatpickr_format


@pytest.mark.parametrize(("django", "flatpickr"), [
    ("j M Y", "j M Y"), ("j. M Y, H:i", "j. M Y, H:i"), ("d.m.Y", "d.m.Y"), ("g:i A", "h:i K"),
    ("h:i:s", "G:i:S"), (r"j \d\e F \d\e Y", r"j \d\e F \d\e Y"), ("d‏/m‏/Y", "d‏/m‏/Y"),
])
def test_django_formats_are_written_in_flatpickrs_letters(django, flatpickr):
    assert flatpickr_format(django) == flatpickr


def test_a_letter_flatpickr_cannot_write_is_refused_not_copied():
    with pytest.raises(ValueError, match="'T'"):
        flatpickr_format("H:i T")


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_every_language_has_the_pickers_formats_names_and_iso_among_what_may_be_typed(language):
    picker = datepicker_settings(language)
    assert picker["time"] == "H:i"  # 24-hour, as every staff page
    assert len(picker["months"]) == len(picker["monthsLong"]) == 12
    assert len(picker["weekdays"]) == len(picker["weekdaysLong"]) == 7
    assert "Y-m-d" in picker["typed"]["date"] and "H:i" in picker["typed"]["time"]


def test_turkish_and_german_write_and_read_dates_their_way():
    turkish, german = datepicker_settings("tr"), datepicker_settings("de")
    assert turkish["date"] == "j M Y" and turkish["months"][1] == "Şub" and turkish["weekdays"][1] == "Pzt"
    assert "d/m/Y" in turkish["typed"]["date"]
    assert german["date"] == "j. M Y" and german["months"][2] == "Mär" and "d.m.Y" in german["typed"]["date"]
    assert datepicker_settings("ar")["monthsLong"][1] == "فبراير"


def test_the_settings_are_a_json_block_under_the_pages_nonce():
    html = str(datepicker_settings_script({"csp_nonce": "n0nce"}, "tr"))
    match = re.fullmatch(r'<script id="datepicker-settings" type="application/json" nonce="n0nce">(.*)</script>', html)
    assert match and json.loads(match.group(1)) == datepicker_settings("tr")
    assert "</" not in match.group(1)


@pytest.mark.django_db
def test_a_turkish_page_loads_the_turkish_calendar_and_its_settings(desk):
    desk.cookies.load({settings.LANGUAGE_COOKIE_NAME: "tr"})
    html = desk.get("/patients/new/").content.decode()
    assert 'id="datepicker-settings"' in html and "flatpickr/l10n/tr.js" in html and "js/datepickers.js" in html
