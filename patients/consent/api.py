"""JSON API of consent (api-contract.md, "Consent documents"). Thin: validate the body, call a
consent service, serialize the result.

/api/v1/consent-documents/: every role reads, doctors and admins write; status changes are
actions (activate, revise, archive) as for protocols. /api/v1/patients/{id}/consents/: the front
desk lists a patient's signatures and records one (the patient signs at the desk)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.viewsets import AuditContextMixin, ModelViewSet, QueryParamsMixin
from clinic.ids import id_from
from clinic.lockout import client_ip_address
from clinic.roles import Role
from patients.registry import services as registry
from patients.registry.models import Patient, PatientAccess

from . import selectors, services
from .models import ConsentDocument, ConsentSignature
from .serializers import ConsentDocumentSerializer, SignatureSerializer, SignRequestSerializer


class ConsentDocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Code or English title contains")

    class Meta:
        model = ConsentDocument
        fields = ["code", "status", "applies_to"]

    def search(self, queryset: QuerySet[ConsentDocument], name: str, value: str) -> QuerySet[ConsentDocument]:
        return queryset.filter(Q(code__icontains=value) | Q(texts__en__title__icontains=value))


class ConsentDocumentViewSet(ModelViewSet):
    """Consent documents and their versions. Only a draft can be edited or deleted (409
    `document_not_editable` otherwise); an action the status does not allow is 409 `invalid_transition`."""

    serializer_class = ConsentDocumentSerializer
    filterset_class = ConsentDocumentFilter
    read_role = Role.RECEPTIONIST
    write_role = Role.DOCTOR

    def get_queryset(self) -> QuerySet[ConsentDocument]:
        return ConsentDocument.objects.order_by("code", "-version")

    def perform_create(self, serializer: ConsentDocumentSerializer) -> None:
        serializer.instance = services.consent_document_create(by=self.request.user, **serializer.validated_data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        # A version that is not a draft is refused before its body is read: 409 says more than 400.
        if not document.is_editable:
            raise services.not_editable(document)
        serializer = self.get_serializer(document, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        updated = services.consent_document_update(document=document, fields=serializer.validated_data,
                                                   by=request.user)
        return Response(self.get_serializer(updated).data)

    def perform_destroy(self, instance: ConsentDocument) -> None:
        services.consent_document_delete(document=instance, by=self.request.user)

    @extend_schema(request=None, responses=ConsentDocumentSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        document = services.consent_document_activate(document=self.get_object(), by=request.user)
        return Response(self.get_serializer(document).data)

    @extend_schema(request=None, responses={201: ConsentDocumentSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        draft = services.consent_document_revise(document=self.get_object(), by=request.user)
        return Response(self.get_serializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ConsentDocumentSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        document = services.consent_document_archive(document=self.get_object(), by=request.user)
        return Response(self.get_serializer(document).data)


class PatientConsentsView(QueryParamsMixin, AuditContextMixin, generics.ListCreateAPIView):
    """What the patient signed, newest first; POST records a signature made at the desk
    (`{"document", "signed_name", "agree": true, "language"}`): 201, or 422 `invalid` without
    agreement or name, or for a document that is not active. Signatures are never edited or deleted."""

    serializer_class = SignatureSerializer
    queryset = ConsentSignature.objects.none()  # the schema's model; get_queryset reads the patient's
    read_role = Role.RECEPTIONIST
    write_role = Role.RECEPTIONIST

    def get_patient(self) -> Patient:
        patient_id = id_from(self.kwargs["pk"])
        if patient_id is None:
            raise NotFound()
        return get_object_or_404(Patient, pk=patient_id)

    def get_queryset(self) -> QuerySet[ConsentSignature]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.signatures_of(self.get_patient())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        patient = self.get_patient()
        page = self.paginate_queryset(selectors.signatures_of(patient))
        registry.patient_access_record(request=request, patients=[patient], what=PatientAccess.What.RECORD)
        return self.get_paginated_response(SignatureSerializer(page, many=True).data)

    @extend_schema(request=SignRequestSerializer, responses={201: SignatureSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        patient = self.get_patient()
        body = SignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        document = ConsentDocument.objects.filter(pk=data["document"]).first()
        if document is None:
            raise services.SignatureInvalid(
                {"document": [_("There is no consent document %(document)s.") % {"document": data["document"]}]})
        signature = services.consent_sign(
            patient=patient, document=document, signed_name=data["signed_name"], agree=data["agree"],
            language=data["language"], ip=client_ip_address(request),
            user_agent=request.headers.get("User-Agent", ""), by=request.user,
        )
        return Response(SignatureSerializer(selectors.signatures_of(patient).get(pk=signature.pk)).data,
                        status=status.HTTP_201_CREATED)
