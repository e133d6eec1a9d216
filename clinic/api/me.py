from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.viewsets import APIView
from clinic.languages import LANGUAGE_CODES, staff_language, staff_language_set
from clinic.roles import role_of


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    language = serializers.ChoiceField(
        choices=LANGUAGE_CODES, help_text="The language of the user's pages: their own choice, else their browser's."
    )
    language_chosen = serializers.BooleanField(help_text="False while the user follows their browser's language.")


class MeUpdateSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=LANGUAGE_CODES, allow_null=True, allow_blank=True, required=False,
        help_text="The user's own language for pages and API messages; null or \"\" to follow the browser.",
    )


class MeView(APIView):
    """The authenticated staff user, their role and language: lets an outside system check its token."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(self._me(request))

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "language" in serializer.validated_data:  # PATCH: what is not sent stays as it is
            try:
                staff_language_set(user=request.user, language=serializer.validated_data["language"])
            except ValidationError as error:
                raise serializers.ValidationError(error.message_dict) from None
        return Response(self._me(request))

    def _me(self, request: Request) -> dict:
        user = request.user
        role = role_of(user)
        chosen = staff_language(user)
        return {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username,
                "role": role.label if role else None, "language": chosen or get_language(),
                "language_chosen": bool(chosen)}
