"""Services that write consent documents (create and edit drafts, activate, revise, archive) and
signatures, the way protocols are written (protocols.services): validate first, then write
everything or nothing in one transaction, with the author in the audit trail.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pghistory
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.errors import Conflict, DomainError, Unprocessable
from patients.registry.models import Patient
from patients.validators import normalize_name

from .models import (
    CODE_PATTERN,
    MAX_PROTOCOL_CODES,
    SIGNED_NAME_MAX_LENGTH,
    STATUS_IN_SENTENCE,
    USER_AGENT_MAX_LENGTH,
    AppliesTo,
    ConsentDocument,
    ConsentSignature,
    DocumentStatus,
)
from .rules import LANGUAGE_NAMES_SHOWN, LANGUAGES, clean_texts, language_shown, text_sha256, texts_errors

EDITABLE_FIELDS = ("texts", "applies_to", "protocol_codes")


class DocumentInvalid(DomainError):
    """The document breaks a rule; `errors` has DRF's shape so the API returns it as is."""

    code = "invalid"
    status = 400

    def __init__(self, errors: Mapping[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(f"{field}: {messages[0]}", errors=dict(errors))
        self.errors = dict(errors)


class SignatureInvalid(Unprocessable):
    """The contract's 422 `invalid` for a signature: no agreement, no name, a document not active."""

    code = "invalid"

    def __init__(self, errors: Mapping[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}",
                         errors=dict(errors))
        self.errors = dict(errors)


def _signed_already(patient: Patient, document: ConsentDocument) -> str:
    return gettext("%(patient)s has signed %(code)s v%(version)s already.") % {
        "patient": patient.full_name, "code": document.code, "version": document.version}


def not_editable(document: ConsentDocument) -> Conflict:
    return Conflict(
        gettext("Only a draft can be edited, and %(code)s v%(version)s is %(status)s. Revise it to make a new draft.")
        % {"code": document.code, "version": document.version,
           "status": STATUS_IN_SENTENCE.get(document.status, document.status)},
        code="document_not_editable",
    )


def _audit(by, action: str) -> pghistory.context:
    values: dict[str, Any] = {"action": action}
    if getattr(by, "pk", None) is not None:
        values["user"] = by.pk
    return pghistory.context(**values)


def _applies_errors(applies_to: Any, protocol_codes: Any) -> tuple[dict[str, list[str]], list[str]]:
    """Errors by field, and the protocol codes as the protocols spell them."""
    from protocols.models import Protocol

    if applies_to not in AppliesTo.values:
        return {"applies_to": [gettext('Use "all", "photos" or a list of protocol codes.')]}, []
    if applies_to != AppliesTo.PROTOCOLS:
        return ({"applies_to": [gettext("Protocol codes go only with a list of protocols.")]}
                if protocol_codes else {}), []
    codes = [code.strip() for code in protocol_codes or [] if isinstance(code, str)]
    if not codes or len(codes) != len(protocol_codes):
        return {"applies_to": [gettext("List at least one protocol code (text).")]}, []
    if len(codes) > MAX_PROTOCOL_CODES:
        return {"applies_to": [gettext("List at most %(count)s protocol codes.") % {"count": MAX_PROTOCOL_CODES}]}, []
    known = {code.lower(): code for code in Protocol.objects.values_list("code", flat=True).distinct()}
    unknown = [code for code in codes if code.lower() not in known]
    if unknown:
        return {"applies_to": [gettext("No protocol has the code %(codes)s.") % {"codes": ", ".join(unknown)}]}, []
    return {}, list(dict.fromkeys(known[code.lower()] for code in codes))


def _content_errors(texts: Any, applies_to: Any, protocol_codes: Any) -> tuple[dict[str, list[str]], list[str]]:
    errors: dict[str, list[str]] = {}
    text_problems = texts_errors(texts)
    if text_problems:
        errors["texts"] = text_problems
    applies, codes = _applies_errors(applies_to, protocol_codes)
    errors.update(applies)
    return errors, codes


def consent_document_create(*, code: str, texts: Mapping[str, Any], applies_to: str = AppliesTo.ALL,
                            protocol_codes: Sequence[str] = (), by) -> ConsentDocument:
    """Create version 1 of a new document code as a draft.

    Raises DocumentInvalid (400) with every broken rule by field; writes nothing then."""
    code = (code or "").strip()
    texts = clean_texts(texts)
    errors, codes = _content_errors(texts, applies_to, list(protocol_codes))
    if not re.match(CODE_PATTERN, code):
        errors["code"] = [gettext("Use letters, digits, dots, dashes or underscores (up to 40).")]
    elif ConsentDocument.objects.filter(code__iexact=code).exists():
        errors["code"] = [gettext("A document with the code %(code)s exists already: revise it to make a new version.")
                          % {"code": code}]
    if errors:
        raise DocumentInvalid(errors)
    document = ConsentDocument(code=code, version=1, status=DocumentStatus.DRAFT, texts=texts,
                               applies_to=applies_to, protocol_codes=codes)
    try:
        with transaction.atomic(), _audit(by, "consent_document_create"):
            document.save()
    except IntegrityError:
        if not ConsentDocument.objects.filter(code__iexact=code).exists():
            raise
        raise DocumentInvalid({"code": [gettext("A document with the code %(code)s was just created: revise it.")
                                        % {"code": code}]}) from None
    return document


def consent_document_update(*, document: ConsentDocument, fields: Mapping[str, Any], by) -> ConsentDocument:
    """Edit a draft's texts or what it applies to. Raises Conflict `document_not_editable` (409)
    unless it is a draft, DocumentInvalid (400) when the result breaks a rule; nothing changes then."""
    with transaction.atomic(), _audit(by, "consent_document_update"):
        locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
        if not locked.is_editable:
            raise not_editable(locked)
        errors: dict[str, list[str]] = {}
        for field, value in fields.items():
            if field == "code":
                if value != locked.code:
                    errors["code"] = [
                        gettext("The code of a document cannot change: create a new document instead.")]
            elif field in EDITABLE_FIELDS:
                setattr(locked, field, clean_texts(value) if field == "texts" else value)
            else:
                errors.setdefault("non_field_errors", []).append(
                    gettext("%(field)s cannot be edited.") % {"field": field})
        if "applies_to" in fields and "protocol_codes" not in fields and fields["applies_to"] != AppliesTo.PROTOCOLS:
            locked.protocol_codes = []
        content, codes = _content_errors(locked.texts, locked.applies_to, locked.protocol_codes)
        errors.update(content)
        if errors:
            raise DocumentInvalid(errors)
        locked.protocol_codes = codes
        locked.save()
    return locked


def consent_document_activate(*, document: ConsentDocument, by, now: datetime | None = None) -> ConsentDocument:
    """Make a draft the active version of its code; the version active before is archived (its
    signatures stay, but the new version needs signing again). Raises Conflict `invalid_transition`
    (409) unless it is a draft."""
    now = now or timezone.now()
    with transaction.atomic(), _audit(by, "consent_document_activate"):
        locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status != DocumentStatus.DRAFT:
            raise Conflict(gettext("Only a draft can be activated; this version is %(status)s.")
                           % {"status": STATUS_IN_SENTENCE.get(locked.status, locked.status)},
                           code="invalid_transition")
        # Archive the previous version first: the database allows one active version per code.
        for previous in ConsentDocument.objects.select_for_update().filter(code=locked.code,
                                                                           status=DocumentStatus.ACTIVE):
            previous.status, previous.archived_at = DocumentStatus.ARCHIVED, now
            previous.save(update_fields=["status", "archived_at", "updated_at"])
        locked.status, locked.activated_at = DocumentStatus.ACTIVE, now
        locked.save(update_fields=["status", "activated_at", "updated_at"])
    return locked


def consent_document_revise(*, document: ConsentDocument, by) -> ConsentDocument:
    """Copy an active document into a new draft: same code, version + 1, same texts. The active
    version stays active until the draft is activated. Raises Conflict `invalid_transition` unless
    it is active, `draft_exists` if the code has a draft already."""
    with transaction.atomic(), _audit(by, "consent_document_revise"):
        locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status != DocumentStatus.ACTIVE:
            raise Conflict(gettext("Only an active document can be revised; this version is %(status)s.")
                           % {"status": STATUS_IN_SENTENCE.get(locked.status, locked.status)},
                           code="invalid_transition")
        draft = ConsentDocument.objects.filter(code=locked.code, status=DocumentStatus.DRAFT).first()
        if draft is not None:
            raise Conflict(gettext("%(code)s already has a draft (version %(version)s): edit that one.")
                           % {"code": locked.code, "version": draft.version},
                           code="draft_exists", draft=draft.pk)
        latest = (ConsentDocument.objects.filter(code=locked.code).order_by("-version")
                  .values_list("version", flat=True)[0])
        return ConsentDocument.objects.create(
            code=locked.code, version=latest + 1, status=DocumentStatus.DRAFT, texts=locked.texts,
            applies_to=locked.applies_to, protocol_codes=locked.protocol_codes,
        )


def consent_document_archive(*, document: ConsentDocument, by, now: datetime | None = None) -> ConsentDocument:
    """Retire a version (active or draft): nothing requires it any more, nobody can sign it, and
    its signatures stay. Raises Conflict `invalid_transition` if it is archived already."""
    with transaction.atomic(), _audit(by, "consent_document_archive"):
        locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status == DocumentStatus.ARCHIVED:
            raise Conflict(gettext("This version is archived already."), code="invalid_transition")
        locked.status, locked.archived_at = DocumentStatus.ARCHIVED, now or timezone.now()
        locked.save(update_fields=["status", "archived_at", "updated_at"])
    return locked


def consent_document_delete(*, document: ConsentDocument, by) -> None:
    """Delete a draft (a version once active is archived instead, never deleted)."""
    with transaction.atomic(), _audit(by, "consent_document_delete"):
        locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
        if not locked.is_editable:
            raise not_editable(locked)
        locked.delete()


# --- Signatures ------------------------------------------------------------------------------------


def _clean_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def consent_sign(*, patient: Patient, document: ConsentDocument, signed_name: str, agree: bool,
                 language: str | None = None, ip: str | None, user_agent: str, by,
                 shown_sha256: str | None = None, now: datetime | None = None) -> ConsentSignature:
    """Record a patient's signature of an active document version, in the language they read
    (None: the patient's own, else English), with the sha256 of the exact text shown.

    Raises SignatureInvalid (422 `invalid`), writing nothing: no agreement, an empty name, a
    document that is not active, a language the document has no text in, a version signed
    already, or (`shown_sha256`, from the signing page) a text that is not the one shown."""
    now = now or timezone.now()
    name = normalize_name((signed_name or "").replace("\n", " ").replace("\t", " "))
    errors: dict[str, list[str]] = {}
    if agree is not True:
        errors["agree"] = [gettext("The patient must tick that they have read and agree to the text.")]
    if not name:
        errors["signed_name"] = [gettext("The patient must type their full name.")]
    elif len(name) > SIGNED_NAME_MAX_LENGTH:
        errors["signed_name"] = [
            gettext("A name can have at most %(count)s characters.") % {"count": SIGNED_NAME_MAX_LENGTH}]
    elif any(not character.isprintable() for character in name):
        errors["signed_name"] = [gettext("A name holds letters, spaces and punctuation only.")]
    if language is not None and language not in LANGUAGES:
        errors["language"] = [gettext("Unknown language %(language)s: use %(languages)s.") % {
            "language": language, "languages": ", ".join(LANGUAGES)}]
    with transaction.atomic(), _audit(by, "consent_sign"):
        # The row lock makes a concurrent archive or activation wait: the version signed is active.
        locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status != DocumentStatus.ACTIVE:
            errors["document"] = [gettext("%(code)s v%(version)s is %(status)s: only an active document can be "
                                          "signed.") % {"code": locked.code, "version": locked.version,
                                                        "status": STATUS_IN_SENTENCE.get(locked.status, locked.status)}]
        if errors:
            raise SignatureInvalid(errors)
        shown = language if language is not None else language_shown(locked.texts, patient.language)
        if shown not in locked.texts:
            raise SignatureInvalid({"language": [
                gettext("%(code)s v%(version)s has no %(language)s text; it has %(languages)s.") % {
                    "code": locked.code, "version": locked.version, "language": LANGUAGE_NAMES_SHOWN[shown],
                    "languages": ", ".join(locked.languages)}]})
        digest = text_sha256(locked.texts, shown)
        if shown_sha256 is not None and shown_sha256 != digest:
            raise SignatureInvalid({"non_field_errors": [
                gettext("The text changed since the page was opened: let the patient read it again.")]})
        if ConsentSignature.objects.filter(patient=patient, document=locked).exists():
            raise SignatureInvalid({"document": [_signed_already(patient, locked)]})
        try:
            with transaction.atomic():
                return ConsentSignature.objects.create(
                    patient=patient, document=locked, language=shown, text_sha256=digest, signed_name=name,
                    signed_at=now, ip=_clean_ip(ip),
                    user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH].replace("\x00", ""),
                    recorded_by=by if getattr(by, "pk", None) else None,
                )
        except IntegrityError:
            # The same signature submitted twice at once (a double tap): the first one stands.
            if not ConsentSignature.objects.filter(patient=patient, document=locked).exists():
                raise
            raise SignatureInvalid({"document": [_signed_already(patient, locked)]}) from None
