"""Codes in words for the staff pages: screening answers, booking warnings, protocol adjuncts.

The one source pages and template tags read labels from (`{{ code|label }}`): a raw code such as
`nsaid_last_48h` or `harvest_blood` never reaches a receptionist. Sentences pass through as they are.
"""

from django.utils.translation import gettext_lazy

from patients.screening import rules
from protocols.labels import humanize, protocol_label

INVESTIGATIONAL_NOT_ACKNOWLEDGED = "investigational_not_acknowledged"

# Booking warnings that are codes (the contract's), beside the screening's own.
WARNING_LABELS: dict[str, str] = {
    INVESTIGATIONAL_NOT_ACKNOWLEDGED: gettext_lazy(
        "The patient has not acknowledged that exosome therapy is investigational (not FDA-approved): record the "
        "acknowledgement before the first visit"),
}


def _is_code(text: str) -> bool:
    return bool(text) and text.replace("_", "").isalnum() and text == text.lower() and " " not in text


def code_label(code: str, *, long: bool = False) -> str:
    """A code in words: 'nsaid_last_48h' -> 'NSAIDs in 48 h' (long: the question as asked).

    Anything that is not a code (a sentence already) comes back unchanged."""
    code = str(code)
    if code in rules.LABELS:
        return str(rules.LABELS[code] if long else rules.SHORT_LABELS.get(code, rules.LABELS[code]))
    if code in WARNING_LABELS:
        return str(WARNING_LABELS[code])
    if not _is_code(code):
        return code
    label = protocol_label(code)
    return label if label else humanize(code)


def code_labels(codes: list[str] | tuple[str, ...], *, long: bool = False) -> list[str]:
    return [code_label(code, long=long) for code in codes]
