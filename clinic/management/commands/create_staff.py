"""python manage.py create_staff USERNAME --role {receptionist,doctor,admin} --password P [--email E]"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.roles import ROLE_LABELS, Role, ensure_role_groups


class Command(BaseCommand):
    help = "Create or update a staff user with one role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLE_LABELS)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default=None)
        parser.add_argument("--first-name", default=None)
        parser.add_argument("--last-name", default=None)
        parser.add_argument(
            "--allow-weak-password", action="store_true", help="Skip password validation (demo data only)."
        )

    @transaction.atomic
    def handle(self, username, role, password, email, first_name, last_name, allow_weak_password, **options):
        user = staff_upsert(
            username=username, role=Role.from_label(role), password=password, email=email,
            first_name=first_name, last_name=last_name, validate=not allow_weak_password,
        )
        self.stdout.write(f"{user.username}: {role}")


def staff_upsert(*, username: str, role: Role, password: str, email: str | None = None,
                 first_name: str | None = None, last_name: str | None = None, validate: bool = True):
    """Create the user or update it in place; it ends up holding exactly `role`."""
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
    for field, value in (("email", email), ("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            setattr(user, field, value)
    user.set_password(password)
    user.is_active = True
    # Admins may use Django's own admin for the audit tables; others never.
    user.is_staff = role == Role.ADMIN
    user.save()
    groups = ensure_role_groups()
    user.groups.remove(*[group for r, group in groups.items() if r != role])
    user.groups.add(groups[role])
    return user
