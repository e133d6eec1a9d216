"""Services that write protocols: create and edit drafts, activate, revise, archive, lock.

Every service validates first, then writes everything or nothing in one transaction, and names
its author in the audit trail. Pages and the API call these, never the ORM directly.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pghistory
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.errors import Conflict, DomainError, Unprocessable

from .labels import in_sentence
from .models import HomeAdjunct, Protocol, ProtocolSession, ProtocolStatus
from .rules import first_message, number_sessions, protocol_errors
from .texts import clean_instructions_i18n, instructions_i18n_errors

# The fields of a protocol a doctor edits (code only when the protocol is created).
HEADER_FIELDS = ("name", "indication", "source_category", "source_detail", "route", "anchor", "notes")
SESSION_FIELDS = (
    "number", "gap_min_days", "gap_target_days", "gap_max_days", "duration_minutes", "kind",
    "visit_adjuncts", "instructions", "instructions_i18n",
)
ADJUNCT_FIELDS = ("kind", "instructions", "instructions_i18n")


class ProtocolInvalid(DomainError):
    """The protocol breaks a rule; `errors` has DRF's shape so the API returns it as is."""

    code = "invalid"
    status = 400

    def __init__(self, errors: Mapping[str, Any]):
        super().__init__(first_message(errors) or _("The protocol is invalid."), errors=dict(errors))
        self.errors = dict(errors)


def not_editable(protocol: Protocol) -> Conflict:
    if protocol.in_use:
        reason = _("a course uses it")
    else:
        reason = _("it is %(status)s") % {"status": _status(protocol)}
    return Conflict(
        _("Only a draft can be edited, and %(code)s v%(version)s is not one: %(reason)s. "
          "Revise it to make a new draft.") % {"code": protocol.code, "version": protocol.version, "reason": reason},
        code="protocol_not_editable",
    )


def _status(protocol: Protocol) -> str:
    """A version's status in words, as a sentence reads it ("draft", "archived")."""
    return in_sentence(protocol.get_status_display())


def _audit(by: AbstractBaseUser | None, action: str) -> pghistory.context:
    values: dict[str, Any] = {"action": action}
    if by is not None and by.pk is not None:
        values["user"] = by.pk
    return pghistory.context(**values)


def _clean_session(session: Mapping[str, Any]) -> dict[str, Any]:
    plain = {field: session.get(field) for field in SESSION_FIELDS}
    plain["kind"] = plain["kind"] or "treatment"
    if isinstance(plain["instructions"], str) or plain["instructions"] is None:
        plain["instructions"] = (plain["instructions"] or "").strip()
    plain["instructions_i18n"] = _clean_i18n(plain["instructions_i18n"])
    adjuncts = plain["visit_adjuncts"] or []
    # The same adjunct twice in one visit is the same adjunct: keep the first.
    plain["visit_adjuncts"] = list(dict.fromkeys(adjuncts)) if isinstance(adjuncts, (list, tuple)) else adjuncts
    return plain


def _clean_adjunct(adjunct: Mapping[str, Any]) -> dict[str, Any]:
    instructions = adjunct.get("instructions") or ""
    if isinstance(instructions, str):
        instructions = instructions.strip()
    return {"kind": adjunct.get("kind"), "instructions": instructions,
            "instructions_i18n": _clean_i18n(adjunct.get("instructions_i18n"))}


def _clean_i18n(value: Any) -> Any:
    # A value the rules refuse is kept as sent, so their message can say what was wrong with it.
    return clean_instructions_i18n(value) if not instructions_i18n_errors(value) else value


def _header_errors(protocol: Protocol, *, creating: bool) -> dict[str, list[str]]:
    exclude = ["status", "version", "in_use", "activated_at", "archived_at"]
    if not creating:
        exclude.append("code")
    try:
        protocol.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error.message_dict
    return {}


def _write_children(
    protocol: Protocol, sessions: Sequence[Mapping[str, Any]] | None, home_adjuncts: Sequence[Mapping[str, Any]] | None
) -> None:
    if sessions is not None:
        # Update rows in place by number, so the audit trail shows what changed in each session.
        existing = {session.number: session for session in protocol.sessions.all()}
        for data in sessions:
            row = existing.pop(data["number"], None)
            if row is None:
                ProtocolSession.objects.create(protocol=protocol, **data)
            elif any(getattr(row, field) != value for field, value in data.items()):
                for field, value in data.items():
                    setattr(row, field, value)
                row.save()
        if existing:
            ProtocolSession.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    if home_adjuncts is not None:
        current = {adjunct.kind: adjunct for adjunct in protocol.home_adjuncts.all()}
        for data in home_adjuncts:
            row = current.pop(data["kind"], None)
            if row is None:
                HomeAdjunct.objects.create(protocol=protocol, **data)
            elif any(getattr(row, field) != value for field, value in data.items()):
                for field, value in data.items():
                    setattr(row, field, value)
                row.save()
        if current:
            HomeAdjunct.objects.filter(pk__in=[row.pk for row in current.values()]).delete()


