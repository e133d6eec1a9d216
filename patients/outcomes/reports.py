"""The clinic's two reports (api-contract.md, "Reports"): the outcome of a protocol at a day of
its courses, and adherence to the booked series over a period.

Outcomes: a patient counts when one of their courses of the protocol (any version) has a
baseline (the course's first measurement of the metric, normally at session 1) and a later value
within ±WINDOW_DAYS of the day asked for (the one nearest to it). Changes are paired by site and
method (a vertex density by trichoscopy against a vertex density by trichoscopy); a patient with
several pairs counts once, with their mean change, and a patient with several courses of the
protocol counts once, by their latest course. Adverse events per 100 sessions are the protocol's:
events filed against a session of any of its courses, per 100 of their completed sessions.

Adherence: the sessions whose local date lies in the period, by status; in_window_percent is the
share of the completed sessions held inside their window, no_show_percent the share of no-shows
among the sessions whose outcome is known (arrived, completed, no-show: a session still booked
may yet be kept). Utilisation is a practitioner's booked minutes (sessions that hold their time)
over their open minutes (clinic.selectors.open_intervals: opening hours, working hours, closures
and holidays, one rule for the planner and for this report).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from clinic.intervals import local_datetime
from clinic.models import Location, Practitioner
from clinic.selectors import open_intervals
from patients.booking.models import Session
from patients.records.models import AdverseEvent

from . import stats
from .models import SCALES
from .selectors import measurements_counted, session_date, session_day

WINDOW_DAYS = 30


# --- Outcomes --------------------------------------------------------------------------------------


def _course_change(rows: list[tuple], day: int) -> float | None:
    """The mean over a course's (site, method) pairs of value near `day` − baseline. `rows`:
    (site, method, day, value, session) of one course, oldest visit first in each pair."""
    by_pair: dict[tuple, list[tuple]] = defaultdict(list)
    for site, method, at_day, value, session in rows:
        by_pair[(site, method)].append((at_day, value, session))
    changes = []
    for points in by_pair.values():
        base_day, base_value, base_session = points[0]
        near = [(abs(at_day - day), at_day, value) for at_day, value, session in points[1:]
                if session != base_session and abs(at_day - day) <= WINDOW_DAYS]
        if near:
            _, _, value = min(near)
            changes.append(stats.change(float(base_value), float(value)))
    return fmean(changes) if changes else None


def outcome_changes(*, protocol_code: str, metric: str, day: int, site: str | None = None,
                    method: str | None = None) -> dict[int, float]:
    """Each counted patient's change from baseline at `day`, by patient id."""
    rows = measurements_counted().filter(metric=metric, session__course__protocol__code=protocol_code)
    if site:
        rows = rows.filter(site=site)
    if method:
        rows = rows.filter(method=method)
    rows = (rows.annotate(day=session_day("session__"))
            .order_by("session__course_id", "site", "method", "session__start", "session_id")
            .values_list("session__patient_id", "session__course_id", "site", "method", "day", "value", "session_id"))
    courses: dict[int, tuple[int, list]] = {}
    for patient, course, at_site, at_method, at_day, value, session in rows.iterator(chunk_size=5000):
        courses.setdefault(course, (patient, []))[1].append((at_site, at_method, at_day, value, session))
    changes: dict[int, float] = {}
    for course in sorted(courses):  # a later course (a higher id) wins for its patient
        patient, course_rows = courses[course]
        value = _course_change(course_rows, day)
        if value is not None:
            changes[patient] = value
    return changes


def adverse_events_per_100_sessions(protocol_code: str) -> float | None:
    completed = Session.objects.filter(course__protocol__code=protocol_code, status="completed").count()
    events = AdverseEvent.objects.filter(session__course__protocol__code=protocol_code).count()
    return stats.rounded(stats.per_100(events, completed))


