"""Forms of the protocol pages: the draft header, its sessions (a formset) and home adjuncts.

Field checks live here; the protocol's rules are the services', whose errors the views put back
next to the field and row they are about.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import (
    CODE_PATTERN,
    Anchor,
    HomeAdjunctKind,
    Indication,
    ProtocolStatus,
    Route,
    SessionKind,
    SourceCategory,
    VisitAdjunct,
)
from .rules import DURATION_MAX, DURATION_MIN, MAX_GAP_DAYS, MAX_SESSIONS
from .texts import INSTRUCTIONS_MAX_LENGTH, LANGUAGE_NAMES, OTHER_LANGUAGES, RTL_LANGUAGES


def i18n_field(language: str) -> str:
    """The form field of one other language's instructions, e.g. instructions_tr."""
    return f"instructions_{language}"


class OtherLanguagesMixin(forms.Form):
    """The instructions in tr, ar (right to left), es and de beside the English ones: one field
    each, so an error shows by its language; `clean` gathers them into `instructions_i18n`."""

    def __init__(self, *args: Any, **kwargs: Any):
        initial = dict(kwargs.get("initial") or {})
        for language, text in (initial.pop("instructions_i18n", None) or {}).items():
            initial.setdefault(i18n_field(language), text)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for language in OTHER_LANGUAGES:
            attrs = {"rows": 2, "lang": language, "dir": "rtl" if language in RTL_LANGUAGES else "ltr"}
            self.fields[i18n_field(language)] = forms.CharField(
                widget=forms.Textarea(attrs=attrs), required=False, max_length=INSTRUCTIONS_MAX_LENGTH,
                label=f"{LANGUAGE_NAMES[language]} ({language})",
            )

    @property
    def other_language_fields(self) -> list[forms.BoundField]:
        return [self[i18n_field(language)] for language in OTHER_LANGUAGES]

    @property
    def other_languages_open(self) -> bool:
        """Shown open when one of them has an error, so the doctor sees it without looking."""
        return any(field.errors for field in self.other_language_fields)

    @property
    def other_languages_filled(self) -> int:
        return sum(1 for field in self.other_language_fields if (field.value() or "").strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["instructions_i18n"] = {
            language: text.strip() for language in OTHER_LANGUAGES
            if (text := cleaned.pop(i18n_field(language), None) or "").strip()
        }
        return cleaned


class ProtocolForm(forms.Form):
    code = forms.RegexField(
        regex=CODE_PATTERN, max_length=40, label=_("Code"),
        help_text=_("Shared by every version, e.g. EXO-AGA-3x6W. It cannot change."),
        error_messages={"invalid": _("Use letters, digits, dots, dashes or underscores (up to 40).")},
    )
    name = forms.CharField(max_length=160, label=_("Name"))
    indication = forms.ChoiceField(choices=Indication.choices, label=_("Indication"))
    source_category = forms.ChoiceField(choices=SourceCategory.choices, label=_("Exosome source"))
    source_detail = forms.CharField(max_length=200, required=False, label=_("Source detail"),
                                    help_text=_("e.g. umbilical-cord MSC"))
    route = forms.ChoiceField(choices=Route.choices, label=_("Route"))
    anchor = forms.ChoiceField(choices=Anchor.choices, label=_("Anchor"),
                               help_text=_("What session 1's gap counts from"))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000,
                            label=_("Notes"))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            # The code names every version: it is fixed once the protocol exists.
            self.fields["code"].disabled = True
            self.fields["code"].required = False


class SessionForm(OtherLanguagesMixin, forms.Form):
    kind = forms.ChoiceField(choices=SessionKind.choices, label=_("Kind"))
    gap_min_days = forms.IntegerField(min_value=0, max_value=MAX_GAP_DAYS, label=_("Gap min (days)"))
    gap_target_days = forms.IntegerField(min_value=0, max_value=MAX_GAP_DAYS, label=_("Gap target (days)"))
    gap_max_days = forms.IntegerField(min_value=0, max_value=MAX_GAP_DAYS, label=_("Gap max (days)"))
    duration_minutes = forms.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX, label=_("Duration (min)"))
    visit_adjuncts = forms.MultipleChoiceField(
        choices=VisitAdjunct.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("At the visit")
    )
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=INSTRUCTIONS_MAX_LENGTH,
        label=_("Instructions for the patient before this visit"), help_text=_("In English"),
    )


SessionFormSet = forms.formset_factory(
    SessionForm, extra=0, can_delete=True, can_order=True, max_num=MAX_SESSIONS + 1, absolute_max=MAX_SESSIONS + 8
)


class HomeAdjunctForm(OtherLanguagesMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("", "—")] + list(HomeAdjunctKind.choices), label=_("Home adjunct"))
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=INSTRUCTIONS_MAX_LENGTH,
        label=_("Instructions for the patient"), help_text=_("In English"),
    )


HomeAdjunctFormSet = forms.formset_factory(HomeAdjunctForm, extra=1, can_delete=True, max_num=6, absolute_max=10)


class ProtocolFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"),
                        widget=forms.TextInput(attrs={"placeholder": _("Code or name")}))
    indication = forms.ChoiceField(choices=[("", _("Any indication"))] + list(Indication.choices), required=False,
                                   label=_("Indication"))
    source_category = forms.ChoiceField(
        choices=[("", _("Any source"))] + list(SourceCategory.choices), required=False, label=_("Source")
    )
    route = forms.ChoiceField(choices=[("", _("Any route"))] + list(Route.choices), required=False, label=_("Route"))
    status = forms.ChoiceField(
        choices=[("", _("Active and drafts"))] + list(ProtocolStatus.choices) + [("all", _("All versions"))],
        required=False, label=pgettext_lazy("protocol", "Status"),
    )
