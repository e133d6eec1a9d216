"""The two starter consent documents, installed with the starter protocols (load_starter_protocols).

Idempotent like the protocols: a code that exists in any version (a doctor may have revised or
archived it, patients may have signed it) is left exactly as it is.
"""

from __future__ import annotations

import pghistory

from .models import AppliesTo, ConsentDocument
from .services import consent_document_activate, consent_document_create
from .starter_texts import PHOTOS, TREATMENT

STARTER_DOCUMENTS = [
    {"code": "CONSENT-TREATMENT", "applies_to": AppliesTo.ALL, "texts": TREATMENT},
    {"code": "CONSENT-PHOTOS", "applies_to": AppliesTo.PHOTOS, "texts": PHOTOS},
]


def consent_starter_install() -> tuple[str, list[str], list[str]]:
    """Install the starter documents as active versions; returns ("consent documents", installed, kept)."""
    installed, kept = [], []
    with pghistory.context(command="load_starter_protocols"):
        for template in STARTER_DOCUMENTS:
            if ConsentDocument.objects.filter(code__iexact=template["code"]).exists():
                kept.append(template["code"])
                continue
            document = consent_document_create(**template, by=None)
            consent_document_activate(document=document, by=None)
            installed.append(template["code"])
    return "starter consent documents", installed, kept
