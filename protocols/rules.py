"""The clinical and structural rules a protocol must satisfy, as pure functions on plain values.

Services call `protocol_errors` before writing anything; forms and the API reuse the same
messages, so a doctor reads the same sentence on a page and in an API error.
The error shape is Django REST framework's for nested lists, keyed by position from 0:
`{"sessions": {1: {"gap_target_days": ["…"]}}}`.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from .texts import instructions_i18n_errors

MIN_SESSIONS = 1
MAX_SESSIONS = 52
# Ten years between two visits is already far beyond any course: a bigger gap is a typo.
MAX_GAP_DAYS = 3650
DURATION_MIN = 5
DURATION_MAX = 480

VISIT_ADJUNCTS = ["prp", "led", "microneedling", "harvest_blood", "harvest_fat"]
HARVEST_ADJUNCTS = {"harvest_blood", "harvest_fat"}
HOME_ADJUNCTS = ["minoxidil", "finasteride", "led_cap"]
SESSION_KINDS = ["treatment", "assessment"]

# Screening answers that are hard stops only for protocols containing PRP or finasteride
# (domain.md, "Screening before booking"); patients.screening.rules reads them through the protocol.
PRP_SCREENING_CONDITIONS = ["platelet_disorder", "strong_anticoagulant"]
FINASTERIDE_SCREENING_CONDITIONS = ["may_become_pregnant"]

SCREENING_CONDITION_LABELS = {
    "platelet_disorder": "Low platelets (under 100,000/µL) or a platelet disorder",
    "strong_anticoagulant": "Strong anticoagulants (warfarin, rivaroxaban, dabigatran)",
    "may_become_pregnant": "May become pregnant (finasteride)",
}

GAP_FIELDS = ("gap_min_days", "gap_target_days", "gap_max_days")

MSG_SESSION_COUNT = f"A protocol needs {MIN_SESSIONS} to {MAX_SESSIONS} sessions."
MSG_NUMBERING = "Session numbers must run 1, 2, 3 … without holes or repeats."
MSG_GAP_MIN = "The minimum gap cannot be longer than the target gap."
MSG_GAP_MAX = "The maximum gap cannot be shorter than the target gap."
MSG_DURATION = f"A visit lasts {DURATION_MIN} to {DURATION_MAX} minutes."
MSG_HARVEST = "A harvest (blood draw or mini-liposuction) needs an autologous source: choose autologous or remove it."
MSG_HOME_TWICE = "Each home adjunct can be listed once."


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def session_errors(session: Mapping[str, Any], *, source_category: str) -> dict[str, list[str]]:
    """Problems of one session, by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in GAP_FIELDS:
        value = session.get(field)
        if not _whole_number(value):
            add(field, "Enter a whole number of days.")
        elif value < 0:
            add(field, "A gap cannot be negative.")
        elif value > MAX_GAP_DAYS:
            add(field, f"A gap cannot be longer than {MAX_GAP_DAYS} days.")
    if not errors:
        low, target, high = (session[field] for field in GAP_FIELDS)
        if low > target:
            add("gap_min_days", MSG_GAP_MIN)
        if target > high:
            add("gap_max_days", MSG_GAP_MAX)

    duration = session.get("duration_minutes")
    if not _whole_number(duration) or not DURATION_MIN <= duration <= DURATION_MAX:
        add("duration_minutes", MSG_DURATION)

    if session.get("kind", "treatment") not in SESSION_KINDS:
        add("kind", f"Choose one of: {', '.join(SESSION_KINDS)}.")

    adjuncts = session.get("visit_adjuncts") or []
    if not isinstance(adjuncts, (list, tuple)):
        add("visit_adjuncts", "Give the visit adjuncts as a list.")
    else:
        unknown = [a for a in adjuncts if a not in VISIT_ADJUNCTS]
        if unknown:
            add("visit_adjuncts", f"Unknown adjunct “{unknown[0]}”: choose from {', '.join(VISIT_ADJUNCTS)}.")
        elif HARVEST_ADJUNCTS & set(adjuncts) and source_category != "autologous":
            add("visit_adjuncts", MSG_HARVEST)
    if not isinstance(session.get("instructions", ""), str):
        add("instructions", "Instructions must be text.")
    for message in instructions_i18n_errors(session.get("instructions_i18n")):
        add("instructions_i18n", message)
    return errors


def protocol_errors(
    *,
    source_category: str,
    sessions: Sequence[Mapping[str, Any]],
    home_adjuncts: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Every rule a protocol breaks, in DRF's error shape; empty when the protocol is sound.

    Sessions are expected in order and numbered 1..N (see `number_sessions`).
    """
    errors: dict[str, Any] = {}
    if not MIN_SESSIONS <= len(sessions) <= MAX_SESSIONS:
        errors["sessions"] = [MSG_SESSION_COUNT]
    else:
        numbers = [session.get("number") for session in sessions]
        if numbers != list(range(1, len(sessions) + 1)):
            errors["sessions"] = [MSG_NUMBERING]
        else:
            per_session = {
                index: problems
                for index, session in enumerate(sessions)
                if (problems := session_errors(session, source_category=source_category))
            }
            if per_session:
                errors["sessions"] = per_session

    per_adjunct: dict[int, dict[str, list[str]]] = {}
    seen: set[str] = set()
    for index, adjunct in enumerate(home_adjuncts):
        problems: dict[str, list[str]] = {}
        kind = adjunct.get("kind")
        if kind not in HOME_ADJUNCTS:
            problems["kind"] = [f"Unknown home adjunct “{kind}”: choose from {', '.join(HOME_ADJUNCTS)}."]
        elif kind in seen:
            problems["kind"] = [MSG_HOME_TWICE]
        seen.add(kind)
        if not isinstance(adjunct.get("instructions", ""), str):
            problems["instructions"] = ["Instructions must be text."]
        if other_languages := instructions_i18n_errors(adjunct.get("instructions_i18n")):
            problems["instructions_i18n"] = other_languages
        if problems:
            per_adjunct[index] = problems
    if per_adjunct:
        errors["home_adjuncts"] = per_adjunct
    return errors


def number_sessions(sessions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sessions as plain dicts in number order; sessions sent without numbers count by position."""
    plain = [dict(session) for session in sessions]
    if all(session.get("number") in (None, "") for session in plain):
        for position, session in enumerate(plain, start=1):
            session["number"] = position
        return plain
    if all(_whole_number(session.get("number")) for session in plain):
        return sorted(plain, key=lambda session: session["number"])
    return plain


def first_message(errors: Any) -> str:
    """One readable sentence from a nested error structure, for the `detail` of an API error."""
    if isinstance(errors, Mapping):
        for field, value in errors.items():
            message = first_message(value)
            if message:
                return message if field == "non_field_errors" else f"{field}: {message}"
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            message = first_message(value)
            if message:
                return message
    elif errors:
        return str(errors)
    return ""
