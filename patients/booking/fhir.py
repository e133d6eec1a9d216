"""A patient's course as an HL7 FHIR R4 Bundle (type collection): the Patient, a CarePlan that
instantiates the protocol version's PlanDefinition (protocols.fhir), and one Appointment per
session. Built with fhir.resources' R4B models (R4's, for these resources), like the PlanDefinition.

fhir.resources checks the structure, not the codes: the status maps below are the only place a
session's or a course's status becomes a FHIR code, and the tests hold them to FHIR's value sets.
Every reference is relative ("Patient/patient-7") and resolves against an entry's fullUrl.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from fhir.resources.R4B.bundle import Bundle

from patients.booking.models import Course, Session
from patients.registry.models import Patient
from patients.reminders.emails import site_domain
from patients.reminders.ics import session_uid
from protocols.fhir import plan_definition_url

# Appointment.status (http://hl7.org/fhir/appointmentstatus): a confirmed session is still booked.
APPOINTMENT_STATUS = {
    Session.Status.BOOKED: "booked",
    Session.Status.CONFIRMED: "booked",
    Session.Status.ARRIVED: "arrived",
    Session.Status.COMPLETED: "fulfilled",
    Session.Status.CANCELLED: "cancelled",
    Session.Status.NO_SHOW: "noshow",
}
# CarePlan.status (http://hl7.org/fhir/request-status): a cancelled course was revoked.
CARE_PLAN_STATUS = {
    Course.Status.ACTIVE: "active",
    Course.Status.COMPLETED: "completed",
    Course.Status.CANCELLED: "revoked",
}
# Patient.gender (http://hl7.org/fhir/administrative-gender).
GENDER = {Patient.Sex.FEMALE: "female", Patient.Sex.MALE: "male", Patient.Sex.OTHER: "other"}
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
# The same UID as the session's entry in the patient's emails and the practitioner's feed.
ICALENDAR_UID = "urn:ietf:rfc:5545"


def _full_url(reference: str) -> str:
    return f"{settings.SITE_URL}/fhir/{reference}"


def _patient(patient: Patient) -> dict[str, Any]:
    telecom = []
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone.as_e164})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": f"patient-{patient.pk}",
        "identifier": [{"system": f"{settings.SITE_URL}/patients", "value": str(patient.pk)}],
        "name": [{"use": "official", "family": patient.last_name, "given": [patient.first_name]}],
        "gender": GENDER[patient.sex],
        "birthDate": patient.date_of_birth.isoformat(),
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": patient.language}]},
                           "preferred": True}],
    }
    if telecom:
        resource["telecom"] = telecom
    return resource


def _instant(value: datetime, zone: ZoneInfo) -> str:
    # FHIR instants need an offset: the clinic's, so a reader sees the wall-clock time booked.
    return value.astimezone(zone).isoformat(timespec="seconds")


def _appointment(session: Session, *, total: int, patient_ref: str, zone: ZoneInfo, domain: str) -> dict[str, Any]:
    minutes = int((session.end - session.start).total_seconds() // 60)
    return {
        "resourceType": "Appointment",
        "id": f"session-{session.pk}",
        "identifier": [{"system": ICALENDAR_UID, "value": session_uid(session.pk, domain)}],
        "status": APPOINTMENT_STATUS[session.status],
        "description": f"Session {session.number} of {total}",
        "start": _instant(session.start, zone),
        "end": _instant(session.end, zone),
        "minutesDuration": minutes,
        "participant": [
            {"actor": {"reference": patient_ref}, "required": "required", "status": "accepted"},
            {"type": [{"coding": [{"system": PARTICIPATION_TYPE, "code": "PPRF", "display": "primary performer"}]}],
             "actor": {"display": session.practitioner.name}, "required": "required", "status": "accepted"},
            {"actor": {"display": f"{session.room.name}, {session.location.name}"},
             "required": "required", "status": "accepted"},
        ],
    }


def course_bundle(course: Course, *, now: datetime) -> Bundle:
    """The course as a validated FHIR Bundle (raises if fhir.resources refuses it). `course` comes
    with its patient, protocol, location and sessions (their practitioners and rooms) loaded."""
    zone = ZoneInfo(course.location.timezone)
    domain = site_domain()
    patient = _patient(course.patient)
    patient_ref = f"Patient/{patient['id']}"
    sessions = sorted(course.sessions.all(), key=lambda s: (s.start, s.pk))
    total = course.protocol.sessions.count()
    appointments = [
        _appointment(s, total=total, patient_ref=patient_ref, zone=zone, domain=domain) for s in sessions
    ]
    care_plan = {
        "resourceType": "CarePlan",
        "id": f"course-{course.pk}",
        "identifier": [{"system": f"{settings.SITE_URL}/courses", "value": str(course.pk)}],
        "instantiatesCanonical": [plan_definition_url(course.protocol)],
        "status": CARE_PLAN_STATUS[course.status],
        "intent": "plan",
        "title": f"{course.protocol.name} (v{course.protocol_version})",
        "subject": {"reference": patient_ref},
        "period": {"start": course.anchor_date.isoformat()},
        "created": _instant(course.created_at, zone),
        "activity": [{"reference": {"reference": f"Appointment/{a['id']}"}} for a in appointments],
    }
    resources = [patient, care_plan, *appointments]
    return Bundle.model_validate({
        "resourceType": "Bundle",
        "id": f"course-{course.pk}",
        "type": "collection",
        "timestamp": _instant(now, zone),
        "entry": [
            {"fullUrl": _full_url(f"{r['resourceType']}/{r['id']}"), "resource": r} for r in resources
        ],
    })


def course_fhir_json(course: Course, *, now: datetime) -> dict[str, Any]:
    """The Bundle as plain JSON data, empty elements left out."""
    return json.loads(course_bundle(course, now=now).model_dump_json(exclude_none=True))
