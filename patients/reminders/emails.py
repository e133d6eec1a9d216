"""Rendering patient emails: subject, plain text and HTML in the patient's language, each time in
the clinic's zone and the patient's own, and an iCalendar part whose METHOD matches its
Content-Type. Templates live in templates/emails/<kind>_{subject.txt,body.txt,body.html}; they are
rendered with Django's `render_to_string` and the message is Django's EmailMultiAlternatives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import MIMEPart
from email.utils import parseaddr
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation

from clinic.formats import written_date
from clinic.hours import parse_offset
from clinic.mail import addr_spec
from patients.models import Reminder, Session
from patients.portal.tokens import patient_epochs, portal_url
from patients.reminders.ics import CalendarEntry, build_calendar, session_uid

if TYPE_CHECKING:
    from patients.portal.selectors import PendingForms

LINK_MAX_AGE = {"confirm": 60 * 60 * 24 * 30, "change": 60 * 60 * 24 * 30, "unsubscribe": 60 * 60 * 24 * 365}
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

AFTERCARE_KEYS = ["no_wash_48h", "no_exercise_3d", "no_nsaids", "no_dye_4w", "no_harsh_sun", "what_is_normal"]


def one_line(value: str) -> str:
    """Text that goes into a header or a one-line slot: no line breaks, no bidi overrides."""
    return _BIDI_CONTROLS.sub("", _LINE_BREAKS.sub(" ", value or "")).strip()


def signed_link(purpose: str, reminder_or_session_id: int, patient_id: int, sequence: int | None = None) -> str:
    """The URL of a patient link. A confirm or change link also signs the session's SEQUENCE: once
    the session moves (or is cancelled) the link no longer acts on it, since the patient clicked
    it for a time that is no longer the visit's."""
    payload = {"p": patient_id, "s": reminder_or_session_id}
    if sequence is not None:
        payload["q"] = sequence
    token = signing.dumps(payload, salt=f"anagen.link.{purpose}")
    before, after = _link_path(purpose, get_script_prefix())
    return f"{settings.SITE_URL}{before}{token}{after}"


@lru_cache(maxsize=16)
def _link_path(purpose: str, script_prefix: str) -> tuple[str, str]:
    """The link's path around its token, reversed once: a token's characters (URL-safe base64 and
    colons) need no quoting, so the path is the same for every token."""
    marker = "TOKEN"
    before, after = reverse("patient-link", args=[purpose, marker]).rsplit(marker, 1)
    return before, after


def read_link(purpose: str, token: str) -> dict:
    """The payload of a signed link; raises signing.BadSignature (or SignatureExpired) otherwise."""
    return signing.loads(token, salt=f"anagen.link.{purpose}", max_age=LINK_MAX_AGE[purpose])


INERT_LINK = "[patient link: not shown in the staff copy]"
_INERT_STYLE = "display:inline-block;border:1px dashed #8a9696;border-radius:5px;padding:6px 12px;color:#4a5858;"


@lru_cache(maxsize=16)
def _link_patterns(site_url: str, script_prefix: str) -> tuple[re.Pattern, re.Pattern]:
    """Any patient link (absolute or by path), its purpose captured: as the <a> an HTML email
    writes around it, and bare."""
    marker_purpose, marker_token = "PURPOSE", "TOKEN"
    path = re.escape(reverse("patient-link", args=[marker_purpose, marker_token]))
    path = path.replace(marker_purpose, "(?P<purpose>[a-z]+)").replace(marker_token, r"[-\w:.]+")
    # The link to the patient's own page opens everything the patient can do: never in a staff copy.
    portal = re.escape(reverse("portal:open", args=[marker_token])).replace(marker_token, r"[-\w.]*:[-\w:.]+")
    url = f"(?:{re.escape(site_url)})?(?:{path}|{portal})"
    return re.compile(f'<a href="{url}"[^>]*>(?P<label>.*?)</a>', re.S), re.compile(url)


