"""The clinical and structural rules a protocol must satisfy, as pure functions on plain values.

Services call `protocol_errors` before writing anything; forms and the API reuse the same
messages, so a doctor reads the same sentence on a page and in an API error.
The error shape is Django REST framework's for nested lists, keyed by position from 0:
`{"sessions": {1: {"gap_target_days": ["…"]}}}`.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    "platelet_disorder": gettext_lazy("Low platelets (under 100,000/µL) or a platelet disorder"),
    "strong_anticoagulant": gettext_lazy("Strong anticoagulants (warfarin, rivaroxaban, dabigatran)"),
    "may_become_pregnant": gettext_lazy("May become pregnant (finasteride)"),
}

GAP_FIELDS = ("gap_min_days", "gap_target_days", "gap_max_days")

# Lazy: each reads in the language of the request that shows it (a page's or the API's `detail`).
MSG_SESSION_COUNT = lazy(lambda: _("A protocol needs %(min)s to %(max)s sessions.") % {
    "min": MIN_SESSIONS, "max": MAX_SESSIONS}, str)()
MSG_NUMBERING = gettext_lazy("Session numbers must run 1, 2, 3 … without holes or repeats.")
MSG_GAP_MIN = gettext_lazy("The minimum gap cannot be longer than the target gap.")
MSG_GAP_MAX = gettext_lazy("The maximum gap cannot be shorter than the target gap.")
MSG_DURATION = lazy(lambda: _("A visit lasts %(min)s to %(max)s minutes.") % {
    "min": DURATION_MIN, "max": DURATION_MAX}, str)()
MSG_HARVEST = gettext_lazy(
    "A harvest (blood draw or mini-liposuction) needs an autologous source: choose autologous or remove it."
)
MSG_HOME_TWICE = gettext_lazy("Each home adjunct can be listed once.")


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
            add(field, _("Enter a whole number of days."))
        elif value < 0:
            add(field, _("A gap cannot be negative."))
        elif value > MAX_GAP_DAYS:
            add(field, _("A gap cannot be longer than %(max)s days.") % {"max": MAX_GAP_DAYS})
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
        add("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(SESSION_KINDS)})

    adjuncts = session.get("visit_adjuncts") or []
    if not isinstance(adjuncts, (list, tuple)):
        add("visit_adjuncts", _("Give the visit adjuncts as a list."))
    else:
        unknown = [a for a in adjuncts if a not in VISIT_ADJUNCTS]
        if unknown:
            add("visit_adjuncts", _("Unknown adjunct “%(code)s”: choose from %(codes)s.") % {
                "code": unknown[0], "codes": ", ".join(VISIT_ADJUNCTS)})
        elif HARVEST_ADJUNCTS & set(adjuncts) and source_category != "autologous":
            add("visit_adjuncts", MSG_HARVEST)
    if not isinstance(session.get("instructions", ""), str):
        add("instructions", _("Instructions must be text."))
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
            problems["kind"] = [_("Unknown home adjunct “%(code)s”: choose from %(codes)s.") % {
                "code": kind, "codes": ", ".join(HOME_ADJUNCTS)}]
        elif kind in seen:
            problems["kind"] = [MSG_HOME_TWICE]
        seen.add(kind)
        if not isinstance(adjunct.get("instructions", ""), str):
            problems["instructions"] = [_("Instructions must be text.")]
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
