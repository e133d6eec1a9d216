"""Finds user-visible English left outside the translation tags of Django templates.

Django's own template lexer masks every tag, variable and comment, and the whole body of
{% blocktranslate %} and {% comment %} blocks; html.parser then reads what remains: text nodes
(not inside <script>/<style>) and the attributes a person reads or hears (title, alt,
placeholder, aria-label, ...). Text with two letters in a row that is not an allowed proper noun
is a literal nobody translates."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

HOLE = " "  # a space: a hole inside a tag (`<tr{% if %} class=".."{% endif %}>`) keeps the tag whole
READ_ATTRIBUTES = {
    "title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription", "label",
    "data-bs-title", "data-bs-content", "data-confirm",
}
# Names that stay as they are in every language.
PROPER_NOUNS = {"Anagen", "API", "PRP", "LED", "FHIR", "CSV", "iCalendar", "HTTP", "IANA", "PDF", "ISO", "UTC"}
_WORD = re.compile(r"[^\W\d_]{2,}")


def masked(source: str) -> str:
    """The template with every tag, variable, comment and translated block turned into a hole."""
    out: list[str] = []
    skip: str | None = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skip:
                if name == skip:
                    skip = None
            elif name in ("blocktranslate", "blocktrans"):
                skip = "end" + name
            elif name == "comment":
                skip = "endcomment"
            out.append(HOLE)
        elif token.token_type == TokenType.TEXT and not skip:
            out.append(token.contents)
        else:
            out.append(HOLE)
    return "".join(out)


def untranslated_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.replace(HOLE, " ")) if word not in PROPER_NOUNS]


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self.raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.raw += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value, f"@{name}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value, f"@{name}")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.raw = max(0, self.raw - 1)

    def handle_data(self, data: str) -> None:
        if not self.raw:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        if untranslated_words(text):
            self.found.append((self.getpos()[0], where, " ".join(text.replace(HOLE, " ").split())[:80]))


def literals_in(source: str, *, plain_text: bool = False) -> list[tuple[int, str, str]]:
    """(line, where, text) of every untranslated literal of a template's source."""
    text = masked(source)
    if plain_text:
        return [(n, "text", " ".join(line.replace(HOLE, " ").split())[:80])
                for n, line in enumerate(text.splitlines(), start=1) if untranslated_words(line)]
    finder = _Finder()
    finder.feed(text)
    finder.close()
    return finder.found


def literals_in_file(path: Path) -> list[tuple[int, str, str]]:
    return literals_in(path.read_text(encoding="utf-8"), plain_text=path.suffix == ".txt")
