"""Forms of the staff pages: patient details, screening answers, a doctor's override."""

import zoneinfo
from functools import cache
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from patients.models import Patient
from patients.registry import imports
from patients.registry.phones import phone_example

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


@cache
def _timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("", gettext_lazy("Choose a time zone")), *((z, z.replace("_", " ")) for z in zones), ("UTC", "UTC")]


class PatientForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False, label=gettext_lazy("I have checked: this is a different person, register them anyway"),
    )

    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "date_of_birth", "sex", "email", "phone", "language", "timezone",
                  "reminder_opt_in", "investigational_ack", "notes"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        labels = {
            "first_name": gettext_lazy("First name"),
            "last_name": gettext_lazy("Last name"),
            "date_of_birth": gettext_lazy("Date of birth"),
            "sex": gettext_lazy("Sex"),
            "email": gettext_lazy("Email"),
            "language": gettext_lazy("Language"),
            "notes": gettext_lazy("Notes"),
            "reminder_opt_in": gettext_lazy("The patient agrees to reminder and recall emails"),
            "investigational_ack": gettext_lazy("The patient understands that exosome therapy is investigational "
                                                "and not FDA-approved"),
        }
        help_texts = {
            "reminder_opt_in": gettext_lazy("Booking confirmations, changes and cancellations are always sent."),
            "investigational_ack": "",
        }

    def __init__(self, *args: Any, show_duplicate_check: bool = False, region: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typed as the clinic writes it ("0532 456 78 90"): read in the location's country.
        example = phone_example(region)
        self.fields["phone"] = PhoneNumberFormField(
            region=region, required=False, label=_("Phone"),
            widget=RegionalPhoneNumberWidget(region=region, attrs={"inputmode": "tel", "placeholder": example,
                                                                   "autocomplete": "off"}),
            help_text=_("As you would dial it here, e.g. %(example)s, or with + and the country code from abroad.")
            % {"example": example},
            error_messages={"invalid": _("This is not a phone number we can read: type it as you would dial it "
                                         "here (e.g. %(example)s) or with + and the country code.")
                            % {"example": example}},
        )
        self.fields["timezone"] = forms.ChoiceField(
            choices=_timezone_choices(), initial="Europe/Istanbul", label=_("Time zone"),
            help_text=_("The patient's own, for reminder times"),
        )
        self.fields["sex"].choices = [("", pgettext_lazy("choice placeholder", "Choose"))] + list(Patient.Sex.choices)
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
            Fieldset(_("Consent"), "reminder_opt_in", "investigational_ack"),
            "notes",
            *(["confirm_not_duplicate"] if show_duplicate_check else []),
        )


class PatientSearchForm(forms.Form):
    """The desk's search box. Django's CharField refuses NUL characters, which PostgreSQL cannot search for."""

    q = forms.CharField(required=False, strip=False)




class PatientImportForm(forms.Form):
    """The CSV file of an import; a file that cannot be read at all is refused by this field."""

    file = forms.FileField(
        label=gettext_lazy("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=format_lazy(gettext_lazy("UTF-8, separated by commas or semicolons, with a header row of the patient "
                                           "fields; at most {limit} MB."), limit=imports.MAX_BYTES // 1024 // 1024),
    )

    def __init__(self, *args: Any, too_big: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Refused from its headers, before its body was read: the field says so, not "required".
        self.too_big = too_big
        self.fields["file"].required = not too_big
        self.content = b""
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self) -> Any:
        if self.too_big:
            raise forms.ValidationError(self.too_big)
        upload = self.cleaned_data["file"]
        try:
            self.content = imports.read_bytes(upload)
            self.table = imports.parse(imports.decode(self.content))
        except imports.ImportFileError as error:
            raise forms.ValidationError(error.message) from None
        return upload
