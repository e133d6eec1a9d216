"""JSON API of outcomes (api-contract.md, "Measurements and photos", "Reports"). Thin: read the
body or the query, call a service or a selector, serialize.

Measurements are clinical data: doctors and admins write and read them, the front desk gets 403
`forbidden` (checked before the session is looked up, so a refused caller cannot tell a known
session from an unknown one). Reading a patient's measurements is written to the access log;
the reports show no patient, only a cohort's figures.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.serializers import django_errors
from clinic.api.viewsets import APIView, SafeLookupMixin
from clinic.ids import id_from
from clinic.roles import Role
from patients.booking.models import Session
from patients.registry import services as registry
from patients.registry.models import Patient, PatientAccess

from . import reports, selectors, services
from .serializers import (
    AdherenceQuerySerializer,
    AdherenceSerializer,
    MeasurementItemSerializer,
    MeasurementSerializer,
    OutcomesQuerySerializer,
    OutcomesReportSerializer,
    OutcomesSerializer,
    SeriesSerializer,
    measurement_items,
)


class SessionMeasurementsView(SafeLookupMixin, generics.GenericAPIView):
    """GET: what was measured at the visit (a paginated list). POST: a list of {metric, site, value, method}: 201 the
    stored list (a value measured again replaces the earlier one, which `replaced` names).
    `?patient=` (optional) guards against measuring the wrong patient: 400 when it is not the
    session's patient."""

    read_role = Role.DOCTOR
    write_role = Role.DOCTOR
    queryset = Session.objects.select_related("location")
    serializer_class = MeasurementSerializer

    @extend_schema(responses={200: MeasurementSerializer(many=True)})
    def get(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        page = self.paginate_queryset(selectors.session_measurements(session))
        registry.patient_access_record(request=request, patients=[session.patient_id],
                                       what=PatientAccess.What.OUTCOMES)
        return self.get_paginated_response(MeasurementSerializer(page, many=True).data)

    @extend_schema(request=MeasurementItemSerializer(many=True), responses={201: MeasurementSerializer(many=True)},
                   parameters=[OpenApiParameter("patient", int, description="The patient you mean to measure")])
    def post(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        expected = request.query_params.get("patient")
        if expected is not None and id_from(expected) != session.patient_id:
            raise ValidationError({"patient": [_("Session %(session)s is not patient %(patient)s's.")
                                               % {"session": session.pk, "patient": expected[:20]}]})
        readings = measurement_items(request.data)
        try:
            stored = services.measurements_record(session=session, readings=readings, by=request.user,
                                                  now=timezone.now())
        except services.ReadingsRefused as error:
            raise ValidationError(error.by_item) from None
        except DjangoValidationError as error:
            raise django_errors(error) from None
        return Response(MeasurementSerializer(stored, many=True).data, status=201)


class PatientOutcomesView(SafeLookupMixin, generics.GenericAPIView):
    """GET /patients/{id}/outcomes/: the patient's measurements as series per metric, site and
    method, each with its baseline, latest value and change."""

    read_role = Role.DOCTOR
    write_role = Role.DOCTOR
    queryset = Patient.objects.all()
    serializer_class = OutcomesSerializer
    pagination_class = None

    def get(self, request: Request, pk: str) -> Response:
        patient = self.get_object()
        series = selectors.patient_outcomes(patient.pk)
        registry.patient_access_record(request=request, patients=[patient.pk], what=PatientAccess.What.OUTCOMES)
        return Response({"patient": patient.pk, "series": SeriesSerializer(series, many=True).data})


def _query(serializer_class, request: Request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class OutcomesReportView(APIView):
    """The change from baseline of a metric at a day of the protocol's courses, with its 95%
    interval (null under 3 patients) and the protocol's adverse events per 100 sessions."""

    read_role = Role.DOCTOR
    write_role = Role.ADMIN

    @extend_schema(parameters=[OutcomesQuerySerializer], responses={200: OutcomesReportSerializer})
    def get(self, request: Request) -> Response:
        query = _query(OutcomesQuerySerializer, request)
        return Response(reports.outcomes_report(
            protocol_code=query["protocol_code"], metric=query["metric"], day=query["day"],
            site=query.get("site"), method=query.get("method")))


class AdherenceReportView(APIView):
    """Sessions of a period by status, in-window and no-show shares, by protocol, and each
    practitioner's utilisation."""

    read_role = Role.DOCTOR
    write_role = Role.ADMIN

    @extend_schema(parameters=[
        OpenApiParameter("location", int, description="A location's id (none: every location)"),
        OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First day, YYYY-MM-DD"),
        OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Last day, YYYY-MM-DD (included)"),
    ], responses={200: AdherenceSerializer})
    def get(self, request: Request) -> Response:
        query = _query(AdherenceQuerySerializer, request)
        return Response(reports.adherence_report(location=query.get("location"), start_date=query["from"],
                                                 end_date=query["to"]))
