"""Screening writes: record the answers, a doctor's override, the desk's request for review."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.errors import Conflict, Forbidden, Unprocessable
from clinic.roles import Role, has_role
from patients.models import Patient, Screening, ScreeningOverride, ScreeningReviewRequest
from patients.screening import rules
from patients.validators import validate_free_text
from protocols.models import Protocol

OVERRIDE_REASON_MAX_LENGTH = 2000


def screening_record(
    *, patient: Patient, answers: Mapping[str, Any], by: AbstractBaseUser | None, taken_at: datetime | None = None,
    reported_by: str = "staff",
) -> Screening:
    """Record a screening: every question answered true or false. Its hard stops and warnings
    are computed here, without a protocol (every rule that could apply). `reported_by="patient"`
    (and no `by`): the patient filled it in on their own page."""
    problems = rules.answers_problems(answers)
    unknown = sorted(set(answers) - set(rules.ANSWER_KEYS)) if isinstance(answers, Mapping) else []
    problems.update({key: gettext("This is not a screening question.") for key in unknown})
    if problems:
        raise ValidationError(problems)
    result = rules.screening_evaluate(answers)
    with transaction.atomic():
        return Screening.objects.create(
            patient=patient, taken_by=by, taken_at=taken_at or timezone.now(), reported_by=reported_by,
            hard_stops=result.hard_stops, warnings=result.warnings,
            **{key: answers[key] for key in rules.ANSWER_KEYS},
        )


def _override_scope(protocols: Any) -> list[str]:
    """The protocol codes an override is limited to, checked: a list of known codes, at least one."""
    if not isinstance(protocols, (list, tuple)) or not all(isinstance(code, str) for code in protocols):
        raise ValidationError({"protocols": gettext("Give the protocols as a list of protocol codes.")})
    codes = list(dict.fromkeys(code.strip() for code in protocols if code.strip()))
    if not codes:
        raise ValidationError({"protocols": gettext("Name at least one protocol code, or leave protocols out to "
                                                    "clear the hard stops for every protocol.")})
    known = set(Protocol.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError({"protocols": gettext("No protocol has the code %(codes)s.")
                                             % {"codes": ", ".join(unknown)}})
    return codes


def screening_override(
    *, screening: Screening, reason: str, protocols: Any = None, by: AbstractBaseUser
) -> ScreeningOverride:
    """A doctor clears a screening's hard stops for booking, with a written reason that stays
    on record: for the listed protocol codes only when `protocols` is given, else for every
    protocol. Only doctors (and admins); once per screening; only when there is something to clear."""
    if not has_role(by, Role.DOCTOR):
        raise Forbidden(gettext("Only a doctor can override a screening's hard stops."))
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": gettext("Write why the hard stops do not apply: the reason stays on record.")})
    if len(reason) > OVERRIDE_REASON_MAX_LENGTH:
        raise ValidationError({"reason": gettext("At most %(count)s characters.")
                                         % {"count": OVERRIDE_REASON_MAX_LENGTH}})
    try:
        validate_free_text(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    scope = _override_scope(protocols) if protocols is not None else []
    with transaction.atomic():
        # Lock the screening so two doctors cannot both override it.
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if ScreeningOverride.objects.filter(screening=screening).exists():
            raise Conflict(gettext("This screening has already been overridden."), code="already_overridden")
        if not screening.hard_stops:
            raise Unprocessable(gettext("This screening has no hard stops to override."), code="nothing_to_override")
        return ScreeningOverride.objects.create(screening=screening, reason=reason, protocols=scope, doctor=by)


def screening_review_request(*, screening: Screening, by: AbstractBaseUser) -> ScreeningReviewRequest:
    """The desk asks a doctor to review a screening's hard stops: it is flagged in the doctors'
    queue with who asked and when. Asking again changes nothing (the first request stands)."""
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if not screening.hard_stops:
            raise Unprocessable(gettext("This screening has no hard stops for a doctor to review."),
                                code="nothing_to_override")
        if ScreeningOverride.objects.filter(screening=screening).exists():
            raise Conflict(gettext("A doctor has already overridden this screening."), code="already_overridden")
        request, _ = ScreeningReviewRequest.objects.get_or_create(screening=screening, defaults={"asked_by": by})
    return request
