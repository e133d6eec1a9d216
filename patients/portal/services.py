"""What the patient's own page writes: links (issued, revoked, emailed on request), and the
patient's own changes, each through the service the desk uses (session_reschedule with cascade,
session_cancel, screening_record, consent_sign), with the patient named in the audit trail."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.errors import DomainError
from patients.booking.reschedule import session_reschedule
from patients.booking.services import WindowViolation, as_local
from patients.booking.status import InvalidTransition, session_cancel
from patients.consent.services import consent_sign
from patients.models import ConsentDocument, ConsentSignature, Patient, PortalAccess, PortalLinkRequest, Screening
from patients.models import Session as VisitSession
from patients.portal import selectors
from patients.portal.tokens import PortalLink, portal_url
from patients.screening.services import screening_record

REASON_MAX_LENGTH = 2000


class TooManyRequests(DomainError):
    code = "throttled"
    status = 429


def patient_context(patient: Patient, action: str) -> pghistory.context:
    """The audit context of a change the patient made on their own page: the history says so."""
    return pghistory.context(action=action, by="patient", patient=patient.pk)


def portal_link_issue(*, patient: Patient, by=None, now: datetime | None = None) -> PortalLink:
    """A fresh link to the patient's page (for the desk's QR code or an email): valid
    PORTAL_LINK_DAYS, until the patient's links are revoked. Writes nothing."""
    return portal_url(patient, now=now)


def portal_links_revoke(*, patient: Patient, by, now: datetime | None = None) -> PortalAccess:
    """Every link to the patient's page made until now stops working (the epoch goes up)."""
    now = now or timezone.now()
    context = {"action": "portal_links_revoke", **({"user": by.pk} if getattr(by, "pk", None) else {})}
    with transaction.atomic(), pghistory.context(**context):
        access, _ = PortalAccess.objects.get_or_create(patient=patient)
        access = PortalAccess.objects.select_for_update().get(pk=access.pk)
        access.epoch += 1
        access.revoked_at, access.revoked_by = now, by if getattr(by, "pk", None) else None
        access.save()
    return access


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def portal_link_request(*, email: Any, ip: str | None, now: datetime | None = None) -> None:
    """"Email me a new link": the same answer whatever the address. A known address gets one
    email per patient with a fresh link, at most PORTAL_LINK_REQUESTS_PER_DAY a day per address;
    a client past PORTAL_LINK_REQUESTS_PER_IP_HOUR requests in an hour gets TooManyRequests (429).
    ValidationError for something that is not an email address."""
    now = now or timezone.now()
    if not isinstance(email, str) or len(email) > 254:
        raise ValidationError({"email": gettext("Enter your email address.")})
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": gettext("Enter a valid email address.")}) from None
    digest = _email_hash(email)
    with transaction.atomic():
        # Old rows only count for a day: drop them as we go, so the table stays small.
        PortalLinkRequest.objects.filter(requested_at__lt=now - timedelta(days=2)).delete()
        if ip and PortalLinkRequest.objects.filter(
                ip=ip, requested_at__gte=now - timedelta(hours=1)).count() >= settings.PORTAL_LINK_REQUESTS_PER_IP_HOUR:
            raise TooManyRequests(gettext("Too many requests from this connection: please try again in an hour."),
                                  retry_after=3600)
        today = PortalLinkRequest.objects.filter(email_sha256=digest, requested_at__gte=now - timedelta(days=1))
        sent_today = sum(today.values_list("sent", flat=True))
        patients: list[int] = []
        if sent_today < settings.PORTAL_LINK_REQUESTS_PER_DAY:
            patients = list(Patient.objects.filter(email__iexact=email).values_list("pk", flat=True)
                            [: settings.PORTAL_LINK_REQUESTS_PER_DAY - sent_today])
        PortalLinkRequest.objects.create(email_sha256=digest, ip=ip or None, requested_at=now, sent=len(patients))
        if patients:
            transaction.on_commit(lambda: _queue_link_emails(patients))


def _queue_link_emails(patient_ids: list[int]) -> None:
    """Hand the emails to a worker; when the broker is away, send them here and now."""
    from patients.tasks import send_portal_links

    try:
        send_portal_links.delay(patient_ids)
    except Exception:  # the broker is away: the patient still gets the link
        portal_link_emails_send(patient_ids=patient_ids)


