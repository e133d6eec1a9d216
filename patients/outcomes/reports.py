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
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, Q, Sum, When

from clinic.intervals import local_datetime
from clinic.models import Location, Practitioner
from clinic.selectors import open_intervals
from patients.booking.models import Session
from protocols.models import Protocol

from . import stats
from .models import SCALES
from .selectors import ASSESSMENT, measurements_counted, session_date, session_day

WINDOW_DAYS = 30


# --- Outcomes --------------------------------------------------------------------------------------


# The pairing, in SQL so a cohort of thousands comes back as one number per patient: in each
# course's series of a site and method, the baseline is the first value (oldest visit first), the
# follow-up the value of a later visit nearest the day asked (within the window; the earlier of two
# as near); a course's change is the mean over its pairs, a patient's that of their latest course.
_CHANGES_SQL = """
WITH measured AS ({rows}),
paired AS (
    SELECT o_patient, o_course, o_site, o_method, o_day, o_value, o_session,
           first_value(o_value) OVER series AS baseline, first_value(o_session) OVER series AS baseline_session
      FROM measured
    WINDOW series AS (PARTITION BY o_course, o_site, o_method ORDER BY o_start, o_session)
),
nearest AS (
    SELECT DISTINCT ON (o_course, o_site, o_method) o_patient, o_course, o_value - baseline AS change
      FROM paired
     WHERE o_session <> baseline_session AND abs(o_day - %s) <= %s
     ORDER BY o_course, o_site, o_method, abs(o_day - %s), o_day, o_session
),
by_course AS (
    SELECT o_patient, o_course, avg(change) AS change FROM nearest GROUP BY o_patient, o_course
)
SELECT DISTINCT ON (o_patient) o_patient, change FROM by_course ORDER BY o_patient, o_course DESC
"""


def outcome_changes(*, protocol_code: str, metric: str, day: int, site: str | None = None,
                    method: str | None = None) -> dict[int, float]:
    """Each counted patient's change from baseline at `day`, by patient id."""
    rows = measurements_counted().filter(metric=metric, session__course__protocol__code=protocol_code)
    if site:
        rows = rows.filter(site=site)
    if method:
        rows = rows.filter(method=method)
    rows = rows.annotate(
        o_patient=F("session__patient_id"), o_course=F("session__course_id"), o_site=F("site"),
        o_method=F("method"), o_day=session_day("session__"), o_value=F("value"), o_session=F("session_id"),
        o_start=F("session__start"),
    )
    # A value after the window is neither a follow-up nor, being later than one, a baseline with one.
    rows = rows.filter(o_day__lte=day + WINDOW_DAYS)
    rows = rows.values("o_patient", "o_course", "o_site", "o_method", "o_day", "o_value", "o_session",
                       "o_start").order_by()
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_CHANGES_SQL.format(rows=sql), [*params, day, WINDOW_DAYS, day])
        return {patient: float(change) for patient, change in cursor.fetchall()}


def adverse_events_per_100_sessions(protocol_code: str) -> float | None:
    """Events filed against a session of the protocol's courses, per 100 of their completed
    sessions (None before any is completed), in one pass over those sessions."""
    counts = Session.objects.filter(course__protocol__code=protocol_code).aggregate(
        completed=Count("id", filter=Q(status="completed"), distinct=True), events=Count("adverse_events"))
    return stats.rounded(stats.per_100(counts["events"], counts["completed"]))


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


# Without an assessment session in the protocol: the reviews the domain brief names (3 and 6 months).
DEFAULT_ASSESSMENT_DAYS = (90, 180)


def protocol_assessment_days(protocol_code: str) -> list[int]:
    """The days (since the anchor, at target gaps) of the assessment sessions of the code's active
    version (else its latest): where the cohort chart asks for the change from baseline."""
    protocol = (Protocol.objects.filter(code=protocol_code).order_by(
        Case(When(status="active", then=0), default=1), "-version").prefetch_related("sessions").first())
    days, day = [], 0
    for step in sorted(protocol.sessions.all(), key=lambda step: step.number) if protocol else []:
        day += step.gap_target_days
        if step.kind == ASSESSMENT:
            days.append(day)
    return days or list(DEFAULT_ASSESSMENT_DAYS)


def outcomes_by_day(*, protocol_code: str, metric: str, days: list[int], site: str | None = None,
                    method: str | None = None) -> list[dict]:
    """The outcomes report at each of these days (each computed as the API computes one)."""
    return [outcomes_report(protocol_code=protocol_code, metric=metric, day=day, site=site, method=method)
            for day in sorted(set(days))]


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
            "cancelled_percent": stats.rounded(stats.percent(self.cancelled, self.sessions)),
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
