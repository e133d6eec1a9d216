"""Reads of the treatment room: lots with what is left of them, and who received a lot."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from patients.booking.models import Session

from .models import Lot, Product, SessionRecord, SessionRecordProduct

_QUANTITY = DecimalField(max_digits=12, decimal_places=2)


def session_local_date(session: Session) -> date:
    """The session's day in its location's calendar (the contract's "session's local date")."""
    return session.start.astimezone(ZoneInfo(session.location.timezone)).date()


def lots_with_quantities() -> QuerySet[Lot]:
    """Lots with `quantity_used` (the sum of the record rows naming them) and `quantity_left`."""
    used = (
        SessionRecordProduct.objects.filter(lot=OuterRef("pk")).order_by().values("lot")
        .annotate(total=Sum("quantity")).values("total")
    )
    return (
        Lot.objects.select_related("product")
        .annotate(quantity_used=Coalesce(Subquery(used, output_field=_QUANTITY), Value(Decimal("0")),
                                         output_field=_QUANTITY))
        .annotate(quantity_left=ExpressionWrapper(F("quantity_received") - F("quantity_used"), output_field=_QUANTITY))
    )


def lots_used(lot_ids: Iterable[int], *, excluding_record: SessionRecord | None = None) -> dict[int, Decimal]:
    """How much of each lot the records have used (0 for none), leaving one record out (an amendment)."""
    rows = SessionRecordProduct.objects.filter(lot_id__in=list(lot_ids))
    if excluding_record is not None:
        rows = rows.exclude(record=excluding_record)
    totals = dict(rows.order_by().values("lot").annotate(total=Sum("quantity")).values_list("lot", "total"))
    return {lot_id: totals.get(lot_id) or Decimal("0") for lot_id in lot_ids}


def lots_expiring(*, today: date, days: int = 30) -> QuerySet[Lot]:
    """Lots not recalled, with something left, expiring within `days` of `today` (expired ones too)."""
    return (lots_with_quantities().filter(recalled=False, quantity_left__gt=0,
                                          expires_on__lte=today + timedelta(days=days)).order_by("expires_on", "id"))


def lots_running_low(*, share: Decimal = Decimal("0.2")) -> QuerySet[Lot]:
    """Lots not recalled whose quantity left is at most `share` of what was received."""
    return lots_with_quantities().filter(
        recalled=False, quantity_left__lte=F("quantity_received") * share
    ).order_by("expires_on", "id")


def lot_patients(lot: Lot) -> list[dict]:
    """Every session record that used the lot: the traceability lookup a recall starts from.
    One row per record (`quantity`: all of the lot given at that visit), oldest visit first."""
    rows = (
        SessionRecordProduct.objects.filter(lot=lot)
        .select_related("record__session__location")
        .order_by("record__session__start", "record_id", "id")
    )
    affected: dict[int, dict] = {}
    for row in rows:
        session = row.record.session
        entry = affected.setdefault(row.record_id, {
            "record": row.record_id, "session": session.pk, "patient": session.patient_id,
            "date": session_local_date(session), "quantity": Decimal("0"),
        })
        entry["quantity"] += row.quantity
    return list(affected.values())


def session_record_of(session: Session) -> SessionRecord | None:
    return records().filter(session=session).first()


def records() -> QuerySet[SessionRecord]:
    return SessionRecord.objects.select_related("session", "recorded_by", "amended_by").prefetch_related(
        "products__lot__product"
    )


def products_active() -> QuerySet[Product]:
    return Product.objects.filter(active=True).order_by("name", "id")


# --- The treatment-room pages ------------------------------------------------------------------------


def lots_offered_for(session: Session) -> QuerySet[Lot]:
    """The lots a doctor may pick for this visit: not recalled, not expired on the session's local
    day, with something left, of an active product the course's protocol allows (an exosome product
    of its source category). The record service refuses the others whatever is posted."""
    day = session_local_date(session)
    protocol = session.course.protocol
    return (
        lots_with_quantities()
        .filter(recalled=False, expires_on__gte=day, quantity_left__gt=0, product__active=True)
        .exclude(Q(product__kind="exosome") & ~Q(product__source_category=protocol.source_category))
        .order_by("product__name", "expires_on", "id")
    )


def visit_adjuncts_of(session: Session) -> list[str]:
    """The visit adjunct codes the protocol plans for this session (its step of the same number)."""
    step = session.course.protocol.sessions.filter(number=session.number).first()
    return list(step.visit_adjuncts) if step else []


def records_of_patient(patient_id: int) -> list[SessionRecord]:
    """The patient's visit records, newest visit first, with their products, lots and events."""
    return list(
        records().filter(session__patient_id=patient_id)
        .select_related("session__course__protocol", "session__location", "session__practitioner")
        .prefetch_related("session__adverse_events")
        .order_by("-session__start", "-id")
    )


def record_revisions(record: SessionRecord) -> list[dict]:
    """Each revision of a record as the history holds it, oldest first: its notes, adjuncts and
    product rows (lot, quantity, sites), and for an amendment who made it, when and why. The rows
    of a revision are those written in the same audit context as the revision itself."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    record_events = apps.get_model("patients", "SessionRecordEvent")
    product_events = apps.get_model("patients", "SessionRecordProductEvent")
    snapshots: dict[int, object] = {}
    for event in (record_events.objects.filter(pgh_obj_id=record.pk, pgh_label__in=["insert", "update"])
                  .order_by("pgh_id")):
        snapshots[event.revision] = event  # the last snapshot of each revision wins
    contexts = [event.pgh_context_id for event in snapshots.values() if event.pgh_context_id]
    rows: dict[object, list] = {}
    for row in (product_events.objects.filter(record_id=record.pk, pgh_label="insert",
                                              pgh_context_id__in=contexts).order_by("pgh_id")):
        rows.setdefault(row.pgh_context_id, []).append(row)
    lots = Lot.objects.select_related("product").in_bulk({row.lot_id for group in rows.values() for row in group})
    users = get_user_model().objects.in_bulk({e.amended_by_id for e in snapshots.values() if e.amended_by_id})
    return [
        {"revision": revision, "notes": event.notes, "adjuncts_done": list(event.adjuncts_done),
         "amended_at": event.amended_at if revision > 1 else None,
         "amended_by": users.get(event.amended_by_id) if revision > 1 else None,
         "reason": event.amend_reason if revision > 1 else "",
         "products": [{"lot": lots.get(row.lot_id), "quantity": row.quantity, "sites": list(row.sites)}
                      for row in rows.get(event.pgh_context_id, [])]}
        for revision, event in sorted(snapshots.items())
    ]
