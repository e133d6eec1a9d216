"""Pages and API answers show patient data: no browser or proxy may keep them
(`Cache-Control: private, no-store`), unless a view chose its own caching."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/patients/", "/patients/{patient}/", "/booking/chase/", "/reminders/"])
def test_staff_pages_are_private_and_never_stored(desk, url):
    response = desk.get(url.format(patient=PatientFactory().pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("url", ["/api/v1/patients/", "/api/v1/patients/{patient}/", "/api/v1/me/"])
def test_api_answers_are_private_and_never_stored(api_receptionist, url):
    response = api_receptionist.get(url.format(patient=PatientFactory().pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_refusals_and_errors_are_not_stored_either(api_receptionist):
    assert Client().get("/patients/")["Cache-Control"] == "private, no-store"
    assert APIClient().get("/api/v1/patients/")["Cache-Control"] == "private, no-store"
    assert api_receptionist.get("/api/v1/patients/999999/")["Cache-Control"] == "private, no-store"


def test_a_view_that_sets_its_own_caching_keeps_it(client):
    # The login page is never_cache: Django's own header, which forbids storing too, is left alone.
    cache_control = client.get("/accounts/login/")["Cache-Control"]
    assert cache_control != "private, no-store" and "no-store" in cache_control
