"""Protocol templates: a versioned recipe of ordered sessions, each with its booking window.

Only a draft can change. Once a version is active (and certainly once a course uses it) its
sessions are frozen by database triggers, so a course keeps the exact version it was booked with.
"""

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.audit import audited

from .rules import (
    DURATION_MAX,
    DURATION_MIN,
    FINASTERIDE_SCREENING_CONDITIONS,
    HARVEST_ADJUNCTS,
    MAX_GAP_DAYS,
    MAX_SESSIONS,
    PRP_SCREENING_CONDITIONS,
)
from .texts import instructions_i18n_errors

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"


def validate_instructions_i18n(value: object) -> None:
    """Only tr, ar, es and de, each a text of at most INSTRUCTIONS_MAX_LENGTH characters."""
    errors = instructions_i18n_errors(value)
    if errors:
        raise ValidationError(errors, code="invalid")


def _instructions_i18n(help_text: str) -> models.JSONField:
    return models.JSONField(default=dict, blank=True, validators=[validate_instructions_i18n], help_text=help_text)


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("protocol status", "Draft")
    ACTIVE = "active", pgettext_lazy("protocol status", "Active")
    ARCHIVED = "archived", pgettext_lazy("protocol status", "Archived")


class Indication(models.TextChoices):
    AGA = "aga", _("Androgenetic alopecia")
    ALOPECIA_AREATA = "alopecia_areata", _("Alopecia areata")
    TELOGEN_EFFLUVIUM = "telogen_effluvium", _("Telogen effluvium")
    POST_TRANSPLANT = "post_transplant", _("After FUE/DHI transplant")
    MAINTENANCE = "maintenance", _("Maintenance")
    OTHER = "other", pgettext_lazy("indication", "Other")


class SourceCategory(models.TextChoices):
    AUTOLOGOUS = "autologous", _("Autologous (patient's own)")
    ALLOGENEIC_HUMAN = "allogeneic_human", _("Allogeneic human")
    PLANT = "plant", _("Plant")
    ANIMAL = "animal", _("Animal")


class Route(models.TextChoices):
    INJECTION = "injection", _("Injection into the scalp")
    TOPICAL = "topical", _("Topical after microneedling")


class Anchor(models.TextChoices):
    COURSE_START = "course_start", _("Course start")
    SURGERY_DATE = "surgery_date", _("Surgery date (FUE/DHI)")


class SessionKind(models.TextChoices):
    TREATMENT = "treatment", pgettext_lazy("session kind", "Treatment")
    ASSESSMENT = "assessment", pgettext_lazy("session kind", "Assessment")


class VisitAdjunct(models.TextChoices):
    PRP = "prp", _("PRP")
    LED = "led", _("Red LED light")
    MICRONEEDLING = "microneedling", _("Microneedling")
    HARVEST_BLOOD = "harvest_blood", _("Blood draw (harvest)")
    HARVEST_FAT = "harvest_fat", _("Mini-liposuction (harvest)")


class HomeAdjunctKind(models.TextChoices):
    MINOXIDIL = "minoxidil", _("Minoxidil")
    FINASTERIDE = "finasteride", _("Finasteride (men only)")
    LED_CAP = "led_cap", _("Red-light cap")


def _choice_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def _refuse(
    name: str, operation: pgtrigger.Operation, condition: pgtrigger.Condition, message: str
) -> pgtrigger.Trigger:
    """A BEFORE trigger that raises a check violation (Django sees an IntegrityError)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=operation,
        condition=condition,
        func=f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';",
    )


# The children (sessions, home adjuncts) of a protocol that is not a draft, or that a course
# uses, never change: the check reads the parent row, which a condition cannot do.
_CHILD_FROZEN_SQL = """
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status, in_use INTO _status, _in_use FROM protocols_protocol WHERE id = OLD.protocol_id;
        IF _status IS DISTINCT FROM 'draft' OR _in_use THEN
            RAISE EXCEPTION 'protocol %% is not a draft: its %s cannot change', OLD.protocol_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status, in_use INTO _status, _in_use FROM protocols_protocol WHERE id = NEW.protocol_id;
        IF _status IS DISTINCT FROM 'draft' OR _in_use THEN
            RAISE EXCEPTION 'protocol %% is not a draft: its %s cannot change', NEW.protocol_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
