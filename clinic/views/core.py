"""Home, health and the audit-history page."""

import redis
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from clinic import audit
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role


def health(request: HttpRequest) -> JsonResponse:
    """JSON state of the database and the broker: 200 when both answer, else 503."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # any failure to reach the database is the answer, not a crash
        checks["database"] = f"error: {type(error).__name__}"
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
        checks["broker"] = "ok"
    except Exception as error:
        checks["broker"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


class HomeView(RoleRequiredMixin, TemplateView):
    template_name = "home.html"


# Models whose audit history an admin may read, by app label and model name.
AUDITED_APPS = {"clinic", "protocols", "patients"}
# pghistory's event labels (clinic/audit.py tracks these three), in words.
EVENT_LABELS = {
    "insert": pgettext_lazy("history event", "created"),
    "update": pgettext_lazy("history event", "changed"),
    "delete": pgettext_lazy("history event", "deleted"),
}


class HistoryView(RoleRequiredMixin, TemplateView):
    """Every recorded change of one object, newest first, with who made it."""

    required_role = Role.ADMIN
    template_name = "clinic/history.html"

    def get_context_data(self, **kwargs):
        import pghistory.models

        context = super().get_context_data(**kwargs)
        if kwargs["app_label"] not in AUDITED_APPS:
            raise Http404
        try:
            model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
            # pghistory names a model's event table after it: Location -> LocationEvent.
            event_model = apps.get_model(kwargs["app_label"], f"{model.__name__}Event")
        except LookupError:
            raise Http404 from None
        obj = model._default_manager.filter(pk=kwargs["pk"]).first()
        if obj is not None:
            audit.history_read(request=self.request, obj=obj)
        events = (
            pghistory.models.Events.objects.across(event_model)
            .filter(pgh_obj_id=str(kwargs["pk"]))
            .order_by("-pgh_created_at", "-pgh_id")
        )
        events = list(events[:500])
        user_ids = {e.pgh_context.get("user") for e in events if isinstance(e.pgh_context, dict)}
        users = get_user_model().objects.in_bulk([u for u in user_ids if isinstance(u, int)])
        for event in events:
            context_data = event.pgh_context if isinstance(event.pgh_context, dict) else {}
            event.author = users.get(context_data.get("user"))
            # A change the patient made on their own page (patients.portal) names the patient.
            event.by_patient = context_data.get("by") == "patient"
            event.via = context_data.get("url") or context_data.get("command") or ""
            event.label = EVENT_LABELS.get(event.pgh_label, event.pgh_label)
        context.update(
            obj=obj,
            model_name=model._meta.verbose_name,
            object_label=str(obj) if obj else _("%(model)s #%(pk)s (deleted)") % {
                "model": model._meta.verbose_name, "pk": kwargs["pk"]
            },
            events=events,
        )
        return context
