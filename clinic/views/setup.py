"""Staff pages of the clinic set-up. Everyone with a role reads them (receptionists book with
them); only admins create or change anything. The views are thin: the forms validate, the
services write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from clinic import selectors, services
from clinic.errors import DomainError
from clinic.forms import ROUTE_LABELS, SOURCE_LABELS, ClosureForm, LocationForm, PractitionerForm, RoomForm
from clinic.hours import ROUTES, SOURCE_CATEGORIES, WEEKDAYS, hhmm, parse_hours, public_holidays
from clinic.models import Closure, Location, Practitioner, Room
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from clinic.selectors import holiday_dates_for, open_intervals


def hours_by_weekday(raw: Any) -> list[tuple[str, list[str]]]:
    """[("Monday", ["09:00–13:00", "14:00–19:00"]), ...]; an empty list is a closed day."""
    days: list[tuple[str, list[str]]] = [(name, []) for name in WEEKDAYS]
    try:
        spans = parse_hours(raw)
    except ValidationError:
        spans = []
    for span in spans:
        days[span.weekday][1].append(f"{hhmm(span.opens)}–{hhmm(span.closes)}")
    return days


def location_filter(request: HttpRequest) -> Location | None:
    """The ?location= of a list page, ignored when it is not a known location's id."""
    return selectors.location_chosen(request.GET.get("location", ""))


class ReadMixin(RoleRequiredMixin):
    required_role = Role.RECEPTIONIST


class AdminMixin(RoleRequiredMixin):
    required_role = Role.ADMIN


class ServiceFormMixin:
    """Create and edit pages: the form validates, a service saves (and validates once more, so a
    change that raced another fails with a message rather than half-saved)."""

    create_service: Any = None
    update_service: Any = None
    instance_name = ""
    success_message = gettext_lazy("Saved.")

    def form_valid(self, form) -> HttpResponse:
        try:
            if form.instance.pk:
                self.object = type(self).update_service(
                    **{self.instance_name: form.instance, "data": form.service_data()}
                )
            else:
                self.object = type(self).create_service(data=form.service_data())
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, str(self.success_message).format(object=self.object))
        return HttpResponseRedirect(self.get_success_url())


# --- locations ------------------------------------------------------------------------------------


class LocationListView(ReadMixin, ListView):
    template_name = "clinic/location_list.html"
    context_object_name = "locations"

    def get_queryset(self) -> QuerySet[Location]:
        return selectors.locations_with_counts()


class LocationDetailView(ReadMixin, DetailView):
    model = Location
    template_name = "clinic/location_detail.html"
    context_object_name = "location"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        location: Location = self.object
        zone = ZoneInfo(location.timezone)
        today = timezone.now().astimezone(zone).date()
        horizon = today + timedelta(days=120)
        holidays: list[tuple[Any, str]] = []
        if location.observe_public_holidays:
            years = range(today.year, horizon.year + 1)
            names = public_holidays(location.country, location.subdivision, years, language=get_language())
            holidays = sorted((day, names[day]) for day in holiday_dates_for(location, today, horizon))
        week = open_intervals(location=location, start_date=today, end_date=today + timedelta(days=6))
        context.update(
            zone=zone,
            hours=hours_by_weekday(location.opening_hours),
            practitioners=selectors.practitioners_list(location=location),
            rooms=selectors.rooms_list(location=location),
            closures=selectors.closures_list(location=location, ending_after=timezone.now())[:20],
            holidays=holidays[:8],
            open_week=[(i.start.astimezone(zone), i.end.astimezone(zone)) for i in week],
            policy=[
                (SOURCE_LABELS[c], [(ROUTE_LABELS[r], r in location.route_policy.get(c, [])) for r in ROUTES])
                for c in SOURCE_CATEGORIES
            ],
            route_labels=[ROUTE_LABELS[r] for r in ROUTES],
        )
        return context


class LocationCreateView(AdminMixin, ServiceFormMixin, CreateView):
    model = Location
    form_class = LocationForm
    template_name = "clinic/location_form.html"
    create_service = services.location_create
    success_message = gettext_lazy("Location “{object}” created.")

    def get_success_url(self) -> str:
        return reverse("clinic:location_detail", args=[self.object.pk])


class LocationUpdateView(AdminMixin, ServiceFormMixin, UpdateView):
    model = Location
    form_class = LocationForm
    template_name = "clinic/location_form.html"
    update_service = services.location_update
    instance_name = "location"
    success_message = gettext_lazy("Location “{object}” saved.")

    def get_success_url(self) -> str:
        return reverse("clinic:location_detail", args=[self.object.pk])


