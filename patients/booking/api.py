"""JSON API for courses, sessions and reminders (api-contract.md, "Courses", "Sessions", "Reminders").
Thin: validate the body, call a booking service, serialize the result."""

from __future__ import annotations

from functools import cache

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.renderers import FHIRJSONRenderer, FHIRNegotiation
from clinic.api.serializers import PlainReadSerializer
from clinic.api.viewsets import APIView, ReadOnlyModelViewSet, SafeLookupMixin
from clinic.ids import id_from
from clinic.models import Location, Practitioner
from clinic.roles import Role
from patients.booking import services as booking
from patients.booking.feeds import calendar_feed_rotate
from patients.booking.fhir import course_fhir_json
from patients.booking.reschedule import session_reschedule
from patients.booking.status import course_cancel, session_cancel, session_set_status
from patients.models import Course, Patient, PatientAccess, Session
from patients.records.api import session_record_get, session_record_post
from patients.records.serializers import RecordRequestSerializer, SessionRecordSerializer
from patients.registry.api import AccessLoggedMixin
from patients.registry.services import patient_access_record


class LocalDateTimeField(serializers.DateTimeField):
    """Accepts ISO 8601 with or without an offset. Without one, the value stays naive: it means
    wall-clock time at the location, which only the booking service knows."""

    def enforce_timezone(self, value):
        return value


class SessionSerializer(PlainReadSerializer):
    class Meta:
        model = Session
        fields = [
            "id",
            "course",
            "patient",
            "location",
            "number",
            "kind",
            "start",
            "end",
            "practitioner",
            "room",
            "status",
            "window_earliest",
            "window_latest",
            "sequence",
            "override_reason",
            "cancel_reason",
        ]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "patient",
            "protocol",
            "protocol_version",
            "location",
            "status",
            "anchor_date",
            "surgery_date",
            "cancel_reason",
            "created_at",
            "sessions",
        ]
        read_only_fields = fields


class PinnedSessionSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=52)
    start = LocalDateTimeField()


class CourseRequestSerializer(serializers.Serializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.all())
    protocol = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    practitioner = serializers.PrimaryKeyRelatedField(
        queryset=Practitioner.objects.all(), required=False, allow_null=True
    )
    start = LocalDateTimeField()
    surgery_date = serializers.DateField(required=False, allow_null=True)
    sessions = PinnedSessionSerializer(many=True, required=False)

    def validate_protocol(self, value: int):
        from protocols.models import Protocol

        protocol = Protocol.objects.filter(pk=value).prefetch_related("sessions").first()
        if protocol is None:
            raise serializers.ValidationError(_('Invalid pk "%(pk)s" - object does not exist.') % {"pk": value})
        return protocol

    def validate_sessions(self, value: list[dict]) -> list[dict]:
        numbers = [item["number"] for item in value]
        if len(set(numbers)) != len(numbers):
            raise serializers.ValidationError(_("A session number is pinned twice."))
        return value

    def service_kwargs(self) -> dict:
        data = self.validated_data
        return {
            "patient": data["patient"],
            "protocol": data["protocol"],
            "location": data["location"],
            "start": data["start"],
            "practitioner": data.get("practitioner"),
            "surgery_date": data.get("surgery_date"),
            "pinned": {item["number"]: item["start"] for item in data.get("sessions", [])},
        }


def _planned(session) -> dict:
    return {
        "number": session.number,
        "kind": session.kind,
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "practitioner": session.practitioner,
        "room": session.room,
        "window_earliest": session.window_earliest.isoformat(),
        "window_latest": session.window_latest.isoformat(),
    }


class CourseFilter(django_filters.FilterSet):
    class Meta:
        model = Course
        fields = ["patient", "status", "location", "protocol"]


