"""Forms of the receptionist's booking pages: book a course, move, cancel and re-book sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.models import Location, Practitioner
from clinic.selectors import location_chosen
from patients.models import Patient
from patients.validators import validate_free_text
from protocols.selectors import protocols_allowed_at

REASON_MAX_LENGTH = 2000


class ProtocolSelect(forms.Select):
    """A select whose refused options stay visible, greyed out, with the reason in their label."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disabled_values: set[str] = set()

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int, **kwargs: Any) -> dict:
        option = super().create_option(name, value, label, selected, index, **kwargs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


def location_from(data: Any, initial: dict) -> Location | None:
    """The location the form is about: the one posted, the one in the link, or the first one."""
    return location_chosen((data or {}).get("location") or initial.get("location"), or_first=True)


class CourseBookingForm(forms.Form):
    """Who, what, where, with whom and from when: the input of a course preview and booking."""

    patient = forms.ModelChoiceField(queryset=Patient.objects.order_by("last_name", "first_name", "id"),
                                     label=gettext_lazy("Patient"), empty_label=gettext_lazy("Choose a patient"))
    location = forms.ModelChoiceField(queryset=Location.objects.order_by("name"), empty_label=None,
                                      label=gettext_lazy("Location"))
    protocol = forms.ChoiceField(widget=ProtocolSelect, label=gettext_lazy("Protocol"),
                                 help_text=gettext_lazy("Protocols this location may not book are greyed "
                                                        "out with the reason."))
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.none(), required=False,
                                          label=gettext_lazy("Practitioner"),
                                          empty_label=gettext_lazy("Any practitioner"))
    start_date = forms.DateField(label=gettext_lazy("Wished start (date)"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("Wished start (time at the clinic)"),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    surgery_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                   label=gettext_lazy("Surgery date"),
                                   help_text=gettext_lazy("Only for protocols that count from an FUE/DHI surgery."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location = location_from(self.data if self.is_bound else None, self.initial)
        allowed, refused = protocols_allowed_at(self.location) if self.location else ([], [])
        self.allowed_protocols = {str(p.pk): p for p in allowed}
        self.refused_protocols = {str(p.pk): (p, reason) for p, reason in refused}
        self.fields["protocol"].choices = [
            ("", _("Choose a protocol")),
            *((str(p.pk), f"{p.code} v{p.version} · {p.name}") for p in allowed),
            *((str(p.pk), _("%(code)s v%(version)s · not here: %(reason)s")
               % {"code": p.code, "version": p.version, "reason": reason}) for p, reason in refused),
        ]
        self.fields["protocol"].widget.disabled_values = set(self.refused_protocols)
        if self.location is not None:
            self.fields["location"].initial = self.location.pk
            self.fields["practitioner"].queryset = Practitioner.objects.filter(
                location=self.location, active=True
            ).order_by("name", "id")
            self.fields["start_time"].widget.attrs["step"] = self.location.slot_minutes * 60
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                Div(Field("patient"), css_class="col-md-6"),
                Div(Field("location", **_reload_on_change()), css_class="col-md-6"),
                Div(Field("protocol"), css_class="col-md-6"),
                Div(Field("practitioner"), css_class="col-md-6"),
                Div(Field("start_date"), css_class="col-sm-4"),
                Div(Field("start_time"), css_class="col-sm-4"),
                Div(Field("surgery_date"), css_class="col-sm-4"),
                css_class="row",
            )
        )

    def clean_protocol(self) -> Any:
        value = self.cleaned_data["protocol"]
        if value in self.refused_protocols:
            protocol, reason = self.refused_protocols[value]
            raise forms.ValidationError(_("%(code)s cannot be booked here: %(reason)s")
                                        % {"code": protocol.code, "reason": reason})
        if value not in self.allowed_protocols:
            raise forms.ValidationError(_("Choose one of the protocols listed."))
        return self.allowed_protocols[value]

    def clean(self) -> dict:
        data = super().clean()
        location, practitioner = data.get("location"), data.get("practitioner")
        if location and practitioner and practitioner.location_id != location.pk:
            self.add_error("practitioner", _("%(name)s works at another location.") % {"name": practitioner.name})
        protocol = data.get("protocol")
        if protocol is not None and protocol.anchor == "surgery_date" and not data.get("surgery_date"):
            self.add_error("surgery_date", _("This protocol counts from the surgery date: give it."))
        return data

    def wished_start(self) -> datetime:
        """Naive: wall-clock time at the location, which the booking service resolves."""
        return datetime.combine(self.cleaned_data["start_date"], self.cleaned_data["start_time"])

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "patient": data["patient"],
            "protocol": data["protocol"],
            "location": data["location"],
            "start": self.wished_start(),
            "practitioner": data.get("practitioner"),
            "surgery_date": data.get("surgery_date"),
        }


