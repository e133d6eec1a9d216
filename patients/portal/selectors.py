"""What the patient's own page reads: their courses and sessions (times in the clinic's zone and
theirs), the notice rule that says whether a session can still be changed online, the free times
a session may move to, and the forms still missing before the first visit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext

from clinic.errors import DomainError
from clinic.ids import id_from
from patients.booking.slots import Slot, free_slots, free_starts_on
from patients.booking.windows import previous_end, session_window
from patients.consent.selectors import unsigned_documents_of
from patients.models import ConsentDocument, Course, Patient, Screening, Session
from protocols.planning import Window

# Why a session cannot be changed online (the page says it and offers "ask the clinic").
NOT_MOVABLE = "not_movable"
TOO_LATE = "too_late_to_change"


class PortalNotFound(DomainError):
    """Nothing of this patient's has that id (another patient's session included)."""

    code = "not_found"
    status = 404


class TooLateToChange(DomainError):
    code = "too_late_to_change"
    status = 422


def notice(location) -> timedelta:
    """How far ahead a change made online must be: the location's change_notice_hours."""
    return timedelta(hours=location.change_notice_hours)


def change_refusal(session: Session, now: datetime) -> str | None:
    """Why the patient cannot move or cancel this session online now (a code), or None.
    The one place the notice rule lives: the API, the pages and the slots all ask it."""
    if not session.is_movable or session.start <= now:
        return NOT_MOVABLE
    if session.start - now < notice(session.location):
        return TOO_LATE
    return None


def earliest_change(session: Session, now: datetime) -> datetime:
    """The earliest new start the patient may choose: the notice ahead of now."""
    return now + notice(session.location)


def portal_sessions(patient: Patient):
    return Session.objects.filter(patient=patient).select_related("location", "course__protocol", "practitioner")


def portal_session(patient: Patient, session_id) -> Session:
    """The patient's own session by id; PortalNotFound (404) for anything else."""
    number = id_from(session_id)
    session = portal_sessions(patient).filter(pk=number).first() if number else None
    if session is None:
        raise PortalNotFound(gettext("Not found."))
    return session


def move_window(session: Session) -> Window:
    """The session's window as the course stands (the same rule as the desk's move)."""
    return session_window(session.course, session.number)


def portal_slots(session: Session, *, now: datetime, day: date | None = None) -> list[Slot]:
    """Free starts for the session inside its window and at least the notice ahead: every free
    start of `day` when given (a day outside the window has none), else the nearest days' best."""
    window = move_window(session)
    after = earliest_change(session, now)
    sessions = list(session.course.sessions.all())
    not_before = previous_end(sessions, session.number)
    duration = int((session.end - session.start).total_seconds() // 60)
    if day is not None:
        if day not in window:
            return []
        found = free_starts_on(location=session.location, patient=session.patient, day=day,
                               duration_minutes=duration, now=after, exclude_sessions=[session.pk])
    else:
        local = session.start.astimezone(ZoneInfo(session.location.timezone))
        found = free_slots(location=session.location, patient=session.patient, window=window,
                           duration_minutes=duration, now=after, wished_minutes=local.hour * 60 + local.minute,
                           exclude_sessions=[session.pk])
    return [slot for slot in found if not_before is None or slot.start >= not_before]


@dataclass
class PendingForms:
    """What the patient can still do at home before the first visit."""

    screening: bool = False
    documents: list[ConsentDocument] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return self.screening or bool(self.documents)


def pending_forms(patient: Patient, now: datetime) -> PendingForms:
    """What `patient` can still fill in at home before the first visit, as of `now`."""
    return pending_forms_of({patient.pk: (patient.pk, now)})[patient.pk]


def pending_forms_of[K](asks: Mapping[K, tuple[int, datetime]]) -> dict[K, PendingForms]:
    """For each ask, a (patient id, moment): the screening questionnaire (when none will be valid
    at the first visit: session 1 of an active course, still to come at that moment) and the
    consent documents that apply to the courses still to come and are not signed (the consent
    rule, for all their protocols at once). Three queries whatever the number of asks: a batch of
    reminders before session 1 asks it once for all its emails."""
    if not asks:
        return {}
    earliest = min(moment for _, moment in asks.values())
    valid_from = OuterRef("start") - timedelta(days=settings.SCREENING_VALID_DAYS)
    screened = Screening.objects.filter(patient_id=OuterRef("patient_id"), taken_at__gte=valid_from)
    coming: dict[int, list[tuple[int, str, datetime, bool]]] = {}
    for patient, *row in (Session.objects.filter(patient_id__in={p for p, _ in asks.values()}, start__gt=earliest,
                                                 status__in=Session.MOVABLE, course__status="active")
                          .annotate(screened=Exists(screened)).order_by("start")
                          .values_list("patient_id", "number", "course__protocol__code", "start", "screened")):
        coming.setdefault(patient, []).append(tuple(row))
    ahead = {key: [row for row in coming.get(patient, []) if row[2] > moment]
             for key, (patient, moment) in asks.items()}
    unsigned = unsigned_documents_of({key: (asks[key][0], {code for _, code, _, _ in rows})
                                      for key, rows in ahead.items()})
    forms = {}
    for key, rows in ahead.items():
        visit_screened = next((screened for number, _, _, screened in rows if number == 1), None)
        forms[key] = PendingForms(screening=visit_screened is False, documents=unsigned[key])
    return forms


def portal_courses(patient: Patient):
    """The patient's courses, newest first, with their sessions in order (two queries)."""
    sessions = Session.objects.select_related("location", "practitioner").order_by("number", "start")
    return (Course.objects.filter(patient=patient).select_related("location", "protocol")
            .prefetch_related(Prefetch("sessions", queryset=sessions), "protocol__sessions")
            .order_by("-created_at", "-id"))
