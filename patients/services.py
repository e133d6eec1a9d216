"""Everything that writes patients, consents, screenings, overrides and access-log rows.

Pages and the API both call these; each validates and runs in one transaction, so bad input
changes nothing.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.request import Request

from clinic.errors import Conflict, DomainError, Unprocessable
from clinic.roles import Role, has_role
from protocols.models import Protocol

from . import screening as rules
from .models import Consent, Patient, PatientAccess, Screening, ScreeningOverride, ScreeningReviewRequest
from .selectors import patient_likely_duplicates
from .validators import validate_free_text

PATIENT_FIELDS = (
    "first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone", "notes",
)
CONSENT_FIELDS = {
    "reminder_opt_in": Consent.Kind.REMINDER_EMAILS,
    "investigational_ack": Consent.Kind.INVESTIGATIONAL_ACK,
}
OVERRIDE_REASON_MAX_LENGTH = 2000


def _forbidden(detail: str) -> DomainError:
    return DomainError(detail, code="forbidden", status=403)


def patient_create(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    sex: str,
    timezone: str,
    email: str = "",
    phone: Any = "",
    language: str = Patient.Language.EN,
    notes: str = "",
    reminder_opt_in: bool = False,
    investigational_ack: bool = False,
    allow_duplicate: bool = False,
    by: AbstractBaseUser,
) -> Patient:
    """Register a patient and record the consents given at the desk.

    A likely duplicate (same email, or same phone and date of birth) raises Conflict
    `possible_duplicate` with their ids, unless `allow_duplicate` says someone has looked.
    """
    patient = Patient(
        first_name=first_name, last_name=last_name, email=email or "", phone=phone or "",
        date_of_birth=date_of_birth, sex=sex, language=language, timezone=timezone, notes=notes or "",
    )
    patient.full_clean()
    with transaction.atomic():
        if not allow_duplicate:
            duplicates = patient_likely_duplicates(
                email=patient.email, phone=patient.phone, date_of_birth=patient.date_of_birth
            )
            if duplicates:
                raise Conflict(
                    "A patient with the same email, or the same phone and date of birth, is already registered.",
                    code="possible_duplicate", duplicates=[p.pk for p in duplicates],
                )
        patient.save()
        for field, given in (("reminder_opt_in", reminder_opt_in), ("investigational_ack", investigational_ack)):
            if given:
                consent_record(patient=patient, kind=CONSENT_FIELDS[field], given=True, by=by)
    return patient


def patient_update(*, patient: Patient, changes: Mapping[str, Any], by: AbstractBaseUser) -> Patient:
    """Change a patient's details; a change of consent is recorded as a new Consent row."""
    unknown = set(changes) - set(PATIENT_FIELDS) - set(CONSENT_FIELDS)
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in sorted(unknown)})
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        email_before = patient.email
        for field in PATIENT_FIELDS:
            if field in changes:
                setattr(patient, field, changes[field] if changes[field] is not None else "")
        patient.full_clean()
        if patient.email and patient.email != email_before:
            # A new valid address: the bounce or complaint was about the old one (patients/delivery.py).
            patient.email_undeliverable, patient.email_undeliverable_at = "", None
        patient.save()
        for field, kind in CONSENT_FIELDS.items():
            if field in changes and bool(changes[field]) != getattr(patient, field):
                consent_record(patient=patient, kind=kind, given=bool(changes[field]), by=by)
                patient.refresh_from_db(fields=[field])
    return patient


def consent_record(*, patient: Patient, kind: str, given: bool, by: AbstractBaseUser) -> Consent:
    """Record that the patient gave or withdrew a consent; the patient's flag follows the latest."""
    if kind not in Consent.Kind.values:
        raise ValidationError({"kind": f"“{kind}” is not a kind of consent."})
    if not isinstance(given, bool):
        raise ValidationError({"given": "Consent is given (true) or withdrawn (false)."})
    field = {v: k for k, v in CONSENT_FIELDS.items()}[kind]
    with transaction.atomic():
        consent = Consent.objects.create(patient=patient, kind=kind, given=given, recorded_by=by)
        Patient.objects.filter(pk=patient.pk).update(**{field: given, "updated_at": timezone.now()})
        setattr(patient, field, given)
    return consent


