"""Why the calendar says no, in the receptionist's words: why a day is closed (a public holiday by
name, a closure with its reason, a day the location never opens), why a session left its target
day, and what clashes with a chosen time (practitioner, room, patient busy; outside hours).

Reads the same calendar as the booking services (opening hours, closures, holidays, live
sessions); it never decides anything, it only explains what the planner and the database refuse.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.dateformat import format as date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from clinic.availability import availability_from, weekly_intervals
from clinic.formats import written_date
from clinic.hours import hhmm, parse_hours, public_holidays
from clinic.intervals import Interval, IntervalSet, local_datetime, subtract
from clinic.models import Closure, Location, Practitioner
from patients.models import Patient, Session

FULLY_BOOKED = gettext_lazy("fully booked")
CLOSED_ON_WEEKDAY = [gettext_lazy("closed on Mondays"), gettext_lazy("closed on Tuesdays"),
                     gettext_lazy("closed on Wednesdays"), gettext_lazy("closed on Thursdays"),
                     gettext_lazy("closed on Fridays"), gettext_lazy("closed on Saturdays"),
                     gettext_lazy("closed on Sundays")]


def day_label(day: date) -> str:
    """'Fri 12 Mar', with the weekday and month in the page's language."""
    return written_date(day, "weekday_day")


def closed_days(*, location: Location, start_date: date, end_date: date) -> dict[date, str]:
    """{local date: why the whole location is closed that day} over [start_date, end_date]; days
    open for any part are left out. 'closed for Eid al-Fitr (public holiday)', 'closed: Staff
    training', 'closed on Sundays'."""
    if end_date < start_date:
        return {}
    zone = ZoneInfo(location.timezone)
    reasons: dict[date, str] = {}
    if location.observe_public_holidays:
        names = public_holidays(location.country, location.subdivision, range(start_date.year, end_date.year + 1),
                                get_language())
        holiday = _("closed for %(holiday)s (public holiday)")
        reasons.update({day: holiday % {"holiday": name} for day, name in names.items()
                        if start_date <= day <= end_date})
    hours = parse_hours(location.opening_hours)
    open_weekdays = {span.weekday for span in hours}
    closures = list(Closure.objects.filter(
        location=location, practitioner__isnull=True, start__lt=local_datetime(end_date + timedelta(days=1), 0, zone),
        end__gt=local_datetime(start_date, 0, zone),
    ).values_list("start", "end", "reason"))
    day = start_date
    while day <= end_date:
        if day not in reasons:
            if day.weekday() not in open_weekdays:
                reasons[day] = str(CLOSED_ON_WEEKDAY[day.weekday()])
            else:
                spans = weekly_intervals(hours, zone, day, day)
                covering = [(s, e, r) for s, e, r in closures if any(s < span.end and span.start < e for span in spans)]
                if covering and not subtract(spans, [Interval(s, e) for s, e, _reason in covering]):
                    reasons[day] = _("closed: %(reason)s") % {"reason": covering[0][2] or _("closure")}
        day += timedelta(days=1)
    return reasons


def _runs(days: Sequence[date], reasons: dict[date, str]) -> list[tuple[date, date, str]]:
    """Consecutive days with the same reason, merged: [(first, last, reason)]."""
    runs: list[tuple[date, date, str]] = []
    for day in sorted(days):
        reason = reasons.get(day, str(FULLY_BOOKED))
        if runs and runs[-1][2] == reason and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day, reason)
        else:
            runs.append((day, day, reason))
    return runs


def _span_label(first: date, last: date) -> str:
    if first == last:
        return day_label(first)
    if first.month == last.month:
        return f"{first.day}–{last.day} {date_format(last, 'M')}"
    return f"{written_date(first, 'day_month')} – {written_date(last, 'day_month')}"


def describe_days(days: Iterable[date], reasons: dict[date, str]) -> str:
    """'9–11 Mar closed for Eid al-Fitr (public holiday); Fri 12 Mar fully booked'."""
    return "; ".join(f"{_span_label(first, last)} {reason}" for first, last, reason in _runs(list(days), reasons))


