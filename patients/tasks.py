"""Celery tasks: JSON-safe arguments in, a service called, idempotent because a task may run twice.

Reminders are never scheduled as ETA tasks: the database row is the schedule and these periodic
passes claim what is due."""

import logging
from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from patients.reminders.dispatch import DISPATCH_BATCH, reminder_claim_due, reminder_send_claimed, worker_name

logger = logging.getLogger(__name__)

# Batches one task sends before it hands over to a fresh task (well inside the task time limit).
ROUNDS_PER_TASK = 50


@shared_task(name="patients.tasks.dispatch_due_reminders", ignore_result=True)
def dispatch_due_reminders(batch: int = DISPATCH_BATCH, helpers: int | None = None) -> dict:
    """Send what is due, in batches, until nothing due is left unclaimed.

    A backlog is shared: when the first claim comes back full, REMINDER_DISPATCHERS - 1 more worker
    processes are asked to join (each claims its own rows; SKIP LOCKED keeps them apart). A task
    that has sent its share of rounds with more still due hands over to a fresh one rather than
    leave the rest for the next beat."""
    helpers = settings.REMINDER_DISPATCHERS - 1 if helpers is None else helpers
    worker = worker_name()
    totals: dict[str, int | bool] = {}
    for round_number in range(ROUNDS_PER_TASK):
        now = timezone.now()
        ids = reminder_claim_due(now=now, batch=batch, worker=worker)
        if round_number == 0 and len(ids) == batch:
            _ask(helpers, batch=batch)
        result = reminder_send_claimed(ids=ids, worker=worker, now=now)
        for key, value in asdict(result).items():
            totals[key] = totals.get(key, 0) + value
        if len(ids) < batch or result.unreachable:
            break
    else:
        _ask(1, batch=batch)
    return totals


def _ask(count: int, *, batch: int) -> None:
    """Queue `count` more dispatch tasks. Only a speed-up: if the broker cannot take them, the
    rows stay due and the next beat's pass sends them."""
    for _ in range(count):
        try:
            dispatch_due_reminders.delay(batch=batch, helpers=0)
        except Exception:  # the broker is away (e.g. Redis restarting); beat comes back
            logger.warning("could not queue another reminder dispatch task", exc_info=True)
            return


@shared_task(name="patients.tasks.queue_recalls", ignore_result=True)
def queue_recalls() -> int:
    """Daily: queue one recall per unbooked gap whose window closes within 7 days."""
    from patients.reminders.recalls import recall_queue_due

    return recall_queue_due(now=timezone.now())


@shared_task(name="patients.tasks.send_portal_links", ignore_result=True)
def send_portal_links(patient_ids: list[int]) -> int:
    """Email each patient a fresh link to their own page ("email me a new link")."""
    from patients.portal.services import portal_link_emails_send

    return portal_link_emails_send(patient_ids=[int(pk) for pk in patient_ids])