def portal_link_emails_send(*, patient_ids: list[int]) -> int:
    """Send each patient an email with a fresh link to their page; returns how many went out."""
    from django.core import mail

    from patients.portal.emails import portal_link_message

    messages = [portal_link_message(patient) for patient in Patient.objects.filter(pk__in=patient_ids)
                if patient.email]
    return mail.mailers.default.send_messages(messages) or 0 if messages else 0


def _check_change(session: VisitSession, now: datetime) -> None:
    refusal = selectors.change_refusal(session, now)
    if refusal == selectors.NOT_MOVABLE:
        message = gettext("Session %(number)s can no longer be changed online.") % {"number": session.number}
        raise InvalidTransition(message)
    if refusal == selectors.TOO_LATE:
        raise selectors.TooLateToChange(
            gettext("Session %(number)s is less than %(hours)s hours away: please ask the clinic to change it.")
            % {"number": session.number, "hours": session.location.change_notice_hours},
            notice_hours=session.location.change_notice_hours)


def portal_session_reschedule(*, patient: Patient, session: VisitSession, start: datetime,
                              now: datetime | None = None) -> tuple[VisitSession, list[VisitSession], list[str]]:
    """The patient moves their own session: inside its window, to a time at least the notice
    ahead, with the desk's service and cascade (later sessions that now break their windows are
    re-placed) and the usual change email. Moving it to the time it already has changes nothing
    (a replayed request). Raises 422 too_late_to_change, 422 window_violation, 409 slot_conflict."""
    now = now or timezone.now()
    if session.patient_id != patient.pk:
        raise selectors.PortalNotFound(gettext("Not found."))
    _check_change(session, now)
    aware = as_local(start, ZoneInfo(session.location.timezone), "start", now=now,
                     past=gettext("The new time is in the past."))
    if aware == session.start:
        return session, [], []
    if aware < selectors.earliest_change(session, now):
        raise selectors.TooLateToChange(
            gettext("Choose a time at least %(hours)s hours from now.")
            % {"hours": session.location.change_notice_hours},
            notice_hours=session.location.change_notice_hours)
    with patient_context(patient, "portal_session_reschedule"):
        try:
            return session_reschedule(session=session, start=start, cascade=True, by=None, now=now)
        except WindowViolation as error:
            window = selectors.move_window(session)
            raise WindowViolation(
                gettext("Session %(number)s must be between %(earliest)s and %(latest)s.")
                % {"number": session.number, "earliest": window.earliest, "latest": window.latest},
                conflicts=error.extra.get("conflicts", []), window_earliest=window.earliest.isoformat(),
                window_latest=window.latest.isoformat()) from None


def portal_session_cancel(*, patient: Patient, session: VisitSession, reason: Any,
                          now: datetime | None = None) -> VisitSession:
    """The patient cancels their own session with a reason, under the same notice rule; the
    course then shows on "To chase" (its session is missing) for the desk to rebook."""
    now = now or timezone.now()
    if session.patient_id != patient.pk:
        raise selectors.PortalNotFound(gettext("Not found."))
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": gettext("Tell the clinic why, in a few words.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": gettext("At most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}})
    _check_change(session, now)
    with patient_context(patient, "portal_session_cancel"):
        return session_cancel(session=session, reason=f"By the patient: {reason.strip()}", by=None, now=now)


def portal_screening_record(*, patient: Patient, answers: Any, now: datetime | None = None) -> Screening:
    """The screening filled at home: a screening reported by the patient, with its hard stops and
    warnings as usual, counted for booking like any other."""
    with patient_context(patient, "portal_screening_record"):
        return screening_record(patient=patient, answers=answers, by=None, reported_by="patient",
                                taken_at=now or timezone.now())


def portal_consent_sign(*, patient: Patient, document: ConsentDocument, signed_name: Any, agree: Any,
                        language: str | None, ip: str | None, user_agent: str,
                        shown_sha256: str | None = None) -> ConsentSignature:
    """The patient signs a consent document on their phone: the same signature record as at the
    desk (text hash, name, time, IP, device), with no staff member as its recorder."""
    with patient_context(patient, "portal_consent_sign"):
        return consent_sign(patient=patient, document=document, signed_name=signed_name if isinstance(
            signed_name, str) else "", agree=agree is True, language=language, ip=ip, user_agent=user_agent,
            by=None, shown_sha256=shown_sha256)
