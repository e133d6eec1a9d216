"""The series planner: table tests on fixed dates, then Hypothesis properties.

Pure: no database, no clock. The clinics below open Monday to Saturday, 09:00-18:00 unless a test
says otherwise, on a 15-minute grid, with practitioners 1 and 2 and rooms 10 and 11.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.intervals import Interval, IntervalSet, is_nonexistent, local_datetime, subtract
from protocols.planning import (
    IN_THE_PAST,
    NO_FREE_SLOT,
    NONEXISTENT_LOCAL_TIME,
    PINNED_OUTSIDE_HOURS,
    PINNED_OUTSIDE_WINDOW,
    PINNED_SLOT_TAKEN,
    BusyNotRead,
    Plan,
    PlanConflict,
    Resources,
    Step,
    plan_course,
)

IST = ZoneInfo("Europe/Istanbul")
MAD = ZoneInfo("Europe/Madrid")
WEEKDAYS_9_TO_6 = {weekday: [("09:00", "18:00")] for weekday in range(6)}
EVERY_DAY_9_TO_6 = {weekday: [("09:00", "18:00")] for weekday in range(7)}


# --- helpers ---------------------------------------------------------------------------------


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def at(text: str, zone: ZoneInfo = IST) -> datetime:
    """'2027-01-04 10:00' on the clinic's wall clock, as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def span(start: str, end: str, zone: ZoneInfo = IST) -> Interval:
    return Interval(at(start, zone), at(end, zone))


def opening(
    zone: ZoneInfo,
    hours: Mapping[int, Sequence[tuple[str, str]]],
    *,
    first: date = date(2026, 12, 1),
    last: date = date(2027, 12, 31),
    closed_days: Iterable[date] = (),
    closures: Iterable[Interval] = (),
) -> IntervalSet:
    """What availability would hand the planner: weekly hours minus closed days and closures."""
    closed = set(closed_days)
    intervals = []
    day = first
    while day <= last:
        if day not in closed:
            for opens, closes in hours.get(day.weekday(), []):
                intervals.append(
                    Interval(local_datetime(day, minutes(opens), zone), local_datetime(day, minutes(closes), zone))
                )
        day += timedelta(days=1)
    return IntervalSet(subtract(intervals, closures))


def clinic(
    zone: ZoneInfo = IST,
    *,
    practitioners: Sequence[int] = (1, 2),
    rooms: Sequence[int] = (10, 11),
    hours: Mapping[int, Sequence[tuple[str, str]]] = WEEKDAYS_9_TO_6,
    closed_days: Iterable[date] = (),
    closures: Mapping[int, Iterable[Interval]] | None = None,
    practitioner_busy: Mapping[int, Iterable[Interval]] | None = None,
    room_busy: Mapping[int, Iterable[Interval]] | None = None,
    patient_busy: Iterable[Interval] = (),
    slot_minutes: int = 15,
) -> Resources:
    closed_days = list(closed_days)
    closures = closures or {}
    return Resources(
        zone=zone,
        slot_minutes=slot_minutes,
        practitioners=list(practitioners),
        rooms=list(rooms),
        open_for={
            p: opening(zone, hours, closed_days=closed_days, closures=closures.get(p, ())) for p in practitioners
        },
        practitioner_busy={p: IntervalSet(b) for p, b in (practitioner_busy or {}).items()},
        room_busy={r: IntervalSet(b) for r, b in (room_busy or {}).items()},
        patient_busy=IntervalSet(patient_busy),
    )


def steps(*gaps: tuple[int, int, int], duration: int = 30) -> list[Step]:
    """Steps numbered from 1 with (min, target, max) gaps."""
    return [
        Step(number=n, kind="treatment", gap_min_days=low, gap_target_days=target, gap_max_days=high,
             duration_minutes=duration)
        for n, (low, target, high) in enumerate(gaps, start=1)
    ]


def wall(plan: Plan, zone: ZoneInfo = IST) -> list[str]:
    return [f"{s.start.astimezone(zone):%Y-%m-%d %H:%M}" for s in plan.sessions]


LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)
THREE_FORTNIGHTS = steps((0, 0, 0), (12, 14, 17), (12, 14, 17))


# --- windows and targets ---------------------------------------------------------------------


def test_it_places_each_session_on_its_target_day_at_the_wished_time() -> None:
    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=clinic(), now=LONG_AGO)

    assert plan.ok
    assert wall(plan) == ["2027-01-04 10:00", "2027-01-18 10:00", "2027-02-01 10:00"]
    assert [(s.window_earliest, s.target_date, s.window_latest) for s in plan.sessions] == [
        (date(2027, 1, 4), date(2027, 1, 4), date(2027, 1, 4)),
        (date(2027, 1, 16), date(2027, 1, 18), date(2027, 1, 21)),
        (date(2027, 1, 30), date(2027, 2, 1), date(2027, 2, 4)),
    ]
    assert [s.end - s.start for s in plan.sessions] == [timedelta(minutes=30)] * 3
    assert (plan.sessions[0].practitioner, plan.sessions[0].room) == (1, 10)
    assert plan.warnings == []


def test_session_1_keeps_the_wished_start_exactly_even_off_the_grid() -> None:
    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:07"), resources=clinic(), now=LONG_AGO)

    assert plan.sessions[0].start == at("2027-01-04 10:07")
    # Later sessions go on the grid, nearest the wished time of day: 10:00 is 7 minutes away, 10:15 is 8.
    assert wall(plan)[1:] == ["2027-01-18 10:00", "2027-02-01 10:00"]


