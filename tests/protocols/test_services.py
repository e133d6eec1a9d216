"""Protocol services: drafts, activation, revision, archiving and the lock a course puts on a version."""

import pytest
from django.apps import apps

from clinic.errors import Conflict, Unprocessable
from protocols.models import Protocol, ProtocolSession
from protocols.rules import MSG_GAP_MIN
from protocols.services import (
    ProtocolInvalid,
    protocol_activate,
    protocol_archive,
    protocol_create,
    protocol_delete,
    protocol_lock,
    protocol_revise,
    protocol_update,
)
from tests.factories import ProtocolFactory, session_rows

pytestmark = pytest.mark.django_db


def _create(doctor, **overrides):
    data = dict(
        code="EXO-TEST", name="Test course", indication="aga", source_category="autologous",
        route="injection", sessions=session_rows(3), by=doctor,
    )
    data.update(overrides)
    return protocol_create(**data)


def _snapshot(protocol: Protocol) -> list[tuple]:
    return list(
        ProtocolSession.objects.filter(protocol=protocol).order_by("number").values_list(
            "number", "gap_min_days", "gap_target_days", "gap_max_days", "duration_minutes", "kind",
            "visit_adjuncts", "instructions",
        )
    )


def test_it_creates_a_draft_version_1_with_its_sessions(doctor):
    protocol = _create(doctor, home_adjuncts=[{"kind": "minoxidil", "instructions": "Twice a day."}])
    assert (protocol.status, protocol.version) == ("draft", 1)
    assert [s.number for s in protocol.sessions.all()] == [1, 2, 3]
    assert protocol.total_days == 56
    assert protocol.uses_minoxidil and not protocol.men_only


def test_creating_an_invalid_protocol_writes_nothing(doctor):
    rows = session_rows(3)
    rows[2].update(gap_min_days=40)
    with pytest.raises(ProtocolInvalid) as raised:
        _create(doctor, sessions=rows, source_category="plant", route="topical")
    assert raised.value.errors["sessions"][2] == {"gap_min_days": [MSG_GAP_MIN]}
    assert not Protocol.objects.exists() and not ProtocolSession.objects.exists()


def test_it_refuses_a_second_protocol_with_an_existing_code(doctor):
    _create(doctor)
    with pytest.raises(ProtocolInvalid) as raised:
        _create(doctor, code="exo-test")
    assert "revise it" in raised.value.errors["code"][0]


def test_harvest_with_a_plant_source_is_refused_by_the_visit_adjuncts_field(doctor):
    with pytest.raises(ProtocolInvalid) as raised:
        _create(doctor, source_category="plant", route="topical",
                sessions=session_rows(2, visit_adjuncts=["harvest_fat"]))
    assert "autologous" in raised.value.errors["sessions"][0]["visit_adjuncts"][0]


def test_switching_a_draft_with_a_harvest_to_a_plant_source_is_refused(doctor):
    protocol = _create(doctor, sessions=session_rows(2, visit_adjuncts=["harvest_blood"]))
    with pytest.raises(ProtocolInvalid):
        protocol_update(protocol=protocol, fields={"source_category": "plant"}, by=doctor)
    assert Protocol.objects.get(pk=protocol.pk).source_category == "autologous"


def test_a_draft_can_be_edited_session_by_session(doctor):
    protocol = _create(doctor)
    rows = session_rows(4)
    rows[1]["duration_minutes"] = 45
    protocol_update(protocol=protocol, fields={"name": "Renamed"}, sessions=rows, by=doctor)
    protocol.refresh_from_db()
    assert protocol.name == "Renamed"
    assert [(s.number, s.duration_minutes) for s in protocol.sessions.all()] == [(1, 30), (2, 45), (3, 30), (4, 30)]
    protocol_update(protocol=protocol, sessions=session_rows(2), by=doctor)
    assert protocol.sessions.count() == 2


def test_the_code_of_a_protocol_cannot_change(doctor):
    protocol = _create(doctor)
    with pytest.raises(ProtocolInvalid) as raised:
        protocol_update(protocol=protocol, fields={"code": "OTHER"}, by=doctor)
    assert "code" in raised.value.errors


@pytest.mark.parametrize("status", ["active", "archived"])
def test_only_a_draft_can_be_edited(doctor, status):
    protocol = ProtocolFactory(status=status)
    before = _snapshot(protocol)
    with pytest.raises(Conflict) as raised:
        protocol_update(protocol=protocol, fields={"name": "Changed"}, sessions=session_rows(5), by=doctor)
    assert raised.value.code == "protocol_not_editable" and raised.value.status == 409
    assert Protocol.objects.get(pk=protocol.pk).name == protocol.name
    assert _snapshot(protocol) == before


def test_activating_an_empty_draft_is_refused(doctor):
    protocol = ProtocolFactory(sessions=0)
    with pytest.raises(ProtocolInvalid) as raised:
        protocol_activate(protocol=protocol, by=doctor)
    assert raised.value.errors == {"sessions": ["A protocol needs 1 to 52 sessions."]}
    assert Protocol.objects.get(pk=protocol.pk).status == "draft"


