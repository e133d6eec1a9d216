"""The contract's patients and screenings API: thin views over the services."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.viewsets import CreateListRetrieveUpdateViewSet
from clinic.roles import Role
from patients.models import Patient, PatientAccess
from patients.registry import selectors, services
from patients.registry.import_api import IMPORT_ROLES, PatientFilesMixin
from patients.registry.serializers import PatientSerializer
from patients.screening import selectors as screening_selectors
from patients.screening import services as screening_services
from patients.screening.serializers import ScreeningAnswersSerializer, ScreeningSerializer


class AccessLoggedMixin:
    """For viewsets whose answers show patient data: every list page and every object read is
    written to the access log, one row per patient shown, in one INSERT per request.

    `access_what` (a PatientAccess.What) says what was read; `patient_of` whose data an object is."""

    access_what: str = PatientAccess.What.RECORD

    def patient_of(self, obj: Any) -> int:
        return obj.patient_id

    def access_what_for(self, request: Request) -> str:
        return self.access_what

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        shown = list(queryset) if page is None else page
        services.patient_access_record(
            request=request, patients=[self.patient_of(obj) for obj in shown], what=self.access_what_for(request)
        )
        data = self.get_serializer(shown, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        services.patient_access_record(
            request=request, patients=[self.patient_of(obj)], what=self.access_what_for(request)
        )
        return Response(self.get_serializer(obj).data)


class PatientViewSet(AccessLoggedMixin, PatientFilesMixin, CreateListRetrieveUpdateViewSet):
    """Patients. `?q=` searches name, email and phone. Reading them is written to the access log.
    CSV import (admins) and export: import_api."""

    serializer_class = PatientSerializer
    read_role = Role.RECEPTIONIST
    write_role = Role.RECEPTIONIST
    action_roles = IMPORT_ROLES

    def patient_of(self, obj: Patient) -> int:
        return obj.pk

    def access_what_for(self, request: Request) -> str:
        if self.action == "list":
            searched = request.query_params.get("q", "").strip()
            return PatientAccess.What.SEARCH if searched else PatientAccess.What.LIST
        return PatientAccess.What.RECORD

    def get_queryset(self) -> QuerySet[Patient]:
        query = self.request.query_params.get("q", "") if self.action == "list" else ""
        return selectors.patients_search(query)

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Search name, email and phone")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with selectors.search_plan(request.query_params.get("q", "")):
            return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        duplicates = selectors.patient_likely_duplicates(
            email=data.get("email", ""), phone=data.get("phone"), date_of_birth=data.get("date_of_birth")
        )
        # API clients cannot be asked "is this the same person?" before saving, so the patient
        # is created and the likely duplicates are named in the answer for the caller to act on.
        patient = services.patient_create(**data, allow_duplicate=True, by=request.user)
        body = dict(PatientSerializer(patient).data, possible_duplicates=[p.pk for p in duplicates])
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        patient = self.get_object()
        serializer = self.get_serializer(patient, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if partial:
            # A PATCH must not reset consents it did not mention to their defaults.
            changes = {k: v for k, v in changes.items() if k in request.data}
        patient = services.patient_update(patient=patient, changes=changes, by=request.user)
        return Response(PatientSerializer(patient).data)

    @extend_schema(request=ScreeningAnswersSerializer, responses={200: ScreeningSerializer(many=True),
                                                                  201: ScreeningSerializer})
    @action(detail=True, methods=["get", "post"], url_path="screenings")
    def screenings(self, request: Request, pk: str | None = None) -> Response:
        patient = self.get_object()
        if request.method == "POST":
            answers = ScreeningAnswersSerializer(data=request.data)
            answers.is_valid(raise_exception=True)
            screening = screening_services.screening_record(
                patient=patient, answers=answers.validated_data, by=request.user
            )
            screening = screening_selectors.screenings_of(patient).get(pk=screening.pk)
            return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)
        services.patient_access_record(request=request, patients=[patient], what=PatientAccess.What.SCREENING)
        page = self.paginate_queryset(screening_selectors.screenings_of(patient))
        return self.get_paginated_response(ScreeningSerializer(page, many=True).data)