def test_session_1_moves_to_the_nearest_free_time_when_the_wished_start_is_taken() -> None:
    taken = [span("2027-01-04 09:30", "2027-01-04 10:15")]
    resources = clinic(practitioner_busy={1: taken, 2: taken})

    plan = plan_course(steps((0, 0, 0)), wished_start=at("2027-01-04 10:07"), resources=resources, now=LONG_AGO)

    # 10:00 and 10:15 are nearest (7 and 8 minutes), but only 10:15 is free.
    assert wall(plan) == ["2027-01-04 10:15"]
    assert plan.warnings == ["Session 1 could not start at the wished time; it starts at 2027-01-04 10:15."]


def test_the_first_session_counts_from_the_surgery_date_when_given() -> None:
    plan = plan_course(
        steps((1, 1, 2), (28, 28, 42)), wished_start=at("2027-01-04 11:00"), anchor_date=date(2027, 1, 7),
        resources=clinic(), now=LONG_AGO,
    )

    assert wall(plan) == ["2027-01-08 11:00", "2027-02-05 11:00"]
    assert (plan.sessions[0].window_earliest, plan.sessions[0].window_latest) == (date(2027, 1, 8), date(2027, 1, 9))


# --- closed days, closures, full days ----------------------------------------------------------


def test_between_two_equally_near_times_the_earlier_wins() -> None:
    resources = clinic(practitioner_busy={1: [span("2027-01-18 10:00", "2027-01-18 10:15")]}, practitioners=(1,))

    plan = plan_course(
        steps((0, 0, 0), (14, 14, 14), duration=15), wished_start=at("2027-01-04 10:00"),
        resources=resources, now=LONG_AGO,
    )

    # 09:45 and 10:15 are both 15 minutes from the wished 10:00, which is taken.
    assert wall(plan)[1] == "2027-01-18 09:45"


def test_a_holiday_on_the_target_day_moves_the_session_to_the_day_before() -> None:
    resources = clinic(closed_days=[date(2027, 1, 20)])

    plan = plan_course(
        steps((0, 0, 0), (12, 16, 20)), wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO
    )

    # Target is Wednesday the 20th; the 19th and the 21st are equally near, and earlier wins.
    assert wall(plan) == ["2027-01-04 10:00", "2027-01-19 10:00"]
    assert plan.warnings == ["Session 2 is on 2027-01-19, 1 day before its target day 2027-01-20."]


def test_when_the_day_before_is_closed_too_it_takes_the_day_after() -> None:
    resources = clinic(closed_days=[date(2027, 1, 19), date(2027, 1, 20)])

    plan = plan_course(
        steps((0, 0, 0), (12, 16, 20)), wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO
    )

    assert wall(plan)[1] == "2027-01-21 10:00"


def test_a_sunday_target_goes_to_saturday_rather_than_monday() -> None:
    plan = plan_course(
        steps((0, 0, 0), (5, 6, 7)), wished_start=at("2027-01-04 10:00"), resources=clinic(), now=LONG_AGO
    )

    assert wall(plan)[1] == "2027-01-09 10:00"


def test_a_morning_closure_pushes_the_session_to_the_nearest_open_time_that_day() -> None:
    morning = [span("2027-01-18 09:00", "2027-01-18 12:00")]
    resources = clinic(closures={1: morning, 2: morning})

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    assert wall(plan)[1] == "2027-01-18 12:00"


def test_a_practitioners_closure_hands_the_session_to_a_colleague_at_the_same_time() -> None:
    resources = clinic(closures={1: [span("2027-01-18 00:00", "2027-01-19 00:00")]})

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    assert wall(plan) == ["2027-01-04 10:00", "2027-01-18 10:00", "2027-02-01 10:00"]
    # Session 3 prefers session 2's practitioner, so 2 stays although 1 is back.
    assert [s.practitioner for s in plan.sessions] == [1, 2, 2]


def test_a_full_target_day_pushes_the_session_to_the_next_best_day() -> None:
    whole_day = [span("2027-01-18 00:00", "2027-01-19 00:00")]
    resources = clinic(practitioner_busy={1: whole_day, 2: whole_day})

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    # Sunday the 17th is closed, so Tuesday the 19th (one day off) beats Saturday the 16th (two);
    # session 3 counts from the 19th.
    assert wall(plan) == ["2027-01-04 10:00", "2027-01-19 10:00", "2027-02-02 10:00"]


def test_a_visit_must_fit_before_closing_time() -> None:
    plan = plan_course(
        steps((0, 0, 0), (7, 7, 7), duration=60), wished_start=at("2027-01-04 17:00"),
        resources=clinic(), now=LONG_AGO,
    )

    # 17:00-18:00 fits; 17:15 would not. The wished 17:00 is kept for session 2 as well.
    assert wall(plan) == ["2027-01-04 17:00", "2027-01-11 17:00"]
    late = plan_course(
        steps((0, 0, 0), (7, 7, 7), duration=60), wished_start=at("2027-01-04 17:30"),
        resources=clinic(), now=LONG_AGO,
    )
    # Session 1 cannot keep 17:30 (it would end after closing): nearest fitting start is 17:00.
    assert wall(late) == ["2027-01-04 17:00", "2027-01-11 17:00"]


def test_a_window_that_cannot_be_met_is_a_conflict_and_the_rest_is_still_planned() -> None:
    fully_booked = [span("2027-01-15 00:00", "2027-01-23 00:00")]
    resources = clinic(practitioner_busy={1: fully_booked, 2: fully_booked})

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    assert not plan.ok
    assert plan.conflicts == [PlanConflict(number=2, start=None, reason=NO_FREE_SLOT)]
    # Session 3 counts from session 2's target day, the 18th.
    assert [s.number for s in plan.sessions] == [1, 3]
    assert wall(plan)[1] == "2027-02-01 10:00"


