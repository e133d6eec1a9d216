"""The patient pages, under /patients/: the record (registry) and its screenings."""

from django.urls import path

from patients.registry import views
from patients.screening import views as screening_views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="list"),
    path("new/", views.PatientCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PatientDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PatientUpdateView.as_view(), name="update"),
    path("<int:pk>/consent/", views.ConsentView.as_view(), name="consent"),
    path("<int:pk>/access-log/", views.PatientAccessLogView.as_view(), name="access-log"),
    path("<int:pk>/screenings/new/", screening_views.ScreeningCreateView.as_view(), name="screening-create"),
    path("screenings/<int:pk>/override/", screening_views.ScreeningOverrideView.as_view(), name="screening-override"),
    path("screenings/<int:pk>/ask-a-doctor/", screening_views.ScreeningReviewRequestView.as_view(),
         name="screening-review-request"),
]