def _children_of(protocol: Protocol) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sessions = [{field: getattr(s, field) for field in SESSION_FIELDS} for s in protocol.sessions.all()]
    adjuncts = [{field: getattr(a, field) for field in ADJUNCT_FIELDS} for a in protocol.home_adjuncts.all()]
    return sessions, adjuncts


def protocol_create(
    *,
    code: str,
    name: str,
    indication: str,
    source_category: str,
    route: str,
    sessions: Sequence[Mapping[str, Any]],
    source_detail: str = "",
    anchor: str = "course_start",
    notes: str = "",
    home_adjuncts: Sequence[Mapping[str, Any]] = (),
    by: AbstractBaseUser | None,
) -> Protocol:
    """Create version 1 of a new protocol code as a draft, with its sessions and home adjuncts.

    Raises ProtocolInvalid (400) with every broken rule by field; writes nothing then.
    """
    protocol = Protocol(
        code=(code or "").strip(), name=(name or "").strip(), indication=indication, source_category=source_category,
        source_detail=(source_detail or "").strip(), route=route, anchor=anchor or "course_start",
        notes=(notes or "").strip(), version=1, status=ProtocolStatus.DRAFT,
    )
    session_data = [_clean_session(s) for s in number_sessions(sessions)]
    adjunct_data = [_clean_adjunct(a) for a in home_adjuncts]
    errors: dict[str, Any] = _header_errors(protocol, creating=True)
    if protocol.code and "code" not in errors and Protocol.objects.filter(code__iexact=protocol.code).exists():
        errors["code"] = [_("A protocol with the code %(code)s exists already: revise it to make a new version.")
                          % {"code": protocol.code}]
    errors.update(protocol_errors(source_category=source_category, sessions=session_data, home_adjuncts=adjunct_data))
    if errors:
        raise ProtocolInvalid(errors)
    try:
        with transaction.atomic(), _audit(by, "protocol_create"):
            protocol.save()
            _write_children(protocol, session_data, adjunct_data)
    except IntegrityError:
        # Another doctor created the same code a moment ago (code and version are unique).
        if not Protocol.objects.filter(code=protocol.code).exists():
            raise
        raise ProtocolInvalid({"code": [_("A protocol with the code %(code)s was just created: revise it.")
                                        % {"code": protocol.code}]})
    return protocol


def protocol_update(
    *,
    protocol: Protocol,
    fields: Mapping[str, Any] | None = None,
    sessions: Sequence[Mapping[str, Any]] | None = None,
    home_adjuncts: Sequence[Mapping[str, Any]] | None = None,
    by: AbstractBaseUser | None,
) -> Protocol:
    """Edit a draft: header fields, and (when given) the whole list of sessions or home adjuncts.

    Raises Conflict `protocol_not_editable` (409) unless the protocol is an unused draft, and
    ProtocolInvalid (400) when the result would break a rule; nothing changes then.
    """
    with transaction.atomic(), _audit(by, "protocol_update"):
        locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
        if not locked.is_editable:
            raise not_editable(locked)
        errors: dict[str, Any] = {}
        for field, value in (fields or {}).items():
            if field == "code":
                if value != locked.code:
                    errors["code"] = [_("The code of a protocol cannot change: create a new protocol instead.")]
                continue
            if field not in HEADER_FIELDS:
                errors.setdefault("non_field_errors", []).append(_("%(field)s cannot be edited.") % {"field": field})
                continue
            setattr(locked, field, value.strip() if isinstance(value, str) else value)
        errors.update(_header_errors(locked, creating=False))
        current_sessions, current_adjuncts = _children_of(locked)
        session_data = [_clean_session(s) for s in number_sessions(sessions)] if sessions is not None else None
        adjunct_data = [_clean_adjunct(a) for a in home_adjuncts] if home_adjuncts is not None else None
        errors.update(protocol_errors(
            source_category=locked.source_category,
            sessions=session_data if session_data is not None else current_sessions,
            home_adjuncts=adjunct_data if adjunct_data is not None else current_adjuncts,
        ))
        if errors:
            raise ProtocolInvalid(errors)
        locked.save()
        _write_children(locked, session_data, adjunct_data)
    return locked


