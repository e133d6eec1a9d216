"""/api/v1/locations/, practitioners/, rooms/, closures/: every role reads, admins write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.routers import SimpleRouter

from clinic import selectors, services
from clinic.api.serializers import (
    ClosureListSerializer,
    ClosureSerializer,
    LocationSerializer,
    PractitionerSerializer,
    RoomSerializer,
    StrictJSONParser,
    django_errors,
)
from clinic.api.viewsets import ModelViewSet
from clinic.models import Closure, Location
from clinic.roles import Role


class SetupViewSet(ModelViewSet):
    """Reads for every staff role (receptionists book with them); writes for admins only.
    Writes go through the services, which run the models' full validation."""

    read_role = Role.RECEPTIONIST
    write_role = Role.ADMIN
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    delete_service: Callable[..., None]
    instance_name: str

    def _call(self, service: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except DjangoValidationError as error:
            raise django_errors(error) from None

    def perform_create(self, serializer) -> None:
        serializer.instance = self._call(type(self).create_service, data=serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = self._call(
            type(self).update_service, **{self.instance_name: serializer.instance, "data": serializer.validated_data}
        )

    def perform_destroy(self, instance) -> None:
        type(self).delete_service(**{self.instance_name: instance})


class LocationViewSet(SetupViewSet):
    serializer_class = LocationSerializer
    filterset_fields = ["country", "observe_public_holidays"]
    create_service = services.location_create
    update_service = services.location_update
    delete_service = services.location_delete
    instance_name = "location"

    def get_queryset(self):
        return Location.objects.order_by("name", "id")


class PractitionerViewSet(SetupViewSet):
    serializer_class = PractitionerSerializer
    filterset_fields = ["location", "kind", "active"]
    create_service = services.practitioner_create
    update_service = services.practitioner_update
    delete_service = services.practitioner_delete
    instance_name = "practitioner"

    def get_queryset(self):
        return selectors.practitioners_list()


class RoomViewSet(SetupViewSet):
    serializer_class = RoomSerializer
    filterset_fields = ["location", "active"]
    create_service = services.room_create
    update_service = services.room_update
    delete_service = services.room_delete
    instance_name = "room"

    def get_queryset(self):
        return selectors.rooms_list()


class ClosureFilter(django_filters.FilterSet):
    ends_after = django_filters.IsoDateTimeFilter(field_name="end", lookup_expr="gt", label="Ends after (instant)")
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="start", lookup_expr="lt", label="Starts before (instant)"
    )
    whole_location = django_filters.BooleanFilter(
        field_name="practitioner", lookup_expr="isnull", label="Only closures of the whole location"
    )

    class Meta:
        model = Closure
        fields = ["location", "practitioner"]


class ClosureViewSet(SetupViewSet):
    filterset_class = ClosureFilter
    create_service = services.closure_create
    update_service = services.closure_update
    delete_service = services.closure_delete
    instance_name = "closure"

    def get_queryset(self):
        return selectors.closures_list()

    def get_serializer_class(self):
        # The list leaves out affected_sessions: one query per closure is for single answers.
        return ClosureListSerializer if self.action == "list" else ClosureSerializer


router = SimpleRouter()
router.register("locations", LocationViewSet, basename="location")
router.register("practitioners", PractitionerViewSet, basename="practitioner")
router.register("rooms", RoomViewSet, basename="room")
router.register("closures", ClosureViewSet, basename="closure")

urlpatterns = router.urls
