from django.http import HttpRequest

from .roles import Role, role_of


def roles(request: HttpRequest) -> dict:
    """The user's role, for the navigation and for hiding actions the role cannot take."""
    role = role_of(getattr(request, "user", None))
    return {
        "role": role.label if role else None,
        "is_receptionist": role is not None,
        "is_doctor": role is not None and role >= Role.DOCTOR,
        "is_admin": role is not None and role >= Role.ADMIN,
    }
