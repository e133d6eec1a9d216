"""Protocol pages: doctors (and admins) edit, receptionists read. Thin: forms in, services do."""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from clinic.errors import DomainError
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role

from . import selectors, services
from .checklist import checklist_of
from .diff import protocol_diff
from .forms import HomeAdjunctFormSet, ProtocolFilterForm, ProtocolForm, SessionFormSet
from .models import Protocol
from .rules import SCREENING_CONDITION_LABELS, protocol_errors
from .services import ProtocolInvalid
from .timeline import timeline_layout

SESSION_PREFIX = "sessions"
HOME_PREFIX = "home"


def _named(protocol: Protocol) -> dict[str, Any]:
    return {"code": protocol.code, "version": protocol.version}


class ProtocolListView(RoleRequiredMixin, ListView):
    template_name = "protocols/protocol_list.html"
    context_object_name = "protocols"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Protocol]:
        self.filter_form = ProtocolFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.protocols_search(**{k: v for k, v in filters.items() if v})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["filtered"] = any(self.request.GET.get(k) for k in self.filter_form.fields)
        for protocol in context["protocols"]:
            protocol.timeline = timeline_layout(list(protocol.sessions.all()))
            protocol.timeline_id = f"timeline-{protocol.pk}"
        return context


class ProtocolDetailView(RoleRequiredMixin, DetailView):
    template_name = "protocols/protocol_detail.html"
    context_object_name = "protocol"

    def get_queryset(self) -> QuerySet[Protocol]:
        return selectors.protocols_with_children()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        protocol: Protocol = self.object
        context.update(
            timeline=timeline_layout(list(protocol.sessions.all())),
            screening=[(code, SCREENING_CONDITION_LABELS[code]) for code in protocol.screening_conditions],
            locations=selectors.protocol_locations(protocol),
            versions=selectors.protocol_versions(protocol.code),
            draft=Protocol.objects.filter(code=protocol.code, status="draft").exclude(pk=protocol.pk).first(),
        )
        if protocol.status == "draft":
            findings = checklist_of(protocol)
            context.update(
                checklist=findings,
                blockers=[f for f in findings if f.is_blocker],
                checklist_warnings=[f for f in findings if not f.is_blocker],
            )
        return context


def _initial(protocol: Protocol | None) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    if protocol is None:
        first = {"kind": "treatment", "gap_min_days": 0, "gap_target_days": 0, "gap_max_days": 0,
                 "duration_minutes": 30, "visit_adjuncts": [], "instructions": "", "ORDER": 1}
        return {"anchor": "course_start"}, [first], []
    header = {name: getattr(protocol, name) for name in ("code", *services.HEADER_FIELDS)}
    sessions = [
        {"kind": s.kind, "gap_min_days": s.gap_min_days, "gap_target_days": s.gap_target_days,
         "gap_max_days": s.gap_max_days, "duration_minutes": s.duration_minutes, "visit_adjuncts": s.visit_adjuncts,
         "instructions": s.instructions, "instructions_i18n": s.instructions_i18n, "ORDER": s.number}
        for s in protocol.sessions.all()
    ]
    home = [{"kind": a.kind, "instructions": a.instructions, "instructions_i18n": a.instructions_i18n}
            for a in protocol.home_adjuncts.all()]
    return header, sessions, home


