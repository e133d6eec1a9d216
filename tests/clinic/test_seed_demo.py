"""python manage.py seed_demo: the demo clinic and logins, a second run that changes nothing, and
its refusal to run with DEBUG off unless --force."""

import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from clinic.models import Location, Practitioner, Room
from clinic.roles import Role, role_of
from tests.helpers import ROOT, process_env

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    """As `make run` runs it: DEBUG on (pytest-django turns it off for tests)."""
    settings.DEBUG = True


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    import pghistory.models

    users = get_user_model().objects.order_by("username").values_list("username", "password", "last_login")
    return {
        "locations": list(Location.objects.order_by("id").values()),
        "practitioners": list(Practitioner.objects.order_by("id").values()),
        "rooms": list(Room.objects.order_by("id").values()),
        "users": list(users),
        "events": pghistory.models.Events.objects.count(),
    }


def test_it_installs_the_istanbul_clinic_the_madrid_branch_and_one_login_per_role():
    output = seed()
    istanbul = Location.objects.get(name="Anagen Istanbul — Nişantaşı")
    assert (istanbul.timezone, istanbul.country) == ("Europe/Istanbul", "TR")
    assert {row["weekday"] for row in istanbul.opening_hours} == {0, 1, 2, 3, 4, 5}
    kinds = sorted(istanbul.practitioners.values_list("kind", flat=True))
    assert kinds == ["doctor", "doctor", "nurse"]
    assert istanbul.rooms.count() == 3
    madrid = Location.objects.get(timezone="Europe/Madrid")
    assert (madrid.country, madrid.subdivision) == ("ES", "MD")
    User = get_user_model()
    for username, role in (("reception", Role.RECEPTIONIST), ("doctor", Role.DOCTOR), ("admin", Role.ADMIN)):
        user = User.objects.get(username=username)
        assert role_of(user) == role
        assert user.check_password("anagen-demo-2026")
        assert username in output
    assert "anagen-demo-2026" in output


def test_running_it_twice_changes_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "nothing changed" in output


def test_it_leaves_an_admins_edits_to_the_demo_clinic_alone():
    seed()
    Location.objects.filter(name="Anagen Istanbul — Nişantaşı").update(slot_minutes=30)
    seed()
    assert Location.objects.get(name="Anagen Istanbul — Nişantaşı").slot_minutes == 30


def test_it_repairs_a_demo_login_whose_password_was_changed():
    seed()
    user = get_user_model().objects.get(username="doctor")
    user.set_password("something-else-entirely")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password("anagen-demo-2026")


def test_with_debug_off_it_refuses_and_changes_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off.*Nothing was changed.*--force"):
        call_command("seed_demo", stdout=StringIO())
    assert not Location.objects.exists()
    assert not get_user_model().objects.exists()


def test_with_debug_off_manage_py_exits_non_zero_with_the_reason():
    env = process_env(DEBUG="false", SECRET_KEY="s" * 50, SITE_URL="https://clinic.example.com")
    result = subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "CommandError: DEBUG is off, so this looks like production" in result.stderr
    assert "add --force" in result.stderr


def test_with_debug_off_force_installs_the_demo_clinic(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert Location.objects.count() == 2
    assert "Demo logins" in out.getvalue()
