"""The screenings API (read-only; overrides and review requests are actions)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.viewsets import ReadOnlyModelViewSet
from clinic.roles import Role
from patients.models import PatientAccess, Screening
from patients.registry.api import AccessLoggedMixin
from patients.screening import selectors, services
from patients.screening.serializers import OverrideRequestSerializer, ScreeningSerializer

NEEDS_REVIEW_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class ScreeningViewSet(AccessLoggedMixin, ReadOnlyModelViewSet):
    """Screenings; a doctor overrides one's hard stops with `POST {id}/override/ {"reason",
    "protocols" (optional)}`. `?needs_review=true` is the doctors' queue (hard stops, no override,
    oldest first); `false` everything else."""

    access_what = PatientAccess.What.SCREENING
    serializer_class = ScreeningSerializer
    read_role = Role.RECEPTIONIST
    write_role = Role.DOCTOR
    action_roles = {"override": Role.DOCTOR, "review_request": Role.RECEPTIONIST}
    filterset_fields = ["patient"]

    def get_queryset(self) -> QuerySet[Screening]:
        everything = Screening.objects.select_related(*selectors.SCREENING_RELATED).order_by("-taken_at", "-id")
        if self.action != "list" or "needs_review" not in self.request.query_params:
            return everything
        wanted = NEEDS_REVIEW_VALUES.get(self.request.query_params["needs_review"].strip().lower())
        if wanted is None:
            raise ValidationError({"needs_review": [_("Use true or false.")]})
        queue = selectors.screenings_needing_review()
        return queue if wanted else everything.exclude(pk__in=queue.values("pk"))

    @extend_schema(parameters=[OpenApiParameter("needs_review", bool, description="The doctors' queue: hard "
                                                "stops and no override, oldest first")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=OverrideRequestSerializer, responses={200: ScreeningSerializer})
    @action(detail=True, methods=["post"])
    def override(self, request: Request, pk: str | None = None) -> Response:
        screening = self.get_object()
        body = OverrideRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.screening_override(screening=screening, reason=body.validated_data["reason"],
                                    protocols=body.validated_data.get("protocols"), by=request.user)
        screening = self.get_queryset().get(pk=screening.pk)
        return Response(ScreeningSerializer(screening).data)

    @extend_schema(request=None, responses={200: ScreeningSerializer})
    @action(detail=True, methods=["post"], url_path="review-request")
    def review_request(self, request: Request, pk: str | None = None) -> Response:
        """Ask a doctor to review this screening's hard stops (it is flagged in their queue)."""
        screening = self.get_object()
        services.screening_review_request(screening=screening, by=request.user)
        return Response(ScreeningSerializer(self.get_queryset().get(pk=screening.pk)).data)