# --- who and where ----------------------------------------------------------------------------


def test_the_previous_sessions_practitioner_is_tried_first_then_the_others_by_id() -> None:
    resources = clinic(
        practitioners=(1, 2, 3),
        practitioner_busy={
            1: [span("2027-01-04 10:00", "2027-01-04 10:30")],
            3: [span("2027-01-18 10:00", "2027-01-18 10:30")],
        },
    )

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    # Session 1: practitioner 1 is busy, 2 is next by id. Session 2: 2 again though 1 is free.
    assert [s.practitioner for s in plan.sessions] == [2, 2, 2]
    assert wall(plan) == ["2027-01-04 10:00", "2027-01-18 10:00", "2027-02-01 10:00"]


def test_when_the_previous_practitioner_is_busy_a_colleague_takes_the_same_time() -> None:
    resources = clinic(practitioners=(1, 2, 3), practitioner_busy={1: [span("2027-01-18 10:00", "2027-01-18 10:30")]})

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    assert [s.practitioner for s in plan.sessions] == [1, 2, 2]
    assert wall(plan)[1] == "2027-01-18 10:00"


def test_a_requested_practitioner_is_the_only_one_tried() -> None:
    resources = clinic(practitioner_busy={2: [span("2027-01-18 09:45", "2027-01-18 10:30")]})

    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, practitioner=2, now=LONG_AGO
    )

    # Practitioner 1 is free at 10:00 on the 18th, but the request names 2: the time moves instead.
    assert [s.practitioner for s in plan.sessions] == [2, 2, 2]
    assert wall(plan)[1] == "2027-01-18 10:30"


def test_the_lowest_free_room_is_taken() -> None:
    resources = clinic(rooms=(12, 10, 11), room_busy={10: [span("2027-01-18 10:00", "2027-01-18 11:00")]})

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    assert [s.room for s in plan.sessions] == [10, 11, 10]


def test_no_free_room_moves_the_session_even_with_free_practitioners() -> None:
    busy = [span("2027-01-18 09:00", "2027-01-18 10:15")]
    resources = clinic(room_busy={10: busy, 11: busy})

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    assert wall(plan)[1] == "2027-01-18 10:15"


def test_a_patient_booked_elsewhere_is_not_double_booked() -> None:
    resources = clinic(patient_busy=[span("2027-01-18 10:00", "2027-01-18 11:00")])

    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    # 09:45 would run into the other booking (the whole visit counts); 09:30 is nearer than 11:00.
    assert wall(plan)[1] == "2027-01-18 09:30"


def test_a_course_never_overlaps_itself() -> None:
    same_day = [Step(1, "treatment", 0, 0, 0, 30), Step(2, "assessment", 0, 0, 0, 15)]

    plan = plan_course(
        same_day, wished_start=at("2027-01-04 10:00"), resources=clinic(practitioners=(1,)), now=LONG_AGO
    )

    # 09:45 is as near the wished 10:00 as 10:30 and earlier, but session 1 is still on then.
    assert wall(plan) == ["2027-01-04 10:00", "2027-01-04 10:30"]
    assert [s.kind for s in plan.sessions] == ["treatment", "assessment"]


# --- a session never starts before the previous one ends -------------------------------------


@pytest.mark.parametrize(
    ("wished", "durations", "slot", "gaps", "expected"),
    [
        # The reported case: a 14:00 preview on a 30-minute grid put session 2 at 13:30.
        ("2027-01-04 14:00", (30, 30), 30, [(0, 0, 0)], ["2027-01-04 14:00", "2027-01-04 14:30"]),
        ("2027-01-04 14:00", (30, 30, 30), 30, [(0, 0, 0), (0, 0, 0)],
         ["2027-01-04 14:00", "2027-01-04 14:30", "2027-01-04 15:00"]),
        # A long first visit: the next starts at its end, not at the nearest grid time around 14:00.
        ("2027-01-04 14:00", (90, 15), 15, [(0, 0, 0)], ["2027-01-04 14:00", "2027-01-04 15:30"]),
        # Off the grid: session 1 keeps 14:07 and ends 14:37; the next grid time from then is 14:45.
        ("2027-01-04 14:07", (30, 30), 15, [(0, 0, 0)], ["2027-01-04 14:07", "2027-01-04 14:45"]),
        # Late in the day with no room left after session 1: a window of 0..1 days goes to tomorrow
        # at the wished time (tomorrow is nearer the target than nothing), never earlier today.
        ("2027-01-04 17:30", (30, 30), 15, [(0, 0, 1)], ["2027-01-04 17:30", "2027-01-05 17:30"]),
        # A gap of a day or more is untouched by the rule: the wished time of day is kept.
        ("2027-01-04 14:00", (30, 30), 30, [(1, 1, 1)], ["2027-01-04 14:00", "2027-01-05 14:00"]),
    ],
)
def test_with_a_gap_of_0_days_the_next_session_comes_after_the_previous_ends(
    wished: str, durations: tuple[int, ...], slot: int, gaps: list[tuple[int, int, int]], expected: list[str]
) -> None:
    the_steps = [Step(1, "treatment", 0, 0, 0, durations[0])] + [
        Step(n, "treatment", *gap, durations[n - 1]) for n, gap in enumerate(gaps, start=2)
    ]

    plan = plan_course(the_steps, wished_start=at(wished), resources=clinic(slot_minutes=slot), now=LONG_AGO)

    assert plan.ok
    assert wall(plan) == expected
    for previous, session in zip(plan.sessions, plan.sessions[1:], strict=False):
        assert session.start >= previous.end


