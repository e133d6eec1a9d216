import pytest

from tests.patients.outcomes.world import build_room


@pytest.fixture
def room(db):
    return build_room()
