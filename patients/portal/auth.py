"""Who is calling the portal API: `Authorization: Portal <token>`, a patient's signed link token.
The caller is a patient, never a staff user: staff endpoints do not accept this header at all."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from clinic.errors import DomainError
from patients.models import Patient
from patients.portal.tokens import PortalTokenError, portal_patient

KEYWORD = "Portal"
MESSAGES = {
    "invalid": "This link is not valid. Ask the clinic for a new one, or request one by email.",
    "expired": "This link has expired. Request a new one by email.",
    "revoked": "This link has been withdrawn by the clinic. Request a new one by email.",
}


class PortalTokenRefused(DomainError):
    """401 with `portal_link_invalid`, `portal_link_expired` or `portal_link_revoked`: no data."""

    status = 401

    def __init__(self, reason: str):
        super().__init__(MESSAGES[reason], code=f"portal_link_{reason}")
        self.reason = reason


class PortalPatient:
    """The caller of the portal API: one patient."""

    is_authenticated = True
    is_anonymous = False
    pk = None  # not a user: nothing may take it for one

    def __init__(self, patient: Patient):
        self.patient = patient


class PortalAuthentication(BaseAuthentication):
    def authenticate(self, request) -> tuple[PortalPatient, str] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise PortalTokenRefused("invalid")
        try:
            token = parts[1].decode("ascii")
            patient = portal_patient(token)
        except (UnicodeDecodeError, PortalTokenError) as error:
            raise PortalTokenRefused(getattr(error, "reason", "invalid")) from None
        return PortalPatient(patient), token

    def authenticate_header(self, request) -> str:
        return KEYWORD


class IsPortalPatient(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, PortalPatient)


class PortalAuthenticationScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema's name for `Authorization: Portal <token>`."""

    target_class = "patients.portal.auth.PortalAuthentication"
    name = "portalToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Portal <token>`: the token of a patient's portal link."}