def inert_links(content: str) -> str:
    """An email's text or HTML as staff may see it: every patient link (confirm, change,
    unsubscribe) replaced, so nobody opening a copy can act as the patient. A button or link
    becomes a dashed box with its label and no href; a bare URL becomes a placeholder."""
    if not content:
        return content
    anchor, bare = _link_patterns(settings.SITE_URL, get_script_prefix())

    def box(match: re.Match) -> str:
        purpose = match.group("purpose") or "portal"
        return (f'<span data-inert-link="{purpose}" title="{INERT_LINK}" style="{_INERT_STYLE}">'
                f'{match.group("label")} <small>{INERT_LINK}</small></span>')

    return bare.sub(INERT_LINK, anchor.sub(box, content))


def _format(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone).replace(tzinfo=None)  # naive: the date filter must not convert it
    return f"{written_date(local, 'weekday_long_date')}, {local:%H:%M}"


def visit_times(start: datetime, clinic_zone: ZoneInfo, patient_zone: ZoneInfo) -> tuple[str, str]:
    """A visit's start written in the clinic's zone, and in the patient's ("" where it reads the
    same), in the active language."""
    differs = start.astimezone(patient_zone).utcoffset() != start.astimezone(clinic_zone).utcoffset()
    return _format(start, clinic_zone), _format(start, patient_zone) if differs else ""


@lru_cache(maxsize=1024)
def protocol_facts(protocol_id: int, language: str = "en") -> tuple[int, dict[int, str], tuple[str, ...]]:
    """(session count, instructions by session number, home-adjunct texts) of a protocol version,
    in `language` where the protocol has it, else in English (protocols.texts.instructions_for).

    Safe to keep for the life of the process: a version that has a course can never change
    again (database triggers refuse it), and only booked versions have emails."""
    from protocols.models import HomeAdjunct, ProtocolSession
    from protocols.texts import instructions_for

    texts = ("instructions", "instructions_i18n")
    sessions = ProtocolSession.objects.filter(protocol_id=protocol_id).only("number", *texts)
    instructions = {session.number: instructions_for(session, language) for session in sessions}
    adjuncts = HomeAdjunct.objects.filter(protocol_id=protocol_id).only(*texts)
    return len(instructions), instructions, tuple(instructions_for(adjunct, language) for adjunct in adjuncts)


def _sessions_for(reminder: Reminder) -> list[Session]:
    if reminder.kind in ("confirmation", "change", "cancellation"):
        ids = [pair[0] for pair in reminder.payload.get("sessions", [])]
        sessions = list(Session.objects.filter(pk__in=ids).select_related("practitioner").order_by("number"))
        if reminder.kind != "cancellation":
            sessions = [s for s in sessions if s.is_movable]
        return sessions
    return [reminder.session] if reminder.session_id else []


