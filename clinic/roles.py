"""Staff roles. They nest: a doctor can do all a receptionist can, an admin everything."""

from collections.abc import Iterable
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
    return remember_role(user, user.groups.values_list("name", flat=True))


def remember_role(user: AbstractBaseUser, group_names: Iterable[str]) -> Role | None:
    """The role these group names give, kept on the user object for the rest of the request (a
    caller that read the groups along with the user saves role_of its query)."""
    names = set(group_names)
    held = [role for role in Role if role.label in names]
    user._anagen_role = max(held) if held else None
    return user._anagen_role


def has_role(user: AbstractBaseUser | AnonymousUser | None, minimum: Role) -> bool:
    role = role_of(user)
    return role is not None and role >= minimum


def ensure_role_groups() -> dict[Role, Group]:
    return {role: Group.objects.get_or_create(name=role.label)[0] for role in Role}
