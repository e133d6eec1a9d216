"""Reads of protocols shared by the pages, the API and the booking pages."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clinic.models import Location

from .labels import in_sentence
from .models import HomeAdjunct, Protocol, ProtocolSession, ProtocolStatus


def protocols_with_children() -> QuerySet[Protocol]:
    """Protocols with their sessions and home adjuncts in two extra queries, whatever the count."""
    return Protocol.objects.prefetch_related(
        Prefetch("sessions", queryset=ProtocolSession.objects.order_by("number")),
        Prefetch("home_adjuncts", queryset=HomeAdjunct.objects.order_by("id")),
    )


def session_count(protocol_field: str) -> Subquery:
    """The number of sessions of the protocol version that `protocol_field` of the outer query names,
    as a subquery to annotate with (None when it has none)."""
    counts = (
        ProtocolSession.objects.filter(protocol=OuterRef(protocol_field))
        .order_by()
        .values("protocol")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counts, output_field=IntegerField())


def protocols_search(
    *,
    q: str = "",
    indication: str = "",
    source_category: str = "",
    route: str = "",
    status: str = "",
) -> QuerySet[Protocol]:
    """The protocol list: `status` "" means current versions (active and drafts), "all" every one."""
    queryset = protocols_with_children().order_by("code", "-version")
    if q:
        queryset = queryset.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(source_detail__icontains=q) | Q(notes__icontains=q)
        )
    if indication:
        queryset = queryset.filter(indication=indication)
    if source_category:
        queryset = queryset.filter(source_category=source_category)
    if route:
        queryset = queryset.filter(route=route)
    if status == "all":
        pass
    elif status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=[ProtocolStatus.ACTIVE, ProtocolStatus.DRAFT])
    return queryset


def protocol_versions(code: str) -> list[Protocol]:
    """Every version of one code, newest first."""
    return list(protocols_with_children().filter(code=code).order_by("-version"))


def route_refusal(location: Location, protocol: Protocol) -> str:
    """Why the location's route policy refuses this protocol, or "" when it allows it."""
    if location.allows(protocol.source_category, protocol.route):
        return ""
    allowed = [_route_word(route) for route in (location.route_policy or {}).get(protocol.source_category) or []]
    if not allowed:
        by = _("no route at all")
    elif len(allowed) == 1:
        by = allowed[0]
    else:
        by = _("%(first)s or %(last)s") % {"first": ", ".join(allowed[:-1]), "last": allowed[-1]}
    return _("%(loc)s allows %(src)s sources by %(by)s, not by %(asked)s.") % {
        "loc": location.name, "src": in_sentence(protocol.get_source_category_display()), "by": by,
        "asked": _route_word(protocol.route)}


def _route_word(route: str) -> str:
    """A route as the refusal sentence says it ("by injection", "by topical")."""
    words = {"injection": pgettext("route, after 'by'", "injection"),
             "topical": pgettext("route, after 'by'", "topical")}
    return words.get(route, route)


@dataclass(frozen=True)
class LocationVerdict:
    location: Location
    allowed: bool
    reason: str


def protocol_locations(protocol: Protocol) -> list[LocationVerdict]:
    """At which of the clinic's locations this protocol's source and route are allowed."""
    verdicts = []
    for location in Location.objects.order_by("name"):
        reason = route_refusal(location, protocol)
        verdicts.append(LocationVerdict(location=location, allowed=not reason, reason=reason))
    return verdicts


def protocols_allowed_at(location: Location) -> tuple[list[Protocol], list[tuple[Protocol, str]]]:
    """Active protocols the location may book, and those it may not with the reason why."""
    allowed: list[Protocol] = []
    refused: list[tuple[Protocol, str]] = []
    for protocol in protocols_with_children().filter(status=ProtocolStatus.ACTIVE).order_by("code"):
        reason = route_refusal(location, protocol)
        if reason:
            refused.append((protocol, reason))
        else:
            allowed.append(protocol)
    return allowed, refused