def day_explainer(location: Location, start_date: date, end_date: date):
    """A function the planner can call (pure from its side) to say why it skipped some days. The
    reasons are read the first time it is called: most plans skip no day and never call it."""

    @functools.cache
    def reasons() -> dict[date, str]:
        return closed_days(location=location, start_date=start_date, end_date=end_date)

    def explain(days: Sequence[date]) -> str:
        return describe_days(days, reasons())

    return explain


# --- What clashes with one chosen time ---------------------------------------------------------


def time_clashes(
    *,
    location: Location,
    start: datetime,
    end: datetime,
    practitioner: Practitioner,
    patient: Patient,
    exclude_sessions: Iterable[int] = (),
) -> list[str]:
    """Every reason the visit [start, end) cannot go there, each a sentence; empty if none is found
    (then the time was taken a moment ago)."""
    zone = ZoneInfo(location.timezone)
    day = start.astimezone(zone).date()
    span = Interval(start, end)
    exclude = list(exclude_sessions)
    reasons: list[str] = []
    closed = closed_days(location=location, start_date=day, end_date=day)
    if day in closed:
        return [_("%(day)s: %(location)s is %(reason)s.") % {"day": day_label(day), "location": location.name,
                                                              "reason": closed[day]}]
    hours = parse_hours(location.opening_hours)
    day_closures = list(Closure.objects.filter(location=location, start__lt=end, end__gt=start)
                        .select_related("practitioner").order_by("start"))
    for closure in day_closures:
        who = location.name if closure.practitioner_id is None else closure.practitioner.name
        if closure.practitioner_id in (None, practitioner.pk):
            local_start, local_end = closure.start.astimezone(zone), closure.end.astimezone(zone)
            times = {"who": who, "start": f"{local_start:%H:%M}", "end": f"{local_end:%H:%M}", "reason": closure.reason}
            reasons.append(_("%(who)s is closed %(start)s–%(end)s: %(reason)s.") % times if closure.reason
                           else _("%(who)s is closed %(start)s–%(end)s.") % times)
    location_open = IntervalSet(weekly_intervals(hours, zone, day, day))
    if not location_open.covers(span):
        opening = ", ".join(f"{hhmm(s.opens)}–{hhmm(s.closes)}" for s in hours if s.weekday == day.weekday())
        reasons.append(_("Outside opening hours (%(hours)s).") % {"hours": opening or _("closed that day")})
    elif not reasons:
        working = parse_hours(practitioner.working_hours, field="working hours")
        if working and not IntervalSet(availability_from(hours=hours, working_hours=working, zone=zone,
                                                         start_date=day, end_date=day)).covers(span):
            reasons.append(_("%(name)s does not work then.") % {"name": practitioner.name})
    live = Session.objects.filter(status__in=Session.LIVE, start__lt=end, end__gt=start).exclude(pk__in=exclude)
    for other in live.filter(practitioner=practitioner).order_by("start")[:1]:
        local = other.start.astimezone(zone)
        reasons.append(_("%(name)s has another patient %(start)s–%(end)s.")
                       % {"name": practitioner.name, "start": f"{local:%H:%M}",
                          "end": f"{other.end.astimezone(zone):%H:%M}"})
    rooms = list(location.rooms.filter(active=True).values_list("id", flat=True))
    busy_rooms = set(live.filter(room_id__in=rooms).values_list("room_id", flat=True))
    if rooms and busy_rooms >= set(rooms):
        reasons.append(_("Every room is taken then."))
    for other in live.filter(patient=patient).select_related("location", "course__protocol").order_by("start")[:1]:
        local = other.start.astimezone(ZoneInfo(other.location.timezone))
        reasons.append(_("The patient is booked elsewhere then: %(code)s session %(n)s at %(time)s (%(location)s).")
                       % {"code": other.course.protocol.code, "n": other.number, "time": f"{local:%H:%M}",
                          "location": other.location.name})
    return reasons


__all__ = ["closed_days", "day_explainer", "describe_days", "time_clashes"]
