"""A protocol version as an HL7 FHIR PlanDefinition (R4; built with fhir.resources' R4B models,
which are R4's for PlanDefinition): one action per session, each gap as a relatedAction whose
offsetRange is the session's window in days after the start of the session before it.

fhir.resources checks the structure; the codes it does not check (plan type, status,
relationship, UCUM units) are fixed here and tested.
"""

import json
import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fhir.resources.R4B.plandefinition import PlanDefinition

from .labels import kind_in_text
from .models import Protocol
from .texts import OTHER_LANGUAGES

PLAN_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
UCUM = "http://unitsofmeasure.org"
EXT_TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ANAGEN = "https://anagen.example/fhir"
EXT_GAP_TARGET = f"{ANAGEN}/StructureDefinition/gap-target"
EXT_GAP_FROM_ANCHOR = f"{ANAGEN}/StructureDefinition/gap-from-anchor"
EXT_VISIT_DURATION = f"{ANAGEN}/StructureDefinition/visit-duration"
EXT_VISIT_ADJUNCT = f"{ANAGEN}/StructureDefinition/visit-adjunct"
EXT_HOME_ADJUNCT = f"{ANAGEN}/StructureDefinition/home-adjunct"
SESSION_KIND_SYSTEM = f"{ANAGEN}/CodeSystem/session-kind"
ADJUNCT_SYSTEM = f"{ANAGEN}/CodeSystem/adjunct"

# PublicationStatus: a retired version is what we call archived.
STATUS = {"draft": "draft", "active": "active", "archived": "retired"}


def _days(value: int) -> dict[str, Any]:
    return {"value": value, "unit": "d", "system": UCUM, "code": "d"}


def _computable_name(code: str) -> str:
    # FHIR asks for a name usable as an identifier: a capital letter, then letters, digits, _.
    name = re.sub(r"[^A-Za-z0-9_]", "_", code)
    return name if re.match(r"^[A-Z]", name) else f"P_{name}"


def _translations(texts: dict[str, str]) -> dict[str, Any] | None:
    """The other languages of a text as FHIR's translation extension on the primitive."""
    extensions = [
        {"url": EXT_TRANSLATION, "extension": [{"url": "lang", "valueCode": language},
                                               {"url": "content", "valueString": texts[language]}]}
        for language in OTHER_LANGUAGES if texts.get(language)
    ]
    return {"extension": extensions} if extensions else None


def _action(session: Any) -> dict[str, Any]:
    number = session.number
    extensions: list[dict[str, Any]] = [
        {"url": EXT_GAP_TARGET, "valueDuration": _days(session.gap_target_days)},
        {"url": EXT_VISIT_DURATION,
         "valueDuration": {"value": session.duration_minutes, "unit": "min", "system": UCUM, "code": "min"}},
    ]
    extensions += [
        {"url": EXT_VISIT_ADJUNCT, "valueCoding": {"system": ADJUNCT_SYSTEM, "code": adjunct}}
        for adjunct in session.visit_adjuncts
    ]
    action: dict[str, Any] = {
        "id": f"session-{number}",
        "prefix": str(number),
        "title": _("Session %(number)s: %(kind)s") % {"number": number, "kind": kind_in_text(session.kind)},
        "code": [{"coding": [
            {"system": SESSION_KIND_SYSTEM, "code": session.kind, "display": session.get_kind_display()}
        ]}],
        "extension": extensions,
    }
    if session.instructions:
        action["description"] = session.instructions
        if translations := _translations(session.instructions_i18n):
            action["_description"] = translations
    if number == 1:
        extensions.append({"url": EXT_GAP_FROM_ANCHOR, "valueRange": {
            "low": _days(session.gap_min_days), "high": _days(session.gap_max_days),
        }})
    else:
        action["relatedAction"] = [{
            "actionId": f"session-{number - 1}",
            "relationship": "after-start",
            "offsetRange": {"low": _days(session.gap_min_days), "high": _days(session.gap_max_days)},
        }]
    return action


def plan_definition_url(protocol: Protocol) -> str:
    """The canonical url of a protocol version's PlanDefinition: a patient's CarePlan names it."""
    return f"{settings.SITE_URL}/fhir/PlanDefinition/protocol-{protocol.pk}"


def protocol_plan_definition(protocol: Protocol) -> PlanDefinition:
    """The protocol as a validated PlanDefinition resource (raises if fhir.resources refuses it).

    In English whatever the staff member reads: the coded displays are the interchange's, not a page's."""
    with translation.override("en"):
        return _plan_definition(protocol)


def _plan_definition(protocol: Protocol) -> PlanDefinition:
    description = [f"{protocol.get_source_category_display()}"
                   f"{f' ({protocol.source_detail})' if protocol.source_detail else ''}, "
                   f"{protocol.get_route_display().lower()}; anchored to the {protocol.get_anchor_display().lower()}."]
    if protocol.notes:
        description.append(protocol.notes)
    resource: dict[str, Any] = {
        "resourceType": "PlanDefinition",
        "id": f"protocol-{protocol.pk}",
        "url": plan_definition_url(protocol),
        "identifier": [{"system": f"{settings.SITE_URL}/protocols", "value": protocol.code}],
        "version": str(protocol.version),
        "name": _computable_name(protocol.code),
        "title": protocol.name,
        "type": {"coding": [{"system": PLAN_TYPE_SYSTEM, "code": "clinical-protocol", "display": "Clinical Protocol"}]},
        "status": STATUS[protocol.status],
        # No exosome product is approved: every template is investigational.
        "experimental": True,
        "date": protocol.updated_at.isoformat(),
        "description": "\n\n".join(description),
        "purpose": protocol.get_indication_display(),
        "usage": "Investigational clinic template, not proven treatment; adjust per patient.",
        "subjectCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/resource-types", "code": "Patient"}]},
        "action": [_action(session) for session in protocol.sessions.all()],
    }
    home = [
        {"url": EXT_HOME_ADJUNCT, "valueCoding": {"system": ADJUNCT_SYSTEM, "code": adjunct.kind,
                                                   "display": adjunct.get_kind_display()}}
        for adjunct in protocol.home_adjuncts.all()
    ]
    if home:
        resource["extension"] = home
    return PlanDefinition.model_validate(resource)


def protocol_fhir_json(protocol: Protocol) -> dict[str, Any]:
    """The PlanDefinition as plain JSON data, empty elements left out."""
    return json.loads(protocol_plan_definition(protocol).model_dump_json(exclude_none=True))
