"""The printable PDF of a signature for the patient's file, made with WeasyPrint from an HTML
template: the document's text in the language signed (Arabic right to left), who signed, when,
from where, and the sha256 the signature keeps. DejaVu fonts cover the five languages."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation

from clinic.selectors import clinic_zone_name

from .markdown import markdown_html
from .models import ConsentSignature
from .rules import LANGUAGE_NAMES, RIGHT_TO_LEFT, text_sha256


def signature_pdf_filename(signature: ConsentSignature) -> str:
    return f"consent-{signature.document.code}-v{signature.document.version}-patient-{signature.patient_id}.pdf"


def signature_pdf(signature: ConsentSignature, *, zone: str | None = None) -> bytes:
    """The signed document as PDF bytes; `zone` (IANA) for the signing time, else the clinic's."""
    from weasyprint import HTML

    document, language = signature.document, signature.language
    text = document.texts[language]
    local = signature.signed_at.astimezone(ZoneInfo(zone or clinic_zone_name()))
    with translation.override(language):  # the signature box reads in the language signed, like the text
        html = render_to_string("patients/consent_signature_pdf.html", {
            "signature": signature,
            "document": document,
            "title": text["title"],
            "body": markdown_html(text["body"]),
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "direction": "rtl" if language in RIGHT_TO_LEFT else "ltr",
            # Formatted here: the template's date filter would turn it back into the current zone.
            "signed_local": f"{local:%Y-%m-%d %H:%M:%S} ({local.tzinfo})",
            "signed_utc": signature.signed_at.astimezone(UTC).isoformat(timespec="seconds"),
            # Recomputed from the frozen version: equal to the stored hash unless something is very wrong.
            "text_intact": text_sha256(document.texts, language) == signature.text_sha256,
        })
    return HTML(string=html).write_pdf()
