"""What changed between two versions of a protocol: header fields, sessions by number, home adjuncts.

Every change reads as words: a row is "added", "removed" or "changed", values are shown with
their labels (never raw codes), and an empty value says so ("no instructions").
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .labels import in_sentence, protocol_label
from .models import HomeAdjunct, Protocol, ProtocolSession
from .texts import OTHER_LANGUAGES

HEADER = [
    ("name", gettext_lazy("Name")), ("indication", gettext_lazy("Indication")),
    ("source_category", gettext_lazy("Source")), ("source_detail", gettext_lazy("Source detail")),
    ("route", gettext_lazy("Route")), ("anchor", gettext_lazy("Anchor")), ("notes", gettext_lazy("Notes")),
]
SESSION = [
    ("kind", gettext_lazy("Kind")), ("gap_min_days", gettext_lazy("Gap min (days)")),
    ("gap_target_days", gettext_lazy("Gap target (days)")), ("gap_max_days", gettext_lazy("Gap max (days)")),
    ("duration_minutes", gettext_lazy("Duration (min)")), ("visit_adjuncts", gettext_lazy("At the visit")),
    ("instructions", gettext_lazy("Instructions")),
    ("instructions_i18n", gettext_lazy("Instructions in other languages")),
]
EMPTY = {"visit_adjuncts": gettext_lazy("nothing"), "instructions": gettext_lazy("no instructions"),
         "source_detail": pgettext_lazy("no value", "none"), "notes": pgettext_lazy("no value", "none"),
         "instructions_i18n": gettext_lazy("English only")}
# The row's status in words, for the page (the status itself stays a code).
STATUS_LABELS = {"added": pgettext_lazy("diff", "added"), "removed": pgettext_lazy("diff", "removed"),
                 "changed": pgettext_lazy("diff", "changed")}


@dataclass(frozen=True)
class Change:
    label: str
    before: Any
    after: Any


@dataclass
class SessionChange:
    number: int
    status: str  # "added", "removed" or "changed"
    changes: list[Change] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.status == "removed":
            return _("Session %(number)s removed.") % {"number": self.number}
        if self.status == "added":
            return _("Session %(number)s added.") % {"number": self.number}
        return _("Session %(number)s changed: %(fields)s.") % {
            "number": self.number, "fields": ", ".join(in_sentence(c.label) for c in self.changes)}

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class HomeChange:
    label: str
    status: str  # "added", "removed" or "changed"
    before: str | None
    after: str | None

    @property
    def summary(self) -> str:
        if self.status == "added":
            return _("%(adjunct)s added, with %(instructions)s.") % {
                "adjunct": self.label, "instructions": _quoted(self.after)}
        if self.status == "removed":
            return _("%(adjunct)s removed (it had %(instructions)s).") % {
                "adjunct": self.label, "instructions": _quoted(self.before)}
        return _("%(adjunct)s: instructions changed from %(before)s to %(after)s.") % {
            "adjunct": self.label, "before": _text(self.before), "after": _text(self.after)}

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class ProtocolDiff:
    fields: list[Change]
    sessions: list[SessionChange]
    home_adjuncts: list[HomeChange]

    @property
    def empty(self) -> bool:
        return not (self.fields or self.sessions or self.home_adjuncts)


def _quoted(instructions: str | None) -> str:
    if instructions:
        return _("the instructions “%(text)s”") % {"text": instructions}
    return _("no instructions")


def _text(instructions: str | None) -> str:
    return f"“{instructions}”" if instructions else str(EMPTY["notes"])


def _show(obj: Protocol | ProtocolSession, name: str) -> str:
    value = getattr(obj, name)
    if isinstance(value, dict):
        shown = _languages(value)
    elif isinstance(value, (list, tuple)):
        shown = ", ".join(protocol_label(code, name) for code in value)
    elif isinstance(value, str) and name in ("kind", "indication", "source_category", "route", "anchor"):
        shown = protocol_label(value, name)
    else:
        shown = "" if value is None else str(value)
    return shown or str(EMPTY.get(name, EMPTY["notes"]))


def _languages(translations: dict[str, str]) -> str:
    return "; ".join(f"{code}: {translations[code]}" for code in OTHER_LANGUAGES if translations.get(code))


def _session_rows(old: dict[int, ProtocolSession], new: dict[int, ProtocolSession]) -> list[SessionChange]:
    rows = []
    for number in sorted(old.keys() | new.keys()):
        was, now = old.get(number), new.get(number)
        if now is None:
            rows.append(SessionChange(number, "removed", [Change(label, _show(was, name), None)
                                                          for name, label in SESSION]))
        elif was is None:
            rows.append(SessionChange(number, "added", [Change(label, None, _show(now, name))
                                                        for name, label in SESSION]))
        else:
            changes = [Change(label, _show(was, name), _show(now, name))
                       for name, label in SESSION if getattr(was, name) != getattr(now, name)]
            if changes:
                rows.append(SessionChange(number, "changed", changes))
    return rows


def _home_rows(old: dict[str, HomeAdjunct], new: dict[str, HomeAdjunct]) -> list[HomeChange]:
    rows = []
    for kind in sorted(old.keys() | new.keys()):
        was, now = old.get(kind), new.get(kind)
        label = protocol_label(kind, "home_adjunct")
        if was is None:
            rows.append(HomeChange(label, "added", None, now.instructions))
        elif now is None:
            rows.append(HomeChange(label, "removed", was.instructions, None))
        else:
            if was.instructions != now.instructions:
                rows.append(HomeChange(label, "changed", was.instructions, now.instructions))
            if was.instructions_i18n != now.instructions_i18n:
                rows.append(HomeChange(_("%(adjunct)s in other languages") % {"adjunct": label}, "changed",
                                       _languages(was.instructions_i18n), _languages(now.instructions_i18n)))
    return rows


def protocol_diff(old: Protocol, new: Protocol) -> ProtocolDiff:
    """Changes from `old` to `new` (any two protocols, normally two versions of one code)."""
    fields = [Change(label, _show(old, name), _show(new, name)) for name, label in HEADER
              if getattr(old, name) != getattr(new, name)]
    sessions = _session_rows({s.number: s for s in old.sessions.all()}, {s.number: s for s in new.sessions.all()})
    home = _home_rows({a.kind: a for a in old.home_adjuncts.all()}, {a.kind: a for a in new.home_adjuncts.all()})
    return ProtocolDiff(fields=fields, sessions=sessions, home_adjuncts=home)
