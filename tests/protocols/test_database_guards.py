"""The database itself refuses what would break a protocol, whatever code tries it."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from protocols.models import HomeAdjunct, Protocol, ProtocolSession
from tests.factories import ProtocolFactory, ProtocolSessionFactory

pytestmark = pytest.mark.django_db


def refused(error=DatabaseError, match=None):
    """The statement fails inside its own savepoint, so the test can go on querying."""

    class _Refused:
        def __enter__(self):
            self.raises = pytest.raises(error, match=match)
            self.raises.__enter__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def __exit__(self, *exc):
            self.atomic.__exit__(*exc)
            return self.raises.__exit__(*exc)

    return _Refused()


@pytest.mark.parametrize("status", ["active", "archived"])
def test_the_sessions_of_a_non_draft_cannot_be_updated_inserted_or_deleted(status):
    protocol = ProtocolFactory(status=status, sessions=3)
    session = protocol.sessions.get(number=2)
    with refused(IntegrityError, match="is not a draft"):
        ProtocolSession.objects.filter(pk=session.pk).update(gap_target_days=30)
    with refused(IntegrityError):
        session.delete()
    with refused(IntegrityError):
        ProtocolSession.objects.create(protocol=protocol, number=4, gap_min_days=0, gap_target_days=0,
                                       gap_max_days=0, duration_minutes=30)
    with refused(IntegrityError):
        HomeAdjunct.objects.create(protocol=protocol, kind="minoxidil")
    assert list(protocol.sessions.values_list("gap_target_days", flat=True)) == [0, 28, 28]


def test_a_draft_session_can_change():
    protocol = ProtocolFactory(sessions=2)
    assert ProtocolSession.objects.filter(protocol=protocol, number=2).update(gap_target_days=30) == 1


def test_an_active_protocol_cannot_be_renamed_but_can_be_archived():
    protocol = ProtocolFactory(status="active")
    with refused(IntegrityError):
        Protocol.objects.filter(pk=protocol.pk).update(name="Changed")
    with refused(IntegrityError, match="only a draft"):
        Protocol.objects.filter(pk=protocol.pk).update(notes="Changed")
    Protocol.objects.filter(pk=protocol.pk).update(status="archived")
    assert Protocol.objects.get(pk=protocol.pk).status == "archived"


@pytest.mark.parametrize(("before", "after"), [("archived", "active"), ("archived", "draft"), ("active", "draft")])
def test_a_status_never_goes_back(before, after):
    protocol = ProtocolFactory(status=before)
    with refused():
        Protocol.objects.filter(pk=protocol.pk).update(status=after)


def test_a_version_in_use_stays_in_use_and_cannot_be_deleted():
    protocol = ProtocolFactory(status="active", in_use=True)
    with refused(IntegrityError):
        Protocol.objects.filter(pk=protocol.pk).update(in_use=False)
    with refused(IntegrityError):
        Protocol.objects.filter(pk=protocol.pk).delete()


def test_an_active_version_cannot_be_deleted():
    protocol = ProtocolFactory(status="active")
    with refused(IntegrityError):
        Protocol.objects.filter(pk=protocol.pk).delete()


def test_only_one_version_of_a_code_is_active():
    ProtocolFactory(code="ONE", status="active")
    with refused(IntegrityError):
        ProtocolFactory(code="ONE", version=2, status="active")


def test_a_code_has_one_row_per_version():
    ProtocolFactory(code="ONE")
    with refused(IntegrityError):
        ProtocolFactory(code="ONE")


@pytest.mark.parametrize(
    "values",
    [
        {"gap_min_days": 30, "gap_target_days": 28, "gap_max_days": 35},
        {"gap_min_days": 21, "gap_target_days": 40, "gap_max_days": 35},
        {"gap_max_days": 4000, "gap_target_days": 3700, "gap_min_days": 3700},
        {"duration_minutes": 2},
        {"duration_minutes": 600},
        {"visit_adjuncts": ["laser"]},
        {"kind": "surgery"},
        {"number": 0},
    ],
)
def test_the_database_refuses_a_broken_session(values):
    protocol = ProtocolFactory(sessions=0)
    with refused(IntegrityError):
        ProtocolSessionFactory(protocol=protocol, **{"number": 1, **values})


def test_session_numbers_run_without_holes_at_commit():
    protocol = ProtocolFactory(sessions=0)
    with refused(IntegrityError, match="without holes"):
        with connection.cursor() as cursor:
            # The check is deferred to commit; the test's transaction never commits, so ask for it now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for number in (1, 2, 4):
            ProtocolSessionFactory(protocol=protocol, number=number)


def test_sessions_numbered_1_to_n_pass_the_check():
    protocol = ProtocolFactory(sessions=0)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for number in (1, 2, 3):
            ProtocolSessionFactory(protocol=protocol, number=number)
    assert protocol.sessions.count() == 3
