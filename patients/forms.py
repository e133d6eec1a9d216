"""Forms of the staff pages: patient details, screening answers, a doctor's override."""

import zoneinfo
from functools import cache
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms

from . import screening as rules
from .models import Patient
from .services import OVERRIDE_REASON_MAX_LENGTH
from .validators import validate_free_text

YES_NO = [("yes", "Yes"), ("no", "No")]


@cache
def _timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("", "Choose a time zone"), *((z, z.replace("_", " ")) for z in zones), ("UTC", "UTC")]


class PatientForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="I have checked: this is a different person, register them anyway",
    )

    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "date_of_birth", "sex", "email", "phone", "language", "timezone",
                  "reminder_opt_in", "investigational_ack", "notes"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "+90 532 123 45 67"}),
        }
        labels = {
            "reminder_opt_in": "The patient agrees to reminder and recall emails",
            "investigational_ack": "The patient understands that exosome therapy is investigational and not "
                                   "FDA-approved",
        }
        help_texts = {
            "reminder_opt_in": "Booking confirmations, changes and cancellations are always sent.",
            "investigational_ack": "",
        }

    def __init__(self, *args: Any, show_duplicate_check: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"] = forms.ChoiceField(
            choices=_timezone_choices(), initial="Europe/Istanbul", label="Time zone",
            help_text="The patient's own, for reminder times",
        )
        self.fields["sex"].choices = [("", "Choose")] + list(Patient.Sex.choices)
        if not show_duplicate_check:
            del self.fields["confirm_not_duplicate"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(Div("first_name", css_class="col-md-6"), Div("last_name", css_class="col-md-6"), css_class="row"),
            Div(Div(Field("date_of_birth"), css_class="col-md-4"), Div("sex", css_class="col-md-4"),
                Div("language", css_class="col-md-4"), css_class="row"),
            Div(Div("email", css_class="col-md-6"), Div("phone", css_class="col-md-6"), css_class="row"),
            "timezone",
            Fieldset("Consent", "reminder_opt_in", "investigational_ack"),
            "notes",
            *(["confirm_not_duplicate"] if show_duplicate_check else []),
        )


class PatientSearchForm(forms.Form):
    """The desk's search box. Django's CharField refuses NUL characters, which PostgreSQL cannot search for."""

    q = forms.CharField(required=False, strip=False)


class ScreeningForm(forms.Form):
    """Every question answered yes or no: an unanswered question is not a "no"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in rules.ANSWER_KEYS:
            self.fields[key] = forms.ChoiceField(
                label=rules.LABELS[key], choices=YES_NO, widget=forms.RadioSelect,
                error_messages={"required": "Answer yes or no."},
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Blocks booking",
                HTML('<p class="small text-body-secondary">A "yes" here stops booking until a doctor '
                     "overrides it with a reason.</p>"),
                *(InlineRadios(key) for key in rules.ANSWER_KEYS if key in rules.HARD_STOPS),
                css_class="screening-block border rounded p-3 mb-3 bg-white",
            ),
            Fieldset(
                "Needs a clinician's look",
                HTML('<p class="small text-body-secondary">A "yes" here is shown to the clinician before '
                     "the session.</p>"),
                *(InlineRadios(key) for key in rules.WARNINGS),
                css_class="screening-block border rounded p-3 mb-3 bg-white",
            ),
        )

    @property
    def answers(self) -> dict[str, bool]:
        return {key: self.cleaned_data[key] == "yes" for key in rules.ANSWER_KEYS}


class ScreeningOverrideForm(forms.Form):
    reason = forms.CharField(
        label="Why these hard stops do not prevent treatment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=OVERRIDE_REASON_MAX_LENGTH,
        validators=[validate_free_text],
        help_text="Stays on record with your name; it cannot be edited afterwards.",
        error_messages={"required": "Write the reason: an override needs one."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
