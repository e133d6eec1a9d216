"""A session's status groups are defined once, on the model, and the database's guards use them."""

from django.db.models import Q

from patients.models import Session


def test_every_status_is_live_or_released_and_movable_sessions_are_live():
    statuses = set(Session.Status.values)
    assert set(Session.LIVE) | set(Session.RELEASED) == statuses
    assert not set(Session.LIVE) & set(Session.RELEASED)
    assert set(Session.MOVABLE) < set(Session.LIVE)


def test_the_double_booking_guards_hold_exactly_the_live_sessions_and_numbers_free_up_when_released():
    constraints = {c.name: c for c in Session._meta.constraints}
    for who in ("practitioner", "room", "patient"):
        assert constraints[f"session_no_double_booking_{who}"].condition == Q(status__in=list(Session.LIVE))
    assert constraints["session_number_unique_while_live"].condition == ~Q(status__in=list(Session.RELEASED))


def test_the_properties_read_the_groups():
    for status in Session.Status.values:
        session = Session(status=status)
        assert (session.is_live, session.is_movable, session.is_released) == (
            status in Session.LIVE, status in Session.MOVABLE, status in Session.RELEASED)
