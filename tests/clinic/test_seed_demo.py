"""python manage.py seed_demo: the demo clinic and logins, its patients and their history (a clinic
that looks lived in at any date: the tests travel to theirs), a second run that changes nothing, and
its refusal to run with DEBUG off unless --force."""

import re
import subprocess
import sys
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinic.models import Location, Practitioner, Room
from clinic.roles import Role, role_of
from patients.booking.today import day_at_location
from patients.demo.counts import demo_counts
from patients.models import Reminder, Session
from tests.helpers import ROOT, process_env

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    """As `make run` runs it: DEBUG on (pytest-django turns it off for tests)."""
    settings.DEBUG = True


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def seed_clinic() -> str:
    """The clinic and the logins only, for the tests about them (the history takes seconds)."""
    return seed("--without-patients")


def snapshot() -> dict:
    import pghistory.models

    users = get_user_model().objects.order_by("username").values_list("username", "password", "last_login")
    return {
        "demo": demo_counts(),
        "reminders": list(Reminder.objects.order_by("id").values_list("id", "status", "send_at", "delivery_status")),
        "sessions": list(Session.objects.order_by("id").values_list("id", "status", "start", "sequence")),
        "locations": list(Location.objects.order_by("id").values()),
        "practitioners": list(Practitioner.objects.order_by("id").values()),
        "rooms": list(Room.objects.order_by("id").values()),
        "users": list(users),
        "events": pghistory.models.Events.objects.count(),
    }


def today_at(location: Location, now):
    return day_at_location(location=location, day=now.astimezone(ZoneInfo(location.timezone)).date(), now=now)


def test_it_installs_the_istanbul_clinic_the_madrid_branch_and_one_login_per_role():
    output = seed_clinic()
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


# A Monday morning in summer, before either location opens (Istanbul 08:30, Madrid 07:30).
@pytest.mark.clock("2027-06-14T05:30+00:00")
def test_running_it_twice_changes_nothing_and_prints_the_same_counts():
    first = seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "nothing changed" in output
    assert "Demo patients already in place: nothing changed." in output
    counts = first[first.index("Demo clinic:"):]
    assert counts == output[output.index("Demo clinic:"):]
    assert re.search(r"patients: +\d+ \(ar \d+, de \d+, en \d+, es \d+, tr \d+\)", counts)
    assert re.search(r"sessions: +\d+ ", counts) and re.search(r"reminders: +\d+ \(.*pending \d+, sent \d+", counts)
    # Early in the day at both locations: today's sessions are all still to come, and listed.
    now = timezone.now()
    for location in Location.objects.all():
        rows = today_at(location, now)
        assert rows, location.name
        assert {row.session.status for row in rows} <= {"booked", "confirmed"}


def test_it_leaves_an_admins_edits_to_the_demo_clinic_alone():
    seed_clinic()
    Location.objects.filter(name="Anagen Istanbul — Nişantaşı").update(slot_minutes=30)
    seed_clinic()
    assert Location.objects.get(name="Anagen Istanbul — Nişantaşı").slot_minutes == 30


def test_it_repairs_a_demo_login_whose_password_was_changed():
    seed_clinic()
    user = get_user_model().objects.get(username="doctor")
    user.set_password("something-else-entirely")
    user.save()
    seed_clinic()
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
    call_command("seed_demo", "--force", "--without-patients", stdout=out)
    assert Location.objects.count() == 2
    assert "Demo logins" in out.getvalue()