"""


def _child_frozen(what: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="frozen_unless_draft",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        declare=[("_status", "TEXT"), ("_in_use", "BOOLEAN")],
        func=_CHILD_FROZEN_SQL % (what, what),
    )


class _Both(pgtrigger.Condition):
    """Two trigger conditions that must both hold (pgtrigger's Q and AnyChange do not combine)."""

    def __init__(self, first: pgtrigger.Condition, second: pgtrigger.Condition):
        self.first, self.second = first, second
        self.sql = "both"

    def resolve(self, model: type[models.Model]) -> str:
        return f"(({self.first.resolve(model)}) AND ({self.second.resolve(model)}))"


# Fields that may still change on an active or archived version: its status and when that changed.
LIFECYCLE_FIELDS = ["status", "in_use", "updated_at", "activated_at", "archived_at"]


@audited()
class Protocol(models.Model):
    Status = ProtocolStatus

    code = models.CharField(
        max_length=40,
        validators=[RegexValidator(CODE_PATTERN, _("Use letters, digits, dots, dashes or underscores (up to 40)."))],
        help_text=_("Shared by every version, e.g. EXO-AGA-3x6W"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    status = models.CharField(max_length=10, choices=ProtocolStatus.choices, default="draft", editable=False)
    name = models.CharField(max_length=160)
    indication = models.CharField(max_length=20, choices=Indication.choices)
    source_category = models.CharField(max_length=20, choices=SourceCategory.choices)
    source_detail = models.CharField(
        max_length=200, blank=True, help_text=_("e.g. umbilical-cord MSC, rose (Rosa damascena)")
    )
    route = models.CharField(max_length=10, choices=Route.choices)
    anchor = models.CharField(
        max_length=15, choices=Anchor.choices, default=Anchor.COURSE_START,
        help_text=_("What session 1's gap counts from"),
    )
    notes = models.TextField(blank=True)
    # Set once a course is booked with this version (protocols.services.protocol_lock); never unset.
    in_use = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("protocol")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="protocol_code_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(status="active"), name="protocol_one_active_per_code"),
            models.UniqueConstraint(fields=["code"], condition=Q(status="draft"), name="protocol_one_draft_per_code"),
            models.CheckConstraint(condition=Q(version__gte=1), name="protocol_version_from_1"),
            _choice_check("status", ProtocolStatus, "protocol_status_valid"),
            _choice_check("indication", Indication, "protocol_indication_valid"),
            _choice_check("source_category", SourceCategory, "protocol_source_category_valid"),
            _choice_check("route", Route, "protocol_route_valid"),
            _choice_check("anchor", Anchor, "protocol_anchor_valid"),
        ]
        triggers = [
            _refuse(
                "frozen_unless_draft",
                pgtrigger.Update,
                _Both(
                    pgtrigger.Q(old__status__in=["active", "archived"]) | pgtrigger.Q(old__in_use=True),
                    pgtrigger.AnyChange(exclude=LIFECYCLE_FIELDS),
                ),
                "only a draft protocol can be edited",
            ),
            pgtrigger.FSM(
                name="status_transitions",
                field="status",
                transitions=[("draft", "active"), ("draft", "archived"), ("active", "archived")],
            ),
            _refuse(
                "in_use_is_forever",
                pgtrigger.Update,
                pgtrigger.Q(old__in_use=True, new__in_use=False),
                "a protocol version used by a course stays in use",
            ),
            _refuse(
                "delete_only_unused_drafts",
                pgtrigger.Delete,
                ~pgtrigger.Q(old__status="draft") | pgtrigger.Q(old__in_use=True),
                "only an unused draft protocol can be deleted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("protocols:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == "draft" and not self.in_use

    @property
    def uses_prp(self) -> bool:
        return any("prp" in session.visit_adjuncts for session in self.sessions.all())

    @property
    def uses_harvest(self) -> bool:
        return any(HARVEST_ADJUNCTS & set(session.visit_adjuncts) for session in self.sessions.all())

    @property
    def uses_finasteride(self) -> bool:
        return any(adjunct.kind == HomeAdjunctKind.FINASTERIDE for adjunct in self.home_adjuncts.all())

    @property
    def uses_minoxidil(self) -> bool:
        return any(adjunct.kind == HomeAdjunctKind.MINOXIDIL for adjunct in self.home_adjuncts.all())

    @property
    def men_only(self) -> bool:
        # Finasteride is for men only and must not be handled by a woman who is or may become pregnant.
        return self.uses_finasteride

    @property
    def total_days(self) -> int:
        """Length of the course at target gaps, from the anchor to the last session."""
        return sum(session.gap_target_days for session in self.sessions.all())

    @property
    def treatment_count(self) -> int:
        return sum(1 for session in self.sessions.all() if session.kind == SessionKind.TREATMENT)

    @property
    def assessment_count(self) -> int:
        return sum(1 for session in self.sessions.all() if session.kind == SessionKind.ASSESSMENT)

    @property
    def screening_conditions(self) -> list[str]:
        """Screening answers that become hard stops because of what this protocol contains."""
        conditions: list[str] = []
        if self.uses_prp:
            conditions += PRP_SCREENING_CONDITIONS
        if self.uses_finasteride:
            conditions += FINASTERIDE_SCREENING_CONDITIONS
        return conditions


@audited()
class ProtocolSession(models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)])
    gap_min_days = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_GAP_DAYS)])
    gap_target_days = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_GAP_DAYS)])
    gap_max_days = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_GAP_DAYS)])
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(DURATION_MIN), MaxValueValidator(DURATION_MAX)]
    )
    kind = models.CharField(max_length=10, choices=SessionKind.choices, default=SessionKind.TREATMENT)
    visit_adjuncts = ArrayField(
        models.CharField(max_length=20, choices=VisitAdjunct.choices), default=list, blank=True, size=len(VisitAdjunct)
    )
    instructions = models.TextField(blank=True, help_text=_("For the patient, before this visit"))
    instructions_i18n = _instructions_i18n("The instructions in tr, ar, es, de; English is `instructions`")

    class Meta:
        verbose_name = _("protocol session")
        ordering = ["protocol", "number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="protocol_session_number_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=MAX_SESSIONS), name="protocol_session_number_range"
            ),
            models.CheckConstraint(
                condition=Q(gap_min_days__gte=0)
                & Q(gap_min_days__lte=F("gap_target_days"))
                & Q(gap_target_days__lte=F("gap_max_days"))
                & Q(gap_max_days__lte=MAX_GAP_DAYS),
                name="protocol_session_gap_order",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=DURATION_MIN) & Q(duration_minutes__lte=DURATION_MAX),
                name="protocol_session_duration_range",
            ),
            _choice_check("kind", SessionKind, "protocol_session_kind_valid"),
            models.CheckConstraint(
                condition=Q(visit_adjuncts__contained_by=VisitAdjunct.values), name="protocol_session_adjuncts_known"
            ),
        ]
        triggers = [
            _child_frozen("sessions"),
            # Numbers run 1..N without holes: with numbers unique and >= 1, that is max == count.
            # Deferred to commit so a service may renumber rows one by one inside its transaction.
            pgtrigger.Trigger(
                name="numbers_without_holes",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                timing=pgtrigger.Deferred,
                declare=[("_count", "INTEGER"), ("_max", "INTEGER"), ("_protocol", "BIGINT")],
                func="""
                    IF TG_OP = 'DELETE' THEN _protocol := OLD.protocol_id; ELSE _protocol := NEW.protocol_id; END IF;
                    SELECT COUNT(*), COALESCE(MAX(number), 0) INTO _count, _max
                        FROM protocols_protocolsession WHERE protocol_id = _protocol;
                    IF _count <> _max THEN
                        RAISE EXCEPTION 'sessions of protocol % must be numbered 1..% without holes', _protocol, _count
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NULL;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.protocol.code} v{self.protocol.version}"

    @property
    def is_assessment(self) -> bool:
        return self.kind == SessionKind.ASSESSMENT

    @property
    def visit_adjunct_labels(self) -> list[str]:
        from .labels import adjunct_labels

        return adjunct_labels(self.visit_adjuncts)


@audited()
class HomeAdjunct(models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="home_adjuncts")
    kind = models.CharField(max_length=12, choices=HomeAdjunctKind.choices)
    instructions = models.TextField(blank=True, help_text=_("For the patient, in plain words"))
    instructions_i18n = _instructions_i18n("The instructions in tr, ar, es, de; English is `instructions`")

    class Meta:
        verbose_name = _("home adjunct")
        ordering = ["protocol", "id"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "kind"], name="home_adjunct_once_per_protocol"),
            _choice_check("kind", HomeAdjunctKind, "home_adjunct_kind_valid"),
        ]
        triggers = [_child_frozen("home adjuncts")]

    def __str__(self) -> str:
        return self.get_kind_display()
