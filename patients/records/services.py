"""Writes of the treatment room: products, lots, recalls, and recording what was given at a visit.

Recording completes the session through the booking's one state machine
(patients.booking.status.session_set_status), in the same transaction: nothing is written when
any rule refuses. Lots are locked (SELECT ... FOR UPDATE, in id order, so two records never wait
on each other in a circle) before what is left of them is counted, so two doctors racing for the
last millilitres of a lot cannot both have them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.errors import Conflict, Unprocessable
from clinic.formats import written_date
from patients.booking.models import Session
from patients.booking.status import TRANSITIONS, InvalidTransition, session_set_status, visit_day_refusal
from patients.consent.selectors import consents_require

from . import selectors
from .models import Lot, Product, SessionRecord, SessionRecordProduct, source_category_label


class LotExpired(Unprocessable):
    code = "lot_expired"


class LotRecalled(Unprocessable):
    code = "lot_recalled"


class LotExhausted(Unprocessable):
    code = "lot_exhausted"


class ProductNotAllowed(Unprocessable):
    code = "product_not_allowed"


class AlreadyRecorded(Conflict):
    code = "already_recorded"


@dataclass(frozen=True)
class Given:
    """One product row of a record, as the service takes it."""

    lot: Lot | int
    quantity: Decimal
    sites: list[str]

    @property
    def lot_id(self) -> int:
        return self.lot.pk if isinstance(self.lot, Lot) else int(self.lot)


def _given(rows: Iterable[Given | Mapping[str, Any]]) -> list[Given]:
    return [row if isinstance(row, Given) else Given(lot=row["lot"], quantity=Decimal(row["quantity"]),
                                                     sites=list(row["sites"])) for row in rows]


def _context(action: str, by, **extra: Any):
    return pghistory.context(action=action, **({"user": by.pk} if getattr(by, "pk", None) else {}), **extra)


def _full_clean(instance, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=True)


# --- Products and lots ----------------------------------------------------------------------------


def product_create(*, data: Mapping[str, Any], by=None) -> Product:
    """Add a product to the catalogue (an exosome product names its source category)."""
    with transaction.atomic(), _context("product_create", by):
        product = Product(**data)
        _full_clean(product)
        product.save()
    return product


def product_update(*, product: Product, data: Mapping[str, Any], by=None) -> Product:
    """Change a product; it is never deleted (its lots and records point at it): set `active` false."""
    with transaction.atomic(), _context("product_update", by):
        product = Product.objects.select_for_update().get(pk=product.pk)
        for field, value in data.items():
            setattr(product, field, value)
        _full_clean(product)
        product.save()
    return product


def lot_create(*, data: Mapping[str, Any], by=None) -> Lot:
    """Receive a lot of a product."""
    with transaction.atomic(), _context("lot_create", by):
        lot = Lot(**data)
        _full_clean(lot)
        lot.save()
    return lot


def lot_update(*, lot: Lot, data: Mapping[str, Any], by=None) -> Lot:
    """Correct a lot's number, dates or quantity. Its product stays once a record used it, and
    what was received never falls below what the records used."""
    with transaction.atomic(), _context("lot_update", by):
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        used = selectors.lots_used([lot.pk])[lot.pk]
        if "product" in data and data["product"].pk != lot.product_id and used:
            raise ValidationError({"product": [_("This lot has been given to patients: its product cannot change.")]})
        for field, value in data.items():
            setattr(lot, field, value)
        if lot.quantity_received < used:
            raise ValidationError({"quantity_received": [
                _("The records have already used %(used)s %(unit)s of this lot: it cannot have received less.")
                % {"used": used, "unit": lot.product.get_unit_display()}
            ]})
        _full_clean(lot)
        lot.save()
    return lot


def lot_recall(*, lot: Lot, reason: str, by=None, now: datetime | None = None) -> tuple[Lot, list[dict]]:
    """Mark a lot recalled (it is never given again) and return every record that used it.
    Recalling a recalled lot changes nothing and returns the same list."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the lot is recalled (the manufacturer's notice, say).")]})
    with transaction.atomic(), _context("lot_recall", by):
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        if not lot.recalled:
            lot.recalled, lot.recall_reason, lot.recalled_at = True, reason, now
            lot.recalled_by = by if getattr(by, "pk", None) else None
            _full_clean(lot)
            lot.save(update_fields=["recalled", "recall_reason", "recalled_at", "recalled_by"])
        affected = selectors.lot_patients(lot)
    return lot, affected


