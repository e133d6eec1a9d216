"""Base viewsets: ids that are not ids are 404, query parameters holding NUL are 400, never a 500."""

from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import DataError
from rest_framework import exceptions, mixins, views, viewsets
from rest_framework.exceptions import NotFound

from clinic.api.renderers import JSONErrorsMixin
from clinic.ids import id_from
from clinic.languages import activate_staff_language


class AuditContextMixin:
    """Token-authenticated users are known only once DRF has authenticated them: name them in
    the audit context then, so every change an API call makes carries its author."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user and request.user.is_authenticated:
            pghistory.context(user=request.user.pk, url=request.path, method=request.method)
            if request.auth is not None:
                # A token caller: the page middleware saw no user; messages in their own language.
                activate_staff_language(request, request.user)


_no_nul = ProhibitNullCharactersValidator()


def check_query_params(params: Any) -> None:
    """Every query parameter, name and value, passes Django's own check for NUL characters, which
    PostgreSQL cannot take in any text: one 400 `invalid` naming the parameters, never a 500."""
    errors: dict[str, list[str]] = {}
    for name, values in params.lists():
        for text in (name, *values):
            try:
                _no_nul(text)
            except ValidationError as error:
                errors.setdefault(name.replace("\x00", "") or "query", error.messages)
    if errors:
        raise exceptions.ValidationError(errors)


class QueryParamsMixin(JSONErrorsMixin):
    """Query parameters are checked once for every API view, before any filter or search reads them;
    errors are JSON whatever renders the view's answers."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_params(request.query_params)


class SafeLookupMixin(QueryParamsMixin, AuditContextMixin):
    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if self.lookup_field == "pk" and id_from(lookup) is None:
            raise NotFound()
        try:
            return super().get_object()
        except (ValueError, TypeError, ValidationError, DataError, OverflowError):
            raise NotFound() from None


class ModelViewSet(SafeLookupMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


class ReadOnlyModelViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    pass


class CreateListRetrieveUpdateViewSet(
    SafeLookupMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    pass


class APIView(QueryParamsMixin, AuditContextMixin, views.APIView):
    pass
