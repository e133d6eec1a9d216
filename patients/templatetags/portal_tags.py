"""The changes a patient made on their own page, for the desk's course page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import template

register = template.Library()

ACTIONS = {
    "portal_session_reschedule": "moved",
    "portal_session_cancel": "cancelled",
    "portal_change_request": "asked for another time for",
}


@register.simple_tag
def patient_changes(course) -> list[dict]:
    """Each change of a session of this course made by the patient, newest first: when, what, the
    session and (for a move) its time after the change."""
    from django.apps import apps

    events = (apps.get_model("patients", "SessionEvent").objects
              .filter(course_id=course.pk, pgh_context__metadata__by="patient", pgh_label="update")
              .select_related("pgh_context").order_by("-pgh_created_at", "-pgh_id")[:50])
    zone = ZoneInfo(course.location.timezone)
    seen: set = set()
    changes = []
    for event in events:
        action = ACTIONS.get(event.pgh_context.metadata.get("action"), "changed")
        key = (event.pgh_context_id, event.pgh_obj_id)
        if key in seen:
            continue
        seen.add(key)
        changes.append({"at": event.pgh_created_at.astimezone(zone).replace(tzinfo=None), "action": action,
                        "number": event.number,
                        "start": event.start.astimezone(zone).replace(tzinfo=None), "status": event.status})
    return changes
