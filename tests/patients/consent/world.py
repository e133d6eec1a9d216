"""Consent documents to sign: built through the services, as a doctor would."""

from patients.consent import services
from patients.consent.models import ConsentDocument

TEXTS = {
    "en": {"title": "Treatment consent", "body": "The treatment is **investigational**.\n\n- Pain is common."},
    "tr": {"title": "Tedavi onamı", "body": "Bu tedavi **deneyseldir**.\n\n- Ağrı sık görülür."},
    "ar": {"title": "الموافقة على العلاج", "body": "هذا العلاج **تجريبي**."},
}


def draft(code: str = "CONSENT-T", *, texts=None, applies_to: str = "all", protocol_codes=(), by=None
          ) -> ConsentDocument:
    return services.consent_document_create(code=code, texts=texts or TEXTS, applies_to=applies_to,
                                            protocol_codes=list(protocol_codes), by=by)


def active(code: str = "CONSENT-T", **fields) -> ConsentDocument:
    return services.consent_document_activate(document=draft(code, **fields), by=None)


def sign(patient, document, *, language=None, name="Ayşe Yılmaz", by=None, **extra):
    return services.consent_sign(patient=patient, document=document, signed_name=name, agree=True,
                                 language=language, ip="203.0.113.7", user_agent="Tablet/1.0", by=by, **extra)
