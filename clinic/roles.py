"""Staff roles. They nest: a doctor can do all a receptionist can, an admin everything."""

from enum import IntEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group


class Role(IntEnum):
    RECEPTIONIST = 1
    DOCTOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> "Role":
        return cls[label.upper()]


ROLE_LABELS = [role.label for role in Role]


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> Role | None:
    """The highest role the user holds, or None for anonymous users and users without a role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_anagen_role", False)
    if cached is not False:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    held = [role for role in Role if role.label in names]
    role = max(held) if held else None
    user._anagen_role = role
    return role


def has_role(user: AbstractBaseUser | AnonymousUser | None, minimum: Role) -> bool:
    role = role_of(user)
    return role is not None and role >= minimum


def ensure_role_groups() -> dict[Role, Group]:
    return {role: Group.objects.get_or_create(name=role.label)[0] for role in Role}