def test_with_a_gap_of_0_days_and_no_time_left_that_day_the_session_is_a_conflict() -> None:
    # Session 1 ends at 18:00, closing time: nothing later that day, and the window is that day only.
    the_steps = [Step(1, "treatment", 0, 0, 0, 30), Step(2, "treatment", 0, 0, 0, 30)]

    plan = plan_course(the_steps, wished_start=at("2027-01-04 17:30"), resources=clinic(), now=LONG_AGO)

    assert wall(plan) == ["2027-01-04 17:30"]
    assert plan.conflicts == [PlanConflict(2, None, NO_FREE_SLOT)]


def test_a_pinned_start_before_the_previous_session_ends_is_outside_its_window() -> None:
    the_steps = [Step(1, "treatment", 0, 0, 0, 30), Step(2, "treatment", 0, 0, 0, 30)]

    plan = plan_course(
        the_steps, wished_start=at("2027-01-04 14:00"), resources=clinic(),
        pinned={2: at("2027-01-04 11:00")}, now=LONG_AGO,
    )

    assert wall(plan) == ["2027-01-04 14:00"]
    assert plan.conflicts == [PlanConflict(2, at("2027-01-04 11:00"), PINNED_OUTSIDE_WINDOW)]


def test_a_tail_re_planned_the_same_day_starts_after_the_previous_session_ends() -> None:
    the_steps = [Step(1, "treatment", 0, 0, 0, 60), Step(2, "treatment", 0, 0, 0, 30)]

    plan = plan_course(
        the_steps, wished_start=at("2027-01-04 10:00"), resources=clinic(), first_number=2,
        previous=(date(2027, 1, 4), 1), previous_end=at("2027-01-04 15:00"), now=LONG_AGO,
    )

    assert wall(plan) == ["2027-01-04 15:00"]


def test_open_hours_may_come_from_a_function() -> None:
    resources = clinic()
    table = dict(resources.open_for)
    asked: list[int] = []

    def open_for(practitioner: int) -> IntervalSet:
        asked.append(practitioner)
        return table[practitioner]

    resources.open_for = open_for
    plan = plan_course(THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources, now=LONG_AGO)

    assert wall(plan) == ["2027-01-04 10:00", "2027-01-18 10:00", "2027-02-01 10:00"]
    assert asked == [1]  # asked once, and only for the practitioner it needed


# --- time zones and DST ------------------------------------------------------------------------


def test_a_wished_nine_oclock_stays_nine_oclock_across_the_spring_change_in_madrid() -> None:
    resources = clinic(MAD, hours=EVERY_DAY_9_TO_6)

    plan = plan_course(
        steps((0, 0, 0), (7, 7, 7), (7, 7, 7)), wished_start=at("2027-03-21 09:00", MAD),
        resources=resources, now=LONG_AGO,
    )

    assert wall(plan, MAD) == ["2027-03-21 09:00", "2027-03-28 09:00", "2027-04-04 09:00"]
    # The same wall-clock time is an hour earlier in UTC once summer time starts.
    assert [s.start.astimezone(UTC).hour for s in plan.sessions] == [8, 7, 7]
    assert [s.end - s.start for s in plan.sessions] == [timedelta(minutes=30)] * 3


def test_a_wished_nine_oclock_stays_nine_oclock_across_the_autumn_change_in_madrid() -> None:
    resources = clinic(MAD, hours=EVERY_DAY_9_TO_6)

    plan = plan_course(
        steps((0, 0, 0), (7, 7, 7)), wished_start=at("2027-10-24 09:00", MAD), resources=resources, now=LONG_AGO
    )

    assert wall(plan, MAD) == ["2027-10-24 09:00", "2027-10-31 09:00"]
    assert [s.start.astimezone(UTC).hour for s in plan.sessions] == [7, 8]


def test_a_time_that_occurs_twice_means_its_first_occurrence() -> None:
    resources = clinic(MAD, hours={weekday: [("00:00", "24:00")] for weekday in range(7)})

    plan = plan_course(
        steps((0, 0, 0), (7, 7, 7)), wished_start=at("2027-10-24 02:30", MAD), resources=resources, now=LONG_AGO
    )

    # On 2027-10-31 Madrid goes through 02:00-03:00 twice; summer time (UTC+2) comes first.
    assert plan.sessions[1].start == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_wished_time_skipped_by_the_clocks_is_never_offered() -> None:
    night_and_day = {weekday: [("00:00", "24:00")] for weekday in range(7)}
    resources = clinic(MAD, hours=night_and_day)

    plan = plan_course(
        steps((0, 0, 0), (7, 7, 7)), wished_start=at("2027-03-21 02:30", MAD),
        resources=resources, now=LONG_AGO,
    )

    # On 2027-03-28 02:00-02:59 does not exist in Madrid: 03:00 (30 minutes away) beats 01:45 (45).
    assert wall(plan, MAD) == ["2027-03-21 02:30", "2027-03-28 03:00"]


def test_a_naive_wished_start_inside_the_dst_gap_uses_the_nearest_real_time() -> None:
    resources = clinic(MAD, hours={weekday: [("00:00", "24:00")] for weekday in range(7)})

    plan = plan_course(
        steps((0, 0, 0)), wished_start=datetime(2027, 3, 28, 2, 30), resources=resources, now=LONG_AGO
    )

    assert wall(plan, MAD) == ["2027-03-28 03:00"]
    assert "does not exist in Europe/Madrid" in plan.warnings[0]


