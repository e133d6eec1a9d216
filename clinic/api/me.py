from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.viewsets import APIView
from clinic.roles import role_of


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True)


class MeView(APIView):
    """The authenticated staff user and their role: lets an outside system check its token."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        role = role_of(user)
        return Response({"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username,
                         "role": role.label if role else None})
