"""The last millilitres of a lot, taken by doctors at once: real connections in threads, one wins."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.errors import DomainError
from patients.models import SessionRecord
from patients.records import selectors
from patients.records.services import session_record
from tests.patients.records.world import VISIT, build_room, row

pytestmark = pytest.mark.django_db(transaction=True)


def race(calls) -> list:
    """Run every call at once (behind a barrier), each on its own database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            outcome = call()
        except DomainError as error:
            outcome = f"{error.status} {error.code}"
        except Exception as error:  # anything else is a bug the test must show, not hide
            outcome = f"crash {type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_two_doctors_recording_the_last_of_a_lot_through_the_api_one_gets_201_the_other_422(make_staff):
    room = build_room()
    other = room.book_another()
    clients = []
    for name in ("doctor-a", "doctor-b"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=make_staff('doctor', name)).key}")
        clients.append(client)

    def post(client, session):
        def call():
            response = client.post(f"/api/v1/sessions/{session.pk}/record/",
                                   {"products": [row(room.lot, "6")]}, format="json")
            return f"{response.status_code} {response.json().get('code', '')}".strip()
        return call

    outcomes = race([post(clients[0], room.first), post(clients[1], other)])
    assert Counter(outcomes) == Counter({"201": 1, "422 lot_exhausted": 1}), outcomes
    lot = selectors.lots_with_quantities().get(pk=room.lot.pk)
    assert (lot.quantity_used, lot.quantity_left) == (Decimal("6"), Decimal("4"))
    assert SessionRecord.objects.count() == 1


def test_eight_records_racing_for_a_lot_that_holds_five_doses_never_take_more_than_it_holds(make_staff):
    room = build_room()
    doctor = make_staff("doctor")
    starts = ["2027-03-01 10:30", "2027-03-01 11:00", "2027-03-01 11:30"]
    sessions = [room.first] + [room.book_another(start, doctor=d) for start in starts for d in (0, 1)][:6]
    sessions.append(room.book_another("2027-03-01 12:00", doctor=1))
    assert len(sessions) == 8

    def give(session):
        def call():
            session_record(session=session, products=[row(room.lot, "2")], adjuncts_done=[], by=doctor, now=VISIT)
            return "ok"
        return call

    outcomes = race([give(s) for s in sessions])
    assert Counter(outcomes) == Counter({"ok": 5, "422 lot_exhausted": 3}), outcomes
    lot = selectors.lots_with_quantities().get(pk=room.lot.pk)
    assert (lot.quantity_used, lot.quantity_left) == (Decimal("10"), Decimal("0"))
