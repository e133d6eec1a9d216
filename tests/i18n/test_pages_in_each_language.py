"""The pages of the first slice (login, home, clinic set-up, history, profile) in Turkish, Arabic,
Spanish and German for a staff member who chose that language: no English word of those pages
left, the page's lang and dir right, and dates written the language's way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from clinic.api_keys import api_key_create
from clinic.hours import public_holidays
from clinic.models import StaffProfile
from tests.factories.clinic import ClosureFactory, LocationFactory, PractitionerFactory, RoomFactory
from tests.helpers import client_for
from tests.i18n.pages import LANGUAGES, class_of, english_of, page_in_language
from tests.i18n.visible_text import leaked, visible_text

pytestmark = pytest.mark.django_db

# What this slice put through the catalogue; the words of its English messages must not show.
SLICE = ("templates/clinic/", "templates/registration/", "templates/home.html", "templates/base.html", "clinic/")
CLOCK = "2027-04-01T09:00+03:00"  # three weeks before 23 April, a Turkish public holiday


def chrome(tag: str, attrs: dict[str, str]) -> bool:
    """The page's own frame: its title, the skip link, the user menu and clinic set-up's nav item."""
    return (
        tag == "title"
        or "visually-hidden-focusable" in class_of(attrs)
        or "dropdown-menu" in class_of(attrs)
        or "navbar-toggler" in class_of(attrs)
        or (tag == "a" and "nav-link" in class_of(attrs) and attrs.get("href", "").startswith("/clinic/"))
        or (tag == "button" and attrs.get("type") == "submit" and "btn-outline-light" in class_of(attrs))
    )


def slice_page(tag: str, attrs: dict[str, str]) -> bool:
    """A set-up, history or profile page: all of <main> is this slice's."""
    return tag == "main" or chrome(tag, attrs)


def home_page(tag: str, attrs: dict[str, str]) -> bool:
    """The home page: the greeting and clinic set-up's tile (the other tiles are other apps')."""
    return (tag == "h1" or attrs.get("hx-get") == "/clinic/summary/"
            or (tag == "a" and attrs.get("href") == "/clinic/locations/")) or chrome(tag, attrs)


def other_apps_nav(tag: str, attrs: dict[str, str]) -> bool:
    """Other apps' navigation items, and the zone and country lists (IANA names, and country names
    from the holidays library, as data)."""
    return (tag == "ul" and "me-auto" in class_of(attrs)) or (
        tag == "select" and attrs.get("name") in ("timezone", "country"))


@pytest.fixture(scope="module")
def english() -> dict[str, frozenset[str]]:
    return english_of(SLICE)


@pytest.fixture
def clinic():
    location = LocationFactory(name="Nişantaşı", address="Teşvikiye Cd. 12", timezone="Europe/Istanbul",
                               country="TR", phone="+902125550123")
    practitioner = PractitionerFactory(name="Ayşe Demir", email="ayse@klinik.example", location=location)
    PractitionerFactory(name="Deniz Kaya", email="", location=location, kind="nurse", active=False,
                        working_hours=[{"weekday": 0, "opens": "10:00", "closes": "14:00"}])
    RoomFactory(name="A-101", location=location)
    RoomFactory(name="B-202", location=location, active=False)
    start = timezone.now() + timedelta(days=2)
    ClosureFactory(location=location, start=start, end=start + timedelta(hours=4), reason="Bakım")
    ClosureFactory(location=location, practitioner=practitioner, start=start + timedelta(days=1),
                   end=start + timedelta(days=1, hours=3), reason="")
    return location


def staff_in(make_staff, role: str, language: str):
    user = make_staff(role)
    user.first_name, user.last_name = "Deniz", "Yıldız"
    user.save()
    StaffProfile.objects.create(user=user, language=language)
    api_key_create(user=user)
    return user


def data_values(user, location) -> list[str]:
    """What the clinic typed in (names, addresses, zones): shown as typed in every language."""
    holidays = public_holidays(location.country, location.subdivision, range(2027, 2028))
    return [
        user.username, user.email, user.get_full_name(), user.first_name, location.name, location.address,
        location.timezone, "Ayşe Demir", "ayse@klinik.example", "Deniz Kaya", "A-101", "B-202", "Bakım",
        "Authorization: Token", "English", *holidays.values(),
    ]


