"""Staff pages of the clinic set-up, under /clinic/ (namespace "clinic")."""

from django.urls import path
from django.views.generic import RedirectView

from clinic.views import setup

app_name = "clinic"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="clinic:location_list"), name="setup"),
    path("summary/", setup.SetupSummaryView.as_view(), name="setup_summary"),
    path("locations/", setup.LocationListView.as_view(), name="location_list"),
    path("locations/new/", setup.LocationCreateView.as_view(), name="location_create"),
    path("locations/<int:pk>/", setup.LocationDetailView.as_view(), name="location_detail"),
    path("locations/<int:pk>/edit/", setup.LocationUpdateView.as_view(), name="location_update"),
    path("practitioners/", setup.PractitionerListView.as_view(), name="practitioner_list"),
    path("practitioners/new/", setup.PractitionerCreateView.as_view(), name="practitioner_create"),
    path("practitioners/<int:pk>/edit/", setup.PractitionerUpdateView.as_view(), name="practitioner_update"),
    path("rooms/", setup.RoomListView.as_view(), name="room_list"),
    path("rooms/new/", setup.RoomCreateView.as_view(), name="room_create"),
    path("rooms/<int:pk>/edit/", setup.RoomUpdateView.as_view(), name="room_update"),
    path("closures/", setup.ClosureListView.as_view(), name="closure_list"),
    path("closures/new/", setup.ClosureCreateView.as_view(), name="closure_create"),
    path("closures/<int:pk>/edit/", setup.ClosureUpdateView.as_view(), name="closure_update"),
    path("closures/<int:pk>/delete/", setup.ClosureDeleteView.as_view(), name="closure_delete"),
]