# --- Session records -------------------------------------------------------------------------------


def _lock_lots(rows: list[Given]) -> dict[int, Lot]:
    """Lock every lot the rows name, in id order (no deadlock between two records)."""
    ids = sorted({row.lot_id for row in rows})
    lots = {lot.pk: lot for lot in Lot.objects.select_for_update(of=("self",)).select_related("product")
            .filter(pk__in=ids).order_by("pk")}
    missing = [lot_id for lot_id in ids if lot_id not in lots]
    if missing:
        raise ValidationError({"products": [_("There is no lot %(id)s.") % {"id": missing[0]}]})
    return lots


def _check_rows(rows: list[Given]) -> None:
    errors = []
    for index, row in enumerate(rows):
        problem = SessionRecordProduct(lot_id=row.lot_id, quantity=row.quantity, sites=row.sites)
        try:
            problem.clean_fields(exclude=["record", "lot"])
        except ValidationError as error:
            messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            errors.append(_("Row %(row)s: %(problems)s") % {"row": index + 1, "problems": messages})
        if not row.sites:
            errors.append(_("Row %(row)s: name at least one scalp site.") % {"row": index + 1})
        elif len(set(row.sites)) != len(row.sites):
            errors.append(_("Row %(row)s: a site is named twice.") % {"row": index + 1})
    if errors:
        raise ValidationError({"products": errors})


def _check_lots(*, session: Session, rows: list[Given], lots: dict[int, Lot], record: SessionRecord | None,
                kept: set[int]) -> None:
    """The contract's 422s, lot by lot in the order given. `kept`: lots the record already used
    (an amendment may keep a lot recalled since the visit: it was given before the recall)."""
    day = selectors.session_local_date(session)
    protocol = session.course.protocol
    used = selectors.lots_used(lots, excluding_record=record)
    wanted: dict[int, Decimal] = {}
    for row in rows:
        wanted[row.lot_id] = wanted.get(row.lot_id, Decimal("0")) + row.quantity
    for lot_id in dict.fromkeys(row.lot_id for row in rows):
        lot = lots[lot_id]
        extra = {"lot": lot.pk, "lot_number": lot.lot_number}
        if lot.recalled and lot_id not in kept:
            raise LotRecalled(_("Lot %(number)s of %(product)s is recalled: it is never given.")
                              % {"number": lot.lot_number, "product": lot.product.name}, **extra)
        if lot.expires_on < day:
            raise LotExpired(
                _("Lot %(number)s of %(product)s expired on %(expired)s, before this visit (%(day)s): "
                  "pick another lot.") % {"number": lot.lot_number, "product": lot.product.name,
                                          "expired": written_date(lot.expires_on, "date"),
                                          "day": written_date(day, "date")}, **extra)
        if lot.product.kind == "exosome" and lot.product.source_category != protocol.source_category:
            raise ProductNotAllowed(
                _("%(product)s is a %(category)s exosome product; this course's protocol (%(code)s) uses a "
                  "%(wanted)s source.") % {
                    "product": lot.product.name, "code": protocol.code,
                    "category": str(source_category_label(lot.product.source_category)).lower(),
                    "wanted": str(source_category_label(protocol.source_category)).lower()}, **extra)
        left = lot.quantity_received - used[lot_id]
        if wanted[lot_id] > left:
            raise LotExhausted(
                _("Only %(left)s %(unit)s of lot %(number)s is left; %(wanted)s was asked for.")
                % {"left": left, "unit": lot.product.get_unit_display(), "number": lot.lot_number,
                   "wanted": wanted[lot_id]},
                quantity_left=str(left), **extra)


def _write_rows(record: SessionRecord, rows: list[Given]) -> None:
    SessionRecordProduct.objects.bulk_create(
        SessionRecordProduct(record=record, lot_id=row.lot_id, quantity=row.quantity, sites=list(row.sites))
        for row in rows
    )


