"""Forms of the protocol pages: the draft header, its sessions (a formset) and home adjuncts.

Field checks live here; the protocol's rules are the services', whose errors the views put back
next to the field and row they are about.
"""

from typing import Any

from django import forms

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


class ProtocolForm(forms.Form):
    code = forms.RegexField(
        regex=CODE_PATTERN, max_length=40, help_text="Shared by every version, e.g. EXO-AGA-3x6W. It cannot change.",
        error_messages={"invalid": "Use letters, digits, dots, dashes or underscores (up to 40)."},
    )
    name = forms.CharField(max_length=160)
    indication = forms.ChoiceField(choices=Indication.choices)
    source_category = forms.ChoiceField(choices=SourceCategory.choices, label="Exosome source")
    source_detail = forms.CharField(max_length=200, required=False, help_text="e.g. umbilical-cord MSC")
    route = forms.ChoiceField(choices=Route.choices)
    anchor = forms.ChoiceField(choices=Anchor.choices, help_text="What session 1's gap counts from")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            # The code names every version: it is fixed once the protocol exists.
            self.fields["code"].disabled = True
            self.fields["code"].required = False


class SessionForm(forms.Form):
    kind = forms.ChoiceField(choices=SessionKind.choices)
    gap_min_days = forms.IntegerField(min_value=0, max_value=MAX_GAP_DAYS, label="Gap min (days)")
    gap_target_days = forms.IntegerField(min_value=0, max_value=MAX_GAP_DAYS, label="Gap target (days)")
    gap_max_days = forms.IntegerField(min_value=0, max_value=MAX_GAP_DAYS, label="Gap max (days)")
    duration_minutes = forms.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX, label="Duration (min)")
    visit_adjuncts = forms.MultipleChoiceField(
        choices=VisitAdjunct.choices, required=False, widget=forms.CheckboxSelectMultiple, label="At the visit"
    )
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000,
        label="Instructions for the patient before this visit",
    )


SessionFormSet = forms.formset_factory(
    SessionForm, extra=0, can_delete=True, can_order=True, max_num=MAX_SESSIONS + 1, absolute_max=MAX_SESSIONS + 8
)


class HomeAdjunctForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—")] + list(HomeAdjunctKind.choices), label="Home adjunct")
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000, label="Instructions for the patient"
    )


HomeAdjunctFormSet = forms.formset_factory(HomeAdjunctForm, extra=1, can_delete=True, max_num=6, absolute_max=10)


class ProtocolFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"placeholder": "Code or name"}))
    indication = forms.ChoiceField(choices=[("", "Any indication")] + list(Indication.choices), required=False)
    source_category = forms.ChoiceField(
        choices=[("", "Any source")] + list(SourceCategory.choices), required=False, label="Source"
    )
    route = forms.ChoiceField(choices=[("", "Any route")] + list(Route.choices), required=False)
    status = forms.ChoiceField(
        choices=[("", "Active and drafts")] + list(ProtocolStatus.choices) + [("all", "All versions")], required=False
    )