def test_activating_an_active_protocol_is_an_invalid_transition(doctor):
    protocol = ProtocolFactory(status="active")
    with pytest.raises(Conflict) as raised:
        protocol_activate(protocol=protocol, by=doctor)
    assert raised.value.code == "invalid_transition"


def test_revise_makes_a_draft_with_the_next_version_and_the_same_sessions(doctor):
    active = ProtocolFactory(status="active", home_adjuncts=["finasteride"])
    draft = protocol_revise(protocol=active, by=doctor)
    assert (draft.code, draft.version, draft.status) == (active.code, 2, "draft")
    assert _snapshot(draft) == _snapshot(active)
    assert draft.men_only
    assert Protocol.objects.get(pk=active.pk).status == "active"


def test_revising_twice_points_to_the_draft_that_exists(doctor):
    active = ProtocolFactory(status="active")
    draft = protocol_revise(protocol=active, by=doctor)
    with pytest.raises(Conflict) as raised:
        protocol_revise(protocol=active, by=doctor)
    assert raised.value.code == "draft_exists" and raised.value.extra == {"draft": draft.pk}


def test_only_an_active_protocol_can_be_revised(doctor):
    with pytest.raises(Conflict):
        protocol_revise(protocol=ProtocolFactory(status="draft"), by=doctor)


def test_activating_a_revision_archives_the_version_before_it(doctor):
    v1 = ProtocolFactory(status="active")
    v2 = protocol_revise(protocol=v1, by=doctor)
    protocol_activate(protocol=v2, by=doctor)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("archived", "active")
    assert v1.archived_at is not None and v2.activated_at is not None


def test_editing_revising_and_archiving_leave_every_earlier_version_exactly_as_it_was(doctor):
    v1 = ProtocolFactory(status="active", sessions=4, visit_adjuncts=["prp"], in_use=True)
    v1_before = _snapshot(v1)
    v2 = protocol_revise(protocol=v1, by=doctor)
    rows = session_rows(6, gap=(10, 14, 20))
    protocol_update(protocol=v2, fields={"name": "Shorter gaps"}, sessions=rows, by=doctor)
    protocol_activate(protocol=v2, by=doctor)
    v3 = protocol_revise(protocol=v2, by=doctor)
    v2_before = _snapshot(v2)
    protocol_update(protocol=v3, sessions=session_rows(2), by=doctor)
    protocol_archive(protocol=v2, by=doctor)
    assert _snapshot(v1) == v1_before
    assert _snapshot(v2) == v2_before
    assert len(_snapshot(v3)) == 2


def test_archive_retires_an_active_or_a_draft_but_not_twice(doctor):
    active = protocol_archive(protocol=ProtocolFactory(status="active"), by=doctor)
    draft = protocol_archive(protocol=ProtocolFactory(), by=doctor)
    assert active.status == draft.status == "archived"
    with pytest.raises(Conflict):
        protocol_archive(protocol=active, by=doctor)


def test_only_unused_drafts_can_be_deleted(doctor):
    draft = ProtocolFactory()
    protocol_delete(protocol=draft, by=doctor)
    assert not Protocol.objects.filter(pk=draft.pk).exists()
    with pytest.raises(Conflict):
        protocol_delete(protocol=ProtocolFactory(status="active"), by=doctor)


def test_lock_marks_an_active_version_in_use_and_refuses_others(doctor):
    protocol = protocol_lock(ProtocolFactory(status="active"))
    assert Protocol.objects.get(pk=protocol.pk).in_use
    assert protocol_lock(protocol).in_use  # twice is fine
    for status in ("draft", "archived"):
        with pytest.raises(Unprocessable) as raised:
            protocol_lock(ProtocolFactory(status=status))
        assert raised.value.code == "protocol_not_active" and raised.value.status == 422


def test_a_locked_version_can_still_be_archived_but_never_edited(doctor):
    protocol = protocol_lock(ProtocolFactory(status="active"))
    before = _snapshot(protocol)
    protocol_archive(protocol=protocol, by=doctor)
    with pytest.raises(Conflict):
        protocol_update(protocol=protocol, sessions=session_rows(1), by=doctor)
    assert _snapshot(protocol) == before


def test_every_change_is_in_the_history_with_its_author(doctor):
    protocol = _create(doctor)
    protocol_update(protocol=protocol, fields={"name": "Renamed"}, by=doctor)
    protocol_activate(protocol=protocol, by=doctor)
    events = list(apps.get_model("protocols", "ProtocolEvent").objects.filter(pgh_obj=protocol).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update", "update"]
    assert all(e.pgh_context.metadata["user"] == doctor.pk for e in events)
    actions = [e.pgh_context.metadata["action"] for e in events]
    assert actions == ["protocol_create", "protocol_update", "protocol_activate"]
    session_events = apps.get_model("protocols", "ProtocolSessionEvent").objects.filter(pgh_obj__protocol=protocol)
    assert session_events.count() == 3 and all(e.pgh_context.metadata["user"] == doctor.pk for e in session_events)
