"""The portal's JSON API (api-contract.md, "The patient's own page"): the desk's link and revoke
endpoints, the anonymous link request, and the patient's own endpoints under
`Authorization: Portal <token>`. Thin: authenticate, validate the body, call a portal service."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, views
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.viewsets import APIView, QueryParamsMixin
from clinic.ids import id_from
from clinic.lockout import client_ip_address
from patients.booking.services import SlotConflict
from patients.consent.rules import LANGUAGES
from patients.consent.serializers import SignatureSerializer, SignRequestSerializer
from patients.models import ConsentDocument, Patient
from patients.portal import selectors, services
from patients.portal.auth import IsPortalPatient, PortalAuthentication
from patients.portal.serializers import (
    LinkRequestSerializer,
    PortalCancelSerializer,
    PortalRescheduleSerializer,
    SessionSerializer,
    SlotSerializer,
    me_data,
)
from patients.screening.serializers import ScreeningAnswersSerializer, ScreeningSerializer

LinkSerializer = inline_serializer("PortalLink", {"url": serializers.URLField(),
                                                 "expires_at": serializers.DateTimeField()})


def _patient(pk: str) -> Patient:
    patient_id = id_from(pk)
    if patient_id is None:
        raise NotFound()
    return get_object_or_404(Patient, pk=patient_id)


class PortalLinkView(APIView):
    """The desk makes a link to the patient's page (for the QR code, or to send): 201 {url, expires_at}."""

    @extend_schema(request=None, responses={201: LinkSerializer})
    def post(self, request: Request, pk: str) -> Response:
        link = services.portal_link_issue(patient=_patient(pk), by=request.user)
        return Response({"url": link.url, "expires_at": link.expires_at}, status=status.HTTP_201_CREATED)


class PortalLinkRevokeView(APIView):
    """Every link to this patient's page made until now stops working."""

    @extend_schema(request=None, responses={200: inline_serializer("PortalRevoked", {
        "revoked_at": serializers.DateTimeField()})})
    def post(self, request: Request, pk: str) -> Response:
        access = services.portal_links_revoke(patient=_patient(pk), by=request.user)
        return Response({"revoked_at": access.revoked_at})


class PortalLinkRequestView(QueryParamsMixin, views.APIView):
    """"Email me a new link": always 202, known address or not."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=LinkRequestSerializer, responses={202: None, 429: OpenApiResponse(
        inline_serializer("ThrottledErrorBody", {"code": serializers.CharField(), "detail": serializers.CharField()}),
        description="Too many link requests from this client in the last hour: `throttled`.")})
    def post(self, request: Request) -> Response:
        body = LinkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.portal_link_request(email=body.validated_data["email"], ip=client_ip_address(request))
        return Response({"detail": gettext("If this address is known to the clinic, a link is on its way.")},
                        status=status.HTTP_202_ACCEPTED)


class PortalView(QueryParamsMixin, views.APIView):
    """Base of the patient's own endpoints: the caller is the patient of the token."""

    authentication_classes = [PortalAuthentication]
    permission_classes = [IsPortalPatient]

    @property
    def patient(self) -> Patient:
        return self.request.user.patient


PortalSlotsSerializer = inline_serializer("PortalSlots", {
    "session": serializers.IntegerField(), "window_earliest": serializers.DateField(),
    "window_latest": serializers.DateField(), "change_notice_hours": serializers.IntegerField(),
    "change_refusal": serializers.CharField(allow_null=True),
    "slots": SlotSerializer(many=True)})
PortalMovedSerializer = inline_serializer("PortalMoved", {
    "session": SessionSerializer(), "moved": SessionSerializer(many=True),
    "warnings": serializers.ListField(child=serializers.CharField())})


class PortalMeView(PortalView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(me_data(self.patient, now=timezone.now()))


def _slots(session, *, now, day=None) -> list[dict[str, Any]]:
    return [{"start": s.start.isoformat(), "end": s.end.isoformat()}
            for s in selectors.portal_slots(session, now=now, day=day)]


class PortalSlotsView(PortalView):
    """Free starts for the session inside its window, at least the notice ahead (`?date=` one day)."""

    @extend_schema(parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=False)],
                   responses={200: PortalSlotsSerializer})
    def get(self, request: Request, pk: str) -> Response:
        session = selectors.portal_session(self.patient, pk)
        now = timezone.now()
        raw = request.query_params.get("date")
        day = None
        if raw:
            try:
                day = parse_date(raw)
            except ValueError:
                day = None
            if day is None:
                raise serializers.ValidationError({"date": [gettext("Use YYYY-MM-DD.")]})
        window = selectors.move_window(session)
        refusal = selectors.change_refusal(session, now)
        return Response({
            "session": session.pk,
            "window_earliest": window.earliest, "window_latest": window.latest,
            "change_notice_hours": session.location.change_notice_hours,
            "change_refusal": refusal,
            "slots": [] if refusal else _slots(session, now=now, day=day),
        })


class PortalRescheduleView(PortalView):
    @extend_schema(request=PortalRescheduleSerializer, responses={200: PortalMovedSerializer})
    def post(self, request: Request, pk: str) -> Response:
        session = selectors.portal_session(self.patient, pk)
        body = PortalRescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        now = timezone.now()
        try:
            session, moved, warnings = services.portal_session_reschedule(
                patient=self.patient, session=session, start=body.validated_data["start"], now=now)
        except SlotConflict as error:
            # Someone took the time a moment ago: fresh times to choose from.
            session.refresh_from_db()
            error.extra["slots"] = _slots(session, now=now)
            raise
        return Response({"session": SessionSerializer(session).data,
                         "moved": SessionSerializer(moved, many=True).data, "warnings": warnings})


class PortalCancelView(PortalView):
    @extend_schema(request=PortalCancelSerializer, responses={200: SessionSerializer})
    def post(self, request: Request, pk: str) -> Response:
        session = selectors.portal_session(self.patient, pk)
        body = PortalCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = services.portal_session_cancel(patient=self.patient, session=session,
                                                 reason=body.validated_data["reason"])
        return Response(SessionSerializer(session).data)


class PortalScreeningView(PortalView):
    @extend_schema(request=ScreeningAnswersSerializer, responses={201: ScreeningSerializer})
    def post(self, request: Request) -> Response:
        body = ScreeningAnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        screening = services.portal_screening_record(patient=self.patient, answers=body.validated_data)
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)


class PortalSignRequestSerializer(SignRequestSerializer):
    """The desk's signature body without `document` (it is in the path)."""

    document = None
    # Plain text checked here: a second enum of the same codes would collide in the schema's names.
    language = serializers.CharField(required=False, allow_null=True, default=None, max_length=2,
                                     help_text="en, tr, ar, es or de; none: the patient's own")

    def validate_language(self, value: str | None) -> str | None:
        if value is not None and value not in LANGUAGES:
            raise serializers.ValidationError(gettext("Unknown language %(value)s: use %(languages)s.")
                                              % {"value": value, "languages": ", ".join(LANGUAGES)})
        return value


class PortalConsentSignView(PortalView):
    @extend_schema(request=PortalSignRequestSerializer, responses={201: SignatureSerializer})
    def post(self, request: Request, document_id: str) -> Response:
        document_pk = id_from(document_id)
        document = ConsentDocument.objects.filter(pk=document_pk).first() if document_pk else None
        if document is None:
            raise NotFound()
        body = PortalSignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        signature = services.portal_consent_sign(
            patient=self.patient, document=document, signed_name=data["signed_name"], agree=data["agree"],
            language=data["language"], ip=client_ip_address(request), user_agent=request.headers.get("User-Agent", ""))
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)
