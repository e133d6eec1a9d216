"""Screening forms: the questions (by sex) and a doctor's override."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Fieldset, Layout
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients.models import Patient
from patients.registry.forms import YES_NO
from patients.screening import rules
from patients.screening.services import OVERRIDE_REASON_MAX_LENGTH
from patients.validators import validate_free_text

# Questions that cannot apply to a male patient: not asked, and answered "no" for him.
NOT_FOR_MEN = ("pregnant_or_breastfeeding", "may_become_pregnant")


YES_NO_TEMPLATE = "patients/_yes_no_field.html"


def questions_for(sex: str | None) -> tuple[str, ...]:
    """The screening questions to ask a patient of this sex, in the form's order."""
    if sex == Patient.Sex.MALE:
        return tuple(key for key in rules.ANSWER_KEYS if key not in NOT_FOR_MEN)
    return rules.ANSWER_KEYS


class ScreeningForm(forms.Form):
    """Every question that can apply answered yes or no: an unanswered question is not a "no".

    Built for a tablet: big yes/no buttons, and "All no" then flip the exceptions. Questions that
    cannot apply (pregnancy for a man) are not shown and count as "no"."""

    def __init__(self, *args: Any, sex: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked = questions_for(sex)
        for key in self.asked:
            self.fields[key] = forms.ChoiceField(
                label=rules.LABELS[key], choices=YES_NO, widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no.")},
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Blocks booking"),
                HTML(format_html('<p class="small text-body-secondary">{}</p>', _(
                    'A "yes" here stops booking (some only for PRP or finasteride protocols) until a doctor '
                    "overrides it with a reason."))),
                *(Field(key, template=YES_NO_TEMPLATE) for key in self.asked if key in rules.HARD_STOPS),
                css_class="screening-block border rounded p-3 mb-3 bg-white",
            ),
            Fieldset(
                _("Needs a clinician's look"),
                HTML(format_html('<p class="small text-body-secondary">{}</p>',
                                 _('A "yes" here is shown to the clinician before the session.'))),
                *(Field(key, template=YES_NO_TEMPLATE) for key in self.asked if key in rules.WARNINGS),
                css_class="screening-block border rounded p-3 mb-3 bg-white",
            ),
        )

    @property
    def answers(self) -> dict[str, bool]:
        return {key: key in self.asked and self.cleaned_data[key] == "yes" for key in rules.ANSWER_KEYS}


class ScreeningOverrideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why these hard stops do not prevent treatment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=OVERRIDE_REASON_MAX_LENGTH,
        validators=[validate_free_text],
        help_text=gettext_lazy("Stays on record with your name; it cannot be edited afterwards."),
        error_messages={"required": gettext_lazy("Write the reason: an override needs one.")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("The override opens"), widget=forms.RadioSelect, initial="some",
        choices=[("some", gettext_lazy("Only the protocols ticked below")), ("all", gettext_lazy("Every protocol"))],
    )
    protocols = forms.MultipleChoiceField(
        label=gettext_lazy("Protocols this override opens"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only protocols this screening blocks are listed. A doctor who writes “no PRP” leaves "
                               "the PRP protocols unticked."),
    )

    def __init__(self, *args: Any, blocked: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocols"].choices = [(p.code, f"{p.code} · {p.name}") for p in blocked]
        if not blocked:
            # No active protocol is blocked now: only "every protocol" makes sense.
            self.fields["scope"].initial = "all"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("scope") == "some" and not data.get("protocols"):
            self.add_error("protocols", _("Tick the protocols the override opens, or choose “Every protocol”."))
        return data

    @property
    def protocol_codes(self) -> list[str] | None:
        """The scope for the service: None opens every protocol."""
        return None if self.cleaned_data["scope"] == "all" else list(self.cleaned_data["protocols"])
