from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    """After every migrate, new event tables included: the audit trail's guards, then, when
    DATABASE_APP_URL names it, the app's own role and its privileges (clinic.db_roles)."""
    from django.conf import settings
    from django.db import connections

    from clinic.audit import audit_guards_install
    from clinic.db_roles import app_role_from_url, app_role_grant

    audit_guards_install(connection=connections[using])
    if settings.DATABASE_APP_URL:
        role, password = app_role_from_url(settings.DATABASE_APP_URL)
        app_role_grant(role=role, password=password, using=using)


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic set-up"

    def ready(self) -> None:
        # Once per migrate (sent for each app; this one is ours), after every app's tables exist.
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="clinic.after_migrate")