def test_istanbul_keeps_the_same_utc_time_all_year() -> None:
    resources = clinic(IST, hours=EVERY_DAY_9_TO_6)

    plan = plan_course(
        steps((0, 0, 0), (7, 7, 7)), wished_start=at("2027-03-21 09:00"), resources=resources, now=LONG_AGO
    )

    assert [s.start.astimezone(UTC).hour for s in plan.sessions] == [6, 6]


# --- now ---------------------------------------------------------------------------------------


def test_no_session_starts_before_now() -> None:
    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=clinic(), now=at("2027-01-04 12:05")
    )

    # The wished 10:00 has passed: the first grid time after now.
    assert wall(plan) == ["2027-01-04 12:15", "2027-01-18 10:00", "2027-02-01 10:00"]


def test_now_in_the_middle_of_a_window_leaves_only_the_days_ahead() -> None:
    plan = plan_course(
        steps((0, 0, 0), (12, 14, 17)), wished_start=at("2027-01-04 10:00"), resources=clinic(),
        first_number=2, previous=(date(2027, 1, 4), 1), now=at("2027-01-18 17:50"),
    )

    # The 18th is over for a 30-minute visit (17:45 has passed; 18:00 is closing): the 19th at 10:00.
    assert wall(plan) == ["2027-01-19 10:00"]


def test_a_window_entirely_in_the_past_is_reported_as_such() -> None:
    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=clinic(), now=at("2027-01-05 08:00")
    )

    assert plan.conflicts == [PlanConflict(number=1, start=None, reason=IN_THE_PAST)]
    assert wall(plan) == ["2027-01-18 10:00", "2027-02-01 10:00"]


# --- pinned sessions ---------------------------------------------------------------------------


def test_a_pinned_session_is_kept_exactly_and_later_sessions_count_from_it() -> None:
    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=clinic(),
        pinned={2: at("2027-01-20 16:05")}, now=LONG_AGO,
    )

    assert plan.ok
    assert wall(plan) == ["2027-01-04 10:00", "2027-01-20 16:05", "2027-02-03 10:00"]
    assert plan.warnings == []


def test_a_naive_pinned_start_is_local_time_at_the_clinic() -> None:
    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=clinic(),
        pinned={2: datetime(2027, 1, 19, 14, 0)}, now=LONG_AGO,
    )

    assert wall(plan)[1] == "2027-01-19 14:00"


@pytest.mark.parametrize(
    ("pinned_at", "reason"),
    [
        ("2027-01-22 10:00", PINNED_OUTSIDE_WINDOW),  # the window closes on the 21st
        ("2027-01-15 10:00", PINNED_OUTSIDE_WINDOW),  # and opens on the 16th
        ("2027-01-18 17:45", PINNED_OUTSIDE_HOURS),  # a 30-minute visit would end after 18:00
        ("2027-01-18 08:00", PINNED_OUTSIDE_HOURS),
        ("2027-01-18 11:15", PINNED_SLOT_TAKEN),  # both practitioners are busy 11:00-12:00
        ("2027-01-18 10:45", PINNED_SLOT_TAKEN),  # the visit would run into 11:00
    ],
)
def test_a_pinned_start_that_cannot_be_kept_is_a_conflict(pinned_at: str, reason: str) -> None:
    busy = [span("2027-01-18 11:00", "2027-01-18 12:00")]
    resources = clinic(practitioner_busy={1: busy, 2: busy})

    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources,
        pinned={2: at(pinned_at)}, now=LONG_AGO,
    )

    assert plan.conflicts == [PlanConflict(number=2, start=at(pinned_at), reason=reason)]
    # The rest is planned from the pinned date, so every problem shows at once.
    pinned_day = date.fromisoformat(pinned_at[:10])
    assert plan.sessions[-1].number == 3
    assert plan.sessions[-1].target_date == pinned_day + timedelta(days=14)


def test_a_pinned_time_taken_only_by_the_patient_is_a_conflict_too() -> None:
    resources = clinic(patient_busy=[span("2027-01-18 10:00", "2027-01-18 10:30")])

    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources,
        pinned={2: at("2027-01-18 10:00")}, now=LONG_AGO,
    )

    assert plan.conflicts == [PlanConflict(2, at("2027-01-18 10:00"), PINNED_SLOT_TAKEN)]


def test_a_pinned_time_in_the_dst_gap_does_not_exist() -> None:
    resources = clinic(MAD, hours={weekday: [("00:00", "24:00")] for weekday in range(7)})

    plan = plan_course(
        steps((0, 0, 0), (7, 7, 7)), wished_start=at("2027-03-21 10:00", MAD), resources=resources,
        pinned={2: datetime(2027, 3, 28, 2, 30)}, now=LONG_AGO,
    )

    assert plan.conflicts == [PlanConflict(2, None, NONEXISTENT_LOCAL_TIME)]


def test_a_pinned_time_in_the_past_is_refused() -> None:
    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-18 10:00"), resources=clinic(),
        first_number=2, previous=(date(2027, 1, 4), 1), pinned={2: at("2027-01-18 09:00")},
        now=at("2027-01-18 09:30"),
    )

    assert plan.conflicts == [PlanConflict(2, at("2027-01-18 09:00"), IN_THE_PAST)]


