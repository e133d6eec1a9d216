"""python manage.py seed_demo_patients: the demo clinic's patients and their history (seed_demo runs it).

About 60 patients in five languages at the Istanbul clinic and the Madrid branch, with courses in
every state over the past months and the coming weeks: completed courses with records,
measurements and adverse events, sessions today, missed and cancelled sessions on "To chase",
change requests, sent reminders with their delivery reports and pending ones. Dates are relative
to the day it first runs; patients.demo.story explains how the past is played through the services.

Idempotent: once the demo patients exist, nothing is written and the same counts are printed. Like
seed_demo it refuses to run with DEBUG off unless --force.
"""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from clinic.management.commands.seed_demo import ISTANBUL, MADRID
from clinic.models import Location
from patients.demo.clinical import GIVEN
from patients.demo.counts import counts_lines, demo_counts, demo_patients
from protocols.models import Protocol


class Command(BaseCommand):
    help = "Add the demo clinic's patients and their history (after seed_demo's clinic). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off, so this looks like production: nothing was changed. "
                               "Add --force if this really is a demo or test installation.")
        if demo_patients().exists():
            self.stdout.write("Demo patients already in place: nothing changed.")
        else:
            started = time.perf_counter()
            self._seed()
            self.stdout.write(self.style.SUCCESS(
                f"Demo patients and their history written in {time.perf_counter() - started:.1f} s."))
        self.stdout.write("\n".join(["Demo clinic:", *counts_lines(demo_counts())]))

    def _seed(self) -> None:
        from patients.demo.story import Story  # time-machine and the services: only when seeding

        locations = {key: Location.objects.filter(name=values["name"]).first()
                     for key, values in (("istanbul", ISTANBUL), ("madrid", MADRID))}
        if None in locations.values():
            raise CommandError("The demo clinic's locations are missing: run `manage.py seed_demo`.")
        active = Protocol.objects.filter(code__in=list(GIVEN), status="active").values("code").distinct()
        if active.count() < len(GIVEN):
            call_command("load_starter_protocols", stdout=StringIO())
        users = get_user_model().objects.in_bulk(["reception", "doctor"], field_name="username")
        if len(users) < 2:
            raise CommandError("The demo logins are missing: run `manage.py seed_demo`.")
        story = Story(now=timezone.now(), locations=locations, reception=users["reception"], doctor=users["doctor"])
        with transaction.atomic(), pghistory.context(command="seed_demo"):
            story.write()
        if story.skipped:
            self.stdout.write(self.style.WARNING(f"Not booked (no room in the calendar): {', '.join(story.skipped)}."))
