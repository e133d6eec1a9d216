"""The words a person reads on a rendered page, from the parts of it a test names, and the English
words of a slice of the catalogue that must not show once a page is in another language."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser

from tests.i18n.literals import PROPER_NOUNS
from tests.i18n.po import Entry

Attrs = dict[str, str]
Selector = Callable[[str, Attrs], bool]
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "data-confirm")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_WORD = re.compile(r"[^\W\d_]{3,}")
_MARKUP = re.compile(r"<[^>]+>|%\(\w+\)[sd]|\{\w*\}|&\w+;")


class _Reader(HTMLParser):
    def __init__(self, include: Selector, exclude: Selector) -> None:
        super().__init__(convert_charrefs=True)
        self.include, self.exclude = include, exclude
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    @property
    def inside(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attr_list}
        raw = tag in ("script", "style", "template")
        inside = (self.inside or self.include(tag, attrs)) and not self.exclude(tag, attrs) and not raw
        if inside:
            self.parts.extend(attrs[name] for name in READ_ATTRIBUTES if attrs.get(name))
            if tag == "option" or (tag == "input" and attrs.get("type") in ("submit", "button")):
                self.parts.append(attrs.get("value", "") if tag == "input" else "")
        if tag not in VOID:
            self.stack.append((tag, inside))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.parts.append(data)


def nothing(tag: str, attrs: Attrs) -> bool:
    """The selector that picks no element."""
    return False


def visible_text(html: str, include: Selector, exclude: Selector = nothing) -> str:
    """The text (and read-out attributes) of every element `include` picks and of all inside it,
    but for the parts `exclude` picks (an element inside those that `include` picks counts again)."""
    reader = _Reader(include, exclude)
    reader.feed(html)
    reader.close()
    return " ".join(" ".join(reader.parts).split())


def english_words(entries: Iterable[Entry], *, sources: tuple[str, ...]) -> set[str]:
    """The words of the English messages used only by `sources` (files or folders), lower case,
    without placeholders, markup and proper nouns."""
    words: set[str] = set()
    for entry in entries:
        if not entry.locations or not all(location.startswith(sources) for location in entry.locations):
            continue
        for text in (entry.msgid, entry.msgid_plural or ""):
            words.update(word.lower() for word in _WORD.findall(_MARKUP.sub(" ", text)) if word not in PROPER_NOUNS)
    return words


def words_of_translations(entries: Iterable[Entry]) -> set[str]:
    """Every word the translations themselves use (German also says "Name", "Status", "Filter"), but
    not the names of their placeholders (`%(route)s` is no word of any language)."""
    return {word.lower() for entry in entries for text in entry.msgstr.values()
            for word in _WORD.findall(_MARKUP.sub(" ", text))}


def leaked(text: str, english: set[str], *, data: Iterable[str] = ()) -> list[str]:
    """The English words left in a page's text once the data values shown on it are taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return sorted({word for word in _WORD.findall(text) if word.lower() in english and word not in PROPER_NOUNS})
