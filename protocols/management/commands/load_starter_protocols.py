"""python manage.py load_starter_protocols: install the starter library as active protocols.

Then the starter content other apps register (protocols.starter.starter_extra_register): the
consent documents. Idempotent: a code that exists in any version (a doctor may have revised or archived it) is left
exactly as it is, so running it twice, or after a revision, changes nothing.

One exception: a starter loaded before the texts had other languages, and still exactly as it was
loaded (English only, nobody revised it, no draft open), gets its translations as a new version.
Its old version cannot change (a course may use it: courses keep the version they were booked
with) and is archived by the activation, as any revision's would be.
"""

from typing import Any

import pghistory
from django.core.management.base import BaseCommand

from protocols.models import Protocol, ProtocolStatus
from protocols.selectors import protocols_with_children
from protocols.services import (
    HEADER_FIELDS,
    SESSION_FIELDS,
    protocol_activate,
    protocol_create,
    protocol_revise,
    protocol_update,
)
from protocols.starter import DISCLAIMER, STARTER_PROTOCOLS, starter_extras

ENGLISH_SESSION_FIELDS = [field for field in SESSION_FIELDS if field != "instructions_i18n"]


def _as_loaded(template: dict[str, Any]) -> dict[str, Any]:
    return {**template, "notes": f"{template['notes']}\n\n{DISCLAIMER}"}


def _english(header: dict[str, Any], sessions: list[dict[str, Any]], adjuncts: list[dict[str, Any]]) -> tuple:
    return (
        tuple(header[field] for field in HEADER_FIELDS),
        [tuple(session[field] for field in ENGLISH_SESSION_FIELDS) for session in sessions],
        sorted((adjunct["kind"], adjunct["instructions"]) for adjunct in adjuncts),
    )


def untranslated_original(template: dict[str, Any]) -> Protocol | None:
    """The active version of a starter code when it is the starter exactly as loaded, in English
    only, with no draft open; None otherwise (a doctor's work is never overwritten)."""
    versions = protocols_with_children().filter(code__iexact=template["code"])
    active = next((p for p in versions if p.status == ProtocolStatus.ACTIVE), None)
    if active is None or any(p.status == ProtocolStatus.DRAFT for p in versions):
        return None
    sessions, adjuncts = list(active.sessions.all()), list(active.home_adjuncts.all())
    if any(item.instructions_i18n for item in [*sessions, *adjuncts]):
        return None
    loaded = _as_loaded(template)
    numbered = [{**session, "number": n} for n, session in enumerate(loaded["sessions"], start=1)]
    current = _english(
        {field: getattr(active, field) for field in HEADER_FIELDS},
        [{field: getattr(s, field) for field in ENGLISH_SESSION_FIELDS} for s in sessions],
        [{"kind": a.kind, "instructions": a.instructions} for a in adjuncts],
    )
    return active if current == _english(loaded, numbered, loaded["home_adjuncts"]) else None


class Command(BaseCommand):
    help = "Install the ten starter protocol templates as active protocols (idempotent)."

    def handle(self, *args, **options) -> None:
        installed, translated, kept = [], [], []
        with pghistory.context(command="load_starter_protocols"):
            for template in STARTER_PROTOCOLS:
                if Protocol.objects.filter(code__iexact=template["code"]).exists():
                    original = untranslated_original(template)
                    if original is None:
                        kept.append(template["code"])
                        continue
                    draft = protocol_revise(protocol=original, by=None)
                    protocol_update(protocol=draft, sessions=template["sessions"],
                                    home_adjuncts=template["home_adjuncts"], by=None)
                    protocol_activate(protocol=draft, by=None)
                    translated.append(f"{template['code']} v{draft.version}")
                    continue
                protocol = protocol_create(**_as_loaded(template), by=None)
                protocol_activate(protocol=protocol, by=None)
                installed.append(template["code"])
        listed = f": {', '.join(installed)}" if installed else ""
        self.stdout.write(f"Installed {len(installed)} starter protocols{listed}")
        if translated:
            listed = ", ".join(translated)
            self.stdout.write(f"Added the other languages to {len(translated)} as a new version: {listed}")
        if kept:
            self.stdout.write(f"Kept {len(kept)} already present: {', '.join(kept)}")
        # Other apps' starter content (the consent documents), as idempotent as the protocols.
        for install in starter_extras():
            what, installed, kept = install()
            listed = f": {', '.join(installed)}" if installed else ""
            self.stdout.write(f"Installed {len(installed)} {what}{listed}")
            if kept:
                self.stdout.write(f"Kept {len(kept)} already present: {', '.join(kept)}")
