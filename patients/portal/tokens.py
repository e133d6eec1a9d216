"""Portal links: a token signed for one patient and the epoch of their links, valid
PORTAL_LINK_DAYS. Revoking raises the epoch (patients.portal.services.portal_links_revoke), so
every earlier token fails at once. Only the signature, the clock and one row say yes: no token is
stored. Reminders import `portal_url` from here to put the link in every patient email."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from patients.registry.models import Patient

SALT = "anagen.portal"


class PortalTokenError(Exception):
    """Why a token opens nothing: `reason` is "invalid", "expired" or "revoked"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PortalLink:
    url: str
    token: str
    expires_at: datetime


def link_lifetime() -> timedelta:
    return timedelta(days=settings.PORTAL_LINK_DAYS)


def patient_epoch(patient: Patient) -> int:
    from patients.portal.models import PortalAccess

    return PortalAccess.objects.filter(patient=patient).values_list("epoch", flat=True).first() or 0


def portal_token(patient: Patient, *, epoch: int | None = None) -> str:
    """A fresh token for the patient's page (signed now, so valid PORTAL_LINK_DAYS from now)."""
    return signing.dumps({"p": patient.pk, "e": patient_epoch(patient) if epoch is None else epoch}, salt=SALT)


def patient_epochs(patient_ids: Iterable[int]) -> dict[int, int]:
    """`patient_epoch` of many patients in one query, by patient id (absent: epoch 0)."""
    from patients.portal.models import PortalAccess

    return dict(PortalAccess.objects.filter(patient_id__in=set(patient_ids)).values_list("patient_id", "epoch"))


def portal_url(patient: Patient, *, epoch: int | None = None, now: datetime | None = None) -> PortalLink:
    """The absolute link a patient opens (email, QR code), and until when it works."""
    token = portal_token(patient, epoch=epoch)
    now = now or timezone.now()
    path = reverse("portal:open", args=[token])
    return PortalLink(url=f"{settings.SITE_URL}{path}", token=token, expires_at=now + link_lifetime())


def portal_patient(token: str) -> Patient:
    """The patient a token opens; PortalTokenError when it is tampered with, expired or revoked."""
    if not isinstance(token, str) or not token or len(token) > 400:
        raise PortalTokenError("invalid")
    try:
        payload = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise PortalTokenError("expired") from None
    except signing.BadSignature:
        raise PortalTokenError("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int) or not isinstance(payload.get("e"), int):
        raise PortalTokenError("invalid")
    patient = Patient.objects.filter(pk=payload["p"]).first()
    if patient is None:
        raise PortalTokenError("invalid")
    if payload["e"] != patient_epoch(patient):
        raise PortalTokenError("revoked")
    return patient
