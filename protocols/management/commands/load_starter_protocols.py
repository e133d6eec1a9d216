"""python manage.py load_starter_protocols: install the starter library as active protocols.

Then the starter content other apps register (protocols.starter.starter_extra_register): the
consent documents. Idempotent: a code that exists in any version (a doctor may have revised or archived it) is left
exactly as it is, so running it twice, or after a revision, changes nothing.
"""

import pghistory
from django.core.management.base import BaseCommand

from protocols.models import Protocol
from protocols.services import protocol_activate, protocol_create
from protocols.starter import DISCLAIMER, STARTER_PROTOCOLS, starter_extras


class Command(BaseCommand):
    help = "Install the ten starter protocol templates as active protocols (idempotent)."

    def handle(self, *args, **options) -> None:
        installed, kept = [], []
        with pghistory.context(command="load_starter_protocols"):
            for template in STARTER_PROTOCOLS:
                if Protocol.objects.filter(code__iexact=template["code"]).exists():
                    kept.append(template["code"])
                    continue
                data = {**template, "notes": f"{template['notes']}\n\n{DISCLAIMER}"}
                protocol = protocol_create(**data, by=None)
                protocol_activate(protocol=protocol, by=None)
                installed.append(template["code"])
        listed = f": {', '.join(installed)}" if installed else ""
        self.stdout.write(f"Installed {len(installed)} starter protocols{listed}")
        if kept:
            self.stdout.write(f"Kept {len(kept)} already present: {', '.join(kept)}")
        # Other apps' starter content (the consent documents), as idempotent as the protocols.
        for install in starter_extras():
            what, installed, kept = install()
            listed = f": {', '.join(installed)}" if installed else ""
            self.stdout.write(f"Installed {len(installed)} {what}{listed}")
            if kept:
                self.stdout.write(f"Kept {len(kept)} already present: {', '.join(kept)}")
