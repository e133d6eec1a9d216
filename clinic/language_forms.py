"""The staff member's own language, on their profile page."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of your pages"),
        choices=[("", _("Your browser's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Dates, times, numbers and the calendar follow it."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = "profile-language"
        self.helper.add_input(Submit("save", _("Save language"), css_class="btn-anagen"))
