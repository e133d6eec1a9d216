"""The signing form the patient fills on the desk's tablet, in the language of the text shown."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms

from .models import SIGNED_NAME_MAX_LENGTH
from .rules import SIGNING_WORDS


class SignForm(forms.Form):
    """A typed name and a tick; the sha256 of the text the page showed rides along, so the
    service can refuse a signature of any other text."""

    signed_name = forms.CharField(max_length=SIGNED_NAME_MAX_LENGTH)
    agree = forms.BooleanField()
    sha256 = forms.RegexField(r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    language = forms.CharField(max_length=2, widget=forms.HiddenInput)

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        words = SIGNING_WORDS[language]
        self.words = words
        name = self.fields["signed_name"]
        name.label, name.help_text = words["name"], words["name_help"]
        name.error_messages["required"] = words["name_missing"]
        name.widget.attrs.update({"autocomplete": "off", "dir": "auto", "lang": language, "class": "form-control-lg"})
        agree = self.fields["agree"]
        agree.label = words["agree"]
        agree.error_messages["required"] = words["agree_missing"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("signed_name"), Field("agree"), "sha256", "language",
            Submit("sign", words["sign"], css_class="btn-anagen btn-lg px-5"),
        )

    def clean_signed_name(self) -> str:
        # A name of spaces only is no name.
        value = " ".join(self.cleaned_data["signed_name"].split())
        if not value:
            raise forms.ValidationError(self.words["name_missing"])
        return value
