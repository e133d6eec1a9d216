from typing import Any

from django import template

from protocols.labels import in_sentence as _in_sentence
from protocols.models import Protocol
from protocols.texts import LANGUAGE_NAMES, OTHER_LANGUAGES, RTL_LANGUAGES

register = template.Library()


@register.simple_tag
def protocol_counts() -> dict[str, int]:
    """Active protocols and open drafts, for the home tile."""
    counts = {"active": 0, "draft": 0}
    for status in Protocol.objects.filter(status__in=counts).values_list("status", flat=True):
        counts[status] += 1
    return counts


@register.simple_tag
def other_languages(item: Any) -> list[dict[str, Any]]:
    """A session's or home adjunct's instructions in the other languages it has, to show staff."""
    translations = getattr(item, "instructions_i18n", None) or {}
    return [
        {"code": code, "name": LANGUAGE_NAMES[code], "text": translations[code], "rtl": code in RTL_LANGUAGES}
        for code in OTHER_LANGUAGES if translations.get(code)
    ]


@register.filter
def in_sentence(label: Any) -> str:
    """A label inside a sentence: lower case, but German keeps its nouns capitalized."""
    return _in_sentence(label)
