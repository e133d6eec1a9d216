"""JSON API of the treatment room (api-contract.md, "Products and lots", "Session records").
Thin: validate the body, call a records service, serialize the result.

Every staff role reads the catalogue and the lots (the desk sees what is in stock); doctors and
admins write them, recall lots and see who received one. A record's full content is clinical:
the front desk reads only its summary (what was given and when, no quantities, no notes)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.filters import IntegerFilter
from clinic.api.serializers import django_errors
from clinic.api.viewsets import CreateListRetrieveUpdateViewSet, SafeLookupMixin
from clinic.roles import Role, has_role
from patients.registry import services as registry
from patients.registry.api import AccessLoggedMixin
from patients.registry.models import PatientAccess

from . import adverse_events as adverse
from . import selectors, services
from .models import AdverseEvent, Lot, Product, SessionRecord
from .serializers import (
    AdverseEventSerializer,
    AffectedSerializer,
    AmendRequestSerializer,
    LotSerializer,
    ProductSerializer,
    ReasonSerializer,
    RecordRequestSerializer,
    SessionRecordSerializer,
    SessionRecordSummarySerializer,
)


def call(service, **kwargs: Any) -> Any:
    """A service's Django ValidationError in the API's 400 shape (`non_field_errors`, not `__all__`)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise django_errors(error) from None


def record_serializer_for(user) -> type[SessionRecordSerializer]:
    return SessionRecordSerializer if has_role(user, Role.DOCTOR) else SessionRecordSummarySerializer


class ProductViewSet(CreateListRetrieveUpdateViewSet):
    """Products: never deleted (lots and records name them); `active: false` retires one."""

    serializer_class = ProductSerializer
    read_role = Role.RECEPTIONIST
    write_role = Role.DOCTOR
    filterset_fields = ["kind", "active", "source_category"]
    queryset = Product.objects.order_by("name", "id")

    def perform_create(self, serializer) -> None:
        serializer.instance = call(services.product_create, data=serializer.validated_data, by=self.request.user)

    def perform_update(self, serializer) -> None:
        serializer.instance = call(services.product_update, product=serializer.instance,
                                   data=serializer.validated_data, by=self.request.user)


class LotFilter(django_filters.FilterSet):
    expiring_within_days = IntegerFilter(method="filter_expiring", min_value=0, max_value=3660,
                                         label="Expiring within N days")
    running_low = django_filters.BooleanFilter(method="filter_low", label="At most a fifth left")

    class Meta:
        model = Lot
        fields = ["product", "recalled"]

    def filter_expiring(self, queryset, name, value):
        ids = selectors.lots_expiring(today=timezone.localdate(), days=int(value)).values("pk")
        return queryset.filter(pk__in=ids)

    def filter_low(self, queryset, name, value):
        ids = selectors.lots_running_low().values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class LotViewSet(CreateListRetrieveUpdateViewSet):
    """Lots with what is left of them; recall, and the traceability lookup (who received it)."""

    serializer_class = LotSerializer
    read_role = Role.RECEPTIONIST
    write_role = Role.DOCTOR
    action_roles = {"patients": Role.DOCTOR}
    filterset_class = LotFilter

    def get_queryset(self):
        return selectors.lots_with_quantities().order_by("expires_on", "id")

    def _fresh(self, lot: Lot) -> Lot:
        return self.get_queryset().get(pk=lot.pk)

    def perform_create(self, serializer) -> None:
        lot = call(services.lot_create, data=serializer.validated_data, by=self.request.user)
        serializer.instance = self._fresh(lot)

    def perform_update(self, serializer) -> None:
        lot = call(services.lot_update, lot=serializer.instance, data=serializer.validated_data, by=self.request.user)
        serializer.instance = self._fresh(lot)

    def _affected_body(self, request: Request, lot: Lot, affected: list[dict]) -> dict:
        registry.patient_access_record(request=request, patients=[row["patient"] for row in affected],
                                       what=PatientAccess.What.SESSION)
        return {**LotSerializer(self._fresh(lot)).data, "affected": AffectedSerializer(affected, many=True).data}

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk=None) -> Response:
        lot = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lot, affected = call(services.lot_recall, lot=lot, reason=body.validated_data["reason"], by=request.user)
        return Response(self._affected_body(request, lot, affected))

    @extend_schema(responses=inline_serializer("LotPatients", {
        "lot": serializers.IntegerField(), "lot_number": serializers.CharField(),
        "affected": AffectedSerializer(many=True)}))
    @action(detail=True, methods=["get"])
    def patients(self, request: Request, pk=None) -> Response:
        lot = self.get_object()
        affected = selectors.lot_patients(lot)
        return Response({"lot": lot.pk, "lot_number": lot.lot_number,
                         "affected": self._affected_body(request, lot, affected)["affected"]})