# --- practitioners -------------------------------------------------------------------------------


class PractitionerListView(ReadMixin, ListView):
    template_name = "clinic/practitioner_list.html"
    context_object_name = "practitioners"

    def get_queryset(self) -> QuerySet[Practitioner]:
        return selectors.practitioners_list(location=location_filter(self.request))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            locations=Location.objects.order_by("name"), current_location=location_filter(self.request), **kwargs
        )


class PractitionerFormMixin(ServiceFormMixin):
    model = Practitioner
    form_class = PractitionerForm
    template_name = "clinic/practitioner_form.html"
    instance_name = "practitioner"
    create_service = services.practitioner_create
    update_service = services.practitioner_update
    success_message = gettext_lazy("Practitioner “{object}” saved.")

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "location": location_filter(self.request)}

    def get_success_url(self) -> str:
        return reverse("clinic:location_detail", args=[self.object.location_id])


class PractitionerCreateView(AdminMixin, PractitionerFormMixin, CreateView):
    pass


class PractitionerUpdateView(AdminMixin, PractitionerFormMixin, UpdateView):
    pass


# --- rooms ---------------------------------------------------------------------------------------


class RoomListView(ReadMixin, ListView):
    template_name = "clinic/room_list.html"
    context_object_name = "rooms"

    def get_queryset(self) -> QuerySet[Room]:
        return selectors.rooms_list(location=location_filter(self.request))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            locations=Location.objects.order_by("name"), current_location=location_filter(self.request), **kwargs
        )


class RoomFormMixin(ServiceFormMixin):
    model = Room
    form_class = RoomForm
    template_name = "clinic/room_form.html"
    instance_name = "room"
    create_service = services.room_create
    update_service = services.room_update
    success_message = gettext_lazy("Room “{object}” saved.")

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "location": location_filter(self.request)}

    def get_success_url(self) -> str:
        return reverse("clinic:room_list")


class RoomCreateView(AdminMixin, RoomFormMixin, CreateView):
    pass


class RoomUpdateView(AdminMixin, RoomFormMixin, UpdateView):
    pass


# --- closures ------------------------------------------------------------------------------------


class ClosureListView(ReadMixin, ListView):
    template_name = "clinic/closure_list.html"
    context_object_name = "closures"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Closure]:
        past = self.request.GET.get("show") == "all"
        return selectors.closures_list(
            location=location_filter(self.request), ending_after=None if past else timezone.now()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            locations=Location.objects.order_by("name"), current_location=location_filter(self.request),
            show_all=self.request.GET.get("show") == "all", **kwargs,
        )


class ClosureFormMixin(ServiceFormMixin):
    model = Closure
    form_class = ClosureForm
    template_name = "clinic/closure_form.html"
    instance_name = "closure"
    create_service = services.closure_create
    update_service = services.closure_update
    success_message = gettext_lazy("Closure saved.")

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "location": location_filter(self.request)}

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        if isinstance(response, HttpResponseRedirect):
            affected = selectors.sessions_affected_by_closure(self.object)
            if affected:
                messages.warning(
                    self.request,
                    ngettext(
                        "%(count)d booked session falls inside this closure. It was not moved: "
                        "reschedule it from the sessions list.",
                        "%(count)d booked sessions fall inside this closure. They were not moved: "
                        "reschedule them from the sessions list.",
                        len(affected),
                    ) % {"count": len(affected)},
                )
        return response

    def get_success_url(self) -> str:
        return reverse("clinic:location_detail", args=[self.object.location_id])


class ClosureCreateView(AdminMixin, ClosureFormMixin, CreateView):
    pass


class ClosureUpdateView(AdminMixin, ClosureFormMixin, UpdateView):
    pass


class ClosureDeleteView(AdminMixin, View):
    """POST only (the page's button asks for confirmation first)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        closure = get_object_or_404(Closure, pk=pk)
        location_id = closure.location_id
        try:
            services.closure_delete(closure=closure)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Closure removed: the time is open for booking again."))
        return HttpResponseRedirect(reverse("clinic:location_detail", args=[location_id]))


# --- home tile -----------------------------------------------------------------------------------


class SetupSummaryView(AdminMixin, View):
    """The home page's clinic set-up tile body (loaded by htmx, so the home page itself stays free
    of clinic queries)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "location_count": Location.objects.count(),
            "practitioner_count": Practitioner.objects.filter(active=True).count(),
            "room_count": Room.objects.filter(active=True).count(),
            "upcoming_closures": Closure.objects.filter(end__gt=timezone.now()).count(),
        }
        return render(request, "clinic/_setup_summary.html", context)
