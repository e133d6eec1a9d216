"""Staff forms for the clinic set-up: crispy Bootstrap 5 forms, errors next to the fields.

Weekly hours are edited as seven small formsets (one per weekday, several rows each, a day
with no rows is closed) and stored in the contract's JSON list shape.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .hours import (
    ROUTES,
    SOURCE_CATEGORIES,
    WEEKDAYS,
    country_choices,
    hhmm,
    minutes_of,
    parse_hours,
    parse_offset,
    subdivisions_of,
    timezone_choices,
    validate_offsets,
)
from .models import Closure, Location, Practitioner, Room

SOURCE_LABELS = {
    "autologous": gettext_lazy("Autologous (patient's own blood or fat)"),
    "allogeneic_human": gettext_lazy("Allogeneic human (MSC and other donor cells)"),
    "plant": gettext_lazy("Plant (e.g. rose)"),
    "animal": gettext_lazy("Animal"),
}
ROUTE_LABELS = {"injection": gettext_lazy("Injection"), "topical": gettext_lazy("Topical")}
SLOT_MINUTES = (5, 10, 15, 20, 30, 60)
LOCATION_CHOICE = gettext_lazy("Choose a location…")


def slot_choices() -> list[tuple[int, str]]:
    """The booking grid's choices in the page's language: (15, "15 minutes")."""
    return [(m, ngettext("%(count)d minute", "%(count)d minutes", m) % {"count": m}) for m in SLOT_MINUTES]
MAX_ROWS_PER_DAY = 6
LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _helper(*fields: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


# --- weekly hours --------------------------------------------------------------------------------


class HoursRowForm(forms.Form):
    """One opening interval of a day: opens and closes, HH:MM; closes may be 24:00."""

    opens = forms.CharField(required=False, max_length=5, strip=True)
    closes = forms.CharField(required=False, max_length=5, strip=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if not opens and not closes:
            return data
        parsed: dict[str, int] = {}
        for name, value in (("opens", opens), ("closes", closes)):
            if not value:
                self.add_error(name, _("Give both times, or leave the row empty."))
                continue
            try:
                parsed[name] = minutes_of(value)
            except ValueError as error:
                self.add_error(name, str(error))
        if len(parsed) == 2:
            if parsed["opens"] == 24 * 60:
                self.add_error("opens", _("Opening at 24:00 is not possible."))
            elif parsed["closes"] <= parsed["opens"]:
                message = _("Closes at %(closes)s, before it opens at %(opens)s.")
                self.add_error("closes", message % {"closes": closes, "opens": opens})
        return data

    @property
    def span(self) -> tuple[int, int] | None:
        data = getattr(self, "cleaned_data", {})
        if data.get("opens") and data.get("closes"):
            return minutes_of(data["opens"]), minutes_of(data["closes"])
        return None


class DayHoursFormSet(BaseFormSet):
    weekday: int = 0

    def clean(self) -> None:
        if self.is_bound and self.management_form.cleaned_data.get("TOTAL_FORMS", 0) < 0:
            raise ValidationError(_("The rows of this day arrived malformed: reload the page and try again."))
        if any(self.errors):
            return
        spans = sorted(form.span for form in self.forms if form.span)
        for (opens_a, closes_a), (opens_b, closes_b) in zip(spans, spans[1:], strict=False):
            if opens_b < closes_a:
                raise ValidationError(
                    _("%(first)s overlaps %(second)s.")
                    % {"first": f"{hhmm(opens_a)}–{hhmm(closes_a)}", "second": f"{hhmm(opens_b)}–{hhmm(closes_b)}"}
                )


_FORMSET_OPTIONS = {"formset": DayHoursFormSet, "max_num": MAX_ROWS_PER_DAY, "validate_max": True, "absolute_max": 20}
# A day with hours shows just its rows; a closed day one blank row to fill (more with "Add hours").
OpenDayFormSet = formset_factory(HoursRowForm, extra=0, **_FORMSET_OPTIONS)
ClosedDayFormSet = formset_factory(HoursRowForm, extra=1, **_FORMSET_OPTIONS)


class HoursEditor:
    """Seven formsets (Monday..Sunday) over a stored hours list."""

    def __init__(self, *, data: Any = None, hours: Any = None, prefix: str = "hours", label: str = "opening hours"):
        self.prefix = prefix
        self.label = label
        by_day: dict[int, list[dict[str, str]]] = {day: [] for day in range(7)}
        try:
            spans = parse_hours(hours or [])
        except ValidationError:
            spans = []
        for span in spans:
            by_day[span.weekday].append({"opens": hhmm(span.opens), "closes": hhmm(span.closes)})
        self.days: list[tuple[int, str, DayHoursFormSet]] = []
        for day in range(7):
            # Bound, the posted rows are the whole truth: with `initial` as well, Django would skip
            # validating (and so drop) a posted row equal to its initial value.
            initial = None if data is not None else (by_day[day] or None)
            factory = OpenDayFormSet if by_day[day] else ClosedDayFormSet
            formset = factory(data=data, initial=initial, prefix=f"{prefix}-{day}")
            formset.weekday = day
            self.days.append((day, WEEKDAYS[day], formset))

    def is_valid(self) -> bool:
        return all(formset.is_valid() for _, _, formset in self.days)

    def as_json(self) -> list[dict[str, Any]]:
        rows = [
            {"weekday": day, "opens": hhmm(form.span[0]), "closes": hhmm(form.span[1])}
            for day, _, formset in self.days
            for form in formset.forms
            if form.span
        ]
        return sorted(rows, key=lambda row: (row["weekday"], row["opens"]))


class HoursEditingMixin:
    """A ModelForm that also edits one weekly-hours JSON field of its instance."""

    hours_field = "opening_hours"
    hours_label = gettext_lazy("opening hours")

    def _init_hours(self) -> None:
        self.hours = HoursEditor(
            data=self.data if self.is_bound else None,
            hours=getattr(self.instance, self.hours_field),
            prefix="hours",
            label=self.hours_label,
        )

    def _clean_hours(self) -> None:
        if self.hours.is_valid():
            setattr(self.instance, self.hours_field, self.hours.as_json())
        else:
            self.add_error(None, _("Please correct the %(hours)s below.") % {"hours": self.hours_label})


# --- locations ------------------------------------------------------------------------------------


class LocationForm(HoursEditingMixin, forms.ModelForm):
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), help_text=gettext_lazy("The clinic's IANA zone: every time is planned in it.")
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country"), help_text=gettext_lazy("Sets the public holidays the clinic closes on.")
    )
    slot_minutes = forms.TypedChoiceField(
        choices=[(m, str(m)) for m in SLOT_MINUTES], coerce=int, label=gettext_lazy("Booking grid"),
        help_text=gettext_lazy("Sessions start on multiples of this many minutes after midnight."),
    )
    reminder_offsets = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Reminders before a session"),
        help_text=gettext_lazy(
            "Comma-separated durations, e.g. 7d, 24h (m = minutes, h = hours, d = days, w = weeks)."
        ),
    )

    class Meta:
        model = Location
        fields = ["name", "address", "phone", "timezone", "country", "subdivision", "observe_public_holidays",
                  "slot_minutes", "reminder_offsets", "change_notice_hours"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "name": gettext_lazy("Name"), "address": gettext_lazy("Address"), "phone": gettext_lazy("Phone"),
            "subdivision": gettext_lazy("Region (subdivision)"),
            "observe_public_holidays": gettext_lazy("Closed on public holidays"),
            "change_notice_hours": gettext_lazy("Notice for changes online (hours)"),
        }
        help_texts = {
            "phone": gettext_lazy("The number patients call, e.g. +90 212 555 01 23"),
            "change_notice_hours": gettext_lazy(
                "Patients may move or cancel a session online until this many hours before it"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = timezone_choices()
        current = self.instance.timezone if self.instance.pk else ""
        if current and current not in dict(zones):
            zones = [(current, current), *zones]
        self.fields["timezone"].choices = [("", _("Choose a time zone…")), *zones]
        countries = [(c, f"{n} ({c})") for c, n in country_choices()]
        self.fields["country"].choices = [("", _("Choose a country…")), *countries]
        self.fields["slot_minutes"].choices = slot_choices()
        known = subdivisions_of(self.instance.country) if self.instance.country else []
        help_text = _("Optional: the region whose holidays also apply, e.g. MD for Madrid.") + " "
        if known:
            help_text += _("Known for %(country)s: %(known)s.") % {
                "country": self.instance.country, "known": ", ".join(known[:25])
            }
        self.fields["subdivision"].help_text = help_text
        offsets = self.instance.reminder_offsets if self.instance.pk else list(settings.REMINDER_OFFSETS)
        self.initial["reminder_offsets"] = ", ".join(offsets or [])
        policy = self.instance.route_policy or {}
        for category in SOURCE_CATEGORIES:
            for route in ROUTES:
                self.fields[f"route__{category}__{route}"] = forms.BooleanField(
                    required=False, initial=route in policy.get(category, []),
                    label=f"{SOURCE_LABELS[category]}: {ROUTE_LABELS[route]}",
                )
        # Optional on the form: left empty, the location keeps (or gets) the default notice.
        notice = self.fields["change_notice_hours"]
        notice.required, notice.min_value = False, 0
        self._init_hours()
        self.helper = _helper(
            "name", "address", "phone",
            Div(Div(Field("timezone"), css_class="col-md-6"), Div(Field("country"), css_class="col-md-6"),
                css_class="row"),
            Div(Div(Field("subdivision"), css_class="col-md-6"), Div(Field("slot_minutes"), css_class="col-md-6"),
                css_class="row"),
            "observe_public_holidays", "reminder_offsets", "change_notice_hours",
        )

    @property
    def route_grid(self) -> list[tuple[str, list[Any]]]:
        """(category label, [bound checkbox per route]) for the policy table."""
        return [(SOURCE_LABELS[c], [self[f"route__{c}__{r}"] for r in ROUTES]) for c in SOURCE_CATEGORIES]

    @property
    def route_labels(self) -> list[str]:
        return [ROUTE_LABELS[r] for r in ROUTES]

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def clean_change_notice_hours(self) -> int:
        value = self.cleaned_data.get("change_notice_hours")
        if value is None:
            return self.instance.change_notice_hours if self.instance.pk else Location._meta.get_field(
                "change_notice_hours").default
        return value

    def clean_subdivision(self) -> str:
        return self.cleaned_data.get("subdivision", "").upper()

    def clean_reminder_offsets(self) -> list[str]:
        values = [v for v in re.split(r"[,\s]+", self.cleaned_data.get("reminder_offsets", "")) if v]
        try:
            validate_offsets(values)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return sorted(values, key=parse_offset, reverse=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.instance.route_policy = {
            category: [route for route in ROUTES if data.get(f"route__{category}__{route}")]
            for category in SOURCE_CATEGORIES
        }
        self._clean_hours()
        return data

    def service_data(self) -> dict[str, Any]:
        fields = [*self.Meta.fields, "opening_hours", "route_policy"]
        return {name: getattr(self.instance, name) for name in fields}


# --- practitioners and rooms ----------------------------------------------------------------------


class PractitionerForm(HoursEditingMixin, forms.ModelForm):
    hours_field = "working_hours"
    hours_label = gettext_lazy("working hours")

    class Meta:
        model = Practitioner
        fields = ["name", "email", "location", "kind", "active"]
        labels = {
            "name": gettext_lazy("Name"), "email": gettext_lazy("Email"), "location": gettext_lazy("Location"),
            "kind": gettext_lazy("Role"), "active": gettext_lazy("Active (offered for new bookings)"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].empty_label = LOCATION_CHOICE
        self._init_hours()
        self.helper = _helper(
            Div(Div(Field("name"), css_class="col-md-6"), Div(Field("email"), css_class="col-md-6"), css_class="row"),
            Div(Div(Field("location"), css_class="col-md-6"), Div(Field("kind"), css_class="col-md-6"),
                css_class="row"),
            "active",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_hours()
        return data

    def service_data(self) -> dict[str, Any]:
        return {name: getattr(self.instance, name) for name in [*self.Meta.fields, "working_hours"]}


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "location", "active"]
        labels = {
            "name": gettext_lazy("Name"), "location": gettext_lazy("Location"),
            "active": gettext_lazy("Active (offered for new bookings)"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].empty_label = LOCATION_CHOICE
        self.helper = _helper("name", "location", "active")

    def service_data(self) -> dict[str, Any]:
        return {name: getattr(self.instance, name) for name in self.Meta.fields}


# --- closures ------------------------------------------------------------------------------------


class ClosureForm(forms.ModelForm):
    """Start and end are typed in the location's local time."""

    start = forms.DateTimeField(
        input_formats=LOCAL_INPUT_FORMATS, label=gettext_lazy("From (local time at the location)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end = forms.DateTimeField(
        input_formats=LOCAL_INPUT_FORMATS, label=gettext_lazy("Until (local time at the location)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Closure
        fields = ["location", "practitioner", "start", "end", "reason"]
        labels = {
            "location": gettext_lazy("Location"), "practitioner": gettext_lazy("Only this practitioner"),
            "reason": gettext_lazy("Reason"),
        }
        help_texts = {"practitioner": gettext_lazy("Leave empty to close the whole location.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].empty_label = LOCATION_CHOICE
        self.fields["practitioner"].empty_label = _("The whole location")
        self.fields["practitioner"].queryset = Practitioner.objects.select_related("location").order_by(
            "location__name", "name"
        )
        self.fields["practitioner"].label_from_instance = lambda p: f"{p.name} ({p.location.name})"
        if self.instance.pk:
            zone = ZoneInfo(self.instance.location.timezone)
            for name in ("start", "end"):
                self.initial[name] = getattr(self.instance, name).astimezone(zone).replace(tzinfo=None)
        self.helper = _helper(
            Div(Div(Field("location"), css_class="col-md-6"), Div(Field("practitioner"), css_class="col-md-6"),
                css_class="row"),
            Div(Div(Field("start"), css_class="col-md-6"), Div(Field("end"), css_class="col-md-6"), css_class="row"),
            "reason",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        location = data.get("location")
        if location is None:
            return data
        zone = ZoneInfo(location.timezone)
        for name in ("start", "end"):
            value = data.get(name)
            if value is None:
                continue
            # The field read the digits as UTC (the server's zone); they were the location's.
            wall_clock = timezone.make_naive(value, UTC)
            try:
                data[name] = wall_clock.replace(tzinfo=zone).astimezone(UTC)
            except (OverflowError, ValueError):
                self.add_error(name, _("This date is out of range."))
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The closure must end after it starts."))
        return data

    def service_data(self) -> dict[str, Any]:
        return {name: getattr(self.instance, name) for name in self.Meta.fields}
