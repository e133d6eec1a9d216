import pytest
import time_machine

from tests.patients.records.world import VISIT, build_room


@pytest.fixture(autouse=True)
def at_the_visit():
    """Every test here runs during session 1 (the course was booked two weeks before)."""
    with time_machine.travel(VISIT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(db):
    return build_room()
