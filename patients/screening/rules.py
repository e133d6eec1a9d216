"""Screening before booking: which answers block a booking and which need a clinician's look.

Pure: no ORM, no clock. The rules are those of the domain brief ("Screening before booking").
Some hard stops depend on the protocol (PRP, finasteride) and one warning on minoxidil, so the
same answers are evaluated twice: once when the screening is taken (no protocol yet: every
rule that *could* apply is listed) and again by booking, with the protocol in hand.

A protocol here is anything with the booleans `uses_prp`, `uses_finasteride` and (optionally)
`uses_minoxidil`; a screening anything with `answers`, `is_overridden` and `patient_sex`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext_lazy

# The contract's answer keys, in the order the screening form asks them.
ANSWER_KEYS: tuple[str, ...] = (
    "pregnant_or_breastfeeding",
    "may_become_pregnant",
    "active_scalp_infection",
    "active_cancer",
    "fever_or_recent_illness",
    "platelet_disorder",
    "strong_anticoagulant",
    "autoimmune_disease",
    "nsaid_last_48h",
    "aspirin_or_clopidogrel",
    "recent_steroids",
    "liver_disease",
    "heavy_smoking_or_drinking",
    "scarring_alopecia_or_radiation",
    "heart_disease",
)

# Block every protocol.
UNCONDITIONAL_HARD_STOPS: tuple[str, ...] = (
    "pregnant_or_breastfeeding",
    "active_scalp_infection",
    "active_cancer",
    "fever_or_recent_illness",
)
# Block only protocols with PRP: a blood product is drawn and reinjected.
PRP_HARD_STOPS: tuple[str, ...] = ("platelet_disorder", "strong_anticoagulant")
# Finasteride must never be handled by a woman who is or may become pregnant.
FINASTERIDE_HARD_STOPS: tuple[str, ...] = ("may_become_pregnant",)
HARD_STOPS: tuple[str, ...] = UNCONDITIONAL_HARD_STOPS + PRP_HARD_STOPS + FINASTERIDE_HARD_STOPS

UNCONDITIONAL_WARNINGS: tuple[str, ...] = (
    "autoimmune_disease",
    "nsaid_last_48h",
    "aspirin_or_clopidogrel",
    "recent_steroids",
    "liver_disease",
    "heavy_smoking_or_drinking",
    "scarring_alopecia_or_radiation",
)
# Minoxidil can worsen heart disease: a warning only when it is prescribed.
MINOXIDIL_WARNINGS: tuple[str, ...] = ("heart_disease",)
WARNINGS: tuple[str, ...] = UNCONDITIONAL_WARNINGS + MINOXIDIL_WARNINGS
# Not an answer: finasteride is for men only, so a female patient on a finasteride protocol.
FINASTERIDE_FEMALE = "finasteride_female"

# Questions in words, for forms and pages. "blocks booking" first, then "needs a clinician's look".
LABELS: dict[str, Any] = {
    "pregnant_or_breastfeeding": gettext_lazy("Pregnant or breastfeeding"),
    "may_become_pregnant": gettext_lazy("May become pregnant (blocks finasteride protocols)"),
    "active_scalp_infection": gettext_lazy("Active scalp infection, open wound or severely inflamed scalp"),
    "active_cancer": gettext_lazy("Active cancer"),
    "fever_or_recent_illness": gettext_lazy("Fever or recent illness"),
    "platelet_disorder": gettext_lazy("Low platelets (under 100,000/µL) or a platelet disorder (blocks PRP)"),
    "strong_anticoagulant": gettext_lazy("Strong anticoagulant: warfarin, rivaroxaban, dabigatran… (blocks PRP)"),
    "autoimmune_disease": gettext_lazy("Autoimmune disease"),
    "nsaid_last_48h": gettext_lazy("NSAIDs (ibuprofen, naproxen…) in the last 48 hours"),
    "aspirin_or_clopidogrel": gettext_lazy("Aspirin or clopidogrel"),
    "recent_steroids": gettext_lazy(
        "Steroid injection at the site within a month, or systemic steroids within two weeks"),
    "liver_disease": gettext_lazy("Chronic liver disease"),
    "heavy_smoking_or_drinking": gettext_lazy("Heavy smoking or drinking"),
    "scarring_alopecia_or_radiation": gettext_lazy("Scarring alopecia or past scalp radiation"),
    "heart_disease": gettext_lazy("Heart disease (matters when minoxidil is prescribed)"),
    FINASTERIDE_FEMALE: gettext_lazy("Finasteride is for men only"),
}
SHORT_LABELS: dict[str, Any] = {
    "pregnant_or_breastfeeding": gettext_lazy("Pregnant or breastfeeding"),
    "may_become_pregnant": gettext_lazy("May become pregnant"),
    "active_scalp_infection": gettext_lazy("Scalp infection or wound"),
    "active_cancer": gettext_lazy("Active cancer"),
    "fever_or_recent_illness": gettext_lazy("Fever or recent illness"),
    "platelet_disorder": gettext_lazy("Platelet disorder"),
    "strong_anticoagulant": gettext_lazy("Strong anticoagulant"),
    "autoimmune_disease": gettext_lazy("Autoimmune disease"),
    "nsaid_last_48h": gettext_lazy("NSAIDs in 48 h"),
    "aspirin_or_clopidogrel": gettext_lazy("Aspirin or clopidogrel"),
    "recent_steroids": gettext_lazy("Recent steroids"),
    "liver_disease": gettext_lazy("Liver disease"),
    "heavy_smoking_or_drinking": gettext_lazy("Heavy smoking or drinking"),
    "scarring_alopecia_or_radiation": gettext_lazy("Scarring alopecia or radiation"),
    "heart_disease": gettext_lazy("Heart disease"),
    FINASTERIDE_FEMALE: gettext_lazy("Finasteride: men only"),
}


class ProtocolLike(Protocol):
    uses_prp: bool
    uses_finasteride: bool


@dataclass(frozen=True)
class ScreeningResult:
    """Codes (the answer keys, plus `finasteride_female`) in the order of ANSWER_KEYS."""

    hard_stops: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def clear(self) -> bool:
        return not self.hard_stops and not self.warnings


def answers_problems(answers: Any) -> dict[str, str]:
    """Why these answers are not a complete screening: {key: message}; empty when they are.

    Every question must be answered with a real boolean: an unanswered question is not a "no".
    """
    if not isinstance(answers, Mapping):
        return {"non_field_errors": "The answers must be an object of booleans."}
    problems: dict[str, str] = {}
    for key in ANSWER_KEYS:
        if key not in answers or answers[key] is None:
            problems[key] = "This question must be answered (true or false)."
        elif not isinstance(answers[key], bool):
            problems[key] = "The answer must be true or false."
    return problems


def _uses(protocol: Any, attribute: str, default: bool) -> bool:
    return bool(getattr(protocol, attribute, default))


def screening_evaluate(
    answers: Mapping[str, bool], protocol: ProtocolLike | None = None, *, sex: str | None = None
) -> ScreeningResult:
    """Hard stops and warnings for these answers.

    Without a protocol (at screening time) every rule that could apply is listed, conditional
    ones included: they are potential blocks. With a protocol, PRP hard stops apply only when
    `protocol.uses_prp`, `may_become_pregnant` only when `protocol.uses_finasteride`, the heart
    warning only when minoxidil is prescribed (`uses_minoxidil`, assumed true when the protocol
    does not say), and a female patient on finasteride gets the `finasteride_female` warning.
    """
    problems = answers_problems(answers)
    if problems:
        raise ValueError(f"incomplete screening answers: {sorted(problems)}")
    if protocol is None:
        stops = set(HARD_STOPS)
        warns = set(WARNINGS)
    else:
        stops = set(UNCONDITIONAL_HARD_STOPS)
        if _uses(protocol, "uses_prp", False):
            stops |= set(PRP_HARD_STOPS)
        if _uses(protocol, "uses_finasteride", False):
            stops |= set(FINASTERIDE_HARD_STOPS)
        warns = set(UNCONDITIONAL_WARNINGS)
        if _uses(protocol, "uses_minoxidil", True):
            warns |= set(MINOXIDIL_WARNINGS)
    hard_stops = [key for key in ANSWER_KEYS if key in stops and answers[key]]
    warnings = [key for key in ANSWER_KEYS if key in warns and answers[key]]
    if protocol is not None and sex == "female" and _uses(protocol, "uses_finasteride", False):
        warnings.append(FINASTERIDE_FEMALE)
    return ScreeningResult(hard_stops=hard_stops, warnings=warnings)


def override_covers(screening: Any, protocol: ProtocolLike) -> bool:
    """Has a doctor's override opened this protocol? A scoped override opens only the protocol
    codes it names ("no PRP" must not open PRP protocols); one without a scope opens every one."""
    covers = getattr(screening, "override_covers", None)
    if callable(covers):
        return bool(covers(protocol))
    return bool(getattr(screening, "is_overridden", False))


def screening_evaluate_for(screening: Any, protocol: ProtocolLike) -> ScreeningResult:
    """The screening judged against one protocol; a doctor's override that covers the protocol
    clears its hard stops (never its warnings: those still need a clinician's look at the visit)."""
    result = screening_evaluate(screening.answers, protocol, sex=getattr(screening, "patient_sex", None))
    if override_covers(screening, protocol):
        return ScreeningResult(hard_stops=[], warnings=result.warnings)
    return result


def screening_blocks_for(screening: Any, protocol: ProtocolLike) -> list[str]:
    """The hard stops of this screening that block booking this protocol (none once an override
    covers it). The one rule of which protocols a screening blocks: booking, the patient page, the
    override form and the API all ask it."""
    return screening_evaluate_for(screening, protocol).hard_stops


def hard_stop_scope(code: str) -> str:
    """Which protocols a hard stop can block, in words: 'every protocol', 'protocols with PRP'..."""
    if code in PRP_HARD_STOPS:
        return "protocols with PRP"
    if code in FINASTERIDE_HARD_STOPS:
        return "protocols with finasteride"
    return "every protocol"


def screening_warnings_for(screening: Any, protocol: ProtocolLike) -> list[str]:
    """The warnings of this screening for this protocol, `finasteride_female` included."""
    return screening_evaluate_for(screening, protocol).warnings