# A Wednesday afternoon in winter: Istanbul (UTC+3) at 15:00 is mid-day, Madrid (UTC+1) at 13:00 too.
@pytest.mark.clock("2027-02-17T12:00+00:00", tick=False)
def test_the_demo_clinic_looks_lived_in_at_once():
    from patients.booking.chase import change_requests, courses_to_chase
    from patients.consent.selectors import consents_missing
    from patients.demo.counts import demo_patients
    from patients.models import Course
    from patients.outcomes.reports import outcomes_report
    from patients.records.adverse_events import serious_unreviewed
    from patients.records.models import AdverseEvent, Lot, SessionRecord

    output = seed()
    now = timezone.now()
    counts = demo_counts()
    assert 55 <= counts["patients"] <= 70
    assert set(counts["languages"]) == {"en", "tr", "ar", "es", "de"}
    assert all(count >= 5 for count in counts["languages"].values())
    assert set(counts["course_locations"]) == {"Anagen Istanbul — Nişantaşı", "Anagen Madrid — Salamanca"}
    assert min(counts["course_locations"].values()) >= 15
    assert 55 <= counts["courses"] <= 80 and 250 <= counts["sessions"] <= 600 and counts["reminders"] >= 500
    assert set(counts["course_states"]) == {"active", "completed", "cancelled"}
    assert counts["course_states"]["completed"] >= 10
    assert {"booked", "confirmed", "completed", "no_show", "cancelled"} <= set(counts["session_states"])
    assert f"patients:       {counts['patients']} (" in output
    assert f"sessions:       {counts['sessions']} (" in output and f"reminders:      {counts['reminders']} (" in output

    for location in Location.objects.all():
        statuses = {row.session.status for row in today_at(location, now)}
        assert "completed" in statuses and statuses & {"booked", "confirmed"}, (location.name, statuses)
        assert courses_to_chase(now=now, location=location), location.name
        assert change_requests(now=now, location=location).exists(), location.name

    patients = demo_patients()
    reminders = Reminder.objects.filter(patient__in=patients)
    sent = reminders.filter(status="sent")
    kinds = set(sent.values_list("kind", flat=True))
    assert {"confirmation", "reminder", "aftercare", "cancellation", "recall"} <= kinds
    assert not sent.filter(sent_at__gt=now).exists() and not sent.filter(rendered_subject="").exists()
    assert sent.filter(delivery_status="delivered").count() > 100 and sent.filter(delivery_status="bounced").exists()
    assert reminders.filter(status="pending", kind="reminder", send_at__gt=now).count() > 50
    assert reminders.filter(status="skipped").exists()  # no email address, or no consent to reminders

    # Nothing at the desk waits for a signature, and every visit done was recorded with its lots.
    assert all(not consents_missing(patient=p, protocol="PRP-AGA") for p in patients.filter(courses__isnull=False))
    done = Session.objects.filter(patient__in=patients, status="completed")
    assert SessionRecord.objects.filter(session__in=done).count() == done.count()
    assert not done.filter(kind="treatment", record__products__isnull=True).exists()
    assert Lot.objects.filter(recalled=True, uses__isnull=False).exists()

    # Completed courses measured at baseline and at their last review; the protocols differ.
    for course in Course.objects.filter(patient__in=patients, status="completed"):
        measured = {s.number for s in course.sessions.all() if s.measurements.exists()}
        assert 1 in measured and max(s.number for s in course.sessions.all()) in measured, course
    exosome = outcomes_report(protocol_code="EXO-AGA-3x6W", metric="density", day=180)
    prp = outcomes_report(protocol_code="PRP-AGA", metric="density", day=180)
    assert exosome["patients"] >= 2 and prp["patients"] >= 2
    assert exosome["mean_change"] > prp["mean_change"] > 0

    events = AdverseEvent.objects.filter(patient__in=patients)
    assert events.count() >= 5 and events.filter(outcome="resolved").exists()
    assert serious_unreviewed().filter(patient__in=patients).exists()


# Kurban Bayramı: Istanbul is closed from Sunday to Wednesday, Madrid is open (Tuesday, 12:00 there).
@pytest.mark.clock("2027-05-18T10:00+00:00", tick=False)
def test_a_holiday_at_one_location_leaves_its_today_empty_and_books_around_it():
    output = seed()
    assert "Not booked" not in output
    now = timezone.now()
    istanbul, madrid = Location.objects.get(timezone="Europe/Istanbul"), Location.objects.get(timezone="Europe/Madrid")
    assert today_at(istanbul, now) == []
    assert today_at(madrid, now)
    assert Session.objects.filter(location=istanbul, start__gt=now).exclude(status="cancelled").count() > 20
    assert demo_counts()["course_states"].keys() == {"active", "completed", "cancelled"}
