"""JSON API of the standard photographs (api-contract.md, "Measurements and photos"). Thin: check
the role, read the upload, call the service or a selector, serialize.

Photos are clinical data and the most sensitive a clinic holds: doctors and admins only (the
front desk gets 403 `forbidden` before any id is looked up). Every list and every image served is
written to the access log (PatientAccess.What.PHOTOS). The bytes never have a public URL: they
are read from the private storage and streamed with `Cache-Control: private, no-store`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.serializers import django_errors
from clinic.api.viewsets import SafeLookupMixin
from clinic.ids import id_from
from clinic.middleware import NO_STORE
from clinic.roles import Role
from patients.booking.models import Session
from patients.registry import services as registry
from patients.registry.models import Patient, PatientAccess

from . import photo_selectors, photos
from .photo_models import Photo, View
from .uploads import limit_photo_uploads, too_large_message, upload_too_large


class PhotoSerializer(serializers.ModelSerializer):
    taken_on = serializers.DateField(read_only=True, help_text="The visit's date at its location")
    day = serializers.IntegerField(read_only=True, help_text="Days since the course's anchor")
    course = serializers.IntegerField(source="session.course_id", read_only=True)
    image = serializers.SerializerMethodField(help_text="Where doctors and admins fetch the bytes (not public)")

    class Meta:
        model = Photo
        fields = ["id", "session", "course", "view", "taken_on", "day", "width", "height", "format", "size",
                  "taken_at", "taken_by", "image"]
        read_only_fields = fields

    def get_image(self, photo: Photo) -> str:
        return reverse("photo-image", args=[photo.pk])


class PhotoUploadSerializer(serializers.Serializer):
    view = serializers.ChoiceField(choices=View.choices)
    image = serializers.FileField(help_text="JPEG or PNG, at most 20 MB, at least 800 px on the short side")


def _annotated(photo: Photo) -> Photo:
    return photo_selectors.photos_of_patient(photo.session.patient_id).get(pk=photo.pk)


class SessionPhotosView(SafeLookupMixin, generics.GenericAPIView):
    """POST (multipart: `view`, `image`): 201 the stored photo, cleaned of EXIF and GPS.
    GET: the visit's photos (a paginated list)."""

    read_role = Role.DOCTOR
    write_role = Role.DOCTOR
    queryset = Session.objects.select_related("location", "patient")
    serializer_class = PhotoSerializer
    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication: the session's CSRF check reads the body, with these limits.
        limit_photo_uploads(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(responses={200: PhotoSerializer(many=True)})
    def get(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        rows = photo_selectors.photos_of_patient(session.patient_id).filter(session=session)
        page = self.paginate_queryset(rows)
        registry.patient_access_record(request=request, patients=[session.patient_id],
                                       what=PatientAccess.What.PHOTOS)
        return self.get_paginated_response(PhotoSerializer(page, many=True).data)

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer})
    def post(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        data, files = request.data, request.FILES
        if upload_too_large(request._request):
            raise ValidationError({"image": [too_large_message()]})
        uploads = files.getlist("image")
        if len(uploads) > 1:
            raise ValidationError({"image": [_("Send one photo per request.")]})
        try:
            photo = photos.photo_add(session=session, view=data.get("view"),
                                     upload=uploads[0] if uploads else None, by=request.user)
        except DjangoValidationError as error:
            raise django_errors(error) from None
        return Response(PhotoSerializer(_annotated(photo)).data, status=201)


class PatientPhotosView(SafeLookupMixin, generics.GenericAPIView):
    """GET /patients/{id}/photos/: every photo of the patient, oldest visit first (`?view=`,
    `?session=` narrow it)."""

    read_role = Role.DOCTOR
    write_role = Role.DOCTOR
    queryset = Patient.objects.all()
    serializer_class = PhotoSerializer

    @extend_schema(parameters=[OpenApiParameter("view", str, enum=View.values),
                               OpenApiParameter("session", int)],
                   responses={200: PhotoSerializer(many=True)})
    def get(self, request: Request, pk: str) -> Response:
        patient = self.get_object()
        rows = photo_selectors.photos_of_patient(patient.pk).select_related("session")
        view, session = request.query_params.get("view"), request.query_params.get("session")
        if view is not None:
            if view not in View.values:
                raise ValidationError({"view": [photos.view_refusal(view)]})
            rows = rows.filter(view=view)
        if session is not None:
            if id_from(session) is None:
                raise ValidationError({"session": [_("A session is an id.")]})
            rows = rows.filter(session_id=id_from(session))
        page = self.paginate_queryset(rows)
        registry.patient_access_record(request=request, patients=[patient.pk], what=PatientAccess.What.PHOTOS)
        return self.get_paginated_response(PhotoSerializer(page, many=True).data)


def photo_response(photo: Photo) -> FileResponse:
    """The stored bytes, private and never cached, shown inline under a name that says nothing."""
    response = FileResponse(photos.photo_bytes(photo), content_type=photo.content_type,
                            filename=f"photo-{photo.pk}.{'jpg' if photo.format == 'jpeg' else 'png'}")
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PhotoImageView(SafeLookupMixin, generics.GenericAPIView):
    """GET /photos/{id}/image/: the photo's bytes (JPEG or PNG), to doctors and admins only."""

    read_role = Role.DOCTOR
    write_role = Role.ADMIN
    queryset = Photo.objects.select_related("session")

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # An image client's Accept (image/jpeg) matches no JSON renderer: answer anyway, errors as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
                              (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, pk: str) -> FileResponse:
        photo = self.get_object()
        try:
            response = photo_response(photo)
        except FileNotFoundError:
            raise NotFound() from None
        registry.patient_access_record(request=request, patients=[photo.session.patient_id],
                                       what=PatientAccess.What.PHOTOS)
        return response
