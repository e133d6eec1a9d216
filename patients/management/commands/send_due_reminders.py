from dataclasses import asdict

from django.core.management.base import BaseCommand

from patients.reminders.dispatch import DISPATCH_BATCH, reminder_dispatch_due


class Command(BaseCommand):
    help = "Run one reminder dispatch pass (what Celery beat runs every REMINDER_DISPATCH_SECONDS)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=DISPATCH_BATCH)

    def handle(self, *args, batch: int, **options):
        result = reminder_dispatch_due(batch=batch)
        self.stdout.write(", ".join(f"{key} {value}" for key, value in asdict(result).items()))
