"""What a doctor checks before activating a draft: blockers and warnings, all at once.

`protocol_checklist` works on plain values (the protocol's source, route, sessions and home
adjuncts as dicts) and returns a list of findings, so the protocol page, the activate action and tests read one list.

Blockers are the rules of the contract (`rules.protocol_errors`): a draft that breaks one is never
activated. Warnings are things a clinic may mean on purpose but usually forgot; activating from
the page asks the doctor to confirm they have read them. The API's activate stays as the
contract says: it refuses blockers only.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .labels import protocol_label
from .rules import GAP_FIELDS, HARVEST_ADJUNCTS, protocol_errors
from .texts import LANGUAGE_NAMES, OTHER_LANGUAGES

BLOCKER = "blocker"
WARNING = "warning"
# A same-day harvest (blood draw and spin, or mini-liposuction) takes 45 to 60 minutes (domain.md).
HARVEST_MIN_MINUTES = 45


@dataclass(frozen=True)
class Finding:
    level: str  # BLOCKER or WARNING
    message: str
    session: int | None = None  # the session number it is about, if any

    @property
    def is_blocker(self) -> bool:
        return self.level == BLOCKER


def _flatten(errors: Any, sessions: Sequence[Mapping[str, Any]], prefix: str = "") -> list[Finding]:
    """The rules' nested errors as one finding per message, naming the session they are about."""
    findings: list[Finding] = []
    for field, problem in (errors or {}).items():
        if field == "sessions" and isinstance(problem, Mapping):
            for index, by_field in problem.items():
                number = sessions[int(index)].get("number") if int(index) < len(sessions) else None
                for texts in by_field.values():
                    findings += [Finding(BLOCKER, _("Session %(number)s: %(problem)s")
                                         % {"number": number, "problem": text}, number) for text in texts]
        elif field == "home_adjuncts" and isinstance(problem, Mapping):
            for by_field in problem.values():
                for texts in by_field.values():
                    findings += [Finding(BLOCKER, _("At home: %(problem)s") % {"problem": text}) for text in texts]
        else:
            texts = problem if isinstance(problem, (list, tuple)) else [problem]
            findings += [Finding(BLOCKER, str(text)) for text in texts]
    return findings


def protocol_checklist(
    *,
    source_category: str,
    route: str,
    sessions: Sequence[Mapping[str, Any]],
    home_adjuncts: Sequence[Mapping[str, Any]] = (),
) -> list[Finding]:
    """Every blocker, then every warning, for a protocol as it stands."""
    findings = _flatten(
        protocol_errors(source_category=source_category, sessions=sessions, home_adjuncts=home_adjuncts), sessions
    )
    own_blood_injection = source_category == "autologous" and route == "injection"
    for session in sessions:
        number = session.get("number")
        adjuncts = set(session.get("visit_adjuncts") or [])
        treatment = session.get("kind", "treatment") == "treatment"
        if "prp" in adjuncts and "harvest_blood" not in adjuncts:
            findings.append(Finding(WARNING, _("Session %(number)s gives PRP but has no blood draw: add “%(draw)s” so "
                                               "the visit is planned with the draw and the spin.")
                                    % {"number": number, "draw": protocol_label("harvest_blood", "visit_adjuncts")},
                                    number))
        elif treatment and own_blood_injection and not adjuncts & HARVEST_ADJUNCTS:
            findings.append(Finding(WARNING, _("Session %(number)s injects the patient's own exosomes but has no "
                                               "blood draw or mini-liposuction: add the harvest unless the material "
                                               "is prepared ahead.") % {"number": number}, number))
        duration = session.get("duration_minutes")
        if adjuncts & HARVEST_ADJUNCTS and isinstance(duration, int) and duration < HARVEST_MIN_MINUTES:
            findings.append(Finding(WARNING, _("Session %(number)s has a same-day harvest in %(duration)s minutes: "
                                               "harvest and processing usually need %(min)s to 60.")
                                    % {"number": number, "duration": duration, "min": HARVEST_MIN_MINUTES}, number))
        if not (session.get("instructions") or "").strip():
            findings.append(Finding(WARNING, _("Session %(number)s has no instructions for the patient.")
                                    % {"number": number}, number))
    if sessions and not any(s.get("kind") == "assessment" for s in sessions):
        findings.append(Finding(WARNING, _("No assessment session: results show at 3 to 6 months, so plan a "
                                           "follow-up to measure them.")))
    for adjunct in home_adjuncts:
        if not (adjunct.get("instructions") or "").strip():
            findings.append(Finding(WARNING, _("At home: %(adjunct)s has no instructions for the patient.")
                                    % {"adjunct": protocol_label(adjunct.get("kind", ""), "home_adjunct")}))
    findings += _partly_translated(sessions, home_adjuncts)
    return sorted(findings, key=lambda finding: finding.level != BLOCKER)


def _written(item: Mapping[str, Any], language: str) -> bool:
    translations = item.get("instructions_i18n")
    text = translations.get(language) if isinstance(translations, Mapping) else None
    return isinstance(text, str) and bool(text.strip())


def _partly_translated(
    sessions: Sequence[Mapping[str, Any]], home_adjuncts: Sequence[Mapping[str, Any]]
) -> list[Finding]:
    """A language written for some instructions but not all: its patients would read a mix."""
    texts = [(_("session %(number)s") % {"number": s.get("number")}, s) for s in sessions]
    texts += [(protocol_label(a.get("kind", ""), "home_adjunct"), a) for a in home_adjuncts]
    texts = [(name, item) for name, item in texts if (item.get("instructions") or "").strip()]
    findings = []
    for language in OTHER_LANGUAGES:
        missing = [name for name, item in texts if not _written(item, language)]
        if missing and len(missing) < len(texts):
            findings.append(Finding(WARNING, _("%(language)s (%(code)s) is written for some instructions but not "
                                               "for %(missing)s: those patients read these in English.")
                                    % {"language": LANGUAGE_NAMES[language], "code": language,
                                       "missing": ", ".join(missing)}))
    return findings


def checklist_of(protocol: Any) -> list[Finding]:
    """The checklist of a saved protocol (its sessions and home adjuncts as the database holds them)."""
    fields = ("number", *GAP_FIELDS, "duration_minutes", "kind", "visit_adjuncts", "instructions", "instructions_i18n")
    sessions = [{name: getattr(s, name) for name in fields} for s in protocol.sessions.all()]
    home = [{"kind": a.kind, "instructions": a.instructions, "instructions_i18n": a.instructions_i18n}
            for a in protocol.home_adjuncts.all()]
    return protocol_checklist(source_category=protocol.source_category, route=protocol.route, sessions=sessions,
                              home_adjuncts=home)
