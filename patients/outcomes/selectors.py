"""Reads of outcomes: a session's measurements, a patient's series, and the SQL for a
measurement's local date and its day since the course's anchor (the reports use them too).

A measurement's date is its session's local date (patients.records.selectors.session_local_date,
computed here in SQL so a cohort's rows need no Python per row); its day is that date minus the
course's `anchor_date`, which booking set once (patients.booking.windows.course_anchor) and
which is never recomputed here. Measurements of a session that was cancelled or a no-show after
they were taken are left out of every read, as the visit did not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import DateField, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Value

from patients.booking.models import Session
from patients.records.models import Site

from . import stats
from .models import SCALES, Measurement, Method, Metric


class LocalDate(Func):
    """The calendar day of an instant in a zone named per row: PostgreSQL's timezone(zone, instant)
    is the wall-clock time there, its date the local date."""

    template = "(timezone(%(expressions)s))::date"
    output_field = DateField()


class DaysBetween(Func):
    """date − date in PostgreSQL: whole days, an integer."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def session_date(prefix: str = "") -> LocalDate:
    """The local date of the session at `prefix` (e.g. "session__"; "" for a Session query)."""
    return LocalDate(F(f"{prefix}location__timezone"), F(f"{prefix}start"))


def session_day(prefix: str = "") -> DaysBetween:
    """Days since the course's anchor of the session at `prefix` (e.g. "session__")."""
    return DaysBetween(session_date(prefix), F(f"{prefix}course__anchor_date"))


def measurements_counted() -> QuerySet[Measurement]:
    """Measurements of sessions that still count (not cancelled, not a no-show)."""
    return Measurement.objects.exclude(session__status__in=Session.RELEASED)


def session_measurements(session: Session) -> QuerySet[Measurement]:
    return Measurement.objects.filter(session=session).order_by("metric", "site", "method", "id")


@dataclass
class Point:
    date: date
    session: int
    course: int
    day: int
    value: float


@dataclass
class Series:
    metric: str
    site: str | None
    method: str
    unit: str
    points: list[Point] = field(default_factory=list)

    @property
    def baseline(self) -> float | None:
        return self.points[0].value if self.points else None

    @property
    def latest(self) -> float | None:
        return self.points[-1].value if self.points else None

    @property
    def change(self) -> float | None:
        """None until there is a value after the baseline: one value is not a change of 0."""
        if len(self.points) < 2:
            return None
        return stats.rounded(stats.change(self.baseline, self.latest))

    @property
    def change_percent(self) -> float | None:
        if len(self.points) < 2:
            return None
        return stats.rounded(stats.change_percent(self.baseline, self.latest))


_ORDER = {name: n for n, name in enumerate(Metric.values)}
_SITES = {name: n for n, name in enumerate([None, *Site.values])}
_METHODS = {name: n for n, name in enumerate(Method.values)}


def series_from(rows: Iterable[tuple]) -> list[Series]:
    """Rows of (metric, site, method, date, session, course, day, value), oldest visit first within
    each series, as series by metric, site and method (a density by trichoscopy and one by
    phototrichogram are not one series: the methods count differently)."""
    found: dict[tuple, Series] = {}
    for metric, site, method, day_date, session, course, day, value in rows:
        series = found.get((metric, site, method))
        if series is None:
            series = found[(metric, site, method)] = Series(metric, site, method, SCALES[metric].unit)
        series.points.append(Point(day_date, session, course, day, float(value)))
    return sorted(found.values(), key=lambda s: (_ORDER[s.metric], _SITES[s.site], _METHODS[s.method]))


def patient_outcomes(patient_id: int) -> list[Series]:
    """The patient's measurements as series, every course together (each point names its course),
    in one query."""
    rows = (
        measurements_counted().filter(session__patient_id=patient_id)
        .annotate(day_date=session_date("session__"), day=session_day("session__"))
        .order_by("metric", "site", "method", "session__start", "session_id")
        .values_list("metric", "site", "method", "day_date", "session_id", "session__course_id", "day", "value")
    )
    return series_from(rows)


# --- Measurements due ------------------------------------------------------------------------------

ASSESSMENT = "assessment"  # protocols.models.SessionKind.ASSESSMENT: the kind a protocol gives a review
# A visit older than this no longer prompts: its measurements were taken or will not be (and a clinic's
# courses from before it measured do not all cry "due" at once).
DUE_WITHIN_DAYS = 30


def measurement_purpose(session: Session) -> str:
    """What a visit's measurements are for: "baseline" (session 1), "assessment" (a review the
    protocol plans), or "" for a treatment visit (which may carry measurements too)."""
    if session.number == 1:
        return "baseline"
    return ASSESSMENT if session.kind == ASSESSMENT else ""


def sessions_measurements_due(*, now: datetime) -> QuerySet[Session]:
    """Sessions whose measurements are due: the baseline (session 1) and the protocol's assessment
    sessions, still counting (not cancelled, not a no-show), whose local day has come within the last
    DUE_WITHIN_DAYS days, with nothing measured yet. Narrow it by patient or by id; it is one query
    whatever the number."""
    measured = Measurement.objects.filter(session=OuterRef("pk"))
    recent = now - timedelta(days=DUE_WITHIN_DAYS)
    return (Session.objects.filter(Q(number=1) | Q(kind=ASSESSMENT), start__gte=recent)
            .exclude(status__in=Session.RELEASED)
            .alias(local_day=session_date(), today=LocalDate(F("location__timezone"), Value(now)))
            .filter(local_day__lte=F("today")).exclude(Exists(measured)))


def patient_session_days(patient_id: int) -> list[dict]:
    """The patient's sessions that count (not cancelled, not a no-show), each with its course, number,
    kind, status and day since the course's anchor: where the outcome chart marks the visits."""
    return list(Session.objects.filter(patient_id=patient_id).exclude(status__in=Session.RELEASED)
                .annotate(day=session_day(), local_date=session_date())
                .order_by("course_id", "number").values("id", "course_id", "number", "kind", "status", "day",
                                                        "local_date"))