class CourseViewSet(
    AccessLoggedMixin,
    SafeLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Book a whole series in one transaction, preview it, read and cancel courses."""

    access_what = PatientAccess.What.COURSE
    queryset = (
        Course.objects.select_related("patient", "protocol", "location").prefetch_related("sessions").order_by("-id")
    )
    serializer_class = CourseSerializer
    filterset_class = CourseFilter

    def get_queryset(self):
        if self.action == "fhir":
            sessions = Session.objects.select_related("practitioner", "room", "location")
            return self.queryset.prefetch_related(None).prefetch_related(Prefetch("sessions", queryset=sessions))
        return self.queryset

    @extend_schema(request=CourseRequestSerializer, responses={201: CourseSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = CourseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        course, warnings = booking.course_book(**body.service_kwargs(), by=request.user)
        course = self.get_queryset().get(pk=course.pk)
        return Response({**CourseSerializer(course).data, "warnings": warnings}, status=status.HTTP_201_CREATED)

    @extend_schema(request=CourseRequestSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        body = CourseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan, warnings = booking.course_preview(**body.service_kwargs())
        return Response(
            {
                "sessions": [_planned(s) for s in plan.sessions],
                "conflicts": booking.conflicts_body(plan.conflicts),
                "warnings": warnings,
            }
        )

    @extend_schema(responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], renderer_classes=[FHIRJSONRenderer],
            content_negotiation_class=FHIRNegotiation)
    def fhir(self, request: Request, pk=None) -> Response:
        """The course as an HL7 FHIR R4 Bundle: Patient, CarePlan and one Appointment per session."""
        course = self.get_object()
        patient_access_record(request=request, patients=[course.patient_id], what=self.access_what)
        return Response(course_fhir_json(course, now=timezone.now()))

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        course = self.get_object()
        reason = _reason(request)
        course_cancel(course=course, reason=reason, by=request.user)
        return Response(CourseSerializer(self.get_queryset().get(pk=course.pk)).data)


def _reason(request: Request, field: str = "reason", required: bool = False) -> str:
    value = request.data.get(field, "") if hasattr(request.data, "get") else ""
    if not isinstance(value, str):
        raise serializers.ValidationError({field: [_("Must be text.")]})
    if len(value) > 2000:
        raise serializers.ValidationError({field: [_("At most 2000 characters.")]})
    if required and not value.strip():
        raise serializers.ValidationError({field: [_("Say why.")]})
    return value.strip()


class SessionFilter(django_filters.FilterSet):
    start_after = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    start_before = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Session
        fields = ["practitioner", "room", "location", "patient", "status", "course"]


class RescheduleSerializer(serializers.Serializer):
    start = LocalDateTimeField()
    practitioner = serializers.PrimaryKeyRelatedField(
        queryset=Practitioner.objects.all(), required=False, allow_null=True
    )
    cascade = serializers.BooleanField(default=True)
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["confirmed", "arrived", "completed", "no_show"])


@cache
def _session_columns() -> list[str]:
    return SessionSerializer().attnames


class SessionViewSet(AccessLoggedMixin, ReadOnlyModelViewSet):
    """Sessions: read with filters; reschedule (with or without cascade), change status, cancel."""

    access_what = PatientAccess.What.SESSION
    queryset = Session.objects.order_by("start", "id")
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    action_roles = {"record_create": Role.DOCTOR}

    def get_queryset(self):
        if self.action == "list":
            # Plain rows of what the list shows: model instances cost more than their JSON.
            return self.queryset.values(*_session_columns())
        # The actions on one session read and change its course.
        return self.queryset.select_related("course")

    def patient_of(self, obj) -> int:
        return obj["patient_id"] if isinstance(obj, dict) else obj.patient_id

    @extend_schema(request=RescheduleSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk=None) -> Response:
        session = self.get_object()
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        session, moved, warnings = session_reschedule(
            session=session,
            start=data["start"],
            practitioner=data.get("practitioner"),
            cascade=data["cascade"],
            override_reason=data.get("override_reason", ""),
            by=request.user,
        )
        return Response(
            {
                "session": SessionSerializer(session).data,
                "moved": SessionSerializer(moved, many=True).data,
                "warnings": warnings,
            }
        )

    @extend_schema(request=StatusSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk=None) -> Response:
        session = self.get_object()
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = session_set_status(session=session, status=body.validated_data["status"], by=request.user)
        return Response(SessionSerializer(session).data)

    @extend_schema(responses={200: SessionRecordSerializer})
    @action(detail=True, methods=["get"], url_path="record")
    def record(self, request: Request, pk=None) -> Response:
        """What was given at the visit (patients.records); the desk reads its summary."""
        return session_record_get(request, self.get_object())

    @extend_schema(request=RecordRequestSerializer, responses={201: SessionRecordSerializer})
    @record.mapping.post
    def record_create(self, request: Request, pk=None) -> Response:
        """Record the visit (doctors and admins): the session becomes completed."""
        return session_record_post(request, self.get_object())

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        session = self.get_object()
        session = session_cancel(session=session, reason=_reason(request), by=request.user, now=timezone.now())
        return Response(SessionSerializer(session).data)




class PractitionerCalendarFeedView(APIView):
    """POST: the practitioner's calendar feed gets a new URL (made if it had none), 201 {"url"}.
    The URL is in this answer only: Anagen keeps a hash of its token (patients.booking.feeds)."""

    write_role = Role.ADMIN

    @extend_schema(request=None, responses={201: inline_serializer("CalendarFeedUrl", {"url": serializers.URLField()})})
    def post(self, request: Request, pk: str) -> Response:
        if id_from(pk) is None:
            raise NotFound()
        practitioner = get_object_or_404(Practitioner, pk=id_from(pk))
        url = calendar_feed_rotate(practitioner=practitioner, by=request.user, now=timezone.now())
        return Response({"url": url}, status=status.HTTP_201_CREATED)
