"""python manage.py seed_demo: the demo clinic (Istanbul, with a Madrid branch), demo staff, and
(through seed_demo_patients, in the patients app) about 60 patients with months of history.

Idempotent: what exists is left exactly as it is (an admin's later edits included), so a second
run writes nothing at all. `--without-patients`: the clinic and the logins only. The patients are
the patients app's (clinic never imports it): `seed_demo_patients`, run here through call_command.
It refuses to run with DEBUG off (a production database) unless --force: the demo logins share one
published password.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from clinic.management.commands.create_staff import staff_upsert
from clinic.models import Location, Practitioner, Room
from clinic.roles import Role, role_of

DEMO_PASSWORD = "anagen-demo-2026"
DEMO_STAFF = [
    ("reception", Role.RECEPTIONIST, "Selin", "Arslan"),
    ("doctor", Role.DOCTOR, "Elif", "Yılmaz"),
    ("admin", Role.ADMIN, "Deniz", "Koç"),
]


def _week(days: range, opens: str, closes: str) -> list[dict[str, Any]]:
    return [{"weekday": day, "opens": opens, "closes": closes} for day in days]


ISTANBUL = {
    "name": "Anagen Istanbul — Nişantaşı",
    "address": "Abdi İpekçi Caddesi 42, Nişantaşı, 34367 Şişli, İstanbul",
    "phone": "+90 212 555 01 23",
    "timezone": "Europe/Istanbul",
    "country": "TR",
    "subdivision": "",
    "opening_hours": _week(range(0, 5), "09:00", "19:00") + _week(range(5, 6), "10:00", "16:00"),
}
ISTANBUL_PRACTITIONERS = [
    {"name": "Dr. Elif Yılmaz", "email": "elif.yilmaz@anagen.example", "kind": "doctor", "working_hours": []},
    # Works Tuesday to Saturday: the planner must look past Mondays for her.
    {"name": "Dr. Mehmet Kaya", "email": "mehmet.kaya@anagen.example", "kind": "doctor",
     "working_hours": _week(range(1, 5), "11:00", "19:00") + _week(range(5, 6), "10:00", "16:00")},
    {"name": "Ayşe Demir", "email": "ayse.demir@anagen.example", "kind": "nurse", "working_hours": []},
]
ISTANBUL_ROOMS = ["Treatment room 1", "Treatment room 2", "PRP and LED room"]

MADRID = {
    "name": "Anagen Madrid — Salamanca",
    "address": "Calle de Serrano 61, 28006 Madrid",
    "phone": "+34 915 55 01 23",
    "timezone": "Europe/Madrid",
    "country": "ES",
    "subdivision": "MD",
    # A split day, as many Spanish clinics keep.
    "opening_hours": _week(range(0, 5), "10:00", "14:00") + _week(range(0, 5), "16:00", "20:00"),
    # The EU allows no human-derived ingredient in cosmetics (domain.md): no topical allogeneic use.
    "route_policy": {"autologous": ["injection", "topical"], "allogeneic_human": [], "plant": ["topical"],
                     "animal": []},
}
MADRID_PRACTITIONERS = [
    {"name": "Dra. Lucía Martín", "email": "lucia.martin@anagen.example", "kind": "doctor", "working_hours": []},
]
MADRID_ROOMS = ["Sala 1"]


def _location(values: dict[str, Any]) -> tuple[Location, bool]:
    existing = Location.objects.filter(name=values["name"]).first()
    if existing:
        return existing, False
    location = Location(**values)
    location.full_clean()
    location.save()
    return location, True


def _practitioner(location: Location, values: dict[str, Any]) -> bool:
    if Practitioner.objects.filter(location=location, name=values["name"]).exists():
        return False
    practitioner = Practitioner(location=location, **values)
    practitioner.full_clean()
    practitioner.save()
    return True


def _room(location: Location, name: str) -> bool:
    if Room.objects.filter(location=location, name=name).exists():
        return False
    room = Room(location=location, name=name)
    room.full_clean()
    room.save()
    return True


def _staff(username: str, role: Role, first_name: str, last_name: str) -> bool:
    """Create or repair a demo login; leave it untouched when it already works as documented."""
    user = get_user_model().objects.filter(username=username).first()
    if user and user.is_active and role_of(user) == role and user.check_password(DEMO_PASSWORD):
        return False
    staff_upsert(username=username, role=role, password=DEMO_PASSWORD, email=f"{username}@anagen.example",
                 first_name=first_name, last_name=last_name, validate=False)
    return True


class Command(BaseCommand):
    help = "Install the demo clinic (Istanbul and Madrid) and one demo login per role. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off, i.e. against what may be a production database.")
        parser.add_argument("--without-patients", action="store_true",
                            help="Only the clinic and the logins: no demo patients and no history.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this looks like production: seed_demo would add demo logins whose password "
                f"({DEMO_PASSWORD!r}) is published in the README. Nothing was changed. "
                "Run it with DEBUG=true, or add --force if this really is a demo or test installation."
            )
        with transaction.atomic(), pghistory.context(command="seed_demo"):
            created = []
            for values, practitioners, rooms in (
                (ISTANBUL, ISTANBUL_PRACTITIONERS, ISTANBUL_ROOMS),
                (MADRID, MADRID_PRACTITIONERS, MADRID_ROOMS),
            ):
                location, new = _location(values)
                created += [location.name] if new else []
                created += [p["name"] for p in practitioners if _practitioner(location, p)]
                created += [f"{name} ({location.name})" for name in rooms if _room(location, name)]
            created += [f"login {u}" for u, role, first, last in DEMO_STAFF if _staff(u, role, first, last)]

        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data: created or repaired {len(created)} item(s)."))
        else:
            self.stdout.write("Demo data already in place: nothing changed.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD})")
        self.stdout.write(f"  {'username':<12}{'role':<14}")
        self.stdout.write(f"  {'-' * 11} {'-' * 13}")
        for username, role, _, _ in DEMO_STAFF:
            self.stdout.write(f"  {username:<12}{role.label:<14}")
        if not options["without_patients"]:
            # The patients and their history live with the patients app (clinic never imports it).
            self.stdout.write("")
            call_command("seed_demo_patients", "--force", stdout=self.stdout, stderr=self.stderr)
