"""The front desk's pages (Today, tomorrow's print list, the calendar, booking a course and its
preview, a course, "To chase", the session panel) in Turkish, Arabic, Spanish and German for a
receptionist who chose that language: no English word of the desk's messages left in <main>, the
page's lang and dir right; a validation error and a django message of the desk in the language too."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.hours import public_holidays
from clinic.models import StaffProfile
from patients.booking import services as booking
from patients.booking.reschedule import session_change_request
from patients.booking.status import session_cancel
from tests.factories import (
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    ProtocolFactory,
    RoomFactory,
    ScreeningFactory,
)
from tests.factories.protocols import session_rows
from tests.helpers import client_for
from tests.i18n.pages import LANGUAGES, english_of, page_in_language
from tests.i18n.visible_text import leaked, visible_text

pytestmark = pytest.mark.django_db

DESK_TEMPLATES = [
    "_home_tiles.html", "_home_tiles_booking.html", "_home_today.html", "_home_review_queue.html", "_nav.html",
    "_nav_booking.html", "_nav_reminders.html", "_today_list.html", "_today_row.html", "today.html",
    "tomorrow.html", "_slot_grid.html", "_session_modal.html", "booking_form.html", "booking_session_detail.html",
    "booking_session_panel.html", "calendar.html", "chase_list.html", "course_cancel.html", "course_detail.html",
    "course_timeline.html", "practitioner_calendar_feed.html", "_patient_courses.html", "_patient_sessions.html",
]
# What the desk put through the catalogue; the words of its English messages must not show.
SLICE = (*(f"templates/patients/{name}:" for name in DESK_TEMPLATES),
         "patients/booking/", "patients/labels.py", "patients/templatetags/booking_tags.py")
ISTANBUL = ZoneInfo("Europe/Istanbul")
# Monday 1 February 2027, 10:15 at the clinic: the first patient (10:00) is a quarter of an hour late.
CLOCK = "2027-02-01T10:15+03:00"
BOOKED_AT = datetime(2027, 1, 25, 9, 0, tzinfo=ISTANBUL)
HTMX = {"HTTP_HX_REQUEST": "true"}
# Parts of the desk's pages that other areas draw (their own slices check them).
OTHER_AREAS = {"session-record", "session-photos", "session-measurements", "patient-changes", "consent-required",
               "today-measurements-due"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ISTANBUL)


def in_main(tag: str, attrs: dict[str, str]) -> bool:
    return tag == "main"


def other_areas(tag: str, attrs: dict[str, str]) -> bool:
    return attrs.get("data-testid") in OTHER_AREAS


def whole(tag: str, attrs: dict[str, str]) -> bool:
    """An htmx answer (the session panel) has no <main>: all of it is the desk's."""
    return tag == "div" and attrs.get("data-testid") == "session-panel"


@pytest.fixture(scope="module")
def english() -> dict[str, frozenset[str]]:
    return english_of(SLICE)


@pytest.fixture
def desk():
    """A clinic in Istanbul with a day at the desk: Elif at 10:00 today (late), Can tomorrow, Selin's
    session 1 cancelled (to chase) and Mert who asked for another time."""
    location = LocationFactory(name="Nişantaşı", timezone="Europe/Istanbul", country="TR",
                               reminder_offsets=["7d", "24h"])
    doctors = [PractitionerFactory(location=location, name=name) for name in ("Ayşe Demir", "Deniz Kaya")]
    rooms = [RoomFactory(location=location, name=name) for name in ("A-101", "B-202")]
    protocol = ProtocolFactory(status="active", code="PRP-3", name="PRP saç kürü",
                               sessions=session_rows(3, gap=(21, 28, 35), duration_minutes=30))
    patients = {}
    for first, last in (("Elif", "Yılmaz"), ("Can", "Öztürk"), ("Selin", "Aksoy"), ("Mert", "Çelik")):
        patients[first] = PatientFactory(first_name=first, last_name=last, email=f"{first.lower()}@example.test")
        ScreeningFactory(patient=patients[first], taken_at=BOOKED_AT)
    courses = {}
    for first, start in (("Elif", "2027-02-01 10:00"), ("Can", "2027-02-02 11:00"), ("Selin", "2027-02-03 09:30"),
                         ("Mert", "2027-02-04 14:00")):
        courses[first], _warnings = booking.course_book(patient=patients[first], protocol=protocol,
                                                        location=location, start=at(start), now=BOOKED_AT)
    session_cancel(session=courses["Selin"].sessions.get(number=1), reason="Hasta", now=BOOKED_AT)
    session_change_request(session=courses["Mert"].sessions.get(number=1), note="Salı öğleden sonra",
                           now=BOOKED_AT)
    return {"location": location, "doctors": doctors, "rooms": rooms, "protocol": protocol,
            "patients": patients, "courses": courses}


def receptionist_in(make_staff, language: str | None):
    user = make_staff("receptionist")
    user.first_name, user.last_name = "Deniz", "Yıldız"
    user.save()
    if language:
        StaffProfile.objects.create(user=user, language=language)
    return user


def data_values(user, desk) -> list[str]:
    """What the clinic typed in (names, codes, notes) and the zone: shown as typed in every language; and
    the public holidays' names, from the holidays library (in the language where it has them)."""
    patients = desk["patients"].values()
    holidays = [name for language in (None, *LANGUAGES)
                for name in public_holidays("TR", "", range(2027, 2028), language).values()]
    return [*holidays,
        user.username, user.get_full_name(), desk["location"].name, desk["location"].timezone,
        desk["protocol"].code, desk["protocol"].name, "Ayşe Demir", "Deniz Kaya", "A-101", "B-202", "Hasta",
        "Salı öğleden sonra", *(p.first_name for p in patients), *(p.last_name for p in patients),
        *(str(p) for p in patients),
    ]


