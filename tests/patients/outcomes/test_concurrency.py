"""Two doctors entering the same visit's density at once: real connections in threads. The
session is locked first, so the second sees the first's value and replaces it: neither gets a
conflict or a 500, and one value is left, with both in its history."""

from collections import Counter

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from patients.models import Measurement
from tests.patients.outcomes.world import VISIT, build_room, density
from tests.patients.records.test_concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock(VISIT)]


def test_two_doctors_measuring_the_same_thing_at_once_leave_one_value_and_its_history(make_staff):
    room = build_room()
    clients = []
    for name in ("doctor-a", "doctor-b"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=make_staff('doctor', name)).key}")
        clients.append(client)

    def post(client, value):
        def call():
            response = client.post(f"/api/v1/sessions/{room.first.pk}/measurements/", [density(value)], format="json")
            return response.status_code
        return call

    outcomes = race([post(clients[0], 120), post(clients[1], 130)])
    assert Counter(outcomes) == Counter({201: 2}), outcomes
    [stored] = Measurement.objects.all()
    assert stored.value in (120, 130) and stored.revision == 2
    history = Measurement.pgh_event_model.objects.filter(pgh_obj_id=stored.pk).order_by("pgh_id")
    assert [event.pgh_label for event in history] == ["insert", "update"]
    assert {event.value for event in history} == {120, 130}