def _clean_record(record: SessionRecord) -> None:
    from protocols.models import VisitAdjunct

    unknown = [code for code in record.adjuncts_done if code not in VisitAdjunct.values]
    if unknown:
        raise ValidationError({"adjuncts_done": [_("“%(code)s” is not a visit adjunct (%(known)s).")
                                                 % {"code": unknown[0], "known": ", ".join(VisitAdjunct.values)}]})
    if len(set(record.adjuncts_done)) != len(record.adjuncts_done):
        raise ValidationError({"adjuncts_done": [_("An adjunct is named twice.")]})
    record.clean_fields(exclude=["session", "recorded_by", "amended_by"])


def _complete(session: Session, *, by, now: datetime) -> None:
    """Complete the session through the one state machine. A booked or confirmed patient who is
    being treated has arrived: the session goes through `arrived` when the machine asks for it."""
    if session.status == "completed":
        return
    if "completed" not in TRANSITIONS[session.status]:
        session_set_status(session=session, status="arrived", by=by, now=now)
    session_set_status(session=session, status="completed", by=by, now=now)


def session_record(*, session: Session, products: Iterable[Given | Mapping[str, Any]], adjuncts_done: list[str],
                   notes: str = "", by, now: datetime | None = None) -> SessionRecord:
    """Record what was given at a visit and complete the session (its aftercare email is queued),
    in one transaction. Refuses, writing nothing: 409 invalid_transition (a cancelled or no-show
    session, or one whose local day has not come), 409 already_recorded, 422 consent_required, lot_recalled,
    lot_expired, product_not_allowed, lot_exhausted."""
    now = now or timezone.now()
    rows = _given(products)
    with transaction.atomic(), _context("session_record", by):
        session = (Session.objects.select_for_update(of=("self",)).select_related("location", "course__protocol")
                   .get(pk=session.pk))
        if session.status in Session.RELEASED:
            raise InvalidTransition(_("A %(status)s session cannot be recorded.")
                                    % {"status": str(session.get_status_display()).lower()})
        if SessionRecord.objects.filter(session=session).exists():
            raise AlreadyRecorded(_("Session %(number)s is already recorded: amend its record instead.")
                                  % {"number": session.number})
        refusal = visit_day_refusal(session=session, now=now, doing="recorded")
        if refusal:
            raise InvalidTransition(refusal)
        consents_require(patient=session.patient_id, protocol=session.course.protocol,
                         doing=_("Recording session %(number)s") % {"number": session.number})
        if not rows and session.kind == "treatment":
            raise ValidationError({"products": [_("A treatment visit records at least one product given.")]})
        _check_rows(rows)
        record = SessionRecord(session=session, adjuncts_done=list(adjuncts_done), notes=(notes or "").strip(),
                               recorded_by=by, recorded_at=now)
        _clean_record(record)
        lots = _lock_lots(rows)
        _check_lots(session=session, rows=rows, lots=lots, record=None, kept=set())
        record.save()
        _write_rows(record, rows)
        _complete(session, by=by, now=now)
    return record


def session_record_amend(*, record: SessionRecord, reason: str,
                         products: Iterable[Given | Mapping[str, Any]] | None = None,
                         adjuncts_done: list[str] | None = None, notes: str | None = None,
                         by, now: datetime | None = None) -> SessionRecord:
    """Correct a record. What is not given stays; the earlier content stays in the history
    (pghistory's events, with the reason in the amending update and in its context). Quantities
    move with it: lots are re-checked (exhaustion counts every other record)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the record is amended.")]})
    rows = None if products is None else _given(products)
    with transaction.atomic(), _context("session_record_amend", by, reason=reason):
        record = SessionRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        session = Session.objects.select_related("location", "course__protocol").get(pk=record.session_id)
        if adjuncts_done is not None:
            record.adjuncts_done = list(adjuncts_done)
        if notes is not None:
            record.notes = notes.strip()
        record.revision += 1
        record.amended_by, record.amended_at, record.amend_reason = by, now, reason
        _clean_record(record)
        if rows is not None:
            if not rows and session.kind == "treatment":
                raise ValidationError({"products": [_("A treatment visit records at least one product given.")]})
            _check_rows(rows)
            lots = _lock_lots(rows)
            kept = set(record.products.values_list("lot_id", flat=True))
            _check_lots(session=session, rows=rows, lots=lots, record=record, kept=kept)
            record.products.all().delete()
            _write_rows(record, rows)
        record.save()
    return record
