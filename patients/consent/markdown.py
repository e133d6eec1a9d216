"""A document's Markdown body as safe HTML, with markdown-it-py (CommonMark): raw HTML in the
text is shown as text, never run, and only http(s) and mailto links are kept."""

from __future__ import annotations

from functools import cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    # "js-default": CommonMark with html off, so <script> in a document comes out escaped.
    parser = MarkdownIt("js-default")
    parser.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://", "mailto:"))
    return parser


def markdown_html(text: str) -> SafeString:
    return mark_safe(_parser().render(text or ""))  # noqa: S308 - markdown-it escapes everything it does not build
