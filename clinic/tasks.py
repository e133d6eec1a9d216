"""Celery tasks of the clinic app: thin wrappers that call services."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="clinic.tasks.heartbeat")
def heartbeat() -> str:
    """Beat's liveness tick: proves the beat -> broker -> worker path works end to end."""
    return timezone.now().isoformat()
