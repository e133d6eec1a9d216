"""Every message the source marks for translation, found by Django's own makemessages, and the
ones a catalogue is missing.

makemessages runs in a scratch copy of the source (so the repository's catalogues are never
rewritten); its output is the set of messages the pages, forms and emails can ask for. A message
is translated for a language when any catalogue Django reads for it (LOCALE_PATHS) translates it.

    python -m tests.i18n.extract [path-prefix ...]

prints, per language, the marked messages no catalogue translates, with where they are marked
(only those marked under the given prefixes, when there are any)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.i18n.po import Entry, read_po

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("clinic", "patients", "protocols", "templates", "manage.py")
LANGUAGES = ("tr", "ar", "es", "de")
Key = tuple[str | None, str]


def marked_messages() -> dict[Key, list[str]]:
    """(context, msgid) of every marked message, with its locations ("templates/a.html:3")."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        for name in SOURCES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo"))
            else:
                shutil.copy(source, copy / name)
        (copy / "locale").mkdir()
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "--locale", "tr", "--no-obsolete", "--verbosity", "0"],
            cwd=copy, check=True, env={**os.environ, "PYTHONPATH": str(copy)},
            stdout=subprocess.DEVNULL,
        )
        messages: dict[Key, list[str]] = {}
        for po in copy.rglob("django.po"):
            for entry in read_po(po):
                messages.setdefault((entry.msgctxt, entry.msgid), []).extend(entry.locations)
        return messages


def catalogues(language: str) -> list[Path]:
    from django.conf import settings

    return [Path(path) / language / "LC_MESSAGES" / "django.po" for path in settings.LOCALE_PATHS]


def translated(language: str) -> dict[Key, Entry]:
    found: dict[Key, Entry] = {}
    for path in catalogues(language):
        if path.is_file():
            for entry in read_po(path):
                if entry.translated and not entry.obsolete:
                    found.setdefault((entry.msgctxt, entry.msgid), entry)
    return found


def missing(messages: dict[Key, list[str]], language: str) -> dict[Key, list[str]]:
    """The messages no catalogue of ours translates, and that Django's or a library's own catalogue
    does not translate either ("Enter a valid email address." is Django's)."""
    from django.utils import translation

    have = translated(language)
    with translation.override(language):
        return {(context, msgid): where for (context, msgid), where in messages.items()
                if (context, msgid) not in have
                and (translation.pgettext(context, msgid) if context else translation.gettext(msgid)) == msgid}


def main(prefixes: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    messages = marked_messages()
    if prefixes:
        messages = {key: where for key, where in messages.items()
                    if any(place.startswith(prefix) for place in where for prefix in prefixes)}
    total = 0
    for language in LANGUAGES:
        gaps = missing(messages, language)
        total += len(gaps)
        print(f"{language}: {len(gaps)} of {len(messages)} marked messages untranslated")
        for (context, msgid), where in sorted(gaps.items(), key=lambda item: item[1]):
            label = f"[{context}] " if context else ""
            print(f"  {label}{msgid[:90]!r}  ({', '.join(where[:3])})")
    return 1 if total else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
