"""The portal API's shapes: the patient's overview (GET /portal/me/) and the request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rest_framework import serializers

from patients.booking.api import LocalDateTimeField, SessionSerializer
from patients.models import Course, Patient, Session
from patients.portal import selectors


def session_instructions(session: Session, language: str) -> str:
    """The protocol's preparation instructions for this session, in the patient's language when
    the protocol has them (instructions_i18n), else English."""
    step = next((s for s in session.course.protocol.sessions.all() if s.number == session.number), None)
    if step is None:
        return ""
    translated = getattr(step, "instructions_i18n", None) or {}
    return translated.get(language) or step.instructions or ""


def session_data(session: Session, patient: Patient, *, now: datetime, next_id: int | None) -> dict[str, Any]:
    clinic_zone = ZoneInfo(session.location.timezone)
    patient_zone = ZoneInfo(patient.timezone) if patient.timezone else clinic_zone
    refusal = selectors.change_refusal(session, now)
    return {
        "id": session.pk,
        "number": session.number,
        "kind": session.kind,
        "status": session.status,
        "start": session.start.astimezone(clinic_zone).isoformat(),
        "end": session.end.astimezone(clinic_zone).isoformat(),
        "start_patient": session.start.astimezone(patient_zone).isoformat(),
        "end_patient": session.end.astimezone(patient_zone).isoformat(),
        "clinic_timezone": clinic_zone.key,
        "patient_timezone": patient_zone.key,
        "practitioner": session.practitioner.name,
        "window_earliest": session.window_earliest.isoformat(),
        "window_latest": session.window_latest.isoformat(),
        "can_change": refusal is None,
        "change_refusal": refusal,
        "instructions": session_instructions(session, patient.language) if session.pk == next_id else "",
        "aftercare": session.status == "completed",
    }


def next_visit(sessions: list[Session], now: datetime) -> Session | None:
    return next((s for s in sorted(sessions, key=lambda s: s.start) if s.is_movable and s.start > now), None)


def course_data(course: Course, patient: Patient, *, now: datetime) -> dict[str, Any]:
    sessions = list(course.sessions.all())
    upcoming = next_visit(sessions, now)
    return {
        "id": course.pk,
        "protocol": course.protocol.name,
        "protocol_code": course.protocol.code,
        "status": course.status,
        "location": {"name": course.location.name, "address": course.location.address,
                     "timezone": course.location.timezone,
                     "change_notice_hours": course.location.change_notice_hours},
        "sessions": [session_data(s, patient, now=now, next_id=upcoming.pk if upcoming else None) for s in sessions],
    }


def me_data(patient: Patient, *, now: datetime) -> dict[str, Any]:
    pending = selectors.pending_forms(patient, now)
    return {
        "id": patient.pk,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "language": patient.language,
        "timezone": patient.timezone,
        "courses": [course_data(c, patient, now=now) for c in selectors.portal_courses(patient)],
        "pending_forms": {
            "screening": pending.screening,
            "consents": [{"id": d.pk, "code": d.code, "version": d.version,
                          "title": d.texts.get(patient.language, d.texts.get("en", {})).get("title", "")}
                         for d in pending.documents],
        },
    }


class LinkRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)


class PortalRescheduleSerializer(serializers.Serializer):
    start = LocalDateTimeField(help_text="The new start; without an offset: local time at the clinic")


class PortalCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=False, trim_whitespace=True)


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


__all__ = ["SessionSerializer", "course_data", "me_data", "session_data"]