def protocol_activate(*, protocol: Protocol, by: AbstractBaseUser | None) -> Protocol:
    """Make a draft the active version of its code; the version active before is archived.

    Raises Conflict `invalid_transition` (409) unless it is a draft, ProtocolInvalid (400) when the
    draft has no sessions or breaks a rule.
    """
    with transaction.atomic(), _audit(by, "protocol_activate"):
        locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
        if locked.status != ProtocolStatus.DRAFT:
            raise Conflict(
                _("Only a draft can be activated; this version is %(status)s.") % {"status": _status(locked)},
                code="invalid_transition",
            )
        sessions, adjuncts = _children_of(locked)
        errors = protocol_errors(source_category=locked.source_category, sessions=sessions, home_adjuncts=adjuncts)
        if errors:
            raise ProtocolInvalid(errors)
        now = timezone.now()
        # Archive the previous version first: the database allows one active version per code.
        for previous in Protocol.objects.select_for_update().filter(code=locked.code, status=ProtocolStatus.ACTIVE):
            previous.status = ProtocolStatus.ARCHIVED
            previous.archived_at = now
            previous.save(update_fields=["status", "archived_at", "updated_at"])
        locked.status = ProtocolStatus.ACTIVE
        locked.activated_at = now
        locked.save(update_fields=["status", "activated_at", "updated_at"])
    return locked


def protocol_revise(*, protocol: Protocol, by: AbstractBaseUser | None) -> Protocol:
    """Copy an active protocol into a new draft: same code, version + 1, same sessions.

    The active version stays active (and untouched) until the draft is activated. Raises
    Conflict `invalid_transition` unless it is active, `draft_exists` if the code has a draft.
    """
    with transaction.atomic(), _audit(by, "protocol_revise"):
        locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
        if locked.status != ProtocolStatus.ACTIVE:
            raise Conflict(_("Only an active protocol can be revised; this version is %(status)s.")
                           % {"status": _status(locked)}, code="invalid_transition")
        draft = Protocol.objects.filter(code=locked.code, status=ProtocolStatus.DRAFT).first()
        if draft is not None:
            raise Conflict(_("%(code)s already has a draft (version %(version)s): edit that one.")
                           % {"code": locked.code, "version": draft.version}, code="draft_exists", draft=draft.pk)
        latest = Protocol.objects.filter(code=locked.code).order_by("-version").values_list("version", flat=True)[0]
        sessions, adjuncts = _children_of(locked)
        copy = Protocol.objects.create(
            code=locked.code, version=latest + 1, status=ProtocolStatus.DRAFT,
            **{field: getattr(locked, field) for field in HEADER_FIELDS},
        )
        _write_children(copy, sessions, adjuncts)
    return copy


def protocol_archive(*, protocol: Protocol, by: AbstractBaseUser | None) -> Protocol:
    """Retire a version (active or draft); its sessions stay exactly as they were.

    Courses already booked with it keep it. Raises Conflict `invalid_transition` if archived.
    """
    with transaction.atomic(), _audit(by, "protocol_archive"):
        locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
        if locked.status == ProtocolStatus.ARCHIVED:
            raise Conflict(_("This version is archived already."), code="invalid_transition")
        locked.status = ProtocolStatus.ARCHIVED
        locked.archived_at = timezone.now()
        locked.save(update_fields=["status", "archived_at", "updated_at"])
    return locked


def protocol_delete(*, protocol: Protocol, by: AbstractBaseUser | None) -> None:
    """Delete an unused draft (a version once active is archived instead, never deleted)."""
    with transaction.atomic(), _audit(by, "protocol_delete"):
        locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
        if not locked.is_editable:
            raise not_editable(locked)
        locked.delete()


def protocol_lock(protocol: Protocol) -> Protocol:
    """Mark an active version as used by a course, so it can never change again.

    The booking service calls this inside its own transaction; the row lock makes booking wait
    for (or win against) a concurrent activation of a newer version. Archiving stays allowed.
    Raises Unprocessable `protocol_not_active` (422) unless the version is active.
    """
    with transaction.atomic():
        # FOR NO KEY UPDATE: it still waits for an activation (FOR UPDATE), but not for the
        # foreign-key checks of other courses being booked on this version, nor they for it (with
        # FOR UPDATE, two first bookings racing for a room could deadlock on this row).
        locked = Protocol.objects.select_for_update(no_key=True).get(pk=protocol.pk)
        if locked.status != ProtocolStatus.ACTIVE:
            raise Unprocessable(
                _("%(code)s v%(version)s is %(status)s: only an active protocol can be booked.")
                % {"code": locked.code, "version": locked.version, "status": _status(locked)},
                code="protocol_not_active",
            )
        if not locked.in_use:
            locked.in_use = True
            locked.save(update_fields=["in_use", "updated_at"])
    return locked
