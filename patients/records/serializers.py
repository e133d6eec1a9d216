"""Shapes of the treatment room's API (api-contract.md, "Products and lots", "Session records")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from clinic.api.serializers import TextField
from clinic.hours import SOURCE_CATEGORIES
from patients.booking.models import Session
from patients.registry.models import Patient
from protocols.models import VisitAdjunct

from .models import (
    DOSE_QUANTITY_MAX,
    LOT_NUMBER_MAX_LENGTH,
    LOT_QUANTITY_MAX,
    NOTES_MAX_LENGTH,
    REASON_MAX_LENGTH,
    AdverseEvent,
    AdverseEventKind,
    Lot,
    Outcome,
    Product,
    ProductKind,
    ReportedBy,
    SessionRecord,
    Severity,
    Site,
    Unit,
)
from .validators import validate_lot_number

_MIN_QUANTITY = Decimal("0.01")


def _quantity(maximum) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=10, decimal_places=2, min_value=_MIN_QUANTITY, max_value=maximum)


class ProductSerializer(serializers.ModelSerializer):
    name = TextField(max_length=200)
    kind = serializers.ChoiceField(choices=ProductKind.choices)
    source_category = serializers.ChoiceField(choices=SOURCE_CATEGORIES, allow_null=True, required=False)
    manufacturer = TextField(max_length=200, allow_blank=True, required=False)
    unit = serializers.ChoiceField(choices=Unit.choices)

    class Meta:
        model = Product
        fields = ["id", "name", "kind", "source_category", "manufacturer", "unit", "active"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        source = attrs.get("source_category", getattr(self.instance, "source_category", None))
        if kind == "exosome" and not source:
            raise serializers.ValidationError({"source_category": [_("An exosome product names its source category.")]})
        if kind != "exosome" and source:
            raise serializers.ValidationError({"source_category": [
                _("Only an exosome product has a source category.")]})
        return attrs


class LotNumberField(TextField):
    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            validate_lot_number(value)
        except Exception as error:  # a Django ValidationError: its message, in DRF's shape
            raise serializers.ValidationError(getattr(error, "messages", [str(error)])) from None
        return value


class LotSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit = serializers.CharField(source="product.unit", read_only=True)
    lot_number = LotNumberField(max_length=LOT_NUMBER_MAX_LENGTH, trim_whitespace=True)
    quantity_received = _quantity(LOT_QUANTITY_MAX)
    quantity_used = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    quantity_left = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "product", "product_name", "unit", "lot_number", "expires_on", "received_on",
                  "quantity_received", "quantity_used", "quantity_left", "recalled", "recall_reason", "recalled_at"]
        read_only_fields = ["recalled", "recall_reason", "recalled_at"]
        # (product, lot_number) is checked by the service's full_clean, in the same 400 shape.
        validators: list = []

    def validate_product(self, product: Product) -> Product:
        if not product.active and (self.instance is None or self.instance.product_id != product.pk):
            raise serializers.ValidationError(_("This product is no longer active: receive no new lots of it."))
        return product

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        received = attrs.get("received_on", getattr(self.instance, "received_on", None))
        expires = attrs.get("expires_on", getattr(self.instance, "expires_on", None))
        if received and expires and expires < received:
            raise serializers.ValidationError({"expires_on": [_("A lot cannot expire before it was received.")]})
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = TextField(max_length=REASON_MAX_LENGTH, trim_whitespace=True)


class GivenSerializer(serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.select_related("product"))
    # Optional: when sent, the lot must be one of this product's (a picker's slip shows here).
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    quantity = _quantity(DOSE_QUANTITY_MAX)
    sites = serializers.ListField(child=serializers.ChoiceField(choices=Site.choices), min_length=1,
                                  max_length=len(Site))

    def validate_sites(self, sites: list[str]) -> list[str]:
        if len(set(sites)) != len(sites):
            raise serializers.ValidationError(_("A site is named twice."))
        return sites

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        product = attrs.pop("product", None)
        lot = attrs["lot"]
        if product is not None and lot.product_id != product.pk:
            raise serializers.ValidationError(
                {"lot": [_("Lot %(number)s is a lot of %(lot_product)s, not of %(product)s.") % {
                    "number": lot.lot_number, "lot_product": lot.product.name, "product": product.name}]}
            )
        return attrs


class RecordRequestSerializer(serializers.Serializer):
    products = GivenSerializer(many=True, max_length=20)
    adjuncts_done = serializers.ListField(child=serializers.ChoiceField(choices=VisitAdjunct.choices),
                                          required=False, default=list, max_length=len(VisitAdjunct))
    notes = TextField(max_length=NOTES_MAX_LENGTH, allow_blank=True, required=False, default="")

    def validate_adjuncts_done(self, codes: list[str]) -> list[str]:
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError(_("An adjunct is named twice."))
        return codes


class AmendRequestSerializer(RecordRequestSerializer):
    reason = TextField(max_length=REASON_MAX_LENGTH, trim_whitespace=True)
    products = GivenSerializer(many=True, max_length=20, required=False)
    adjuncts_done = serializers.ListField(child=serializers.ChoiceField(choices=VisitAdjunct.choices),
                                          required=False, max_length=len(VisitAdjunct))
    notes = TextField(max_length=NOTES_MAX_LENGTH, allow_blank=True, required=False)


def _product_row(row, *, with_quantity: bool) -> dict[str, Any]:
    lot = row.lot
    body = {"lot": lot.pk, "lot_number": lot.lot_number, "expires_on": lot.expires_on.isoformat(),
            "product": lot.product_id, "product_name": lot.product.name, "sites": list(row.sites)}
    if with_quantity:
        body["quantity"] = str(row.quantity)
        body["unit"] = lot.product.unit
    return body


class SessionRecordSerializer(serializers.ModelSerializer):
    """The whole record, for doctors and admins."""

    products = serializers.SerializerMethodField()
    patient = serializers.IntegerField(source="session.patient_id", read_only=True)

    with_quantities = True

    class Meta:
        model = SessionRecord
        fields = ["id", "session", "patient", "recorded_by", "recorded_at", "products", "adjuncts_done", "notes",
                  "revision", "amended_by", "amended_at", "amend_reason"]
        read_only_fields = fields

    def get_products(self, record: SessionRecord) -> list[dict[str, Any]]:
        return [_product_row(row, with_quantity=self.with_quantities) for row in record.products.all()]


class SessionRecordSummarySerializer(SessionRecordSerializer):
    """What the front desk may see: what was given and when, no quantities and no clinical notes."""

    with_quantities = False

    class Meta(SessionRecordSerializer.Meta):
        fields = ["id", "session", "patient", "recorded_by", "recorded_at", "products", "adjuncts_done"]
        read_only_fields = fields


class AffectedSerializer(serializers.Serializer):
    record = serializers.IntegerField()
    session = serializers.IntegerField()
    patient = serializers.IntegerField()
    date = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)


class AdverseEventSerializer(serializers.ModelSerializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.all())
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.select_related("location"),
                                                 required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=AdverseEventKind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    reported_by = serializers.ChoiceField(choices=ReportedBy.choices, required=False)
    description = TextField(max_length=NOTES_MAX_LENGTH, allow_blank=True, required=False)
    lots = serializers.SerializerMethodField()

    class Meta:
        model = AdverseEvent
        fields = ["id", "patient", "session", "onset", "kind", "severity", "serious", "description", "outcome",
                  "reported_by", "lots", "filed_by", "filed_at", "reviewed_by", "reviewed_at"]
        read_only_fields = ["filed_by", "filed_at", "reviewed_by", "reviewed_at"]

    def validate_patient(self, patient: Patient) -> Patient:
        if self.instance is not None and self.instance.patient_id != patient.pk:
            raise serializers.ValidationError(_("An event stays with the patient it was filed for."))
        return patient

    def get_lots(self, event: AdverseEvent) -> list[int]:
        from .adverse_events import lots_of

        return lots_of(event)
