"""One check for every "this page is in the language" test: the page's lang and dir, and no English
word of a slice of the catalogue left in the parts of the page that slice draws.

Each area's test module names its slice (the sources whose messages it translated) and which parts
of a page are its own (`include`) and which are another area's (`exclude`); the rest is here."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import dates, translation

from tests.i18n.po import Entry, read_po
from tests.i18n.visible_text import Selector, english_words, leaked, nothing, visible_text, words_of_translations

LANGUAGES = ["tr", "ar", "es", "de"]


def class_of(attrs: dict[str, str]) -> list[str]:
    return attrs.get("class", "").split()


@cache
def catalogue(language: str) -> tuple[Entry, ...]:
    return tuple(read_po(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))


def date_words(language: str) -> set[str]:
    """Month and weekday names as Django writes them in the language (Turkish "May" is Mayıs)."""
    with translation.override(language):
        names = [*dates.MONTHS.values(), *dates.MONTHS_3.values(), *dates.MONTHS_AP.values(),
                 *dates.WEEKDAYS.values(), *dates.WEEKDAYS_ABBR.values()]
        return {word.lower() for name in names for word in str(name).split()}


@cache
def english_of(sources: tuple[str, ...], *, dates: bool = True) -> dict[str, frozenset[str]]:
    """language -> the English words of the messages only `sources` use that the language itself
    does not also use (German also says "Name"), nor, with `dates`, its month and weekday names."""
    found = {}
    for language in LANGUAGES:
        entries = catalogue(language)
        words = english_words(entries, sources=sources) - words_of_translations(entries)
        found[language] = frozenset(words - date_words(language) if dates else words)
    return found


def page_in_language(response, language: str, english: set[str] | frozenset[str], data: list[str], *,
                     include: Selector, exclude: Selector = nothing, status: int = 200, page: bool = True) -> str:
    """Assert the answer is a page (or, with page=False, a fragment) in `language` whose parts
    `include` picks, but for those `exclude` picks, show none of `english` once the clinic's own
    `data` (names, addresses) is taken out; its text, for further checks."""
    assert response.status_code == status, f"{response.status_code}: {response.content.decode()[:500]}"
    html = response.content.decode()
    if page:
        direction = "rtl" if language == "ar" else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in html, f"not a page in {language}: {html[:200]}"
    text = visible_text(html, include, exclude)
    assert len(text) > 40, f"the page should have text to read: {text!r}"
    left = leaked(text, english, data=data)
    found = (re.search(rf"\b{re.escape(word)}\b", text) for word in left)
    where = [text[max(0, m.start() - 80):m.end() + 80] for m in found if m]
    assert not left, f"{language}: English left on {response.request['PATH_INFO']}: {left}\n{where}"
    return text
