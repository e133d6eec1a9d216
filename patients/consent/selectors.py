"""Reads of consent documents and signatures, and the one rule of what a visit needs signed.

`consents_missing` is that rule; `consents_require` raises the contract's 422 `consent_required`
from it. The status service (arrived, completed), the record service and the photo upload call
`consents_require`, never a copy of the query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from clinic.errors import Unprocessable
from patients.registry.models import Patient

from .models import AppliesTo, ConsentDocument, ConsentSignature, DocumentStatus
from .rules import LANGUAGE_NAMES_SHOWN, RIGHT_TO_LEFT, language_shown, text_sha256

if TYPE_CHECKING:
    from protocols.models import Protocol


class ConsentRequired(Unprocessable):
    code = "consent_required"


def documents_required(*, protocol: Protocol | str | None = None, photos: bool = False,
                       codes: Iterable[str] = ()) -> QuerySet[ConsentDocument]:
    """The active documents a visit of this protocol needs (those for every treatment and those
    listing its code; with `codes`, a visit of any of those protocol codes), or, with `photos`,
    those for photographs. No active document: none needed."""
    if photos:
        applies = Q(applies_to=AppliesTo.PHOTOS)
    else:
        code = protocol if isinstance(protocol, str) or protocol is None else protocol.code
        listed = sorted({*codes, *([code] if code else [])})
        applies = Q(applies_to=AppliesTo.ALL)
        if listed:
            applies |= Q(applies_to=AppliesTo.PROTOCOLS, protocol_codes__overlap=listed)
    return ConsentDocument.objects.filter(applies, status=DocumentStatus.ACTIVE).order_by("code")


def consents_missing(*, patient: Patient | int, protocol: Protocol | str | None = None,
                     photos: bool = False) -> list[str]:
    """The codes of the active documents this visit (or, with `photos`, a photograph) needs that
    the patient has not signed, in code order. A signature counts for the version signed only:
    a new active version needs a new signature. One query."""
    patient_id = patient.pk if isinstance(patient, Patient) else patient
    signed = ConsentSignature.objects.filter(document=OuterRef("pk"), patient_id=patient_id)
    required = documents_required(protocol=protocol, photos=photos)
    return list(required.filter(~Exists(signed)).values_list("code", flat=True))


def unsigned_documents_of[K](asks: Mapping[K, tuple[int, Iterable[str]]]) -> dict[K, list[ConsentDocument]]:
    """For each ask, a (patient id, protocol codes): the active documents a visit of any of those
    codes needs (those for every treatment, and those listing one of the codes) that the patient
    has not signed, in code order; no codes, none. `consents_missing`'s rule for many patients
    at once, in two queries whatever their number (a day's list at the desk, a batch of emails)."""
    asks = {key: (patient, set(codes)) for key, (patient, codes) in asks.items()}
    every_code = set().union(*(codes for _, codes in asks.values()))
    if not every_code:
        return {key: [] for key in asks}
    documents = list(documents_required(codes=every_code))
    patients = {patient for patient, _ in asks.values()}
    signed = set(ConsentSignature.objects.filter(document_id__in=[document.pk for document in documents],
                                                 patient_id__in=patients).values_list("patient_id", "document_id"))
    return {
        key: [
            document for document in documents
            if (document.applies_to == AppliesTo.ALL or not codes.isdisjoint(document.protocol_codes))
            and (patient, document.pk) not in signed
        ] if codes else []
        for key, (patient, codes) in asks.items()
    }


def consents_missing_for_visits(visits: Iterable[tuple[int, str]]) -> dict[tuple[int, str], list[str]]:
    """`consents_missing` for many visits at once, each a (patient id, protocol code): what each
    still needs signed, in code order (two queries)."""
    unsigned = unsigned_documents_of({(patient, code): (patient, [code]) for patient, code in visits})
    return {visit: [document.code for document in documents] for visit, documents in unsigned.items()}


def consents_require(*, patient: Patient | int, protocol: Protocol | str | None = None, photos: bool = False,
                     doing: str | None = None) -> None:
    """Raise ConsentRequired (422 `consent_required`, body `{"documents": [codes]}`) unless the
    patient has signed every active document that applies."""
    missing = consents_missing(patient=patient, protocol=protocol, photos=photos)
    if missing:
        raise ConsentRequired(
            _("%(doing)s needs the patient's signature of %(documents)s: sign at the desk first.") % {
                "doing": doing if doing is not None else _("This visit"), "documents": ", ".join(missing)},
            documents=missing,
        )


def documents_active() -> QuerySet[ConsentDocument]:
    return ConsentDocument.objects.filter(status=DocumentStatus.ACTIVE).order_by("code")


def signatures_of(patient: Patient | int) -> QuerySet[ConsentSignature]:
    patient_id = patient.pk if isinstance(patient, Patient) else patient
    return (ConsentSignature.objects.filter(patient_id=patient_id).select_related("document", "recorded_by")
            .order_by("-signed_at", "-id"))


@dataclass(frozen=True)
class Shown:
    """A document as one patient is shown it: the language (theirs, else English) and its text."""

    document: ConsentDocument
    language: str
    title: str
    body: str
    sha256: str

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES_SHOWN[self.language]

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"


def document_shown(document: ConsentDocument, language: str | None) -> Shown:
    shown = language_shown(document.texts, language)
    text = document.texts[shown]
    return Shown(document, shown, text["title"], text["body"], text_sha256(document.texts, shown))


@dataclass(frozen=True)
class PatientConsents:
    """The patient page's Consents section: what they signed, and the active documents still to sign."""

    signatures: list[ConsentSignature]
    to_sign: list[ConsentDocument]


def patient_consents(patient: Patient) -> PatientConsents:
    """Two queries: the patient's signatures, and the active documents they have not signed."""
    signatures = list(signatures_of(patient))
    signed = {signature.document_id for signature in signatures}
    return PatientConsents(signatures, [d for d in documents_active() if d.pk not in signed])
