"""The day at the desk: one location's sessions of a day in time order, with what the front desk
needs at a glance (patient, protocol, "n of N", practitioner, room, consent and screening state,
who is running late) and the status buttons the state machine and the clock allow now.

A read, like the other selectors: a constant number of queries whatever the number of sessions
(the sessions with everything joined, the protocols' steps, the consents, the screenings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from clinic.intervals import local_datetime
from clinic.models import Location
from patients.booking import status as session_status
from patients.consent.selectors import consents_missing_for_visits
from patients.models import Session
from patients.screening.rules import screening_blocks_for, screening_warnings_for
from patients.screening.selectors import screenings_latest_valid_of

# A patient booked at 10:00 and not arrived at 10:10 is running late: the desk may call them.
LATE_GRACE = timedelta(minutes=10)
# The desk's one-tap buttons, in the order shown (confirming is done from the session panel).
DESK_ACTIONS = (("arrived", pgettext_lazy("mark a session as", "Arrived")),
                ("no_show", pgettext_lazy("mark a session as", "No-show")),
                ("completed", pgettext_lazy("mark a session as", "Completed")))


@dataclass(frozen=True)
class ScreeningState:
    """What the patient's screening means for this visit's protocol: `missing` (none valid),
    `blocked` (hard stops for it, no override), `warnings`, or `clear`."""

    state: str
    codes: list[str]


@dataclass(frozen=True)
class DayRow:
    session: Session
    start: datetime  # wall clock at the location, naive on purpose (as the calendar shows it)
    end: datetime
    total: int  # how many sessions the course's protocol version has: the N of "n of N"
    consent_missing: list[str]
    screening: ScreeningState
    late_minutes: int | None  # minutes past the start, for a booked or confirmed patient not yet in
    actions: list[tuple[str, str]]
    undo_until: datetime | None  # wall clock; set while the last status change may be undone

    @property
    def late(self) -> bool:
        return self.late_minutes is not None

    @property
    def late_for(self) -> str:
        """'12 min', '1 h 05 min'."""
        hours, minutes = divmod(self.late_minutes or 0, 60)
        if hours:
            return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}
        return _("%(minutes)s min") % {"minutes": minutes}


def _sessions() -> QuerySet[Session]:
    return (Session.objects.exclude(status="cancelled")
            .select_related("patient", "practitioner", "room", "location", "course__protocol", "record")
            # The protocol's steps give "of N"; they and its home adjuncts feed the screening rules.
            .prefetch_related("course__protocol__sessions", "course__protocol__home_adjuncts")
            .order_by("start", "practitioner__name", "id"))


def day_rows(sessions: Iterable[Session], *, now: datetime) -> list[DayRow]:
    """The desk's rows for these sessions (a `_sessions()` query: it and its two prefetches), then
    two queries for the consents and one for the screenings, whatever the number of sessions."""
    sessions = list(sessions)
    consents = consents_missing_for_visits((s.patient_id, s.course.protocol.code) for s in sessions)
    screenings = screenings_latest_valid_of([s.patient_id for s in sessions], now)
    rows = []
    for session in sessions:
        zone = ZoneInfo(session.location.timezone)
        protocol = session.course.protocol
        screening = screenings.get(session.patient_id)
        if screening is None:
            state = ScreeningState("missing", [])
        elif stops := screening_blocks_for(screening, protocol):
            state = ScreeningState("blocked", stops)
        elif warnings := screening_warnings_for(screening, protocol):
            state = ScreeningState("warnings", warnings)
        else:
            state = ScreeningState("clear", [])
        late = session.status in Session.MOVABLE and now > session.start + LATE_GRACE
        allowed = session_status.statuses_allowed_now(session=session, now=now)
        until = session_status.undo_until(session)
        rows.append(DayRow(
            session=session,
            start=session.start.astimezone(zone).replace(tzinfo=None),
            end=session.end.astimezone(zone).replace(tzinfo=None),
            total=len(protocol.sessions.all()),
            consent_missing=consents.get((session.patient_id, protocol.code), []),
            screening=state,
            late_minutes=int((now - session.start).total_seconds() // 60) if late else None,
            actions=[(value, label) for value, label in DESK_ACTIONS if value in allowed],
            undo_until=until.astimezone(zone).replace(tzinfo=None) if until and now <= until else None,
        ))
    return rows


def day_at_location(*, location: Location, day: date, now: datetime,
                    practitioners: Iterable[int] | None = None) -> list[DayRow]:
    """The location's sessions on its local `day` (cancelled ones left out), in time order, as the
    desk's rows; with `practitioners`, only theirs (a doctor's own day). Six queries at most."""
    zone = ZoneInfo(location.timezone)
    sessions = _sessions().filter(location=location, start__gte=local_datetime(day, 0, zone),
                                  start__lt=local_datetime(day, 1440, zone))
    if practitioners is not None:
        sessions = sessions.filter(practitioner_id__in=list(practitioners))
    return day_rows(sessions, now=now)


def day_row(session_id: int, *, now: datetime) -> DayRow | None:
    """One session's row, as the day's list shows it (after a tap on one of its buttons)."""
    return next(iter(day_rows(_sessions().filter(pk=session_id), now=now)), None)
