"""The pure protocol rules: every message lands on the field it is about."""

from hypothesis import given
from hypothesis import strategies as st

from protocols.rules import (
    MSG_GAP_MAX,
    MSG_GAP_MIN,
    MSG_HARVEST,
    MSG_SESSION_COUNT,
    number_sessions,
    protocol_errors,
)
from tests.factories import session_rows


def test_a_sound_protocol_has_no_errors():
    assert protocol_errors(source_category="autologous", sessions=session_rows(3)) == {}


def test_it_rejects_a_gap_min_above_target():
    rows = session_rows(2)
    rows[1].update(gap_min_days=30, gap_target_days=28)
    errors = protocol_errors(source_category="plant", sessions=rows)
    assert errors == {"sessions": {1: {"gap_min_days": [MSG_GAP_MIN]}}}


def test_it_rejects_a_target_above_the_maximum():
    rows = session_rows(2)
    rows[1].update(gap_target_days=40, gap_max_days=35)
    assert protocol_errors(source_category="plant", sessions=rows)["sessions"][1] == {"gap_max_days": [MSG_GAP_MAX]}


def test_it_rejects_negative_and_absurd_gaps():
    rows = session_rows(3)
    rows[1]["gap_min_days"] = -1
    rows[2]["gap_max_days"] = 99_999
    errors = protocol_errors(source_category="plant", sessions=rows)["sessions"]
    assert errors[1] == {"gap_min_days": ["A gap cannot be negative."]}
    assert "cannot be longer than 3650 days" in errors[2]["gap_max_days"][0]


def test_it_rejects_zero_and_53_sessions():
    assert protocol_errors(source_category="plant", sessions=[]) == {"sessions": [MSG_SESSION_COUNT]}
    assert protocol_errors(source_category="plant", sessions=session_rows(53)) == {"sessions": [MSG_SESSION_COUNT]}
    assert protocol_errors(source_category="plant", sessions=session_rows(52)) == {}


def test_it_rejects_durations_outside_5_to_480_minutes():
    for minutes in (-10, 0, 4, 481, 10_000, "30"):
        rows = session_rows(1, duration_minutes=minutes)
        errors = protocol_errors(source_category="plant", sessions=rows)
        assert errors["sessions"][0] == {"duration_minutes": ["A visit lasts 5 to 480 minutes."]}, minutes


def test_a_harvest_needs_an_autologous_source():
    rows = session_rows(1, visit_adjuncts=["harvest_blood"])
    assert protocol_errors(source_category="autologous", sessions=rows) == {}
    for source in ("plant", "allogeneic_human", "animal"):
        errors = protocol_errors(source_category=source, sessions=rows)
        assert errors["sessions"][0] == {"visit_adjuncts": [MSG_HARVEST]}


def test_it_names_an_unknown_adjunct():
    rows = session_rows(1, visit_adjuncts=["prp", "laser"])
    message = protocol_errors(source_category="autologous", sessions=rows)["sessions"][0]["visit_adjuncts"][0]
    assert "“laser”" in message


def test_it_rejects_unknown_and_repeated_home_adjuncts():
    errors = protocol_errors(
        source_category="plant", sessions=session_rows(1),
        home_adjuncts=[{"kind": "minoxidil"}, {"kind": "minoxidil"}, {"kind": "biotin"}],
    )
    assert 0 not in errors["home_adjuncts"]
    assert errors["home_adjuncts"][1] == {"kind": ["Each home adjunct can be listed once."]}
    assert "“biotin”" in errors["home_adjuncts"][2]["kind"][0]


def test_session_numbers_must_run_without_holes():
    rows = session_rows(3)
    rows[2]["number"] = 4
    errors = protocol_errors(source_category="plant", sessions=number_sessions(rows))
    assert errors == {"sessions": ["Session numbers must run 1, 2, 3 … without holes or repeats."]}


def test_sessions_without_numbers_are_numbered_by_position_and_numbered_ones_sorted():
    rows = session_rows(3)
    for row in rows:
        del row["number"]
    assert [row["number"] for row in number_sessions(rows)] == [1, 2, 3]
    shuffled = list(reversed(session_rows(3)))
    assert [row["number"] for row in number_sessions(shuffled)] == [1, 2, 3]


@given(
    low=st.integers(min_value=-5, max_value=4000),
    target=st.integers(min_value=-5, max_value=4000),
    high=st.integers(min_value=-5, max_value=4000),
    minutes=st.integers(min_value=-10, max_value=600),
)
def test_a_session_is_accepted_exactly_when_its_window_and_duration_make_sense(low, target, high, minutes):
    rows = session_rows(2, duration_minutes=minutes)
    rows[1].update(gap_min_days=low, gap_target_days=target, gap_max_days=high)
    sound = 0 <= low <= target <= high <= 3650 and 5 <= minutes <= 480
    assert (protocol_errors(source_category="plant", sessions=rows) == {}) is sound
