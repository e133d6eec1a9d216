"""The timeline geometry, the version diff and the booking page's protocols_allowed_at."""

from dataclasses import dataclass

import pytest

from protocols.diff import protocol_diff
from protocols.selectors import protocols_allowed_at
from protocols.services import protocol_revise, protocol_update
from protocols.timeline import MARGIN, WIDTH, timeline_layout
from tests.factories import LocationFactory, ProtocolFactory, session_rows


@dataclass
class Step:
    number: int
    gap_min_days: int
    gap_target_days: int
    gap_max_days: int
    kind: str = "treatment"


def test_each_session_sits_at_its_target_day_with_its_window_from_the_previous_target():
    steps = [Step(1, 0, 0, 0), Step(2, 42, 42, 56), Step(3, 42, 42, 56), Step(4, 76, 90, 104, "assessment")]
    layout = timeline_layout(steps)
    assert [m.day for m in layout.marks] == [0, 42, 84, 174]
    assert [(m.earliest, m.latest) for m in layout.marks] == [(0, 0), (42, 56), (84, 98), (160, 188)]
    assert layout.total_days == 174 and layout.span_days == 188
    assert layout.marks[0].x == MARGIN and layout.marks[-1].x < WIDTH - MARGIN
    xs = [m.x for m in layout.marks]
    assert xs == sorted(xs)
    assert layout.marks[-1].kind == "assessment"
    assert all(MARGIN <= t.x <= WIDTH - MARGIN for t in layout.ticks) and len(layout.ticks) <= 13


def test_an_empty_or_one_day_protocol_does_not_divide_by_zero():
    assert timeline_layout([]).marks == []
    assert timeline_layout([Step(1, 0, 0, 0)]).marks[0].x == MARGIN


@pytest.mark.django_db
def test_the_diff_names_changed_fields_and_sessions(doctor):
    v1 = ProtocolFactory(status="active", sessions=2)
    v2 = protocol_revise(protocol=v1, by=doctor)
    rows = session_rows(3)
    rows[1]["duration_minutes"] = 45
    v2 = protocol_update(protocol=v2, fields={"name": "New name"}, sessions=rows,
                         home_adjuncts=[{"kind": "minoxidil"}], by=doctor)
    diff = protocol_diff(v1, v2)
    assert [(c.label, c.after) for c in diff.fields] == [("Name", "New name")]
    assert [(s.number, s.status) for s in diff.sessions] == [(2, "changed"), (3, "added")]
    assert diff.sessions[0].changes[0].label == "Duration (min)"
    assert diff.home_adjuncts[0].label == "Minoxidil" and diff.home_adjuncts[0].before is None
    assert protocol_diff(v1, v1).empty


@pytest.mark.django_db
def test_protocols_allowed_at_splits_active_protocols_by_the_route_policy():
    location = LocationFactory()  # default policy: only autologous may be injected
    own_blood = ProtocolFactory(code="A", status="active", source_category="autologous", route="injection")
    rose = ProtocolFactory(code="B", status="active", source_category="plant", route="topical")
    cord = ProtocolFactory(code="C", status="active", source_category="allogeneic_human", route="injection")
    ProtocolFactory(code="D", status="draft")
    allowed, refused = protocols_allowed_at(location)
    assert allowed == [own_blood, rose]
    assert [(p, "not by injection" in reason) for p, reason in refused] == [(cord, True)]
