import pytest
import time_machine

from tests.patients.records.world import VISIT, build_room


@pytest.fixture(autouse=True)
def at_the_visit():
    """Every test here runs during session 1 of the records' world (Mon 1 Mar 2027, 10:20)."""
    with time_machine.travel(VISIT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(db):
    return build_room()


@pytest.fixture
def patient(room):
    return room.world.patient
