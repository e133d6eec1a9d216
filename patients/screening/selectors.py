"""Reads of screenings: the doctors' queue, what a screening means for booking."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients.labels import INVESTIGATIONAL_NOT_ACKNOWLEDGED
from patients.models import Patient, Screening
from patients.screening.rules import hard_stop_scope, screening_blocks_for, screening_warnings_for
from protocols.selectors import protocols_with_children

# hard_stop_scope's words (the rules are pure and compare them) in the page's language.
SCOPE_WORDS = {
    "every protocol": gettext_lazy("every protocol"),
    "protocols with PRP": gettext_lazy("protocols with PRP"),
    "protocols with finasteride": gettext_lazy("protocols with finasteride"),
}
SCREENING_RELATED = ("override", "override__doctor", "taken_by", "patient", "review_requested",
                     "review_requested__asked_by")


def screenings_of(patient: Patient) -> QuerySet[Screening]:
    """A patient's screenings, newest first, with their overrides and authors."""
    return (
        Screening.objects.filter(patient=patient)
        .select_related(*SCREENING_RELATED)
        .order_by("-taken_at", "-id")
    )


def screenings_needing_review() -> QuerySet[Screening]:
    """The doctors' queue: screenings with hard stops and no override, oldest first (the home
    page's "Screenings to review" and the API's `?needs_review=true`)."""
    return (
        Screening.objects.exclude(hard_stops=[])
        .filter(override__isnull=True)
        .select_related(*SCREENING_RELATED)
        .order_by("taken_at", "id")
    )


@dataclass(frozen=True)
class HardStopScope:
    code: str
    scope: str  # "every protocol", "protocols with PRP", ...
    protocols: list[str]  # codes of the active protocols it blocks
    active: int  # how many protocols are active
    overridden: bool

    @property
    def blocks_every_protocol(self) -> bool:
        """The sentence is "Blocks every protocol"."""
        if self.scope == "every protocol" and not self.overridden and not self.active:
            return True
        return bool(self.protocols) and len(self.protocols) == self.active and self.scope == "every protocol"

    @property
    def sentence(self) -> str:
        """'Blocks protocols with PRP: EXO-PRP-AGA, PRP-AGA', 'Blocks every protocol', ..., in the page's language."""
        codes = ", ".join(self.protocols)
        scope = SCOPE_WORDS.get(self.scope, self.scope)
        if self.blocks_every_protocol:
            return _("Blocks every protocol")
        if self.protocols:
            if self.scope == "every protocol":
                return _("Blocks %(protocols)s (the doctor's override opens the others)") % {"protocols": codes}
            return _("Blocks %(scope)s: %(protocols)s") % {"scope": scope, "protocols": codes}
        if self.overridden:
            return _("Would block %(scope)s: the doctor's override opens them") % {"scope": scope}
        return _("Would block %(scope)s: none is active") % {"scope": scope}


@dataclass(frozen=True)
class ScreeningVerdict:
    """What a screening means for booking, protocol by protocol, as the patient page shows it."""

    stops: list[HardStopScope]
    blocked: list[Any]  # active protocols the screening blocks
    open: list[Any]  # active protocols it lets through

    @property
    def blocks_all(self) -> bool:
        if not self.total:
            # No protocol is active yet: say what the answers would block.
            return any(stop.blocks_every_protocol for stop in self.stops)
        return bool(self.blocked) and not self.open

    @property
    def blocks_any(self) -> bool:
        return bool(self.blocked) or self.blocks_all

    @property
    def total(self) -> int:
        return len(self.blocked) + len(self.open)


def screening_verdict(screening: Screening, protocols: list[Any] | None = None) -> ScreeningVerdict:
    """Which active protocols this screening blocks and why, asking `screening_blocks_for` (the
    one rule) of each protocol."""
    if protocols is None:
        protocols = list(protocols_with_children().filter(status="active").order_by("code"))
    by_stop: dict[str, list[str]] = {code: [] for code in screening.hard_stops}
    blocked, open_ = [], []
    for protocol in protocols:
        stops = screening_blocks_for(screening, protocol)
        (blocked if stops else open_).append(protocol)
        for code in stops:
            by_stop.setdefault(code, []).append(protocol.code)
    overridden = screening.is_overridden
    stops = [HardStopScope(code, hard_stop_scope(code), codes, len(protocols), overridden)
             for code, codes in by_stop.items()]
    return ScreeningVerdict(stops=stops, blocked=blocked, open=open_)


def booking_warning_codes(*, patient: Patient, screening: Screening | None, protocol: Any) -> list[str]:
    """The contract's coded booking warnings: `investigational_not_acknowledged` while the patient
    has not acknowledged it, then the screening's warnings for this protocol (pages show labels)."""
    codes = [] if patient.investigational_ack else [INVESTIGATIONAL_NOT_ACKNOWLEDGED]
    if screening is not None:
        codes += screening_warnings_for(screening, protocol)
    return codes


def screening_latest_valid(patient: Patient, now: datetime) -> Screening | None:
    """The newest screening taken within SCREENING_VALID_DAYS before `now` (none in the future)."""
    since = now - timedelta(days=settings.SCREENING_VALID_DAYS)
    # Booking reads it for its verdict, which needs the override and the patient: the override is
    # joined, the patient is the one given.
    screening = (Screening.objects.filter(patient=patient, taken_at__gte=since, taken_at__lte=now)
                 .select_related("override").order_by("-taken_at", "-id").first())
    if screening is not None:
        screening.patient = patient
    return screening


def screenings_latest_valid_of(patient_ids: list[int], now: datetime) -> dict[int, Screening]:
    """`screening_latest_valid` for many patients at once, by patient id (a patient with no valid
    screening is absent): one query, for a day's list at the desk."""
    since = now - timedelta(days=settings.SCREENING_VALID_DAYS)
    rows = (Screening.objects.filter(patient_id__in=set(patient_ids), taken_at__gte=since, taken_at__lte=now)
            .select_related("override", "patient").order_by("patient_id", "-taken_at", "-id").distinct("patient_id"))
    return {screening.patient_id: screening for screening in rows}


def screening_valid_for_booking(patient: Patient, protocol: Any, now: datetime) -> tuple[Screening | None, list[str]]:
    """What booking asks: the screening that counts (None: 'screening_required') and the hard
    stops that block this protocol (empty once a doctor has overridden them)."""
    screening = screening_latest_valid(patient, now)
    if screening is None:
        return None, []
    return screening, screening_blocks_for(screening, protocol)