def assert_in_language(response, language: str, english: set[str], data: list[str], include=in_main,
                       **options) -> str:
    return page_in_language(response, language, english, data, include=include, exclude=other_areas, **options)


def desk_pages(desk) -> list[str]:
    elif_course = desk["courses"]["Elif"]
    return [
        "/booking/today/",
        "/booking/tomorrow/",
        "/booking/calendar/",
        "/booking/calendar/?date=2027-02-02&by=room",
        "/booking/calendar/?view=week",
        "/booking/calendar/?date=2027-13-45",  # a date the calendar cannot read: said why, in the language
        "/booking/new/",
        f"/booking/courses/{elif_course.pk}/",
        f"/booking/courses/{elif_course.pk}/cancel/",
        f"/booking/sessions/{elif_course.sessions.get(number=1).pk}/",
        "/booking/chase/",
    ]


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_desk_pages_are_all_in_the_language(language, make_staff, desk, english):
    user = receptionist_in(make_staff, language)
    client = client_for(user)
    data = data_values(user, desk)
    for path in desk_pages(desk):
        assert_in_language(client.get(path), language, english[language], data)
    # The day's list as the home page and the Today page poll it, and the session panel as the calendar opens it.
    assert_in_language(client.get("/booking/today/", **HTMX), language, english[language], data,
                       include=lambda tag, attrs: tag == "p" or tag == "li", page=False)
    session = desk["courses"]["Elif"].sessions.get(number=1)
    assert_in_language(client.get(f"/booking/sessions/{session.pk}/", **HTMX), language, english[language], data,
                       include=whole, page=False)


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_preview_and_its_validation_errors_are_in_the_language(language, make_staff, desk, english):
    user = receptionist_in(make_staff, language)
    client = client_for(user)
    zeynep = PatientFactory(first_name="Zeynep", last_name="Arslan", email="zeynep@example.test")
    ScreeningFactory(patient=zeynep, taken_at=BOOKED_AT)
    data = [*data_values(user, desk), "Zeynep", "Arslan", str(zeynep)]
    # A new patient with a free calendar: the planner keeps the wished time (its own notes are protocols').
    form = {"patient": zeynep.pk, "location": desk["location"].pk, "protocol": desk["protocol"].pk,
            "practitioner": "", "start_date": "2027-03-01", "start_time": "10:00", "surgery_date": ""}
    text = assert_in_language(client.post("/booking/new/", {**form, "action": "preview", "open": "2"}),
                              language, english[language], data)
    assert "PRP-3" in text
    # A wished start in the past: the service's error, by the date field.
    response = client.post("/booking/new/", {**form, "start_date": "2027-01-04", "action": "preview"})
    errors = visible_text(response.content.decode(), lambda tag, attrs: "invalid-feedback" in attrs.get("class", ""))
    assert errors and not leaked(errors, english[language], data=data), errors
    assert "past" not in errors
    # The form's own check: a protocol that counts from the surgery date needs one.
    after_surgery = ProtocolFactory(status="active", code="PRP-FUE", name="FUE sonrası PRP", anchor="surgery_date",
                                    sessions=session_rows(2, gap=(7, 14, 21), duration_minutes=30))
    response = client.post("/booking/new/", {**form, "protocol": after_surgery.pk, "action": "preview"})
    errors = visible_text(response.content.decode(), lambda tag, attrs: "invalid-feedback" in attrs.get("class", ""))
    assert errors and not leaked(errors, english[language], data=data), errors


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_desks_messages_are_in_the_language(language, make_staff, desk, english):
    user = receptionist_in(make_staff, language)
    client = client_for(user)
    data = data_values(user, desk)
    session = desk["courses"]["Can"].sessions.get(number=1)
    response = client.post(f"/booking/sessions/{session.pk}/cancel/", {"reason": "Hasta"}, follow=True)
    message = visible_text(response.content.decode(), lambda tag, attrs: attrs.get("role") == "alert"
                           and "alert-success" in attrs.get("class", ""))
    assert message and "1" in message and not leaked(message, english[language], data=data), message
    # A tap at the desk that the clock refuses (a no-show before the start) is said in the language too.
    later = desk["courses"]["Mert"].sessions.get(number=1)
    response = client.post(f"/booking/today/sessions/{later.pk}/status/", {"status": "no_show"}, **HTMX)
    refusal = visible_text(response.content.decode(), lambda tag, attrs: attrs.get("data-testid") == "today-refusal")
    assert refusal and not leaked(refusal, english[language], data=data), refusal


@pytest.mark.clock(CLOCK)
def test_the_same_pages_in_english_show_the_words_the_others_must_not(make_staff, desk, english):
    """The check is not vacuous: in English the desk's pages show the words the other languages must not."""
    user = receptionist_in(make_staff, None)
    client = client_for(user)
    data = data_values(user, desk)
    today = set(leaked(visible_text(client.get("/booking/today/").content.decode(), in_main, other_areas),
                       english["tr"], data=data))
    assert {"Running", "desk", "Consent", "clear", "Tomorrow"} <= today
    session = desk["courses"]["Elif"].sessions.get(number=1)
    panel = set(leaked(visible_text(client.get(f"/booking/sessions/{session.pk}/", **HTMX).content.decode(), whole,
                                    other_areas), english["de"], data=data))
    assert {"Move", "Mark", "session", "Window"} <= panel
    chase = set(leaked(visible_text(client.get("/booking/chase/").content.decode(), in_main), english["ar"], data=data))
    assert {"Never", "Cancelled", "chase", "suit"} & chase
