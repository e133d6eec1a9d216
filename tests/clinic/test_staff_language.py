"""A staff member's own language: chosen on the profile page, the user menu or `PATCH /api/v1/me/`,
else the browser's; pages, API messages and the calendar follow it."""

import pytest
from django.test import Client

from clinic.models import StaffProfile
from tests.factories.clinic import LocationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_me_reports_the_browsers_language_until_the_user_chooses(api_receptionist):
    me = api_receptionist.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="de").json()
    assert (me["language"], me["language_chosen"]) == ("de", False)

    changed = api_receptionist.patch("/api/v1/me/", {"language": "tr"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["language"], changed.json()["language_chosen"]) == ("tr", True)
    # Chosen beats the browser from then on, on the API and on pages.
    assert api_receptionist.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="de").json()["language"] == "tr"


def test_me_goes_back_to_the_browser_with_null(api_receptionist, receptionist):
    StaffProfile.objects.create(user=receptionist, language="ar")
    back = api_receptionist.patch("/api/v1/me/", {"language": None}, format="json")
    assert back.status_code == 200
    assert back.json()["language_chosen"] is False
    assert StaffProfile.objects.get(user=receptionist).language == ""


def test_me_patched_without_a_language_changes_nothing(api_receptionist, receptionist):
    StaffProfile.objects.create(user=receptionist, language="es")
    answer = api_receptionist.patch("/api/v1/me/", {}, format="json")
    assert (answer.status_code, answer.json()["language"]) == (200, "es")


@pytest.mark.parametrize("body", [{"language": "fr"}, {"language": 3}, {"language": ["tr"]}])
def test_me_refuses_a_language_it_does_not_have(api_receptionist, receptionist, body):
    response = api_receptionist.patch("/api/v1/me/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "language" in response.json()["errors"]
    assert not StaffProfile.objects.filter(user=receptionist).exists()


def test_a_chosen_language_turns_the_pages(receptionist):
    client = client_for(receptionist)
    assert 'lang="en" dir="ltr"' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/accounts/profile/language/", {"language": "ar", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert 'lang="ar" dir="rtl"' in text
    assert "bootstrap.rtl.min.css" in text
    assert page["Content-Language"] == "ar"
    # Base's own strings are translated ("Skip to content").
    assert "انتقل إلى المحتوى" in text or "تخطَّ إلى المحتوى" in text or "تخط إلى المحتوى" in text


def test_the_user_menu_switches_language_and_comes_back(receptionist):
    client = client_for(receptionist)
    menu = client.get("/accounts/profile/").content.decode()
    assert 'name="language" value="tr" lang="tr"' in menu
    answer = client.post("/accounts/profile/language/", {"language": "tr", "next": "/booking/calendar/?view=day"})
    assert (answer.status_code, answer["Location"]) == (302, "/booking/calendar/?view=day")
    assert StaffProfile.objects.get(user=receptionist).language == "tr"


def test_the_menu_never_sends_anyone_off_site(receptionist):
    answer = client_for(receptionist).post("/accounts/profile/language/",
                                           {"language": "es", "next": "https://evil.example/"})
    assert answer["Location"] == "/accounts/profile/"


def test_an_unknown_language_on_the_profile_form_is_shown_by_the_field(receptionist):
    page = client_for(receptionist).post("/accounts/profile/language/", {"language": "xx"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="error_1_id_language"' in text or "is-invalid" in text
    assert not StaffProfile.objects.filter(user=receptionist, language="xx").exists()


def test_following_the_browser_again(receptionist):
    StaffProfile.objects.create(user=receptionist, language="de")
    client = client_for(receptionist)
    client.post("/accounts/profile/language/", {"language": ""})
    assert 'lang="es"' in client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_the_week_calendar_loads_fullcalendar_in_the_users_language(receptionist):
    LocationFactory()
    StaffProfile.objects.create(user=receptionist, language="tr")
    page = client_for(receptionist).get("/booking/calendar/?view=week").content.decode()
    assert "vendor/fullcalendar/locales/tr.global.min.js" in page
    english = client_for(receptionist)
    StaffProfile.objects.filter(user=receptionist).update(language="en")
    assert "vendor/fullcalendar/locales/" not in english.get("/booking/calendar/?view=week").content.decode()


def test_anonymous_pages_follow_the_browser():
    assert 'lang="de"' in Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