def test_a_pinned_session_1_may_use_any_practitioner_in_order() -> None:
    resources = clinic(practitioner_busy={1: [span("2027-01-04 15:00", "2027-01-04 16:00")]})

    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 10:00"), resources=resources,
        pinned={1: at("2027-01-04 15:00")}, now=LONG_AGO,
    )

    assert (wall(plan)[0], plan.sessions[0].practitioner) == ("2027-01-04 15:00", 2)
    # The wished time of day still guides the unpinned sessions.
    assert wall(plan)[1:] == ["2027-01-18 10:00", "2027-02-01 10:00"]


# --- cascades and bad input --------------------------------------------------------------------


def test_a_tail_is_re_planned_from_the_previous_session() -> None:
    plan = plan_course(
        THREE_FORTNIGHTS, wished_start=at("2027-01-04 11:00"), resources=clinic(practitioners=(1, 2, 3)),
        first_number=3, previous=(date(2027, 1, 25), 3), now=LONG_AGO,
    )

    assert [s.number for s in plan.sessions] == [3]
    assert (wall(plan), plan.sessions[0].practitioner) == (["2027-02-08 11:00"], 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"now": datetime(2027, 1, 1)}, "aware"),
        ({"pinned": {7: at("2027-01-04 10:00")}}, "not among"),
        ({"steps": [Step(1, "treatment", 3, 2, 4, 30)]}, "min <= target <= max"),
        ({"steps": [Step(1, "treatment", 0, 0, 0, 0)]}, "duration"),
        ({"steps": [Step(1, "treatment", 0, 0, 0, 30)] * 2}, "same session number"),
    ],
)
def test_it_rejects_inputs_no_caller_should_send(kwargs: dict, message: str) -> None:
    arguments = {"steps": THREE_FORTNIGHTS, "wished_start": at("2027-01-04 10:00"), "resources": clinic(),
                 "now": LONG_AGO, **kwargs}
    the_steps = arguments.pop("steps")

    with pytest.raises(ValueError, match=message):
        plan_course(the_steps, **arguments)


# --- properties --------------------------------------------------------------------------------

# Dates next to DST changes, including Santiago's, where local midnight itself is skipped.
ZONES_AND_DAYS = [
    ("Europe/Madrid", date(2027, 3, 28)),
    ("Europe/Madrid", date(2027, 10, 31)),
    ("Europe/Istanbul", date(2027, 3, 28)),
    ("America/Santiago", date(2026, 9, 6)),
    ("America/Santiago", date(2027, 4, 4)),
]


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    zone_name, pivot = draw(st.sampled_from(ZONES_AND_DAYS))
    zone = ZoneInfo(zone_name)
    start_day = pivot + timedelta(days=draw(st.integers(-8, 2)))
    slot = draw(st.sampled_from([5, 10, 15, 20, 30, 60, 45]))
    # Mostly on a quarter-hour, so that equally near grid times (ties) happen often.
    wished_minutes = draw(st.one_of(st.integers(0, 95).map(lambda q: q * 15), st.integers(0, 1439)))
    practitioners = sorted(draw(st.sets(st.integers(1, 6), min_size=1, max_size=3)))
    rooms = sorted(draw(st.sets(st.integers(1, 9), min_size=1, max_size=2)))

    the_steps = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        # A course usually starts on the wished day (0/0/0); sometimes the anchor is earlier.
        if number == 1 and draw(st.booleans()):
            low = target = high = 0
        elif number > 1 and draw(st.integers(0, 3)) == 0:
            # Gaps of 0 days: the next visit the same day (or a day or two later).
            low, target, high = 0, 0, draw(st.integers(0, 2))
        else:
            low = draw(st.integers(0, 3))
            target = low + draw(st.integers(0, 3))
            high = target + draw(st.integers(0, 3))
        duration = draw(st.sampled_from([5, 15, 30, 45, 60, 90, 240]))
        the_steps.append(Step(number, draw(st.sampled_from(["treatment", "assessment"])), low, target, high, duration))

    first, last = start_day - timedelta(days=2), start_day + timedelta(days=20)
    # (opens, closes) in minutes on a quarter-hour, closes up to 24:00.
    hours_of_day = st.integers(0, 95).flatmap(lambda a: st.integers(a + 1, 96).map(lambda b: (a * 15, b * 15)))
    open_for = {}
    for practitioner in practitioners:
        if draw(st.booleans()):
            weekly = {weekday: [(6 * 60, 22 * 60)] for weekday in range(7)}
        else:
            weekly = {weekday: draw(st.lists(hours_of_day, max_size=2)) for weekday in range(7)}
        closed = set(draw(st.lists(st.integers(0, 22), max_size=4)))
        intervals = []
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            if offset in closed:
                continue
            for opens, closes in weekly[day.weekday()]:
                intervals.append(Interval(local_datetime(day, opens, zone), local_datetime(day, closes, zone)))
        open_for[practitioner] = IntervalSet(intervals)

    base = local_datetime(start_day, 0, zone)

    def busy_list() -> list[Interval]:
        spans = draw(st.lists(st.tuples(st.integers(0, 20 * 96), st.integers(1, 40)), max_size=12))
        return [Interval(base + timedelta(minutes=15 * a), base + timedelta(minutes=15 * (a + b))) for a, b in spans]

    practitioner_busy = {p: busy_list() for p in practitioners}
    room_busy = {r: busy_list() for r in rooms}
    patient_busy = busy_list()
    return {
        "zone": zone,
        "steps": the_steps,
        "wished_start": local_datetime(start_day, wished_minutes, zone),
        "slot": slot,
        "practitioners": practitioners,
        "rooms": rooms,
        "open_for": open_for,
        "practitioner_busy": practitioner_busy,
        "room_busy": room_busy,
        "patient_busy": patient_busy,
        "practitioner": draw(st.one_of(st.none(), st.sampled_from(practitioners))),
        "now": base + timedelta(hours=draw(st.one_of(st.just(-24), st.integers(-24, 72)))),
        # The optional superset of open time only speeds planning up: plans must not change.
        "location_open": IntervalSet([i for s in open_for.values() for i in s]) if draw(st.booleans()) else None,
    }


