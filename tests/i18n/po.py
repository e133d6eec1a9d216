"""A small reader of gettext catalogues (.po), enough for the catalogue tests: entries with their
context, singular, plural, translations, flags and whether they are obsolete."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

# %(name)s / %(count)d, bare %s / %d, and {name} / {0} (str.format); "%%" is a literal percent.
_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)
    obsolete: bool = False
    line: int = 0

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(value for value in self.msgstr.values())

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid[:70]!r}"


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted (a literal "%%" is not one)."""
    return sorted(match.group(0) for match in _PLACEHOLDER.finditer(text.replace("%%", "")))


def _string(rest: str) -> str:
    return ast.literal_eval(rest.strip())


def read_po(path: Path) -> list[Entry]:
    """Every entry of the catalogue but its header (the entry with an empty msgid)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current.msgstr or current.msgid:
            entries.append(current)
        current, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if current.msgstr:
                finish()
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#:"):
                current.locations.extend(line[2:].split())
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: a string continues nothing")
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _string(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _string(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current.msgstr:
            finish()
        current.obsolete = current.obsolete or obsolete
        current.line = current.line or number
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _string(rest))
            target = (keyword, 0)
            continue
        match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
        if not match:
            raise ValueError(f"{path}:{number}: unknown line {line[:40]!r}")
        index = int(match[1]) if match[1] else 0
        current.msgstr[index] = _string(rest)
        target = ("msgstr", index)
    finish()
    return [entry for entry in entries if entry.msgid or entry.msgctxt]
