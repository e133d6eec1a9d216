"""/api/v1/protocols/: every role reads, doctors (and admins) write.

Status changes are actions: POST .../activate/, .../revise/ (201, the new draft), .../archive/.
Editing or deleting a version that is not an unused draft answers 409 `protocol_not_editable`;
an action the status does not allow answers 409 `invalid_transition`.
GET .../fhir/ gives the version as an HL7 FHIR PlanDefinition.
"""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.renderers import FHIRJSONRenderer, FHIRNegotiation
from clinic.api.serializers import StrictJSONParser
from clinic.api.viewsets import ModelViewSet
from clinic.roles import Role
from protocols import selectors, services
from protocols.fhir import protocol_fhir_json
from protocols.models import Protocol

from .serializers import ProtocolSerializer


class ProtocolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Code, name or source contains")

    class Meta:
        model = Protocol
        fields = ["code", "status", "indication", "source_category", "route", "anchor"]

    def search(self, queryset: QuerySet[Protocol], name: str, value: str) -> QuerySet[Protocol]:
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(source_detail__icontains=value))


class ProtocolViewSet(ModelViewSet):
    """Protocol templates and their versions (see the module docstring for the status rules)."""

    serializer_class = ProtocolSerializer
    filterset_class = ProtocolFilter
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]
    read_role = Role.RECEPTIONIST
    write_role = Role.DOCTOR

    def get_queryset(self) -> QuerySet[Protocol]:
        return selectors.protocols_with_children().order_by("code", "-version")

    def _fresh(self, protocol: Protocol) -> Protocol:
        return self.get_queryset().get(pk=protocol.pk)

    def perform_create(self, serializer: ProtocolSerializer) -> None:
        serializer.instance = self._fresh(services.protocol_create(by=self.request.user, **serializer.validated_data))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        protocol = self.get_object()
        # A version that is not a draft is refused before its body is read: 409 says more than 400.
        if not protocol.is_editable:
            raise services.not_editable(protocol)
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(protocol, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        sessions = data.pop("sessions", None)
        home_adjuncts = data.pop("home_adjuncts", None)
        if partial is False and home_adjuncts is None:
            home_adjuncts = []
        updated = services.protocol_update(
            protocol=protocol, fields=data, sessions=sessions, home_adjuncts=home_adjuncts, by=request.user
        )
        return Response(self.get_serializer(self._fresh(updated)).data)

    def perform_destroy(self, instance: Protocol) -> None:
        services.protocol_delete(protocol=instance, by=self.request.user)

    @extend_schema(request=None, responses=ProtocolSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        protocol = services.protocol_activate(protocol=self.get_object(), by=request.user)
        return Response(self.get_serializer(self._fresh(protocol)).data)

    @extend_schema(request=None, responses={201: ProtocolSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        draft = services.protocol_revise(protocol=self.get_object(), by=request.user)
        return Response(self.get_serializer(self._fresh(draft)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ProtocolSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        protocol = services.protocol_archive(protocol=self.get_object(), by=request.user)
        return Response(self.get_serializer(self._fresh(protocol)).data)

    @extend_schema(responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], renderer_classes=[FHIRJSONRenderer],
            content_negotiation_class=FHIRNegotiation)
    def fhir(self, request: Request, pk: str | None = None) -> Response:
        return Response(protocol_fhir_json(self.get_object()))