def given_rows(data: dict) -> list[services.Given]:
    return [services.Given(lot=row["lot"], quantity=row["quantity"], sites=row["sites"]) for row in data["products"]]


class SessionRecordFilter(django_filters.FilterSet):
    patient = django_filters.NumberFilter(field_name="session__patient")
    lot = django_filters.NumberFilter(field_name="products__lot", distinct=True)

    class Meta:
        model = SessionRecord
        fields = ["session"]


class SessionRecordViewSet(AccessLoggedMixin, SafeLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Session records: read (the desk reads summaries), and amend (doctors and admins)."""

    access_what = PatientAccess.What.SESSION
    read_role = Role.RECEPTIONIST
    write_role = Role.DOCTOR
    filterset_class = SessionRecordFilter

    def patient_of(self, obj: SessionRecord) -> int:
        return obj.session.patient_id

    def get_queryset(self):
        return selectors.records().order_by("-recorded_at", "-id")

    def get_serializer_class(self):
        return record_serializer_for(self.request.user)

    @extend_schema(request=AmendRequestSerializer, responses={200: SessionRecordSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk=None) -> Response:
        record = self.get_object()
        body = AmendRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not {"products", "adjuncts_done", "notes"} & set(data):
            raise serializers.ValidationError({"non_field_errors": [_("Send what changes: products, adjuncts_done "
                                                                      "or notes.")]})
        record = call(
            services.session_record_amend, record=record, reason=data["reason"],
            products=given_rows(data) if "products" in data else None,
            adjuncts_done=data.get("adjuncts_done"), notes=data.get("notes"), by=request.user, now=timezone.now(),
        )
        return Response(SessionRecordSerializer(self.get_queryset().get(pk=record.pk)).data)


def session_record_get(request: Request, session) -> Response:
    """GET /sessions/{id}/record/ (SessionViewSet): the record, or its summary for the desk."""
    record = selectors.session_record_of(session)
    if record is None:
        from rest_framework.exceptions import NotFound

        raise NotFound(_("This session has no record yet."))
    registry.patient_access_record(request=request, patients=[session.patient_id], what=PatientAccess.What.SESSION)
    return Response(record_serializer_for(request.user)(record).data)


def session_record_post(request: Request, session) -> Response:
    """POST /sessions/{id}/record/ (SessionViewSet): record the visit and complete the session."""
    body = RecordRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    record = call(services.session_record, session=session, products=given_rows(data),
                  adjuncts_done=data["adjuncts_done"], notes=data["notes"], by=request.user, now=timezone.now())
    return Response(SessionRecordSerializer(selectors.records().get(pk=record.pk)).data, status=201)


class AdverseEventFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="session__record__products__lot", distinct=True)
    protocol = django_filters.NumberFilter(field_name="session__course__protocol")
    reviewed = django_filters.BooleanFilter(field_name="reviewed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = AdverseEvent
        fields = ["patient", "session", "serious"]


class AdverseEventViewSet(AccessLoggedMixin, CreateListRetrieveUpdateViewSet):
    """Adverse events: any staff role files one (a patient phoned in) and reads them; doctors and
    admins complete them and mark them reviewed. Never deleted."""

    access_what = PatientAccess.What.SESSION
    serializer_class = AdverseEventSerializer
    read_role = Role.RECEPTIONIST
    write_role = Role.RECEPTIONIST
    action_roles = {"update": Role.DOCTOR, "partial_update": Role.DOCTOR, "review": Role.DOCTOR}
    filterset_class = AdverseEventFilter

    def get_queryset(self):
        return adverse.adverse_events().order_by("-onset", "-id")

    def perform_create(self, serializer) -> None:
        serializer.instance = call(adverse.adverse_event_file, data=serializer.validated_data, by=self.request.user)

    def perform_update(self, serializer) -> None:
        serializer.instance = call(adverse.adverse_event_update, event=serializer.instance,
                                   data=serializer.validated_data, by=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        event = adverse.adverse_event_review(event=self.get_object(), by=request.user)
        return Response(AdverseEventSerializer(self.get_queryset().get(pk=event.pk)).data)
