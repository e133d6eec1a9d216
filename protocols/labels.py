"""Protocol codes in words: the one place pages, diffs and template tags read them from.

Patients' labels (screening answers, booking warnings) extend these in `patients.labels`.
"""

from .models import Anchor, HomeAdjunctKind, Indication, Route, SessionKind, SourceCategory, VisitAdjunct

PROTOCOL_LABELS: dict[str, str] = {
    **dict(VisitAdjunct.choices),
    **dict(HomeAdjunctKind.choices),
}
# Field-specific choices: the same code can mean different things in two fields ("other").
FIELD_LABELS: dict[str, dict[str, str]] = {
    "visit_adjuncts": dict(VisitAdjunct.choices),
    "kind": dict(SessionKind.choices),
    "indication": dict(Indication.choices),
    "source_category": dict(SourceCategory.choices),
    "route": dict(Route.choices),
    "anchor": dict(Anchor.choices),
    "home_adjunct": dict(HomeAdjunctKind.choices),
}


def humanize(code: str) -> str:
    """The last resort for a code nobody labelled: 'harvest_blood' -> 'Harvest blood'."""
    return str(code).replace("_", " ").strip().capitalize()


def protocol_label(code: str, field: str | None = None) -> str:
    """A protocol code in words, e.g. 'harvest_blood' -> 'Blood draw (harvest)'."""
    if field is not None and code in FIELD_LABELS.get(field, {}):
        return FIELD_LABELS[field][code]
    return PROTOCOL_LABELS.get(code) or humanize(code)


def adjunct_labels(codes: list[str] | tuple[str, ...]) -> list[str]:
    return [protocol_label(code, "visit_adjuncts") for code in codes]