def _reload_on_change() -> dict:
    """Changing the location reloads the protocol and practitioner choices in place (htmx)."""
    return {
        "hx_get": reverse("booking:new"),
        "hx_trigger": "change",
        "hx_target": "#booking-form-fields",
        "hx_select": "#booking-form-fields",
        "hx_swap": "outerHTML",
        "hx_include": "closest form",
    }


def parse_pin(value: str) -> datetime | None:
    """A pinned start from the preview's select: 'YYYY-MM-DDTHH:MM' at the clinic (naive), or None."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except (TypeError, ValueError):
        return None


class RescheduleForm(forms.Form):
    """Move one session: a new date and time, maybe another practitioner, with or without cascade."""

    date = forms.DateField(label=gettext_lazy("New date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=gettext_lazy("New time (at the clinic)"),
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.none(), required=False,
                                          label=gettext_lazy("Practitioner"),
                                          empty_label=gettext_lazy("Keep the same practitioner"))
    cascade = forms.BooleanField(required=False, initial=True,
                                 label=gettext_lazy("Move later sessions that would leave their window (cascade)"))
    override_reason = forms.CharField(required=False, max_length=REASON_MAX_LENGTH, validators=[validate_free_text],
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      label=gettext_lazy("Override reason"),
                                      help_text=gettext_lazy("Only to book outside the window on purpose: say why."))

    def __init__(self, *args: Any, session: Any, **kwargs: Any) -> None:
        self.session = session
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = Practitioner.objects.filter(
            location_id=session.location_id, active=True
        ).order_by("name", "id")
        prefix = f"move-{session.pk}"
        self.auto_id = f"id_{prefix}_%s"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def start(self) -> datetime:
        return datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "start": self.start(),
            "practitioner": data.get("practitioner"),
            "cascade": bool(data.get("cascade")),
            "override_reason": data.get("override_reason", ""),
        }


class ReasonForm(forms.Form):
    """Why a session or a course is cancelled: kept on record."""

    reason = forms.CharField(max_length=REASON_MAX_LENGTH, validators=[validate_free_text],
                             widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Reason for cancelling"))

    def __init__(self, *args: Any, prefix_id: str = "cancel", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_id}_%s"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class RebookForm(forms.Form):
    """Book a missing session of a course again, at one of the free times inside its window."""

    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=52)
    start = forms.ChoiceField(label=gettext_lazy("Free time"))

    def __init__(self, *args: Any, slots: list[tuple[str, str]], number: int, **kwargs: Any) -> None:
        super().__init__(*args, initial={"number": number}, **kwargs)
        self.fields["start"].choices = [("", _("Choose a free time")), *slots]
        self.auto_id = f"id_rebook{number}_%s"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def start_value(self) -> datetime:
        value = parse_pin(self.cleaned_data["start"])
        if value is None:  # pragma: no cover - the choice field only accepts listed values
            raise forms.ValidationError(_("Choose a free time."))
        return value


def local_value(value: datetime, zone: Any) -> str:
    """The select value of a start: wall-clock time at the clinic."""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


__all__ = [
    "CourseBookingForm",
    "ReasonForm",
    "RebookForm",
    "RescheduleForm",
    "local_value",
    "parse_pin",
]