def screening_record(
    *, patient: Patient, answers: Mapping[str, Any], by: AbstractBaseUser, taken_at: datetime | None = None
) -> Screening:
    """Record a screening: every question answered true or false. Its hard stops and warnings
    are computed here, without a protocol (every rule that could apply)."""
    problems = rules.answers_problems(answers)
    unknown = sorted(set(answers) - set(rules.ANSWER_KEYS)) if isinstance(answers, Mapping) else []
    problems.update({key: "This is not a screening question." for key in unknown})
    if problems:
        raise ValidationError(problems)
    result = rules.screening_evaluate(answers)
    with transaction.atomic():
        return Screening.objects.create(
            patient=patient, taken_by=by, taken_at=taken_at or timezone.now(),
            hard_stops=result.hard_stops, warnings=result.warnings,
            **{key: answers[key] for key in rules.ANSWER_KEYS},
        )


def _override_scope(protocols: Any) -> list[str]:
    """The protocol codes an override is limited to, checked: a list of known codes, at least one."""
    if not isinstance(protocols, (list, tuple)) or not all(isinstance(code, str) for code in protocols):
        raise ValidationError({"protocols": "Give the protocols as a list of protocol codes."})
    codes = list(dict.fromkeys(code.strip() for code in protocols if code.strip()))
    if not codes:
        raise ValidationError({"protocols": "Name at least one protocol code, or leave protocols out to clear "
                                            "the hard stops for every protocol."})
    known = set(Protocol.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError({"protocols": f"No protocol has the code {', '.join(unknown)}."})
    return codes


def screening_override(
    *, screening: Screening, reason: str, protocols: Any = None, by: AbstractBaseUser
) -> ScreeningOverride:
    """A doctor clears a screening's hard stops for booking, with a written reason that stays
    on record: for the listed protocol codes only when `protocols` is given, else for every
    protocol. Only doctors (and admins); once per screening; only when there is something to clear."""
    if not has_role(by, Role.DOCTOR):
        raise _forbidden("Only a doctor can override a screening's hard stops.")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": "Write why the hard stops do not apply: the reason stays on record."})
    if len(reason) > OVERRIDE_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"At most {OVERRIDE_REASON_MAX_LENGTH} characters."})
    try:
        validate_free_text(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    scope = _override_scope(protocols) if protocols is not None else []
    with transaction.atomic():
        # Lock the screening so two doctors cannot both override it.
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if ScreeningOverride.objects.filter(screening=screening).exists():
            raise Conflict("This screening has already been overridden.", code="already_overridden")
        if not screening.hard_stops:
            raise Unprocessable("This screening has no hard stops to override.", code="nothing_to_override")
        return ScreeningOverride.objects.create(screening=screening, reason=reason, protocols=scope, doctor=by)


def screening_review_request(*, screening: Screening, by: AbstractBaseUser) -> ScreeningReviewRequest:
    """The desk asks a doctor to review a screening's hard stops: it is flagged in the doctors'
    queue with who asked and when. Asking again changes nothing (the first request stands)."""
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if not screening.hard_stops:
            raise Unprocessable("This screening has no hard stops for a doctor to review.",
                                code="nothing_to_override")
        if ScreeningOverride.objects.filter(screening=screening).exists():
            raise Conflict("A doctor has already overridden this screening.", code="already_overridden")
        request, _ = ScreeningReviewRequest.objects.get_or_create(screening=screening, defaults={"asked_by": by})
    return request


def patient_access_record(
    *, request: HttpRequest | Request, patients: Iterable[Patient | int | None], what: str
) -> int:
    """Write to the access log that the request's user saw these patients' data: one row per
    patient shown (a list of 25 is 25 rows), all in one INSERT, none when nobody was shown.

    Every page and API answer that shows patient data calls this once, after reading what it
    shows. `what` is a PatientAccess.What; the API or a page is told from the request."""
    kind = PatientAccess.What(what)
    shown = dict.fromkeys(p.pk if isinstance(p, Patient) else p for p in patients)
    shown.pop(None, None)
    if not shown:
        return 0
    via = PatientAccess.Via.API if isinstance(request, Request) else PatientAccess.Via.PAGE
    at, user_id, path = timezone.now(), request.user.pk, request.path[:300]
    PatientAccess.objects.bulk_create(
        PatientAccess(patient_id=pk, user_id=user_id, at=at, via=via, what=kind, path=path) for pk in shown
    )
    return len(shown)


def patient_history_read(*, request: HttpRequest, obj: Model) -> None:
    """The change history of a patient's record, consent, screening, override, course or session
    shows that patient's data: log it like any other read."""
    if isinstance(obj, Patient):
        patient_id = obj.pk
    elif isinstance(obj, ScreeningOverride):
        patient_id = obj.screening.patient_id
    else:
        patient_id = getattr(obj, "patient_id", None)
    patient_access_record(request=request, patients=[patient_id], what=PatientAccess.What.HISTORY)
