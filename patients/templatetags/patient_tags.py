"""Small template helpers for patient pages."""

from datetime import date

from django import template
from django.utils import timezone

from patients import screening as rules

register = template.Library()


@register.filter
def screening_label(code: str) -> str:
    """'nsaid_last_48h' -> 'NSAIDs in 48 h'."""
    return rules.SHORT_LABELS.get(code, code.replace("_", " ").capitalize())


@register.filter
def screening_question(code: str) -> str:
    return rules.LABELS.get(code, code)


@register.filter
def age(date_of_birth: date | None) -> int | None:
    if not date_of_birth:
        return None
    today = timezone.localdate()
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced: pagination keeps the search."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
