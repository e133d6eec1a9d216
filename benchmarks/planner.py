"""Time the pure series planner on a busy clinic and print median and p95 in milliseconds.

A 6-session protocol (session 1, then five gaps of 14 days, window 12-17) planned at a clinic with
20 practitioners and 20 rooms, open Monday to Saturday 09:00-18:00 (Europe/Madrid, so DST changes
are crossed), where about 10,000 half-hour sessions are booked per practitioner: 200,000 in all.
Only plan_course is timed; building the interval sets (the database's and availability's job)
is not.

    .venv/bin/python benchmarks/planner.py [--runs 200] [--occupancy 0.7] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clinic.intervals import Interval, IntervalSet, local_datetime  # noqa: E402
from protocols.planning import Plan, Resources, Step, plan_course  # noqa: E402

ZONE = ZoneInfo("Europe/Madrid")
PRACTITIONERS = list(range(1, 21))
ROOMS = list(range(101, 121))
SLOT = 15
VISIT = 30
OPENS, CLOSES = 9 * 60, 18 * 60
SESSIONS_PER_PRACTITIONER = 10_000
STEPS = [Step(1, "treatment", 0, 0, 0, VISIT)] + [Step(n, "treatment", 12, 14, 17, VISIT) for n in range(2, 7)]


def working_days(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 6:
            days.append(day)
        day += timedelta(days=1)
    return days


def build_clinic(occupancy: float, seed: int, *, with_location_open: bool = True) -> tuple[Resources, list[date]]:
    """Book half-hour sessions at random until each practitioner has about 10,000 of them."""
    rng = random.Random(seed)
    visits_per_day = (CLOSES - OPENS) // VISIT
    days = working_days(date(2026, 1, 5), round(SESSIONS_PER_PRACTITIONER / (visits_per_day * occupancy)))
    open_set = IntervalSet(
        Interval(local_datetime(day, OPENS, ZONE), local_datetime(day, CLOSES, ZONE)) for day in days
    )
    practitioner_busy: dict[int, list[Interval]] = {p: [] for p in PRACTITIONERS}
    room_busy: dict[int, list[Interval]] = {r: [] for r in ROOMS}
    for day in days:
        for index in range(visits_per_day):
            start = local_datetime(day, OPENS + index * VISIT, ZONE)
            visit = Interval(start, start + timedelta(minutes=VISIT))
            booked = [p for p in PRACTITIONERS if rng.random() < occupancy]
            for practitioner, room in zip(booked, ROOMS, strict=False):
                practitioner_busy[practitioner].append(visit)
                room_busy[room].append(visit)
    resources = Resources(
        zone=ZONE,
        slot_minutes=SLOT,
        practitioners=PRACTITIONERS,
        rooms=ROOMS,
        open_for=dict.fromkeys(PRACTITIONERS, open_set),
        practitioner_busy={p: IntervalSet(b) for p, b in practitioner_busy.items()},
        room_busy={r: IntervalSet(b) for r, b in room_busy.items()},
        patient_busy=IntervalSet(),
        location_open=open_set if with_location_open else None,
    )
    booked = sum(len(b) for b in practitioner_busy.values())
    print(f"{booked:,} sessions booked over {len(days)} working days ({days[0]} to {days[-1]}), "
          f"occupancy {occupancy:.0%}")
    return resources, days


def time_plans(resources: Resources, starts: list[datetime], practitioner: int | None) -> tuple[list[float], Plan]:
    timings, plan = [], None
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for start in starts:
        began = time.perf_counter()
        plan = plan_course(STEPS, wished_start=start, resources=resources, practitioner=practitioner, now=now)
        timings.append((time.perf_counter() - began) * 1000)
    assert plan is not None
    return timings, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--occupancy", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--without-location-open", action="store_true", help="give the planner no location_open")
    args = parser.parse_args()

    resources, days = build_clinic(args.occupancy, args.seed, with_location_open=not args.without_location_open)
    # Collect the set-up's garbage now, so that its collection is not charged to the first plans.
    gc.collect()
    rng = random.Random(args.seed)
    # Courses start on a working day in the first half of the booked period, so all 6 sessions
    # (about 70 days) fall inside it, at a wished time on the grid during opening hours.
    starts = [
        local_datetime(rng.choice(days[: len(days) // 2]), OPENS + SLOT * rng.randrange(32), ZONE)
        for _ in range(args.runs)
    ]
    for label, practitioner in [("any practitioner", None), ("one requested practitioner", PRACTITIONERS[7])]:
        timings, plan = time_plans(resources, starts, practitioner)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        print(
            f"6-session plan, {label}: median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
            f"max {timings[-1]:.2f} ms over {len(timings)} runs (last plan: {len(plan.sessions)} sessions, "
            f"{len(plan.conflicts)} conflicts)"
        )


if __name__ == "__main__":
    main()