def resources_of(scenario: dict) -> Resources:
    return Resources(
        zone=scenario["zone"],
        slot_minutes=scenario["slot"],
        practitioners=scenario["practitioners"],
        rooms=scenario["rooms"],
        open_for=scenario["open_for"],
        practitioner_busy={p: IntervalSet(b) for p, b in scenario["practitioner_busy"].items()},
        room_busy={r: IntervalSet(b) for r, b in scenario["room_busy"].items()},
        patient_busy=IntervalSet(scenario["patient_busy"]),
        location_open=scenario["location_open"],
    )


def run(scenario: dict, resources: Resources | None = None) -> Plan:
    return plan_course(
        scenario["steps"], wished_start=scenario["wished_start"], resources=resources or resources_of(scenario),
        practitioner=scenario["practitioner"], now=scenario["now"],
    )


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_planned_session_is_in_its_window_open_on_the_grid_and_clear_of_everything_busy(scenario: dict) -> None:
    zone = scenario["zone"]
    plan = run(scenario)
    by_number = {step.number: step for step in scenario["steps"]}

    assert sorted([s.number for s in plan.sessions] + [c.number for c in plan.conflicts]) == sorted(by_number)
    counted_from = scenario["wished_start"].astimezone(zone).date()
    planned = {s.number: s for s in plan.sessions}
    for number in sorted(by_number):
        step = by_number[number]
        earliest = counted_from + timedelta(days=step.gap_min_days)
        latest = counted_from + timedelta(days=step.gap_max_days)
        target = counted_from + timedelta(days=step.gap_target_days)
        if number not in planned:
            counted_from = target
            continue
        session = planned[number]
        visit = Interval(session.start, session.end)
        local = session.start.astimezone(zone)
        assert (session.window_earliest, session.target_date, session.window_latest) == (earliest, target, latest)
        assert earliest <= local.date() <= latest
        assert session.end - session.start == timedelta(minutes=step.duration_minutes)
        assert session.start >= scenario["now"]
        kept_wished_start = number == 1 and session.start == scenario["wished_start"]
        if not kept_wished_start:
            assert (local.hour * 60 + local.minute) % scenario["slot"] == 0 and local.second == 0
        if scenario["practitioner"] is not None:
            assert session.practitioner == scenario["practitioner"]
        assert scenario["open_for"][session.practitioner].covers(visit)
        assert not any(visit.overlaps(b) for b in scenario["practitioner_busy"][session.practitioner])
        assert not any(visit.overlaps(b) for b in scenario["room_busy"][session.room])
        assert not any(visit.overlaps(b) for b in scenario["patient_busy"])
        assert session.kind == step.kind
        counted_from = local.date()
    sessions = plan.sessions
    for i, one in enumerate(sessions):
        for other in sessions[i + 1 :]:
            assert not Interval(one.start, one.end).overlaps(Interval(other.start, other.end))


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_every_session_starts_at_or_after_the_previous_ones_end_and_inside_its_window(
    scenario: dict, data: st.DataObject
) -> None:
    zone = scenario["zone"]
    pinned = {}
    if data.draw(st.booleans()):
        number = data.draw(st.sampled_from([step.number for step in scenario["steps"]]))
        pinned[number] = scenario["wished_start"] + timedelta(minutes=data.draw(st.integers(-1440, 4 * 1440)))

    plan = plan_course(
        scenario["steps"], wished_start=scenario["wished_start"], resources=resources_of(scenario),
        practitioner=scenario["practitioner"], pinned=pinned, now=scenario["now"],
    )

    sessions = sorted(plan.sessions, key=lambda s: s.number)
    for previous, session in zip(sessions, sessions[1:], strict=False):
        assert session.start >= previous.end
    for session in sessions:
        assert session.window_earliest <= session.start.astimezone(zone).date() <= session.window_latest


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_plan_is_deterministic_and_leaves_its_inputs_alone(scenario: dict) -> None:
    resources = resources_of(scenario)
    before = (
        {p: list(s) for p, s in resources.practitioner_busy.items()},
        {r: list(s) for r, s in resources.room_busy.items()},
        list(resources.patient_busy),
    )

    first, second = run(scenario, resources), run(scenario, resources)

    assert first == second
    assert first == run(scenario)  # and from freshly built inputs
    after = (
        {p: list(s) for p, s in resources.practitioner_busy.items()},
        {r: list(s) for r, s in resources.room_busy.items()},
        list(resources.patient_busy),
    )
    assert before == after