def outcomes_report(*, protocol_code: str, metric: str, day: int, site: str | None = None,
                    method: str | None = None) -> dict:
    """The change from baseline of `metric` at `day` for the protocol's patients (api-contract.md)."""
    changes = outcome_changes(protocol_code=protocol_code, metric=metric, day=day, site=site, method=method)
    summary = stats.change_summary(list(changes.values()))
    return {
        "protocol_code": protocol_code, "metric": metric, "day": day, "site": site, "method": method,
        "unit": SCALES[metric].unit, "window_days": WINDOW_DAYS,
        "patients": summary.n,
        "mean_change": stats.rounded(summary.mean),
        "ci95": None if summary.ci95 is None else [stats.rounded(bound) for bound in summary.ci95],
        "median_change": stats.rounded(summary.median),
        "adverse_events_per_100_sessions": adverse_events_per_100_sessions(protocol_code),
    }


# --- Adherence -------------------------------------------------------------------------------------


@dataclass
class Tally:
    sessions: int = 0
    completed: int = 0
    arrived: int = 0
    no_show: int = 0
    cancelled: int = 0
    in_window: int = 0

    def add(self, status: str, count: int, in_window: int) -> None:
        self.sessions += count
        if status in ("completed", "arrived", "no_show", "cancelled"):
            setattr(self, status, getattr(self, status) + count)
        self.in_window += in_window

    def as_dict(self) -> dict:
        resolved = self.completed + self.arrived + self.no_show
        return {
            "sessions": self.sessions, "completed": self.completed, "no_show": self.no_show,
            "cancelled": self.cancelled,
            "in_window_percent": stats.rounded(stats.percent(self.in_window, self.completed)),
            "no_show_percent": stats.rounded(stats.percent(self.no_show, resolved)),
        }


def sessions_in_period(*, locations: list[Location], start_date: date, end_date: date):
    """Sessions whose local date (at their location) lies in [start_date, end_date]."""
    period = Q(pk__in=[])
    for location in locations:
        zone = ZoneInfo(location.timezone)
        period |= Q(location=location, start__gte=local_datetime(start_date, 0, zone),
                    start__lt=local_datetime(end_date + timedelta(days=1), 0, zone))
    return Session.objects.filter(period)


def _utilisation(sessions, locations: list[Location], start_date: date, end_date: date) -> list[dict]:
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    booked = dict(sessions.filter(status__in=Session.LIVE).order_by().values("practitioner")
                  .annotate(minutes=Sum(length)).values_list("practitioner", "minutes"))
    practitioners = (Practitioner.objects.filter(Q(location__in=locations, active=True) | Q(pk__in=list(booked)))
                     .select_related("location").order_by("location__name", "name", "id"))
    rows = []
    for practitioner in practitioners:
        open_time = sum((interval.duration for interval in open_intervals(
            location=practitioner.location, start_date=start_date, end_date=end_date, practitioner=practitioner)),
            timedelta())
        booked_minutes = int(booked.get(practitioner.pk, timedelta()).total_seconds() // 60)
        open_minutes = int(open_time.total_seconds() // 60)
        rows.append({
            "practitioner": practitioner.pk, "name": practitioner.name, "location": practitioner.location_id,
            "booked_minutes": booked_minutes, "open_minutes": open_minutes,
            "utilisation_percent": stats.rounded(stats.percent(booked_minutes, open_minutes)),
        })
    return rows


def adherence_report(*, location: Location | None, start_date: date, end_date: date) -> dict:
    """Sessions of the period by status, in-window and no-show shares, overall and by protocol
    code, and each practitioner's utilisation (api-contract.md). Without a location: every one."""
    locations = [location] if location else list(Location.objects.order_by("name", "id"))
    sessions = sessions_in_period(locations=locations, start_date=start_date, end_date=end_date)
    day = session_date()
    in_window = Q(status="completed", local_day__gte=F("window_earliest"), local_day__lte=F("window_latest"))
    rows = (sessions.alias(local_day=day).order_by().values("course__protocol__code", "status")
            .annotate(count=Count("id"), in_window=Count("id", filter=in_window))
            .values_list("course__protocol__code", "status", "count", "in_window"))
    total, by_code = Tally(), defaultdict(Tally)
    for code, status, count, held in rows:
        total.add(status, count, held)
        by_code[code].add(status, count, held)
    return {
        "location": location.pk if location else None, "from": start_date, "to": end_date,
        **total.as_dict(),
        "by_protocol": [{"protocol_code": code, **by_code[code].as_dict()} for code in sorted(by_code)],
        "by_practitioner": _utilisation(sessions, locations, start_date, end_date),
    }
