"""Small template helpers for patient pages."""

from datetime import date

from django import template
from django.utils import timezone

from patients.labels import code_label, code_labels
from patients.registry.phones import phone_display

register = template.Library()


@register.filter
def label(code: str) -> str:
    """Any code in words ('harvest_blood' -> 'Blood draw (harvest)'); sentences pass through."""
    return code_label(code)


@register.filter
def screening_label(code: str) -> str:
    """'nsaid_last_48h' -> 'NSAIDs in 48 h'."""
    return code_label(code)


@register.filter
def screening_question(code: str) -> str:
    return code_label(code, long=True)


@register.filter
def labels(codes: list[str]) -> str:
    """Codes in words, joined: ['platelet_disorder', 'strong_anticoagulant'] -> 'Platelet disorder, Strong …'."""
    return ", ".join(code_labels(list(codes or [])))


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


REVIEW_QUEUE_SHOWN = 8


@register.simple_tag
def screenings_to_review() -> dict:
    """The doctors' review queue for the home page: the oldest few and how many in all."""
    from patients.screening.selectors import screenings_needing_review

    queue = screenings_needing_review()
    return {"items": list(queue[:REVIEW_QUEUE_SHOWN]), "count": queue.count()}


@register.filter
def phone(number: object, region: str | None = None) -> str:
    """A phone number as the clinic reads it: national format at home, international otherwise."""
    return phone_display(number, region)
