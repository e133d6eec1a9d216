from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    """After every migrate, new event tables included: the audit trail's guards, then, when run as
    the owner (DATABASE_OWNER_URL), DATABASE_URL's role and its privileges (clinic.db_roles)."""
    from django.conf import settings
    from django.db import connections

    from clinic.audit import audit_guards_install
    from clinic.db_roles import app_role_grant

    audit_guards_install(connection=connections[using])
    app = settings.DATABASE_APP_ROLE
    if app:
        app_role_grant(role=app.get("USER") or "", password=app.get("PASSWORD") or None, using=using)


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic set-up"

    def ready(self) -> None:
        # Once per migrate (sent for each app; this one is ours), after every app's tables exist.
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="clinic.after_migrate")
