"""A patient's record pages, under /patients/ (namespace "patients", see patients/urls.py)."""

from django.urls import path

from patients.registry import views

urlpatterns = [
    path("", views.PatientListView.as_view(), name="list"),
    path("new/", views.PatientCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PatientDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PatientUpdateView.as_view(), name="update"),
    path("<int:pk>/consent/", views.ConsentView.as_view(), name="consent"),
    path("<int:pk>/access-log/", views.PatientAccessLogView.as_view(), name="access-log"),
]
