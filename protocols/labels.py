"""Protocol codes in words: the one place pages, diffs and template tags read them from.

Patients' labels (screening answers, booking warnings) extend these in `patients.labels`.
"""

from django.utils.translation import get_language, pgettext_lazy

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

# A session's kind inside a sentence or a legend ("session 2 (assessment) on day 42").
KIND_IN_TEXT: dict[str, str] = {
    "treatment": pgettext_lazy("session kind, inside a sentence", "treatment"),
    "assessment": pgettext_lazy("session kind, inside a sentence", "assessment"),
}


def kind_in_text(kind: str) -> str:
    return str(KIND_IN_TEXT.get(kind) or humanize(kind).lower())


def in_sentence(label: str) -> str:
    """A label inside a sentence: lower case ("is archived"), but German keeps its nouns capitalized."""
    return str(label) if (get_language() or "").startswith("de") else str(label).lower()


def humanize(code: str) -> str:
    """The last resort for a code nobody labelled: 'harvest_blood' -> 'Harvest blood'."""
    return str(code).replace("_", " ").strip().capitalize()


def protocol_label(code: str, field: str | None = None) -> str:
    """A protocol code in words, e.g. 'harvest_blood' -> 'Blood draw (harvest)'."""
    if field is not None and code in FIELD_LABELS.get(field, {}):
        return str(FIELD_LABELS[field][code])
    return str(PROTOCOL_LABELS.get(code) or humanize(code))


def adjunct_labels(codes: list[str] | tuple[str, ...]) -> list[str]:
    return [protocol_label(code, "visit_adjuncts") for code in codes]
