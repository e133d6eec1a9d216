"""Everything that writes patients, consents, screenings, overrides and access-log rows.

Pages and the API both call these; each validates and runs in one transaction, so bad input
changes nothing.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request

from clinic.errors import Conflict, DomainError
from patients.models import Consent, Patient, PatientAccess, ScreeningOverride
from patients.registry.selectors import patient_likely_duplicates

if TYPE_CHECKING:
    from patients.registry.imports import ImportReport

PATIENT_FIELDS = (
    "first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone", "notes",
)
CONSENT_FIELDS = {
    "reminder_opt_in": Consent.Kind.REMINDER_EMAILS,
    "investigational_ack": Consent.Kind.INVESTIGATIONAL_ACK,
}


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
    patient = _patient_checked(
        first_name=first_name, last_name=last_name, email=email, phone=phone, date_of_birth=date_of_birth,
        sex=sex, language=language, timezone=timezone, notes=notes,
    )
    with transaction.atomic():
        if not allow_duplicate:
            duplicates = patient_likely_duplicates(
                email=patient.email, phone=patient.phone, date_of_birth=patient.date_of_birth
            )
            if duplicates:
                raise Conflict(
                    _("A patient with the same email, or the same phone and date of birth, is already registered."),
                    code="possible_duplicate", duplicates=[p.pk for p in duplicates],
                )
        patient.save()
        for field, given in (("reminder_opt_in", reminder_opt_in), ("investigational_ack", investigational_ack)):
            if given:
                consent_record(patient=patient, kind=CONSENT_FIELDS[field], given=True, by=by)
    return patient


def _patient_checked(*, email: Any = "", phone: Any = "", notes: Any = "", **fields: Any) -> Patient:
    """A new, unsaved patient that passed the model's validation (ValidationError otherwise)."""
    patient = Patient(email=email or "", phone=phone or "", notes=notes or "", **fields)
    # Each of the model's CheckConstraints restates a field's choices or Patient.clean(), which
    # full_clean runs anyway; PostgreSQL enforces them on INSERT. Checking them here again costs
    # one query each (a 10,000-row import spent two thirds of its time there).
    patient.full_clean(validate_constraints=False)
    return patient


def patients_create_many(*, rows: Sequence[Mapping[str, Any]], by: AbstractBaseUser) -> list[Patient]:
    """patient_create for many patients at once, likely duplicates allowed: each is validated as
    patient_create validates it, then all are written in a few INSERTs, their consents with them
    (the patient's flag already set, as consent_record leaves it). All or none: a ValidationError
    names the index of the first row refused in `error.row_index` and nothing is written."""
    patients = []
    for index, row in enumerate(rows):
        fields = {k: v for k, v in row.items() if k not in CONSENT_FIELDS}
        try:
            patient = _patient_checked(**fields)
        except ValidationError as error:
            error.row_index = index
            raise
        for field in CONSENT_FIELDS:
            setattr(patient, field, bool(row.get(field, False)))
        patients.append(patient)
    with transaction.atomic():
        Patient.objects.bulk_create(patients, batch_size=1000)
        Consent.objects.bulk_create(
            (Consent(patient=patient, kind=kind, given=True, recorded_by=by)
             for patient in patients for field, kind in CONSENT_FIELDS.items() if getattr(patient, field)),
            batch_size=1000,
        )
    return patients


class ImportInvalid(DomainError):
    """Some rows of an import are invalid: nothing was written. 400 `invalid` with the report."""

    def __init__(self, report: "ImportReport"):
        count = len(report.invalid)
        super().__init__(
            f"{count} row{'s' if count != 1 else ''} of the file {'are' if count != 1 else 'is'} invalid: "
            "nothing was imported. Correct them and import the file again.",
            code="invalid", **report.as_dict(),
        )
        self.report = report


def patients_import(*, report: "ImportReport", by: AbstractBaseUser) -> list[Patient]:
    """Register every patient of a checked import (imports.check), all or none: one invalid row,
    or one that the model's own validation refuses, and nothing is written (ImportInvalid).

    The rows are validated as at the desk and their consents recorded the same way
    (patients_create_many); likely duplicates are created as the API creates them, the report
    having named them."""
    if report.invalid:
        raise ImportInvalid(report)
    try:
        return patients_create_many(rows=[data for _, data in report.checked], by=by)
    except ValidationError as error:
        number = report.checked[error.row_index][0]
        errors = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        report.invalid.append({"row": number, "errors": errors})
        report.valid -= 1
        raise ImportInvalid(report) from None


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
            # A new valid address: the bounce or complaint was about the old one (patients.reminders.delivery).
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
        raise ValidationError({"kind": _("“%(kind)s” is not a kind of consent.") % {"kind": kind}})
    if not isinstance(given, bool):
        raise ValidationError({"given": _("Consent is given (true) or withdrawn (false).")})
    field = {v: k for k, v in CONSENT_FIELDS.items()}[kind]
    with transaction.atomic():
        consent = Consent.objects.create(patient=patient, kind=kind, given=given, recorded_by=by)
        Patient.objects.filter(pk=patient.pk).update(**{field: given, "updated_at": timezone.now()})
        setattr(patient, field, given)
    return consent


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
    # One INSERT with the patients as one array parameter, since the rows differ only by patient:
    # bulk_create's six parameters a row cost a 100-row API answer more than all the rest of its
    # Python (benchmarks/http.py). Every column of PatientAccess but its id is named here.
    with connection.cursor() as cursor:
        cursor.execute(_ACCESS_INSERT, [list(shown), request.user.pk, timezone.now(), via, kind, request.path[:300]])
    return len(shown)


_ACCESS_INSERT = (
    f"INSERT INTO {connection.ops.quote_name(PatientAccess._meta.db_table)} (patient_id, user_id, at, via, what, path) "
    "SELECT unnest(%s::bigint[]), %s, %s, %s, %s, %s"
)


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
