"""The demo clinic's past, played forward through the services, each step at its own moment.

Booking refuses the past and the dispatcher judges a reminder against the real clock, by design;
so the story is played with the clock travelled (time-machine, pinned in requirements.txt, which
every install and the Docker image install): each registration, screening, signature, booking,
arrival, record, measurement, no-show, cancellation, change request, adverse event, recall pass and
reminder dispatch pass happens at its moment, in time order, through the same services the pages
and the API call, with `now=` that moment too. Nothing is written to a model directly, so every
constraint, window, state-machine rule and audit-trail entry is what the clinic itself would make.
The story never travels past the real now: what lies ahead stays booked, with its reminders pending.

Emails of the past go to Django's dummy mailer while the story is played (they were "sent" then,
and nobody should receive them now); each sent row then gets the delivery report a sending service
would have given.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test.utils import override_settings

from clinic.models import Location
from patients.booking.reschedule import session_change_request
from patients.booking.selectors import rebook_slots, rebook_targets
from patients.booking.services import SlotConflict, course_book
from patients.booking.status import course_cancel, session_cancel, session_set_status
from patients.consent.selectors import documents_active
from patients.consent.services import consent_sign
from patients.models import Course, Patient, Reminder, Session
from patients.outcomes.services import measurements_record
from patients.records import services as records
from patients.records.adverse_events import adverse_event_file, adverse_event_review, adverse_event_update
from patients.registry.services import patient_create
from patients.reminders.delivery import reminder_delivery_record
from patients.reminders.dispatch import reminder_claim_due, reminder_send_claimed
from patients.reminders.recalls import recall_queue_due
from patients.screening import rules
from patients.screening.services import screening_override, screening_record, screening_review_request
from protocols.models import Protocol
from protocols.starter import PHOTOS_TODAY

from . import clinical
from .people import PEOPLE, Event, Person, email_of, phone_of
from .people import Course as CourseStory

DUMMY_MAILER = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
DISPATCH_DELAY = timedelta(seconds=90)
DEMO_WORKER = "seed_demo"
RECALL_DAYS_PLAYED = 45  # recall passes before that would find nothing: the story's gaps are recent
DESK_IP = "192.0.2.10"  # TEST-NET-1: the desk's tablet
DESK_DEVICE = "Anagen desk tablet (demo)"


# The actions that queue emails (a confirmation, an aftercare, a cancellation, a change, a recall).
QUEUEING = {"_book", "_finish", "_cancel", "_cancel_course", "_rebook", "_recalls"}


class Story:
    """The demo's events in a queue by moment; `run` plays them in order with the clock there."""

    def __init__(self, *, now: datetime, locations: dict[str, Location], reception, doctor):
        self.now = now
        self.locations = locations
        self.reception, self.doctor = reception, doctor
        self.queue: list[tuple[datetime, int, Callable[..., Any], tuple]] = []
        self.order = 0
        self.protocols = {p.code: p for p in Protocol.objects.filter(status="active")
                          .prefetch_related("sessions", "home_adjuncts")}
        self.lots: dict[str, list[Any]] = {}
        self.patients: dict[int, Patient] = {}
        self.people: dict[int, Person] = {}  # by patient id
        self.codes: dict[int, str] = {}  # protocol code by course id
        self.photos = 0
        self.skipped: list[str] = []  # courses the calendar had no room for
        self.seen = Reminder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.passes: set[datetime] = set()

    # --- The queue ---------------------------------------------------------------------------

    def at(self, moment: datetime, action: Callable[..., Any], *args: Any) -> None:
        """Play `action(*args)` at `moment`, unless that is still to come."""
        if moment <= self.now:
            self.order += 1
            heapq.heappush(self.queue, (moment, self.order, action, args))

    def run(self) -> None:
        with override_settings(MAILERS=DUMMY_MAILER):
            while self.queue:
                moment, _, action, args = heapq.heappop(self.queue)
                with time_machine.travel(moment, tick=False):
                    action(moment, *args)
                    if action.__name__ in QUEUEING:
                        self._queued()

    def today(self, location: Location) -> date:
        return self.now.astimezone(ZoneInfo(location.timezone)).date()

    def local(self, location: Location, day: date, hour: str) -> datetime:
        return datetime.combine(day, time.fromisoformat(hour), tzinfo=ZoneInfo(location.timezone))

    # --- The setting -------------------------------------------------------------------------

    def write(self) -> None:
        """Queue the whole story, then play it."""
        self._stock()
        for person in PEOPLE:
            self._person(person)
        self.at(self.now, self._dispatch)  # the last pass: anything due by now is sent
        first_recalls = (self.now - timedelta(days=RECALL_DAYS_PLAYED)).replace(hour=4, minute=0, second=0,
                                                                                  microsecond=0)
        self.at(first_recalls, self._recalls)
        self.run()

    def _stock(self) -> None:
        """Products and their lots, each lot received on its day."""
        today = self.now.astimezone(UTC).date()
        for product in clinical.PRODUCTS:
            first = clinical.received_dates(product.key, today)[0][0]
            self.at(datetime.combine(first, time(8), tzinfo=UTC) - timedelta(days=1), self._product, product)

    def _product(self, moment: datetime, product: clinical.DemoProduct) -> None:
        row = records.product_create(data={"name": product.name, "kind": product.kind,
                                           "source_category": product.source_category,
                                           "manufacturer": product.manufacturer, "unit": product.unit},
                                     by=self.doctor)
        self.lots[product.key] = []
        today = self.now.astimezone(UTC).date()
        for index, (received, expires) in enumerate(clinical.received_dates(product.key, today)):
            self.at(datetime.combine(received, time(9), tzinfo=UTC), self._lot, product, row, index, received,
                    expires)

    def _lot(self, moment: datetime, product, row, index: int, received: date, expires: date) -> None:
        lot = records.lot_create(data={"product": row, "lot_number": clinical.lot_number(product.key, received, index),
                                       "received_on": received, "expires_on": expires,
                                       "quantity_received": 800}, by=self.doctor)
        self.lots[product.key].append(lot)
        if product.key == clinical.RECALLED and index == 0:
            self.at(self.now - timedelta(days=clinical.RECALL_DAYS_AGO), self._recall_lot, lot)

    def _recall_lot(self, moment: datetime, lot) -> None:
        records.lot_recall(lot=lot, reason=clinical.RECALL_REASON, by=self.doctor, now=moment)
        lot.recalled = True

    # --- A patient's story -------------------------------------------------------------------

    def _person(self, person: Person) -> None:
        location = self.locations[person.location]
        rng = random.Random(f"{person.first_name} {person.last_name}")
        if not person.courses:
            self.at(self.now - timedelta(days=2, hours=3), self._register, person, None)
            return
        previous_booking = None
        for number, story in enumerate(person.courses):
            start_day = self._start_day(location, story)
            if start_day < self.today(location):
                lead = 3 if number else rng.randint(4, 12)
                booked = self.local(location, start_day - timedelta(days=lead), "11:15")
            else:
                booked = self.now - timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 5))
            if previous_booking is None:
                self.at(booked - timedelta(minutes=40), self._register, person, story.code)
            else:
                self.at(booked - timedelta(minutes=20), self._screen, person, story.code)
            previous_booking = booked
            self.at(booked, self._book, person, story, start_day, rng)

    def _start_day(self, location: Location, story: CourseStory) -> date:
        """Session 1's day (a surgery-anchored course: the surgery day) such that session
        `story.number` falls on today + `story.day` at target gaps."""
        steps = sorted(self.protocols[story.code].sessions.all(), key=lambda s: s.number)
        before = sum(step.gap_target_days for step in steps[1:story.number])
        return self.today(location) + timedelta(days=story.day - before)

    def _register(self, moment: datetime, person: Person, code: str | None) -> None:
        patient = patient_create(
            first_name=person.first_name, last_name=person.last_name, email=email_of(person),
            phone=phone_of(person), date_of_birth=date(person.born, 1 + person.index % 12, 1 + person.index % 27),
            sex=person.sex, language=person.language, timezone=person.timezone, notes=person.notes,
            reminder_opt_in=person.opt_in, investigational_ack=True, allow_duplicate=True, by=self.reception,
        )
        self.patients[person.index] = patient
        self.people[patient.pk] = person
        for document in documents_active():
            consent_sign(patient=patient, document=document, signed_name=patient.full_name, agree=True, ip=DESK_IP,
                         user_agent=DESK_DEVICE, by=self.reception, now=moment)
        self._screen(moment, person, code)

    def _screen(self, moment: datetime, person: Person, code: str | None) -> None:
        answers = {key: key in person.yes for key in rules.ANSWER_KEYS}
        screening = screening_record(patient=self.patients[person.index], answers=answers, by=self.reception,
                                     taken_at=moment)
        if screening.hard_stops and person.override and code:
            screening_override(screening=screening, reason=person.override, protocols=[code], by=self.doctor)
        elif screening.hard_stops:
            screening_review_request(screening=screening, by=self.reception)

    def _book(self, moment: datetime, person: Person, story: CourseStory, start_day: date, rng: random.Random
              ) -> None:
        location = self.locations[person.location]
        protocol = self.protocols[story.code]
        postop = protocol.anchor == "surgery_date"
        for shift in (0, -1, 1, -2, 2, -3, 3, 4):
            day = start_day + timedelta(days=shift)
            start = self.local(location, day, story.hour)
            if start <= moment + timedelta(hours=1):
                continue
            try:
                course, _ = course_book(patient=self.patients[person.index], protocol=protocol, location=location,
                                        start=start, surgery_date=day if postop else None, by=self.reception,
                                        now=moment)
            except SlotConflict:
                continue
            break
        else:
            # A calendar that has no room for it near that day (a long holiday): the demo goes on without it.
            self.skipped.append(f"{story.code} for {person.first_name} {person.last_name}")
            return
        self.codes[course.pk] = story.code
        for session in course.sessions.order_by("number"):
            self._session(course, session, person, story, moment, rng)

    def _session(self, course: Course, session: Session, person: Person, story: CourseStory, booked: datetime,
                 rng: random.Random, rebooked: bool = False) -> None:
        number, now = session.number, self.now
        if story.stop_after is not None and number > story.stop_after:
            return  # the course is cancelled before it
        if story.stop_after == number:
            self.at(session.end + timedelta(days=4), self._cancel_course, course, story.reason)
        if story.cancel == number and not rebooked:
            self.at(max(session.start - timedelta(days=3), booked + timedelta(hours=2)), self._cancel, session)
        elif story.noshow == number and not rebooked:
            self.at(session.start + timedelta(minutes=20), self._no_show, session)
            if story.rebook:
                self.at(session.start + timedelta(hours=26), self._rebook, course, number, person, story, rng)
        elif session.end <= now:
            self.at(session.start - timedelta(minutes=10), self._arrive, session)
            self.at(session.end, self._finish, course, session, person)
            for event in story.events:
                if event.number == number:
                    self.at(session.end + timedelta(hours=20), self._adverse, session, event)
        elif session.start <= now:
            self.at(session.start - timedelta(minutes=5), self._arrive, session)
        elif story.change == number:
            self.at(max(now - timedelta(hours=18), booked + timedelta(hours=1)), self._change, session, story.note)
        elif session.start - timedelta(hours=26) > booked and rng.random() < 0.7:
            self.at(session.start - timedelta(hours=26), self._confirm, session)

    # --- What happens at the desk and in the room ----------------------------------------------

    def _arrive(self, moment: datetime, session: Session) -> None:
        # The desk asks the screening questions again at each visit (a fever, a new medicine).
        self._screen(moment - timedelta(minutes=2), self.people[session.patient_id], self.codes[session.course_id])
        session_set_status(session=session, status="arrived", by=self.reception, now=moment)

    def _confirm(self, moment: datetime, session: Session) -> None:
        session.refresh_from_db()
        if session.status == "booked":
            session_set_status(session=session, status="confirmed", by=None, now=moment)  # the patient's link
            self._screen(moment, self.people[session.patient_id], self.codes[session.course_id])  # from home

    def _no_show(self, moment: datetime, session: Session) -> None:
        session_set_status(session=session, status="no_show", by=self.reception, now=moment)

    def _cancel(self, moment: datetime, session: Session) -> None:
        session_cancel(session=session, reason="The patient phoned: cannot come that week.", by=self.reception,
                       now=moment)

    def _cancel_course(self, moment: datetime, course: Course, reason: str) -> None:
        course_cancel(course=course, reason=reason, by=self.reception, now=moment)

    def _change(self, moment: datetime, session: Session, note: str) -> None:
        session_change_request(session=session, note=note, now=moment)

    def _rebook(self, moment: datetime, course: Course, number: int, person: Person, story: CourseStory,
                rng: random.Random) -> None:
        course = Course.objects.get(pk=course.pk)
        windows = dict(rebook_targets(course, now=moment))
        if number not in windows:
            return
        slots = [s for s in rebook_slots(course, number, windows[number], now=moment)
                 if s.start > moment + timedelta(hours=20)]
        if not slots:
            return
        session, _ = records_rebook(course=course, number=number, start=slots[0].start, by=self.reception, now=moment)
        self._session(course, session, person, story, moment, rng, rebooked=True)

    def _finish(self, moment: datetime, course: Course, session: Session, person: Person) -> None:
        protocol = self.protocols[course.protocol.code]
        step = next(s for s in protocol.sessions.all() if s.number == session.number)
        products = []
        if session.kind == "treatment":
            day = moment.astimezone(ZoneInfo(course.location.timezone)).date()
            for key in clinical.GIVEN[protocol.code]:
                lot = self._lot_for(key, day)
                products.append(records.Given(lot=lot, quantity=next(p.dose for p in clinical.PRODUCTS
                                                                     if p.key == key),
                                              sites=clinical.SITES.get(protocol.code, clinical.DEFAULT_SITES)))
        # The baseline, the reviews, and the treatments whose instructions say photos are taken today.
        measured = session.number == 1 or session.kind == "assessment" or PHOTOS_TODAY.en.strip() in step.instructions
        records.session_record(session=session, products=products, adjuncts_done=list(step.visit_adjuncts),
                               notes=clinical.visit_notes(session.kind, session.number, measured), by=self.doctor,
                               now=moment)
        if measured:
            days = (session.start.astimezone(ZoneInfo(course.location.timezone)).date() - course.anchor_date).days
            readings = clinical.readings_for(code=protocol.code, seed=f"{person.first_name} {person.last_name}",
                                             days=days, baseline=session.number == 1)
            measurements_record(session=session, readings=readings, by=self.doctor, now=moment)
            self.photos += clinical.seed_demo_photos(session=session, by=self.doctor, now=moment)

    def _lot_for(self, key: str, day: date):
        usable = [lot for lot in self.lots[key] if lot.received_on <= day <= lot.expires_on and not lot.recalled]
        return min(usable, key=lambda lot: lot.expires_on)

    def _adverse(self, moment: datetime, session: Session, event: Event) -> None:
        onset = session.start.astimezone(ZoneInfo(session.location.timezone)).date()
        filed = adverse_event_file(data={
            "patient_id": session.patient_id, "session": session, "onset": onset, "kind": event.kind,
            "severity": event.severity, "serious": event.serious, "description": event.description,
            "reported_by": event.reported_by,
        }, by=self.reception if event.reported_by == "patient" else self.doctor, now=moment)
        if event.resolved:
            self.at(moment + timedelta(days=6), self._adverse_resolved, filed)
        if event.reviewed:
            self.at(moment + timedelta(days=1), self._adverse_reviewed, filed)

    def _adverse_resolved(self, moment: datetime, event) -> None:
        adverse_event_update(event=event, data={"outcome": "resolved"}, by=self.doctor, now=moment)

    def _adverse_reviewed(self, moment: datetime, event) -> None:
        adverse_event_review(event=event, by=self.doctor, now=moment)

    # --- The periodic passes (Celery beat's, in the story) ------------------------------------------

    def _queued(self) -> None:
        """Schedule a dispatch pass just after each email the last action queued falls due (the
        beat's pass every 30 seconds, in the story): no empty passes, none late."""
        rows = list(Reminder.objects.filter(pk__gt=self.seen).values_list("pk", "send_at"))
        for pk, send_at in rows:
            self.seen = max(self.seen, pk)
            due = send_at.replace(second=0, microsecond=0) + DISPATCH_DELAY
            if due <= self.now and due not in self.passes:  # later ones stay pending (the last pass: now)
                self.passes.add(due)
                self.at(due, self._dispatch)

    def _dispatch(self, moment: datetime) -> None:
        ids = reminder_claim_due(now=moment, batch=500, worker=DEMO_WORKER)
        reminder_send_claimed(ids=ids, worker=DEMO_WORKER, now=moment)
        bounced = {phone_of(person) for person in PEOPLE if person.bounced}
        for reminder in Reminder.objects.filter(pk__in=ids, status="sent").select_related("patient"):
            event = "bounced" if reminder.patient.phone in bounced else "delivered"
            reminder_delivery_record(message_id=reminder.message_id, event=event, at=moment + timedelta(seconds=40))

    def _recalls(self, moment: datetime) -> None:
        recall_queue_due(now=moment)
        self.at(moment + timedelta(days=1), self._recalls)


def records_rebook(**kwargs: Any):
    from patients.booking.preview import session_rebook

    return session_rebook(**kwargs)
