from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .roles import Role, role_of
from .selectors import clinic_zone_name

# The role as the user's pages name it (`role` itself stays the machine label).
ROLE_NAMES = {Role.RECEPTIONIST: _("receptionist"), Role.DOCTOR: _("doctor"), Role.ADMIN: _("admin")}


def roles(request: HttpRequest) -> dict:
    """The user's role, for the navigation and for hiding actions the role cannot take."""
    role = role_of(getattr(request, "user", None))
    return {
        "role": role.label if role else None,
        "role_name": ROLE_NAMES[role] if role else None,
        "is_receptionist": role is not None,
        "is_doctor": role is not None and role >= Role.DOCTOR,
        "is_admin": role is not None and role >= Role.ADMIN,
    }


def clinic_zone(request: HttpRequest) -> dict:
    """The zone staff pages show instants in when a page has no location of its own
    (`{{ instant|local_time:clinic_zone }}`): read once per page, and only by a page that asks."""
    return {"clinic_zone": SimpleLazyObject(clinic_zone_name)}