def assert_in_language(response, language: str, english: set[str], data: list[str], include, status=200):
    return page_in_language(response, language, english, data, include=include, exclude=other_apps_nav,
                            status=status)


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_set_up_history_and_profile_pages_are_all_in_the_language(language, make_staff, clinic, english):
    admin = staff_in(make_staff, "admin", language)
    client = client_for(admin)
    practitioner = clinic.practitioners.get(name="Ayşe Demir")
    closure = clinic.closures.first()
    room = clinic.rooms.first()
    pages = [
        "/clinic/locations/", f"/clinic/locations/{clinic.pk}/", "/clinic/locations/new/",
        f"/clinic/locations/{clinic.pk}/edit/", "/clinic/practitioners/", "/clinic/practitioners/new/",
        f"/clinic/practitioners/{practitioner.pk}/edit/", "/clinic/rooms/", "/clinic/rooms/new/",
        f"/clinic/rooms/{room.pk}/edit/", "/clinic/closures/", "/clinic/closures/?show=all", "/clinic/closures/new/",
        f"/clinic/closures/{closure.pk}/edit/", f"/history/clinic/location/{clinic.pk}/", "/accounts/profile/",
        "/accounts/profile/api-key/revoke/",
    ]
    data = data_values(admin, clinic)
    for path in pages:
        assert_in_language(client.get(path), language, english[language], data, slice_page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
def test_home_page_greets_and_frames_in_the_language(language, role, make_staff, clinic, english):
    user = staff_in(make_staff, role, language)
    client = client_for(user)
    data = data_values(user, clinic)
    assert_in_language(client.get("/"), language, english[language], data, home_page)
    if role == "admin":
        summary = client.get("/clinic/summary/").content.decode()
        assert not leaked(visible_text(summary, lambda tag, attrs: tag == "p"), english[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_and_locked_out_pages_follow_the_browser(language, english):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert_in_language(client.get("/accounts/login/"), language, english[language], [], slice_page)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert_in_language(response, language, english[language], [], slice_page, status=429)


@pytest.mark.parametrize("language", LANGUAGES)
def test_validation_messages_are_in_the_language(language, make_staff, clinic, english):
    client = client_for(staff_in(make_staff, "admin", language))
    response = client.post(f"/clinic/closures/{clinic.closures.first().pk}/edit/", {
        "location": clinic.pk, "start": "2027-05-02T12:00", "end": "2027-05-02T09:00", "reason": "",
    })
    errors = visible_text(response.content.decode(), lambda tag, attrs: "invalid-feedback" in class_of(attrs))
    assert errors and not leaked(errors, english[language])
    response = client.post("/clinic/locations/new/", {"name": "X", "timezone": "Europe/Istanbul", "country": "TR",
                                                      "slot_minutes": "15", "reminder_offsets": "7x",
                                                      "hours-0-TOTAL_FORMS": "1", "hours-0-INITIAL_FORMS": "0",
                                                      "hours-0-0-opens": "25:00", "hours-0-0-closes": "10:00"})
    assert response.status_code == 200
    errors = visible_text(response.content.decode(), lambda tag, attrs: "invalid-feedback" in class_of(attrs))
    assert "7x" in errors and "25:00" in errors
    assert not leaked(errors, english[language], data=["7x", "25:00"])


def test_english_pages_still_say_it_in_english(make_staff, clinic, english):
    """The check is not vacuous: the same page in English shows the words the other languages must not."""
    user = make_staff("admin")
    text = visible_text(client_for(user).get(f"/clinic/locations/{clinic.pk}/").content.decode(), slice_page)
    left = set(leaked(text, english["tr"], data=[clinic.name]))
    assert {"Opening", "Rooms", "Practitioners", "Route", "policy"} <= left


def test_the_shared_check_refuses_an_english_page_and_a_wrong_lang(make_staff, clinic, english):
    page = client_for(make_staff("admin")).get(f"/clinic/locations/{clinic.pk}/")
    with pytest.raises(AssertionError, match="not a page in tr"):
        assert_in_language(page, "tr", english["tr"], [clinic.name], slice_page)
    with pytest.raises(AssertionError, match="English left on /clinic/locations/"):
        page_in_language(page, "tr", english["tr"], [clinic.name], include=slice_page, page=False)


@pytest.mark.clock(CLOCK)
def test_public_holidays_and_dates_are_named_in_the_language(make_staff, clinic):
    client = client_for(staff_in(make_staff, "admin", "tr"))
    page = client.get(f"/clinic/locations/{clinic.pk}/").content.decode()
    assert "Ulusal Egemenlik ve Çocuk Bayramı" in page  # 23 April, in Turkish
    assert "23 Nis 2027 Cum" in page  # day, month, year, weekday: the Turkish order
    client = client_for(staff_in(make_staff, "doctor", "de"))
    page = client.get(f"/clinic/locations/{clinic.pk}/").content.decode()
    assert "Fr, 23. Apr 2027" in page


EVERY_SOURCE = ("templates/", "clinic/", "patients/", "protocols/")


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
def test_each_roles_home_page_is_all_in_the_language(language, role, make_staff, clinic):
    """The whole page a role lands on, navigation and every app's tiles, once every app is translated."""
    english = english_of(EVERY_SOURCE)[language]
    user = staff_in(make_staff, role, language)
    response = client_for(user).get("/")
    assert response.status_code == 200
    text = visible_text(response.content.decode(), lambda tag, attrs: tag == "body")
    left = leaked(text, english, data=data_values(user, clinic))
    assert not left, f"{language}, {role}: English left on the home page: {left}\n{text[:1500]}"


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
def test_the_home_page_check_sees_english_on_an_english_page(role, make_staff, clinic):
    english = english_of(EVERY_SOURCE)["tr"]
    user = make_staff(role)
    text = visible_text(client_for(user).get("/").content.decode(), lambda tag, attrs: tag == "body")
    assert len(leaked(text, english, data=data_values(user, clinic))) > 10


@pytest.mark.parametrize("language, name", [("tr", "Hasta"), ("ar", "المريض"), ("es", "Paciente"), ("de", "Patient")])
def test_a_patients_history_names_the_record_and_its_events_in_the_language(language, name, make_staff):
    from tests.factories.patients import PatientFactory

    patient = PatientFactory()
    page = client_for(staff_in(make_staff, "admin", language)).get(f"/history/patients/patient/{patient.pk}/")
    assert page.status_code == 200
    header = visible_text(page.content.decode(), lambda tag, attrs: "page-header" in class_of(attrs))
    assert name in header and "append-only" not in header
    with translation.override(language):
        created = str(translation.pgettext("history event", "created"))
    assert created != "created" and created in page.content.decode()
