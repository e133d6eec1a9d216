"""Celery tasks: JSON-safe arguments in, a service called, idempotent because a task may run twice.

Reminders are never scheduled as ETA tasks: the database row is the schedule and these periodic
passes claim what is due."""

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from .reminders import DISPATCH_BATCH, reminder_dispatch_due


@shared_task(name="patients.tasks.dispatch_due_reminders", ignore_result=True)
def dispatch_due_reminders(batch: int = DISPATCH_BATCH) -> dict:
    """Send what is due, in batches, until nothing due is left unclaimed (bounded per run)."""
    totals: dict[str, int | bool] = {}
    for _ in range(50):
        result = reminder_dispatch_due(batch=batch)
        for key, value in asdict(result).items():
            totals[key] = totals.get(key, 0) + value
        if result.claimed < batch or result.unreachable:
            break
    return totals


@shared_task(name="patients.tasks.queue_recalls", ignore_result=True)
def queue_recalls() -> int:
    """Daily: queue one recall per unbooked gap whose window closes within 7 days."""
    from .recalls import recall_queue_due

    return recall_queue_due(now=timezone.now())
