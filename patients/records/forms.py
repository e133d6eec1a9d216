"""Forms of the treatment-room pages: record a visit (and amend it), lots and products, recalls,
adverse events. They check the shape of what is typed; the rules of the room (expired, recalled,
exhausted lots, onset dates) are the services', whose refusals the views put by the right field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clinic.formats import written_date
from clinic.numbers import written_number
from patients.validators import validate_free_text
from protocols.labels import adjunct_labels

from .models import (
    DOSE_QUANTITY_MAX,
    NOTES_MAX_LENGTH,
    REASON_MAX_LENGTH,
    AdverseEventKind,
    Lot,
    Outcome,
    Product,
    ReportedBy,
    Severity,
    Site,
    source_category_label,
)

EXTRA_PRODUCT_ROWS = 3


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def lot_label(lot: Lot) -> str:
    """What the picker shows of a lot: product, number, expiry and what is left."""
    return _("%(product)s · lot %(number)s · expires %(date)s · %(left)s %(unit)s left") % {
        "product": lot.product.name, "number": lot.lot_number, "date": written_date(lot.expires_on, "date"),
        "left": written_number(lot.quantity_left, places=None), "unit": lot.product.get_unit_display()}


class ProductLineForm(forms.Form):
    """One product given: from which lot, how much, where. A blank row is left out."""

    # An id, not a model choice: a lot that is not offered (expired, recalled) may still be posted,
    # and the record service's refusal says why, by this field, rather than "not a valid choice".
    lot = forms.IntegerField(required=False, min_value=1, widget=forms.Select, label=gettext_lazy("Lot"))
    quantity = forms.DecimalField(required=False, min_value=Decimal("0.01"), max_value=DOSE_QUANTITY_MAX,
                                  max_digits=10, decimal_places=2, label=gettext_lazy("Quantity"),
                                  widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    sites = forms.MultipleChoiceField(required=False, choices=Site.choices, widget=forms.CheckboxSelectMultiple,
                                      label=gettext_lazy("Sites"))

    def __init__(self, *args: Any, lot_choices: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].widget.choices = [("", _("No product on this row")), *lot_choices]
        self.helper = _helper()
        self.helper.layout = Layout(Div(Div(Field("lot"), css_class="col-md-9"),
                                        Div(Field("quantity"), css_class="col-md-3"), css_class="row g-2"),
                                    InlineCheckboxes("sites"))

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("lot") and data.get("quantity") is None and not data.get("sites")

    def clean(self) -> dict:
        data = super().clean()
        if self.errors or self.is_blank:
            return data
        if not data.get("lot"):
            self.add_error("lot", _("Pick the lot this came from."))
        if data.get("quantity") is None:
            self.add_error("quantity", _("Say how much was given."))
        if not data.get("sites"):
            self.add_error("sites", _("Tick at least one scalp site."))
        return data


class BaseProductLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        if self.require_one and not self.given():
            raise forms.ValidationError(_("A treatment visit records at least one product given: fill a row."))

    def given(self) -> list[dict]:
        return [{"lot": form.cleaned_data["lot"], "quantity": form.cleaned_data["quantity"],
                 "sites": form.cleaned_data["sites"]}
                for form in self.forms if form.cleaned_data and not form.is_blank]

    def form_for_lot(self, lot_id: int) -> ProductLineForm | None:
        for form in self.forms:
            if getattr(form, "cleaned_data", None) and form.cleaned_data.get("lot") == lot_id:
                return form
        return None


ProductLineFormSet = formset_factory(ProductLineForm, formset=BaseProductLineFormSet, extra=EXTRA_PRODUCT_ROWS,
                                     max_num=10, validate_max=True, absolute_max=20)


def product_lines(*, data: Any = None, lots: list[Lot], initial: list[dict] | None = None, prefix: str,
                  require_one: bool = True) -> BaseProductLineFormSet:
    lot_choices = [(str(lot.pk), lot_label(lot)) for lot in lots]
    formset = ProductLineFormSet(data, initial=initial, prefix=prefix, form_kwargs={"lot_choices": lot_choices})
    formset.require_one = require_one
    return formset


class RecordForm(forms.Form):
    """The rest of a visit's record: the adjuncts done (those the protocol plans) and notes."""

    adjuncts_done = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                              label=gettext_lazy("Adjuncts done"))
    notes = forms.CharField(required=False, max_length=NOTES_MAX_LENGTH, validators=[validate_free_text],
                            widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Notes"))

    def __init__(self, *args: Any, adjuncts: list[str], prefix_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adjuncts_done"].choices = list(zip(adjuncts, adjunct_labels(adjuncts), strict=True))
        if not adjuncts:
            self.fields["adjuncts_done"].help_text = _("The protocol plans no adjunct for this visit.")
        self.auto_id = f"id_{prefix_id}_%s"
        self.helper = _helper()
        self.helper.layout = Layout(InlineCheckboxes("adjuncts_done"), Field("notes"),
                                    *([Field("reason")] if "reason" in self.fields else []))


class AmendForm(RecordForm):
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, validators=[validate_free_text],
                             widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Reason for the amendment"),
                             help_text=gettext_lazy("Kept in the record's history with the earlier content."))


class LotForm(forms.ModelForm):
    """Receive a lot. The model's checks (one line of text for the number, unique per product,
    a sane quantity) are the form's."""

    class Meta:
        model = Lot
        fields = ["product", "lot_number", "expires_on", "received_on", "quantity_received"]
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"}),
                   "received_on": forms.DateInput(attrs={"type": "date"}),
                   "quantity_received": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})}
        labels = {"product": gettext_lazy("Product"), "lot_number": gettext_lazy("Lot number"),
                  "expires_on": gettext_lazy("Expires on"), "received_on": gettext_lazy("Received on"),
                  "quantity_received": gettext_lazy("Quantity received")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("name", "id")
        self.fields["quantity_received"].help_text = _("In the product's unit (mL, vials or kits).")
        self.helper = _helper()

    def _post_clean(self) -> None:
        # The model's unique (product, lot_number) speaks of both fields at once: say it by the number.
        super()._post_clean()
        errors = self._errors.get(NON_FIELD_ERRORS)
        if errors and any(error.code == "unique_together" for error in errors.as_data()):
            kept = [error for error in errors.as_data() if error.code != "unique_together"]
            if kept:
                self._errors[NON_FIELD_ERRORS] = self.error_class(kept, renderer=self.renderer)
            else:
                del self._errors[NON_FIELD_ERRORS]
            product = self.cleaned_data.get("product")
            self.add_error("lot_number", _("%(product)s already has a lot numbered “%(number)s”.") % {
                "product": product, "number": self.cleaned_data.get("lot_number")})

    def clean(self) -> dict:
        data = super().clean()
        received, expires = data.get("received_on"), data.get("expires_on")
        if received and expires and expires < received:
            self.add_error("expires_on", _("A lot cannot expire before it was received."))
        return data


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "kind", "source_category", "manufacturer", "unit"]
        labels = {"name": gettext_lazy("Name"), "kind": gettext_lazy("Kind"),
                  "manufacturer": gettext_lazy("Manufacturer"), "unit": gettext_lazy("Unit")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from clinic.hours import SOURCE_CATEGORIES

        super().__init__(*args, **kwargs)
        self.fields["source_category"] = forms.ChoiceField(
            required=False, choices=[("", "—"), *((c, source_category_label(c)) for c in SOURCE_CATEGORIES)],
            label=_("Source category"), help_text=_("Exosome products only: where the exosomes come from."))
        self.fields["name"].validators.append(validate_free_text)
        self.helper = _helper()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == "exosome" and not data.get("source_category"):
            self.add_error("source_category", _("An exosome product names its source category."))
        elif data.get("kind") and data.get("kind") != "exosome":
            if data.get("source_category"):
                self.add_error("source_category", _("Only exosome products have a source category."))
            data["source_category"] = None
        return data


class RecallForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, validators=[validate_free_text],
                             widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Reason for the recall"),
                             help_text=gettext_lazy("The manufacturer's notice, say. Kept with the lot."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class AdverseEventForm(forms.Form):
    """File or complete an adverse event. The onset rules (not in the future, not before its
    session) are the adverse-event service's; the view puts its refusal by the onset field."""

    session = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=gettext_lazy("Session"),
                                     help_text=gettext_lazy("The visit it followed, if any."))
    onset = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Onset date"))
    kind = forms.ChoiceField(choices=[("", pgettext_lazy("empty choice", "Choose")), *AdverseEventKind.choices],
                             label=gettext_lazy("Kind"))
    severity = forms.ChoiceField(choices=[("", pgettext_lazy("empty choice", "Choose")), *Severity.choices],
                                 label=gettext_lazy("Severity"))
    serious = forms.BooleanField(required=False, label=gettext_lazy("Serious (hospitalisation or lasting harm)"))
    description = forms.CharField(required=False, max_length=NOTES_MAX_LENGTH, validators=[validate_free_text],
                                  widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Description"))
    outcome = forms.ChoiceField(choices=Outcome.choices, initial=Outcome.ONGOING, label=gettext_lazy("Outcome"))
    reported_by = forms.ChoiceField(choices=ReportedBy.choices, initial=ReportedBy.PATIENT,
                                    widget=forms.RadioSelect, label=gettext_lazy("Reported by"))

    def __init__(self, *args: Any, sessions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", _("Not after a particular visit")), *sessions]
        self.helper = _helper()
        self.helper.layout = Layout(
            Field("session"),
            Div(Div(Field("onset"), css_class="col-sm-4"), Div(Field("kind"), css_class="col-sm-4"),
                Div(Field("severity"), css_class="col-sm-4"), css_class="row g-2"),
            Field("serious"), Field("description"),
            Div(Div(Field("outcome"), css_class="col-sm-6"), Div(InlineRadios("reported_by"), css_class="col-sm-6"),
                css_class="row g-2"))