class ProtocolFormView(RoleRequiredMixin, View):
    """Create a protocol (a draft, version 1) or edit a draft: header, sessions, home adjuncts."""

    required_role = Role.DOCTOR
    template_name = "protocols/protocol_form.html"

    def _protocol(self) -> Protocol | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        protocol = get_object_or_404(selectors.protocols_with_children(), pk=pk)
        return protocol

    def _forms(self, protocol: Protocol | None, data: Any = None) -> tuple:
        header, sessions, home = _initial(protocol)
        form = ProtocolForm(data, initial=header, editing=protocol is not None)
        session_formset = SessionFormSet(data, initial=sessions, prefix=SESSION_PREFIX)
        home_formset = HomeAdjunctFormSet(data, initial=home, prefix=HOME_PREFIX)
        return form, session_formset, home_formset

    def _render(self, protocol: Protocol | None, form: ProtocolForm, session_formset: Any, home_formset: Any,
                session_errors: list[str] | None = None, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {
            "protocol": protocol, "form": form, "session_formset": session_formset, "home_formset": home_formset,
            "session_rows": sorted(session_formset.forms, key=_order_of),
            "session_errors": session_errors or [], "home_errors": [],
        }, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        protocol = self._protocol()
        if protocol is not None and not protocol.is_editable:
            messages.warning(request, _("Only a draft can be edited. Revise this version to make a new draft."))
            return redirect(protocol)
        return self._render(protocol, *self._forms(protocol))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        protocol = self._protocol()
        if protocol is not None and not protocol.is_editable:
            messages.error(request, _("Only a draft can be edited: nothing was changed."))
            return redirect(protocol)
        form, session_formset, home_formset = self._forms(protocol, request.POST)
        valid = all([form.is_valid(), session_formset.is_valid(), home_formset.is_valid()])
        session_forms = _kept_rows(session_formset)
        home_forms = [f for f in home_formset.forms
                      if _cleaned(f).get("kind") and not _cleaned(f).get("DELETE")]
        sessions = [{**{k: v for k, v in _cleaned(f).items() if k not in ("ORDER", "DELETE")}, "number": n}
                    for n, f in enumerate(session_forms, start=1)]
        # Every row with a kind counts, changed or not: an untouched row is still part of the draft
        # (only the empty extra row and rows marked for removal are left out).
        home = [{"kind": _cleaned(f)["kind"], "instructions": _cleaned(f).get("instructions", ""),
                 "instructions_i18n": _cleaned(f).get("instructions_i18n", {})}
                for f in home_forms]
        if not valid:
            # Say everything at once: the protocol's rules (gap order, harvest and source...) are
            # checked on whatever the fields could read, beside the fields' own errors.
            # An unreadable source is its field's error; the harvest rule then has nothing to compare.
            source = form.cleaned_data.get("source_category") or "autologous"
            errors = protocol_errors(source_category=source, sessions=sessions, home_adjuncts=home)
            session_errors = _place_errors(errors, form, session_forms, home_forms, skip_taken=True)
            if session_formset.non_form_errors():
                session_errors = []
            return self._render(protocol, form, session_formset, home_formset, session_errors, status=400)
        header = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        try:
            if protocol is None:
                protocol = services.protocol_create(
                    code=form.cleaned_data["code"], sessions=sessions, home_adjuncts=home, by=request.user, **header
                )
                messages.success(request, _("Draft %(code)s v%(version)s created.") % _named(protocol))
            else:
                protocol = services.protocol_update(
                    protocol=protocol, fields=header, sessions=sessions, home_adjuncts=home, by=request.user
                )
                messages.success(request, _("Draft %(code)s v%(version)s saved.") % _named(protocol))
        except ProtocolInvalid as invalid:
            session_errors = _place_errors(invalid.errors, form, session_forms, home_forms)
            return self._render(self._protocol(), form, session_formset, home_formset, session_errors, status=400)
        except DomainError as error:
            messages.error(request, error.detail)
            return self._render(self._protocol(), form, session_formset, home_formset, status=409)
        return redirect(protocol)


def _cleaned(form: Any) -> dict[str, Any]:
    """What a row's fields could read, even when some of them are invalid."""
    return getattr(form, "cleaned_data", None) or {}


def _kept_rows(formset: Any) -> list:
    """The session rows the doctor kept, in the order the page showed them (ordered_forms, but
    also when the formset is invalid): not removed, and not an untouched extra row."""
    kept = []
    for index, form in enumerate(formset.forms):
        if index >= formset.initial_form_count() and not form.has_changed():
            continue
        if _cleaned(form).get("DELETE") or form["DELETE"].value() in (True, "on", "true"):
            continue
        kept.append(form)
    return sorted(kept, key=_order_of)


def _order_of(form: Any) -> int:
    """A row's place as the page last showed it (its ORDER field), so a re-shown form keeps the order."""
    try:
        return int(form["ORDER"].value())
    except (TypeError, ValueError):
        return 10_000


def _place_errors(errors: dict[str, Any], form: ProtocolForm, session_forms: list, home_forms: list,
                  *, skip_taken: bool = False) -> list[str]:
    """Put the service's errors next to the field (and row) they are about; return list-level ones.

    With `skip_taken`, a field that already shows an error of its own keeps only that one."""
    list_level: list[str] = []
    for field, problem in errors.items():
        if field in ("sessions", "home_adjuncts"):
            rows = session_forms if field == "sessions" else home_forms
            if isinstance(problem, dict):
                for index, by_field in problem.items():
                    for name, texts in by_field.items():
                        target = rows[int(index)]
                        name = name if name in target.fields else None
                        if skip_taken and name is not None and name in target.errors:
                            continue
                        for text in texts:
                            target.add_error(name, text)
            else:
                list_level.extend(problem)
        elif field in form.fields:
            if skip_taken and field in form.errors:
                continue
            for text in problem:
                form.add_error(field, text)
        else:
            for text in problem:
                form.add_error(None, text)
    return list_level


class ProtocolActionView(RoleRequiredMixin, View):
    """POST-only status changes: activate, revise, archive, delete (the page asks to confirm)."""

    required_role = Role.DOCTOR
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponseRedirect:
        protocol = get_object_or_404(Protocol, pk=pk)
        try:
            if action == "activate":
                findings = checklist_of(protocol)
                # Blockers are the service's to refuse, with their reasons; warnings only need reading.
                unread = not any(f.is_blocker for f in findings) and request.POST.get("warnings_read") != "yes"
                if unread and findings:
                    messages.error(request, _("Not activated: read the checklist's warnings and tick that you have."))
                    return redirect(protocol.get_absolute_url() + "#checklist")
                protocol = services.protocol_activate(protocol=protocol, by=request.user)
                messages.success(request, _("%(code)s v%(version)s is now active.") % _named(protocol))
            elif action == "revise":
                draft = services.protocol_revise(protocol=protocol, by=request.user)
                messages.success(
                    request, _("Draft v%(draft)s made from v%(version)s: edit it, then activate.")
                    % {"draft": draft.version, "version": protocol.version}
                )
                return redirect("protocols:edit", pk=draft.pk)
            elif action == "archive":
                protocol = services.protocol_archive(protocol=protocol, by=request.user)
                messages.success(request, _("%(code)s v%(version)s archived.") % _named(protocol))
            elif action == "delete":
                services.protocol_delete(protocol=protocol, by=request.user)
                messages.success(request, _("Draft %(code)s v%(version)s deleted.") % _named(protocol))
                return redirect("protocols:list")
            else:
                raise Http404
        except ProtocolInvalid as invalid:
            messages.error(request, _("Not activated: %(reason)s") % {"reason": invalid.detail})
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect(protocol)


class ProtocolVersionsView(RoleRequiredMixin, View):
    """Every version of a code, and what changed between two of them (?a=<id>&b=<id>)."""

    template_name = "protocols/protocol_versions.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        versions = selectors.protocol_versions(code)
        if not versions:
            raise Http404
        by_id = {str(v.pk): v for v in versions}
        newer = by_id.get(request.GET.get("b", "")) or versions[0]
        older_default = next((v for v in versions if v.version < newer.version), None)
        older = by_id.get(request.GET.get("a", "")) or older_default
        diff = protocol_diff(older, newer) if older is not None and older.pk != newer.pk else None
        return render(request, self.template_name, {
            "code": code, "versions": versions, "older": older, "newer": newer, "diff": diff,
        })
