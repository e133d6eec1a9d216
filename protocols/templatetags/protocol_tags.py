from django import template

from protocols.models import Protocol

register = template.Library()


@register.simple_tag
def protocol_counts() -> dict[str, int]:
    """Active protocols and open drafts, for the home tile."""
    counts = {"active": 0, "draft": 0}
    for status in Protocol.objects.filter(status__in=counts).values_list("status", flat=True):
        counts[status] += 1
    return counts