def reference_plan(scenario: dict) -> list[tuple[int, datetime | None, int | None, int | None]]:
    """The contract's placement rule read literally, with plain lists and no shortcuts: slow but
    obviously right, to check the fast planner's choices (not only their validity)."""
    zone, now = scenario["zone"], scenario["now"]
    wished = scenario["wished_start"]
    wished_local = wished.astimezone(zone)
    wished_minutes = wished_local.hour * 60 + wished_local.minute
    counted_from = wished_local.date()
    previous: int | None = None
    previous_end: datetime | None = None
    course: list[Interval] = []
    result = []
    for step in sorted(scenario["steps"], key=lambda s: s.number):
        earliest = counted_from + timedelta(days=step.gap_min_days)
        target = counted_from + timedelta(days=step.gap_target_days)
        latest = counted_from + timedelta(days=step.gap_max_days)
        days = [earliest + timedelta(days=n) for n in range((latest - earliest).days + 1)]
        days.sort(key=lambda d: (abs((d - target).days), d))
        grid = sorted(range(0, 1440, scenario["slot"]), key=lambda m: (abs(m - wished_minutes), m))
        candidates = [wished] if step.number == 1 and earliest <= wished_local.date() <= latest else []
        for day in days:
            for m in grid:
                naive = datetime.combine(day, time(m // 60, m % 60))
                if not is_nonexistent(naive, zone):
                    candidates.append(naive.replace(tzinfo=zone).astimezone(UTC))
        if scenario["practitioner"] is not None:
            order = [scenario["practitioner"]]
        else:
            order = sorted(scenario["practitioners"], key=lambda p: (p != previous, p))
        choice = None
        for start in candidates:
            visit = Interval(start, start + timedelta(minutes=step.duration_minutes))
            if start < now or any(visit.overlaps(b) for b in scenario["patient_busy"] + course):
                continue
            if previous_end is not None and start < previous_end:
                continue
            for practitioner in order:
                free_rooms = [
                    r for r in sorted(scenario["rooms"]) if not any(visit.overlaps(b) for b in scenario["room_busy"][r])
                ]
                if (
                    any(o.contains(visit) for o in scenario["open_for"][practitioner])
                    and not any(visit.overlaps(b) for b in scenario["practitioner_busy"][practitioner])
                    and free_rooms
                ):
                    choice = (start, practitioner, free_rooms[0], visit)
                    break
            if choice is not None:
                break
        if choice is None:
            result.append((step.number, None, None, None))
            counted_from = target
        else:
            start, practitioner, room, visit = choice
            result.append((step.number, start, practitioner, room))
            course.append(visit)
            counted_from = start.astimezone(zone).date()
            previous, previous_end = practitioner, visit.end
    return result


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_plan_is_the_first_candidate_in_the_contracts_order(scenario: dict) -> None:
    plan = run(scenario)
    got = [(s.number, s.start, s.practitioner, s.room) for s in plan.sessions]
    got += [(c.number, None, None, None) for c in plan.conflicts]

    assert sorted(got, key=lambda row: row[0]) == reference_plan(scenario)


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_a_pinned_session_is_kept_exactly_or_reported_and_the_next_counts_from_its_date(
    scenario: dict, data: st.DataObject
) -> None:
    zone = scenario["zone"]
    number = data.draw(st.sampled_from([step.number for step in scenario["steps"]]))
    pin = scenario["wished_start"] + timedelta(minutes=data.draw(st.integers(-1440, 8 * 1440)))

    plan = plan_course(
        scenario["steps"], wished_start=scenario["wished_start"], resources=resources_of(scenario),
        practitioner=scenario["practitioner"], pinned={number: pin}, now=scenario["now"],
    )

    kept = [s for s in plan.sessions if s.number == number]
    reported = [c for c in plan.conflicts if c.number == number]
    assert len(kept) + len(reported) == 1
    if kept:
        session = kept[0]
        assert session.start == pin
        assert session.window_earliest <= pin.astimezone(zone).date() <= session.window_latest
        assert scenario["open_for"][session.practitioner].covers(Interval(session.start, session.end))
        assert session.start >= scenario["now"]
    else:
        assert reported[0].start == pin
        assert reported[0].reason in {PINNED_OUTSIDE_WINDOW, PINNED_OUTSIDE_HOURS, PINNED_SLOT_TAKEN, IN_THE_PAST}
    after = {s.number: s for s in plan.sessions}.get(number + 1)
    if after is not None:
        step = next(s for s in scenario["steps"] if s.number == number + 1)
        assert after.target_date == pin.astimezone(zone).date() + timedelta(days=step.gap_target_days)
    sessions = plan.sessions
    for i, one in enumerate(sessions):
        for other in sessions[i + 1 :]:
            assert not Interval(one.start, one.end).overlaps(Interval(other.start, other.end))


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_busy_time_read_piece_by_piece_as_the_planner_asks_gives_the_plan_of_reading_everything(
    scenario: dict, data: st.DataObject
) -> None:
    # The caller reads some time first (here: one random day) and then whatever BusyNotRead names.
    base = scenario["wished_start"]
    first_day = base + timedelta(days=data.draw(st.integers(-2, 10)))
    read = [Interval(first_day, first_day + timedelta(days=1))]

    def overlapping(spans: Iterable[Interval], known: IntervalSet) -> IntervalSet:
        return IntervalSet(s for s in spans if any(s.overlaps(k) for k in known))

    for _ in range(50):
        known = IntervalSet(read)
        resources = resources_of(scenario)
        resources.practitioner_busy = {
            p: overlapping(b, known) for p, b in scenario["practitioner_busy"].items()
        }
        resources.room_busy = {r: overlapping(b, known) for r, b in scenario["room_busy"].items()}
        resources.patient_busy = overlapping(scenario["patient_busy"], known)
        resources.known = known
        try:
            plan = run(scenario, resources)
        except BusyNotRead as missing:
            assert not known.covers(missing.span)
            read.append(missing.span)
            continue
        break
    else:
        raise AssertionError("the planner kept asking for more busy time")

    assert plan == run(scenario)
