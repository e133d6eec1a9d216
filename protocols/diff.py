"""What changed between two versions of a protocol: header fields, sessions by number, home adjuncts."""

from dataclasses import dataclass, field
from typing import Any

from .models import Protocol, ProtocolSession

HEADER = [
    ("name", "Name"), ("indication", "Indication"), ("source_category", "Source"), ("source_detail", "Source detail"),
    ("route", "Route"), ("anchor", "Anchor"), ("notes", "Notes"),
]
SESSION = [
    ("kind", "Kind"), ("gap_min_days", "Gap min (days)"), ("gap_target_days", "Gap target (days)"),
    ("gap_max_days", "Gap max (days)"), ("duration_minutes", "Duration (min)"), ("visit_adjuncts", "At the visit"),
    ("instructions", "Instructions"),
]


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


@dataclass
class ProtocolDiff:
    fields: list[Change]
    sessions: list[SessionChange]
    home_adjuncts: list[Change]

    @property
    def empty(self) -> bool:
        return not (self.fields or self.sessions or self.home_adjuncts)


def _show(obj: Protocol | ProtocolSession, name: str) -> Any:
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display else getattr(obj, name)
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return value


def protocol_diff(old: Protocol, new: Protocol) -> ProtocolDiff:
    """Changes from `old` to `new` (any two protocols, normally two versions of one code)."""
    fields = [Change(label, _show(old, name), _show(new, name)) for name, label in HEADER
              if getattr(old, name) != getattr(new, name)]
    before = {s.number: s for s in old.sessions.all()}
    after = {s.number: s for s in new.sessions.all()}
    sessions = []
    for number in sorted(before.keys() | after.keys()):
        if number not in after:
            sessions.append(SessionChange(number, "removed"))
        elif number not in before:
            sessions.append(SessionChange(number, "added", [Change(label, None, _show(after[number], name))
                                                            for name, label in SESSION]))
        else:
            changes = [Change(label, _show(before[number], name), _show(after[number], name))
                       for name, label in SESSION if getattr(before[number], name) != getattr(after[number], name)]
            if changes:
                sessions.append(SessionChange(number, "changed", changes))
    old_home = {a.kind: a for a in old.home_adjuncts.all()}
    new_home = {a.kind: a for a in new.home_adjuncts.all()}
    home = []
    for kind in sorted(old_home.keys() | new_home.keys()):
        was, now = old_home.get(kind), new_home.get(kind)
        if was is None or now is None or was.instructions != now.instructions:
            label = (now or was).get_kind_display()
            home.append(Change(label, was.instructions if was else None, now.instructions if now else None))
    return ProtocolDiff(fields=fields, sessions=sessions, home_adjuncts=home)