def _session_view(
    session: Session,
    *,
    total: int,
    clinic_zone: ZoneInfo,
    patient_zone: ZoneInfo,
    instructions: dict[int, str],
    patient_id: int,
    links: bool,
) -> dict:
    clinic_time, patient_time = visit_times(session.start, clinic_zone, patient_zone)
    return {
        "number": session.number,
        "total": total,
        "kind": session.kind,
        "clinic_time": clinic_time,
        "patient_time": patient_time,
        "minutes": int((session.end - session.start).total_seconds() // 60),
        "practitioner": one_line(session.practitioner.name),
        "instructions": instructions.get(session.number, ""),
        "links": links,
        "confirm_url": signed_link("confirm", session.pk, patient_id, session.sequence) if links else "",
        "change_url": signed_link("change", session.pk, patient_id, session.sequence) if links else "",
        "status": session.status,
    }


def _with_links(reminder: Reminder, sessions: list[Session]) -> set[int]:
    """The sessions whose confirm and change links this email carries: a reminder's own session;
    in a confirmation or change, the first session, and any session so near that no reminder
    will be sent for it (its last reminder's moment had passed when this email was queued).
    Counted from `send_at`, not the clock, so a preview and the sent email carry the same links."""
    if reminder.kind == "reminder":
        return {s.pk for s in sessions}
    if reminder.kind not in ("confirmation", "change") or not sessions:
        return set()
    offsets = reminder.course.location.reminder_offsets or settings.REMINDER_OFFSETS
    last_reminder = min((parse_offset(offset) for offset in offsets), default=None)
    return {sessions[0].pk} | {
        s.pk for s in sessions if last_reminder is None or s.start - last_reminder <= reminder.send_at
    }


def site_domain() -> str:
    """The host of SITE_URL: the right-hand side of Message-IDs and calendar UIDs."""
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "anagen.local"


def message_id_for(reminder: Reminder) -> str:
    """A fixed Message-ID per reminder row, so a copy is recognisable as the same email."""
    return f"<anagen-{reminder.kind}-{reminder.pk}@{site_domain()}>"


@dataclass(frozen=True)
class BatchReads:
    """What a batch of emails reads once for all its rows rather than once per email (the
    dispatcher's claimed batch): each patient's portal epoch (the link signs it) and, for each
    reminder before session 1, what the patient has still to fill in at home."""

    epochs: dict[int, int]
    forms: dict[int, PendingForms]


def batch_reads(reminders: list[Reminder]) -> BatchReads:
    """BatchReads for these rows (their sessions and patients already read): one query, and
    three more when a reminder before session 1 is among them."""
    from patients.portal.selectors import pending_forms_of

    before_first = {r.pk: (r.patient_id, r.send_at) for r in reminders if _before_first_visit(r)}
    return BatchReads(epochs=patient_epochs({r.patient_id for r in reminders}), forms=pending_forms_of(before_first))


def render(reminder: Reminder) -> tuple[str, str, str, list[Session]]:
    """(subject, text, html, sessions) in the patient's language."""
    subject, text, html, sessions, _ = _render(reminder)
    return subject, text, html, sessions


def _render(reminder: Reminder, reads: BatchReads | None = None) -> tuple[str, str, str, list[Session], str]:
    """render(), and the unsubscribe link it signed (the List-Unsubscribe header reuses it).
    With `reads`, what they hold is not read again."""
    course = reminder.course
    location = course.location
    patient = reminder.patient
    protocol = course.protocol
    clinic_zone = ZoneInfo(location.timezone)
    patient_zone = ZoneInfo(patient.timezone) if patient.timezone else clinic_zone
    sessions = _sessions_for(reminder)
    total, instructions, home_adjuncts = protocol_facts(protocol.pk, patient.language or "en")
    with_links = _with_links(reminder, sessions)
    unsubscribe_url = signed_link("unsubscribe", reminder.pk, patient.pk)
    epoch = reads.epochs.get(patient.pk, 0) if reads is not None else None
    portal = portal_url(patient, epoch=epoch, now=reminder.send_at)
    missing = _missing_before_first_visit(reminder, reads)
    with translation.override(patient.language or "en"):
        views = [
            _session_view(
                s,
                total=total,
                clinic_zone=clinic_zone,
                patient_zone=patient_zone,
                instructions=instructions,
                patient_id=patient.pk,
                links=s.pk in with_links,
            )
            for s in sessions
        ]
        context = {
            "kind": reminder.kind,
            "patient_name": one_line(patient.first_name),
            "clinic_name": one_line(location.name),
            "clinic_address": location.address,
            "clinic_zone": location.timezone,
            "patient_zone": patient.timezone,
            "protocol_name": protocol.name,
            "sessions": views,
            "session": views[0] if views else None,
            "home_adjuncts": list(home_adjuncts),
            "unsubscribe_url": unsubscribe_url,
            "portal_url": portal.url,
            "missing_screening": missing.screening if missing else False,
            "missing_documents": [d.texts.get(patient.language, d.texts.get("en", {})).get("title", d.code)
                                  for d in missing.documents] if missing else [],
            "offset": reminder.offset,
            "rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
            "aftercare_keys": AFTERCARE_KEYS,
        }
        subject = one_line(render_to_string(f"emails/{reminder.kind}_subject.txt", context))
        text = render_to_string(f"emails/{reminder.kind}_body.txt", context)
        html = render_to_string(f"emails/{reminder.kind}_body.html", context)
    return subject, text, html, sessions, unsubscribe_url


def _before_first_visit(reminder: Reminder) -> bool:
    """Is this the reminder before session 1 (whose email lists the forms still missing)?"""
    return reminder.kind == "reminder" and reminder.session_id is not None and reminder.session.number == 1


def _missing_before_first_visit(reminder: Reminder, reads: BatchReads | None = None):
    """For the reminder before session 1: what the patient has still to fill in at home."""
    if not _before_first_visit(reminder):
        return None
    if reads is not None and reminder.pk in reads.forms:
        return reads.forms[reminder.pk]
    from patients.portal.selectors import pending_forms

    return pending_forms(reminder.patient, reminder.send_at)


def calendar_part(reminder: Reminder, sessions: list[Session]) -> MIMEPart | None:
    """The .ics part: REQUEST for confirmations and changes, CANCEL for cancellations."""
    if reminder.kind not in ("confirmation", "change", "cancellation") or not sessions:
        return None
    method = "CANCEL" if reminder.kind == "cancellation" else "REQUEST"
    course = reminder.course
    zone = ZoneInfo(course.location.timezone)
    domain = site_domain()
    total = protocol_facts(course.protocol_id)[0]
    entries = [
        CalendarEntry(
            uid=session_uid(s.pk, domain),
            sequence=s.sequence,
            start=s.start,
            end=s.end,
            zone=zone,
            summary=f"{one_line(course.location.name)}: {course.protocol.name} ({s.number}/{total})",
            location=course.location.address,
            cancelled=method == "CANCEL",
        )
        for s in sessions
    ]
    from_name, from_address = _sender()
    ics = build_calendar(
        entries,
        method=method,
        organizer_email=from_address,
        organizer_name=from_name,
        attendee_email=reminder.patient.email,
        attendee_name=one_line(str(reminder.patient)),
        stamp=reminder.send_at,
    )
    part = MIMEPart()
    # text/calendar with the METHOD of its VCALENDAR as a Content-Type parameter (RFC 6047).
    part.set_content(ics.decode("utf-8"), subtype="calendar", charset="utf-8", params={"method": method},
                     disposition="attachment", filename="anagen.ics")
    return part


def _sender() -> tuple[str, str]:
    return _parse_sender(settings.DEFAULT_FROM_EMAIL)


@lru_cache(maxsize=4)
def _parse_sender(value: str) -> tuple[str, str]:
    name, address = parseaddr(value)
    return name or "Anagen", address or "no-reply@anagen.local"


def build_message(reminder: Reminder, reads: BatchReads | None = None) -> EmailMultiAlternatives:
    """The email for one outbox row: plain text with an HTML alternative (and the .ics as an
    attachment), with its fixed Message-ID. ValueError for an address that cannot be sent to.
    `reads`: what the batch it is in has read already (batch_reads)."""

    subject, text, html, sessions, unsubscribe_url = _render(reminder, reads)
    patient = reminder.patient
    sender_name, sender_address = _sender()
    headers = {
        "Message-ID": message_id_for(reminder),
        "Content-Language": patient.language or "en",
        "Auto-Submitted": "auto-generated",
    }
    if reminder.kind in ("reminder", "recall", "aftercare"):
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=_mailbox(sender_name, sender_address),
        to=[_mailbox(one_line(str(patient)), patient.email)],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    # Sent along by anymail's backends; the service's delivery events bring it back (patients/reminders/delivery.py).
    message.metadata = {"message_id": headers["Message-ID"]}
    calendar = calendar_part(reminder, sessions)
    if calendar is not None:
        message.attach(calendar)
    return message


def _mailbox(name: str, address: str) -> str:
    """`Name <address>` as a header takes it: the address checked (ValueError) and IDNA-encoded,
    the name quoted where it must be (the email package encodes what is not ASCII)."""
    return str(Address(display_name=name, addr_spec=addr_spec(address)))
