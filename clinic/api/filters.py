"""Query-parameter filters that do what the schema says: a value of the wrong type is a 400
`invalid` naming the parameter, never silently ignored.

django-filter reads a boolean it cannot parse (`?active=null`) as "no filter", and a related id
as a choice that must exist (`?location=99` a 400, though the schema calls any integer valid).
Here a boolean is `true` or `false` (also `1`/`0`, any case), an id is a positive integer that
filters (an unknown one matches nothing), and every FilterSet gets these rules, whether a view
names `filterset_fields` or its own `django_filters.FilterSet`: ContractFilterBackend (the API's
DEFAULT_FILTER_BACKENDS) derives a ContractFilterSet from whatever the view declares.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from django_filters.rest_framework import filters as rest_framework_filters
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`); nothing or an empty value means "no filter"."""

    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class IntegerFilter(filters.NumberFilter):
    """A whole number (`min_value`/`max_value` bound it, and the schema says so); 1.5 is a 400."""

    field_class = forms.IntegerField


class IdField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.Filter):
    """A related object's id; an id nothing has filters to nothing, as any other value would."""

    field_class = IdField


# The filters replaced (exactly these classes: a subclass keeps its own behaviour), by what.
_STRICT: dict[type, type] = {
    filters.BooleanFilter: StrictBooleanFilter,
    rest_framework_filters.BooleanFilter: StrictBooleanFilter,
    filters.ModelChoiceFilter: IdFilter,
}
# The extra arguments the replacement's form field still takes.
_KEPT_EXTRA = {"required", "help_text"}


def _by_integer_id(filter_: filters.Filter) -> bool:
    """A choice of related objects by their integer primary key (not by another field, a code)."""
    queryset = filter_.extra.get("queryset")
    if filter_.extra.get("to_field_name") not in (None, "pk", "id") or not hasattr(queryset, "model"):
        return False
    return isinstance(queryset.model._meta.pk, (models.AutoField, models.IntegerField))


def _strict(filter_: filters.Filter) -> filters.Filter:
    replacement = _STRICT.get(type(filter_))
    if replacement is None or (replacement is IdFilter and not _by_integer_id(filter_)):
        return filter_
    strict = copy.deepcopy(filter_)
    strict.__class__ = replacement
    strict.extra = {key: value for key, value in filter_.extra.items() if key in _KEPT_EXTRA}
    return strict


class ContractFilterSet(FilterSet):
    """A FilterSet whose booleans and related ids are strict (module docstring)."""

    @classmethod
    def get_filters(cls) -> dict[str, filters.Filter]:
        return {name: _strict(filter_) for name, filter_ in super().get_filters().items()}

    def get_form_class(self) -> type[forms.Form]:
        # The filters are the class's: so is the form. django-filter makes a new form class on
        # every request; Django's forms copy a class's fields for each form they make.
        return _form_class(type(self))


@cache
def _form_class(filterset_class: type[ContractFilterSet]) -> type[forms.Form]:
    return super(ContractFilterSet, filterset_class()).get_form_class()


@cache
def contract_filterset(filterset_class: type[FilterSet]) -> type[FilterSet]:
    """The view's own FilterSet with ContractFilterSet's rules (made once per class)."""
    if issubclass(filterset_class, ContractFilterSet):
        return filterset_class
    return type(filterset_class.__name__, (ContractFilterSet, filterset_class), {
        "__module__": filterset_class.__module__, "__doc__": filterset_class.__doc__})


class ContractFilterBackend(DjangoFilterBackend):
    filterset_base = ContractFilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        return contract_filterset(filterset_class) if filterset_class else None
