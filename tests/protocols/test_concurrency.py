"""Two doctors at once, on real PostgreSQL connections: the database keeps one draft and one active version."""

import threading

import pytest
from django.db import connection

from clinic.errors import Conflict
from protocols.models import Protocol
from protocols.services import protocol_activate, protocol_revise
from tests.factories import ProtocolFactory


def _race(target, count: int = 2) -> list:
    barrier = threading.Barrier(count)
    results: list = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # the loser's refusal is the result under test
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_doctors_revising_at_once_make_one_draft(doctor):
    active = ProtocolFactory(status="active")
    results = _race(lambda: protocol_revise(protocol=active, by=doctor))
    drafts = [r for r in results if isinstance(r, Protocol)]
    refusals = [r for r in results if isinstance(r, Conflict)]
    assert len(drafts) == 1 and len(refusals) == 1 and refusals[0].code == "draft_exists"
    assert Protocol.objects.filter(code=active.code, status="draft").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_doctors_activating_the_same_draft_leave_one_active_version(doctor):
    v1 = ProtocolFactory(status="active")
    v2 = protocol_revise(protocol=v1, by=doctor)
    results = _race(lambda: protocol_activate(protocol=v2, by=doctor))
    assert sum(isinstance(r, Protocol) for r in results) == 1
    assert [r.code for r in results if isinstance(r, Conflict)] == ["invalid_transition"]
    assert list(Protocol.objects.filter(code=v1.code).order_by("version").values_list("status", flat=True)) == [
        "archived", "active"]
