"""Consent documents and the patients' signatures of them.

A document is versioned like a protocol: only a draft changes; activating a draft archives the
version active before; a signature names the exact version signed. A signature is a fact about
the past: the database refuses to change or delete it, and refuses one for a version that is not
active. Every change of either table is in the audit trail.
"""

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from clinic.audit import audited
from patients.registry.models import APPEND_ONLY, Patient

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
LANGUAGES: tuple[str, ...] = tuple(Patient.Language.values)  # en first: the one every document has
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20000
SIGNED_NAME_MAX_LENGTH = 200
USER_AGENT_MAX_LENGTH = 1000
MAX_PROTOCOL_CODES = 50


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("document status", "Draft")
    ACTIVE = "active", pgettext_lazy("document status", "Active")
    ARCHIVED = "archived", pgettext_lazy("document status", "Archived")


# A version's status inside a sentence ("… is draft: only an active document can be signed").
STATUS_IN_SENTENCE = {
    "draft": pgettext_lazy("document status in a sentence", "draft"),
    "active": pgettext_lazy("document status in a sentence", "active"),
    "archived": pgettext_lazy("document status in a sentence", "archived"),
}


class AppliesTo(models.TextChoices):
    ALL = "all", gettext_lazy("Every treatment")
    PHOTOS = "photos", gettext_lazy("Photographs")
    PROTOCOLS = "protocols", gettext_lazy("The listed protocols")


# Fields that may still change on an active or archived version: its status and when that changed.
LIFECYCLE_FIELDS = ["status", "updated_at", "activated_at", "archived_at"]


@audited()
class ConsentDocument(models.Model):
    """One version of a consent document: its title and Markdown body per language (English
    always), and what it covers: every treatment, photographs, or the listed protocol codes."""

    Status = DocumentStatus

    code = models.CharField(
        max_length=40,
        validators=[RegexValidator(CODE_PATTERN,
                                   gettext_lazy("Use letters, digits, dots, dashes or underscores (up to 40)."))],
        help_text=gettext_lazy("Shared by every version, e.g. CONSENT-TREATMENT"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default="draft", editable=False)
    # {"en": {"title": ..., "body": ...}, "tr": {...}}: patients.consent.rules.texts_errors checks it.
    texts = models.JSONField(default=dict)
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL)
    protocol_codes = ArrayField(models.CharField(max_length=40), default=list, blank=True, size=MAX_PROTOCOL_CODES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = gettext_lazy("consent document")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="consent_document_code_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(status="active"),
                                    name="consent_document_one_active_per_code"),
            models.UniqueConstraint(fields=["code"], condition=Q(status="draft"),
                                    name="consent_document_one_draft_per_code"),
            models.CheckConstraint(condition=Q(version__gte=1), name="consent_document_version_from_1"),
            models.CheckConstraint(condition=Q(status__in=DocumentStatus.values), name="consent_document_status_valid"),
            models.CheckConstraint(condition=Q(applies_to__in=AppliesTo.values),
                                   name="consent_document_applies_to_valid"),
            models.CheckConstraint(condition=Q(texts__has_key="en"), name="consent_document_has_english"),
            # Protocol codes exactly when it applies to listed protocols.
            models.CheckConstraint(
                condition=(Q(applies_to="protocols") & ~Q(protocol_codes=[]))
                | (~Q(applies_to="protocols") & Q(protocol_codes=[])),
                name="consent_document_codes_only_for_protocols",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="frozen_unless_draft",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=LIFECYCLE_FIELDS),
                func="""
                    IF OLD.status <> 'draft' THEN
                        RAISE EXCEPTION 'only a draft consent document can be edited' USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
            pgtrigger.FSM(
                name="status_transitions",
                field="status",
                transitions=[("draft", "active"), ("draft", "archived"), ("active", "archived")],
            ),
            pgtrigger.Trigger(
                name="delete_only_drafts",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                condition=~pgtrigger.Q(old__status="draft"),
                func="RAISE EXCEPTION 'only a draft consent document can be deleted' "
                     "USING ERRCODE = 'check_violation';",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def languages(self) -> list[str]:
        return [language for language in LANGUAGES if language in (self.texts or {})]

    @property
    def title(self) -> str:
        return ((self.texts or {}).get("en") or {}).get("title", "")

    @property
    def applies_to_value(self) -> str | list[str]:
        """The contract's `applies_to`: "all", "photos", or the list of protocol codes."""
        return list(self.protocol_codes) if self.applies_to == AppliesTo.PROTOCOLS else self.applies_to


@audited()
class ConsentSignature(models.Model):
    """A patient's signature of one version of a document, in one language: the name typed, when,
    from where (IP, user agent), and the sha256 of the exact text shown. Never changed, never deleted."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_signatures")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="signatures")
    language = models.CharField(max_length=2)
    text_sha256 = models.CharField(max_length=64)
    signed_name = models.CharField(max_length=SIGNED_NAME_MAX_LENGTH)
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    # None: the patient signed on their own page (the portal).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = gettext_lazy("consent signature")
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-signed_at"], name="consent_signature_latest")]
        constraints = [
            models.UniqueConstraint(fields=["patient", "document"], name="consent_signature_once_per_version"),
            models.CheckConstraint(condition=Q(language__in=LANGUAGES), name="consent_signature_language_valid"),
            models.CheckConstraint(condition=Q(text_sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="consent_signature_sha256_hex"),
            models.CheckConstraint(condition=~Q(signed_name="") & ~Q(signed_name__regex=r"^\s|\s$"),
                                   name="consent_signature_name_given"),
        ]
        triggers = [
            APPEND_ONLY,
            # Only an active version can be signed: a draft may still change, an archived one is retired.
            pgtrigger.Trigger(
                name="only_active_documents",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                declare=[("_status", "TEXT")],
                func="""
                    SELECT status INTO _status FROM patients_consentdocument WHERE id = NEW.document_id;
                    IF _status IS DISTINCT FROM 'active' THEN
                        RAISE EXCEPTION 'consent document % is %, not active: it cannot be signed',
                            NEW.document_id, _status USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} signed by patient #{self.patient_id}"

